"""Scheduled SageMaker pipelines that watch an endpoint's captured traffic.

AWS has closed Model Monitor to new customers and names a pipeline over the endpoint's data capture
as the way to watch its traffic instead (the platform's live-drift pipeline,
``monitoring.evidently``). ``endpoint-monitoring-schedule`` counts such a pipeline as an endpoint's
watcher when all three hold:

- **it is the endpoint's**: its definition depends on the endpoint (the endpoint's name Output in it,
  what the engine records as a property dependency of ``pipelineDefinition``), or holds the
  endpoint's literal name as one of its values;
- **it runs on a recurring schedule**: an EventBridge Scheduler schedule whose ``target.arn`` is the
  pipeline, with a ``rate()`` expression or a ``cron()`` one of every year, no ``endDate`` (a
  watcher that stops on a date stops silently), no ``startDate`` still to come and a ``state`` other
  than ``DISABLED``; or an EventBridge rule with such an expression, not disabled, one of whose
  targets is the pipeline (a target that names its rule rather than depending on it is matched to
  the rule of that name on its own event bus);
- **it reads the endpoint's capture**: the endpoint configuration records requests (capture
  enabled, a sampling percentage above 0, an ``Input`` or ``InputAndOutput`` mode), and a value of
  the definition, as that schedule runs it, is where SageMaker writes this endpoint's files:
  ``<destinationS3Uri>/<endpoint name>/`` or a location below it (``s3://`` URIs and ``https://``
  S3 URLs; a value may be the part after ``=`` of a ``--flag=value`` argument). The run's values
  are its steps' strings, a ``{"Get": "Parameters.X"}`` read as the value the schedule gives X
  (else X's default; a parameter the definition does not declare is nobody's) and a ``Std:Join``
  of known parts joined; the locations of the jobs' own outputs (``ProcessingOutputConfig``,
  ``OutputDataConfig``, ``TransformOutput`` ...) are writes, not reads. A container argument is
  opaque: a location passed there counts as read.

Which pipelines are the endpoint's, and which schedules point at a pipeline, are matched (a value
unknown at preview matches nothing; a literal pipeline ARN matches by the name it holds while the
pipeline's ARN is unknown, case-insensitively as SageMaker compares them, and leaves a pipeline
whose own name is unknown undecided); what they are is checked: a linked pipeline whose starter,
definition or capture settings are unknown at preview leaves the endpoint undecided, decided when
stack policies re-run on outputs. A definition given only as an S3 location cannot be read, so such
a pipeline watches nothing here; nor are S3 access points resolved to their buckets.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

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
from ._pipeline import PIPELINES, definition_body, parameter_name
from ._serving import NATIVE_ENDPOINT_CONFIG, checked_name_of, name_of

SCHEDULES = ("aws:scheduler/schedule:Schedule", "aws-native:scheduler:Schedule")
PIPES = ("aws:pipes/pipe:Pipe", "aws-native:pipes:Pipe")
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
NATIVE_EVENT_RULE = "aws-native:events:Rule"
DISABLED = "DISABLED"
INPUT_MODES = frozenset({"Input", "InputAndOutput"})
OUTPUT_SETTINGS = frozenset(
    {
        "ProcessingOutputConfig",
        "OutputDataConfig",
        "TransformOutput",
        "CheckpointConfig",
        "DebugHookConfig",
        "TensorBoardOutputConfig",
        "ProfilerConfig",
    }
)
"""Where a step's request names locations its job writes."""
#: Where each kind of starter keeps the pipeline parameters a run is given: ``(list, name, value)``.
PARAMETER_PATHS = {
    "aws:scheduler/schedule:Schedule": "target.sagemakerPipelineParameters.pipelineParameters",
    "aws-native:scheduler:Schedule": "target.sageMakerPipelineParameters.pipelineParameterList",
    EVENT_TARGET: "sagemakerPipelineTarget.pipelineParameterLists",
    NATIVE_EVENT_RULE: "sageMakerPipelineParameters.pipelineParameterList",  # of the rule's target
    "aws:pipes/pipe:Pipe": "targetParameters.sagemakerPipelineParameters.pipelineParameters",
    "aws-native:pipes:Pipe": "targetParameters.sageMakerPipelineParameters.pipelineParameterList",
}
#: The property of each kind of starter that names what it starts (its dependency on the pipeline).
_TARGET_PROPERTY = {
    **dict.fromkeys(SCHEDULES, "target"),
    EVENT_TARGET: "arn",
    NATIVE_EVENT_RULE: "targets",
    **dict.fromkeys(PIPES, "target"),
}
#: Where each kind of starter but an aws-native rule (a list of targets) has the ARN it starts.
_TARGET_ARN = {
    **dict.fromkeys(SCHEDULES, "target.arn"),
    EVENT_TARGET: "arn",
    **dict.fromkeys(PIPES, "target"),
}
_PIPELINE_ARN = re.compile(r"^arn:[a-z-]+:sagemaker:[^:]*:[0-9]*:pipeline/(?P<name>[^/]+)\Z", re.IGNORECASE)
_S3_HOST = re.compile(r"^(?:(?P<bucket>.+)\.)?s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\Z")
_EXPRESSION = re.compile(r"^\s*(?P<kind>rate|cron)\((?P<body>[^)]*)\)\s*\Z")


