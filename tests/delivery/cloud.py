"""Create in moto what `pulumi up` would create for a recorded stack (the parts the check reads).

Resources are built from the recorded inputs through the real API shapes (``to_request``), not
from the check's own expectations, so a test proves that verify reads back what creating those
inputs yields in SageMaker and Application Auto Scaling.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from delivery.checks import Clients
from planner.recorder import RecordedResource, ResourceGraph
from tests.delivery.monitoring_schedules import MonitoringSchedules
from tests.sagemaker_requests import to_request

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
KINDS = ("endpoint", "scalable target", "monitoring schedule", "pipeline", "model package group")


def provision(
    graph: ResourceGraph, clients: Clients, schedules: MonitoringSchedules, *, omit: Iterable[str] = ()
) -> None:
    """Create the stack's endpoints, scalable targets, schedules, pipelines and groups (minus ``omit``)."""
    omit = set(omit)
    assert omit <= set(KINDS), f"unknown kinds {omit - set(KINDS)}"
    sagemaker = clients.sagemaker
    if "endpoint" not in omit:
        for endpoint in graph.of_type(ENDPOINT):
            create_endpoint(graph, sagemaker, endpoint)
    if "scalable target" not in omit:
        for target in graph.of_type("aws:appautoscaling/target:Target"):
            inputs = target.inputs
            clients.autoscaling.register_scalable_target(
                ServiceNamespace=inputs["serviceNamespace"],
                ResourceId=inputs["resourceId"],
                ScalableDimension=inputs["scalableDimension"],
                MinCapacity=int(inputs["minCapacity"]),
                MaxCapacity=int(inputs["maxCapacity"]),
            )
    if "monitoring schedule" not in omit:
        for schedule in graph.of_type(SCHEDULE):
            config = schedule.inputs["monitoringScheduleConfig"]
            schedules.create(
                schedule.outputs["name"],  # the physical name Pulumi generates
                endpoint=_monitored_endpoint(graph, schedule),
                monitoring_type=config["monitoringType"],
                job_definition=config["monitoringJobDefinitionName"],
                expression=config["scheduleConfig"]["scheduleExpression"],
            )
    if "pipeline" not in omit:
        for pipeline in graph.of_type("aws:sagemaker/pipeline:Pipeline"):
            sagemaker.create_pipeline(**to_request("CreatePipeline", dict(pipeline.inputs)))
    if "model package group" not in omit:
        for group in graph.of_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup"):
            sagemaker.create_model_package_group(**to_request("CreateModelPackageGroup", dict(group.inputs)))


def create_endpoint(
    graph: ResourceGraph, sagemaker: Any, endpoint: RecordedResource, variants: list[dict] | None = None
) -> None:
    """Models, configuration and endpoint as recorded; ``variants`` replaces productionVariants."""
    [config] = graph.referenced(endpoint, "endpointConfigName")
    for model in graph.of_type("aws:sagemaker/model:Model"):
        sagemaker.create_model(
            ModelName=model.outputs["name"], **to_request("CreateModel", dict(model.inputs))
        )
    inputs = dict(config.inputs)
    if variants is not None:
        inputs["productionVariants"] = variants
    sagemaker.create_endpoint_config(
        EndpointConfigName=config.outputs["name"], **to_request("CreateEndpointConfig", inputs)
    )
    sagemaker.create_endpoint(EndpointName=endpoint.inputs["name"], EndpointConfigName=config.outputs["name"])


def _monitored_endpoint(graph: ResourceGraph, schedule: RecordedResource) -> str:
    """What SageMaker reports as the schedule's EndpointName: its job definition's endpoint input."""
    for definition in graph.referenced(schedule, "monitoringScheduleConfig"):
        for key, value in definition.inputs.items():
            if key.endswith("JobInput") and "endpointInput" in value:
                return value["endpointInput"]["endpointName"]
    raise AssertionError(f"{schedule.name}: no job definition with an endpoint input")
