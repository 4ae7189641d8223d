"""What a model card says and what CreateModelCard receives, against moto, pinned where a mutation
of ``pipelines/model_card.py`` once went unnoticed:

- the content of a card, member by member, as the version, the stack file and the evaluation report
  give it, and a card with nothing optional has no empty member (the schema has no nulls);
- a minimized objective reads ``Minimize`` and ``<=``, with the bar as the stack file writes it;
- texts longer than a schema field are cut to its limit, not one character more or less;
- a boolean hyperparameter reads as the training job receives it (``true``);
- the content limit is AWS's: a card of exactly that size is sent, one character more is refused,
  saying how long it is;
- a card another promotion created meanwhile is reported as existing, not created;
- ``--model-card-only`` with a report that has no metrics object exits 2 and names the report;
- the data key a card is encrypted with is the one each stack creates.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from components.registry.model_family_spec import PromotionCriterion
from pipelines.model_card import ModelCardError, card_content, create_model_card, data_key_alias
from pipelines.promotion import card_settings, main, promote_model_package
from stacks.config import parse_platform_config
from stacks.model_cards import ModelCardSpec, model_card_name
from stacks.stack_file import read_stack_file
from tests.api_models import request_errors, service_model
from tests.conftest import STACKS, load_stack_document, stack_path
from tests.pipelines.conftest import CARD_BUCKET, CARD_GROUP, CARD_REGION
from tests.pipelines.test_model_card import AUC, REPORT, _register, _settings

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1"
"""The image of the versions ``_register`` registers."""
RMSE = PromotionCriterion(metric="metrics.rmse.value", threshold=4.0, direction="minimize")
CONTENT_LIMIT = (
    service_model("sagemaker")
    .operation_model("CreateModelCard")
    .input_shape.members["Content"]
    .metadata["max"]
)
"""CreateModelCard's ``Content`` limit, as AWS states it (botocore's model)."""


def _staging_training() -> Any:
    source = str(stack_path("staging"))
    return parse_platform_config(read_stack_file(source).platform, source).models[0].training


def _package(card_aws: dict[str, Any], **registered: Any) -> dict[str, Any]:
    arn = _register(card_aws, **registered)
    return card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)


def test_the_card_says_what_the_version_the_stack_file_and_the_report_say(card_aws) -> None:
    spec = ModelCardSpec(
        intended_use="Rank customers by churn risk for retention offers.",
        risk_rating="Medium",
        risk_rating_explanation="Wrong scores cost offers, not customers.",
        purpose="Retention campaigns.",
        owner="churn team",
        caveats="Trained on monthly extracts only.",
    )
    arn = _register(
        card_aws,
        ModelPackageDescription="churn, November extract",
        CustomerMetadataProperties={"platform_commit": "0123456789abcdef"},
    )

    promote_model_package(
        card_aws["sagemaker"], card_aws["s3"], group_name=CARD_GROUP, model_package_arn=arn, criterion=AUC,
        card=_settings(spec=spec, training=_staging_training()), kms=card_aws["kms"],
    )  # fmt: skip

    [request] = card_aws["requests"]
    report = f"s3://{CARD_BUCKET}/evaluation/1/evaluation.json"
    artifact = f"s3://{CARD_BUCKET}/models/1/model.tar.gz"
    assert json.loads(request["Content"]) == {
        "model_overview": {
            "model_id": arn,
            "model_name": CARD_GROUP,
            "model_version": 1,
            "model_description": "Gradient-boosted churn classifier",
            "model_owner": "churn team",
            "problem_type": "BinaryClassification",
            "algorithm_type": "sklearn",
            "model_artifact": [artifact],
            "inference_environment": {"container_image": [IMAGE]},
        },
        "model_package_details": {
            "model_package_arn": arn,
            "model_package_group_name": CARD_GROUP,
            "model_package_version": 1,
            "model_approval_status": "Approved",
            "model_package_description": "churn, November extract",
            "inference_specification": {"containers": [{"image": IMAGE, "model_data_url": artifact}]},
        },
        "intended_uses": {
            "intended_uses": "Rank customers by churn risk for retention offers.",
            "risk_rating": "Medium",
            "explanations_for_risk_rating": "Wrong scores cost offers, not customers.",
            "purpose_of_model": "Retention campaigns.",
        },
        "training_details": {
            "objective_function": {
                "function": {"function": "Maximize", "condition": "auc >= 0.8"},
                "notes": "A version is approved when metrics.auc.value of its evaluation report is >= 0.8 "
                "(models[].promotion).",
            },
            "training_job_details": {
                "user_provided_hyper_parameters": [  # by name, as the stack file's values read
                    {"name": "checkpoint_every", "value": "25"},
                    # `1.0` in the stack file: the engine passes it to the program as JSON 1
                    {"name": "l2_regularization", "value": "1"},
                    {"name": "max_iter", "value": "200"},
                    {"name": "min_samples_leaf", "value": "20"},
                    {"name": "random_state", "value": "42"},
                ]
            },
        },
        "evaluation_details": [
            {
                "name": "evaluation report",
                "evaluation_observation": f"Metrics of {report}, the version's registered evaluation report.",
                "metadata": {"report": report},
                "metric_groups": [
                    {
                        "name": "evaluation report",
                        "metric_data": [
                            {"name": "auc", "type": "number", "value": 0.91},
                            {"name": "accuracy", "type": "number", "value": 0.87},
                            {"name": "f1", "type": "number", "value": 0.74},
                        ],
                    }
                ],
            }
        ],
        "additional_information": {
            "caveats_and_recommendations": "Trained on monthly extracts only.",
            "custom_details": {"platform_commit": "0123456789abcdef"},
        },
    }


def test_a_card_with_nothing_optional_has_no_empty_member(card_aws) -> None:
    package = _package(card_aws)
    [container] = package["InferenceSpecification"]["Containers"]
    del container["ModelDataUrl"]  # a version whose model is in its image: no artifact
    spec = ModelCardSpec(intended_use="Rank customers.", risk_rating="Low")
    arn, report = package["ModelPackageArn"], "s3://b/r.json"

    content = card_content(package, REPORT, report, _settings(spec=spec, description=""))

    del content["evaluation_details"]  # the report's, as in the test above
    assert content == {
        "model_overview": {
            "model_id": arn,
            "model_name": CARD_GROUP,
            "model_version": 1,
            "inference_environment": {"container_image": [IMAGE]},
        },
        "model_package_details": {
            "model_package_arn": arn,
            "model_package_group_name": CARD_GROUP,
            "model_package_version": 1,
            "model_approval_status": "Approved",
            "inference_specification": {"containers": [{"image": IMAGE}]},
        },
        "intended_uses": {"intended_uses": "Rank customers.", "risk_rating": "Low"},
        "training_details": {
            "objective_function": {
                "function": {"function": "Maximize", "condition": "auc >= 0.8"},
                "notes": "A version is approved when metrics.auc.value of its evaluation report is >= 0.8 "
                "(models[].promotion).",
            }
        },
    }


def test_a_minimized_objective_reads_minimize_at_most_the_bar(card_aws) -> None:
    content = card_content(_package(card_aws), REPORT, "s3://b/r.json", _settings(criterion=RMSE))

    assert content["training_details"]["objective_function"] == {
        "function": {"function": "Minimize", "condition": "rmse <= 4"},
        "notes": "A version is approved when metrics.rmse.value of its evaluation report is <= 4 "
        "(models[].promotion).",
    }


@pytest.mark.parametrize("over", [0, 1], ids=["at the limit", "one over"])
def test_long_texts_are_cut_to_the_schemas_limits(card_aws, over: int) -> None:
    """The condition takes 63 characters, a hyperparameter's value and a metric's name 255: a text
    at the limit is kept whole, a longer one is cut to the limit, its last character an ellipsis."""
    metric = "a" * (58 + over)  # "<metric> <= 4": 63 characters, or 64
    value, name = "v" * (255 + over), "m" * (255 + over)
    training = _staging_training().model_copy(update={"hyperparameters": {"features": value}})
    criterion = PromotionCriterion(metric=f"metrics.{metric}.value", threshold=4, direction="minimize")

    content = card_content(
        _package(card_aws),
        {"metrics": {name: {"value": 0.5}}},
        "s3://b/r.json",
        _settings(criterion=criterion, training=training),
    )

    def cut(text: str, limit: int) -> str:
        return text if not over else text[: limit - 1] + "…"

    details = content["training_details"]
    assert details["objective_function"]["function"]["condition"] == cut(f"{metric} <= 4", 63)
    assert details["training_job_details"]["user_provided_hyper_parameters"] == [
        {"name": "features", "value": cut(value, 255)}
    ]
    [metric_data] = content["evaluation_details"][0]["metric_groups"][0]["metric_data"]
    assert metric_data["name"] == cut(name, 255)
    assert [
        len(t) for t in (details["objective_function"]["function"]["condition"], metric_data["name"])
    ] == [
        63,
        255,
    ]


def test_a_boolean_hyperparameter_reads_as_the_training_job_receives_it(card_aws) -> None:
    """The SageMaker SDK writes JSON ``true`` into the training job's HyperParameters, not ``True``."""
    training = _staging_training().model_copy(update={"hyperparameters": {"early_stopping": True, "seed": 7}})

    content = card_content(_package(card_aws), REPORT, "s3://b/r.json", _settings(training=training))

    assert content["training_details"]["training_job_details"]["user_provided_hyper_parameters"] == [
        {"name": "early_stopping", "value": "true"},
        {"name": "seed", "value": "7"},
    ]


