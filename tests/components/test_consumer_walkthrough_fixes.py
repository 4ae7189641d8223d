"""What a team composing the components in its own program (not the shipped stacks) ran into.

Programs written from README.md, docs/reuse.md, docs/components.md and examples/consumer/ (a feature
store and registry only, a GPU endpoint with its own image and artifact and a canary, a training
pipeline on the team's own bucket and key, monitoring of an endpoint the team made itself, odd and
invalid args), run under planner.recorder's mocks and the policy pack. Each test here fails on the
code before its fix:

- ``SecureBucket``, ``AccessLogBucket`` and ``AuditTrail`` took 50 tags and added
  ``mlops:data-class``: a 51-tag bucket, which S3 refuses at `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.foundation import (
    AccessLogBucket,
    AccessLogBucketArgs,
    AuditTrail,
    AuditTrailArgs,
    SecureBucket,
    SecureBucketArgs,
)
from planner.recorder import record_program
from tests.graph_helpers import only

ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {"owner": "team", "cost-center": "cc-1"}
FIFTY = {f"tag-{i}": "v" for i in range(50)}
FORTY_NINE = {f"tag-{i}": "v" for i in range(49)}

BUCKETS: dict[str, Callable[[dict[str, str]], object]] = {
    "SecureBucket": lambda tags: SecureBucketArgs(
        purpose="data", kms_key_arn=KEY, access_log_bucket="logs", tags=tags
    ),
    "AccessLogBucket": lambda tags: AccessLogBucketArgs(account_id=ACCOUNT, tags=tags),
    "AuditTrail": lambda tags: AuditTrailArgs(
        trail_name="team-trail",
        region=REGION,
        account_id=ACCOUNT,
        user_role_path="/team/",
        access_log_bucket="logs",
        tags=tags,
    ),
}


@pytest.mark.parametrize("kind", sorted(BUCKETS))
def test_a_bucket_component_counts_the_data_class_tag_it_adds(kind: str) -> None:
    with pytest.raises(ValueError, match="adds 1 of its own, so at most 49"):
        BUCKETS[kind](FIFTY)
    BUCKETS[kind](FORTY_NINE)  # 49 + mlops:data-class is S3's 50
    # A caller's own mlops:data-class is replaced, not added: 50 tags fit.
    BUCKETS[kind]({**FORTY_NINE, "mlops:data-class": "mine"})


def test_the_bucket_of_forty_nine_tags_carries_fifty() -> None:
    args = SecureBucketArgs(purpose="data", kms_key_arn=KEY, access_log_bucket="logs", tags=FORTY_NINE)
    graph = record_program(lambda: SecureBucket("data", args))
    assert len(only(graph, "aws:s3/bucket:Bucket").inputs["tags"]) == 50
    logs = AccessLogBucketArgs(account_id=ACCOUNT, tags=FORTY_NINE)
    graph = record_program(lambda: AccessLogBucket("logs", logs))
    assert len(only(graph, "aws:s3/bucket:Bucket").inputs["tags"]) == 50


def test_an_audit_trail_of_forty_nine_tags_builds() -> None:
    args = BUCKETS["AuditTrail"](FORTY_NINE)
    assert isinstance(args, AuditTrailArgs)
    graph = record_program(lambda: AuditTrail("trail", args))
    assert max(len(r.inputs.get("tags") or {}) for r in graph.cloud_resources) == 50
