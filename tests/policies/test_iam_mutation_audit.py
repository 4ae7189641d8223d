"""What the IAM rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/iam.py, iam_grants.py, _iam_documents.py and
_iam_actions.py: 80 one-step mutations of the decision logic, each run against the tests/policies
files that exercise the IAM and KMS rules. 54 were caught; 26 survived. Of those, 22 are caught by
a test here and 4 are equivalent (below). None of the survivors was a product bug; a probe written
while pinning the escalation survivors found one (fixed, see the end of this docstring and
CHANGELOG.md). Of 9 further mutations of the fixed lines, all 9 are caught here.

- iam.py: 20 mutations, 8 survived, 8 caught now;
- iam_grants.py: 15 mutations, 4 survived, 4 caught now;
- _iam_documents.py: 35 mutations, 9 survived, 7 caught now, 2 equivalent;
- _iam_actions.py: 10 mutations, 5 survived, 3 caught now, 2 equivalent.

Pinned here (survivor in brackets):

- an action entry in another case and with a wildcard (``SecretsManager:GetSecretVal*``) still
  reads data [A06 ``_overlap`` case-sensitive]; ``IAM:TagRole`` manages permissions, not only
  writes [A12 permissions service compared case-sensitively]; ``iam:Pass*`` on ``*`` fails all
  three rules that own it, ``iam-no-unscoped-sensitive-actions`` as "manages permissions" [A16
  ``Pass`` dropped from the write verbs];
- a document that is a JSON list or a JSON string, as text or as an aws-native object, is not a
  policy: it fails ``iam-no-admin-access`` as not valid JSON [D08, D09], and only that rule reports
  it [I07 every rule reporting it];
- an inline policy of a role unknown at preview leaves each identity rule undecided [D11];
- an Allow + ``NotAction`` statement is reported once, by ``iam-no-admin-access``: the escalation,
  service-wildcard and unscoped rules decide it without failing, and the stack rule reports a
  customer policy of that shape attached [D20 ``grants_everything`` without its NotAction branch,
  which crashed the other rules];
- ``"*"`` in an ``Action`` list next to a scoped action is admin, in the resource rule and in the
  stack rule [D21 every action of the list must be ``*``];
- a wildcard resource type followed by a name pattern (``secret*:*-name``) is not every resource
  [D27 one separator enough];
- ``ArnLike aws:SourceArn arn:aws:s3:::*`` does not pin who assumes a role [D43];
- ``IAM:PassRole`` (another case) on ``*`` is left to the escalation and PassRole rules, not
  reported again as a sensitive action [I17];
- iam:PassRole on one role name in every account is every role [I21]; on a name pattern whose
  wildcard comes before ``role/`` (``*/mlops/*``) it needs iam:PassedToService [I23], and a
  ``StringLike`` wildcard on iam:PassedToService is no such condition [I27];
- iam-pass-role-scoped reports Allow + ``NotResource`` itself [I25], is undecided on an Action
  unknown at preview [I28] and passes a Deny [I32];
- a Pod Identity principal in another case is still Pod Identity [G04];
- a forbidden AWS-managed policy with a path (``job-function/SystemAdministrator``) and a
  configured wildcard (``*FullAccess``) are refused [G10, G11];
- ``iam:*`` on one resource (an OIDC provider) is not administrator access for the stack rule
  [G13 ``iam:*`` admin whatever its Resource].

Equivalent (no deployable document changes verdict):

- A05, ``_overlap`` matching the table entry over the pattern only: the tables hold concrete names,
  so the other direction matches only a pattern equal to the entry (``?`` read as ``x``), which the
  pattern-over-entry direction already matches;
- A13, the exemption check inside the table loop dropped: no ``NO_RESOURCE_LEVEL`` action matches
  an entry of the credential, data-read or permissions tables (checked by
  ``test_no_exempt_action_is_in_a_sensitive_table``), so a concrete exempt action never gets there;
- D13, ``Effect`` compared case-sensitively: "The Effect value is case sensitive" (IAM User Guide,
  policy elements: Effect), so IAM refuses a document whose Effect is ``allow``;
- D44, ``ForAllValues:`` no longer refused by name: ``positive_operator`` strips only
  ``ForAnyValue:``, so ``forallvalues:stringequals`` is in neither operator set and is refused all
  the same.

The bug: ``iam-no-privilege-escalation`` judged only ``*`` and ARNs naming every resource of a kind
in every account, so ``iam:AttachRolePolicy`` on ``arn:aws:iam::111122223333:role/*`` (every role of
the account, the caller's own too: attach AdministratorAccess to it) passed every IAM rule, as did
``iam:CreateAccessKey`` on every user and ``iam:CreatePolicyVersion`` on every policy. An IAM
escalation action on every role, user, group or policy of one account of the type it acts on now
fails; a path (``role/mlops/*``), a name pattern, reads and actions on another type pass. Pinned by
the tests after ``# --- the bug``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._iam_actions import (
    CREDENTIAL_ACTIONS,
    DATA_READ_ACTIONS,
    NO_RESOURCE_LEVEL,
    PERMISSIONS_ACTIONS,
)
from policies.rules._iam_documents import wildcard_match
from tests.policies.conftest import build
from tests.policies.test_policy_iam_hardening_rules import (
    ACCOUNT,
    NATIVE_MANAGED,
    POLICY,
    ROLE,
    ROLE_ATTACHMENT,
    SAGEMAKER,
    allow,
    attach,
    doc,
    obj,
    trust,
)

ADMIN = "iam-no-admin-access"
ESCALATION = "iam-no-privilege-escalation"
SERVICE_WILDCARD = "iam-no-service-wildcard"
SENSITIVE = "iam-no-unscoped-sensitive-actions"
PASS_ROLE = "iam-pass-role-scoped"
IDENTITY_RULES = (ADMIN, ESCALATION, SERVICE_WILDCARD, SENSITIVE, PASS_ROLE)
TRUST = "iam-role-trust-not-public"
POD_IDENTITY = "iam-pod-identity-trust-scoped"
MANAGED = "iam-no-admin-managed-policy"
ATTACHED = "iam-admin-policy-not-attached"

SCOPE_ADVICE = (
    "scope Resource to the ARNs the workload touches, or restrict it with a resource condition "
    "(aws:ResourceTag/..., aws:ResourceAccount, kms:ViaService)."
)
ESCALATION_ADVICE = "scope Resource to the specific iam role ARNs it needs."  # the actions below act on roles
PASSED_TO_SERVICE_ADVICE = (
    "without an iam:PassedToService condition: name the role ARN, or add StringEquals "
    "iam:PassedToService for the one service."
)
NOT_JSON = "policy is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON policy document."
ADMIN_ATTACHED = (
    "policyArn attaches subject-policy, a policy of this stack that allows every action (or iam:* on "
    "every resource): attach a least-privilege policy."
)


def verdicts(
    rules: tuple[str, ...], resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Each rule's messages on one resource, and how many checks each left undecided at preview."""
    report = evaluate_report(
        build([{"type": resource_type, "name": "subject", "inputs": inputs}]),
        config,
        [get_policy(rule) for rule in rules],
    )
    messages: dict[str, list[str]] = {rule: [] for rule in rules}
    for violation in report.violations:
        messages[violation.policy_name].append(violation.message)
    undecided = {rule: 0 for rule in rules}
    for item in report.undecided:
        undecided[item.policy_name] += 1
    return messages, undecided


