"""What ``tmp_path_retention_policy = "failed"`` (pyproject.toml) relies on in pytest.

Under that policy a passed test's ``tmp_path`` folder is deleted at its teardown. pytest names a
test's folder after the first 30 characters of its name plus a number; before 9.2 the number was
one more than the highest folder left in the base folder, so once a folder was deleted the next test
of the same prefix (every case of a parametrized test with a long name) was given its path again.
A cache keyed by a path (``functools.cache`` on a file or project folder, as in planner/ and
stacks/) would then answer a later test from an earlier test's files. pytest 9.2's
``TempPathFactory.mktemp`` counts per prefix in the process instead (``_next_number``), so no
path is given twice in a worker; pyproject.toml asks for pytest>=9.2.
"""

from __future__ import annotations

import shutil
import tomllib

import pytest

from tests.conftest import REPO


def test_a_deleted_folder_s_name_is_not_given_again(tmp_path_factory: pytest.TempPathFactory) -> None:
    first = tmp_path_factory.mktemp("retention-reuse")
    shutil.rmtree(first)  # what the policy does to a passed test's folder
    second = tmp_path_factory.mktemp("retention-reuse")
    assert second != first
    assert second.parent == first.parent and second.name.startswith("retention-reuse")


def test_the_policy_and_the_pytest_it_needs_are_set() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["tool"]["pytest"]["ini_options"]["tmp_path_retention_policy"] == "failed"
    assert "pytest>=9.2" in project["dependency-groups"]["dev"]


def test_an_older_pytest_refuses_to_run_the_suite() -> None:
    # The dev group's floor holds only where uv installs it: a pytest from another lock or
    # environment runs the suite too, and one before 9.2 would pass with a cache-key hazard.
    # minversion stops it at start-up, naming the version it needs.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    [floor] = (
        r.removeprefix("pytest>=") for r in project["dependency-groups"]["dev"] if r.startswith("pytest>=")
    )
    assert project["tool"]["pytest"]["ini_options"]["minversion"] == floor == "9.2"
