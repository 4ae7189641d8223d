"""Data: the feature store and the DVC remote."""

from __future__ import annotations

import pulumi

from components.data.dvc_remote import DvcRemote, DvcRemoteArgs
from components.data.feature_query_workgroup import FeatureQueryWorkgroup, FeatureQueryWorkgroupArgs
from components.data.feature_store import FeatureStore, FeatureStoreArgs
from stacks import naming
from stacks.composition.foundation import Foundation
from stacks.config import PlatformConfig


def build_feature_store(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> FeatureStore | None:
    if not config.feature_groups:
        return None
    return FeatureStore(
        "feature-store",
        FeatureStoreArgs(
            groups=config.feature_groups,
            account_id=config.account_id,
            region=config.region,
            data_bucket_name=foundation.datasets.bucket_name,
            data_bucket_arn=foundation.datasets.bucket_arn,
            kms_key_arn=foundation.data_key.key_arn,
            role_path=config.role_path,
            tags=config.resource_tags,
            retain=config.protect_stateful_resources,
            name_prefix=config.name_prefix,
        ),
        opts,
    )


def build_feature_query_workgroup(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> FeatureQueryWorkgroup | None:
    """The Athena workgroup of the pipelines' offline-store reads, where a family trains from a group."""
    if not config.feature_training:
        return None
    return FeatureQueryWorkgroup(
        "feature-queries",
        FeatureQueryWorkgroupArgs(
            workgroup_name=naming.feature_query_workgroup_name(config.name_prefix),
            account_id=config.account_id,
            results_bucket_name=foundation.artifacts.bucket_name,
            kms_key_arn=foundation.data_key.key_arn,
            bytes_scanned_cutoff_per_query=config.feature_queries.scan_limit_gb * 1024**3,
            tags=config.resource_tags,
        ),
        opts,
    )


def build_dvc_remote(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> DvcRemote | None:
    spec = config.dvc_remote
    if not spec.enabled:
        return None
    return DvcRemote(
        "dvc-remote",
        DvcRemoteArgs(
            account_id=config.account_id,
            region=config.region,
            bucket_name=foundation.datasets.bucket_name,
            bucket_arn=foundation.datasets.bucket_arn,
            kms_key_arn=foundation.data_key.key_arn,
            prefix=spec.prefix,
            trusted_principals=spec.trusted_principals,
            github_subjects=spec.github_subjects,
            role_path=config.role_path,
            tags=config.resource_tags,
        ),
        opts,
    )
