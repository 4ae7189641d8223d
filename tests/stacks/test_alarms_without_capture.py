"""Every endpoint a stack serves pages on its operational alarms when monitoring is on, whether it
captures traffic or not (stacks/composition/observability.build_endpoint_alarms).

Data capture feeds Model Monitor, and so the drift alarm; the 4xx, disk, GPU and no-traffic alarms
read SageMaker's own invocation and instance metrics, which every endpoint publishes. A serverless
endpoint cannot capture data, and a team may switch capture off (privacy, cost): neither loses its
alarms. The prod fixture below serves three endpoints: ``customer-churn`` (captured, monitored),
``uncaptured`` (one GPU per instance, capture off) and ``serverless``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.recorder import RecordedResource, ResourceGraph
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"


def _three_endpoints(platform: dict[str, Any]) -> None:
    """The prod fixture cut to what its endpoints read (:func:`tests.stacks.conftest.serving_cut`:
    the endpoints, their monitors, alarms and the alert topic stay as they are), serving three."""
    serving_cut(platform)
    captured = platform["endpoints"][0]
    uncaptured = copy.deepcopy(captured)
    uncaptured.update(name="uncaptured", data_capture={"enabled": False})
    serverless = {
        "name": "serverless",
        "variants": [
            {
                "name": "primary",
                "model": {"latest_approved_of": "customer-churn"},
                "serverless": {"memory_mb": 2048, "max_concurrency": 5},
            }
        ],
        "data_capture": {"enabled": False},
        "deployment": {"latency_p99_slo_ms": 1000},
    }
    platform["endpoints"] += [uncaptured, serverless]


@pytest.fixture
def three_endpoints(write_stack: Callable[..., Path]) -> ResourceGraph:
    return recorded_stack(write_stack("prod", _three_endpoints, name="Pulumi.prod.yaml"))


def _alarms_on(graph: ResourceGraph, endpoint: str) -> dict[str, RecordedResource]:
    """The alarms that watch ``endpoint`` (its physical name ends in it): by metric name, the
    metric-math ones as ``no-traffic`` (Invocations) and ``drift`` (Model Monitor's drift metrics)."""
    found: dict[str, RecordedResource] = {}
    for alarm in graph.of_type(ALARM):
        metrics = [alarm.inputs] + [
            query["metric"] for query in alarm.inputs.get("metricQueries") or () if "metric" in query
        ]
        for metric in metrics:
            dimensions = metric.get("dimensions") or {}
            watched = dimensions.get("EndpointName") or dimensions.get("Endpoint") or ""
            if not str(watched).endswith(f"-{endpoint}"):
                continue
            if "metricQueries" not in alarm.inputs:
                found[metric["metricName"]] = alarm
            elif metric["metricName"] == "Invocations":
                found["no-traffic"] = alarm
            elif metric["metricName"].startswith("feature_baseline_drift_"):
                found["drift"] = alarm
    return found


def _alert_topic_arn(graph: ResourceGraph) -> str:
    [topic] = [t for t in graph.of_type(TOPIC) if t.name == "alerts-topic"]
    return topic.outputs["arn"]


def test_an_endpoint_that_captures_nothing_pages_on_its_errors_disk_gpus_and_traffic(
    three_endpoints: ResourceGraph,
) -> None:
    alarms = _alarms_on(three_endpoints, "uncaptured")
    assert {
        "Invocation4XXErrors",
        "DiskUtilization",
        "GPUUtilization",
        "GPUMemoryUtilization",
        "no-traffic",
    } <= alarms.keys()
    assert "drift" not in alarms  # no monitor publishes its drift
    errors = alarms["Invocation4XXErrors"].inputs
    assert (errors["comparisonOperator"], errors["statistic"], errors["threshold"]) == (
        "GreaterThanThreshold",
        "Sum",
        50,
    )
    # ml.g5.2xlarge has one GPU: 90 % of it.
    assert alarms["GPUUtilization"].inputs["threshold"] == 90
    quiet = alarms["no-traffic"].inputs
    assert (quiet["comparisonOperator"], quiet["threshold"], quiet["treatMissingData"]) == (
        "LessThanThreshold",
        1,
        "breaching",
    )
    topic = _alert_topic_arn(three_endpoints)
    for alarm in alarms.values():
        assert alarm.inputs["alarmActions"] == [topic], alarm.name


def test_a_serverless_endpoint_pages_on_its_errors_and_traffic_but_has_no_disk_or_gpu(
    three_endpoints: ResourceGraph,
) -> None:
    alarms = _alarms_on(three_endpoints, "serverless")
    operational = {metric for metric in alarms if metric.startswith(("Invocation4XX", "Disk", "GPU"))}
    assert operational == {"Invocation4XXErrors"}
    assert "drift" not in alarms
    assert "no-traffic" in alarms  # no traffic in business hours (prod's default)
    dimensions = alarms["Invocation4XXErrors"].inputs["dimensions"]
    assert dimensions["VariantName"] == "primary"


def test_the_captured_endpoint_keeps_its_drift_alarm(three_endpoints: ResourceGraph) -> None:
    alarms = _alarms_on(three_endpoints, "customer-churn")
    assert {"drift", "Invocation4XXErrors", "DiskUtilization", "GPUUtilization"} <= alarms.keys()
    assert alarms["drift"].inputs["alarmActions"] == [_alert_topic_arn(three_endpoints)]


def test_with_monitoring_off_no_endpoint_has_operational_alarms(write_stack: Callable[..., Path]) -> None:
    def monitoring_off(platform: dict[str, Any]) -> None:
        _three_endpoints(platform)
        platform["monitoring"]["enabled"] = False
        platform["models"][0].pop("quality_alarms", None)

    graph = recorded_stack(write_stack("prod", monitoring_off, name="Pulumi.prod.yaml"))
    assert not [r for r in graph.components if r.type == "mlops:observability:EndpointAlarms"]
    for endpoint in ("customer-churn", "uncaptured", "serverless"):
        metrics = set(_alarms_on(graph, endpoint))
        assert not metrics & {"Invocation4XXErrors", "DiskUtilization", "GPUUtilization", "drift"}, endpoint
