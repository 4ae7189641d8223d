"""The SDK's type-hint helpers remembered per type object (planner/sdk_type_memo.py): same answers as
the SDK's own, per object, and only where the planner's hooks are on.

The whole-graph ground truth is tests/planner/test_lazy_provider_imports.py: the prod stack
recorded in a fresh process with the switch off (no memo) equals this worker's recording."""

from __future__ import annotations

from typing import Any, Union

import pulumi
import pulumi_aws as aws
from pulumi import _types

from planner import sdk_type_memo
from planner.recorder import record_program
from tests.fresh_plans import fresh_plan


def _alarm_program() -> None:
    aws.cloudwatch.MetricAlarm(
        "error-rate",
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=3,
        threshold=5.0,
        metric_queries=[
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="errors",
                return_data=True,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    metric_name="Invocation5XXErrors",
                    namespace="AWS/SageMaker",
                    period=60,
                    stat="Sum",
                    dimensions={"EndpointName": "churn"},
                ),
            )
        ],
        tags={"team": "ml"},
    )
    topic = aws.sns.Topic("alerts", kms_master_key_id="alias/aws/sns")
    pulumi.export("topic", topic.arn)


def test_this_worker_records_with_the_memo_and_the_switch_turns_it_off() -> None:
    assert sdk_type_memo.is_installed()
    assert fresh_plan("1")["plan"]["sdk_type_memo"] is True
    assert fresh_plan("0")["plan"]["sdk_type_memo"] is False


def test_every_remembered_answer_is_the_sdks_own_for_that_object() -> None:
    graph = record_program(_alarm_program)
    [alarm] = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarm.inputs["metricQueries"][0]["metric"]["dimensions"] == {"EndpointName": "churn"}
    assert alarm.inputs["metricQueries"][0]["metric"]["period"] == 60
    for name in sdk_type_memo.MEMOISED:
        helper = getattr(_types, name)
        remembered = helper.remembered
        assert remembered, f"{name}: a recording asked nothing"
        for key, (argument, answer) in remembered.items():
            assert key == id(argument)
            assert helper.__wrapped__(argument) == answer, (name, argument)
    assert aws.cloudwatch.MetricAlarm in {
        argument for argument, _ in _types.resource_types.remembered.values()
    }


def test_a_memo_is_keyed_by_the_object_not_by_equality() -> None:
    # Union[int, str] == Union[str, int], but the SDK's unwrap_type reads a union's order.
    first = sdk_type_memo.memoised(lambda union: union.__args__[0])
    forward: Any = Union[int, str]  # noqa: UP007 - the typing object is what the SDK is given
    backward: Any = Union[str, int]  # noqa: UP007
    assert forward == backward
    assert (first(forward), first(backward), first(forward)) == (int, str, int)


def test_resource_types_gives_each_caller_a_dict_of_its_own() -> None:
    types = _types.resource_types(aws.sns.Topic)
    assert types["arn"] is str
    types["arn"] = int
    del types["name"]
    again = _types.resource_types(aws.sns.Topic)
    assert again["arn"] is str and "name" in again
    assert again is not types


def test_installing_twice_wraps_once() -> None:
    before = {name: getattr(_types, name) for name in sdk_type_memo.MEMOISED}
    sdk_type_memo.install()
    assert {name: getattr(_types, name) for name in sdk_type_memo.MEMOISED} == before
    assert all(not hasattr(helper.__wrapped__, "remembered") for helper in before.values())
