"""The collector's settings for a test session (tests/long_lived_heap.py): what is frozen, when."""

from __future__ import annotations

import gc
import sys
import types
import weakref
from collections.abc import Iterator

import pytest

from tests.long_lived_heap import SESSION_GC_THRESHOLDS, LongLivedHeap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def _scanned(thing: object) -> bool:
    """Whether the collector's generations hold ``thing`` (a frozen object is in none of them)."""
    return any(candidate is thing for candidate in gc.get_objects())


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_this_session_runs_with_its_imports_frozen_and_the_session_thresholds() -> None:
    assert gc.get_threshold() == SESSION_GC_THRESHOLDS
    assert gc.get_freeze_count() > 10_000  # at least pytest and what collecting imported
    assert not _scanned(pytest)  # a module imported before collection ended


def test_start_freezes_what_lives_and_raises_the_thresholds(thresholds: None) -> None:
    kept = _Node()
    gc.set_threshold(700, 10, 10)
    assert _scanned(kept)

    LongLivedHeap().start()

    assert not _scanned(kept)
    assert gc.get_threshold() == SESSION_GC_THRESHOLDS


def test_garbage_is_collected_not_frozen() -> None:
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    assert gone() is not None  # a cycle: reference counting alone does not free it

    LongLivedHeap().freeze()

    assert gone() is None


def test_a_test_that_imported_many_modules_is_followed_by_a_freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    heap = LongLivedHeap(modules_between_freezes=5)
    heap.freeze()
    kept = _Node()
    for index in range(4):
        monkeypatch.setitem(sys.modules, f"_imported_{index}", types.ModuleType(f"_imported_{index}"))

    heap.after_test()
    assert (heap.freezes, _scanned(kept)) == (1, True)  # four modules: no freeze

    monkeypatch.setitem(sys.modules, "_imported_4", types.ModuleType("_imported_4"))
    heap.after_test()
    assert (heap.freezes, _scanned(kept)) == (2, False)

    heap.after_test()
    assert heap.freezes == 2  # counted from the last freeze
