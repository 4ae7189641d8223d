"""When a CloudWatch alarm mute rule silences its alarms: the schedule arithmetic of ``alarm-mutes-are-bounded``.

A mute rule (PutAlarmMuteRule, ``AWS::CloudWatch::AlarmMuteRule``) has a schedule: an expression
(``cron(Minutes Hours Day-of-month Month Day-of-week)`` for recurring mutes, ``at(yyyy-MM-ddThh:mm)``
for one), an ISO 8601 ``duration`` that starts at each activation, an optional IANA ``timezone``
(UTC by default) and an optional active period (``startDate`` .. ``expireDate``). :func:`mute_profile`
simulates the mute windows over that period and measures them: the longest continuous muted stretch
and the largest muted share of any window of ``window_days`` days (30 by default) inside it.

How the schedule is read, and why (policies/README.md says the same):

* **Both day fields restricted** (``cron(0 0 1 * MON)``): standard (Vixie) cron fires on a day
  matching *either* field; read that way it mutes more than the AND reading, so it is the reading a
  governance rule must assume. A day field counts as unrestricted only when it is ``*`` or ``?``.
* ``?`` is read as ``*`` (EventBridge's "any" spelling).
* ``/`` steps are not in AWS's documentation for mute rules; standard step syntax (``*/15``,
  ``8-18/2``, ``5/10``) is accepted and expanded as cron does, so a rule that AWS does accept is
  judged on what it means rather than rejected.
* Month and day names (``JAN``..``DEC``, ``SUN``..``SAT``) are case-insensitive; day-of-week ``7`` is
  Sunday, like ``0``. Ranges do not wrap (``FRI-MON`` is an error: write ``FRI-SAT,SUN-MON``).
* Anything else the pack cannot read (six fields, a name in the wrong field, an out-of-range value,
  a duration in months or years, an unknown timezone, a malformed date) raises :class:`ScheduleError`:
  the rule fails closed. AWS rejects most of these itself.
* Durations are elapsed time (``P1D`` is 24 hours), so a DST day of 23 hours makes a daily ``P1D``
  mute overlap and a day of 25 hours leaves a one-hour gap. An activation in a local time that does
  not exist (spring forward) fires at that wall time read with the offset before the change (PEP 495,
  ``fold=0``); one in a repeated hour fires once, at its first occurrence.
* Windows that overlap or touch merge: a gap of zero leaves the alarm muted.
* The period is ``startDate`` (a window that began before it counts from it: the reading that mutes
  more) to ``expireDate``, capped at :data:`HORIZON` (366 days plus the longest single duration and a
  day, so a yearly activation and a stretch across the turn of the year are both seen whole). Without
  ``startDate`` the period starts at the fixed :data:`REFERENCE` instant, or ends at ``expireDate``
  (the longest the rule could have run before it expires): no result depends on the wall clock.
* A date without a UTC offset is read in the schedule's timezone (aws-native documents the dates
  "with the same timezone offset as ScheduleTimezone").
* The share is the worst window's, not the whole period's: a schedule that mutes most of one month
  and nothing else (23 hours a day in June) is as silent that month as one that does so all year. A
  window lies anywhere, partly outside the period too (time outside it is not muted), so a period
  shorter than the window is judged by how long it mutes, not by its own length: ten days muted
  throughout are a third of 30 days. ``at()`` is one window, measured the same way.
* The share is measured on a grid of hour slots (:data:`SLOT`) from the period's start: a window at
  any instant covers two partial slots and whole ones between, so the share judged is an upper bound
  (never below the exact worst window's) at most half an hour of muting above it (0.07 % of a 30-day
  window, 2.1 % of a 1-day one). It is exact when the two partial slots are each muted throughout or
  not at all (a schedule on whole hours in a zone with whole-hour offsets, a period starting on the
  hour), and when the period is no longer than the window. Given the share limit, a bound above it
  whose floor (the best window on the grid) is not is replaced by the exact worst window
  (:func:`_exact_window`), so the verdict at the limit is exact.

Cost: each call walks the days of the period once (about 400). The times of day a cron fires are
merged into runs once per call; on a day with one UTC offset only the day's first and last runs can
meet another day's windows (an inner run is separated from its neighbours by a gap longer than the
duration), so inner runs are added up without being simulated; their seconds per hour slot are spread
once per offset of local midnight from the slot grid (one offset for zones with whole-hour offsets)
and added to every such day. DST days and the days at the period's edges are simulated activation by
activation; the merged windows are spread over the slots they cover, and one pass over the slots
(about 9,200) finds the worst window. ``cron(* * * * *)`` costs about as much as ``cron(0 2 * * *)``:
about 15 ms for ``cron(*/2 * * * *)`` with ``PT1M`` in Europe/London, about 45 ms when it is measured
exactly (each slot's muted pieces are listed and each distinct pair of slot contents is worked out
once). :func:`mute_windows` lists every window instead (about 0.3 s for that schedule); only rules
that share an alarm need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Where a period without ``startDate`` (and without ``expireDate``) starts. Fixed, so a verdict never
#: depends on the day the pack runs.
REFERENCE = datetime(2026, 1, 1, tzinfo=UTC)
#: AWS's ceiling for one mute's duration (PT1M..P15D).
LONGEST_DURATION = timedelta(days=15)
#: How much of an active period is simulated: a year (366 days, so a leap year's yearly activation is
#: seen) plus one longest mute and a day, so a stretch that spans the turn of the year is seen whole.
HORIZON = timedelta(days=366) + LONGEST_DURATION + timedelta(days=1)
#: The window the muted share is judged over by default (``shareWindowDays``), in days.
WINDOW_DAYS = 30
#: The grid the share is measured on: slots of an hour from the period's start. The share judged is
#: never below the exact worst window's and at most half a slot of muting above it.
SLOT = 3600

_DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
DAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}


class ScheduleError(ValueError):
    """A schedule value the pack cannot read; the message names the value and what is expected."""


# --- reading the schedule ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cron:
    """A parsed ``cron()``: the values each field allows (``None``: a day field left at ``*``/``?``)."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: frozenset[int] | None
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # 0 = Sunday

    def fires_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_date, by_weekday = self.days_of_month, self.days_of_week
        if by_date is None and by_weekday is None:
            return True
        # Both restricted: either matches (Vixie cron), the reading that mutes more.
        return (by_date is not None and day.day in by_date) or (
            by_weekday is not None and day.isoweekday() % 7 in by_weekday
        )


