"""A recording that fails on the program's own error raises that error once, and asyncio logs
nothing more about it.

The SDK fails every output of a resource whose registration raised (its URN, its id, each output:
pulumi/runtime/resource.py ``register_resource``, ``rpc.resolve_outputs_due_to_exception``) with the
error the recording then raises. No program reads them, and the SDK's state keeps them until the
next recording clears it: collected then, each logged "Future exception was never retrieved" with
the error's traceback, a dozen times per resource, on the stderr of whoever recorded next (a later
test, a second recording in one command). The recorder silenced this for a refusal of the engine's
(:class:`~planner.program_failure.ProgramFailure`) only, not for an error of the program itself (a
component's ``ValueError`` for a bad input, as tests/stacks/test_package_composition_mutation_audit.py
records). A command recording once (``bin/plan``, ``python -m delivery.verify``) ends before they
are collected: its stderr held the error alone before this as after (checked by hand).

Besides, the recorder's own task finishing a call after the program's transforms left its failure
unread once the SDK had stopped waiting for it (``_settle``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import gc
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planner.recorder import _ConsequencesUnsaid, _settle, record_program
from tests.log_records import log_records

CONFIG = {"aws:region": "eu-west-1"}


def _refuse(text: str) -> str:
    raise ValueError(f"statements_json: not a list of statements: {text}")


def _bad_role_policy() -> None:
    """A component's input check failing in an ``apply``: the registration reading it raises."""
    role = aws.iam.Role("role", assume_role_policy="{}")
    aws.iam.RolePolicy("bad-permissions", role=role.id, policy=pulumi.Output.from_input("[3]").apply(_refuse))


async def _lost() -> None:
    raise RuntimeError("a task nobody awaited")


def _unretrieved(record: Callable[[], object]) -> list[str]:
    """What asyncio logs as never retrieved while ``record`` runs and a later recording releases
    what it left (the SDK's state is cleared when the next one starts), collected at once."""
    with log_records() as records:
        record()
        record_program(lambda: aws.sqs.Queue("next"), config=CONFIG)
        gc.collect()
    return [r.getMessage() for r in records if "never retrieved" in r.getMessage()]


def test_a_failed_recording_leaves_no_unretrieved_future_behind() -> None:
    def failing() -> None:
        with pytest.raises(ValueError, match="While processing resource: 'bad-permissions'") as raised:
            record_program(_bad_role_policy, config=CONFIG)
        # The error the caller gets is the program's, whole: it is not what was silenced.
        assert "statements_json: not a list of statements: [3]" in str(raised.value)

    assert _unretrieved(failing) == []


def test_an_unretrieved_failure_of_a_recording_that_succeeds_is_still_said() -> None:
    """A task of the program that failed and that nothing awaited, in a recording that succeeds, is
    no consequence of a failure already raised: asyncio still says it (as under ``pulumi up``)."""

    def program() -> None:
        asyncio.ensure_future(_lost())  # noqa: RUF006 (lost on purpose: nothing awaits it)
        aws.sqs.Queue("queue")

    [said] = _unretrieved(lambda: record_program(program, config=CONFIG))
    assert said.startswith("Task exception was never retrieved")
    assert "RuntimeError('a task nobody awaited')" in said


def test_a_second_error_of_a_failed_recording_is_still_said() -> None:
    """Only what repeats the error raised is silent: a task that failed on an error of its own,
    unawaited, in a recording that then failed on another, is still said."""

    def program() -> None:
        asyncio.ensure_future(_lost())  # noqa: RUF006 (lost on purpose: nothing awaits it)
        _bad_role_policy()

    def failing() -> None:
        with pytest.raises(ValueError, match="bad-permissions"):
            record_program(program, config=CONFIG)

    [said] = _unretrieved(failing)
    assert "RuntimeError('a task nobody awaited')" in said


def test_an_error_raised_while_handling_the_failure_is_still_said() -> None:
    """An error the program raises while handling the failure (its ``__context__`` is the failure)
    is a bug of its own, in a task nobody awaited: the caller's traceback does not show it, so
    asyncio still says it. The program keeps the task (a component's attribute would), so it is
    collected once the recording failed, as the SDK's outputs are."""
    kept: list[asyncio.Task[None]] = []

    def program() -> None:
        bad = aws.iam.RolePolicy(
            "bad-permissions", role="r", policy=pulumi.Output.from_input("[3]").apply(_refuse)
        )

        async def clean_up() -> None:
            try:
                await bad.id.future()
            except ValueError:
                raise RuntimeError("the clean-up has a bug of its own")  # noqa: B904 (its context on purpose)

        kept.append(asyncio.ensure_future(clean_up()))

    def failing() -> None:
        with pytest.raises(ValueError, match="bad-permissions"):
            record_program(program, config=CONFIG)
        [task] = kept
        assert task.done() and not task.cancelled()  # it failed before the recording raised
        kept.clear()

    [said] = _unretrieved(failing)
    assert said.startswith("Task exception was never retrieved")
    assert "RuntimeError('the clean-up has a bug of its own')" in said


