"""The workflows as an adopting team runs them: its own branch protection, stack files, environments
and runners.

- Branch protection needs one check whose name no stack file changes and that reports on every
  pull request: a matrix job skipped by its `if` (every preview of a fork's or Dependabot's pull
  request) reports no per-stack check at all, so a required `pulumi preview (<stack>)` blocked
  such a pull request for ever, and a pull request renaming or deleting a stack file waited for
  a check that no job reports any more.
- A model approval deploys the next environment that has stack files: with no staging stack, a
  dev approval listed staging (`[]`) and the run deployed nothing, green.
- The pull request's stack listing lets exit status 2 through only with a listing of stack files
  (an invalid one, which its plan job reports): uv's own errors are 2 as well, and so is "no stack
  file at all", which left the plan and preview skipped and every check green.
- The environment's cache key names where the environment works: its scripts start with the
  checkout's absolute path and it runs on the interpreter it was built with, and a self-hosted
  runner (GitHub Enterprise Server's) has no ImageOS or ImageVersion to tell images apart.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from delivery.stacks import list_stacks
from tests.conftest import FIXTURE_STACKS
from tests.delivery.test_workflows import (
    WORKFLOWS,
    _load,
    _needs,
    _run,
)

REPOSITORY = "my-org/mlops-platform"
SAME_REPOSITORY = {"head_repo": REPOSITORY, "repository": REPOSITORY}
FORK = {"head_repo": "someone/mlops-platform", "repository": REPOSITORY}
DEPENDABOT = {**SAME_REPOSITORY, "author": "dependabot[bot]"}


@pytest.fixture(scope="module")
def pull_request() -> dict[str, Any]:
    return _load(WORKFLOWS / "pull-request.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return _load(WORKFLOWS / "deploy.yml")


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    """The stacks job's outputs for the fixture dev, staging and prod stacks."""
    listing = list_stacks(FIXTURE_STACKS)
    assert listing.errors == []
    return listing.github_outputs()


def _bash(script: str, env: dict[str, str], cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """A `run:` script as GitHub runs one without `shell:` on Linux: `bash -e {0}`."""
    path = tmp_path / "step.sh"
    path.write_text(script)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


# -- one required check, reported on every pull request ----------------------------------------------


def _required_check(workflow: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [found] = [
        (name, job) for name, job in workflow["jobs"].items() if job.get("name") == "pull request checks"
    ]
    return found


def test_one_check_to_require_whose_name_no_stack_file_changes(pull_request) -> None:
    name, job = _required_check(pull_request)
    assert "${{" not in job["name"] and "strategy" not in job, "one check, not one per stack"
    # Every job that gives a verdict on the pull request (the comment job only comments).
    verdicts = set(pull_request["jobs"]) - {name, "plan-comment"}
    assert set(_needs(job)) == verdicts
    # always(): a skipped check reads as passed, so it must run after a failure or a cancel too.
    assert job["if"] == "always()"
    assert job["permissions"] == {} and "environment" not in job
    [step] = job["steps"]
    assert step["env"] == {need.upper(): f"${{{{ needs.{need}.result }}}}" for need in _needs(job)}


def _check_outcome(
    pull_request: dict[str, Any], results: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """The required check's script, run with the results GitHub gives its needs."""
    _, job = _required_check(pull_request)
    [step] = job["steps"]
    env = {"PATH": os.environ["PATH"]}
    for variable, expression in step["env"].items():
        need = re.fullmatch(r"\$\{\{ needs\.([\w-]+)\.result \}\}", expression)
        assert need, expression
        env[variable] = results[need[1]]
    return _bash(step["run"], env, tmp_path, tmp_path)


@pytest.mark.parametrize(
    ("context", "failing", "passes"),
    [
        pytest.param(SAME_REPOSITORY, set(), True, id="all-pass"),
        pytest.param(FORK, set(), True, id="fork-previews-skipped"),
        pytest.param(DEPENDABOT, set(), True, id="dependabot-previews-skipped"),
        pytest.param(SAME_REPOSITORY, {"plan"}, False, id="plan-fails"),
        pytest.param(FORK, {"plan"}, False, id="fork-plan-fails"),
        pytest.param(SAME_REPOSITORY, {"test"}, False, id="test-fails"),
        pytest.param(SAME_REPOSITORY, {"typecheck"}, False, id="typecheck-fails"),
        pytest.param(SAME_REPOSITORY, {"preview"}, False, id="preview-fails"),
        pytest.param(SAME_REPOSITORY, {"stacks"}, False, id="stack-listing-fails"),
        pytest.param(SAME_REPOSITORY, {"plan-comment"}, True, id="only-the-comment-fails"),
    ],
)
def test_the_required_check_reports_on_every_pull_request_and_fails_with_any_job(
    pull_request, outputs, tmp_path: Path, context, failing, passes
) -> None:
    name, _ = _required_check(pull_request)
    results = _run(pull_request, outputs, failing=failing, context=context)
    assert results[name] != "skipped", "a skipped matrix reports no check; this one always runs"
    if context is not SAME_REPOSITORY:
        assert results["preview"] == "skipped", "the per-stack preview checks never report here"

    ran = _check_outcome(pull_request, results, tmp_path)

    assert (ran.returncode == 0) is passes, ran.stdout + ran.stderr
    for job in failing - {"plan-comment"}:
        assert f"::error title=pull request checks::{job} " in ran.stdout


def test_a_cancelled_job_fails_the_required_check(pull_request, outputs, tmp_path: Path) -> None:
    results = _run(pull_request, outputs)
    ran = _check_outcome(pull_request, {**results, "test": "cancelled"}, tmp_path)
    assert ran.returncode == 1 and "test cancelled" in ran.stdout


def test_the_docs_require_that_one_check(pull_request) -> None:
    _, job = _required_check(pull_request)
    text = (WORKFLOWS.parents[1] / "docs" / "ci-cd.md").read_text()
    assert f"require the one check `{job['name']}`" in text
    assert "add the new names when you add a stack file" not in text
