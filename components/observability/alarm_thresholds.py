"""The endpoint alarms' thresholds as a stack file declares them, and the metric namespaces they
read (no Pulumi: the stack file's configuration model reads them before anything is planned)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from ..limits import SPEC_CONFIG

ENDPOINT_METRICS = "/aws/sagemaker/Endpoints"
INVOCATION_METRICS = "AWS/SageMaker"
# Where the built-in Model Monitor container publishes a real-time endpoint's per-feature drift,
# with the `Endpoint` and `MonitoringSchedule` dimensions. AWS's pages disagree (the data-quality
# page says `/aws/sagemaker/Endpoints/data-metric` with `EndpointName`/`ScheduleName`); this is the
# form AWS's own deployed sample alarms on (aws-samples/amazon-sagemaker-drift-detection's
# deployment stack), as do the bias-drift page and example notebooks; the bring-your-own-container
# page recommends the same two dimensions.
DRIFT_METRICS = "aws/sagemaker/Endpoints/data-metrics"
# CloudWatch evaluates at most 10 metrics in one alarm's metric math.
MAX_DRIFT_FEATURES = 10


class BusinessHours(BaseModel):
    """When an endpoint is expected to receive traffic (UTC)."""

    model_config = SPEC_CONFIG

    start_hour_utc: Annotated[int, Field(ge=0, le=23)] = Field(
        default=8, description="First hour of the window (UTC, included); before `end_hour_utc`."
    )
    end_hour_utc: Annotated[int, Field(ge=1, le=24)] = Field(
        default=18, description="Hour the window ends (UTC, excluded): 18 means until 17:59."
    )
    weekdays_only: bool = Field(
        default=True, description="Monday to Friday only (UTC days); false: every day of the week."
    )

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if self.start_hour_utc >= self.end_hour_utc:
            raise ValueError(
                f"start_hour_utc {self.start_hour_utc} must be before end_hour_utc {self.end_hour_utc}"
            )
        return self


class AlarmThresholds(BaseModel):
    """Thresholds of the endpoint alarms (the rollback alarms' 5xx and latency live in `deployment`)."""

    model_config = SPEC_CONFIG

    max_4xx_per_minute: Annotated[int, Field(ge=1)] = Field(
        default=50,
        description="Client errors a minute (3 of 5 minutes) that page: a broken caller or contract.",
    )
    gpu_utilization_percent: Annotated[float | int, Field(gt=0, le=100)] = Field(
        default=90,
        description="Sustained GPU utilisation, in percent of an instance's GPUs, that pages: out of "
        "capacity. The alarm's threshold is this times the instance type's GPU count (SageMaker's "
        "GPUUtilization is 100 per GPU).",
    )
    gpu_memory_percent: Annotated[float | int, Field(gt=0, le=100)] = Field(
        default=90,
        description="GPU memory use, in percent of an instance's GPUs' memory, that pages when the "
        "average stays above it for 15 minutes (the threshold is multiplied by the GPU count, as for "
        "`gpu_utilization_percent`).",
    )
    disk_percent: Annotated[float | int, Field(gt=0, le=100)] = Field(
        default=85,
        description="Disk use of an instance-based variant, in percent, that pages when the average stays "
        "above it for 15 minutes.",
    )
    zero_invocations_in_business_hours: bool = Field(
        default=False,
        description="Page when a production variant gets no traffic for 15 minutes in business hours.",
    )
    business_hours: BusinessHours = Field(
        default=BusinessHours(),
        description="When `zero_invocations_in_business_hours` expects traffic.",
    )
    drift_threshold: Annotated[float | int, Field(gt=0, lt=1)] = Field(
        default=0.2,
        description="Baseline drift distance of any monitored feature that raises the drift alarm. "
        "Below 1: Model Monitor's distance between two distributions is at most 1, so the alarm "
        "could never fire at 1 or above.",
    )
