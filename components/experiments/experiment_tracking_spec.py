"""The MLflow tracking server's spec, name and ARN (no Pulumi: the stack file's configuration model
reads them before anything is planned)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..limits import SPEC_CONFIG
from ..naming import prefixed

MLFLOW_PREFIX = "mlflow/"


class ExperimentTrackingSpec(BaseModel):
    """Managed MLflow for experiment tracking (off in dev by default: it bills per hour)."""

    model_config = SPEC_CONFIG

    enabled: bool = Field(default=False, description="Create the MLflow tracking server.")
    name: str = Field(
        default="mlflow",
        pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$",
        max_length=256,  # TrackingServerName's max: the pattern bounds only the letters and digits
        description="Tracking server name: letters/digits separated by -; the name prefix, where set, "
        "goes in front (`<prefix>-<name>`).",
    )
    size: Literal["Small", "Medium", "Large"] = Field(default="Small", description="Tracking server size.")
    weekly_maintenance_window: str = Field(
        default="Sun:03:00",
        pattern=r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Weekly maintenance start, `Ddd:HH:MM` in UTC.",
    )
    mlflow_version: str | None = Field(
        default=None,
        max_length=16,
        # CreateMlflowTrackingServer's own pattern (botocore's model), which takes `3.0` and `2.16.2`.
        pattern=r"^[0-9]*.[0-9]*.[0-9]*$",
        description="MLflow version, e.g. `3.0` or `2.16.2` (at most 16 characters); the service default "
        "when unset.",
    )
    automatic_model_registration: bool = Field(
        default=False, description="Register MLflow models in the SageMaker model registry automatically."
    )


MLFLOW_LOGGING_ACTIONS = (
    "sagemaker-mlflow:GetExperimentByName",
    "sagemaker-mlflow:CreateExperiment",
    "sagemaker-mlflow:CreateRun",
    "sagemaker-mlflow:LogBatch",
    "sagemaker-mlflow:UpdateRun",
)
"""What a client needs to log runs (the training pipeline's TrackExperiment step): find or create
the experiment, create the run, log its parameters, metrics and tags in batches, end it. Action
names from the Service Authorization Reference for "Amazon SageMaker with MLflow" (service prefix
``sagemaker-mlflow``; every action takes the ``mlflow-tracking-server`` resource), one per MLflow
REST call the client makes. No read, search, delete, model-registry or UI action."""


def tracking_server_arn(region: str, account_id: str, server_name: str) -> str:
    """The ARN AWS gives a tracking server (``CreateMlflowTrackingServer``'s documented pattern
    ``arn:aws[a-z-]*:sagemaker:<region>:<account>:mlflow-tracking-server/<name>``), known before the
    server exists so that a role created earlier can be scoped to it."""
    return f"arn:aws:sagemaker:{region}:{account_id}:mlflow-tracking-server/{server_name}"


def tracking_server_name(spec: ExperimentTrackingSpec, name_prefix: str | None) -> str:
    """The server's name: the spec's, behind the stack's name prefix where one is set."""
    return prefixed(name_prefix, spec.name)
