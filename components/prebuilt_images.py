"""Where AWS publishes the prebuilt images the platform runs but does not build: Model Monitor's
analyzer (data-quality and model-quality jobs, and the training pipeline's baseline steps),
SageMaker Clarify (bias and explainability jobs) and SageMaker Distribution (the training
pipeline's ExtractFeatures and TrackExperiment steps).

The accounts per region come from the SageMaker SDK's bundled tables
(:mod:`components.sdk_image_tables`), which the training pipeline's build resolves its images from
(``image_uris.retrieve``, failing in a region they do not list). The endpoints' monitors run the
analyzer and Clarify whether or not the SDK (an extra) is installed, so their two maps are kept in
``prebuilt_image_registries.json`` (``python -m components.prebuilt_images --write`` copies them
from the installed SDK; a test keeps the copy current) and their image URIs are built from it. The
provider's ``getPrebuiltEcrImage`` is not used: its own hand-kept maps lag the SDK's (no
eu-central-2 for the analyzer, for one), and a region the stack file check accepted would fail
its deploy. So the check, the offline plan and the deploy read one table.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from .limits import region_problem
from .sdk_image_tables import required_sdk_image_table, sdk_image_table
from .whole_file import write_whole

ANALYZER: Final = "sagemaker-model-monitor-analyzer"
CLARIFY: Final = "sagemaker-clarify-processing"
CLARIFY_VERSION: Final = "1.0"
"""Clarify's release the bias and explainability jobs run (its image tag)."""
DISTRIBUTION: Final = "sagemaker-distribution-prod"
DISTRIBUTION_VERSION: Final = "3.2.0"
"""SageMaker Distribution release of ExtractFeatures' and TrackExperiment's image (pinned: a new one
is a reviewed change)."""
_TABLES: Final[dict[str, tuple[str, tuple[str, ...], str | None]]] = {
    ANALYZER: ("model-monitor", (), None),
    CLARIFY: ("clarify", ("processing",), CLARIFY_VERSION),
    DISTRIBUTION: ("sagemaker-distribution", (), DISTRIBUTION_VERSION),
}
"""ECR repository → (the SDK's table, keys down to its ``versions``, the version the platform runs;
None where the table has one version, which the copy checks)."""


def sdk_table(repository: str) -> str:
    """The SageMaker SDK's image table (``image_uris.retrieve``'s framework) for ``repository``."""
    return _TABLES[repository][0]


MONITOR_IMAGE_TAGS: Final = {ANALYZER: "latest", CLARIFY: CLARIFY_VERSION}
"""The images the endpoints' monitors run, with their tags (the analyzer's table has one unnamed
version, published as ``latest``): their maps are kept in the repository (see above)."""
MONITOR_IMAGES: Final = tuple(MONITOR_IMAGE_TAGS)
_KEPT: Final = Path(__file__).with_name("prebuilt_image_registries.json")


def prebuilt_registries(repository: str) -> Mapping[str, str]:
    """Region → AWS's account publishing ``repository`` (at the version the platform runs) there;
    empty when ``repository`` is not one of the platform's prebuilt images, or is SageMaker
    Distribution and the SageMaker SDK is not installed. Read-only: it is shared."""
    return MappingProxyType(_registries(repository))


@cache
def _registries(repository: str) -> dict[str, str]:
    if repository in MONITOR_IMAGES:
        return dict(json.loads(_KEPT.read_text(encoding="utf-8"))[repository])
    return sdk_registries(repository)


def prebuilt_image_uri(repository: str, region: str) -> str:
    """A monitor image's URI in ``region`` (no API call); ValueError where it is not published
    (the stack file's check refuses that first) or ``region`` is another partition's: the components
    build in the commercial partition only (:func:`~components.limits.region_problem`), whose ECR
    hosts are ``<account>.dkr.ecr.<region>.amazonaws.com``."""
    account = _account(repository, region)
    if account is None:
        raise ValueError(f"AWS publishes no {repository} image in {region}")
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}:{MONITOR_IMAGE_TAGS[repository]}"


