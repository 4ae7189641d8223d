"""A disk cache of built pipeline definitions.

Building a definition imports the SageMaker SDK, which alone takes several seconds, while the
result is a pure function of the settings, the builder's own source, the SDK and what it runs
with. So the definition is memoized under a key made of exactly those: a changed setting, builder,
SDK version, installed dependency or Python version is a different key, never a stale hit.

The cache lives in ``.cache/pipeline-definitions/`` of the current directory (the Pulumi project,
where `pulumi up` runs the program; git-ignored here); ``MLOPS_DEFINITION_CACHE`` names another
directory, or ``off`` disables it (:mod:`components.definition_cache_dir`).

What the cache misses is composed in this process (:func:`build_here`), or by whatever
:func:`building_with` installs: the offline planner's second process, which imports the SDK
while a cold plan records (:mod:`planner.definition_composer`).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import site
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ..definition_cache_dir import cache_dir

BUILDER_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = BUILDER_DIR.parent
"""``components/``; its parent holds the first-party packages the builders' imports are followed
into (the repository's root: ``components/``, ``policies/``; the wheel's ``mlops_platform/``)."""
BUILDER_ROOTS = ("definition.py", "_definition_steps.py")
"""The training builder's entry modules; what they import from first-party packages counts too."""
SDK_DISTRIBUTIONS = ("sagemaker", "sagemaker-core", "sagemaker-mlops", "sagemaker-serve", "sagemaker-train")
"""The SDK packages the builders compose with (each may be upgraded on its own)."""


