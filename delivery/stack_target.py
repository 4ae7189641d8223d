"""Print a stack's AWS target (region, account) as ``key=value`` lines for ``$GITHUB_OUTPUT``.

    python -m delivery.stack_target --stack prod >> "$GITHUB_OUTPUT"

The workflows read region and account from the stack file instead of repeating them in
repository variables: the stack file stays the one place they are written, and
``configure-aws-credentials`` refuses credentials for any other account (``allowed-account-ids``).
Exit status 2 (with the config error on stderr) for an invalid stack file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stacks.config import ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file

STACKS_DIR = Path("stacks")


def stack_target(path: str | Path) -> dict[str, str]:
    """``{"stack", "region", "account_id"}`` of the stack file at ``path`` (validated)."""
    stack_file = read_stack_file(path)
    config = parse_platform_config(stack_file.platform, stack_file.path)
    return {"stack": stack_file.stack, "region": config.region, "account_id": config.account_id}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m delivery.stack_target", description=__doc__.split("\n")[0]
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--stack", help="stack name: reads stacks/Pulumi.<stack>.yaml")
    target.add_argument("--stack-file", help="path of a stack file")
    args = parser.parse_args(argv)
    path = args.stack_file or STACKS_DIR / f"Pulumi.{args.stack}.yaml"
    try:
        values = stack_target(path)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    for key, value in values.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
