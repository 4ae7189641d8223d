"""Model package version ARNs the components are given as text are checked (session 63).

``BatchScoringArgs.model_package_arn``, ``InferenceEndpointArgs``'s and ``SharedEndpointArgs``'s
``resolved_model_packages`` and ``RegistryModel.package_arn`` go to CreateModel's
``ModelPackageName`` (or a pod's environment): a component user passing text gets SageMaker's
bounds checked at construction (``…:model-package/<group>/<n>``: a group of 1-63 letters or digits
separated by ``-``, a version of 1-9 digits), as the stack file's pinned ``model_package_arn`` is.
An Output is left alone (its value is known only at deploy). The offline plan's stand-in for the
latest Approved version is such an ARN, so every plan passes these checks.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest

from components.kubernetes.kubernetes_serving import RegistryModel
from components.serving.inference_endpoint_spec import EndpointSpec
from components.serving.shared_endpoint import SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from stacks.model_packages import OFFLINE_VERSION, offline_resolver
from tests.components.serving_args import SERVING_CONTEXT, endpoint_args
from tests.components.test_batch_scoring_semantics import _args as batch_args

PREFIX = "arn:aws:sagemaker:eu-west-1:123456789012:model-package"
GROUP_63 = "g" * 63

REFUSED = [
    pytest.param(
        f"{PREFIX}/churn/latest-approved", "its version 'latest-approved' is not a version", id="word-version"
    ),
    pytest.param(
        f"{PREFIX}/churn/1234567890", "its version '1234567890' is not a version", id="ten-digit-version"
    ),
    pytest.param(f"{PREFIX}/churn/0", "its version '0' is not a version", id="version-zero"),
    pytest.param(f"{PREFIX}/{'g' * 64}/1", "is not a model package group name", id="group-of-64"),
    pytest.param(f"{PREFIX}/churn--/1", "is not a model package group name", id="group-ending-in-dash"),
    pytest.param(f"{PREFIX}/churn", "is not a model package version ARN", id="group-arn"),
    pytest.param("churn/1", "is not a model package version ARN", id="not-an-arn"),
]
ACCEPTED = [
    pytest.param(f"{PREFIX}/churn/1", id="first-version"),
    pytest.param(f"{PREFIX}/{GROUP_63}/999999999", id="longest-group-highest-version"),
    pytest.param("arn:aws-cn:sagemaker:cn-north-1:123456789012:model-package/churn/7", id="china-partition"),
]

SERVED = EndpointSpec.model_validate(
    {
        "name": "churn",
        "variants": [
            {"name": "primary", "model": {"latest_approved_of": "churn"}, "instance_type": "ml.m5.large"}
        ],
    }
)
SHARED = SharedEndpointSpec.model_validate(
    {
        "name": "shared",
        "instance_type": "ml.m5.xlarge",
        "components": [
            {
                "name": "ranker",
                "model": {"latest_approved_of": "churn"},
                "compute": {"cpu_cores": 1, "memory_mb": 1024},
            }
        ],
    }
)


def _shared_args(arn: Any) -> SharedEndpointArgs:
    return SharedEndpointArgs(
        spec=SHARED,
        endpoint_name="team-shared",
        **(SERVING_CONTEXT | {"resolved_model_packages": {"ranker": arn}}),
    )


@pytest.mark.parametrize(("arn", "said"), REFUSED)
def test_batch_scoring_refuses_text_that_is_no_version_arn(arn: str, said: str) -> None:
    with pytest.raises(ValueError, match=re.escape("BatchScoringArgs.model_package_arn: ")) as raised:
        batch_args(model_package_arn=arn)
    assert said in str(raised.value)


@pytest.mark.parametrize(("arn", "said"), REFUSED)
def test_endpoints_refuse_a_resolved_package_that_is_no_version_arn(arn: str, said: str) -> None:
    with pytest.raises(
        ValueError, match=re.escape("InferenceEndpointArgs.resolved_model_packages: 'primary': ")
    ) as raised:
        endpoint_args(SERVED, resolved_model_packages={"primary": arn})
    assert said in str(raised.value)
    with pytest.raises(
        ValueError, match=re.escape("SharedEndpointArgs.resolved_model_packages: 'ranker': ")
    ) as raised:
        _shared_args(arn)
    assert said in str(raised.value)


@pytest.mark.parametrize(("arn", "said"), REFUSED)
def test_a_registry_backed_serving_refuses_text_that_is_no_version_arn(arn: str, said: str) -> None:
    with pytest.raises(ValueError, match=re.escape("RegistryModel.package_arn: ")) as raised:
        RegistryModel(package_arn=arn)
    assert said in str(raised.value)


@pytest.mark.parametrize("arn", ACCEPTED)
def test_every_component_takes_a_version_arn_within_the_bounds(arn: str) -> None:
    assert batch_args(model_package_arn=arn).model_package_arn == arn
    assert endpoint_args(SERVED, resolved_model_packages={"primary": arn}).resolved_model_packages == {
        "primary": arn
    }
    assert _shared_args(arn).resolved_model_packages == {"ranker": arn}
    assert RegistryModel(package_arn=arn).package_arn == arn


def test_an_output_is_left_to_deploy_time() -> None:
    from planner.recorder import record_program

    taken: list[Any] = []

    def program() -> None:
        arn = pulumi.Output.from_input("resolved at deploy")
        taken.append((arn, batch_args(model_package_arn=arn).model_package_arn))

    record_program(program)
    [(given, kept)] = taken
    assert kept is given


@pytest.mark.parametrize("owner", ["123456789012", "333333333333"], ids=["own-registry", "another-account"])
def test_the_offline_stand_in_for_the_latest_approved_version_passes_every_component(owner: str) -> None:
    """What the offline plan passes where `pulumi up` passes the version it resolved."""
    source = (
        GROUP_63
        if owner == "123456789012"
        else f"arn:aws:sagemaker:eu-west-1:{owner}:model-package-group/{GROUP_63}"
    )
    arn = offline_resolver("eu-west-1", "123456789012")(source).arn
    assert arn == f"arn:aws:sagemaker:eu-west-1:{owner}:model-package/{GROUP_63}/{OFFLINE_VERSION}"
    batch_args(model_package_arn=arn)
    endpoint_args(SERVED, resolved_model_packages={"primary": arn})
    _shared_args(arn)
    RegistryModel(package_arn=arn)
