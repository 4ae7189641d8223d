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

The parts live beside this module, each public name still importable from here: the resource
types, roles, lanes and the :class:`Loop` in :mod:`planner.loop_model`, the reading of recorded
inputs in :mod:`planner.loop_inputs`, the Kubernetes paging path in :mod:`planner.loop_kubernetes`
and the Mermaid drawing in :mod:`planner.loop_render`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from components.training.definition import iter_steps
from planner.loop_inputs import (
    _by_name,
    _definition,
    _deployed_environment,
    _Index,
    _mentions,
    _names,
    _package_group_of,
    _pattern,
    _pattern_strings,
    _publishes,
    _requests_destination,
    _scores_only,
    _strings,
    _values_under,
)
from planner.loop_kubernetes import _kubernetes_alerting
from planner.loop_model import (
    ALARM,
    ALARM_STATE_CHANGE,
    API_DESTINATION,
    BUCKET,
    DEPLOYMENT,
    ENDPOINT,
    ENDPOINT_CONFIG,
    EXPERIMENT,
    HELM_RELEASE,
    INFERENCE_COMPONENT,
    LIVE_DRIFT,
    MODEL,
    MODEL_SERVER_COMPONENTS,
    PACKAGE_GROUP,
    PACKAGE_STATE_CHANGE,
    PIPE,
    PIPELINE,
    QUEUE,
    RULE,
    SCHEDULE,
    SUBSCRIPTION,
    TARGET,
    TOPIC,
    Loop,
)
from planner.loop_model import LANES as LANES
from planner.loop_model import MONITOR_KINDS as MONITOR_KINDS
from planner.loop_model import PROMETHEUS_RULE as PROMETHEUS_RULE
from planner.loop_model import ROLES as ROLES
from planner.loop_model import TYPE_NAMES as TYPE_NAMES
from planner.loop_model import Edge as Edge
from planner.loop_render import SHORT_IDS as SHORT_IDS
from planner.loop_render import label as label
from planner.loop_render import node_id as node_id
from planner.loop_render import render
from planner.recorder import RecordedResource, ResourceGraph, known_inputs
from policies.rules._capture_watchers import document_values, reads_capture

_GITHUB_REPOSITORY = re.compile(r"^/repos/([^/]+/[^/]+)/")


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

    def reaches_pipeline(resource: RecordedResource) -> list[RecordedResource]:
        """The pipelines a trigger target of an unknown type (a state machine, say) starts: those
        its inputs depend on or name."""
        found = {p.urn: p for p in index.depends_on(resource, PIPELINE)}
        texts = list(_strings(dict(resource.inputs)))
        for pipeline in graph.of_type(PIPELINE):
            if any(_mentions(text, name) for text in texts for name in _names(pipeline)):
                found[pipeline.urn] = pipeline
        return list(found.values())

    # A pipe batches into a pipeline directly, or into a state machine that starts one per batch
    # (a pipe cannot batch into a pipeline itself): queue, pipe and starter are the batching.
    batch_starts: list[RecordedResource] = []
    for pipe in graph.of_type(PIPE):
        source, target = (
            index.by_arn.get(pipe.inputs.get("source", "")),
            index.by_arn.get(pipe.inputs.get("target", "")),
        )
        if target is None:
            continue
        if role_of(target) == "pipeline":
            batch_starts.append(target)
        elif role_of(target) is None and (started := reaches_pipeline(target)):
            roles[target.urn] = "batch"
            batch_starts += started
        else:
            continue
        member(pipe, "batch")
        if source is not None and source.type == QUEUE:
            roles[source.urn] = "batch"

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
    for pipeline in batch_starts:
        loop.connect("batch", role_of(pipeline))

    # Paging: subscriptions, and the Kubernetes path (PrometheusRule → Alertmanager → receiver).
    for subscription in graph.of_type(SUBSCRIPTION):
        topic_role = role_of(index.by_arn.get(subscription.inputs.get("topic", "")))
        if topic_role is not None:
            role = topic_role.replace("_topic", "_subscriptions")
            member(subscription, role, f"protocol:{subscription.inputs.get('protocol')}")
            loop.connect(topic_role, role)
    _kubernetes_alerting(graph, index, loop, servings, member, role_of)
    return loop


def render_loop(graph: ResourceGraph) -> str:
    """The loop as Mermaid source (no code fence)."""
    return render(derive_loop(graph))
