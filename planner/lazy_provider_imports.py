"""Lazy pulumi-aws / pulumi-aws-native service packages for the offline planner and the tests.

Each generated service package's ``__init__.py`` (``pulumi_aws.ec2``, ``pulumi_aws_native.sagemaker``
...) star-imports every resource module of the service: importing ``pulumi_aws.ec2`` to build one
security group executes 179 modules. Most of a plan's import time went there.

:func:`install` puts a ``sys.meta_path`` finder in front of the path finder. For such a package it
returns the real spec (same ``__file__``, same ``__path__``, so submodules import normally) with a
loader that does not run the star-imports: it binds the header names (``typing``, ``_utilities``)
and gives the module a PEP 562 ``__getattr__`` that imports only the submodule defining a name.

The name -> submodule index is exact, not guessed: it replays the ``__init__.py``'s own import list
(parsed with :mod:`ast`) against each submodule's literal ``__all__``, in order, so a later star
import wins a name exactly as it does in the real package. It is cached per service in
``.cache/provider-import-index/`` keyed by the distribution's version, the package's path, the
``__init__.py``'s size and mtime and this module's own source. A package whose ``__init__.py`` does anything else (nested
subpackages, ``pulumi_aws.config``'s module class swap) or a submodule without a literal ``__all__``
is not made lazy, and a name the index does not know executes the real ``__init__.py`` in the
module's namespace (correctness first).

Only the planner process and the test suite install it (``planner/__init__.py``); the Pulumi program
entry used by ``pulumi up`` (``__main__.py``) does not import the planner, so the real engine path
imports the packages exactly as generated. ``MLOPS_LAZY_PROVIDER_IMPORTS=0`` switches it off, with
the lazy classes (:mod:`planner.lazy_provider_classes`) and the deferred SDK modules
(:mod:`planner.deferred_sdk_modules`) it installs.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import re
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_SWITCH = "MLOPS_LAZY_PROVIDER_IMPORTS"
PROVIDER_PACKAGES = ("pulumi_aws", "pulumi_aws_native")
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "provider-import-index"
INDEX_FORMAT = 1
INDEXER_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
"""This module's own source: an index is what this code computed, so an entry written by another
version of it (a CI cache restored from an older commit, a checkout switched to another branch) is
rebuilt, whether or not INDEX_FORMAT was bumped."""

# Generated resource modules start with ``__all__ = ['A', 'B']`` near the top: a regex finds it
# without parsing multi-megabyte ``_inputs.py`` files.
_ALL_RE = re.compile(r"^__all__\s*=\s*(\[[^\]]*\])", re.MULTILINE)


class Unsupported(Exception):
    """The package's ``__init__.py`` does something the index cannot replay: import it eagerly."""


