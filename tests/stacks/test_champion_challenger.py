"""A/B and shadow: every variant of a two-variant endpoint with a shadow is watched on its own
``VariantName``, and compared with the others on the dashboard (a prod fixture variant)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from planner.recorder import ResourceGraph, record_stack_file
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "prod-customer-churn"


def champion_challenger(platform: dict[str, Any]) -> None:
    """The prod fixture's endpoint with a 90/10 challenger and a shadow of the same family."""
    [endpoint] = platform["endpoints"]
    champion = endpoint["variants"][0]
    challenger = {
        key: value for key, value in copy.deepcopy(champion).items() if key not in ("scaling", "name")
    }
    challenger |= {"name": "challenger", "weight": 0.1}
    champion["weight"] = 0.9
    endpoint["variants"].append(challenger)
    endpoint["shadow_variants"] = [{**copy.deepcopy(challenger), "name": "shadow", "weight": 1}]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("prod")
    champion_challenger(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("champion-challenger") / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return record_stack_file(str(path))


def _alarms(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {alarm.inputs["name"]: alarm.inputs for alarm in graph.of_type(ALARM)}


@pytest.mark.parametrize("variant", ["primary", "challenger", "shadow"])
def test_every_variant_has_its_own_alarms_on_its_variant_name(graph, variant) -> None:
    alarms = _alarms(graph)
    for suffix in ("4xx", "disk", "gpu", "gpu-memory", "5xx-errors", "model-latency-p99"):
        alarm = alarms[f"{ENDPOINT}-{variant}-{suffix}"]
        assert alarm["dimensions"] == {"EndpointName": ENDPOINT, "VariantName": variant}, suffix
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"


def test_the_shadow_pages_on_errors_and_latency_but_never_rolls_back(graph) -> None:
    alarms = _alarms(graph)
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    rollback = {
        a["alarmName"] for a in endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    }
    assert {
        f"{ENDPOINT}-{v}-{s}" for v in ("primary", "challenger") for s in ("5xx-errors", "model-latency-p99")
    } == rollback
    errors, latency = alarms[f"{ENDPOINT}-shadow-5xx-errors"], alarms[f"{ENDPOINT}-shadow-model-latency-p99"]
    assert (errors["metricName"], errors["statistic"], errors["period"], errors["threshold"]) == (
        "Invocation5XXErrors",
        "Sum",
        60,
        5,
    )
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == (
        "ModelLatency",
        "p99",
        250_000,
    )
    topic = graph.named("alerts-topic").outputs["arn"]
    assert errors["alarmActions"] == latency["alarmActions"] == [topic]
    assert errors["treatMissingData"] == latency["treatMissingData"] == "notBreaching"


def _widgets(graph: ResourceGraph) -> list[dict[str, Any]]:
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    return json.loads(dashboard.inputs["dashboardBody"])["widgets"]


def _variant_lines(widget: dict[str, Any], metric: str) -> dict[str, dict[str, Any]]:
    """VariantName → the options of the widget's ``metric`` line of that variant."""
    return {
        line[5]: line[6]
        for line in widget["properties"]["metrics"]
        if isinstance(line[0], str)
        and line[1] == metric
        and line[2:5] == ["EndpointName", ENDPOINT, "VariantName"]
    }


def test_every_variant_is_graphed_on_the_endpoint_row(graph) -> None:
    widgets = {w["properties"]["title"]: w for w in _widgets(graph) if w["type"] == "metric"}
    for title, metric in [
        ("Invocations", "Invocations"),
        ("Errors", "Invocation5XXErrors"),
        ("GPU and GPU memory (%)", "GPUUtilization"),
    ]:
        assert set(_variant_lines(widgets[title], metric)) == {"primary", "challenger", "shadow"}, title


def test_the_comparison_row_sets_champion_challenger_and_shadow_side_by_side(graph) -> None:
    widgets = _widgets(graph)
    comparison = {
        w["properties"]["title"]: w
        for w in widgets
        if w["type"] == "metric" and w["properties"]["title"].startswith("Champion vs challenger")
    }
    roles = {
        "primary": "primary (champion)",
        "challenger": "challenger (challenger)",
        "shadow": "shadow (shadow)",
    }
    latency = comparison["Champion vs challenger: p99 model latency (µs)"]
    assert {v: o["label"] for v, o in _variant_lines(latency, "ModelLatency").items()} == roles
    assert {o["stat"] for o in _variant_lines(latency, "ModelLatency").values()} == {"p99"}
    assert latency["properties"]["annotations"]["horizontal"] == [{"label": "p99 SLO", "value": 250_000}]
    invocations = comparison["Champion vs challenger: invocations"]
    assert {v: o["label"] for v, o in _variant_lines(invocations, "Invocations").items()} == roles
    # The error rate: each variant's 5xx over its own invocations, the inputs hidden.
    rate = comparison["Champion vs challenger: 5xx error rate (%)"]["properties"]["metrics"]
    ids = {line[1] + ":" + line[5]: line[6]["id"] for line in rate if isinstance(line[0], str)}
    assert all(not line[6]["visible"] for line in rate if isinstance(line[0], str))
    expressions = {line[0]["label"]: line[0]["expression"] for line in rate if isinstance(line[0], dict)}
    for variant, label in roles.items():
        errors, calls = ids[f"Invocation5XXErrors:{variant}"], ids[f"Invocations:{variant}"]
        assert expressions[f"{label} 5xx %"] == f"100 * FILL({errors}, 0) / {calls}"
    # Below the endpoint's row, not on top of it.
    row = [w for w in widgets if not w["properties"].get("title", "").startswith("Champion vs challenger")]
    assert min(w["y"] for w in comparison.values()) >= max(
        w["y"] + w["height"] for w in row if w["type"] == "metric"
    )


def test_a_one_variant_endpoint_has_no_comparison_row(stack_graphs) -> None:
    [dashboard] = stack_graphs["prod"].of_type("aws:cloudwatch/dashboard:Dashboard")
    assert "Champion vs challenger" not in dashboard.inputs["dashboardBody"]