# --- what a definition reads ------------------------------------------------------------------


@dataclass(frozen=True)
class DefinitionValues:
    """A definition's steps (the values a run reads) and its parameters' defaults."""

    steps: Any
    defaults: Mapping[str, object]

    def as_run(self, parameters: Mapping[str, str]) -> frozenset[str]:
        """The values a run given ``parameters`` reads: every string of its steps but the locations
        its jobs write, a ``{"Get": "Parameters.X"}`` as the run's value of X (the run's, else the
        default; a parameter the definition does not declare is nobody's), a ``Std:Join`` of known
        parts joined."""
        run = {**self.defaults, **{k: v for k, v in parameters.items() if k in self.defaults}}
        return frozenset(value for text in _values(self.steps, run) for value in _with_flag_value(text))

    @property
    def everything(self) -> frozenset[str]:
        return self.as_run({})


def _with_flag_value(text: str) -> tuple[str, ...]:
    """A string, and of a ``--flag=value`` string also its value."""
    flag, equals, rest = text.partition("=")
    return (text, rest) if equals and flag.startswith("-") else (text,)


def _text(node: Any, run: Mapping[str, object]) -> str | None:
    """A value's text in a run: a string, a number, a parameter's value or a join of those."""
    if isinstance(node, str):
        return node
    if isinstance(node, int | float) and not isinstance(node, bool):
        return str(node)
    name = parameter_name(node)
    if name is not None:
        value = run.get(name)
        return None if value is None else _text(value, {})
    join = node.get("Std:Join") if is_map(node) and len(node) == 1 else None
    if is_map(join):
        parts = [_text(part, run) for part in items(join.get("Values"))]
        separator = join.get("On", "")
        if isinstance(separator, str) and parts and all(part is not None for part in parts):
            return separator.join(part for part in parts if part is not None)
    return None


def _values(node: Any, run: Mapping[str, object]) -> Iterator[str]:
    """Every string a run's steps hold (see :meth:`DefinitionValues.as_run`)."""
    text = _text(node, run)
    if text is not None:
        yield text
        if isinstance(node, str) or parameter_name(node) is not None:
            return
    if is_map(node):
        for key, item in node.items():
            if key not in OUTPUT_SETTINGS:
                yield from _values(item, run)
    elif is_seq(node):
        for item in node:
            yield from _values(item, run)


def definition_values(pipeline: PolicyResource) -> DefinitionValues:
    """The values of a pipeline's inline definition (none for an S3 location). Raises the engine's
    ``UnknownValueError`` when the definition is unknown at preview."""
    return document_values(parse_json(definition_body(pipeline.props)))


