"""The MLOps loop of a planned stack as a Mermaid flowchart: what starts what, derived from the plan.

Where :mod:`planner.diagram` draws every component and its data flow, this draws the lifecycle:
new data and schedules start the training pipeline, which registers model versions; an approval
rule sends approvals to a topic and (with ``delivery.approval_dispatch``) through an EventBridge
API destination to the deploy workflow, which runs ``pulumi up`` of the next environment (prod's
own approvals: the endpoints of prod serving that family, :mod:`delivery.approved_model`); endpoints
capture requests for the monitors (Model Monitor schedules, or live-drift pipelines: pipelines that
train and transform nothing, depend on or name an endpoint and read its capture as the pack's
``endpoint-monitoring-schedule`` reads it, :mod:`policies.rules._capture_watchers`), whose alarms
start retraining; an alarm on a metric a pipeline puts (its namespace, name and ``NAME=VALUE``
dimensions among the definition's values: the Evidently drift reports) is that pipeline's; failure
rules and alarms page the alert topic's subscribers; Kubernetes servings page through their
PrometheusRules and Alertmanager.

Nothing is drawn from a fixed picture. Every node is a set of recorded resources (counted: "7
failure rules") or what they call (the deploy workflow an API destination posts to, the next
environment it deploys), and every edge is a reference the plan holds: an EventBridge target's ``rule``
and ``arn``, a Pipe's ``source`` and ``target``, the alarm names, model package group names and
bucket names in an event pattern, an alarm's actions and ``MonitoringSchedule`` or
``EndpointName`` dimension, a monitoring job's ``endpointName``, a model's ``modelPackageName``,
an endpoint's rollback alarms, an Alertmanager route and receiver. A stack without approval
dispatch has no dispatch node; without drift retraining, no alarm → pipeline path; without
Kubernetes serving, no Kubernetes nodes. A trigger target of a type this module does not know (a
Step Functions state machine between the retraining rule and the pipeline, say) is drawn as a
node of its type, joined to the pipelines it references. The output is sorted, so the same stack
always renders the same text (the README embeds the prod loop and a test compares).

    python -m planner --stack prod --format loop
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from components.training.definition import iter_steps
from planner.recorder import RecordedResource, ResourceGraph, known_inputs
from policies.rules._capture_watchers import document_values, reads_capture, requests_destination

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
_ROLE_ORDER = {role: index for index, role in enumerate(ROLES)}
_PREFIX_AFTER = {"target": "retrain_rule", "monitor": "capture", "alarms": "capture"}
"""Where roles keyed ``<prefix>:...`` sort: after this role (monitors before their alarms)."""
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_GITHUB_REPOSITORY = re.compile(r"^/repos/([^/]+/[^/]+)/")

T = TypeVar("T")


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


# -- reading the recorded inputs ------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a nested input value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _values_under(value: Any, key: str) -> Iterator[Any]:
    """Every value stored under ``key`` at any depth (event patterns nest ``$or`` and detail)."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            if name == key:
                yield item
            yield from _values_under(item, key)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _values_under(item, key)


def _pattern(rule: RecordedResource) -> dict[str, Any]:
    text = rule.inputs.get("eventPattern")
    if not isinstance(text, str):
        return {}
    try:
        pattern = json.loads(text)
    except ValueError:
        return {}
    return pattern if isinstance(pattern, dict) else {}


def _pattern_strings(pattern: Mapping[str, Any], key: str) -> set[str]:
    """The strings an event pattern matches under ``key``: plain values and the operands of
    ``prefix``/``equals-ignore-case`` matchers."""
    return {s for value in _values_under(pattern, key) for s in _strings(value)}


def _scores_only(definition: Mapping[str, Any]) -> bool:
    """A pipeline (its parsed definition) that runs Transform steps and trains nothing (no Training
    or Tuning step, in a Condition's branches as at the top): batch scoring, not training (its
    processing steps, such as an Evidently report, score no model)."""
    kinds = {step.get("Type") for step in iter_steps(definition.get("Steps") or [])}
    return "Transform" in kinds and not kinds & {"Training", "Tuning"}


