"""CloudWatch and SNS rules: logs are kept and encrypted, alarms notify (and are not muted for long),
alert topics are encrypted."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from . import _topic_keys as keys
from ._common import (
    CHECKOV,
    FSBP,
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    StackIndex,
    UndecidedCollector,
    Undeterminable,
    deps,
    framework,
    get,
    is_false,
    is_set,
    items,
    number,
    of_type,
    resource_rule,
    shown,
    stack_rule,
    to_plain,
)
from ._iam_documents import all3

if TYPE_CHECKING:
    from . import _mute_schedule as mute

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


def _log_group_retention(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    minimum = number(cfg["minRetentionDays"]) or 0.0
    value = get(args.props, "retentionInDays")
    days = number(value)
    if days is None:
        yield (
            f"retentionInDays is unset: set retention_in_days >= {int(minimum)} "
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


_SCHEDULE = "rule.schedule"


def _span(seconds: int) -> str:
    """``15 days``, ``2 days 12 hours``, ``12 hours 1 minute``: a span for a violation message."""
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    text = " ".join(f"{count} {unit}{'s' if count != 1 else ''}" for count, unit in parts if count)
    return text or "0 minutes"


def _over(share: float, limit: float) -> str:
    """``share`` as a percentage, with decimals enough to show it above ``limit`` (50.1%, 50.01%)."""
    for digits in range(1, 5):
        if f"{share:.{digits}%}" != f"{limit:.{digits}%}":
            break
    return f"{share:.{digits}%}"


def _alarm_mutes_are_bounded(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    """A mute rule's schedule may not silence its alarms for long: see ``_mute_schedule``.

    Each value is read and parsed on its own, so that a value known to be unreadable is reported even
    when another is unknown at preview; a schedule that reads well but needs an unknown value is
    undecided (the ``UnknownValueError`` is raised again, as every resource rule lets it rise).
    """
    from . import _mute_schedule as mute  # on first use: most stacks have no mute rule

    props = args.props
    unknown: UnknownValueError | None = None
    problems: list[str] = []
    values: dict[str, Any] = {}
    parsed: dict[str, Any] = {}
    readers: list[tuple[str, Any]] = [
        ("expression", mute.parse_expression),
        ("duration", mute.parse_duration),
        ("timezone", mute.parse_timezone),
    ]
    for key, parse in readers:
        path = f"{_SCHEDULE}.{key}"
        try:
            value = get(props, path)
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if key != "timezone" and not is_set(value):
            problems.append(f"{path} is unset: set it ({key} of the mute, e.g. cron(0 2 * * SUN) and PT4H).")
            continue
        if value is not None and not isinstance(value, str):
            problems.append(f"{path} is {shown(value)}: set it to a string.")
            continue
        try:
            parsed[key] = parse(value or None)
        except mute.ScheduleError as error:
            problems.append(
                f"{path} cannot be read: {error}. The pack cannot tell how long it mutes the alarms, so it "
                "fails closed: write it the way the CloudWatch PutAlarmMuteRule API documents."
            )
            continue
        values[key] = value or None
    if problems:
        yield from problems
        return
    if unknown is not None:
        raise unknown
    expression, duration = values["expression"], values["duration"]
    one_time = not isinstance(parsed["expression"], mute.Cron)
    dates: dict[str, datetime | None] = {"startDate": None, "expireDate": None}
    if not one_time:  # AWS rejects both with at(): the window is the at() time plus the duration
        for key in dates:
            value = get(props, key)
            if not is_set(value):
                continue
            try:
                dates[key] = mute.parse_date(str(value), parsed["timezone"])
            except mute.ScheduleError as error:
                yield f"{key} cannot be read: {error}. Set it as RFC 3339 (2026-12-31T23:59:00Z) or remove it."
                return
    window_days = int(number(cfg["shareWindowDays"]) or mute.WINDOW_DAYS)
    share_limit = float(number(cfg["maxMutedShare"]) or 0.0)
    try:
        # With the limit, a share whose hour-slot bound is above it but whose floor is not is measured
        # exactly: the verdict at the limit is exact (see _mute_schedule._exact_window).
        read = mute.Schedule(parsed["expression"], parsed["duration"], parsed["timezone"], *dates.values())
        profile = mute.schedule_profile(read, window_days, share_limit)
    except mute.ScheduleError as error:  # dates that read well but give no period (see ``_period``)
        yield f"the active period cannot be simulated: {error}. Set startDate and expireDate in order, or remove them."
        return

    limit = round(float(number(cfg["maxContinuousMuteHours"]) or 0) * 3600)
    if profile.longest > limit:
        since = f" from {profile.longest_start:%Y-%m-%dT%H:%MZ}" if profile.longest_start else ""
        yield (
            f"{_SCHEDULE} ({expression} for {duration}) mutes the alarms for {_span(profile.longest)} without a "
            f"break{since}: keep a continuous mute within maxContinuousMuteHours ({_span(limit)}): shorten "
            "rule.schedule.duration, space the activations so their windows do not meet, or set expireDate."
        )
    # The worst window of shareWindowDays, not the whole period: a month muted and eleven idle is
    # still a silent month. A short period is measured over the whole window (time outside it is not
    # muted), so a bounded rule is judged by how long it mutes, like one at() mute.
    if profile.window_share > share_limit:
        days = f"{window_days} day{'s' if window_days != 1 else ''}"
        since = f" from {profile.window_start:%Y-%m-%dT%H:%MZ}" if profile.window_start else ""
        yield (
            f"{_SCHEDULE} ({expression} for {duration}) mutes the alarms {_over(profile.window_share, share_limit)} of the "
            f"{days}{since}: keep the muted share of any shareWindowDays ({days}) within maxMutedShare "
            f"({share_limit:.1%}): shorten rule.schedule.duration or activate less often or on fewer days in a "
            "row (an alarm that is muted most of the time notifies no one)."
        )


def _mute_schedule_of(props: Any) -> mute.Schedule | None:
    """A mute rule's schedule, read; None when a value cannot be read (``alarm-mutes-are-bounded``
    fails that rule); raises ``UnknownValueError`` for a value unknown at preview."""
    from . import _mute_schedule as mute  # on first use: most stacks have no mute rule

    values: list[str | None] = []
    for path in (f"{_SCHEDULE}.expression", f"{_SCHEDULE}.duration", f"{_SCHEDULE}.timezone"):
        value = get(props, path)
        if value is not None and not isinstance(value, str):
            return None
        values.append(value or None)
    expression, duration, zone = values
    if expression is None or duration is None:
        return None
    try:
        dates: list[str | None] = [None, None]
        if isinstance(mute.parse_expression(expression), mute.Cron):  # AWS rejects the dates with at()
            dates = [
                str(value) if is_set(value := get(props, key)) else None
                for key in ("startDate", "expireDate")
            ]
        return mute.read_schedule(expression, duration, zone, *dates)
    except mute.ScheduleError:
        return None


def _muted_alarms(props: Any) -> list[str]:
    """The alarm names a mute rule targets (each once); raises ``UnknownValueError`` at preview."""
    names = to_plain(get(props, "muteTargets.alarmNames"))
    return list(dict.fromkeys(name for name in items(names) if isinstance(name, str) and name))


def _mutes_bounded_together(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Findings:
    """The bounds of ``alarm-mutes-are-bounded`` over the union of every mute rule on one alarm.

    Each rule alone is judged by the resource rule; two compliant rules can still keep one alarm
    muted (PT12H from midnight and PT12H from noon). Rules whose alarm names or schedule are unknown
    at preview are undecided (their alarms cannot be judged whole); a rule whose schedule cannot be
    read is skipped (the resource rule fails it). A bound is reported when the rules together exceed it
    and mute more than any one of them alone.
    """
    undecided = UndecidedCollector()
    by_alarm: dict[str, list[PolicyResource]] = {}
    schedules: dict[str, mute.MuteWindows] = {}
    found: list[tuple[PolicyResource, list[str], mute.Schedule]] = []
    for resource in of_type(args.resources, (MUTE_RULE, NATIVE_MUTE_RULE)):
        try:
            alarms, schedule = _muted_alarms(resource.props), _mute_schedule_of(resource.props)
        except UnknownValueError as error:
            undecided.add(resource, error)
            continue
        if schedule is not None and alarms:
            found.append((resource, alarms, schedule))
            for alarm in alarms:
                by_alarm.setdefault(alarm, []).append(resource)
    if not found:
        undecided.raise_if_any()
        return
    from . import _mute_schedule as mute  # on first use: most stacks have no mute rule

    window_days = int(number(cfg["shareWindowDays"]) or mute.WINDOW_DAYS)
    limit = round(float(number(cfg["maxContinuousMuteHours"]) or 0) * 3600)
    share_limit = float(number(cfg["maxMutedShare"]) or 0.0)
    shared = {resource.urn for rules in by_alarm.values() if len(rules) > 1 for resource in rules}
    alone: dict[str, mute.MuteProfile] = {}  # each rule as alarm-mutes-are-bounded judges it
    for resource, _, schedule in found:
        if resource.urn in shared:
            try:
                schedules[resource.urn] = mute.mute_windows(schedule)
                alone[resource.urn] = mute.schedule_profile(schedule, window_days, share_limit)
            except mute.ScheduleError:  # a period that cannot be simulated: the resource rule fails it
                continue
    unions: dict[tuple[str, ...], mute.MuteProfile] = {}  # alarms muted by the same rules: measured once
    for alarm, rules in by_alarm.items():
        rules = [rule for rule in rules if rule.urn in schedules]
        if len(rules) < 2:
            continue
        key = tuple(rule.urn for rule in rules)
        if key not in unions:
            unions[key] = mute.union_profile([schedules[urn] for urn in key], window_days, share_limit)
        profile = unions[key]
        names = ", ".join(repr(rule.name) for rule in rules)
        who = f"alarm {alarm!r} is muted by {len(rules)} mute rules ({names}) whose windows together mute it"
        # Reported when the rules together are over a bound and worse than each alone: a bound one
        # rule breaks by itself is the resource rule's, but that policy may be configured otherwise,
        # advisory or disabled, so its verdict is not assumed here.
        if profile.longest > limit and profile.longest > max(alone[rule.urn].longest for rule in rules):
            since = f" from {profile.longest_start:%Y-%m-%dT%H:%MZ}" if profile.longest_start else ""
            yield (
                f"{who} for {_span(profile.longest)} without a break{since}: keep a continuous mute of one "
                f"alarm within maxContinuousMuteHours ({_span(limit)}): shorten or space the rules' windows "
                "so they do not meet, or mute the alarm from one rule.",
                rules[0].urn,
            )
        if profile.window_share > share_limit and profile.window_share > max(
            alone[rule.urn].window_share for rule in rules
        ):
            days = f"{window_days} day{'s' if window_days != 1 else ''}"
            since = f" from {profile.window_start:%Y-%m-%dT%H:%MZ}" if profile.window_start else ""
            yield (
                f"{who} {_over(profile.window_share, share_limit)} of the {days}{since}: keep the muted share of "
                f"any shareWindowDays ({days}) of one alarm within maxMutedShare ({share_limit:.1%}): shorten "
                "the rules' durations or mute the alarm on fewer of them (an alarm that is muted most of the "
                "time notifies no one).",
                rules[0].urn,
            )
    undecided.raise_if_any()


#: ``alias/aws/sns`` bare or as an alias ARN in any partition: the AWS-managed key.
_AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")


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

#: The bounds both mute rules apply (each policy is configured on its own: set both alike).
_MUTE_BOUNDS: dict[str, dict[str, Any]] = {
    "maxContinuousMuteHours": {
        "type": "number",
        "minimum": 1,
        "default": 360,
        "description": (
            "Longest continuous mute, in hours, that overlapping or touching activations may add up to "
            "(360 = 15 days, the longest one at() mute can last)."
        ),
    },
    "maxMutedShare": {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "default": 0.5,
        "description": (
            "Largest share of any shareWindowDays-long window the alarms may be muted (time outside the "
            "active period counts as not muted)."
        ),
    },
    "shareWindowDays": {
        "type": "integer",
        "minimum": 1,
        "maximum": 366,
        "default": 30,
        "description": (
            "Length, in days, of the windows maxMutedShare is judged over: the worst one in the active "
            "period counts (30: a month muted 23 hours a day fails, a weekend a week passes)."
        ),
    },
}

alarm_mutes_are_bounded = resource_rule(
    name="alarm-mutes-are-bounded",
    description=(
        "CloudWatch alarm mute rules must not silence alarms for long: simulated over their active period "
        "(startDate to expireDate, at most a year; in the schedule's timezone), no continuous muted stretch "
        "may exceed maxContinuousMuteHours (default 360, AWS's own P15D ceiling for one mute) and no window "
        "of shareWindowDays (default 30) may be muted more than maxMutedShare (default 0.5) of its time. "
        "Fix: shorten rule.schedule.duration, activate less often, or bound the rule with expireDate."
    ),
    resource_types=[MUTE_RULE, NATIVE_MUTE_RULE],
    check=_alarm_mutes_are_bounded,
    enforcement_level=MANDATORY,
    severity=LOW,
    config=_MUTE_BOUNDS,
    tags=["monitoring"],
)

alarm_mutes_are_bounded_together = stack_rule(
    name="alarm-mutes-are-bounded-together",
    description=(
        "The bounds of alarm-mutes-are-bounded apply to each alarm, not only to each mute rule: for every "
        "alarm that two or more mute rules name (muteTargets.alarmNames), the rules' windows merged "
        "(each over its own active period, in its own timezone) may not stay muted longer than "
        "maxContinuousMuteHours (default 360) nor more than maxMutedShare (default 0.5) of any "
        "shareWindowDays (default 30) days. Fix: shorten or space the rules' windows, or mute the alarm "
        "from one rule."
    ),
    check=_mutes_bounded_together,
    enforcement_level=MANDATORY,
    severity=LOW,
    config=_MUTE_BOUNDS,
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

# --- the keys of the topics alarms and rules publish to ------------------------------------------

EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"  # ``arn``: the target
NATIVE_EVENT_RULE = "aws-native:events:Rule"  # ``targets[].arn``
KEYS = ("aws:kms/key:Key", "aws-native:kms:Key", "aws:kms/replicaKey:ReplicaKey", "aws-native:kms:ReplicaKey")
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
REPLICA_KEYS = ("aws:kms/replicaKey:ReplicaKey", "aws-native:kms:ReplicaKey")  # the primary's key id
ALIASES = ("aws:kms/alias:Alias", "aws-native:kms:Alias")
TOPICS = (TOPIC, NATIVE_TOPIC)
_ACTION_PROPS = ("alarmActions", "okActions", "insufficientDataActions")
_CLOUDWATCH, _EVENTS = "cloudwatch.amazonaws.com", "events.amazonaws.com"


def _is_sns_arn(value: Any) -> bool:
    """Whether ``value`` is an SNS ARN (its service field ``sns``): not a Lambda alias named ``sns``
    (``...:function:sns:live``) nor Scheduler's universal target ``arn:aws:scheduler:::aws-sdk:sns:...``."""
    return isinstance(value, str) and value.startswith("arn:") and value.split(":", 3)[2:3] == ["sns"]


