"""Hyperparameter tuning of a family's training: the settings the pipeline builder takes and the
rules SageMaker applies to a ``CreateHyperParameterTuningJob`` request, in one place.

The stack's ``models[].training.tuning`` (``training_spec.TuningSpec``) and the builder's
``TrainingPipelineSettings.tuning`` are both checked by :func:`tuning_problems`, so a stack file and
a direct caller get the same answer, each problem located at the key to change. Sources of the
rules: botocore's ``sagemaker`` service model (shapes ``ParameterRanges``, ``ResourceLimits``,
``HyperParameterScalingType``, ``HyperbandStrategyConfig``, ``HyperParameterTuningJobConfig``) and
the developer guide's "Define Hyperparameter Ranges" and "Tuning strategies" pages; the quotas are
the service's default quotas for tuning jobs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, get_args

from ..limits import listed

TuningStrategy = Literal["Bayesian", "Random", "Hyperband", "Grid"]
STRATEGIES: tuple[str, ...] = get_args(TuningStrategy)
ObjectiveType = Literal["Maximize", "Minimize"]
OBJECTIVE_TYPES: tuple[str, ...] = get_args(ObjectiveType)
ScalingType = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]
SCALING_TYPES: tuple[str, ...] = get_args(ScalingType)
EarlyStopping = Literal["Off", "Auto"]
EARLY_STOPPING: tuple[str, ...] = get_args(EarlyStopping)
RangeKind = Literal["continuous", "integer", "categorical"]
RANGE_KINDS: tuple[str, ...] = get_args(RangeKind)

MAX_RANGES = 30
"""ParameterRanges: the integer, continuous and categorical ranges together (the service model's
``max`` of each list is also the job's total)."""
MAX_CATEGORICAL_VALUES = 30
"""CategoricalParameterRange.Values: 1-30 values."""
MAX_VALUE_LENGTH = 256
"""ParameterKey and ParameterValue: at most 256 characters."""
MAX_HYPERPARAMETERS = 100
"""Static and tunable hyperparameters together (developer guide, "Define Hyperparameter Ranges")."""
TUNING_OBJECTIVE_HYPERPARAMETER = "_tuning_objective_metric"
"""The hyperparameter SageMaker adds to every tuned training job; it counts against the 100."""
MAX_TRAINING_JOBS = 750
"""Default quota: training jobs per tuning job."""
MAX_PARALLEL_TRAINING_JOBS = 100
"""Default quota: concurrent training jobs per tuning job."""
HYPERBAND_MAX_RESOURCE = 20_000
"""HyperbandStrategyConfig.MaxResource: at most 20,000 (epochs)."""
HYPERBAND_EPOCH_KEYS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")
"""Static hyperparameters Hyperband infers MaxResource from when it is not given."""
MIN_TUNING_RUNTIME_SECONDS, MAX_TUNING_RUNTIME_SECONDS = 120, 15_768_000
"""ResourceLimits.MaxRuntimeInSeconds: 120 s to 15,768,000 s (about six months), botocore's range."""
INTEGER_SCALING = ("Auto", "Linear", "Logarithmic")
"""IntegerParameterRange.ScalingType: reverse-logarithmic scaling is for continuous ranges only."""


@dataclass(frozen=True)
class ParameterRange:
    """One tunable hyperparameter: ``continuous``/``integer`` with ``min_value``, ``max_value`` and
    ``scaling``, or ``categorical`` with ``values``."""

    kind: str
    min_value: float | None = None
    max_value: float | None = None
    scaling: str = "Auto"
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class TuningSettings:
    """A tuning job in place of the single training job: the same training definition (image,
    instance, VPC, network isolation, inter-container encryption, KMS, spot and checkpoints),
    ``max_jobs`` training jobs at most ``max_parallel_jobs`` at a time, the best by
    ``objective_metric`` (a metric definition of the family) going on to evaluation."""

    objective_metric: str
    objective_type: str
    parameters: Mapping[str, ParameterRange]
    strategy: str = "Bayesian"
    max_jobs: int | None = None
    """Required, except with Grid (which runs every combination and takes none)."""
    max_parallel_jobs: int = 1
    early_stopping: str = "Off"
    hyperband_min_resource: int | None = None
    hyperband_max_resource: int | None = None
    max_runtime_seconds: int | None = None
    """The whole tuning job's limit (ResourceLimits.MaxRuntimeInSeconds); None: :func:`tuning_runtime`'s
    default, enough for every wave of parallel jobs to run to each job's own limit."""
    parameter_order: tuple[str, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", dict(self.parameters))
        object.__setattr__(self, "parameter_order", tuple(sorted(self.parameters)))

    @property
    def training_jobs(self) -> int:
        """How many training jobs a run starts at most (Grid: the number of combinations)."""
        if self.strategy == "Grid":
            return grid_size(self.parameters)
        return int(self.max_jobs or 1)


def tuning_runtime(tuning: TuningSettings, seconds_per_job: int) -> int:
    """``max_runtime_seconds``, or by default the waves of parallel jobs
    (``ceil(training_jobs / max_parallel_jobs)``) times one job's limit (its wait limit with spot,
    which includes waiting for capacity), within SageMaker's 120-15,768,000 s."""
    if tuning.max_runtime_seconds is not None:
        return tuning.max_runtime_seconds
    waves = math.ceil(tuning.training_jobs / max(1, tuning.max_parallel_jobs))
    return min(MAX_TUNING_RUNTIME_SECONDS, max(MIN_TUNING_RUNTIME_SECONDS, waves * seconds_per_job))


def grid_size(parameters: Mapping[str, ParameterRange]) -> int:
    return math.prod(len(r.values) for r in parameters.values() if r.kind == "categorical")


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_problems(name: str, r: ParameterRange, strategy: str) -> list[tuple[tuple[Any, ...], str]]:
    where: tuple[Any, ...] = ("parameters", name)
    if r.kind not in RANGE_KINDS:
        return [((*where, "type"), f"{r.kind!r} is not one of {', '.join(RANGE_KINDS)}")]
    if r.kind == "categorical":
        problems = []
        if r.min_value is not None or r.max_value is not None or r.scaling != "Auto":
            problems.append((where, "a categorical range takes only values (no min, max or scaling)"))
        if not 1 <= len(r.values) <= MAX_CATEGORICAL_VALUES:
            problems.append(
                ((*where, "values"), f"{len(r.values)} values; SageMaker takes 1-{MAX_CATEGORICAL_VALUES}")
            )
        if len(set(r.values)) != len(r.values):
            problems.append(((*where, "values"), "values repeat"))
        problems += [
            ((*where, "values", i), f"values have 1-{MAX_VALUE_LENGTH} characters")
            for i, v in enumerate(r.values)
            if not 1 <= len(str(v)) <= MAX_VALUE_LENGTH
        ]
        return problems
    if strategy == "Grid":
        return [((*where, "type"), "Grid searches categorical ranges only; list the values to try")]
    if r.values:
        return [((*where, "values"), f"a {r.kind} range takes min and max, not values")]
    check = _int if r.kind == "integer" else _number
    kind = "an integer" if r.kind == "integer" else "a finite number"
    problems = [
        ((*where, key), f"{value!r} must be {kind}")
        for key, value in (("min", r.min_value), ("max", r.max_value))
        if not check(value)
    ]
    if problems:
        return problems
    low, high = r.min_value, r.max_value
    assert low is not None and high is not None
    if not low < high:
        problems.append(((*where, "max"), f"{high!r} must be greater than min ({low!r})"))
    allowed = INTEGER_SCALING if r.kind == "integer" else SCALING_TYPES
    if r.scaling not in allowed:
        problems.append(((*where, "scaling"), f"{r.scaling!r}: a {r.kind} range scales {', '.join(allowed)}"))
    elif r.scaling == "Logarithmic" and low <= 0:
        problems.append(((*where, "min"), "logarithmic scaling needs a range above 0 (min > 0)"))
    elif r.scaling == "ReverseLogarithmic" and not (low >= 0 and high < 1):
        problems.append(((*where, "scaling"), "reverse-logarithmic scaling needs 0 <= min and max < 1"))
    return problems


def tuning_problems(
    tuning: TuningSettings,
    *,
    hyperparameters: Mapping[str, Any],
    metric_names: Sequence[str],
    reserved: Sequence[str],
) -> list[tuple[tuple[Any, ...], str]]:
    """Every problem of ``tuning`` as (location below ``tuning``, message).

    ``hyperparameters`` are the family's fixed ones, ``metric_names`` its training-log metric
    definitions (the objective must be one), ``reserved`` the hyperparameters the platform sets.
    """
    t = tuning
    problems: list[tuple[tuple[Any, ...], str]] = []
    if t.strategy not in STRATEGIES:
        return [(("strategy",), f"{t.strategy!r} is not one of {', '.join(STRATEGIES)}")]
    if t.objective_type not in OBJECTIVE_TYPES:
        problems.append(
            (("objective", "type"), f"{t.objective_type!r} is not one of {', '.join(OBJECTIVE_TYPES)}")
        )
    if t.objective_metric not in metric_names:
        known = listed(metric_names) or "none: add metric_definitions"
        problems.append(
            (
                ("objective", "metric"),
                f"{t.objective_metric!r} is not one of the family's metric_definitions ({known}); the "
                "tuning job reads its objective from the training log",
            )
        )
    if t.early_stopping not in EARLY_STOPPING:
        problems.append(
            (("early_stopping",), f"{t.early_stopping!r} is not one of {', '.join(EARLY_STOPPING)}")
        )
    if not t.parameters:
        problems.append((("parameters",), "name at least one hyperparameter range to tune"))
    if len(t.parameters) > MAX_RANGES:
        problems.append(
            (("parameters",), f"{len(t.parameters)} ranges; SageMaker tunes at most {MAX_RANGES}")
        )
    for name in t.parameter_order:
        if not 1 <= len(name) <= MAX_VALUE_LENGTH:
            problems.append((("parameters", name[:40]), f"names have 1-{MAX_VALUE_LENGTH} characters"))
        elif name in reserved or name.startswith("sagemaker_") or name == TUNING_OBJECTIVE_HYPERPARAMETER:
            problems.append((("parameters", name), f"{name!r} is set by the platform or by SageMaker"))
        elif name in hyperparameters:
            problems.append(
                (
                    ("parameters", name),
                    f"{name!r} is also a fixed value in hyperparameters; tune it or fix it, not both",
                )
            )
        problems += _range_problems(name, t.parameters[name], t.strategy)
    static = len(set(hyperparameters) - set(t.parameters)) + len(reserved)
    total = static + len(t.parameters) + 1
    if total > MAX_HYPERPARAMETERS:
        problems.append(
            (
                ("parameters",),
                f"{total} hyperparameters with the platform's {len(reserved)} and SageMaker's "
                f"{TUNING_OBJECTIVE_HYPERPARAMETER}; a tuning job takes {MAX_HYPERPARAMETERS}",
            )
        )
    problems += _limit_problems(t)
    problems += _strategy_problems(t, hyperparameters)
    return problems


def _limit_problems(t: TuningSettings) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    if not (_int(t.max_parallel_jobs) and 1 <= t.max_parallel_jobs <= MAX_PARALLEL_TRAINING_JOBS):
        problems.append(
            (("max_parallel_jobs",), f"{t.max_parallel_jobs!r} is not 1-{MAX_PARALLEL_TRAINING_JOBS}")
        )
    runtime = t.max_runtime_seconds
    if runtime is not None and not (
        _int(runtime) and MIN_TUNING_RUNTIME_SECONDS <= runtime <= MAX_TUNING_RUNTIME_SECONDS
    ):
        problems.append(
            (
                ("max_runtime_seconds",),
                f"{runtime!r} is not {MIN_TUNING_RUNTIME_SECONDS}-{MAX_TUNING_RUNTIME_SECONDS:,} "
                "(ResourceLimits.MaxRuntimeInSeconds)",
            )
        )
    if t.strategy == "Grid":
        if t.max_jobs is not None:
            problems.append((("max_jobs",), "Grid runs every combination of the values: leave max_jobs out"))
        size = grid_size(t.parameters)
        if _int(t.max_parallel_jobs) and size and t.max_parallel_jobs > size:
            problems.append(
                (
                    ("max_parallel_jobs",),
                    f"{t.max_parallel_jobs} is more than the grid's {size} combinations (every job it runs)",
                )
            )
        if size > MAX_TRAINING_JOBS:
            problems.append(
                (
                    ("parameters",),
                    f"the grid has {size} combinations; a tuning job runs at most {MAX_TRAINING_JOBS}",
                )
            )
        return problems
    if t.max_jobs is None:
        problems.append((("max_jobs",), f"{t.strategy} needs max_jobs (1-{MAX_TRAINING_JOBS})"))
    elif not (_int(t.max_jobs) and 1 <= t.max_jobs <= MAX_TRAINING_JOBS):
        problems.append((("max_jobs",), f"{t.max_jobs!r} is not 1-{MAX_TRAINING_JOBS}"))
    elif _int(t.max_parallel_jobs) and t.max_parallel_jobs > t.max_jobs:
        problems.append(
            (("max_parallel_jobs",), f"{t.max_parallel_jobs} is more than max_jobs ({t.max_jobs})")
        )
    return problems


def _strategy_problems(
    t: TuningSettings, hyperparameters: Mapping[str, Any]
) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    hyperband = (t.hyperband_min_resource, t.hyperband_max_resource)
    if t.strategy != "Hyperband":
        if hyperband != (None, None):
            problems.append((("hyperband",), "only applies with strategy Hyperband"))
        return problems
    if t.early_stopping != "Off":
        problems.append(
            (("early_stopping",), "Hyperband stops jobs early by itself: early_stopping must be Off")
        )
    low, high = hyperband
    for key, value in (("min_resource", low), ("max_resource", high)):
        if value is not None and not (_int(value) and 1 <= value <= HYPERBAND_MAX_RESOURCE):
            problems.append((("hyperband", key), f"{value!r} is not 1-{HYPERBAND_MAX_RESOURCE}"))
    if _int(low) and _int(high) and low >= high:
        problems.append((("hyperband", "max_resource"), f"{high} must be greater than min_resource ({low})"))
    if high is None and not any(key in hyperparameters for key in HYPERBAND_EPOCH_KEYS):
        problems.append(
            (
                ("hyperband", "max_resource"),
                "Hyperband needs max_resource, or a fixed hyperparameter it reads it from ("
                + ", ".join(HYPERBAND_EPOCH_KEYS)
                + ")",
            )
        )
    return problems


def as_text(location: tuple[Any, ...]) -> str:
    """``("parameters", "eta", "min")`` → ``parameters.eta.min``."""
    return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in location).replace(
        ".[", "["
    )
