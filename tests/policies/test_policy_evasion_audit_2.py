"""Round 2 of the adversarial evasion audit of the policy pack (round 1:
test_policy_evasion_audit.py, whose shapes were not repeated): resources built, in the wire shape
the pack sees, to break a control of /work/shared/POLICY-CONTROLS.md while passing its rule.

Probes were run through ``policies.local.evaluate_report`` (the conftest ``build``; stack rules over
the preview inputs and, through ``engine_shapes.as_outputs``, the outputs after create), first on the
rules as they were (commit 190fc5e), then again after each fix. A row counts one evaluated resource
(or graph): the principal and condition areas are matrices of shapes x resource types x encodings
(JSON string, object), so one missed class counts many times. An evasion that passed is a product
bug, fixed in its own commit with a test below that fails on the old rule; a shape refused already
was not turned into a test.

=============================================  ======  ======  =======  =========  ======
control area (rules)                           probes  evaded  caught   compliant  left
                                                       (fixed  already  twins      alone
                                                       now)
=============================================  ======  ======  =======  =========  ======
IAM identity documents (the 5 iam-* rules):       156       2      148          0       6
action spelling, NotAction/NotResource,
conditions, single statements, odd JSON
principals in queue, topic, bucket, key,          468     150      256         62       0
trust and sibling resource policies
(18 types x 13 principals x 2 encodings)
resource policies of services outside the         286       0        0          0     286
control list (11 types)
conditions that pin the caller (4 rules)          172      14      109         41       8
JSON strings repeating a key (5 rules)             15      13        2          0       0
grants attached after create (Lambda              19       2        5          1      11
permissions, KMS grants, managed policies)
alarms: actions, thresholds, missing data          46       0       18          4      24
rollback alarms slower than a deployment            9       4        0          2       3
values unknown at preview, resolved after           8       0        8          0       0
tags: provider ignoreTags, key case, values         6       0        1          1       4
S3 encryption: companions, keys, exemptions        20       0       12          0       8
endpoint variants: second, shadow, managed         13       0        6          4       3
total                                            1218     185      565        115     353
=============================================  ======  ======  =======  =========  ======

Fixed now (each test names what it closes; each fails on the rule before its commit):

- test_a_condition_compared_with_the_callers_own_value_pins_nothing (14 probes; 18 of its 20 cases
  fail on the old rules, the two ``ArnLike ...${aws:PrincipalAccount}:*`` bucket and queue cases were
  refused already): ``"aws:PrincipalOrgID": "${aws:PrincipalOrgID}"``, ``"aws:PrincipalAccount":
  "${aws:PrincipalAccount}"``, ``"aws:SourceAccount": "${aws:PrincipalAccount}"`` on ``Principal: "*"``
  passed the queue, bucket, key and trust rules; a policy variable the request supplies is no fixed
  value (a Lambda permission's ``sourceAccount`` of ``${aws:PrincipalAccount}`` is refused now too,
  though AddPermission takes only 12 digits there). Twins
  (test_a_condition_compared_with_the_resources_own_value_still_pins): the data perimeter
  ``${aws:ResourceOrgID}``, ``${aws:ResourceAccount}``, an escape ``${$}`` and a literal.
- test_a_wildcard_principal_arn_lets_every_account_in (150 probes, and the Lambda permission to
  ``arn:aws:iam::*:root``): ``{"AWS": "arn:aws:iam::*:root"}``, ``arn:aws:iam::*:role/x``,
  ``arn:*:iam::*:*``, ``" *"`` passed ``resource-policy-not-public`` and ``s3-bucket-policy-not-public``,
  which took only a bare ``*`` for anyone; the key and trust rules already read any wildcard as anyone.
- test_a_document_repeating_a_key_is_refused (13 probes): ``{"Statement": [<public>], "Statement": []}``,
  a statement whose ``Principal`` or ``Condition`` is repeated (the wildcard first), read as the last
  value and passed the five document rules; the twin
  (test_the_same_key_in_two_objects_is_no_repetition) writes the same keys once per object, with odd
  white space.
- test_a_rollback_alarm_slower_than_the_deployment_never_rolls_back (4 probes, both alarm types and
  the outputs): a rollback alarm over a daily period, or 3 hours or 100 breaching minutes under the
  shipped 5,280 s timeout, or a metric-math error rate over daily queries (re-pinned by
  test_policy_evasion_review.py: the newest data point breaches with its data, so the bound is
  period x (datapoints - 1) and the daily cases now take two data points); twins
  (test_a_rollback_alarm_that_can_fire_within_the_deployment_passes): the components' 60-second
  alarms under the shortest timeout, one breaching minute out of a day's window.

Four existing tests asserted the exact "is not valid JSON" message and now read it with its new
mention of a repeated key (test_iam_mutation_audit.py, test_resource_policy_notebook_mutation_audit.py,
test_resource_policy_public_semantics.py, test_s3_kms_mutation_audit.py).

Refused already (no new test): ``S3:getobject``/``s3:putobject``/``IAM:PASSROLE``/``iam:*Role*``/
``iam:Pass?ole``/``sagemaker:Create*``/``iam:attach*`` on ``*``, ``NotAction``/``NotResource``,
``...IfExists``/``ForAnyValue:``/``Null``/``Bool`` conditions on admin, single-dict statements, JSON with
a BOM, ``\\u`` escapes or seven-space indents, inline policies on every role/user/group type (both
providers, SSO permission sets); ``NotPrincipal``, ``CanonicalUser``/``Federated``/``Service`` ``*``,
``Null``/``ForAllValues:``/``IfExists`` conditions, ``aws:SourceAccount`` ``*``/``????????????``,
``ArnLike arn:*``; Lambda permissions to ``*`` (with ``functionUrlAuthType: NONE`` too); an
``AdministratorAccess`` or lower-cased ``iamfullaccess`` attachment; ``actionsEnabled: "false"``;
two SSE configurations or rules of which one is ``AES256``; ``alias/aws/s3`` by name or ARN; second
production variants without autoscaling, of one instance or a managed minimum of 0; GPU and
disallowed shadow variants; every unknown-at-preview value (undecided, then refused after create).

Left alone (the 353 of the table), and why:

- Resource policies of services the control list does not name (286: API Gateway, Backup, CodeArtifact,
  DynamoDB, EFS, Glacier, Kinesis, OpenSearch, S3 on Outposts, SSM, VPC endpoint policies): the rule
  covers FSBP SQS.3, SNS.4, Lambda.1 and the sibling types round 1 added; a VPC endpoint's default
  policy is ``Principal: "*"`` and an API Gateway policy to ``*`` is how a public API is written, so
  extending the rule to them is a scope decision, not a fix. (52 further rows on two type names that
  do not exist, ``aws-native:sqs:QueuePolicy`` among them, and 5 rows of types given no inputs were
  discarded.)
- IAM (6): lower-case ``statement``/``action``/``resource`` element names and a nested ``Action`` list:
  not the grammar's elements; read as no statement (could not be checked offline).
- Conditions (8): a ``Principal`` as a JSON list or a nested list (IAM refuses both), a lower-case
  ``stringequals`` (read as the operator).
- Grants (11): a Lambda permission to a service principal without ``sourceArn`` (a service principal
  is not public, by the rule's reading), a function URL with ``authType: NONE`` (public only through a
  permission to ``*``, which is refused), a KMS grant to another account (not public) or to ``*``
  (KMS refuses it), AWS-managed near-admin policies beyond ``forbiddenManagedPolicies`` (6: a config
  value, as round 1 left it).
- Alarms (24): empty, blank, null or nested ``alarmActions`` and ``actionsEnabled: 0`` (the provider
  and CloudWatch refuse them), ``NaN``/``inf`` thresholds (not JSON numbers), an anomaly operator
  without a band (refused by CloudWatch), ``datapointsToAlarm`` above ``evaluationPeriods`` (could not
  be checked offline whether CloudWatch refuses it; the rollback check reads the datapoints), a
  5xx threshold of 1e12, a 7-day period on an alarm that is no rollback alarm, a unit on a count.
- Rollback timing (3): an hourly alarm under an unset timeout (a deployment may run 8 hours) or a
  14,400 s one, 100 breaching minutes under an unset timeout: the rule's bound is the whole
  deployment, not its baking waits, so that the components' own shapes (any wait from 0 s) stay
  compliant; a bake shorter than the alarm is ``endpoint-safe-rollout``'s concern.
- Tags (4): the provider's ``ignoreTags`` (3; the provider still sets an ignored tag on create,
  hashicorp/terraform-provider-aws#39733), a zero-width-space value (AWS's tag pattern refuses it).
- S3 (8): a legacy ``Bucket`` declaring ``AES256`` inline next to a KMS configuration resource (the
  two overwrite each other on ``up --refresh``; after create the bucket's outputs report S3's
  computed block, which the rule cannot tell from a declared one, and the shipped stacks' legacy
  buckets have companions), a blank key id and another owner's ``expectedBucketOwner`` (S3 refuses
  both), the documented ``mlops:data-class=access-logs`` exemption.
- Endpoint variants (3): a model variant's ``managedInstanceScaling.minInstanceCount: 0`` (whether
  SageMaker scales a model variant to zero could not be checked offline), Output-only capture (round
  1), a capture content-type filter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import CALLER_PINS, findings, json_document, open_to_anyone

ACCOUNT = "111122223333"


# --- a wildcard inside a principal ARN: every account ------------------------------------------

#: (resource type, property, rule) of the resource and bucket policies that read principals with
#: ``_bucket_policy.anyone_allowed``; key and trust policies already read any wildcard as anyone.
SHARED_POLICIES = [
    pytest.param(
        "aws:sqs/queuePolicy:QueuePolicy", "policy", "resource-policy-not-public", id="sqs-queue-policy"
    ),
    pytest.param(
        "aws:sns/topicPolicy:TopicPolicy", "policy", "resource-policy-not-public", id="sns-topic-policy"
    ),
    pytest.param(
        "aws-native:sns:TopicPolicy", "policyDocument", "resource-policy-not-public", id="native-topic"
    ),
    pytest.param(
        "aws:s3/bucketPolicy:BucketPolicy", "policy", "s3-bucket-policy-not-public", id="s3-bucket-policy"
    ),
    pytest.param(
        "aws-native:s3:BucketPolicy", "policyDocument", "s3-bucket-policy-not-public", id="native-bucket"
    ),
]
ACTIONS = {"resource-policy-not-public": "sqs:SendMessage", "s3-bucket-policy-not-public": "s3:GetObject"}


@pytest.mark.parametrize(("resource_type", "prop", "policy"), SHARED_POLICIES)
@pytest.mark.parametrize(
    "principal",
    [
        pytest.param({"AWS": "arn:aws:iam::*:root"}, id="every-account-root"),
        pytest.param(
            {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::*:role/reader"]}, id="listed-with-one"
        ),
        pytest.param({"AWS": "arn:*:iam::*:*"}, id="every-partition"),
    ],
)
def test_a_wildcard_principal_arn_lets_every_account_in(
    resource_type: str, prop: str, policy: str, principal: dict[str, Any]
) -> None:
    """``{"AWS": "arn:aws:iam::*:root"}`` (every account's root, so every principal that account
    allows) passed the queue, topic and bucket rules, which took only a bare ``*`` for anyone, while
    the key and trust rules already read any wildcard in a principal as anyone. IAM documents no
    partial wildcard in a principal, but the rule must not rest on each service validating it."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": ACTIONS[policy], "Resource": "*"}
    for outputs in (False, True):
        found, undecided = findings(policy, resource_type, {prop: json_document(statement)}, outputs=outputs)
        assert undecided == 0
        assert len(found) == 1 and "Statement[0] allows Principal" in found[0], found
    named = {
        **statement,
        "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::444455556666:root"]},
    }
    assert findings(policy, resource_type, {prop: json_document(named)}) == ([], 0)
    service = {**statement, "Principal": {"Service": "events.amazonaws.com"}}
    assert findings(policy, resource_type, {prop: json_document(service)}) == ([], 0)


