"""What the alarm and production-governance rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/alarms.py and policies/rules/governance_prod.py: 127
one-step mutations of the decision logic (76 and 51), each run against the tests of its rules. 77
were caught; 50 survived. Of those, 35 are caught by a test here, 3 exposed product bugs (fixed, see
CHANGELOG.md), 11 are equivalent and 1 is left (below). Of 9 further mutations of the fixed lines,
8 are caught here and 1 is equivalent.

alarms.py (76 mutations, 34 survived: 20 caught now, 3 bugs, 10 equivalent, 1 left):

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

The three bugs, survivors because no test held the case and the rule's verdict there was wrong:

- an aggregate (``MAX([m0, m1])``) over several endpoints' metrics read as watching no endpoint, so
  a rollback alarm on other endpoints only passed (mutation: take the first metric's endpoint);
- an aggregate's statistic was unset when its metrics' differed, so MAX of a latency's Average and
  p99 was refused (mutation: take any one of them). Each metric an aggregate takes is now judged
  by its own statistic and endpoint;
- ``scale-out-steps-add-capacity`` skipped a pulumi-aws policy without ``policyType``, which the
  provider sends as ``StepScaling`` (mutation: judge every policy but target tracking; a
  PredictiveScaling policy is not judged either way).

Left, not pinned: ``PERCENTILE`` taking ``p99.`` (a dot without decimals). Whether CloudWatch takes
it (its documented ExtendedStatistic pattern seems to) could not be checked offline; if it does, the
rule refuses a sound alarm, if not, no such alarm deploys.

governance_prod.py (51 mutations, 16 survived: 15 caught now, 1 equivalent):

- an empty dataCaptureConfig reads as unset; an empty rollingUpdatePolicy too;
- an aws-native model-quality job definition named literally watches its endpoint;
- a schedule reaching the endpoint whose names are not known (or cannot be read) watches it,
  decided at preview; an endpoint without a literal name is watched by any schedule reaching it;
- the schedules are asked in the stack's order: the first naming the endpoint decides before a
  later unreadable one, and the first unreadable one before the naming one leaves it undecided;
- a scaling target with minCapacity 0 is below the minimum; a variant without a variantName is
  served by its endpoint's target; a component's copy target with step scaling only fails;
- rollback alarm names unknown at preview and not linked leave endpoint-safe-rollout undecided,
  and an alarm already listed by name does not stand in for an unknown entry; an empty alarmName
  is no alarm; a component's entry without a name matches no unnamed alarm of the stack.

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
- ``SCALING_POLICY_ARN`` without ``:scalingPolicy:``: the only autoscaling ARNs an alarm may act on
  are scaling policies;
- ``_policy_type`` defaulting an aws-native policy too: aws-native requires ``policyType``;
- ``endpoint-autoscaling-configured``'s fallback minimum ``1.0`` for ``2.0``: the config's default
  is 2 and its minimum 1 (checked by the engine and by ``load_pack_config``), so a config the pack
  accepts never falls back.
"""

from __future__ import annotations

import copy
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
from tests.policies.test_policy_inference_component_rules import ic_graph
from tests.policies.test_policy_prod_stack_rules import PROD, prod_graph, rollout

BAD_SIDE = "alarm-fires-on-the-bad-side"
STATISTIC = "alarm-statistic-fits-the-metric"
ROLLBACK = "rollback-alarms-can-fire"
STEPS = "scale-out-steps-add-capacity"
CAPTURE = "endpoint-data-capture-encrypted"
MONITORING = "endpoint-monitoring-schedule"
AUTOSCALING = "endpoint-autoscaling-configured"
ROLLOUT = "endpoint-safe-rollout"
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
        "per period (4XX/5XX also by their Average, the error rate; a Minimum, Maximum or percentile of "
        "counts says nothing of how many failed): use 'Sum'."
    ]


def test_an_aws_native_query_is_judged_by_its_metric_stat() -> None:
    assert messages(STATISTIC, NATIVE_ALARM, native("GreaterThanThreshold", "Sum")) == []