def prebuilt_repository_uri(repository: str, region: str) -> str | None:
    """``repository``'s ECR repository in ``region`` (``<account>.dkr.ecr.<region>.amazonaws.com/<name>``,
    no tag): what the roles running it pull; None where it is not known to be published there (the
    stack file's check refuses a region that lacks it; SageMaker Distribution without the SDK);
    ValueError, as :func:`prebuilt_image_uri`, in another partition's region."""
    account = _account(repository, region)
    return None if account is None else f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}"


def _account(repository: str, region: str) -> str | None:
    """The account publishing ``repository`` in ``region``, or None; ValueError naming ``region``
    where it is no commercial region code. The SDK's tables also list China's and the isolated
    partitions' regions, whose ECR hosts (``amazonaws.com.cn``, ``c2s.ic.gov``...) and
    ``arn:aws-cn:``-style ARNs no component writes."""
    problem = region_problem(region)
    if problem:
        raise ValueError(problem)
    return prebuilt_registries(repository).get(region)


def sdk_registries(repository: str) -> dict[str, str]:
    """``repository``'s map as the installed SageMaker SDK's table has it; empty when the SDK is
    not installed or ``repository`` is not one of the platform's prebuilt images."""
    if repository not in _TABLES:
        return {}
    name, keys, version = _TABLES[repository]
    table = sdk_image_table(name)
    if table is None:
        return {}
    for key in keys:
        table = table[key]
    versions = table["versions"]
    if version is not None and version not in versions:
        raise LookupError(
            f"the installed SageMaker SDK's {name}.json no longer lists {version}, the version the "
            f"platform runs of {repository} (components/prebuilt_images.py): pin the SDK in uv.lock "
            f"or move to one it lists ({', '.join(versions)})"
        )
    if version is None and len(versions) != 1:
        raise LookupError(
            f"the installed SageMaker SDK's {name}.json lists {len(versions)} versions of "
            f"{repository}: pin the one the platform runs in components/prebuilt_images.py"
        )
    entry = versions[version] if version is not None else next(iter(versions.values()))
    return dict(sorted(entry["registries"].items()))


def kept_registries_text() -> str:
    """The monitors' maps as the installed SDK has them: what ``prebuilt_image_registries.json``
    holds. Needs the SDK (never writes empty maps)."""
    for repository in MONITOR_IMAGES:
        required_sdk_image_table(_TABLES[repository][0], "Copying the monitors' image maps")
    return (
        json.dumps({repository: sdk_registries(repository) for repository in MONITOR_IMAGES}, indent=2) + "\n"
    )


def regions_with_all(repositories: Iterable[str], regions: Collection[str]) -> set[str]:
    """The ``regions`` where every one of ``repositories`` is published (an image whose table is
    not installed restricts nothing)."""
    found = set(regions)
    for repository in repositories:
        registries = prebuilt_registries(repository)
        if registries:
            found &= set(registries)
    return found


def prebuilt_region_problem(
    repository: str, region: str, used_by: str, alternatives: Collection[str]
) -> str | None:
    """Why ``used_by`` cannot run in ``region`` (``repository`` is not published there), naming
    the ``alternatives`` (regions the caller knows would serve everything the stack runs); None
    when it is, or when nothing is known (SageMaker Distribution without the SDK installed)."""
    registries = prebuilt_registries(repository)
    if not registries or region in registries:
        return None
    where = (
        f"use a region that has every prebuilt image this stack runs ({', '.join(sorted(alternatives))})"
        if alternatives
        else "no region has every prebuilt image this stack runs"
    )
    return (
        f"{used_by} run AWS's {repository} image, which AWS does not publish in {region} (the "
        f"SageMaker SDK's image tables); {where}, or turn them off"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Copy the monitors' image maps from the installed SageMaker SDK."
    )
    parser.add_argument("--write", action="store_true", help=f"write {_KEPT.name}")
    if parser.parse_args(argv).write:
        write_whole(_KEPT, kept_registries_text())  # never a half-written table
    else:
        print(kept_registries_text(), end="")


if __name__ == "__main__":
    main()
