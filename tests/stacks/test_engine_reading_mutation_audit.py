"""A hand-mutation audit of the stack-file reading: stacks/engine_yaml.py (yaml.v3's plain-scalar
resolution, Go's ParseInt/ParseUint/ParseFloat, Pulumi's config keys, encoding/json numbers),
stacks/project_config.py (Pulumi.yaml's ``config:`` merged as ``workspace.mergeConfig`` merges it,
the ESC environments named) and what stacks/stack_file.py does with them (``reading_loader``, the
problems named at a key with line and column, ``dump_stack_document``), plus
``stacks.project.engine_config_values``, the text the program is handed.

Ground truth: Pulumi's pkg/workspace/config.go (mergeConfig, createConfigValue,
validateStackConfigValue), sdk/go/common/resource/config/{map,value,object}.go (Get/Set with a
path, coerceObject, MarshalString), resource/properties_path.go; gopkg.in/yaml.v3's resolve.go and
decode.go (d.mapping, isStringMap, d.merge, d.scalar into a string).

One-step mutations applied one at a time against the covering tests (tests/stacks/
test_engine_yaml.py, test_engine_yaml_review.py, test_project_config.py,
test_project_config_review.py, test_yaml_merge_keys.py, test_unquoted_yaml_scalars.py,
test_yaml_parsers_agree.py, test_malformed_stack_files.py; this file for the second pass). First
pass: the code as it was; second pass: the code added for the four fixes below.

=======================================  =========  ========  ==========  ==========  ==========
module (stacks/)                         mutations  survived  caught now  equivalent  left alone
=======================================  =========  ========  ==========  ==========  ==========
engine_yaml.py                                  74        30          23           7           0
project_config.py                               76        25          16           9           0
stack_file.py (reading, writing, errors)        43         6           4           2           0
project.py (engine_config_values)                2         1           1           0           0
second pass: the fixes' code                    34        10           7           3           0
total                                          229        72          51          21           0
=======================================  =========  ========  ==========  ==========  ==========

Fixed (product, each with a CHANGELOG entry and its tests here, failing on the code before):

- (a) a stack file without ``mlops-platform:platform`` that imports ESC environments was refused
  as "missing required key" with no word of ESC: the refusal (exit 2, empty stdout, the file and
  key; ``bin/plan --stack``, the JSON path, the pull request's summary) now names the environments
  and says the offline plan cannot read them (``test_a_platform_value_left_to_esc_*``,
  ``test_bin_plan_stack_*``, ``test_the_pr_summary_of_that_refusal_*``).
- (b) a top-level float reached the program as Python writes it (``1e-05``); the engine keeps it
  as ``json.Marshal`` writes it (``object.MarshalString``) and hands the program that text:
  ``0.00001``, ``1e-7`` (``test_a_top_level_float_reaches_the_program_as_go_writes_it``).
- (c) a key merged by ``<<`` into a map whose own keys are all text was resolved (``0x10`` -> 16,
  ``1.5`` refused); yaml.v3 decodes the merged map into that map[string]any, keeping the text
  written, and drops a null key (``test_a_key_merged_into_a_text_keyed_map_*``).
- (d) a dotted key in Pulumi.yaml's ``config:`` was set as a key of its own; mergeConfig gets and
  sets it as a property path inside its first segment's key (coerced as ``coerceObject`` coerces
  text, type- and secret-checked at its path, required when it has neither default nor value),
  and refuses what ``object.Set`` refuses; an index or quoted path is refused naming Pulumi.yaml
  (``test_a_dotted_*``, ``test_a_required_dotted_*``, ``test_a_typed_dotted_*``,
  ``test_a_secret_dotted_*``, ``test_a_path_key_this_plan_does_not_read_*``).

Caught now (the mutation ids are the comments beside the rows and tests that kill them; each test
was run under its mutation and fails there, and passes on the code as it is):

- engine_yaml.py: ``TRUE`` (E1), ``.NAN`` (E5), ``+.inf`` (E6), ``-.inf`` (E7) dropped from the
  word table; int64's least refused (E14); uint64 past its most (E16) and int64 past its least
  (E34) kept as integers instead of floats; ``,`` before a timestamp's fraction (E19), an offset
  of 24 hours (E41) or of 60 minutes (E42) not read as a timestamp, a second of 60 read as one
  (E40), 1900-02-29 (E37) and 2024-04-31 (E38) read as dates, a year not starting with 2 not
  checked (E75); an empty digit string read as 0 (E24); a digit equal to the base taken (E29); a
  ``+`` before digits not stripped (E33); ``!!int .inf`` accepted (E46); ``_5`` read as 5 (E50);
  the 0o branch dropped (E54); text returned without its ``_`` (E58); ``!!float 5`` left an int
  (E61); a negative whole float past -1e21 made an int (E64).
- project_config.py: Atoi's int64 least refused (P2); an array type without items accepting lists
  (P10); an items map without a type crashing (P23); an inner array without items (P25) or its
  inner items (P26) dropped; ``mlops-platform:x`` taken for another namespace (P28); a non-boolean
  ``secret`` (P33) or a non-text ``description`` (P34) accepted; a non-map ``config:`` crashing
  (P44); an empty project name accepted (P45); ``{secure, other}`` taken for an encrypted value
  (P48); tags with an encrypted leaf refused (P66); a boolean, list or null tag accepted (P68);
  an ESC list with a non-name (P70), a definition with another key (P71), an import map naming two
  (P73) not named as unread.
- stack_file.py: an unhashable key given another message (S16); the writer sorting keys (S21) or
  escaping non-ASCII text (S22); Pulumi.yaml read as YAML 1.1 (S45).
- project.py: an encrypted value handed to the program as its JSON instead of the stand-in (R2).
- second pass: a null key tagged ``!!null`` merged in kept (N8); a map with a tagged ``!!int`` key
  taken as text-keyed (N9); a path walked into an encrypted value (N13); the text ``false`` not
  coerced (N15); an encrypted root walked into instead of replaced (N20); a missing map on a
  dotted key's way refused instead of made (N21); an encrypted value on the way walked into (N22).

Equivalent (no observable difference):

- E15 (int64's most + 1 read by ParseInt instead of ParseUint: one Python int either way), E49
  (Python's float() takes ``_`` between digits as Go's ParseFloat does), E55, E56, E57 (yaml.v3's
  uint fallback in its 0b/0o branch and its -0b/-0o branches succeed only where ParseInt or
  ParseUint with base 0 already did), E65 (int() of a whole float is exact), E74
  (``tagged_scalar`` is never called with ``!!str``).
- P15, P17 (a project value's nested or large whole floats are already integers when read), P30
  (another namespace's shorthand as a default instead of a value: the merge takes either), P43
  (an empty ``config: {}`` declares nothing either way; it differs only for a project without a
  name, which Pulumi refuses to load), P52 (the JSON round trip of JSON values), P54 (default and
  value together are refused first), P57 (another namespace's key without a value is refused
  first), P62 (an encrypted value passes the type check as an encrypted leaf does), P69 (an empty
  list names no environment either way).
- S18 (a plain scalar equal to its text is text), S20 (double instead of single quotes).
- second pass: N4 (merged keys only as text: a text-keyed map's own keys are their text; the
  code now names every key of such a map as written), N7 (a timestamp key taken as text: a map's
  own keys are resolved, and a timestamp refused, by the duplicate check first), N18 (as P15).

Left alone: a stack file's nested floats and key order in the JSON text of an object value
(Python's ``1e-05`` and insertion order where Go writes ``0.00001`` and sorts keys): the program
parses that JSON, and the values and keys are the same; ``-0.0`` (Go writes ``-0``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.engine_yaml import (
    FLOAT_TAG,
    INT_TAG,
    EngineValueError,
    plain_scalar,
    program_value,
    tagged_scalar,
)
from stacks.project_config import TAGS_KEY, esc_environments, pulumi_tags_problems, valid_config_value
from stacks.stack_file import dump_stack_document, load_yaml, read_stack_file
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder
from tests.yaml_text import dump_document


def _problems(raised: pytest.ExceptionInfo[ConfigError]) -> list[tuple[str, str]]:
    return list(raised.value.problems)


# --- (a) the platform value expected from an ESC environment ---


def _platform_from_esc(document: dict[str, Any]) -> None:
    del document["config"][CONFIG_KEY]
    document["environment"] = ["team/shared", "team/ml"]


def test_a_platform_value_left_to_esc_is_refused_naming_the_environments(tmp_path: Path) -> None:
    path = project_folder(tmp_path, edit=_platform_from_esc)
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
        read_stack_file(project_folder(tmp_path, edit=edit))
    assert _problems(raised) == [(CONFIG_KEY, "missing required key")]


def test_bin_plan_stack_refuses_it_with_exit_2_empty_stdout_and_the_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import planner.__main__ as cli

    project_folder(tmp_path, edit=_platform_from_esc)
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
        read_stack_file(project_folder(tmp_path, edit=_platform_from_esc))
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
    config = read_stack_file(project_folder(tmp_path, text=document_text)).config
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
        ("m: {<<: {!!null '': e, k: v}, name: x}\n", {"m": {"k": "v", "name": "x"}}),  # tagged null too
        ("m: {<<: {0x10: a}, '16': x}\n", {"m": {"0x10": "a", "16": "x"}}),  # two keys, not one
        ("m: {<<: {0x10: a}, '0x10': x}\n", {"m": {"0x10": "x"}}),  # the written key wins
        ("a: &a {0x1: one}\nb: &b {<<: *a, k: v}\nc: {<<: *b, n: m}\n",
         {"a": {"1": "one"}, "b": {"0x1": "one", "k": "v"}, "c": {"0x1": "one", "k": "v", "n": "m"}}),
        # A map with a key of its own that is no text is a map[any]any: merged keys are resolved
        # and named as Go's %v names them, as before.
        ("m: {<<: {0x10: a}, 5: x}\n", {"m": {"16": "a", "5": "x"}}),
        ("m: {<<: {0x10: a}, !!int 5: x}\n", {"m": {"16": "a", "5": "x"}}),  # a tagged key: !!int
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
    config = read_stack_file(project_folder(tmp_path, "  extra.region: eu-west-1\n")).config
    assert config[EXTRA] == {"region": "eu-west-1"}
    assert "mlops-platform:extra.region" not in config


def test_a_dotted_default_merges_into_the_stacks_map_whose_own_value_wins(tmp_path: Path) -> None:
    block = "  extra.region: eu-west-1\n  extra.zone: a\n"
    config = read_stack_file(
        project_folder(tmp_path, block, edit=_with({EXTRA: {"zone": "b", "n": 1}}))
    ).config
    assert config[EXTRA] == {"zone": "b", "n": 1, "region": "eu-west-1"}


def test_a_dotted_key_of_another_namespace_sets_its_value_inside_that_key(tmp_path: Path) -> None:
    block = "  aws:assumeRole.roleArn:\n    value: arn:aws:iam::123456789012:role/plan\n"
    config = read_stack_file(project_folder(tmp_path, block)).config
    assert config["aws:assumeRole"] == {"roleArn": "arn:aws:iam::123456789012:role/plan"}


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"5"', 5),  # Value.coerceObject: base-10 digits are a number...
        ('"-5"', -5),
        ('"007"', "007"),  # ...unless they start with 0
        ('"true"', True),
        ('"false"', False),
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
    config = read_stack_file(project_folder(tmp_path, f"  extra.v: {written}\n")).config
    assert config[EXTRA] == {"v": value}


def test_a_required_dotted_key_the_stack_does_not_set_is_refused(tmp_path: Path) -> None:
    block = "  extra.region:\n    type: string\n"
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block, edit=_with({EXTRA: {"zone": "a"}})))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key == "config.extra.region"
    assert "is missing configuration value 'extra.region'" in message
    config = read_stack_file(project_folder(tmp_path, block, edit=_with({EXTRA: {"region": "x"}}))).config
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
    path = project_folder(
        tmp_path, f"  extra.v:\n    type: {declared}\n", edit=_with({EXTRA: {"v": stack_value}})
    )
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
        read_stack_file(project_folder(tmp_path, block, edit=_with({EXTRA: {"password": "hunter2"}})))
    assert "must be encrypted" in _problems(raised)[0][1]
    encrypted = {EXTRA: {"password": {"secure": "v1:abc"}}}
    assert (
        read_stack_file(project_folder(tmp_path, block, edit=_with(encrypted))).config[EXTRA]
        == encrypted[EXTRA]
    )


def test_a_dotted_default_replaces_a_text_root_as_pulumi_does(tmp_path: Path) -> None:
    """object.Set's COMPAT: a first-level value that is no map or list becomes one."""
    config = read_stack_file(project_folder(tmp_path, "  extra.a: x\n", edit=_with({EXTRA: "hello"}))).config
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
        read_stack_file(project_folder(tmp_path, block, edit=_with(stack)))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key == f"config.{block.strip().split(':')[0]}"
    assert said in message


