"""A pipeline whose training set comes from a feature group's offline store: the ExtractFeatures
step, what reads its output, the snapshot-time parameter and the version's feature lineage."""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import pytest

from components.training.definition import (
    FeatureInputSettings,
    verify,
)
from components.training.steps import extract_features
from tests.api_models import pipeline_step_errors
from tests.aws_sessions import mocked_aws
from tests.pipelines.churn_fixtures import (
    ACCOUNT,
    BUCKET,
    KMS_KEY,
    PIPELINE,
    REGION,
    ROLE,
    SECURITY_GROUPS,
    SUBNETS,
    lineage_settings,
    make_settings,
    steps_by_name,
    tracking_settings,
)
from tests.pipelines.definitions import built_definition

EXTRACT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-platform/dev/dev-feature-extraction-role"
EXTRACT_SCRIPT = f"s3://{BUCKET}/pipelines/{PIPELINE}/code/3c2b1a09/extract_features.py"
GROUP = "dev-customer-churn-labelled"
WORKGROUP = "mlops-platform-dev-feature-queries"
EXTRACTED = {"Get": "Steps.ExtractFeatures.ProcessingOutputConfig.Outputs['features'].S3Output.S3Uri"}


def feature_settings(**overrides: Any) -> FeatureInputSettings:
    values: dict[str, Any] = {
        "feature_group_name": GROUP,
        "workgroup": WORKGROUP,
        "role_arn": EXTRACT_ROLE,
        "script_uri": EXTRACT_SCRIPT,
    }
    values.update(overrides)
    return FeatureInputSettings(**values)


@pytest.fixture(scope="module")
def built() -> tuple[Any, dict[str, Any]]:
    settings = make_settings(
        lineage=lineage_settings(),
        experiment_tracking=tracking_settings(),
        feature_input=feature_settings(columns=("customer_id", "event_time", "tenure_months", "churned")),
        enable_network_isolation=True,
    )
    return settings, json.loads(built_definition(settings))


def test_extract_features_runs_first_and_preprocess_and_the_manifest_read_its_output(built) -> None:
    _, definition = built
    steps = steps_by_name(definition)

    assert definition["Steps"][0]["Name"] == "ExtractFeatures"
    for name in ("Preprocess", "DatasetManifest"):
        inputs = {i["InputName"]: i["S3Input"] for i in steps[name]["Arguments"]["ProcessingInputs"]}
        assert inputs["raw"]["S3Uri"] == EXTRACTED, name
    # The training set and the property file are separate outputs: snapshot.json is no training data.
    outputs = {
        o["OutputName"]: o["S3Output"]
        for o in steps["ExtractFeatures"]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    }
    assert {name: output["S3Uri"]["Std:Join"]["Values"][-3:] for name, output in outputs.items()} == {
        "features": [{"Get": "Execution.PipelineExecutionId"}, "ExtractFeatures", "features"],
        "snapshot": [{"Get": "Execution.PipelineExecutionId"}, "ExtractFeatures", "snapshot"],
    }
    assert steps["ExtractFeatures"]["PropertyFiles"] == [
        {"PropertyFileName": "FeatureSnapshot", "OutputName": "snapshot", "FilePath": "snapshot.json"}
    ]


def test_the_snapshot_time_is_a_parameter_defaulting_to_the_executions_start(built) -> None:
    _, definition = built
    parameters = {p["Name"]: p for p in definition["Parameters"]}
    arguments = steps_by_name(definition)["ExtractFeatures"]["Arguments"]["AppSpecification"][
        "ContainerArguments"
    ]
    parsed = extract_features.parse_args([_literal(argument) for argument in arguments])

    assert parameters["FeatureSnapshotTime"] == {
        "Name": "FeatureSnapshotTime",
        "Type": "String",
        "DefaultValue": "execution-start",
    }
    assert arguments[arguments.index("--as-of") + 1] == {"Get": "Parameters.FeatureSnapshotTime"}
    assert arguments[arguments.index("--execution-start") + 1] == {"Get": "Execution.StartDateTime"}
    assert (parsed.feature_group, parsed.workgroup, parsed.region) == (GROUP, WORKGROUP, REGION)
    assert parsed.columns == ["customer_id", "event_time", "tenure_months", "churned"]
    outputs = {
        o["OutputName"]: o["S3Output"]["LocalPath"]
        for o in steps_by_name(definition)["ExtractFeatures"]["Arguments"]["ProcessingOutputConfig"][
            "Outputs"
        ]
    }
    assert (str(parsed.output_dir), str(parsed.snapshot_dir)) == (outputs["features"], outputs["snapshot"])


def _literal(argument: Any) -> str:
    """A container argument as the job receives it (expressions replaced by sample values)."""
    samples = {
        json.dumps({"Get": "Parameters.FeatureSnapshotTime"}): "execution-start",
        json.dumps({"Get": "Execution.StartDateTime"}): "2026-12-02T06:00:00Z",
    }
    return argument if isinstance(argument, str) else samples[json.dumps(argument)]


def test_extract_features_reaches_the_network_only_as_its_own_role_with_only_its_script(built) -> None:
    settings, definition = built
    arguments = steps_by_name(definition)["ExtractFeatures"]["Arguments"]

    assert arguments["RoleArn"] == EXTRACT_ROLE != settings.role_arn
    assert arguments["NetworkConfig"] == {
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": {"SecurityGroupIds": list(SECURITY_GROUPS), "Subnets": list(SUBNETS)},
    }
    assert [(i["InputName"], i["S3Input"]["S3Uri"]) for i in arguments["ProcessingInputs"]] == [
        ("code", EXTRACT_SCRIPT)
    ]
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == KMS_KEY
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KMS_KEY
    # Every other job stays isolated.
    isolated = {
        name: step["Arguments"].get("NetworkConfig", step["Arguments"]).get("EnableNetworkIsolation")
        for name, step in steps_by_name(definition).items()
        if step["Type"] in ("Processing", "Training") and name not in ("ExtractFeatures", "TrackExperiment")
    }
    assert set(isolated.values()) == {True}, isolated


