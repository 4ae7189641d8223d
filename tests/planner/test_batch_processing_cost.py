"""A scheduled batch run's processing steps are priced beside its Transform steps
(planner/pricing.py: _scheduled_pipeline): runs a month x instances x the processing rate, a
typical run for the floor and the step's MaxRuntimeInSeconds for the ceiling, of a Condition the
costlier branch, parameters read as the schedule starts the run, and a step the table cannot price
shown as an unpriced line, never as $0 nor taking the priced steps down with it.

Every figure is worked out from the price table's own entries and the definition's own fields."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.cost import STACK_LEVEL, estimate_cost
from planner.pricing import (
    ASSUMED_MAX_TRANSFORM_RUN_MINUTES,
    SECONDS_PER_HOUR,
    TYPICAL_BATCH_PROCESSING_RUN_MINUTES,
    TYPICAL_TRANSFORM_RUN_MINUTES,
    CostItem,
    load_prices,
)
from planner.recorder import RecordedResource
from planner.schedules import runs_per_month
from tests.conftest import stack_path
from tests.planner.test_critical_path import graph, resource
from tests.planner.test_pricing_semantics import DAILY, PIPELINE, SCHEDULE, _priced, _transform, _wired
from tests.recorded import recorded_stack

PRICES = load_prices("eu-west-1")
PROCESSING = PRICES.prices["sagemaker_processing_per_hour"]
HOSTING = PRICES.prices["sagemaker_hosting_per_hour"]
WEEKLY = "cron(0 3 ? * MON *)"


def _processing(name: str, instance: Any = "ml.m5.large", *, count: Any = 1, runtime: int | None = 3600):
    arguments: dict[str, Any] = {
        "ProcessingResources": {"ClusterConfig": {"InstanceType": instance, "InstanceCount": count}}
    }
    if runtime is not None:
        arguments["StoppingCondition"] = {"MaxRuntimeInSeconds": runtime}
    return {"Name": name, "Type": "Processing", "Arguments": arguments}


def _scheduled(
    *steps: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    given: list[dict[str, str]] | None = None,
    schedule: str = WEEKLY,
) -> tuple[RecordedResource, RecordedResource]:
    definition = {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}
    pipeline = resource("pipeline", PIPELINE, inputs={"pipelineDefinition": json.dumps(definition)})
    target = {"sagemakerPipelineParameters": {"pipelineParameters": given or []}}
    inputs = {"scheduleExpression": schedule, "target": target}
    return _wired(SCHEDULE, "schedule", inputs, target=pipeline), pipeline


def _processing_items(items: list[CostItem]) -> dict[str, tuple[float, float]]:
    """Each processing step's (floor, ceiling), by step name."""
    return {
        item.what.split()[2]: (item.monthly_min, item.monthly_max)
        for item in items
        if item.what.startswith("processing step ")
    }


def _expected(runs: float, count: int, rate: float, runtime: int) -> tuple[float, float]:
    typical = min(TYPICAL_BATCH_PROCESSING_RUN_MINUTES * 60, runtime)
    return (
        pytest.approx(runs * count * rate * typical / SECONDS_PER_HOUR, rel=1e-12),
        pytest.approx(runs * count * rate * runtime / SECONDS_PER_HOUR, rel=1e-12),
    )


