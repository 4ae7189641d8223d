"""What the retraining loop's values mean: the retraining gate, the pipeline triggers and tuning.

A mutation audit of ``components/training/retraining_gate.py``, ``pipeline_triggers.py`` and
``tuning.py`` (145 one-step mutations) found the gate pinned on every path by the moto-run tests in
test_retraining_gate.py: all 34 of its mutations (Choice rules swapped, the oldest running gate
taken as the newest, the cooldown in minutes, the retry's interval, attempts and backoff, the
client token hashed from the alarm, IAM actions and resources, EXPRESS instead of STANDARD) fail
there. What no test held: the triggers' queue policy (EventBridge's principal, ``sqs:SendMessage``,
its resource, the TLS-only deny), a drift rule that also fires on INSUFFICIENT_DATA or on an
alarm's configuration change, a gate built from the pipeline's ARN instead of its name,
``rule_arns`` missing a rule, a schedule or pipe passing a pipeline parameter (overriding the
InputDataUri the new-data rule watches), new-data events kept an hour instead of a day; and in
tuning, edges SageMaker accepts refused (exactly 100 hyperparameters, a 750-combination grid, as
many parallel jobs as jobs, 20,000 Hyperband epochs, reverse-logarithmic from 0, a 256-character
name, the ``n-epochs`` key) or values it refuses accepted (an infinite or NaN bound, a boolean
integer bound, no categorical values, scaling on a categorical range, Hyperband from 0 epochs, an
unknown objective direction or early-stopping type for a direct caller, a ``sagemaker_`` range),
a tuning job given less than SageMaker's 120 s minimum when one job is short, and the builder's
defaults (strategy, parallel jobs, early stopping) drifting from a stack file's. Each test here
fails under one such mutation. Left as equivalent: ``max_jobs or 1`` -> ``or 0`` (only reached for
settings validation refuses) and categorical values of 0 characters (botocore's ParameterValue
allows them; the module is stricter).
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.training.pipeline_triggers import NewDataSource
from components.training.retraining_gate import gate_definition, gate_name
from components.training.training_spec import TuningSpec
from components.training.tuning import (
    MAX_HYPERPARAMETERS,
    ParameterRange,
    TuningSettings,
    tuning_problems,
    tuning_runtime,
)
from planner.recorder import ResourceGraph
from tests.components.pipeline_triggers_fixture import PIPELINE_NAME, alarm_state_change, record_triggers
from tests.graph_helpers import policy_of, statements

RULE = "aws:cloudwatch/eventRule:EventRule"
QUEUE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/notifications"
ALARM = "customer-churn-data-drift"


def _triggers(**changes: Any) -> ResourceGraph:
    return record_triggers(**changes)[0]


def _new_data(window: int = 120) -> NewDataSource:
    return NewDataSource(
        bucket_name="datasets",
        prefix="training-data/customer-churn/",
        batching_window_seconds=window,
        queue_kms_key_arn=QUEUE_KEY,
    )


def _alarm_event(state: str, previous: str = "OK") -> dict[str, Any]:
    return alarm_state_change(ALARM, state, previous)


# --- pipeline triggers ----------------------------------------------------------------------------


def test_an_alarm_losing_its_data_does_not_retrain() -> None:
    graph = _triggers(drift_alarm_names=[ALARM])
    [rule] = graph.of_type(RULE)
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    assert pattern.matches_event(_alarm_event("ALARM", previous="INSUFFICIENT_DATA"))
    assert not pattern.matches_event(_alarm_event("INSUFFICIENT_DATA", previous="ALARM"))
    assert not pattern.matches_event(_alarm_event("OK", previous="ALARM"))


def test_the_gate_the_triggers_build_calls_the_pipeline_by_name_and_may_touch_only_it() -> None:
    graph = _triggers(drift_alarm_names=[ALARM], retraining_cooldown_seconds=7200)
    [machine] = graph.of_type("aws:sfn/stateMachine:StateMachine")
    assert machine.inputs["name"] == gate_name(PIPELINE_NAME) == f"{PIPELINE_NAME}-retraining"
    assert json.loads(machine.inputs["definition"]) == gate_definition(PIPELINE_NAME, 7200)


def test_only_the_new_data_rule_may_send_to_the_queue_and_only_over_tls() -> None:
    graph = _triggers(new_data=_new_data())
    [queue] = [q for q in graph.of_type("aws:sqs/queue:Queue") if "undelivered" not in q.name]
    [rule] = graph.of_type(RULE)
    [queue_policy] = [
        q for q in graph.of_type("aws:sqs/queuePolicy:QueuePolicy") if "undelivered" not in q.name
    ]
    assert queue_policy.inputs["queueUrl"] == queue.outputs["url"]
    assert statements(policy_of(queue_policy)) == [
        {
            "Sid": "NewDataRulePublishes",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue.outputs["arn"],
            "Condition": {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}},
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": queue.outputs["arn"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


def test_rule_arns_name_every_rule_the_triggers_created() -> None:
    graph = _triggers(schedule="cron(0 3 ? * MON *)", new_data=_new_data(), drift_alarm_names=[ALARM])
    rules = graph.of_type(RULE)
    assert len(rules) == 3
    assert sorted(graph.exports["rule_arns"]) == sorted(rule.outputs["arn"] for rule in rules)


def test_scheduled_and_new_data_runs_pass_no_parameters_so_they_read_the_watched_prefix() -> None:
    """The pipeline's InputDataUri default is the prefix the new-data rule watches
    (``training_data_prefix``); a trigger passing any parameter would override what the run reads."""
    graph = _triggers(schedule="cron(0 3 ? * MON *)", new_data=_new_data())
    targets = {t.name: t for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")}
    assert targets["triggers-schedule"].inputs["sagemakerPipelineTarget"] == {"pipelineParameterLists": []}
    [starter] = [
        m for m in graph.of_type("aws:sfn/stateMachine:StateMachine") if m.name.endswith("-new-data")
    ]
    [start] = json.loads(starter.inputs["definition"])["States"].values()
    assert start["Resource"].endswith(":sagemaker:startPipelineExecution")
    assert not [key for key in start["Parameters"] if key.startswith("PipelineParameters")]


def test_new_data_events_outlive_a_day_of_failed_starts() -> None:
    """A batch the pipe could not hand to its starter returns to the queue after the visibility
    timeout and is retried, then kept 14 days in the undelivered queue to be redriven (a starter
    that fails pages through the failure alerts; its batch was consumed)."""
    graph = _triggers(new_data=_new_data(300))
    [queue] = [q for q in graph.of_type("aws:sqs/queue:Queue") if "undelivered" not in q.name]
    assert queue.inputs["messageRetentionSeconds"] == 24 * 3600
    assert queue.inputs["visibilityTimeoutSeconds"] == 600, "twice the 300 s window the pipe holds a batch"


def test_an_alarms_configuration_change_does_not_retrain() -> None:
    """Updating an alarm (a deploy changing its threshold) while it is in ALARM is a configuration
    change event carrying its state, not a transition: no retraining run."""
    graph = _triggers(drift_alarm_names=[ALARM])
    [rule] = graph.of_type(RULE)
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    event = _alarm_event("ALARM", previous="ALARM")
    event["detail-type"] = "CloudWatch Alarm Configuration Change"
    event["detail"]["operation"] = "update"
    assert not pattern.matches_event(event)


# --- tuning ---------------------------------------------------------------------------------------


def _tuning(**changes: Any) -> TuningSettings:
    values: dict[str, Any] = {
        "objective_metric": "validation:auc",
        "objective_type": "Maximize",
        "parameters": {"eta": ParameterRange("continuous", 0.01, 0.3)},
        "max_jobs": 4,
    } | changes
    return TuningSettings(**values)


def _problems(tuning: TuningSettings, hyperparameters: dict[str, Any] | None = None) -> list[str]:
    return [
        message
        for _, message in tuning_problems(
            tuning,
            hyperparameters=hyperparameters or {},
            metric_names=["validation:auc"],
            reserved=("model_dir", "seed", "output_dir"),
        )
    ]


def test_a_direct_caller_leaving_a_setting_out_gets_the_stack_files_search() -> None:
    """``TuningSettings`` (the builder's) and ``TuningSpec`` (a stack file's) default alike: Bayesian,
    one job at a time, no early stopping (SageMaker's own early-stopping default)."""
    defaults = {f.name: f.default for f in dataclasses.fields(TuningSettings) if f.init}
    for key in ("strategy", "max_parallel_jobs", "early_stopping"):
        assert defaults[key] == TuningSpec.model_fields[key].default, key
    assert (defaults["strategy"], defaults["max_parallel_jobs"], defaults["early_stopping"]) == (
        "Bayesian",
        1,
        "Off",
    )


def test_a_tuning_job_never_gets_less_than_sagemakers_120_second_minimum() -> None:
    # One 60-second training job (the shortest max_run_seconds a family takes).
    assert tuning_runtime(_tuning(max_jobs=1), 60) == 120
    assert tuning_runtime(_tuning(max_jobs=3), 60) == 180


def test_exactly_100_hyperparameters_with_the_tuning_objective_pass_and_101_do_not() -> None:
    # 95 fixed + 3 reserved + 1 tuned + SageMaker's _tuning_objective_metric.
    fixed = {f"fixed_{i}": i for i in range(95)}
    assert MAX_HYPERPARAMETERS == 95 + 3 + 1 + 1
    assert _problems(_tuning(), fixed) == []
    fixed["one_more"] = 1
    assert any("101 hyperparameters" in m for m in _problems(_tuning(), fixed))


@pytest.mark.parametrize(
    ("name", "ranges", "fragment"),
    [
        ("infinite-max", {"eta": ParameterRange("continuous", 0.0, math.inf)}, "must be a finite number"),
        ("nan-min", {"eta": ParameterRange("continuous", math.nan, 1.0)}, "must be a finite number"),
        ("boolean-integer-bound", {"depth": ParameterRange("integer", False, 8)}, "must be an integer"),
        ("no-categorical-values", {"loss": ParameterRange("categorical", values=())}, "0 values"),
        (
            "categorical-with-scaling",
            {"loss": ParameterRange("categorical", scaling="Logarithmic", values=("a", "b"))},
            "takes only values",
        ),
    ],
)
def test_ranges_sagemaker_would_refuse_are_refused(name, ranges, fragment) -> None:
    problems = _problems(_tuning(parameters=ranges))
    assert any(fragment in m for m in problems), (name, problems)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"objective_type": "Maximise"}, "'Maximise' is not one of Maximize, Minimize"),
        ({"objective_type": "minimize"}, "'minimize' is not one of Maximize, Minimize"),
        ({"early_stopping": "On"}, "'On' is not one of Off, Auto"),
        (
            {"parameters": {"sagemaker_region": ParameterRange("continuous", 0.1, 0.2)}},
            "set by the platform or by SageMaker",
        ),
    ],
    ids=["objective-maximise", "objective-lowercase", "early-stopping-on", "sagemaker-prefixed-name"],
)
def test_settings_a_direct_caller_gets_wrong_are_refused(changes, fragment) -> None:
    problems = _problems(_tuning(**changes))
    assert any(fragment in m for m in problems), problems


