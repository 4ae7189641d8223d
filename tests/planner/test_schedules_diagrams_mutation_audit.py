"""DOCSTRING PLACEHOLDER"""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.arns import Arns
from planner.diagram import component_edges, render_mermaid, top_level_components
from planner.report import Plan, to_json
from planner.schedules import UnsupportedSchedule, parse_cron, runs_per_month
from tests.planner.test_critical_path import component, graph, resource

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


# -- diagram.py -----------------------------------------------------------------------------------
def test_a_cloud_resource_directly_under_the_stack_is_no_node_and_draws_no_edge() -> None:
    """Nodes are components: a bucket registered at the stack's root belongs to none, so the key it
    reads from ``left`` draws no edge, and it is not drawn as a component of its own."""
    left = component("left")
    key = resource("key", "test:k:Key", parent=left)
    bare = resource("bare", "aws:s3/bucket:Bucket", data=[key])
    recorded = graph(left, key, bare)

    assert bare.urn not in top_level_components(recorded)
    assert component_edges(recorded) == set()
    assert "bare" not in render_mermaid(recorded)


def test_a_type_token_not_of_three_parts_is_grouped_under_other() -> None:
    """``<pkg>:<area>:<Name>`` names the area; a token of another shape names no area."""
    text = render_mermaid(graph(component("odd", "mlops:serving:Endpoint:v2")))

    assert "subgraph area_other[other]" in text and "area_serving" not in text
    assert "<small>mlops:serving:Endpoint:v2</small>" in text


# -- report.py ------------------------------------------------------------------------------------
def test_the_json_summary_counts_components_protection_and_undecided_checks() -> None:
    """``components`` leaves the stack out; ``protected`` is ``protect`` (not ``retain_on_delete``);
    ``undecided_checks`` counts checks, not the policies that have them."""
    left = component("left")
    inner = component("inner", parent=left)
    kept = replace(resource("kept", "aws:s3/bucket:Bucket", parent=left), protect=True)
    retained = [
        replace(resource(name, "aws:s3/bucket:Bucket", parent=inner), retain_on_delete=True)
        for name in ("logs", "archive")
    ]
    plan = Plan(graph=graph(left, inner, kept, *retained), undecided={"p1": 3, "p2": 0, "p3": 1})

    summary = to_json(plan)["summary"]

    assert summary["components"] == 2
    assert summary["resources"] == 3
    assert summary["protected"] == 1
    assert summary["undecided_checks"] == 4


def test_each_resource_in_the_json_carries_its_own_protect_and_retain_on_delete() -> None:
    """A reviewer reads these to know what `pulumi destroy` keeps: the two flags are not one."""
    kept = replace(resource("kept", "aws:s3/bucket:Bucket"), protect=True)
    retained = replace(resource("retained", "aws:s3/bucket:Bucket"), retain_on_delete=True)

    by_name = {entry["name"]: entry for entry in to_json(Plan(graph=graph(kept, retained)))["resources"]}

    assert (by_name["kept"]["protect"], by_name["kept"]["retain_on_delete"]) == (True, False)
    assert (by_name["retained"]["protect"], by_name["retained"]["retain_on_delete"]) == (False, True)
