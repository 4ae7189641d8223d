"""The Evidently steps of the training pipeline: EvidentlyReport reads the run's training features and
the family's reference as a data step (data role, isolated, KMS, VPC) and writes under the run's
prefix; PublishDriftMetrics reaches CloudWatch with nothing but its script, two numbers from the
report's summary and a role of its own; the settings' checks; a pipeline without it has neither."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from components.training.definition import TrainingPipelineSettings, build_definition, verify
from components.training.evidently import NAMESPACE
from tests.pipelines.churn_fixtures import (
    ACCOUNT,
    BUCKET,
    KMS_KEY,
    PIPELINE,
    REGION,
    ROLE,
    SECURITY_GROUPS,
    SUBNETS,
    make_settings,
    steps_by_name,
)
from tests.pipelines.definitions import built_definition
from tests.pipelines.evidently_fixtures import (
    EVIDENTLY_IMAGE,
    PUBLISH_SCRIPT,
    PUBLISHER_ROLE,
    REFERENCE,
    REPORT_SCRIPT,
    evidently_settings,
)

VPC = {"SecurityGroupIds": list(SECURITY_GROUPS), "Subnets": list(SUBNETS)}


@pytest.fixture(scope="module")
def settings() -> TrainingPipelineSettings:
    return make_settings(enable_network_isolation=True, evidently=evidently_settings(drift_share=0.3))


@pytest.fixture(scope="module")
def definition(settings: TrainingPipelineSettings) -> dict[str, Any]:
    return json.loads(built_definition(settings))


@pytest.fixture(scope="module")
def steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return steps_by_name(definition)


def _inputs(step: dict[str, Any]) -> dict[str, Any]:
    return {i["InputName"]: i["S3Input"] for i in step["Arguments"]["ProcessingInputs"]}


def test_report_compares_the_runs_training_features_with_the_reference(steps) -> None:
    inputs = _inputs(steps["EvidentlyReport"])
    assert set(inputs) == {"code", "reference", "current"}
    assert inputs["code"]["S3Uri"] == REPORT_SCRIPT
    assert inputs["reference"]["S3Uri"] == REFERENCE
    assert inputs["reference"]["LocalPath"] == "/opt/ml/processing/reference"
    # The train split's request columns, as Preprocess writes them for the data-quality baseline.
    assert inputs["current"]["S3Uri"] == {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri"
    }
    assert inputs["current"]["LocalPath"] == "/opt/ml/processing/current"
    arguments = steps["EvidentlyReport"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert arguments == ["--reports", "data_drift,data_quality", "--drift-share", "0.3"]


def test_report_is_a_data_step_isolated_encrypted_in_the_vpc_writing_under_the_run(steps) -> None:
    arguments = steps["EvidentlyReport"]["Arguments"]
    assert arguments["RoleArn"] == ROLE
    assert arguments["AppSpecification"]["ImageUri"] == EVIDENTLY_IMAGE
    assert arguments["NetworkConfig"] == {
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": VPC,
    }
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KMS_KEY
    [output] = arguments["ProcessingOutputConfig"]["Outputs"]
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == KMS_KEY
    assert output["S3Output"]["S3Uri"] == {
        "Std:Join": {
            "On": "/",
            "Values": ["s3:/", BUCKET, "pipelines", PIPELINE, {"Get": "Execution.PipelineExecutionId"},
                       "EvidentlyReport", "report"],
        }
    }  # fmt: skip
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/report"
    assert steps["EvidentlyReport"]["PropertyFiles"] == [
        {"PropertyFileName": "EvidentlySummary", "OutputName": "report", "FilePath": "summary.json"}
    ]


def _summary_value(field: str) -> dict[str, Any]:
    return {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.EvidentlyReport.PropertyFiles.EvidentlySummary"},
            "Path": field,
        }
    }


def test_publisher_gets_two_numbers_from_the_summary_and_nothing_to_read(steps) -> None:
    arguments = steps["PublishDriftMetrics"]["Arguments"]
    assert _inputs(steps["PublishDriftMetrics"]) == {
        "code": {
            "S3Uri": PUBLISH_SCRIPT,
            "LocalPath": "/opt/ml/processing/input/code",
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
            "S3CompressionType": "None",
        }
    }
    assert "ProcessingOutputConfig" not in arguments
    assert arguments["AppSpecification"]["ContainerArguments"] == [
        "--region", REGION, "--namespace", NAMESPACE,
        "--dimension", "Family=customer-churn", "--dimension", "Pipeline=training",
        "--metric", {"Std:Join": {"On": "=", "Values": ["DriftedColumnsShare", _summary_value("drifted_columns_share")]}},
        "--metric", {"Std:Join": {"On": "=", "Values": ["DatasetDrift", _summary_value("dataset_drift")]}},
    ]  # fmt: skip


def test_publisher_reaches_the_network_with_its_own_role_only(steps) -> None:
    arguments = steps["PublishDriftMetrics"]["Arguments"]
    assert arguments["RoleArn"] == PUBLISHER_ROLE != ROLE
    assert arguments["NetworkConfig"] == {
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": VPC,
    }
    assert arguments["ProcessingResources"]["ClusterConfig"] == {
        "InstanceType": "ml.t3.medium",
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
        "VolumeKmsKeyId": KMS_KEY,
    }
    assert arguments["StoppingCondition"] == {"MaxRuntimeInSeconds": 600}


def test_the_steps_run_beside_the_training_and_never_gate_registration(definition) -> None:
    top = [step["Name"] for step in definition["Steps"]]
    assert top.index("EvidentlyReport") < top.index("PublishDriftMetrics")
    check = next(step for step in definition["Steps"] if step["Name"] == "CheckMetric")
    assert "EvidentlyReport" not in json.dumps(check)
    register = steps_by_name(definition)["RegisterModel"]
    assert "Evidently" not in json.dumps(register)


def test_without_evidently_there_is_neither_step() -> None:
    names = set(steps_by_name(json.loads(built_definition(make_settings()))))
    assert not names & {"EvidentlyReport", "PublishDriftMetrics"}


def test_the_report_follows_the_pipelines_isolation_setting_and_the_publisher_never_isolates() -> None:
    steps = steps_by_name(
        json.loads(
            build_definition(make_settings(enable_network_isolation=False, evidently=evidently_settings()))
        )
    )
    assert steps["EvidentlyReport"]["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] is False
    assert steps["PublishDriftMetrics"]["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] is False


def test_instance_store_types_get_no_volume_key() -> None:
    steps = steps_by_name(
        json.loads(
            build_definition(make_settings(evidently=evidently_settings(instance_type="ml.m5d.xlarge")))
        )
    )
    assert (
        "VolumeKmsKeyId" not in steps["EvidentlyReport"]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    )


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        pytest.param(
            lambda a: a["ProcessingInputs"].append(
                {"InputName": "reference", "S3Input": {"S3Uri": REFERENCE}}
            ),
            "expected its script only",
            id="publisher-given-the-reference",
        ),
        pytest.param(lambda a: a.update(RoleArn=ROLE), "its role is", id="publisher-as-the-data-role"),
        pytest.param(
            lambda a: a["NetworkConfig"].update(EnableNetworkIsolation=True),
            "EnableNetworkIsolation is True",
            id="publisher-isolated-cannot-reach-cloudwatch",
        ),
    ],
)
def test_verify_refuses_a_publisher_that_lost_its_shape(definition, settings, tamper, problem) -> None:
    tampered = json.loads(json.dumps(definition))
    tamper(steps_by_name(tampered)["PublishDriftMetrics"]["Arguments"])
    with pytest.raises(RuntimeError, match=problem):
        verify(
            tampered, settings, processing_volume_kms=True, training_volume_kms=True, baseline_volume_kms=True
        )


def test_verify_refuses_a_report_that_reaches_the_network(definition, settings) -> None:
    tampered = json.loads(json.dumps(definition))
    steps_by_name(tampered)["EvidentlyReport"]["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] = False
    with pytest.raises(RuntimeError, match="EvidentlyReport: EnableNetworkIsolation is False"):
        verify(
            tampered, settings, processing_volume_kms=True, training_volume_kms=True, baseline_volume_kms=True
        )


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        pytest.param(
            {"image_uri": f"999999999999.dkr.ecr.{REGION}.amazonaws.com/evidently:1"},
            "not in the pipeline's account and region",
            id="image-of-another-account",
        ),
        pytest.param(
            {"image_uri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/evidently"},
            "must be an ECR image with a tag",
            id="image-without-a-tag",
        ),
        pytest.param(
            {"image_uri": "evidently/evidently:latest"}, "must be an ECR image", id="docker-hub-image"
        ),
        pytest.param(
            {"reference_uri": REFERENCE.rstrip("/")}, "prefix ending in '/'", id="reference-not-a-prefix"
        ),
        pytest.param(
            {"publisher_role_arn": ROLE}, "must not be the data steps' role", id="publisher-is-data-role"
        ),
        pytest.param({"reports": ("data_drift", "model_quality")}, "distinct names", id="unknown-report"),
        pytest.param({"reports": ()}, "distinct names", id="no-report"),
        pytest.param({"drift_share": 0}, r"drift_share 0 must be in \(0, 1\]", id="drift-share-zero"),
        pytest.param({"drift_share": 1.5}, r"must be in \(0, 1\]", id="drift-share-above-one"),
        pytest.param(
            {"publish_script_uri": "s3://b/x.sh"}, "URIs of .py objects", id="publisher-script-not-py"
        ),
    ],
)
def test_invalid_evidently_settings_are_refused(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        make_settings(evidently=evidently_settings(**overrides))


def test_reports_given_as_a_list_are_normalised() -> None:
    assert evidently_settings(reports=["data_quality"]).reports == ("data_quality",)
    assert dataclasses.replace(evidently_settings(), drift_share=0.4).drift_share == 0.4
