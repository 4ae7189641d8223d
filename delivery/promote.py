"""Promotion helpers: what a deploy would roll out, and starting that deploy.

    python -m delivery.promote status --stack-file stacks/Pulumi.staging.yaml
    python -m delivery.promote deploy [--ref main] [--dry-run]

A model version reaches an environment when it is Approved in the registry the stack resolves
``latest_approved_of`` against and `pulumi up` runs (see docs/promotion.md). ``status`` shows, for
every variant that follows a model family, the version it serves now and the newest Approved
version, i.e. what the next `pulumi up` deploys, and the lineage each of them records (platform
commit, family code, pipeline execution, training data: docs/lineage.md). ``deploy`` starts the deploy workflow
(dev → staging → prod, prod behind the environment's required reviewers) with the GitHub CLI.

Output: ``status`` prints its report on stdout and any error on stderr. ``deploy`` prints the
``$ gh ...`` command it runs (``--dry-run``: would run) and its follow-up hints on stderr, so
stdout carries nothing but what `gh` itself prints.

Exit status: 0 done, 2 cannot run: an invalid stack file (its ARNs are checked before any AWS
call), AWS itself (no credentials, expired credentials, access denied, no region or network: one
line on stderr, no traceback), or a failed `gh` call; anything else that stops it (a bug) is 2 too,
with its traceback.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from delivery import aws_errors
from delivery.aws_errors import AWS_ERRORS, is_access_problem
from delivery.lineage import render_lineage, version_lineage
from stacks.config import ConfigError, PlatformConfig
from stacks.input_limits import shorten
from stacks.model_packages import (
    ModelResolutionError,
    NoApprovedVersion,
    deployed_endpoint,
    latest_approved_package,
    resolve_version,
)
from stacks.secret_stand_ins import require_no_stand_in, reread_platform
from stacks.stack_file import offline_platform_config, read_stack_file

DEPLOY_WORKFLOW = "deploy.yml"
Runner = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class VariantStatus:
    endpoint: str
    variant: str
    family: str
    deployed: str | None
    """Model package ARN the variant serves now; None when the endpoint or variant does not exist."""
    latest_approved: str | None
    """What `pulumi up` would deploy now; None when the family has no Approved version."""
    monitored_against: str | None = None
    """For a monitored endpoint's first production variant: the baselines its monitors will read
    once ``latest_approved`` is deployed (the version's own, or why not)."""
    lineage: dict[str, list[tuple[str, str]]] = field(default_factory=dict, compare=False)
    """Package ARN → what that version records of where it came from (docs/lineage.md), for the
    deployed and the latest approved version."""

    @property
    def action(self) -> str:
        if self.latest_approved is None:
            return (
                "nothing to deploy: no Approved version (pulumi up defers the endpoint until one is approved)"
            )
        if self.deployed == self.latest_approved:
            return "up to date"
        return f"pulumi up deploys {self.latest_approved}"


def looked_up(config: PlatformConfig) -> list[str]:
    """The names :func:`promotion_status` reads in AWS: each family-following variant's endpoint,
    variant and model package group."""
    return [
        name
        for spec in config.endpoints
        for variant in [*spec.variants, *spec.shadow_variants]
        if variant.model.latest_approved_of
        for name in (
            config.endpoint_name(spec.name),
            variant.name,
            config.model_package_group(variant.model.latest_approved_of),
        )
    ]


def promotion_status(config: PlatformConfig, sagemaker: Any) -> list[VariantStatus]:
    """The deployed and the deployable version of every variant that follows a model family."""
    found = []
    for spec in config.endpoints:
        for variant in [*spec.variants, *spec.shadow_variants]:
            family = variant.model.latest_approved_of
            if not family:
                continue  # pinned package or image: promotion is an edit of the stack file
            try:
                latest: str | None = latest_approved_package(sagemaker, config.model_package_group(family))
            except NoApprovedVersion:  # anything else (a denied read, say) is an error, not "none"
                latest = None
            monitored = spec in config.monitored_endpoints and variant == spec.variants[0]
            deployed = _deployed(sagemaker, config.endpoint_name(spec.name), variant.name)
            found.append(
                VariantStatus(
                    spec.name,
                    variant.name,
                    family,
                    deployed,
                    latest,
                    _baselines_of(sagemaker, latest) if monitored and latest else None,
                    {
                        arn: version_lineage(sagemaker, arn)
                        for arn in dict.fromkeys((deployed, latest))
                        if arn
                    },
                )
            )
    return found


def _baselines_of(sagemaker: Any, package_arn: str) -> str:
    """Where the monitors of a version will read its baselines, or why they cannot."""
    resolved = resolve_version(sagemaker, package_arn)
    if resolved.unusable_baselines:
        return f"unusable baselines: {resolved.unusable_baselines}"
    baselines = resolved.baselines
    if baselines is None:
        return "no baselines registered: the monitors read the family's baselines/<group>/ folder"
    return f"s3://{baselines.registered_bucket}/{baselines.folder}"


def _deployed(sagemaker: Any, endpoint: str, variant: str) -> str | None:
    """The model package the variant serves now; None when the endpoint or variant does not exist.

    Raises :class:`ModelResolutionError` when it cannot tell (a denied read is not "nothing deployed").
    """
    current = deployed_endpoint(sagemaker, endpoint)
    return current.versions.get(variant) if current else None


def render_status(stack_file: str, statuses: Sequence[VariantStatus]) -> str:
    if not statuses:
        return f"{stack_file}: no endpoint variant follows a model family (latest_approved_of)"
    lines = [f"promotion status of {stack_file}"]
    for status in statuses:
        lines += [
            f"{status.endpoint}/{status.variant} (family {status.family})",
            f"  deployed:        {status.deployed or 'nothing (endpoint or variant not deployed)'}",
            f"  latest approved: {status.latest_approved or 'none'}",
            f"  next pulumi up:  {status.action}",
        ]
        if status.monitored_against:
            lines.append(f"  monitored against: {status.monitored_against}")
        for arn, entries in status.lineage.items():
            lines += render_lineage(arn, entries)
    return "\n".join(lines)


def deploy_command(ref: str) -> list[str]:
    """The `gh` call that starts the deploy workflow on ``ref`` (dev → staging → prod)."""
    return ["gh", "workflow", "run", DEPLOY_WORKFLOW, "--ref", ref]


def _run(command: Sequence[str]) -> int:
    try:
        return subprocess.run(list(command), check=False).returncode
    except FileNotFoundError:
        print("the GitHub CLI (gh) is not installed: https://cli.github.com", file=sys.stderr)
        return 127


def _status(args: argparse.Namespace, sagemaker: Any | None) -> int:
    try:
        stack_file = read_stack_file(args.stack_file)
        config = offline_platform_config(stack_file)
        require_no_stand_in(
            stack_file.stand_ins,
            stack_file.path,
            looked_up(config),
            "the promotion status (it reads the endpoints and model package groups named after it)",
            lambda stand_ins: looked_up(reread_platform(stack_file.platform, stack_file.path)(stand_ins)),
        )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        if sagemaker is None:
            import boto3

            sagemaker = boto3.client("sagemaker", region_name=config.region)
        statuses = promotion_status(config, sagemaker)
    except ModelResolutionError as error:
        # The resolver words a failed read as its own error; a credentials or permission problem
        # underneath is reported as that.
        cause = error.__context__
        if isinstance(cause, ClientError) and is_access_problem(cause):
            print(f"{args.stack_file}: {aws_errors.describe(cause)}", file=sys.stderr)
        else:
            print(f"{args.stack_file}: {shorten(' '.join(str(error).split()), 400)}", file=sys.stderr)
        return 2
    except AWS_ERRORS as error:
        print(f"{args.stack_file}: {aws_errors.describe(error)}", file=sys.stderr)
        return 2
    print(render_status(args.stack_file, statuses))
    return 0


def _deploy(args: argparse.Namespace, runner: Runner) -> int:
    """Everything this prints is for the person at the terminal, on stderr: stdout carries the
    `gh` call's own output alone."""
    command = deploy_command(args.ref)
    print("$ " + " ".join(command), file=sys.stderr)
    if args.dry_run:
        return 0
    code = runner(command)
    if code != 0:
        print(f"`{' '.join(command)}` failed (exit {code})", file=sys.stderr)
        return 2
    print(
        f"started; follow it with: gh run watch $(gh run list --workflow {DEPLOY_WORKFLOW} -L1 --json databaseId -q '.[0].databaseId')",
        file=sys.stderr,
    )
    print("prod waits for a required reviewer of the `prod` environment before `pulumi up`.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None, *, sagemaker: Any | None = None, runner: Runner = _run) -> int:
    parser = argparse.ArgumentParser(prog="python -m delivery.promote", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    status = commands.add_parser("status", help="deployed vs. latest approved version, per variant")
    status.add_argument("--stack-file", required=True)
    deploy = commands.add_parser("deploy", help="start the deploy workflow (gh workflow run)")
    deploy.add_argument("--ref", default="main", help="branch or tag to deploy (default: main)")
    deploy.add_argument("--dry-run", action="store_true", help="print the command (on stderr), run nothing")
    args = parser.parse_args(argv)
    if args.command == "status":
        return _status(args, sagemaker)
    return _deploy(args, runner)


def run(argv: list[str] | None = None) -> int:
    """:func:`main`, with any other failure as 2 (cannot run), its traceback on stderr, never
    Python's 1."""
    try:
        return main(argv)
    except Exception:
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(run())
