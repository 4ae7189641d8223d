"""What Python's ``json`` reads but JSON (RFC 8259) has not, in a file a team writes (the
explainability monitor's analysis config template): a key given twice in one object, and ``NaN``
or ``Infinity``. Python keeps a repeated key's last value, silently dropping the first; other
readers keep either or refuse the document; and a NaN read here is written on into what Clarify
reads."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Location = tuple[str | int, ...]


def noting_repeats(repeated: dict[int, list[str]]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A ``json.loads`` ``object_pairs_hook`` building each object as ``json`` does (a key's last
    value) and noting in ``repeated``, by the object's id, each key given more than once in it."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) < len(pairs):
            keys = [key for key, _ in pairs]
            repeated[id(value)] = [key for key in value if keys.count(key) > 1]
        return value

    return build


def json_only_problems(document: object, repeated: Mapping[int, Sequence[str]]) -> list[tuple[Location, str]]:
    """Each repeated key (``repeated``: :func:`noting_repeats`'s, for the objects of ``document``)
    and each NaN or infinity of ``document``, with its key path, in the document's order."""
    problems: list[tuple[Location, str]] = []
    pending: list[tuple[Location, object]] = [((), document)]
    while pending:  # not recursive: as deep as json.loads nests, not as a Python stack
        location, value = pending.pop()
        if isinstance(value, dict):
            problems += [
                (
                    (*location, key),
                    "given more than once in its object: JSON readers keep one of the values (Python the "
                    "last) or refuse it; give the key once",
                )
                for key in repeated.get(id(value), ())
            ]
            pending += [((*location, key), item) for key, item in reversed(value.items())]
        elif isinstance(value, list):
            pending += [((*location, index), item) for index, item in reversed(list(enumerate(value)))]
        elif isinstance(value, float) and not math.isfinite(value):
            written = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
            problems.append(
                (location, f"{written}: JSON has no NaN or Infinity (Python reads them); give a number")
            )
    return problems
