"""CloudWatch and SNS rules: logs are kept and encrypted, alarms notify (and are not muted for long),
alert topics are encrypted.

The parts live beside this module, each public name still importable from here: the resource types
in ``_observability_types``, the mute rules in ``_alarm_mutes``, and alarm-topic-key-usable in
``_topic_key_publishers`` over what ``_published_topic_keys`` reads of the stack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._alarm_mutes import alarm_mutes_are_bounded, alarm_mutes_are_bounded_together
from ._common import (
    CHECKOV,
    FSBP,
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    is_false,
    is_set,
    number,
    resource_rule,
    shown,
)
from ._observability_types import (
    LOG_GROUP,
    METRIC_ALARM,
    MUTE_RULE,
    NATIVE_ALARM,
    NATIVE_LOG_GROUP,
    NATIVE_MUTE_RULE,
    NATIVE_TOPIC,
    OTHER_ALARMS,
    TOPIC,
    Check,
    Findings,
)
from ._props import AWS_MANAGED_ALIAS
from ._published_topic_keys import (
    ALIASES,
    EVENT_TARGET,
    KEY_POLICY,
    KEYS,
    NATIVE_EVENT_RULE,
    REPLICA_KEYS,
    TOPICS,
)
from ._topic_key_publishers import PIPES, SCHEDULES, topic_keys_let_publishers_in

__all__ = [
    "ALIASES",
    "EVENT_TARGET",
    "KEYS",
    "KEY_POLICY",
    "LOG_GROUP",
    "METRIC_ALARM",
    "MUTE_RULE",
    "NATIVE_ALARM",
    "NATIVE_EVENT_RULE",
    "NATIVE_LOG_GROUP",
    "NATIVE_MUTE_RULE",
    "NATIVE_TOPIC",
    "OTHER_ALARMS",
    "PIPES",
    "POLICIES",
    "REPLICA_KEYS",
    "SCHEDULES",
    "TOPIC",
    "TOPICS",
    "Check",
    "Findings",
    "alarm_has_actions",
    "alarm_mutes_are_bounded",
    "alarm_mutes_are_bounded_together",
    "log_group_kms_encrypted",
    "log_group_retention",
    "sns_topic_kms_encrypted",
    "topic_keys_let_publishers_in",
]


def _log_group_retention(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    minimum = number(cfg["minRetentionDays"]) or 0.0
    value = get(args.props, "retentionInDays")
    days = number(value)
    if days is None:
        yield (
            f"retentionInDays is {shown(value)}: set retention_in_days >= {int(minimum)} "
            "(0 keeps logs forever, which is allowed but costs storage)."
        )
    elif days != 0 and days < minimum:
        yield f"retentionInDays is {shown(value)}: set retention_in_days >= {int(minimum)}."


def _log_group_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_set(get(args.props, "kmsKeyId")):
        yield "kmsKeyId is unset: set kms_key_id to a customer-managed KMS key whose policy allows CloudWatch Logs."


def _alarm_has_actions(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_set(get(args.props, "alarmActions")):
        yield "alarmActions is empty: set alarm_actions to the platform's SNS alert topic ARN."
    if is_false(get(args.props, "actionsEnabled")):
        yield "actionsEnabled is false: remove actions_enabled=False so the alarm notifies."


#: ``alias/aws/sns`` bare or as an alias ARN in any partition: the AWS-managed key (one pattern for the pack).
_AWS_MANAGED_KEY = AWS_MANAGED_ALIAS


def _sns_topic_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    key = get(args.props, "kmsMasterKeyId")
    if not is_set(key):
        yield "kmsMasterKeyId is unset: set kms_master_key_id to a KMS key (a customer-managed key for alerts)."
    elif isinstance(key, str) and _AWS_MANAGED_KEY.search(key):
        # The AWS-managed key's policy cannot grant CloudWatch or EventBridge: alarms and rules
        # publishing to the topic would fail silently.
        yield (
            f"kmsMasterKeyId is the AWS-managed {shown(key)}: use a customer-managed key whose policy "
            "lets CloudWatch and EventBridge publish."
        )


log_group_retention = resource_rule(
    name="log-group-retention",
    description=(
        "CloudWatch log groups must set a retention of at least minRetentionDays (default 365; "
        "0 = never expire is accepted). Fix: set retentionInDays."
    ),
    resource_types=[LOG_GROUP, NATIVE_LOG_GROUP],
    check=_log_group_retention,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "CloudWatch.16", "Checkov CKV_AWS_338"),
    config={
        "minRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "default": 365,
            "description": "Minimum retentionInDays (0, never expire, is also accepted).",
        }
    },
    tags=["logging"],
)

log_group_kms_encrypted = resource_rule(
    name="log-group-kms-encrypted",
    description="CloudWatch log groups must be encrypted with a customer-managed KMS key. Fix: set kmsKeyId.",
    resource_types=[LOG_GROUP, NATIVE_LOG_GROUP],
    check=_log_group_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(CHECKOV, "CKV_AWS_158"),
    tags=["logging", "encryption"],
)

alarm_has_actions = resource_rule(
    name="alarm-has-actions",
    description=(
        "CloudWatch alarms (metric, composite and log alarms) must notify someone. Fix: set "
        "alarmActions (e.g. the alert SNS topic) and leave actionsEnabled true."
    ),
    resource_types=[METRIC_ALARM, NATIVE_ALARM, *OTHER_ALARMS],
    check=_alarm_has_actions,
    enforcement_level=MANDATORY,
    severity=LOW,
    framework=framework(FSBP, "CloudWatch.15"),
    tags=["monitoring"],
)


sns_topic_kms_encrypted = resource_rule(
    name="sns-topic-kms-encrypted",
    description=(
        "SNS topics must be encrypted at rest with a customer-managed KMS key (not alias/aws/sns, "
        "which CloudWatch alarms and EventBridge cannot use). Fix: set kmsMasterKeyId."
    ),
    resource_types=[TOPIC, NATIVE_TOPIC],
    check=_sns_topic_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "SNS.1"),
    tags=["sns", "encryption"],
)


POLICIES = [
    log_group_retention,
    log_group_kms_encrypted,
    alarm_has_actions,
    alarm_mutes_are_bounded,
    alarm_mutes_are_bounded_together,
    sns_topic_kms_encrypted,
    topic_keys_let_publishers_in,
]
