"""What the promotion gate decides and records, against moto, pinned where a mutation of
``pipelines/promotion.py`` (or of ``PromotionCriterion.passes``) once went unnoticed:

- a metric exactly at the bar passes, in either direction (``maximize``: metric >= threshold,
  ``minimize``: metric <= threshold, as ``models[].promotion.direction`` documents it), and one a
  hair beyond it is Rejected;
- the ``ApprovalDescription`` written to the registry names who judged, the metric's value and the
  bar with the comparison of the criterion's direction;
- a version a person approved or rejected without a description is reported as decided before,
  "not judged again", with the exit status of its status, and the registry is left as it was;
- ``--model-card-only`` creates no card for a Rejected version (only Approved ones get cards), and
  for a family without ``model_card`` exits 2 saying so;
- a report the version names but S3 does not hold, a boolean metric and a metric path through a
  value that is not an object cannot be judged: the version stays PendingManualApproval and the
  CLI exits 2 with one line on stderr and nothing on stdout;
- an identity denied one of the calls the gate makes is told so (``access denied calling <call>``,
  exit 2), not that the group, the version or its report does not exist, and the version stays
  PendingManualApproval;
- a version's ARN names its group lower-cased (SageMaker does), so a family with capitals in its
  name accepts the ARN of its own versions.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto.core import set_initial_no_auth_action_count

from components.registry.model_family_spec import PromotionCriterion
from pipelines.promotion import PromotionError, main, package_arn_problem, promote_model_package
from tests.aws_sessions import denied_one_action, fresh_session
from tests.conftest import stack_path
from tests.pipelines.conftest import CARD_ACCOUNT, CARD_BUCKET, CARD_GROUP, CARD_REGION
from tests.pipelines.test_model_card import AUC, _register

RMSE = PromotionCriterion(metric="metrics.rmse.value", threshold=4, direction="minimize")


def _status(card_aws: dict[str, Any], arn: str) -> str:
    return card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"]


def _promote(card_aws: dict[str, Any], arn: str, criterion: PromotionCriterion, **options: Any) -> Any:
    return promote_model_package(
        card_aws["sagemaker"],
        card_aws["s3"],
        group_name=CARD_GROUP,
        model_package_arn=arn,
        criterion=criterion,
        **options,
    )


def _cli(arn: str) -> int:
    """The staging fixture's gate (auc >= 0.8, with model cards) on ``arn``."""
    return main(
        ["--stack-file", str(stack_path("staging")), "--model", "customer-churn", "--package-arn", arn]
    )


# The bar.


@pytest.mark.parametrize(
    ("report", "criterion", "status"),
    [
        ({"metrics": {"auc": {"value": 0.8}}}, AUC, "Approved"),
        ({"metrics": {"auc": {"value": 0.7999}}}, AUC, "Rejected"),
        ({"metrics": {"rmse": {"value": 4}}}, RMSE, "Approved"),
        ({"metrics": {"rmse": {"value": 4.0001}}}, RMSE, "Rejected"),
    ],
    ids=["maximize-at-the-bar", "maximize-just-below", "minimize-at-the-bar", "minimize-just-above"],
)
def test_a_metric_at_the_bar_passes_and_one_beyond_it_does_not(card_aws, report, criterion, status) -> None:
    arn = _register(card_aws, report)

    result = _promote(card_aws, arn, criterion)

    assert (result.status, result.approved) == (status, status == "Approved")
    assert _status(card_aws, arn) == status


def test_the_registry_records_who_judged_against_which_bar(card_aws) -> None:
    passed = _register(card_aws, {"metrics": {"rmse": {"value": 3.5}}}, version=1)
    failed = _register(card_aws, {"metrics": {"auc": {"value": 0.62}}}, version=2)

    approved = _promote(card_aws, passed, RMSE, approver="nightly-gate")
    rejected = _promote(card_aws, failed, AUC)

    def description(arn: str) -> str:
        return card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)["ApprovalDescription"]

    assert description(passed) == "nightly-gate: metrics.rmse.value=3.5, required <= 4"
    assert description(failed) == "pipelines.promotion: metrics.auc.value=0.62, required >= 0.8"
    assert approved.describe() == "metrics.rmse.value = 3.5 passes <= 4: Approved"
    assert rejected.describe() == "metrics.auc.value = 0.62 fails >= 0.8: Rejected"
    again = _promote(card_aws, passed, RMSE).describe()
    assert again == (
        "metrics.rmse.value = 3.5: Approved already "
        "(nightly-gate: metrics.rmse.value=3.5, required <= 4), not judged again"
    )


