"""The cyclic garbage collector's settings for a test session: a pytest plugin (tests/conftest.py
loads it).

A test worker holds what its tests imported (the Pulumi providers, the SageMaker SDK, moto,
botocore's service models: over a million objects) and keeps allocating: recordings, moto state,
pipeline definitions. CPython's collector rescans that whole heap on every full collection, and a
run made a few dozen of them per worker at about half a second each: 36 of a run's ~300 CPU-s went
to the collector (measured with ``gc.callbacks`` in both workers of a ``-n 2`` run).

What was imported stays imported, so :meth:`LongLivedHeap.freeze` moves it out of every later scan
(``gc.freeze``): after collection, and again after any test that imported many modules (the first
test of a worker to touch the SageMaker SDK or moto). A collection runs first, so nothing that is
garbage at that moment is frozen. Frozen objects are still freed when their last reference goes;
an object alive at a freeze that later becomes part of a garbage cycle (a module fixture's moto
state, say) waits for the end of the session, where :meth:`LongLivedHeap.thaw` hands everything
back to the collector, so its finalizers run (and their warnings reach pytest) before pytest's
final collection. The young generations' thresholds are raised (:data:`SESSION_GC_THRESHOLDS`; the
recorder raises all three further while it records, planner/recorder.py ``fewer_gc_pauses``), so
short-lived objects mostly go by reference counting before a collection sees them. Together:
36 → 16-20 CPU-s in the collector per run (three runs).
"""

from __future__ import annotations

import gc
import sys

import pytest

SESSION_GC_THRESHOLDS = (50_000, 20, 10)
"""The collector's thresholds for a test session (CPython's default: 700, 10, 10)."""
MODULES_BETWEEN_FREEZES = 50
"""A test that imported this many modules since the last freeze starts another."""


class LongLivedHeap:
    """Freezes what a test session keeps for good: its imports (see the module's docstring)."""

    def __init__(self, modules_between_freezes: int = MODULES_BETWEEN_FREEZES) -> None:
        self.modules_between_freezes = modules_between_freezes
        self.modules_at_last_freeze = 0
        self.freezes = 0

    def freeze(self) -> None:
        gc.collect()
        gc.freeze()
        self.modules_at_last_freeze = len(sys.modules)
        self.freezes += 1

    def start(self) -> None:
        """After collection: freeze the collected session and raise the thresholds."""
        self.freeze()
        gc.set_threshold(*SESSION_GC_THRESHOLDS)

    def after_test(self) -> None:
        """After a test's teardown: freeze again if the test imported many modules."""
        if len(sys.modules) - self.modules_at_last_freeze >= self.modules_between_freezes:
            self.freeze()

    def thaw(self) -> None:
        """At the session's end: everything back under the collector (see the module's docstring)."""
        gc.unfreeze()


HEAP = LongLivedHeap()


def pytest_collection_finish(session: pytest.Session) -> None:
    HEAP.start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    try:
        return (yield)
    finally:
        HEAP.after_test()


def pytest_sessionfinish(session: pytest.Session) -> None:
    HEAP.thaw()
