"""The schedule arithmetic behind ``alarm-mutes-are-bounded`` (``policies/rules/_mute_schedule.py``).

Expected values are worked out by hand from the calendar (2026 starts on a Thursday; Europe/London
springs forward on 2026-03-29 at 01:00 GMT and falls back on 2026-10-25 at 01:00 GMT).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from policies.rules._mute_schedule import (
    HORIZON,
    REFERENCE,
    Cron,
    ScheduleError,
    mute_profile,
    parse_duration,
    parse_expression,
)
from tests.recorded import computed_once

HOUR, DAY = 3600, 86_400
PERIOD = int(HORIZON.total_seconds())


def cron(expression: str) -> Cron:
    parsed = parse_expression(expression)
    assert isinstance(parsed, Cron)
    return parsed


def test_the_period_is_a_fixed_year_and_a_bit_from_the_reference() -> None:
    assert datetime(2026, 1, 1, tzinfo=UTC) == REFERENCE
    assert timedelta(days=382) == HORIZON
    profile = mute_profile("cron(0 0 * * *)", "P1D")
    assert (profile.period, profile.muted, profile.longest) == (PERIOD, PERIOD, PERIOD)
    assert profile.longest_start == REFERENCE and profile.share == 1.0


def test_touching_windows_merge_and_a_one_minute_gap_splits_them() -> None:
    touching = mute_profile("cron(0 0,12 * * *)", "PT12H")
    assert touching.longest == PERIOD
    # Within a day too: each hour's window touches the next one's (one run of 24, not 24 runs).
    hourly = mute_profile("cron(0 * * * *)", "PT1H")
    assert (hourly.longest, hourly.longest_start) == (PERIOD, REFERENCE)
    gapped = mute_profile("cron(0 0,12 * * *)", "PT11H59M")
    assert gapped.longest == 11 * HOUR + 59 * 60
    assert gapped.muted == 2 * 382 * (11 * HOUR + 59 * 60)


def test_weekend_muting_is_judged_40_percent_of_the_worst_30_days_36_of_the_period() -> None:
    profile = mute_profile("cron(0 18 * * FRI)", "P2DT12H")
    # 2026-01-02 is the first Friday; the 55th is 2027-01-15, whose window is cut at 2027-01-18 00:00Z.
    assert profile.longest == 60 * HOUR
    assert profile.muted == 54 * 60 * HOUR + 54 * HOUR
    # What the rule judges: four weekends and two days of a fifth in the worst 30 days (288 of 720 h).
    assert profile.window_share == 288 / 720
    # Not what it judges: the whole period's share, about 36 %.
    assert profile.share == pytest.approx(60 / 168, abs=0.005)


def test_both_day_fields_restricted_fire_on_either() -> None:
    friday_13th = cron("cron(0 0 13 * FRI)")
    assert friday_13th.fires_on(date(2026, 2, 13))  # a Friday the 13th
    assert friday_13th.fires_on(date(2026, 1, 13))  # a Tuesday: the day of month matches
    assert friday_13th.fires_on(date(2026, 1, 2))  # a Friday: the weekday matches
    assert not friday_13th.fires_on(date(2026, 1, 14))
    only_weekday = cron("cron(0 0 ? * FRI)")
    assert only_weekday.fires_on(date(2026, 1, 2)) and not only_weekday.fires_on(date(2026, 1, 13))
    only_date = cron("cron(0 0 13 * ?)")
    assert only_date.fires_on(date(2026, 1, 13)) and not only_date.fires_on(date(2026, 1, 2))
    # A restriction that happens to allow every day still ORs: 1-31 or Monday is every day.
    assert mute_profile("cron(0 0 1-31 * MON)", "P1D").share == 1.0


@pytest.mark.parametrize(
    ("named", "numbered"),
    [
        ("cron(0 0 * jan mon-fri)", "cron(0 0 * 1 1-5)"),
        ("cron(0 0 * Jan-Mar,DEC Sun)", "cron(0 0 * 1-3,12 0)"),
        ("cron(0 0 * * 7)", "cron(0 0 * * 0)"),
        ("cron(0 0 * * SAT-7)", "cron(0 0 * * 0,6)"),
        ("cron(*/15 8-18/2 * * *)", "cron(0,15,30,45 8,10,12,14,16,18 * * *)"),
        ("cron(5/20 * * * *)", "cron(5,25,45 * * * *)"),
        ("CRON(0 0 ? * ?)", "cron(0 0 * * *)"),
    ],
)
def test_names_steps_and_spellings_read_as_their_numbers(named: str, numbered: str) -> None:
    assert parse_expression(named) == parse_expression(numbered)


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 0 * * *",
        "cron(0 0 * *)",
        "cron(0 0 * * * 2026)",
        "cron(0 24 * * *)",
        "cron(0 0 0 * *)",
        "cron(0 0 * 13 *)",
        "cron(0 0 * * 8)",
        "cron(0 0 * * FRI-MON)",
        "cron(0 0 * * L)",
        "cron(0 0 * * 5#3)",
        "cron(*/0 0 * * *)",
        "cron(*-5 0 * * *)",
        "cron(0 0 JAN * *)",
        "rate(1 day)",
        "at(2026-01-01 00:00)",
        "at(2026-13-01T00:00)",
        "",
    ],
)
def test_an_expression_the_pack_cannot_read_raises(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_expression(expression)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("PT1M", timedelta(minutes=1)),
        ("P2DT12H", timedelta(days=2, hours=12)),
        ("P15D", timedelta(days=15)),
        ("P1W", timedelta(days=7)),
        ("pt4h", timedelta(hours=4)),
        ("PT90S", timedelta(seconds=90)),
    ],
)
def test_durations(duration: str, expected: timedelta) -> None:
    assert parse_duration(duration) == expected


@pytest.mark.parametrize("duration", ["P", "PT", "P1M", "P1Y", "PT1.5H", "4h", "P1DT", "-PT1H"])
def test_a_duration_the_pack_cannot_read_raises(duration: str) -> None:
    with pytest.raises(ScheduleError):
        parse_duration(duration)


def test_a_daily_24_hour_mute_in_london_has_one_one_hour_gap_a_year() -> None:
    profile = mute_profile("cron(0 0 * * *)", "PT24H", "Europe/London")
    # 2026-10-25 has 25 hours: its window (from 2026-10-24T23:00Z) ends an hour before the next day's.
    assert profile.muted == PERIOD - HOUR
    assert profile.longest_start == REFERENCE
    assert profile.longest == int((datetime(2026, 10, 25, 23, tzinfo=UTC) - REFERENCE).total_seconds())


def test_the_timezone_moves_the_windows() -> None:
    tokyo = mute_profile("cron(0 9 * * *)", "PT1H", "Asia/Tokyo")
    assert tokyo.longest_start == REFERENCE  # 09:00 JST is 00:00Z
    assert mute_profile("cron(0 9 * * *)", "PT1H").longest_start == datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_a_local_time_that_does_not_exist_fires_with_the_offset_before_the_change() -> None:
    # 01:30 does not exist in London on 2026-03-29; read at GMT it is 01:30Z (02:30 BST).
    profile = mute_profile(
        "cron(30 1 * * *)",
        "PT10M",
        "Europe/London",
        start_date="2026-03-29T00:00:00Z",
        expire_date="2026-03-30T00:00:00Z",
    )
    assert (profile.muted, profile.longest_start) == (600, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))


def test_a_repeated_local_time_fires_once() -> None:
    # 01:30 happens twice in London on 2026-10-25 (BST, then GMT): one window, from 00:30Z.
    profile = mute_profile(
        "cron(30 1 * * *)",
        "PT10M",
        "Europe/London",
        start_date="2026-10-25T00:00:00Z",
        expire_date="2026-10-26T00:00:00Z",
    )
    assert (profile.muted, profile.longest_start) == (600, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))


def test_the_active_period_and_its_edges() -> None:
    # A window that began before startDate counts from startDate (the reading that mutes more).
    # Its 6 hours (06:00-12:00 on the start day) and the last day's 6 (to 06:00) make exactly half.
    started = mute_profile("cron(0 0 * * *)", "PT12H", start_date="2026-02-01T06:00:00Z")
    assert started.period == PERIOD and started.muted == PERIOD // 2
    # A date without an offset is read in the schedule's timezone.
    local = mute_profile(
        "cron(0 0 * * *)",
        "PT1H",
        "Asia/Tokyo",
        start_date="2026-02-01T00:00:00",
        expire_date="2026-02-02T00:00:00",
    )
    assert local.period == DAY and local.longest_start == datetime(2026, 1, 31, 15, tzinfo=UTC)
    # expireDate alone: the year before it (the longest the rule could have run).
    expiring = mute_profile("cron(0 0 * * *)", "P1D", expire_date="2030-06-01T00:00:00Z")
    assert expiring.longest_start == datetime(2030, 6, 1, tzinfo=UTC) - HORIZON and expiring.muted == PERIOD


@pytest.mark.parametrize(
    ("start", "expire", "problem"),
    [
        # expireDate at or before startDate: the rule would never be active; failed, not passed.
        (
            "2026-02-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            "expireDate 2026-01-01T00:00:00+00:00 is not after startDate",
        ),
        ("2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", "is not after startDate"),
        # Dates whose period (or the year before expireDate) leaves datetime's years: no OverflowError.
        ("9999-12-01T00:00:00Z", None, "startDate 9999-12-01T00:00:00+00:00 is outside the years"),
        (None, "0001-06-01T00:00:00Z", "expireDate 0001-06-01T00:00:00+00:00 is outside the years"),
        ("0001-01-01T00:00:00Z", "0001-02-01T00:00:00Z", "startDate 0001-01-01"),
        (None, "9999-12-31T23:59:00Z", "expireDate 9999-12-31"),
    ],
)
def test_a_period_that_cannot_be_simulated_raises(start, expire, problem) -> None:
    with pytest.raises(ScheduleError, match=re.escape(problem)):
        mute_profile("cron(0 0 * * *)", "P1D", start_date=start, expire_date=expire)


@pytest.mark.parametrize(
    ("expression", "zone"),
    [("at(0001-01-01T00:00)", "Asia/Tokyo"), ("at(9999-12-31T23:00)", "America/Los_Angeles")],
)
def test_an_at_time_whose_offset_leaves_the_years_raises(expression: str, zone: str) -> None:
    with pytest.raises(
        ScheduleError, match="outside the years the pack can simulate \\(years 0003 to 9997\\)"
    ):
        mute_profile(expression, "PT1H", zone)


def test_the_dates_at_the_edges_of_the_simulated_years_are_read() -> None:
    early = mute_profile("cron(0 0 * * *)", "PT1H", start_date="0003-01-01T00:00:00Z")
    late = mute_profile("cron(0 0 * * *)", "PT1H", expire_date="9997-12-31T23:59:00Z")
    assert early.longest == late.longest == HOUR


def test_a_yearly_stretch_across_new_year_is_seen_whole() -> None:
    # Dec 20 + P15D reaches Jan 4, overlapping Jan 3's window (to Jan 18): 29 days, seen at the end
    # of the simulated period (2026-12-20 .. 2027-01-18).
    profile = mute_profile("cron(0 0 3,20 1,12 *)", "P15D")
    assert profile.longest == 29 * DAY
    assert profile.longest_start == datetime(2026, 12, 20, tzinfo=UTC)


def test_at_is_one_window_in_its_timezone() -> None:
    profile = mute_profile("at(2026-07-01T12:00)", "P15D", "America/New_York")
    assert profile.one_time and profile.longest == profile.muted == profile.period == 15 * DAY
    assert profile.longest_start == datetime(2026, 7, 1, 16, tzinfo=UTC)


def test_inner_runs_are_counted_without_being_simulated() -> None:
    """Every other minute for a minute: 720 runs a day, 718 of them added up rather than simulated;
    the total must equal what simulating each one gives (half of every day)."""
    profile = mute_profile("cron(*/2 * * * *)", "PT1M")
    assert profile.muted == PERIOD // 2
    assert profile.longest == 60
    # London's 23-hour day has 690 activations, not 720 (01:00-01:59 does not exist: those read as
    # 01:xxZ, the same instants as 02:xx BST); its 25-hour day repeats 01:xx once. 30 minutes less.
    dst = mute_profile("cron(*/2 * * * *)", "PT1M", "Europe/London")
    assert dst.muted == PERIOD // 2 - 30 * 60


def _brute_force(
    expression: str, duration: str, zone_name: str | None, start: str | None, expire: str | None
):
    """Every activation simulated on its own and merged: what :func:`mute_profile` must equal."""
    import numpy as np

    merged, _, _ = _merged(expression, duration, zone_name, start, expire)
    # sum(t - s) and max(t - s, default=0) over the pairs, in numpy's 64-bit integers.
    lengths = np.diff(np.array(merged, dtype=np.int64).reshape(-1, 2), axis=1)
    return int(lengths.sum()), int(lengths.max()) if lengths.size else 0


def _merged(expression: str, duration: str, zone_name: str | None, start: str | None, expire: str | None):
    """Every activation's window, clipped to the period and merged, as one flat array of their
    starts and ends (``_pairs`` reads them as pairs); and the period (``b``, ``e``).

    Simulated once per version of the code and of this module (tests/recorded.py, computed_once):
    every other minute for a year is 280,000 datetimes, and several tests ask for the same schedule.
    Kept as an array of 64-bit integers, which unpickles in a millisecond where 280,000 lists took
    tens. The time zone's data is part of the key: the oracle and the rule must read the same rules."""
    arguments = (expression, duration, zone_name, start, expire)
    return computed_once(
        "merged", lambda: _packed(*_simulate(*arguments)), key=[repr(arguments), _zone_data(zone_name)]
    )


