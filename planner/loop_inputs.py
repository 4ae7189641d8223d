"""Reading a plan's recorded inputs for the MLOps loop (:mod:`planner.loop_diagram`): the strings
and event patterns a resource holds, a pipeline's definition, the names and ARNs a reference may
carry, the lookups by them, and the environment a dispatch deploys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from components.training.definition import iter_steps
from planner.loop_model import PACKAGE_GROUP
from planner.recorder import RecordedResource, ResourceGraph
from policies.rules._capture_watchers import requests_destination

T = TypeVar("T")


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
