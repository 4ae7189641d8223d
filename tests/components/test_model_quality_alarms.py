"""Model-quality alarms: what each alarm means, that an alarm in ALARM pages and retrains the family
whose endpoint degraded (through the drift trigger's rule), and the stack errors of `quality_alarms`."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.observability.model_quality_alarms import (
    ModelQualityAlarms,
    ModelQualityAlarmsArgs,
    schedule_interval_seconds,
)
from components.observability.model_quality_spec import QUALITY_METRICS
from planner.policy_check import evaluate_policies
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.rules.alarms import QUALITY_METRICS as PACK_NAMESPACE
from policies.rules.alarms import metric_of
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.components.pipeline_triggers_fixture import alarm_state_change
from tests.conftest import load_stack_document
from tests.graph_helpers import training_pipelines
from tests.recorded import recorded_stack
from tests.stack_edits import forecast_family
from tests.stacks.conftest import serving_cut
from tests.stacks.test_model_families import FORECAST_HYPERPARAMETERS

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/eventRule:EventRule"
NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"


def _quality_alarms(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {
        r.inputs["name"]: r.inputs for r in graph.of_type(ALARM) if r.inputs.get("namespace") == NAMESPACE
    }


def _schedule_name(graph: ResourceGraph) -> str:
    [schedule] = [
        s
        for s in graph.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
        if s.inputs["monitoringScheduleConfig"]["monitoringType"] == "ModelQuality"
    ]
    return schedule.outputs["name"]


def _topic(graph: ResourceGraph) -> str:
    return graph.named("alerts-topic").outputs["arn"]


def _alarm_event(name: str, state: str, previous: str = "OK") -> dict[str, Any]:
    """A model-quality alarm's state change, with the metric it watches, from the prod account."""
    metric = {"namespace": NAMESPACE, "name": "auc", "dimensions": {}}
    configuration = {
        "metrics": [
            {
                "id": "m1",
                "metricStat": {"metric": metric, "period": 3600, "stat": "Minimum"},
                "returnData": True,
            }
        ]
    }
    return alarm_state_change(name, state, previous, account="333333333333", configuration=configuration)


# --- classification: the prod fixture (customer-churn, BinaryClassification, hourly monitors) ---------


def test_prod_pages_when_the_churn_models_auc_or_f1_drops_below_its_threshold(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    alarms = _quality_alarms(graph)
    assert set(alarms) == {"prod-customer-churn-model-quality-auc", "prod-customer-churn-model-quality-f1"}
    schedule, topic = _schedule_name(graph), _topic(graph)
    for metric, threshold in (("auc", 0.75), ("f1", 0.6)):
        alarm = alarms[f"prod-customer-churn-model-quality-{metric}"]
        assert (alarm["namespace"], alarm["metricName"]) == (NAMESPACE, metric)
        assert alarm["dimensions"] == {"Endpoint": "prod-customer-churn", "MonitoringSchedule": schedule}
        assert (alarm["statistic"], alarm["comparisonOperator"], alarm["threshold"]) == (
            "Minimum",
            "LessThanThreshold",
            threshold,
        )
        # Prod monitors hourly: one run, one value, one period; the verdict holds until the next run.
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["treatMissingData"]) == (3600, 1, "ignore")
        assert alarm["alarmActions"] == alarm["okActions"] == [topic]


def test_the_model_quality_job_publishes_the_metrics_the_alarms_watch(stack_graphs) -> None:
    [definition] = stack_graphs["prod"].of_type("aws-native:sagemaker:ModelQualityJobDefinition")
    environment = definition.inputs["modelQualityAppSpecification"]["environment"]
    assert environment == {"publish_cloudwatch_metrics": "Enabled"}


