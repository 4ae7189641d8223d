"""The pricers' arithmetic, exactly: what each resource type costs a month at minimum and maximum.

A mutation audit of planner/pricing.py (65 one-step mutations; 29 survived the existing tests)
found figures the shipped-stack and hand-priced tests left free: a variant's defaults (one
instance without ``initialInstanceCount``, the initial count where the target leaves a bound
unset, no floor of one), shadow variants, the target's minimum kept when a scaling schedule cannot
be read, a shared endpoint's copy and instance defaults, managed scaling only when ``ENABLED``, the
dominant share (CPU, memory or accelerators, the largest, memory alone on an instance of unknown
sizes), the serverless rates, MLflow's default size and hours, a standard-resolution alarm without
a period, a monitoring job read from a referenced job definition with its default instance count
and runtime, a batch pipeline's every Transform step at the hosting rate and only the pipeline its
schedule starts, an unreadable schedule left unpriced, and a region outside the table named as
such. Each test here fails under at least one of them.

Left as equivalent (3): the serverless memory and concurrency defaults (AWS requires
``MemorySizeInMB`` and ``MaxConcurrency``), and the ceiling's ``max(floor, ceiling)`` (provisioned
concurrency cannot exceed the maximum and its rate is below the on-demand one, so the floor never
exceeds the ceiling).

Every figure is worked out from the price table's own entries (a month is its
``hours_per_month``), never copied from the output. The hosting, processing and training rates
are equal for the types they share, so which one a pricer reads is checked against a table
holding only that one (``_only``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from planner.pricing import (
    ASSUMED_MAX_TRANSFORM_RUN_MINUTES,
    DEFAULT_MAX_RUNTIME_SECONDS,
    PRICERS,
    SECONDS_PER_HOUR,
    TYPICAL_MONITORING_RUN_MINUTES,
    TYPICAL_TRANSFORM_RUN_MINUTES,
    CostItem,
    PriceMissing,
    PriceTable,
    PricingContext,
    load_prices,
)
from planner.recorder import RecordedResource
from planner.schedules import runs_per_month
from tests.planner.test_critical_path import graph, resource

PRICES = load_prices("eu-west-1")
HOURS = PRICES.hours_per_month
HOSTING = "sagemaker_hosting_per_hour"
PROCESSING = "sagemaker_processing_per_hour"
TRAINING = "sagemaker_training_per_hour"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
TARGET = "aws:appautoscaling/target:Target"
ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction"
COMPONENT = "aws-native:sagemaker:InferenceComponent"
MONITORING = "aws-native:sagemaker:MonitoringSchedule"
SCHEDULE = "aws:scheduler/schedule:Schedule"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
DAILY = "cron(0 2 * * ? *)"


def _only(key: str, prices: PriceTable = PRICES) -> PriceTable:
    """The table without the other SageMaker instance rates: a pricer reading the wrong one is unpriced
    (the three rates are equal for the types they share, so a figure alone cannot tell them apart)."""
    others = {HOSTING, PROCESSING, TRAINING} - {key}
    return dataclasses.replace(prices, prices={k: v for k, v in prices.prices.items() if k not in others})


def _priced(subject: RecordedResource, *others: RecordedResource, prices: PriceTable = PRICES):
    """The pricer's own items for ``subject`` (unrounded) and the context's notes."""
    ctx = PricingContext(graph(subject, *others), prices)
    return PRICERS[subject.type](ctx, subject), ctx.notes


def _bounds(items: list[CostItem]) -> tuple[float, float]:
    return sum(i.monthly_min for i in items), sum(i.monthly_max for i in items)


def _pair(low: float, high: float):
    return pytest.approx((low, high), rel=1e-12, abs=1e-12)


def _wired(type_token: str, name: str, inputs: dict[str, Any], **refs: RecordedResource) -> RecordedResource:
    return dataclasses.replace(
        resource(name, type_token, inputs=inputs),
        property_dependencies={prop: (found.urn,) for prop, found in refs.items()},
    )


def _endpoint(*variants: dict[str, Any], shadows: tuple[dict[str, Any], ...] = ()):
    config = resource(
        "config",
        ENDPOINT_CONFIG,
        inputs={"productionVariants": list(variants), "shadowProductionVariants": list(shadows)},
    )
    endpoint = _wired(ENDPOINT, "endpoint-resource", {"name": "e"}, endpointConfigName=config)
    return endpoint, config


def _hosting(instance_type: str) -> float:
    return PRICES.get(HOSTING, instance_type)


# -- the table -------------------------------------------------------------------------------------


def test_a_region_outside_the_table_says_the_region_has_no_prices() -> None:
    with pytest.raises(PriceMissing, match="has no prices for region xx-nowhere-1"):
        load_prices("xx-nowhere-1").get("nat_gateway_per_hour")


# -- endpoint variants ------------------------------------------------------------------------------


def test_a_variant_without_a_target_bills_its_initial_count_and_one_instance_without_one() -> None:
    two = {"variantName": "two", "instanceType": "ml.m5.large", "initialInstanceCount": 2}
    unset = {"variantName": "unset", "instanceType": "ml.m5.xlarge"}
    endpoint, config = _endpoint(two, unset)

    items, _ = _priced(endpoint, config)

    by_variant = {item.what.split(":")[0]: item for item in items}
    two_monthly = 2 * _hosting("ml.m5.large") * HOURS
    assert (by_variant["two"].monthly_min, by_variant["two"].monthly_max) == _pair(two_monthly, two_monthly)
    one = _hosting("ml.m5.xlarge") * HOURS
    assert (by_variant["unset"].monthly_min, by_variant["unset"].monthly_max) == _pair(one, one)
    assert "(fixed)" in by_variant["two"].what


def test_shadow_variants_bill_like_production_variants() -> None:
    endpoint, config = _endpoint(
        {"variantName": "live", "instanceType": "ml.m5.large", "initialInstanceCount": 1},
        shadows=({"variantName": "shadow", "instanceType": "ml.m5.xlarge", "initialInstanceCount": 1},),
    )

    items, _ = _priced(endpoint, config)

    monthly = (_hosting("ml.m5.large") + _hosting("ml.m5.xlarge")) * HOURS
    assert _bounds(items) == _pair(monthly, monthly)


def _target(minimum: int | None, maximum: int | None) -> RecordedResource:
    inputs: dict[str, Any] = {"resourceId": "endpoint/e/variant/v"}
    if minimum is not None:
        inputs["minCapacity"] = minimum
    if maximum is not None:
        inputs["maxCapacity"] = maximum
    return resource("target", TARGET, inputs=inputs)


def _action(name: str, schedule: str, minimum: int, maximum: int) -> RecordedResource:
    return resource(
        name,
        ACTION,
        inputs={
            "resourceId": "endpoint/e/variant/v",
            "schedule": schedule,
            "scalableTargetAction": {"minCapacity": minimum, "maxCapacity": maximum},
        },
    )


VARIANT = {"variantName": "v", "instanceType": "ml.m5.large", "initialInstanceCount": 3}


def test_an_autoscaled_variant_bills_its_targets_bounds_and_the_initial_count_where_one_is_unset() -> None:
    endpoint, config = _endpoint(VARIANT)
    hourly = _hosting("ml.m5.large") * HOURS

    items, _ = _priced(endpoint, config, _target(1, 4))
    assert _bounds(items) == _pair(1 * hourly, 4 * hourly)
    assert "(autoscaled)" in items[0].what

    items, _ = _priced(endpoint, config, _target(2, None))
    assert _bounds(items) == _pair(2 * hourly, 3 * hourly)


def test_a_recurring_action_sets_the_minimum_and_its_maximum_can_raise_the_ceiling() -> None:
    endpoint, config = _endpoint(VARIANT)
    hourly = _hosting("ml.m5.large") * HOURS

    # One recurring action holds all the time once it has fired: its 2 is the minimum, its 5 the most.
    items, notes = _priced(endpoint, config, _target(1, 4), _action("a", "cron(0 7 ? * MON-FRI *)", 2, 5))

    assert _bounds(items) == _pair(2 * hourly, 5 * hourly)
    assert "(scheduled)" in items[0].what and notes == []


def test_an_unreadable_scaling_schedule_keeps_the_targets_minimum_and_says_so() -> None:
    endpoint, config = _endpoint(VARIANT)
    hourly = _hosting("ml.m5.large") * HOURS

    items, notes = _priced(endpoint, config, _target(1, 4), _action("a", "rate(1 day)", 2, 6))

    assert _bounds(items) == _pair(1 * hourly, 6 * hourly)
    [note] = notes
    assert note.startswith("endpoint/e/variant/v: ") and note.endswith("taken as the target's 1")


def test_an_endpoint_bills_at_the_hosting_rate() -> None:
    endpoint, config = _endpoint({"variantName": "v", "instanceType": "ml.m5.large"})

    items, _ = _priced(endpoint, config, prices=_only(HOSTING))

    assert _bounds(items) == _pair(_hosting("ml.m5.large") * HOURS, _hosting("ml.m5.large") * HOURS)


# -- shared endpoints (inference components) ------------------------------------------------------


def _component(
    endpoint: RecordedResource, name: str, requirements: dict[str, Any], copies: int | None = None
) -> RecordedResource:
    inputs: dict[str, Any] = {
        "inferenceComponentName": name,
        "specification": {"computeResourceRequirements": requirements},
    }
    if copies is not None:
        inputs["runtimeConfig"] = {"copyCount": copies}
    return _wired(COMPONENT, name, inputs, endpointName=endpoint)


def _shared(variant: dict[str, Any], *components: tuple[str, dict[str, Any], int | None]):
    endpoint, config = _endpoint(variant)
    return endpoint, config, [_component(endpoint, *spec) for spec in components]


def _copy_target(name: str, minimum: int, maximum: int) -> RecordedResource:
    return resource(
        f"{name}-copies",
        TARGET,
        inputs={"resourceId": f"inference-component/{name}", "minCapacity": minimum, "maxCapacity": maximum},
    )


def _by_resource(items: list[CostItem]) -> dict[str, tuple[float, float]]:
    return {item.resource: (item.monthly_min, item.monthly_max) for item in items}


def test_each_component_pays_its_dominant_share_of_the_fleet() -> None:
    """ml.m5.4xlarge: 16 vCPUs, 64 GiB. "cpu" reserves 4 vCPUs (1/4) and 4 GiB (1/16) a copy; "memory"
    1 vCPU (1/16) and 32 GiB (1/2). Dominant shares 1/4 and 1/2, one copy each (none set)."""
    endpoint, config, components = _shared(
        {"variantName": "v", "instanceType": "ml.m5.4xlarge", "initialInstanceCount": 2},
        ("cpu", {"numberOfCpuCoresRequired": 4, "minMemoryRequiredInMb": 4 * 1024}, None),
        ("memory", {"numberOfCpuCoresRequired": 1, "minMemoryRequiredInMb": 32 * 1024}, None),
    )

    items, _ = _priced(endpoint, config, *components)

    fleet = 2 * _hosting("ml.m5.4xlarge") * HOURS
    figures = _by_resource(items)
    assert figures["cpu"] == _pair(fleet / 3, fleet / 3)
    assert figures["memory"] == _pair(fleet * 2 / 3, fleet * 2 / 3)


def test_accelerators_count_in_a_components_share() -> None:
    """ml.g5.12xlarge: 4 GPUs. "gpu" reserves 2 of them (1/2) with little CPU or memory; "cpu" reserves
    only CPU and memory, 1/4 of the instance at most."""
    from components.instance_types import INSTANCE_RESOURCES

    cpus, mebibytes, devices = INSTANCE_RESOURCES["ml.g5.12xlarge"]
    assert devices == 4
    endpoint, config, components = _shared(
        {"variantName": "v", "instanceType": "ml.g5.12xlarge"},
        ("gpu", {"numberOfAcceleratorDevicesRequired": 2, "numberOfCpuCoresRequired": 1}, 1),
        ("cpu", {"numberOfCpuCoresRequired": cpus / 4, "minMemoryRequiredInMb": mebibytes / 8}, 1),
    )

    items, _ = _priced(endpoint, config, *components)

    fleet = _hosting("ml.g5.12xlarge") * HOURS
    figures = _by_resource(items)
    assert figures["gpu"] == _pair(fleet * 2 / 3, fleet * 2 / 3)
    assert figures["cpu"] == _pair(fleet / 3, fleet / 3)


def test_fixed_copies_weigh_the_shares_and_copy_targets_give_the_fewest_and_most() -> None:
    """Equal shares a copy; "fixed" holds 3 copies, "scaled" 1-5 copies by its target: the floor splits
    3:1, the ceiling 3:5. Managed instance scaling gives the fleet's 1-4 instances."""
    requirements = {"numberOfCpuCoresRequired": 2, "minMemoryRequiredInMb": 1024}
    endpoint, config, components = _shared(
        {
            "variantName": "v",
            "instanceType": "ml.m5.2xlarge",
            "initialInstanceCount": 2,
            "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 4},
        },
        ("fixed", requirements, 3),
        ("scaled", requirements, 2),
    )

    items, _ = _priced(endpoint, config, *components, _copy_target("scaled", 1, 5))

    hourly = _hosting("ml.m5.2xlarge") * HOURS
    figures = _by_resource(items)
    assert figures["fixed"] == _pair(hourly * 3 / 4, 4 * hourly * 3 / 8)
    assert figures["scaled"] == _pair(hourly * 1 / 4, 4 * hourly * 5 / 8)
    assert "1-5 copies" in next(i.what for i in items if i.resource == "scaled")


