"""tests/recorded.py: a stack document (or any result, computed_once) is computed once per version of\nwhat decides it, and every caller gets its own copy."""

from __future__ import annotations

import copy
import os
import pickle
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
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
        try:
            value = pickle.loads(entry.read_bytes())
        except FileNotFoundError:
            continue  # another worker replaced a stale version of a computed_once entry meanwhile
        if "." not in entry.stem:  # recorded_stack's; computed_once's are <module>.<name>-<key>
            assert isinstance(value, ResourceGraph)


def _code(root: Path) -> Path:
    for folder in recorded.SOURCE_FOLDERS:
        (root / folder).mkdir(parents=True)
    (root / "components" / "bucket.py").write_text("BUCKET = 'data'\n")
    (root / "uv.lock").write_text("version = 1\n")
    return root


def _a_tool_cache(root: Path) -> None:
    """What ruff leaves in models/ at every `make test` (models/ruff.toml), before the suite starts."""
    (root / "models" / ".ruff_cache" / "0.1.0").mkdir(parents=True)
    (root / "models" / ".ruff_cache" / "0.1.0" / "123").write_bytes(b"mtimes")
    (root / "components" / ".hidden").write_text("editor state\n")


@pytest.mark.parametrize(
    ("change", "changes_the_fingerprint"),
    [
        pytest.param(lambda root: (root / "components" / "bucket.py").write_text("B = 1\n"), True, id="code"),
        pytest.param(lambda root: (root / "models" / "new.py").write_text("x = 1\n"), True, id="new-file"),
        pytest.param(lambda root: (root / "uv.lock").write_text("version = 2\n"), True, id="lock"),
        pytest.param(lambda root: (root / "Pulumi.yaml").write_text("name: x\n"), True, id="project-file"),
        pytest.param(lambda root: (root / "stacks" / "Pulumi.dev.yaml").write_text("{}\n"), True, id="stack"),
        pytest.param(
            lambda root: (root / "components" / "__pycache__").mkdir() or None, False, id="bytecode-folder"
        ),
        pytest.param(
            lambda root: (root / "delivery" / "checks.py").write_text("OK = 0\n"), True, id="delivery"
        ),
        pytest.param(
            lambda root: (
                (root / ".github" / "workflows").mkdir()
                or (root / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
            ),
            True,
            id="a-workflow",
        ),
        pytest.param(lambda root: (root / "Makefile").write_text("test:\n"), True, id="the-makefile"),
        pytest.param(lambda root: (root / "README.md").write_text("# docs\n"), False, id="docs"),
        pytest.param(lambda root: (root / "tests").mkdir() or None, False, id="tests"),
        pytest.param(_a_tool_cache, False, id="a-tools-hidden-cache"),
    ],
)
def test_the_fingerprint_changes_with_the_code_a_recording_runs(
    tmp_path: Path, change, changes_the_fingerprint: bool
) -> None:
    root = _code(tmp_path)
    before = recorded.source_fingerprint(root)

    change(root)

    assert (recorded.source_fingerprint(root) != before) is changes_the_fingerprint


def test_the_fingerprint_changes_with_what_is_installed(tmp_path: Path, monkeypatch) -> None:
    """An environment changed by hand (not through uv.lock) is another version of the code."""
    root = _code(tmp_path)
    installed = recorded.installed_distributions()
    assert any(line.startswith("pulumi==") for line in installed)
    before = recorded.source_fingerprint(root)

    upgraded = [line if not line.startswith("pulumi==") else "pulumi==99.0.0" for line in installed]
    monkeypatch.setattr(recorded, "installed_distributions", lambda: upgraded)

    assert recorded.source_fingerprint(root) != before


def test_the_fingerprint_changes_with_the_api_models_botocore_reads_from_home(
    tmp_path: Path, monkeypatch
) -> None:
    """botocore reads API models from ~/.aws/models too, and the plan checks values against their
    enumerations (components.botocore_enums): a model put there is another version of what runs."""
    root = _code(tmp_path / "repo")
    home = tmp_path / "home"
    monkeypatch.setattr(Path, "home", lambda: home)
    before = recorded.source_fingerprint(root)
    assert recorded.user_models() == []

    model = home / ".aws" / "models" / "sagemaker" / "2017-07-24" / "service-2.json"
    model.parent.mkdir(parents=True)
    model.write_text("{}")
    with_model = recorded.source_fingerprint(root)
    model.write_text('{"shapes": {}}')

    assert before != with_model != recorded.source_fingerprint(root)
    assert recorded.user_models() == [model]


def test_a_new_version_of_the_code_starts_an_empty_cache_and_removes_stale_ones(tmp_path: Path) -> None:
    root = _code(tmp_path)
    old = recorded.cache_dir_for(root)
    (old / "graph.pickle").write_bytes(b"old")
    assert recorded.cache_dir_for(root) == old and (old / "graph.pickle").exists(), "same code, same cache"

    (root / "components" / "bucket.py").write_text("BUCKET = 'logs'\n")
    new = recorded.cache_dir_for(root)

    assert new != old and not list(new.glob("*.pickle"))
    assert old.exists(), "a session of the old code may still be running"
    hours_ago = time.time() - recorded.STALE_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))
    assert recorded.cache_dir_for(root) == new
    assert not old.exists()


