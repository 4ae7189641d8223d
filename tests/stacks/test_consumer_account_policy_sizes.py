"""A family's ``consumer_accounts`` reach resource policies whose size AWS limits: every consumer
account is listed (twice) in the artifacts bucket's policy, and in the data key's policy and the
family's model package group policy. S3 refuses a bucket policy over 20 KB ("Bucket policies are
limited to 20 KB in size", Amazon S3 User Guide, Bucket policies and user policies), SageMaker a
model package group policy over 20,480 characters (botocore ``PolicyString``).

Found by a limits audit: about 300 consumer accounts plan, and ``pulumi up`` fails at
PutBucketPolicy. The validation gap is pinned here (strict xfail) until the configuration refuses
such a list at ``models[i].consumer_accounts``: a fix that makes the refusal pass must drop the mark.
"""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.recorded import recorded_stack

MAX_BUCKET_POLICY_BYTES = 20 * 1024
CONSUMERS = [f"{400000000000 + index}" for index in range(300)]


def _share_widely(platform: dict[str, Any]) -> None:
    platform["models"][0]["consumer_accounts"] = CONSUMERS


def test_three_hundred_consumer_accounts_make_a_bucket_policy_s3_refuses(write_stack) -> None:
    path = write_stack("prod", _share_widely)

    sizes = [
        len(str(resource.inputs["policy"]).encode())
        for resource in recorded_stack(path).cloud_resources
        if resource.type == "aws:s3/bucketPolicy:BucketPolicy"
    ]

    assert max(sizes) > MAX_BUCKET_POLICY_BYTES


@pytest.mark.xfail(
    strict=True,
    reason="validation gap: consumer_accounts is not bounded by the policies it grows (S3's 20 KB)",
)
def test_consumer_accounts_beyond_the_bucket_policy_are_refused_at_their_key(write_stack) -> None:
    path = write_stack("prod", _share_widely)

    problems = stack_file_problems(path)

    assert any(key.startswith(f"{CONFIG_KEY}.models[0].consumer_accounts") for key in problems), problems
