"""Every platform bucket: SSE-KMS with the platform key, no public access, TLS only, versioned, logged."""

from __future__ import annotations

import pytest

from components.foundation.secure_bucket import SecureBucket, SecureBucketArgs
from planner.recorder import ResourceGraph, record_program
from tests.graph_helpers import as_list, attached_to, only, policy_of, statements

S3 = "aws:s3/"
DATA_BUCKETS = ("datasets-bucket", "artifacts-bucket")


def _data_key_arn(graph: ResourceGraph) -> str:
    return graph.named("kms-data-key").outputs["arn"]


def test_data_buckets_use_sse_kms_with_the_platform_data_key(stack_graph: ResourceGraph) -> None:
    for name in DATA_BUCKETS:
        bucket = stack_graph.named(name)
        [encryption] = attached_to(
            stack_graph,
            f"{S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            bucket,
        )
        [rule] = encryption.inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": _data_key_arn(stack_graph),
        }
        assert rule["bucketKeyEnabled"] is True


def test_every_bucket_blocks_all_public_access_and_disables_acls(stack_graph: ResourceGraph) -> None:
    buckets = stack_graph.of_type(f"{S3}bucket:Bucket")
    assert len(buckets) == 4  # datasets, artifacts, access logs, audit logs
    for bucket in buckets:
        [block] = attached_to(stack_graph, f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock", bucket)
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert block.inputs[flag] is True, f"{bucket.name}: {flag}"
        [ownership] = attached_to(stack_graph, f"{S3}bucketOwnershipControls:BucketOwnershipControls", bucket)
        assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_every_bucket_policy_denies_requests_without_tls(stack_graph: ResourceGraph) -> None:
    for bucket in stack_graph.of_type(f"{S3}bucket:Bucket"):
        [policy] = attached_to(stack_graph, f"{S3}bucketPolicy:BucketPolicy", bucket)
        denies = [s for s in statements(policy_of(policy)) if s["Effect"] == "Deny"]
        insecure = [s for s in denies if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
        assert insecure, f"{bucket.name} has no TLS-only statement"
        [statement] = insecure
        arn = bucket.outputs["arn"]
        assert statement["Principal"] == "*" and statement["Action"] == "s3:*"
        assert sorted(as_list(statement["Resource"])) == sorted([arn, f"{arn}/*"])
        assert any(s.get("Condition") == {"NumericLessThan": {"s3:TlsVersion": "1.2"}} for s in denies)


def test_every_bucket_is_versioned_with_noncurrent_versions_expiring(stack_graph: ResourceGraph) -> None:
    for bucket in stack_graph.of_type(f"{S3}bucket:Bucket"):
        [versioning] = attached_to(stack_graph, f"{S3}bucketVersioning:BucketVersioning", bucket)
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
        [lifecycle] = attached_to(
            stack_graph, f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket
        )
        assert any(
            "noncurrentVersionExpiration" in rule and rule["status"] == "Enabled"
            for rule in lifecycle.inputs["rules"]
        )
        assert versioning.urn in lifecycle.dependencies, "lifecycle must wait for versioning"


def test_data_buckets_log_access_to_the_access_log_bucket(stack_graph: ResourceGraph) -> None:
    log_bucket = stack_graph.named("access-logs-bucket")
    for name in DATA_BUCKETS:
        bucket = stack_graph.named(name)
        [logging] = attached_to(stack_graph, f"{S3}bucketLogging:BucketLogging", bucket)
        assert logging.inputs["targetBucket"] == log_bucket.outputs["bucket"]
        assert logging.inputs["targetPrefix"] == f"{bucket.outputs['bucket']}/"


def test_noncurrent_version_expiry_follows_the_environment(stack_graphs: dict[str, ResourceGraph]) -> None:
    def expiry(graph: ResourceGraph) -> int:
        lifecycle = attached_to(
            graph,
            f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            graph.named("datasets-bucket"),
        )[0]
        [rule] = [rule for rule in lifecycle.inputs["rules"] if rule["id"] == "expire-noncurrent-versions"]
        return rule["noncurrentVersionExpiration"]["noncurrentDays"]

    assert expiry(stack_graphs["dev"]) == 30
    assert expiry(stack_graphs["prod"]) == 365


def test_access_log_bucket_uses_sse_s3_and_accepts_only_this_accounts_log_delivery(
    stack_graph: ResourceGraph,
) -> None:
    bucket = stack_graph.named("access-logs-bucket")
    assert bucket.inputs["tags"]["mlops:data-class"] == "access-logs"
    [encryption] = attached_to(
        stack_graph,
        f"{S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        bucket,
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    [policy] = attached_to(stack_graph, f"{S3}bucketPolicy:BucketPolicy", bucket)
    [delivery] = [s for s in statements(policy_of(policy)) if s["Effect"] == "Allow"]
    account = stack_graph.named("kms-data-key").outputs["arn"].split(":")[4]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}


def test_buckets_are_never_force_destroyed(stack_graph: ResourceGraph) -> None:
    assert all(
        bucket.inputs.get("forceDestroy") is False for bucket in stack_graph.of_type(f"{S3}bucket:Bucket")
    )


def test_only_one_access_log_bucket(stack_graph: ResourceGraph) -> None:
    assert only(stack_graph, "mlops:foundation:AccessLogBucket").name == "access-logs"


@pytest.mark.parametrize("prefixes", [(), ("models/", "")], ids=["no-prefix", "an-empty-prefix"])
def test_other_accounts_are_never_offered_the_whole_bucket(prefixes: tuple[str, ...]) -> None:
    # The args refuse it, before the component registers anything.
    with pytest.raises(ValueError, match="whole-bucket reads are not offered"):
        SecureBucketArgs(
            purpose="artifacts",
            kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
            access_log_bucket="logs",
            tags={},
            reader_accounts=["222222222222"],
            reader_prefixes=prefixes,
        )


def _scratch_bucket(scratch: dict) -> SecureBucketArgs:
    return SecureBucketArgs(
        purpose="artifacts",
        kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
        access_log_bucket="logs",
        tags={},
        noncurrent_version_expiration_days=365,
        scratch_prefixes=scratch,
    )


def test_scratch_prefixes_expire_with_their_old_versions_and_leave_the_rest_alone() -> None:
    graph = record_program(
        lambda: SecureBucket("artifacts", _scratch_bucket({"athena-results/": 7, "tmp/": 2}))
    )
    [lifecycle] = graph.of_type(f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
    for prefix, days in {"athena-results/": 7, "tmp/": 2}.items():
        rule = rules[f"expire-scratch-{prefix}"]
        assert rule["status"] == "Enabled"
        assert rule["filter"] == {"prefix": prefix}
        assert rule["expiration"] == {"days": days}
        # S3 honours the shorter of overlapping expirations: a day, not the bucket's 365.
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    bucket_wide = rules["expire-noncurrent-versions"]
    assert bucket_wide["filter"] == {"prefix": ""} and "expiration" not in bucket_wide
    assert bucket_wide["noncurrentVersionExpiration"] == {"noncurrentDays": 365}


@pytest.mark.parametrize(
    ("scratch", "message"),
    [
        ({"athena-results": 7}, "'athena-results' is not a key prefix ending in '/'"),
        ({"/": 7} | {"x" * 240 + "/": 7}, "is not a key prefix ending in '/' of at most 240"),
        ({"tmp/": 0}, r"scratch_prefixes\['tmp/'\]: 0 is not an integer from 1 to 36500"),
        ({"tmp/": True}, r"scratch_prefixes\['tmp/'\]: True is not an integer"),
    ],
    ids=["no-slash", "too-long", "zero-days", "boolean-days"],
)
def test_a_scratch_prefix_is_checked_before_anything_is_created(scratch: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _scratch_bucket(scratch)


def test_the_longest_scratch_prefix_keeps_its_rule_id_within_s3s_255_characters() -> None:
    prefix = "x" * 239 + "/"
    graph = record_program(lambda: SecureBucket("artifacts", _scratch_bucket({prefix: 1})))
    [lifecycle] = graph.of_type(f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    [rule_id] = [rule["id"] for rule in lifecycle.inputs["rules"] if rule["id"].startswith("expire-scratch-")]
    assert len(rule_id) == 255
