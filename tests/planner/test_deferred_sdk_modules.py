"""The Pulumi SDK modules a plan never runs are loaded on first use (planner/deferred_sdk_modules.py),
and a JSON plan does not import the text report's renderer (rich).

What a plan executes is read in a fresh process (this one has run whatever earlier tests touched):
one per version of the code, shared by the workers (tests.recorded.computed_once).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import subprocess
import sys
from typing import Any

import pytest

from planner import deferred_sdk_modules as deferred
from planner import lazy_provider_imports
from tests.conftest import REPO, stack_path
from tests.recorded import computed_once
from tests.script_reports import script_report

# The plan as `python -m planner` makes it, then what it left in sys.modules.
_PLAN_THEN_REPORT = """
import contextlib, io, json, sys
from planner.__main__ import main
from planner.deferred_sdk_modules import DEFERRED_MODULES, is_deferred
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["--config", sys.argv[1], "--format", "json"], one_shot=True)
print(json.dumps({
    "status": status,
    "modules": {name: name in sys.modules and is_deferred(sys.modules[name]) for name in DEFERRED_MODULES},
    "imported": sorted(
        name for name in ("psutil", "opentelemetry.sdk.trace", "rich", "sagemaker") if name in sys.modules
    ),
}))
"""


@functools.cache
def _warm_definition_cache() -> None:
    """Plan prod once so that the measured plans are warm: their definitions from the cache,
    whatever the cores and the cache held before. A plan that composes a definition in its own
    process (one core, MLOPS_PARALLEL_COMPOSER=0) imports the SageMaker SDK, which imports rich and
    psutil itself. The definitions do not depend on the switch: one plan serves both sides."""
    subprocess.run(
        [sys.executable, "-m", "planner", "--config", str(stack_path("prod")), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )


def _plan_in_a_fresh_process(switch: str) -> dict[str, Any]:
    _warm_definition_cache()
    environment = {**os.environ, lazy_provider_imports.ENV_SWITCH: switch}
    return script_report(_PLAN_THEN_REPORT, str(stack_path("prod")), env=environment)


@pytest.fixture(scope="module")
def fresh_plans() -> dict[str, dict[str, Any]]:
    return {
        switch: computed_once(
            f"deferred-{switch}",
            lambda switch=switch: _plan_in_a_fresh_process(switch),
            key=[stack_path("prod").read_bytes(), switch],
        )
        for switch in ("1", "0")
    }


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
