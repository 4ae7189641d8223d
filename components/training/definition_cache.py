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

import ast
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
PACKAGE_DIR = BUILDER_DIR.parent
"""``components/``: the builders' sources are followed through imports within it."""
DEFAULT_DIR = Path(".cache") / "pipeline-definitions"
"""Relative to the current directory: the project's, never the installed package's."""
BUILDER_ROOTS = ("definition.py", "_definition_steps.py")
"""The training builder's entry modules; what they import within ``components/`` counts too."""


def _module_file(package_dir: Path, dotted: str) -> Path | None:
    """``a.b`` below ``package_dir`` as its file (``a/b.py``, else ``a/b/__init__.py``)."""
    base = package_dir.joinpath(*dotted.split(".")) if dotted else package_dir
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_files(path: Path, package_dir: Path) -> set[Path]:
    """The files of ``package_dir`` that ``path`` imports relatively, at module level or inside a
    function: ``from .x import y`` is ``x.py`` (or ``x/y.py`` when ``y`` is a submodule), never
    the package's ``__init__.py`` for a submodule import."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        anchor = path.parent
        for _ in range(node.level - 1):
            anchor = anchor.parent
        if not anchor.is_relative_to(package_dir):
            continue
        prefix = ".".join(anchor.relative_to(package_dir).parts)
        dotted = ".".join(part for part in (prefix, node.module or "") if part)
        for alias in node.names:
            submodule = _module_file(package_dir, f"{dotted}.{alias.name}" if dotted else alias.name)
            target = submodule or _module_file(package_dir, dotted)
            if target is not None:
                found.add(target)
    return found


def source_closure(roots: tuple[Path, ...], package_dir: Path = PACKAGE_DIR) -> tuple[Path, ...]:
    """``roots`` and every file of ``package_dir`` they import, transitively (sorted): the code
    that decides a definition, found by following imports, not listed by hand."""
    seen: set[Path] = set()
    pending = [root.resolve() for root in roots]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        pending.extend(_imported_files(path, package_dir.resolve()) - seen)
    return tuple(sorted(seen))


@cache
def builder_fingerprint(extra_sources: tuple[Path, ...] = ()) -> str:
    """The training builder's sources and theirs, ``extra_sources`` (another builder's own
    modules) and theirs, and the SDK's versions."""
    digest = hashlib.sha256()
    roots = (*(BUILDER_DIR / name for name in BUILDER_ROOTS), *extra_sources)
    for path in source_closure(roots, PACKAGE_DIR):  # the content decides, not where it lives
        data = path.read_bytes()
        digest.update(f"{len(data)}\0".encode() + data)
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
