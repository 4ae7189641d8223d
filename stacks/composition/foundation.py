"""Foundation: the keys, buckets, network and execution roles every capability builds on.

The parts live beside this module, each name still importable from here: what the roles and keys
are scoped to, read from the config (foundation_scope.py), the execution roles' statements and the
artifact-bucket prefixes they scope (foundation_roles.py), the network's arguments
(foundation_network.py) and the audit trail (foundation_audit.py); this module builds the
foundation and holds the stack's pulumi-aws-native provider.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.data.feature_query_workgroup import RESULTS_PREFIX
from components.foundation.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.foundation.audit_trail import AuditTrail
from components.foundation.encryption_key import (
    EncryptionKey,
    EncryptionKeyArgs,
    cloudwatch_alarms_grant,
    cloudwatch_logs_grant,
    eventbridge_grants,
)
from components.foundation.execution_role import ExecutionRole
from components.foundation.image_repository import ImageRepository, ImageRepositoryArgs
from components.foundation.private_network import PrivateNetwork
from components.foundation.secure_bucket import SecureBucket, SecureBucketArgs
from components.observability.monitoring_spec import BASELINE_PREFIX
from components.policy_documents import (
    ecr_pull,
    ecr_pull_images,
    kms_use,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    vpc_network_interfaces,
)
from stacks import naming
from stacks.composition.foundation_audit import _audit_trail, _management_trail_arn
from stacks.composition.foundation_network import _network_args
from stacks.composition.foundation_roles import (
    DATA_CAPTURE_PREFIX,
    EXTRACT_OUTPUT_PREFIX,
    MODEL_PREFIX,
    PIPELINE_CODE_PREFIX,
    TRACKING_OUTPUT_PREFIX,
    _drift_metrics_statements,
    _feature_extraction_statements,
    _pipeline_statements,
    _role_factory,
    _tracking_job_statements,
)
from stacks.composition.foundation_scope import (
    _consumer_key_statements,
    _distribution_image,
    consumer_accounts,
    cost_alert_grants,
    framework_images,
    served_families,
    training_dataset_prefixes,
    training_dataset_reads,
    training_images,
    uses_evidently,
)
from stacks.config import PlatformConfig

# What this module has always offered, wherever it is defined now (stacks, tests, adopters).
__all__ = [
    "DATA_CAPTURE_PREFIX",
    "EXTRACT_OUTPUT_PREFIX",
    "MODEL_PREFIX",
    "PIPELINE_CODE_PREFIX",
    "TRACKING_OUTPUT_PREFIX",
    "Foundation",
    "build_foundation",
    "consumer_accounts",
    "cost_alert_grants",
    "framework_images",
    "native_provider",
    "served_families",
    "training_dataset_prefixes",
    "training_dataset_reads",
    "training_images",
    "uses_evidently",
]


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
    tracking_job_role: ExecutionRole | None = None
    """Role of the training pipelines' TrackExperiment step, where the stack trains and tracks."""
    feature_extraction_role: ExecutionRole | None = None
    """Role of the training pipelines' ExtractFeatures step, where a family trains from a feature group."""
    evidently_repository: ImageRepository | None = None
    """The ECR repository of the Evidently image, where a model family has ``evidently``."""
    drift_metrics_role: ExecutionRole | None = None
    """Role of the PublishDriftMetrics steps (CloudWatch in the Evidently namespace only)."""
    audit_trail: AuditTrail | None = None
    """The stack's CloudTrail trail, where ``audit_trail`` creates one."""
    audit_trail_arn: pulumi.Input[str] | None = None
    """The trail recording the account's management events: the stack's own or the configured
    ``existing_organization_trail``; None where ``audit_trail.enabled`` is false."""


class _SharedKeyArgs(TypedDict):
    """The EncryptionKeyArgs the stack's three keys share."""

    account_id: str
    user_role_path: str
    tags: Mapping[str, str]
    deletion_window_days: int
    rotation_period_days: int
    retain: bool
    alias_prefix: str


class _SharedBucketArgs(TypedDict):
    """The SecureBucketArgs the datasets and artifacts buckets share."""

    kms_key_arn: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    tags: Mapping[str, str]
    noncurrent_version_expiration_days: int
    abort_incomplete_multipart_upload_days: int
    retain: bool


