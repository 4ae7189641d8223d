"""Schedule approximations behind the cost estimate: runs a month and time-weighted minimum capacity."""

from __future__ import annotations

import pytest

from planner.schedules import (
    ScheduledCapacity,
    UnsupportedSchedule,
    average_min_capacity,
    parse_cron,
    runs_per_month,
)

WEEK_HOURS = 7 * 24


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        pytest.param("cron(0 * ? * * *)", 730, id="hourly-is-730-a-month"),
        pytest.param("cron(0 0 ? * * *)", 365 / 12, id="daily"),
        pytest.param("cron(0 3 ? * MON *)", 52 / 12, id="weekly-2025-has-52-mondays"),
        pytest.param("cron(0,30 * ? * * *)", 2 * 730, id="two-minutes-an-hour"),
        pytest.param("cron(0 3 1 * ? *)", 1, id="monthly-on-the-first"),
        pytest.param("rate(6 hours)", 730 / 6, id="rate"),
        pytest.param("at(2026-01-01T00:00:00)", 0, id="one-time-does-not-recur"),
    ],
)
def test_runs_per_month(expression: str, runs: float) -> None:
    assert runs_per_month(expression) == pytest.approx(runs, rel=0.01)


def test_day_of_week_uses_aws_numbering_and_names() -> None:
    by_name = parse_cron("cron(0 7 ? * MON-FRI *)")
    by_number = parse_cron("cron(0 7 ? * 2-6 *)")

    assert by_name.days_of_week == by_number.days_of_week == frozenset(range(5))  # Python: Monday 0
    assert parse_cron("cron(0 7 ? * SUN *)").days_of_week == {6}


@pytest.mark.parametrize(
    ("name", "number", "weekday"),
    [("SUN", 1, 6), ("MON", 2, 0), ("TUE", 3, 1), ("WED", 4, 2), ("THU", 5, 3), ("FRI", 6, 4), ("SAT", 7, 5)],
)
def test_each_day_name_is_its_aws_number_and_is_priced_on_that_day(
    name: str, number: int, weekday: int
) -> None:
    """Every name, not only the ones a stack happens to use: a weekly run on one day fires on the
    days of 2025 that are that day (2025-01-01 was a Wednesday: 53 Wednesdays, 52 of every other)."""
    assert parse_cron(f"cron(0 3 ? * {name} *)").days_of_week == {weekday}
    assert parse_cron(f"cron(0 3 ? * {number} *)").days_of_week == {weekday}
    assert runs_per_month(f"cron(0 3 ? * {name} *)") == pytest.approx((53 if name == "WED" else 52) / 12)


def test_business_hours_scale_up_weighs_in_by_the_hours_it_covers() -> None:
    actions = [
        ScheduledCapacity("cron(0 7 ? * MON-FRI *)", 3, 8),
        ScheduledCapacity("cron(0 20 ? * MON-FRI *)", 2, 8),
    ]

    average = average_min_capacity(2, actions)

    assert average == pytest.approx(2 + 5 * 13 / WEEK_HOURS, abs=0.005)


def test_without_recurring_actions_the_base_minimum_holds() -> None:
    assert average_min_capacity(2, []) == 2
    assert average_min_capacity(2, [ScheduledCapacity("at(2026-01-01T00:00:00)", 5, 5)]) == 2
    assert average_min_capacity(2, [ScheduledCapacity("cron(0 7 ? * MON-FRI *)", None, 4)]) == 2


def test_a_single_recurring_action_holds_all_the_time() -> None:
    assert average_min_capacity(2, [ScheduledCapacity("cron(0 7 ? * MON-FRI *)", 4, 8)]) == pytest.approx(4)


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("cron(0 7 L * ? *)", id="last-day-of-month"),
        pytest.param("cron(0 7 ? * MON#2 *)", id="nth-weekday"),
        pytest.param("cron(0 7 * *)", id="too-few-fields"),
        pytest.param("daily", id="not-an-expression"),
    ],
)
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(UnsupportedSchedule):
        runs_per_month(expression)
