"""deploy.yml: its runs wait in one queue, in order, none dropped; and a run that deploys an
environment without the ones before it (a model approval) deploys only a commit every stack of
those environments already deployed.

GitHub keeps one pending run per concurrency group by default: a newer run entering the group
cancelled the pending one, so a push waiting behind a deploy was dropped by the next push or by a
model approval, its change never going through dev and staging. `queue: max` keeps up to 100
pending runs, started in order. The check of the earlier environments is the `earlier` job's bash,
run here as GitHub runs a `shell: bash` step, with a stand-in `gh` answering the REST API from the
test's own deployments (tests/delivery/test_workflows.py models the rest of the workflow).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from delivery.approved_model import next_environment
from delivery.stacks import PROMOTION_ORDER, list_stacks
from tests.conftest import REPO
from tests.delivery.test_workflows import (
    EXPRESSION,
    WORKFLOWS,
    _deploy_job_names,
    _deploy_jobs,
    _load,
    _needs,
    _run,
    _schema_check,
    _steps,
)
from tests.recorded import computed_once

SHA = "0123456789abcdef0123456789abcdef01234567"
GITHUB = {"server_url": "https://github.com", "repository": "my-org/mlops-platform", "sha": SHA}


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return _load(WORKFLOWS / "deploy.yml")


# -- one queue of whole runs -----------------------------------------------------------------------


def _runs_started(concurrency: dict[str, Any], arrivals: list[str]) -> list[str]:
    """GitHub's concurrency group as documented ("Control the concurrency of workflows and jobs"):
    the first run starts; each later one arrives while it is in progress. Without ``queue: max``
    (``single``, the default) one run may be pending and a newer one cancels it; with ``max`` up to
    100 wait and start in order. The runs that start, in order."""
    assert concurrency.get("cancel-in-progress") is False, "a run in progress is never cancelled"
    limit = {"single": 1, "max": 100}[concurrency.get("queue", "single")]
    running, pending = arrivals[0], []
    for run in arrivals[1:]:
        pending.append(run)
        if len(pending) > limit:
            pending.pop(0)  # the oldest pending run is cancelled
    return [running, *pending]


def test_no_deploy_run_waiting_behind_another_is_dropped_by_a_newer_one(deploy) -> None:
    """A push waiting behind a deploy, then a model approval and another push: every run starts,
    in the order they arrived (before `queue: max`, only the first and the last did)."""
    arrivals = ["push a (deploying)", "push b", "model-approved", "push c"]
    assert _runs_started(deploy["concurrency"], arrivals) == arrivals


def test_the_queue_model_drops_the_pending_run_without_queue_max() -> None:
    single = {"group": "deploy", "cancel-in-progress": False}
    assert _runs_started(single, ["a", "b", "approval"]) == ["a", "approval"]
    assert _runs_started({**single, "queue": "single"}, ["a", "b", "c"]) == ["a", "c"]


def test_deploy_runs_wait_in_one_queue_for_every_ref_and_no_job_has_a_group_of_its_own(deploy) -> None:
    """One group whatever the ref or event (a manual run of another ref deploys the same stacks), and
    no job-level group: a job enters one when the jobs it needs finish, so a run starting at a later
    environment (an approval deploying prod) would overtake an older push still in staging."""
    assert deploy["concurrency"] == {"group": "deploy", "cancel-in-progress": False, "queue": "max"}
    assert not EXPRESSION.search(deploy["concurrency"]["group"])
    assert [name for name, job in deploy["jobs"].items() if "concurrency" in job] == []


QUEUES = {"max": True, "single": True, "all": False}
"""`concurrency.queue` values and whether GitHub's schema accepts each."""


@pytest.mark.parametrize(("queue", "valid"), QUEUES.items())
def test_the_vendored_workflow_schema_knows_queue(tmp_path: Path, queue: str, valid: bool) -> None:
    """check-jsonschema's vendor.github-workflows validates `queue` (it does not merely let an
    unknown key through): the shipped `queue: max` is checked, not ignored. One run checks a
    workflow per value (a process of its own costs 0.25 CPU-s): a failure names its file, and the
    run fails exactly when one is named."""
    workflows = []
    for each in QUEUES:
        workflow = tmp_path / f"queue-{each}.yml"
        workflow.write_text(
            "on: push\nconcurrency:\n  group: deploy\n  cancel-in-progress: false\n"
            f"  queue: {each}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{{run: make}}]\n"
        )
        workflows.append(workflow)
    returncode, stdout, stderr = _schema_check(*workflows)
    refused = {each for each in QUEUES if f"queue-{each}.yml::" in stdout}
    assert returncode == (1 if refused else 0), stdout + stderr
    assert (queue not in refused) is valid, stdout + stderr


