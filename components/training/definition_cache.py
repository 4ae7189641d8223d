"""A disk cache of built pipeline definitions.

Building a definition imports the SageMaker SDK, which alone takes several seconds, while the
result is a pure function of the settings, the builder's own source and the SDK version. So the
definition is memoized under a key made of exactly those: a changed setting, builder or SDK
version is a different key, never a stale hit.

The cache lives in ``.cache/pipeline-definitions/`` of the current directory (the Pulumi project,
where `pulumi up` runs the program; git-ignored here); ``MLOPS_DEFINITION_CACHE`` names another
directory, or ``off`` disables it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

BUILDER_DIR = Path(__file__).resolve().parent
DEFAULT_DIR = Path(".cache") / "pipeline-definitions"
"""Relative to the current directory: the project's, never the installed package's."""
# The modules whose code decides the definition (step scripts only appear by S3 URI).
BUILDER_SOURCES = (
    "definition.py",
    "_definition_steps.py",
    "_offline_sdk.py",
    "frameworks.py",
    "tuning.py",
    "evidently.py",
    "_evidently_steps.py",
)


@cache
def builder_fingerprint(extra_sources: tuple[Path, ...] = ()) -> str:
    """The training builder's sources, ``extra_sources`` (another builder's own modules) and the
    SDK's versions."""
    digest = hashlib.sha256()
    for path in (*(BUILDER_DIR / name for name in BUILDER_SOURCES), *extra_sources):
        digest.update(path.read_bytes())
    for package in ("sagemaker", "sagemaker-core", "sagemaker-mlops", "sagemaker-train"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def cache_key(settings: Any, extra_sources: tuple[Path, ...] = ()) -> str:
    values = {field.name: _plain(getattr(settings, field.name)) for field in dataclasses.fields(settings)}
    fields = json.dumps(values, sort_keys=True, default=str)
    kind = f"{type(settings).__module__}.{type(settings).__qualname__}"
    return hashlib.sha256(f"{builder_fingerprint(extra_sources)}\n{kind}\n{fields}".encode()).hexdigest()


def cache_dir() -> Path | None:
    configured = os.environ.get("MLOPS_DEFINITION_CACHE", "")
    if configured.lower() == "off":
        return None
    return Path(configured) if configured else DEFAULT_DIR


def cached_definition(
    settings: Any, build: Callable[[Any], str], extra_sources: tuple[Path, ...] = ()
) -> str:
    """``build(settings)``, served from the cache when the same inputs were built before.

    ``settings`` is a dataclass holding every input of ``build``; ``extra_sources`` are the files of
    a builder outside this package (e.g. the batch-scoring pipeline's), so that editing one is a
    new key too. The settings' class is part of the key: two builders never share an entry.
    """
    directory = cache_dir()
    if directory is None:
        return build(settings)
    path = directory / f"{cache_key(settings, extra_sources)}.json"
    if path.is_file():
        return path.read_text()
    definition = build(settings)
    directory.mkdir(parents=True, exist_ok=True)
    # Write-then-rename, so a concurrent or interrupted run never leaves half a definition behind.
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write(definition)
    Path(handle.name).replace(path)
    return definition
