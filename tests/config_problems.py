"""What a stack file's validation refuses, as the CLI reports it: key → message."""

from __future__ import annotations

from pathlib import Path

from stacks.config import ConfigError
from stacks.stack_file import offline_platform_config, read_stack_file


def stack_file_problems(path: Path) -> dict[str, str]:
    """Every problem of the stack file at ``path`` keyed by its full key
    (``mlops-platform:platform.region``); empty when the file is valid."""
    try:
        offline_platform_config(read_stack_file(str(path)))
    except ConfigError as error:
        return dict(error.problems)
    return {}