@pytest.mark.parametrize("written", ["extra[0]", "extra.", '"extra[\\"a.b\\"]"'])
def test_a_path_key_this_plan_does_not_read_is_refused_naming_pulumi_yaml(
    tmp_path: Path, written: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, f"  {written}: x\n"))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key.startswith("config.extra")
    assert "path" in message


# --- engine_yaml: the resolution rows no test held ---


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("TRUE", True),  # resolve.go's table: true, True, TRUE (E1)
        ("-.inf", -math.inf),  # (E7)
        ("+.inf", math.inf),  # (E6)
        ("-9223372036854775808", -(2**63)),  # int64's least: ParseInt takes it (E14)
        ("18446744073709551615", 2**64 - 1),  # uint64's most: ParseUint takes it
        ("0o+17", 15),  # yaml.v3's own 0o branch: ParseInt("+17", 8) (E54)
        ("+0x10", 16),  # ParseInt(base 0) takes a sign before the prefix (E33)
        ("019", 19.0),  # no octal (9): ParseFloat reads 19 (E29)
        ("0b2", "0b2"),  # no binary digit: text (E29)
        ("0o8", "0o8"),  # (E29)
        ("0b", "0b"),  # a prefix without digits: text (E24)
        ("+", "+"),  # a sign alone: text (E24)
        ("_5", "_5"),  # `_` is no first character resolve.go reads a number from: text (E50)
        ("1_a", "1_a"),  # text as written, its `_` kept (E58)
        ("1900-02-29", "1900-02-29"),  # 1900 is no leap year: no date, text (E37)
        ("2024-04-31", "2024-04-31"),  # April has 30 days, leap year or not (E38)
        ("2026-12-01 10:00:60", "2026-12-01 10:00:60"),  # time.Parse: second out of range (E40)
    ],
)
def test_a_plain_scalar_resolves_as_yaml_v3_and_go_strconv_resolve_it(written: str, value: Any) -> None:
    got = plain_scalar(written)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    "written",
    [
        "18446744073709551616",  # past uint64: ParseFloat's float64 (E16)
        "-9223372036854775809",  # past int64: a float64 too (E34)
    ],
)
def test_an_integer_past_go_s_ranges_is_a_float(written: str) -> None:
    assert type(plain_scalar(written)) is float


