"""Training: a pipeline per model family and what starts it (schedule, new data, drift)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pulumi

from components.data.feature_query_workgroup import FeatureQueryWorkgroup
from components.data.feature_store import FeatureStore
from components.experiments.experiment_tracking import ExperimentTracking
from components.observability.alert_topic import AlertTopic
from components.observability.endpoint_alarms import drift_alarm_name
from components.observability.model_quality_alarms import quality_alarm_name
from components.observability.model_quality_spec import promotion_bar_problem
from components.output_text import concat
from components.registry.model_registry import ModelRegistry
from components.serving.inference_endpoint_spec import EndpointSpec
from components.training.evidently import drift_report_alarm_name
from components.training.pipeline_triggers import NewDataSource, PipelineTriggers, PipelineTriggersArgs
from components.training.training_pipeline import (
    PipelineEvidently,
    PipelineExperimentTracking,
    PipelineFeatureInput,
    TrainingPipeline,
    TrainingPipelineArgs,
    training_data_prefix,
)
from stacks import naming
from stacks.composition.batch_scoring import batch_pipeline_name
from stacks.composition.foundation import Foundation
from stacks.composition.observability import drift_features, quality_alarm_family
from stacks.composition.serving import model_family_of
from stacks.config import PLATFORM_TAG_KEYS, ModelFamilyConfig, PlatformConfig
from stacks.defaults import REQUIRED_TAG_KEYS
from stacks.provenance import platform_commit
from stacks.resolution import Serving
from stacks.serving_builds import inference_instance_type


def build_training_pipelines(
    config: PlatformConfig,
    foundation: Foundation,
    registry: ModelRegistry | None,
    opts: pulumi.ResourceOptions,
    experiment_tracking: ExperimentTracking | None = None,
    feature_store: FeatureStore | None = None,
    feature_queries: FeatureQueryWorkgroup | None = None,
) -> dict[str, TrainingPipeline]:
    if not config.trains_models or registry is None:
        return {}
    network = foundation.network
    group_names = registry.model_package_group_names
    # Every execution is logged to the stack's MLflow server, by a step with its own role.
    role = foundation.tracking_job_role
    tracking = (
        PipelineExperimentTracking(
            tracking_server_arn=experiment_tracking.tracking_server_arn, role_arn=role.role_arn
        )
        if experiment_tracking is not None and role is not None
        else None
    )
    for family in config.models:
        _warn_of_dependency_files(family)
        _warn_of_promotion_bar(family)
    return {
        family.name: TrainingPipeline(
            f"training-{family.name}",
            TrainingPipelineArgs(
                family=family.name,
                pipeline_name=naming.training_pipeline_name(config.model_package_group(family.name)),
                # Present for every family of a stack that trains (stacks.config checks it).
                spec=family.training,
                promotion=family.promotion,
                approval_status=registry.default_approval_status,
                account_id=config.account_id,
                region=config.region,
                datasets_bucket_name=foundation.datasets.bucket_name,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                kms_key_arn=foundation.data_key.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                execution_role_arn=foundation.training_role.role_arn,
                pipeline_role_arn=foundation.pipeline_role.role_arn,
                # From the registry's output, so the pipeline is created after its group exists.
                model_package_group_name=group_names.apply(_nth(index)),
                tags=config.resource_tags,
                max_parallel_steps=config.training.max_parallel_steps,
                experiment_tracking=tracking,
                feature_input=feature_input(config, family.name, foundation, feature_store, feature_queries),
                evidently=_evidently(family, foundation),
                platform_commit=platform_commit(),
                object_tag_keys=(*PLATFORM_TAG_KEYS, *REQUIRED_TAG_KEYS),
                model_monitor_baselines=config.computes_model_monitor_baselines,
                # The registered image's build (CPU or GPU) is that of the family's serving here.
                inference_instance_type=inference_instance_type(config, family),
            ),
            opts,
        )
        for index, family in enumerate(config.models)
        if family.training is not None
    }


def _warn_of_promotion_bar(family: ModelFamilyConfig) -> None:
    """A promotion bar on a metric of a well-known name that promotes the worse versions, none or
    all (``promotion_bar_problem``): said, not refused, as the family's evaluation defines its metrics."""
    bar = family.promotion
    problem = promotion_bar_problem(bar.metric_name, bar.direction, bar.threshold)
    if problem is not None:
        pulumi.log.warn(f"model family {family.name}: promotion on {bar.metric}: {problem}")


def _warn_of_dependency_files(family: ModelFamilyConfig) -> None:
    """A family's ``requirements*.txt`` installs nothing: each job runs its script alone on the
    framework's image (models/README.md, The contract), where SageMaker's own script mode would
    install one beside the script. Said, so a family relying on one learns it from the plan."""
    if family.training is None:
        return
    folder = Path(family.training.code)
    try:
        found = sorted(path.name for path in folder.glob("requirements*.txt") if path.is_file())
    except OSError:
        return  # the folder was checked when the stack file was read
    if found:
        pulumi.log.warn(
            f"model family {family.name}: {', '.join(found)} in {family.training.code} "
            f"install{'s' if len(found) == 1 else ''} nothing: "
            "each step runs its script alone on the framework's image, so a script imports only what the "
            "image has (models/README.md, The contract)"
        )


