"""The collector's settings while a program is recorded, and those of a process that plans once
and exits (the CLI and the benchmark's measured runs).

Apart from :mod:`planner.__main__` and :mod:`planner.recorder` so that a process that records a
plain program (the benchmark's SDK floor) uses the same settings without importing the CLI, the
configuration model and every component package, and the CLI sets them without importing Pulumi
(it validates the stack file first).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import suppress

# Young-generation threshold of the cyclic garbage collector while recording (CPython's default: 700).
PLAN_GC_THRESHOLDS = (100_000, 50, 1000)


@contextlib.contextmanager
def fewer_gc_pauses() -> Iterator[None]:
    """Let the cyclic garbage collector run rarely while a program is recorded (and a plan built).

    A recording allocates millions of objects that live until it ends (pulumi_aws's classes,
    Outputs, asyncio tasks) and frees few. At the default threshold the collector runs every 700
    allocations and keeps re-scanning a growing heap: a quarter of a prod plan's CPU time and 40%
    of a 50-endpoint one's (measured with gc.callbacks), and more in a process that holds much else
    (a test session). Fewer, larger collections reclaim the same garbage; peak memory does not
    change measurably. Every recording gets it here, whoever asks for it (the offline plan,
    `delivery verify`, the tests). A threshold the process already set higher stays (a test
    session collects once per test file, tests/long_lived_heap.py), and a process that turned
    automatic collection off (a young threshold of 0) keeps it off: this only ever means fewer
    pauses.
    """
    thresholds = gc.get_threshold()
    if thresholds[0]:
        gc.set_threshold(*map(max, thresholds, PLAN_GC_THRESHOLDS))
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def prepare_one_shot_process(*, composes_here: bool = False) -> None:
    """Collector settings for a process that plans once and exits (the CLI, the benchmark's runs):
    imports frozen, and no automatic collection from here on unless the plan ``composes_here``.

    What such a process allocates lives until it exits, but for little cyclic garbage: a
    200-endpoint plan peaked at 773 MiB without the collector against 740 MiB with it, which spent
    6.5 of its 22 CPU-s tracing objects that were all still alive (61 young collections of ~70 ms
    and one of the middle generation of ~1.7 s, measured with ``gc.callbacks``). Composing
    pipeline definitions with the SageMaker SDK is another matter (a review helper's finding): a
    cold 20-family plan that composed its own (one core, ``MLOPS_PARALLEL_COMPOSER=0``) peaked at
    562 MiB without the collector and 459 MiB with it, so such a plan keeps it on. (A plan whose
    cache misses only a few definitions composes those without it: a few MiB each.) Freezing what
    was imported keeps it out of every collection; the relaxed thresholds stay as well, so that a
    recording's end (:func:`fewer_gc_pauses`) restores no lower ones.
    """
    gc.freeze()
    gc.set_threshold(*PLAN_GC_THRESHOLDS)
    if not composes_here:
        gc.disable()


def exit_now(status: int) -> None:
    """Flush the output and end the process without the interpreter's teardown.

    Teardown frees a plan's objects one by one (over a second for a 50-endpoint stack) and has
    nothing else to do: the plan leaves no file open for writing and no thread running.
    """
    for stream in (sys.stdout, sys.stderr):
        with suppress(BrokenPipeError, ValueError):  # a reader that left early, a closed stream
            stream.flush()
    os._exit(status)
