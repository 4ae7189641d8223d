"""Training: a SageMaker pipeline per model family and what starts it (type tokens
``mlops:training:*``), with the side-effect-free pipeline-definition builder (``definition``; it
imports the SageMaker SDK, the ``training`` extra, only when a definition is built). The components
are imported on first use, so reading the specs does not load Pulumi."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
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

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .pipeline_triggers import NewDataSource, PipelineTriggers, PipelineTriggersArgs
    from .retraining_gate import RetrainingGate, RetrainingGateArgs
    from .training_pipeline import TrainingPipeline, TrainingPipelineArgs

__getattr__ = on_first_use(
    __name__,
    {
        ".pipeline_triggers": ("NewDataSource", "PipelineTriggers", "PipelineTriggersArgs"),
        ".retraining_gate": ("RetrainingGate", "RetrainingGateArgs"),
        ".training_pipeline": ("TrainingPipeline", "TrainingPipelineArgs"),
    },
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
