"""With ``tuning``, a Tune step (CreateHyperParameterTuningJob) replaces Train: every job it starts
is the Train step's training job (image, inputs, VPC, isolation, encryption, KMS, spot and
checkpoints), and Evaluate, TrackExperiment and RegisterModel take the best job's model. The
request is one botocore's model of the API accepts, moto accepts the pipeline, and the SDK's
pitfall (its tuner drops isolation, inter-container encryption and the volume key) is guarded."""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import botocore.session
import pytest

from components.training.definition import TrainingPipelineSettings, verify
from components.training.tuning import ParameterRange, TuningSettings
from tests.api_models import pipeline_step_errors
from tests.aws_sessions import mocked_aws
from tests.pipelines.churn_fixtures import (
    BUCKET,
    HYPERPARAMETERS,
    KMS_KEY,
    PIPELINE,
    REGION,
    make_settings,
    referenced_steps,
    steps_by_name,
    tracking_settings,
)
from tests.pipelines.definitions import built_definition

TUNED = ("learning_rate", "max_leaf_nodes")
FIXED = {key: value for key, value in HYPERPARAMETERS.items() if key not in TUNED}
BEST_JOB = {"Get": "Steps.Tune.BestTrainingJob.TrainingJobName"}
"""DescribeHyperParameterTuningJob's best job, by the objective in its direction (the order of
TrainingJobSummaries, which the SDK's get_top_model_s3_uri reads, is undocumented)."""
BEST_MODEL = {
    "Std:Join": {
        "On": "/",
        "Values": ["s3:/", BUCKET, f"models/{PIPELINE}", BEST_JOB, "output/model.tar.gz"],
    }
}


def _tuning(**changes: Any) -> TuningSettings:
    values: dict[str, Any] = {
        "objective_metric": "validation:auc",
        "objective_type": "Maximize",
        "strategy": "Bayesian",
        "max_jobs": 12,
        "max_parallel_jobs": 3,
        "early_stopping": "Auto",
        "parameters": {
            "learning_rate": ParameterRange("continuous", 0.01, 0.3, "Logarithmic"),
            "max_leaf_nodes": ParameterRange("integer", 8, 63),
        },
    }
    values.update(changes)
    return TuningSettings(**values)


def _settings(tuning: TuningSettings | None, **changes: Any) -> TrainingPipelineSettings:
    """Spot on a CPU instance with network isolation: every setting the Train step carries."""
    values: dict[str, Any] = {
        "approval_status": "PendingManualApproval",
        "use_spot_instances": True,
        "max_run_seconds": 3600,
        "max_wait_seconds": 7200,
        "enable_network_isolation": True,
        "hyperparameters": FIXED,
        "experiment_tracking": tracking_settings(),
        "tuning": tuning,
    }
    values.update(changes)
    return make_settings(**values)


@pytest.fixture(scope="module")
def tuned() -> tuple[TrainingPipelineSettings, dict[str, Any]]:
    settings = _settings(_tuning())
    return settings, json.loads(built_definition(settings))


@pytest.fixture(scope="module")
def trained() -> dict[str, Any]:
    return json.loads(built_definition(_settings(None)))


