"""The alarms paging the alert topic: each endpoint's operational and drift alarms, the served
families' model-quality alarms and the Evidently reports' drift alarms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi

from components.observability.alert_topic import AlertTopic
from components.observability.drift_report_alarm import DriftReportAlarm, DriftReportAlarmArgs
from components.observability.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, VariantAlarms
from components.observability.model_monitoring import ModelMonitoring
from components.observability.model_quality_alarms import ModelQualityAlarms, ModelQualityAlarmsArgs
from components.serving.endpoint_metrics import endpoint_kind
from components.serving.inference_endpoint_spec import EndpointSpec
from components.training.training_pipeline import TrainingPipeline
from stacks import naming
from stacks.composition.batch_scoring import batch_pipeline_name
from stacks.composition.observability_families import (
    drift_features,
    quality_alarm_family,
    served_problem_type,
    warn_without_drift_alarm,
)
from stacks.config import PlatformConfig
from stacks.resolution import Serving

if TYPE_CHECKING:
    from components.observability.model_quality_monitoring import ModelQualityMonitoring


def build_endpoint_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    serving: Serving,
    monitors: dict[str, ModelMonitoring],
    opts: pulumi.ResourceOptions,
) -> dict[str, EndpointAlarms]:
    """The operational alarms of every endpoint served this run, when monitoring is on; the drift
    alarm only where a data-quality monitor publishes drift (a monitored endpoint). An endpoint that
    captures no traffic (every serverless one) still pages on its 4xx errors, disks, GPUs and lack
    of traffic."""
    if alerts is None or not config.monitoring.enabled:
        return {}
    for spec in serving.endpoints:
        if spec.name in monitors:
            warn_without_drift_alarm(config, spec)
    return {
        spec.name: _endpoint_alarms(config, alerts, spec, monitors.get(spec.name), opts)
        for spec in serving.endpoints
    }


def _endpoint_alarms(
    config: PlatformConfig,
    alerts: AlertTopic,
    spec: EndpointSpec,
    monitor: ModelMonitoring | None,
    opts: pulumi.ResourceOptions,
) -> EndpointAlarms:
    return EndpointAlarms(
        f"alarms-{spec.name}",
        EndpointAlarmsArgs(
            endpoint_name=config.endpoint_name(spec.name),
            variants=[
                *(
                    VariantAlarms(
                        name=v.name,
                        gpus=v.gpus,
                        instance_based=v.serverless is None,
                        kind=endpoint_kind(
                            asynchronous=spec.async_inference is not None, serverless=spec.is_serverless
                        ),
                    )
                    for v in spec.variants
                ),
                # A shadow has no rollback alarms (no deployment rolls back on it): its 5xx and
                # p99 latency alarms page from here, on its own VariantName.
                *(
                    VariantAlarms(
                        name=v.name,
                        gpus=v.gpus,
                        instance_based=True,
                        max_5xx_per_minute=spec.deployment.max_5xx_per_minute,
                        latency_p99_slo_ms=spec.deployment.latency_p99_slo_ms,
                    )
                    for v in spec.shadow_variants
                ),
            ],
            thresholds=config.monitoring.alarms,
            alarm_topic_arn=alerts.topic_arn,
            tags=config.resource_tags,
            monitoring_schedule_name=monitor.schedule_name if monitor else None,
            drift_features=drift_features(config, spec) if monitor else (),
            monitoring_schedule=config.monitoring.schedule if monitor else None,
        ),
        opts,
    )


def build_model_quality_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    serving: Serving,
    quality_monitors: dict[str, ModelQualityMonitoring],
    opts: pulumi.ResourceOptions,
) -> dict[str, ModelQualityAlarms]:
    """An alarm per ``models[].quality_alarms`` metric on each monitored endpoint serving the family."""
    alarms = {}
    for spec in serving.monitored:
        family = quality_alarm_family(config, spec)
        monitor = quality_monitors.get(spec.name)
        schedule = monitor.model_quality_schedule_name if monitor else None
        if alerts is None or family is None or schedule is None:
            continue
        alarms[spec.name] = ModelQualityAlarms(
            f"quality-alarms-{spec.name}",
            ModelQualityAlarmsArgs(
                endpoint_name=config.endpoint_name(spec.name),
                monitoring_schedule_name=schedule,
                schedule=config.monitoring.schedule,
                problem_type=served_problem_type(config, spec),
                thresholds=family.quality_alarms,
                alarm_topic_arn=alerts.topic_arn,
                tags=config.resource_tags,
            ),
            opts,
        )
    return alarms


def build_drift_report_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    pipelines: Mapping[str, TrainingPipeline],
    batch_scored: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> dict[str, DriftReportAlarm]:
    """An alarm on each Evidently report (``models[].evidently``) of a training pipeline and of a
    batch-scoring pipeline (families in ``batch_scored``), to the alert topic.

    The training one pages only: the drift is in the data the run trains on, so retraining would
    not answer it. The batch one also retrains where ``training.drift_retraining`` is on (its name
    is among the family's drift alarms, see ``stacks.composition.training``)."""
    if alerts is None:
        return {}
    alarms = {}
    for family in config.models:
        if family.evidently is None:
            continue
        runs = [
            *([("training", naming.training_pipeline_name(config.model_package_group(family.name)))]
              if family.name in pipelines else []),
            *([("batch-scoring", batch_pipeline_name(config, family.name))] if family.name in batch_scored else []),
        ]  # fmt: skip
        for kind, pipeline_name in runs:
            alarms[f"{kind}/{family.name}"] = DriftReportAlarm(
                f"evidently-{kind}-{family.name}",
                DriftReportAlarmArgs(
                    pipeline_name=pipeline_name,
                    family=family.name,
                    pipeline_kind=kind,
                    drift_share=family.evidently.drift_share,
                    alarm_topic_arn=alerts.topic_arn,
                    tags=config.resource_tags,
                ),
                opts,
            )
    return alarms
