"""A second read of tests/recorded.py's recording fingerprint (issue 18): the holes through which a
graph recorded by other code could be served after a change that changes what a recording makes.

Found and closed (each test below failed on the merged code):

- the fingerprint followed only what ``planner/recorder.py`` reaches by static imports: a module of
  ``components/`` (whole in the fingerprint) loaded by name (``components.extras.on_first_use``, a
  module no static import names) that imports ``planner/`` or ``policies/`` left that file out; so did
  a package's ``__init__.py`` below ``planner/`` or ``policies/`` (``policies/rules/``), which Python
  runs before any module of the package. Editing either kept the old graphs. Now every Python file of
  the folders the fingerprint holds whole is a root of the closure, and each file's package
  ``__init__.py`` files are followed too;
- the guard test (a fresh process recording the prod fixture) compared only the *modules* the
  recording imported with the fingerprint: a recording that reads a data file of ``planner/`` or
  ``policies/`` (``policies/prod.json``, ``planner/data/...``) passed it, and an edit to that file
  kept the old graphs. The guard now also lists the files the recording opens (an audit hook);
- a damaged graph (random bytes, as a bad disk or a copy gone wrong leaves it) mostly raises
  ``UnicodeDecodeError`` in ``pickle.loads``, which ``_read`` let through: every test reading the graph
  failed in every later run, and the finer fingerprint's hard links carried the damaged file into
  every later folder of code that records the same. It is now recorded again and replaced.

Also held now (they passed, no test held them): a damaged graph linked from an older folder is
recorded again in the new one, and the old folder's file is left as it was (an entry is replaced,
never written through a link: writing in place fails the test); without hard links (another
filesystem) a new folder is marked all the same and records again (a link error raised fails it).

Checked and left alone: the mark is written after the links, under a lock every worker takes before
it reads the folder (a worker never serves from a half-linked folder, and one that did would only
record again); a source folder removed while linking (another session's stale-folder removal) or a
filesystem without hard links leaves entries unlinked, recorded again; an entry is never written in
place (:func:`tests.recorded.write_whole` renames), so a later write never changes the old folder's
file; a truncated pickle raises ``UnpicklingError`` (300 truncations and 100 zeroed tails tried). A
damaged pickle that still loads (about one random 3-byte damage in ten) cannot be told from a good
one without a checksum: not added (no damaged file was ever seen; writes are whole).
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tests import recorded, test_recorded
from tests.test_recorded import _PLANNER_AND_PACK_MODULES_OF_A_RECORDING, _planner_and_pack, _write

recordings = test_recorded.recordings  # the fixture: a cache in tmp_path and a stand-in recorder


def test_a_component_loaded_by_name_that_imports_the_plans_report_puts_it_in_the_fingerprint(
    tmp_path: Path,
) -> None:
    """``components/lazy.py`` is named by no static import (a package's ``on_first_use`` loads it by
    name): what it imports of planner/ is still code a recording runs."""
    root = _planner_and_pack(tmp_path)
    (root / "components" / "lazy.py").write_text("from planner.report import FORMAT\n")
    before = recorded.recording_fingerprint(root)

    (root / "planner" / "report.py").write_text("FORMAT = 'json'\n")

    assert "planner/report.py" in recorded.recorder_imports(root)
    assert recorded.recording_fingerprint(root) != before


def test_a_subpackages_init_the_recording_runs_is_in_the_fingerprint(tmp_path: Path) -> None:
    """Importing ``policies.rules.tags`` runs ``policies/rules/__init__.py`` first, and what it imports."""
    root = _planner_and_pack(tmp_path)
    (root / "policies" / "rules" / "__init__.py").write_text("from policies.rules import _common\n")
    (root / "policies" / "rules" / "_common.py").write_text("PREFIX = 'mlops'\n")
    (root / "stacks" / "program.py").write_text(
        "from components import instance_types\n\ndef run():\n    from policies.rules import tags\n"
    )
    reached = recorded.recorder_imports(root)
    assert {"policies/rules/__init__.py", "policies/rules/_common.py", "policies/rules/tags.py"} <= reached

    for edited in ("policies/rules/__init__.py", "policies/rules/_common.py"):
        before = recorded.recording_fingerprint(root)
        (root / edited).write_text((root / edited).read_text() + "EDITED = True\n")
        assert recorded.recording_fingerprint(root) != before, edited


def test_the_guard_sees_a_data_file_of_the_pack_the_recording_reads(tmp_path: Path) -> None:
    """The guard's script (tests/test_recorded.py) run in a checkout whose recorder reads
    ``policies/prod.json``: the file is among those it reports, so the guard fails for it."""
    for name, text in {
        "planner/__init__.py": "",
        "policies/__init__.py": "",
        "policies/prod.json": '{"levels": {}}\n',
        "planner/data/prices.json": "{}\n",
        "planner/recorder.py": (
            "from pathlib import Path\n"
            "import types\n"
            "def record_stack_file(path):\n"
            "    Path('policies', 'prod.json').read_text()\n"
            "    return types.SimpleNamespace(resources=[1])\n"
        ),
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    stack = _write(tmp_path / "stack", "config: {}\n")

    result = subprocess.run(
        [sys.executable, "-c", _PLANNER_AND_PACK_MODULES_OF_A_RECORDING, str(stack)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
    )

    assert result.returncode == 0, result.stderr[-3000:]
    count, files = json.loads(result.stdout.splitlines()[-1])
    assert count == 1
    assert "policies/prod.json" in files
    assert "planner/data/prices.json" not in files, "only what the recording read"
    assert "planner/recorder.py" in files


def test_a_damaged_graph_is_recorded_again_not_an_error_in_every_run(tmp_path, recordings) -> None:
    """Random damage makes ``pickle.loads`` raise ``UnicodeDecodeError`` (a ValueError) more often than
    ``UnpicklingError``; the graph is recorded again and the entry replaced."""
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    [entry] = (tmp_path / "cache").glob("*.pickle")
    damaged = pickle.dumps("a string").replace(b"a string", b"\xff\xfe string")
    with pytest.raises(UnicodeDecodeError):
        pickle.loads(damaged)
    entry.write_bytes(damaged)

    graph = recorded.recorded_stack(path)

    assert graph.resources[0].name == "data-bucket"
    assert len(recordings) == 2, "recorded again"
    assert recorded.recorded_stack(path).resources[0].name == "data-bucket"
    assert len(recordings) == 2, "the damaged entry was replaced"


def test_an_adopters_model_script_python_cannot_parse_here_is_no_error_and_keeps_the_sharing(
    tmp_path: Path,
) -> None:
    """models/ holds training scripts the containers run (another Python, perhaps): not the program's
    imports, and one this interpreter cannot parse must not fail the suite's start."""
    root = _planner_and_pack(tmp_path)
    (root / "models" / "churn").mkdir()
    (root / "models" / "churn" / "train.py").write_text("match x:\n  case := 1\n")
    (root / "models" / "churn" / "notes.py").write_bytes(b"# \xff\xfe not UTF-8\n")
    before = recorded.recording_fingerprint(root)

    (root / "planner" / "report.py").write_text("FORMAT = 'json'\n")

    assert recorded.recording_fingerprint(root) == before


