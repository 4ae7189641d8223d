"""What the foundation's roles and keys are scoped to, read from the stack's config: the trained
families' dataset prefixes, the framework and prebuilt images, the families served, the consumer
accounts, whether Evidently runs, and the cost alerts' key grants."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pulumi

from components.foundation.encryption_key import ServiceKeyGrant
from components.observability.cost_guardrails import budgets_key_grant, cost_anomaly_key_grant
from components.policy_documents import Statement, s3_read
from components.prebuilt_images import ANALYZER, DISTRIBUTION, prebuilt_repository_uri
from components.serving.inference_endpoint_spec import MODEL_PACKAGE_VERSION_ARN, ModelSource
from components.training.frameworks import SCOPES, repository_uris
from components.training.training_spec import training_data_prefix
from stacks.config import PlatformConfig


def training_dataset_prefixes(config: PlatformConfig) -> list[str]:
    """What the training role reads of the datasets bucket: each trained family's training-data
    prefix (its pipelines' input) and its Evidently reference, not the whole bucket (the DVC
    remote's files, other families' data). None where no family trains here."""
    return sorted(
        {
            prefix
            for family in (config.models if config.trains_models else [])
            if family.training is not None
            for prefix in (
                training_data_prefix(family.name),
                *([family.evidently.reference(family.name)] if family.evidently is not None else []),
            )
        }
    )


def training_dataset_reads(config: PlatformConfig, datasets_arn: pulumi.Input[str]) -> list[Statement]:
    """Read and list :func:`training_dataset_prefixes` (nothing when there are none)."""
    prefixes = training_dataset_prefixes(config)
    return s3_read(datasets_arn, prefixes) if prefixes else []


def framework_images(
    config: PlatformConfig, scopes: tuple[str, ...] = SCOPES, families: Collection[str] | None = None
) -> list[str]:
    """The ECR repositories of the SageMaker framework images (``scopes``) the stack's families
    (those named in ``families``, or all) train and serve with (``models[].training.framework``),
    in AWS's registry accounts of the region: SageMaker pulls them with the job's or model's
    execution role (see :func:`components.policy_documents.ecr_pull_images`)."""
    if not config.trains_models:
        return []
    return sorted(
        {
            uri
            for family in config.models
            if family.training is not None and (families is None or family.name in families)
            for uri in repository_uris(
                family.training.framework.name, family.training.framework.version, config.region, scopes
            )
        }
    )


def served_families(config: PlatformConfig, sources: Iterable[ModelSource]) -> set[str]:
    """The families of this stack (trained here) whose versions ``sources`` serve: the latest
    approved version of one, or a version of its group in this account's registry. A version of
    another account's registry, or an image, names no family of this stack."""
    groups = {config.model_package_group(f.name): f.name for f in config.models if f.training is not None}
    found: set[str] = set()
    for source in sources:
        if source.latest_approved_of is not None and source.latest_approved_of in groups.values():
            found.add(source.latest_approved_of)
        arn = source.model_package_arn or ""
        pinned = MODEL_PACKAGE_VERSION_ARN.match(arn)
        if pinned and arn.split(":")[4] == config.account_id and pinned["group"] in groups:
            found.add(groups[pinned["group"]])
    return found


def training_images(config: PlatformConfig) -> list[str]:
    """What the training role's jobs run from AWS's registries: the families' framework images
    (training, processing and tuning jobs the training image, the pipeline's model the inference
    one) and Model Monitor's analyzer for the baselining jobs."""
    analyzer = (
        prebuilt_repository_uri(ANALYZER, config.region)
        if config.trains_models and config.computes_model_monitor_baselines
        else None
    )
    return [*framework_images(config), *([analyzer] if analyzer else [])]


def _distribution_image(config: PlatformConfig) -> list[str]:
    """SageMaker Distribution, the image of TrackExperiment and ExtractFeatures."""
    image = prebuilt_repository_uri(DISTRIBUTION, config.region) if config.trains_models else None
    return [image] if image else []


def cost_alert_grants(config: PlatformConfig) -> list[ServiceKeyGrant]:
    """AWS Budgets and Cost Anomaly Detection use the notifications key, where ``budget.enabled``."""
    if not config.budget.enabled:
        return []
    return [
        budgets_key_grant(config.region, config.account_id),
        cost_anomaly_key_grant(config.region, config.account_id),
    ]


def consumer_accounts(config: PlatformConfig) -> list[str]:
    """Accounts that deploy this stack's model versions (the union over model families)."""
    return sorted({account for model in config.models for account in model.consumer_accounts})


def _consumer_key_statements(config: PlatformConfig, consumers: list[str]) -> list[dict]:
    """Consumer accounts decrypt model artifacts, and only while reading them through S3."""
    if not consumers:
        return []
    return [
        {
            "Sid": "ConsumerAccountsDecryptModelArtifacts",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{account}:root" for account in consumers]},
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{config.region}.amazonaws.com"}},
        }
    ]


def uses_evidently(config: PlatformConfig) -> bool:
    """Whether a model family has an Evidently report, or an endpoint a live-drift pipeline (the image
    repository and the publisher role they share)."""
    return bool(config.live_drift_endpoints) or any(family.evidently is not None for family in config.models)
