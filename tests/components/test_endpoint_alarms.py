"""Endpoint alarms, the dashboard, and the closed loop: drift alarm -> retraining pipeline."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from components.observability.alarm_thresholds import AlarmThresholds, BusinessHours
from planner.recorder import ResourceGraph
from tests.graph_helpers import training_pipelines, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FEATURES = ["tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d"]


def _widgets(graph: ResourceGraph) -> list[dict]:
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    return json.loads(dashboard.inputs["dashboardBody"])["widgets"]


def _alarms(graph: ResourceGraph) -> dict[str, dict]:
    return {alarm.inputs["name"]: alarm.inputs for alarm in graph.of_type(ALARM)}


@pytest.mark.parametrize(("stack", "no_traffic"), [("staging", False), ("prod", True)])
def test_every_monitored_endpoint_has_the_full_alarm_set(stack_graphs, stack, no_traffic) -> None:
    names = set(_alarms(stack_graphs[stack]))
    endpoint = f"{stack}-customer-churn"  # alarm names start with the endpoint's physical name
    expected = {
        f"{endpoint}-primary-5xx-errors",
        f"{endpoint}-primary-model-latency-p99",
        f"{endpoint}-primary-4xx",
        f"{endpoint}-primary-disk",
        f"{endpoint}-primary-gpu",
        f"{endpoint}-primary-gpu-memory",
        f"{endpoint}-data-drift",
    }
    assert expected <= names
    assert (f"{endpoint}-primary-no-traffic" in names) is no_traffic


def test_no_alarm_in_prod_lacks_an_action(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    topic = graph.named("alerts-topic").outputs["arn"]
    for name, alarm in _alarms(graph).items():
        assert alarm.get("alarmActions"), name
        if name.endswith("backlog-without-capacity"):
            continue  # drives scaling, not people
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic], name


def test_thresholds_come_from_config(stack_graphs) -> None:
    alarms, defaults = _alarms(stack_graphs["prod"]), AlarmThresholds()
    assert alarms["prod-customer-churn-primary-4xx"]["threshold"] == defaults.max_4xx_per_minute
    assert alarms["prod-customer-churn-primary-gpu"]["threshold"] == defaults.gpu_utilization_percent
    assert alarms["prod-customer-churn-primary-gpu-memory"]["threshold"] == defaults.gpu_memory_percent
    assert alarms["prod-customer-churn-primary-disk"]["threshold"] == defaults.disk_percent
    assert alarms["prod-customer-churn-data-drift"]["threshold"] == defaults.drift_threshold


def test_thresholds_follow_a_stack_file_override(write_stack) -> None:

    def edit(platform: dict) -> None:
        # Only the alarm thresholds change; the fixture's monitors (and their quality alarms) stay,
        # cut to what an endpoint reads (tests.stacks.conftest.serving_cut: its alarms are the
        # whole fixture's).
        serving_cut(platform)
        platform["monitoring"]["alarms"] = {"max_4xx_per_minute": 7, "drift_threshold": 0.35}

    alarms = _alarms(recorded_stack(str(write_stack("prod", edit))))
    assert alarms["prod-customer-churn-primary-4xx"]["threshold"] == 7
    assert alarms["prod-customer-churn-data-drift"]["threshold"] == 0.35


def test_missing_data_is_handled_deliberately_per_alarm(stack_graphs) -> None:
    alarms = _alarms(stack_graphs["prod"])
    assert alarms["prod-customer-churn-primary-no-traffic"]["treatMissingData"] == "breaching"
    for name in ("prod-customer-churn-primary-4xx", "prod-customer-churn-primary-gpu"):
        assert alarms[name]["treatMissingData"] == "notBreaching", name
    # Known only after a monitoring run: the last run's verdict holds until the next.
    assert alarms["prod-customer-churn-data-drift"]["treatMissingData"] == "ignore"


def test_no_traffic_alarm_only_counts_business_hours(stack_graphs) -> None:
    alarm = _alarms(stack_graphs["prod"])["prod-customer-churn-primary-no-traffic"]
    queries = {q["id"]: q for q in alarm["metricQueries"]}
    assert queries["m1"]["metric"]["metricName"] == "Invocations" and queries["m1"]["returnData"] is False
    assert queries["f"]["expression"] == "FILL(m1, 0)"
    hours = BusinessHours()
    assert queries["e1"]["expression"] == (
        f"IF(DAY(f) <= 5 AND HOUR(f) >= {hours.start_hour_utc} AND HOUR(f) < {hours.end_hour_utc}, f, 1)"
    )
    assert queries["e1"]["returnData"] is True
    assert (alarm["comparisonOperator"], alarm["threshold"]) == ("LessThanThreshold", 1)


def test_drift_alarm_watches_the_feature_groups_model_inputs(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    alarm = _alarms(graph)["prod-customer-churn-data-drift"]
    [schedule] = [
        s
        for s in graph.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
        if s.inputs["monitoringScheduleConfig"]["monitoringType"] == "DataQuality"
    ]
    metrics = [q["metric"] for q in alarm["metricQueries"] if "metric" in q]
    assert [m["metricName"] for m in metrics] == [f"feature_baseline_drift_{f}" for f in FEATURES]
    assert all(
        m["dimensions"] == {"Endpoint": "prod-customer-churn", "MonitoringSchedule": schedule.outputs["name"]}
        for m in metrics
    )
    [combined] = [q for q in alarm["metricQueries"] if q.get("returnData")]
    assert combined["expression"] == "MAX([d0, d1, d2, d3, d4])"


@pytest.mark.parametrize(("stack", "period"), [("staging", 86400), ("prod", 3600)])
def test_the_drift_alarm_takes_one_period_per_run_of_the_stacks_monitoring_schedule(
    stack_graphs, stack: str, period: int
) -> None:
    """staging monitors daily (its environment default), prod hourly: one datapoint per run, and the
    last run's verdict holds between runs."""
    [alarm] = [
        a.inputs for a in stack_graphs[stack].of_type(ALARM) if a.inputs["name"].endswith("-data-drift")
    ]
    assert {q["metric"]["period"] for q in alarm["metricQueries"] if "metric" in q} == {period}
    assert (alarm["evaluationPeriods"], alarm["treatMissingData"]) == (1, "ignore")


