"""Promote a model version in the registry when its recorded evaluation clears the bar.

A training pipeline registers each version with its evaluation report attached as model metrics
(``ModelMetrics.ModelQuality.Statistics``). Promotion reads that report, compares the configured
metric with the model family's threshold (``models[].promotion`` in the stack file) and sets the
version's ``ModelApprovalStatus`` to ``Approved`` or ``Rejected``. Approval is what the registry's
EventBridge rule turns into a deployment. A family with ``models[].model_card`` gets the version's
SageMaker Model Card first (``pipelines.model_card``), so no deploy sees the version approved
without it; ``--model-card-only`` creates the card of a version approved before (or elsewhere).

    python -m pipelines.promotion --stack-file stacks/Pulumi.staging.yaml \\
        --model customer-churn --package-arn arn:aws:sagemaker:...:model-package/staging-customer-churn/3
    python -m pipelines.promotion ... --model-card-only   # the card of an Approved version, no verdict

A version Approved or Rejected before (by this gate or a person) keeps its status: the gate
prints it and exits as if it had set it, so a retried job neither re-approves a version rejected to
roll it back nor sends a second approval.

Exit status: 0 Approved (now or before), 1 Rejected (below the threshold now, or before), 2 cannot
judge: an invalid stack file or package ARN (checked before any AWS call), an unknown group or
version, no usable evaluation report, or AWS itself (no credentials, expired credentials, access
denied, no network). Each prints one line on stderr. Anything else that stops the gate (a bug, an
answer of an unexpected shape) is 2 too, with its traceback: never Python's 1, which reads as
Rejected.
With ``--model-card-only``: 0 the card exists (created now or before), 2 it cannot be created (the
version is not Approved, the family has no ``model_card``, or the reasons above).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from components.registry.model_family_spec import PromotionCriterion
from delivery import aws_errors
from delivery.aws_errors import AWS_ERRORS, is_access_problem
from pipelines.model_card import (
    CardSettings,
    ModelCardError,
    card_content,
    create_model_card,
    data_key_alias,
    written_settings,
)
from stacks.arns import ArnError, parse_model_package_version_arn
from stacks.input_limits import shorten

if TYPE_CHECKING:
    from stacks.config import ModelFamilyConfig, PlatformConfig


class PromotionError(Exception):
    """The version cannot be judged: unknown group or package, or no usable evaluation report."""


DECIDED = ("Approved", "Rejected")
"""Statuses the gate never changes: it judges a version that is PendingManualApproval."""


@dataclass(frozen=True)
class PromotionResult:
    model_package_arn: str
    metric: str
    value: float | None
    """The metric in the version's evaluation report; None only for a version decided before whose
    report cannot be read (its decision stands without it)."""
    threshold: float
    direction: str
    status: str
    """The approval status that was set: ``Approved`` or ``Rejected``."""
    model_card: str | None = None
    """The ARN of the version's model card, when the family has cards and the version is Approved."""
    decided_before: str | None = None
    """The ``ApprovalDescription`` of a version Approved or Rejected before this run (by the gate or a
    person), which is then left as it was: None when this run set the status."""

    @property
    def approved(self) -> bool:
        return self.status == "Approved"

    def describe(self) -> str:
        comparison = ">=" if self.direction == "maximize" else "<="
        if self.decided_before is not None:
            measured = (
                f"{self.metric} = {self.value:g}" if self.value is not None else f"{self.metric} unread"
            )
            return (
                f"{measured}: {self.status} already ({self.decided_before or 'no description'}), "
                "not judged again"
            )
        verdict = "passes" if self.approved else "fails"
        card = f"; model card {self.model_card}" if self.model_card else ""
        return (
            f"{self.metric} = {self.value:g} {verdict} {comparison} {self.threshold:g}: {self.status}{card}"
        )