def decided(
    rules: tuple[str, ...], resource_type: str, inputs: dict[str, Any], **config: Any
) -> dict[str, list[str]]:
    messages, undecided = verdicts(rules, resource_type, inputs, config or None)
    assert not any(undecided.values()), undecided
    return messages


def identity(*statements: dict[str, Any]) -> dict[str, list[str]]:
    """The five identity-policy rules on an ``aws:iam/policy:Policy`` holding ``statements``."""
    return decided(IDENTITY_RULES, POLICY, {"policy": doc(*statements)})


def only(rule: str, *messages: str) -> dict[str, list[str]]:
    """The verdicts of :data:`IDENTITY_RULES` where ``rule`` reports ``messages`` and the rest pass."""
    return {name: list(messages) if name == rule else [] for name in IDENTITY_RULES}


def attached_verdict(policy_document: str) -> list[str]:
    """``iam-admin-policy-not-attached`` on a stack policy with ``policy_document``, attached to a role."""
    policy = {
        "type": POLICY,
        "name": "subject-policy",
        "inputs": {"name": "subject-policy", "policy": policy_document},
    }
    report = evaluate_report(build([policy, attach("subject-policy")]), None, [get_policy(ATTACHED)])
    assert report.undecided == []
    return [v.message for v in report.violations]


