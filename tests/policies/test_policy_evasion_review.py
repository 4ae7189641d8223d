"""A second reading of round 2 of the evasion audit (test_policy_evasion_audit_2.py, commits
0a76c06..a53d39a), looking for what its fixes now refuse wrongly.

Found and fixed (each test below fails on the rules as round 2 left them, ef2a01c):

- A policy variable was read as "pins nothing" wherever it appeared, for every key. In an identity
  policy the caller is the policy's holder, so ``iam-no-unscoped-sensitive-actions`` now refused
  attribute-based access control as AWS documents it, ``"aws:ResourceTag/team":
  "${aws:PrincipalTag/team}"`` (and ``"aws:ResourceAccount": "${aws:PrincipalAccount}"``), which it
  had honoured before (test_abac_on_the_holders_own_tags_still_scopes_resources). On a statement
  open to anyone, a variable outside the pinned part (``arn:aws:sns:${aws:RequestedRegion}:
  111122223333:*``, a role name built from a tag) still pins the account, yet the queue, bucket, key
  and trust rules refused it (test_a_request_variable_outside_the_pinned_account_still_pins). A
  request variable is now read as a wildcard where the key pins the caller, and the reader of
  wildcards judges what is left; for the resource-scoping keys the holder's values pin and the
  resource's own do not (test_a_resource_compared_with_itself_scopes_nothing: ``"aws:ResourceAccount":
  "${aws:ResourceAccount}"`` passed before and after round 2).
- ``rollback-alarms-can-fire`` took period x datapoints for the least time to ALARM. CloudWatch
  evaluates a metric alarm every minute over a sliding window ending now (its default
  ``EvaluationWindow``: "detects breaches as soon as data points cross your threshold"), so the
  newest data point breaches with the data: a one-data-point 5xx ``Sum`` over a day fires within
  minutes and was refused as never firing
  (test_a_one_data_point_alarm_fires_as_soon_as_its_data_breaches). The bound is now period x
  (datapoints - 1), strictly exceeded; test_policy_evasion_audit_2.py's refusals that still hold were
  re-pinned to it.

Checked and found right: the wildcard-principal reading (IAM refuses a partial wildcard in a
principal, so ``role/team-*`` is no working grant to refuse wrongly, and the TLS-only deny keeps its
own narrower reading); the repeated-key refusal reads only JSON strings (an object input cannot
repeat a key) and matches the Terraform AWS provider's ``JSONNoDuplicateKeys`` in
``ValidIAMPolicyJSON``; ``MaximumExecutionTimeoutInSeconds`` has no documented default (600-28,800 in
botocore), so reading an unset one as 28,800 only refuses less; ``TerminationWaitInSeconds`` is blue/
green only (0-3,600) and the timeout must already exceed it, so adding it refuses less; metric-math
queries and ``extendedStatistic`` alarms are timed by their periods alone. Reverting each of round
2's four fixes in turn fails its tests (4 of 4).

Left alone: a resource-scoping key compared with a request value other than the resource's own
(``"aws:ResourceTag/team": "${aws:RequestTag/team}"``) still reads as fixed, as before round 2; an
ARN condition naming ``${aws:ResourceAccount}`` with wildcards elsewhere is refused by the bucket
rule (it splits the ARN on the variable's own colon), as before round 2; an endpoint with
``autoRollbackConfiguration`` but no update policy (SageMaker's default blue/green) is not timed.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.one_resource import CALLER_PINS, findings, json_document, open_to_anyone

ACCOUNT = "111122223333"


# --- identity policies: the holder's own values scope resources (ABAC) ---------------------------

UNSCOPED = "iam-no-unscoped-sensitive-actions"
IDENTITY = [
    pytest.param("aws:iam/policy:Policy", "policy", id="policy"),
    pytest.param("aws-native:iam:ManagedPolicy", "policyDocument", id="native-policy"),
]
#: Writes and a data read on every resource, each sensitive to the rule.
SENSITIVE = ["sagemaker:DeleteEndpoint", "s3:DeleteBucket", "kms:Decrypt"]


def _identity(condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": SENSITIVE, "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(("resource_type", "prop"), IDENTITY)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, id="abac-tag"),
        pytest.param({"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}, id="own-account"),
        pytest.param({"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}, id="own-organization"),
    ],
)
def test_abac_on_the_holders_own_tags_still_scopes_resources(
    resource_type: str, prop: str, condition: dict[str, Any]
) -> None:
    """``"aws:ResourceTag/team": "${aws:PrincipalTag/team}"`` is AWS's attribute-based access control:
    the holder reaches the resources tagged with its own team. Round 2 read every variable but the
    resource's as the caller's choice, so the rule refused it (and the own-account and own-organization
    scopes) as unscoped; for an identity policy the caller is the holder, and its values are fixed."""
    document = json_document(_identity(condition))
    for outputs in (False, True):
        assert findings(UNSCOPED, resource_type, {prop: document}, outputs=outputs) == ([], 0)
    found, _ = findings(UNSCOPED, resource_type, {prop: json_document(_identity(None))})
    assert len(found) == 1 and "on every resource" in found[0], found  # the twin: unscoped is refused


@pytest.mark.parametrize(("resource_type", "prop"), IDENTITY)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"StringEquals": {"aws:ResourceAccount": "${aws:ResourceAccount}"}}, id="account"),
        pytest.param({"StringEquals": {"aws:ResourceTag/team": "${aws:ResourceTag/team}"}}, id="tag"),
        pytest.param({"StringLike": {"aws:ResourceOrgID": "${ aws:resourceorgid }"}}, id="organization"),
    ],
)
def test_a_resource_compared_with_itself_scopes_nothing(
    resource_type: str, prop: str, condition: dict[str, Any]
) -> None:
    """``"aws:ResourceAccount": "${aws:ResourceAccount}"`` holds for every resource of every account,
    yet passed as a scope before round 2 and after it."""
    found, undecided = findings(UNSCOPED, resource_type, {prop: json_document(_identity(condition))})
    assert undecided == 0
    assert len(found) == 1 and "on every resource" in found[0], found


# --- open statements: a request variable outside the pinned part ----------------------------------


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:${{aws:RequestedRegion}}:{ACCOUNT}:alerts"}},
            id="region-variable",
        ),
        pytest.param(
            {
                "ArnEquals": {
                    "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/team}}-reader"
                }
            },
            id="role-named-by-a-tag",
        ),
        pytest.param(
            {"StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-${aws:PrincipalTag/ou}/*"}},
            id="org-path-below-the-organization",
        ),
    ],
)
def test_a_request_variable_outside_the_pinned_account_still_pins(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any]
) -> None:
    """A variable the caller supplies in an ARN's region or resource name, or below an organization
    path's organization, is as much a wildcard there as ``*``, which these rules accept after a fixed
    account or organization: the account (organization) is still pinned. Round 2 refused the whole
    value as soon as it named a request variable."""
    assert findings(policy, resource_type, {prop: open_to_anyone(action, condition)}) == ([], 0)


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:${aws:PrincipalAccount}:alerts"}},
            id="account-variable-under-an-exact-operator",
        ),
        pytest.param({"StringEquals": {"aws:SourceAccount": "${aws:SourceAccount}"}}, id="itself"),
    ],
)
def test_a_request_variable_in_the_pinned_part_still_pins_nothing(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any]
) -> None:
    """The twin: in the account itself (even under ``ArnEquals``, which reads no wildcard), or as the
    whole value, the caller's own variable pins nothing, as round 2 meant."""
    found, undecided = findings(policy, resource_type, {prop: open_to_anyone(action, condition)})
    assert undecided == 0
    assert len(found) == 1, found


