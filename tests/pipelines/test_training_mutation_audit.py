"""Semantics the continuous-training mutation audit found unguarded.

Each test names the hand mutation of ``components/training`` it kills. Most read the definitions
the session fixtures already built (``built``: dev, prod, forecast, tracked), so the file builds
nothing of its own; one records a dev variant (cached by code version, like the other variants).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.graph_helpers import within
from tests.pipelines.churn_fixtures import job_steps, steps_by_name
from tests.recorded import recorded_stack
from tests.stacks.conftest import endpointless_cut
from tests.yaml_text import dump_document


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


PROCESSING_TYPE = "ml.c5.2xlarge"
"""A processing instance type no fixture stack uses, and unlike the baselining jobs' default."""


@pytest.fixture(scope="module")
def processing_variant(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """dev's churn family with its own processing instance type, gated on F1 (not the first of
    its metrics), recorded once per code version, cut to its foundation, families and alerts
    (:func:`tests.stacks.conftest.endpointless_cut`: the family's training pipeline stays as it is)."""
    document = load_stack_document("dev")
    endpointless_cut(document["config"][CONFIG_KEY])
    (family,) = [m for m in document["config"][CONFIG_KEY]["models"] if m["name"] == "customer-churn"]
    family["training"]["processing_instance_type"] = PROCESSING_TYPE
    family["promotion"] = {"metric": "metrics.f1.value", "threshold": 0.6, "direction": "maximize"}
    path = tmp_path_factory.mktemp("processing-variant") / "Pulumi.variant.yaml"
    path.write_text(dump_document(document))
    [pipeline] = within(
        recorded_stack(str(path)), "training-customer-churn", "aws:sagemaker/pipeline:Pipeline"
    )
    return json.loads(pipeline.inputs["pipelineDefinition"])


def test_the_families_processing_instance_type_is_the_data_steps_default(processing_variant) -> None:
    """The stack file's ``processing_instance_type`` is what Preprocess and Evaluate run on by
    default, not the baselining jobs' type (mutation: the baseline type passed in its place)."""
    parameters = {p["Name"]: p for p in processing_variant["Parameters"]}
    steps = steps_by_name(processing_variant)

    assert parameters["ProcessingInstanceType"]["DefaultValue"] == PROCESSING_TYPE
    baseline = steps["DataQualityBaseline"]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    assert baseline["InstanceType"] != PROCESSING_TYPE


def test_the_gate_reads_the_promotion_metric_even_when_it_is_not_the_first_reported(
    processing_variant,
) -> None:
    """(mutation: the gate fed the family's first evaluation metric instead of its promotion one)"""
    (condition,) = steps_by_name(processing_variant)["CheckMetric"]["Arguments"]["Conditions"]

    assert condition["Type"] == "GreaterThanOrEqualTo"
    assert condition["LeftValue"]["Std:JsonGet"]["Path"] == "metrics.f1.value"
    assert condition["RightValue"] == {"Get": "Parameters.MetricThreshold"}
