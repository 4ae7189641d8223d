"""An endpoint variant's (or inference component's) 5xx-error and p99-latency alarms: the one
definition of their metrics, statistics, thresholds and periods, shared by the alarms a rollout
rolls back on (components/serving/rollback_alarms.py) and their paging twins for a variant that
rolls back on nothing (components/observability/endpoint_alarms.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, TypedDict

if TYPE_CHECKING:  # the stack file's validation imports this module, and no Pulumi SDK
    import pulumi_aws.cloudwatch as cloudwatch

REALTIME_RESPONSE_LIMIT_MS: Final = 60_000
"""A real-time or serverless endpoint's container must answer within 60 s (InvokeEndpoint): no
request's ModelLatency exceeds it."""
ASYNC_RESPONSE_LIMIT_MS: Final = 3_600_000
"""An asynchronous request times out after at most 3,600 s (InvokeEndpointAsync's
InvocationTimeoutSeconds)."""


class AlarmSettings(TypedDict, total=False):
    """The ``cloudwatch.MetricAlarm`` arguments that say what an alarm watches and when it fires
    (its builder adds the name, description, dimensions, actions and tags)."""

    namespace: str
    metric_name: str
    metric_queries: Sequence[cloudwatch.MetricAlarmMetricQueryArgs]
    statistic: str
    extended_statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison_operator: str
    treat_missing_data: str


def latency_slo_problem(latency_p99_slo_ms: int, asynchronous: bool) -> str | None:
    """Why a p99 latency alarm at this threshold could never fire: the alarm fires above it, and
    SageMaker ends every invocation before that."""
    limit = ASYNC_RESPONSE_LIMIT_MS if asynchronous else REALTIME_RESPONSE_LIMIT_MS
    if latency_p99_slo_ms < limit:
        return None
    kind = "an asynchronous" if asynchronous else "a real-time"
    return (
        f"{latency_p99_slo_ms} ms can never be exceeded: {kind} invocation ends after at most "
        f"{limit:,} ms, so the p99 latency alarm (and the rollback on it) would never fire; use less "
        f"than {limit}"
    )


def error_and_latency_alarms(
    label: str, max_5xx_per_minute: int, latency_p99_slo_ms: int
) -> list[tuple[str, str, AlarmSettings]]:
    """``(name suffix, description, MetricAlarm settings)`` of each alarm; ``label`` names what it
    watches in its description. The caller adds names, dimensions, actions and tags."""
    common: AlarmSettings = {
        "namespace": "AWS/SageMaker",
        "period": 60,
        "comparison_operator": "GreaterThanThreshold",
        # No traffic is not a failure (a quiet model, a shadow that receives a copy only while
        # the endpoint is invoked): it must not roll back or page.
        "treat_missing_data": "notBreaching",
    }
    return [
        (
            "5xx-errors",
            f"{label}: more than {max_5xx_per_minute} 5xx errors a minute",
            {
                "metric_name": "Invocation5XXErrors",
                "statistic": "Sum",
                "threshold": max_5xx_per_minute,
                "evaluation_periods": 2,
                "datapoints_to_alarm": 2,
                **common,
            },
        ),
        (
            "model-latency-p99",
            f"{label}: p99 model latency above {latency_p99_slo_ms} ms",
            {
                "metric_name": "ModelLatency",
                "extended_statistic": "p99",
                # ModelLatency is reported in microseconds.
                "threshold": latency_p99_slo_ms * 1000,
                "evaluation_periods": 3,
                "datapoints_to_alarm": 3,
                **common,
            },
        ),
    ]
