"""The pytest plugins the suite leaves out (pyproject.toml's ``addopts``) are ones no test needs.

Each plugin pytest loads runs for every test (and anyio's and unittest's for every object a test
module holds, at collection, in each xdist worker), so the suite blocks those it does not use.
A test that needed one would not always fail loudly: without the unittest plugin, a
``unittest.TestCase`` class is not collected at all (pytest only warns that it has an
``__init__``) and its tests silently go. So each blocked plugin is checked here against what
would need it, in every test module. An ``async def`` test is not: pytest fails it itself when no
plugin runs it ("async def functions are not natively supported"), and one an adopter marks for
another plugin (pytest-asyncio) needs no anyio.
"""

from __future__ import annotations

import ast
import itertools
import shlex
import tomllib

import pytest

from tests.conftest import REPO

TESTS = REPO / "tests"
TEST_MODULES = tuple(sorted(TESTS.rglob("*.py")))

UNITTEST_BASES = frozenset({"TestCase", "IsolatedAsyncioTestCase", "FunctionTestCase"})
"""Classes of ``unittest`` whose subclasses only the unittest plugin collects."""


def _blocked_plugins() -> set[str]:
    ini = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    words = shlex.split(ini["addopts"])
    return {
        value.removeprefix("no:")
        for flag, value in itertools.pairwise(words)
        if flag == "-p" and value.startswith("no:")
    }


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _unittest_names(tree: ast.Module) -> set[str]:
    """The names that stand for a ``unittest`` test case class in a module: its own, and those an
    import (``from unittest import TestCase as TC``) or an assignment (``Base = unittest.TestCase``)
    binds to one. A subclass through any of them is collected by the unittest plugin alone."""
    names = set(UNITTEST_BASES)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "unittest":
            names.update(alias.asname or alias.name for alias in node.names if alias.name in UNITTEST_BASES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _base_name(node.value) in names:
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def _needs(tree: ast.Module) -> set[str]:
    """The blocked plugins a module's own code would need."""
    needs: set[str] = set()
    test_cases = _unittest_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(_base_name(base) in test_cases for base in node.bases):
            needs.add("unittest")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parameters = {argument.arg for argument in node.args.args + node.args.kwonlyargs}
            if "subtests" in parameters:
                needs.add("subtests")
            if "anyio_backend" in parameters or node.name == "anyio_backend":
                needs.add("anyio")
        if isinstance(node, ast.Attribute) and node.attr == "anyio" and _base_name(node.value) == "mark":
            needs.add("anyio")
    return needs


def test_the_suite_blocks_the_plugins_it_does_not_use() -> None:
    # What docs/performance.md ("Test suite") describes: logging (tests/log_records.py), and the
    # three plugins measured to cost per test for no test of the suite.
    assert _blocked_plugins() == {"logging", "anyio", "unittest", "subtests"}


MENTIONS = ("TestCase", "anyio", "subtests")
"""Words a module needing a blocked plugin must hold: only those modules are parsed (parsing all
530-odd would cost seconds a run, more than the plugins do)."""


def test_no_test_module_needs_a_blocked_plugin() -> None:
    blocked = _blocked_plugins()
    needing = {}
    for path in TEST_MODULES:
        text = path.read_text()
        if any(word in text for word in MENTIONS) and (
            needed := _needs(ast.parse(text, filename=str(path))) & blocked
        ):
            needing[str(path.relative_to(REPO))] = sorted(needed)
    assert needing == {}, (
        "these test modules need pytest plugins that pyproject.toml's addopts blocks (a unittest "
        "TestCase is not collected at all without its plugin): write them as plain pytest tests "
        "(functions or Test* classes without a base, fixtures for setUp), or load the plugin back "
        "by taking its `-p no:<plugin>` out of addopts and out of "
        "test_the_suite_blocks_the_plugins_it_does_not_use"
    )


def test_each_need_is_found_through_a_word_the_module_holds() -> None:
    for source in NEEDING_SOURCES:
        assert any(word in source for word in MENTIONS), source


NEEDING_SOURCES = {
    "import unittest\nclass TestOld(unittest.TestCase):\n    def test_a(self): pass\n": "unittest",
    "from unittest import TestCase\nclass TestOld(TestCase):\n    pass\n": "unittest",
    # Not named Test*: without the plugin not even a warning.
    "from unittest import TestCase as TC\nclass Checks(TC):\n    def test_a(self): pass\n": "unittest",
    "import unittest.case\nclass Checks(unittest.case.IsolatedAsyncioTestCase):\n    pass\n": "unittest",
    "import unittest\nBase = unittest.TestCase\nclass Checks(Base):\n    pass\n": "unittest",
    "from unittest.case import FunctionTestCase as F\nclass Checks(F):\n    pass\n": "unittest",
    "import pytest\n@pytest.mark.anyio\ndef test_a():\n    pass\n": "anyio",
    "def test_a(anyio_backend):\n    pass\n": "anyio",
    "def test_a(subtests):\n    pass\n": "subtests",
}
"""Modules that would need a blocked plugin, and the plugin."""


@pytest.mark.parametrize(("source", "plugin"), NEEDING_SOURCES.items())
def test_a_module_that_would_need_a_blocked_plugin_is_found(source: str, plugin: str) -> None:
    assert _needs(ast.parse(source)) == {plugin}


def test_a_plain_module_needs_none() -> None:
    source = "import unittest.mock\nclass TestPlain:\n    def test_a(self, tmp_path, monkeypatch): pass\nasync def helper(): pass\n"
    assert _needs(ast.parse(source)) == set()


def test_an_async_test_for_another_plugin_needs_none() -> None:
    # An adopter's pytest-asyncio test runs without anyio; one no plugin runs fails in pytest itself
    # ("async def functions are not natively supported", with the plugins to install).
    source = "import pytest\n@pytest.mark.asyncio\nasync def test_a():\n    pass\n"
    assert _needs(ast.parse(source)) == set()
