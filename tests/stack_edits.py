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