def test_a_program_file_that_does_not_parse_shares_nothing(tmp_path: Path) -> None:
    """A component mid-edit (a syntax error): the imports cannot be followed, so every file of
    planner/ and policies/ is in the fingerprint (no graph of other code served), and the suite starts
    (the recordings report the error)."""
    root = _planner_and_pack(tmp_path)
    (root / "components" / "half_written.py").write_text("def f(:\n")
    before = recorded.recording_fingerprint(root)

    (root / "planner" / "report.py").write_text("FORMAT = 'json'\n")

    assert recorded.recording_fingerprint(root) != before
    assert "planner/report.py" in recorded.recorder_imports(root)


def _a_graph_then_a_rule_edited(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A graph recorded by one version of the code, then a new folder for the code with a rule
    edited (the same recording fingerprint): (old folder, new folder, stack file)."""
    root = _planner_and_pack(tmp_path / "repo")
    old = recorded.cache_dir_for(root)
    recorded.use_cache_dir(old)
    path = _write(tmp_path / "a", "config: {}\n")
    recorded.recorded_stack(path)
    (root / "policies" / "rules" / "tags.py").write_text("LEVEL = 'advisory'\n")
    return old, root, path


def test_a_damaged_graph_linked_from_an_older_folder_is_recorded_again_there_and_left_alone_here(
    tmp_path, recordings
) -> None:
    old, root, path = _a_graph_then_a_rule_edited(tmp_path)
    [entry] = old.glob("*.pickle")
    damaged = b"\x80\x05\x95" + entry.read_bytes()[3:40]  # cut short: UnpicklingError
    entry.write_bytes(damaged)

    new = recorded.cache_dir_for(root)
    recorded.use_cache_dir(new)
    assert (new / entry.name).stat().st_ino == entry.stat().st_ino, "linked"
    graph = recorded.recorded_stack(path)

    assert graph.resources[0].name == "data-bucket" and len(recordings) == 2, "recorded again"
    assert entry.read_bytes() == damaged, "the new entry replaced the link, never wrote through it"
    assert (new / entry.name).stat().st_ino != entry.stat().st_ino


def test_without_hard_links_a_new_folder_records_again(tmp_path, recordings, monkeypatch) -> None:
    """A filesystem without hard links (or a source folder removed meanwhile): nothing is linked,
    the folder is marked all the same and every graph is recorded again."""
    old, root, path = _a_graph_then_a_rule_edited(tmp_path)

    def no_links(source: object, target: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(recorded.os, "link", no_links)
    new = recorded.cache_dir_for(root)
    recorded.use_cache_dir(new)

    assert not list(new.glob("*.pickle"))
    assert (new / recorded.RECORDING_MARK).read_bytes() == (old / recorded.RECORDING_MARK).read_bytes()
    recorded.recorded_stack(path)
    assert len(recordings) == 2
