"""The log records code emits, for the suite that runs without pytest's logging plugin.

``-p no:logging`` (pyproject.toml): the plugin attached its handler to the root logger and to
every logger that does not propagate, walking all of the process's loggers (about a thousand, with
botocore, moto and the SageMaker SDK imported) three times per test, about a second of a run's
CPU, for ``caplog`` in one test. Without it, a record that reaches no handler is printed on
stderr (logging's last resort), where a test's ``capsys`` sees it, as a user's terminal would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def log_records() -> Iterator[list[logging.LogRecord]]:
    """The records emitted in the block at the loggers' own levels, as ``caplog.records`` held
    them: those reaching the root logger and those of loggers that do not propagate."""
    collector = _Collector()
    root = logging.getLogger()
    attached = [root] + [
        logger
        for logger in root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in attached:
        logger.addHandler(collector)
    try:
        yield collector.records
    finally:
        for logger in attached:
            logger.removeHandler(collector)
