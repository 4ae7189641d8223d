"""A component built directly (not from a stack file) refuses an account-wide name that its name
prefix takes past AWS's limit, naming the args' field, when its args are built: before anything is
registered. (A stack file's prefix and names are checked before the program runs:
tests/stacks/test_name_limits.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.data.feature_store import FeatureStoreArgs
from components.limits import PHYSICAL_NAME_LIMITS
from components.registry import ModelRegistryArgs
from components.registry.model_family_spec import ModelFamilySpec
from tests.components.test_feature_store_semantics import _args as feature_store_args
from tests.components.test_feature_store_semantics import _spec as feature_group

PROMOTION = {"metric": "metrics.auc.value", "threshold": 0.8}


def _registry_args(names: list[str], prefix: str | None) -> ModelRegistryArgs:
    return ModelRegistryArgs(
        families=[ModelFamilySpec.model_validate({"name": n, "promotion": PROMOTION}) for n in names],
        approval_mode="manual",
        account_id="123456789012",
        region="eu-west-1",
        notification_key_arn="arn:aws:kms:eu-west-1:123456789012:key/k",
        tags={},
        name_prefix=prefix,
    )


def _feature_store_args(names: list[str], prefix: str | None) -> FeatureStoreArgs:
    return feature_store_args([feature_group(n) for n in names], name_prefix=prefix)


CASES = [
    pytest.param(
        _registry_args, "aws:sagemaker/modelPackageGroup:ModelPackageGroup", "families", id="registry"
    ),
    pytest.param(
        _feature_store_args, "aws:sagemaker/featureGroup:FeatureGroup", "groups", id="feature-store"
    ),
]


@pytest.mark.parametrize(("build", "type_token", "field"), CASES)
def test_a_prefixed_name_may_reach_awss_limit_and_not_one_character_more(
    build: Any, type_token: str, field: str
) -> None:
    _, limit = PHYSICAL_NAME_LIMITS[type_token]
    prefix = "team-sandbox"
    fits = "m" * (limit - len(prefix) - 1)  # <prefix>-<name> exactly at the limit
    assert len(f"{prefix}-{fits}") == limit
    build(["short", fits], prefix)
    build(["short", fits + "m"], None)  # without the prefix the same name fits

    args_type = type(build(["short"], prefix)).__name__
    with pytest.raises(ValueError) as raised:
        build(["short", fits + "m"], prefix)
    assert str(raised.value) == (
        f"{args_type}.{field}[1].name: '{prefix}-{fits}m' has {limit + 1} characters with the name prefix; "
        f"AWS takes at most {limit} for {type_token.rsplit(':', 1)[-1]}.{PHYSICAL_NAME_LIMITS[type_token][0]}: "
        "shorten name_prefix or the name"
    )


@pytest.mark.parametrize(("build", "type_token", "field"), CASES)
@pytest.mark.parametrize("prefix", ["team.x", "-team", "team-", "team x", "team_", "_team"])
def test_a_name_prefix_aws_refuses_in_the_name_is_refused(
    build: Any, type_token: str, field: str, prefix: str
) -> None:
    """The prefix starts a name SageMaker takes as letters or digits separated by hyphens (model package
    groups ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, feature groups with ``_`` too but neither leading nor
    trailing): 'my_team-churn' or '-team-churn' planned and CreateModelPackageGroup refused it."""
    args_type = type(build(["short"], "team-sandbox")).__name__
    with pytest.raises(ValueError, match=rf"^{args_type}\.name_prefix: '{re.escape(prefix)}'"):
        build(["short"], prefix)
    build(["short"], "Team-2")


def test_an_underscore_between_letters_starts_a_feature_group_not_a_model_package_group() -> None:
    """botocore: ``FeatureGroupName`` ``[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}``, ``EntityName`` (model
    package groups) ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``: 'my_team-churn' is a feature group's name only."""
    _feature_store_args(["short"], "my_team")
    with pytest.raises(ValueError, match=r"^ModelRegistryArgs\.name_prefix: 'my_team'"):
        _registry_args(["short"], "my_team")
