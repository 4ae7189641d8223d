"""What schedule expressions and the deploy-time estimate mean, pinned where a mutation audit found
no test holding them: firing hours and counts over the reference year, AWS's documented field and
length bounds, and Pulumi's waiting rules for ancestors, nested components and the stack itself.

AWS facts: EventBridge cron fields (minutes 0-59, hours 0-23, day-of-month 1-31 with W, month 1-12,
day-of-week 1-7 = SUN-SAT, year 1970-2199) from the EventBridge user guide; the 256 / 1600
character limits from botocore's ``events`` ScheduleExpression and ``application-autoscaling``
ResourceIdMaxLen1600 shapes; Model Monitor's ``cron(0 [00-23]/[01-24] ? * * *)`` from SageMaker's
ScheduleConfig.
"""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from components.observability.monitoring_spec import MonitoringSpec
from components.schedules import (
    EVENTBRIDGE_MAX_LENGTH,
    SCALING_MAX_LENGTH,
    eventbridge_schedule_problem,
    schedule_interval_seconds,
)
from planner.critical_path import WaitGraph, critical_path
from planner.schedules import (
    HOURS_PER_YEAR,
    ScheduledCapacity,
    UnsupportedSchedule,
    average_min_capacity,
    parse_cron,
    runs_per_month,
)
from tests.planner.test_critical_path import STACK_URN, TIMES, component, graph, resource

# --- planner/schedules: how often a schedule fires --------------------------------------------


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        pytest.param("rate(1 hour)", 8760 / 12, id="hourly-rate-is-730-a-month-in-a-365-day-year"),
        pytest.param("rate(30 minutes)", 2 * 8760 / 12, id="minutes-are-minutes"),
        pytest.param("rate(1 day)", 365 / 12, id="a-day-is-1440-minutes"),
        pytest.param("rate(2 days)", 365 / 24, id="plural-days"),
        pytest.param("cron(0 0 ? * * *)", 365 / 12, id="daily-counts-december-31"),
        pytest.param("cron(0 3 31 * ? *)", 7 / 12, id="the-31st-exists-in-seven-months"),
        pytest.param(
            "cron(5/15 * ? * * *)", 4 * 8760 / 12, id="a-step-from-a-value-runs-to-the-end-of-the-field"
        ),
        pytest.param("cron(0 0/6 ? * * *)", 4 * 365 / 12, id="every-six-hours-from-midnight"),
        pytest.param("cron(0 3 1 JAN-JUN ? *)", 6 / 12, id="only-the-months-named"),
        pytest.param("cron(0 8 ? * FRI-MON *)", 4 * 52 / 12, id="a-day-of-week-range-wraps-over-the-weekend"),
    ],
)
def test_runs_a_month_are_exact_for_the_reference_year(expression: str, runs: float) -> None:
    assert HOURS_PER_YEAR == 8760, "2025 is not a leap year"
    assert runs_per_month(expression) == pytest.approx(runs)


def test_a_wrapping_day_of_week_range_names_the_days_it_crosses() -> None:
    # Python weekdays: Monday 0 ... Sunday 6.
    assert parse_cron("cron(0 8 ? * FRI-MON *)").days_of_week == {4, 5, 6, 0}
    assert parse_cron("cron(0 8 ? * 6-2 *)").days_of_week == {4, 5, 6, 0}


def test_lower_case_names_that_validation_accepts_are_priced_like_upper_case() -> None:
    lower, upper = "cron(0 7 ? jan-jun mon-fri *)", "cron(0 7 ? JAN-JUN MON-FRI *)"

    assert eventbridge_schedule_problem(lower) is None
    assert runs_per_month(lower) == runs_per_month(upper) > 0


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("cron(0/0 * ? * * *)", id="a-zero-step"),
        pytest.param("rate(5 minutes) please", id="text-after-a-rate"),
        pytest.param("rate(0 minutes)", id="a-zero-rate"),
        pytest.param("cron(0/x * ? * * *)", id="a-step-that-is-no-number"),
        pytest.param("cron(0 0/1.5 ? * * *)", id="a-fractional-step"),
        pytest.param("cron(0/\u00b2 * ? * * *)", id="a-superscript-step"),
        pytest.param("cron(\u00b2 * ? * * *)", id="a-superscript-minute"),
        pytest.param("cron(0 0 ? * \u017fun *)", id="a-day-name-upper-casing-to-ascii"),
        pytest.param("rate(00 hours)", id="a-zero-rate-written-with-two-digits"),
    ],
)
def test_expressions_outside_the_grammar_are_unsupported_not_crashes(expression: str) -> None:
    """Pricing catches UnsupportedSchedule; any other error would abort the whole plan."""
    with pytest.raises(UnsupportedSchedule):
        runs_per_month(expression)


