"""The composition: the only module that knows every component and wires them together.

``build_platform`` turns a validated :class:`~stacks.config.PlatformConfig` into resources. It
reads no Pulumi config and no environment of its own; environment differences arrive through the
config (whose defaults come from ``stacks.defaults``), never through ``if environment == ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.alert_topic import AlertTopic, AlertTopicArgs
from components.encryption_key import EncryptionKey, EncryptionKeyArgs, ServiceKeyGrant
from components.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, VariantAlarms, drift_alarm_name
from components.execution_role import ExecutionRole, ExecutionRoleArgs
from components.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from components.feature_store import FeatureStore, FeatureStoreArgs
from components.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.inference_endpoint_spec import EndpointSpec
from components.model_monitoring import (
    BASELINE_PREFIX,
    JobPlacement,
    ModelMonitoring,
    ModelMonitoringArgs,
    MonitoringBaselines,
    baseline_prefix,
)
from components.model_registry import ModelRegistry, ModelRegistryArgs
from components.monitoring_dashboard import (
    DashboardEndpoint,
    DashboardVariant,
    MonitoringDashboard,
    MonitoringDashboardArgs,
)
from components.pipeline_triggers import NewDataSource, PipelineTriggers, PipelineTriggersArgs
from components.policy_documents import (
    SharedObjects,
    ecr_pull,
    kms_use,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    vpc_network_interfaces,
)
from components.private_network import ExistingVpc, NewVpc, PrivateNetwork, PrivateNetworkArgs
from components.secure_bucket import SecureBucket, SecureBucketArgs
from components.training_pipeline import TrainingPipeline, TrainingPipelineArgs, training_data_prefix
from stacks import naming
from stacks.config import REQUIRED_INTERFACE_ENDPOINTS, PlatformConfig
from stacks.model_packages import (
    DeployedLookup,
    ModelPackageResolver,
    ModelResolutionError,
    family_name,
    nothing_deployed,
)
from stacks.serving import ResolvedPackages, Serving, resolve_serving

if TYPE_CHECKING:
    from components.kubernetes_serving import KubernetesServing
    from components.model_quality_monitoring import ModelQualityMonitoring

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
    training_pipelines: dict[str, TrainingPipeline]
    """Per model family."""
    pipeline_triggers: dict[str, PipelineTriggers]
    """Per model family, where any trigger is configured."""
    alerts: AlertTopic | None
    endpoints: dict[str, InferenceEndpoint]
    """Per endpoint name, for the endpoints served this run."""
    deferred_endpoints: dict[str, str]
    """Endpoint name → why it waits for a first approved version (see stacks.serving)."""
    monitors: dict[str, ModelMonitoring]
    """Per monitored endpoint name."""
    endpoint_alarms: dict[str, EndpointAlarms]
    """Per monitored endpoint name."""
    model_quality_monitors: dict[str, ModelQualityMonitoring]
    """Per monitored endpoint name, where model-quality, bias or explainability monitors are on."""
    dashboard: MonitoringDashboard | None
    kubernetes_servings: dict[str, KubernetesServing]
    """Per ``<namespace>/<name>``."""


def build_platform(
    config: PlatformConfig,
    resolve_model_package: ModelPackageResolver,
    kubeconfig: pulumi.Input[str] | None = None,
    deployed: DeployedLookup = nothing_deployed,
) -> Platform:
    """Register every resource of the platform described by ``config``.

    ``resolve_model_package`` turns each registry-backed variant's source (``latest_approved_of``, or a
    pinned ``model_package_arn``) into the version to deploy with its baselines and artifacts (the
    live registry under `pulumi preview`/`up`, a stand-in offline).
    """
    provider = aws.Provider(
        "aws",
        region=config.region,
        # Refuse to touch any other account, whatever credentials happen to be active.
        allowed_account_ids=[config.account_id],
    )
    opts = pulumi.ResourceOptions(providers=[provider])
    foundation = _build_foundation(config, opts, provider)
    registry = _build_model_registry(config, foundation, opts)
    pipelines = _build_training_pipelines(config, foundation, registry, opts)
    alerts = _build_alerts(config, foundation, opts)
    serving = resolve_serving(config, resolve_model_package, deployed)
    endpoints = _build_endpoints(config, foundation, alerts, serving, opts)
    baselines = {spec.name: served_baselines(config, spec, serving.packages) for spec in serving.monitored}
    monitors = _build_monitors(config, foundation, serving, endpoints, baselines, opts)
    endpoint_alarms = _build_endpoint_alarms(config, alerts, serving, monitors, opts)
    model_quality_monitors = _build_model_quality_monitors(
        config, foundation, serving, endpoints, baselines, opts
    )
    platform = Platform(
        foundation=foundation,
        feature_store=_build_feature_store(config, foundation, opts),
        model_registry=registry,
        experiment_tracking=_build_experiment_tracking(config, foundation, opts),
        training_pipelines=pipelines,
        pipeline_triggers=_build_pipeline_triggers(config, foundation, serving, pipelines, opts),
        alerts=alerts,
        endpoints=endpoints,
        deferred_endpoints=dict(serving.deferred),
        monitors=monitors,
        endpoint_alarms=endpoint_alarms,
        model_quality_monitors=model_quality_monitors,
        dashboard=_build_dashboard(config, serving, monitors, opts),
        kubernetes_servings=_build_kubernetes_servings(config, kubeconfig),
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
    if platform.training_pipelines:
        pulumi.export(
            "training_pipeline_arns",
            {family: pipeline.pipeline_arn for family, pipeline in platform.training_pipelines.items()},
        )
    if platform.endpoints:
        pulumi.export("endpoint_names", {name: e.endpoint_name for name, e in platform.endpoints.items()})
    if platform.deferred_endpoints:
        pulumi.export("deferred_endpoints", platform.deferred_endpoints)
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
            role_path=config.role_path,
            tags=config.resource_tags,
            retain=config.protect_stateful_resources,
            name_prefix=config.name_prefix,
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
            name_prefix=config.name_prefix,
        ),
        opts,
    )


def trains_models(config: PlatformConfig) -> bool:
    return config.training.enabled and bool(config.models)


def _build_training_pipelines(
    config: PlatformConfig,
    foundation: Foundation,
    registry: ModelRegistry | None,
    opts: pulumi.ResourceOptions,
) -> dict[str, TrainingPipeline]:
    if not trains_models(config) or registry is None:
        return {}
    network = foundation.network
    group_names = registry.model_package_group_names
    return {
        family.name: TrainingPipeline(
            f"training-{family.name}",
            TrainingPipelineArgs(
                family=family.name,
                pipeline_name=naming.training_pipeline_name(config.model_package_group(family.name)),
                # Present for every family of a stack that trains (stacks.config checks it).
                spec=family.training,
                promotion=family.promotion,
                approval_status=registry.default_approval_status,
                account_id=config.account_id,
                region=config.region,
                datasets_bucket_name=foundation.datasets.bucket_name,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                kms_key_arn=foundation.data_key.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                execution_role_arn=foundation.training_role.role_arn,
                pipeline_role_arn=foundation.pipeline_role.role_arn,
                # From the registry's output, so the pipeline is created after its group exists.
                model_package_group_name=group_names.apply(lambda names, index=index: names[index]),
                tags=config.resource_tags,
                max_parallel_steps=config.training.max_parallel_steps,
            ),
            opts,
        )
        for index, family in enumerate(config.models)
        if family.training is not None
    }


def _build_pipeline_triggers(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    pipelines: dict[str, TrainingPipeline],
    opts: pulumi.ResourceOptions,
) -> dict[str, PipelineTriggers]:
    training = config.training
    drift_alarms = drift_alarms_by_family(config, serving.monitored)
    if not (training.schedule or training.new_data.enabled or drift_alarms):
        return {}
    return {
        family: PipelineTriggers(
            f"triggers-{family}",
            PipelineTriggersArgs(
                pipeline_name=pipeline.pipeline_name,
                pipeline_arn=pipeline.pipeline_arn,
                account_id=config.account_id,
                region=config.region,
                role_path=config.role_path,
                tags=config.resource_tags,
                schedule=training.schedule,
                new_data=(
                    NewDataSource(
                        bucket_name=foundation.datasets.bucket_name,
                        prefix=training_data_prefix(family),
                        batching_window_seconds=training.new_data.batching_window_seconds,
                        queue_kms_key_arn=foundation.notifications_key.key_arn,
                    )
                    if training.new_data.enabled
                    else None
                ),
                drift_alarm_names=drift_alarms.get(family, []),
            ),
            opts,
        )
        for family, pipeline in pipelines.items()
    }


def _build_alerts(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> AlertTopic | None:
    if not config.endpoints:
        return None
    return AlertTopic(
        "alerts",
        AlertTopicArgs(
            account_id=config.account_id,
            kms_key_arn=foundation.notifications_key.key_arn,
            subscriptions=config.alerts.subscriptions,
            tags=config.resource_tags,
        ),
        opts,
    )


def served_baselines(
    config: PlatformConfig, spec: EndpointSpec, packages: ResolvedPackages
) -> MonitoringBaselines:
    """What an endpoint's monitors compare with: the baselines its first production variant's
    model version (latest approved or pinned; of this account's registry or a producer's that
    shares them) registered. Otherwise (an image, a version registered without baselines) those a
    team puts in ``baselines/<group>/``: the family's model package group's folder, or for an
    endpoint that follows no family, ``<name_prefix>-<endpoint name>``."""
    family_folder = baseline_prefix(model_group_of(config, spec))
    resolved = packages.get(spec.name, {}).get(spec.variants[0].name)
    if resolved is not None and resolved.unusable_baselines:
        raise ModelResolutionError(f"endpoint {spec.name} monitors {resolved.unusable_baselines}")
    if resolved is not None and resolved.baselines is not None:
        return resolved.baselines
    if resolved is not None:
        pulumi.log.warn(
            f"endpoint {spec.name}: model version {resolved.arn} registered no DriftCheckBaselines; its "
            f"monitors read s3://<artifact bucket>/{family_folder} (put the version's baselines there)"
        )
    return MonitoringBaselines.in_folder(family_folder)


def shared_model_objects(
    spec: EndpointSpec, packages: ResolvedPackages, account_id: str
) -> list[SharedObjects]:
    """The model artifacts of an endpoint's versions that other accounts' registries hold."""
    shared: dict[str, list[str]] = {}
    for package in packages.get(spec.name, {}).values():
        if package.account != account_id:
            shared.setdefault(package.account, []).extend(
                f"arn:aws:s3:::{url.removeprefix('s3://')}" for url in package.model_data_urls
            )
    return [
        SharedObjects(account, tuple(sorted(set(objects)))) for account, objects in sorted(shared.items())
    ]


def _build_endpoints(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    opts: pulumi.ResourceOptions,
) -> dict[str, InferenceEndpoint]:
    if alerts is None:
        return {}
    network = foundation.network
    packages = serving.packages
    endpoints = {}
    for spec in serving.endpoints:
        endpoints[spec.name] = InferenceEndpoint(
            f"endpoint-{spec.name}",
            InferenceEndpointArgs(
                spec=spec,
                endpoint_name=config.endpoint_name(spec.name),
                resolved_model_packages={
                    variant: package.arn for variant, package in packages.get(spec.name, {}).items()
                },
                shared_model_objects=shared_model_objects(spec, packages, config.account_id),
                account_id=config.account_id,
                region=config.region,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                kms_key_arn=foundation.data_key.key_arn,
                notification_key_arn=foundation.notifications_key.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                image_registry_accounts=[config.account_id, *config.trusted_image_registry_accounts],
                alarm_topic_arn=alerts.topic_arn,
                role_path=config.role_path,
                tags=config.resource_tags,
            ),
            opts,
        )
    return endpoints


def model_family_of(spec: EndpointSpec) -> str:
    """The family an endpoint serves (its first production variant's), which is also the one it retrains."""
    return spec.variants[0].model.latest_approved_of or spec.name


def model_group_of(config: PlatformConfig, spec: EndpointSpec) -> str:
    """The model package group's name of the family an endpoint serves: its baselines folder
    (``baselines/<group>/``) is named after it, as the training pipeline writes it."""
    return family_name(config.model_package_group(model_family_of(spec)))


def drift_features(config: PlatformConfig, spec: EndpointSpec) -> list[str]:
    """The configured drift features, else the model inputs of the family's feature group."""
    if config.monitoring.drift_features is not None:
        return list(config.monitoring.drift_features)
    family = model_family_of(spec)
    group = next((group for group in config.feature_groups if group.name == family), None)
    if group is None:
        return []
    keys = {group.record_identifier, group.event_time}
    return [feature.name for feature in group.features if feature.name not in keys]


def drift_alarms_by_family(config: PlatformConfig, monitored: list[EndpointSpec]) -> dict[str, list[str]]:
    """Drift alarm names per model family, for the families that retrain on drift."""
    if not (config.training.drift_retraining and config.training.enabled):
        return {}
    families = {model.name for model in config.models}
    alarms: dict[str, list[str]] = {}
    for spec in monitored:
        family = model_family_of(spec)
        if family in families and drift_features(config, spec):
            alarms.setdefault(family, []).append(drift_alarm_name(config.endpoint_name(spec.name)))
    return alarms


def _build_endpoint_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    serving: Serving,
    monitors: dict[str, ModelMonitoring],
    opts: pulumi.ResourceOptions,
) -> dict[str, EndpointAlarms]:
    if alerts is None:
        return {}
    return {
        spec.name: EndpointAlarms(
            f"alarms-{spec.name}",
            EndpointAlarmsArgs(
                endpoint_name=config.endpoint_name(spec.name),
                variants=[
                    VariantAlarms(name=v.name, gpu=v.is_gpu, instance_based=v.serverless is None)
                    for v in spec.variants
                ],
                thresholds=config.monitoring.alarms,
                alarm_topic_arn=alerts.topic_arn,
                tags=config.resource_tags,
                monitoring_schedule_name=monitors[spec.name].schedule_name,
                drift_features=drift_features(config, spec),
            ),
            opts,
        )
        for spec in serving.monitored
    }