def _definition(pipeline: RecordedResource) -> dict[str, Any]:
    try:
        document = json.loads(str(pipeline.inputs.get("pipelineDefinition") or "{}"))
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _requests_destination(config: RecordedResource | None) -> str | None:
    """Where an endpoint configuration lands the requests it records, as the pack reads it (a
    pulumi-aws configuration: an unset ``enableCapture`` is false)."""
    capture = config.inputs.get("dataCaptureConfig") if config else None
    return requests_destination(capture, captures_when_unset=False)


def _publishes(strings: frozenset[str], alarm: RecordedResource) -> bool:
    """Whether a pipeline whose definition holds ``strings`` publishes the metric ``alarm`` watches:
    its namespace, its name and each dimension as ``NAME=VALUE`` are values of the definition (the
    arguments of a step that puts the metric)."""
    namespace, metric = alarm.inputs.get("namespace"), alarm.inputs.get("metricName")
    dimensions = alarm.inputs.get("dimensions") or {}
    return (
        isinstance(namespace, str)
        and isinstance(metric, str)
        and {namespace, metric} <= strings
        and all(f"{name}={value}" in strings for name, value in dimensions.items())
    )


def _names(resource: RecordedResource) -> set[str]:
    """The physical names and ARN a reference to ``resource`` may carry."""
    found = {resource.outputs.get(key) for key in ("arn", "name", "id")}
    for key in ("name", "pipelineName", "modelPackageGroupName", "jobDefinitionName", "bucket"):
        found.add(resource.inputs.get(key))
    return {name for name in found if isinstance(name, str) and name}


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a whole name (not as the prefix of a longer one)."""
    return re.search(rf"(?<![A-Za-z0-9_-]){re.escape(name)}(?![A-Za-z0-9_-])", text) is not None


def _by_name(table: Mapping[str, T], name: object) -> T | None:
    """``table``'s entry for ``name``; None for a name that is not a string (it names nothing)."""
    return table.get(name) if isinstance(name, str) else None


def _package_group_of(reference: str, groups: Mapping[str, RecordedResource]) -> RecordedResource | None:
    """The model package group a model package ARN (``...:model-package/<group>/<version>``) or a
    group ARN names."""
    match = re.search(r":model-package(?:-group)?/([^/]+)", reference)
    return groups.get(match.group(1)) if match else None


class _Index:
    """Lookups by the names and ARNs references carry."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.by_urn = {resource.urn: resource for resource in graph}
        self.by_arn: dict[str, RecordedResource] = {}
        self.by_type_and_name: dict[tuple[str, str], RecordedResource] = {}
        for resource in graph:
            if not resource.is_cloud_resource:
                continue
            arn = resource.outputs.get("arn")
            if isinstance(arn, str):
                self.by_arn.setdefault(arn, resource)
            for name in _names(resource):
                self.by_type_and_name.setdefault((resource.type, name), resource)
        self.groups = {
            name: group
            for group in graph.of_type(PACKAGE_GROUP)
            for name in (group.inputs.get("modelPackageGroupName"), group.outputs.get("id"))
            if isinstance(name, str)
        }

    def named(self, type_token: str, name: Any) -> RecordedResource | None:
        return self.by_type_and_name.get((type_token, name)) if isinstance(name, str) else None

    def depends_on(self, resource: RecordedResource, type_token: str) -> list[RecordedResource]:
        """The resources of ``type_token`` whose outputs flow into ``resource``'s inputs."""
        urns = {urn for urns in resource.property_dependencies.values() for urn in urns}
        return [self.by_urn[urn] for urn in sorted(urns) if self.by_urn.get(urn, resource).type == type_token]


# -- deriving the loop ----------------------------------------------------------------------------


