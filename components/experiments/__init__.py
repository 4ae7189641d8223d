"""Experiments: a managed MLflow tracking server (type token ``mlops:experiments:ExperimentTracking``).
The component is imported on first use, so reading the spec does not load Pulumi."""

from ..extras import on_first_use
from .experiment_tracking_spec import ExperimentTrackingSpec

__getattr__ = on_first_use(
    __name__, {".experiment_tracking": ("ExperimentTracking", "ExperimentTrackingArgs")}
)

__all__ = ["ExperimentTracking", "ExperimentTrackingArgs", "ExperimentTrackingSpec"]
