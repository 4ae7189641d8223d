"""Second read of session 63's policy-pack change (13915dd..6db8e36), each case failing before its fix.

1. A padded ``Principal`` string (``" *"``) is anyone to the rules refusing an Allow to anyone, as a
   padded ``Effect`` and a padded ``{"AWS": " *"}`` already were: ``kms-key-policy-no-public-principal``,
   ``iam-role-trust-not-public`` and ``iam-role-federated-trust-scoped`` compared it with ``"*"``
   exactly and passed it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import findings, json_document

# --- 1. a padded Principal string is anyone -----------------------------------------------------

OPEN_TO_ANYONE = [
    pytest.param(
        "kms-key-policy-no-public-principal", "aws:kms/keyPolicy:KeyPolicy", "policy", "kms:Decrypt", id="key"
    ),
    pytest.param(
        "iam-role-trust-not-public", "aws:iam/role:Role", "assumeRolePolicy", "sts:AssumeRole", id="trust"
    ),
    pytest.param(
        "iam-role-federated-trust-scoped",
        "aws:iam/role:Role",
        "assumeRolePolicy",
        "sts:AssumeRoleWithWebIdentity",
        id="federated",
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("principal", [" *", "* ", "*"])
@pytest.mark.parametrize(("policy", "resource_type", "prop", "action"), OPEN_TO_ANYONE)
def test_a_padded_principal_string_is_anyone(
    policy: str, resource_type: str, prop: str, action: str, principal: str, outputs: bool
) -> None:
    """Trimmed, ``" *"`` is ``"*"``: the widest reading, which a rule refusing an Allow takes."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    found, undecided = findings(policy, resource_type, {prop: json_document(statement)}, outputs=outputs)
    assert undecided == 0 and len(found) == 1, (principal, found)


@pytest.mark.parametrize("principal", [{"AWS": " *"}, {"AWS": ["arn:aws:iam::111122223333:root", "* "]}])
def test_a_padded_aws_wildcard_lets_any_identity_provider_in(principal: dict[str, Any]) -> None:
    """``iam-role-federated-trust-scoped`` reads ``{"AWS": " *"}`` as ``"*"`` too (it compared the list
    entries with ``"*"`` exactly, and found no provider to judge)."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRoleWithWebIdentity"}
    found, undecided = findings(
        "iam-role-federated-trust-scoped", "aws:iam/role:Role", {"assumeRolePolicy": json_document(statement)}
    )
    assert undecided == 0 and len(found) == 1 and "any identity provider" in found[0], found


@pytest.mark.parametrize(("policy", "resource_type", "prop", "action"), OPEN_TO_ANYONE)
def test_a_named_principal_padded_is_still_no_one_else(
    policy: str, resource_type: str, prop: str, action: str
) -> None:
    """The twin: a padded account principal is not anyone (the trust pins its account)."""
    principal = {"AWS": " arn:aws:iam::111122223333:root"}
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    assert findings(policy, resource_type, {prop: json_document(statement)}) == ([], 0)