def derive_loop(graph: ResourceGraph) -> Loop:
    """The loop of ``graph``: its nodes and the references between them (a value unknown until
    deployment as unset, since two unknowns are not the same name: :func:`~planner.recorder.known_inputs`)."""
    graph = known_inputs(graph)
    index = _Index(graph)
    loop = Loop()
    roles: dict[str, str] = {}  # resource URN → its role

    def member(resource: RecordedResource, role: str, *details: str) -> None:
        roles[resource.urn] = role
        loop.add(role, resource.urn, *details)

    def role_of(resource: RecordedResource | None) -> str | None:
        return None if resource is None else roles.get(resource.urn)

    rules = graph.of_type(RULE)
    targets = [
        (rule, index.by_arn.get(target.inputs.get("arn", "")), target)
        for target in graph.of_type(TARGET)
        if (rule := index.named(RULE, target.inputs.get("rule"))) is not None
    ]
    targets_of: dict[str, list[RecordedResource]] = {}
    for rule, destination, _ in targets:
        if destination is not None:
            targets_of.setdefault(rule.urn, []).append(destination)
    patterns = {rule.urn: _pattern(rule) for rule in rules}

    # Training: the pipelines, what starts them, and what they register into. A pipeline that
    # depends on or names an endpoint and reads its capture watches it (live drift): a monitor,
    # like a Model Monitor schedule.
    configs = {c.outputs.get("name"): c for c in graph.of_type(ENDPOINT_CONFIG)}
    capture_of = {
        endpoint.urn: uri
        for endpoint in graph.of_type(ENDPOINT)
        if (uri := _requests_destination(configs.get(endpoint.inputs.get("endpointConfigName"))))
    }
    definitions = {p.urn: _definition(p) for p in graph.of_type(PIPELINE)}
    definition_strings = {urn: frozenset(_strings(document)) for urn, document in definitions.items()}
    live_drift: set[str] = set()  # live-drift pipelines' URNs
    for pipeline in graph.of_type(PIPELINE):
        strings = definition_strings[pipeline.urn]
        linked = {e.urn: e for e in index.depends_on(pipeline, ENDPOINT)}
        linked.update({e.urn: e for e in graph.of_type(ENDPOINT) if _names(e) & strings})
        # A pipeline that trains or transforms is training or batch scoring, whatever else it reads.
        kinds = {step.get("Type") for step in iter_steps(definitions[pipeline.urn].get("Steps") or [])}
        watches = not kinds & {
            "Training",
            "Tuning",
            "Transform",
        }
        read = document_values(definitions[pipeline.urn]).everything
        if watches and any(
            e.urn in capture_of and reads_capture(read, capture_of[e.urn], str(e.inputs.get("name")))
            for e in linked.values()
        ):
            live_drift.add(pipeline.urn)
            member(pipeline, f"monitor:{LIVE_DRIFT}")
        else:
            member(pipeline, "batch_scoring" if _scores_only(definitions[pipeline.urn]) else "pipeline")
    for group in graph.of_type(PACKAGE_GROUP):
        member(group, "registry")
    for pipe in graph.of_type(PIPE):
        source, target = (
            index.by_arn.get(pipe.inputs.get("source", "")),
            index.by_arn.get(pipe.inputs.get("target", "")),
        )
        if role_of(target) == "pipeline":
            member(pipe, "batch")
            if source is not None and source.type == QUEUE:
                roles[source.urn] = "batch"

    def reaches_pipeline(resource: RecordedResource) -> list[RecordedResource]:
        """The pipelines a trigger target of an unknown type (a state machine, say) starts: those
        its inputs depend on or name."""
        found = {p.urn: p for p in index.depends_on(resource, PIPELINE)}
        texts = list(_strings(dict(resource.inputs)))
        for pipeline in graph.of_type(PIPELINE):
            if any(_mentions(text, name) for text in texts for name in _names(pipeline)):
                found[pipeline.urn] = pipeline
        return list(found.values())

    # Topics: the one the approval rule targets carries approvals; one that alarms act on, other
    # rules target or Alertmanager publishes to pages. Others (async inference results) are not
    # part of the loop.
    approval_rules = {
        rule.urn
        for rule in rules
        if PACKAGE_STATE_CHANGE in _pattern_strings(patterns[rule.urn], "detail-type")
        and "Approved" in _pattern_strings(patterns[rule.urn], "ModelApprovalStatus")
    }
    paged = {arn for alarm in graph.of_type(ALARM) for arn in alarm.inputs.get("alarmActions") or ()}
    paged |= {d.urn for rule, d, _ in targets if d is not None and rule.urn not in approval_rules}
    for release in graph.of_type(HELM_RELEASE):
        paged |= set(_strings(list(_values_under(release.inputs.get("values"), "topic_arn"))))
    for topic in graph.of_type(TOPIC):
        if any(rule.urn in approval_rules and destination is topic for rule, destination, _ in targets):
            member(topic, "approvals_topic")
        elif topic.urn in paged or topic.outputs.get("arn") in paged:
            member(topic, "alert_topic")

    # Rules, by what they match and what they start.
    for rule in rules:
        pattern, destinations = patterns[rule.urn], targets_of.get(rule.urn, [])
        starts = [
            d
            for d in destinations
            if role_of(d) in ("pipeline", "batch") or str(role_of(d)).startswith("target:")
        ]
        unknown = [d for d in destinations if role_of(d) is None and d.type not in (QUEUE, API_DESTINATION)]
        starts += [d for d in unknown if reaches_pipeline(d)]
        if rule.urn in approval_rules:
            member(rule, "approval_rule")
        elif rule.inputs.get("scheduleExpression") and starts:
            member(rule, "schedule")
        elif "aws.s3" in _pattern_strings(pattern, "source") and starts:
            member(rule, "new_data_rule")
        elif ALARM_STATE_CHANGE in _pattern_strings(pattern, "detail-type") and starts:
            member(rule, "retrain_rule")
        elif any(role_of(d) == "alert_topic" for d in destinations):
            member(rule, "failure_rules")
        else:
            continue
        for destination in unknown:
            if reaches_pipeline(destination):
                member(destination, f"target:{destination.type.rsplit(':', 1)[-1]}", destination.type)
                for pipeline in reaches_pipeline(destination):
                    loop.connect(role_of(destination), role_of(pipeline))

    # Serving: endpoints (with their variants and capture), shadow tests, Kubernetes servings.
    models = {m.outputs.get("name"): m for m in graph.of_type(MODEL)}
    serves: dict[str, set[str]] = {}  # endpoint or Deployment URN → the package groups it serves
    for endpoint in graph.of_type(ENDPOINT):
        config = configs.get(endpoint.inputs.get("endpointConfigName"))
        variants = list(config.inputs.get("productionVariants", ())) if config else []
        shadows = list(config.inputs.get("shadowProductionVariants", ())) if config else []
        details = [f"variants:{len(variants)}", f"shadows:{len(shadows)}"]
        member(endpoint, "endpoint", *(f"{endpoint.urn}:{d}" for d in details))
        for variant in variants + shadows:
            model = models.get(variant.get("modelName"))
            containers = (
                [model.inputs.get("primaryContainer") or {}, *model.inputs.get("containers", ())]
                if model
                else []
            )
            for container in containers:
                served = _package_group_of(str(container.get("modelPackageName", "")), index.groups)
                if served is not None:
                    serves.setdefault(endpoint.urn, set()).add(served.urn)
        # An endpoint of inference components serves the models its components name.
        for component in graph.of_type(INFERENCE_COMPONENT):
            if component.inputs.get("endpointName") not in _names(endpoint):
                continue
            component_model = models.get((component.inputs.get("specification") or {}).get("modelName"))
            container = (component_model.inputs.get("primaryContainer") or {}) if component_model else {}
            served = _package_group_of(str(container.get("modelPackageName", "")), index.groups)
            if served is not None:
                serves.setdefault(endpoint.urn, set()).add(served.urn)
        capture = (config.inputs.get("dataCaptureConfig") or {}) if config else {}
        if capture.get("enableCapture"):
            loop.add("capture", endpoint.urn)
    endpoints = {name: e for e in graph.of_type(ENDPOINT) for name in _names(e)}
    for experiment in graph.of_type(EXPERIMENT):
        tested = _by_name(endpoints, experiment.inputs.get("endpointName"))
        if tested is not None:
            member(experiment, "shadow_test")
            loop.connect("endpoint", "shadow_test")
    servings: list[RecordedResource] = []
    for deployment in graph.of_type(DEPLOYMENT):
        labels = (deployment.inputs.get("metadata") or {}).get("labels") or {}
        canary = _by_name(MODEL_SERVER_COMPONENTS, labels.get("app.kubernetes.io/component"))
        if canary is None:
            continue
        servings.append(deployment)
        member(deployment, "k8s_serving", *([f"canary:{deployment.urn}"] if canary else []))
        for text in _strings(deployment.inputs.get("spec")):
            served = _package_group_of(text, index.groups) if ":model-package/" in text else None
            if served is not None:
                serves.setdefault(deployment.urn, set()).add(served.urn)
    for serving, groups in serves.items():
        if groups:
            loop.connect("registry", roles[serving], dotted=True, text="approved version")

    # Registry → approval rule → approvals topic / API destination → deploy workflow → servings.
    for rule in rules:
        named_groups = {
            named_group.urn
            for name in _pattern_strings(patterns[rule.urn], "ModelPackageGroupName")
            if (named_group := index.groups.get(name)) is not None
        }
        if not named_groups:
            continue
        if role_of(rule) == "approval_rule":
            loop.connect("registry", "approval_rule")
        else:
            loop.connect("registry", role_of(rule), dotted=True)
        for target_rule, destination, target in targets:
            if target_rule is not rule or destination is None or destination.type != API_DESTINATION:
                continue
            if role_of(rule) != "approval_rule":
                continue
            url = urlsplit(str(destination.inputs.get("invocationEndpoint", "")))
            repository = _GITHUB_REPOSITORY.match(url.path) if url.hostname == "api.github.com" else None
            member(destination, "dispatch")
            if repository:
                loop.add("deploy", repository.group(1), f"repo:{repository.group(1)}")
            else:
                loop.add("deploy", url.hostname or "?", f"host:{url.hostname}")
            loop.connect("approval_rule", "dispatch")
            loop.connect("dispatch", "deploy")
            # The deploy workflow deploys the environment after the approving stack's: this stack's
            # servings when it is the last one (prod), else the next environment's stacks.
            deployed = _deployed_environment(target, graph.environment)
            if deployed is None or deployed == graph.environment:
                for serving, groups in serves.items():
                    if groups & named_groups:
                        loop.connect("deploy", roles[serving], text="pulumi up")
            else:
                loop.add("next_stacks", deployed, f"environment:{deployed}")
                loop.connect("deploy", "next_stacks", text="pulumi up")
    for pipeline in graph.of_type(PIPELINE):
        if pipeline.urn in live_drift:
            continue
        if _scores_only(definitions[pipeline.urn]):
            # Batch scoring runs a model of the approved version (the model its Transform step names).
            scoring_models = [
                m
                for m in graph.of_type(MODEL)
                if _mentions(str(pipeline.inputs.get("pipelineDefinition")), m.outputs.get("name", ""))
            ]
            groups = {
                scored.urn
                for model in scoring_models
                for text in _strings(model.inputs.get("primaryContainer"))
                if ":model-package/" in text and (scored := _package_group_of(text, index.groups)) is not None
            }
            if groups:
                loop.connect("registry", "batch_scoring", dotted=True, text="approved version")
            continue
        definition = str(pipeline.inputs.get("pipelineDefinition", ""))
        for group in graph.of_type(PACKAGE_GROUP):
            if group in index.depends_on(pipeline, PACKAGE_GROUP) or any(
                _mentions(definition, name) for name in _names(group)
            ):
                loop.connect("pipeline", "registry", text="registers")

    # Monitoring: schedules on the endpoints' captured data, and the alarms on their metrics.
    schedules: dict[str, RecordedResource] = {}
    for schedule in graph.of_type(SCHEDULE):
        schedule_config = schedule.inputs.get("monitoringScheduleConfig") or {}
        kind = schedule_config.get("monitoringType") or "DataQuality"
        watched = set(_strings(list(_values_under(schedule_config, "endpointName"))))
        definition_name = schedule_config.get("monitoringJobDefinitionName")
        for resource in graph:
            if resource.type.endswith("JobDefinition") and definition_name in _names(resource):
                watched |= set(_strings(list(_values_under(resource.inputs, "endpointName"))))
        monitored = [endpoints[name] for name in sorted(watched) if name in endpoints]
        if not monitored:
            continue
        member(schedule, f"monitor:{kind}")
        for name in _names(schedule):
            schedules[name] = schedule
        for endpoint in monitored:
            upstream = "capture" if endpoint.urn in loop.members.get("capture", ()) else "endpoint"
            loop.connect(upstream, f"monitor:{kind}")
    if live_drift:  # each reads the capture of the endpoints it watches
        loop.connect("capture", f"monitor:{LIVE_DRIFT}")
    loop.connect("endpoint", "capture")
    alarms_by_name: dict[str, RecordedResource] = {}
    for alarm in graph.of_type(ALARM):
        dimensions: dict[str, Any] = dict(alarm.inputs.get("dimensions") or {})
        for query in alarm.inputs.get("metricQueries") or ():
            dimensions.update(((query.get("metric") or {}).get("dimensions")) or {})
        watching = _by_name(schedules, dimensions.get("MonitoringSchedule"))
        alarmed = _by_name(endpoints, dimensions.get("EndpointName"))
        if watching is not None:
            # watching is in schedules, so member() gave it its "monitor:<kind>" role.
            kind = roles[watching.urn].split(":", 1)[1]
            member(alarm, f"alarms:{kind}")
            loop.connect(role_of(watching), role_of(alarm))
        elif alarmed is not None:
            member(alarm, "endpoint_alarms")
            loop.connect("endpoint", "endpoint_alarms")
        elif publishers := [
            p for p in graph.of_type(PIPELINE) if _publishes(definition_strings[p.urn], alarm)
        ]:
            # A metric a pipeline puts (an Evidently drift share): a live-drift pipeline's alarm is
            # its monitor's, like a Model Monitor schedule's.
            live = any(p.urn in live_drift for p in publishers)
            member(alarm, f"alarms:{LIVE_DRIFT}" if live else "pipeline_alarms")
            for publisher in publishers:
                loop.connect(role_of(publisher), role_of(alarm))
        else:
            continue
        alarms_by_name[str(alarm.inputs.get("name") or alarm.outputs.get("name"))] = alarm
        for action in alarm.inputs.get("alarmActions") or ():
            loop.connect(role_of(alarm), role_of(index.by_arn.get(action)))
    for endpoint in graph.of_type(ENDPOINT):
        rollback = (endpoint.inputs.get("deploymentConfig") or {}).get("autoRollbackConfiguration") or {}
        for alarm in rollback.get("alarms") or ():
            loop.connect(
                role_of(alarms_by_name.get(alarm.get("alarmName"))), "endpoint", dotted=True, text="rollback"
            )

    # Rules and their targets: what each one starts or pages, and what it watches.
    for rule in rules:
        role = role_of(rule)
        if role is None:
            continue
        pattern = patterns[rule.urn]
        for name in _pattern_strings(pattern, "alarmName"):
            loop.connect(role_of(alarms_by_name.get(name)), role)
        if role == "new_data_rule":
            for name in _pattern_strings(pattern, "bucket"):
                bucket = index.named(BUCKET, name)
                if bucket is not None:
                    member(bucket, "data")
                    loop.connect("data", role)
        for destination in targets_of.get(rule.urn, []):
            if destination.type != API_DESTINATION:
                loop.connect(role, role_of(destination))
        if role == "failure_rules":
            # What it watches: a resource of the loop whose ARN the pattern matches (a pipeline, a
            # state machine), or an endpoint it names (names alone are ambiguous: an endpoint and a
            # model package group may share one, so only the EndpointName field counts).
            watched_resources = [index.by_arn.get(s) for s in _strings(pattern.get("detail"))]
            watched_resources += [endpoints.get(name) for name in _pattern_strings(pattern, "EndpointName")]
            for watched_resource in watched_resources:
                loop.connect(role_of(watched_resource), role, dotted=True)
    for pipe in graph.of_type(PIPE):
        if role_of(pipe) == "batch":
            loop.connect("batch", role_of(index.by_arn.get(pipe.inputs.get("target", ""))))

    # Paging: subscriptions, and the Kubernetes path (PrometheusRule → Alertmanager → receiver).
    for subscription in graph.of_type(SUBSCRIPTION):
        topic_role = role_of(index.by_arn.get(subscription.inputs.get("topic", "")))
        if topic_role is not None:
            role = topic_role.replace("_topic", "_subscriptions")
            member(subscription, role, f"protocol:{subscription.inputs.get('protocol')}")
            loop.connect(topic_role, role)
    _kubernetes_alerting(graph, index, loop, servings, member, role_of)
    return loop


