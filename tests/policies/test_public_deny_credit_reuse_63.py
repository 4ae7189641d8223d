"""The Deny credit of ``resource-policy-not-public`` (``_deny_credit``) reused by the S3 bucket and
KMS key policy rules (session 63).

An Allow to ``*`` plus a Deny to ``*`` of the same actions and resources unless one fixed value of a
key (``StringNotEquals aws:SourceVpce``, S3's documented VPC endpoint restriction) lets only those
requests in, in a bucket policy as in any resource policy: ``s3-bucket-policy-not-public`` refused
it. ``kms-key-policy-no-public-principal`` pins *callers* (``kms:CallerAccount``,
``aws:PrincipalOrgID``, ``aws:PrincipalArn``...), not networks: it credits a Deny on one of those keys
only, so a Deny unless ``aws:SourceVpce`` stays refused there (anyone who reaches the endpoint, any
account), and a wildcard principal administering the key stays refused whatever restricts it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import findings

BUCKET_RULE = "s3-bucket-policy-not-public"
KEY_RULE = "kms-key-policy-no-public-principal"
VPCE = "vpce-1a2b3c4d5e6f7g8h9"
ORG = "o-abc123def4"
READ: dict[str, Any] = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::b/*",
}
ONLY_THROUGH_ENDPOINT: dict[str, Any] = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}},
}
DECRYPT: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
ONLY_THE_ORG: dict[str, Any] = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "kms:*",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
}


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _bucket(
    *statements: dict[str, Any], native: bool = False, outputs: bool = False
) -> tuple[list[str], int]:
    if native:
        inputs = {"bucket": "b", "policyDocument": _document(*statements)}
        return findings(BUCKET_RULE, "aws-native:s3:BucketPolicy", inputs, outputs=outputs)
    inputs = {"bucket": "b", "policy": json.dumps(_document(*statements))}
    return findings(BUCKET_RULE, "aws:s3/bucketPolicy:BucketPolicy", inputs, outputs=outputs)


def _key(*statements: dict[str, Any], native: bool = False, outputs: bool = False) -> tuple[list[str], int]:
    if native:
        return findings(
            KEY_RULE, "aws-native:kms:Key", {"keyPolicy": _document(*statements)}, outputs=outputs
        )
    inputs = {"keyId": "k", "policy": json.dumps(_document(*statements))}
    return findings(KEY_RULE, "aws:kms/keyPolicy:KeyPolicy", inputs, outputs=outputs)


def _refused(result: tuple[list[str], int], start: str) -> bool:
    messages, undecided = result
    return undecided == 0 and len(messages) == 1 and start in messages[0]


# --- S3 bucket policies ---------------------------------------------------------------------------


@pytest.mark.parametrize("native", [False, True], ids=["pulumi-aws", "aws-native"])
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_bucket_read_only_through_one_endpoint_passes(native: bool, outputs: bool) -> None:
    assert _bucket(READ, ONLY_THROUGH_ENDPOINT, native=native, outputs=outputs) == ([], 0)
    assert _refused(_bucket(READ, native=native, outputs=outputs), "Statement[0] allows Principal '*'")


@pytest.mark.parametrize(
    "gap",
    [
        pytest.param({"Condition": {"StringNotEqualsIfExists": {"aws:SourceVpce": VPCE}}}, id="if-exists"),
        pytest.param({"Condition": {"StringNotLike": {"aws:SourceVpce": "vpce-*"}}}, id="wildcard-endpoint"),
        pytest.param({"Resource": "arn:aws:s3:::b"}, id="bucket-not-objects"),
        pytest.param({"Action": "s3:PutObject"}, id="other-action"),
        pytest.param({"Principal": {"AWS": "111122223333"}}, id="one-account"),
        pytest.param({"Condition": {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/1"}}}, id="broad-range"),
    ],
)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_bucket_deny_with_a_gap_leaves_the_read_refused(gap: dict[str, Any], outputs: bool) -> None:
    result = _bucket(READ, {**ONLY_THROUGH_ENDPOINT, **gap}, outputs=outputs)
    assert _refused(result, "Statement[0] allows Principal '*'")


def test_a_bucket_endpoint_unknown_at_preview_is_undecided() -> None:
    pending = {
        **ONLY_THROUGH_ENDPOINT,
        "Condition": {"StringNotEquals": {"aws:SourceVpce": UNKNOWN_STRING_VALUE}},
    }
    assert _bucket(READ, pending, native=True) == ([], 1)


# --- KMS key policies -------------------------------------------------------------------------------


@pytest.mark.parametrize("native", [False, True], ids=["pulumi-aws", "aws-native"])
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_key_used_only_by_the_organization_passes(native: bool, outputs: bool) -> None:
    assert _key(DECRYPT, ONLY_THE_ORG, native=native, outputs=outputs) == ([], 0)
    caller = {**ONLY_THE_ORG, "Condition": {"StringNotEquals": {"kms:CallerAccount": "111122223333"}}}
    assert _key(DECRYPT, caller, native=native, outputs=outputs) == ([], 0)
    assert _refused(_key(DECRYPT, native=native, outputs=outputs), "without a condition that pins the caller")


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_key_deny_on_a_network_key_or_with_a_gap_is_no_credit(outputs: bool) -> None:
    unpinned = "without a condition that pins the caller"
    endpoint = {**ONLY_THE_ORG, "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}}
    assert _refused(_key(DECRYPT, endpoint, outputs=outputs), unpinned)
    if_exists = {**ONLY_THE_ORG, "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}}
    assert _refused(_key(DECRYPT, if_exists, outputs=outputs), unpinned)
    assert _refused(_key(DECRYPT, {**ONLY_THE_ORG, "Action": "kms:Encrypt"}, outputs=outputs), unpinned)
    # Administering the key stays refused to a wildcard principal, however restricted.
    administer = _key({**DECRYPT, "Action": "kms:*"}, ONLY_THE_ORG, outputs=outputs)
    assert _refused(administer, "administer the key")


def test_a_key_deny_value_unknown_at_preview_is_undecided() -> None:
    pending = {**ONLY_THE_ORG, "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": UNKNOWN_STRING_VALUE}}}
    assert _key(DECRYPT, pending, native=True) == ([], 1)