def _literal_arns(value: Any) -> tuple[list[str], Any]:
    """The SNS ARNs a list (or single) input names, and its :class:`Unknown` part if any."""
    if isinstance(value, keys.Unknown):
        return [], value
    found = [v for v in keys.as_list(value) if _is_sns_arn(v)]
    pending = next((v for v in keys.as_list(value) if isinstance(v, keys.Unknown)), None)
    return found, pending


def _topic_arn(topic: PolicyResource) -> Any:
    """A topic's own ARN (``arn``; aws-native's ``topicArn``): known after create."""
    return keys.read(topic.props, "topicArn" if topic.resource_type == NATIVE_TOPIC else "arn")


def _names_topic(arn: str, topic: PolicyResource) -> str | None:
    """Whether a literal SNS ARN is ``topic``'s: ``"arn"`` when it is its ARN (known after create),
    ``"name"`` when, that ARN not known, its last field is the topic's name (a topic of the same name
    in another account or region may be the one meant), else None."""
    own = _topic_arn(topic)
    if isinstance(own, str) and own:
        return "arn" if arn == own else None
    name = keys.read(topic.props, "name") or keys.read(topic.props, "topicName")
    return "name" if isinstance(name, str) and bool(name) and arn.rsplit(":", 1)[-1] == name else None