def _deployed_environment(target: RecordedResource, environment: str | None) -> str | None:
    """The environment a dispatch's deploy workflow run deploys: the one after the payload's
    ``source_environment`` (the stack's own when the template has none) in the promotion order."""
    from delivery.approved_model import next_environment
    from delivery.stacks import PROMOTION_ORDER

    template = (target.inputs.get("inputTransformer") or {}).get("inputTemplate")
    try:
        payload = json.loads(template).get("client_payload") or {} if isinstance(template, str) else {}
    except (ValueError, AttributeError):
        payload = {}
    source = payload.get("source_environment") if isinstance(payload, dict) else None
    source = source if isinstance(source, str) else environment
    return next_environment(source) if source in PROMOTION_ORDER else None


def _matchers(route: Mapping[str, Any]) -> dict[str, str]:
    """An Alertmanager route's equality matchers (``matchers: ['k="v"']`` or legacy ``match``)."""
    found = {str(k): str(v) for k, v in (route.get("match") or {}).items()}
    for matcher in route.get("matchers") or ():
        match = re.fullmatch(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"?([^"]*)"?\s*', str(matcher))
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _kubernetes_alerting(
    graph: ResourceGraph,
    index: _Index,
    loop: Loop,
    servings: list[RecordedResource],
    member: Callable[..., None],
    role_of: Callable[[RecordedResource | None], str | None],
) -> None:
    alert_labels: list[dict[str, str]] = []
    for rule in graph.of_type(PROMETHEUS_RULE):
        labels = [
            dict(r.get("labels") or {})
            for group in ((rule.inputs.get("spec") or {}).get("groups") or ())
            for r in group.get("rules") or ()
            if r.get("alert")
        ]
        watched = [
            s
            for s in servings
            if any(
                (s.inputs.get("metadata") or {}).get("name") in (label.get("serving"), label.get("service"))
                or f'service="{(s.inputs.get("metadata") or {}).get("name")}"' in text
                for label in labels
                for text in _strings(rule.inputs.get("spec"))
            )
        ]
        if not watched:
            continue
        member(rule, "prometheus_rule")
        loop.connect("k8s_serving", "prometheus_rule")
        alert_labels += labels
    for release in graph.of_type(HELM_RELEASE):
        config = ((release.inputs.get("values") or {}).get("alertmanager") or {}).get("config") or {}
        receivers = {r.get("name"): r for r in config.get("receivers") or ()}
        routes = [config.get("route") or {}, *((config.get("route") or {}).get("routes") or ())]
        matched = [
            receivers.get(route.get("receiver"))
            for route in routes[1:]
            if (matchers := _matchers(route))
            and any(all(labels.get(k) == v for k, v in matchers.items()) for labels in alert_labels)
        ]
        routed = [receiver for receiver in matched if receiver]
        if not routed:
            continue
        member(release, "alertmanager")
        loop.connect("prometheus_rule", "alertmanager")
        for receiver in routed:
            for sns in receiver.get("sns_configs") or ():
                loop.connect("alertmanager", role_of(index.by_arn.get(sns.get("topic_arn", ""))))
            for hook in receiver.get("webhook_configs") or ():
                host = urlsplit(str(hook.get("url", ""))).hostname or "webhook"
                loop.add("webhook", host, f"host:{host}")
                loop.connect("alertmanager", "webhook")


