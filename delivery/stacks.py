"""The stack files under ``stacks/``, in promotion order, as GitHub Actions matrices.

    python -m delivery.stacks                               # one JSON document
    python -m delivery.stacks --github-output >> "$GITHUB_OUTPUT"
    python -m delivery.stacks --github-output --approved-model "$GITHUB_EVENT_PATH" >> "$GITHUB_OUTPUT"

A stack is not an environment: a stack file's environment is its
``mlops-platform:platform.environment``, and any number of stack files may share one (a
``stacks/Pulumi.sandbox.yaml`` with ``environment: dev`` is a second dev stack). Per stack, the
entry carries what a workflow job needs: the stack name (``pulumi --stack``), the stack file, the
environment, the region and account (``configure-aws-credentials``), the policy pack config of the
environment (``policies/<environment>.json``) and the names of the repository variables holding
its AWS roles: ``AWS_PREVIEW_ROLE_ARN_<STACK>`` / ``AWS_ROLE_ARN_<STACK>`` (the stack name
upper-cased, every character but letters and digits as ``_``), falling back to
``..._<ENVIRONMENT>`` (docs/ci-cd.md).

The JSON document: ``promotion_order``; ``stack_files`` (every stack file as ``{stack,
stack_file}``, valid or not: the offline plan reports an invalid one); ``stacks`` (the valid ones,
dev stacks first, then staging, then prod, by name within one); ``environments`` (the same entries
per environment). ``--github-output`` prints ``stack_files=``, ``stacks=`` and one line per
environment (``dev=``, ``staging=``, ``prod=``), each compact JSON for ``fromJSON``; an
environment without stack files is ``[]``. ``--approved-model EVENT_FILE`` (a ``model-approved``
repository_dispatch event, validated by ``delivery.approved_model``) lists only the environment
after the approving stack's (the next one that has stack files): every other environment is ``[]``,
so the deploy workflow runs that one.
``earlier=`` lists, as ``{environment, stack, stack_file}``, every stack of the environments before
the one such a run deploys: the run deploys none of them, so the commit must already have deployed
to each (deploy.yml checks GitHub's deployments before any ``pulumi up``); ``[]`` for a full
listing, whose run deploys them itself, in order.

A ``Pulumi.<stack>.yml`` (or ``.YAML``) is an invalid stack file, listed and reported by name
(rename it to ``.yaml``): Pulumi names a stack file with the project file's extension,
``Pulumi.yaml``'s, so it would never deploy it. Its ``stack_files`` entry's ``stack`` is its file
name (``Pulumi.dev.yml``): each entry names one plan job's artifact, and its stack's name may be
its ``Pulumi.dev.yaml`` twin's.

Exit status 0; 2 when the approval event is invalid (nothing listed), a stack file is invalid (each error, naming the file and the key, on stderr;
the valid ones are still printed) or there is no stack file at all; 3 bad arguments or a crash
(nothing listed): never 2, which the pull-request workflow lets through as an invalid stack file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, NoReturn

from stacks.config import ConfigError, PlatformConfig
from stacks.secret_stand_ins import require_in_clear, require_no_stand_in, reread_platform
from stacks.stack_file import (
    STACK_FILE_SUFFIX,
    is_unread_extension,
    offline_platform_config,
    read_stack_file,
    stack_name_of,
)

STACKS_DIR = Path("stacks")
STACK_FILE_PATTERN = f"Pulumi.*{STACK_FILE_SUFFIX}"
# The order changes reach environments in (deploy.yml has one job per environment, in this order).
PROMOTION_ORDER: Final = ("dev", "staging", "prod")
PREVIEW_ROLE_PREFIX, DEPLOY_ROLE_PREFIX = "AWS_PREVIEW_ROLE_ARN_", "AWS_ROLE_ARN_"
# STS takes a role session name of at most 64 characters; the workflows send
# `preview-<role_session>-<run id>` and `deploy-...`: 8 + 40 + 1 leaves 15 digits for the run id.
ROLE_SESSION_STACK_LENGTH: Final = 40
EXIT_INVALID, EXIT_FAILED = 2, 3


class _ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit EXIT_FAILED, not argparse's 2, which means an invalid stack file."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, f"{self.prog}: error: {message}\n")


def role_variable(prefix: str, name: str) -> str:
    """``AWS_ROLE_ARN_`` + ``eu-sandbox`` → ``AWS_ROLE_ARN_EU_SANDBOX`` (a valid variable name)."""
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def pack_config_path(environment: str) -> str:
    """The policy pack's config for an environment: the environment decides, never the stack name."""
    return f"policies/{environment}.json"


