"""A hand-mutation audit of the training pipeline's definition steps (SUMMARY BELOW).

SUMMARY
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.limits import PROCESSING_MAX_RUNTIME_SECONDS
from components.training.definition import (
    MAX_CONTAINER_ARGUMENTS,
    MAX_FEATURE_COLUMNS,
    MAX_RUNTIME_SECONDS,
    build_definition,
    tracking_arguments,
)
from components.training.evidently import EvidentlySpec
from tests.api_models import pipeline_step_errors
from tests.pipelines.churn_fixtures import make_settings, steps_by_name, tracking_settings
from tests.pipelines.evidently_fixtures import evidently_settings
from tests.pipelines.test_feature_input import feature_settings


def _errors(step: dict[str, Any]) -> list[str]:
    # SageMaker Pipelines names the job; the rest of the request is the step's.
    return pipeline_step_errors("CreateProcessingJob", {**step["Arguments"], "ProcessingJobName": "p"})


@pytest.fixture(scope="module")
def at_the_limits() -> tuple[Any, dict[str, Any]]:
    """A family at every limit its settings accept: a 28-day training limit, as many named feature
    columns as ExtractFeatures takes, as many hyperparameters as TrackExperiment takes."""
    metrics = 3
    hyperparameters = (MAX_CONTAINER_ARGUMENTS - 18) // 2 - metrics - 1
    settings = make_settings(
        max_run_seconds=MAX_RUNTIME_SECONDS,
        experiment_tracking=tracking_settings(),
        feature_input=feature_settings(
            columns=("churned", *(f"feature_{n}" for n in range(MAX_FEATURE_COLUMNS - 1)))
        ),
        hyperparameters={f"h{n}": n for n in range(hyperparameters)},
    )
    return settings, json.loads(build_definition(settings))


def test_every_processing_job_at_the_settings_limits_is_one_sagemaker_accepts(at_the_limits) -> None:
    """Bugs: a ``max_run_seconds`` over 9 days reached every processing job (CreateProcessingJob
    takes 777,600 s at most, a training job 28 days), ExtractFeatures took up to 100 named columns
    (two ContainerArguments entries each, and a job takes 100 entries) and TrackExperiment any
    number of hyperparameters: each such execution failed at its first refused job."""
    settings, definition = at_the_limits
    steps = steps_by_name(definition)
    processing = {name: step for name, step in steps.items() if step["Type"] == "Processing"}

    assert {name: _errors(step) for name, step in processing.items()} == {name: [] for name in processing}
    assert len(steps["ExtractFeatures"]["Arguments"]["AppSpecification"]["ContainerArguments"]) == 100
    track = steps["TrackExperiment"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert len(track) == tracking_arguments(settings) == 100
    # The training job keeps its own limit; the data jobs stop at the processing ceiling.
    assert steps["Train"]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] == MAX_RUNTIME_SECONDS
    assert steps["Preprocess"]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] == 777_600
    assert PROCESSING_MAX_RUNTIME_SECONDS == 777_600


def test_one_more_column_or_hyperparameter_than_a_processing_job_takes_is_refused() -> None:
    with pytest.raises(ValueError, match=f"columns has {MAX_FEATURE_COLUMNS + 1} entries; at most 43"):
        make_settings(
            experiment_tracking=tracking_settings(),
            feature_input=feature_settings(
                columns=("churned", *(f"feature_{n}" for n in range(MAX_FEATURE_COLUMNS)))
            ),
        )
    with pytest.raises(ValueError, match=r"102 in all .* a processing job takes 100"):
        make_settings(
            experiment_tracking=tracking_settings(), hyperparameters={f"h{n}": n for n in range(38)}
        )
    # Without tracking the hyperparameters go to the training job alone (100 of them, with the platform's).
    assert make_settings(hyperparameters={f"h{n}": n for n in range(38)}).experiment_tracking is None


def test_an_evidently_report_job_longer_than_a_processing_job_may_run_is_refused() -> None:
    """Bug: ``evidently.max_runtime_seconds`` went to 28 days; the report job takes 9 at most."""
    spec = {"image_tag": "1.0", "max_runtime_seconds": PROCESSING_MAX_RUNTIME_SECONDS}
    assert EvidentlySpec(**spec).max_runtime_seconds == 777_600
    with pytest.raises(ValueError, match="less than or equal to 777600"):
        EvidentlySpec(**{**spec, "max_runtime_seconds": PROCESSING_MAX_RUNTIME_SECONDS + 1})
    make_settings(evidently=evidently_settings(max_runtime_seconds=PROCESSING_MAX_RUNTIME_SECONDS))
    with pytest.raises(ValueError, match="max_runtime_seconds 777601 must be 1 to 777600"):
        make_settings(evidently=evidently_settings(max_runtime_seconds=PROCESSING_MAX_RUNTIME_SECONDS + 1))
