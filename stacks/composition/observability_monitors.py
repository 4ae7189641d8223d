"""The monitors of the endpoints served: Model Monitor's data-quality schedules, the model-quality,
bias and explainability monitors, and the Evidently live-drift pipelines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pulumi

from components.observability.alert_topic import AlertTopic
from components.observability.live_drift import LiveDrift, LiveDriftArgs
from components.observability.model_monitoring import (
    JobPlacement,
    ModelMonitoring,
    ModelMonitoringArgs,
    MonitoringBaselines,
)
from components.output_text import concat
from components.serving.inference_endpoint import InferenceEndpoint
from stacks import naming
from stacks.composition.foundation import Foundation, native_provider
from stacks.composition.observability_families import explainability_template, served_monitor_spec
from stacks.composition.serving import model_group_of
from stacks.config import PLATFORM_TAG_KEYS, PlatformConfig, monitored_family_of
from stacks.defaults import REQUIRED_TAG_KEYS
from stacks.resolution import Serving

if TYPE_CHECKING:
    from components.observability.model_quality_monitoring import ModelQualityMonitoring


def build_monitors(
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
                endpoint_label=spec.name,
                baselines=baselines[spec.name],
                placement=_monitoring_job_placement(config, foundation),
            ),
            opts,
        )
    return monitors


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


def build_model_quality_monitors(
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
    from components.observability.model_quality_monitoring import (
        ModelQualityMonitoring,
        ModelQualityMonitoringArgs,
    )

    native = native_provider(config, foundation)
    native_opts = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(providers=[foundation.provider, native])
    )
    return {
        endpoint.name: ModelQualityMonitoring(
            f"model-monitors-{endpoint.name}",
            ModelQualityMonitoringArgs(
                spec=served_monitor_spec(config, endpoint),
                endpoint_name=endpoints[endpoint.name].endpoint_name,
                endpoint_label=endpoint.name,
                job_definition_prefix=config.endpoint_name(endpoint.name),
                model_family=model_group_of(config, endpoint),
                baselines=baselines[endpoint.name],
                schedule=config.monitoring.schedule,
                instance_type=config.monitoring.instance_type,
                max_runtime_seconds=config.monitoring.max_runtime_seconds,
                placement=_monitoring_job_placement(config, foundation),
                # Clarify's shadow endpoint runs the model the endpoint serves (its first production
                # variant's, whose family it is monitored as): rewritten at each deploy.
                model_name=endpoints[endpoint.name].model_names[endpoint.variants[0].name],
                explainability_template=explainability_template(config, endpoint),
                object_tag_keys=(*PLATFORM_TAG_KEYS, *REQUIRED_TAG_KEYS),
            ),
            native_opts,
        )
        for endpoint in monitored
    }


def build_live_drift(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    endpoints: Mapping[str, InferenceEndpoint],
    opts: pulumi.ResourceOptions,
) -> dict[str, LiveDrift]:
    """An Evidently live-drift pipeline per endpoint served with ``monitoring.evidently``: its
    traffic against the reference of the family its first variant follows (the config checks
    that family has ``evidently``), on the monitoring schedule; its alarm pages the alert topic."""
    repository, publisher = foundation.evidently_repository, foundation.drift_metrics_role
    if alerts is None or repository is None or publisher is None:
        return {}
    families = {family.name: family for family in config.models}
    found = {}
    for spec in serving.live_drift:
        family = families[monitored_family_of(spec)]
        evidently = family.evidently
        if evidently is None:  # refused by the stack file's checks
            raise ValueError(f"endpoint {spec.name}: model family {family.name} has no evidently")
        found[spec.name] = LiveDrift(
            f"live-drift-{spec.name}",
            LiveDriftArgs(
                endpoint=spec.name,
                endpoint_name=endpoints[spec.name].endpoint_name,
                variants=[variant.name for variant in spec.variants],
                family=family.name,
                pipeline_name=naming.live_drift_pipeline_name(config.endpoint_name(spec.name)),
                schedule=config.monitoring.schedule,
                evidently=evidently,
                image_uri=concat(repository.repository_url, ":", evidently.image_tag),
                publisher_role_arn=publisher.role_arn,
                region=config.region,
                account_id=config.account_id,
                role_path=config.role_path,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                datasets_bucket_name=foundation.datasets.bucket_name,
                datasets_bucket_arn=foundation.datasets.bucket_arn,
                kms_key_arn=foundation.data_key.key_arn,
                subnet_ids=foundation.network.private_subnet_ids,
                security_group_ids=[foundation.network.workload_security_group_id],
                alarm_topic_arn=alerts.topic_arn,
                tags=config.resource_tags,
                object_tag_keys=(*PLATFORM_TAG_KEYS, *REQUIRED_TAG_KEYS),
            ),
            opts,
        )
    return found
