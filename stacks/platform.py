"""The composition: the only module that knows every component and wires them together.

``build_platform`` turns a validated :class:`~stacks.config.PlatformConfig` into resources, area by
area (``stacks/composition/``), in the order the architecture reads: foundation, data, registry
and training, serving, observability, Kubernetes. It reads no Pulumi config and no environment of
its own; environment differences arrive through the config (whose defaults come from
``stacks.defaults``), never through ``if environment == ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.data.dvc_remote import SSE as DVC_SSE
from components.data.dvc_remote import DvcRemote
from components.data.feature_store import FeatureStore
from components.experiments.experiment_tracking import ExperimentTracking
from components.observability.alert_topic import AlertTopic
from components.observability.cost_guardrails import CostGuardrails
from components.observability.drift_report_alarm import DriftReportAlarm
from components.observability.endpoint_alarms import (
    EndpointAlarms,
)
from components.observability.failure_alerts import FailureAlerts
from components.observability.live_drift import LiveDrift
from components.observability.model_monitoring import (
    ModelMonitoring,
)
from components.observability.monitoring_dashboard import (
    MonitoringDashboard,
)
from components.registry.approval_dispatch import ApprovalDispatch
from components.registry.model_registry import ModelRegistry
from components.serving.batch_scoring import BatchScoring
from components.serving.inference_endpoint import InferenceEndpoint
from components.training.pipeline_triggers import PipelineTriggers
from components.training.training_pipeline import TrainingPipeline
from stacks.composition.batch_scoring import build_batch_scoring, resolve_batch_scoring
from stacks.composition.data import build_dvc_remote, build_feature_query_workgroup, build_feature_store
from stacks.composition.experiments import build_experiment_tracking
from stacks.composition.foundation import Foundation, build_foundation
from stacks.composition.kubernetes import build_kubernetes_servings
from stacks.composition.observability import (
    build_alerts,
    build_cost_guardrails,
    build_drift_report_alarms,
    build_failure_alerts,
    build_observability,
)
from stacks.composition.registry import build_approval_dispatch, build_model_registry
from stacks.composition.serving import build_endpoints
from stacks.composition.training import build_pipeline_triggers, build_training_pipelines
from stacks.config import PlatformConfig
from stacks.model_packages import (
    DeployedLookup,
    ModelPackageResolver,
    nothing_deployed,
)
from stacks.resolution import resolve_serving

if TYPE_CHECKING:
    from components.kubernetes.kubernetes_serving import KubernetesServing
    from components.observability.model_quality_monitoring import ModelQualityMonitoring
    from components.serving.shared_endpoint import SharedEndpoint


@dataclass(frozen=True)
class Platform:
    """Everything the stack built; optional capabilities are None where the config leaves them out."""

    foundation: Foundation
    feature_store: FeatureStore | None
    dvc_remote: DvcRemote | None
    """The DVC remote's role and policy, where ``dvc_remote.enabled``."""
    model_registry: ModelRegistry | None
    approval_dispatch: ApprovalDispatch | None
    """Approvals → the deploy workflow, where ``delivery.approval_dispatch`` asks for it."""
    experiment_tracking: ExperimentTracking | None
    training_pipelines: dict[str, TrainingPipeline]
    """Per model family."""
    pipeline_triggers: dict[str, PipelineTriggers]
    """Per model family, where any trigger is configured."""
    alerts: AlertTopic | None
    failure_alerts: FailureAlerts | None
    """EventBridge rules paging the alert topic on failed pipelines, jobs, monitors and endpoint updates."""
    cost_guardrails: CostGuardrails | None
    """The stack's budget and cost anomaly monitor, where ``budget.enabled``."""
    endpoints: dict[str, InferenceEndpoint]
    """Per endpoint name, for the endpoints served this run."""
    shared_endpoints: dict[str, SharedEndpoint]
    """Per shared endpoint name (inference components), for those served this run."""
    deferred_endpoints: dict[str, str]
    """Endpoint name → why it waits for a first approved version (see stacks.resolution)."""
    monitors: dict[str, ModelMonitoring]
    """Per monitored endpoint name."""
    endpoint_alarms: dict[str, EndpointAlarms]
    """Per endpoint name served this run, when ``monitoring.enabled`` (drift alarms on the monitored
    ones only)."""
    model_quality_monitors: dict[str, ModelQualityMonitoring]
    """Per monitored endpoint name, where model-quality, bias or explainability monitors are on."""
    dashboard: MonitoringDashboard | None
    kubernetes_servings: dict[str, KubernetesServing]
    """Per ``<namespace>/<name>``."""
    batch_scoring: dict[str, BatchScoring] = field(default_factory=dict)
    """Per model family with ``batch_scoring`` and a version to score with."""
    drift_report_alarms: dict[str, DriftReportAlarm] = field(default_factory=dict)
    """Per ``<training|batch-scoring>/<family>`` with ``evidently``: the alarm on its report's drift."""
    live_drift: dict[str, LiveDrift] = field(default_factory=dict)
    """Per endpoint with ``monitoring.evidently``: its Evidently live-drift pipeline and alarm."""
    deferred_batch_scoring: dict[str, str] = field(default_factory=dict)
    """Model family → why its batch scoring waits for a first approved version."""