_ITEM = re.compile(r"(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:/([0-9]+))?")
_CRON = re.compile(r"\s*cron\((.*)\)\s*", re.IGNORECASE | re.DOTALL)
_AT = re.compile(r"\s*at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})\)\s*", re.IGNORECASE)
_FIELDS = (
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 0, 7, DAYS),
)


def _value(text: str, label: str, low: int, high: int, names: dict[str, int] | None) -> int:
    if text.isdigit():
        number = int(text)
    elif names is not None and text.upper() in names:
        number = names[text.upper()]
    else:
        spelled = (
            f" or {min(names, key=names.__getitem__)}-{max(names, key=names.__getitem__)}" if names else ""
        )
        raise ScheduleError(f"the {label} field has {text!r}: use {low}-{high}{spelled}")
    if not low <= number <= high:
        raise ScheduleError(f"the {label} field has {number}, outside {low}-{high}")
    return number


def _field(text: str, label: str, low: int, high: int, names: dict[str, int] | None) -> frozenset[int] | None:
    """The values a field allows; ``None`` for a bare ``*`` or ``?``."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            raise ScheduleError(
                f"the {label} field has {item!r}: use values, ranges (a-b), lists (a,b) or steps (*/n)"
            )
        first, last, step = match.groups()
        if first in ("*", "?"):
            if last is not None:
                raise ScheduleError(f"the {label} field has {item!r}: a range cannot start at {first}")
            lo, hi = low, high
        else:
            lo = _value(first, label, low, high, names)
            hi = _value(last, label, low, high, names) if last is not None else (high if step else lo)
        if lo > hi:
            raise ScheduleError(f"the {label} field has {item!r}: ranges do not wrap, split it into two")
        stride = int(step) if step is not None else 1
        if stride == 0:
            raise ScheduleError(f"the {label} field has {item!r}: a step must be at least 1")
        values.update(range(lo, hi + 1, stride))
    return frozenset(values)


@cache
def parse_expression(expression: str) -> Cron | datetime:
    """A :class:`Cron`, or the naive local time of an ``at()``."""
    at = _AT.fullmatch(expression)
    if at is not None:
        try:
            year, month, day, hour, minute = (int(part) for part in at.groups())
            when = datetime(year, month, day, hour, minute)
        except ValueError as error:
            raise ScheduleError(f"{expression!r} is not a valid at(yyyy-MM-ddThh:mm) time: {error}") from None
        if (
            not EARLIEST_DATE.year <= year < LATEST_DATE.year
        ):  # a time zone's offset must not leave datetime's range
            raise ScheduleError(f"{expression!r} is outside the years the pack can simulate ({_YEARS})")
        return when
    cron = _CRON.fullmatch(expression)
    if cron is None:
        raise ScheduleError(
            f"{expression!r} is neither cron(Minutes Hours Day-of-month Month Day-of-week) nor at(yyyy-MM-ddThh:mm)"
        )
    fields = cron.group(1).split()
    if len(fields) != len(_FIELDS):
        raise ScheduleError(
            f"{expression!r} has {len(fields)} fields: mute rules take 5 (Minutes Hours Day-of-month Month Day-of-week)"
        )
    minutes, hours, by_date, months, by_weekday = (
        _field(text, *spec) for text, spec in zip(fields, _FIELDS, strict=True)
    )
    return Cron(
        minutes=tuple(sorted(minutes if minutes is not None else range(60))),
        hours=tuple(sorted(hours if hours is not None else range(24))),
        days_of_month=by_date,
        months=months if months is not None else frozenset(range(1, 13)),
        days_of_week=None if by_weekday is None else frozenset(day % 7 for day in by_weekday),
    )


_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?",
    re.IGNORECASE,
)


@cache
def parse_duration(duration: str) -> timedelta:
    """An ISO 8601 duration in weeks, days, hours, minutes and seconds (``P2DT12H``)."""
    match = _DURATION.fullmatch(duration.strip())
    if match is None or not any(match.groups()):
        raise ScheduleError(
            f"{duration!r} is not an ISO 8601 duration in days, hours and minutes (PT1M to P15D, e.g. PT4H or P2DT12H)"
        )
    parts = {key: int(value) for key, value in match.groupdict().items() if value is not None}
    return timedelta(**parts)


@cache
def parse_timezone(name: str | None) -> tzinfo:
    if name is None or name == "" or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"{name!r} is not an IANA timezone name (e.g. Europe/London)") from None


def parse_date(text: str, zone: tzinfo) -> datetime:
    """An RFC 3339 date; without an offset it is read in the schedule's timezone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"{text!r} is not an RFC 3339 date (e.g. 2026-12-31T23:59:00Z)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