# --- rollback alarms: the newest data point breaches with the data --------------------------------

TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
ALARM_TYPES = ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws-native:cloudwatch:Alarm"]
SHIPPED_TIMEOUT = {"maximumExecutionTimeoutInSeconds": 5280, "terminationWaitInSeconds": 600}


def _rollback(alarm_type: str, alarm: dict[str, Any], policy: dict[str, Any]) -> tuple[list[str], int]:
    """``rollback-alarms-can-fire`` on an endpoint rolling back (blue/green, ``policy``) on one 5xx
    alarm with ``alarm``'s timing."""
    native = alarm_type.startswith("aws-native:")
    dimensions: Any = {"EndpointName": "churn", "VariantName": "primary"}
    if native:
        dimensions = [{"name": k, "value": v} for k, v in dimensions.items()]
    inputs = {
        "alarmName" if native else "name": "churn-5xx",
        "alarmActions": [TOPIC],
        "comparisonOperator": "GreaterThanThreshold",
        "namespace": "AWS/SageMaker",
        "metricName": "Invocation5XXErrors",
        "statistic": "Sum",
        "threshold": 5,
        "dimensions": dimensions,
        **alarm,
    }
    routing = {"type": "ALL_AT_ONCE", "waitIntervalInSeconds": 300}
    deployment = {
        "blueGreenUpdatePolicy": {"trafficRoutingConfiguration": routing, **policy},
        "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx"}]},
    }
    specs = [
        {"type": alarm_type, "name": "errors", "inputs": inputs},
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "deps": {"deploymentConfig": ["errors"]},
            "inputs": {"name": "churn", "endpointConfigName": "churn-config", "deploymentConfig": deployment},
        },
    ]
    report = evaluate_report(build(specs), None, [get_policy("rollback-alarms-can-fire")])
    return [v.message for v in report.violations], len(report.undecided)


