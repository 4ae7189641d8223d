"""How much of a value, or of a list of names, an error message repeats.

Shared by the stack-file reader (stacks/input_limits.py), which runs in every plan before the
configuration model or any component is imported (and in the recorder the bench's SDK floor
measures), and by the components' own argument checks (components/limits.py re-exports it): so
this module imports only the standard library, neither pydantic nor anything of the platform.

A list of names :func:`listed` composes is said once per stack file: :func:`lists_said_once`
(which ``stacks.config.ConfigError`` applies to every error) has the later problems holding the
same list point to the key of the first (``listed at <key>``), whichever check wrote them; a new
check listing names gets that by calling :func:`listed`, with no code of its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
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
    text = shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"
    if len(names) > 1:
        _remember(text)
    return text


def each_once(values: list[str], what: str, why: str = "") -> list[str]:
    """``values`` when no name is in it twice, else ValueError naming the repeated ones:
    ``duplicate column(s) a, b`` and ``why`` (a list a spec validates, pydantic naming its key)."""
    duplicates = sorted({name for name in values if values.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate {what}(s) {listed(duplicates)}{why}")
    return values


RECENT_LISTS: Final = 256
"""Lists :func:`listed` remembers for :func:`lists_said_once`: far more distinct lists than the
problems of one file hold (each check lists one or two per family, group or map)."""

_recent: dict[str, None] = {}
"""The texts :func:`listed` returned for two names or more since :func:`forget_lists` (a stack
file's reading began), the newest last (a dict's order)."""


def forget_lists() -> None:
    """Forget the lists composed so far: called where the reading of a stack file begins
    (``read_stack_file``, ``offline_platform_config``, the program's ``load_config``), so a list an
    earlier file (or an earlier test, or a component's own message) listed is not taken for a list
    in this file's problems, where the same text can be a value the user wrote."""
    _recent.clear()


def _remember(text: str) -> None:
    _recent.pop(text, None)
    _recent[text] = None
    while len(_recent) > RECENT_LISTS:
        try:
            del _recent[next(iter(_recent))]
        except (KeyError, RuntimeError, StopIteration):  # another thread trimmed it first
            break


POINTER: Final = "listed at {key}"
"""What a problem says in place of a list of names an earlier problem of its file lists."""

POINTER_SAME_KEY: Final = "listed at {key} in its first problem"
""":data:`POINTER` where the earlier problem is at this problem's own key (a key several problems
share, such as ``monitoring.drift_features`` for each endpoint of a wide family): the bare pointer
would name the key the reader is reading."""


def lists_said_once(problems: Sequence[tuple[Hashable, str, str]], shown: int, cut: int) -> list[str]:
    """The messages of ``problems`` (each its file, the key it is at as shown, its message) with
    each list of two names or more that :func:`listed` composed said once per file: the first
    problem holding it lists it, the later ones say ``listed at <its key>`` (:data:`POINTER`;
    ``... in its first problem`` at that same key, :data:`POINTER_SAME_KEY`) instead, whichever check wrote them (40 endpoints naming an unknown family, 500 unknown keys of
    one map each listing the keys allowed there). Only what a reader sees is read: the first
    ``shown`` problems, the first ``cut`` characters of each."""
    messages = [message for _, _, message in problems]
    # A reader sees the first ``cut`` characters of the first ``shown`` problems: only there is a
    # list looked for (a flood of 1 MB messages is not scanned whole); the rest keep theirs.
    if min(len(messages), shown) < 2:
        return messages
    everything = "\n".join(message[:cut] for message in messages[:shown])
    texts = sorted((text for text in list(_recent) if text in everything), key=len, reverse=True)
    if not texts:
        return messages
    first: dict[tuple[Hashable, str], tuple[int, str]] = {}
    for number, (scope, key, message) in enumerate(problems[:shown]):
        parts, end = [], 0
        for start, text in _lists_in(message, texts, cut):
            parts.append(message[end:start])
            end = start + len(text)
            at = first.setdefault((scope, text), (number, key))
            pointer = POINTER_SAME_KEY if at[1] == key else POINTER
            parts.append(text if at[0] == number else pointer.format(key=at[1]))
        if parts:
            messages[number] = "".join(parts) + message[end:]
    return messages


def _lists_in(message: str, texts: Sequence[str], cut: int) -> list[tuple[int, str]]:
    """Where ``texts`` (longest first) stand whole in the first ``cut`` characters of ``message``,
    none inside another: each start and text, in order. A text is whole when no name goes on
    before or after it (``a, b`` is not read in ``a, b, c`` nor in ``x, a, b``), and it is not quoted:
    a value a message echoes (``'a, b' is not a model family``, :func:`repr` or ``'{value}'``) is
    what the user wrote, never replaced."""
    found: list[tuple[int, str]] = []
    for text in texts:
        start = message.find(text, 0, cut)
        while start != -1:
            end = start + len(text)
            whole = not (
                _goes_on(message[start - 1 : start])
                or message[max(start - 2, 0) : start] == ", "
                or _goes_on(message[end : end + 1])
                or message[end : end + 1] == ","
                or message[start - 1 : start] in _QUOTES
                or message[end : end + 1] in _QUOTES
            )
            if whole and all(end <= at or start >= at + len(other) for at, other in found):
                found.append((start, text))
            start = message.find(text, start + 1, cut)
    return sorted(found)


_QUOTES: Final = ("'", '"')


def _goes_on(character: str) -> bool:
    """Whether ``character`` (none at either end of a message) is part of a name."""
    return character != "" and (character.isalnum() or character in "_-/")
