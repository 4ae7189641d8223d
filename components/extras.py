"""The optional parts of the package and the extra that installs each.

The base install (pulumi, pulumi-aws, pydantic) covers most components; a component that needs
more says so by name instead of failing deep inside a Pulumi apply with a bare ``No module
named ...``.
"""

from __future__ import annotations

import importlib.util
from importlib import import_module
from types import ModuleType

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
