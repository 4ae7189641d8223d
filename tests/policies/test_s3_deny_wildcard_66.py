"""A Deny's ``StringNotEquals`` value holding ``*`` or ``?`` in a bucket policy, as S3 reads it.

Session 66 made ``s3-bucket-policy-not-public`` read a wildcard character under ``StringEquals`` as S3
does (not a fixed value: tests/policies/test_s3_meaning_of_public_66.py), but the Deny credit
(``_deny_credit``: an Allow to ``*`` plus a Deny to everyone whose key is not the fixed value) kept
IAM's literal reading: the same pin written as ``Deny ... StringNotEquals "aws:SourceArn":
"arn:aws:s3:::my-bucket*"`` still passed the bucket rule. The bucket rule now reads the Deny's value
as it reads the Allow's; ``resource-policy-not-public`` keeps the literal reading for both.
"""

from __future__ import annotations

import json

import pytest

from tests.policies.one_resource import assert_decided, findings

BUCKET = ("aws:s3/bucketPolicy:BucketPolicy", "s3-bucket-policy-not-public", "s3:GetObject")
QUEUE = ("aws:sqs/queuePolicy:QueuePolicy", "resource-policy-not-public", "sqs:SendMessage")


def allow_all_but(action: str, key: str, value: str) -> str:
    """Allow anyone ``action``; Deny everyone whose ``key`` is not ``value`` (the private-API pattern)."""
    statements = [
        {"Effect": effect, "Principal": "*", "Action": action, "Resource": "*", **extra}
        for effect, extra in (("Allow", {}), ("Deny", {"Condition": {"StringNotEquals": {key: value}}}))
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@pytest.mark.parametrize(
    ("key", "value", "bucket_public"),
    [
        pytest.param("aws:SourceArn", "arn:aws:s3:::my-bucket*", True, id="bucket-prefix"),
        pytest.param("aws:SourceAccount", "11112222333?", True, id="account-question-mark"),
        pytest.param("aws:SourceVpce", "vpce-0123456789abcdef0", False, id="fixed-endpoint"),
        pytest.param(
            "aws:SourceArn", "arn:aws:s3:::my-bucket${*}", False, id="escaped-star-is-the-character"
        ),
    ],
)
def test_a_deny_pins_a_bucket_policy_only_with_a_value_s3_calls_fixed(
    key: str, value: str, bucket_public: bool
) -> None:
    for (resource_type, policy, action), public in ((BUCKET, bucket_public), (QUEUE, False)):
        result = findings(policy, resource_type, {"policy": allow_all_but(action, key, value)})
        assert_decided(result, "Statement[0] allows Principal" if public else None)
