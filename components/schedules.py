"""Schedule expressions and time zones, checked field by field the way AWS reads them.

Three readers, three dialects:

- EventBridge rules (training schedules) take ``cron(min hour day-of-month month day-of-week year)``
  or ``rate(N unit)`` (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
- Application Auto Scaling scheduled actions take the same ``cron``/``rate`` plus a one-time
  ``at(yyyy-mm-ddThh:mm:ss)``, read in an IANA time zone
  (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html).
- SageMaker Model Monitor takes only hourly or daily cron forms: ``cron(0 * ? * * *)``,
  ``cron(0 H ? * * *)`` and ``cron(0 H/N ? * * *)``
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-schedule-expression.html).

Each function returns why an expression is rejected, or None.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Final

_MONTHS: Final = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS: Final = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
RATE_UNITS: Final = ("minute", "hour", "day")
RATE_MAX: Final = 2**31 - 1
"""Largest ``rate(N unit)`` value taken. AWS documents none (EventBridge rules: "a positive number";
EventBridge Scheduler and Application Auto Scaling: "a positive integer"), so the bound is the
largest signed 32-bit integer: a value beyond it would overflow a signed 32-bit field, should AWS
hold it in one."""
EVENTBRIDGE_MAX_LENGTH: Final = 256
"""Longest ``ScheduleExpression`` EventBridge's PutRule takes (and SageMaker's ScheduleConfig)."""
SCALING_MAX_LENGTH: Final = 1600
"""Longest ``Schedule`` Application Auto Scaling's PutScheduledAction takes."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    """Names standing for ``low``, ``low + 1``... (JAN-DEC, SUN-SAT)."""
    day: bool = False
    """Day-of-month or day-of-week: takes ``?`` (and ``L``)."""


_FIELDS: Final = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31, day=True),
    _Field("month", 1, 12, _MONTHS),
    _Field("day-of-week", 1, 7, _DAYS, day=True),
    _Field("year", 1970, 2199),
)
_RANGE = re.compile(r"^(?P<start>[0-9A-Z]+)(-(?P<end>[0-9A-Z]+))?(/(?P<step>[0-9]+))?\Z")
_RATE = re.compile(r"^rate\((?P<value>[0-9]+) (?P<unit>[a-z]+)\)\Z")
_AT = re.compile(r"^at\((?P<time>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\)\Z")


def _value(text: str, field: _Field) -> int | None:
    if text.isdigit():
        number = int(text)
    elif text in field.names:
        number = field.low + field.names.index(text)
    else:
        return None
    return number if field.low <= number <= field.high else None


def _allowed(field: _Field) -> str:
    names = f" or {field.names[0]}-{field.names[-1]}" if field.names else ""
    return f"{field.low}-{field.high}{names}"


def _field_problem(text: str, field: _Field) -> str | None:
    """Why ``text`` is not a valid cron ``field``: ``*``, ``?``, values, ranges, lists, steps, L, W, #."""
    if text == "?":
        return None if field.day else f"{field.name} '?': only day-of-month or day-of-week take '?'"
    if field.name == "day-of-month" and re.fullmatch(r"L|LW|([1-9]|[12][0-9]|3[01])W", text):
        return None
    if field.name == "day-of-week":
        if re.fullmatch(r"L|[1-7]L|(SUN|MON|TUE|WED|THU|FRI|SAT)L", text):
            return None
        nth = re.fullmatch(r"(?P<day>[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#(?P<n>[1-5])", text)
        if nth:
            return None
    for part in text.split(","):
        if part.startswith("*"):
            match = re.fullmatch(r"\*(/(?P<step>[0-9]+))?", part)
            if match is None:
                return f"{field.name} '{text}': '*' stands alone or as */step"
        else:
            match = _RANGE.match(part)
            if match is None:
                return (
                    f"{field.name} '{text}': use values {_allowed(field)}, ranges a-b, lists a,b, steps a/n"
                )
            start_value = _value(match["start"], field)
            end_value = start_value if match["end"] is None else _value(match["end"], field)
            if start_value is None or end_value is None:
                return f"{field.name} '{text}': values are {_allowed(field)}"
            # Day-of-week ranges may wrap (FRI-MON); every other range runs upwards.
            if start_value > end_value and field.name != "day-of-week":
                return f"{field.name} '{text}': the range {part} runs backwards"
        step = match["step"]
        if step is not None and not 1 <= int(step) <= field.high - field.low + 1:
            return f"{field.name} '{text}': the step {step} is not within 1-{field.high - field.low + 1}"
    return None