def document_values(document: Any) -> DefinitionValues:
    """The values of a parsed pipeline definition (none when it is not a JSON object)."""
    if not is_map(document):
        return DefinitionValues({}, {})
    defaults = {
        str(parameter["Name"]): parameter.get("DefaultValue")
        for parameter in items(document.get("Parameters"))
        if is_map(parameter) and "Name" in parameter
    }
    return DefinitionValues({key: value for key, value in document.items() if key != "Parameters"}, defaults)


def capture_destination(config: PolicyResource) -> str | None:
    """Where an endpoint configuration's captured requests land, ``None`` when it records none.

    pulumi-aws sends an unset ``enableCapture`` as false; aws-native leaves it to SageMaker, which
    captures.
    """
    return requests_destination(
        get(config.props, "dataCaptureConfig"),
        captures_when_unset=config.resource_type == NATIVE_ENDPOINT_CONFIG,
    )


def requests_destination(capture: Any, *, captures_when_unset: bool) -> str | None:
    """Where a ``dataCaptureConfig`` lands the requests it records, ``None`` when it records none: a
    sampling percentage of 0 records nothing, ``Output`` alone records no request.
    ``captures_when_unset``: what an unset ``enableCapture`` means to the resource's provider."""
    if not is_set(capture):
        return None
    enabled = get(capture, "enableCapture")
    if is_false(enabled) or (enabled is None and not captures_when_unset):
        return None
    if number(get(capture, "initialSamplingPercentage")) == 0:
        return None
    if not {get(option, "captureMode") for option in items(get(capture, "captureOptions"))} & INPUT_MODES:
        return None
    destination = get(capture, "destinationS3Uri")
    return destination if isinstance(destination, str) and destination else None


def s3_location(uri: str) -> tuple[str, str] | None:
    """``(bucket, key)`` of an ``s3://`` URI (whose key may hold ``?`` and ``#``) or an ``https://``
    S3 URL (virtual-hosted or path style, its path percent-decoded), ``None`` for anything else."""
    if uri.startswith("s3://"):
        bucket, _, key = uri[len("s3://") :].partition("/")
        return (bucket, key) if bucket else None
    try:
        split = urlsplit(uri)
        hostname = split.hostname or ""
    except ValueError:
        return None
    host = _S3_HOST.match(hostname) if split.scheme == "https" else None
    if host is None:
        return None
    path = unquote(split.path).lstrip("/")
    if host["bucket"]:
        return host["bucket"], path
    bucket, _, key = path.partition("/")
    return (bucket, key) if bucket else None


def reads_capture(values: frozenset[str], destination: str, endpoint: str) -> bool:
    """Whether one of ``values`` is where SageMaker writes ``endpoint``'s capture under
    ``destination`` (``<destination>/<endpoint>/``) or below it."""
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
        if below and below[0] == endpoint:
            return True
    return False


# --- what starts a pipeline -------------------------------------------------------------------


def _target_arns(resource: PolicyResource) -> tuple[object, ...]:
    """The ARNs a Scheduler schedule, an EventBridge target, an aws-native rule or a pipe starts
    (literal)."""
    if resource.resource_type == NATIVE_EVENT_RULE:
        return tuple(get_or_none(target, "arn") for target in items(get_or_none(resource.props, "targets")))
    return (get_or_none(resource.props, _TARGET_ARN[resource.resource_type]),)


def _named_pipelines(resource: PolicyResource) -> tuple[str, ...]:
    """The pipelines a starter names by a literal SageMaker pipeline ARN, by their names in lower
    case (SageMaker compares pipeline names and ARNs case-insensitively and reports them lower-cased)."""
    return tuple(
        match["name"].lower()
        for arn in _target_arns(resource)
        if isinstance(arn, str) and (match := _PIPELINE_ARN.match(arn))
    )


