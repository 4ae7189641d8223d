"""Shared fixtures: recorded graphs of the shipped stacks and stack-file builders.

Each recording is a fresh program run in its own context and event loop (see planner.recorder);
the graphs of the three shipped stacks are recorded once per session because a ResourceGraph is
an immutable record of one run, not live Pulumi state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.recorder import ResourceGraph, record_stack_file
from stacks.config import CONFIG_KEY

REPO = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")


def stack_path(stack: str) -> Path:
    return REPO / "stacks" / f"Pulumi.{stack}.yaml"


def load_stack_document(stack: str) -> dict[str, Any]:
    return yaml.safe_load(stack_path(stack).read_text())


@pytest.fixture(scope="session")
def stack_graphs() -> dict[str, ResourceGraph]:
    return {stack: record_stack_file(str(stack_path(stack))) for stack in STACKS}


@pytest.fixture(scope="session")
def all_monitors_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod stack with every monitor kind: model quality, bias and explainability."""
    document = load_stack_document("prod")
    document["config"]["mlops-platform:platform"]["monitoring"] = {
        "model_monitors": {"model_quality": True, "bias": True, "explainability": True}
    }
    path = tmp_path_factory.mktemp("all-monitors") / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return record_stack_file(str(path))


@pytest.fixture(params=STACKS)
def stack_graph(request: pytest.FixtureRequest, stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs[request.param]


@pytest.fixture
def write_stack(tmp_path: Path) -> Callable[..., Path]:
    """Write a variant of a shipped stack file: ``write_stack("prod", edit)`` where ``edit`` mutates
    the ``mlops-platform:platform`` dict in place; or ``write_stack(text="...")`` for raw YAML."""

    def write(
        base: str = "dev",
        edit: Callable[[dict[str, Any]], None] | None = None,
        *,
        text: str | None = None,
        name: str = "Pulumi.variant.yaml",
    ) -> Path:
        path = tmp_path / name
        if text is None:
            document = copy.deepcopy(load_stack_document(base))
            if edit is not None:
                edit(document["config"][CONFIG_KEY])
            text = yaml.safe_dump(document, sort_keys=False)
        path.write_text(text)
        return path

    return write
