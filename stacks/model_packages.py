"""Resolving ``latest_approved_of`` model sources to a model package version.

A real `pulumi preview`/`up` asks the registry (SageMaker ListModelPackages) for the newest
Approved version of the group, so approving a version and re-running `pulumi up` is the
deployment. The offline plan never reads cloud state: it uses :func:`offline_resolver`, whose ARN
says plainly that the version is decided at deploy time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ModelPackageResolver = Callable[[str], str]
"""Model family (group name or ARN) → model package version ARN."""


class ModelResolutionError(Exception):
    """The registry has no approved version to deploy."""


def latest_approved_package(sagemaker: Any, group: str) -> str:
    """The ARN of the newest Approved version in ``group`` (``sagemaker`` is a boto3 client)."""
    response = sagemaker.list_model_packages(
        ModelPackageGroupName=group,
        ModelApprovalStatus="Approved",
        SortBy="CreationTime",
        SortOrder="Descending",
        MaxResults=1,
    )
    packages = response.get("ModelPackageSummaryList", [])
    if not packages:
        raise ModelResolutionError(
            f"model family {group!r} has no Approved version to deploy: approve one "
            "(python -m pipelines.promotion ...) or pin `model.model_package_arn` in the stack file"
        )
    return packages[0]["ModelPackageArn"]


def registry_resolver(region: str) -> ModelPackageResolver:
    """Resolve against the live registry of ``region`` (used by `pulumi preview`/`up`)."""
    import boto3

    client = boto3.client("sagemaker", region_name=region)
    return lambda group: latest_approved_package(client, group)


def offline_resolver(region: str, account_id: str) -> ModelPackageResolver:
    """A stand-in for the offline plan: an ARN naming the group and saying the version is resolved later."""
    return lambda group: f"arn:aws:sagemaker:{region}:{account_id}:model-package/{group}/latest-approved"
