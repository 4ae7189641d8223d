"""JSON documents that hold ``pulumi.Output`` values (IAM policies, dashboards), rendered to text.

:func:`json_text` gives what ``pulumi.Output.json_dumps`` gives: the same text, secret if any value
in the document is, unknown at preview if any is, and depending on every resource whose output it
holds. ``json_dumps`` gets there by lifting the whole document into Outputs first
(``Output.from_input`` makes an Output, and event-loop work, of every string, number, list and
object in it); a plan of 200 endpoints renders ~1,800 policy documents and dashboards, and the
lifting was a fifth of its CPU. Here only the document's own Outputs are awaited, with one
``Output.all``, and the rest is dumped as it is.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

_PLAIN = (str, int, float, bool, type(None))


class _Hole:
    """Where the document's ``index``-th Output goes."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class _NotPlain(Exception):
    """The document holds something other than JSON values and Outputs."""


def json_text(document: pulumi.Input[Any]) -> pulumi.Output[str]:
    """``document`` (dicts with string keys, lists, tuples, JSON scalars and Outputs of anything
    ``json.dumps`` renders) as JSON text, exactly as ``pulumi.Output.json_dumps(document)``.

    Anything else in the document (an awaitable, an input-type class, a non-string key) is left to
    ``json_dumps`` itself, which knows how to lift it."""
    outputs: list[pulumi.Output[Any]] = []
    try:
        shape = _shape(document, outputs)
    except _NotPlain:
        return pulumi.Output.json_dumps(document)
    if not outputs:
        return pulumi.Output.from_input(json.dumps(shape))
    return pulumi.Output.all(*outputs).apply(lambda values: json.dumps(_filled(shape, values)))


def _shape(node: Any, outputs: list[pulumi.Output[Any]]) -> Any:
    """``node`` with each Output replaced by a hole (appended to ``outputs``), tuples as lists."""
    if isinstance(node, pulumi.Output):
        outputs.append(node)
        return _Hole(len(outputs) - 1)
    if isinstance(node, dict):
        if not all(type(key) is str for key in node):
            raise _NotPlain
        return {key: _shape(value, outputs) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_shape(value, outputs) for value in node]
    if isinstance(node, _PLAIN):
        return node
    raise _NotPlain


def _filled(node: Any, values: list[Any]) -> Any:
    if isinstance(node, _Hole):
        return values[node.index]
    if isinstance(node, dict):
        return {key: _filled(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_filled(value, values) for value in node]
    return node