def test_a_quality_alarm_entering_alarm_starts_the_familys_retraining(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    [rule] = [r for r in graph.of_type(RULE) if r.name == "triggers-customer-churn-drift"]
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    for name in _quality_alarms(graph):
        assert pattern.matches_event(_alarm_event(name, "ALARM"))
        assert not pattern.matches_event(_alarm_event(name, "OK", previous="ALARM"))
        assert not pattern.matches_event(_alarm_event(name, "INSUFFICIENT_DATA"))
    assert pattern.matches_event(_alarm_event("prod-customer-churn-data-drift", "ALARM")), (
        "drift still retrains"
    )
    assert not pattern.matches_event(_alarm_event("prod-customer-churn-model-quality-recall", "ALARM"))
    [target] = [t for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget") if t.name == rule.name]
    [pipeline] = training_pipelines(graph)
    [gate] = [
        g
        for g in graph.of_type("aws:sfn/stateMachine:StateMachine")
        if g.outputs["arn"] == target.inputs["arn"]
    ]
    start = json.loads(gate.inputs["definition"])["States"]["StartRetraining"]
    assert start["Parameters"]["PipelineName"] == pipeline.outputs["pipelineName"], "the same gate as drift"


def test_quality_alarms_retrain_only_where_drift_retraining_is_on(write_stack) -> None:
    def off(platform: dict[str, Any]) -> None:
        # The prod fixture cut to what its endpoints read (the monitors, quality alarms and the
        # family's training pipeline stay), which turns every retraining trigger off; the schedule
        # and new data back to the fixture's (unset: the defaults): only drift retraining is off.
        serving_cut(platform)
        del platform["training"]["schedule"], platform["training"]["new_data"]

    graph = recorded_stack(str(write_stack("prod", off, name="Pulumi.prod.yaml")))
    assert len(_quality_alarms(graph)) == 2, "they still page"
    patterns = [r.inputs.get("eventPattern") or "" for r in graph.of_type(RULE)]
    assert not any("model-quality" in pattern for pattern in patterns)


# --- regression: demand-forecast served and monitored in prod -----------------------------------------


def _forecast_served(platform: dict[str, Any]) -> None:
    forecast = forecast_family(hyperparameters=FORECAST_HYPERPARAMETERS)
    forecast["quality_alarms"] = {"rmse": 12.5, "r2": 0.4}
    platform["models"].append(forecast)
    [endpoint] = platform["endpoints"]
    endpoint["name"] = "demand-forecast"
    endpoint["variants"][0]["model"] = {"latest_approved_of": "demand-forecast"}
    platform["monitoring"]["model_monitors"]["problem_type"] = "Regression"
    platform["monitoring"]["schedule"] = "cron(0 0/6 ? * * *)"


@pytest.fixture(scope="module")
def forecast_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    from tests.conftest import load_stack_document

    document = load_stack_document("prod")
    _forecast_served(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("forecast") / "Pulumi.prod.yaml"
    path.write_text(json.dumps(document))
    return recorded_stack(str(path))


def test_a_regression_family_pages_when_its_error_rises_or_its_r2_drops(forecast_graph) -> None:
    alarms = _quality_alarms(forecast_graph)
    assert set(alarms) == {"prod-demand-forecast-model-quality-rmse", "prod-demand-forecast-model-quality-r2"}
    schedule = _schedule_name(forecast_graph)
    rmse, r2 = (
        alarms["prod-demand-forecast-model-quality-rmse"],
        alarms["prod-demand-forecast-model-quality-r2"],
    )
    for alarm in (rmse, r2):
        assert alarm["dimensions"] == {"Endpoint": "prod-demand-forecast", "MonitoringSchedule": schedule}
        # Every six hours: a period per run.
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["treatMissingData"]) == (
            21600,
            1,
            "ignore",
        )
    assert (rmse["metricName"], rmse["statistic"], rmse["comparisonOperator"], rmse["threshold"]) == (
        "rmse",
        "Maximum",
        "GreaterThanThreshold",
        12.5,
    )
    assert (r2["metricName"], r2["statistic"], r2["comparisonOperator"], r2["threshold"]) == (
        "r2",
        "Minimum",
        "LessThanThreshold",
        0.4,
    )


def test_a_degraded_forecast_retrains_the_forecast_family_not_churn(forecast_graph) -> None:
    rules = {r.name: r for r in forecast_graph.of_type(RULE)}
    # No endpoint serves churn here: its drift rule retrains on its batch input's Evidently alarm only.
    churn = json.loads(rules["triggers-customer-churn-drift"].inputs["eventPattern"])["detail"]["alarmName"]
    assert churn == ["prod-customer-churn-batch-scoring-evidently-drift"]
    pattern = EventPattern.load(rules["triggers-demand-forecast-drift"].inputs["eventPattern"])
    assert json.loads(rules["triggers-demand-forecast-drift"].inputs["eventPattern"])["detail"][
        "alarmName"
    ] == [
        "prod-demand-forecast-model-quality-rmse",
        "prod-demand-forecast-model-quality-r2",
    ]
    assert pattern.matches_event(_alarm_event("prod-demand-forecast-model-quality-rmse", "ALARM"))


def test_the_pack_finds_nothing_to_fix_in_either_familys_alarms(stack_graphs, forecast_graph) -> None:
    for graph in (stack_graphs["prod"], forecast_graph):
        violations, _ = evaluate_policies(graph)
        assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def test_the_pack_knows_every_quality_metric_on_the_same_bad_side() -> None:
    for problem_type, metrics in QUALITY_METRICS.items():
        for metric, bad in metrics.items():
            meaning = metric_of(PACK_NAMESPACE, metric)
            assert meaning is not None and meaning.bad == bad, (problem_type, metric)


# --- the component on its own ---------------------------------------------------------------------------


def _args(**changes: Any) -> ModelQualityAlarmsArgs:
    values: dict[str, Any] = {
        "endpoint_name": "churn",
        "monitoring_schedule_name": "churn-model-quality",
        "schedule": "cron(0 3 ? * * *)",
        "problem_type": "MulticlassClassification",
        "thresholds": {"weighted_f1": 0.7, "accuracy": 0.8},
        "alarm_topic_arn": TOPIC,
        "tags": {"owner": "t"},
    } | changes
    return ModelQualityAlarmsArgs(**values)


def test_a_daily_multiclass_monitor_gets_a_day_long_period_per_alarm() -> None:
    graph = record_program(lambda: ModelQualityAlarms("quality", _args()))
    alarms: list[RecordedResource] = graph.of_type(ALARM)
    assert [a.inputs["name"] for a in alarms] == [
        "churn-model-quality-weighted_f1",
        "churn-model-quality-accuracy",
    ]
    for alarm in alarms:
        assert alarm.parent == graph.named("quality").urn
        assert (alarm.inputs["period"], alarm.inputs["comparisonOperator"]) == (86400, "LessThanThreshold")


@pytest.mark.parametrize(
    ("schedule", "seconds"),
    [
        ("cron(0 * ? * * *)", 3600),
        ("cron(0 0/1 ? * * *)", 3600),
        ("cron(0 2/12 ? * * *)", 43200),
        ("cron(0 23 ? * * *)", 86400),
    ],
    ids=["hourly", "every-hour-from-0", "every-12-hours", "daily"],
)
def test_a_period_covers_one_run_of_the_schedule(schedule, seconds) -> None:
    assert schedule_interval_seconds(schedule) == seconds


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"thresholds": {}}, "name at least one metric"),
        (
            {"thresholds": {"auc": 0.8}},
            "'auc' is not a model-quality metric of a MulticlassClassification model",
        ),
        ({"problem_type": "Regression", "thresholds": {"rmse": 0}}, "rmse is at least 0"),
        ({"thresholds": {"accuracy": 1.0}}, "strictly between them"),
        ({"schedule": "rate(1 hour)"}, "not a Model Monitor schedule"),
        ({"problem_type": "Ranking"}, "'Ranking' is not one of BinaryClassification"),
    ],
    ids=[
        "no-metric",
        "metric-of-another-problem-type",
        "zero-error",
        "perfect-score",
        "not-a-monitor-schedule",
        "unknown-problem-type",
    ],
)
def test_alarms_that_cannot_work_are_refused_before_any_resource(changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**changes)


