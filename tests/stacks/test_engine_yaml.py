"""A stack file reads the same to the offline plan as to Pulumi's engine (stacks/engine_yaml.py).

The expectations come from the engine's source, not from PyYAML: gopkg.in/yaml.v3's resolve.go
(a plain scalar's first character, then a table of words, then Go's strconv.ParseInt /
ParseUint / ParseFloat; a timestamp decoded into ``any`` is a Go ``time.Time`` in v3.0.1's
decode.go), Pulumi's sdk/go/common/resource/config/object.go (keys formatted with ``%v``; a
``time.Time`` becomes its ``String()``, ``2026-12-01 00:00:00 +0000 UTC``) and encoding/json (a
whole float64 below 1e21 written without a fraction; NaN and infinity refused). PyYAML's YAML 1.1
reading differed on each ``# 1.1:`` row below: the plan refused files Pulumi deploys (``backup:
yes``, ``window: 1:30``) and passed files whose program then failed (``version: 1e3``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import yaml

from stacks.config import CONFIG_KEY, ConfigError
from stacks.engine_yaml import EngineValueError, config_key, engine_key, plain_scalar, program_value
from stacks.project import engine_config_values
from stacks.stack_file import load_yaml, offline_platform_config, read_stack_file, reading_loader

P = CONFIG_KEY

# (written unquoted, what the program receives through the engine)
PLAIN: list[tuple[str, Any]] = [
    ("yes", "yes"),  # 1.1: True
    ("No", "No"),  # 1.1: False
    ("on", "on"),  # 1.1: True
    ("OFF", "OFF"),  # 1.1: False
    ("y", "y"),
    ("true", True),
    ("True", True),
    ("FALSE", False),
    ("tRUE", "tRUE"),
    ("1:30", "1:30"),  # 1.1: 90 (base 60)
    ("1:30.5", "1:30.5"),  # 1.1: 90.5
    ("2026-02-30", "2026-02-30"),  # no such day: Go's time.Parse refuses it, the text stays
    ("2026-12-01T10:00:00", "2026-12-01T10:00:00"),  # no zone after T: no yaml.v3 timestamp format
    ("2026-12-01 24:00:00", "2026-12-01 24:00:00"),  # hour out of range
    ("20261201", 20261201),
    ("1e3", 1000),  # 1.1: the text 1e3
    ("1.5e3", 1500),  # 1.1: the text (YAML 1.1 wants a sign in the exponent)
    ("-2E-2", -0.02),
    ("0o17", 15),  # 1.1: the text
    ("0O17", 15),
    ("08", 8),  # 1.1: the text; Go: not octal, then a decimal float
    ("0123", 83),
    ("0x1F", 31),
    ("0b101", 5),
    ("1_000", 1000),
    ("+12", 12),
    ("-0", 0),
    (".5", 0.5),
    ("+.5", 0.5),
    ("1.", 1),
    ("3.0", 3),  # 1.1: the float 3.0; JSON carries it as 3
    ("1.10", 1.1),
    ("1e21", 1e21),
    ("1e400", "1e400"),  # out of float64's range: Go's ParseFloat fails, the text stays
    (".5e400", ".5e400"),
    ("99999999999999999999", 100000000000000000000),  # beyond uint64: a float64, written whole
    ("18446744073709551615", 18446744073709551615),  # uint64's largest
    ("~", None),
    ("null", None),
    ("NULL", None),
    ("", None),
    ("0x", "0x"),
    ("-x", "-x"),
    ("1.2.3", "1.2.3"),
    ("0b-1", -1),  # yaml.v3 reads the sign after the prefix
    ("12abc", "12abc"),
    ("ml.g5.2xlarge", "ml.g5.2xlarge"),
]


@pytest.mark.parametrize(("written", "received"), PLAIN, ids=[row[0] or "<empty>" for row in PLAIN])
def test_a_plain_scalar_reaches_the_program_as_the_engine_passes_it(written: str, received: Any) -> None:
    document = load_yaml(f"value: {written}\n", "Pulumi.x.yaml")
    assert document == {"value": received}
    assert type(document["value"]) is type(received)
    # And as the program reads it: the engine's JSON text, parsed.
    assert json.loads(engine_config_values({"k": document})["k"]) == {"value": received}


@pytest.mark.parametrize("written", ["'1e3'", '"yes"', "'2026-12-01'", "'.nan'", '"08"'])
def test_a_quoted_scalar_is_text(written: str) -> None:
    assert load_yaml(f"value: {written}\n", "Pulumi.x.yaml") == {"value": written[1:-1]}


@pytest.mark.parametrize(
    ("written", "received"),
    [
        ("!!str 1e3", "1e3"),
        ("! 12", 12),  # `!` leaves a plain scalar to be resolved (yaml.v3's parser.node, as PyYAML's)
        ("!!int 0x10", 16),
        ("!!float 2", 2),
        ("!!float 2.5", 2.5),
        ("!!bool true", True),
        ("!!null ~", None),
    ],
)
def test_the_core_tags_read_as_the_engine_reads_them(written: str, received: Any) -> None:
    document = load_yaml(f"value: {written}\n", "Pulumi.x.yaml")
    assert document == {"value": received}
    assert type(document["value"]) is type(received)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("!!int 1.5", "cannot read !!float `1.5` as !!int"),
        ("!!bool yes", "cannot read !!str `yes` as !!bool"),
        ("!!null x", "cannot read !!str `x` as !!null"),
        ("!!binary aGVsbG8=", "the tag !!binary is not read"),
        ("!!timestamp 2026-12-01", "the tag !!timestamp is not read"),
        ("!!set {a: null}", "the tag !!set is not read"),
        ("!custom x", "the tag !custom is not read"),
        ("!!int {a: 1}", "the tag !!int on a map or list"),
    ],
)
def test_other_tags_are_refused_at_their_key(written: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_yaml(f"outer:\n  value: {written}\n", "Pulumi.x.yaml")
    [(key, message)] = raised.value.problems
    assert key == "outer.value"
    assert problem in message
    assert message.endswith("(line 2, column 10)")


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("yes", "yes"),
        ("true", "true"),
        ("False", "false"),
        ("1", "1"),
        ("0x10", "16"),
    ],
)
def test_a_key_is_the_text_the_engine_makes_of_it(written: str, key: str) -> None:
    assert load_yaml(f"{written}: v\n", "Pulumi.x.yaml") == {key: "v"}


@pytest.mark.parametrize(
    ("written", "problem"),
    [("1.5", "as the number 1.5"), ("1e6", "as the number 1000000.0"), ("~", "as null"), ("", "as null")],
)
def test_a_fractional_or_null_key_is_refused_saying_to_quote_it(written: str, problem: str) -> None:
    # Go formats them its own way (1e+06, <nil>): no key of the platform's configuration is one.
    text = f"tags:\n  owner: x\n  {written}: v\n" if written else "tags:\n  owner: x\n  ? \n  : v\n"
    with pytest.raises(ConfigError) as raised:
        load_yaml(text, "Pulumi.x.yaml")
    [(key, message)] = raised.value.problems
    assert key.startswith("tags")
    assert f"a key that YAML reads {problem}: quote the key to keep it as text" in message


@pytest.mark.parametrize(
    ("first", "second"), [("yes", '"yes"'), ("1", "01"), ("true", "'true'"), ("16", "0x10")]
)
def test_keys_that_the_engine_reads_as_one_are_a_duplicate(first: str, second: str) -> None:
    # The engine would keep one of the two (which one depends on Go's map order): refused instead.
    with pytest.raises(ConfigError) as raised:
        load_yaml(f"tags:\n  {first}: a\n  {second}: b\n", "Pulumi.x.yaml")
    [(key, message)] = raised.value.problems
    assert key.startswith("tags.")
    assert message.startswith("duplicate key ")


@pytest.mark.parametrize("written", [".nan", ".NaN", ".inf", "-.Inf", "+.INF"])
def test_nan_and_infinity_are_refused_at_their_key(written: str) -> None:
    for text, key in (
        (f"limits:\n  ratio: {written}\n", "limits.ratio"),
        (f"limits:\n  ratios: [1, {written}]\n", "limits.ratios"),
    ):
        with pytest.raises(ConfigError) as raised:
            load_yaml(text, "Pulumi.x.yaml")
        [(reported, message)] = raised.value.problems
        assert reported == key
        assert message.startswith(f"'{written}' is ")
        assert "which JSON cannot carry" in message
        assert "quote it to keep it as text" in message


def test_merge_keys_merge_with_keys_as_text() -> None:
    text = "base: &base {1: a, yes: b}\nmerged:\n  <<: *base\n  yes: c\n"
    assert load_yaml(text, "Pulumi.x.yaml") == {
        "base": {"1": "a", "yes": "b"},
        "merged": {"1": "a", "yes": "c"},
    }


def test_a_merge_marker_as_a_value_is_text() -> None:
    assert load_yaml("value: <<\nlist: [<<]\n", "Pulumi.x.yaml") == {"value": "<<", "list": ["<<"]}


def test_whole_numbers_in_lists_and_aliases_reach_the_program_as_integers() -> None:
    document = load_yaml("a: &n 2.0\nb: *n\nc: [1.0, 2.5, *n]\n", "Pulumi.x.yaml")
    assert document == {"a": 2, "b": 2, "c": [1, 2.5, 2]}
    assert [type(value) for value in (document["a"], document["b"], *document["c"])] == [
        int,
        int,
        int,
        float,
        int,
    ]


def test_a_stack_file_with_text_yaml_1_1_took_for_other_types_plans(write_stack) -> None:
    """``backup: yes`` and a window ``1:30`` are text to Pulumi: tag values it deploys."""
    text = write_stack("dev").read_text()
    assert "      owner: ml-platform-team\n" in text
    path = write_stack(
        text=text.replace(
            "      owner: ml-platform-team\n",
            "      owner: ml-platform-team\n      backup: yes\n      window: 1:30\n      reviewed: '2026-12-01'\n",
        )
    )
    config = offline_platform_config(read_stack_file(path))
    assert {key: config.tags[key] for key in ("backup", "window", "reviewed")} == {
        "backup": "yes",
        "window": "1:30",
        "reviewed": "2026-12-01",
    }


def test_a_number_yaml_1_1_took_for_text_is_refused_where_text_belongs(write_stack) -> None:
    """``1e3`` is the number 1000 to Pulumi: the program refuses it as a tag value, so the plan does."""
    text = write_stack("dev").read_text().replace("owner: ml-platform-team", "owner: 1e3")
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(write_stack(text=text)))
    [(key, message)] = raised.value.problems
    assert key == f"{P}.tags.owner"
    assert "(got 1000)" in message
    assert "1e3 as 1000" in message


def test_the_libyaml_and_pure_python_readers_agree_on_every_row() -> None:
    text = "".join(f"k{index}: {written}\n" for index, (written, _) in enumerate(PLAIN))
    pure = yaml.load(text, Loader=reading_loader(yaml.SafeLoader))
    assert pure == load_yaml(text, "Pulumi.x.yaml")
    assert pure == {f"k{index}": received for index, (_, received) in enumerate(PLAIN)}


def test_the_engine_steps_on_their_own() -> None:
    assert plain_scalar("0o777") == 511
    assert program_value(7.0) == 7 and type(program_value(7.0)) is int
    assert program_value(-0.0) == 0 and type(program_value(-0.0)) is int
    assert program_value(2.5e21) == 2.5e21
    assert program_value("7.0") == "7.0"
    assert program_value(True) is True
    with pytest.raises(EngineValueError, match="NaN"):
        program_value(math.nan)
    assert engine_key(False) == "false"
    with pytest.raises(EngineValueError):
        engine_key(None)


def test_every_fixture_stack_reads_as_yaml_1_1_read_it() -> None:
    """The tests' own stacks never depended on a reading the engine does not share (the shipped
    samples are the adopters' to edit: test_yaml_parsers_agree.py reads them with both parsers)."""
    from tests.conftest import FIXTURE_STACKS

    paths = sorted(FIXTURE_STACKS.glob("Pulumi.*.yaml"))
    assert paths
    for path in paths:
        text = path.read_text()
        assert load_yaml(text, str(path)) == yaml.load(text, Loader=yaml.SafeLoader), path.name


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("mlops-platform:platform", P),
        ("mlops-platform:config:platform", P),
        ("aws:config:region", "aws:region"),
    ],
)
def test_a_config_key_is_read_as_pulumi_parses_it(written: str, key: str) -> None:
    assert config_key(written, "mlops-platform") == key


