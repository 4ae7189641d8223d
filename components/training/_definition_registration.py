"""The RegisterModel step: the model package version, its metrics, its DriftCheckBaselines and
its lineage (CustomerMetadataProperties).

Imported only inside ``components.training._offline_sdk.sealed``, through ``_definition_steps``
(importing the SDK has side effects, see there).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sagemaker.core.drift_check_baselines import DriftCheckBaselines
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow import (
    ModelStep,
    ProcessingStep,
    TrainingStep,
    TuningStep,
)
from sagemaker.serve.model_builder import ModelBuilder

from ._definition_jobs import (
    CONTENT_TYPES,
    REGISTRATION_INSTANCE_TYPE,
    SERVING_CODE_DIR,
    _baseline_uri,
    _image,
    _Parameters,
)
from ._definition_training import (
    _model_artifacts,
)
from .definition import (
    CONSTRAINTS_FILE,
    DATA_MANIFEST_KEY,
    DATA_URI_KEY,
    EXECUTION_ARN_KEY,
    FAMILY_CODE_KEY,
    FEATURE_GROUP_KEY,
    FEATURE_SNAPSHOT_KEY,
    MLFLOW_RUN_ID_KEY,
    MLFLOW_SERVER_KEY,
    MODEL_QUALITY_DIR,
    PLATFORM_COMMIT_KEY,
    STATISTICS_FILE,
    STEP_REGISTER,
    TrainingPipelineSettings,
)


def _lineage_properties(
    settings: TrainingPipelineSettings, manifest: tuple[ProcessingStep, PropertyFile] | None
) -> dict[str, Any]:
    """Where the version came from (docs/lineage.md): always the execution ARN; with ``lineage``
    the platform's commit, the family code's hash and the training data's URI and manifest hash.
    The feature-group pair is :func:`_feature_lineage`'s."""
    properties: dict[str, Any] = {EXECUTION_ARN_KEY: ExecutionVariables.PIPELINE_EXECUTION_ARN}
    lineage = settings.lineage
    if lineage is None or manifest is None:
        return properties
    step, summary = manifest
    return {
        PLATFORM_COMMIT_KEY: lineage.platform_commit,
        FAMILY_CODE_KEY: lineage.family_code_sha256,
        **properties,
        DATA_URI_KEY: JsonGet(step_name=step.name, property_file=summary, json_path="input_uri"),
        DATA_MANIFEST_KEY: JsonGet(step_name=step.name, property_file=summary, json_path="manifest_sha256"),
    }


def _json_source(uri: Join) -> MetricsSource:
    return MetricsSource(content_type="application/json", s3_uri=uri)


def _register_step(
    settings: TrainingPipelineSettings,
    session: Any,
    parameters: _Parameters,
    train: TrainingStep | TuningStep,
    report_uri: Join,
    depends_on: list[ProcessingStep],
    run: tuple[ProcessingStep, PropertyFile] | None = None,
    manifest: tuple[ProcessingStep, PropertyFile] | None = None,
    features: tuple[ProcessingStep, PropertyFile] | None = None,
) -> ModelStep:
    builder = ModelBuilder(
        # The build (CPU or GPU) of the instances that serve the versions; where the stack serves
        # none, of the training instance.
        image_uri=_image(
            settings, "inference", settings.inference_instance_type or settings.training_instance_type
        ),
        s3_model_data_url=_model_artifacts(train, settings),
        role_arn=settings.role_arn,
        sagemaker_session=session,
        instance_type=REGISTRATION_INSTANCE_TYPE,
        # Falsy, or ModelBuilder packages and uploads inference code of its own.
        dependencies={},
        env_vars={
            "SAGEMAKER_PROGRAM": PurePosixPath(settings.script_uris["train"]).name,
            "SAGEMAKER_SUBMIT_DIRECTORY": SERVING_CODE_DIR,
            "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
            "SAGEMAKER_REGION": settings.region,
        },
        log_level=None,  # the default (DEBUG) would re-level the SDK's logger for the whole process
    )
    step_args = builder.register(
        model_package_group_name=settings.model_package_group_name,
        content_types=CONTENT_TYPES,
        response_types=CONTENT_TYPES,
        approval_status=parameters.approval_status,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(content_type="application/json", s3_uri=report_uri)
        ),
        # What this version is monitored against once deployed (stacks/model_packages.py reads it).
        drift_check_baselines=DriftCheckBaselines(
            model_data_statistics=_json_source(_baseline_uri(settings, STATISTICS_FILE)),
            model_data_constraints=_json_source(_baseline_uri(settings, CONSTRAINTS_FILE)),
            model_statistics=_json_source(_baseline_uri(settings, MODEL_QUALITY_DIR, STATISTICS_FILE)),
            model_constraints=_json_source(_baseline_uri(settings, MODEL_QUALITY_DIR, CONSTRAINTS_FILE)),
        )
        if settings.model_monitor_baselines
        else None,
        # The version's lineage, and its MLflow run (what its metrics and parameters were) when
        # the stack tracks.
        customer_metadata_properties={
            **_lineage_properties(settings, manifest),
            **_feature_lineage(settings, features),
            **(
                {
                    MLFLOW_RUN_ID_KEY: JsonGet(
                        step_name=run[0].name, property_file=run[1], json_path="run_id"
                    ),
                    MLFLOW_SERVER_KEY: settings.experiment_tracking.tracking_server_arn,
                }
                if run is not None and settings.experiment_tracking is not None
                else {}
            ),
        },
    )
    return ModelStep(name=STEP_REGISTER, step_args=step_args, depends_on=list(depends_on))


def _feature_lineage(
    settings: TrainingPipelineSettings, features: tuple[ProcessingStep, PropertyFile] | None
) -> dict[str, Any]:
    """The feature group the training set came from and the snapshot time ExtractFeatures resolved
    (``FeatureSnapshotTime``, or the execution's start), from its ``snapshot.json``."""
    if settings.feature_input is None or features is None:
        return {}
    step, snapshot = features
    return {
        FEATURE_GROUP_KEY: settings.feature_input.feature_group_name,
        FEATURE_SNAPSHOT_KEY: JsonGet(step_name=step.name, property_file=snapshot, json_path="as_of"),
    }
