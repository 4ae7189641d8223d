"""Settings of a process that plans once and exits: the CLI and the benchmark's measured runs.

Apart from :mod:`planner.__main__` so that a process that records a plain program (the
benchmark's SDK floor) uses the same settings without importing the CLI, the configuration model
and every component package.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress

from planner.recorder import PLAN_GC_THRESHOLDS


def prepare_one_shot_process() -> None:
    """Collector settings for a process that plans once and exits (the CLI, the benchmark's runs).

    Everything imported by now lives until the process ends: ``gc.freeze`` takes it out of every
    later scan. The plan's relaxed thresholds then stay for the rest of the process, so the plan's
    end does not restore CPython's defaults, which would set off a full collection over the plan's
    millions of objects (about a second for a 50-endpoint stack) just before the process exits.
    """
    gc.freeze()
    gc.set_threshold(*PLAN_GC_THRESHOLDS)


def exit_now(status: int) -> None:
    """Flush the output and end the process without the interpreter's teardown.

    Teardown frees a plan's objects one by one (over a second for a 50-endpoint stack) and has
    nothing else to do: the plan leaves no file open for writing and no thread running.
    """
    for stream in (sys.stdout, sys.stderr):
        with suppress(BrokenPipeError, ValueError):  # a reader that left early, a closed stream
            stream.flush()
    os._exit(status)
