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


@pytest.mark.parametrize("options", [{}, {"allow_unicode": True, "width": 1_000_000}])
def test_plain_documents_are_written_by_libyaml_as_pyyaml_writes_them(options) -> None:
    documents = [load_stack_document(stack) for stack in STACKS] + [PLAIN]
    for document in documents:
        assert not emitters_may_differ(document)
        assert dump_document(document, **options) == yaml.safe_dump(document, sort_keys=False, **options)


@pytest.mark.parametrize("document", FOREIGN, ids=range(len(FOREIGN)))
def test_strings_libyaml_may_write_otherwise_take_pyyamls_emitter(document) -> None:
    assert emitters_may_differ(document)
    for options in ({}, {"allow_unicode": True}):
        assert dump_document(document, **options) == yaml.safe_dump(document, sort_keys=False, **options)


def test_each_caller_gets_its_own_copy_of_a_fixture_document() -> None:
    first = load_stack_document("dev")
    first["config"].clear()
    assert load_stack_document("dev")["config"], "an edit of one copy reached the next caller"
