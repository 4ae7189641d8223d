"""ModelQualityAlarms: alarms on the metrics an endpoint's model-quality monitor publishes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from ..limits import satisfies, tags_problem
from ..schedules import model_monitor_schedule_problem, schedule_interval_seconds
from ..serving.inference_endpoint_spec import sagemaker_name_problem
from ..training.definition import PROBLEM_TYPES, ProblemType
from .model_quality_spec import QUALITY_METRICS, quality_metric_problem, quality_threshold_problem

QUALITY_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"


def quality_alarm_name(endpoint_name: str, metric: str) -> str:
    """Deterministic, so the retraining trigger can name the alarm before it exists."""
    return f"{endpoint_name}-model-quality-{metric}"


@dataclass(frozen=True)
class ModelQualityAlarmsArgs:
    endpoint_name: str
    """The SageMaker endpoint: the ``Endpoint`` dimension of the metrics, and the start of the alarm names."""
    monitoring_schedule_name: pulumi.Input[str]
    """The model-quality monitoring schedule: the ``MonitoringSchedule`` dimension of the metrics."""
    schedule: str
    """The schedule's Model Monitor cron expression: one run, one datapoint, per alarm period."""
    problem_type: ProblemType
    """What the monitor computes (``BinaryClassification``, ``MulticlassClassification``,
    ``Regression``): which metrics exist, and on which side each is bad."""
    thresholds: Mapping[str, float]
    """Metric name -> threshold: one alarm each, firing when the metric is worse (a score below, an
    error above). At least one."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic every alarm notifies on ALARM and on OK."""
    tags: Mapping[str, str]
    """Tags on every alarm."""

    def __post_init__(self) -> None:
        satisfies(self, "endpoint_name", lambda name: sagemaker_name_problem(name, "endpoint name"))
        satisfies(self, "tags", tags_problem)
        satisfies(self, "schedule", model_monitor_schedule_problem)
        if self.problem_type not in PROBLEM_TYPES:
            raise ValueError(
                f"ModelQualityAlarmsArgs.problem_type: '{self.problem_type}' is not one of {', '.join(PROBLEM_TYPES)}"
            )
        if not self.thresholds:
            raise ValueError("ModelQualityAlarmsArgs.thresholds: name at least one metric")
        for metric, threshold in self.thresholds.items():
            problem = quality_metric_problem(self.problem_type, metric) or quality_threshold_problem(
                metric, threshold
            )
            if problem:
                raise ValueError(f"ModelQualityAlarmsArgs.thresholds.{metric}: {problem}")


class ModelQualityAlarms(pulumi.ComponentResource):
    """One CloudWatch alarm per chosen model-quality metric of one endpoint, paging the alert topic
    on ALARM and OK; a retraining trigger may listen to them by name (:func:`quality_alarm_name`).

    Each monitoring run publishes one value per metric (of the hour whose labels have arrived), so an
    alarm judges one period of the schedule's interval and keeps its state between runs: a model
    that stays bad pages (and retrains) once, not at every run.
    """

    alarm_names: pulumi.Output[list[str]]
    """Names of the alarms, in the order of ``thresholds`` (:func:`quality_alarm_name`)."""

    def __init__(
        self, name: str, args: ModelQualityAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:ModelQualityAlarms", name, None, opts)
        period = schedule_interval_seconds(args.schedule)
        metrics = QUALITY_METRICS[args.problem_type]
        alarms: list[cloudwatch.MetricAlarm] = []
        for metric, threshold in args.thresholds.items():
            low = metrics[metric] == "low"
            alarm = cloudwatch.MetricAlarm(
                f"{name}-{metric.replace('_', '-')}",
                name=quality_alarm_name(args.endpoint_name, metric),
                alarm_description=(
                    f"{args.endpoint_name}: model-quality {metric} {'below' if low else 'above'} {threshold} "
                    "against ground truth; retraining starts where enabled"
                ),
                namespace=QUALITY_METRICS_NAMESPACE,
                metric_name=metric,
                dimensions={
                    "Endpoint": args.endpoint_name,
                    "MonitoringSchedule": args.monitoring_schedule_name,
                },
                # One value per run: the worst of the period is that run's.
                statistic="Minimum" if low else "Maximum",
                period=period,
                evaluation_periods=1,
                comparison_operator="LessThanThreshold" if low else "GreaterThanThreshold",
                threshold=threshold,
                # Between runs nothing new is known: keep the last run's verdict.
                treat_missing_data="ignore",
                alarm_actions=[args.alarm_topic_arn],
                ok_actions=[args.alarm_topic_arn],
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            alarms.append(alarm)
        self.alarm_names = pulumi.Output.all(*[alarm.name for alarm in alarms])
        self.register_outputs({"alarm_names": self.alarm_names})
