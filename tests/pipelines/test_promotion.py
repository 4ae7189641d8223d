"""Promotion against moto: approve above the bar, reject below it, refuse what cannot be judged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from components.registry.model_family_spec import PromotionCriterion
from pipelines.promotion import PromotionError, main, promote_model_package
from tests.aws_sessions import mocked_aws
from tests.conftest import stack_path
from tests.shared_clients import shared_client

REGION = "eu-west-1"
BUCKET = "artifacts-test"
FAMILY = "customer-churn"
GROUP = f"dev-{FAMILY}"
"""The dev fixture's model package group: the family after the stack's name prefix."""
AUC = PromotionCriterion(metric="metrics.auc.value", threshold=0.8)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")  # the dev fixture stack's account
    with mocked_aws(REGION):
        sagemaker, s3 = shared_client("sagemaker", REGION), shared_client("s3", REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        yield {"sagemaker": sagemaker, "s3": s3}


def _register(
    aws: dict[str, Any], report: dict[str, Any] | None, version: int = 1, group: str = GROUP
) -> str:
    request: dict[str, Any] = {
        "ModelPackageGroupName": group,
        "ModelApprovalStatus": "PendingManualApproval",
        "InferenceSpecification": {
            "Containers": [
                {
                    "Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1",
                    "ModelDataUrl": f"s3://{BUCKET}/models/{version}/model.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    }
    if report is not None:
        key = f"evaluation/{version}/evaluation.json"
        aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=json.dumps(report).encode())
        request["ModelMetrics"] = {
            "ModelQuality": {
                "Statistics": {"ContentType": "application/json", "S3Uri": f"s3://{BUCKET}/{key}"}
            }
        }
    return aws["sagemaker"].create_model_package(**request)["ModelPackageArn"]


def _status(aws: dict[str, Any], arn: str) -> str:
    return aws["sagemaker"].describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"]


def test_a_version_above_the_threshold_is_approved(aws) -> None:
    arn = _register(aws, {"metrics": {"auc": {"value": 0.91}}})

    result = promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC
    )

    assert result.approved and result.value == pytest.approx(0.91)
    assert _status(aws, arn) == "Approved"
    assert (
        "metrics.auc.value=0.91"
        in aws["sagemaker"].describe_model_package(ModelPackageName=arn)["ApprovalDescription"]
    )


def test_a_version_below_the_threshold_is_rejected(aws) -> None:
    arn = _register(aws, {"metrics": {"auc": {"value": 0.62}}})

    result = promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC
    )

    assert not result.approved and result.status == "Rejected"
    assert _status(aws, arn) == "Rejected"
    assert result.describe() == "metrics.auc.value = 0.62 fails >= 0.8: Rejected"


def test_a_decided_version_is_not_judged_again(aws, capsys) -> None:
    # A version rolled back by hand, whose metric still clears the bar: a retried gate must not
    # approve it again (that would deploy it).
    rolled_back = _register(aws, {"metrics": {"auc": {"value": 0.93}}}, version=1)
    aws["sagemaker"].update_model_package(
        ModelPackageArn=rolled_back,
        ModelApprovalStatus="Rejected",
        ApprovalDescription="rollback: bad latency",
    )
    # One the gate approved: judged again it would publish a second approval (a second deploy).
    approved = _register(aws, {"metrics": {"auc": {"value": 0.85}}}, version=2)
    promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=approved, criterion=AUC
    )
    description = aws["sagemaker"].describe_model_package(ModelPackageName=approved)["ApprovalDescription"]
    # Under a stricter bar it would be rejected: the earlier decision stands all the same.
    strict = PromotionCriterion(metric="metrics.auc.value", threshold=0.9)

    again = promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=approved, criterion=strict
    )
    assert (again.status, again.decided_before) == ("Approved", description)
    assert _status(aws, approved) == "Approved"
    assert (
        aws["sagemaker"].describe_model_package(ModelPackageName=approved)["ApprovalDescription"]
        == description
    )

    args = ["--stack-file", str(stack_path("dev")), "--model", FAMILY, "--package-arn"]
    capsys.readouterr()
    assert main([*args, rolled_back]) == 1
    assert main([*args, approved]) == 0
    assert _status(aws, rolled_back) == "Rejected"
    assert capsys.readouterr().out.splitlines() == [
        "metrics.auc.value = 0.93: Rejected already (rollback: bad latency), not judged again",
        f"metrics.auc.value = 0.85: Approved already ({description}), not judged again",
    ]


@pytest.mark.parametrize(("status", "exit_status"), [("Approved", 0), ("Rejected", 1)])
def test_a_decided_version_stands_when_its_report_cannot_be_read(aws, capsys, status, exit_status) -> None:
    # Decided by hand (a version registered without the metric, or whose report was since removed):
    # a retried gate reports the decision instead of failing on the report.
    arn = _register(aws, {"metrics": {}}, version=1)
    with pytest.raises(PromotionError, match="auc"):  # undecided, it cannot be judged
        promote_model_package(
            aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC
        )
    aws["sagemaker"].update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus=status, ApprovalDescription="decided by hand"
    )

    result = promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC
    )
    assert (result.status, result.value, result.decided_before) == (status, None, "decided by hand")
    assert _status(aws, arn) == status

    capsys.readouterr()
    assert (
        main(["--stack-file", str(stack_path("dev")), "--model", FAMILY, "--package-arn", arn]) == exit_status
    )
    assert capsys.readouterr().out.splitlines() == [
        f"metrics.auc.value unread: {status} already (decided by hand), not judged again"
    ]


def test_minimised_metrics_pass_below_the_threshold(aws) -> None:
    arn = _register(aws, {"metrics": {"rmse": {"value": 3.2}}})
    criterion = PromotionCriterion(metric="metrics.rmse.value", threshold=4, direction="minimize")

    assert promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=criterion
    ).approved


def test_an_unknown_group_is_a_clear_error(aws) -> None:
    arn = _register(aws, {"metrics": {"auc": {"value": 0.91}}})

    with pytest.raises(PromotionError, match="model package group 'no-such-group' does not exist"):
        promote_model_package(
            aws["sagemaker"], aws["s3"], group_name="no-such-group", model_package_arn=arn, criterion=AUC
        )
    assert _status(aws, arn) == "PendingManualApproval"


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (None, "has no evaluation report"),
        ({"metrics": {"accuracy": {"value": 0.9}}}, "has no metric 'metrics.auc.value'"),
        ({"metrics": {"auc": {"value": "high"}}}, "is not a number"),
    ],
    ids=["no-report-attached", "metric-missing-from-report", "metric-not-a-number"],
)
def test_a_version_that_cannot_be_judged_is_left_pending(aws, report, message) -> None:
    arn = _register(aws, report)

    with pytest.raises(PromotionError, match=message):
        promote_model_package(
            aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC
        )
    assert _status(aws, arn) == "PendingManualApproval"


def test_a_package_of_another_group_is_refused(aws) -> None:
    aws["sagemaker"].create_model_package_group(ModelPackageGroupName="fraud")
    arn = _register(aws, {"metrics": {"auc": {"value": 0.99}}}, group="fraud")

    with pytest.raises(PromotionError, match="belongs to group 'fraud', not 'dev-customer-churn'"):
        promote_model_package(
            aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC
        )


def test_cli_reads_the_threshold_from_the_stack_file(aws, capsys) -> None:
    approved = _register(aws, {"metrics": {"auc": {"value": 0.85}}}, version=1)
    rejected = _register(aws, {"metrics": {"auc": {"value": 0.75}}}, version=2)
    args = ["--stack-file", str(stack_path("dev")), "--model", FAMILY, "--package-arn"]

    assert main([*args, approved]) == 0
    assert main([*args, rejected]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "metrics.auc.value = 0.85 passes >= 0.8: Approved",
        "metrics.auc.value = 0.75 fails >= 0.8: Rejected",
    ]


def test_cli_names_an_unknown_model_family(aws, capsys) -> None:
    assert main(["--stack-file", str(stack_path("dev")), "--model", "fraud", "--package-arn", "arn:x"]) == 2
    assert (
        f"{stack_path('dev')}: models: no model family 'fraud'; declared: customer-churn"
        in capsys.readouterr().err
    )
