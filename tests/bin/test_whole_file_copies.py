"""The whole-file writers behave as one: components.whole_file.write_whole, its copy and bench's.

``policies/taggable_types.py`` (the pack imports nothing from ``components/``) keeps a copy of
:func:`components.whole_file.write_whole`; ``bench/run.py`` (a script of its own folder) imports the
helper when it writes its figures. The copies wrote a plain ``.partial`` file and renamed it over the target, so they replaced a symbolic
link with a file (the file it named kept its old text) and gave the new file the default
permissions (a ``0600`` figures file became ``0644``); the shared helper replaced the link too.
Each now writes through a link to the file it names, as the ``write_text`` they replaced did, and
keeps the target's permissions, its new text never readable more widely than the old file was.

Every behaviour below is run against each writer, and :func:`test_the_copy_is_the_helper_line_for_line`
holds the copy's code equal to the helper's, so a fix to one that misses the other fails here.
"""

from __future__ import annotations

import ast
import inspect
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import run as bench_run
from components import whole_file
from policies import taggable_types

WRITERS: dict[str, Callable[..., None]] = {
    "components.whole_file": whole_file.write_whole,
    "policies.taggable_types": taggable_types._write_whole,
    "bench/run.py": bench_run._write_whole,
}

writer = pytest.mark.parametrize("write", list(WRITERS.values()), ids=list(WRITERS))


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@writer
def test_a_symlinked_target_is_written_through_and_stays_a_link(tmp_path: Path, write) -> None:
    real = tmp_path / "pages" / "cost.md"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "cost.md"
    link.symlink_to(Path("pages") / "cost.md")

    write(link, "new\n")

    assert link.is_symlink(), "the link is kept, not replaced by a file"
    assert real.read_text() == "new\n", "the file the link names gets the new text"
    assert _names(tmp_path) == ["cost.md", "pages"]
    assert _names(real.parent) == ["cost.md"], "no partial file left beside it"


@writer
def test_a_dangling_link_creates_the_file_it_names(tmp_path: Path, write) -> None:
    link = tmp_path / "bench.json"
    link.symlink_to("results.json")

    write(link, "{}\n")

    assert link.is_symlink()
    assert (tmp_path / "results.json").read_text() == "{}\n"


@writer
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o444], ids=oct)
def test_the_targets_permissions_are_kept(tmp_path: Path, write, mode: int) -> None:
    target = tmp_path / "figures.json"
    target.write_text("old")
    target.chmod(mode)

    write(target, "new")

    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


@writer
def test_the_new_text_is_never_readable_more_widely_than_the_old_file(
    tmp_path: Path, write, monkeypatch
) -> None:
    """The partial file is created no wider than the target, not at the default 0644 and then
    narrowed: between the two, anyone could read the new text of a private file."""
    target = tmp_path / "private.json"
    target.write_text("old")
    target.chmod(0o600)
    seen = []
    fsync = os.fsync

    def watch(fd: int) -> None:  # called while the new text sits in the partial file
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", watch)

    write(target, "new")

    assert seen, "the partial file is flushed to disk before the rename"
    assert all(mode & ~0o600 == 0 for mode in seen), [oct(mode) for mode in seen]


@writer
def test_a_new_file_gets_the_default_permissions(tmp_path: Path, write) -> None:
    umask = os.umask(0o027)
    try:
        write(tmp_path / "new.json", "{}\n")
    finally:
        os.umask(umask)

    assert (tmp_path / "new.json").read_text() == "{}\n"
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


@writer
def test_a_failed_encoding_leaves_the_old_file_and_nothing_else(tmp_path: Path, write) -> None:
    target = tmp_path / "figures.json"
    target.write_text("old")

    with pytest.raises(UnicodeEncodeError):
        write(target, "cut \ud800")

    assert target.read_text() == "old"
    assert _names(tmp_path) == ["figures.json"]


@writer
def test_an_interrupt_part_way_leaves_the_old_file_and_no_partial_one(
    tmp_path: Path, write, monkeypatch
) -> None:
    """Ctrl-C (KeyboardInterrupt, not an Exception) after the new text is written, before the rename."""
    target = tmp_path / "figures.json"
    target.write_text("old")

    def interrupted(source: object, destination: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)

    with pytest.raises(KeyboardInterrupt):
        write(target, "new")

    assert target.read_text() == "old"
    assert _names(tmp_path) == ["figures.json"]


@writer
def test_a_missing_folder_fails_and_creates_nothing(tmp_path: Path, write) -> None:
    with pytest.raises(FileNotFoundError):
        write(tmp_path / "missing" / "figures.json", "new")

    assert _names(tmp_path) == []


def _code(function: Callable[..., None]) -> str:
    """The function's parameters and body without its docstring, as an AST dump."""
    [definition] = ast.parse(inspect.getsource(function)).body
    assert isinstance(definition, ast.FunctionDef)
    body = definition.body[1:] if ast.get_docstring(definition) else definition.body
    return "\n".join(ast.dump(node) for node in [definition.args, *body])


def test_the_copy_is_the_helper_line_for_line() -> None:
    assert _code(taggable_types._write_whole) == _code(whole_file.write_whole)


@writer
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_read_only_folder_fails_before_anything_is_written(tmp_path: Path, write) -> None:
    """Replacing a file whole needs a file beside it: in a folder one may not write to, the write
    fails (PermissionError) with the old file as it was, where ``write_text`` would have rewritten
    it in place."""
    folder = tmp_path / "pages"
    folder.mkdir()
    target = folder / "cost.md"
    target.write_text("old")
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            write(target, "new")
        assert target.read_text() == "old"
        assert _names(folder) == ["cost.md"]
    finally:
        folder.chmod(0o755)