def test_the_version_records_the_feature_group_and_the_resolved_snapshot_time(built) -> None:
    _, definition = built
    properties = steps_by_name(definition)["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]

    assert properties["feature_group_name"] == GROUP
    assert properties["feature_group_snapshot_time"] == {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.ExtractFeatures.PropertyFiles.FeatureSnapshot"},
            "Path": "as_of",
        }
    }
    assert properties["training_data_uri"] == {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.DatasetManifest.PropertyFiles.DatasetManifestSummary"},
            "Path": "input_uri",
        }
    }


def test_without_feature_input_there_is_no_extract_step_parameter_or_feature_lineage() -> None:
    definition = json.loads(built_definition(make_settings(lineage=lineage_settings())))
    steps = steps_by_name(definition)

    assert "ExtractFeatures" not in steps
    assert "FeatureSnapshotTime" not in {p["Name"] for p in definition["Parameters"]}
    preprocess = {i["InputName"]: i["S3Input"] for i in steps["Preprocess"]["Arguments"]["ProcessingInputs"]}
    assert preprocess["raw"]["S3Uri"] == {"Get": "Parameters.InputDataUri"}
    properties = steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]
    assert not {"feature_group_name", "feature_group_snapshot_time"} & set(properties)


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda a: a["NetworkConfig"].update(EnableInterContainerTrafficEncryption=False), "inter-container"),
        (lambda a: a.update(RoleArn=ROLE), "its role is"),
        (
            lambda a: a["ProcessingInputs"].append(
                {
                    "InputName": "raw",
                    "S3Input": {"S3Uri": "s3://data/x/", "LocalPath": "/opt/ml/processing/raw"},
                }
            ),
            "expected its script only",
        ),
        (lambda a: a["ProcessingOutputConfig"].pop("KmsKeyId"), "output KMS key"),
    ],
    ids=["traffic-unencrypted", "data-role", "data-input", "output-unencrypted"],
)
def test_a_definition_whose_extract_step_lost_its_posture_is_refused(built, mutation, message) -> None:
    settings, definition = built
    definition = copy.deepcopy(definition)
    mutation(steps_by_name(definition)["ExtractFeatures"]["Arguments"])

    with pytest.raises(RuntimeError, match=f"(?s)ExtractFeatures: .*{message}"):
        verify(
            definition,
            settings,
            processing_volume_kms=True,
            training_volume_kms=True,
            baseline_volume_kms=True,
        )


def test_a_definition_that_lost_the_feature_lineage_is_refused(built) -> None:
    settings, definition = built
    definition = copy.deepcopy(definition)
    del steps_by_name(definition)["RegisterModel"]["Arguments"]["CustomerMetadataProperties"][
        "feature_group_snapshot_time"
    ]

    with pytest.raises(RuntimeError, match="feature_group_snapshot_time"):
        verify(
            definition,
            settings,
            processing_volume_kms=True,
            training_volume_kms=True,
            baseline_volume_kms=True,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role_arn": ROLE}, "feature_input.role_arn must be neither"),
        ({"role_arn": tracking_settings().role_arn}, "feature_input.role_arn must be neither"),
        ({"columns": ("customer_id", "tenure_months")}, "must include the label column 'churned'"),
        ({"columns": (*(f"f{i}" for i in range(43)), "churned")}, "at most 43"),
        ({"columns": ("churned", "churned")}, "distinct feature names"),
        ({"workgroup": "no spaces allowed"}, "Athena workgroup name"),
        ({"feature_group_name": "g" * 65}, "feature group name"),
        ({"script_uri": "extract_features.py"}, "feature_input.script_uri"),
    ],
    ids=[
        "execution-role",
        "tracking-role",
        "no-label",
        "too-many-columns",
        "duplicate-column",
        "bad-workgroup",
        "long-group",
        "script-not-s3",
    ],
)
def test_feature_input_settings_that_the_pipeline_cannot_run_are_rejected(overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        make_settings(experiment_tracking=tracking_settings(), feature_input=feature_settings(**overrides))


def test_the_extract_job_request_validates_against_the_sagemaker_api_model(built) -> None:
    _, definition = built
    arguments = steps_by_name(definition)["ExtractFeatures"]["Arguments"]
    request = {**arguments, "ProcessingJobName": "pipelines-placeholder"}

    assert pipeline_step_errors("CreateProcessingJob", request) == []


def test_moto_accepts_the_definition_and_an_execution_with_a_snapshot_time(built, monkeypatch) -> None:
    settings, definition = built
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    overrides = [{"Name": "FeatureSnapshotTime", "Value": "2026-06-30T00:00:00Z"}]
    with mocked_aws(REGION):
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_pipeline(
            PipelineName=settings.pipeline_name,
            PipelineDefinition=json.dumps(definition),
            RoleArn=settings.role_arn,
        )
        execution = sagemaker.start_pipeline_execution(
            PipelineName=settings.pipeline_name, PipelineParameters=overrides
        )["PipelineExecutionArn"]
        recorded = sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=execution)

    assert recorded["PipelineParameters"] == overrides
