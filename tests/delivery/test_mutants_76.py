"""What session 76's mutation sweep of ``delivery/plan_summary.py`` found no test asserting: the pull
request's summary decides "no estimate" on the resources the text plan counts (one per resource,
only those the totals would hold), so both outputs say the same of one plan.
"""

from __future__ import annotations

import io
import json

from rich.console import Console

from delivery.plan_summary import summarize
from planner.cost import ComponentCost, CostEstimate, CostItem, Unpriced
from planner.report import Plan, to_json
from planner.report_text import render_text
from tests.planner.test_critical_path import graph, resource

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
PRICED_REGION = "eu-west-1"


def _outputs(*unpriced: Unpriced) -> tuple[str, str]:
    """The text plan and the pull request's summary of a plan priced at $0 in a region the price
    table has, with ``unpriced`` lines."""
    cost = CostEstimate(
        currency="USD",
        region=PRICED_REGION,
        by_component={
            "serving": ComponentCost(ENDPOINT, (CostItem("ep", ENDPOINT, "ml.m5.large x 1", 0.0, 0.0),))
        },
        unpriced=unpriced,
        assumptions=(),
        price_table_date="2026-01-01",
    )
    plan = Plan(graph(resource("ep", ENDPOINT)), (), policies_evaluated=1, cost=cost)
    out = io.StringIO()
    render_text(plan, Console(file=out, width=400, no_color=True))
    return out.getvalue(), summarize("variant", json.loads(json.dumps(to_json(plan), default=str)), "", 0)


def test_a_resource_with_several_unpriced_lines_is_one_unpriced_resource() -> None:
    """An endpoint's variants each give a line: the reason counts the resource once, as the text plan does."""
    _, summary = _outputs(
        Unpriced("gpu", ENDPOINT, "serving", "variant a: no price"),
        Unpriced("gpu", ENDPOINT, "serving", "variant b: no price"),
    )
    assert "the plan priced none of the stack's resources: 1 unpriced" in summary
    assert "2 unpriced" not in summary


def test_lines_the_totals_would_not_hold_leave_a_zero_estimate_an_estimate() -> None:
    """A per-run cost (``in_totals`` false) is never in the monthly totals: $0 is then the estimate,
    shown in bold, and the text plan says no "no estimate" either."""
    text, summary = _outputs(
        Unpriced("pipeline", "aws:sagemaker/pipeline:Pipeline", "training", "per run", False)
    )
    assert "no estimate" not in text + summary
    assert "Estimated monthly cost: **0.00 to 0.00 USD**" in summary