# --- _iam_actions: which category an action entry falls in ----------------------------------------


@pytest.mark.parametrize(
    ("action", "category"),
    [
        ("SecretsManager:GetSecretVal*", "reads data or secrets"),
        ("IAM:TagRole", "manages permissions"),
    ],
    ids=["secret-read-in-another-case-with-a-wildcard", "iam-write-in-upper-case-manages-permissions"],
)
def test_an_action_in_another_case_keeps_its_category(action: str, category: str) -> None:
    assert identity(allow(action)) == only(
        SENSITIVE, f"policy Statement[0] allows {action} ({category}) on every resource: {SCOPE_ADVICE}"
    )


def test_iam_pass_star_on_every_resource_fails_each_rule_that_owns_it() -> None:
    assert identity(allow("iam:Pass*")) == {
        ADMIN: [],
        ESCALATION: [f"policy Statement[0] allows iam:PassRole on Resource '*': {ESCALATION_ADVICE}"],
        SERVICE_WILDCARD: [],
        SENSITIVE: [
            f"policy Statement[0] allows iam:Pass* (manages permissions) on every resource: {SCOPE_ADVICE}"
        ],
        PASS_ROLE: [
            "policy Statement[0] allows iam:PassRole on '*', every role: name the execution role ARN."
        ],
    }


def test_no_exempt_action_is_in_a_sensitive_table() -> None:
    """Why dropping the exemption check inside the table loop (A13) changes nothing."""
    tables = (*CREDENTIAL_ACTIONS, *DATA_READ_ACTIONS, *PERMISSIONS_ACTIONS)
    assert [(e, a) for e in NO_RESOURCE_LEVEL for a in tables if wildcard_match(e, a) is True] == []


def test_an_iam_action_in_another_case_is_left_to_the_escalation_and_pass_role_rules() -> None:
    assert identity(allow("IAM:PassRole")) == {
        **only(ESCALATION, f"policy Statement[0] allows iam:PassRole on Resource '*': {ESCALATION_ADVICE}"),
        PASS_ROLE: [
            "policy Statement[0] allows iam:PassRole on '*', every role: name the execution role ARN."
        ],
    }


# --- _iam_documents: what a document is --------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "inputs", "message"),
    [
        (POLICY, {"policy": json.dumps([allow("*")])}, NOT_JSON),
        (POLICY, {"policy": json.dumps("*")}, NOT_JSON),
        (POLICY, {"policy": '{"Version": "2012-10-17", "Statement": ['}, NOT_JSON),
        (
            NATIVE_MANAGED,
            {"policyDocument": [allow("*")]},
            "policyDocument is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON policy document.",
        ),
    ],
    ids=["json-text-of-a-list", "json-text-of-a-string", "truncated-json", "native-object-that-is-a-list"],
)
def test_a_document_that_is_no_json_object_fails_the_admin_rule_only(
    resource_type: str, inputs: dict[str, Any], message: str
) -> None:
    assert decided(IDENTITY_RULES, resource_type, inputs) == only(ADMIN, message)