# --- stack errors ---------------------------------------------------------------------------------------


def _set_alarms(alarms: Any) -> Any:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["quality_alarms"] = alarms

    return edit


@pytest.mark.parametrize(
    ("base", "alarms", "key", "fragment"),
    [
        (
            "prod",
            {"precison": 0.7},
            "models[0].quality_alarms.precison",
            "'precison' is not a model-quality metric",
        ),
        (
            "prod",
            {"rmse": 3.0},
            "models[0].quality_alarms.rmse",
            "not a model-quality metric of a BinaryClassification model; use one of accuracy",
        ),
        ("prod", {"auc": 1.2}, "models[0].quality_alarms.auc", "strictly between them"),
        ("prod", {"f1": 0}, "models[0].quality_alarms.f1", "strictly between them"),
        ("prod", {"auc": ".nan"}, "models[0].quality_alarms.auc", "which JSON cannot carry"),
        ("prod", {"auc": "high"}, "models[0].quality_alarms.auc", "valid number"),
        (
            "staging",
            {"auc": 0.7},
            "models[0].quality_alarms",
            "set monitoring.model_monitors.model_quality: true",
        ),
    ],
    ids=[
        "misspelt-metric",
        "regression-metric-on-a-classifier",
        "auc-above-1",
        "f1-zero",
        "nan",
        "not-a-number",
        "no-model-quality-monitor",
    ],
)
def test_quality_alarms_a_monitor_cannot_serve_are_refused_naming_file_and_key(
    write_stack, base, alarms, key, fragment
) -> None:
    path = write_stack(base, _set_alarms(alarms))
    text = path.read_text().replace("'.nan'", ".nan")
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))
    line = next((line for line in str(raised.value).splitlines() if f": {CONFIG_KEY}.{key}: " in line), None)
    assert line is not None, f"no problem reported at {key}:\n{raised.value}"
    assert line.strip().startswith(f"{path}: ") and fragment in line, line


def test_a_nan_threshold_is_refused_by_the_program_too() -> None:
    """The stack file's reader refuses an unquoted .nan first (Pulumi cannot pass it on); the
    program's own check holds for JSON that carries one (Python's json reads NaN)."""
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    platform["models"][0]["quality_alarms"] = {"auc": math.nan}
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "Pulumi.prod.yaml")
    assert [
        message
        for key, message in raised.value.problems
        if key == f"{CONFIG_KEY}.models[0].quality_alarms.auc" and "finite number" in message
    ]


def test_a_regression_metric_is_checked_against_the_monitor_when_the_family_does_not_train(
    write_stack,
) -> None:
    def imported(platform: dict[str, Any]) -> None:
        platform["training"] = {"enabled": False}
        del platform["models"][0]["training"]
        platform["models"][0]["quality_alarms"] = {"mae": 2.0}

    path = write_stack("prod", imported)
    with pytest.raises(
        ConfigError, match=r"models\[0\]\.quality_alarms\.mae: .*monitoring\.model_monitors\.problem_type"
    ):
        parse_platform_config(read_stack_file(path).platform, str(path))
