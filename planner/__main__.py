"""The offline plan: see exactly what a stack would create, with no AWS account and no Pulumi CLI.

    python -m planner                                   # stacks/Pulumi.dev.yaml, text
    python -m planner --stack prod                      # stacks/Pulumi.prod.yaml
    python -m planner --config any/Pulumi.x.yaml --format json
    python -m planner --stack prod --format mermaid     # the component graph as a Mermaid flowchart
    python -m planner --stack prod --format loop        # the MLOps loop as a Mermaid flowchart
    python -m planner --stack prod --registry empty     # a first deploy: nothing approved yet

Exit status: 0 clean plan, 1 a mandatory policy violation, 2 invalid configuration, 3 no verdict
(bad arguments; the program failed as `pulumi up` would fail it, said on stderr with what to do: a
resource, read or invoke without the explicit provider ``pulumi:disable-default-providers`` demands,
or a logical name too long for pulumi-aws's auto-name of its type; or the program raised or
stopped, ``sys.exit`` with any status included; or the planner failed: the traceback is on stderr).
CI reads these: 1 and 2 never mean anything else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from planner.process import exit_now
from planner.registries import REGISTRIES

if TYPE_CHECKING:
    from planner.recorder import ResourceGraph
    from planner.report import Plan
    from stacks.config import PlatformConfig
    from stacks.stack_file import StackFile

# This module imports only the standard library and light planner modules at the top: a one-shot
# plan forks its composer (:func:`plan_once`) before the configuration model is imported.

EXIT_OK, EXIT_VIOLATION, EXIT_INVALID_CONFIG, EXIT_FAILED = 0, 1, 2, 3
STACKS_DIR = Path("stacks")


class _ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit EXIT_FAILED, not argparse's 2, which means an invalid stack file."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, f"{self.prog}: error: {message}\n")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _ArgumentParser(prog="python -m planner", description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--stack", default=None, help="stack name: plans stacks/Pulumi.<stack>.yaml (default: dev)"
    )
    target.add_argument("--config", default=None, help="path of any stack file to plan")
    parser.add_argument("--format", choices=("text", "json", "mermaid", "loop"), default="text")
    parser.add_argument(
        "--registry",
        choices=REGISTRIES,
        default="stand-in",
        help="stand-in: every model family has an Approved version (default); empty: none has, as on a "
        "first deploy, so endpoints serving a family are deferred",
    )
    args = parser.parse_args(argv)
    # An empty value (`make plan STACK=`, `--config "$UNSET"`) is no stack: planning dev in its
    # place would report dev's verdict as this one's.
    for option, value, example in (
        ("--stack", args.stack, "--stack prod"),
        ("--config", args.config, "--config stacks/Pulumi.prod.yaml"),
    ):
        if value is not None and not value.strip():
            parser.error(f"{option} is empty: give one ({example}), or leave {option} out to plan dev")
    return args


def stack_file_path(stack: str | None, config: str | None) -> str:
    if config:
        return config
    return str(STACKS_DIR / f"Pulumi.{stack or 'dev'}.yaml")


def build_plan(path: str | StackFile, registry: str = "stand-in") -> Plan:
    """Record the stack file at ``path`` (or one already read), evaluate the policy pack, estimate
    cost and deploy time."""
    from planner.process import fewer_gc_pauses
    from planner.recorder import record_stack_file

    with fewer_gc_pauses():
        return plan_for(record_stack_file(path, registry=registry))


def plan_for(graph: ResourceGraph) -> Plan:
    """The plan of a recorded stack: the policy pack's verdicts, the cost and the deploy time (the
    tests hand it the suite's shared recordings)."""
    from planner.cost import estimate_cost
    from planner.critical_path import critical_path
    from planner.policy_check import check_policies
    from planner.report import Plan

    policies = check_policies(graph)
    return Plan(
        graph=graph,
        violations=policies.violations,
        policies_evaluated=policies.evaluated,
        undecided=policies.undecided,
        cost=estimate_cost(graph),
        critical_path=critical_path(graph),
    )


def import_plan_modules() -> None:
    """Import what every plan needs (Pulumi, the recorder, the program and its components, the
    report). :func:`plan_once` does it before it plans: what it imports is frozen out of the
    collector's scans."""
    for module in ("planner.definition_composer", "planner.recorder", "planner.report", "stacks.program"):
        importlib.import_module(module)


