"""Foundation: customer-managed KMS keys, secure and access-log buckets, the private network,
least-privilege execution roles and the CloudTrail audit trail (type tokens ``mlops:foundation:*``).
The components are imported on first use, so reading the specs does not load Pulumi."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .audit_trail_spec import AuditTrailSpec

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .access_log_bucket import AccessLogBucket, AccessLogBucketArgs
    from .audit_trail import AuditTrail, AuditTrailArgs
    from .encryption_key import (
        EncryptionKey,
        EncryptionKeyArgs,
        ServiceKeyGrant,
        cloudwatch_alarms_grant,
        cloudwatch_logs_grant,
        eventbridge_grants,
    )
    from .execution_role import ExecutionRole, ExecutionRoleArgs
    from .image_repository import ImageRepository, ImageRepositoryArgs
    from .private_network import ExistingVpc, NewVpc, PrivateNetwork, PrivateNetworkArgs
    from .secure_bucket import LogDelivery, SecureBucket, SecureBucketArgs

__getattr__ = on_first_use(
    __name__,
    {
        ".access_log_bucket": ("AccessLogBucket", "AccessLogBucketArgs"),
        ".audit_trail": ("AuditTrail", "AuditTrailArgs"),
        ".encryption_key": (
            "EncryptionKey",
            "EncryptionKeyArgs",
            "ServiceKeyGrant",
            "cloudwatch_alarms_grant",
            "cloudwatch_logs_grant",
            "eventbridge_grants",
        ),
        ".execution_role": ("ExecutionRole", "ExecutionRoleArgs"),
        ".image_repository": ("ImageRepository", "ImageRepositoryArgs"),
        ".private_network": ("ExistingVpc", "NewVpc", "PrivateNetwork", "PrivateNetworkArgs"),
        ".secure_bucket": ("LogDelivery", "SecureBucket", "SecureBucketArgs"),
    },
)

__all__ = [
    "AccessLogBucket",
    "AccessLogBucketArgs",
    "AuditTrail",
    "AuditTrailArgs",
    "AuditTrailSpec",
    "EncryptionKey",
    "EncryptionKeyArgs",
    "ExecutionRole",
    "ExecutionRoleArgs",
    "ExistingVpc",
    "ImageRepository",
    "ImageRepositoryArgs",
    "LogDelivery",
    "NewVpc",
    "PrivateNetwork",
    "PrivateNetworkArgs",
    "SecureBucket",
    "SecureBucketArgs",
    "ServiceKeyGrant",
    "cloudwatch_alarms_grant",
    "cloudwatch_logs_grant",
    "eventbridge_grants",
]
