"""TrackExperiment in the definition: the one job that reaches the network, and what keeps it narrow
(its own role, the VPC, KMS, no input but its script); the model package's link to its MLflow run;
and a pipeline without a tracking server that has neither."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from components.training.definition import TrainingPipelineSettings, verify
from components.training.definition_cache import cache_key
from tests.pipelines.churn_fixtures import (
    BUCKET,
    KMS_KEY,
    LONG_HYPERPARAMETER,
    PIPELINE,
    ROLE,
    SECURITY_GROUPS,
    SUBNETS,
    TRACK_SCRIPT,
    TRACKING_ROLE,
    TRACKING_SERVER,
    make_settings,
    steps_by_name,
    tracking_settings,
)


@pytest.fixture(scope="module")
def steps(tracked_json: str) -> dict[str, dict[str, Any]]:
    return steps_by_name(json.loads(tracked_json))


def _arguments(step: dict[str, Any]) -> list[Any]:
    return step["Arguments"]["AppSpecification"]["ContainerArguments"]


def _options(step: dict[str, Any], option: str) -> list[Any]:
    arguments = _arguments(step)
    return [arguments[i + 1] for i, value in enumerate(arguments) if value == option]


def test_the_step_runs_the_platform_script_on_the_sagemaker_distribution_image(steps) -> None:
    arguments = steps["TrackExperiment"]["Arguments"]
    app = arguments["AppSpecification"]
    assert (
        app["ImageUri"]
        == "819792524951.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-distribution-prod:3.2.0-cpu"
    )
    assert app["ContainerEntrypoint"] == ["python3", "/opt/ml/processing/input/code/track_experiment.py"]
    # The tracking URI is the server's ARN: what the sagemaker-mlflow plugin resolves and signs for.
    assert arguments["Environment"] == {"MLFLOW_TRACKING_URI": TRACKING_SERVER}
    assert arguments["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.t3.medium"
    assert arguments["StoppingCondition"] == {"MaxRuntimeInSeconds": 900}


def test_the_step_is_not_isolated_but_in_the_vpc_encrypted_with_its_own_role_and_only_its_script(
    steps,
) -> None:
    arguments = steps["TrackExperiment"]["Arguments"]
    assert arguments["NetworkConfig"] == {
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": {"SecurityGroupIds": list(SECURITY_GROUPS), "Subnets": list(SUBNETS)},
    }
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KMS_KEY
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == KMS_KEY
    assert arguments["RoleArn"] == TRACKING_ROLE != ROLE
    assert [(i["InputName"], i["S3Input"]["S3Uri"]) for i in arguments["ProcessingInputs"]] == [
        ("code", TRACK_SCRIPT)
    ]
    # Every other job keeps the data role and its isolation.
    others = [
        s
        for name, s in steps.items()
        if s["Type"] in ("Processing", "Training") and name != "TrackExperiment"
    ]
    assert others and all(s["Arguments"]["RoleArn"] == ROLE for s in others)


def test_the_run_is_the_execution_with_the_reports_metrics_the_hyperparameters_and_the_model(steps) -> None:
    step = steps["TrackExperiment"]
    assert _options(step, "--experiment") == ["customer-churn"]
    assert _options(step, "--run-name") == [{"Get": "Execution.PipelineExecutionId"}]
    assert "label=churned" in _options(step, "--param")
    assert "max_iter=200" in _options(step, "--param")
    metrics = {m["Std:Join"]["Values"][0]: m["Std:Join"]["Values"][1] for m in _options(step, "--metric")}
    assert metrics == {
        name: {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
                "Path": f"metrics.{name}.value",
            }
        }
        for name in ("auc", "accuracy", "f1")
    }
    tags = {
        (t if isinstance(t, str) else t["Std:Join"]["Values"][0]).split("=")[0]: t
        for t in _options(step, "--tag")
    }
    assert tags["model.artifact_uri"]["Std:Join"]["Values"][1] == {
        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"
    }
    assert tags["sagemaker.training_job"]["Std:Join"]["Values"][1] == {"Get": "Steps.Train.TrainingJobName"}
    assert tags["sagemaker.pipeline"] == f"sagemaker.pipeline={PIPELINE}"
    assert all(isinstance(a, dict) or len(a) <= 256 for a in _arguments(step))
    # A value too long for one argument is cut visibly; the training job gets it whole.
    [columns] = [p for p in _options(step, "--param") if p.startswith("columns=")]
    assert len(columns) == 256 and columns.endswith("...")
    assert f"columns={LONG_HYPERPARAMETER}".startswith(columns.removesuffix("..."))
    assert steps["Train"]["Arguments"]["HyperParameters"]["columns"] == LONG_HYPERPARAMETER


def test_the_run_id_property_file_is_written_under_the_execution_and_read_by_registration(steps) -> None:
    step = steps["TrackExperiment"]
    assert step["PropertyFiles"] == [
        {"PropertyFileName": "ExperimentRun", "OutputName": "tracking", "FilePath": "run.json"}
    ]
    (output,) = step["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/tracking"
    assert output["S3Output"]["S3Uri"]["Std:Join"]["Values"] == [
        "s3:/", BUCKET, "pipelines", PIPELINE, {"Get": "Execution.PipelineExecutionId"}, "TrackExperiment", "tracking"
    ]  # fmt: skip
    register = steps["RegisterModel"]
    properties = register["Arguments"]["CustomerMetadataProperties"]
    # Beside the version's lineage (tests/pipelines/test_lineage.py).
    assert {key: properties[key] for key in ("mlflow_run_id", "mlflow_tracking_server_arn")} == {
        "mlflow_run_id": {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.TrackExperiment.PropertyFiles.ExperimentRun"},
                "Path": "run_id",
            }
        },
        "mlflow_tracking_server_arn": TRACKING_SERVER,
    }
    assert "TrackExperiment" in register["DependsOn"]


def test_without_a_tracking_server_there_is_no_step_and_no_link(prod_json: str) -> None:
    steps = steps_by_name(json.loads(prod_json))
    assert "TrackExperiment" not in steps
    assert not any(
        key.startswith("mlflow") for key in steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]
    )
    assert "MLFLOW" not in prod_json and "mlflow" not in prod_json
    assert all(
        s["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] is True
        for s in steps.values()
        if s["Type"] == "Processing"
    )


def test_the_definition_cache_keys_on_the_tracking_settings() -> None:
    base = make_settings(experiment_tracking=tracking_settings())
    keys = {
        cache_key(make_settings()),
        cache_key(base),
        cache_key(
            dataclasses.replace(base, experiment_tracking=tracking_settings(role_arn=TRACKING_ROLE + "-2"))
        ),
        cache_key(
            dataclasses.replace(
                base, experiment_tracking=tracking_settings(script_uri=TRACK_SCRIPT[:-3] + "2.py")
            )
        ),
        cache_key(
            dataclasses.replace(
                base, experiment_tracking=tracking_settings(tracking_server_arn=TRACKING_SERVER + "2")
            )
        ),
    }
    assert len(keys) == 5
    assert cache_key(base) == cache_key(make_settings(experiment_tracking=tracking_settings()))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role_arn": ROLE}, "must not be role_arn"),
        ({"role_arn": "tracking"}, "must be an IAM role ARN"),
        (
            {"tracking_server_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model/x"},
            "MLflow tracking server ARN",
        ),
        (
            {"tracking_server_arn": "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/x"},
            "not in the pipeline's region and account",
        ),
        ({"script_uri": "s3://bucket/track.sh"}, "script_uri"),
    ],
)
def test_invalid_tracking_settings_are_rejected(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_settings(experiment_tracking=tracking_settings(**overrides))


def test_tracking_settings_must_be_the_dataclass() -> None:
    with pytest.raises(ValueError, match="ExperimentTrackingSettings"):
        TrainingPipelineSettings(**{**_fields(make_settings()), "experiment_tracking": {"role_arn": "x"}})


def _fields(settings: TrainingPipelineSettings) -> dict[str, Any]:
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda a: a["ProcessingInputs"].append(copy.deepcopy(a["ProcessingInputs"][0]) | {"InputName": "data"}),
         "its inputs are .*expected its script only"),
        (lambda a: a.__setitem__("RoleArn", ROLE), "its role is"),
        (lambda a: a["NetworkConfig"].__setitem__("EnableNetworkIsolation", True), "EnableNetworkIsolation is True"),
        (lambda a: a["NetworkConfig"].pop("VpcConfig"), "VpcConfig is None"),
    ],
)  # fmt: skip
def test_verification_refuses_a_tracking_step_that_lost_its_shape(
    tracked_settings: TrainingPipelineSettings, tracked_json: str, tamper, problem: str
) -> None:
    verify(json.loads(tracked_json), tracked_settings, processing_volume_kms=True, training_volume_kms=False,
           baseline_volume_kms=True)  # fmt: skip
    tampered = json.loads(tracked_json)
    tamper(steps_by_name(tampered)["TrackExperiment"]["Arguments"])
    with pytest.raises(RuntimeError, match=f"TrackExperiment: {problem}"):
        verify(tampered, tracked_settings, processing_volume_kms=True, training_volume_kms=False,
               baseline_volume_kms=True)  # fmt: skip