# Decided before, by a person.


@pytest.mark.parametrize(("status", "code"), [("Approved", 0), ("Rejected", 1)])
def test_a_version_decided_by_hand_without_a_description_is_not_judged_again(
    card_aws, capsys, status: str, code: int
) -> None:
    # Approved by a person in Studio (or `aws sagemaker update-model-package`), no description given;
    # the report says the opposite of what they decided.
    auc = 0.62 if status == "Approved" else 0.95
    arn = _register(card_aws, {"metrics": {"auc": {"value": auc}}})
    card_aws["sagemaker"].update_model_package(ModelPackageArn=arn, ModelApprovalStatus=status)
    before = card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)

    result = _promote(card_aws, arn, AUC)
    assert result.status == status and result.decided_before is not None
    assert _cli(arn) == code

    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"metrics.auc.value = {auc:g}: {status} already (no description), not judged again"
    ]
    assert captured.err == ""
    after = card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)
    assert (after["ModelApprovalStatus"], after.get("ApprovalDescription")) == (
        before["ModelApprovalStatus"],
        before.get("ApprovalDescription"),
    )
    assert card_aws["requests"] == []  # neither run created a card


def test_a_card_only_run_for_a_rejected_version_creates_no_card(card_aws, capsys) -> None:
    arn = _register(card_aws)  # its AUC clears the bar; a person rejected it all the same
    card_aws["sagemaker"].update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")
    args = ["--stack-file", str(stack_path("staging")), "--model", "customer-churn", "--package-arn", arn]

    assert main([*args, "--model-card-only"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"model package {arn} is Rejected, not Approved" in captured.err
    assert card_aws["requests"] == []
    assert _status(card_aws, arn) == "Rejected"


def test_a_card_only_run_for_a_family_without_model_card_says_so(card_aws, capsys) -> None:
    # The dev fixture's family has no model_card; its group need not even exist.
    arn = f"arn:aws:sagemaker:{CARD_REGION}:111111111111:model-package/dev-customer-churn/1"
    path = stack_path("dev")
    args = ["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn]

    assert main([*args, "--model-card-only"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{path}: models: customer-churn has no model_card to create a card from"
    ]
    assert card_aws["requests"] == []


# What cannot be judged.


def _cannot_be_judged(card_aws: dict[str, Any], capsys: Any, arn: str, match: str, line: str = "") -> None:
    """The gate raises ``match`` (a pattern); the CLI exits 2 with one stderr line, ``promotion
    failed: <line>...``, prints nothing on stdout, and the version stays pending."""
    with pytest.raises(PromotionError, match=match):
        _promote(card_aws, arn, AUC)
    assert _cli(arn) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    [printed] = captured.err.splitlines()
    assert printed.startswith(f"promotion failed: {line}")
    assert _status(card_aws, arn) == "PendingManualApproval"


def test_a_report_s3_does_not_hold_cannot_be_judged(card_aws, capsys) -> None:
    arn = _register(card_aws, {"metrics": {"auc": {"value": 0.95}}})
    card_aws["s3"].delete_object(Bucket=CARD_BUCKET, Key="evaluation/1/evaluation.json")
    report = f"s3://{CARD_BUCKET}/evaluation/1/evaluation.json"

    _cannot_be_judged(
        card_aws,
        capsys,
        arn,
        f"cannot read the evaluation report {report}: .*NoSuchKey",
        f"cannot read the evaluation report {report}",
    )


def test_a_report_at_an_https_url_cannot_be_judged_and_says_how_to_register_it(card_aws, capsys) -> None:
    url = f"https://{CARD_BUCKET}.s3.{CARD_REGION}.amazonaws.com/evaluation/1/evaluation.json"
    arn = _register(card_aws, report_uri=url)

    _cannot_be_judged(
        card_aws,
        capsys,
        arn,
        f"the evaluation report of {arn} is {url}: the gate reads an s3://",
        f"the evaluation report of {arn} is {url}",
    )


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ({"metrics": {"auc": {"value": True}}}, "metric 'metrics.auc.value' in .* is not a number: True"),
        ({"metrics": {"auc": "value of 0.9"}}, "has no metric 'metrics.auc.value'"),
        ({"metrics": ["auc"]}, "has no metric 'metrics.auc.value'"),
    ],
    ids=["boolean", "path-through-a-string", "path-through-a-list"],
)
def test_a_metric_that_is_no_number_of_an_object_cannot_be_judged(card_aws, capsys, report, message) -> None:
    # JSON's true is Python's True, an int: read as 1 it would clear any AUC bar.
    _cannot_be_judged(card_aws, capsys, _register(card_aws, report), message)


# Permissions.


@pytest.mark.parametrize(
    "denied",
    [
        "sagemaker:DescribeModelPackageGroup",
        "sagemaker:DescribeModelPackage",
        "s3:GetObject",
        "sagemaker:CreateModelCard",
        "sagemaker:UpdateModelPackage",
    ],
)
@set_initial_no_auth_action_count(3)  # the IAM calls that make the gate's identity; then moto checks all
def test_a_denied_call_is_reported_as_access_denied(card_aws, monkeypatch, capsys, denied: str) -> None:
    key = denied_one_action(boto3.client("iam", region_name=CARD_REGION), "promotion-gate", denied)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")  # an IAM user's long-term key has none
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", fresh_session(CARD_REGION))
    gate = {name: boto3.client(name, region_name=CARD_REGION) for name in ("sagemaker", "s3")}
    arn = _register(gate)  # its AUC clears the bar: only the denied call stands in the way

    assert _cli(arn) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"promotion failed: access denied calling {denied.split(':')[1]} ")
    [summary] = gate["sagemaker"].list_model_packages(ModelPackageGroupName=CARD_GROUP)[
        "ModelPackageSummaryList"
    ]
    assert summary["ModelApprovalStatus"] == "PendingManualApproval"


@set_initial_no_auth_action_count(3)
def test_a_decided_versions_report_denied_is_still_access_denied(card_aws, monkeypatch, capsys) -> None:
    """A decided version stands without its report when the report cannot be read (it is gone, or
    never had the metric), but a denied read is the gate's own role at fault: reported, exit 2."""
    key = denied_one_action(boto3.client("iam", region_name=CARD_REGION), "promotion-gate", "s3:GetObject")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", fresh_session(CARD_REGION))
    gate = {name: boto3.client(name, region_name=CARD_REGION) for name in ("sagemaker", "s3")}
    arn = _register(gate)
    gate["sagemaker"].update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="by hand"
    )

    assert _cli(arn) == 2

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("promotion failed: access denied calling GetObject ")


