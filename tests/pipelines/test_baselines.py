"""The Model Monitor baselines: where the pipeline writes them, for which models, from which data,
and with the same security posture as every other job."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from components.observability.model_monitoring import MonitoringBaselines
from components.observability.model_quality_spec import ModelQualitySpec
from components.observability.monitoring_spec import baseline_prefix
from components.training import _offline_sdk
from components.training.definition import (
    GROUND_TRUTH_COLUMN,
    PROBABILITY_COLUMN,
    PROBABILITY_THRESHOLD,
    TrainingPipelineSettings,
    build_definition,
    job_security_problems,
    verify,
)
from stacks.model_packages import version_baselines
from tests.family_steps import churn_steps, load_step
from tests.pipelines.churn_fixtures import BUCKET, EXECUTION_ID, KMS_KEY, rendered, steps_by_name

DATA, MODEL = "DataQualityBaseline", "ModelQualityBaseline"
ANALYZER_INPUT, ANALYZER_OUTPUT = (
    "/opt/ml/processing/input/baseline_dataset_input",
    "/opt/ml/processing/output",
)
ALL_EBS = {"processing_volume_kms": True, "training_volume_kms": True, "baseline_volume_kms": True}
ANALYZER_ENVIRONMENT = {
    "dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
    "dataset_source": ANALYZER_INPUT,
    "output_path": ANALYZER_OUTPUT,
    "publish_cloudwatch_metrics": "Disabled",
}


def _destination(step: dict[str, Any]) -> str:
    (output,) = step["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == ANALYZER_OUTPUT
    return output["S3Output"]["S3Uri"]


def _dataset(step: dict[str, Any]) -> Any:
    (dataset,) = step["Arguments"]["ProcessingInputs"]
    assert (dataset["InputName"], dataset["S3Input"]["LocalPath"]) == (
        "baseline_dataset_input",
        ANALYZER_INPUT,
    )
    return dataset["S3Input"]["S3Uri"]


# --- where and when --------------------------------------------------------------------------


def test_each_execution_writes_its_baselines_in_a_folder_of_its_own_below_the_familys(built) -> None:
    settings, definition = built
    steps = steps_by_name(definition)
    family = f"s3://{BUCKET}/{baseline_prefix(settings.model_package_group_name)}"

    for execution in ("k4fz8a2x1c9q", "p0q9r8s7t6u5"):
        data = rendered(_destination(steps[DATA]), execution)
        model = rendered(_destination(steps[MODEL]), execution)
        assert data == f"{family}{execution}"
        assert model == f"{family}{execution}/model_quality"


def test_the_registered_version_names_exactly_the_baselines_its_execution_wrote(built) -> None:
    """What the version is monitored against once deployed (stacks/model_packages.py reads it)."""
    _, definition = built
    steps = steps_by_name(definition)
    data, model = rendered(_destination(steps[DATA])), rendered(_destination(steps[MODEL]))

    def files(folder: str) -> dict[str, Any]:
        return {
            "Statistics": {"ContentType": "application/json", "S3Uri": f"{folder}/statistics.json"},
            "Constraints": {"ContentType": "application/json", "S3Uri": f"{folder}/constraints.json"},
        }

    registered = rendered(steps["RegisterModel"]["Arguments"]["DriftCheckBaselines"])
    assert registered == {"ModelDataQuality": files(data), "ModelQuality": files(model)}


def test_the_monitors_read_the_registered_baselines_in_the_layout_the_offline_plan_assumes(built) -> None:
    settings, definition = built
    family = settings.model_package_group_name
    registered = rendered(steps_by_name(definition)["RegisterModel"]["Arguments"]["DriftCheckBaselines"])
    package = f"arn:aws:sagemaker:{settings.region}:{settings.account_id}:model-package/{family}/3"

    baselines = version_baselines(package, family, registered)

    folder = f"{baseline_prefix(family)}{EXECUTION_ID}/"
    assert baselines == dataclasses.replace(
        MonitoringBaselines.in_folder(folder),
        registered_bucket=BUCKET,
        registered_account=settings.account_id,
    )


def test_baselines_are_written_only_for_a_passing_model_and_before_it_is_registered(built) -> None:
    _, definition = built
    steps = steps_by_name(definition)
    branches = steps["CheckMetric"]["Arguments"]

    assert {DATA, MODEL}.isdisjoint(step["Name"] for step in definition["Steps"])
    assert [step["Name"] for step in branches["IfSteps"]] == [DATA, MODEL, "RegisterModel"]
    assert [step["Name"] for step in branches["ElseSteps"]] == ["MetricBelowThreshold"]
    # Registration waits for the baselines (and, with experiment tracking, the MLflow run it links to).
    tracked = ["TrackExperiment"] if "TrackExperiment" in steps else []
    assert steps["RegisterModel"]["DependsOn"] == [DATA, MODEL, *tracked]


def test_the_data_quality_job_profiles_the_training_features_behind_the_models_predictions(built) -> None:
    preprocess, _, _ = churn_steps()  # in the test, not at collection: the scripts import pandas, sklearn
    _, definition = built
    steps = steps_by_name(definition)
    job = steps[DATA]["Arguments"]

    assert _dataset(steps[DATA]) == {
        "Get": f"Steps.Evaluate.ProcessingOutputConfig.Outputs['{preprocess.BASELINE}'].S3Output.S3Uri"
    }
    [features] = [
        i for i in steps["Evaluate"]["Arguments"]["ProcessingInputs"] if i["InputName"] == "features"
    ]
    assert features["S3Input"]["S3Uri"] == {
        "Get": f"Steps.Preprocess.ProcessingOutputConfig.Outputs['{preprocess.BASELINE}'].S3Output.S3Uri"
    }
    assert job["Environment"] == ANALYZER_ENVIRONMENT
    assert job["AppSpecification"] == {
        "ImageUri": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    }


def test_the_model_quality_job_scores_the_test_predictions_like_the_monitor_does(built) -> None:
    _, _, evaluate = churn_steps()
    settings, definition = built
    job = steps_by_name(definition)[MODEL]["Arguments"]
    monitor = ModelQualitySpec()

    assert _dataset(steps_by_name(definition)[MODEL]) == {
        "Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['predictions'].S3Output.S3Uri"
    }
    # Where the analyzer reads the prediction: a binary classifier's probability (and threshold),
    # else the predicted value (predictions.csv of the evaluation contract, models/README.md).
    prediction = (
        {"probability_attribute": "probability", "probability_threshold_attribute": "0.5"}
        if settings.problem_type == "BinaryClassification"
        else {"inference_attribute": "prediction"}
    )
    assert job["Environment"] == {
        **ANALYZER_ENVIRONMENT,
        "analysis_type": "MODEL_QUALITY",
        "problem_type": settings.problem_type,
        **prediction,
        "ground_truth_attribute": "label",
    }
    if settings.problem_type == "BinaryClassification":
        # Same problem and threshold as the monitor's defaults and as the churn evaluation.
        monitor_defaults = (monitor.problem_type, monitor.probability_threshold)
        assert monitor_defaults == (settings.problem_type, PROBABILITY_THRESHOLD)
        assert PROBABILITY_THRESHOLD == evaluate.THRESHOLD
        assert {PROBABILITY_COLUMN, GROUND_TRUTH_COLUMN} <= set(evaluate.PREDICTION_COLUMNS)
    else:
        assert load_step("demand-forecast", "evaluate").RESPONSE_COLUMN == "prediction"


# --- security --------------------------------------------------------------------------------


def test_every_baselining_job_is_encrypted_and_runs_in_the_private_subnets(built) -> None:
    settings, definition = built
    vpc = {"Subnets": list(settings.subnet_ids), "SecurityGroupIds": list(settings.security_group_ids)}

    for name in (DATA, MODEL):
        step = steps_by_name(definition)[name]
        job = step["Arguments"]
        assert step["Type"] == "Processing", name
        assert job["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KMS_KEY, name
        assert job["ProcessingResources"]["ClusterConfig"]["InstanceType"] == settings.baseline_instance_type
        assert job["ProcessingOutputConfig"]["KmsKeyId"] == KMS_KEY, name
        assert job["NetworkConfig"] == {
            "EnableNetworkIsolation": settings.enable_network_isolation,
            "EnableInterContainerTrafficEncryption": True,
            "VpcConfig": vpc,
        }, name
        assert job["RoleArn"] == settings.role_arn, name
        assert job_security_problems(step, settings, volume_kms=True) == [], name


def test_nvme_baseline_instances_get_no_volume_key_and_the_other_jobs_keep_theirs(
    dev_settings: TrainingPipelineSettings,
) -> None:
    settings = dataclasses.replace(dev_settings, baseline_instance_type="ml.m5d.xlarge")
    steps = steps_by_name(json.loads(build_definition(settings)))  # verify() ran with the NVMe flag

    for name in (DATA, MODEL):
        cluster = steps[name]["Arguments"]["ProcessingResources"]["ClusterConfig"]
        assert cluster["InstanceType"] == "ml.m5d.xlarge" and "VolumeKmsKeyId" not in cluster, name
        assert steps[name]["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] == KMS_KEY, name
    assert steps["Evaluate"]["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KMS_KEY


def test_verification_covers_the_baselining_jobs_in_the_condition_branch(dev_settings, dev_json: str) -> None:
    tampered = copy.deepcopy(json.loads(dev_json))
    steps = steps_by_name(tampered)
    del steps[DATA]["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"]
    del steps[MODEL]["Arguments"]["NetworkConfig"]["VpcConfig"]

    with pytest.raises(RuntimeError, match="insecure job definition") as raised:
        verify(tampered, dev_settings, **ALL_EBS)

    assert f"{DATA}: volume KMS key is None, expected {KMS_KEY!r}" in str(raised.value)
    assert f"{MODEL}: VpcConfig is None" in str(raised.value)


def test_verification_judges_baseline_volumes_by_the_baseline_instance_type(dev_settings, dev_json) -> None:
    with pytest.raises(RuntimeError) as raised:
        verify(json.loads(dev_json), dev_settings, **{**ALL_EBS, "baseline_volume_kms": False})

    problems = str(raised.value).split("\n- ")[1:]
    assert [problem.split(":")[0] for problem in problems] == [DATA, MODEL]


# --- the SDK's own baselining request --------------------------------------------------------


def _sdk_quality_check_steps(settings: TrainingPipelineSettings, network: bool) -> dict[str, Any]:
    """The SDK's QualityCheckStep for the same data, output and job settings (sealed, offline)."""
    from sagemaker.core.model_monitor.dataset_format import DatasetFormat
    from sagemaker.core.network import NetworkConfig
    from sagemaker.mlops.workflow import Pipeline
    from sagemaker.mlops.workflow.check_job_config import CheckJobConfig
    from sagemaker.mlops.workflow.quality_check_step import (
        DataQualityCheckConfig,
        ModelQualityCheckConfig,
        QualityCheckStep,
    )

    session = _offline_sdk.pipeline_session(settings.region, settings.artifact_bucket)
    job = CheckJobConfig(
        role=settings.role_arn,
        instance_type=settings.baseline_instance_type,
        volume_kms_key=settings.kms_key_arn,
        output_kms_key=settings.kms_key_arn,
        max_runtime_in_seconds=settings.max_run_seconds,
        sagemaker_session=session,
        network_config=NetworkConfig(
            enable_network_isolation=True,
            subnets=list(settings.subnet_ids),
            security_group_ids=list(settings.security_group_ids),
            encrypt_inter_container_traffic=True,
        )
        if network
        else None,
    )
    csv = DatasetFormat.csv(header=True)
    data = DataQualityCheckConfig(
        baseline_dataset="s3://placeholder/baseline",
        dataset_format=csv,
        output_s3_uri=f"{settings.baselines_uri}/{EXECUTION_ID}",
    )
    model = ModelQualityCheckConfig(
        baseline_dataset="s3://placeholder/predictions",
        dataset_format=csv,
        output_s3_uri=f"{settings.baselines_uri}/{EXECUTION_ID}/model_quality",
        problem_type=settings.problem_type,
        probability_attribute=PROBABILITY_COLUMN,
        probability_threshold_attribute=PROBABILITY_THRESHOLD,
        ground_truth_attribute=GROUND_TRUTH_COLUMN,
    )
    steps = [
        QualityCheckStep(name=name, quality_check_config=config, check_job_config=job, skip_check=True)
        for name, config in ((DATA, data), (MODEL, model))
    ]
    pipeline = Pipeline(name="reference", steps=steps, sagemaker_session=session)
    return steps_by_name(json.loads(pipeline.definition()))


