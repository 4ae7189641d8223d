"""The monthly cost of a planned stack, at list prices: a floor (minimum capacity) and a ceiling.

Only what bills by the hour or month whether or not anyone uses it is priced: endpoint instances,
interface endpoints, KMS keys, the MLflow server, alarms, dashboards, monitoring jobs and batch
pipeline runs (their transform and processing steps), which run on a schedule; and CloudTrail data
events, from $0 up to a stated ceiling. Usage-based charges (S3, training runs, feature-store
traffic, logs, requests) are listed as exclusions rather than guessed. Prices come from
``planner/data/prices.json``, a dated table of list prices per region. A resource that should be priced but cannot be (an
instance type the table lacks, a region it does not cover, an input it prices unknown until
deployment) becomes a visible *unpriced* line, so a total is never silently low.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.pricing import (
    ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH,
    ASSUMED_MAX_TRANSFORM_RUN_MINUTES,
    PRICERS,
    PRICES_PATH,
    TYPICAL_BATCH_PROCESSING_RUN_MINUTES,
    TYPICAL_MONITORING_RUN_MINUTES,
    TYPICAL_TRANSFORM_RUN_MINUTES,
    CostItem,
    PriceMissing,
    PriceTable,
    PricingContext,
    load_prices,
)
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph, known_inputs
from planner.training_cost import ProcessingRunCost, TrainingRunCost, processing_run_costs, training_run_costs
from stacks.project import platform_map

__all__ = [
    "PRICES_PATH",
    "ComponentCost",
    "CostEstimate",
    "CostItem",
    "PriceTable",
    "ProcessingRunCost",
    "TrainingRunCost",
    "Unpriced",
    "estimate_cost",
]

DEFAULT_REGION = "eu-west-1"
STACK_LEVEL = "(stack)"
PIPELINE_TYPE = "aws:sagemaker/pipeline:Pipeline"


@dataclass(frozen=True)
class Unpriced:
    """A resource that bills but could not be priced: shown, and left out of the totals."""

    resource: str
    type: str
    component: str
    reason: str
    in_totals: bool = True
    """Whether the monthly totals would hold it (a training pipeline's per-run cost never does): where
    one does, they are a lower bound."""


@dataclass(frozen=True)
class ComponentCost:
    type: str
    items: tuple[CostItem, ...]

    @property
    def monthly_min(self) -> float:
        return round(sum(item.monthly_min for item in self.items), 2)

    @property
    def monthly_max(self) -> float:
        return round(sum(item.monthly_max for item in self.items), 2)

    def summary(self) -> str:
        """Items described once with a count: ``11 x interface endpoint in 3 AZs``."""
        counts = Counter(item.what for item in self.items)
        return "; ".join(what if count == 1 else f"{count} x {what}" for what, count in counts.items())


@dataclass(frozen=True)
class CostEstimate:
    currency: str
    region: str
    by_component: Mapping[str, ComponentCost]
    unpriced: tuple[Unpriced, ...]
    assumptions: tuple[str, ...]
    price_table_date: str
    training_runs: tuple[TrainingRunCost, ...] = ()
    """Each training pipeline's training (or tuning) step, per run: outside the monthly totals."""
    processing_runs: tuple[ProcessingRunCost, ...] = ()
    """Each training pipeline's processing jobs, per run: outside the monthly totals."""

    @property
    def monthly_min(self) -> float:
        return round(sum(component.monthly_min for component in self.by_component.values()), 2)

    @property
    def monthly_max(self) -> float:
        return round(sum(component.monthly_max for component in self.by_component.values()), 2)

    @property
    def unpriced_in_totals(self) -> int:
        """The resources with an unpriced line the monthly totals would hold: while any, they are a
        lower bound (a resource may have several lines: an endpoint's variants)."""
        return len({(u.resource, u.type) for u in self.unpriced if u.in_totals})

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "monthly_min": self.monthly_min,
            "monthly_max": self.monthly_max,
            "by_component": {
                name: {
                    "type": component.type,
                    "monthly_min": component.monthly_min,
                    "monthly_max": component.monthly_max,
                    "items": [
                        {
                            "resource": item.resource,
                            "type": item.type,
                            "what": item.what,
                            "monthly_min": item.monthly_min,
                            "monthly_max": item.monthly_max,
                        }
                        for item in component.items
                    ],
                }
                for name, component in self.by_component.items()
            },
            "unpriced": [
                {
                    "resource": u.resource,
                    "type": u.type,
                    "component": u.component,
                    "reason": u.reason,
                    "in_totals": u.in_totals,
                }
                for u in self.unpriced
            ],
            "assumptions": list(self.assumptions),
            "price_table_date": self.price_table_date,
            "training_runs": [run.to_json() for run in self.training_runs],
            "processing_runs": [run.to_json() for run in self.processing_runs],
        }


