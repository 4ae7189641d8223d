"""The MLOps loop's vocabulary: the resource types it reads, its lanes and roles, and the
:class:`Loop` (nodes and edges) that :func:`planner.loop_diagram.derive_loop` fills and
:mod:`planner.loop_render` draws."""

from __future__ import annotations

from dataclasses import dataclass, field

RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
PIPE = "aws:pipes/pipe:Pipe"
QUEUE = "aws:sqs/queue:Queue"
BUCKET = "aws:s3/bucket:Bucket"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
API_DESTINATION = "aws:cloudwatch/eventApiDestination:EventApiDestination"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"
INFERENCE_COMPONENT = "aws-native:sagemaker:InferenceComponent"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
MODEL_SERVER_COMPONENTS = {"model-server": False, "model-server-canary": True}
"""A model server Deployment's ``app.kubernetes.io/component`` label: is it a canary?"""

LIVE_DRIFT = "LiveDrift"
"""The monitor kind of a pipeline over an endpoint's data capture (``monitoring.evidently``)."""
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
MONITOR_KINDS = {
    "DataQuality": ("data-quality monitor", "drift alarm"),
    "ModelQuality": ("model-quality monitor", "model-quality alarm"),
    "ModelBias": ("bias monitor", "bias alarm"),
    "ModelExplainability": ("explainability monitor", "explainability alarm"),
    LIVE_DRIFT: ("live-drift pipeline", "live-drift alarm"),
}

LANES = (
    ("train", "Train"),
    ("deliver", "Register and deliver"),
    ("serve", "Serve"),
    ("monitor", "Monitor"),
    ("page", "Page"),
)
# Role key → (lane, singular, plural). Roles keyed ``monitor:<monitoring type>``,
# ``alarms:<monitoring type>`` and ``target:<resource kind>`` (a trigger target of another type)
# come from the graph.
ROLES: dict[str, tuple[str, str, str]] = {
    "data": ("train", "S3 datasets bucket", "S3 datasets buckets"),
    "new_data_rule": ("train", "new-data rule", "new-data rules"),
    "batch": ("train", "SQS + Pipe batching", "SQS + Pipe batchings"),
    "schedule": ("train", "schedule rule", "schedule rules"),
    "retrain_rule": ("train", "retraining rule", "retraining rules"),
    "pipeline": ("train", "training pipeline", "training pipelines"),
    "registry": ("deliver", "model package group", "model package groups"),
    "approval_rule": ("deliver", "approval rule", "approval rules"),
    "approvals_topic": ("deliver", "approvals topic", "approvals topics"),
    "dispatch": ("deliver", "EventBridge API destination", "EventBridge API destinations"),
    "deploy": ("deliver", "deploy workflow", "deploy workflows"),
    "next_stacks": ("deliver", "next environment", "next environments"),
    "endpoint": ("serve", "SageMaker endpoint", "SageMaker endpoints"),
    "shadow_test": ("serve", "shadow test", "shadow tests"),
    "batch_scoring": ("serve", "batch scoring pipeline", "batch scoring pipelines"),
    "k8s_serving": ("serve", "Kubernetes serving", "Kubernetes servings"),
    "capture": ("monitor", "data capture", "data captures"),
    "endpoint_alarms": ("monitor", "endpoint alarm", "endpoint alarms"),
    "pipeline_alarms": ("monitor", "pipeline metric alarm", "pipeline metric alarms"),
    "prometheus_rule": ("page", "PrometheusRule", "PrometheusRules"),
    "alertmanager": ("page", "Alertmanager", "Alertmanagers"),
    "failure_rules": ("page", "failure rule", "failure rules"),
    "alert_topic": ("page", "alert topic", "alert topics"),
    "alert_subscriptions": ("page", "subscription", "subscriptions"),
    "approvals_subscriptions": ("deliver", "subscription", "subscriptions"),
    "webhook": ("page", "webhook", "webhooks"),
}
TYPE_NAMES = {
    "aws:sfn/stateMachine:StateMachine": ("Step Functions state machine", "Step Functions state machines"),
    "aws:lambda/function:Function": ("Lambda function", "Lambda functions"),
}
"""Names of trigger targets between a rule and a pipeline; any other type is named by its token."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    dotted: bool = False
    """A reference that is not a step of the loop: what a failure rule watches, the registry
    version an endpoint serves, the alarms an endpoint rolls back on."""
    text: str = ""


@dataclass
class Loop:
    """The loop's nodes (role → what it counts) and edges, all from references in the graph."""

    members: dict[str, set[str]] = field(default_factory=dict)
    details: dict[str, set[str]] = field(default_factory=dict)
    """Extra facts a node's label shows (variant counts, repositories, protocols)."""
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)

    def add(self, role: str, member: str, *details: str) -> None:
        self.members.setdefault(role, set()).add(member)
        self.details.setdefault(role, set()).update(details)

    def connect(
        self, source: str | None, target: str | None, *, dotted: bool = False, text: str = ""
    ) -> None:
        """An edge between two roles present in the loop; a solid edge wins over a dotted one."""
        if source is None or target is None or source == target:
            return
        if source not in self.members or target not in self.members:
            return
        known = self.edges.get((source, target))
        if known is None or (known.dotted and not dotted):
            self.edges[(source, target)] = Edge(source, target, dotted, text)

    @property
    def pairs(self) -> set[tuple[str, str]]:
        return set(self.edges)
