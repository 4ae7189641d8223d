"""The GitHub workflows: schema-valid, every stack file planned, previewed and deployed, OIDC only.

Nothing here lists stacks: the workflows compute them (the `stacks` job runs `python -m
delivery.stacks --github-output`), so the expectations are computed the same way, from the stack
files. Matrices are expanded and job conditions evaluated as GitHub would, for the shipped stack
files and for a copy of the repository with an extra stack of an existing environment.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.definition_cache_dir import DEFAULT_DIR as DEFINITIONS_DIR
from delivery.stacks import PROMOTION_ORDER, list_stacks
from delivery.stacks import main as list_stacks_main
from planner.lazy_provider_imports import DEFAULT_CACHE_DIR as PROVIDER_INDEX_DIR
from tests import recorded
from tests.bin.sandbox import machine_key, real_uv
from tests.conftest import REPO, load_stack_document
from tests.recorded import computed_once
from tests.yaml_text import dump_document

WORKFLOWS = REPO / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
ZIZMOR = Path(sys.executable).parent / "zizmor"
# A full commit SHA (a tag or branch can be moved to other code) and the release it is, as a comment:
# `uses: actions/checkout@<40 hex> # v4.2.2`. Dependabot bumps both together.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(.*?)\s*$", re.MULTILINE)
AWS_STEPS = ("pulumi/actions@", "aws-actions/configure-aws-credentials@")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)


def _load(path: Path) -> dict[str, Any]:
    # libyaml's parser where installed (as the stack reader): PyYAML's pure-Python one took a
    # quarter of a second per worker to read the workflows at collection.
    document = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # YAML 1.1 reads the bare key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


@pytest.fixture(scope="module")
def pull_request() -> dict[str, Any]:
    return _load(WORKFLOWS / "pull-request.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return _load(WORKFLOWS / "deploy.yml")


def _steps(job: dict[str, Any], uses: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if step.get("uses", "").startswith(uses)]


def _only(job: dict[str, Any], uses: str) -> dict[str, Any]:
    [step] = _steps(job, uses)
    return step


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _touches_aws(job: dict[str, Any]) -> bool:
    return any(
        step.get("uses", "").startswith(AWS_STEPS) or "make verify" in step.get("run", "")
        for step in job.get("steps", [])
    )


def _all_jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = _load(path)
        found += [(path.name, name, job, workflow) for name, job in workflow["jobs"].items()]
    return found


# -- a small model of GitHub's evaluation: the stacks job's outputs, matrices, conditions ----------


def _stacks_job_outputs(workflow: dict[str, Any], cwd: Path, monkeypatch, capsys) -> dict[str, str]:
    """Run the stacks job's listing step in ``cwd`` and map its $GITHUB_OUTPUT lines to job outputs."""
    job = workflow["jobs"]["stacks"]
    [step] = [step for step in job["steps"] if "python -m delivery.stacks" in step.get("run", "")]
    assert 'python -m delivery.stacks --github-output >> "$GITHUB_OUTPUT"' in step["run"]
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    assert list_stacks_main(["--github-output"]) == 0
    step_outputs = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    outputs = {}
    for name, expression in job["outputs"].items():
        if name == "environment":  # the environment's cache key: the environment tests check it
            assert expression == "${{ steps.environment.outputs.key }}"
            outputs[name] = "venv-Linux-X64-ubuntu24-20261201.1-py3.12.3-0123abcd"
            continue
        assert expression == f"${{{{ steps.{step['id']}.outputs.{name} }}}}"
        outputs[name] = step_outputs[name]
    return outputs


def _matrix(job: dict[str, Any], outputs: dict[str, str]) -> list[dict[str, str]]:
    """The matrix entries of a job whose matrix is ``include: ${{ fromJSON(needs.stacks.outputs.X) }}``."""
    include = job["strategy"]["matrix"]["include"]
    match = re.fullmatch(r"\$\{\{ fromJSON\(needs\.stacks\.outputs\.(\w+)\) \}\}", include)
    assert match, f"the matrix is computed, not listed: {include!r}"
    assert "stacks" in _needs(job)
    return json.loads(outputs[match[1]])


def _expand(value: Any, entry: dict[str, str], variables: dict[str, str]) -> Any:
    """``value`` with ``${{ matrix.x }}`` and ``${{ vars[matrix.a] || vars[matrix.b] }}`` resolved."""
    if isinstance(value, dict):
        return {key: _expand(item, entry, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, entry, variables) for item in value]
    if not isinstance(value, str):
        return value

    def resolve(match: re.Match[str]) -> str:
        expression = match[1]
        if key := re.fullmatch(r"matrix\.(\w+)", expression):
            return entry[key[1]]
        if names := re.fullmatch(r"vars\[matrix\.(\w+)\] \|\| vars\[matrix\.(\w+)\]", expression):
            return variables.get(entry[names[1]]) or variables.get(entry[names[2]], "")
        return match[0]

    return EXPRESSION.sub(resolve, value)


