"""The composition: the only module that knows every component and wires them together.

``build_platform`` turns a validated :class:`~stacks.config.PlatformConfig` into resources. It
reads no Pulumi config and no environment of its own; environment differences arrive through the
config (whose defaults come from ``stacks.defaults``), never through ``if environment == ...``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.encryption_key import EncryptionKey, EncryptionKeyArgs, ServiceKeyGrant
from components.execution_role import ExecutionRole, ExecutionRoleArgs
from components.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from components.feature_store import FeatureStore, FeatureStoreArgs
from components.model_registry import ModelRegistry, ModelRegistryArgs
from components.policy_documents import (
    ecr_pull,
    kms_use,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    vpc_network_interfaces,
)
from components.private_network import ExistingVpc, NewVpc, PrivateNetwork, PrivateNetworkArgs
from components.secure_bucket import SecureBucket, SecureBucketArgs
from stacks.config import REQUIRED_INTERFACE_ENDPOINTS, PlatformConfig

# Prefixes of the artifact bucket, shared by the roles that read and write them.
MODEL_PREFIX = "models/"
DATA_CAPTURE_PREFIX = "data-capture/"


@dataclass(frozen=True)
class Foundation:
    """What later capabilities build on: the keys, buckets, network and execution roles."""

    provider: aws.Provider
    data_key: EncryptionKey
    logs_key: EncryptionKey
    notifications_key: EncryptionKey
    access_logs: AccessLogBucket
    datasets: SecureBucket
    artifacts: SecureBucket
    network: PrivateNetwork
    training_role: ExecutionRole
    pipeline_role: ExecutionRole
    inference_role: ExecutionRole


@dataclass(frozen=True)
class Platform:
    """Everything the stack built; optional capabilities are None where the config leaves them out."""

    foundation: Foundation
    feature_store: FeatureStore | None
    model_registry: ModelRegistry | None
    experiment_tracking: ExperimentTracking | None


def role_path(config: PlatformConfig) -> str:
    """IAM path of every platform role; the key policies trust exactly this path."""
    return f"/mlops-platform/{config.environment}/"


def build_platform(config: PlatformConfig) -> Platform:
    """Register every resource of the platform described by ``config``."""
    provider = aws.Provider(
        "aws",
        region=config.region,
        # Refuse to touch any other account, whatever credentials happen to be active.
        allowed_account_ids=[config.account_id],
    )
    opts = pulumi.ResourceOptions(providers=[provider])
    foundation = _build_foundation(config, opts, provider)
    platform = Platform(
        foundation=foundation,
        feature_store=_build_feature_store(config, foundation, opts),
        model_registry=_build_model_registry(config, foundation, opts),
        experiment_tracking=_build_experiment_tracking(config, foundation, opts),
    )
    _export(platform)
    return platform


def _export(platform: Platform) -> None:
    foundation = platform.foundation
    pulumi.export("vpc_id", foundation.network.vpc_id)
    pulumi.export("datasets_bucket", foundation.datasets.bucket_name)
    pulumi.export("artifacts_bucket", foundation.artifacts.bucket_name)
    pulumi.export("data_key_arn", foundation.data_key.key_arn)
    pulumi.export("training_role_arn", foundation.training_role.role_arn)
    pulumi.export("pipeline_role_arn", foundation.pipeline_role.role_arn)
    pulumi.export("inference_role_arn", foundation.inference_role.role_arn)
    if platform.feature_store:
        pulumi.export("feature_group_names", platform.feature_store.feature_group_names)
    if platform.model_registry:
        pulumi.export("model_package_group_names", platform.model_registry.model_package_group_names)
        pulumi.export("model_approval_topic_arn", platform.model_registry.approval_topic_arn)
        pulumi.export("default_model_approval_status", platform.model_registry.default_approval_status)
    if platform.experiment_tracking:
        pulumi.export("mlflow_tracking_server_arn", platform.experiment_tracking.tracking_server_arn)


def _build_feature_store(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> FeatureStore | None:
    if not config.feature_groups:
        return None
    return FeatureStore(
        "feature-store",
        FeatureStoreArgs(
            groups=config.feature_groups,
            account_id=config.account_id,
            region=config.region,
            data_bucket_name=foundation.datasets.bucket_name,
            data_bucket_arn=foundation.datasets.bucket_arn,
            kms_key_arn=foundation.data_key.key_arn,
            role_path=role_path(config),
            tags=config.resource_tags,
            retain=config.protect_stateful_resources,
        ),
        opts,
    )


def _build_model_registry(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> ModelRegistry | None:
    if not config.models:
        return None
    return ModelRegistry(
        "model-registry",
        ModelRegistryArgs(
            families=config.models,
            approval_mode=config.model_registry.approval,
            account_id=config.account_id,
            region=config.region,
            notification_key_arn=foundation.notifications_key.key_arn,
            tags=config.resource_tags,
            retain=config.protect_stateful_resources,
        ),
        opts,
    )


def _build_experiment_tracking(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> ExperimentTracking | None:
    if not config.experiment_tracking.enabled:
        return None
    return ExperimentTracking(
        "experiment-tracking",
        ExperimentTrackingArgs(
            spec=config.experiment_tracking,
            account_id=config.account_id,
            region=config.region,
            artifact_bucket_name=foundation.artifacts.bucket_name,
            artifact_bucket_arn=foundation.artifacts.bucket_arn,
            kms_key_arn=foundation.data_key.key_arn,
            role_path=role_path(config),
            tags=config.resource_tags,
        ),
        opts,
    )


def _build_foundation(
    config: PlatformConfig, opts: pulumi.ResourceOptions, provider: aws.Provider
) -> Foundation:
    tags = config.resource_tags
    retain = config.protect_stateful_resources
    path = role_path(config)
    alias_prefix = f"mlops-platform-{config.environment}"
    key_args = {
        "account_id": config.account_id,
        "user_role_path": path,
        "tags": tags,
        "deletion_window_days": config.encryption.key_deletion_window_days,
        "rotation_period_days": config.encryption.rotation_period_days,
        "retain": retain,
        "alias_prefix": alias_prefix,
    }
    consumers = consumer_accounts(config)
    data_key = EncryptionKey(
        "kms-data",
        EncryptionKeyArgs(
            purpose="data",
            via_services=["sagemaker", "s3"],
            region=config.region,
            extra_statements=_consumer_key_statements(config, consumers),
            **key_args,
        ),
        opts,
    )
    logs_key = EncryptionKey(
        "kms-logs",
        EncryptionKeyArgs(
            purpose="logs",
            service_grants=[
                ServiceKeyGrant(
                    sid="CloudWatchLogsOfThisAccount",
                    service=f"logs.{config.region}.amazonaws.com",
                    actions=[
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    condition={
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{config.region}:{config.account_id}:*"
                        }
                    },
                )
            ],
            **key_args,
        ),
        opts,
    )

    notifications_key = EncryptionKey(
        "kms-notifications",
        EncryptionKeyArgs(
            purpose="notifications",
            # EventBridge and CloudWatch alarms publish to the platform's encrypted SNS topics. AWS's
            # documented grant for them has no condition: the topics' own policies decide who publishes.
            service_grants=[
                ServiceKeyGrant(
                    sid=f"{service.split('.')[0].capitalize()}PublishesToEncryptedTopics",
                    service=service,
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    condition={},
                )
                for service in ("events.amazonaws.com", "cloudwatch.amazonaws.com")
            ],
            **key_args,
        ),
        opts,
    )

    access_logs = AccessLogBucket(
        "access-logs",
        AccessLogBucketArgs(
            account_id=config.account_id,
            tags=tags,
            retention_days=config.storage.access_log_retention_days,
            retain=retain,
        ),
        opts,
    )
    bucket_args = {
        "kms_key_arn": data_key.key_arn,
        "access_log_bucket": access_logs.bucket_name,
        "tags": tags,
        "noncurrent_version_expiration_days": config.storage.noncurrent_version_expiration_days,
        "abort_incomplete_multipart_upload_days": config.storage.abort_incomplete_multipart_upload_days,
        "retain": retain,
    }
    datasets = SecureBucket("datasets", SecureBucketArgs(purpose="datasets", **bucket_args), opts)
    artifacts = SecureBucket(
        "artifacts",
        SecureBucketArgs(
            purpose="artifacts", reader_accounts=consumers, reader_prefix=MODEL_PREFIX, **bucket_args
        ),
        opts,
    )

    network = PrivateNetwork("network", _network_args(config, logs_key, path, provider), opts)
    workload_access = [
        *vpc_network_interfaces(
            config.region, config.account_id, network.private_subnet_ids, [network.workload_security_group_id]
        ),
        *sagemaker_logs_and_metrics(config.region, config.account_id),
        *ecr_pull(config.region, [config.account_id, *config.trusted_image_registry_accounts]),
        *kms_use([data_key.key_arn]),
    ]
    role = _role_factory(config, path, tags, opts)
    training_role = role(
        "training",
        "Runs the platform's SageMaker training and processing jobs",
        [*s3_read(datasets.bucket_arn), *s3_read_write(artifacts.bucket_arn), *workload_access],
    )
    inference_role = role(
        "inference",
        "Serves the platform's SageMaker models and writes their data capture",
        [
            *s3_read(artifacts.bucket_arn, [MODEL_PREFIX]),
            *s3_read_write(artifacts.bucket_arn, [DATA_CAPTURE_PREFIX]),
            *workload_access,
        ],
    )
    pipeline_role = role(
        "pipeline",
        "Orchestrates the platform's SageMaker pipelines",
        _pipeline_statements(config, training_role, artifacts, data_key),
    )
    return Foundation(
        provider=provider,
        data_key=data_key,
        logs_key=logs_key,
        notifications_key=notifications_key,
        access_logs=access_logs,
        datasets=datasets,
        artifacts=artifacts,
        network=network,
        training_role=training_role,
        pipeline_role=pipeline_role,
        inference_role=inference_role,
    )


def consumer_accounts(config: PlatformConfig) -> list[str]:
    """Accounts that deploy this stack's model versions (the union over model families)."""
    return sorted({account for model in config.models for account in model.consumer_accounts})


