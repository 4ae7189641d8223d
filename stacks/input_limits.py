"""Bounds on a stack file's input, checked before anything is built from it.

A stack file is small: the largest realistic one (fifty endpoints, a dozen model families) is
tens of kilobytes, a few thousand values and about ten levels deep. These limits are far above
that and far below what would make reading a file slow or deep enough to exhaust Python's
recursion limit, so a malformed or hostile file (a YAML alias bomb, thousands of nested
brackets, megabytes of tags) fails at once with a message instead of hanging or crashing:

- :data:`MAX_STACK_FILE_BYTES`: the file's size (also the structured value Pulumi passes the program).
- :data:`MAX_NESTING_DEPTH`: maps and lists inside each other, counted after alias expansion.
- :data:`MAX_VALUES`: values (maps, lists, scalars) of the document once every YAML alias is
  expanded: what any consumer walking the configuration visits.

:func:`shorten` bounds how much of a value an error message echoes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

# Shared with the components' own messages (a spec built from Python lists names bounded too); a
# standard-library module, so reading a stack file still imports no component and no pydantic.
from components.text_limits import ECHO_LIMIT as ECHO_LIMIT
from components.text_limits import LISTED_LIMIT as LISTED_LIMIT
from components.text_limits import forget_lists as forget_lists
from components.text_limits import listed as listed
from components.text_limits import lists_said_once as lists_said_once
from components.text_limits import shorten as shorten

MAX_STACK_FILE_BYTES: Final = 1024 * 1024
"""1 MiB: some 40 times the largest realistic stack file."""
MAX_NESTING_DEPTH: Final = 64
"""Nested maps and lists; a stack file's deepest key is about ten levels down."""
MAX_VALUES: Final = 50_000
"""Maps, lists and scalars after alias expansion; a large stack file has a few thousand."""


def echo(value: Any, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` for an error message, bounded (the repr of a huge value is never built whole);
    a string cut short says how many characters it has (not its repr)."""
    if isinstance(value, str):
        text = repr(value[: limit + 1])
        if len(value) <= limit and len(text) <= limit + 2:  # whole, its quotes not counted
            return text
        return f"{text[:limit]}… ({len(value):,} characters)"
    if isinstance(value, (Mapping, list, tuple)) and len(value) > limit:
        return f"a {type(value).__name__} of {len(value):,} items"
    try:
        text = repr(value)
    except RecursionError:
        return f"a nested {type(value).__name__}"
    return shorten(text, limit)


def size_problem(size: int, what: str = "a stack file") -> str | None:
    """Why ``size`` bytes is too large for ``what`` (a stack file, or the project file read as
    one), or None."""
    if size <= MAX_STACK_FILE_BYTES:
        return None
    return (
        f"is {size:,} bytes; {what} may be at most {MAX_STACK_FILE_BYTES:,} bytes (1 MiB), far more "
        "than any real stack needs"
    )


def depth_problem(depth: int) -> str:
    return f"nests maps and lists more than {MAX_NESTING_DEPTH} levels deep (a stack file needs about ten)"


def values_problem(through_aliases: bool) -> str:
    how = " once its YAML aliases are expanded (an alias bomb?)" if through_aliases else ""
    return f"holds more than {MAX_VALUES:,} values{how}; a stack file needs a few thousand"


def structure_problems(value: Any) -> Iterator[tuple[str, str]]:
    """Depth, size and cycles of an already-built value (a dict from JSON or YAML), iteratively.

    Yields at most one ``(dotted path relative to value, message)``. Objects shared between
    several places are counted at each place, as a consumer walking the value would visit them.
    Only maps and lists are visited one by one (scalars are counted by their collection's length),
    and a path is built only for the problem found.
    """
    # (collection, depth, ids of the collections holding it, trail: (parent trail, key) pairs)
    if not isinstance(value, (Mapping, list, tuple)):
        return
    stack: list[tuple[Any, int, frozenset[int], Any]] = [(value, 0, frozenset(), None)]
    count = 1
    while stack:
        node, depth, ancestors, trail = stack.pop()
        if id(node) in ancestors:
            yield _trail_path(trail), "contains itself (a recursive YAML alias)"
            return
        if depth >= MAX_NESTING_DEPTH:
            yield _trail_path(trail), depth_problem(depth)
            return
        count += len(node)
        if count > MAX_VALUES:
            yield _trail_path(trail), values_problem(through_aliases=False)
            return
        items = node.items() if isinstance(node, Mapping) else enumerate(node)
        inner = ancestors | {id(node)}
        for key, child in items:
            if isinstance(child, (Mapping, list, tuple)):
                stack.append((child, depth + 1, inner, (trail, key)))


def _trail_path(trail: Any) -> str:
    parts: list[str] = []
    while trail is not None:
        trail, key = trail
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).removeprefix(".")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_text_problem(text: str) -> str | None:
    """Why JSON ``text`` (a configuration value the engine passes) is not parsed, or None: larger
    than a stack file may be, or nested deeper than :data:`MAX_NESTING_DEPTH` (parsing would
    recurse once per level)."""
    problem = size_problem(len(text.encode("utf-8", "surrogatepass")))
    if problem:
        return f"the value {problem.removeprefix('is ')}"
    if json_depth_exceeds(text):
        return depth_problem(MAX_NESTING_DEPTH + 1)
    return None


def json_depth_exceeds(text: str) -> bool:
    """Whether JSON ``text`` nests deeper than :data:`MAX_NESTING_DEPTH` (checked before parsing,
    which would otherwise recurse once per level)."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False
