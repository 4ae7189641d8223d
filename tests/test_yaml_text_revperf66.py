"""tests/yaml_text.dump_document writes what ``yaml.safe_dump`` writes for every kind of value a test
could put in a stack document, not only those the fixture stacks hold.

A generated table: strings YAML would read as something else (numbers, booleans, null, dates),
strings the emitters quote, fold or escape, numbers at their edges, empty and nested collections,
and values that are not plain data (dates, bytes, sets), each as a mapping's value, twice in a
list (an alias where it is an object) and as a key; written with the options the callers pass
and those that style every scalar.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import yaml

from tests.recorded import computed_once
from tests.yaml_text import dump_document, emitters_may_differ

_WORDS = "word " * 30
TEXT: list[str] = [
    *("1e-05", "1.0", ".5", "5.", "-0.0", "inf", ".inf", "-.inf", "nan", ".NaN", "0o17", "0x1F", "0b101"),
    *("1_000", "1,000", "+1", "007", "2026-12-07", "2026-12-07 10:00:00", "2026-12-07T10:00:00Z", "12:30"),
    *("yes", "no", "on", "off", "y", "N", "true", "False", "TRUE", "null", "Null", "~", "<<", "="),
    *("", " ", "  ", " x", "x ", "x  y", "a: b", "a:b", "a #b", "a#b", "#a", "-", "- a", "-a", "? a", ":"),
    *("a,b", "[a]", "{a}", "*a", "&a", "!a", "|", ">", "'a", '"a', "a'b", "%a", "@a", "`a", "---", "..."),
    *(_WORDS, " " + _WORDS, _WORDS + " ", "a: " + _WORDS, "'" + _WORDS, "w  " * 40, "x" * 300),
    *("x" * 79 + " yyyyy", "k" * 99, "k" * 100, "k" * 130),
    *("multi\nline", "trailing break\n", "\nleading break", "tab\there", "caf\u00e9", "\U0001f600"),
    *("\N{LINE SEPARATOR}", "\N{PARAGRAPH SEPARATOR}", "\N{NEXT LINE}", "\x7f", "\ufeff"),
]
OTHER: list[Any] = [
    *(0, -1, 2**63, -(2**63), 10**40, 10**122, True, False, None),
    *(1e-05, 1e-9, 1.5, -0.0, 0.0, 1e300, 123456789012345.0, float("inf"), float("-inf"), float("nan")),
    *([], {}, [[]], [{}], {"a": []}, {"a": {}}, [[[]]], [1, "a", None]),
    *(datetime.date(2026, 12, 7), datetime.datetime(2026, 12, 7, 1, 2, 3), b"bytes", b"\x00\xff" * 40),
    *({1, 2}, {"caf\N{LATIN SMALL LETTER E WITH ACUTE}"}),
]
OPTIONS: list[dict[str, Any]] = [
    {},
    {"allow_unicode": True, "width": 1_000_000},  # what tests/stacks/malformed.py passes
    {"default_flow_style": None},
    {"default_style": '"'},
    {"canonical": True},
]


def _documents(value: Any) -> list[dict[Any, Any]]:
    try:
        hash(value)
    except TypeError:
        keyed = {"k": {"n": value}}
    else:
        keyed = {value: {"n": value}}
    return [{"k": value}, {"k": [value, value]}, keyed]


DOCUMENTS = [document for value in TEXT + OTHER for document in _documents(value)]


def _safe_dumps(options: dict[str, Any]) -> list[str]:
    return [yaml.safe_dump(document, sort_keys=False, **options) for document in DOCUMENTS]


@pytest.mark.parametrize("options", OPTIONS, ids=[repr(options) for options in OPTIONS])
def test_every_kind_of_value_is_written_as_safe_dump_writes_it(options) -> None:
    # What yaml.safe_dump writes (PyYAML's pure-Python emitter for many): once per version of
    # PyYAML (the installed distributions are in the cache's fingerprint) and of this module's
    # table (tests.recorded.computed_once); dump_document, the code checked, runs every time.
    expected = computed_once(f"safe-dump-{OPTIONS.index(options)}", lambda: _safe_dumps(options))
    differing = [
        document
        for document, text in zip(DOCUMENTS, expected, strict=True)
        if dump_document(document, **options) != text
    ]
    assert differing == []


def test_the_table_reaches_both_emitters() -> None:
    """Most documents are libyaml's to write: the comparison above is of its text, not PyYAML's."""
    fast = [document for document in DOCUMENTS if not emitters_may_differ(document)]
    assert len(fast) > 250 and len(DOCUMENTS) - len(fast) > 50
