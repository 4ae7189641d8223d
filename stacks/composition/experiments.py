"""Experiments: the MLflow tracking server."""

from __future__ import annotations

import pulumi

from components.experiments.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from stacks.composition.foundation import Foundation
from stacks.config import PlatformConfig


def build_experiment_tracking(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> ExperimentTracking | None:
    if not config.experiment_tracking.enabled:
        return None
    return ExperimentTracking(
        "experiment-tracking",
        ExperimentTrackingArgs(
            spec=config.experiment_tracking,
            account_id=config.account_id,
            region=config.region,
            artifact_bucket_name=foundation.artifacts.bucket_name,
            artifact_bucket_arn=foundation.artifacts.bucket_arn,
            kms_key_arn=foundation.data_key.key_arn,
            role_path=config.role_path,
            tags=config.resource_tags,
            name_prefix=config.name_prefix,
            protected_model_package_groups=[config.physical_name(family.name) for family in config.models],
        ),
        opts,
    )
