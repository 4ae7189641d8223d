"""The typed spec of the model-quality, bias and explainability monitors (kept free of pulumi_aws_native,
so validating a stack file does not import it)."""

from __future__ import annotations

import math
from typing import Annotated, Final, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import PHYSICAL_NAME_LIMITS, SPEC_CONFIG, fail_at
from ..training.definition import ProblemType

Kind = Literal["ModelQuality", "ModelBias", "ModelExplainability"]
SNAKE_NAMES: dict[Kind, str] = {
    "ModelQuality": "model_quality",
    "ModelBias": "model_bias",
    "ModelExplainability": "model_explainability",
}
"""Each kind's folder under the baselines and outputs, and (hyphenated) its job definition's suffix."""
JOB_DEFINITION_NAME_LIMIT = PHYSICAL_NAME_LIMITS["aws-native:sagemaker:ModelQualityJobDefinition"][1]

Side = Literal["high", "low"]
_SCORES: Final = ("accuracy", "precision", "recall", "f0_5", "f1", "f2", "auc", "au_prc")
QUALITY_METRICS: Final[dict[ProblemType, dict[str, Side]]] = {
    "BinaryClassification": {
        **dict.fromkeys(_SCORES, "low"),
        "true_positive_rate": "low",
        "true_negative_rate": "low",
        "false_positive_rate": "high",
        "false_negative_rate": "high",
    },
    "MulticlassClassification": {
        "accuracy": "low",
        **{f"weighted_{name}": "low" for name in ("precision", "recall", "f0_5", "f1", "f2")},
    },
    "Regression": {"mae": "high", "mse": "high", "rmse": "high", "r2": "low"},
}
"""The metrics a model-quality job publishes to CloudWatch (``aws/sagemaker/Endpoints/model-metrics``)
per problem type, each with the side on which it is bad: scores and true rates drop, errors and false
rates rise. (The ``*_best_constant_classifier`` references it also publishes measure no model.)"""


_ERRORS: Final = ("mae", "mse", "rmse")


def promotion_bar_problem(metric: str, direction: str, threshold: float) -> str | None:
    """Why a promotion bar on a metric of a well-known name (an evaluation report's ``auc``,
    ``rmse``...; :data:`QUALITY_METRICS`) cannot be what is meant, or None: the direction that
    promotes the worse models (``rmse`` maximised), or a threshold no value of the metric passes, or
    every value does (``auc`` at 80: a ratio lies between 0 and 1). A metric of another name, or on
    a scale of the family's own, is the family's business: a warning, never an error."""
    sides = {name: side for metrics in QUALITY_METRICS.values() for name, side in metrics.items()}
    if metric not in sides:
        return None
    better = "maximize" if sides[metric] == "low" else "minimize"
    if direction != better:
        return (
            f"{metric} is better {'higher' if better == 'maximize' else 'lower'}, but the bar is to "
            f"{direction} it: each version that passes is one the bar should stop (direction: {better}?)"
        )
    if metric in _ERRORS:
        low, high = 0.0, math.inf
    elif metric == "r2":
        low, high = -math.inf, 1.0
    else:
        low, high = 0.0, 1.0
    if (direction == "maximize" and threshold > high) or (direction == "minimize" and threshold < low):
        return f"no {metric} reaches {threshold} (it lies {_range(low, high)}): no version is ever promoted"
    if (direction == "maximize" and threshold <= low) or (direction == "minimize" and threshold >= high):
        return (
            f"every {metric} passes {threshold} (it lies {_range(low, high)}): the bar promotes every version"
        )
    return None


def _range(low: float, high: float) -> str:
    if math.isinf(high):
        return f"at or above {low:g}"
    if math.isinf(low):
        return f"at or below {high:g}"
    return f"between {low:g} and {high:g}"


def quality_threshold_problem(metric: str, threshold: float) -> str | None:
    """Why ``threshold`` cannot be a model-quality alarm's threshold on ``metric``, or None: ratios
    lie strictly between 0 and 1, r2 below 1 (perfect), errors above 0; an alarm at a bound would
    always or never fire."""
    if not math.isfinite(threshold):
        return f"{threshold}: a threshold is a finite number"
    if metric in ("mae", "mse", "rmse"):
        return (
            None
            if threshold > 0
            else f"{threshold}: {metric} is at least 0, so the threshold must be above 0"
        )
    if metric == "r2":
        return (
            None
            if threshold < 1
            else f"{threshold}: r2 is at most 1 (a perfect fit), so the threshold must be below 1"
        )
    if not 0 < threshold < 1:
        return f"{threshold}: {metric} lies between 0 and 1, so the threshold must be strictly between them"
    return None


