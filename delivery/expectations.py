"""What a stack promised, read off its offline plan (the recorded resource graph).

The post-deploy check compares these promises with what AWS reports. They come from the same
recording the offline plan and the policy pack use, so "what we checked" and "what we planned"
cannot drift apart: a new endpoint variant or pipeline in a stack file is verified without
touching this module.

Only values that are literal in the plan become expectations. A physical name Pulumi generates
(an auto-named monitoring schedule, say) is not known before `pulumi up`, so such resources are
found through something literal they reference (the endpoint name) or reported as unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from planner.recorder import RecordedResource, ResourceGraph, known_inputs

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALABLE_TARGET = "aws:appautoscaling/target:Target"
MONITORING_SCHEDULES = (
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
    "aws-native:sagemaker:MonitoringSchedule",
)
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
MODEL_PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@dataclass(frozen=True)
class EndpointExpectation:
    """The endpoint is InService and serves exactly these (shadow) variants."""

    kind: ClassVar[str] = "endpoint"
    endpoint: str
    variants: tuple[str, ...]
    shadow_variants: tuple[str, ...] = ()

    @property
    def resource(self) -> str:
        return self.endpoint

    @property
    def expected(self) -> str:
        return describe_endpoint_state("InService", self.variants, self.shadow_variants)


@dataclass(frozen=True)
class VariantExpectation:
    """A variant runs the planned number of instances, or any number its scalable target allows."""

    kind: ClassVar[str] = "variant"
    endpoint: str
    variant: str
    instance_count: int | None
    """The configuration's initialInstanceCount; None for a serverless variant (it has no count)."""
    capacity: tuple[int, int] | None = None
    """(minCapacity, maxCapacity) of the variant's scalable target, else its managed instance scaling's
    (minInstanceCount, maxInstanceCount): autoscaling may move the count."""
    shadow: bool = False

    @property
    def resource(self) -> str:
        return f"{self.endpoint}/{self.variant}"

    @property
    def serverless(self) -> bool:
        return self.instance_count is None

    @property
    def expected(self) -> str:
        if self.serverless:
            return "serverless"
        if self.capacity:
            low, high = self.capacity
            return f"{low}..{high} instances (autoscaled)"
        return f"{self.instance_count} instances"

    def accepts(self, count: int) -> bool:
        if self.capacity:
            return self.capacity[0] <= count <= self.capacity[1]
        return count == self.instance_count


@dataclass(frozen=True)
class ScalableTargetExpectation:
    """An Application Auto Scaling target is registered with these bounds."""

    kind: ClassVar[str] = "scalable target"
    namespace: str
    resource_id: str
    dimension: str
    min_capacity: int
    max_capacity: int

    @property
    def resource(self) -> str:
        return self.resource_id

    @property
    def expected(self) -> str:
        return f"min {self.min_capacity}, max {self.max_capacity}"


@dataclass(frozen=True)
class MonitoringScheduleExpectation:
    """A monitoring schedule of ``monitoring_type`` watches ``endpoint`` and is Scheduled.

    Pulumi auto-names the schedule, so it is found through the endpoint its job definition reads
    (``ListMonitoringSchedules(EndpointName=...)``), unless the plan names it literally.
    """

    kind: ClassVar[str] = "monitoring schedule"
    endpoint: str | None
    monitoring_type: str | None
    schedule_expression: str | None
    name: str | None = None

    @property
    def resource(self) -> str:
        what = self.monitoring_type or "any type"
        return self.name or f"{self.endpoint} ({what})"

    @property
    def expected(self) -> str:
        return f"Scheduled, {self.schedule_expression}" if self.schedule_expression else "Scheduled"


@dataclass(frozen=True)
class MonitoringBaselinesExpectation:
    """Every file the schedule's job definition compares with (baseline statistics and constraints,
    Clarify analysis configs and the SHAP baseline file an analysis config names) exists: without
    them each monitoring run fails."""

    kind: ClassVar[str] = "monitoring baselines"
    schedule: MonitoringScheduleExpectation

    @property
    def resource(self) -> str:
        return self.schedule.resource

    @property
    def expected(self) -> str:
        return "baseline files present"


