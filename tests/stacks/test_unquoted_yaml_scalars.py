"""Text that YAML reads as another type is refused saying how to keep it text.

An unquoted ``backup: true`` is a boolean to Pulumi's YAML reader (and the plan's), ``version: 1.10``
the number 1.1 and ``account_id: 012345670123`` the octal number 1402433619; the refusal echoed only
what YAML made of it (``got True``, ``got 1.1``), which hides what was written and what to change.
(``yes`` and ``1:30`` are text to Pulumi: tests/stacks/test_engine_yaml.py.)
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG
from planner.__main__ import main as plan

QUOTE = "quote the value to keep it as text"
NUMBERS = "unquoted, YAML reads numbers as numbers (1.10 as 1.1, 1e3 as 1000; 0123, 0o17 and 0x1f in base 8, 8 and 16)"


def _set_tag(value: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform["tags"]["backup"] = value

    return edit


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (True, "unquoted, YAML reads true and false as booleans"),
        (1.1, NUMBERS),
        (7, NUMBERS),
    ],
)
def test_a_tag_yaml_read_as_another_type_says_to_quote_it(write_stack, capsys, value: Any, read: str) -> None:
    path = write_stack("dev", _set_tag(value))

    assert plan(["--config", str(path)]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    [_, problem] = captured.err.splitlines()
    assert problem.startswith(
        f"  {path}: mlops-platform:platform.tags.backup: Input should be a valid string"
    )
    assert problem.endswith(f"; {read}: {QUOTE}")


def test_an_unquoted_account_id_says_to_quote_it(write_stack, capsys) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["account_id"] = int(platform["account_id"])

    path = write_stack("dev", edit)

    assert plan(["--config", str(path)]) == EXIT_INVALID_CONFIG

    [_, problem] = capsys.readouterr().err.splitlines()
    assert f"{path}: mlops-platform:platform.account_id: " in problem
    assert problem.endswith(QUOTE)


def test_a_wrong_string_that_is_text_gets_no_quoting_advice(write_stack, capsys) -> None:
    """The advice is for scalars YAML turned into something else: a list where text belongs is not
    fixed by quotes."""
    path = write_stack("dev", _set_tag(["a", "b"]))

    assert plan(["--config", str(path)]) == EXIT_INVALID_CONFIG

    err = capsys.readouterr().err
    assert "tags.backup" in err
    assert QUOTE not in err


@pytest.mark.parametrize(("written", "read"), [("0123", 83), ("0o17", 15), ("0x1f", 31), ("1e3", 1000)])
def test_a_number_yaml_read_in_another_base_is_not_said_to_have_lost_zeros(
    write_stack, capsys, written: str, read: int
) -> None:
    """Pulumi reads ``0123`` as octal 83 (not 123), ``0o17`` as 15, ``0x1f`` as 31 and ``1e3`` as
    1000: the advice names those readings, as "dropping leading zeros" would send the reader looking
    for a 123."""
    path = write_stack(
        text=write_stack("dev").read_text().replace("owner: ml-platform-team", f"owner: {written}")
    )

    assert plan(["--config", str(path)]) == EXIT_INVALID_CONFIG

    [_, problem] = capsys.readouterr().err.splitlines()
    assert (
        f"{path}: mlops-platform:platform.tags.owner: Input should be a valid string (got {read}); "
        in problem
    )
    assert problem.endswith(f"; {NUMBERS}: {QUOTE}")
