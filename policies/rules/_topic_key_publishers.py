"""alarm-topic-key-usable (policies/rules/observability.py): each publisher (alarm, EventBridge rule
or target, Scheduler schedule, pipe) checked against the key policies of the topics it notifies."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from . import _topic_keys as keys
from ._common import (
    HIGH,
    MANDATORY,
    StackIndex,
    UndecidedCollector,
    Undeterminable,
    deps,
    of_type,
    stack_rule,
)
from ._observability_types import METRIC_ALARM, NATIVE_ALARM, OTHER_ALARMS, Findings
from ._props import is_aws_managed_alias
from ._published_topic_keys import (
    _ACTION_PROPS,
    _CLOUDWATCH,
    _EVENTS,
    EVENT_TARGET,
    NATIVE_EVENT_RULE,
    TOPICS,
    _key_document,
    _keys_of,
    _literal_arns,
    _names_topic,
    _published_topics,
    _source_arn,
    _topic_arn,
)

SCHEDULES = ("aws:scheduler/schedule:Schedule", "aws-native:scheduler:Schedule")  # ``target.arn``
PIPES = ("aws:pipes/pipe:Pipe", "aws-native:pipes:Pipe")  # ``target``


#: Scheduler's universal target for an SNS API (Scheduler User Guide, "Using universal targets"):
#: ``arn:<partition>:scheduler:::aws-sdk:sns:<apiAction>``, its parameters in ``target.input``.
_UNIVERSAL_SNS = re.compile(r"arn:[^:]+:scheduler:::aws-sdk:sns:(?P<action>[A-Za-z]+)")


def _input_topic(raw: Any) -> Any:
    """The ``TopicArn`` a universal ``sns:publish``/``publishBatch`` target's ``input`` JSON names:
    the ARN, :class:`keys.Unknown` when not known yet (a dependency of ``target`` may be the topic),
    or None when it names none this rule can read."""
    if isinstance(raw, keys.Unknown):
        return raw
    try:
        topic = json.loads(raw).get("TopicArn") if isinstance(raw, str) else None
    except (ValueError, AttributeError):
        return None
    return topic if isinstance(topic, str) and topic else None


def _role_publisher_undecided(publisher: PolicyResource, stack: StackIndex) -> UnknownValueError | None:
    """Why an EventBridge Scheduler schedule or a pipe publishing to an SNS topic cannot be judged,
    or None. They publish as their execution role (``roleArn``), not as a service principal: the
    role's IAM policies and the key's policy together decide whether KMS lets it encrypt, which this
    rule does not read. A topic of the stack that is unencrypted or uses AWS's key (whose policy
    lets the account's principals use it through SNS) needs nothing."""
    kind = "schedule" if publisher.resource_type in SCHEDULES else "pipe"
    target = keys.read(publisher.props, "target")
    if kind == "schedule":
        settings = target if isinstance(target, dict) else {}
        target = target.get("arn") if isinstance(target, dict) else target
        universal = _UNIVERSAL_SNS.fullmatch(target) if isinstance(target, str) else None
        if universal is not None:
            if universal["action"].lower() not in ("publish", "publishbatch"):
                return None  # createTopic, setTopicAttributes...: no message, no key to use
            target = _input_topic(settings.get("input"))
            if target is None:
                return Undeterminable(
                    f"schedule {publisher.name!r} publishes to SNS through Scheduler's universal target "
                    f"{universal.group(0)!r}, as its execution role, and its input names no TopicArn this "
                    "rule can read: whether that topic is encrypted, and whether the role's IAM policies and "
                    "the key's policy let it kms:GenerateDataKey* and kms:Decrypt, cannot be read here. Make "
                    "sure they do, or SNS refuses its messages."
                )
    prop = "target"
    linked = [d for d in deps(publisher, prop) if d.resource_type in TOPICS]
    literal, _ = _literal_arns(target)
    named = [topic for topic in stack.of_type(TOPICS) for arn in literal if _names_topic(arn, topic)]
    topics = list({topic.urn: topic for topic in [*linked, *named]}.values())
    outside = [arn for arn in literal if not any(_names_topic(arn, topic) for topic in stack.of_type(TOPICS))]
    if outside and not (linked and not named):  # a linked topic whose ARN is not known yet may be it
        return Undeterminable(
            f"{kind} {publisher.name!r} publishes to SNS topic {outside[0]!r}, which is not in this stack, as "
            "its execution role: whether the topic is encrypted, and whether the role's IAM policies and "
            "the key's policy let the role kms:GenerateDataKey* and kms:Decrypt, cannot be read here. "
            "Make sure they do, or SNS refuses its messages."
        )
    for topic in topics:
        _, value = _keys_of(topic, stack)
        if isinstance(value, keys.Unknown):
            return value.error
        if value is None or is_aws_managed_alias(value):
            continue
        return Undeterminable(
            f"{kind} {publisher.name!r} publishes to SNS topic {topic.name!r}, encrypted with KMS key "
            f"{value!r}, as its execution role (roleArn), not as a service principal: whether the role's "
            "IAM policies and the key's policy let it kms:GenerateDataKey* and kms:Decrypt is not judged "
            "by this rule. Make sure they do, or SNS refuses its messages."
        )
    return None