def _monitoring_job_placement(config: PlatformConfig, foundation: Foundation) -> JobPlacement:
    """Where monitoring jobs run and what they may touch: shared by every monitoring component."""
    network = foundation.network
    return JobPlacement(
        account_id=config.account_id,
        region=config.region,
        artifact_bucket_name=foundation.artifacts.bucket_name,
        artifact_bucket_arn=foundation.artifacts.bucket_arn,
        kms_key_arn=foundation.data_key.key_arn,
        subnet_ids=network.private_subnet_ids,
        security_group_ids=[network.workload_security_group_id],
        role_path=config.role_path,
        tags=config.resource_tags,
    )


def _build_model_quality_monitors(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    baselines: Mapping[str, MonitoringBaselines],
    opts: pulumi.ResourceOptions,
) -> dict[str, ModelQualityMonitoring]:
    spec = config.monitoring.model_monitors
    monitored = serving.monitored
    if not (spec.kinds and monitored):
        return {}
    # Imported only where used: pulumi_aws_native is large, and most stacks do not need it.
    import pulumi_aws_native

    from components.model_quality_monitoring import ModelQualityMonitoring, ModelQualityMonitoringArgs

    native = pulumi_aws_native.Provider(
        "aws-native", region=config.region, allowed_account_ids=[config.account_id]
    )
    native_opts = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(providers=[foundation.provider, native])
    )
    return {
        endpoint.name: ModelQualityMonitoring(
            f"model-monitors-{endpoint.name}",
            ModelQualityMonitoringArgs(
                spec=spec,
                endpoint_name=endpoints[endpoint.name].endpoint_name,
                endpoint_label=endpoint.name,
                job_definition_prefix=config.endpoint_name(endpoint.name),
                model_family=model_group_of(config, endpoint),
                baselines=baselines[endpoint.name],
                schedule=config.monitoring.schedule,
                instance_type=config.monitoring.instance_type,
                max_runtime_seconds=config.monitoring.max_runtime_seconds,
                placement=_monitoring_job_placement(config, foundation),
                aws_provider=foundation.provider,
            ),
            native_opts,
        )
        for endpoint in monitored
    }


