"""Foundation: the keys, buckets, network and execution roles every capability builds on."""

from __future__ import annotations

import weakref
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.data.feature_query_workgroup import RESULTS_PREFIX
from components.data.feature_store_spec import (
    FEATURE_STORE_GLUE_DATABASE,
    OFFLINE_STORE_PREFIX,
    glue_table_prefix,
)
from components.experiments.experiment_tracking import mlflow_logging
from components.experiments.experiment_tracking_spec import tracking_server_arn, tracking_server_name
from components.foundation.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.foundation.audit_trail import AuditTrail, AuditTrailArgs
from components.foundation.encryption_key import (
    EncryptionKey,
    EncryptionKeyArgs,
    ServiceKeyGrant,
    cloudwatch_alarms_grant,
    cloudwatch_logs_grant,
    eventbridge_grants,
)
from components.foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from components.foundation.image_repository import ImageRepository, ImageRepositoryArgs
from components.foundation.private_network import ExistingVpc, NewVpc, PrivateNetwork, PrivateNetworkArgs
from components.foundation.secure_bucket import SecureBucket, SecureBucketArgs
from components.observability.cost_guardrails import budgets_key_grant, cost_anomaly_key_grant
from components.observability.monitoring_spec import BASELINE_PREFIX
from components.output_text import concat
from components.policy_documents import (
    Statement,
    ecr_pull,
    ecr_pull_images,
    kms_use,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    vpc_network_interfaces,
)
from components.prebuilt_images import ANALYZER, DISTRIBUTION, prebuilt_repository_uri
from components.serving.inference_endpoint_spec import MODEL_PACKAGE_VERSION_ARN, ModelSource
from components.training.definition import STEP_EXTRACT, STEP_TRACK
from components.training.evidently import NAMESPACE as EVIDENTLY_NAMESPACE
from components.training.frameworks import SCOPES, repository_uris
from components.training.training_spec import training_data_prefix
from stacks import naming
from stacks.config import REQUIRED_INTERFACE_ENDPOINTS, PlatformConfig

# Prefixes of the artifact bucket, shared by the roles that read and write them.
MODEL_PREFIX = "models/"


