"""Names and limits of a model family's training pipeline definition: its steps, property files and
parameters, the model package's metadata keys, the jobs' container argument and runtime limits, the
folders and files of the baselines and what the evaluation contract names (models/README.md).

Re-exported by :mod:`components.training.definition`, where they have always been importable.
"""

from __future__ import annotations

from typing import Literal, get_args

from ..limits import PROCESSING_MAX_RUNTIME_SECONDS

STEP_PREPROCESS, STEP_TRAIN, STEP_EVALUATE = "Preprocess", "Train", "Evaluate"
STEP_CHECK, STEP_REGISTER, STEP_FAIL = "CheckMetric", "RegisterModel", "MetricBelowThreshold"
STEP_DATA_BASELINE, STEP_MODEL_BASELINE = "DataQualityBaseline", "ModelQualityBaseline"
STEP_TUNE = "Tune"
"""With ``tuning``: the hyperparameter tuning job that replaces Train (its best job's model goes on)."""
STEP_TRACK = "TrackExperiment"
"""The platform's MLflow logging step (only with ``experiment_tracking``): the one job that is not
network-isolated, see :class:`ExperimentTrackingSettings`."""
EXPERIMENT_RUN = "ExperimentRun"
"""PropertyFile name of TrackExperiment's ``run.json`` (read by RegisterModel)."""
MLFLOW_RUN_ID_KEY, MLFLOW_SERVER_KEY = "mlflow_run_id", "mlflow_tracking_server_arn"
"""Keys of the model package's CustomerMetadataProperties that link a version to its MLflow run."""
STEP_MANIFEST = "DatasetManifest"
"""The platform's training-data fingerprint (with ``lineage``): runs beside Preprocess on the same
input, network-isolated, and writes the dataset manifest RegisterModel records the hash of."""
DATASET_MANIFEST = "DatasetManifestSummary"
"""PropertyFile name of DatasetManifest's ``summary.json`` (read by RegisterModel)."""
PLATFORM_COMMIT_KEY, FAMILY_CODE_KEY = "platform_commit", "family_code_sha256"
EXECUTION_ARN_KEY = "pipeline_execution_arn"
DATA_URI_KEY, DATA_MANIFEST_KEY = "training_data_uri", "training_data_manifest_sha256"
FEATURE_GROUP_KEY, FEATURE_SNAPSHOT_KEY = "feature_group_name", "feature_group_snapshot_time"
"""Recorded by a pipeline that reads its training set from a feature group's offline store
(:class:`FeatureInputSettings`): the group and the point in time of the snapshot."""
STEP_EXTRACT = "ExtractFeatures"
"""The platform's offline-store extract (with ``feature_input``): queries the feature group's
offline store with Athena at a point in time and writes the training set Preprocess reads; not
network-isolated (it calls Athena), see :class:`FeatureInputSettings`."""
FEATURE_SNAPSHOT = "FeatureSnapshot"
"""PropertyFile name of ExtractFeatures' ``snapshot.json`` (read by RegisterModel)."""
SNAPSHOT_PARAMETER = "FeatureSnapshotTime"
"""Pipeline parameter: the point in time of the offline-store snapshot (ISO 8601, UTC)."""
SNAPSHOT_AT_START = "execution-start"
"""Default of ``FeatureSnapshotTime``: the execution's start time."""
MAX_CONTAINER_ARGUMENTS = 100
"""CreateProcessingJob: AppSpecification.ContainerArguments holds at most 100 entries (of 256
characters each)."""
EXTRACT_FIXED_ARGUMENTS = 14
"""ExtractFeatures' entries besides its columns: seven options and their values."""
TRACK_FIXED_ARGUMENTS = 18
"""TrackExperiment's entries besides its parameters and metrics: the experiment, the run name and
seven tags, each an option and its value."""
MAX_FEATURE_COLUMNS = (MAX_CONTAINER_ARGUMENTS - EXTRACT_FIXED_ARGUMENTS) // 2
"""Columns ExtractFeatures can be given by name (43): two ContainerArguments entries each."""
EXTRACT_INSTANCE_TYPE = "ml.t3.medium"
"""ExtractFeatures only pages Athena's results into a CSV file: the smallest processing instance."""
LINEAGE_KEYS = (
    PLATFORM_COMMIT_KEY,
    FAMILY_CODE_KEY,
    EXECUTION_ARN_KEY,
    DATA_URI_KEY,
    DATA_MANIFEST_KEY,
    FEATURE_GROUP_KEY,
    FEATURE_SNAPSHOT_KEY,
)
"""CustomerMetadataProperties keys of a model version's lineage (docs/lineage.md), in display order."""
UNKNOWN_COMMIT = "unknown"
"""``platform_commit`` when the program cannot tell which commit it runs (no git, no CI value)."""
EXECUTION_ID_MAX = 32
"""Room left for a pipeline execution id in its ARN (SageMaker's ids are 12 characters)."""
TRACKING_INSTANCE_TYPE = "ml.t3.medium"
"""TrackExperiment only makes a few HTTPS calls: the smallest processing instance."""
BASELINE_STEPS = (STEP_DATA_BASELINE, STEP_MODEL_BASELINE)
"""Model Monitor analyzer jobs, run on the passing branch before RegisterModel."""
BASELINES_PREFIX = "baselines"
"""s3://<artifact_bucket>/baselines/<family>/<execution id>/: one execution's baselines (the family is
the model package group name); the model-quality baseline goes to its ``model_quality/``."""
MODEL_QUALITY_DIR = "model_quality"
STATISTICS_FILE, CONSTRAINTS_FILE = "statistics.json", "constraints.json"
"""What a Model Monitor analyzer (baselining) job writes to its output folder."""
ProblemType = Literal["BinaryClassification", "MulticlassClassification", "Regression"]
PROBLEM_TYPES: tuple[str, ...] = get_args(ProblemType)
METRIC_NAME = r"^[a-z][a-z0-9_]{0,62}$"
"""A metric of the evaluation report (``metrics.<name>.value``)."""
PROBABILITY_THRESHOLD = 0.5
"""Probability from which a binary prediction counts as positive: the evaluation contract's, and
the model-quality monitor's default (components/model_quality_spec.py)."""
PROBABILITY_COLUMN, PREDICTION_COLUMN, GROUND_TRUTH_COLUMN = "probability", "prediction", "label"
"""Columns of Evaluate's predictions.csv that the model-quality baselining job reads (the
probability only for binary classification); the contract of models/README.md."""

EVALUATION_REPORT = "EvaluationReport"
"""PropertyFile name of ``evaluation.json`` in the Evaluate step (read by CheckMetric)."""
SCRIPT_KEYS = ("preprocess", "train", "evaluate")
APPROVAL_STATUSES = ("Approved", "PendingManualApproval")
METRIC_DIRECTIONS = ("maximize", "minimize")
RESERVED_HYPERPARAMETERS = ("label", "sagemaker_program", "sagemaker_submit_directory")
"""Hyperparameters the platform sets for every family: the label, and the script-mode pair."""
MAX_RUNTIME_SECONDS = 28 * 24 * 3600
"""SageMaker's ceiling for a training job's MaxRuntimeInSeconds and MaxWaitTimeInSeconds."""


def processing_runtime(max_run_seconds: int) -> int:
    """A processing job's limit for the family's ``max_run_seconds``: the same, at most
    :data:`PROCESSING_MAX_RUNTIME_SECONDS` (a training job may run 28 days, a processing job 9)."""
    return min(max_run_seconds, PROCESSING_MAX_RUNTIME_SECONDS)