def _consumer_key_statements(config: PlatformConfig, consumers: list[str]) -> list[dict]:
    """Consumer accounts decrypt model artifacts, and only while reading them through S3."""
    if not consumers:
        return []
    return [
        {
            "Sid": "ConsumerAccountsDecryptModelArtifacts",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{account}:root" for account in consumers]},
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{config.region}.amazonaws.com"}},
        }
    ]


def _network_args(
    config: PlatformConfig, logs_key: EncryptionKey, path: str, provider: aws.Provider
) -> PrivateNetworkArgs:
    network = config.network
    vpc: NewVpc | ExistingVpc
    if network.existing_vpc is not None:
        existing = network.existing_vpc
        vpc = ExistingVpc(
            vpc_id=existing.vpc_id,
            cidr=existing.cidr,
            private_subnet_ids=existing.private_subnet_ids,
            route_table_ids=existing.route_table_ids,
        )
    else:
        assert network.cidr is not None  # guaranteed by NetworkConfig
        vpc = NewVpc(
            cidr=network.cidr,
            availability_zones=network.availability_zones or _available_zones(config, provider),
            flow_log_retention_days=network.flow_log_retention_days,
            flow_log_kms_key_arn=logs_key.key_arn,
        )
    return PrivateNetworkArgs(
        region=config.region,
        account_id=config.account_id,
        vpc=vpc,
        interface_endpoint_services=[*REQUIRED_INTERFACE_ENDPOINTS, *network.additional_interface_endpoints],
        role_path=path,
        tags=config.resource_tags,
    )