def _chained() -> tuple[BaseException, BaseException, BaseException]:
    """A failure raised from an error (its ``__cause__``) that was raised while handling another
    (that one's ``__context__``): Python's traceback of the failure prints all three."""
    try:
        raise KeyError("handled")
    except KeyError:
        try:
            raise OSError("its cause")  # an error with a context
        except OSError as raised:
            cause = raised
    try:
        raise ValueError("the failure") from cause
    except ValueError as failure:
        assert failure.__context__ is None  # the chain reads on through __cause__, then __context__
        assert cause.__context__ is not None
        return failure, cause, cause.__context__


def _raised_during(failure: BaseException, *, cause: bool) -> BaseException:
    try:
        if cause:
            raise RuntimeError("raised from the failure") from failure
        try:
            raise failure
        except BaseException:
            raise RuntimeError("raised while handling the failure")  # noqa: B904
    except RuntimeError as error:
        return error


def test_the_handler_is_silent_on_the_failure_and_what_its_traceback_shows_only() -> None:
    """Silent on the error the recording raised and on the ones its traceback prints with it (the
    one it was raised ``from``, and the one that was raised while handling); an error raised from
    or while handling the failure, or one unrelated, is said."""
    failure, cause, context = _chained()
    unsaid = _ConsequencesUnsaid()
    unsaid.failure = failure
    errors = {
        "the failure": failure,
        "its cause": cause,
        "its cause's context": context,
        "raised from it": _raised_during(failure, cause=True),
        "raised while handling it": _raised_during(failure, cause=False),
        "unrelated": LookupError("unrelated"),
    }
    loop = asyncio.new_event_loop()
    try:
        with log_records() as records:
            for name, error in errors.items():
                unsaid(loop, {"message": f"Future exception was never retrieved: {name}", "exception": error})
    finally:
        loop.close()

    said = [r.getMessage().splitlines()[0] for r in records if "never retrieved" in r.getMessage()]
    assert said == [
        "Future exception was never retrieved: raised from it",
        "Future exception was never retrieved: raised while handling it",
        "Future exception was never retrieved: unrelated",
    ]


def test_an_error_the_failure_hid_with_from_none_is_said() -> None:
    """``raise Failure(...) from None`` suppresses the context: Python's traceback of the failure does
    not print the error it was raised while handling, so the caller never sees it and asyncio does
    say it (a chain walk that followed ``__context__`` regardless silenced it)."""
    hidden = KeyError("hidden by from None")
    try:
        try:
            raise hidden
        except KeyError:
            raise RuntimeError("the recording's failure") from None
    except RuntimeError as raised:
        failure = raised
    assert failure.__context__ is hidden and failure.__suppress_context__  # the premise
    unsaid = _ConsequencesUnsaid()
    unsaid.failure = failure
    loop = asyncio.new_event_loop()
    try:
        with log_records() as records:
            for name, error in {"the failure": failure, "the hidden one": hidden}.items():
                unsaid(loop, {"message": f"Future exception was never retrieved: {name}", "exception": error})
    finally:
        loop.close()

    said = [r.getMessage().splitlines()[0] for r in records if "never retrieved" in r.getMessage()]
    assert said == ["Future exception was never retrieved: the hidden one"]


def test_a_call_finishing_in_failure_after_the_sdk_stopped_waiting_is_read() -> None:
    """The recorder's executor finishes a call that awaits the program's transforms in a task of
    its own, and ``_settle`` hands the task's outcome to the SDK's wait: once that wait was
    cancelled (a failed program's unwinding) it returned without reading the task's failure, which
    asyncio then logged when the task was collected."""
    loop = asyncio.new_event_loop()
    waited: concurrent.futures.Future[Any] = concurrent.futures.Future()
    waited.cancel()  # the SDK stopped waiting

    async def late_failure() -> None:
        raise RuntimeError("the call failed after nobody waited")

    with log_records() as records:
        task = loop.create_task(late_failure())
        task.add_done_callback(functools.partial(_settle, waited))
        loop.run_until_complete(asyncio.wait([task]))
        loop.close()
        del task
        gc.collect()

    assert [r.getMessage() for r in records if "never retrieved" in r.getMessage()] == []
    assert waited.cancelled()


@pytest.mark.parametrize(
    ("stop", "kind"),
    [
        pytest.param(lambda: SystemExit(1), SystemExit, id="sys.exit(1)"),
        pytest.param(KeyboardInterrupt, KeyboardInterrupt, id="KeyboardInterrupt"),
    ],
)
def test_a_program_stopping_leaves_its_task_s_failure_unsaid(
    stop: Callable[[], BaseException], kind: type[BaseException]
) -> None:
    """A ``SystemExit`` or ``KeyboardInterrupt`` leaves the SDK's task of the program
    (``run_pulumi_func``) through the event loop itself (asyncio re-raises it from the task's step,
    where an exception would be read by ``run_until_complete``): nothing reads the task's outcome,
    the recording raises it, and asyncio logged it again as "Task exception was never retrieved"
    (tests/planner/test_program_exit_71.py's output). The error is made inside the program: one the
    test kept would keep the task alive past the collection."""

    def program() -> None:
        raise stop()

    def failing() -> None:
        with pytest.raises(kind):
            record_program(program, config=CONFIG)

    assert _unretrieved(failing) == []
