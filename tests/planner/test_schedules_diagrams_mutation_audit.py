"""DOCSTRING PLACEHOLDER"""

from __future__ import annotations

import pytest

from planner.arns import Arns
from planner.schedules import UnsupportedSchedule, parse_cron, runs_per_month

ARNS = Arns("eu-west-1", "123456789012")


# -- schedules.py ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("cron(0 9-25 ? * * *)", id="hour-range-past-23"),
        pytest.param("cron(50-75 * ? * * *)", id="minute-range-past-59"),
        pytest.param("cron(0 3 1-32 * ? *)", id="day-range-past-31"),
    ],
)
def test_a_range_ending_outside_its_field_is_refused_not_counted_as_more_runs(expression: str) -> None:
    """Hours 24 and 25 do not exist: counting them would add runs that spill into the next day."""
    with pytest.raises(UnsupportedSchedule):
        runs_per_month(expression)


def test_an_expression_with_a_seventh_field_is_refused_as_unsupported() -> None:
    """The estimate notes an unsupported schedule and goes on; a bare ValueError would end the plan."""
    with pytest.raises(UnsupportedSchedule):
        parse_cron("cron(0 7 ? * MON-FRI 2026 2027)")


def test_a_stepped_day_of_week_range_steps_across_the_wrap() -> None:
    """``FRI-MON/2`` is every other day from Friday: Friday and Sunday (as AWS's Quartz-style cron
    reads a range that wraps), not all four days; 2025 has 52 of each."""
    assert parse_cron("cron(0 3 ? * FRI-MON/2 *)").days_of_week == {4, 6}  # Python: Monday 0
    assert runs_per_month("cron(0 3 ? * FRI-MON/2 *)") == pytest.approx(2 * 52 / 12)
    assert parse_cron("cron(0 3 ? * SAT-TUE/3 *)").days_of_week == {5, 1}
    assert parse_cron("cron(0 3 ? * FRI-MON *)").days_of_week == {4, 5, 6, 0}


# -- arns.py --------------------------------------------------------------------------------------
def test_only_a_rule_carries_its_custom_bus_in_its_arn() -> None:
    """``rule/<bus>/<name>``; an archive or a connection on that bus is ``<kind>/<name>``."""
    assert ARNS.events("rule", "r", bus="ops").endswith(":rule/ops/r")
    assert ARNS.events("archive", "a", bus="ops") == "arn:aws:events:eu-west-1:123456789012:archive/a"
