"""once_per_session: the first caller computes in its own empty folder, later callers read a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.session_shared import once_per_session, session_folder


def test_a_second_caller_gets_an_equal_copy_without_computing(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    calls: list[Path] = []

    def compute(folder: Path) -> dict[str, list[str]]:
        calls.append(folder)
        assert folder.is_dir() and not any(folder.iterdir()), "the first caller gets an empty folder"
        (folder / "made").write_text("x")
        return {"files": sorted(path.name for path in folder.iterdir())}

    name = f"probe-{id(calls)}"
    first = once_per_session(tmp_path_factory, name, compute)
    second = once_per_session(tmp_path_factory, name, compute)

    assert first == second == {"files": ["made"]}
    assert first is not second
    assert calls == [session_folder(tmp_path_factory) / name]


def test_a_failure_is_not_kept_and_the_next_caller_starts_from_an_empty_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    name = f"probe-failure-{id(tmp_path_factory)}"

    def fail(folder: Path) -> str:
        (folder / "left-over").write_text("x")
        raise RuntimeError("build failed")

    with pytest.raises(RuntimeError, match="build failed"):
        once_per_session(tmp_path_factory, name, fail)

    def succeed(folder: Path) -> list[str]:
        return [path.name for path in folder.iterdir()]

    assert once_per_session(tmp_path_factory, name, succeed) == []
