"""Which predictions a model-quality (and bias) run compares with ground truth: the offsets of its
endpoint input make a window of one schedule interval that ended ``ground_truth_delay_hours`` ago,
so that consecutive runs together read every hour of predictions, whatever the cadence; and the
stack file's probability threshold is the one the job applies."""

from __future__ import annotations

import dataclasses
import re

import pytest

from components.observability.model_quality_monitoring import ModelQualityMonitoring
from components.observability.model_quality_spec import ModelQualitySpec
from components.schedules import monitor_run_hours
from planner.recorder import record_program
from tests.components.test_model_quality_monitoring import SERVED, _args
from tests.recorded import computed_once


def _offsets(spec: ModelQualitySpec, schedule: str) -> dict[str, tuple[int, int]]:
    """Per job kind, the hours (start, end) its endpoint input's offsets subtract from a run's time."""
    args = dataclasses.replace(_args(spec, SERVED), schedule=schedule)
    # Once per version of the code and of the test files: the arguments as built are the key.
    graph = computed_once(
        "monitors", lambda: record_program(lambda: ModelQualityMonitoring("monitors", args)), key=[repr(args)]
    )
    found = {}
    for kind, key in (("ModelQuality", "modelQualityJobInput"), ("ModelBias", "modelBiasJobInput")):
        [definition] = graph.of_type(f"aws-native:sagemaker:{kind}JobDefinition")
        reading = definition.inputs[key]["endpointInput"]
        start, end = (re.fullmatch(r"-PT(\d+)H", reading[k]) for k in ("startTimeOffset", "endTimeOffset"))
        assert start and end, reading
        found[kind] = (int(start[1]), int(end[1]))
    return found


@pytest.mark.parametrize(
    ("schedule", "delay", "expected"),
    [
        ("cron(0 * ? * * *)", 24, (25, 24)),
        ("cron(0 3 ? * * *)", 24, (48, 24)),  # daily: the whole day that ended a day ago
        ("cron(0 3 ? * * *)", 1, (25, 1)),
        ("cron(0 0/6 ? * * *)", 12, (18, 12)),
        ("cron(0 0/7 ? * * *)", 24, (31, 24)),  # 0, 7, 14, 21 UTC: the longest gap, 7 hours
    ],
)
def test_each_run_reads_one_schedule_interval_that_ended_the_delay_ago(
    schedule: str, delay: int, expected: tuple[int, int]
) -> None:
    spec = ModelQualitySpec(model_quality=True, bias=True, ground_truth_delay_hours=delay)
    assert _offsets(spec, schedule) == {"ModelQuality": expected, "ModelBias": expected}


@pytest.mark.parametrize(
    "schedule", ["cron(0 * ? * * *)", "cron(0 5 ? * * *)", "cron(0 2/5 ? * * *)", "cron(0 20/6 ? * * *)"]
)
def test_a_days_runs_together_read_every_hour_of_predictions(schedule: str) -> None:
    spec = ModelQualitySpec(model_quality=True, bias=True, ground_truth_delay_hours=3)
    start, end = _offsets(spec, schedule)["ModelQuality"]
    runs = [day * 24 + hour for day in range(3) for hour in monitor_run_hours(schedule)]
    # Hours of predictions (h meaning h:00 to h+1:00) the runs of the second day onwards read.
    read = {hour for run in runs[len(runs) // 3 :] for hour in range(run - start, run - end)}
    first, last = runs[len(runs) // 3] - end, runs[-1] - end
    assert set(range(first, last)) <= read, sorted(set(range(first, last)) - read)


def test_the_stack_files_probability_threshold_is_the_jobs() -> None:
    spec = ModelQualitySpec(model_quality=True, probability_threshold=0.7)
    graph = record_program(lambda: ModelQualityMonitoring("monitors", _args(spec, SERVED)))
    [definition] = graph.of_type("aws-native:sagemaker:ModelQualityJobDefinition")

    assert definition.inputs["modelQualityJobInput"]["endpointInput"]["probabilityThresholdAttribute"] == 0.7