# --- a condition compared with a value the caller supplies ----------------------------------------


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            {"StringEquals": {"aws:PrincipalOrgID": "${aws:PrincipalOrgID}"}}, id="org-is-its-own-org"
        ),
        pytest.param(
            {"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, id="account-is-itself"
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}, id="source-is-caller"
        ),
        pytest.param(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:*"}}, id="arn-of-caller"
        ),
        pytest.param(
            {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["${ aws:PrincipalOrgID , 'none' }"]}},
            id="with-a-default",
        ),
    ],
)
def test_a_condition_compared_with_the_callers_own_value_pins_nothing(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any]
) -> None:
    """``"aws:PrincipalOrgID": "${aws:PrincipalOrgID}"`` holds for a caller of any organization and
    ``"aws:PrincipalAccount": "${aws:PrincipalAccount}"`` for every caller: a policy variable the
    request supplies is no fixed value, yet each of the four rules took it for a pin."""
    found, undecided = findings(policy, resource_type, {prop: open_to_anyone(action, condition)})
    assert undecided == 0
    assert len(found) == 1, found


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            {"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}, id="data-perimeter-org"
        ),
        pytest.param(
            {"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}}, id="resource-account"
        ),
        pytest.param(
            {"StringEquals": {"aws:PrincipalAccount": f"{ACCOUNT}${{$}}"}}, id="an-escape-is-no-variable"
        ),
        pytest.param({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, id="a-literal"),
    ],
)
def test_a_condition_compared_with_the_resources_own_value_still_pins(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any]
) -> None:
    """The twins: the data perimeter pattern (``${aws:ResourceOrgID}``, ``${aws:ResourceAccount}``,
    the resource owner's values), an escape (``${$}``) and a literal still pin the caller."""
    assert findings(policy, resource_type, {prop: open_to_anyone(action, condition)}) == ([], 0)


