"""KMS rules: keys rotate, and no key policy lets anyone use or administer the key.

Key policies are read from ``aws:kms/key:Key``, ``keyPolicy``, ``replicaKey``, ``externalKey``,
``replicaExternalKey`` (``policy``) and ``aws-native:kms:Key``/``ReplicaKey`` (``keyPolicy``), as
JSON strings or objects; unknown values follow ``_iam_documents`` (known facts reported, the
rest undecided).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ARN_PATTERN_HINT,
    CHECKOV,
    CRITICAL,
    FSBP,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    is_set,
    is_true,
    resource_rule,
    shown,
)
from ._deny_credit import credited
from ._iam_documents import (
    INVALID,
    PRINCIPAL_KEYS,
    ConditionKey,
    Findings,
    all3,
    any3,
    condition_restricts,
    covers_any,
    is_allow,
    not3,
    parse_document,
    principal_is_anyone,
    read,
    statements,
)

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
NATIVE_KEY = "aws-native:kms:Key"
#: Where each type keeps its key policy.
KEY_POLICY_PROPS = {
    KEY: "policy",
    KEY_POLICY: "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:kms/externalKey:ExternalKey": "policy",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
    NATIVE_KEY: "keyPolicy",
    "aws-native:kms:ReplicaKey": "keyPolicy",
}
#: Conditions that pin who may use a key shared with ``*``: the IAM principal keys plus
#: ``kms:CallerAccount``. ``kms:ViaService`` alone does not: any account's principals can call
#: the service.
KEY_POLICY_KEYS: tuple[ConditionKey, ...] = (*PRINCIPAL_KEYS, ConditionKey("kms:CallerAccount", "id"))
#: The keys a Deny may restrict a key policy's Allow to (``_deny_credit``): the same callers' keys.
DENY_CREDIT_KEYS = frozenset(key.pattern.lower() for key in KEY_POLICY_KEYS) - {
    "aws:principalorgpaths",
    "aws:sourceorgpaths",
}
#: Actions that change who controls the key or destroy it: never for a wildcard principal.
#: Deleting imported key material halts every use of the key, as disabling it does (for good, if
#: the material was not kept).
KEY_ADMIN_ACTIONS = (
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DeleteImportedKeyMaterial",
    "kms:ReplicateKey",
    "kms:UpdatePrimaryRegion",
)

Check = Iterator[str]


def _key_rotation_enabled(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    spec = get(args.props, "customerMasterKeySpec") or get(args.props, "keySpec")  # aws-native: keySpec
    if spec not in (None, "SYMMETRIC_DEFAULT"):
        return  # asymmetric and HMAC keys cannot rotate automatically
    if get(args.props, "origin") not in (None, "AWS_KMS"):
        return  # imported (EXTERNAL) or external-store key material cannot rotate automatically
    if is_set(get(args.props, "customKeyStoreId")):
        return  # keys in a CloudHSM or external key store (pulumi-aws) cannot rotate automatically
    if not is_true(get(args.props, "enableKeyRotation")):
        yield f"enableKeyRotation is {shown(get(args.props, 'enableKeyRotation'))}: set enable_key_rotation=True."


def _key_policy_no_public_principal(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    findings = Findings()
    prop = KEY_POLICY_PROPS[args.resource_type]
    document = parse_document(read(args.props, prop))
    if document is None:
        return  # the default key policy grants the account root only
    if document is INVALID:
        yield f"{prop} is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON key policy document."
        return
    found = statements(document)
    for label, statement in found:
        anyone = all3([is_allow(statement), principal_is_anyone(statement)])
        if anyone is False:
            continue
        restricted = condition_restricts(statement, KEY_POLICY_KEYS)
        if restricted is not True and isinstance(statement, dict):
            # A Deny to everyone outside fixed values of one caller key (not a network key: the
            # rule pins who calls), covering the Allow's actions and resources, restricts it too.
            restricted = any3([restricted, credited(statement, [s for _, s in found], DENY_CREDIT_KEYS)])
        unconditional = all3([anyone, not3(restricted)])
        findings.add(
            unconditional,
            f"{prop} {label} allows Principal '*' without a condition that pins the caller: name the "
            "account or roles as principals, or add kms:CallerAccount/aws:PrincipalOrgID/aws:PrincipalArn "
            f"(a service's caller: aws:SourceAccount); {ARN_PATTERN_HINT}.",
        )
        if unconditional is not True:
            findings.add(
                all3([anyone, covers_any(statement, KEY_ADMIN_ACTIONS)]),
                f"{prop} {label} lets Principal '*' administer the key (kms:* or key-policy/deletion "
                "actions), even with a condition: grant key administration to named roles only.",
            )
    yield from findings.report()


kms_key_rotation_enabled = resource_rule(
    name="kms-key-rotation-enabled",
    description=(
        "Symmetric KMS keys (aws:kms/key:Key, aws-native:kms:Key) must rotate automatically. Fix: set "
        "enableKeyRotation=true (asymmetric, HMAC, imported-material and custom-key-store keys, which cannot rotate, "
        "are exempt)."
    ),
    resource_types=[KEY, NATIVE_KEY],
    check=_key_rotation_enabled,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "KMS.4", "Checkov CKV_AWS_7"),
    tags=["kms", "encryption"],
)

kms_key_policy_no_public_principal = resource_rule(
    name="kms-key-policy-no-public-principal",
    description=(
        "KMS key policies must not allow Principal '*' (or NotPrincipal) unless a condition pins the "
        "caller (kms:CallerAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, "
        "aws:SourceAccount/Arn), and never let it administer the key (kms:*, kms:PutKeyPolicy, "
        "kms:ScheduleKeyDeletion, kms:DisableKey, kms:DeleteImportedKeyMaterial, kms:ReplicateKey, "
        "kms:UpdatePrimaryRegion). Fix: list the account root or specific roles as principals."
    ),
    resource_types=KEY_POLICY_PROPS,
    check=_key_policy_no_public_principal,
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_33"),
    tags=["kms", "access"],
)

POLICIES = [kms_key_rotation_enabled, kms_key_policy_no_public_principal]
