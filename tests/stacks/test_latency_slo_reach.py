"""A p99 latency threshold SageMaker never lets a request reach is refused in the stack file.

The latency alarm fires above ``latency_p99_slo_ms`` and rolls a deployment back. A real-time or
serverless container must answer within 60 s and an asynchronous request ends after at most
3,600 s, so a threshold at or above that limit is an alarm that can never fire: a rollback alarm
switched off without saying so.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.invocation_alarms import (
    ASYNC_RESPONSE_LIMIT_MS,
    REALTIME_RESPONSE_LIMIT_MS,
    latency_slo_problem,
)
from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.components.test_shared_endpoint import SHARED_PROD
from tests.config_problems import stack_file_problems

Edit = Callable[[dict[str, Any]], None]


def _endpoint_slo(value: int) -> Edit:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0].setdefault("deployment", {})["latency_p99_slo_ms"] = value

    return edit


def _is_async(path: Path) -> bool:
    config = offline_platform_config(read_stack_file(str(path)))
    return config.endpoints[0].async_inference is not None


KEY = f"{CONFIG_KEY}.endpoints[0].deployment.latency_p99_slo_ms"


@pytest.mark.parametrize(
    ("base", "asynchronous", "limit"),
    [("prod", False, REALTIME_RESPONSE_LIMIT_MS), ("dev", True, ASYNC_RESPONSE_LIMIT_MS)],
    ids=["real-time", "async"],
)
def test_an_endpoint_slo_at_the_invocation_limit_is_refused_and_just_below_it_accepted(
    write_stack, base: str, asynchronous: bool, limit: int
) -> None:
    below = write_stack(base, _endpoint_slo(limit - 1))
    assert _is_async(below) is asynchronous  # the fixture's first endpoint is the kind tested
    assert stack_file_problems(below) == {}
    for value in (limit, limit * 10):
        problems = stack_file_problems(write_stack(base, _endpoint_slo(value)))
        assert list(problems) == [KEY], problems
        assert f"{limit:,} ms" in problems[KEY] and "never fire" in problems[KEY]


def test_an_async_endpoint_may_wait_longer_than_a_real_time_one(write_stack) -> None:
    slow = _endpoint_slo(REALTIME_RESPONSE_LIMIT_MS * 2)
    assert stack_file_problems(write_stack("dev", slow)) == {}
    assert KEY in stack_file_problems(write_stack("prod", slow))


def test_a_shared_endpoint_slo_is_bounded_as_a_real_time_one(write_stack) -> None:
    def shared(value: int) -> Edit:
        def edit(platform: dict[str, Any]) -> None:
            platform["shared_endpoints"] = [{**copy.deepcopy(SHARED_PROD), "latency_p99_slo_ms": value}]

        return edit

    key = f"{CONFIG_KEY}.shared_endpoints[0].latency_p99_slo_ms"
    problems = stack_file_problems(write_stack("prod", shared(REALTIME_RESPONSE_LIMIT_MS)))
    assert list(problems) == [key] and "never fire" in problems[key]
    assert stack_file_problems(write_stack("prod", shared(REALTIME_RESPONSE_LIMIT_MS - 1))) == {}


def test_the_plan_exits_2_naming_the_file_and_the_key_and_prints_nothing(write_stack, capsys) -> None:
    path = write_stack("prod", _endpoint_slo(REALTIME_RESPONSE_LIMIT_MS))
    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: {KEY}: " in err


@pytest.mark.parametrize(
    ("asynchronous", "documented_limit_ms"),
    # InvokeEndpoint: the container answers within 60 s; InvokeEndpointAsync: InvocationTimeoutSeconds <= 3600.
    [(False, 60_000), (True, 3_600_000)],
    ids=["real-time-60s", "async-3600s"],
)
def test_the_limits_are_sagemakers_documented_invocation_timeouts(
    asynchronous: bool, documented_limit_ms: int
) -> None:
    # Literal values: the other tests here read the limits from the module, so a wrong constant moves them too.
    assert latency_slo_problem(documented_limit_ms - 1, asynchronous) is None
    assert latency_slo_problem(documented_limit_ms, asynchronous) is not None
