"""Mutation audit of this round's command-line fixes: the code they added or changed.

The fixes (each with its own test file): ``delivery.promote deploy`` echoes on stderr
(tests/delivery/test_promote.py, test_promotion_semantics.py); a ``Pulumi.<stack>.yml`` (or any
other spelling of ``.yaml``) is refused by name everywhere (tests/stacks/test_yml_stack_files.py,
tests/delivery/test_stacks.py); the generators replace a file whole and only once every page can
be (tests/bin/test_generator_writes.py). One mutation at a time was applied to the product code,
the tests covering it run, the mutation reverted.

| module | mutations | survived | caught now | equivalent | left alone |
|---|---|---|---|---|---|
| delivery/promote.py (`_deploy`) | 5 | 0 | 0 | 0 | 0 |
| delivery/stacks.py (`list_stacks`) | 3 | 1 | 1 | 0 | 0 |
| stacks/stack_file.py (extension refusal, twin hint) + naming.py | 9 | 2 | 1 | 1 | 0 |
| components/whole_file.py | 6 | 3 | 0 | 2 | 1 |
| planner/readme.py | 5 | 0 | 0 | 0 | 0 |
| stacks/generated_block.py | 4 | 1 | 1 | 0 | 0 |
| policies/taggable_types.py, bench/run.py (their own whole writes) | 4 | 2 | 2 | 0 | 0 |
| components/component_package.py, prebuilt_images.py (`--write`) | 2 | 0 | 0 | 0 | 0 |
| total | 38 | 9 | 5 | 3 | 1 |

Caught now, by the tests below:

- ``list_stacks`` picking the unread files as ``suffix != ".yaml"`` instead of "another spelling
  of .yaml": a ``Pulumi.dev.yaml.bak`` or ``Pulumi.dev.json`` beside the stacks was read as one more
  stack named ``dev.yaml``/``dev`` (listed, previewed, deployed); now held by
  :func:`test_backups_and_other_files_beside_the_stacks_are_neither_stacks_nor_errors`.
- the twin hint without its ``<stem>.`` prefix check: a missing ``Pulumi.sandbox.yaml`` named
  ``Pulumi.sandboy.yml`` as the file meant (:func:`test_the_missing_file_hint_names_only_the_same_stacks_twin`).
- ``GeneratedBlock._bounds`` searching for the end marker when the begin marker is missing: a page
  with only an end marker was "replaced" from an offset inside its prose
  (:func:`test_a_page_with_only_its_end_marker_is_not_rewritten`).
- the pack's and the bench's own whole-file writes without removing their partial file when the
  rename fails (:func:`test_taggable_types_leaves_no_partial_file_when_the_rename_fails`,
  :func:`test_bench_json_leaves_no_partial_file_when_the_rename_fails`).

Equivalent: the twin hint's ``.yaml`` suffix check (read_stack_file refuses every other YAML
spelling before it reads, and any other name finds no twin); ``open(partial, "xb")`` as ``"wb"``
(the partial name is random: never there already); ``os.replace`` as ``os.rename`` (the same on
POSIX, where the platform runs).

Left alone: ``os.fsync`` of the partial file dropped. Its only effect is on a power loss between
the rename and the page cache's flush, which no test can stage; kept because a rename that
survives a crash with an empty file behind it is the failure the helper exists to prevent.

Since this audit (a review of the round): ``write_whole`` and its two copies write through a
symbolic link, create the partial file with ``os.open(O_EXCL)`` no wider than the target and keep
its permissions, all three held equal by tests/bin/test_whole_file_copies.py (which also sees the
``fsync``); a refused ``Pulumi.<stack>.yml`` is keyed by its file name in ``stack_files``, so
``stack_name_of``'s upper-case spelling was reverted (nothing read it any more); only a
``Pulumi.<stack>.*`` file is refused for its extension.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.plan_bench
from bench import run as bench_run
from delivery.stacks import main as list_stacks_main
from policies import taggable_types
from stacks.config import ConfigError
from stacks.generated_block import GeneratedBlock
from stacks.stack_file import read_stack_file


def test_backups_and_other_files_beside_the_stacks_are_neither_stacks_nor_errors(
    tmp_path: Path, write_stack, capsys
) -> None:
    write_stack("dev", name="Pulumi.dev.yaml")
    write_stack("dev", name="Pulumi.dev.yaml.bak")  # an editor's backup: a valid stack's text
    write_stack("dev", name="Pulumi.dev.json")

    assert list_stacks_main(["--stacks-dir", str(tmp_path), "--github-output"]) == 0

    captured = capsys.readouterr()
    assert captured.err == ""
    stack_files = next(line for line in captured.out.splitlines() if line.startswith("stack_files="))
    assert stack_files == f'stack_files=[{{"stack":"dev","stack_file":"{tmp_path / "Pulumi.dev.yaml"}"}}]'


def test_the_missing_file_hint_names_only_the_same_stacks_twin(tmp_path: Path, write_stack) -> None:
    write_stack("dev", name="Pulumi.sandboy.yml")  # another stack's file, one letter off

    with pytest.raises(ConfigError) as raised:
        read_stack_file(tmp_path / "Pulumi.sandbox.yaml")

    assert raised.value.problems == [("", "file not found")]


def test_a_page_with_only_its_end_marker_is_not_rewritten(tmp_path: Path, capsys) -> None:
    page = tmp_path / "components.md"
    page.write_text("prose long enough to hold an offset\n<!-- e -->\nmore prose\n")
    before = page.read_text()

    assert GeneratedBlock(page, "<!-- b -->", "<!-- e -->").main(["--write"], lambda: "new") == 2

    assert page.read_text() == before
    assert "nothing was written" in capsys.readouterr().err


def _folder_in_the_way(target: Path) -> None:
    """A folder where the file goes: the rename over it fails after the partial file is written."""
    target.mkdir()
    (target / "inside").write_text("kept")


def test_taggable_types_leaves_no_partial_file_when_the_rename_fails(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "taggable_types.json"
    _folder_in_the_way(target)
    monkeypatch.setattr(taggable_types, "DATA_FILE", target)
    monkeypatch.setattr(taggable_types, "derive", lambda: {"types": []})

    with pytest.raises(OSError):
        taggable_types.main(["--write"])

    assert [path.name for path in tmp_path.iterdir()] == ["taggable_types.json"]


def test_bench_json_leaves_no_partial_file_when_the_rename_fails(tmp_path: Path, monkeypatch, capsys) -> None:
    target = tmp_path / "bench.json"
    _folder_in_the_way(target)
    monkeypatch.setattr(bench.plan_bench, "measure", lambda runs, slow: [])
    monkeypatch.setattr(bench_run, "OPTIONAL", ())

    with pytest.raises(OSError):
        bench_run.main(["--quick", "--json", str(target)])

    assert [path.name for path in tmp_path.iterdir()] == ["bench.json"]
