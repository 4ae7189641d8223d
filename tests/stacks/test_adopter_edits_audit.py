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


def test_a_regressor_without_a_feature_group_says_it_has_no_drift_alarm(classifier_and_regressor) -> None:
    """Its data-quality monitor runs, but the drift alarm watches named features and the sample's
    demand-forecast has no feature group: before the fix nothing said that nothing pages or retrains
    on its drift (prod retrains on drift by default)."""
    [warning] = [
        w for w in classifier_and_regressor.warnings if w.startswith("endpoint demand-forecast: no drift")
    ]
    assert "nothing pages or retrains on drift" in warning
    names = {
        alarm.inputs.get("name")
        for alarm in classifier_and_regressor.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert "prod-customer-churn-data-drift" in names
    assert "prod-demand-forecast-data-drift" not in names


# --- product bug 2: a family trained from a feature group of another name had no drift alarm ------


def _churn_v2_from_the_labelled_group(platform: dict[str, Any]) -> None:
    """A family copied from customer-churn and renamed, training from the fixture's labelled group
    (a name other than the family's), served by its own endpoint."""
    [churn] = [model for model in platform["models"] if model["name"] == "customer-churn"]
    family = copy.deepcopy(churn)
    family["name"] = "churn-v2"
    family.pop("batch_scoring", None)
    family.pop("evidently", None)
    family["training"]["data"] = {"feature_group": "customer-churn-labelled"}
    platform["models"].append(family)
    endpoint = copy.deepcopy(platform["endpoints"][0])
    endpoint["name"] = "churn-v2"
    endpoint["variants"][0]["model"] = {"latest_approved_of": "churn-v2"}
    platform["endpoints"].append(endpoint)


@pytest.fixture(scope="module")
def renamed_family(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _churn_v2_from_the_labelled_group)


def test_a_family_trained_from_a_feature_group_of_another_name_gets_a_drift_alarm(renamed_family) -> None:
    """The drift features came only from a group named after the family: churn-v2's endpoint got a
    data-quality monitor and no drift alarm, silently, so drift neither paged nor retrained it.
    Its features now come from the group it trains from, without the label it holds."""
    alarms = {
        a.inputs.get("name"): a for a in renamed_family.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    drift = alarms["prod-churn-v2-data-drift"]
    watched = {query["metric"]["metricName"] for query in drift.inputs["metricQueries"] if "metric" in query}
    assert watched == {
        f"feature_baseline_drift_{name}"
        for name in (
            "tenure_months",
            "monthly_charges",
            "total_charges",
            "contract_type",
            "support_calls_90d",
        )
    }
    [rule] = [
        r
        for r in renamed_family.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name == "triggers-churn-v2-drift"
    ]
    assert "prod-churn-v2-data-drift" in json.loads(rule.inputs["eventPattern"])["detail"]["alarmName"]
    assert not [w for w in renamed_family.warnings if "no drift alarm" in w]


# --- product bug 3: promotion's one-registry-in-dev set-up lost prod's drift alarm ----------------

DEV_GROUP = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/dev-customer-churn"


def _serve_dev_s_registry(platform: dict[str, Any]) -> None:
    """docs/promotion.md, 'One registry in dev': prod's endpoint follows dev's group by ARN."""
    platform["endpoints"][0]["variants"][0]["model"] = {"latest_approved_of": DEV_GROUP}


@pytest.fixture(scope="module")
def one_registry_in_dev(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _serve_dev_s_registry)


def test_an_endpoint_following_another_account_s_group_keeps_its_drift_alarm(one_registry_in_dev) -> None:
    """The family of a group ARN was the ARN itself, which names no feature group: the endpoint kept
    its data-quality monitor and lost its drift alarm, silently, in exactly the set-up
    docs/promotion.md recommends for staging and prod. ``dev-customer-churn`` is this stack's
    customer-churn under dev's prefix: its features are the ones this stack's family trains on."""
    alarms = {
        a.inputs.get("name"): a for a in one_registry_in_dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    drift = alarms["prod-customer-churn-data-drift"]
    watched = [query["metric"]["metricName"] for query in drift.inputs["metricQueries"] if "metric" in query]
    assert watched == [
        f"feature_baseline_drift_{name}"
        for name in (
            "tenure_months",
            "monthly_charges",
            "total_charges",
            "contract_type",
            "support_calls_90d",
        )
    ]
    assert not [w for w in one_registry_in_dev.warnings if "no drift alarm" in w]


def test_an_endpoint_following_another_account_s_group_keeps_its_family_s_quality_alarms(
    one_registry_in_dev,
) -> None:
    """Same root: the family's ``quality_alarms`` (auc 0.75, f1 0.6 in the prod fixture) were looked up
    by the ARN, found nothing, and the endpoint's model-quality monitor ran with no alarm on it."""
    alarms = {
        a.inputs.get("name"): a.inputs
        for a in one_registry_in_dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if "model-quality" in (a.inputs.get("name") or "")
    }
    assert {name: (alarm["threshold"], alarm["comparisonOperator"]) for name, alarm in alarms.items()} == {
        "prod-customer-churn-model-quality-auc": (0.75, "LessThanThreshold"),
        "prod-customer-churn-model-quality-f1": (0.6, "LessThanThreshold"),
    }


# --- product bug 5: Model Monitor's replacement refused in the one-registry-in-dev set-up ---------


def _evidently_on_dev_s_registry(platform: dict[str, Any]) -> None:
    """AWS closed Model Monitor to new customers; docs/monitoring.md's replacement is
    ``monitoring.evidently`` (the prod fixture's customer-churn has ``evidently``), on an endpoint that
    follows dev's group."""
    _serve_dev_s_registry(platform)
    platform["monitoring"] = {"model_monitor": False, "evidently": True}
    for family in platform["models"]:
        family.pop("quality_alarms", None)


@pytest.fixture(scope="module")
def live_drift_on_dev_s_registry(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _evidently_on_dev_s_registry)


def test_live_drift_of_an_endpoint_following_another_account_s_group(live_drift_on_dev_s_registry) -> None:
    """Refused before the fix: ``monitoring.evidently needs model family arn:...dev-customer-churn's
    evidently`` although customer-churn has one; the endpoint's traffic is now compared with this
    stack's customer-churn reference."""
    [live] = live_drift_on_dev_s_registry.of_type("mlops:observability:LiveDrift")
    assert live.name == "live-drift-customer-churn"
    [pipeline] = [
        p
        for p in live_drift_on_dev_s_registry.of_type("aws:sagemaker/pipeline:Pipeline")
        if live_drift_on_dev_s_registry.component_of(p) == live
    ]
    assert "evidently-reference/customer-churn/" in pipeline.inputs["pipelineDefinition"]
    assert not live_drift_on_dev_s_registry.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