# --- a JSON string repeating a key: which value counts depends on the reader ----------------------

#: (resource type, property, rule, action, principal) for each document rule; the IAM identity
#: rule has no principal.
DOCUMENT_RULES = [
    *CALLER_PINS,
    pytest.param("aws:iam/policy:Policy", "policy", "iam-no-admin-access", "*", id="identity"),
]


def _repeating(statement: dict[str, Any], shape: str) -> str:
    """``statement`` in a document whose text repeats a key: the last value is the harmless one."""
    body = json.dumps(statement)[1:-1]
    if shape == "statement":
        return '{"Version": "2012-10-17", "Statement": [{' + body + '}], "Statement": []}'
    # the condition: a pin last, a wildcard first
    return (
        '{"Version": "2012-10-17", "Statement": [{' + body + ', "Condition": {"StringLike": '
        '{"aws:SourceAccount": "*"}}, "Condition": {"StringEquals": {"aws:SourceAccount": "'
        + ACCOUNT
        + '"}}}]}'
    )


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), DOCUMENT_RULES)
@pytest.mark.parametrize("shape", ["statement", "condition"])
def test_a_document_repeating_a_key_is_refused(
    resource_type: str, prop: str, policy: str, action: str, shape: str
) -> None:
    """``{"Statement": [<public>], "Statement": []}`` read as its last value, no statement, and passed
    every document rule (so did a statement repeating its ``Condition``, a wildcard first and a pin
    last): a reader keeping the first value, as some JSON parsers do, grants what the rule never saw.
    A document whose meaning depends on the parser is now refused as unparsable (the Terraform AWS
    provider's IAM policy validation, bridged by pulumi-aws, refuses repeated keys too)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": "*"}
    if policy != "iam-no-admin-access":
        statement["Principal"] = "*"
    found, undecided = findings(policy, resource_type, {prop: _repeating(statement, shape)})
    assert undecided == 0
    assert len(found) == 1 and "repeats a key in one object" in found[0], found


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), DOCUMENT_RULES)
def test_the_same_key_in_two_objects_is_no_repetition(
    resource_type: str, prop: str, policy: str, action: str
) -> None:
    """The twin: ``Effect``, ``Action`` and ``Condition`` in each of two statements, written by hand with
    odd white space, are one key per object and still judged on what they say."""
    pinned = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    first: dict[str, Any] = {"Effect": "Deny", "Action": action, "Resource": "*", "Condition": pinned}
    second: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": pinned,
    }
    if policy != "iam-no-admin-access":
        first["Principal"] = second["Principal"] = "*"
    text = (
        '\n {\t"Version" :"2012-10-17",\n"Statement":[ '
        + json.dumps(first)
        + " ,\n"
        + json.dumps(second)
        + "]}  \n"
    )
    assert findings(policy, resource_type, {prop: text}) == ([], 0)


# --- rollback-alarms-can-fire: an alarm slower than any deployment -------------------------------

TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"


def _rollback_stack(alarm_type: str, alarm: dict[str, Any], policy: dict[str, Any]) -> list[dict[str, Any]]:
    """An endpoint whose blue/green ``policy`` rolls back on one 5xx alarm with ``alarm``'s timing."""
    dimensions: Any = {"EndpointName": "churn", "VariantName": "primary"}
    if alarm_type.startswith("aws-native:"):
        dimensions = [{"name": k, "value": v} for k, v in dimensions.items()]
    inputs = {
        "alarmName" if alarm_type.startswith("aws-native:") else "name": "churn-5xx",
        "alarmActions": [TOPIC],
        "comparisonOperator": "GreaterThanThreshold",
        "namespace": "AWS/SageMaker",
        "metricName": "Invocation5XXErrors",
        "statistic": "Sum",
        "threshold": 5,
        "dimensions": dimensions,
        **alarm,
    }
    routing = {
        "type": "CANARY",
        "waitIntervalInSeconds": 600,
        "canarySize": {"type": "CAPACITY_PERCENT", "value": 10},
    }
    deployment = {
        "blueGreenUpdatePolicy": {"trafficRoutingConfiguration": routing, **policy},
        "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx"}]},
    }
    return [
        {"type": alarm_type, "name": "errors", "inputs": inputs},
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "deps": {"deploymentConfig": ["errors"]},
            "inputs": {"name": "churn", "endpointConfigName": "churn-config", "deploymentConfig": deployment},
        },
    ]


