"""Scheduled SageMaker pipelines that watch an endpoint's captured traffic.

AWS has closed Model Monitor to new customers and names a pipeline over the endpoint's data capture
as the way to watch its traffic instead (the platform's live-drift pipeline,
``monitoring.evidently``). ``endpoint-monitoring-schedule`` counts such a pipeline as an endpoint's
watcher when all three hold:

- **it is the endpoint's**: its definition depends on the endpoint (the endpoint's name Output in it,
  what the engine records as a property dependency of ``pipelineDefinition``), or holds the
  endpoint's literal name as one of its values;
- **it runs on a schedule**: an EventBridge Scheduler schedule whose target is the pipeline and
  whose ``state`` is not ``DISABLED``, or an enabled EventBridge rule with a ``scheduleExpression``
  that targets it;
- **it reads the endpoint's capture**: a value of its definition is the endpoint configuration's
  ``dataCaptureConfig.destinationS3Uri`` or a location below it, and the configuration captures
  (a pipeline cannot watch traffic nobody records).

The first two are matched (a value unknown at preview matches nothing); the third is a check: a
linked, scheduled pipeline whose definition or destination is unknown at preview leaves the endpoint
undecided, decided when stack policies re-run on outputs. A definition given only as an S3 location
cannot be read, so such a pipeline watches nothing here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ._common import StackIndex, deps, get, get_or_none, is_false, is_map, is_seq, is_set, items, parse_json
from ._pipeline import PIPELINES, definition_body
from ._serving import NATIVE_ENDPOINT_CONFIG, name_of

SCHEDULES = ("aws:scheduler/schedule:Schedule", "aws-native:scheduler:Schedule")
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
NATIVE_EVENT_RULE = "aws-native:events:Rule"
DISABLED = "DISABLED"


def _strings(value: Any) -> Iterator[str]:
    """Every string value of a parsed JSON document (keys are not values)."""
    if isinstance(value, str):
        yield value
    elif is_map(value):
        for item in value.values():
            yield from _strings(item)
    elif is_seq(value):
        for item in value:
            yield from _strings(item)


def _definition_strings(pipeline: PolicyResource) -> frozenset[str]:
    """The string values of a pipeline's inline definition (none for an S3 location). Raises the
    engine's ``UnknownValueError`` when the definition is unknown at preview."""
    document = parse_json(definition_body(pipeline.props))
    return frozenset(_strings(document)) if document is not None else frozenset()


def _known_definition_strings(pipeline: PolicyResource) -> frozenset[str]:
    """As :func:`_definition_strings`, for matching: an unknown definition names nothing."""
    try:
        return _definition_strings(pipeline)
    except UnknownValueError:
        return frozenset()


def _target_arns(resource: PolicyResource) -> tuple[object, ...]:
    """The ARNs a Scheduler schedule, an EventBridge target or an aws-native rule starts (literal)."""
    if resource.resource_type == NATIVE_EVENT_RULE:
        return tuple(get_or_none(target, "arn") for target in items(get_or_none(resource.props, "targets")))
    if resource.resource_type == EVENT_TARGET:
        return (get_or_none(resource.props, "arn"),)
    return (get_or_none(resource.props, "target.arn"),)


def _rule_names(rule: PolicyResource) -> tuple[object]:
    return (get_or_none(rule.props, "name"),)


def capture_destination(config: PolicyResource) -> str | None:
    """Where an endpoint configuration's data capture lands, ``None`` when it captures nothing.

    pulumi-aws sends an unset ``enableCapture`` as false; aws-native leaves it to SageMaker, which
    captures.
    """
    capture = get(config.props, "dataCaptureConfig")
    if not is_set(capture):
        return None
    enabled = get(capture, "enableCapture")
    if is_false(enabled) or (enabled is None and config.resource_type != NATIVE_ENDPOINT_CONFIG):
        return None
    destination = get(capture, "destinationS3Uri")
    return destination if isinstance(destination, str) and destination else None