def starters_of(stack: StackIndex, pipeline: PolicyResource, kinds: tuple[str, ...]) -> list[PolicyResource]:
    """Starters of ``kinds`` (schedules, event targets and rules, pipes) that depend on ``pipeline``
    where they name what they start, or name it by a literal SageMaker pipeline ARN: matched by the
    name that ARN holds, case-insensitively, so a literal ARN counts at preview (the pipeline's own
    ARN not known yet) and after create (SageMaker reports the ARN lower-cased). While the
    pipeline's name is unknown at preview, every starter naming a pipeline no other pipeline of the
    stack is known by may be starting it (:func:`started_with` then says undecided)."""
    found = [stack.consumers(pipeline, (kind,), _TARGET_PROPERTY[kind]) for kind in kinds]
    name = _pipeline_name(pipeline)
    if isinstance(name, str) and name:
        found.append(stack.having(kinds, _named_pipelines, name.lower()))
    elif name is _UNKNOWN:
        known = {
            n.lower() for other in stack.of_type(PIPELINES) if isinstance(n := _pipeline_name(other), str)
        }
        named = {n for starter in stack.of_type(kinds) for n in _named_pipelines(starter)}
        found += [stack.having(kinds, _named_pipelines, other) for other in sorted(named - known)]
    return StackIndex.in_stack_order(*found)


_UNKNOWN = object()
"""A value unknown at preview."""


def _pipeline_name(pipeline: PolicyResource) -> object:
    """A pipeline's ``pipelineName`` (``_UNKNOWN`` while unknown at preview)."""
    try:
        return get(pipeline.props, "pipelineName")
    except UnknownValueError:
        return _UNKNOWN


def started_with(
    starter: PolicyResource, pipeline: PolicyResource, matters: Callable[[list[tuple[str, str]]], bool]
) -> list[list[tuple[str, str]]]:
    """The parameters of every run ``starter`` starts ``pipeline`` with, as written (name, value),
    on a schedule or not (a rule may target it more than once), of those that ``matters``: what it
    starts is read only for them, so a starter naming the pipeline by its ARN, unknown at a first
    preview, is decided when its parameters do not matter. Raises ``UnknownValueError`` for a value
    unknown at preview."""
    kind = starter.resource_type
    if kind == NATIVE_EVENT_RULE:
        runs = []
        for target in items(get(starter.props, "targets")):
            parameters = _parameter_pairs(target, PARAMETER_PATHS[kind])
            if matters(parameters) and _is_pipeline(get(target, "arn"), pipeline):
                runs.append(parameters)
        return runs
    parameters = _parameter_pairs(starter.props, PARAMETER_PATHS[kind])
    if not matters(parameters):
        return []
    arn = get(starter.props, _TARGET_ARN[kind])
    return [parameters] if _is_pipeline(arn, pipeline) else []


def named_only(starter: PolicyResource, pipeline: PolicyResource) -> UnknownValueError | None:
    """Why ``starter`` may not be ``pipeline``'s starter though :func:`started_with` found runs: it
    names the pipeline only by the name a literal SageMaker pipeline ARN holds, the pipeline's own
    ARN not known yet (preview) and no dependency linking them; a pipeline of that name in another
    account or Region may be the one meant, which the pipeline's ARN says after create. ``None``
    when surely this pipeline's."""
    own = get_or_none(pipeline.props, "arn")
    if isinstance(own, str) and own:
        return None
    if any(d.urn == pipeline.urn for d in deps(starter, _TARGET_PROPERTY[starter.resource_type])):
        return None
    return UnknownValueError(UNKNOWN_STRING_VALUE, [f"arn (of SageMaker pipeline {pipeline.name!r})"])


def _rule_names(rule: PolicyResource) -> tuple[object]:
    return (get_or_none(rule.props, "name"),)


LAST_YEAR = 2199
"""The last year a cron expression of EventBridge may name."""


def recurring(expression: object) -> bool:
    """A ``rate()`` expression, or a ``cron()`` one that runs every year: its year field (the sixth)
    holds ``*`` (or ``*/1``) or a range to the last year cron can name; one of given years runs out."""
    match = _EXPRESSION.match(expression) if isinstance(expression, str) else None
    if match is None:
        return False
    if match["kind"] == "rate":
        return True
    fields = match["body"].split()
    return len(fields) == 6 and any(
        part in ("*", "*/1") or part.endswith(f"-{LAST_YEAR}") for part in fields[5].split(",")
    )


