"""The optional parts of the package and the extra that installs each.

The base install (pulumi, pulumi-aws, pydantic) covers most components; a component that needs
more says so by name instead of failing deep inside a Pulumi apply with a bare ``No module
named ...``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from types import ModuleType
from typing import Any

EXTRAS: dict[str, tuple[str, str]] = {
    "sagemaker": ("training", "the SageMaker SDK"),
    "pulumi_aws_native": ("model-quality", "pulumi-aws-native"),
    "pulumi_kubernetes": ("kubernetes", "pulumi-kubernetes"),
    "pulumi_policy": ("policies", "pulumi-policy"),
}
"""Top-level module → (the extra that installs it, what it is)."""


class MissingExtraError(ModuleNotFoundError):
    """A component needs a package of an extra that is not installed."""


def _message(module: str, needed_by: str) -> str:
    extra, what = EXTRAS[module]
    return (
        f"{needed_by} needs {what} ({module}), which the base install leaves out: install "
        f"'mlops-platform[{extra}]' (or '[all]')"
    )


def require(module: str, needed_by: str) -> None:
    """Raise :class:`MissingExtraError` unless ``module`` (a key of :data:`EXTRAS`) is installed."""
    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(_message(module, needed_by), name=module)


def import_needing(relative: str, package: str, needed_by: str) -> ModuleType:
    """Import ``relative`` from ``package``; a missing extra is reported as :class:`MissingExtraError`."""
    try:
        return import_module(relative, package)
    except ModuleNotFoundError as error:
        top = (error.name or "").split(".")[0]
        if top in EXTRAS:
            raise MissingExtraError(_message(top, needed_by), name=top) from error
        raise


def on_first_use(package: str, modules: Mapping[str, Sequence[str]]) -> Callable[[str], Any]:
    """A package's module ``__getattr__`` (PEP 562) that imports each name's module when the name is
    first read, keyed by module: ``{".feature_store": ("FeatureStore", ...)}``.

    Reading a package's specs (the stack file's configuration model) then does not import Pulumi,
    pulumi-aws or an extra: only the components' own modules do. A submodule is imported when read
    (``package.cost_guardrails``), as a package that imported it eagerly had it. A missing extra is
    reported as :class:`MissingExtraError`; an ``AttributeError`` raised inside the module becomes an
    ``ImportError`` with its cause (it would otherwise read as a name the package lacks). The name is
    kept in the package, so later reads are plain lookups.

    ``dir()`` lists what is loaded, and ``__all__`` every name: listing the rest in ``dir()`` would
    make ``help()`` and ``inspect.getmembers`` import every component (and fail without an extra).
    The package names the classes again under ``if TYPE_CHECKING:`` for type checkers; a test keeps
    the two lists equal.
    """
    module_of = {name: module for module, names in modules.items() for name in names}
    namespace = sys.modules[package].__dict__

    def load(relative: str, what: str) -> ModuleType:
        try:
            return import_needing(relative, package, f"{package}.{what}")
        except AttributeError as error:
            raise ImportError(f"{package}.{what}: importing {relative} failed: {error}") from error

    def __getattr__(name: str) -> Any:
        if name in module_of:
            value = getattr(load(module_of[name], name), name)
        elif (
            name.isidentifier()
            and not name.startswith("__")
            and importlib.util.find_spec(f"{package}.{name}") is not None
        ):
            value = load(f".{name}", name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    return __getattr__
