"""Experiments: a managed MLflow tracking server (type token ``mlops:experiments:ExperimentTracking``)."""

from .experiment_tracking import ExperimentTracking, ExperimentTrackingArgs, ExperimentTrackingSpec

__all__ = ["ExperimentTracking", "ExperimentTrackingArgs", "ExperimentTrackingSpec"]