@pytest.mark.parametrize("written", ["aws:foo:region", "a:b:c:d", "a::b"])
def test_a_config_key_pulumi_cannot_parse_is_refused_naming_it(write_stack, written: str) -> None:
    text = write_stack("dev").read_text().replace("config:\n", f"config:\n  {written}: x\n", 1)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(write_stack(text=text))
    [(key, message)] = raised.value.problems
    assert key == written
    assert "is not a configuration key Pulumi can read: keys are `<namespace>:<name>` (e.g." in message


def test_the_older_config_key_form_plans_as_the_key_it_names(write_stack) -> None:
    text = write_stack("dev").read_text()
    assert f"  {P}:\n" in text
    stack_file = read_stack_file(
        write_stack(text=text.replace(f"  {P}:\n", "  mlops-platform:config:platform:\n"))
    )
    assert offline_platform_config(stack_file).environment == "dev"


def test_one_config_key_in_both_forms_is_refused(write_stack) -> None:
    text = write_stack("dev").read_text().replace("config:\n", "config:\n  aws:config:region: eu-west-1\n", 1)
    text = text.replace("config:\n", "config:\n  aws:region: eu-west-1\n", 1)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(write_stack(text=text))
    [(key, message)] = raised.value.problems
    assert (key, message) == ("aws:config:region", "is aws:region, written twice (also as aws:region)")