# What a recording does not run edited alone (the plan's report, the policy pack): the graphs are
# kept (recording_fingerprint), computed_once's results are not.


def _planner_and_pack(root: Path) -> Path:
    """``_code`` with a recorder that reaches the program, which reads the pack's instance-type
    data, and what the recorder does not import: the plan's report and its prices, a rule, a level."""
    _code(root)
    files = {
        "planner/__init__.py": '"""The planner."""\n',
        "planner/recorder.py": "def record():\n    from stacks import program\n",
        "planner/report.py": "from planner import recorder\nFORMAT = 'text'\n",
        "planner/data/prices.json": "{}\n",
        "stacks/program.py": "from components import instance_types\n",
        "components/instance_types.py": "from policies.aws_instance_types import GPU_FAMILIES\n",
        "policies/__init__.py": '"""The pack."""\n',
        "policies/aws_instance_types.py": "GPU_FAMILIES = ('g5',)\n",
        "policies/rules/tags.py": "LEVEL = 'mandatory'\n",
        "policies/prod.json": "{}\n",
        "policies/README.md": "# The pack\n",
    }
    _write_tree(root, files)
    return root


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize(
    ("edited", "records_again"),
    [
        pytest.param("policies/rules/tags.py", False, id="a-rule"),
        pytest.param("policies/prod.json", False, id="a-level"),
        pytest.param("policies/README.md", False, id="the-packs-readme"),
        pytest.param("policies/rules/new_rule.py", False, id="a-new-rule"),
        pytest.param("planner/report.py", False, id="the-plans-report"),
        pytest.param("planner/data/prices.json", False, id="the-plans-prices"),
        pytest.param("policies/aws_instance_types.py", True, id="the-instance-type-data"),
        pytest.param("policies/__init__.py", True, id="the-packs-package"),
        pytest.param("planner/__init__.py", True, id="the-planners-package"),
        pytest.param("planner/recorder.py", True, id="the-recorder"),
        pytest.param("stacks/program.py", True, id="the-program"),
        pytest.param("components/bucket.py", True, id="a-component-the-recorder-does-not-import"),
        pytest.param("models/new.py", True, id="a-model-folder"),
        pytest.param("delivery/checks.py", False, id="a-command-the-recorder-does-not-import"),
        pytest.param(".github/ci.yml", False, id="a-workflow"),
        pytest.param("Makefile", False, id="the-makefile"),
    ],
)
def test_only_what_a_recording_can_run_is_in_its_fingerprint(
    tmp_path: Path, edited: str, records_again: bool
) -> None:
    root = _planner_and_pack(tmp_path)
    code, recording = recorded.source_fingerprint(root), recorded.recording_fingerprint(root)

    (root / edited).write_text("EDITED = True\n")

    assert recorded.source_fingerprint(root) != code, "every edit is another version of the code"
    assert (recorded.recording_fingerprint(root) != recording) is records_again


def test_a_file_the_recorder_starts_importing_joins_its_fingerprint(tmp_path: Path) -> None:
    root = _planner_and_pack(tmp_path)
    assert "planner/report.py" not in recorded.recorder_imports(root)

    (root / "stacks" / "program.py").write_text(
        "from components import instance_types\n\ndef run():\n    from planner.report import FORMAT\n"
    )
    before = recorded.recording_fingerprint(root)
    (root / "planner" / "report.py").write_text("FORMAT = 'json'\n")

    assert "planner/report.py" in recorded.recorder_imports(root)
    assert recorded.recording_fingerprint(root) != before


