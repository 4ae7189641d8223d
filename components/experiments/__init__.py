"""Experiments: a managed MLflow tracking server (type token ``mlops:experiments:ExperimentTracking``).
The component is imported on first use, so reading the spec does not load Pulumi."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .experiment_tracking_spec import ExperimentTrackingSpec

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .experiment_tracking import ExperimentTracking, ExperimentTrackingArgs

__getattr__ = on_first_use(
    __name__, {".experiment_tracking": ("ExperimentTracking", "ExperimentTrackingArgs")}
)

__all__ = ["ExperimentTracking", "ExperimentTrackingArgs", "ExperimentTrackingSpec"]
