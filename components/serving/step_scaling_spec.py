"""A variant's user step scaling: one Application Auto Scaling StepScaling policy and the
CloudWatch alarm on one of the variant's SageMaker metrics that runs it (``scaling.step``).

A scale-out policy's alarm fires at or above its threshold and adds capacity; a scale-in policy's
alarm fires at or below it and removes capacity. Each step's bounds are relative to the threshold,
as Application Auto Scaling reads them (the metric minus the threshold), so scale-out steps lie
at or above 0 and scale-in steps at or below it.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import INT32_MAX, INT32_MIN, SPEC_CONFIG, fail_at, fail_at_each
from ..observability.alarm_thresholds import ENDPOINT_METRICS, INVOCATION_METRICS
from .endpoint_metrics import publishes

#: Each metric a step alarm may watch: its namespace (the endpoint alarms' tables) and the statistics
#: that measure it (SageMaker's "Valid statistics"; latency by its Average or a percentile, errors
#: by their Sum or Average, the error rate). Every one has the dimensions EndpointName and VariantName.
INVOCATION_STATISTICS = ("Sum",)
LATENCY_STATISTICS = ("Average", "percentile")
ERROR_STATISTICS = ("Sum", "Average")
UTILISATION_STATISTICS = ("Average", "Minimum", "Maximum")
STEP_METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Invocations": (INVOCATION_METRICS, INVOCATION_STATISTICS),
    "InvocationsPerInstance": (INVOCATION_METRICS, INVOCATION_STATISTICS),
    "ModelLatency": (INVOCATION_METRICS, LATENCY_STATISTICS),
    "OverheadLatency": (INVOCATION_METRICS, LATENCY_STATISTICS),
    "Invocation4XXErrors": (INVOCATION_METRICS, ERROR_STATISTICS),
    "Invocation5XXErrors": (INVOCATION_METRICS, ERROR_STATISTICS),
    **{
        name: (ENDPOINT_METRICS, UTILISATION_STATISTICS)
        for name in (
            "CPUUtilization",
            "MemoryUtilization",
            "GPUUtilization",
            "GPUMemoryUtilization",
            "DiskUtilization",
        )
    },
}
GPU_METRICS = ("GPUUtilization", "GPUMemoryUtilization")
#: Utilisation metrics of at most 100 on any instance (CPUUtilization is 100 per vCPU, the GPU
#: metrics 100 per GPU: checked against the instance by the variant).
PERCENT_METRICS = ("MemoryUtilization", "DiskUtilization")
#: Metrics whose low side means spare capacity: the only ones a scale-in alarm watches (fewer
#: errors or a lower latency say nothing of idle instances, and the policy pack's
#: alarm-fires-on-the-bad-side refuses them firing low).
SCALE_IN_METRICS = (
    "Invocations",
    "InvocationsPerInstance",
    *(m for m, (ns, _) in STEP_METRICS.items() if ns == ENDPOINT_METRICS),
)
#: The step metrics an asynchronous endpoint does not publish (components/serving/endpoint_metrics.py:
#: OverheadLatency, Invocations, InvocationsPerInstance): a step alarm on them never fires.
ASYNC_UNPUBLISHED = tuple(m for m in STEP_METRICS if not publishes("async", m))
#: ``pNN`` or ``pNN.N``: CloudWatch's percentile statistics (the alarm's ``ExtendedStatistic``).
PERCENTILE = re.compile(r"p[0-9]{1,2}(?:\.[0-9]+)?")
AGGREGATIONS = ("Average", "Minimum", "Maximum")
MAX_PERIOD = 86_400
"""The longest period this spec takes: a day."""
MAX_ALARM_SECONDS = 604_800
"""CloudWatch (PutMetricAlarm): an alarm's period times its evaluation periods is at most seven days..."""
MAX_SHORT_ALARM_SECONDS = 86_400
"""... and at most a day when the period is under an hour (SHORT_PERIOD)."""
SHORT_PERIOD = 3_600
OPERATORS = {"out": "GreaterThanOrEqualToThreshold", "in": "LessThanOrEqualToThreshold"}
"""The side each direction's alarm fires on: at or above the threshold for out, at or below for in."""
MAX_STEP_ADJUSTMENTS = 20
"""Application Auto Scaling's "Step adjustments per step scaling policy" (its quotas page,
https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-quotas.html):
20 by default. The quota is adjustable, but through a Service Quotas request the stack cannot see,
so the default is what a stack file is checked against, as the platform checks its other adjustable
AWS quotas (IAM's trust-policy size in components/data/dvc_remote_spec.py, a tuning job's training
jobs in components/training/tuning.py) and as the AWS CDK does (aws-applicationautoscaling's
StepScalingPolicy refuses more than 40 intervals, twice the default, for the scale-in and scale-out
policies it makes of them)."""
NAME_SUFFIX = "-step-"
"""The policy's and the alarm's names are ``<endpoint>-<variant>-step-<name>``: at most 63 + 1 + 63
+ 6 + 64 = 197 characters, within PutScalingPolicy's 256 and PutMetricAlarm's 255."""


