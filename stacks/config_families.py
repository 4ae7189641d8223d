"""A stack's model families (:class:`ModelFamilyConfig`, the ``models[]`` entries), and which family an
endpoint follows and is monitored as.

:mod:`stacks.config` still exports every public name.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
)

from components.limits import (
    fail_at,
    fail_at_each,
)
from components.observability.explainability_config import TemplateError, read_template
from components.observability.model_quality_spec import quality_alarms_problems
from components.observability.monitoring_spec import DriftFeatures
from components.registry.model_family_spec import ModelFamilySpec
from components.serving.batch_scoring_spec import BatchScoringSpec
from components.serving.inference_endpoint_spec import (
    EndpointSpec,
)
from components.training.evidently import EvidentlySpec
from components.training.training_spec import FamilyTrainingSpec
from stacks.model_cards import ModelCardSpec


class ModelFamilyConfig(ModelFamilySpec):
    """A model family of the stack: its registry entry, and how it trains."""

    training: FamilyTrainingSpec | None = Field(
        default=None,
        description="How the family trains (its code folder, framework, schema, metrics); required in a "
        "stack that trains (training.enabled). The stack's training compute applies where it is silent.",
    )
    model_card: ModelCardSpec | None = Field(
        default=None,
        description="What each approved version's SageMaker Model Card says of the family (intended use, "
        "risk rating); `pipelines.promotion` adds the version's training details and evaluation metrics. "
        "Required where `model_registry.require_model_card`.",
    )
    quality_alarms: dict[str, float] = Field(
        default_factory=dict,
        description="Model-quality metric -> threshold: an alarm each on the endpoints serving the family, "
        "paging the alert topic (and retraining the family where `training.drift_retraining`) when the "
        "metric is worse: `auc`, `f1`, `accuracy`... below it, `mae`, `rmse`, `mse` above it (`r2` below). "
        "Metrics of the family's problem type (docs/monitoring.md); needs `monitoring.model_monitors.model_quality` (with `monitoring.enabled` false there are no alarms).",
    )
    drift_features: DriftFeatures | None = Field(
        default=None,
        description="Features the drift alarm of each endpoint monitored as the family watches, in place of "
        "`monitoring.drift_features` (one list for the whole stack) and of the inputs derived from its "
        "feature group: for a stack serving families of different features, or one whose family has no "
        "feature group of this stack. `[]`: no drift alarm on its endpoints (the plan warns).",
    )
    batch_scoring: BatchScoringSpec | None = Field(
        default=None,
        description="Scheduled batch scoring of `batch-input/<family>/` (datasets bucket) into "
        "`batch-output/<family>/<execution id>/` with the family's latest Approved (or a pinned) "
        "version: a network-isolated transform job in the private subnets (docs/batch-scoring.md).",
    )

    evidently: EvidentlySpec | None = Field(
        default=None,
        description="An Evidently drift and data-quality report of the family's data against its reference "
        "dataset: in the training pipeline (the run's training features) and the batch-scoring pipeline "
        "(the batch input), HTML and JSON under the execution's prefix, `DriftedColumnsShare` and "
        "`DatasetDrift` to CloudWatch, an alarm to the alert topic (docs/evidently.md). Needs `training` "
        "(with `training.enabled`) or `batch_scoring`.",
    )

    explainability_config: str | None = Field(
        default=None,
        description="Path (relative to the project directory, where Pulumi.yaml is) of the family's Clarify "
        "analysis config template for the explainability monitor (`monitoring.model_monitors.explainability`): "
        "JSON with `headers`, `methods.shap` and a `predictor` giving the shadow endpoint's `instance_type` and "
        "`initial_instance_count` and the `content_type` the model takes (inferred for a CSV model; `accept_type`... where needed), without "
        "`model_name` or `endpoint_name`; a SHAP `baseline` is rows or a file name, read in each stack at "
        "`baselines/<group>/model_explainability/<name>`, never an `s3://` URI. The platform writes each "
        "endpoint serving the family its own copy naming the model the endpoint serves, rewritten at each "
        "deploy (docs/monitoring.md). Required for each family an endpoint with that monitor is monitored as.",
    )

    @field_validator("explainability_config")
    @classmethod
    def _readable_template(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Read and checked here, so a bad template stops the plan before anything is created; relative
        to the project directory, as ``training.code``."""
        if value is None:
            return None
        root = Path((info.context or {}).get("project_dir") or Path.cwd())
        path = Path(value) if Path(value).is_absolute() else root / value
        # With the template's other faults: headers naming the label or an identifier (a family whose
        # training failed its own checks is not in info.data; that fault is named there).
        training = info.data.get("training")
        try:
            read_template(path, (training.label, *training.identifiers) if training is not None else ())
        except TemplateError as error:  # each fault its own problem: one line each, none cut short
            fail_at_each("ModelFamilyConfig", [((), value, problem) for problem in error.problems])
        return value if root.resolve() == Path.cwd().resolve() else str(path)

    @field_validator("quality_alarms")
    @classmethod
    def _known_quality_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        for metric, problem in quality_alarms_problems(value):
            fail_at("ModelFamilyConfig", (metric,), value[metric], problem)
        return value


def model_family_of(spec: EndpointSpec) -> str:
    """The family an endpoint follows (its first production variant's ``latest_approved_of``: a
    family of this stack or another account's group ARN; a pinned version or an image by the
    endpoint's name): the one it retrains, and whose baselines folder its monitors fall back to."""
    return spec.variants[0].model.latest_approved_of or spec.name


def monitored_family_of(spec: EndpointSpec) -> str:
    """The family an endpoint is monitored and alarmed as (problem type, drift features, quality
    thresholds, live drift): the family of this stack its first production variant's ``family``
    names for another account's group, else :func:`model_family_of`. Never the one it retrains: a
    local family's training registers versions in this stack's group, which an endpoint following
    another account's group never serves."""
    return spec.variants[0].model.family or model_family_of(spec)