def _not_yet(start: object, now: datetime.datetime) -> bool:
    """Whether a schedule's ``startDate`` is still to come (an unreadable one is left to AWS)."""
    if not isinstance(start, str) or not start:
        return False
    try:
        moment = datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        return False
    return (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)) > now


def _is_pipeline(arn: object, pipeline: PolicyResource) -> bool:
    """Whether a target ARN is ``pipeline``'s, compared as SageMaker does, case-insensitively: its
    ARN once known (after create; one of another account or region is another pipeline), before
    that a SageMaker pipeline ARN of its name. Raises ``UnknownValueError`` when a pipeline ARN
    names a pipeline while this one's name is unknown at preview."""
    if not isinstance(arn, str):
        return False
    own = get_or_none(pipeline.props, "arn")
    if isinstance(own, str) and own:
        return own.lower() == arn.lower()
    match = _PIPELINE_ARN.match(arn)
    if match is None:
        return False
    name = get(pipeline.props, "pipelineName")
    return isinstance(name, str) and match["name"].lower() == name.lower()


def _parameters(holder: Any, path: str) -> dict[str, str]:
    """The pipeline parameters a starter gives a run (name → value)."""
    return dict(_parameter_pairs(holder, path))


def _parameter_pairs(holder: Any, path: str) -> list[tuple[str, str]]:
    """The pipeline parameters a starter gives a run, as written: a name given twice is both."""
    return [
        (str(get(entry, "name")), value)
        for entry in items(get(holder, path))
        if isinstance(value := get(entry, "value"), str)
    ]


def _recurring_rule(rule: PolicyResource) -> bool:
    """A rule that runs on a recurring schedule and is not disabled (``state``, or the deprecated
    ``isEnabled`` of pulumi-aws)."""
    return (
        recurring(get(rule.props, "scheduleExpression"))
        and get(rule.props, "state") != DISABLED
        and not is_false(get(rule.props, "isEnabled"))
    )


