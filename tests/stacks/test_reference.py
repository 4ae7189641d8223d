"""The README's configuration reference is generated from the model and must be current."""

from __future__ import annotations

from stacks.config import PlatformConfig
from stacks.reference import readme_block, reference


def test_readme_configuration_reference_is_current() -> None:
    assert readme_block() == reference(), "run `python -m stacks.reference --write`"


def test_reference_documents_every_top_level_key() -> None:
    generated = reference()
    for name in PlatformConfig.model_fields:
        assert f"| `{name}` |" in generated
