"""Resolving ``latest_approved_of`` model sources to a model package version and its baselines.

A real `pulumi preview`/`up` asks the registry (SageMaker ListModelPackages) for the newest
Approved version of the group, so approving a version and re-running `pulumi up` is the
deployment. The same call reads the version's DriftCheckBaselines (the training pipeline
registers the baselines its execution wrote), so an endpoint's monitors compare traffic with the
baselines of the version it serves: a later version that passed evaluation but is not approved
changes nothing. A family with nothing Approved yet (a first deploy creates its group) raises
:class:`NoApprovedVersion`, and the platform defers the endpoints serving it (``stacks.resolution``).
The offline plan never reads cloud state: it uses :func:`offline_resolver`, whose ARN (version
:data:`OFFLINE_VERSION`, a number no registry reaches) and baseline folder (``latest-approved``)
stand for the version decided at deploy time, or :func:`empty_registry_resolver` to show a first
deploy.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from components.observability.monitoring_baselines import MonitoringBaselines
from components.observability.monitoring_spec import baseline_prefix
from components.serving.inference_endpoint_spec import MODEL_PACKAGE_VERSION_ARN
from stacks.arns import ArnError, parse_arn, parse_model_package_group_arn
from stacks.model_cards import model_card_name
from stacks.naming import training_pipeline_name

DATA_QUALITY, MODEL_QUALITY = "ModelDataQuality", "ModelQuality"
"""The DriftCheckBaselines blocks the monitors use."""


@dataclass(frozen=True)
class ResolvedModelPackage:
    arn: str
    baselines: MonitoringBaselines | None
    """The version's DriftCheckBaselines, or None when it registered none (a version registered
    outside the training pipeline): its monitors then read the family folder's baselines."""
    model_data_urls: tuple[str, ...] = ()
    """The ``s3://`` model artifacts of the version's containers (its InferenceSpecification)."""
    images: tuple[str, ...] = ()
    """The images of the version's containers (empty offline: the version is decided at deploy
    time), for :func:`stacks.serving_builds.build_mismatch`."""
    unusable_baselines: str | None = None
    """Why the version's DriftCheckBaselines cannot be monitored against (then ``baselines`` is
    None). Only an endpoint that monitors this version fails on it: see
    :func:`stacks.composition.observability.served_baselines`."""
    model_card: str | None = None
    """The ARN of the version's model card (``stacks.model_cards``), None when it has none or it
    was not looked up (``model_card_checked``)."""
    model_card_checked: bool = False
    """Whether the registry was asked for the card: only by a stack that requires cards, only for
    versions of its own account (cards cannot be read across accounts), never offline."""

    @property
    def account(self) -> str:
        """The account whose registry holds the version."""
        return _account_of(self.arn)


ModelPackageResolver = Callable[[str], ResolvedModelPackage]
"""A model family (group name or ARN) → its version to deploy; a version's ARN (a pinned
``model_package_arn``) → that version, with its baselines."""


class ModelResolutionError(Exception):
    """The registry has no approved version to deploy, or the version is unusable."""


class NoApprovedVersion(ModelResolutionError):
    """The family has nothing to deploy yet: its group holds no Approved version, or does not exist
    yet (a first `pulumi up` creates it). The platform defers the endpoints that serve it."""

    def __init__(self, group: str, *, group_exists: bool) -> None:
        self.group = group
        self.group_exists = group_exists
        state = "has no Approved version" if group_exists else "does not exist yet"
        super().__init__(f"model package group {group!r} {state}")


# What SageMaker answers for a group that does not exist (moto answers an empty list instead).
_MISSING_GROUP_CODES = frozenset({"ValidationException", "ResourceNotFound"})


