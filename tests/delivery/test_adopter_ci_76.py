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

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from delivery.approved_model import approved_model
from delivery.stacks import PROMOTION_ORDER, list_stacks
from delivery.stacks import main as list_stacks_main
from tests.conftest import FIXTURE_STACKS
from tests.delivery.test_workflows import (
    EXPRESSION,
    WORKFLOWS,
    _deploy_job_names,
    _instances,
    _load,
    _needs,
    _only,
    _run,
    _steps,
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


# -- a model approval deploys the next environment that has stack files ------------------------------


def _listing_of(tmp_path: Path, write_stack, monkeypatch, environments: tuple[str, ...]):
    (tmp_path / "stacks").mkdir()
    for environment in environments:
        write_stack(environment, name=f"stacks/Pulumi.{environment}.yaml")
    monkeypatch.chdir(tmp_path)
    found = list_stacks("stacks")
    assert found.errors == []
    return found


def _approval(stack: str, account: str) -> dict[str, Any]:
    arn = f"arn:aws:sagemaker:eu-west-1:{account}:model-package/{stack}-customer-churn/7"
    payload = {"family": "customer-churn", "model_package_arn": arn, "source_stack": stack}
    return {"action": "model-approved", "client_payload": payload}


@pytest.mark.parametrize(
    ("environments", "source", "account", "deployed", "earlier"),
    [
        pytest.param(("dev", "prod"), "dev", "111111111111", "prod", ["dev"], id="no-staging-dev-to-prod"),
        pytest.param(("dev", "staging"), "staging", "222222222222", "staging", ["dev"], id="no-prod"),
        pytest.param(("dev",), "dev", "111111111111", "dev", [], id="dev-only"),
        pytest.param(PROMOTION_ORDER, "dev", "111111111111", "staging", ["dev"], id="all-three-as-before"),
    ],
)
def test_an_approval_deploys_the_next_environment_with_stack_files(
    deploy, tmp_path: Path, write_stack, monkeypatch, capsys, environments, source, account, deployed, earlier
) -> None:
    listing = _listing_of(tmp_path, write_stack, monkeypatch, environments)
    assert approved_model(_approval(source, account), listing).target_environment == deployed

    event = tmp_path / "event.json"
    event.write_text(json.dumps(_approval(source, account)))
    capsys.readouterr()
    assert list_stacks_main(["--github-output", "--approved-model", str(event)]) == 0
    captured = capsys.readouterr()
    outputs = dict(line.split("=", 1) for line in captured.out.splitlines())
    assert [entry["stack"] for entry in json.loads(outputs[deployed])] == [deployed]
    assert [entry["stack"] for entry in json.loads(outputs["earlier"])] == earlier
    assert f"deploying {deployed}" in captured.err
    names = _deploy_job_names(deploy)
    results = _run(deploy, outputs)
    assert {env for env, job in names.items() if results[job] == "success"} == {deployed}


def test_an_approval_says_which_environments_it_passes_over(tmp_path: Path, write_stack, monkeypatch, capsys):
    _listing_of(tmp_path, write_stack, monkeypatch, ("dev", "prod"))
    event = tmp_path / "event.json"
    event.write_text(json.dumps(_approval("dev", "111111111111")))
    capsys.readouterr()
    assert list_stacks_main(["--github-output", "--approved-model", str(event)]) == 0
    assert "deploying prod (staging has no stack file)" in capsys.readouterr().err


# -- the pull request's stack listing: 2 means an invalid stack file, and nothing else ----------------


def _listing_step(pull_request: dict[str, Any]) -> dict[str, Any]:
    [step] = [s for s in pull_request["jobs"]["stacks"]["steps"] if s.get("id") == "list"]
    return step


VALID = 'stack_files=[{"stack":"dev","stack_file":"stacks/Pulumi.dev.yaml"}]\nstacks=[]\n'
INVALID = 'stack_files=[{"stack":"qa","stack_file":"stacks/Pulumi.qa.yaml"}]\nstacks=[]\n'


@pytest.mark.parametrize(
    ("stdout", "status", "passes"),
    [
        pytest.param(VALID, 0, True, id="valid"),
        pytest.param(INVALID, 2, True, id="an-invalid-stack-file-its-plan-job-reports"),
        pytest.param("", 2, False, id="uvs-own-error"),
        pytest.param("stack_files=[]\nstacks=[]\ndev=[]\n", 2, False, id="no-stack-file-at-all"),
        pytest.param("", 3, False, id="crash"),
        pytest.param("", 1, False, id="import-error"),
    ],
)
def test_the_pull_requests_listing_lets_only_an_invalid_stack_file_through(
    pull_request, tmp_path: Path, stdout: str, status: int, passes: bool
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "stdout").write_text(stdout)
    uv = bin_dir / "uv"
    uv.write_text(f'#!/bin/sh\ncat "{tmp_path / "stdout"}"\nexit {status}\n')
    uv.chmod(0o755)
    output = tmp_path / "github-output"
    output.write_text("")
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output)}

    ran = _bash(_listing_step(pull_request)["run"], env, tmp_path, tmp_path)

    assert (ran.returncode == 0) is passes, ran.stdout + ran.stderr
    if passes:
        assert output.read_text() == stdout
    else:
        assert "::error title=Stack listing::" in ran.stdout
        assert ran.returncode == status, "the tool's own status, where the cause is"


