"""tests/log_records.py: what ``caplog.records`` held, without pytest's logging plugin."""

from __future__ import annotations

import logging

import pytest

from tests.log_records import log_records


def test_records_reaching_the_root_or_a_logger_that_does_not_propagate_are_collected_in_the_block() -> None:
    quiet = logging.getLogger("tests.log_records.quiet")
    quiet.propagate = False
    root_handlers = list(logging.getLogger().handlers)
    try:
        with log_records() as records:
            logging.getLogger("tests.log_records.loud").warning("to the root")
            quiet.error("kept to itself")
            logging.getLogger("tests.log_records.loud").debug("below the root's level")
        logging.getLogger("tests.log_records.loud").warning("after the block")
    finally:
        quiet.propagate = True

    assert [record.getMessage() for record in records] == ["to the root", "kept to itself"]
    assert logging.getLogger().handlers == root_handlers and quiet.handlers == []  # detached


def test_the_suite_runs_without_pytests_logging_plugin(pytestconfig: pytest.Config) -> None:
    """The plugin walked every logger three times per test (tests/log_records.py)."""
    assert not pytestconfig.pluginmanager.has_plugin("logging")
