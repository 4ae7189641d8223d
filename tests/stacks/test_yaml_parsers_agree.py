"""The stack reader uses libyaml when PyYAML has it and PyYAML's pure-Python parser otherwise; the
two disagree on some plain scalars (a ``?`` inside a flow mapping's plain scalar is a key indicator
to the pure-Python parser only). A stack file that means one thing on a laptop and another in CI
is a defect: every fixture and sample stack must read the same with both parsers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks import stack_file
from tests.conftest import FIXTURE_STACKS, SHIPPED_STACK_FILES

STACK_FILES = (*sorted(FIXTURE_STACKS.glob("Pulumi.*.yaml")), *SHIPPED_STACK_FILES)


_PurePythonLoader = stack_file.reading_loader(yaml.SafeLoader)
"""The reader's loader (scalars as Pulumi reads them, duplicate keys refused, merge keys merged)
on the pure-Python parser."""


def _pure_python(text: str) -> Any:
    return yaml.load(text, Loader=_PurePythonLoader)


NEEDS_LIBYAML = pytest.mark.skipif(not yaml.__with_libyaml__, reason="needs PyYAML built with libyaml")


@NEEDS_LIBYAML
@pytest.mark.parametrize("path", STACK_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_libyaml_and_pure_python_parsers_read_the_same_document(path: Path) -> None:
    text = path.read_text()
    assert stack_file.load_yaml(text, str(path)) == _pure_python(text)


@NEEDS_LIBYAML
def test_the_comparison_can_tell_the_parsers_apart() -> None:
    # The prod sample's former batch-scoring schedule: unquoted, the pure-Python parser reads the
    # flow mapping's '?' as a key indicator and gives a different document (or refuses it).
    text = "schedule: {expression: cron(0 2 ? * MON *), timezone: UTC}\n"
    libyaml = stack_file.load_yaml(text, "Pulumi.example.yaml")
    try:
        pure = _pure_python(text)
    except yaml.YAMLError:
        pure = "refused"
    assert pure != libyaml
