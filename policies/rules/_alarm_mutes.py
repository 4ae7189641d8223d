"""The alarm mute rules (policies/rules/observability.py): a mute rule, and the mute rules naming
one alarm together, do not silence alarms for long (alarm-mutes-are-bounded,
alarm-mutes-are-bounded-together)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    LOW,
    MANDATORY,
    UndecidedCollector,
    get,
    is_set,
    items,
    number,
    of_type,
    resource_rule,
    shown,
    stack_rule,
    to_plain,
)
from ._observability_types import MUTE_RULE, NATIVE_MUTE_RULE, Check, Findings

if TYPE_CHECKING:
    from . import _mute_schedule as mute


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