# -- rendering ------------------------------------------------------------------------------------


SHORT_IDS = {
    "data": "s3",
    "new_data_rule": "new",
    "batch": "batch",
    "schedule": "cron",
    "retrain_rule": "retrain",
    "pipeline": "train",
    "registry": "reg",
    "approval_rule": "appr",
    "approvals_topic": "apprsns",
    "dispatch": "dest",
    "deploy": "deploy",
    "next_stacks": "next",
    "endpoint": "ep",
    "shadow_test": "shadow",
    "batch_scoring": "bscore",
    "k8s_serving": "k8s",
    "capture": "cap",
    "endpoint_alarms": "epalm",
    "pipeline_alarms": "plalm",
    "prometheus_rule": "prom",
    "alertmanager": "am",
    "failure_rules": "fail",
    "alert_topic": "sns",
    "alert_subscriptions": "subs",
    "approvals_subscriptions": "apprsubs",
    "webhook": "hook",
    "monitor:DataQuality": "dq",
    "monitor:ModelQuality": "mq",
    "monitor:ModelBias": "bias",
    "monitor:ModelExplainability": "expl",
    "alarms:DataQuality": "dqalm",
    "alarms:ModelQuality": "mqalm",
    "alarms:ModelBias": "biasalm",
    "alarms:ModelExplainability": "explalm",
    f"monitor:{LIVE_DRIFT}": "ld",
    f"alarms:{LIVE_DRIFT}": "ldalm",
}
"""Short node ids keep the README's block small; any other role's id is its sanitised key
(``target:StateMachine`` → ``l_target_StateMachine``), which no short id starts like."""


