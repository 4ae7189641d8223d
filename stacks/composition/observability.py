"""Observability: the alert topic, monitors, alarms and the dashboard of the endpoints served."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from components.observability.alert_topic import AlertTopic, AlertTopicArgs
from components.observability.cost_guardrails import CostGuardrails, CostGuardrailsArgs
from components.observability.drift_report_alarm import DriftReportAlarm, DriftReportAlarmArgs
from components.observability.endpoint_alarms import (
    EndpointAlarms,
    EndpointAlarmsArgs,
    VariantAlarms,
)
from components.observability.explainability_config import read_template
from components.observability.failure_alerts import FailureAlerts, FailureAlertsArgs
from components.observability.live_drift import LiveDrift, LiveDriftArgs
from components.observability.model_monitoring import (
    JobPlacement,
    ModelMonitoring,
    ModelMonitoringArgs,
    MonitoringBaselines,
)
from components.observability.model_quality_alarms import ModelQualityAlarms, ModelQualityAlarmsArgs
from components.observability.monitoring_dashboard import (
    DashboardEndpoint,
    DashboardVariant,
    MonitoringDashboard,
    MonitoringDashboardArgs,
)
from components.observability.monitoring_spec import baseline_prefix
from components.output_text import concat
from components.serving.inference_endpoint import InferenceEndpoint
from components.serving.inference_endpoint_spec import EndpointSpec
from components.training.retraining_gate import gate_name
from components.training.training_pipeline import TrainingPipeline
from stacks import naming
from stacks.composition.batch_scoring import batch_pipeline_name
from stacks.composition.foundation import Foundation, native_provider
from stacks.composition.serving import model_family_of, model_group_of
from stacks.config import PLATFORM_TAG_KEYS, PlatformConfig, monitored_family_of
from stacks.defaults import REQUIRED_TAG_KEYS
from stacks.model_packages import ModelResolutionError
from stacks.resolution import ResolvedPackages, Serving

if TYPE_CHECKING:
    from components.observability.model_quality_monitoring import ModelQualityMonitoring
    from components.observability.model_quality_spec import ModelQualitySpec
    from components.serving.batch_scoring import BatchScoring
    from components.training.definition import ProblemType
    from stacks.config import ModelFamilyConfig


def build_alerts(
    config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions
) -> AlertTopic | None:
    """The alert topic of every stack that trains or serves (endpoints, shared endpoints, Kubernetes
    servings alerting to SNS) or sets a budget; a plan warning where it pages no one. The endpoints
    and shared endpoints are built only with it (their rollback alarms notify it)."""
    if not (
        config.endpoints
        or config.shared_endpoints
        or config.trains_models
        or config.kubernetes_alerts_to_sns
        or config.budget.enabled
    ):
        return None
    if not config.alerts.subscriptions:
        pulumi.log.warn(NO_SUBSCRIBERS)
    return AlertTopic(
        "alerts",
        AlertTopicArgs(
            account_id=config.account_id,
            kms_key_arn=foundation.notifications_key.key_arn,
            subscriptions=config.alerts.subscriptions,
            tags=config.resource_tags,
            cost_alerts=config.budget.enabled,
        ),
        opts,
    )


NO_SUBSCRIBERS = (
    "alerts.subscriptions is empty: failed pipelines, jobs, monitors and endpoint rollbacks, and "
    "every alarm, reach no one: add an e-mail address or an https endpoint (docs/monitoring.md)."
)


def build_cost_guardrails(
    config: PlatformConfig, alerts: AlertTopic | None, opts: pulumi.ResourceOptions
) -> CostGuardrails | None:
    """The stack's budget and cost anomaly monitor on its ``stack`` tag, paging the alert topic.

    The limit is ``budget.monthly_limit_usd``, never computed here: the estimate it is checked
    against comes from the offline plan's record of the whole stack and its price table, which a
    real `pulumi up` neither has nor should load, and a limit that followed the estimate would rise
    with every capacity change instead of bounding it. Unset, the plan suggests one (its maximum
    estimate plus ``margin_percent``) and the stack gets the anomaly monitor alone, with a warning.
    """
    spec = config.budget
    if not spec.enabled or alerts is None:
        return None
    if spec.monthly_limit_usd is None:
        pulumi.log.warn(NO_BUDGET_LIMIT)
    stack_tag = "stack"
    return CostGuardrails(
        "cost-guardrails",
        CostGuardrailsArgs(
            account_id=config.account_id,
            name_prefix=config.name_prefix,
            scope_tag=(stack_tag, config.resource_tags[stack_tag]),
            topic_arn=alerts.topic_arn,
            monthly_limit_usd=spec.monthly_limit_usd,
            actual_thresholds_percent=spec.actual_thresholds_percent,
            forecast_thresholds_percent=spec.forecast_thresholds_percent,
            anomaly_threshold_usd=spec.anomaly_threshold_usd,
            activate_tag_keys=list(config.resource_tags) if spec.activate_cost_allocation_tags else [],
            tags=config.resource_tags,
            # The topic's policy lets Budgets publish: in place before the budget.
            publish_permission=[alerts.topic_policy],
        ),
        opts,
    )


NO_BUDGET_LIMIT = (
    "budget.monthly_limit_usd is not set: no budget is created (the cost anomaly monitor runs): set it "
    "from the limit the plan suggests beside its cost estimate (docs/cost.md, Budgets)."
)


def build_failure_alerts(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    pipelines: Mapping[str, TrainingPipeline],
    opts: pulumi.ResourceOptions,
    retrained_families: Sequence[str] = (),
    batch_scoring: Mapping[str, BatchScoring] | None = None,
    live_drift: Sequence[str] = (),
) -> FailureAlerts | None:
    """Pipeline, job and monitor failures, endpoint rollbacks, rejected model versions and alarms
    that could not start retraining (``retrained_families``: those with a retraining gate) of this
    stack page the alert topic; so do failed runs of the ``batch_scoring`` pipelines (by family)
    and failed transform jobs of their models, and failed runs of the endpoints' live-drift
    pipelines (``live_drift``: endpoint names)."""
    if alerts is None:
        return None
    batch_scoring = batch_scoring or {}
    return FailureAlerts(
        "failure-alerts",
        FailureAlertsArgs(
            topic_arn=alerts.topic_arn,
            region=config.region,
            account_id=config.account_id,
            role_path=config.role_path,
            pipeline_names=[
                *(naming.training_pipeline_name(config.model_package_group(family)) for family in pipelines),
                *(batch_pipeline_name(config, family) for family in batch_scoring),
                *(naming.live_drift_pipeline_name(config.endpoint_name(name)) for name in live_drift),
            ],
            # A shared endpoint is an endpoint too: an update of its instances can fail or roll back.
            endpoint_names=[
                config.endpoint_name(name)
                for name in (
                    *(spec.name for spec in config.endpoints),
                    *(spec.name for spec in config.shared_endpoints),
                )
            ],
            model_package_group_names=[config.physical_name(model.name) for model in config.models],
            retraining_gate_names=[
                gate_name(naming.training_pipeline_name(config.model_package_group(family)))
                for family in retrained_families
            ],
            transform_model_names=[scoring.model_name for scoring in batch_scoring.values()],
            tags=config.resource_tags,
        ),
        opts,
    )


def served_baselines(
    config: PlatformConfig, spec: EndpointSpec, packages: ResolvedPackages
) -> MonitoringBaselines:
    """What an endpoint's monitors compare with: the baselines its first production variant's
    model version (latest approved or pinned; of this account's registry or a producer's that
    shares them) registered. Otherwise (an image, a version registered without baselines) those a
    team puts in ``baselines/<group>/``: the family's model package group's folder, or for an
    endpoint that follows no family, ``<name_prefix>-<endpoint name>``.

    The champion's (first production variant's) and not each variant's: Model Monitor watches an
    endpoint's captured traffic as a whole, one schedule per endpoint and type; challengers and a
    shadow are judged by their own variant metrics (docs/monitoring.md, 'A/B and shadow variants')."""
    family_folder = baseline_prefix(model_group_of(config, spec))
    family = spec.variants[0].model.latest_approved_of
    trained_here = any(f.name == family and f.training is not None for f in config.models)
    if config.trains_models and trained_here and not config.computes_model_monitor_baselines:
        pulumi.log.warn(
            f"endpoint {spec.name}: its Model Monitor jobs compare with the baselines of the version it "
            f"serves, and this stack's training of {family} registers none "
            "(training.model_monitor_baselines: false): a version registered from now on is monitored "
            f"against s3://<artifact bucket>/{family_folder} (put its baselines there), or set "
            "training.model_monitor_baselines: true"
        )
    resolved = packages.get(spec.name, {}).get(spec.variants[0].name)
    if resolved is not None and resolved.unusable_baselines:
        raise ModelResolutionError(f"endpoint {spec.name} monitors {resolved.unusable_baselines}")
    if resolved is not None and resolved.baselines is not None:
        return resolved.baselines
    if resolved is not None:
        pulumi.log.warn(
            f"endpoint {spec.name}: model version {resolved.arn} registered no DriftCheckBaselines; its "
            f"monitors read s3://<artifact bucket>/{family_folder} (put the version's baselines there)"
        )
    return MonitoringBaselines.in_folder(family_folder)


def drift_features(config: PlatformConfig, spec: EndpointSpec) -> list[str]:
    """The features the drift alarm of an endpoint watches: those of the family it is monitored as
    (:meth:`PlatformConfig.drift_features_of`)."""
    return config.drift_features_of(monitored_family_of(spec))


def served_family(config: PlatformConfig, spec: EndpointSpec) -> ModelFamilyConfig | None:
    """The family of this stack an endpoint is monitored as (its first production variant's), by
    name: the one it follows, or for another account's group the one its ``model.family`` names;
    None for such a group without ``family`` (nothing in the stack file says which family its
    versions are), a pinned version or an image."""
    family = monitored_family_of(spec)
    return next((model for model in config.models if model.name == family), None)


def warn_without_drift_alarm(config: PlatformConfig, spec: EndpointSpec) -> None:
    """Say so where a data-quality monitor runs on an endpoint but no drift alarm watches it (no
    features to alarm on): nothing pages on drift, and nothing retrains on it."""
    if drift_features(config, spec):
        return
    family = served_family(config, spec)
    retrains = (
        config.training.enabled
        and config.training.drift_retraining
        and family is not None
        and family.training is not None
        and not model_family_of(spec).startswith("arn:")
    )
    followed = monitored_family_of(spec)
    if family is not None and family.drift_features is not None:
        why = f"model family {followed}'s drift_features is empty"
    elif config.monitoring.drift_features is not None:
        why = "monitoring.drift_features is empty"
    elif followed.startswith("arn:"):
        why = (
            f"it follows another account's group ({followed}), which names no model family of this stack "
            "(name it with the variant's model.family)"
        )
    else:
        why = (
            f"model family {followed} has no feature group to take them from (models[].training.data."
            "feature_group, or a feature_groups entry of its name)"
        )
    pulumi.log.warn(
        f"endpoint {spec.name}: no drift alarm: its data-quality monitor runs, but nothing pages"
        f"{' or retrains' if retrains else ''} on drift, as the alarm watches named features and {why}: "
        "set the family's models[].drift_features or monitoring.drift_features (every monitored "
        "endpoint's; docs/monitoring.md)"
    )


def build_monitors(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    baselines: Mapping[str, MonitoringBaselines],
    opts: pulumi.ResourceOptions,
) -> dict[str, ModelMonitoring]:
    monitors = {}
    for spec in serving.monitored:
        monitors[spec.name] = ModelMonitoring(
            f"monitoring-{spec.name}",
            ModelMonitoringArgs(
                spec=config.monitoring,
                endpoint_name=endpoints[spec.name].endpoint_name,
                endpoint_label=spec.name,
                baselines=baselines[spec.name],
                placement=_monitoring_job_placement(config, foundation),
            ),
            opts,
        )
    return monitors


def build_endpoint_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    serving: Serving,
    monitors: dict[str, ModelMonitoring],
    opts: pulumi.ResourceOptions,
) -> dict[str, EndpointAlarms]:
    """The operational alarms of every endpoint served this run, when monitoring is on; the drift
    alarm only where a data-quality monitor publishes drift (a monitored endpoint). An endpoint that
    captures no traffic (every serverless one) still pages on its 4xx errors, disks, GPUs and lack
    of traffic."""
    if alerts is None or not config.monitoring.enabled:
        return {}
    for spec in serving.endpoints:
        if spec.name in monitors:
            warn_without_drift_alarm(config, spec)
    return {
        spec.name: _endpoint_alarms(config, alerts, spec, monitors.get(spec.name), opts)
        for spec in serving.endpoints
    }


def _endpoint_alarms(
    config: PlatformConfig,
    alerts: AlertTopic,
    spec: EndpointSpec,
    monitor: ModelMonitoring | None,
    opts: pulumi.ResourceOptions,
) -> EndpointAlarms:
    return EndpointAlarms(
        f"alarms-{spec.name}",
        EndpointAlarmsArgs(
            endpoint_name=config.endpoint_name(spec.name),
            variants=[
                *(
                    VariantAlarms(name=v.name, gpus=v.gpus, instance_based=v.serverless is None)
                    for v in spec.variants
                ),
                # A shadow has no rollback alarms (no deployment rolls back on it): its 5xx and
                # p99 latency alarms page from here, on its own VariantName.
                *(
                    VariantAlarms(
                        name=v.name,
                        gpus=v.gpus,
                        instance_based=True,
                        max_5xx_per_minute=spec.deployment.max_5xx_per_minute,
                        latency_p99_slo_ms=spec.deployment.latency_p99_slo_ms,
                    )
                    for v in spec.shadow_variants
                ),
            ],
            thresholds=config.monitoring.alarms,
            alarm_topic_arn=alerts.topic_arn,
            tags=config.resource_tags,
            monitoring_schedule_name=monitor.schedule_name if monitor else None,
            drift_features=drift_features(config, spec) if monitor else (),
            monitoring_schedule=config.monitoring.schedule if monitor else None,
        ),
        opts,
    )


def _monitoring_job_placement(config: PlatformConfig, foundation: Foundation) -> JobPlacement:
    """Where monitoring jobs run and what they may touch: shared by every monitoring component."""
    network = foundation.network
    return JobPlacement(
        account_id=config.account_id,
        region=config.region,
        artifact_bucket_name=foundation.artifacts.bucket_name,
        artifact_bucket_arn=foundation.artifacts.bucket_arn,
        kms_key_arn=foundation.data_key.key_arn,
        subnet_ids=network.private_subnet_ids,
        security_group_ids=[network.workload_security_group_id],
        role_path=config.role_path,
        tags=config.resource_tags,
    )


def build_model_quality_monitors(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    baselines: Mapping[str, MonitoringBaselines],
    opts: pulumi.ResourceOptions,
) -> dict[str, ModelQualityMonitoring]:
    spec = config.monitoring.model_monitors
    monitored = serving.monitored
    if not (spec.kinds and monitored):
        return {}
    from components.observability.model_quality_monitoring import (
        ModelQualityMonitoring,
        ModelQualityMonitoringArgs,
    )

    native = native_provider(config, foundation)
    native_opts = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(providers=[foundation.provider, native])
    )
    return {
        endpoint.name: ModelQualityMonitoring(
            f"model-monitors-{endpoint.name}",
            ModelQualityMonitoringArgs(
                spec=served_monitor_spec(config, endpoint),
                endpoint_name=endpoints[endpoint.name].endpoint_name,
                endpoint_label=endpoint.name,
                job_definition_prefix=config.endpoint_name(endpoint.name),
                model_family=model_group_of(config, endpoint),
                baselines=baselines[endpoint.name],
                schedule=config.monitoring.schedule,
                instance_type=config.monitoring.instance_type,
                max_runtime_seconds=config.monitoring.max_runtime_seconds,
                placement=_monitoring_job_placement(config, foundation),
                # Clarify's shadow endpoint runs the model the endpoint serves (its first production
                # variant's, whose family it is monitored as): rewritten at each deploy.
                model_name=endpoints[endpoint.name].model_names[endpoint.variants[0].name],
                explainability_template=explainability_template(config, endpoint),
                object_tag_keys=(*PLATFORM_TAG_KEYS, *REQUIRED_TAG_KEYS),
            ),
            native_opts,
        )
        for endpoint in monitored
    }


def explainability_template(config: PlatformConfig, spec: EndpointSpec) -> dict[str, Any] | None:
    """The analysis config template of the family an endpoint with an explainability monitor is
    monitored as (``models[].explainability_config``, checked when the stack file was read); None
    without that monitor."""
    if not config.monitoring.model_monitors.explainability:
        return None
    family = served_family(config, spec)
    # stacks.config refuses an explainability monitor on an endpoint without one.
    assert family is not None and family.explainability_config is not None
    return read_template(Path(family.explainability_config))


def served_problem_type(config: PlatformConfig, spec: EndpointSpec) -> ProblemType:
    """The problem type an endpoint's model-quality monitor, alarms and dashboard read: the served
    family's ``training.problem_type`` where it trains in this stack (its pipeline computed the
    baseline as that), else ``monitoring.model_monitors.problem_type`` (a family trained elsewhere,
    a pinned version, an image)."""
    model = served_family(config, spec)
    if model is not None and model.training is not None:
        return model.training.problem_type
    return config.monitoring.model_monitors.problem_type


def served_monitor_spec(config: PlatformConfig, spec: EndpointSpec) -> ModelQualitySpec:
    """``monitoring.model_monitors`` for one endpoint: with the served family's problem type, so a
    stack serving a classifier and a regressor monitors each as what it is (the probability
    attribute only where the served model is a binary classifier)."""
    monitors = config.monitoring.model_monitors
    problem_type = served_problem_type(config, spec)
    if problem_type == monitors.problem_type:
        return monitors
    # The attributes say where one type's prediction is (stacks.config refuses them set for a stack
    # serving several types): another type reads its defaults, never the other's attribute.
    return monitors.model_copy(
        update={"problem_type": problem_type, "inference_attribute": None, "probability_attribute": None}
    )


def quality_alarm_family(config: PlatformConfig, spec: EndpointSpec) -> ModelFamilyConfig | None:
    """The family whose ``quality_alarms`` watch an endpoint: the one it serves, when it sets any and a
    model-quality monitor runs (stacks.config refuses thresholds without one)."""
    model = served_family(config, spec)
    if model is None or not model.quality_alarms or not config.monitoring.model_monitors.model_quality:
        return None
    return model


def build_model_quality_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    serving: Serving,
    quality_monitors: dict[str, ModelQualityMonitoring],
    opts: pulumi.ResourceOptions,
) -> dict[str, ModelQualityAlarms]:
    """An alarm per ``models[].quality_alarms`` metric on each monitored endpoint serving the family."""
    alarms = {}
    for spec in serving.monitored:
        family = quality_alarm_family(config, spec)
        monitor = quality_monitors.get(spec.name)
        schedule = monitor.model_quality_schedule_name if monitor else None
        if alerts is None or family is None or schedule is None:
            continue
        alarms[spec.name] = ModelQualityAlarms(
            f"quality-alarms-{spec.name}",
            ModelQualityAlarmsArgs(
                endpoint_name=config.endpoint_name(spec.name),
                monitoring_schedule_name=schedule,
                schedule=config.monitoring.schedule,
                problem_type=served_problem_type(config, spec),
                thresholds=family.quality_alarms,
                alarm_topic_arn=alerts.topic_arn,
                tags=config.resource_tags,
            ),
            opts,
        )
    return alarms


def build_drift_report_alarms(
    config: PlatformConfig,
    alerts: AlertTopic | None,
    pipelines: Mapping[str, TrainingPipeline],
    batch_scored: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> dict[str, DriftReportAlarm]:
    """An alarm on each Evidently report (``models[].evidently``) of a training pipeline and of a
    batch-scoring pipeline (families in ``batch_scored``), to the alert topic.

    The training one pages only: the drift is in the data the run trains on, so retraining would
    not answer it. The batch one also retrains where ``training.drift_retraining`` is on (its name
    is among the family's drift alarms, see ``stacks.composition.training``)."""
    if alerts is None:
        return {}
    alarms = {}
    for family in config.models:
        if family.evidently is None:
            continue
        runs = [
            *([("training", naming.training_pipeline_name(config.model_package_group(family.name)))]
              if family.name in pipelines else []),
            *([("batch-scoring", batch_pipeline_name(config, family.name))] if family.name in batch_scored else []),
        ]  # fmt: skip
        for kind, pipeline_name in runs:
            alarms[f"{kind}/{family.name}"] = DriftReportAlarm(
                f"evidently-{kind}-{family.name}",
                DriftReportAlarmArgs(
                    pipeline_name=pipeline_name,
                    family=family.name,
                    pipeline_kind=kind,
                    drift_share=family.evidently.drift_share,
                    alarm_topic_arn=alerts.topic_arn,
                    tags=config.resource_tags,
                ),
                opts,
            )
    return alarms


DEFAULT_QUALITY_METRIC = {
    "BinaryClassification": "auc",
    "MulticlassClassification": "accuracy",
    "Regression": "rmse",
}
"""The model-quality metric graphed where the served family names none in ``quality_alarms``."""


def dashboard_quality_metrics(config: PlatformConfig, spec: EndpointSpec) -> list[str]:
    """The model-quality metrics an endpoint's dashboard graphs: those the served family alarms on,
    else the problem type's headline metric."""
    family = quality_alarm_family(config, spec)
    if family is not None:
        return list(family.quality_alarms)
    return [DEFAULT_QUALITY_METRIC[served_problem_type(config, spec)]]


def build_dashboard(
    config: PlatformConfig,
    serving: Serving,
    monitors: dict[str, ModelMonitoring],
    opts: pulumi.ResourceOptions,
    quality_monitors: Mapping[str, ModelQualityMonitoring] | None = None,
    live_drift: Mapping[str, LiveDrift] | None = None,
) -> MonitoringDashboard | None:
    """A row per endpoint served that captures traffic while monitoring is on, with the drift its
    Model Monitor schedule or its Evidently pipeline measures (either, both or neither)."""
    endpoints = (
        [spec for spec in serving.endpoints if spec.data_capture.enabled] if config.monitoring.enabled else []
    )
    quality = quality_monitors or {}
    live = live_drift or {}
    if not endpoints:
        return None
    return MonitoringDashboard(
        "dashboard",
        MonitoringDashboardArgs(
            dashboard_name=naming.dashboard_name(config.name_prefix),
            region=config.region,
            endpoints=[
                DashboardEndpoint(
                    name=config.endpoint_name(spec.name),
                    latency_slo_ms=spec.deployment.latency_p99_slo_ms,
                    monitoring_schedule_name=monitors[spec.name].schedule_name
                    if spec.name in monitors
                    else None,
                    drift_features=drift_features(config, spec),
                    model_quality_schedule_name=(
                        quality[spec.name].model_quality_schedule_name if spec.name in quality else None
                    ),
                    model_quality_metrics=dashboard_quality_metrics(config, spec),
                    live_drift=(
                        (monitored_family_of(spec), live[spec.name].pipeline_kind)
                        if spec.name in live
                        else None
                    ),
                    variants=[
                        DashboardVariant(
                            name=v.name,
                            gpu=v.is_gpu,
                            min_capacity=v.scaling.min_capacity if v.scaling else None,
                            max_capacity=v.scaling.max_capacity if v.scaling else None,
                            invocations_target=v.scaling.invocations_per_instance if v.scaling else None,
                            role="champion" if position == 0 else "challenger",
                        )
                        for position, v in enumerate(spec.variants)
                    ]
                    + [
                        DashboardVariant(name=v.name, gpu=v.is_gpu, role="shadow")
                        for v in spec.shadow_variants
                    ],
                )
                for spec in endpoints
            ],
        ),
        opts,
    )


@dataclass(frozen=True)
class Observability:
    """What watches the endpoints served this run, per endpoint name."""

    monitors: dict[str, ModelMonitoring]
    """Per monitored endpoint (monitoring on, traffic captured)."""
    endpoint_alarms: dict[str, EndpointAlarms]
    """Per endpoint served, when monitoring is on."""
    model_quality_monitors: dict[str, ModelQualityMonitoring]
    """Where model-quality, bias or explainability monitors are on."""
    model_quality_alarms: dict[str, ModelQualityAlarms]
    """Where the served family sets ``quality_alarms``."""
    dashboard: MonitoringDashboard | None
    live_drift: dict[str, LiveDrift] = field(default_factory=dict)
    """Per endpoint with ``monitoring.evidently`` (traffic captured): its Evidently pipeline and alarm."""


def build_observability(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    opts: pulumi.ResourceOptions,
) -> Observability:
    """Monitors compare each endpoint's traffic with the baselines of the version it serves; alarms
    and the dashboard watch them."""
    baselines = {spec.name: served_baselines(config, spec, serving.packages) for spec in serving.monitored}
    monitors = build_monitors(config, foundation, serving, endpoints, baselines, opts)
    quality_monitors = build_model_quality_monitors(config, foundation, serving, endpoints, baselines, opts)
    live_drift = build_live_drift(config, foundation, alerts, serving, endpoints, opts)
    return Observability(
        monitors=monitors,
        endpoint_alarms=build_endpoint_alarms(config, alerts, serving, monitors, opts),
        model_quality_monitors=quality_monitors,
        model_quality_alarms=build_model_quality_alarms(config, alerts, serving, quality_monitors, opts),
        dashboard=build_dashboard(config, serving, monitors, opts, quality_monitors, live_drift),
        live_drift=live_drift,
    )


def build_live_drift(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    endpoints: Mapping[str, InferenceEndpoint],
    opts: pulumi.ResourceOptions,
) -> dict[str, LiveDrift]:
    """An Evidently live-drift pipeline per endpoint served with ``monitoring.evidently``: its
    traffic against the reference of the family its first variant follows (the config checks
    that family has ``evidently``), on the monitoring schedule; its alarm pages the alert topic."""
    repository, publisher = foundation.evidently_repository, foundation.drift_metrics_role
    if alerts is None or repository is None or publisher is None:
        return {}
    families = {family.name: family for family in config.models}
    found = {}
    for spec in serving.live_drift:
        family = families[monitored_family_of(spec)]
        evidently = family.evidently
        if evidently is None:  # refused by the stack file's checks
            raise ValueError(f"endpoint {spec.name}: model family {family.name} has no evidently")
        found[spec.name] = LiveDrift(
            f"live-drift-{spec.name}",
            LiveDriftArgs(
                endpoint=spec.name,
                endpoint_name=endpoints[spec.name].endpoint_name,
                variants=[variant.name for variant in spec.variants],
                family=family.name,
                pipeline_name=naming.live_drift_pipeline_name(config.endpoint_name(spec.name)),
                schedule=config.monitoring.schedule,
                evidently=evidently,
                image_uri=concat(repository.repository_url, ":", evidently.image_tag),
                publisher_role_arn=publisher.role_arn,
                region=config.region,
                account_id=config.account_id,
                role_path=config.role_path,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                datasets_bucket_name=foundation.datasets.bucket_name,
                datasets_bucket_arn=foundation.datasets.bucket_arn,
                kms_key_arn=foundation.data_key.key_arn,
                subnet_ids=foundation.network.private_subnet_ids,
                security_group_ids=[foundation.network.workload_security_group_id],
                alarm_topic_arn=alerts.topic_arn,
                tags=config.resource_tags,
                object_tag_keys=(*PLATFORM_TAG_KEYS, *REQUIRED_TAG_KEYS),
            ),
            opts,
        )
    return found
