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


# --- (d) dotted (path) keys in Pulumi.yaml's config: mergeConfig gets and sets them as paths ---


def _with(config: dict[str, Any]) -> Any:
    def edit(document: dict[str, Any]) -> None:
        document["config"].update(config)

    return edit


EXTRA = "mlops-platform:extra"


def test_a_dotted_project_default_is_set_inside_the_map_it_names(tmp_path: Path) -> None:
    """mergeConfig: ``stackConfig.Get(key, true)`` / ``Set(key, value, true)``: the key's name is a
    property path, the first segment the config key, the rest a path inside its object."""
    config = read_stack_file(_project(tmp_path, "  extra.region: eu-west-1\n")).config
    assert config[EXTRA] == {"region": "eu-west-1"}
    assert "mlops-platform:extra.region" not in config


def test_a_dotted_default_merges_into_the_stacks_map_whose_own_value_wins(tmp_path: Path) -> None:
    block = "  extra.region: eu-west-1\n  extra.zone: a\n"
    config = read_stack_file(_project(tmp_path, block, edit=_with({EXTRA: {"zone": "b", "n": 1}}))).config
    assert config[EXTRA] == {"zone": "b", "n": 1, "region": "eu-west-1"}


def test_a_dotted_key_of_another_namespace_sets_its_value_inside_that_key(tmp_path: Path) -> None:
    block = "  aws:assumeRole.roleArn:\n    value: arn:aws:iam::123456789012:role/plan\n"
    config = read_stack_file(_project(tmp_path, block)).config
    assert config["aws:assumeRole"] == {"roleArn": "arn:aws:iam::123456789012:role/plan"}


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"5"', 5),  # Value.coerceObject: base-10 digits are a number...
        ('"-5"', -5),
        ('"007"', "007"),  # ...unless they start with 0
        ('"true"', True),
        ('"1_000"', "1_000"),  # ParseInt(v, 10, 64) takes no `_`
        ('"1e3"', "1e3"),
        ("5", 5),
        ("false", False),
        ("{default: 0.5}", 0.5),
        ("[1, a]", [1, "a"]),
    ],
)
def test_a_dotted_default_is_coerced_as_pulumi_sets_a_path_value(
    tmp_path: Path, written: str, value: Any
) -> None:
    config = read_stack_file(_project(tmp_path, f"  extra.v: {written}\n")).config
    assert config[EXTRA] == {"v": value}


def test_a_required_dotted_key_the_stack_does_not_set_is_refused(tmp_path: Path) -> None:
    block = "  extra.region:\n    type: string\n"
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, block, edit=_with({EXTRA: {"zone": "a"}})))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key == "config.extra.region"
    assert "is missing configuration value 'extra.region'" in message
    config = read_stack_file(_project(tmp_path, block, edit=_with({EXTRA: {"region": "x"}}))).config
    assert config[EXTRA] == {"region": "x"}


@pytest.mark.parametrize(
    ("declared", "stack_value", "accepted"),
    [
        ("integer", 5, True),
        ("integer", "abc", False),
        ("string", 5, True),  # checked as the text "5" Get hands validateStackConfigValue
        ("boolean", True, True),
        ("boolean", "yes", False),
        ("object", {"a": 1}, True),
        ("object", 5, False),
    ],
)
def test_a_typed_dotted_key_is_checked_against_the_value_at_its_path(
    tmp_path: Path, declared: str, stack_value: Any, accepted: bool
) -> None:
    path = _project(tmp_path, f"  extra.v:\n    type: {declared}\n", edit=_with({EXTRA: {"v": stack_value}}))
    if accepted:
        assert read_stack_file(path).config[EXTRA] == {"v": stack_value}
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    assert f"must be of type '{declared}'" in _problems(raised)[0][1]


def test_a_secret_dotted_key_set_in_clear_is_refused(tmp_path: Path) -> None:
    block = "  extra.password:\n    type: string\n    secret: true\n"
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, block, edit=_with({EXTRA: {"password": "hunter2"}})))
    assert "must be encrypted" in _problems(raised)[0][1]
    encrypted = {EXTRA: {"password": {"secure": "v1:abc"}}}
    assert read_stack_file(_project(tmp_path, block, edit=_with(encrypted))).config[EXTRA] == encrypted[EXTRA]


def test_a_dotted_default_replaces_a_text_root_as_pulumi_does(tmp_path: Path) -> None:
    """object.Set's COMPAT: a first-level value that is no map or list becomes one."""
    config = read_stack_file(_project(tmp_path, "  extra.a: x\n", edit=_with({EXTRA: "hello"}))).config
    assert config[EXTRA] == {"a": "x"}


@pytest.mark.parametrize(
    ("block", "stack", "said"),
    [
        ("  extra.a: x\n", {EXTRA: [1, 2]}, "a list"),  # "key for an array must be an int"
        ("  extra.a.b: x\n", {EXTRA: {"a": 5}}, "not a map"),  # "expected a map"
        ("  extra.secure: x\n", {}, "secure"),  # errSecureReprReserved
    ],
)
def test_a_dotted_default_pulumi_cannot_set_is_refused_naming_pulumi_yaml(
    tmp_path: Path, block: str, stack: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, block, edit=_with(stack)))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key == f"config.{block.strip().split(':')[0]}"
    assert said in message


@pytest.mark.parametrize("written", ["extra[0]", "extra.", "extra..a", '"extra[\\"a.b\\"]"'])
def test_a_path_key_this_plan_does_not_read_is_refused_naming_pulumi_yaml(
    tmp_path: Path, written: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, f"  {written}: x\n"))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key.startswith("config.extra")
    assert "path" in message
