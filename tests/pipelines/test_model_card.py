"""Model cards at approval, against moto: the card of an approved version carries the stack file's
intended use and risk rating, the version's evaluation metrics, its package's ARN, and the stack's
data key; its CreateModelCard request passes botocore's model, and its content has the shape of
SageMaker's model card schema (as pulumi-aws-native's ModelCard types spell it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from components.registry.model_family_spec import PromotionCriterion
from pipelines.model_card import CardSettings, ModelCardError, card_content, data_key_alias, report_metrics
from pipelines.promotion import (
    PromotionError,
    create_card_of_approved,
    main,
    promote_model_package,
)
from stacks.config import parse_platform_config
from stacks.model_cards import MODEL_CARD_NAME, ModelCardSpec, model_card_name
from stacks.stack_file import read_stack_file
from tests.api_models import request_errors
from tests.conftest import stack_path
from tests.pipelines.conftest import CARD_BUCKET as BUCKET
from tests.pipelines.conftest import CARD_GROUP as GROUP

REPORT = {"metrics": {"auc": {"value": 0.91}, "accuracy": {"value": 0.87}, "f1": {"value": 0.74}}}
SPEC = ModelCardSpec(
    intended_use="Rank customers by churn risk for retention offers.",
    risk_rating="Medium",
    risk_rating_explanation="Wrong scores cost offers, not customers.",
    owner="churn team",
)
AUC = PromotionCriterion(metric="metrics.auc.value", threshold=0.8)


def _settings(**changes: Any) -> CardSettings:
    settings: dict[str, Any] = {
        "family": "customer-churn",
        "spec": SPEC,
        "criterion": AUC,
        "key_alias": data_key_alias("staging"),
        "description": "Gradient-boosted churn classifier",
        "tags": {"owner": "ml", "environment": "staging"},
    }
    return CardSettings(**(settings | changes))


def _register(
    card_aws: dict[str, Any],
    report: Any = REPORT,
    version: int = 1,
    report_uri: str | None = None,
    **package: Any,
) -> str:
    """A pending version of :data:`GROUP` evaluated by ``report``, uploaded; or registered with
    ``report_uri`` as its report, nothing uploaded. ``package``: more CreateModelPackage members."""
    key = f"evaluation/{version}/evaluation.json"
    if report_uri is None:
        card_aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=json.dumps(report).encode())
    return card_aws["sagemaker"].create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="PendingManualApproval",
        **package,
        InferenceSpecification={
            "Containers": [
                {
                    "Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1",
                    "ModelDataUrl": f"s3://{BUCKET}/models/{version}/model.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelMetrics={
            "ModelQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": report_uri or f"s3://{BUCKET}/{key}",
                }
            }
        },
    )["ModelPackageArn"]


def _card(card_aws: dict[str, Any], arn: str) -> dict[str, Any]:
    name = model_card_name(GROUP, arn.rsplit("/", 1)[-1])
    return card_aws["sagemaker"].describe_model_card(ModelCardName=name)


def test_an_approved_version_gets_an_encrypted_card_from_its_evaluation_report(card_aws) -> None:
    arn = _register(card_aws)

    result = promote_model_package(
        card_aws["sagemaker"], card_aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC,
        card=_settings(), kms=card_aws["kms"],
    )  # fmt: skip

    card = _card(card_aws, arn)
    assert result.approved and result.model_card == card["ModelCardArn"]
    assert card["ModelCardName"] == f"{GROUP}-v1" and card["ModelCardStatus"] == "Approved"
    assert card["SecurityConfig"] == {"KmsKeyId": card_aws["key_arn"]}  # the data key, by ARN
    content = json.loads(card["Content"])
    assert content["intended_uses"]["risk_rating"] == "Medium"
    assert content["intended_uses"]["intended_uses"] == SPEC.intended_use
    assert content["model_package_details"]["model_package_arn"] == arn
    assert content["model_package_details"]["model_approval_status"] == "Approved"
    [evaluation] = content["evaluation_details"]
    assert evaluation["metadata"] == {"report": f"s3://{BUCKET}/evaluation/1/evaluation.json"}
    [group] = evaluation["metric_groups"]
    assert {metric["name"]: metric["value"] for metric in group["metric_data"]} == {
        "auc": 0.91, "accuracy": 0.87, "f1": 0.74,
    }  # fmt: skip
    assert {metric["type"] for metric in group["metric_data"]} == {"number"}
    objective = content["training_details"]["objective_function"]
    assert objective["function"] == {"function": "Maximize", "condition": "auc >= 0.8"}
    assert "model card" in result.describe()


def test_the_create_model_card_request_passes_botocores_model(card_aws) -> None:
    arn = _register(card_aws)
    promote_model_package(
        card_aws["sagemaker"], card_aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC,
        card=_settings(), kms=card_aws["kms"],
    )  # fmt: skip

    [request] = card_aws["requests"]
    assert request_errors("sagemaker", "CreateModelCard", request) == []
    assert {"Key": "owner", "Value": "ml"} in request["Tags"]


def test_a_rejected_version_gets_no_card(card_aws) -> None:
    arn = _register(card_aws, {"metrics": {"auc": {"value": 0.6}}})

    result = promote_model_package(
        card_aws["sagemaker"], card_aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC,
        card=_settings(), kms=card_aws["kms"],
    )  # fmt: skip

    assert result.status == "Rejected" and result.model_card is None
    assert card_aws["requests"] == []


def _create_card_of_approved(card_aws: dict[str, Any], arn: str) -> tuple[str, bool]:
    return create_card_of_approved(
        card_aws["sagemaker"],
        card_aws["s3"],
        card_aws["kms"],
        group_name=GROUP,
        model_package_arn=arn,
        card=_settings(),
    )


def test_the_card_of_an_approved_version_is_created_once(card_aws) -> None:
    arn = _register(card_aws)
    card_aws["sagemaker"].update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    first, second = (_create_card_of_approved(card_aws, arn) for _ in range(2))

    assert first[1] and not second[1] and first[0] == second[0]
    assert len(card_aws["requests"]) == 1


def test_a_card_only_for_a_version_that_is_not_approved_is_refused(card_aws) -> None:
    arn = _register(card_aws)

    with pytest.raises(PromotionError, match="PendingManualApproval, not Approved"):
        _create_card_of_approved(card_aws, arn)


def test_a_card_that_cannot_be_created_leaves_the_version_as_it_was(card_aws) -> None:
    arn = _register(card_aws)

    with pytest.raises(PromotionError, match="cannot create the model card"):
        promote_model_package(
            card_aws["sagemaker"], card_aws["s3"], group_name=GROUP, model_package_arn=arn, criterion=AUC,
            card=_settings(key_alias="alias/no-such-key"), kms=card_aws["kms"],
        )  # fmt: skip

    status = card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"]
    assert status == "PendingManualApproval"


def test_a_report_without_numeric_metrics_makes_no_card() -> None:
    with pytest.raises(ModelCardError, match="no numeric metrics"):
        report_metrics({"metrics": {"loss": {"value": "n/a"}, "auc": {"value": True}}}, "s3://b/r.json")


def test_the_cli_creates_the_card_of_an_approved_version(card_aws, write_stack, capsys) -> None:
    path = write_stack("staging", name="Pulumi.staging.yaml")
    arn = _register(card_aws)
    card_aws["sagemaker"].update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    args = ["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn, "--model-card-only"]

    assert main(args) == 0
    assert "created" in capsys.readouterr().out
    assert main(args) == 0
    assert "exists already" in capsys.readouterr().out
    assert json.loads(_card(card_aws, arn)["Content"])["intended_uses"]["risk_rating"] == "Medium"


# -- the content against the model card schema ----------------------------------------------------


def _fields(type_name: str) -> dict[str, str]:
    """The members of a pulumi-aws-native ModelCard type (the schema's snake_case names), each with
    the annotation naming its nested type."""
    # Imported here, not at collection: the service's _inputs module is 0.13-0.19 s of CPU.
    import pulumi_aws_native.sagemaker._inputs as native_card

    return {name: str(hint) for name, hint in getattr(native_card, type_name).__annotations__.items()}


def _schema_problems(value: Any, type_name: str, path: str) -> Iterator[str]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _schema_problems(item, type_name, f"{path}[{index}]")
        return
    if not isinstance(value, dict):
        return
    fields = _fields(type_name)
    for name, item in value.items():
        if name not in fields:
            yield f"{path}.{name} is not in {type_name}"
            continue
        nested = re.findall(r"ModelCard\w+ArgsDict", fields[name])
        if nested and isinstance(item, dict | list):
            # A metric list names several types: the simple metric is the one the card uses.
            yield from _schema_problems(item, nested[0], f"{path}.{name}")


def test_the_card_content_has_the_model_card_schemas_shape(card_aws) -> None:
    arn = _register(card_aws)
    package = card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)
    package["CustomerMetadataProperties"] = {"git-commit": "abc123"}
    source = str(stack_path("staging"))
    training = parse_platform_config(read_stack_file(source).platform, source).models[0].training

    content = card_content(package, REPORT, "s3://b/r.json", _settings(training=training))

    assert list(_schema_problems(content, "ModelCardContentArgsDict", "content")) == []
    assert content["training_details"]["training_job_details"]["user_provided_hyper_parameters"]
    assert content["additional_information"]["custom_details"] == {"git-commit": "abc123"}
    assert content["model_overview"]["problem_type"] == "BinaryClassification"


def test_the_schema_check_reports_a_member_the_schema_lacks() -> None:
    content = {"intended_uses": {"risk": "High"}, "model_overview": {"model_name": "x"}}

    assert list(_schema_problems(content, "ModelCardContentArgsDict", "content")) == [
        "content.intended_uses.risk is not in ModelCardIntendedUsesArgsDict"
    ]


@pytest.mark.parametrize(
    ("group", "version"),
    [("staging-customer-churn", 7), ("a" * 63, 12345), ("ab-" * 20 + "abc", 1)],
    ids=["short group", "longest group", "a cut ending in a hyphen"],
)
def test_card_names_are_valid_and_unique_per_version(group: str, version: int) -> None:
    name = model_card_name(group, version)

    assert len(name) <= 63 and MODEL_CARD_NAME.fullmatch(name)
    assert name.endswith(f"-v{version}") and name != model_card_name(group, version + 1)
