"""The typed specs of continuous training: the stack's defaults and triggers, and each model
family's own training (its code, framework, schema, metrics and compute).

A model family is data, not platform code: the family's folder holds its step scripts, and the
stack file says how to run them. The platform holds no model's column names; it passes the
family's label and metrics to the scripts and checks the promotion metric against the metrics
the family's evaluation reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from ..limits import SPEC_CONFIG, each_once, fail_at, fail_at_each
from ..schedules import eventbridge_schedule_problem
from .definition import (
    MAX_FEATURE_COLUMNS,
    MAX_RUNTIME_SECONDS,
    METRIC_NAME,
    RESERVED_HYPERPARAMETERS,
    ProblemType,
)
from .family_scripts import image_python, script_problem, serving_problem
from .frameworks import FrameworkName
from .tuning import (
    EarlyStopping,
    ObjectiveType,
    ParameterRange,
    RangeKind,
    ScalingType,
    TuningSettings,
    TuningStrategy,
    tuning_problems,
)

_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9-]+\.(small|medium|large|[0-9]*xlarge)\Z")
_COLUMN = r"^[A-Za-z0-9_.\-]{1,128}$"
_PYTHON_FILE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.py\Z")
MAX_HYPERPARAMETERS = 100
"""SageMaker's limit; the platform's own (RESERVED_HYPERPARAMETERS) count too."""
MAX_PARALLEL_STEPS = 50
"""The platform's ceiling on a pipeline's ``MaxParallelExecutionSteps`` (SageMaker: at least 1)."""
MAX_METRIC_DEFINITIONS = 40
"""SageMaker's limit on a training job's (and a tuning job's) ``MetricDefinitions``."""


def _exists(path: Path, kind: Callable[[Path], bool]) -> bool:
    """``kind(path)`` (``Path.is_dir``, ``Path.is_file``), False where the operating system refuses
    the path itself (a name longer than it takes: ``ENAMETOOLONG``), which pathlib raises."""
    try:
        return kind(path)
    except OSError:
        return False


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


def training_data_prefix(family: str) -> str:
    """Where a family's training data lands in the datasets bucket (the new-data trigger watches it)."""
    return f"training-data/{family}/"


class TrainingCompute(_Spec):
    """Instances and limits of a family's jobs; the stack's ``training`` sets them for every
    family, and a family's ``training`` may override any of them."""

    processing_instance_type: str = Field(default="ml.m5.xlarge", description="Preprocess and evaluate jobs.")
    training_instance_type: str = Field(
        default="ml.m5.xlarge", description="Training job (GPU types allowed)."
    )
    training_instance_count: Annotated[int, Field(ge=1, le=64)] = Field(
        default=1,
        description="Instances of the training job (processing jobs always use one); more than one only "
        "helps a script that trains distributed.",
    )
    baseline_instance_type: str = Field(
        default="ml.m5.xlarge",
        description="Model Monitor's two baselining jobs (its Spark analyzer over the training data and "
        "the evaluation's predictions): a larger type for a training set that does not fit its memory.",
    )
    spot: bool = Field(default=False, description="Managed spot training with checkpoints in S3.")
    max_run_seconds: Annotated[int, Field(ge=60, le=MAX_RUNTIME_SECONDS)] = Field(
        default=3600,
        description="Training time limit; also the data and baselining jobs' (at most 9 days for those, "
        "SageMaker's limit for a processing job).",
    )
    max_wait_seconds: Annotated[int, Field(ge=60, le=MAX_RUNTIME_SECONDS)] | None = Field(
        default=None, description="With spot: total time including waiting for capacity (> max_run_seconds)."
    )

    @field_validator("processing_instance_type", "training_instance_type", "baseline_instance_type")
    @classmethod
    def _sagemaker_instance_type(cls, value: str, info: ValidationInfo) -> str:
        if not _INSTANCE_TYPE.match(value):
            raise ValueError(
                f"'{value}' is not a SageMaker instance type such as ml.m5.xlarge or ml.g5.2xlarge"
            )
        # The training job takes a TrainingInstanceType; the processing jobs (the baselines too) a
        # ProcessingInstanceType: a name of the right form that the job's API does not list is refused
        # when the pipeline runs its step.
        job, shape = (
            ("training", "TrainingInstanceType")
            if info.field_name == "training_instance_type"
            else (
                "processing",
                "ProcessingInstanceType",
            )
        )
        # Imported here: components.botocore_enums imports this package (its cache directory).
        from ..botocore_enums import botocore_installed, sagemaker_instance_types

        # The package's base install has no botocore: the form only, not a ModuleNotFoundError.
        if botocore_installed() and value not in sagemaker_instance_types(shape):
            raise ValueError(
                f"'{value}' is not an instance type SageMaker {job} jobs offer (botocore's {shape}), e.g. "
                "ml.m5.xlarge, ml.c5.2xlarge, ml.g5.2xlarge"
            )
        return value

    @model_validator(mode="after")
    def _spot_needs_wait(self) -> TrainingCompute:
        # At max_wait_seconds, the key to add or change: a family that inherits it from the stack's
        # training is then told where it was set.
        model = type(self).__name__
        if self.spot and self.max_wait_seconds is None:
            fail_at(
                model,
                ("max_wait_seconds",),
                None,
                "spot training needs max_wait_seconds (greater than max_run_seconds)",
            )
        # On demand the wait is not sent (SageMaker refuses it there): a stack or family that turns
        # spot off is not held to the wait the environment's defaults pair with spot.
        if self.spot and self.max_wait_seconds is not None and self.max_wait_seconds <= self.max_run_seconds:
            fail_at(
                model,
                ("max_wait_seconds",),
                self.max_wait_seconds,
                f"max_wait_seconds ({self.max_wait_seconds}) must be greater than max_run_seconds "
                f"({self.max_run_seconds}): the difference is the time a spot job may wait for capacity",
            )
        return self


COMPUTE_KEYS = tuple(TrainingCompute.model_fields)
"""The keys the stack's ``training`` passes down to every family's ``training``."""


class NewDataTrigger(_Spec):
    """Start a run when objects land under the family's training-data prefix."""

    enabled: bool = Field(default=False, description="Start a run when new training data arrives.")
    batching_window_seconds: Annotated[int, Field(ge=0, le=300)] = Field(
        default=300,
        description="Uploads within this window start one run (EventBridge Pipes batching window).",
    )


class TrainingSpec(TrainingCompute):
    """Continuous training of the stack: one pipeline per model family, what starts it, and the
    compute every family gets unless its own ``training`` says otherwise."""

    enabled: bool = Field(default=True, description="Create a training pipeline per model family.")
    max_parallel_steps: Annotated[int, Field(ge=1, le=MAX_PARALLEL_STEPS)] = Field(
        default=2, description="Steps running at once."
    )
    schedule: str | None = Field(
        default=None, description="EventBridge schedule, e.g. `cron(0 3 ? * MON *)`."
    )
    new_data: NewDataTrigger = Field(
        default=NewDataTrigger(),
        description="Start a run when objects land under `training-data/<family>/` of the datasets bucket.",
    )
    drift_retraining: bool = Field(
        default=False,
        description="Retrain when a drift (monitor violation) or model-quality alarm fires (wired by "
        "monitoring), through a Step Functions gate that starts at most one run per cooldown.",
    )
    model_monitor_baselines: bool | None = Field(
        default=None,
        description="Compute Model Monitor baselines in every training run (DataQualityBaseline, "
        "ModelQualityBaseline: Model Monitor's analyzer image) and register them as each version's "
        "DriftCheckBaselines, which the monitors of the stacks serving it compare with. Unset: as "
        "`monitoring.model_monitor`, and on while a family shares its versions (`consumer_accounts`). "
        "Off in an account Model Monitor is closed to: two processing jobs a run fewer; a stack that "
        "serves such a version with Model Monitor reads the family's `baselines/<group>/` folder "
        "instead (the plan warns where that stack is this one).",
    )
    retraining_cooldown_hours: Annotated[int, Field(ge=1, le=720)] = Field(
        default=24,
        description="Shortest time between two runs that drift or quality alarms start, 1-720 hours; "
        "alarms within it (and while a run is executing) start nothing.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule_expression(cls, value: str | None) -> str | None:
        problem = None if value is None else eventbridge_schedule_problem(value)
        if problem:
            raise ValueError(f"not an EventBridge schedule: {problem}")
        return value


class FrameworkSpec(_Spec):
    """The SageMaker framework image every step of the family runs on."""

    name: FrameworkName = Field(description="`sklearn`, `xgboost` or `pytorch`.")
    version: str = Field(
        pattern=r"^[0-9][A-Za-z0-9_.-]*$",
        description="A version the SageMaker SDK has images for, e.g. `1.2-1`.",
    )
    py_version: str | None = Field(
        default=None,
        pattern=r"^py[0-9]+$",
        description="Python of the image, where the framework has a choice (PyTorch: e.g. `py311`).",
    )


class EntryPoints(_Spec):
    """The family's step scripts, file names in its ``code`` folder (each is self-contained)."""

    preprocess: str = Field(
        default="preprocess.py",
        description="Script of the preprocess job: validates the raw CSV and writes the train, validation "
        "and test splits and the baseline features.",
    )
    train: str = Field(
        default="train.py",
        description="Also the model's inference script (model_fn...): an importable module name.",
    )
    evaluate: str = Field(
        default="evaluate.py",
        description="Script of the evaluate job: scores the model on the test split and writes "
        "evaluation.json (the promotion metric's source) and the predictions.",
    )

    @field_validator("preprocess", "train", "evaluate")
    @classmethod
    def _python_module(cls, value: str) -> str:
        if not _PYTHON_FILE.match(value):
            raise ValueError(f"'{value}' must be a Python file name such as train.py (an importable module)")
        return value


class MetricDefinitionSpec(_Spec):
    """A metric the training job's log prints, published to CloudWatch (``regex`` captures the value)."""

    name: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^.+$")] = Field(
        description="Name of the metric on the training job and in CloudWatch, e.g. `validation:auc`; "
        "1-255 characters."
    )
    regex: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="Regular expression matched against the training log, with exactly one capturing "
        "group: the value; 1-500 characters."
    )

    @field_validator("regex")
    @classmethod
    def _one_group(cls, value: str) -> str:
        try:
            groups = re.compile(value).groups
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        if groups != 1:
            raise ValueError(f"needs exactly one capturing group (the value), found {groups}")
        return value


