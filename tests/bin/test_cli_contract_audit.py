"""Command-line contract audit: every documented command, as an adopting team's CI and engineers run it.

Each command was run (in subprocesses and in-process ``main``) against what README.md, docs/*.md,
its own docstring and ``--help``, the Makefile and the workflows say: exit codes (0 / a verdict /
bad input / no verdict), machine-readable output on stdout alone, bad input naming the file and
the key with nothing created, and a missing file, a directory, an empty, a non-UTF-8 and a
non-map file, an unknown flag, a bad ``--format``, a stack name with path characters, a stack
file named like a sample, an interrupted write. 76 cases in 27 tests; 29 cases fail on the code
before this audit (13ebb87) and pass now, 47 hold what already held.

Commands checked (18)

| command | found | now |
|---|---|---|
| bin/plan, python -m planner | outside the repo root: system Python, `No module named planner`, exit 1 (= violation); JSON streamed, so a failure half-way left half a document | exit 3 with where to run it; JSON encoded whole first |
| make plan | CONFIG/STACK/FORMAT/REGISTRY unquoted: a path with a space split in two | quoted |
| make verify, python -m delivery.verify | a crash, or a `--summary-file` it cannot append to, exited 1 (= a FAIL); `--interval -1`/`nan` failed in time.sleep after the checks; a bad stack file imported the recorder and program first (writing `.cache/provider-import-index`); CONFIG unquoted | 2 with the traceback or one line; usage error; file validated first; quoted |
| python -m delivery.stacks (both workflows' first job) | a usage error exited 2 (= invalid stack file), which pull-request.yml lets through, then every job failed on `fromJSON('')`; a crash exited 1 | 3 (nothing listed) |
| python -m pipelines.promotion | a crash exited 1 (= Rejected) | 2 with the traceback |
| python -m delivery.promote status/deploy | a crash exited 1 (documented: 0 or 2) | 2 |
| stack files (every command) | `Pulumi.my stack.yaml`, `team:a`, 101 characters, `$`, backticks: names `pulumi stack init` refuses were planned and listed for preview/deploy | an invalid stack file (2) naming the file |
| python -m stacks.reference / stacks.component_reference | any argument but `--write` (`--check`, `--wirte`, even `--help`) printed the block and exited 0; `--write` rewrote the page in place | usage error 2; written beside and renamed |
| python -m delivery.plan_summary | as documented (cut JSON + status 3: no verdict; non-UTF-8 text shown) | held |
| python -m tests.recorded --cache-dir | one relative line on stdout, as pull-request.yml reads it | held |
| python -m tests.recorded --recording-fingerprint (2026-12-06) | one hex line on stdout, as both workflows key main's graphs by it; no flag, or both, a usage error (2) | new |
| python -m components.component_package, policies.taggable_types, planner.readme (make diagram) | usage errors 2, nothing on stdout | held |
| make help and the pages | every `.PHONY` target has help; every `make X` the pages name exists | held |
| flags the pages and workflows pass (bin/plan, 12 `python -m` commands, VERIFY_ARGS) | every one is real | held |
| bench/run.py | `--strict` (exit 1, make's 2) was on no page | documented (docs/performance.md) |
| delivery.stacks `--stacks-dir` | real, on no page | documented (docs/ci-cd.md) |
| .ci/run, bin/bootstrap, bin/bootstrap-uv | read: `make test`'s status passes through; set-up output on stderr (tests/bin/test_bootstrap_uv.py, test_plan.py hold it) | no change |
| .github/workflows/pull-request.yml, deploy.yml | call the commands as docs/ci-cd.md says and parse stdout only (`> plan.json`, `>> $GITHUB_OUTPUT`, `$(...)`); the plan text job keeps stdout+stderr on purpose | held (the `stacks` step is run here with a shim) |

Counts: 8 fixes (8 "Fix: ..." commits, each with a CHANGELOG `### Fixed:` entry; the first covers
three commands' crash status and verify's `--summary-file` and `--interval`), the docs they
changed with them (docs/ci-cd.md: delivery.stacks' 3 and bin/plan's 3; docs/configuration.md: the
stack name rule), 2 docs-only commits (`--strict` with make's 2, `--stacks-dir`), and 2 existing
tests updated to the fixed contract (test_workflows.py compares make verify's argv as the shell
splits it; test_promotion_glue_mutation_audit.py: a 101-character stack name is refused when read).

Left alone, and why:

- `--stack ../x` is looked up as `stacks/Pulumi.../x.yaml` and reported missing by that path (2).
  Not narrowed further: `--config` takes any path, so `--stack` reaches nothing more.
- `planner.readme`, `component_package --write`, `taggable_types --write` and `bench/run.py --json`
  still write in place: generated, tracked files (a cut one shows in `git diff` and fails its
  freshness test) or a side file of a bench run.
  (Since fixed: each is replaced whole, planner.readme only once both pages can be,
  tests/bin/test_generator_writes.py.)
- `delivery.verify --summary-file` appends in one write; an interrupted append can leave part of
  the table in GitHub's step summary of a job that is failing anyway.
- `bench/package_sizes.py` takes no arguments and ignores any: a measurement script with no
  machine-readable contract.
- `delivery.promote deploy` prints `$ gh ...` on stdout: human output, no machine contract.
  (Since fixed: on stderr, tests/delivery/test_promote.py.)
- `delivery.stacks` reads `Pulumi.*.yaml` only; a `.yml` stack file is not listed (Pulumi reads
  `Pulumi.<stack>.yaml`). (Since fixed: every command refuses one by name,
  tests/stacks/test_yml_stack_files.py.)
- The planner ends with `os._exit`, past atexit, so its "no heavy import on a bad file" is held by
  its own tests (tests/planner/test_config_first.py), not by the import report here.
- README.md is unchanged (19,908 bytes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, stack_path
from tests.recorded import computed_once

PYTHON = sys.executable
VERSION = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/3"


def _python_m(
    module: str, *args: str, prelude: str = "", cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` in a real process (the exit status CI reads), after ``prelude``: a
    few lines that break something the command calls, to see how a crash ends. The module runs as
    ``__main__`` through runpy, exactly as ``-m`` runs it."""
    code = "\n".join(
        [
            "import runpy, sys",
            textwrap.dedent(prelude),
            f"sys.argv = [{module!r}, *{list(args)!r}]",
            f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)",
        ]
    )
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(
        [PYTHON, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
    )


TMP = "@TMP@"
"""In :func:`_python_m_once`'s arguments and output: an empty temporary folder of the run's own."""


def _python_m_once(name: str, module: str, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """:func:`_python_m` for a run whose output is a pure function of the code, this module and its
    arguments: run once per version of them (tests.recorded.computed_once, whose key holds the
    code's fingerprint, delivery/ and pipelines/ included). ``TMP`` in
    the arguments is an empty temporary folder made for the run, and reads ``TMP`` again in its
    output. A run killed by a signal (or timed out) raises and is not kept."""

    def run() -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="cli-contract-") as folder:
            result = _python_m(module, *(arg.replace(TMP, folder) for arg in args), prelude=prelude)
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
        return subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.replace(folder, TMP),
            result.stderr.replace(folder, TMP),
        )

    return computed_once(name, run, key=[module, *args, prelude])