# -- the environment's cache key: where it works ---------------------------------------------------


def _key_steps() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job_name, job in _load(path)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("name") == "Environment key":
                    found[f"{path.name}:{job_name}"] = step
    return found


def _key(step: dict[str, Any], tmp_path: Path, workspace: str, python_dir: Path | None = None) -> str:
    output = tmp_path / "github-output"
    output.write_text("")
    path = os.environ["PATH"] if python_dir is None else f"{python_dir}{os.pathsep}{os.environ['PATH']}"
    env = {
        "PATH": path,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_WORKSPACE": workspace,
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "LOCK_HASH": "0123abcd",  # a self-hosted runner: no ImageOS, no ImageVersion
    }
    ran = _bash(step["run"], env, tmp_path, tmp_path)
    assert ran.returncode == 0, ran.stderr
    [line] = output.read_text().splitlines()
    assert line.startswith("key=venv-Linux-X64-") and line.endswith("-0123abcd"), line
    assert "," not in line and len(line) < 512
    return line


def test_every_workflow_keys_the_environment_alike() -> None:
    steps = _key_steps()
    assert set(steps) == {"deploy.yml:stacks", "main-caches.yml:test", "pull-request.yml:stacks"}
    assert len({json.dumps(step, sort_keys=True) for step in steps.values()}) == 1


