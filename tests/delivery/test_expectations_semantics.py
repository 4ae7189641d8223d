"""What the post-deploy check decides, pinned where a mutation of its comparisons survived.

Against moto (the prod fixture provisioned as planned, then one thing changed): a variant exactly
at a bound of its scalable target passes and one above fails, an endpoint not yet InService or
reporting no variants fails, a variant reporting no instance count fails, a target whose minimum
drifted fails, a schedule Pending (or Failed, Stopped) fails, a missing constraints file is a FAIL
naming it, and a Scheduled schedule listed after a page of stopped ones is found. From recorded
programs: an endpoint whose configuration is not in the plan is a ``skip`` line, and every
production variant, an aws-native schedule and a job definition inline in the schedule are
expected. The Markdown report's verdict is "passed" when what is not ok was only skipped.

What the plan does not know yet (a pipeline's name, a target's bound) is a ``skip`` line, never a
traceback, and so is a variant whose scalable target's bounds are unknown. A variant SageMaker
scales itself (managed instance scaling: an endpoint for inference components) may run any count
within those bounds.
"""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pulumi_aws_native as native
import pytest
from moto.sagemaker.models import sagemaker_backends

from delivery.checks import Result, check
from delivery.expectations import (
    MonitoringScheduleExpectation,
    Unverifiable,
    VariantExpectation,
    expectations,
)
from delivery.verify import render_markdown
from planner.recorder import ResourceGraph, record_program
from tests.delivery.cloud import baseline_uris, create_endpoint, provision
from tests.delivery.conftest import REGION, Cloud
from tests.delivery.test_verify import DEFAULT_ACCOUNT, ENDPOINT, _delete_baseline, _failures, _set_count

TARGET_TYPE = "aws:appautoscaling/target:Target"
SCHEDULE_TYPE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"


def _bounds(graph: ResourceGraph) -> tuple[int, int]:
    """The planned (min, max) of the prod endpoint's primary variant, as the stack file set them."""
    [target] = [
        t
        for t in graph.of_type(TARGET_TYPE)
        if t.inputs["resourceId"] == f"endpoint/{ENDPOINT}/variant/primary"
    ]
    return int(target.inputs["minCapacity"]), int(target.inputs["maxCapacity"])


def _data_quality_expression(graph: ResourceGraph) -> str:
    [config] = [
        s.inputs["monitoringScheduleConfig"]
        for s in graph.of_type(SCHEDULE_TYPE)
        if s.inputs["monitoringScheduleConfig"]["monitoringType"] == "DataQuality"
    ]
    return config["scheduleConfig"]["scheduleExpression"]


def _line(results: list[Result], kind: str, resource: str) -> tuple[str, str]:
    [result] = [r for r in results if (r.check, r.resource) == (kind, resource)]
    return result.status, result.actual


# Against moto.


@pytest.mark.parametrize("bound", ["min", "max"])
def test_a_variant_at_exactly_a_bound_of_its_target_passes(cloud: Cloud, stack_graphs, bound) -> None:
    graph = stack_graphs["prod"]
    low, high = _bounds(graph)
    count = low if bound == "min" else high
    provision(graph, cloud.clients, cloud.schedules)
    _set_count(count)(cloud, graph)

    results = check(expectations(graph), cloud.clients)

    assert _line(results, "variant", f"{ENDPOINT}/primary") == ("ok", f"{count} instances")
    assert _failures(results) == []


def test_a_variant_one_above_its_max_fails(cloud: Cloud, stack_graphs) -> None:
    graph = stack_graphs["prod"]
    _, high = _bounds(graph)
    provision(graph, cloud.clients, cloud.schedules)
    _set_count(high + 1)(cloud, graph)

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == [("variant", f"{ENDPOINT}/primary", f"{high + 1} instances")]


@pytest.mark.parametrize("state", ["Creating", "Updating", "SystemUpdating", "RollingBack"])
def test_an_endpoint_not_yet_in_service_fails(cloud: Cloud, stack_graphs, state) -> None:
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    # moto has no API to move an endpoint's state: set what its backend reports.
    sagemaker_backends[DEFAULT_ACCOUNT][REGION].endpoints[ENDPOINT].endpoint_status = state

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == [("endpoint", ENDPOINT, f"{state}; variants primary")]