def test_the_prod_batch_schedule_prices_each_processing_step_of_its_pipeline_beside_the_transform() -> None:
    prod = recorded_stack(stack_path("prod"))
    [schedule] = prod.of_type(SCHEDULE)
    [pipeline] = [p for p in prod.of_type(PIPELINE) if p.urn in schedule.property_dependencies["target"]]
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    runs = runs_per_month(schedule.inputs["scheduleExpression"])

    items, _ = _priced(schedule, pipeline, prices=PRICES)

    processing = [step for step in definition["Steps"] if step["Type"] == "Processing"]
    assert {step["Name"] for step in processing} >= {"EvidentlyReport", "PublishDriftMetrics"}
    expected = {}
    for step in processing:
        arguments = step["Arguments"]
        cluster = arguments["ProcessingResources"]["ClusterConfig"]
        rate = PROCESSING[cluster["InstanceType"]]
        runtime = arguments["StoppingCondition"]["MaxRuntimeInSeconds"]
        expected[step["Name"]] = _expected(runs, cluster["InstanceCount"], rate, runtime)
    assert _processing_items(items) == expected
    # The Transform items are as before: hosting rate x instances x the assumed minutes.
    transforms = [step for step in definition["Steps"] if step["Type"] == "Transform"]
    assert transforms
    assert [(i.monthly_min, i.monthly_max) for i in items if i.what.startswith("batch transform")] == [
        pytest.approx(
            (
                runs * hourly * TYPICAL_TRANSFORM_RUN_MINUTES / 60,
                runs * hourly * ASSUMED_MAX_TRANSFORM_RUN_MINUTES / 60,
            ),
            rel=1e-12,
        )
        for resources in (step["Arguments"]["TransformResources"] for step in transforms)
        for hourly in [resources["InstanceCount"] * HOSTING[resources["InstanceType"]]]
    ]
    estimate = estimate_cost(prod, PRICES)
    assert not [u for u in estimate.unpriced if u.resource == schedule.name]
    [component] = [
        c for c in estimate.by_component.values() if schedule.name in {i.resource for i in c.items}
    ]
    assert component.monthly_max == pytest.approx(sum(round(i.monthly_max, 2) for i in items), abs=0.005)


def test_a_condition_prices_its_costlier_branch_and_every_step_its_instances_and_runtime() -> None:
    schedule, pipeline = _scheduled(
        _processing("Report", "ml.m5.large", count=2, runtime=1800),
        {
            "Name": "Drifted",
            "Type": "Condition",
            "Arguments": {
                "IfSteps": [_processing("Deep", "ml.m5.4xlarge", runtime=7200)],
                "ElseSteps": [
                    _processing("Light", "ml.m5.large", runtime=300),
                    {"Name": "Stop", "Type": "Fail"},
                ],
            },
        },
    )

    items, _ = _priced(schedule, pipeline, prices=PRICES)

    runs = runs_per_month(WEEKLY)
    assert _processing_items(items) == {
        "Report": _expected(runs, 2, PROCESSING["ml.m5.large"], 1800),
        "Deep": _expected(runs, 1, PROCESSING["ml.m5.4xlarge"], 7200),
    }
    # A step shorter than the typical run bills its limit at the floor too.
    [only] = _priced(*_scheduled(_processing("Light", runtime=300)), prices=PRICES)[0]
    assert only.monthly_min == pytest.approx(only.monthly_max, rel=1e-12)
    assert only.what == f"processing step Light on ml.m5.large x 1, {runs:.0f} runs/month"


def test_parameter_references_read_the_defaults_unless_the_schedule_starts_the_run_with_its_own() -> None:
    """For either kind of step: a processing step's and a Transform step's instances."""
    report = _processing(
        "Report",
        {"Get": "Parameters.ReportInstanceType"},
        count={"Get": "Parameters.ReportCount"},
        runtime=1200,
    )
    score = _transform("Score", "ml.m5.xlarge", None)
    score["Arguments"]["TransformResources"] = {
        "InstanceType": {"Get": "Parameters.ScoringInstanceType"},
        "InstanceCount": {"Get": "Parameters.ScoringCount"},
    }
    parameters = [
        {"Name": "ReportInstanceType", "Type": "String", "DefaultValue": "ml.m5.xlarge"},
        {"Name": "ReportCount", "Type": "Integer", "DefaultValue": 3},
        {"Name": "ScoringInstanceType", "Type": "String", "DefaultValue": "ml.m5.large"},
        {"Name": "ScoringCount", "Type": "Integer", "DefaultValue": 2},
    ]
    runs = runs_per_month(WEEKLY)
    own = [{"name": "ReportInstanceType", "value": "ml.m5.2xlarge"}, {"name": "ScoringCount", "value": "5"}]

    defaults, _ = _priced(*_scheduled(report, score, parameters=parameters), prices=PRICES)
    given, _ = _priced(*_scheduled(report, score, parameters=parameters, given=own), prices=PRICES)

    assert _processing_items(defaults) == {"Report": _expected(runs, 3, PROCESSING["ml.m5.xlarge"], 1200)}
    assert _processing_items(given) == {"Report": _expected(runs, 3, PROCESSING["ml.m5.2xlarge"], 1200)}
    assert [bounds for _, *bounds in _transform_items(defaults)] == [
        list(_transform_bounds(runs, 2, "ml.m5.large"))
    ]
    assert [bounds for _, *bounds in _transform_items(given)] == [
        list(_transform_bounds(runs, 5, "ml.m5.large"))
    ]


