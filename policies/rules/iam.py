"""IAM identity-policy rules: no admin grants, no escalation, nothing sensitive on every resource.

Documents are read wherever a principal gets permissions inline: ``aws:iam/policy:Policy``,
``rolePolicy``, ``userPolicy``, ``groupPolicy`` (``policy``), ``aws:iam/role:Role``
(``inlinePolicies[].policy``), and the aws-native twins ``ManagedPolicy``, ``RolePolicy``,
``UserPolicy``, ``GroupPolicy`` (``policyDocument``) and ``Role``/``User``/``Group``
(``policies[].policyDocument``), and IAM Identity Center permission sets
(``aws:ssoadmin/permissionSetInlinePolicy``, ``aws-native:sso:PermissionSet``: ``inlinePolicy``). A document may be a JSON string or an object;
``Statement``, ``Action`` and ``Resource`` a value or a list. ``Allow`` + ``NotAction`` grants
everything but the listed actions and ``Allow`` + ``NotResource`` every resource but the listed
ones. "Every resource" is ``*`` or an ARN that names every resource of its kind in every
account (``arn:aws:s3:::*``, ``arn:aws:iam::*:role/*``); an escalation action on every one of the
kind it acts on in one account (every role, user, group or policy: the caller's own too; every
Lambda function, Glue dev endpoint or job, CodeBuild project, Step Functions state machine, EC2
instance, SSM managed node, SageMaker notebook instance or notebook lifecycle configuration, Studio
domain, user profile or space: any may run as a more privileged role) fails as
well (:data:`ACCOUNT_WIDE_KINDS`), and so does a permission change on a role, user, group or policy
named through a policy variable (``user/${aws:username}``: the caller's own, :data:`SELF_ESCALATION`).

Unknown values (preview): what the known values prove is reported, the rest is undecided
(see ``_iam_documents``). Managed-policy attachments and trust policies are in ``iam_grants``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    CHECKOV,
    CRITICAL,
    HIGH,
    MANDATORY,
    MEDIUM,
    arn_fields,
    framework,
    has_wildcard,
    iam_wildcard,
    matches_every,
    resource_rule,
    variables_as_wildcards,
)
from ._iam_actions import sensitive_category
from ._iam_documents import (
    IDENTITY_DOCUMENTS,
    INVALID,
    ROLE_HELD,
    ConditionKey,
    Findings,
    Unknown,
    action_patterns,
    all3,
    any3,
    as_list,
    broad_resource,
    condition_restricts,
    covers,
    granted,
    grants_everything,
    identity_documents,
    is_allow,
    is_every_action,
    not3,
    on_broad_resources,
    only_wildcards,
    statements,
)

TYPES = tuple(IDENTITY_DOCUMENTS)

#: Actions that let a principal grant itself more than it was given (CKV_AWS_286, after
#: cloudsplaining's PRIVILEGE_ESCALATION_METHODS and the Rhino Security Labs research).
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
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
    "ssm:SendCommand",
    "ssm:StartSession",
    "ec2-instance-connect:SendSSHPublicKey",
    # A presigned URL opens a Jupyter session on a notebook instance or in a Studio user profile's
    # apps, which run as the notebook's or the profile's execution role; "no additional permission is
    # required to access this URL" (SageMaker API Reference, CreatePresignedNotebookInstanceUrl and
    # CreatePresignedDomainUrl).
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "sagemaker:CreatePresignedDomainUrl",
    # A remote IDE's SSH session into a Studio space (StartSession: "a WebSocket URL used to establish
    # a SSH connection between the local IDE and remote SageMaker space"), whose apps run as the
    # space's execution role.
    "sagemaker:StartSession",
    # Actions that make an existing resource run code of the caller's choosing as the resource's role
    # (at its next start or run): on every one of the kind, one of them may hold a more privileged role.
    # UpdateNotebookInstance attaches a lifecycle configuration, and UpdateNotebookInstanceLifecycleConfig
    # rewrites one: "Lifecycle configuration scripts execute with root access and the notebook instance's
    # IAM execution role privileges. Grant this permission only to trusted principals" (SageMaker API
    # Reference, UpdateNotebookInstanceLifecycleConfig; "Updates ... affect all notebook instances using
    # that configuration upon their next start").
    "sagemaker:UpdateNotebookInstance",
    "sagemaker:UpdateNotebookInstanceLifecycleConfig",
    # Studio lifecycle configurations (LifecycleConfigArns of a domain's, user profile's or space's app
    # settings: SageMaker Developer Guide, "Create and attach lifecycle configurations in Studio") run in
    # the apps the profile or space opens, as its execution role.
    "sagemaker:UpdateDomain",
    "sagemaker:UpdateUserProfile",
    "sagemaker:UpdateSpace",
    # A job's Command.ScriptLocation is the script the job runs as its Role (AWS Glue API, UpdateJob).
    "glue:UpdateJob",
    # A project's Source.Buildspec is what a build runs, as the project's serviceRole (CodeBuild API
    # Reference, UpdateProject).
    "codebuild:UpdateProject",
    # A state machine's definition calls any AWS API (AWS SDK service integrations) as its roleArn.
    "states:UpdateStateMachine",
    # Environment variables alone load code: AWS_LAMBDA_EXEC_WRAPPER, NODE_OPTIONS, JAVA_TOOL_OPTIONS
    # (Lambda Developer Guide, "Modifying the runtime environment"), from a Layer the call attaches.
    "lambda:UpdateFunctionConfiguration",
)
_ESCALATION = frozenset(action.lower() for action in ESCALATION_ACTIONS)
#: Escalation actions a resource tag condition of their own service scopes (:data:`ESCALATION_SCOPE_KEYS`:
#: ``sagemaker:ResourceTag/...``, ``aws:ResourceTag/...``): AWS documents a tag condition as the
#: way to grant a user their own Studio profile or notebook ("AmazonSageMakerPresignedUrlPolicy",
#: ``CreatePresignedDomainUrl`` on ``*`` where ``sagemaker:ResourceTag/studiouserid`` is
#: ``${aws:username}``, SageMaker Developer Guide), and ``iam-no-unscoped-sensitive-actions``, which
#: judged them before they were escalation actions, honours one. The other escalations ignore
#: conditions, as Checkov does.
#: The run-as-role update actions added in session 75 act on resources whose service documents
#: tag-based access control (SageMaker; CodeBuild, "Using tags to control access to AWS CodeBuild
#: resources"; Step Functions, "Tagging in Step Functions"): a tag condition scopes them too. Not
#: ``UpdateNotebookInstanceLifecycleConfig``: the Service Authorization Reference lists no condition
#: key for the ``notebook-instance-lifecycle-config`` resource type. Nor ``glue:UpdateJob`` and
#: ``lambda:UpdateFunctionConfiguration``: their services' other escalations
#: (``glue:UpdateDevEndpoint``, ``lambda:UpdateFunctionCode``) ignore conditions, and a grant of a
#: service's run-as-role actions is judged alike.
CONDITION_SCOPED_ESCALATIONS: dict[str, str] = {
    "sagemaker:CreatePresignedNotebookInstanceUrl": "sagemaker",
    "sagemaker:CreatePresignedDomainUrl": "sagemaker",
    "sagemaker:StartSession": "sagemaker",
    "sagemaker:UpdateNotebookInstance": "sagemaker",
    "sagemaker:UpdateDomain": "sagemaker",
    "sagemaker:UpdateUserProfile": "sagemaker",
    "sagemaker:UpdateSpace": "sagemaker",
    "codebuild:UpdateProject": "codebuild",
    "states:UpdateStateMachine": "states",
}


@dataclass(frozen=True)
class AccountWideKind:
    """A kind of resource an escalation action acts on, granted on every one of it in an account."""

    service: str  # the ARN's service field
    name: str  # for messages: "every <name> of the account"
    probes: tuple[str, ...]  # resource parts a pattern naming every one of the kind matches
    actions: tuple[str, ...]
    reach: str  # why every one of the kind is as much as every resource


def _named(prefix: str) -> tuple[str, ...]:
    """A short name and a pathed one with no letter in common, so that only the kind's own letters
    (``*o*``) count as naming every one of it."""
    return (f"{prefix}q", f"{prefix}path/to/z-9")


_OWN = "the caller's own too"
_RUNS_AS = "any of them may run as a more privileged role"

#: The kinds of resource each escalation action is authorised on. Granted on every one of a kind in
#: an account (``arn:aws:iam::123456789012:role/*``, ``arn:aws:lambda:eu-west-1:123456789012:function:*``),
#: the action reaches the caller's own role, user, group or policy, or a function or instance running
#: as a more privileged role: as much an escalation as on ``*``. (iam:PassRole on every role of an
#: account is ``iam-pass-role-scoped``'s.)
ACCOUNT_WIDE_KINDS: tuple[AccountWideKind, ...] = (
    AccountWideKind("iam", "group", _named("group/"),
                    ("iam:AttachGroupPolicy", "iam:PutGroupPolicy", "iam:AddUserToGroup"), _OWN),
    AccountWideKind("iam", "policy", _named("policy/"),
                    ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"), _OWN),
    AccountWideKind("iam", "role", _named("role/"), (
        "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy",
    ), _OWN),
    AccountWideKind("iam", "user", _named("user/"), (
        "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:PutUserPermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary", "iam:CreateAccessKey", "iam:UpdateAccessKey",
        "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential",
        "iam:ResetServiceSpecificCredential",
    ), _OWN),
    AccountWideKind("lambda", "function", ("function:q", "function:z-9"),
                    ("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"), _RUNS_AS),
    AccountWideKind("glue", "devEndpoint", _named("devEndpoint/"), ("glue:UpdateDevEndpoint",), _RUNS_AS),
    AccountWideKind("glue", "job", _named("job/"), ("glue:UpdateJob",), _RUNS_AS),
    AccountWideKind("codebuild", "project", _named("project/"), ("codebuild:UpdateProject",), _RUNS_AS),
    # arn:aws:states:<region>:<account>:stateMachine:<name>
    AccountWideKind("states", "stateMachine", ("stateMachine:q", "stateMachine:z-9"),
                    ("states:UpdateStateMachine",), _RUNS_AS),
    AccountWideKind("ec2", "instance", ("instance/i-0a", "instance/i-9f"), (
        "ssm:SendCommand", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey",
    ), _RUNS_AS),
    AccountWideKind("ssm", "managed-instance", ("managed-instance/mi-0a", "managed-instance/mi-9f"),
                    ("ssm:SendCommand", "ssm:StartSession"), _RUNS_AS),
    AccountWideKind("sagemaker", "notebook-instance", _named("notebook-instance/"),
                    ("sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:UpdateNotebookInstance"), _RUNS_AS),
    AccountWideKind("sagemaker", "notebook-instance-lifecycle-config", _named("notebook-instance-lifecycle-config/"),
                    ("sagemaker:UpdateNotebookInstanceLifecycleConfig",),
                    "its script runs as root with the role of every notebook instance using it"),
    # arn:aws:sagemaker:<region>:<account>:domain/<domain id>
    AccountWideKind("sagemaker", "domain", ("domain/d-q", "domain/d-z9x8"), ("sagemaker:UpdateDomain",), _RUNS_AS),
    # arn:aws:sagemaker:<region>:<account>:user-profile/<domain id>/<profile name>
    AccountWideKind("sagemaker", "user-profile", ("user-profile/d-q/q", "user-profile/d-z9/path-9"),
                    ("sagemaker:CreatePresignedDomainUrl", "sagemaker:UpdateUserProfile"), _RUNS_AS),
    # arn:aws:sagemaker:<region>:<account>:space/<domain id>/<space name>
    AccountWideKind("sagemaker", "space", ("space/d-q/q", "space/d-z9/path-9"),
                    ("sagemaker:StartSession", "sagemaker:UpdateSpace"), _RUNS_AS),
)  # fmt: skip

#: Conditions that narrow a ``"*"`` resource to specific resources, honoured by
#: ``iam-no-unscoped-sensitive-actions`` only (admin, escalation and PassRole rules ignore
#: conditions, as Checkov does). A service's key only counts for that service's actions. They pin
#: resources for the policy's holder: its own ``${aws:PrincipalTag/team}`` (ABAC) is a fixed value.
RESOURCE_SCOPE_KEYS: tuple[ConditionKey, ...] = (
    ConditionKey("aws:ResourceTag/*", "text", "resource"),
    ConditionKey("*:ResourceTag/*", "text", "resource"),
    ConditionKey("aws:ResourceAccount", "id", "resource"),
    ConditionKey("aws:ResourceOrgID", "id", "resource"),
    ConditionKey("aws:ResourceOrgPaths", "orgpath", "resource"),
    ConditionKey("s3:ResourceAccount", "id", "resource"),
    ConditionKey("kms:ViaService", "endpoint", "resource"),
    ConditionKey("cloudwatch:namespace", "text", "resource"),
    ConditionKey("iam:PermissionsBoundary", "arn", "resource"),
    ConditionKey("ec2:Vpc", "arn", "resource"),
    ConditionKey("secretsmanager:SecretId", "arn", "resource"),
)
#: The conditions that scope a :data:`CONDITION_SCOPED_ESCALATIONS` action: a resource tag. Not
#: ``aws:ResourceAccount``/``ResourceOrgID``/``ResourceOrgPaths``, which leave every one of the kind
#: in an account (or an organization) reachable: what the rule refuses written as an ARN
#: (``notebook-instance/*``).
ESCALATION_SCOPE_KEYS: tuple[ConditionKey, ...] = (
    ConditionKey("aws:ResourceTag/*", "text", "resource"),
    ConditionKey("*:ResourceTag/*", "text", "resource"),
)
#: ``iam:CreateServiceLinkedRole`` for named services: the role it creates is the service's, with
#: permissions AWS defines (AWS's managed policies grant it on "*" pinned this way). Honoured for
#: that action only.
SERVICE_LINKED_ROLE = "iam:createservicelinkedrole"
SERVICE_LINKED_ROLE_KEYS = (*RESOURCE_SCOPE_KEYS, ConditionKey("iam:AWSServiceName", "id"))
PASSED_TO_SERVICE = (ConditionKey("iam:PassedToService", "id"),)

Check = Iterator[str]


def _statements(
    args: ResourceValidationArgs, findings: Findings, report_invalid: bool = False
) -> Iterator[tuple[str, Any]]:
    """``(path, statement)``; an unknown document yields one unknown statement.

    An unparsable document is reported once, by ``iam-no-admin-access`` (``report_invalid``).
    """
    for path, document in identity_documents(args.resource_type, args.props):
        if document is INVALID:
            findings.add(
                report_invalid,
                f"{path} is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON policy document.",
            )
            continue
        for label, statement in statements(document):
            yield f"{path} {label}", statement


def _no_admin_access(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    for path, statement in _statements(args, findings, report_invalid=True):
        if isinstance(statement, dict) and "NotAction" in statement:
            findings.add(
                is_allow(statement),
                f"{path} combines Allow with NotAction: list the allowed actions in Action instead.",
            )
        else:
            findings.add(
                grants_everything(statement),
                f"{path} allows Action '*': list only the actions the workload calls.",
            )
    yield from findings.report()


def _on_every_resource(statement: Any) -> Any:
    """Allow on every resource, for a statement the admin rule does not already report."""
    if type(statement) is not dict:  # an unknown statement: its verdict is an Unknown of its own
        return _statement_on_every_resource(statement)
    # Three rules ask this of every statement, and each gets the same statement object (a document
    # is parsed once for every rule: _iam_documents._parsed_json_document): a decided verdict is
    # kept by the statement's identity, the statement itself held beside it so that no other object
    # can take its id while the entry lives.
    kept = _SCOPES.get(id(statement))
    if kept is not None:  # the entry holds its statement: no other object has that id meanwhile
        return kept[1]
    verdict = _statement_on_every_resource(statement)
    if type(verdict) is bool:  # an Unknown carries the reasons of its own reading: not shared
        if len(_SCOPES) >= _SCOPES_KEPT:
            _SCOPES.clear()
        _SCOPES[id(statement)] = (statement, verdict)
    return verdict


_SCOPES: dict[int, tuple[dict[str, Any], bool]] = {}
""":func:`_on_every_resource`'s decided verdicts, by the statement's ``id`` (statement, verdict)."""
_SCOPES_KEPT = 16_384
"""Entries kept before the memo starts again (a 200-endpoint stack has about 11,000 statements)."""


def _statement_on_every_resource(statement: Any) -> Any:
    """:func:`_on_every_resource`, worked out."""
    if grants_everything(statement) is True:
        return False
    return all3([is_allow(statement), on_broad_resources(statement)])


def _no_privilege_escalation(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    holder = "role" if args.resource_type in ROLE_HELD else "any"  # a role's own ${aws:userid} scopes
    for path, statement in _statements(args, findings):
        _escalation_on_every_resource(path, statement, findings, holder)
        narrow = _narrow_resources(statement)
        _escalation_on_every_principal(path, statement, narrow, findings, holder)
        _escalation_on_the_callers_own(path, statement, narrow, findings)
    yield from findings.report()


def _grants_unscoped(statement: Any, action: str, holder: str) -> Any:
    """Whether the statement grants ``action``, counting a resource condition that scopes it
    (:data:`CONDITION_SCOPED_ESCALATIONS`) as not granting it on every resource."""
    granted_action = covers(statement, action)
    service = CONDITION_SCOPED_ESCALATIONS.get(action)
    if service is None or granted_action is False:
        return granted_action
    scoped = condition_restricts(statement, ESCALATION_SCOPE_KEYS, service=service, holder=holder)
    return all3([granted_action, not3(scoped)])


def _escalation_on_every_resource(path: str, statement: Any, findings: Findings, holder: str) -> None:
    scope = _on_every_resource(statement)
    if scope is False:
        return
    verdicts = {
        action: all3([scope, _grants_unscoped(statement, action, holder)]) for action in ESCALATION_ACTIONS
    }
    _report_escalations(
        findings,
        verdicts,
        f"{path} allows ",
        lambda actions: f" on {_every_resource_named(statement)}: {_scope_advice(actions)}.",
    )


def _scope_advice(actions: list[str]) -> str:
    """How to scope the escalation ``actions`` granted on every resource: the ARNs of the kinds of
    resource they act on (:data:`ACCOUNT_WIDE_KINDS`, ``iam:PassRole``'s roles), or any specific
    ARNs where one acts on a kind the rule does not know; and, where one is scoped by a resource tag
    condition (:data:`CONDITION_SCOPED_ESCALATIONS`), that condition."""
    kinds = [_ACTION_KINDS.get(action.lower(), ()) for action in actions]
    if all(kinds):
        named = list(dict.fromkeys(kind for each in kinds for kind in each))
        advice = f"scope Resource to the specific {_either(named)} ARNs it needs"
    else:
        advice = "scope Resource to the specific ARNs it needs"
    tagged = [action for action in actions if action in CONDITION_SCOPED_ESCALATIONS]
    if not tagged:
        return advice
    services = list(dict.fromkeys(CONDITION_SCOPED_ESCALATIONS[action] for action in tagged))
    keys = " or ".join([*(f"{service}:ResourceTag/..." for service in services), "aws:ResourceTag/..."])
    if len(tagged) == len(actions):
        return f"{advice}, or restrict it with a resource tag condition ({keys})"
    return f"{advice} ({', '.join(tagged)}: or a resource tag condition, {keys})"


def _either(names: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _action_kinds() -> dict[str, tuple[str, ...]]:
    """The kinds of resource each escalation action acts on, for the advice (``"sagemaker
    notebook-instance"``), by lower-cased action name: :data:`ACCOUNT_WIDE_KINDS`', and the roles
    ``iam:PassRole`` passes (judged by ``iam-pass-role-scoped`` on every role of an account)."""
    kinds: dict[str, tuple[str, ...]] = {"iam:passrole": ("iam role",)}
    for kind in ACCOUNT_WIDE_KINDS:
        for action in kind.actions:
            kinds[action.lower()] = (*kinds.get(action.lower(), ()), f"{kind.service} {kind.name}")
    return kinds


_ACTION_KINDS = _action_kinds()


def _every_resource_named(statement: Any) -> str:
    """The statement's reach on every resource as written, for a message: ``Resource '*'`` for
    ``*`` (padded too), ``NotResource`` with its entries (every resource but those), else its broad
    ``Resource`` entries as written, with what they reach (``Resource 'arn:aws:iam::*:role/*',
    every resource of its kind in every account``)."""
    if not isinstance(statement, dict):
        return "Resource '*'"
    if "NotResource" in statement:
        excluded = statement["NotResource"]
        if isinstance(excluded, Unknown):
            return "NotResource, every resource but those it lists"
        listed = as_list(excluded)
        shown = excluded if len(listed) != 1 else listed[0]
        return f"NotResource {shown!r}, every resource but {'that one' if len(listed) == 1 else 'those'}"
    resources = statement.get("Resource")
    listed = [] if isinstance(resources, Unknown) else as_list(resources)
    broad = [r for r in listed if isinstance(r, str) and broad_resource(granted(r)) is True]
    if not broad or any(granted(r) == "*" for r in broad):
        return "Resource '*'"
    return "; ".join(f"Resource {r!r}, {_breadth(granted(r))}" for r in broad)


def _every_resource_or_named(statement: Any) -> str:
    """:func:`_every_resource_named`, but ``every resource`` for ``*`` itself."""
    named = _every_resource_named(statement)
    return "every resource" if named == "Resource '*'" else named


def _breadth(resource: str) -> str:
    """What a broad ``Resource`` entry other than ``*`` reaches (:func:`broad_resource`)."""
    parts = arn_fields(resource) or []
    if len(parts) != 6:
        return "as broad as '*'"
    if not only_wildcards(parts[5], "/:"):
        return "every resource of its kind in every account"
    account, service = parts[4], parts[2]
    where = "" if not account or only_wildcards(account) else " of the account"
    if not service or only_wildcards(service):
        return f"every resource{where}"
    if has_wildcard(service):
        return f"every resource of each service matching {service!r}{where}"
    return f"every {service} resource{where}"


def _report_escalations(
    findings: Findings, verdicts: Mapping[str, Any], before: str, after: str | Callable[[list[str]], str]
) -> None:
    """The escalation actions a statement surely grants reported in one message (their names
    between ``before`` and ``after``, or what ``after`` says of them), or, when none surely is,
    undecided if one may be."""
    escalations = sorted(action for action, verdict in verdicts.items() if verdict is True)
    if escalations:
        ending = after if isinstance(after, str) else after(escalations)
        findings.add(True, before + ", ".join(escalations) + ending)
    if not escalations:
        findings.undecided(any3(verdicts.values()))


def _escalation_on_every_principal(
    path: str, statement: Any, narrow: list[Any], findings: Findings, holder: str
) -> None:
    for resource, kinds in _every_one_of_a_kind(narrow):
        verdicts = {
            action: _grants_unscoped(statement, action, holder) for kind in kinds for action in kind.actions
        }
        named = "/".join(sorted(kind.name for kind in kinds))
        reach = "; ".join(sorted({kind.reach for kind in kinds}))
        _report_escalations(
            findings,
            verdicts,
            f"{path} allows ",
            f" on {resource!r}, every {named} of the account ({reach}): scope Resource to the ARNs it manages.",
        )


def _narrow_resources(statement: Any) -> list[Any]:
    """The ``Resource`` entries of an Allow statement that neither grants everything nor reaches
    every resource (those are judged whole); none for any other statement."""
    if not isinstance(statement, dict) or "NotResource" in statement or is_allow(statement) is not True:
        return []
    if grants_everything(statement) is True or on_broad_resources(statement) is True:
        return []
    return as_list(statement.get("Resource"))


def _every_one_of_a_kind(narrow: list[Any]) -> list[tuple[str, list[AccountWideKind]]]:
    """``(resource, kinds)`` for each of a statement's :func:`_narrow_resources` that names every one
    of a kind in :data:`ACCOUNT_WIDE_KINDS` in one account (``arn:aws:iam::123456789012:role/*``,
    ``user*``, ``arn:aws:lambda:eu-west-1:123456789012:function:*``)."""
    found = []
    for resource in narrow:
        judged = granted(resource)
        kinds = list(_account_wide_kinds(judged)) if isinstance(judged, str) else []
        if kinds:
            found.append((resource, kinds))
    return found


@functools.lru_cache(maxsize=4096)
def _account_wide_kinds(resource: str) -> tuple[AccountWideKind, ...]:
    """The kinds of :data:`ACCOUNT_WIDE_KINDS` whose every one (in one account) the ``Resource``
    entry names: a pure function of the text, asked for every statement naming it."""
    # A policy variable is one field (``${aws:PrincipalAccount}`` holds a colon).
    parts = arn_fields(resource) or []
    if len(parts) != 6 or parts[4] == "aws":  # AWS-managed policies: no customer changes them
        return ()
    # A service the request names (``arn:aws:${aws:RequestTag/s}::...``) is any the caller sends.
    service = iam_wildcard(variables_as_wildcards(parts[2], pins="resource"))
    return tuple(
        kind
        for kind in ACCOUNT_WIDE_KINDS
        if service.fullmatch(kind.service) and matches_every(parts[5], kind.probes)
    )


#: IAM escalation actions that do not change what a principal may do: its own credentials (managing
#: one's own access keys and password is AWS's documented self-service policy and grants nothing
#: new) and group membership (the group, not the principal, is the resource).
_NOT_A_PERMISSION_CHANGE = frozenset(
    {
        "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
        "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "iam:AddUserToGroup",
    }
)  # fmt: skip

#: The IAM escalation actions that change what a principal may do, by the kind of resource they act
#: on (:data:`ACCOUNT_WIDE_KINDS`' IAM ones). On a resource named through a policy variable
#: (``user/${aws:username}``), resolved from the caller's own request context, they let the caller
#: change its own permissions.
SELF_ESCALATION: Mapping[str, tuple[str, ...]] = {
    kind.name: tuple(action for action in kind.actions if action not in _NOT_A_PERMISSION_CHANGE)
    for kind in ACCOUNT_WIDE_KINDS
    if kind.service == "iam"
}

#: A policy variable (``${aws:username}``, ``${aws:PrincipalTag/team}``), not one of the escapes
#: ``${*}``, ``${?}``, ``${$}`` that stand for the characters themselves.
_POLICY_VARIABLE = re.compile(r"\$\{(?![*?$]\})[^}]*\}")


def _escalation_on_the_callers_own(path: str, statement: Any, narrow: list[Any], findings: Findings) -> None:
    """A permission-changing IAM action on a role, user, group or policy named through a policy
    variable (one of the statement's :func:`_narrow_resources`): the caller's own
    (``iam:AttachUserPolicy`` on ``user/${aws:username}``)."""
    for resource in narrow:
        judged = granted(resource)
        # Each variable stands for one name the request gives (it may hold a ':' or a '/' itself).
        parts = _POLICY_VARIABLE.sub(_VARIABLE_MARK, judged).split(":", 5) if isinstance(judged, str) else []
        # A variable as the service (``arn:aws:${aws:RequestTag/s}::...``) may be ``iam``.
        service = parts[2].replace(_VARIABLE_MARK, "*") if len(parts) == 6 else ""
        if len(parts) != 6 or parts[4] == "aws" or not iam_wildcard(service).fullmatch("iam"):
            continue  # not IAM's, or an AWS-managed policy no customer changes
        if _VARIABLE_MARK not in parts[5]:
            continue
        kinds = _kinds_named_by_a_variable(parts[5])
        verdicts = {action: covers(statement, action) for kind in kinds for action in SELF_ESCALATION[kind]}
        _report_escalations(
            findings,
            verdicts,
            f"{path} allows ",
            f" on {resource!r}, whose name comes from a policy variable: the caller's own (aws:username, "
            "aws:userid) or one its request names, whose permissions it would change. Name the ARNs it manages.",
        )


def _kinds_named_by_a_variable(name: str) -> list[str]:
    """The kinds of :data:`SELF_ESCALATION` an ARN's resource part (variables marked) names through
    a variable: one standing for the whole name (``user/${aws:username}``, ``*${aws:username}``), or
    a name built from one with no wildcard (``policy/${aws:username}-access``: the request decides
    which it is). A wildcard pattern around a variable (``role/${aws:PrincipalTag/team}-*``) is a
    name pattern, judged as a literal one is."""
    whole = iam_wildcard(name.replace(_VARIABLE_MARK, "q"))
    kinds = [
        kind for kind in SELF_ESCALATION if whole.fullmatch(f"{kind}/q") or whole.fullmatch(f"{kind}/path/q")
    ]
    if kinds or "*" in name or "?" in name:
        return kinds
    kind = name.split("/", 1)[0]
    return [kind] if kind in SELF_ESCALATION and "/" in name else []


_VARIABLE_MARK = "\x00"
"""Stands in for a policy variable while an ARN is split (no ARN holds it)."""


def _no_service_wildcard(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    for path, statement in _statements(args, findings):
        scope = _on_every_resource(statement)
        patterns = action_patterns(statement)
        if scope is False or patterns is None:
            continue
        if isinstance(patterns, Unknown):
            findings.undecided(all3([scope, patterns]))
            continue
        wildcards = [p for p in patterns if _every_action_of_a_service(p) and not is_every_action(p)]

        def message(path: str = path, wildcards: list[str] = wildcards, statement: Any = statement) -> str:
            return (
                f"{path} allows {', '.join(wildcards)} on {_every_resource_named(statement)}: name the "
                "actions used and scope "
                "Resource to the ARNs the workload touches."
            )

        findings.add(all3([scope, bool(wildcards)]), message)
        findings.undecided(all3([scope, any3(p for p in patterns if isinstance(p, Unknown))]))
    yield from findings.report()


def _every_action_of_a_service(pattern: Any) -> bool:
    """``s3:*`` and its other spellings: a name part of wildcards only, with a ``*`` (``s3:**``,
    ``s3:?*``), or a ``*`` that spans the colon (``s3*``)."""
    if not isinstance(pattern, str):
        return False
    _, colon, name = pattern.partition(":")
    return "*" in name and only_wildcards(name) if colon else pattern.endswith("*")


def _scoping_service(pattern: str) -> str:
    service = pattern.split(":", 1)[0]
    return "aws" if only_wildcards(service) or "*" in service else service


def _no_unscoped_sensitive_actions(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    holder = "role" if args.resource_type in ROLE_HELD else "any"  # a role's own ${aws:userid} scopes
    for path, statement in _statements(args, findings):
        scope = _on_every_resource(statement)
        patterns = action_patterns(statement)
        if scope is False or patterns is None:
            continue
        if isinstance(patterns, Unknown):
            findings.undecided(all3([scope, patterns]))
            continue
        flagged: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, Unknown):
                findings.undecided(all3([scope, pattern]))
                continue
            if not isinstance(pattern, str) or is_every_action(pattern) or pattern.lower() in _ESCALATION:
                continue  # Action '*' and the escalation list have their own rules
            category = sensitive_category(pattern)
            if category is None:
                continue
            keys = SERVICE_LINKED_ROLE_KEYS if pattern.lower() == SERVICE_LINKED_ROLE else RESOURCE_SCOPE_KEYS
            scoped = condition_restricts(statement, keys, service=_scoping_service(pattern), holder=holder)
            verdict = all3([scope, not3(scoped)])
            if verdict is True:
                flagged.append(f"{pattern} ({category})")
            findings.undecided(verdict)
        if flagged:  # worded only where reported: most statements report nothing
            findings.add(
                True,
                f"{path} allows {', '.join(flagged)} on {_every_resource_or_named(statement)}: scope "
                "Resource to the ARNs the workload touches, or restrict it with a resource condition "
                "(aws:ResourceTag/..., aws:ResourceAccount, kms:ViaService).",
            )
    yield from findings.report()


#: Role names a pattern matching every role of an account must match (a plain and a pathed one).
_ANY_ROLE_PROBES = ("role/zz-any-role-probe", "role/zz/any/path/zz-any-role-probe")


def _role_wildcard(resource: str) -> str | None:
    """For a role ARN with a wildcard: ``"any"`` (every role of an account) or ``"path"``.

    The wildcard may sit in the resource type too: ``role*``, ``r*`` and ``ro?e/*`` match every
    role as ``role/*`` does.
    """
    # A policy variable is one field, colon and all; one the request or the resource supplies is any
    # value (``role/${aws:RequestTag/r}`` is whichever role the caller names), the holder's own pins.
    parts = arn_fields(variables_as_wildcards(resource, pins="resource")) or []
    if len(parts) != 6 or not iam_wildcard(parts[2].lower()).fullmatch("iam"):  # ``*``, ``i?m`` too
        return None
    name = parts[5]
    if not has_wildcard(name):  # ``role/${*}`` is the role named ``*``, none can be
        return "any" if name.startswith("role/") and has_wildcard(parts[4]) else None
    if matches_every(name, _ANY_ROLE_PROBES) or (
        name.startswith("role/") and only_wildcards(name[len("role/") :], "/")
    ):
        return "any"
    fixed = re.split(r"[*?]", name, maxsplit=1)[0]
    if not (fixed.startswith("role/") or "role/".startswith(fixed)):
        return None  # matches no role (user/*, policy/*)
    return "any" if has_wildcard(parts[4]) else "path"


def _pass_role_scoped(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    for path, statement in _statements(args, findings):
        passes = all3([is_allow(statement), covers(statement, "iam:PassRole")])
        if passes is False:
            continue
        if isinstance(statement, Unknown):
            findings.undecided(statement)
            continue
        if "NotResource" in statement:
            findings.add(
                passes, f"{path} allows iam:PassRole with NotResource: list the role ARNs in Resource."
            )
            continue
        resources = statement.get("Resource")
        for resource in [resources] if isinstance(resources, Unknown) else as_list(resources):
            if isinstance(resource, Unknown):
                findings.undecided(all3([passes, resource]))
                continue
            judged = granted(resource)
            kind = "any" if broad_resource(judged) is True else _role_wildcard(str(judged))
            if kind == "any":
                findings.add(
                    passes,
                    f"{path} allows iam:PassRole on {resource!r}, every role: name the execution role ARN.",
                )
            elif kind == "path":
                condition = condition_restricts(statement, PASSED_TO_SERVICE, service="iam")
                findings.add(
                    all3([passes, not3(condition)]),
                    f"{path} allows iam:PassRole on {resource!r} without an iam:PassedToService condition: "
                    "name the role ARN, or add StringEquals iam:PassedToService for the one service.",
                )
    yield from findings.report()


_FRAMEWORK_TAGS = ["iam", "least-privilege"]

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
    framework=framework(CHECKOV, "CKV_AWS_62", "CKV_AWS_63, CKV_AWS_1"),
    tags=_FRAMEWORK_TAGS,
)

iam_no_privilege_escalation = resource_rule(
    name="iam-no-privilege-escalation",
    description=(
        "IAM policies must not allow privilege-escalation actions (iam:PassRole, "
        "iam:CreatePolicyVersion, iam:Attach*/Put*Policy, permissions boundaries, access keys, "
        "iam:UpdateAssumeRolePolicy, lambda:UpdateFunctionCode, ssm:SendCommand, SageMaker's presigned "
        "notebook and Studio URLs and remote IDE sessions, and updates that make a resource run code "
        "of the caller's choosing as its role: lifecycle configurations of notebooks and Studio "
        "domains, profiles and spaces, glue:UpdateJob, codebuild:UpdateProject, "
        "states:UpdateStateMachine, lambda:UpdateFunctionConfiguration ...) on every "
        "resource, nor on every one of the kind they act on in an account (every role, user, "
        "group or policy, Lambda function, Glue dev endpoint or job, CodeBuild project, state machine, "
        "EC2 instance, SSM managed node, SageMaker notebook instance or lifecycle configuration, Studio "
        "domain, user profile or space: "
        "arn:aws:iam::123456789012:role/*), nor IAM's permission changes on one named through a policy "
        "variable (user/${aws:username}: the caller's own). Fix: scope Resource to the specific ARNs it "
        "needs (the SageMaker actions but UpdateNotebookInstanceLifecycleConfig, "
        "codebuild:UpdateProject, states:UpdateStateMachine: or by a resource tag condition of their "
        "service, <service>:/aws:ResourceTag)."
    ),
    resource_types=TYPES,
    check=_no_privilege_escalation,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_286", "CKV_AWS_287, CKV_AWS_288"),
    tags=_FRAMEWORK_TAGS,
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
    tags=_FRAMEWORK_TAGS,
)

iam_no_unscoped_sensitive_actions = resource_rule(
    name="iam-no-unscoped-sensitive-actions",
    description=(
        "IAM policies must not allow write, permissions-management, credential or data/secret-read "
        "actions (s3:Put*, iam:*, sts:AssumeRole, secretsmanager:GetSecretValue, ssm:GetParameter*, "
        "kms:Decrypt ...) on every resource. Actions AWS only authorises on '*' "
        "(ecr:GetAuthorizationToken, cloudwatch:PutMetricData, Describe/List) are exempt. Fix: scope "
        "Resource to ARNs, or add a resource condition (aws:ResourceTag/..., aws:ResourceAccount, "
        "kms:ViaService; iam:AWSServiceName for iam:CreateServiceLinkedRole)."
    ),
    resource_types=TYPES,
    check=_no_unscoped_sensitive_actions,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_290", "CKV_AWS_287, CKV_AWS_288, CKV_AWS_289, CKV_AWS_355"),
    tags=_FRAMEWORK_TAGS,
)

iam_pass_role_scoped = resource_rule(
    name="iam-pass-role-scoped",
    description=(
        "iam:PassRole (also through iam:* or *) must name roles: never '*' or every role of an "
        "account (arn:aws:iam::*:role/*, arn:aws:iam::123456789012:role/*); a path or name wildcard "
        "(role/mlops/*) needs an iam:PassedToService condition. Fix: list the execution role ARNs."
    ),
    resource_types=TYPES,
    check=_pass_role_scoped,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_286", "cloudsplaining iam:PassRole privilege escalation"),
    tags=_FRAMEWORK_TAGS,
)

POLICIES = [
    iam_no_admin_access,
    iam_no_privilege_escalation,
    iam_no_service_wildcard,
    iam_no_unscoped_sensitive_actions,
    iam_pass_role_scoped,
]