def _packed(merged: list[list[int]], b: int, e: int) -> tuple[array, int, int]:
    return array("q", [edge for window in merged for edge in window]), b, e


def _pairs(flat: array) -> Iterator[tuple[int, int]]:
    """The (start, end) windows of a flat array of :func:`_merged`'s."""
    edges = iter(flat)
    return zip(edges, edges, strict=True)


def _zone_data(zone_name: str | None) -> bytes:
    """The system's file of ``zone_name`` (zoneinfo reads it before the tzdata package, which the
    cache's fingerprint already covers)."""
    import zoneinfo
    from pathlib import Path

    for folder in zoneinfo.TZPATH:
        path = Path(folder) / (zone_name or "UTC")
        if path.is_file():
            return path.read_bytes()
    return b""


def _simulate(expression: str, duration: str, zone_name: str | None, start: str | None, expire: str | None):
    from policies.rules._mute_schedule import parse_date, parse_timezone

    schedule, zone = cron(expression), parse_timezone(zone_name)
    length = int(parse_duration(duration).total_seconds())
    # Without startDate: the year to expireDate, or from the reference instant.
    to_expiry = parse_date(expire, zone) - HORIZON if expire else REFERENCE
    begin = parse_date(start, zone) if start else to_expiry
    end = min(begin + HORIZON, parse_date(expire, zone)) if expire else begin + HORIZON
    b, e = int(begin.timestamp()), int(end.timestamp())
    windows = []
    day = (begin - timedelta(seconds=length) - timedelta(days=1)).astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        if schedule.fires_on(day):
            for hour in schedule.hours:
                for minute in schedule.minutes:
                    at = int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp())
                    windows.append((max(at, b), min(at + length, e)))
        day += timedelta(days=1)
    merged: list[list[int]] = []
    for s, t in sorted(w for w in windows if w[0] < w[1]):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], t)
        else:
            merged.append([s, t])
    return merged, b, e