def _available_zones(config: PlatformConfig, provider: aws.Provider) -> list[str]:
    """The first ``az_count`` standard (not Local/Wavelength) zones of the region."""
    zones = aws.get_availability_zones(
        state="available",
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
        opts=pulumi.InvokeOptions(provider=provider),
    ).names
    if len(zones) < config.network.az_count:
        raise ValueError(
            f"region {config.region} has {len(zones)} zones; network.az_count asks for {config.network.az_count}"
        )
    return sorted(zones)[: config.network.az_count]


def _role_factory(config: PlatformConfig, path: str, tags: dict[str, str], opts: pulumi.ResourceOptions):
    def role(name: str, description: str, statements: list[dict]) -> ExecutionRole:
        return ExecutionRole(
            f"{name}-role",
            ExecutionRoleArgs(
                description=description,
                trusted_service="sagemaker.amazonaws.com",
                account_id=config.account_id,
                path=path,
                statements=statements,
                tags=tags,
            ),
            opts,
        )

    return role


def _pipeline_statements(
    config: PlatformConfig, training_role: ExecutionRole, artifacts: SecureBucket, data_key: EncryptionKey
) -> list[dict]:
    sagemaker = f"arn:aws:sagemaker:{config.region}:{config.account_id}"
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:AddTags",
            ],
            "Resource": [f"{sagemaker}:processing-job/*", f"{sagemaker}:training-job/*"],
        },
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:AddTags",
            ],
            "Resource": [f"{sagemaker}:model-package/*", f"{sagemaker}:model-package-group/*"],
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": training_role.role_arn,
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
        *s3_read_write(artifacts.bucket_arn),
        *kms_use([data_key.key_arn]),
    ]
