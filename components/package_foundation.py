"""The component package's foundation classes (:mod:`components.component_package`): the KMS key,
the access-log and secure buckets, the execution role and the private network, each a thin
boundary over the Python component of the same name.

No ``from __future__ import annotations`` here: the SDK's analyzer reads the annotations as types.
"""

from typing import Any, NotRequired, TypedDict

import pulumi
from pydantic import TypeAdapter

from . import foundation
from .package_boundary import _child, _from_json, _token, _wire

_STATEMENTS: TypeAdapter[list[dict[str, Any]]] = TypeAdapter(list[dict[str, Any]])


# -- foundation ------------------------------------------------------------------------------------


class EncryptionKeyInputs(TypedDict):
    purpose: str
    """What the key protects, e.g. ``data``: its description and alias (``alias/<alias_prefix>-<purpose>``)."""
    account_id: str
    """The 12-digit account that owns the key."""
    user_role_path: str
    """IAM path (e.g. ``/team-x/``) whose roles may encrypt and decrypt with the key."""
    tags: dict[str, str]
    """Tags of the key and alias."""
    alias_prefix: NotRequired[str]
    """Starts the alias (default ``mlops-platform``)."""
    via_services: NotRequired[list[str]]
    """Services (``sagemaker``, ``s3``) through which the account's principals may use the key."""
    region: NotRequired[str]
    """Region of ``via_services`` and ``service_grants`` (required with them)."""
    service_grants: NotRequired[list[str]]
    """AWS services that may use the key for this account's resources: ``cloudwatch-alarms``
    (alarms notifying an SNS topic encrypted with it: the key of an endpoint's ``alarmTopicArn``),
    ``eventbridge`` (rules delivering to encrypted topics and queues), ``cloudwatch-logs``
    (encrypted log groups). Default: none."""
    deletion_window_days: NotRequired[int]
    """7-30 (default 30)."""
    rotation_period_days: NotRequired[int]
    """90-2560 (default 365); rotation is always on."""
    retain: NotRequired[bool]
    """Protect the key and keep it on delete (default true)."""


_SERVICE_GRANTS = ("cloudwatch-alarms", "cloudwatch-logs", "eventbridge")


def _service_grants(names: list[str], values: dict[str, Any]) -> list[Any]:
    """The key policy grants ``service_grants`` names, built as the platform's own keys' are."""
    from .foundation import encryption_key

    unknown = sorted(set(names) - set(_SERVICE_GRANTS))
    if unknown:
        raise ValueError(f"service_grants: {', '.join(unknown)}: use {', '.join(_SERVICE_GRANTS)}")
    if names and not values.get("region"):
        raise ValueError("service_grants: needs the key's region")
    region, account = values.get("region", ""), values.get("account_id", "")
    builders = {
        "cloudwatch-alarms": lambda: [encryption_key.cloudwatch_alarms_grant(region, account)],
        "cloudwatch-logs": lambda: [encryption_key.cloudwatch_logs_grant(region, account)],
        "eventbridge": lambda: encryption_key.eventbridge_grants(region, account),
    }
    return [grant for name in dict.fromkeys(names) for grant in builders[name]()]


class EncryptionKey(pulumi.ComponentResource):
    """A customer-managed KMS key with rotation, an alias and a least-privilege key policy."""

    key_arn: pulumi.Output[str]
    """ARN of the key."""
    key_id: pulumi.Output[str]
    """ID of the key."""
    alias_name: pulumi.Output[str]
    """The key's alias (``alias/...``)."""

    def __init__(
        self, name: str, args: EncryptionKeyInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, EncryptionKeyInputs)
        values["service_grants"] = _service_grants(values.pop("service_grants", []), values)
        key_args = foundation.EncryptionKeyArgs(**values)
        super().__init__(_token("EncryptionKey"), name, {}, opts)
        key = foundation.EncryptionKey(name, key_args, _child(self))
        self.key_arn, self.key_id, self.alias_name = key.key_arn, key.key_id, key.alias_name
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias_name})


class AccessLogBucketInputs(TypedDict):
    account_id: str
    """The account whose S3 log delivery may write."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    retention_days: NotRequired[int]
    """Days access logs are kept (default 365)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""


class AccessLogBucket(pulumi.ComponentResource):
    """The S3 server-access-log bucket: private, TLS-only, SSE-S3 (log delivery needs it)."""

    bucket_name: pulumi.Output[str]
    """Name of the bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""

    def __init__(
        self, name: str, args: AccessLogBucketInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        bucket_args = foundation.AccessLogBucketArgs(**_wire(args, AccessLogBucketInputs))
        super().__init__(_token("AccessLogBucket"), name, {}, opts)
        bucket = foundation.AccessLogBucket(name, bucket_args, _child(self))
        self.bucket_name, self.bucket_arn = bucket.bucket_name, bucket.bucket_arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


class SecureBucketInputs(TypedDict):
    purpose: str
    """What the bucket holds (``datasets``, ``artifacts``)."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed key every object is encrypted with."""
    access_log_bucket: pulumi.Input[str]
    """Name of the bucket that receives this bucket's access logs."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    noncurrent_version_expiration_days: NotRequired[int]
    """Days a replaced object version is kept (default 90)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""
    reader_accounts: NotRequired[list[str]]
    """Other accounts that may read objects under ``reader_prefixes``."""
    reader_prefixes: NotRequired[list[str]]
    """Key prefixes ``reader_accounts`` may read (required with them)."""