def _publishers_use_topic_keys(args: StackValidationArgs, _: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)
    # A topic's keys and a key's policy are the stack's, whichever publisher asks: each read once
    # per evaluation (every alarm of a large stack notifies the same few topics).
    keys_of = functools.cache(lambda topic: _keys_of(topic, stack))
    key_document = functools.cache(lambda key: _key_document(key, stack))
    undecided = UndecidedCollector()
    for publisher in of_type(args.resources, (*SCHEDULES, *PIPES)):
        if (reason := _role_publisher_undecided(publisher, stack)) is not None:
            undecided.add(publisher, reason)
    alarms = (METRIC_ALARM, NATIVE_ALARM, *OTHER_ALARMS)
    for publisher in of_type(args.resources, (*alarms, EVENT_TARGET, NATIVE_EVENT_RULE)):
        props: tuple[str, ...]
        if publisher.resource_type in alarms:
            kind, service, props = "alarm", _CLOUDWATCH, _ACTION_PROPS
        else:
            kind, service = (
                "EventBridge target" if publisher.resource_type == EVENT_TARGET else "EventBridge rule",
                _EVENTS,
            )
            props = ("arn",) if publisher.resource_type == EVENT_TARGET else ()
        pending: list[UnknownValueError] = []
        found = list(_check_publisher(publisher, kind, service, props, stack, keys_of, key_document, pending))
        yield from found
        for reason in pending:  # each distinct reason shown (a topic unknown yet and one outside)
            undecided.add(publisher, reason)
    undecided.raise_if_any()


def _native_rule_topics(
    publisher: PolicyResource, stack: StackIndex
) -> tuple[list[tuple[PolicyResource, Any, bool]], list[str]]:
    """As :func:`_published_topics`, for an aws-native rule's ``targets[].arn``."""
    targets = keys.read(publisher.props, "targets")
    linked = [d for d in deps(publisher, "targets") if d.resource_type in TOPICS]
    if isinstance(targets, keys.Unknown):
        return [(topic, targets, True) for topic in linked], []
    arns = [t.get("arn") for t in keys.as_list(targets) if isinstance(t, dict)]
    found: dict[str, tuple[PolicyResource, Any, bool]] = {}
    unmatched, _ = _literal_arns(arns)
    for arn in arns:
        for topic in stack.of_type(TOPICS):
            if isinstance(arn, str) and (how := _names_topic(arn, topic)):
                found.setdefault(
                    topic.urn, (topic, arn, how == "arn" or topic.urn in {d.urn for d in linked})
                )
                if arn in unmatched:
                    unmatched.remove(arn)
    for topic in linked:
        if topic.urn not in found:
            own = _topic_arn(topic)
            if not (isinstance(own, str) and own):
                unmatched = []  # a topic whose ARN is not known yet may be any of them
            arn = own if isinstance(own, str) and own else keys.unknown("targets[].arn")
            found[topic.urn] = (topic, arn, True)
    return list(found.values()), unmatched


