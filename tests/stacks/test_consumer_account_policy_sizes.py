"""A family's ``consumer_accounts`` reach resource policies whose size AWS limits: every distinct
consumer account of the stack is listed twice in the artifacts bucket's policy and once in the data
key's, and a family's own in its model package group policy. S3 refuses a bucket policy over 20 KB
("Bucket policies are limited to 20 KB in size", Amazon S3 User Guide), KMS a key policy over 32 KB,
SageMaker a model package group policy over 20,480 characters (botocore ``PolicyString``).

Found by a limits audit: about 300 consumer accounts planned, and ``pulumi up`` failed at
PutBucketPolicy. The stack now takes at most ``MAX_CONSUMER_ACCOUNTS`` distinct accounts: at that
count every policy they grow fits, and one more is refused at the key that brings it.
"""

from __future__ import annotations

import copy
from typing import Any

from components.registry.model_family_spec import MAX_CONSUMER_ACCOUNTS
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.recorded import recorded_stack
from tests.stacks.conftest import endpointless_cut

MAX_BUCKET_POLICY_BYTES = 20 * 1024
MAX_KEY_POLICY_BYTES = 32 * 1024
MAX_GROUP_POLICY_CHARACTERS = 20_480


def _accounts(count: int, start: int = 0) -> list[str]:
    return [f"{400000000000 + index}" for index in range(start, start + count)]


def _second_family(platform: dict[str, Any]) -> dict[str, Any]:
    family = copy.deepcopy(platform["models"][0])
    family["name"] = f"{family['name']}-second"
    platform["models"].append(family)
    return family


def test_the_most_consumer_accounts_a_stack_takes_fit_every_policy_they_grow(write_stack) -> None:
    """One family sharing with all of them: the bucket's, the key's and its group's worst case."""

    def share(platform: dict[str, Any]) -> None:
        # Cut to the foundation, families and alerts (endpointless_cut): the artifacts bucket's, the
        # data key's and the group's policies, which list the consumers, stay as they are.
        endpointless_cut(platform)
        platform["models"][0]["consumer_accounts"] = _accounts(MAX_CONSUMER_ACCOUNTS)

    graph = recorded_stack(write_stack("prod", share))

    def sizes(type_token: str, prop: str, *, listing: str) -> list[int]:
        found = [
            (len(str(r.inputs[prop]).encode()), str(r.inputs[prop]))
            for r in graph.cloud_resources
            if r.type == type_token and prop in r.inputs
        ]
        # Only the policies that list the consumers: the limit is theirs to respect.
        return [size for size, text in found if listing in text]

    last = f"arn:aws:iam::{_accounts(1, MAX_CONSUMER_ACCOUNTS - 1)[0]}:root"
    buckets = sizes("aws:s3/bucketPolicy:BucketPolicy", "policy", listing=last)
    keys = sizes("aws:kms/key:Key", "policy", listing=last)
    groups = sizes(
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy", "resourcePolicy", listing=last
    )
    assert len(buckets) == len(keys) == len(groups) == 1, (buckets, keys, groups)
    assert buckets[0] <= MAX_BUCKET_POLICY_BYTES
    assert keys[0] <= MAX_KEY_POLICY_BYTES
    assert groups[0] <= MAX_GROUP_POLICY_CHARACTERS
    # The bound is not loose: the bucket policy is within a tenth of S3's limit.
    assert buckets[0] > 0.8 * MAX_BUCKET_POLICY_BYTES


def test_one_account_more_across_the_families_is_refused_at_the_family_that_brings_it(write_stack) -> None:
    def share(platform: dict[str, Any]) -> None:
        platform["models"][0]["consumer_accounts"] = _accounts(200)
        # 10 accounts the first family shares too, and 51 of its own: 251 in all.
        _second_family(platform)["consumer_accounts"] = _accounts(10, 190) + _accounts(51, 200)

    problems = stack_file_problems(write_stack("prod", share))

    key = f"{CONFIG_KEY}.models[1].consumer_accounts"
    assert list(problems) == [key], problems
    assert f"{MAX_CONSUMER_ACCOUNTS + 1} distinct consumer accounts" in problems[key]
    assert "20 KB" in problems[key]


def test_accounts_two_families_share_count_once(write_stack) -> None:
    def share(platform: dict[str, Any]) -> None:
        platform["models"][0]["consumer_accounts"] = _accounts(MAX_CONSUMER_ACCOUNTS)
        _second_family(platform)["consumer_accounts"] = _accounts(MAX_CONSUMER_ACCOUNTS)

    assert stack_file_problems(write_stack("prod", share)) == {}
