"""The Pulumi SDK modules a plan never runs are loaded on first use (planner/deferred_sdk_modules.py),
and a JSON plan does not import the text report's renderer (rich).

What a plan executes is read in a fresh process (this one has run whatever earlier tests touched):
tests/fresh_plans.py, one per switch and version of the code, shared with the lazy-import tests.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from planner import deferred_sdk_modules as deferred
from tests import fresh_plans as fresh_plans_module
from tests.fresh_plans import fresh_plan


@pytest.fixture(scope="module")
def fresh_plans() -> dict[str, dict[str, Any]]:
    """What the prod plan left in a fresh process, with the lazy provider imports on ("1") and off."""
    return {switch: fresh_plan(switch)["plan"] for switch in ("1", "0")}


def test_a_plan_runs_none_of_the_deferred_modules(fresh_plans: dict[str, dict[str, Any]]) -> None:
    plan = fresh_plans["1"]
    assert plan["status"] == 0
    # Imported (pulumi/__init__.py binds them), none of their code run.
    assert plan["modules"] == dict.fromkeys(deferred.DEFERRED_MODULES, True)
    # Neither what the tracing module would have brought in nor the text renderer (nor the
    # SageMaker SDK: the definitions came from the cache).
    assert plan["imported"] == []


def test_the_switch_imports_them_as_released(fresh_plans: dict[str, dict[str, Any]]) -> None:
    plan = fresh_plans["0"]
    assert plan["status"] == 0
    assert plan["modules"] == dict.fromkeys(deferred.DEFERRED_MODULES, False)
    assert plan["imported"] == ["opentelemetry.sdk.trace", "psutil"]  # and still no rich


def test_a_deferred_module_runs_in_full_on_first_use() -> None:
    import pulumi

    assert pulumi.automation.LocalWorkspace.__module__.startswith("pulumi.automation.")
    assert issubclass(pulumi.dynamic.Resource, pulumi.CustomResource)
    assert callable(pulumi.runtime._instrumentation._initialize_tracing)
    for name in deferred.DEFERRED_MODULES:
        module = sys.modules[name]
        assert not deferred.is_deferred(module), name
        assert importlib.import_module(name) is module


def test_only_the_named_modules_are_deferred() -> None:
    import pulumi
    import pulumi.automation

    finder = deferred.install()
    assert deferred.install() is finder and sys.meta_path.count(finder) == 1
    assert finder.find_spec("pulumi.runtime", pulumi.__path__) is None
    assert finder.find_spec("pulumi.automation.errors", pulumi.automation.__path__) is None
    spec = finder.find_spec("pulumi.dynamic", pulumi.__path__)
    assert spec is not None and isinstance(spec.loader, importlib.util.LazyLoader)


def test_the_fresh_process_imports_nothing_of_the_programs_before_its_plan() -> None:
    """tests/fresh_plans.py is imported by the fresh process before the plan it observes: its top
    level may import the standard library only (what the plan imports is what is measured)."""
    tree = ast.parse(Path(fresh_plans_module.__file__).read_text())
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add((node.module or "").split(".")[0])
    assert imported - {"__future__"} <= set(sys.stdlib_module_names), imported
    assert "json" in imported  # the walk sees the module's imports
