"""The Pulumi SDK's ``contains_unknowns`` without a reference cycle per call, for the offline
planner and the tests.

The SDK asks ``pulumi.runtime.rpc.contains_unknowns`` whether a value holds an unknown for every
output it resolves and every input it serialises: about 9,800 times in a warm prod recording. Each
call defines a recursive inner function, and so builds a cycle (the function, the cell that lets
it call itself, the closure tuple; the ``set[int]`` alias of its annotation hangs from it) that
reference counting cannot free: 59,000 of the 74,000 objects a prod recording left to the cyclic collector
(``gc.DEBUG_SAVEALL``), and the collector's time to find them.

:func:`install` replaces it with :func:`contains_unknowns`, the same walk written as a module-level
function: the same answer for every value (unknowns found at any depth of dicts and lists, each
container visited once, so a container that holds itself ends the walk), ``known_types.is_unknown``
read at call time as the SDK's does. ``pulumi.output`` and the SDK's other callers reach it through
``rpc.contains_unknowns`` at call time, so one assignment serves them all.

It is the walk of the SDK's release this was written against (pulumi 3.272.0): :func:`install`
replaces only a function whose source is that one (:data:`SDKS_SOURCE_SHA256`), so a release that
changes the check (walks tuples, or frees its own cycle) keeps its own until this module is
compared with it again.

The recorder (:mod:`planner.recorder`) installs it when imported, with the type memo
(:mod:`planner.sdk_type_memo`) and under the same switch (``MLOPS_LAZY_PROVIDER_IMPORTS=0`` turns
both off); the program ``pulumi up`` runs (``__main__.py``) does not import the planner, so a real
deployment runs the SDK as released.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import known_types, rpc

from planner.schema_numbers import SCALAR_TYPES
from planner.sdk_source import source_sha256

SDKS_OWN = rpc.contains_unknowns
"""The SDK's function as released, kept for the comparison in the tests."""

SDKS_SOURCE_SHA256 = "1f1f335b6f48b96055607dbb5be2e53b1163e35ec88704c89a41271070017cc8"
"""SHA-256 of the source of ``pulumi.runtime.rpc.contains_unknowns`` in the releases this walk
matches (pulumi 3.272.0): the recursive inner ``impl`` over dicts and lists with a set of ids seen."""


def _holds_unknown(value: Any, seen: set[int]) -> bool:
    # Text, numbers and None are no unknown and hold nothing: answered by their exact type, before
    # the SDK's isinstance check and the ``seen`` set (an object the walk holds keeps its id, so
    # leaving them out of ``seen`` changes no answer).
    if type(value) in SCALAR_TYPES:
        return False
    if known_types.is_unknown(value):
        return True
    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, dict):
        for key in value:  # noqa: SIM110 (a loop, not any() over a generator: the same order and stop, cheaper)
            if _holds_unknown(value[key], seen):
                return True
        return False
    if isinstance(value, list):
        for item in value:
            if _holds_unknown(item, seen):
                return True
    return False


def contains_unknowns(val: Any) -> bool:
    """Whether ``val`` is, or holds in its dicts and lists, an unknown (the SDK's answer; its
    parameter's name too, for a caller that passes it by keyword)."""
    return _holds_unknown(val, set())


def is_installed() -> bool:
    return rpc.contains_unknowns is contains_unknowns


def is_the_known_release(function: Any) -> bool:
    """Whether ``function`` is the SDK's check this module's walk was compared with."""
    return source_sha256(function) == SDKS_SOURCE_SHA256


def install() -> None:
    """Replace the SDK's check, if it is the release this walk matches."""
    if rpc.contains_unknowns is contains_unknowns or not is_the_known_release(rpc.contains_unknowns):
        return
    rpc.contains_unknowns = contains_unknowns