def latest_approved_package(sagemaker: Any, group: str) -> str:
    """The ARN of the newest Approved version in ``group`` (``sagemaker`` is a boto3 client).

    Raises :class:`NoApprovedVersion` when there is none, saying whether the group exists.
    """
    request: dict[str, Any] = {
        "ModelPackageGroupName": group,
        "ModelApprovalStatus": "Approved",
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        # The newest Approved version is the first one listed whatever the page size; a large page
        # keeps the calls few where the list pages before it filters (below).
        "MaxResults": 100,
    }
    tokens: set[str] = set()
    while True:
        try:
            response = sagemaker.list_model_packages(**request)
        except ClientError as error:
            if _is_missing_group(error):
                raise NoApprovedVersion(group, group_exists=False) from None
            raise ModelResolutionError(f"cannot read model package group {group}: {error}") from None
        packages = response.get("ModelPackageSummaryList", [])
        if packages:
            return packages[0]["ModelPackageArn"]
        # A SageMaker list may page before it filters (ListTrainingJobs documents it): an empty
        # page with a NextToken says nothing yet about the versions on the next one.
        token = response.get("NextToken")
        if not token:
            raise NoApprovedVersion(group, group_exists=_group_exists(sagemaker, group))
        if token in tokens:
            raise ModelResolutionError(f"cannot read model package group {group}: its listing repeats a page")
        tokens.add(token)
        request["NextToken"] = token


def _group_exists(sagemaker: Any, group: str) -> bool:
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group)
    except ClientError as error:
        if _is_missing_group(error):
            return False
        raise ModelResolutionError(f"cannot read model package group {group}: {error}") from None
    return True


def _is_missing_group(error: ClientError) -> bool:
    details = error.response.get("Error", {})
    return details.get("Code") in _MISSING_GROUP_CODES and "does not exist" in details.get("Message", "")


def version_baselines(
    package_arn: str, family: str, drift_check_baselines: Mapping[str, Any]
) -> MonitoringBaselines | None:
    """The monitors' baselines from a version's ``DriftCheckBaselines`` (DescribeModelPackage).

    Raises :class:`ModelResolutionError` when they are incomplete, in more than one bucket, or
    outside one folder below the family's ``baselines/<family>/`` (what the monitoring jobs may read).
    """
    data = drift_check_baselines.get(DATA_QUALITY)
    if not data:
        return None
    statistics, constraints = _uri(data, "Statistics"), _uri(data, "Constraints")
    if not (statistics and constraints):
        raise ModelResolutionError(
            f"model package {package_arn}: DriftCheckBaselines.{DATA_QUALITY} needs both Statistics and Constraints"
        )
    model_constraints = _uri(drift_check_baselines.get(MODEL_QUALITY) or {}, "Constraints")
    located = [_split_s3_uri(package_arn, uri) for uri in (statistics, constraints, model_constraints) if uri]
    buckets = {bucket for bucket, _ in located}
    keys = [key for _, key in located]
    folder = posixpath.dirname(keys[0]) + "/"
    if (
        len(buckets) != 1
        or not folder.startswith(baseline_prefix(family))
        or not all(key.startswith(folder) for key in keys)
    ):
        raise ModelResolutionError(
            f"model package {package_arn}: its DriftCheckBaselines must be in one bucket, in one folder "
            f"under {baseline_prefix(family)} (what the monitoring jobs may read); found "
            + ", ".join(f"s3://{bucket}/{key}" for bucket, key in located)
        )
    return MonitoringBaselines(
        folder=folder,
        data_statistics=keys[0],
        data_constraints=keys[1],
        model_constraints=keys[2] if model_constraints else None,
        registered_bucket=buckets.pop(),
        registered_account=_account_of(package_arn),
    )


def _account_of(arn: str) -> str:
    try:
        return parse_arn(arn, "sagemaker").account
    except ArnError as error:
        raise ModelResolutionError(str(error)) from None


def _uri(block: Mapping[str, Any], name: str) -> str | None:
    source = block.get(name)
    return source.get("S3Uri") if isinstance(source, Mapping) else None