def test_unmanaged_or_disabled_instance_scaling_bills_the_initial_count_and_one_copy_by_default() -> None:
    requirements = {"numberOfCpuCoresRequired": 2}
    for variant, count in (
        ({"variantName": "v", "instanceType": "ml.m5.2xlarge"}, 1),
        (
            {
                "variantName": "v",
                "instanceType": "ml.m5.2xlarge",
                "initialInstanceCount": 2,
                "managedInstanceScaling": {
                    "status": "DISABLED",
                    "minInstanceCount": 1,
                    "maxInstanceCount": 4,
                },
            },
            2,
        ),
    ):
        endpoint, config, components = _shared(
            variant, ("one", requirements, None), ("three", requirements, 3)
        )

        items, _ = _priced(endpoint, config, *components)

        fleet = count * _hosting("ml.m5.2xlarge") * HOURS
        figures = _by_resource(items)
        assert figures["one"] == _pair(fleet / 4, fleet / 4)
        assert figures["three"] == _pair(fleet * 3 / 4, fleet * 3 / 4)
        assert "(fixed)" in items[0].what


def test_on_an_instance_of_unknown_sizes_the_components_split_it_by_memory() -> None:
    from components.instance_types import INSTANCE_RESOURCES

    assert "ml.t2.medium" not in INSTANCE_RESOURCES
    endpoint, config, components = _shared(
        {"variantName": "v", "instanceType": "ml.t2.medium"},
        ("small", {"numberOfCpuCoresRequired": 1, "minMemoryRequiredInMb": 1024}, 1),
        ("large", {"numberOfCpuCoresRequired": 1, "minMemoryRequiredInMb": 3072}, 1),
    )

    items, _ = _priced(endpoint, config, *components)

    fleet = _hosting("ml.t2.medium") * HOURS
    figures = _by_resource(items)
    assert figures["small"] == _pair(fleet / 4, fleet / 4)
    assert figures["large"] == _pair(fleet * 3 / 4, fleet * 3 / 4)