# --- measuring the windows ---------------------------------------------------------------------


@dataclass(frozen=True)
class MuteProfile:
    """What a schedule mutes over the period simulated (seconds, and where the longest stretch starts),
    and the most it mutes in any window of ``window`` seconds (see :func:`_window_share`)."""

    period: int
    muted: int
    longest: int
    longest_start: datetime | None
    one_time: bool
    #: The window's length; ``window_muted`` is never below the muted time of the worst window and at
    #: most ``SLOT // 2`` above it; ``window_floor`` is the muted time of a real window (never above it).
    window: int = 0
    window_muted: int = 0
    window_floor: int = 0
    window_start: datetime | None = None

    @property
    def share(self) -> float:
        """The muted share of the whole period (not what the rule judges: see :attr:`window_share`)."""
        return self.muted / self.period if self.period > 0 else 0.0

    @property
    def window_share(self) -> float:
        return self.window_muted / self.window if self.window > 0 else 0.0


@dataclass(frozen=True)
class Schedule:
    """A mute rule's schedule, read: what :func:`read_schedule` returns and :func:`schedule_profile` measures."""

    expression: Cron | datetime  # a naive local time for at()
    duration: timedelta
    zone: tzinfo
    start: datetime | None = None
    expire: datetime | None = None


def read_schedule(
    expression: str,
    duration: str,
    timezone: str | None = None,
    start_date: str | None = None,
    expire_date: str | None = None,
) -> Schedule:
    """The schedule's values parsed; raises :class:`ScheduleError`. The dates are not read for at()."""
    parsed, length, zone = parse_expression(expression), parse_duration(duration), parse_timezone(timezone)
    dated = isinstance(parsed, Cron)
    return Schedule(
        parsed,
        length,
        zone,
        parse_date(start_date, zone) if start_date and dated else None,
        parse_date(expire_date, zone) if expire_date and dated else None,
    )


