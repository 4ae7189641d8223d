"""What one run of each training pipeline may cost: its training (or tuning) step and its processing
jobs at list prices.

A run is started by a schedule, new data, a drift alarm or a person, so it is priced per run, not
per month, and stays out of the monthly totals. The ceiling bills every training job its full
``MaxRuntimeInSeconds`` on every instance at the on-demand rate (managed spot bills less, by an
amount the plan cannot know). A Tune step (hyperparameter tuning) starts up to
``MaxNumberOfTrainingJobs`` training jobs (Grid, which takes no limit: one per combination of
its categorical values), so its ceiling is that many jobs; running them
``MaxParallelTrainingJobs`` at a time changes how long the step may take (the run's wall time),
not what it bills.

The run's processing jobs (features, preprocessing, evaluation, reports, baselines) are priced
apart, per pipeline (:class:`ProcessingRunCost`): each job its ``MaxRuntimeInSeconds`` on its
instances at the processing rate, a Condition's costlier branch (a run takes one).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from components.training.definition import iter_steps
from planner.pricing import SECONDS_PER_HOUR, PriceMissing, PriceTable
from planner.recorder import ResourceGraph

PIPELINE_TYPE = "aws:sagemaker/pipeline:Pipeline"
TRAINING_PRICES = "sagemaker_training_per_hour"
PROCESSING_PRICES = "sagemaker_processing_per_hour"
TRAINING_STEP_TYPES = ("Training", "Tuning")
PROCESSING_STEP_TYPES = ("Processing", "QualityCheck", "ClarifyCheck")
"""Step types that run a SageMaker processing job (a check step runs the baselining job)."""
DEFAULT_TRAINING_MAX_RUNTIME_SECONDS = 86_400
"""A training job's ``StoppingCondition.MaxRuntimeInSeconds`` when unset: "The default value is 1
day" (SageMaker API), so a job without one may bill a day."""


@dataclass(frozen=True)
class TrainingRunCost:
    """The training step of one pipeline run: what it bills at most and how long it may take."""

    pipeline: str
    """The pipeline resource's name."""
    step: str
    step_type: str
    """``Training`` (one job) or ``Tuning`` (up to ``jobs`` jobs)."""
    instance_type: str
    instance_count: int
    jobs: int
    parallel_jobs: int
    max_runtime_seconds: int
    spot: bool
    max_per_run: float | None
    """None when the price table lacks the instance type (``unpriced`` says why)."""
    max_wall_seconds: int
    """Waves of parallel jobs x each job's limit (with spot: its wait limit, which includes waiting
    for capacity), or a Tuning step's own MaxRuntimeInSeconds when shorter: how long the step may
    hold up the run."""
    unpriced: str | None = None

    def what(self) -> str:
        jobs = (
            f"{self.jobs} training jobs ({self.parallel_jobs} at a time)"
            if self.step_type == "Tuning"
            else "1 training job"
        )
        spot = ", managed spot" if self.spot else ""
        return (
            f"{self.step}: {jobs} on {self.instance_type} x {self.instance_count}, at most "
            f"{self.max_runtime_seconds / SECONDS_PER_HOUR:g} h each{spot}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "step": self.step,
            "step_type": self.step_type,
            "instance_type": self.instance_type,
            "instance_count": self.instance_count,
            "jobs": self.jobs,
            "parallel_jobs": self.parallel_jobs,
            "max_runtime_seconds": self.max_runtime_seconds,
            "spot": self.spot,
            "max_per_run": self.max_per_run,
            "max_wall_seconds": self.max_wall_seconds,
            "unpriced": self.unpriced,
        }


@dataclass(frozen=True)
class ProcessingStepCost:
    """One processing step of a run: what its job bills at most."""

    step: str
    step_type: str
    instance_type: str
    instance_count: int
    max_runtime_seconds: int | None
    """None when the step sets no ``StoppingCondition``: no ceiling to price."""
    max_per_run: float | None
    unpriced: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "step_type": self.step_type,
            "instance_type": self.instance_type,
            "instance_count": self.instance_count,
            "max_runtime_seconds": self.max_runtime_seconds,
            "max_per_run": self.max_per_run,
            "unpriced": self.unpriced,
        }