DATA_CAPTURE_PREFIX = "data-capture/"
PIPELINE_CODE_PREFIX = "pipelines/*/code/"
"""Where TrainingPipeline uploads step scripts (``pipelines/<pipeline>/code/<digest>/<file>``)."""
TRACKING_OUTPUT_PREFIX = f"pipelines/*/{STEP_TRACK}/"
"""Where TrackExperiment writes its run id (``pipelines/<pipeline>/<execution>/TrackExperiment/``)."""
EXTRACT_OUTPUT_PREFIX = f"pipelines/*/{STEP_EXTRACT}/"
"""Where ExtractFeatures writes the training set and snapshot.json
(``pipelines/<pipeline>/<execution>/ExtractFeatures/``)."""


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
    datasets = SecureBucket(
        "datasets",
        SecureBucketArgs(
            purpose="datasets",
            eventbridge_notifications=config.trains_models and config.training.new_data.enabled,
            **bucket_args,
        ),
        opts,
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
        opts,
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


def training_dataset_prefixes(config: PlatformConfig) -> list[str]:
    """What the training role reads of the datasets bucket: each trained family's training-data
    prefix (its pipelines' input) and its Evidently reference, not the whole bucket (the DVC
    remote's files, other families' data). None where no family trains here."""
    return sorted(
        {
            prefix
            for family in (config.models if config.trains_models else [])
            if family.training is not None
            for prefix in (
                training_data_prefix(family.name),
                *([family.evidently.reference(family.name)] if family.evidently is not None else []),
            )
        }
    )


def training_dataset_reads(config: PlatformConfig, datasets_arn: pulumi.Input[str]) -> list[Statement]:
    """Read and list :func:`training_dataset_prefixes` (nothing when there are none)."""
    prefixes = training_dataset_prefixes(config)
    return s3_read(datasets_arn, prefixes) if prefixes else []


def framework_images(
    config: PlatformConfig, scopes: tuple[str, ...] = SCOPES, families: Collection[str] | None = None
) -> list[str]:
    """The ECR repositories of the SageMaker framework images (``scopes``) the stack's families
    (those named in ``families``, or all) train and serve with (``models[].training.framework``),
    in AWS's registry accounts of the region: SageMaker pulls them with the job's or model's
    execution role (see :func:`components.policy_documents.ecr_pull_images`)."""
    if not config.trains_models:
        return []
    return sorted(
        {
            uri
            for family in config.models
            if family.training is not None and (families is None or family.name in families)
            for uri in repository_uris(
                family.training.framework.name, family.training.framework.version, config.region, scopes
            )
        }
    )


def served_families(config: PlatformConfig, sources: Iterable[ModelSource]) -> set[str]:
    """The families of this stack (trained here) whose versions ``sources`` serve: the latest
    approved version of one, or a version of its group in this account's registry. A version of
    another account's registry, or an image, names no family of this stack."""
    groups = {config.model_package_group(f.name): f.name for f in config.models if f.training is not None}
    found: set[str] = set()
    for source in sources:
        if source.latest_approved_of is not None and source.latest_approved_of in groups.values():
            found.add(source.latest_approved_of)
        arn = source.model_package_arn or ""
        pinned = MODEL_PACKAGE_VERSION_ARN.match(arn)
        if pinned and arn.split(":")[4] == config.account_id and pinned["group"] in groups:
            found.add(groups[pinned["group"]])
    return found


def training_images(config: PlatformConfig) -> list[str]:
    """What the training role's jobs run from AWS's registries: the families' framework images
    (training, processing and tuning jobs the training image, the pipeline's model the inference
    one) and Model Monitor's analyzer for the baselining jobs."""
    analyzer = (
        prebuilt_repository_uri(ANALYZER, config.region)
        if config.trains_models and config.computes_model_monitor_baselines
        else None
    )
    return [*framework_images(config), *([analyzer] if analyzer else [])]


def _distribution_image(config: PlatformConfig) -> list[str]:
    """SageMaker Distribution, the image of TrackExperiment and ExtractFeatures."""
    image = prebuilt_repository_uri(DISTRIBUTION, config.region) if config.trains_models else None
    return [image] if image else []


def cost_alert_grants(config: PlatformConfig) -> list[ServiceKeyGrant]:
    """AWS Budgets and Cost Anomaly Detection use the notifications key, where ``budget.enabled``."""
    if not config.budget.enabled:
        return []
    return [
        budgets_key_grant(config.region, config.account_id),
        cost_anomaly_key_grant(config.region, config.account_id),
    ]


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
            flow_log_group_name=f"{naming.log_group_prefix(config.name_prefix)}vpc-flow-logs",
        )
    return PrivateNetworkArgs(
        region=config.region,
        account_id=config.account_id,
        vpc=vpc,
        interface_endpoint_services=[
            *REQUIRED_INTERFACE_ENDPOINTS,
            *network.additional_interface_endpoints,
            # The MLflow tracking server, reached from the private subnets (TrackExperiment, notebooks).
            *(["sagemaker.experiments"] if config.experiment_tracking.enabled else []),
            # ExtractFeatures' Athena calls (SageMaker's DescribeFeatureGroup goes to sagemaker.api;
            # Athena itself reads Glue and S3 service-side, so the job needs no glue endpoint).
            *(
                ["athena"]
                if config.feature_training and "athena" not in network.additional_interface_endpoints
                else []
            ),
        ],
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


def _tracking_job_statements(
    config: PlatformConfig, artifacts: SecureBucket, workload_access: list[Statement]
) -> list[Statement]:
    """TrackExperiment runs with network access, so its role holds nothing of the data: the
    tracking server's logging actions, the step scripts (to download its own), its run-id output,
    and what every SageMaker job needs (VPC interfaces, logs, image pull, the data key)."""
    server = tracking_server_arn(
        config.region, config.account_id, tracking_server_name(config.experiment_tracking, config.name_prefix)
    )
    return [
        mlflow_logging(server),
        *s3_read(artifacts.bucket_arn, [PIPELINE_CODE_PREFIX]),
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": concat(artifacts.bucket_arn, "/", TRACKING_OUTPUT_PREFIX, "*"),
        },
        *workload_access,
    ]


