"""``python -m delivery.verify`` records the program: one stopping on ``sys.exit(1)`` or a cancelled
task is "could not run" (2), never 1, a FAIL, nor 0 with nothing checked.

``run`` caught only ``Exception``; ``SystemExit`` and asyncio's ``CancelledError`` are
``BaseException``s, which ``record_program`` lets through as the program (or a transform the
recording runs) raised them (tests/planner/test_program_exit_71.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from delivery.verify import EXIT_CANNOT_RUN, run
from planner.recorder import record_program


def _stopping_in_a_transform(stop: BaseException) -> Callable[[], None]:
    def program() -> None:
        def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
            raise stop

        aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(transforms=[transform]))

    return program


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param(lambda: SystemExit(1), id="sys.exit(1)"),
        pytest.param(lambda: SystemExit(0), id="sys.exit(0)"),
        pytest.param(asyncio.CancelledError, id="CancelledError"),
    ],
)
def test_a_program_stopping_on_a_base_exception_cannot_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stop: Callable[[], BaseException]
) -> None:
    raised = stop()

    def verify(stack_file: str, *args: Any, **kwargs: Any) -> None:
        record_program(_stopping_in_a_transform(raised))

    monkeypatch.setattr("delivery.verify.verify", verify)

    assert run(["--stack-file", "any/Pulumi.x.yaml"]) == EXIT_CANNOT_RUN
    captured = capsys.readouterr()
    assert captured.out == ""  # no report
    assert f"any/Pulumi.x.yaml: the check stopped on {type(raised).__name__}" in captured.err


def test_ctrl_c_still_interrupts(monkeypatch: pytest.MonkeyPatch) -> None:
    def verify(stack_file: str, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("delivery.verify.verify", verify)

    with pytest.raises(KeyboardInterrupt):
        run(["--stack-file", "any/Pulumi.x.yaml"])
