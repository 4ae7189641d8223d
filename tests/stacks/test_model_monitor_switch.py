"""``monitoring.model_monitor: false``: a stack for an account that cannot create Model Monitor
schedules (AWS closed Model Monitor to new customers) keeps data capture and every alarm but the
ones a Model Monitor job feeds, creates no monitoring schedule or job definition, and the pack
still reports each endpoint it leaves unwatched at the environment's level."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from planner.recorder import ResourceGraph
from policies.local import evaluate_report
from policies.registry import load_pack_config
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import load_stack_document, stack_path
from tests.recorded import recorded_stack
from tests.yaml_text import dump_document

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
RULE = "endpoint-monitoring-schedule"


def without_model_monitor(platform: dict[str, Any]) -> None:
    monitoring = platform.setdefault("monitoring", {})
    monitoring["model_monitor"] = False
    monitoring.pop("model_monitors", None)
    for family in platform["models"]:
        family.pop("quality_alarms", None)


def _is_model_monitor(type_token: str) -> bool:
    return type_token.startswith(("aws:sagemaker/", "aws-native:sagemaker:")) and (
        "onitoringSchedule" in type_token or "JobDefinition" in type_token
    )


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ResourceGraph, ResourceGraph]]:
    """Per environment that monitors (staging, prod): the fixture's graph and its graph with Model
    Monitor off. The fixture's is its own file's recording, shared with every test that records
    the fixture (a copy written here was a second recording of the same stack)."""
    folder = tmp_path_factory.mktemp("model-monitor-off")
    found = {}
    for stack in ("staging", "prod"):
        document = load_stack_document(stack)
        without_model_monitor(document["config"][CONFIG_KEY])
        off_path = folder / f"Pulumi.{stack}-off.yaml"
        off_path.write_text(dump_document(document))
        found[stack] = (recorded_stack(stack_path(stack)), recorded_stack(off_path))
    return found


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_no_monitoring_schedule_or_job_definition_is_created(graphs, stack: str) -> None:
    base, off = graphs[stack]

    assert any(_is_model_monitor(r.type) for r in base.cloud_resources), "the fixture monitors"
    assert [r.name for r in off.cloud_resources if _is_model_monitor(r.type)] == []


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_endpoints_still_capture_their_traffic(graphs, stack: str) -> None:
    base, off = graphs[stack]

    def capture(graph: ResourceGraph) -> dict[str, Any]:
        return {r.name: r.inputs.get("dataCaptureConfig") for r in graph.of_type(ENDPOINT_CONFIG)}

    assert capture(off) == capture(base)
    assert all(config and config["enableCapture"] for config in capture(off).values())


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_alarm_stays_but_those_a_model_monitor_job_feeds(graphs, stack: str) -> None:
    base, off = graphs[stack]
    base_alarms = {r.name: r.inputs for r in base.of_type(ALARM)}
    off_alarms = {r.name: r.inputs for r in off.of_type(ALARM)}

    fed_by_monitors = {
        name
        for name, inputs in base_alarms.items()
        if inputs.get("namespace") == "aws/sagemaker/Endpoints/data-metrics"
        or inputs.get("namespace") == "aws/sagemaker/Endpoints/model-metrics"
        or any(
            (query.get("metric") or {}).get("namespace", "").startswith("aws/sagemaker/Endpoints/")
            for query in inputs.get("metricQueries") or []
        )
    }
    assert fed_by_monitors, "the fixture has drift alarms"
    assert off_alarms == {name: inputs for name, inputs in base_alarms.items() if name not in fed_by_monitors}
    # The operational alarms (errors, latency...) of every endpoint are among them.
    assert any("5xx" in name for name in off_alarms) and any("latency" in name for name in off_alarms)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_pack_reports_each_unwatched_endpoint_at_the_environments_level(graphs, stack: str) -> None:
    _, off = graphs[stack]
    endpoints = {r.urn for r in off.of_type(ENDPOINT)}

    config = load_pack_config(stack)
    report = evaluate_report(off.resources, config)
    flagged = [v for v in report.violations if v.policy_name == RULE]
    assert {v.urn for v in flagged} == endpoints and len(flagged) == len(endpoints)
    assert {v.enforcement_level for v in flagged} == {"mandatory"}

    # What docs/monitoring.md tells such an account to do: the rule advisory in its pack config.
    accepted = evaluate_report(off.resources, {**config, RULE: "advisory"})
    assert [v for v in accepted.violations if v.enforcement_level == "mandatory"] == []
    assert {v.urn for v in accepted.violations if v.policy_name == RULE} == endpoints


def _staging(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    platform = load_stack_document("staging")["config"][CONFIG_KEY]
    edit(platform)
    return platform


@pytest.mark.parametrize("kind", ["model_quality", "bias", "explainability"])
def test_a_model_monitor_kindwithout_model_monitor_is_a_config_error(kind: str) -> None:
    def edit(platform: dict[str, Any]) -> None:
        without_model_monitor(platform)
        platform["monitoring"]["model_monitors"] = {kind: True}

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_staging(edit), "stacks/Pulumi.staging.yaml")

    assert [path for path, _ in raised.value.problems] == [f"{CONFIG_KEY}.monitoring.model_monitors.{kind}"]
    assert "model_monitor is false" in str(raised.value)
    assert str(raised.value).startswith("stacks/Pulumi.staging.yaml: invalid configuration")


def test_every_model_monitor_kind_left_on_without_model_monitor_is_named_in_one_run() -> None:
    """A stack with all three monitors on that turns `model_monitor` off (docs/monitoring.md,
    "Accounts that cannot use Model Monitor"): one run names the three keys, not one key a run."""

    def edit(platform: dict[str, Any]) -> None:
        without_model_monitor(platform)
        platform["monitoring"]["model_monitors"] = dict.fromkeys(
            ("model_quality", "bias", "explainability"), True
        )

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_staging(edit), "stacks/Pulumi.staging.yaml")

    assert [path for path, _ in raised.value.problems] == [
        f"{CONFIG_KEY}.monitoring.model_monitors.{kind}"
        for kind in ("model_quality", "bias", "explainability")
    ]
    assert str(raised.value).startswith("stacks/Pulumi.staging.yaml: invalid configuration (3 problems)")


def test_quality_alarmswithout_model_monitor_are_a_config_error() -> None:
    def edit(platform: dict[str, Any]) -> None:
        without_model_monitor(platform)
        platform["models"][0]["quality_alarms"] = {"auc": 0.7}

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_staging(edit), "stacks/Pulumi.staging.yaml")

    [(path, message)] = raised.value.problems
    assert path == f"{CONFIG_KEY}.models[0].quality_alarms"
    assert "monitoring.model_monitor is false" in message


def test_model_monitor_is_on_unless_a_stack_turns_it_off() -> None:
    config = parse_platform_config(_staging(lambda platform: None), "stacks/Pulumi.staging.yaml")
    assert config.monitoring.model_monitor is True and config.monitored_endpoints

    off = parse_platform_config(_staging(without_model_monitor), "stacks/Pulumi.staging.yaml")
    assert off.monitoring.enabled and off.monitored_endpoints == []


def test_the_model_monitoring_component_refuses_a_spec_that_turns_model_monitor_off() -> None:
    from components.observability.model_monitoring import ModelMonitoringArgs
    from components.observability.monitoring_spec import MonitoringSpec

    with pytest.raises(ValueError, match=r"spec\.model_monitor is false"):
        ModelMonitoringArgs(
            spec=MonitoringSpec(enabled=True, model_monitor=False),
            endpoint_name="churn",
            endpoint_label="churn",
            baselines=None,  # type: ignore[arg-type]  # refused before it is read
            placement=None,  # type: ignore[arg-type]
        )


def _retraining_alarms(graph: ResourceGraph) -> list[str]:
    return [
        name
        for rule in graph.of_type("aws:cloudwatch/eventRule:EventRule")
        if rule.name.endswith("-drift")
        for name in json.loads(rule.inputs["eventPattern"])["detail"]["alarmName"]
    ]


def test_only_the_batch_drift_report_still_retrains(graphs) -> None:
    """What docs/monitoring.md says is left: prod's batch-scoring Evidently alarm still starts the
    family's retraining; staging, which scores no batches, has no drift trigger at all."""
    staging_base, staging_off = graphs["staging"]
    prod_base, prod_off = graphs["prod"]

    assert any(name.endswith("-data-drift") for name in _retraining_alarms(prod_base))
    assert _retraining_alarms(staging_base) and _retraining_alarms(staging_off) == []
    assert _retraining_alarms(prod_off) == [
        name for name in _retraining_alarms(prod_base) if name.endswith("-batch-scoring-evidently-drift")
    ]
    assert _retraining_alarms(prod_off), "prod scores batches with an Evidently report"


def _dashboard_metrics(graph: ResourceGraph) -> list[list[Any]]:
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    return [
        metric for widget in body["widgets"] for metric in widget.get("properties", {}).get("metrics", [])
    ]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_dashboard_stays_without_the_monitors_graphs(graphs, stack: str) -> None:
    base, off = graphs[stack]
    monitor_namespaces = {"aws/sagemaker/Endpoints/data-metrics", "aws/sagemaker/Endpoints/model-metrics"}

    def namespaces(graph: ResourceGraph) -> set[str]:
        return {metric[0] for metric in _dashboard_metrics(graph) if metric and isinstance(metric[0], str)}

    assert monitor_namespaces & namespaces(base), "the fixture graphs what its monitors measure"
    assert namespaces(off) == namespaces(base) - monitor_namespaces
    assert "AWS/SageMaker" in namespaces(off)