@pytest.mark.parametrize(
    ("expression", "duration", "zone", "start", "expire"),
    [
        ("cron(0,20,25 9-17 * * MON-FRI)", "PT10M", "Europe/London", None, None),
        ("cron(*/7 */5 1,15 * SUN)", "PT3M", "America/New_York", None, None),
        ("cron(0 1-3 * 3,10 *)", "PT30M", "Europe/London", None, None),
        ("cron(10,50 0,23 * * *)", "PT35M", "Australia/Lord_Howe", "2026-03-01T00:00:00Z", None),
        ("cron(0 0,6,12,18 * * *)", "PT5H", "Asia/Kolkata", "2026-05-01T00:00:00Z", "2026-09-01T00:00:00Z"),
        ("cron(*/3 * * * *)", "PT2M", "Europe/Berlin", "2026-03-20T13:17:00Z", "2026-04-02T00:00:00Z"),
    ],
)
def test_the_shortcut_equals_simulating_every_activation(expression, duration, zone, start, expire) -> None:
    profile = mute_profile(expression, duration, zone, start, expire)
    assert (profile.muted, profile.longest) == _brute_force(expression, duration, zone, start, expire)


# --- the worst window --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "duration", "hours", "start"),
    [
        # AWS's documented examples (API_Schedule) and Pulumi's: the most each mutes in 30 days.
        ("cron(0 23 * * *)", "PT2H", 30 * 2, datetime(2026, 1, 1, tzinfo=UTC)),  # 8.3 %
        ("cron(0 2 * * SUN)", "PT4H", 5 * 4, datetime(2026, 1, 4, 2, tzinfo=UTC)),  # 2.8 %
        ("cron(0 1 1 * *)", "PT6H", 2 * 6, datetime(2026, 2, 1, 1, tzinfo=UTC)),  # 1.7 %: Feb 1, Mar 1
        # Four weekends and two days of a fifth: 4 x 60 h + 48 h = 288 h, 40 % (35.9 % of the year).
        ("cron(0 18 * * FRI)", "P2DT12H", 4 * 60 + 48, datetime(2026, 1, 2, 18, tzinfo=UTC)),
        ("cron(0 0 24 12 *)", "P7D", 7 * 24, datetime(2026, 12, 24, tzinfo=UTC)),  # 23.3 %
        ("cron(0 2 * * *)", "PT4H", 30 * 4, datetime(2026, 1, 1, 2, tzinfo=UTC)),  # 16.7 %
        # The seasonal mute: 23 of every 24 hours in June, 7.5 % of the year, 95.8 % of June.
        ("cron(0 0 * 6 *)", "PT23H", 30 * 23, datetime(2026, 6, 1, tzinfo=UTC)),
    ],
)
def test_the_share_is_the_worst_30_day_window(expression, duration, hours, start) -> None:
    profile = mute_profile(expression, duration)
    assert profile.window == 30 * DAY
    assert (profile.window_muted, profile.window_floor) == (hours * HOUR, hours * HOUR)
    assert profile.window_start == start
    assert profile.window_share == hours / (30 * 24)


