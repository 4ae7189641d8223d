"""Pricing one resource at list prices: the table, and a function per type that bills regardless of use.

``planner/data/prices.json`` holds dated list prices per region. Each pricer returns what one
resource costs a month at minimum and at maximum capacity, or raises :class:`PriceMissing` when
the table lacks a price it needs or an input it prices is unknown until deployment (the estimate
then shows an *unpriced* line instead of a silently low total). :mod:`planner.cost` runs them over a graph and aggregates by component.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from planner.pricing_unknowns import UNKNOWN_NOTE, known_variants, unknown_at
from planner.recorder import UNKNOWN, RecordedResource, ResourceGraph
from planner.schedules import ScheduledCapacity, UnsupportedSchedule, average_min_capacity, runs_per_month

PRICES_PATH = Path(__file__).parent / "data" / "prices.json"
TYPICAL_MONITORING_RUN_MINUTES = 10
DEFAULT_MAX_RUNTIME_SECONDS = 3600
SECONDS_PER_HOUR = 3600
ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH = 10_000_000
"""The ceiling assumed for a trail's data events a month (S3 object reads and writes it records): the
volume follows use, not capacity, so the estimate needs a stated number; see planner.cost's notes."""
TYPICAL_TRANSFORM_RUN_MINUTES = 15
"""A scheduled batch transform run: instances start (5-10 min), then score; the floor per run."""
ASSUMED_MAX_TRANSFORM_RUN_MINUTES = 60
"""The ceiling per run: a transform job has no runtime limit to read, so an hour is assumed."""
TYPICAL_BATCH_PROCESSING_RUN_MINUTES = 10
"""A processing step of a scheduled batch run (the Evidently report, publishing its metrics): the
floor per run, capped at the step's MaxRuntimeInSeconds, which is the ceiling."""


class PriceMissing(LookupError):
    """The price table has no price for something the plan would pay for."""


SCALING_TYPES = ("aws:appautoscaling/target:Target", "aws:appautoscaling/scheduledAction:ScheduledAction")


@dataclass(frozen=True)
class PriceTable:
    region: str
    prices: Mapping[str, Any]
    """The table's entry for ``region`` (empty when the table does not cover it)."""
    hours_per_month: float
    compiled: str
    currency: str

    def get(self, key: str, item: str | None = None) -> float:
        if not self.prices:
            raise PriceMissing(f"planner/data/prices.json has no prices for region {self.region}")
        value = self.prices.get(key)
        if item is not None:
            value = value.get(item) if isinstance(value, Mapping) else None
        if not isinstance(value, (int, float)):
            what = f"{key}[{item!r}]" if item is not None else key
            raise PriceMissing(f"planner/data/prices.json has no {what} for {self.region}")
        return float(value)


