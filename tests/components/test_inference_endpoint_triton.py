"""NVIDIA Triton on a SageMaker endpoint: the SDK's Triton image by instance type, the environment
SageMaker's Triton container reads, a role that may pull that image, and what SageMaker accepts."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from components.serving.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.serving.inference_endpoint_spec import EndpointSpec
from components.serving.triton import triton_versions
from components.versions import TRITON_SAGEMAKER_VERSION
from planner.recorder import ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import load_pack_config
from stacks.config import ConfigError
from tests.aws_sessions import mocked_aws
from tests.recorded import computed_once, recorded_stack
from tests.sagemaker_requests import to_request
from tests.yaml_text import dump_document

MODEL = "aws:sagemaker/model:Model"
ARTIFACT = "s3://artifacts/models/churn-triton/model.tar.gz"
TRITON = {"model_data_url": ARTIFACT, "default_model_name": "churn"}
DLC = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-tritonserver"


def _variant(name: str, instance_type: str, **changes: Any) -> dict[str, Any]:
    return {"name": name, "instance_type": instance_type, "model": {"triton": {**TRITON}}, **changes}


def _record(*variants: dict[str, Any]) -> ResourceGraph:
    """Recorded once per version of the code and of this file: the variants as written are the key."""
    endpoint = EndpointSpec.model_validate({"name": "churn", "variants": list(variants)})
    return computed_once("endpoint", lambda: _endpoint_graph(endpoint), key=[repr(variants)])


def _endpoint_graph(endpoint: EndpointSpec) -> ResourceGraph:
    return record_program(
        lambda: InferenceEndpoint(
            "ep",
            InferenceEndpointArgs(
                spec=endpoint,
                endpoint_name="test-churn",
                resolved_model_packages={},
                account_id="123456789012",
                region="eu-west-1",
                artifact_bucket_name="artifacts",
                artifact_bucket_arn="arn:aws:s3:::artifacts",
                kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/data",
                notification_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
                subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                security_group_ids=["sg-0123456789abcdef0"],
                image_registry_accounts=["123456789012"],
                alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
                role_path="/mlops-platform/test/",
                tags={"owner": "t"},
            ),
        )
    )


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    """A GPU Triton variant beside a CPU one (A/B on instance class; the CPU one on local NVMe too,
    as one endpoint's variants must be)."""
    return _record(
        _variant("gpu", "ml.g5.xlarge", environment={"SAGEMAKER_TRITON_LOG_VERBOSE": "true"}),
        _variant("cpu", "ml.c5d.xlarge", model={"triton": {**TRITON, "version": "24.09"}}),
    )


def _containers(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {
        m.name.removeprefix("ep-").removesuffix("-model"): m.inputs["primaryContainer"]
        for m in graph.of_type(MODEL)
    }


def test_each_variant_runs_the_sdks_triton_build_for_its_instance_type(graph: ResourceGraph) -> None:
    containers = _containers(graph)
    assert containers["gpu"]["image"] == f"{DLC}:{TRITON_SAGEMAKER_VERSION}-py3"
    assert containers["cpu"]["image"] == f"{DLC}:24.09-py3-cpu"
    for container in containers.values():
        assert container["modelDataUrl"] == ARTIFACT
        assert container["imageConfig"] == {"repositoryAccessMode": "Platform"}
        assert "modelPackageName" not in container


def test_the_container_is_told_which_model_of_the_repository_to_serve(graph: ResourceGraph) -> None:
    containers = _containers(graph)
    assert containers["gpu"]["environment"] == {
        "SAGEMAKER_TRITON_LOG_VERBOSE": "true",
        "SAGEMAKER_TRITON_DEFAULT_MODEL_NAME": "churn",
    }
    assert containers["cpu"]["environment"] == {"SAGEMAKER_TRITON_DEFAULT_MODEL_NAME": "churn"}


def test_models_stay_isolated_in_the_vpc(graph: ResourceGraph) -> None:
    for model in graph.of_type(MODEL):
        assert model.inputs["enableNetworkIsolation"] is True
        assert model.inputs["vpcConfig"]["subnets"]


def test_the_role_may_pull_only_the_triton_repository_of_sagemakers_registry(graph: ResourceGraph) -> None:
    documents = [json.loads(p.inputs["policy"]) for p in graph.of_type("aws:iam/rolePolicy:RolePolicy")]
    pulls = [
        s["Resource"]
        for d in documents
        for s in d["Statement"]
        if "ecr:BatchGetImage" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    assert ["arn:aws:ecr:eu-west-1:763104351884:repository/sagemaker-tritonserver"] in pulls
    assert ["arn:aws:ecr:eu-west-1:123456789012:repository/*"] in pulls
    assert not any("763104351884:repository/*" in str(resource) for resource in pulls)


def test_an_endpoint_without_triton_grants_no_triton_pull() -> None:
    package = {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"}
    plain = _record({"name": "primary", "instance_type": "ml.m5.xlarge", "model": package})
    assert "sagemaker-tritonserver" not in json.dumps(
        [p.inputs for p in plain.of_type("aws:iam/rolePolicy:RolePolicy")]
    )


def test_the_packs_model_rules_pass(graph: ResourceGraph) -> None:
    models = [m for m in graph.resources if m.type == MODEL]
    names = {v.policy_name for v in evaluate_report(models, load_pack_config("dev")).violations}
    assert not names & {"model-network-isolation", "model-in-vpc", "model-private-registry-via-vpc"}


def test_sagemaker_accepts_the_models_and_endpoint_configuration(
    graph, monkeypatch, current_instance_types
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    [config] = graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    with mocked_aws("eu-west-1"):
        client = boto3.client("sagemaker", region_name="eu-west-1")
        for model in graph.of_type(MODEL):
            client.create_model(
                ModelName=model.outputs["name"], **to_request("CreateModel", dict(model.inputs))
            )
            described = client.describe_model(ModelName=model.outputs["name"])
            assert (
                described["PrimaryContainer"]["Environment"]["SAGEMAKER_TRITON_DEFAULT_MODEL_NAME"] == "churn"
            )
        client.create_endpoint_config(
            EndpointConfigName=config.outputs["name"],
            **to_request("CreateEndpointConfig", dict(config.inputs)),
        )


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        pytest.param(_variant("v", "ml.inf2.xlarge"), "no Neuron build", id="inferentia"),
        pytest.param(_variant("v", "ml.trn1.2xlarge"), "no Neuron build", id="trainium"),
        pytest.param(
            {"name": "v", "serverless": {}, "model": {"triton": TRITON}},
            "set instance_type, not serverless",
            id="serverless",
        ),
        pytest.param(
            _variant("v", "ml.g5.xlarge", environment={"SAGEMAKER_TRITON_DEFAULT_MODEL_NAME": "x"}),
            "comes from model.triton.default_model_name",
            id="hand-set-model-name",
        ),
        pytest.param(
            # The platform adds SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: SageMaker takes 100 in all.
            _variant("v", "ml.g5.xlarge", environment={f"VAR_{i}": "x" for i in range(100)}),
            "a Triton model container takes at most 99 besides the platform's 1",
            id="environment-full-without-the-model-name",
        ),
        pytest.param(
            _variant("v", "ml.g5.xlarge", model={"triton": {**TRITON, "version": "22.01"}}),
            "Triton 22.01 has no SageMaker image; the SDK lists " + ", ".join(triton_versions()),
            id="unknown-version",
        ),
        pytest.param(
            _variant(
                "v",
                "ml.g5.xlarge",
                model={"triton": {**TRITON, "model_data_url": "s3://artifacts/models/churn/"}},
            ),
            "the s3:// URI of a .tar.gz",
            id="not-a-tarball",
        ),
        pytest.param(
            _variant("v", "ml.g5.xlarge", model={"triton": {**TRITON, "default_model_name": "../etc"}}),
            "is not a model directory name",
            id="bad-model-name",
        ),
        pytest.param(
            _variant("v", "ml.g5.xlarge", model={"triton": TRITON, "image": DLC + ":x"}),
            "set exactly one of model_package_arn, latest_approved_of, image or triton (got image, triton)",
            id="triton-and-image",
        ),
    ],
)
def test_malformed_triton_variants_are_rejected(variant: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=_escaped(message)):
        EndpointSpec.model_validate({"name": "churn", "variants": [variant]})


def _escaped(message: str) -> str:
    import re

    return re.escape(message)


def test_a_stack_file_error_names_the_file_and_key(write_stack) -> None:
    from stacks.config import parse_platform_config
    from stacks.stack_file import read_stack_file

    def edit(platform: dict) -> None:
        variant = platform["endpoints"][0]["variants"][0]
        variant["model"] = {"triton": {**TRITON}}
        variant["instance_type"] = "ml.inf2.xlarge"
        variant.pop("serverless", None)
        variant.pop("scaling", None)

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as error:
        parse_platform_config(read_stack_file(path).platform, str(path))
    assert f"{path}: mlops-platform:platform.endpoints[0].variants[0]" in str(error.value)
    assert "no Neuron build" in str(error.value)


def _triton_endpoint(version: str = TRITON_SAGEMAKER_VERSION):
    def edit(platform: dict) -> None:
        platform["endpoints"].append(
            {
                "name": "churn-triton",
                "variants": [
                    {
                        "name": "primary",
                        "instance_type": "ml.g5.xlarge",
                        "initial_instance_count": 2,
                        "model": {"triton": {**TRITON, "version": version}},
                        "scaling": {"min_capacity": 2, "max_capacity": 4, "gpu_utilization_percent": 70},
                    }
                ],
            }
        )

    return edit


def test_a_region_without_the_release_names_the_version_key(write_stack) -> None:
    from stacks.config import parse_platform_config
    from stacks.stack_file import read_stack_file

    def edit(platform: dict) -> None:
        _triton_endpoint("24.09")(platform)
        platform["region"] = "eu-central-2"

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as error:
        parse_platform_config(read_stack_file(path).platform, str(path))
    assert (
        f"{path}: mlops-platform:platform.endpoints[1].variants[0].model.triton.version: SageMaker's Triton "
        "24.09 image is not published in eu-central-2"
    ) in str(error.value)


@pytest.fixture(scope="module")
def staging_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    from stacks.config import CONFIG_KEY
    from tests.conftest import load_stack_document
    from tests.stacks.conftest import serving_cut

    document = load_stack_document("staging")
    # Cut to what the endpoints read (serving_cut): the endpoints, their models and monitors stay.
    serving_cut(document["config"][CONFIG_KEY])
    _triton_endpoint()(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("triton") / "Pulumi.staging.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(str(path))


def test_a_staging_stack_with_a_triton_endpoint_plans_without_mandatory_violations(staging_graph) -> None:
    [model] = [m for m in staging_graph.of_type(MODEL) if "churn-triton" in m.name]
    assert model.inputs["primaryContainer"]["image"] == f"{DLC}:{TRITON_SAGEMAKER_VERSION}-py3"
    report = evaluate_report(staging_graph.resources, load_pack_config("staging"))
    mine = [
        (v.policy_name, v.enforcement_level) for v in report.violations if "churn-triton" in (v.urn or "")
    ]
    # Staging only advises a registered version (the model and its endpoint configuration's variant).
    assert set(mine) == {("prod-model-from-model-package", "advisory")}, mine


def test_prod_refuses_a_triton_artifact_that_is_not_a_registered_version(staging_graph) -> None:
    """The approval gate: prod serves registered versions only (prod-model-from-model-package)."""
    models = [m for m in staging_graph.of_type(MODEL) if "churn-triton" in m.name]
    violations = evaluate_report(models, load_pack_config("prod")).violations
    assert [
        (v.policy_name, v.enforcement_level) for v in violations if v.policy_name.startswith("prod-model")
    ] == [("prod-model-from-model-package", "mandatory")]
