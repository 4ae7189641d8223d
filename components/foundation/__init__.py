"""Foundation: customer-managed KMS keys, secure and access-log buckets, the private network and
least-privilege execution roles (type tokens ``mlops:foundation:*``)."""

from .access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from .encryption_key import EncryptionKey, EncryptionKeyArgs, ServiceKeyGrant
from .execution_role import ExecutionRole, ExecutionRoleArgs
from .private_network import ExistingVpc, NewVpc, PrivateNetwork, PrivateNetworkArgs
from .secure_bucket import SecureBucket, SecureBucketArgs

__all__ = [
    "AccessLogBucket",
    "AccessLogBucketArgs",
    "EncryptionKey",
    "EncryptionKeyArgs",
    "ExecutionRole",
    "ExecutionRoleArgs",
    "ExistingVpc",
    "NewVpc",
    "PrivateNetwork",
    "PrivateNetworkArgs",
    "SecureBucket",
    "SecureBucketArgs",
    "ServiceKeyGrant",
]