def _build_dashboard(
    config: PlatformConfig,
    serving: Serving,
    monitors: dict[str, ModelMonitoring],
    opts: pulumi.ResourceOptions,
) -> MonitoringDashboard | None:
    endpoints = serving.monitored
    if not endpoints:
        return None
    return MonitoringDashboard(
        "dashboard",
        MonitoringDashboardArgs(
            dashboard_name=naming.dashboard_name(config.name_prefix),
            region=config.region,
            endpoints=[
                DashboardEndpoint(
                    name=config.endpoint_name(spec.name),
                    latency_slo_ms=spec.deployment.latency_p99_slo_ms,
                    monitoring_schedule_name=monitors[spec.name].schedule_name,
                    drift_features=drift_features(config, spec),
                    variants=[
                        DashboardVariant(
                            name=v.name,
                            gpu=v.is_gpu,
                            min_capacity=v.scaling.min_capacity if v.scaling else None,
                            max_capacity=v.scaling.max_capacity if v.scaling else None,
                            invocations_target=v.scaling.invocations_per_instance if v.scaling else None,
                        )
                        for v in spec.variants
                    ],
                )
                for spec in endpoints
            ],
        ),
        opts,
    )


def _build_monitors(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    baselines: Mapping[str, MonitoringBaselines],
    opts: pulumi.ResourceOptions,
) -> dict[str, ModelMonitoring]:
    monitors = {}
    for spec in serving.monitored:
        monitors[spec.name] = ModelMonitoring(
            f"monitoring-{spec.name}",
            ModelMonitoringArgs(
                spec=config.monitoring,
                endpoint_name=endpoints[spec.name].endpoint_name,
                baselines=baselines[spec.name],
                placement=_monitoring_job_placement(config, foundation),
                provider=foundation.provider,
            ),
            opts,
        )
    return monitors