def mute_profile(
    expression: str,
    duration: str,
    timezone: str | None = None,
    start_date: str | None = None,
    expire_date: str | None = None,
    window_days: int = WINDOW_DAYS,
    share_limit: float | None = None,
) -> MuteProfile:
    """:func:`schedule_profile` of the schedule these values spell; raises :class:`ScheduleError`."""
    return schedule_profile(
        read_schedule(expression, duration, timezone, start_date, expire_date), window_days, share_limit
    )


def schedule_profile(
    schedule: Schedule, window_days: int = WINDOW_DAYS, share_limit: float | None = None
) -> MuteProfile:
    """Simulate the schedule's mute windows over its active period; raises :class:`ScheduleError`.

    With ``share_limit``, a worst window whose hour-slot upper bound is above the limit but whose floor
    is not is measured exactly (see :func:`_exact_window`): the verdict at the limit is exact."""
    length = int(schedule.duration.total_seconds())
    zone = schedule.zone
    window = window_days * _DAY
    if isinstance(schedule.expression, datetime):
        # One window. AWS rejects startDate/expireDate with at(), so they are not read.
        when = schedule.expression.replace(tzinfo=zone).astimezone(UTC)
        start = when if length else None
        worst = min(length, window)
        return MuteProfile(length, length, length, start, True, window, worst, worst, start)
    begin, end = _period(schedule.start, schedule.expire)
    return _simulate(schedule.expression, length, zone, begin, end, window, share_limit)


