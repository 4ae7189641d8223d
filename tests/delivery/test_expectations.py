"""What the post-deploy check expects, derived from recorded plans (no AWS involved)."""

from __future__ import annotations

import pulumi_aws as aws
import pytest

from delivery.expectations import (
    EndpointExpectation,
    ModelPackageGroupExpectation,
    MonitoringScheduleExpectation,
    PipelineExpectation,
    ScalableTargetExpectation,
    Unverifiable,
    VariantExpectation,
    expectations,
)
from planner.recorder import ResourceGraph, record_program

SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"


def _of(graph: ResourceGraph, kind: type) -> list:
    return [e for e in expectations(graph) if isinstance(e, kind)]


@pytest.mark.parametrize(
    ("stack", "count", "capacity"),
    [("dev", 1, (0, 2)), ("staging", 1, (1, 2)), ("prod", 2, (2, 8))],
)
def test_endpoint_variant_counts_come_from_the_configuration_and_its_scalable_target(
    stack_graphs, stack, count, capacity
) -> None:
    graph = stack_graphs[stack]
    endpoint = f"{stack}-customer-churn"  # the physical name: the stack's prefix, then the config name
    assert _of(graph, EndpointExpectation) == [EndpointExpectation(endpoint, ("primary",))]
    [variant] = _of(graph, VariantExpectation)
    assert (variant.endpoint, variant.variant, variant.instance_count, variant.capacity) == (
        endpoint,
        "primary",
        count,
        capacity,
    )
    [target] = _of(graph, ScalableTargetExpectation)
    assert (target.resource_id, target.dimension, target.min_capacity, target.max_capacity) == (
        f"endpoint/{endpoint}/variant/primary",
        "sagemaker:variant:DesiredInstanceCount",
        *capacity,
    )


def test_registry_and_pipeline_names_are_the_planned_physical_names(stack_graph) -> None:
    group = f"{stack_graph.stack}-customer-churn"
    batch = [PipelineExpectation(f"{group}-batch-scoring")] if stack_graph.stack == "prod" else []
    assert sorted(_of(stack_graph, PipelineExpectation), key=lambda e: e.name) == [
        *batch,
        PipelineExpectation(f"{group}-training"),
    ]
    assert _of(stack_graph, ModelPackageGroupExpectation) == [ModelPackageGroupExpectation(group)]


@pytest.mark.parametrize(
    ("stack", "data_quality_schedule"),
    [("dev", None), ("staging", "cron(0 0 ? * * *)"), ("prod", "cron(0 * ? * * *)")],
)
def test_every_monitoring_schedule_is_expected_through_its_endpoint(
    stack_graphs, stack, data_quality_schedule
) -> None:
    graph = stack_graphs[stack]
    schedules = _of(graph, MonitoringScheduleExpectation)
    # One expectation per planned schedule, each found through the endpoint (the name is generated).
    assert len(schedules) == len(graph.of_type(SCHEDULE))
    assert {(s.endpoint, s.name) for s in schedules} <= {(f"{stack}-customer-churn", None)}
    by_type = {s.monitoring_type: s.schedule_expression for s in schedules}
    assert by_type.get("DataQuality") == data_quality_schedule


def test_shipped_stacks_have_nothing_unverifiable(stack_graph) -> None:
    assert _of(stack_graph, Unverifiable) == []


@pytest.mark.parametrize(
    ("capacity", "count", "accepted"),
    [
        pytest.param((2, 8), 2, True, id="at-min-capacity"),
        pytest.param((2, 8), 5, True, id="autoscaled-within-bounds"),
        pytest.param((2, 8), 8, True, id="at-max-capacity"),
        pytest.param((2, 8), 1, False, id="below-min-capacity"),
        pytest.param((2, 8), 9, False, id="above-max-capacity"),
        pytest.param((0, 2), 0, True, id="scaled-to-zero"),
        pytest.param(None, 2, True, id="no-target-exact-count"),
        pytest.param(None, 3, False, id="no-target-other-count"),
    ],
)
def test_variant_counts_accepted(capacity, count, accepted) -> None:
    variant = VariantExpectation("ep", "v", instance_count=2, capacity=capacity)
    assert variant.accepts(count) is accepted


def test_a_serverless_variant_expects_no_instance_count(variety_graph) -> None:
    variant = next(v for v in _of(variety_graph, VariantExpectation) if v.endpoint == "dev-churn-serverless")
    assert variant.serverless and variant.expected == "serverless"
    assert [t.resource_id for t in _of(variety_graph, ScalableTargetExpectation)] == [
        "endpoint/dev-churn-shadowed/variant/primary"
    ]


def test_a_shadow_variant_is_expected_as_a_shadow(variety_graph) -> None:
    assert EndpointExpectation("dev-churn-shadowed", ("primary",), ("challenger",)) in _of(
        variety_graph, EndpointExpectation
    )
    challenger = next(v for v in _of(variety_graph, VariantExpectation) if v.variant == "challenger")
    assert (challenger.shadow, challenger.instance_count, challenger.capacity) == (True, 1, None)


def test_auto_named_resources_are_reported_unverifiable_or_found_by_literal_name() -> None:
    schedule_config = aws.sagemaker.MonitoringScheduleMonitoringScheduleConfigArgs(
        monitoring_job_definition_name="job",
        monitoring_type="DataQuality",
        schedule_config=aws.sagemaker.MonitoringScheduleMonitoringScheduleConfigScheduleConfigArgs(
            schedule_expression="cron(0 0 ? * * *)"
        ),
    )

    def program() -> None:
        config = aws.sagemaker.EndpointConfiguration(
            "config",
            production_variants=[
                aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                    variant_name="a", model_name="m", instance_type="ml.m5.large", initial_instance_count=1
                )
            ],
        )
        aws.sagemaker.Endpoint("auto-named", endpoint_config_name=config.name)
        aws.sagemaker.MonitoringSchedule("named", name="nightly", monitoring_schedule_config=schedule_config)
        aws.sagemaker.MonitoringSchedule("no-endpoint", monitoring_schedule_config=schedule_config)

    found = expectations(record_program(program))
    assert sorted((e.kind, e.resource) for e in found if isinstance(e, Unverifiable)) == [
        ("endpoint", "auto-named"),
        ("monitoring schedule", "no-endpoint"),
    ]
    assert [e for e in found if isinstance(e, MonitoringScheduleExpectation)] == [
        MonitoringScheduleExpectation(
            endpoint=None,
            monitoring_type="DataQuality",
            schedule_expression="cron(0 0 ? * * *)",
            name="nightly",
        )
    ]