def _split_s3_uri(package_arn: str, uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket or not key:
        raise ModelResolutionError(f"model package {package_arn}: {uri!r} is not an s3:// object URI")
    return bucket, key


def family_name(group: str) -> str:
    """The group's name, also when ``group`` is its ARN (…:model-package-group/<name>)."""
    if not group.startswith("arn:"):
        return group
    try:
        return parse_model_package_group_arn(group).group
    except ArnError as error:
        raise ModelResolutionError(str(error)) from None


def resolve_latest_approved(
    sagemaker: Any, group: str, *, cards_in: str | None = None
) -> ResolvedModelPackage:
    """The newest Approved version of ``group`` and its baselines (``sagemaker``: a boto3 client),
    and its model card when it is a version of account ``cards_in``."""
    return _described(
        sagemaker, latest_approved_package(sagemaker, group), family_name(group), cards_in=cards_in
    )


def _described(sagemaker: Any, arn: str, family: str, *, cards_in: str | None = None) -> ResolvedModelPackage:
    try:
        description = sagemaker.describe_model_package(ModelPackageName=arn)
    except ClientError as error:
        raise ModelResolutionError(f"model package {arn} cannot be read: {error}") from None
    containers = (description.get("InferenceSpecification") or {}).get("Containers") or []
    try:
        baselines, unusable = (
            version_baselines(arn, family, description.get("DriftCheckBaselines") or {}),
            None,
        )
    except ModelResolutionError as error:
        baselines, unusable = None, str(error)
    checked = cards_in is not None and _account_of(arn) == cards_in
    return ResolvedModelPackage(
        arn=arn,
        baselines=baselines,
        model_data_urls=tuple(c["ModelDataUrl"] for c in containers if c.get("ModelDataUrl")),
        images=tuple(c["Image"] for c in containers if c.get("Image")),
        unusable_baselines=unusable,
        model_card=model_card_of(sagemaker, arn) if checked else None,
        model_card_checked=checked,
    )


def model_card_of(sagemaker: Any, package_arn: str) -> str | None:
    """The ARN of the model card of version ``package_arn`` (named by :func:`model_card_name`), or
    None when it has none (``sagemaker``: a boto3 client of the version's account)."""
    match = MODEL_PACKAGE_VERSION_ARN.match(package_arn)
    if match is None:
        raise ModelResolutionError(f"{package_arn!r} is not a model package version ARN")
    name = model_card_name(match["group"], match["version"])
    try:
        return sagemaker.describe_model_card(ModelCardName=name)["ModelCardArn"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFound":
            return None
        raise ModelResolutionError(f"cannot read model card {name} of {package_arn}: {error}") from None


def resolve_version(sagemaker: Any, arn: str, *, cards_in: str | None = None) -> ResolvedModelPackage:
    """A pinned version and the baselines it registered (``sagemaker``: a boto3 client), and its
    model card when it is a version of account ``cards_in``."""
    match = MODEL_PACKAGE_VERSION_ARN.match(arn)
    if match is None:
        raise ModelResolutionError(
            f"{arn!r} is not a model package version ARN (…:model-package/<group>/<n>)"
        )
    return _described(sagemaker, arn, match["group"], cards_in=cards_in)


def resolve(sagemaker: Any, source: str, *, cards_in: str | None = None) -> ResolvedModelPackage:
    """A version ARN as pinned, anything else as a family's latest Approved version."""
    if MODEL_PACKAGE_VERSION_ARN.match(source):
        return resolve_version(sagemaker, source, cards_in=cards_in)
    return resolve_latest_approved(sagemaker, source, cards_in=cards_in)


@dataclass(frozen=True)
class DeployedEndpoint:
    """What an endpoint that exists serves: per variant (production and shadow), the model
    package version its model was built from (absent for a model built from an image)."""

    versions: Mapping[str, str]


DeployedLookup = Callable[[str], "DeployedEndpoint | None"]
"""An endpoint's physical name → what it serves now, or None when it does not exist."""


def deployed_endpoint(sagemaker: Any, endpoint_name: str) -> DeployedEndpoint | None:
    """Endpoint → its configuration → each variant's model → the package it was built from
    (``sagemaker``: a boto3 client). Raises :class:`ModelResolutionError` when it cannot tell."""
    try:
        config_name = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
    except ClientError as error:
        details = error.response.get("Error", {})
        if details.get("Code") == "ValidationException" and "Could not find endpoint" in details.get(
            "Message", ""
        ):
            return None
        raise ModelResolutionError(f"cannot tell what endpoint {endpoint_name} serves: {error}") from None
    try:
        config = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        versions = {}
        for variant in [*config.get("ProductionVariants", []), *config.get("ShadowProductionVariants", [])]:
            model = sagemaker.describe_model(ModelName=variant["ModelName"])
            containers = [model.get("PrimaryContainer") or {}, *(model.get("Containers") or [])]
            package = next((c["ModelPackageName"] for c in containers if c.get("ModelPackageName")), None)
            if package:
                versions[variant["VariantName"]] = package
    except ClientError as error:
        raise ModelResolutionError(f"cannot tell what endpoint {endpoint_name} serves: {error}") from None
    return DeployedEndpoint(versions=versions)


def live_deployed_lookup(region: str) -> DeployedLookup:
    """What the endpoints of ``region`` serve now (used by `pulumi preview`/`up` and the check)."""
    clients: list[Any] = []

    def lookup(endpoint_name: str) -> DeployedEndpoint | None:
        if not clients:  # only a deferral asks: most runs never create the client
            import boto3

            clients.append(boto3.client("sagemaker", region_name=region))
        return deployed_endpoint(clients[0], endpoint_name)

    return lookup


def nothing_deployed(_: str) -> DeployedEndpoint | None:
    """The offline plan's view: it reads no cloud state, so it knows of no deployed endpoint."""
    return None


def registry_resolver(region: str, *, model_cards_in: str | None = None) -> ModelPackageResolver:
    """Resolve against the live registry of ``region`` (used by `pulumi preview`/`up`); with
    ``model_cards_in`` (an account id), look up the model card of each version of that account."""
    import boto3

    client = boto3.client("sagemaker", region_name=region)
    return lambda source: resolve(client, source, cards_in=model_cards_in)


def empty_registry_resolver(region: str, account_id: str) -> ModelPackageResolver:
    """The offline plan of a first deploy: no family has an Approved version yet, so every
    ``latest_approved_of`` endpoint is deferred; a pinned version resolves as in
    :func:`offline_resolver` (the stack file names it, the plan cannot check it)."""
    stand_in = offline_resolver(region, account_id)

    def resolve_in_empty_registry(source: str) -> ResolvedModelPackage:
        if MODEL_PACKAGE_VERSION_ARN.match(source):
            return stand_in(source)
        raise NoApprovedVersion(source, group_exists=False)

    return resolve_in_empty_registry


OFFLINE_VERSION = 999999999
"""The version number of the offline plan's stand-in for a family's latest Approved version (which
`pulumi up` resolves in the registry): the highest a version ARN holds (``/<n>``, 1-9 digits, as
CreateModel and every component taking a version ARN check it), so the stand-in is a valid ARN where
a version ARN goes, and a number no registry reaches, so the plan never shows it as a real version.
Its baselines stay in ``baselines/<group>/latest-approved/``."""


def offline_resolver(region: str, account_id: str) -> ModelPackageResolver:
    """A stand-in for the offline plan, which never reads a registry: a version ARN of
    :data:`OFFLINE_VERSION` for the version resolved later (a pinned version keeps its ARN), and its
    baselines in that version's folder.

    A version of another account's registry (a group or version ARN of that account) is shown in
    that account's artifact bucket, named ``mlops-artifacts-of-<account>`` here, so the plan and the
    policy pack see the cross-account reads `pulumi up` grants.
    """

    def stand_in(source: str) -> ResolvedModelPackage:
        pinned = MODEL_PACKAGE_VERSION_ARN.match(source)
        owner = _account_of(source) if source.startswith("arn:") else account_id
        if pinned:  # its baselines folder is known only to the registry: named after the version here
            group, version, arn = pinned["group"], f"registered-with-version-{pinned['version']}", source
        else:
            group, version = family_name(source), "latest-approved"
            arn = f"arn:aws:sagemaker:{region}:{owner}:model-package/{group}/{OFFLINE_VERSION}"
        baselines = MonitoringBaselines.in_folder(f"{baseline_prefix(group)}{version}/")
        if owner == account_id:
            return ResolvedModelPackage(arn=arn, baselines=baselines)
        bucket = f"mlops-artifacts-of-{owner}"
        return ResolvedModelPackage(
            arn=arn,
            baselines=dataclasses.replace(baselines, registered_bucket=bucket, registered_account=owner),
            # Where that account's training pipeline writes its models (see components/training/README.md).
            model_data_urls=(
                f"s3://{bucket}/models/{training_pipeline_name(group)}/{version}/output/model.tar.gz",
            ),
        )

    return stand_in
