"""ShadowTest: the inference experiment of an endpoint's shadow variant, through the component."""

from __future__ import annotations

from typing import Any

import pytest

from components.serving.inference_endpoint_spec import EndpointSpec
from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph
from tests.components.serving_args import KEY, record_shadow_test
from tests.graph_helpers import as_list, policy_of, statements

EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"
VARIANT = {
    "model": {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"},
    "instance_type": "ml.m5.xlarge",
}
TEST = {"start": "2027-03-01T00:00:00Z", "end": "2027-03-31T00:00:00Z"}


def _record(spec: dict[str, Any]) -> ResourceGraph:
    return record_shadow_test(
        EndpointSpec.model_validate(spec),
        subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        tags={"owner": "t", "cost-center": "c"},
    )


def _spec(**test: Any) -> dict[str, Any]:
    return {
        "name": "churn",
        "variants": [{**VARIANT, "name": "champion"}],
        "shadow_variants": [{**VARIANT, "name": "challenger", "initial_instance_count": 2}],
        "shadow_test": {**TEST, **test},
    }


def test_ebs_backed_variants_get_the_volume_key_and_the_rule_passes() -> None:
    graph = _record(_spec(sampling_percent=50))
    [experiment] = graph.of_type(EXPERIMENT)
    assert experiment.inputs["kmsKey"] == KEY
    assert experiment.inputs["dataStorageConfig"]["kmsKey"] == KEY
    assert (
        experiment.inputs["dataStorageConfig"]["destination"]
        == "s3://artifacts/data-capture/churn/shadow-test/"
    )
    assert experiment.inputs["schedule"] == {
        "startTime": "2027-03-01T00:00:00Z",
        "endTime": "2027-03-31T00:00:00Z",
    }
    counts = {
        v["variantName"]: v["infrastructureConfig"]["realTimeInferenceConfig"]["instanceCount"]
        for v in experiment.inputs["modelVariants"]
    }
    assert counts == {"champion": 1, "challenger": 2}
    assert {t["key"] for t in experiment.inputs["tags"]} == {"owner", "cost-center"}
    violations, _ = evaluate_policies(graph)
    assert [v.message for v in violations if v.policy_name == "inference-experiment-kms-encrypted"] == []


def test_without_capture_there_is_no_storage_config_and_no_bucket_access() -> None:
    graph = _record(_spec(capture=False))
    [experiment] = graph.of_type(EXPERIMENT)
    assert "dataStorageConfig" not in experiment.inputs
    [policy] = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.startswith("st-")]
    actions = [a for s in statements(policy_of(policy)) for a in as_list(s["Action"])]
    assert not [a for a in actions if a.startswith("s3:")]


def test_captured_bodies_are_decoded_by_their_content_type() -> None:
    [experiment] = _record(_spec()).of_type(EXPERIMENT)
    assert experiment.inputs["dataStorageConfig"]["contentType"] == {
        "csvContentTypes": ["text/csv"],
        "jsonContentTypes": ["application/json", "application/jsonlines"],
    }


def test_the_role_reaches_both_models_the_key_and_the_configurations_sagemaker_names() -> None:
    # Capitals in the endpoint's and the variants' names: SageMaker's ARNs carry them in lower case.
    graph = _record({
        **_spec(),
        "name": "Churn",
        "variants": [{**VARIANT, "name": "Champion"}],
        "shadow_variants": [{**VARIANT, "name": "Challenger"}],
    })  # fmt: skip
    [policy] = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.startswith("st-")]
    by_action = {a: s for s in statements(policy_of(policy)) for a in as_list(s["Action"])}
    prefix = "arn:aws:sagemaker:eu-west-1:123456789012"
    assert by_action["sagemaker:UpdateEndpoint"]["Resource"] == f"{prefix}:endpoint/test-churn"
    models = [m.outputs["name"] for m in graph.of_type("aws:sagemaker/model:Model")]
    assert any(name != name.lower() for name in models)
    assert sorted(by_action["sagemaker:DescribeModel"]["Resource"]) == sorted(
        f"{prefix}:model/{name.lower()}" for name in models
    )
    # SageMaker names the configurations it deploys the shadow with: any of this account's.
    assert by_action["sagemaker:CreateEndpointConfig"]["Resource"] == f"{prefix}:endpoint-config/*"
    # The variants' volumes and the captured data are encrypted with the key: the role must use it.
    for action in ("kms:Decrypt", "kms:GenerateDataKey*"):
        assert KEY in by_action[action]["Resource"], action


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"shadow_variants": []}, "add one to shadow_variants"),
        (
            {"shadow_variants": [{**VARIANT, "name": "challenger", "instance_type": "ml.g5.xlarge"}]},
            "both use local-NVMe instance types or both EBS-backed",
        ),
    ],
    ids=["no-shadow", "mixed-storage"],
)
def test_a_shadow_test_the_variants_cannot_run_is_refused(spec, fragment) -> None:
    with pytest.raises(ValueError, match=fragment):
        EndpointSpec.model_validate({**_spec(), **spec})
