"""CostGuardrails: a monthly AWS Budget, a Cost Anomaly Detection monitor and the cost-allocation
tags of one stack, all paging the alert topic.

How each piece is scoped to the stack, and why:

- the **budget** filters costs on the stack's own tag (``TagKeyValue`` ``user:<key>$<value>``, the
  ``stack`` tag the platform puts on every resource), so two stacks sharing an account each have
  their own budget. It notifies the alert topic when actual spend, or AWS's forecast of the month's
  spend, crosses each configured percentage of the limit;
- the **anomaly monitor** is a ``CUSTOM`` monitor of the same tag, not the ``DIMENSIONAL``
  ``SERVICE`` monitor: AWS allows one dimensional service monitor per account, so a second stack in
  the account could not create its own, and destroying either would take the account's away. A
  custom monitor watches this stack's spend in aggregate; its subscription pages the topic
  (``IMMEDIATE``: the only frequency SNS subscribers take) for anomalies whose total impact is at
  least the configured amount;
- the **cost-allocation tags** are activated account-wide (``CostAllocationTag``, status Active):
  a tag filters budgets and monitors only once active. AWS activates only keys that already appear
  in the billing data (within 24 hours of the first tagged resource billing), so in a new account
  the first `pulumi up` must run with ``activate_cost_allocation_tags`` off and a later one turns it
  on (docs/cost.md); in an AWS Organizations member account only the management account may
  activate them. They are retained on delete: activation is shared by every stack of the
  account, and destroying one stack must not deactivate the tags the others filter on.

Security posture: notifications go only to the KMS-encrypted alert topic, whose policy lets AWS
Budgets and Cost Anomaly Detection publish for this account only (``AlertTopicArgs.cost_alerts``);
:func:`budgets_key_grant` and :func:`cost_anomaly_key_grant` let them use its key, pinned likewise.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws.budgets as budgets
import pulumi_aws.costexplorer as costexplorer

from ..foundation.encryption_key import ServiceKeyGrant
from ..limits import account_id_problem, satisfies, tags_problem
from .budget_spec import (
    MAX_LIMIT_USD,
    MAX_NOTIFICATIONS,
    _thresholds_problem,
    budget_name,
    budget_name_problem,
)


def budgets_key_grant(region: str, account_id: str) -> ServiceKeyGrant:
    """AWS Budgets publishes this account's budget notifications to its encrypted topics: the
    conditions AWS documents for budget notifications (``aws:SourceAccount``, a budget ARN of the
    account as ``aws:SourceArn``: Budgets is global, its ARNs name no region), and the ARN of a topic
    of the account in ``region``, which SNS sets as the encryption context."""
    return ServiceKeyGrant(
        sid="BudgetsPublishToEncryptedTopics",
        service="budgets.amazonaws.com",
        actions=["kms:Decrypt", "kms:GenerateDataKey*"],
        condition={
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {
                "aws:SourceArn": f"arn:aws:budgets::{account_id}:*",
                "kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{region}:{account_id}:*",
            },
        },
    )


def cost_anomaly_key_grant(region: str, account_id: str) -> ServiceKeyGrant:
    """Cost Anomaly Detection (``costalerts.amazonaws.com``) publishes this account's anomaly alerts
    to its encrypted topics: pinned to the account (``aws:SourceAccount``, the condition AWS
    documents for it) and to the account's topics in ``region`` (the encryption context SNS sets)."""
    return ServiceKeyGrant(
        sid="CostAnomalyDetectionPublishesToEncryptedTopics",
        service="costalerts.amazonaws.com",
        actions=["kms:Decrypt", "kms:GenerateDataKey*"],
        condition={
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{region}:{account_id}:*"},
        },
    )


@dataclass(frozen=True)
class CostGuardrailsArgs:
    account_id: str
    """The 12-digit account whose costs are budgeted (and whose tags are activated)."""
    name_prefix: str
    """Starts the names of the budget (``<prefix>-monthly``), the monitor (``<prefix>-cost-anomalies``)
    and the subscription (``<prefix>-cost-anomaly-alerts``): unique in the account (the stack's)."""
    scope_tag: tuple[str, str]
    """``(key, value)`` of the tag that marks this stack's resources: the budget and the monitor
    count only the costs carrying it."""
    topic_arn: pulumi.Input[str]
    """The alert topic the notifications and anomaly alerts go to."""
    anomaly_threshold_usd: float
    """Least total impact, in USD, of an anomaly that pages."""
    tags: Mapping[str, str]
    """Tags of the budget, the monitor and the subscription."""
    monthly_limit_usd: float | None = None
    """The budget's monthly limit; None creates no budget (the monitor still runs)."""
    actual_thresholds_percent: Sequence[float] = (80.0, 100.0)
    """Percentages of the limit whose crossing by the month's actual spend notifies."""
    forecast_thresholds_percent: Sequence[float] = (100.0,)
    """Percentages of the limit whose crossing by the forecast notifies."""
    activate_tag_keys: Sequence[str] = ()
    """Tag keys to activate as cost-allocation tags (each must already be in the billing data)."""
    publish_permission: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What lets AWS Budgets publish to the topic (its policy): the budget is created after it, as
    Budgets checks the permission then. Cost Anomaly Detection checks only when it publishes (at
    the earliest a day later), so the subscription does not wait."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "tags", tags_problem)
        problem = budget_name_problem(budget_name(self.name_prefix))
        if problem:
            raise ValueError(f"CostGuardrailsArgs.name_prefix: '{self.name_prefix}': {problem}")
        if self.monthly_limit_usd is not None and not 0 < self.monthly_limit_usd <= MAX_LIMIT_USD:
            raise ValueError(
                f"CostGuardrailsArgs.monthly_limit_usd: {self.monthly_limit_usd} is not above 0 and at most {MAX_LIMIT_USD:g}"
            )
        if not 0 < self.anomaly_threshold_usd <= MAX_LIMIT_USD:
            raise ValueError(
                f"CostGuardrailsArgs.anomaly_threshold_usd: {self.anomaly_threshold_usd} is not above 0 and at most {MAX_LIMIT_USD:g}"
            )
        for name in ("actual_thresholds_percent", "forecast_thresholds_percent"):
            problem = _thresholds_problem(list(getattr(self, name)))
            if problem:
                raise ValueError(f"CostGuardrailsArgs.{name}: {problem}")
        if len(self.actual_thresholds_percent) + len(self.forecast_thresholds_percent) > MAX_NOTIFICATIONS:
            raise ValueError(f"CostGuardrailsArgs: at most {MAX_NOTIFICATIONS} thresholds in all")


