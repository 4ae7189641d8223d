"""Where AWS publishes the prebuilt images the platform runs but does not build: Model Monitor's
analyzer (data-quality and model-quality jobs, and the training pipeline's baseline steps) and
SageMaker Clarify (bias and explainability jobs).

The accounts per region are read from the SageMaker SDK's bundled tables
(``sagemaker/core/image_uri_config``) as data, without importing the SDK, which takes seconds: the
training pipeline's build resolves the analyzer from the same table and fails in a region it does
not list, so the stack file is checked against it before anything is planned.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Collection
from functools import cache
from pathlib import Path
from typing import Final

ANALYZER: Final = "sagemaker-model-monitor-analyzer"
CLARIFY: Final = "sagemaker-clarify-processing"
_TABLES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    ANALYZER: ("model-monitor.json", ()),
    CLARIFY: ("clarify.json", ("processing",)),
}
"""Repository → (table in the SDK's image_uri_config, keys down to its ``versions``)."""


@cache
def prebuilt_registries(repository: str) -> dict[str, str]:
    """Region → AWS's account publishing ``repository`` there; empty when the SageMaker SDK is
    not installed or ``repository`` is not one of the platform's prebuilt images."""
    spec = importlib.util.find_spec("sagemaker")
    if repository not in _TABLES or spec is None or not spec.submodule_search_locations:
        return {}
    file_name, keys = _TABLES[repository]
    for location in spec.submodule_search_locations:
        path = Path(location) / "core" / "image_uri_config" / file_name
        if path.is_file():
            table = json.loads(path.read_text(encoding="utf-8"))
            for key in keys:
                table = table[key]
            return dict(next(iter(table["versions"].values()))["registries"])
    return {}


def prebuilt_region_problem(
    repository: str, region: str, used_by: str, regions: Collection[str]
) -> str | None:
    """Why ``used_by`` cannot run in ``region`` (``repository`` is not published there), naming
    the ``regions`` (those a stack may use) where it is; None when it is, or when the SDK's tables
    are not installed (nothing is known then)."""
    registries = prebuilt_registries(repository)
    if not registries or region in registries:
        return None
    return (
        f"{used_by} run AWS's {repository} image, which the installed SageMaker SDK does not list in "
        f"{region}; use a region that has it ({', '.join(sorted(set(regions) & set(registries)))}) or "
        "turn them off"
    )
