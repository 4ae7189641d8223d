"""The platform commit lineage records: CI's value, else git, else `unknown`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from stacks import provenance


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    provenance.platform_commit.cache_clear()
    monkeypatch.delenv(provenance.ENVIRONMENT_VARIABLE, raising=False)
    yield monkeypatch
    provenance.platform_commit.cache_clear()


def _git(directory: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_the_head_commit_of_the_project_and_dirty_when_tracked_files_changed(fresh, tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "Pulumi.yaml").write_text("name: mlops\n")
    _git(tmp_path, "add", "Pulumi.yaml")
    _git(tmp_path, "commit", "-q", "-m", "first")
    head = _git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "untracked.txt").write_text("scratch\n")

    assert provenance.platform_commit(str(tmp_path)) == head, "an untracked file changes no platform code"
    (tmp_path / "Pulumi.yaml").write_text("name: changed\n")
    assert provenance.git_commit(tmp_path) == f"{head}-dirty"


def test_outside_a_repository_the_commit_is_unknown(fresh, tmp_path: Path) -> None:
    assert provenance.platform_commit(str(tmp_path)) == "unknown"


def test_without_git_the_commit_is_unknown(fresh, tmp_path: Path) -> None:
    fresh.setenv("PATH", str(tmp_path))
    assert provenance.git_commit(tmp_path) == "unknown"


def test_the_ci_value_wins(fresh, tmp_path: Path) -> None:
    fresh.setenv(provenance.ENVIRONMENT_VARIABLE, "89abcdef01234567")
    assert provenance.platform_commit(str(tmp_path)) == "89abcdef01234567"


@pytest.mark.parametrize("value", ["main", "refs/heads/main", "ABCDEF0"])
def test_a_ci_value_that_is_no_commit_id_is_an_error(fresh, tmp_path: Path, value: str) -> None:
    fresh.setenv(provenance.ENVIRONMENT_VARIABLE, value)
    with pytest.raises(provenance.ProvenanceError, match=provenance.ENVIRONMENT_VARIABLE):
        provenance.platform_commit(str(tmp_path))
