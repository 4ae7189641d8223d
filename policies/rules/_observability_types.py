"""The resource types the CloudWatch and SNS rules (policies/rules/observability.py) read."""

from __future__ import annotations

from collections.abc import Iterator

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NATIVE_ALARM = "aws-native:cloudwatch:Alarm"  # same property names: alarmActions, actionsEnabled
#: Alarms of other kinds with the same two properties: a composite alarm (the rule over other alarms
#: that usually pages) and CloudWatch Logs' query alarm.
OTHER_ALARMS = (
    "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    "aws-native:cloudwatch:CompositeAlarm",
    "aws-native:cloudwatch:LogAlarm",
)
TOPIC = "aws:sns/topic:Topic"
NATIVE_LOG_GROUP = "aws-native:logs:LogGroup"  # same property names: retentionInDays, kmsKeyId
NATIVE_TOPIC = "aws-native:sns:Topic"  # same property name: kmsMasterKeyId
MUTE_RULE = "aws:cloudwatch/alarmMuteRule:AlarmMuteRule"
#: Same property names: rule.schedule.{expression,duration,timezone}, startDate, expireDate.
NATIVE_MUTE_RULE = "aws-native:cloudwatch:AlarmMuteRule"

Check = Iterator[str]
Findings = Iterator[tuple[str, str | None]]
