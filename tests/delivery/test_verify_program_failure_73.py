"""``python -m delivery.verify`` on a program that fails as `pulumi up` would fail it: one
``error: ...`` line naming the problem, exit 2 ("could not run"), nothing on stdout, no traceback.

The recording raises the planner's :class:`~planner.program_failure.ProgramFailure` for an invoke
the provider fails, a registration ``pulumi:disable-default-providers`` refuses, a transform that
raises and an auto-name too long for its type; ``bin/plan`` says each as ``error: ...`` and exits 3
(tests/planner/test_mock_regions_72.py, test_disable_default_providers_70.py,
test_transform_failure_72.py). The check printed a Python traceback of the planner's frames under
"the check stopped on DefaultProviderDenied(...)", as for a bug.

Each case records the fixture dev stack file, whose ``pulumi:disable-default-providers`` lists
``aws``, with the program replaced by one that fails; the recording fails before any AWS call, so
no account is involved. One case runs in a real process (the status CI reads, the stderr an
engineer reads, with nothing more printed as the interpreter exits); the others call the same
``delivery.verify.run`` in this process, its streams captured, with the same assertions on its
status, stdout and stderr, and then the next recording and a garbage collection log no unread
failure ("never retrieved") of theirs. Each is run once per version of the code
(tests.recorded.computed_once): a real process costs half a CPU-second of imports.

The other commands of delivery/ and pipelines/ (``delivery.promote``, ``pipelines.promotion``,
``delivery.stacks``, ``delivery.plan_summary``) read the stack file's configuration only: none
records the program, so none can fail this way.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
import sys
import textwrap

import pytest

from delivery.verify import EXIT_CANNOT_RUN
from tests.conftest import REPO, stack_path
from tests.log_records import log_records
from tests.recorded import computed_once

PROVIDER = 'provider = aws.Provider("aws", region="eu-west-1")\n'
"""The fixture stack refuses aws's default provider: a program naming its provider, as the
platform's does, gets past that check to the failure its case is about."""

PROGRAMS = {
    "a failing invoke": PROVIDER
    + 'aws.get_region(region="eu-west-9", opts=pulumi.InvokeOptions(provider=provider))\n',
    "a default provider refused": 'aws.s3.Bucket("forgot")\n',
    "a transform that raises": PROVIDER
    + textwrap.dedent(
        """\
        def refuse_untagged(args):
            raise ValueError(f"{args.name}: no untagged buckets here")
        pulumi.runtime.register_resource_transform(refuse_untagged)
        aws.s3.Bucket("data", opts=pulumi.ResourceOptions(provider=provider))
        """
    ),
    "an auto-name too long": PROVIDER
    + 'aws.sqs.Queue("q" * 80, opts=pulumi.ResourceOptions(provider=provider))\n',
}

SAID = {
    "a failing invoke": "invoke of aws:index/getRegion:getRegion failed: invocation of "
    "aws:index/getRegion:getRegion returned an error: finding Region by name (eu-west-9): "
    "couldn't find resource",
    "a default provider refused": "Default provider for 'aws' disabled. "
    "'urn:pulumi:dev::mlops-platform::pulumi:pulumi:Stack$aws:s3/bucket:Bucket::forgot' must use an "
    "explicit provider.",
    "a transform that raises": "aws:s3/bucket:Bucket 'data': ValueError: data: no untagged buckets here",
    "an auto-name too long": "q" * 80,
}


REAL_PROCESS = "a transform that raises"
"""The case run in a real process: its message runs over several lines (the program's frames)."""


def _argv() -> list[str]:
    return ["--stack-file", str(stack_path("dev"))]


def _program_source(case: str) -> str:
    """The stack's program for ``case``: ``def program(source, **kwargs)`` running ``PROGRAMS[case]``
    (``pulumi`` and ``aws`` in its globals)."""
    return "def program(source, **kwargs):\n" + textwrap.indent(PROGRAMS[case], "    ")


def _verify_once(case: str) -> subprocess.CompletedProcess[str]:
    """``python -m delivery.verify --stack-file <the dev fixture>`` in a real process, the stack's
    program replaced by ``PROGRAMS[case]``; once per version of the code and this module."""
    code = "\n".join(
        [
            "import runpy, sys",
            "import pulumi, pulumi_aws as aws",
            "import stacks.program",
            _program_source(case),
            "stacks.program.run = program",
            f"sys.argv = ['delivery.verify', *{_argv()!r}]",
            "runpy.run_module('delivery.verify', run_name='__main__', alter_sys=True)",
        ]
    )
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def run() -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
        return result

    return computed_once("verify-program-failure", run, key=[case, code])


def _verify_here_once(case: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``delivery.verify.run`` of the dev fixture in this process, the stack's program replaced by
    ``PROGRAMS[case]``: its status and streams (the last-resort log handler's lines among them), and
    what asyncio logs as never retrieved once the next recording releases the SDK's state and the
    garbage is collected; once per version of the code and this module."""
    import pulumi
    import pulumi_aws as aws

    from delivery.verify import run as verify
    from planner.recorder import record_program

    namespace = {"pulumi": pulumi, "aws": aws}
    exec(_program_source(case), namespace)

    def next_recording() -> None:
        """A recording (which releases what the SDK kept of the one before) and a collection."""
        record_program(lambda: aws.sqs.Queue("next"), config={"aws:region": "eu-west-1"})
        gc.collect()

    def run() -> tuple[subprocess.CompletedProcess[str], list[str]]:
        out, err = io.StringIO(), io.StringIO()
        next_recording()  # what earlier tests in this worker left, released before the case's
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
            patch.setattr("stacks.program.run", namespace["program"])
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                # No handler collects the case's log records: one reaching no handler is printed on
                # the captured stderr by logging's last resort, as in a process of its own.
                status = verify(_argv())
            with log_records() as records:
                next_recording()
        unretrieved = [r.getMessage() for r in records if "never retrieved" in r.getMessage()]
        return subprocess.CompletedProcess(_argv(), status, out.getvalue(), err.getvalue()), unretrieved

    return computed_once("verify-program-failure-here", run, key=[case, PROGRAMS[case]])


def test_one_case_runs_in_a_real_process() -> None:
    assert REAL_PROCESS in PROGRAMS


@pytest.mark.parametrize("case", PROGRAMS)
def test_a_program_failing_as_pulumi_up_would_is_one_error_line_and_could_not_run(case: str) -> None:
    if case == REAL_PROCESS:
        result = _verify_once(case)
    else:
        result, unretrieved = _verify_here_once(case)
        assert unretrieved == []

    assert result.returncode == EXIT_CANNOT_RUN, result.stderr
    assert result.stdout == ""  # no report
    assert "Traceback" not in result.stderr
    assert "never retrieved" not in result.stderr
    assert result.stderr.startswith(f"error: {stack_path('dev')}: ")
    assert SAID[case] in result.stderr
    # One message: the planner's, whole (a transform's names the program's frames on its own lines).
    assert [line for line in result.stderr.splitlines() if line.startswith("error: ")] == [
        result.stderr.splitlines()[0]
    ]
