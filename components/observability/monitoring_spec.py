"""Model Monitor's settings as a stack file declares them, and the key prefixes its jobs use (no
Pulumi: the stack file's configuration model reads them before anything is planned)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from ..instance_types import offered_instance_type
from ..limits import SPEC_CONFIG, each_once, fail_at, fail_at_each
from ..schedules import (
    HOURLY_MAX_RUNTIME,
    MONITORING_MAX_RUNTIME_SECONDS,
    model_monitor_schedule_problem,
    shortest_gap_seconds,
)
from .alarm_thresholds import MAX_DRIFT_FEATURES, AlarmThresholds
from .model_quality_spec import ModelQualitySpec


def _each_feature_once(value: list[str]) -> list[str]:
    return each_once(
        value,
        "feature",
        f": list each once (a repeat is watched twice and counts twice toward the alarm's {MAX_DRIFT_FEATURES})",
    )


DriftFeatures = Annotated[
    list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]],
    Field(max_length=MAX_DRIFT_FEATURES),
    AfterValidator(_each_feature_once),
]
"""The features one drift alarm watches: at most MAX_DRIFT_FEATURES metric-name-safe names (a
family's ``drift_features``; ``MonitoringSpec.drift_features`` spells it out for its reference)."""

MODEL_MONITOR_KEYS = {
    "model_quality": "ModelQuality",
    "bias": "ModelBias",
    "explainability": "ModelExplainability",
}
"""``model_monitors``' switches and the kind of Model Monitor schedule each creates."""

DATA_CAPTURE_PREFIX = "data-capture/"
BASELINE_PREFIX = "baselines/"
MONITORING_PREFIX = "monitoring/"


def baseline_prefix(model_family: str) -> str:
    """A model family's baselines folder: each training execution writes its own folder below it
    (registered with its model version), and baselines a team provides by hand go directly in it."""
    return f"{BASELINE_PREFIX}{model_family}/"


class MonitoringSpec(BaseModel):
    """Model Monitor data-quality schedules for the stack's endpoints that capture data."""

    model_config = SPEC_CONFIG

    enabled: bool = Field(
        default=False,
        description="Monitor every endpoint that captures data, and page on every endpoint's alarms "
        "(`alarms`; the drift alarm only where data is captured).",
    )
    model_monitor: bool = Field(
        default=True,
        description="Create the SageMaker Model Monitor schedules: data quality on every endpoint that "
        "captures data, and `model_monitors`' kinds. AWS closed Model Monitor to new customers: in an "
        "account that cannot create monitoring schedules set false, and every other alarm stays "
        "(docs/monitoring.md).",
    )
    evidently: bool = Field(
        default=False,
        description="Evidently reports of every endpoint's captured traffic on `schedule` (a pipeline per "
        "endpoint: the replacement AWS names for Model Monitor), against the served family's reference "
        "(`models[].evidently`); its drift alarm pages and retrains like the data-drift alarm "
        "(docs/monitoring.md).",
    )
    schedule: str = Field(
        default="cron(0 0 ? * * *)",
        description="How often the monitoring jobs run (UTC), in Model Monitor's forms: `cron(0 * ? * * *)` "
        "hourly, `cron(0 H ? * * *)` daily at hour H, `cron(0 H/N ? * * *)` every N hours from H.",
    )
    instance_type: str = Field(
        default="ml.m5.xlarge",
        description="Instance of the monitoring jobs: one SageMaker processing jobs offer (botocore's "
        "`ProcessingInstanceType`: ml.c5.xlarge, not ml.c5.large).",
    )
    max_runtime_seconds: Annotated[int, Field(ge=60, le=MONITORING_MAX_RUNTIME_SECONDS)] = Field(
        default=1800,
        description="Stop a job that runs longer: at most the time between the schedule's two closest "
        "runs (a day for a daily schedule; `cron(0 0/7 ? * * *)`: 3 hours, from 21:00 to 0:00). Runs an "
        "hour apart: at most 1800 for model quality and bias jobs (3600 for data quality and "
        "explainability).",
    )
    volume_size_gb: Annotated[int, Field(ge=1, le=512)] = Field(
        default=20,
        description="Storage volume of the data-quality job's instance, in GB (the model-quality, bias "
        "and explainability jobs use 20).",
    )
    alarms: AlarmThresholds = Field(
        default=AlarmThresholds(), description="Thresholds of the endpoint alarms."
    )
    model_monitors: ModelQualitySpec = Field(
        default=ModelQualitySpec(),
        description="Model-quality, bias and explainability monitors (aws-native).",
    )
    drift_features: (
        Annotated[
            list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]],
            Field(max_length=MAX_DRIFT_FEATURES),
            AfterValidator(_each_feature_once),
        ]
        | None
    ) = Field(
        default=None,
        description="Features the drift alarm watches, of every monitored endpoint whose family sets no "
        "`models[].drift_features`; default: the model inputs of the served family's feature group, the "
        "one it trains from (`training.data`) or else the one of its name. Without either, an endpoint has "
        "no drift alarm (the plan warns).",
    )

    @field_validator("schedule")
    @classmethod
    def _model_monitor_schedule(cls, value: str) -> str:
        problem = model_monitor_schedule_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        # Every job definition's ClusterConfig.InstanceType is a ProcessingInstanceType.
        return offered_instance_type(value, "ProcessingInstanceType")

    @model_validator(mode="after")
    def _advanced_monitors_are_model_monitor_jobs(self) -> MonitoringSpec:
        if not self.model_monitor:
            fail_at_each(
                "MonitoringSpec",
                [
                    (
                        ("model_monitors", key),
                        True,
                        f"the {kind} monitor is a Model Monitor schedule, and model_monitor is false: "
                        "set it false, or model_monitor: true",
                    )
                    for key, kind in MODEL_MONITOR_KEYS.items()
                    if kind in self.model_monitors.kinds
                ],
            )
        return self

    @model_validator(mode="after")
    def _jobs_end_before_the_next_run(self) -> MonitoringSpec:
        gap = shortest_gap_seconds(self.schedule)
        if gap == 3600:
            kinds = ["DataQuality", *self.model_monitors.kinds]
            limit = min(HOURLY_MAX_RUNTIME[kind] for kind in kinds)
            slowest = " and ".join(kind for kind in kinds if HOURLY_MAX_RUNTIME[kind] == limit)
            reason = f"the schedule's runs are an hour apart: its {slowest} jobs may run at most {limit} s"
        else:
            limit = gap
            reason = (
                f"the schedule's closest runs are {gap // 3600} hours apart: a job may run at most {limit} s"
            )
        if self.max_runtime_seconds > limit:
            fail_at(
                "MonitoringSpec",
                ("max_runtime_seconds",),
                self.max_runtime_seconds,
                f"{self.max_runtime_seconds} s: {reason} (SageMaker's MaxRuntimeInSeconds); lower it or run "
                "less often",
            )
        return self
