"""bin/bootstrap-uv: uv from PATH, else a private copy in .tools/uv-venv, never pip on the system python."""

from __future__ import annotations

import os

import pytest

from tests.bin.sandbox import PIP_STDOUT, Sandbox, make_sandbox


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    return make_sandbox(tmp_path)


def _system_python_calls(sandbox: Sandbox) -> list[str]:
    return [call for call in sandbox.calls if call.startswith("python3 ")]


def test_uv_on_path_is_used_as_it_is(sandbox: Sandbox) -> None:
    uv = sandbox.put_uv_on_path()

    result = sandbox.run("bin/bootstrap-uv")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{uv}\n"
    assert sandbox.calls == [], "nothing is installed, no interpreter is run"
    assert not (sandbox.repo / ".tools").exists()


def test_without_uv_it_is_installed_into_a_private_venv_by_that_venvs_pip(sandbox: Sandbox) -> None:
    venv = sandbox.repo / ".tools" / "uv-venv"

    result = sandbox.run("bin/bootstrap-uv")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{venv}/bin/uv\n", "stdout is the path alone"
    assert PIP_STDOUT in result.stderr, "pip's output goes to stderr"
    assert (venv / "bin" / "uv").is_file()
    assert _system_python_calls(sandbox) == [f"python3 -m venv {venv}"]
    [install] = [call for call in sandbox.calls if call.startswith("venv-python ")]
    assert install.startswith("venv-python -m pip install ") and install.endswith(" uv")


def test_the_system_interpreter_never_runs_pip(sandbox: Sandbox) -> None:
    # The stand-in python3 refuses `-m pip` as an externally managed interpreter does (PEP 668);
    # the set-up must not even try.
    assert sandbox.run("bin/bootstrap-uv").returncode == 0
    assert sandbox.run("bin/bootstrap-uv").returncode == 0
    assert not [call for call in _system_python_calls(sandbox) if " pip" in call]


def test_an_existing_private_uv_is_reused(sandbox: Sandbox) -> None:
    first = sandbox.run("bin/bootstrap-uv")
    calls_after_install = len(sandbox.calls)

    second = sandbox.run("bin/bootstrap-uv")

    assert second.returncode == 0
    assert second.stdout == first.stdout
    assert len(sandbox.calls) == calls_after_install, "no second venv, no second pip install"


def test_uv_on_path_wins_over_the_private_copy(sandbox: Sandbox) -> None:
    assert sandbox.run("bin/bootstrap-uv").returncode == 0
    uv = sandbox.put_uv_on_path()

    assert sandbox.run("bin/bootstrap-uv").stdout == f"{uv}\n"


def test_a_python_without_the_venv_module_gets_a_clear_message_and_no_half_made_venv(
    sandbox: Sandbox,
) -> None:
    sandbox.env["NO_VENV_MODULE"] = "1"

    result = sandbox.run("bin/bootstrap-uv")

    assert result.returncode == 1
    assert result.stdout == ""
    assert "python3-venv" in result.stderr and "https://docs.astral.sh/uv/" in result.stderr
    assert not (sandbox.repo / ".tools" / "uv-venv").exists(), "the next run starts afresh"
    assert not [call for call in sandbox.calls if "pip" in call]


def test_bootstrap_syncs_the_environment_once_per_lock_change_and_prints_only_uvs_path(
    sandbox: Sandbox,
) -> None:
    uv = sandbox.put_uv_on_path()

    first = sandbox.run("bin/bootstrap")
    second = sandbox.run("bin/bootstrap")

    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout == f"{uv}\n"
    # A new .venv: uv is asked for its interpreter (bin/pick_python.py; the stand-in finds none).
    assert sandbox.calls == ["uv python find --system", "uv sync --locked"], (
        "the second run finds the stamp fresh"
    )
    assert (sandbox.repo / ".venv" / ".synced").exists()


def test_an_environment_restored_under_a_fresh_checkout_is_found_ready_until_the_lock_changes(
    sandbox: Sandbox,
) -> None:
    # CI restores .venv (stamp included) from a cache saved by an earlier job, under a checkout whose
    # files are all newer than that stamp: the stamp's checksum, not mtimes, says it is ready.
    sandbox.put_uv_on_path()
    assert sandbox.run("bin/bootstrap").returncode == 0
    stamp = sandbox.repo / ".venv" / ".synced"
    synced = stamp.stat().st_mtime
    for name in ("pyproject.toml", "uv.lock"):
        os.utime(sandbox.repo / name, (synced + 3600, synced + 3600))

    restored = sandbox.run("bin/bootstrap")

    assert restored.returncode == 0, restored.stderr
    assert sandbox.calls == ["uv python find --system", "uv sync --locked"], (
        "the restored environment is not synced again"
    )

    with (sandbox.repo / "uv.lock").open("a") as lock:
        lock.write("\n# a dependency changed\n")
    changed = sandbox.run("bin/bootstrap")

    assert changed.returncode == 0, changed.stderr
    assert sandbox.calls == ["uv python find --system", "uv sync --locked", "uv sync --locked"], (
        "a changed lock syncs again, on the environment's own interpreter"
    )