def _at_or_below(value: str, destination: str) -> bool:
    root = destination.rstrip("/") + "/"
    return (value.rstrip("/") + "/").startswith(root)


class CaptureWatchers:
    """Which endpoints a scheduled pipeline over their data capture watches, in one stack."""

    def __init__(self, stack: StackIndex) -> None:
        self._stack = stack
        self._started: dict[str, bool] = {}

    def watches(self, endpoint: PolicyResource, config: PolicyResource | None) -> bool:
        """Whether a pipeline of the stack watches ``endpoint`` (served by ``config``); raises the
        ``UnknownValueError`` of the first pipeline that could not be decided when none watches."""
        undecided: UnknownValueError | None = None
        for pipeline in self._linked(endpoint):
            try:
                if not self._is_started(pipeline):
                    continue
                destination = capture_destination(config) if config is not None else None
                if destination is None:
                    return False
                if any(_at_or_below(value, destination) for value in _definition_strings(pipeline)):
                    return True
            except UnknownValueError as error:
                undecided = undecided or error
        if undecided is not None:
            raise undecided
        return False

    def _linked(self, endpoint: PolicyResource) -> list[PolicyResource]:
        """Pipelines whose definition depends on the endpoint or names it literally (known ones)."""
        stack = self._stack
        structural = stack.consumers(endpoint, PIPELINES, "pipelineDefinition")
        name = name_of(endpoint)
        if not isinstance(name, str) or not name:
            return StackIndex.in_stack_order(structural)
        literal = stack.having(PIPELINES, _known_definition_strings, name)
        return StackIndex.in_stack_order(structural, literal)

    def _is_started(self, pipeline: PolicyResource) -> bool:
        """Whether an enabled schedule or scheduled rule starts ``pipeline``; raises when one that
        targets it cannot be read (its state unknown at preview)."""
        if pipeline.urn not in self._started:
            self._started[pipeline.urn] = any(
                self._enabled_schedule(starter) for starter in self._starters(pipeline)
            )
        return self._started[pipeline.urn]

    def _starters(self, pipeline: PolicyResource) -> list[PolicyResource]:
        stack = self._stack
        found = [
            stack.consumers(pipeline, SCHEDULES, "target"),
            stack.consumers(pipeline, (EVENT_TARGET,), "arn"),
            stack.consumers(pipeline, (NATIVE_EVENT_RULE,), "targets"),
        ]
        arn = get_or_none(pipeline.props, "arn")
        if isinstance(arn, str) and arn:
            found.append(stack.having((*SCHEDULES, EVENT_TARGET, NATIVE_EVENT_RULE), _target_arns, arn))
        return StackIndex.in_stack_order(*found)

    def _enabled_schedule(self, starter: PolicyResource) -> bool:
        if starter.resource_type == EVENT_TARGET:
            return any(self._enabled_rule(rule) for rule in self._rules_of(starter))
        if starter.resource_type == NATIVE_EVENT_RULE:
            return self._enabled_rule(starter)
        return get(starter.props, "state") != DISABLED

    def _rules_of(self, target: PolicyResource) -> list[PolicyResource]:
        linked = [d for d in deps(target, "rule") if d.resource_type == EVENT_RULE]
        if linked:
            return linked
        name = get_or_none(target.props, "rule")
        if not isinstance(name, str) or not name:
            return []
        return [rule for _, rule in self._stack.having((EVENT_RULE,), _rule_names, name)]

    @staticmethod
    def _enabled_rule(rule: PolicyResource) -> bool:
        """A rule that runs on a schedule and is not disabled (``state``, or the deprecated
        ``isEnabled`` of pulumi-aws)."""
        return (
            is_set(get(rule.props, "scheduleExpression"))
            and get(rule.props, "state") != DISABLED
            and not is_false(get(rule.props, "isEnabled"))
        )