def _published_topics(
    publisher: PolicyResource, stack: StackIndex, props: tuple[str, ...]
) -> tuple[list[tuple[PolicyResource, Any, bool]], list[str]]:
    """``(topic, its ARN as the publisher names it, whether surely that topic)`` for each topic of
    the stack ``publisher`` notifies through ``props`` (a property dependency, or a literal ARN naming
    the topic: surely it when by its ARN, maybe when by its name only); the ARN is :class:`Unknown`
    when not known yet. Then the literal SNS ARNs that name no topic of the stack (a central pager's:
    its encryption and key cannot be read here), when no topic it depends on may be one of them (one
    whose ARN and name are not known yet)."""
    found: dict[str, tuple[PolicyResource, Any, bool]] = {}
    outside: list[str] = []
    for prop in props:
        literal, pending = _literal_arns(keys.read(publisher.props, prop))
        linked = [d for d in deps(publisher, prop) if d.resource_type in TOPICS]
        unmatched = list(literal)
        for arn in literal:
            for topic in stack.of_type(TOPICS):
                if how := _names_topic(arn, topic):
                    found.setdefault(
                        topic.urn, (topic, arn, how == "arn" or topic.urn in {d.urn for d in linked})
                    )
                    unmatched.remove(arn)
                    break
        unclaimed = list(unmatched)
        for topic in linked:
            if topic.urn in found:
                continue
            # The one literal no topic claims is this topic's ARN only when nothing else is pending: an
            # ARN unknown at preview beside another topic's literal one (a central pager's) is this one.
            named: Any = (
                unmatched[0] if pending is None and len(linked) == 1 and len(unmatched) == 1 else None
            )
            own = _topic_arn(topic)
            if named is not None:
                unclaimed.remove(named)
            elif isinstance(own, str) and own:
                named = own
            else:
                named = pending or keys.unknown(f"{prop} (the topic's ARN)")
                if pending is None:
                    unclaimed = []  # a topic whose ARN is not known yet may be any of them
            found[topic.urn] = (topic, named, True)
        outside += [arn for arn in unclaimed if arn not in outside]
    # A literal an earlier input's dependency showed to be a topic's ARN (okActions beside alarmActions).
    claimed = {named for _, named, _ in found.values() if isinstance(named, str)}
    return list(found.values()), [arn for arn in outside if arn not in claimed]


