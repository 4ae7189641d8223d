"""rollback-alarms-can-fire (policies/rules/alarms.py): the alarms an endpoint's
autoRollbackConfiguration names can go into ALARM before its deployment ends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._alarm_metrics import ALARMS, ASYNC_ONLY, ASYNC_UNPUBLISHED, INVOCATION_METRICS, METRIC_UNITS, Findings
from ._common import (
    HIGH,
    MANDATORY,
    StackIndex,
    UndecidedCollector,
    Undeterminable,
    deps,
    get,
    get_or_none,
    is_map,
    is_set,
    items,
    number,
    of_type,
    shown,
    stack_rule,
    str_list,
)
from ._serving import ENDPOINTS, endpoint_config_of
from ._watched_metrics import ENDPOINT_DIMENSION, Watched, _side, watched_metric

# --- rollback alarms ------------------------------------------------------------------------------


def _alarm_name(alarm: PolicyResource) -> str | None:
    """A CloudWatch alarm's name (pulumi-aws ``name``, aws-native ``alarmName``); a value that is no
    string (a map, a list: refused by the provider) names no alarm."""
    name = get_or_none(alarm.props, "name") or get_or_none(alarm.props, "alarmName")
    return name if isinstance(name, str) else None


def _alarm_names(alarm: PolicyResource) -> tuple[Any]:
    return (_alarm_name(alarm),)


def _rollback_alarms(endpoint: PolicyResource, stack: StackIndex) -> list[PolicyResource]:
    """The stack's alarms an endpoint's autoRollbackConfiguration names (known names first)."""
    entries = items(get(endpoint.props, "deploymentConfig.autoRollbackConfiguration.alarms"))
    names = {get_or_none(entry, "alarmName") for entry in entries} - {None}
    linked = [d for d in deps(endpoint, "deploymentConfig") if d.resource_type in ALARMS]
    by_name = stack.in_stack_order(*(stack.having(ALARMS, _alarm_names, name) for name in names))
    return list({a.urn: a for a in [*by_name, *linked]}.values())


def _rollback_can_fire(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)
    extra = set(str_list(cfg["extraBadWhenHighMetrics"]))

    def check(endpoint: PolicyResource, untimed: list[str]) -> Findings:
        name = get_or_none(endpoint.props, "name") or get_or_none(endpoint.props, "endpointName")
        config = endpoint_config_of(endpoint, stack)
        asynchronous = config is not None and is_set(get_or_none(config.props, "asyncInferenceConfig"))
        for alarm in _rollback_alarms(endpoint, stack):
            watched = watched_metric(alarm.props)
            operator, side = _side(alarm.props)
            where = f"rollback alarm {alarm.name!r} of endpoint {endpoint.name!r}"
            if watched is None:
                yield (
                    f"{where} evaluates a metric-math expression whose direction is not known: roll back on a "
                    "plain failure metric (5xx errors, latency) or an error ratio such as 100*m1/m2 (this "
                    "endpoint's error Sum over its Invocations Sum, same dimensions and period).",
                    alarm.urn,
                )
                continue
            # An async endpoint publishes no Invocations: neither a metric nor a ratio's denominator
            # (SageMaker's: a metric of that name in the application's namespace is its own to publish).
            read = {p.name for p in watched.plain if p.namespace == INVOCATION_METRICS} | (
                {watched.denominator} if watched.denominator else set()
            )
            unpublished = sorted(read & set(ASYNC_UNPUBLISHED))
            if asynchronous and unpublished:
                yield (
                    f"{where} reads {', '.join(unpublished)}, which an async endpoint does not publish, so "
                    "it never fires: roll back on Invocation5XXErrors or ModelLatency, or an error ratio over "
                    "InvocationsProcessed.",
                    alarm.urn,
                )
                continue
            # ... and a real-time or serverless one none of an async endpoint's queue and request metrics.
            async_only = sorted(read & set(ASYNC_ONLY))
            # Unknown at preview: undecided (get raises), never judged real-time.
            if async_only and config is not None and not is_set(get(config.props, "asyncInferenceConfig")):
                yield (
                    f"{where} reads {', '.join(async_only)}, which only an async endpoint publishes (this "
                    "endpoint's configuration has no asyncInferenceConfig), so it never fires: roll back on "
                    "Invocation5XXErrors or ModelLatency, or an error ratio over Invocations.",
                    alarm.urn,
                )
                continue
            meaning = watched.meaning
            custom = f"{watched.namespace}:{watched.name}" in extra
            if not custom and (meaning is None or meaning.bad != "high"):
                yield (
                    f"{where} watches {watched.label or 'no metric'}, not a failure that rises: roll back on "
                    "errors, latency or utilisation (or list the metric in extraBadWhenHighMetrics).",
                    alarm.urn,
                )
            elif side not in ("high", "both"):  # an anomaly band's both sides include the rise
                yield (
                    f"{where} has comparisonOperator {shown(operator or None)}, so it never fires when "
                    f"{watched.label} rises: use 'GreaterThanThreshold'.",
                    alarm.urn,
                )
            elif isinstance(name, str) and name and _elsewhere(watched, name):
                endpoints = sorted({p.endpoint for p in watched.plain if p.endpoint})
                shown_endpoints = (
                    f"no endpoint (no {ENDPOINT_DIMENSION.get(watched.namespace, 'EndpointName')} dimension)"
                    if not endpoints
                    else f"endpoint {endpoints[0]!r}"
                    if len(endpoints) == 1
                    else f"endpoints {endpoints}"
                )
                key = ENDPOINT_DIMENSION.get(watched.namespace, "EndpointName")
                dimension = (
                    f"its metrics' {key} dimension"
                    if len(watched.plain) > 1
                    else f"the alarm's {key} dimension"
                )
                yield (
                    f"{where} watches {shown_endpoints}, not {name!r}: its deployments never trip "
                    f"it; set {dimension} to this endpoint's name.",
                    alarm.urn,
                )
            elif wrong := _wrong_unit(watched):
                part, expected = wrong
                yield (
                    f"{where} reads {part.label} in unit {part.unit!r}, but SageMaker publishes it in "
                    f"{expected!r}: a unit the data points lack returns no data, so it never fires; "
                    "remove the unit.",
                    alarm.urn,
                )
            elif (needed := _time_to_alarm(alarm.props)) is not None and not _has_update_policy(endpoint):
                untimed.append(alarm.name)
            elif (span := _deployment_span(endpoint)) and needed is not None and needed >= span:
                yield (
                    f"{where} needs more than {int(needed)} seconds of breaching data to go into ALARM "
                    "(period x datapointsToAlarm, else evaluationPeriods, less the newest data point, "
                    "which breaches as soon as the data does), as long as a deployment watches it or longer "
                    f"({int(span)} seconds: maximumExecutionTimeoutInSeconds, {LONGEST_DEPLOYMENT} when unset, "
                    "and terminationWaitInSeconds), so "
                    "it never rolls a deployment back: use a period of 60 seconds and a few data points.",
                    alarm.urn,
                )

    undecided = UndecidedCollector()
    for endpoint in of_type(args.resources, ENDPOINTS):
        untimed: list[str] = []
        try:
            found = list(check(endpoint, untimed))
        except UnknownValueError as error:
            undecided.add(endpoint, error)
            continue
        yield from found
        if untimed:
            undecided.add(endpoint, Undeterminable(_untimed_message(endpoint, untimed)))
    undecided.raise_if_any()


def _has_update_policy(endpoint: PolicyResource) -> bool:
    return any(is_map(get(endpoint.props, f"deploymentConfig.{policy}")) for policy in _POLICIES)


def _untimed_message(endpoint: PolicyResource, alarms: list[str]) -> str:
    return (
        f"endpoint {endpoint.name!r} rolls back on {', '.join(map(repr, alarms))} "
        "(deploymentConfig.autoRollbackConfiguration) but sets neither blueGreenUpdatePolicy nor "
        "rollingUpdatePolicy: SageMaker then deploys blue/green, all at once (botocore's DeploymentConfig), "
        "with a baking period and execution timeout AWS does not document (none of its own, nor a "
        "MaximumExecutionTimeoutInSeconds default), so whether those alarms can go into ALARM before the "
        "old fleet is terminated cannot be judged. Set blueGreenUpdatePolicy (its trafficRoutingConfiguration's "
        "waitIntervalInSeconds, maximumExecutionTimeoutInSeconds) so the deployment watches them for a "
        "known time."
    )


#: The longest an endpoint deployment may last (``MaximumExecutionTimeoutInSeconds``, 600-28800)
#: and wait before it terminates the old fleet (``TerminationWaitInSeconds``, 0-3600): botocore.
LONGEST_DEPLOYMENT = 28_800
_POLICIES = ("blueGreenUpdatePolicy", "rollingUpdatePolicy")


def _deployment_span(endpoint: PolicyResource) -> float | None:
    """The longest a deployment of ``endpoint`` can watch its rollback alarms: its execution timeout
    (the longest SageMaker allows when unset) and, generously, its termination wait on top. None
    without a deployment policy, or when one of the two is unknown.

    Its baking waits would bound it closer, but a wait shorter than a rollback alarm's data (a bake
    of 60 seconds against three 60-second periods) is the safe-rollout rule's business; only an
    alarm that cannot fire within the whole deployment is refused here."""
    spans: list[float] = []
    for policy in _POLICIES:
        prefix = f"deploymentConfig.{policy}"
        if not is_map(get(endpoint.props, prefix)):
            continue
        timeout, wait = (
            get(endpoint.props, f"{prefix}.{key}")
            for key in ("maximumExecutionTimeoutInSeconds", "terminationWaitInSeconds")
        )
        if any(value is not None and number(value) is None for value in (timeout, wait)):
            return None
        spans.append((number(timeout) or float(LONGEST_DEPLOYMENT)) + (number(wait) or 0.0))
    return max(spans) if spans else None


def _time_to_alarm(props: Any) -> float | None:
    """The time an alarm needs to go into ALARM is more than this: ``datapointsToAlarm`` (else
    ``evaluationPeriods``) breaching periods of its longest ``period`` (a metric-math query's own),
    less one. The newest data point breaches as soon as the data does (CloudWatch evaluates every
    minute over a sliding window ending now, its default; a wall clock window's first period may have
    begun before the deployment), so a one-data-point alarm over a day's ``Sum`` can fire within
    minutes; each further breaching data point is one more whole period of the deployment's data.
    None when a value is unknown or unset."""
    queries = [q for q in items(get(props, "metricQueries") or get(props, "metrics")) if is_map(q)]
    periods = [get(props, "period")] + [
        get(q, key) for q in queries for key in ("metric.period", "metricStat.period", "period")
    ]
    known = [number(p) for p in periods if p is not None]
    datapoints = get(props, "datapointsToAlarm")
    count = number(datapoints) if datapoints not in (None, 0, "") else number(get(props, "evaluationPeriods"))
    if not known or None in known or not count:
        return None
    return max(p for p in known if p is not None) * (count - 1)


def _wrong_unit(watched: Watched) -> tuple[Watched, str] | None:
    """The first metric the alarm reads in a unit SageMaker does not publish it in, with that unit."""
    for part in watched.plain:
        expected = METRIC_UNITS.get((part.namespace, part.name))
        if expected is not None and part.unit and part.unit != expected:
            return part, expected
    return None


def _elsewhere(watched: Watched, name: str) -> bool:
    """Every metric the alarm reads names another endpoint literally, or is a SageMaker metric whose
    known dimensions name no endpoint (SageMaker publishes it per endpoint: without one it has no
    data). An aggregate over several endpoints can fire on this one's deployment as long as one of
    them is this one; a custom metric (extraBadWhenHighMetrics) may name it otherwise."""
    return all(
        p.endpoint is not None and p.endpoint != name and (p.endpoint != "" or p.meaning is not None)
        for p in watched.plain
    )


rollback_alarms_can_fire = stack_rule(
    name="rollback-alarms-can-fire",
    description=(
        "Every CloudWatch alarm in this stack that an endpoint's deploymentConfig."
        "autoRollbackConfiguration names must watch a failure that rises (SageMaker errors, latency, "
        "utilisation, backlog, or extraBadWhenHighMetrics) with a GreaterThan operator (an anomaly "
        "band's upper or both sides), on that endpoint (its EndpointName dimension; an aggregate over "
        "several endpoints' metrics must include it; on an async endpoint none of Invocations, "
        "InvocationsPerInstance, OverheadLatency, which it does not publish, nor an error ratio over "
        "Invocations: use InvocationsProcessed; on any other endpoint none of the metrics only an async "
        "endpoint publishes, such as InvocationsProcessed, InvocationFailures or its backlog), in no unit but SageMaker's own for the metric, able "
        "to go into ALARM (period x (datapoints - 1)) within the deployment's execution timeout and termination wait: a rollback alarm "
        "that cannot fire never rolls a bad deployment back (without an update policy SageMaker's default "
        "blue/green has no documented baking period or timeout: undecided). Fix: point the rollback list at the "
        "endpoint's 5xx/latency alarms firing above their threshold."
    ),
    check=_rollback_can_fire,
    enforcement_level=MANDATORY,
    severity=HIGH,
    config={
        "extraBadWhenHighMetrics": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Further 'Namespace:MetricName' metrics that are bad when high (custom failure metrics).",
        }
    },
    tags=["sagemaker", "deployment", "alarms"],
)
