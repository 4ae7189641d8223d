"""EndpointAlarms: the operational alarms of one SageMaker endpoint, and its data-drift alarm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Unpack

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from ..invocation_alarms import AlarmSettings, error_and_latency_alarms
from ..limits import satisfies, tags_problem
from ..schedules import model_monitor_schedule_problem, schedule_interval_seconds
from ..serving.endpoint_metrics import REQUESTS_METRIC, EndpointKind, publishes
from ..serving.inference_endpoint_spec import sagemaker_name_problem
from .alarm_thresholds import (
    DRIFT_METRICS,
    ENDPOINT_METRICS,
    INVOCATION_METRICS,
    MAX_DRIFT_FEATURES,
    AlarmThresholds,
)


@dataclass(frozen=True)
class VariantAlarms:
    name: str
    """The variant's name: the ``VariantName`` of its alarms' metrics, and part of their names."""
    gpus: int
    """GPUs per instance (0: none). A GPU variant gets the GPU utilisation and GPU memory alarms,
    whose thresholds (percent of the instance's GPUs) are multiplied by it: SageMaker reports both
    metrics as 0-100 per GPU, summed over the instance's GPUs."""
    instance_based: bool
    """False for a serverless variant: only instance-based variants get the disk alarm."""
    max_5xx_per_minute: int | None = None
    """With ``latency_p99_slo_ms``: page on this variant's 5xx errors and p99 model latency too. For
    variants no deployment rolls back on (a shadow variant: its errors never reach a caller), whose
    5xx and latency alarms are therefore not the endpoint's rollback alarms. None: no such alarms."""
    latency_p99_slo_ms: int | None = None
    """The p99 ``ModelLatency`` objective, in milliseconds, of the alarm above."""
    kind: EndpointKind = "real-time"
    """Its endpoint's kind, which decides the metrics SageMaker publishes for it
    (components/serving/endpoint_metrics.py): an alarm is only made on one of them (an async
    endpoint's no-traffic alarm counts InvocationsProcessed: it publishes no Invocations)."""


@dataclass(frozen=True)
class EndpointAlarmsArgs:
    endpoint_name: str
    """The SageMaker endpoint's name: the ``EndpointName`` of the alarms' metrics, and the start
    of their names. A plain string (1-63 letters or digits, separated by ``-``), known when the
    alarms are named: a misspelt one names metrics that never exist, whose alarms never fire."""
    variants: Sequence[VariantAlarms]
    """The variants to watch, each with its own alarms on its ``VariantName`` (the stack passes every
    production variant and the shadow variant)."""
    thresholds: AlarmThresholds
    """When the alarms fire, and the business hours of the no-traffic alarm."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic every alarm notifies on ALARM and on OK."""
    tags: Mapping[str, str]
    """Tags on every alarm."""
    monitoring_schedule_name: pulumi.Input[str] | None = None
    """The data-quality schedule whose drift metrics the drift alarm watches (None: no drift alarm)."""
    drift_features: Sequence[str] = ()
    """Features whose ``feature_baseline_drift_<feature>`` metrics the drift alarm takes the
    largest of (at most 10); empty: no drift alarm."""
    monitoring_schedule: str | None = None
    """That schedule's expression (``cron(0 * ? * * *)``, ``cron(0 H ? * * *)``, ``cron(0 H/N ? * *
    *)``), required with a drift alarm: its period is the time between two runs, one datapoint per
    run, and it keeps the last run's verdict until the next (a drift that persists is one ALARM: one
    page, one retraining)."""

    def __post_init__(self) -> None:
        satisfies(self, "endpoint_name", lambda name: sagemaker_name_problem(name, "endpoint name"))
        satisfies(self, "tags", tags_problem)
        if len(self.drift_features) > MAX_DRIFT_FEATURES:
            raise ValueError(
                f"EndpointAlarmsArgs.drift_features: at most {MAX_DRIFT_FEATURES} drift features "
                f"(got {len(self.drift_features)})"
            )
        if self.monitoring_schedule_name is None or not self.drift_features:
            return
        if self.monitoring_schedule is None:
            raise ValueError(
                "EndpointAlarmsArgs.monitoring_schedule: the drift alarm needs its monitoring schedule's "
                "expression (one alarm period per run)"
            )
        problem = model_monitor_schedule_problem(self.monitoring_schedule)
        if problem:
            raise ValueError(f"EndpointAlarmsArgs.monitoring_schedule: {problem}")


def drift_alarm_name(endpoint_name: str) -> str:
    """Deterministic, so the retraining trigger can name the alarm before it exists."""
    return f"{endpoint_name}-data-drift"


class EndpointAlarms(pulumi.ComponentResource):
    """Alarms that page the alert topic: 4xx errors, GPU utilisation and memory, disk, no traffic in
    business hours, and data drift (any monitored feature drifting from the training baseline).

    Every alarm notifies on ALARM and OK; missing data is handled per alarm (see each one).
    """

    alarm_names: pulumi.Output[list[str]]
    """Names of every alarm created."""
    drift_alarm: str | None
    """Name of the drift alarm, when there is one (what retraining listens to)."""

    def __init__(
        self, name: str, args: EndpointAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:EndpointAlarms", name, None, opts)
        self._name, self._args = name, args
        limits = args.thresholds
        alarms: list[cloudwatch.MetricAlarm] = []
        for variant in args.variants:
            dimensions = {"EndpointName": args.endpoint_name, "VariantName": variant.name}
            alarms.append(
                self._alarm(
                    f"{variant.name}-4xx",
                    f"{variant.name}: more than {limits.max_4xx_per_minute} 4xx errors a minute",
                    namespace=INVOCATION_METRICS,
                    metric_name="Invocation4XXErrors",
                    dimensions=dimensions,
                    statistic="Sum",
                    period=60,
                    evaluation_periods=5,
                    datapoints_to_alarm=3,
                    threshold=limits.max_4xx_per_minute,
                    # No requests means no client errors.
                    treat_missing_data="notBreaching",
                )
            )
            if variant.max_5xx_per_minute is not None and variant.latency_p99_slo_ms is not None:
                alarms += self._errors_and_latency(
                    variant.name, variant.max_5xx_per_minute, variant.latency_p99_slo_ms, dimensions
                )
            if variant.instance_based and publishes(variant.kind, "DiskUtilization"):
                alarms.append(self._utilisation(variant, "disk", "DiskUtilization", limits.disk_percent))
            if variant.gpus and publishes(variant.kind, "GPUUtilization"):
                alarms.append(self._gpu(variant, "gpu", "GPUUtilization", limits.gpu_utilization_percent))
                alarms.append(
                    self._gpu(variant, "gpu-memory", "GPUMemoryUtilization", limits.gpu_memory_percent)
                )
            if limits.zero_invocations_in_business_hours:
                alarms.append(self._no_traffic(variant, dimensions))
        self.drift_alarm = None
        if args.monitoring_schedule_name is not None and args.drift_features:
            alarms.append(self._drift(args.monitoring_schedule_name))
            self.drift_alarm = drift_alarm_name(args.endpoint_name)

        self.alarm_names = pulumi.Output.all(*[alarm.name for alarm in alarms])
        self.register_outputs({"alarm_names": self.alarm_names, "drift_alarm": self.drift_alarm})

    def _alarm(
        self,
        suffix: str,
        description: str,
        dimensions: Mapping[str, pulumi.Input[str]] | None = None,
        **settings: Unpack[AlarmSettings],
    ) -> cloudwatch.MetricAlarm:
        args = self._args
        # Above the threshold unless the settings say otherwise.
        alarm: AlarmSettings = {"comparison_operator": "GreaterThanThreshold", **settings}
        return cloudwatch.MetricAlarm(
            f"{self._name}-{suffix}",
            name=f"{args.endpoint_name}-{suffix}",
            alarm_description=f"{args.endpoint_name}/{description}",
            # None (an alarm on metric_queries, which carry their own) is what omitting it passes.
            dimensions=dimensions,
            alarm_actions=[args.alarm_topic_arn],
            ok_actions=[args.alarm_topic_arn],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
            **alarm,
        )

    def _errors_and_latency(
        self, variant: str, max_5xx_per_minute: int, latency_p99_slo_ms: int, dimensions: dict[str, str]
    ) -> list[cloudwatch.MetricAlarm]:
        """The rollback alarms' twins for a variant without them: same metrics, thresholds and
        periods, but they only page."""
        return [
            self._alarm(f"{variant}-{suffix}", description, dimensions=dimensions, **settings)
            for suffix, description, settings in error_and_latency_alarms(
                variant, max_5xx_per_minute, latency_p99_slo_ms
            )
        ]

    def _gpu(
        self, variant: VariantAlarms, suffix: str, metric: str, percent: float
    ) -> cloudwatch.MetricAlarm:
        threshold = percent * variant.gpus
        share = "" if variant.gpus == 1 else f" (an average of {percent:g}% over its {variant.gpus} GPUs)"
        return self._utilisation(variant, suffix, metric, threshold, share)

    def _utilisation(
        self, variant: VariantAlarms, suffix: str, metric: str, threshold: float, share: str = ""
    ) -> cloudwatch.MetricAlarm:
        return self._alarm(
            f"{variant.name}-{suffix}",
            f"{variant.name}: {metric} above {threshold:g}%{share} for 15 minutes",
            namespace=ENDPOINT_METRICS,
            metric_name=metric,
            dimensions={"EndpointName": self._args.endpoint_name, "VariantName": variant.name},
            statistic="Average",
            period=300,
            evaluation_periods=3,
            threshold=threshold,
            # Instances that report nothing are caught by the 5xx and traffic alarms, not here.
            treat_missing_data="notBreaching",
        )

    def _no_traffic(self, variant: VariantAlarms, dimensions: dict[str, str]) -> cloudwatch.MetricAlarm:
        hours = self._args.thresholds.business_hours
        requests = "invocations" if variant.kind != "async" else "processed async invocations"
        window = f"HOUR(f) >= {hours.start_hour_utc} AND HOUR(f) < {hours.end_hour_utc}"
        if hours.weekdays_only:
            window = f"DAY(f) <= 5 AND {window}"
        return self._alarm(
            f"{variant.name}-no-traffic",
            f"{variant.name}: no {requests} for 15 minutes in business hours",
            metric_queries=[
                cloudwatch.MetricAlarmMetricQueryArgs(
                    id="m1",
                    return_data=False,
                    metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace=INVOCATION_METRICS,
                        metric_name=REQUESTS_METRIC[variant.kind],
                        dimensions=dimensions,
                        stat="Sum",
                        period=300,
                    ),
                ),
                # A quiet endpoint publishes nothing: count missing periods as zero invocations.
                cloudwatch.MetricAlarmMetricQueryArgs(id="f", expression="FILL(m1, 0)", return_data=False),
                # Outside business hours the expression is 1, so a night without traffic never pages.
                cloudwatch.MetricAlarmMetricQueryArgs(
                    id="e1",
                    expression=f"IF({window}, f, 1)",
                    label="Invocations in business hours",
                    return_data=True,
                ),
            ],
            comparison_operator="LessThanThreshold",
            threshold=1,
            evaluation_periods=3,
            treat_missing_data="breaching",
        )

    def _drift(self, schedule_name: pulumi.Input[str]) -> cloudwatch.MetricAlarm:
        args = self._args
        assert args.monitoring_schedule is not None  # EndpointAlarmsArgs requires it with drift
        period = schedule_interval_seconds(args.monitoring_schedule)
        queries = [
            cloudwatch.MetricAlarmMetricQueryArgs(
                id=f"d{index}",
                return_data=False,
                metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=DRIFT_METRICS,
                    metric_name=f"feature_baseline_drift_{feature}",
                    dimensions={"Endpoint": args.endpoint_name, "MonitoringSchedule": schedule_name},
                    stat="Maximum",
                    period=period,
                ),
            )
            for index, feature in enumerate(args.drift_features)
        ]
        ids = ", ".join(f"d{index}" for index in range(len(queries)))
        return cloudwatch.MetricAlarm(
            f"{self._name}-drift",
            name=drift_alarm_name(args.endpoint_name),
            alarm_description=(
                f"{args.endpoint_name}: a monitored feature drifted more than {args.thresholds.drift_threshold} "
                f"from the training baseline ({', '.join(args.drift_features)}); retraining starts where enabled"
            ),
            metric_queries=[
                *queries,
                cloudwatch.MetricAlarmMetricQueryArgs(
                    id="drift", expression=f"MAX([{ids}])", label="Largest feature drift", return_data=True
                ),
            ],
            comparison_operator="GreaterThanThreshold",
            threshold=args.thresholds.drift_threshold,
            evaluation_periods=1,
            # Drift metrics exist only when a monitoring job ran: between runs nothing new is known, so
            # the last run's verdict holds. A drift that persists stays in ALARM (one page, one
            # retraining) instead of going back to OK an hour after each daily run.
            treat_missing_data="ignore",
            alarm_actions=[args.alarm_topic_arn],
            ok_actions=[args.alarm_topic_arn],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
