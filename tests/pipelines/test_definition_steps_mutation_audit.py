"""A hand-mutation audit of the training pipeline's definition steps.

Modules audited (components/training/): ``_definition_steps.py`` (the SDK composition: every
CreateProcessingJob/CreateTrainingJob/CreateHyperParameterTuningJob/CreateModelPackage request,
property references, JsonGet paths, the condition), ``definition.py`` (the settings' validation,
``normalise``, ``verify``), ``tuning.py`` (the tuning rules) and ``_evidently_steps.py`` (the two
Evidently jobs). One-step mutations were applied one at a time (a scratch worktree) against their
covering tests (tests/pipelines/test_training_pipeline*.py, test_tuning_step.py,
test_evidently_step.py, test_definition_references.py, test_baselines.py, test_lineage.py,
test_feature_input.py, test_track_experiment_step.py, test_training_mutation_audit.py,
tests/components/test_training_semantics.py, test_training_observability_bounds.py,
tests/stacks/test_training_tuning_config.py); tests/pipelines/test_training_mutation_audit.py's
ground (instance counts, the split seed, the processing type, the gate's metric) was not repeated.

=================================  =========  ========  ==========  ==========  ==========
module (components/training/)      mutations  survived  caught now  equivalent  left alone
=================================  =========  ========  ==========  ==========  ==========
_definition_steps.py                     107        15          12           3           0
definition.py                             38        17          16           1           0
tuning.py                                 23         2           1           1           0
_evidently_steps.py                       17         3           1           2           0
total                                    185        37          30           7           0
=================================  =========  ========  ==========  ==========  ==========

Mutation ids: D ``_definition_steps.py``, V ``definition.py``, T ``tuning.py``, E
``_evidently_steps.py``; they were applied to the code before this audit's fixes. "survived"
counts what no covering test killed; 4 more first survived a run that left some
covering files out and were then killed by them (below).

Killed by covering tests the first runs left out (re-run against them, so not survivors): D01
(``container_argument`` cutting at 255: test_training_observability_bounds), D21 (the processing
image chosen by the training instance type) and D31 (the training job's instance count fixed at 1,
both test_training_semantics), E10 (the drift metrics' Pipeline dimension fixed at ``training``:
test_evidently_wiring, batch scoring's ``Pipeline=batch-scoring``).

Bugs found (fixed in the product, CHANGELOG "training pipelines SageMaker refused at run time"),
each checked against botocore's sagemaker model (tests/api_models.py):

- ``max_run_seconds`` (up to 28 days, a training job's ceiling) was every processing job's
  MaxRuntimeInSeconds, and ``evidently.max_runtime_seconds`` went to 28 days, but
  ProcessingStoppingCondition takes 777,600 s: such a family's executions failed at Preprocess.
  Processing jobs now stop at ``processing_runtime`` (at most 9 days); the Evidently limit is
  refused over 9 days.
- ContainerArguments holds 100 entries: ExtractFeatures took 100 named columns (214 entries) and
  TrackExperiment any number of hyperparameters and metrics (two entries each). Both are refused
  when the settings are built (43 columns; 41 hyperparameters, label and metrics).

Caught now (each test fails under its mutation and passes on the code as it is):

- test_every_processing_job_at_the_settings_limits_is_one_sagemaker_accepts,
  test_one_more_column_or_hyperparameter_than_a_processing_job_takes_is_refused,
  test_an_evidently_report_job_longer_than_a_processing_job_may_run_is_refused: the bugs above.
- VPC bounds (V02, V03); the registered media types (D04); a label among the identifiers, a
  reserved hyperparameter, a zero runtime (V06, V07, V09); the tracking job's own role and
  account (V11, V12); ``normalise``'s clean-ups and the else branch of ``iter_steps`` (V17, V18,
  V19, V20); CustomerMetadataProperties' 50 entries and 256 characters (V28, V29);
  PublishDriftMetrics' output-key exemption (V27); the baselining jobs' own volume flag (V30); the
  group name's 63 characters (V34); a tuning job's 120 s floor (T09); EndOfJob uploads (E12);
  TrackExperiment's MLFLOW_TRACKING_URI, 900 s limit and label parameter (D66, D67, D68, D75);
  the run's name, metric paths, property file and run id key (D69, D71, D72, D86); the registry's
  server link, ExtractFeatures' runtime, every grid value (D93, D98, D102); the check steps held to
  the job posture (V36).

Equivalent:

- D20, D23, D47, E17 (job name prefixes cut at another length or renamed): the SDK's
  base_job_name never reaches a pipeline definition (SageMaker Pipelines names the jobs); the
  definitions of six shapes (dev, spot+tracking+lineage, forecast, feature input+Evidently, a
  Bayesian and a Hyperband tuning) were byte-identical under D20, D23, D47 and E17.
- V33 (``tracking_volume_kms`` not passed to ``verify``): its default is True and TrackExperiment's
  instance (ml.t3.medium) is EBS-backed.
- T11 (a grid of 751 combinations let through): 751 is a prime above 30 values a range holds, so
  no grid has exactly 751 combinations.
- E03 (``--exclude`` dropped): no caller passes ``exclude`` (training, batch scoring and live drift
  all leave it empty; the six shapes byte-identical); the parameter is dead, left in place.

Noted, not changed: ``max_wait_seconds`` equal to ``max_run_seconds`` is refused (V01, caught)
while CreateTrainingJob accepts it: the platform wants room to wait for spot capacity (stricter,
not wrong). Not a mutation but noted: the training pipeline sets no retry policy or cache config
(a transient capacity error fails the execution; every run recomputes), a design choice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.limits import PROCESSING_MAX_RUNTIME_SECONDS
from components.training.definition import (
    MAX_CONTAINER_ARGUMENTS,
    MAX_FEATURE_COLUMNS,
    MAX_RUNTIME_SECONDS,
    build_definition,
    expected_lineage_keys,
    job_security_problems,
    lineage_metadata_problems,
    normalise,
    tracking_arguments,
)
from components.training.evidently import EvidentlySpec
from components.training.steps import track_experiment
from components.training.tuning import (
    MIN_TUNING_RUNTIME_SECONDS,
    ParameterRange,
    TuningSettings,
    tuning_runtime,
)
from tests.api_models import pipeline_step_errors
from tests.pipelines.churn_fixtures import (
    ACCOUNT,
    KMS_KEY,
    ROLE,
    SECURITY_GROUPS,
    SUBNETS,
    TRACKING_SERVER,
    make_settings,
    steps_by_name,
    tracking_settings,
)
from tests.pipelines.definitions import built_definition
from tests.pipelines.evidently_fixtures import evidently_settings
from tests.pipelines.test_feature_input import feature_settings


def _errors(step: dict[str, Any]) -> list[str]:
    # SageMaker Pipelines names the job; the rest of the request is the step's.
    return pipeline_step_errors("CreateProcessingJob", {**step["Arguments"], "ProcessingJobName": "p"})


@pytest.fixture(scope="module")
def at_the_limits() -> tuple[Any, dict[str, Any]]:
    """A family at every limit its settings accept: a 28-day training limit, as many named feature
    columns as ExtractFeatures takes, as many hyperparameters as TrackExperiment takes."""
    metrics = 3
    hyperparameters = (MAX_CONTAINER_ARGUMENTS - 18) // 2 - metrics - 1
    settings = make_settings(
        max_run_seconds=MAX_RUNTIME_SECONDS,
        experiment_tracking=tracking_settings(),
        feature_input=feature_settings(
            columns=("churned", *(f"feature_{n}" for n in range(MAX_FEATURE_COLUMNS - 1)))
        ),
        hyperparameters={f"h{n}": n for n in range(hyperparameters)},
    )
    return settings, json.loads(built_definition(settings))


def test_every_processing_job_at_the_settings_limits_is_one_sagemaker_accepts(at_the_limits) -> None:
    """Bugs: a ``max_run_seconds`` over 9 days reached every processing job (CreateProcessingJob
    takes 777,600 s at most, a training job 28 days), ExtractFeatures took up to 100 named columns
    (two ContainerArguments entries each, and a job takes 100 entries) and TrackExperiment any
    number of hyperparameters: each such execution failed at its first refused job."""
    settings, definition = at_the_limits
    steps = steps_by_name(definition)
    processing = {name: step for name, step in steps.items() if step["Type"] == "Processing"}

    assert {name: _errors(step) for name, step in processing.items()} == {name: [] for name in processing}
    assert len(steps["ExtractFeatures"]["Arguments"]["AppSpecification"]["ContainerArguments"]) == 100
    track = steps["TrackExperiment"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert len(track) == tracking_arguments(settings) == 100
    # The training job keeps its own limit; the data jobs stop at the processing ceiling.
    assert steps["Train"]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] == MAX_RUNTIME_SECONDS
    assert steps["Preprocess"]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] == 777_600
    assert PROCESSING_MAX_RUNTIME_SECONDS == 777_600


def test_one_more_column_or_hyperparameter_than_a_processing_job_takes_is_refused() -> None:
    with pytest.raises(ValueError, match=f"columns has {MAX_FEATURE_COLUMNS + 1} entries; at most 43"):
        make_settings(
            experiment_tracking=tracking_settings(),
            feature_input=feature_settings(
                columns=("churned", *(f"feature_{n}" for n in range(MAX_FEATURE_COLUMNS)))
            ),
        )
    with pytest.raises(ValueError, match=r"102 in all .* a processing job takes 100"):
        make_settings(
            experiment_tracking=tracking_settings(), hyperparameters={f"h{n}": n for n in range(38)}
        )
    # Without tracking the hyperparameters go to the training job alone (100 of them, with the platform's).
    assert make_settings(hyperparameters={f"h{n}": n for n in range(38)}).experiment_tracking is None


def test_an_evidently_report_job_longer_than_a_processing_job_may_run_is_refused() -> None:
    """Bug: ``evidently.max_runtime_seconds`` went to 28 days; the report job takes 9 at most."""
    spec = {"image_tag": "1.0", "max_runtime_seconds": PROCESSING_MAX_RUNTIME_SECONDS}
    assert EvidentlySpec(**spec).max_runtime_seconds == 777_600
    with pytest.raises(ValueError, match="less than or equal to 777600"):
        EvidentlySpec(**{**spec, "max_runtime_seconds": PROCESSING_MAX_RUNTIME_SECONDS + 1})
    make_settings(evidently=evidently_settings(max_runtime_seconds=PROCESSING_MAX_RUNTIME_SECONDS))
    with pytest.raises(ValueError, match="max_runtime_seconds 777601 must be 1 to 777600"):
        make_settings(evidently=evidently_settings(max_runtime_seconds=PROCESSING_MAX_RUNTIME_SECONDS + 1))


def test_the_vpc_holds_as_many_subnets_and_security_groups_as_sagemaker_takes_and_no_more() -> None:
    """VpcConfig: 1-16 subnets, 1-5 security groups; one more is refused by every Create*Job
    (mutations: either bound raised by one)."""
    subnets = tuple(f"subnet-{n:08x}" for n in range(17))
    groups = tuple(f"sg-{n:08x}" for n in range(6))

    assert len(make_settings(subnet_ids=subnets[:16], security_group_ids=groups[:5]).subnet_ids) == 16
    with pytest.raises(ValueError, match="subnet_ids has 17 entries; SageMaker accepts at most 16"):
        make_settings(subnet_ids=subnets)
    with pytest.raises(ValueError, match="security_group_ids has 6 entries; SageMaker accepts at most 5"):
        make_settings(security_group_ids=groups)


def test_the_registered_version_declares_both_media_types_the_families_serving_code_reads(built) -> None:
    """The families' ``input_fn`` read ``text/csv`` and ``application/json`` (models/*/train.py) and
    answer in either: the version says so to whatever reads the registry (batch scoring's and the
    shadow test's requests, Inference Recommender), not CSV alone (mutation: JSON dropped)."""
    _, definition = built
    register = steps_by_name(definition)["RegisterModel"]["Arguments"]["InferenceSpecification"]

    assert register["SupportedContentTypes"] == ["text/csv", "application/json"]
    assert register["SupportedResponseMIMETypes"] == ["text/csv", "application/json"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # V06: an identifier column is dropped from the features; the label would be dropped with it.
        (
            {"identifier_columns": ("customer_id", "churned")},
            "label_column 'churned' must be a column name that is not",
        ),
        # V07: the family's "label" would be overwritten by the platform's without a word.
        ({"hyperparameters": {"label": "other"}}, r"hyperparameters \['label'\] are set by the platform"),
        # V09: MaxRuntimeInSeconds is at least 1 (botocore's minimum): a 0 is refused at run time.
        ({"max_run_seconds": 0}, "max_run_seconds 0 must be between 1 and"),
    ],
    ids=["label-is-an-identifier", "reserved-hyperparameter", "zero-runtime"],
)
def test_settings_sagemaker_or_the_scripts_cannot_run_are_refused(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_settings(**overrides)


def test_the_tracking_job_holds_its_own_role_and_reaches_a_server_of_the_pipelines_account() -> None:
    """TrackExperiment is the job that reaches the network: with the data steps' role it could
    carry the training data out (V11: the role check dropped); a tracking server of another
    account would receive the runs' metrics and parameters (V12: only the region compared)."""
    with pytest.raises(ValueError, match=r"experiment_tracking\.role_arn must not be role_arn"):
        make_settings(experiment_tracking=tracking_settings(role_arn=ROLE))
    elsewhere = TRACKING_SERVER.replace(f":{ACCOUNT}:", ":210987654321:")
    with pytest.raises(ValueError, match="tracking_server_arn is not in the pipeline's region and account"):
        make_settings(experiment_tracking=tracking_settings(tracking_server_arn=elsewhere))


def test_normalise_drops_the_job_tags_and_empty_metric_blocks_the_sdk_adds() -> None:
    """The SDK tags jobs with the SageMaker Studio project it finds above the working directory:
    kept, the JSON (and the pipeline's update) would depend on where it was built (V17); the SDK's
    empty Bias and Explainability blocks are dropped too, and a filled one is kept."""
    definition = {
        "Version": "2020-12-01",
        "PipelineExperimentConfig": None,
        "Steps": [
            {"Name": "Train", "Type": "Training", "Arguments": {"Tags": [{"Key": "k", "Value": "v"}]}},
            {
                "Name": "Check",
                "Type": "Condition",
                "Arguments": {
                    "IfSteps": [
                        {
                            "Name": "Register",
                            "Type": "RegisterModel",
                            "Arguments": {
                                "ModelMetrics": {
                                    "Bias": {},
                                    "Explainability": {"Report": {"S3Uri": "s3://b/r"}},
                                }
                            },
                        }
                    ],
                    "ElseSteps": [{"Name": "Eval", "Type": "Processing", "Arguments": {"Tags": []}}],
                },
            },
        ],
    }

    clean = normalise(definition)

    assert "PipelineExperimentConfig" not in clean
    steps = steps_by_name(clean)
    assert "Tags" not in steps["Train"]["Arguments"] and "Tags" not in steps["Eval"]["Arguments"]
    assert steps["Register"]["Arguments"]["ModelMetrics"] == {
        "Explainability": {"Report": {"S3Uri": "s3://b/r"}}
    }


def test_registration_metadata_is_refused_one_past_each_of_sagemakers_limits() -> None:
    """CreateModelPackage's CustomerMetadataProperties: at most 50 entries (V28: 51 let through), each
    value 1-256 characters (V29: 257 let through)."""
    settings = make_settings()

    def problems(properties: dict[str, str]) -> list[str]:
        step = {
            "Name": "RegisterModel",
            "Type": "RegisterModel",
            "Arguments": {"CustomerMetadataProperties": properties},
        }
        return lineage_metadata_problems(step, settings)

    lineage = dict.fromkeys(expected_lineage_keys(settings), "v")
    room = 50 - len(lineage)
    assert problems({**lineage, **{f"k{n}": "v" for n in range(room)}}) == []
    assert problems({**lineage, **{f"k{n}": "v" for n in range(room + 1)}}) == [
        "CustomerMetadataProperties has 51 entries; SageMaker accepts 50"
    ]
    assert problems({**lineage, "k": "v" * 256}) == []
    assert len(problems({**lineage, "k": "v" * 257})) == 1


def test_publish_drift_metrics_is_exempt_from_the_output_key_only_while_it_writes_nothing() -> None:
    """PublishDriftMetrics only calls CloudWatch: no output, hence no output key. Given an output,
    it needs the platform key like every job (V27: the exemption kept for any output)."""
    settings = make_settings(evidently=evidently_settings())
    definition = json.loads(built_definition(settings))
    publish = steps_by_name(definition)["PublishDriftMetrics"]
    assert "ProcessingOutputConfig" not in publish["Arguments"]
    assert job_security_problems(publish, settings, volume_kms=True) == []

    publish["Arguments"]["ProcessingOutputConfig"] = {"Outputs": []}
    assert job_security_problems(publish, settings, volume_kms=True) == [
        f"output KMS key is None, expected {settings.kms_key_arn!r}"
    ]


def test_the_baselining_jobs_volume_key_follows_their_own_instance_type_not_the_data_steps() -> None:
    """Preprocess on an NVMe type (no volume key: SageMaker refuses one), the baselining jobs on an
    EBS type (the platform key): the guard checks each against its own type (V30: the baselining
    jobs checked with the data steps' flag refuse the correct definition)."""
    steps = steps_by_name(
        json.loads(
            build_definition(
                make_settings(processing_instance_type="ml.m5d.xlarge", baseline_instance_type="ml.m5.xlarge")
            )
        )
    )

    assert "VolumeKmsKeyId" not in steps["Preprocess"]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    for name in ("DataQualityBaseline", "ModelQualityBaseline"):
        assert steps[name]["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KMS_KEY


def test_a_model_package_group_name_is_refused_one_past_sagemakers_63_characters() -> None:
    """CreateModelPackage's ModelPackageGroupName (EntityName): at most 63 characters (V34: 71 let
    through, and registration failed on every execution that passed the gate)."""
    assert len(make_settings(model_package_group_name="g" * 63).model_package_group_name) == 63
    with pytest.raises(ValueError, match=r"model_package_group_name 'g{64}': use letters"):
        make_settings(model_package_group_name="g" * 64)


def test_a_short_tuning_job_still_gets_sagemakers_minimum_runtime() -> None:
    """ResourceLimits.MaxRuntimeInSeconds is 120 s at least: one 60 s job (the stack file's shortest
    ``max_run_seconds``) must not give 60 (T09: the lower clamp dropped)."""
    tuning = TuningSettings(
        objective_metric="validation:auc",
        objective_type="Maximize",
        parameters={"eta": ParameterRange("continuous", 0.1, 0.3)},
        max_jobs=1,
    )

    assert tuning_runtime(tuning, 60) == MIN_TUNING_RUNTIME_SECONDS == 120
    assert tuning_runtime(tuning, 600) == 600


def test_every_job_output_is_uploaded_once_the_job_ends(built, at_the_limits) -> None:
    """The next steps read what a job wrote (splits, reports, property files) once it succeeded; in
    Continuous mode SageMaker uploads each file as it changes, so a failed or stopped job would leave
    partial splits and reports under the execution's prefix, and the Evidently report's summary
    could be read mid-write (E12: ``EndOfJob`` changed to ``Continuous`` in the shared helper)."""
    for _, definition in (built, at_the_limits):
        outputs = [
            output
            for step in steps_by_name(definition).values()
            if step["Type"] == "Processing"
            for output in step["Arguments"].get("ProcessingOutputConfig", {}).get("Outputs", [])
        ]
        assert outputs
        assert {output["S3Output"]["S3UploadMode"] for output in outputs} == {"EndOfJob"}


def test_track_experiment_reaches_the_server_briefly_and_logs_the_label_with_the_parameters() -> None:
    """The script finds the server by ``MLFLOW_TRACKING_URI`` alone (D66: dropped, every run fails to
    log); a few API calls are stopped at 15 minutes whatever the family's training limit (D67: the
    family's limit, up to 9 days of a stuck job); the run's parameters are what the training job
    got, the platform's label among them (D68: the label left out)."""
    settings = make_settings(experiment_tracking=tracking_settings(), max_run_seconds=7200)
    track = steps_by_name(json.loads(built_definition(settings)))["TrackExperiment"]["Arguments"]
    arguments = track["AppSpecification"]["ContainerArguments"]
    params = [arguments[i + 1] for i, item in enumerate(arguments) if item == "--param"]

    assert track["Environment"]["MLFLOW_TRACKING_URI"] == TRACKING_SERVER
    assert track["StoppingCondition"]["MaxRuntimeInSeconds"] == 900
    assert params == sorted(
        [f"{key}={value}" for key, value in settings.hyperparameters.items()] + ["label=churned"]
    )


def test_the_run_is_named_by_the_execution_id_and_its_metrics_and_id_read_where_they_are_written(
    tracked_settings, tracked_json
) -> None:
    """TrackExperiment names the run after the execution id (D71: the ARN, which the script's
    ``--run-name`` does not take), logs each evaluation metric read at ``metrics.<name>.value`` of
    the report (D69: ``metrics.<name>``, an object, logged as no number), and RegisterModel reads
    the run id at ``run_id`` of the ``run.json`` the script writes (D86: another key, and the
    registration fails to resolve it)."""
    settings = tracked_settings
    steps = steps_by_name(json.loads(tracked_json))
    track = steps["TrackExperiment"]
    arguments = track["Arguments"]["AppSpecification"]["ContainerArguments"]
    metrics = [
        arguments[i + 1]["Std:Join"]["Values"] for i, item in enumerate(arguments) if item == "--metric"
    ]
    [run_file] = track["PropertyFiles"]
    run_id = steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]["mlflow_run_id"]["Std:JsonGet"]

    assert arguments[arguments.index("--run-name") + 1] == {"Get": "Execution.PipelineExecutionId"}
    assert [(name, value["Std:JsonGet"]["Path"]) for name, value in metrics] == [
        (metric, f"metrics.{metric}.value") for metric in settings.evaluation_metrics
    ]
    assert run_file["FilePath"] == track_experiment.RUN_FILE
    assert run_id == {
        "PropertyFile": {"Get": "Steps.TrackExperiment.PropertyFiles.ExperimentRun"},
        "Path": "run_id",
    }
    assert run_file["PropertyFileName"] == "ExperimentRun"


def test_the_registry_links_the_server_extract_keeps_the_familys_limit_and_grid_tries_every_value() -> None:
    """The version's ``mlflow_tracking_server_arn`` is the server's (D93: the tracking role's ARN);
    ExtractFeatures' Athena query runs under the family's limit, not TrackExperiment's 15 minutes
    (D98); a categorical range sends every value to try (D102: the first one only, a search of one)."""
    settings = make_settings(
        experiment_tracking=tracking_settings(),
        feature_input=feature_settings(columns=("customer_id", "event_time", "churned")),
        max_run_seconds=5400,
        tuning=TuningSettings(
            objective_metric="validation:auc",
            objective_type="Maximize",
            strategy="Grid",
            parameters={"depth": ParameterRange("categorical", values=("15", "31", "63"))},
        ),
    )
    steps = steps_by_name(json.loads(built_definition(settings)))
    [grid] = steps["Tune"]["Arguments"]["HyperParameterTuningJobConfig"]["ParameterRanges"][
        "CategoricalParameterRanges"
    ]

    assert (
        steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]["mlflow_tracking_server_arn"]
        == TRACKING_SERVER
    )
    assert steps["ExtractFeatures"]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] == 5400
    assert grid == {"Name": "depth", "Values": ["15", "31", "63"]}


@pytest.mark.parametrize("step_type", ["QualityCheck", "ClarifyCheck"])
def test_a_check_step_is_held_to_the_job_posture_like_a_processing_step(step_type: str) -> None:
    """A QualityCheck or ClarifyCheck step is a CreateProcessingJob: the guard (and the readers of
    other pipelines' definitions that use it) checks its keys and network too (V36: only
    ``Processing`` checked, a check step passing with none of them)."""
    step = {"Name": "Check", "Type": step_type, "Arguments": {}}

    assert job_security_problems(step, make_settings(), volume_kms=True) == [
        f"volume KMS key is None, expected {KMS_KEY!r}",
        f"output KMS key is None, expected {KMS_KEY!r}",
        f"VpcConfig is None, expected {{'Subnets': {list(SUBNETS)!r}, 'SecurityGroupIds': {list(SECURITY_GROUPS)!r}}}",
        "inter-container traffic encryption is off",
        "EnableNetworkIsolation is None, expected True",
    ]
