"""The platform's ExtractFeatures step under the pack: like TrackExperiment it is not
network-isolated (it calls Athena), and pipeline-steps-network-isolated admits it only in the shape
the builder emits: a processing step in the VPC, inter-container encryption on, no input but its
script, its own role (neither the data steps' nor the tracking step's). Each near miss a careless
edit (or a malicious one) would produce is rejected; pipeline-steps-kms-encrypted still holds it
to the platform key."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.training.definition import build_definition
from tests.pipelines import test_feature_input
from tests.pipelines.churn_fixtures import make_settings, tracking_settings
from tests.pipelines.test_feature_input import feature_settings
from tests.recorded import computed_once

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
ISOLATED = "pipeline-steps-network-isolated"
ENCRYPTED = "pipeline-steps-kms-encrypted"


def _settings() -> Any:
    return make_settings(
        enable_network_isolation=True,
        experiment_tracking=tracking_settings(),
        feature_input=feature_settings(),
    )


@pytest.fixture(scope="module")
def platform_definition() -> tuple[Any, dict[str, Any]]:
    """The settings and the builder's definition of them, composed once per version of the code,
    the fixtures and tests/pipelines/test_feature_input.py (tests.recorded.computed_once):
    composing it imports the SageMaker SDK."""
    definition = computed_once(
        "definition",
        lambda: json.loads(build_definition(_settings())),
        key=[Path(test_feature_input.__file__).read_bytes()],
    )
    return _settings(), definition


def _pipeline(definition: dict[str, Any]) -> dict[str, Any]:
    return {"pipelineName": "churn", "roleArn": "arn:aws:iam::123456789012:role/pipeline",
            "pipelineDefinition": json.dumps(definition)}  # fmt: skip


def _extract(definition: dict[str, Any]) -> dict[str, Any]:
    return next(step for step in definition["Steps"] if step["Name"] == "ExtractFeatures")["Arguments"]


def _input(name: str, uri: Any) -> dict[str, Any]:
    return {"InputName": name, "S3Input": {"S3Uri": uri, "LocalPath": f"/opt/ml/processing/{name}",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}  # fmt: skip


def test_the_platforms_definition_with_extract_and_tracking_passes(
    check_resource, outcome, platform_definition
) -> None:
    _, definition = platform_definition
    pipeline = _pipeline(definition)
    outcome(check_resource(ISOLATED, PIPELINE, pipeline), ISOLATED, None)
    outcome(check_resource(ENCRYPTED, PIPELINE, pipeline), ENCRYPTED, None)


def _data_role(settings: Any, d: dict[str, Any]) -> None:
    _extract(d)["RoleArn"] = settings.role_arn


def _tracking_role(settings: Any, d: dict[str, Any]) -> None:
    _extract(d)["RoleArn"] = settings.experiment_tracking.role_arn


def _training_data_input(_: Any, d: dict[str, Any]) -> None:
    _extract(d)["ProcessingInputs"].append(_input("raw", {"Get": "Parameters.InputDataUri"}))


def _athena_dataset_input(_: Any, d: dict[str, Any]) -> None:
    _extract(d)["ProcessingInputs"].append(
        {
            "InputName": "features",
            "DatasetDefinition": {"AthenaDatasetDefinition": {"QueryString": "select *"}},
        }
    )


def _offline_store_as_code(_: Any, d: dict[str, Any]) -> None:
    _extract(d)["ProcessingInputs"] = [
        _input("code", "s3://datasets/feature-store/churn/data/part-0.parquet")
    ]


def _outside_the_vpc(_: Any, d: dict[str, Any]) -> None:
    del _extract(d)["NetworkConfig"]["VpcConfig"]


def _traffic_unencrypted(_: Any, d: dict[str, Any]) -> None:
    _extract(d)["NetworkConfig"]["EnableInterContainerTrafficEncryption"] = False


def _role_from_a_parameter(_: Any, d: dict[str, Any]) -> None:
    d["Parameters"].append({"Name": "ExtractRole", "Type": "String", "DefaultValue": "arn:aws:iam::1:role/x"})
    _extract(d)["RoleArn"] = {"Get": "Parameters.ExtractRole"}


@pytest.mark.parametrize(
    ("break_it", "fragment"),
    [
        pytest.param(_data_role, "runs as the role of another job", id="the-data-steps-role"),
        pytest.param(_tracking_role, "runs as the role of another job", id="the-tracking-steps-role"),
        pytest.param(_training_data_input, "inputs other than its .py script", id="the-training-data"),
        pytest.param(_athena_dataset_input, "inputs other than its .py script", id="an-athena-dataset-input"),
        pytest.param(
            _offline_store_as_code, "inputs other than its .py script", id="offline-store-object-as-code"
        ),
        pytest.param(_outside_the_vpc, "VpcConfig.Subnets is not a literal", id="outside-the-vpc"),
        pytest.param(_traffic_unencrypted, "encryption is not on", id="inter-container-unencrypted"),
        pytest.param(_role_from_a_parameter, "RoleArn is not a literal role", id="role-from-a-parameter"),
    ],
)
def test_an_extract_step_that_breaks_the_exception_is_rejected(
    check_resource, outcome, platform_definition, break_it: Callable[..., None], fragment: str
) -> None:
    settings, definition = platform_definition
    definition = copy.deepcopy(definition)
    break_it(settings, definition)

    violations = check_resource(ISOLATED, PIPELINE, _pipeline(definition))
    outcome(violations, ISOLATED, fragment)
    assert any("ExtractFeatures" in v.message for v in violations)


def test_an_extract_step_whose_output_is_not_kms_encrypted_is_rejected(
    check_resource, outcome, platform_definition
) -> None:
    _, definition = platform_definition
    definition = copy.deepcopy(definition)
    del _extract(definition)["ProcessingOutputConfig"]["KmsKeyId"]

    violations = check_resource(ENCRYPTED, PIPELINE, _pipeline(definition))
    outcome(violations, ENCRYPTED, "KmsKeyId")
    assert any("ExtractFeatures" in v.message for v in violations)