def test_a_very_large_negative_whole_float_stays_a_float() -> None:
    """encoding/json writes -1e22 as ``-1e+22``, a float to the program (E64)."""
    assert type(program_value(plain_scalar("-1e22"))) is float
    assert program_value(plain_scalar("-1e20")) == -(10**20)


def test_nan_written_in_capitals_is_nan() -> None:
    assert math.isnan(plain_scalar(".NAN"))  # (E5)


@pytest.mark.parametrize(
    "written",
    [
        "2026-12-01T10:00:00,5Z",  # time.Parse takes `,` before the fraction (E19)
        "2026-12-01T10:00:00+24:00",  # an offset of 24 hours is in range (E41)
        "2026-12-01T10:00:00+01:60",  # and of 60 minutes (E42)
        "1999-12-31",  # any year (E75)
        "2000-02-29",  # 2000 is a leap year
    ],
)
def test_a_timestamp_go_parses_is_refused(written: str) -> None:
    with pytest.raises(EngineValueError, match="is a timestamp to YAML"):
        plain_scalar(written)


def test_a_plus_signed_integer_is_an_int_to_the_int_tag() -> None:
    assert tagged_scalar(INT_TAG, "+12") == 12  # ParseInt takes `+` (E33)


def test_the_int_tag_refuses_infinity() -> None:
    """`.inf` resolves to !!float: `!!int .inf` is refused, as yaml.v3 refuses it (E46)."""
    with pytest.raises(EngineValueError, match=re.escape("cannot read !!float `.inf` as !!int")):
        tagged_scalar(INT_TAG, ".inf")