def _instances(
    job: dict[str, Any], outputs: dict[str, str], variables: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    return [_expand(job, entry, variables or {}) for entry in _matrix(job, outputs)]


STATUS_FUNCTIONS = re.compile(r"\b(always|cancelled|success|failure)\(\)")


def _condition(job: dict[str, Any], results: dict[str, str], outputs: dict[str, str], context: dict) -> bool:
    """A job's `if` for the forms the workflows use (terms joined by &&), with GitHub's implicit
    success(): without a status function, every needed job must have succeeded."""
    expression = str(job.get("if", "")).strip()
    if wrapped := EXPRESSION.fullmatch(expression):
        expression = wrapped[1]
    needed = [results[name] for name in _needs(job)]
    if not STATUS_FUNCTIONS.search(expression) and any(result != "success" for result in needed):
        return False
    for term in filter(None, (term.strip() for term in expression.split("&&"))):
        if term in ("!cancelled()", "always()"):  # no run here is cancelled
            value = True
        elif found := re.fullmatch(r"!contains\(needs\.\*\.result, '(\w+)'\)", term):
            value = found[1] not in needed
        elif found := re.fullmatch(r"needs\.stacks\.outputs\.(\w+) != '\[\]'", term):
            value = outputs[found[1]] != "[]"
        elif term == "github.event.pull_request.head.repo.full_name == github.repository":
            value = context["head_repo"] == context["repository"]
        elif term == "github.event.pull_request.user.login != 'dependabot[bot]'":
            value = context.get("author", "octocat") != "dependabot[bot]"
        else:
            raise AssertionError(f"the model does not know the condition {term!r}: teach it")
        if not value:
            return False
    return True


def _run(
    workflow: dict[str, Any],
    outputs: dict[str, str],
    failing: set[str] = frozenset(),
    context: dict | None = None,
) -> dict[str, str]:
    """Each job's result (success, failure, skipped) in a run where the jobs in ``failing`` fail."""
    context = context or {"head_repo": "my-org/mlops-platform", "repository": "my-org/mlops-platform"}
    results: dict[str, str] = {}
    pending = dict(workflow["jobs"])
    while pending:
        name, job = next((n, j) for n, j in pending.items() if set(_needs(j)) <= set(results))
        del pending[name]
        if not _condition(job, results, outputs, context):
            results[name] = "skipped"
        else:
            results[name] = "failure" if name in failing else "success"
    return results


def _environment_of(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    return environment if isinstance(environment, str | None) else environment["name"]


def _deploy_job_names(deploy: dict[str, Any]) -> dict[str, str]:
    """The deploy jobs' names by the environment they run in, in the file's order."""
    return {
        environment: name for name, job in deploy["jobs"].items() if (environment := _environment_of(job))
    }


def _deploy_jobs(deploy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {environment: deploy["jobs"][name] for environment, name in _deploy_job_names(deploy).items()}


@pytest.fixture
def workflow_repo(tmp_path: Path, write_stack) -> Path:
    """A copy of the workflows and a stacks/ dir of the fixture dev, staging and prod stacks: the
    workflows are judged on stacks of the test's own (a user's stacks/ is checked generically by
    tests/stacks/test_shipped_stacks.py)."""
    shutil.copytree(WORKFLOWS, tmp_path / ".github" / "workflows")
    (tmp_path / "stacks").mkdir()
    for environment in PROMOTION_ORDER:
        write_stack(environment, name=f"stacks/Pulumi.{environment}.yaml")
    return tmp_path


class _Stdout:
    """What :func:`_stacks_job_outputs` reads of ``capsys``, over a stdout redirected to a buffer."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def readouterr(self) -> Any:
        out = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return types.SimpleNamespace(out=out, err="")


@pytest.fixture(scope="module")
def fixture_stack_outputs(pull_request, deploy, tmp_path_factory) -> dict[str, dict[str, str]]:
    """Both workflows' stacks job outputs for a :func:`workflow_repo` of the module's own (the same
    workflows and fixture stacks, written the same way): listed once for every test that reads
    them, each test getting its own copy (:func:`stack_outputs`)."""
    repo = tmp_path_factory.mktemp("workflow-repo")
    shutil.copytree(WORKFLOWS, repo / ".github" / "workflows")
    (repo / "stacks").mkdir()
    for environment in PROMOTION_ORDER:
        document = load_stack_document(environment)
        (repo / "stacks" / f"Pulumi.{environment}.yaml").write_text(dump_document(document))
    stdout = _Stdout()
    with pytest.MonkeyPatch.context() as monkeypatch, contextlib.redirect_stdout(stdout.buffer):
        return {
            "pull_request": _stacks_job_outputs(pull_request, repo, monkeypatch, stdout),
            "deploy": _stacks_job_outputs(deploy, repo, monkeypatch, stdout),
        }


@pytest.fixture
def stack_outputs(fixture_stack_outputs) -> dict[str, dict[str, str]]:
    return copy.deepcopy(fixture_stack_outputs)


def _targets(repo: Path) -> list[dict[str, str]]:
    listing = list_stacks(repo / "stacks")
    assert listing.errors == []
    return [
        {**target.matrix_entry(), "stack_file": f"stacks/{Path(target.stack_file).name}"}
        for target in listing.targets
    ]


# -- schema and static analysis ------------------------------------------------------------------


def _schema_check(*paths: Path) -> tuple[int, str, str]:
    """check-jsonschema's exit status, stdout and stderr for the workflows at ``paths``, in one run,
    against the GitHub workflow schema it vendors (a failure names its file). A pure function of the
    files' names and bytes (the key) and of the installed check-jsonschema (in the code's
    fingerprint), so each set of documents is checked once per version of them
    (tests.recorded.computed_once); a run killed by a signal is not kept."""

    def check() -> tuple[int, str, str]:
        result = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
        return result.returncode, result.stdout, result.stderr

    return computed_once(
        "schema-check", check, key=[part for p in paths for part in (p.name, p.read_bytes())]
    )


@pytest.mark.parametrize("name", sorted(path.name for path in WORKFLOWS.glob("*.yml")))
def test_workflow_is_valid_against_the_github_workflow_schema(name: str) -> None:
    # One run checks every workflow, shared by the cases: a process of its own costs 0.2 CPU-s.
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert WORKFLOWS / name in workflows
    returncode, stdout, stderr = _schema_check(*workflows)
    assert returncode == 0, stdout + stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: [{run: make test}]\n")
    returncode, stdout, _ = _schema_check(broken)
    assert returncode == 1 and "stepz" in stdout


def _zizmor_findings(*paths: Path) -> list[tuple[str, str, str]]:
    """zizmor's medium and high findings as (audit, severity, file:line): no configuration, so
    nothing is suppressed, and the auditor persona, so every audit runs. Offline, they are a pure
    function of the files' names and bytes (the key) and of the installed zizmor (in the code's
    fingerprint), so each set of files is audited once per version of them
    (tests.recorded.computed_once); a failed run raises and is not kept. The key names each file
    by its path under the folder given (a file given alone: its name), so a file written in a test's
    tmp_path is the same key in every session, whose kept file:line names the first session's."""
    key: list[str | bytes] = []
    for path in paths:
        files = [path] if path.is_file() else sorted(file for file in path.rglob("*") if file.is_file())
        for file in files:
            key += [str(file.relative_to(path.parent if path.is_file() else path)), file.read_bytes()]
        key.append("\0")
    return computed_once("zizmor", lambda: _zizmor_run(*paths), key=key)


def _zizmor_run(*paths: Path) -> list[tuple[str, str, str]]:
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", "--no-config", "--persona=auditor", "--format=json"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith("["), result.stderr
    findings = []
    for finding in json.loads(result.stdout):
        severity = finding["determinations"]["severity"]
        if severity in ("Medium", "High") and not finding["ignored"]:
            [where] = [loc for loc in finding["locations"] if loc["symbolic"]["kind"] == "Primary"][:1]
            path = where["symbolic"]["key"]["Local"]["verbatim_path"]
            line = where["concrete"]["location"]["start_point"]["row"] + 1
            findings.append((finding["ident"], severity, f"{path}:{line}"))
    return findings


def test_zizmor_finds_nothing_medium_or_high_without_any_configuration() -> None:
    assert not (REPO / ".github" / "zizmor.yml").exists(), "no suppression config"
    assert _zizmor_findings(REPO / ".github") == []


@pytest.mark.parametrize(
    ("step", "audit"),
    [
        pytest.param(
            "- run: echo ${{ github.event.pull_request.title }}", "template-injection", id="injection"
        ),
        pytest.param("- uses: actions/checkout@v4", "unpinned-uses", id="tag-pin"),
        pytest.param(
            "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
            "artipacked",
            id="persisted-credentials",
        ),
        pytest.param(
            "- run: make\n        env:\n          T: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
            "secrets-outside-env",
            id="secret-outside-an-environment",
        ),
    ],
)
def test_zizmor_catches(tmp_path: Path, step: str, audit: str) -> None:
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text(
        "name: unsafe\non: pull_request\npermissions: {}\njobs:\n  a:\n    name: a\n"
        f"    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      {step}\n"
    )
    assert audit in {ident for ident, _, _ in _zizmor_findings(unsafe)}


@pytest.mark.parametrize(
    ("workflow", "job_name", "job"), [pytest.param(w, n, j, id=f"{w}:{n}") for w, n, j, _ in _all_jobs()]
)
def test_run_scripts_take_values_through_env_never_expressions(workflow, job_name, job) -> None:
    # Stack names come from file names a pull request can choose: an expression inside a script
    # would run them as code.
    scripts = [step["run"] for step in job.get("steps", []) if "run" in step]
    assert [script for script in scripts if "${{" in script] == []


def test_the_delivery_workflows_exist() -> None:
    assert {"deploy.yml", "pull-request.yml"} <= {path.name for path in WORKFLOWS.glob("*.yml")}


# -- stacks: exactly the stack files, computed ---------------------------------------------------


def test_the_offline_plan_runs_for_every_stack_file(pull_request, stack_outputs, workflow_repo) -> None:
    plan = pull_request["jobs"]["plan"]

    planned = [instance["env"]["STACK_FILE"] for instance in _instances(plan, stack_outputs["pull_request"])]

    assert sorted(planned) == sorted(
        f"stacks/{path.name}" for path in (workflow_repo / "stacks").glob("Pulumi.*.yaml")
    )


def test_the_preview_runs_for_every_stack_with_its_environments_pack_config(
    pull_request, stack_outputs, workflow_repo
) -> None:
    preview = pull_request["jobs"]["preview"]
    expected = {
        target["stack"]: (target["environment"], f"policies/{target['environment']}.json")
        for target in _targets(workflow_repo)
    }

    seen = {}
    for instance in _instances(preview, stack_outputs["pull_request"]):
        step = _only(instance, "pulumi/actions@")["with"]
        assert step["command"] == "preview"
        assert step["diff"] is True and step["comment-on-pr"] is True
        assert step["policyPacks"] == "policies" and (REPO / "policies" / "PulumiPolicy.yaml").exists()
        assert (REPO / step["policyPackConfigs"]).is_file()
        seen[step["stack-name"]] = step["policyPackConfigs"]
    assert seen == {stack: pack for stack, (_, pack) in expected.items()}


def test_deploys_go_dev_then_staging_then_prod_each_stack_once_in_its_environment(
    deploy, stack_outputs, workflow_repo
) -> None:
    jobs = _deploy_jobs(deploy)
    assert list(jobs) == list(PROMOTION_ORDER), "one job per environment, in promotion order"
    names = _deploy_job_names(deploy)
    for earlier, later in itertools.pairwise(PROMOTION_ORDER):
        assert set(_needs(jobs[later])) >= {"stacks", names[earlier]}
    assert set(_needs(jobs["prod"])) >= {names[environment] for environment in PROMOTION_ORDER[:-1]}

    deployed = {}
    for environment, job in jobs.items():
        for instance in _instances(job, stack_outputs["deploy"]):
            up = _only(instance, "pulumi/actions@")["with"]
            assert up["stack-name"] not in deployed, "each stack once"
            deployed[up["stack-name"]] = (environment, up["policyPackConfigs"])
    assert deployed == {
        target["stack"]: (target["environment"], f"policies/{target['environment']}.json")
        for target in _targets(workflow_repo)
    }
    # And the check of a run that deploys a later environment alone (tests/delivery/test_deploy_queue_75.py).
    assert set(deploy["jobs"]) == {"stacks", "earlier", *names.values()}


# -- an extra stack of an existing environment ----------------------------------------------------


@pytest.fixture
def repo_with_sandbox(workflow_repo: Path, write_stack) -> Path:
    """:func:`workflow_repo` with a fourth stack, eu-sandbox (environment dev)."""
    write_stack("dev", lambda p: p.update(account_id="444444444444"), name="stacks/Pulumi.eu-sandbox.yaml")
    return workflow_repo


def test_an_extra_stack_of_an_existing_environment_is_planned_previewed_and_deployed(
    repo_with_sandbox: Path, monkeypatch, capsys
) -> None:
    pull_request = _load(repo_with_sandbox / ".github" / "workflows" / "pull-request.yml")
    deploy = _load(repo_with_sandbox / ".github" / "workflows" / "deploy.yml")
    pr_outputs = _stacks_job_outputs(pull_request, repo_with_sandbox, monkeypatch, capsys)
    deploy_outputs = _stacks_job_outputs(deploy, repo_with_sandbox, monkeypatch, capsys)
    variables = {
        "AWS_PREVIEW_ROLE_ARN_DEV": "arn:preview-dev",
        "AWS_ROLE_ARN_EU_SANDBOX": "arn:deploy-sandbox",
    }

    plans = {
        i["env"]["STACK"]: i["env"]["STACK_FILE"]
        for i in _instances(pull_request["jobs"]["plan"], pr_outputs)
    }
    assert plans["eu-sandbox"] == "stacks/Pulumi.eu-sandbox.yaml"

    [preview] = [
        instance
        for instance in _instances(pull_request["jobs"]["preview"], pr_outputs, variables)
        if _only(instance, "pulumi/actions@")["with"]["stack-name"] == "eu-sandbox"
    ]
    assert _only(preview, "pulumi/actions@")["with"]["policyPackConfigs"] == "policies/dev.json"
    credentials = _only(preview, "aws-actions/configure-aws-credentials@")["with"]
    assert credentials["role-to-assume"] == "arn:preview-dev", "no stack variable: the environment's"
    assert credentials["allowed-account-ids"] == "444444444444"

    dev = _deploy_jobs(deploy)["dev"]
    instances = {
        _only(i, "pulumi/actions@")["with"]["stack-name"]: i
        for i in _instances(dev, deploy_outputs, variables)
    }
    assert list(instances) == ["dev", "eu-sandbox"]
    sandbox = instances["eu-sandbox"]
    assert _only(sandbox, "pulumi/actions@")["with"]["policyPackConfigs"] == "policies/dev.json"
    assert _only(sandbox, "aws-actions/configure-aws-credentials@")["with"]["role-to-assume"] == (
        "arn:deploy-sandbox"
    ), "the stack's own variable wins"
    [verify] = [step for step in sandbox["steps"] if "make verify" in step.get("run", "")]
    assert verify["env"]["STACK_FILE"] == "stacks/Pulumi.eu-sandbox.yaml"
    assert 'make verify CONFIG="$STACK_FILE" ' in verify["run"]


# -- conditions: empty environments, failures, forks ----------------------------------------------


def test_an_environment_without_stack_files_is_skipped_and_the_next_still_runs(
    deploy, tmp_path: Path, write_stack, monkeypatch, capsys
) -> None:
    (tmp_path / "stacks").mkdir()
    write_stack("dev", name="stacks/Pulumi.dev.yaml")
    write_stack("prod", name="stacks/Pulumi.prod.yaml")
    outputs = _stacks_job_outputs(deploy, tmp_path, monkeypatch, capsys)
    names = _deploy_job_names(deploy)

    results = _run(deploy, outputs)

    assert [results[names[environment]] for environment in PROMOTION_ORDER] == [
        "success",  # dev
        "skipped",  # staging: no stack files
        "success",  # prod
    ]


@pytest.mark.parametrize(
    ("failing", "expected"),
    [
        pytest.param("dev", ["failure", "skipped", "skipped"], id="dev-fails"),
        pytest.param("staging", ["success", "failure", "skipped"], id="staging-fails"),
        pytest.param(None, ["success", "success", "success"], id="all-deploy"),
    ],
)
def test_a_failed_environment_stops_every_later_one(deploy, stack_outputs, failing, expected) -> None:
    names = _deploy_job_names(deploy)

    results = _run(deploy, stack_outputs["deploy"], failing={names[failing]} if failing else set())

    assert [results[names[environment]] for environment in PROMOTION_ORDER] == expected


def test_a_failed_stack_listing_deploys_nothing(deploy, stack_outputs) -> None:
    results = _run(deploy, stack_outputs["deploy"], failing={"stacks"})
    assert set(results.values()) == {"failure", "skipped"} and results["stacks"] == "failure"


def test_pull_requests_from_forks_stop_at_the_offline_plan(pull_request, stack_outputs) -> None:
    fork = {"head_repo": "someone/mlops-platform", "repository": "my-org/mlops-platform"}

    results = _run(pull_request, stack_outputs["pull_request"], context=fork)

    assert results["plan"] == results["test"] == results["plan-comment"] == "success"
    assert results["preview"] == "skipped"
    assert _run(pull_request, stack_outputs["pull_request"])["preview"] == "success"


def test_dependabots_pull_requests_stop_at_the_offline_plan(pull_request, stack_outputs) -> None:
    # Dependabot's branches are in the repository, but its runs get only Dependabot secrets (not the
    # preview environment's Pulumi token): a preview could only fail. An action bump changes no stack.
    dependabot = {
        "head_repo": "my-org/mlops-platform",
        "repository": "my-org/mlops-platform",
        "author": "dependabot[bot]",
    }

    results = _run(pull_request, stack_outputs["pull_request"], context=dependabot)

    assert results["plan"] == results["test"] == results["plan-comment"] == "success"
    assert results["preview"] == "skipped"


def test_a_failed_offline_plan_stops_the_preview(pull_request, stack_outputs) -> None:
    results = _run(pull_request, stack_outputs["pull_request"], failing={"plan"})
    assert results["preview"] == "skipped" and results["plan-comment"] == "success"


# -- the plan job records bin/plan's own exit status ----------------------------------------------


def test_the_plan_step_records_bin_plans_exit_status_and_summarises_it(
    pull_request, write_stack, tmp_path: Path
) -> None:
    plan = pull_request["jobs"]["plan"]
    steps = {step.get("id") or step.get("name"): step for step in plan["steps"]}
    assert "bin/plan" in steps["plan"]["run"]
    broken = write_stack("dev", lambda p: p.update(environment="production"), name="Pulumi.broken.yaml")
    uv = real_uv()
    uv_folder = str(Path(uv).parent)

    def run_steps() -> dict[str, str]:
        stack = f"broken-{os.getpid()}"  # the step writes plan-<stack>.* into the checkout
        output, summary = tmp_path / "github-output", tmp_path / "step-summary"
        env = {
            **os.environ,
            "PATH": os.pathsep.join([uv_folder, os.environ["PATH"]]),
            "STACK": stack,
            "STACK_FILE": str(broken),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "UV_OFFLINE": "1",
        }
        try:
            for step in (steps["plan"], steps["Summarise"]):
                script = tmp_path / "step.sh"
                script.write_text(step["run"])
                step_env = {**env, **{key: str(value) for key, value in step.get("env", {}).items()}}
                if "STATUS" in step_env:
                    step_env["STATUS"] = output.read_text().split("status=")[1].strip()
                # As GitHub runs it on Linux: `shell: bash` is `bash --noprofile --norc -eo pipefail`,
                # no `shell` at all `bash -e` (no pipefail: a failing command before a pipe passes).
                shell = (
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
                    if step.get("shell") == "bash"
                    else ["bash", "-e"]
                )
                assert step.get("shell") in (None, "bash"), step.get("shell")
                result = subprocess.run(
                    [*shell, str(script)],
                    cwd=REPO,
                    env=step_env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert result.returncode == 0, result.stdout + result.stderr
            return {
                "stack": stack,
                "stack_file": str(broken),
                "output": output.read_text(),
                "markdown": summary.read_text(),
            }
        finally:
            for leftover in REPO.glob(f"plan-{stack}.*"):
                leftover.unlink()

    # The two steps (bin/plan in a fresh process): once per version of the code (.github/, bin/
    # and the program are in the cache's fingerprint), of this module and of the stack file's bytes
    # (tests.recorded.computed_once); a step that fails raises and is not kept. What they wrote
    # names the stack and the stack file of the run that wrote it. The steps also run what is
    # outside the code (uv, bash and the rest found on PATH, configured by HOME's files and UV_*
    # variables): tests.bin.sandbox.machine_key, as bin/plan's own kept runs.
    ran = computed_once("plan-step", run_steps, key=[broken.read_bytes(), uv_folder, *machine_key()])
    assert ran["output"] == "status=2\n", "an invalid stack file, not make's 2 for anything"
    markdown, stack = ran["markdown"], ran["stack"]
    assert f"### Offline plan `{stack}`: ❌ invalid stack file" in markdown
    assert f"{ran['stack_file']}: mlops-platform:platform.environment: Input should be" in markdown


def test_the_plan_job_fails_unless_the_plan_is_clean(pull_request) -> None:
    [fail] = [step for step in pull_request["jobs"]["plan"]["steps"] if "steps.plan." in step.get("if", "")]
    assert fail["if"] == "steps.plan.outputs.status != '0'"
    assert fail["run"].rstrip().endswith("exit 1")


# -- preview and deploy steps --------------------------------------------------------------------


def test_the_pull_request_runs_make_test(pull_request) -> None:
    test = pull_request["jobs"]["test"]
    assert _steps(test, "astral-sh/setup-uv@")
    assert "make test" in [step.get("run") for step in test["steps"]]


def test_deploy_refreshes_enforces_the_pack_then_verifies(deploy, stack_outputs) -> None:
    for job in _deploy_jobs(deploy).values():
        for instance in _instances(job, stack_outputs["deploy"]):
            steps = instance["steps"]
            up = _only(instance, "pulumi/actions@")
            assert up["with"]["command"] == "up"
            assert up["with"]["refresh"] is True
            assert up["with"]["policyPacks"] == "policies"
            assert (REPO / up["with"]["policyPackConfigs"]).is_file()
            after_up = steps[steps.index(up) + 1 :]
            assert any(
                step.get("run", "").startswith('make verify CONFIG="$STACK_FILE" ') for step in after_up
            )
            credentials = _only(instance, "aws-actions/configure-aws-credentials@")
            assert steps.index(credentials) < steps.index(up)


def test_deploys_never_cancel_a_stack_halfway(deploy) -> None:
    for job in _deploy_jobs(deploy).values():
        assert job["strategy"]["fail-fast"] is False


def test_deploy_triggers_and_concurrency(deploy, pull_request) -> None:
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in deploy["on"]
    assert deploy["concurrency"]["cancel-in-progress"] is False, "an update is never cancelled halfway"
    assert "pull_request" in pull_request["on"]
    assert "github.event.pull_request.number" in pull_request["concurrency"]["group"]
    assert pull_request["concurrency"]["cancel-in-progress"] is True


def test_every_job_has_a_timeout() -> None:
    assert [f"{w}:{n}" for w, n, job, _ in _all_jobs() if not job.get("timeout-minutes")] == []


# -- credentials and permissions -----------------------------------------------------------------


ROLE = re.compile(
    r"\$\{\{ vars\[matrix\.(preview|deploy)_role_variable\] \|\| vars\[matrix\.\1_role_fallback\] \}\}"
)


@pytest.mark.parametrize(
    ("workflow", "job_name", "job"),
    [pytest.param(w, n, j, id=f"{w}:{n}") for w, n, j, _ in _all_jobs() if _touches_aws(j)],
)
def test_every_job_touching_aws_uses_oidc(workflow, job_name, job) -> None:
    credentials = _only(job, "aws-actions/configure-aws-credentials@")["with"]
    role = ROLE.fullmatch(credentials["role-to-assume"])
    assert role and role[1] == ("preview" if workflow == "pull-request.yml" else "deploy")
    assert not {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} & set(credentials)
    # From the validated stack file (python -m delivery.stacks), like the region.
    assert credentials["allowed-account-ids"] == "${{ matrix.account_id }}"
    assert credentials["aws-region"] == "${{ matrix.region }}"
    assert job["permissions"]["id-token"] == "write"
    first_aws_use = min(
        i
        for i, step in enumerate(job["steps"])
        if step.get("uses", "").startswith("pulumi/actions@") or "make verify" in step.get("run", "")
    )
    assert job["steps"].index(_only(job, "aws-actions/configure-aws-credentials@")) < first_aws_use


def test_role_variables_fall_back_from_the_stack_to_the_environment(
    pull_request, stack_outputs, workflow_repo
) -> None:
    preview = pull_request["jobs"]["preview"]
    for target in _targets(workflow_repo):
        stack_variable = f"AWS_PREVIEW_ROLE_ARN_{target['stack'].upper().replace('-', '_')}"
        environment_variable = f"AWS_PREVIEW_ROLE_ARN_{target['environment'].upper()}"
        for variables, expected in [
            ({environment_variable: "arn:env"}, "arn:env"),
            ({environment_variable: "arn:env", stack_variable: "arn:stack"}, "arn:stack"),
        ]:
            roles = {
                _only(i, "pulumi/actions@")["with"]["stack-name"]: _only(
                    i, "aws-actions/configure-aws-credentials@"
                )["with"]["role-to-assume"]
                for i in _instances(preview, stack_outputs["pull_request"], variables)
            }
            assert roles[target["stack"]] == expected


def test_the_preview_and_deploy_jobs_are_recognised_as_touching_aws(deploy) -> None:
    touching = {(workflow, name) for workflow, name, job, _ in _all_jobs() if _touches_aws(job)}
    deploy_jobs = {("deploy.yml", name) for name in _deploy_job_names(deploy).values()}
    assert len(deploy_jobs) == len(PROMOTION_ORDER)
    assert touching >= {("pull-request.yml", "preview"), *deploy_jobs}


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_no_long_lived_aws_keys_anywhere(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert not re.search(
        r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key", text
    )


def test_permissions_are_least_privilege() -> None:
    for workflow, name, job, document in _all_jobs():
        assert document["permissions"] == {}, f"{workflow}: nothing by default, each job states its own"
        granted = job["permissions"]
        assert isinstance(granted, dict), f"{workflow}:{name}: no write-all/read-all"
        if _steps(job, "actions/checkout@"):
            assert granted.get("contents") == "read", f"{workflow}:{name} checks out the code"
        writes = {scope for scope, level in granted.items() if level == "write"}
        allowed = {"id-token"} if _touches_aws(job) else set()
        if workflow == "pull-request.yml" and name in ("preview", "plan-comment"):
            allowed.add("pull-requests")
        assert writes <= allowed, f"{workflow}:{name} writes {writes - allowed}"
    preview = _load(WORKFLOWS / "pull-request.yml")["jobs"]["preview"]
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}


def _uses_lines() -> list[str]:
    """Every ``uses:`` value with its trailing comment (YAML loading drops comments)."""
    return [use for path in sorted(WORKFLOWS.glob("*.yml")) for use in USES.findall(path.read_text())]


def test_every_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    uses = _uses_lines()
    steps = [step["uses"] for _, _, job, _ in _all_jobs() for step in job.get("steps", []) if "uses" in step]
    assert uses and len(uses) == len(steps), "every step's uses: line is seen"
    unpinned = [use for use in uses if not use.startswith("./") and not PINNED.match(use)]
    assert unpinned == []
    assert {use.split("# ")[1].split(".")[0] for use in uses if use.startswith("pulumi/actions@")} == {"v6"}
    # One release per action across both workflows.
    versions: dict[str, set[str]] = {}
    for use in uses:
        versions.setdefault(use.split("@")[0], set()).add(use.split("@")[1])
    assert {action: pins for action, pins in versions.items() if len(pins) > 1} == {}


# Inputs this repository passes that an action only reads from a release on: an older release
# ignores an unknown input with a warning, so the guard it stands for silently does nothing
# (configure-aws-credentials before v5.0.0 has no `allowed-account-ids`: any account's credentials pass).
INPUT_SINCE = {("aws-actions/configure-aws-credentials", "allowed-account-ids"): (5, 0, 0)}


def _too_old_for_its_inputs(use: str, given: set[str]) -> list[str]:
    action, pin = use.split("@")
    release = tuple(int(part) for part in pin.split("# v")[1].split("."))
    return [
        f"{action} {pin.split('# ')[1]} has no input {name} (since v{'.'.join(map(str, since))})"
        for (needs_action, name), since in INPUT_SINCE.items()
        if needs_action == action and name in given and release < since
    ]


def test_every_pinned_release_reads_the_inputs_it_is_given() -> None:
    lines = iter(_uses_lines())
    problems = []
    for _, _, job, _ in _all_jobs():
        for step in job.get("steps", []):
            if "uses" in step:
                problems += _too_old_for_its_inputs(next(lines), set(step.get("with", {})))
    assert problems == []


@pytest.mark.parametrize(
    ("use", "too_old"),
    [
        pytest.param(
            "aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a # v4.3.1",
            True,
            id="v4-ignores-allowed-account-ids",
        ),
        pytest.param(
            "aws-actions/configure-aws-credentials@61815dcd50bd041e203e49132bacad1fd04d2708 # v5.1.1",
            False,
            id="v5-reads-it",
        ),
    ],
)
def test_the_input_release_rule(use: str, too_old: bool) -> None:
    assert bool(_too_old_for_its_inputs(use, {"allowed-account-ids", "aws-region"})) is too_old


@pytest.mark.parametrize(
    ("use", "pinned"),
    [
        pytest.param(
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", True, id="sha+version"
        ),
        pytest.param("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", False, id="sha-no-version"),
        pytest.param(
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4", False, id="major-only"
        ),
        pytest.param("actions/checkout@v4", False, id="tag"),
        pytest.param("actions/checkout@v4.2.2", False, id="full-tag"),
        pytest.param("actions/checkout@main", False, id="branch"),
        pytest.param("actions/checkout", False, id="no-ref"),
        pytest.param("actions/checkout@11bd719 # v4.2.2", False, id="short-sha"),
    ],
)
def test_the_pin_rule(use: str, pinned: bool) -> None:
    assert bool(PINNED.match(use)) is pinned


@pytest.mark.parametrize(
    ("workflow", "job_name", "job"), [pytest.param(w, n, j, id=f"{w}:{n}") for w, n, j, _ in _all_jobs()]
)
def test_checkouts_never_persist_the_token(workflow, job_name, job) -> None:
    for step in _steps(job, "actions/checkout@"):
        assert step.get("with", {}).get("persist-credentials") is False


SECRET = re.compile(r"\bsecrets\.(\w+)")


@pytest.mark.parametrize(
    ("workflow", "job_name", "job"), [pytest.param(w, n, j, id=f"{w}:{n}") for w, n, j, _ in _all_jobs()]
)
def test_secrets_only_in_jobs_of_a_github_environment(workflow, job_name, job) -> None:
    # Environment secrets reach only the jobs of that environment (and its protection rules).
    used = set(SECRET.findall(json.dumps(job))) - {"GITHUB_TOKEN"}
    if _environment_of(job) is None:
        assert used == set()


def test_the_preview_runs_in_the_preview_environment(pull_request, deploy) -> None:
    preview = pull_request["jobs"]["preview"]
    assert _environment_of(preview) == "preview"
    assert "preview" not in _deploy_job_names(deploy), "never a deploy environment (or its role)"
    assert set(SECRET.findall(json.dumps(preview))) >= {"PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"}


def test_the_plan_comment_of_a_fork_is_skipped_with_a_notice_not_failed(pull_request) -> None:
    # A fork's pull request runs with a read-only token: commenting would fail the job.
    job = pull_request["jobs"]["plan-comment"]
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    fork = "github.event.pull_request.head.repo.full_name != github.repository"
    comment = _only(job, "marocchino/sticky-pull-request-comment@")
    assert comment["if"] == same_repo
    assert comment["with"]["GITHUB_TOKEN"] == "${{ github.token }}", "the token is explicit"
    [notice] = [step for step in job["steps"] if step.get("if") == fork]
    assert notice["run"].startswith('echo "::notice')
    [assemble] = [step for step in job["steps"] if "plan-comment.md" in step.get("run", "")]
    assert 'cat plan-comment.md >> "$GITHUB_STEP_SUMMARY"' in assemble["run"]
    assert "continue-on-error" not in json.dumps(job)


def test_make_verify_runs_the_check_for_the_stack_file() -> None:
    result = subprocess.run(
        # --no-print-directory: under a make of its own (`make bench` runs `make test`) make prints
        # "make[2]: Leaving directory ..." last.
        [
            "make",
            "-n",
            "--no-print-directory",
            "verify",
            "CONFIG=stacks/Pulumi.sandbox.yaml",
            "VERIFY_ARGS=--attempts 3",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    argv = shlex.split(result.stdout.strip().splitlines()[-1])
    assert argv[-6:] == [
        "-m",
        "delivery.verify",
        "--stack-file",
        "stacks/Pulumi.sandbox.yaml",
        "--attempts",
        "3",
    ]


# -- an approved model version (repository_dispatch from delivery.approval_dispatch) --------------


def test_an_approval_event_starts_the_deploy_workflow(deploy) -> None:
    from stacks.delivery_config import ApprovalDispatchConfig

    assert deploy["on"]["repository_dispatch"] == {"types": ["model-approved"]}
    default = ApprovalDispatchConfig(repository="o/n").event_type
    assert default in deploy["on"]["repository_dispatch"]["types"], "what a stack sends by default is heard"
    assert {"push", "workflow_dispatch"} <= set(deploy["on"]), "pushes and manual runs still deploy"


def test_the_approval_payload_is_read_from_the_event_file_and_validated_never_expanded(deploy) -> None:
    [step] = [s for s in deploy["jobs"]["stacks"]["steps"] if s.get("id") == "list"]
    script = step["run"]
    assert '[ "$GITHUB_EVENT_NAME" = repository_dispatch ]' in script
    assert (
        'python -m delivery.stacks --github-output --approved-model "$GITHUB_EVENT_PATH" >> "$GITHUB_OUTPUT"'
        in script
    )
    assert "${{" not in script and "client_payload" not in json.dumps(deploy)


@pytest.mark.parametrize(
    ("source", "deployed"),
    [("dev", {"staging"}), ("staging", {"prod"}), ("prod", {"prod"})],
    ids=["dev-approval-deploys-staging", "staging-approval-deploys-prod", "prod-approval-deploys-prod"],
)
def test_an_approval_deploys_only_the_next_environment_through_its_gates(deploy, source, deployed) -> None:
    from delivery.approved_model import next_environment
    from tests.conftest import FIXTURE_STACKS

    listing = list_stacks(FIXTURE_STACKS)
    outputs = listing.github_outputs(next_environment(source))
    results = _run(deploy, outputs)
    names = _deploy_job_names(deploy)
    assert {env for env, name in names.items() if results[name] == "success"} == deployed
    assert {env for env, name in names.items() if results[name] == "skipped"} == set(
        PROMOTION_ORDER
    ) - deployed
    # The gates are the jobs' own: prod still runs in the `prod` environment (required reviewers),
    # and a failed earlier environment still stops it.
    assert _environment_of(deploy["jobs"][names["prod"]]) == "prod"
    if "prod" in deployed:
        failed = _run(deploy, listing.github_outputs(), failing={names["staging"]})
        assert failed[names["prod"]] == "skipped"


# -- the environment: built once per run, restored by every other job ------------------------------


def _uses_the_environment(job: dict[str, Any]) -> bool:
    return any(
        re.search(r"\bmake (bootstrap|test|typecheck|verify)\b|\buv run\b|\bbin/plan\b", step.get("run", ""))
        for step in job.get("steps", [])
    )


def _first_use(job: dict[str, Any]) -> int:
    return min(i for i, step in enumerate(job["steps"]) if _uses_the_environment({"steps": [step]}))


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_the_environment_is_built_once_per_run_and_every_other_job_restores_it(name: str) -> None:
    jobs = _load(WORKFLOWS / name)["jobs"]
    users = {job_name for job_name, job in jobs.items() if _uses_the_environment(job)}
    expected = (
        {"stacks", "test", "typecheck", "plan", "preview"} if name == "pull-request.yml" else {"stacks"}
    )
    if name == "deploy.yml":
        expected |= set(_deploy_job_names(_load(WORKFLOWS / name)).values())
    assert users == expected

    # The stacks job (every other job needs it) restores the environment or builds and saves it.
    builder = jobs["stacks"]
    [key] = [step for step in builder["steps"] if step.get("id") == "environment"]
    assert key["env"]["LOCK_HASH"] == "${{ hashFiles('uv.lock', 'pyproject.toml') }}"
    assert "$ImageOS-$ImageVersion-py$python-$LOCK_HASH" in key["run"], "the runner image and its Python"
    restore, save = _only(builder, "actions/cache/restore@"), _only(builder, "actions/cache/save@")
    assert restore["with"] == save["with"] == {"path": ".venv", "key": "${{ steps.environment.outputs.key }}"}
    assert save["if"] == f"steps.{restore['id']}.outputs.cache-hit != 'true'", "saved only when built"
    assert _only(builder, "astral-sh/setup-uv@")["with"]["enable-cache"] == (
        "${{ steps.restore.outputs.cache-hit != 'true' }}"
    ), "uv's package cache only to build the environment"
    steps = builder["steps"]
    [bootstrap] = [step for step in steps if step.get("run") == "make bootstrap"]
    assert steps.index(key) < steps.index(restore) < steps.index(bootstrap) < steps.index(save)
    assert bootstrap["env"] == {"UV_COMPILE_BYTECODE": "1"}, "compiled once, for every job"
    assert builder["outputs"]["environment"] == "${{ steps.environment.outputs.key }}"

    for job_name in users - {"stacks"}:
        job = jobs[job_name]
        assert "stacks" in _needs(job), job_name
        [restored] = [
            step for step in _steps(job, "actions/cache/restore@") if step["with"]["path"] == ".venv"
        ]
        assert restored["with"] == {
            "path": ".venv",
            "key": "${{ needs.stacks.outputs.environment }}",
        }, f"{job_name} restores the run's environment, and a miss does not fail the run"
        _assert_a_miss_is_built_and_said(job, restored, job_name)
        assert job["steps"].index(restored) < _first_use(job), job_name
        others = [step for step in _steps(job, "actions/cache/") if step is not restored]
        own_caches = {
            "test": lambda job: [
                step
                for step in _steps(job, "actions/cache/")
                if step in _recorded_stacks_cache(job) + _recorded_graphs_cache(job) + _computed_cache(job)
            ],
            "typecheck": _mypy_cache,
        }
        assert others == (own_caches[job_name](job) if job_name in own_caches else []), job_name
        assert not _steps(job, "actions/cache@"), job_name
        assert _only(job, "astral-sh/setup-uv@")["with"]["enable-cache"] is False, job_name


def _assert_a_miss_is_built_and_said(job: dict[str, Any], restored: dict[str, Any], job_name: str) -> None:
    """A restore of the run's environment that misses (the stacks job's save failed, or a cancelled
    run left the key reserved with nothing in it, which GitHub can keep for hours) is a warning and
    a build of the job's own, never a failed run: ``fail-on-cache-miss`` turned one cancelled save
    into red runs of every later push of the pull request that changed the lock."""
    steps = job["steps"]
    at = steps.index(restored)
    warning, bootstrap = steps[at + 1], steps[at + 2]
    assert warning["if"] == f"steps.{restored['id']}.outputs.cache-hit != 'true'", job_name
    assert warning["run"].startswith('echo "::warning title=Environment rebuilt::$KEY '), job_name
    assert warning["env"] == {"KEY": "${{ needs.stacks.outputs.environment }}"}, job_name
    assert bootstrap == {"run": "make bootstrap"}, (
        f"{job_name} builds the environment when the restore missed"
    )
    assert at + 2 == _first_use(job), f"{job_name} uses nothing of the environment before it is there"


def _mypy_cache(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The typecheck job's restore and save of mypy's cache (tests/delivery/test_typecheck_job.py)."""
    return [step for step in _steps(job, "actions/cache/") if step["with"]["path"] == ".mypy_cache"]


def _recorded_stacks_cache(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The test job's restore and save of the graphs its tests record (checked below)."""
    return [
        step
        for step in _steps(job, "actions/cache/")
        if step["with"]["path"] == "${{ steps.recorded.outputs.folder }}"
    ]


RECORDED_STACKS = ".cache/recorded-stacks"
"""Where every version of the code keeps its folder of graphs (tests/recorded.py, cache_folder)."""


def _recorded_graphs_cache(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The test job's restore of main's whole folder of graphs (checked below and, with main's
    save, in tests/delivery/test_ci_cache_on_main.py)."""
    return [step for step in _steps(job, "actions/cache/") if step["with"]["path"] == RECORDED_STACKS]


COMPUTED_FOLDERS = (
    str(DEFINITIONS_DIR),
    str(PROVIDER_INDEX_DIR.relative_to(REPO)),
)
"""The content-keyed caches the program writes in the checkout: composed pipeline definitions and
the provider packages' import index."""


def _computed_cache(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The test job's restore and save of the content-keyed caches (checked below)."""
    return [
        step
        for step in _steps(job, "actions/cache/")
        if tuple(step["with"]["path"].split()) == COMPUTED_FOLDERS
    ]


def test_the_test_job_starts_from_the_newest_composed_definitions_and_import_index() -> None:
    """Every entry of both folders is keyed by what it is computed from, so an older copy computed
    in the same environment is a safe start (restore-keys: the newest of the run's environment) and
    none is stale; restored before the tests, saved after they passed under this run's environment,
    code and tests (the recordings' key) unless that exact key was restored. Main's saves of the
    same keys: tests/delivery/test_ci_cache_on_main.py."""
    job = _load(WORKFLOWS / "pull-request.yml")["jobs"]["test"]
    steps = job["steps"]
    restore, save = _computed_cache(job)
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith(
        "actions/cache/save@"
    )
    key = "computed-${{ needs.stacks.outputs.environment }}-${{ steps.recorded.outputs.key }}"
    assert restore["with"]["key"] == save["with"]["key"] == key
    assert restore["with"]["restore-keys"] == "computed-${{ needs.stacks.outputs.environment }}-"
    assert "restore-keys" not in save["with"]
    assert save["if"] == f"steps.{restore['id']}.outputs.cache-hit != 'true'"
    [recorded_key] = [step for step in steps if step.get("id") == "recorded"]
    [test] = [step for step in steps if step.get("run") == "make test"]
    assert steps.index(recorded_key) < steps.index(restore) < steps.index(test) < steps.index(save)


def test_the_test_job_keeps_the_recorded_stacks_of_the_code_it_tested() -> None:
    """Restored and saved under the folder tests/recorded.py names by the code's fingerprint, keyed
    also by the tests and what runs them: exact key, no fallback to another version's graphs, saved
    only when not restored and after the tests passed (a failed step skips it)."""
    job = _load(WORKFLOWS / "pull-request.yml")["jobs"]["test"]
    steps = job["steps"]
    [folder] = [step for step in steps if step.get("id") == "recorded"]
    # Its own line: `echo "...$(command)"` would hide a failing command behind an empty folder.
    assert folder["run"].splitlines() == [
        "folder=$(uv run --no-sync python -m tests.recorded --cache-dir)",
        'echo "folder=$folder" >> "$GITHUB_OUTPUT"',
        'echo "key=$folder-$TESTS_HASH" >> "$GITHUB_OUTPUT"',
    ]
    # A graph that other tests wrote (a fixture forging one) is never served to these tests.
    assert folder["env"] == {"TESTS_HASH": "${{ hashFiles('tests/**', 'Makefile', 'bin/**', '.ci/**') }}"}
    restore, save = _recorded_stacks_cache(job)
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith(
        "actions/cache/save@"
    )
    wanted = {"path": "${{ steps.recorded.outputs.folder }}", "key": "${{ steps.recorded.outputs.key }}"}
    assert restore["with"] == save["with"] == wanted, "the exact folder of this code and tests, nothing else"
    assert save["if"] == f"steps.{restore['id']}.outputs.cache-hit != 'true'"
    [test] = [step for step in steps if step.get("run") == "make test"]
    assert steps.index(folder) < steps.index(restore) < steps.index(test) < steps.index(save)


def test_the_recorded_stacks_folder_ci_keeps_is_the_one_the_tests_use() -> None:
    """`python -m tests.recorded --cache-dir`, run in a real process (once, shared with
    tests/bin/test_cli_contract_audit.py's check of its format: recorded.cache_dir_command)."""
    returncode, stdout, stderr = recorded.cache_dir_command()
    assert returncode == 0, stderr
    assert REPO / stdout.strip() == recorded._cache_dir
    assert recorded.cache_folder(REPO).parent == REPO / RECORDED_STACKS, "main's graphs are restored there"


@pytest.mark.parametrize("workflow", ["pull-request.yml", "main-caches.yml"])
def test_mains_graphs_are_keyed_by_the_recording_fingerprint_alone(workflow) -> None:
    """The key of the whole `.cache/recorded-stacks` (main saves it, a pull request whose own folder
    missed restores it): what `python -m tests.recorded --recording-fingerprint` prints, after a
    prefix no other cache's key or fallback starts with. Its own line, so a failing command fails
    the step rather than give the key `recorded-graphs-`; read from stdout alone. The two sides'
    keys are compared in tests/delivery/test_ci_cache_on_main.py."""
    job = _load(WORKFLOWS / workflow)["jobs"]["test"]
    [step] = [step for step in job["steps"] if step.get("id") == "recording"]
    assert step["run"].splitlines() == [
        "recording=$(uv run --no-sync python -m tests.recorded --recording-fingerprint)",
        'echo "key=recorded-graphs-$recording" >> "$GITHUB_OUTPUT"',
    ]
    # No hash of the tests: a pull request of a rule and its tests still finds main's graphs, and
    # each graph is read under its own document's key (tests/recorded.py, _key).
    assert "env" not in step
    [restore] = [
        step for step in _recorded_graphs_cache(job) if step["uses"].startswith("actions/cache/restore@")
    ]
    assert restore["with"]["key"] == "${{ steps.recording.outputs.key }}"
    assert "restore-keys" not in restore["with"], "never the graphs of other recording code"


def test_the_recording_fingerprint_ci_keys_mains_graphs_by_is_the_mark_the_tests_folder_holds() -> None:
    """`python -m tests.recorded --recording-fingerprint`, run in a real process (once, shared with
    tests/bin/test_cli_contract_audit.py's check of its format: recorded.recording_fingerprint_command),
    prints the mark of the folder the tests use: a new folder takes the graphs of a restored folder
    exactly when its mark is the key's fingerprint (recorded.cache_dir_for)."""
    returncode, stdout, stderr = recorded.recording_fingerprint_command()
    assert returncode == 0, stderr
    assert recorded._cache_dir is not None
    assert stdout.strip() == (recorded._cache_dir / recorded.RECORDING_MARK).read_text()
