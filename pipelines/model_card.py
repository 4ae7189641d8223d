"""The SageMaker Model Card of an approved model version, created by the promotion that approves it.

Cards document versions, and versions are registered and approved between deploys, so the card is
created here (``pipelines.promotion``), not by `pulumi up`. Its content follows SageMaker's model
card JSON schema:

- ``model_overview`` and ``model_package_details``: the version (group, number, containers,
  artifacts) as the registry describes it, linked by its ARN;
- ``intended_uses`` (with ``risk_rating``) and ``additional_information``: the family's
  ``models[].model_card`` in the stack file;
- ``training_details``: the promotion objective (metric, direction, bar) and the family's
  hyperparameters;
- ``evaluation_details``: every metric of the version's evaluation report (the
  ``ModelMetrics.ModelQuality.Statistics`` the training pipeline registered), one metric group.

The card is encrypted with the stack's data key (``alias/mlops-platform-<name_prefix>-data``: the
promotion knows the stack file, hence the alias, and asks KMS for the key's ARN) and named after
the version (``stacks.model_cards.model_card_name``), which is how a deploy finds it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from components.registry.model_family_spec import PromotionCriterion
from components.training.training_spec import FamilyTrainingSpec
from stacks import naming
from stacks.model_cards import ModelCardSpec, model_card_name

CARD_STATUS = "Approved"
"""The card records the approval it is created with."""
METRIC_GROUP = "evaluation report"
MAX_CONTENT = 100_000
"""CreateModelCard's ``Content`` limit."""


class ModelCardError(Exception):
    """The card cannot be built or created (a report without metrics, content over the limit)."""


@dataclass(frozen=True)
class CardSettings:
    """What a stack says about its family's cards."""

    family: str
    spec: ModelCardSpec
    criterion: PromotionCriterion
    key_alias: str
    """The KMS key the card is encrypted with (an alias; its ARN is what CreateModelCard gets)."""
    description: str = ""
    training: FamilyTrainingSpec | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def data_key_alias(name_prefix: str) -> str:
    """The stack's data key (stacks/composition/foundation.py names it so)."""
    return f"alias/{naming.kms_alias_prefix(name_prefix)}-data"


def card_content(
    package: Mapping[str, Any], report: Mapping[str, Any], report_uri: str, settings: CardSettings
) -> dict[str, Any]:
    """The card of the version ``package`` (DescribeModelPackage) evaluated by ``report``."""
    arn = package["ModelPackageArn"]
    group = package["ModelPackageGroupName"]
    containers = (package.get("InferenceSpecification") or {}).get("Containers") or []
    artifacts = [c["ModelDataUrl"] for c in containers if c.get("ModelDataUrl")]
    images = [c["Image"] for c in containers if c.get("Image")]
    spec, criterion, training = settings.spec, settings.criterion, settings.training
    overview: dict[str, Any] = {
        "model_id": arn,
        "model_name": group,
        "model_version": package.get("ModelPackageVersion"),
        "model_description": settings.description or None,
        "model_owner": spec.owner,
        "problem_type": training.problem_type if training else None,
        "algorithm_type": training.framework.name if training else None,
        "model_artifact": artifacts[:15],
        "inference_environment": {"container_image": images[:15]} if images else None,
    }
    comparison = ">=" if criterion.direction == "maximize" else "<="
    content = {
        "model_overview": overview,
        "model_package_details": {
            "model_package_arn": arn,
            "model_package_group_name": group,
            "model_package_version": package.get("ModelPackageVersion"),
            "model_approval_status": "Approved",
            "model_package_description": package.get("ModelPackageDescription"),
            "inference_specification": {
                "containers": [
                    {
                        "image": c["Image"],
                        **({"model_data_url": c["ModelDataUrl"]} if c.get("ModelDataUrl") else {}),
                    }
                    for c in containers
                    if c.get("Image")
                ]
            }
            if images
            else None,
        },
        "intended_uses": {
            "intended_uses": spec.intended_use,
            "risk_rating": spec.risk_rating,
            "explanations_for_risk_rating": spec.risk_rating_explanation,
            "purpose_of_model": spec.purpose,
        },
        "training_details": {
            "objective_function": {
                "function": {
                    "function": "Maximize" if criterion.direction == "maximize" else "Minimize",
                    "condition": _clip(f"{criterion.metric_name} {comparison} {criterion.threshold:g}", 63),
                },
                "notes": f"A version is approved when {criterion.metric} of its evaluation report is "
                f"{comparison} {criterion.threshold:g} (models[].promotion).",
            },
            "training_job_details": {
                "user_provided_hyper_parameters": [
                    {"name": name, "value": _clip(_text(value), 255)}
                    for name, value in sorted(training.hyperparameters.items())
                ]
            }
            if training and training.hyperparameters
            else None,
        },
        "evaluation_details": [
            {
                "name": METRIC_GROUP,
                "evaluation_observation": f"Metrics of {report_uri}, the version's registered evaluation report.",
                "metadata": {"report": report_uri},
                "metric_groups": [{"name": METRIC_GROUP, "metric_data": report_metrics(report, report_uri)}],
            }
        ],
        "additional_information": {
            "caveats_and_recommendations": spec.caveats,
            # What the pipeline recorded on the version (its MLflow run, lineage...), as it is.
            "custom_details": dict(package.get("CustomerMetadataProperties") or {}) or None,
        },
    }
    return _without_empty(content)


