"""IAM rules: no administrator grants, no privilege escalation, no service-wide wildcards.

Policy documents are read from ``aws:iam/policy:Policy``, ``rolePolicy``, ``userPolicy``,
``groupPolicy`` (``policy``) and ``aws:iam/role:Role`` (``inlinePolicies[].policy``).
``Statement`` may be an object or a list, ``Action``/``Resource`` a string or a list, and
``Allow`` + ``NotAction`` is treated as a grant of (almost) everything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    CHECKOV,
    CRITICAL,
    HIGH,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    is_map,
    items,
    parse_json,
    policy_statements,
    resource_rule,
)

POLICY_DOCUMENT_TYPES = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
ROLE = "aws:iam/role:Role"
TYPES = (*POLICY_DOCUMENT_TYPES, ROLE)

#: Actions that let a principal grant itself more than it was given (CKV_AWS_286-288).
ESCALATION_ACTIONS = (
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
)
ADMIN_ACTIONS = ("*", "*:*")

Check = Iterator[str]
Statement = Mapping[str, Any]


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """``(path, raw document)`` for every policy document the resource carries."""
    if args.resource_type == ROLE:
        for index, inline in enumerate(items(get(args.props, "inlinePolicies"))):
            if is_map(inline) and inline.get("policy") is not None:
                yield f"inlinePolicies[{index}].policy", inline["policy"]
    elif get(args.props, "policy") is not None:
        yield "policy", get(args.props, "policy")


def _allow_statements(args: ResourceValidationArgs) -> Iterator[tuple[str, Statement | None]]:
    """``(path, statement)`` of Allow statements; ``(path, None)`` for an unparsable document."""
    for path, raw in _documents(args):
        document = parse_json(raw)
        if document is None:
            yield path, None
            continue
        for index, statement in enumerate(policy_statements(document)):
            if statement.get("Effect") == "Allow":
                yield f"{path} Statement[{index}]", statement


def _actions(statement: Statement) -> list[str]:
    return [str(a) for a in items(statement.get("Action"))]


def _on_all_resources(statement: Statement) -> bool:
    return "NotResource" in statement or "*" in [str(r) for r in items(statement.get("Resource"))]


def _no_admin_access(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path, statement in _allow_statements(args):
        if statement is None:
            yield f"{path} is not valid JSON: pass a JSON policy document."
        elif "NotAction" in statement:
            yield f"{path} combines Allow with NotAction: list the allowed actions in Action instead."
        elif any(action in ADMIN_ACTIONS for action in _actions(statement)):
            yield f"{path} allows Action '*': list only the actions the workload calls."


def _no_privilege_escalation(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path, statement in _allow_statements(args):
        if statement is None or not _on_all_resources(statement):
            continue
        actions = [a for a in _actions(statement) if a not in ADMIN_ACTIONS]
        granted = sorted(
            {e for e in ESCALATION_ACTIONS for a in actions if fnmatchcase(e.lower(), a.lower())}
        )
        if granted:
            yield (
                f"{path} allows {', '.join(granted)} on Resource '*': scope Resource to the specific "
                "role/policy ARNs (e.g. iam:PassRole on the execution role only)."
            )


def _no_service_wildcard(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path, statement in _allow_statements(args):
        if statement is None or not _on_all_resources(statement):
            continue
        wildcards = [a for a in _actions(statement) if a.endswith(":*") and a not in ADMIN_ACTIONS]
        if wildcards:
            yield (
                f"{path} allows {', '.join(wildcards)} on Resource '*': name the actions used and scope "
                "Resource to the ARNs the workload touches."
            )


iam_no_admin_access = resource_rule(
    name="iam-no-admin-access",
    description=(
        "IAM policies must not grant Action '*' or use Allow with NotAction. Fix: list the "
        "actions the workload needs."
    ),
    resource_types=TYPES,
    check=_no_admin_access,
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_62", "CKV_AWS_63"),
    tags=["iam", "least-privilege"],
)

iam_no_privilege_escalation = resource_rule(
    name="iam-no-privilege-escalation",
    description=(
        "IAM policies must not allow privilege-escalation actions (iam:PassRole, "
        "iam:CreatePolicyVersion, iam:Attach*/Put*Policy, iam:CreateAccessKey, "
        "iam:UpdateAssumeRolePolicy ...) on Resource '*'. Fix: scope Resource to specific ARNs."
    ),
    resource_types=TYPES,
    check=_no_privilege_escalation,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_286", "CKV_AWS_287, CKV_AWS_288"),
    tags=["iam", "least-privilege"],
)

iam_no_service_wildcard = resource_rule(
    name="iam-no-service-wildcard",
    description=(
        "IAM policies should not allow a whole service ('s3:*', 'sagemaker:*') on Resource '*'. "
        "Fix: list the actions used and scope Resource."
    ),
    resource_types=TYPES,
    check=_no_service_wildcard,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework(CHECKOV, "CKV_AWS_289", "CKV_AWS_290"),
    tags=["iam", "least-privilege"],
)

POLICIES = [iam_no_admin_access, iam_no_privilege_escalation, iam_no_service_wildcard]