def test_tune_replaces_train_and_the_best_job_feeds_evaluation_tracking_and_registration(tuned) -> None:
    _, definition = tuned
    steps = steps_by_name(definition)

    assert "Train" not in steps
    assert steps["Tune"]["Type"] == "Tuning"
    assert referenced_steps(steps["Tune"]) == {"Preprocess"}
    evaluate_model = next(
        i for i in steps["Evaluate"]["Arguments"]["ProcessingInputs"] if i["InputName"] == "model"
    )
    assert evaluate_model["S3Input"]["S3Uri"] == BEST_MODEL
    (container,) = steps["RegisterModel"]["Arguments"]["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == BEST_MODEL
    # TrackExperiment records the best job and its model: the version's lineage names what was registered.
    arguments = steps["TrackExperiment"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    tags = [arguments[i + 1] for i, item in enumerate(arguments) if item == "--tag"]
    assert {"Std:Join": {"On": "=", "Values": ["sagemaker.training_job", BEST_JOB]}} in tags
    assert {"Std:Join": {"On": "=", "Values": ["model.artifact_uri", BEST_MODEL]}} in tags
    assert {"Evaluate", "Tune"} <= referenced_steps(steps["RegisterModel"])


def test_the_best_models_uri_is_where_each_tuned_job_writes_its_model(tuned) -> None:
    """The best model is <S3OutputPath>/<best job name>/output/model.tar.gz: the prefix must be
    the training definition's S3OutputPath, or Evaluate would read a model that is not there."""
    _, definition = tuned
    output = steps_by_name(definition)["Tune"]["Arguments"]["TrainingJobDefinition"]["OutputDataConfig"]

    assert output["S3OutputPath"] == f"s3://{BUCKET}/models/{PIPELINE}"
    assert output["KmsKeyId"] == KMS_KEY


def test_every_tuned_job_is_the_train_steps_training_job(tuned, trained) -> None:
    _, definition = tuned
    job = steps_by_name(definition)["Tune"]["Arguments"]["TrainingJobDefinition"]
    train = steps_by_name(trained)["Train"]["Arguments"]

    # A channel without InputMode takes the job's TrainingInputMode, File, as Train's say explicitly.
    assert job["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    assert job["InputDataConfig"] == [
        {key: value for key, value in channel.items() if key != "InputMode"}
        for channel in train["InputDataConfig"]
    ]
    assert {channel["InputMode"] for channel in train["InputDataConfig"]} == {"File"}
    for key in (
        "RoleArn",
        "OutputDataConfig",
        "ResourceConfig",
        "StoppingCondition",
        "VpcConfig",
        "EnableNetworkIsolation",
        "EnableInterContainerTrafficEncryption",
        "EnableManagedSpotTraining",
        "CheckpointConfig",
    ):
        assert job[key] == train[key], key
    assert job["AlgorithmSpecification"]["TrainingImage"] == train["AlgorithmSpecification"]["TrainingImage"]
    assert (
        job["AlgorithmSpecification"]["MetricDefinitions"]
        == train["AlgorithmSpecification"]["MetricDefinitions"]
    )
    # The values that matter, not only their equality with Train's.
    assert (job["EnableNetworkIsolation"], job["EnableInterContainerTrafficEncryption"]) == (True, True)
    assert job["ResourceConfig"]["VolumeKmsKeyId"] == KMS_KEY
    assert job["EnableManagedSpotTraining"] is True
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert job["CheckpointConfig"]["LocalPath"] == "/opt/ml/checkpoints"
    # The tuned hyperparameters leave the static ones; the platform's stay.
    assert job["StaticHyperParameters"] == {
        **{key: str(value) for key, value in FIXED.items()},
        "label": "churned",
        "sagemaker_program": "train.py",
        "sagemaker_submit_directory": "/opt/ml/input/data/code",
    }


def test_the_tuning_job_searches_the_configured_ranges_for_the_configured_objective(tuned) -> None:
    config = steps_by_name(tuned[1])["Tune"]["Arguments"]["HyperParameterTuningJobConfig"]

    assert config["Strategy"] == "Bayesian"
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "validation:auc"}
    # Default limit of the whole job: 4 waves of 3 jobs, each up to its spot wait limit (7200 s).
    assert config["ResourceLimits"] == {
        "MaxNumberOfTrainingJobs": 12, "MaxParallelTrainingJobs": 3, "MaxRuntimeInSeconds": 4 * 7200
    }  # fmt: skip
    assert config["TrainingJobEarlyStoppingType"] == "Auto"
    assert config["ParameterRanges"] == {
        "IntegerParameterRanges": [
            {"Name": "max_leaf_nodes", "MinValue": "8", "MaxValue": "63", "ScalingType": "Auto"}
        ],
        "ContinuousParameterRanges": [
            {"Name": "learning_rate", "MinValue": "0.01", "MaxValue": "0.3", "ScalingType": "Logarithmic"}
        ],
    }
    assert "StrategyConfig" not in config


@pytest.fixture(scope="module")
def variants() -> dict[str, dict[str, Any]]:
    """Grid (categorical only, no max jobs) and Hyperband (with its resources) on a GPU instance."""
    grid = _tuning(
        strategy="Grid",
        max_jobs=None,
        max_parallel_jobs=2,
        early_stopping="Off",
        parameters={
            "max_leaf_nodes": ParameterRange("categorical", values=("15", "31")),
            "learning_rate": ParameterRange("categorical", values=("0.05", "0.1", "0.2")),
        },
    )
    hyperband = _tuning(
        strategy="Hyperband", early_stopping="Off", hyperband_min_resource=10, hyperband_max_resource=200
    )
    return {
        "grid": json.loads(built_definition(_settings(grid))),
        "hyperband-gpu": json.loads(
            built_definition(_settings(hyperband, training_instance_type="ml.g5.xlarge"))
        ),
    }


def test_grid_sends_no_job_limit_and_hyperband_its_resources(variants) -> None:
    grid = steps_by_name(variants["grid"])["Tune"]["Arguments"]["HyperParameterTuningJobConfig"]
    hyperband = steps_by_name(variants["hyperband-gpu"])["Tune"]["Arguments"]

    # Six combinations, two at a time: three waves of the spot wait limit.
    assert grid["ResourceLimits"] == {"MaxParallelTrainingJobs": 2, "MaxRuntimeInSeconds": 3 * 7200}
    assert [r["Name"] for r in grid["ParameterRanges"]["CategoricalParameterRanges"]] == [
        "learning_rate",
        "max_leaf_nodes",
    ]
    assert hyperband["HyperParameterTuningJobConfig"]["StrategyConfig"] == {
        "HyperbandStrategyConfig": {"MinResource": 10, "MaxResource": 200}
    }
    # An NVMe GPU instance: hardware-encrypted volume, so no volume key (SageMaker rejects one).
    assert "VolumeKmsKeyId" not in hyperband["TrainingJobDefinition"]["ResourceConfig"]


def _gets(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["Get"]] if isinstance(value.get("Get"), str) else []
        return found + [g for item in value.values() for g in _gets(item)]
    if isinstance(value, list):
        return [g for item in value for g in _gets(item)]
    return []


def test_a_minimized_objectives_best_job_is_tunes_best_training_job_a_property_sagemaker_knows() -> None:
    """With Minimize as with Maximize, the model that goes on is BestTrainingJob's (SageMaker picks it
    by the objective's direction), and every Get of the Tune step's properties is a member path of
    DescribeHyperParameterTuningJob's response (what SageMaker validates a pipeline's Get against)."""
    definition = json.loads(built_definition(_settings(_tuning(objective_type="Minimize"))))
    steps = steps_by_name(definition)
    model = botocore.session.get_session().get_service_model("sagemaker")
    response = model.operation_model("DescribeHyperParameterTuningJob").output_shape

    assert steps["Tune"]["Arguments"]["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] == {
        "Type": "Minimize", "MetricName": "validation:auc"
    }  # fmt: skip
    (container,) = steps["RegisterModel"]["Arguments"]["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == BEST_MODEL
    tune_gets = sorted({g for g in _gets(definition) if g.startswith("Steps.Tune.")})
    assert tune_gets == ["Steps.Tune.BestTrainingJob.TrainingJobName"]
    for get in tune_gets:
        shape = response
        for member in get.split(".")[2:]:
            assert member in shape.members, (get, member)
            shape = shape.members[member]
        assert shape.type_name == "string"


def test_the_tuning_jobs_runtime_limit_is_the_configured_one_or_fits_every_wave() -> None:
    def limit(tuning: TuningSettings, **changes: Any) -> int:
        definition = json.loads(built_definition(_settings(tuning, **changes)))
        return steps_by_name(definition)["Tune"]["Arguments"]["HyperParameterTuningJobConfig"]["ResourceLimits"][
            "MaxRuntimeInSeconds"
        ]  # fmt: skip

    assert limit(_tuning(max_runtime_seconds=5000)) == 5000
    # On demand: each job's MaxRuntimeInSeconds per wave (12 jobs, 5 at a time: 3 waves).
    on_demand = {"use_spot_instances": False, "max_wait_seconds": None}
    assert limit(_tuning(max_parallel_jobs=5), **on_demand) == 3 * 3600
    # Capped at SageMaker's 15,768,000 s.
    assert (
        limit(_tuning(max_jobs=750, max_parallel_jobs=1), max_run_seconds=432_000, **on_demand) == 15_768_000
    )


def test_the_plan_bounds_a_tune_steps_wall_time_by_its_own_runtime_limit() -> None:
    from planner.pricing import load_prices
    from planner.training_cost import _step_cost

    prices = load_prices(REGION)
    for configured, wall in ((5000, 5000), (None, 4 * 7200)):
        definition = json.loads(built_definition(_settings(_tuning(max_runtime_seconds=configured))))
        cost = _step_cost(
            PIPELINE, steps_by_name(definition)["Tune"], {"TrainingInstanceType": "ml.m5.xlarge"}, prices
        )
        assert (cost.jobs, cost.parallel_jobs, cost.max_wall_seconds) == (12, 3, wall), configured


def test_every_tuning_request_validates_against_the_sagemaker_api_model(tuned, variants) -> None:
    for definition in (tuned[1], *variants.values()):
        step = steps_by_name(definition)["Tune"]
        # The pipeline names the job at execution time (the definition carries no name).
        request = {**step["Arguments"], "HyperParameterTuningJobName": "pipelines-abc"}
        assert pipeline_step_errors("CreateHyperParameterTuningJob", request) == []


def test_moto_accepts_the_tuned_pipeline(tuned, monkeypatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    settings, definition = tuned
    with mocked_aws(REGION):
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_pipeline(
            PipelineName=settings.pipeline_name,
            PipelineDefinition=json.dumps(definition),
            RoleArn=settings.role_arn,
        )
        sagemaker.start_pipeline_execution(PipelineName=settings.pipeline_name)
        described = sagemaker.describe_pipeline(PipelineName=settings.pipeline_name)

    assert json.loads(described["PipelineDefinition"]) == definition


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("EnableNetworkIsolation",), False, "EnableNetworkIsolation is False"),
        (("EnableInterContainerTrafficEncryption",), None, "inter-container traffic encryption is off"),
        (("ResourceConfig", "VolumeKmsKeyId"), None, "volume KMS key is None"),
        (("OutputDataConfig", "KmsKeyId"), None, "output KMS key is None"),
        (("VpcConfig",), None, "VpcConfig is None"),
    ],
    ids=["isolation", "transit", "volume-key", "output-key", "vpc"],
)
def test_verification_refuses_a_tune_step_that_lost_a_setting(tuned, path, value, problem) -> None:
    """What sagemaker-train 1.27's tuner drops on its own (isolation, transit, volume key): a
    future SDK that drops another is refused at build time, not shipped."""
    settings, definition = tuned
    broken = copy.deepcopy(definition)
    node = steps_by_name(broken)["Tune"]["Arguments"]["TrainingJobDefinition"]
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value

    verify(
        definition, settings, processing_volume_kms=True, training_volume_kms=True, baseline_volume_kms=True
    )
    with pytest.raises(RuntimeError, match=rf"Tune: {problem}"):
        verify(
            broken, settings, processing_volume_kms=True, training_volume_kms=True, baseline_volume_kms=True
        )


@pytest.mark.parametrize(
    ("tuning", "changes", "fragment"),
    [
        (
            _tuning(objective_metric="validation:f1"),
            {},
            "tuning.objective.metric: 'validation:f1' is not one",
        ),
        (
            _tuning(),
            {"hyperparameters": HYPERPARAMETERS},
            "tuning.parameters.learning_rate: 'learning_rate' is also",
        ),
        (_tuning(strategy="Grid", max_jobs=None), {}, "tuning.parameters.learning_rate.type: Grid"),
        (_tuning(max_parallel_jobs=20), {}, "tuning.max_parallel_jobs: 20 is more than max_jobs (12)"),
    ],
    ids=["objective", "clash", "grid", "parallel"],
)
def test_settings_sagemaker_would_reject_are_refused_before_building(tuning, changes, fragment) -> None:
    with pytest.raises(ValueError, match="invalid training pipeline settings") as raised:
        _settings(tuning, **changes)

    assert fragment in str(raised.value)
