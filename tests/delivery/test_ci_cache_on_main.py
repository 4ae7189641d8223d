"""The caches every pull request restores are saved on main, where every pull request can read them.

GitHub scopes a cache saved by a ``pull_request`` run to that pull request; a pull request's run
reads its own scope, then its base branch's. pull-request.yml's test and typecheck jobs restore
four caches (the recorded stack graphs of their code's folder, main's whole folder of graphs keyed
by its recording fingerprint, the composed pipeline definitions with the provider import index,
mypy's cache): unless a run on the base branch saves them, every new pull request starts cold. main-caches.yml saves them on every push to main, under the keys the pull request computes
for the same content.

These tests model what GitHub does with the workflow files rather than their text: the event each
save runs on and the scope that gives it, the value each key resolves to (a step output followed
to the script and inputs of the step that writes it, a job output to its job; ``hashFiles`` and
``runner.os`` are the same expression evaluated over the same checkout), which steps run for each
outcome of the cache look-ups, and which jobs restore what. docs/ci-cd.md ("Caches saved on main")
has the argument why a restored folder is only ever a speed-up.

Checked by mutation (2026-12-06): 38 edits of the workflows, one at a time, each failed a test
here. Removing each of main's three saves; a save's key drifting from the restore's (the computed
key's prefix, the tests hash, the environment key's script or lock hash, mypy's hash files, on
either side, or lookup and save together); a save's path (the recordings' folder, one of the two
computed folders); the restore-keys no longer a prefix of main's key; a workflow_dispatch, a
release or any-branch trigger, or a guard on another ref; a write permission, id-token, a GitHub
environment, a persisted checkout token; a look-up turned into a restore or given restore-keys; a
save conditioned on the other look-up, inverted, or its look-up's key differing; `make test` run
only when both keys are missing, or dropped; `make typecheck` skipped when mypy's key is missing;
a deploy job or the deploy workflow's stacks job restoring a computed or recorded folder; the
preview restoring mypy's cache; pull-request.yml also triggered by a push to main; and main's test
job computing the recordings' folder (test code) before it saves the environment.

Main's graphs (2026-12-06): the whole ``.cache/recorded-stacks``, saved by main under
``recorded-graphs-<recording fingerprint>`` and restored by the pull request's test job when its
own folder missed, is held to the same properties as the other three, and the pull request's side
is stepped through every outcome of its restores
(test_a_pull_request_starts_with_mains_graphs_only_when_its_own_folder_missed; new here too:
test_each_cache_step_reads_a_key_and_paths_computed_before_it, and that a push finding every key
runs neither `make test` nor `make typecheck`). Checked by 46 mutations, one at a time, each failing
a test (here, in tests/delivery/test_workflows.py or tests/bin/test_cli_contract_audit.py): on
main, the save dropped, its key's prefix or command drifting, its path the code's folder or with a
trailing slash, its condition inverted or on another look-up, its look-up's key differing, the
look-up dropped, restoring, or given restore-keys, the save before `make test`, `make test`
ignoring the new look-up, run only when every look-up misses, or always, the key step after the
look-up or hashing the tests; in the pull request, the restore and its key dropped, given
restore-keys, lookup-only, run always, on a hit, on a later restore, before the own folder's
restore or after `make test`, keyed by the folder's key, of `.cache`, its key step on another
restore, always, or after the restore, the key's prefix drifting, the own folder's save
conditioned on main's graphs (alone or as well), a save of the whole folder added, the preview
restoring it; on both sides together, the key from `--cache-dir`, with the tests hash, or constant;
and in tests/recorded.py's flag, printing the folder, a label, on stderr, 16 digits, the code's
fingerprint, the flags' branches swapped, no flag or both accepted.

Review (2026-12-06): main's test job no longer saves the environment, nor (setup-uv's post step,
after `make test`) uv's package cache: both are what a deploy restores, and their one writer is
deploy.yml's stacks job (test_the_jobs_saving_on_main_write_no_cache_a_deploying_job_restores,
which replaces the test of the environment's save order; it fails with either save put back).
Its runs queue instead of cancelling one another, so no save is cancelled between reserving its
key and finishing its upload (test_a_run_saving_on_main_is_never_cancelled_halfway; fails with
`cancel-in-progress: true` or without a concurrency group).

Second review of main's graphs (2026-12-06): both workflows pass check-jsonschema's
github-workflows schema and zizmor (auditor persona) adds nothing; each step's ``if`` skips the
key step and the restore together, so no restore runs with an empty key; the key
recorded-graphs-<32 hex digits> is 48 characters, no comma (GitHub refuses beyond 512); the command prints the fingerprint alone on stdout (a second line would fail the step:
GITHUB_OUTPUT refuses a line without ``=``); saves stay behind `make test`'s success, as the
others. Three edits survived every test and now fail
test_a_miss_of_these_caches_only_slows_a_run_and_every_input_is_modelled: ``fail-on-cache-miss``
on the pull request's restore of main's graphs (every pull request changing what a recording runs
would fail) or on a look-up on main, and ``enableCrossOsArchive`` on one side (equivalent on Linux
runners, where it does not enter the version, but outside the model). tests/test_recorded.py
(test_a_folder_restored_hours_old_gives_its_graphs_before_it_is_removed) now holds that
cache_dir_for links a restored folder's graphs before removing it as stale: tar gives main's
folder its run's modification time, and removing first survived every test.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from tests.delivery.test_workflows import WORKFLOWS, _all_jobs, _load, _needs, _steps, _touches_aws

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
RUNNER_VALUES = re.compile(r"hashFiles\((\s*'[^']*'\s*,?)+\)|runner\.os")
"""Expressions the runner evaluates from the checkout alone: the same text gives the same value
on a push of main and on a pull request that changes none of the files named."""
ENVIRONMENT = ".venv"
"""The run's environment: restored by every job that runs the code (tests/delivery/test_workflows.py)."""
RECORDED_STACKS = ".cache/recorded-stacks"
"""Every version of the code's folder of graphs: main saves it whole under its recording
fingerprint, and a pull request whose own folder missed restores it (tests/recorded.py)."""


