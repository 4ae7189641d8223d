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
from tests.delivery.conftest import REGION
from tests.delivery.monitoring_schedules import MonitoringSchedules
from tests.sagemaker_requests import to_request

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
KINDS = (
    "endpoint",
    "scalable target",
    "monitoring schedule",
    "monitoring baselines",
    "pipeline",
    "model package group",
)
# Monitoring type → the job definition resource that schedule type reads, and its create operation.
JOB_DEFINITIONS = {
    "DataQuality": (
        "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
        "CreateDataQualityJobDefinition",
    ),
    "ModelQuality": ("aws-native:sagemaker:ModelQualityJobDefinition", "CreateModelQualityJobDefinition"),
    "ModelBias": ("aws-native:sagemaker:ModelBiasJobDefinition", "CreateModelBiasJobDefinition"),
    "ModelExplainability": (
        "aws-native:sagemaker:ModelExplainabilityJobDefinition",
        "CreateModelExplainabilityJobDefinition",
    ),
}


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
        create_job_definitions(graph, sagemaker)
    if "monitoring baselines" not in omit:
        uris = baseline_uris(graph)
        buckets = {b["Name"] for b in clients.s3.list_buckets()["Buckets"]} if uris else set()
        for uri in uris:
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            if bucket not in buckets:
                clients.s3.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
                )
                buckets.add(bucket)
            clients.s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
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


def _job_definitions(graph: ResourceGraph) -> list[tuple[str, RecordedResource]]:
    return [
        (operation, definition)
        for resource_type, operation in JOB_DEFINITIONS.values()
        for definition in graph.of_type(resource_type)
    ]


def create_job_definitions(graph: ResourceGraph, sagemaker: Any) -> None:
    """The monitoring job definitions as recorded (named as Pulumi names them)."""
    for operation, definition in _job_definitions(graph):
        inputs = dict(definition.inputs)
        name = inputs.pop("jobDefinitionName", None) or definition.outputs["name"]
        request = to_request(operation, inputs)
        getattr(sagemaker, _snake(operation))(JobDefinitionName=name, **request)


def baseline_uris(graph: ResourceGraph) -> list[str]:
    """Every baseline file and analysis config the recorded job definitions read."""
    return [uri for _, definition in _job_definitions(graph) for uri in baseline_uris_of(definition)]


def baseline_uris_of(definition: RecordedResource) -> list[str]:
    """The files one recorded job definition reads, in the order the check reports them."""
    inputs = definition.inputs
    uris = [
        config[resource]["s3Uri"]
        for key, config in inputs.items()
        if key.endswith("BaselineConfig")
        for resource in ("constraintsResource", "statisticsResource")
        if resource in config
    ]
    return uris + [
        spec["configUri"]
        for key, spec in inputs.items()
        if key.endswith("AppSpecification") and "configUri" in spec
    ]


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _monitored_endpoint(graph: ResourceGraph, schedule: RecordedResource) -> str:
    """What SageMaker reports as the schedule's EndpointName: its job definition's endpoint input."""
    for definition in graph.referenced(schedule, "monitoringScheduleConfig"):
        for key, value in definition.inputs.items():
            if key.endswith("JobInput") and "endpointInput" in value:
                return value["endpointInput"]["endpointName"]
    raise AssertionError(f"{schedule.name}: no job definition with an endpoint input")