@pytest.mark.parametrize("alarm_type", ALARM_TYPES)
@pytest.mark.parametrize(
    ("alarm", "policy"),
    [
        pytest.param({"period": 86400, "evaluationPeriods": 1}, {}, id="a-day-one-data-point"),
        pytest.param(
            {"period": 3600, "evaluationPeriods": 2},
            {"maximumExecutionTimeoutInSeconds": 3900},
            id="two-hours",
        ),
        pytest.param(
            {"period": 300, "evaluationPeriods": 3},
            {"maximumExecutionTimeoutInSeconds": 600, "terminationWaitInSeconds": 60},
            id="five-minutes-x3-in-the-shortest-timeout",
        ),
    ],
)
def test_a_one_data_point_alarm_fires_as_soon_as_its_data_breaches(
    alarm_type: str, alarm: dict[str, Any], policy: dict[str, Any]
) -> None:
    """A 5xx ``Sum`` over a day, one data point, goes into ALARM within minutes of its sixth error
    (CloudWatch's sliding window ends at each minute's evaluation), and two hourly data points within
    an hour and a bit: round 2 refused them as never firing (86,400 s and 7,200 s needed). Each further
    data point needs one whole period more: period x (datapoints - 1) must be shorter than the span."""
    assert _rollback(alarm_type, alarm, policy) == ([], 0)


@pytest.mark.parametrize("alarm_type", ALARM_TYPES)
@pytest.mark.parametrize(
    ("alarm", "policy", "needed", "span"),
    [
        pytest.param(
            {"period": 3600, "evaluationPeriods": 2},
            {"maximumExecutionTimeoutInSeconds": 3600},
            3600,
            3600,
            id="equal",
        ),
        pytest.param({"period": 86400, "evaluationPeriods": 2}, {}, 86400, 28800, id="two-days"),
        pytest.param(
            {"period": 60, "evaluationPeriods": 120, "datapointsToAlarm": 100},
            SHIPPED_TIMEOUT,
            5940,
            5880,
            id="m-of-n",
        ),
    ],
)
def test_an_alarm_needing_more_whole_periods_than_the_deployment_is_refused(
    alarm_type: str, alarm: dict[str, Any], policy: dict[str, Any], needed: int, span: int
) -> None:
    """The twin: two hourly data points need more than an hour, so a 3,600 s deployment never sees
    them; two daily ones never fit in 28,800 s; 100 breaching minutes need more than 5,940 s."""
    found, undecided = _rollback(alarm_type, alarm, policy)
    assert undecided == 0
    assert len(found) == 1, found
    assert f"needs more than {needed} seconds" in found[0] and f"({span} seconds" in found[0], found
