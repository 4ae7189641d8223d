"""The Pulumi SDK's ``serialize_property``, ``deserialize_property`` and settings reads, shortened
for plain values, for the offline planner and the tests.

Registering a resource, the SDK serialises every input value with
``pulumi.runtime.rpc.serialize_property``, a coroutine that asks each value, in turn, whether it is
a sequence (an ABC check), an unknown, a resource, an asset, an archive, an awaitable, an Output, an
input type, a mapping, a protobuf value, and finally a legal protobuf value, and returns text,
numbers, booleans and None as they are. A 50-endpoint recording makes about 118,000 such calls,
89,000 of them for such scalars, each nested value of a list or dict one more; the mock monitor
and the SDK read the wire's values back with ``deserialize_property`` (88,000 calls), which asks
each value whether it is the unknown marker, a list or a struct. And the SDK reads its
settings (``pulumi.runtime.settings.SETTINGS``, context-variable properties) about 365,000 times,
each ``ContextProperty.__get__`` reading the context variable twice.

:func:`install` replaces the three, only over the SDK release they were compared with (the SHA-256
of each function's source, pulumi 3.272.0):

* :func:`serialize_property` answers a value whose exact type is ``str``, ``int``, ``float``,
  ``bool`` or ``None`` itself (what the SDK's walk returns for it: none of its checks matches such
  a value until the last), and a ``list`` or ``tuple`` of nothing but such values with a new list
  of them; it asks ``unwrap_type`` and ``_get_list_element_type`` as the SDK's does, so a type hint
  they refuse raises the same error. Anything else, and every ``return_protobuf_value`` call, is
  the SDK's own function. The SDK's recursive calls go through the module's name, so they get the
  shortcut too.
* :func:`deserialize_property` answers a wire scalar (text, number, boolean, None) other than the
  unknown marker itself, as the SDK's does; the marker, lists and structs are the SDK's.
* ``ContextProperty.__get__`` reads the context variable once, not twice (the read has no side
  effect), and answers as before: the property itself for a class access or a dict value.

The recorder (:mod:`planner.recorder`) installs them when imported, with the type memo
(:mod:`planner.sdk_type_memo`) and under the same switch (``MLOPS_LAZY_PROVIDER_IMPORTS=0`` turns
them off); the program ``pulumi up`` runs (``__main__.py``) does not import the planner, so a real
deployment runs the SDK as released.
"""

from __future__ import annotations

from typing import Any

from pulumi import _types, _utils
from pulumi.runtime import rpc

from planner.schema_numbers import SCALAR_TYPES
from planner.sdk_source import source_sha256

SDKS_SERIALIZE_PROPERTY = rpc.serialize_property
"""The SDK's function as released, kept for the comparison in the tests and for every value the
shortcut does not answer."""

SDKS_DESERIALIZE_PROPERTY = rpc.deserialize_property
"""The SDK's reading of one value of the mock monitor's request or response, as released."""

SDKS_CONTEXT_GET = _utils.ContextProperty.__get__
"""The SDK's settings read as released."""

SDKS_SOURCE_SHA256 = {
    "serialize_property": "7e1361fad73506d2c78408541126e705a07da73e5ef44e348e369394f3e30a7a",
    "deserialize_property": "662b333c8c26d2708fa7f7745c712def4e8bc98a844c1ab9bac1e266f48a2cb5",
    "ContextProperty.__get__": "9ad2f80adadba86b823dc23a7599102d744dc66a14a961fffadc7f08cb4af8a9",
}
"""SHA-256 of the source of each function in the release the shortcuts match (pulumi 3.272.0)."""

_SEQUENCES = (list, tuple)


async def serialize_property(
    value: Any,
    deps: Any,
    property_key: Any,
    resource_obj: Any = None,
    input_transformer: Any = None,
    typ: Any = None,
    keep_output_values: bool = False,
    exclude_resource_refs_from_deps: bool = False,
    return_protobuf_value: bool = False,
) -> Any:
    """The SDK's ``serialize_property`` (same parameters and answers), scalars answered first."""
    if not return_protobuf_value:
        value_type = type(value)
        if value_type in SCALAR_TYPES:
            if typ:
                _types.unwrap_type(typ)  # the SDK's first step; its errors stay
            return value
        if value_type in _SEQUENCES:
            for item in value:
                if type(item) not in SCALAR_TYPES:
                    break
            else:
                unwrapped = _types.unwrap_type(typ) if typ else typ
                element_type = rpc._get_list_element_type(None if unwrapped is Any else unwrapped)
                if value and element_type:
                    _types.unwrap_type(element_type)  # each item's first step in the SDK's walk
                return list(value)
    return await SDKS_SERIALIZE_PROPERTY(
        value,
        deps,
        property_key,
        resource_obj,
        input_transformer,
        typ,
        keep_output_values,
        exclude_resource_refs_from_deps,
        return_protobuf_value,
    )


def deserialize_property(
    value: Any, keep_unknowns: bool | None = None, keep_internal: bool | None = True
) -> Any:
    """The SDK's ``deserialize_property`` (same parameters and answers), scalars answered first."""
    # A scalar other than the unknown marker is its own answer (the SDK's two isinstance checks
    # fail for it); the marker, lists and structs are the SDK's.
    if type(value) in SCALAR_TYPES and value != rpc.UNKNOWN:
        return value
    return SDKS_DESERIALIZE_PROPERTY(value, keep_unknowns, keep_internal)


def _context_get(self: Any, obj: Any, _: Any) -> Any:
    """``ContextProperty.__get__`` with one read of the context variable."""
    if obj is None:
        return self
    value = self._data.get(self._ContextProperty__default)
    return self if isinstance(value, dict) else value


def is_the_known_release() -> bool:
    """Whether the SDK's three functions are the ones the shortcuts were compared with."""
    return (
        source_sha256(SDKS_SERIALIZE_PROPERTY) == SDKS_SOURCE_SHA256["serialize_property"]
        and source_sha256(SDKS_DESERIALIZE_PROPERTY) == SDKS_SOURCE_SHA256["deserialize_property"]
        and source_sha256(SDKS_CONTEXT_GET) == SDKS_SOURCE_SHA256["ContextProperty.__get__"]
    )


def is_installed() -> bool:
    return (
        rpc.serialize_property is serialize_property
        and rpc.deserialize_property is deserialize_property
        and _utils.ContextProperty.__get__ is _context_get
    )


def install() -> None:
    """Install the three shortcuts, if the SDK is the release they match."""
    if is_installed() or not is_the_known_release():
        return
    rpc.serialize_property = serialize_property
    rpc.deserialize_property = deserialize_property
    _utils.ContextProperty.__get__ = _context_get  # type: ignore[method-assign]


def uninstall() -> None:
    """Put the SDK's own functions back (the tests and the benchmark compare both)."""
    rpc.serialize_property = SDKS_SERIALIZE_PROPERTY
    rpc.deserialize_property = SDKS_DESERIALIZE_PROPERTY
    _utils.ContextProperty.__get__ = SDKS_CONTEXT_GET  # type: ignore[method-assign]
