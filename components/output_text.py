"""Text built from ``pulumi.Output`` values: JSON documents (IAM policies, dashboards) and joined
strings (ARNs, S3 URIs), as ``Output.json_dumps`` and ``Output.concat`` build them.

Each gives the same text as the SDK's function, secret if any piece is, unknown at preview if any
is, and depending on every resource whose output it holds. The SDK's functions get there by
lifting every piece into an Output first (``Output.from_input`` makes an Output, and event-loop
work, of every string, number, list and object of a document, and of each plain part of a
``concat``); a plan of 200 endpoints renders ~1,800 documents and ~5,000 joined strings, and the
lifting was a fifth of its CPU. Here only the Outputs themselves are awaited, with one
``Output.all`` (or one ``apply`` when there is one), and the plain pieces are used as they are.
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


def concat(*parts: pulumi.Input[str]) -> pulumi.Output[str]:
    """``parts`` joined, exactly as ``pulumi.Output.concat(*parts)``; a part that is neither a
    string nor an Output (an awaitable) leaves the whole to ``Output.concat``."""
    texts = [part for part in parts if isinstance(part, str | pulumi.Output)]
    if len(texts) < len(parts):
        return pulumi.Output.concat(*parts)
    outputs = [part for part in texts if isinstance(part, pulumi.Output)]
    if not outputs:
        strings = [part for part in texts if isinstance(part, str)]  # all of them: no Output
        return pulumi.Output.from_input("".join(strings))

    def joined(values: list[Any]) -> str:
        resolved = iter(values)
        return "".join(next(resolved) if isinstance(part, pulumi.Output) else part for part in texts)

    if len(outputs) == 1:
        # A value that is not text yet (an Output or a list holding one, from an async apply) is
        # left to Output.concat, which lifts it; the apply flattens what that returns.
        return outputs[0].apply(
            lambda value: joined([value]) if isinstance(value, str) else pulumi.Output.concat(*parts)
        )
    return pulumi.Output.all(*outputs).apply(joined)
