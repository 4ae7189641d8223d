"""Registry: model package groups per model family, cross-account read and approval events
(type token ``mlops:registry:ModelRegistry``), and the dispatch of approvals to the deploy workflow
(``mlops:registry:ApprovalDispatch``). The components are imported on first use, so reading the
specs does not load Pulumi."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .model_family_spec import ApprovalMode, ModelFamilySpec, PromotionCriterion

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .approval_dispatch import (
        CONNECTION_KEY_TAGS,
        ApprovalDispatch,
        ApprovalDispatchArgs,
        connection_key_statement,
    )
    from .model_registry import ModelRegistry, ModelRegistryArgs, approval_event_pattern

__getattr__ = on_first_use(
    __name__,
    {
        ".approval_dispatch": (
            "CONNECTION_KEY_TAGS",
            "ApprovalDispatch",
            "ApprovalDispatchArgs",
            "connection_key_statement",
        ),
        ".model_registry": ("ModelRegistry", "ModelRegistryArgs", "approval_event_pattern"),
    },
)

__all__ = [
    "CONNECTION_KEY_TAGS",
    "ApprovalDispatch",
    "ApprovalDispatchArgs",
    "ApprovalMode",
    "ModelFamilySpec",
    "ModelRegistry",
    "ModelRegistryArgs",
    "PromotionCriterion",
    "approval_event_pattern",
    "connection_key_statement",
]