def _padded(characters: int) -> dict[str, Any]:
    """Card content whose compact JSON has ``characters`` characters."""
    content: dict[str, Any] = {"additional_information": {"caveats_and_recommendations": ""}}
    overhead = len(json.dumps(content, separators=(",", ":")))
    content["additional_information"]["caveats_and_recommendations"] = "x" * (characters - overhead)
    return content


def test_a_card_of_exactly_the_content_limit_is_sent_one_character_more_is_refused(card_aws) -> None:
    at_limit, over = _package(card_aws, version=1), _package(card_aws, version=2)

    arn, created = create_model_card(
        card_aws["sagemaker"], card_aws["kms"], at_limit, _padded(CONTENT_LIMIT), _settings()
    )
    assert created and arn.endswith(f"/{CARD_GROUP}-v1")
    [request] = card_aws["requests"]
    assert len(request["Content"]) == CONTENT_LIMIT
    assert request_errors("sagemaker", "CreateModelCard", request) == []

    with pytest.raises(ModelCardError) as refused:
        create_model_card(
            card_aws["sagemaker"], card_aws["kms"], over, _padded(CONTENT_LIMIT + 1), _settings()
        )
    assert str(refused.value) == (
        f"the model card of {over['ModelPackageArn']} is {CONTENT_LIMIT + 1} characters; AWS allows {CONTENT_LIMIT}"
    )
    assert len(card_aws["requests"]) == 1, "nothing sent"


