"""Work done once per pytest session, however many pytest-xdist workers run the tests that need it.

A module fixture runs once per worker: when `--dist worksteal` spreads a module's tests over both
workers, each builds the wheel and makes the consumer venv again (tests/test_package.py). With
:func:`once_per_session` the first worker to ask does the work, in a folder of the session's own
temporary directory (the one pytest-xdist's workers share; each session has its own), and the
others wait on a file lock and read its pickled result.

Only for work decided by what a session cannot change (the checkout, the interpreter, the
environment) whose result the tests only read: each worker unpickles its own copy. A failure is
not kept: the next caller tries again (and fails again).
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.recorded import locked, write_whole

T = TypeVar("T")


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this session that every worker sees (a worker's own is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], T]) -> T:
    """``compute(folder)`` in the first caller of this session, in the empty ``folder`` ``<session>/<name>``;
    every later caller, in any worker, gets its pickled result."""
    root = session_folder(tmp_path_factory)
    result = root / f"{name}.pickle"
    with locked(root / f"{name}.lock"):
        if result.exists():
            return pickle.loads(result.read_bytes())
        folder = root / name
        shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
        folder.mkdir()
        value = compute(folder)
        write_whole(result, pickle.dumps(value))
        return value
