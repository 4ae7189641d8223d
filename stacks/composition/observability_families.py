"""What an endpoint is monitored as: the baselines of the version it serves, the family, its drift
features, problem type, model-quality monitor settings, explainability template and quality alarms."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from components.observability.explainability_config import read_template
from components.observability.model_monitoring import MonitoringBaselines
from components.observability.monitoring_spec import baseline_prefix
from components.serving.inference_endpoint_spec import EndpointSpec
from stacks.composition.serving import model_family_of, model_group_of
from stacks.config import PlatformConfig, monitored_family_of
from stacks.model_packages import ModelResolutionError
from stacks.resolution import ResolvedPackages

if TYPE_CHECKING:
    from components.observability.model_quality_spec import ModelQualitySpec
    from components.training.definition import ProblemType
    from stacks.config import ModelFamilyConfig


def served_baselines(
    config: PlatformConfig, spec: EndpointSpec, packages: ResolvedPackages
) -> MonitoringBaselines:
    """What an endpoint's monitors compare with: the baselines its first production variant's
    model version (latest approved or pinned; of this account's registry or a producer's that
    shares them) registered. Otherwise (an image, a version registered without baselines) those a
    team puts in ``baselines/<group>/``: the family's model package group's folder, or for an
    endpoint that follows no family, ``<name_prefix>-<endpoint name>``.

    The champion's (first production variant's) and not each variant's: Model Monitor watches an
    endpoint's captured traffic as a whole, one schedule per endpoint and type; challengers and a
    shadow are judged by their own variant metrics (docs/monitoring.md, 'A/B and shadow variants')."""
    family_folder = baseline_prefix(model_group_of(config, spec))
    family = spec.variants[0].model.latest_approved_of
    trained_here = any(f.name == family and f.training is not None for f in config.models)
    if config.trains_models and trained_here and not config.computes_model_monitor_baselines:
        pulumi.log.warn(
            f"endpoint {spec.name}: its Model Monitor jobs compare with the baselines of the version it "
            f"serves, and this stack's training of {family} registers none "
            "(training.model_monitor_baselines: false): a version registered from now on is monitored "
            f"against s3://<artifact bucket>/{family_folder} (put its baselines there), or set "
            "training.model_monitor_baselines: true"
        )
    resolved = packages.get(spec.name, {}).get(spec.variants[0].name)
    if resolved is not None and resolved.unusable_baselines:
        raise ModelResolutionError(f"endpoint {spec.name} monitors {resolved.unusable_baselines}")
    if resolved is not None and resolved.baselines is not None:
        return resolved.baselines
    if resolved is not None:
        pulumi.log.warn(
            f"endpoint {spec.name}: model version {resolved.arn} registered no DriftCheckBaselines; its "
            f"monitors read s3://<artifact bucket>/{family_folder} (put the version's baselines there)"
        )
    return MonitoringBaselines.in_folder(family_folder)


def drift_features(config: PlatformConfig, spec: EndpointSpec) -> list[str]:
    """The features the drift alarm of an endpoint watches: those of the family it is monitored as
    (:meth:`PlatformConfig.drift_features_of`)."""
    return config.drift_features_of(monitored_family_of(spec))


def served_family(config: PlatformConfig, spec: EndpointSpec) -> ModelFamilyConfig | None:
    """The family of this stack an endpoint is monitored as (its first production variant's), by
    name: the one it follows, or for another account's group the one its ``model.family`` names;
    None for such a group without ``family`` (nothing in the stack file says which family its
    versions are), a pinned version or an image."""
    family = monitored_family_of(spec)
    return next((model for model in config.models if model.name == family), None)


def warn_without_drift_alarm(config: PlatformConfig, spec: EndpointSpec) -> None:
    """Say so where a data-quality monitor runs on an endpoint but no drift alarm watches it (no
    features to alarm on): nothing pages on drift, and nothing retrains on it."""
    if drift_features(config, spec):
        return
    family = served_family(config, spec)
    retrains = (
        config.training.enabled
        and config.training.drift_retraining
        and family is not None
        and family.training is not None
        and not model_family_of(spec).startswith("arn:")
    )
    followed = monitored_family_of(spec)
    if family is not None and family.drift_features is not None:
        why = f"model family {followed}'s drift_features is empty"
    elif config.monitoring.drift_features is not None:
        why = "monitoring.drift_features is empty"
    elif followed.startswith("arn:"):
        why = (
            f"it follows another account's group ({followed}), which names no model family of this stack "
            "(name it with the variant's model.family)"
        )
    else:
        why = (
            f"model family {followed} has no feature group to take them from (models[].training.data."
            "feature_group, or a feature_groups entry of its name)"
        )
    pulumi.log.warn(
        f"endpoint {spec.name}: no drift alarm: its data-quality monitor runs, but nothing pages"
        f"{' or retrains' if retrains else ''} on drift, as the alarm watches named features and {why}: "
        "set the family's models[].drift_features or monitoring.drift_features (every monitored "
        "endpoint's; docs/monitoring.md)"
    )


def explainability_template(config: PlatformConfig, spec: EndpointSpec) -> dict[str, Any] | None:
    """The analysis config template of the family an endpoint with an explainability monitor is
    monitored as (``models[].explainability_config``, checked when the stack file was read); None
    without that monitor."""
    if not config.monitoring.model_monitors.explainability:
        return None
    family = served_family(config, spec)
    # stacks.config refuses an explainability monitor on an endpoint without one.
    assert family is not None and family.explainability_config is not None
    return read_template(Path(family.explainability_config))


def served_problem_type(config: PlatformConfig, spec: EndpointSpec) -> ProblemType:
    """The problem type an endpoint's model-quality monitor, alarms and dashboard read: the served
    family's ``training.problem_type`` where it trains in this stack (its pipeline computed the
    baseline as that), else ``monitoring.model_monitors.problem_type`` (a family trained elsewhere,
    a pinned version, an image)."""
    model = served_family(config, spec)
    if model is not None and model.training is not None:
        return model.training.problem_type
    return config.monitoring.model_monitors.problem_type


def served_monitor_spec(config: PlatformConfig, spec: EndpointSpec) -> ModelQualitySpec:
    """``monitoring.model_monitors`` for one endpoint: with the served family's problem type, so a
    stack serving a classifier and a regressor monitors each as what it is (the probability
    attribute only where the served model is a binary classifier)."""
    monitors = config.monitoring.model_monitors
    problem_type = served_problem_type(config, spec)
    if problem_type == monitors.problem_type:
        return monitors
    # The attributes say where one type's prediction is (stacks.config refuses them set for a stack
    # serving several types): another type reads its defaults, never the other's attribute.
    return monitors.model_copy(
        update={"problem_type": problem_type, "inference_attribute": None, "probability_attribute": None}
    )


def quality_alarm_family(config: PlatformConfig, spec: EndpointSpec) -> ModelFamilyConfig | None:
    """The family whose ``quality_alarms`` watch an endpoint: the one it serves, when it sets any and a
    model-quality monitor runs (stacks.config refuses thresholds without one)."""
    model = served_family(config, spec)
    if model is None or not model.quality_alarms or not config.monitoring.model_monitors.model_quality:
        return None
    return model