@cache
def _price_data(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def load_prices(region: str, path: Path = PRICES_PATH) -> PriceTable:
    data = _price_data(path)
    return PriceTable(
        region=region,
        prices=data["regions"].get(region, {}),
        hours_per_month=float(data["hours_per_month"]),
        compiled=data["compiled"],
        currency=data["currency"],
    )


PRICES_FILE = "planner/data/prices.json"
"""The price table as the plan's messages name it (relative to the repository)."""


@dataclass(frozen=True)
class NoEstimate:
    """Why a plan's monthly estimate says nothing of what the stack costs
    (:func:`no_estimate`): the price table lacks its region (``region``), or it has the region but
    priced none of the stack's resources (``region`` None: each left out, ``unpriced`` of them, for
    a reason its ``UNPRICED`` line gives)."""

    region: str | None
    unpriced: int

    @property
    def reason(self) -> str:
        """Why, as a clause: "planner/data/prices.json has no prices for eu-central-1", "the plan
        priced none of the stack's resources: 3 unpriced"."""
        if self.region is not None:
            return f"{PRICES_FILE} has no prices for {self.region}"
        return f"the plan priced none of the stack's resources: {self.unpriced} unpriced"

    @property
    def remedy(self) -> str:
        """What gives the plan an estimate, or says why it has none."""
        if self.region is not None:
            return "add the region's list prices for one: docs/cost.md, Prices"
        return "each `UNPRICED` line of the text plan says why"


def no_estimate(region: object, monthly_max: float, unpriced: int) -> NoEstimate | None:
    """Whether the plan has no monthly estimate of the stack, and why; None where it has one. One
    decision for every output that states the estimate or compares with it (the text plan's budget
    check, :mod:`planner.budget`; the pull request's summary, :mod:`delivery.plan_summary`):

    - a region (``region``) the price table lacks: every resource it would price is unpriced and
      the totals are $0, whatever else (a stack with nothing to price there included);
    - a region it has, with a maximum of $0 and resources left unpriced (``unpriced``, those the
      totals would hold): the estimate priced none of the stack.

    A $0 maximum with nothing unpriced is an estimate (a stack of free resources), and so is any
    priced figure, a lower bound where resources are left out. ``region`` not text (a plan JSON
    without one): only the second case is judged."""
    if isinstance(region, str) and not load_prices(region).prices:
        return NoEstimate(region, unpriced)
    if monthly_max == 0 and unpriced > 0:
        return NoEstimate(None, unpriced)
    return None


@dataclass(frozen=True)
class CostItem:
    """What one resource costs a month at minimum and at maximum capacity, and why (``what``)."""

    resource: str
    type: str
    what: str
    monthly_min: float
    monthly_max: float


@dataclass
class PricingContext:
    """Indexes over one graph that the pricing functions share."""

    graph: ResourceGraph
    prices: PriceTable
    by_urn: dict[str, RecordedResource] = field(init=False)
    targets: dict[str, RecordedResource] = field(init=False)
    actions: dict[str, list[RecordedResource]] = field(init=False)
    notes: list[str] = field(default_factory=list)
    partly_unpriced: dict[str, list[str]] = field(default_factory=dict)
    """Per resource URN, each part of it its pricer could not price while it priced the rest: the
    estimate shows an unpriced line for each, so the priced part is not taken for the whole."""
    recorded: ResourceGraph | None = None
    """The graph as recorded, its values unknown until deployment kept (``graph`` reads them as
    unset): a pricer reads here whether an input it prices is unknown (:meth:`unknown`)."""
    recorded_by_urn: dict[str, RecordedResource] = field(init=False)
    pricing: str = ""
    """The URN of the resource being priced (:meth:`unpriced` lists its lines)."""
    unknown_scaling: list[RecordedResource] = field(init=False)
    """The scaling targets and scheduled actions whose resource id is unknown until deployment."""

    def __post_init__(self) -> None:
        self.by_urn = {resource.urn: resource for resource in self.graph}
        self.recorded_by_urn = {resource.urn: resource for resource in (self.recorded or self.graph)}
        self.unknown_scaling = [
            resource
            for resource in (self.recorded or self.graph)
            if resource.type in SCALING_TYPES and resource.inputs.get("resourceId") == UNKNOWN
        ]
        self.targets, self.actions = {}, {}
        for resource in self.graph:
            resource_id = resource.inputs.get("resourceId")
            if resource.type == "aws:appautoscaling/target:Target" and isinstance(resource_id, str):
                self.targets[resource_id] = resource
            elif resource.type == "aws:appautoscaling/scheduledAction:ScheduledAction":
                self.actions.setdefault(str(resource_id), []).append(resource)

    def referenced(
        self, resource: RecordedResource, prop: str, type_fragment: str
    ) -> RecordedResource | None:
        for urn in resource.property_dependencies.get(prop, ()):
            found = self.by_urn.get(urn)
            if found is not None and type_fragment in found.type:
                return found
        return None

    def monthly(self, hourly: float) -> float:
        return hourly * self.prices.hours_per_month

    def as_recorded(self, resource: RecordedResource) -> RecordedResource:
        """``resource`` with its unknowns kept."""
        return self.recorded_by_urn.get(resource.urn, resource)

    def unknown(self, resource: RecordedResource, *paths: str) -> list[str]:
        """The inputs at or under the dotted ``paths`` of ``resource`` unknown until deployment."""
        return unknown_at(self.as_recorded(resource).inputs, *paths)

    def unpriced(self, reason: str) -> None:
        """Show ``reason`` as an unpriced line of the resource being priced, the rest of which stays
        priced (an endpoint's other variants)."""
        self.partly_unpriced.setdefault(self.pricing, []).append(reason)

    def require_known(self, resource: RecordedResource, *paths: str, of: str = "") -> None:
        """Raise :class:`PriceMissing` naming the inputs at ``paths`` unknown until deployment."""
        unknown = self.unknown(resource, *paths)
        if unknown:
            owner = of or f"{resource.name}'s"
            raise PriceMissing(f"{owner} {', '.join(unknown)} {UNKNOWN_NOTE}")


Pricer = Callable[[PricingContext, RecordedResource], list[CostItem]]


def _variant_capacity(
    ctx: PricingContext, endpoint_name: str, variant: Mapping[str, Any]
) -> tuple[float, float, str]:
    """(average minimum, maximum) instance count of a variant, and how the minimum was found."""
    initial = float(variant.get("initialInstanceCount") or 1)
    resource_id = f"endpoint/{endpoint_name}/variant/{variant.get('variantName')}"
    target = ctx.targets.get(resource_id)
    # A scaling target or action whose resource id is unknown may scale this variant: beside its
    # known target, a scheduled action may still (a scale-up past the target's maximum).
    for other in ctx.unknown_scaling:
        if target is None or other.type == SCALING_TYPES[1]:
            raise PriceMissing(
                f"scaling {other.name}'s resourceId (it may scale {resource_id}) {UNKNOWN_NOTE}"
            )
    if target is None:
        return initial, initial, "fixed"
    ctx.require_known(target, "minCapacity", "maxCapacity", of=f"scaling target {target.name}'s")
    for action in ctx.actions.get(resource_id, []):
        ctx.require_known(action, "schedule", "scalableTargetAction", of=f"scheduled action {action.name}'s")
    base_min = float(target.inputs.get("minCapacity", initial))
    base_max = float(target.inputs.get("maxCapacity", initial))
    scheduled = [
        ScheduledCapacity(
            schedule=str(action.inputs.get("schedule", "")),
            min_capacity=(action.inputs.get("scalableTargetAction") or {}).get("minCapacity"),
            max_capacity=(action.inputs.get("scalableTargetAction") or {}).get("maxCapacity"),
        )
        for action in ctx.actions.get(resource_id, [])
    ]
    maximum = max([base_max, *(float(a.max_capacity) for a in scheduled if a.max_capacity is not None)])
    try:
        minimum = average_min_capacity(base_min, scheduled)
    except UnsupportedSchedule as error:
        ctx.notes.append(f"{resource_id}: {error}; its minimum is taken as the target's {base_min:g}")
        minimum = base_min
    how = "scheduled" if scheduled else "autoscaled"
    return minimum, maximum, how


def _endpoint(ctx: PricingContext, endpoint: RecordedResource) -> list[CostItem]:
    config = ctx.referenced(endpoint, "endpointConfigName", "endpointConfiguration")
    if config is None:
        return []
    components = _components_on(ctx, endpoint)
    if components:
        return _shared_instances(ctx, endpoint, config, components)
    name = str(endpoint.inputs.get("name") or endpoint.outputs.get("name") or endpoint.name)
    mode = "async" if config.inputs.get("asyncInferenceConfig") else "real-time"
    items = []
    for _, variant in known_variants(ctx, config, "productionVariants", "shadowProductionVariants"):
        label = variant.get("variantName", "?")
        serverless = variant.get("serverlessConfig")
        if serverless:
            items.append(_serverless_variant(ctx, endpoint, str(label), serverless))
            continue
        instance_type = str(variant.get("instanceType"))
        hourly = ctx.prices.get("sagemaker_hosting_per_hour", instance_type)
        try:
            minimum, maximum, how = _variant_capacity(ctx, name, variant)
        except PriceMissing as error:
            ctx.unpriced(f"variant {label}: {error}")
            continue
        what = f"{label}: {mode} {instance_type} x {minimum:.3g}-{maximum:g} ({how})"
        items.append(
            CostItem(
                endpoint.name,
                endpoint.type,
                what,
                ctx.monthly(hourly * minimum),
                ctx.monthly(hourly * maximum),
            )
        )
    return items


INFERENCE_COMPONENT = "aws-native:sagemaker:InferenceComponent"
COPY_TARGET_PREFIX = "inference-component/"


def _components_on(ctx: PricingContext, endpoint: RecordedResource) -> list[RecordedResource]:
    """The inference components placed on ``endpoint`` (they name it in ``endpointName``)."""
    return [
        component
        for component in ctx.graph.of_type(INFERENCE_COMPONENT)
        if ctx.referenced(component, "endpointName", "sagemaker/endpoint:Endpoint") is endpoint
    ]


def _copies(ctx: PricingContext, component: RecordedResource) -> tuple[float, float]:
    """(fewest, most) copies of a component: its copy-count target's bounds, else its fixed count."""
    of = f"inference component {component.name}'s"
    ctx.require_known(component, "runtimeConfig.copyCount", "inferenceComponentName", of=of)
    fixed = float((component.inputs.get("runtimeConfig") or {}).get("copyCount") or 1)
    name = component.inputs.get("inferenceComponentName") or component.outputs.get("inferenceComponentName")
    target = ctx.targets.get(f"{COPY_TARGET_PREFIX}{name}")
    if target is None:
        return fixed, fixed
    ctx.require_known(target, "minCapacity", "maxCapacity", of=f"scaling target {target.name}'s")
    return float(target.inputs.get("minCapacity", fixed)), float(target.inputs.get("maxCapacity", fixed))


def copy_share(requirements: Mapping[str, Any], instance_type: str) -> float:
    """The share of one instance a copy reserves: its largest fraction of the instance's vCPUs,
    memory or accelerators (dominant share; memory alone where the instance's sizes are unknown)."""
    from components.instance_types import INSTANCE_RESOURCES

    memory = float(requirements.get("minMemoryRequiredInMb") or 0)
    sizes = INSTANCE_RESOURCES.get(instance_type)
    if sizes is None:
        return memory
    cpus, mebibytes, devices = sizes
    fractions = [
        float(requirements.get("numberOfCpuCoresRequired") or 0) / cpus,
        memory / mebibytes,
        float(requirements.get("numberOfAcceleratorDevicesRequired") or 0) / devices if devices else 0.0,
    ]
    return max(fractions)


def _shared_instances(
    ctx: PricingContext,
    endpoint: RecordedResource,
    config: RecordedResource,
    components: list[RecordedResource],
) -> list[CostItem]:
    """An endpoint of inference components: its instances priced once, each component shown with
    its share, weighed by what its copies reserve (copies x dominant share of an instance) at the
    fewest copies for the floor and the most for the ceiling. The shares add up to the fleet."""
    items = []
    for _, variant in known_variants(ctx, config, "productionVariants"):
        instance_type = str(variant.get("instanceType"))
        hourly = ctx.prices.get("sagemaker_hosting_per_hour", instance_type)
        managed = variant.get("managedInstanceScaling") or {}
        initial = float(variant.get("initialInstanceCount") or 1)
        if managed.get("status") == "ENABLED":
            fewest = float(managed.get("minInstanceCount", initial))
            most = float(managed.get("maxInstanceCount", initial))
            how = "managed"
        else:
            fewest = most = initial
            how = "fixed"
        floor, ceiling = ctx.monthly(hourly * fewest), ctx.monthly(hourly * most)
        weights = []
        for component in components:
            # Its share of the fleet: unknown, every share is (the fleet would be split as if it were not there).
            ctx.require_known(
                component,
                "specification.computeResourceRequirements",
                of=f"inference component {component.name}'s",
            )
            spec = component.inputs.get("specification") or {}
            share = copy_share(spec.get("computeResourceRequirements") or {}, instance_type)
            low, high = _copies(ctx, component)
            weights.append((component, low * share, high * share, low, high))
        low_total = sum(w[1] for w in weights) or 1.0
        high_total = sum(w[2] for w in weights) or 1.0
        for component, low_weight, high_weight, low, high in weights:
            name = component.inputs.get("inferenceComponentName") or component.name
            what = (
                f"{name}: {low_weight / low_total:.0%}-{high_weight / high_total:.0%} of shared {instance_type} "
                f"x {fewest:g}-{most:g} ({how}), {low:g}-{high:g} copies"
            )
            items.append(
                CostItem(
                    component.name,
                    component.type,
                    what,
                    floor * low_weight / low_total,
                    ceiling * high_weight / high_total,
                )
            )
    return items


def _serverless_variant(
    ctx: PricingContext, endpoint: RecordedResource, label: str, config: Mapping[str, Any]
) -> CostItem:
    """Idle: provisioned concurrency only. Busy: every concurrent slot computing all month."""
    memory_gb = float(config.get("memorySizeInMb", 1024)) / 1024
    gb_seconds = memory_gb * ctx.prices.hours_per_month * SECONDS_PER_HOUR
    provisioned = float(config.get("provisionedConcurrency") or 0)
    concurrency = float(config.get("maxConcurrency") or 1)
    floor = (
        provisioned
        * gb_seconds
        * ctx.prices.get("sagemaker_serverless", "provisioned_concurrency_per_gb_second")
    )
    ceiling = concurrency * gb_seconds * ctx.prices.get("sagemaker_serverless", "per_gb_second")
    what = f"{label}: serverless {memory_gb:g} GB x {provisioned:g} provisioned-{concurrency:g} concurrent"
    return CostItem(endpoint.name, endpoint.type, what, floor, max(floor, ceiling))


def _mlflow(ctx: PricingContext, server: RecordedResource) -> list[CostItem]:
    ctx.require_known(server, "trackingServerSize")
    size = str(server.inputs.get("trackingServerSize") or "Small")
    monthly = ctx.monthly(ctx.prices.get("mlflow_tracking_server_per_hour", size))
    return [CostItem(server.name, server.type, f"MLflow tracking server ({size})", monthly, monthly)]


def _vpc_endpoint(ctx: PricingContext, endpoint: RecordedResource) -> list[CostItem]:
    ctx.require_known(endpoint, "vpcEndpointType", "subnetIds")
    if endpoint.inputs.get("vpcEndpointType") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) are free
    zones = len(endpoint.inputs.get("subnetIds") or []) or 1
    monthly = ctx.monthly(zones * ctx.prices.get("vpc_interface_endpoint_per_az_hour"))
    return [CostItem(endpoint.name, endpoint.type, f"interface endpoint in {zones} AZs", monthly, monthly)]


