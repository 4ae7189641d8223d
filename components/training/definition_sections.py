"""The optional sections of the training pipeline settings and their checks: experiment tracking
(TrackExperiment), the feature group input (ExtractFeatures), lineage (DatasetManifest), and the
checks of tuning and of the container arguments TrackExperiment passes.

Each class and public function is re-exported by :mod:`components.training.definition`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .definition_names import (
    EXECUTION_ID_MAX,
    MAX_CONTAINER_ARGUMENTS,
    MAX_FEATURE_COLUMNS,
    RESERVED_HYPERPARAMETERS,
    TRACK_FIXED_ARGUMENTS,
    UNKNOWN_COMMIT,
)
from .definition_patterns import (
    _COMMIT,
    _METADATA_VALUE_MAX,
    _ROLE_ARN,
    _SHA256,
    _TRACKING_SERVER_ARN,
    _is_script_uri,
    _matches,
)
from .tuning import TuningSettings, as_text, tuning_problems

if TYPE_CHECKING:
    from .definition_settings import TrainingPipelineSettings


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
