"""The SDK's unknowns check without cyclic garbage (planner/sdk_unknowns.py): the SDK's answer for
every value, no garbage for the cyclic collector, and only where the planner's hooks are on.

The whole-graph ground truth is tests/planner/test_lazy_provider_imports.py: the prod stack
recorded in a fresh process with the switch off (the SDK's own check) equals this worker's."""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.runtime import rpc

from planner import sdk_unknowns
from tests.fresh_plans import fresh_plan


class _Text(str):
    pass


def _holding_itself_then_unknown() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    value.append(Unknown())
    return value


def _dict_holding_itself() -> dict[str, Any]:
    value: dict[str, Any] = {"a": 1}
    value["self"] = value
    return value


def _shared_list_seen_twice() -> dict[str, Any]:
    shared = [1, 2]
    return {"first": shared, "second": shared, "third": [Unknown()]}


VALUES: dict[str, Callable[[], Any]] = {
    "none": lambda: None,
    "string": lambda: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # the wire's unknown is no Unknown
    "number": lambda: 3,
    "unknown": Unknown,
    "empty-dict": dict,
    "empty-list": list,
    "known-nested": lambda: {"a": [1, {"b": ["c", None]}], "d": {"e": 2.5}},
    "deep-unknown-in-dict": lambda: {"a": [1, {"b": ["c", Unknown()]}]},
    "deep-unknown-in-list": lambda: [[[[Unknown()]]]],
    "unknown-as-a-dict-value-after-known-ones": lambda: {"x": 1, "y": "z", "u": Unknown()},
    "unknown-in-a-tuple-is-not-walked": lambda: (Unknown(),),
    "unknown-in-a-set-is-not-walked": lambda: {"k": frozenset({Unknown()})},
    "unknown-as-a-dict-key-is-not-walked": lambda: {Unknown(): 1},
    "a-list-holding-itself-then-an-unknown": _holding_itself_then_unknown,
    "a-dict-holding-itself": _dict_holding_itself,
    "a-shared-list-visited-once": _shared_list_seen_twice,
    "a-mapping-that-is-no-dict-is-not-walked": lambda: {"m": MappingProxyType({"u": Unknown()})},
    "a-dict-subclass-is-walked": lambda: {"d": OrderedDict(u=Unknown())},
    # Text, numbers and None are answered by their exact type (``_SCALARS``); a subclass of one, and
    # the same scalar object met twice before an unknown, take the SDK's path.
    "scalars-then-an-unknown": lambda: [True, 2.5, 7, None, "t", 7, {"k": [False, Unknown()]}],
    "a-str-subclass": lambda: {"s": _Text("x")},
    "an-unknown-after-a-str-subclass": lambda: [_Text("x"), Unknown()],
}


@pytest.mark.parametrize("name", VALUES)
def test_every_answer_is_the_sdks_own(name: str) -> None:
    make = VALUES[name]
    assert sdk_unknowns.contains_unknowns(make()) is sdk_unknowns.SDKS_OWN(make())


def test_the_table_has_both_answers() -> None:
    answers = {sdk_unknowns.SDKS_OWN(make()) for make in VALUES.values()}
    assert answers == {True, False}


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _garbage_left_by(check: Callable[[Any], bool]) -> int:
    """What the cyclic collector finds after 100 checks of a nested value (and nothing else)."""
    value = {"a": [1, {"b": ["c", None]}], "d": {"e": Unknown()}}
    with _collector_paused():
        for _ in range(100):
            check(value)
        return gc.collect()


def test_a_check_leaves_nothing_for_the_cyclic_collector_where_the_sdks_own_leaves_cycles() -> None:
    assert _garbage_left_by(sdk_unknowns.contains_unknowns) == 0
    assert _garbage_left_by(sdk_unknowns.SDKS_OWN) >= 100  # one cycle per call at least


def test_this_worker_records_with_it_and_the_switch_turns_it_off() -> None:
    assert sdk_unknowns.is_installed()
    assert rpc.contains_unknowns is sdk_unknowns.contains_unknowns
    assert fresh_plan("1")["plan"]["sdk_unknowns"] is True
    assert fresh_plan("0")["plan"]["sdk_unknowns"] is False


def test_a_caller_may_pass_the_value_by_the_sdks_keyword() -> None:
    assert sdk_unknowns.contains_unknowns(val=[Unknown()]) is sdk_unknowns.SDKS_OWN(val=[Unknown()]) is True


def test_it_replaces_only_the_sdk_release_it_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sdk_unknowns.is_the_known_release(sdk_unknowns.SDKS_OWN)  # the locked pulumi's

    def changed_release(val: Any) -> bool:  # a later SDK's check, say one that walks tuples too
        return False

    monkeypatch.setattr(rpc, "contains_unknowns", changed_release)
    sdk_unknowns.install()
    assert rpc.contains_unknowns is changed_release
    assert not sdk_unknowns.is_installed()
    assert not sdk_unknowns.is_the_known_release(len)  # a builtin has no source: not known


def test_installing_twice_keeps_the_sdks_own_for_comparison() -> None:
    sdk_unknowns.install()
    assert rpc.contains_unknowns is sdk_unknowns.contains_unknowns
    assert sdk_unknowns.SDKS_OWN is not sdk_unknowns.contains_unknowns
    assert sdk_unknowns.SDKS_OWN.__module__ == "pulumi.runtime.rpc"
