"""The offline plan: see exactly what a stack would create, with no AWS account and no Pulumi CLI.

    python -m planner                                   # stacks/Pulumi.dev.yaml, text
    python -m planner --stack prod                      # stacks/Pulumi.prod.yaml
    python -m planner --config any/Pulumi.x.yaml --format json

Exit status: 0 clean plan, 1 a mandatory policy violation, 2 invalid configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from planner.report import Plan, render_text, to_json
from stacks.config import ConfigError

EXIT_OK, EXIT_VIOLATION, EXIT_INVALID_CONFIG = 0, 1, 2
STACKS_DIR = Path("stacks")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m planner", description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--stack", default=None, help="stack name: plans stacks/Pulumi.<stack>.yaml (default: dev)"
    )
    target.add_argument("--config", default=None, help="path of any stack file to plan")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser.parse_args(argv)


def stack_file_path(stack: str | None, config: str | None) -> str:
    if config:
        return config
    return str(STACKS_DIR / f"Pulumi.{stack or 'dev'}.yaml")


def build_plan(path: str) -> Plan:
    """Record the stack file at ``path`` and evaluate the policy pack over it."""
    from planner.policy_check import evaluate_policies
    from planner.recorder import record_stack_file

    graph = record_stack_file(path)
    violations, evaluated = evaluate_policies(graph)
    return Plan(graph=graph, violations=violations, policies_evaluated=evaluated)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    path = stack_file_path(args.stack, args.config)
    try:
        plan = build_plan(path)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID_CONFIG
    if args.format == "json":
        json.dump(to_json(plan), sys.stdout, indent=2, sort_keys=False, default=str)
        sys.stdout.write("\n")
    else:
        # Off a terminal (CI logs, pipes) rich would wrap at 80 columns; plans read better wider.
        console = Console() if sys.stdout.isatty() else Console(width=140)
        render_text(plan, console)
    return EXIT_VIOLATION if plan.mandatory_violations else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
