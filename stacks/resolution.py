"""Which endpoints this run serves, with which model versions, and which wait for a first version.

Before any endpoint is registered, each registry-backed variant's source (``latest_approved_of``,
or a pinned ``model_package_arn``) is resolved to the version to deploy. On a first `pulumi up`
the families' model package groups do not exist yet (this very run creates them), so nothing is
approved: such an endpoint is *deferred*. Everything else is created (registry, pipelines,
triggers, alert topic), and one warning per deferred endpoint says what to do next; the
`pulumi up` after a version is approved creates it.

Deferral never removes what serves traffic: an endpoint that already exists keeps serving the
version each variant runs now (a rollback that rejected the only approved version, say), with a
warning; one whose variant has nothing to keep serving (a new shadow variant of a family with
nothing approved) stops the run with an error instead. A pinned version that does not resolve is
an error too: the stack file named something that is not there. So is, in a stack that requires
model cards (``model_registry.require_model_card``, staging and prod), a version of its own
registry without one: the error names the command that creates it (``stacks.model_cards``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.serving.inference_endpoint_spec import (
    MODEL_PACKAGE_VERSION_ARN,
    EndpointSpec,
    ModelSource,
    VariantSpec,
)
from components.serving.shared_endpoint_spec import InferenceComponentSpec, SharedEndpointSpec
from stacks import naming
from stacks.config import PlatformConfig
from stacks.model_cards import create_card_command, model_card_name
from stacks.model_packages import (
    DeployedLookup,
    ModelPackageResolver,
    ModelResolutionError,
    NoApprovedVersion,
    ResolvedModelPackage,
    nothing_deployed,
)
from stacks.serving_builds import warn_of_image_builds

ResolvedPackages = Mapping[str, Mapping[str, ResolvedModelPackage]]
"""Endpoint name → variant name → the version it deploys (variants with a registry source)."""


@dataclass(frozen=True)
class Serving:
    """The endpoints this run creates, and those it defers."""

    endpoints: list[EndpointSpec]
    """Served this run, in stack-file order."""
    monitored: list[EndpointSpec]
    """Of those, the ones that get monitors and alarms (monitoring on, traffic captured)."""
    packages: ResolvedPackages = field(default_factory=dict)
    deferred: Mapping[str, str] = field(default_factory=dict)
    """Endpoint name → why it waits and what to do next (also logged as a warning)."""
    shared_endpoints: list[SharedEndpointSpec] = field(default_factory=list)
    """Shared endpoints (inference components) served this run, in stack-file order."""
    shared_packages: ResolvedPackages = field(default_factory=dict)
    """Shared endpoint name → component name → the version it deploys."""
    live_drift: list[EndpointSpec] = field(default_factory=list)
    """Of the endpoints served, the ones with an Evidently live-drift pipeline (``monitoring.evidently``)."""


def registry_source(config: PlatformConfig, model: ModelSource) -> str | None:
    """What the resolver looks up: a family's model package group (prefixed when it is this
    stack's, an ARN as it is) or a pinned version's ARN; None for an image."""
    if model.latest_approved_of:
        return config.model_package_group(model.latest_approved_of)
    return model.model_package_arn


def resolve_serving(
    config: PlatformConfig, resolve: ModelPackageResolver, deployed: DeployedLookup = nothing_deployed
) -> Serving:
    """Resolve every registry-backed variant; defer the endpoints with nothing approved to serve,
    unless they exist (``deployed``: what an endpoint serves now, by its physical name)."""
    packages: dict[str, dict[str, ResolvedModelPackage]] = {}
    deferred: dict[str, str] = {}
    for spec in config.endpoints:
        resolved: dict[str, ResolvedModelPackage] = {}
        waiting: list[tuple[VariantSpec, NoApprovedVersion]] = []
        for variant in [*spec.variants, *spec.shadow_variants]:
            source = registry_source(config, variant.model)
            if source is None:
                continue
            try:
                resolved[variant.name] = resolve(source)
            except NoApprovedVersion as nothing:
                waiting.append((variant, nothing))
            else:
                _require_model_card(config, spec, variant, resolved[variant.name])
                warn_of_image_builds(
                    f"endpoint {spec.name}, variant {variant.name}",
                    resolved[variant.name],
                    variant.instance_type,
                )
        if waiting and (current := deployed(config.endpoint_name(spec.name))) is not None:
            resolved |= _keep_serving(spec, waiting, current.versions, resolve)
        elif waiting:
            deferred[spec.name] = deferral_message(config, spec, waiting)
            pulumi.log.warn(deferred[spec.name])
            continue
        packages[spec.name] = resolved
    served = [spec for spec in config.endpoints if spec.name not in deferred]
    monitored = [spec for spec in config.monitored_endpoints if spec.name not in deferred]
    shared, shared_packages = _resolve_shared(config, resolve, deployed, deferred)
    return Serving(
        endpoints=served,
        monitored=monitored,
        packages=packages,
        deferred=deferred,
        shared_endpoints=shared,
        shared_packages=shared_packages,
        live_drift=[spec for spec in config.live_drift_endpoints if spec.name not in deferred],
    )


def _resolve_shared(
    config: PlatformConfig,
    resolve: ModelPackageResolver,
    deployed: DeployedLookup,
    deferred: dict[str, str],
) -> tuple[list[SharedEndpointSpec], dict[str, dict[str, ResolvedModelPackage]]]:
    """Resolve every registry-backed component of the shared endpoints. One with nothing approved
    defers its endpoint while that does not exist (a warning in ``deferred``); on an existing
    endpoint it stops the run, since deferring would delete the endpoint with every other model."""
    served, packages = [], {}
    for spec in config.shared_endpoints:
        resolved: dict[str, ResolvedModelPackage] = {}
        waiting: list[tuple[str, str | None, NoApprovedVersion]] = []
        for component in spec.components:
            source = registry_source(config, component.model)
            if source is None:
                continue
            try:
                resolved[component.name] = resolve(source)
            except NoApprovedVersion as no_version:
                waiting.append((component.name, component.model.latest_approved_of, no_version))
            else:
                _require_model_card(config, spec, component, resolved[component.name])
                warn_of_image_builds(
                    f"shared endpoint {spec.name}, component {component.name}",
                    resolved[component.name],
                    spec.instance_type,
                    # A copy without accelerator devices sees no GPU.
                    accelerated=bool(component.compute.accelerators),
                )
        if waiting and deployed(config.endpoint_name(spec.name)) is not None:
            # Every waiting component, in stack-file order: the run fails until each is dealt with.
            reasons = "; ".join(
                f"component {name} follows model package group {nothing.group}, which has no Approved version"
                for name, _, nothing in waiting
            )
            remedy = (
                "approve one, or remove the component"
                if len(waiting) == 1
                else "approve a version of each group, or remove those components"
            )
            raise ModelResolutionError(
                f"shared endpoint {spec.name} is deployed, and its {reasons}: {remedy} from the stack file "
                "(deferring would delete the endpoint and every model on it)"
            )
        if waiting:
            reasons = "; ".join(
                f"component {name} follows model package group {nothing.group}, which "
                + ("has no Approved version yet" if nothing.group_exists else "does not exist yet")
                for name, _, nothing in waiting
            )
            families = sorted({family for _, family, _ in waiting if family})
            steps = [step for family in families for step in _next_steps(config, family)]
            deferred[spec.name] = (
                f"shared endpoint {spec.name} is deferred: {reasons}. This `pulumi up` creates everything "
                f"else and no endpoint {config.endpoint_name(spec.name)}. Next: "
                + "; ".join(steps or ["approve a version of each group"])
                + "; then run `pulumi up` again, which creates the endpoint."
            )
            pulumi.log.warn(deferred[spec.name])
            continue
        served.append(spec)
        packages[spec.name] = resolved
    return served, packages


def _require_model_card(
    config: PlatformConfig,
    spec: EndpointSpec | SharedEndpointSpec,
    variant: VariantSpec | InferenceComponentSpec,
    package: ResolvedModelPackage,
) -> None:
    """Stop the run when the stack requires model cards and the version to deploy has none.

    Only a version whose card was looked up is judged: the offline plan reads no registry, and a
    version of another account's registry has its card there (its own stack requires it).
    """
    if not (config.model_registry.require_model_card and package.model_card_checked):
        return
    if package.model_card is not None:
        return
    match = MODEL_PACKAGE_VERSION_ARN.match(package.arn)
    group, version = (match["group"], match["version"]) if match else (package.arn, "?")
    # pipelines.promotion takes a family of the stack file it is given (models[].name), never a group
    # ARN, and judges only versions of that family's group (names compared as SageMaker does, whatever
    # their case): the family whose group this is, if any.
    family = next(
        (m.name for m in config.models if config.model_package_group(m.name).lower() == group.lower()), None
    )
    if family is None:
        subject = f"model package group {group}"
        create = (
            "The group is no family of this stack: create the card with the stack file whose family it is, "
            f"{create_card_command('<its family>', package.arn, stack_file='<that stack file>')}"
        )
    else:
        subject = f"model family {family}"
        create = f"Create it: {create_card_command(family, package.arn)}"
    raise ModelResolutionError(
        f"endpoint {spec.name}, variant {variant.name}: version {version} of {subject} ({package.arn}) has "
        f"no model card {model_card_name(group, version)}, and this stack deploys only versions with one "
        f"(model_registry.require_model_card). {create}; then run `pulumi up` again"
    )


def _keep_serving(
    spec: EndpointSpec,
    waiting: list[tuple[VariantSpec, NoApprovedVersion]],
    serving_now: Mapping[str, str],
    resolve: ModelPackageResolver,
) -> dict[str, ResolvedModelPackage]:
    """The versions a deployed endpoint's waiting variants run now, so that it keeps serving them."""
    kept = {}
    for variant, nothing in waiting:
        version = serving_now.get(variant.name)
        if version is None:
            raise ModelResolutionError(
                f"endpoint {spec.name} is deployed, and its variant {variant.name} follows model package "
                f"group {nothing.group}, which has no Approved version: approve one, or remove the "
                "variant from the stack file (deferring it would replace the endpoint without it)"
            )
        kept[variant.name] = resolve(version)
        pulumi.log.warn(
            f"endpoint {spec.name}: model package group {nothing.group} has no Approved version now; "
            f"variant {variant.name} keeps serving {version}, the version it runs (approve a version of "
            "the group to move on)"
        )
    return kept