def _nat_gateway(ctx: PricingContext, gateway: RecordedResource) -> list[CostItem]:
    monthly = ctx.monthly(ctx.prices.get("nat_gateway_per_hour"))
    return [CostItem(gateway.name, gateway.type, "NAT gateway (hours only)", monthly, monthly)]


def _kms_key(ctx: PricingContext, key: RecordedResource) -> list[CostItem]:
    monthly = ctx.prices.get("kms_key_per_month")
    return [CostItem(key.name, key.type, "KMS key", monthly, monthly)]


ASSUMED_MAX_IMAGE_STORAGE_GB = 5.0
"""Ceiling of an image repository's storage: tags are immutable, so every pushed version stays
(the Evidently image is about 0.4 GB compressed: a dozen versions)."""


def _ecr_repository(ctx: PricingContext, repository: RecordedResource) -> list[CostItem]:
    per_gb = ctx.prices.get("ecr_storage_per_gb_month")
    what = f"image storage, 0-{ASSUMED_MAX_IMAGE_STORAGE_GB:g} GB (assumed ceiling)"
    return [CostItem(repository.name, repository.type, what, 0.0, ASSUMED_MAX_IMAGE_STORAGE_GB * per_gb)]


def _alarm(ctx: PricingContext, alarm: RecordedResource) -> list[CostItem]:
    """CloudWatch bills an alarm per metric it evaluates; metric math counts each metric it reads."""
    ctx.require_known(alarm, "metricQueries", "period")
    queries = alarm.inputs.get("metricQueries") or []
    metrics = [query["metric"] for query in queries if query.get("metric")] or [alarm.inputs]
    high_resolution = any(float(metric.get("period") or 60) < 60 for metric in metrics)
    key = (
        "cloudwatch_high_resolution_alarm_per_metric_month"
        if high_resolution
        else "cloudwatch_alarm_per_metric_month"
    )
    monthly = len(metrics) * ctx.prices.get(key)
    what = f"alarm on {len(metrics)} metric{'s' if len(metrics) > 1 else ''}"
    return [CostItem(alarm.name, alarm.type, what, monthly, monthly)]


