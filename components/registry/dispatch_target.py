"""Where an approval is dispatched to: a GitHub repository and a ``repository_dispatch`` event type,
as a stack file names them (no Pulumi: the stack file's configuration model checks them before
anything is planned)."""

from __future__ import annotations

import re

REPOSITORY_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$"
"""``owner/name`` as GitHub spells them: an owner of 1-39 letters, digits and hyphens, a name of
1-100 letters, digits, ``.``, ``_`` and ``-``."""
EVENT_TYPE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
"""A ``repository_dispatch`` event type the deploy workflow lists under ``on.repository_dispatch.types``."""


def repository_problem(repository: str) -> str | None:
    if re.fullmatch(REPOSITORY_PATTERN, repository) and repository.split("/")[1] not in (".", ".."):
        return None
    return f"'{repository}' is not a GitHub repository as owner/name (e.g. my-org/mlops-platform)"


def event_type_problem(event_type: str) -> str | None:
    if re.fullmatch(EVENT_TYPE_PATTERN, event_type):
        return None
    return f"'{event_type}' is not an event type: 1-100 lower-case letters, digits, '.', '_' or '-'"
