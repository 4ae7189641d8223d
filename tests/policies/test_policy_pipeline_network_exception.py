"""pipeline-steps-network-isolated's one exception: a processing step may run without network
isolation only in the VPC (literal subnets and security groups), with inter-container encryption,
no input but its .py script and a role no other job of the pipeline uses. The training pipeline's
TrackExperiment step (which must reach the MLflow tracking server) is exactly that; each way of
breaking one condition is rejected."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.training.definition import build_definition
from tests.pipelines.churn_fixtures import make_settings, tracking_settings
from tests.recorded import computed_once

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NATIVE_PIPELINE = "aws-native:sagemaker:Pipeline"
RULE = "pipeline-steps-network-isolated"
DATA_ROLE = "arn:aws:iam::111122223333:role/training"
TRACKING_ROLE = "arn:aws:iam::111122223333:role/experiment-tracking-job"
API_VPC = {"Subnets": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]}
SCRIPT = "s3://artifacts/pipelines/churn/code/abc/track_experiment.py"


def _network(isolated: bool) -> dict[str, Any]:
    return {
        "EnableNetworkIsolation": isolated,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": copy.deepcopy(API_VPC),
    }


def _input(name: str, uri: Any) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {"S3Uri": uri, "LocalPath": f"/opt/ml/processing/input/{name}", "S3DataType": "S3Prefix"},
    }


def _definition() -> dict[str, Any]:
    """Evaluate (isolated, data role) then Track (not isolated, own role, script only)."""
    evaluate = {
        "Name": "Evaluate",
        "Type": "Processing",
        "Arguments": {
            "RoleArn": DATA_ROLE,
            "ProcessingInputs": [_input("test", "s3://datasets/test/")],
            "NetworkConfig": _network(True),
        },
    }
    track = {
        "Name": "Track",
        "Type": "Processing",
        "Arguments": {
            "RoleArn": TRACKING_ROLE,
            "ProcessingInputs": [_input("code", SCRIPT)],
            "AppSpecification": {"ImageUri": "image", "ContainerArguments": ["--metric", "auc=0.9"]},
            "NetworkConfig": _network(False),
        },
    }
    train = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {"RoleArn": DATA_ROLE, "VpcConfig": API_VPC, **_network(True)},
    }
    return {"Version": "2020-12-01", "Parameters": [], "Steps": [train, evaluate, track]}


def _track(definition: dict[str, Any]) -> dict[str, Any]:
    return next(step for step in definition["Steps"] if step["Name"] == "Track")["Arguments"]


def _pipeline(definition: dict[str, Any]) -> dict[str, Any]:
    return {"pipelineName": "churn", "roleArn": "arn:aws:iam::111122223333:role/pipeline",
            "pipelineDefinition": json.dumps(definition)}  # fmt: skip


def _no_vpc(d: dict[str, Any]) -> None:
    del _track(d)["NetworkConfig"]["VpcConfig"]


def _empty_subnets(d: dict[str, Any]) -> None:
    _track(d)["NetworkConfig"]["VpcConfig"]["Subnets"] = []


def _subnets_from_parameter(d: dict[str, Any]) -> None:
    d["Parameters"].append({"Name": "Subnets", "Type": "String", "DefaultValue": "subnet-1"})
    _track(d)["NetworkConfig"]["VpcConfig"] = {"Get": "Parameters.Subnets"}


def _no_transit_encryption(d: dict[str, Any]) -> None:
    _track(d)["NetworkConfig"]["EnableInterContainerTrafficEncryption"] = False


def _extra_dataset_input(d: dict[str, Any]) -> None:
    _track(d)["ProcessingInputs"].append(_input("data", "s3://datasets/training-data/churn/"))


def _step_output_input(d: dict[str, Any]) -> None:
    uri = {"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['predictions'].S3Output.S3Uri"}
    _track(d)["ProcessingInputs"] = [_input("code", uri)]


def _parameter_input(d: dict[str, Any]) -> None:
    d["Parameters"].append({"Name": "Code", "Type": "String", "DefaultValue": SCRIPT})
    _track(d)["ProcessingInputs"] = [_input("code", {"Get": "Parameters.Code"})]


def _dataset_definition_input(d: dict[str, Any]) -> None:
    _track(d)["ProcessingInputs"] = [
        {"InputName": "code", "DatasetDefinition": {"AthenaDatasetDefinition": {"QueryString": "select *"}}}
    ]


def _non_script_uri(d: dict[str, Any]) -> None:
    _track(d)["ProcessingInputs"] = [_input("code", "s3://datasets/training-data/churn/part-0.csv")]


def _data_role(d: dict[str, Any]) -> None:
    _track(d)["RoleArn"] = DATA_ROLE


def _role_from_parameter(d: dict[str, Any]) -> None:
    _track(d)["RoleArn"] = {"Get": "Parameters.Role"}


def _other_role_from_parameter(d: dict[str, Any]) -> None:
    d["Parameters"].append({"Name": "Role", "Type": "String"})
    d["Steps"][0]["Arguments"]["RoleArn"] = {"Get": "Parameters.Role"}


def _training_step_not_isolated(d: dict[str, Any]) -> None:
    train = d["Steps"][0]["Arguments"]
    train["EnableNetworkIsolation"] = False
    train["RoleArn"] = "arn:aws:iam::111122223333:role/another"


def _quality_check_type(d: dict[str, Any]) -> None:
    d["Steps"][2]["Type"] = "QualityCheck"


def test_the_narrow_exception_passes(check_resource, outcome) -> None:
    outcome(check_resource(RULE, PIPELINE, _pipeline(_definition())), RULE, None)


def test_the_exception_holds_in_an_aws_native_pipeline(check_resource, outcome) -> None:
    inputs = {"pipelineName": "churn", "roleArn": "arn:aws:iam::111122223333:role/pipeline",
              "pipelineDefinition": {"pipelineDefinitionBody": json.dumps(_definition())}}  # fmt: skip
    outcome(check_resource(RULE, NATIVE_PIPELINE, inputs), RULE, None)


@pytest.mark.parametrize(
    ("break_it", "fragment"),
    [
        pytest.param(_no_vpc, "VpcConfig.Subnets is not a literal", id="no-vpc"),
        pytest.param(_empty_subnets, "VpcConfig.Subnets is not a literal", id="empty-subnets"),
        pytest.param(_subnets_from_parameter, "not a literal", id="vpc-from-a-parameter"),
        pytest.param(_no_transit_encryption, "encryption is not on", id="no-inter-container-encryption"),
        pytest.param(_extra_dataset_input, "inputs other than its .py script", id="extra-dataset-input"),
        pytest.param(_step_output_input, "inputs other than its .py script", id="another-steps-output"),
        pytest.param(_parameter_input, "inputs other than its .py script", id="input-from-a-parameter"),
        pytest.param(_dataset_definition_input, "inputs other than its .py script", id="athena-dataset"),
        pytest.param(_non_script_uri, "inputs other than its .py script", id="data-object-as-code"),
        pytest.param(_data_role, "runs as the role of another job", id="the-data-steps-role"),
        pytest.param(_role_from_parameter, "RoleArn is not a literal role", id="role-from-a-parameter"),
        pytest.param(_other_role_from_parameter, "cannot be told apart", id="other-role-unknown"),
        pytest.param(_training_step_not_isolated, "only a processing step", id="training-step"),
        pytest.param(_quality_check_type, "only a processing step", id="quality-check-step"),
    ],
)
def test_a_step_that_breaks_the_exception_is_rejected(
    check_resource, outcome, break_it: Callable[[dict[str, Any]], None], fragment: str
) -> None:
    definition = _definition()
    break_it(definition)
    violations = check_resource(RULE, PIPELINE, _pipeline(definition))
    outcome(violations, RULE, fragment)
    assert any("EnableNetworkIsolation" in v.message for v in violations)


def test_the_platforms_tracked_definition_passes_and_without_its_own_role_fails(
    check_resource, outcome
) -> None:
    settings = make_settings(enable_network_isolation=True, experiment_tracking=tracking_settings())
    # Composed once per version of the code and the fixtures (composing imports the SageMaker SDK).
    definition = computed_once("tracked-definition", lambda: json.loads(build_definition(settings)))
    outcome(check_resource(RULE, PIPELINE, _pipeline(definition)), RULE, None)

    for step in definition["Steps"]:
        if step["Name"] == "TrackExperiment":
            step["Arguments"]["RoleArn"] = settings.role_arn
    outcome(check_resource(RULE, PIPELINE, _pipeline(definition)), RULE, "runs as the role of another job")