def written_settings(settings: CardSettings) -> tuple[Any, ...]:
    """What a card of ``settings`` writes in AWS from the stack file: its content but for the
    version's and the report's own fields (:func:`card_content` of a version with none), the key
    alias it is encrypted with and its tags. A setting the card does not write (a family's training
    code or metric definitions) is not in it."""
    content = card_content(
        {"ModelPackageArn": "", "ModelPackageGroupName": ""}, {"metrics": {"m": {"value": 0}}}, "", settings
    )
    return content, settings.key_alias, dict(settings.tags)


def report_metrics(report: Mapping[str, Any], report_uri: str) -> list[dict[str, Any]]:
    """The report's ``{"metrics": {name: {"value": number}}}`` as the card's number metrics."""
    metrics = report.get("metrics") if isinstance(report, Mapping) else None
    found = []
    for name, entry in (metrics or {}).items() if isinstance(metrics, Mapping) else ():
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            continue
        found.append({"name": _clip(str(name), 255), "type": "number", "value": float(value)})
    if not found:
        raise ModelCardError(f"the evaluation report {report_uri} has no numeric metrics.<name>.value")
    return found


def create_model_card(
    sagemaker: Any, kms: Any, package: Mapping[str, Any], content: Mapping[str, Any], settings: CardSettings
) -> tuple[str, bool]:
    """Create the card of ``package`` (boto3 clients): its ARN, and whether this call created it.

    A card that exists already (a re-run promotion) is left as it is.
    """
    match = package["ModelPackageArn"].rsplit("/", 2)
    name = model_card_name(match[-2], match[-1])
    existing = _existing_card(sagemaker, name)
    if existing:
        return existing, False
    body = json.dumps(content, separators=(",", ":"))
    if len(body) > MAX_CONTENT:
        raise ModelCardError(
            f"the model card of {package['ModelPackageArn']} is {len(body)} characters; AWS allows {MAX_CONTENT}"
        )
    key_arn = kms.describe_key(KeyId=settings.key_alias)["KeyMetadata"]["Arn"]
    try:
        response = sagemaker.create_model_card(
            ModelCardName=name,
            Content=body,
            ModelCardStatus=CARD_STATUS,
            SecurityConfig={"KmsKeyId": key_arn},
            Tags=[{"Key": key, "Value": value} for key, value in sorted(settings.tags.items())],
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConflictException":  # created meanwhile
            return _existing_card(sagemaker, name) or "", False
        raise
    return response["ModelCardArn"], True


def _existing_card(sagemaker: Any, name: str) -> str | None:
    try:
        return sagemaker.describe_model_card(ModelCardName=name)["ModelCardArn"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFound":
            return None
        raise


def _clip(text: str, limit: int) -> str:
    """``text`` within a schema field's ``limit`` (the card is documentation: cut, not refused)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: object) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _without_empty(value: Any) -> Any:
    """Drop None, empty strings, lists and maps: the schema has no nulls."""
    if isinstance(value, Mapping):
        kept = {key: _without_empty(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value
