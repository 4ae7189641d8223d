"""Cost rules: a stack that creates AWS resources has a cost budget whose alerts reach a pager.

A stack rule, because the demand is on the stack as a whole: some ``aws:budgets/budget:Budget``
(or its aws-native twin) of type ``COST`` must exist among its resources, and every such budget
must notify an SNS topic (where the stack's alerting subscribes people and pagers) on actual or
forecast spend rising above its threshold (``GREATER_THAN``). An e-mail-only budget reaches one
inbox and no on-call rotation. The AWS
Well-Architected Cost Optimization pillar asks for both (COST02-BP05 "Implement cost controls",
COST03-BP05 "Configure billing and cost management tools": budgets with notifications). The rule
defaults to advisory; ``policies/staging.json`` and ``policies/prod.json`` make it mandatory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    ADVISORY,
    MEDIUM,
    UndecidedCollector,
    any_decided,
    framework,
    get,
    is_set,
    items,
    of_type,
    shown,
    stack_rule,
)

BUDGET = "aws:budgets/budget:Budget"
NATIVE_BUDGET = "aws-native:budgets:Budget"
BUDGETS = (BUDGET, NATIVE_BUDGET)
#: What counts as the stack creating AWS resources (providers are not resources).
CLOUD_PREFIXES = ("aws:", "aws-native:")
NOTIFIED_ON = ("ACTUAL", "FORECASTED")
#: The comparison that fires on an overrun (``LESS_THAN`` and ``EQUAL_TO`` do not).
OVERSPEND = "GREATER_THAN"

Findings = Iterator[tuple[str, str | None]]


def _budget_type(budget: PolicyResource) -> Any:
    if budget.resource_type == NATIVE_BUDGET:
        return get(budget.props, "budget.budgetType")
    return get(budget.props, "budgetType")


def _every(*tests: Callable[[], bool]) -> bool:
    """Whether every test holds: one known not to decides it (False), whatever the others read at
    preview; else the first unknown value's error."""
    return not any_decided(tests, lambda holds: not holds())


def _pages(kind: Callable[[], Any], operator: Callable[[], Any], to_sns: Callable[[], bool]) -> bool:
    """A notification on actual or forecast spend that fires when it rises above the threshold
    (``LESS_THAN`` fires while spend is low, ``EQUAL_TO`` on the exact amount only) and goes to at
    least one SNS topic. Each part is read apart: an e-mail-only notification pages no one whatever its
    Output comparison operator."""
    return _every(lambda: kind() in NOTIFIED_ON, lambda: operator() == OVERSPEND, to_sns)


def _notifies_sns(budget: PolicyResource) -> bool:
    """Whether some notification pages (:func:`_pages`).

    One such notification decides it, whatever the budget's other notifications read at preview
    (an Output in one of them does not make a budget that already pages someone undecided), and so
    does every notification known not to page."""
    if budget.resource_type == NATIVE_BUDGET:

        def native_pages(entry: Any) -> bool:
            return _pages(
                lambda: get(entry, "notification.notificationType"),
                lambda: get(entry, "notification.comparisonOperator"),
                lambda: any_decided(
                    items(get(entry, "subscribers")),
                    lambda subscriber: _every(
                        lambda: get(subscriber, "subscriptionType") == "SNS",
                        lambda: is_set(get(subscriber, "address")),
                    ),
                ),
            )

        return any_decided(items(get(budget.props, "notificationsWithSubscribers")), native_pages)

    def pages(notification: Any) -> bool:
        return _pages(
            lambda: get(notification, "notificationType"),
            lambda: get(notification, "comparisonOperator"),
            lambda: is_set(get(notification, "subscriberSnsTopicArns")),
        )

    return any_decided(items(get(budget.props, "notifications")), pages)


def _check_budget_type(budget: PolicyResource) -> Findings:
    kind = _budget_type(budget)
    if kind != "COST":
        yield (
            f"budgetType is {shown(kind)}: the stack's budget must be a COST budget (spend in USD). "
            "Fix: set budget_type='COST'.",
            budget.urn,
        )


def _check_budget_notified(budget: PolicyResource) -> Findings:
    if not _notifies_sns(budget):
        yield (
            "no notification on ACTUAL or FORECASTED spend goes to an SNS topic with comparison_operator "
            "'GREATER_THAN', so an overrun pages no one: add notifications with "
            "comparison_operator='GREATER_THAN' and subscriber_sns_topic_arns=[<the stack's alert "
            "topic>] (its policy must let budgets.amazonaws.com publish).",
            budget.urn,
        )


def _stack_cost_budget(args: StackValidationArgs, _: Mapping[str, Any]) -> Findings:
    resources = list(args.resources)
    cloud = [r for r in resources if r.resource_type.startswith(CLOUD_PREFIXES)]
    if cloud and not of_type(resources, BUDGETS):
        yield (
            f"the stack creates {len(cloud)} AWS resources but no cost budget: nobody is told when it "
            "overspends. Fix: add an aws.budgets.Budget (COST, MONTHLY, filtered on the stack's tag) "
            "notifying an SNS topic; in this platform, set budget.enabled and budget.monthly_limit_usd.",
            None,
        )
    # A budget's type and its notifications are judged apart: an Output in one (an undecided check for
    # that budget) leaves the other's finding decided, as each_resource would not (it drops a
    # resource's findings at its first unknown value).
    undecided = UndecidedCollector()
    for budget in of_type(resources, BUDGETS):
        for check in (_check_budget_type, _check_budget_notified):
            try:
                yield from list(check(budget))
            except UnknownValueError as error:
                undecided.add(budget, error)
    undecided.raise_if_any()


stack_cost_budget = stack_rule(
    name="stack-cost-budget",
    description=(
        "A stack that creates AWS resources has a COST budget that notifies an SNS topic on actual or "
        "forecast spend GREATER_THAN a threshold. Fix: add an aws.budgets.Budget with budget_type='COST' and notifications "
        "whose subscriber_sns_topic_arns name the alert topic (this platform: budget.enabled with "
        "budget.monthly_limit_usd)."
    ),
    check=_stack_cost_budget,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework("AWS Well-Architected", "COST02-BP05", "COST03-BP05"),
    tags=["cost", "budgets"],
)

POLICIES = [stack_cost_budget]