def _rollback_findings(specs: list[dict[str, Any]], *, outputs: bool = False) -> tuple[list[str], int]:
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, None, [get_policy("rollback-alarms-can-fire")])
    return [v.message for v in report.violations], len(report.undecided)


ALARM_TYPES = ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws-native:cloudwatch:Alarm"]
SHIPPED_TIMEOUT = {"maximumExecutionTimeoutInSeconds": 5280, "terminationWaitInSeconds": 600}


@pytest.mark.parametrize("alarm_type", ALARM_TYPES)
@pytest.mark.parametrize(
    ("alarm", "policy", "needed", "span"),
    [
        pytest.param(
            {"period": 86400, "evaluationPeriods": 2}, {}, 86400, 28800, id="two-days-unset-timeout"
        ),
        pytest.param({"period": 3600, "evaluationPeriods": 3}, SHIPPED_TIMEOUT, 7200, 5880, id="hourly-x3"),
        pytest.param(
            {"period": 60, "evaluationPeriods": 120, "datapointsToAlarm": 100},
            SHIPPED_TIMEOUT,
            5940,
            5880,
            id="m-of-n",
        ),
    ],
)
def test_a_rollback_alarm_slower_than_the_deployment_never_rolls_back(
    alarm_type: str, alarm: dict[str, Any], policy: dict[str, Any], needed: int, span: int
) -> None:
    """A 5xx alarm on the endpoint, firing above its threshold, but over two days' periods (or three
    hours', or 100 breaching minutes) passed: no deployment lasts that long (``MaximumExecutionTimeoutInSeconds``
    is at most 28,800), so it could never go into ALARM before the deployment ended and never rolled
    one back. The rule now compares the least time to ALARM with the longest the deployment can run."""
    for outputs in (False, True):
        found, undecided = _rollback_findings(_rollback_stack(alarm_type, alarm, policy), outputs=outputs)
        assert undecided == 0
        assert len(found) == 1, found
        assert (
            f"needs more than {needed} seconds of breaching data" in found[0]
            and f"({span} seconds" in found[0]
        )


