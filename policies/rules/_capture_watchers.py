"""Scheduled SageMaker pipelines that watch an endpoint's captured traffic.

AWS has closed Model Monitor to new customers and names a pipeline over the endpoint's data capture
as the way to watch its traffic instead (the platform's live-drift pipeline,
``monitoring.evidently``). ``endpoint-monitoring-schedule`` counts such a pipeline as an endpoint's
watcher when all three hold:

- **it is the endpoint's**: its definition depends on the endpoint (the endpoint's name Output in it,
  what the engine records as a property dependency of ``pipelineDefinition``), or holds the
  endpoint's literal name as one of its values;
- **it runs on a recurring schedule**: an EventBridge Scheduler schedule whose ``target.arn`` is the
  pipeline, with a ``cron()`` or ``rate()`` expression, no ``endDate`` (a watcher that stops on a
  date stops silently) and a ``state`` other than ``DISABLED``; or an EventBridge rule with such an
  expression, not disabled, one of whose targets is the pipeline;
- **it reads the endpoint's capture**: the endpoint configuration captures requests (enabled, a
  sampling percentage above 0, an ``Input`` or ``InputAndOutput`` capture mode), and a value of the
  definition is that capture's location: the ``destinationS3Uri`` itself beside the endpoint's
  name (as the platform's ListCapture is given both), or a location below
  ``<destination>/<endpoint name>/``, where SageMaker writes this endpoint's files (``s3://`` and
  ``https://`` S3 URLs alike). A location elsewhere below the destination (a report written there,
  another endpoint's files) reads nothing of this endpoint.

Which pipelines are the endpoint's, and which schedules point at a pipeline, are matched (a value
unknown at preview matches nothing); what they are is checked: a linked pipeline whose starter,
definition or capture settings are unknown at preview leaves the endpoint undecided, decided when
stack policies re-run on outputs. A definition given only as an S3 location cannot be read, so such
a pipeline watches nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    StackIndex,
    deps,
    get,
    get_or_none,
    is_false,
    is_map,
    is_seq,
    is_set,
    items,
    number,
    parse_json,
)
from ._pipeline import PIPELINES, definition_body
from ._serving import NATIVE_ENDPOINT_CONFIG, checked_name_of, name_of

SCHEDULES = ("aws:scheduler/schedule:Schedule", "aws-native:scheduler:Schedule")
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
NATIVE_EVENT_RULE = "aws-native:events:Rule"
DISABLED = "DISABLED"
RECURRING = ("cron(", "rate(")
INPUT_MODES = frozenset({"Input", "InputAndOutput"})
_PIPELINE_ARN = re.compile(r"^arn:[a-z-]+:sagemaker:[^:]*:[0-9]*:pipeline/(?P<name>[^/]+)\Z", re.IGNORECASE)
_S3_HOST = re.compile(r"^(?:(?P<bucket>.+)\.)?s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\Z")


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
    """Where an endpoint configuration's captured requests land, ``None`` when it records none.

    pulumi-aws sends an unset ``enableCapture`` as false; aws-native leaves it to SageMaker, which
    captures. A sampling percentage of 0 records nothing; ``Output`` alone records no request.
    """
    capture = get(config.props, "dataCaptureConfig")
    if not is_set(capture):
        return None
    enabled = get(capture, "enableCapture")
    if is_false(enabled) or (enabled is None and config.resource_type != NATIVE_ENDPOINT_CONFIG):
        return None
    if number(get(capture, "initialSamplingPercentage")) == 0:
        return None
    if not {get(option, "captureMode") for option in items(get(capture, "captureOptions"))} & INPUT_MODES:
        return None
    destination = get(capture, "destinationS3Uri")
    return destination if isinstance(destination, str) and destination else None


def s3_location(uri: str) -> tuple[str, str] | None:
    """``(bucket, key)`` of an ``s3://`` URI or an ``https://`` S3 URL (virtual-hosted or path
    style), ``None`` for anything else."""
    try:
        split = urlsplit(uri)
    except ValueError:
        return None
    path = split.path.lstrip("/")
    if split.scheme == "s3":
        return (split.netloc, path) if split.netloc else None
    host = _S3_HOST.match(split.hostname or "") if split.scheme == "https" else None
    if host is None:
        return None
    if host["bucket"]:
        return host["bucket"], path
    bucket, _, key = path.partition("/")
    return (bucket, key) if bucket else None


def reads_capture(values: frozenset[str], destination: str, endpoint: str) -> bool:
    """Whether a definition whose string values are ``values`` reads ``endpoint``'s capture under
    ``destination`` (the forms in the module's docstring)."""
    where = s3_location(destination)
    if where is None:
        return False
    bucket, root = where[0], where[1].strip("/")
    for value in values:
        found = s3_location(value)
        if found is None or found[0] != bucket:
            continue
        key = found[1].strip("/")
        if root and key != root and not key.startswith(root + "/"):
            continue
        below = [segment for segment in key[len(root) :].split("/") if segment]
        if (below and below[0] == endpoint) or (not below and endpoint in values):
            return True
    return False


class CaptureWatchers:
    """Which endpoints a scheduled pipeline over their data capture watches, in one stack."""

    def __init__(self, stack: StackIndex) -> None:
        self._stack = stack
        self._started: dict[str, bool | UnknownValueError] = {}

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
                name = checked_name_of(endpoint)
                if isinstance(name, str) and reads_capture(_definition_strings(pipeline), destination, name):
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
        """Whether a recurring, enabled schedule or scheduled rule starts ``pipeline``; raises when
        none does and one that may could not be read at preview."""
        if pipeline.urn not in self._started:
            found: bool | UnknownValueError = False
            for starter in self._starters(pipeline):
                try:
                    if self._starts(starter, pipeline):
                        found = True
                        break
                except UnknownValueError as error:
                    found = found or error
            self._started[pipeline.urn] = found
        found = self._started[pipeline.urn]
        if isinstance(found, UnknownValueError):
            raise found
        return found

    def _starters(self, pipeline: PolicyResource) -> list[PolicyResource]:
        """Schedules, targets and rules that depend on ``pipeline`` or name its ARN literally."""
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

    def _starts(self, starter: PolicyResource, pipeline: PolicyResource) -> bool:
        if starter.resource_type == EVENT_TARGET:
            return _is_pipeline(get(starter.props, "arn"), pipeline) and any(
                _recurring_rule(rule) for rule in self._rules_of(starter)
            )
        if starter.resource_type == NATIVE_EVENT_RULE:
            targets = items(get(starter.props, "targets"))
            return any(_is_pipeline(get(t, "arn"), pipeline) for t in targets) and _recurring_rule(starter)
        return (
            _is_pipeline(get(starter.props, "target.arn"), pipeline)
            and _recurring(get(starter.props, "scheduleExpression"))
            and not is_set(get(starter.props, "endDate"))
            and get(starter.props, "state") != DISABLED
        )

    def _rules_of(self, target: PolicyResource) -> list[PolicyResource]:
        linked = [d for d in deps(target, "rule") if d.resource_type == EVENT_RULE]
        if linked:
            return linked
        name = get_or_none(target.props, "rule")
        if not isinstance(name, str) or not name:
            return []
        return [rule for _, rule in self._stack.having((EVENT_RULE,), _rule_names, name)]


def _recurring(expression: object) -> bool:
    return isinstance(expression, str) and expression.strip().startswith(RECURRING)


def _recurring_rule(rule: PolicyResource) -> bool:
    """A rule that runs on a recurring schedule and is not disabled (``state``, or the deprecated
    ``isEnabled`` of pulumi-aws)."""
    return (
        _recurring(get(rule.props, "scheduleExpression"))
        and get(rule.props, "state") != DISABLED
        and not is_false(get(rule.props, "isEnabled"))
    )


def _is_pipeline(arn: object, pipeline: PolicyResource) -> bool:
    """Whether a target ARN is ``pipeline``'s: its ARN, or a SageMaker pipeline ARN of its name
    (SageMaker writes the name in lower case)."""
    if not isinstance(arn, str):
        return False
    own = get_or_none(pipeline.props, "arn")
    if isinstance(own, str) and own == arn:
        return True
    match = _PIPELINE_ARN.match(arn)
    name = get_or_none(pipeline.props, "pipelineName")
    return bool(match and isinstance(name, str) and match["name"].lower() == name.lower())