def test_a_period_shorter_than_the_window_is_judged_by_how_long_it_mutes() -> None:
    """Ten days muted throughout are 100 % of their period but a third of any 30 days."""
    ten_days = mute_profile(
        "cron(0 0 * * *)", "P1D", start_date="2026-02-01T00:00:00Z", expire_date="2026-02-11T00:00:00Z"
    )
    assert ten_days.share == 1.0 and ten_days.window_muted == 10 * DAY
    assert ten_days.window_share == pytest.approx(1 / 3)
    assert ten_days.window_start == datetime(2026, 2, 1, tzinfo=UTC)
    # The window is named from its first muted hour, even in a short period.
    late = mute_profile(
        "cron(0 12 * * *)", "PT1H", start_date="2026-02-01T00:00:00Z", expire_date="2026-02-03T00:00:00Z"
    )
    assert (late.window_muted, late.window_start) == (2 * HOUR, datetime(2026, 2, 1, 12, tzinfo=UTC))


def test_the_window_length_is_configurable_and_at_is_measured_the_same_way() -> None:
    assert mute_profile("cron(0 0 24 12 *)", "P7D", window_days=7).window_share == 1.0
    assert mute_profile("cron(0 0 24 12 *)", "P7D", window_days=14).window_share == 0.5
    one = mute_profile("at(2026-07-01T12:00)", "P15D", "America/New_York")
    assert (one.window, one.window_muted, one.window_share) == (30 * DAY, 15 * DAY, 0.5)
    assert one.window_start == datetime(2026, 7, 1, 16, tzinfo=UTC)
    assert mute_profile("at(2026-07-01T12:00)", "P15D", window_days=7).window_muted == 7 * DAY