def promote_model_package(
    sagemaker: Any,
    s3: Any,
    *,
    group_name: str,
    model_package_arn: str,
    criterion: PromotionCriterion,
    approver: str = "pipelines.promotion",
    card: CardSettings | None = None,
    kms: Any = None,
) -> PromotionResult:
    """Judge ``model_package_arn`` of ``group_name`` against ``criterion`` and record the verdict.

    ``sagemaker``, ``s3`` (and ``kms``, with ``card``) are boto3 clients. Raises
    :class:`PromotionError` when the version cannot be judged; a version below the threshold is not
    an error: it is Rejected. With ``card``, a version that passes gets its model card before it is
    Approved (a card that cannot be created leaves the version as it was).
    """
    package = _package_of_group(sagemaker, group_name, model_package_arn)
    decided = package.get("ModelApprovalStatus")
    value: float | None
    try:
        uri, report = _report(s3, package, model_package_arn)
        value = _metric_in(report, criterion.metric, uri)
    except PromotionError:
        if decided not in DECIDED:
            raise
        value = None  # a decision stands without the report it was judged on (or decided by hand without)

    def result(status: str, **extra: Any) -> PromotionResult:
        return PromotionResult(
            model_package_arn=model_package_arn,
            metric=criterion.metric,
            value=value,
            threshold=float(criterion.threshold),
            direction=criterion.direction,
            status=status,
            **extra,
        )

    if decided in DECIDED:
        # A decision stands: re-running the gate (a retried CI job) must not approve a version a
        # person rejected to roll it back, nor send a second approval event for one approved.
        return result(decided, decided_before=str(package.get("ApprovalDescription", "")))
    assert value is not None  # read above, or raised: an undecided version is judged on its report
    status = "Approved" if criterion.passes(value) else "Rejected"
    card_arn = None
    if card is not None and status == "Approved":
        card_arn = _created_card(sagemaker, kms, package, report, uri, card)[0]
    comparison = ">=" if criterion.direction == "maximize" else "<="
    sagemaker.update_model_package(
        ModelPackageArn=model_package_arn,
        ModelApprovalStatus=status,
        ApprovalDescription=f"{approver}: {criterion.metric}={value:g}, required {comparison} {criterion.threshold:g}",
    )
    return result(status, model_card=card_arn)


def create_card_of_approved(
    sagemaker: Any, s3: Any, kms: Any, *, group_name: str, model_package_arn: str, card: CardSettings
) -> tuple[str, bool]:
    """The model card of a version that is Approved already (boto3 clients): its ARN, and whether
    this call created it. Raises :class:`PromotionError` when the version is not Approved."""
    package = _package_of_group(sagemaker, group_name, model_package_arn)
    if package.get("ModelApprovalStatus") != "Approved":
        raise PromotionError(
            f"model package {model_package_arn} is {package.get('ModelApprovalStatus')}, not Approved: "
            "approve it (without --model-card-only), which creates its card"
        )
    uri, report = _report(s3, package, model_package_arn)
    return _created_card(sagemaker, kms, package, report, uri, card)


def _created_card(
    sagemaker: Any, kms: Any, package: dict[str, Any], report: Any, uri: str, card: CardSettings
) -> tuple[str, bool]:
    try:
        return create_model_card(sagemaker, kms, package, card_content(package, report, uri, card), card)
    except ModelCardError as error:
        raise PromotionError(str(error)) from None
    except ClientError as error:
        if is_access_problem(error):
            raise
        raise PromotionError(
            f"cannot create the model card of {package['ModelPackageArn']}: {error}"
        ) from None


def _package_of_group(sagemaker: Any, group_name: str, model_package_arn: str) -> dict[str, Any]:
    _require_group(sagemaker, group_name)
    package = _describe_package(sagemaker, model_package_arn)
    if package.get("ModelPackageGroupName") != group_name:
        raise PromotionError(
            f"model package {model_package_arn} belongs to group {package.get('ModelPackageGroupName')!r}, not {group_name!r}"
        )
    return package


