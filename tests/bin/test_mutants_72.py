"""Mutation audit of session 72's interpreter pick (bin/pick_python.py, bin/bootstrap): each test
kills a mutant the earlier tests let live, by a property the pick must keep."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.bin.sandbox import Sandbox
from tests.bin.test_pick_python import (
    DEBIAN,
    DEBIAN_ARGS,
    PYENV,
    _answer,
    _pyenv_first_and_debian,
    _syncs,
    pick,
    sandbox,
)
from tests.conftest import REPO

__all__ = ["sandbox"]  # the fixture, shared with test_pick_python


def _script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_a_candidate_that_fails_is_no_interpreter_even_with_a_good_answer(tmp_path: Path) -> None:
    # An interpreter that prints a well-formed answer and then exits non-zero (a crash at exit,
    # a wrapper that fails) did not answer: the pick must not build on it.
    answer = json.dumps({**_answer(), "executable": "/p/python3"})
    good = _script(tmp_path / "good", f"echo '{answer}'\n")
    failing = _script(tmp_path / "failing", f"echo '{answer}'\nexit 1\n")
    assert pick.probe(good) is not None
    assert pick.probe(failing) is None


def test_a_failing_uv_list_is_no_listing_even_with_output(tmp_path: Path) -> None:
    listing = json.dumps([{"path": "/usr/bin/python3.11"}])
    ok = _script(tmp_path / "uv-ok", f"echo '{listing}'\n")
    failing = _script(tmp_path / "uv-failing", f"echo '{listing}'\nexit 2\n")
    assert pick.installed(ok, None) == ["/usr/bin/python3.11"]
    with pytest.raises(pick.subprocess.CalledProcessError):
        pick.installed(failing, None)


def test_uvs_list_keeps_only_entries_with_a_path(tmp_path: Path) -> None:
    # uv's JSON is a list of objects; anything else in it is skipped, not a crash (a crash would
    # fail the pick, which then keeps uv's choice for a reason nobody can read).
    listing = json.dumps([1, "x", None, {"path": 3}, {"key": "k"}, {"path": "/a/python3"}])
    uv = _script(tmp_path / "uv", f"echo '{listing}'\n")
    assert pick.installed(uv, None) == ["/a/python3"]


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        pytest.param('[project]\nrequires-python = ">=3.11"\n', ">=3.11", id="a-string"),
        pytest.param('[project]\nname = "x"\n', None, id="absent"),
        pytest.param("[tool.x]\ny = 1\n", None, id="no-project"),
    ],
)
def test_requires_python_is_read_as_a_string_or_absent(
    tmp_path: Path, project: str, expected: str | None
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(project)
    assert pick.requires_python(pyproject) == expected


@pytest.mark.parametrize(
    "project",
    [
        pytest.param("[project]\nrequires-python = 311\n", id="a-number"),
        pytest.param('[project]\nrequires-python = [">=3.11"]\n', id="a-list"),
        pytest.param('project = "x"\n', id="project-not-a-table"),
    ],
)
def test_a_malformed_requires_python_is_refused(tmp_path: Path, project: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(project)
    with pytest.raises(ValueError, match=r"pyproject\.toml"):
        pick.requires_python(pyproject)


@pytest.mark.parametrize(
    "argv", [["pick_python.py"], ["pick_python.py", "uv"], ["pick_python.py", "uv", "p", "x"]]
)
def test_a_wrong_number_of_arguments_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert pick.main(argv) == 2
    out = capsys.readouterr()
    assert out.out == "" and "usage: pick_python.py UV PYTHON" in out.err


def test_the_budget_the_docs_state_is_the_picks() -> None:
    # docs/ci-cd.md tells adopters how long the pick may hold the set-up up.
    text = (REPO / "docs" / "ci-cd.md").read_text()
    said = re.findall(r"takes over (\d+) s leaves the choice to uv", text.replace("\n", " "))
    assert said == [str(pick.PICK_BUDGET_S)]


def test_the_users_choice_is_a_clean_exit_with_nothing_on_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing is probed or listed: the pick stands aside, and succeeds in doing so.
    monkeypatch.setenv("UV_PYTHON", "3.11")
    monkeypatch.setattr(pick, "probe", lambda *args: pytest.fail("probed despite the user's choice"))
    assert pick.main(["pick_python.py", "uv", "python3"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "why", ["uv's choice is optimized", "uv's list fails", "nothing better is installed"]
)
def test_keeping_uvs_choice_is_a_clean_exit(
    why: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keeping uv's choice is no failure of the pick: exit 0, nothing on stdout.
    monkeypatch.setattr(pick, "user_chose", lambda directory, environment: None)
    monkeypatch.setattr(pick, "requires_python", lambda pyproject: None)
    if why == "uv's choice is optimized":
        monkeypatch.setattr(pick, "probe", lambda python, timeout=0: DEBIAN)
    elif why == "nothing better is installed":
        monkeypatch.setattr(pick, "probe", lambda python, timeout=0: PYENV)
        monkeypatch.setattr(pick, "installed", lambda uv, request, timeout=0: ["/other/python3.11"])
    else:
        monkeypatch.setattr(pick, "probe", lambda python, timeout=0: PYENV)

        def failing(uv: str, request: str | None, timeout: float = 0) -> list[str]:
            raise pick.subprocess.CalledProcessError(2, "uv")

        monkeypatch.setattr(pick, "installed", failing)
    assert pick.main(["pick_python.py", "uv", "uv-choice"]) == 0
    assert capsys.readouterr().out == ""


def test_a_candidate_is_probed_while_any_of_the_budget_is_left(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hung interpreter leaves half a second: the next one is still probed, with that half second.
    clock = [0.0]
    given: dict[str, float] = {}

    def fake_probe(python: str, timeout: float = pick.PROBE_TIMEOUT_S) -> object:
        given[python] = timeout
        if python == "uv-choice":
            return PYENV
        if python == "/hung/python3.11":
            clock[0] = pick.PICK_BUDGET_S - 0.5
            return None
        return DEBIAN

    monkeypatch.setattr(pick, "monotonic", lambda: clock[0])
    monkeypatch.setattr(pick, "probe", fake_probe)
    monkeypatch.setattr(
        pick, "installed", lambda uv, request, timeout=0: ["/hung/python3.11", DEBIAN.executable]
    )
    monkeypatch.setattr(pick, "requires_python", lambda pyproject: None)
    monkeypatch.setattr(pick, "user_chose", lambda directory, environment: None)

    assert pick.main(["pick_python.py", "uv", "uv-choice"]) == 0
    assert capsys.readouterr().out == f"{DEBIAN.executable}\n"
    assert given[DEBIAN.executable] == pytest.approx(0.5)


def test_the_pick_runs_isolated_from_the_users_python_settings(sandbox: Sandbox) -> None:
    # bin/bootstrap runs the pick with -I: a PYTHONPATH holding a module of the standard library's
    # name (a project's own `tomllib.py`, say) must not break it, nor anything else steer it.
    shadow = sandbox.root / "shadow"
    shadow.mkdir()
    (shadow / "tomllib.py").write_text("raise ImportError('the user\\'s tomllib')\n")
    sandbox.env["PYTHONPATH"] = str(shadow)
    debian = _pyenv_first_and_debian(sandbox)

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert _syncs(sandbox) == [f"uv sync --locked --python {debian}"]


def test_on_windows_uvs_folder_is_under_appdata(monkeypatch: pytest.MonkeyPatch) -> None:
    # uv-dirs' user_config_dir on Windows: %APPDATA%\\uv; without APPDATA there is none to read.
    monkeypatch.setattr(pick, "os", SimpleNamespace(name="nt", path=os.path, environ=os.environ))
    assert pick.uv_config_folder({"APPDATA": "/appdata", "HOME": "/home/me"}) == Path("/appdata", "uv")
    assert pick.uv_config_folder({"HOME": "/home/me"}) is None


def test_debians_scheme_outside_usr_is_not_debians_build() -> None:
    # The deb_system scheme marks Debian's patched sysconfig; only Debian's own interpreter under
    # /usr is built by its packaging with PGO (a copy of that sysconfig elsewhere proves nothing).
    from tests.bin.test_pick_python import _interpreter

    elsewhere = _interpreter(
        "/opt/py/bin/python3.11", config_args=DEBIAN_ARGS, base_prefix="/opt/py", debian_scheme=True
    )
    assert not elsewhere.debian_build and not elsewhere.optimized
    assert pick.choose(PYENV, [elsewhere]) is None