def _dashboard(ctx: PricingContext, dashboard: RecordedResource) -> list[CostItem]:
    monthly = ctx.prices.get("cloudwatch_dashboard_per_month")
    return [CostItem(dashboard.name, dashboard.type, "dashboard", monthly, monthly)]


def _monitoring_schedule(ctx: PricingContext, schedule: RecordedResource) -> list[CostItem]:
    """Runs a month x instances x runtime: a typical run for the floor, the max runtime for the ceiling."""
    job_paths = ("jobResources", "monitoringResources", "stoppingCondition")
    ctx.require_known(
        schedule,
        "monitoringScheduleConfig.scheduleConfig",
        "monitoringScheduleConfig.monitoringType",
        *(f"monitoringScheduleConfig.monitoringJobDefinition.{path}" for path in job_paths),
    )
    config = schedule.inputs.get("monitoringScheduleConfig") or {}
    expression = str((config.get("scheduleConfig") or {}).get("scheduleExpression") or "")
    definition = config.get("monitoringJobDefinition")
    if definition is None:
        job = ctx.referenced(schedule, "monitoringScheduleConfig", "JobDefinition")
        if job is not None:
            ctx.require_known(job, *job_paths, of=f"job definition {job.name}'s")
        definition = job.inputs if job is not None else {}
    cluster = (definition.get("jobResources") or definition.get("monitoringResources") or {}).get(
        "clusterConfig"
    ) or {}
    instance_type = str(cluster.get("instanceType"))
    hourly = float(cluster.get("instanceCount") or 1) * ctx.prices.get(
        "sagemaker_processing_per_hour", instance_type
    )
    max_runtime = float(
        (definition.get("stoppingCondition") or {}).get("maxRuntimeInSeconds") or DEFAULT_MAX_RUNTIME_SECONDS
    )
    typical = min(TYPICAL_MONITORING_RUN_MINUTES * 60, max_runtime)
    try:
        runs = runs_per_month(expression)
    except UnsupportedSchedule as error:
        raise PriceMissing(f"schedule {expression!r}: {error}") from error
    what = f"{config.get('monitoringType') or 'monitoring'} job on {instance_type}, {runs:.0f} runs/month"
    return [
        CostItem(
            schedule.name,
            schedule.type,
            what,
            runs * hourly * typical / SECONDS_PER_HOUR,
            runs * hourly * max_runtime / SECONDS_PER_HOUR,
        )
    ]