def cron_fields_problem(fields: str) -> str | None:
    """Why the inside of ``cron(...)`` is not an EventBridge cron, or None."""
    parts = fields.split(" ")
    if len(parts) != 6 or "" in parts:
        return (
            f"cron takes 6 fields separated by single spaces (minutes hours day-of-month month "
            f"day-of-week year), got {len([p for p in parts if p])}"
        )
    for text, field in zip(parts, _FIELDS, strict=True):
        if not text.isascii():  # a long s ("\u017fun") upper-cases to "SUN", which AWS refuses
            return f"{field.name} '{text}': use ASCII letters, digits and * ? , - / L W # only"
        problem = _field_problem(text.upper() if field.names else text, field)
        if problem:
            return problem
    day_of_month, day_of_week = parts[2], parts[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return (
            f"one of day-of-month ('{day_of_month}') and day-of-week ('{day_of_week}') must be '?' "
            "and the other not: AWS cannot combine them"
        )
    return None


def rate_problem(expression: str) -> str | None:
    """Why ``rate(N unit)`` is not a valid rate, or None: 1 ≤ N ≤ :data:`RATE_MAX`,
    ``minute``/``hour``/``day`` for 1, plural above."""
    match = _RATE.match(expression)
    if match is None:
        return f"'{expression}' is not rate(N unit), e.g. rate(5 minutes) or rate(1 hour)"
    value, unit = int(match["value"]), match["unit"]
    if unit.rstrip("s") not in RATE_UNITS:
        return f"'{expression}': the unit is minute(s), hour(s) or day(s)"
    if value < 1:
        return f"'{expression}': the value must be a positive whole number"
    if value > RATE_MAX:
        return (
            f"'{expression}': {value} is more than {RATE_MAX}, the largest signed 32-bit integer; AWS "
            "documents no upper bound for a rate's value, so one a signed 32-bit field cannot hold is refused"
        )
    expected = unit.rstrip("s") + ("" if value == 1 else "s")
    if unit != expected:
        return f"'{expression}': write rate({value} {expected}) (singular for 1, plural above)"
    return None


def eventbridge_schedule_problem(expression: str, *, one_time: bool = False) -> str | None:
    """Why ``expression`` is not an EventBridge ``cron(...)``/``rate(...)`` (with ``one_time``, also
    Application Auto Scaling's ``at(yyyy-mm-ddThh:mm:ss)``, and its longer limit), or None."""
    limit = SCALING_MAX_LENGTH if one_time else EVENTBRIDGE_MAX_LENGTH
    if len(expression) > limit:
        return f"'{expression}' has {len(expression)} characters; AWS takes at most {limit}"
    if expression.startswith("cron(") and expression.endswith(")"):
        problem = cron_fields_problem(expression[len("cron(") : -1])
        return f"'{expression}': {problem}" if problem else None
    if expression.startswith("rate("):
        return rate_problem(expression)
    if one_time and expression.startswith("at("):
        match = _AT.match(expression)
        if match is None:
            return f"'{expression}' is not at(yyyy-mm-ddThh:mm:ss)"
        try:
            datetime.strptime(match["time"], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return f"'{expression}': {match['time']} is not a date and time"
        return None
    forms = "cron(...), rate(N unit) or at(yyyy-mm-ddThh:mm:ss)" if one_time else "cron(...) or rate(N unit)"
    return f"'{expression}' is not a schedule: use {forms}"


_MONITOR_HOUR = r"(0?[0-9]|1[0-9]|2[0-3])"
_MONITOR_CRON = re.compile(
    rf"^cron\(0 (\*|{_MONITOR_HOUR}|{_MONITOR_HOUR}/(0?[1-9]|1[0-9]|2[0-4])) \? \* \* \*\)\Z"
)


def model_monitor_schedule_problem(expression: str) -> str | None:
    """Why ``expression`` is not a recurring Model Monitor schedule, or None.

    Model Monitor runs at most hourly, on the hour: ``cron(0 * ? * * *)`` (hourly), ``cron(0 H ? * * *)``
    (daily at H UTC) or ``cron(0 H/N ? * * *)`` (every N hours from H), the forms the ScheduleConfig
    API reference lists. ``*/N`` is not among them, so it is refused with the documented ``0/N``.
    ``NOW`` (one run) needs an analysis window the platform does not set, so it is rejected too.
    """
    if _MONITOR_CRON.match(expression):
        return None
    step = re.fullmatch(r"cron\(0 \*/([0-9]+) \? \* \* \*\)", expression)
    if step:
        return f"'{expression}': Model Monitor documents H/N, not */N: use cron(0 0/{step[1]} ? * * *)"
    return (
        f"'{expression}' is not a Model Monitor schedule: use cron(0 * ? * * *) (hourly), "
        "cron(0 H ? * * *) (daily at hour H, 0-23, UTC) or cron(0 H/N ? * * *) (every N hours, 1-24)"
    )


def _monitor_hours_field(expression: str) -> str:
    """The hours field of a Model Monitor schedule (``*``, ``H`` or ``H/N``); ValueError for an
    expression :func:`model_monitor_schedule_problem` refuses."""
    if model_monitor_schedule_problem(expression):
        raise ValueError(f"'{expression}' is not a Model Monitor schedule")
    return expression[len("cron(0 ") : -len(" ? * * *)")]


def schedule_interval_seconds(schedule: str) -> int:
    """Seconds between two runs of a Model Monitor schedule (``cron(0 * ? * * *)`` 3600,
    ``cron(0 H/N ? * * *)`` N hours, ``cron(0 H ? * * *)`` a day): the period of an alarm that takes
    one datapoint per run. An ``H/N`` that runs once a day (``cron(0 20/6 ? * * *)``: H + N is past
    23) is daily: its longest gap, the wrap to the next day's run included, is the interval."""
    hours = monitor_run_hours(schedule)
    gaps = [later - earlier for earlier, later in pairwise(hours)]
    return 3600 * max([*gaps, 24 - hours[-1] + hours[0]])


def monitor_run_hours(expression: str) -> tuple[int, ...]:
    """The UTC hours at which a Model Monitor schedule runs each day: every hour for
    ``cron(0 * ? * * *)``, H for ``cron(0 H ? * * *)``, H, H+N, ... up to 23 for ``cron(0 H/N ? * * *)``.
    ValueError for an expression :func:`model_monitor_schedule_problem` refuses."""
    hours = _monitor_hours_field(expression)
    if hours == "*":
        return tuple(range(24))
    start, _, step = hours.partition("/")
    return tuple(range(int(start), 24, int(step))) if step else (int(start),)


def shortest_gap_seconds(expression: str) -> int:
    """Seconds between the two closest consecutive runs of a Model Monitor schedule, the wrap to the
    next day's first run included: ``cron(0 0/7 ? * * *)`` runs at 0, 7, 14 and 21 UTC, so three
    hours part its 21:00 run from the next 0:00 one. A monitoring job may not run longer
    (MonitoringStoppingCondition: MaxRuntimeInSeconds "cannot exceed the frequency of the job")."""
    hours = monitor_run_hours(expression)
    gaps = [later - earlier for earlier, later in pairwise(hours)]
    return 3600 * min([*gaps, 24 - hours[-1] + hours[0]])


MONITORING_MAX_RUNTIME_SECONDS: Final = 86_400
"""MonitoringStoppingCondition.MaxRuntimeInSeconds' ceiling (a day: a daily schedule's runs)."""


HOURLY_MAX_RUNTIME: Final = {
    "DataQuality": 3600,
    "ModelExplainability": 3600,
    "ModelQuality": 1800,
    "ModelBias": 1800,
}
"""The longest a job of an hourly Model Monitor schedule may run, by monitoring type
(MonitoringStoppingCondition.MaxRuntimeInSeconds in the SageMaker API)."""


@cache
def time_zones() -> frozenset[str]:
    """IANA time-zone names: the list of the ``tzdata`` package (a dependency), the same on every
    machine. The system's database (``zoneinfo.available_timezones``) holds whatever its folder
    does besides, such as Debian's ``localtime`` (a link to the machine's own zone), which no AWS
    service knows: a stack file naming it planned on one machine and was refused on another. That
    database is read only where the package is missing, less ``localtime``. Neither holds
    ``Factory``, tzdata's placeholder for a zone not yet set (offset 0, abbreviation ``-00``):
    Application Auto Scaling takes "the canonical names of the IANA time zones supported by
    Joda-Time", whose build compiles tzdata's regional files, ``etcetera`` and ``backward`` but not
    ``factory``."""
    try:
        listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    except (ModuleNotFoundError, OSError):
        listed = [zone for zone in zoneinfo.available_timezones() if zone != "localtime"]
    return frozenset(listed) - {FACTORY_ZONE}


FACTORY_ZONE: Final = "Factory"
"""tzdata's zone for a machine whose zone is not yet set, which no AWS scheduler knows."""


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone, or None."""
    zones = time_zones()
    if not zones:
        return "no IANA time-zone database on this machine: install the tzdata package"
    if name == FACTORY_ZONE:
        return (
            f"'{name}' is tzdata's placeholder for a zone not yet set, which AWS does not take: name the "
            "zone the schedule keeps (e.g. UTC, Europe/Berlin, America/New_York)"
        )
    if name not in zones:
        close = sorted(zone for zone in zones if zone.lower() == name.lower())
        hint = f"; did you mean {close[0]}?" if close else " (e.g. UTC, Europe/Berlin, America/New_York)"
        return f"'{name}' is not an IANA time zone{hint}"
    return None