def test_an_inline_policy_unknown_at_preview_leaves_each_identity_rule_undecided() -> None:
    inputs = {
        "assumeRolePolicy": doc(trust(SAGEMAKER)),
        "inlinePolicies": [
            {"name": "read", "policy": doc(allow("s3:GetObject", "arn:aws:s3:::data/*"))},
            UNKNOWN_OBJECT_VALUE,
        ],
    }
    messages, undecided = verdicts(IDENTITY_RULES, ROLE, inputs)
    assert messages == only(ADMIN)
    assert undecided == dict.fromkeys(IDENTITY_RULES, 1)


def test_allow_with_not_action_is_reported_once_by_the_admin_rule() -> None:
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    assert identity(statement) == only(
        ADMIN,
        "policy Statement[0] combines Allow with NotAction: list the allowed actions in Action instead.",
    )
    assert attached_verdict(doc(statement)) == [ADMIN_ATTACHED]


def test_every_action_in_an_action_list_is_admin() -> None:
    statement = allow(["s3:GetObject", "*"], "arn:aws:s3:::data/*")
    assert identity(statement) == only(
        ADMIN, "policy Statement[0] allows Action '*': list only the actions the workload calls."
    )
    assert attached_verdict(doc(statement)) == [ADMIN_ATTACHED]


def test_iam_star_on_one_resource_is_not_administrator_access() -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    assert attached_verdict(doc(allow("iam:*", provider))) == []
    assert identity(allow("iam:*", provider)) == only(ADMIN)


def test_a_wildcard_resource_type_followed_by_a_name_pattern_is_not_every_resource() -> None:
    narrow = "arn:aws:secretsmanager:*:*:secret*:*-name"
    assert identity(allow("secretsmanager:GetSecretValue", narrow)) == only(ADMIN)
    assert identity(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret*")) == only(
        SENSITIVE,
        # Named as written (session 76), not "every resource": every secret of every account.
        "policy Statement[0] allows secretsmanager:GetSecretValue (reads data or secrets) on Resource "
        f"'arn:aws:secretsmanager:*:*:secret*', every resource of its kind in every account: {SCOPE_ADVICE}",
    )


# --- iam.py: iam-pass-role-scoped ----------------------------------------------------------------


def test_pass_role_on_one_role_name_in_every_account_is_every_role() -> None:
    resource = "arn:aws:iam::*:role/exec"
    assert identity(allow("iam:PassRole", resource)) == only(
        PASS_ROLE,
        f"policy Statement[0] allows iam:PassRole on {resource!r}, every role: name the execution role ARN.",
    )


@pytest.mark.parametrize(
    ("resource", "condition", "violated"),
    [
        (f"arn:aws:iam::{ACCOUNT}:*/mlops/*", None, True),
        (
            f"arn:aws:iam::{ACCOUNT}:*/mlops/*",
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            False,
        ),
        (
            f"arn:aws:iam::{ACCOUNT}:role/mlops/*",
            {"StringLike": {"iam:PassedToService": "*.amazonaws.com"}},
            True,
        ),
        (
            f"arn:aws:iam::{ACCOUNT}:role/mlops/*",
            {"StringLike": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            False,
        ),
    ],
    ids=[
        "wildcard-before-role-without-condition-fails",
        "wildcard-before-role-for-one-service-passes",
        "passed-to-any-service-by-a-wildcard-fails",
        "string-like-naming-one-service-passes",
    ],
)
def test_pass_role_on_a_name_pattern_needs_passed_to_one_service(
    resource: str, condition: dict[str, Any] | None, violated: bool
) -> None:
    extra = {"Condition": condition} if condition else {}
    expected = [f"policy Statement[0] allows iam:PassRole on {resource!r} {PASSED_TO_SERVICE_ADVICE}"]
    assert identity(allow("iam:PassRole", resource, **extra)) == only(
        PASS_ROLE, *(expected if violated else [])
    )


def test_pass_role_with_not_resource_is_reported_by_the_pass_role_rule() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "NotResource": f"arn:aws:iam::{ACCOUNT}:role/admin",
    }
    assert identity(statement) == {
        **only(
            ESCALATION,
            f"policy Statement[0] allows iam:PassRole on NotResource 'arn:aws:iam::{ACCOUNT}:role/admin', every "
            f"resource but that one: {ESCALATION_ADVICE}",
        ),
        PASS_ROLE: [
            "policy Statement[0] allows iam:PassRole with NotResource: list the role ARNs in Resource."
        ],
    }


