"""A false-positive audit of the policy pack: secure configurations an adopter plausibly writes in
their own stack (their own style, not this project's components) run through the rules that should
accept them, next to the shapes that must stay refused where the line between them is fine.

Probes were run through ``policies.local.evaluate_report`` (resource rules on one resource; stack
rules over the preview inputs and, through ``engine_shapes.as_outputs``, the outputs after create),
with the rule's prod settings where they differ. "AWS accepts this and it is secure" is grounded in
the AWS documentation or the botocore service models, cited by each section. A refused legitimate
configuration is a product bug, fixed in its own commit (with a CHANGELOG ``### Fixed:`` entry); each
fix's tests fail on the rule before it.

COUNTS_TABLE

Fixed now (each fails on the rule before its commit):

FIXED_LIST

Left alone (refused, but on purpose), and why:

LEFT_LIST
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.engine_shapes import as_outputs

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


def _assert(found: list[str], fragment: str | None) -> None:
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and fragment in found[0], found


# --- IAM identity policies -------------------------------------------------------------------------
#
# Grounding: the IAM User Guide's policy grammar (Action/Resource a string or a list, Statement an
# object or a list, action names and condition keys case-insensitive); AWS managed policies grant
# iam:CreateServiceLinkedRole on "*" pinned by iam:AWSServiceName (AmazonSageMakerFullAccess, FSx's
# and RDS's documented policies), the key CreateServiceLinkedRole alone carries.

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
# Grounding: CloudWatch metric math (the User Guide's "Using metric math": ``100*(m1/m2)`` as an
# error-rate example); SageMaker's deployment guardrails roll back on "any alarm" the endpoint lists.


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
) -> dict[str, Any]:
    return {
        "name": "churn-5xx-rate",
        "alarmActions": [TOPIC],
        "comparisonOperator": operator,
        "threshold": 1,
        "evaluationPeriods": 3,
        "metricQueries": [
            _query("m1", errors, endpoint),
            _query("m2", "Invocations", endpoint),
            {"id": "e1", "expression": expression, "returnData": True, "label": "5xx %"},
        ],
    }


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
