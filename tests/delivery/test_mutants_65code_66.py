"""Mutation audit (session 66) of session 65's PR summary lower-bound line: what the earlier tests
let survive (the verb of one resource, a plan JSON written before ``in_totals``)."""

from __future__ import annotations

from typing import Any

import pytest

from delivery.plan_summary import summarize


def _plan(unpriced: list[dict[str, Any]]) -> dict[str, Any]:
    summary = {
        "resources": 3,
        "components": 1,
        "protected": 0,
        "policies_evaluated": 5,
        "mandatory_violations": 0,
    }
    cost = {"monthly_min": 1.0, "monthly_max": 2.0, "currency": "USD", "price_table_date": "2026-01-01"}
    return {
        "source": "Pulumi.t.yaml",
        "summary": {**summary, "by_type": {}},
        "cost": {**cost, "unpriced": unpriced},
    }


OLD = {"resource": "ep", "type": "aws:sagemaker/endpoint:Endpoint", "component": "serving", "reason": "r"}
LINE = {**OLD, "in_totals": True}


@pytest.mark.parametrize(
    ("unpriced", "said"),
    [
        # An endpoint's two unpriced variants are one resource left out.
        pytest.param([LINE, {**LINE, "reason": "r2"}], "1 resource the estimate could not price", id="one"),
        pytest.param(
            [LINE, {**LINE, "resource": "ep2"}], "2 resources the estimate could not price", id="two"
        ),
        # A plan JSON written before `in_totals`: every unpriced line was in the totals.
        pytest.param([OLD], "1 resource the estimate could not price", id="no-in-totals-field"),
    ],
)
def test_the_lower_bound_line_counts_the_resources_left_out(
    unpriced: list[dict[str, Any]], said: str
) -> None:
    markdown = summarize("t", _plan(unpriced), "", 0)
    verb = "is" if said.startswith("1 ") else "are"
    assert (
        f"⚠️ A lower bound: {said} (listed as `UNPRICED` in the text plan) {verb} left out of it." in markdown
    )
