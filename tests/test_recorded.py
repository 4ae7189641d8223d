"""tests/recorded.py: a stack document is recorded once per run, and every caller gets its own copy."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest

from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import ConfigError
from tests import recorded
from tests.conftest import REPO


def _graph(source: str, *, bucket: str = "data-bucket") -> ResourceGraph:
    resource = RecordedResource(
        urn=f"urn:pulumi:dev::mlops-platform::aws:s3/bucketV2:BucketV2::{bucket}",
        type="aws:s3/bucketV2:BucketV2",
        name=bucket,
        custom=True,
        parent=None,
        dependencies=(),
        property_dependencies={},
        inputs={"tags": {"stack": "dev"}},
        outputs={},
        provider=None,
        protect=False,
        retain_on_delete=False,
        id=None,
    )
    return ResourceGraph(stack="dev", source=source, resources=(resource,))


@pytest.fixture
def recordings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """A cache in ``tmp_path/cache`` and a stand-in recorder that logs (source, registry) per call."""
    calls: list[tuple[str, str]] = []

    def record(source: str, *, registry: str = "stand-in") -> ResourceGraph:
        calls.append((source, registry))
        text = Path(source).read_text()
        if "broken" in text:
            raise ConfigError(source, [("platform.broken", "not a key")])
        # A document that names its own folder records differently in another one.
        return _graph(source, bucket=str(Path(source).parent) if "here" in text else "data-bucket")

    monkeypatch.setattr(recorded, "record_stack_file", record)
    (tmp_path / "cache").mkdir()
    monkeypatch.setattr(recorded, "_cache_dir", tmp_path / "cache")
    return calls


def _write(folder: Path, text: str, name: str = "Pulumi.dev.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_the_same_document_is_recorded_once_and_each_caller_gets_its_own_copy(tmp_path, recordings) -> None:
    first_path = _write(tmp_path / "a", "config: {}\n")
    second_path = _write(tmp_path / "b", "config: {}\n")

    first = recorded.recorded_stack(first_path)
    second = recorded.recorded_stack(str(second_path))

    assert recordings == [(str(first_path), "stand-in")], "the second folder's copy is served from the cache"
    assert first.source == str(first_path) and second.source == str(second_path)
    assert [r.urn for r in second] == [r.urn for r in first]
    second.resources[0].inputs["tags"]["stack"] = "changed by a test"
    assert recorded.recorded_stack(first_path).resources[0].inputs["tags"] == {"stack": "dev"}


@pytest.mark.parametrize(
    ("other_text", "other_name", "registry"),
    [
        pytest.param("config: {other: 1}\n", "Pulumi.dev.yaml", "stand-in", id="another-document"),
        pytest.param("config: {}\n", "Pulumi.prod.yaml", "stand-in", id="another-stack-name"),
        pytest.param("config: {}\n", "Pulumi.dev.yaml", "empty", id="another-registry"),
    ],
)
def test_anything_the_recording_depends_on_records_again(
    tmp_path, recordings, other_text: str, other_name: str, registry: str
) -> None:
    recorded.recorded_stack(_write(tmp_path / "a", "config: {}\n"))
    other = _write(tmp_path / "b", other_text, other_name)

    recorded.recorded_stack(other, registry=registry)

    assert recordings[1:] == [(str(other), registry)]


def test_the_environment_the_program_reads_is_part_of_the_key(tmp_path, recordings, monkeypatch) -> None:
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    monkeypatch.setenv("MLOPS_PLATFORM_COMMIT", "f" * 40)

    recorded.recorded_stack(path)

    assert len(recordings) == 2


def test_another_working_directory_records_again(tmp_path, recordings, monkeypatch) -> None:
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    monkeypatch.chdir(tmp_path)

    recorded.recorded_stack(path)

    assert len(recordings) == 2, "a relative path in the document may resolve elsewhere"


def test_a_graph_that_names_its_folder_is_shared_only_within_that_folder(tmp_path, recordings) -> None:
    here = _write(tmp_path / "a", "config: {here: 1}\n")
    there = _write(tmp_path / "b", "config: {here: 1}\n")

    assert recorded.recorded_stack(here).resources[0].name == str(here.parent)
    assert recorded.recorded_stack(here).resources[0].name == str(here.parent)
    assert recorded.recorded_stack(there).resources[0].name == str(there.parent)

    assert recordings == [(str(here), "stand-in"), (str(there), "stand-in")]


def test_a_cache_folder_removed_by_another_session_is_made_again(tmp_path, recordings) -> None:
    # A run of other code in the same checkout removes this code's folder (cache_dir_for).
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    shutil.rmtree(tmp_path / "cache")

    recorded.recorded_stack(path)
    recorded.recorded_stack(path)

    assert len(recordings) == 2, "recorded again once, then served from the new folder"


def test_a_stack_file_that_fails_raises_for_every_caller(tmp_path, recordings) -> None:
    path = _write(tmp_path / "a", "config: {broken: 1}\n")

    for _ in range(2):
        with pytest.raises(ConfigError, match=r"platform\.broken"):
            recorded.recorded_stack(path)

    assert len(recordings) == 2, "an error is not cached"
    assert not list((tmp_path / "cache").glob("*.pickle"))


def test_without_a_cache_folder_every_call_records(tmp_path, recordings, monkeypatch) -> None:
    monkeypatch.setattr(recorded, "_cache_dir", None)
    path = _write(tmp_path / "a", "config: {}\n")

    recorded.recorded_stack(path)
    recorded.recorded_stack(path)

    assert len(recordings) == 2


def test_the_suites_cache_is_that_of_this_version_of_the_code() -> None:
    # tests/conftest.py points the cache at the folder of the code's fingerprint.
    folder = recorded._cache_dir
    assert folder is not None and folder.is_dir()
    assert folder == REPO / ".cache" / "recorded-stacks" / recorded.source_fingerprint(REPO)
    for entry in folder.glob("*.pickle"):
        assert isinstance(pickle.loads(entry.read_bytes()), ResourceGraph)


def _code(root: Path) -> Path:
    for folder in recorded.SOURCE_FOLDERS:
        (root / folder).mkdir(parents=True)
    (root / "components" / "bucket.py").write_text("BUCKET = 'data'\n")
    (root / "uv.lock").write_text("version = 1\n")
    return root


@pytest.mark.parametrize(
    ("change", "changes_the_fingerprint"),
    [
        pytest.param(lambda root: (root / "components" / "bucket.py").write_text("B = 1\n"), True, id="code"),
        pytest.param(lambda root: (root / "models" / "new.py").write_text("x = 1\n"), True, id="new-file"),
        pytest.param(lambda root: (root / "uv.lock").write_text("version = 2\n"), True, id="lock"),
        pytest.param(lambda root: (root / "stacks" / "Pulumi.dev.yaml").write_text("{}\n"), True, id="stack"),
        pytest.param(
            lambda root: (root / "components" / "__pycache__").mkdir() or None, False, id="bytecode-folder"
        ),
        pytest.param(lambda root: (root / "README.md").write_text("# docs\n"), False, id="docs"),
        pytest.param(lambda root: (root / "tests").mkdir() or None, False, id="tests"),
    ],
)
def test_the_fingerprint_changes_with_the_code_a_recording_runs(
    tmp_path: Path, change, changes_the_fingerprint: bool
) -> None:
    root = _code(tmp_path)
    before = recorded.source_fingerprint(root)

    change(root)

    assert (recorded.source_fingerprint(root) != before) is changes_the_fingerprint


def test_a_new_version_of_the_code_starts_an_empty_cache_and_removes_stale_ones(tmp_path: Path) -> None:
    root = _code(tmp_path)
    old = recorded.cache_dir_for(root)
    (old / "graph.pickle").write_bytes(b"old")
    assert recorded.cache_dir_for(root) == old and (old / "graph.pickle").exists(), "same code, same cache"

    (root / "components" / "bucket.py").write_text("BUCKET = 'logs'\n")
    new = recorded.cache_dir_for(root)

    assert new != old and not list(new.iterdir())
    assert old.exists(), "a session of the old code may still be running"
    hours_ago = time.time() - recorded.STALE_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))
    assert recorded.cache_dir_for(root) == new
    assert not old.exists()
