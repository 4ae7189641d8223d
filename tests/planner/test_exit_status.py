"""The planner's exit status means one thing each: 1 a mandatory violation, 2 an invalid stack file.

Anything else that stops a plan (bad arguments, a crash) is 3, never Python's 1 or argparse's 2.
"""

from __future__ import annotations

import pytest

from planner.__main__ import EXIT_FAILED, run


def test_a_crash_is_no_verdict(monkeypatch, capsys) -> None:
    def crash(path: str, registry: str) -> None:
        raise RuntimeError("a bug in a component")

    monkeypatch.setattr("planner.__main__.build_plan", crash)

    assert run(["--stack", "dev"]) == EXIT_FAILED
    assert "RuntimeError: a bug in a component" in capsys.readouterr().err


def test_bad_arguments_are_no_verdict(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["--format", "yaml"])

    assert exit_info.value.code == EXIT_FAILED
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_help_still_exits_0(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["--help"])

    assert exit_info.value.code == 0
    assert "--config" in capsys.readouterr().out
