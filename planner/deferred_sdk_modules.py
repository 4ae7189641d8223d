"""Pulumi SDK modules the offline planner never runs, loaded on first use instead of at import.

``import pulumi`` executes three subpackages a mocked program does not touch, about 80 ms of a
warm plan's ~0.4 s of imports on a 2-core machine:

* ``pulumi.runtime._instrumentation``: OpenTelemetry tracing for a program the engine runs with a
  ``TRACEPARENT`` (it imports the OpenTelemetry SDK and psutil). A recording never talks to an
  engine, so it has nothing to trace.
* ``pulumi.automation``: the Automation API (workspaces, stacks driven from Python).
* ``pulumi.dynamic``: dynamic providers; the platform defines none.

:func:`install` puts a ``sys.meta_path`` finder in front of the path finder that gives exactly
these modules the real spec with :class:`importlib.util.LazyLoader` around its loader: the module
object exists, ``pulumi/__init__.py`` binds it as it always does, and the module's code runs in
full the first time anything reads an attribute of it. Nothing is left out, only postponed.

Only the planner process and the test suite install it (through
:func:`planner.lazy_provider_imports.install`, with the same switch,
``MLOPS_LAZY_PROVIDER_IMPORTS=0``); the Pulumi program entry used by ``pulumi up``
(``__main__.py``) does not import the planner, so a real deployment imports the SDK as released,
with its tracing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

DEFERRED_MODULES = frozenset({"pulumi.runtime._instrumentation", "pulumi.automation", "pulumi.dynamic"})


class DeferredModuleFinder(importlib.abc.MetaPathFinder):
    """Finds the :data:`DEFERRED_MODULES` and loads them lazily."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in DEFERRED_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def is_deferred(module: types.ModuleType) -> bool:
    """Whether ``module`` was loaded lazily and none of its code has run yet."""
    # The class LazyLoader gives the modules it defers: private, so typeshed's stub leaves it out.
    return isinstance(module, importlib.util._LazyModule)  # type: ignore[attr-defined]


def install() -> DeferredModuleFinder:
    """Install the finder (once); a deferred module imported already stays as it is."""
    for finder in sys.meta_path:
        if isinstance(finder, DeferredModuleFinder):
            return finder
    finder = DeferredModuleFinder()
    sys.meta_path.insert(0, finder)
    return finder
