"""A ``*`` or ``?`` under ``StringEquals`` in a bucket policy, as S3 reads it (session 66, item 5).

IAM compares ``StringEquals`` literally, so ``"aws:SourceArn": "arn:aws:s3:::my-bucket*"`` admits
no request; session 64 made both caller-pinning rules pass it. S3 does not judge a bucket policy by
evaluating it: "To be considered non-public, an S3 bucket policy must grant access only to fixed
values. This means values that don't contain a wildcard or ... Variables" (AWS Config,
``s3-bucket-public-read-prohibited``, the check behind FSBP S3.2/S3.3; the S3 User Guide's "meaning
of public" says the same). Such a policy is public to S3: Block Public Access's ``BlockPublicPolicy``
(mandatory in this pack) refuses the ``PutBucketPolicy``, and FSBP S3.2 fails the bucket. So
``s3-bucket-policy-not-public`` now reads a wildcard character as S3 does, whatever the operator;
``resource-policy-not-public`` (SQS, SNS... evaluated by IAM, not by S3's check) keeps the literal
reading. ``"*"`` alone was, and stays, refused by both.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings, open_to_anyone

BUCKET = ("aws:s3/bucketPolicy:BucketPolicy", "s3-bucket-policy-not-public", "s3:GetObject")
QUEUE = ("aws:sqs/queuePolicy:QueuePolicy", "resource-policy-not-public", "sqs:SendMessage")


@pytest.mark.parametrize(
    ("condition", "bucket_public", "queue_public"),
    [
        pytest.param({"StringEquals": {"aws:SourceAccount": "*"}}, True, True, id="equals-only-star"),
        pytest.param(
            {"StringEquals": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"}},
            True,
            False,
            id="equals-star-inside",
        ),
        pytest.param(
            {"StringEqualsIgnoreCase": {"aws:SourceAccount": "11112222333?"}},
            True,
            False,
            id="equals-ignore-case-question-mark",
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:alerts"}},
            False,
            False,
            id="equals-fixed-arn-pins-both",
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceAccount": "111122223333"}}, False, False, id="equals-fixed-account"
        ),
    ],
)
def test_a_wildcard_character_is_not_a_fixed_value_to_s3(
    condition: dict[str, Any], bucket_public: bool, queue_public: bool
) -> None:
    for (resource_type, policy, action), public in ((BUCKET, bucket_public), (QUEUE, queue_public)):
        result = findings(policy, resource_type, {"policy": open_to_anyone(action, condition)})
        assert_decided(result, "allows Principal" if public else None)
