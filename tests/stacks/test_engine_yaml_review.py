"""A second reading of the engine-YAML reader (stacks/engine_yaml.py, stack_file.reading_loader)
against the source it ports, each test failing on the reader as first written.

Ground truth: gopkg.in/yaml.v3 v3.0.1 (the version Pulumi's sdk/go.mod requires): resolve.go,
decode.go (``d.scalar`` into ``interface{}`` sets the resolved value itself, so a timestamp is a Go
``time.Time``; ``d.mapping`` refuses two keys of one kind and value, ``<<`` included;
``parser.node`` resolves a scalar tagged ``!`` only when it is plain); Go's strconv (``ParseFloat``
takes ``_`` between digits); Pulumi's config/object.go (``unmarshalObject``: a ``time.Time``
becomes ``v.String()``) and workspace/loaders.go (a stack file is decoded, re-encoded with
yaml.v3 and decoded again, which keeps each reading below).

Bugs found, each with its tests here:

- A plain date or timestamp (``reviewed: 2026-12-01``) was read as its text; the program receives
  ``2026-12-01 00:00:00 +0000 UTC``. Now refused at its key with line and column, saying to quote it
  (``test_a_timestamp_*``).
- A quoted or block scalar under the non-specific tag (``! "5"``, ``! '<<'``) was resolved as if
  plain: the number 5, a merge key. yaml.v3 resolves ``!`` on plain scalars only: the text ``5``,
  the key ``<<`` (``test_the_non_specific_tag_resolves_only_a_plain_scalar``).
- Two ``<<`` keys in one map were both merged; yaml.v3 refuses the second as a key already defined,
  so Pulumi would not load the file. Refused at the second, saying to write ``<<: [*a, *b]``
  (``test_a_second_merge_key_in_one_map_is_refused_as_pulumi_refuses_it``).
- A scalar starting with ``.`` and holding ``_`` between digits (``.5_0``) was text; yaml.v3 hands
  it to ``strconv.ParseFloat`` as written, which reads 0.5
  (``test_a_scalar_starting_with_a_dot_is_read_as_go_parse_float_reads_it``).
- The bench's synthetic stacks (bench/plan_bench.py, ``make bench``) were read with YAML 1.1 and
  written with ``yaml.safe_dump``, which leaves ``012345678901`` (an account ID), ``1e3`` or
  ``0o17`` unquoted: numbers to the engine and to the new reader, so a stack whose account ID
  starts with 0 no longer planned. Now read with the stack reader and written by
  ``dump_stack_document``, which quotes such text (``test_the_stack_file_writer_*``,
  ``test_the_bench_stack_keeps_an_account_id_with_a_leading_zero``).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from stacks.config import CONFIG_KEY, ConfigError
from stacks.engine_yaml import EngineValueError, plain_scalar
from stacks.stack_file import dump_stack_document, load_yaml, read_stack_file, reading_loader

P = CONFIG_KEY


@pytest.mark.parametrize(
    ("written", "program_text"),
    [
        ("2026-12-01", "2026-12-01 00:00:00 +0000 UTC"),
        ("2026-1-5", "2026-01-05 00:00:00 +0000 UTC"),
        ("2024-02-29", "2024-02-29 00:00:00 +0000 UTC"),
        ("2026-12-01T10:00:00Z", "2026-12-01 10:00:00 +0000 UTC"),
        ("2026-12-01t1:2:3Z", "2026-12-01 01:02:03 +0000 UTC"),
        ("2026-12-01 10:00:00", "2026-12-01 10:00:00 +0000 UTC"),
        ("2026-12-01T10:00:00+02:00", "time.Time's String()"),
        ("2026-12-01T10:00:00.5Z", "time.Time's String()"),
    ],
)
def test_a_timestamp_is_refused_naming_what_the_program_would_get(written: str, program_text: str) -> None:
    with pytest.raises(EngineValueError) as raised:
        plain_scalar(written)
    assert program_text in str(raised.value)
    assert "quote it to keep it as text" in str(raised.value)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("2026-02-29", "2026-02-29"),  # not a leap year: time.Parse refuses the day
        ("2026-13-01", "2026-13-01"),
        ("2026-12-01T10:00:00", "2026-12-01T10:00:00"),  # a T needs a zone
        ("2026-12-01 10:00:00Z", "2026-12-01 10:00:00Z"),  # a space takes none
        ("2026-12-01T24:00:00Z", "2026-12-01T24:00:00Z"),
        ("2026-12-01T10:00:00+25:00", "2026-12-01T10:00:00+25:00"),
        ("2026-123-01", "2026-123-01"),
        ("12026-12-01", "12026-12-01"),
    ],
)
def test_a_near_timestamp_go_does_not_parse_stays_text(written: str, value: Any) -> None:
    assert plain_scalar(written) == value


@pytest.mark.parametrize(
    ("text", "key", "where"),
    [
        ("tags:\n  reviewed: 2026-12-01\n", "tags.reviewed", "line 2, column 13"),
        ("tags:\n  days: [a, 2026-12-01]\n", "tags.days", "line 2, column 13"),
        ("tags: {days: {2026-12-01: x}}\n", "tags.days.2026-12-01", "line 1, column 15"),
        ("tags:\n  reviewed: ! 2026-12-01\n", "tags.reviewed", "line 2, column 13"),
    ],
)
def test_a_timestamp_value_or_key_is_refused_at_its_key(text: str, key: str, where: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_yaml(text, "Pulumi.x.yaml")
    [(reported, message)] = raised.value.problems
    assert reported == key
    assert message.startswith("'2026-12-01' is a timestamp to YAML")
    assert message.endswith(f"({where})")


def test_a_quoted_or_str_tagged_date_is_text() -> None:
    assert load_yaml("a: '2026-12-01'\nb: !!str 2026-12-01\n", "Pulumi.x.yaml") == {
        "a": "2026-12-01",
        "b": "2026-12-01",
    }


def test_a_timestamp_in_a_stack_file_is_refused_naming_the_file_and_key(write_stack) -> None:
    text = write_stack("dev").read_text()
    assert "      owner: ml-platform-team\n" in text
    path = write_stack(text=text.replace("      owner: ml-platform-team\n", "      owner: 2026-12-01\n"))
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    [(key, message)] = raised.value.problems
    assert key == f"{P}.tags.owner"
    assert "2026-12-01 00:00:00 +0000 UTC" in message


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('a: ! "5"\n', {"a": "5"}),
        ("a: ! '0x10'\n", {"a": "0x10"}),
        ("a: ! |\n  true\n", {"a": "true\n"}),
        ("a: ! >\n  1e3\n", {"a": "1e3\n"}),
        ("a: {! '<<': 1}\n", {"a": {"<<": 1}}),
        ("a: ! 5\n", {"a": 5}),  # plain: resolved, as before
        ("b: &x {c: 1}\na: {! <<: *x, d: 2}\n", {"b": {"c": 1}, "a": {"c": 1, "d": 2}}),
    ],
)
def test_the_non_specific_tag_resolves_only_a_plain_scalar(text: str, value: Any) -> None:
    # yaml.v3's parser.node: a quoted or block scalar keeps the str tag under `!` (indicatedString),
    # and isMerge needs a plain `<<`. PyYAML resolves `!` scalars of any style as plain.
    assert load_yaml(text, "Pulumi.x.yaml") == value
    assert yaml.load(text, Loader=reading_loader(yaml.SafeLoader)) == value


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: &a {x: 1}\nb: &b {y: 1}\nc:\n  <<: *a\n  <<: *b\n", "line 5, column 3"),
        ("a: &a {x: 1}\nc: {<<: *a, z: 1, <<: {y: 2}}\n", "line 2, column 19"),
        ("a: &a {x: 1}\nc:\n  '<<': text\n  <<: *a\n", "line 4, column 3"),
    ],
)
def test_a_second_merge_key_in_one_map_is_refused_as_pulumi_refuses_it(text: str, where: str) -> None:
    # yaml.v3's d.mapping: two keys of one kind and value are "already defined", `<<` included.
    with pytest.raises(ConfigError) as raised:
        load_yaml(text, "Pulumi.x.yaml")
    [(key, message)] = raised.value.problems
    assert key.startswith("c")
    assert "duplicate merge key `<<`" in message
    assert "`<<: [*a, *b]`" in message
    assert message.endswith(f"({where})")


def test_one_merge_key_of_several_maps_merges_the_first_winning() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n"
    assert load_yaml(text, "Pulumi.x.yaml")["c"] == {"x": 1, "y": 1, "z": 3}


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (".5_0", 0.5),
        (".1_5e1_0", 1.5e9),
        (".2_5E-1", 0.025),
        ("._5", "._5"),  # '_' must follow a digit
        (".5_", ".5_"),  # and be followed by one
        (".5__0", ".5__0"),
        (".5e_1", ".5e_1"),
    ],
)
def test_a_scalar_starting_with_a_dot_is_read_as_go_parse_float_reads_it(written: str, value: Any) -> None:
    # resolve.go's '.' hint hands the text as written to strconv.ParseFloat, which takes '_' between
    # digits (atof.go's readFloat and underscoreOK).
    assert plain_scalar(written) == value
    assert type(plain_scalar(written)) is type(value)


# Text a YAML 1.1 dumper (yaml.safe_dump) writes unquoted and the engine reads as another value.
_TEXT_READ_OTHERWISE = ["012345678901", "1e3", "0o17", "08", "3e-5", "-0o7", "1.5e3", "2026-1-5"]


@pytest.mark.parametrize("text", _TEXT_READ_OTHERWISE)
def test_the_stack_file_writer_quotes_text_the_engine_would_read_otherwise(text: str) -> None:
    assert yaml.safe_dump({"v": text}) == f"v: {text}\n"  # what the bench wrote
    document = {"config": {text: text, "list": [text, "plain text", 7, 1.5, True, None]}}
    written = dump_stack_document(document)
    assert load_yaml(written, "Pulumi.x.yaml") == document
    assert yaml.load(written, Loader=reading_loader(yaml.SafeLoader)) == document
    assert "plain text\n" in written  # other text stays plain


def test_the_bench_stack_keeps_an_account_id_with_a_leading_zero(tmp_path) -> None:
    from bench.plan_bench import synthetic_stack_text
    from tests.conftest import stack_path

    text = stack_path("prod").read_text()
    assert 'account_id: "333333333333"' in text
    base = tmp_path / "Pulumi.prod.yaml"
    base.write_text(text.replace('account_id: "333333333333"', 'account_id: "012345678901"'))
    written = tmp_path / "Pulumi.prod-2ep.yaml"
    written.write_text(synthetic_stack_text(base, 2))
    platform = read_stack_file(written).platform
    assert platform["account_id"] == "012345678901"
    assert len(platform["endpoints"]) == 2
