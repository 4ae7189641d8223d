"""Integers back as integers: the wire (a protobuf ``Struct``) carries every number as a float.

``retentionInDays: 30`` reaches the mock monitor as ``30.0``. Where the provider's schema types
an input as an integer, the provider sends an integer to the cloud, so the recorded graph (and the
plan's JSON) should say ``30``. The schema is read from the provider SDK's own input types (the
generated ``<Resource>Args`` classes and their nested ``...Args`` types, whose annotations say
``int`` or ``float``): a number typed ``float`` (a threshold, a target value) stays a float, and
so does anything the SDK does not type (a JSON document, an unknown resource type). A number in
an int-or-string (``Union[int, str]``, Kubernetes' ports) is the int.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import sys
import typing
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import _types as pulumi_types
from pulumi.runtime import rpc

SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
"""The wire's scalars: most values a recording walks are text or numbers, and the walks (the
recorder's, the unknowns' and this module's) tell them by their exact type, cheaper than the ABCs'
isinstance checks (a 200-endpoint plan walks about 500,000 values)."""


def with_schema_integers(type_token: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """``properties`` (wire names) with whole floats made ints where the schema says integer."""
    types = _resource_input_types(type_token)
    return {key: _typed(value, types.get(key)) for key, value in properties.items()}


def resource_input_types(type_token: str) -> Mapping[str, Any]:
    """Wire name → annotated type of each input of ``type_token`` its SDK declares (empty for a
    type no imported SDK registers)."""
    return _resource_input_types(type_token)


@functools.cache
def _resource_input_types(type_token: str) -> Mapping[str, Any]:
    """Wire name → annotated type of a resource's inputs, from its SDK's ``<Name>Args`` class."""
    found = resource_class(type_token)
    module_of_class = sys.modules.get(getattr(found, "__module__", ""))
    args_class = getattr(module_of_class, f"{type_token.rsplit(':', 1)[-1]}Args", None)
    if args_class is not None and pulumi_types.is_input_type(args_class):
        return _input_types(args_class)
    return {}


@functools.cache
def resource_class(type_token: str) -> type | None:
    """The SDK's resource class for ``type_token`` (``aws:eks/cluster:Cluster``), from the modules
    its package registered; None for a type no imported SDK registers."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return None
    package, module, _ = parts
    for resource_module in rpc._RESOURCE_MODULES.get(f"{package}:{module}", []):
        info = getattr(resource_module, "mod_info", None)  # the SDKs' generated registry entries
        if not isinstance(info, Mapping) or type_token not in info.get("classes", {}):
            continue
        found = getattr(sys.modules.get(info["fqn"]), info["classes"][type_token], None)
        if isinstance(found, type):
            return found
    return None


@functools.cache
def _input_types(args_class: type) -> Mapping[str, Any]:
    try:
        return pulumi_types.input_type_types(args_class)
    except Exception:  # an annotation the SDK itself cannot resolve: leave the numbers alone
        return {}


# Values every annotation leaves as they are (only a float becomes an int, only lists and
# mappings are walked): answered without working out the annotation.
_UNCHANGED = SCALAR_TYPES - {float}


def _typed(value: Any, hint: Any) -> Any:
    if hint is None or type(value) in _UNCHANGED:
        return value
    kind, argument = _kind(hint)
    if kind is _Kind.INT:
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if kind is _Kind.LIST and isinstance(value, list):
        return [_typed(item, argument) for item in value]
    if kind is _Kind.MAP and isinstance(value, Mapping):
        return {key: _typed(item, argument) for key, item in value.items()}
    if kind is _Kind.ARGS and isinstance(value, Mapping):
        return {key: _typed(item, argument.get(key)) for key, item in value.items()}
    return value


class _Kind(enum.Enum):
    """What an annotation makes of a number (INT), a list or a map's items, an args class's fields."""

    INT = enum.auto()
    LIST = enum.auto()
    MAP = enum.auto()
    ARGS = enum.auto()
    OTHER = enum.auto()


def _kind(hint: Any) -> tuple[_Kind, Any]:
    """The annotation's kind and what its items are typed by (the item annotation, or an args
    class's wire name → annotation map)."""
    try:
        return _kind_cached(hint)
    except TypeError:  # an unhashable annotation: work it out each time
        return _kind_uncached(hint)


# Every resource of a type asks again about the same few hundred annotations: working each one
# out (typing's get_origin/get_args over the SDK's Input/Optional/Union wrappers) once, not once
# per value, took the conversion from 4 % to under 2 % of the SDK floor's profile.
@functools.lru_cache(maxsize=4096)
def _kind_cached(hint: Any) -> tuple[_Kind, Any]:
    return _kind_uncached(hint)


def _kind_uncached(hint: Any) -> tuple[_Kind, Any]:
    hint = _concrete(hint)
    if hint is int or _int_or_string(hint):
        return _Kind.INT, None
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (list, collections.abc.Sequence) and arguments:
        return _Kind.LIST, arguments[0]
    if origin in (dict, collections.abc.Mapping) and len(arguments) == 2:
        return _Kind.MAP, arguments[1]
    if isinstance(hint, type) and pulumi_types.is_input_type(hint):
        return _Kind.ARGS, _input_types(hint)
    return _Kind.OTHER, None


def _int_or_string(hint: Any) -> bool:
    """Kubernetes' IntOrString (``Union[int, str]``): a number there can only be the int."""
    return set(_options(hint)) == {int, str}


def _options(hint: Any) -> list[Any]:
    """The members of a union that a plain value can be (no None, awaitable, Output or TypedDict)."""
    if typing.get_origin(hint) is not typing.Union:
        return []
    return [
        option
        for option in typing.get_args(hint)
        if option is not type(None)
        and typing.get_origin(option) not in (collections.abc.Awaitable, pulumi.Output)
        and option is not pulumi.Output
        and not (isinstance(option, type) and typing.is_typeddict(option))
    ]


def _concrete(hint: Any) -> Any:
    """``Input[Optional[Sequence[Input[X]]]]`` → ``Sequence[Input[X]]``; a union of an args class
    and its TypedDict → the args class; a union of unrelated types stays as it is. Worked out once
    per annotation through :func:`_kind`'s cache."""
    hint = pulumi_types.unwrap_type(hint)
    options = _options(hint)
    if len(options) == 1:
        return _concrete(options[0])
    return hint