def _build_kubernetes_servings(
    config: PlatformConfig, kubeconfig: pulumi.Input[str] | None
) -> dict[str, KubernetesServing]:
    servings = config.kubernetes_serving.servings
    if not servings:
        return {}
    if kubeconfig is None:
        raise ValueError("kubernetes_serving needs the cluster's kubeconfig")
    # Imported only for stacks that serve on Kubernetes: merely having pulumi_kubernetes loaded
    # makes the Pulumi runtime load every one of its modules during a run (about a second).
    from components.kubernetes_serving import KubernetesServing, KubernetesServingArgs, kubernetes_provider

    provider = kubernetes_provider(
        "kubernetes", kubeconfig, cluster_identifier=config.kubernetes_serving.cluster_arn
    )
    on_cluster = pulumi.ResourceOptions(providers=[provider])
    monitoring = config.kubernetes_serving.scrape_targets
    if monitoring is not None:
        from components.kubernetes_monitoring import KubernetesMonitoring, KubernetesMonitoringArgs

        # No depends_on the servings: ServiceMonitors select Services by label, whenever they appear.
        KubernetesMonitoring(
            "k8s-monitoring",
            KubernetesMonitoringArgs(spec=monitoring, labels=config.resource_tags),
            on_cluster,
        )
    return {
        f"{spec.namespace}/{spec.name}": KubernetesServing(
            f"k8s-{spec.namespace}-{spec.name}",
            KubernetesServingArgs(spec=spec, labels=config.resource_tags),
            on_cluster,
        )
        for spec in servings
    }


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
            role_path=config.role_path,
            tags=config.resource_tags,
            name_prefix=config.name_prefix,
        ),
        opts,
    )


def _build_foundation(
    config: PlatformConfig, opts: pulumi.ResourceOptions, provider: aws.Provider
) -> Foundation:
    tags = config.resource_tags
    retain = config.protect_stateful_resources
    path = config.role_path
    alias_prefix = naming.kms_alias_prefix(config.name_prefix)
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
    datasets = SecureBucket(
        "datasets",
        SecureBucketArgs(
            purpose="datasets",
            eventbridge_notifications=trains_models(config) and config.training.new_data.enabled,
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
            **bucket_args,
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
            flow_log_group_name=f"{naming.log_group_prefix(config.name_prefix)}vpc-flow-logs",
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
