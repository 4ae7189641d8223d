"""SecureBucket: an S3 bucket for platform data or artifacts, encrypted with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws.s3 as s3

from ..limits import (
    DATA_CLASS_TAG,
    aws_tag_problem,
    in_range,
    integer_in_range,
    own_tags,
    satisfies,
    tags_problem,
)
from ..naming import child_name
from ..output_text import concat
from ..policy_documents import Statement
from .bucket_hardening import expire_noncurrent_versions, harden_bucket


@dataclass(frozen=True)
class LogDelivery:
    """An AWS service that delivers log files into the bucket the way AWS documents for CloudTrail:
    it checks the bucket's ACL and puts objects under ``key_prefix`` with ``bucket-owner-full-control``,
    each only on behalf of ``source_arn`` (the confused-deputy guard)."""

    sid: str
    """Starts the Sids of the two statements (``<sid>AclCheck``, ``<sid>Write``)."""
    service: str
    """Service principal that delivers, e.g. ``cloudtrail.amazonaws.com``."""
    source_arn: pulumi.Input[str]
    """The one resource (e.g. the trail's ARN) on whose behalf the service may deliver (``aws:SourceArn``)."""
    key_prefix: str
    """Key prefix the service writes under, e.g. ``AWSLogs/<account>/``; must end with ``/``."""

    def __post_init__(self) -> None:
        if not self.key_prefix.endswith("/"):
            raise ValueError(f"LogDelivery.key_prefix: {self.key_prefix!r} must end with '/'")

    def statements(self, bucket_arn: pulumi.Input[str]) -> list[Statement]:
        condition = {"aws:SourceArn": self.source_arn}
        return [
            {
                "Sid": f"{self.sid}AclCheck",
                "Effect": "Allow",
                "Principal": {"Service": self.service},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": condition},
            },
            {
                "Sid": f"{self.sid}Write",
                "Effect": "Allow",
                "Principal": {"Service": self.service},
                "Action": "s3:PutObject",
                "Resource": concat(bucket_arn, "/", self.key_prefix, "*"),
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **condition}},
            },
        ]


MAX_SCRATCH_PREFIX = 240
"""Longest scratch prefix: its lifecycle rule's ID (``expire-scratch-<prefix>``) stays within S3's 255."""


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
    """Days a replaced or deleted object version is kept before S3 deletes it for good, 1-36500."""
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
    log_deliveries: Sequence[LogDelivery] = ()
    """AWS services that deliver log files into the bucket (CloudTrail), each scoped to one source."""
    expiration_days: int | None = None
    """Days after which a current object expires (becomes noncurrent, then goes after
    ``noncurrent_version_expiration_days``); None keeps objects until deleted (those under
    ``scratch_prefixes`` still expire). 1-36500."""
    bucket_key: bool = True
    """Use an S3 Bucket Key for SSE-KMS (cuts KMS requests). Off where a service encrypting with its
    own encryption context must keep it on each object (CloudTrail log files)."""
    deny_object_deletion: bool = False
    """Deny every principal deleting objects or object versions (lifecycle expiry still removes them):
    for logs that must outlive whoever could delete them."""
    scratch_prefixes: Mapping[str, int] = field(default_factory=dict)
    """Key prefix (ending in ``/``) -> days: scratch data under the prefix (Athena's query results)
    expires that many days after it is written, and its replaced or deleted versions a day later,
    whatever ``noncurrent_version_expiration_days`` keeps elsewhere. Days 1-36500."""

    def __post_init__(self) -> None:
        # The bucket also gets mlops:data-class (replacing one the caller set).
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=own_tags(tags, DATA_CLASS_TAG)))
        # The purpose is that tag's value.
        satisfies(self, "purpose", lambda purpose: aws_tag_problem(DATA_CLASS_TAG, purpose))
        if self.reader_accounts and (not self.reader_prefixes or "" in self.reader_prefixes):
            raise ValueError(
                "SecureBucketArgs.reader_prefixes: reader_accounts need reader_prefixes, none empty; "
                "whole-bucket reads are not offered"
            )
        in_range(self, "noncurrent_version_expiration_days", 1, 36500)
        if self.expiration_days is not None:
            in_range(self, "expiration_days", 1, 36500)
        for prefix, days in self.scratch_prefixes.items():
            if not (isinstance(prefix, str) and prefix.endswith("/") and len(prefix) <= MAX_SCRATCH_PREFIX):
                raise ValueError(
                    f"SecureBucketArgs.scratch_prefixes: {prefix!r} is not a key prefix ending in '/' "
                    f"of at most {MAX_SCRATCH_PREFIX} characters"
                )
            integer_in_range(f"SecureBucketArgs.scratch_prefixes[{prefix!r}]", days, 1, 36500)


class SecureBucket(pulumi.ComponentResource):
    """A versioned S3 bucket with SSE-KMS (bucket key on), access logging and a TLS-only policy.

    Security posture: all public access blocked, ACLs disabled, requests without TLS 1.2 denied,
    every object encrypted with the platform key. There is no switch to turn any of it off.
    """

    bucket_name: pulumi.Output[str]
    """Physical name of the bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""
    bucket_policy: s3.BucketPolicy
    """The bucket's policy: what a service that checks its access when it is created (a CloudTrail
    trail) waits for."""

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:foundation:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        bucket = s3.Bucket(
            # pulumi-aws auto-names a bucket <logical>-<7 hex> and refuses one over S3's 63 characters.
            child_name(f"{name}-bucket", "aws:s3/bucket:Bucket"),
            force_destroy=False,
            tags={**args.tags, DATA_CLASS_TAG: args.purpose},
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
                    bucket_key_enabled=args.bucket_key,
                )
            ],
            opts=child,
        )
        s3.BucketLogging(
            f"{name}-access-logging",
            bucket=bucket.id,
            target_bucket=args.access_log_bucket,
            target_prefix=concat(bucket.id, "/"),
            opts=child,
        )
        if args.eventbridge_notifications:
            s3.BucketNotification(f"{name}-events", bucket=bucket.id, eventbridge=True, opts=child)
        statements: list[Statement] = []
        if args.reader_accounts:
            statements.append(
                {
                    "Sid": "ReaderAccountsGetObjects",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": [f"arn:aws:iam::{account}:root" for account in args.reader_accounts]
                    },
                    "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                    "Resource": [concat(bucket.arn, "/", prefix, "*") for prefix in args.reader_prefixes],
                }
            )
            statements.append(
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
        for delivery in args.log_deliveries:
            statements += delivery.statements(bucket.arn)
        if args.deny_object_deletion:
            statements.append(
                {
                    "Sid": "DenyObjectDeletion",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                    "Resource": concat(bucket.arn, "/*"),
                }
            )
        lifecycle = expire_noncurrent_versions(
            args.noncurrent_version_expiration_days, args.abort_incomplete_multipart_upload_days
        )
        if args.expiration_days is not None:
            lifecycle.append(
                s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-current-versions",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expiration_days),
                )
            )
        for prefix, days in sorted(args.scratch_prefixes.items()):
            lifecycle.append(
                s3.BucketLifecycleConfigurationRuleArgs(
                    id=f"expire-scratch-{prefix}",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=prefix),
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
                    # Where rules overlap S3 applies the shortest expiry: the bucket-wide
                    # noncurrent-version rule does not keep scratch versions for months.
                    noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=1
                    ),
                )
            )
        self.bucket_policy = harden_bucket(
            name, bucket, parent=self, extra_policy_statements=statements, lifecycle_rules=lifecycle
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})