def test_a_new_folder_of_code_that_records_the_same_starts_with_its_graphs_alone(
    tmp_path, recordings
) -> None:
    root = _planner_and_pack(tmp_path / "repo")
    old = recorded.cache_dir_for(root)
    recorded.use_cache_dir(old)
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    (old / "test_x.result-0123.pickle").write_bytes(pickle.dumps("a computed_once result"))

    (root / "policies" / "rules" / "tags.py").write_text("LEVEL = 'advisory'\n")
    new = recorded.cache_dir_for(root)
    recorded.use_cache_dir(new)

    assert new != old
    graph = recorded.recorded_stack(path)
    assert recordings == [(str(path), "stand-in")], "served from the graph the old code recorded"
    assert graph.source == str(path) and graph.resources[0].name == "data-bucket"
    assert not list(new.glob("test_x.*")), "a computed_once result may depend on the pack: not taken"
    assert (new / recorded.RECORDING_MARK).read_bytes() == (old / recorded.RECORDING_MARK).read_bytes()

    (root / "policies" / "aws_instance_types.py").write_text("GPU_FAMILIES = ('g6',)\n")
    newer = recorded.cache_dir_for(root)
    recorded.use_cache_dir(newer)
    assert not list(newer.glob("*.pickle"))
    recorded.recorded_stack(path)
    assert len(recordings) == 2, "data a recording imports changed: recorded again"


def test_a_folder_restored_hours_old_gives_its_graphs_before_it_is_removed(tmp_path, recordings) -> None:
    """CI's case (docs/ci-cd.md): a pull request's test job restores main's whole
    `.cache/recorded-stacks`, and tar gives main's folder the modification time of main's run,
    usually hours ago, so the same call that makes the pull request's folder also removes main's
    as stale. Its graphs are linked in first: removing it keeps them (a hard link), and the pull
    request records nothing main's tests recorded. Fails if the stale folders are removed before
    the new folder takes the graphs."""
    root = _planner_and_pack(tmp_path / "repo")
    mains = recorded.cache_dir_for(root)
    recorded.use_cache_dir(mains)
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    hours_ago = time.time() - recorded.STALE_SECONDS - 60
    for entry in [mains, *mains.iterdir()]:
        os.utime(entry, (hours_ago, hours_ago))

    (root / "policies" / "rules" / "tags.py").write_text("LEVEL = 'advisory'\n")
    own = recorded.cache_dir_for(root)
    recorded.use_cache_dir(own)

    assert own != mains and not mains.exists(), "main's folder, stale, is removed"
    assert len(list(own.glob("*.pickle"))) == 1
    assert recorded.recorded_stack(path).resources[0].name == "data-bucket"
    assert recordings == [(str(path), "stand-in")], "served from the graph main's folder held"


def _recorder_imports() -> set[str]:
    """The repository's recorder_imports, as this code's cache folder was made with (its file
    lists them: 0.5 s of parsing saved); followed here where the folder has none."""
    folder = recorded._cache_dir
    listed = folder / recorded.RECORDER_IMPORTS if folder is not None else None
    if listed is not None and listed.is_file() and (folder / recorded.RECORDING_MARK).is_file():
        return set(listed.read_text().split("\n"))
    return recorded.computed_once("recorder-imports", lambda: recorded.recorder_imports(REPO))


def test_the_recorder_imports_the_program_and_not_the_plans_report_or_the_policy_pack() -> None:
    reached = _recorder_imports()
    assert {"stacks/program.py", "components/instance_types.py", "policies/aws_instance_types.py"} <= reached
    assert not reached & {"planner/__main__.py", "planner/report.py", "planner/policy_check.py"}
    assert {name for name in reached if name.startswith("policies/")} == {
        "policies/__init__.py",  # the package of the data: Python runs it first
        "policies/aws_instance_types.py",
    }


# The modules of planner/ and policies/ a recording imports and the files of theirs it opens (data:
# a JSON table of the pack read by a component; an audit hook sees every open), relative.
_PLANNER_AND_PACK_MODULES_OF_A_RECORDING = """
import json, os, sys
from pathlib import Path
opened = set()
def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.add(os.fsdecode(args[0]))
sys.addaudithook(audit)
from planner.recorder import record_stack_file
graph = record_stack_file(sys.argv[1])
folders = [Path.cwd() / "planner", Path.cwd() / "policies"]
paths = {Path(module.__file__) for module in list(sys.modules.values()) if getattr(module, "__file__", None)}
files = {
    path.resolve().relative_to(Path.cwd()).as_posix()
    for path in paths | {Path(name) for name in opened}
    if any(path.resolve().is_relative_to(folder) for folder in folders)
    and "__pycache__" not in path.parts
}
print(json.dumps([len(graph.resources), sorted(files)]))
"""


