"""The Train step, or with ``tuning`` the Tune step over the same trainer, and where their model
lands (the model artifacts and the training job Evaluate, TrackExperiment and RegisterModel take).

Imported only inside ``components.training._offline_sdk.sealed``, through ``_definition_steps``
(importing the SDK has side effects, see there).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sagemaker.core.parameter import CategoricalParameter, ContinuousParameter, IntegerParameter
from sagemaker.core.shapes import (
    HyperbandStrategyConfig,
    HyperParameterTuningJobStrategyConfig,
)
from sagemaker.core.training.configs import (
    CheckpointConfig,
    Compute,
    InputData,
    MetricDefinition,
    Networking,
    OutputDataConfig,
    StoppingCondition,
)
from sagemaker.core.workflow.functions import Join
from sagemaker.mlops.workflow import (
    ProcessingStep,
    TrainingStep,
    TuningStep,
)
from sagemaker.train.model_trainer import ModelTrainer
from sagemaker.train.tuner import HyperparameterTuner

from ._definition_jobs import (
    CHECKPOINT_DIR,
    CODE_CHANNEL_DIR,
    VOLUME_SIZE_GB,
    _image,
    _output_uri,
    _Parameters,
    _run_uri,
    supports_volume_kms,
)
from .definition import (
    STEP_TRAIN,
    STEP_TUNE,
    TrainingPipelineSettings,
)
from .tuning import ParameterRange, tuning_runtime


def _trainer(settings: TrainingPipelineSettings, session: Any, parameters: _Parameters) -> ModelTrainer:
    """The training job's settings, shared by Train and (with ``tuning``) every job Tune starts."""
    script = settings.script_uris["train"]
    spot = settings.use_spot_instances
    compute: dict[str, Any] = {
        "instance_type": parameters.training_instance_type,
        "instance_count": settings.training_instance_count,
        "volume_size_in_gb": VOLUME_SIZE_GB,
        "enable_managed_spot_training": spot,
    }
    if supports_volume_kms(settings.training_instance_type):
        compute["volume_kms_key_id"] = settings.kms_key_arn
    stopping: dict[str, Any] = {"max_runtime_in_seconds": settings.max_run_seconds}
    if spot:
        stopping["max_wait_time_in_seconds"] = settings.max_wait_seconds
    trainer = ModelTrainer(
        sagemaker_session=session,
        role=settings.role_arn,
        training_image=_image(settings, "training", settings.training_instance_type),
        base_job_name=f"{settings.pipeline_name}-train"[:50],
        compute=Compute(**compute),
        networking=Networking(
            subnets=list(settings.subnet_ids),
            security_group_ids=list(settings.security_group_ids),
            enable_network_isolation=settings.enable_network_isolation,
            enable_inter_container_traffic_encryption=True,
        ),
        stopping_condition=StoppingCondition(**stopping),
        output_data_config=OutputDataConfig(
            s3_output_path=_models_uri(settings),
            kms_key_id=settings.kms_key_arn,
        ),
        checkpoint_config=(
            CheckpointConfig(s3_uri=_run_uri(settings, "checkpoints"), local_path=CHECKPOINT_DIR)
            if spot
            else None
        ),
        # Script mode of the framework container's training toolkit, fed from the ``code``
        # channel rather than an S3 URL: the container is network-isolated and cannot download.
        # The family's own hyperparameters, then the platform's (RESERVED_HYPERPARAMETERS).
        hyperparameters={
            **settings.hyperparameters,
            "label": settings.label_column,
            "sagemaker_program": PurePosixPath(script).name,
            "sagemaker_submit_directory": CODE_CHANNEL_DIR,
        },
    )
    if settings.metric_definitions:
        trainer = trainer.with_metric_definitions(
            [MetricDefinition(name=name, regex=regex) for name, regex in settings.metric_definitions]
        )
    return trainer


def _models_uri(settings: TrainingPipelineSettings) -> str:
    """Where training jobs write ``<job name>/output/model.tar.gz``."""
    return f"s3://{settings.artifact_bucket}/{_models_prefix(settings)}"


def _models_prefix(settings: TrainingPipelineSettings) -> str:
    return f"models/{settings.pipeline_name}"


def _training_inputs(settings: TrainingPipelineSettings, preprocess: ProcessingStep) -> list[InputData]:
    return [
        InputData(channel_name="code", data_source=settings.script_uris["train"]),
        InputData(channel_name="train", data_source=_output_uri(preprocess, "train")),
        InputData(channel_name="validation", data_source=_output_uri(preprocess, "validation")),
    ]


