"""The collector's settings for a test session (tests/long_lived_heap.py): what is frozen, when,
and that the plugin's hooks do it in a pytest session of their own."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import textwrap
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.long_lived_heap import SESSION_GC_THRESHOLDS, CollectorGuard, LongLivedHeap
from tests.recorded import computed_once


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


class _Item:
    """What the plugin reads of a pytest item: its file."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)


def test_the_last_test_of_a_file_is_followed_by_a_freeze_and_no_other_is() -> None:
    heap = LongLivedHeap()
    heap.freeze()
    kept = _Node()

    heap.after_test(_Item("tests/test_a.py"), _Item("tests/test_a.py"))  # type: ignore[arg-type]
    assert (heap.freezes, _scanned(kept)) == (1, True)  # the file goes on: no collection

    heap.after_test(_Item("tests/test_a.py"), _Item("tests/test_b.py"))  # type: ignore[arg-type]
    assert (heap.freezes, _scanned(kept)) == (2, False)

    heap.after_test(_Item("tests/test_b.py"), None)  # type: ignore[arg-type]
    assert heap.freezes == 3  # the session's last test


def test_a_file_that_makes_much_cyclic_garbage_is_collected_before_its_end(thresholds: None) -> None:
    LongLivedHeap().start()  # a full collection: every generation's count starts at 0
    young = []
    gc.callbacks.append(lambda phase, info: young.append(info["generation"]) if phase == "start" else None)
    try:
        # A margin: freeing objects allocated before the loop lowers the young count as well.
        for _ in range(SESSION_GC_THRESHOLDS[0] + 50_000):
            _Node()  # unreachable at once, freed by nothing but the collector
    finally:
        gc.callbacks.pop()

    assert young in ([0], [0, 0])  # the safety valve: a young collection per million, nothing older


INNER_TESTS = """
    import gc, weakref
    import pytest
    from tests.long_lived_heap import HEAP, SESSION_GC_THRESHOLDS

    WHILE_COLLECTING = gc.get_threshold()

    def test_first_of_the_file():
        assert WHILE_COLLECTING == SESSION_GC_THRESHOLDS  # collecting imports most of the heap
        assert (HEAP.freezes, gc.get_threshold()) == (1, SESSION_GC_THRESHOLDS)  # after collection

    def test_second_of_the_file():
        assert HEAP.freezes == 1

    VALUES = {}

    class Cycle:
        def __init__(self):
            self.me = self  # only the collector frees it

    @pytest.fixture(scope="module")
    def module_value():
        value = Cycle()
        VALUES["module"] = weakref.ref(value)
        return value

    @pytest.fixture
    def function_value():
        value = Cycle()
        VALUES["function"] = weakref.ref(value)
        return value

    def test_last_of_the_file(module_value, function_value):
        assert HEAP.freezes == 1
"""
INNER_OTHER_FILE = """
    import gc
    from tests.long_lived_heap import HEAP
    from test_inner import VALUES

    def test_first_of_the_next_file():
        assert HEAP.freezes == 2  # after the previous file's last test

    def test_the_last_tests_fixture_values_were_collected_not_frozen():
        gc.collect()  # frees what is garbage and not frozen
        assert {scope: value() for scope, value in VALUES.items()} == {"module": None, "function": None}
"""
# The inner session's entry point: its exit handler, registered before pytest is imported, runs
# after every hook, clean-up and exit handler of the session (handlers run last registered first),
# so a heap unfrozen anywhere at the end (a hook, pytest's clean-ups, another exit handler) shows.
LAST_WORD = """
import atexit, gc, os, sys

def last_word():
    with open(os.environ["FROZEN_AT_THE_END"], "w") as report:
        report.write(str(gc.get_freeze_count()))

atexit.register(last_word)
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def _inner_session() -> tuple[subprocess.CompletedProcess[str], str]:
    """The inner pytest session with the plugin, in a fresh process and a temporary folder of its
    own: how it ended, and the freeze count its last exit handler wrote ("" if none)."""
    with tempfile.TemporaryDirectory(prefix="long-lived-heap-") as folder:
        root = Path(folder)
        (root / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
        (root / "test_other.py").write_text(textwrap.dedent(INNER_OTHER_FILE))
        frozen_at_the_end = root / "frozen"
        # Options and plugins given to this session (PYTEST_ADDOPTS="-n 2"...) are not the inner one's.
        inherited = {
            key: value for key, value in os.environ.items() if key not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")
        }
        environment = {**inherited, "PYTHONPATH": str(REPO), "FROZEN_AT_THE_END": str(frozen_at_the_end)}
        result = subprocess.run(
            [sys.executable, "-c", LAST_WORD, "-p", "tests.long_lived_heap", "-p", "no:cacheprovider", "-q"],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-3000:]}"
        return result, frozen_at_the_end.read_text() if frozen_at_the_end.exists() else ""


def test_the_plugin_freezes_after_collection_and_after_each_file_and_leaves_the_heap_frozen() -> None:
    # A fresh process (a whole pytest session and its exit), run once per version of the plugin (a
    # support file), pytest (installed, in the code's fingerprint) and this module
    # (tests.recorded.computed_once); a run killed by a signal or timed out is not kept.
    result, frozen = computed_once("inner-session", _inner_session)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "5 passed" in result.stdout
    # Nothing handed back at the end, up to the process's last exit handler: pytest's last
    # collection and the exit's trace only what the last file left unfrozen, not the session's
    # heap (pytest and everything it imported).
    assert int(frozen) > 10_000  # pytest and its plugins alone: ~38,000


def test_this_suite_loads_the_plugin(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("tests.long_lived_heap")


class _Test:
    """What the guard reads of a pytest item: its file and node id."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid
        self.path = Path(nodeid.split("::")[0])