# --- planner/schedules: which minimum capacity is in force ------------------------------------


def test_business_hours_weigh_in_by_the_exact_weekday_hours_of_2025() -> None:
    """3 from 07:00 to 20:00 on the 261 weekdays of 2025, 2 otherwise."""
    actions = [
        ScheduledCapacity("cron(0 7 ? * MON-FRI *)", 3, 8),
        ScheduledCapacity("cron(0 20 ? * MON-FRI *)", 2, 8),
    ]

    assert average_min_capacity(2, actions) == pytest.approx(2 + 261 * 13 / 8760)


def test_the_last_action_of_the_year_is_in_force_on_january_first() -> None:
    """Daytime 06:00-22:00 at 4, the night at 1: the small hours of 1 January belong to the night."""
    actions = [
        ScheduledCapacity("cron(0 6 * * ? *)", 4, None),
        ScheduledCapacity("cron(0 22 * * ? *)", 1, None),
    ]

    assert average_min_capacity(9, actions) == pytest.approx((16 * 4 + 8 * 1) / 24)


@pytest.mark.parametrize(("first", "second"), [(5, 1), (1, 5)])
def test_of_two_actions_in_the_same_hour_the_one_declared_later_wins(first: int, second: int) -> None:
    actions = [
        ScheduledCapacity("cron(0 6 * * ? *)", first, None),
        ScheduledCapacity("cron(0 6 * * ? *)", second, None),
    ]

    assert average_min_capacity(9, actions) == pytest.approx(second)


# --- components/schedules: AWS's documented bounds --------------------------------------------


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        pytest.param("cron(0 23 ? * * *)", None, id="hour-23"),
        pytest.param("cron(0 24 ? * * *)", "hours '24'", id="no-hour-24"),
        pytest.param("cron(0 8 31 * ? *)", None, id="day-31"),
        pytest.param("cron(0 8 0 * ? *)", "day-of-month '0'", id="no-day-0"),
        pytest.param("cron(0 8 1W * ? *)", None, id="weekday-nearest-the-1st"),
        pytest.param("cron(0 8 31W * ? *)", None, id="weekday-nearest-the-31st"),
        pytest.param("cron(0 8 0W * ? *)", "day-of-month '0W'", id="no-weekday-nearest-day-0"),
        pytest.param("cron(0 8 ? * 7 *)", None, id="day-of-week-7-is-saturday"),
        pytest.param("cron(0 8 ? * 1 *)", None, id="day-of-week-1-is-sunday"),
        pytest.param("cron(0 8 ? * 0 *)", "day-of-week '0'", id="no-day-of-week-0"),
        pytest.param("cron(0 8 ? * SUN-SAT *)", None, id="sun-to-sat"),
        pytest.param("cron(0 8 ? * 6L *)", None, id="last-friday"),
        pytest.param("cron(0 8 ? * 0L *)", "day-of-week '0L'", id="no-last-day-0"),
        pytest.param("cron(0 ? * * ? *)", "hours '?'", id="only-day-fields-take-a-question-mark"),
        pytest.param("cron(0 8 ? * * 1970)", None, id="year-1970"),
        pytest.param("cron(0 8 ? * * 2199)", None, id="year-2199"),
        pytest.param("cron(0 8 ? * * 2200)", "year '2200'", id="no-year-2200"),
        pytest.param("cron(0 8 ? * * 1969)", "year '1969'", id="no-year-1969"),
        pytest.param("cron(0 8 ? * * 2026 ", "not a schedule", id="no-closing-parenthesis"),
    ],
)
def test_eventbridge_cron_bounds_are_the_documented_ones(expression: str, problem: str | None) -> None:
    found = eventbridge_schedule_problem(expression)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def _cron_of_length(length: int) -> str:
    """A valid cron listing minute 0 again and again until the expression has ``length`` characters."""
    tail = " 8 ? * * *)"
    minutes = ("0," * length)[: length - len("cron(") - len(tail)]
    minutes = minutes.rstrip(",") + "0" * (minutes.endswith(","))
    expression = f"cron({minutes}{tail}"
    assert len(expression) == length
    return expression