class CaptureWatchers:
    """Which endpoints a scheduled pipeline over their data capture watches, in one stack."""

    def __init__(self, stack: StackIndex, now: datetime.datetime | None = None) -> None:
        self._stack = stack
        self._now = now or datetime.datetime.now(datetime.UTC)
        self._runs: dict[str, list[dict[str, str]] | UnknownValueError] = {}
        self._definitions: dict[str, DefinitionValues | UnknownValueError] = {}

    def watches(self, endpoint: PolicyResource, config: PolicyResource | None) -> bool:
        """Whether a pipeline of the stack watches ``endpoint`` (served by ``config``); raises the
        ``UnknownValueError`` of the first pipeline that could not be decided when none watches."""
        undecided: UnknownValueError | None = None
        for pipeline in self._linked(endpoint):
            try:
                runs = self._scheduled_runs(pipeline)
                if not runs:
                    continue
                destination = capture_destination(config) if config is not None else None
                if destination is None:
                    return False
                name = checked_name_of(endpoint)
                values = self._definition(pipeline)
                if isinstance(name, str) and any(
                    reads_capture(values.as_run(parameters), destination, name) for parameters in runs
                ):
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
        literal = stack.having(PIPELINES, self._known_strings, name)
        return StackIndex.in_stack_order(structural, literal)

    def _definition(self, pipeline: PolicyResource) -> DefinitionValues:
        """:func:`definition_values`, read once per pipeline; raises while unknown at preview."""
        if pipeline.urn not in self._definitions:
            try:
                self._definitions[pipeline.urn] = definition_values(pipeline)
            except UnknownValueError as error:
                self._definitions[pipeline.urn] = error
        found = self._definitions[pipeline.urn]
        if isinstance(found, UnknownValueError):
            raise found
        return found

    def _known_strings(self, pipeline: PolicyResource) -> frozenset[str]:
        """Every value of a pipeline's definition, for matching: an unknown definition names nothing."""
        try:
            return self._definition(pipeline).everything
        except UnknownValueError:
            return frozenset()

    def _scheduled_runs(self, pipeline: PolicyResource) -> list[dict[str, str]]:
        """The parameters of each recurring, enabled schedule or scheduled rule that starts
        ``pipeline`` (none: nothing starts it); raises when nothing does and a starter could not be
        read at preview."""
        if pipeline.urn not in self._runs:
            runs: list[dict[str, str]] = []
            undecided: UnknownValueError | None = None
            for starter in self._starters(pipeline):
                try:
                    runs += self._runs_of(starter, pipeline)
                except UnknownValueError as error:
                    undecided = undecided or error
            self._runs[pipeline.urn] = undecided if not runs and undecided is not None else runs
        found = self._runs[pipeline.urn]
        if isinstance(found, UnknownValueError):
            raise found
        return found

    def _starters(self, pipeline: PolicyResource) -> list[PolicyResource]:
        """Schedules, targets and rules that depend on ``pipeline`` or name its ARN literally."""
        return starters_of(self._stack, pipeline, (*SCHEDULES, EVENT_TARGET, NATIVE_EVENT_RULE))

    def _runs_of(self, starter: PolicyResource, pipeline: PolicyResource) -> list[dict[str, str]]:
        """The parameters of each run ``starter`` starts ``pipeline`` with on a recurring schedule
        (a rule may target the pipeline more than once)."""
        kind = starter.resource_type
        if kind == EVENT_TARGET:
            if not _is_pipeline(get(starter.props, "arn"), pipeline):
                return []
            if not any(_recurring_rule(rule) for rule in self._rules_of(starter)):
                return []
            return [_parameters(starter.props, PARAMETER_PATHS[kind])]
        if kind == NATIVE_EVENT_RULE:
            if not _recurring_rule(starter):
                return []
            targets = items(get(starter.props, "targets"))
            return [
                _parameters(target, PARAMETER_PATHS[kind])
                for target in targets
                if _is_pipeline(get(target, "arn"), pipeline)
            ]
        props = starter.props
        if not (
            _is_pipeline(get(props, "target.arn"), pipeline)
            and recurring(get(props, "scheduleExpression"))
            and not is_set(get(props, "endDate"))
            and not _not_yet(get(props, "startDate"), self._now)
            and get(props, "state") != DISABLED
        ):
            return []
        return [_parameters(props, PARAMETER_PATHS[kind])]

    def _rules_of(self, target: PolicyResource) -> list[PolicyResource]:
        """The rule a target is attached to: the one it depends on, else the rules of its literal
        ``rule`` name on its own event bus (a rule's name is unique per bus, not per account)."""
        linked = [d for d in deps(target, "rule") if d.resource_type == EVENT_RULE]
        if linked:
            return linked
        name = get_or_none(target.props, "rule")
        if not isinstance(name, str) or not name:
            return []
        # Only a rule that may run on a schedule matters: while a bus is unknown at preview, which of
        # those runs the target is undecided, not none (a rule of a known bus that matches decides).
        named = [rule for _, rule in self._stack.having((EVENT_RULE,), _rule_names, name) if _may_recur(rule)]
        if not named:
            return []
        bus = _bus_of(target)  # raises while unknown
        matches, unknown = [], None
        for rule in named:
            try:
                if _bus_of(rule) == bus:
                    matches.append(rule)
            except UnknownValueError as error:
                unknown = unknown or error
        if not matches and unknown is not None:
            raise unknown
        return matches


def _may_recur(rule: PolicyResource) -> bool:
    """A rule that runs on a recurring schedule, or may (a value unknown at preview)."""
    try:
        return _recurring_rule(rule)
    except UnknownValueError:
        return True


def _bus_of(resource: PolicyResource) -> str:
    """The name of the event bus a rule or target is on (``eventBusName``, a name or an ARN; unset:
    ``default``); raises ``UnknownValueError`` while unknown at preview."""
    bus = get(resource.props, "eventBusName")
    if not isinstance(bus, str) or not bus:
        return "default"
    return bus.rpartition(":event-bus/")[2]
