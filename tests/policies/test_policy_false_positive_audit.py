"""A false-positive audit of the policy pack: secure configurations an adopter plausibly writes in
their own stack (their own style, not this project's components) run through the rules that should
accept them, next to the shapes that must stay refused where the line between them is fine.

Probes were run through ``policies.local.evaluate_report`` (resource rules on one resource; stack
rules over the preview inputs and, through ``engine_shapes.as_outputs``, the outputs after create),
with the rule's prod settings where they differ. "AWS accepts this and it is secure" is grounded in
the AWS documentation or the botocore service models, cited by each section. A refused legitimate
configuration is a product bug, fixed in its own commit (with a CHANGELOG ``### Fixed:`` entry); each
fix's tests fail on the rule before it.

==============================================  ======  =======  =====  =====
rule family (rules)                             probes  wrongly  fixed  left
                                                        refused         alone
==============================================  ======  =======  =====  =====
IAM identity policies (the 5 iam-* rules)           22        2      2      2
managed-policy attachments (2 rules)                12        0      0      0
alarm statistics (alarm-statistic-fits-...)         10        5      5      1
rollback alarms on metric math                      12        4      4      1
S3 bucket policies (TLS-only, not public)           14        0      0      0
S3 bucket baseline, SSE, logging (stack)             8        0      0      2
KMS key policies and rotation                       13        0      0      0
trust policies (public, federated, pod id.)         13        0      0      1
resource-based policies (resource-policy-...)        9        0      0      0
Kubernetes workloads (the 8 k8s-* rules)            16        0      0      2
compute allowlist and GPU quota                      7        0      0      0
production serving (capture, monitoring,            18        0      0      1
autoscaling, rollout, rollback, tracking)
network stack rules (flow logs, groups)              5        0      0      0
pipeline definitions (isolation, KMS, spot,          8        0      0      0
approval, allowlist)
values unknown at preview (24 resource rules)       24        0      0      0
cost-allocation tags (provider default tags)         6        0      0      0
other resource rules (notebooks, domains,           45        0      0      5
endpoint configs, feature groups, trails,
Athena, logs, SNS, EKS, alarms, groups,
model packages)
total                                              242       11     11     15
==============================================  ======  =======  =====  =====

A probe is one configuration (stack probes run over both engine shapes, document probes in both the
JSON-string and object forms where the type takes both); "wrongly refused" counts the secure
configurations the pack refused before this audit; the refused twins kept next to the accepted ones
(a rate over a count threshold, an inverted ratio, a wildcard service name...) are in the probes but
not in the other columns.

Fixed now (each fails on the rule before its commit):

- test_secure_identity_policies_are_accepted (service-linked-role-on-star-for-one-service,
  service-linked-role-string-like-list): ``iam:CreateServiceLinkedRole`` on ``"*"`` pinned by
  ``iam:AWSServiceName``, the shape of AWS managed policies (AmazonEC2FullAccess) and of the FSx for
  Lustre guide, was refused by ``iam-no-unscoped-sensitive-actions`` (mandatory everywhere). The
  key is honoured for that action only; test_service_linked_role_line_stays_strict holds the line (a
  wildcard or ``...IfExists`` service name, no condition, ``iam:*`` or ``iam:CreateRole`` behind it).
- test_an_error_rate_alarm_is_accepted, test_an_error_rate_in_metric_math_is_judged_per_metric: the
  ``Average`` of ``Invocation4XXErrors``/``Invocation5XXErrors`` (SageMaker sends 1 per failed request
  and 0 per other: the error rate, AWS's other documented statistic; the deployment-guardrails guide's
  first alarm example watches "an endpoint's average error rate") was refused by ``alarm-statistic-fits-the-metric``. It passes now
  under a threshold the rate can pass; above 1 (or 1 with ``GreaterThanThreshold``) it never fires and
  stays refused, as do ``Maximum`` and percentiles. Three existing tests that pinned an ``Average``
  refusal now use ``Maximum`` (test_policy_alarm_rules.py ``maximum-of-a-count-fails``,
  test_alarm_governance_mutation_audit.py's aggregate test) or a threshold of 5 (``4xx-average-fails``,
  unchanged, now refused because 5 is out of the rate's reach).
- test_a_rollback_alarm_on_the_error_rate_can_fire, test_an_error_ratio_is_judged_for_direction_and_statistic_as_its_error_count:
  a rollback alarm on the 5xx share of invocations (``100*m1/m2``, ``(m1/m2)*100``, ``m1/m2``,
  ``100*m1/MAX([m1,m2])``) was refused by ``rollback-alarms-can-fire`` (mandatory everywhere) as
  "metric math". The alarm rules read such a ratio as its error metric now (direction, statistic,
  endpoint), so an inverted ratio, a success rate, a zero scale, a latency ratio, a falling operator
  and another endpoint's ratio stay refused.

Left alone (refused, but on purpose), and why:

- IAM (2): ``ec2:DeleteNetworkInterface`` on ``"*"`` behind an ``ec2:Subnet`` condition. Scoping the
  ENI writes to ``arn:aws:ec2:<region>:<account>:network-interface/*`` passes (probed); the pack's
  table of resource-scoping keys is kept short and ``ec2:Subnet`` does not pin the interface deleted.
  And a permissions boundary written as ``Allow * on *`` minus Deny statements: the same document
  attached as an identity policy is administrator access, and ``iam-no-admin-access`` judges the
  document, not where it is attached (a boundary listing the delegated services passes).
- Alarm statistics (1): ``InvocationModelErrors`` by ``Average``: only the 4XX/5XX metrics are
  documented (in the probed sources) as 0/1 per request, so its Average is not known to be a rate.
- Rollback alarms (1): ``IF(m2 > 0, 100*m1/m2, 0)``. ``IF`` can invert a metric; the plain ratio and
  the ``MAX([m1,m2])`` form that cannot divide by zero are accepted.
- S3 baseline (2): a bucket covered only by the account-level public access block (FSBP S3.8 judges
  the bucket's own block, which survives an account setting being changed), and a bucket without
  server access logging (FSBP S3.9; CloudTrail data events are not the control).
- Trust (1): an EKS Pod Identity trust without ``aws:RequestTag/kubernetes-*`` conditions, the EKS
  guide's plain example: the rule is advisory (a warning), per the guide's own hardening advice.
- Kubernetes (2): a KServe ``model`` relying on a ServingRuntime for its probes (each resource is
  judged alone; set the probes on the model container, which KServe merges over the runtime's; its
  image, left out, is judged on the runtime since session 71: test_kserve_runtime_supplied_image_71.py); a GPU pod selecting nodes by
  ``node.kubernetes.io/instance-type`` (add the label to ``gpuNodeSelectorKeys``: configuration).
- Production serving (1): a rollback alarm another stack owns, named by a StackReference output
  (the rules check that the rollback alarms in the stack can fire, which they cannot for another
  stack's).
- Other rules (5): a low-GPU-utilisation alarm notifying people (an idle or right-sizing alarm): the
  rule reads a utilisation alarm that notifies as an overload alarm and accepts the low side only for
  scale-in triggers; AWS's idle-endpoint guidance watches ``Invocations``, which passes (probed).
  A child alarm of a composite alarm, or a rollback-only alarm, without actions
  (FSBP CloudWatch.15, which the rule follows, flags the same alarms); a log group with
  ``retentionInDays`` unset, which CloudWatch keeps forever (the rule asks for the choice to be
  written, and ``0`` passes); HTTPS from ``0.0.0.0/0`` (FSBP EC2.18 authorises 80/443, but the
  platform is private by design: an opt-in port list would be a feature, not a fix); an aws-native
  ModelPackage set ``Approved`` in code after a reviewed change (the pack cannot tell a reviewed
  commit from an automatic approval; ``ignore_changes=["modelApprovalStatus"]`` is the documented way).

Not counted as refusals: configuration choices (the prod allowlist refusing ``ml.m5d``, copyCount 0 on
an inference component, whose documented scale-to-zero flow creates one copy and lets Application
Auto Scaling remove it) and the Argo Rollout pauses (no rule reads a Rollout's steps; its pods are
judged, and an indefinite ``pause: {}`` or a ``"1h"`` pause passes).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy, load_pack_config
from tests.policies.conftest import POD_SECURITY_RULES, build
from tests.policies.engine_shapes import as_outputs
from tests.policies.test_policy_prod_stack_rules import capture, prod_graph, rollout

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"


def _messages(
    policy: str, specs: list[dict[str, Any]], config: dict[str, Any] | None = None, *, outputs: bool = False
) -> list[str]:
    """Violation messages of ``policy`` (none may be left undecided: every probe is fully known)."""
    records: Any = build(specs)
    if outputs:
        records = as_outputs(records)
    report = evaluate_report(records, config, [get_policy(policy)])
    assert report.undecided == [], report.undecided
    return [v.message for v in report.violations]


def _one(policy: str, resource_type: str, inputs: dict[str, Any]) -> list[str]:
    return _messages(policy, [{"type": resource_type, "name": "subject", "inputs": inputs}])


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _prod(policy: str) -> dict[str, Any]:
    """``policy``'s settings in policies/prod.json."""
    return {policy: load_pack_config("prod")[policy]}


def _assert(found: list[str], fragment: str | None) -> None:
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and fragment in found[0], found


# --- IAM identity policies -------------------------------------------------------------------------
#
# Grounding: the IAM User Guide's policy grammar (Action/Resource a string or a list, Statement an
# object or a list, action names and condition keys case-insensitive); AWS managed policies grant
# iam:CreateServiceLinkedRole on "*" pinned by iam:AWSServiceName (AmazonEC2FullAccess; the FSx for
# Lustre guide's policy too), a key only CreateServiceLinkedRole requests carry.

IAM_RULES = (
    "iam-no-admin-access",
    "iam-no-privilege-escalation",
    "iam-no-service-wildcard",
    "iam-no-unscoped-sensitive-actions",
    "iam-pass-role-scoped",
)
POLICY = "aws:iam/policy:Policy"
ROLE = f"arn:aws:iam::{ACCOUNT}:role"


def _iam_findings(document: Any) -> list[str]:
    return [f"{rule}: {m}" for rule in IAM_RULES for m in _one(rule, POLICY, {"policy": document})]


SLR_AUTOSCALING = {
    "Effect": "Allow",
    "Action": "iam:CreateServiceLinkedRole",
    "Resource": "*",
    "Condition": {"StringEquals": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}},
}

