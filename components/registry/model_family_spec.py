"""A model family and its promotion bar as a stack file declares them (no Pulumi: the stack file's
configuration model reads them before anything is planned)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from ..limits import SPEC_CONFIG
from ..serving.inference_endpoint_spec import sagemaker_name_problem

ApprovalMode = Literal["auto", "manual"]
# What a new model version is registered with, per approval mode (consumed by the training pipeline).
APPROVAL_STATUS: dict[str, str] = {"auto": "Approved", "manual": "PendingManualApproval"}
CONSUMER_ACTIONS = [
    "sagemaker:DescribeModelPackageGroup",
    "sagemaker:DescribeModelPackage",
    "sagemaker:ListModelPackages",
]


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


class PromotionCriterion(_Spec):
    """The evaluation metric a version must reach to be promoted (approved)."""

    metric: str = Field(
        pattern=r"^metrics\.[a-z][a-z0-9_]*\.value$",
        description="Dotted path of the metric in the evaluation report, `metrics.<name>.value`, where "
        "<name> is one of the family's training.metrics.",
    )
    threshold: float | int = Field(description="The bar the metric must reach.")

    @property
    def metric_name(self) -> str:
        """``auc`` of ``metrics.auc.value``."""
        return self.metric.split(".")[1]

    @field_validator("threshold")
    @classmethod
    def _finite(cls, value: float | int) -> float | int:
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return value

    direction: Literal["maximize", "minimize"] = Field(
        default="maximize",
        description="`maximize`: metric >= threshold passes; `minimize`: metric <= threshold.",
    )

    def passes(self, value: float) -> bool:
        return value >= self.threshold if self.direction == "maximize" else value <= self.threshold


MAX_CONSUMER_ACCOUNTS = 250
"""Distinct ``consumer_accounts`` of a stack's families: each is listed twice in the artifacts bucket's
policy (reading and listing its models' folders), about 68 bytes an account on a base of about 1 KB,
and S3 refuses a bucket policy over 20 KB (20,480 bytes); 250 leaves room for the rest of the policy.
The data key's policy (KMS: 32 KB) and a family's model package group policy (SageMaker: 20,480
characters) list each account once."""


MAX_FAMILY_CONSUMER_ACCOUNTS = 500
"""A family's ``consumer_accounts`` in its model package group policy (ModelRegistry): about 34
characters an account on a base of under 1,000, and SageMaker refuses a policy over 20,480
characters (botocore ``PolicyString``). A stack's artifacts bucket holds fewer
(:data:`MAX_CONSUMER_ACCOUNTS` across its families)."""


def family_consumer_accounts_problem(family: ModelFamilySpec) -> str | None:
    """Why ``family``'s model package group policy would be too large for SageMaker, or None."""
    if len(family.consumer_accounts) > MAX_FAMILY_CONSUMER_ACCOUNTS:
        return (
            f"{len(family.consumer_accounts)} consumer accounts; a family takes at most "
            f"{MAX_FAMILY_CONSUMER_ACCOUNTS}: each is named in its model package group's policy, which "
            "SageMaker refuses over 20,480 characters"
        )
    return None


def consumer_accounts_problem(families: Sequence[ModelFamilySpec]) -> tuple[int, str] | None:
    """The index of the first family whose ``consumer_accounts`` bring the distinct accounts across
    ``families`` past :data:`MAX_CONSUMER_ACCOUNTS`, and why; None when they fit."""
    accounts: set[str] = set()
    for index, family in enumerate(families):
        accounts.update(family.consumer_accounts)
        if len(accounts) > MAX_CONSUMER_ACCOUNTS:
            return index, (
                f"{len(accounts)} distinct consumer accounts across the families (up to '{family.name}'); "
                f"the platform takes at most {MAX_CONSUMER_ACCOUNTS}: each is named in the artifacts bucket's "
                "policy, which S3 refuses over 20 KB (and in the model package group's, which SageMaker "
                "refuses over 20,480 characters)"
            )
    return None


def description_problem(text: str) -> str | None:
    """Why SageMaker would refuse ``text`` as a model package group's description (its
    ``EntityDescription``: ``[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*``, so no control or format
    character, not even a line break or a tab), or None."""
    for position, character in enumerate(text):
        if unicodedata.category(character).startswith("C"):
            return (
                f"{character!r} at position {position}: SageMaker takes letters, digits, spaces, punctuation "
                "and symbols only, no line break, tab or other control character (a YAML `>` or `|` block "
                "ends with a line break: write the description on one line)"
            )
    return None


class ModelFamilySpec(_Spec):
    """A model family: one model package group holding all its versions."""

    name: str = Field(description="Model package group name: 1-63 letters/digits, separated by -.")
    description: str = Field(
        default="", max_length=1024, description="Description of the model package group."
    )
    consumer_accounts: list[Annotated[str, Field(pattern=r"^[0-9]{12}$")]] = Field(
        default_factory=list,
        description="Accounts (staging/prod) allowed to read and deploy this family's versions. At most "
        f"{MAX_CONSUMER_ACCOUNTS} distinct accounts across the stack's families: each is named in the "
        "artifacts bucket's policy, which S3 limits to 20 KB.",
    )
    promotion: PromotionCriterion = Field(
        description="The bar a new version must clear: the training pipeline registers only versions "
        "whose evaluation passes it, and `pipelines.promotion` approves or rejects a version by it."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        # EntityName: the SageMaker name rule of endpoints (its pattern and its 63-character max).
        problem = sagemaker_name_problem(value, "model package group name")
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("description")
    @classmethod
    def _entity_description(cls, value: str) -> str:
        problem = description_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("consumer_accounts")
    @classmethod
    def _unique_accounts(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("duplicate account ids")
        return value