def test_each_metric_an_aggregate_takes_is_judged_by_its_own_statistic() -> None:
    """MAX over counts summed and maximised names the maximised one; MAX over a latency's Average and
    its p99 (each fit for latency) passes. (Before: one statistic for the aggregate, "unset" when
    its metrics' differed, so the first was reported as unset and the second refused.)"""
    counts = metric_math({"expression": "MAX([m0,m1])"}, errors_query(), errors_query(stat="Maximum"))
    assert messages(STATISTIC, ALARM, counts) == [
        "metricQueries[1].metric.stat of AWS/SageMaker Invocation5XXErrors is 'Maximum': an error count is "
        "judged by its Sum per period (4XX/5XX also by their Average, the error rate; a Minimum, Maximum or "
        "percentile of counts says nothing of how many failed): use 'Sum'."
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


NO_ENDPOINT = "watches no endpoint (no EndpointName dimension), not 'churn'"


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        (rollback_on(alarm("Invocation5XXErrors", dimensions={"VariantName": "primary"})), NO_ENDPOINT),
        (rollback_on(alarm("Invocation5XXErrors", dimensions=None)), NO_ENDPOINT),
        (
            rollback_on(
                metric_math(
                    {"expression": "MAX([m0,m1])"},
                    errors_query("other"),
                    {**errors_query(), "dimensions": {"VariantName": "primary"}},
                )
            ),
            "watches endpoint 'other', not 'churn': its deployments never trip it; set its metrics' "
            "EndpointName dimension",
        ),
        (
            rollback_on(
                metric_math(
                    {"expression": "MAX([m0,m1])"},
                    errors_query(),
                    {**errors_query(), "dimensions": {"VariantName": "primary"}},
                )
            ),
            None,
        ),
        (rollback_on(alarm("Invocation5XXErrors", dimensions={"InferenceComponentName": "churn-ic"})), None),
        (rollback_on(alarm("Invocation5XXErrors", dimensions=UNKNOWN_STRING_VALUE)), None),
        # each namespace's own dimension: EndpointName for invocations, Endpoint for Model Monitor
        (rollback_on(alarm("Invocation5XXErrors", dimensions={"Endpoint": "churn"})), NO_ENDPOINT),
        (
            rollback_on(
                alarm(
                    "feature_baseline_drift_age",
                    "aws/sagemaker/Endpoints/data-metrics",
                    statistic="Maximum",
                    dimensions={"MonitoringSchedule": "churn-dq"},
                )
            ),
            "watches no endpoint (no Endpoint dimension), not 'churn': its deployments never trip it; set "
            "the alarm's Endpoint dimension",
        ),
        (
            rollback_on(
                alarm(
                    "feature_baseline_drift_age",
                    "aws/sagemaker/Endpoints/data-metrics",
                    statistic="Maximum",
                    dimensions={"Endpoint": "churn", "MonitoringSchedule": "churn-dq"},
                )
            ),
            None,
        ),
    ],
    ids=[
        "variant-only",
        "no-dimensions",
        "aggregate-of-another-endpoint-and-none",
        "aggregate-of-this-endpoint-and-none",
        "an-inference-components-metric-is-not-judged-by-endpoint",
        "dimensions-unknown-at-preview",
        "model-monitors-dimension-on-an-invocation-metric",
        "model-monitor-metric-without-its-endpoint",
        "model-monitor-metric-on-this-endpoint",
    ],
)
def test_a_sagemaker_rollback_metric_that_names_no_endpoint_never_fires(specs, fragment) -> None:
    """SageMaker publishes its endpoint metrics per endpoint: a query without EndpointName reads no
    data, so the alarm never rolls a deployment back."""
    decided(ROLLBACK, specs, fragment)


def test_a_custom_rollback_metric_may_name_no_endpoint() -> None:
    """A metric of the application's own (extraBadWhenHighMetrics) is keyed as the application likes."""
    specs = rollback_on(alarm("CheckoutFailures", "Shop", dimensions={"Service": "checkout"}))
    config = {ROLLBACK: {"extraBadWhenHighMetrics": ["Shop:CheckoutFailures"]}}
    report = report_of(ROLLBACK, specs, config)
    assert report.violations == [] and not any(report.stack_undecided.values())


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


