"""Session 76: the IAM rules name what a statement grants on every resource as written, and the
escalation rule's advice fits the kind of resource the action acts on.

* ``iam-no-service-wildcard`` said "on Resource '*'" and ``iam-no-unscoped-sensitive-actions`` "on
  every resource" for an ARN pattern that reaches every resource of its kind in every account
  (``arn:aws:s3:::*``, ``arn:aws:secretsmanager:*:*:secret*``) or a ``NotResource``; they now name it as
  ``iam-no-privilege-escalation`` does (session 75), and the escalation rule names a ``NotResource``
  too. A literal ``*`` keeps its words.
* An ARN whose service is a wildcard (``arn:aws:*:...``) read "every * resource"; it reads "every
  resource".
* ``iam-no-privilege-escalation`` advised "the specific ARNs it needs" for any action; it names the
  kinds the actions act on (``sagemaker notebook-instance``, ``iam role``) and, for those a resource
  tag condition scopes, that condition.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules.iam import ESCALATION_ACTIONS, _scope_advice
from tests.policies.one_resource import findings, json_document

IAM_POLICY = "aws:iam/policy:Policy"
ESCALATION = "iam-no-privilege-escalation"
SERVICE_WILDCARD = "iam-no-service-wildcard"
SENSITIVE = "iam-no-unscoped-sensitive-actions"


def _policy(action: str, **resource: Any) -> dict[str, str]:
    """One Allow statement of ``action`` on ``resource`` (``Resource=...`` or ``NotResource=...``)."""
    return {"policy": json_document({"Effect": "Allow", "Action": action, **resource})}


def _only(rule: str, props: dict[str, str]) -> str:
    messages, undecided = findings(rule, IAM_POLICY, props)
    assert undecided == 0
    [message] = messages
    return message


SERVICE_WILDCARD_CASES = {
    "every-bucket-of-every-account": (
        "s3:*",
        {"Resource": "arn:aws:s3:::*"},
        "Resource 'arn:aws:s3:::*', every s3 resource",
    ),
    "every-sagemaker-resource-everywhere": (
        "sagemaker:*",
        {"Resource": "arn:aws:sagemaker:*:*:*"},
        "Resource 'arn:aws:sagemaker:*:*:*', every sagemaker resource",
    ),
    "every-resource-of-an-account": (
        "sagemaker:*",
        {"Resource": "arn:aws:*:eu-west-1:111122223333:*"},
        "Resource 'arn:aws:*:eu-west-1:111122223333:*', every resource of the account",
    ),
    "every-resource-of-every-service": (
        "s3:*",
        {"Resource": "arn:aws:*:*:*:*"},
        "Resource 'arn:aws:*:*:*:*', every resource",
    ),
    "not-resource": (
        "s3:*",
        {"NotResource": "arn:aws:s3:::logs"},
        "NotResource 'arn:aws:s3:::logs', every resource but that one",
    ),
    "star": ("s3:*", {"Resource": "*"}, "Resource '*'"),
}


@pytest.mark.parametrize(
    ("action", "resource", "named"), SERVICE_WILDCARD_CASES.values(), ids=SERVICE_WILDCARD_CASES.keys()
)
def test_a_whole_service_names_the_resource_as_written(
    action: str, resource: dict[str, Any], named: str
) -> None:
    assert _only(SERVICE_WILDCARD, _policy(action, **resource)) == (
        f"policy Statement[0] allows {action} on {named}: name the actions used and scope Resource to the ARNs "
        "the workload touches."
    )


SENSITIVE_CASES = {
    "every-secret-of-every-account": (
        {"Resource": "arn:aws:secretsmanager:*:*:secret:*"},
        "Resource 'arn:aws:secretsmanager:*:*:secret:*', every resource of its kind in every account",
    ),
    "every-secretsmanager-resource": (
        {"Resource": "arn:aws:secretsmanager:*:*:*"},
        "Resource 'arn:aws:secretsmanager:*:*:*', every secretsmanager resource",
    ),
    "not-resource": (
        {"NotResource": ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:a", "arn:aws:s3:::b"]},
        "NotResource ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:a', 'arn:aws:s3:::b'], every "
        "resource but those",
    ),
    "star": ({"Resource": "*"}, "every resource"),
}


@pytest.mark.parametrize(("resource", "named"), SENSITIVE_CASES.values(), ids=SENSITIVE_CASES.keys())
def test_a_sensitive_action_names_the_resource_as_written(resource: dict[str, Any], named: str) -> None:
    assert _only(SENSITIVE, _policy("secretsmanager:GetSecretValue", **resource)) == (
        f"policy Statement[0] allows secretsmanager:GetSecretValue (reads data or secrets) on {named}: scope "
        "Resource to the ARNs the workload touches, or restrict it with a resource condition "
        "(aws:ResourceTag/..., aws:ResourceAccount, kms:ViaService)."
    )


ADVICE_CASES = {
    "notebook-by-arn-or-tag": (
        "sagemaker:UpdateNotebookInstance",
        "scope Resource to the specific sagemaker notebook-instance ARNs it needs, or restrict it with a "
        "resource tag condition (sagemaker:ResourceTag/... or aws:ResourceTag/...)",
    ),
    # Its resource type takes no condition key: by ARN only.
    "notebook-lifecycle-config-by-arn": (
        "sagemaker:UpdateNotebookInstanceLifecycleConfig",
        "scope Resource to the specific sagemaker notebook-instance-lifecycle-config ARNs it needs",
    ),
    "studio-url-by-profile": (
        "sagemaker:CreatePresignedDomainUrl",
        "scope Resource to the specific sagemaker user-profile ARNs it needs, or restrict it with a resource "
        "tag condition (sagemaker:ResourceTag/... or aws:ResourceTag/...)",
    ),
    "ssm-command-by-instance": (
        "ssm:SendCommand",
        "scope Resource to the specific ec2 instance or ssm managed-instance ARNs it needs",
    ),
    "pass-role-by-role": ("iam:PassRole", "scope Resource to the specific iam role ARNs it needs"),
    "state-machine-by-arn-or-tag": (
        "states:UpdateStateMachine",
        "scope Resource to the specific states stateMachine ARNs it needs, or restrict it with a resource tag "
        "condition (states:ResourceTag/... or aws:ResourceTag/...)",
    ),
}


@pytest.mark.parametrize(("action", "advice"), ADVICE_CASES.values(), ids=ADVICE_CASES.keys())
def test_the_escalation_advice_fits_the_actions_resource_kind(action: str, advice: str) -> None:
    assert _only(ESCALATION, _policy(action, Resource="*")) == (
        f"policy Statement[0] allows {action} on Resource '*': {advice}."
    )


def test_a_tag_condition_is_advised_only_for_the_actions_it_scopes() -> None:
    message = _only(ESCALATION, _policy(["sagemaker:UpdateNotebookInstance", "glue:UpdateJob"], Resource="*"))

    assert message == (
        "policy Statement[0] allows glue:UpdateJob, sagemaker:UpdateNotebookInstance on Resource '*': scope "
        "Resource to the specific glue job or sagemaker notebook-instance ARNs it needs "
        "(sagemaker:UpdateNotebookInstance: or a resource tag condition, sagemaker:ResourceTag/... or "
        "aws:ResourceTag/...)."
    )


def test_every_escalation_action_gets_advice_naming_a_kind_and_an_unknown_one_generic_advice() -> None:
    for action in ESCALATION_ACTIONS:
        assert _scope_advice([action]) != "scope Resource to the specific ARNs it needs", action
    # An action the rule knows no kind for (none today): advice that is true of any.
    assert (
        _scope_advice(["iam:PassRole", "example:Unlisted"]) == "scope Resource to the specific ARNs it needs"
    )