def test_the_float_tag_makes_a_float_of_an_integer() -> None:
    """``!!float 5`` is the float64 5 (E61): as a key it is refused, as a fractional key is."""
    value = tagged_scalar(FLOAT_TAG, "5")
    assert value == 5.0
    assert type(value) is float
    with pytest.raises(ConfigError, match=re.escape("a key that YAML reads as the number 5.0")):
        load_yaml("a: {!!float 5: x}\n", "Pulumi.x.yaml")


# --- project_config: the declarations and checks no test held ---


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("-9223372036854775808", True),  # strconv.Atoi takes int64's least (P2)
        ("9223372036854775807", True),
        ("9223372036854775808", False),
        ("-9223372036854775809", False),
        ("+5", True),
    ],
)
def test_an_integer_key_s_text_is_checked_as_strconv_atoi_reads_it(text: str, accepted: bool) -> None:
    assert valid_config_value("integer", None, text) is accepted


def test_an_array_type_without_its_items_type_accepts_nothing() -> None:
    assert valid_config_value("array", None, [1]) is False  # (P10)


def test_an_items_map_without_a_type_is_refused_naming_it(tmp_path: Path) -> None:
    block = "  a:\n    type: array\n    items:\n      description: no type\n"
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block))  # (P23: a KeyError, not a refusal)
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    assert _problems(raised)[0][0] == "config.a.items"


