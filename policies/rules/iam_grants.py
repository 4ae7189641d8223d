"""Who may assume a role, and administrator policies attached to principals.

* Trust policies (``aws:iam/role:Role.assumeRolePolicy``, ``aws-native:iam:Role.
  assumeRolePolicyDocument``) must not let anyone (``Principal: "*"``, ``{"AWS": "*"}``,
  ``NotPrincipal``) assume the role unless a condition pins the caller: organization,
  account, principal ARN, calling resource or ``sts:ExternalId`` (``PRINCIPAL_KEYS``).
  Negated, ``...IfExists`` and ``ForAllValues`` operators, all-wildcard values and keys that do
  not identify the caller (``aws:SecureTransport``, ``aws:SourceIp``) do not count.
* A role EKS Pod Identity may assume (``Principal: {"Service": "pods.eks.amazonaws.com"}``)
  names the namespace and service account whose pods receive its credentials: a positive,
  wildcard-free condition on the session tags ``aws:RequestTag/kubernetes-namespace`` and
  ``aws:RequestTag/kubernetes-service-account``. Without them any Pod Identity association of the
  account (made by anyone allowed to pass the role) binds it to any pod.
* Every attachment path (``*PolicyAttachment``, ``PolicyAttachment``, ``*PolicyAttachmentsExclusive``,
  ``Role.managedPolicyArns``, aws-native ``Role``/``User``/``Group.managedPolicyArns``, IAM
  Identity Center ``ManagedPolicyAttachment(sExclusive)`` and ``PermissionSet.managedPolicies``) must not
  attach an AWS-managed administrator-equivalent policy (any partition), nor (stack rule) a
  customer-managed policy of the stack that grants everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from ._common import (
    ADVISORY,
    ARN_PATTERN_HINT,
    CHECKOV,
    CRITICAL,
    HIGH,
    MANDATORY,
    deps,
    each_resource,
    framework,
    matches_every,
    resource_rule,
    stack_rule,
)
from ._iam_documents import (
    PRINCIPAL_KEYS,
    ConditionKey,
    Findings,
    Unknown,
    all3,
    any3,
    as_list,
    condition_restricts,
    granted,
    grants_everything,
    is_allow,
    not3,
    on_broad_resources,
    parse_document,
    principal_is_anyone,
    read,
    statements,
    wildcard_match,
)

ROLE = "aws:iam/role:Role"
NATIVE_ROLE = "aws-native:iam:Role"
TRUST_DOCUMENTS = {ROLE: "assumeRolePolicy", NATIVE_ROLE: "assumeRolePolicyDocument"}
TRUST_KEYS: tuple[ConditionKey, ...] = (*PRINCIPAL_KEYS, ConditionKey("sts:ExternalId", "id"))

#: Where each type names the managed policies it attaches.
ATTACHMENTS: Mapping[str, str] = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    ROLE: "managedPolicyArns",
    NATIVE_ROLE: "managedPolicyArns",
    "aws-native:iam:User": "managedPolicyArns",
    "aws-native:iam:Group": "managedPolicyArns",
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": "managedPolicyArn",
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": "managedPolicyArns",
    "aws-native:sso:PermissionSet": "managedPolicies",
}
#: Customer-managed policy types a stack may attach, and their document property.
MANAGED_POLICIES: Mapping[str, str] = {
    "aws:iam/policy:Policy": "policy",
    "aws-native:iam:ManagedPolicy": "policyDocument",
}
#: AWS-managed policies that amount to administrator access: AdministratorAccess (``*`` on
#: ``*``), PowerUserAccess (Allow + NotAction iam/organizations/account) and IAMFullAccess
#: (``iam:*``: can attach AdministratorAccess to itself).
ADMIN_EQUIVALENT_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]
_AWS_MANAGED = re.compile(
    r"arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)", re.IGNORECASE | re.DOTALL
)

Check = Iterator[str]


def _trust_not_public(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    prop = TRUST_DOCUMENTS[args.resource_type]
    document = parse_document(read(args.props, prop))
    if document is not None and not isinstance(document, dict | Unknown):
        findings.add(
            True,
            f"{prop} is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON trust policy.",
        )
    for label, statement in statements(document):
        anyone = all3([is_allow(statement), principal_is_anyone(statement)])
        restricted = condition_restricts(statement, TRUST_KEYS)
        findings.add(
            all3([anyone, not3(restricted)]),
            f"{prop} {label} lets any principal ('*') assume the role without a condition on "
            "aws:PrincipalOrgID/aws:PrincipalAccount/aws:PrincipalArn/aws:SourceAccount/aws:SourceArn/"
            f"sts:ExternalId: name the trusted service or account as Principal; {ARN_PATTERN_HINT}.",
        )
    yield from findings.report()


POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
#: The session tags EKS Pod Identity sets that a Pod Identity trust must pin, by what they name.
POD_IDENTITY_TAGS: Mapping[str, ConditionKey] = {
    "namespace": ConditionKey("aws:RequestTag/kubernetes-namespace", "id"),
    "service account": ConditionKey("aws:RequestTag/kubernetes-service-account", "id"),
}


def _trusts_pod_identity(statement: Any) -> Any:
    if isinstance(statement, Unknown):
        return statement
    principal = statement.get("Principal")
    if isinstance(principal, Unknown):
        return principal
    if not isinstance(principal, dict):
        return False
    services = principal.get("Service")
    if isinstance(services, Unknown):
        return services
    return any3(
        s if isinstance(s, Unknown) else isinstance(s, str) and s.lower() == POD_IDENTITY_SERVICE
        for s in as_list(services)
    )


def _pod_identity_trust_scoped(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    prop = TRUST_DOCUMENTS[args.resource_type]
    for label, statement in statements(parse_document(read(args.props, prop))):
        pod_identity = all3([is_allow(statement), _trusts_pod_identity(statement)])
        for what, key in POD_IDENTITY_TAGS.items():
            findings.add(
                all3([pod_identity, not3(condition_restricts(statement, [key]))]),
                f"{prop} {label} lets EKS Pod Identity assume the role for any {what}: add a "
                f"StringEquals condition on {key.pattern} (and aws:RequestTag/eks-cluster-name), so "
                "only the association's pods receive its credentials.",
            )
    yield from findings.report()


def _admin_policy_name(arn: Any, forbidden: list[str]) -> Any:
    """The forbidden AWS-managed policy ``arn`` names, None, or :class:`Unknown`."""
    if isinstance(arn, Unknown):
        return arn
    match = _AWS_MANAGED.fullmatch(arn.strip()) if isinstance(arn, str) else None
    if match is None:
        return None
    name = match["name"].strip().lower()  # surrounding white space must not hide the name
    return next((f for f in forbidden if wildcard_match(f, name) is True), None)


def _no_admin_managed_policy(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Check:
    findings = Findings()
    prop = ATTACHMENTS[args.resource_type]
    forbidden = [str(name) for name in config.get("forbiddenManagedPolicies", ADMIN_EQUIVALENT_POLICIES)]
    value = read(args.props, prop)
    arns = [value] if isinstance(value, Unknown) else as_list(value)
    for index, arn in enumerate(arns):
        name = _admin_policy_name(arn, forbidden)
        where = f"{prop}[{index}]" if isinstance(value, list) else prop
        if isinstance(name, Unknown):
            findings.undecided(name)
        elif name is not None:
            findings.add(
                True,
                f"{where} attaches the AWS-managed {name} ({arn}), administrator-equivalent: attach a "
                "policy that lists the actions and resources the principal needs.",
            )
    yield from findings.report()


def grants_admin(document: Any) -> Any:
    """Whether a policy document grants everything (``*``, NotAction) or ``iam:*`` everywhere."""
    verdicts = []
    for _, statement in statements(document):
        full_iam = all3([is_allow(statement), _has_full_iam(statement), on_broad_resources(statement)])
        verdicts.append(any3([grants_everything(statement), full_iam]))
    return any3(verdicts)


def _has_full_iam(statement: Any) -> Any:
    if isinstance(statement, Unknown):
        return statement
    actions = statement.get("Action")
    if "NotAction" in statement or isinstance(actions, Unknown):
        return actions if isinstance(actions, Unknown) else False
    return any3(
        a if isinstance(a, Unknown) else _reaches_every_iam_action(granted(a)) for a in as_list(actions)
    )


#: IAM actions of different names and lengths: a pattern that matches all of them grants IAM whole.
_IAM_ACTION_PROBES = (
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:AttachRolePolicy",
    "iam:X",
    "iam:" + "Q" * 64,
)


def _reaches_every_iam_action(pattern: Any) -> bool:
    """``iam:*`` and every other spelling of it (``i?m:?*``, ``IAM:**``, ``iam*``, ``*am*``): a
    pattern that matches IAM actions of any name."""
    if not isinstance(pattern, str):
        return False
    return matches_every(pattern, _IAM_ACTION_PROBES, ignore_case=True)


def _policy_arn_name(arn: Any) -> str | None:
    """``arn:aws:iam::123:policy/path/name`` -> ``name`` (customer-managed policies only)."""
    if not isinstance(arn, str) or _AWS_MANAGED.fullmatch(arn):
        return None
    match = re.match(r"^arn:[^:]+:iam::[^:]*:policy/(?:.*/)?([^/]+)$", arn)
    return match[1] if match else None


def _attached_policies(resource: PolicyResource, policies: list[PolicyResource]) -> list[PolicyResource]:
    """Stack policies ``resource`` attaches: through the ARN input's dependencies and by name.

    While the ARNs, or any of them, are unknown (preview) the dependencies are what is known. Once they are known,
    each names its policy: a dependency only records what a value was computed from, so a linked
    policy whose known name no ARN names is not attached, and an ARN written literally next to an
    Output (``[reader.arn, "arn:...:policy/admin"]``) attaches its policy as well.
    """
    prop = ATTACHMENTS[resource.resource_type]
    linked = [d for d in deps(resource, prop) if d.resource_type in MANAGED_POLICIES]
    value = read(resource.props, prop)
    if isinstance(value, Unknown):
        return linked
    arns = as_list(value)
    names = {_policy_arn_name(arn) for arn in arns} - {None}
    if any(isinstance(arn, Unknown) for arn in arns):
        # An unknown element (a policy's ARN Output at preview) may be any linked policy's.
        attached = list(linked)
    else:
        attached = [d for d in linked if not isinstance(_policy_name(d), str) or _policy_name(d) in names]
    for policy in policies:
        name = _policy_name(policy)
        if isinstance(name, str) and name in names and policy not in attached:
            attached.append(policy)
    return attached


def _policy_name(policy: PolicyResource) -> Any:
    return read(
        policy.props, "name" if policy.resource_type == "aws:iam/policy:Policy" else "managedPolicyName"
    )


def _admin_policy_not_attached(
    args: StackValidationArgs, _: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    policies = [r for r in args.resources if r.resource_type in MANAGED_POLICIES]

    def check(resource: PolicyResource) -> Iterator[tuple[str, str | None]]:
        for policy in _attached_policies(resource, policies):
            verdict = grants_admin(parse_document(read(policy.props, MANAGED_POLICIES[policy.resource_type])))
            if isinstance(verdict, Unknown):
                raise verdict.error
            if verdict:
                yield (
                    f"{ATTACHMENTS[resource.resource_type]} attaches {policy.name}, a policy of this stack "
                    "that allows every action (or iam:* on every resource): attach a least-privilege policy.",
                    resource.urn,
                )

    # an attachment whose policy document is unknown is counted undecided, the rest reported
    yield from each_resource(args.resources, ATTACHMENTS, check)


iam_role_trust_not_public = resource_rule(
    name="iam-role-trust-not-public",
    description=(
        "A role's trust policy must not let any principal ('*', {'AWS': '*'}, NotPrincipal) assume "
        "it unless a condition pins the caller (aws:PrincipalOrgID, aws:PrincipalAccount, "
        "aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, sts:ExternalId). Fix: name the trusted "
        "service or account as Principal."
    ),
    resource_types=TRUST_DOCUMENTS,
    check=_trust_not_public,
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_60"),
    tags=["iam", "access"],
)

iam_pod_identity_trust_scoped = resource_rule(
    name="iam-pod-identity-trust-scoped",
    description=(
        "A role trusting EKS Pod Identity (pods.eks.amazonaws.com) must pin the namespace and the "
        "service account it serves with positive, wildcard-free conditions on the session tags "
        "aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account: "
        "otherwise any Pod Identity association of the account binds it to any pod. Fix: add them "
        "(and aws:RequestTag/eks-cluster-name) under StringEquals, with the association's values."
    ),
    resource_types=TRUST_DOCUMENTS,
    check=_pod_identity_trust_scoped,
    enforcement_level=ADVISORY,
    severity=HIGH,
    tags=["iam", "access", "kubernetes"],
)

iam_no_admin_managed_policy = resource_rule(
    name="iam-no-admin-managed-policy",
    description=(
        "Attachments and managedPolicyArns must not attach an administrator-equivalent AWS-managed "
        "policy (forbiddenManagedPolicies: AdministratorAccess, PowerUserAccess, IAMFullAccess, in "
        "any partition). Fix: attach a policy listing the actions and resources the principal needs."
    ),
    resource_types=ATTACHMENTS,
    check=_no_admin_managed_policy,
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_274", "CKV2_AWS_56, CKV_AWS_62, CKV_AWS_63"),
    config={
        "forbiddenManagedPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": ADMIN_EQUIVALENT_POLICIES,
            "description": "AWS-managed policy names (wildcards allowed) never to attach.",
        }
    },
    tags=["iam", "least-privilege"],
)

iam_admin_policy_not_attached = stack_rule(
    name="iam-admin-policy-not-attached",
    description=(
        "No attachment or managedPolicyArns may attach a customer-managed policy of the stack "
        "(aws:iam/policy:Policy, aws-native:iam:ManagedPolicy) that allows every action or iam:* "
        "on every resource, found through the ARN's property dependency or the policy name. Fix: "
        "attach a least-privilege policy."
    ),
    check=_admin_policy_not_attached,
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_62", "CKV_AWS_274"),
    tags=["iam", "least-privilege"],
)

POLICIES = [
    iam_role_trust_not_public,
    iam_pod_identity_trust_scoped,
    iam_no_admin_managed_policy,
    iam_admin_policy_not_attached,
]