def test_a_fresh_process_recording_the_prod_fixture_imports_only_the_recorders_imports() -> None:
    """What a recording really imports of planner/ and policies/ (dynamic imports too) and what it
    reads of them (data files), in a fresh process recording the prod fixture, which plans every
    area: only what recording_fingerprint holds of them. Computed once per version of the code."""
    import json
    import sys

    from tests.conftest import stack_path

    prod = stack_path("prod")

    def run() -> tuple[int, list[str]]:
        result = subprocess.run(
            [sys.executable, "-c", _PLANNER_AND_PACK_MODULES_OF_A_RECORDING, str(prod)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        count, files = json.loads(result.stdout.splitlines()[-1])
        return count, files

    count, files = recorded.computed_once("modules-of-a-recording", run, key=[prod.read_bytes()])

    assert count > 200, "the whole prod fixture was recorded"
    assert {"planner/recorder.py", "policies/aws_instance_types.py"} <= set(files)
    assert set(files) <= _recorder_imports() | set(recorded.RECORDER_PACKAGES), files


# computed_once: any deterministic, picklable result, computed once per version of what decides it.


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(recorded, "_cache_dir", folder)
    return folder


def _counting(result: object, calls: list[object]) -> Callable[[], object]:
    def compute() -> object:
        calls.append(result)
        return copy.deepcopy(result)

    return compute


def test_a_result_is_computed_once_and_each_caller_gets_an_equal_copy(cache) -> None:
    calls: list[object] = []
    compute = _counting({"names": ["a", "b"]}, calls)

    first = recorded.computed_once("result", compute, key=["input"])
    second = recorded.computed_once("result", compute, key=["input"])

    assert calls == [{"names": ["a", "b"]}], "the second caller reads the first one's result"
    assert first == second == {"names": ["a", "b"]}
    assert first is not second
    second["names"].append("changed by a test")
    assert recorded.computed_once("result", compute, key=["input"]) == {"names": ["a", "b"]}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("result", ["other input"], id="another-key"),
        pytest.param("result", [b"input"], id="bytes-are-not-text"),
        pytest.param("result", ["input", ""], id="one-more-part"),
        pytest.param("result", ["in", "put"], id="split-differently"),
        pytest.param("other", ["input"], id="another-name"),
    ],
)
def test_anything_the_result_depends_on_computes_again(cache, name: str, key: list[str | bytes]) -> None:
    calls: list[object] = []
    recorded.computed_once("result", _counting(1, calls), key=["input"])

    assert recorded.computed_once(name, _counting(2, calls), key=key) == 2

    assert calls == [1, 2]


def test_the_environment_and_the_working_directory_are_part_of_the_key(cache, tmp_path, monkeypatch) -> None:
    calls: list[object] = []
    compute = _counting(1, calls)
    recorded.computed_once("result", compute)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "333333333333")
    recorded.computed_once("result", compute)
    monkeypatch.chdir(tmp_path)
    recorded.computed_once("result", compute)
    monkeypatch.setenv("UNRELATED_VARIABLE", "1")
    recorded.computed_once("result", compute)

    assert len(calls) == 3, "MOTO_*, then the working directory; not any variable"


def _defined_in(path: Path, source: str) -> Callable[[], object]:
    path.write_text(source)
    namespace: dict[str, object] = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace["compute"]  # type: ignore[return-value]


def test_the_module_that_defines_the_computation_is_part_of_the_key(cache, tmp_path) -> None:
    module = tmp_path / "test_module.py"

    assert recorded.computed_once("result", _defined_in(module, "def compute():\n    return 1\n")) == 1
    assert recorded.computed_once("result", _defined_in(module, "def compute():\n    return 2\n")) == 2
    other = tmp_path / "test_other.py"
    assert recorded.computed_once("result", _defined_in(other, "def compute():\n    return 3\n")) == 3
    assert recorded.computed_once("result", _defined_in(module, "def compute():\n    return 2\n")) == 2


def test_a_computation_that_fails_raises_for_every_caller(cache) -> None:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        raise subprocess.CalledProcessError(1, ["python", "-c", "..."])

    for _ in range(2):
        with pytest.raises(subprocess.CalledProcessError):
            recorded.computed_once("result", compute)

    assert len(calls) == 2, "an error is not cached"
    assert not list(cache.glob("*.pickle"))