def plan_once(path: str, registry: str = "stand-in", *, imported: Callable[[], object] | None = None) -> Plan:
    """:func:`build_plan` of the stack file at ``path`` in a process that plans once and exits
    (``python -m planner``, the benchmark's measured runs): a cold plan's definitions composed by a
    second process, then the stack file validated (the child told its region), the plan's imports,
    frozen out of the collector's scans, and the plan. Raises :class:`~stacks.config.ConfigError`
    for an invalid stack file, having ended the child.

    The composer is forked first, before even the configuration model is imported: composing
    needs nothing the plan imports (the SageMaker SDK, the builders and their settings import no
    Pulumi), and the child's import of the SDK is what a cold plan waits for longest, so it starts
    as early as it can; its own imports overlap the plan's validating and importing on the second
    core. ``imported`` is called once the imports are done (the benchmark times them).
    """
    from planner.definition_composer import is_cold, parallel_composition
    from planner.process import prepare_one_shot_process

    with parallel_composition() as composer:
        stack_file, config = _validated(path)
        if composer is not None:
            composer.open_region(config.region)
        import_plan_modules()
        if imported is not None:
            imported()
        prepare_one_shot_process(composes_here=composer is None and _composes_here(is_cold))
        return build_plan(stack_file, registry)


def _composes_here(is_cold: Callable[[], bool]) -> bool:
    """Whether this plan, with no composer child, will compose definitions itself; a cache
    directory it cannot read counts as cold (the plan then composes, or reports the directory)."""
    try:
        return is_cold()
    except OSError:
        return True


def validated_stack_file(path: str) -> StackFile:
    """The stack file at ``path``, read and its platform value validated as the program validates
    it; raises :class:`~stacks.config.ConfigError`. The command line calls it before it imports
    Pulumi, the providers and the components: an invalid stack file fails in a fraction of a plan's
    start-up."""
    return _validated(path)[0]


def _validated(path: str) -> tuple[StackFile, PlatformConfig]:
    from stacks.stack_file import offline_platform_config, read_stack_file

    stack_file = read_stack_file(path)
    return stack_file, offline_platform_config(stack_file)


def main(argv: list[str] | None = None, *, one_shot: bool = False) -> int:
    args = _parse_args(argv)
    path = stack_file_path(args.stack, args.config)
    try:
        plan = (
            plan_once(path, args.registry)
            if one_shot
            else build_plan(validated_stack_file(path), args.registry)
        )
    except Exception as error:
        from planner.program_failure import ProgramFailure
        from stacks.config import ConfigError  # not at the top: see plan_once

        if isinstance(error, ProgramFailure):
            # The program fails as `pulumi up` would fail it: no plan, no verdict, no traceback.
            print(f"error: {error}", file=sys.stderr)
            return EXIT_FAILED
        if not isinstance(error, ConfigError):
            raise
        print(error, file=sys.stderr)
        return EXIT_INVALID_CONFIG
    except KeyboardInterrupt:
        raise  # Python's exit on SIGINT (130 from a shell), never 1
    except BaseException as error:
        # SystemExit, asyncio's CancelledError: a program (or a transform it registered) calling
        # sys.exit(1) or a cancelled task would pass run() by and exit the process 1 (the program's
        # own status, or Python's for an uncaught exception), which CI reads as a mandatory
        # violation, or 0, a clean plan, with no plan at all.
        traceback.print_exc()
        print(f"error: the plan stopped on {type(error).__name__}({error}): no verdict", file=sys.stderr)
        return EXIT_FAILED
    if args.format == "json":
        from planner.report import json_value, to_json

        # Encoded whole before a byte is written: a plan that fails to encode leaves stdout (the
        # plan.json CI keeps) empty, never a half-written document.
        sys.stdout.write(json.dumps(to_json(plan), indent=2, sort_keys=False, default=json_value) + "\n")
    elif args.format == "mermaid":
        from planner.diagram import render_mermaid

        sys.stdout.write(render_mermaid(plan.graph))
    elif args.format == "loop":
        from planner.loop_diagram import render_loop

        sys.stdout.write(render_loop(plan.graph))
    else:
        from rich.console import Console

        from planner.report_text import render_text

        # Off a terminal (CI logs, pipes) rich would wrap at 80 columns; plans read better wider.
        console = Console() if sys.stdout.isatty() else Console(width=140)
        render_text(plan, console)
    from planner.recorder import esc_note

    note = esc_note(plan.graph)
    if note:  # on stderr: stdout carries the plan alone (plan.json)
        print(f"note: {note}", file=sys.stderr)
    return EXIT_VIOLATION if plan.mandatory_violations else EXIT_OK


def run(argv: list[str] | None = None, *, one_shot: bool = False) -> int:
    """:func:`main`, with any other failure (a crash, a reader that closed stdout) as EXIT_FAILED.

    Python exits 1 on an uncaught exception, which CI would read as a policy violation.
    """
    try:
        return main(argv, one_shot=one_shot)
    except Exception:
        traceback.print_exc()
        return EXIT_FAILED


if __name__ == "__main__":
    exit_now(run(one_shot=True))
