"""bin/plan exits with the planner's own status, and `make plan FORMAT=json` writes nothing but JSON.

Each stack file is built here, and the cases run real processes: the exit status CI reads is the
process's, not a function's return value. bin/plan ``exec``s the planner, so its status is the
planner's: a clean plan (0), an invalid stack file (2) and bad arguments (3) run real processes;
a violation (1) is the planner's ``main`` in this process (one real plan per status of bin/plan
would add half a CPU-second of imports to a first run; ``make plan`` after a lock change plans a
violation through bin/plan in a real process below). Each run's status and streams are a pure function of the
code (bin/, the Makefile, uv.lock...), this module, tests/bin/sandbox.py, the stack file's bytes,
the arguments and the machine (PATH, HOME, uv's environment and the tools the scripts run, uv and
make among them: tests.bin.sandbox.machine_key), so each is run once per version of them
(tests.recorded.computed_once): in a fresh process on the first run of the code, read back by later
runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.__main__ import EXIT_FAILED, main
from stacks.config import CONFIG_KEY
from tests.bin.sandbox import PIP_STDOUT, UV_SYNC_STDERR, UV_SYNC_STDOUT, machine_key, make_sandbox
from tests.conftest import REPO, load_stack_document
from tests.recorded import computed_once
from tests.yaml_text import dump_document

BIN_PLAN = REPO / "bin" / "plan"
TMP = "@TMP@"
"""In a run's arguments and output: the empty temporary folder of the run's own that holds its
stack file (and, for make, its sandbox)."""


def _stack_text(base: str, edit: Callable[[dict], None]) -> str:
    """A variant of a fixture stack file, ``edit`` mutating its ``mlops-platform:platform`` dict."""
    document = load_stack_document(base)  # the caller's own copy
    edit(document["config"][CONFIG_KEY])
    return dump_document(document)


def _untmp(text: str, folder: str) -> str:
    return text.replace(folder, TMP)


def _bin_plan(
    name: str, *args: str, stack: tuple[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """bin/plan ``args`` in a real process, run once per version of the code, this module, the
    arguments, ``stack`` (its file name and text, written in ``TMP``) and the machine
    (:func:`tests.bin.sandbox.machine_key`). A run killed by a signal raises and is not kept."""

    def run() -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="bin-plan-") as folder:
            if stack is not None:
                Path(folder, stack[0]).write_text(stack[1])
            # UV_OFFLINE: should the environment need a sync, it comes from uv's cache, never the network.
            result = subprocess.run(
                [str(BIN_PLAN), *(arg.replace(TMP, folder) for arg in args)],
                cwd=REPO,
                env={**os.environ, "UV_OFFLINE": "1"},
                capture_output=True,
                text=True,
                check=False,
            )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
        return subprocess.CompletedProcess(
            result.args, result.returncode, _untmp(result.stdout, folder), _untmp(result.stderr, folder)
        )

    return computed_once(name, run, key=[*args, *(stack or ()), *machine_key()])


def _unprotected(platform: dict) -> None:
    platform["protect_stateful_resources"] = False


def _small(platform: dict) -> None:
    """The fixture stack without its feature groups, model families, endpoints and DVC remote (and
    the approval dispatch, which needs a family): its network, buckets, keys, roles, alerts and
    budget, about 100 resources. These tests are about the exit status and the streams of bin/plan
    and make, not the graph: a real plan of a smaller stack proves them, for half the CPU of the
    prod fixture's (tests/planner and tests/stacks plan the fixtures themselves)."""
    for key in ("feature_groups", "models", "endpoints"):
        platform[key] = []
    for key in ("dvc_remote", "delivery"):
        platform.pop(key, None)


def _small_unprotected(platform: dict) -> None:
    _small(platform)
    _unprotected(platform)


def test_bin_plan_is_an_executable_bash_script() -> None:
    assert os.access(BIN_PLAN, os.X_OK)
    text = BIN_PLAN.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text


def test_a_clean_stack_file_exits_0_with_the_json_plan_on_stdout() -> None:
    stack = ("Pulumi.clean.yaml", _stack_text("dev", _small))

    result = _bin_plan("clean", "--config", f"{TMP}/Pulumi.clean.yaml", "--format", "json", stack=stack)

    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["stack"] == "clean" and plan["summary"]["mandatory_violations"] == 0


def test_a_mandatory_policy_violation_exits_1(cached_recordings, tmp_path, capsys) -> None:
    # The planner's main in this process, the offline recording shared (tests.recorded); bin/plan
    # execs the planner, whose status reaches the caller as the real processes here show for 0, 2, 3.
    path = tmp_path / "Pulumi.variant.yaml"
    path.write_text(_stack_text("prod", _small_unprotected))

    status = main(["--config", str(path), "--format", "json"])

    captured = capsys.readouterr()
    assert status == 1, captured.err
    plan = json.loads(captured.out)
    mandatory = {v["policy_name"] for v in plan["violations"] if v["enforcement_level"] == "mandatory"}
    assert "stateful-resources-protected" in mandatory


