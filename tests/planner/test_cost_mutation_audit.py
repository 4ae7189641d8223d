"""What the cost estimate, the per-run ceilings, the budget check and the critical path decide, where a
mutation audit found no test holding it.

A hand-mutation audit of planner/training_cost.py, planner/pricing.py, planner/cost.py,
planner/budget.py and planner/critical_path.py: 144 one-step mutations of the decision and arithmetic
logic (35, 53, 12, 16 and 28), each run against the tests that cover its module (test_cost,
test_report_semantics, test_pricing_semantics, test_batch_processing_cost, test_processing_run_cost,
test_budget, test_budget_semantics, test_cost_athena, test_cost_cloudtrail, test_cost_schedules,
test_plan_figures_semantics, test_critical_path, test_schedules_critical_path_semantics, and
tests/components test_shared_endpoint, test_batch_scoring, test_training_pipeline_tuning,
test_dependencies, tests/pipelines test_tuning_step). 121 were caught; 23 survived. Of those, 19 are
caught by a test here, 1 exposed a product bug (fixed, see CHANGELOG.md) and 3 are equivalent (below).
Reviewing the survivors found 2 more bugs in lines no surviving mutation touched (fixed). The 5
mutations of the fixed lines counted above (3 survived the module's tests) are all caught, only here.

training_cost.py (35 mutations, 7 survived: 6 caught now, 1 bug):

- a Tuning step runs at most as many jobs at a time as it runs (``MaxParallelTrainingJobs`` capped at
  the job count, as the report's "(4 at a time)" says); its wall time is waves of parallel jobs, not
  every job in turn; an on-demand job is held up by its run limit, not a ``MaxWaitTimeInSeconds`` it
  does not use;
- a ClarifyCheck step runs a processing job and is priced as one;
- a tuning step's whole ``MaxRuntimeInSeconds`` given as a parameter cuts its wall time; a count or a
  limit that is not a number reads as unset (1 instance, a day), never 0.

pricing.py (53 mutations, 8 survived: 7 caught now, 1 equivalent):

- a month is the price table's ``hours_per_month`` (read from its file), not a constant equal to it;
  a region the file lacks has no prices; a flat price asked for one item is missing;
- a VPC endpoint without ``vpcEndpointType`` is a free gateway endpoint;
- a scheduled run's Condition takes the branch costlier *at most* for both bounds, not the one
  costlier typically;
- a trail without selectors shows its free management-events line; basic selectors record
  management events unless every one turns them off.

cost.py (12 mutations, 4 survived: 4 caught now): a resource under a custom resource at the stack's
root is stack-level (only components group the estimate); components are listed costliest first by
their maximum; the estimate names the region of the prices it used; only a stack naming no region is
told which region's prices it got.

budget.py (16 mutations, 3 survived: 2 caught now, 1 equivalent): a Budget the program registered is
checked whatever the stack file's ``budget.enabled`` says; the warning counts 2 unpriced resources in
the plural.

critical_path.py (28 mutations, 1 survived: 1 equivalent).

Equivalent (3):

- budget.py ``budgets[0]`` read as ``budgets[-1]``: the composition registers at most one Budget
  (``<name_prefix>-monthly``), so the first is the last;
- pricing.py a serverless variant's ceiling ``max(floor, ceiling)`` read as ``ceiling``: provisioned
  concurrency cannot exceed ``MaxConcurrency`` and its rate is below the on-demand one, so the floor
  never exceeds the ceiling (as test_pricing_semantics already notes);
- critical_path.py a child of the stack inherits nothing because its parent is the stack, dropped: the
  stack is a component with no dependencies and no parent, so the general branch inherits nothing too.

The bugs (each with its CHANGELOG.md entry):

- a training job without ``MaxRuntimeInSeconds`` was priced at $0 a run with no wall time; SageMaker
  stops it after its default day, now its ceiling (mutation: an unset limit read as an hour, which
  survived because no test left the limit unset);
- a training job's ``InstanceCount`` or run/wait limits, or a tuning step's job limits, given as a
  pipeline parameter stopped the plan with a TypeError (the instance type was resolved, nothing
  else); each is read as its default now, and so is a processing step's parameterised
  ``MaxRuntimeInSeconds`` (it was listed as missing) (found judging the instance-count mutations);
- a trail recording S3 data events through basic ``eventSelectors`` was priced as management events
  alone, a ceiling of $0 for its data events (found judging the no-selector mutation).
"""