# -- a run that skips earlier environments: the commit must have deployed to them ----------------


@pytest.fixture
def listing(tmp_path: Path, write_stack, monkeypatch):
    """dev (two stacks: dev, eu-sandbox), staging and prod, listed from `stacks` as the workflow
    lists them (relative stack file paths)."""
    (tmp_path / "stacks").mkdir()
    for environment in PROMOTION_ORDER:
        write_stack(environment, name=f"stacks/Pulumi.{environment}.yaml")
    write_stack("dev", lambda p: p.update(account_id="444444444444"), name="stacks/Pulumi.eu-sandbox.yaml")
    monkeypatch.chdir(tmp_path)
    found = list_stacks("stacks")
    assert found.errors == []
    return found


def _stacks_of(outputs: dict[str, str], name: str) -> list[tuple[str, str]]:
    return [(entry["environment"], entry["stack"]) for entry in json.loads(outputs[name])]


@pytest.mark.parametrize(
    ("source", "earlier"),
    [
        ("dev", [("dev", "dev"), ("dev", "eu-sandbox")]),
        ("staging", [("dev", "dev"), ("dev", "eu-sandbox"), ("staging", "staging")]),
        ("prod", [("dev", "dev"), ("dev", "eu-sandbox"), ("staging", "staging")]),
    ],
    ids=["dev-approval-needs-dev", "staging-approval-needs-dev-and-staging", "prod-approval-needs-both"],
)
def test_an_approval_run_lists_every_stack_before_the_environment_it_deploys(
    listing, source, earlier
) -> None:
    outputs = listing.github_outputs(next_environment(source))
    assert _stacks_of(outputs, "earlier") == earlier
    [entry, *_] = json.loads(outputs["earlier"])
    assert entry == {"environment": "dev", "stack": "dev", "stack_file": "stacks/Pulumi.dev.yaml"}


def test_a_full_run_deploys_the_earlier_environments_itself_and_checks_none(listing) -> None:
    assert listing.github_outputs()["earlier"] == "[]"


