"""The stack's monthly budget and cost-anomaly settings as a stack file declares them, and the
budget's name (no Pulumi: the stack file's configuration model reads them before anything is
planned)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Final

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import SPEC_CONFIG, fail_at

MAX_LIMIT_USD: Final = 1_000_000_000.0
"""The largest monthly limit accepted (Budgets takes the amount as a decimal string)."""
MAX_NOTIFICATIONS: Final = 10
"""AWS Budgets' limit on notifications per budget (botocore's CreateBudget NotificationsWithSubscribers)."""
MAX_THRESHOLD_PERCENT: Final = 1000.0
BUDGET_NAME_MAX: Final = 100
"""AWS Budgets' limit on a budget name (1-100 characters, no ``:`` or ``\\``)."""
_BUDGET_NAME_REFUSED = re.compile(r"[:\\]|/action/|<script>", re.IGNORECASE)


def _thresholds_problem(value: Sequence[float]) -> str | None:
    if len(set(value)) != len(value):
        return "each threshold once"
    outside = [threshold for threshold in value if not 0 < threshold <= MAX_THRESHOLD_PERCENT]
    if outside:
        return f"percentages of the limit above 0 and at most {MAX_THRESHOLD_PERCENT:g} (got {outside})"
    return None


class BudgetSpec(BaseModel):
    """Cost guardrails of the stack: a monthly budget on its own tag, a Cost Anomaly Detection
    monitor, and its cost-allocation tags activated, all paging the alert topic."""

    model_config = SPEC_CONFIG

    enabled: bool = Field(
        default=False,
        description="Create the budget (where `monthly_limit_usd` is set) and the anomaly monitor, paging "
        "the alert topic (created for them where nothing else needs it).",
    )
    monthly_limit_usd: Annotated[float, Field(gt=0, le=MAX_LIMIT_USD)] | None = Field(
        default=None,
        description="The budget's monthly limit in USD, for the costs tagged with this stack. Unset, no "
        "budget is created (a plan warning says so) and the plan suggests one: its own maximum monthly "
        "estimate plus `margin_percent` (docs/cost.md, Budgets: a real `pulumi up` has no estimate).",
    )
    margin_percent: Annotated[float, Field(ge=0, le=MAX_THRESHOLD_PERCENT)] = Field(
        default=20,
        description="What the plan adds to its maximum monthly estimate to suggest a limit, and the "
        "headroom it expects: it warns when the estimate's maximum exceeds the limit.",
    )
    actual_thresholds_percent: list[float] = Field(
        default_factory=lambda: [80.0, 100.0],
        description="Notify when the month's actual spend exceeds each of these percentages of the limit.",
    )
    forecast_thresholds_percent: list[float] = Field(
        default_factory=lambda: [100.0],
        description="Notify when AWS forecasts the month's spend above each of these percentages of the limit.",
    )
    anomaly_threshold_usd: Annotated[float, Field(gt=0, le=MAX_LIMIT_USD)] = Field(
        default=50,
        description="Page for a cost anomaly of the stack whose total impact is at least this many USD.",
    )
    activate_cost_allocation_tags: bool = Field(
        default=False,
        description="Activate the stack's tag keys as cost-allocation tags (account-wide, kept on destroy). "
        "AWS activates only keys already in the billing data, up to 24 hours after the first tagged "
        "resource bills: turn this on from the second `pulumi up` in a new account. In an AWS Organizations "
        "member account only the management account may activate them: leave this off there (docs/cost.md).",
    )

    @field_validator("actual_thresholds_percent", "forecast_thresholds_percent")
    @classmethod
    def _valid_thresholds(cls, value: list[float]) -> list[float]:
        problem = _thresholds_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _notifications_fit(self) -> BudgetSpec:
        actual, forecast = self.actual_thresholds_percent, self.forecast_thresholds_percent
        if len(actual) + len(forecast) > MAX_NOTIFICATIONS:
            fail_at(
                "BudgetSpec",
                ("forecast_thresholds_percent",),
                forecast,
                f"{len(actual)} actual and {len(forecast)} forecast thresholds: AWS Budgets allows "
                f"{MAX_NOTIFICATIONS} notifications per budget",
            )
        return self


def suggested_limit(monthly_max: float, margin_percent: float) -> float:
    """The limit the plan suggests: the maximum monthly estimate plus the margin, in whole dollars up,
    and at least $1 (``monthly_limit_usd`` takes no $0 limit: a maximum of $0 means nothing was priced)."""
    return float(max(1, math.ceil(monthly_max * (1 + margin_percent / 100))))


def budget_name_problem(name: str) -> str | None:
    """Why AWS Budgets would refuse ``name`` as a budget's name, or None."""
    if not 1 <= len(name) <= BUDGET_NAME_MAX:
        return f"a budget name is 1-{BUDGET_NAME_MAX} characters (got {len(name)})"
    if _BUDGET_NAME_REFUSED.search(name):
        return "a budget name may not contain ':', '\\', '/action/' or '<script>'"
    return None


def budget_name(name_prefix: str) -> str:
    """The budget's name: ``<prefix>-monthly``."""
    return f"{name_prefix}-monthly"
