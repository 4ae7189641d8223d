"""AuditTrail: a multi-region CloudTrail trail whose validated log files are KMS-encrypted in a
locked-down bucket, recording management events and the platform buckets' object-level events."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.cloudtrail as cloudtrail
import pulumi_aws.cloudwatch as cloudwatch

from ..limits import (
    DATA_CLASS_TAG,
    LOG_RETENTION_DAYS,
    account_id_problem,
    iam_path_problem,
    in_range,
    one_of,
    own_tags,
    region_problem,
    satisfies,
    trail_tags_problem,
)
from ..output_text import concat
from .audit_trail_spec import (
    _TRAIL_NAME,
    CLOUDTRAIL,
    DataEvents,
    trail_arn,
)
from .encryption_key import EncryptionKey, EncryptionKeyArgs, ServiceKeyGrant, alias_problem
from .execution_role import ExecutionRole, ExecutionRoleArgs
from .secure_bucket import LogDelivery, SecureBucket, SecureBucketArgs


def cloudtrail_key_grants(trail: str, account_id: str) -> list[ServiceKeyGrant]:
    """CloudTrail encrypts the trail's log and digest files and describes the key, only for
    ``trail`` (``aws:SourceArn``) and only with this account's trails as encryption context."""
    source = {"aws:SourceArn": trail}
    return [
        ServiceKeyGrant(
            sid="CloudTrailEncryptsThisTrailsLogs",
            service=CLOUDTRAIL,
            actions=["kms:GenerateDataKey*"],
            condition={
                "StringEquals": source,
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account_id}:trail/*"
                },
            },
        ),
        ServiceKeyGrant(
            sid="CloudTrailDescribesKey",
            service=CLOUDTRAIL,
            actions=["kms:DescribeKey"],
            condition={"StringEquals": source},
        ),
    ]


def log_readers_statement(account_id: str) -> dict:
    """Principals of this account whose IAM policies allow it may decrypt the account's CloudTrail log
    and digest files (and nothing else encrypted with the key): auditors are granted access in IAM."""
    return {
        "Sid": "AccountPrincipalsDecryptTrailLogs",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:CallerAccount": account_id},
            "StringLike": {
                "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account_id}:trail/*"
            },
        },
    }


_KEY_PURPOSE = "audit"
"""The purpose of the trail's key: its alias is ``alias/<alias_prefix>-audit``."""


@dataclass(frozen=True)
class AuditTrailArgs:
    trail_name: str
    """Physical name of the trail (3-128 letters, digits, ``.``, ``_``, ``-``); with the region and
    account it makes the trail's ARN, which the key and bucket policies name before the trail exists."""
    region: str
    """Home region of the trail (it records every region)."""
    account_id: str
    """The 12-digit account the trail records and whose principals may read its logs."""
    user_role_path: str
    """IAM path of the platform's roles (the log key's policy trusts them, like every platform key)."""
    access_log_bucket: pulumi.Input[str]
    """Name of the bucket that receives the log bucket's S3 server access logs."""
    tags: Mapping[str, str]
    """Tags of the trail, its key and its bucket (the trail's: no empty value, which CloudTrail refuses)."""
    data_event_buckets: Sequence[pulumi.Input[str]] = ()
    """Names of the buckets whose object-level events the trail records (never the log bucket itself)."""
    data_events: DataEvents = "all"
    """``all`` object events of ``data_event_buckets``, ``write_only``, or ``off``."""
    management_events: bool = True
    """Record the account's management events (off where another trail already records them)."""
    log_retention_days: int = 365
    """Days a log file is kept, 1-36500."""
    noncurrent_version_expiration_days: int = 90
    """Days an expired log file's version is kept before S3 deletes it for good."""
    abort_incomplete_multipart_upload_days: int = 7
    """Days before an unfinished multipart upload to the log bucket is cleaned up, 1-30 (the stack's
    ``storage.abort_incomplete_multipart_upload_days``, as for its other buckets)."""
    key_deletion_window_days: int = 30
    """Waiting period of the log key's scheduled deletion, 7-30."""
    key_rotation_period_days: int = 365
    """Days between rotations of the log key, 90-2560."""
    alias_prefix: str = "mlops-platform"
    """Starts the log key's alias (``alias/<prefix>-audit``)."""
    retain: bool = True
    """Protect the trail, its key and bucket from `pulumi destroy`, keep them when removed from the
    program, and deny deleting log files (only the lifecycle expires them)."""
    cloudwatch_logs_retention_days: int | None = None
    """Also deliver events to a CloudWatch Logs group kept this many days (a CloudWatch Logs
    retention value); None: S3 only. Needs ``log_group_name`` and ``logs_kms_key_arn``."""
    log_group_name: str | None = None
    """Name of that log group (``/mlops-platform/<prefix>/cloudtrail``)."""
    logs_kms_key_arn: pulumi.Input[str] | None = None
    """KMS key of that log group; its policy must let CloudWatch Logs of this account use it."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "user_role_path", iam_path_problem)
        # The trail's key is built in the component's body.
        satisfies(self, "alias_prefix", lambda prefix: alias_problem(prefix, _KEY_PURPOSE))
        # Its log bucket (a SecureBucket) also gets mlops:data-class.
        satisfies(self, "tags", lambda tags: trail_tags_problem(tags, own=own_tags(tags, DATA_CLASS_TAG)))
        if not _TRAIL_NAME.fullmatch(self.trail_name) or _is_ip_address(self.trail_name):
            raise ValueError(
                f"AuditTrailArgs.trail_name: {self.trail_name!r} is not a trail name (3-128 letters, digits, "
                "'.', '_', '-'; starting and ending with a letter or digit; no two of '._-' in a row; not an IP address)"
            )
        in_range(self, "log_retention_days", 1, 36500)
        in_range(self, "abort_incomplete_multipart_upload_days", 1, 30)
        if self.data_events not in ("all", "write_only", "off"):
            raise ValueError(
                f"AuditTrailArgs.data_events: {self.data_events!r} is not all, write_only or off"
            )
        if self.cloudwatch_logs_retention_days is not None:
            one_of(self, "cloudwatch_logs_retention_days", LOG_RETENTION_DAYS)
            if not self.log_group_name or self.logs_kms_key_arn is None:
                raise ValueError(
                    "AuditTrailArgs: cloudwatch_logs_retention_days needs log_group_name and logs_kms_key_arn"
                )
        if not self.management_events and (self.data_events == "off" or not self.data_event_buckets):
            raise ValueError(
                "AuditTrailArgs: the trail would record nothing: keep management_events, or give "
                "data_event_buckets with data_events all or write_only"
            )

    @property
    def arn(self) -> str:
        return trail_arn(self.region, self.account_id, self.trail_name)


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def event_selectors(args: AuditTrailArgs) -> list[cloudtrail.TrailAdvancedEventSelectorArgs]:
    """Management events (every service's, SageMaker's among them) and the S3 object events of
    exactly the named buckets: ``resources.ARN`` starts with ``arn:aws:s3:::<bucket>/``."""
    selectors = []
    if args.management_events:
        selectors.append(
            cloudtrail.TrailAdvancedEventSelectorArgs(
                name="Management events",
                field_selectors=[
                    cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="eventCategory", equals=["Management"]
                    )
                ],
            )
        )
    if args.data_events != "off" and args.data_event_buckets:
        fields = [
            cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(field="eventCategory", equals=["Data"]),
            cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                field="resources.type", equals=["AWS::S3::Object"]
            ),
            cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                field="resources.ARN",
                starts_withs=[concat("arn:aws:s3:::", bucket, "/") for bucket in args.data_event_buckets],
            ),
        ]
        if args.data_events == "write_only":
            fields.append(
                cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(field="readOnly", equals=["false"])
            )
        selectors.append(
            cloudtrail.TrailAdvancedEventSelectorArgs(
                name="Object events of the platform buckets", field_selectors=fields
            )
        )
    return selectors


class AuditTrail(pulumi.ComponentResource):
    """A multi-region CloudTrail trail with log-file validation, global service events and
    management plus selected S3 data events, delivered to a dedicated bucket under a dedicated key.

    Security posture: log and digest files are SSE-KMS encrypted with a customer-managed key only
    this trail may encrypt with (``aws:SourceArn``) and only the account's IAM-authorised principals
    may decrypt; the log bucket is versioned, private, TLS-only and access-logged, and only this
    trail may write to it (``aws:SourceArn``, ``bucket-owner-full-control``).
    """

    trail_arn: pulumi.Output[str]
    """ARN of the trail."""
    log_bucket_name: pulumi.Output[str]
    """Name of the bucket holding the log and digest files (``AWSLogs/<account>/CloudTrail[-Digest]/``)."""
    key_arn: pulumi.Output[str]
    """ARN of the KMS key the log files are encrypted with (readers need kms:Decrypt on it)."""

    def __init__(self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:foundation:AuditTrail", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = EncryptionKey(
            f"{name}-key",
            EncryptionKeyArgs(
                purpose=_KEY_PURPOSE,
                account_id=args.account_id,
                user_role_path=args.user_role_path,
                tags=args.tags,
                service_grants=cloudtrail_key_grants(args.arn, args.account_id),
                extra_statements=[log_readers_statement(args.account_id)],
                deletion_window_days=args.key_deletion_window_days,
                rotation_period_days=args.key_rotation_period_days,
                retain=args.retain,
                alias_prefix=args.alias_prefix,
            ),
            child,
        )
        bucket = SecureBucket(
            f"{name}-logs",
            SecureBucketArgs(
                purpose="audit-logs",
                kms_key_arn=key.key_arn,
                access_log_bucket=args.access_log_bucket,
                tags=args.tags,
                noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                abort_incomplete_multipart_upload_days=args.abort_incomplete_multipart_upload_days,
                retain=args.retain,
                log_deliveries=[
                    LogDelivery(
                        sid="CloudTrail",
                        service=CLOUDTRAIL,
                        source_arn=args.arn,
                        key_prefix=f"AWSLogs/{args.account_id}/",
                    )
                ],
                expiration_days=args.log_retention_days,
                # CloudTrail sets its trail's ARN as each log file's encryption context, which the
                # key policy's decrypt and encrypt grants test; a bucket key would replace it.
                bucket_key=False,
                deny_object_deletion=args.retain,
            ),
            # The key outlives the bucket: a destroy that stops at a bucket still holding log files
            # (S3 refuses to delete one) leaves their key alone rather than scheduling its deletion.
            pulumi.ResourceOptions(parent=self, depends_on=[key.key]),
        )
        delivery = self._cloudwatch_logs(name, args)
        trail = cloudtrail.Trail(
            f"{name}-trail",
            name=args.trail_name,
            s3_bucket_name=bucket.bucket_name,
            kms_key_id=key.key_arn,
            enable_log_file_validation=True,
            enable_logging=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            advanced_event_selectors=event_selectors(args),
            cloud_watch_logs_group_arn=delivery[0] if delivery else None,
            cloud_watch_logs_role_arn=delivery[1] if delivery else None,
            tags=dict(args.tags),
            # CloudTrail checks at creation that it may write to the bucket and use the key. The key
            # (its policy inline) comes first through kms_key_id; the bucket policy through this edge.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[bucket.bucket_policy],
                protect=args.retain,
                retain_on_delete=args.retain,
            ),
        )

        self.trail_arn = trail.arn
        self.log_bucket_name = bucket.bucket_name
        self.key_arn = key.key_arn
        self.register_outputs(
            {"trail_arn": self.trail_arn, "log_bucket_name": self.log_bucket_name, "key_arn": self.key_arn}
        )

    def _cloudwatch_logs(
        self, name: str, args: AuditTrailArgs
    ) -> tuple[pulumi.Output[str], pulumi.Output[str]] | None:
        """The log group the trail also delivers to and the role CloudTrail writes with: ARN of the
        group with the log-stream wildcard CloudTrail requires, and the role's ARN (resolved once its
        policy is attached, so CreateTrail's check that it may write passes)."""
        if args.cloudwatch_logs_retention_days is None:
            return None
        child = pulumi.ResourceOptions(parent=self)
        log_group = cloudwatch.LogGroup(
            f"{name}-events",
            name=args.log_group_name,
            retention_in_days=args.cloudwatch_logs_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=dict(args.tags),
            opts=child,
        )
        delivery = ExecutionRole(
            f"{name}-events",
            ExecutionRoleArgs(
                description="Delivers the platform's CloudTrail events to CloudWatch Logs",
                trusted_service=CLOUDTRAIL,
                account_id=args.account_id,
                path=args.user_role_path,
                statements=[
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": concat(log_group.arn, ":log-stream:*"),
                    }
                ],
                tags=args.tags,
            ),
            opts=child,
        )
        return concat(log_group.arn, ":*"), delivery.role_arn