def test_an_endpoint_reporting_no_variants_fails_and_says_none(cloud: Cloud, stack_graphs) -> None:
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    sagemaker_backends[DEFAULT_ACCOUNT][REGION].endpoints[ENDPOINT].production_variants = []

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == [
        ("endpoint", ENDPOINT, "InService; variants none"),
        ("variant", f"{ENDPOINT}/primary", "missing"),
    ]


def test_a_variant_reporting_no_instance_count_fails(cloud: Cloud, stack_graphs) -> None:
    """DescribeEndpoint leaves CurrentInstanceCount out while a variant has none running yet."""
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    for variant in sagemaker_backends[DEFAULT_ACCOUNT][REGION].endpoints[ENDPOINT].production_variants:
        del variant["CurrentInstanceCount"]

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == [("variant", f"{ENDPOINT}/primary", "no instance count reported")]


def test_a_scalable_target_whose_minimum_drifted_fails(cloud: Cloud, stack_graphs) -> None:
    graph = stack_graphs["prod"]
    low, high = _bounds(graph)
    provision(graph, cloud.clients, cloud.schedules)
    cloud.clients.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=f"endpoint/{ENDPOINT}/variant/primary",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=low - 1,
        MaxCapacity=high,
    )

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == [
        ("scalable target", f"endpoint/{ENDPOINT}/variant/primary", f"min {low - 1}, max {high}")
    ]


@pytest.mark.parametrize("state", ["Pending", "Failed", "Stopped"])
def test_a_schedule_not_scheduled_fails(cloud: Cloud, stack_graphs, state) -> None:
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    for schedule in cloud.schedules.schedules.values():
        if schedule["MonitoringType"] == "DataQuality":
            schedule["MonitoringScheduleStatus"] = state

    results = check(expectations(graph), cloud.clients)

    expression = _data_quality_expression(graph)
    assert _failures(results) == [
        ("monitoring schedule", f"{ENDPOINT} (DataQuality)", f"{state}, {expression}")
    ]


def test_a_missing_constraints_file_fails_naming_it(cloud: Cloud, stack_graphs) -> None:
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    [constraints] = [uri for uri in baseline_uris(graph) if uri.endswith("latest-approved/constraints.json")]
    _delete_baseline("constraints.json")(cloud, graph)

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == [
        ("monitoring baselines", f"{ENDPOINT} (DataQuality)", f"missing {constraints}")
    ]


def test_a_scheduled_schedule_after_a_page_of_stopped_ones_is_found(cloud: Cloud, stack_graphs) -> None:
    """ListMonitoringSchedules answers in pages of 10: stopped leftovers fill the first one."""
    graph = stack_graphs["prod"]
    expression = _data_quality_expression(graph)
    [definition] = graph.of_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    for index in range(10):
        cloud.schedules.create(
            f"leftover-{index}",
            endpoint=ENDPOINT,
            monitoring_type="DataQuality",
            job_definition=definition.outputs["name"],
            expression=expression,
            status="Stopped",
        )
    provision(graph, cloud.clients, cloud.schedules)

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == []
    status, actual = _line(results, "monitoring schedule", f"{ENDPOINT} (DataQuality)")
    assert status == "ok"
    assert actual.split("; ") == [f"Stopped, {expression}"] * 10 + [f"Scheduled, {expression}"]


# From recorded programs.


def _config(name: str, variants: tuple[str, ...] = ("a",)) -> aws.sagemaker.EndpointConfiguration:
    return aws.sagemaker.EndpointConfiguration(
        name,
        production_variants=[
            aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name=variant, model_name="m", instance_type="ml.m5.large", initial_instance_count=1
            )
            for variant in variants
        ],
    )


