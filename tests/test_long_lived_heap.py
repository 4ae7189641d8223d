"""The collector's settings for a test session (tests/long_lived_heap.py): what is frozen, when,
and that the plugin's hooks do it in a pytest session of their own."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import types
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
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


def test_thaw_hands_everything_back_to_the_collector() -> None:
    kept = _Node()
    heap = LongLivedHeap()
    heap.freeze()
    assert not _scanned(kept)

    heap.thaw()
    try:
        assert _scanned(kept) and gc.get_freeze_count() == 0
    finally:
        heap.freeze()  # this session's heap, as the plugin left it


INNER_TESTS = """
    import gc, sys, types
    from tests.long_lived_heap import HEAP, SESSION_GC_THRESHOLDS

    def test_imports_many_modules():
        assert (HEAP.freezes, gc.get_threshold()) == (1, SESSION_GC_THRESHOLDS)  # after collection
        for index in range(60):
            sys.modules[f"_probe_{index}"] = types.ModuleType(f"_probe_{index}")

    def test_after_the_test_that_imported_them():
        assert HEAP.freezes == 2

    def test_after_a_test_that_imported_nothing():
        assert HEAP.freezes == 2
"""
INNER_CONFTEST = """
    import gc, os

    def pytest_unconfigure(config):
        with open(os.environ["FROZEN_AT_THE_END"], "w") as report:
            report.write(str(gc.get_freeze_count()))
"""


def test_the_plugin_freezes_after_collection_and_after_an_importing_test_and_thaws_at_the_end(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
    (tmp_path / "conftest.py").write_text(textwrap.dedent(INNER_CONFTEST))
    frozen_at_the_end = tmp_path / "frozen"
    # Options and plugins given to this session (PYTEST_ADDOPTS="-n 2"...) are not the inner one's.
    inherited = {
        key: value for key, value in os.environ.items() if key not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")
    }
    environment = {**inherited, "PYTHONPATH": str(REPO), "FROZEN_AT_THE_END": str(frozen_at_the_end)}

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.long_lived_heap", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "3 passed" in result.stdout
    assert frozen_at_the_end.read_text() == "0"


def test_this_suite_loads_the_plugin(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("tests.long_lived_heap")