def test_an_array_of_arrays_without_the_inner_items_type_is_refused(tmp_path: Path) -> None:
    block = "  a:\n    type: array\n    items:\n      type: array\n"
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block))  # (P25)
    [(key, message)] = _problems(raised)
    assert key == "config.a.items"
    assert "without `items:`" in message


@pytest.mark.parametrize(("value", "accepted"), [([[1, 2], [3]], True), ([["x"]], False), ([1], False)])
def test_an_array_of_arrays_is_checked_to_its_inner_items(tmp_path: Path, value: Any, accepted: bool) -> None:
    block = "  a:\n    type: array\n    items:\n      type: array\n      items:\n        type: integer\n"
    path = project_folder(tmp_path, block, edit=_with({"mlops-platform:a": value}))  # (P26)
    if accepted:
        assert read_stack_file(path).config["mlops-platform:a"] == value
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert "must be of type 'array<array<integer>>'" in _problems(raised)[0][1]


def test_a_key_written_with_the_project_namespace_is_the_projects(tmp_path: Path) -> None:
    """``mlops-platform:needed`` is in the project's namespace as ``needed`` is: required (P28)."""
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, "  mlops-platform:needed:\n    type: string\n"))
    assert "is missing configuration value 'mlops-platform:needed'" in _problems(raised)[0][1]
    config = read_stack_file(project_folder(tmp_path, "  mlops-platform:owner: ml\n")).config
    assert config["mlops-platform:owner"] == "ml"  # the shorthand: a default


@pytest.mark.parametrize(
    ("block", "where"),
    [
        ("  a:\n    type: string\n    secret: 'yes'\n", "config.a.secret"),  # the schema: a boolean (P33)
        ("  a:\n    type: string\n    description: 5\n", "config.a.description"),  # text (P34)
    ],
)
def test_a_declaration_field_of_the_wrong_type_is_refused_naming_it(
    tmp_path: Path, block: str, where: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    assert _problems(raised)[0][0] == where


@pytest.mark.parametrize(
    ("project_text", "where"),
    [
        ("name: mlops-platform\nruntime: python\nstackConfigDir: stacks\nconfig: [a]\n", "config"),  # (P44)
        ("name: ''\nruntime: python\nstackConfigDir: stacks\nconfig:\n  a: b\n", "name"),  # (P45)
    ],
)
def test_a_project_file_pulumi_refuses_is_refused_naming_it(
    tmp_path: Path, project_text: str, where: str
) -> None:
    path = project_folder(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text(project_text)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    assert _problems(raised)[0][0] == where


def test_a_map_with_secure_beside_other_keys_is_no_encrypted_value(tmp_path: Path) -> None:
    """isSecureValue: a map of exactly one key, ``secure``, holding text (P48)."""
    block = "  db:\n    type: object\n    secret: true\n"
    clear = {"mlops-platform:db": {"secure": "v1:abc", "note": "x"}}
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block, edit=_with(clear)))
    assert "must be encrypted" in _problems(raised)[0][1]