class SecureBucket(pulumi.ComponentResource):
    """A versioned SSE-KMS bucket: public access blocked, TLS 1.2 only, access logged."""

    bucket_name: pulumi.Output[str]
    """Name of the bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""

    def __init__(
        self, name: str, args: SecureBucketInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        bucket_args = foundation.SecureBucketArgs(**_wire(args, SecureBucketInputs))
        super().__init__(_token("SecureBucket"), name, {}, opts)
        bucket = foundation.SecureBucket(name, bucket_args, _child(self))
        self.bucket_name, self.bucket_arn = bucket.bucket_name, bucket.bucket_arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


class ExecutionRoleInputs(TypedDict):
    description: str
    """What the role is for (its IAM description)."""
    trusted_service: str
    """Service principal that assumes the role, e.g. ``sagemaker.amazonaws.com``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    path: str
    """IAM path the KMS keys trust (e.g. ``/team-x/``)."""
    statements_json: pulumi.Input[str]
    """The role's only permissions: a JSON list of IAM policy statements (may be built from other
    resources' outputs)."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""


class ExecutionRole(pulumi.ComponentResource):
    """A service role trusted by one service for this account, with exactly the statements given."""

    role_arn: pulumi.Output[str]
    """ARN of the role."""
    role_name: pulumi.Output[str]
    """Name of the role."""

    def __init__(
        self, name: str, args: ExecutionRoleInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, ExecutionRoleInputs)
        statements_json = values.pop("statements_json")
        statements = (
            statements_json.apply(lambda text: _from_json(_STATEMENTS, text, "statements_json"))
            if isinstance(statements_json, pulumi.Output)
            else _from_json(_STATEMENTS, statements_json, "statements_json")
        )
        role_args = foundation.ExecutionRoleArgs(statements=statements, **values)
        super().__init__(_token("ExecutionRole"), name, {}, opts)
        role = foundation.ExecutionRole(name, role_args, _child(self))
        self.role_arn, self.role_name = role.role_arn, role.role_name
        self.register_outputs({"role_arn": self.role_arn, "role_name": self.role_name})


class PrivateNetworkInputs(TypedDict):
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    cidr: str
    """The VPC's IPv4 CIDR (private, /16 to /22)."""
    availability_zones: list[str]
    """One private subnet per zone."""
    interface_endpoint_services: list[str]
    """Short names (``sagemaker.api``, ``sts``...) of the interface endpoints."""
    flow_log_kms_key_arn: pulumi.Input[str]
    """KMS key of the flow-log group."""
    flow_log_group_name: str
    """CloudWatch log group of the VPC flow logs."""
    flow_log_retention_days: int
    """Days flow logs are kept (a CloudWatch retention value)."""
    role_path: str
    """IAM path of the roles created (e.g. ``/team-x/``); the KMS keys trust this path."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""


class PrivateNetwork(pulumi.ComponentResource):
    """A VPC with private subnets only, interface and S3 endpoints, flow logs, HTTPS-only groups."""

    vpc_id: pulumi.Output[str]
    """ID of the VPC."""
    private_subnet_ids: pulumi.Output[list[str]]
    """The private subnets, one per availability zone."""
    workload_security_group_id: pulumi.Output[str]
    """Security group for SageMaker jobs, models and endpoints (egress: HTTPS to the interface and S3
    endpoints, and traffic within the group)."""

    def __init__(
        self, name: str, args: PrivateNetworkInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, PrivateNetworkInputs)
        vpc = foundation.NewVpc(
            cidr=values["cidr"],
            availability_zones=values["availability_zones"],
            flow_log_retention_days=values["flow_log_retention_days"],
            flow_log_kms_key_arn=values["flow_log_kms_key_arn"],
            flow_log_group_name=values["flow_log_group_name"],
        )
        network_args = foundation.PrivateNetworkArgs(
            region=values["region"],
            account_id=values["account_id"],
            vpc=vpc,
            interface_endpoint_services=values["interface_endpoint_services"],
            role_path=values["role_path"],
            tags=values["tags"],
        )
        super().__init__(_token("PrivateNetwork"), name, {}, opts)
        network = foundation.PrivateNetwork(name, network_args, _child(self))
        self.vpc_id = network.vpc_id
        self.private_subnet_ids = pulumi.Output.all(*network.private_subnet_ids)
        self.workload_security_group_id = network.workload_security_group_id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "workload_security_group_id": self.workload_security_group_id,
            }
        )