# -- serverless --------------------------------------------------------------------------------


def _serverless(config: dict[str, Any]) -> tuple[float, float]:
    endpoint, endpoint_config = _endpoint({"variantName": "v", "serverlessConfig": config})
    items, _ = _priced(endpoint, endpoint_config)
    return _bounds(items)


def test_serverless_bills_provisioned_slots_idle_and_every_slot_busy_per_gb_second() -> None:
    seconds = HOURS * SECONDS_PER_HOUR
    provisioned_rate = PRICES.get("sagemaker_serverless", "provisioned_concurrency_per_gb_second")
    busy_rate = PRICES.get("sagemaker_serverless", "per_gb_second")

    figures = _serverless({"memorySizeInMb": 3072, "maxConcurrency": 4, "provisionedConcurrency": 2})

    assert figures == _pair(2 * 3 * seconds * provisioned_rate, 4 * 3 * seconds * busy_rate)


# -- fixed monthly resources --------------------------------------------------------------------


def test_an_mlflow_server_bills_its_size_by_the_hour_and_small_by_default() -> None:
    rates = PRICES.prices["mlflow_tracking_server_per_hour"]
    medium, _ = _priced(
        resource(
            "medium",
            "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
            inputs={"trackingServerSize": "Medium"},
        )
    )
    unset, _ = _priced(resource("unset", "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"))

    assert _bounds(medium) == _pair(rates["Medium"] * HOURS, rates["Medium"] * HOURS)
    assert _bounds(unset) == _pair(rates["Small"] * HOURS, rates["Small"] * HOURS)
    assert unset[0].what == "MLflow tracking server (Small)"


