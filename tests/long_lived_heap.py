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


_COLLECTOR_BEFORE = pytest.StashKey[tuple[tuple[int, ...], bool]]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_COLLECTOR_BEFORE] = (gc.get_threshold(), gc.isenabled())


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A test that leaves the collector set otherwise (a one-shot plan run in process sets it for
    a process that exits: planner.process.prepare_one_shot_process) changes what every later test
    of its worker runs with: an error of that test's teardown, the settings put back."""
    before = item.stash.get(_COLLECTOR_BEFORE, None)
    after = (gc.get_threshold(), gc.isenabled())
    if before is None or after == before:
        return
    gc.set_threshold(*before[0])
    (gc.enable if before[1] else gc.disable)()
    raise AssertionError(
        f"{item.nodeid} left the cyclic garbage collector at thresholds {after[0]}, "
        f"{'enabled' if after[1] else 'disabled'}, instead of {before[0]}, "
        f"{'enabled' if before[1] else 'disabled'}: restore what the test changes"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    # Around the whole protocol, not the teardown: pytest drops the test's fixture values (of every
    # scope) only after its teardown hooks, and a freeze before that would keep them to the end.
    try:
        return (yield)
    finally:
        HEAP.after_test(item, nextitem)
