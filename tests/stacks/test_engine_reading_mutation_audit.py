"""Mutation audit of the stack-file reading: stacks/engine_yaml.py, stacks/project_config.py and
the parts of stacks/stack_file.py that use them (DOCSTRING TABLE TO FILL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.stack_file import load_yaml, read_stack_file
from tests.conftest import load_stack_document
from tests.yaml_text import dump_document

PROJECT_HEAD = "name: mlops-platform\nruntime: python\nstackConfigDir: stacks\n"


def _project(
    tmp_path: Path, config_block: str | None = None, *, edit: Any = None, text: str | None = None
) -> Path:
    """A project folder: Pulumi.yaml (``config_block`` under ``config:``) and stacks/Pulumi.dev.yaml,
    the dev fixture edited by ``edit`` (or ``text`` as written); returns the stack file."""
    (tmp_path / "Pulumi.yaml").write_text(
        PROJECT_HEAD + (f"config:\n{config_block}" if config_block is not None else "")
    )
    (tmp_path / "stacks").mkdir(exist_ok=True)
    path = tmp_path / "stacks" / "Pulumi.dev.yaml"
    if text is not None:
        path.write_text(text)
        return path
    document = load_stack_document("dev")
    if edit is not None:
        edit(document)
    path.write_text(dump_document(document))
    return path


def _problems(raised: pytest.ExceptionInfo[ConfigError]) -> list[tuple[str, str]]:
    return list(raised.value.problems)


# --- (a) the platform value expected from an ESC environment ---


def _platform_from_esc(document: dict[str, Any]) -> None:
    del document["config"][CONFIG_KEY]
    document["environment"] = ["team/shared", "team/ml"]


def test_a_platform_value_left_to_esc_is_refused_naming_the_environments(tmp_path: Path) -> None:
    path = _project(tmp_path, edit=_platform_from_esc)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    [(key, message)] = _problems(raised)
    assert key == CONFIG_KEY
    assert message.startswith("missing required key")
    assert "team/shared, team/ml" in message
    assert "ESC" in message
    assert "cannot read" in message


def test_a_missing_platform_value_without_esc_says_nothing_of_esc(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["config"][CONFIG_KEY]

    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, edit=edit))
    assert _problems(raised) == [(CONFIG_KEY, "missing required key")]


def test_bin_plan_stack_refuses_it_with_exit_2_empty_stdout_and_the_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import planner.__main__ as cli

    _project(tmp_path, edit=_platform_from_esc)
    monkeypatch.chdir(tmp_path)
    assert cli.run(["--stack", "dev", "--format", "json"], one_shot=True) == cli.EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Pulumi.dev.yaml" in captured.err
    assert CONFIG_KEY in captured.err
    assert "team/shared, team/ml" in captured.err


def test_the_pr_summary_of_that_refusal_names_the_environments(tmp_path: Path) -> None:
    from delivery.plan_summary import summarize

    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, edit=_platform_from_esc))
    summary = summarize("dev", None, str(raised.value), 2)
    assert "invalid stack file" in summary
    assert "team/shared, team/ml" in summary


# --- (b) a top-level float reaches the program as Go's encoding/json writes it ---


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("0.00001", "0.00001"),  # Python: 1e-05
        ("1e-5", "0.00001"),
        ("0.000001", "0.000001"),  # 1e-6: still fixed notation
        ("1e-7", "1e-7"),  # Python: 1e-07
        ("-2.5e-7", "-2.5e-7"),
        ("0.5", "0.5"),
        ("123456.75", "123456.75"),
        ("1.5e300", "1.5e+300"),
        ("1e21", "1e+21"),
        ("3.0", "3"),  # whole: the engine's JSON writes it without a fraction
    ],
)
def test_a_top_level_float_reaches_the_program_as_go_writes_it(
    tmp_path: Path, written: str, text: str
) -> None:
    """The engine keeps a stack file's float as the text ``json.Marshal`` writes of it
    (``object.MarshalString``), and hands the program that text (PULUMI_CONFIG)."""
    from stacks.project import engine_config_values

    document_text = dump_document(load_stack_document("dev"))
    assert document_text.startswith("config:\n")
    document_text = document_text.replace("config:\n", f"config:\n  aws:retryJitter: {written}\n", 1)
    config = read_stack_file(_project(tmp_path, text=document_text)).config
    assert engine_config_values(config)["aws:retryJitter"] == text


# --- (c) keys merged by `<<` into a text-keyed map keep their written text ---


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # yaml.v3's d.mapping: a map whose own keys are all text (or `<<`) is a map[string]any, and
        # the merged maps are decoded into it: d.scalar sets a string key to the text as written.
        ("m: {<<: {0x10: a, 1_000: b, +12: c, TRUE: d}, name: x}\n",
         {"m": {"0x10": "a", "1_000": "b", "+12": "c", "TRUE": "d", "name": "x"}}),
        ("m: {<<: {1.5: e}, name: x}\n", {"m": {"1.5": "e", "name": "x"}}),  # not refused: text
        ("m: {<<: {~: e, k: v}, name: x}\n", {"m": {"k": "v", "name": "x"}}),  # null: no string key
        ("m: {<<: {0x10: a}, '16': x}\n", {"m": {"0x10": "a", "16": "x"}}),  # two keys, not one
        ("m: {<<: {0x10: a}, '0x10': x}\n", {"m": {"0x10": "x"}}),  # the written key wins
        ("a: &a {0x1: one}\nb: &b {<<: *a, k: v}\nc: {<<: *b, n: m}\n",
         {"a": {"1": "one"}, "b": {"0x1": "one", "k": "v"}, "c": {"0x1": "one", "k": "v", "n": "m"}}),
        # A map with a key of its own that is no text is a map[any]any: merged keys are resolved
        # and named as Go's %v names them, as before.
        ("m: {<<: {0x10: a}, 5: x}\n", {"m": {"16": "a", "5": "x"}}),
        ("m: {<<: {0x10: a}}\n", {"m": {"0x10": "a"}}),  # only `<<`: text-keyed
    ],
)  # fmt: skip
def test_a_key_merged_into_a_text_keyed_map_keeps_its_written_text(text: str, value: Any) -> None:
    assert load_yaml(text, "Pulumi.x.yaml") == value
