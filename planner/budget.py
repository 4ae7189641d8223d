"""The stack's budget beside the plan's cost estimate.

The budget's limit is what the program registered (the ``aws:budgets/budget:Budget``'s
``limitAmount``, from ``budget.monthly_limit_usd``); the plan compares it with its own maximum
monthly estimate, warns when the estimate's maximum exceeds it, and suggests a limit (that
maximum plus ``budget.margin_percent``) where none is set. The suggestion is the plan's only: a
real `pulumi up` has no estimate (see ``stacks.composition.observability.build_cost_guardrails``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.observability.budget_spec import BudgetSpec, suggested_limit
from planner.cost import CostEstimate
from planner.pricing import NoEstimate, no_estimate
from planner.recorder import ResourceGraph, known_inputs
from stacks.project import platform_map

BUDGET_TYPE = "aws:budgets/budget:Budget"
DEFAULT_MARGIN_PERCENT = float(BudgetSpec.model_fields["margin_percent"].default)


@dataclass(frozen=True)
class BudgetCheck:
    """The budget's monthly limit (None where the stack asks for a budget but sets no limit) and
    the plan's maximum estimate it is checked against."""

    monthly_limit: float | None
    estimate_max: float
    margin_percent: float
    unpriced: int
    """Resources the estimate could not price: its maximum is then a lower bound."""
    region: str | None = None
    """The estimate's region: one the price table lacks gives no estimate (:attr:`no_estimate`)."""

    @property
    def suggested_limit(self) -> float:
        return suggested_limit(self.estimate_max, self.margin_percent)

    @property
    def exceeded(self) -> bool:
        return self.monthly_limit is not None and self.estimate_max > self.monthly_limit

    @property
    def no_estimate(self) -> NoEstimate | None:
        """Why the estimate says nothing of what the stack costs (a region the price table lacks,
        or nothing priced: :func:`~planner.pricing.no_estimate`, as the pull request's summary
        decides it), so it suggests no limit and is compared with none; None where it says
        something."""
        return no_estimate(self.region, self.estimate_max, self.unpriced)

    @property
    def priced_nothing(self) -> bool:
        """Whether there is no estimate (:attr:`no_estimate`)."""
        return self.no_estimate is not None

    @property
    def warning(self) -> str | None:
        suggestion = f"${self.suggested_limit:,.0f} (the maximum plus the {self.margin_percent:g}% margin)"
        gap = self.no_estimate
        if gap is not None:
            suggestion = f"what you expect the stack to cost a month: there is no estimate ({gap.reason})"
        elif self.unpriced:
            # The suggestion would be low by what the estimate could not price: say so where it is read.
            suggestion += (
                f", more for the {self.unpriced} unpriced resource{'s' if self.unpriced > 1 else ''} "
                "the maximum leaves out"
            )
        if self.monthly_limit is None:
            return (
                f"budget.enabled but budget.monthly_limit_usd is not set, so no budget is created: set it, "
                f"e.g. to {suggestion}"
            )
        if self.exceeded:
            return (
                f"the estimate's maximum ${self.estimate_max:,.2f}/month exceeds the budget "
                f"(budget.monthly_limit_usd ${self.monthly_limit:,.2f}): its notifications would fire at "
                f"full capacity; raise the limit to {suggestion}, or lower the maximum capacity"
            )
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "monthly_limit": self.monthly_limit,
            "estimate_max": self.estimate_max,
            "margin_percent": self.margin_percent,
            "suggested_limit": self.suggested_limit,
            "exceeded": self.exceeded,
            "estimate_is_lower_bound": self.unpriced > 0,
            "warning": self.warning,
        }


def _budget_section(graph: ResourceGraph) -> Mapping[str, Any]:
    section = platform_map(graph.config).get("budget")
    return section if isinstance(section, Mapping) else {}


def budget_check(graph: ResourceGraph, cost: CostEstimate) -> BudgetCheck | None:
    """The stack's budget against ``cost``; None where the stack has no budget and asks for none (a
    value unknown until deployment as unset: :func:`~planner.recorder.known_inputs`)."""
    graph = known_inputs(graph)
    section = _budget_section(graph)
    budgets = graph.of_type(BUDGET_TYPE)
    if not budgets and section.get("enabled") is not True:
        return None
    limit = None
    if budgets:
        amount = budgets[0].inputs.get("limitAmount")
        limit = float(amount) if isinstance(amount, str | int | float) else None
    margin = section.get("margin_percent", DEFAULT_MARGIN_PERCENT)
    return BudgetCheck(
        monthly_limit=limit,
        estimate_max=cost.monthly_max,
        margin_percent=float(margin) if isinstance(margin, int | float) else DEFAULT_MARGIN_PERCENT,
        unpriced=cost.unpriced_in_totals,
        region=cost.region,
    )
