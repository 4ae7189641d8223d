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

The settings and their parts live beside this module, each name still importable from here: the
names and limits (definition_names.py), the settings (definition_settings.py), their checks
(definition_checks.py, with the patterns of definition_patterns.py) and their optional sections
(definition_sections.py); this module builds and verifies the definition.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..instance_types import has_instance_store
from .definition_names import (
    APPROVAL_STATUSES,
    BASELINE_STEPS,
    BASELINES_PREFIX,
    CONSTRAINTS_FILE,
    DATA_MANIFEST_KEY,
    DATA_URI_KEY,
    DATASET_MANIFEST,
    EVALUATION_REPORT,
    EXECUTION_ARN_KEY,
    EXECUTION_ID_MAX,
    EXPERIMENT_RUN,
    EXTRACT_FIXED_ARGUMENTS,
    EXTRACT_INSTANCE_TYPE,
    FAMILY_CODE_KEY,
    FEATURE_GROUP_KEY,
    FEATURE_SNAPSHOT,
    FEATURE_SNAPSHOT_KEY,
    GROUND_TRUTH_COLUMN,
    LINEAGE_KEYS,
    MAX_CONTAINER_ARGUMENTS,
    MAX_FEATURE_COLUMNS,
    MAX_RUNTIME_SECONDS,
    METRIC_DIRECTIONS,
    METRIC_NAME,
    MLFLOW_RUN_ID_KEY,
    MLFLOW_SERVER_KEY,
    MODEL_QUALITY_DIR,
    PLATFORM_COMMIT_KEY,
    PREDICTION_COLUMN,
    PROBABILITY_COLUMN,
    PROBABILITY_THRESHOLD,
    PROBLEM_TYPES,
    RESERVED_HYPERPARAMETERS,
    SCRIPT_KEYS,
    SNAPSHOT_AT_START,
    SNAPSHOT_PARAMETER,
    STATISTICS_FILE,
    STEP_CHECK,
    STEP_DATA_BASELINE,
    STEP_EVALUATE,
    STEP_EXTRACT,
    STEP_FAIL,
    STEP_MANIFEST,
    STEP_MODEL_BASELINE,
    STEP_PREPROCESS,
    STEP_REGISTER,
    STEP_TRACK,
    STEP_TRAIN,
    STEP_TUNE,
    TRACK_FIXED_ARGUMENTS,
    TRACKING_INSTANCE_TYPE,
    UNKNOWN_COMMIT,
    ProblemType,
    processing_runtime,
)
from .definition_patterns import _METADATA_VALUE_MAX, COMMIT_PATTERN
from .definition_sections import (
    ExperimentTrackingSettings,
    FeatureInputSettings,
    LineageSettings,
    execution_arn_length,
    tracking_argument_count,
    tracking_arguments,
)
from .definition_settings import TrainingPipelineSettings
from .evidently import (
    PUBLISH_INSTANCE_TYPE,
    STEP_EVIDENTLY,
    STEP_PUBLISH_DRIFT,
)

# What this module has always offered, wherever it is defined now (components, stacks, delivery,
# tests, adopters).
__all__ = [
    "APPROVAL_STATUSES",
    "BASELINES_PREFIX",
    "BASELINE_STEPS",
    "COMMIT_PATTERN",
    "CONSTRAINTS_FILE",
    "DATASET_MANIFEST",
    "DATA_MANIFEST_KEY",
    "DATA_URI_KEY",
    "EVALUATION_REPORT",
    "EXECUTION_ARN_KEY",
    "EXECUTION_ID_MAX",
    "EXPERIMENT_RUN",
    "EXTRACT_FIXED_ARGUMENTS",
    "EXTRACT_INSTANCE_TYPE",
    "FAMILY_CODE_KEY",
    "FEATURE_GROUP_KEY",
    "FEATURE_SNAPSHOT",
    "FEATURE_SNAPSHOT_KEY",
    "GROUND_TRUTH_COLUMN",
    "LINEAGE_KEYS",
    "MAX_CONTAINER_ARGUMENTS",
    "MAX_FEATURE_COLUMNS",
    "MAX_RUNTIME_SECONDS",
    "METRIC_DIRECTIONS",
    "METRIC_NAME",
    "MLFLOW_RUN_ID_KEY",
    "MLFLOW_SERVER_KEY",
    "MODEL_QUALITY_DIR",
    "PLATFORM_COMMIT_KEY",
    "PREDICTION_COLUMN",
    "PROBABILITY_COLUMN",
    "PROBABILITY_THRESHOLD",
    "PROBLEM_TYPES",
    "RESERVED_HYPERPARAMETERS",
    "SCRIPT_KEYS",
    "SNAPSHOT_AT_START",
    "SNAPSHOT_PARAMETER",
    "STATISTICS_FILE",
    "STEP_CHECK",
    "STEP_DATA_BASELINE",
    "STEP_EVALUATE",
    "STEP_EXTRACT",
    "STEP_FAIL",
    "STEP_MANIFEST",
    "STEP_MODEL_BASELINE",
    "STEP_PREPROCESS",
    "STEP_REGISTER",
    "STEP_TRACK",
    "STEP_TRAIN",
    "STEP_TUNE",
    "TRACKING_INSTANCE_TYPE",
    "TRACK_FIXED_ARGUMENTS",
    "UNKNOWN_COMMIT",
    "ExperimentTrackingSettings",
    "FeatureInputSettings",
    "LineageSettings",
    "ProblemType",
    "TrainingPipelineSettings",
    "build_definition",
    "execution_arn_length",
    "expected_lineage_keys",
    "iter_steps",
    "job_security_problems",
    "lineage_metadata_problems",
    "normalise",
    "processing_runtime",
    "tracking_argument_count",
    "tracking_arguments",
    "verify",
]


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