def _feature_extraction_statements(
    config: PlatformConfig,
    datasets: SecureBucket,
    artifacts: SecureBucket,
    workload_access: list[Statement],
) -> list[Statement]:
    """ExtractFeatures runs with network access, so its role holds only what the extract needs:
    Athena on the stack's one workgroup, DescribeFeatureGroup and the Glue table of the feature
    groups families train from, read of those groups' offline-store prefixes, the workgroup's
    results prefix (Athena writes and reads results as the caller), its script and its output."""
    region, account = config.region, config.account_id
    groups = [group for _, group in config.feature_training]
    names = sorted({config.physical_name(group.name) for group in groups})
    workgroup = f"arn:aws:athena:{region}:{account}:workgroup/{naming.feature_query_workgroup_name(config.name_prefix)}"
    glue = f"arn:aws:glue:{region}:{account}"
    sagemaker = f"arn:aws:sagemaker:{region}:{account}:feature-group"
    return [
        {
            "Effect": "Allow",
            "Action": [
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            "Resource": workgroup,
        },
        {
            "Effect": "Allow",
            "Action": "sagemaker:DescribeFeatureGroup",
            # SageMaker ARNs carry the name lower-cased.
            "Resource": sorted({f"{sagemaker}/{name.lower()}" for name in names}),
        },
        {
            "Effect": "Allow",
            "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
            "Resource": [
                f"{glue}:catalog",
                f"{glue}:database/{FEATURE_STORE_GLUE_DATABASE}",
                *(
                    f"{glue}:table/{FEATURE_STORE_GLUE_DATABASE}/{glue_table_prefix(name)}_*"
                    for name in names
                ),
            ],
        },
        *s3_read(datasets.bucket_arn, sorted({f"{OFFLINE_STORE_PREFIX}{group.name}/" for group in groups})),
        *s3_read_write(
            artifacts.bucket_arn,
            [f"{RESULTS_PREFIX}{naming.feature_query_workgroup_name(config.name_prefix)}/"],
        ),
        *s3_read(artifacts.bucket_arn, [PIPELINE_CODE_PREFIX]),
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": concat(artifacts.bucket_arn, "/", EXTRACT_OUTPUT_PREFIX, "*"),
        },
        *workload_access,
    ]


def uses_evidently(config: PlatformConfig) -> bool:
    """Whether a model family has an Evidently report, or an endpoint a live-drift pipeline (the image
    repository and the publisher role they share)."""
    return bool(config.live_drift_endpoints) or any(family.evidently is not None for family in config.models)


def _drift_metrics_statements(artifacts: SecureBucket, workload_access: list[Statement]) -> list[Statement]:
    """PublishDriftMetrics reaches CloudWatch, so its role holds nothing of the data: PutMetricData
    in the Evidently namespace only (the action has no resource ARN; the namespace condition is
    its scope), its own script, and what every SageMaker job needs."""
    return [
        {
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": EVIDENTLY_NAMESPACE}},
        },
        *s3_read(artifacts.bucket_arn, [PIPELINE_CODE_PREFIX]),
        *workload_access,
    ]


def _pipeline_statements(
    config: PlatformConfig,
    training_role: ExecutionRole,
    artifacts: SecureBucket,
    data_key: EncryptionKey,
    job_roles: list[ExecutionRole] | None = None,
) -> list[dict]:
    """``job_roles``: the roles of the networked steps (TrackExperiment, ExtractFeatures) besides
    the execution role, which the pipeline passes to their jobs."""
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
            "Resource": (
                [training_role.role_arn, *(job_role.role_arn for job_role in job_roles)]
                if job_roles
                else training_role.role_arn
            ),
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
        *s3_read_write(artifacts.bucket_arn),
        *kms_use([data_key.key_arn]),
        *_tuning_statements(config, sagemaker),
    ]


def _tuning_statements(config: PlatformConfig, sagemaker: str) -> list[dict]:
    """The Tune step's actions, only where a family tunes. Resource ``hyper-parameter-tuning-job/*``:
    SageMaker Pipelines names the jobs it starts itself (the definition carries no job name), as
    for the processing and training jobs above; the jobs the tuning job starts are training jobs
    (``training-job/*``) running as the training role the statement above passes."""
    tunes = config.training.enabled and any(
        model.training is not None and model.training.tuning is not None for model in config.models
    )
    if not tunes:
        return []
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateHyperParameterTuningJob",
                "sagemaker:DescribeHyperParameterTuningJob",
                "sagemaker:StopHyperParameterTuningJob",
                "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
                "sagemaker:AddTags",
            ],
            "Resource": f"{sagemaker}:hyper-parameter-tuning-job/*",
        }
    ]


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
