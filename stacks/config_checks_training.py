"""The cross-section checks of training and the registry (:data:`~stacks.config.CROSS_CHECKS`): the
tracking server's ARN, training data, derived physical names, a family's training, its promotion
metric and its model card.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from components.experiments.experiment_tracking_spec import (
    tracking_server_arn,
    tracking_server_name,
)
from components.training.frameworks import framework_problems, instance_problems
from stacks import naming
from stacks.input_limits import listed

if TYPE_CHECKING:
    from stacks.config import PlatformConfig


MODEL_PACKAGE_METADATA_VALUE_LIMIT = 256
"""CreateModelPackage's CustomerMetadataProperties: each value at most 256 characters."""


def _tracking_server_arn_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A trained family's versions record the tracking server's ARN (``mlflow_tracking_server_arn``):
    a server name AWS accepts (256 characters) can still make that ARN too long for the registry."""
    if not (config.experiment_tracking.enabled and config.trains_models):
        return
    name = tracking_server_name(config.experiment_tracking, config.name_prefix)
    arn = tracking_server_arn(config.region, config.account_id, name)
    if len(arn) > MODEL_PACKAGE_METADATA_VALUE_LIMIT:
        yield (
            "experiment_tracking.name",
            f"the tracking server's ARN would be {len(arn)} characters; each model version records it "
            f"and the registry keeps at most {MODEL_PACKAGE_METADATA_VALUE_LIMIT}: shorten the name or "
            f"name_prefix by {len(arn) - MODEL_PACKAGE_METADATA_VALUE_LIMIT}",
        )


def _training_data_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A family trained from a feature group: the group is this stack's, has an offline store with
    its Glue table (what Athena queries), and holds every column the family's scripts are given.
    What the version records is bounded by the group's name (64 characters) and the snapshot time
    ExtractFeatures formats itself."""
    groups = {group.name: group for group in config.feature_groups}
    for index, family in enumerate(config.models):
        training = family.training
        if training is None or training.data is None:
            continue
        key = f"models[{index}].training.data"
        group = groups.get(training.data.feature_group)
        if group is None:
            yield (
                f"{key}.feature_group",
                f"'{training.data.feature_group}' is not a feature group of this stack (feature_groups[].name: "
                f"{listed(sorted(groups)) or 'none'})",
            )
            continue
        if not group.offline:
            yield (
                f"{key}.feature_group",
                f"feature group '{group.name}' has no offline store (offline: false): the pipeline reads the "
                "offline store",
            )
        elif group.glue_catalog != "managed":
            yield (
                f"{key}.feature_group",
                f"feature group '{group.name}' has glue_catalog: disabled: Athena reads the offline store "
                "through the Glue table Feature Store creates (glue_catalog: managed)",
            )
        features = [feature.name for feature in group.features]
        # Each column its own problem (one line each), the features listed (said once per file).
        for position, column in enumerate(training.data.columns):
            if column not in features:
                yield (
                    f"{key}.columns[{position}]",
                    f"{column} not a feature of '{group.name}' (its features: {listed(features)})",
                )
        columns = training.data.columns or features
        wanted = [("label", training.label)] + [
            (f"identifiers[{position}]", column) for position, column in enumerate(training.identifiers)
        ]
        for name, column in wanted:
            if column not in columns:
                yield (
                    f"models[{index}].training.{name}",
                    f"{column} not in the training set read from feature group '{group.name}' "
                    f"(its columns: {listed(columns)})",
                )


def _derived_name_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Physical names (name_prefix + name) within AWS's limits."""
    for derived in naming.derived_names(config):
        if len(derived.name) > derived.limit:
            yield (
                derived.key,
                f"the {derived.what} name '{derived.name}' (name_prefix + name) is {len(derived.name)} "
                f"characters; AWS allows at most {derived.limit}: shorten the name or name_prefix",
            )


def _family_training_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Every family says how it trains in a stack that trains, with a framework and instances
    offered in the region."""
    for index, family in enumerate(config.models):
        training = family.training
        if training is None:
            if config.training.enabled:
                yield (
                    f"models[{index}].training",
                    "missing: this stack trains (training.enabled), so each model family says how: its "
                    "code folder, framework, label, problem type and metrics (see models/README.md)",
                )
            continue
        for problem in framework_problems(
            training.framework.name, training.framework.version, training.framework.py_version, config.region
        ):
            yield f"models[{index}].training.framework", problem
        for key in ("training_instance_type", "processing_instance_type"):
            for problem in instance_problems(
                training.framework.name, training.framework.version, getattr(training, key)
            ):
                yield f"models[{index}].training.{key}", problem


def _promotion_metric_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Every trained family's promotion metric is one its evaluation reports."""
    for index, family in enumerate(config.models):
        training = family.training
        if training is not None and family.promotion.metric_name not in training.metrics:
            yield (
                f"models[{index}].promotion.metric",
                f"'{family.promotion.metric}' is not in the evaluation report: the family's evaluation "
                f"reports {listed(training.metrics)} (models[{index}].training.metrics)",
            )


def _model_card_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Where versions need a model card: one the pipeline can create, and each family's content."""
    if (
        config.model_registry.require_model_card
        and config.model_registry.approval == "auto"
        and config.trains_models
    ):
        yield (
            "model_registry.require_model_card",
            "versions the training pipeline approves itself (model_registry.approval: auto) get no model "
            "card, so none could be deployed: set model_registry.approval: manual (pipelines.promotion "
            "approves and creates the card) or require_model_card: false",
        )
    if config.model_registry.require_model_card:
        for index, family in enumerate(config.models):
            if family.model_card is None:
                yield (
                    f"models[{index}].model_card",
                    "missing: this stack deploys only versions with a model card "
                    "(model_registry.require_model_card, on by default in staging and prod), whose intended "
                    "use and risk rating come from here: set {intended_use: ..., risk_rating: High|Medium|Low|Unknown}",
                )