def test_a_step_without_a_price_or_a_limit_is_an_unpriced_line_and_the_rest_stays_priced() -> None:
    schedule, pipeline = _scheduled(
        _transform("Score", "ml.m5.xlarge", 2),
        _processing("Report", "ml.m5.large", runtime=3600),
        _processing("Exotic", "ml.r5.large", runtime=600),
        _processing("Endless", "ml.m5.large", runtime=None),
        schedule=DAILY,
    )
    assert "ml.r5.large" not in PROCESSING

    estimate = estimate_cost(graph(schedule, pipeline), PRICES)

    [component] = estimate.by_component.values()
    whats = [item.what for item in component.items]
    assert not [what for what in whats if "Exotic" in what or "Endless" in what]  # not shown as $0
    runs = runs_per_month(DAILY)
    assert [w.split(" on ")[0] for w in whats] == ["batch transform", "processing step Report"]
    assert component.monthly_max == pytest.approx(
        runs
        * (2 * HOSTING["ml.m5.xlarge"] * ASSUMED_MAX_TRANSFORM_RUN_MINUTES / 60 + PROCESSING["ml.m5.large"]),
        abs=0.01,
    )
    assert [(u.resource, u.type, u.component) for u in estimate.unpriced] == [
        (schedule.name, SCHEDULE, STACK_LEVEL)
    ] * 2
    exotic, endless = (u.reason for u in estimate.unpriced)
    assert exotic.startswith("processing step Exotic:") and "ml.r5.large" in exotic
    assert endless.startswith("processing step Endless:") and "MaxRuntimeInSeconds" in endless


def test_an_unpriced_step_in_the_branch_the_ceiling_leaves_out_is_still_listed() -> None:
    schedule, pipeline = _scheduled(
        {
            "Name": "Drifted",
            "Type": "Condition",
            "Arguments": {
                "IfSteps": [_processing("Priced", "ml.m5.xlarge")],
                "ElseSteps": [_processing("Exotic", "ml.r5.large")],
            },
        },
    )

    estimate = estimate_cost(graph(schedule, pipeline), PRICES)

    assert [item.what.split()[2] for c in estimate.by_component.values() for item in c.items] == ["Priced"]
    assert [u.reason.split(":")[0] for u in estimate.unpriced] == ["processing step Exotic"]


def test_a_scheduled_pipeline_without_a_transform_step_is_priced_by_its_processing_steps() -> None:
    items, _ = _priced(*_scheduled(_processing("Report", "ml.t3.medium", runtime=900)), prices=PRICES)

    runs = runs_per_month(WEEKLY)
    assert _processing_items(items) == {"Report": _expected(runs, 1, PROCESSING["ml.t3.medium"], 900)}
    for region in ("eu-west-1", "us-east-1"):  # the table's stated provenance: the hosting figure
        table = load_prices(region)
        assert table.get("sagemaker_processing_per_hour", "ml.t3.medium") == table.get(
            "sagemaker_hosting_per_hour", "ml.t3.medium"
        )


def _transform_items(items: list[CostItem]) -> list[tuple[str, float, float]]:
    return [(i.what, i.monthly_min, i.monthly_max) for i in items if i.what.startswith("batch transform")]


def _transform_bounds(runs: float, count: int, instance_type: str) -> tuple[float, float]:
    hourly = count * HOSTING[instance_type]
    return (
        pytest.approx(runs * hourly * TYPICAL_TRANSFORM_RUN_MINUTES / 60, rel=1e-12),
        pytest.approx(runs * hourly * ASSUMED_MAX_TRANSFORM_RUN_MINUTES / 60, rel=1e-12),
    )


