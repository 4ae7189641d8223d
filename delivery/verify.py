"""Post-deploy check: does the AWS account hold what the stack file promised?

    python -m delivery.verify --stack-file stacks/Pulumi.prod.yaml
    make verify STACK=prod

The promises come from the stack file recorded the way `pulumi up` ran it: with each model
family's version resolved in the live registry (see :mod:`delivery.expectations`), so an endpoint
the deploy deferred (nothing approved yet, e.g. a first deploy) is reported as deferred, not as
missing; the region is the stack's own. `pulumi up` succeeding says the API calls succeeded; this says the
platform is serving: endpoints InService with the planned variants and instance counts, scalable
targets with the planned bounds, monitoring schedules Scheduled, pipelines and model package
groups present.

Exit status: 0 every check passed, 1 at least one FAIL, 2 the check could not run (bad arguments,
an invalid stack file, AWS unreachable / no credentials, a ``--summary-file`` it cannot append to,
the recorded program failing as `pulumi up` would fail it: an invoke that fails, a registration
``pulumi:disable-default-providers`` refuses, a transform that raises, an auto-name too long, said
as one ``error: ...`` on stderr as ``bin/plan`` says it; the program stopping on ``sys.exit``, or a
bug: its traceback on stderr). Only a FAIL is 1.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from delivery.aws_errors import AWS_ERRORS, describe
from stacks.config import ConfigError
from stacks.secret_stand_ins import require_no_stand_in
from stacks.stack_file import StackFile, offline_platform_config, read_as, read_stack_file

# The checks and the expectations import the planner (whose import hooks write the provider import
# index under .cache/), the recorder, Pulumi and the components: they are imported once the stack
# file is valid, so a bad one creates nothing and fails in a moment.
if TYPE_CHECKING:
    from delivery.checks import Clients, Result
    from delivery.expectations import Expectation
    from stacks.program import ResolverFactory

EXIT_OK, EXIT_MISMATCH, EXIT_CANNOT_RUN = 0, 1, 2
COLUMNS = ("check", "resource", "expected", "actual", "result")


def _row(result: Result) -> tuple[str, ...]:
    return (result.check, result.resource, result.expected, result.actual, result.status)


def summary_line(results: Sequence[Result]) -> str:
    failed = sum(r.status == "FAIL" for r in results)
    skipped = sum(r.status == "skip" for r in results)
    passed = len(results) - failed - skipped
    text = f"{len(results)} checks: {passed} ok, {failed} failed"
    return f"{text}, {skipped} not verifiable" if skipped else text


def render_text(stack_file: str, results: Sequence[Result]) -> str:
    """Plain aligned columns: readable in a terminal and in CI logs alike (no colour codes)."""
    rows = [COLUMNS, *(_row(r) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [f"post-deploy check of {stack_file}"]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.append(summary_line(results))
    return "\n".join(lines)


def render_markdown(stack_file: str, results: Sequence[Result]) -> str:
    """The same report as a GitHub-flavoured table, for the job's step summary."""
    verdict = "passed" if all(r.ok for r in results) else "FAILED"
    lines = [f"### Post-deploy check of `{stack_file}`: {verdict}", "", f"{summary_line(results)}", ""]
    lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for result in results:
        cells = [cell.replace("|", "\\|") for cell in _row(result)]
        cells[-1] = "✅ ok" if result.status == "ok" else "❌ FAIL" if result.status == "FAIL" else "⚪ skip"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def verify(
    stack_file: str,
    clients: Clients | None = None,
    *,
    resolver_factory: ResolverFactory | None = None,
    attempts: int = 1,
    interval: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> list[Result]:
    """Record ``stack_file``, derive its expectations and check them, retrying while any fails.

    Retries exist because a deploy can legitimately settle after `pulumi up` returns (a schedule
    still Pending, a blue/green fleet still baking); ``attempts=1`` checks once.
    ``resolver_factory`` replaces the live registry (``clients.sagemaker``) the versions are
    resolved in, as for :func:`stacks.program.run`.
    Raises :class:`ConfigError` for a bad stack file and botocore errors when AWS is unreachable.
    """
    stack = read_stack_file(stack_file)
    config = offline_platform_config(stack)

    from delivery.checks import Clients, check
    from delivery.expectations import expectations
    from planner.recorder import record_stack_file
    from stacks.model_packages import deployed_endpoint, resolve
    from stacks.program import run

    if clients is None:
        clients = Clients.for_region(config.region)
    registry = clients.sagemaker
    factory = resolver_factory or (lambda _: lambda source: resolve(registry, source))

    def promises(stack_file: StackFile) -> list[Expectation]:
        graph = record_stack_file(
            stack_file,  # the stack file as read and validated above, not read again
            program=lambda source: run(
                source,
                resolver_factory=factory,
                deployed_factory=lambda _: lambda endpoint: deployed_endpoint(registry, endpoint),
            ),
        )
        return expectations(graph)

    promised = promises(stack)
    # An encrypted value the offline reading has only a stand-in for must not be looked for in AWS
    # (an endpoint named after an encrypted name): refused, naming the key, before any check.
    require_no_stand_in(
        stack.stand_ins,
        stack.path,
        promised,
        "the post-deploy check (it looks for the resources named after it in AWS)",
        lambda stand_ins: promises(read_as(stack, stand_ins)),
    )
    for attempt in range(1, attempts + 1):
        results = check(promised, clients)
        if all(r.ok for r in results) or attempt == attempts:
            return results
        log(f"attempt {attempt}/{attempts}: {summary_line(results)}; checking again in {interval:g} s")
        sleep(interval)
    raise AssertionError("unreachable: attempts >= 1")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m delivery.verify", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--stack-file", required=True, help="stacks/Pulumi.<stack>.yaml of the deployed stack"
    )
    parser.add_argument("--attempts", type=int, default=1, help="check up to N times while anything fails")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between attempts")
    parser.add_argument(
        "--summary-file", help="also append a Markdown report here (e.g. $GITHUB_STEP_SUMMARY)"
    )
    args = parser.parse_args(argv)
    if args.attempts < 1:
        parser.error("--attempts must be at least 1")
    # Negative, NaN or infinite: time.sleep refuses each, but only after a first round of checks.
    if not 0 <= args.interval < float("inf"):
        parser.error("--interval must be a number of seconds, 0 or more")
    return args