def test_a_scaling_schedule_has_application_auto_scalings_1600_characters_not_eventbridges_256() -> None:
    assert (EVENTBRIDGE_MAX_LENGTH, SCALING_MAX_LENGTH) == (256, 1600)

    assert eventbridge_schedule_problem(_cron_of_length(257), one_time=True) is None
    assert eventbridge_schedule_problem(_cron_of_length(1600), one_time=True) is None
    assert "at most 1600" in (eventbridge_schedule_problem(_cron_of_length(1601), one_time=True) or "")
    assert "at most 256" in (eventbridge_schedule_problem(_cron_of_length(257)) or "")


@pytest.mark.parametrize(
    ("schedule", "hours"),
    [
        pytest.param("cron(0 * ? * * *)", 1, id="hourly"),
        pytest.param("cron(0 5 ? * * *)", 24, id="daily"),
        pytest.param("cron(0 0/6 ? * * *)", 6, id="every-6-hours"),
        pytest.param("cron(0 0/7 ? * * *)", 7, id="every-7-hours-with-a-3-hour-wrap"),
        pytest.param("cron(0 20/6 ? * * *)", 24, id="from-20-every-6-hours-is-once-a-day"),
        pytest.param("cron(0 12/13 ? * * *)", 24, id="from-12-every-13-hours-is-once-a-day"),
        pytest.param("cron(0 0/24 ? * * *)", 24, id="every-24-hours"),
    ],
)
def test_a_monitor_alarm_period_is_the_time_between_two_runs(schedule: str, hours: int) -> None:
    """One datapoint per run: a period shorter than the real gap leaves periods without data."""
    assert schedule_interval_seconds(schedule) == hours * 3600


@pytest.mark.parametrize(("seconds", "valid"), [(3600, True), (3601, False)])
def test_an_hourly_data_quality_job_may_run_a_whole_hour(seconds: int, valid: bool) -> None:
    """MonitoringStoppingCondition: up to 3600 s for data quality on an hourly schedule (1800 s is
    model quality's and bias's limit)."""

    def spec() -> MonitoringSpec:
        return MonitoringSpec(enabled=True, schedule="cron(0 * ? * * *)", max_runtime_seconds=seconds)

    if valid:
        assert spec().max_runtime_seconds == 3600
    else:
        with pytest.raises(ValidationError, match="DataQuality jobs may run at most 3600 s"):
            spec()


# --- planner/critical_path: who waits for whom ------------------------------------------------


def test_a_dependency_on_the_stack_itself_waits_for_nothing() -> None:
    """The stack is every resource's root: treating it as a component would make all wait for all."""
    slow = resource("slow", "test:slow:Slow")
    fast = resource("fast", "test:fast:Fast")
    stack_dependent = dataclasses.replace(fast, dependencies=(STACK_URN,))

    waits = WaitGraph(graph(slow, stack_dependent))

    assert waits.waits_on[stack_dependent.urn] == frozenset()
    assert critical_path(graph(slow, stack_dependent), TIMES).estimated_seconds == 100


def test_a_child_inherits_what_its_grandparent_component_waits_for() -> None:
    key = resource("key", "test:slow:Slow")
    outer = component("outer", depends_on=[key])
    inner = component("inner", parent=outer)
    child = resource("child", "test:fast:Fast", parent=inner)

    assert WaitGraph(graph(key, outer, inner, child)).waits_on[child.urn] == {key.urn}
    assert critical_path(graph(key, outer, inner, child), TIMES).chain == ["key", "child"]


def test_a_dependency_on_a_grandparent_does_not_make_a_resource_wait_for_its_cousins() -> None:
    owner = component("owner")
    cousin = resource("cousin", "test:slow:Slow", parent=owner)
    inner = component("inner", parent=owner)
    child = resource("child", "test:fast:Fast", parent=inner, depends_on=[owner])

    assert WaitGraph(graph(owner, cousin, inner, child)).waits_on[child.urn] == frozenset()