def test_the_baselining_jobs_send_what_the_sdks_quality_check_step_would(dev_settings, dev_json) -> None:
    ours = steps_by_name(json.loads(dev_json))
    with _offline_sdk.sealed(dev_settings.region):
        reference = _sdk_quality_check_steps(dev_settings, network=False)

    for name in (DATA, MODEL):
        expected, actual = reference[name]["Arguments"], ours[name]["Arguments"]
        assert actual["Environment"] == expected["Environment"], name
        assert actual["AppSpecification"] == expected["AppSpecification"], name
        assert actual["ProcessingResources"] == expected["ProcessingResources"], name
        assert rendered(actual["ProcessingOutputConfig"]) == {
            **expected["ProcessingOutputConfig"],
            "Outputs": [{**expected["ProcessingOutputConfig"]["Outputs"][0], "OutputName": "baseline"}],
        }, name
        assert [i["S3Input"]["LocalPath"] for i in actual["ProcessingInputs"]] == [
            i["S3Input"]["LocalPath"] for i in expected["ProcessingInputs"]
        ], name


def test_the_sdks_quality_check_step_still_cannot_carry_a_network_config(dev_settings) -> None:
    """Why the baselining jobs are ProcessingSteps (see components/training/_definition_steps.py). If this
    fails, the SDK serialises NetworkConfig now and QualityCheckStep becomes an option."""
    with (
        _offline_sdk.sealed(dev_settings.region),
        pytest.raises(TypeError, match="NetworkConfig is not JSON serializable"),
    ):
        _sdk_quality_check_steps(dev_settings, network=True)