def _nth(index: int) -> Callable[[list[str]], str]:
    """What picks a family's group name out of the registry's list of them (one per family)."""
    return lambda names: names[index]


def _evidently(family: ModelFamilyConfig, foundation: Foundation) -> PipelineEvidently | None:
    """The family's Evidently report in its training pipeline (the stack's image repository and
    publisher role exist wherever a family has ``evidently``)."""
    repository, role = foundation.evidently_repository, foundation.drift_metrics_role
    if family.evidently is None or repository is None or role is None:
        return None
    return PipelineEvidently(
        spec=family.evidently,
        image_uri=concat(repository.repository_url, ":", family.evidently.image_tag),
        publisher_role_arn=role.role_arn,
    )


def build_pipeline_triggers(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    pipelines: dict[str, TrainingPipeline],
    opts: pulumi.ResourceOptions,
    batch_scored: Sequence[str] = (),
    alerts: AlertTopic | None = None,
) -> dict[str, PipelineTriggers]:
    training = config.training
    drift_alarms = drift_alarms_by_family(config, serving.monitored, batch_scored, serving.live_drift)
    if not (training.schedule or training.new_data.enabled or drift_alarms):
        return {}
    return {
        family: PipelineTriggers(
            f"triggers-{family}",
            PipelineTriggersArgs(
                pipeline_name=pipeline.pipeline_name,
                pipeline_arn=pipeline.pipeline_arn,
                account_id=config.account_id,
                region=config.region,
                role_path=config.role_path,
                tags=config.resource_tags,
                schedule=training.schedule,
                new_data=(
                    NewDataSource(
                        bucket_name=foundation.datasets.bucket_name,
                        prefix=training_data_prefix(family),
                        batching_window_seconds=training.new_data.batching_window_seconds,
                        queue_kms_key_arn=foundation.notifications_key.key_arn,
                    )
                    if training.new_data.enabled
                    else None
                ),
                drift_alarm_names=drift_alarms.get(family, []),
                retraining_cooldown_seconds=training.retraining_cooldown_hours * 3600,
                alarm_topic_arn=alerts.topic_arn if alerts else None,
            ),
            opts,
        )
        for family, pipeline in pipelines.items()
    }


def drift_alarms_by_family(
    config: PlatformConfig,
    monitored: list[EndpointSpec],
    batch_scored: Sequence[str] = (),
    live_drift: Sequence[EndpointSpec] = (),
) -> dict[str, list[str]]:
    """Drift and model-quality alarm names per model family (of the endpoints serving it), for the
    families that retrain on drift: a quality drop starts the same run as drift does."""
    if not (config.training.drift_retraining and config.training.enabled):
        return {}
    families = {model.name for model in config.models}
    alarms: dict[str, list[str]] = {}
    # By the family an endpoint follows, not the one it is monitored as: an endpoint following another
    # account's group (its ``model.family`` naming a family of this stack) serves that group's
    # versions, which this stack's training never registers, so its alarms page and retrain nothing.
    for spec in monitored:
        family = model_family_of(spec)
        if family not in families:
            continue
        endpoint_name = config.endpoint_name(spec.name)
        if drift_features(config, spec):
            alarms.setdefault(family, []).append(drift_alarm_name(endpoint_name))
        quality = quality_alarm_family(config, spec)
        if quality is not None:
            names = [quality_alarm_name(endpoint_name, metric) for metric in quality.quality_alarms]
            alarms.setdefault(family, []).extend(names)
    # Drift in an endpoint's captured traffic found by its Evidently live-drift pipeline.
    for spec in live_drift:
        family = model_family_of(spec)
        if family in families:
            pipeline = naming.live_drift_pipeline_name(config.endpoint_name(spec.name))
            alarms.setdefault(family, []).append(drift_report_alarm_name(pipeline))
    # Drift in what a family's batch scoring reads (its Evidently report): the served model's data
    # has moved. Only where batch scoring runs (``batch_scored``: not deferred), so its alarm exists.
    for model in config.models:
        if model.evidently is not None and model.name in batch_scored:
            alarms.setdefault(model.name, []).append(
                drift_report_alarm_name(batch_pipeline_name(config, model.name))
            )
    return alarms


def feature_input(
    config: PlatformConfig,
    family: str,
    foundation: Foundation,
    feature_store: FeatureStore | None,
    feature_queries: FeatureQueryWorkgroup | None,
) -> PipelineFeatureInput | None:
    """How the family's pipeline reads its feature group, where ``training.data`` names one: the
    group's name from the feature store's output (so the pipeline is created after the group)."""
    spec = next(model for model in config.models if model.name == family).training
    if spec is None or spec.data is None:
        return None
    role = foundation.feature_extraction_role
    # stacks.config checks the group is this stack's; then the store, workgroup and role exist.
    assert feature_store is not None and feature_queries is not None and role is not None
    index = next(i for i, group in enumerate(config.feature_groups) if group.name == spec.data.feature_group)
    return PipelineFeatureInput(
        feature_group_name=feature_store.feature_group_names.apply(lambda names: names[index]),
        workgroup=feature_queries.workgroup_name,
        role_arn=role.role_arn,
    )