@dataclass(frozen=True)
class StackTarget:
    """One valid stack file: where ``pulumi`` deploys it and with which policy config."""

    stack: str
    stack_file: str
    environment: str
    region: str
    account_id: str
    model_package_groups: tuple[tuple[str, str], ...] = ()
    """(model family, its model package group's name) for each family the stack trains."""

    def model_package_group(self, family: str) -> str | None:
        """The group of this stack's model family ``family``; None for a family it does not train."""
        return dict(self.model_package_groups).get(family)

    @property
    def pack_config(self) -> str:
        return pack_config_path(self.environment)

    def matrix_entry(self) -> dict[str, str]:
        return {
            "stack": self.stack,
            "stack_file": self.stack_file,
            "environment": self.environment,
            "region": self.region,
            "account_id": self.account_id,
            "pack_config": self.pack_config,
            # The stack's name in the AWS role session (CloudTrail), cut to fit STS's 64 characters.
            "role_session": self.stack[:ROLE_SESSION_STACK_LENGTH],
            "preview_role_variable": role_variable(PREVIEW_ROLE_PREFIX, self.stack),
            "preview_role_fallback": role_variable(PREVIEW_ROLE_PREFIX, self.environment),
            "deploy_role_variable": role_variable(DEPLOY_ROLE_PREFIX, self.stack),
            "deploy_role_fallback": role_variable(DEPLOY_ROLE_PREFIX, self.environment),
        }


def _groups(config: PlatformConfig) -> tuple[tuple[str, str], ...]:
    return tuple((m.name, config.model_package_group(m.name)) for m in config.models)


def read_target(path: str | Path) -> StackTarget:
    """The validated target of the stack file at ``path``; raises :class:`ConfigError`."""
    stack_file = read_stack_file(path)
    config = offline_platform_config(stack_file)  # as the program validates it
    require_in_clear(
        stack_file.platform,
        stack_file.path,
        {("account_id",): "the deploy matrix (each job's `allowed-account-ids`)"},
    )
    groups = _groups(config)
    if config.delivery.approval_dispatch is not None:
        # Only the approvals this stack dispatches name its groups (delivery.approved_model): a
        # stack that dispatches none is listed (and deployed) whatever its families' names read as.
        require_no_stand_in(
            stack_file.stand_ins,
            stack_file.path,
            groups,
            "the deploy listing (a model-approved dispatch names the family's model package group)",
            lambda stand_ins: _groups(reread_platform(stack_file.platform, stack_file.path)(stand_ins)),
        )
    return StackTarget(
        stack=stack_file.stack,
        stack_file=stack_file.path,
        environment=config.environment,
        region=config.region,
        account_id=config.account_id,
        model_package_groups=groups,
    )


# What actions/upload-artifact refuses in an artifact's name, and `%`, the escape itself.
_ARTIFACT_ESCAPED: Final = frozenset('"\\:<>|*?\r\n/%')


def _artifact_safe(name: str) -> str:
    """An invalid stack file's key, its plan job's artifact name (``plan-<stack>``): a name Pulumi
    refuses may hold a character ``actions/upload-artifact`` refuses too (``:``, ``*``, ``"``...),
    and the job would fail at its upload, its summary missing from the PR comment. Each such
    character, and ``%``, is written ``%XX``: the key is then never a valid stack's (no ``%``) nor
    another file's (one escape), and any other name is kept as it is."""
    return "".join(f"%{ord(char):02X}" if char in _ARTIFACT_ESCAPED else char for char in name)


