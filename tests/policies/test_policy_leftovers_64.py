"""Policy-pack leftovers closed in session 64 (each confirmed by a test failing first).

1. ``StringEquals`` and ``StringEqualsIgnoreCase`` compare literally (IAM User Guide, condition
   operators): a ``*`` or ``?`` in their value is the character, not a wildcard. The bucket and
   resource-policy rules (``_bucket_policy._fixed``) read it as a wildcard and refused an Allow to
   ``*`` pinned to ``aws:SourceArn = arn:aws:s3:::my-bucket*`` (that very text, which no bucket's
   ARN is: it lets no request in), which the key and trust rules already passed. A value
   of nothing but ``*``/``?`` is still not trusted (as ``_iam_documents`` reads it), a caller's
   policy variable still pins nothing, and the same text under ``StringLike`` or ``ArnEquals``
   (both wildcard operators) is still refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone

# --- 1. StringEquals compares literally ----------------------------------------------------------

BUCKET_STAR = "arn:aws:s3:::my-bucket*"
#: A topic ARN with a ``*`` before its account: the character under StringEquals, any text (colons
#: too, so any account) under StringLike.
TOPIC_ANY_REGION = "arn:aws:sns:*:111122223333:alerts"
REFUSALS = {
    "resource-policy-not-public": "allows Principal",
    "s3-bucket-policy-not-public": "allows Principal",
    "kms-key-policy-no-public-principal": "Principal",
    "iam-role-trust-not-public": "lets any principal",
}


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param({"StringEquals": {"aws:SourceArn": BUCKET_STAR}}, False, id="equals-star-literal"),
        pytest.param(
            {"StringEqualsIgnoreCase": {"aws:SourceAccount": "11112222333?"}},
            False,
            id="equals-ignore-case-question-mark-literal",
        ),
        pytest.param(
            {"ForAnyValue:StringEquals": {"aws:SourceAccount": ["1111*", "111122223333"]}},
            False,
            id="for-any-value-equals-literal",
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceArn": TOPIC_ANY_REGION}}, False, id="equals-region-star-literal"
        ),
        pytest.param(
            {"StringLike": {"aws:SourceArn": TOPIC_ANY_REGION}}, True, id="like-region-star-wildcard"
        ),
        pytest.param({"StringEquals": {"aws:SourceAccount": "*"}}, True, id="equals-only-star-untrusted"),
        pytest.param(
            {"StringEquals": {"aws:SourceAccount": ["111122223333", "?*"]}},
            True,
            id="equals-only-wildcard-characters-among-values-untrusted",
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}},
            True,
            id="equals-caller-variable-pins-nothing",
        ),
    ],
)
def test_string_equals_compares_literally(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any], public: bool
) -> None:
    """Every rule reading a caller pin takes a ``*``/``?`` under ``StringEquals`` as the character
    (pinned), under ``StringLike`` as a wildcard (open); ``"*"`` alone and a caller's variable never pin."""
    inputs = {prop: open_to_anyone(action, condition)}
    if resource_type == "aws:iam/role:Role":
        inputs[prop] = inputs[prop].replace('"Resource": "*", ', "")
    assert_decided(findings(policy, resource_type, inputs), REFUSALS[policy] if public else None)


def test_arn_equals_still_reads_wildcards() -> None:
    """``ArnEquals`` matches each ARN field with wildcards, as ``ArnLike`` does: not a literal operator."""
    inputs = {"policy": open_to_anyone("s3:GetObject", {"ArnEquals": {"aws:SourceArn": BUCKET_STAR}})}
    result = findings("s3-bucket-policy-not-public", "aws:s3/bucketPolicy:BucketPolicy", inputs)
    assert_decided(result, "allows Principal '*' without a restricting condition")