def test_a_result_that_cannot_be_pickled_is_refused(cache) -> None:
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        recorded.computed_once("result", lambda: threading.Lock())
    assert not list(cache.glob("*.pickle"))


def test_a_caller_that_arrives_while_another_computes_reads_its_result(cache) -> None:
    # The second caller starts inside the first one's computation: whether it checks before the
    # result is stored or waits on the lock, it must not compute.
    calls: list[str] = []
    results: list[object] = []

    def second() -> None:
        results.append(recorded.computed_once("result", compute))

    thread = threading.Thread(target=second)

    def compute() -> object:
        calls.append(threading.current_thread().name)
        if not thread.is_alive():
            thread.start()
        return {"value": 1}

    assert recorded.computed_once("result", compute) == {"value": 1}
    thread.join()

    assert results == [{"value": 1}] and len(calls) == 1


def test_a_cache_folder_removed_by_another_session_computes_again(cache) -> None:
    calls: list[object] = []
    recorded.computed_once("result", _counting(1, calls))
    shutil.rmtree(cache)

    for _ in range(2):
        assert recorded.computed_once("result", _counting(1, calls)) == 1

    assert len(calls) == 2, "computed again once, then served from the new folder"


def test_without_a_cache_folder_every_call_computes(monkeypatch) -> None:
    monkeypatch.setattr(recorded, "_cache_dir", None)
    calls: list[object] = []

    recorded.computed_once("result", _counting(1, calls))
    recorded.computed_once("result", _counting(1, calls))

    assert len(calls) == 2


def test_other_keys_results_of_the_same_name_go_after_an_hour(cache, monkeypatch) -> None:
    old = recorded.computed_once("result", lambda: "old", key=["1"])
    recorded.computed_once("kept", lambda: "kept", key=["1"])
    [before] = cache.glob("*.result-*.pickle")
    hours_ago = time.time() - recorded.STALE_SECONDS - 60
    for entry in cache.iterdir():
        os.utime(entry, (hours_ago, hours_ago))

    assert recorded.computed_once("result", lambda: "new", key=["2"]) == "new" != old

    assert not before.exists(), "the old key's result of the same name is removed"
    assert [entry.name.split("-")[0] for entry in cache.glob("*.pickle")].count(
        before.name.split("-")[0]
    ) == 1
    assert recorded.computed_once("kept", lambda: "recomputed", key=["1"]) == "kept", "another name stays"


def test_a_damaged_entry_is_computed_again_and_replaced(cache) -> None:
    calls: list[object] = []
    compute = _counting(["value"], calls)
    recorded.computed_once("result", compute)
    [entry] = cache.glob("*.result-*.pickle")
    entry.write_bytes(entry.read_bytes()[:5])  # a truncated file (a full disk, a killed writer...)

    assert recorded.computed_once("result", compute) == ["value"]
    assert len(calls) == 2
    assert recorded.computed_once("result", compute) == ["value"] and len(calls) == 2, "replaced"


def test_a_name_that_begins_with_another_keeps_its_results(cache, monkeypatch) -> None:
    recorded.computed_once("result-x", lambda: "other name", key=["1"])
    hours_ago = time.time() - recorded.STALE_SECONDS - 60
    for entry in cache.iterdir():
        os.utime(entry, (hours_ago, hours_ago))

    recorded.computed_once("result", lambda: "new", key=["2"])

    assert recorded.computed_once("result-x", lambda: "recomputed", key=["1"]) == "other name"


@pytest.mark.parametrize(
    ("change", "changes_the_digest"),
    [
        pytest.param(lambda root: (root / "conftest.py").write_text("X = 2\n"), True, id="conftest"),
        pytest.param(lambda root: (root / "helpers.py").write_text("Y = 1\n"), True, id="new-helper"),
        pytest.param(lambda root: (root / "fixtures" / "a.yaml").write_text("b: 1\n"), True, id="fixture"),
        pytest.param(lambda root: (root / "test_thing.py").write_text("Z = 1\n"), False, id="test-module"),
        pytest.param(lambda root: (root / "__pycache__").mkdir() or None, False, id="bytecode-folder"),
    ],
)
def test_the_support_digest_covers_the_tests_helpers_and_data(
    tmp_path: Path, change, changes_the_digest: bool
) -> None:
    root = tmp_path / "tests"
    (root / "fixtures").mkdir(parents=True)
    (root / "conftest.py").write_text("X = 1\n")
    (root / "fixtures" / "a.yaml").write_text("a: 1\n")
    (root / "test_thing.py").write_text("Z = 0\n")
    before = recorded.support_digest.__wrapped__(root)

    change(root)

    assert (recorded.support_digest.__wrapped__(root) != before) is changes_the_digest


