"""AccessLogBucket: the destination of the platform buckets' S3 server access logs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.s3 as s3

from ..limits import DATA_CLASS_TAG, account_id_problem, in_range, own_tags, satisfies, tags_problem
from ..naming import child_name
from ..output_text import concat
from .bucket_hardening import harden_bucket


@dataclass(frozen=True)
class AccessLogBucketArgs:
    account_id: str
    """The 12-digit AWS account whose S3 log delivery may write to the bucket (``aws:SourceAccount``)."""
    tags: Mapping[str, str]
    """Tags of the bucket; ``mlops:data-class=access-logs`` is added to them."""
    retention_days: int = 365
    """Days a log object is kept before it expires, 1-36500; S3 deletes the expired version a day later."""
    retain: bool = True
    """Protect the bucket from `pulumi destroy` and keep it when removed from the program."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        # The bucket also gets mlops:data-class (replacing one the caller set).
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=own_tags(tags, DATA_CLASS_TAG)))
        in_range(self, "retention_days", 1, 36500)


class AccessLogBucket(pulumi.ComponentResource):
    """A versioned, private, TLS-only bucket that only the S3 logging service of this account writes to.

    Encrypted with SSE-S3, not SSE-KMS: S3 server access log delivery does not support KMS-encrypted
    target buckets. The bucket is tagged ``mlops:data-class=access-logs`` so that policy rules can
    recognise this single, deliberate exception.
    """

    bucket_name: pulumi.Output[str]
    """Physical name of the log bucket (the ``target_bucket`` of every platform bucket)."""
    bucket_arn: pulumi.Output[str]
    """ARN of the log bucket."""

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:foundation:AccessLogBucket", name, None, opts)

        bucket = s3.Bucket(
            # pulumi-aws auto-names a bucket <logical>-<7 hex> and refuses one over S3's 63 characters.
            child_name(f"{name}-bucket", "aws:s3/bucket:Bucket"),
            force_destroy=False,
            tags={**args.tags, DATA_CLASS_TAG: "access-logs"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.retain, retain_on_delete=args.retain),
        )
        s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    ),
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        log_delivery = {
            "Sid": "S3ServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": concat(bucket.arn, "/*"),
            "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
        }
        harden_bucket(
            name,
            bucket,
            parent=self,
            extra_policy_statements=[log_delivery],
            lifecycle_rules=[
                s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=1
                    ),
                )
            ],
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})
