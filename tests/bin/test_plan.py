"""bin/plan exits with the planner's own status, and `make plan FORMAT=json` writes nothing but JSON.

Each stack file is built here (tmp_path), and each case runs real processes: the exit status CI
reads is the process's, not a function's return value.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from planner.__main__ import EXIT_FAILED
from tests.bin.sandbox import PIP_STDOUT, UV_SYNC_STDERR, UV_SYNC_STDOUT, Sandbox, make_sandbox
from tests.conftest import REPO

BIN_PLAN = REPO / "bin" / "plan"


def _bin_plan(*args: str) -> subprocess.CompletedProcess[str]:
    # UV_OFFLINE: should the environment need a sync, it comes from uv's cache, never the network.
    return subprocess.run(
        [str(BIN_PLAN), *args],
        cwd=REPO,
        env={**os.environ, "UV_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )


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


def test_a_clean_stack_file_exits_0_with_the_json_plan_on_stdout(write_stack) -> None:
    path = write_stack("dev", _small, name="Pulumi.clean.yaml")

    result = _bin_plan("--config", str(path), "--format", "json")

    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["stack"] == "clean" and plan["summary"]["mandatory_violations"] == 0


def test_a_mandatory_policy_violation_exits_1(write_stack) -> None:
    path = write_stack("prod", _small_unprotected)

    result = _bin_plan("--config", str(path), "--format", "json")

    assert result.returncode == 1, result.stderr
    plan = json.loads(result.stdout)
    mandatory = {v["policy_name"] for v in plan["violations"] if v["enforcement_level"] == "mandatory"}
    assert "stateful-resources-protected" in mandatory


def test_an_invalid_stack_file_exits_2_naming_the_file_and_the_key(write_stack) -> None:
    path = write_stack("dev", lambda platform: platform.update(environment="production"))

    result = _bin_plan("--config", str(path), "--format", "json")

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{path}: mlops-platform:platform.environment: Input should be" in result.stderr


def test_bad_arguments_exit_3_not_2() -> None:
    result = _bin_plan("--format", "yaml")

    assert result.returncode == EXIT_FAILED
    assert "invalid choice: 'yaml'" in result.stderr


# -- machine output: set-up noise never reaches stdout ---------------------------------------------


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    return make_sandbox(tmp_path / "machine")


def _set_up_noise_went_to_stderr(result: subprocess.CompletedProcess[str], *noise: str) -> None:
    for line in noise:
        assert line in result.stderr and line not in result.stdout


def test_make_plan_json_on_a_fresh_clone_of_a_machine_without_uv_is_only_json(sandbox, write_stack) -> None:
    # No uv anywhere and no .venv: the set-up makes .tools/uv-venv, pip installs uv, uv syncs.
    path = write_stack("dev", _small, name="Pulumi.fresh.yaml")

    result = sandbox.run("make", "plan", f"CONFIG={path}", "FORMAT=json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stack"] == "fresh"
    _set_up_noise_went_to_stderr(result, PIP_STDOUT, UV_SYNC_STDOUT, UV_SYNC_STDERR)
    assert [call.split(" ", 2)[:2] for call in sandbox.calls] == [
        ["python3", "-m"],  # venv
        ["venv-python", "-m"],  # pip install uv
        ["uv", "sync"],
        ["uv", "run"],
    ]


def test_make_plan_json_after_a_lock_change_is_only_json(sandbox, write_stack) -> None:
    sandbox.put_uv_on_path()
    (sandbox.repo / ".venv").mkdir()
    stamp = sandbox.repo / ".venv" / ".synced"
    stamp.write_text("4242 17\n")  # the checksum of an earlier pyproject.toml and uv.lock
    lock_time = (sandbox.repo / "uv.lock").stat().st_mtime
    os.utime(stamp, (lock_time - 60, lock_time - 60))
    path = write_stack("prod", _small_unprotected, name="Pulumi.broken.yaml")

    result = sandbox.run("make", "plan", f"CONFIG={path}", "FORMAT=json")

    assert result.returncode != 0, "make reports the violation as a failure (its own status)"
    assert json.loads(result.stdout)["summary"]["mandatory_violations"] > 0
    _set_up_noise_went_to_stderr(result, UV_SYNC_STDOUT, UV_SYNC_STDERR)
    assert [call.split(" ")[:2] for call in sandbox.calls] == [["uv", "sync"], ["uv", "run"]]
    assert stamp.stat().st_mtime > lock_time