def test_an_alarm_without_a_period_is_standard_resolution() -> None:
    items, _ = _priced(
        resource("alarm", "aws:cloudwatch/metricAlarm:MetricAlarm", inputs={"metricName": "m"})
    )

    standard = PRICES.get("cloudwatch_alarm_per_metric_month")
    assert _bounds(items) == _pair(standard, standard)


# -- monitoring schedules ----------------------------------------------------------------------


def _job_definition(
    resources_key: str, *, count: int | None = 2, runtime: int | None = 1800
) -> dict[str, Any]:
    cluster: dict[str, Any] = {"instanceType": "ml.m5.xlarge"}
    if count is not None:
        cluster["instanceCount"] = count
    definition: dict[str, Any] = {resources_key: {"clusterConfig": cluster}}
    if runtime is not None:
        definition["stoppingCondition"] = {"maxRuntimeInSeconds": runtime}
    return definition


def _monitoring(schedule: str = DAILY, *, definition: dict[str, Any] | None = None, **refs: RecordedResource):
    config: dict[str, Any] = {
        "scheduleConfig": {"scheduleExpression": schedule},
        "monitoringType": "DataQuality",
    }
    if definition is not None:
        config["monitoringJobDefinition"] = definition
    return _wired(MONITORING, "monitor", {"monitoringScheduleConfig": config}, **refs)


