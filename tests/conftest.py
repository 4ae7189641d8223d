"""Shared fixtures: recorded graphs of the test suite's own stacks and stack-file builders.

The suite never reads the sample stack files in ``stacks/``: users edit those (add a model family,
an endpoint, a stack), and that must not change what the tests assert. Its stacks live in
``tests/fixtures/stacks/`` (one per environment); ``tests/stacks/test_shipped_stacks.py`` checks the
samples only generically (valid, plan clean, cost and critical path computed).

Each recording is a fresh program run in its own context and event loop (see planner.recorder);
a stack document is recorded once per version of the code, whichever test or xdist worker asks
first (tests/recorded.py), because a ResourceGraph is an immutable record of one run, not live
Pulumi state.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from planner.recorder import ResourceGraph
from stacks import partial_validation
from stacks.config import CONFIG_KEY
from stacks.stack_file import load_yaml
from tests import recorded
from tests.recorded import recorded_stack
from tests.yaml_text import dump_document

# The collector's settings for the session: what the workers import is frozen out of its scans.
pytest_plugins = ["tests.long_lived_heap"]

# Lineage records the platform's commit in every pipeline definition (stacks/provenance.py): one
# fixed value keeps the recorded graphs (and the definition cache) the same from commit to commit.
os.environ.setdefault("MLOPS_PLATFORM_COMMIT", "0123456789abcdef0123456789abcdef01234567")

# A check that fails on what is left of an invalid stack value for another reason than reading a
# failed value is a bug the adopter would never see (it is skipped): the tests see it raise.
partial_validation.CRASHES_RAISE = True

REPO = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
"""The fixture stacks, one per environment."""
FIXTURE_STACKS = REPO / "tests" / "fixtures" / "stacks"
SHIPPED_STACK_FILES = tuple(sorted((REPO / "stacks").glob("Pulumi.*.yaml")))
"""The sample stack files users edit: checked only generically."""


def stack_path(stack: str) -> Path:
    """A fixture stack file of the suite (not the sample in ``stacks/``)."""
    return FIXTURE_STACKS / f"Pulumi.{stack}.yaml"


def load_stack_document(stack: str) -> dict[str, Any]:
    """A fixture stack file's document, its family code folders and explainability templates made
    absolute: tests write variants of it outside the repository, where ``models/...`` would not
    resolve. Each caller gets its own copy to edit."""
    return copy.deepcopy(_parsed_stack_document(stack_path(stack).read_text()))


@cache
def _parsed_stack_document(text: str) -> dict[str, Any]:
    """Parsed once per text (hundreds of tests start from one), by the stack reader: values as
    Pulumi's engine hands them to the program (a whole ``1.0`` is the integer 1), so a variant a
    test writes back holds what the program would read."""
    document = load_yaml(text, "a fixture stack")
    for model in document["config"][CONFIG_KEY].get("models", []):
        training = model.get("training")
        if isinstance(training, dict) and isinstance(training.get("code"), str):
            training["code"] = str(REPO / training["code"])
        if isinstance(model.get("explainability_config"), str):
            model["explainability_config"] = str(REPO / model["explainability_config"])
    return document


@pytest.fixture(scope="session", autouse=True)
def _recorded_stacks_cache() -> None:
    """Graphs recorded once per version of the code, shared by the xdist workers (tests/recorded.py)."""
    recorded.use_cache_dir(recorded.cache_dir_for(REPO))


@pytest.fixture(scope="session")
def stack_graphs() -> dict[str, ResourceGraph]:
    return {stack: recorded_stack(stack_path(stack)) for stack in STACKS}


@pytest.fixture(scope="session")
def all_monitors_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod stack with every monitor kind: model quality, bias and explainability."""
    document = load_stack_document("prod")
    document["config"]["mlops-platform:platform"]["monitoring"] = {
        "model_monitors": {"model_quality": True, "bias": True, "explainability": True}
    }
    path = tmp_path_factory.mktemp("all-monitors") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


@pytest.fixture(params=STACKS)
def stack_graph(request: pytest.FixtureRequest, stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs[request.param]


@pytest.fixture
def write_stack(tmp_path: Path) -> Callable[..., Path]:
    """Write a variant of a fixture stack file: ``write_stack("prod", edit)`` where ``edit`` mutates
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
            document = load_stack_document(base)  # the caller's own copy
            if edit is not None:
                edit(document["config"][CONFIG_KEY])
            text = dump_document(document)
        path.write_text(text)
        return path

    return write


@cache
def _hosting_instance_types() -> frozenset[str]:
    """The instance types SageMaker hosting accepts, from botocore's service model (authoritative)."""
    from tests.botocore_models import service_model

    model = service_model("sagemaker")
    return frozenset(model["shapes"]["ProductionVariantInstanceType"]["enum"])


@pytest.fixture
def current_instance_types(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's hard-coded instance-type list predates g5/g6; validate against botocore's enum instead."""
    from moto.sagemaker import models as moto_sagemaker

    def validate(self: Any, instance_type: str) -> None:
        if instance_type not in _hosting_instance_types():
            raise moto_sagemaker.ValidationError(
                message=f"Value '{instance_type}' at 'instanceType' failed to satisfy constraint"
            )

    monkeypatch.setattr(moto_sagemaker.FakeEndpointConfig, "validate_instance_type", validate)


@pytest.fixture
def cached_recordings(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m planner` (its ``main``, in this process) with the offline recording of the stack
    file served by :func:`tests.recorded.recorded_stack`: the same graph for the same document,
    registry, environment and code, recorded once for every test that plans it. Arguments, policy
    pack, cost, rendering and exit status all run as they do in the CLI."""
    import planner.recorder

    monkeypatch.setattr(planner.recorder, "record_stack_file", recorded_stack)