def test_an_invalid_stack_file_exits_2_naming_the_file_and_the_key() -> None:
    stack = (
        "Pulumi.variant.yaml",
        _stack_text("dev", lambda platform: platform.update(environment="production")),
    )
    path = f"{TMP}/Pulumi.variant.yaml"

    result = _bin_plan("invalid", "--config", path, "--format", "json", stack=stack)

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{path}: mlops-platform:platform.environment: Input should be" in result.stderr


def test_bad_arguments_exit_3_not_2() -> None:
    result = _bin_plan("bad-arguments", "--format", "yaml")

    assert result.returncode == EXIT_FAILED
    assert "invalid choice: 'yaml'" in result.stderr


# -- machine output: set-up noise never reaches stdout ---------------------------------------------


@dataclass(frozen=True)
class MakeRun:
    """``make plan CONFIG=... FORMAT=json`` in a sandbox (tests/bin/sandbox.py): the process's status
    and streams, the stand-ins' calls, and the set-up stamp's and uv.lock's modification times after
    it (None: no stamp)."""

    result: subprocess.CompletedProcess[str]
    calls: list[str]
    stamp_mtime: float | None
    lock_mtime: float


def _make_plan(name: str, stack: tuple[str, str], *, lock_changed: bool = False) -> MakeRun:
    """``make plan`` of ``stack`` (its file name and text) in a fresh sandbox: a machine without uv
    and a clone without .venv; or, ``lock_changed``, uv on the PATH and a .venv synced for an
    earlier pyproject.toml and uv.lock. Run once per version of the code, this module, the sandbox,
    ``stack`` and the machine the sandbox links its tools from (:func:`tests.bin.sandbox.machine_key`)
    (tests.recorded.computed_once); a run killed by a signal raises and is not kept."""

    def run() -> MakeRun:
        with tempfile.TemporaryDirectory(prefix="make-plan-") as folder:
            sandbox = make_sandbox(Path(folder) / "machine")
            stamp = sandbox.repo / ".venv" / ".synced"
            if lock_changed:
                sandbox.put_uv_on_path()
                (sandbox.repo / ".venv").mkdir()
                stamp.write_text("4242 17\n")  # the checksum of an earlier pyproject.toml and uv.lock
                lock_time = (sandbox.repo / "uv.lock").stat().st_mtime
                os.utime(stamp, (lock_time - 60, lock_time - 60))
            path = Path(folder) / stack[0]
            path.write_text(stack[1])
            result = sandbox.run("make", "plan", f"CONFIG={path}", "FORMAT=json")
            assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
            return MakeRun(
                subprocess.CompletedProcess(
                    result.args,
                    result.returncode,
                    _untmp(result.stdout, folder),
                    _untmp(result.stderr, folder),
                ),
                [_untmp(call, folder) for call in sandbox.calls],
                stamp.stat().st_mtime if stamp.exists() else None,
                (sandbox.repo / "uv.lock").stat().st_mtime,
            )

    return computed_once(name, run, key=[*stack, str(lock_changed), *machine_key()])


def _set_up_noise_went_to_stderr(result: subprocess.CompletedProcess[str], *noise: str) -> None:
    for line in noise:
        assert line in result.stderr and line not in result.stdout


def test_make_plan_json_on_a_fresh_clone_of_a_machine_without_uv_is_only_json() -> None:
    # No uv anywhere and no .venv: the set-up makes .tools/uv-venv, pip installs uv, uv syncs.
    run = _make_plan("fresh-clone", ("Pulumi.fresh.yaml", _stack_text("dev", _small)))
    result = run.result

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stack"] == "fresh"
    _set_up_noise_went_to_stderr(result, PIP_STDOUT, UV_SYNC_STDOUT, UV_SYNC_STDERR)
    assert [call.split(" ", 2)[:2] for call in run.calls] == [
        ["python3", "-m"],  # venv
        ["venv-python", "-m"],  # pip install uv
        ["uv", "python"],  # find: the new .venv's interpreter (bin/pick_python.py)
        ["uv", "sync"],
        ["uv", "run"],
    ]


def test_make_plan_json_after_a_lock_change_is_only_json() -> None:
    # uv on the PATH, and a .venv whose stamp is older than uv.lock and holds another checksum.
    run = _make_plan(
        "lock-change", ("Pulumi.broken.yaml", _stack_text("prod", _small_unprotected)), lock_changed=True
    )
    result = run.result

    assert result.returncode != 0, "make reports the violation as a failure (its own status)"
    assert json.loads(result.stdout)["summary"]["mandatory_violations"] > 0
    _set_up_noise_went_to_stderr(result, UV_SYNC_STDOUT, UV_SYNC_STDERR)
    assert [call.split(" ")[:2] for call in run.calls] == [["uv", "sync"], ["uv", "run"]]
    assert run.stamp_mtime is not None and run.stamp_mtime > run.lock_mtime