def _monitoring_bounds(count: float, runtime: float) -> tuple[float, float]:
    hourly = count * PRICES.get(PROCESSING, "ml.m5.xlarge")
    runs = runs_per_month(DAILY)
    typical = min(TYPICAL_MONITORING_RUN_MINUTES * 60, runtime)
    return runs * hourly * typical / SECONDS_PER_HOUR, runs * hourly * runtime / SECONDS_PER_HOUR


def test_a_schedule_reads_its_referenced_job_definitions_job_resources() -> None:
    job = resource(
        "job", "aws-native:sagemaker:DataQualityJobDefinition", inputs=_job_definition("jobResources")
    )

    items, _ = _priced(_monitoring(monitoringScheduleConfig=job), job, prices=_only(PROCESSING))

    assert _bounds(items) == _pair(*_monitoring_bounds(2, 1800))
    assert items[0].what == "DataQuality job on ml.m5.xlarge, 30 runs/month"


def test_a_monitoring_job_defaults_to_one_instance_and_an_hours_runtime() -> None:
    definition = _job_definition("monitoringResources", count=None, runtime=None)

    items, _ = _priced(_monitoring(definition=definition))

    assert DEFAULT_MAX_RUNTIME_SECONDS == SECONDS_PER_HOUR
    assert _bounds(items) == _pair(*_monitoring_bounds(1, SECONDS_PER_HOUR))