def double_problem(value: float | int | None, what: str, fix: str) -> str | None:
    """Why ``value`` cannot be sent as an AWS ``Double`` (an integer past its range), or None.

    A step's bounds are Doubles (botocore's StepAdjustment: ``MetricScale``, type double) and so is
    an alarm's threshold (PutMetricAlarm's ``Threshold``); a stack file's integer may be longer than
    any Double, and converting it would fail the program instead of naming the key."""
    if not isinstance(value, int):
        return None
    try:
        float(value)
    except OverflowError:
        return f"an integer past the range of a Double (about 1.797693e+308), {what}: {fix}"
    return None


class StepAdjustmentSpec(BaseModel):
    """One step: the adjustment made while the metric minus the threshold lies between
    ``lower_bound`` and ``upper_bound`` (an open bound: to infinity)."""

    model_config = SPEC_CONFIG

    lower_bound: float | int | None = Field(
        default=None,
        description="Lower bound of the metric minus the threshold (inclusive above the threshold, "
        "exclusive below it, as Application Auto Scaling reads it); none: minus infinity (scale-in's "
        "farthest step only).",
    )
    upper_bound: float | int | None = Field(
        default=None,
        description="Upper bound of the metric minus the threshold (exclusive above the threshold, "
        "inclusive below it); none: infinity (scale-out's farthest step only).",
    )
    adjustment: Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)] = Field(
        description="Instances (ChangeInCapacity), percent of the current count (PercentChangeInCapacity) "
        "or the new count (ExactCapacity): positive to scale out, negative to scale in (ExactCapacity: "
        "within min_capacity and max_capacity)."
    )

    @field_validator("lower_bound", "upper_bound")
    @classmethod
    def _double(cls, value: float | int | None) -> float | int | None:
        problem = double_problem(
            value,
            "Application Auto Scaling's type for a step's bounds",
            "give one from -1.797693e+308 to 1.797693e+308 (none: the farthest step's open end)",
        )
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> StepAdjustmentSpec:
        if self.lower_bound is None and self.upper_bound is None:
            fail_at(
                "StepAdjustmentSpec", ("upper_bound",), None, "a step needs a lower_bound or an upper_bound"
            )
        if (
            self.lower_bound is not None
            and self.upper_bound is not None
            and self.lower_bound >= self.upper_bound
        ):
            fail_at(
                "StepAdjustmentSpec",
                ("upper_bound",),
                self.upper_bound,
                f"upper_bound {self.upper_bound:g} must be above lower_bound {self.lower_bound:g}",
            )
        return self