from __future__ import annotations

import json
from typing import Any

from planner.pricing import load_prices
from planner.training_cost import TrainingRunCost, training_run_costs
from tests.planner.test_report_semantics import PIPELINE, _graph, _resource

PRICES = load_prices("eu-west-1")
TRAINING = PRICES.prices["sagemaker_training_per_hour"]
HOUR = 3600


def _training_runs(
    *steps: dict[str, Any], parameters: list[dict[str, Any]] | None = None
) -> list[TrainingRunCost]:
    definition = {"Parameters": parameters or [], "Steps": list(steps)}
    graph = _graph(_resource(PIPELINE, "train-pipeline", {"pipelineDefinition": json.dumps(definition)}))
    return list(training_run_costs(graph, PRICES))


def _job(
    instance: Any = "ml.m5.xlarge", *, count: Any = 1, runtime: Any = HOUR, **extra: Any
) -> dict[str, Any]:
    return {
        "ResourceConfig": {"InstanceType": instance, "InstanceCount": count, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": runtime, **extra.pop("stopping", {})},
        **extra,
    }


def _tuning(jobs: int, parallel: int, **job: Any) -> dict[str, Any]:
    return {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "ResourceLimits": {"MaxNumberOfTrainingJobs": jobs, "MaxParallelTrainingJobs": parallel},
            },
            "TrainingJobDefinition": _job(**job),
        },
    }


# training_cost.py


def test_a_tuning_step_runs_no_more_jobs_at_a_time_than_it_runs_at_all() -> None:
    """MaxParallelTrainingJobs 10 of 4 jobs: 4 at a time, as the report says; one wave of the limit."""
    [run] = _training_runs(_tuning(4, 10))
    assert (run.jobs, run.parallel_jobs, run.max_wall_seconds) == (4, 4, HOUR)
    assert "4 training jobs (4 at a time)" in run.what()
    assert run.to_json()["parallel_jobs"] == 4


def test_a_tuning_steps_wall_time_is_its_waves_of_parallel_jobs_not_every_job_in_turn() -> None:
    """5 jobs, 2 at a time: 3 waves of the 1 h limit (not 5 h); the bill is still 5 jobs."""
    [run] = _training_runs(_tuning(5, 2))
    assert run.max_wall_seconds == 3 * HOUR
    assert run.max_per_run == round(5 * TRAINING["ml.m5.xlarge"], 2)


def test_an_on_demand_job_is_held_up_by_its_run_limit_not_a_wait_limit_it_does_not_use() -> None:
    """MaxWaitTimeInSeconds applies to managed spot only: an on-demand job's wall time is its run limit."""
    step = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": _job(stopping={"MaxWaitTimeInSeconds": 4 * HOUR}),
    }
    [run] = _training_runs(step)
    assert (run.spot, run.max_wall_seconds) == (False, HOUR)


def test_a_training_steps_counts_and_limits_given_as_parameters_are_their_defaults() -> None:
    """SageMaker takes a pipeline parameter for a job's instance count and run limit and for a tuning
    step's job limits: the ceiling reads each default, as it does a parameterised instance type (it
    stopped the plan with a TypeError)."""
    parameters = [
        {"Name": name, "Type": "Integer", "DefaultValue": value}
        for name, value in (
            ("Count", 4),
            ("Runtime", 2 * HOUR),
            ("Jobs", 6),
            ("Parallel", 3),
            ("Whole", 5400),
        )
    ]
    train = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": _job(count={"Get": "Parameters.Count"}, runtime={"Get": "Parameters.Runtime"}),
    }
    tune = _tuning(1, 1, count={"Get": "Parameters.Count"})
    limits = tune["Arguments"]["HyperParameterTuningJobConfig"]["ResourceLimits"]
    limits.update(
        MaxNumberOfTrainingJobs={"Get": "Parameters.Jobs"},
        MaxParallelTrainingJobs={"Get": "Parameters.Parallel"},
        MaxRuntimeInSeconds={"Get": "Parameters.Whole"},
    )
    trained, tuned = _training_runs(train, tune, parameters=parameters)
    hourly = TRAINING["ml.m5.xlarge"]
    assert (trained.instance_count, trained.max_runtime_seconds) == (4, 2 * HOUR)
    assert trained.max_per_run == round(4 * hourly * 2, 2)
    assert (tuned.jobs, tuned.parallel_jobs, tuned.instance_count) == (6, 3, 4)
    assert tuned.max_per_run == round(6 * 4 * hourly, 2)
    assert tuned.max_wall_seconds == 5400  # 2 waves of 1 h, cut by the whole step's 1.5 h


