"""Observability: Model Monitor schedules, endpoint alarms, the dashboard, the alert topic and the
cost guardrails (type tokens ``mlops:observability:*``). ``ModelQualityMonitoring`` needs
pulumi-aws-native: it is imported on first use, so the other components do not load it."""

from typing import Any

from ..extras import import_needing
from .alert_topic import AlertSubscription, AlertTopic, AlertTopicArgs
from .cost_guardrails import BudgetSpec, CostGuardrails, CostGuardrailsArgs
from .drift_report_alarm import DriftReportAlarm, DriftReportAlarmArgs
from .endpoint_alarms import AlarmThresholds, BusinessHours, EndpointAlarms, EndpointAlarmsArgs, VariantAlarms
from .failure_alerts import FailureAlerts, FailureAlertsArgs
from .model_monitoring import (
    JobPlacement,
    ModelMonitoring,
    ModelMonitoringArgs,
    MonitoringBaselines,
    MonitoringSpec,
)
from .model_quality_alarms import ModelQualityAlarms, ModelQualityAlarmsArgs
from .model_quality_spec import ModelQualitySpec
from .monitoring_dashboard import (
    DashboardEndpoint,
    DashboardVariant,
    MonitoringDashboard,
    MonitoringDashboardArgs,
)

_ON_FIRST_USE = {
    name: ".model_quality_monitoring" for name in ("ModelQualityMonitoring", "ModelQualityMonitoringArgs")
}

__all__ = [
    "AlarmThresholds",
    "AlertSubscription",
    "AlertTopic",
    "AlertTopicArgs",
    "BudgetSpec",
    "BusinessHours",
    "CostGuardrails",
    "CostGuardrailsArgs",
    "DashboardEndpoint",
    "DashboardVariant",
    "DriftReportAlarm",
    "DriftReportAlarmArgs",
    "EndpointAlarms",
    "EndpointAlarmsArgs",
    "FailureAlerts",
    "FailureAlertsArgs",
    "JobPlacement",
    "ModelMonitoring",
    "ModelMonitoringArgs",
    "ModelQualityAlarms",
    "ModelQualityAlarmsArgs",
    "ModelQualityMonitoring",
    "ModelQualityMonitoringArgs",
    "ModelQualitySpec",
    "MonitoringBaselines",
    "MonitoringDashboard",
    "MonitoringDashboardArgs",
    "MonitoringSpec",
    "VariantAlarms",
]


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        return getattr(import_needing(_ON_FIRST_USE[name], __name__, f"{__name__}.{name}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