def _scheduled_pipeline(ctx: PricingContext, schedule: RecordedResource) -> list[CostItem]:
    """A Scheduler schedule starting a SageMaker pipeline, runs a month x what a run bills: its
    Transform steps' instances x an assumed run time (batch transform bills instance-seconds at the
    hosting rate), and its processing steps at the processing rate, a typical run for the floor and
    the step's MaxRuntimeInSeconds for the ceiling; of a Condition, the branch whose steps bill more
    at most (a run takes one). A processing step without a runtime limit or a price becomes an
    unpriced line; the rest stays priced."""
    # Imported here: planner.training_cost reads this module's price table and errors.
    from planner.training_cost import parameter_defaults, processing_steps

    pipeline = ctx.referenced(schedule, "target", "sagemaker/pipeline:Pipeline")
    if pipeline is None:
        return []
    ctx.require_known(pipeline, "pipelineDefinition", of=f"pipeline {pipeline.name}'s")
    ctx.require_known(schedule, "scheduleExpression", "target.sagemakerPipelineParameters")
    try:
        definition = json.loads(str(pipeline.inputs.get("pipelineDefinition") or "{}"))
    except ValueError:
        return []
    steps = definition.get("Steps") or []
    parameters = {**parameter_defaults(definition), **_schedule_parameters(schedule)}
    path = _costliest_run(steps, parameters, ctx.prices)
    # Every branch's unpriced steps: a run may take the branch the ceiling did not.
    unpriced = [
        f"processing step {step.step}: {step.unpriced}"
        for step in processing_steps(steps, parameters, ctx.prices)
        if step.unpriced
    ]
    if not path and not unpriced:
        return []
    expression = str(schedule.inputs.get("scheduleExpression") or "")
    try:
        runs = runs_per_month(expression)
    except UnsupportedSchedule as error:
        raise PriceMissing(f"schedule {expression!r}: {error}") from error
    if unpriced:
        ctx.partly_unpriced.setdefault(schedule.urn, []).extend(unpriced)
    return [
        CostItem(
            schedule.name,
            schedule.type,
            f"{step.what}, {runs:.0f} runs/month",
            runs * step.typical_per_run,
            runs * step.max_per_run,
        )
        for step in path
    ]


