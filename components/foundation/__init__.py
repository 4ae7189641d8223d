"""Foundation: customer-managed KMS keys, secure and access-log buckets, the private network,
least-privilege execution roles and the CloudTrail audit trail (type tokens ``mlops:foundation:*``)."""

from .access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from .audit_trail import AuditTrail, AuditTrailArgs, AuditTrailSpec
from .encryption_key import EncryptionKey, EncryptionKeyArgs, ServiceKeyGrant
from .execution_role import ExecutionRole, ExecutionRoleArgs
from .image_repository import ImageRepository, ImageRepositoryArgs
from .private_network import ExistingVpc, NewVpc, PrivateNetwork, PrivateNetworkArgs
from .secure_bucket import LogDelivery, SecureBucket, SecureBucketArgs

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
]
