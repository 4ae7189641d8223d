"""The account, network and storage an endpoint component is given in the component tests."""

from __future__ import annotations

from typing import Any

from components.serving.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.serving.inference_endpoint_spec import EndpointSpec
from components.serving.shadow_test import ShadowTest, ShadowTestArgs
from planner.recorder import ResourceGraph, record_program
from tests.recorded import computed_once

KEY = "arn:aws:kms:eu-west-1:123456789012:key/data"
SERVING_CONTEXT: dict[str, Any] = {
    "resolved_model_packages": {},
    "account_id": "123456789012",
    "region": "eu-west-1",
    "artifact_bucket_name": "artifacts",
    "artifact_bucket_arn": "arn:aws:s3:::artifacts",
    "kms_key_arn": KEY,
    "subnet_ids": ["subnet-0123456789abcdef0"],
    "security_group_ids": ["sg-0123456789abcdef0"],
    "image_registry_accounts": ["123456789012"],
    "alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:alerts",
    "role_path": "/mlops-platform/test/",
    "tags": {"owner": "t"},
}
"""What ``InferenceEndpointArgs`` and ``SharedEndpointArgs`` share, for the endpoint's own fields
to be added to (``SharedEndpointArgs(spec=..., endpoint_name=..., **SERVING_CONTEXT)``)."""


def endpoint_args(endpoint: EndpointSpec, **changes: Any) -> InferenceEndpointArgs:
    """``InferenceEndpointArgs`` of ``endpoint`` named ``test-<name>``, ``changes`` replacing
    :data:`SERVING_CONTEXT`'s values (or ``endpoint_name``)."""
    own: dict[str, Any] = {
        "endpoint_name": f"test-{endpoint.name}",
        "notification_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/notify",
    }
    return InferenceEndpointArgs(spec=endpoint, **(own | SERVING_CONTEXT | changes))


def record_shadow_test(endpoint: EndpointSpec, **changes: Any) -> ResourceGraph:
    """The graph of ``endpoint`` (:func:`endpoint_args`) and its ``ShadowTest``, both given
    :data:`SERVING_CONTEXT` with ``changes``."""
    context = SERVING_CONTEXT | changes

    def program() -> None:
        served = InferenceEndpoint("ep", endpoint_args(endpoint, **changes))
        ShadowTest(
            "st",
            ShadowTestArgs(
                spec=endpoint,
                endpoint_name=served.endpoint_name,
                physical_endpoint_name=f"test-{endpoint.name}",
                model_names=served.model_names,
                account_id=context["account_id"],
                region=context["region"],
                kms_key_arn=context["kms_key_arn"],
                artifact_bucket_name=context["artifact_bucket_name"],
                artifact_bucket_arn=context["artifact_bucket_arn"],
                capture_prefix=f"data-capture/{endpoint.name}/",
                role_path=context["role_path"],
                tags=context["tags"],
            ),
        )

    # Once per version of the code and of the tests' support files (this one among them):
    # the endpoint and the changes as written are the key.
    return computed_once("shadow-test", lambda: record_program(program), key=[repr((endpoint, changes))])
