"""The plan's budget check to the cent: which figure it compares, what it reads from the registered
budget and the stack file, and what its warnings name.

Written from a mutation audit of ``planner/budget.py`` (and ``suggested_limit`` in
``components/observability/budget_spec.py``): each case below fails under a mutant that passed every
earlier test (a limit read in whole dollars, a fractional margin replaced by the default, the
warnings no longer naming the stack file's key, a suggestion rounded to the nearest dollar instead
of up). Expected values come from docs/cost.md ("Budgets"): the plan compares the budget's limit with
the estimate's *maximum*, warns when that maximum exceeds it, and suggests the maximum plus
``margin_percent`` (20 % by default) in whole dollars; they are written out here, not computed by
the code under test.
"""

from __future__ import annotations

import pytest

from components.observability.budget_spec import BudgetSpec
from planner.budget import budget_check
from planner.cost import ComponentCost, CostEstimate, CostItem, Unpriced
from tests.planner.test_critical_path import graph, resource

BUDGET = "aws:budgets/budget:Budget"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"


def _cost(monthly_min: float, monthly_max: float, *, unpriced: int = 0) -> CostEstimate:
    return CostEstimate(
        currency="USD",
        region="eu-west-1",
        by_component={
            "serving": ComponentCost(
                ENDPOINT, (CostItem("ep", ENDPOINT, "ml.m5.large x 1-4", monthly_min, monthly_max),)
            )
        },
        unpriced=tuple(Unpriced(f"gpu-{i}", ENDPOINT, "serving", "no price") for i in range(unpriced)),
        assumptions=(),
        price_table_date="2026-01-01",
    )


def _stack(limit_amount: str | None, **budget: object):
    """A stack whose program registered a budget of ``limitAmount`` (None: no budget resource) with
    the stack file's ``budget`` section ``budget`` (enabled unless said otherwise)."""
    section = {"enabled": True, **budget}
    resources = [resource("budget", BUDGET, inputs={"limitAmount": limit_amount, "limitUnit": "USD"})]
    return graph(
        *(resources if limit_amount is not None else []),
        config={"mlops-platform:platform": {"budget": section}},
    )


@pytest.mark.parametrize(
    ("estimate_max", "exceeded"),
    [
        pytest.param(1000.49, False, id="a-cent-below-the-limit-passes"),
        pytest.param(1000.50, False, id="at-the-limit-passes"),
        pytest.param(1000.51, True, id="a-cent-above-the-limit-warns"),
    ],
)
def test_the_limit_is_read_to_the_cent(estimate_max: float, exceeded: bool) -> None:
    check = budget_check(_stack("1000.5", monthly_limit_usd=1000.5), _cost(10.0, estimate_max))
    assert check is not None
    assert check.monthly_limit == 1000.5
    assert check.exceeded is exceeded
    assert (check.warning is not None) is exceeded


def test_the_maximum_not_the_minimum_is_compared_and_reported() -> None:
    # min below the limit, max above it: the warning is about the maximum, naming both figures and the key.
    check = budget_check(_stack("500"), _cost(120.0, 1234.56))
    assert check is not None and check.exceeded
    assert check.estimate_max == 1234.56
    assert check.warning is not None
    assert "the estimate's maximum $1,234.56/month exceeds the budget" in check.warning
    assert "(budget.monthly_limit_usd $500.00)" in check.warning
    # max = 1234.56; x 1.2 = 1481.472, in whole dollars up.
    assert "raise the limit to $1,482 (the maximum plus the 20% margin)" in check.warning


def test_a_fractional_margin_is_used_as_written() -> None:
    # margin 12.5 %: 1000 x 1.125 = 1125 exactly; 1000.01 x 1.125 = 1125.01125, up to 1126.
    assert budget_check(_stack("2000", margin_percent=12.5), _cost(1.0, 1000.0)).suggested_limit == 1125.0
    check = budget_check(_stack("2000", margin_percent=12.5), _cost(1.0, 1000.01))
    assert check.margin_percent == 12.5
    assert check.suggested_limit == 1126.0


def test_the_suggestion_rounds_up_to_whole_dollars() -> None:
    # 100.01 x 1.2 = 120.012: a limit of $120 would already be below the maximum plus margin.
    check = budget_check(_stack(None), _cost(1.0, 100.01))
    assert check is not None and check.monthly_limit is None
    assert check.suggested_limit == 121.0
    assert check.warning == (
        "budget.enabled but budget.monthly_limit_usd is not set, so no budget is created: set it, "
        "e.g. to $121 (the maximum plus the 20% margin)"
    )


