"""The plan shows the stack's budget beside its cost estimate, in text and JSON, and warns when the
estimate's maximum exceeds it (or suggests a limit where the stack sets none)."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from planner.__main__ import main
from planner.budget import budget_check
from planner.cost import estimate_cost
from planner.recorder import ResourceGraph
from planner.report import Plan, to_json
from planner.report_text import render_text
from tests.recorded import recorded_stack


def _text(plan: Plan) -> str:
    out = io.StringIO()
    render_text(plan, Console(file=out, width=400, no_color=True))
    return out.getvalue()


def _plan(graph: ResourceGraph) -> Plan:
    return Plan(graph=graph, cost=estimate_cost(graph))


def _with_budget(write_stack, budget: dict | None) -> ResourceGraph:
    """The dev fixture with ``budget`` (``None``: no budget section). What these tests assert (the
    limit, the margin's suggested limit and the warning, relative to the graph's own estimate) holds
    for any stack that serves, so the cheaper dev stack; and the edit is the one
    tests/components/test_cost_guardrails.py's ``_variant`` makes, written the same way (same base,
    same file name, same bytes), so the documents both files plan (no budget, a budget without a
    limit) are recorded once for the suite (tests/recorded.py)."""

    def edit(platform: dict) -> None:
        if budget is None:
            platform.pop("budget", None)
        else:
            platform["budget"] = budget

    return recorded_stack(str(write_stack("dev", edit)))


def test_the_json_plan_puts_the_budget_beside_the_estimate(stack_graphs: dict[str, ResourceGraph]) -> None:
    plan = _plan(stack_graphs["prod"])
    cost = to_json(plan)["cost"]
    budget = cost["budget"]
    assert budget["monthly_limit"] == 14000.0
    assert budget["estimate_max"] == cost["monthly_max"]
    assert budget["margin_percent"] == 20.0
    assert budget["suggested_limit"] == pytest.approx(-(-cost["monthly_max"] * 1.2 // 1))
    assert budget["exceeded"] is False and budget["warning"] is None


def test_the_text_plan_shows_the_budget_beside_the_estimate(stack_graphs: dict[str, ResourceGraph]) -> None:
    plan = _plan(stack_graphs["prod"])
    text = _text(plan)
    maximum = f"${plan.cost.monthly_max:,.2f}"
    assert f"Budget: $14,000.00/month (budget.monthly_limit_usd) beside the estimate's max {maximum}" in text
    assert "exceeds the budget" not in text


def test_an_estimate_above_the_budget_is_a_warning_in_text_and_json(write_stack) -> None:
    graph = _with_budget(write_stack, {"enabled": True, "monthly_limit_usd": 100, "margin_percent": 10})
    plan = _plan(graph)
    check = budget_check(graph, plan.cost)
    assert check is not None and check.exceeded
    budget = to_json(plan)["cost"]["budget"]
    assert budget["exceeded"] is True
    assert budget["suggested_limit"] == -(-plan.cost.monthly_max * 1.1 // 1)
    assert "exceeds the budget" in budget["warning"] and "$100.00" in budget["warning"]
    text = _text(plan)
    assert "warning: the estimate's maximum" in text
    assert f"${budget['suggested_limit']:,.0f} (the maximum plus the 10% margin)" in text


def test_a_budget_without_a_limit_gets_a_suggested_one(write_stack) -> None:
    graph = _with_budget(write_stack, {"enabled": True})
    plan = _plan(graph)
    budget = to_json(plan)["cost"]["budget"]
    assert budget["monthly_limit"] is None and budget["exceeded"] is False
    assert "monthly_limit_usd is not set" in budget["warning"]
    assert f"${budget['suggested_limit']:,.0f}" in _text(plan)


def test_a_stack_without_a_budget_shows_none(write_stack) -> None:
    graph = _with_budget(write_stack, None)
    plan = _plan(graph)
    assert to_json(plan)["cost"]["budget"] is None
    assert "Budget:" not in _text(plan)


def test_the_cli_json_carries_the_budget(capsys, cached_recordings) -> None:
    """The CLI's own path end to end, on the dev fixture's recording every other reader of that
    file shares (``cached_recordings``)."""
    from tests.conftest import stack_path

    main(["--config", str(stack_path("dev")), "--format", "json"])
    plan = json.loads(capsys.readouterr().out)
    assert plan["cost"]["budget"]["monthly_limit"] == 1000.0
