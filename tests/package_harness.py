"""Run a Pulumi program under mocks and print what it registered, as JSON, on stdout.

    python -I tests/package_harness.py <program.py> [<module the base install lacks> ...]

Runs inside the fresh virtual environment tests/test_package.py makes: it imports nothing of this
repository (``-I`` keeps the script's folder and PYTHONPATH off ``sys.path``), only pulumi and
what the program imports, i.e. the installed package. The modules named after the program are
blocked, as if not installed: the environment's dependencies come from the repository's, which
has every extra, and the program must run on the base install.
"""

import json
import runpy
import sys
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

REGION, ACCOUNT = "eu-west-1", "123456789012"


class Recording(Mocks):
    def __init__(self) -> None:
        self.resources: list[dict[str, Any]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(
            {"type": args.typ, "name": args.name, "custom": args.custom, "inputs": args.inputs}
        )
        service = args.typ.split(":")[1].split("/")[0] if args.typ.startswith("aws:") else "x"
        physical = args.inputs.get("name") or f"{args.name}-1a2b3c4"
        state = {
            **args.inputs,
            "arn": f"arn:aws:{service}:{REGION}:{ACCOUNT}:{physical}",
            "name": physical,
            "bucket": args.inputs.get("bucket") or physical,
            "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        }
        return f"{physical}-id", state

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        # The components make no provider call: an invoke here is a change to review.
        raise NotImplementedError(f"the package harness has no mock for invoke {args.token}")


def main(program: str) -> None:
    mocks = Recording()
    set_mocks(mocks, project="consumer", stack="test", preview=False)
    _sync_await(run_pulumi_func(lambda: runpy.run_path(program, run_name="__main__")))
    import mlops_platform

    json.dump(
        {
            "package": mlops_platform.__file__,
            "version": mlops_platform.__version__,
            "resources": mocks.resources,
        },
        sys.stdout,
        default=str,
    )


if __name__ == "__main__":
    for module in sys.argv[2:]:
        sys.modules[module] = None  # type: ignore[assignment]  # what Python does for a missing module
    main(sys.argv[1])