# --- pulumi:tags and the ESC names: the rows no test held ---


def test_tags_with_an_encrypted_leaf_are_left_to_pulumi_up() -> None:
    assert pulumi_tags_problems({TAGS_KEY: {"team": {"secure": "v1:abc"}}}) == []  # (P66)


@pytest.mark.parametrize("value", [True, [1], {"a": "b"}, None])
def test_a_tag_of_any_type_but_text_is_refused(value: Any) -> None:
    [(key, message)] = pulumi_tags_problems({TAGS_KEY: {"team": value}})  # (P68)
    assert key == f"{TAGS_KEY}.team"
    assert "must be a string" in message


@pytest.mark.parametrize(
    "environment",
    [
        ["team/shared", 5],  # a list with an entry that is no name (P70)
        {"imports": [], "other": {}},  # a definition with a key beside imports and values (P71)
        {"imports": [{"a": {}, "b": {}}]},  # an import map naming two (P73)
    ],
)
def test_an_environment_definition_of_another_shape_is_named_as_unread(environment: Any) -> None:
    assert esc_environments({"environment": environment}) == (
        "an environment definition this plan cannot read",
    )


# --- stack_file: the reading and writing rows no test held ---


def test_a_list_as_a_key_is_refused_as_unhashable() -> None:
    with pytest.raises(ConfigError, match="found unhashable key"):  # (S16)
        load_yaml("? [a]\n: x\n", "Pulumi.x.yaml")


def test_the_stack_file_writer_keeps_the_keys_order_and_writes_unicode() -> None:
    written = dump_stack_document({"config": {"b": 1, "a": "café"}})
    assert written.index("b:") < written.index("a:")  # "keys in their order" (S21)
    assert "café" in written  # readable, not escaped (S22)
    assert load_yaml(written, "Pulumi.x.yaml") == {"config": {"b": 1, "a": "café"}}


def test_the_project_file_is_read_as_the_engine_reads_yaml(tmp_path: Path) -> None:
    """Pulumi.yaml goes through the same yaml.v3 reading as a stack file: `yes` is text, `0o17`
    is 15 (S45: YAML 1.1 read them as true and as text)."""
    config = read_stack_file(project_folder(tmp_path, "  flag: yes\n  mode: 0o17\n")).config
    assert config["mlops-platform:flag"] == "yes"
    assert config["mlops-platform:mode"] == "15"


def test_an_encrypted_value_reaches_the_program_as_the_stand_in() -> None:
    from stacks.project import SECRET_STAND_IN, engine_config_values

    assert engine_config_values({"aws:secretKey": {"secure": "v1:abc"}}) == {
        "aws:secretKey": SECRET_STAND_IN
    }  # (R2)


@pytest.mark.parametrize(
    ("stack", "block", "value"),
    [
        ({EXTRA: {"secure": "v1:abc"}}, "  extra.a: x\n", {"a": "x"}),  # an encrypted root: replaced
        ({}, "  extra.a.b: x\n", {"a": {"b": "x"}}),  # the maps on the way made
        ({EXTRA: {"a": None}}, "  extra.a.b: x\n", {"a": {"b": "x"}}),  # null on the way: a map made
    ],
)
def test_a_dotted_default_makes_its_way_as_pulumi_s_object_set_does(
    tmp_path: Path, stack: dict[str, Any], block: str, value: Any
) -> None:
    assert read_stack_file(project_folder(tmp_path, block, edit=_with(stack))).config[EXTRA] == value


@pytest.mark.parametrize(
    ("stack", "block", "said"),
    [
        (
            {EXTRA: {"a": {"secure": "v1:abc"}}},
            "  extra.a.b: x\n",
            "not a map",
        ),  # an encrypted value on the way
        ({EXTRA: {"a": [1]}}, "  extra.a.b: x\n", "key for an array must be an int"),
        ({EXTRA: {"secure": "v1:abc"}}, "  extra.secure: x\n", "secure"),  # no path inside a secret
    ],
)
def test_a_dotted_default_through_what_pulumi_cannot_set_is_refused(
    tmp_path: Path, stack: dict[str, Any], block: str, said: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block, edit=_with(stack)))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    assert said in _problems(raised)[0][1]