def test_an_endpoint_whose_configuration_is_not_in_the_plan_is_a_skip_line(cloud: Cloud) -> None:
    def program() -> None:
        aws.sagemaker.Endpoint("named", name="ep", endpoint_config_name="created-elsewhere")

    found = expectations(record_program(program))

    assert found == [Unverifiable("endpoint", "ep", "its endpoint configuration is not part of the plan")]
    [result] = check(found, cloud.clients)
    assert (result.status, result.actual, result.ok) == ("skip", "not verified", True)


def test_every_production_variant_is_expected() -> None:
    def program() -> None:
        aws.sagemaker.Endpoint("ep", name="ep", endpoint_config_name=_config("cfg", ("blue", "green")).name)

    found = expectations(record_program(program))

    assert [(e.variant, e.instance_count) for e in found if isinstance(e, VariantExpectation)] == [
        ("blue", 1),
        ("green", 1),
    ]


def test_an_aws_native_schedule_with_its_job_definition_inline_is_found_through_its_endpoint() -> None:
    def program() -> None:
        native.sagemaker.MonitoringSchedule(
            "legacy",
            monitoring_schedule_config=native.sagemaker.MonitoringScheduleConfigArgs(
                monitoring_type=native.sagemaker.MonitoringScheduleMonitoringType.DATA_QUALITY,
                schedule_config=native.sagemaker.MonitoringScheduleScheduleConfigArgs(
                    schedule_expression="cron(0 * ? * * *)"
                ),
                monitoring_job_definition=native.sagemaker.MonitoringScheduleMonitoringJobDefinitionArgs(
                    monitoring_inputs=[
                        native.sagemaker.MonitoringScheduleMonitoringInputArgs(
                            endpoint_input=native.sagemaker.MonitoringScheduleEndpointInputArgs(
                                endpoint_name="churn", local_path="/opt/ml/processing/input"
                            )
                        )
                    ],
                    monitoring_app_specification=native.sagemaker.MonitoringScheduleMonitoringAppSpecificationArgs(
                        image_uri="analyzer"
                    ),
                    monitoring_output_config=native.sagemaker.MonitoringScheduleMonitoringOutputConfigArgs(
                        monitoring_outputs=[]
                    ),
                    monitoring_resources=native.sagemaker.MonitoringScheduleMonitoringResourcesArgs(
                        cluster_config=native.sagemaker.MonitoringScheduleClusterConfigArgs(
                            instance_count=1, instance_type="ml.m5.large", volume_size_in_gb=20
                        )
                    ),
                    role_arn="arn:aws:iam::123456789012:role/monitoring",
                ),
            ),
        )

    found = expectations(record_program(program))

    schedule = MonitoringScheduleExpectation("churn", "DataQuality", "cron(0 * ? * * *)")
    assert [(e.kind, e.resource) for e in found] == [
        ("monitoring schedule", "churn (DataQuality)"),
        ("monitoring baselines", "churn (DataQuality)"),
    ]
    assert found[0] == schedule


# The report.


def test_the_markdown_verdict_is_passed_when_only_skips_are_not_ok() -> None:
    results = [
        Result("pipeline", "p", "Active", "Active", "ok"),
        Result("endpoint", "e", "deferred", "not verified", "skip"),
    ]

    markdown = render_markdown("stacks/Pulumi.x.yaml", results)

    assert markdown.startswith("### Post-deploy check of `stacks/Pulumi.x.yaml`: passed\n")
    assert "2 checks: 1 ok, 0 failed, 1 not verifiable" in markdown.splitlines()


# What the plan does not know is a skip line, never a traceback or a guess.


def _unknown() -> Any:
    """A value only known after `pulumi up`: the recording holds it as None, as it does an unknown."""
    return aws.sagemaker.Model("model", execution_role_arn="r").id.apply(lambda _: None)