@dataclass(frozen=True)
class _RunStep:
    """What one step of a scheduled pipeline's run bills: a typical run and at most."""

    what: str
    typical_per_run: float
    max_per_run: float


def _costliest_run(steps: list[Any], parameters: Mapping[str, Any], prices: PriceTable) -> list[_RunStep]:
    """The priced Transform and processing steps one run takes at most cost: every step, and of each
    Condition the branch whose steps bill more at most. A Transform step without a hosting price
    raises :class:`PriceMissing` (the schedule is unpriced); a processing step without one is left
    out here and listed by its caller."""
    from planner.training_cost import (
        PROCESSING_PRICES,
        PROCESSING_STEP_TYPES,
        as_object,
        costliest_path_of,
        processing_step_cost,
        resolved,
    )

    def price(step: Mapping[str, Any]) -> _RunStep | None:
        kind = step.get("Type")
        if kind == "Transform":
            resources = as_object(as_object(step.get("Arguments")).get("TransformResources"))
            instance_type = str(resolved(resources.get("InstanceType"), parameters))
            count = float(resolved(resources.get("InstanceCount"), parameters) or 1)
            hourly = count * prices.get("sagemaker_hosting_per_hour", instance_type)
            return _RunStep(
                f"batch transform on {instance_type} x {count:g}",
                hourly * TYPICAL_TRANSFORM_RUN_MINUTES / 60,
                hourly * ASSUMED_MAX_TRANSFORM_RUN_MINUTES / 60,
            )
        if kind not in PROCESSING_STEP_TYPES:
            return None
        cost = processing_step_cost(step, parameters, prices)
        if cost.max_per_run is None or cost.max_runtime_seconds is None:
            return None  # unpriced: its caller lists it with its reason
        hourly = cost.instance_count * prices.get(PROCESSING_PRICES, cost.instance_type)
        typical = min(TYPICAL_BATCH_PROCESSING_RUN_MINUTES * 60, cost.max_runtime_seconds)
        return _RunStep(
            f"processing step {cost.step} on {cost.instance_type} x {cost.instance_count}",
            hourly * typical / SECONDS_PER_HOUR,
            hourly * cost.max_runtime_seconds / SECONDS_PER_HOUR,
        )

    return costliest_path_of(steps, price, lambda step: step.max_per_run)


