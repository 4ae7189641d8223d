"""The program's own read of the platform value, and validation that fails in an unexpected way.

`pulumi up` hands the program the ``mlops-platform:platform`` value as JSON text (the offline plan
does the same through the recorder): a value that is not a map, too deep or too large is a
:class:`ConfigError` naming the stack file and the key, like a stack file read by the reader.
"""

from __future__ import annotations

import json

import pytest

from planner.recorder import record_program
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.input_limits import MAX_NESTING_DEPTH, MAX_STACK_FILE_BYTES, MAX_VALUES, echo, shorten
from stacks.program import run
from stacks.stack_file import platform_from_json
from tests.conftest import load_stack_document

SOURCE = "stacks/Pulumi.variant.yaml"


def _program_error(platform: object) -> ConfigError:
    errors: list[ConfigError] = []

    def program() -> None:
        try:
            run(SOURCE)
        except ConfigError as error:
            errors.append(error)

    graph = record_program(program, stack="variant", config={CONFIG_KEY: platform})
    assert [resource.type for resource in graph] == ["pulumi:pulumi:Stack"], "nothing registered"
    [error] = errors
    return error


@pytest.mark.parametrize(
    ("platform", "message"),
    [
        ("a string", "must be a map of settings, got a string"),
        ("42", "must be a map of settings, got a number"),
        (["environment", "dev"], "must be a map of settings, got a list"),
        ("[" * 10_000 + "]" * 10_000, "levels deep"),
        ('{"tags": ' + '{"a": ' * 200 + "1" + "}" * 200 + "}", "levels deep"),
        ('{"environment": "' + "x" * (MAX_STACK_FILE_BYTES + 1) + '"}', "at most 1,048,576 bytes"),
    ],
    ids=["string", "number-text", "list", "deep-json-lists", "deep-json-maps", "too-large"],
)
def test_the_program_refuses_a_platform_value_that_is_not_a_bounded_map(platform, message) -> None:
    error = _program_error(platform)

    assert error.source == SOURCE
    [(key, problem)] = error.problems
    assert key == CONFIG_KEY and message in problem
    assert len(str(error)) < 2_000


def test_json_text_is_bounded_before_it_is_parsed() -> None:
    assert platform_from_json(None, SOURCE) is None
    assert platform_from_json('{"a": [1, 2]}', SOURCE) == {"a": [1, 2]}
    assert platform_from_json("not json", SOURCE) == "not json"
    deep = "[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1)
    with pytest.raises(ConfigError, match="levels deep"):
        platform_from_json(deep, SOURCE)
    brackets_in_strings = '{"a": "' + "[" * 10_000 + '"}'
    assert platform_from_json(brackets_in_strings, SOURCE) == {"a": "[" * 10_000}


def test_a_value_built_elsewhere_is_bounded_too() -> None:
    """parse_platform_config is also called with values that never were a file (tests, tools)."""
    recursive: dict = {"environment": "dev"}
    recursive["tags"] = recursive
    wide = {"environment": "dev", "tags": {f"t{n}": "v" for n in range(MAX_VALUES)}}

    for raw, key, message in (
        (recursive, f"{CONFIG_KEY}.tags", "contains itself"),
        (wide, f"{CONFIG_KEY}.tags", "more than 50,000 values"),
    ):
        with pytest.raises(ConfigError) as raised:
            parse_platform_config(raw, SOURCE)
        [(reported, problem)] = raised.value.problems
        assert (reported, message in problem) == (key, True)


def test_a_validator_that_raises_unexpectedly_is_a_problem_of_its_section(monkeypatch) -> None:
    def broken(value: str) -> str:
        raise IndexError("list index out of range")

    monkeypatch.setattr("stacks.config_sections._validate_cidr", broken)
    raw = load_stack_document("dev")["config"][CONFIG_KEY]

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, SOURCE)

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.network"
    assert "IndexError: list index out of range" in message


def test_a_cross_check_that_raises_unexpectedly_is_a_problem_of_the_platform(monkeypatch) -> None:
    def broken(config: object) -> list:
        raise TypeError("unsupported operand")

    monkeypatch.setattr("stacks.config.naming.derived_names", broken)
    raw = load_stack_document("dev")["config"][CONFIG_KEY]

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, SOURCE)

    assert raised.value.problems == [(CONFIG_KEY, raised.value.problems[0][1])]
    assert "TypeError: unsupported operand" in raised.value.problems[0][1]


def test_echoed_values_are_cut_short() -> None:
    assert shorten("x" * 10) == "x" * 10
    assert shorten("x" * 5_000_000) == "x" * 80 + "… (5,000,000 characters)"
    assert len(echo("y" * 5_000_000)) < 120
    assert echo(list(range(1_000))) == "a list of 1,000 items"
    raw = {**load_stack_document("dev")["config"][CONFIG_KEY], "region": "r" * 5_000_000}
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, SOURCE)
    assert len(str(raised.value)) < 2_000


def test_at_most_fifty_problems_are_shown() -> None:
    error = ConfigError(SOURCE, [(f"{CONFIG_KEY}.tags.t{n}", "bad") for n in range(60_000)])

    lines = str(error).splitlines()
    assert len(lines) == 52 and lines[-1].endswith("… and 59950 more problems")
    assert json.dumps(error.problems[:1])  # every problem is still there for a caller


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_stack_file_that_is_not_a_regular_file_is_refused_without_reading_it(kind, tmp_path) -> None:
    import os

    from stacks.stack_file import read_stack_file

    path = tmp_path / "Pulumi.dev.yaml"
    if kind == "directory":
        path.mkdir()
    else:
        os.mkfifo(path)  # opening it to read would wait for a writer forever

    with pytest.raises(ConfigError, match="not a regular file"):
        read_stack_file(path)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
def test_a_non_finite_number_is_one_problem_at_its_key(value: float) -> None:
    """A number that may be an integer or a float: one line at the key, not one per union member."""
    raw = load_stack_document("dev")["config"][CONFIG_KEY]
    raw["models"][0]["promotion"]["threshold"] = value

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, SOURCE)

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.models[0].promotion.threshold"
    assert message.startswith("Input should be a finite number")
