"""Registry: model package groups per model family, cross-account read and approval events
(type token ``mlops:registry:ModelRegistry``)."""

from .model_registry import (
    ApprovalMode,
    ModelFamilySpec,
    ModelRegistry,
    ModelRegistryArgs,
    PromotionCriterion,
    approval_event_pattern,
)

__all__ = [
    "ApprovalMode",
    "ModelFamilySpec",
    "ModelRegistry",
    "ModelRegistryArgs",
    "PromotionCriterion",
    "approval_event_pattern",
]