@dataclass(frozen=True)
class ProcessingRunCost:
    """The processing jobs of one run of a training pipeline."""

    pipeline: str
    steps: tuple[ProcessingStepCost, ...]
    max_per_run: float
    """The priced steps, of each Condition the costlier branch: a lower bound when any is unpriced."""

    @property
    def unpriced(self) -> tuple[str, ...]:
        """Each reason a step is unpriced, with the steps it leaves out (in the run's order)."""
        steps_of: dict[str, list[str]] = {}
        for step in self.steps:
            if step.unpriced:
                steps_of.setdefault(step.unpriced, []).append(step.step)
        return tuple(f"{reason} ({', '.join(steps)})" for reason, steps in steps_of.items())

    def what(self) -> str:
        jobs = ", ".join(
            f"{step.step} on {step.instance_type}"
            + (f" x {step.instance_count}" if step.instance_count > 1 else "")
            for step in self.steps
        )
        count = len(self.steps)
        return f"{count} processing job{'' if count == 1 else 's'} ({jobs})"

    def to_json(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "max_per_run": self.max_per_run,
            "unpriced": list(self.unpriced),
            "steps": [step.to_json() for step in self.steps],
        }


def resolved(value: Any, parameters: Mapping[str, Any]) -> Any:
    """A ``{"Get": "Parameters.X"}`` reference as the parameter's default (what a run uses unless
    it overrides it)."""
    if isinstance(value, Mapping) and isinstance(value.get("Get"), str):
        name = value["Get"].removeprefix("Parameters.")
        return parameters.get(name)
    return value


def whole(value: Any, parameters: Mapping[str, Any], default: int) -> int | None:
    """A count or a number of seconds: ``default`` when the definition leaves it unset; a parameter
    reference read as its default (:func:`resolved`); None when it is set but the plan cannot read
    it (a step's output, a parameter without a default, anything but a finite number of at least 1),
    so no ceiling is priced from a guess."""
    if value is None:
        return default
    value = resolved(value, parameters)
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number >= 1 else None


def _definitions(graph: ResourceGraph) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(pipeline name, definition, parameter defaults)`` of every pipeline whose definition parses."""
    for pipeline in graph.of_type(PIPELINE_TYPE):
        try:
            definition = json.loads(str(pipeline.inputs.get("pipelineDefinition") or "{}"))
        except ValueError:
            continue
        if not isinstance(definition, dict):
            continue
        yield pipeline.name, definition, parameter_defaults(definition)


def parameter_defaults(definition: Mapping[str, Any]) -> dict[str, Any]:
    """Each pipeline parameter's default: what a run uses unless it overrides it."""
    defaults: dict[str, Any] = {}
    for p in definition.get("Parameters") or []:
        # References name parameters with strings (resolved): a parameter named otherwise is never read.
        if isinstance(p, dict) and isinstance(name := p.get("Name"), str):
            defaults[name] = p.get("DefaultValue")
    return defaults


def _trains(definition: dict[str, Any]) -> bool:
    return any(step.get("Type") in TRAINING_STEP_TYPES for step in iter_steps(definition.get("Steps") or []))


def training_run_costs(graph: ResourceGraph, prices: PriceTable) -> tuple[TrainingRunCost, ...]:
    costs = []
    for name, definition, parameters in _definitions(graph):
        for step in iter_steps(definition.get("Steps") or []):
            if step.get("Type") in TRAINING_STEP_TYPES:
                costs.append(_step_cost(name, step, parameters, prices))
    return tuple(costs)


