"""Hardening every platform bucket shares: versioning, owner-enforced objects, no public access,
a TLS-only policy and lifecycle rules. Used by ``SecureBucket`` and ``AccessLogBucket``."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws.s3 as s3

from ..output_text import concat
from ..policy_documents import (
    Statement,
    deny_insecure_transport,
    deny_outdated_tls,
    document,
    render,
)


def harden_bucket(
    name: str,
    bucket: s3.Bucket,
    *,
    parent: pulumi.Resource,
    extra_policy_statements: Sequence[Statement] = (),
    lifecycle_rules: Sequence[s3.BucketLifecycleConfigurationRuleArgs] = (),
) -> s3.BucketPolicy:
    """Attach the shared hardening resources to ``bucket``; returns the bucket policy."""
    child = pulumi.ResourceOptions(parent=parent)
    public_access = s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    versioning = s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    if lifecycle_rules:
        s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=list(lifecycle_rules),
            # S3 rejects lifecycle rules on noncurrent versions until versioning is configured.
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
        )
    return s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=render(
            document(
                deny_insecure_transport("s3:*", [bucket.arn, concat(bucket.arn, "/*")]),
                deny_outdated_tls(bucket.arn),
                *extra_policy_statements,
            )
        ),
        # S3 refuses a bucket policy while the public-access block is still being applied.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[public_access]),
    )


def expire_noncurrent_versions(
    days: int, abort_multipart_days: int
) -> list[s3.BucketLifecycleConfigurationRuleArgs]:
    return [
        s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-noncurrent-versions",
            status="Enabled",
            filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=days
            ),
            abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=abort_multipart_days
            ),
        ),
        s3.BucketLifecycleConfigurationRuleArgs(
            id="remove-expired-delete-markers",
            status="Enabled",
            filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
        ),
    ]
