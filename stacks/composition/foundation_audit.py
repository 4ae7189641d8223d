"""The foundation's audit trail: the stack's own CloudTrail trail and the trail recording the
account's management events."""

from __future__ import annotations

import pulumi

from components.foundation.access_log_bucket import AccessLogBucket
from components.foundation.audit_trail import AuditTrail, AuditTrailArgs
from components.foundation.encryption_key import EncryptionKey
from components.foundation.secure_bucket import SecureBucket
from stacks import naming
from stacks.config import PlatformConfig


def _audit_trail(
    config: PlatformConfig,
    access_logs: AccessLogBucket,
    buckets: list[SecureBucket],
    logs_key: EncryptionKey,
    opts: pulumi.ResourceOptions,
) -> AuditTrail | None:
    """The stack's trail: management events unless another trail records them, and the object
    events of the datasets and artifact buckets as ``audit_trail.data_events`` says."""
    spec = config.audit_trail
    if not spec.creates_trail:
        return None
    return AuditTrail(
        "audit",
        AuditTrailArgs(
            trail_name=naming.audit_trail_name(config.name_prefix),
            region=config.region,
            account_id=config.account_id,
            user_role_path=config.role_path,
            access_log_bucket=access_logs.bucket_name,
            tags=config.resource_tags,
            data_event_buckets=[bucket.bucket_name for bucket in buckets],
            data_events=spec.data_events,
            management_events=spec.existing_organization_trail is None,
            log_retention_days=spec.log_retention_days,
            noncurrent_version_expiration_days=config.storage.noncurrent_version_expiration_days,
            abort_incomplete_multipart_upload_days=config.storage.abort_incomplete_multipart_upload_days,
            key_deletion_window_days=config.encryption.key_deletion_window_days,
            key_rotation_period_days=config.encryption.rotation_period_days,
            alias_prefix=naming.kms_alias_prefix(config.name_prefix),
            retain=config.protect_stateful_resources,
            cloudwatch_logs_retention_days=spec.cloudwatch_logs_retention_days,
            log_group_name=f"{naming.log_group_prefix(config.name_prefix)}cloudtrail",
            logs_kms_key_arn=logs_key.key_arn,
        ),
        opts,
    )


def _management_trail_arn(config: PlatformConfig, trail: AuditTrail | None) -> pulumi.Input[str] | None:
    spec = config.audit_trail
    if not spec.enabled:
        return None
    if spec.existing_organization_trail is not None:
        return spec.existing_organization_trail
    return trail.trail_arn if trail is not None else None