def _run(guard: CollectorGuard, tests: list[tuple[_Test, tuple[int, int, int] | None]]) -> None:
    """Each test's setup and teardown hooks, the test setting the thresholds it names."""
    for position, (test, thresholds) in enumerate(tests):
        following = tests[position + 1][0] if position + 1 < len(tests) else None
        before = guard.setup(test)  # type: ignore[arg-type]
        if thresholds is not None:
            gc.set_threshold(*thresholds)
        guard.teardown(test, following, before)  # type: ignore[arg-type]


def test_a_file_whose_test_leaves_the_collector_changed_fails_at_its_end_naming_it(thresholds: None) -> None:
    """A one-shot plan run in process (planner.process.prepare_one_shot_process) left the plan's
    thresholds in its worker, and a later file's tests ran with them (two of this file's failed)."""
    guard = CollectorGuard()
    start = gc.get_threshold()
    leaky, after = _Test("tests/test_a.py::test_a_one_shot_plan"), _Test("tests/test_a.py::test_after")
    with pytest.raises(
        AssertionError, match=r"test_a\.py left .* changed by tests/test_a\.py::test_a_one_shot_plan;"
    ):
        _run(guard, [(leaky, (100_000, 50, 1000)), (after, None)])
    assert gc.get_threshold() == start  # put back for the next file (the enabled state: below)

    _run(guard, [(_Test("tests/test_b.py::test_clean"), None)])  # a new file: nothing carried over


def test_a_change_undone_within_the_file_is_no_leak(thresholds: None) -> None:
    """A module- or class-scoped fixture that keeps the collector set otherwise for its tests: set
    within the first test's setup, restored within the last one's teardown."""
    start = gc.get_threshold()
    guard = CollectorGuard()
    _run(
        guard,
        [
            (_Test("tests/test_a.py::test_first_with_the_fixture"), (5, 5, 5)),
            (_Test("tests/test_a.py::test_last_with_the_fixture"), start),
            (_Test("tests/test_b.py::test_other"), None),
        ],
    )
    assert gc.get_threshold() == start


INNER_LEAKS = """
    import gc
    import pytest
    from tests.long_lived_heap import SESSION_GC_THRESHOLDS

    @pytest.fixture(scope="module")
    def module_collector():
        before = gc.get_threshold()
        gc.set_threshold(7, 7, 7)
        yield
        gc.set_threshold(*before)

    def test_a_module_fixture_holds_it(module_collector):
        assert gc.get_threshold() == (7, 7, 7)

    def test_leaks():
        gc.disable()

    def test_the_module_fixture_still_holds_it(module_collector):
        assert gc.get_threshold() == (7, 7, 7)
"""
INNER_AFTER_LEAK = """
    import gc
    from tests.long_lived_heap import SESSION_GC_THRESHOLDS

    def test_the_next_file_runs_with_the_session_settings():
        assert (gc.get_threshold(), gc.isenabled()) == (SESSION_GC_THRESHOLDS, True)
"""


def _leaking_session() -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="collector-guard-") as folder:
        root = Path(folder)
        (root / "test_leaks.py").write_text(textwrap.dedent(INNER_LEAKS))
        (root / "test_next.py").write_text(textwrap.dedent(INNER_AFTER_LEAK))
        inherited = {
            key: value for key, value in os.environ.items() if key not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")
        }
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "tests.long_lived_heap",
                "-p",
                "no:cacheprovider",
                "-q",
                "-rE",
            ],
            cwd=root,
            env={**inherited, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_a_leak_is_an_error_of_its_files_last_teardown_and_the_session_goes_on() -> None:
    # A fresh process (a pytest session of its own), once per version of the plugin and this module.
    result = computed_once("leaking-session", _leaking_session)

    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("4 passed, 1 error"), result.stdout[-3000:] + result.stderr[-3000:]
    error = next(line for line in result.stdout.splitlines() if line.startswith("ERROR "))
    assert error.startswith("ERROR test_leaks.py::test_the_module_fixture_still_holds_it - AssertionError")
    assert "changed by test_leaks.py::test_leaks;" in result.stdout  # only the leak, not the fixture
    assert (
        "at thresholds (1000000, 2, 1000), disabled, not at thresholds (1000000, 2, 1000), enabled"
        in result.stdout
    )
