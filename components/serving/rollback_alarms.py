"""The two alarms a safe deployment rolls back on: 5xx errors and p99 model latency.

One definition for every kind of rollout (an endpoint's blue/green update of a variant, an inference
component's rolling update): the same metrics, statistics, periods and missing-data treatment,
scoped by the CloudWatch dimensions of what is being updated."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from ..invocation_alarms import error_and_latency_alarms

RESOURCE_SUFFIXES = {"5xx-errors": "5xx", "model-latency-p99": "latency"}
"""Each alarm's Pulumi name after the rollout's (as first deployed: a new name would replace it)."""


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
    return [
        cloudwatch.MetricAlarm(
            f"{resource_name}-{RESOURCE_SUFFIXES[suffix]}",
            name=f"{physical_name}-{suffix}",
            alarm_description=description,
            dimensions=dict(dimensions),
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=parent),
            **settings,
        )
        for suffix, description, settings in error_and_latency_alarms(
            label, max_5xx_per_minute, latency_p99_slo_ms
        )
    ]