class ParameterRangeSpec(_Spec):
    """One hyperparameter the tuning job searches: `continuous` or `integer` between `min` and
    `max`, or `categorical` over `values`."""

    type: RangeKind = Field(description="`continuous`, `integer` or `categorical`.")
    min: int | float | None = Field(default=None, description="Lowest value (continuous, integer).")
    max: int | float | None = Field(default=None, description="Highest value (continuous, integer).")
    scaling: ScalingType = Field(
        default="Auto",
        description="`Auto`, `Linear`, `Logarithmic` (range above 0) or `ReverseLogarithmic` "
        "(continuous, 0 <= min, max < 1).",
    )
    values: list[str | int | float | bool] = Field(
        default_factory=list, description="Categorical: 1-30 values to try."
    )

    def as_range(self) -> ParameterRange:
        return ParameterRange(
            kind=self.type,
            min_value=self.min,
            max_value=self.max,
            scaling=self.scaling,
            values=tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in self.values),
        )


class TuningObjectiveSpec(_Spec):
    """The training-log metric the tuning job ranks its training jobs by."""

    metric: str = Field(description="A name of the family's `metric_definitions`, e.g. `validation:auc`.")
    type: ObjectiveType = Field(description="`Maximize` or `Minimize`.")


class HyperbandSpec(_Spec):
    """Resources (epochs) of one Hyperband training job."""

    min_resource: int | None = Field(default=None, description="Epochs before Hyperband may stop a job.")
    max_resource: int | None = Field(
        default=None,
        description="Epochs at which Hyperband stops a job (at most 20,000); needed unless a fixed "
        "hyperparameter `epochs`, `num_epochs`... gives it.",
    )