def build_foundation(
    config: PlatformConfig, opts: pulumi.ResourceOptions, provider: aws.Provider
) -> Foundation:
    tags = config.resource_tags
    retain = config.protect_stateful_resources
    path = config.role_path
    alias_prefix = naming.kms_alias_prefix(config.name_prefix)
    key_args: _SharedKeyArgs = {
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
            # ECR encrypts the Evidently image with it (grants it creates for the pushing principal).
            via_services=["sagemaker", "s3", *(["ecr"] if uses_evidently(config) else [])],
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
            service_grants=[cloudwatch_logs_grant(config.region, config.account_id)],
            **key_args,
        ),
        opts,
    )

    notifications_key = EncryptionKey(
        "kms-notifications",
        EncryptionKeyArgs(
            purpose="notifications",
            # EventBridge rules and CloudWatch alarms deliver to the platform's encrypted SNS topics
            # (and EventBridge to its SQS queues), each grant scoped to this account's resources.
            service_grants=[
                *eventbridge_grants(config.region, config.account_id),
                cloudwatch_alarms_grant(config.region, config.account_id),
                # The stack's budget and cost anomaly monitor page the alert topic.
                *cost_alert_grants(config),
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
    bucket_args: _SharedBucketArgs = {
        "kms_key_arn": data_key.key_arn,
        "access_log_bucket": access_logs.bucket_name,
        "tags": tags,
        "noncurrent_version_expiration_days": config.storage.noncurrent_version_expiration_days,
        "abort_incomplete_multipart_upload_days": config.storage.abort_incomplete_multipart_upload_days,
        "retain": retain,
    }
    # The data key outlives the buckets it encrypts: a destroy that stops at a bucket still holding
    # objects (S3 refuses to delete it, and the platform never force-destroys one) leaves the key
    # alone rather than scheduling its deletion, which would make those objects unreadable.
    bucket_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[data_key.key]))
    datasets = SecureBucket(
        "datasets",
        SecureBucketArgs(
            purpose="datasets",
            eventbridge_notifications=config.trains_models and config.training.new_data.enabled,
            **bucket_args,
        ),
        bucket_opts,
    )
    artifacts = SecureBucket(
        "artifacts",
        SecureBucketArgs(
            purpose="artifacts",
            reader_accounts=consumers,
            # What a consumer account's endpoints and monitors read of a promoted version.
            reader_prefixes=[MODEL_PREFIX, BASELINE_PREFIX],
            # Athena's results are copies of training sets the pipeline has already read. Every
            # stack has the rule: one that stops training from feature groups still expires them.
            scratch_prefixes={RESULTS_PREFIX: config.feature_queries.results_retention_days},
            **bucket_args,
        ),
        bucket_opts,
    )

    audit_trail = _audit_trail(config, access_logs, [datasets, artifacts], logs_key, opts)
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
        [
            *training_dataset_reads(config, datasets.bucket_arn),
            *s3_read_write(artifacts.bucket_arn),
            *workload_access,
            *ecr_pull_images(training_images(config)),
        ],
    )
    inference_role = role(
        "inference",
        "Serves the platform's SageMaker models and writes their data capture",
        [
            *s3_read(artifacts.bucket_arn, [MODEL_PREFIX]),
            *s3_read_write(artifacts.bucket_arn, [DATA_CAPTURE_PREFIX]),
            *workload_access,
            *ecr_pull_images(framework_images(config, ("inference",))),
        ],
    )
    distribution = ecr_pull_images(_distribution_image(config))
    tracking_job_role = (
        role(
            "tracking-job",
            "Logs the platform's training pipeline executions to the MLflow tracking server",
            [*_tracking_job_statements(config, artifacts, workload_access), *distribution],
        )
        if config.trains_models and config.experiment_tracking.enabled
        else None
    )
    feature_extraction_role = (
        role(
            "feature-extraction",
            "Reads feature groups' offline stores with Athena for the platform's training pipelines",
            [*_feature_extraction_statements(config, datasets, artifacts, workload_access), *distribution],
        )
        if config.feature_training
        else None
    )
    drift_metrics_role = (
        role(
            "drift-metrics-job",
            "Publishes the Evidently reports' summary metrics to CloudWatch",
            _drift_metrics_statements(artifacts, workload_access),
        )
        if uses_evidently(config)
        else None
    )
    evidently_repository = (
        ImageRepository(
            "evidently-image",
            ImageRepositoryArgs(
                repository_name=naming.evidently_repository_name(config.name_prefix),
                kms_key_arn=data_key.key_arn,
                tags=tags,
                retain=retain,
            ),
            opts,
        )
        if uses_evidently(config)
        else None
    )
    pipeline_role = role(
        "pipeline",
        "Orchestrates the platform's SageMaker pipelines",
        _pipeline_statements(
            config,
            training_role,
            artifacts,
            data_key,
            [
                job_role
                for job_role in (tracking_job_role, feature_extraction_role, drift_metrics_role)
                if job_role is not None
            ],
        ),
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
        tracking_job_role=tracking_job_role,
        feature_extraction_role=feature_extraction_role,
        evidently_repository=evidently_repository,
        drift_metrics_role=drift_metrics_role,
        audit_trail=audit_trail,
        audit_trail_arn=_management_trail_arn(config, audit_trail),
    )


_NATIVE_PROVIDERS: weakref.WeakKeyDictionary[aws.Provider, pulumi.ProviderResource] = (
    weakref.WeakKeyDictionary()
)


def native_provider(config: PlatformConfig, foundation: Foundation) -> pulumi.ProviderResource:
    """The stack's one pulumi-aws-native provider (account-locked like the AWS one), created on first
    use: pulumi_aws_native is large, and most stacks do not need it. Model monitors, shadow tests and
    shared endpoints all deploy through it."""
    found = _NATIVE_PROVIDERS.get(foundation.provider)
    if found is None:
        import pulumi_aws_native

        found = pulumi_aws_native.Provider(
            "aws-native", region=config.region, allowed_account_ids=[config.account_id]
        )
        _NATIVE_PROVIDERS[foundation.provider] = found
    return found
