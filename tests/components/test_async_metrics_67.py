"""Every alarm, dashboard graph and scaling policy the platform makes for an endpoint reads a
metric SageMaker publishes for that kind of endpoint (components/serving/endpoint_metrics.py):
an async endpoint publishes no Invocations nor InvocationsPerInstance, a serverless one no
per-instance metrics but MemoryUtilization ("Alarms and logs for tracking metrics from
asynchronous endpoints" / "... serverless endpoints"). One recording of a real-time, an async and
a serverless endpoint through the stack's own wiring (endpoint, its alarms, the dashboard); the
assertion walks the whole graph, not a list of known resources."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pulumi
import pytest

from components.serving.endpoint_metrics import PUBLISHED, EndpointKind, publishes
from components.serving.inference_endpoint import InferenceEndpoint
from planner.recorder import ResourceGraph, record_program
from stacks.composition.observability_alarms import build_endpoint_alarms
from stacks.composition.observability_dashboard import build_dashboard
from stacks.config import ConfigError, PlatformConfig, parse_platform_config
from stacks.resolution import Serving
from tests.components.serving_args import endpoint_args
from tests.conftest import load_stack_document
from tests.recorded import computed_once

FILE = "stacks/Pulumi.prod.yaml"
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/customer-churn/3"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
POLICY = "aws:appautoscaling/policy:Policy"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
CPU = {"model": {"model_package_arn": PACKAGE}, "instance_type": "ml.m5.xlarge"}
REAL_TIME = {
    "name": "rt",
    "variants": [
        {
            **CPU,
            "name": "primary",
            "initial_instance_count": 2,
            "scaling": {"min_capacity": 2, "max_capacity": 4},
        }
    ],
}
ASYNC = {
    "name": "queue",
    "async_inference": {"max_concurrent_invocations_per_instance": 4},
    "variants": [
        {
            **CPU,
            "name": "primary",
            "initial_instance_count": 2,
            "scaling": {"min_capacity": 2, "max_capacity": 4, "backlog_per_instance": 5},
        }
    ],
}
SERVERLESS = {
    "name": "sls",
    "data_capture": {"enabled": False},
    "variants": [{"model": {"model_package_arn": PACKAGE}, "name": "primary", "serverless": {"memory_mb": 2048, "max_concurrency": 5}}],
}  # fmt: skip
KINDS: dict[str, EndpointKind] = {"rt": "real-time", "queue": "async", "sls": "serverless"}


def _config(*endpoints: dict[str, Any]) -> PlatformConfig:
    platform = load_stack_document("prod")["config"]["mlops-platform:platform"]
    platform = {**platform, "endpoints": list(endpoints), "shared_endpoints": []}
    return parse_platform_config(platform, FILE)


def _program(config: PlatformConfig) -> None:
    serving = Serving(
        endpoints=config.endpoints, monitored=[s for s in config.endpoints if s.data_capture.enabled]
    )
    for spec in config.endpoints:
        InferenceEndpoint(
            f"ep-{spec.name}", endpoint_args(spec, endpoint_name=config.endpoint_name(spec.name))
        )
    opts = pulumi.ResourceOptions()
    alerts: Any = SimpleNamespace(topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts")
    build_endpoint_alarms(config, alerts, serving, {}, opts)
    build_dashboard(config, serving, {}, opts)


def _graph() -> tuple[PlatformConfig, ResourceGraph]:
    config = _config(REAL_TIME, ASYNC, SERVERLESS)
    return config, computed_once("async-metrics-67", lambda: record_program(lambda: _program(config)))


def _kind_of(config: PlatformConfig, endpoint: str) -> EndpointKind:
    [short] = [name for name in KINDS if config.endpoint_name(name) == endpoint]
    return KINDS[short]


def _alarm_metrics(alarm: Any) -> list[tuple[str, str]]:
    """(EndpointName, metric) of every SageMaker metric the alarm reads (its own or its queries')."""
    inputs = alarm.inputs
    found = []
    if inputs.get("metricName"):
        found.append((inputs.get("dimensions") or {}, inputs["metricName"], inputs.get("namespace")))
    for query in inputs.get("metricQueries") or []:
        metric = query.get("metric")
        if metric:
            found.append((metric.get("dimensions") or {}, metric["metricName"], metric.get("namespace")))
    return [
        (dims["EndpointName"], name) for dims, name, ns in found if "EndpointName" in dims and ns in SAGEMAKER
    ]


SAGEMAKER = ("AWS/SageMaker", "/aws/sagemaker/Endpoints")


def _policy_metric(policy: Any) -> tuple[str, str] | None:
    """(EndpointName, metric) a target-tracking policy reads (None: a step policy: its alarm reads)."""
    tracking = policy.inputs.get("targetTrackingScalingPolicyConfiguration")
    if not tracking:
        return None
    endpoint = policy.inputs["resourceId"].split("/")[1]
    predefined = tracking.get("predefinedMetricSpecification")
    if predefined:
        return endpoint, predefined["predefinedMetricType"]
    return endpoint, tracking["customizedMetricSpecification"]["metricName"]


def _widget_metrics(dashboard: Any) -> list[tuple[str, str, str]]:
    """(widget title, EndpointName, metric) of every SageMaker metric a graph draws."""
    body = json.loads(dashboard.inputs["dashboardBody"])
    found = []
    for widget in body["widgets"]:
        for line in widget.get("properties", {}).get("metrics", []):
            if line and isinstance(line[0], str) and line[0] in SAGEMAKER:
                dims = dict(zip(line[2:-1:2], line[3::2], strict=False))
                found.append((widget["properties"]["title"], dims["EndpointName"], line[1]))
    return found


def test_every_alarm_policy_and_graph_reads_a_metric_its_endpoint_kind_publishes() -> None:
    config, graph = _graph()
    reads: list[tuple[str, str, str]] = []  # (what, endpoint, metric)
    for alarm in graph.of_type(ALARM):
        reads += [(f"alarm {alarm.name}", endpoint, metric) for endpoint, metric in _alarm_metrics(alarm)]
    for policy in graph.of_type(POLICY):
        read = _policy_metric(policy)
        if read is not None:
            reads.append((f"policy {policy.name}", *read))
    [dashboard] = graph.of_type(DASHBOARD)
    reads += [
        (f"graph {title!r}", endpoint, metric) for title, endpoint, metric in _widget_metrics(dashboard)
    ]
    kinds = {_kind_of(config, endpoint) for _, endpoint, _ in reads}
    # The walk saw every kind (serverless has no dashboard row: it captures no traffic).
    assert kinds == set(KINDS.values())
    unpublished = [
        (what, metric)
        for what, endpoint, metric in reads
        if not publishes(_kind_of(config, endpoint), metric)
    ]
    assert unpublished == []
    # What replaced the unpublished ones on async: its queue, its processed requests.
    queue = {metric for _, endpoint, metric in reads if _kind_of(config, endpoint) == "async"}
    assert {"ApproximateBacklogSizePerInstance", "InvocationsProcessed"} <= queue


@pytest.mark.parametrize(
    ("scaling", "key", "fragment"),
    [
        pytest.param(
            {
                "min_capacity": 2,
                "max_capacity": 4,
                "invocations_per_instance": 100,
                "backlog_per_instance": 5,
            },
            "scaling.invocations_per_instance",
            "does not publish InvocationsPerInstance, so this target-tracking policy never acts: remove it and "
            "set backlog_per_instance",
            id="explicit-invocations-target-refused",
        ),
        pytest.param(
            {"min_capacity": 2, "max_capacity": 4},
            "scaling.backlog_per_instance",
            "scales on its queue, not on invocations",
            id="default-only-scaling-refused",
        ),
    ],
)
def test_an_async_variant_never_tracks_invocations_per_instance(
    scaling: dict[str, Any], key: str, fragment: str
) -> None:
    endpoint = {**ASYNC, "variants": [{**ASYNC["variants"][0], "scaling": scaling}]}
    with pytest.raises(ConfigError) as raised:
        _config(endpoint)
    assert f"{FILE}: mlops-platform:platform.endpoints[0].variants[0].{key}: " in str(raised.value)
    assert fragment in str(raised.value)


def test_the_published_table_is_aws_s_lists() -> None:
    # The three names the async page names as unpublished, and serverless's missing instance metrics.
    assert not {"Invocations", "InvocationsPerInstance", "OverheadLatency"} & PUBLISHED["async"]
    assert (
        not {"InvocationsPerInstance", "CPUUtilization", "GPUUtilization", "DiskUtilization"}
        & PUBLISHED["serverless"]
    )
    assert publishes("real-time", "SageMakerVariantInvocationsPerInstance")
    assert not publishes("async", "SageMakerVariantInvocationsPerInstance")


ASYNC_CONFIG = {
    "asyncInferenceConfig": {
        "outputConfig": {"s3OutputPath": "s3://out/", "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k"},
        "clientConfig": {"maxConcurrentInvocationsPerInstance": 4},
    }
}
INVOCATIONS_TRACKING = {
    "targetValue": 100,
    "predefinedMetricSpecification": {"predefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
}
BACKLOG_TRACKING = {
    "targetValue": 5,
    "customizedMetricSpecification": {
        "metricName": "ApproximateBacklogSizePerInstance",
        "namespace": "AWS/SageMaker",
        "statistic": "Average",
        "dimensions": [{"name": "EndpointName", "value": "churn"}],
    },
}


@pytest.mark.parametrize(
    ("config", "tracking", "violated"),
    [
        pytest.param(
            ASYNC_CONFIG, INVOCATIONS_TRACKING, True, id="async-on-invocations-per-instance-never-scales"
        ),
        pytest.param(ASYNC_CONFIG, BACKLOG_TRACKING, False, id="async-on-its-backlog"),
        pytest.param({}, INVOCATIONS_TRACKING, False, id="real-time-on-invocations-per-instance"),
    ],
)
def test_the_pack_wants_an_async_endpoint_tracking_a_metric_it_publishes(
    config: dict[str, Any], tracking: dict[str, Any], violated: bool
) -> None:
    from policies.local import evaluate_report
    from policies.registry import get_policy
    from tests.policies.conftest import build
    from tests.policies.test_policy_false_positive_audit import _serving

    rule = "endpoint-autoscaling-configured"
    specs = _serving(config=config, scaling={"targetTrackingScalingPolicyConfiguration": tracking})
    report = evaluate_report(
        build(specs), {rule: {"enforcementLevel": "mandatory", "minCapacity": 2}}, [get_policy(rule)]
    )
    found = [v.message for v in report.violations]
    if violated:
        assert [m for m in found if "async endpoint does not publish" in m or "tracks only metrics" in m], (
            found
        )
        assert "ApproximateBacklogSizePerInstance" in found[0]
    else:
        assert found == []


@pytest.mark.parametrize(
    ("asynchronous", "traffic", "errors", "fragment"),
    [
        pytest.param(True, "Invocations", "Invocation5XXErrors", "reads Invocations, which an async endpoint does not publish", id="async-ratio-over-invocations-never-fires"),
        pytest.param(True, "InvocationsProcessed", "Invocation5XXErrors", None, id="async-ratio-over-processed"),
        pytest.param(True, "InvocationsProcessed", "InvocationFailures", None, id="async-failure-ratio-over-processed"),
        pytest.param(False, "Invocations", "Invocation5XXErrors", None, id="real-time-ratio-over-invocations"),
    ],
)  # fmt: skip
def test_a_rollback_alarm_of_an_async_endpoint_reads_what_it_publishes(
    asynchronous: bool, traffic: str, errors: str, fragment: str | None
) -> None:
    from tests.policies.test_policy_false_positive_audit import (
        _messages,
        _query,
        _ratio_alarm,
        _rollback_stack,
    )

    alarm = _ratio_alarm("100 * m1 / m2", errors=errors, traffic=_query("m2", traffic))
    stack = _rollback_stack(alarm)
    if asynchronous:
        stack[0]["inputs"] = {**stack[0]["inputs"], **ASYNC_CONFIG}
    found = _messages("rollback-alarms-can-fire", stack, outputs=False)
    if fragment is None:
        assert found == []
    else:
        assert [m for m in found if fragment in m], found
