"""Batch scoring: per model family with ``batch_scoring``, a scheduled transform pipeline.

The version scored is resolved like an endpoint's (``stacks.resolution``): the family's latest
Approved version at `pulumi up`, or the pinned ``model_package_arn``. A family with nothing approved
yet is *deferred* with a warning saying what to do next; the `pulumi up` after an approval creates
its batch scoring (and moves it to each newly approved version).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.output_text import concat
from components.policy_documents import SharedObjects, s3_url_arn
from components.serving.batch_scoring import BatchEvidently, BatchScoring, BatchScoringArgs
from stacks.composition.foundation import Foundation, framework_images
from stacks.config import PLATFORM_TAG_KEYS, ModelFamilyConfig, PlatformConfig
from stacks.defaults import REQUIRED_TAG_KEYS
from stacks.model_packages import ModelPackageResolver, NoApprovedVersion, ResolvedModelPackage
from stacks.resolution import _next_steps
from stacks.serving_builds import warn_of_image_builds


def batch_pipeline_name(config: PlatformConfig, family: str) -> str:
    """The family's batch-scoring pipeline: ``<prefix>-<family>-batch-scoring``."""
    return config.physical_name(f"{family}-batch-scoring")


@dataclass(frozen=True)
class BatchScoringPlan:
    """The families scored this run, with their versions, and those that wait for an approval."""

    packages: dict[str, ResolvedModelPackage] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)


def resolve_batch_scoring(config: PlatformConfig, resolve: ModelPackageResolver) -> BatchScoringPlan:
    plan = BatchScoringPlan()
    for family in _scored(config):
        spec = family.batch_scoring
        assert spec is not None
        source = spec.model_package_arn or config.model_package_group(family.name)
        try:
            plan.packages[family.name] = package = resolve(source)
        except NoApprovedVersion as nothing:
            state = "has no Approved version yet" if nothing.group_exists else "does not exist yet"
            message = (
                f"batch scoring of model family {family.name} is deferred: model package group "
                f"{nothing.group} {state}. This `pulumi up` creates no pipeline "
                f"{batch_pipeline_name(config, family.name)}. Next: "
                + "; ".join(_next_steps(config, family.name))
                + "; then run `pulumi up` again (docs/batch-scoring.md)."
            )
            plan.deferred[family.name] = message
            pulumi.log.warn(message)
        else:
            warn_of_image_builds(f"batch scoring of model family {family.name}", package, spec.instance_type)
    return plan


def build_batch_scoring(
    config: PlatformConfig, foundation: Foundation, plan: BatchScoringPlan, opts: pulumi.ResourceOptions
) -> dict[str, BatchScoring]:
    network = foundation.network
    scored = {}
    for family in _scored(config):
        if family.name not in plan.packages:
            continue
        assert family.batch_scoring is not None
        scored[family.name] = BatchScoring(
            f"batch-{family.name}",
            BatchScoringArgs(
                spec=family.batch_scoring,
                family=family.name,
                pipeline_name=batch_pipeline_name(config, family.name),
                model_package_arn=plan.packages[family.name].arn,
                account_id=config.account_id,
                region=config.region,
                datasets_bucket_name=foundation.datasets.bucket_name,
                datasets_bucket_arn=foundation.datasets.bucket_arn,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                kms_key_arn=foundation.data_key.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                image_registry_accounts=[config.account_id, *config.trusted_image_registry_accounts],
                aws_images=framework_images(config, ("inference",), [family.name]),
                role_path=config.role_path,
                tags=config.resource_tags,
                data_capture=config.monitoring.enabled,
                shared_model_objects=_shared(plan.packages[family.name], config.account_id),
                evidently=_evidently(family, foundation),
                object_tag_keys=(*PLATFORM_TAG_KEYS, *REQUIRED_TAG_KEYS),
            ),
            opts,
        )
    return scored


def _evidently(family: ModelFamilyConfig, foundation: Foundation) -> BatchEvidently | None:
    """The family's Evidently report of each batch input (image and publisher role: the stack's)."""
    repository, role = foundation.evidently_repository, foundation.drift_metrics_role
    if family.evidently is None or repository is None or role is None:
        return None
    return BatchEvidently(
        spec=family.evidently,
        image_uri=concat(repository.repository_url, ":", family.evidently.image_tag),
        publisher_role_arn=role.role_arn,
    )


def _shared(package: ResolvedModelPackage, account_id: str) -> list[SharedObjects]:
    """The artifacts of a version another account's registry holds (read across accounts)."""
    if package.account == account_id or not package.model_data_urls:
        return []
    objects = sorted({s3_url_arn(url) for url in package.model_data_urls})
    return [SharedObjects(package.account, tuple(objects))]


def _scored(config: PlatformConfig) -> list[ModelFamilyConfig]:
    return [family for family in config.models if family.batch_scoring is not None]
