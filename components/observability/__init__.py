"""Observability: Model Monitor schedules, Evidently live-drift pipelines, endpoint alarms, the dashboard, the alert topic and the
cost guardrails (type tokens ``mlops:observability:*``). The components are imported on first use,
so reading the specs does not load Pulumi, and only ``ModelQualityMonitoring`` loads
pulumi-aws-native."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .alarm_thresholds import AlarmThresholds, BusinessHours
from .alert_subscription import AlertSubscription
from .budget_spec import BudgetSpec
from .model_quality_spec import ModelQualitySpec
from .monitoring_spec import MonitoringSpec

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .alert_topic import AlertTopic, AlertTopicArgs
    from .cost_guardrails import CostGuardrails, CostGuardrailsArgs, budgets_key_grant, cost_anomaly_key_grant
    from .drift_report_alarm import DriftReportAlarm, DriftReportAlarmArgs
    from .endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, VariantAlarms
    from .failure_alerts import FailureAlerts, FailureAlertsArgs
    from .live_drift import LiveDrift, LiveDriftArgs
    from .model_monitoring import JobPlacement, ModelMonitoring, ModelMonitoringArgs, MonitoringBaselines
    from .model_quality_alarms import ModelQualityAlarms, ModelQualityAlarmsArgs
    from .model_quality_monitoring import ModelQualityMonitoring, ModelQualityMonitoringArgs
    from .monitoring_dashboard import (
        DashboardEndpoint,
        DashboardVariant,
        MonitoringDashboard,
        MonitoringDashboardArgs,
    )

# pulumi-aws-native is large and optional: only ModelQualityMonitoring loads it.
__getattr__ = on_first_use(
    __name__,
    {
        ".alert_topic": ("AlertTopic", "AlertTopicArgs"),
        ".cost_guardrails": (
            "CostGuardrails",
            "CostGuardrailsArgs",
            "budgets_key_grant",
            "cost_anomaly_key_grant",
        ),
        ".drift_report_alarm": ("DriftReportAlarm", "DriftReportAlarmArgs"),
        ".endpoint_alarms": ("EndpointAlarms", "EndpointAlarmsArgs", "VariantAlarms"),
        ".failure_alerts": ("FailureAlerts", "FailureAlertsArgs"),
        ".live_drift": ("LiveDrift", "LiveDriftArgs"),
        ".model_monitoring": (
            "JobPlacement",
            "ModelMonitoring",
            "ModelMonitoringArgs",
            "MonitoringBaselines",
        ),
        ".model_quality_alarms": ("ModelQualityAlarms", "ModelQualityAlarmsArgs"),
        ".model_quality_monitoring": ("ModelQualityMonitoring", "ModelQualityMonitoringArgs"),
        ".monitoring_dashboard": (
            "DashboardEndpoint",
            "DashboardVariant",
            "MonitoringDashboard",
            "MonitoringDashboardArgs",
        ),
    },
)

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
    "LiveDrift",
    "LiveDriftArgs",
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
    "budgets_key_grant",
    "cost_anomaly_key_grant",
]
