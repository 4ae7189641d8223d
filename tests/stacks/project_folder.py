"""A project folder of the tests' own: Pulumi.yaml and one stack file under stacks/, as an adopter
lays out a project (the shipped project and stack files are samples no test edits)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import load_stack_document
from tests.yaml_text import dump_document

PROJECT_HEAD = "name: mlops-platform\nruntime: python\nstackConfigDir: stacks\n"
"""Pulumi.yaml without a ``config:`` block."""


def project_folder(
    tmp_path: Path,
    config_block: str | None = None,
    *,
    stack: str = "dev",
    text: str | None = None,
    document: dict[str, Any] | None = None,
    edit: Callable[[dict[str, Any]], object] | None = None,
) -> Path:
    """Write Pulumi.yaml (``config_block`` under ``config:``, if any) and stacks/Pulumi.<stack>.yaml:
    ``text`` as written, else ``document``, else the dev fixture's document edited by ``edit``.
    Returns the stack file."""
    (tmp_path / "Pulumi.yaml").write_text(
        PROJECT_HEAD + (f"config:\n{config_block}" if config_block is not None else "")
    )
    (tmp_path / "stacks").mkdir(exist_ok=True)
    path = tmp_path / "stacks" / f"Pulumi.{stack}.yaml"
    if text is not None:
        path.write_text(text)
        return path
    if document is None:
        document = load_stack_document("dev")
        if edit is not None:
            edit(document)
    path.write_text(dump_document(document))
    return path