def test_a_training_jobs_unset_limit_is_a_day_and_an_unreadable_one_prices_nothing() -> None:
    """Unset, MaxRuntimeInSeconds is SageMaker's default day. Set to what the plan cannot read (not a
    number, a step's output, a parameter without a default, 0, infinity), a count or a limit prices
    no ceiling: 1 instance or a day would be a guess that may understate the run."""
    unset = _job()
    del unset["StoppingCondition"]["MaxRuntimeInSeconds"]
    [run] = _training_runs({"Name": "Train", "Type": "Training", "Arguments": unset})
    assert (run.max_runtime_seconds, run.max_per_run) == (86_400, round(24 * TRAINING["ml.m5.xlarge"], 2))
    for count, runtime in [
        ("two", HOUR),
        (1, "long"),
        ({"Get": "Steps.Sizing.Count"}, HOUR),
        ({"Get": "Parameters.NoDefault"}, HOUR),
        (0, HOUR),
        (1, float("inf")),
    ]:
        [run] = _training_runs(
            {"Name": "Train", "Type": "Training", "Arguments": _job(count=count, runtime=runtime)}
        )
        assert run.max_per_run is None and run.unpriced and "cannot read" in run.unpriced, (count, runtime)


def test_a_search_without_a_job_limit_or_with_zero_parallel_jobs_prices_nothing() -> None:
    """A Bayesian or Random search without MaxNumberOfTrainingJobs (no documented default) runs
    jobs until its criteria or quota stop it: no ceiling, not one job's; a parallel limit of "0"
    (a parameter's text) divided the waves by zero."""
    search = _tuning(4, 2)
    del search["Arguments"]["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    [run] = _training_runs(search)
    assert run.max_per_run is None and "MaxNumberOfTrainingJobs is unset" in str(run.unpriced)
    [zero] = _training_runs(_tuning(4, "0"))  # type: ignore[arg-type]
    assert zero.max_per_run is None and "cannot read" in str(zero.unpriced)


def test_a_processing_steps_run_limit_given_as_a_parameter_is_its_default() -> None:
    """A parameterised MaxRuntimeInSeconds is priced at its default, not listed as missing."""
    from planner.training_cost import processing_run_costs

    step = {
        "Name": "Evaluate",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2}},
            "StoppingCondition": {"MaxRuntimeInSeconds": {"Get": "Parameters.Limit"}},
        },
    }
    definition = {
        "Parameters": [{"Name": "Limit", "Type": "Integer", "DefaultValue": 1800}],
        "Steps": [step, {"Name": "Train", "Type": "Training", "Arguments": _job()}],
    }
    graph = _graph(_resource(PIPELINE, "train-pipeline", {"pipelineDefinition": json.dumps(definition)}))
    [run] = processing_run_costs(graph, PRICES)
    processing = PRICES.prices["sagemaker_processing_per_hour"]["ml.m5.large"]
    assert run.unpriced == ()
    assert run.max_per_run == round(2 * processing / 2, 2)
    # A parameter without a default: the limit is set, but only a run knows it.
    definition["Parameters"] = [{"Name": "Limit", "Type": "Integer"}]
    graph = _graph(_resource(PIPELINE, "train-pipeline", {"pipelineDefinition": json.dumps(definition)}))
    [run] = processing_run_costs(graph, PRICES)
    [reason] = run.unpriced
    assert "cannot read" in reason and "no StoppingCondition" not in reason


