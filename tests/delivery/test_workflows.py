"""The GitHub workflows: schema-valid, every stack file previewed and deployed, OIDC only, pinned actions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.stack_file import stack_name_of
from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
STACK_FILES = sorted(stack_name_of(path) for path in (REPO / "stacks").glob("Pulumi.*.yaml"))
PROMOTION_ORDER = ["dev", "staging", "prod"]
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
AWS_STEPS = ("pulumi/actions@", "aws-actions/configure-aws-credentials@")


def _load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the bare key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


@pytest.fixture(scope="module")
def pull_request() -> dict[str, Any]:
    return _load("pull-request.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return _load("deploy.yml")


def _steps(job: dict[str, Any], uses: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if step.get("uses", "").startswith(uses)]


def _only(job: dict[str, Any], uses: str) -> dict[str, Any]:
    [step] = _steps(job, uses)
    return step


def _matrix_stacks(job: dict[str, Any]) -> list[str]:
    matrix = job["strategy"]["matrix"]
    return list(matrix.get("stack") or [entry["stack"] for entry in matrix["include"]])


def _touches_aws(job: dict[str, Any]) -> bool:
    return any(
        step.get("uses", "").startswith(AWS_STEPS) or "make verify" in step.get("run", "")
        for step in job.get("steps", [])
    )


def _all_jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = _load(path.name)
        found += [(path.name, name, job, workflow) for name, job in workflow["jobs"].items()]
    return found


def _deploy_sequence(deploy: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Deploy jobs in `needs` order: the one needing nothing, then the one needing it, and so on."""
    jobs = deploy["jobs"]
    needs = {name: job.get("needs") for name, job in jobs.items()}
    [current] = [name for name, need in needs.items() if not need]
    sequence = [current]
    while True:
        following = [name for name, need in needs.items() if need in (current, [current])]
        if not following:
            return [(name, jobs[name]) for name in sequence]
        [current] = following
        sequence.append(current)


# -- schema --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(path.name for path in WORKFLOWS.glob("*.yml")))
def test_workflow_is_valid_against_the_github_workflow_schema(name: str) -> None:
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(WORKFLOWS / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: [{run: make test}]\n")
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "stepz" in result.stdout


def test_the_delivery_workflows_exist() -> None:
    assert {"deploy.yml", "pull-request.yml"} <= {path.name for path in WORKFLOWS.glob("*.yml")}


# -- stacks: exactly the stack files --------------------------------------------------------------


def test_the_shipped_stack_files_are_the_promotion_order() -> None:
    assert sorted(PROMOTION_ORDER) == STACK_FILES


def test_the_offline_plan_matrix_is_exactly_the_stack_files(pull_request) -> None:
    plan = pull_request["jobs"]["plan"]
    assert sorted(_matrix_stacks(plan)) == STACK_FILES
    commands = " ".join(step.get("run", "") for step in plan["steps"])
    assert "make plan STACK=${{ matrix.stack }} FORMAT=json" in commands
    assert "make plan STACK=${{ matrix.stack }} >" in commands
    assert "$GITHUB_STEP_SUMMARY" in commands


def test_the_preview_matrix_is_exactly_the_stack_files(pull_request) -> None:
    assert sorted(_matrix_stacks(pull_request["jobs"]["preview"])) == STACK_FILES


def test_deploys_run_dev_then_staging_then_prod_each_stack_file_once(deploy) -> None:
    sequence = _deploy_sequence(deploy)
    stacks = [_only(job, "pulumi/actions@")["with"]["stack-name"] for _, job in sequence]
    assert stacks == PROMOTION_ORDER
    assert sorted(stacks) == STACK_FILES
    assert len(sequence) == len(deploy["jobs"]), "every deploy job is in the chain"


# -- preview and deploy steps --------------------------------------------------------------------


def test_the_pull_request_runs_make_test(pull_request) -> None:
    test = pull_request["jobs"]["test"]
    assert _steps(test, "astral-sh/setup-uv@")
    assert "make test" in [step.get("run") for step in test["steps"]]


@pytest.mark.parametrize("stack", STACK_FILES)
def test_preview_runs_the_policy_pack_with_the_environments_config(pull_request, stack) -> None:
    preview = pull_request["jobs"]["preview"]
    step = {
        key: str(value).replace("${{ matrix.stack }}", stack)
        for key, value in _only(preview, "pulumi/actions@")["with"].items()
    }
    assert step["command"] == "preview"
    assert step["stack-name"] == stack
    assert step["diff"] == "True" and step["comment-on-pr"] == "True"
    assert step["policyPacks"] == "policies" and (REPO / "policies" / "PulumiPolicy.yaml").exists()
    assert step["policyPackConfigs"] == f"policies/{stack}.json"
    assert (REPO / step["policyPackConfigs"]).is_file()


def test_preview_assumes_each_environments_preview_role(pull_request) -> None:
    preview = pull_request["jobs"]["preview"]
    roles = {entry["stack"]: entry["role_variable"] for entry in preview["strategy"]["matrix"]["include"]}
    assert roles == {stack: f"AWS_PREVIEW_ROLE_ARN_{stack.upper()}" for stack in STACK_FILES}
    assert _only(preview, "aws-actions/configure-aws-credentials@")["with"]["role-to-assume"] == (
        "${{ vars[matrix.role_variable] }}"
    )


@pytest.mark.parametrize("stack", PROMOTION_ORDER)
def test_deploy_refreshes_enforces_the_pack_then_verifies(deploy, stack) -> None:
    [job] = [
        job
        for _, job in _deploy_sequence(deploy)
        if _only(job, "pulumi/actions@")["with"]["stack-name"] == stack
    ]
    steps = job["steps"]
    up = _only(job, "pulumi/actions@")
    assert up["with"]["command"] == "up"
    assert up["with"]["refresh"] is True
    assert up["with"]["policyPacks"] == "policies"
    assert up["with"]["policyPackConfigs"] == f"policies/{stack}.json"
    assert (REPO / up["with"]["policyPackConfigs"]).is_file()
    after_up = steps[steps.index(up) + 1 :]
    assert any(step.get("run", "").startswith(f"make verify STACK={stack} ") for step in after_up)
    credentials = _only(job, "aws-actions/configure-aws-credentials@")
    assert steps.index(credentials) < steps.index(up)
    assert credentials["with"]["role-to-assume"] == f"${{{{ vars.AWS_ROLE_ARN_{stack.upper()} }}}}"


@pytest.mark.parametrize("stack", PROMOTION_ORDER)
def test_every_deploy_job_runs_in_its_github_environment(deploy, stack) -> None:
    [job] = [
        job
        for _, job in _deploy_sequence(deploy)
        if _only(job, "pulumi/actions@")["with"]["stack-name"] == stack
    ]
    environment = job["environment"]
    assert (environment if isinstance(environment, str) else environment["name"]) == stack


def test_deploy_triggers_and_concurrency(deploy, pull_request) -> None:
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in deploy["on"]
    assert deploy["concurrency"]["cancel-in-progress"] is False, "an update is never cancelled halfway"
    assert "pull_request" in pull_request["on"]
    assert "github.event.pull_request.number" in pull_request["concurrency"]["group"]
    assert pull_request["concurrency"]["cancel-in-progress"] is True


# -- credentials and permissions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("workflow", "job_name", "job"),
    [pytest.param(w, n, j, id=f"{w}:{n}") for w, n, j, _ in _all_jobs() if _touches_aws(j)],
)
def test_every_job_touching_aws_uses_oidc(workflow, job_name, job) -> None:
    credentials = _only(job, "aws-actions/configure-aws-credentials@")["with"]
    assert re.fullmatch(
        r"\$\{\{ vars(\.AWS_ROLE_ARN_[A-Z]+|\[matrix\.role_variable\]) \}\}", credentials["role-to-assume"]
    )
    assert not {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} & set(credentials)
    assert credentials["allowed-account-ids"] == "${{ steps.target.outputs.account_id }}"
    assert job["permissions"]["id-token"] == "write"
    first_aws_use = min(
        i
        for i, step in enumerate(job["steps"])
        if step.get("uses", "").startswith("pulumi/actions@") or "make verify" in step.get("run", "")
    )
    assert job["steps"].index(_only(job, "aws-actions/configure-aws-credentials@")) < first_aws_use