def quality_metric_problem(problem_type: ProblemType, metric: str) -> str | None:
    """Why ``metric`` is not a metric the model-quality job of ``problem_type`` publishes, or None."""
    if metric in QUALITY_METRICS[problem_type]:
        return None
    return (
        f"'{metric}' is not a model-quality metric of a {problem_type} model; "
        f"use one of {', '.join(QUALITY_METRICS[problem_type])}"
    )


def quality_alarms_problems(thresholds: dict[str, float]) -> list[tuple[str, str]]:
    """(metric, problem) for every metric no problem type publishes or whose threshold is out of range."""
    known = {name for metrics in QUALITY_METRICS.values() for name in metrics}
    problems = []
    for metric, threshold in thresholds.items():
        if metric not in known:
            problems.append(
                (metric, f"'{metric}' is not a model-quality metric; use one of {', '.join(sorted(known))}")
            )
        elif problem := quality_threshold_problem(metric, threshold):
            problems.append((metric, problem))
    return problems


def job_definition_name(prefix: str, kind: Kind) -> str:
    """``<prefix>-model-quality`` (``-model-bias``, ``-model-explainability``): account-wide."""
    return f"{prefix}-{SNAKE_NAMES[kind].replace('_', '-')}"


class ModelQualitySpec(BaseModel):
    """Which advanced monitors run, and how predictions are read from the captured responses."""

    model_config = SPEC_CONFIG

    model_quality: bool = Field(
        default=False, description="Compare predictions with ground truth (needs labels)."
    )
    bias: bool = Field(
        default=False,
        description="Clarify bias drift: its analysis config and constraints are yours to upload, to "
        "`baselines/<group>/model_bias/` of the artifact bucket (docs/monitoring.md).",
    )
    explainability: bool = Field(
        default=False,
        description="Clarify feature-attribution drift: the served family's `models[].explainability_config` "
        "and the constraints you upload to `baselines/<group>/model_explainability/` (docs/monitoring.md).",
    )
    problem_type: ProblemType = Field(
        default="BinaryClassification",
        description="`BinaryClassification`, `MulticlassClassification` or `Regression`: the metrics "
        "the model-quality job computes, and which attributes hold the prediction, for an endpoint whose "
        "model family does not train in this stack (another account's group without `model.family`, a "
        "pinned version or an image on an endpoint not named after a family of this stack); one serving a family trained here, or another account's versions "
        "named one with `model.family`, is monitored as its `training.problem_type`.",
    )
    inference_attribute: str | None = Field(
        default=None,
        description="Field (or CSV index) of the response holding the prediction: for Regression and "
        "MulticlassClassification `0` (the first CSV column) unless set; optional for BinaryClassification.",
    )
    probability_attribute: str | None = Field(
        default=None,
        description="BinaryClassification only: field (or CSV index) of the probability; `0` unless set.",
    )
    probability_threshold: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.5,
        description="BinaryClassification only: the probability from which a prediction is positive.",
    )
    ground_truth_delay_hours: Annotated[int, Field(ge=1, le=168)] = Field(
        default=24,
        description="How long labels take to arrive: each run analyses the predictions of one schedule "
        "interval (an hour when hourly, a day when daily) that ended this long ago.",
    )

    @field_validator("inference_attribute", "probability_attribute")
    @classmethod
    def _names_a_field(cls, value: str | None) -> str | None:
        """An empty attribute was read as unset (column 0) by the monitor but as set by the stack's
        checks: it names no field or column, so it is refused rather than guessed."""
        if value is not None and not value.strip():
            raise ValueError(
                "is empty: name the response's field or CSV column index (e.g. '0', the first "
                "column), or leave the key out for column 0"
            )
        return value

    @model_validator(mode="after")
    def _probability_only_for_binary(self) -> ModelQualitySpec:
        if self.problem_type != "BinaryClassification" and self.probability_attribute is not None:
            fail_at(
                "ModelQualitySpec",
                ("probability_attribute",),
                self.probability_attribute,
                f"probability_attribute applies to BinaryClassification only; a {self.problem_type} "
                "model's prediction is read from inference_attribute",
            )
        return self

    @property
    def binary(self) -> bool:
        return self.problem_type == "BinaryClassification"

    @property
    def prediction_attributes(self) -> dict[str, str]:
        """Where the monitors find the prediction in a captured response (EndpointInput): a binary
        classifier's probability (and its label, if set), else the predicted value or class."""
        if self.binary:
            found = {"probability_attribute": self.probability_attribute or "0"}
            return found | (
                {"inference_attribute": self.inference_attribute} if self.inference_attribute else {}
            )
        return {"inference_attribute": self.inference_attribute or "0"}

    @property
    def kinds(self) -> list[Kind]:
        enabled: list[tuple[bool, Kind]] = [
            (self.model_quality, "ModelQuality"),
            (self.bias, "ModelBias"),
            (self.explainability, "ModelExplainability"),
        ]
        return [kind for on, kind in enabled if on]