def test_a_resource_waits_for_what_its_explicit_provider_waits_for() -> None:
    """A Kubernetes provider built from a cluster's kubeconfig: its resources wait for the cluster."""
    cluster = resource("cluster", "test:slow:Slow")
    kubernetes = resource("k8s", "pulumi:providers:kubernetes", data=[cluster])
    deployment = dataclasses.replace(
        resource("app", "test:fast:Fast"), provider=f"{kubernetes.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    )

    assert WaitGraph(graph(cluster, kubernetes, deployment)).waits_on[deployment.urn] == {kubernetes.urn}
    path = critical_path(graph(cluster, kubernetes, deployment), TIMES)
    assert path.estimated_seconds == 100 + 0 + 10
    assert path.chain == ["cluster", "k8s", "app"]


def test_the_chain_does_not_start_with_resources_that_take_no_time() -> None:
    aws = resource("aws", "pulumi:providers:aws")
    bucket = dataclasses.replace(resource("bucket", "test:slow:Slow"), provider=f"{aws.urn}::provider-id")

    path = critical_path(graph(aws, bucket), TIMES)

    assert WaitGraph(graph(aws, bucket)).waits_on[bucket.urn] == {aws.urn}
    assert path.chain == ["bucket"] and path.estimated_seconds == 100


def test_the_json_reports_both_totals_in_seconds_and_closure_is_transitive() -> None:
    key = resource("key", "test:fast:Fast")
    slow = resource("slow", "test:slow:Slow", data=[key])
    beside = resource("beside", "test:fast:Fast")
    last = resource("last", "test:fast:Fast", data=[slow])
    plan = graph(key, slow, beside, last)

    shape = critical_path(plan, TIMES).to_json()

    assert (shape["estimated_seconds"], shape["serial_seconds"]) == (120, 130)
    assert WaitGraph(plan).closure(last.urn) == {key.urn, slow.urn}


def test_a_component_depending_on_the_stack_makes_its_children_wait_for_nothing() -> None:
    slow = resource("slow", "test:slow:Slow")
    owner = dataclasses.replace(component("owner"), dependencies=(STACK_URN,))
    child = resource("child", "test:fast:Fast", parent=owner)

    assert WaitGraph(graph(slow, owner, child)).waits_on[child.urn] == frozenset()


def test_a_resource_never_waits_for_itself_when_its_component_depends_on_an_ancestor() -> None:
    """``inner`` depends on its own parent ``outer``, which stands for all of outer's descendants,
    ``child`` among them: the estimate must still be computable (no self-loop, no cycle error)."""
    outer = component("outer")
    inner = component("inner", parent=outer, depends_on=[outer])
    child = resource("child", "test:fast:Fast", parent=inner)

    assert child.urn not in WaitGraph(graph(outer, inner, child)).waits_on[child.urn]
    assert critical_path(graph(outer, inner, child), TIMES).estimated_seconds == 10


def test_ties_are_broken_by_urn_not_by_registration_or_set_order() -> None:
    """Equally slow resources: the chain names the first by URN, whatever order they registered in."""
    ends = [resource(f"end{i}", "test:slow:Slow") for i in (3, 1, 2, 0)]
    assert critical_path(graph(*ends), TIMES).chain == ["end0"]

    starts = [resource(f"p{i}", "test:slow:Slow") for i in reversed(range(10))]
    last = resource("last", "test:fast:Fast", data=starts)
    assert critical_path(graph(*starts, last), TIMES).chain == ["p0", "last"]


def test_a_resource_whose_parent_was_not_recorded_waits_only_for_what_it_consumes() -> None:
    """A graph holding part of a program (a parent outside it): found by a mutation audit of
    planner/critical_path.py (the parent and ancestor walks' guards read as ``and``/``or``, which
    crash on the missing parent)."""
    key = resource("key", "test:slow:Slow")
    absent = component("absent")  # not in the graph
    child = resource("child", "test:fast:Fast", parent=absent, data=[key])
    plan = graph(key, child)

    assert WaitGraph(plan).waits_on[child.urn] == {key.urn}
    path = critical_path(plan, TIMES)
    assert (path.estimated_seconds, path.chain) == (110, ["key", "child"])
