"""Edits an adopting team makes to the shipped samples, judged as that team would.

DOCSTRING-COUNTS
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY
from tests.conftest import REPO, load_stack_document
from tests.recorded import recorded_stack
from tests.yaml_text import dump_document

Edit = Callable[[dict[str, Any]], None]

FORECAST: dict[str, Any] = {
    "name": "demand-forecast",
    "promotion": {"metric": "metrics.rmse.value", "threshold": 12.0, "direction": "minimize"},
    "model_card": {"intended_use": "Weekly demand forecasts for replenishment.", "risk_rating": "Low"},
    "training": {
        "code": str(REPO / "models" / "demand-forecast"),
        "framework": {"name": "xgboost", "version": "3.0-5"},
        "label": "units_sold",
        "identifiers": ["store_id", "sku", "week_start"],
        "problem_type": "Regression",
        "metrics": ["rmse", "mae", "r2", "wape"],
    },
}
"""The sample's second family, as an adopter copies it into a stack that trains only customer-churn."""


def _forecast_endpoint(instance_type: str = "ml.m5.xlarge") -> dict[str, Any]:
    return {
        "name": "demand-forecast",
        "variants": [
            {
                "name": "primary",
                "model": {"latest_approved_of": "demand-forecast"},
                "instance_type": instance_type,
                "initial_instance_count": 2,
                "scaling": {"min_capacity": 2, "max_capacity": 4},
            }
        ],
    }


def _record(factory: pytest.TempPathFactory, base: str, edit: Edit) -> ResourceGraph:
    """The fixture stack ``base`` with ``edit`` applied, recorded once per version of the code."""
    document = load_stack_document(base)
    edit(document["config"][CONFIG_KEY])
    path = factory.mktemp("adopter") / f"Pulumi.{base}.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _serve_the_forecast_too(platform: dict[str, Any]) -> None:
    """Prod, which monitors model quality as BinaryClassification, also serves the Regression family
    it trains, with an RMSE alarm (the journey of models/README.md: add a family, then serve it)."""
    family = copy.deepcopy(FORECAST)
    family["quality_alarms"] = {"rmse": 15}
    platform["models"].append(family)
    platform["endpoints"].append(_forecast_endpoint())


@pytest.fixture(scope="module")
def classifier_and_regressor(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _serve_the_forecast_too)


def _inputs(graph: ResourceGraph, type_token: str, name: str) -> dict[str, Any]:
    [resource] = [resource for resource in graph.of_type(type_token) if resource.name == name]
    return dict(resource.inputs)


# --- product bug 1: one stack-wide model-quality problem type -------------------------------------


def test_each_endpoint_is_quality_monitored_as_the_family_it_serves(classifier_and_regressor) -> None:
    """Refused before the fix (``monitoring.model_monitors.problem_type: BinaryClassification differs
    from what endpoint demand-forecast serves``), with no stack file that passes but one without the
    model-quality monitor: the problem type was one value for the whole stack."""
    job = "aws-native:sagemaker:ModelQualityJobDefinition"
    churn = _inputs(classifier_and_regressor, job, "model-monitors-customer-churn-model-quality")
    forecast = _inputs(classifier_and_regressor, job, "model-monitors-demand-forecast-model-quality")
    assert churn["modelQualityAppSpecification"]["problemType"] == "BinaryClassification"
    assert churn["modelQualityJobInput"]["endpointInput"]["probabilityAttribute"] == "0"
    assert forecast["modelQualityAppSpecification"]["problemType"] == "Regression"
    endpoint_input = forecast["modelQualityJobInput"]["endpointInput"]
    assert endpoint_input["inferenceAttribute"] == "0"
    assert "probabilityAttribute" not in endpoint_input
    assert "probabilityThresholdAttribute" not in endpoint_input


def test_a_regressor_s_quality_alarm_and_dashboard_read_its_own_metric(classifier_and_regressor) -> None:
    alarm = _inputs(
        classifier_and_regressor,
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "quality-alarms-demand-forecast-rmse",
    )
    assert (alarm["metricName"], alarm["threshold"], alarm["comparisonOperator"]) == (
        "rmse",
        15.0,
        "GreaterThanThreshold",
    )
    [dashboard] = classifier_and_regressor.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.dumps(dashboard.inputs["dashboardBody"])
    assert '\\"rmse\\"' in body or '"rmse"' in body