def processing_run_costs(graph: ResourceGraph, prices: PriceTable) -> tuple[ProcessingRunCost, ...]:
    """Per training pipeline (one with a Training or Tuning step) that runs processing jobs."""
    costs = []
    for name, definition, parameters in _definitions(graph):
        if not _trains(definition):
            continue
        steps, ceiling = processing_ceiling(definition.get("Steps") or [], parameters, prices)
        if steps:
            costs.append(ProcessingRunCost(pipeline=name, steps=tuple(steps), max_per_run=round(ceiling, 2)))
    return tuple(costs)


def processing_steps(
    steps: list[dict[str, Any]], parameters: Mapping[str, Any], prices: PriceTable
) -> list[ProcessingStepCost]:
    """Every processing step of ``steps``, both branches of each Condition (a run may take either)."""
    return [
        processing_step_cost(step, parameters, prices)
        for step in iter_steps(steps)
        if step.get("Type") in PROCESSING_STEP_TYPES
    ]


def processing_ceiling(
    steps: list[dict[str, Any]], parameters: Mapping[str, Any], prices: PriceTable
) -> tuple[list[ProcessingStepCost], float]:
    """The processing steps of ``steps`` (:func:`processing_steps`) and what a run of them bills at
    most: the priced steps of its costliest path."""
    return (
        processing_steps(steps, parameters, prices),
        sum(step.max_per_run or 0.0 for step in costliest_path(steps, parameters, prices)),
    )


T = TypeVar("T")


def costliest_path_of(
    steps: Iterable[Any], price: Callable[[Mapping[str, Any]], T | None], ceiling: Callable[[T], float]
) -> list[T]:
    """The priced steps one run takes at most cost: every step ``price`` prices (None: not priced),
    and of each Condition the branch whose priced steps' ``ceiling`` sums higher (a run takes one
    branch). Reads any definition: what is not an object is no step, a Condition without branches
    has none."""
    path: list[T] = []
    for step in steps:
        if not isinstance(step, Mapping):
            continue
        if step.get("Type") == "Condition":
            arguments = as_object(step.get("Arguments"))
            branches = [
                costliest_path_of(as_list(arguments.get(branch)), price, ceiling)
                for branch in ("IfSteps", "ElseSteps")
            ]
            path.extend(max(branches, key=lambda branch: sum(ceiling(s) for s in branch)))
        elif (priced := price(step)) is not None:
            path.append(priced)
    return path


def costliest_path(
    steps: list[dict[str, Any]], parameters: Mapping[str, Any], prices: PriceTable
) -> list[ProcessingStepCost]:
    """The processing steps one run takes at most cost (:func:`costliest_path_of`)."""
    return costliest_path_of(
        steps,
        lambda step: (
            processing_step_cost(step, parameters, prices)
            if step.get("Type") in PROCESSING_STEP_TYPES
            else None
        ),
        lambda step: step.max_per_run or 0.0,
    )


