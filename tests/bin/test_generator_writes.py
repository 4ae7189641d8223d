"""The commands that rewrite a tracked file write it whole, and only once everything is ready.

``components.component_package --write``, ``components.prebuilt_images --write``,
``policies.taggable_types --write``, ``stacks.reference`` / ``stacks.component_reference --write``
(:class:`stacks.generated_block.GeneratedBlock`), ``python -m planner.readme`` (``make diagram``)
and ``bench/run.py --json`` each wrote the target in place (``write_text``: truncate, then write),
so a run failing part-way left an empty or half-written file; ``planner.readme`` rewrote
docs/cost.md before it found that README.md lacked its markers. Each now computes and encodes
every new text first and replaces each file through a temporary file renamed over it.

A failure part-way is made real here with a lone surrogate in the new text: UTF-8 cannot encode
it, so the write raises where a full disk or an interrupt would.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

import bench.plan_bench
from bench import run as bench_run
from components import component_package, prebuilt_images
from components.whole_file import write_whole
from planner import readme
from policies import taggable_types
from stacks.generated_block import GeneratedBlock

CUT = "a new text that cannot be written whole \ud800"
"""A lone surrogate: encoding it to UTF-8 fails, as a write cut short by a full disk would."""
OLD = "the old file, whole\n"


def _only_the_old_file(target: Path) -> None:
    assert target.read_text() == OLD, "the old file is untouched"
    assert sorted(path.name for path in target.parent.iterdir()) == [target.name], "no partial file left"


def _old(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(OLD)
    return target


def test_write_whole_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = _old(tmp_path / "schema.json")
    target.chmod(0o640)

    write_whole(target, "new\n")

    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["schema.json"]


def test_write_whole_creates_a_new_file_with_the_default_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_whole(tmp_path / "new.json", b"{}\n")
    finally:
        os.umask(umask)

    assert (tmp_path / "new.json").read_bytes() == b"{}\n"
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644, "not a temporary file's 0600"


def test_write_whole_leaves_the_old_file_when_the_write_fails(tmp_path: Path) -> None:
    target = _old(tmp_path / "schema.json")

    with pytest.raises(UnicodeEncodeError):
        write_whole(target, CUT)

    _only_the_old_file(target)


def test_write_whole_removes_its_partial_file_when_the_rename_fails(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.mkdir()  # a folder in the way: the rename over it fails after the partial file is written
    (target / "inside").write_text("kept")

    with pytest.raises(OSError):
        write_whole(target, "new\n")

    assert sorted(path.name for path in tmp_path.iterdir()) == ["schema.json"], "no partial file left"
    assert (target / "inside").read_text() == "kept"


def test_component_package_write_leaves_the_old_schema_when_it_fails(tmp_path: Path, monkeypatch) -> None:
    target = _old(tmp_path / "provider" / "schema.json")
    monkeypatch.setattr(component_package, "__file__", str(tmp_path / "components" / "component_package.py"))
    monkeypatch.setattr(component_package, "_version", lambda root: "0.0.0")
    monkeypatch.setattr(component_package, "schema", lambda version: {})
    monkeypatch.setattr(component_package, "json", SimpleNamespace(dumps=lambda *args, **kwargs: CUT))

    with pytest.raises(UnicodeEncodeError):
        component_package._main(["--write"])

    _only_the_old_file(target)


def test_component_package_write_replaces_the_schema(tmp_path: Path, monkeypatch) -> None:
    target = _old(tmp_path / "provider" / "schema.json")
    monkeypatch.setattr(component_package, "__file__", str(tmp_path / "components" / "component_package.py"))
    monkeypatch.setattr(component_package, "_version", lambda root: "0.0.0")
    monkeypatch.setattr(component_package, "schema", lambda version: {"version": version})

    assert component_package._main(["--write"]) == 0

    assert target.read_text() == '{\n  "version": "0.0.0"\n}\n'


def test_prebuilt_images_write_leaves_the_old_registries_when_it_fails(tmp_path: Path, monkeypatch) -> None:
    target = _old(tmp_path / "prebuilt_image_registries.json")
    monkeypatch.setattr(prebuilt_images, "_KEPT", target)
    monkeypatch.setattr(prebuilt_images, "kept_registries_text", lambda: CUT)

    with pytest.raises(UnicodeEncodeError):
        prebuilt_images.main(["--write"])

    _only_the_old_file(target)


def test_prebuilt_images_write_replaces_the_registries(tmp_path: Path, monkeypatch) -> None:
    target = _old(tmp_path / "prebuilt_image_registries.json")
    monkeypatch.setattr(prebuilt_images, "_KEPT", target)
    monkeypatch.setattr(prebuilt_images, "kept_registries_text", lambda: "{}\n")

    prebuilt_images.main(["--write"])

    assert target.read_text() == "{}\n"


def test_taggable_types_write_leaves_the_old_list_when_it_fails(tmp_path: Path, monkeypatch) -> None:
    target = _old(tmp_path / "taggable_types.json")
    monkeypatch.setattr(taggable_types, "DATA_FILE", target)
    monkeypatch.setattr(taggable_types, "derive", dict)
    monkeypatch.setattr(taggable_types, "render", lambda content: CUT)

    with pytest.raises(UnicodeEncodeError):
        taggable_types.main(["--write"])

    _only_the_old_file(target)


def test_taggable_types_write_replaces_the_list(tmp_path: Path, monkeypatch) -> None:
    target = _old(tmp_path / "taggable_types.json")
    monkeypatch.setattr(taggable_types, "DATA_FILE", target)
    monkeypatch.setattr(taggable_types, "derive", lambda: {"types": []})

    assert taggable_types.main(["--write"]) == 0

    assert target.read_text() == '{\n "types": []\n}\n'


def test_a_generated_block_write_leaves_the_old_page_when_it_fails(tmp_path: Path) -> None:
    target = tmp_path / "configuration.md"
    target.write_text("prose\n<!-- b -->\nold\n<!-- e -->\nmore prose\n")
    before = target.read_text()

    with pytest.raises(UnicodeEncodeError):
        GeneratedBlock(target, "<!-- b -->", "<!-- e -->").main(["--write"], lambda: CUT)

    assert target.read_text() == before
    assert [path.name for path in tmp_path.iterdir()] == ["configuration.md"]


@pytest.fixture
def readme_pages(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """planner.readme pointed at two pages of a temporary checkout, with blocks made up here (no
    recording: the blocks' content is another test's concern)."""
    import planner.recorder

    cost = tmp_path / "docs" / "cost.md"
    cost.parent.mkdir()
    cost.write_text(f"cost\n{readme.BEGIN}\nold cost block\n{readme.END}\n")
    loop = tmp_path / "README.md"
    loop.write_text(f"readme\n{readme.LOOP_BEGIN}\nold loop block\n{readme.LOOP_END}\n")
    monkeypatch.setattr(readme, "REPO", tmp_path)
    monkeypatch.setattr(readme, "DOCUMENT", cost)
    monkeypatch.setattr(readme, "LOOP_DOCUMENT", loop)
    monkeypatch.setattr(planner.recorder, "record_stack_file", lambda path: None)
    monkeypatch.setattr(readme, "render_block", lambda graph: "new cost block")
    monkeypatch.setattr(readme, "render_loop_block", lambda graph: "new loop block")
    return cost, loop


def test_make_diagram_rewrites_both_blocks(readme_pages: tuple[Path, Path], capsys) -> None:
    cost, loop = readme_pages

    assert readme.main([]) == 0

    assert cost.read_text() == f"cost\n{readme.BEGIN}\nnew cost block\n{readme.END}\n"
    assert loop.read_text() == f"readme\n{readme.LOOP_BEGIN}\nnew loop block\n{readme.LOOP_END}\n"


def test_make_diagram_writes_nothing_when_a_page_lacks_its_markers(
    readme_pages: tuple[Path, Path], capsys
) -> None:
    cost, loop = readme_pages
    loop.write_text("a README without the loop block's markers\n")
    before = cost.read_text()

    assert readme.main([]) == 2

    assert cost.read_text() == before, "docs/cost.md is not rewritten when README.md cannot be"
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"README.md: no {readme.LOOP_BEGIN!r}")
    assert "nothing was written" in captured.err


def test_make_diagram_writes_nothing_when_a_block_cannot_be_written(
    readme_pages: tuple[Path, Path], monkeypatch
) -> None:
    cost, loop = readme_pages
    before = cost.read_text(), loop.read_text()
    monkeypatch.setattr(readme, "render_loop_block", lambda graph: CUT)

    with pytest.raises(UnicodeEncodeError):
        readme.main([])

    assert (cost.read_text(), loop.read_text()) == before
    assert sorted(path.name for path in cost.parent.iterdir()) == ["cost.md"]
    assert sorted(path.name for path in loop.parent.iterdir()) == ["README.md", "docs"]


def test_bench_json_leaves_the_old_file_when_it_fails(tmp_path: Path, monkeypatch, capsys) -> None:
    target = _old(tmp_path / "bench.json")
    monkeypatch.setattr(bench.plan_bench, "measure", lambda runs, slow: [])
    monkeypatch.setattr(bench_run, "OPTIONAL", ())
    monkeypatch.setattr(bench_run, "json", SimpleNamespace(dumps=lambda *args, **kwargs: CUT))

    with pytest.raises(UnicodeEncodeError):
        bench_run.main(["--quick", "--json", str(target)])

    _only_the_old_file(target)


def test_bench_json_writes_the_figures(tmp_path: Path, monkeypatch, capsys) -> None:
    target = tmp_path / "bench.json"
    monkeypatch.setattr(bench.plan_bench, "measure", lambda runs, slow: [])
    monkeypatch.setattr(bench_run, "OPTIONAL", ())

    assert bench_run.main(["--quick", "--json", str(target)]) == 0

    assert '"figures": []' in target.read_text()


def test_make_diagram_check_names_each_stale_page_on_stderr_and_exits_1(
    readme_pages: tuple[Path, Path], capsys
) -> None:
    cost, loop = readme_pages
    before = cost.read_text(), loop.read_text()

    assert readme.main(["--check"]) == 1

    captured = capsys.readouterr()
    assert captured.out == "", "the verdict's diagnostics go to stderr, as policies.taggable_types --check's"
    assert captured.err.splitlines() == [
        "docs/cost.md: the prod cost and diagram block is stale: run `make diagram`",
        "README.md: the prod MLOps loop block is stale: run `make diagram`",
    ]
    assert (cost.read_text(), loop.read_text()) == before, "--check writes nothing"


def test_make_diagram_check_of_current_pages_says_up_to_date(readme_pages: tuple[Path, Path], capsys) -> None:
    assert readme.main([]) == 0
    capsys.readouterr()

    assert readme.main(["--check"]) == 0

    assert capsys.readouterr() == ("up to date\n", "")


@pytest.mark.parametrize(
    "page",
    [
        "prose\n<!-- b -->\nold\nno end marker\n",
        "prose\n<!-- e -->\nold\n<!-- b -->\nmore prose\n",
    ],
    ids=["no-end-marker", "end-marker-before-begin"],
)
def test_a_generated_block_write_to_a_page_without_its_block_writes_nothing_and_exits_2(
    tmp_path: Path, page: str, capsys
) -> None:
    target = tmp_path / "configuration.md"
    target.write_text(page)

    assert GeneratedBlock(target, "<!-- b -->", "<!-- e -->").main(["--write"], lambda: "new") == 2

    assert target.read_text() == page, "a page whose block cannot be found is never rewritten"
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{target}: no '<!-- b -->' ... '<!-- e -->' block: nothing was written\n"