def _require_group(sagemaker: Any, group_name: str) -> None:
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group_name)
    except ClientError as error:
        if is_access_problem(error):
            raise  # credentials or permissions, not a missing group: main says so
        raise PromotionError(
            f"model package group {group_name!r} does not exist or is not readable: {error}"
        ) from None


def _describe_package(sagemaker: Any, model_package_arn: str) -> dict[str, Any]:
    try:
        return sagemaker.describe_model_package(ModelPackageName=model_package_arn)
    except ClientError as error:
        if is_access_problem(error):
            raise
        raise PromotionError(
            f"model package {model_package_arn} does not exist or is not readable: {error}"
        ) from None


def _report(s3: Any, package: dict[str, Any], arn: str) -> tuple[str, Any]:
    """The version's evaluation report: its S3 URI and its JSON."""
    statistics = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {})
    uri = statistics.get("S3Uri")
    if not uri:
        raise PromotionError(
            f"model package {arn} has no evaluation report (ModelMetrics.ModelQuality.Statistics)"
        )
    if not uri.startswith("s3://"):
        # AWS also takes an https:// URL here; the gate reads the report with s3:GetObject.
        raise PromotionError(
            f"the evaluation report of {arn} is {shorten(uri)}: the gate reads an s3://bucket/key report; "
            "register the version with its report's s3:// URI"
        )
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    try:
        report = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as error:
        if is_access_problem(error):
            raise
        raise PromotionError(f"cannot read the evaluation report {uri}: {error}") from None
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, an integer of 4,300+ digits
        raise PromotionError(f"the evaluation report {uri} is not JSON: {shorten(str(error))}") from None
    return uri, report


def _metric_in(report: Any, metric: str, uri: str) -> float:
    node: Any = report
    for part in metric.split("."):
        if not isinstance(node, dict) or part not in node:
            raise PromotionError(f"the evaluation report {uri} has no metric {metric!r}")
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise PromotionError(f"metric {metric!r} in {uri} is not a number: {shorten(repr(node))}")
    try:
        value = float(node)
    except OverflowError:  # an integer beyond any float
        value = math.inf
    if not math.isfinite(value):
        # json reads NaN and Infinity: NaN fails every comparison, infinity clears every bar.
        raise PromotionError(f"metric {metric!r} in {uri} is not a finite number: {shorten(repr(node))}")
    return value


def package_arn_problem(arn: str, group_name: str, region: str, account_id: str) -> str | None:
    """Why ``arn`` cannot be a version of ``group_name`` in the stack's registry (its account and
    region), checked locally, field by field, before any AWS call; None when it can."""
    try:
        version = parse_model_package_version_arn(arn)
    except ArnError as error:
        return str(error)
    group = group_name.rsplit("/", 1)[-1]
    if version.group.lower() != group.lower():
        return f"{shorten(arn)} is a version of group {version.group}, not of {group}"
    if version.arn.region != region:
        return f"{shorten(arn)} is in region {version.arn.region}; the stack's registry is in {region}"
    if version.arn.account != account_id:
        return f"{shorten(arn)} is in account {version.arn.account}; the stack's registry is in {account_id}"
    return None


def card_settings(config: PlatformConfig, family: ModelFamilyConfig) -> CardSettings | None:
    """What the stack says about ``family``'s model cards; None when it has no ``model_card``."""
    if family.model_card is None:
        return None
    return CardSettings(
        family=family.name,
        spec=family.model_card,
        criterion=family.promotion,
        key_alias=data_key_alias(config.name_prefix),
        description=family.description,
        training=family.training,
        tags=config.resource_tags,
    )


def _gate_uses(config: PlatformConfig, model: str) -> Any:
    """What the gate reads and writes in AWS from the stack file for family ``model``: its group,
    the criterion it judges by and what its model card (if the family has one) writes, no more; or,
    no family of that name, every family's name it looked among."""
    family = next((m for m in config.models if m.name == model), None)
    if family is None:
        return [m.name for m in config.models]
    card = card_settings(config, family)
    return (
        config.model_package_group(family.name),
        family.promotion,
        written_settings(card) if card is not None else None,
    )