def test_an_unpriced_resource_marks_the_compared_maximum_a_lower_bound() -> None:
    check = budget_check(_stack("1000"), _cost(1.0, 900.0, unpriced=1))
    assert check is not None
    assert check.to_json()["estimate_is_lower_bound"] is True
    # Below the limit as far as it is priced: not exceeded (the plan cannot know more), no warning.
    assert check.to_json()["exceeded"] is False and check.warning is None
    # Over it: the suggested limit names the unpriced resource it leaves out.
    over = budget_check(_stack("500"), _cost(1.0, 900.0, unpriced=1))
    assert over.warning.endswith(
        "raise the limit to $1,080 (the maximum plus the 20% margin), more for the 1 unpriced resource "
        "the maximum leaves out, or lower the maximum capacity"
    )


def test_an_estimate_over_the_budget_warns_but_the_plan_exits_clean(
    write_stack, cached_recordings, capsys
) -> None:
    """Over budget is a warning, not a failed plan: the exit status stays 0 (``python -m planner``'s
    exit statuses: 1 is a mandatory policy violation only). The edit is test_budget.py's
    ``test_an_estimate_above_the_budget_is_a_warning_in_text_and_json``'s, so its recording is shared."""
    import json

    from planner.__main__ import main

    def edit(platform: dict) -> None:
        platform["budget"] = {"enabled": True, "monthly_limit_usd": 100, "margin_percent": 10}

    status = main(["--config", str(write_stack("dev", edit)), "--format", "json"])
    plan = json.loads(capsys.readouterr().out)
    assert plan["cost"]["budget"]["exceeded"] is True
    assert status == 0


def test_an_unset_limit_is_warned_about_whatever_the_estimate() -> None:
    # Nothing priced (every resource unpriced, e.g. a region the price table lacks): the stack file
    # still asks for a budget it does not get, and the warning says so.
    check = budget_check(_stack(None), _cost(0.0, 0.0, unpriced=2))
    assert check is not None and check.monthly_limit is None and check.exceeded is False
    assert check.warning is not None
    assert check.warning.startswith(
        "budget.enabled but budget.monthly_limit_usd is not set, so no budget is created"
    )


def test_with_nothing_priced_the_suggestion_is_a_limit_the_stack_file_takes() -> None:
    # Every resource unpriced (a region the price table does not cover): the maximum is $0, and a
    # suggested limit of $0 would be refused by budget.monthly_limit_usd (a limit above 0).
    # The JSON's figure stays one the stack file takes; the warning, read by a person, suggests no
    # figure at all ($1 "plus the margin" of an estimate that priced nothing told them nothing).
    check = budget_check(_stack(None), _cost(0.0, 0.0, unpriced=3))
    assert check is not None
    assert check.suggested_limit == 1.0
    assert check.priced_nothing
    assert check.warning.endswith(
        "e.g. to what you expect the stack to cost a month: there is no estimate (the plan priced none of the "
        "stack's resources: 3 unpriced)"
    )
    assert "$1" not in check.warning
    BudgetSpec(enabled=True, monthly_limit_usd=check.suggested_limit)  # accepted


@pytest.mark.parametrize(
    ("estimate_max", "unpriced", "priced_nothing"),
    [
        pytest.param(0.0, 1, True, id="nothing-priced-one-left-out"),
        pytest.param(0.0, 0, False, id="a-free-stack-priced-whole"),
        pytest.param(0.01, 5, False, id="a-cent-priced"),
    ],
)
def test_only_an_estimate_that_priced_nothing_suggests_no_figure(
    estimate_max: float, unpriced: int, priced_nothing: bool
) -> None:
    check = budget_check(_stack(None), _cost(0.0, estimate_max, unpriced=unpriced))
    assert check is not None and check.priced_nothing is priced_nothing
    assert check.warning is not None
    assert ("e.g. to $1 (the maximum plus the 20% margin)" in check.warning) is not priced_nothing


def _budget_text(monthly_limit: float, estimate_max: float, unpriced: int) -> str:
    import io

    from rich.console import Console

    from planner.budget import BudgetCheck
    from planner.report_text import _render_budget

    out = io.StringIO()
    check = BudgetCheck(
        monthly_limit=monthly_limit, estimate_max=estimate_max, margin_percent=20, unpriced=unpriced
    )
    _render_budget(check, Console(file=out, width=400, no_color=True))
    return out.getvalue()


def test_a_limit_beside_an_estimate_that_priced_nothing_is_compared_with_nothing() -> None:
    # In a region the price table lacks the maximum is $0: "$0.00: 0% of it" read as a measured fit.
    text = _budget_text(500.0, 0.0, 20)
    assert text.strip() == (
        "Budget: $500.00/month (budget.monthly_limit_usd); there is no estimate (the plan priced none of "
        "the stack's resources: 20 unpriced), so nothing is compared with it"
    )
    # One resource left out is said in its number.
    assert "resources: 1 unpriced), so nothing is compared with it" in _budget_text(500.0, 0.0, 1)
    # Anything priced is compared as before, a lower bound where resources are left out.
    assert (
        "$500.00/month (budget.monthly_limit_usd) beside the estimate's max $250.00: 50% of it (a lower bound"
        in (_budget_text(500.0, 250.0, 20))
    )
