"""What the alarm and production-governance rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/alarms.py (governance_prod.py follows): 69 one-step
mutations of the decision logic, each run against the tests of its rules. 38 were caught; 31
survived. Of those, 20 are caught by a test here, 2 exposed product bugs (fixed, see CHANGELOG.md)
and 9 are equivalent. 6 further mutations of the fixed lines are all caught here.

alarms.py (69 mutations, 31 survived: 20 caught now, 2 bugs, 9 equivalent):

- an anomaly band on a score (accuracy) fires below it or on both sides; its upper side alone fails;
- an extendedStatistic is the statistic judged, even beside a statistic;
- a lone metric query whose returnData is unset is the metric watched; a query with returnData
  true wins over one whose returnData is unset; an alarm whose queries all return no data is not
  judged (no crash);
- an aggregate over an expression (which may invert its metric) or followed by arithmetic
  (``MAX([m0]) * -1``) is not judged;
- an aws-native query is judged by its ``metricStat.stat``;
- a demand alarm with no actions is no scale-in trigger (it must fire high);
- an operator the table does not know is not judged for direction, and a rollback alarm without
  one cannot be shown to fire;
- a rollback alarm must watch its own endpoint: through a metric query's dimensions, Model Monitor's
  ``Endpoint`` dimension, aws-native's ``[{name, value}]`` dimensions, an aws-native endpoint's
  ``endpointName``; an endpoint without a literal name, or a dimension unknown at preview, is not
  judged by endpoint;
- an aws-native rollback alarm is found by its literal ``alarmName``; one linked only through its
  name Output (unknown at preview) is judged;
- steps run by an anomaly band on both sides are not a scale-out.

The two bugs, survivors because no test held the case and the rule's verdict there was wrong: an aggregate
(``MAX([m0, m1])``) over several endpoints' metrics read as watching no endpoint, so a rollback alarm
on other endpoints only passed (mutation: take the first metric's endpoint); and an aggregate's
statistic was unset when its metrics' differed, so MAX of a latency's Average and p99 was refused
(mutation: take any one of them). Each metric an aggregate takes is now judged by its own statistic
and endpoint.

Equivalent (no deployable resource changes verdict):

- ``metric_of``'s type guard with ``and`` for ``or``: its callers pass strings only;
- the anomaly-band filter without ``is_set(band)``: it would drop only queries without an id, and
  every metric query needs one (pulumi-aws and aws-native schemas);
- an identity expression allowed to name its own query: that query holds an expression, so no
  metric (AWS refuses a query with both);
- ``len(meanings) > 1`` for ``!= 1``: no meaning at all is refused by the checks before it;
- IDENTITY without ``^``: ``re.match`` anchors at the start anyway;
- the latency check as ``if`` for ``elif``: a metric's kind is errors or latency, not both;
- ``_on_sagemaker`` reading scalingTargetId when one of scalableDimension/resourceId is set:
  CloudFormation takes scalingTargetId or that triple, never both;
- a scalingTargetId without ``|`` counting: a CloudFormation scalable target id always has three
  ``|``-separated fields;
- ``all`` for ``any`` over a policy's targets: scalingTargetId depends on one target;
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import assert_outcome, build
from tests.policies.test_policy_alarm_rules import (
    ALARM,
    GPU,
    NATIVE_ALARM,
    QUALITY,
    TOPIC,
    alarm,
    anomaly,
    drift,
    metric_math,
    native,
    rollback_stack,
    step_stack,
)

BAD_SIDE = "alarm-fires-on-the-bad-side"
STATISTIC = "alarm-statistic-fits-the-metric"
ROLLBACK = "rollback-alarms-can-fire"
STEPS = "scale-out-steps-add-capacity"
NATIVE_ENDPOINT = "aws-native:sagemaker:Endpoint"


def report_of(rule: str, specs: list[dict[str, Any]], config: dict[str, Any] | None = None) -> Any:
    return evaluate_report(build(specs), config, [get_policy(rule)])


def decided(rule: str, specs: list[dict[str, Any]], fragment: str | None) -> None:
    """The rule's verdict on the stack (``fragment`` None: it passes), decided at this preview."""
    report = report_of(rule, specs)
    assert_outcome(report.violations, rule, fragment)
    assert report.undecided == [] and not any(report.stack_undecided.values())