def _schedule_parameters(schedule: RecordedResource) -> dict[str, Any]:
    """The pipeline parameters a schedule starts its runs with (they override the defaults)."""
    target = schedule.inputs.get("target") or {}
    given = (target.get("sagemakerPipelineParameters") or {}).get("pipelineParameters") or []
    return {parameter.get("name"): parameter.get("value") for parameter in given}


def _trail_categories(trail: RecordedResource) -> set[str]:
    """The event categories a trail's advanced selectors record; without any, its basic
    ``eventSelectors`` (management events unless each turns them off, data events where one names
    data resources); without either (an empty or absent list), management only. A selector in the
    list the plan cannot read (unknown until deployment, or not a map) may record either: both are
    priced, and so are a whole list and a field selector's field or value unknown until deployment."""
    every = {"Management", "Data"}
    selectors = trail.inputs.get("advancedEventSelectors") or []
    if not isinstance(selectors, list):
        return every
    if not selectors:
        basic = trail.inputs.get("eventSelectors") or []
        if not isinstance(basic, list) or not all(isinstance(selector, dict) for selector in basic):
            return every
        if not basic:
            return {"Management"}
        categories = set()
        if any(selector.get("includeManagementEvents", True) is not False for selector in basic):
            categories.add("Management")
        if any(selector.get("dataResources") for selector in basic):
            categories.add("Data")
        return categories
    categories = set()
    for selector in selectors:
        field_selectors = selector.get("fieldSelectors") if isinstance(selector, dict) else None
        if not isinstance(field_selectors, list):
            return every
        for field_selector in field_selectors:
            if not isinstance(field_selector, dict) or not isinstance(field_selector.get("field"), str):
                return every
            if field_selector["field"] == UNKNOWN:
                return every  # it may be eventCategory
            if field_selector["field"] != "eventCategory":
                continue
            values = field_selector.get("equals")
            if not isinstance(values, list) or not all(isinstance(v, str) and v != UNKNOWN for v in values):
                return every
            categories.update(values)
    return categories