def _top_component(ctx: PricingContext, resource: RecordedResource) -> RecordedResource | None:
    """The component directly under the stack that (transitively) contains ``resource``."""
    top = None
    parent = ctx.by_urn.get(resource.parent or "")
    while parent is not None and parent.type != STACK_TYPE:
        if not parent.custom:
            top = parent
        parent = ctx.by_urn.get(parent.parent or "")
    return top


def stack_region(graph: ResourceGraph) -> str | None:
    region = platform_map(graph.config).get("region")
    return region if isinstance(region, str) else None


def estimate_cost(graph: ResourceGraph, prices: PriceTable | None = None) -> CostEstimate:
    """Price ``graph`` at ``prices`` (by default the table's prices for the stack's region). The
    pricers read the graph through :func:`~planner.recorder.known_inputs`; an input they price that
    is unknown until deployment (a production variant, its instance type or count, a scaling bound,
    a pipeline definition) is an unpriced line naming it, never priced as unset or at $0."""
    recorded, graph = graph, known_inputs(graph)
    region = stack_region(graph)
    prices = prices or load_prices(region or DEFAULT_REGION)
    ctx = PricingContext(graph, prices, recorded=recorded)
    items: dict[str, list[CostItem]] = {}
    types: dict[str, str] = {}
    unpriced: list[Unpriced] = []
    for resource in graph:
        pricer = PRICERS.get(resource.type)
        if pricer is None:
            continue
        component = _top_component(ctx, resource)
        name = component.name if component else STACK_LEVEL
        types[name] = component.type if component else STACK_TYPE
        ctx.pricing = resource.urn
        try:
            priced = pricer(ctx, resource)
        except PriceMissing as error:
            ctx.partly_unpriced.pop(resource.urn, None)
            unpriced.append(Unpriced(resource.name, resource.type, name, str(error)))
            continue
        rounded = [
            CostItem(i.resource, i.type, i.what, round(i.monthly_min, 2), round(i.monthly_max, 2))
            for i in priced
        ]
        if rounded:
            items.setdefault(name, []).extend(rounded)
        for reason in ctx.partly_unpriced.pop(resource.urn, []):
            unpriced.append(Unpriced(resource.name, resource.type, name, reason))
    for pipeline in graph.of_type(PIPELINE_TYPE):
        unknown = ctx.unknown(pipeline, "pipelineDefinition")
        if unknown:
            component = _top_component(ctx, pipeline)
            # Per run, outside the monthly totals (training_runs): they are no lower bound for it.
            reason = (
                f"training and processing runs (per run): {', '.join(unknown)} unknown until deployment: "
                "not priced (per run, outside the monthly totals)"
            )
            where = component.name if component else STACK_LEVEL
            unpriced.append(Unpriced(pipeline.name, pipeline.type, where, reason, in_totals=False))
    by_component = {
        name: ComponentCost(types[name], tuple(sorted(found, key=lambda i: (i.resource, i.type, i.what))))
        for name, found in sorted(
            items.items(), key=lambda pair: (-sum(i.monthly_max for i in pair[1]), pair[0])
        )
    }
    return CostEstimate(
        currency=prices.currency,
        region=prices.region,
        by_component=by_component,
        unpriced=tuple(unpriced),
        assumptions=tuple(_assumptions(graph, prices, region) + ctx.notes),
        price_table_date=prices.compiled,
        training_runs=training_run_costs(graph, prices),
        processing_runs=processing_run_costs(graph, prices),
    )


def _athena_note(workgroup: RecordedResource, prices: PriceTable) -> str:
    """Athena bills per query (data scanned), so a workgroup costs nothing at rest; its cutoff caps a query."""
    cutoff = (workgroup.inputs.get("configuration") or {}).get("bytesScannedCutoffPerQuery")
    try:
        per_tb = prices.get("athena_per_tb_scanned")
    except PriceMissing:
        return f"Athena workgroup {workgroup.name}: usage-based (per TB scanned), not priced for {prices.region}."
    cap = (
        f"; a query scanning more than {cutoff / 1024**3:g} GiB is cancelled, so one costs at most "
        f"${cutoff / 1024**4 * per_tb:,.2f}"
        if isinstance(cutoff, (int, float))
        else "; no per-query cutoff"
    )
    return (
        f"Athena workgroup {workgroup.name}: ${per_tb:g} per TB scanned (10 MB minimum per query), one query "
        f"per training run reading a feature group, not in min/max (runs are usage-based){cap}."
    )