def test_what_is_unknown_at_plan_time_is_a_skip_line_not_dropped(cloud: Cloud) -> None:
    def program() -> None:
        unknown = _unknown()
        aws.appautoscaling.Target(
            "target",
            service_namespace="sagemaker",
            resource_id="endpoint/ep/variant/a",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=1,
            max_capacity=unknown,  # type: ignore[arg-type]
        )
        aws.sagemaker.Pipeline(
            "pipeline",
            pipeline_name=unknown,
            pipeline_display_name="p",
            role_arn="arn:aws:iam::123456789012:role/r",
            pipeline_definition="{}",
        )

    found = expectations(record_program(program))

    assert sorted((e.kind, e.resource) for e in found) == [
        ("pipeline", "pipeline"),
        ("scalable target", "target"),
    ]
    assert all(isinstance(e, Unverifiable) for e in found)
    results = check(found, cloud.clients)
    assert [r.status for r in results] == ["skip"] * 2
    assert all(r.ok for r in results)


def test_a_variant_whose_target_bounds_are_unknown_is_a_skip_line(cloud: Cloud) -> None:
    """Autoscaling may move its count anywhere within bounds the plan does not know yet."""

    def program() -> None:
        unknown = _unknown()
        aws.sagemaker.Endpoint("ep", name="ep", endpoint_config_name=_config("cfg", ("a", "b")).name)
        aws.appautoscaling.Target(
            "target",
            service_namespace="sagemaker",
            resource_id="endpoint/ep/variant/a",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=unknown,  # type: ignore[arg-type]
            max_capacity=4,
        )

    found = expectations(record_program(program))

    assert sorted((e.kind, e.resource, isinstance(e, Unverifiable)) for e in found) == [
        ("endpoint", "ep", False),
        ("scalable target", "target", True),
        ("variant", "ep/a", True),
        ("variant", "ep/b", False),
    ]
    skipped = [e for e in found if isinstance(e, Unverifiable)]
    assert [r.status for r in check(skipped, cloud.clients)] == ["skip", "skip"]


# A fleet SageMaker scales itself (an endpoint for inference components).


def _shared_fleet(managed: bool) -> ResourceGraph:
    """An endpoint for inference components: one variant, 1 instance to start, SageMaker scaling it
    between 1 and 4 instances when ``managed``."""

    def program() -> None:
        model = aws.sagemaker.Model(
            "model",
            execution_role_arn="arn:aws:iam::123456789012:role/models",
            primary_container=aws.sagemaker.ModelPrimaryContainerArgs(image="serving:1"),
        )
        config = aws.sagemaker.EndpointConfiguration(
            "fleet-config",
            execution_role_arn="arn:aws:iam::123456789012:role/models",
            production_variants=[
                aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                    variant_name="AllTraffic",
                    model_name=model.name,  # inference components bring theirs; moto needs one here
                    instance_type="ml.g5.xlarge",
                    initial_instance_count=1,
                    managed_instance_scaling=aws.sagemaker.EndpointConfigurationProductionVariantManagedInstanceScalingArgs(
                        status="ENABLED", min_instance_count=1, max_instance_count=4
                    )
                    if managed
                    else None,
                )
            ],
        )
        aws.sagemaker.Endpoint("fleet", name="fleet", endpoint_config_name=config.name)

    return record_program(program)


@pytest.mark.parametrize(
    ("managed", "count", "status"),
    [
        pytest.param(True, 4, "ok", id="managed-scaled-out-to-its-max"),
        pytest.param(True, 5, "FAIL", id="managed-above-its-max"),
        pytest.param(False, 2, "FAIL", id="unmanaged-not-its-initial-count"),
    ],
)
def test_a_fleet_sagemaker_scales_may_run_any_count_within_its_managed_bounds(
    cloud: Cloud, managed, count, status
) -> None:
    graph = _shared_fleet(managed)
    create_endpoint(graph, cloud.clients.sagemaker, graph.named("fleet"))
    cloud.clients.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="fleet",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": count}],
    )

    results = check(expectations(graph), cloud.clients)

    assert [
        (r.check, r.resource, r.expected, r.actual, r.status) for r in results if r.check == "variant"
    ] == [
        (
            "variant",
            "fleet/AllTraffic",
            "1..4 instances (autoscaled)" if managed else "1 instances",
            f"{count} instances",
            status,
        )
    ]
