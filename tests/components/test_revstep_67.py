"""A second read of step scaling (``scaling.step``) against AWS's own limits and metrics.

Spec-level cases only (no recording): each one is a stack file's step policy that AWS takes and
must plan, or that can never work and must be refused naming the stack file and the key.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.recorder import RecordedResource
from stacks.config import ConfigError, parse_platform_config
from tests.components.test_step_scaling_67 import (
    CPU_IN,
    GPU_EXACT,
    IDLE_IN,
    LATENCY_OUT,
    _applied,
    _edit,
    _fires,
    _graph,
    _pair,
    _stack_with,
    _with_step,
)

FILE = "stacks/Pulumi.prod.yaml"
KEY = "endpoints[0].variants[0].scaling.step"


def _refusals(endpoint: dict[str, Any]) -> list[str]:
    """The reader's refusal lines for ``endpoint`` in the prod stack ([] when it plans)."""
    try:
        parse_platform_config(_stack_with(endpoint), FILE)
    except ConfigError as error:
        return [line.strip() for line in str(error).splitlines() if line.strip().startswith(FILE)]
    return []


# CloudWatch's PutMetricAlarm: period x evaluation periods at most 604800 s (seven days), and at most
# 86400 s (a day) for a period under an hour.
WINDOWS = [
    ("hourly-for-25-hours", 3600, 25, None),
    ("hourly-for-seven-days", 3600, 168, None),
    ("daily-for-seven-days", 86400, 7, None),
    ("minutes-for-a-day", 60, 1440, None),
    ("hourly-past-seven-days", 3600, 169, "exceeds seven days"),
    ("half-hours-past-a-day", 1800, 49, "exceeds a day"),
]


@pytest.mark.parametrize(("case", "period", "periods", "refused"), WINDOWS, ids=[w[0] for w in WINDOWS])
def test_the_alarm_window_is_cloudwatchs(case: str, period: int, periods: int, refused: str | None) -> None:
    lines = _refusals(_with_step(_edit(CPU_IN, period=period, evaluation_periods=periods)))
    if refused is None:
        assert lines == []
    else:
        at = f"{FILE}: mlops-platform:platform.{KEY}[0].evaluation_periods: "
        assert [line for line in lines if line.startswith(at) and refused in line], lines


def _state(alarm: RecordedResource, points: list[float | None]) -> str:
    """CloudWatch's state for the alarm's last ``evaluationPeriods`` data points (None: no data
    point that period), as its treatMissingData reads a missing one (notBreaching: good,
    breaching: bad): ALARM when ``datapointsToAlarm`` of them breach, else OK."""
    inputs = alarm.inputs
    assert len(points) == inputs["evaluationPeriods"]
    missing_breaches = {"notBreaching": False, "breaching": True}[inputs["treatMissingData"]]
    breaching = sum(missing_breaches if p is None else _fires(alarm, p) for p in points)
    return "ALARM" if breaching >= inputs["datapointsToAlarm"] else "OK"


AGGREGATE = {"Average": lambda points: sum(points) / len(points), "Minimum": min, "Maximum": max}

# (invocations per instance each minute: SageMaker publishes 0 for a minute without traffic, None
# is a minute without any data point; the state of the idle-in alarm; the step it then applies,
# picked by the policy's aggregation of the minutes: their Maximum)
QUIET = [
    ("idle-minutes-publish-zero", [0, 0, 0], "ALARM", -2),
    ("one-request-keeps-the-near-step", [0, 0, 1], "ALARM", -1),
    ("a-trickle", [5, 3, 10], "ALARM", -1),
    ("busy", [0, 0, 11], "OK", None),
    ("no-data-at-all", [None, None, None], "OK", None),
]


@pytest.mark.parametrize(("case", "points", "state", "adjustment"), QUIET, ids=[q[0] for q in QUIET])
def test_an_idle_variant_scales_in_by_its_farthest_step_and_a_metric_outage_does_not(
    case: str, points: list[float | None], state: str, adjustment: int | None
) -> None:
    policy, alarm = _pair(_graph(), IDLE_IN["name"])
    assert _state(alarm, points) == state
    if state == "ALARM":
        aggregation = policy.inputs["stepScalingPolicyConfiguration"]["metricAggregationType"]
        assert aggregation == IDLE_IN["metric_aggregation_type"]  # set, though the statistic is Sum
        known = [p for p in points if p is not None]
        assert _applied(policy, alarm, AGGREGATE[aggregation](known)) == adjustment