def node_id(role: str) -> str:
    """A Mermaid-safe node id: ``pipeline`` → ``l_train``, ``target:StateMachine`` →
    ``l_target_StateMachine``.

    The prefix keeps ids clear of Mermaid keywords (``end``) and of ids starting with ``o`` or
    ``x``, which Mermaid would read as circle or cross arrow heads (as in :mod:`planner.diagram`).
    """
    return "l_" + _ID_UNSAFE.sub("_", SHORT_IDS.get(role, role))


def _lane_and_names(role: str, loop: Loop) -> tuple[str, str, str]:
    if role in ROLES:
        return ROLES[role]
    prefix, _, rest = role.partition(":")
    if prefix == "monitor":
        singular = MONITOR_KINDS.get(rest, (f"{rest} monitor", ""))[0]
        return "monitor", singular, singular + "s"
    if prefix == "alarms":
        singular = MONITOR_KINDS.get(rest, ("", f"{rest} alarm"))[1]
        return "monitor", singular, singular + "s"
    type_token = min(loop.details.get(role, ()), default=rest)
    return ("train", *TYPE_NAMES.get(type_token, (rest, rest + "s")))


def _count(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else f"{n} {plural}"


def label(role: str, loop: Loop) -> str:
    """A node's text: what it is and how many (``2 SageMaker endpoints<br/>5 variants``)."""
    _, singular, plural = _lane_and_names(role, loop)
    details = sorted(loop.details.get(role, ()))
    n = len(loop.members[role])
    text = _count(n, singular, plural)
    extra = ""
    if role == "endpoint":
        variants = sum(int(d.rsplit(":", 1)[1]) for d in details if ":variants:" in d)
        shadows = sum(int(d.rsplit(":", 1)[1]) for d in details if ":shadows:" in d)
        if variants > n or shadows:
            extra = _count(variants, "variant", "variants") if variants > 1 else "1 variant"
            extra += f" + {shadows} shadow" if shadows else ""
    elif role == "k8s_serving":
        canaries = sum(1 for d in details if d.startswith("canary:"))
        text = _count(n - canaries, singular, plural)
        extra = _count(canaries, "canary", "canaries") if canaries else ""
    elif role == "next_stacks":
        text = f"{', '.join(d.split(':', 1)[1] for d in details)} stacks"
    elif role in ("deploy", "webhook") or role.endswith("_subscriptions"):
        extra = ", ".join(d.split(":", 1)[1] for d in details)
        if role == "deploy" and all(d.startswith("repo:") for d in details):
            text = f"GitHub {text}"
    text = f"{text}<br/>{extra}" if extra else text
    return text.replace('"', "#quot;")


def render_loop(graph: ResourceGraph) -> str:
    """The loop as Mermaid source (no code fence)."""
    return render(derive_loop(graph))


def _sort_key(role: str) -> tuple[int, int, str]:
    if role in _ROLE_ORDER:
        return (_ROLE_ORDER[role], 0, "")
    prefix, _, rest = role.partition(":")
    kinds = list(MONITOR_KINDS)
    rank = {"target": 1, "monitor": 2, "alarms": 3}.get(prefix, 4) * 10 + (
        kinds.index(rest) if rest in kinds else len(kinds)
    )
    return (_ROLE_ORDER.get(_PREFIX_AFTER.get(prefix, ""), len(_ROLE_ORDER)), rank, rest)


def render(loop: Loop) -> str:
    roles = sorted(loop.members, key=_sort_key)
    lines = ["flowchart LR"]
    for lane, title in LANES:
        in_lane = [role for role in roles if _lane_and_names(role, loop)[0] == lane]
        if not in_lane:
            continue
        lines.append(f'  subgraph lane_{lane}["{title}"]')
        lines += [f'    {node_id(role)}["{label(role, loop)}"]' for role in in_lane]
        lines.append("  end")
    order = {role: index for index, role in enumerate(roles)}
    for edge in sorted(loop.edges.values(), key=lambda e: (order[e.source], order[e.target])):
        arrow = "-.->" if edge.dotted else "-->"
        text = f"|{edge.text}|" if edge.text else ""
        lines.append(f"  {node_id(edge.source)} {arrow}{text} {node_id(edge.target)}")
    return "\n".join(lines) + "\n"