def _alarm_change(name: str, state: str) -> dict:
    return {
        "version": "0", "id": "1", "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
        "account": "333333333333", "time": "2026-11-23T10:00:00Z", "region": "eu-west-1", "resources": [],
        "detail": {"alarmName": name, "state": {"value": state}, "previousState": {"value": "OK"}},
    }  # fmt: skip


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_drift_alarm_starts_the_familys_training_pipeline(stack_graphs, stack) -> None:
    graph = stack_graphs[stack]
    rules = within(graph, "triggers-customer-churn", "aws:cloudwatch/eventRule:EventRule")
    [drift] = [r for r in rules if "aws.cloudwatch" in r.inputs.get("eventPattern", "")]
    pattern = EventPattern.load(drift.inputs["eventPattern"])
    endpoint = f"{stack}-customer-churn"
    assert pattern.matches_event(_alarm_change(f"{endpoint}-data-drift", "ALARM"))
    # The alarm stays in ALARM while drift persists: repeated violations start no further run.
    assert not pattern.matches_event(_alarm_change(f"{endpoint}-data-drift", "OK"))
    assert not pattern.matches_event(_alarm_change(f"{endpoint}-primary-4xx", "ALARM"))
    # Another stack's endpoint of the same name (same account, other prefix) starts nothing here.
    assert not pattern.matches_event(_alarm_change("sandbox-customer-churn-data-drift", "ALARM"))
    [target] = [
        t
        for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == drift.outputs["name"]
    ]
    # Through the family's retraining gate, which starts the family's pipeline (once per cooldown).
    [pipeline] = training_pipelines(graph)
    [gate] = [
        g
        for g in graph.of_type("aws:sfn/stateMachine:StateMachine")
        if g.outputs["arn"] == target.inputs["arn"]
    ]
    start = json.loads(gate.inputs["definition"])["States"]["StartRetraining"]
    assert start["Parameters"]["PipelineName"] == pipeline.outputs["pipelineName"]