@dataclass(frozen=True)
class PipelineExpectation:
    kind: ClassVar[str] = "pipeline"
    name: str
    expected: ClassVar[str] = "Active"

    @property
    def resource(self) -> str:
        return self.name


@dataclass(frozen=True)
class ModelPackageGroupExpectation:
    kind: ClassVar[str] = "model package group"
    name: str
    expected: ClassVar[str] = "Completed"

    @property
    def resource(self) -> str:
        return self.name


@dataclass(frozen=True)
class Unverifiable:
    """A promised resource the check cannot find, because nothing identifying it is literal in the plan."""

    kind: str
    resource: str
    reason: str

    @property
    def expected(self) -> str:
        return self.reason


Expectation = (
    EndpointExpectation
    | VariantExpectation
    | ScalableTargetExpectation
    | MonitoringScheduleExpectation
    | MonitoringBaselinesExpectation
    | PipelineExpectation
    | ModelPackageGroupExpectation
    | Unverifiable
)


def describe_endpoint_state(status: str, variants: tuple[str, ...], shadow: tuple[str, ...]) -> str:
    text = f"{status}; variants {', '.join(sorted(variants)) or 'none'}"
    return f"{text}; shadow {', '.join(sorted(shadow))}" if shadow else text


def expectations(graph: ResourceGraph) -> list[Expectation]:
    """Everything the post-deploy check verifies for the stack ``graph`` was recorded from (a value
    unknown until deployment as unset, so never looked for in AWS: :func:`~planner.recorder.known_inputs`)."""
    graph = known_inputs(graph)
    targets = _scalable_targets(graph)
    found: list[Expectation] = []
    for resource in graph:
        if resource.type == ENDPOINT:
            found += _endpoint(graph, resource, targets)
        elif resource.type == SCALABLE_TARGET:
            found += _scalable_target(resource)
        elif resource.type in MONITORING_SCHEDULES:
            schedule = _monitoring_schedule(graph, resource)
            found.append(schedule)
            if isinstance(schedule, MonitoringScheduleExpectation):
                found.append(MonitoringBaselinesExpectation(schedule))
        elif resource.type == PIPELINE:
            found.append(_named(resource, "pipelineName", PipelineExpectation))
        elif resource.type == MODEL_PACKAGE_GROUP:
            found.append(_named(resource, "modelPackageGroupName", ModelPackageGroupExpectation))
    deferred = graph.exports.get("deferred_endpoints") or {}
    found += [
        Unverifiable(
            "endpoint", name, "deferred: nothing approved to serve yet (created by a later pulumi up)"
        )
        for name in sorted(deferred)
    ]
    return found


def _scalable_targets(graph: ResourceGraph) -> dict[str, tuple[int, int] | None]:
    """Variant resource id (``endpoint/<ep>/variant/<v>``) → (min, max) of its instance-count target,
    None when a bound is unknown in the plan."""
    found: dict[str, tuple[int, int] | None] = {}
    for target in graph.of_type(SCALABLE_TARGET):
        inputs = target.inputs
        if inputs.get("scalableDimension") == VARIANT_DIMENSION and isinstance(inputs.get("resourceId"), str):
            low, high = inputs.get("minCapacity"), inputs.get("maxCapacity")
            bounds = None if low is None or high is None else (int(low), int(high))
            found[inputs["resourceId"]] = bounds
    return found


def _endpoint(
    graph: ResourceGraph, endpoint: RecordedResource, targets: Mapping[str, tuple[int, int] | None]
) -> list[Expectation]:
    name = endpoint.inputs.get("name")
    if not isinstance(name, str):
        return [Unverifiable("endpoint", endpoint.name, "no literal `name` in the plan: name it explicitly")]
    config = _endpoint_config(graph, endpoint)
    if config is None:
        return [Unverifiable("endpoint", name, "its endpoint configuration is not part of the plan")]
    production = list(config.inputs.get("productionVariants") or [])
    shadow = list(config.inputs.get("shadowProductionVariants") or [])
    found: list[Expectation] = [
        EndpointExpectation(
            endpoint=name,
            variants=tuple(v["variantName"] for v in production),
            shadow_variants=tuple(v["variantName"] for v in shadow),
        )
    ]
    for variants, is_shadow in ((production, False), (shadow, True)):
        for variant in variants:
            count = variant.get("initialInstanceCount")
            resource_id = f"endpoint/{name}/variant/{variant['variantName']}"
            if resource_id in targets and targets[resource_id] is None:
                found.append(
                    Unverifiable(
                        "variant",
                        f"{name}/{variant['variantName']}",
                        "its scalable target's bounds are unknown in the plan",
                    )
                )
                continue
            found.append(
                VariantExpectation(
                    endpoint=name,
                    variant=variant["variantName"],
                    instance_count=None if count is None else int(count),
                    capacity=targets.get(resource_id) or _managed_instance_scaling(variant),
                    shadow=is_shadow,
                )
            )
    return found