@pytest.mark.parametrize("alarm_type", ALARM_TYPES)
@pytest.mark.parametrize(
    ("alarm", "policy"),
    [
        pytest.param(
            {"period": 60, "evaluationPeriods": 3, "datapointsToAlarm": 3}, SHIPPED_TIMEOUT, id="shipped"
        ),
        pytest.param(
            {"period": 60, "evaluationPeriods": 2}, {"maximumExecutionTimeoutInSeconds": 600}, id="shortest"
        ),
        pytest.param({"period": 3600, "evaluationPeriods": 3}, {}, id="hourly-unset-timeout"),
        pytest.param(
            {"period": 60, "evaluationPeriods": 1440, "datapointsToAlarm": 1}, SHIPPED_TIMEOUT, id="1-of-many"
        ),
    ],
)
def test_a_rollback_alarm_that_can_fire_within_the_deployment_passes(
    alarm_type: str, alarm: dict[str, Any], policy: dict[str, Any]
) -> None:
    """The twins: the components' own rollback alarms (three or two 60-second periods) within the
    shortest timeout SageMaker takes (600 s); an hourly alarm under an unset timeout (a deployment may
    run 8 hours: left to the safe-rollout rule's bake); one breaching minute out of a day's window."""
    assert _rollback_findings(_rollback_stack(alarm_type, alarm, policy)) == ([], 0)


def test_a_metric_math_rollback_alarm_counts_its_queries_period() -> None:
    """The error rate (``100*m1/m2``) the rule reads as the error metric: its period is its queries'."""

    def query(name: str) -> dict[str, Any]:
        metric = {"namespace": "AWS/SageMaker", "metricName": name, "period": 86400, "stat": "Sum"}
        return {
            "id": "m1" if name == "Invocation5XXErrors" else "m2",
            "metric": {**metric, "dimensions": {"EndpointName": "churn", "VariantName": "primary"}},
        }

    alarm = {
        "evaluationPeriods": 2,
        "metricName": None,
        "namespace": None,
        "statistic": None,
        "dimensions": None,
        "metricQueries": [
            {"id": "rate", "expression": "100*m1/m2", "returnData": True},
            query("Invocation5XXErrors"),
            query("Invocations"),
        ],
    }
    specs = _rollback_stack(ALARM_TYPES[0], alarm, {})
    specs[0]["inputs"] = {k: v for k, v in specs[0]["inputs"].items() if v is not None}
    found, undecided = _rollback_findings(specs)
    assert undecided == 0
    assert len(found) == 1 and "needs more than 86400 seconds" in found[0], found
