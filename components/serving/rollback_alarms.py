"""The two alarms a safe deployment rolls back on: 5xx errors and p99 model latency.

One definition for every kind of rollout (an endpoint's blue/green update of a variant, an inference
component's rolling update): the same metrics, statistics, periods and missing-data treatment,
scoped by the CloudWatch dimensions of what is being updated."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws.cloudwatch as cloudwatch


def rollback_alarms(
    parent: pulumi.Resource,
    resource_name: str,
    physical_name: str,
    label: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    *,
    max_5xx_per_minute: int,
    latency_p99_slo_ms: int,
    topic_arn: pulumi.Input[str],
    tags: Mapping[str, str],
) -> list[cloudwatch.MetricAlarm]:
    """``<resource_name>-5xx`` / ``-latency`` named ``<physical_name>-5xx-errors`` /
    ``-model-latency-p99``; ``label`` names what they watch in their descriptions."""
    common = {
        "namespace": "AWS/SageMaker",
        "dimensions": dict(dimensions),
        "period": 60,
        "comparison_operator": "GreaterThanThreshold",
        # No traffic is not a failure: a quiet model must not roll back or page.
        "treat_missing_data": "notBreaching",
        "alarm_actions": [topic_arn],
        "ok_actions": [topic_arn],
        "tags": dict(tags),
        "opts": pulumi.ResourceOptions(parent=parent),
    }
    return [
        cloudwatch.MetricAlarm(
            f"{resource_name}-5xx",
            name=f"{physical_name}-5xx-errors",
            alarm_description=f"{label}: more than {max_5xx_per_minute} 5xx errors a minute",
            metric_name="Invocation5XXErrors",
            statistic="Sum",
            threshold=max_5xx_per_minute,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            **common,
        ),
        cloudwatch.MetricAlarm(
            f"{resource_name}-latency",
            name=f"{physical_name}-model-latency-p99",
            alarm_description=f"{label}: p99 model latency above {latency_p99_slo_ms} ms",
            metric_name="ModelLatency",
            extended_statistic="p99",
            # ModelLatency is reported in microseconds.
            threshold=latency_p99_slo_ms * 1000,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            **common,
        ),
    ]