def test_a_training_job_without_a_run_limit_is_priced_at_sagemakers_default_day() -> None:
    """No ``MaxRuntimeInSeconds``: SageMaker stops the job after a day, so that is its ceiling (it was $0)."""
    step = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {"ResourceConfig": {"InstanceType": "ml.m5.xlarge"}},
    }
    [run] = _training_runs(step)
    assert (run.max_runtime_seconds, run.max_wall_seconds) == (86_400, 86_400)
    assert run.max_per_run == round(24 * TRAINING["ml.m5.xlarge"], 2)


def test_a_clarify_check_step_runs_a_processing_job_and_is_priced_as_one() -> None:
    """A ClarifyCheck step runs its baselining job on the processing rate like a QualityCheck step."""
    from planner.training_cost import processing_run_costs

    step = {
        "Name": "CheckBias",
        "Type": "ClarifyCheck",
        "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1}},
            "StoppingCondition": {"MaxRuntimeInSeconds": HOUR},
        },
    }
    definition = {"Steps": [step, {"Name": "Train", "Type": "Training", "Arguments": _job()}]}
    graph = _graph(_resource(PIPELINE, "train-pipeline", {"pipelineDefinition": json.dumps(definition)}))
    [run] = processing_run_costs(graph, PRICES)
    assert [(s.step, s.step_type) for s in run.steps] == [("CheckBias", "ClarifyCheck")]
    assert run.max_per_run == round(PRICES.prices["sagemaker_processing_per_hour"]["ml.m5.large"], 2)


# budget.py


def test_a_registered_budget_is_checked_even_where_the_stack_file_does_not_enable_one() -> None:
    """The check follows the program: a Budget it registered is checked against the estimate, whatever
    (or whether) the stack file says under ``budget``; its limit is the resource's ``limitAmount``."""
    from planner.budget import budget_check
    from tests.planner.test_budget_semantics import BUDGET, _cost
    from tests.planner.test_critical_path import graph, resource

    registered = resource("budget", BUDGET, inputs={"limitAmount": "500", "limitUnit": "USD"})
    for config in ({}, {"mlops-platform:platform": {"budget": {"enabled": False}}}):
        check = budget_check(graph(registered, config=config), _cost(100.0, 600.0))
        assert check is not None
        assert (check.monthly_limit, check.estimate_max, check.exceeded) == (500.0, 600.0, True)


# cost.py and pricing.py

NAT = "aws:ec2/natGateway:NatGateway"
COMPONENT = "mlops:network:Network"


def _component(name: str, parent: str | None = None) -> Any:
    return _resource(COMPONENT, name, custom=False, parent=parent)


def test_a_resource_under_a_custom_resource_at_the_stack_root_is_stack_level() -> None:
    """Only components group the estimate: a gateway parented to a custom resource directly under the
    stack is a stack-level line; one under a custom resource inside a component is that component's."""
    from planner.cost import STACK_LEVEL, estimate_cost

    stack = _resource("pulumi:pulumi:Stack", "t-stack", custom=False)
    network = _component("network", parent=stack.urn)
    holder = _resource("aws:ec2/vpc:Vpc", "root-vpc", parent=stack.urn)
    inner = _resource("aws:ec2/vpc:Vpc", "inner-vpc", parent=network.urn)
    gateways = [_resource(NAT, "nat-root", parent=holder.urn), _resource(NAT, "nat-inner", parent=inner.urn)]
    estimate = estimate_cost(_graph(stack, network, holder, inner, *gateways), PRICES)
    monthly = round(PRICES.prices["nat_gateway_per_hour"] * PRICES.hours_per_month, 2)
    assert {name: [i.resource for i in c.items] for name, c in estimate.by_component.items()} == {
        "network": ["nat-inner"],
        STACK_LEVEL: ["nat-root"],
    }
    assert estimate.by_component[STACK_LEVEL].type == "pulumi:pulumi:Stack"
    assert estimate.monthly_max == round(2 * monthly, 2)