@pytest.mark.parametrize(
    ("policy_type", "fragment"),
    [
        (
            None,
            "step scaling policy 'from-zero' runs when ['backlog'] fire on rising demand, but its "
            "stepAdjustments add ['-1']: every scalingAdjustment must be positive.",
        ),
        ("", "stepAdjustments add ['-1']"),
        ("PredictiveScaling", None),
    ],
    ids=["unset-is-pulumi-aws-default-step-scaling", "empty-too", "predictive-is-not-steps"],
)
def test_a_pulumi_aws_policy_without_a_policy_type_is_a_step_policy(policy_type, fragment) -> None:
    """pulumi-aws sends an unset ``policy_type`` as ``StepScaling`` (before: not judged)."""
    specs = step_stack(-1)
    specs[0]["inputs"] = {k: v for k, v in specs[0]["inputs"].items() if k != "policyType"}
    if policy_type is not None:
        specs[0]["inputs"]["policyType"] = policy_type
    decided(STEPS, specs, fragment)


# --- endpoint-data-capture-encrypted -----------------------------------------------------------------


def test_an_empty_data_capture_config_reads_as_unset() -> None:
    decided(
        CAPTURE,
        prod_graph(config={"dataCaptureConfig": {}}),
        "dataCaptureConfig is unset on 'config' (serving endpoint 'endpoint')",
    )


# --- endpoint-monitoring-schedule --------------------------------------------------------------------


def test_a_model_quality_job_definition_named_literally_watches_its_endpoint() -> None:
    specs = prod_graph(drop=("dq",), unlink=("schedule.monitoringScheduleConfig",))
    specs.append(
        {
            "type": "aws-native:sagemaker:ModelQualityJobDefinition",
            "name": "mq",
            "inputs": {
                "jobDefinitionName": "churn-dq",
                "modelQualityJobInput": {"endpointInput": {"endpointName": "churn"}},
            },
        }
    )
    decided(MONITORING, specs, None)


def test_a_schedule_reaching_the_endpoint_whose_names_are_unknown_watches_it_at_preview() -> None:
    """The schedule's job definition reads the endpoint's name Output (unknown at preview) and
    depends on the endpoint: it watches it, decided now (its unknown names cannot point elsewhere)."""
    specs = prod_graph(dq={"dataQualityJobInput": {"endpointInput": {"endpointName": UNKNOWN_STRING_VALUE}}})
    decided(MONITORING, specs, None)


def test_a_schedule_whose_names_cannot_be_read_watches_the_endpoint_it_reaches() -> None:
    """A schedule whose job-definition name is a map holding a value unknown at preview (so its
    names cannot be read) but which depends on the endpoint watches it: decided, not undecided."""
    specs = [
        {"type": "aws:sagemaker/endpoint:Endpoint", "name": "endpoint", "inputs": {"name": "a"}},
        {
            "type": "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
            "name": "unreadable",
            "deps": {"monitoringScheduleConfig": ["endpoint"]},
            "inputs": {
                "monitoringScheduleConfig": {"monitoringJobDefinitionName": {"k": UNKNOWN_STRING_VALUE}}
            },
        },
        {
            "type": "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
            "name": "definition",
            "inputs": {"name": {"k": "v"}},
        },
    ]
    decided(MONITORING, specs, None)


SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"


def schedules(*kinds: str) -> list[dict[str, Any]]:
    """Endpoint ``a`` and schedules in this order: ``naming`` ones name it literally, ``unreadable``
    ones hold a job-definition name (a map with a value unknown at preview) that cannot be read."""
    specs: list[dict[str, Any]] = [
        {"type": "aws:sagemaker/endpoint:Endpoint", "name": "endpoint", "inputs": {"name": "a"}},
        {
            "type": "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
            "name": "definition",
            "inputs": {"name": {"k": "v"}},
        },
    ]
    for index, kind in enumerate(kinds):
        inputs = (
            {"monitoringScheduleConfig": {"monitoringJobDefinitionName": "x"}, "endpointName": "a"}
            if kind == "naming"
            else {"monitoringScheduleConfig": {"monitoringJobDefinitionName": {"k": UNKNOWN_STRING_VALUE}}}
        )
        specs.append({"type": SCHEDULE, "name": f"{kind}-{index}", "inputs": inputs})
    return specs


def test_the_first_schedule_naming_the_endpoint_decides_before_a_later_unreadable_one() -> None:
    decided(MONITORING, schedules("naming", "unreadable", "naming"), None)


def test_the_first_unreadable_schedule_before_the_naming_one_leaves_the_endpoint_undecided() -> None:
    report = report_of(MONITORING, schedules("unreadable", "naming", "unreadable"))
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [MONITORING]


