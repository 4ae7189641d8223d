"""A second read of the async and serverless metric commits against AWS's pages: every metric the
platform reads for an endpoint is queried with exactly the dimensions SageMaker publishes it with
(the async queue metrics with EndpointName only: a VariantName too matches no data), the policy
pack's copies of the async lists are the table's, and a rollback alarm of a real-time endpoint on a
metric only an async endpoint publishes is refused (it never fires)."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.serving.endpoint_autoscaling import scale_variant
from components.serving.endpoint_metrics import (
    PREDEFINED_METRICS,
    PUBLISHED,
    dimensions,
    publishes,
)
from planner.recorder import ResourceGraph, record_program
from policies.rules import _alarm_metrics, governance_prod
from tests.components.test_async_metrics_67 import ALARM, ASYNC, DASHBOARD, POLICY, SAGEMAKER, _config, _graph
from tests.recorded import computed_once


def _reads(graph: ResourceGraph) -> list[tuple[str, str, set[str]]]:
    """(what, metric, dimension names) of every SageMaker metric an alarm, a target-tracking policy
    or a dashboard graph of ``graph`` queries."""
    reads: list[tuple[str, str, set[str]]] = []
    for alarm in graph.of_type(ALARM):
        inputs = alarm.inputs
        metrics = [inputs] if inputs.get("metricName") else []
        metrics += [q["metric"] for q in inputs.get("metricQueries") or [] if q.get("metric")]
        reads += [
            (f"alarm {alarm.name}", m["metricName"], set(m.get("dimensions") or {}))
            for m in metrics
            if m.get("namespace") in SAGEMAKER
        ]
    for policy in graph.of_type(POLICY):
        tracking = policy.inputs.get("targetTrackingScalingPolicyConfiguration") or {}
        custom = tracking.get("customizedMetricSpecification")
        if custom and custom.get("namespace") in SAGEMAKER:
            names = {d["name"] for d in custom.get("dimensions") or []}
            reads.append((f"policy {policy.name}", custom["metricName"], names))
    for dashboard in graph.of_type(DASHBOARD):
        for widget in json.loads(dashboard.inputs["dashboardBody"])["widgets"]:
            for line in widget.get("properties", {}).get("metrics", []):
                if line and isinstance(line[0], str) and line[0] in SAGEMAKER:
                    title = widget["properties"]["title"]
                    reads.append((f"graph {title!r}", line[1], set(line[2:-1:2])))
    return reads


def _from_zero() -> ResourceGraph:
    """An async variant scaling from zero: its backlog tracking and the HasBacklogWithoutCapacity
    alarm that starts the first instance."""
    # The prod stack keeps two instances: the spec's copy at zero (scale_variant reads no more).
    variant = _config(ASYNC).endpoints[0].variants[0]
    assert variant.scaling is not None
    variant = variant.model_copy(update={"scaling": variant.scaling.model_copy(update={"min_capacity": 0})})

    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        scale_variant(
            "queue-primary",
            endpoint_name=pulumi.Output.from_input("queue"),
            variant=variant,
            asynchronous=True,
            tags={},
            parent=parent,
        )

    return record_program(program)


def test_every_metric_is_queried_with_the_dimensions_sagemaker_publishes_it_with() -> None:
    _, graph = _graph()
    reads = _reads(graph) + _reads(computed_once("revasync-67-from-zero", _from_zero))
    metrics = {metric for _, metric, _ in reads}
    # The walk saw both dimension sets: the queue's and the variants'.
    assert {
        "ApproximateBacklogSizePerInstance",
        "HasBacklogWithoutCapacity",
        "InvocationsProcessed",
    } <= metrics
    wrong = [(what, metric, sorted(dims)) for what, metric, dims in reads if dims != dimensions(metric)]
    assert wrong == []


def test_the_pack_s_async_lists_are_the_table_s() -> None:
    # The pack imports nothing from components/: its copies must follow the table.
    unpublished = PUBLISHED["real-time"] - PUBLISHED["async"]
    assert set(_alarm_metrics.ASYNC_UNPUBLISHED) == unpublished
    assert set(governance_prod.ASYNC_UNPUBLISHED) == unpublished
    assert set(governance_prod._ASYNC_UNPUBLISHED_PREDEFINED) == {
        p for p in PREDEFINED_METRICS if not publishes("async", p)
    }
    assert (
        set(_alarm_metrics.ASYNC_ONLY)
        == PUBLISHED["async"] - PUBLISHED["real-time"] - PUBLISHED["serverless"]
    )


@pytest.mark.parametrize(
    ("asynchronous", "traffic", "errors", "fragment"),
    [
        pytest.param(False, "InvocationsProcessed", "Invocation5XXErrors", "reads InvocationsProcessed, which only an async endpoint publishes", id="real-time-ratio-over-processed-never-fires"),
        pytest.param(False, "Invocations", "InvocationFailures", "reads InvocationFailures, which only an async endpoint publishes", id="real-time-async-failures-never-fire"),
        pytest.param(True, "InvocationsProcessed", "InvocationFailures", None, id="async-failure-ratio-over-processed"),
    ],
)  # fmt: skip
def test_a_rollback_alarm_of_a_real_time_endpoint_reads_no_async_only_metric(
    asynchronous: bool, traffic: str, errors: str, fragment: str | None
) -> None:
    from tests.components.test_async_metrics_67 import ASYNC_CONFIG
    from tests.policies.test_policy_false_positive_audit import (
        _messages,
        _query,
        _ratio_alarm,
        _rollback_stack,
    )

    stack = _rollback_stack(_ratio_alarm("100 * m1 / m2", errors=errors, traffic=_query("m2", traffic)))
    if asynchronous:
        stack[0]["inputs"] = {**stack[0]["inputs"], **ASYNC_CONFIG}
    found = _messages("rollback-alarms-can-fire", stack, outputs=False)
    if fragment is None:
        assert found == []
    else:
        assert [m for m in found if fragment in m], found


BACKLOG = {
    "metricName": "ApproximateBacklogSizePerInstance",
    "namespace": "AWS/SageMaker",
    "statistic": "Average",
}


@pytest.mark.parametrize(
    ("dimensions", "violated"),
    [
        pytest.param(["EndpointName", "VariantName"], True, id="backlog-per-variant-matches-no-data"),
        pytest.param(["EndpointName"], False, id="backlog-per-endpoint"),
    ],
)
def test_an_async_endpoint_tracks_its_backlog_by_endpoint_alone(
    dimensions: list[str], violated: bool
) -> None:
    from policies.local import evaluate_report
    from policies.registry import get_policy
    from tests.components.test_async_metrics_67 import ASYNC_CONFIG
    from tests.policies.conftest import build
    from tests.policies.test_policy_false_positive_audit import _serving

    rule = "endpoint-autoscaling-configured"
    metric = {**BACKLOG, "dimensions": [{"name": name, "value": "churn"} for name in dimensions]}
    tracking = {"targetValue": 5, "customizedMetricSpecification": metric}
    specs = _serving(config=ASYNC_CONFIG, scaling={"targetTrackingScalingPolicyConfiguration": tracking})
    report = evaluate_report(
        build(specs), {rule: {"enforcementLevel": "mandatory", "minCapacity": 2}}, [get_policy(rule)]
    )
    found = [v.message for v in report.violations]
    if violated:
        assert len(found) == 1 and "such as VariantName), so it never scales" in found[0], found
    else:
        assert found == []
