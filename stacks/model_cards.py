"""Model cards: what a family's stack file says about its use, and where each version's card lives.

A SageMaker Model Card documents one model *version*: it is created when the version is approved
(``pipelines.promotion``), not by `pulumi up`, because versions come and go between deploys. Its
intended use and risk rating come from the stack file (``models[].model_card``), its training
details and evaluation metrics from the version itself (its registered evaluation report). Stacks
with ``model_registry.require_model_card`` (staging and prod by default) deploy only versions that
have one (``stacks.resolution``). Each card's name derives from the version's group and number
(:func:`model_card_name`), so the resolver finds it without a search.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final, Literal

from pydantic import BaseModel, Field

from components.limits import SPEC_CONFIG

RiskRating = Literal["High", "Medium", "Low", "Unknown"]
"""The model card schema's ``intended_uses.risk_rating`` values."""

MODEL_CARD_NAME: Final = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
"""CreateModelCard's ``ModelCardName`` (botocore's model)."""
MAX_MODEL_CARD_NAME: Final = 63


class ModelCardSpec(BaseModel):
    """What every version's model card says of the family (the rest comes from the version)."""

    model_config = SPEC_CONFIG

    intended_use: str = Field(
        min_length=1,
        max_length=2048,
        description="The intended use cases of the family's models (the card's `intended_uses.intended_uses`).",
    )
    risk_rating: RiskRating = Field(
        description="Your organisation's risk rating of the family: High, Medium, Low or Unknown."
    )
    risk_rating_explanation: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description="Why the family has its risk rating (`intended_uses.explanations_for_risk_rating`).",
    )
    purpose: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description="The general purpose of the model (`intended_uses.purpose_of_model`).",
    )
    owner: str | None = Field(
        default=None,
        min_length=1,
        max_length=1024,
        description="Who maintains the model in your organisation (`model_overview.model_owner`).",
    )
    caveats: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description="Caveats and recommendations (`additional_information.caveats_and_recommendations`).",
    )


def model_card_name(group: str, version: int | str) -> str:
    """The card of version ``version`` of model package group ``group``: ``<group>-v<version>``,
    shortened with a hash of the group when that exceeds the 63 characters AWS allows."""
    suffix = f"-v{version}"
    name = f"{group}{suffix}"
    if len(name) <= MAX_MODEL_CARD_NAME:
        return name
    digest = hashlib.sha256(group.encode()).hexdigest()[:8]
    head = group[: MAX_MODEL_CARD_NAME - len(suffix) - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}{suffix}"


def create_card_command(family: str, package_arn: str, stack_file: str = "<this stack file>") -> str:
    """The command that creates the card of an Approved version (docs/promotion.md, Model cards)."""
    return (
        f"python -m pipelines.promotion --stack-file {stack_file} "
        f"--model {family} --package-arn {package_arn} --model-card-only"
    )
