"""The cross-section checks of serving and monitoring (:data:`~stacks.config.CROSS_CHECKS`): model
ARNs, batch scoring, live drift, monitored families, explainability, Evidently, prebuilt images,
Triton, model quality, drift features and prediction attributes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from components.observability.alarm_thresholds import MAX_DRIFT_FEATURES
from components.observability.model_quality_spec import quality_metric_problem
from components.prebuilt_images import (
    ANALYZER,
    CLARIFY,
    DISTRIBUTION,
    prebuilt_region_problem,
    regions_with_all,
)
from components.serving.batch_scoring_spec import EVIDENTLY_NEEDS_CSV, is_csv
from components.serving.triton import triton_region_problem
from stacks.arns import Arn, ArnError, parse_model_package_group_arn, parse_model_package_version_arn
from stacks.aws_regions import PARTITION as STACK_PARTITION
from stacks.aws_regions import SAGEMAKER_REGIONS
from stacks.config_errors import _not_a_family
from stacks.config_families import monitored_family_of
from stacks.input_limits import listed

if TYPE_CHECKING:
    from stacks.config import PlatformConfig


def _group_arn_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """The model ARNs of endpoint variants and shared endpoints' components, parsed field by field
    (the resolver and the IAM grants take their account, group and version from them):
    ``latest_approved_of`` naming another account's registry is a model package group ARN, a pinned
    ``model_package_arn`` a version's; either in the stack's region, where SageMaker creates the
    model (the resolver looks a group up there: another region's would read as never approved)."""
    models = [
        (f"endpoints[{index}].{kind}[{position}].model", variant.model)
        for index, endpoint in enumerate(config.endpoints)
        for kind in ("variants", "shadow_variants")
        for position, variant in enumerate(getattr(endpoint, kind))
    ] + [
        (f"shared_endpoints[{index}].components[{position}].model", component.model)
        for index, shared in enumerate(config.shared_endpoints)
        for position, component in enumerate(shared.components)
    ]
    # SageMaker names are case-insensitive and its ARNs lower-case (the console shows
    # model-package-group/prod-churn for family Churn): compare whatever the case.
    own_groups = {config.physical_name(family.name).lower(): family.name for family in config.models}
    for key, model in models:
        family, pinned = model.latest_approved_of, model.model_package_arn
        field = f"{key}.{'model_package_arn' if pinned else 'latest_approved_of'}"
        try:
            if pinned:
                arn = parse_model_package_version_arn(pinned).arn
            elif family and family.startswith("arn:"):
                group = parse_model_package_group_arn(family)
                arn = group.arn
                own = own_groups.get(group.group.lower())
                if own is not None and (arn.account, arn.region) == (config.account_id, config.region):
                    yield (
                        field,
                        f"this stack's own group of model family {own}: write latest_approved_of: {own}, "
                        "so the endpoint retrains the family and is monitored as it (an ARN is another "
                        "account's group, which this stack's training never registers into)",
                    )
                    continue
            else:
                continue
        except ArnError as error:
            yield field, str(error)
            continue
        if problem := _other_partition(arn):
            yield field, problem
        elif arn.region != config.region:
            yield (
                field,
                f"a model package in region {arn.region}; SageMaker creates a model only from a version in "
                f"the stack's region ({config.region}): copy it there, or follow a group of the stack's region",
            )


def _other_partition(arn: Arn) -> str | None:
    """Why an ARN of another partition cannot be the stack's: its regions are the commercial
    partition's (stacks/aws_regions.py), and no AWS call crosses partitions."""
    if arn.partition == STACK_PARTITION:
        return None
    return (
        f"an ARN of the {arn.partition} partition; the stack's regions are in the {STACK_PARTITION} "
        f"partition (arn:{STACK_PARTITION}:...), and AWS does not reach across partitions"
    )


def _batch_scoring_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A pinned batch-scoring version, parsed; SageMaker creates a model only from a version of
    its own region's registry."""
    for index, family in enumerate(config.models):
        pinned = family.batch_scoring.model_package_arn if family.batch_scoring else None
        if pinned is None:
            continue
        key = f"models[{index}].batch_scoring.model_package_arn"
        try:
            version = parse_model_package_version_arn(pinned)
        except ArnError as error:
            yield key, str(error)
            continue
        if problem := _other_partition(version.arn):
            yield key, problem
        elif version.arn.region != config.region:
            yield (
                key,
                f"a version in region {version.arn.region}; SageMaker creates the scoring model only from "
                f"a version in the stack's region ({config.region}): copy it there or pin one of that region",
            )


def _live_drift_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A live-drift pipeline compares an endpoint's traffic with the reference of the family its
    first variant follows: that family must be this stack's and have ``evidently``."""
    families = {family.name: family for family in config.models}
    positions = {spec.name: index for index, spec in enumerate(config.endpoints)}
    for spec in config.live_drift_endpoints:
        index = positions[spec.name]
        model = spec.variants[0].model
        family = model.family or model.latest_approved_of
        if family is None:
            yield (
                f"endpoints[{index}].variants[0].model",
                "monitoring.evidently compares an endpoint's traffic with the reference of the family "
                "it serves: its first variant must follow one (latest_approved_of), or capture nothing",
            )
        elif model.family is not None and model.family not in families:
            continue  # reported at its key by _monitored_family_problems
        elif family not in families or families[family].evidently is None:
            where = (
                f": set models[{list(families).index(family)}].evidently (image_tag: the Evidently image you "
                "pushed, docs/evidently.md)"
                if family in families
                else ""
            )
            yield (
                f"endpoints[{index}].variants[0].model.{'family' if model.family else 'latest_approved_of'}",
                f"monitoring.evidently needs model family {family}'s `evidently` (image, reference) in "
                f"this stack's models{where}"
                + (
                    "; for another account's group, name the family of this stack its versions are "
                    "(model.family)"
                    if family.startswith("arn:")
                    else ""
                ),
            )


def _monitored_family_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """``model.family`` (another account's versions monitored as a family of this stack): a family of
    this stack, on an endpoint's first production variant only, which is what the endpoint is
    monitored as (ModelSource refuses it without a group ARN)."""
    families = sorted(model.name for model in config.models)
    for index, endpoint in enumerate(config.endpoints):
        for kind in ("variants", "shadow_variants"):
            for position, variant in enumerate(getattr(endpoint, kind)):
                family = variant.model.family
                if family is None:
                    continue
                key = f"endpoints[{index}].{kind}[{position}].model.family"
                if (kind, position) != ("variants", 0):
                    yield (
                        key,
                        f"only an endpoint's first production variant says which family it is monitored "
                        f"as (endpoints[{index}].variants[0].model.family); a challenger or shadow is "
                        "judged by its own variant metrics: remove family",
                    )
                elif family not in families:
                    yield (
                        key,
                        f"{_not_a_family(family, families)}: name the one whose problem type, drift "
                        "features and quality_alarms the endpoint's monitors use, or remove family",
                    )
    for index, shared in enumerate(config.shared_endpoints):
        for position, component in enumerate(shared.components):
            if component.model.family is not None:
                yield (
                    f"shared_endpoints[{index}].components[{position}].model.family",
                    "a shared endpoint's components are not monitored as a family (no Model Monitor, drift "
                    "or quality alarms): remove family",
                )


def _explainability_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Each endpoint an explainability monitor runs on is monitored as a family of this stack with an
    analysis config template (``models[].explainability_config``): the platform writes the endpoint's
    config from it, naming the model the endpoint serves."""
    if not config.monitoring.model_monitors.explainability:
        return
    families = {model.name: index for index, model in enumerate(config.models)}
    for spec in config.monitored_endpoints:
        family = monitored_family_of(spec)
        index = families.get(family)
        if index is None:
            yield (
                "monitoring.model_monitors.explainability",
                f"endpoint {spec.name} is monitored as '{family}', not a model family of this stack, so no "
                "models[].explainability_config says how Clarify explains its model: serve a family of this "
                "stack (another account's versions: name one with variants[0].model.family), or switch the "
                "explainability monitor off",
            )
        elif config.models[index].explainability_config is None:
            yield (
                f"models[{index}].explainability_config",
                f"missing: endpoint {spec.name}'s explainability monitor (monitoring.model_monitors."
                "explainability) explains this family's model with it: the path of a JSON analysis config "
                "template (headers, methods.shap, predictor.instance_type and initial_instance_count; the "
                "platform adds the model), see docs/monitoring.md",
            )


def _evidently_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """An Evidently report needs a pipeline to run in: the family's training or batch scoring; in
    batch scoring it reads the batch input, which it can only read as CSV."""
    for index, family in enumerate(config.models):
        if family.evidently is None:
            continue
        trains = config.trains_models and family.training is not None
        if not (trains or family.batch_scoring is not None):
            yield (
                f"models[{index}].evidently",
                "no pipeline would run the report: give the family `training` (in a stack with "
                "`training.enabled`) or `batch_scoring`, or remove `evidently`",
            )
        batch = family.batch_scoring
        if batch is not None and not is_csv(batch.content_type):
            yield (
                f"models[{index}].batch_scoring.content_type",
                f"{batch.content_type!r}: {EVIDENTLY_NEEDS_CSV}",
            )


def _prebuilt_image_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Model Monitor's analyzer, Clarify and SageMaker Distribution, where the stack runs them,
    published in its region: the training pipeline's build resolves the analyzer and SageMaker
    Distribution from the SDK's tables and fails where a table does not list the region, and the
    monitors' image URIs come from the repository's copy of the same maps
    (:mod:`components.prebuilt_images`). The regions suggested have every image the stack runs,
    not just the missing one."""
    monitors = config.monitoring.model_monitors
    uses = (
        (
            config.trains_models and config.computes_model_monitor_baselines,
            ANALYZER,
            "the training pipelines' baseline steps (training.enabled, training.model_monitor_baselines)",
        ),
        (
            bool(config.monitored_endpoints),
            ANALYZER,
            "the endpoints' Model Monitor jobs (monitoring.enabled)",
        ),
        (
            bool(config.monitored_endpoints) and (monitors.bias or monitors.explainability),
            CLARIFY,
            "the bias and explainability monitors (monitoring.model_monitors)",
        ),
        (
            config.trains_models and config.experiment_tracking.enabled,
            DISTRIBUTION,
            "the training pipelines' TrackExperiment steps (experiment_tracking.enabled)",
        ),
        (
            bool(config.feature_training),
            DISTRIBUTION,
            "the training pipelines' ExtractFeatures steps (models[].training.data.feature_group)",
        ),
    )
    used = [(repository, used_by) for on, repository, used_by in uses if on]
    alternatives = regions_with_all((repository for repository, _ in used), SAGEMAKER_REGIONS)
    for repository, used_by in used:
        problem = prebuilt_region_problem(repository, config.region, used_by, alternatives)
        if problem:
            yield "region", problem
            return


def _triton_region_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Triton variants whose SageMaker image release is not published in the stack's region."""
    for index, endpoint in enumerate(config.endpoints):
        for kind in ("variants", "shadow_variants"):
            for position, variant in enumerate(getattr(endpoint, kind)):
                triton = variant.model.triton
                problem = triton_region_problem(triton.version, config.region) if triton else None
                if problem:
                    yield f"endpoints[{index}].{kind}[{position}].model.triton.version", problem


def _model_quality_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    monitors = config.monitoring.model_monitors
    for index, model in enumerate(config.models):
        if not model.quality_alarms:
            continue
        if not config.monitoring.enabled:
            continue  # nothing is monitored, so no monitor's alarm exists
        if not config.monitoring.model_monitor:
            yield (
                f"models[{index}].quality_alarms",
                "no model-quality monitor publishes these metrics: monitoring.model_monitor is false (no "
                "Model Monitor schedules); remove quality_alarms, or set model_monitor: true",
            )
            continue
        if not monitors.model_quality:
            yield (
                f"models[{index}].quality_alarms",
                "no model-quality monitor publishes these metrics: set monitoring.model_monitors.model_quality: true",
            )
            continue
        source = "training.problem_type" if model.training else "monitoring.model_monitors.problem_type"
        problem_type = model.training.problem_type if model.training else monitors.problem_type
        for metric in model.quality_alarms:
            problem = quality_metric_problem(problem_type, metric)
            if problem:
                yield f"models[{index}].quality_alarms.{metric}", f"{problem} (the family's {source})"


def _drift_feature_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A drift alarm reads at most MAX_DRIFT_FEATURES metrics: the features derived from a wide
    feature group are refused here, naming the key that chooses them, not in the middle of a plan."""
    if config.monitoring.drift_features is not None:
        return  # the field itself is bounded
    chosen = {model.name for model in config.models if model.drift_features is not None}
    for spec in config.monitored_endpoints:
        family = monitored_family_of(spec)
        if family in chosen:
            continue  # the family's own drift_features, bounded as the field
        features = config.derived_drift_features(family)
        if len(features) > MAX_DRIFT_FEATURES:
            yield (
                "monitoring.drift_features",
                f"unset, so endpoint {spec.name}'s drift alarm would watch the {len(features)} model inputs of "
                f"model family {family}'s feature group ({listed(features)}), but an alarm reads at "
                f"most {MAX_DRIFT_FEATURES}: list the {MAX_DRIFT_FEATURES} or fewer that matter most (here, or "
                "in the family's models[].drift_features)",
            )


def _prediction_attribute_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """``monitoring.model_monitors.inference_attribute`` / ``probability_attribute`` say where one
    problem type's prediction is in a response: an endpoint serving a family trained here as another
    type is monitored as that type, from the defaults (column 0), never from the other's attribute."""
    monitors = config.monitoring.model_monitors
    if not monitors.kinds:
        return
    trained = {model.name: model.training for model in config.models if model.training}
    for key in ("inference_attribute", "probability_attribute"):
        if getattr(monitors, key) is None:
            continue
        for spec in config.monitored_endpoints:
            family = monitored_family_of(spec)  # the family the endpoint is monitored as
            training = trained.get(family)
            if training is not None and training.problem_type != monitors.problem_type:
                yield (
                    f"monitoring.model_monitors.{key}",
                    f"{getattr(monitors, key)!r} says where a {monitors.problem_type} model's prediction is, but "
                    f"endpoint {spec.name} serves model family {family}, a {training.problem_type} (its "
                    "training.problem_type) that is monitored as one: leave it unset (column 0 of each "
                    f"response), or serve only {monitors.problem_type} families from this stack",
                )
                break