#: The dates a period may start or end at: far enough inside ``datetime``'s years 1..9999 that the
#: period, the day before it and the year before an ``expireDate`` can be computed.
EARLIEST_DATE = datetime(3, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(9998, 1, 1, tzinfo=UTC)
_YEARS = f"years {EARLIEST_DATE.year:04d} to {LATEST_DATE.year - 1:04d}"


def _period(start: datetime | None, expire: datetime | None) -> tuple[int, int]:
    """The active period simulated, in seconds since the epoch; raises :class:`ScheduleError` for a
    date outside :data:`EARLIEST_DATE` .. :data:`LATEST_DATE` or an ``expireDate`` not after
    ``startDate``."""
    for key, value in (("startDate", start), ("expireDate", expire)):
        if value is not None and not EARLIEST_DATE <= value < LATEST_DATE:
            raise ScheduleError(
                f"{key} {value.isoformat()} is outside the years the pack can simulate ({_YEARS})"
            )
    if start is not None and expire is not None and expire <= start:
        # The rule would never mute (AWS documents no such period and may reject it): either way the
        # dates are not what the author meant (swapped? a typo in the year?), and a rule that cannot
        # be read is failed, not passed as harmless.
        raise ScheduleError(
            f"expireDate {expire.isoformat()} is not after startDate {start.isoformat()}: the rule "
            "would never be active"
        )
    if start is not None:
        begin = start
    elif expire is not None:
        begin = expire - HORIZON
    else:
        begin = REFERENCE
    end = begin + HORIZON if expire is None else min(begin + HORIZON, expire)
    return int(begin.timestamp()), int(end.timestamp())


def _runs(cron: Cron, length: int) -> list[tuple[int, int]]:
    """The times of day (seconds after local midnight) the cron fires, merged into runs: ``(first, last)``
    activations of each sequence whose windows overlap or touch."""
    runs: list[tuple[int, int]] = []
    for hour in cron.hours:
        for minute in cron.minutes:
            at = hour * 3600 + minute * 60
            if runs and at - runs[-1][1] <= length:
                runs[-1] = (runs[-1][0], at)
            else:
                runs.append((at, at))
    return runs


def _spread(slots: list[int], start: int, stop: int) -> None:
    """Add the seconds ``start`` .. ``stop`` (from the grid's origin) to the slots they fall in."""
    index = start // SLOT
    while start < stop:
        edge = min((index + 1) * SLOT, stop)
        slots[index] += edge - start
        start = edge
        index += 1


def _window_share(slots: list[int], muted: int, period: int, window: int) -> tuple[int, int, int]:
    """The most any ``window`` seconds mute: ``(upper, floor, slot)``, ``slot`` where ``upper`` starts.

    A window at any instant covers part of one slot, ``window // SLOT - 1`` whole ones and part of the
    slot ``window // SLOT`` after the first; its two parts add up to one slot's length, so it mutes at
    most the whole slots plus ``min(SLOT, first + last)``: ``upper``, never below the worst window.
    The windows that start on a slot boundary are real: ``floor``, the best of them, is never above
    it. Their difference, ``min(SLOT - larger, smaller)`` of the two partial slots, is at most
    ``SLOT // 2``. A period no longer than the window fits in one: the window mutes what it does
    (time outside the period is not muted), exactly.
    """
    if period <= window:
        upper = floor = muted
        at, aligned = 0, True
    else:
        count = window // SLOT
        middle = sum(slots[1:count])
        upper = floor = -1
        at, aligned = 0, False
        for index in range(len(slots) - count):  # ``slots`` ends with an empty slot past the period
            first, last = slots[index], slots[index + count]
            value = middle + min(SLOT, first + last)
            if value > upper:
                upper, aligned = value, value in (middle + first, middle + last)
                at = index if middle + first == value else index + 1 if middle + last == value else index
            floor = max(floor, middle + first, middle + last)
            middle += last - slots[index + 1]
    if aligned and upper > 0:
        # Of the equally bad windows, name the first that starts muted (not an idle month before a
        # muted week): moving a worst window past an idle slot cannot lose muting.
        while not slots[at]:
            at += 1
    return upper, floor, at


def _firing_days(
    cron: Cron, zone: tzinfo, begin: int, end: int, length: int
) -> Iterator[tuple[date, int | None]]:
    """The days ``cron`` fires on whose windows can reach ``begin`` .. ``end`` (from the day before the
    earliest activation that can), each with its local midnight in seconds since the epoch when the
    day has one UTC offset, None when a DST change falls inside it (see :func:`_dst_windows`)."""
    day = datetime.fromtimestamp(begin - length - _DAY, zone).date()
    last_day = datetime.fromtimestamp(end, zone).date()
    while day <= last_day:
        if cron.fires_on(day):
            offset = datetime(day.year, day.month, day.day, tzinfo=zone).utcoffset()
            steady = offset == datetime(day.year, day.month, day.day, 23, 59, tzinfo=zone).utcoffset()
            local = (day.toordinal() - _EPOCH_ORDINAL) * _DAY
            yield day, (local - int(offset.total_seconds() if offset else 0)) if steady else None
        day += timedelta(days=1)


def _dst_windows(day: date, times: list[int], zone: tzinfo, length: int) -> Iterator[tuple[int, int]]:
    """The windows of a day with a DST change: every activation at its own offset."""
    for at in times:
        start = int(
            datetime(day.year, day.month, day.day, at // 3600, at % 3600 // 60, tzinfo=zone).timestamp()
        )
        yield start, start + length


def _simulate(
    cron: Cron, length: int, zone: tzinfo, begin: int, end: int, window: int, share_limit: float | None = None
) -> MuteProfile:
    period = max(0, end - begin)
    if period == 0 or length == 0:
        return MuteProfile(period, 0, 0, None, False, window, 0, 0, None)
    runs = _runs(cron, length)
    inner = runs[1:-1]
    inner_muted = sum(last - first + length for first, last in inner)
    inner_longest = max((last - first + length for first, last in inner), default=0)
    inner_first = max(inner, key=lambda run: run[1] - run[0])[0] if inner else 0
    times = [hour * 3600 + minute * 60 for hour in cron.hours for minute in cron.minutes]
    # Seconds muted per slot of the grid from ``begin``, plus an empty slot past the period's end.
    slots = [0] * (-(-period // SLOT) + 1)
    # The inner runs of a steady day, spread over the slots from the one their local midnight falls
    # in: they sit ``shift`` seconds into it, the same on every day with the same UTC offset.
    patterns: dict[int, list[tuple[int, int]]] = {}
    #: ``(first_slot, shift)`` of every day whose inner runs were added by pattern (for the exact window).
    pattern_days: list[tuple[int, int]] = []

    windows: list[tuple[int, int]] = []
    muted = longest = 0
    longest_at = 0
    for day, base in _firing_days(cron, zone, begin, end, length):
        if base is None:
            windows.extend(_dst_windows(day, times, zone, length))
        elif base - _DAY < begin or base + _DAY + length > end:
            # A day at the period's edges: every run, so that clipping sees them.
            windows.extend((base + first, base + last + length) for first, last in runs)
        else:
            windows.append((base + runs[0][0], base + runs[0][1] + length))
            if len(runs) > 1:
                windows.append((base + runs[-1][0], base + runs[-1][1] + length))
            muted += inner_muted
            if inner_longest > longest:
                longest, longest_at = inner_longest, base + inner_first
            if inner:
                # Inner runs end before the day does, which ends within the period: in range.
                first_slot, shift = divmod(base - begin, SLOT)
                pattern_days.append((first_slot, shift))
                pattern = patterns.get(shift)
                if pattern is None:
                    spread = [0] * ((_DAY + shift) // SLOT + 1)
                    for first, last in inner:
                        _spread(spread, first + shift, last + length + shift)
                    pattern = patterns[shift] = [(i, seconds) for i, seconds in enumerate(spread) if seconds]
                for i, seconds in pattern:
                    slots[first_slot + i] += seconds

    merged = _merge(windows, begin, end)
    for start, stop in merged:
        muted += stop - start
        if stop - start > longest:
            longest, longest_at = stop - start, start
        _spread(slots, start - begin, stop - begin)
    upper, floor, slot = _window_share(slots, muted, period, window)
    window_at = begin + slot * SLOT
    if share_limit is not None and floor <= share_limit * window < upper:
        pieces: list[list[tuple[int, int]]] = [[] for _ in slots]
        shapes: dict[int, list[tuple[int, list[tuple[int, int]]]]] = {}
        for first_slot, shift in pattern_days:
            shape = shapes.get(shift)
            if shape is None:
                cut: list[list[tuple[int, int]]] = [[] for _ in range((_DAY + shift) // SLOT + 1)]
                for first, last in inner:
                    _cut(cut, first + shift, last + length + shift)
                shape = shapes[shift] = [(i, part) for i, part in enumerate(cut) if part]
            for i, part in shape:
                pieces[first_slot + i].extend(part)
        for start, stop in merged:
            _cut(pieces, start - begin, stop - begin)
        upper, seconds = _exact_window(slots, pieces, window // SLOT)
        floor, window_at = upper, begin + seconds
    return MuteProfile(
        period,
        muted,
        longest,
        datetime.fromtimestamp(longest_at, UTC) if longest else None,
        False,
        window,
        upper,
        floor,
        datetime.fromtimestamp(window_at, UTC) if upper else None,
    )


def _cut(pieces: list[list[tuple[int, int]]], start: int, stop: int) -> None:
    """Add ``start`` .. ``stop`` (from the grid's origin) to the slots it falls in, as ``(from, to)``
    seconds into each slot."""
    index = start // SLOT
    while start < stop:
        edge = min((index + 1) * SLOT, stop)
        pieces[index].append((start - index * SLOT, edge - index * SLOT))
        start = edge
        index += 1


def _exact_window(slots: list[int], pieces: list[list[tuple[int, int]]], count: int) -> tuple[int, int]:
    """The most any window of ``count`` slots mutes, exactly, and where it starts (seconds from the
    grid's origin): ``(muted, start)``. ``pieces`` are each slot's muted ``(from, to)`` seconds.

    A window starting ``x`` seconds into slot ``i`` mutes the whole slots between (``middle``), slot
    ``i`` from ``x`` and slot ``i + count`` up to ``x``. As ``x`` grows that loses where slot ``i`` is
    muted and gains where slot ``i + count`` is, so the best ``x`` is 0, a start in slot ``i`` or an end
    in slot ``i + count``: the windows starting at a muted interval's start or ending at one's end.
    Only slots whose bound ``middle + min(SLOT, first + last)`` is above the best window found so far
    can hold a worse one; the pairs of slot contents met again (a daily pattern) are
    worked out once. The period is longer than the window (else the slot share is exact)."""
    best, best_at = -1, 0
    middle = sum(slots[1:count])
    contents: dict[tuple[tuple[int, int], ...], int] = {}
    kinds = [contents.setdefault(tuple(sorted(part)), len(contents)) for part in pieces]
    shapes = list(contents)
    known: dict[tuple[int, int], tuple[int, int]] = {}
    for index in range(len(slots) - count):
        first, last = slots[index], slots[index + count]
        if middle + min(SLOT, first + last) > best:
            key = (kinds[index], kinds[index + count])
            found = known.get(key)
            if found is None:
                head, tail = shapes[key[0]], shapes[key[1]]
                found = (-1, 0)
                for x in sorted({0, *(a for a, _ in head), *(b for _, b in tail)}):
                    value = sum(b - max(a, x) for a, b in head if b > x) + sum(
                        min(b, x) - a for a, b in tail if a < x
                    )
                    if value > found[0]:
                        found = (value, x)
                known[key] = found
            if middle + found[0] > best:
                best, best_at = middle + found[0], index * SLOT + found[1]
        middle += last - slots[index + 1]
    return best, best_at


def _merge(windows: list[tuple[int, int]], begin: int, end: int) -> list[tuple[int, int]]:
    """``windows`` clipped to ``begin`` .. ``end``, sorted, those that overlap or touch merged."""
    windows.sort()
    merged: list[tuple[int, int]] = []
    for start, stop in windows:
        start, stop = max(start, begin), min(stop, end)
        if start >= stop:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


# --- several rules muting one alarm --------------------------------------------------------------


@dataclass(frozen=True)
class MuteWindows:
    """A schedule's mute windows over its active period, merged (seconds since the epoch)."""

    begin: int
    end: int
    intervals: tuple[tuple[int, int], ...]


def mute_windows(read: Schedule) -> MuteWindows:
    """Every mute window of the schedule over the period :func:`schedule_profile` simulates (read the same
    way), activation by activation rather than by its shortcuts; raises :class:`ScheduleError`."""
    schedule, zone = read.expression, read.zone
    length = int(read.duration.total_seconds())
    if isinstance(schedule, datetime):
        when = int(schedule.replace(tzinfo=zone).timestamp())
        return MuteWindows(when, when + length, ((when, when + length),) if length else ())
    begin, end = _period(read.start, read.expire)
    if length == 0 or end <= begin:
        return MuteWindows(begin, end, ())
    runs = _runs(schedule, length)
    times = [hour * 3600 + minute * 60 for hour in schedule.hours for minute in schedule.minutes]
    windows: list[tuple[int, int]] = []
    for day, base in _firing_days(schedule, zone, begin, end, length):
        if base is None:
            windows.extend(_dst_windows(day, times, zone, length))
        else:
            windows.extend((base + first, base + last + length) for first, last in runs)
    return MuteWindows(begin, end, tuple(_merge(windows, begin, end)))


def union_profile(
    schedules: list[MuteWindows], window_days: int = WINDOW_DAYS, share_limit: float | None = None
) -> MuteProfile:
    """What several schedules muting one alarm mute together, measured as :func:`mute_profile`
    measures one: the longest stretch of their merged windows and the worst window of ``window_days``
    (on hour slots, the same upper bound and floor). Time outside every schedule's period is not
    muted. Stretches of windows more than a window apart are measured apart, so periods years apart
    cost no more than adjacent ones. ``share_limit`` as for :func:`mute_profile`. ``period`` is the
    time from the first period's start to the last one's end; ``one_time`` is unused (False)."""
    window = window_days * _DAY
    begin = min((s.begin for s in schedules), default=0)
    end = max((s.end for s in schedules), default=0)
    merged = _merge([interval for s in schedules for interval in s.intervals], begin, end)
    muted = sum(stop - start for start, stop in merged)
    longest, longest_at = 0, 0
    for start, stop in merged:
        if stop - start > longest:
            longest, longest_at = stop - start, start
    upper = floor = 0
    upper_at: int | None = None
    first = 0
    for index in range(1, len(merged) + 1):
        # A cluster ends where the next window starts a whole window (or more) after it ends.
        if index < len(merged) and merged[index][0] - merged[index - 1][1] < window:
            continue
        cluster = merged[first:index]
        origin, period = cluster[0][0], cluster[-1][1] - cluster[0][0]
        slots = [0] * (-(-period // SLOT) + 1)
        for start, stop in cluster:
            _spread(slots, start - origin, stop - origin)
        cluster_muted = sum(stop - start for start, stop in cluster)
        high, low, slot = _window_share(slots, cluster_muted, period, window)
        at = origin + slot * SLOT
        if share_limit is not None and low <= share_limit * window < high:
            pieces: list[list[tuple[int, int]]] = [[] for _ in slots]
            for start, stop in cluster:
                _cut(pieces, start - origin, stop - origin)
            high, seconds = _exact_window(slots, pieces, window // SLOT)
            low, at = high, origin + seconds
        floor = max(floor, low)
        if high > upper:
            upper, upper_at = high, at
        first = index
    return MuteProfile(
        end - begin,
        muted,
        longest,
        datetime.fromtimestamp(longest_at, UTC) if longest else None,
        False,
        window,
        upper,
        floor,
        datetime.fromtimestamp(upper_at, UTC) if upper_at is not None else None,
    )
