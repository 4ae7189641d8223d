"""What a stack file's validation refuses, as the CLI reports it: key → message."""

from __future__ import annotations

from pathlib import Path

from planner.recorder import record_program
from stacks.config import ConfigError
from stacks.program import run
from stacks.stack_file import offline_platform_config, read_stack_file


def stack_file_problems(path: Path) -> dict[str, str]:
    """Every problem of the stack file at ``path`` keyed by its full key
    (``mlops-platform:platform.region``); empty when the file is valid."""
    try:
        offline_platform_config(read_stack_file(str(path)))
    except ConfigError as error:
        return dict(error.problems)
    return {}


def program_refusal(path: Path | str) -> ConfigError:
    """The platform program run on the stack file at ``path`` under the recorder: it must refuse the
    file with one ConfigError and register nothing but the stack itself (a refused stack creates
    nothing). Returns that error."""
    errors: list[ConfigError] = []

    def program() -> None:
        try:
            run(str(path))
        except ConfigError as error:
            errors.append(error)

    graph = record_program(program, stack="variant", config=read_stack_file(str(path)).config)
    assert [resource.type for resource in graph] == ["pulumi:pulumi:Stack"], "a refused stack creates nothing"
    [error] = errors
    return error