def test_pass_role_is_undecided_on_an_action_unknown_at_preview() -> None:
    messages, undecided = verdicts(
        (PASS_ROLE,), NATIVE_MANAGED, {"policyDocument": obj(allow(UNKNOWN_STRING_VALUE))}
    )
    assert messages == {PASS_ROLE: []}
    assert undecided == {PASS_ROLE: 1}


def test_a_deny_of_pass_role_on_every_role_passes() -> None:
    assert identity({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}) == only(ADMIN)


# --- iam_grants.py ---------------------------------------------------------------------------------


def test_a_wildcard_source_arn_of_any_bucket_does_not_pin_the_caller() -> None:
    inputs = {"assumeRolePolicy": doc(trust("*", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}))}
    assert decided((TRUST,), ROLE, inputs) == {
        TRUST: [
            "assumeRolePolicy Statement[0] lets any principal ('*') assume the role without a condition on "
            "aws:PrincipalOrgID/aws:PrincipalAccount/aws:PrincipalArn/aws:SourceAccount/aws:SourceArn/"
            "sts:ExternalId: name the trusted service or account as Principal; an ARN pattern pins only "
            "with a fixed account (S3 bucket ARNs have none: pin arn:aws:s3:::name* with aws:SourceAccount "
            "too)."
        ]
    }


def test_a_pod_identity_principal_in_another_case_is_pod_identity() -> None:
    inputs = {"assumeRolePolicy": doc(trust({"Service": "PODS.EKS.AMAZONAWS.COM"}))}
    assert decided((POD_IDENTITY,), ROLE, inputs) == {
        POD_IDENTITY: [
            f"assumeRolePolicy Statement[0] lets EKS Pod Identity assume the role for any {what}: add a "
            f"StringEquals condition on aws:RequestTag/kubernetes-{key} (and aws:RequestTag/eks-cluster-name), "
            "so only the association's pods receive its credentials."
            for what, key in (("namespace", "namespace"), ("service account", "service-account"))
        ]
    }


@pytest.mark.parametrize(
    ("forbidden", "arn", "named"),
    [
        (
            ["AdministratorAccess", "SystemAdministrator"],
            "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
            "SystemAdministrator",
        ),
        (["*FullAccess"], "arn:aws:iam::aws:policy/AmazonS3FullAccess", "*FullAccess"),
        (["*FullAccess"], "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", None),
    ],
    ids=["policy-with-a-path-fails", "configured-wildcard-fails", "policy-the-wildcard-misses-passes"],
)
def test_a_forbidden_managed_policy_is_found_by_path_and_configured_wildcard(
    forbidden: list[str], arn: str, named: str | None
) -> None:
    messages = decided(
        (MANAGED,),
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": arn},
        **{MANAGED: {"forbiddenManagedPolicies": forbidden}},
    )
    expected = [
        f"policyArn attaches the AWS-managed {named} ({arn}), administrator-equivalent: attach a policy that "
        "lists the actions and resources the principal needs."
    ]
    assert messages == {MANAGED: expected if named else []}


# --- the bug: an IAM escalation on every role, user, group or policy of one account ---------------

