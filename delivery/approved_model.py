"""What a ``model-approved`` repository_dispatch event asks the deploy workflow to do.

The event comes from a stack's ``delivery.approval_dispatch`` (components/registry/approval_dispatch.py):
its ``client_payload`` names the model family, the approved model package version and the stack
whose registry approved it. Anyone holding a token that may dispatch to the repository can send
one, so the payload is untrusted: every field is checked against a strict format and against the
stack files (the source stack must be one of them, the family one it trains, and the version must
be in that family's model package group, in the stack's account and region), and only the
environment after the source stack's in the promotion order is deployed (dev → staging, staging →
prod; an approval in prod's own registry deploys prod), passing over an environment without stack
files as a push run does (dev → prod where there is no staging stack). The environments' gates
stay as they are: prod still waits for its reviewers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from delivery.stacks import PROMOTION_ORDER, StackListing, StackTarget
from stacks.arns import MODEL_PACKAGE_VERSION_ARN
from stacks.aws_regions import PARTITION
from stacks.naming import STACK_NAME

# botocore patterns bound the letters and digits, not the `-` runs: each lookahead is the shape's max.
FAMILY: Final = re.compile(r"(?=.{1,63}\Z)[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
# Pulumi's own stack name rule (stackNameAndProjectRegexp): ``_scratch`` or ``.tmp`` is a valid stack,
# and its approvals carry that name (pulumi.get_stack()). The name is only looked up, never run.
STACK: Final = STACK_NAME
# A model package version ARN as the stack files' (stacks.arns): any partition, a version of 1-9 digits.
MODEL_PACKAGE_ARN: Final = MODEL_PACKAGE_VERSION_ARN
FIELDS: Final = ("family", "model_package_arn", "source_stack")


class DispatchError(ValueError):
    """The event is not a valid approval of a model version of one of the stacks."""


@dataclass(frozen=True)
class ApprovedModel:
    family: str
    model_package_arn: str
    source: StackTarget
    target_environment: str


def _field(payload: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        shown = json.dumps(value)[:80] if value is not None else "missing"
        raise DispatchError(f"client_payload.{name}: {shown} does not match {pattern.pattern}")
    return value


def next_environment(environment: str) -> str:
    """The environment after ``environment`` in the promotion order; the last one is its own."""
    position = PROMOTION_ORDER.index(environment)
    return PROMOTION_ORDER[min(position + 1, len(PROMOTION_ORDER) - 1)]


def target_environment(environment: str, listing: StackListing) -> str:
    """The environment an approval in a stack of ``environment`` deploys: the first one after it in
    the promotion order that has a valid stack file, as a push run skips an environment without
    any (a dev approval deploys prod where there is no staging stack); ``environment`` itself where
    no later one has a stack file (prod's, or staging's where there is no prod)."""
    listed = {target.environment for target in listing.targets}
    later = PROMOTION_ORDER[PROMOTION_ORDER.index(environment) + 1 :]
    return next((name for name in later if name in listed), environment)


def approved_model(event: Any, listing: StackListing) -> ApprovedModel:
    """Validate a repository_dispatch event (the JSON GitHub writes to ``$GITHUB_EVENT_PATH``)."""
    payload = event.get("client_payload") if isinstance(event, Mapping) else None
    if not isinstance(payload, Mapping):
        raise DispatchError("client_payload: missing or not an object")
    family = _field(payload, "family", FAMILY)
    arn = _field(payload, "model_package_arn", MODEL_PACKAGE_ARN)
    stack = _field(payload, "source_stack", STACK)
    source = next((target for target in listing.targets if target.stack == stack), None)
    if source is None:
        raise DispatchError(
            f"client_payload.source_stack: '{stack}' is not a valid stack file of this repository"
        )
    parts = MODEL_PACKAGE_ARN.fullmatch(arn)
    assert parts is not None
    if parts["partition"] != PARTITION:  # every stack's region is one of the aws partition's
        raise DispatchError(
            f"client_payload.model_package_arn: partition {parts['partition']} is not stack {stack}'s ({PARTITION})"
        )
    if (parts["account"], parts["region"]) != (source.account_id, source.region):
        raise DispatchError(
            f"client_payload.model_package_arn: not in stack {stack}'s account and region "
            f"({source.account_id}, {source.region})"
        )
    group = source.model_package_group(family)
    if group is None:
        raise DispatchError(f"client_payload.family: '{family}' is not a model family of stack {stack}")
    # SageMaker lower-cases a group's name in a version's ARN.
    if parts["group"].lower() != group.lower():
        raise DispatchError(
            f"client_payload.model_package_arn: group {parts['group']} is not model family {family}'s ({group})"
        )
    return ApprovedModel(family, arn, source, target_environment(source.environment, listing))


def read_event(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:  # RecursionError: nested too deep
        raise DispatchError(f"{path}: not a readable JSON event ({error})") from None