# The ARN, checked before any AWS call.


def test_a_version_arn_names_its_group_lower_cased() -> None:
    arn = f"arn:aws:sagemaker:{CARD_REGION}:{CARD_ACCOUNT}:model-package/staging-churn-v2/3"

    assert package_arn_problem(arn, "staging-Churn-V2", CARD_REGION, CARD_ACCOUNT) is None
    assert package_arn_problem(arn, "staging-churn-v3", CARD_REGION, CARD_ACCOUNT) == (
        f"{arn} is a version of group staging-churn-v2, not of staging-churn-v3"
    )
    assert package_arn_problem(arn, "staging-churn-v2", "us-east-1", CARD_ACCOUNT) == (
        f"{arn} is in region {CARD_REGION}; the stack's registry is in us-east-1"
    )
    # A version of a group of that name in another account (a registry shared with this one).
    assert package_arn_problem(arn, "staging-churn-v2", CARD_REGION, "333333333333") == (
        f"{arn} is in account {CARD_ACCOUNT}; the stack's registry is in 333333333333"
    )


def test_a_version_of_another_account_is_refused_before_any_aws_call(capsys) -> None:
    # No moto here: a call to AWS would fail otherwise (no credentials), not name the account.
    arn = f"arn:aws:sagemaker:{CARD_REGION}:333333333333:model-package/{CARD_GROUP}/1"

    assert _cli(arn) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"--package-arn: {arn} is in account 333333333333; the stack's registry is in {CARD_ACCOUNT}"
    ]
