"""The TrackExperiment step: logs an execution to the MLflow tracking server (see
``_definition_steps`` for its image).

Imported only inside ``components.training._offline_sdk.sealed``, through ``_definition_steps``
(importing the SDK has side effects, see there).
"""

from __future__ import annotations

from typing import Any

from sagemaker.core.network import NetworkConfig
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow import (
    ProcessingStep,
    TrainingStep,
    TuningStep,
)

from ._definition_jobs import (
    REPORT_FILE,
    RUN_FILE,
    TRACKING_OUTPUT,
    VOLUME_SIZE_GB,
    _distribution_image,
    _job_name,
    _output_uri,
    _run_uri,
    container_argument,
    supports_volume_kms,
)
from ._definition_training import (
    _model_artifacts,
    _training_job_name,
)
from ._evidently_steps import s3_output
from .definition import (
    EXPERIMENT_RUN,
    STEP_TRACK,
    TRACKING_INSTANCE_TYPE,
    TrainingPipelineSettings,
)


def _track_step(
    settings: TrainingPipelineSettings,
    session: Any,
    train: TrainingStep | TuningStep,
    evaluate: ProcessingStep,
    report: PropertyFile,
) -> tuple[ProcessingStep, PropertyFile]:
    """Log the execution to the MLflow tracking server; its ``run.json`` names the run.

    Not network-isolated (it calls the tracking server through the VPC endpoint), and therefore
    given nothing to read: its only input is its script. The metrics come from Evaluate's report
    by ``JsonGet``, the model by reference (artifact URI and training job name), the rest from the
    settings; each argument is one ContainerArguments entry (at most 256 characters, so a long
    hyperparameter value is cut). It runs as the tracking role, not the data steps' role.
    """
    tracking = settings.experiment_tracking
    assert tracking is not None
    volume_kms = supports_volume_kms(TRACKING_INSTANCE_TYPE)
    processor = ScriptProcessor(
        role=tracking.role_arn,
        image_uri=_distribution_image(settings.region),
        command=["python3"],
        instance_count=1,
        instance_type=TRACKING_INSTANCE_TYPE,
        volume_size_in_gb=VOLUME_SIZE_GB,
        volume_kms_key=settings.kms_key_arn if volume_kms else None,
        output_kms_key=settings.kms_key_arn,
        max_runtime_in_seconds=TRACKING_MAX_RUNTIME_SECONDS,
        base_job_name=_job_name(settings, "track-experiment"),
        sagemaker_session=session,
        env={"MLFLOW_TRACKING_URI": tracking.tracking_server_arn},
        network_config=NetworkConfig(
            enable_network_isolation=False,
            security_group_ids=list(settings.security_group_ids),
            subnets=list(settings.subnet_ids),
            encrypt_inter_container_traffic=True,
        ),
    )
    params = {**settings.hyperparameters, "label": settings.label_column}
    metrics: list[Any] = []
    for metric in settings.evaluation_metrics:
        value = JsonGet(step_name=evaluate.name, property_file=report, json_path=f"metrics.{metric}.value")
        metrics += ["--metric", Join(on="=", values=[metric, value])]
    tags = [
        ("sagemaker.pipeline", settings.pipeline_name),
        ("sagemaker.pipeline_execution_arn", ExecutionVariables.PIPELINE_EXECUTION_ARN),
        ("sagemaker.training_job", _training_job_name(train)),
        ("model.artifact_uri", _model_artifacts(train, settings)),
        ("model.package_group", settings.model_package_group_name),
        ("model.framework", f"{settings.framework} {settings.framework_version}"),
        ("evaluation.report_uri", _output_uri(evaluate, "evaluation", REPORT_FILE)),
    ]
    step_args = processor.run(
        code=tracking.script_uri,
        arguments=[
            "--experiment",
            settings.model_package_group_name,
            "--run-name",
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            *(
                item
                for key, value in sorted(params.items())
                for item in ("--param", container_argument(f"{key}={value}"))
            ),
            *metrics,
            *(item for key, value in tags for item in ("--tag", _key_value(key, value))),
        ],
        outputs=[s3_output("tracking", _run_uri(settings, STEP_TRACK, "tracking"), TRACKING_OUTPUT)],
    )
    run = PropertyFile(name=EXPERIMENT_RUN, output_name="tracking", path=RUN_FILE)
    return ProcessingStep(name=STEP_TRACK, step_args=step_args, property_files=[run]), run


def _key_value(key: str, value: Any) -> Any:
    """``key=value``: a plain string when the value is known now, else a Join resolved at run time."""
    return (
        container_argument(f"{key}={value}") if isinstance(value, str) else Join(on="=", values=[key, value])
    )


TRACKING_MAX_RUNTIME_SECONDS = 900
"""A handful of API calls; a stuck job is stopped long before it costs anything."""