EVERY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/*"
ACCOUNT_WIDE_ADVICE = "of the account (the caller's own too): scope Resource to the ARNs it manages."


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("iam:AttachRolePolicy", EVERY_ROLE, f"iam:AttachRolePolicy on {EVERY_ROLE!r}, every role"),
        (
            "iam:*",
            EVERY_ROLE,
            "iam:AttachRolePolicy, iam:DeleteRolePermissionsBoundary, iam:PutRolePermissionsBoundary, "
            f"iam:PutRolePolicy, iam:UpdateAssumeRolePolicy on {EVERY_ROLE!r}, every role",
        ),
        (
            "IAM:createaccesskey",
            f"arn:aws:iam::{ACCOUNT}:user*",
            f"iam:CreateAccessKey on 'arn:aws:iam::{ACCOUNT}:user*', every user",
        ),
        (
            "iam:Put*Policy",
            f"arn:aws:iam::{ACCOUNT}:*o*",
            f"iam:PutGroupPolicy, iam:PutRolePolicy on 'arn:aws:iam::{ACCOUNT}:*o*', every group/policy/role",
        ),
        (
            "iam:CreatePolicyVersion",
            f"arn:aws:iam::{ACCOUNT}:policy/*",
            f"iam:CreatePolicyVersion on 'arn:aws:iam::{ACCOUNT}:policy/*', every policy",
        ),
        (
            "iam:AddUserToGroup",
            f" arn:aws:iam::{ACCOUNT}:group/* ",
            f"iam:AddUserToGroup on ' arn:aws:iam::{ACCOUNT}:group/* ', every group",
        ),
    ],
    ids=["attach-to-every-role", "iam-star-on-every-role", "access-keys-for-every-user-in-other-case",
         "put-policy-on-everything-with-an-o", "rewrite-every-policy", "join-every-group-padded"],
)  # fmt: skip
def test_an_iam_escalation_on_every_principal_of_an_account_fails(
    action: str, resource: str, expected: str
) -> None:
    """``iam:AttachRolePolicy`` on every role of the account attaches AdministratorAccess to the caller's
    own role: it fails as on ``*``, with the resource named in the message."""
    messages = identity(allow(action, ["arn:aws:s3:::data/*", resource]))
    assert messages[ESCALATION] == [f"policy Statement[0] allows {expected} {ACCOUNT_WIDE_ADVICE}"]
    assert messages[ADMIN] == messages[SERVICE_WILDCARD] == messages[SENSITIVE] == []  # not on '*'
    assert bool(messages[PASS_ROLE]) is (action == "iam:*")  # iam:PassRole on every role


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/mlops/*"),
        ("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/*-runner"),
        ("iam:GetRole", EVERY_ROLE),
        ("iam:CreateAccessKey", EVERY_ROLE),
        ("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:user/*"),
        ("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/?"),
        ("iam:*", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:role/*"),
    ],
    ids=["one-path-of-roles", "one-name-pattern", "read-every-role", "user-action-on-roles",
         "role-action-on-users", "one-letter-role-names", "not-an-iam-arn"],
)  # fmt: skip
def test_what_reaches_no_principal_of_its_own_type_passes_the_escalation_rule(
    action: str, resource: str
) -> None:
    assert decided((ESCALATION,), POLICY, {"policy": doc(allow(action, resource))}) == {ESCALATION: []}


def test_a_statement_judged_on_every_resource_is_reported_once() -> None:
    on_every = decided(
        (ESCALATION,), POLICY, {"policy": doc(allow("iam:AttachRolePolicy", ["*", EVERY_ROLE]))}
    )
    assert on_every[ESCALATION] == [
        f"policy Statement[0] allows iam:AttachRolePolicy on Resource '*': {ESCALATION_ADVICE}"
    ]
    # Allow + NotAction is iam-no-admin-access's to report: the escalation rule stays silent
    everything_but_s3 = {"Effect": "Allow", "NotAction": "s3:*", "Resource": EVERY_ROLE}
    assert decided((ESCALATION,), POLICY, {"policy": doc(everything_but_s3)}) == {ESCALATION: []}


def test_an_action_unknown_at_preview_on_every_role_is_undecided() -> None:
    messages, undecided = verdicts(
        (ESCALATION,), NATIVE_MANAGED, {"policyDocument": obj(allow(UNKNOWN_STRING_VALUE, EVERY_ROLE))}
    )
    assert messages == {ESCALATION: []}
    assert undecided == {ESCALATION: 1}


def test_a_deny_on_every_role_passes() -> None:
    statement = {"Effect": "Deny", "Action": "iam:*", "Resource": EVERY_ROLE}
    assert decided((ESCALATION,), POLICY, {"policy": doc(statement)}) == {ESCALATION: []}


# --- the same on the other escalation actions' resources: every function, dev endpoint, instance ---

RUNS_AS_ADVICE = (
    "of the account (any of them may run as a more privileged role): scope Resource to the ARNs it manages."
)
EVERY_FUNCTION = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:*"
EVERY_INSTANCE = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/*"
RUN_SHELL = "arn:aws:ssm:eu-west-1::document/AWS-RunShellScript"


@pytest.mark.parametrize(
    ("action", "resources", "expected"),
    [
        ("lambda:UpdateFunctionCode", [EVERY_FUNCTION],
         f"lambda:UpdateFunctionCode on {EVERY_FUNCTION!r}, every function"),
        ("lambda:Update*", [f"arn:aws:lambda:*:{ACCOUNT}:function*"],
         f"lambda:UpdateFunctionCode, lambda:UpdateFunctionConfiguration on "
         f"'arn:aws:lambda:*:{ACCOUNT}:function*', every function"),
        ("ssm:SendCommand", [EVERY_INSTANCE, RUN_SHELL], f"ssm:SendCommand on {EVERY_INSTANCE!r}, every instance"),
        ("ssm:StartSession", [f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-*"],
         f"ssm:StartSession on 'arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-*', every instance"),
        ("ec2-instance-connect:SendSSHPublicKey", [EVERY_INSTANCE],
         f"ec2-instance-connect:SendSSHPublicKey on {EVERY_INSTANCE!r}, every instance"),
        ("ssm:SendCommand", [f"arn:aws:ssm:eu-west-1:{ACCOUNT}:managed-instance/*", RUN_SHELL],
         f"ssm:SendCommand on 'arn:aws:ssm:eu-west-1:{ACCOUNT}:managed-instance/*', every managed-instance"),
        ("glue:UpdateDevEndpoint", [f"arn:aws:glue:eu-west-1:{ACCOUNT}:devEndpoint/*"],
         f"glue:UpdateDevEndpoint on 'arn:aws:glue:eu-west-1:{ACCOUNT}:devEndpoint/*', every devEndpoint"),
    ],
    ids=["update-every-function", "update-star-on-functions-of-every-region", "run-commands-on-every-instance",
         "sessions-on-every-instance-id", "ssh-keys-to-every-instance", "run-commands-on-every-managed-node",
         "rewrite-every-dev-endpoint"],
)  # fmt: skip
def test_an_escalation_on_every_resource_of_its_kind_in_an_account_fails(
    action: str, resources: list[str], expected: str
) -> None:
    """New code in every Lambda function, a command on every instance: one of them runs as a role
    with more than the caller has, as on ``*``."""
    messages = decided((ESCALATION,), POLICY, {"policy": doc(allow(action, resources))})
    assert messages[ESCALATION] == [f"policy Statement[0] allows {expected} {RUNS_AS_ADVICE}"]


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:mlops-*"),
        ("lambda:InvokeFunction", EVERY_FUNCTION),
        ("ssm:SendCommand", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0123456789abcdef0"),
        ("ssm:StartSession", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0*"),
        ("lambda:UpdateFunctionCode", EVERY_INSTANCE),
        ("ssm:SendCommand", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:*"),
        ("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*"),
    ],
    ids=["a-name-pattern-of-functions", "invoke-is-no-escalation", "one-instance", "some-instance-ids",
         "function-action-on-instances", "instance-action-on-functions", "aws-managed-policies-no-one-changes"],
)  # fmt: skip
def test_what_reaches_not_every_resource_of_its_kind_passes_the_escalation_rule(
    action: str, resource: str
) -> None:
    assert decided((ESCALATION,), POLICY, {"policy": doc(allow(action, resource))}) == {ESCALATION: []}


# --- the caller's own, named through a policy variable ---------------------------------------------

OWN_USER = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
OWN_ADVICE = (
    "whose name comes from a policy variable: the caller's own (aws:username, aws:userid) or one its request names, "
    "whose permissions it would change. Name the ARNs it manages."
)


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("iam:AttachUserPolicy", OWN_USER, "iam:AttachUserPolicy"),
        ("iam:*", OWN_USER, "iam:AttachUserPolicy, iam:DeleteUserPermissionsBoundary, "
                            "iam:PutUserPermissionsBoundary, iam:PutUserPolicy"),
        ("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/role-name}}", "iam:PutRolePolicy"),
        ("iam:AttachUserPolicy", "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}", "iam:AttachUserPolicy"),
        ("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/team}}-runner", "iam:PutRolePolicy"),
        ("iam:Attach*", f"arn:aws:iam::{ACCOUNT}:*${{aws:username}}",
         "iam:AttachGroupPolicy, iam:AttachRolePolicy, iam:AttachUserPolicy"),
        ("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/${{aws:username}}-access",
         "iam:CreatePolicyVersion"),
        ("iam:Put*Policy", f"arn:aws:iam::{ACCOUNT}:*/${{aws:username}}",
         "iam:PutGroupPolicy, iam:PutRolePolicy, iam:PutUserPolicy"),
    ],
    ids=["attach-to-own-user", "iam-star-on-own-user", "own-role-by-principal-tag", "a-colon-inside-a-variable", "a-name-built-from-a-variable",
         "any-kind-ending-in-a-variable", "rewrite-own-policy", "any-kind-named-by-a-variable"],
)  # fmt: skip
def test_a_permission_change_on_the_callers_own_fails(action: str, resource: str, expected: str) -> None:
    """``iam:AttachUserPolicy`` on ``user/${aws:username}``: every user may attach
    AdministratorAccess to itself."""
    messages = decided((ESCALATION,), POLICY, {"policy": doc(allow(action, resource))})
    assert messages[ESCALATION] == [f"policy Statement[0] allows {expected} on {resource!r}, {OWN_ADVICE}"]