def test_the_preview_and_deploy_jobs_are_recognised_as_touching_aws() -> None:
    touching = {(workflow, name) for workflow, name, job, _ in _all_jobs() if _touches_aws(job)}
    assert touching >= {
        ("pull-request.yml", "preview"),
        ("deploy.yml", "deploy-dev"),
        ("deploy.yml", "deploy-staging"),
        ("deploy.yml", "deploy-prod"),
    }


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_no_long_lived_aws_keys_anywhere(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert not re.search(
        r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key", text
    )


def test_permissions_are_least_privilege() -> None:
    for workflow, name, job, document in _all_jobs():
        assert document["permissions"] == {"contents": "read"}, workflow
        granted = job.get("permissions", document["permissions"])
        assert isinstance(granted, dict), f"{workflow}:{name}: no write-all/read-all"
        writes = {scope for scope, level in granted.items() if level == "write"}
        allowed = {"id-token"} if _touches_aws(job) else set()
        if workflow == "pull-request.yml" and name in ("preview", "plan-comment"):
            allowed.add("pull-requests")
        assert writes <= allowed, f"{workflow}:{name} writes {writes - allowed}"
    preview = _load("pull-request.yml")["jobs"]["preview"]
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}


def test_every_action_is_pinned_to_a_version_or_sha() -> None:
    uses = [step["uses"] for _, _, job, _ in _all_jobs() for step in job.get("steps", []) if "uses" in step]
    assert uses, "the workflows use actions"
    unpinned = [use for use in uses if not use.startswith("./") and not PINNED.match(use)]
    assert unpinned == []
    assert {use.split("@")[1] for use in uses if use.startswith("pulumi/actions@")} == {"v6"}


@pytest.mark.parametrize(
    ("use", "pinned"),
    [
        ("actions/checkout@v4", True),
        ("actions/checkout@v4.2.2", True),
        ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", True),
        ("actions/checkout@main", False),
        ("actions/checkout", False),
        ("actions/checkout@11bd719", False),
    ],
)
def test_the_pin_rule(use: str, pinned: bool) -> None:
    assert bool(PINNED.match(use)) is pinned


def test_make_verify_runs_the_check_for_the_stack_file() -> None:
    result = subprocess.run(
        ["make", "-n", "verify", "STACK=prod", "VERIFY_ARGS=--attempts 3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "python -m delivery.verify --stack-file stacks/Pulumi.prod.yaml --attempts 3" in result.stdout