def _module_file(root: Path, dotted: str) -> Path | None:
    """``a.b`` below ``root`` as its file (``a/b.py``, else ``a/b/__init__.py``)."""
    if not dotted:
        return None
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(node: ast.AST, path: Path, root: Path) -> list[tuple[str, tuple[str, ...]]]:
    """``(module, names)`` pairs ``node`` imports, relative imports anchored below ``root``."""
    if isinstance(node, ast.Import):
        return [(alias.name, ()) for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level == 0:
        return [(node.module or "", tuple(alias.name for alias in node.names))]
    anchor = path.parent
    for _ in range(node.level - 1):
        anchor = anchor.parent
    if not anchor.is_relative_to(root):
        return []
    prefix = ".".join(anchor.relative_to(root).parts)
    dotted = ".".join(part for part in (prefix, node.module or "") if part)
    return [(dotted, tuple(alias.name for alias in node.names))]


def _imported_files(path: Path, root: Path) -> set[Path]:
    """The first-party files (below ``root``) that ``path`` imports, at module level or inside a
    function, relatively or absolutely (``components/instance_types.py`` reads
    ``policies/aws_instance_types.py`` either way): ``from x import y`` is ``x/y.py`` when ``y``
    is a submodule, else ``x``'s own file; third-party imports resolve to no file below ``root``."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for dotted, names in _imported_modules(node, path, root):
            targets = [_module_file(root, f"{dotted}.{name}" if dotted else name) for name in names]
            if not names or None in targets:
                targets.append(_module_file(root, dotted))
            found.update(target for target in targets if target is not None)
    return found


def source_closure(roots: tuple[Path, ...], root: Path) -> tuple[Path, ...]:
    """``roots`` and every first-party file below ``root`` they import, transitively (sorted): the
    code that decides a definition, found by following imports, not listed by hand."""
    root = root.resolve()
    seen: set[Path] = set()
    pending = [path.resolve() for path in roots]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        pending.extend(_imported_files(path, root) - seen)
    return tuple(sorted(seen))


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def sources_digest(roots: tuple[Path, ...], root: Path) -> str:
    """A hash of the contents of ``source_closure(roots, root)``.

    Parsing the builders' modules to follow their imports costs a warm plan about 0.15 s, so the
    closure's files and their sizes and modification times are kept beside the definitions
    (``closures/``): while none of those files changed, neither did the closure nor the digest
    (any edit to the imports is an edit to one of them)."""
    directory = cache_dir()
    identity = "\0".join([str(root.resolve()), *sorted(str(path.resolve()) for path in roots)])
    memo = (
        directory / "closures" / f"{hashlib.sha256(identity.encode()).hexdigest()}.json"
        if directory
        else None
    )
    if memo is not None:
        try:
            data = json.loads(memo.read_text())
            if all(_stamp(Path(name)) == stamp for name, stamp in data["files"]):
                return str(data["digest"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # absent, damaged, or a file of the closure is gone: follow the imports again
    closure = source_closure(roots, root)
    stamps = [[str(path), _stamp(path)] for path in closure]
    digest = hashlib.sha256()
    for path in closure:  # the content decides, not where it lives
        data = path.read_bytes()
        digest.update(f"{len(data)}\0".encode() + data)
    result = digest.hexdigest()
    if memo is not None and stamps == [[str(path), _stamp(path)] for path in closure]:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            partial = memo.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps({"files": stamps, "digest": result}))
            partial.replace(memo)
        except OSError:
            pass  # a read-only checkout follows the imports on every plan
    return result


def site_folders() -> list[str]:
    """The folders the interpreter imports installed distributions from: the environment's
    ``purelib`` and ``platlib``, the site folders the ``site`` module puts on ``sys.path`` (a
    virtual environment made with ``--system-site-packages`` adds the base interpreter's; Debian's
    Python adds ``/usr/lib/python3/dist-packages``) and the user's site when it is enabled (never
    in a virtual environment). Never ``sys.path`` itself, which differs between processes of one
    environment (a script's folder, the working directory, pytest's test folders). A folder only
    ``PYTHONPATH`` names is not listed."""
    paths = sysconfig.get_paths()
    folders = {paths["purelib"], paths["platlib"], *site.getsitepackages()}
    if site.ENABLE_USER_SITE:
        folders.add(site.getusersitepackages())
    return sorted(folders)


def installed_distributions() -> list[str]:
    """Every distribution installed where the interpreter imports from (:func:`site_folders`), as
    its ``<name>-<version>.dist-info`` (or ``.egg-info``) entry, sorted: what the SDK runs with
    besides itself. A definition's JSON also follows the SDK's dependencies (botocore's partitions
    and regions in image URIs, pydantic's serialisation of sagemaker-core's shapes...), which the
    SDK's own versions do not name. A directory listing (under a millisecond), where reading each
    dependency's metadata to follow the requirements would cost a plan tens; the interpreter's
    folders, not ``sys.path``, so that every process of one environment (a plan, its composer, a
    test) computes the same key."""
    names: list[str] = []
    for folder in site_folders():
        try:
            listing = os.listdir(folder)
        except OSError:
            continue
        names += (name for name in listing if name.endswith((".dist-info", ".egg-info")))
    return sorted(names)


@cache
def builder_fingerprint(extra_sources: tuple[Path, ...] = ()) -> str:
    """The training builder's sources and theirs, ``extra_sources`` (another builder's own
    modules) and theirs, the SDK's versions, every installed distribution and the Python version:
    any upgrade (``uv sync`` of a new lock) is a new key, never a definition of the old SDK stack."""
    roots = (*(BUILDER_DIR / name for name in BUILDER_ROOTS), *extra_sources)
    digest = hashlib.sha256(sources_digest(roots, PACKAGE_DIR.parent).encode())
    for package in SDK_DISTRIBUTIONS:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    digest.update(f"python {sys.version_info[0]}.{sys.version_info[1]}\n".encode())
    digest.update("\n".join(installed_distributions()).encode())
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


Builder = Callable[[Any, Callable[[Any], str]], str]
"""Composes a definition the cache does not hold: ``builder(settings, build)`` returns what
``build(settings)`` would."""


def build_here(settings: Any, build: Callable[[Any], str]) -> str:
    """The default :data:`Builder`: ``build(settings)`` in this process."""
    return build(settings)


_builder: Builder = build_here


@contextmanager
def building_with(builder: Builder) -> Iterator[None]:
    """Compose what the cache misses with ``builder`` inside this block (the offline planner's
    second process, :mod:`planner.definition_composer`); :func:`build_here` again after it."""
    global _builder
    previous, _builder = _builder, builder
    try:
        yield
    finally:
        _builder = previous


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
        return _builder(settings, build)
    path = directory / f"{cache_key(settings, extra_sources)}.json"
    if path.is_file():
        return path.read_text()
    definition = _builder(settings, build)
    directory.mkdir(parents=True, exist_ok=True)
    # Write-then-rename, so a concurrent or interrupted run never leaves half a definition behind.
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write(definition)
    Path(handle.name).replace(path)
    return definition
