"""Promotion cannot judge a version whose evaluation report holds no finite metric.

Python's ``json`` reads ``NaN``, ``Infinity`` and ``-Infinity`` (what ``json.dump`` writes for an
AUC of a one-class validation set, or an error divided by zero). Every comparison with NaN is
false, and infinity clears any threshold: such a report must not set the version's approval
status either way (Rejected would read as a verdict, Approved would deploy it), but fail as
"cannot judge" (exit 2) like a report without the metric.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from components.registry.model_family_spec import PromotionCriterion
from pipelines.promotion import PromotionError, promote_model_package
from tests.aws_sessions import mocked_aws

REGION = "eu-west-1"
BUCKET = "reports-test"
GROUP = "dev-customer-churn"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    with mocked_aws(REGION):
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        yield {"sagemaker": sagemaker, "s3": s3}


def _register(aws: dict[str, Any], report: str | bytes) -> str:
    key = "evaluation/1/evaluation.json"
    body = report.encode() if isinstance(report, str) else report
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=body)
    return aws["sagemaker"].create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelMetrics={
            "ModelQuality": {
                "Statistics": {"ContentType": "application/json", "S3Uri": f"s3://{BUCKET}/{key}"}
            }
        },
    )["ModelPackageArn"]


@pytest.mark.parametrize(
    ("value", "direction"),
    [
        ("NaN", "maximize"),
        ("NaN", "minimize"),
        ("Infinity", "maximize"),
        ("-Infinity", "minimize"),
        ("1" + "0" * 400, "maximize"),
    ],
    ids=["nan-maximize", "nan-minimize", "infinity-maximize", "minus-infinity-minimize", "beyond-a-float"],
)
def test_a_metric_that_is_not_finite_cannot_be_judged(aws, value: str, direction: str) -> None:
    arn = _register(aws, f'{{"metrics": {{"auc": {{"value": {value}}}}}}}')
    criterion = PromotionCriterion(metric="metrics.auc.value", threshold=0.8, direction=direction)

    with pytest.raises(PromotionError, match="not a finite number"):
        promote_model_package(
            aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=criterion
        )

    status = aws["sagemaker"].describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"]
    assert status == "PendingManualApproval"


def test_a_finite_metric_is_still_judged(aws) -> None:
    arn = _register(aws, '{"metrics": {"auc": {"value": 0.9}}}')
    criterion = PromotionCriterion(metric="metrics.auc.value", threshold=0.8)

    result = promote_model_package(
        aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=criterion
    )

    assert result.approved and result.value == 0.9


@pytest.mark.parametrize(
    "report",
    ['{"metrics": {"auc": {"value": ' + "1" * 5000 + "}}}", b"\xff\xfe not utf-8", "[" * 100_000],
    ids=["integer-of-5000-digits", "not-utf-8", "nested-too-deep"],
)
def test_a_report_python_cannot_read_is_not_json(aws, report: str | bytes) -> None:
    arn = _register(aws, report)
    criterion = PromotionCriterion(metric="metrics.auc.value", threshold=0.8)

    with pytest.raises(PromotionError, match="is not JSON"):
        promote_model_package(
            aws["sagemaker"], aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=criterion
        )
