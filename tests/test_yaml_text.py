"""tests/yaml_text.py writes what ``yaml.safe_dump`` writes, with libyaml's emitter where it can."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.conftest import STACKS, load_stack_document
from tests.yaml_text import dump_document, emitters_may_differ

# Plain values of the kinds stack files hold, and the ones the emitters quote, fold or escape.
PLAIN: dict[str, Any] = {
    "long": "word " * 60,
    "long_unbroken": "x" * 300,
    "quoted": ["yes", "no", "on", "null", "~", "1.0", "0x1F", "12:30", "a: b", "- a", "#x", "", " x "],
    "numbers": [0, -1, 2**63, 1.5, 1e-9, float("inf")],
    "flags": [True, False, None],
    "nested": [{"a": [{"b": {"c": []}}], "d": {}}],
    "key with spaces": {"k" * 99: "v"},
    "keys": {7: "int", 2.5: "float", True: "bool", None: "null", 10**90: "long int"},
}
FOREIGN: list[dict[str, Any]] = [
    {"tag": "caf\N{LATIN SMALL LETTER E WITH ACUTE}"},
    {"tag": "\N{GRINNING FACE}"},
    {"k": "x\N{NEXT LINE}y"},
    {"a\rb": 1},
    {"lines": "first line\nsecond line\n"},
    {"k" * 100: 1},
    {"nested": [{"deep": ["tab\there"]}]},
]


_SHARED_TAGS: dict[str, Any] = {"team": "ml"}
_SHARED_SUBNETS = ["subnet-a", "subnet-b"]
SHARED: dict[str, Any] = {
    "tags": _SHARED_TAGS,
    "endpoints": [{"tags": _SHARED_TAGS, "subnets": _SHARED_SUBNETS}, {"subnets": _SHARED_SUBNETS}],
    "empty": [[], [], {}, {}],  # distinct empty objects: no alias
}
"""A dict and a list that occur twice: PyYAML writes an anchor and an alias (``&id001``, ``*id001``)."""


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"allow_unicode": True, "width": 1_000_000},
        {"default_flow_style": True},
        {"default_flow_style": None},
    ],
)
def test_plain_documents_are_written_by_libyaml_as_pyyaml_writes_them(options) -> None:
    documents = [load_stack_document(stack) for stack in STACKS] + [PLAIN, SHARED]
    for document in documents:
        assert not emitters_may_differ(document)
        assert dump_document(document, **options) == yaml.safe_dump(document, sort_keys=False, **options)


# Documents libyaml writes otherwise than PyYAML (with one of OPTIONS at least).
DIFFERENT: list[dict[str, Any]] = [
    {"tag": "\N{GRINNING FACE}"},
    {"k": "x\N{NEXT LINE}y"},
    {"a\rb": 1},
    {"config": {"": 1}},
    {"k" * 123: 1},
    {10**122: 1},
]
OPTIONS: list[dict[str, Any]] = [{}, {"allow_unicode": True}, {"allow_unicode": True, "width": 1_000_000}]


@pytest.mark.parametrize("document", FOREIGN + DIFFERENT, ids=range(len(FOREIGN + DIFFERENT)))
def test_values_libyaml_may_write_otherwise_take_pyyamls_emitter(document) -> None:
    assert emitters_may_differ(document)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="needs PyYAML built with libyaml")
@pytest.mark.parametrize("document", DIFFERENT, ids=range(len(DIFFERENT)))
def test_where_libyaml_writes_otherwise_the_text_is_pyyamls(document) -> None:
    libyaml = [
        yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, **options) for options in OPTIONS
    ]
    pyyaml = [yaml.safe_dump(document, sort_keys=False, **options) for options in OPTIONS]
    assert libyaml != pyyaml, "libyaml writes this as PyYAML does: it belongs in PLAIN"
    assert [dump_document(document, **options) for options in OPTIONS] == pyyaml


def test_each_caller_gets_its_own_copy_of_a_fixture_document() -> None:
    first = load_stack_document("dev")
    first["config"].clear()
    assert load_stack_document("dev")["config"], "an edit of one copy reached the next caller"
