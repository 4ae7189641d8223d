"""Semantics the continuous-training mutation audit found unguarded.

Each test names the hand mutation of ``components/training`` it kills. They read the definitions
the session fixtures already built (``built``: dev, prod, forecast, tracked), so the file builds
nothing of its own.
"""

from __future__ import annotations

from typing import Any

from tests.pipelines.churn_fixtures import job_steps, steps_by_name


def _cluster(step: dict[str, Any]) -> dict[str, Any]:
    return step["Arguments"]["ProcessingResources"]["ClusterConfig"]


def test_every_processing_job_runs_on_one_instance_and_the_data_steps_on_the_parameters_type(built) -> None:
    """The scripts and the analyzer are not sharded: a second instance would run the same job
    again and write every split, report and baseline twice (mutation: ``instance_count=2``).
    The data steps follow the ProcessingInstanceType parameter, never the training one."""
    _, definition = built
    processing = [step for step in job_steps(definition) if step["Type"] == "Processing"]

    assert processing
    assert {step["Name"]: _cluster(step)["InstanceCount"] for step in processing} == {
        step["Name"]: 1 for step in processing
    }
    steps = steps_by_name(definition)
    for name in ("Preprocess", "Evaluate"):
        assert _cluster(steps[name])["InstanceType"] == {"Get": "Parameters.ProcessingInstanceType"}


def test_preprocess_seeds_its_split_explicitly_so_every_execution_splits_alike(built) -> None:
    """models/README.md's contract passes ``--seed 42``: a family script whose default differs
    (or draws one) would otherwise put other rows in the test split on every run, and the gate
    would compare metrics of different test sets (mutation: the seed argument dropped)."""
    settings, definition = built
    arguments = steps_by_name(definition)["Preprocess"]["Arguments"]["AppSpecification"]["ContainerArguments"]

    assert arguments[:2] == ["--seed", "42"]
    assert arguments[2:4] == ["--label", settings.label_column]