@dataclass(frozen=True)
class StackListing:
    """Every stack file of a directory: the valid ones in promotion order, and the errors."""

    files: list[Path]
    targets: list[StackTarget]
    errors: list[ConfigError] = field(default_factory=list)

    def stack_files(self) -> list[dict[str, str]]:
        """Every stack file, valid first (promotion order), then the invalid ones by name.

        Each ``stack`` keys one offline plan job and its artifact (``plan-<stack>``), unique in a
        run: a file refused for its extension (``Pulumi.dev.yml``) is keyed by its file name, not
        by its stack's, which its ``Pulumi.dev.yaml`` twin may hold."""
        valid = [{"stack": t.stack, "stack_file": t.stack_file} for t in self.targets]
        listed = {entry["stack_file"] for entry in valid}
        invalid = [
            {
                "stack": _artifact_safe(path.name if is_unread_extension(path.name) else stack_name_of(path)),
                "stack_file": str(path),
            }
            for path in self.files
            if str(path) not in listed
        ]
        return valid + invalid

    def entries(self, environment: str | None = None) -> list[dict[str, str]]:
        """Matrix entries of the valid stacks: all of them, or one environment's."""
        return [t.matrix_entry() for t in self.targets if environment in (None, t.environment)]

    def document(self) -> dict[str, object]:
        return {
            "promotion_order": list(PROMOTION_ORDER),
            "stack_files": self.stack_files(),
            "stacks": self.entries(),
            "environments": {environment: self.entries(environment) for environment in PROMOTION_ORDER},
        }

    def earlier(self, only: str | None) -> list[dict[str, str]]:
        """The stacks a run deploying only the environment ``only`` skips although they come before
        it (every stack of an earlier environment), as ``{environment, stack, stack_file}``; none
        for a run of every environment (``only`` None), which deploys them itself, in order."""
        if only is None:
            return []
        before = PROMOTION_ORDER[: PROMOTION_ORDER.index(only)]
        return [
            {"environment": t.environment, "stack": t.stack, "stack_file": t.stack_file}
            for t in self.targets
            if t.environment in before
        ]

    def github_outputs(self, only: str | None = None) -> dict[str, str]:
        """``name → compact JSON``: stack_files, stacks, one per environment, then earlier; with
        ``only``, the stacks of that environment alone (the others ``[]``) and, as ``earlier``, the
        stacks of the environments before it (:meth:`earlier`)."""
        values: dict[str, list[dict[str, str]]] = {
            "stack_files": self.stack_files(),
            "stacks": self.entries(only),
        }
        values |= {
            environment: self.entries(environment) if only in (None, environment) else []
            for environment in PROMOTION_ORDER
        }
        values["earlier"] = self.earlier(only)
        return {name: json.dumps(value, separators=(",", ":")) for name, value in values.items()}


def _promotion_key(target: StackTarget) -> tuple[int, str]:
    return PROMOTION_ORDER.index(target.environment), target.stack


def list_stacks(stacks_dir: str | Path = STACKS_DIR) -> StackListing:
    """Read every ``Pulumi.<stack>.yaml`` under ``stacks_dir``; invalid ones become ``errors``, and
    so does every ``Pulumi.<stack>.yml`` or ``.YAML`` (a file Pulumi never reads)."""
    folder = Path(stacks_dir)
    # Pulumi never reads a ``Pulumi.<stack>.yml`` (or ``.YAML``) here: a stack file takes the
    # project file's extension. One is listed to be refused by name (read_stack_file), never skipped.
    unread = [path for path in folder.glob("Pulumi.*.*") if is_unread_extension(path.name)]
    files = sorted([*folder.glob(STACK_FILE_PATTERN), *unread])
    targets, errors = [], []
    for path in files:
        try:
            targets.append(read_target(path))
        except ConfigError as error:
            errors.append(error)
    return StackListing(files=files, targets=sorted(targets, key=_promotion_key), errors=errors)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _ArgumentParser(prog="python -m delivery.stacks", description=__doc__.split("\n")[0])
    parser.add_argument("--stacks-dir", type=Path, default=STACKS_DIR, help="default: stacks")
    parser.add_argument(
        "--github-output", action="store_true", help="print name=<compact JSON> lines for $GITHUB_OUTPUT"
    )
    parser.add_argument(
        "--approved-model",
        metavar="EVENT_FILE",
        help="a model-approved repository_dispatch event: list only the environment it deploys",
    )
    args = parser.parse_args(argv)
    listing = list_stacks(args.stacks_dir)
    only = None
    if args.approved_model:
        from delivery.approved_model import DispatchError, approved_model, read_event

        try:
            approval = approved_model(read_event(args.approved_model), listing)
        except DispatchError as refused:
            print(f"refused repository_dispatch event: {refused}", file=sys.stderr)
            return EXIT_INVALID
        only = approval.target_environment
        between = PROMOTION_ORDER[
            PROMOTION_ORDER.index(approval.source.environment) + 1 : PROMOTION_ORDER.index(only)
        ]
        passed_over = f" ({', '.join(between)} {'has' if len(between) == 1 else 'have'} no stack file)"
        print(
            f"model {approval.family} version {approval.model_package_arn} approved in stack "
            f"{approval.source.stack} ({approval.source.environment}): deploying {only}"
            + (passed_over if between else ""),
            file=sys.stderr,
        )
    if args.github_output:
        for name, value in listing.github_outputs(only).items():
            print(f"{name}={value}")
    else:
        print(json.dumps(listing.document(), indent=2))
    for error in listing.errors:
        print(error, file=sys.stderr)
    if not listing.files:
        print(f"{args.stacks_dir}: no stack files ({STACK_FILE_PATTERN})", file=sys.stderr)
    return EXIT_INVALID if listing.errors or not listing.files else 0


def run(argv: Sequence[str] | None = None) -> int:
    """:func:`main`, with a crash as EXIT_FAILED (traceback on stderr), never Python's 1."""
    try:
        return main(argv)
    except Exception:
        traceback.print_exc()
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(run())
