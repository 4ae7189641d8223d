"""The cyclic garbage collector's settings for a test session: a pytest plugin (tests/conftest.py
loads it).

A test worker holds what its tests imported (the Pulumi providers, the SageMaker SDK, moto,
botocore's service models: over a million objects) and keeps allocating: recordings, moto state,
pipeline definitions. At CPython's settings the collector traces that heap again and again: every
young object alive at a young collection, every older one at each of dozens of full collections:
36 of a run's ~300 CPU-s (measured with ``gc.callbacks`` in both workers of a ``-n 2`` run). With
the imports frozen and a young threshold of 50,000 it was still 17 CPU-s, most of it in 1,400
young collections that each traced some 50,000 objects still alive, most of which died soon
after.

So the collector runs once per test file: when a file's last test on a worker is done (after its
teardown, once pytest has let go of its fixture values), :meth:`LongLivedHeap.freeze` collects
what is unfrozen and freezes what survives (``gc.freeze``), as it does once after collection. An
object that outlives a file is traced once; one that dies within it is freed by reference
counting, or, in a cycle, by that file's collection or by a safety-valve collection. The
automatic thresholds (:data:`SESSION_GC_THRESHOLDS`, set before collection, which imports most of
the heap) are that safety valve, for a file that makes a great deal of cyclic garbage: a young
collection per million objects, and the middle generation every third young collection, so
garbage that outlived one young collection cannot pile up until the file ends. What a finalizer
of a file's garbage warns is reported under the file's last test. Frozen objects are still freed
when their last reference goes; an object alive at a freeze that later becomes part of a garbage
cycle (a session fixture's state) is never collected: the process's exit frees it, as it frees any
object alive at exit, without running its finalizer.

The heap stays frozen to the end. Handing it back to the collector there (as this plugin once did,
so that such finalizers ran, after the summary) made pytest's last collection and the
interpreter's at exit trace each worker's whole heap: 5-8 s between a run's last test and its end,
11-15 CPU-s of the two workers, for nothing any report showed. The clean-ups that matter do not
wait for the collector: fixture teardowns, ``atexit`` and ``weakref.finalize`` handlers (the
folders of ``tempfile``). What relies on ``__del__`` does: a file left open in such a cycle is not
flushed, a ``NamedTemporaryFile`` not deleted, an error in a finalizer not reported (the suite
opens its files in ``with`` blocks).

Measured in alternating runs of the suite against the previous rule (freeze after collection and
after any test that imported 50 modules, thresholds 50,000, 20, 10): the collector's 17.0-17.4
CPU-s per run became 12.3-13.4 and collecting the suite alone 0.83 → 0.31 CPU-s per process. The
price is memory within a file: a reviewer measured each heavy file's peak resident memory 6-22 %
higher run alone (``test_verify.py`` 320 → 391 MB), while a whole run's peak per worker stayed
0.9 and 0.64-0.78 GB.
"""

from __future__ import annotations

import gc

import pytest

SESSION_GC_THRESHOLDS = (1_000_000, 2, 1_000)
"""The collector's automatic thresholds in a test session (CPython's default: 700, 10, 10): a
young collection per million objects, the middle generation every third one, the oldest only at a
file's end (:class:`LongLivedHeap`)."""


class LongLivedHeap:
    """Collects once per test file and freezes what survives (see the module's docstring)."""

    def __init__(self) -> None:
        self.freezes = 0

    def freeze(self) -> None:
        gc.collect()
        gc.freeze()
        self.freezes += 1

    def start(self) -> None:
        """After collection: freeze the collected session and set the session's thresholds."""
        self.freeze()
        gc.set_threshold(*SESSION_GC_THRESHOLDS)

    def after_test(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """After a test (its teardown done, its fixture values dropped): collect and freeze if it
        was the last of its file on this worker."""
        if nextitem is None or nextitem.path != item.path:
            self.freeze()


HEAP = LongLivedHeap()


def pytest_configure(config: pytest.Config) -> None:
    """Collecting imports most of what the session keeps: the thresholds apply from the start."""
    gc.set_threshold(*SESSION_GC_THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    HEAP.start()


Collector = tuple[tuple[int, ...], bool]
"""The collector's settings a test could leave changed: its thresholds and whether it is enabled."""


def _collector() -> Collector:
    return gc.get_threshold(), gc.isenabled()


def _described(settings: Collector) -> str:
    return f"thresholds {settings[0]}, {'enabled' if settings[1] else 'disabled'}"


class CollectorGuard:
    """A file whose tests leave the collector set otherwise (a one-shot plan run in process sets it
    for a process that exits: planner.process.prepare_one_shot_process) changes what every later
    test of its worker runs with. So the settings at the start of a file's run of tests on a worker
    are compared with those once its last test's teardown is done (pytest has then torn down the
    file's module- and class-scoped fixtures): if they differ they are put back and that teardown
    fails, naming each test whose own setup-to-teardown changed what differs (the thresholds, the
    enabled state).

    Not each test against its own start: a module- or class-scoped fixture that keeps the collector
    set otherwise for the tests that use it (and restores it at its teardown) changes it within the
    first such test and back within the last, and is no leak. A session- or package-scoped fixture
    doing so would be reported at the end of the first file that uses it (the suite has none).
    """

    def __init__(self) -> None:
        self.path: object = None
        self.start: Collector | None = None
        self.changed_by: list[tuple[str, tuple[bool, bool]]] = []

    def setup(self, item: pytest.Item) -> Collector:
        """Before the test's setup: the settings it starts with (and the file's, if it is the
        first of its run)."""
        now = _collector()
        if self.start is None or self.path != item.path:
            self.path, self.start, self.changed_by = item.path, now, []
        return now

    def teardown(self, item: pytest.Item, nextitem: pytest.Item | None, before: Collector | None) -> None:
        """After the test's teardown (its fixtures', and at a file's end its file's, torn down)."""
        now = _collector()
        if before is not None and now != before:
            self.changed_by.append((item.nodeid, (now[0] != before[0], now[1] != before[1])))
        if nextitem is not None and nextitem.path == item.path:
            return
        start, changed_by, after = self.start, self.changed_by, now
        self.path, self.start, self.changed_by = None, None, []
        if start is None or after == start:
            return
        gc.set_threshold(*start[0])
        (gc.enable if start[1] else gc.disable)()
        differs = (after[0] != start[0], after[1] != start[1])
        culprits = [
            nodeid
            for nodeid, changed in changed_by
            if any(c and d for c, d in zip(changed, differs, strict=True))
        ]
        raise AssertionError(
            f"the tests of {item.nodeid.split('::')[0]} left the cyclic garbage collector at {_described(after)}, "
            f"not at {_described(start)} (put back): changed by {', '.join(culprits) or 'a test'}; "
            "restore what a test changes"
        )


GUARD = CollectorGuard()
_COLLECTOR_BEFORE = pytest.StashKey[Collector]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_COLLECTOR_BEFORE] = GUARD.setup(item)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    GUARD.teardown(item, nextitem, item.stash.get(_COLLECTOR_BEFORE, None))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    # Around the whole protocol, not the teardown: pytest drops the test's fixture values (of every
    # scope) only after its teardown hooks, and a freeze before that would keep them to the end.
    try:
        return (yield)
    finally:
        HEAP.after_test(item, nextitem)
