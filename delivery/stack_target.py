"""Print one stack's AWS target (region, account) as ``key=value`` lines for ``$GITHUB_OUTPUT``.

    python -m delivery.stack_target --stack prod >> "$GITHUB_OUTPUT"

Region and account come from the stack file instead of repository variables: the stack file stays
the one place they are written, and ``configure-aws-credentials`` refuses credentials for any other
account (``allowed-account-ids``). The workflows take them, for every stack at once, from
``python -m delivery.stacks`` (same reader: :func:`delivery.stacks.read_target`).
Exit status 2 (with the config error on stderr) for an invalid stack file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from delivery.stacks import read_target
from stacks.config import ConfigError

STACKS_DIR = Path("stacks")


def stack_target(path: str | Path) -> dict[str, str]:
    """``{"stack", "region", "account_id"}`` of the stack file at ``path`` (validated)."""
    target = read_target(path)
    return {"stack": target.stack, "region": target.region, "account_id": target.account_id}


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
