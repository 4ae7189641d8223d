"""Promote a model version in the registry when its recorded evaluation clears the bar.

A training pipeline registers each version with its evaluation report attached as model metrics
(``ModelMetrics.ModelQuality.Statistics``). Promotion reads that report, compares the configured
metric with the model family's threshold (``models[].promotion`` in the stack file) and sets the
version's ``ModelApprovalStatus`` to ``Approved`` or ``Rejected``. Approval is what the registry's
EventBridge rule turns into a deployment.

    python -m pipelines.promotion --stack-file stacks/Pulumi.staging.yaml \\
        --model customer-churn --package-arn arn:aws:sagemaker:...:model-package/staging-customer-churn/3

Exit status: 0 approved, 1 rejected (below threshold), 2 cannot judge: an invalid stack file or
package ARN (checked before any AWS call), an unknown group or version, no usable evaluation report,
or AWS itself (no credentials, expired credentials, access denied, no network). Each prints one line
on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from components.registry.model_registry import PromotionCriterion
from delivery import aws_errors
from delivery.aws_errors import AWS_ERRORS, is_access_problem
from stacks.arns import ArnError, parse_model_package_version_arn
from stacks.input_limits import shorten


class PromotionError(Exception):
    """The version cannot be judged: unknown group or package, or no usable evaluation report."""


@dataclass(frozen=True)
class PromotionResult:
    model_package_arn: str
    metric: str
    value: float
    threshold: float
    direction: str
    status: str
    """The approval status that was set: ``Approved`` or ``Rejected``."""

    @property
    def approved(self) -> bool:
        return self.status == "Approved"

    def describe(self) -> str:
        comparison = ">=" if self.direction == "maximize" else "<="
        verdict = "passes" if self.approved else "fails"
        return f"{self.metric} = {self.value:g} {verdict} {comparison} {self.threshold:g}: {self.status}"


def promote_model_package(
    sagemaker: Any,
    s3: Any,
    *,
    group_name: str,
    model_package_arn: str,
    criterion: PromotionCriterion,
    approver: str = "pipelines.promotion",
) -> PromotionResult:
    """Judge ``model_package_arn`` of ``group_name`` against ``criterion`` and record the verdict.

    ``sagemaker`` and ``s3`` are boto3 clients. Raises :class:`PromotionError` when the version
    cannot be judged; a version below the threshold is not an error: it is Rejected.
    """
    _require_group(sagemaker, group_name)
    package = _describe_package(sagemaker, model_package_arn)
    if package.get("ModelPackageGroupName") != group_name:
        raise PromotionError(
            f"model package {model_package_arn} belongs to group {package.get('ModelPackageGroupName')!r}, not {group_name!r}"
        )
    value = _metric_value(s3, package, criterion.metric, model_package_arn)
    status = "Approved" if criterion.passes(value) else "Rejected"
    comparison = ">=" if criterion.direction == "maximize" else "<="
    sagemaker.update_model_package(
        ModelPackageArn=model_package_arn,
        ModelApprovalStatus=status,
        ApprovalDescription=f"{approver}: {criterion.metric}={value:g}, required {comparison} {criterion.threshold:g}",
    )
    return PromotionResult(
        model_package_arn=model_package_arn,
        metric=criterion.metric,
        value=value,
        threshold=float(criterion.threshold),
        direction=criterion.direction,
        status=status,
    )


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


def _metric_value(s3: Any, package: dict[str, Any], metric: str, arn: str) -> float:
    statistics = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {})
    uri = statistics.get("S3Uri")
    if not uri:
        raise PromotionError(
            f"model package {arn} has no evaluation report (ModelMetrics.ModelQuality.Statistics)"
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


def package_arn_problem(arn: str, group_name: str, region: str) -> str | None:
    """Why ``arn`` cannot be a version of ``group_name`` in the stack's registry (its region), checked
    locally, field by field, before any AWS call; None when it can."""
    try:
        version = parse_model_package_version_arn(arn)
    except ArnError as error:
        return str(error)
    group = group_name.rsplit("/", 1)[-1]
    if version.group.lower() != group.lower():
        return f"{shorten(arn)} is a version of group {version.group}, not of {group}"
    if version.arn.region != region:
        return f"{shorten(arn)} is in region {version.arn.region}; the stack's registry is in {region}"
    return None


def main(argv: list[str] | None = None) -> int:
    import boto3

    from stacks.config import ConfigError, parse_platform_config
    from stacks.stack_file import read_stack_file

    parser = argparse.ArgumentParser(prog="python -m pipelines.promotion", description=__doc__.split("\n")[0])
    parser.add_argument("--stack-file", required=True, help="the stack whose models[].promotion sets the bar")
    parser.add_argument("--model", required=True, help="model family name (models[].name)")
    parser.add_argument("--package-arn", required=True)
    args = parser.parse_args(argv)
    try:
        config = parse_platform_config(read_stack_file(args.stack_file).platform, args.stack_file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    family = next((model for model in config.models if model.name == args.model), None)
    if family is None:
        known = ", ".join(model.name for model in config.models) or "none"
        print(
            f"{args.stack_file}: models: no model family {args.model!r}; declared: {known}", file=sys.stderr
        )
        return 2
    group_name = config.model_package_group(family.name)
    problem = package_arn_problem(args.package_arn, group_name, config.region)
    if problem:
        print(f"--package-arn: {problem}", file=sys.stderr)
        return 2
    try:
        result = promote_model_package(
            boto3.client("sagemaker", region_name=config.region),
            boto3.client("s3", region_name=config.region),
            group_name=group_name,
            model_package_arn=args.package_arn,
            criterion=family.promotion,
        )
    except PromotionError as error:
        print(f"promotion failed: {error}", file=sys.stderr)
        return 2
    except AWS_ERRORS as error:
        print(f"promotion failed: {aws_errors.describe(error)}", file=sys.stderr)
        return 2
    print(result.describe())
    return 0 if result.approved else 1


if __name__ == "__main__":
    sys.exit(main())