def test_every_top_level_entry_of_the_repository_is_code_or_named_as_not_code() -> None:
    """A new folder of code (a command a subprocess runs, data a test reads through a cached
    result) must be in the fingerprint, or an edit to it would be served the old result: each
    tracked top-level entry is a source folder, a source file, or listed with the reason it is not."""
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    top_level = {line.split("/", 1)[0] for line in tracked.splitlines()}
    classified = {*recorded.SOURCE_FOLDERS, *recorded.SOURCE_FILES, *recorded.NOT_SOURCE}
    assert {"components", "delivery", ".github", "Makefile", "tests"} <= top_level
    assert top_level - classified == set()
    assert not set(recorded.NOT_SOURCE) & {*recorded.SOURCE_FOLDERS, *recorded.SOURCE_FILES}


def test_the_test_modules_a_module_imports_are_followed_through_each_other(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    files = {
        "test_a.py": "from tests.stacks import (\n    test_b as b,\n    helper,\n)\nfrom tests.conftest import REPO\n",
        "stacks/test_b.py": "def f():\n    import tests.stacks.test_c\n",
        "stacks/test_c.py": "from tests.stacks.test_b import f\nfrom tests.missing import test_gone\n",
        "stacks/helper.py": "from tests.stacks import test_d\n",
        "stacks/test_d.py": "X = 1\n",
        "stacks/__init__.py": "from tests.test_e import Y\n",
        "test_e.py": "Y = 3\n",
        "test_unimported.py": "X = 2\n",
    }
    _write_tree(tests, files)

    found = recorded.imported_test_modules.__wrapped__(tests / "test_a.py", tests)

    # helper.py and the package's __init__.py are support files: support_digest holds their bytes,
    # not those of the test modules they import (test_d, test_e), which are followed from here.
    assert found == (
        tests / "stacks" / "test_b.py",
        tests / "stacks" / "test_c.py",
        tests / "stacks" / "test_d.py",
        tests / "test_e.py",
    )


def test_a_computed_once_result_is_keyed_by_the_test_modules_its_module_imports(
    tmp_path: Path, monkeypatch
) -> None:
    other = tmp_path / "test_other.py"
    other.write_text("VALUE = 1\n")
    monkeypatch.setattr(recorded, "imported_test_modules", lambda module: (other,))

    def compute() -> int:
        return 1

    before = recorded._entry(tmp_path, "name", compute, ())
    other.write_text("VALUE = 2\n")

    assert recorded._entry(tmp_path, "name", compute, ()) != before
    assert recorded.imported_test_modules(Path(__file__)) == (other,)


def test_a_module_reading_another_test_modules_programs_is_keyed_by_it() -> None:
    audit = REPO / "tests" / "stacks" / "test_composition_mutation_audit.py"
    assert REPO / "tests" / "stacks" / "test_live_drift.py" in recorded.imported_test_modules(audit)


def test_a_file_larger_than_a_read_is_hashed_whole_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint reads files in 1 MiB pieces (a family's data file is not held whole) and hashes
    exactly what reading each whole would: a byte past a piece's edge, or the last short piece, counts."""
    import hashlib
    import sys

    monkeypatch.setattr(recorded, "installed_distributions", lambda: ("a==1",))
    monkeypatch.setattr(recorded, "user_models", lambda: [])
    data = os.urandom((1 << 20) * 2 + 7)
    (tmp_path / "data.csv").write_bytes(data)
    (tmp_path / "empty").write_bytes(b"")
    files = [tmp_path / "data.csv", tmp_path / "empty", tmp_path / "missing"]

    whole = hashlib.sha256(sys.version.encode())
    whole.update(b"a==1\0")
    for path, content in zip(files, (data, b"", b""), strict=True):
        whole.update(str(path.relative_to(tmp_path)).encode() + b"\0" + content + b"\0")
    assert recorded._digest(tmp_path, files) == whole.hexdigest()[:32]

    flipped = bytearray(data)
    flipped[1 << 20] ^= 1  # the first byte of the second piece
    (tmp_path / "data.csv").write_bytes(bytes(flipped))
    assert recorded._digest(tmp_path, files) != whole.hexdigest()[:32]
