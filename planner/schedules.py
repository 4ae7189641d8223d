"""Approximate what AWS schedule expressions mean for a monthly bill.

Two questions: how often does a schedule fire in a month (monitoring jobs are billed per run), and
which capacity is in force on average when scheduled scaling actions take turns (an endpoint's
minimum is 3 on weekday business hours and 2 otherwise). Both are answered by walking one
reference year (2025, not a leap year) hour by hour, which is exact for the hourly and daily
cron expressions stacks use and close for the rest. Documented approximations:

* an action or run fires at the start of its hour (minutes are counted, not placed);
* time zones and daylight-saving shifts are ignored: a schedule's hours are its own clock, which
  leaves the fraction of the week it covers unchanged;
* one-time ``at(...)`` actions do not shape the steady state and are ignored.

Expressions follow the EventBridge / Application Auto Scaling / SageMaker format:
``cron(minutes hours day-of-month month day-of-week year)`` (day-of-week 1-7 = SUN-SAT or names)
and ``rate(n unit)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

REFERENCE_YEAR = 2025
HOURS_PER_YEAR = 365 * 24
MONTHS_PER_YEAR = 12
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTHS = {
    name: index
    for index, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
    )
}
_CRON = re.compile(r"^cron\((?P<fields>[^)]+)\)\Z")
_RATE = re.compile(r"^rate\((?P<value>[0-9]+) (?P<unit>minutes?|hours?|days?)\)\Z")
_AT = re.compile(r"^at\([^)]*\)\Z")
_RATE_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


class UnsupportedSchedule(ValueError):
    """An expression these approximations cannot evaluate (L, W, # and the like)."""


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    """None when ``*`` or ``?``: every day of the month."""
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    """Python weekdays (Monday 0); None when ``*`` or ``?``."""

    def fires_on(self, day: date) -> bool:
        return (
            day.month in self.months
            and (self.days_of_month is None or day.day in self.days_of_month)
            and (self.days_of_week is None or day.weekday() in self.days_of_week)
        )


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    found: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, None) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise UnsupportedSchedule(f"'{field}' is outside {low}-{high}")
        # A range may wrap past the field's end (``22-2``, ``FRI-MON``); its step counts across the wrap.
        span = high - low + 1
        found.update(
            low + (value - low) % span for value in range(start, end + 1 + (span if start > end else 0), step)
        )
    return frozenset(found)


def _number(text: str, names: dict[str, int] | None) -> int:
    if names and text.isascii() and text.upper() in names:  # a long s ("\u017fun") upper-cases to "SUN"
        return names[text.upper()]
    if not (text.isascii() and text.isdigit()):  # "²" is a digit to isdigit, not to int
        raise UnsupportedSchedule(f"'{text}' is not supported here")
    return int(text)


@cache
def parse_cron(expression: str) -> Cron:
    match = _CRON.match(expression.strip())
    if match is None:
        raise UnsupportedSchedule(f"'{expression}' is not a cron(...) expression")
    fields = match.group("fields").split()
    if len(fields) != 6:
        raise UnsupportedSchedule(f"'{expression}' needs 6 fields")
    minute, hour, day_of_month, month, day_of_week, _year = fields
    aws_days = None if day_of_week in ("*", "?") else _values(day_of_week, 1, 7, _DAYS)
    return Cron(
        minutes=_values(minute, 0, 59),
        hours=_values(hour, 0, 23),
        days_of_month=None if day_of_month in ("*", "?") else _values(day_of_month, 1, 31),
        months=_values(month, 1, 12, _MONTHS),
        days_of_week=None if aws_days is None else frozenset((day + 5) % 7 for day in aws_days),
    )


@cache
def _firing_hours(cron: Cron) -> tuple[int, ...]:
    """Hours of the reference year (0-based) in which ``cron`` fires (every endpoint of a stack
    usually shares its environment's few schedules)."""
    start = date(REFERENCE_YEAR, 1, 1)
    return tuple(
        offset * 24 + hour
        for offset in range(365)
        if cron.fires_on(start + timedelta(days=offset))
        for hour in sorted(cron.hours)
    )


def is_one_time(expression: str) -> bool:
    return bool(_AT.match(expression.strip()))


@cache
def runs_per_month(expression: str) -> float:
    """Average number of times ``expression`` fires in a month."""
    rate = _RATE.match(expression.strip())
    if rate:
        interval = int(rate.group("value")) * _RATE_MINUTES[rate.group("unit").rstrip("s")]
        if interval == 0:
            raise UnsupportedSchedule(f"'{expression}': a rate of 0 never fires (AWS refuses it)")
        return HOURS_PER_YEAR * 60 / interval / MONTHS_PER_YEAR
    if is_one_time(expression):
        return 0.0
    cron = parse_cron(expression)
    return len(_firing_hours(cron)) * len(cron.minutes) / MONTHS_PER_YEAR


@dataclass(frozen=True)
class ScheduledCapacity:
    """A scheduled scaling action: from when it fires, the capacity bounds it sets."""

    schedule: str
    min_capacity: float | None
    max_capacity: float | None


def average_min_capacity(base_min: float, actions: Sequence[ScheduledCapacity]) -> float:
    """The time-weighted minimum capacity over the reference year, in the weekly steady state.

    Each action sets the minimum until the next action fires; with no recurring action the base
    minimum holds. Actions that do not set a minimum leave the one in force unchanged.
    """
    timeline = _events(actions)  # in firing order: re-sorting would let the larger minimum win a tie
    if not timeline:
        return base_min
    # In the steady state the year starts with whatever the last action of the previous year set.
    current = timeline[-1][1]
    total, cursor = 0.0, 0
    for hour, minimum in timeline:
        total += current * (hour - cursor)
        current, cursor = minimum, hour
    total += current * (HOURS_PER_YEAR - cursor)
    return total / HOURS_PER_YEAR


def _events(actions: Iterable[ScheduledCapacity]) -> list[tuple[int, float]]:
    events: list[tuple[int, int, float]] = []
    for order, action in enumerate(actions):
        if action.min_capacity is None or is_one_time(action.schedule):
            continue
        if _RATE.match(action.schedule.strip()):
            raise UnsupportedSchedule(f"rate() scaling action '{action.schedule}'")
        events += [(hour, order, action.min_capacity) for hour in _firing_hours(parse_cron(action.schedule))]
    # Two actions in the same hour: the one declared later wins, as when they fire minutes apart.
    return [(hour, minimum) for hour, _order, minimum in sorted(events)]