def test_an_unreadable_monitoring_schedule_is_unpriced() -> None:
    schedule = _monitoring("cron(0 7 L * ? *)", definition=_job_definition("monitoringResources"))

    with pytest.raises(PriceMissing, match="cron\\(0 7 L"):
        _priced(schedule)


# -- scheduled batch pipelines ----------------------------------------------------------------------


def _transform(name: str, instance_type: str, count: int | None) -> dict[str, Any]:
    resources: dict[str, Any] = {"InstanceType": instance_type}
    if count is not None:
        resources["InstanceCount"] = count
    return {"Name": name, "Type": "Transform", "Arguments": {"TransformResources": resources}}


def _batch(*steps: dict[str, Any], schedule: str = DAILY) -> tuple[RecordedResource, RecordedResource]:
    pipeline = resource(
        "pipeline",
        PIPELINE,
        inputs={"pipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": list(steps)})},
    )
    return _wired(SCHEDULE, "schedule", {"scheduleExpression": schedule}, target=pipeline), pipeline


def test_every_transform_step_bills_its_instances_at_the_hosting_rate() -> None:
    # Without a runtime limit the processing step is an unpriced line, not an item
    # (tests/planner/test_batch_processing_cost.py prices the steps that have one).
    processing = {
        "Name": "Prepare",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.4xlarge", "InstanceCount": 3}}
        },
    }
    schedule, pipeline = _batch(
        processing, _transform("Score", "ml.m5.xlarge", 2), _transform("Rescore", "ml.g4dn.xlarge", None)
    )

    items, _ = _priced(schedule, pipeline, prices=_only(HOSTING))

    runs = runs_per_month(DAILY)
    expected = [
        (2 * _hosting("ml.m5.xlarge"), "batch transform on ml.m5.xlarge x 2, 30 runs/month"),
        (_hosting("ml.g4dn.xlarge"), "batch transform on ml.g4dn.xlarge x 1, 30 runs/month"),
    ]
    assert [(i.what, i.monthly_min, i.monthly_max) for i in items] == [
        (
            what,
            pytest.approx(runs * hourly * TYPICAL_TRANSFORM_RUN_MINUTES / 60, rel=1e-12),
            pytest.approx(runs * hourly * ASSUMED_MAX_TRANSFORM_RUN_MINUTES / 60, rel=1e-12),
        )
        for hourly, what in expected
    ]


def test_an_unreadable_pipeline_schedule_is_unpriced() -> None:
    schedule, pipeline = _batch(_transform("Score", "ml.m5.xlarge", 1), schedule="cron(0 7 ? * MON#2 *)")

    with pytest.raises(PriceMissing, match="MON#2"):
        _priced(schedule, pipeline)


def test_a_schedule_bills_only_the_pipeline_it_starts() -> None:
    _, pipeline = _batch(_transform("Score", "ml.m5.xlarge", 1))
    elsewhere = _wired(
        SCHEDULE, "other", {"scheduleExpression": DAILY}, target=resource("queue", "aws:sqs/queue:Queue")
    )

    items, _ = _priced(elsewhere, pipeline)

    assert items == []


def test_the_assumptions_of_a_region_outside_the_table_say_it_has_no_prices() -> None:
    """The JSON plan's `assumptions` (docs/cost.md) of an adopter's eu-central-1 stack: not "List
    prices for eu-central-1", which the table has none of, but that it has none and what to do."""
    from planner.cost import estimate_cost

    elsewhere = estimate_cost(graph(config={"mlops-platform:platform": {"region": "eu-central-1"}}))
    priced = estimate_cost(graph(config={"mlops-platform:platform": {"region": "eu-west-1"}}))

    assert elsewhere.assumptions[0].startswith("planner/data/prices.json has no prices for eu-central-1: ")
    assert "refresh" in elsewhere.assumptions[0]
    assert not any(note.startswith("List prices for eu-central-1") for note in elsewhere.assumptions)
    assert priced.assumptions[0].startswith("List prices for eu-west-1 from planner/data/prices.json")
