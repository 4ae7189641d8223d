"""Where AWS publishes the prebuilt images the platform runs but does not build: Model Monitor's
analyzer (data-quality and model-quality jobs, and the training pipeline's baseline steps),
SageMaker Clarify (bias and explainability jobs) and SageMaker Distribution (the training
pipeline's ExtractFeatures and TrackExperiment steps).

The accounts per region are read from the SageMaker SDK's bundled tables
(:mod:`components.sdk_image_tables`). The training pipeline's build resolves the analyzer and
SageMaker Distribution from them (``image_uris.retrieve``) and fails in a region they do not list,
so the stack file is checked against them before anything is planned. The endpoints' monitors
take their images from the provider's ``getPrebuiltEcrImage``, which keeps its own copy of these
maps; the offline plan's mock of it reads the SDK's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache
from typing import Final

from .sdk_image_tables import sdk_image_table

ANALYZER: Final = "sagemaker-model-monitor-analyzer"
CLARIFY: Final = "sagemaker-clarify-processing"
DISTRIBUTION: Final = "sagemaker-distribution-prod"
DISTRIBUTION_VERSION: Final = "3.2.0"
"""SageMaker Distribution release of ExtractFeatures' and TrackExperiment's image (pinned: a new one
is a reviewed change)."""
_TABLES: Final[dict[str, tuple[str, tuple[str, ...], str | None]]] = {
    ANALYZER: ("model-monitor", (), None),
    CLARIFY: ("clarify", ("processing",), None),
    DISTRIBUTION: ("sagemaker-distribution", (), DISTRIBUTION_VERSION),
}
"""ECR repository → (the SDK's table, keys down to its ``versions``, the version the platform runs;
None where every version is published in the same regions)."""


@cache
def prebuilt_registries(repository: str) -> dict[str, str]:
    """Region → AWS's account publishing ``repository`` (at the version the platform runs) there;
    empty when the SageMaker SDK is not installed or ``repository`` is not one of the platform's
    prebuilt images."""
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
    entry = versions[version] if version else next(iter(versions.values()))
    return dict(entry["registries"])


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
    when it is, or when the SDK's tables are not installed (nothing is known then)."""
    registries = prebuilt_registries(repository)
    if not registries or region in registries:
        return None
    where = (
        f"use a region that has every prebuilt image this stack runs ({', '.join(sorted(alternatives))})"
        if alternatives
        else "no region has every prebuilt image this stack runs"
    )
    return (
        f"{used_by} run AWS's {repository} image, which the installed SageMaker SDK does not list in "
        f"{region}; {where}, or turn them off"
    )