def messages(rule: str, resource_type: str, inputs: dict[str, Any]) -> list[str]:
    report = report_of(rule, [{"type": resource_type, "name": "subject", "inputs": inputs}])
    assert report.undecided == []
    return [v.message for v in report.violations]


def errors_query(endpoint: str = "churn", stat: str = "Sum", **changes: Any) -> dict[str, Any]:
    """A pulumi-aws metric query's ``metric`` on the 5xx count of ``endpoint``."""
    return {
        "namespace": "AWS/SageMaker",
        "metricName": "Invocation5XXErrors",
        "dimensions": {"EndpointName": endpoint, "VariantName": "primary"},
        "period": 60,
        "stat": stat,
        **changes,
    }


def latency_query(stat: str) -> dict[str, Any]:
    return {**errors_query(stat=stat), "metricName": "ModelLatency"}


# --- alarm-fires-on-the-bad-side -------------------------------------------------------------------


def score_band(operator: str) -> dict[str, Any]:
    """:func:`anomaly` on a score that is bad when low (accuracy), not on an error count."""
    props = anomaly(operator, stat="Average")
    props["metricQueries"][1]["metric"] = {
        **props["metricQueries"][1]["metric"],
        "namespace": QUALITY,
        "metricName": "accuracy",
        "dimensions": {"Endpoint": "churn", "MonitoringSchedule": "churn-mq"},
    }
    return props


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("LessThanLowerOrGreaterThanUpperThreshold", []),
        ("LessThanLowerThreshold", []),
        (
            "GreaterThanUpperThreshold",
            [
                "comparisonOperator 'GreaterThanUpperThreshold' fires when "
                "aws/sagemaker/Endpoints/model-metrics accuracy is high, but quality metrics are bad when "
                "low: use 'LessThanThreshold' (or its OrEqualTo form)."
            ],
        ),
    ],
    ids=["both-sides-pass", "lower-side-passes", "upper-side-only-fails"],
)
def test_an_anomaly_band_on_a_score_fires_below_it_or_on_both_sides(operator, expected) -> None:
    assert messages(BAD_SIDE, ALARM, score_band(operator)) == expected


def test_a_single_metric_query_without_return_data_is_the_metric_watched() -> None:
    """CloudWatch returns a lone query whose ``returnData`` is unset: it is judged, not skipped."""
    inputs = {
        "metricQueries": [{"id": "m0", "metric": errors_query()}],
        "comparisonOperator": "LessThanThreshold",
        "threshold": 5,
        "evaluationPeriods": 1,
        "alarmActions": [TOPIC],
    }
    assert messages(BAD_SIDE, ALARM, inputs) == [
        "comparisonOperator 'LessThanThreshold' fires when AWS/SageMaker Invocation5XXErrors is low, but "
        "errors metrics are bad when high: use 'GreaterThanThreshold' (or its OrEqualTo form)."
    ]


def test_the_query_returning_data_wins_over_one_whose_return_data_is_unset() -> None:
    inputs = {
        "metricQueries": [
            {"id": "m0", "metric": errors_query()},
            {"id": "out", "returnData": True, "expression": "m0"},
        ],
        "comparisonOperator": "LessThanThreshold",
        "threshold": 5,
        "evaluationPeriods": 1,
        "alarmActions": [TOPIC],
    }
    assert [m.split(",")[0] for m in messages(BAD_SIDE, ALARM, inputs)] == [
        "comparisonOperator 'LessThanThreshold' fires when AWS/SageMaker Invocation5XXErrors is low"
    ]


def test_an_alarm_whose_queries_all_return_no_data_is_not_judged() -> None:
    inputs = metric_math({"expression": "m0"}, errors_query(), comparisonOperator="LessThanThreshold")
    inputs["metricQueries"][-1]["returnData"] = False
    assert messages(BAD_SIDE, ALARM, inputs) == []
    assert messages(STATISTIC, ALARM, inputs) == []


@pytest.mark.parametrize(
    "returned",
    [
        # MAX of the count and an expression over it: the expression may invert it (-m0).
        {"expression": "MAX([m0,neg])"},
        # An aggregate scaled afterwards: -MAX(...) fires low when the errors rise.
        {"expression": "MAX([m0]) * -1"},
    ],
    ids=["aggregate-over-an-expression", "aggregate-then-arithmetic"],
)
def test_an_aggregate_that_can_invert_its_metric_is_not_judged(returned) -> None:
    inputs = metric_math(returned, errors_query(stat="Average"), comparisonOperator="LessThanThreshold")
    inputs["metricQueries"].insert(1, {"id": "neg", "returnData": False, "expression": "-1 * m0"})
    assert messages(BAD_SIDE, ALARM, inputs) == []
    assert messages(STATISTIC, ALARM, inputs) == []


