"""What the prod plan leaves in a fresh interpreter, with the lazy provider imports on and off: the
ground truth of the planner's import hooks (planner/deferred_sdk_modules.py,
lazy_provider_imports.py, lazy_provider_classes.py), which a test worker has installed (conftest
imports the planner first) and so cannot observe in itself.

One fresh process per switch (``MLOPS_LAZY_PROVIDER_IMPORTS``) serves every test module that reads
it: the process makes the plan as `python -m planner` makes it (``main(..., one_shot=True)``) and
reports what that left in ``sys.modules``. With the hooks off it then describes the plan's own
recording of the prod fixture (kept by a wrapper of ``planner.__main__.build_plan``) and what the
tests compare with a hooked worker's modules: the ground truth is a fresh process's first
recording, as `python -m planner` makes it (until 2026-12-06 the process recorded the stack a
second time for it: 0.5 CPU-s more, the same report). Each report is computed
once per version of the code and shared by the xdist workers and later runs
(tests.recorded.computed_once): six processes (one of them in every run) became two.

:func:`describe` and :func:`sdk_view` are the functions the fresh process describes objects with,
so both sides compare the same descriptions. The fresh process imports this module before its
plan: it must import nothing of the program's at its top (a test checks it).
"""

from __future__ import annotations

import json
import os
import re
import types
from pathlib import Path
from typing import Any

# The SageMaker type modules: every class's SDK view is described (the other type modules: names).
SDK_VIEW_MODULES = (
    "pulumi_aws.sagemaker._inputs",
    "pulumi_aws.sagemaker.outputs",
    "pulumi_aws_native.sagemaker._inputs",
)
# The type module whose lazily built classes the plan's report counts.
COUNTED_TYPE_MODULE = "pulumi_aws.sagemaker._inputs"
# The libraries a JSON plan must not import (tracing, the process utilities it brings, the text
# report's renderer, the SageMaker SDK: definitions come from the cache).
WATCHED_IMPORTS = ("psutil", "opentelemetry.sdk.trace", "rich", "sagemaker")


def describe(value: Any) -> list[str]:
    """What identifies ``value`` across processes: a module's name, a class's or function's module
    and qualified name, else its repr without addresses."""
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    if hasattr(value, "__module__") and hasattr(value, "__qualname__"):
        return [value.__module__, value.__qualname__]
    return ["value", re.sub(r" at 0x[0-9a-f]+", "", repr(value))]


def sdk_view(cls: Any) -> list[Any]:
    """What the Pulumi SDK reads off a type class: input or output type, and each property's type
    (from the class's string type hints)."""
    from pulumi import _types

    if _types.is_input_type(cls):
        return ["input", {k: describe(v) for k, v in sorted(_types.input_type_types(cls).items())}]
    if _types.is_output_type(cls):
        return ["output", {k: describe(v) for k, v in sorted(_types.output_type_types(cls).items())}]
    return ["plain", sorted(getattr(cls, "__annotations__", {}))]


def resource_rows(graph: Any) -> list[Any]:
    """A recorded graph as the report's JSON holds it: per resource its URN, type, custom flag,
    parent, provider, dependencies and inputs (assets and archives as their class and fields: a
    repr has an address). Both sides of a comparison encode their graph with this."""
    rows = [[r.urn, r.type, r.custom, r.parent, r.provider, sorted(r.dependencies), r.inputs] for r in graph]
    return json.loads(
        json.dumps(rows, default=lambda value: {type(value).__qualname__: vars(value)}, sort_keys=True)
    )


