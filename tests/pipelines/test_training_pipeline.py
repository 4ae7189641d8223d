"""The pipeline definition: structure, wiring, security posture, spot and GPU, settings validation."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import PurePosixPath
from typing import Any

import pytest

from components.training.definition import (
    TrainingPipelineSettings,
    build_definition,
    verify,
)
from tests.family_steps import churn_steps
from tests.pipelines.churn_fixtures import (
    BUCKET,
    KMS_KEY,
    PIPELINE,
    SCRIPT_URIS,
    job_steps,
    referenced_steps,
    rendered,
    steps_by_name,
)

EXECUTION_PREFIX = ["s3:/", BUCKET, "pipelines", PIPELINE, {"Get": "Execution.PipelineExecutionId"}]


def _execution_prefix(settings: TrainingPipelineSettings) -> list[Any]:
    return ["s3:/", BUCKET, "pipelines", settings.pipeline_name, {"Get": "Execution.PipelineExecutionId"}]


ALL_EBS = {"processing_volume_kms": True, "training_volume_kms": True, "baseline_volume_kms": True}


def _parameters(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {parameter["Name"]: parameter for parameter in definition["Parameters"]}


def _output(step: dict[str, Any], name: str) -> dict[str, Any]:
    outputs = step["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    return next(output["S3Output"] for output in outputs if output["OutputName"] == name)


def _input(step: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i["S3Input"] for i in step["Arguments"]["ProcessingInputs"] if i["InputName"] == name)


def _channel(step: dict[str, Any], name: str) -> Any:
    channels = step["Arguments"]["InputDataConfig"]
    return next(c for c in channels if c["ChannelName"] == name)["DataSource"]["S3DataSource"]["S3Uri"]


# --- shape and wiring ------------------------------------------------------------------------


def test_the_definition_is_pipeline_json(dev_json: str) -> None:
    definition = json.loads(dev_json)

    assert definition["Version"] == "2020-12-01"
    assert isinstance(definition["Parameters"], list) and isinstance(definition["Steps"], list)
    assert None not in definition.values(), "null top-level keys are dropped"


def test_steps_are_named_and_ordered_by_their_data(built) -> None:
    settings, definition = built
    steps = steps_by_name(definition)
    # With a tracking server, TrackExperiment logs every execution (before the metric decides) and
    # RegisterModel reads its run id; without one, neither exists.
    track = ["TrackExperiment"] if settings.experiment_tracking else []

    assert [step["Name"] for step in definition["Steps"]] == [
        "Preprocess",
        "DatasetManifest",  # the training data's fingerprint, beside Preprocess (test_lineage)
        "Train",
        "Evaluate",
        *track,
        "CheckMetric",
    ]
    assert {name: step["Type"] for name, step in steps.items()} == {
        "Preprocess": "Processing",
        "DatasetManifest": "Processing",
        "Train": "Training",
        "Evaluate": "Processing",
        **dict.fromkeys(track, "Processing"),
        "CheckMetric": "Condition",
        "DataQualityBaseline": "Processing",
        "ModelQualityBaseline": "Processing",
        "RegisterModel": "RegisterModel",
        "MetricBelowThreshold": "Fail",
    }
    assert {name: referenced_steps(step) for name, step in steps.items()} == {
        "Preprocess": set(),
        "DatasetManifest": set(),
        "Train": {"Preprocess"},
        "Evaluate": {"Preprocess", "Train"},
        **{key: {"Train", "Evaluate"} for key in track},
        "CheckMetric": {"Evaluate"},
        "DataQualityBaseline": {"Evaluate"},
        "ModelQualityBaseline": {"Evaluate"},
        "RegisterModel": {
            "Train",
            "Evaluate",
            "DataQualityBaseline",
            "ModelQualityBaseline",
            "DatasetManifest",
            *track,
        },
        "MetricBelowThreshold": {"Evaluate"},
    }
    check = steps["CheckMetric"]["Arguments"]
    assert [s["Name"] for s in check["IfSteps"]] == [
        "DataQualityBaseline",
        "ModelQualityBaseline",
        "RegisterModel",
    ]
    assert [s["Name"] for s in check["ElseSteps"]] == ["MetricBelowThreshold"]


def test_train_reads_the_preprocess_splits_and_evaluate_reads_the_model_and_test_split(built) -> None:
    _, definition = built
    steps = steps_by_name(definition)
    split = "Steps.Preprocess.ProcessingOutputConfig.Outputs['{}'].S3Output.S3Uri"

    assert _channel(steps["Train"], "train") == {"Get": split.format("train")}
    assert _channel(steps["Train"], "validation") == {"Get": split.format("validation")}
    assert _input(steps["Evaluate"], "model")["S3Uri"] == {
        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"
    }
    assert _input(steps["Evaluate"], "test")["S3Uri"] == {"Get": split.format("test")}
    assert _input(steps["Preprocess"], "raw")["S3Uri"] == {"Get": "Parameters.InputDataUri"}


def test_parameters_default_to_the_settings(built) -> None:
    """dev: Approved / 0.75; prod: PendingManualApproval / 0.8 (see conftest)."""
    settings, definition = built
    parameters = _parameters(definition)

    assert {name: p.get("DefaultValue") for name, p in parameters.items()} == {
        "InputDataUri": settings.input_data_uri,
        "ProcessingInstanceType": settings.processing_instance_type,
        "TrainingInstanceType": settings.training_instance_type,
        "ModelApprovalStatus": settings.approval_status,
        "MetricThreshold": settings.metric_threshold,
    }
    assert parameters["MetricThreshold"]["Type"] == "Float"
    assert parameters["ModelApprovalStatus"]["EnumValues"] == ["Approved", "PendingManualApproval"]
    train_job = steps_by_name(definition)["Train"]["Arguments"]
    assert train_job["ResourceConfig"]["InstanceType"] == {"Get": "Parameters.TrainingInstanceType"}


def test_the_condition_compares_the_report_metric_with_the_threshold_parameter(built) -> None:
    settings, definition = built
    (condition,) = steps_by_name(definition)["CheckMetric"]["Arguments"]["Conditions"]

    # Registered only when the metric reaches the threshold from its side (the promotion direction).
    expected = {"maximize": "GreaterThanOrEqualTo", "minimize": "LessThanOrEqualTo"}[
        settings.metric_direction
    ]
    assert condition == {
        "Type": expected,
        "LeftValue": {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
                "Path": settings.metric_path,
            }
        },
        "RightValue": {"Get": "Parameters.MetricThreshold"},
    }
    assert steps_by_name(definition)["Evaluate"]["PropertyFiles"] == [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]


def test_register_model_files_the_package_with_its_evaluation_report(built) -> None:
    settings, definition = built
    register = steps_by_name(definition)["RegisterModel"]["Arguments"]
    report = {
        "Std:Join": {
            "On": "/",
            "Values": [
                {"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"},
                "evaluation.json",
            ],
        }
    }

    assert register["ModelPackageGroupName"] == settings.model_package_group_name
    assert register["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    assert register["ModelMetrics"] == {
        "ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": report}}
    }
    (container,) = register["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "train.py"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    repository = {"sklearn": "sagemaker-scikit-learn", "xgboost": "sagemaker-xgboost"}[settings.framework]
    assert container["Image"].split("/")[-1].startswith(f"{repository}:{settings.framework_version}")


def test_the_fail_step_names_the_metric_and_the_threshold(built) -> None:
    settings, definition = built
    message = steps_by_name(definition)["MetricBelowThreshold"]["Arguments"]["ErrorMessage"]["Std:Join"]

    assert message["Values"][:3] == [
        f"{settings.metric_path} in the evaluation report does not reach MetricThreshold ("
        + {"maximize": "at least ", "minimize": "at most "}[settings.metric_direction],
        {"Get": "Parameters.MetricThreshold"},
        "), so the model was not registered. Report: ",
    ]


# --- security posture ------------------------------------------------------------------------


def test_every_job_is_kms_encrypted_and_runs_in_the_private_subnets(built) -> None:
    settings, definition = built
    vpc = {"Subnets": list(settings.subnet_ids), "SecurityGroupIds": list(settings.security_group_ids)}
    nvme_training = settings.training_instance_type == "ml.g5.xlarge"  # see the next test

    for step in job_steps(definition):
        arguments, name = step["Arguments"], step["Name"]
        if step["Type"] == "Processing":
            volume = arguments["ProcessingResources"]["ClusterConfig"].get("VolumeKmsKeyId")
            output = arguments["ProcessingOutputConfig"]["KmsKeyId"]
            network = arguments["NetworkConfig"]
        else:
            volume = arguments["ResourceConfig"].get("VolumeKmsKeyId")
            output = arguments["OutputDataConfig"]["KmsKeyId"]
            network = arguments
        assert volume == (None if step["Type"] == "Training" and nvme_training else KMS_KEY), name
        assert output == KMS_KEY, name
        assert network["VpcConfig"] == vpc, name
        assert network["EnableInterContainerTrafficEncryption"] is True, name
        # TrackExperiment alone reaches the network (see test_track_experiment).
        isolated = settings.enable_network_isolation and name != "TrackExperiment"
        assert network["EnableNetworkIsolation"] is isolated, name
    assert [step["Name"] for step in job_steps(definition)] == [
        "Preprocess",
        "DatasetManifest",
        "Train",
        "Evaluate",
        *(["TrackExperiment"] if settings.experiment_tracking else []),
        "DataQualityBaseline",
        "ModelQualityBaseline",
    ]


def test_nvme_gpu_instances_rely_on_hardware_volume_encryption_and_ebs_ones_on_the_key(
    prod_settings: TrainingPipelineSettings, prod_json: str
) -> None:
    """SageMaker rejects VolumeKmsKeyId on instance types with NVMe instance storage (ml.g5...)."""
    ebs_gpu = json.loads(
        build_definition(dataclasses.replace(prod_settings, training_instance_type="ml.p3.2xlarge"))
    )
    nvme_gpu = json.loads(prod_json)

    nvme_train = steps_by_name(nvme_gpu)["Train"]["Arguments"]
    assert "VolumeKmsKeyId" not in nvme_train["ResourceConfig"]
    assert nvme_train["OutputDataConfig"]["KmsKeyId"] == KMS_KEY
    assert _parameters(nvme_gpu)["TrainingInstanceType"]["DefaultValue"] == "ml.g5.xlarge"
    assert steps_by_name(ebs_gpu)["Train"]["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"] == KMS_KEY


def test_every_output_stays_under_the_artifact_bucket(built) -> None:
    settings, definition = built
    steps = steps_by_name(definition)

    for step, name in [
        ("Preprocess", "train"),
        ("Preprocess", "validation"),
        ("Preprocess", "test"),
        ("Preprocess", "baseline"),
        ("Evaluate", "evaluation"),
        ("Evaluate", "predictions"),
    ]:
        assert _output(steps[step], name)["S3Uri"]["Std:Join"]["Values"] == [
            *_execution_prefix(settings),
            step,
            name,
        ]
    for step in ("DataQualityBaseline", "ModelQualityBaseline"):
        assert rendered(_output(steps[step], "baseline")["S3Uri"]).startswith(f"s3://{BUCKET}/baselines/"), (
            step
        )
    train_job = steps["Train"]["Arguments"]
    assert train_job["OutputDataConfig"]["S3OutputPath"] == f"s3://{BUCKET}/models/{settings.pipeline_name}"


def test_verification_refuses_a_job_that_lost_a_setting(dev_settings, dev_json: str) -> None:
    tampered = copy.deepcopy(json.loads(dev_json))
    train_job = steps_by_name(tampered)["Train"]["Arguments"]
    del train_job["ResourceConfig"]["VolumeKmsKeyId"]
    train_job["EnableInterContainerTrafficEncryption"] = False

    with pytest.raises(RuntimeError, match="insecure job definition") as raised:
        verify(tampered, dev_settings, **ALL_EBS)

    assert "Train: volume KMS key is None" in str(raised.value)
    assert "Train: inter-container traffic encryption is off" in str(raised.value)
    verify(json.loads(dev_json), dev_settings, **ALL_EBS)


# --- spot, scripts, determinism --------------------------------------------------------------


def test_spot_training_waits_and_checkpoints_under_the_bucket(prod_json: str, dev_json: str) -> None:
    _, train, _ = churn_steps()  # in the test, not at collection: the scripts import pandas, sklearn
    spot = steps_by_name(json.loads(prod_json))["Train"]["Arguments"]
    on_demand = steps_by_name(json.loads(dev_json))["Train"]["Arguments"]

    assert spot["EnableManagedSpotTraining"] is True
    assert spot["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert spot["CheckpointConfig"] == {
        "S3Uri": {"Std:Join": {"On": "/", "Values": [*EXECUTION_PREFIX, "checkpoints"]}},
        "LocalPath": str(train.DEFAULT_CHECKPOINT_DIR),
    }
    assert on_demand["EnableManagedSpotTraining"] is False
    assert on_demand["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert "CheckpointConfig" not in on_demand


def test_scripts_are_referenced_where_the_caller_put_them_never_uploaded(dev_json: str) -> None:
    steps = steps_by_name(json.loads(dev_json))

    for step, script in [("Preprocess", "preprocess"), ("Evaluate", "evaluate")]:
        assert _input(steps[step], "code")["S3Uri"] == SCRIPT_URIS[script]
        entrypoint = steps[step]["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
        assert entrypoint == ["python3", f"/opt/ml/processing/input/code/{script}.py"]
    train_job = steps["Train"]["Arguments"]
    assert _channel(steps["Train"], "code") == SCRIPT_URIS["train"]
    assert train_job["HyperParameters"]["sagemaker_program"] == "train.py"
    assert train_job["HyperParameters"]["sagemaker_submit_directory"] == "/opt/ml/input/data/code"
    assert train_job["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "validation:auc", "Regex": "validation_auc=([0-9.]+);"}
    ]


def test_container_paths_match_the_scripts_defaults(dev_json: str) -> None:
    """The scripts run with their defaults in the jobs: the definition must mount data there, and
    pass arguments the scripts accept (the family's label, identifiers and metrics)."""
    preprocess, train, evaluate = churn_steps()
    steps = steps_by_name(json.loads(dev_json))
    preprocess_args = preprocess.parse_args(_container_arguments(steps["Preprocess"]))
    evaluate_args = evaluate.parse_args(_container_arguments(steps["Evaluate"]))
    assert (preprocess_args.label, preprocess_args.identifiers) == ("churned", "customer_id,event_time")
    assert (evaluate_args.label, evaluate_args.metrics) == ("churned", "auc,accuracy,f1")

    assert _input(steps["Preprocess"], "raw")["LocalPath"] == str(preprocess_args.input_dir)
    for split in preprocess.SPLITS:
        local = PurePosixPath(_output(steps["Preprocess"], split)["LocalPath"])
        assert local == PurePosixPath(preprocess_args.output_dir) / split
    assert _input(steps["Evaluate"], "model")["LocalPath"] == str(evaluate_args.model)
    assert _input(steps["Evaluate"], "test")["LocalPath"] == str(evaluate_args.test)
    assert _output(steps["Evaluate"], "evaluation")["LocalPath"] == str(evaluate_args.output_dir)
    assert _output(steps["Evaluate"], "predictions")["LocalPath"] == str(evaluate_args.predictions_dir)
    baseline = PurePosixPath(_output(steps["Preprocess"], preprocess.BASELINE)["LocalPath"])
    assert baseline == PurePosixPath(preprocess_args.output_dir) / preprocess.BASELINE
    assert _input(steps["Evaluate"], "features")["LocalPath"] == str(evaluate_args.features)
    assert _output(steps["Evaluate"], preprocess.BASELINE)["LocalPath"] == str(evaluate_args.baseline_dir)
    hyperparameters = {
        key: value
        for key, value in steps["Train"]["Arguments"]["HyperParameters"].items()
        if not key.startswith("sagemaker_")
    }
    args, parsed = train.parse_args(
        [item for key, value in hyperparameters.items() for item in (f"--{key}", value)]
    )
    assert args.label == hyperparameters.pop("label") == "churned"
    assert {key: str(value) for key, value in dataclasses.asdict(parsed).items()} == hyperparameters


def _container_arguments(step: dict[str, Any]) -> list[str]:
    return list(step["Arguments"]["AppSpecification"].get("ContainerArguments", []))