def deferral_message(
    config: PlatformConfig, spec: EndpointSpec, waiting: list[tuple[VariantSpec, NoApprovedVersion]]
) -> str:
    """One warning: which endpoint waits, for which group, and the steps that end the wait."""
    reasons = "; ".join(
        f"variant {variant.name} follows model package group {nothing.group}, which "
        + ("has no Approved version yet" if nothing.group_exists else "does not exist yet")
        for variant, nothing in waiting
    )
    families = sorted(
        {variant.model.latest_approved_of for variant, _ in waiting if variant.model.latest_approved_of}
    )
    steps = [step for family in families for step in _next_steps(config, family)]
    return (
        f"endpoint {spec.name} is deferred: {reasons}. This `pulumi up` creates everything else and no "
        f"endpoint {config.endpoint_name(spec.name)}. Next: " + "; ".join(steps) + "; then run `pulumi up` "
        "again, which creates the endpoint (README.md, 'First deploy')."
    )


def _next_steps(config: PlatformConfig, family: str) -> list[str]:
    group = config.model_package_group(family)
    if family.startswith("arn:"):
        return [f"approve a version in the registry that owns {group} (its own stack's training pipeline)"]
    if not config.training.enabled:
        return [f"register a version in model package group {group} and approve it"]
    pipeline = naming.training_pipeline_name(group)
    steps = [
        f"put training data under training-data/{family}/ of the datasets bucket and start the pipeline "
        f"(aws sagemaker start-pipeline-execution --pipeline-name {pipeline})"
    ]
    if config.model_registry.approval == "manual":
        steps.append(
            f"approve the version it registers (python -m pipelines.promotion --stack-file <this stack file> "
            f"--model {family} --package-arn <version ARN>)"
        )
    else:
        steps.append("a version that passes evaluation is approved automatically in this stack")
    return steps
