"""KMS rules: keys rotate, and no key policy lets anyone use the key unconditionally."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    CHECKOV,
    CRITICAL,
    FSBP,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    is_set,
    is_true,
    parse_json,
    policy_statements,
    principal_is_public,
    resource_rule,
    shown,
)

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"

Check = Iterator[str]


def _key_rotation_enabled(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    spec = get(args.props, "customerMasterKeySpec")
    if spec not in (None, "SYMMETRIC_DEFAULT"):
        return  # asymmetric and HMAC keys cannot rotate automatically
    if not is_true(get(args.props, "enableKeyRotation")):
        yield f"enableKeyRotation is {shown(get(args.props, 'enableKeyRotation'))}: set enable_key_rotation=True."


def _key_policy_no_public_principal(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    raw = get(args.props, "policy")
    if raw is None:
        return  # the default key policy grants the account root only
    document = parse_json(raw)
    if document is None:
        yield "policy is not valid JSON: pass a JSON key policy document."
        return
    for index, statement in enumerate(policy_statements(document)):
        if (
            statement.get("Effect") == "Allow"
            and principal_is_public(statement.get("Principal"))
            and not is_set(statement.get("Condition"))
        ):
            yield (
                f"policy Statement[{index}] allows Principal '*' without a Condition: name the account or "
                "roles as principals, or add a Condition such as kms:CallerAccount/kms:ViaService."
            )


kms_key_rotation_enabled = resource_rule(
    name="kms-key-rotation-enabled",
    description=(
        "Symmetric KMS keys must rotate automatically. Fix: set enableKeyRotation=true "
        "(asymmetric and HMAC keys, which cannot rotate, are exempt)."
    ),
    resource_types=[KEY],
    check=_key_rotation_enabled,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "KMS.4", "Checkov CKV_AWS_7"),
    tags=["kms", "encryption"],
)

kms_key_policy_no_public_principal = resource_rule(
    name="kms-key-policy-no-public-principal",
    description=(
        "KMS key policies must not allow Principal '*' without a Condition. Fix: list the account "
        "root or specific roles as principals, or restrict the statement with a Condition."
    ),
    resource_types=[KEY, KEY_POLICY],
    check=_key_policy_no_public_principal,
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_33"),
    tags=["kms", "access"],
)

POLICIES = [kms_key_rotation_enabled, kms_key_policy_no_public_principal]
