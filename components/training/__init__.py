"""Training: a SageMaker pipeline per model family and what starts it (type tokens
``mlops:training:*``), with the side-effect-free pipeline-definition builder (``definition``; it
imports the SageMaker SDK, the ``training`` extra, only when a definition is built)."""

from .pipeline_triggers import NewDataSource, PipelineTriggers, PipelineTriggersArgs
from .retraining_gate import RetrainingGate, RetrainingGateArgs
from .training_pipeline import TrainingPipeline, TrainingPipelineArgs
from .training_spec import (
    EntryPoints,
    FamilyTrainingSpec,
    FrameworkSpec,
    MetricDefinitionSpec,
    NewDataTrigger,
    TrainingCompute,
    TrainingDataSpec,
    TrainingSpec,
    training_data_prefix,
)

__all__ = [
    "EntryPoints",
    "FamilyTrainingSpec",
    "FrameworkSpec",
    "MetricDefinitionSpec",
    "NewDataSource",
    "NewDataTrigger",
    "PipelineTriggers",
    "PipelineTriggersArgs",
    "RetrainingGate",
    "RetrainingGateArgs",
    "TrainingCompute",
    "TrainingDataSpec",
    "TrainingPipeline",
    "TrainingPipelineArgs",
    "TrainingSpec",
    "training_data_prefix",
]
