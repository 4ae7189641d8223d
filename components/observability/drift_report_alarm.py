"""DriftReportAlarm: an alarm on the share of drifted columns an Evidently report step publishes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from ..limits import satisfies, tags_problem
from ..training.evidently import (
    DRIFT_SHARE_METRIC,
    ENDPOINT_KIND_PREFIX,
    FAMILY_DIMENSION,
    NAMESPACE,
    PIPELINE_DIMENSION,
    PIPELINE_KINDS,
    drift_report_alarm_name,
    is_pipeline_kind,
)

PERIOD_SECONDS = 300
"""One report, one datapoint: a short period judges it minutes after PublishDriftMetrics puts it."""


@dataclass(frozen=True)
class DriftReportAlarmArgs:
    pipeline_name: str
    """The pipeline whose report is watched: the start of the alarm's name (:func:`drift_report_alarm_name`)."""
    family: str
    """The ``Family`` dimension of the metric."""
    pipeline_kind: str
    """``training`` or ``batch-scoring``: the ``Pipeline`` dimension of the metric."""
    drift_share: float
    """The alarm fires when DriftedColumnsShare reaches it (Evidently's dataset drift), 0 < x <= 1."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic notified on ALARM and on OK."""
    tags: Mapping[str, str]
    """Tags on the alarm."""

    def __post_init__(self) -> None:
        satisfies(self, "tags", tags_problem)
        if not is_pipeline_kind(self.pipeline_kind):
            raise ValueError(
                f"DriftReportAlarmArgs.pipeline_kind: '{self.pipeline_kind}' is not one of "
                f"{', '.join(PIPELINE_KINDS)} or {ENDPOINT_KIND_PREFIX}<endpoint>"
            )
        if isinstance(self.drift_share, bool) or not 0 < self.drift_share <= 1:
            raise ValueError(f"DriftReportAlarmArgs.drift_share: {self.drift_share!r} must be in (0, 1]")


class DriftReportAlarm(pulumi.ComponentResource):
    """A CloudWatch alarm on ``DriftedColumnsShare`` of one pipeline's Evidently reports, paging the
    alert topic on ALARM and OK. Each execution publishes one value; between executions the alarm
    keeps the last report's verdict (missing data is ignored), so a dataset that stays drifted pages
    once, and the first report without drift clears it."""

    alarm_name: pulumi.Output[str]
    """Name of the alarm (:func:`drift_report_alarm_name`)."""
    alarm_arn: pulumi.Output[str]
    """ARN of the alarm."""

    def __init__(
        self, name: str, args: DriftReportAlarmArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:DriftReportAlarm", name, None, opts)
        alarm = cloudwatch.MetricAlarm(
            f"{name}-alarm",
            name=drift_report_alarm_name(args.pipeline_name),
            alarm_description=(
                f"{args.family}: the Evidently report of the {args.pipeline_kind} pipeline "
                f"{args.pipeline_name} found drift in at least {args.drift_share:.0%} of the columns "
                "against the reference; the report is under the execution's prefix (docs/evidently.md)"
            ),
            namespace=NAMESPACE,
            metric_name=DRIFT_SHARE_METRIC,
            dimensions={FAMILY_DIMENSION: args.family, PIPELINE_DIMENSION: args.pipeline_kind},
            statistic="Maximum",
            period=PERIOD_SECONDS,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=args.drift_share,
            treat_missing_data="ignore",
            alarm_actions=[args.alarm_topic_arn],
            ok_actions=[args.alarm_topic_arn],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.alarm_name = alarm.name
        self.alarm_arn = alarm.arn
        self.register_outputs({"alarm_name": self.alarm_name, "alarm_arn": self.alarm_arn})