def test_the_environment_key_names_the_checkout_and_the_interpreter(tmp_path: Path) -> None:
    step = _key_steps()["pull-request.yml:stacks"]
    assert not EXPRESSION.search(step["run"])
    here = _key(step, tmp_path, "/home/runner/work/mlops-platform/mlops-platform")
    assert _key(step, tmp_path, "/home/runner/work/mlops-platform/mlops-platform") == here, "stable"
    # Another runner's work folder (two self-hosted runners on one host): the scripts' shebangs
    # name the checkout's absolute path.
    assert _key(step, tmp_path, "/opt/runner-2/_work/mlops-platform/mlops-platform") != here
    # The same Python version elsewhere: the environment's interpreter is a path.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = subprocess.run(
        ["python3", "-c", "import os, sys; print(os.path.realpath(sys.executable))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    copy = elsewhere / "python3"
    copy.write_bytes(Path(real).read_bytes())
    copy.chmod(0o755)
    probe = subprocess.run([str(copy), "-c", "print(1)"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"a copied interpreter does not start here: {probe.stderr[-200:]}")
    assert _key(step, tmp_path, "/home/runner/work/mlops-platform/mlops-platform", elsewhere) != here


# -- the AWS role session: within STS's 64 characters for any stack name Pulumi accepts -------------

ROLE_SESSION = re.compile(r"[\w+=,.@-]{2,64}")
"""STS's RoleSessionName (AssumeRoleWithWebIdentity): 2 to 64 of these characters."""


def _sessions(workflow: dict[str, Any], outputs: dict[str, str], run_id: str) -> dict[str, str]:
    found = {}
    for job in workflow["jobs"].values():
        if "strategy" not in job:
            continue
        for instance in _instances(job, outputs):
            steps = {step.get("uses", "").split("@")[0]: step for step in instance["steps"]}
            if "aws-actions/configure-aws-credentials" in steps:
                credentials = steps["aws-actions/configure-aws-credentials"]["with"]
                session = credentials["role-session-name"].replace("${{ github.run_id }}", run_id)
                stack = steps["pulumi/actions"]["with"]["stack-name"]
                found[f"{steps['pulumi/actions']['with']['command']}:{stack}"] = session
    return found


def test_the_role_session_name_fits_sts_for_the_longest_stack_name(
    pull_request, deploy, tmp_path: Path, write_stack, monkeypatch
) -> None:
    # 100 characters: the longest stack name Pulumi accepts (its physical names from name_prefix).
    stack = "payments-fraud-detection-production-eu-west-1-" + "x" * 54
    assert len(stack) == 100
    (tmp_path / "stacks").mkdir()
    for environment in PROMOTION_ORDER:
        write_stack(environment, name=f"stacks/Pulumi.{environment}.yaml")
    write_stack("prod", lambda p: p.update(name_prefix="fraud-prod"), name=f"stacks/Pulumi.{stack}.yaml")
    monkeypatch.chdir(tmp_path)
    listing = list_stacks("stacks")
    assert listing.errors == []
    outputs = listing.github_outputs()
    run_id = "9" * 15  # GitHub's run ids have 11 digits today

    sessions = {
        **_sessions(pull_request, outputs, run_id),
        **_sessions(deploy, outputs, run_id),
    }

    assert len(sessions) == 2 * 4, sessions  # a preview and a deploy of each stack
    assert {name: s for name, s in sessions.items() if not ROLE_SESSION.fullmatch(s)} == {}
    # Still names the stack (CloudTrail tells the stacks of one role apart), as far as it fits.
    assert sessions["up:dev"] == f"deploy-dev-{run_id}"
    [long] = [s for s in sessions.values() if s.startswith("deploy-payments")]
    assert long == f"deploy-payments-fraud-detection-production-eu-w-{run_id}", "its first 40 characters"


# -- a stack file named with a character an artifact name refuses ------------------------------------

# actions/upload-artifact refuses these in an artifact's name (and all but the last two in a path).
ARTIFACT_REFUSES = set('":<>|*?\r\n\\/')


def test_each_plan_jobs_artifact_name_is_one_upload_artifact_takes_and_unique(
    pull_request, tmp_path: Path, write_stack, monkeypatch
) -> None:
    (tmp_path / "stacks").mkdir()
    names = ["a_b", "a:b", "a*b", 'a"b', "a?b", "a|b", "a<b>", "a\\b", "a%3Ab", "a~b", "a%7Eb"]
    for name in names:
        write_stack("dev", name=f"stacks/Pulumi.{name}.yaml")
    monkeypatch.chdir(tmp_path)
    listing = list_stacks("stacks")
    assert len(listing.errors) == len(names) - 1, "every name but a_b is one Pulumi refuses"

    plans = _instances(pull_request["jobs"]["plan"], listing.github_outputs())

    artifacts = [_only(plan, "actions/upload-artifact@")["with"]["name"] for plan in plans]
    assert [name for name in artifacts if ARTIFACT_REFUSES & set(name)] == []
    assert len(set(artifacts)) == len(names), "one artifact per stack file"
    # The plan job still plans the file itself: its stack file, unchanged.
    assert sorted(plan["env"]["STACK_FILE"] for plan in plans) == sorted(
        f"stacks/Pulumi.{name}.yaml" for name in names
    )
    assert "plan-a_b" in artifacts, "a valid stack keeps its name"


# -- a stack without a role variable: said before anything else, naming both variables --------------


def _aws_instances(outputs: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for workflow in ("pull-request.yml", "deploy.yml"):
        for job in _load(WORKFLOWS / workflow)["jobs"].values():
            if "strategy" in job and any(
                step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
                for step in job["steps"]
            ):
                found += [(workflow, instance) for instance in _instances(job, outputs, {})]
    return found


def test_a_stack_without_a_role_variable_fails_first_naming_both_variables(outputs, tmp_path: Path) -> None:
    entries = {entry["stack"]: entry for entry in json.loads(outputs["stacks"])}
    instances = _aws_instances(outputs)
    assert len(instances) == 2 * len(entries), "a preview and a deploy of each stack"
    for workflow, instance in instances:
        steps = instance["steps"]
        [credentials] = _steps(instance, "aws-actions/configure-aws-credentials@")
        [check] = [step for step in steps if "ROLE" in step.get("env", {})]
        assert steps.index(check) == 0, "before the checkout and the environment: minutes sooner"
        assert check["env"]["ROLE"] == credentials["with"]["role-to-assume"], "the very role it assumes"
        stack = _only(instance, "pulumi/actions@")["with"]["stack-name"]
        kind = "preview" if workflow == "pull-request.yml" else "deploy"
        names = [entries[stack][f"{kind}_role_variable"], entries[stack][f"{kind}_role_fallback"]]
        env = {key: str(value) for key, value in check["env"].items()} | {"PATH": os.environ["PATH"]}

        unset = _bash(check["run"], env | {"ROLE": ""}, tmp_path, tmp_path)

        assert unset.returncode == 1
        [error] = [line for line in unset.stdout.splitlines() if line.startswith("::error ")]
        assert all(name in error for name in names) and f"stack {stack}" in error, error
        role = "arn:aws:iam::111111111111:role/x"
        assert _bash(check["run"], env | {"ROLE": role}, tmp_path, tmp_path).returncode == 0
