"""Every recording runs with at least the plan's garbage-collector thresholds, whoever asks for it
(the offline plan, `delivery verify`, the tests), never lowers one the process set higher nor
turns automatic collection back on, and leaves the process's own thresholds as they were. A
process that plans once and exits collects nothing automatically."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from planner.process import PLAN_GC_THRESHOLDS
from planner.recorder import record_program
from tests.recorded import computed_once
from tests.script_reports import script_report


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def _during_a_recording() -> tuple[int, ...]:
    during: list[tuple[int, ...]] = []
    record_program(lambda: during.append(gc.get_threshold()))
    assert len(during) == 1
    return during[0]


def test_a_recording_in_a_default_process_collects_rarely_and_restores(thresholds: None) -> None:
    gc.set_threshold(700, 10, 10)  # CPython's default

    assert _during_a_recording() == PLAN_GC_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_a_threshold_set_higher_stays_and_a_lower_one_is_raised(thresholds: None) -> None:
    young, middle, old = PLAN_GC_THRESHOLDS
    gc.set_threshold(young * 10, middle - 1, old * 2)

    assert _during_a_recording() == (young * 10, middle, old * 2)
    assert gc.get_threshold() == (young * 10, middle - 1, old * 2)


def test_a_process_that_turned_automatic_collection_off_keeps_it_off(thresholds: None) -> None:
    gc.set_threshold(0, 10, 10)

    assert _during_a_recording() == (0, 10, 10)
    assert gc.get_threshold() == (0, 10, 10)


def test_a_failing_program_restores_the_thresholds(thresholds: None) -> None:
    gc.set_threshold(700, 10, 10)

    def program() -> None:
        raise ValueError("the program's own error")

    with pytest.raises(ValueError, match="the program's own error"):
        record_program(program)

    assert gc.get_threshold() == (700, 10, 10)


def test_a_process_that_plans_once_freezes_its_imports_and_collects_nothing_automatically() -> None:
    script = """
import gc, json
from planner.process import prepare_one_shot_process
from planner.recorder import record_program
prepare_one_shot_process()
frozen = gc.get_freeze_count()
during = []
record_program(lambda: during.append((gc.isenabled(), gc.get_threshold())))
print(json.dumps({"frozen": frozen, "during": during, "after": [gc.isenabled(), gc.get_threshold()]}))
"""
    # A fresh process (what it imported before it froze): once per version of the code and this
    # module (tests.recorded.computed_once); script_report raises on a failed run, which is not kept.
    report = computed_once("plans-once", lambda: script_report(script, env={"PATH": "/usr/bin:/bin"}))
    assert report["frozen"] > 10_000  # the SDK and the recorder, imported before
    assert report["during"] == [[False, list(PLAN_GC_THRESHOLDS)]]
    assert report["after"] == [False, list(PLAN_GC_THRESHOLDS)]
