"""Component leftovers of session 61, closed in session 62 (each confirmed by a test failing first).

1. An awaitable that is not a Pulumi Output (a coroutine, an ``asyncio`` future or task) given
   where a plain SageMaker name is needed (an endpoint's alarms, a model family's group) was refused
   as "is a Pulumi Output": an adopter who passed ``get_name()`` un-awaited was sent looking for an
   Output in code that has none. The refusal now says what the value is (a coroutine, a Future...),
   and still says an Output is one when it is.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pulumi
import pytest

from components.observability.alarm_thresholds import AlarmThresholds
from components.observability.endpoint_alarms import EndpointAlarmsArgs, VariantAlarms
from components.serving.inference_endpoint_spec import endpoint_name_problem, sagemaker_name_problem
from tests.components.test_model_quality_alarms import _args as quality_alarms

PLAIN = (
    "must be a plain string: it names resources, and {whose} value is known only {when}; pass the name itself"
)
AWAITED = {"whose": "an awaitable's", "when": "once awaited"}


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A loop for the futures and Outputs the tests make (an Output is made in one)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()


async def _name() -> str:
    return "churn"


def _endpoint_alarms(name: object) -> EndpointAlarmsArgs:
    return EndpointAlarmsArgs(
        endpoint_name=name,  # type: ignore[arg-type]
        variants=[VariantAlarms(name="blue", gpus=0, instance_based=True)],
        thresholds=AlarmThresholds(),
        alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
        tags={"owner": "t"},
    )


def test_an_awaitable_that_is_no_output_is_refused_as_what_it_is(loop: asyncio.AbstractEventLoop) -> None:
    """A coroutine is called a coroutine, a future a Future, an Output an Output; each is still
    refused where the name must be plain, and left alone where a monitor takes an Input."""
    coroutine = _name()
    future = loop.create_future()
    output = pulumi.Output.from_input("churn")
    try:
        for value, what, tail in (
            (coroutine, "a coroutine (an awaitable, not yet awaited)", AWAITED),
            (future, "a Future (an awaitable, not yet awaited)", AWAITED),
            (output, "a Pulumi Output", {"whose": "an Output's", "when": "as the program runs"}),
        ):
            expected = f"is {what}, but this endpoint name {PLAIN.format(**tail)}"
            assert sagemaker_name_problem(value, "endpoint name") == expected
            with pytest.raises(
                ValueError, match=rf"^EndpointAlarmsArgs\.endpoint_name: {re.escape(expected)}$"
            ):
                _endpoint_alarms(value)
            with pytest.raises(
                ValueError, match=rf"^ModelQualityAlarmsArgs\.endpoint_name: {re.escape(expected)}$"
            ):
                quality_alarms(endpoint_name=value)
            assert endpoint_name_problem(value) is None
        assert "Pulumi Output" not in (sagemaker_name_problem(coroutine, "model package group name") or "")
    finally:
        coroutine.close()