def test_a_window_between_slots_is_bounded_by_half_a_slot() -> None:
    """Every other minute for a minute: any 30 days mute exactly 15 days, but the hour slots cannot
    tell a window starting at a muted minute from one starting at an idle one: the bound is 30
    minutes above (0.07 %), never below."""
    profile = mute_profile("cron(*/2 * * * *)", "PT1M")
    assert profile.window_floor == 15 * DAY
    assert profile.window_muted == 15 * DAY + HOUR // 2


def _muted_within(merged: array, begin: int, end: int) -> int:
    """What the merged windows mute between ``begin`` and ``end``: each window's overlap with them,
    summed (``sum(max(0, min(t, end) - max(s, begin)) for s, t in _pairs(merged))``, in numpy's
    64-bit integers: a window of every other minute for a year is 140,000 pairs)."""
    import numpy as np

    edges = np.array(merged, dtype=np.int64).reshape(-1, 2)
    overlaps = np.minimum(edges[:, 1], end) - np.maximum(edges[:, 0], begin)
    return int(np.maximum(overlaps, 0).sum())


def _exact_worst_window(merged: array, b: int, e: int, window: int) -> int:
    """The most any ``window`` seconds (at any instant, partly outside the period too) mute, from the
    merged windows minute by minute (every edge here falls on a whole minute)."""
    import numpy as np

    assert (e - b) % 60 == 0
    minutes = (e - b) // 60
    edges = np.array(merged, dtype=np.int64).reshape(-1, 2) - b
    assert not (edges % 60).any()
    # The windows are merged (disjoint): +60 from each start's minute, -60 from its end's.
    steps = np.zeros(minutes + 1, dtype=np.int64)
    np.add.at(steps, edges[:, 0] // 60, 60)
    np.add.at(steps, edges[:, 1] // 60, -60)
    muted = np.cumsum(steps[:minutes])
    if e - b <= window:
        return int(muted.sum())
    prefix = np.concatenate(([0], np.cumsum(muted)))
    span = window // 60
    return int((prefix[span:] - prefix[: minutes - span + 1]).max())


@pytest.mark.parametrize(
    ("expression", "duration", "zone", "start", "expire", "days"),
    [
        ("cron(0,20,25 9-17 * * MON-FRI)", "PT10M", "Europe/London", None, None, 30),
        ("cron(*/7 */5 1,15 * SUN)", "PT3M", "America/New_York", None, None, 7),
        ("cron(0 1-3 * 3,10 *)", "PT30M", "Europe/London", None, None, 30),
        ("cron(10,50 0,23 * * *)", "PT35M", "Australia/Lord_Howe", "2026-03-01T00:00:00Z", None, 1),
        (
            "cron(0 0,6,12,18 * * *)",
            "PT5H",
            "Asia/Kolkata",
            "2026-05-01T00:00:00Z",
            "2026-09-01T00:00:00Z",
            30,
        ),
        ("cron(*/3 * * * *)", "PT2M", "Europe/Berlin", "2026-03-20T13:17:00Z", "2026-04-02T00:00:00Z", 7),
        ("cron(*/3 * * * *)", "PT2M", "Europe/Berlin", "2026-03-20T13:17:00Z", "2026-04-02T00:00:00Z", 30),
        ("cron(45 17 * 6 MON-FRI)", "PT14H30M", "America/St_Johns", None, None, 30),
        ("cron(0 0 * 6 *)", "PT23H", "Europe/London", None, None, 30),
        ("cron(0 18 * * FRI)", "P2DT12H", "Asia/Kathmandu", None, "2026-08-01T00:00:00Z", 366),
    ],
)
def test_the_worst_window_bounds_simulating_every_minute(
    expression, duration, zone, start, expire, days
) -> None:
    """The hour-slot share is never below the exact worst window (found minute by minute from every
    activation) and at most half an hour of muting above it; a window on the slot grid is real."""
    profile = mute_profile(expression, duration, zone, start, expire, window_days=days)
    exact = _exact_worst_window(*_merged(expression, duration, zone, start, expire), days * DAY)
    assert profile.window_floor <= exact <= profile.window_muted <= exact + HOUR // 2
    assert (profile.muted, profile.longest) == _brute_force(expression, duration, zone, start, expire)


EXACT_AT_THE_LIMIT = [
    # Half of every day, but off the hour-slot grid: the slot bound is 30 minutes above half.
    ("cron(0 20 * * *)", "PT12H", None, "2026-01-01T00:30:00Z", None),
    ("cron(30 20 * * *)", "PT12H", "UTC", None, None),
    ("cron(0 0 * * *)", "PT12H", "Asia/Kolkata", None, None),
    ("cron(*/2 * * * *)", "PT1M", None, None, None),
    ("cron(*/2 * * * *)", "PT1M", "Europe/London", None, None),
    ("cron(*/2 * * * *)", "PT1M", "Asia/Kathmandu", None, "2026-07-01T00:00:00Z"),
]


@pytest.mark.parametrize(
    ("expression", "duration", "zone", "start", "expire"),
    [
        *EXACT_AT_THE_LIMIT,
        ("cron(0,20,25 9-17 * * MON-FRI)", "PT10M", "Europe/London", None, None),
        ("cron(*/3 * * * *)", "PT2M", "Europe/Berlin", "2026-03-20T13:17:00Z", "2026-05-02T00:00:00Z"),
    ],
)
def test_with_a_limit_between_floor_and_bound_the_worst_window_is_exact(
    expression, duration, zone, start, expire
) -> None:
    """Given a share limit the slot bound exceeds and the floor does not, the worst window is measured
    exactly: what simulating every minute finds, and a window starting where it says mutes that much."""
    merged, b, e = _merged(expression, duration, zone, start, expire)
    exact = _exact_worst_window(merged, b, e, 30 * DAY)
    bounded = mute_profile(expression, duration, zone, start, expire)
    assert bounded.window_floor <= exact < bounded.window_muted
    profile = mute_profile(expression, duration, zone, start, expire, share_limit=exact / (30 * DAY))
    assert profile.window_muted == profile.window_floor == exact
    assert profile.window_start is not None
    at = int(profile.window_start.timestamp())
    assert _muted_within(merged, at, at + 30 * DAY) == exact
    # A limit the floor already exceeds, or the bound does not reach, changes nothing.
    for limit in (bounded.window_floor / (30 * DAY) - 0.01, bounded.window_muted / (30 * DAY)):
        assert mute_profile(expression, duration, zone, start, expire, share_limit=limit) == bounded


@pytest.mark.parametrize(("expression", "duration", "zone", "start", "expire"), EXACT_AT_THE_LIMIT)
def test_half_of_every_day_off_the_grid_is_exactly_half(expression, duration, zone, start, expire) -> None:
    profile = mute_profile(expression, duration, zone, start, expire, share_limit=0.5)
    assert profile.window_share == 0.5


def test_on_whole_hours_the_slot_share_is_exact() -> None:
    """A schedule on whole hours in a whole-hour zone leaves no slot partly muted: no bound needed."""
    for expression, duration, zone in [
        ("cron(0 0 * 6 *)", "PT23H", "Europe/London"),
        ("cron(0 9-17 * * MON-FRI)", "PT1H", "America/New_York"),
        ("cron(0 18 * * FRI)", "P2DT12H", None),
    ]:
        profile = mute_profile(expression, duration, zone)
        exact = _exact_worst_window(*_merged(expression, duration, zone, None, None), 30 * DAY)
        assert profile.window_floor == exact == profile.window_muted, expression