@pytest.mark.parametrize(
    "ranges",
    [
        # The developer guide: reverse-logarithmic ranges lie within 0 <= x < 1.0; 0 is in.
        {"momentum": ParameterRange("continuous", 0.0, 0.99, "ReverseLogarithmic")},
        # ParameterKey: at most 256 characters, 256 included.
        {"p" * 256: ParameterRange("continuous", 0.1, 0.2)},
    ],
    ids=["reverse-logarithmic-from-zero", "name-of-256-characters"],
)
def test_ranges_at_sagemakers_edges_pass(ranges) -> None:
    assert _problems(_tuning(parameters=ranges)) == []


def _categorical(count: int) -> ParameterRange:
    return ParameterRange("categorical", values=tuple(f"v{i}" for i in range(count)))


@pytest.mark.parametrize(
    "changes",
    [
        {"max_jobs": 4, "max_parallel_jobs": 4},
        {
            "strategy": "Grid",
            "max_jobs": None,
            "parameters": {"a": _categorical(30), "b": _categorical(25)},
        },
        {"strategy": "Hyperband", "hyperband_min_resource": 1, "hyperband_max_resource": 20_000},
    ],
    ids=["all-jobs-at-once", "grid-of-exactly-750-combinations", "hyperband-1-to-20000-epochs"],
)
def test_settings_at_sagemakers_limits_pass(changes) -> None:
    assert _problems(_tuning(**changes)) == []


def test_hyperband_resources_start_at_one_epoch() -> None:
    problems = _problems(_tuning(strategy="Hyperband", hyperband_min_resource=0, hyperband_max_resource=10))
    assert "0 is not 1-20000" in problems


# The developer guide ("Hyperband"): without MaxResource, Hyperband reads it from one of these.
@pytest.mark.parametrize("key", ["epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs"])
def test_hyperband_reads_its_maximum_from_any_epochs_hyperparameter_sagemaker_knows(key) -> None:
    tuning = _tuning(strategy="Hyperband")
    assert _problems(tuning, {key: 50}) == []
    assert any("Hyperband needs max_resource" in m for m in _problems(tuning, {"epoch_count": 50}))