def test_a_demand_alarm_without_actions_is_no_scale_in_trigger() -> None:
    """Only an alarm whose every action (at least one) runs a scaling policy may fire low on demand."""
    expected = [
        "comparisonOperator 'LessThanThreshold' fires when /aws/sagemaker/Endpoints GPUUtilization is low, "
        "but utilisation metrics are bad when high: use 'GreaterThanThreshold' (or its OrEqualTo form)."
    ]
    for actions in ([], None):
        inputs = {**GPU, "comparisonOperator": "LessThanThreshold", "alarmActions": actions}
        assert messages(BAD_SIDE, ALARM, {k: v for k, v in inputs.items() if v is not None}) == expected


def test_an_operator_the_rule_does_not_know_is_not_judged_for_direction() -> None:
    inputs = {k: v for k, v in alarm("Invocation5XXErrors").items() if k != "comparisonOperator"}
    assert messages(BAD_SIDE, ALARM, inputs) == []


# --- alarm-statistic-fits-the-metric -----------------------------------------------------------------


def test_an_extended_statistic_is_the_statistic_judged_even_beside_a_statistic() -> None:
    inputs = alarm("Invocation5XXErrors", extendedStatistic="p99")  # statistic "Sum" too
    assert messages(STATISTIC, ALARM, inputs) == [
        "extendedStatistic of AWS/SageMaker Invocation5XXErrors is 'p99': an error count is judged by its Sum "
        "per period (an Average, Minimum or Maximum of counts hides bursts): use 'Sum'."
    ]


def test_an_aws_native_query_is_judged_by_its_metric_stat() -> None:
    assert messages(STATISTIC, NATIVE_ALARM, native("GreaterThanThreshold", "Sum")) == []


def test_each_metric_an_aggregate_takes_is_judged_by_its_own_statistic() -> None:
    """MAX over counts summed and averaged names the averaged one; MAX over a latency's Average and
    its p99 (each fit for latency) passes. (Before: one statistic for the aggregate, "unset" when
    its metrics' differed, so the first was reported as unset and the second refused.)"""
    counts = metric_math({"expression": "MAX([m0,m1])"}, errors_query(), errors_query(stat="Average"))
    assert messages(STATISTIC, ALARM, counts) == [
        "metricQueries[1].metric.stat of AWS/SageMaker Invocation5XXErrors is 'Average': an error count is "
        "judged by its Sum per period (an Average, Minimum or Maximum of counts hides bursts): use 'Sum'."
    ]
    latencies = metric_math({"expression": "MAX([m0,m1])"}, latency_query("Average"), latency_query("p99"))
    assert messages(STATISTIC, ALARM, latencies) == []


# --- rollback-alarms-can-fire ------------------------------------------------------------------------


def rollback_on(errors: dict[str, Any], endpoint_type: str | None = None) -> list[dict[str, Any]]:
    specs = rollback_stack(errors)
    if endpoint_type == NATIVE_ENDPOINT:
        endpoint = specs[-1]
        endpoint["type"] = NATIVE_ENDPOINT
        inputs = endpoint["inputs"]
        inputs["endpointName"] = inputs.pop("name")
    return specs


