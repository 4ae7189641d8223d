"""Registry: the model package groups and their approval events."""

from __future__ import annotations

import pulumi

from components.registry.model_registry import ModelRegistry, ModelRegistryArgs
from stacks.composition.foundation import Foundation
from stacks.config import PlatformConfig


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