def _source_arn(publisher: PolicyResource, topic_arn: Any) -> Any:
    """The ``aws:SourceArn`` of ``publisher``'s request: built from its name in the topic's
    partition, region and account (alarms and rules notify topics of their own region; an alarm's
    ARN is ``...:alarm:<name>``, a rule's ``...:rule/[<bus>/]<name>``), else its own ``arn``."""
    own = keys.read(publisher.props, "arn") if publisher.resource_type != EVENT_TARGET else None
    fields = keys.arn_fields(topic_arn) if isinstance(topic_arn, str) else None
    rule = publisher.resource_type in (EVENT_TARGET, NATIVE_EVENT_RULE)
    if rule:
        name = keys.read(publisher.props, "rule" if publisher.resource_type == EVENT_TARGET else "name")
    else:
        name = keys.read(publisher.props, "name") or keys.read(publisher.props, "alarmName")
    if fields is None or not isinstance(name, str) or not name:
        if isinstance(own, str) and own:
            return own
        pending = topic_arn if isinstance(topic_arn, keys.Unknown) else name
        return pending if isinstance(pending, keys.Unknown) else keys.unknown("the publisher's ARN")
    partition, region, account = fields[1], fields[3], fields[4]
    if rule:
        bus = keys.read(publisher.props, "eventBusName")
        if isinstance(bus, str) and bus.startswith("arn:"):
            bus = bus.rsplit("event-bus/", 1)[-1]  # a bus named by its ARN
        path = f"rule/{bus}/{name}" if isinstance(bus, str) and bus not in ("", "default") else f"rule/{name}"
        return f"arn:{partition}:events:{region}:{account}:{path}"
    return f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"


