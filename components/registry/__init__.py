"""Registry: model package groups per model family, cross-account read and approval events
(type token ``mlops:registry:ModelRegistry``), and the dispatch of approvals to the deploy workflow
(``mlops:registry:ApprovalDispatch``)."""

from .approval_dispatch import ApprovalDispatch, ApprovalDispatchArgs
from .model_registry import (
    ApprovalMode,
    ModelFamilySpec,
    ModelRegistry,
    ModelRegistryArgs,
    PromotionCriterion,
    approval_event_pattern,
)

__all__ = [
    "ApprovalDispatch",
    "ApprovalDispatchArgs",
    "ApprovalMode",
    "ModelFamilySpec",
    "ModelRegistry",
    "ModelRegistryArgs",
    "PromotionCriterion",
    "approval_event_pattern",
]