def as_object(value: Any) -> Mapping[str, Any]:
    """``value`` when it is an object, else an empty one: a definition the plan did not build may
    hold anything where an object belongs, and the estimate reads it as unset."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def processing_step_cost(
    step: Mapping[str, Any], parameters: Mapping[str, Any], prices: PriceTable
) -> ProcessingStepCost:
    arguments = as_object(step.get("Arguments"))
    cluster = as_object(as_object(arguments.get("ProcessingResources")).get("ClusterConfig"))
    instance_type = str(resolved(cluster.get("InstanceType"), parameters))
    count = whole(cluster.get("InstanceCount"), parameters, 1)
    limit = as_object(arguments.get("StoppingCondition")).get("MaxRuntimeInSeconds")
    runtime = whole(limit, parameters, 0) or None
    per_run, unpriced = None, None
    if limit is None:
        unpriced = "no StoppingCondition.MaxRuntimeInSeconds: the job has no ceiling to price"
    elif runtime is None or count is None:
        unpriced = _UNREADABLE
    else:
        try:
            per_run = round(
                count * prices.get(PROCESSING_PRICES, instance_type) * runtime / SECONDS_PER_HOUR, 2
            )
        except PriceMissing as error:
            unpriced = str(error)
    return ProcessingStepCost(
        step=str(step.get("Name")),
        step_type=str(step.get("Type")),
        instance_type=instance_type,
        instance_count=count or 1,
        max_runtime_seconds=runtime,
        max_per_run=per_run,
        unpriced=unpriced,
    )


_UNREADABLE = "an instance count, job count or time limit set by what the plan cannot read (a step's output, a parameter without a default): no ceiling to price"


def _step_cost(
    pipeline: str, step: Mapping[str, Any], parameters: Mapping[str, Any], prices: PriceTable
) -> TrainingRunCost:
    arguments = as_object(step.get("Arguments"))
    jobs_read: int | None = 1
    parallel_read: int | None = 1
    unset_jobs = False
    whole_limit = 0
    if step["Type"] == "Tuning":
        config = as_object(arguments.get("HyperParameterTuningJobConfig"))
        limits = as_object(config.get("ResourceLimits"))
        if config.get("Strategy") == "Grid":
            # Grid takes no MaxNumberOfTrainingJobs: it runs every combination of the values.
            categorical = as_list(as_object(config.get("ParameterRanges")).get("CategoricalParameterRanges"))
            jobs_read = math.prod(len(as_list(as_object(r).get("Values"))) for r in categorical) or 1
        elif limits.get("MaxNumberOfTrainingJobs") is None:
            # No documented default: such a search runs jobs until its completion criteria or quota.
            unset_jobs = True
        else:
            jobs_read = whole(limits.get("MaxNumberOfTrainingJobs"), parameters, 1)
        parallel_read = whole(limits.get("MaxParallelTrainingJobs"), parameters, 1)
        whole_limit = whole(limits.get("MaxRuntimeInSeconds"), parameters, 0) or 0  # caps the wall time only
        arguments = as_object(arguments.get("TrainingJobDefinition"))
    resources = as_object(arguments.get("ResourceConfig"))
    stopping = as_object(arguments.get("StoppingCondition"))
    instance_type = str(resolved(resources.get("InstanceType"), parameters))
    count_read = whole(resources.get("InstanceCount"), parameters, 1)
    runtime_read = whole(
        stopping.get("MaxRuntimeInSeconds"), parameters, DEFAULT_TRAINING_MAX_RUNTIME_SECONDS
    )
    spot = bool(arguments.get("EnableManagedSpotTraining"))
    count, runtime = count_read or 1, runtime_read or DEFAULT_TRAINING_MAX_RUNTIME_SECONDS
    jobs = jobs_read or 1
    parallel = min(parallel_read or 1, jobs)
    wall_read = whole(stopping.get("MaxWaitTimeInSeconds"), parameters, runtime) if spot else runtime
    waves = math.ceil(jobs / parallel) * (wall_read or runtime)
    unpriced, per_run = None, None
    if unset_jobs:
        unpriced = "MaxNumberOfTrainingJobs is unset: the search runs jobs until its completion criteria or quota stop it"
    elif None in (jobs_read, parallel_read, count_read, runtime_read, wall_read):
        unpriced = _UNREADABLE
    else:
        try:
            hourly = prices.get(TRAINING_PRICES, instance_type)
            per_run = round(jobs * count * hourly * runtime / SECONDS_PER_HOUR, 2)
        except PriceMissing as error:
            unpriced = str(error)
    return TrainingRunCost(
        pipeline=pipeline,
        step=str(step.get("Name")),
        step_type=step["Type"],
        instance_type=instance_type,
        instance_count=count,
        jobs=jobs,
        parallel_jobs=parallel,
        max_runtime_seconds=runtime,
        spot=spot,
        max_per_run=per_run,
        max_wall_seconds=min(waves, whole_limit) if whole_limit else waves,
        unpriced=unpriced,
    )