def _key_values(resource: PolicyResource) -> list[Any]:
    return [keys.read(resource.props, p) for p in ("arn", "keyId", "id")]


def _alias_names(alias: PolicyResource) -> list[Any]:
    return [keys.read(alias.props, "name"), keys.read(alias.props, "aliasName")]


def _keys_of(topic: PolicyResource, stack: StackIndex) -> tuple[list[PolicyResource], Any]:
    """The stack's KMS keys a topic's ``kmsMasterKeyId`` names (directly or through an alias), and
    the value itself (``None``: not encrypted)."""
    value = keys.read(topic.props, "kmsMasterKeyId")
    if value == "":
        value = None
    linked = deps(topic, "kmsMasterKeyId")
    found = [d for d in linked if d.resource_type in KEYS]
    aliases = [d for d in linked if d.resource_type in ALIASES]
    if isinstance(value, str):
        alias_name = value.split(":", 5)[-1] if value.startswith("arn:") and ":alias/" in value else value
        found += [k for k in stack.of_type(KEYS) if value in _key_values(k)]
        aliases += [a for a in stack.of_type(ALIASES) if alias_name in _alias_names(a)]
    for alias in aliases:
        target = keys.read(alias.props, "targetKeyId")
        found += [d for d in deps(alias, "targetKeyId") if d.resource_type in KEYS]
        found += [k for k in stack.of_type(KEYS) if isinstance(target, str) and target in _key_values(k)]
    return list({k.urn: k for k in found}.values()), value