def _assumptions(graph: ResourceGraph, prices: PriceTable, region: str | None) -> list[str]:
    source = (
        f"List prices for {prices.region} from planner/data/prices.json (compiled {prices.compiled}): on-demand, "
        "no Savings Plans, no free tier, before tax. Refresh them before budgeting."
        if prices.prices
        else f"planner/data/prices.json has no prices for {prices.region}: every resource it prices is "
        "unpriced and the totals are $0; add the region's list prices for an estimate (the file's "
        "`refresh` says how, with AWS credentials; docs/cost.md, Prices)."
    )
    notes = [
        source,
        f"A month is {prices.hours_per_month:g} hours.",
        "min: every endpoint variant at its minimum capacity, scheduled scaling applied as a time-weighted "
        "average over a year (cron actions to the hour; time zones and daylight saving ignored); async "
        "variants at 0 instances and serverless without provisioned concurrency cost $0 while idle.",
        "max: every variant at its maximum capacity (the largest of the scaling target's and the scheduled "
        "actions' maxima) all month; serverless at max concurrency, busy all month.",
        f"Monitoring jobs: runs a month from the schedule x instances x runtime; min assumes a typical "
        f"{TYPICAL_MONITORING_RUN_MINUTES}-minute run, max the job's max runtime.",
        "Batch scoring (a Scheduler schedule starting a pipeline's Transform steps): runs a month from the "
        f"schedule x instances at the hosting rate x runtime; min assumes a {TYPICAL_TRANSFORM_RUN_MINUTES}-minute "
        f"run, max {ASSUMED_MAX_TRANSFORM_RUN_MINUTES} minutes (a transform job has no runtime limit to read); "
        "of a Condition's branches, the one whose Transform and processing steps bill more at most.",
        "The scheduled pipeline's processing steps (the Evidently report, publishing its metrics): runs a month "
        "x instances at the processing rate x runtime; min assumes a "
        f"{TYPICAL_BATCH_PROCESSING_RUN_MINUTES}-minute run (at most the step's limit), max its "
        "MaxRuntimeInSeconds; a step without a runtime limit or a price is listed as unpriced.",
        "Training runs (training_runs, per run, outside the monthly totals: how often a pipeline runs "
        "follows its triggers and people): at most every job's MaxRuntimeInSeconds (unset: SageMaker's "
        "default of a day) on every instance at "
        "the on-demand training rate (managed spot bills less); a Tune step runs up to "
        "MaxNumberOfTrainingJobs jobs, so it costs that many times one job, and MaxParallelTrainingJobs "
        "sets the waves of jobs (the step's longest wall time), not the bill. A count or limit given as a "
        "pipeline parameter is read as its default (a run that overrides it may exceed the ceiling); one "
        "the plan cannot read, and a search without MaxNumberOfTrainingJobs, leave the step unpriced.",
        "Processing in a training run (processing_runs, per run, outside the monthly totals): at most each "
        "processing job's MaxRuntimeInSeconds on its instances at the processing rate; of a Condition's "
        "branches the costlier (a run takes one); a step without a runtime limit or a price is listed as "
        "unpriced and the run's figure is then a lower bound.",
        "CloudWatch alarms: per metric evaluated (metric math counts each metric it reads).",
        "KMS: per key-month; the first two rotations add $1/month each (not included); API requests excluded.",
        "Excluded, usage-based: S3 storage and requests; training jobs and unscheduled pipeline runs; feature store "
        "reads, writes and storage; endpoint data processing and ML storage volumes; CloudWatch Logs "
        "(flow logs) ingestion and storage; interface-endpoint data processing; SNS, SQS, EventBridge "
        "and Pipes requests (negligible at platform volumes).",
    ]
    if region is None:
        notes.append(f"The stack names no region; priced at {prices.region} list prices.")
    if any(resource.type.startswith(("aws:budgets/", "aws:costexplorer/")) for resource in graph):
        notes.append(
            "Cost guardrails: a budget without actions, Cost Anomaly Detection and cost-allocation tags "
            "bill nothing; the Cost Explorer API requests `pulumi up` makes for them ($0.01 each) are excluded."
        )
    if graph.of_type("aws:cloudtrail/trail:Trail"):
        notes.append(
            "CloudTrail: management events are the account's first copy, free (a second trail recording "
            "them bills $2.00 per 100,000: point audit_trail.existing_organization_trail at the one that "
            "does); data events $0 at min, at max an assumed "
            f"{ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH / 1e6:g} million S3 object events a month per trail."
        )
    for workgroup in graph.of_type("aws:athena/workgroup:Workgroup"):
        notes.append(_athena_note(workgroup, prices))
    if graph.of_type("aws-native:sagemaker:InferenceComponent"):
        notes.append(
            "Shared endpoints (inference components): the instances are priced once, min at managed instance "
            "scaling's minimum, max at its maximum; each component's line is its share, weighed by what its "
            "copies reserve (copies x the largest fraction of an instance's vCPUs, memory or GPUs one copy "
            "reserves), at its fewest copies for min and its most for max. The shares add up to the fleet."
        )
    if any(resource.type.startswith("kubernetes:") for resource in graph):
        notes.append("Kubernetes serving runs on an existing EKS cluster's nodes: not priced here.")
    return notes
