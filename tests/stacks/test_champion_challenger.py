"""A/B and shadow: every variant of a two-variant endpoint with a shadow is watched on its own
``VariantName``, and compared with the others on the dashboard (a prod fixture variant)."""

from __future__ import annotations

import copy
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
