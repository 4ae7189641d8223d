"""The text plan's budget check and the pull request's summary decide "no estimate" one way.

The budget check called a $0 maximum with resources unpriced "priced nothing"; the summary called a
region the price table lacks "no estimate" (and showed a bold "0.00 to 0.00" where the table has the
region but priced nothing). Both now ask :func:`planner.pricing.no_estimate`, and say the reason
that is true: the region missing from ``planner/data/prices.json``, or nothing priced. Each case
renders both outputs from the same plan (its estimate, its budget, its JSON round-tripped as the
summary reads it).
"""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from delivery.plan_summary import summarize
from planner.cost import ComponentCost, CostEstimate, CostItem, Unpriced
from planner.pricing import NoEstimate, no_estimate
from planner.report import Plan, to_json
from planner.report_text import render_text
from tests.planner.test_critical_path import graph, resource

BUDGET = "aws:budgets/budget:Budget"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
MISSING_REGION = "eu-central-1"  # no prices in planner/data/prices.json (tests/delivery/test_plan_summary.py)
PRICED_REGION = "eu-west-1"


def _plan(region: str, monthly_max: float, unpriced: int) -> Plan:
    """A plan whose program registered a $500 budget and whose estimate in ``region`` has the
    maximum ``monthly_max`` and ``unpriced`` resources left out of its totals."""
    stack = graph(
        resource("budget", BUDGET, inputs={"limitAmount": "500", "limitUnit": "USD"}),
        config={"mlops-platform:platform": {"budget": {"enabled": True, "monthly_limit_usd": 500}}},
    )
    cost = CostEstimate(
        currency="USD",
        region=region,
        by_component={
            "serving": ComponentCost(
                ENDPOINT, (CostItem("ep", ENDPOINT, "ml.m5.large x 1", 0.0, monthly_max),)
            )
        },
        unpriced=tuple(Unpriced(f"gpu-{i}", ENDPOINT, "serving", "no price") for i in range(unpriced)),
        assumptions=(),
        price_table_date="2026-01-01",
    )
    return Plan(stack, (), policies_evaluated=1, cost=cost)


def _outputs(plan: Plan) -> tuple[str, str]:
    """The text plan and the pull request's summary of ``plan``."""
    out = io.StringIO()
    render_text(plan, Console(file=out, width=400, no_color=True))
    summary_json = json.loads(json.dumps(to_json(plan), default=str))
    return out.getvalue(), summarize("variant", summary_json, "", 0)


CASES = {
    # The table lacks the region: $0 with resources unpriced, and $0 with none to price there.
    "region-missing-resources-unpriced": (
        MISSING_REGION,
        0.0,
        3,
        f"planner/data/prices.json has no prices for {MISSING_REGION}",
    ),
    "region-missing-nothing-left-out": (
        MISSING_REGION,
        0.0,
        0,
        f"planner/data/prices.json has no prices for {MISSING_REGION}",
    ),
    # The table has the region, but every resource was left out.
    "region-priced-nothing-priced": (
        PRICED_REGION,
        0.0,
        3,
        "the plan priced none of the stack's resources: 3 unpriced",
    ),
}


@pytest.mark.parametrize(("region", "maximum", "unpriced", "reason"), CASES.values(), ids=CASES.keys())
def test_both_outputs_say_no_estimate_with_the_same_reason(
    region: str, maximum: float, unpriced: int, reason: str
) -> None:
    text, summary = _outputs(_plan(region, maximum, unpriced))

    budget = f"Budget: $500.00/month (budget.monthly_limit_usd); there is no estimate ({reason}), so nothing is compared with it"
    assert budget in text
    assert "beside the estimate's max" not in text
    assert f"Estimated monthly cost: no estimate: {reason} (" in summary
    assert "0.00 to 0.00" not in summary
    assert "A lower bound" not in summary


def test_the_reason_says_what_gives_an_estimate() -> None:
    _, missing = _outputs(_plan(MISSING_REGION, 0.0, 3))
    _, unpriced = _outputs(_plan(PRICED_REGION, 0.0, 3))

    assert "(add the region's list prices for one: docs/cost.md, Prices)." in missing
    assert "(each `UNPRICED` line of the text plan says why)." in unpriced


ESTIMATES = {
    "a-free-stack-priced-whole": (PRICED_REGION, 0.0, 0),
    "priced-with-some-left-out": (PRICED_REGION, 250.0, 3),
}


@pytest.mark.parametrize(("region", "maximum", "unpriced"), ESTIMATES.values(), ids=ESTIMATES.keys())
def test_an_estimate_is_compared_and_shown_in_both(region: str, maximum: float, unpriced: int) -> None:
    text, summary = _outputs(_plan(region, maximum, unpriced))

    assert f"beside the estimate's max ${maximum:,.2f}" in text
    assert "no estimate" not in text + summary
    assert f"Estimated monthly cost: **0.00 to {maximum:,.2f} USD**" in summary


def test_one_function_decides() -> None:
    assert no_estimate(MISSING_REGION, 12.0, 0) == NoEstimate(MISSING_REGION, 0)
    assert no_estimate(PRICED_REGION, 0.0, 2) == NoEstimate(None, 2)
    assert no_estimate(PRICED_REGION, 0.0, 0) is None
    assert no_estimate(None, 0.0, 2) == NoEstimate(None, 2)  # a plan JSON without a region
    assert no_estimate(None, 5.0, 2) is None