def main(argv: list[str] | None = None) -> int:
    import boto3

    from stacks.config import ConfigError
    from stacks.secret_stand_ins import require_in_clear, require_no_stand_in, reread_platform
    from stacks.stack_file import offline_platform_config, read_stack_file

    parser = argparse.ArgumentParser(prog="python -m pipelines.promotion", description=__doc__.split("\n")[0])
    parser.add_argument("--stack-file", required=True, help="the stack whose models[].promotion sets the bar")
    parser.add_argument("--model", required=True, help="model family name (models[].name)")
    parser.add_argument("--package-arn", required=True)
    parser.add_argument(
        "--model-card-only",
        action="store_true",
        help="create the model card of a version that is Approved already; judge nothing",
    )
    args = parser.parse_args(argv)
    try:
        stack_file = read_stack_file(args.stack_file)
        config = offline_platform_config(stack_file)
        require_in_clear(
            stack_file.platform,
            stack_file.path,
            {("account_id",): "the promotion gate (the account a package ARN must be in)"},
        )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    family = next((model for model in config.models if model.name == args.model), None)
    try:
        # What the gate reads and writes in AWS: the family's group (or, not found, every family's
        # name it looked among) and its model card (its texts, tags and key alias).
        require_no_stand_in(
            stack_file.stand_ins,
            stack_file.path,
            _gate_uses(config, args.model),
            "the promotion gate (the model package group it judges, the model card it creates)",
            lambda stand_ins: _gate_uses(
                reread_platform(stack_file.platform, stack_file.path)(stand_ins), args.model
            ),
        )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    if family is None:
        known = ", ".join(model.name for model in config.models) or "none"
        print(
            f"{args.stack_file}: models: no model family {args.model!r}; declared: {known}", file=sys.stderr
        )
        return 2
    group_name = config.model_package_group(family.name)
    problem = package_arn_problem(args.package_arn, group_name, config.region, config.account_id)
    if problem:
        print(f"--package-arn: {problem}", file=sys.stderr)
        return 2
    card = card_settings(config, family)
    if args.model_card_only and card is None:
        print(
            f"{args.stack_file}: models: {family.name} has no model_card to create a card from",
            file=sys.stderr,
        )
        return 2
    try:
        # Inside: making a client reads the profile and config files (ProfileNotFound, ConfigParseError).
        sagemaker, s3 = (boto3.client(name, region_name=config.region) for name in ("sagemaker", "s3"))
        kms = boto3.client("kms", region_name=config.region) if card else None
        if args.model_card_only:
            assert card is not None
            arn, created = create_card_of_approved(
                sagemaker, s3, kms, group_name=group_name, model_package_arn=args.package_arn, card=card
            )
            print(f"model card {arn} {'created' if created else 'exists already'}")
            return 0
        result = promote_model_package(
            sagemaker,
            s3,
            group_name=group_name,
            model_package_arn=args.package_arn,
            criterion=family.promotion,
            card=card,
            kms=kms,
        )
    except PromotionError as error:
        print(f"promotion failed: {error}", file=sys.stderr)
        return 2
    except AWS_ERRORS as error:
        print(f"promotion failed: {aws_errors.describe(error)}", file=sys.stderr)
        return 2
    print(result.describe())
    return 0 if result.approved else 1


def run(argv: list[str] | None = None) -> int:
    """:func:`main`, with any other failure as 2 (cannot judge), its traceback on stderr: Python
    exits 1 on an uncaught exception, which a pipeline step or CI would read as Rejected."""
    try:
        return main(argv)
    except Exception:
        traceback.print_exc()
        print("promotion failed: the gate stopped before a verdict (traceback above)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