def _main_in_process(
    module: str, *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    """``python -m module args`` in this process: the module runs as ``__main__`` through runpy, as
    ``-m`` runs it, and its ``SystemExit`` is caught. For crash statuses, which do not depend on a
    fresh interpreter (monkeypatch breaks what the ``prelude`` of :func:`_python_m` breaks); each
    entry point keeps one real process for its ``__main__`` wiring and the status a process ends
    with (this file's import reports for delivery.verify and delivery.promote, the workflow step
    runs for delivery.stacks, the promotion gate's crash). Returns the exit code, stdout, stderr."""
    import runpy

    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(sys, "argv", [module, *args])
    # As in a fresh `python -m`, the module is not imported yet when it runs as __main__ (runpy warns
    # otherwise); the worker's own copy comes back after the test.
    monkeypatch.delitem(sys.modules, module, raising=False)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def _crash(*args, **kwargs):
    raise RuntimeError("a bug past the argument checks")


_BOTO3_CRASHES = """
import boto3
def _crash(*args, **kwargs):
    raise RuntimeError("a bug past the argument checks")
boto3.client = _crash
"""


# --- pipelines.promotion: 0 Approved, 1 Rejected, 2 cannot judge ------------------------------------


def test_promotion_that_crashes_is_cannot_judge_not_rejected() -> None:
    """A failure the gate does not expect (here: making the client) exits 2, with its traceback;
    Python's own 1 would read as Rejected to the pipeline step or job that runs it. (A real
    process, the gate's only one: once per version of the code, _python_m_once.)"""
    result = _python_m_once(
        "promotion-crash",
        "pipelines.promotion",
        *("--stack-file", str(stack_path("dev")), "--model", "customer-churn", "--package-arn", VERSION),
        prelude=_BOTO3_CRASHES,
    )

    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "RuntimeError: a bug past the argument checks" in result.stderr
    assert "promotion failed" in result.stderr.splitlines()[-1]


def test_promote_status_that_crashes_exits_2_not_1(monkeypatch, capsys) -> None:
    import boto3

    monkeypatch.setattr(boto3, "client", _crash)

    code, out, err = _main_in_process(
        "delivery.promote",
        "status",
        "--stack-file",
        str(stack_path("dev")),
        monkeypatch=monkeypatch,
        capsys=capsys,
    )

    assert code == 2, err
    assert out == ""
    assert "RuntimeError: a bug past the argument checks" in err


# --- delivery.verify (make verify): 0 passed, 1 a FAIL, 2 could not run ------------------------------


def test_verify_that_crashes_could_not_run_rather_than_failed_a_check(monkeypatch, capsys) -> None:
    import stacks.stack_file

    monkeypatch.setattr(stacks.stack_file, "read_stack_file", _crash)

    code, out, err = _main_in_process(
        "delivery.verify", "--stack-file", str(stack_path("dev")), monkeypatch=monkeypatch, capsys=capsys
    )

    assert code == 2, err
    assert out == ""
    assert "RuntimeError: a bug past the argument checks" in err


def test_verify_summary_file_it_cannot_append_to_is_could_not_run(monkeypatch, tmp_path, capsys) -> None:
    """CI passes $GITHUB_STEP_SUMMARY; a path it cannot append to (here a directory) is one line on
    stderr and 2, not an IsADirectoryError traceback and Python's 1 (a FAIL)."""
    from delivery import verify
    from delivery.checks import Result

    passed = Result("endpoint", "dev-churn", "InService", "InService", "ok")
    monkeypatch.setattr(verify, "verify", lambda *args, **kwargs: [passed])

    code = verify.main(["--stack-file", str(stack_path("dev")), "--summary-file", str(tmp_path)])

    captured = capsys.readouterr()
    assert code == verify.EXIT_CANNOT_RUN
    assert "1 checks: 1 ok, 0 failed" in captured.out
    assert (
        captured.err.startswith("--summary-file: cannot append the report:") and str(tmp_path) in captured.err
    )


@pytest.mark.parametrize("interval", ["-1", "nan", "inf"])
def test_verify_refuses_an_interval_time_sleep_would_refuse_after_the_checks(interval, capsys) -> None:
    from delivery import verify

    with pytest.raises(SystemExit) as exit_info:
        verify.main(["--stack-file", str(stack_path("dev")), "--attempts", "2", "--interval", interval])

    assert exit_info.value.code == 2
    assert "--interval must be a number of seconds" in capsys.readouterr().err


# --- delivery.stacks (the workflows' first job): 0, 2 invalid stack file, 3 bad arguments or a crash --


def _workflow_step(workflow: str, job: str, step_id: str) -> str:
    import yaml

    document = yaml.safe_load((REPO / ".github" / "workflows" / workflow).read_text())
    return next(step["run"] for step in document["jobs"][job]["steps"] if step.get("id") == step_id)


def test_stacks_usage_error_is_3_with_nothing_on_stdout(monkeypatch, capsys) -> None:
    code, out, err = _main_in_process(
        "delivery.stacks", "--github-outptu", monkeypatch=monkeypatch, capsys=capsys
    )

    assert code == 3, err
    assert out == ""
    assert "unrecognized arguments: --github-outptu" in err


def test_stacks_crash_is_3_with_its_traceback(monkeypatch, capsys) -> None:
    import stacks.stack_file

    monkeypatch.setattr(stacks.stack_file, "read_stack_file", _crash)

    code, out, err = _main_in_process(
        "delivery.stacks", "--github-output", monkeypatch=monkeypatch, capsys=capsys
    )

    assert code == 3, err
    assert out == ""
    assert "RuntimeError: a bug past the argument checks" in err


def _stacks_step_once(
    name: str, shim: str, stack_files: dict[str, str] | None
) -> tuple[int, str, str | None]:
    """pull-request.yml's `stacks` step (`list`) run by ``bash -e`` after ``shim``, with
    ``GITHUB_OUTPUT`` a file of an empty temporary folder of the run's own: in the repository root
    (``stack_files`` None), else in that folder holding ``stack_files`` (relative path: text). Its
    exit status, stderr (the folder read as ``TMP``) and the output file's text (None: not
    written). Run once per version of the code, this module, the step's script, ``shim`` and
    ``stack_files`` (tests.recorded.computed_once, whose key holds the code's fingerprint,
    delivery/ and pipelines/ included). A run killed by a signal raises and is not kept."""
    script = _workflow_step("pull-request.yml", "stacks", "list")

    def run() -> tuple[int, str, str | None]:
        with tempfile.TemporaryDirectory(prefix="stacks-step-") as folder:
            root = Path(folder)
            for relative, text in (stack_files or {}).items():
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text)
            output = root / "github_output"
            result = subprocess.run(
                ["bash", "-e", "-c", shim + script],
                cwd=REPO if stack_files is None else root,
                env={**os.environ, "GITHUB_OUTPUT": str(output)},
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
            written = output.read_text() if output.exists() else None
        return result.returncode, result.stderr.replace(folder, TMP), written

    key = [script, shim, json.dumps(stack_files)]
    return computed_once(name, run, key=key)


def test_the_pull_request_stacks_step_fails_on_a_usage_error_it_would_have_let_through() -> None:
    """pull-request.yml's `stacks` step carries on past status 2 (an invalid stack file: its plan job
    reports it). A usage error (here: a flag the installed code does not know, as after a workflow
    edit) exited 2 as well, so the job passed with no outputs and every later job failed on
    `fromJSON('')`; it exits 3 now and the step fails where the cause is."""
    shim = f'uv() {{ shift 3; {PYTHON!s} "$@" --renamed-flag; }}\n'
    returncode, stderr, output = _stacks_step_once("stacks-step-usage-error", shim, None)

    assert returncode == 3, stderr
    assert output == ""


def test_the_pull_request_stacks_step_lets_an_invalid_stack_file_through_to_its_plan_job() -> None:
    """The other side of the same step: status 2 (here every stack file a copy that fails
    validation) passes the step, and the invalid file is still listed in stack_files for its plan."""
    shim = f'uv() {{ shift 3; {PYTHON!s} "$@"; }}\nexport PYTHONPATH={REPO!s}\n'
    returncode, stderr, output = _stacks_step_once(
        "stacks-step-invalid-file", shim, {"stacks/Pulumi.broken.yaml": "config: 3\n"}
    )

    assert returncode == 0, stderr
    assert "stacks/Pulumi.broken.yaml" in stderr and "config" in stderr
    assert output is not None
    lines = dict(line.split("=", 1) for line in output.splitlines())
    assert json.loads(lines["stack_files"]) == [
        {"stack": "broken", "stack_file": "stacks/Pulumi.broken.yaml"}
    ]
    assert json.loads(lines["stacks"]) == []


# --- stack names: a stack file Pulumi could never deploy, path characters, a sample's name ----------


@pytest.mark.parametrize("stack", ["my stack", "team:a", "s" * 101, "dev$x", "`id`", "$(id)"])
def test_a_stack_file_named_for_a_stack_pulumi_refuses_is_an_invalid_stack_file(
    stack, write_stack, cached_recordings, capsys
) -> None:
    """`pulumi stack init` refuses these names; the plan took them, delivery.stacks listed them for
    preview and deploy (where `pulumi up` failed), and `make verify CONFIG=<file>` split one with a
    space in two (one with backticks would run in its recipe's shell). Reading the file refuses it
    now (2, naming the file), so CI stops at the stack's plan job and no deploy matrix lists it."""
    from planner.__main__ import EXIT_INVALID_CONFIG, main

    path = write_stack("dev", name=f"Pulumi.{stack}.yaml")

    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: <file>: the stack name {stack!r}" in captured.err


def test_delivery_stacks_lists_a_refused_stack_name_for_its_plan_only(tmp_path, write_stack, capsys) -> None:
    from delivery.stacks import main

    write_stack("dev", name="Pulumi.dev.yaml")
    write_stack("dev", name="Pulumi.my stack.yaml")

    assert main(["--stacks-dir", str(tmp_path), "--github-output"]) == 2

    captured = capsys.readouterr()
    outputs = dict(line.split("=", 1) for line in captured.out.splitlines())
    assert [entry["stack"] for entry in json.loads(outputs["stack_files"])] == ["dev", "my stack"]
    assert [entry["stack"] for entry in json.loads(outputs["dev"])] == ["dev"]
    assert "Pulumi.my stack.yaml: <file>: the stack name 'my stack'" in captured.err


@pytest.mark.parametrize("stack", ["../x", "../stacks/Pulumi.dev", "/etc/passwd"])
def test_a_stack_name_with_path_characters_names_the_file_it_looked_for(stack, capsys) -> None:
    from planner.__main__ import EXIT_INVALID_CONFIG, main

    assert main(["--stack", stack, "--format", "json"]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"stacks/Pulumi.{stack}.yaml: invalid configuration (1 problem)\n")
    assert captured.err.rstrip().endswith("<file>: file not found")


# --- the generators of the reference pages: python -m stacks.reference / stacks.component_reference --

_DOCUMENT = "# Title\n\nprose\n\n<!-- b -->\nold block\n<!-- e -->\n\nmore prose\n"


@pytest.mark.parametrize("module", ["stacks.reference", "stacks.component_reference"])
@pytest.mark.parametrize("argument", ["--check", "--wirte"])
def test_a_reference_generator_refuses_an_argument_it_does_not_know(module, argument, capsys) -> None:
    """Both took any argument but ``--write`` as "print the block" and exited 0: ``--check`` in a CI
    step passed whatever the page held."""
    import importlib

    generator = importlib.import_module(module)
    before = generator.BLOCK.document.read_bytes()

    with pytest.raises(SystemExit) as exit_info:
        generator.main([argument])

    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"python -m {module}: error: unrecognized arguments: {argument}" in captured.err
    assert generator.BLOCK.document.read_bytes() == before


def test_an_interrupted_write_leaves_the_page_whole_and_no_partial_file(tmp_path, monkeypatch) -> None:
    from stacks.generated_block import GeneratedBlock

    page = tmp_path / "page.md"
    page.write_text(_DOCUMENT)
    block = GeneratedBlock(page, "<!-- b -->", "<!-- e -->")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        block.main(["--write"], lambda: "new block")

    assert page.read_text() == _DOCUMENT
    assert sorted(path.name for path in tmp_path.iterdir()) == ["page.md"]

    monkeypatch.undo()
    assert block.main(["--write"], lambda: "new block") == 0
    assert page.read_text() == _DOCUMENT.replace("old block", "new block")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["page.md"]


# --- a bad stack file, for every command that takes one ---------------------------------------------


def _bad_stack_file(kind: str, tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.bad.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "latin-1":
        path.write_bytes(
            "config:\n  mlops-platform:platform:\n    tags: {owner: Jos\xe9}\n".encode("latin-1")
        )
    elif kind == "not a map":
        path.write_text("- config\n")
    return path  # "missing": nothing there


_BAD_KINDS = {
    "missing": "file not found",
    "directory": "is not a regular file",
    "empty": "the file is empty",
    "latin-1": "UTF-8",
    "not a map": "a YAML map",
}


def _planner(path: str) -> int:
    from planner.__main__ import main

    return main(["--config", path, "--format", "json"])


def _verify(path: str) -> int:
    from delivery.verify import main

    return main(["--stack-file", path])


def _promote_status(path: str) -> int:
    from delivery.promote import main

    return main(["status", "--stack-file", path])


def _promotion(path: str) -> int:
    from pipelines.promotion import main

    return main(["--stack-file", path, "--model", "customer-churn", "--package-arn", VERSION])


_TAKE_A_STACK_FILE = {
    "planner": _planner,
    "delivery.verify": _verify,
    "delivery.promote status": _promote_status,
    "pipelines.promotion": _promotion,
}


@pytest.mark.parametrize("kind", _BAD_KINDS)
@pytest.mark.parametrize("command", _TAKE_A_STACK_FILE)
def test_a_bad_stack_file_is_2_naming_the_file_with_nothing_on_stdout_or_on_disk(
    command, kind, tmp_path, capsys
) -> None:
    path = _bad_stack_file(kind, tmp_path)
    before = sorted(tmp_path.rglob("*"))

    assert _TAKE_A_STACK_FILE[command](str(path)) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"{path}: invalid configuration (1 problem)\n")
    assert _BAD_KINDS[kind] in captured.err
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("kind", [kind for kind in _BAD_KINDS if kind != "missing"])
def test_delivery_stacks_lists_a_bad_stack_file_for_its_plan_and_exits_2(kind, tmp_path, capsys) -> None:
    from delivery.stacks import main

    path = _bad_stack_file(kind, tmp_path)

    assert main(["--stacks-dir", str(tmp_path)]) == 2

    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["stack_files"] == [{"stack": "bad", "stack_file": str(path)}]
    assert document["stacks"] == []
    assert captured.err.startswith(f"{path}: invalid configuration (1 problem)\n")
    assert _BAD_KINDS[kind] in captured.err


# `import planner` installs the lazy provider imports, whose first import of a provider module
# writes its index under the checkout's .cache/ (planner/lazy_provider_imports.py). Pulumi and
# pulumi-aws: 0.2 CPU-s of a 0.5 CPU-s failure (stacks.model_packages imported them through the
# monitor's module for MonitoringBaselines, now a module of its own).
_HEAVY = ("planner", "planner.recorder", "delivery.checks", "stacks.program", "pulumi", "pulumi_aws")
_REPORT_IMPORTS = f"""
import atexit
atexit.register(lambda: print("heavy imports:", [m for m in {_HEAVY!r} if m in sys.modules], file=sys.stderr))
"""


@pytest.mark.parametrize(
    ("module", "args"),
    [("delivery.verify", ("--stack-file",)), ("delivery.promote", ("status", "--stack-file"))],
)
def test_a_missing_stack_file_fails_before_the_recorder_and_the_program_are_imported(module, args) -> None:
    """Importing the planner, the recorder and the program writes the provider import index under
    the checkout's .cache/ and takes a second or two: `make verify` with a mistyped CONFIG did both
    before saying the file was not there. (The planner checks the file first too; it ends
    with os._exit, past atexit, so the subprocess cannot report its imports this way.) A fresh
    process, run once per version of the code (_python_m_once)."""
    missing = f"{TMP}/Pulumi.typo.yaml"

    result = _python_m_once("missing-stack-file", module, *args, missing, prelude=_REPORT_IMPORTS)

    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert f"{missing}: <file>: file not found" in result.stderr
    assert "heavy imports: []" in result.stderr


# --- make plan / make verify: the arguments make hands over -----------------------------------------


def _make_dry_run(*arguments: str) -> list[str]:
    """The recipe's last command line as the shell would split it (`make -n` prints the @-silenced
    recipes without running them)."""
    import shlex

    result = subprocess.run(
        ["make", "-n", "--no-print-directory", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return shlex.split(result.stdout.strip().splitlines()[-1])


def test_make_plan_hands_a_config_path_with_a_space_over_as_one_argument() -> None:
    """CONFIG went unquoted into the recipe: `make plan CONFIG="My Stacks/Pulumi.x.yaml"` ran
    `bin/plan --config My Stacks/Pulumi.x.yaml`, a usage error (3, make's 2)."""
    path = "/home/me/My Stacks/Pulumi.x.yaml"

    argv = _make_dry_run("plan", f"CONFIG={path}", "FORMAT=json", "REGISTRY=empty")

    assert argv == ["bin/plan", "--config", path, "--registry", "empty", "--format", "json"]


def test_make_verify_hands_a_config_path_with_a_space_over_as_one_argument() -> None:
    path = "/home/me/My Stacks/Pulumi.x.yaml"

    argv = _make_dry_run("verify", f"CONFIG={path}", "VERIFY_ARGS=--attempts 2")

    assert argv[-6:] == ["-m", "delivery.verify", "--stack-file", path, "--attempts", "2"]


# --- python -m planner --format json: the whole document or nothing ---------------------------------


def test_a_plan_that_fails_to_encode_leaves_stdout_empty_not_half_a_document(monkeypatch, capsys) -> None:
    """json.dump streamed the document as it encoded it: a value that failed half-way (here one
    whose text cannot be made) left `{ "stack": ...` in plan.json with exit 3."""
    import planner.__main__ as cli
    import planner.report

    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text for this value")

    monkeypatch.setattr(cli, "validated_stack_file", lambda path: path)
    monkeypatch.setattr(cli, "build_plan", lambda path, registry: object())
    monkeypatch.setattr(
        planner.report, "to_json", lambda plan: {"stack": "x", "resources": [1, Unprintable()]}
    )

    assert cli.run(["--stack", "dev", "--format", "json"]) == cli.EXIT_FAILED

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "RuntimeError: no text for this value" in captured.err


# --- bin/plan outside the repository root ------------------------------------------------------------


def test_bin_plan_outside_the_repository_root_is_no_verdict_not_a_violation(tmp_path) -> None:
    """From another directory `uv run` found no project and ran the system Python, whose "No module
    named planner" exited 1: a mandatory policy violation to CI. bin/plan says where to run it
    and exits 3 (no verdict), before any set-up, creating nothing there."""
    result = subprocess.run(
        [str(REPO / "bin" / "plan"), "--stack", "dev", "--format", "json"],
        cwd=tmp_path,
        env={**os.environ, "UV_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert f"run it from the repository root: cd {REPO.resolve()}" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- usage errors: every command, its documented status, nothing on stdout ---------------------------


def _cli_main(module: str):  # type: ignore[no-untyped-def]
    import importlib

    imported = importlib.import_module(module)
    return getattr(imported, "main", None) or imported._main


_USAGE_ERRORS = [
    # (module, arguments, the status its documentation gives a usage error)
    ("planner.__main__", ["--bogus"], 3),
    ("planner.__main__", ["--format", "xml"], 3),
    ("planner.__main__", ["--registry", "full"], 3),
    ("planner.__main__", ["--stack", "dev", "--config", "x.yaml"], 3),
    ("delivery.stacks", ["--bogus"], 3),
    ("delivery.verify", ["--stack-file", "x.yaml", "--attempts", "0"], 2),
    ("delivery.verify", [], 2),
    ("delivery.promote", ["bogus"], 2),
    ("delivery.promote", ["status"], 2),
    ("pipelines.promotion", ["--stack-file", "x.yaml", "--model", "m"], 2),
    ("delivery.plan_summary", ["--stack", "dev", "--json", "p.json", "--status", "zero"], 2),
    ("tests.recorded", ["--bogus"], 2),
    ("tests.recorded", [], 2),
    ("tests.recorded", ["--cache-dir", "--recording-fingerprint"], 2),
    ("planner.readme", ["--write"], 2),
    ("policies.taggable_types", ["--write", "--check"], 2),
    ("components.component_package", ["--check"], 2),
]


@pytest.mark.parametrize(
    ("module", "argv", "status"), _USAGE_ERRORS, ids=[f"{m} {' '.join(a)}" for m, a, _ in _USAGE_ERRORS]
)
def test_a_usage_error_exits_with_the_documented_status_and_prints_only_usage_on_stderr(
    module, argv, status, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)  # a command that got past its arguments would write here

    with pytest.raises(SystemExit) as exit_info:
        _cli_main(module)(argv)

    assert exit_info.value.code == status
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage:" in captured.err and "error:" in captured.err
    assert list(tmp_path.iterdir()) == []


# --- a stack file named like a sample, elsewhere ---------------------------------------------------


def _small(platform: dict) -> None:
    """The fixture dev stack without its families, endpoints, feature groups, DVC remote and
    delivery: about 100 resources, enough for what the plan reads from the file."""
    for key in ("feature_groups", "models", "endpoints"):
        platform[key] = []
    for key in ("dvc_remote", "delivery"):
        platform.pop(key, None)
    platform["tags"] = {**platform["tags"], "owner": "team-elsewhere"}


def test_a_stack_file_named_like_a_sample_plans_that_file_not_the_sample(
    write_stack, cached_recordings, capsys
) -> None:
    """`--config other/Pulumi.dev.yaml` is the dev stack by name, and it is that file which is
    planned: its source, and its own tags on every resource (the sample's owner is another)."""
    from planner.__main__ import EXIT_OK, main

    path = write_stack("dev", _small, name="Pulumi.dev.yaml")

    assert main(["--config", str(path), "--format", "json"]) == EXIT_OK

    plan = json.loads(capsys.readouterr().out)
    assert (plan["stack"], plan["source"]) == ("dev", str(path))
    owners = {
        r["inputs"]["tags"]["owner"] for r in plan["resources"] if "owner" in r["inputs"].get("tags", {})
    }
    assert owners == {"team-elsewhere"}


# --- make help and the pages agree on the targets ----------------------------------------------------


def test_every_make_target_the_pages_name_is_real_and_every_real_one_is_in_make_help() -> None:
    import re

    helped = subprocess.run(["make", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"^  make (\S+)", helped, re.MULTILINE))
    makefile = (REPO / "Makefile").read_text()
    phony = {
        target for line in re.findall(r"^\.PHONY: (.*)$", makefile, re.MULTILINE) for target in line.split()
    }
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    named = {target for page in pages for target in re.findall(r"`make ([a-z][a-z-]*)", page.read_text())}

    assert phony == listed
    assert named and named <= listed, sorted(named - listed)


# --- every flag the pages and workflows give a command is one it takes -------------------------------

_HELP_OF = {
    "bin/plan": [["planner.__main__", "--help"]],
    "python -m planner": [["planner.__main__", "--help"]],
    "python -m delivery.stacks": [["delivery.stacks", "--help"]],
    "python -m delivery.verify": [["delivery.verify", "--help"]],
    "python -m delivery.promote": [["delivery.promote", c, "--help"] for c in ("status", "deploy")],
    "python -m delivery.plan_summary": [["delivery.plan_summary", "--help"]],
    "python -m pipelines.promotion": [["pipelines.promotion", "--help"]],
    "python -m stacks.reference": [["stacks.reference", "--help"]],
    "python -m stacks.component_reference": [["stacks.component_reference", "--help"]],
    "python -m components.component_package": [["components.component_package", "--help"]],
    "python -m policies.taggable_types": [["policies.taggable_types", "--help"]],
    "python -m tests.recorded": [["tests.recorded", "--help"]],
    "python -m planner.readme": [["planner.readme", "--help"]],
}


def _help_text(calls: list[list[str]], capsys: pytest.CaptureFixture[str]) -> str:
    text = ""
    for module, *argv in calls:
        with pytest.raises(SystemExit) as exit_info:
            _cli_main(module)(argv)
        assert exit_info.value.code == 0
        text += capsys.readouterr().out
    return text


def _documented_flags() -> dict[str, set[str]]:
    """Command → the flags written after it on one line of a page, the Makefile or a workflow (up
    to the end of a code span, a pipe or a redirection)."""
    import re

    sources = [REPO / "README.md", REPO / "Makefile", *sorted((REPO / "docs").glob("*.md"))]
    sources += sorted((REPO / ".github" / "workflows").glob("*.yml"))
    command = re.compile(r"(bin/plan|python -m [a-z_.]+)((?:[^`|>\n])*)")
    flags: dict[str, set[str]] = {}
    for source in sources:
        for name, rest in command.findall(source.read_text().replace("\\\n", " ")):
            if name in _HELP_OF:
                flags.setdefault(name, set()).update(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest))
    # make verify's VERIFY_ARGS go to python -m delivery.verify (deploy.yml).
    for source in sources:
        for arguments in re.findall(r'VERIFY_ARGS="([^"]*)"', source.read_text()):
            flags.setdefault("python -m delivery.verify", set()).update(re.findall(r"--[a-z-]+", arguments))
    return flags


def test_every_flag_the_pages_and_workflows_pass_a_command_is_one_it_takes(capsys) -> None:
    import re

    documented = _documented_flags()
    assert {"bin/plan", "python -m delivery.stacks", "python -m pipelines.promotion"} <= documented.keys()
    assert "--summary-file" in documented["python -m delivery.verify"]

    unknown = set()
    for name, flags in documented.items():
        helped = _help_text(_HELP_OF[name], capsys)
        unknown |= {(name, flag) for flag in flags if not re.search(rf"(?<![\w-]){flag}(?![\w-])", helped)}

    assert unknown == set()


# --- what the pull-request workflow reads from stdout ------------------------------------------------


def test_recorded_cache_dir_prints_one_relative_folder_and_nothing_else() -> None:
    """pull-request.yml: `folder=$(python -m tests.recorded --cache-dir)` becomes a cache path and
    key: one line, relative to the checkout, under .cache/recorded-stacks/. (One real run, shared
    with tests/delivery/test_workflows.py: tests.recorded.cache_dir_command.)"""
    from tests.recorded import cache_dir_command

    returncode, stdout, stderr = cache_dir_command()

    assert returncode == 0, stderr
    [folder] = stdout.splitlines()
    assert folder.startswith(".cache/recorded-stacks/") and not Path(folder).is_absolute()
    assert stdout == folder + "\n"


def test_recorded_recording_fingerprint_prints_one_hex_line_and_nothing_else() -> None:
    """Both workflows: `recording=$(python -m tests.recorded --recording-fingerprint)` becomes the
    key `recorded-graphs-$recording`: one line of hexadecimal digits, nothing else on stdout. (One
    real run, shared with tests/delivery/test_workflows.py's check of its value:
    tests.recorded.recording_fingerprint_command.)"""
    import re

    from tests.recorded import recording_fingerprint_command

    returncode, stdout, stderr = recording_fingerprint_command()

    assert returncode == 0, stderr
    assert re.fullmatch(r"[0-9a-f]{32}\n", stdout), stdout


def test_plan_summary_of_a_cut_json_plan_with_status_3_is_no_verdict_on_stdout_only(tmp_path, capsys) -> None:
    from delivery.plan_summary import main

    plan = tmp_path / "plan-dev.json"
    plan.write_text('{\n  "stack": "dev",\n  "source": "stacks/Pulumi.dev.yaml",\n  "summ')
    text = tmp_path / "plan-dev.txt"
    text.write_bytes(b"Traceback (most recent call last):\n  RuntimeError: \xff boom\n")

    assert main(["--stack", "dev", "--json", str(plan), "--text", str(text), "--status", "3"]) == 0

    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("### Offline plan `dev`: ❌ no verdict: the plan did not run (exit 3)\n")
    assert "RuntimeError: \ufffd boom" in captured.out
