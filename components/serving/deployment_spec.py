"""How an update of an endpoint reaches traffic (blue/green, canary or linear) and what rolls it
back, and the scheduled shadow test of its shadow variant."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import SPEC_CONFIG, fail_at, fail_at_each

MAX_EXECUTION_TIMEOUT = 28800
"""SageMaker's ``MaximumExecutionTimeoutInSeconds`` range is 600-28800 (BlueGreenUpdatePolicy)."""
MAX_ROLLBACK_ALARMS = 10
"""SageMaker's ``AutoRollbackConfiguration.Alarms``: at most 10 alarms per endpoint."""
ROLLBACK_ALARMS_PER_VARIANT = 2
"""The alarms each production variant adds to them (components/serving/rollback_alarms.py: its
5xx errors and its p99 model latency)."""
MAX_ALARM_NAME = 255
"""The longest alarm name CloudWatch, and CreateEndpoint's ``AutoRollbackConfiguration``, take."""


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


def rollback_alarm_name_problem(name: str) -> str | None:
    """Why SageMaker would refuse ``name`` as a rollback alarm's name, or None."""
    if not 1 <= len(name) <= MAX_ALARM_NAME:
        return f"an alarm name has 1-{MAX_ALARM_NAME} characters (got {len(name)})"
    # Java's \s, which AWS's pattern (?!\s*$).+ means: ASCII white space only (a name of only
    # no-break spaces is one CloudWatch and SageMaker take).
    if not name.strip(" \t\n\x0b\f\r"):
        return "an alarm name is not only spaces"
    if any(character in name for character in "\n\r\u0085\u2028\u2029"):
        return "an alarm name is one line (no line break)"
    return None


class DeploymentSpec(_Spec):
    """How an update reaches traffic, and when it rolls back."""

    strategy: Literal["all_at_once", "canary", "linear"] = Field(
        default="all_at_once", description="Blue/green traffic shifting."
    )
    canary_percent: Annotated[int, Field(ge=1, le=50)] = Field(
        default=10,
        description="With strategy `canary`: percentage of the new fleet's capacity that takes traffic "
        "first, for `wait_interval_seconds`, before the rest shifts.",
    )
    linear_step_percent: Annotated[int, Field(ge=10, le=50)] = Field(
        default=20,
        description="With strategy `linear`: percentage of the new fleet's capacity turned on per step, "
        "each followed by `wait_interval_seconds`: 10 to 50 (SageMaker's `LinearStepSize`), and at "
        "least one instance of every variant at its minimum capacity.",
    )
    wait_interval_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=300, description="Baking time after each traffic shift, in seconds."
    )
    termination_wait_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=600,
        description="Keep the old fleet this long after the shift, for a fast rollback (seconds).",
    )
    maximum_execution_timeout_seconds: Annotated[int, Field(ge=600, le=MAX_EXECUTION_TIMEOUT)] | None = Field(
        default=None,
        description="Longest a whole blue/green deployment may run, 600-28800 seconds. It must exceed "
        "the baking periods (one for all_at_once, two for canary, one per step for linear, in whole "
        "instances at the worst fleet size the variant may have) plus "
        "`termination_wait_seconds` plus an allowance for provisioning the new fleet: 300 s to launch "
        "CPU instances (600 s for GPU, Inferentia and Trainium) plus each variant's "
        "`model_download_timeout_seconds` and `container_startup_health_check_timeout_seconds` (300 s "
        "each where unset). Default: that total plus 10 %, rounded up to a minute.",
    )

    latency_p99_slo_ms: Annotated[int, Field(ge=1)] = Field(
        default=500,
        description="ModelLatency p99 above this rolls a deployment back (and alarms). Below 60,000 "
        "(3,600,000 with async inference): no invocation lasts longer, so the alarm could never fire.",
    )
    max_5xx_per_minute: Annotated[int, Field(ge=1)] = Field(
        default=5, description="Invocation5XXErrors per minute above this roll a deployment back (and alarm)."
    )
    extra_rollback_alarms: list[str] = Field(
        default_factory=list,
        description="Names of further CloudWatch alarms that roll a deployment back. SageMaker takes at "
        f"most {MAX_ROLLBACK_ALARMS} rollback alarms per endpoint, {ROLLBACK_ALARMS_PER_VARIANT} of them each "
        "production variant's own. Each a CloudWatch alarm name: 1-255 characters on one line, not only "
        "spaces.",
    )

    @field_validator("extra_rollback_alarms")
    @classmethod
    def _alarm_names(cls, value: list[str]) -> list[str]:
        # CreateEndpoint's AutoRollbackConfiguration.Alarms[].AlarmName: 1-255 characters matching
        # (?!\s*$).+ (Java: no line terminator), what CloudWatch names an alarm with.
        fail_at_each(
            "DeploymentSpec",
            [
                ((index,), name, problem)
                for index, name in enumerate(value)
                if (problem := rollback_alarm_name_problem(name))
            ],
        )
        return value

    @property
    def baking_periods(self) -> int:
        """Baking periods of one deployment: all at once bakes once; a canary bakes the canary, then
        the whole new fleet; linear bakes after each of its ``ceil(100 / step)`` steps."""
        if self.strategy == "canary":
            return 2
        if self.strategy == "linear":
            return math.ceil(100 / self.linear_step_percent)
        return 1

    @property
    def waiting_seconds(self) -> int:
        """The waits a deployment always spends: its baking periods and the termination wait."""
        return self.baking_periods * self.wait_interval_seconds + self.termination_wait_seconds


MAX_SHADOW_TEST = timedelta(days=30)
"""The longest an inference experiment may run (SageMaker's ``InferenceExperimentSchedule``)."""


class ShadowTestSpec(_Spec):
    """A SageMaker shadow test (inference experiment, type ShadowMode): for its schedule SageMaker
    deploys the endpoint's shadow variant and copies a share of the champion's (first production
    variant's) requests to it; the responses of the shadow are compared, never returned."""

    start: datetime = Field(
        description="When the test starts: an ISO 8601 timestamp with its UTC offset, e.g. "
        "`2027-01-04T08:00:00Z`."
    )
    end: datetime = Field(
        description="When it ends (the shadow is removed): after `start`, at most 30 days later "
        "(SageMaker's limit)."
    )
    sampling_percent: Annotated[int, Field(ge=1, le=100)] = Field(
        default=100, description="Percentage of the champion's requests copied to the shadow, 1-100."
    )
    capture: bool = Field(
        default=True,
        description="Store the test's requests and responses under `data-capture/<endpoint>/shadow-test/` "
        "of the artifact bucket, KMS-encrypted.",
    )

    @field_validator("start", "end", mode="before")
    @classmethod
    def _aware(cls, value: object) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an ISO 8601 timestamp, e.g. 2027-01-04T08:00:00Z"
                ) from None
        if not isinstance(value, datetime):
            raise ValueError(f"{value!r} is not a timestamp: write it as e.g. 2027-01-04T08:00:00Z")
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no UTC offset: write it as e.g. 2027-01-04T08:00:00Z")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _window(self) -> ShadowTestSpec:
        if self.end <= self.start:
            fail_at("ShadowTestSpec", ("end",), self.end.isoformat(), "end must be after start")
        if self.end - self.start > MAX_SHADOW_TEST:
            fail_at(
                "ShadowTestSpec",
                ("end",),
                self.end.isoformat(),
                f"a shadow test runs at most 30 days (SageMaker's limit); this one runs {self.end - self.start}",
            )
        return self

    @staticmethod
    def timestamp(value: datetime) -> str:
        """The form the schedule is sent in: UTC, seconds, ``Z``."""
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