def _condition(if_steps: list[dict[str, Any]], else_steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Name": "Check", "Type": "Condition", "Arguments": {"IfSteps": if_steps, "ElseSteps": else_steps}}


@pytest.mark.parametrize("transform_in", ["IfSteps", "ElseSteps"])
def test_a_transform_in_a_condition_is_priced_when_its_branch_bills_more(transform_in: str) -> None:
    """A run takes one branch: the ceiling is the branch that bills more at most, whether its steps
    are Transform or processing steps (a Transform under a Condition was not priced at all)."""
    heavy = _transform("Score", "ml.m5.4xlarge", 3)  # hosting x 3 x 60 min
    light = _processing("Report", "ml.m5.large", runtime=600)
    branches = {"IfSteps": [heavy], "ElseSteps": [light]}
    if transform_in == "ElseSteps":
        branches = {"IfSteps": [light], "ElseSteps": [heavy]}
    runs = runs_per_month(WEEKLY)

    items, _ = _priced(*_scheduled(_condition(branches["IfSteps"], branches["ElseSteps"])), prices=PRICES)

    assert [(min_, max_) for _, min_, max_ in _transform_items(items)] == [
        _transform_bounds(runs, 3, "ml.m5.4xlarge")
    ]
    assert _transform_items(items)[0][0] == f"batch transform on ml.m5.4xlarge x 3, {runs:.0f} runs/month"
    assert _processing_items(items) == {}, "the lighter branch is not billed beside it"


def test_a_condition_whose_processing_branch_bills_more_leaves_its_transform_out() -> None:
    light = _transform("Score", "ml.m5.large", 1)
    heavy = _processing("Deep", "ml.m5.4xlarge", count=4, runtime=4 * 3600)
    runs = runs_per_month(WEEKLY)
    assert 4 * PROCESSING["ml.m5.4xlarge"] * 4 > HOSTING["ml.m5.large"]  # the premise

    items, _ = _priced(*_scheduled(_condition([light], [heavy])), prices=PRICES)

    assert _transform_items(items) == []
    assert _processing_items(items) == {"Deep": _expected(runs, 4, PROCESSING["ml.m5.4xlarge"], 4 * 3600)}


def test_nested_conditions_and_top_level_steps_are_priced_in_the_order_a_run_takes_them() -> None:
    schedule, pipeline = _scheduled(
        _processing("Prepare", "ml.m5.large", runtime=900),
        _condition(
            [_condition([_transform("Deep", "ml.m5.2xlarge", 2)], [_transform("Shallow", "ml.m5.large", 1)])],
            [],
        ),
        _transform("Always", "ml.m5.xlarge", 1),
    )
    runs = runs_per_month(WEEKLY)

    items, _ = _priced(schedule, pipeline, prices=PRICES)

    assert [i.what.split(",")[0] for i in items] == [
        "processing step Prepare on ml.m5.large x 1",
        "batch transform on ml.m5.2xlarge x 2",
        "batch transform on ml.m5.xlarge x 1",
    ]
    assert [(min_, max_) for _, min_, max_ in _transform_items(items)] == [
        _transform_bounds(runs, 2, "ml.m5.2xlarge"),
        _transform_bounds(runs, 1, "ml.m5.xlarge"),
    ]


def test_steps_that_are_not_objects_or_lack_arguments_price_as_nothing() -> None:
    """An adopter's definition the plan did not build: nothing in it stops the estimate."""
    items, _ = _priced(
        *_scheduled(
            "not-a-step",  # type: ignore[arg-type]
            {"Name": "Bare", "Type": "Condition"},
            {"Name": "NoBranches", "Type": "Condition", "Arguments": {"IfSteps": None}},
            {"Name": "ListArguments", "Type": "Condition", "Arguments": ["IfSteps"]},
            {"Name": "ListProcessing", "Type": "Processing", "Arguments": ["x"]},
            {
                "Name": "TextCluster",
                "Type": "Processing",
                "Arguments": {"ProcessingResources": {"ClusterConfig": "x"}},
            },
            _transform("Score", "ml.m5.large", None),
        ),
        prices=PRICES,
    )

    assert [i.what.split(",")[0] for i in items] == ["batch transform on ml.m5.large x 1"]


def test_a_transform_whose_resources_are_not_an_object_leaves_the_schedule_unpriced() -> None:
    """The estimate goes on: the schedule is an unpriced line (no instance type to price)."""
    schedule, pipeline = _scheduled(
        {"Name": "TextResources", "Type": "Transform", "Arguments": {"TransformResources": "ml.m5.large"}},
    )

    estimate = estimate_cost(graph(schedule, pipeline), PRICES)

    assert [u.resource for u in estimate.unpriced] == [schedule.name]
    assert not [
        item for c in estimate.by_component.values() for item in c.items if item.resource == schedule.name
    ]