def _managed_instance_scaling(variant: Mapping[str, Any]) -> tuple[int, int] | None:
    """(min, max) instances of a variant SageMaker scales itself (an inference components' fleet)."""
    scaling = variant.get("managedInstanceScaling") or {}
    low, high = scaling.get("minInstanceCount"), scaling.get("maxInstanceCount")
    if scaling.get("status") != "ENABLED" or low is None or high is None:
        return None
    return int(low), int(high)


def _endpoint_config(graph: ResourceGraph, endpoint: RecordedResource) -> RecordedResource | None:
    """The configuration the endpoint references: through its dependency, else by physical name."""
    referenced = [r for r in graph.referenced(endpoint, "endpointConfigName") if r.type == ENDPOINT_CONFIG]
    if referenced:
        return referenced[0]
    wanted = endpoint.inputs.get("endpointConfigName")
    matches = [
        config
        for config in graph.of_type(ENDPOINT_CONFIG)
        if wanted in (config.inputs.get("name"), config.outputs.get("name"))
    ]
    return matches[0] if matches else None


def _scalable_target(target: RecordedResource) -> list[Expectation]:
    inputs = target.inputs
    keys = ("serviceNamespace", "resourceId", "scalableDimension", "minCapacity", "maxCapacity")
    if any(inputs.get(key) is None for key in keys):
        return [Unverifiable("scalable target", target.name, "resource id or bounds unknown in the plan")]
    return [
        ScalableTargetExpectation(
            namespace=inputs["serviceNamespace"],
            resource_id=inputs["resourceId"],
            dimension=inputs["scalableDimension"],
            min_capacity=int(inputs["minCapacity"]),
            max_capacity=int(inputs["maxCapacity"]),
        )
    ]


def _monitoring_schedule(graph: ResourceGraph, schedule: RecordedResource) -> Expectation:
    config = schedule.inputs.get("monitoringScheduleConfig") or {}
    name = schedule.inputs.get("name") or schedule.inputs.get("monitoringScheduleName")
    # The endpoint is in the job definition the schedule references, or in an embedded definition.
    sources = [config, *(r.inputs for r in graph.referenced(schedule, "monitoringScheduleConfig"))]
    endpoint = next((found for source in sources for found in _endpoint_names(source)), None)
    if not isinstance(name, str) and endpoint is None:
        return Unverifiable(
            "monitoring schedule", schedule.name, "auto-named and reads no endpoint (batch transform input?)"
        )
    return MonitoringScheduleExpectation(
        endpoint=endpoint,
        monitoring_type=config.get("monitoringType"),
        schedule_expression=(config.get("scheduleConfig") or {}).get("scheduleExpression"),
        name=name if isinstance(name, str) else None,
    )


def _endpoint_names(value: Any) -> Iterator[str]:
    """Literal ``endpointInput.endpointName`` values anywhere in a (job definition's) inputs."""
    if isinstance(value, Mapping):
        endpoint_input = value.get("endpointInput")
        if isinstance(endpoint_input, Mapping) and isinstance(endpoint_input.get("endpointName"), str):
            yield endpoint_input["endpointName"]
        for item in value.values():
            yield from _endpoint_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _endpoint_names(item)


def _named(
    resource: RecordedResource,
    key: str,
    kind: type[PipelineExpectation] | type[ModelPackageGroupExpectation],
) -> Expectation:
    name = resource.inputs.get(key)
    if not isinstance(name, str):
        return Unverifiable(kind.kind, resource.name, f"no literal `{key}` in the plan")
    return kind(name=name)