def _key_document(key: PolicyResource, stack: StackIndex) -> Any:
    """The key's policy: the last KeyPolicy of the stack naming it (applied after the key) in its
    Region, else its own ``policy``/``keyPolicy`` (``None``: KMS's default key policy). A key id is
    Region-scoped (a multi-Region key's replicas share their primary's): a KeyPolicy managed in, or
    naming by ARN, another Region names another key; one whose Region is not known yet is undecided."""
    ids = [v for v in _key_values(key) if isinstance(v, str) and v]
    linked = stack.consumers(key, [KEY_POLICY], "keyId")
    named = [stack.having([KEY_POLICY], _key_policy_target, v, besides=linked) for v in dict.fromkeys(ids)]
    policies = stack.in_stack_order(linked, *named)  # the last one the stack applies wins
    placed = [(p, verdict) for p in policies if (verdict := _in_region(key, p)) is not False]
    if placed:
        policy, verdict = placed[-1]
        if isinstance(verdict, keys.Unknown):
            return keys.unknown(
                f"the Region of KeyPolicy {policy.name!r} or of KMS key {key.name!r} (it names the key's id, "
                "which a key of another Region may have too)"
            )
        return keys.parse_policy(keys.read(policy.props, "policy"))
    if not ids and (literal := _unclaimed_key_policy(key, stack)) is not None:
        # A replica key takes its primary's multi-Region key id, which may exist already: while its
        # own id and ARN are not known (preview) a KeyPolicy naming that id may be its policy.
        return keys.unknown(f"the id of KMS key {key.name!r} (a KeyPolicy's keyId is {literal!r})")
    raw = keys.read(key.props, "keyPolicy" if key.resource_type.startswith("aws-native:") else "policy")
    return keys.parse_policy(raw)


def _key_policy_target(policy: PolicyResource) -> list[Any]:
    return [keys.read(policy.props, "keyId")]


def _region(resource: PolicyResource) -> Any:
    """The Region a resource is managed in: its own ``region`` (pulumi-aws 7 takes one per resource),
    else its provider's; :class:`keys.Unknown` while not known (preview); when neither sets one,
    ``("provider", <the provider's URN>)``: that provider's default, the same for all its resources."""
    own = keys.read(resource.props, "region")
    if own not in (None, ""):
        return own
    provider = resource.provider
    region = keys.read(provider.props, "region") if provider is not None else None
    return region if region not in (None, "") else ("provider", provider.urn if provider else None)