def test_dev_has_no_monitoring_alarms_or_dashboard(stack_graphs) -> None:
    graph = stack_graphs["dev"]
    assert set(_alarms(graph)) == {
        "dev-customer-churn-primary-5xx-errors",
        "dev-customer-churn-primary-model-latency-p99",
    } | {name for name in _alarms(graph) if name.endswith("backlog-without-capacity")}
    assert graph.of_type("aws:cloudwatch/dashboard:Dashboard") == []


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_dashboard_widgets_reference_every_monitored_endpoint(stack_graphs, stack) -> None:
    graph = stack_graphs[stack]
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == f"mlops-platform-{stack}"
    widgets = _widgets(graph)
    metrics = [m for w in widgets if w["type"] == "metric" for m in w["properties"]["metrics"]]
    names = {m[1] for m in metrics}
    for metric in ("Invocations", "InvocationsPerInstance", "ModelLatency", "Invocation4XXErrors", "Invocation5XXErrors",
                   "CPUUtilization", "MemoryUtilization", "GPUUtilization", "GPUMemoryUtilization"):  # fmt: skip
        assert metric in names, metric
    assert {f"feature_baseline_drift_{f}" for f in FEATURES} <= names
    assert all(f"{stack}-customer-churn" in m for m in metrics)
    latency = next(
        w for w in widgets if w["type"] == "metric" and w["properties"]["title"].startswith("Model latency")
    )
    slo = {"staging": 300, "prod": 250}[stack]
    assert latency["properties"]["annotations"]["horizontal"] == [{"label": "p99 SLO", "value": slo * 1000}]
    [capacity] = [w for w in widgets if w["type"] == "text"]
    limits = {"staging": "1-2", "prod": "2-8"}[stack]
    assert f"**primary**: {limits} instances" in capacity["properties"]["markdown"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_drift_graph_shows_exactly_what_the_drift_alarm_watches(stack_graphs, stack) -> None:
    """Same namespace, metric names and dimensions: a graph on another dimension is an empty graph."""
    graph = stack_graphs[stack]
    [drift] = [
        w
        for w in _widgets(graph)
        if w["type"] == "metric" and w["properties"]["title"].startswith("Feature drift")
    ]
    graphed = sorted(
        (m[0], m[1], tuple(sorted(zip(m[2:-1:2], m[3::2], strict=True))))
        for m in drift["properties"]["metrics"]
    )
    [alarm] = [a for a in graph.of_type(ALARM) if a.inputs["name"].endswith("-data-drift")]
    watched = sorted(
        (
            q["metric"]["namespace"],
            q["metric"]["metricName"],
            tuple(sorted(q["metric"]["dimensions"].items())),
        )
        for q in alarm.inputs["metricQueries"]
        if "metric" in q
    )
    assert graphed == watched and len(watched) == len(FEATURES)


@pytest.mark.parametrize(("change", "message"), [
    ({"business_hours": {"start_hour_utc": 18, "end_hour_utc": 8}}, "must be before end_hour_utc"),
    ({"disk_percent": 120}, "less than or equal to 100"),
    ({"drift_threshold": 0}, "greater than 0"),
    # Model Monitor's drift distance is at most 1: a threshold there never fires.
    ({"drift_threshold": 1}, "less than 1"),
    ({"drift_threshold": 2.5}, "less than 1"),
])  # fmt: skip
def test_malformed_alarm_thresholds_are_rejected(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        AlarmThresholds.model_validate(change)