ANOTHER_ENDPOINT = (
    "rollback alarm 'errors' of endpoint 'endpoint' watches endpoint 'other', not 'churn': its deployments "
    "never trip it; set the alarm's EndpointName dimension to this endpoint's name."
)


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        (
            rollback_on(metric_math({"expression": "m0"}, errors_query("other"))),
            ANOTHER_ENDPOINT,
        ),
        (
            rollback_on(
                alarm(
                    drift("a")["metricName"],
                    drift("a")["namespace"],
                    statistic="Maximum",
                    dimensions={"Endpoint": "other", "MonitoringSchedule": "other-dq"},
                )
            ),
            "watches endpoint 'other', not 'churn'",
        ),
        (
            rollback_on(
                {
                    **native("GreaterThanThreshold"),
                    "metrics": [
                        {
                            **native("GreaterThanThreshold")["metrics"][0],
                            "metricStat": {
                                "metric": {
                                    "namespace": "AWS/SageMaker",
                                    "metricName": "Invocation5XXErrors",
                                    "dimensions": [{"name": "EndpointName", "value": "other"}],
                                },
                                "period": 60,
                                "stat": "Sum",
                            },
                        }
                    ],
                }
            ),
            ANOTHER_ENDPOINT,
        ),
        (
            rollback_on(alarm("Invocation5XXErrors", dimensions={"EndpointName": "other"}), NATIVE_ENDPOINT),
            ANOTHER_ENDPOINT,
        ),
        (
            rollback_on(
                metric_math({"expression": "MAX([m0,m1])"}, errors_query("other"), errors_query("third"))
            ),
            "watches endpoints ['other', 'third'], not 'churn'",
        ),
        (
            rollback_on(metric_math({"expression": "MAX([m0,m1])"}, errors_query("other"), errors_query())),
            None,
        ),
    ],
    ids=[
        "metric-query-dimensions",
        "model-monitor-endpoint-dimension",
        "aws-native-dimension-list",
        "aws-native-endpoint-name",
        "aggregate-over-other-endpoints-fails",
        "aggregate-over-this-endpoint-and-another-passes",
    ],
)
def test_a_rollback_alarm_must_watch_its_own_endpoint(specs, fragment) -> None:
    decided(ROLLBACK, specs, fragment)


@pytest.mark.parametrize(
    ("endpoint_type", "key", "name"),
    [(None, "name", None), (None, "name", ""), (NATIVE_ENDPOINT, "endpointName", "")],
    ids=["unset", "empty-as-reported-after-apply", "aws-native-empty"],
)
def test_a_rollback_alarm_of_an_endpoint_whose_name_is_not_literal_is_not_judged_by_endpoint(
    endpoint_type, key, name
) -> None:
    specs = rollback_on(alarm("Invocation5XXErrors", dimensions={"EndpointName": "other"}), endpoint_type)
    specs[-1]["inputs"][key] = name
    decided(ROLLBACK, specs, None)


@pytest.mark.parametrize(
    "errors",
    [
        alarm("Invocation5XXErrors", dimensions={"EndpointName": UNKNOWN_STRING_VALUE}),
        metric_math(
            {"expression": "MAX([m0,m1])"}, errors_query("other"), errors_query(UNKNOWN_STRING_VALUE)
        ),
    ],
    ids=["plain-metric", "aggregate-with-one-known-other-endpoint"],
)
def test_a_rollback_alarm_whose_endpoint_dimension_is_unknown_at_preview_is_not_judged_by_endpoint(
    errors,
) -> None:
    decided(ROLLBACK, rollback_stack(errors), None)


def test_a_rollback_alarm_without_an_operator_cannot_be_shown_to_fire() -> None:
    errors = {k: v for k, v in alarm("Invocation5XXErrors").items() if k != "comparisonOperator"}
    decided(
        ROLLBACK,
        rollback_stack(errors),
        "rollback alarm 'errors' of endpoint 'endpoint' has comparisonOperator unset, so it never fires when "
        "AWS/SageMaker Invocation5XXErrors rises: use 'GreaterThanThreshold'.",
    )


def test_an_aws_native_rollback_alarm_is_found_by_its_literal_alarm_name() -> None:
    specs = rollback_stack(native("LessThanThreshold"), linked=False)
    specs[0]["type"] = NATIVE_ALARM  # alarmName churn-5xx, no dependency of the endpoint on it
    del specs[0]["inputs"]["name"]
    decided(ROLLBACK, specs, "never fires when AWS/SageMaker Invocation5XXErrors rises")


def test_a_rollback_alarm_linked_by_its_name_output_alone_is_judged() -> None:
    """At preview an auto-named alarm's name is unknown: the dependency says which alarm it is."""
    specs = rollback_stack(alarm("Invocation5XXErrors", comparisonOperator="LessThanThreshold"))
    del specs[0]["inputs"]["name"]
    specs[-1]["inputs"]["deploymentConfig"]["autoRollbackConfiguration"]["alarms"][0] = {
        "alarmName": UNKNOWN_STRING_VALUE
    }
    assert_outcome(report_of(ROLLBACK, specs).violations, ROLLBACK, "never fires when")


# --- scale-out-steps-add-capacity --------------------------------------------------------------------


def test_steps_run_by_an_anomaly_band_on_both_sides_are_not_a_scale_out() -> None:
    decided(STEPS, step_stack(-1, operator="LessThanLowerOrGreaterThanUpperThreshold"), None)
