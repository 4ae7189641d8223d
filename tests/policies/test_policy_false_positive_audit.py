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