def _check_publisher(
    publisher: PolicyResource,
    kind: str,
    service: str,
    props: tuple[str, ...],
    stack: StackIndex,
    keys_of: Callable[[PolicyResource], tuple[list[PolicyResource], Any]],
    key_document: Callable[[PolicyResource], Any],
    pending: list[UnknownValueError],
) -> Findings:
    topics, outside = (
        _native_rule_topics(publisher, stack)
        if publisher.resource_type == NATIVE_EVENT_RULE
        else _published_topics(publisher, stack, props)
    )
    for arn in outside:
        pending.append(
            Undeterminable(
                f"{kind} {publisher.name!r} notifies SNS topic {arn!r}, which is not in this stack: whether "
                f"it is encrypted, and whether its KMS key's policy lets {service} use the key "
                "(kms:GenerateDataKey* and kms:Decrypt), cannot be read here. Make sure the topic is "
                f"unencrypted or its customer-managed key's policy lets {service} use it (AWS's "
                "alias/aws/sns never does), or nobody is told."
            )
        )
    for topic, topic_arn, surely in topics:
        found, value = keys_of(topic)
        if value is None or is_aws_managed_alias(value):
            continue  # not encrypted, or AWS's own key (sns-topic-kms-encrypted refuses it)
        if not found:
            if isinstance(value, keys.Unknown):
                pending.append(value.error)
            else:
                pending.append(
                    Undeterminable(
                        f"{kind} {publisher.name!r} notifies SNS topic {topic.name!r}, encrypted with KMS key "
                        f"{value!r}, which is not in this stack: its key policy cannot be read here. Make sure it "
                        f"lets {service} use the key (kms:GenerateDataKey* and kms:Decrypt), or nobody is told."
                    )
                )
            continue
        call = keys.request(service, topic_arn, _source_arn(publisher, topic_arn))
        named = keys.arn_fields(value) if isinstance(value, str) else None  # the key's or its alias's ARN
        for key in found:
            verdict = keys.key_lets(
                key_document(key), call, keys.read(key.props, "arn"), named[4] if named else None
            )
            if isinstance(verdict, keys.Unknown):
                pending.extend(verdict.errors)
            elif verdict is False and not surely:
                # Named by the topic's name only, its ARN not known yet: refused only if it is this
                # topic, which the outputs say (a topic of that name elsewhere may be the one meant).
                pending.append(
                    keys.unknown(
                        f"the ARN of SNS topic {topic.name!r} ({publisher.name!r} names {topic_arn!r})"
                    ).error
                )
            elif verdict is False:
                yield (
                    f"{kind} {publisher.name!r} notifies SNS topic {topic.name!r}, encrypted with KMS key "
                    f"{key.name!r}, whose key policy does not let {service} use it: no Allow of "
                    "kms:GenerateDataKey* and kms:Decrypt to that service whose conditions hold for its request "
                    "(aws:SourceAccount, aws:SourceArn, kms:EncryptionContext:aws:sns:topicArn, aws:PrincipalIsAWSService "
                    "true, aws:PrincipalServiceName, aws:ResourceAccount, aws:RequestedRegion), "
                    "or a Deny applies. KMS refuses every notification, so it fires and nobody is told: add "
                    f"a key policy statement allowing {{'Service': '{service}'}} those actions.",
                    publisher.urn,
                )


topic_keys_let_publishers_in = stack_rule(
    name="alarm-topic-key-usable",
    description=(
        "An SNS topic a CloudWatch alarm (alarmActions, okActions, insufficientDataActions) or an EventBridge "
        "rule target notifies, encrypted with a customer-managed KMS key of this stack, must have a key "
        "policy that lets the publisher's service principal (cloudwatch.amazonaws.com, events.amazonaws.com) "
        "kms:GenerateDataKey* and kms:Decrypt: otherwise KMS refuses each notification and nobody is told. "
        "A key or topic outside the stack is undecided, as is an EventBridge Scheduler schedule or pipe "
        "publishing to an encrypted topic (as its execution role). Fix: add a key policy statement for that service."
    ),
    check=_publishers_use_topic_keys,
    enforcement_level=MANDATORY,
    severity=HIGH,
    tags=["monitoring", "encryption", "sns"],
)
