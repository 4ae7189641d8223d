"""Second read of the public-access change (a Deny credited, narrow CIDRs).

- A Deny is credited only with an operator of its key's type: ``ArnNotEquals``/``ArnNotLike`` on an
  ARN key, ``NotIpAddress`` on ``aws:SourceIp``. On ``aws:SourceVpce`` or ``kms:CallerAccount`` the
  request's value is not an ARN or an address, IAM documents no outcome, and the Deny may never
  apply: the Allow to ``*`` stays refused.
- An IPv6 range is read as the IPv4 range it reaches through IPv4-mapped addresses whatever its
  length: ``::/64`` and ``::ffff:0:0/95`` hold every ``::ffff:a.b.c.d``, all of IPv4, though both
  are narrower than ``/32``; and a list of mapped ``/104`` ranges (each an IPv4 ``/8``), alone or
  beside IPv4 ``/8`` ranges, that adds up to every IPv4 address restricts nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

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
]
NARROW = [
    pytest.param("::ffff:10.0.0.0/104", id="mapped-slash-8"),
    pytest.param("2001:db8::/32", id="ipv6-slash-32"),
    pytest.param(EVERY_V4_MAPPED[:255], id="all-but-one-slash-8-mapped"),
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