def _report(stack_file: str, *, described: bool) -> dict[str, Any]:
    """Run in the fresh process (``python -c``): the plan first, with nothing of the program's
    imported before it; then, if ``described``, the second recording and its descriptions."""
    import contextlib
    import io
    import sys

    import planner.__main__ as cli

    # The plan's recording, kept for the descriptions: the process records the stack once, as
    # `python -m planner` does (a wrapper of the module's build_plan, which the plan calls by name).
    plans: list[Any] = []
    build_plan = cli.build_plan

    def kept(*args: Any, **kwargs: Any) -> Any:
        plans.append(build_plan(*args, **kwargs))
        return plans[-1]

    cli.build_plan = kept
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["--config", stack_file, "--format", "json"], one_shot=True)

    from planner import sdk_serialize, sdk_type_memo, sdk_unknowns
    from planner.deferred_sdk_modules import DEFERRED_MODULES, is_deferred

    plan = {
        "status": status,
        "sdk_type_memo": sdk_type_memo.is_installed(),  # the SDK's type-hint helpers remembered
        "sdk_unknowns": sdk_unknowns.is_installed(),  # its unknowns check without cyclic garbage
        "sdk_serialize": sdk_serialize.is_installed(),  # its plain values' (de)serialising shortened
        "modules": {
            name: name in sys.modules and is_deferred(sys.modules[name]) for name in DEFERRED_MODULES
        },
        "imported": sorted(name for name in WATCHED_IMPORTS if name in sys.modules),
    }
    counted = sys.modules.get(COUNTED_TYPE_MODULE)
    lazy = counted is not None and "__lazy_all__" in counted.__dict__
    # [classes the module defines, classes not built yet], or None where it is no lazy module.
    plan["lazy_classes"] = (
        [len(counted.__dict__["__lazy_all__"]), len(counted.__dict__["__lazy_pending__"])] if lazy else None
    )
    if not described:
        return {"plan": plan}

    [made] = plans
    graph = made.graph
    modules = list(sys.modules)
    services = sorted(
        {
            m.rsplit(".", 1)[0]
            for m in modules
            if re.fullmatch(r"pulumi_aws(_native)?\.[a-z0-9_]+\.[a-z0-9_]+", m)
        }
    )
    type_modules = sorted(
        m for m in modules if re.fullmatch(r"pulumi_aws(_native)?\.[a-z0-9_]+\.(_inputs|outputs|_enums)", m)
    )
    return {
        "plan": plan,
        "services": {
            p: {n: describe(getattr(sys.modules[p], n)) for n in dir(sys.modules[p]) if not n.startswith("_")}
            for p in services
        },
        "lazy_services": [p for p in services if type(sys.modules[p]).__name__ == "LazyServicePackage"],
        # Pairs in the order of __all__ (the report's JSON sorts the keys of a map).
        "types": {
            m: [[n, describe(getattr(sys.modules[m], n))] for n in sys.modules[m].__all__]
            for m in type_modules
        },
        "views": {
            m: {n: sdk_view(getattr(sys.modules[m], n)) for n in sys.modules[m].__all__}
            for m in SDK_VIEW_MODULES
        },
        "lazy_types": [m for m in type_modules if type(sys.modules[m]).__name__ == "LazyClassModule"],
        "resources": resource_rows(graph),
    }


_SCRIPT = """
import json, sys
from tests.fresh_plans import _report
print(json.dumps(_report(sys.argv[1], described=sys.argv[2] == "described"), sort_keys=True))
"""


def definition_folder() -> Path:
    """The pipeline-definition cache the fresh processes read, as an absolute path: the configured
    one (``MLOPS_DEFINITION_CACHE``) or the default, resolved against the repository, where the
    fresh processes run, not this process's working directory; the default where the cache is
    configured off (a plan without a cache composes every definition, which is not what these
    tests look at)."""
    from components.definition_cache_dir import DEFAULT_DIR, cache_dir
    from tests.conftest import REPO

    return REPO / (cache_dir() or DEFAULT_DIR)


def _definitions(folder: Path) -> set[str]:
    """The composed definitions ``folder`` holds (``<key>.json``)."""
    return {path.name for path in folder.glob("*.json")}


def _fresh_report(switch: str) -> dict[str, Any]:
    """The fresh process's report of a warm plan: its definitions composed before it. A plan that
    composes what ``folder`` lacks (a first plan of changed builders: in a child, or with no spare
    core in its own process, which then imports the SageMaker SDK, rich and psutil) is made again
    once they are there. Until 2026-12-06 a recording in the worker warmed the folder first, every
    time (about 0.35 CPU-s a worker); a warm folder, the usual case, now costs nothing."""
    from planner import lazy_provider_imports
    from tests.conftest import stack_path
    from tests.script_reports import script_report

    folder = definition_folder()
    environment = {
        **os.environ,
        lazy_provider_imports.ENV_SWITCH: switch,
        "MLOPS_DEFINITION_CACHE": str(folder),
    }
    # Only the hooks-off side's recording and descriptions are compared with a hooked worker.
    described = "described" if switch == "0" else "plan only"
    before = _definitions(folder)
    report: dict[str, Any] = script_report(_SCRIPT, str(stack_path("prod")), described, env=environment)
    if _definitions(folder) != before:  # composed (or another worker did meanwhile): plan warm
        report = script_report(_SCRIPT, str(stack_path("prod")), described, env=environment)
    return report


def fresh_plan(switch: str) -> dict[str, Any]:
    """The report of the prod plan's fresh process with ``MLOPS_LAZY_PROVIDER_IMPORTS=switch``: this
    caller's own copy (see the module's docstring)."""
    from tests.conftest import stack_path
    from tests.recorded import computed_once

    prod = stack_path("prod")
    return computed_once(
        f"prod-{switch}",
        lambda: _fresh_report(switch),
        key=[str(prod), prod.read_bytes(), switch, os.environ.get("PYTHONPATH", "")],
    )
