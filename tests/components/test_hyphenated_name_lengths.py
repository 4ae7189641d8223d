"""Names botocore gives as ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,N}`` are bounded by their shape's ``max``
too: the pattern counts the letters and digits, not the ``-`` runs between them, so a name padded
with hyphens (``a---...---b``) matched every such check past AWS's length and failed at deploy
(the endpoint and pipeline names were mended the same way: test_component_leftovers_review.py).
Each check takes the longest name AWS takes and refuses one character more, made of hyphens."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from components.data.feature_store_spec import FeatureGroupSpec, FeatureSpec
from components.experiments.experiment_tracking_spec import ExperimentTrackingSpec
from components.registry.model_family_spec import ModelFamilySpec
from stacks.arns import ArnError, parse_model_package_group_arn, parse_model_package_version_arn
from tests.pipelines.churn_fixtures import make_settings


def padded(length: int) -> str:
    """A name of ``length`` characters that botocore's pattern matches for any N >= 1."""
    return "a" + "-" * (length - 2) + "b"


def _family(name: str) -> object:
    return ModelFamilySpec(name=name, promotion={"metric": "metrics.auc.value", "threshold": 0.8})


def _feature(name: str) -> object:
    return FeatureSpec(name=name, type="String")


def _feature_group(name: str) -> object:
    features = [{"name": "customer_id", "type": "String"}, {"name": "event_time", "type": "Fractional"}]
    return FeatureGroupSpec(
        name=name, record_identifier="customer_id", event_time="event_time", features=features
    )


def _tracking_server(name: str) -> object:
    return ExperimentTrackingSpec(enabled=True, name=name)


def _settings_group(name: str) -> object:
    return dataclasses.replace(make_settings(), model_package_group_name=name)


def _group_arn(name: str) -> object:
    return parse_model_package_group_arn(
        f"arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/{name}"
    )


def _version_arn(name: str) -> object:
    return parse_model_package_version_arn(f"arn:aws:sagemaker:eu-west-1:123456789012:model-package/{name}/3")


CHECKS: list[tuple[str, Callable[[str], object], int, type[Exception]]] = [
    ("model family (EntityName)", _family, 63, ValidationError),
    ("tracking server (TrackingServerName)", _tracking_server, 256, ValidationError),
    ("feature (FeatureName)", _feature, 64, ValidationError),
    ("feature group (FeatureGroupName)", _feature_group, 64, ValidationError),
    ("pipeline settings' group (EntityName)", _settings_group, 63, ValueError),
    ("group ARN (EntityName)", _group_arn, 63, ArnError),
    ("version ARN's group (EntityName)", _version_arn, 63, ArnError),
]


@pytest.mark.parametrize(("what", "build", "limit", "error"), CHECKS, ids=[check[0] for check in CHECKS])
def test_a_hyphen_padded_name_is_bounded_by_the_shapes_max(
    what: str, build: Callable[[str], object], limit: int, error: type[Exception]
) -> None:
    build(padded(limit))
    build("x" * limit)
    with pytest.raises(error):
        build(padded(limit + 1))
    with pytest.raises(error):
        build("x" * (limit + 1))


# Every such pattern of the product is held to its shape's max by a scan of the code's string
# constants: tests/components/test_lead_review.py (test_every_separated_name_pattern_is_bounded_by_its_shapes_max).


REGEXES = [
    ("delivery.approved_model", "FAMILY", "{}", 63),
    (
        "delivery.approved_model",
        "MODEL_PACKAGE_ARN",
        "arn:aws:sagemaker:eu-west-1:123456789012:model-package/{}/3",
        63,
    ),
    ("components.training.definition_sections", "_FEATURE_GROUP", "{}", 64),
    ("components.training.steps.extract_features", "_FEATURE", "{}", 64),
    (
        "components.training.definition_patterns",
        "_TRACKING_SERVER_ARN",
        "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/{}",
        256,
    ),
]


@pytest.mark.parametrize(
    ("module", "name", "text", "limit"), REGEXES, ids=[f"{m}.{n}" for m, n, _, _ in REGEXES]
)
def test_a_bounded_pattern_takes_the_longest_name_and_refuses_one_more(
    module: str, name: str, text: str, limit: int
) -> None:
    pattern = getattr(importlib.import_module(module), name)
    assert pattern.fullmatch(text.format(padded(limit)))
    assert not pattern.fullmatch(text.format(padded(limit + 1)))