IAM_ACCEPTED = [
    pytest.param(_document(SLR_AUTOSCALING), id="service-linked-role-on-star-for-one-service"),
    pytest.param(
        _document(
            {**SLR_AUTOSCALING, "Condition": {"StringLike": {"iam:AWSServiceName": ["fsx.amazonaws.com"]}}}
        ),
        id="service-linked-role-string-like-list",
    ),
    pytest.param(
        _document(
            {
                **SLR_AUTOSCALING,
                "Resource": "arn:aws:iam::*:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
                "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
            }
        ),
        id="service-linked-role-named",
    ),
    pytest.param(
        _document(
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
        ),
        id="deny-guardrail-on-star",
    ),
    pytest.param(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
        },
        id="single-statement-object-string-action",
    ),
    pytest.param(
        json.dumps(
            _document({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::data/*"]})
        ),
        id="json-string-document",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"{ROLE}/mlops/*",
                "Condition": {"StringLike": {"IAM:PassedToService": ["sagemaker.amazonaws.com"]}},
            }
        ),
        id="pass-role-path-wildcard-with-passed-to-service-any-case",
    ),
    pytest.param(
        _document({"Effect": "Allow", "Action": ["iam:passrole"], "Resource": [f"{ROLE}/sm-exec"]}),
        id="pass-role-lower-case-named-role",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "s3.eu-west-1.amazonaws.com",
                        "kms:CallerAccount": ACCOUNT,
                    }
                },
            }
        ),
        id="kms-through-one-service",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:ResourceAccount": ACCOUNT, "aws:ResourceTag/project": "ml"}
                },
            }
        ),
        id="s3-by-resource-account-and-tag",
    ),
    pytest.param(
        _document(
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                ],
                "Resource": f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/models/*",
            },
        ),
        id="ecr-login-and-scoped-pull",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeDhcpOptions",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"],
                "Resource": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:network-interface/*",
            },
        ),
        id="sagemaker-vpc-enis-scoped-to-the-account",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
            },
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "MLOps"}},
            },
            {
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            },
        ),
        id="logs-metrics-and-traces",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:mlops/db-??????",
            },
            {
                "Effect": "Allow",
                "Action": "ssm:GetParametersByPath",
                "Resource": f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/mlops/*",
            },
        ),
        id="secrets-and-parameters-by-path",
    ),
    pytest.param(
        _document(
            {
                "Effect": "Allow",
                "Action": ["sagemaker:Describe*", "sagemaker:List*", "sagemaker:Search"],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["sagemaker:UpdateEndpointWeightsAndCapacities", "sagemaker:InvokeEndpoint"],
                "Resource": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint/*",
            },
        ),
        id="sagemaker-reads-and-account-scoped-endpoint-writes",
    ),
]


@pytest.mark.parametrize("document", IAM_ACCEPTED)
def test_secure_identity_policies_are_accepted(document: Any) -> None:
    """Before the fix, ``iam:CreateServiceLinkedRole`` on ``"*"`` pinned by ``iam:AWSServiceName`` (the
    shape of AWS's own managed policies: the caller can only create the one service's role, whose
    permissions AWS defines) was refused as "manages permissions on every resource"."""
    assert _iam_findings(document) == []


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        pytest.param(
            {**SLR_AUTOSCALING, "Condition": {"StringLike": {"iam:AWSServiceName": "*"}}},
            "iam-no-unscoped-sensitive-actions",
            id="service-name-wildcard",
        ),
        pytest.param(
            {
                **SLR_AUTOSCALING,
                "Condition": {"StringEqualsIfExists": {"iam:AWSServiceName": "sagemaker.amazonaws.com"}},
            },
            "iam-no-unscoped-sensitive-actions",
            id="service-name-if-exists",
        ),
        pytest.param(
            {**SLR_AUTOSCALING, "Condition": {}}, "iam-no-unscoped-sensitive-actions", id="no-condition"
        ),
        pytest.param(
            {**SLR_AUTOSCALING, "Action": "iam:*"},
            "iam-no-privilege-escalation",
            id="all-of-iam-behind-the-key",
        ),
        pytest.param(
            {**SLR_AUTOSCALING, "Action": "iam:CreateRole"},
            "iam-no-unscoped-sensitive-actions",
            id="create-role-behind-another-services-key",
        ),
    ],
)
def test_service_linked_role_line_stays_strict(statement: dict[str, Any], rule: str) -> None:
    """What stays refused next to it: a service name that is not one service (a wildcard, an
    ``...IfExists``, none), and any other IAM action behind the key (the escalation rules ignore
    conditions; the key is honoured for ``iam:CreateServiceLinkedRole`` only)."""
    found = [f for f in _iam_findings(_document(statement)) if f.startswith(rule)]
    assert found, _iam_findings(_document(statement))


# --- alarm statistics ------------------------------------------------------------------------------
#
# Grounding: the SageMaker Developer Guide's invocation metrics ("Invocation5XXErrors ... For each
# 5xx response, 1 is sent; otherwise, 0 is sent. Units: None. Valid statistics: Average, Sum"; the
# same for 4XX): the Average of the 0s and 1s is the share of requests that failed.

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NATIVE_ALARM = "aws-native:cloudwatch:Alarm"


def _alarm(metric: str, statistic: str, threshold: float, **changes: Any) -> dict[str, Any]:
    inputs = {
        "name": "churn-errors",
        "namespace": "AWS/SageMaker",
        "metricName": metric,
        "dimensions": {"EndpointName": "churn", "VariantName": "primary"},
        "statistic": statistic,
        "period": 60,
        "evaluationPeriods": 3,
        "threshold": threshold,
        "comparisonOperator": "GreaterThanThreshold",
        "alarmActions": [TOPIC],
    }
    inputs.update(changes)
    return inputs


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param(_alarm("Invocation5XXErrors", "Average", 0.01), None, id="5xx-rate-above-1-percent"),
        pytest.param(_alarm("Invocation4XXErrors", "Average", 0.05), None, id="4xx-rate-above-5-percent"),
        pytest.param(_alarm("Invocation5XXErrors", "Average", 0), None, id="5xx-rate-any-failure"),
        pytest.param(
            _alarm("Invocation5XXErrors", "Average", 1, comparisonOperator="GreaterThanOrEqualToThreshold"),
            None,
            id="5xx-rate-every-request-failing",
        ),
        pytest.param(_alarm("Invocation5XXErrors", "Sum", 5), None, id="5xx-count-still-passes"),
        pytest.param(
            _alarm("Invocation5XXErrors", "Average", 5),
            "is 'Average', the share of requests that failed (0 to 1), but the threshold is 5",
            id="rate-over-a-count-threshold-never-fires",
        ),
        pytest.param(
            _alarm("Invocation5XXErrors", "Average", 1),
            "but the threshold is 1, which it never exceeds",
            id="rate-strictly-above-1-never-fires",
        ),
        pytest.param(
            _alarm("Invocation5XXErrors", "Maximum", 0),
            "is 'Maximum': an error count is judged",
            id="maximum",
        ),
        pytest.param(
            _alarm("InvocationModelErrors", "Average", 0.01),
            "InvocationModelErrors is 'Average': an error count is judged",
            id="model-errors-average-not-documented-as-a-rate",
        ),
    ],
)
def test_an_error_rate_alarm_is_accepted(inputs: dict[str, Any], fragment: str | None) -> None:
    """Before the fix every ``Average`` on an error metric was refused ("an Average of counts hides
    bursts"), though for 4XX/5XX it is the error rate AWS documents. A rate over a threshold it can
    never pass, another statistic, and a metric not documented as 0/1 per request stay refused."""
    _assert(_one("alarm-statistic-fits-the-metric", ALARM, inputs), fragment)


def test_an_error_rate_in_metric_math_is_judged_per_metric() -> None:
    """``MAX`` over two variants' 5xx rates (aws-native ``metrics[]``) passes under 0.02."""
    queries = [
        {
            "id": f"m{index}",
            "returnData": False,
            "metricStat": {
                "metric": {
                    "namespace": "AWS/SageMaker",
                    "metricName": "Invocation5XXErrors",
                    "dimensions": [
                        {"name": "EndpointName", "value": "churn"},
                        {"name": "VariantName", "value": v},
                    ],
                },
                "stat": "Average",
                "period": 60,
            },
        }
        for index, v in enumerate(("blue", "green"))
    ]
    inputs = {
        "alarmName": "churn-error-rate",
        "metrics": [*queries, {"id": "rate", "expression": "MAX([m0, m1])", "returnData": True}],
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 0.02,
        "evaluationPeriods": 3,
        "alarmActions": [TOPIC],
    }
    assert _one("alarm-statistic-fits-the-metric", NATIVE_ALARM, inputs) == []
    assert _one("alarm-fires-on-the-bad-side", NATIVE_ALARM, inputs) == []
    assert _one("alarm-statistic-fits-the-metric", NATIVE_ALARM, {**inputs, "threshold": 2}) != []


# --- rollback alarms on an error rate computed in metric math ---------------------------------------
#
# Grounding: CloudWatch metric math (AWS's GetMetricData example computes "ErrorRate" as ``m1 / m2``
# of Errors over Invocations; ``100*m1/MAX([m1,m2])`` is the form that cannot divide by zero);
# SageMaker's deployment guardrails roll back when any alarm the endpoint lists trips.


def _query(query_id: str, metric: str, endpoint: str = "churn") -> dict[str, Any]:
    return {
        "id": query_id,
        "returnData": False,
        "metric": {
            "namespace": "AWS/SageMaker",
            "metricName": metric,
            "stat": "Sum",
            "period": 60,
            "dimensions": {"EndpointName": endpoint, "VariantName": "primary"},
        },
    }


def _ratio_alarm(
    expression: str,
    operator: str = "GreaterThanThreshold",
    errors: str = "Invocation5XXErrors",
    endpoint: str = "churn",
    *,
    traffic: dict[str, Any] | None = None,
    error_stat: str = "Sum",
    threshold: float = 1,
) -> dict[str, Any]:
    return {
        "name": "churn-5xx-rate",
        "alarmActions": [TOPIC],
        "comparisonOperator": operator,
        "threshold": threshold,
        "evaluationPeriods": 3,
        "metricQueries": [
            _with(_query("m1", errors, endpoint), stat=error_stat),
            traffic or _query("m2", "Invocations", endpoint),
            {"id": "e1", "expression": expression, "returnData": True, "label": "5xx %"},
        ],
    }


def _with(query: dict[str, Any], **metric: Any) -> dict[str, Any]:
    return {**query, "metric": {**query["metric"], **metric}}


def _without_dimensions(query: dict[str, Any]) -> dict[str, Any]:
    return {**query, "metric": {k: v for k, v in query["metric"].items() if k != "dimensions"}}


def _renamed(query: dict[str, Any], namespace: str) -> dict[str, Any]:
    return _with(query, namespace=namespace)


def _rollback_stack(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "name": "config",
            "inputs": {
                "name": "churn-config",
                "productionVariants": [
                    {
                        "variantName": "primary",
                        "modelName": "m",
                        "instanceType": "ml.m5.xlarge",
                        "initialInstanceCount": 2,
                    }
                ],
            },
        },
        {"type": ALARM, "name": "errors", "inputs": alarm},
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "deps": {"endpointConfigName": ["config"], "deploymentConfig": ["errors"]},
            "inputs": {
                "name": "churn",
                "endpointConfigName": "churn-config",
                "deploymentConfig": {
                    "blueGreenUpdatePolicy": {
                        "trafficRoutingConfiguration": {
                            "type": "CANARY",
                            "waitIntervalInSeconds": 600,
                            "canarySize": {"type": "CAPACITY_PERCENT", "value": 10},
                        }
                    },
                    "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx-rate"}]},
                },
            },
        },
    ]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("alarm", "fragment"),
    [
        pytest.param(_ratio_alarm("100*m1/m2"), None, id="percent-of-invocations"),
        pytest.param(_ratio_alarm("(m1 / m2) * 100"), None, id="percent-written-after"),
        pytest.param(_ratio_alarm("m1/m2", "GreaterThanOrEqualToThreshold"), None, id="fraction"),
        pytest.param(_ratio_alarm("100 * m1 / MAX([m1, m2])"), None, id="percent-that-cannot-divide-by-zero"),
        pytest.param(_ratio_alarm("m2/m1"), "evaluates a metric-math expression", id="inverted-ratio"),
        pytest.param(
            _ratio_alarm("100*m2/MAX([m1,m2])"),
            "evaluates a metric-math expression",
            id="traffic-over-the-errors",
        ),
        pytest.param(_ratio_alarm("100-100*m1/m2"), "evaluates a metric-math expression", id="success-rate"),
        pytest.param(_ratio_alarm("0*m1/m2"), "evaluates a metric-math expression", id="scaled-by-zero"),
        pytest.param(
            _ratio_alarm("100*m1/m2", errors="ModelLatency"),
            "evaluates a metric-math expression",
            id="not-errors",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", "LessThanThreshold"),
            "so it never fires when",
            id="fires-when-the-rate-falls",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", endpoint="other"), "watches endpoint 'other'", id="other-endpoint"
        ),
        # Review: only the numerator was read. CloudWatch divides by no data as no data, so a
        # denominator that is not this endpoint's own invocations never lets the alarm fire.
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_query("m2", "Invocations", "other")),
            "evaluates a metric-math expression",
            id="over-another-endpoints-invocations",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_without_dimensions(_query("m2", "Invocations"))),
            "evaluates a metric-math expression",
            id="over-invocations-of-no-endpoint",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_query("m2", "Invocation5XXErrors")),
            "evaluates a metric-math expression",
            id="over-the-errors-again",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_renamed(_query("m2", "Invocations"), "Custom/Nothing")),
            "evaluates a metric-math expression",
            id="over-an-unpublished-metric",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_with(_query("m2", "Invocations"), period=3600)),
            "evaluates a metric-math expression",
            id="over-another-period",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_with(_query("m2", "Invocations"), stat="Average")),
            "evaluates a metric-math expression",
            id="over-an-average",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", error_stat="Average"),
            "evaluates a metric-math expression",
            id="a-rate-over-a-count",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", error_stat="SampleCount"),
            "evaluates a metric-math expression",
            id="requests-not-errors-over-invocations",
        ),
        # Second review: a unit the data points do not carry (SageMaker's are "None") or another
        # account's series returns no data, as a denominator of another endpoint does.
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_with(_query("m2", "Invocations"), unit="Seconds")),
            "evaluates a metric-math expression",
            id="over-invocations-in-seconds",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic=_with(_query("m2", "Invocations"), unit="None")),
            None,
            id="over-invocations-in-sagemakers-own-unit",
        ),
        pytest.param(
            _ratio_alarm("100*m1/m2", traffic={**_query("m2", "Invocations"), "accountId": "999999999999"}),
            "evaluates a metric-math expression",
            id="over-another-accounts-invocations",
        ),
        pytest.param(
            _ratio_alarm("100 *\tm1/\nm2"),
            None,
            id="written-over-lines",
        ),
    ],
)
def test_a_rollback_alarm_on_the_error_rate_can_fire(
    alarm: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    """Before the fix any metric math in a rollback alarm was refused (mandatory everywhere), the 5xx
    share of invocations too: it rises with the errors, as the count does, and a careful team prefers
    it (a rate holds at any traffic). An inverted or negated ratio, a zero scale, a ratio of another
    metric, a falling operator and another endpoint's ratio stay refused."""
    _assert(_messages("rollback-alarms-can-fire", _rollback_stack(alarm), outputs=outputs), fragment)


def test_an_error_ratio_is_judged_for_direction_and_statistic_as_its_error_count() -> None:
    """Once read, the ratio is judged by the alarm rules as its error metric (it was skipped)."""
    assert _one("alarm-fires-on-the-bad-side", ALARM, _ratio_alarm("100*m1/m2")) == []
    falling = _one("alarm-fires-on-the-bad-side", ALARM, _ratio_alarm("100*m1/m2", "LessThanThreshold"))
    assert len(falling) == 1 and "errors metrics are bad when high" in falling[0]
    assert _one("alarm-statistic-fits-the-metric", ALARM, _ratio_alarm("100*m1/m2")) == []


def test_an_error_ratio_whose_dimensions_are_unknown_at_preview_is_read_as_one() -> None:
    """Second review: an unknown dimension value (the endpoint's name, an Output at preview) was read
    as None and so as another endpoint's series: the mandatory rollback rule refused the ratio at
    preview and the threshold check skipped it. Not known to differ, it is read; after create the
    values are known and judged."""
    alarm = _ratio_alarm("100*m1/m2", threshold=101)
    alarm["metricQueries"][1]["metric"]["dimensions"]["EndpointName"] = UNKNOWN_STRING_VALUE
    found = _one("alarm-statistic-fits-the-metric", ALARM, alarm)
    assert len(found) == 1 and "never exceeds" in found[0]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("alarm", "fragment"),
    [
        pytest.param(_alarm("Invocation5XXErrors", "Sum", 5, name="churn-5xx-rate"), None, id="no-unit"),
        pytest.param(
            _alarm("Invocation5XXErrors", "Sum", 5, name="churn-5xx-rate", unit="None"),
            None,
            id="sagemakers-unit",
        ),
        pytest.param(
            _alarm("Invocation5XXErrors", "Sum", 5, name="churn-5xx-rate", unit="Count"),
            "publishes it in 'None'",
            id="errors-as-a-count",
        ),
        pytest.param(
            _alarm("ModelLatency", "Average", 500000, name="churn-5xx-rate", unit="Microseconds"),
            None,
            id="latency-in-microseconds",
        ),
        pytest.param(
            _alarm("ModelLatency", "Average", 500, name="churn-5xx-rate", unit="Milliseconds"),
            "publishes it in 'Microseconds'",
            id="latency-in-milliseconds",
        ),
        pytest.param(
            _ratio_alarm("m1", traffic=_with(_query("m2", "Invocations"), unit="None"))
            | {
                "metricQueries": [
                    _with(_query("m1", "Invocation5XXErrors"), unit="Seconds"),
                    {"id": "e1", "expression": "m1", "returnData": True},
                ]
            },
            "publishes it in 'None'",
            id="a-query-in-seconds",
        ),
    ],
)
def test_a_rollback_alarm_in_a_unit_sagemaker_does_not_publish_is_refused(
    alarm: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    """Second review: a unit the data points lack returns no data (CloudWatch's MetricStat), so a
    rollback alarm naming one never fires: checked for the ratio's sides, not for a plain alarm.
    SageMaker publishes its errors in None, its latencies in Microseconds, utilisation in Percent."""
    _assert(_messages("rollback-alarms-can-fire", _rollback_stack(alarm), outputs=outputs), fragment)


@pytest.mark.parametrize(
    ("expression", "operator", "threshold", "refused"),
    [
        ("100*m1/m2", "GreaterThanThreshold", 5, False),
        ("100*m1/m2", "GreaterThanOrEqualToThreshold", 100, False),
        ("100*m1/m2", "GreaterThanThreshold", 100, True),
        ("100*m1/m2", "GreaterThanThreshold", 101, True),
        ("(m1/m2)*100", "GreaterThanThreshold", 150, True),
        ("m1/m2", "GreaterThanThreshold", 0.05, False),
        ("m1/m2", "GreaterThanThreshold", 5, True),
        ("m1/m2", "GreaterThanThreshold", 1, True),
        ("m1/m2", "GreaterThanOrEqualToThreshold", 1, False),
        ("10*m1/m2*10", "GreaterThanThreshold", 50, False),
    ],
)
def test_an_error_ratio_whose_threshold_is_above_its_scale_is_refused(
    expression: str, operator: str, threshold: float, refused: bool
) -> None:
    """Review: a ratio skipped the threshold check the Average rate gets; 5 on ``m1/m2`` (at most 1)
    never fires. The ceiling is the ratio's scale (100 for a percentage)."""
    found = _one(
        "alarm-statistic-fits-the-metric", ALARM, _ratio_alarm(expression, operator, threshold=threshold)
    )
    assert bool(found) is refused, found
    if refused:
        assert "never exceeds" in found[0]


# --- S3 bucket policies ----------------------------------------------------------------------------
#
# Grounding: the S3 User Guide's TLS-only example (Deny, Principal "*", Action "s3:*", Bool
# aws:SecureTransport "false"; the IAM grammar takes the value as a JSON boolean too, and a
# NumericLessThan s3:TlsVersion Deny as a further statement); access-point delegation
# (s3:DataAccessPointAccount); CloudFront origin access control (Service principal + AWS:SourceArn).

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ARN = "arn:aws:s3:::ml-data"
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def _tls(**changes: Any) -> dict[str, Any]:
    return {**TLS_DENY, **changes}


def _allow_anyone(condition: dict[str, Any], principal: Any = "*") -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
        "Condition": condition,
    }


S3_POLICY_PROBES = [
    pytest.param(
        "s3-bucket-policy-tls-only",
        _document(_tls(Condition={"Bool": {"aws:SecureTransport": False}})),
        None,
        id="secure-transport-json-boolean",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        _document(_tls(Condition={"Bool": {"aws:SecureTransport": ["false"]}})),
        None,
        id="secure-transport-list",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only", _document(_tls(Principal={"AWS": "*"})), None, id="principal-aws-star"
    ),
    pytest.param("s3-bucket-policy-tls-only", _document(_tls(Action=["s3:*"])), None, id="action-list"),
    pytest.param(
        "s3-bucket-policy-tls-only",
        _document(_tls(Resource=BUCKET_ARN), _tls(Resource=f"{BUCKET_ARN}/*")),
        None,
        id="bucket-and-objects-in-two-statements",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        _document(
            _tls(),
            _tls(Sid="DenyOldTls", Condition={"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
        ),
        None,
        id="plus-a-tls-version-floor",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        _document(
            _tls(
                Condition={
                    "Bool": {"aws:SecureTransport": "false"},
                    "NumericLessThan": {"s3:TlsVersion": "1.2"},
                }
            )
        ),
        "is narrowed by the condition(s) NumericLessThan s3:TlsVersion",
        id="both-conditions-in-one-statement-deny-only-their-conjunction",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(
            TLS_DENY,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                "Condition": {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}},
            },
        ),
        None,
        id="delegation-to-the-accounts-access-points",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(
            _allow_anyone(
                {"StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"}},
                {"Service": "cloudfront.amazonaws.com"},
            )
        ),
        None,
        id="cloudfront-origin-access-control",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(_allow_anyone({"StringEquals": {"AWS:PrincipalOrgID": "o-abc123def4"}})),
        None,
        id="organization-key-in-upper-case",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(
            _allow_anyone(
                {
                    "ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": ["o-abc123def4/r-ab12/ou-ab12-11111111/*"]
                    }
                }
            )
        ),
        None,
        id="organization-unit-path",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(_allow_anyone({"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}})),
        None,
        id="vpc-endpoint-list",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(
            _allow_anyone(
                {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/app-*"}}, {"AWS": "*"}
            )
        ),
        None,
        id="principal-arn-pattern-in-one-account",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        _document(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/reader"},
                "Action": "s3:*",
                "Resource": f"{BUCKET_ARN}/*",
            }
        ),
        None,
        id="deny-everyone-but-a-role",
    ),
]


@pytest.mark.parametrize(("policy", "document", "fragment"), S3_POLICY_PROBES)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "object"])
def test_secure_bucket_policies_are_accepted(
    policy: str, document: dict[str, Any], fragment: str | None, as_json: bool
) -> None:
    """Accepted before and now, in both the JSON-string and object forms; the one refusal is a deny
    narrowed to old TLS versions (plain HTTP carries no s3:TlsVersion, so it passes the Deny)."""
    inputs = {"bucket": "ml-data", "policy": json.dumps(document) if as_json else document}
    _assert(_one(policy, BUCKET_POLICY, inputs), fragment)


# --- KMS key policies and rotation ----------------------------------------------------------------
#
# Grounding: the KMS Developer Guide's default key policy (root "kms:*", key administrators, key
# users, "Allow attachment of persistent resources" with kms:GrantIsForAWSResource), the AWS managed
# keys' shape (Principal AWS "*" pinned by kms:CallerAccount + kms:ViaService), the CloudWatch Logs
# key policy (Service logs.<region>.amazonaws.com with kms:EncryptionContext:aws:logs:arn), and
# "automatic key rotation ... symmetric encryption KMS keys only" (HMAC, asymmetric, imported and
# custom-key-store keys cannot rotate).

ROOT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
KEY_POLICY_PROBES = [
    pytest.param(
        _document(
            ROOT,
            {
                "Sid": "Allow access for Key Administrators",
                "Effect": "Allow",
                "Principal": {"AWS": f"{ROLE}/KeyAdmin"},
                "Action": [
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                ],
                "Resource": "*",
            },
            {
                "Sid": "Allow use of the key",
                "Effect": "Allow",
                "Principal": {"AWS": f"{ROLE}/app"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
            },
            {
                "Sid": "Allow attachment of persistent resources",
                "Effect": "Allow",
                "Principal": {"AWS": f"{ROLE}/app"},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ),
        id="console-default-policy",
    ),
    pytest.param(
        _document(
            ROOT,
            {
                "Effect": "Allow",
                "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:*"
                    }
                },
            },
        ),
        id="cloudwatch-logs-service",
    ),
    pytest.param(
        _document(
            ROOT,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": ACCOUNT,
                        "kms:ViaService": "s3.eu-west-1.amazonaws.com",
                    }
                },
            },
        ),
        id="aws-managed-key-shape",
    ),
    pytest.param(
        _document(
            ROOT,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": int(ACCOUNT)}},
            },
        ),
        id="caller-account-as-a-number",
    ),
    pytest.param(
        _document(
            ROOT,
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
            },
        ),
        id="organization-wide-decrypt",
    ),
    pytest.param(
        _document({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "kms:*", "Resource": "*"}),
        id="account-id-as-principal",
    ),
]


@pytest.mark.parametrize("document", KEY_POLICY_PROBES)
@pytest.mark.parametrize(
    ("resource_type", "prop", "as_json"),
    [("aws:kms/key:Key", "policy", True), ("aws-native:kms:Key", "keyPolicy", False)],
    ids=["pulumi-aws", "aws-native"],
)
def test_documented_key_policies_are_accepted(
    document: dict[str, Any], resource_type: str, prop: str, as_json: bool
) -> None:
    inputs = {prop: json.dumps(document) if as_json else document, "enableKeyRotation": True}
    assert _one("kms-key-policy-no-public-principal", resource_type, inputs) == []


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param(
            "aws-native:kms:Key", {"keySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"}, id="hmac"
        ),
        pytest.param(
            "aws:kms/key:Key", {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}, id="rsa"
        ),
        pytest.param(
            "aws:kms/key:Key", {"customerMasterKeySpec": "ML_DSA_65", "keyUsage": "SIGN_VERIFY"}, id="ml-dsa"
        ),
        pytest.param("aws-native:kms:Key", {"keySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"}, id="ecc"),
        pytest.param("aws-native:kms:Key", {"origin": "EXTERNAL"}, id="imported-material"),
        pytest.param(
            "aws:kms/key:Key", {"enableKeyRotation": True, "rotationPeriodInDays": 90}, id="90-day-rotation"
        ),
        pytest.param(
            "aws-native:kms:Key",
            {"keySpec": "SYMMETRIC_DEFAULT", "multiRegion": True, "enableKeyRotation": True},
            id="multi-region",
        ),
    ],
)
def test_keys_that_rotate_or_cannot_are_accepted(resource_type: str, inputs: dict[str, Any]) -> None:
    assert _one("kms-key-rotation-enabled", resource_type, inputs) == []


# --- S3 bucket baseline (stack rules, both engine shapes) ------------------------------------------
#
# Grounding: PutBucketEncryption takes SSEAlgorithm aws:kms or aws:kms:dsse with a key id, key ARN or
# alias ARN and BucketKeyEnabled (botocore s3 ServerSideEncryptionRule); the companions of
# BucketV2 are the provider's recommended shape. The bucket's ARN after create is S3's
# (arn:aws:s3:::<name>), given to ``as_outputs`` as the applied value.

KMS_RULE = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}
S3_STACK_RULES = ("s3-sse-kms-encrypted", "s3-bucket-security-baseline", "s3-bucket-access-logging")


def _bucket_stack(
    rule: dict[str, Any], bucket_type: str = "aws:s3/bucketV2:BucketV2"
) -> list[dict[str, Any]]:
    def companion(resource_type: str, name: str, **inputs: Any) -> dict[str, Any]:
        return {
            "type": resource_type,
            "name": name,
            "deps": {"bucket": ["bucket"]},
            "inputs": {"bucket": "ml-data", **inputs},
        }

    return [
        {"type": bucket_type, "name": "bucket", "inputs": {"bucket": "ml-data"}},
        companion(
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "sse",
            rules=[rule],
        ),
        companion(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "block",
            blockPublicAcls=True,
            blockPublicPolicy=True,
            ignorePublicAcls=True,
            restrictPublicBuckets=True,
        ),
        companion(BUCKET_POLICY, "policy", policy=json.dumps(_document(TLS_DENY))),
        companion(
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            "versioning",
            versioningConfiguration={"status": "Enabled"},
        ),
        companion(
            "aws:s3/bucketLoggingV2:BucketLoggingV2",
            "logging",
            targetBucket="access-logs",
            targetPrefix="ml/",
        ),
    ]


def _stack_findings(specs: list[dict[str, Any]], rules: tuple[str, ...], outputs: bool) -> list[str]:
    records: Any = build(specs)
    if outputs:
        records = as_outputs(records, {"bucket": {"arn": BUCKET_ARN}, "native": {"arn": BUCKET_ARN}})
    found = []
    for rule in rules:
        report = evaluate_report(records, None, [get_policy(rule)])
        assert report.undecided == []
        found += [f"{rule}: {v.message}" for v in report.violations]
    return found


NATIVE_BUCKET_STACK = [
    {
        "type": "aws-native:s3:Bucket",
        "name": "native",
        "inputs": {
            "bucketName": "ml-data",
            "bucketEncryption": {
                "serverSideEncryptionConfiguration": [
                    {
                        **{"serverSideEncryptionByDefault": KMS_RULE["applyServerSideEncryptionByDefault"]},
                        "bucketKeyEnabled": True,
                    }
                ]
            },
            "publicAccessBlockConfiguration": {
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            "versioningConfiguration": {"status": "Enabled"},
            "loggingConfiguration": {"destinationBucketName": "access-logs", "logFilePrefix": "ml/"},
        },
    },
    {
        "type": "aws-native:s3:BucketPolicy",
        "name": "native-policy",
        "deps": {"bucket": ["native"]},
        "inputs": {"bucket": "ml-data", "policyDocument": _document(TLS_DENY)},
    },
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    "specs",
    [
        pytest.param(_bucket_stack({**KMS_RULE, "bucketKeyEnabled": True}), id="sse-kms-with-bucket-key"),
        pytest.param(
            _bucket_stack(
                {
                    "applyServerSideEncryptionByDefault": {
                        "sseAlgorithm": "aws:kms:dsse",
                        "kmsMasterKeyId": KEY,
                    }
                }
            ),
            id="dsse-kms",
        ),
        pytest.param(
            _bucket_stack(
                {
                    "applyServerSideEncryptionByDefault": {
                        "sseAlgorithm": "aws:kms",
                        "kmsMasterKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/ml-data",
                    }
                }
            ),
            id="customer-alias-arn",
        ),
        pytest.param(
            _bucket_stack(
                {
                    "applyServerSideEncryptionByDefault": {
                        "sseAlgorithm": "aws:kms",
                        "kmsMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                    }
                }
            ),
            id="bare-key-id",
        ),
        pytest.param(_bucket_stack(KMS_RULE, "aws:s3/bucket:Bucket"), id="legacy-bucket-type"),
        pytest.param(NATIVE_BUCKET_STACK, id="aws-native-bucket-inline"),
    ],
)
def test_secure_buckets_pass_the_baseline(specs: list[dict[str, Any]], outputs: bool) -> None:
    assert _stack_findings(specs, S3_STACK_RULES, outputs) == []


# --- trust policies ---------------------------------------------------------------------------------
#
# Grounding: the IAM User Guide's OIDC trust for GitHub Actions (aud sts.amazonaws.com, sub
# repo:<org>/<repo>:...), EKS IRSA (<issuer>:sub system:serviceaccount:<ns>:<sa>), SAML (SAML:aud),
# Cognito identity pools (aud + amr), the confused-deputy guide (aws:SourceAccount/SourceArn on a
# service principal), cross-account roles with sts:ExternalId.

GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
TRUST_RULES = (
    "iam-role-trust-not-public",
    "iam-role-federated-trust-scoped",
    "iam-pod-identity-trust-scoped",
)
TRUST_PROBES = [
    pytest.param(
        {
            "Principal": {"Federated": GITHUB},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {
                    "token.actions.githubusercontent.com:sub": "repo:acme/ml-platform:ref:refs/heads/main"
                },
            },
        },
        id="github-main-branch",
    ),
    pytest.param(
        {
            "Principal": {"Federated": GITHUB},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {
                    "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"],
                    "token.actions.githubusercontent.com:sub": "repo:acme/ml-platform:environment:prod",
                }
            },
        },
        id="github-environment",
    ),
    pytest.param(
        {
            "Principal": {"Federated": GITHUB},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "ForAnyValue:StringLike": {
                    "token.actions.githubusercontent.com:sub": [
                        "repo:acme/ml-platform:ref:refs/heads/main",
                        "repo:acme/ml-platform:environment:prod",
                    ]
                },
            },
        },
        id="github-two-subjects",
    ),
    pytest.param(
        {
            "Principal": {"Federated": GITHUB},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/ml-platform:*"},
            },
        },
        id="github-one-repository",
    ),
    pytest.param(
        {
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {
                    f"{ISSUER}:sub": "system:serviceaccount:serving:model-server",
                    f"{ISSUER}:aud": "sts.amazonaws.com",
                }
            },
        },
        id="eks-irsa",
    ),
    pytest.param(
        {
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                "StringLike": {"gitlab.com:sub": "project_path:acme/ml:ref_type:branch:ref:main"},
            },
        },
        id="gitlab",
    ),
    pytest.param(
        {
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": WEB_IDENTITY,
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "eu-west-1:11111111-2222-3333-4444-555555555555"
                },
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
            },
        },
        id="cognito-authenticated",
    ),
    pytest.param(
        {
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        },
        id="saml",
    ),
    pytest.param(
        {
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:*"},
            },
        },
        id="service-with-confused-deputy-keys",
    ),
    pytest.param(
        {
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3"}},
        },
        id="cross-account-external-id",
    ),
    pytest.param(
        {
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "ArnLike": {
                    "aws:PrincipalArn": f"{ROLE}/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_MLAdmin_*"
                }
            },
        },
        id="identity-center-permission-set",
    ),
    pytest.param(
        {
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {
                    "aws:RequestTag/eks-cluster-name": "mlops",
                    "aws:RequestTag/kubernetes-namespace": "serving",
                    "aws:RequestTag/kubernetes-service-account": "model-server",
                }
            },
        },
        id="eks-pod-identity-scoped",
    ),
]


@pytest.mark.parametrize("statement", TRUST_PROBES)
@pytest.mark.parametrize(
    ("resource_type", "prop", "as_json"),
    [
        ("aws:iam/role:Role", "assumeRolePolicy", True),
        ("aws-native:iam:Role", "assumeRolePolicyDocument", False),
    ],
    ids=["pulumi-aws", "aws-native"],
)
def test_documented_trust_policies_are_accepted(
    statement: dict[str, Any], resource_type: str, prop: str, as_json: bool
) -> None:
    document = _document({"Effect": "Allow", **statement})
    inputs = {prop: json.dumps(document) if as_json else document}
    assert [m for rule in TRUST_RULES for m in _one(rule, resource_type, inputs)] == []


# --- resource-based policies --------------------------------------------------------------------------
#
# Grounding: each service's documented grants: SNS's default topic policy (AWS "*" pinned by
# AWS:SourceOwner), SNS-to-SQS fan-out (aws:SourceArn), ECR pulls by organization, Lambda
# permissions with source ARN/account or principalOrgId, CloudWatch Logs delivery
# (delivery.logs.amazonaws.com with confused-deputy keys), S3 access point policies.

ACCESS_POINT = f"arn:aws:s3:eu-west-1:{ACCOUNT}:accesspoint/ml"
RESOURCE_POLICY_PROBES = [
    pytest.param(
        "aws:sns/topicPolicy:TopicPolicy",
        {"arn": TOPIC, "policy": json.dumps(_document({
            "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:Subscribe", "SNS:Publish"], "Resource": TOPIC,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
        }))},
        id="sns-default-topic-policy",
    ),
    pytest.param(
        "aws:sns/topicPolicy:TopicPolicy",
        {"arn": TOPIC, "policy": json.dumps(_document({
            "Effect": "Allow", "Principal": {"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]},
            "Action": "SNS:Publish", "Resource": TOPIC, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }))},
        id="sns-for-budgets-and-alarms",
    ),
    pytest.param(
        "aws:sqs/queuePolicy:QueuePolicy",
        {"queueUrl": "q", "policy": json.dumps(_document({
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
            "Resource": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:q",
            "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}},
        }))},
        id="sqs-fan-out-from-a-topic",
    ),
    pytest.param(
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        {"repository": "models", "policy": json.dumps(_document({
            "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
        }))},
        id="ecr-pulls-by-organization",
    ),
    pytest.param(
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunction", "function": "f", "principal": "s3.amazonaws.com",
         "sourceArn": "arn:aws:s3:::ml-data", "sourceAccount": ACCOUNT},
        id="lambda-invoked-by-a-bucket",
    ),
    pytest.param(
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunction", "function": "f", "principal": "*", "principalOrgId": "o-abcdef1234"},
        id="lambda-invoked-in-the-organization",
    ),
    pytest.param(
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        {"policyName": "delivery", "policyDocument": json.dumps(_document({
            "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/vendedlogs/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                          "ArnLike": {"aws:SourceArn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:*"}},
        }))},
        id="logs-delivery",
    ),
    pytest.param(
        "aws:s3control/accessPointPolicy:AccessPointPolicy",
        {"accessPointArn": ACCESS_POINT, "policy": json.dumps(_document({
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{ACCESS_POINT}/object/*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        }))},
        id="access-point-through-a-vpc-endpoint",
    ),
    pytest.param(
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        {"secretArn": "s", "policy": json.dumps(_document({
            "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalArn": f"{ROLE}/app"}},
        }))},
        id="secret-denied-to-all-but-one-role",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("resource_type", "inputs"), RESOURCE_POLICY_PROBES)
def test_documented_resource_policies_are_accepted(resource_type: str, inputs: dict[str, Any]) -> None:
    assert _one("resource-policy-not-public", resource_type, inputs) == []


# --- Kubernetes workloads -----------------------------------------------------------------------------
#
# Grounding: the Kubernetes API (pod-level securityContext is inherited by containers; gRPC, TCP and
# exec probes; native sidecars as restartPolicy Always init containers; quantities "0.25" = "250m"),
# the NVIDIA container toolkit (NVIDIA_VISIBLE_DEVICES "void"/"none" expose no GPU), Karpenter's and
# the GPU operator's node labels, Argo Rollouts' pause steps (an empty pause waits for promotion).

DIGEST_IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/serve:1.4.2@sha256:" + "a" * 64
K8S_RULES = (
    "k8s-probes-configured",
    "k8s-resources-bounded",
    "k8s-image-pinned-by-digest",
    "k8s-container-security-context",
    "k8s-no-host-namespaces",
    "k8s-service-account-token-not-automounted",
    "k8s-run-as-high-uid",
    "k8s-gpu-pods-well-formed",
    *POD_SECURITY_RULES,
)
GPU_LIMITS = {
    "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": 1},
    "requests": {"cpu": "4", "memory": "16Gi"},
}


def _container(**changes: Any) -> dict[str, Any]:
    container = {
        "name": "server",
        "image": DIGEST_IMAGE,
        "readinessProbe": {"grpc": {"port": 9000}},
        "livenessProbe": {"tcpSocket": {"port": 9000}},
        "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    container.update(changes)
    return container


def _pod(*containers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    pod = {
        "containers": list(containers) or [_container()],
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "fsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    pod.update(changes)
    return pod


def _workload(pod: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "server", "namespace": "serving"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "server"}},
            "template": {"metadata": {"labels": {"app": "server"}}, "spec": pod},
            **spec,
        },
    }


DEPLOYMENT = "kubernetes:apps/v1:Deployment"
K8S_PROBES = [
    pytest.param(DEPLOYMENT, _workload(_pod()), id="pod-level-identity-grpc-and-tcp-probes-tag-and-digest"),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(
                    readinessProbe={"exec": {"command": ["cat", "/tmp/ready"]}},
                    livenessProbe={"httpGet": {"path": "/health", "port": "http"}},
                )
            )
        ),
        id="exec-and-named-port-probes",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(
                    securityContext={
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    }
                ),
                securityContext={},
            )
        ),
        id="identity-on-the-container-only",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(_pod(_container(), initContainers=[_container(name="proxy", restartPolicy="Always")])),
        id="native-sidecar",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(),
                initContainers=[
                    {k: v for k, v in _container(name="fetch").items() if not k.endswith("Probe")}
                ],
            )
        ),
        id="init-container-without-probes",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(resources=GPU_LIMITS),
                tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            )
        ),
        id="gpu-tolerating-the-taint",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(
                    resources={**GPU_LIMITS, "requests": {**GPU_LIMITS["requests"], "nvidia.com/gpu": "1"}}
                ),
                nodeSelector={"karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia"},
            )
        ),
        id="gpu-on-karpenter-nodes-request-as-string",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(_pod(_container(resources=GPU_LIMITS), nodeSelector={"nvidia.com/gpu.present": "true"})),
        id="gpu-operator-label",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(_pod(_container(env=[{"name": "NVIDIA_VISIBLE_DEVICES", "value": "void"}]))),
        id="cpu-container-hiding-gpus",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(
                    resources={
                        "requests": {"cpu": "250m", "memory": "512Mi"},
                        "limits": {"cpu": "0.25", "memory": "512Mi"},
                    }
                )
            )
        ),
        id="equal-quantities-written-differently",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(
            _pod(
                _container(
                    securityContext={
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["all"], "add": ["NET_BIND_SERVICE"]},
                    }
                )
            )
        ),
        id="drop-all-lower-case-add-bind",
    ),
    pytest.param(
        DEPLOYMENT,
        _workload(_pod(hostNetwork=False, hostPID=False, hostIPC=False)),
        id="host-namespaces-explicitly-off",
    ),
    pytest.param("kubernetes:apps/v1:StatefulSet", _workload(_pod()), id="statefulset"),
    pytest.param(
        "kubernetes:argoproj.io/v1alpha1:Rollout",
        _workload(
            _pod(),
            strategy={
                "canary": {
                    "steps": [
                        {"setWeight": 10},
                        {"pause": {}},
                        {"setWeight": 50},
                        {"pause": {"duration": "1h"}},
                    ]
                }
            },
        ),
        id="argo-rollout-manual-and-string-pauses",
    ),
]


@pytest.mark.parametrize(("resource_type", "inputs"), K8S_PROBES)
def test_hardened_workloads_in_other_styles_are_accepted(resource_type: str, inputs: dict[str, Any]) -> None:
    assert [m for rule in K8S_RULES for m in _one(rule, resource_type, inputs)] == []


# --- compute allowlist and GPU quota ---------------------------------------------------------------------
#
# Grounding: CreateApp's ResourceSpec (a JupyterServer app runs on "system"), serverless variants
# (no instances), managed instance scaling, HyperPod instance groups (botocore sagemaker models).

APP = {"appName": "default", "domainId": "d-1", "userProfileName": "u"}
COMPUTE_PROBES = [
    pytest.param(
        "aws:sagemaker/app:App", {**APP, "appType": "JupyterServer", "resourceSpec": {"instanceType": "system"}}, id="jupyter-server-on-system"
    ),
    pytest.param(
        "aws-native:sagemaker:App",
        {**APP, "appType": "JupyterServer", "resourceSpec": {"instanceType": "system"}},
        id="native-jupyter-server-on-system",
    ),
    pytest.param("aws:sagemaker/app:App", {**APP, "appType": "Canvas"}, id="app-without-resource-spec"),
    pytest.param(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        {"productionVariants": [{"variantName": "a", "modelName": "m", "serverlessConfig": {"maxConcurrency": 5, "memorySizeInMb": 2048, "provisionedConcurrency": 1}}]},
        id="serverless-variant",
    ),
    pytest.param(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        {"productionVariants": [{"variantName": "a", "instanceType": "ml.g5.2xlarge", "initialInstanceCount": 2, "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 2, "maxInstanceCount": 4}}]},
        id="managed-instance-scaling",
    ),
    pytest.param(
        "aws:sagemaker/space:Space",
        {"domainId": "d-1", "spaceName": "s", "spaceSettings": {"appType": "JupyterLab", "jupyterLabAppSettings": {"defaultResourceSpec": {"instanceType": "ml.t3.medium"}}}},
        id="jupyterlab-space",
    ),
    pytest.param(
        "aws-native:sagemaker:Cluster",
        {"clusterName": "h", "orchestrator": {"eks": {"clusterArn": f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/c"}}, "instanceGroups": [
            {"instanceGroupName": "ctrl", "instanceType": "ml.m5.xlarge", "instanceCount": 1, "executionRole": f"{ROLE}/r", "lifeCycleConfig": {"sourceS3Uri": "s3://b/lc/", "onCreate": "on_create.sh"}},
            {"instanceGroupName": "gpu", "instanceType": "ml.g5.xlarge", "instanceCount": 2, "executionRole": f"{ROLE}/r", "lifeCycleConfig": {"sourceS3Uri": "s3://b/lc/", "onCreate": "on_create.sh"}},
        ]},
        id="hyperpod-on-eks",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("resource_type", "inputs"), COMPUTE_PROBES)
@pytest.mark.parametrize("rule", ["instance-type-allowlist", "gpu-instance-quota"])
def test_compute_written_otherwise_is_allowlisted_and_counted(
    rule: str, resource_type: str, inputs: dict[str, Any]
) -> None:
    specs = [{"type": resource_type, "name": "subject", "inputs": inputs}]
    assert _messages(rule, specs, _prod(rule)) == []


# --- production serving: capture, monitoring, autoscaling, rollout (stack rules, both shapes) ----------
#
# Grounding: the SageMaker API (CreateMonitoringSchedule takes cron() expressions such as the SDK's
# CronExpressionGenerator.hourly() "cron(0 * ? * * *)" and a DataAnalysisStartTime/EndTime window;
# AsyncInferenceConfig; ScheduledAction and SuspendedState of Application Auto Scaling; target
# tracking on a customized metric or SageMakerVariantConcurrentRequestsPerModelHighResolution;
# LINEAR routing with LinearStepSize and TerminationWaitInSeconds).

DIMENSION = "sagemaker:variant:DesiredInstanceCount"
VARIANT_ID = "endpoint/churn/variant/primary"
PROD_RULES = (
    "endpoint-data-capture-encrypted",
    "endpoint-monitoring-schedule",
    "endpoint-autoscaling-configured",
    "endpoint-safe-rollout",
    "rollback-alarms-can-fire",
    "sagemaker-target-tracking-sound",
    "gpu-instance-quota",
)


def _errors_alarm() -> dict[str, Any]:
    return {
        "name": "churn-5xx",
        "alarmActions": [TOPIC],
        "namespace": "AWS/SageMaker",
        "metricName": "Invocation5XXErrors",
        "dimensions": {"EndpointName": "churn", "VariantName": "primary"},
        "statistic": "Sum",
        "period": 60,
        "evaluationPeriods": 3,
        "threshold": 5,
        "comparisonOperator": "GreaterThanThreshold",
    }


def _serving(**inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """A compliant prod serving stack: tests/policies/test_policy_prod_stack_rules.py's without its
    model, the configuration KMS-encrypted (this module's key) on a CPU instance and its one
    rollback alarm a real 5XX alarm (the alarm rules read the metric); ``inputs`` merges into a
    spec's inputs by name."""
    specs = prod_graph(
        drop=("model", "latency"),
        config={
            **capture(kmsKeyId=KEY),
            "kmsKeyArn": KEY,
            "productionVariants": [
                {
                    "variantName": "primary",
                    "modelName": "churn-model",
                    "instanceType": "ml.m5.xlarge",
                    "initialInstanceCount": 2,
                }
            ],
        },
        errors=_errors_alarm(),
        endpoint=rollout(
            blueGreenUpdatePolicy={
                "trafficRoutingConfiguration": {
                    "type": "CANARY",
                    "waitIntervalInSeconds": 300,
                    "canarySize": {"type": "CAPACITY_PERCENT", "value": 10},
                }
            },
            autoRollbackConfiguration={"alarms": [{"alarmName": "churn-5xx"}]},
        ),
    )
    by_name = {spec["name"]: spec for spec in specs}
    for name, changes in inputs.items():
        by_name[name]["inputs"] = {**by_name[name]["inputs"], **changes}
    return specs


def _scheduled(name: str, minimum: int | None, maximum: int | None, cron: str) -> dict[str, Any]:
    action = {k: v for k, v in (("minCapacity", minimum), ("maxCapacity", maximum)) if v is not None}
    return {
        "type": "aws:appautoscaling/scheduledAction:ScheduledAction",
        "name": name,
        "deps": {"resourceId": ["target"]},
        "inputs": {
            "name": name,
            "serviceNamespace": "sagemaker",
            "resourceId": VARIANT_ID,
            "scalableDimension": DIMENSION,
            "schedule": cron,
            "timezone": "Europe/London",
            "scalableTargetAction": action,
        },
    }


def _with_schedule(expression: str, **config: Any) -> list[dict[str, Any]]:
    specs = _serving()
    schedule = next(s for s in specs if s["name"] == "schedule")
    schedule["inputs"]["monitoringScheduleConfig"]["scheduleConfig"] = {
        "scheduleExpression": expression,
        **config,
    }
    return specs


def _tracking(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    return _serving(scaling={"targetTrackingScalingPolicyConfiguration": configuration})


ENDPOINT_DIMENSIONS = [
    {"name": "EndpointName", "value": "churn"},
    {"name": "VariantName", "value": "primary"},
]
SERVING_PROBES = [
    pytest.param(_serving(), id="baseline"),
    pytest.param(_with_schedule("cron(0 */6 ? * * *)"), id="every-six-hours"),
    pytest.param(_with_schedule("cron(0 0 ? * * *)"), id="daily"),
    pytest.param(_with_schedule("cron(0 12 ? * MON *)"), id="weekly"),
    pytest.param(
        _with_schedule("cron(0 * ? * * *)", dataAnalysisStartTime="-PT1H", dataAnalysisEndTime="-PT0H"),
        id="hourly-with-an-analysis-window",
    ),
    pytest.param(
        _tracking(
            {
                "targetValue": 60,
                "customizedMetricSpecification": {
                    "metricName": "CPUUtilization",
                    "namespace": "/aws/sagemaker/Endpoints",
                    "dimensions": ENDPOINT_DIMENSIONS,
                    "statistic": "Average",
                    "unit": "Percent",
                },
            }
        ),
        id="tracking-a-customized-metric",
    ),
    pytest.param(
        _tracking(
            {
                "targetValue": 5,
                "customizedMetricSpecification": {
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "metricName": "ConcurrentRequestsPerModel",
                                    "namespace": "AWS/SageMaker",
                                    "dimensions": ENDPOINT_DIMENSIONS,
                                },
                                "stat": "Average",
                            },
                            "returnData": True,
                        }
                    ]
                },
            }
        ),
        id="tracking-a-metric-query",
    ),
    pytest.param(
        _tracking(
            {
                "targetValue": 0.5,
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "SageMakerVariantConcurrentRequestsPerModelHighResolution"
                },
            }
        ),
        id="tracking-high-resolution-concurrency",
    ),
    pytest.param(
        _tracking(
            {
                "targetValue": 70,
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
                "scaleInCooldown": 300,
                "scaleOutCooldown": 60,
                "disableScaleIn": True,
            }
        ),
        id="tracking-that-never-scales-in",
    ),
    pytest.param(
        _serving(
            target={"suspendedState": {"dynamicScalingInSuspended": True, "scheduledScalingSuspended": True}}
        ),
        id="scale-in-suspended",
    ),
    pytest.param(
        [
            *_serving(),
            _scheduled("peak", 4, 8, "cron(0 8 ? * MON-FRI *)"),
            _scheduled("night", 2, 4, "cron(0 20 ? * MON-FRI *)"),
        ],
        id="scheduled-peak-and-back-to-the-minimum",
    ),
    pytest.param(
        [*_serving(), _scheduled("peak", None, 6, "cron(0 8 ? * MON-FRI *)")], id="scheduled-ceiling-only"
    ),
    pytest.param(
        _serving(
            config={
                "asyncInferenceConfig": {
                    "outputConfig": {
                        "s3OutputPath": "s3://out/",
                        "kmsKeyId": KEY,
                        "notificationConfig": {"successTopic": TOPIC, "errorTopic": TOPIC},
                    },
                    "clientConfig": {"maxConcurrentInvocationsPerInstance": 4},
                }
            },
            # Async publishes no InvocationsPerInstance: it tracks its queue per instance.
            scaling={
                "targetTrackingScalingPolicyConfiguration": {
                    "targetValue": 5,
                    "customizedMetricSpecification": {
                        "metricName": "ApproximateBacklogSizePerInstance",
                        "namespace": "AWS/SageMaker",
                        "statistic": "Average",
                        "dimensions": [{"name": "EndpointName", "value": "churn"}],
                    },
                }
            },
        ),
        id="async-inference",
    ),
    pytest.param(
        _serving(
            endpoint={
                "deploymentConfig": {
                    "blueGreenUpdatePolicy": {
                        "trafficRoutingConfiguration": {
                            "type": "LINEAR",
                            "waitIntervalInSeconds": 60,
                            "linearStepSize": {"type": "CAPACITY_PERCENT", "value": 20},
                        },
                        "terminationWaitInSeconds": 600,
                        "maximumExecutionTimeoutInSeconds": 3600,
                    },
                    "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx"}]},
                }
            }
        ),
        id="linear-baked-a-minute",
    ),
    pytest.param(
        _serving(
            config={
                "dataCaptureConfig": {
                    "enableCapture": True,
                    "initialSamplingPercentage": 5,
                    "destinationS3Uri": "s3://capture/",
                    "kmsKeyId": "alias/capture",
                    "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
                    "captureContentTypeHeader": {"csvContentTypes": ["text/csv"]},
                }
            }
        ),
        id="capture-sampled-with-an-alias-key",
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize("specs", SERVING_PROBES)
def test_production_serving_written_otherwise_passes(specs: list[dict[str, Any]], outputs: bool) -> None:
    records: Any = build(specs)
    if outputs:
        records = as_outputs(records)
    config = load_pack_config("prod")
    found = []
    for rule in PROD_RULES:
        report = evaluate_report(records, {rule: config.get(rule, "mandatory")}, [get_policy(rule)])
        assert report.undecided == []
        found += [f"{rule}: {v.message}" for v in report.violations]
    assert found == []


# --- values unknown at preview ------------------------------------------------------------------------
#
# Grounding: pulumi_policy's proxy (reading an unknown raises UnknownValueError); a key ARN, a
# subnet id or a policy JSON built from Outputs is unknown at preview. None of these may be refused:
# the pack reports them undecided (or judges what is known), never a violation.

UNKNOWN_PROBES = [
    ("log-group-kms-encrypted", "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": UNKNOWN_STRING_VALUE, "retentionInDays": 365}),
    ("sns-topic-kms-encrypted", "aws:sns/topic:Topic", {"kmsMasterKeyId": UNKNOWN_STRING_VALUE}),
    ("sqs-queue-kms-encrypted", "aws:sqs/queue:Queue", {"kmsMasterKeyId": UNKNOWN_STRING_VALUE}),
    ("endpoint-config-kms-encrypted", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", {"kmsKeyArn": UNKNOWN_STRING_VALUE, "productionVariants": [{"variantName": "a", "modelName": UNKNOWN_STRING_VALUE, "instanceType": "ml.m5.xlarge", "initialInstanceCount": 2}]}),
    ("model-in-vpc", "aws:sagemaker/model:Model", {"enableNetworkIsolation": True, "vpcConfig": {"subnets": UNKNOWN_STRING_VALUE, "securityGroupIds": UNKNOWN_STRING_VALUE}}),
    ("model-private-registry-via-vpc", "aws:sagemaker/model:Model", {"primaryContainer": {"image": UNKNOWN_STRING_VALUE}}),
    ("notebook-kms-encrypted", "aws:sagemaker/notebookInstance:NotebookInstance", {"kmsKeyId": UNKNOWN_STRING_VALUE}),
    ("notebook-in-vpc", "aws:sagemaker/notebookInstance:NotebookInstance", {"subnetId": UNKNOWN_STRING_VALUE, "securityGroups": [UNKNOWN_STRING_VALUE]}),
    ("studio-domain-vpc-only-encrypted", "aws:sagemaker/domain:Domain", {"appNetworkAccessType": "VpcOnly", "kmsKeyId": UNKNOWN_STRING_VALUE, "vpcId": UNKNOWN_STRING_VALUE}),
    ("feature-group-kms-encrypted", "aws:sagemaker/featureGroup:FeatureGroup", {"offlineStoreConfig": {"s3StorageConfig": {"s3Uri": UNKNOWN_STRING_VALUE, "kmsKeyId": UNKNOWN_STRING_VALUE}}}),
    ("eks-secrets-encrypted", "aws:eks/cluster:Cluster", {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": UNKNOWN_STRING_VALUE}}}),
    ("s3-bucket-policy-tls-only", BUCKET_POLICY, {"bucket": UNKNOWN_STRING_VALUE, "policy": UNKNOWN_STRING_VALUE}),
    ("s3-bucket-policy-not-public", BUCKET_POLICY, {"bucket": UNKNOWN_STRING_VALUE, "policy": UNKNOWN_STRING_VALUE}),
    ("kms-key-policy-no-public-principal", "aws:kms/key:Key", {"policy": UNKNOWN_STRING_VALUE}),
    ("iam-no-unscoped-sensitive-actions", "aws:iam/rolePolicy:RolePolicy", {"role": UNKNOWN_STRING_VALUE, "policy": json.dumps(_document({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [UNKNOWN_STRING_VALUE]}))}),
    ("iam-pass-role-scoped", "aws:iam/rolePolicy:RolePolicy", {"role": UNKNOWN_STRING_VALUE, "policy": json.dumps(_document({"Effect": "Allow", "Action": "iam:PassRole", "Resource": UNKNOWN_STRING_VALUE}))}),
    ("iam-role-trust-not-public", "aws:iam/role:Role", {"assumeRolePolicy": UNKNOWN_STRING_VALUE}),
    ("security-group-no-unrestricted-ingress", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"securityGroupId": UNKNOWN_STRING_VALUE, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "referencedSecurityGroupId": UNKNOWN_STRING_VALUE}),
    ("alarm-has-actions", ALARM, {"alarmActions": [UNKNOWN_STRING_VALUE]}),
    ("cloudtrail-kms-encrypted", "aws:cloudtrail/trail:Trail", {"kmsKeyId": UNKNOWN_STRING_VALUE, "s3BucketName": UNKNOWN_STRING_VALUE}),
    ("athena-workgroup-encrypted-enforced", "aws:athena/workgroup:Workgroup", {"configuration": {"enforceWorkgroupConfiguration": True, "resultConfiguration": {"encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": UNKNOWN_STRING_VALUE}}}}),
    ("pipeline-steps-kms-encrypted", "aws:sagemaker/pipeline:Pipeline", {"pipelineName": "p", "roleArn": UNKNOWN_STRING_VALUE, "pipelineDefinition": UNKNOWN_STRING_VALUE}),
    ("pipeline-steps-network-isolated", "aws:sagemaker/pipeline:Pipeline", {"pipelineName": "p", "roleArn": UNKNOWN_STRING_VALUE, "pipelineDefinition": UNKNOWN_STRING_VALUE}),
    ("required-cost-allocation-tags", "aws:sagemaker/model:Model", {"tags": {"owner": UNKNOWN_STRING_VALUE, "cost-center": UNKNOWN_STRING_VALUE, "environment": "prod"}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs"),
    UNKNOWN_PROBES,
    ids=[f"{p[0]}-{i}" for i, p in enumerate(UNKNOWN_PROBES)],
)
def test_values_unknown_at_preview_are_never_refused(
    policy: str, resource_type: str, inputs: dict[str, Any]
) -> None:
    report = evaluate_report(
        build([{"type": resource_type, "name": "subject", "inputs": inputs}]), None, [get_policy(policy)]
    )
    assert report.violations == []


# --- other resource rules, written in other ways ---------------------------------------------------------
#
# Grounding: botocore's sagemaker, cloudtrail, athena, logs, sns and eks models and the
# CloudFormation schemas of the aws-native twins (property names as each provider spells them);
# CreateEndpointConfig "do not specify KmsKeyId" for instances with local NVMe storage.

NOTEBOOK = {
    "instanceType": "ml.t3.medium",
    "roleArn": f"{ROLE}/notebook",
    "subnetId": "subnet-1",
    "directInternetAccess": "Disabled",
    "rootAccess": "Disabled",
    "kmsKeyId": KEY,
    "platformIdentifier": "notebook-al2023-v1",
    "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
}
NOTEBOOK_RULES = (
    "notebook-no-direct-internet",
    "notebook-in-vpc",
    "notebook-root-access-disabled",
    "notebook-supported-platform",
    "notebook-kms-encrypted",
    "notebook-imdsv2-only",
)
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"


def _variant(instance_type: str, count: int = 2, **changes: Any) -> dict[str, Any]:
    return {
        "variantName": "a",
        "modelName": "m",
        "instanceType": instance_type,
        "initialInstanceCount": count,
        **changes,
    }


OTHER_PROBES = [
    *[pytest.param(rule, "aws:sagemaker/notebookInstance:NotebookInstance", {**NOTEBOOK, "securityGroups": ["sg-1"]}, id=f"notebook-{rule}") for rule in NOTEBOOK_RULES],
    *[pytest.param(rule, "aws-native:sagemaker:NotebookInstance", {**NOTEBOOK, "securityGroupIds": ["sg-1"]}, id=f"native-notebook-{rule}") for rule in NOTEBOOK_RULES],
    pytest.param("studio-domain-vpc-only-encrypted", "aws:sagemaker/domain:Domain", {"appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY, "authMode": "IAM", "vpcId": "vpc-1", "subnetIds": ["subnet-1"]}, id="domain"),
    pytest.param("studio-domain-vpc-only-encrypted", "aws-native:sagemaker:Domain", {"appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY, "authMode": "SSO", "vpcId": "vpc-1", "subnetIds": ["subnet-1"]}, id="native-domain-sso"),
    pytest.param("endpoint-config-kms-encrypted", ENDPOINT_CONFIG, {"productionVariants": [_variant("ml.g5.xlarge")]}, id="nvme-variant-without-a-key"),
    pytest.param("endpoint-config-kms-encrypted", ENDPOINT_CONFIG, {"productionVariants": [_variant("ml.p4d.24xlarge")]}, id="p4d-without-a-key"),
    pytest.param("endpoint-config-kms-encrypted", ENDPOINT_CONFIG, {"kmsKeyArn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/sm", "productionVariants": [_variant("ml.m5.xlarge")]}, id="alias-arn"),
    pytest.param("endpoint-config-kms-encrypted", "aws-native:sagemaker:EndpointConfig", {"kmsKeyId": KEY, "productionVariants": [_variant("ml.m5.xlarge")]}, id="native-key-id"),
    pytest.param("endpoint-config-min-instance-count", ENDPOINT_CONFIG, {"productionVariants": [_variant("ml.m5.xlarge")], "shadowProductionVariants": [_variant("ml.m5.xlarge", 1, variantName="shadow")]}, id="single-instance-shadow"),
    pytest.param("endpoint-config-min-instance-count", ENDPOINT_CONFIG, {"executionRoleArn": f"{ROLE}/r", "productionVariants": [{"variantName": "a", "instanceType": "ml.g5.xlarge", "initialInstanceCount": 2, "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 2, "maxInstanceCount": 4}, "routingConfig": {"routingStrategy": "LEAST_OUTSTANDING_REQUESTS"}}]}, id="inference-component-host"),
    pytest.param("feature-group-kms-encrypted", "aws:sagemaker/featureGroup:FeatureGroup", {"onlineStoreConfig": {"enableOnlineStore": True, "storageType": "InMemory"}}, id="in-memory-online-store"),
    pytest.param("feature-group-kms-encrypted", "aws-native:sagemaker:FeatureGroup", {"offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://b/", "kmsKeyId": KEY}, "tableFormat": "Iceberg"}, "onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": KEY}}}, id="native-iceberg-store"),
    *[pytest.param(rule, "aws-native:cloudtrail:Trail", {"isLogging": True, "s3BucketName": "b", "enableLogFileValidation": True, "kmsKeyId": KEY, "isMultiRegionTrail": True}, id=f"native-{rule}") for rule in ("cloudtrail-log-file-validation", "cloudtrail-kms-encrypted", "cloudtrail-multi-region")],
    *[pytest.param(rule, "aws:cloudtrail/trail:Trail", {"s3BucketName": "b", "enableLogFileValidation": True, "kmsKeyId": "alias/cloudtrail", "isMultiRegionTrail": True, "isOrganizationTrail": True}, id=f"organization-{rule}") for rule in ("cloudtrail-log-file-validation", "cloudtrail-kms-encrypted", "cloudtrail-multi-region")],
    pytest.param("athena-workgroup-encrypted-enforced", "aws:athena/workgroup:Workgroup", {"name": "w", "configuration": {"enforceWorkgroupConfiguration": True, "resultConfiguration": {"outputLocation": "s3://r/", "encryptionConfiguration": {"encryptionOption": "CSE_KMS", "kmsKeyArn": KEY}}}}, id="athena-client-side-kms"),
    pytest.param("athena-workgroup-encrypted-enforced", "aws:athena/workgroup:Workgroup", {"name": "w", "configuration": {"enforceWorkgroupConfiguration": True, "managedQueryResultsConfiguration": {"enabled": True, "encryptionConfiguration": {"kmsKey": KEY}}}}, id="athena-managed-results"),
    pytest.param("athena-workgroup-encrypted-enforced", "aws-native:athena:WorkGroup", {"name": "w", "workGroupConfiguration": {"enforceWorkGroupConfiguration": True, "resultConfiguration": {"outputLocation": "s3://r/", "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY}}}}, id="native-athena"),
    pytest.param("log-group-kms-encrypted", "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": KEY, "retentionInDays": 365, "logGroupClass": "INFREQUENT_ACCESS"}, id="infrequent-access-log-group"),
    pytest.param("log-group-kms-encrypted", "aws-native:logs:LogGroup", {"kmsKeyId": KEY, "retentionInDays": 365}, id="native-log-group"),
    pytest.param("log-group-retention", "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 0}, id="logs-kept-forever"),
    pytest.param("alarm-fires-on-the-bad-side", ALARM, {**_errors_alarm(), "metricName": "Invocations", "comparisonOperator": "LessThanOrEqualToThreshold", "threshold": 0, "period": 3600, "evaluationPeriods": 24}, id="idle-endpoint-by-invocations"),
    pytest.param("sns-topic-kms-encrypted", "aws-native:sns:Topic", {"kmsMasterKeyId": "alias/alerts"}, id="native-topic-alias"),
    pytest.param("sns-topic-kms-encrypted", "aws:sns/topic:Topic", {"fifoTopic": True, "name": "t.fifo", "kmsMasterKeyId": KEY}, id="fifo-topic"),
    pytest.param("eks-audit-logging", "aws-native:eks:Cluster", {"logging": {"clusterLogging": {"enabledTypes": [{"type": "api"}, {"type": "audit"}]}}}, id="native-eks-audit"),
    pytest.param("eks-endpoint-private", "aws-native:eks:Cluster", {"resourcesVpcConfig": {"subnetIds": ["s"], "endpointPublicAccess": False, "endpointPrivateAccess": True}}, id="native-eks-private"),
    pytest.param("eks-secrets-encrypted", "aws-native:eks:Cluster", {"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]}, id="native-eks-secrets"),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "resource_type", "inputs"), OTHER_PROBES)
def test_other_resources_written_otherwise_are_accepted(
    policy: str, resource_type: str, inputs: dict[str, Any]
) -> None:
    assert _one(policy, resource_type, inputs) == []


# --- refused on purpose (left alone; the module docstring gives each reason) ------------------------------

LEFT_ALONE = [
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": json.dumps(_document({"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": "*", "Condition": {"ArnEquals": {"ec2:Subnet": [f"arn:aws:ec2:eu-west-1:{ACCOUNT}:subnet/subnet-1"]}}}))},
        "allows ec2:DeleteNetworkInterface (writes) on every resource",
        id="eni-writes-on-star-behind-a-subnet-condition",
    ),
    pytest.param(
        "alarm-has-actions",
        ALARM,
        {k: v for k, v in _errors_alarm().items() if k != "alarmActions"},
        "alarmActions is empty",
        id="composite-child-or-rollback-only-alarm-without-actions",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        "aws:iam/role:Role",
        {"assumeRolePolicy": json.dumps(_document({"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}))},
        "assume the role for any namespace",
        id="pod-identity-trust-without-session-tags-advisory",
    ),
    pytest.param("log-group-retention", "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": KEY}, "retentionInDays is unset", id="retention-left-unset"),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
        "allows ingress from 0.0.0.0/0",
        id="https-from-the-internet",
    ),
    pytest.param(
        "model-package-group-manual-approval",
        "aws-native:sagemaker:ModelPackage",
        {"modelPackageGroupName": "g", "modelApprovalStatus": "Approved"},
        "modelApprovalStatus is 'Approved'",
        id="approval-committed-in-code-after-review",
    ),
    pytest.param(
        "k8s-probes-configured",
        "kubernetes:serving.kserve.io/v1beta1:InferenceService",
        {"metadata": {"name": "m", "namespace": "serving"}, "spec": {"predictor": {"model": {"modelFormat": {"name": "sklearn"}, "runtime": "sklearn-pinned", "storageUri": "s3://models/m"}}}},
        "spec.predictor.model.readinessProbe is unset",
        id="kserve-model-whose-runtime-supplies-the-probes",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        "kubernetes:core/v1:Pod",
        {"metadata": {"name": "p", "namespace": "serving"}, "spec": {"containers": [{"name": "c", "image": DIGEST_IMAGE, "resources": {"limits": {"nvidia.com/gpu": 1}}}], "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["g5.xlarge"]}]}]}}}}},
        "has no GPU key",
        id="gpu-pod-selected-by-instance-type-label",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        {**_errors_alarm(), "namespace": "/aws/sagemaker/Endpoints", "metricName": "GPUUtilization", "statistic": "Average", "comparisonOperator": "LessThanThreshold", "threshold": 10},
        "utilisation metrics are bad when high",
        id="idle-gpu-alarm-notifying-people",
    ),
    pytest.param(
        "iam-no-admin-access",
        POLICY,
        {"policy": json.dumps(_document({"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"}))},
        "allows Action '*'",
        id="permissions-boundary-allowing-everything-but-iam",
    ),
    pytest.param(
        "rollback-alarms-can-fire",
        None,
        _ratio_alarm("IF(m2 > 0, 100*m1/m2, 0)"),
        "evaluates a metric-math expression whose direction is not known",
        id="error-rate-behind-an-if",
    ),
]  # fmt: skip


def test_a_rollback_alarm_kept_in_another_stack_is_left_alone() -> None:
    """An endpoint rolling back on an alarm another stack owns (its name from a StackReference) is
    refused: the rule's premise is that the rollback alarms exist in the stack, where it can check
    that they can fire (left alone: a cross-stack alarm cannot be verified from this one)."""
    specs = [s for s in _serving() if s["name"] != "errors"]
    endpoint = next(s for s in specs if s["name"] == "endpoint")
    endpoint["deps"] = {"endpointConfigName": ["config"]}
    endpoint["inputs"]["deploymentConfig"]["autoRollbackConfiguration"] = {
        "alarms": [{"alarmName": "shared-churn-5xx"}]
    }
    found = _messages("endpoint-safe-rollout", specs, _prod("endpoint-safe-rollout"))
    assert len(found) == 1 and "match no CloudWatch alarm in this stack" in found[0]


@pytest.mark.parametrize(("policy", "resource_type", "inputs", "fragment"), LEFT_ALONE)
def test_left_alone_stays_refused(
    policy: str, resource_type: str | None, inputs: dict[str, Any], fragment: str
) -> None:
    """Each of these is refused on purpose (the module docstring says why); they are pinned so that a
    change to the line is a decision, not an accident."""
    if resource_type is None:  # a rollback alarm: judged in its serving stack
        found = _messages(policy, _rollback_stack(inputs))
    else:
        found = _one(policy, resource_type, inputs)
    assert found and any(fragment in m for m in found), found


@pytest.mark.parametrize(
    ("drop", "extra", "rule", "fragment"),
    [
        pytest.param(
            "block",
            {"type": "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "name": "account", "inputs": {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}},
            "s3-bucket-security-baseline",
            "lacks a BucketPublicAccessBlock",
            id="account-level-block-only",
        ),
        pytest.param("logging", None, "s3-bucket-access-logging", "has no server access logging", id="no-server-access-logging"),
    ],
)  # fmt: skip
def test_bucket_baseline_left_alone(
    drop: str, extra: dict[str, Any] | None, rule: str, fragment: str
) -> None:
    specs = [s for s in _bucket_stack(KMS_RULE) if s["name"] != drop] + ([extra] if extra else [])
    for outputs in (False, True):
        _assert([m.split(": ", 1)[1] for m in _stack_findings(specs, (rule,), outputs)], fragment)


# --- network stack rules (both shapes) -------------------------------------------------------------------
#
# Grounding: CreateFlowLogs (TrafficType REJECT satisfies FSBP EC2.6; destinations CloudWatch Logs, S3
# with DestinationOptions, Kinesis Data Firehose; MaxAggregationInterval 60); security-group sources as
# the VPC CIDR, a prefix list or an IPv6 ULA range.

NETWORK_RULES = (
    "vpc-flow-logs-enabled",
    "vpc-default-security-group-adopted",
    "security-group-ingress-union-restricted",
)
VPC = {
    "type": "aws:ec2/vpc:Vpc",
    "name": "vpc",
    "inputs": {"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": True},
}
DEFAULT_GROUP = {
    "type": "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "name": "default-group",
    "deps": {"vpcId": ["vpc"]},
    "inputs": {"vpcId": "vpc-123"},
}


def _flow_log(**inputs: Any) -> dict[str, Any]:
    return {
        "type": "aws:ec2/flowLog:FlowLog",
        "name": "flow-log",
        "deps": {"vpcId": ["vpc"]},
        "inputs": {"vpcId": "vpc-123", **inputs},
    }


def _ingress(name: str, **inputs: Any) -> dict[str, Any]:
    return {
        "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "name": name,
        "deps": {"securityGroupId": ["group"]},
        "inputs": {
            "securityGroupId": "sg-1",
            "ipProtocol": "tcp",
            "fromPort": 8080,
            "toPort": 8080,
            **inputs,
        },
    }


CW_FLOW_LOG = _flow_log(
    trafficType="ALL",
    logDestination=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:flow",
    iamRoleArn=f"{ROLE}/flow-logs",
    maxAggregationInterval=60,
)
NETWORK_PROBES = [
    pytest.param([VPC, DEFAULT_GROUP, _flow_log(trafficType="REJECT", logDestinationType="s3", logDestination="arn:aws:s3:::flow-logs/vpc/", destinationOptions={"fileFormat": "parquet", "perHourPartition": True})], NETWORK_RULES, id="rejected-traffic-to-s3-parquet"),
    pytest.param([VPC, DEFAULT_GROUP, CW_FLOW_LOG], NETWORK_RULES, id="all-traffic-to-cloudwatch-every-minute"),
    pytest.param([VPC, DEFAULT_GROUP, _flow_log(trafficType="ALL", logDestinationType="kinesis-data-firehose", logDestination=f"arn:aws:firehose:eu-west-1:{ACCOUNT}:deliverystream/flow")], NETWORK_RULES, id="firehose"),
    pytest.param(
        [
            {"type": "aws-native:ec2:Vpc", "name": "native-vpc", "inputs": {"cidrBlock": "10.1.0.0/16"}},
            {"type": "aws-native:ec2:FlowLog", "name": "native-flow-log", "deps": {"resourceId": ["native-vpc"]}, "inputs": {"resourceId": "vpc-456", "resourceType": "VPC", "trafficType": "ALL", "logDestinationType": "s3", "logDestination": "arn:aws:s3:::flow-logs"}},
        ],
        ("vpc-flow-logs-enabled",),
        id="aws-native-vpc-and-flow-log",
    ),
    pytest.param(
        [
            VPC, DEFAULT_GROUP, CW_FLOW_LOG,
            {"type": "aws:ec2/securityGroup:SecurityGroup", "name": "group", "deps": {"vpcId": ["vpc"]}, "inputs": {"vpcId": "vpc-123", "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}], "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}},
            _ingress("from-prefix-list", prefixListId="pl-123"),
            _ingress("from-ula", cidrIpv6="fd00::/8"),
        ],
        NETWORK_RULES,
        id="vpc-cidr-prefix-list-and-ula-sources",
    ),
]  # fmt: skip


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("specs", "rules"), NETWORK_PROBES)
def test_networks_written_otherwise_pass(
    specs: list[dict[str, Any]], rules: tuple[str, ...], outputs: bool
) -> None:
    records: Any = build(specs)
    if outputs:
        records = as_outputs(
            records, {"vpc": {"id": "vpc-123"}, "native-vpc": {"vpcId": "vpc-456"}, "group": {"id": "sg-1"}}
        )
    for rule in rules:
        report = evaluate_report(records, None, [get_policy(rule)])
        assert (report.violations, report.undecided) == ([], [])


# --- pipeline definitions as the SageMaker SDK writes them ---------------------------------------------------
#
# Grounding: the SDK's Pipeline.definition() (Processing/QualityCheck steps' NetworkConfig, Model steps'
# CreateModel request, Condition steps nesting RegisterModel and Fail, parameters with DefaultValue);
# CreateTrainingJob/CreateProcessingJob/CreateTransformJob reject a volume key on instance storage.

PIPELINE_RULES = (
    "pipeline-steps-network-isolated",
    "pipeline-steps-kms-encrypted",
    "pipeline-spot-training-checkpointed",
    "model-package-group-manual-approval",
)
ROLE_ARN = f"{ROLE}/pipeline-jobs"
STEP_VPC = {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}


def _processing(
    name: str = "Prep", instance_type: str = "ml.m5.xlarge", volume_key: bool = True, kind: str = "Processing"
) -> dict[str, Any]:
    cluster = {
        "InstanceType": instance_type,
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
        **({"VolumeKmsKeyId": KEY} if volume_key else {}),
    }
    return {
        "Name": name,
        "Type": kind,
        "Arguments": {
            "ProcessingResources": {"ClusterConfig": cluster},
            "AppSpecification": {"ImageUri": "x"},
            "RoleArn": ROLE_ARN,
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "o",
                        "S3Output": {
                            "S3Uri": "s3://b/o",
                            "LocalPath": "/opt/ml/processing/o",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ],
                "KmsKeyId": KEY,
            },
            "NetworkConfig": {
                "EnableNetworkIsolation": True,
                "EnableInterContainerTrafficEncryption": True,
                "VpcConfig": STEP_VPC,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


def _training(instance_type: Any = "ml.m5.xlarge", volume_key: bool = True, **extra: Any) -> dict[str, Any]:
    resources = {
        "InstanceType": instance_type,
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
        **({"VolumeKmsKeyId": KEY} if volume_key else {}),
    }
    return {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
            "RoleArn": ROLE_ARN,
            "OutputDataConfig": {"S3OutputPath": "s3://b/m", "KmsKeyId": KEY},
            "ResourceConfig": resources,
            "EnableNetworkIsolation": True,
            "EnableInterContainerTrafficEncryption": True,
            "VpcConfig": STEP_VPC,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            **extra,
        },
    }


MODEL_STEP = {
    "Name": "CreateModel",
    "Type": "Model",
    "Arguments": {
        "ExecutionRoleArn": f"{ROLE}/model",
        "PrimaryContainer": {
            "Image": "x",
            "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
        },
        "EnableNetworkIsolation": True,
        "VpcConfig": STEP_VPC,
    },
}


def _transform(instance_type: str = "ml.m5.xlarge", volume_key: bool = True) -> dict[str, Any]:
    resources = {
        "InstanceType": instance_type,
        "InstanceCount": 1,
        **({"VolumeKmsKeyId": KEY} if volume_key else {}),
    }
    return {
        "Name": "Batch",
        "Type": "Transform",
        "Arguments": {
            "ModelName": {"Get": "Steps.CreateModel.ModelName"},
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}
            },
            "TransformOutput": {"S3OutputPath": "s3://b/out", "KmsKeyId": KEY},
            "TransformResources": resources,
        },
    }


REGISTER = {
    "Name": "Register",
    "Type": "RegisterModel",
    "Arguments": {
        "ModelPackageGroupName": "g",
        "ModelApprovalStatus": {"Get": "Parameters.Approval"},
        "InferenceSpecification": {
            "Containers": [{"Image": "x"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    },
}
CONDITION = {
    "Name": "Check",
    "Type": "Condition",
    "Arguments": {
        "Conditions": [
            {
                "Type": "GreaterThanOrEqualTo",
                "LeftValue": {
                    "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.M"}, "Path": "auc"}
                },
                "RightValue": 0.8,
            }
        ],
        "IfSteps": [REGISTER],
        "ElseSteps": [{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "low"}}],
    },
}
PIPELINE_PARAMETERS = [
    {"Name": "Approval", "Type": "String", "DefaultValue": "PendingManualApproval"},
    {"Name": "InstanceType", "Type": "String", "DefaultValue": "ml.m5.xlarge"},
]


def _sdk_pipeline(*steps: dict[str, Any], native: bool = False) -> dict[str, Any]:
    body = json.dumps({"Version": "2020-12-01", "Parameters": PIPELINE_PARAMETERS, "Steps": list(steps)})
    return {
        "pipelineName": "p",
        "roleArn": f"{ROLE}/pipeline",
        "pipelineDefinition": {"pipelineDefinitionBody": body} if native else body,
    }


PIPELINE_PROBES = [
    pytest.param(_sdk_pipeline(_processing(), _training(), MODEL_STEP, _transform(), CONDITION), id="processing-training-model-transform-condition"),
    pytest.param(_sdk_pipeline(_processing("DataQuality", kind="QualityCheck")), id="quality-check-step"),
    pytest.param(_sdk_pipeline(_processing(instance_type="ml.m5d.xlarge", volume_key=False)), id="processing-on-instance-storage"),
    pytest.param(_sdk_pipeline(_training("ml.p4d.24xlarge", volume_key=False)), id="training-on-instance-storage"),
    pytest.param(_sdk_pipeline(MODEL_STEP, _transform("ml.g5.xlarge", volume_key=False)), id="transform-on-instance-storage"),
    pytest.param(_sdk_pipeline(_training({"Get": "Parameters.InstanceType"})), id="instance-type-parameter-with-default"),
    pytest.param(_sdk_pipeline(_training(EnableManagedSpotTraining=True, CheckpointConfig={"S3Uri": "s3://b/checkpoints"}, StoppingCondition={"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200})), id="spot-training-checkpointed"),
    pytest.param(_sdk_pipeline(_processing(), _training(ProfilerConfig={"DisableProfiler": True}), native=True), id="aws-native-definition-body"),
]  # fmt: skip


@pytest.mark.parametrize("inputs", PIPELINE_PROBES)
def test_sdk_written_pipelines_are_accepted(inputs: dict[str, Any]) -> None:
    specs = [{"type": "aws:sagemaker/pipeline:Pipeline", "name": "pipeline", "inputs": inputs}]
    assert [m for rule in PIPELINE_RULES for m in _messages(rule, specs)] == []
    assert (
        _messages(
            "instance-type-allowlist",
            specs,
            {
                "instance-type-allowlist": {
                    "allowedInstanceTypes": ["ml.m5.*", "ml.m5d.*", "ml.p4d.24xlarge", "ml.g5.*"]
                }
            },
        )
        == []
    )


# --- managed-policy attachments and cost-allocation tags ---------------------------------------------------
#
# Grounding: the EKS node and cluster role guides (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy,
# AmazonEC2ContainerRegistryReadOnly, AmazonEKSClusterPolicy), Systems Manager's
# AmazonSSMManagedInstanceCore, the job-function policies ReadOnlyAccess and SecurityAudit; the AWS
# provider's default_tags (applied to every taggable resource but an Auto Scaling group) and the
# aws-native provider's defaultTags.

MANAGED_POLICIES = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy",
    "AmazonEKSClusterPolicy",
    "service-role/AmazonSageMakerGeospatialExecutionRole",
    "AmazonSageMakerCanvasFullAccess",
    "AmazonSageMakerReadOnly",
    "ReadOnlyAccess",
    "SecurityAudit",
    "AWSSupportAccess",
]


@pytest.mark.parametrize("name", MANAGED_POLICIES)
def test_least_privilege_managed_policies_may_be_attached(name: str) -> None:
    arn = f"arn:aws:iam::aws:policy/{name}"
    attachment = [
        {
            "type": "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "name": "a",
            "inputs": {"role": "r", "policyArn": arn},
        }
    ]
    role = [
        {
            "type": "aws:iam/role:Role",
            "name": "r",
            "inputs": {
                "assumeRolePolicy": json.dumps(
                    _document(
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    )
                ),
                "managedPolicyArns": [arn],
            },
        }
    ]
    for rule in ("iam-no-admin-managed-policy", "iam-admin-policy-not-attached"):
        assert _messages(rule, attachment) == []
        assert _messages(rule, role) == []


TAGS = {"owner": "ml", "cost-center": "42", "environment": "prod"}
AWS_PROVIDER = {
    "type": "pulumi:providers:aws",
    "name": "aws-provider",
    "inputs": {"region": "eu-west-1", "defaultTags": {"tags": TAGS}},
}
TAG_PROBES = [
    pytest.param([AWS_PROVIDER, {"type": "aws:sagemaker/model:Model", "name": "m", "provider": "aws-provider", "inputs": {"executionRoleArn": "r"}}], id="aws-provider-default-tags"),
    pytest.param([{**AWS_PROVIDER, "inputs": {"defaultTags": json.dumps({"tags": TAGS})}}, {"type": "aws:sagemaker/model:Model", "name": "m", "provider": "aws-provider", "inputs": {}}], id="aws-provider-default-tags-as-json"),
    pytest.param([{"type": "pulumi:providers:aws-native", "name": "native-provider", "inputs": {"defaultTags": {"tags": TAGS}}}, {"type": "aws-native:sagemaker:Model", "name": "m", "provider": "native-provider", "inputs": {}}], id="aws-native-provider-default-tags"),
    pytest.param([AWS_PROVIDER, {"type": "aws:autoscaling/group:Group", "name": "g", "provider": "aws-provider", "inputs": {"maxSize": 2, "minSize": 1, "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in TAGS.items()]}}], id="auto-scaling-group-own-tags"),
    pytest.param([{"type": "aws-native:autoscaling:AutoScalingGroup", "name": "g", "inputs": {"maxSize": "2", "minSize": "1", "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in TAGS.items()]}}], id="aws-native-auto-scaling-group"),
    pytest.param([{**AWS_PROVIDER, "inputs": {"defaultTags": {"tags": {"owner": "ml", "environment": "prod"}}}}, {"type": "aws:sagemaker/model:Model", "name": "m", "provider": "aws-provider", "inputs": {"tags": {"cost-center": "42"}}}], id="split-between-provider-and-resource"),
]  # fmt: skip


@pytest.mark.parametrize("specs", TAG_PROBES)
def test_tags_the_provider_really_applies_count(specs: list[dict[str, Any]]) -> None:
    assert _messages("required-cost-allocation-tags", specs, _prod("required-cost-allocation-tags")) == []


def test_a_scaling_target_named_by_an_output_is_judged_after_create() -> None:
    """A target and policy whose ``resourceId`` is ``Output.concat(...)`` (unknown at preview) pass once
    known; an aws-native policy naming its target by ``scalingTargetId`` passes both rules after create
    (at preview ``sagemaker-target-tracking-sound`` is undecided, never refused)."""
    specs = _serving(
        target={"resourceId": UNKNOWN_STRING_VALUE}, scaling={"resourceId": UNKNOWN_STRING_VALUE}
    )
    preview = evaluate_report(
        build(specs),
        _prod("endpoint-autoscaling-configured"),
        [get_policy("endpoint-autoscaling-configured")],
    )
    assert preview.violations == []
    applied = {"target": {"resourceId": VARIANT_ID}, "scaling": {"resourceId": VARIANT_ID}}
    after = evaluate_report(
        as_outputs(build(specs), applied),
        _prod("endpoint-autoscaling-configured"),
        [get_policy("endpoint-autoscaling-configured")],
    )
    assert (after.violations, after.undecided) == ([], [])
    native = [s for s in _serving() if s["name"] != "scaling"] + [
        {
            "type": "aws-native:applicationautoscaling:ScalingPolicy",
            "name": "native-scaling",
            "deps": {"scalingTargetId": ["target"]},
            "inputs": {
                "policyName": "tt",
                "policyType": "TargetTrackingScaling",
                "scalingTargetId": UNKNOWN_STRING_VALUE,
                "targetTrackingScalingPolicyConfiguration": {
                    "targetValue": 70,
                    "predefinedMetricSpecification": {
                        "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            },
        }
    ]
    resolved = {"native-scaling": {"scalingTargetId": f"{VARIANT_ID}|{DIMENSION}|sagemaker"}}
    for rule in ("endpoint-autoscaling-configured", "sagemaker-target-tracking-sound"):
        assert (
            evaluate_report(
                build(native), _prod(rule) if rule in load_pack_config("prod") else None, [get_policy(rule)]
            ).violations
            == []
        )
        after = evaluate_report(
            as_outputs(build(native), resolved),
            _prod(rule) if rule in load_pack_config("prod") else None,
            [get_policy(rule)],
        )
        assert (after.violations, after.undecided) == ([], [])