ASYNC = {"max_concurrent_invocations_per_instance": 4}
INVOCATIONS_OUT = {
    **LATENCY_OUT,
    "name": "invocations-out",
    "metric": "InvocationsPerInstance",
    "statistic": "Sum",
    "threshold": 500,
    "steps": [{"lower_bound": 0, "adjustment": 1}],
}
# (step, async endpoint, refusal: None when it plans)
PUBLISHED = [
    ("invocations-per-instance-on-async", INVOCATIONS_OUT, True, "does not publish InvocationsPerInstance"),
    ("invocations-on-async", {**INVOCATIONS_OUT, "metric": "Invocations"}, True, "does not publish Invocations"),
    ("overhead-latency-on-async", {**LATENCY_OUT, "metric": "OverheadLatency"}, True, "does not publish OverheadLatency"),
    ("model-latency-on-async", LATENCY_OUT, True, None),
    ("cpu-on-async", CPU_IN, True, None),
    ("invocations-per-instance-real-time", INVOCATIONS_OUT, False, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "step", "asynchronous", "refused"), PUBLISHED, ids=[p[0] for p in PUBLISHED]
)
def test_a_step_alarm_watches_a_metric_the_endpoint_publishes(
    case: str, step: dict[str, Any], asynchronous: bool, refused: str | None
) -> None:
    # Async scales on its queue (its default invocations target is refused: it publishes none).
    scaling = {"invocations_per_instance": None, "backlog_per_instance": 5} if asynchronous else {}
    endpoint = {**_with_step(step, **scaling), **({"async_inference": ASYNC} if asynchronous else {})}
    lines = _refusals(endpoint)
    if refused is None:
        assert lines == []
    else:
        at = f"{FILE}: mlops-platform:platform.{KEY}[0].metric: "
        assert [line for line in lines if line.startswith(at) and refused in line], lines


# Validators no other case reaches: each a step policy AWS would take that can never act as written.
NEVER_ACTS = [
    (
        "error-rate-above-1",
        _with_step({**LATENCY_OUT, "metric": "Invocation5XXErrors", "statistic": "Average", "threshold": 2}),
        f"{KEY}[0].threshold",
        "share of requests that failed",
    ),
    (
        "scale-in-past-100-percent",
        _with_step({**CPU_IN, "steps": [{"upper_bound": -20, "adjustment": -150}, {"lower_bound": -20, "upper_bound": 0, "adjustment": -25}]}),
        f"{KEY}[0].steps[0].adjustment",
        "at most 100 percent",
    ),
    (
        "exact-capacity-scale-out-to-zero",
        {
            **_with_step({**GPU_EXACT, "steps": [{"lower_bound": 0, "adjustment": 0}]}, min_capacity=0, backlog_per_instance=5),
            "async_inference": ASYNC,
        },
        f"{KEY}[0].steps[0].adjustment",
        "sets at least 1 instance",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("case", "endpoint", "key", "fragment"), NEVER_ACTS, ids=[c[0] for c in NEVER_ACTS])
def test_a_step_that_never_acts_as_written_is_refused(
    case: str, endpoint: dict[str, Any], key: str, fragment: str
) -> None:
    lines = _refusals(endpoint)
    at = f"{FILE}: mlops-platform:platform.{key}: "
    assert [line for line in lines if line.startswith(at) and fragment in line], lines


# (metric, instance type, threshold, refusal: None when it plans). ml.g5.xlarge has one GPU,
# ml.g5.12xlarge four: GPUUtilization reaches 100 and 400 on them (SageMaker: 100 per GPU).
CEILINGS = [
    ("gpu-on-one-gpu-at-100", "GPUUtilization", "ml.g5.xlarge", 100, None),
    ("gpu-on-one-gpu-above-100", "GPUUtilization", "ml.g5.xlarge", 150, "at most 100 on ml.g5.xlarge"),
    ("gpu-on-four-gpus-at-300", "GPUUtilization", "ml.g5.12xlarge", 300, None),
    ("gpu-memory-on-four-gpus-above-400", "GPUMemoryUtilization", "ml.g5.12xlarge", 401, "at most 400"),
    ("memory-above-100", "MemoryUtilization", "ml.g5.xlarge", 120, "0 to 100"),
    ("disk-at-100", "DiskUtilization", "ml.g5.xlarge", 100, None),
]


@pytest.mark.parametrize(
    ("case", "metric", "instance_type", "threshold", "refused"), CEILINGS, ids=[c[0] for c in CEILINGS]
)
def test_a_utilisation_threshold_lies_within_what_the_instance_reports(
    case: str, metric: str, instance_type: str, threshold: float, refused: str | None
) -> None:
    step = {**GPU_EXACT, "metric": metric, "threshold": threshold}
    endpoint = _with_step(step)
    endpoint["variants"][0]["instance_type"] = instance_type
    lines = _refusals(endpoint)
    if refused is None:
        assert lines == []
    else:
        at = f"{FILE}: mlops-platform:platform.{KEY}[0].threshold: "
        assert [line for line in lines if line.startswith(at) and refused in line], lines
