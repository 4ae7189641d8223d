"""Observability: the alert topic, monitors, alarms and the dashboard of the endpoints served.

The parts live beside this module, each name still importable from here: the alert topic, the cost
guardrails and the failure alerts (observability_alerts.py), what an endpoint is monitored as
(observability_families.py), the monitors (observability_monitors.py), the alarms
(observability_alarms.py) and the dashboard (observability_dashboard.py); this module composes
what watches the endpoints served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi

from components.observability.alert_topic import AlertTopic
from components.observability.endpoint_alarms import EndpointAlarms
from components.observability.live_drift import LiveDrift
from components.observability.model_monitoring import ModelMonitoring
from components.observability.model_quality_alarms import ModelQualityAlarms
from components.observability.monitoring_dashboard import MonitoringDashboard
from components.serving.inference_endpoint import InferenceEndpoint
from stacks.composition.foundation import Foundation
from stacks.composition.observability_alarms import (
    build_drift_report_alarms,
    build_endpoint_alarms,
    build_model_quality_alarms,
)
from stacks.composition.observability_alerts import (
    NO_BUDGET_LIMIT,
    NO_SUBSCRIBERS,
    build_alerts,
    build_cost_guardrails,
    build_failure_alerts,
)
from stacks.composition.observability_dashboard import (
    DEFAULT_QUALITY_METRIC,
    build_dashboard,
    dashboard_quality_metrics,
)
from stacks.composition.observability_families import (
    drift_features,
    explainability_template,
    quality_alarm_family,
    served_baselines,
    served_family,
    served_monitor_spec,
    served_problem_type,
    warn_without_drift_alarm,
)
from stacks.composition.observability_monitors import (
    build_live_drift,
    build_model_quality_monitors,
    build_monitors,
)
from stacks.config import PlatformConfig
from stacks.resolution import Serving

if TYPE_CHECKING:
    from components.observability.model_quality_monitoring import ModelQualityMonitoring

# What this module has always offered, wherever it is defined now (stacks, tests, adopters).
__all__ = [
    "DEFAULT_QUALITY_METRIC",
    "NO_BUDGET_LIMIT",
    "NO_SUBSCRIBERS",
    "Observability",
    "build_alerts",
    "build_cost_guardrails",
    "build_dashboard",
    "build_drift_report_alarms",
    "build_endpoint_alarms",
    "build_failure_alerts",
    "build_live_drift",
    "build_model_quality_alarms",
    "build_model_quality_monitors",
    "build_monitors",
    "build_observability",
    "dashboard_quality_metrics",
    "drift_features",
    "explainability_template",
    "quality_alarm_family",
    "served_baselines",
    "served_family",
    "served_monitor_spec",
    "served_problem_type",
    "warn_without_drift_alarm",
]


@dataclass(frozen=True)
class Observability:
    """What watches the endpoints served this run, per endpoint name."""

    monitors: dict[str, ModelMonitoring]
    """Per monitored endpoint (monitoring on, traffic captured)."""
    endpoint_alarms: dict[str, EndpointAlarms]
    """Per endpoint served, when monitoring is on."""
    model_quality_monitors: dict[str, ModelQualityMonitoring]
    """Where model-quality, bias or explainability monitors are on."""
    model_quality_alarms: dict[str, ModelQualityAlarms]
    """Where the served family sets ``quality_alarms``."""
    dashboard: MonitoringDashboard | None
    live_drift: dict[str, LiveDrift] = field(default_factory=dict)
    """Per endpoint with ``monitoring.evidently`` (traffic captured): its Evidently pipeline and alarm."""


def build_observability(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    opts: pulumi.ResourceOptions,
) -> Observability:
    """Monitors compare each endpoint's traffic with the baselines of the version it serves; alarms
    and the dashboard watch them."""
    baselines = {spec.name: served_baselines(config, spec, serving.packages) for spec in serving.monitored}
    monitors = build_monitors(config, foundation, serving, endpoints, baselines, opts)
    quality_monitors = build_model_quality_monitors(config, foundation, serving, endpoints, baselines, opts)
    live_drift = build_live_drift(config, foundation, alerts, serving, endpoints, opts)
    return Observability(
        monitors=monitors,
        endpoint_alarms=build_endpoint_alarms(config, alerts, serving, monitors, opts),
        model_quality_monitors=quality_monitors,
        model_quality_alarms=build_model_quality_alarms(config, alerts, serving, quality_monitors, opts),
        dashboard=build_dashboard(config, serving, monitors, opts, quality_monitors, live_drift),
        live_drift=live_drift,
    )