def test_components_are_listed_costliest_first_by_their_maximum() -> None:
    """The estimate lists the component with the highest maximum first (ties by name)."""
    from planner.cost import estimate_cost

    cheap, dear = _component("a-cheap"), _component("b-dear")
    key = _resource("aws:kms/key:Key", "key", parent=cheap.urn)
    gateways = [_resource(NAT, f"nat-{i}", parent=dear.urn) for i in range(2)]
    estimate = estimate_cost(_graph(cheap, dear, key, *gateways), PRICES)
    assert list(estimate.by_component) == ["b-dear", "a-cheap"]
    assert [c.monthly_max for c in estimate.by_component.values()] == [
        round(2 * round(PRICES.prices["nat_gateway_per_hour"] * PRICES.hours_per_month, 2), 2),
        PRICES.prices["kms_key_per_month"],
    ]


def test_the_estimate_names_the_region_of_the_prices_it_used_and_their_hours_per_month() -> None:
    """Priced with another region's table, the estimate says that region; a month is the table's
    ``hours_per_month`` hours, not a constant."""
    from dataclasses import replace

    from planner.cost import estimate_cost

    us = replace(load_prices("us-east-1"), hours_per_month=100.0)
    graph = _graph(_resource(NAT, "nat"), config={"mlops-platform:platform": {"region": "eu-west-1"}})
    estimate = estimate_cost(graph, us)
    assert estimate.region == "us-east-1"
    assert estimate.monthly_min == estimate.monthly_max == round(100 * us.prices["nat_gateway_per_hour"], 2)
    assert "A month is 100 hours." in estimate.assumptions


def test_a_price_tables_hours_per_month_and_region_come_from_its_file(tmp_path: Any) -> None:
    """``load_prices`` reads the month's hours from the file it loads, and a region the file lacks has
    no prices (every lookup says so) rather than another region's."""
    import pytest

    from planner.pricing import PriceMissing

    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {
                "compiled": "2026-01-01",
                "currency": "USD",
                "hours_per_month": 672,
                "regions": {"eu-west-1": {"nat_gateway_per_hour": 0.5}},
            }
        )
    )
    table = load_prices("eu-west-1", path)
    assert (table.hours_per_month, table.get("nat_gateway_per_hour")) == (672.0, 0.5)
    with pytest.raises(PriceMissing, match="no prices for region eu-central-1"):
        load_prices("eu-central-1", path).get("nat_gateway_per_hour")


