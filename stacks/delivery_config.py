"""The ``delivery`` section of a stack: how the platform hands work to the deploy workflow.

``delivery.approval_dispatch`` wires the model registry's approval rules to GitHub: every approved
version of a family sends a ``repository_dispatch`` event to the repository, whose deploy workflow
then rolls it out to the next environment (docs/promotion.md). The token is never in the stack
file in clear: it is the secret stack value ``mlops-platform:approval_dispatch_token``
(``pulumi config set --secret approval_dispatch_token <token>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field, field_validator

from components.limits import SPEC_CONFIG
from components.registry.dispatch_target import event_type_problem, repository_problem
from stacks.project import TOKEN_CONFIG_NAME as TOKEN_CONFIG_NAME
from stacks.project import TOKEN_KEY as TOKEN_KEY

if TYPE_CHECKING:
    from stacks.config import PlatformConfig


class ApprovalDispatchConfig(BaseModel):
    """Approved model versions start the deploy workflow of a GitHub repository."""

    model_config = SPEC_CONFIG

    repository: str = Field(
        description="GitHub repository as owner/name whose deploy workflow (.github/workflows/deploy.yml) "
        "an approval starts; the token (secret stack value `approval_dispatch_token`, a fine-grained "
        "token with Contents: read and write on this repository only) may create its dispatch events."
    )
    event_type: str = Field(
        default="model-approved",
        description="The repository_dispatch event type; deploy.yml's `on.repository_dispatch.types` lists it.",
    )
    maximum_retry_attempts: Annotated[int, Field(ge=0, le=185)] = Field(
        default=24,
        description="Retries of a failed call to GitHub before the approval goes to the dead-letter queue.",
    )
    maximum_event_age_seconds: Annotated[int, Field(ge=60, le=86400)] = Field(
        default=3600, description="How long EventBridge keeps retrying one approval."
    )

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        problem = repository_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("event_type")
    @classmethod
    def _event_type(cls, value: str) -> str:
        problem = event_type_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class DeliveryConfig(BaseModel):
    """How the platform starts deployments by itself."""

    model_config = SPEC_CONFIG

    approval_dispatch: ApprovalDispatchConfig | None = Field(
        default=None,
        description="Send every model approval to the deploy workflow (GitHub repository_dispatch); "
        "without it an approval only reaches the approvals topic, and a rollout waits for the next "
        "push or a manual run.",
    )


def delivery_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """``delivery`` checks across sections, as (dotted key, message)."""
    if config.delivery.approval_dispatch is not None and not config.models:
        yield (
            "delivery.approval_dispatch",
            "the stack has no model families (models), so there is no approval to dispatch: add one, "
            "or remove approval_dispatch",
        )
