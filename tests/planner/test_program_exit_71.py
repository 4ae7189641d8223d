"""A program that stops on something other than an Exception is no verdict (exit 3), never 1 or 0.

``record_program`` lets the program's own exception through unchanged, and a transform's
``BaseException`` too (an ``Exception`` a transform raises fails the recording with
:class:`~planner.transforms.TransformFailed`: tests/planner/test_transform_failure_72.py). ``run``
caught only ``Exception``: a program or a transform calling
``sys.exit(1)``, or raising asyncio's ``CancelledError`` (a ``BaseException`` since Python 3.8),
passed it by and the process exited 1, the status CI reads as a mandatory policy violation
(docs/ci-cd.md), or 0 (``sys.exit(0)``), a clean plan, with no plan at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest

from planner.__main__ import EXIT_FAILED, run
from planner.recorder import record_program


def _stopping_program(stop: BaseException, *, in_transform: bool) -> Callable[[], None]:
    def program() -> None:
        if not in_transform:
            raise stop

        def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
            raise stop

        aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(transforms=[transform]))

    return program


STOPS = [
    pytest.param(lambda: SystemExit(1), id="sys.exit(1)"),
    pytest.param(lambda: SystemExit(0), id="sys.exit(0)"),
    pytest.param(lambda: SystemExit("a message"), id="sys.exit(message)"),
    pytest.param(asyncio.CancelledError, id="CancelledError"),
]


@pytest.mark.parametrize("in_transform", [False, True], ids=["in the program", "in a transform"])
@pytest.mark.parametrize("stop", STOPS)
def test_record_program_raises_what_the_program_raised(
    stop: Callable[[], BaseException], in_transform: bool
) -> None:
    raised = stop()
    with pytest.raises(type(raised)) as caught:
        record_program(_stopping_program(raised, in_transform=in_transform))
    if not isinstance(raised, asyncio.CancelledError):  # a cancelled transform cancels its task
        assert caught.value is raised


def _plan_of(monkeypatch: pytest.MonkeyPatch, program: Callable[[], None]) -> None:
    """``run`` records ``program`` in place of the stack file's (no stack file is read)."""
    monkeypatch.setattr("planner.__main__.validated_stack_file", lambda path: path)
    monkeypatch.setattr("planner.__main__.build_plan", lambda stack_file, registry: record_program(program))


@pytest.mark.parametrize("in_transform", [False, True], ids=["in the program", "in a transform"])
@pytest.mark.parametrize("stop", STOPS)
def test_a_program_stopping_on_a_base_exception_is_no_verdict(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: Callable[[], BaseException],
    in_transform: bool,
) -> None:
    raised = stop()
    _plan_of(monkeypatch, _stopping_program(raised, in_transform=in_transform))

    assert run(["--config", "any/Pulumi.x.yaml"]) == EXIT_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""  # no plan
    assert f"error: the plan stopped on {type(raised).__name__}" in captured.err
    assert "no verdict" in captured.err


def test_an_exception_in_a_transform_is_no_verdict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _plan_of(monkeypatch, _stopping_program(RuntimeError("a bug in a transform"), in_transform=True))

    assert run(["--config", "any/Pulumi.x.yaml"]) == EXIT_FAILED
    assert "RuntimeError: a bug in a transform" in capsys.readouterr().err


def test_ctrl_c_still_interrupts(monkeypatch: pytest.MonkeyPatch) -> None:
    """KeyboardInterrupt keeps Python's own exit (the process ends on SIGINT, 130 from a shell)."""
    _plan_of(monkeypatch, _stopping_program(KeyboardInterrupt(), in_transform=False))

    with pytest.raises(KeyboardInterrupt):
        run(["--config", "any/Pulumi.x.yaml"])