def test_a_vpc_endpoint_without_a_type_is_a_free_gateway_endpoint() -> None:
    """``vpcEndpointType`` defaults to ``Gateway`` (the provider's default): no hourly charge; only an
    interface endpoint bills, per subnet (AZ)."""
    from planner.cost import estimate_cost

    endpoint = "aws:ec2/vpcEndpoint:VpcEndpoint"
    untyped = _resource(endpoint, "s3", {"serviceName": "com.amazonaws.eu-west-1.s3"})
    interface = _resource(endpoint, "sts", {"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]})
    estimate = estimate_cost(_graph(untyped, interface), PRICES)
    [items] = [c.items for c in estimate.by_component.values()]
    assert [i.resource for i in items] == ["sts"]
    hourly = PRICES.prices["vpc_interface_endpoint_per_az_hour"]
    assert estimate.monthly_max == round(3 * hourly * PRICES.hours_per_month, 2)


def test_a_scheduled_runs_condition_takes_the_branch_costlier_at_most_for_both_bounds() -> None:
    """Of a Condition, the branch whose steps bill more *at most* is the one priced, floor and ceiling:
    a Transform (15 min typical, 60 min at most) beats 5 processing instances capped at 10 minutes
    (costlier typically, cheaper at most)."""
    from planner.pricing import PRICERS, PricingContext
    from planner.schedules import runs_per_month
    from tests.planner.test_batch_processing_cost import WEEKLY, _processing, _scheduled
    from tests.planner.test_pricing_semantics import _transform

    condition = {
        "Name": "Drifted",
        "Type": "Condition",
        "Arguments": {
            "IfSteps": [_transform("Score", "ml.m5.xlarge", 1)],
            "ElseSteps": [_processing("Report", "ml.m5.xlarge", count=5, runtime=600)],
        },
    }
    schedule, pipeline = _scheduled(condition)
    items = PRICERS[schedule.type](PricingContext(_graph(schedule, pipeline), PRICES), schedule)
    runs = runs_per_month(WEEKLY)
    hourly = PRICES.prices["sagemaker_hosting_per_hour"]["ml.m5.xlarge"]
    assert [i.what.split(",")[0] for i in items] == ["batch transform on ml.m5.xlarge x 1"]
    assert items[0].monthly_min == runs * hourly * 15 / 60
    assert items[0].monthly_max == runs * hourly * 60 / 60
    assert 5 * PRICES.prices["sagemaker_processing_per_hour"]["ml.m5.xlarge"] / 6 > hourly * 15 / 60


TRAIL = "aws:cloudtrail/trail:Trail"


def _trail_items(**inputs: Any) -> list[tuple[str, float, float]]:
    from planner.pricing import PRICERS, PricingContext

    trail = _resource(TRAIL, "trail", inputs)
    return [
        (i.what, i.monthly_min, i.monthly_max)
        for i in PRICERS[TRAIL](PricingContext(_graph(trail), PRICES), trail)
    ]


def test_a_trail_without_selectors_records_management_events_shown_at_zero() -> None:
    """No selectors at all: management events only, the account's free first copy, shown as a $0 line."""
    assert _trail_items() == [("management events (first copy: free)", 0.0, 0.0)]


def test_a_trails_basic_event_selectors_naming_data_resources_bill_data_events() -> None:
    """Basic ``eventSelectors`` record data events where one names data resources (they were read as
    management only, a ceiling of $0), and management events unless every selector turns them off."""
    data_ceiling = 10_000_000 / 100_000 * PRICES.prices["cloudtrail_data_events_per_100k"]
    s3 = {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}
    both = _trail_items(eventSelectors=[{"readWriteType": "All", "dataResources": [s3]}])
    assert both == [
        ("management events (first copy: free)", 0.0, 0.0),
        ("data events, 0-10M a month (assumed ceiling)", 0.0, data_ceiling),
    ]
    data_only = _trail_items(eventSelectors=[{"includeManagementEvents": False, "dataResources": [s3]}])
    assert data_only == [("data events, 0-10M a month (assumed ceiling)", 0.0, data_ceiling)]
    mixed = _trail_items(eventSelectors=[{"includeManagementEvents": False, "dataResources": [s3]}, {}])
    assert mixed == both
    management = _trail_items(eventSelectors=[{"readWriteType": "WriteOnly"}])
    assert management == [("management events (first copy: free)", 0.0, 0.0)]


def test_a_flat_price_asked_for_one_item_is_missing_not_the_flat_price() -> None:
    """``get(key, item)`` on a key holding a single price has no price for the item: PriceMissing names
    the key and item, rather than the flat figure standing in for an instance type's rate."""
    import pytest

    from planner.pricing import PriceMissing, PriceTable

    table = PriceTable("eu-west-1", {"sagemaker_hosting_per_hour": 1.5}, 730.0, "2026-01-01", "USD")
    with pytest.raises(PriceMissing, match=r"sagemaker_hosting_per_hour\['ml.m5.large'\]"):
        table.get("sagemaker_hosting_per_hour", "ml.m5.large")
    assert table.get("sagemaker_hosting_per_hour") == 1.5


def test_only_a_stack_naming_no_region_is_told_which_regions_prices_it_got() -> None:
    from planner.cost import estimate_cost

    note = "The stack names no region; priced at eu-west-1 list prices."
    unnamed = estimate_cost(_graph(_resource(NAT, "nat")))
    named = estimate_cost(
        _graph(_resource(NAT, "nat"), config={"mlops-platform:platform": {"region": "us-east-1"}})
    )
    assert (unnamed.region, note in unnamed.assumptions) == ("eu-west-1", True)
    assert named.region == "us-east-1"
    assert not any("names no region" in a for a in named.assumptions)


def test_the_budget_warning_counts_two_unpriced_resources_in_the_plural() -> None:
    from planner.budget import BudgetCheck

    for unpriced, phrase in ((1, "the 1 unpriced resource the"), (2, "the 2 unpriced resources the")):
        warning = BudgetCheck(
            monthly_limit=None, estimate_max=100.0, margin_percent=20.0, unpriced=unpriced
        ).warning
        assert warning is not None and f"$120 (the maximum plus the 20% margin), more for {phrase}" in warning
