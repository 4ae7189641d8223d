"""Adversarial evasion audit of the policy pack: resources built to break a control's intent
while passing its rule (the table of probes and their outcomes is completed at the end of the audit).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

ACCOUNT = "111122223333"


def _report(policy: str, resource_type: str, inputs: dict[str, Any]) -> tuple[list[str], int]:
    """(violation messages, undecided count) of ``policy`` on one resource."""
    report = evaluate_report(
        build([{"type": resource_type, "name": "subject", "inputs": inputs}]), None, [get_policy(policy)]
    )
    return [v.message for v in report.violations], len(report.undecided)


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# --- resource-policy-not-public: the other ways to write a Lambda or ECR resource policy ----------

PUBLIC_INVOKE = {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": "*"}
PUBLIC_PULL = {
    "Effect": "Allow",
    "Principal": {"AWS": ["*"]},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
}
SAME_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


@pytest.mark.parametrize(
    ("resource_type", "prop", "statement"),
    [
        pytest.param(
            "aws:lambda/resourcePolicy:ResourcePolicy", "policy", PUBLIC_INVOKE, id="lambda-resource-policy"
        ),
        pytest.param(
            "aws-native:lambda:ResourcePolicy",
            "policyDocument",
            PUBLIC_INVOKE,
            id="native-lambda-resource-policy",
        ),
        pytest.param(
            "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
            "repositoryPolicy",
            PUBLIC_PULL,
            id="ecr-repository-creation-template",
        ),
        pytest.param(
            "aws-native:ecr:RepositoryCreationTemplate",
            "repositoryPolicy",
            PUBLIC_PULL,
            id="native-ecr-repository-creation-template",
        ),
    ],
)
def test_public_resource_policy_through_a_sibling_type_is_refused(
    resource_type: str, prop: str, statement: dict[str, Any]
) -> None:
    """A Lambda function made public through its whole resource policy (``aws.lambda_.ResourcePolicy``,
    the alternative to a ``Permission``), or every repository an ECR creation template makes public
    through its ``repositoryPolicy``, passed: the rule read only Permissions and repository policies."""
    found, undecided = _report(
        "resource-policy-not-public", resource_type, {prop: json.dumps(_document(statement))}
    )
    assert undecided == 0
    assert len(found) == 1 and found[0].startswith(f"{prop} Statement[0] allows Principal ")
    assert "makes the resource public" in found[0]
    pinned = {**statement, "Condition": SAME_ACCOUNT}
    assert _report("resource-policy-not-public", resource_type, {prop: _document(pinned)}) == ([], 0)
