"""Mutation audit (session 66) of session 65's cost-estimate unknowns: what the earlier tests let
survive. Graphs are built directly (no program recording, but one): each holds :data:`UNKNOWN`
where the recorder would, and ``holds_unknowns`` as the recorder sets it."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from rich.console import Console

from delivery.expectations import Unverifiable, expectations
from planner.cost import CostEstimate, Unpriced, estimate_cost
from planner.recorder import UNKNOWN, RecordedResource, ResourceGraph, known_inputs, record_program
from planner.report_text import _render_cost

CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
COMPONENT = "aws-native:sagemaker:InferenceComponent"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NOTE = "unknown until deployment: not priced, the totals leave it out"


def _urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:t::p::{type_token}::{name}"


def _resource(type_token: str, name: str, inputs: dict[str, Any], **depends: str) -> RecordedResource:
    """``depends``: input -> ``<type>|<name>`` of the resource it is computed from."""
    deps = {prop: (_urn(*target.split("|")),) for prop, target in depends.items()}
    return RecordedResource(
        urn=_urn(type_token, name),
        type=type_token,
        name=name,
        custom=True,
        parent=None,
        dependencies=tuple(urn for urns in deps.values() for urn in urns),
        property_dependencies=deps,
        inputs=inputs,
        outputs={"name": name, **inputs},
        provider=None,
        protect=False,
        retain_on_delete=False,
        id=name,
    )


def _graph(*resources: RecordedResource, **fields: Any) -> ResourceGraph:
    return ResourceGraph(
        stack="t", source="Pulumi.t.yaml", resources=resources, holds_unknowns=True, **fields
    )


VARIANT = {"variantName": "blue", "instanceType": "ml.m5.large", "initialInstanceCount": 1}
SPEC = {"computeResourceRequirements": {"numberOfCpuCoresRequired": 1, "minMemoryRequiredInMb": 1024}}


def _endpoint(
    variant: dict[str, Any], spec: Any = None, copies_min: Any = None
) -> tuple[RecordedResource, ...]:
    """An endpoint of one variant; with ``spec``, one inference component on it (shared instances),
    with ``copies_min``, a copy-count target bounding it."""
    found = [
        _resource(CONFIG, "cfg", {"productionVariants": [variant]}),
        _resource(ENDPOINT, "ep", {"name": "ep"}, endpointConfigName=f"{CONFIG}|cfg"),
    ]
    if spec is not None:
        inputs = {"inferenceComponentName": "ic", "runtimeConfig": {"copyCount": 1}, "specification": spec}
        found.append(_resource(COMPONENT, "ic", inputs, endpointName=f"{ENDPOINT}|ep"))
    if copies_min is not None:
        bounds = {"resourceId": "inference-component/ic", "minCapacity": copies_min, "maxCapacity": 4}
        found.append(_resource("aws:appautoscaling/target:Target", "copies", bounds))
    return tuple(found)


def _monitoring(schedule: Any = "cron(0 * ? * * *)", runtime: Any = 1800) -> tuple[RecordedResource, ...]:
    job = {
        "monitoringResources": {"clusterConfig": {"instanceType": "ml.m5.large", "instanceCount": 1}},
        "stoppingCondition": {"maxRuntimeInSeconds": runtime},
    }
    config = {
        "scheduleConfig": {"scheduleExpression": schedule},
        "monitoringType": "DataQuality",
        "monitoringJobDefinition": job,
    }
    return (
        _resource("aws-native:sagemaker:MonitoringSchedule", "drift", {"monitoringScheduleConfig": config}),
    )


# A pipeline whose one Transform step's instance type is a parameter the schedule may override.
DEFINITION = json.dumps(
    {
        "Parameters": [{"Name": "T", "Type": "String", "DefaultValue": "ml.m5.large"}],
        "Steps": [
            {
                "Name": "Score",
                "Type": "Transform",
                "Arguments": {
                    "TransformResources": {"InstanceType": {"Get": "Parameters.T"}, "InstanceCount": 1}
                },
            }
        ],
    }
)


def _scheduled(expression: Any = "cron(0 2 * * ? *)", parameters: Any = None) -> tuple[RecordedResource, ...]:
    target: dict[str, Any] = {"arn": "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/training"}
    if parameters is not None:
        target["sagemakerPipelineParameters"] = parameters
    return (
        _resource(PIPELINE, "training", {"pipelineDefinition": DEFINITION}),
        _resource(
            "aws:scheduler/schedule:Schedule",
            "nightly",
            {"scheduleExpression": expression, "target": target},
            target=f"{PIPELINE}|training",
        ),
    )


OVERRIDE = {"pipelineParameters": [{"name": "T", "value": "ml.m5.xlarge"}]}

CASES = {
    # case: (the graph's resources with one UNKNOWN, the same known, (resource, reason) of the line)
    "a variant's name (it finds its scaling target)": (
        _endpoint({**VARIANT, "variantName": UNKNOWN}),
        _endpoint(VARIANT),
        ("ep", f"endpoint configuration cfg's productionVariants[0].variantName {NOTE}"),
    ),
    "a serverless variant's concurrency": (
        _endpoint(
            {"variantName": "s", "serverlessConfig": {"memorySizeInMb": 2048, "maxConcurrency": UNKNOWN}}
        ),
        _endpoint({"variantName": "s", "serverlessConfig": {"memorySizeInMb": 2048, "maxConcurrency": 5}}),
        ("ep", f"endpoint configuration cfg's productionVariants[0].serverlessConfig.maxConcurrency {NOTE}"),
    ),
    "a shared fleet's managed scaling bound": (
        _endpoint(
            {
                **VARIANT,
                "managedInstanceScaling": {
                    "status": "ENABLED",
                    "minInstanceCount": 1,
                    "maxInstanceCount": UNKNOWN,
                },
            },
            SPEC,
        ),
        _endpoint(
            {
                **VARIANT,
                "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 3},
            },
            SPEC,
        ),
        (
            "ep",
            f"endpoint configuration cfg's productionVariants[0].managedInstanceScaling.maxInstanceCount {NOTE}",
        ),
    ),
    "an inference component's cores (its share of the fleet)": (
        _endpoint(VARIANT, {"computeResourceRequirements": {"numberOfCpuCoresRequired": UNKNOWN}}),
        _endpoint(VARIANT, {"computeResourceRequirements": {"numberOfCpuCoresRequired": 1}}),
        (
            "ep",
            f"inference component ic's specification.computeResourceRequirements.numberOfCpuCoresRequired {NOTE}",
        ),
    ),
    "an inference component's copy-count target bound": (
        _endpoint(VARIANT, SPEC, copies_min=UNKNOWN),
        _endpoint(VARIANT, SPEC, copies_min=1),
        ("ep", f"scaling target copies's minCapacity {NOTE}"),
    ),
    "a VPC endpoint's type (an unknown one was priced as a free gateway)": (
        (
            _resource(
                "aws:ec2/vpcEndpoint:VpcEndpoint",
                "sts",
                {"vpcEndpointType": UNKNOWN, "subnetIds": ["a", "b"]},
            ),
        ),
        (
            _resource(
                "aws:ec2/vpcEndpoint:VpcEndpoint",
                "sts",
                {"vpcEndpointType": "Interface", "subnetIds": ["a", "b"]},
            ),
        ),
        ("sts", f"sts's vpcEndpointType {NOTE}"),
    ),
    "an alarm's period (high resolution bills more)": (
        (
            _resource(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "errors",
                {"metricName": "Errors", "period": UNKNOWN},
            ),
        ),
        (
            _resource(
                "aws:cloudwatch/metricAlarm:MetricAlarm", "errors", {"metricName": "Errors", "period": 10}
            ),
        ),
        ("errors", f"errors's period {NOTE}"),
    ),
    "a monitoring schedule's expression": (
        _monitoring(schedule=UNKNOWN),
        _monitoring(),
        ("drift", f"drift's monitoringScheduleConfig.scheduleConfig.scheduleExpression {NOTE}"),
    ),
    "a monitoring job's runtime limit (the ceiling)": (
        _monitoring(runtime=UNKNOWN),
        _monitoring(),
        (
            "drift",
            f"drift's monitoringScheduleConfig.monitoringJobDefinition.stoppingCondition.maxRuntimeInSeconds {NOTE}",
        ),
    ),
    "a pipeline schedule's expression": (
        _scheduled(expression=UNKNOWN),
        _scheduled(),
        ("nightly", f"nightly's scheduleExpression {NOTE}"),
    ),
    "a pipeline schedule's parameters (they pick the instance type)": (
        _scheduled(parameters=UNKNOWN),
        _scheduled(parameters=OVERRIDE),
        ("nightly", f"nightly's target.sagemakerPipelineParameters {NOTE}"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_unknown_priced_input_is_an_unpriced_line_naming_it_not_a_default(case: str) -> None:
    unknown, known, line = CASES[case]
    estimate = estimate_cost(_graph(*unknown))
    assert [(u.resource, u.reason) for u in estimate.unpriced] == [line]
    assert (estimate.monthly_max, estimate.unpriced_in_totals) == (0, 1)
    # The same input known is priced: the line is the unknown's, not the resource's.
    priced = estimate_cost(_graph(*known))
    assert priced.unpriced == ()
    assert priced.monthly_max > 0


def test_a_pipelines_per_run_line_names_the_component_that_holds_it() -> None:
    component = dataclasses.replace(_resource("mlops:training:TrainingPipeline", "trainer", {}), custom=False)
    pipeline = dataclasses.replace(
        _resource(PIPELINE, "training", {"pipelineDefinition": UNKNOWN}), parent=component.urn
    )
    [line] = estimate_cost(_graph(component, pipeline)).unpriced
    assert (line.resource, line.component, line.in_totals) == ("training", "trainer", False)


def test_a_region_without_prices_is_said_even_when_only_a_per_run_line_is_unpriced() -> None:
    """The hint reads the table, not which lines are in the totals (nor is a lower bound claimed)."""
    per_run = Unpriced("training", PIPELINE, "(stack)", "per run", in_totals=False)
    cost = CostEstimate("USD", "eu-central-1", {}, (per_run,), (), "2026-01-01")
    out = io.StringIO()
    _render_cost(cost, Console(file=out, width=400, color_system=None))
    text = out.getvalue()
    assert "planner/data/prices.json has no prices for eu-central-1" in text
    assert "they are a lower bound" not in text


def test_an_unknown_deferred_endpoints_export_is_read_as_none_deferred() -> None:
    """An export unknown until deployment is unset to the post-deploy check, not a text whose
    characters it lists as deferred endpoints."""
    graph = _graph(exports={"deferred_endpoints": UNKNOWN})
    assert [e for e in expectations(graph) if isinstance(e, Unverifiable)] == []


def _exports_an_unknown() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    pulumi.export("deferred_endpoints", vpc.ipv6_association_id.apply(lambda _: {"ep": "later"}))


def test_a_recording_whose_only_unknown_is_an_export_holds_unknowns() -> None:
    graph = record_program(_exports_an_unknown)
    assert graph.exports["deferred_endpoints"] == UNKNOWN
    assert graph.holds_unknowns
    assert "deferred_endpoints" not in known_inputs(graph).exports