# -- a model of the parts of GitHub Actions these caches depend on --------------------------------


def _resolve(text: str, job: dict[str, Any], workflow: dict[str, Any]) -> str:
    """``text`` with each expression replaced by what decides its value: a step output by the
    script and (resolved) inputs of the step that writes it, a job output by its own resolution
    in that job, ``hashFiles``/``runner.os`` by themselves. Two keys resolve to the same text
    exactly when a run of each over the same files computes the same key."""

    def one(match: re.Match[str]) -> str:
        expression = match[1]
        if found := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            [step] = [step for step in job["steps"] if step.get("id") == found[1]]
            assert "run" in step, f"{found[1]}: a step output this model reads from a script"
            inputs = {
                name: _resolve(str(value), job, workflow) for name, value in step.get("env", {}).items()
            }
            return f"<{found[2]} written by {step['run']!r} given {sorted(inputs.items())}>"
        if found := re.fullmatch(r"needs\.([\w-]+)\.outputs\.([\w-]+)", expression):
            assert found[1] in _needs(job), f"{found[1]} is not a job this one needs"
            needed = workflow["jobs"][found[1]]
            return _resolve(needed["outputs"][found[2]], needed, workflow)
        if RUNNER_VALUES.fullmatch(expression):
            return "${{ " + re.sub(r"\s+", " ", expression) + " }}"
        raise AssertionError(f"the model does not know {expression!r}: teach it")

    return EXPRESSION.sub(one, text)


def _paths(step: dict[str, Any], job: dict[str, Any], workflow: dict[str, Any]) -> tuple[str, ...]:
    """The cache's paths, resolved: with the compression method they are the cache's version,
    so a restore finds only what was saved with the same paths."""
    return tuple(_lines(step["with"]["path"], job, workflow))