def main(
    argv: list[str] | None = None,
    clients: Clients | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    args = _parse_args(argv)
    from stacks.model_packages import ModelResolutionError

    try:
        results = verify(
            args.stack_file, clients, attempts=args.attempts, interval=args.interval, sleep=sleep
        )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CANNOT_RUN
    except ModelResolutionError as error:
        print(f"{args.stack_file}: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except AWS_ERRORS as error:
        print(f"{args.stack_file}: cannot verify the stack: {describe(error)}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        raise  # Python's exit on SIGINT (130 from a shell), never 1
    except BaseException as error:
        if _is_program_failure(error):
            # The program fails as `pulumi up` would fail it: the planner's message says what and
            # what to do, as bin/plan prints it; no traceback, nothing checked.
            print(f"error: {args.stack_file}: {error}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        # SystemExit, asyncio's CancelledError: the recorded program (or a transform it registered)
        # calling sys.exit(1) or a cancelled task would pass run() by and exit 1, a failed check, or
        # 0 with nothing checked.
        traceback.print_exc()
        print(f"{args.stack_file}: the check stopped on {type(error).__name__}({error})", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(render_text(args.stack_file, results))
    if args.summary_file:
        try:
            with Path(args.summary_file).open("a", encoding="utf-8") as summary:
                summary.write(render_markdown(args.stack_file, results))
        except OSError as error:
            print(f"--summary-file: cannot append the report: {error}", file=sys.stderr)
            return EXIT_CANNOT_RUN
    return EXIT_OK if all(r.ok for r in results) else EXIT_MISMATCH


def _is_program_failure(error: BaseException) -> bool:
    """Whether ``error`` is the recorded program failing as `pulumi up` would fail it
    (:class:`planner.program_failure.ProgramFailure`). Looked up only once the recording imported
    the planner: an error before it (an unreadable stack file) imports nothing more."""
    module = sys.modules.get("planner.program_failure")
    return module is not None and isinstance(error, module.ProgramFailure)


def run(argv: list[str] | None = None) -> int:
    """:func:`main`, with any other failure as EXIT_CANNOT_RUN, its traceback on stderr: Python
    exits 1 on an uncaught exception, which reads as a failed check."""
    try:
        return main(argv)
    except Exception:
        traceback.print_exc()
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(run())
