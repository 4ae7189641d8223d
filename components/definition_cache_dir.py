"""Where the pipeline-definition cache lives (see :mod:`components.training.definition_cache`).

Apart from the cache itself, and free of anything but the standard library, so that the offline
planner's composer (:mod:`planner.definition_composer`, which asks whether the cache holds any
definition) stays a light import: importing anything below ``components.training`` imports the
training components, and with them the Pulumi SDK. The composer's tests start fresh interpreters
that import only it.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DIR = Path(".cache") / "pipeline-definitions"
"""Relative to the current directory: the project's, never the installed package's."""


def cache_dir() -> Path | None:
    """``MLOPS_DEFINITION_CACHE`` (a directory, or ``off``: no cache), else :data:`DEFAULT_DIR`."""
    configured = os.environ.get("MLOPS_DEFINITION_CACHE", "")
    if configured.lower() == "off":
        return None
    return Path(configured) if configured else DEFAULT_DIR