def _train_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters, preprocess: ProcessingStep
) -> TrainingStep:
    step_args = _trainer(settings, session, parameters).train(
        input_data_config=_training_inputs(settings, preprocess)
    )
    return TrainingStep(name=STEP_TRAIN, step_args=step_args)


def _model_artifacts(train: TrainingStep | TuningStep, settings: TrainingPipelineSettings) -> Any:
    """The model Evaluate, TrackExperiment and RegisterModel take: Train's, or Tune's best job's
    (``<S3OutputPath>/<job name>/output/model.tar.gz``, where OutputDataConfig puts it)."""
    if isinstance(train, TuningStep):
        return Join(
            on="/",
            values=[
                "s3:/",
                settings.artifact_bucket,
                _models_prefix(settings),
                _training_job_name(train),
                "output/model.tar.gz",
            ],
        )
    return train.properties.ModelArtifacts.S3ModelArtifacts


def _training_job_name(train: TrainingStep | TuningStep) -> Any:
    """Train's job, or Tune's best (DescribeHyperParameterTuningJob's ``BestTrainingJob``: best by
    the objective in its direction; the order of ``TrainingJobSummaries``, which the SDK's
    ``get_top_model_s3_uri`` reads, is not documented)."""
    if isinstance(train, TuningStep):
        return train.properties.BestTrainingJob.TrainingJobName
    return train.properties.TrainingJobName


class _IsolatedTuner(HyperparameterTuner):
    """The SDK's tuner, keeping what its training job definition drops.

    sagemaker-train 1.27's ``_build_training_job_definition`` copies the trainer's VPC, spot,
    checkpoint, stopping condition and output KMS key, but builds ``ResourceConfig`` from the
    instance type, count and volume size only (the volume KMS key is lost) and never sets
    ``EnableNetworkIsolation`` or ``EnableInterContainerTrafficEncryption``: the tuned jobs would
    run with network access, unencrypted inter-node traffic and an AWS-managed volume key. This
    puts the trainer's values back; ``definition.verify`` refuses a Tune step without them.
    """

    def _build_training_job_definition(self, inputs: Any) -> Any:
        definition = super()._build_training_job_definition(inputs)
        trainer = self.model_trainer
        volume_key = trainer.compute.volume_kms_key_id
        if isinstance(volume_key, str):
            definition.resource_config.volume_kms_key_id = volume_key
        definition.enable_network_isolation = bool(trainer.networking.enable_network_isolation)
        definition.enable_inter_container_traffic_encryption = bool(
            trainer.networking.enable_inter_container_traffic_encryption
        )
        return definition


def _tune_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters, preprocess: ProcessingStep
) -> TuningStep:
    """A hyperparameter tuning job over the Train step's exact trainer (same inputs, image,
    instance, VPC, isolation, encryption, spot and checkpoints); its best job's model goes on."""
    tuning = settings.tuning
    assert tuning is not None
    hyperband = (tuning.hyperband_min_resource, tuning.hyperband_max_resource)
    tuner = _IsolatedTuner(
        model_trainer=_trainer(settings, session, parameters),
        objective_metric_name=tuning.objective_metric,
        objective_type=tuning.objective_type,
        hyperparameter_ranges={name: _range(tuning.parameters[name]) for name in tuning.parameter_order},
        metric_definitions=[{"Name": name, "Regex": regex} for name, regex in settings.metric_definitions],
        strategy=tuning.strategy,
        max_jobs=tuning.max_jobs,
        max_parallel_jobs=tuning.max_parallel_jobs,
        max_runtime_in_seconds=tuning_runtime(
            tuning,
            (settings.max_wait_seconds or settings.max_run_seconds)
            if settings.use_spot_instances
            else settings.max_run_seconds,
        ),
        early_stopping_type=tuning.early_stopping,
        base_tuning_job_name=f"{settings.pipeline_name}-tune"[:32],
        strategy_config=(
            HyperParameterTuningJobStrategyConfig(
                hyperband_strategy_config=HyperbandStrategyConfig(
                    **{
                        key: value
                        for key, value in zip(("min_resource", "max_resource"), hyperband, strict=True)
                        if value is not None
                    }
                )
            )
            if tuning.strategy == "Hyperband" and hyperband != (None, None)
            else None
        ),
    )
    step_args = tuner.tune(inputs=_training_inputs(settings, preprocess))
    return TuningStep(name=STEP_TUNE, step_args=step_args)


def _range(r: ParameterRange) -> Any:
    if r.kind == "categorical":
        return CategoricalParameter(list(r.values))
    kind = IntegerParameter if r.kind == "integer" else ContinuousParameter
    return kind(r.min_value, r.max_value, scaling_type=r.scaling)
