"""A training run's processing jobs are priced per run (planner/training_cost.py: ProcessingRunCost):
each job its MaxRuntimeInSeconds on its instances at the processing rate, of a Condition's
branches the costlier, unpriced steps named with their reason, outside the monthly totals."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from planner.cost import estimate_cost
from planner.pricing import load_prices
from planner.report import Plan
from planner.training_cost import ProcessingRunCost, ProcessingStepCost, TrainingRunCost, processing_run_costs
from tests.conftest import stack_path
from tests.planner.test_report_semantics import PIPELINE, _cost, _graph, _resource, _text
from tests.recorded import recorded_stack

PRICES = load_prices("eu-west-1")
PROCESSING = PRICES.prices["sagemaker_processing_per_hour"]


def _processing(
    name: str,
    instance: Any = "ml.m5.xlarge",
    *,
    count: Any = 1,
    runtime: int | None = 3600,
    kind: str = "Processing",
) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "ProcessingResources": {
            "ClusterConfig": {"InstanceType": instance, "InstanceCount": count, "VolumeSizeInGB": 30}
        }
    }
    if runtime is not None:
        arguments["StoppingCondition"] = {"MaxRuntimeInSeconds": runtime}
    return {"Name": name, "Type": kind, "Arguments": arguments}


TRAIN = {
    "Name": "Train",
    "Type": "Training",
    "Arguments": {"ResourceConfig": {"InstanceType": "ml.m5.xlarge"}},
}


def _runs(
    *steps: dict[str, Any], parameters: list[dict[str, Any]] | None = None
) -> tuple[ProcessingRunCost, ...]:
    definition = {"Parameters": parameters or [], "Steps": list(steps)}
    graph = _graph(_resource(PIPELINE, "train-pipeline", {"pipelineDefinition": json.dumps(definition)}))
    return processing_run_costs(graph, PRICES)


def _walk(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for step in steps:
        found.append(step)
        arguments = step.get("Arguments") or {}
        found += _walk(arguments.get("IfSteps") or []) + _walk(arguments.get("ElseSteps") or [])
    return found


def test_the_prod_training_run_prices_every_processing_job_of_its_definition() -> None:
    graph = recorded_stack(stack_path("prod"))
    estimate = estimate_cost(graph, PRICES)
    [run] = estimate.processing_runs
    [pipeline] = [p for p in graph.of_type(PIPELINE) if p.name == run.pipeline]
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    defaults = {p["Name"]: p.get("DefaultValue") for p in definition["Parameters"]}
    processing = [s for s in _walk(definition["Steps"]) if s["Type"] == "Processing"]
    assert [step.step for step in run.steps] == [s["Name"] for s in processing]
    assert len(run.steps) >= 5  # features, preprocessing, evaluation, reports, baselines
    for step, source in zip(run.steps, processing, strict=True):
        cluster = source["Arguments"]["ProcessingResources"]["ClusterConfig"]
        instance = cluster["InstanceType"]
        instance = (
            defaults[instance["Get"].removeprefix("Parameters.")] if isinstance(instance, dict) else instance
        )
        runtime = source["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"]
        assert (step.instance_type, step.max_runtime_seconds) == (instance, runtime)
        if instance in PROCESSING:
            assert step.max_per_run == round(
                cluster["InstanceCount"] * PROCESSING[instance] * runtime / 3600, 2
            )
            assert step.unpriced is None
        else:
            assert step.max_per_run is None and instance in step.unpriced
    # The baselines sit in the Condition's IfSteps; its ElseSteps only fail: the run pays them once.
    assert run.max_per_run == round(sum(step.max_per_run or 0 for step in run.steps), 2)
    assert run.max_per_run > 1.0
    # The batch-scoring pipelines train nothing: their runs are priced by their schedule.
    batch = [p.name for p in graph.of_type(PIPELINE) if p.name != run.pipeline]
    assert batch and not {r.pipeline for r in estimate.processing_runs} & set(batch)
    assert estimate.to_json()["processing_runs"] == [run.to_json()]
    # Outside the monthly totals, as the training step is.
    assert estimate.monthly_max == estimate_cost(graph, PRICES).monthly_max
    assert estimate.monthly_max == replace(estimate, processing_runs=()).monthly_max


def test_a_condition_costs_its_costlier_branch_and_every_job_its_instances_and_runtime() -> None:
    [run] = _runs(
        TRAIN,
        _processing("Prepare", count=2, runtime=1800),
        {
            "Name": "Check",
            "Type": "Condition",
            "Arguments": {
                "IfSteps": [_processing("Baseline", "ml.m5.4xlarge", runtime=7200)],
                "ElseSteps": [_processing("Report", "ml.m5.large"), {"Name": "Stop", "Type": "Fail"}],
            },
        },
    )
    prepare = round(2 * PROCESSING["ml.m5.xlarge"] * 0.5, 2)
    baseline = round(PROCESSING["ml.m5.4xlarge"] * 2, 2)
    report = round(PROCESSING["ml.m5.large"], 2)
    assert [(s.step, s.max_per_run) for s in run.steps] == [
        ("Prepare", prepare),
        ("Baseline", baseline),
        ("Report", report),
    ]
    assert baseline > report
    assert run.max_per_run == round(prepare + baseline, 2)
    assert run.unpriced == ()


def test_a_parameter_default_a_check_step_and_an_unpriced_step_each_count_as_aws_would_run_them() -> None:
    [run] = _runs(
        TRAIN,
        _processing(
            "Prepare", {"Get": "Parameters.ProcessingInstanceType"}, count={"Get": "Parameters.Count"}
        ),
        _processing("QualityBaseline", kind="QualityCheck", runtime=600),
        _processing("NoLimit", runtime=None),
        _processing("Small", "ml.r5.large", runtime=900),
        _processing("Small2", "ml.r5.large", runtime=600),
        parameters=[
            {"Name": "ProcessingInstanceType", "Type": "String", "DefaultValue": "ml.m5.2xlarge"},
            {"Name": "Count", "Type": "Integer", "DefaultValue": 3},
        ],
    )
    prepare, check, no_limit, small, small2 = run.steps
    assert (prepare.instance_type, prepare.instance_count) == ("ml.m5.2xlarge", 3)
    assert prepare.max_per_run == round(3 * PROCESSING["ml.m5.2xlarge"], 2)
    assert (check.step_type, check.max_per_run) == ("QualityCheck", round(PROCESSING["ml.m5.xlarge"] / 6, 2))
    assert no_limit.max_runtime_seconds is None and no_limit.max_per_run is None
    assert "MaxRuntimeInSeconds" in no_limit.unpriced
    assert small.max_per_run is None and small2.max_per_run is None
    assert run.max_per_run == round(prepare.max_per_run + check.max_per_run, 2)
    [missing_runtime, missing_price] = run.unpriced
    assert missing_runtime.endswith("(NoLimit)")
    assert "ml.r5.large" in missing_price and missing_price.endswith("(Small, Small2)")


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([_processing("Report")], id="no-training-step"),
        pytest.param([TRAIN], id="no-processing-step"),
    ],
)
def test_only_a_training_pipeline_with_processing_jobs_gets_a_row(steps: list[dict[str, Any]]) -> None:
    assert _runs(*steps) == ()


def test_the_text_report_gives_the_runs_processing_ceiling_and_what_it_leaves_out() -> None:
    run = ProcessingRunCost(
        "train",
        (
            ProcessingStepCost("Preprocess", "Processing", "ml.m5.xlarge", 2, 3600, 0.51),
            ProcessingStepCost(
                "Track", "Processing", "ml.t3.medium", 1, 900, None, "no price for ml.t3.medium"
            ),
        ),
        0.51,
    )
    cost = replace(_cost(unpriced=False), processing_runs=(run,))
    lines = _text(Plan(graph=_graph(), cost=cost)).splitlines()
    assert (
        "Processing in a run of train: 2 processing jobs (Preprocess on ml.m5.xlarge x 2, Track on "
        "ml.t3.medium): at most $0.51 per run (a lower bound: no price for ml.t3.medium (Track))"
    ) in lines
    priced = replace(run, steps=run.steps[:1])
    lines = _text(Plan(graph=_graph(), cost=replace(cost, processing_runs=(priced,)))).splitlines()
    assert (
        "Processing in a run of train: 1 processing job (Preprocess on ml.m5.xlarge x 2): at most $0.51 per run"
        in lines
    )


def test_each_pipelines_processing_line_follows_its_training_lines() -> None:
    def training(pipeline: str, step: str) -> TrainingRunCost:
        return TrainingRunCost(pipeline, step, "Training", "ml.m5.xlarge", 1, 1, 1, 3600, False, 0.26, 3600)

    def processing(pipeline: str) -> ProcessingRunCost:
        step = ProcessingStepCost("Evaluate", "Processing", "ml.m5.xlarge", 1, 3600, 0.26)
        return ProcessingRunCost(pipeline, (step,), 0.26)

    cost = replace(
        _cost(unpriced=False),
        training_runs=(training("churn", "Train"), training("fraud", "Tune"), training("churn", "Retrain")),
        processing_runs=(processing("fraud"), processing("churn"), processing("forecast")),
    )
    lines = [
        line.split(":", 2)[0] + ":" + line.split(":", 2)[1]
        for line in _text(Plan(graph=_graph(), cost=cost)).splitlines()
        if line.startswith(("Training run of ", "Processing in a run of "))
    ]
    assert lines == [
        "Training run of churn: Train",
        "Training run of churn: Retrain",
        "Processing in a run of churn: 1 processing job (Evaluate on ml.m5.xlarge)",
        "Training run of fraud: Tune",
        "Processing in a run of fraud: 1 processing job (Evaluate on ml.m5.xlarge)",
        "Processing in a run of forecast: 1 processing job (Evaluate on ml.m5.xlarge)",
    ]


def test_a_training_definition_the_plan_did_not_build_is_read_as_far_as_it_goes() -> None:
    """Steps that are not objects, or hold something else where an object belongs, price as unset
    instead of stopping the plan; the steps that can be priced still are."""
    from planner.training_cost import training_run_costs

    steps = [
        "not-a-step",
        {"Name": "ListArguments", "Type": "Condition", "Arguments": ["IfSteps"]},
        {
            "Name": "TextCluster",
            "Type": "Processing",
            "Arguments": {"ProcessingResources": {"ClusterConfig": "x"}},
        },
        {"Name": "TextTuning", "Type": "Tuning", "Arguments": {"HyperParameterTuningJobConfig": "x"}},
        {"Name": "ListTraining", "Type": "Training", "Arguments": ["x"]},
        _processing("Evaluate", "ml.m5.large", runtime=600),
        TRAIN,
    ]
    definition = {"Parameters": [], "Steps": steps}
    graph = _graph(_resource(PIPELINE, "train-pipeline", {"pipelineDefinition": json.dumps(definition)}))

    [run] = processing_run_costs(graph, PRICES)
    assert [step.step for step in run.steps] == ["TextCluster", "Evaluate"]
    assert run.max_per_run == round(PROCESSING["ml.m5.large"] * 600 / 3600, 2)
    assert [cost.step for cost in training_run_costs(graph, PRICES)] == [
        "TextTuning",
        "ListTraining",
        "Train",
    ]
