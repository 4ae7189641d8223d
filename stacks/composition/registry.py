"""Registry: the model package groups, their approval events, and where approvals are sent."""

from __future__ import annotations

import pulumi

from components.foundation.encryption_key import EncryptionKey, EncryptionKeyArgs
from components.registry.approval_dispatch import (
    CONNECTION_KEY_TAGS,
    ApprovalDispatch,
    ApprovalDispatchArgs,
    connection_key_statement,
)
from components.registry.model_registry import ModelRegistry, ModelRegistryArgs
from stacks import naming
from stacks.composition.foundation import Foundation
from stacks.config import PlatformConfig

NOT_WIRED = (
    "model approvals are not wired to a deployment: an approved version reaches the "
    "model-registry-approvals topic only, and is rolled out by the next push to main or a manual run "
    "of the deploy workflow; set delivery.approval_dispatch (docs/promotion.md) to start it on approval"
)


def build_model_registry(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> ModelRegistry | None:
    if not config.models:
        return None
    return ModelRegistry(
        "model-registry",
        ModelRegistryArgs(
            families=config.models,
            approval_mode=config.model_registry.approval,
            account_id=config.account_id,
            region=config.region,
            notification_key_arn=foundation.notifications_key.key_arn,
            tags=config.resource_tags,
            retain=config.protect_stateful_resources,
            name_prefix=config.name_prefix,
        ),
        opts,
    )


def build_approval_dispatch(
    config: PlatformConfig,
    foundation: Foundation,
    registry: ModelRegistry | None,
    token: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> ApprovalDispatch | None:
    """Approvals → the deploy workflow (GitHub repository_dispatch), where the stack asks for it;
    otherwise a warning in the plan and on `pulumi up` that approvals deploy nothing by themselves."""
    spec = config.delivery.approval_dispatch
    if registry is None:
        return None
    if spec is None or token is None:
        pulumi.log.warn(NOT_WIRED)
        return None
    return ApprovalDispatch(
        "approval-dispatch",
        ApprovalDispatchArgs(
            repository=spec.repository,
            event_type=spec.event_type,
            approval_rules={
                family: (registry.approval_rule_names[family], registry.approval_rule_arns[family])
                for family in registry.approval_rule_names
            },
            token=token,
            connection_kms_key_arn=_connection_key(config, opts).key_arn,
            queue_kms_key_arn=foundation.notifications_key.key_arn,
            account_id=config.account_id,
            role_path=config.role_path,
            source_stack=pulumi.get_stack(),
            environment=config.environment,
            tags=config.resource_tags,
            maximum_retry_attempts=spec.maximum_retry_attempts,
            maximum_event_age_seconds=spec.maximum_event_age_seconds,
        ),
        opts,
    )


def _connection_key(config: PlatformConfig, opts: pulumi.ResourceOptions) -> EncryptionKey:
    """The key of the connection's managed secret (the GitHub token). EventBridge uses a
    customer-managed key only when it is tagged ``EventBridgeApiDestinations: true``, and through
    Secrets Manager on behalf of whoever creates the connection: so the policy lets this account's
    principals use it only via Secrets Manager, for EventBridge connection secrets of this account
    (``kms:DescribeKey``, which carries no encryption context, is the account's already)."""
    region, account = config.region, config.account_id
    return EncryptionKey(
        "kms-deliveries",
        EncryptionKeyArgs(
            purpose="deliveries",
            account_id=account,
            user_role_path=config.role_path,
            tags={**config.resource_tags, **CONNECTION_KEY_TAGS},
            deletion_window_days=config.encryption.key_deletion_window_days,
            rotation_period_days=config.encryption.rotation_period_days,
            retain=config.protect_stateful_resources,
            alias_prefix=naming.kms_alias_prefix(config.name_prefix),
            extra_statements=[connection_key_statement(region, account)],
        ),
        opts,
    )