@dataclass(frozen=True)
class ServiceIndex:
    """What the real ``__init__.py`` would bind, without running it."""

    header: str  # the plain imports (``import typing``, ``from .. import _utilities``), run eagerly
    bindings: dict[str, tuple[str, bool]]  # name -> (submodule, the name is the submodule itself)

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header, "bindings": {k: list(v) for k, v in self.bindings.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceIndex:
        return cls(data["header"], {k: (v[0], bool(v[1])) for k, v in data["bindings"].items()})


def build_index(package_dir: Path) -> ServiceIndex:
    """Replay ``package_dir/__init__.py``'s import list; raises :class:`Unsupported`."""
    source = (package_dir / "__init__.py").read_text(encoding="utf-8")
    header: list[str] = []
    bindings: dict[str, tuple[str, bool]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            if [a.name for a in node.names] != ["*"] or "." in node.module:
                raise Unsupported(f"{package_dir}: from .{node.module} import ...")
            # Importing the submodule binds it on the package, then the star import overrides.
            bindings[node.module] = (node.module, True)
            for name in _literal_all(package_dir / f"{node.module}.py"):
                bindings[name] = (node.module, False)
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                if alias.asname or not (package_dir / f"{alias.name}.py").is_file():
                    raise Unsupported(f"{package_dir}: from . import {alias.name}")
                bindings[alias.name] = (alias.name, True)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            header.append(ast.unparse(node))
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            raise Unsupported(f"{package_dir}: line {node.lineno}: {type(node).__name__}")
    return ServiceIndex("\n".join(header), bindings)


def _literal_all(module_file: Path) -> list[str]:
    match = _ALL_RE.search(module_file.read_text(encoding="utf-8"))
    if match is None:
        raise Unsupported(f"{module_file}: no literal __all__")
    names = ast.literal_eval(match.group(1))
    if not all(isinstance(n, str) for n in names):
        raise Unsupported(f"{module_file}: __all__ is not a list of names")
    return list(names)


def distribution_version(top_dir: Path) -> str:
    """The provider's version from its ``pulumi-plugin.json`` (cheaper than importlib.metadata)."""
    try:
        return str(json.loads((top_dir / "pulumi-plugin.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "unknown"


class IndexCache:
    """One JSON file per service package; a stale or absent file is rebuilt."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, package_dir: Path) -> Path:
        top = package_dir.parent
        where = hashlib.sha256(str(package_dir).encode()).hexdigest()[:16]
        return self.directory / f"{top.name}-{distribution_version(top)}" / f"{package_dir.name}-{where}.json"

    def load(self, package_dir: Path) -> ServiceIndex | None:
        """The index, or None when the package cannot be made lazy."""
        init = (package_dir / "__init__.py").stat()
        stamp = [INDEX_FORMAT, INDEXER_DIGEST, str(package_dir), init.st_size, init.st_mtime_ns]
        cached = self.path_for(package_dir)
        try:
            data = json.loads(cached.read_text())
            if data["stamp"] == stamp:
                return None if data["index"] is None else ServiceIndex.from_json(data["index"])
        except (OSError, ValueError, KeyError):
            pass
        try:
            index: ServiceIndex | None = build_index(package_dir)
        except (Unsupported, OSError, SyntaxError, ValueError):
            index = None
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"stamp": stamp, "index": index and index.to_json()}))
            tmp.replace(cached)  # atomic: parallel test workers never read half a file
        except OSError:
            pass  # a read-only checkout still plans, it just rebuilds the index next time
        return index


class LazyServicePackage(types.ModuleType):
    """The package module; the import system binds a submodule on its parent after loading it,
    and for ``get_ami.py`` that would shadow the function ``get_ami`` the real ``__init__.py``
    star-imports over it: keep the star-imported object, as the real package does."""

    def __setattr__(self, name: str, value: Any) -> None:
        bindings: dict[str, tuple[str, bool]] = self.__dict__.get("__lazy_bindings__", {})
        binding = bindings.get(name)
        if (
            isinstance(value, types.ModuleType)
            and binding is not None
            and not binding[1]
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            value = _resolve(self, name)
        super().__setattr__(name, value)


def _resolve(module: types.ModuleType, name: str) -> Any:
    submodule, is_module = module.__dict__["__lazy_bindings__"][name]
    sub = importlib.import_module(f"{module.__name__}.{submodule}")
    return sub if is_module else getattr(sub, name)


def _execute_real_init(module: types.ModuleType, real: importlib.abc.Loader) -> None:
    for name in ("__getattr__", "__dir__"):
        module.__dict__.pop(name, None)
    module.__dict__["__lazy_bindings__"] = {}
    real.exec_module(module)


class LazyServiceLoader(importlib.abc.Loader):
    """Wraps the path finder's loader; the index is read at first use, not at find time:
    ``import pulumi_aws`` looks up all ~250 service packages (``_utilities.lazy_import``)."""

    def __init__(self, real: importlib.abc.Loader, cache: IndexCache) -> None:
        self.real = real
        self.cache = cache

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # the default module, its __path__/__file__ from the real spec

    def exec_module(self, module: types.ModuleType) -> None:
        spec = module.__spec__
        assert spec is not None and spec.origin is not None
        index = self.cache.load(Path(spec.origin).parent)
        if index is None:
            self.real.exec_module(module)  # the index cannot replay this package
            return
        module.__class__ = LazyServicePackage
        namespace = module.__dict__
        namespace["__lazy_bindings__"] = index.bindings
        exec(compile(index.header, spec.origin, "exec", dont_inherit=True), namespace)
        real = self.real

        def __getattr__(name: str) -> Any:
            if name == "__all__":  # what `from pkg import *` binds from the real package
                return [n for n in __dir__() if not n.startswith("_")]
            if name.startswith("__") or namespace.get("__lazy_fallback_done__"):
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
            if name in namespace["__lazy_bindings__"]:
                value = _resolve(module, name)
            else:
                # Not in the index: run the real __init__.py (a no-op for what is already
                # imported) and answer from its result.
                namespace["__lazy_fallback_done__"] = True
                _execute_real_init(module, real)
                if name not in namespace:
                    raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
                return namespace[name]
            namespace[name] = value
            return value

        def __dir__() -> list[str]:
            return sorted(set(namespace) | set(namespace["__lazy_bindings__"]))

        namespace["__getattr__"] = __getattr__
        namespace["__dir__"] = __dir__


class LazyProviderFinder(importlib.abc.MetaPathFinder):
    """Finds ``<top>.<service>`` packages of the given providers and makes them lazy."""

    def __init__(self, top_packages: Sequence[str], cache: IndexCache) -> None:
        self.top_packages = frozenset(top_packages)
        self.cache = cache

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        top, dot, service = fullname.partition(".")
        if not dot or top not in self.top_packages or "." in service or service.startswith("_"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.submodule_search_locations or spec.origin is None:
            return spec
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = LazyServiceLoader(spec.loader, self.cache)
        return spec


def enabled() -> bool:
    """Whether the planner's import hooks and SDK memos are on (``MLOPS_LAZY_PROVIDER_IMPORTS`` is
    not ``0``)."""
    return os.environ.get(ENV_SWITCH, "1") != "0"


def install(
    top_packages: Sequence[str] = PROVIDER_PACKAGES, cache_dir: Path = DEFAULT_CACHE_DIR
) -> LazyProviderFinder | None:
    """Install the finder unless switched off; packages imported already stay as they are."""
    if not enabled():
        return None
    for finder in sys.meta_path:
        if isinstance(finder, LazyProviderFinder) and finder.top_packages == frozenset(top_packages):
            return finder
    finder = LazyProviderFinder(top_packages, IndexCache(cache_dir))
    sys.meta_path.insert(0, finder)
    from planner import deferred_sdk_modules, lazy_provider_classes

    lazy_provider_classes.install(top_packages)
    deferred_sdk_modules.install()
    return finder
