"""What the post-deploy and promotion gates decide, where a mutation audit found no test holding it.

A hand-mutation audit of delivery/checks.py, delivery/expectations.py, delivery/promote.py,
delivery/lineage.py and delivery/verify.py. Each test here fails under a mutation every other test
let through:

- a monitoring schedule whose expression the plan does not know (not literal) is judged by its
  state alone: any expression AWS reports passes when it is Scheduled (and a Stopped one fails);
- a variant's managed instance scaling widens the expected count only when its status is
  ``ENABLED``: DISABLED, or no status, leaves the planned count exact;
- an aws-native schedule's literal ``monitoringScheduleName`` names the schedule expected;
- ``promote status`` of a stack where no variant follows a family says so.

(test_lineage_semantics.py holds the lineage one: a key whose every version expired between the
listing and the read, NoSuchKey, is gone, not an error.)

Left alone, judged equivalent for what a stack can plan: the variant-target map also keeping
targets of other dimensions (copy counts of inference components have other resource ids), a
scalable target preferred over managed scaling (no variant has both), a pipeline passing on any
status but Deleting (DescribePipeline answers only Active or Deleting), and an endpoint
configuration found by name rather than by reference (every recorded configuration has its name).
A managed scaling whose maximum is unknown in the plan (never, from a stack file: the bounds are
literal) raises instead of expecting the initial count; not pinned here.
"""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pulumi_aws_native as native
import pytest

from delivery.checks import check
from delivery.expectations import MonitoringScheduleExpectation, VariantExpectation, expectations
from delivery.promote import render_status
from planner.recorder import ResourceGraph, record_program
from tests.delivery.conftest import Cloud
from tests.delivery.test_verify import ENDPOINT

EXPRESSION = "cron(0 * ? * * *)"


def test_a_schedule_whose_expression_the_plan_does_not_know_passes_on_its_state(cloud: Cloud) -> None:
    cloud.schedules.create(
        "scheduled",
        endpoint=ENDPOINT,
        monitoring_type="DataQuality",
        job_definition="definition",
        expression=EXPRESSION,
    )
    unknown_expression = MonitoringScheduleExpectation(
        endpoint=ENDPOINT, monitoring_type="DataQuality", schedule_expression=None
    )

    [result] = check([unknown_expression], cloud.clients)

    assert (result.expected, result.status, result.actual) == ("Scheduled", "ok", f"Scheduled, {EXPRESSION}")


def test_a_schedule_whose_expression_the_plan_does_not_know_still_fails_when_stopped(cloud: Cloud) -> None:
    cloud.schedules.create(
        "stopped",
        endpoint=ENDPOINT,
        monitoring_type="DataQuality",
        job_definition="definition",
        expression=EXPRESSION,
        status="Stopped",
    )
    unknown_expression = MonitoringScheduleExpectation(
        endpoint=ENDPOINT, monitoring_type="DataQuality", schedule_expression=None
    )

    [result] = check([unknown_expression], cloud.clients)

    assert (result.status, result.actual) == ("FAIL", f"Stopped, {EXPRESSION}")


# --- what the plan promises (delivery/expectations.py), from recorded programs ---------------------


def _fleet(scaling: dict[str, Any] | None) -> ResourceGraph:
    """One endpoint, one variant of 1 instance, with ``scaling`` as its managed instance scaling."""

    def program() -> None:
        config = aws.sagemaker.EndpointConfiguration(
            "fleet-config",
            production_variants=[
                aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                    variant_name="AllTraffic",
                    model_name="m",
                    instance_type="ml.g5.xlarge",
                    initial_instance_count=1,
                    managed_instance_scaling=None
                    if scaling is None
                    else aws.sagemaker.EndpointConfigurationProductionVariantManagedInstanceScalingArgs(
                        **scaling
                    ),
                )
            ],
        )
        aws.sagemaker.Endpoint("fleet", name="fleet", endpoint_config_name=config.name)

    return record_program(program)


def _variant(graph: ResourceGraph) -> VariantExpectation:
    [variant] = [e for e in expectations(graph) if isinstance(e, VariantExpectation)]
    return variant


@pytest.mark.parametrize(
    "scaling",
    [
        pytest.param({"status": "DISABLED", "min_instance_count": 1, "max_instance_count": 4}, id="disabled"),
        pytest.param({"min_instance_count": 1, "max_instance_count": 4}, id="no-status"),
    ],
)
def test_managed_instance_scaling_not_enabled_leaves_the_planned_count_exact(scaling) -> None:
    """Only an ENABLED managed scaling lets SageMaker move the count: bounds alone do not."""
    variant = _variant(_fleet(scaling))

    assert (variant.capacity, variant.expected) == (None, "1 instances")
    assert not variant.accepts(4)


def test_a_native_schedule_named_in_the_plan_is_expected_by_its_name() -> None:
    """An aws-native schedule's literal ``monitoringScheduleName`` identifies it, as ``name`` does a
    classic one's: the check then judges that schedule, not any other on its endpoint."""

    def program() -> None:
        definition = aws.sagemaker.DataQualityJobDefinition(
            "definition",
            role_arn="arn:aws:iam::123456789012:role/monitor",
            data_quality_app_specification=aws.sagemaker.DataQualityJobDefinitionDataQualityAppSpecificationArgs(
                image_uri="analyzer"
            ),
            data_quality_job_input=aws.sagemaker.DataQualityJobDefinitionDataQualityJobInputArgs(
                endpoint_input=aws.sagemaker.DataQualityJobDefinitionDataQualityJobInputEndpointInputArgs(
                    endpoint_name="churn"
                )
            ),
            data_quality_job_output_config=aws.sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigArgs(
                monitoring_outputs=aws.sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsArgs(
                    s3_output=aws.sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsS3OutputArgs(
                        s3_uri="s3://bucket/reports"
                    )
                )
            ),
            job_resources=aws.sagemaker.DataQualityJobDefinitionJobResourcesArgs(
                cluster_config=aws.sagemaker.DataQualityJobDefinitionJobResourcesClusterConfigArgs(
                    instance_count=1, instance_type="ml.m5.large", volume_size_in_gb=20
                )
            ),
        )
        native.sagemaker.MonitoringSchedule(
            "named",
            monitoring_schedule_name="churn-data-quality",
            monitoring_schedule_config=native.sagemaker.MonitoringScheduleConfigArgs(
                monitoring_type=native.sagemaker.MonitoringScheduleMonitoringType.DATA_QUALITY,
                monitoring_job_definition_name=definition.name,
                schedule_config=native.sagemaker.MonitoringScheduleScheduleConfigArgs(
                    schedule_expression=EXPRESSION
                ),
            ),
        )

    schedules = [e for e in expectations(record_program(program)) if e.kind == "monitoring schedule"]

    assert schedules == [
        MonitoringScheduleExpectation("churn", "DataQuality", EXPRESSION, name="churn-data-quality")
    ]
    assert schedules[0].resource == "churn-data-quality"


# --- the promotion status (delivery/promote.py) -----------------------------------------------------


def test_a_stack_where_no_variant_follows_a_family_says_so_rather_than_print_an_empty_report() -> None:
    assert render_status("stacks/Pulumi.pinned.yaml", []) == (
        "stacks/Pulumi.pinned.yaml: no endpoint variant follows a model family (latest_approved_of)"
    )