def _earlier_job(deploy: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [found] = [(name, job) for name, job in deploy["jobs"].items() if "earlier" in json.dumps(job.get("if"))]
    return found


def test_the_earlier_check_runs_only_for_such_a_run_reads_deployments_alone_and_gates_later_deploys(
    deploy,
) -> None:
    name, job = _earlier_job(deploy)
    assert job["if"] == "needs.stacks.outputs.earlier != '[]'"
    assert _needs(job) == ["stacks"]
    assert deploy["jobs"]["stacks"]["outputs"]["earlier"] == "${{ steps.list.outputs.earlier }}"
    assert job["permissions"] == {"deployments": "read"}, "nothing else: no checkout, no write"
    assert not _steps(job, "actions/checkout@") and "environment" not in job
    [step] = job["steps"]
    assert step["shell"] == "bash", "-o pipefail: a failing gh call fails the step, never reads as 'none'"
    assert step["env"] == {
        "GH_TOKEN": "${{ github.token }}",
        "GH_ENTERPRISE_TOKEN": "${{ github.token }}",
        "EARLIER": "${{ needs.stacks.outputs.earlier }}",
    }
    names = _deploy_job_names(deploy)
    for environment in PROMOTION_ORDER[1:]:
        assert name in _needs(deploy["jobs"][names[environment]]), environment


@pytest.mark.parametrize("source", ["dev", "staging", "prod"])
def test_an_approval_deploys_nothing_when_the_earlier_check_fails(deploy, listing, source) -> None:
    name, _ = _earlier_job(deploy)
    names = _deploy_job_names(deploy)
    outputs = listing.github_outputs(next_environment(source))
    target = names[next_environment(source)]

    assert _run(deploy, outputs)[target] == "success"
    failed = _run(deploy, outputs, failing={name})
    assert {job: result for job, result in failed.items() if job in names.values()} == dict.fromkeys(
        names.values(), "skipped"
    )


def test_a_push_run_skips_the_check_and_still_deploys_every_environment(deploy, listing) -> None:
    name, _ = _earlier_job(deploy)
    results = _run(deploy, listing.github_outputs())
    assert results[name] == "skipped"
    assert [results[job] for job in _deploy_job_names(deploy).values()] == ["success"] * 3


# -- the check itself: the `earlier` job's bash against a stand-in of GitHub's REST API -----------

_GH = """\
import json
import os
import sys

arguments = sys.argv[1:]
with open(os.environ["GH_CALLS"], "a") as log:
    log.write(" ".join(arguments) + "\\n")
# As gh picks its host (GH_HOST, else github.com) and that host's token (GH_TOKEN for github.com,
# GH_ENTERPRISE_TOKEN for a GitHub Enterprise Server host); it answers only the runner's own server.
host = os.environ.get("GH_HOST") or "github.com"
if host != os.environ["STANDIN_SERVER_HOST"]:
    sys.exit(f"gh: error connecting to {host} (stand-in: this runner's server is elsewhere)")
if not os.environ.get("GH_TOKEN" if host == "github.com" else "GH_ENTERPRISE_TOKEN"):
    sys.exit("gh: set the GH_TOKEN environment variable (stand-in)")
assert arguments[0] == "api", arguments
[path] = [argument for argument in arguments[1:] if not argument.startswith("-")]
answers = json.load(open(os.environ["GH_ANSWERS"]))
if path not in answers:
    sys.exit("gh: Not Found (HTTP 404)")
answer = answers[path]
if isinstance(answer, str):
    sys.exit(answer)
# --paginate without --slurp: each page's array, one after the other.
for page in answer if "--paginate" in arguments else answer[:1]:
    print(json.dumps(page))
"""


def _url(deploy: dict[str, Any], environment: str, entry: dict[str, str], github: dict[str, str]) -> str:
    """The deploy job's `environment.url` for this matrix entry and run, as GitHub evaluates it."""
    template = _deploy_jobs(deploy)[environment]["environment"]["url"]

    def resolve(match: re.Match[str]) -> str:
        context, key = match[1].split(".")
        return {"github": github, "matrix": entry}[context][key]

    return EXPRESSION.sub(resolve, template)


def _deployments(
    deploy, listing, succeeded: dict[str, str], sha: str = SHA, github: dict[str, str] = GITHUB
) -> dict[str, Any]:
    """The REST answers for the deployments of ``sha``: one per stack in ``succeeded``, whose
    statuses are GitHub's for a job with that outcome ("success" then "inactive" once a later
    deployment to the environment succeeded; "failure"), each carrying the job's environment url."""
    repository = GITHUB["repository"]
    answers: dict[str, Any] = {}
    by_environment: dict[str, list[dict[str, int]]] = {}
    for number, target in enumerate(listing.targets, start=1):
        outcome = succeeded.get(target.stack)
        by_environment.setdefault(target.environment, [])
        if outcome is None:
            continue
        url = _url(deploy, target.environment, target.matrix_entry(), {**github, "sha": sha})
        states = {"success": ["inactive", "success"], "failure": ["failure"]}[outcome]
        statuses = [{"state": state, "environment_url": url} for state in [*states, "in_progress", "queued"]]
        answers[f"repos/{repository}/deployments/{number}/statuses?per_page=100"] = [statuses]
        by_environment[target.environment].append({"id": number})
    for environment, deployments in by_environment.items():
        query = f"sha={SHA}&environment={environment}&per_page=100"
        answers[f"repos/{repository}/deployments?{query}"] = [deployments]
    return answers


def _check(
    deploy,
    listing,
    source: str,
    answers: dict[str, Any],
    tmp_path: Path,
    server_url: str = GITHUB["server_url"],
) -> subprocess.CompletedProcess:
    """The `earlier` job's step, run as GitHub runs `shell: bash`, on a PATH of bash, jq, grep and
    the stand-in gh alone; computed once per version of the code (the step's text is in the key, as
    are its inputs): a run is a dozen processes. The stand-in's log of calls is written back to
    ``tmp_path / "calls.log"`` either way.

    Asked from the repository, not from the test's folder where ``listing`` moved the working
    directory: computed_once keys the working directory, and a test's own tmp_path (a new one every
    run) made every run compute all twelve again (2.4 CPU-s a cached run). The check runs in a
    folder of its own with every path absolute, so the working directory is no input of it."""
    _, job = _earlier_job(deploy)
    [step] = job["steps"]
    earlier = listing.github_outputs(next_environment(source))["earlier"]
    with contextlib.chdir(REPO):
        status, stdout, stderr, calls = computed_once(
            "earlier-check",
            lambda: _run_check(step["run"], earlier, answers, server_url),
            key=[step["run"], earlier, json.dumps(answers, sort_keys=True), server_url],
        )
    (tmp_path / "calls.log").write_text(calls)
    return subprocess.CompletedProcess([], status, stdout, stderr)


def _run_check(run: str, earlier: str, answers: dict[str, Any], server_url: str) -> tuple[int, str, str, str]:
    with tempfile.TemporaryDirectory(prefix="earlier-check-") as folder:
        result = _run_check_in(Path(folder), run, earlier, answers, server_url)
        log = Path(folder) / "calls.log"
        return result.returncode, result.stdout, result.stderr, log.read_text() if log.exists() else ""


def _run_check_in(
    tmp_path: Path, run: str, earlier: str, answers: dict[str, Any], server_url: str
) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "jq", "grep"):
        found = shutil.which(tool)
        assert found, f"{tool} is needed to run the step"
        (bin_dir / tool).symlink_to(found)
    (tmp_path / "gh.py").write_text(_GH)
    gh = bin_dir / "gh"
    gh.write_text(f'#!{shutil.which("bash")}\nexec "{sys.executable}" -I -S "{tmp_path / "gh.py"}" "$@"\n')
    gh.chmod(0o755)
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    script = tmp_path / "step.sh"
    script.write_text(run)
    env = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "GH_CALLS": str(tmp_path / "calls.log"),
        "GH_ANSWERS": str(tmp_path / "answers.json"),
        "GH_TOKEN": "ghs_stand-in",
        "GH_ENTERPRISE_TOKEN": "ghs_stand-in",
        "STANDIN_SERVER_HOST": server_url.split("://", 1)[1],
        "EARLIER": earlier,
        "GITHUB_SHA": SHA,
        "GITHUB_REPOSITORY": GITHUB["repository"],
        "GITHUB_SERVER_URL": server_url,
    }
    # GitHub's `shell: bash`.
    return subprocess.run(
        [str(bin_dir / "bash"), "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("::error ")]


EVERY_STACK = {"dev": "success", "eu-sandbox": "success", "staging": "success", "prod": "success"}


@pytest.mark.parametrize("source", ["dev", "staging", "prod"])
def test_a_commit_every_earlier_stack_deployed_passes(deploy, listing, tmp_path, source) -> None:
    result = _check(deploy, listing, source, _deployments(deploy, listing, EVERY_STACK), tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    environments = ["dev"] if source == "dev" else ["dev", "staging"]
    stacks = ["dev", "eu-sandbox"] if source == "dev" else ["dev", "eu-sandbox", "staging"]
    assert result.stdout.splitlines() == [
        f"stack {stack} (stacks/Pulumi.{stack}.yaml) deployed {SHA} to {environment}"
        for stack, environment in zip(stacks, ["dev", "dev", "staging"], strict=False)
    ]
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert [call for call in calls if "/deployments?" in call] == [
        f"api --paginate repos/{GITHUB['repository']}/deployments?sha={SHA}&environment={e}&per_page=100"
        for e in environments
    ], "one listing per environment, of this commit"


@pytest.mark.parametrize(
    ("source", "succeeded", "missing"),
    [
        pytest.param(
            "dev", {**EVERY_STACK, "eu-sandbox": "failure"}, [("eu-sandbox", "dev")], id="a-dev-stack-failed"
        ),
        pytest.param(
            "staging",
            {},
            [("dev", "dev"), ("eu-sandbox", "dev"), ("staging", "staging")],
            id="never-deployed",
        ),
        pytest.param(
            "staging", {**EVERY_STACK, "staging": "failure"}, [("staging", "staging")], id="staging-failed"
        ),
        pytest.param(
            "prod",
            {"dev": "success", "eu-sandbox": "success"},
            [("staging", "staging")],
            id="staging-not-reached",
        ),
    ],
)
def test_a_commit_some_earlier_stack_did_not_deploy_stops_the_run_naming_it(
    deploy, listing, tmp_path, source, succeeded, missing
) -> None:
    result = _check(deploy, listing, source, _deployments(deploy, listing, succeeded), tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    errors = _errors(result)
    assert [re.search(r"::stack (\S+) .* in (\w+)\. ", error).groups() for error in errors] == missing
    for error, (stack, environment) in zip(errors, missing, strict=True):
        assert error.startswith(f"::error title={SHA} not deployed to {environment}::stack {stack} ")
        assert f"(stacks/Pulumi.{stack}.yaml) has no successful deployment of commit {SHA}" in error
        assert "stops before any pulumi up" in error
        assert "re-run this run's failed jobs" in error and "python -m delivery.promote deploy" in error


def test_a_success_recorded_for_another_stack_file_or_without_one_does_not_count(
    deploy, listing, tmp_path
) -> None:
    """Deployments made before the jobs carried their stack file as url have none: a commit only
    they deployed must deploy again through dev (a push or a full run) before an approval run
    deploys it further. A success whose url names another stack file counts for that file alone."""
    answers = _deployments(deploy, listing, EVERY_STACK)
    repository = GITHUB["repository"]
    dev, sandbox = (f"repos/{repository}/deployments/{n}/statuses?per_page=100" for n in (1, 2))
    for page in answers[dev]:
        for status in page:
            status.pop("environment_url")
    for page in answers[sandbox]:
        for status in page:
            status["environment_url"] = status["environment_url"].replace("eu-sandbox", "sandbox")

    result = _check(deploy, listing, "dev", answers, tmp_path)

    assert result.returncode == 1
    assert [error.split("::")[2].split()[1] for error in _errors(result)] == ["dev", "eu-sandbox"]


def test_every_page_of_deployments_and_statuses_is_read(deploy, listing, tmp_path) -> None:
    answers = _deployments(deploy, listing, {"dev": "success", "eu-sandbox": "success"})
    repository = GITHUB["repository"]
    listed = f"repos/{repository}/deployments?sha={SHA}&environment=dev&per_page=100"
    statuses = f"repos/{repository}/deployments/1/statuses?per_page=100"
    answers[listed] = [[{"id": 99}], *answers[listed]]  # an older deployment of the commit first
    answers[f"repos/{repository}/deployments/99/statuses?per_page=100"] = [[{"state": "failure"}]]
    answers[statuses] = [[{"state": "queued", "environment_url": ""}], *answers[statuses]]

    result = _check(deploy, listing, "dev", answers, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_refused_api_call_fails_the_check_never_reads_as_no_deployment(deploy, listing, tmp_path) -> None:
    answers = _deployments(deploy, listing, EVERY_STACK)
    listed = f"repos/{GITHUB['repository']}/deployments/2/statuses?per_page=100"
    answers[listed] = "gh: Resource not accessible by integration (HTTP 403)"

    result = _check(deploy, listing, "dev", answers, tmp_path)

    assert result.returncode != 0
    assert "HTTP 403" in result.stderr
    assert "eu-sandbox" not in result.stdout, "stopped at the failed call, no verdict on the stack"


def test_each_deploy_jobs_url_is_the_stack_file_at_the_runs_commit(deploy, listing) -> None:
    """What the check matches a deployment's statuses against (environment_url): the deploy job's
    `environment.url`, the stack file at the commit, one per stack."""
    for environment, job in _deploy_jobs(deploy).items():
        assert job["environment"]["name"] == environment
        assert set(job["environment"]) == {"name", "url"}
        for target in listing.targets:
            if target.environment == environment:
                url = _url(deploy, environment, target.matrix_entry(), GITHUB)
                assert url == f"https://github.com/my-org/mlops-platform/blob/{SHA}/{target.stack_file}"


@pytest.mark.parametrize(
    "server_url", ["https://github.com", "https://ghes.example.com"], ids=["github", "enterprise"]
)
def test_the_check_asks_the_runs_own_server(deploy, listing, tmp_path, server_url: str) -> None:
    """gh calls github.com unless GH_HOST says otherwise, with GH_ENTERPRISE_TOKEN for another
    host: on a GitHub Enterprise Server runner the check asked github.com and failed every
    approval run."""
    github = {**GITHUB, "server_url": server_url}
    answers = _deployments(deploy, listing, EVERY_STACK, github=github)
    result = _check(deploy, listing, "prod", answers, tmp_path, server_url=server_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _errors(result) == []


def test_the_checks_result_is_kept_for_the_next_run(deploy, listing, tmp_path, monkeypatch) -> None:
    """computed_once keys the working directory: asked from the test's own folder (where `listing`
    moves it, a new one every run), the twelve checks ran again in every run (2.4 CPU-s). Asked
    from the repository, and the test's folder is the working directory again afterwards."""
    asked_from = []

    def kept(name: str, compute: Any, *, key: Any = ()) -> tuple[int, str, str, str]:
        asked_from.append(Path.cwd())
        return 0, "", "", ""

    monkeypatch.setattr(sys.modules[__name__], "computed_once", kept)
    _check(deploy, listing, "prod", _deployments(deploy, listing, EVERY_STACK), tmp_path)
    assert asked_from == [REPO]
    assert Path.cwd() == tmp_path
