"""The SageMaker SDK's bundled image tables (``sagemaker/core/image_uri_config/<name>.json``), read
as data without importing the SDK, which takes seconds.

``image_uris.retrieve`` resolves the images the platform's builds name (the frameworks', Triton's,
the training pipeline's Model Monitor analyzer and SageMaker Distribution) from these tables
without an API call, and fails for a version or region a table does not list. Config validation
reads the same tables, so a stack file is refused where the build would fail, before anything is
planned.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

from .extras import require


@cache
def sdk_image_table(name: str) -> dict[str, Any] | None:
    """The table of image ``name`` (``"sklearn"``, ``"model-monitor"``, ...); None when the SDK (an
    extra) is not installed or ships no such table."""
    spec = importlib.util.find_spec("sagemaker")  # finds the package without importing it
    for location in (spec.submodule_search_locations or ()) if spec else ():
        path = Path(location) / "core" / "image_uri_config" / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def required_sdk_image_table(name: str, needed_by: str) -> dict[str, Any]:
    """The table of image ``name``, for checks that cannot answer without it: a missing SDK is
    reported as the missing extra ``needed_by`` needs."""
    table = sdk_image_table(name)
    if table is None:
        require("sagemaker", needed_by)
        raise FileNotFoundError(f"the installed SageMaker SDK has no image table for {name}")
    return table


def image_version_key(version: str) -> tuple[Any, ...]:
    """Sort key of the tables' versions: numerically by part ("1.10" after "1.9"), a part that is
    no number after the numbers (XGBoost's table lists "latest" beside "1.7-1": comparing a word
    with a number raised, and the stack file's check of an XGBoost version it lacks with it)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in version.replace("-", ".").split(".")
    )