def _arn_region(value: Any) -> str | None:
    fields = keys.arn_fields(value) if isinstance(value, str) and value.startswith("arn:") else None
    return fields[3] if fields is not None and fields[3] else None


def _key_region(key: PolicyResource) -> Any:
    """A key's Region: its ARN's once known, else where it is managed (:func:`_region`)."""
    return _arn_region(keys.read(key.props, "arn")) or _region(key)


def _in_region(key: PolicyResource, policy: PolicyResource) -> Any:
    """Whether a KeyPolicy is applied in ``key``'s Region (:func:`_key_region`): the Region it is
    managed in, and the one its ``keyId`` names when an ARN, must both be that one. A KeyPolicy
    managed where the key is, by the default of the key's own provider (neither sets a Region), is in
    it whatever Region the key's ARN names. :class:`keys.Unknown` when one is not known yet, or is a
    provider's default compared with another provider's or a named Region (the default may be that
    Region or not)."""
    where, managed = _key_region(key), _region(key)
    regions = [_region(policy), _arn_region(keys.read(policy.props, "keyId"))]
    verdicts: list[Any] = []
    for region in (r for r in regions if r is not None):
        if isinstance(region, tuple) and region == managed:
            verdicts.append(True)  # one provider's default, the key's too (its ARN says which Region)
        elif isinstance(region, keys.Unknown) or isinstance(where, keys.Unknown):
            verdicts.append(region if isinstance(region, keys.Unknown) else where)
        elif (isinstance(region, str) and isinstance(where, str)) or region == where:
            verdicts.append(region == where)
        else:
            verdicts.append(keys.unknown(f"the Region of KeyPolicy {policy.name!r}"))
    return all3(verdicts)


def _unclaimed_key_policy(key: PolicyResource, stack: StackIndex) -> str | None:
    """The literal ``keyId`` of a KeyPolicy of the stack that may name ``key``, a key whose id and ARN
    are not known yet (created by this update), though it depends on no key and names none of the
    stack's keys whose ids are known (unless it is the replica's primary's); if any.

    KMS generates a new key's id when it creates it, so no literal written before names a key the
    update creates (or replaces): only a replica key, which takes its primary's multi-Region key id
    (``mrk-...``), may already be named by one, and only by that id (its ARN ends ``key/<id>``)."""
    if key.resource_type not in REPLICA_KEYS:
        return None
    primary = keys.read(key.props, "primaryKeyArn")
    primary_id = _key_id_of(primary) if isinstance(primary, str) else None
    known = {v for k in stack.of_type(KEYS) for v in _key_values(k) if isinstance(v, str) and v}
    for policy in stack.of_type([KEY_POLICY]):
        literal = keys.read(policy.props, "keyId")
        if (
            not isinstance(literal, str)
            or not _key_id_of(literal).startswith("mrk-")
            or any(d.resource_type in KEYS for d in deps(policy, "keyId"))
            or _in_region(key, policy) is False  # another Region's key of that id
        ):
            continue
        # The primary's id, the replica's too: named whether or not the primary is a key of the stack
        # (the KeyPolicy's Region says which of them it is). Unknown: any multi-Region id but those
        # keys of the stack already have, since a primary created now has a new one.
        if (_key_id_of(literal) == primary_id) if primary_id is not None else (literal not in known):
            return literal
    return None


def _key_id_of(value: str) -> str:
    """A key's id from its id or ARN (``arn:...:key/<id>``)."""
    return value.split(":key/", 1)[1] if value.startswith("arn:") and ":key/" in value else value


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
        if value is None or (isinstance(value, str) and "alias/aws/" in value):
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
        if value is None or (isinstance(value, str) and "alias/aws/" in value):
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

POLICIES = [
    log_group_retention,
    log_group_kms_encrypted,
    alarm_has_actions,
    alarm_mutes_are_bounded,
    alarm_mutes_are_bounded_together,
    sns_topic_kms_encrypted,
    topic_keys_let_publishers_in,
]