def _tag_names(name: str, keys: Sequence[str]) -> dict[str, str]:
    """A logical name per tag key, from the key itself (so reordering tags replaces nothing): its
    letters, digits and hyphens, and a hash of the key where two keys would read the same."""
    slugs = {key: re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-") or "key" for key in keys}
    taken = list(slugs.values())
    return {
        key: f"{name}-tag-{slug}"
        if taken.count(slug) == 1
        else f"{name}-tag-{slug}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
        for key, slug in slugs.items()
    }


def _amount(value: float) -> str:
    """A USD amount as Budgets and Cost Explorer take it: a plain decimal string (no exponent)."""
    return f"{value:.2f}"


class CostGuardrails(pulumi.ComponentResource):
    """A monthly COST budget and a custom Cost Anomaly Detection monitor on one stack's tag, paging
    an SNS topic, and the stack's cost-allocation tags activated.

    Security posture: notifications go to one (encrypted) topic of the account; nothing is granted
    here: the topic's policy and key admit AWS Budgets and Cost Anomaly Detection of this account.
    """

    budget_name: pulumi.Output[str] | None
    """Name of the budget; None where no limit is set."""
    anomaly_monitor_arn: pulumi.Output[str]
    """ARN of the anomaly monitor."""

    def __init__(
        self, name: str, args: CostGuardrailsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:CostGuardrails", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # AWS Budgets checks that it may publish to the topic when the budget is created.
        after = pulumi.ResourceOptions(parent=self, depends_on=list(args.publish_permission))
        key, value = args.scope_tag
        self.budget_name = None
        if args.monthly_limit_usd is not None:
            budget = budgets.Budget(
                f"{name}-budget",
                name=budget_name(args.name_prefix),
                account_id=args.account_id,
                budget_type="COST",
                time_unit="MONTHLY",
                limit_amount=_amount(args.monthly_limit_usd),
                limit_unit="USD",
                cost_filters=[
                    budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[f"user:{key}${value}"])
                ],
                notifications=[
                    *self._notifications("ACTUAL", args.actual_thresholds_percent, args.topic_arn),
                    *self._notifications("FORECASTED", args.forecast_thresholds_percent, args.topic_arn),
                ],
                tags=dict(args.tags),
                opts=after,
            )
            self.budget_name = budget.name
        monitor = costexplorer.AnomalyMonitor(
            f"{name}-anomalies",
            name=f"{args.name_prefix}-cost-anomalies",
            monitor_type="CUSTOM",
            monitor_specification=json.dumps(
                {"Tags": {"Key": key, "Values": [value], "MatchOptions": ["EQUALS"]}}, sort_keys=True
            ),
            tags=dict(args.tags),
            opts=child,
        )
        costexplorer.AnomalySubscription(
            f"{name}-anomaly-alerts",
            name=f"{args.name_prefix}-cost-anomaly-alerts",
            account_id=args.account_id,
            # SNS subscribers take individual alerts only.
            frequency="IMMEDIATE",
            monitor_arn_lists=[monitor.arn],
            subscribers=[costexplorer.AnomalySubscriptionSubscriberArgs(type="SNS", address=args.topic_arn)],
            threshold_expression=costexplorer.AnomalySubscriptionThresholdExpressionArgs(
                dimension=costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs(
                    key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                    match_options=["GREATER_THAN_OR_EQUAL"],
                    values=[_amount(args.anomaly_threshold_usd)],
                )
            ),
            tags=dict(args.tags),
            opts=child,
        )
        # Shared by every stack of the account: kept active when this stack goes.
        shared = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        for tag_key, logical in _tag_names(name, args.activate_tag_keys).items():
            costexplorer.CostAllocationTag(
                logical,
                tag_key=tag_key,
                status="Active",
                opts=shared,
            )
        self.anomaly_monitor_arn = monitor.arn
        self.register_outputs(
            {"budget_name": self.budget_name, "anomaly_monitor_arn": self.anomaly_monitor_arn}
        )

    @staticmethod
    def _notifications(
        kind: str, thresholds: Sequence[float], topic_arn: pulumi.Input[str]
    ) -> list[budgets.BudgetNotificationArgs]:
        return [
            budgets.BudgetNotificationArgs(
                notification_type=kind,
                comparison_operator="GREATER_THAN",
                threshold=float(threshold),
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[topic_arn],
            )
            for threshold in thresholds
        ]
