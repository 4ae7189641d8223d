"""A docs-versus-code audit: the claims an adopting team acts on, held as machine checks (see the
following commit for the whole audit; this one holds the extras claim of docs/reuse.md)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from tests.conftest import REPO

#: What an adopter reads. docs/performance.md is measured figures: only its prose about switches
#: counts (the environment variables), never its numbers.
ADOPTER_DOCS = (
    "README.md",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md") if p.name != "performance.md"),
    "policies/README.md",
    "models/README.md",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "models").glob("*/README.md")),
)
PRODUCT_PACKAGES = (
    "components",
    "stacks",
    "planner",
    "policies",
    "delivery",
    "pipelines",
    "provider",
    "models",
    "bench",
    "packaging",
    "images",
    "examples",
)
_GENERATED = re.compile(r"<!-- (config|components)-reference:begin.*?-reference:end -->", re.S)


@cache
def _doc(name: str) -> str:
    """A document without its generated reference block (tests/stacks/test_reference.py and
    tests/components/test_public_api.py hold those)."""
    return _GENERATED.sub("", (REPO / name).read_text(encoding="utf-8"))


def _all_docs() -> dict[str, str]:
    return {name: _doc(name) for name in ADOPTER_DOCS}


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``header_start``."""
    lines = text.splitlines()
    [start] = [i for i, line in enumerate(lines) if line.startswith(header_start)]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])])
    return rows


# --- extras (docs/reuse.md, docs/components.md) -----------------------------------------------------


@pytest.mark.parametrize(
    ("component", "program"),
    [
        (
            "BatchScoring",
            "from tests.components.test_batch_scoring_semantics import _args\n"
            "from components.serving.batch_scoring import BatchScoring\n"
            "program = lambda: BatchScoring('bs', _args(evidently=None))",
        ),
        (
            "LiveDrift",
            "from tests.components.test_registry_experiments_mutation_audit import _live_drift_args\n"
            "from components.observability.live_drift import LiveDrift\n"
            "program = lambda: LiveDrift('live', _live_drift_args())",
        ),
    ],
)
def test_a_component_that_builds_a_pipeline_definition_names_the_training_extra_before_creating_anything(
    component: str, program: str
) -> None:
    """docs/reuse.md: "A component whose extra is missing raises `MissingExtraError` ... naming the
    extra to install, before it creates anything". BatchScoring and LiveDrift build their pipeline
    definitions with the SageMaker SDK, inside an apply: without ``[training]`` they failed with a
    bare ``No module named 'sagemaker'`` once their model, roles and scripts were registered (a
    ``pulumi up`` had created them)."""
    import subprocess
    import sys
    import textwrap

    script = (
        textwrap.dedent(
            """
        import sys
        sys.modules["sagemaker"] = None
        import pulumi
        from planner.recorder import record_program
        registered = []
        real = pulumi.CustomResource.__init__
        def spy(self, t, name, *args, **kwargs):
            registered.append(t)
            real(self, t, name, *args, **kwargs)
        pulumi.CustomResource.__init__ = spy
        """
        )
        + program
        + textwrap.dedent(
            """
        try:
            record_program(program)
        except Exception as error:
            print(type(error).__name__, error, registered)
        """
        )
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "MLOPS_DEFINITION_CACHE": "off"},
    )
    assert result.stdout.startswith("MissingExtraError "), result.stdout + result.stderr
    assert f"{component} (its pipeline definition) needs the SageMaker SDK" in result.stdout
    assert "'mlops-platform[training]'" in result.stdout
    assert result.stdout.rstrip().endswith("[]"), "nothing is registered"
    reuse = re.sub(r"\s+", " ", _doc("docs/reuse.md"))
    [row] = [
        r
        for r in _table_rows(_doc("docs/reuse.md"), "| Install | For |")
        if r[0] == "`mlops-platform[training]`"
    ]
    assert f"`{component}`" in row[1]
    assert re.search(rf"`TrainingPipeline`[^.]*`{component}`[^.]*when (it is|they are) constructed", reuse)
