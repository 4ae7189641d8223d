"""The monitoring dashboard: a row per endpoint served that captures traffic while monitoring is on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pulumi

from components.observability.live_drift import LiveDrift
from components.observability.model_monitoring import ModelMonitoring
from components.observability.monitoring_dashboard import (
    DashboardEndpoint,
    DashboardVariant,
    MonitoringDashboard,
    MonitoringDashboardArgs,
)
from components.serving.endpoint_metrics import endpoint_kind
from components.serving.inference_endpoint_spec import EndpointSpec
from stacks import naming
from stacks.composition.observability_families import (
    drift_features,
    quality_alarm_family,
    served_problem_type,
)
from stacks.config import PlatformConfig, monitored_family_of
from stacks.resolution import Serving

if TYPE_CHECKING:
    from components.observability.model_quality_monitoring import ModelQualityMonitoring


DEFAULT_QUALITY_METRIC = {
    "BinaryClassification": "auc",
    "MulticlassClassification": "accuracy",
    "Regression": "rmse",
}
"""The model-quality metric graphed where the served family names none in ``quality_alarms``."""


def dashboard_quality_metrics(config: PlatformConfig, spec: EndpointSpec) -> list[str]:
    """The model-quality metrics an endpoint's dashboard graphs: those the served family alarms on,
    else the problem type's headline metric."""
    family = quality_alarm_family(config, spec)
    if family is not None:
        return list(family.quality_alarms)
    return [DEFAULT_QUALITY_METRIC[served_problem_type(config, spec)]]


def build_dashboard(
    config: PlatformConfig,
    serving: Serving,
    monitors: dict[str, ModelMonitoring],
    opts: pulumi.ResourceOptions,
    quality_monitors: Mapping[str, ModelQualityMonitoring] | None = None,
    live_drift: Mapping[str, LiveDrift] | None = None,
) -> MonitoringDashboard | None:
    """A row per endpoint served that captures traffic while monitoring is on, with the drift its
    Model Monitor schedule or its Evidently pipeline measures (either, both or neither)."""
    endpoints = (
        [spec for spec in serving.endpoints if spec.data_capture.enabled] if config.monitoring.enabled else []
    )
    quality = quality_monitors or {}
    live = live_drift or {}
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
                    monitoring_schedule_name=monitors[spec.name].schedule_name
                    if spec.name in monitors
                    else None,
                    drift_features=drift_features(config, spec),
                    model_quality_schedule_name=(
                        quality[spec.name].model_quality_schedule_name if spec.name in quality else None
                    ),
                    model_quality_metrics=dashboard_quality_metrics(config, spec),
                    live_drift=(
                        (monitored_family_of(spec), live[spec.name].pipeline_kind)
                        if spec.name in live
                        else None
                    ),
                    kind=endpoint_kind(
                        asynchronous=spec.async_inference is not None, serverless=spec.is_serverless
                    ),
                    variants=[
                        DashboardVariant(
                            name=v.name,
                            gpu=v.is_gpu,
                            min_capacity=v.scaling.min_capacity if v.scaling else None,
                            max_capacity=v.scaling.max_capacity if v.scaling else None,
                            # Real-time only: async neither publishes nor tracks invocations per instance.
                            invocations_target=(
                                v.scaling.invocations_per_instance
                                if v.scaling and spec.async_inference is None
                                else None
                            ),
                            role="champion" if position == 0 else "challenger",
                        )
                        for position, v in enumerate(spec.variants)
                    ]
                    + [
                        DashboardVariant(name=v.name, gpu=v.is_gpu, role="shadow")
                        for v in spec.shadow_variants
                    ],
                )
                for spec in endpoints
            ],
        ),
        opts,
    )
