"""Every recording runs with the plan's garbage-collector thresholds, whoever asks for it (the
offline plan, `delivery verify`, the tests), and leaves the process's own thresholds as they were."""

from __future__ import annotations

import gc

import pytest

from planner.recorder import PLAN_GC_THRESHOLDS, record_program


def test_a_recording_collects_rarely_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []

    record_program(lambda: during.append(gc.get_threshold()))

    assert during == [PLAN_GC_THRESHOLDS]
    assert gc.get_threshold() == before != PLAN_GC_THRESHOLDS


def test_a_failing_program_restores_the_thresholds() -> None:
    before = gc.get_threshold()

    def program() -> None:
        raise ValueError("the program's own error")

    with pytest.raises(ValueError, match="the program's own error"):
        record_program(program)

    assert gc.get_threshold() == before
