"""What a request table is made of: one :class:`Call` per API call a Pulumi type's creation makes.

Shared by the tables of ``tests/aws_requests.py`` and ``tests/foundation_requests.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Member = str | Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One API call the provider makes to create the resource, and the inputs it carries."""

    service: str
    operation: str
    members: Mapping[str, Member]
    provider_fills: Mapping[str, Any] = field(default_factory=dict)
    renames: Mapping[str, str] = field(default_factory=dict)
    """Nested provider names that differ from the API's by more than case."""
    combined: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    """API members built from several inputs together (a security group rule's peer and the
    description the provider puts beside it); the inputs it reads map to :func:`combined_input`."""


def combined_input(value: Any) -> dict[str, Any]:
    """An input that :attr:`Call.combined` places, not a member of its own."""
    return {}


class UnmappedInput(KeyError):
    """A recorded input that no call of its type carries."""


def tag_list(value: Mapping[str, str]) -> dict[str, Any]:
    return {"Tags": [{"Key": key, "Value": item} for key, item in value.items()]}
