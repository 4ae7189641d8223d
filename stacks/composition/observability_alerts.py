"""The stack's alert topic and what pages it whatever it serves: the budget and cost anomaly
monitor, and the failure alerts of its pipelines, jobs, monitors and endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi

from components.observability.alert_topic import AlertTopic, AlertTopicArgs
from components.observability.cost_guardrails import CostGuardrails, CostGuardrailsArgs
from components.observability.failure_alerts import FailureAlerts, FailureAlertsArgs
from components.training.pipeline_triggers import new_data_starter_name
from components.training.retraining_gate import gate_name
from components.training.training_pipeline import TrainingPipeline
from stacks import naming
from stacks.composition.batch_scoring import batch_pipeline_name
from stacks.composition.foundation import Foundation
from stacks.config import PlatformConfig

if TYPE_CHECKING:
    from components.serving.batch_scoring import BatchScoring


def build_alerts(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> AlertTopic | None:
    """The alert topic of every stack that trains or serves (endpoints, shared endpoints, Kubernetes
    servings alerting to SNS) or sets a budget; a plan warning where it pages no one. The endpoints
    and shared endpoints are built only with it (their rollback alarms notify it)."""
    if not (
        config.endpoints
        or config.shared_endpoints
        or config.trains_models
        or config.kubernetes_alerts_to_sns
        or config.budget.enabled
    ):
        return None
    if not config.alerts.subscriptions:
        pulumi.log.warn(NO_SUBSCRIBERS)
    return AlertTopic(
        "alerts",
        AlertTopicArgs(
            account_id=config.account_id,
            kms_key_arn=foundation.notifications_key.key_arn,
            subscriptions=config.alerts.subscriptions,
            tags=config.resource_tags,
            cost_alerts=config.budget.enabled,
        ),
        opts,
    )


NO_SUBSCRIBERS = (
    "alerts.subscriptions is empty: failed pipelines, jobs, monitors and endpoint rollbacks, and "
    "every alarm, reach no one: add an e-mail address or an https endpoint (docs/monitoring.md)."
)


def build_cost_guardrails(
    config: PlatformConfig, alerts: AlertTopic | None, opts: pulumi.ResourceOptions
) -> CostGuardrails | None:
    """The stack's budget and cost anomaly monitor on its ``stack`` tag, paging the alert topic.

    The limit is ``budget.monthly_limit_usd``, never computed here: the estimate it is checked
    against comes from the offline plan's record of the whole stack and its price table, which a
    real `pulumi up` neither has nor should load, and a limit that followed the estimate would rise
    with every capacity change instead of bounding it. Unset, the plan suggests one (its maximum
    estimate plus ``margin_percent``) and the stack gets the anomaly monitor alone, with a warning.
    """
    spec = config.budget
    if not spec.enabled or alerts is None:
        return None
    if spec.monthly_limit_usd is None:
        pulumi.log.warn(NO_BUDGET_LIMIT)
    stack_tag = "stack"
    return CostGuardrails(
        "cost-guardrails",
        CostGuardrailsArgs(
            account_id=config.account_id,
            name_prefix=config.name_prefix,
            scope_tag=(stack_tag, config.resource_tags[stack_tag]),
            topic_arn=alerts.topic_arn,
            monthly_limit_usd=spec.monthly_limit_usd,
            actual_thresholds_percent=spec.actual_thresholds_percent,
            forecast_thresholds_percent=spec.forecast_thresholds_percent,
            anomaly_threshold_usd=spec.anomaly_threshold_usd,
            activate_tag_keys=list(config.resource_tags) if spec.activate_cost_allocation_tags else [],
            tags=config.resource_tags,
            # The topic's policy lets Budgets publish: in place before the budget.
            publish_permission=[alerts.topic_policy],
        ),
        opts,
    )


NO_BUDGET_LIMIT = (
    "budget.monthly_limit_usd is not set: no budget is created (the cost anomaly monitor runs): set it "
    "from the limit the plan suggests beside its cost estimate (docs/cost.md, Budgets)."
)


def build_failure_alerts(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    pipelines: Mapping[str, TrainingPipeline],
    opts: pulumi.ResourceOptions,
    retrained_families: Sequence[str] = (),
    batch_scoring: Mapping[str, BatchScoring] | None = None,
    live_drift: Sequence[str] = (),
    new_data_families: Sequence[str] = (),
) -> FailureAlerts | None:
    """Pipeline, job and monitor failures, endpoint rollbacks, rejected model versions and alarms
    that could not start retraining (``retrained_families``: those with a retraining gate; and
    ``new_data_families``, those whose new data starts runs, with a new-data starter) of this
    stack page the alert topic; so do failed runs of the ``batch_scoring`` pipelines (by family)
    and failed transform jobs of their models, and failed runs of the endpoints' live-drift
    pipelines (``live_drift``: endpoint names)."""
    if alerts is None:
        return None
    batch_scoring = batch_scoring or {}
    return FailureAlerts(
        "failure-alerts",
        FailureAlertsArgs(
            topic_arn=alerts.topic_arn,
            region=config.region,
            account_id=config.account_id,
            role_path=config.role_path,
            pipeline_names=[
                *(naming.training_pipeline_name(config.model_package_group(family)) for family in pipelines),
                *(batch_pipeline_name(config, family) for family in batch_scoring),
                *(naming.live_drift_pipeline_name(config.endpoint_name(name)) for name in live_drift),
            ],
            # A shared endpoint is an endpoint too: an update of its instances can fail or roll back.
            endpoint_names=[
                config.endpoint_name(name)
                for name in (
                    *(spec.name for spec in config.endpoints),
                    *(spec.name for spec in config.shared_endpoints),
                )
            ],
            model_package_group_names=[config.physical_name(model.name) for model in config.models],
            retraining_gate_names=[
                gate_name(naming.training_pipeline_name(config.model_package_group(family)))
                for family in retrained_families
            ],
            new_data_starter_names=[
                new_data_starter_name(naming.training_pipeline_name(config.model_package_group(family)))
                for family in new_data_families
            ],
            transform_model_names=[scoring.model_name for scoring in batch_scoring.values()],
            tags=config.resource_tags,
        ),
        opts,
    )
