"""Second read of the public-access change (a Deny credited, narrow CIDRs).

- A Deny is credited only with an operator of its key's type: ``ArnNotEquals``/``ArnNotLike`` on an
  ARN key, ``NotIpAddress`` on ``aws:SourceIp``. On ``aws:SourceVpce`` or ``kms:CallerAccount`` the
  request's value is not an ARN or an address, IAM documents no outcome, and the Deny may never
  apply: the Allow to ``*`` stays refused.
- An IPv6 range is read as the IPv4 range it reaches through IPv4-mapped addresses whatever its
  length: ``::/64`` and ``::ffff:0:0/95`` hold every ``::ffff:a.b.c.d``, all of IPv4, though both
  are narrower than ``/32``; and a list of mapped ``/104`` ranges (each an IPv4 ``/8``), alone or
  beside IPv4 ``/8`` ranges, that adds up to every IPv4 address restricts nothing.
- Branches of the change that no test pinned (a mutation of each survived the change's tests): an
  Allow with ``NotAction`` waits for a Deny action unknown at preview; a Deny's resource is compared
  case-sensitively; a Deny on an organization path is no credit; a mapped ``/103`` is broader than
  ``/8``; an SSM document's ``account_ids`` is a comma-separated list whose ``All`` may be padded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import findings

QUEUE = "aws:sqs/queuePolicy:QueuePolicy"
BUCKET = "aws:s3/bucketPolicy:BucketPolicy"
KEY = "aws:kms/keyPolicy:KeyPolicy"

SEND: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
READ: dict[str, Any] = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::b/*",
}
DECRYPT: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}


def _deny(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
        "Condition": {operator: {key: value}},
    }


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _queue(*statements: dict[str, Any], outputs: bool = False) -> tuple[list[str], int]:
    inputs = {"queueUrl": "https://sqs/q", "policy": _document(*statements)}
    return findings("resource-policy-not-public", QUEUE, inputs, outputs=outputs)


def _bucket(*statements: dict[str, Any], outputs: bool = False) -> tuple[list[str], int]:
    inputs = {"bucket": "b", "policy": _document(*statements)}
    return findings("s3-bucket-policy-not-public", BUCKET, inputs, outputs=outputs)


def _key(*statements: dict[str, Any], outputs: bool = False) -> tuple[list[str], int]:
    inputs = {"keyId": "k", "policy": _document(*statements)}
    return findings("kms-key-policy-no-public-principal", KEY, inputs, outputs=outputs)


def _refused_once(result: tuple[list[str], int]) -> bool:
    messages, undecided = result
    return undecided == 0 and len(messages) == 1 and "Statement[0] allows" in messages[0]


# --- operator and key of one type ------------------------------------------------------------------

MISTYPED = [
    pytest.param("ArnNotEquals", "aws:SourceVpce", "vpce-1a2b3c4d", id="arn-operator-on-endpoint"),
    pytest.param("ArnNotLike", "aws:SourceVpce", "vpce-1a2b3c4d", id="arn-like-on-endpoint"),
    pytest.param("ArnNotEquals", "aws:SourceAccount", "111122223333", id="arn-operator-on-account"),
    pytest.param("NotIpAddress", "aws:SourceVpce", "vpce-1a2b3c4d", id="ip-operator-on-endpoint"),
    pytest.param("NotIpAddress", "aws:PrincipalOrgID", "o-a1b2c3d4e5", id="ip-operator-on-org"),
]
TYPED = [
    pytest.param("StringNotEquals", "aws:SourceVpce", "vpce-1a2b3c4d", id="string-on-endpoint"),
    pytest.param("ArnNotEquals", "aws:SourceArn", "arn:aws:sns:eu-west-1:111122223333:t", id="arn-on-arn"),
    pytest.param("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/*", id="arn-like-on-arn"),
    pytest.param("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", id="ip-on-source-ip"),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("operator", "key", "value"), MISTYPED)
def test_a_deny_whose_operator_does_not_fit_its_key_is_no_credit(
    operator: str, key: str, value: str, outputs: bool
) -> None:
    deny = _deny(operator, key, value)
    assert _refused_once(_queue(SEND, deny, outputs=outputs))
    assert _refused_once(_bucket(READ, deny, outputs=outputs))


@pytest.mark.parametrize(("operator", "key", "value"), TYPED)
def test_a_deny_whose_operator_fits_its_key_is_credited(operator: str, key: str, value: str) -> None:
    deny = _deny(operator, key, value)
    assert _queue(SEND, deny) == ([], 0)
    assert _bucket(READ, deny) == ([], 0)
    assert _refused_once(_queue(SEND))  # the Allow alone is refused: the Deny is what passes it


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_key_deny_with_an_arn_operator_on_the_caller_account_is_no_credit(outputs: bool) -> None:
    typed = _deny("StringNotEquals", "kms:CallerAccount", "111122223333")
    assert _key(DECRYPT, typed, outputs=outputs) == ([], 0)
    mistyped = _deny("ArnNotEquals", "kms:CallerAccount", "111122223333")
    messages, undecided = _key(DECRYPT, mistyped, outputs=outputs)
    assert undecided == 0 and len(messages) == 1 and "Statement[0]" in messages[0]


# --- IPv6 ranges reaching all of IPv4 through mapped addresses ---------------------------------------

EVERY_V4_MAPPED = [f"::ffff:{i}.0.0.0/104" for i in range(256)]
HALF_AND_HALF = [f"::ffff:{i}.0.0.0/104" for i in range(128)] + [f"{i}.0.0.0/8" for i in range(128, 256)]
BROAD = [
    pytest.param("::/64", id="ipv4-compatible-and-mapped-64"),
    pytest.param("::ffff:0:0/95", id="mapped-block-supernet"),
    pytest.param("::ffff:0.0.0.0/97", id="mapped-half-of-ipv4"),
    pytest.param(EVERY_V4_MAPPED, id="every-ipv4-slash-8-mapped"),
    pytest.param(HALF_AND_HALF, id="mapped-and-plain-slash-8s-adding-up"),
    # every address but one /8: more public addresses than a /8 (tests/policies/test_adversary_67.py)
    pytest.param(EVERY_V4_MAPPED[:255], id="all-but-one-slash-8-mapped"),
]
NARROW = [
    pytest.param("::ffff:10.0.0.0/104", id="mapped-slash-8"),
    pytest.param("2001:db8::/32", id="ipv6-slash-32"),
    pytest.param(EVERY_V4_MAPPED[1:2], id="one-public-slash-8-mapped"),
]


def _from(cidrs: Any, statement: dict[str, Any]) -> dict[str, Any]:
    return {**statement, "Condition": {"IpAddress": {"aws:SourceIp": cidrs}}}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize("cidrs", BROAD)
def test_an_ipv6_range_reaching_every_ipv4_address_restricts_nothing(cidrs: Any, outputs: bool) -> None:
    assert _refused_once(_bucket(_from(cidrs, READ), outputs=outputs))
    assert _refused_once(_queue(_from(cidrs, SEND), outputs=outputs))
    assert _refused_once(_queue(SEND, _deny("NotIpAddress", "aws:SourceIp", cidrs), outputs=outputs))


@pytest.mark.parametrize("cidrs", NARROW)
def test_a_narrow_ipv6_or_mapped_range_restricts(cidrs: Any) -> None:
    assert _bucket(_from(cidrs, READ)) == ([], 0)
    assert _queue(_from(cidrs, SEND)) == ([], 0)
    assert _queue(SEND, _deny("NotIpAddress", "aws:SourceIp", cidrs)) == ([], 0)


# --- branches of the change no test pinned (each found by a mutation that survived) ---------------

NATIVE_QUEUE = "aws-native:sqs:QueueInlinePolicy"


def _native_queue(*statements: dict[str, Any]) -> tuple[list[str], int]:
    inputs = {
        "queue": "https://sqs/q",
        "policyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
    }
    return findings("resource-policy-not-public", NATIVE_QUEUE, inputs)


def test_an_allow_to_everything_but_some_actions_waits_for_a_deny_action_unknown_at_preview() -> None:
    # NotAction: only a Deny of every action covers it, which an unknown action may be.
    allow = {"Effect": "Allow", "Principal": "*", "NotAction": "sqs:DeleteQueue", "Resource": "*"}
    unknown = {
        **_deny("StringNotEquals", "aws:SourceVpce", "vpce-1"),
        "Action": ["sqs:*", UNKNOWN_STRING_VALUE],
    }
    assert _native_queue(allow, unknown) == ([], 1)
    narrower = {**_deny("StringNotEquals", "aws:SourceVpce", "vpce-1"), "Action": "sqs:*"}
    messages, undecided = _native_queue(allow, narrower)
    assert undecided == 0 and len(messages) == 1 and "Statement[0]" in messages[0]


def test_a_deny_on_the_resource_spelt_in_another_case_is_no_credit() -> None:
    # ARNs are case-sensitive: the Deny names another queue than the Allow.
    arn = "arn:aws:sqs:eu-west-1:111122223333:Orders"
    allow = {**SEND, "Resource": arn}
    other = {**_deny("StringNotEquals", "aws:SourceVpce", "vpce-1"), "Resource": arn.lower()}
    assert _refused_once(_queue(allow, other))
    same = {**other, "Resource": arn}
    assert _queue(allow, same) == ([], 0)


@pytest.mark.parametrize("key", ["aws:PrincipalOrgPaths", "aws:SourceOrgPaths"])
def test_a_deny_on_an_organization_path_is_no_credit(key: str) -> None:
    # A multi-valued key under a negated operator without ForAllValues/ForAnyValue: no fixed reading.
    deny = _deny("StringNotLike", key, "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*")
    assert _refused_once(_queue(SEND, deny))
    assert _queue(SEND, _deny("StringNotEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")) == ([], 0)


def test_a_mapped_slash_7_is_broader_than_ipv4_slash_8() -> None:
    assert _refused_once(_bucket(_from("::ffff:0.0.0.0/103", READ)))
    assert _refused_once(_queue(SEND, _deny("NotIpAddress", "aws:SourceIp", "::ffff:10.0.0.0/103")))


@pytest.mark.parametrize(
    "accounts", ["111122223333,All", "111122223333, all", " All "], ids=["listed", "spaced", "padded"]
)
def test_an_ssm_document_shared_with_all_among_accounts_is_refused(accounts: str) -> None:
    inputs = {
        "name": "d",
        "content": "{}",
        "documentType": "Command",
        "permissions": {"type": "Share", "account_ids": accounts},
    }
    messages, undecided = findings("resource-policy-not-public", "aws:ssm/document:Document", inputs)
    assert undecided == 0 and len(messages) == 1 and "permissions.account_ids" in messages[0]
    named = {**inputs, "permissions": {"type": "Share", "account_ids": "111122223333,444455556666"}}
    assert findings("resource-policy-not-public", "aws:ssm/document:Document", named) == ([], 0)