def build_platform(
    config: PlatformConfig,
    resolve_model_package: ModelPackageResolver,
    kubeconfig: pulumi.Input[str] | None = None,
    deployed: DeployedLookup = nothing_deployed,
    approval_dispatch_token: pulumi.Input[str] | None = None,
) -> Platform:
    """Register every resource of the platform described by ``config``.

    ``resolve_model_package`` turns each registry-backed variant's source (``latest_approved_of``, or a
    pinned ``model_package_arn``) into the version to deploy with its baselines and artifacts (the
    live registry under `pulumi preview`/`up`, a stand-in offline); ``deployed`` says what an
    endpoint serves now, so that an endpoint with nothing approved is deferred only while it does
    not exist (``stacks.resolution``). ``approval_dispatch_token`` is the secret GitHub token
    ``delivery.approval_dispatch`` sends approvals with.
    """
    provider = aws.Provider(
        "aws",
        region=config.region,
        # Refuse to touch any other account, whatever credentials happen to be active.
        allowed_account_ids=[config.account_id],
    )
    opts = pulumi.ResourceOptions(providers=[provider])
    foundation = build_foundation(config, opts, provider)
    feature_store = build_feature_store(config, foundation, opts)
    registry = build_model_registry(config, foundation, opts)
    experiment_tracking = build_experiment_tracking(config, foundation, opts)
    feature_queries = build_feature_query_workgroup(config, foundation, opts)
    pipelines = build_training_pipelines(
        config, foundation, registry, opts, experiment_tracking, feature_store, feature_queries
    )
    serving = resolve_serving(config, resolve_model_package, deployed)
    batch_plan = resolve_batch_scoring(config, resolve_model_package)
    alerts = build_alerts(config, foundation, opts)
    triggers = build_pipeline_triggers(
        config, foundation, serving, pipelines, opts, list(batch_plan.packages), alerts
    )
    endpoints, shared_endpoints = build_endpoints(config, foundation, alerts, serving, opts)
    observed = build_observability(config, foundation, alerts, serving, endpoints, opts)
    # Before the failure alerts: their transform rule names the batch-scoring models.
    batch_scoring = build_batch_scoring(config, foundation, batch_plan, opts)
    platform = Platform(
        foundation=foundation,
        feature_store=feature_store,
        dvc_remote=build_dvc_remote(config, foundation, opts),
        model_registry=registry,
        approval_dispatch=build_approval_dispatch(
            config, foundation, registry, approval_dispatch_token, opts
        ),
        experiment_tracking=experiment_tracking,
        training_pipelines=pipelines,
        pipeline_triggers=triggers,
        alerts=alerts,
        failure_alerts=build_failure_alerts(
            config,
            alerts,
            pipelines,
            opts,
            [family for family, t in triggers.items() if t.retrains],
            batch_scoring,
            list(observed.live_drift),
            [family for family, t in triggers.items() if t.starts_on_new_data],
        ),
        cost_guardrails=build_cost_guardrails(config, alerts, opts),
        endpoints=endpoints,
        shared_endpoints=shared_endpoints,
        deferred_endpoints=dict(serving.deferred),
        monitors=observed.monitors,
        endpoint_alarms=observed.endpoint_alarms,
        model_quality_monitors=observed.model_quality_monitors,
        dashboard=observed.dashboard,
        live_drift=observed.live_drift,
        kubernetes_servings=build_kubernetes_servings(
            config, kubeconfig, foundation, alerts, opts, resolve_model_package
        ),
        batch_scoring=batch_scoring,
        deferred_batch_scoring=dict(batch_plan.deferred),
        drift_report_alarms=build_drift_report_alarms(
            config, alerts, pipelines, list(batch_plan.packages), opts
        ),
    )
    _export(platform)
    return platform


