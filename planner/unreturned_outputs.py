"""What a mocked result leaves out is unknown at every depth, as at a preview, not a known None.

The recorder marks each registration's result "unknown" to the SDK, so an output the mocks leave
out altogether resolves as unknown (:mod:`planner.recorder`). That flag reaches only the top level:
a field missing from an object the mocks do return (an EKS cluster's
``vpcConfig.clusterSecurityGroupId`` beside the echoed subnets), and a value a mock returns as None,
still resolved as a known None. At a preview the provider returns such a field as unknown, and the
SDK (pulumi 3.272, ``rpc.resolve_outputs``) deserialises a registration's result keeping its
unknowns, at any depth: a top-level output holding one is unknown as a whole (``_OutputData``), so
an apply over it does not run and an input computed from it is unknown.

:func:`with_unreturned_unknown` fills the mocked result in accordingly, from the provider SDK's own
output types (the generated ``@pulumi.output_type`` classes): each declared field of an output
object that the result leaves out, or returns as None where the program did not set None, becomes
the SDK's ``Unknown``, sent on the wire as the engine's unknown. A top-level None is left out (the
"unknown" result resolves it as unknown). What the mocks return, and what the program set, stay
known. A type no imported SDK declares is left as it is.
"""

from __future__ import annotations

import collections.abc
import functools
import typing
from collections.abc import Collection, Mapping
from typing import Any

from pulumi import _types as pulumi_types
from pulumi.output import Unknown

from planner.schema_numbers import SCALAR_TYPES, resource_class

_NOT_SET = object()
"""What the program's inputs hold where they hold nothing (a None there was set by the program)."""


def with_unreturned_unknown(
    type_token: str,
    state: Mapping[str, Any],
    inputs: Mapping[str, Any],
    computed: Collection[str] = (),
) -> tuple[dict[str, Any], bool]:
    """``state`` (a mocked result, wire names) with what the mocks do not know made unknown, and
    whether it made any value unknown below the top level.

    ``computed``: the dotted paths (``vpcConfig.clusterSecurityGroupId``, no list indices) of the
    fields the provider fills in inside objects the program sets."""
    types = _output_types(type_token)
    marked = [False]
    result: dict[str, Any] = {}
    for key, value in state.items():
        if value is None:
            continue  # resolved as unknown: the result is "unknown" to the SDK
        hint = types.get(key)
        echo = inputs.get(key, _NOT_SET)
        if (
            hint is None
            or type(value) in SCALAR_TYPES
            or (_echoed(value, echo) and not _computed_under(computed, key))
        ):
            # Nothing to fill: a scalar, a type the SDK does not declare, or the program's own value
            # echoed whole (the same keys, list lengths and Nones at every depth, so the walk below
            # would copy it unchanged), with no field the provider computes inside it.
            result[key] = value
            continue
        result[key] = _filled(value, hint, echo, (computed, key), marked)
    return result, marked[0]


def _echoed(value: Any, echo: Any) -> bool:
    if value is echo:
        return True
    try:
        return bool(value == echo)
    except Exception:  # a value that cannot be compared: walk it
        return False


def _computed_under(computed: Collection[str], key: str) -> bool:
    prefix = f"{key}."
    return any(path.startswith(prefix) for path in computed)


def _filled(value: Any, hint: Any, echo: Any, where: tuple[Collection[str], str], marked: list[bool]) -> Any:
    if hint is None or type(value) in SCALAR_TYPES:
        return value
    kind, argument = _kind(hint)
    computed, path = where
    if kind == "object" and isinstance(value, Mapping):
        filled = dict(value)
        for name, field_hint in argument.items():
            field_path = f"{path}.{name}"
            if name in value:
                given = echo.get(name, _NOT_SET) if isinstance(echo, Mapping) else _NOT_SET
                filled[name] = _item(value[name], field_hint, given, (computed, field_path), marked)
            elif echo is _NOT_SET or field_path in computed:
                # Not set by the program (an object only the provider returns), or computed by it.
                filled[name] = Unknown()
                marked[0] = True
        return filled
    if kind == "list" and isinstance(value, list):
        echoes = echo if isinstance(echo, list) and len(echo) == len(value) else [_NOT_SET] * len(value)
        return [
            _item(item, argument, given, where, marked) for item, given in zip(value, echoes, strict=True)
        ]
    if kind == "map" and isinstance(value, Mapping):
        given_map = echo if isinstance(echo, Mapping) else {}
        return {
            key: _item(item, argument, given_map.get(key, _NOT_SET), where, marked)
            for key, item in value.items()
        }
    return value


def _item(value: Any, hint: Any, echo: Any, where: tuple[Collection[str], str], marked: list[bool]) -> Any:
    """A field's or an item's value: a None the mocks return where the program did not set one is
    unknown (the mocks do not know it)."""
    if value is None and echo is not None:
        marked[0] = True
        return Unknown()
    return _filled(value, hint, echo, where, marked)


@functools.cache
def _output_types(type_token: str) -> Mapping[str, Any]:
    """Wire name → type of a resource's outputs, from its SDK class; empty for an unknown type."""
    found = resource_class(type_token)
    if found is None:
        return {}
    try:
        return pulumi_types.resource_types(found)
    except Exception:  # an annotation the SDK itself cannot resolve: leave the result alone
        return {}


def _kind(hint: Any) -> tuple[str, Any]:
    try:
        return _kind_cached(hint)
    except TypeError:  # an unhashable annotation: work it out each time
        return _kind_cached.__wrapped__(hint)


@functools.lru_cache(maxsize=4096)
def _kind_cached(hint: Any) -> tuple[str, Any]:
    """``object`` with an output type's wire name → field type, ``list`` or ``map`` with the item
    type, or ``other``."""
    hint = pulumi_types.unwrap_type(hint)
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (list, collections.abc.Sequence) and arguments:
        return "list", arguments[0]
    if origin in (dict, collections.abc.Mapping) and len(arguments) == 2:
        return "map", arguments[1]
    if isinstance(hint, type) and pulumi_types.is_output_type(hint):
        try:
            return "object", pulumi_types.output_type_types(hint)
        except Exception:  # an annotation the SDK cannot resolve: leave the object alone
            return "other", None
    return "other", None
