"""SecureBucket: an S3 bucket for platform data or artifacts, encrypted with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.s3 as s3

from ..policy_documents import Statement
from .bucket_hardening import expire_noncurrent_versions, harden_bucket


@dataclass(frozen=True)
class SecureBucketArgs:
    purpose: str
    """What the bucket holds (``data``, ``artifacts``); tagged as ``mlops:data-class``."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed KMS key every object is encrypted with by default (SSE-KMS, bucket key on)."""
    access_log_bucket: pulumi.Input[str]
    """Name of the bucket that receives this bucket's server access logs."""
    tags: Mapping[str, str]
    """Tags of the bucket; ``mlops:data-class`` is set from ``purpose``."""
    noncurrent_version_expiration_days: int = 90
    """Days a replaced or deleted object version is kept before S3 deletes it for good."""
    abort_incomplete_multipart_upload_days: int = 7
    """Days after which S3 aborts an unfinished multipart upload and deletes its parts."""
    retain: bool = True
    """Protect the bucket from `pulumi destroy` and keep it when removed from the program."""
    reader_accounts: Sequence[str] = ()
    """Other accounts that may read objects under ``reader_prefixes`` (cross-account model promotion)."""
    reader_prefixes: Sequence[str] = ()
    """Key prefixes (``models/``) ``reader_accounts`` may list and read; required with them, none empty."""
    eventbridge_notifications: bool = False
    """Send object events to EventBridge (the training pipelines' new-data trigger listens there)."""


class SecureBucket(pulumi.ComponentResource):
    """A versioned S3 bucket with SSE-KMS (bucket key on), access logging and a TLS-only policy.

    Security posture: all public access blocked, ACLs disabled, requests without TLS 1.2 denied,
    every object encrypted with the platform key. There is no switch to turn any of it off.
    """

    bucket_name: pulumi.Output[str]
    """Physical name of the bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:foundation:SecureBucket", name, None, opts)
        if args.reader_accounts and (not args.reader_prefixes or "" in args.reader_prefixes):
            raise ValueError(
                f"SecureBucket {name}: reader_accounts need reader_prefixes, none empty; whole-bucket reads "
                "are not offered"
            )
        child = pulumi.ResourceOptions(parent=self)

        bucket = s3.Bucket(
            f"{name}-bucket",
            force_destroy=False,
            tags={**args.tags, "mlops:data-class": args.purpose},
            opts=pulumi.ResourceOptions(parent=self, protect=args.retain, retain_on_delete=args.retain),
        )
        s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=args.kms_key_arn
                    ),
                    # A bucket key cuts KMS requests (and cost) by orders of magnitude.
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        s3.BucketLogging(
            f"{name}-access-logging",
            bucket=bucket.id,
            target_bucket=args.access_log_bucket,
            target_prefix=pulumi.Output.concat(bucket.id, "/"),
            opts=child,
        )
        if args.eventbridge_notifications:
            s3.BucketNotification(f"{name}-events", bucket=bucket.id, eventbridge=True, opts=child)
        readers: list[Statement] = []
        if args.reader_accounts:
            readers.append(
                {
                    "Sid": "ReaderAccountsGetObjects",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": [f"arn:aws:iam::{account}:root" for account in args.reader_accounts]
                    },
                    "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                    "Resource": [
                        pulumi.Output.concat(bucket.arn, "/", prefix, "*") for prefix in args.reader_prefixes
                    ],
                }
            )
            readers.append(
                {
                    "Sid": "ReaderAccountsListTheirPrefixes",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": [f"arn:aws:iam::{account}:root" for account in args.reader_accounts]
                    },
                    "Action": "s3:ListBucket",
                    "Resource": bucket.arn,
                    "Condition": {
                        "StringLike": {"s3:prefix": [f"{prefix}*" for prefix in args.reader_prefixes]}
                    },
                }
            )
        harden_bucket(
            name,
            bucket,
            parent=self,
            extra_policy_statements=readers,
            lifecycle_rules=expire_noncurrent_versions(
                args.noncurrent_version_expiration_days, args.abort_incomplete_multipart_upload_days
            ),
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})