class TuningSpec(_Spec):
    """Hyperparameter tuning in place of the single training job (docs/training.md): the same
    training settings (image, instance, VPC, network isolation, encryption, spot), several jobs,
    and the best one's model goes on to evaluation and registration."""

    strategy: TuningStrategy = Field(
        default="Bayesian",
        description="`Bayesian`, `Random`, `Hyperband` or `Grid` (categorical ranges only).",
    )
    objective: TuningObjectiveSpec = Field(
        description="Metric (one of `metric_definitions`) and direction the best job is chosen by."
    )
    max_jobs: int | None = Field(
        default=None,
        description="Training jobs per run, 1-750 (the cost of a run is this many training jobs); "
        "required except with Grid, which runs every combination.",
    )
    max_parallel_jobs: int = Field(
        default=1, description="Training jobs at once, 1-100 and at most `max_jobs`."
    )
    parameters: dict[str, ParameterRangeSpec] = Field(
        description="Hyperparameter name -> range (at most 30); a name must not also be a fixed "
        "`hyperparameters` value."
    )
    early_stopping: EarlyStopping = Field(
        default="Off", description="`Auto` stops jobs unlikely to beat the best so far (not with Hyperband)."
    )
    hyperband: HyperbandSpec | None = Field(default=None, description="Hyperband only: epochs per job.")
    max_runtime_seconds: int | None = Field(
        default=None,
        description="The whole tuning job's limit, 120-15,768,000 s; default: the waves of parallel "
        "jobs (`max_jobs` / `max_parallel_jobs`, rounded up) times one job's limit (with spot its "
        "wait limit).",
    )

    def as_settings(self) -> TuningSettings:
        return TuningSettings(
            objective_metric=self.objective.metric,
            objective_type=self.objective.type,
            parameters={name: spec.as_range() for name, spec in self.parameters.items()},
            strategy=self.strategy,
            max_jobs=self.max_jobs,
            max_parallel_jobs=self.max_parallel_jobs,
            early_stopping=self.early_stopping,
            hyperband_min_resource=self.hyperband.min_resource if self.hyperband else None,
            hyperband_max_resource=self.hyperband.max_resource if self.hyperband else None,
            max_runtime_seconds=self.max_runtime_seconds,
        )


