"""The Kubernetes paging path of the MLOps loop (:mod:`planner.loop_diagram`): a serving's
PrometheusRules, the Alertmanager routes their alerts match, and the receivers they page."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from planner.loop_inputs import _Index, _strings
from planner.loop_model import HELM_RELEASE, PROMETHEUS_RULE, Loop
from planner.recorder import RecordedResource, ResourceGraph


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