class StepScalingSpec(BaseModel):
    """A step scaling policy of the variant and the CloudWatch alarm on one of its metrics that runs it."""

    model_config = SPEC_CONFIG

    name: Annotated[str, Field(pattern=r"^[a-zA-Z0-9-]{1,64}$")] = Field(
        description="1-64 letters, digits or '-', unique within the variant; the policy and its alarm are "
        "named `<endpoint>-<variant>-step-<name>`."
    )
    direction: Literal["out", "in"] = Field(
        description="`out`: the alarm fires at or above `threshold` and the steps add capacity; `in`: at or "
        "below it and they remove capacity (Invocations, InvocationsPerInstance and the utilisation "
        "metrics only)."
    )
    metric: str = Field(
        description=f"The variant's SageMaker metric: {', '.join(STEP_METRICS)} (dimensions EndpointName "
        "and VariantName; latency in microseconds, GPU metrics 100 per GPU). An async endpoint publishes "
        f"no {', '.join(ASYNC_UNPUBLISHED)}."
    )
    statistic: str = Field(
        description="Invocations, InvocationsPerInstance: Sum; ModelLatency, OverheadLatency: Average or a "
        "percentile such as p99; Invocation4XXErrors, Invocation5XXErrors: Sum or Average (the error "
        "rate, 0-1); utilisation metrics: Average, Minimum or Maximum."
    )
    period: Annotated[int, Field(ge=60, le=MAX_PERIOD)] = Field(
        default=60, description="Seconds per data point: 60 or a multiple of it."
    )
    evaluation_periods: Annotated[int, Field(ge=1)] = Field(
        default=3,
        description="Periods the alarm looks back over; times `period`, at most a day (86400 s) for a "
        "period under an hour, else seven days (604800 s).",
    )
    datapoints_to_alarm: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="Breaching periods among `evaluation_periods` that fire the alarm; default: all of them.",
    )
    threshold: Annotated[float | int, Field(gt=0)] = Field(
        description="The alarm's threshold, in the metric's unit; the steps' bounds are relative to it."
    )
    adjustment_type: Literal["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"] = Field(
        default="ChangeInCapacity", description="How the steps' `adjustment` is read."
    )
    steps: list[StepAdjustmentSpec] = Field(
        min_length=1,
        description="Contiguous, non-overlapping steps, in order of their bounds: for `out` from 0 up, the "
        "last one open-ended (no upper_bound); for `in` from an open-ended one (no lower_bound) up to 0. "
        f"At most {MAX_STEP_ADJUSTMENTS} (Application Auto Scaling's default quota of step adjustments per "
        "step scaling policy).",
    )
    min_adjustment_magnitude: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = Field(
        default=None,
        description="PercentChangeInCapacity only: the fewest instances a step adds or removes.",
    )
    cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] | None = Field(
        default=None,
        description="The policy's cooldown, as Application Auto Scaling reads it: `in`, no further scale-in for "
        "this long after one (a scale-out ends it); `out`, a further alarm within it adds only what its step "
        "asks beyond the instances just added. Default: the scaling spec's `scale_out_cooldown_seconds` "
        "(out) or `scale_in_cooldown_seconds` (in).",
    )
    metric_aggregation_type: Literal["Average", "Minimum", "Maximum"] | None = Field(
        default=None,
        description="How the policy aggregates the alarm's data points over its evaluation periods to pick a "
        "step (e.g. Maximum: by the worst minute); default: the statistic's (Minimum, Maximum, else Average).",
    )

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        if value not in STEP_METRICS:
            raise ValueError(f"{value!r} is not a SageMaker variant metric; one of {', '.join(STEP_METRICS)}")
        return value

    @field_validator("steps")
    @classmethod
    def _step_quota(cls, value: list[StepAdjustmentSpec]) -> list[StepAdjustmentSpec]:
        if len(value) > MAX_STEP_ADJUSTMENTS:
            raise ValueError(
                f"{len(value)} steps; at most {MAX_STEP_ADJUSTMENTS} step adjustments per step scaling "
                "policy, Application Auto Scaling's default quota (a raised quota is not read from the "
                "account: the stack is checked against the default): merge steps, or split them between "
                "two policies with thresholds of their own"
            )
        return value

    @field_validator("threshold")
    @classmethod
    def _double_threshold(cls, value: float | int) -> float | int:
        problem = double_problem(
            value, "CloudWatch's type for an alarm's threshold", "give a threshold of at most 1.797693e+308"
        )
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("period")
    @classmethod
    def _whole_minutes(cls, value: int) -> int:
        if value % 60:
            raise ValueError(f"period {value} is not a multiple of 60 (SageMaker publishes per minute)")
        return value

    @property
    def namespace(self) -> str:
        return STEP_METRICS[self.metric][0]

    @property
    def percentile(self) -> bool:
        return PERCENTILE.fullmatch(self.statistic) is not None

    @property
    def aggregation(self) -> str:
        """The policy's MetricAggregationType: as set, else the one that matches the alarm's statistic
        (AWS CDK's default: the statistic if Minimum, Maximum or Average, otherwise Average)."""
        if self.metric_aggregation_type is not None:
            return self.metric_aggregation_type
        return self.statistic if self.statistic in AGGREGATIONS[1:] else "Average"

    @property
    def comparison_operator(self) -> str:
        return OPERATORS[self.direction]

    def ordered_steps(self) -> list[StepAdjustmentSpec]:
        """The steps from the lowest bounds up (as validated: contiguous)."""
        return sorted(self.steps, key=_low)

    @model_validator(mode="after")
    def _consistent(self) -> StepScalingSpec:
        model = "StepScalingSpec"
        allowed = STEP_METRICS[self.metric][1]
        if not (self.statistic in allowed or ("percentile" in allowed and self.percentile)):
            shown = " or ".join("a percentile such as p99" if s == "percentile" else s for s in allowed)
            fail_at(
                model,
                ("statistic",),
                self.statistic,
                f"{self.metric} is measured by {shown}, not {self.statistic!r}",
            )
        if self.direction == "in" and self.metric not in SCALE_IN_METRICS:
            fail_at(
                model,
                ("metric",),
                self.metric,
                f"scale in on spare capacity: {', '.join(SCALE_IN_METRICS)} (low {self.metric} does not "
                "mean idle instances)",
            )
        if self.metric in PERCENT_METRICS and self.threshold > 100:
            # Out: the alarm never fires; in: it always does, scaling in to min_capacity.
            fail_at(
                model,
                ("threshold",),
                self.threshold,
                f"{self.metric} is a percentage of the instance (0 to 100): {self.threshold:g} is never reached",
            )
        error_rate = (
            self.metric in ("Invocation4XXErrors", "Invocation5XXErrors") and self.statistic == "Average"
        )
        if error_rate and self.threshold > 1:
            fail_at(
                model,
                ("threshold",),
                self.threshold,
                f"the Average of {self.metric} is the share of requests that failed (0 to 1): "
                f"{self.threshold:g} is never reached; use a threshold up to 1 (0.05 for 5%), or Sum",
            )
        if self.datapoints_to_alarm is not None and self.datapoints_to_alarm > self.evaluation_periods:
            fail_at(
                model,
                ("datapoints_to_alarm",),
                self.datapoints_to_alarm,
                f"datapoints_to_alarm {self.datapoints_to_alarm} exceeds evaluation_periods {self.evaluation_periods}",
            )
        longest = MAX_SHORT_ALARM_SECONDS if self.period < SHORT_PERIOD else MAX_ALARM_SECONDS
        if self.period * self.evaluation_periods > longest:
            window = "a day" if longest == MAX_SHORT_ALARM_SECONDS else "seven days"
            fail_at(
                model,
                ("evaluation_periods",),
                self.evaluation_periods,
                f"period {self.period} x evaluation_periods {self.evaluation_periods} exceeds {window} "
                f"({longest} s), CloudWatch's longest alarm window for "
                f"{'a period under an hour' if self.period < SHORT_PERIOD else 'a period of an hour or more'}",
            )
        if self.min_adjustment_magnitude is not None and self.adjustment_type != "PercentChangeInCapacity":
            fail_at(
                model,
                ("min_adjustment_magnitude",),
                self.min_adjustment_magnitude,
                f"min_adjustment_magnitude applies to PercentChangeInCapacity only, not {self.adjustment_type}",
            )
        fail_at_each(model, self._step_problems())
        return self

    def _step_problems(self) -> list[tuple[tuple[str | int, ...], object, str]]:
        """What Application Auto Scaling (and the direction) demands of the steps: contiguous and
        non-overlapping, open at the far end only, on the alarm's side of the threshold, and
        adjustments that move the way the policy scales."""
        problems: list[tuple[tuple[str | int, ...], object, str]] = []
        out = self.direction == "out"
        for number, step in enumerate(self.steps):
            at = ("steps", number)
            bounds = [b for b in (step.lower_bound, step.upper_bound) if b is not None]
            if out and any(b < 0 for b in bounds):
                problems.append((at, bounds, "a scale-out step lies at or above the threshold: bounds >= 0"))
            if not out and any(b > 0 for b in bounds):
                problems.append((at, bounds, "a scale-in step lies at or below the threshold: bounds <= 0"))
            # Below the threshold a step's upper bound is inclusive: an upper_bound of -threshold
            # holds the metric's 0 (an idle minute: SageMaker then publishes zero invocations).
            if not out and step.upper_bound is not None and step.upper_bound < -self.threshold:
                problems.append(
                    (
                        (*at, "upper_bound"),
                        step.upper_bound,
                        f"the metric never falls below 0, so {step.upper_bound:g} below a threshold of "
                        f"{self.threshold:g} is never reached (-{self.threshold:g} is its 0)",
                    )
                )
            problems += self._adjustment_problem(number, step.adjustment)
        ordered = sorted(enumerate(self.steps), key=lambda pair: _low(pair[1]))
        if out and ordered[0][1].lower_bound != 0:
            first, step = ordered[0]
            problems.append(
                (
                    (*("steps", first), "lower_bound"),
                    step.lower_bound,
                    "the lowest scale-out step starts at 0 (the threshold)",
                )
            )
        if not out and ordered[-1][1].upper_bound != 0:
            last, step = ordered[-1]
            problems.append(
                (
                    (*("steps", last), "upper_bound"),
                    step.upper_bound,
                    "the highest scale-in step ends at 0 (the threshold)",
                )
            )
        if out and ordered[-1][1].upper_bound is not None:
            last, step = ordered[-1]
            problems.append(
                (
                    (*("steps", last), "upper_bound"),
                    step.upper_bound,
                    "the highest scale-out step is open-ended: remove its upper_bound",
                )
            )
        if not out and ordered[0][1].lower_bound is not None:
            first, step = ordered[0]
            problems.append(
                (
                    (*("steps", first), "lower_bound"),
                    step.lower_bound,
                    "the lowest scale-in step is open-ended: remove its lower_bound",
                )
            )
        for (_, below), (number, above) in pairwise(ordered):
            if (
                below.upper_bound is None
                or above.lower_bound is None
                or below.upper_bound != above.lower_bound
            ):
                problems.append(
                    (
                        ("steps", number, "lower_bound"),
                        above.lower_bound,
                        f"steps must be contiguous without overlap: this one starts at {_shown(above.lower_bound)}, "
                        f"the step below it ends at {_shown(below.upper_bound)}",
                    )
                )
        return problems

    def _adjustment_problem(
        self, number: int, adjustment: int
    ) -> list[tuple[tuple[str | int, ...], object, str]]:
        at = ("steps", number, "adjustment")
        if self.adjustment_type == "ExactCapacity":
            if self.direction == "out" and adjustment < 1:
                return [(at, adjustment, "an ExactCapacity scale-out step sets at least 1 instance")]
            if adjustment < 0:
                # StepAdjustment.ScalingAdjustment: "For exact capacity, you must specify a
                # non-negative value" (checked here too: the spec is also built on its own).
                return [(at, adjustment, f"an ExactCapacity step sets a count: 0 or more, not {adjustment}")]
            return []  # the range of the variant's capacity: checked by the scaling spec
        if self.direction == "out" and adjustment <= 0:
            return [
                (at, adjustment, f"a scale-out step adds capacity: a positive adjustment, not {adjustment}")
            ]
        if self.direction == "in" and adjustment >= 0:
            return [
                (at, adjustment, f"a scale-in step removes capacity: a negative adjustment, not {adjustment}")
            ]
        if self.adjustment_type == "PercentChangeInCapacity" and adjustment < -100:
            return [(at, adjustment, f"a scale-in step removes at most 100 percent, not {-adjustment}")]
        return []


def _low(step: StepAdjustmentSpec) -> float:
    return float("-inf") if step.lower_bound is None else float(step.lower_bound)


def _shown(bound: float | None) -> str:
    return "infinity" if bound is None else f"{bound:g}"