class TrainingDataSpec(_Spec):
    """Where a family's training set comes from, when not from its training-data prefix."""

    feature_group: str = Field(
        description="A feature group of this stack (`feature_groups[].name`, with an offline store and "
        "`glue_catalog: managed`): each run reads the group's offline store as of the `FeatureSnapshotTime` "
        "pipeline parameter (default: the run's start) with Athena, the latest record per record "
        "identifier, deleted records left out (docs/feature-store.md)."
    )
    columns: Annotated[
        list[Annotated[str, Field(pattern=_COLUMN)]], Field(max_length=MAX_FEATURE_COLUMNS)
    ] = Field(
        default_factory=list,
        description="Features written to the training set, in order (they must include the label and "
        "the identifiers); default: every feature of the group.",
    )

    @field_validator("columns")
    @classmethod
    def _unique_columns(cls, value: list[str]) -> list[str]:
        return each_once(value, "column")


class FamilyTrainingSpec(TrainingCompute):
    """How one model family trains: where its code lives, on which framework, with what schema
    and metrics. Compute keys left out come from the stack's ``training``."""

    code: Annotated[str, Field(min_length=1)] = Field(
        description="Folder of the family's step scripts, relative to the project directory (where "
        "Pulumi.yaml is), e.g. `models/customer-churn`."
    )
    framework: FrameworkSpec = Field(
        description="The SageMaker framework image every step runs on (its inference image serves the "
        "registered model)."
    )
    entry_points: EntryPoints = Field(
        default=EntryPoints(),
        description="File names of the step scripts in the `code` folder; each must exist there, compile, and "
        "import nothing from the folder (each job runs its script alone: see models/README.md).",
    )
    label: Annotated[str, Field(pattern=_COLUMN)] = Field(
        description="Column the model predicts (passed to the scripts as --label)."
    )
    identifiers: list[Annotated[str, Field(pattern=_COLUMN)]] = Field(
        default_factory=list,
        description="Columns that identify a record and are never features (passed as --identifiers).",
    )
    problem_type: ProblemType = Field(
        description="What the model-quality baseline and monitor compute: `BinaryClassification` "
        "(predictions.csv: probability, prediction, label), `MulticlassClassification` or `Regression` "
        "(prediction, label)."
    )
    metrics: Annotated[list[Annotated[str, Field(pattern=METRIC_NAME)]], Field(min_length=1)] = Field(
        description="What the evaluation reports (evaluation.json `metrics.<name>.value`; passed as --metrics)."
    )
    hyperparameters: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Passed to the training script."
    )
    metric_definitions: list[MetricDefinitionSpec] = Field(
        default_factory=list,
        description=f"Training-log metrics published to CloudWatch (SageMaker: at most {MAX_METRIC_DEFINITIONS}).",
    )
    tuning: TuningSpec | None = Field(
        default=None,
        description="Hyperparameter tuning in place of the single training job: strategy, objective "
        "(a metric definition), max_jobs/max_parallel_jobs, parameter ranges (docs/training.md).",
    )
    data: TrainingDataSpec | None = Field(
        default=None,
        description="Read the training set from a feature group's offline store instead of "
        "`training-data/<family>/` of the datasets bucket.",
    )

    @field_validator("code")
    @classmethod
    def _folder_exists(cls, value: str, info: ValidationInfo) -> str:
        """Relative to the project directory (the validation context's ``project_dir``, else the
        current directory, which is where Pulumi runs the program)."""
        root = Path((info.context or {}).get("project_dir") or Path.cwd())
        folder = Path(value) if Path(value).is_absolute() else root / value
        if not _exists(folder, Path.is_dir):
            raise ValueError(
                f"'{value}' is not a folder (relative paths start at the project directory, {root})"
            )
        return value if root.resolve() == Path.cwd().resolve() else str(folder)

    @field_validator("identifiers")
    @classmethod
    def _unique_identifiers(cls, value: list[str]) -> list[str]:
        return each_once(value, "identifier", ": list each column once")

    @field_validator("metrics")
    @classmethod
    def _unique_metrics(cls, value: list[str]) -> list[str]:
        return each_once(value, "metric")

    @field_validator("metric_definitions")
    @classmethod
    def _sagemaker_metric_definitions(cls, value: list[MetricDefinitionSpec]) -> list[MetricDefinitionSpec]:
        if len(value) > MAX_METRIC_DEFINITIONS:
            raise ValueError(
                f"{len(value)} metric definitions; a SageMaker training job takes at most {MAX_METRIC_DEFINITIONS}"
            )
        return value

    @field_validator("hyperparameters")
    @classmethod
    def _sagemaker_hyperparameters(
        cls, value: dict[str, str | int | float | bool]
    ) -> dict[str, str | int | float | bool]:
        for key, item in value.items():
            if key in RESERVED_HYPERPARAMETERS or key.startswith("sagemaker_"):
                raise ValueError(f"'{key}' is set by the platform; use another name")
            if not 1 <= len(key) <= 256:
                raise ValueError(f"hyperparameter names have 1-256 characters ('{key[:40]}...')")
            if len(str(item)) > 2500:
                raise ValueError(f"hyperparameter '{key}': values have at most 2500 characters")
        if len(value) + len(RESERVED_HYPERPARAMETERS) > MAX_HYPERPARAMETERS:
            raise ValueError(
                f"{len(value)} hyperparameters; SageMaker takes {MAX_HYPERPARAMETERS} including the platform's "
                f"{len(RESERVED_HYPERPARAMETERS)}"
            )
        return value

    @model_validator(mode="after")
    def _scripts_exist_and_label_is_no_identifier(self) -> FamilyTrainingSpec:
        folder = Path(self.code)
        missing = [
            f"entry_points.{step}: {file}"
            for step, file in self.entry_points.model_dump().items()
            if not _exists(folder / file, Path.is_file)
        ]
        if missing:
            raise ValueError(f"no such script in {self.code}: {'; '.join(missing)}")
        python = image_python(self.framework.version, self.framework.py_version)
        problems = [
            (("entry_points", step), file, problem)
            for step, file in self.entry_points.model_dump().items()
            if (problem := script_problem(folder / file, python))
        ]
        # The train script is also the endpoint's inference module: what its serving container
        # refuses is said here, not at the first request after a deploy.
        if not any(location == ("entry_points", "train") for location, _, _ in problems) and (
            problem := serving_problem(folder / self.entry_points.train, self.framework.name)
        ):
            problems.append((("entry_points", "train"), self.entry_points.train, problem))
        fail_at_each("FamilyTrainingSpec", problems)
        if self.label in self.identifiers:
            raise ValueError(f"label '{self.label}' is also listed in identifiers")
        if self.tuning is not None:
            for location, problem in tuning_problems(
                self.tuning.as_settings(),
                hyperparameters=self.hyperparameters,
                metric_names=[m.name for m in self.metric_definitions],
                reserved=RESERVED_HYPERPARAMETERS,
            ):
                fail_at("FamilyTrainingSpec", ("tuning", *location), self.tuning, problem)
        return self

    @property
    def scripts(self) -> dict[str, Path]:
        """Step → script path (``preprocess``, ``train``, ``evaluate``)."""
        return {step: Path(self.code) / file for step, file in self.entry_points.model_dump().items()}
