"""A stack file's ``rate(N unit)`` schedules: AWS documents no upper bound for N (EventBridge rules:
"a positive number"; EventBridge Scheduler and Application Auto Scaling: "a positive integer"), so
a value past the largest signed 32-bit integer is refused, naming the file and the key, and saying why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.schedules import RATE_MAX, eventbridge_schedule_problem
from stacks.config import CONFIG_KEY
from stacks.config_errors import ConfigError
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.config_problems import stack_file_problems

TOO_LARGE = f"rate({RATE_MAX + 1} days)"


def _training(platform: dict[str, Any], schedule: str) -> None:
    platform["training"] = {"schedule": schedule}


def _batch_scoring(platform: dict[str, Any], schedule: str) -> None:
    platform["models"][0]["batch_scoring"] = {"schedule": schedule, "instance_type": "ml.m5.xlarge"}


def _scheduled_action(platform: dict[str, Any], schedule: str) -> None:
    action = {"name": "nightly", "schedule": schedule, "min_capacity": 1, "max_capacity": 2}
    platform["endpoints"][0]["variants"][0]["scaling"]["scheduled"] = [action]


# (key, edit): every stack-file key that takes a rate expression.
KEYS: list[tuple[str, Callable[[dict[str, Any], str], None]]] = [
    ("training.schedule", _training),
    ("models[0].batch_scoring.schedule", _batch_scoring),
    ("endpoints[0].variants[0].scaling.scheduled[0].schedule", _scheduled_action),
]


@pytest.mark.parametrize(("key", "edit"), KEYS, ids=[key for key, _ in KEYS])
def test_a_rate_past_32_bits_is_refused_naming_file_and_key(
    write_stack: Callable[..., Path], key: str, edit: Callable[[dict[str, Any], str], None]
) -> None:
    path = write_stack("dev", lambda platform: edit(platform, TOO_LARGE))
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    at = f"{path}: {CONFIG_KEY}.{key}: "
    lines = [line.strip() for line in str(raised.value).splitlines() if line.strip().startswith(at)]
    assert len(lines) == 1, str(raised.value)
    assert TOO_LARGE in lines[0] and "32-bit" in lines[0] and "no upper bound" in lines[0], lines


def test_the_largest_32_bit_rate_is_accepted(write_stack: Callable[..., Path]) -> None:
    path = write_stack("dev", lambda platform: _scheduled_action(platform, f"rate({RATE_MAX} days)"))
    assert stack_file_problems(path) == {}


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        (f"rate({RATE_MAX} minutes)", False),
        (f"rate({RATE_MAX + 1} minutes)", True),
        ("rate(99999999999999999999 hours)", True),
        ("rate(1 minute)", False),
    ],
)
def test_the_bound_holds_for_every_unit(expression: str, refused: bool) -> None:
    problem = eventbridge_schedule_problem(expression)
    assert (problem is not None and "32-bit" in problem) == refused, problem
    assert (eventbridge_schedule_problem(expression, one_time=True) is not None) == refused


def test_the_refusal_names_the_bound_as_a_signed_32_bit_one() -> None:
    """2147483647 is the largest *signed* 32-bit integer (an unsigned field holds 4294967295): the
    message must not say a value between them overflows any 32-bit field."""
    problem = eventbridge_schedule_problem(TOO_LARGE)
    assert problem is not None and "largest signed 32-bit integer" in problem, problem
    assert "overflow a 32-bit field" not in problem, problem
