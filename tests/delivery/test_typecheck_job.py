"""The type check: `make typecheck` runs mypy with pyproject.toml's settings over every product
package, `make lint` runs it too (`make test` does not: a cold run takes minutes), and every pull
request runs it in its own job, with mypy's cache kept between runs."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

MAKEFILE = REPO / "Makefile"
PULL_REQUEST = REPO / ".github" / "workflows" / "pull-request.yml"
CACHE_KEY = "mypy-${{ runner.os }}-${{ hashFiles('uv.lock', 'pyproject.toml') }}"


def _recipe(target: str) -> list[str]:
    """The command lines of a Makefile target (its tab-indented lines after ``target:``)."""
    lines = MAKEFILE.read_text().splitlines()
    [start] = [i for i, line in enumerate(lines) if re.match(rf"{target}:", line)]
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def _mypy_settings() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]


@pytest.fixture(scope="module")
def typecheck_job() -> dict[str, Any]:
    jobs = yaml.safe_load(PULL_REQUEST.read_text())["jobs"]
    [job] = [job for job in jobs.values() if "make typecheck" in [s.get("run") for s in job["steps"]]]
    return job


def test_make_typecheck_runs_mypy_with_the_pyproject_configuration() -> None:
    # No arguments: mypy reads [tool.mypy] (its `files` say what to check), and nothing else
    # configures it, since a mypy.ini, .mypy.ini or setup.cfg [mypy] would be read first.
    assert _recipe("typecheck") == ["$(RUN) mypy"]
    assert re.search(r"^typecheck: bootstrap ## .+", MAKEFILE.read_text(), re.M), "listed by make help"
    assert not (REPO / "mypy.ini").exists() and not (REPO / ".mypy.ini").exists()
    setup_cfg = REPO / "setup.cfg"
    assert not setup_cfg.exists() or "[mypy" not in setup_cfg.read_text()
    assert _mypy_settings()["python_version"] == "3.11"


def test_make_lint_type_checks_and_make_test_does_not() -> None:
    assert "$(RUN) mypy" in _recipe("lint")
    assert not any("mypy" in line for line in _recipe("test")), "a cold mypy run would slow the suite"


def test_the_typecheck_configuration_covers_every_product_package() -> None:
    """Every top-level package but the tests, so a new one cannot be left out silently."""
    packages = {path.parent.name for path in REPO.glob("*/__init__.py")} - {"tests"}
    assert {"components", "stacks", "planner", "policies", "delivery", "pipelines"} <= packages
    assert sorted(_mypy_settings()["files"]) == sorted(packages)


def test_missing_imports_are_ignored_only_for_the_untyped_modules_named() -> None:
    settings = _mypy_settings()
    assert "ignore_missing_imports" not in settings, "per module, never for every import"
    for override in settings.get("overrides", []):
        assert override["module"], override
        assert set(override) <= {"module", "ignore_missing_imports"}, override


def test_the_pull_request_runs_make_typecheck_in_the_runs_environment(typecheck_job) -> None:
    assert typecheck_job["needs"] == "stacks"
    assert typecheck_job["permissions"] == {"contents": "read"}
    assert typecheck_job["timeout-minutes"]
    steps = typecheck_job["steps"]
    [venv] = [s for s in steps if s.get("with", {}).get("path") == ".venv"]
    assert venv["uses"].startswith("actions/cache/restore@")
    assert venv["with"] == {
        "path": ".venv",
        "key": "${{ needs.stacks.outputs.environment }}",
    }
    run = steps.index(next(s for s in steps if s.get("run") == "make typecheck"))
    assert steps.index(venv) < run


def test_the_typecheck_job_keeps_mypys_cache(typecheck_job) -> None:
    """Keyed on the runner's OS and the locked environment (what most of a cold run analyses); an
    older cache is a fine start, since mypy checks each entry against the files it describes."""
    steps = typecheck_job["steps"]
    restore, save = (s for s in steps if s.get("with", {}).get("path") == ".mypy_cache")
    assert restore["uses"].startswith("actions/cache/restore@")
    assert restore["with"] == {
        "path": ".mypy_cache",
        "key": CACHE_KEY,
        "restore-keys": "mypy-${{ runner.os }}-",
    }
    assert save["uses"].startswith("actions/cache/save@")
    assert save["with"] == {"path": ".mypy_cache", "key": CACHE_KEY}
    assert save["if"] == f"steps.{restore['id']}.outputs.cache-hit != 'true'", "saved when not found as is"
    run = steps.index(next(s for s in steps if s.get("run") == "make typecheck"))
    assert steps.index(restore) < run < steps.index(save)
