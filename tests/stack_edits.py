"""Edits of a fixture stack's ``mlops-platform:platform`` value, for ``write_stack(base, edit)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Edit = Callable[[dict[str, Any]], None]


def both(*edits: Edit) -> Edit:
    """The ``edits`` applied in order."""

    def edit(platform: dict[str, Any]) -> None:
        for one in edits:
            one(platform)

    return edit


def at(path: str, value: Any) -> Edit:
    """Set the dotted ``path`` (list indexes as numbers: ``endpoints.0.name``) of the platform value,
    creating the maps on the way."""

    def edit(platform: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node: Any = platform
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[int(leaf) if leaf.isdigit() else leaf] = value

    return edit