def test_an_endpoint_without_a_literal_name_is_watched_by_any_schedule_reaching_it() -> None:
    specs = prod_graph(
        endpoint={"name": None}, dq={"dataQualityJobInput": {"endpointInput": {"endpointName": "churn-old"}}}
    )
    decided(MONITORING, specs, None)


# --- endpoint-autoscaling-configured -----------------------------------------------------------------


def by_name(specs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(s for s in specs if s["name"] == name)


def scaling_target(**changes: Any) -> dict[str, Any]:
    return {**by_name(prod_graph(), "target")["inputs"], **changes}


def test_a_target_scaling_to_zero_is_below_the_minimum() -> None:
    decided(
        AUTOSCALING,
        prod_graph(target=scaling_target(minCapacity=0)),
        "minCapacity of scaling target 'target' is 0: set min_capacity >= 2.",
    )


def test_a_variant_without_a_name_is_served_by_its_endpoints_target() -> None:
    config = copy.deepcopy(by_name(prod_graph(), "config")["inputs"])
    del config["productionVariants"][0]["variantName"]
    decided(AUTOSCALING, prod_graph(config=config), None)


def test_a_component_copy_target_with_step_scaling_only_has_no_tracking_policy() -> None:
    specs = ic_graph()
    policy = by_name(specs, "scaling")
    policy["inputs"] = {**policy["inputs"], "policyType": "StepScaling"}
    decided(
        AUTOSCALING,
        specs,
        "scaling target 'target' has no TargetTrackingScaling policy: add one on "
        "SageMakerInferenceComponentInvocationsPerCopy.",
    )


# --- endpoint-safe-rollout ---------------------------------------------------------------------------


def rollback_names(*names: str) -> dict[str, Any]:
    return rollout(autoRollbackConfiguration={"alarms": [{"alarmName": n} for n in names]})


def test_rollback_alarm_names_unknown_at_preview_and_unlinked_are_undecided() -> None:
    specs = prod_graph(unlink=("endpoint.deploymentConfig",), endpoint=rollback_names(UNKNOWN_STRING_VALUE))
    report = report_of(ROLLOUT, specs, PROD)
    assert report.violations == []
    assert report.stack_undecided == {ROLLOUT: 1}


def test_an_unknown_rollback_name_is_not_stood_in_for_by_an_alarm_listed_by_name() -> None:
    """The endpoint depends on churn-5xx, which it lists by name: its unknown second entry is some
    other alarm, so the rule waits for it."""
    specs = prod_graph(endpoint=rollback_names("churn-5xx", UNKNOWN_STRING_VALUE))
    by_name(specs, "endpoint")["deps"]["deploymentConfig"] = ["errors"]
    report = report_of(ROLLOUT, specs, PROD)
    assert report.violations == []
    assert report.stack_undecided == {ROLLOUT: 1}


def test_an_empty_rollback_alarm_name_is_no_alarm() -> None:
    decided(
        ROLLOUT,
        prod_graph(unlink=("endpoint.deploymentConfig",), endpoint=rollback_names("")),
        "deploymentConfig.autoRollbackConfiguration.alarms is empty on endpoint 'endpoint'",
    )


def test_an_empty_rolling_update_policy_reads_as_unset() -> None:
    specs = ic_graph()
    component = by_name(specs, "component")
    component["inputs"] = {
        **component["inputs"],
        "deploymentConfig": {**component["inputs"]["deploymentConfig"], "rollingUpdatePolicy": {}},
    }
    decided(
        ROLLOUT, specs, "deploymentConfig.rollingUpdatePolicy is unset on inference component 'component'"
    )


def test_a_component_rollback_entry_without_a_name_matches_no_unnamed_alarm() -> None:
    specs = ic_graph()
    component = by_name(specs, "component")
    config = component["inputs"]["deploymentConfig"]
    component["inputs"] = {
        **component["inputs"],
        "deploymentConfig": {
            **config,
            "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx"}, {}]},
        },
    }
    specs.append({"type": ALARM, "name": "unnamed", "inputs": {"alarmActions": [TOPIC]}})
    decided(
        ROLLOUT,
        specs,
        "deploymentConfig.autoRollbackConfiguration.alarms[1] of inference component 'component' has no alarmName",
    )
