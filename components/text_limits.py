"""How much of a value, or of a list of names, an error message repeats.

Shared by the stack-file reader (stacks/input_limits.py), which runs in every plan before the
configuration model or any component is imported (and in the recorder the bench's SDK floor
measures), and by the components' own argument checks (components/limits.py re-exports it): so
this module imports only the standard library, neither pydantic nor anything of the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

ECHO_LIMIT: Final = 80
"""Characters of a value an error message repeats."""


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis that says how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


LISTED_LIMIT: Final = 30
"""Names a message lists (the features a key may name): more are counted, not shown."""


def listed(names: Sequence[str], limit: int = LISTED_LIMIT) -> str:
    """``names`` joined with commas, the first ``limit`` of them and how many more, each name cut
    at :data:`ECHO_LIMIT` characters: a message lists the values a key may take from a list the
    file declares (a feature group's 2,500 features at most, 40 metric definitions of up to 255
    characters) in at most some 3,000 characters, whatever the list, so the instruction that
    follows the list is never cut."""
    shown = ", ".join(shorten(str(name)) for name in names[:limit])
    if len(names) <= limit:
        return shown
    return f"{shown} and {len(names) - limit:,} more"
