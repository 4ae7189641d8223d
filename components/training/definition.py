"""A model family's training pipeline: settings and a side-effect-free definition builder.

    definition = build_definition(TrainingPipelineSettings(...))   # SageMaker Pipelines JSON

Preprocess -> Train -> Evaluate -> CheckMetric -> (DataQualityBaseline, ModelQualityBaseline ->
RegisterModel) | MetricBelowThreshold. The steps run the family's own scripts (``models/<family>/``)
on its framework's SageMaker image; the platform passes each script the family's label and
metrics and reads back what the contract in ``models/README.md`` asks for. A model that passes
the metric gets its Model Monitor
baselines (``baselines/<model_package_group_name>/<execution id>/`` in the artifact bucket) and is
registered only once they are written, with them as its DriftCheckBaselines: what the monitors of
an endpoint serving that version read (without ``model_monitor_baselines``, neither: the passing
branch is RegisterModel alone). With ``experiment_tracking``, TrackExperiment runs after
Evaluate and logs the execution to an MLflow tracking server; RegisterModel records the run id (see
:class:`ExperimentTrackingSettings`, the one job without network isolation). With ``lineage``,
DatasetManifest fingerprints the training data beside Preprocess, and RegisterModel records where
the version came from (:class:`LineageSettings`, docs/lineage.md). With ``feature_input``,
ExtractFeatures runs first and reads the training set from a feature group's offline store at the
``FeatureSnapshotTime`` parameter; Preprocess reads its output and RegisterModel records the group
and the snapshot time (:class:`FeatureInputSettings`, docs/feature-store.md). Every job runs in the given
private subnets with inter-container traffic encryption and network isolation (when enabled),
encrypts its volumes and outputs with the given KMS key, and writes only under the artifact
bucket. Building the definition makes no AWS call and uploads nothing: the step scripts are S3
objects the caller uploaded (``script_uris``), and the SDK runs sealed off from the machine's AWS
setup (``components.training._offline_sdk``). The same settings always give the same JSON,
so the function can run inside a Pulumi ``apply``.

Importing this module is cheap; the SageMaker SDK (several seconds to import) is only loaded by
:func:`build_definition`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

from ..instance_types import has_instance_store
from ..limits import PROCESSING_MAX_RUNTIME_SECONDS, listed
from ..naming import pipeline_name_problem
from .evidently import (
    PUBLISH_INSTANCE_TYPE,
    STEP_EVIDENTLY,
    STEP_PUBLISH_DRIFT,
    EvidentlySettings,
    evidently_problems,
)
from .frameworks import FRAMEWORKS
from .tuning import TuningSettings, as_text, tuning_problems

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


_PACKAGE_GROUP = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+\Z")
_ACCOUNT = re.compile(r"^[0-9]{12}\Z")
_TRACKING_SERVER_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):mlflow-tracking-server/(?=.{1,256}\Z)[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}\Z"
)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+\Z")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):[0-9]{12}:key/[A-Za-z0-9_-]+\Z")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?\Z")
_SUBNET = re.compile(r"^subnet-[0-9a-f]+\Z")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]+\Z")
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+\Z")
_METRIC_PATH = re.compile(r"^metrics\.(?P<metric>[a-z0-9_]+)\.value\Z")
_METRIC_NAME = re.compile(METRIC_NAME)
_FRAMEWORK_VERSION = re.compile(r"^[0-9][A-Za-z0-9_.-]*\Z")
_PY_VERSION = re.compile(r"^py[0-9]+\Z")
_COLUMN = re.compile(r"^[A-Za-z0-9_.\-]{1,128}\Z")
COMMIT_PATTERN = r"^([0-9a-f]{7,40}(-dirty)?|unknown)\Z"
"""A platform commit as lineage records it: a git commit id (``-dirty`` with uncommitted changes)."""
_COMMIT = re.compile(COMMIT_PATTERN)
_SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
_METADATA_VALUE_MAX = 256
"""CreateModelPackage: a CustomerMetadataProperties value has 1-256 characters (at most 50 entries)."""


@dataclass(frozen=True)
class ExperimentTrackingSettings:
    """Log every execution to an MLflow tracking server and link the model package to the run.

    Adds the TrackExperiment step after Evaluate: a processing job running ``script_uri`` (the
    platform's ``components/training/steps/track_experiment.py``) on the SageMaker Distribution
    image, which has mlflow and the sagemaker-mlflow plugin. It is the pipeline's one job that is
    *not* network-isolated (it must reach the tracking server's VPC endpoint), and what keeps it
    from being a way out for data is that it runs in the private subnets with the jobs' security
    groups, takes no input but its script (metrics, hyperparameters and the model's location
    arrive as arguments), and runs as its own role (``role_arn``), which must not be the data
    steps' execution role: the policy pack's ``pipeline-steps-network-isolated`` exception is
    exactly these conditions.
    """

    tracking_server_arn: str
    """ARN of the MLflow tracking server: the job's ``MLFLOW_TRACKING_URI``."""
    role_arn: str
    """Role of the TrackExperiment job: the server's ``sagemaker-mlflow:`` actions, its own script
    and output, and nothing of the datasets or models."""
    script_uri: str
    """s3:// URI of the uploaded track_experiment.py."""


@dataclass(frozen=True)
class FeatureInputSettings:
    """Read the training set from a feature group's offline store at a point in time.

    Adds the ExtractFeatures step before Preprocess: a processing job running ``script_uri`` (the
    platform's ``components/training/steps/extract_features.py``) on the SageMaker Distribution
    image, which asks Athena, through ``workgroup`` (results KMS-encrypted in the artifact bucket,
    enforced by the workgroup), for the latest record per record identifier with an event time at
    or before the snapshot time, deleted records left out, and writes those ``columns`` as the CSV
    Preprocess and DatasetManifest read. Like TrackExperiment it is not network-isolated (it calls
    Athena and SageMaker through the VPC endpoints), takes no input but its script and runs as its
    own role (``role_arn``: Athena on the one workgroup, Glue and S3 read of the group's offline
    store), never the data steps' role: the policy pack's ``pipeline-steps-network-isolated``
    exception. RegisterModel records the group and the snapshot time.
    """

    feature_group_name: str
    """Physical name of the feature group (recorded as ``feature_group_name``)."""
    workgroup: str
    """Athena workgroup the query runs in."""
    role_arn: str
    """Role of the ExtractFeatures job."""
    script_uri: str
    """s3:// URI of the uploaded extract_features.py."""
    columns: tuple[str, ...] = ()
    """Features written to the training set, in order; empty: every feature of the group."""


@dataclass(frozen=True)
class LineageSettings:
    """What every registered version records of where it came from (CustomerMetadataProperties).

    With it, the pipeline gets the DatasetManifest step (``manifest_script_uri``, the platform's
    ``components/training/steps/dataset_manifest.py``) and RegisterModel records the platform's
    commit, the family code's hash, the execution ARN, the training data's URI and its manifest's
    SHA-256. Without it, RegisterModel records the execution ARN only.
    """

    platform_commit: str
    """Git commit of the platform that built the definition (``unknown`` when not known)."""
    family_code_sha256: str
    """SHA-256 over the family's uploaded step scripts (see ``family_code_sha256``)."""
    manifest_script_uri: str
    """s3:// URI of the uploaded dataset_manifest.py."""


@dataclass(frozen=True)
class TrainingPipelineSettings:
    """Everything the definition depends on; invalid values raise ``ValueError`` on construction.

    Sequences and the script mapping are normalised to tuples and a read-only mapping, so a
    settings object is immutable and Pulumi outputs (lists, dicts) can be passed as they resolve.
    """

    pipeline_name: str
    region: str
    account_id: str
    role_arn: str
    """Execution role of every job (and of model registration)."""
    artifact_bucket: str
    """Bucket name. Job outputs go to s3://<bucket>/pipelines/<pipeline_name>/<execution-id>/...,
    model artifacts to s3://<bucket>/models/<pipeline_name>/<training-job>/output/model.tar.gz."""
    kms_key_arn: str
    """Output KMS key and volume KMS key of every job."""
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    model_package_group_name: str
    approval_status: str
    """Default of the ModelApprovalStatus parameter: "Approved" or "PendingManualApproval"."""
    metric_path: str
    """JsonGet path in evaluation.json, e.g. "metrics.auc.value"; the metric is one of
    ``evaluation_metrics``."""
    metric_threshold: float
    input_data_uri: str
    """Default of the InputDataUri parameter: an S3 prefix holding the raw CSV extract."""
    script_uris: Mapping[str, str]
    """{"preprocess": "s3://.../preprocess.py", "train": "s3://.../train.py", "evaluate": ...}."""
    framework: str
    """The family's framework (sklearn, xgboost, pytorch): every step runs on its image."""
    framework_version: str
    label_column: str
    """Passed to Preprocess and Evaluate as ``--label`` and to Train as the ``label`` hyperparameter."""
    problem_type: str
    """BinaryClassification, MulticlassClassification or Regression: the model-quality baseline's."""
    evaluation_metrics: tuple[str, ...]
    """What Evaluate must report (passed as ``--metrics``); ``metric_path`` names one of them."""
    py_version: str | None = None
    identifier_columns: tuple[str, ...] = ()
    """Passed to Preprocess and Evaluate as ``--identifiers``: never features."""
    metric_direction: str = "maximize"
    """``maximize``: the metric must be >= MetricThreshold to register; ``minimize``: <=."""
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    """The family's, passed to the training script with the platform's own (label, script mode)."""
    metric_definitions: tuple[tuple[str, str], ...] = ()
    """(name, regex) of the training-log metrics published to CloudWatch."""
    processing_instance_type: str = "ml.m5.xlarge"
    training_instance_type: str = "ml.m5.xlarge"
    training_instance_count: int = 1
    use_spot_instances: bool = False
    max_run_seconds: int = 3600
    """The training job's limit, and the processing jobs' (Preprocess, Evaluate, the baselining
    jobs...) up to their own ceiling of 9 days (:func:`processing_runtime`)."""
    max_wait_seconds: int | None = None
    """Required, and greater than max_run_seconds, with spot instances; rejected without them."""
    enable_network_isolation: bool = True
    baseline_instance_type: str = "ml.m5.xlarge"
    """Instance of the two Model Monitor baselining jobs (the Spark-based analyzer)."""
    model_monitor_baselines: bool = True
    """With them: DataQualityBaseline and ModelQualityBaseline (Model Monitor's analyzer image) run
    before RegisterModel, and the version registers them as its DriftCheckBaselines; without (an
    account Model Monitor is closed to), neither step runs and the version registers none."""
    experiment_tracking: ExperimentTrackingSettings | None = None
    """With a tracking server: the TrackExperiment step and the model package's link to its run;
    without, the pipeline has neither."""
    lineage: LineageSettings | None = None
    """With it: the DatasetManifest step and the version's full lineage; without, the execution ARN."""
    tuning: TuningSettings | None = None
    """With it: the Tune step (a hyperparameter tuning job over the Train step's exact training
    settings) replaces Train, and Evaluate, TrackExperiment and RegisterModel take its best job."""
    feature_input: FeatureInputSettings | None = None
    """With it: the training set comes from a feature group's offline store (the ExtractFeatures
    step, the ``FeatureSnapshotTime`` parameter) instead of ``input_data_uri`` (no ``InputDataUri``
    parameter then)."""
    evidently: EvidentlySettings | None = None
    """With it: EvidentlyReport on the run's training features against the family's reference, and
    PublishDriftMetrics (see ``components/training/evidently.py``); without, neither."""

    @property
    def baselines_uri(self) -> str:
        """The family's baselines folder. Each execution writes its own ``<execution id>/`` under it
        (``statistics.json`` and ``constraints.json`` of the training data, and of the test-split
        predictions in ``model_quality/``) and registers them with its model version as the
        version's DriftCheckBaselines: the monitors of an endpoint read the baselines of the version
        it serves, never those of a later version that is not (yet) approved."""
        return f"s3://{self.artifact_bucket}/{BASELINES_PREFIX}/{self.model_package_group_name}"

    def __post_init__(self) -> None:
        problems = []
        for name in ("subnet_ids", "security_group_ids"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                problems.append(f"{name} must be a sequence of ids, not {value!r}")
                value = ()
            object.__setattr__(self, name, tuple(value))
        for name in ("identifier_columns", "evaluation_metrics", "metric_definitions"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                problems.append(f"{name} must be a sequence, not {value!r}")
                value = ()
            object.__setattr__(self, name, tuple(tuple(v) if isinstance(v, list) else v for v in value))
        for name in ("script_uris", "hyperparameters"):
            mapping = getattr(self, name)
            if not isinstance(mapping, Mapping):
                problems.append(f"{name} must be a mapping, not {mapping!r}")
                mapping = {}
            object.__setattr__(self, name, MappingProxyType(dict(mapping)))
        problems += _problems(self)
        if problems:
            raise ValueError("invalid training pipeline settings:\n- " + "\n- ".join(problems))


def _problems(s: TrainingPipelineSettings) -> list[str]:
    """Every problem at once, each naming the field, what was given and what is expected."""
    key = _KMS_KEY_ARN.match(s.kms_key_arn) if isinstance(s.kms_key_arn, str) else None
    metric = _METRIC_PATH.match(s.metric_path) if isinstance(s.metric_path, str) else None
    bad_subnets = [x for x in s.subnet_ids if not (isinstance(x, str) and _SUBNET.match(x))]
    bad_groups = [x for x in s.security_group_ids if not (isinstance(x, str) and _SECURITY_GROUP.match(x))]
    missing_scripts = [name for name in SCRIPT_KEYS if name not in s.script_uris]
    unknown_scripts = sorted(set(s.script_uris) - set(SCRIPT_KEYS))
    checks = [
        (
            pipeline_name_problem(s.pipeline_name) is None,
            f"pipeline_name {s.pipeline_name!r}: use letters, digits and hyphens (at most 256)",
        ),
        (_matches(_REGION, s.region), f"region {s.region!r} is not an AWS region name such as 'eu-west-1'"),
        (_matches(_ACCOUNT, s.account_id), f"account_id {s.account_id!r} must be 12 digits"),
        (
            _matches(_ROLE_ARN, s.role_arn),
            f"role_arn {s.role_arn!r} must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
        ),
        (
            _matches(_BUCKET, s.artifact_bucket),
            f"artifact_bucket {s.artifact_bucket!r} must be a bucket name, not a URI",
        ),
        (
            key is not None,
            f"kms_key_arn {s.kms_key_arn!r} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
        ),
        (
            key is None or key["region"] == s.region,
            f"kms_key_arn is in region {key and key['region']!r}, but the jobs run in {s.region!r}",
        ),
        (bool(s.subnet_ids), "subnet_ids is empty: jobs must run in the platform's private subnets"),
        (
            len(s.subnet_ids) <= 16,
            f"subnet_ids has {len(s.subnet_ids)} entries; SageMaker accepts at most 16",
        ),
        (not bad_subnets, f"subnet_ids {bad_subnets!r} are not subnet ids (subnet-...)"),
        (bool(s.security_group_ids), "security_group_ids is empty: jobs need the platform's security groups"),
        (
            len(s.security_group_ids) <= 5,
            f"security_group_ids has {len(s.security_group_ids)} entries; SageMaker accepts at most 5",
        ),
        (not bad_groups, f"security_group_ids {bad_groups!r} are not security group ids (sg-...)"),
        (
            _matches(_PACKAGE_GROUP, s.model_package_group_name) and len(s.model_package_group_name) <= 63,
            f"model_package_group_name {s.model_package_group_name!r}: use letters, digits and hyphens (at most 63)",
        ),
        (
            s.approval_status in APPROVAL_STATUSES,
            f"approval_status {s.approval_status!r} must be one of {', '.join(APPROVAL_STATUSES)}",
        ),
        (
            metric is not None and metric["metric"] in s.evaluation_metrics,
            f"metric_path {s.metric_path!r} is not in the evaluation report; use one of {listed([f'metrics.{m}.value' for m in s.evaluation_metrics])}",
        ),
        (
            bool(s.evaluation_metrics) and all(_matches(_METRIC_NAME, m) for m in s.evaluation_metrics),
            f"evaluation_metrics {s.evaluation_metrics!r} must name at least one metric (lower-case letters, digits, _)",
        ),
        (
            s.metric_direction in METRIC_DIRECTIONS,
            f"metric_direction {s.metric_direction!r} must be one of {', '.join(METRIC_DIRECTIONS)}",
        ),
        (
            s.framework in FRAMEWORKS,
            f"framework {s.framework!r} must be one of {', '.join(FRAMEWORKS)}",
        ),
        (
            s.py_version is None or _matches(_PY_VERSION, s.py_version),
            f"py_version {s.py_version!r} must be a Python version tag such as 'py311'",
        ),
        (
            s.problem_type in PROBLEM_TYPES,
            f"problem_type {s.problem_type!r} must be one of {', '.join(PROBLEM_TYPES)}",
        ),
        (
            _matches(_COLUMN, s.label_column) and s.label_column not in s.identifier_columns,
            f"label_column {s.label_column!r} must be a column name that is not an identifier",
        ),
        (
            all(_matches(_COLUMN, c) for c in s.identifier_columns),
            f"identifier_columns {s.identifier_columns!r} must be column names",
        ),
        (
            not set(s.hyperparameters) & set(RESERVED_HYPERPARAMETERS),
            f"hyperparameters {sorted(set(s.hyperparameters) & set(RESERVED_HYPERPARAMETERS))} are set by the platform",
        ),
        (
            all(isinstance(d, tuple) and len(d) == 2 for d in s.metric_definitions),
            f"metric_definitions {s.metric_definitions!r} must be (name, regex) pairs",
        ),
        (_is_number(s.metric_threshold), f"metric_threshold {s.metric_threshold!r} must be a finite number"),
        (_matches(_S3_URI, s.input_data_uri), f"input_data_uri {s.input_data_uri!r} must be an s3:// URI"),
        (
            not missing_scripts,
            f"script_uris is missing {', '.join(map(repr, missing_scripts))}; it needs {', '.join(SCRIPT_KEYS)}",
        ),
        (
            not unknown_scripts,
            f"script_uris has unknown key(s) {', '.join(map(repr, unknown_scripts))}; expected {', '.join(SCRIPT_KEYS)}",
        ),
        *(
            (_is_script_uri(uri), f"script_uris[{name!r}] {uri!r} must be the s3:// URI of a .py object")
            for name, uri in s.script_uris.items()
        ),
        (
            not _is_script_uri(s.script_uris.get("train"))
            or _module_name(s.script_uris["train"]).isidentifier(),
            f"script_uris['train'] must end in an importable module name such as train.py: the serving "
            f"container imports it (SAGEMAKER_PROGRAM), not {s.script_uris.get('train')!r}",
        ),
        (
            _matches(_INSTANCE_TYPE, s.processing_instance_type),
            f"processing_instance_type {s.processing_instance_type!r} must be a SageMaker instance type such as 'ml.m5.xlarge'",
        ),
        (
            _matches(_INSTANCE_TYPE, s.training_instance_type),
            f"training_instance_type {s.training_instance_type!r} must be a SageMaker instance type such as 'ml.g5.xlarge'",
        ),
        (
            _matches(_INSTANCE_TYPE, s.baseline_instance_type),
            f"baseline_instance_type {s.baseline_instance_type!r} must be a SageMaker instance type such as 'ml.m5.xlarge'",
        ),
        (
            _is_int(s.training_instance_count) and s.training_instance_count >= 1,
            f"training_instance_count {s.training_instance_count!r} must be an integer >= 1",
        ),
        (
            _is_int(s.max_run_seconds) and 0 < s.max_run_seconds <= MAX_RUNTIME_SECONDS,
            f"max_run_seconds {s.max_run_seconds!r} must be between 1 and {MAX_RUNTIME_SECONDS}",
        ),
        *_spot_checks(s),
        (
            _matches(_FRAMEWORK_VERSION, s.framework_version),
            f"framework_version {s.framework_version!r} must be a version such as '1.2-1'",
        ),
        (
            isinstance(s.use_spot_instances, bool),
            f"use_spot_instances {s.use_spot_instances!r} must be a bool",
        ),
        (
            isinstance(s.enable_network_isolation, bool),
            f"enable_network_isolation {s.enable_network_isolation!r} must be a bool",
        ),
    ]
    return (
        [message for ok, message in checks if not ok]
        + _tracking_problems(s)
        + _lineage_problems(s)
        + _tuning_problems(s)
        + _feature_input_problems(s)
        + evidently_problems(s.evidently, region=s.region, account_id=s.account_id, data_role_arn=s.role_arn)
    )


def _tuning_problems(s: TrainingPipelineSettings) -> list[str]:
    if s.tuning is None:
        return []
    if not isinstance(s.tuning, TuningSettings):
        return [f"tuning {s.tuning!r} must be TuningSettings or None"]
    return [
        f"tuning.{as_text(location)}: {message}"
        for location, message in tuning_problems(
            s.tuning,
            hyperparameters=s.hyperparameters,
            metric_names=[d[0] for d in s.metric_definitions if isinstance(d, tuple) and d],
            reserved=RESERVED_HYPERPARAMETERS,
        )
    ]


def execution_arn_length(pipeline_name: str, region: str, account_id: str) -> int:
    """Longest ARN an execution of the pipeline can have (partition aws-us-gov, a 32-character id)."""
    prefix = f"arn:aws-us-gov:sagemaker:{region}:{account_id}:pipeline/{pipeline_name}/execution/"
    return len(prefix) + EXECUTION_ID_MAX


def _lineage_problems(s: TrainingPipelineSettings) -> list[str]:
    problems = []
    if isinstance(s.pipeline_name, str) and isinstance(s.region, str) and isinstance(s.account_id, str):
        length = execution_arn_length(s.pipeline_name, s.region, s.account_id)
        if length > _METADATA_VALUE_MAX:
            problems.append(
                f"pipeline_name {s.pipeline_name!r} is too long for lineage: its execution ARNs reach "
                f"{length} characters, and a model package's CustomerMetadataProperties value holds "
                f"{_METADATA_VALUE_MAX}"
            )
    lineage = s.lineage
    if lineage is None:
        return problems
    if not isinstance(lineage, LineageSettings):
        return [*problems, f"lineage {lineage!r} must be LineageSettings or None"]
    checks = [
        (
            _matches(_COMMIT, lineage.platform_commit),
            f"lineage.platform_commit {lineage.platform_commit!r} must be a git commit (7-40 hex digits, "
            f"optionally '-dirty') or {UNKNOWN_COMMIT!r}",
        ),
        (
            _matches(_SHA256, lineage.family_code_sha256),
            f"lineage.family_code_sha256 {lineage.family_code_sha256!r} must be 64 lowercase hex digits",
        ),
        (
            _is_script_uri(lineage.manifest_script_uri),
            f"lineage.manifest_script_uri {lineage.manifest_script_uri!r} must be the s3:// URI of a .py object",
        ),
    ]
    return problems + [message for ok, message in checks if not ok]


def _tracking_problems(s: TrainingPipelineSettings) -> list[str]:
    tracking = s.experiment_tracking
    if tracking is None:
        return []
    if not isinstance(tracking, ExperimentTrackingSettings):
        return [f"experiment_tracking {tracking!r} must be ExperimentTrackingSettings or None"]
    server = (
        _TRACKING_SERVER_ARN.match(tracking.tracking_server_arn)
        if isinstance(tracking.tracking_server_arn, str)
        else None
    )
    checks = [
        (
            server is not None,
            f"experiment_tracking.tracking_server_arn {tracking.tracking_server_arn!r} must be an MLflow "
            "tracking server ARN (arn:aws:sagemaker:<region>:<account>:mlflow-tracking-server/<name>)",
        ),
        (
            server is None or (server["region"], server["account"]) == (s.region, s.account_id),
            f"experiment_tracking.tracking_server_arn is not in the pipeline's region and account "
            f"({s.region}, {s.account_id})",
        ),
        (
            _matches(_ROLE_ARN, tracking.role_arn),
            f"experiment_tracking.role_arn {tracking.role_arn!r} must be an IAM role ARN",
        ),
        (
            tracking.role_arn != s.role_arn,
            "experiment_tracking.role_arn must not be role_arn: the step that reaches the network "
            "must not hold the data steps' credentials",
        ),
        (
            _is_script_uri(tracking.script_uri),
            f"experiment_tracking.script_uri {tracking.script_uri!r} must be the s3:// URI of a .py object",
        ),
        (
            tracking_arguments(s) <= MAX_CONTAINER_ARGUMENTS,
            f"experiment_tracking: TrackExperiment passes each hyperparameter (the label's too) and each "
            f"evaluation metric as two container arguments, {tracking_arguments(s)} in all with its "
            f"{TRACK_FIXED_ARGUMENTS} others, and a processing job takes {MAX_CONTAINER_ARGUMENTS}: at most "
            f"{(MAX_CONTAINER_ARGUMENTS - TRACK_FIXED_ARGUMENTS) // 2} hyperparameters, label and metrics together",
        ),
    ]
    return [message for ok, message in checks if not ok]


def tracking_arguments(s: TrainingPipelineSettings) -> int:
    """How many ContainerArguments entries TrackExperiment gets: its fixed ones, then a ``--param``
    pair per hyperparameter and the label, a ``--metric`` pair per evaluation metric."""
    return tracking_argument_count(s.hyperparameters, s.evaluation_metrics)


def tracking_argument_count(hyperparameters: Iterable[str], metrics: Sequence[str]) -> int:
    """:func:`tracking_arguments` from a family's hyperparameter names and evaluation metrics (what
    stack validation has before any settings are built)."""
    params = len(set(hyperparameters) | {"label"})
    return TRACK_FIXED_ARGUMENTS + 2 * params + 2 * len(metrics)


_WORKGROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}\Z")
# FeatureGroupName / FeatureName: 1-64 characters (the pattern alone bounds only the letters and digits).
_FEATURE_GROUP = re.compile(r"^(?=.{1,64}\Z)[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}\Z")


def _feature_input_problems(s: TrainingPipelineSettings) -> list[str]:
    features = s.feature_input
    if features is None:
        return []
    if not isinstance(features, FeatureInputSettings):
        return [f"feature_input {features!r} must be FeatureInputSettings or None"]
    columns = features.columns
    checks = [
        (
            _matches(_FEATURE_GROUP, features.feature_group_name),
            f"feature_input.feature_group_name {features.feature_group_name!r} must be a feature group name "
            "(1-64 letters or digits, separated by - or _)",
        ),
        (
            _matches(_WORKGROUP, features.workgroup),
            f"feature_input.workgroup {features.workgroup!r} must be an Athena workgroup name "
            "(1-128 letters, digits, '.', '_' or '-')",
        ),
        (
            _matches(_ROLE_ARN, features.role_arn),
            f"feature_input.role_arn {features.role_arn!r} must be an IAM role ARN",
        ),
        (
            features.role_arn not in (s.role_arn, getattr(s.experiment_tracking, "role_arn", None)),
            "feature_input.role_arn must be neither role_arn nor the tracking role: the step that reaches "
            "the network holds only what the extract needs",
        ),
        (
            _is_script_uri(features.script_uri),
            f"feature_input.script_uri {features.script_uri!r} must be the s3:// URI of a .py object",
        ),
        (
            isinstance(columns, tuple)
            and all(_matches(_FEATURE_GROUP, c) for c in columns)
            and len(set(columns)) == len(columns),
            f"feature_input.columns {columns!r} must be distinct feature names",
        ),
        (
            # One ContainerArguments pair per column; CreateProcessingJob takes at most 100 entries.
            isinstance(columns, tuple) and len(columns) <= MAX_FEATURE_COLUMNS,
            f"feature_input.columns has {len(columns) if isinstance(columns, tuple) else columns!r} entries; "
            f"at most {MAX_FEATURE_COLUMNS} (leave it empty for every feature of the group)",
        ),
        (
            not columns or s.label_column in columns,
            f"feature_input.columns must include the label column {s.label_column!r}",
        ),
    ]
    return [message for ok, message in checks if not ok]


def _spot_checks(s: TrainingPipelineSettings) -> list[tuple[bool, str]]:
    if not s.use_spot_instances:
        return [
            (
                s.max_wait_seconds is None,
                "max_wait_seconds only applies with use_spot_instances; SageMaker rejects it for on-demand training",
            )
        ]
    if s.max_wait_seconds is None:
        return [
            (
                False,
                "use_spot_instances needs max_wait_seconds (how long to wait for spot capacity, greater than max_run_seconds)",
            )
        ]
    ok = (
        _is_int(s.max_wait_seconds)
        and _is_int(s.max_run_seconds)
        and s.max_run_seconds < s.max_wait_seconds <= MAX_RUNTIME_SECONDS
    )
    return [
        (
            ok,
            f"max_wait_seconds ({s.max_wait_seconds!r}) must be greater than max_run_seconds ({s.max_run_seconds!r}) and at most {MAX_RUNTIME_SECONDS}",
        )
    ]


def _matches(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None


def _is_script_uri(uri: object) -> bool:
    return _matches(_S3_URI, uri) and str(uri).endswith(".py") and "/" in str(uri).removeprefix("s3://")


def _module_name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1].removesuffix(".py")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def build_definition(settings: TrainingPipelineSettings) -> str:
    """The pipeline definition JSON for ``settings``: deterministic, no AWS call, no upload.

    Raises ``ValueError`` for settings the SDK rejects (a framework version it has no image for),
    ``RuntimeError`` if the SDK output lost a security setting (see :func:`verify`) and
    ``components.training._offline_sdk.OfflineAwsError`` if the SDK ever tries to call AWS.
    """
    from . import _offline_sdk

    with _offline_sdk.sealed(settings.region):
        from . import _definition_steps

        definition = normalise(json.loads(_definition_steps.compose(settings).definition()))
        verify(
            definition,
            settings,
            processing_volume_kms=_definition_steps.supports_volume_kms(settings.processing_instance_type),
            training_volume_kms=_definition_steps.supports_volume_kms(settings.training_instance_type),
            baseline_volume_kms=_definition_steps.supports_volume_kms(settings.baseline_instance_type),
            tracking_volume_kms=_definition_steps.supports_volume_kms(TRACKING_INSTANCE_TYPE),
            extract_volume_kms=_definition_steps.supports_volume_kms(EXTRACT_INSTANCE_TYPE),
        )
    return json.dumps(definition)


def normalise(definition: dict[str, Any]) -> dict[str, Any]:
    """Deterministic clean-ups of what the SDK emits; each is a no-op on already clean input.

    - top-level keys the SDK fills with ``null`` (``PipelineExperimentConfig``, ``MlflowConfig``)
      are dropped: absent means the same and is what the service documents;
    - ``Tags`` on job steps are dropped: the SDK adds SageMaker Studio project tags it finds by
      walking up from the current directory, which would make the JSON depend on where it is built;
    - the empty ``Bias`` and ``Explainability`` blocks the SDK adds to ``ModelMetrics`` are dropped.
    """
    definition = {key: value for key, value in definition.items() if value is not None}
    for step in iter_steps(definition["Steps"]):
        arguments = step.get("Arguments", {})
        if step["Type"] in _JOB_TYPES:
            arguments.pop("Tags", None)
        metrics = arguments.get("ModelMetrics", {}) if step["Type"] == "RegisterModel" else {}
        for block in ("Bias", "Explainability"):
            if metrics.get(block) == {}:
                del metrics[block]
    return definition


def iter_steps(steps: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Every step of a definition, including those in a condition's if and else branches. Reads any
    pipeline's definition (the plan's and the pack's readers walk definitions they did not build):
    what is not an object is no step, and a step without arguments has no branches."""
    for step in steps:
        if not isinstance(step, dict):
            continue
        yield step
        arguments = step.get("Arguments")
        if step.get("Type") == "Condition" and isinstance(arguments, dict):
            yield from iter_steps(arguments.get("IfSteps") or [])
            yield from iter_steps(arguments.get("ElseSteps") or [])


_PROCESSING_JOB_TYPES = ("Processing", "QualityCheck", "ClarifyCheck")
"""Step types whose Arguments are a CreateProcessingJob request."""
_JOB_TYPES = (*_PROCESSING_JOB_TYPES, "Training", "Tuning")


def job_security_problems(
    step: dict[str, Any], settings: TrainingPipelineSettings, *, volume_kms: bool
) -> list[str]:
    """What a job step (processing, quality/clarify check, training, tuning) lacks of the platform's KMS
    and network posture.

    ``volume_kms`` is False for instance types with NVMe instance storage (ml.g5, ml.p4d, *d
    families...): their volumes are hardware-encrypted and SageMaker rejects a VolumeKmsKeyId.
    """
    arguments = step.get("Arguments", {})
    if step["Type"] in _PROCESSING_JOB_TYPES:
        volume = arguments.get("ProcessingResources", {}).get("ClusterConfig", {}).get("VolumeKmsKeyId")
        output = arguments.get("ProcessingOutputConfig", {}).get("KmsKeyId")
        network = arguments.get("NetworkConfig", {})
    elif step["Type"] in ("Training", "Tuning"):
        if step["Type"] == "Tuning":  # every job the tuning job starts is this definition
            arguments = arguments.get("TrainingJobDefinition", {})
        volume = arguments.get("ResourceConfig", {}).get("VolumeKmsKeyId")
        output = arguments.get("OutputDataConfig", {}).get("KmsKeyId")
        network = arguments
    else:
        return []
    vpc = {"Subnets": list(settings.subnet_ids), "SecurityGroupIds": list(settings.security_group_ids)}
    expected_volume = settings.kms_key_arn if volume_kms else None
    # TrackExperiment, ExtractFeatures and PublishDriftMetrics alone reach the network (the tracking
    # server, Athena, CloudWatch), each with no input but its script and its own role.
    networked = {
        STEP_TRACK: settings.experiment_tracking,
        STEP_EXTRACT: settings.feature_input,
        STEP_PUBLISH_DRIFT: settings.evidently,
    }
    isolated = settings.enable_network_isolation and step.get("Name") not in networked
    checks = [
        (volume == expected_volume, f"volume KMS key is {volume!r}, expected {expected_volume!r}"),
        (
            output == settings.kms_key_arn
            # PublishDriftMetrics writes nothing (it only calls CloudWatch): no output, no output key.
            or (step.get("Name") == STEP_PUBLISH_DRIFT and "ProcessingOutputConfig" not in arguments),
            f"output KMS key is {output!r}, expected {settings.kms_key_arn!r}",
        ),
        (network.get("VpcConfig") == vpc, f"VpcConfig is {network.get('VpcConfig')!r}, expected {vpc!r}"),
        (
            network.get("EnableInterContainerTrafficEncryption") is True,
            "inter-container traffic encryption is off",
        ),
        (
            network.get("EnableNetworkIsolation") is isolated,
            f"EnableNetworkIsolation is {network.get('EnableNetworkIsolation')!r}, expected {isolated}",
        ),
    ]
    if step.get("Name") in networked:
        inputs = arguments.get("ProcessingInputs", [])
        checks.append(
            (
                [i.get("InputName") for i in inputs] == ["code"],
                f"its inputs are {[i.get('InputName') for i in inputs]!r}, expected its script only",
            )
        )
        owner = networked[step["Name"]]
        # PublishDriftMetrics' role is the Evidently settings' publisher role.
        role = getattr(
            owner, "publisher_role_arn" if step["Name"] == STEP_PUBLISH_DRIFT else "role_arn", None
        )
        checks.append(
            (arguments.get("RoleArn") == role, f"its role is {arguments.get('RoleArn')!r}, expected {role!r}")
        )
    return [message for ok, message in checks if not ok]


def expected_lineage_keys(settings: TrainingPipelineSettings) -> tuple[str, ...]:
    """The lineage keys RegisterModel records for ``settings`` (the feature-group pair with
    ``feature_input``)."""
    features = (FEATURE_GROUP_KEY, FEATURE_SNAPSHOT_KEY) if settings.feature_input else ()
    if settings.lineage is None:
        return (EXECUTION_ARN_KEY, *features)
    return (
        PLATFORM_COMMIT_KEY,
        FAMILY_CODE_KEY,
        EXECUTION_ARN_KEY,
        DATA_URI_KEY,
        DATA_MANIFEST_KEY,
        *features,
    )


def lineage_metadata_problems(step: dict[str, Any], settings: TrainingPipelineSettings) -> list[str]:
    """What a RegisterModel step lacks of the version's lineage, or holds beyond the service's limits."""
    properties = step.get("Arguments", {}).get("CustomerMetadataProperties", {})
    missing = [key for key in expected_lineage_keys(settings) if key not in properties]
    problems = [f"CustomerMetadataProperties lacks lineage key(s) {missing}"] if missing else []
    if len(properties) > 50:
        problems.append(f"CustomerMetadataProperties has {len(properties)} entries; SageMaker accepts 50")
    problems += [
        f"CustomerMetadataProperties[{key!r}] = {value!r} is not 1-{_METADATA_VALUE_MAX} characters"
        for key, value in properties.items()
        if isinstance(value, str) and not 1 <= len(value) <= _METADATA_VALUE_MAX
    ]
    return problems


def verify(
    definition: dict[str, Any],
    settings: TrainingPipelineSettings,
    *,
    processing_volume_kms: bool,
    training_volume_kms: bool,
    baseline_volume_kms: bool,
    tracking_volume_kms: bool = True,
    extract_volume_kms: bool = True,
) -> None:
    """Refuse a definition in which a job lost its encryption or network settings.

    All of them are set through the SDK; this guards against an SDK upgrade that silently stops
    emitting one, which would otherwise ship an unencrypted or internet-facing job. Every job step
    is checked wherever it sits (condition branches included); the baselining jobs
    (``BASELINE_STEPS``) run on ``baseline_instance_type``, hence their own volume flag.
    """

    def volume_kms(step: dict[str, Any]) -> bool:
        if step["Name"] in BASELINE_STEPS:
            return baseline_volume_kms
        if step["Name"] == STEP_TRACK:
            return tracking_volume_kms
        if step["Name"] == STEP_EXTRACT:
            return extract_volume_kms
        if step["Name"] == STEP_PUBLISH_DRIFT:
            return not has_instance_store(PUBLISH_INSTANCE_TYPE)
        if step["Name"] == STEP_EVIDENTLY and settings.evidently is not None:
            return not has_instance_store(settings.evidently.instance_type)
        return training_volume_kms if step["Type"] in ("Training", "Tuning") else processing_volume_kms

    problems = [
        f"{step['Name']}: {problem}"
        for step in iter_steps(definition["Steps"])
        if step["Type"] in _JOB_TYPES
        for problem in job_security_problems(step, settings, volume_kms=volume_kms(step))
    ]
    if problems:
        raise RuntimeError(
            "the SageMaker SDK produced an insecure job definition:\n- " + "\n- ".join(problems)
        )
    lineage = [
        f"{step['Name']}: {problem}"
        for step in iter_steps(definition["Steps"])
        if step["Type"] == "RegisterModel"
        for problem in lineage_metadata_problems(step, settings)
    ]
    if lineage:
        raise RuntimeError("the SageMaker SDK lost the model version's lineage:\n- " + "\n- ".join(lineage))
