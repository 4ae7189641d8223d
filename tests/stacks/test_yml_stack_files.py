"""A ``Pulumi.<stack>.yml`` stack file is refused by name, never silently ignored or planned.

Pulumi names a stack's settings file after the project file, with the project file's extension
(``Pulumi.yaml`` here, so ``stacks/Pulumi.<stack>.yaml``: its workspace's DetectProjectStackPath),
and the program reads that name alone (``__main__.py``). A ``.yml`` copy is a file no ``pulumi up``
ever reads: listing it as a stack, or planning it as if it would deploy, was wrong, and so was
skipping it without a word (the stack then silently never deploys). Every command that reads
stack files refuses it as an invalid stack file (exit 2) naming the file and what to rename it to;
``delivery.stacks`` lists it as an invalid file, so the pull request's offline plan reports it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG
from planner.__main__ import main as plan
from stacks.config import ConfigError
from stacks.stack_file import read_stack_file


def test_reading_a_yml_stack_file_refuses_it_and_says_what_to_rename_it_to(write_stack) -> None:
    path = write_stack("dev", name="Pulumi.sandbox.yml")  # a valid stack, under the name Pulumi skips

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    assert raised.value.source == str(path)
    [(key, message)] = raised.value.problems
    assert key == ""
    assert "rename it to Pulumi.sandbox.yaml" in message
    assert str(raised.value).splitlines()[1].startswith(f"  {path}: <file>: ")


@pytest.mark.parametrize("suffix", [".YML", ".Yml", ".YAML", ".Yaml"])
def test_every_other_spelling_of_the_extension_is_refused_too(write_stack, suffix: str) -> None:
    """Pulumi looks the file up by its exact name (on Linux, where CI runs it): Pulumi.x.YAML is
    as unread as Pulumi.x.yml."""
    path = write_stack("dev", name=f"Pulumi.sandbox{suffix}")

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    [(_, message)] = raised.value.problems
    assert message.startswith(f"is a {suffix} file, which Pulumi never reads")
    assert message.endswith("rename it to Pulumi.sandbox.yaml")


def test_a_yml_file_beside_its_yaml_twin_is_refused_without_suggesting_to_overwrite_the_twin(
    write_stack,
) -> None:
    write_stack("dev", name="Pulumi.sandbox.yaml")
    path = write_stack("dev", name="Pulumi.sandbox.yml")

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    [(_, message)] = raised.value.problems
    assert "rename it" not in message
    assert "Pulumi.sandbox.yaml is the one Pulumi reads" in message


def test_the_yaml_stack_files_are_still_read(write_stack) -> None:
    assert read_stack_file(write_stack("dev", name="Pulumi.sandbox.yaml")).stack == "sandbox"


def test_the_plan_of_a_yml_stack_file_exits_2_naming_it(write_stack, capsys) -> None:
    path = write_stack("dev", name="Pulumi.sandbox.yml")

    assert plan(["--config", str(path)]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: <file>: " in captured.err
    assert "rename it to Pulumi.sandbox.yaml" in captured.err


def test_a_stack_named_on_the_command_line_whose_file_is_yml_says_so(
    tmp_path: Path, write_stack, monkeypatch, capsys
) -> None:
    (tmp_path / "stacks").mkdir()
    write_stack("dev", name="stacks/Pulumi.sandbox.yml")
    monkeypatch.chdir(tmp_path)

    assert plan(["--stack", "sandbox"]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    [_, problem] = captured.err.splitlines()
    assert problem.startswith("  stacks/Pulumi.sandbox.yaml: <file>: file not found")
    assert "Pulumi.sandbox.yml" in problem and "rename it" in problem


def test_a_missing_stack_file_without_a_yml_twin_is_just_not_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(tmp_path / "Pulumi.nothing.yaml")

    assert raised.value.problems == [("", "file not found")]


@pytest.mark.parametrize("name", ["candidate.yml", "candidate.YAML"])
def test_a_yml_file_not_named_as_a_stack_file_is_read_as_before(write_stack, name: str) -> None:
    """The refusal is of ``Pulumi.<stack>.yml``, the name of a stack file Pulumi would skip. Any
    other file given to ``--config`` is read whatever its extension, as ``candidate.yaml`` is: the
    refusal said "candidate.yaml is the one Pulumi reads", which Pulumi never does either."""
    path = write_stack("dev", name=name)

    assert read_stack_file(path).stack == path.stem
    assert read_stack_file(write_stack("dev", name="candidate.yaml")).stack == "candidate"


def test_a_missing_file_not_named_as_a_stack_file_gets_no_twin_hint(tmp_path: Path, write_stack) -> None:
    write_stack("dev", name="candidate.yml")

    with pytest.raises(ConfigError) as raised:
        read_stack_file(tmp_path / "candidate.yaml")

    assert raised.value.problems == [("", "file not found")]


def test_a_mistyped_stack_names_the_closest_stack_and_every_stack_beside_it(
    tmp_path: Path, write_stack, monkeypatch, capsys
) -> None:
    """``make plan STACK=prd`` said only "file not found": the stacks the folder has, the closest
    first, are what the user needs to retype it (``.yml`` files are no stacks: Pulumi skips them)."""
    (tmp_path / "stacks").mkdir()
    for stack in ("dev", "prod", "staging"):
        write_stack("dev", name=f"stacks/Pulumi.{stack}.yaml")
    write_stack("dev", name="stacks/Pulumi.old.yml")
    monkeypatch.chdir(tmp_path)

    assert plan(["--stack", "prd"]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    [_, problem] = captured.err.splitlines()
    assert problem == (
        "  stacks/Pulumi.prd.yaml: <file>: file not found "
        "(did you mean prod? stacks/ has the stacks dev, prod, staging)"
    )


def test_a_stack_name_close_to_none_lists_the_stacks_without_a_guess(tmp_path: Path, write_stack) -> None:
    for stack in ("dev", "prod"):
        write_stack("dev", name=f"Pulumi.{stack}.yaml")

    with pytest.raises(ConfigError) as raised:
        read_stack_file(tmp_path / "Pulumi.qa-eu-central.yaml")

    assert raised.value.problems == [("", f"file not found ({tmp_path}/ has the stacks dev, prod)")]


def test_a_folder_of_many_stacks_is_named_by_its_first_twelve(tmp_path: Path, write_stack) -> None:
    for number in range(14):
        write_stack("dev", name=f"Pulumi.team{number:02d}.yaml")

    with pytest.raises(ConfigError) as raised:
        read_stack_file(tmp_path / "Pulumi.team99.yaml")

    [(_, message)] = raised.value.problems
    listed = ", ".join(f"team{number:02d}" for number in range(12))
    assert message.endswith(f"{tmp_path}/ has the stacks {listed}, ...)")
    assert "team12" not in message