def _trail(ctx: PricingContext, trail: RecordedResource) -> list[CostItem]:
    """Management events: the account's first copy is free (assumed: no other trail records them).
    Data events: $0 without object traffic, up to the assumed monthly ceiling."""
    categories = _trail_categories(ctx.as_recorded(trail))
    items = []
    if "Management" in categories:
        items.append(CostItem(trail.name, trail.type, "management events (first copy: free)", 0.0, 0.0))
    if "Data" in categories:
        ceiling = ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH
        per_100k = ctx.prices.get("cloudtrail_data_events_per_100k")
        what = f"data events, 0-{ceiling / 1e6:g}M a month (assumed ceiling)"
        items.append(CostItem(trail.name, trail.type, what, 0.0, ceiling / 100_000 * per_100k))
    return items


PRICERS: Mapping[str, Pricer] = {
    "aws:sagemaker/endpoint:Endpoint": _endpoint,
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": _mlflow,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:kms/key:Key": _kms_key,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": _monitoring_schedule,
    "aws-native:sagemaker:MonitoringSchedule": _monitoring_schedule,
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:scheduler/schedule:Schedule": _scheduled_pipeline,
}
"""What bills by the hour or month regardless of use (and CloudTrail data events, at an assumed
ceiling); every other type is free or usage-based."""