@pytest.mark.parametrize(
    "action",
    [
        "iam:CreateAccessKey",
        "iam:UpdateAccessKey",
        "iam:UpdateLoginProfile",
        "iam:GetUser",
        "iam:ListAttachedUserPolicies",
    ],
)
def test_managing_ones_own_credentials_is_no_escalation(action: str) -> None:
    """AWS's self-service policy: a user rotates its own keys and password; it gains nothing."""
    assert decided((ESCALATION,), POLICY, {"policy": doc(allow(action, OWN_USER))}) == {ESCALATION: []}


@pytest.mark.parametrize(
    "resource",
    [
        f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/team}}-*",
        "arn:aws:iam::aws:policy/${aws:username}",
        "arn:aws:s3:::data/${aws:username}/*",
    ],
    ids=["a-name-pattern-around-a-variable", "aws-managed-policies", "not-iams"],
)
def test_what_a_variable_does_not_name_whole_passes(resource: str) -> None:
    """A pattern around a variable is judged as a literal name pattern is (``role/team-a-*``)."""
    statement = allow(["iam:AttachRolePolicy", "iam:CreatePolicyVersion"], resource)
    assert decided((ESCALATION,), POLICY, {"policy": doc(statement)}) == {ESCALATION: []}


def test_a_policy_variable_escape_names_no_one() -> None:
    """``${*}`` is a literal ``*`` in a name, not a variable (and no user is named ``*``)."""
    resource = f"arn:aws:iam::{ACCOUNT}:user/ops-${{*}}"
    assert decided((ESCALATION,), POLICY, {"policy": doc(allow("iam:AttachUserPolicy", resource))}) == {
        ESCALATION: []
    }
