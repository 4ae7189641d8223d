"""The wheel ships ``components`` and ``policies`` as ``mlops_platform.components`` and
``mlops_platform.policies`` (pyproject's hatch sources): inside them an absolute import of
``components``/``policies`` works in this repository and fails in an installed package, even in a
function body that only a plan reaches. Every import between them must be relative, except the
repository fallback in an ``except ImportError:`` after a relative import, and ``__main__.py``
entry points (run from the repository: the policy pack's)."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest

from tests.recorded import computed_once

REPO = Path(__file__).resolve().parent.parent
PACKAGED = ("components", "policies")


def _absolute_imports_of_packaged_trees(path: Path) -> list[str]:
    source = path.read_text()
    # An import of a packaged tree names it: a file whose text (NFKC-normalised, as the parser
    # normalises identifiers) names neither is not parsed (over half of them).
    text = unicodedata.normalize("NFKC", source)
    if not any(name in text for name in PACKAGED):
        return []
    tree = ast.parse(source, filename=str(path))
    fallbacks = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        for handler in node.handlers
        if isinstance(handler.type, ast.Name) and handler.type.id in ("ImportError", "ModuleNotFoundError")
        for inner in ast.walk(handler)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in fallbacks:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in names if name.split(".")[0] in PACKAGED]
    return found


def _offenders(tree: str) -> dict[str, list[str]]:
    return {
        str(path.relative_to(REPO)): found
        for path in sorted((REPO / tree).rglob("*.py"))
        if "steps" not in path.relative_to(REPO / tree).parts  # scripts run in SageMaker jobs
        if path.name != "__main__.py"
        if (found := _absolute_imports_of_packaged_trees(path))
    }


@pytest.mark.parametrize("tree", PACKAGED)
def test_packaged_modules_import_each_other_relatively(tree: str) -> None:
    # Parsing the tree: once per version of the code (its files are in the cache's fingerprint,
    # tracked or not, but for those under a hidden folder: the key) and of this module
    # (tests.recorded.computed_once).
    hidden = [
        part
        for path in sorted((REPO / tree).rglob("*.py"))
        if any(name.startswith(".") for name in path.relative_to(REPO / tree).parts)
        for part in (str(path).encode() + b"\0", path.read_bytes())
    ]
    offenders = computed_once(f"absolute-imports-{tree}", lambda: _offenders(tree), key=hidden)
    assert offenders == {}


def test_the_check_sees_an_absolute_import_in_a_function_body(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def plan():\n    from components.training import definition\n")
    assert _absolute_imports_of_packaged_trees(module) == ["line 2: components.training"]


def test_the_check_admits_the_repository_fallback_only_under_except_import_error(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "try:\n    from ..policies import x\nexcept ImportError:\n    from policies import x\n"
        "try:\n    pass\nexcept ValueError:\n    from policies import y\n"
    )
    assert _absolute_imports_of_packaged_trees(module) == ["line 8: policies"]
