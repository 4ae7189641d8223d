"""A transform that raises fails the plan as `pulumi up` fails the program, not as a planner crash.

Under ``pulumi up`` the SDK's callback server answers the engine with the transform's error and its
stack, user frames only (pulumi ``_CallbackServicer.Invoke``/``pretty_error``: "Invoke callback
<token> error: <error>:" and the frames); the engine fails the registration with it
(source_eval.go ``RegisterResource``: "invoke transform: rpc error: ..."; ``Invoke`` returns a stack
invoke transform's as it is, which the SDK raises as "invoke of <token> failed: ..."), and the
program fails. The recording let the transform's exception through, so ``bin/plan`` took its crash
path: a Python traceback through the planner and the SDK, exit 3. It now fails with
:class:`~planner.transforms.TransformFailed` (a ProgramFailure): ``error: invoke transform: ...``
naming the resource, the transform (its function, file and line, where pulumi names a callback
token) and the error with the program's frames; exit 3 (no verdict), nothing on stdout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import _callbacks
from pulumi.runtime import mocks as _mocks

import planner.transforms
from planner.__main__ import EXIT_FAILED, run
from planner.mocks import InvokeFailed
from planner.recorder import record_program
from planner.transforms import TransformFailed

HERE = __file__


def refuse_untagged(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "aws:s3/bucket:Bucket" and "tags" not in args.props:
        raise ValueError(f"{args.name}: no untagged buckets here")
    return None


FIRST_LINE = refuse_untagged.__code__.co_firstlineno


def _failure(program: Callable[[], None]) -> TransformFailed:
    with pytest.raises(TransformFailed) as caught:
        record_program(program, config={"aws:region": "eu-west-1"})
    return caught.value


def test_a_stack_transform_that_raises_names_the_resource_the_transform_and_the_error() -> None:
    def program() -> None:
        pulumi.runtime.register_resource_transform(refuse_untagged)
        aws.s3.Bucket("tagged", tags={"team": "ml"})
        aws.s3.Bucket("data")

    failure = _failure(program)
    message = str(failure)
    first, *stack = message.splitlines()
    assert first == (
        f"invoke transform: transform refuse_untagged ({HERE}:{FIRST_LINE}) failed on "
        "aws:s3/bucket:Bucket 'data': ValueError: data: no untagged buckets here"
    )
    # The program's frames, as the SDK's pretty_error keeps them: where the transform raised.
    assert stack == [
        f'  File "{HERE}", line {FIRST_LINE + 2}, in refuse_untagged',
        '    raise ValueError(f"{args.name}: no untagged buckets here")',
    ]
    assert _callbacks.__file__ not in message and planner.transforms.__file__ not in message
    assert isinstance(failure.error, ValueError)
    assert str(failure.error) == "data: no untagged buckets here"


def test_a_parents_transform_failing_on_a_child_names_the_child() -> None:
    """A component's own transforms reach its children (source_eval.go's parents' transforms)."""

    class Team(pulumi.ComponentResource):
        def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
            super().__init__("test:index:Team", name, None, opts)
            aws.s3.Bucket(f"{name}-logs", opts=pulumi.ResourceOptions(parent=self))

    def program() -> None:
        Team("ml", pulumi.ResourceOptions(transforms=[refuse_untagged]))

    first = str(_failure(program)).splitlines()[0]
    assert "transform refuse_untagged (" in first
    assert "failed on aws:s3/bucket:Bucket 'ml-logs': ValueError: ml-logs: no untagged buckets here" in first


def test_an_async_transform_raising_after_an_await_is_named_too() -> None:
    async def later(args: pulumi.ResourceTransformArgs) -> None:
        await pulumi.Output.from_input("x").future()
        raise RuntimeError("late refusal")

    def program() -> None:
        aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(transforms=[later]))

    message = str(_failure(program))
    assert message.startswith(
        "invoke transform: transform test_an_async_transform_raising_after_an_await_is_named_too.<locals>.later ("
    )
    assert "failed on aws:sns/topic:Topic 'alerts': RuntimeError: late refusal" in message
    assert 'raise RuntimeError("late refusal")' in message


def test_an_invoke_transform_that_raises_fails_the_invoke_it_transforms() -> None:
    def no_lookups(args: pulumi.InvokeTransformArgs) -> None:
        raise PermissionError(f"no {args.token} here")

    def program() -> None:
        pulumi.runtime.register_invoke_transform(no_lookups)
        pulumi.export("region", aws.get_region().region)

    failure = _failure(program)
    first = str(failure).splitlines()[0]
    assert first.startswith("invoke of aws:index/getRegion:getRegion failed: the invoke transform ")
    assert first.endswith(
        "no_lookups ("
        f"{HERE}:{no_lookups.__code__.co_firstlineno}) failed: "
        "PermissionError: no aws:index/getRegion:getRegion here"
    )
    assert isinstance(failure.error, PermissionError)


def test_the_plan_fails_with_the_message_no_verdict_and_nothing_on_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def program() -> None:
        pulumi.runtime.register_resource_transform(refuse_untagged)
        aws.s3.Bucket("data")

    monkeypatch.setattr("planner.__main__.validated_stack_file", lambda path: path)
    monkeypatch.setattr("planner.__main__.build_plan", lambda stack_file, registry: record_program(program))
    assert run(["--config", "any/Pulumi.x.yaml"]) == EXIT_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"error: invoke transform: transform refuse_untagged ({HERE}:{FIRST_LINE}) failed on "
        "aws:s3/bucket:Bucket 'data': ValueError: data: no untagged buckets here\n"
    )
    assert "Traceback" not in captured.err  # the program's failure, not a planner crash


def test_an_invoke_failing_inside_a_transform_shows_the_program_s_frames_not_the_planner_s() -> None:
    """Review 72: a transform whose own ``get_region`` fails. Under ``pulumi up`` the provider's
    error crosses the engine's gRPC boundary and the SDK raises it as a plain ``Exception``
    (runtime/invoke.py): the transform's stack ends in the SDK's invoke. The recording listed the
    mocks' frames after it (planner/recorder.py, pulumi/runtime/mocks.py, planner/mocks.py), the
    engine's side, and named the planner's ``InvokeFailed``."""
    planner_dir = str(Path(planner.transforms.__file__).parent)

    def look_up(args: pulumi.ResourceTransformArgs) -> None:
        aws.get_region(region="eu-west-9")

    def program() -> None:
        pulumi.runtime.register_resource_transform(look_up)
        aws.s3.Bucket("data")

    failure = _failure(program)
    first, *stack = str(failure).splitlines()
    assert first == (
        f"invoke transform: transform {look_up.__qualname__} ({HERE}:{look_up.__code__.co_firstlineno}) "
        "failed on aws:s3/bucket:Bucket 'data': Exception: invoke of aws:index/getRegion:getRegion "
        "failed: invocation of aws:index/getRegion:getRegion returned an error: finding Region by name "
        "(eu-west-9): couldn't find resource"
    )
    frames = [line for line in stack if line.startswith('  File "')]
    assert frames[0] == f'  File "{HERE}", line {look_up.__code__.co_firstlineno + 1}, in look_up'
    assert any("pulumi_aws/get_region.py" in line for line in frames)  # the SDK's side is the program's
    assert not [line for line in frames if planner_dir in line or _mocks.__file__ in line]
    assert isinstance(failure.error, InvokeFailed)