def test_a_card_another_promotion_created_meanwhile_is_reported_existing(card_aws) -> None:
    """Between the card's DescribeModelCard (none yet) and its CreateModelCard, another run of the
    promotion creates it: CreateModelCard fails with ConflictException."""
    package = _package(card_aws)
    name = model_card_name(CARD_GROUP, 1)
    other = boto3.client("sagemaker", region_name=CARD_REGION)  # another run's client
    theirs: list[str] = []

    def created_meanwhile(params: dict[str, Any], **_: Any) -> None:
        theirs.append(
            other.create_model_card(ModelCardName=name, Content="{}", ModelCardStatus="Approved")[
                "ModelCardArn"
            ]
        )

    card_aws["sagemaker"].meta.events.register(
        "provide-client-params.sagemaker.CreateModelCard", created_meanwhile
    )

    arn, created = create_model_card(
        card_aws["sagemaker"], card_aws["kms"], package, card_content(package, REPORT, "s3://b/r.json", _settings()),
        _settings(),
    )  # fmt: skip

    assert (arn, created) == (theirs[0], False)


@pytest.mark.parametrize(
    "report",
    [[0.91], {"metrics": [{"auc": 0.91}]}, {"metrics": {"auc": 0.91}}],
    ids=["a list", "metrics a list", "a metric without value"],
)
def test_model_card_only_with_a_report_without_metrics_exits_2_naming_it(
    card_aws, write_stack, capsys, report
) -> None:
    """``--model-card-only`` judges nothing: the report is read for the card only."""
    path = write_stack("staging", name="Pulumi.staging.yaml")
    arn = _register(card_aws, report)
    card_aws["sagemaker"].update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    code = main(
        ["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn, "--model-card-only"]
    )

    assert code == 2
    assert capsys.readouterr().err == (
        f"promotion failed: the evaluation report s3://{CARD_BUCKET}/evaluation/1/evaluation.json "
        "has no numeric metrics.<name>.value\n"
    )
    assert card_aws["requests"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_cards_are_encrypted_with_the_data_key_the_stack_creates(stack_graphs, stack: str) -> None:
    config = parse_platform_config(load_stack_document(stack)["config"]["mlops-platform:platform"], stack)
    graph = stack_graphs[stack]
    alias = data_key_alias(config.name_prefix)
    settings = [card_settings(config, family) for family in config.models]
    assert {s.key_alias for s in settings if s is not None} <= {alias}

    [created] = [a for a in graph.of_type("aws:kms/alias:Alias") if a.inputs["name"] == alias]
    [key] = graph.referenced(created, "targetKeyId")
    assert key.name.startswith("kms-data")