def _lines(text: str, job: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    """A multi-line input (paths, restore-keys): one value a line, each resolved."""
    return [_resolve(line.strip(), job, workflow) for line in text.splitlines() if line.strip()]


def _restore_keys(step: dict[str, Any], job: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    return _lines(step["with"].get("restore-keys", ""), job, workflow)


def _workflows() -> dict[str, dict[str, Any]]:
    return {path.name: _load(path) for path in sorted(WORKFLOWS.glob("*.yml"))}


def _default_branch() -> str:
    """The branch pull requests target: the base whose cache scope each of them reads."""
    [branch] = _load(WORKFLOWS / "pull-request.yml")["on"]["pull_request"]["branches"]
    return branch


def _pull_request_caches() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(job name, restore step, job) of every cache pull-request.yml restores besides the
    environment, which the run itself builds or restores (its stacks job)."""
    workflow = _load(WORKFLOWS / "pull-request.yml")
    return [
        (name, step, job)
        for name, job in workflow["jobs"].items()
        for step in _steps(job, "actions/cache/restore@")
        if step["with"]["path"] != ENVIRONMENT
    ]


def _pull_request_cache_paths() -> set[str]:
    workflow = _load(WORKFLOWS / "pull-request.yml")
    return {path for _, step, job in _pull_request_caches() for path in _paths(step, job, workflow)}


def _condition_terms(job: dict[str, Any]) -> list[str]:
    expression = str(job.get("if", "")).strip()
    if wrapped := EXPRESSION.fullmatch(expression):
        expression = wrapped[1]
    return [term.strip() for term in expression.split("&&") if term.strip()]


def _job_runs_for(job: dict[str, Any], event: str, ref: str) -> bool:
    """The job's ``if`` for an event and ref (the terms on other things taken as true)."""
    for term in _condition_terms(job):
        if found := re.fullmatch(r"github\.event_name == '([\w-]+)'", term):
            if found[1] != event:
                return False
        elif found := re.fullmatch(r"github\.ref == '([\w/.-]+)'", term):
            if found[1] != ref:
                return False
        elif "github." in term:
            raise AssertionError(f"the model does not know the condition {term!r}: teach it")
    return True


def _scope_of(workflow: dict[str, Any], job: dict[str, Any]) -> str:
    """Whose runs can restore what this job saves: ``"every pull request"`` for a save that runs
    only on a push to the default branch, ``"its pull request"`` for one that runs only on pull
    requests, ``"other"`` for anything else (a tag, a dispatch on any branch, a schedule...)."""
    triggers = workflow["on"]
    default = _default_branch()
    if set(triggers) == {"pull_request"}:
        return "its pull request"
    if triggers == {"push": {"branches": [default]}} and _job_runs_for(job, "push", f"refs/heads/{default}"):
        return "every pull request"
    return "other"


def _saves(path_of: set[str]) -> list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(workflow file, job name, save step, job, workflow) of every save of those paths."""
    found = []
    for file, workflow in _workflows().items():
        for name, job in workflow["jobs"].items():
            for step in _steps(job, "actions/cache/save@"):
                if set(_paths(step, job, workflow)) & path_of:
                    found.append((file, name, step, job, workflow))
    return found


def _step_condition(condition: str | None, hits: dict[str, bool]) -> bool:
    """A step's ``if`` of the forms the saving jobs use: cache-hit tests joined by ``||`` or ``&&``
    (GitHub's implicit success() holds: the model runs no failing step)."""
    if condition is None:
        return True
    operator = "||" if "||" in condition else "&&"
    assert not ("||" in condition and "&&" in condition), f"teach the model mixed operators: {condition}"
    values = []
    for term in condition.split(operator):
        found = re.fullmatch(r"\s*steps\.([\w-]+)\.outputs\.cache-hit (==|!=) 'true'\s*", term)
        assert found, f"the model does not know the condition {term!r}: teach it"
        # A restore that is not a look-up (the environment) taken as a miss: it only adds steps.
        values.append(hits.get(found[1], False) == (found[2] == "=="))
    return any(values) if operator == "||" else all(values)


# -- the tests ------------------------------------------------------------------------------------


def test_the_pull_request_restores_the_four_caches_this_file_is_about() -> None:
    """The premise: what the pull request's jobs restore (so the tests below cover each)."""
    restored = {(name, step["with"]["path"].splitlines()[0]) for name, step, _ in _pull_request_caches()}
    assert restored == {
        ("test", "${{ steps.recorded.outputs.folder }}"),
        ("test", RECORDED_STACKS),
        ("test", ".cache/pipeline-definitions"),
        ("typecheck", ".mypy_cache"),
    }


@pytest.mark.parametrize(
    ("job_name", "path"),
    [
        pytest.param("test", "${{ steps.recorded.outputs.folder }}", id="recorded-stacks"),
        pytest.param("test", RECORDED_STACKS, id="mains-graphs"),
        pytest.param("test", ".cache/pipeline-definitions", id="definitions-and-import-index"),
        pytest.param("typecheck", ".mypy_cache", id="mypy"),
    ],
)
def test_a_push_to_main_saves_each_cache_under_the_key_the_pull_request_restores(job_name, path) -> None:
    """For each cache a pull request restores, a save that every pull request can read (it runs
    only on a push to the default branch), of the same paths, whose key resolves to the restore's
    exact key for the same files: a pull request that changes none of them restores it whole. A
    restore-keys fallback is a prefix of it, so one that changes them still starts from it."""
    pull_request = _load(WORKFLOWS / "pull-request.yml")
    [(_, restore, job)] = [
        (name, step, job)
        for name, step, job in _pull_request_caches()
        if name == job_name and step["with"]["path"].splitlines()[0] == path
    ]
    paths = _paths(restore, job, pull_request)
    key = _resolve(restore["with"]["key"], job, pull_request)
    visible = [
        (file, name, step, saving_job, workflow)
        for file, name, step, saving_job, workflow in _saves(set(paths))
        if _scope_of(workflow, saving_job) == "every pull request"
    ]
    assert visible, f"nothing saves {paths} where a new pull request can restore it"
    for file, name, step, saving_job, workflow in visible:
        assert _paths(step, saving_job, workflow) == paths, f"{file}:{name} saves other paths"
        assert _resolve(step["with"]["key"], saving_job, workflow) == key, f"{file}:{name}: key drifted"
        for prefix in _restore_keys(restore, job, pull_request):
            assert key.startswith(prefix)


def test_these_caches_are_saved_only_on_a_push_to_main_or_in_a_pull_requests_own_scope() -> None:
    """A save of any of these caches runs either on pull requests (GitHub keeps it for that pull
    request) or only on a push to the default branch; never on a dispatch from any branch, a tag,
    a schedule or a release, and the push-to-main workflow has no other trigger."""
    saves = _saves(_pull_request_cache_paths())
    scopes = {(file, name): _scope_of(workflow, job) for file, name, _, job, workflow in saves}
    assert "other" not in scopes.values(), scopes
    assert "every pull request" in scopes.values()
    for file, _, _, job, workflow in saves:
        if _scope_of(workflow, job) == "every pull request":
            default = f"refs/heads/{_default_branch()}"
            assert not _job_runs_for(job, "push", "refs/heads/feature"), file
            assert not _job_runs_for(job, "workflow_dispatch", default), file
            assert not _job_runs_for(job, "pull_request", default), file


def test_the_scope_model() -> None:
    """The classification the tests above rely on, on workflows GitHub would scope differently."""
    guarded = {"if": "github.event_name == 'push' && github.ref == 'refs/heads/main'"}
    assert _scope_of({"on": {"push": {"branches": ["main"]}}}, guarded) == "every pull request"
    assert _scope_of({"on": {"push": {"branches": ["main"]}}}, {}) == "every pull request"
    assert _scope_of({"on": {"pull_request": {"branches": ["main"]}}}, {}) == "its pull request"
    assert _scope_of({"on": {"push": {"branches": ["main"]}, "workflow_dispatch": None}}, guarded) == "other"
    assert _scope_of({"on": {"push": {"branches": ["main", "dev"]}}}, guarded) == "other"
    assert _scope_of({"on": {"push": {"tags": ["v*"]}}}, {}) == "other"
    assert (
        _scope_of({"on": {"push": {"branches": ["main"]}}}, {"if": "github.ref == 'refs/heads/x'"}) == "other"
    )


def _main_saving_jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    found = {
        (file, name): (job, workflow)
        for file, name, _, job, workflow in _saves(_pull_request_cache_paths())
        if _scope_of(workflow, job) == "every pull request"
    }
    assert found
    return [(file, name, job, workflow) for (file, name), (job, workflow) in found.items()]


def test_the_jobs_saving_on_main_are_read_only_and_touch_no_secret_or_environment() -> None:
    """What a job on main saves, every pull request loads (the graphs are pickles): the job gets a
    read-only token, no GitHub environment (no deployment secrets, no OIDC role), no secret, and a
    checkout that keeps no credential for a later step."""
    for file, name, job, workflow in _main_saving_jobs():
        assert workflow["permissions"] == {}, file
        assert isinstance(job["permissions"], dict) and job["permissions"], f"{file}:{name}"
        assert set(job["permissions"].values()) == {"read"}, f"{file}:{name}: {job['permissions']}"
        assert "id-token" not in job["permissions"], f"{file}:{name}"
        assert "environment" not in job and not _touches_aws(job), f"{file}:{name}"
        assert "secrets." not in str(job), f"{file}:{name}"
        for checkout in _steps(job, "actions/checkout@"):
            assert checkout["with"]["persist-credentials"] is False, f"{file}:{name}"


def test_the_jobs_saving_on_main_restore_nothing_but_the_environment() -> None:
    """A folder saved on main holds what that commit's tests computed from that commit's code:
    the job looks its keys up (lookup-only downloads nothing) but restores no earlier folder, so no
    entry outlives the commit that wrote it in main's copy."""
    for file, name, job, _ in _main_saving_jobs():
        for step in _steps(job, "actions/cache/restore@") + _steps(job, "actions/cache@"):
            restored = step["with"]["path"] == ENVIRONMENT or step["with"].get("lookup-only") is True
            assert restored, f"{file}:{name} restores {step['with']['path']}"
        assert not any(step["with"].get("restore-keys") for step in _steps(job, "actions/cache/"))


def _filling_commands() -> dict[tuple[str, ...], set[str]]:
    """The paths of each cache the pull request restores, and the commands of its job that fill
    them (make test, make typecheck: its `make` steps other than the environment's bootstrap)."""
    pull_request = _load(WORKFLOWS / "pull-request.yml")
    return {
        _paths(step, job, pull_request): {
            s["run"]
            for s in job["steps"]
            if s.get("run", "").startswith("make ") and s["run"] != "make bootstrap"
        }
        for _, step, job in _pull_request_caches()
    }


def _lookup_of(
    save: dict[str, Any], lookups: dict[str, dict[str, Any]], job: dict[str, Any], workflow: dict[str, Any]
) -> dict[str, Any]:
    """The one look-up of the save's own paths and key."""
    [lookup] = [
        found
        for found in lookups.values()
        if _paths(found, job, workflow) == _paths(save, job, workflow)
        and _resolve(found["with"]["key"], job, workflow) == _resolve(save["with"]["key"], job, workflow)
    ]
    return lookup


def test_each_save_on_main_runs_exactly_when_main_lacks_its_key_and_after_what_fills_it() -> None:
    """Every outcome of the job's look-ups, stepped through as GitHub would: a save runs exactly
    when the look-up of its own key and paths missed, and then after the command that fills it in
    the pull request's job (make test: the graphs, definitions and index; make typecheck: mypy's
    cache) ran."""
    filling = _filling_commands()
    assert set(map(frozenset, filling.values())) == {frozenset({"make test"}), frozenset({"make typecheck"})}
    for file, name, job, workflow in _main_saving_jobs():
        lookups = {
            step["id"]: step
            for step in _steps(job, "actions/cache/restore@")
            if step["with"].get("lookup-only") is True
        }
        saves = [step for step in _steps(job, "actions/cache/save@") if step["with"]["path"] != ENVIRONMENT]
        assert saves and lookups, f"{file}:{name}"

        for outcome in itertools.product([False, True], repeat=len(lookups)):
            hits = dict(zip(lookups, outcome, strict=True))
            ran: list[str] = []
            saved = []
            for step in job["steps"]:
                if not _step_condition(step.get("if"), hits):
                    continue
                if "run" in step:
                    ran.append(step["run"])
                elif step in saves:
                    paths = _paths(step, job, workflow)
                    assert filling[paths] <= set(ran), f"{file}:{name} saves {paths} after only {ran}"
                    saved.append(step)
            assert saved == [
                save for save in saves if not hits[_lookup_of(save, lookups, job, workflow)["id"]]
            ], f"{file}:{name} with look-ups {hits}"
            if all(outcome):  # a push of docs only, a re-run: nothing to save, nothing filled
                assert not set(ran) & set().union(*filling.values()), f"{file}:{name} runs {ran}"


def _steps_run(job: dict[str, Any], outcomes: dict[str, bool]) -> list[dict[str, Any]]:
    """The steps of ``job`` that run, in order, when each restore that runs finds its key or not
    (``outcomes``, by step id). A restore skipped, or not yet run, has an empty ``cache-hit``: a
    miss to the conditions that read it, as GitHub evaluates them."""
    ran: list[dict[str, Any]] = []
    hits: dict[str, bool] = {}
    for step in job["steps"]:
        if _step_condition(step.get("if"), hits):
            ran.append(step)
            if step.get("id") in outcomes:
                hits[step["id"]] = outcomes[step["id"]]
    return ran


def test_the_model_of_which_steps_run() -> None:
    """A step reading a restore skipped, or one that comes later, reads a miss."""
    first = {"id": "a", "uses": "actions/cache/restore@v4"}
    second = {"id": "b", "if": "steps.a.outputs.cache-hit != 'true'", "uses": "actions/cache/restore@v4"}
    reads_b = {"run": "x", "if": "steps.b.outputs.cache-hit != 'true'"}
    early = {"run": "y", "if": "steps.a.outputs.cache-hit == 'true'"}
    job = {"steps": [early, first, second, reads_b]}
    assert _steps_run(job, {"a": True, "b": True}) == [first, reads_b]
    assert _steps_run(job, {"a": False, "b": True}) == [first, second]
    assert _steps_run(job, {"a": False, "b": False}) == [first, second, reads_b]


def test_each_cache_step_reads_a_key_and_paths_computed_before_it() -> None:
    """In both workflows' jobs that keep these caches, for every outcome of the job's restores: a
    cache step that runs reads its key and paths from steps that ran before it (a key step skipped,
    or after it, gives an empty key, which actions/cache refuses, or a path of nothing)."""
    checked = 0
    for file in ("pull-request.yml", "main-caches.yml"):
        workflow = _load(WORKFLOWS / file)
        for name, job in workflow["jobs"].items():
            if all(step["with"]["path"] == ENVIRONMENT for step in _steps(job, "actions/cache/")):
                continue
            checked += 1
            restores = [step["id"] for step in _steps(job, "actions/cache/restore@") if "id" in step]
            for outcome in itertools.product([False, True], repeat=len(restores)):
                ran = _steps_run(job, dict(zip(restores, outcome, strict=True)))
                for step in _steps(job, "actions/cache/"):
                    if step not in ran:
                        continue
                    for read in re.findall(r"steps\.([\w-]+)\.outputs\.", str(step["with"])):
                        [writer] = [other for other in job["steps"] if other.get("id") == read]
                        assert writer in ran and ran.index(writer) < ran.index(step), (
                            f"{file}:{name}: {step.get('id', step['uses'])} reads {read} with {outcome}"
                        )
    assert checked == 4, "the test and typecheck jobs of both workflows"


def test_a_pull_request_starts_with_mains_graphs_only_when_its_own_folder_missed() -> None:
    """The pull request's test job, stepped through every outcome of its restores: main's whole
    `.cache/recorded-stacks` (exact key, restored, never a fallback: a graph of other recording code
    is never offered) is restored exactly when the job's own folder was not, after that restore
    (which it never overwrites) and before `make test`, which makes the code's own folder and links
    main's graphs in when their recording fingerprints are equal (tests/recorded.py, cache_dir_for);
    its key's step runs exactly when it does (no process for a key not used). The save of the
    job's own folder is unaffected: it runs exactly when that folder was not restored, whatever
    main's graphs did, and nothing in the pull request saves the whole folder, which would hold
    main's again."""
    workflow = _load(WORKFLOWS / "pull-request.yml")
    job = workflow["jobs"]["test"]
    restores = {step["id"]: step for step in _steps(job, "actions/cache/restore@")}
    [own] = [
        step for step in restores.values() if step["with"]["path"] == "${{ steps.recorded.outputs.folder }}"
    ]
    [graphs] = [step for step in restores.values() if _paths(step, job, workflow) == (RECORDED_STACKS,)]
    assert graphs["with"].get("lookup-only") is not True and not _restore_keys(graphs, job, workflow)
    key_steps = [
        step
        for step in job["steps"]
        if step.get("id") in re.findall(r"steps\.([\w-]+)\.outputs", graphs["with"]["key"])
    ]
    assert key_steps
    [make_test] = [step for step in job["steps"] if step.get("run") == "make test"]
    saves = _steps(job, "actions/cache/save@")
    [own_save] = [step for step in saves if _paths(step, job, workflow) == _paths(own, job, workflow)]
    assert not any(RECORDED_STACKS in _paths(step, job, workflow) for step in saves)

    for outcome in itertools.product([False, True], repeat=len(restores)):
        outcomes = dict(zip(restores, outcome, strict=True))
        ran = _steps_run(job, outcomes)
        starts_with_mains = graphs in ran
        assert starts_with_mains is not outcomes[own["id"]], outcomes
        for step in key_steps:
            assert (step in ran) is starts_with_mains, f"{step['id']} with {outcomes}"
        if starts_with_mains:
            order = [ran.index(step) for step in [own, *key_steps, graphs, make_test]]
            assert order == sorted(order), f"{order} with {outcomes}"
        assert (own_save in ran) is not outcomes[own["id"]], outcomes
        if own_save in ran:
            assert ran.index(make_test) < ran.index(own_save)


MODELLED_INPUTS = {"path", "key", "restore-keys", "lookup-only"}
"""The inputs of actions/cache the model above reads: the paths (with the compression method, the
cache's version on Linux), the exact key, the fallbacks, and whether a restore only looks up."""


def test_a_miss_of_these_caches_only_slows_a_run_and_every_input_is_modelled() -> None:
    """Every step of both workflows that keeps one of these caches (the environment aside: see
    tests/delivery/test_workflows.py) uses only the inputs the model reads, so what it proves of keys,
    versions and outcomes is what GitHub does; in particular no restore or look-up fails the job on
    a miss (``fail-on-cache-miss``): a miss is the normal case for new code (a pull request that
    changes what a recording runs misses main's graphs; a push to main that changes code misses
    every look-up), and it must record, compose or analyse, not fail the run."""
    checked = 0
    for file in ("pull-request.yml", "main-caches.yml"):
        for name, job in _load(WORKFLOWS / file)["jobs"].items():
            for step in _steps(job, "actions/cache/"):
                if step["with"]["path"] == ENVIRONMENT:
                    continue
                checked += 1
                assert set(step["with"]) <= MODELLED_INPUTS, (
                    f"{file}:{name}: {sorted(set(step['with']) - MODELLED_INPUTS)}: teach the model"
                )
    assert checked == 15, "4 restores and 3 saves in pull requests, 4 look-ups and 4 saves on main"


def _deploys_or_publishes(file: str, job: dict[str, Any]) -> bool:
    """A job that changes something outside its run: AWS (deploy or preview role), a GitHub
    environment (deployment secrets), any write permission (comments, contents, packages...),
    an upload or release, or any job of the deploy workflow."""
    writes = any(level == "write" for level in (job.get("permissions") or {}).values())
    uploads = any(
        step.get("uses", "").startswith(("actions/upload-artifact@", "softprops/action-gh-release@"))
        for step in job.get("steps", [])
    )
    return file == "deploy.yml" or writes or uploads or "environment" in job or _touches_aws(job)


def test_no_job_that_deploys_or_publishes_restores_these_caches() -> None:
    """Cache poisoning: a pull request can write its own scope's entries, and a deploy must not
    run anything a pull request's run computed. No such job restores (or looks up) any of the three
    caches, nor names their folders."""
    cache_paths = _pull_request_cache_paths()
    deploying = [
        (file, name, job, workflow)
        for file, name, job, workflow in _all_jobs()
        if _deploys_or_publishes(file, job)
    ]
    assert {file for file, *_ in deploying} >= {"deploy.yml", "pull-request.yml"}
    for file, name, job, workflow in deploying:
        for step in _steps(job, "actions/cache"):
            assert not set(_paths(step, job, workflow)) & cache_paths, f"{file}:{name}"
        text = str(job)
        assert ".cache/" not in text and ".mypy_cache" not in text, f"{file}:{name}"
    saving = {(file, name) for file, name, *_ in _main_saving_jobs()}
    assert not saving & {(file, name) for file, name, *_ in deploying}


def test_the_key_model_tells_apart_keys_a_run_would_compute_differently() -> None:
    """The resolution the key test relies on: a different script, input or hashed file list is a
    different key; the same step in two jobs is the same key."""
    step = {"id": "k", "run": "echo key=x", "env": {"H": "${{ hashFiles('a', 'b') }}"}}
    job = {"steps": [step]}
    same = {"steps": [dict(step)]}
    other_files = {"steps": [{**step, "env": {"H": "${{ hashFiles('a') }}"}}]}
    other_script = {"steps": [{**step, "run": "echo key=y"}]}
    workflow: dict[str, Any] = {"jobs": {}}
    key = "c-${{ steps.k.outputs.key }}"
    assert _resolve(key, job, workflow) == _resolve(key, same, workflow)
    assert _resolve(key, job, workflow) != _resolve(key, other_files, workflow)
    assert _resolve(key, job, workflow) != _resolve(key, other_script, workflow)
    assert _resolve("${{ runner.os }}", job, workflow) != _resolve("${{ hashFiles('a') }}", job, workflow)
    upstream = {"outputs": {"e": "${{ steps.k.outputs.key }}"}, "steps": [step]}
    downstream = {"needs": "up", "steps": []}
    assert _resolve("${{ needs.up.outputs.e }}", downstream, {"jobs": {"up": upstream}}) == _resolve(
        "${{ steps.k.outputs.key }}", job, workflow
    )
    with pytest.raises(AssertionError):
        _resolve("${{ github.sha }}", job, workflow)


UV_CACHE = "<uv's package cache: astral-sh/setup-uv>"
"""setup-uv's own cache (restored in its step, saved in its post step when the job passed), keyed
by the lock files and the Python version: not by the runner image, unlike the environment."""


def _setup_uv_cache(step: dict[str, Any], switch: str) -> bool:
    """Whether a setup-uv step restores (``restore-cache``) or saves (``save-cache``) uv's cache:
    ``enable-cache`` is on unless literally false (its default, ``auto``, is on for GitHub's runners;
    an expression may be either), and each switch defaults on."""
    settings = step.get("with", {})
    off = (False, "false")
    return settings.get("enable-cache", "auto") not in off and settings.get(switch, True) not in off


def _cache_paths(job: dict[str, Any], workflow: dict[str, Any], operation: str) -> set[str]:
    """The paths a job's cache steps ``restore`` or ``save``: actions/cache's ``<operation>`` action,
    actions/cache itself (both), and setup-uv's own cache (its ``<operation>-cache`` switch)."""
    steps = _steps(job, f"actions/cache/{operation}@") + _steps(job, "actions/cache@")
    paths = {path for step in steps for path in _paths(step, job, workflow)}
    if any(_setup_uv_cache(step, f"{operation}-cache") for step in _steps(job, "astral-sh/setup-uv@")):
        paths.add(UV_CACHE)
    return paths


def _cache_reads(job: dict[str, Any], workflow: dict[str, Any]) -> set[str]:
    return _cache_paths(job, workflow, "restore")


def _cache_writes(job: dict[str, Any], workflow: dict[str, Any]) -> set[str]:
    return _cache_paths(job, workflow, "save")


def test_the_cache_model_sees_setup_uvs_own_cache() -> None:
    """The reads and writes the test below compares, on the forms the workflows use."""
    workflow: dict[str, Any] = {"jobs": {}}
    uv = "astral-sh/setup-uv@v6"
    built = {
        "steps": [{"uses": uv, "with": {"enable-cache": "${{ steps.restore.outputs.cache-hit != 'true' }}"}}]
    }
    assert _cache_reads(built, workflow) == _cache_writes(built, workflow) == {UV_CACHE}
    assert _cache_reads({"steps": [{"uses": uv}]}, workflow) == {UV_CACHE}, "enable-cache: auto"
    for off in ({"enable-cache": False}, {"enable-cache": "false"}):
        assert not _cache_reads({"steps": [{"uses": uv, "with": off}]}, workflow)
    read_only = {"steps": [{"uses": uv, "with": {"save-cache": False}}]}
    assert _cache_reads(read_only, workflow) == {UV_CACHE} and not _cache_writes(read_only, workflow)
    venv = {"steps": [{"uses": "actions/cache@v4", "with": {"path": ".venv"}}]}
    assert _cache_reads(venv, workflow) == _cache_writes(venv, workflow) == {".venv"}


def test_the_jobs_saving_on_main_write_no_cache_a_deploying_job_restores() -> None:
    """What a deploy restores from main's scope has one writer, deploy.yml's own stacks job, whose
    runs queue and are never cancelled: the environment, and uv's package cache it is built from.
    A second writer in a workflow that runs the tests could save them after test code ran (setup-uv
    saves uv's cache in its post step, after `make test`), and would race the deploy for the
    environment's key on every change of the lock: the loser's save is refused as "another job may
    be creating this cache", and a save cancelled between reserving the key and finishing its upload
    leaves the key reserved with no cache, so every deploy job builds its own environment."""
    read_by_deploys: set[str] = set()
    for file, _, job, workflow in _all_jobs():
        if _deploys_or_publishes(file, job):
            read_by_deploys |= _cache_reads(job, workflow)
    assert {ENVIRONMENT, UV_CACHE} <= read_by_deploys, "the premise: a deploy restores both"
    for file, name, job, workflow in _main_saving_jobs():
        written = _cache_writes(job, workflow)
        assert not written & read_by_deploys, f"{file}:{name} saves {written & read_by_deploys}"


def test_a_run_saving_on_main_is_never_cancelled_halfway() -> None:
    """GitHub reserves a cache's key before the upload and commits it after: a save cancelled in
    between (a newer push cancelling the run in progress) leaves the key reserved with no cache, and
    every later save of it is refused, for hours. A docs-only push computes the same keys, and
    mypy's key changes only with the lock: so runs that save on main queue instead (a burst of
    pushes still runs the newest only: GitHub keeps one pending run per group)."""
    for file, name, _, workflow in _main_saving_jobs():
        concurrency = workflow.get("concurrency")
        assert concurrency, f"{file}: runs of successive pushes would save the same keys at once"
        assert "github.ref" in concurrency["group"], file
        assert concurrency["cancel-in-progress"] is False, f"{file}:{name} can be cancelled mid-save"
