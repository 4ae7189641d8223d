"""The configuration reference (docs/configuration.md) is generated from the model and must be current."""

from __future__ import annotations

from stacks.config import PlatformConfig
from stacks.reference import REFERENCE, documented_block, reference


def test_the_configuration_reference_is_current() -> None:
    assert documented_block() == reference(), "run `python -m stacks.reference --write`"


def test_reference_documents_every_top_level_key() -> None:
    generated = reference()
    for name in PlatformConfig.model_fields:
        assert f"| `{name}` |" in generated


def test_the_reference_lives_in_docs_and_the_readme_links_it() -> None:
    assert REFERENCE.name == "configuration.md" and REFERENCE.parent.name == "docs"
    assert "docs/configuration.md" in (REFERENCE.parent.parent / "README.md").read_text()