def _export(platform: Platform) -> None:
    foundation = platform.foundation
    pulumi.export("vpc_id", foundation.network.vpc_id)
    pulumi.export("datasets_bucket", foundation.datasets.bucket_name)
    pulumi.export("artifacts_bucket", foundation.artifacts.bucket_name)
    pulumi.export("data_key_arn", foundation.data_key.key_arn)
    pulumi.export("training_role_arn", foundation.training_role.role_arn)
    pulumi.export("pipeline_role_arn", foundation.pipeline_role.role_arn)
    pulumi.export("inference_role_arn", foundation.inference_role.role_arn)
    if foundation.audit_trail_arn is not None:
        pulumi.export("audit_trail_arn", foundation.audit_trail_arn)
    if foundation.audit_trail is not None:
        pulumi.export("audit_log_bucket", foundation.audit_trail.log_bucket_name)
    if foundation.evidently_repository is not None:
        # Where to push images/evidently (docs/evidently.md).
        pulumi.export("evidently_repository_url", foundation.evidently_repository.repository_url)
    if platform.feature_store:
        pulumi.export("feature_group_names", platform.feature_store.feature_group_names)
    if platform.dvc_remote:
        # `dvc remote add` / `dvc remote modify` settings (docs/ecosystem.md, DVC).
        pulumi.export("dvc_remote_url", platform.dvc_remote.remote_url)
        pulumi.export("dvc_remote_role_arn", platform.dvc_remote.role_arn)
        pulumi.export("dvc_remote_policy_arn", platform.dvc_remote.policy_arn)
        pulumi.export("dvc_remote_region", platform.dvc_remote.region)
        pulumi.export("dvc_remote_sse", DVC_SSE)
        pulumi.export("dvc_remote_sse_kms_key_id", platform.dvc_remote.kms_key_arn)
    if platform.model_registry:
        pulumi.export("model_package_group_names", platform.model_registry.model_package_group_names)
        pulumi.export("model_approval_topic_arn", platform.model_registry.approval_topic_arn)
        pulumi.export("default_model_approval_status", platform.model_registry.default_approval_status)
    if platform.approval_dispatch:
        pulumi.export(
            "approval_dispatch_dead_letter_queue_url", platform.approval_dispatch.dead_letter_queue_url
        )
    if platform.training_pipelines:
        pulumi.export(
            "training_pipeline_arns",
            {family: pipeline.pipeline_arn for family, pipeline in platform.training_pipelines.items()},
        )
    if platform.batch_scoring:
        pulumi.export(
            "batch_scoring_pipeline_arns",
            {family: scoring.pipeline_arn for family, scoring in platform.batch_scoring.items()},
        )
    if platform.alerts:
        # What AWS Chatbot (Slack, Teams, Chime channels) subscribes to.
        pulumi.export("alert_topic_arn", platform.alerts.topic_arn)
    if platform.endpoints:
        pulumi.export("endpoint_names", {name: e.endpoint_name for name, e in platform.endpoints.items()})
    if platform.shared_endpoints:
        pulumi.export(
            "shared_endpoints",
            {
                name: {"endpoint_name": shared.endpoint_name, "components": shared.component_names}
                for name, shared in platform.shared_endpoints.items()
            },
        )
    if platform.deferred_endpoints:
        pulumi.export("deferred_endpoints", platform.deferred_endpoints)
    if platform.experiment_tracking:
        pulumi.export("mlflow_tracking_server_arn", platform.experiment_tracking.tracking_server_arn)
