"""Alarm and scaling semantics: alarms fire on the bad side of their metric, over a statistic that
fits it; rollback alarms can fire; SageMaker scaling policies scale the right way.

Only metrics whose meaning is known are judged (``METRICS``, ``MODEL_QUALITY``); an alarm on any
other metric passes. An alarm on metric math is judged when the query it returns is a plain
metric (its ``stat`` is the statistic), an expression that only names one (``m1``),
``MAX``/``MIN``/``AVG``/``SUM`` over plain metrics of one meaning (the drift alarm's largest feature drift),
or an endpoint's error count over its own invocations (both ``Sum``, same dimensions and period),
scaled by a positive constant (``100*m1/m2``, the error rate: read as the error metric); any other expression is skipped, because
it can invert or rescale the metric (``IF``, ``FILL``, arithmetic). An anomaly-detection alarm
watches the query it compares with its band (the band's id is its ``thresholdMetricId``). Unset
values read as the provider reports them after apply (``""``, ``[]``, ``0``) count as unset.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._common import (
    HIGH,
    MANDATORY,
    MEDIUM,
    Found,
    StackIndex,
    UndecidedCollector,
    Undeterminable,
    deps,
    each_resource,
    get,
    get_or_none,
    is_map,
    is_set,
    items,
    number,
    of_type,
    resource_rule,
    shown,
    stack_rule,
    str_list,
)
from ._serving import ENDPOINTS, SCALABLE_TARGETS, SCALING_POLICIES, SCALING_POLICY

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NATIVE_ALARM = "aws-native:cloudwatch:Alarm"
ALARMS = (METRIC_ALARM, NATIVE_ALARM)
INVOCATION_METRICS = "AWS/SageMaker"
ENDPOINT_METRICS = "/aws/sagemaker/Endpoints"
DRIFT_METRICS = "aws/sagemaker/Endpoints/data-metrics"
QUALITY_METRICS = "aws/sagemaker/Endpoints/model-metrics"
# ASCII digits and the whole string: AWS takes nothing else as a percentile statistic, so "p99\n" or
# a non-ASCII digit must not pass for one.
PERCENTILE = re.compile(r"p[0-9]{1,2}(?:\.[0-9]+)?")

Check = Iterator[str]
Findings = Iterator[tuple[str, str | None]]


@dataclass(frozen=True)
class Metric:
    """What a known metric means: which side is bad, and the statistics that fit it."""

    bad: str  # "high" | "low"
    kind: str  # "errors" | "latency" | "utilisation" | "backlog" | "drift" | "quality"

    @property
    def fires_on(self) -> str:
        return "GreaterThanThreshold" if self.bad == "high" else "LessThanThreshold"


ERRORS, LATENCY = Metric("high", "errors"), Metric("high", "latency")
UTILISATION, BACKLOG = Metric("high", "utilisation"), Metric("high", "backlog")

#: The endpoint instance metrics (``/aws/sagemaker/Endpoints``), each a percentage of capacity.
UTILISATION_METRICS = (
    "GPUUtilization",
    "GPUMemoryUtilization",
    "DiskUtilization",
    "MemoryUtilization",
    "CPUUtilization",
)
#: (namespace, metric name) -> meaning.
METRICS: Mapping[tuple[str, str], Metric] = {
    (INVOCATION_METRICS, "Invocation5XXErrors"): ERRORS,
    (INVOCATION_METRICS, "Invocation4XXErrors"): ERRORS,
    (INVOCATION_METRICS, "InvocationModelErrors"): ERRORS,
    (INVOCATION_METRICS, "ModelLatency"): LATENCY,
    (INVOCATION_METRICS, "OverheadLatency"): LATENCY,
    (INVOCATION_METRICS, "HasBacklogWithoutCapacity"): BACKLOG,
    (INVOCATION_METRICS, "ApproximateBacklogSize"): BACKLOG,
    (INVOCATION_METRICS, "ApproximateBacklogSizePerInstance"): BACKLOG,
    **{(ENDPOINT_METRICS, name): UTILISATION for name in UTILISATION_METRICS},
}
#: The unit SageMaker publishes each metric in (AWS's "Units:" of the endpoint metrics): an alarm or
#: query that names another unit reads no data points, so it never leaves INSUFFICIENT_DATA.
METRIC_UNITS: Mapping[tuple[str, str], str] = {
    **{
        (INVOCATION_METRICS, name): "None"
        for name in ("Invocation5XXErrors", "Invocation4XXErrors", "InvocationModelErrors", "Invocations")
    },
    **{(INVOCATION_METRICS, name): "Microseconds" for name in ("ModelLatency", "OverheadLatency")},
    **{(ENDPOINT_METRICS, name): "Percent" for name in UTILISATION_METRICS},
}
#: Model Monitor model-quality metrics (``aws/sagemaker/Endpoints/model-metrics``) by direction.
MODEL_QUALITY: Mapping[str, Metric] = {
    **{
        name: Metric("low", "quality")
        for name in (
            "accuracy",
            "auc",
            "f0_5",
            "f1",
            "f2",
            "precision",
            "recall",
            "r2",
            "au_prc",
            "balanced_accuracy",
            "true_positive_rate",
            "true_negative_rate",
            # MulticlassClassification
            "weighted_precision",
            "weighted_recall",
            "weighted_f0_5",
            "weighted_f1",
            "weighted_f2",
        )
    },
    **{
        name: Metric("high", "quality")
        for name in ("mae", "mse", "rmse", "false_positive_rate", "false_negative_rate")
    },
}
#: Which side of the threshold each comparison operator fires on ("both": an anomaly band).
OPERATOR_SIDES: Mapping[str, str] = {
    "GreaterThanThreshold": "high",
    "GreaterThanOrEqualToThreshold": "high",
    "GreaterThanUpperThreshold": "high",
    "LessThanThreshold": "low",
    "LessThanOrEqualToThreshold": "low",
    "LessThanLowerThreshold": "low",
    "LessThanLowerOrGreaterThanUpperThreshold": "both",
}


def metric_of(namespace: Any, name: Any) -> Metric | None:
    if not isinstance(namespace, str) or not isinstance(name, str):
        return None
    if namespace == DRIFT_METRICS and name.startswith("feature_baseline_drift_"):
        return Metric("high", "drift")
    if namespace == QUALITY_METRICS:
        return MODEL_QUALITY.get(name)
    return METRICS.get((namespace, name))


@dataclass(frozen=True)
class Watched:
    """The metric an alarm evaluates and the statistic it takes (``""``: unset)."""

    namespace: str
    name: str
    statistic: str
    where: str  # where the statistic is set, for messages
    # its EndpointName (Endpoint for Model Monitor) dimension when literal, "" when it has none
    endpoint: str | None = None
    # The plain metrics an aggregate (``MAX([m1, m2])``) takes, each with its statistic and endpoint
    # (the aggregate's own ``statistic`` is theirs when they agree, else ``""``).
    parts: tuple[Watched, ...] = ()
    # The unit the alarm or query names ("" when unset, None when unknown at preview).
    unit: str | None = ""
    # An error count divided by the same endpoint's invocations (an error rate computed in metric
    # math): its threshold is the ratio's, which reaches at most ``ratio_ceiling`` (1, or the scale).
    ratio: bool = False
    ratio_ceiling: float = 1.0

    @property
    def plain(self) -> tuple[Watched, ...]:
        """The plain metrics read: an aggregate's parts, each with its own statistic and endpoint."""
        return self.parts or (self,)

    @property
    def meaning(self) -> Metric | None:
        return metric_of(self.namespace, self.name)

    @property
    def label(self) -> str:
        return f"{self.namespace} {self.name}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def watched_metric(props: Any) -> Watched | None:
    """The plain metric an alarm watches, directly or as the query its metric math returns."""
    # pulumi-aws: metricQueries[].metric.stat; aws-native: metrics[].metricStat.{metric,stat}.
    queries = [q for q in items(get(props, "metricQueries") or get(props, "metrics")) if is_map(q)]
    if not queries:
        statistic = _text(get(props, "extendedStatistic")) or _text(get(props, "statistic"))
        key = "extendedStatistic" if _text(get(props, "extendedStatistic")) else "statistic"
        return _metric_at(props, "", statistic, key)
    # An anomaly-detection alarm returns its metric and the band it is compared with; the band
    # (``thresholdMetricId``) is the threshold, not what the alarm watches.
    band = get(props, "thresholdMetricId")
    queries_watched = [q for q in queries if not (is_set(band) and get(q, "id") == band)]
    returned = [q for q in queries_watched if get(q, "returnData") is not False]
    returned = [q for q in queries_watched if get(q, "returnData") is True] or returned
    if len(returned) != 1:
        return None
    [query] = returned
    if not is_set(get(query, "expression")):
        return _query_metric(queries, query)
    # MAX/MIN/AVG/SUM over plain metrics of one meaning keep its direction (each rises with every
    # input), and so does an expression that only names one (``m1``); any other expression can
    # invert or rescale the metric and is not judged.
    expression = re.sub(r"\s+", "", _text(get(query, "expression")))
    found = AGGREGATE.match(expression) or IDENTITY.match(expression)
    by_id = {get(q, "id"): q for q in queries}
    if not found:
        return _error_ratio(queries, query, by_id, expression)
    parts = [
        _query_metric(queries, by_id[i]) if i in by_id and by_id[i] is not query else None
        for i in (found[1].split(",") if found else [])
    ]
    meanings = {p.meaning for p in parts if p is not None}
    if not parts or None in parts or len(meanings) != 1 or None in meanings:
        return None
    plain = tuple(p for p in parts if p is not None)
    statistics = {p.statistic for p in plain}
    first = plain[0]
    return Watched(
        first.namespace,
        first.name,
        statistics.pop() if len(statistics) == 1 else "",
        first.where,
        parts=plain,
    )


AGGREGATE = re.compile(r"^(?:MAX|MIN|AVG|SUM)\(\[?([A-Za-z0-9_,]+)\]?\)$")
#: An error ratio, optionally scaled to a percentage: ``m1/m2``, ``100*m1/m2``, ``(m1/m2)*100``, and the
#: form that cannot divide by zero, ``100*m1/MAX([m1,m2])``.
RATIO = re.compile(
    r"^(?:(?P<before>[0-9]+(?:\.[0-9]+)?)\*)?\(?(?P<part>[a-z][A-Za-z0-9_]*)/"
    r"(?:(?P<whole>[a-z][A-Za-z0-9_]*)|MAX\(\[(?P<wholes>[a-z][A-Za-z0-9_]*(?:,[a-z][A-Za-z0-9_]*)+)\]\))\)?"
    r"(?:\*(?P<after>[0-9]+(?:\.[0-9]+)?))?$"
)


def _error_ratio(queries: list[Any], query: Any, by_id: dict[Any, Any], expression: str) -> Watched | None:
    """The error share of one endpoint's traffic (``100*m1/m2``: its 5xx count over its invocations;
    or over ``MAX([m1,m2])``), scaled by a positive constant: read as the error metric (the one part
    judged, a ratio of at most the scale). Both sides are SageMaker's own ``Sum`` per period with the
    same dimensions and period: a denominator of another endpoint, of no endpoint or of a metric
    nothing publishes has no data, and CloudWatch's division then has none either (the alarm never
    leaves INSUFFICIENT_DATA); another statistic is not a count. Any other expression (``IF``,
    ``FILL``, a difference, the errors in the denominator alone, a constant that may be 0) is not."""
    found = RATIO.match(expression)
    if not found:
        return None
    scales = [float(found[k]) for k in ("before", "after") if found[k] is not None]
    if any(scale <= 0 for scale in scales):
        return None
    wholes = found["wholes"].split(",") if found["wholes"] else [found["whole"]]
    if found["part"] in wholes and len(wholes) == 1:
        return None
    part, others = by_id.get(found["part"]), [by_id.get(w) for w in wholes if w != found["part"]]
    if part is None or part is query or not others or any(o is None or o is query for o in others):
        return None
    errors = _query_metric(queries, part)
    if (
        errors is None
        or errors.namespace != INVOCATION_METRICS
        or errors.meaning is None
        or errors.meaning.kind != "errors"
        or errors.statistic != "Sum"
    ):
        return None
    for other in others:
        traffic = _query_metric(queries, other)
        if (
            traffic is None
            or (traffic.namespace, traffic.name, traffic.statistic)
            != (INVOCATION_METRICS, "Invocations", "Sum")
            or not _same_series(part, other)
        ):
            return None
    ceiling = math.prod(scales) if scales else 1.0
    return Watched(
        errors.namespace,
        errors.name,
        errors.statistic,
        errors.where,
        errors.endpoint,
        parts=(errors,),
        ratio=True,
        ratio_ceiling=ceiling,
    )


def _same_series(first: Any, second: Any) -> bool:
    """Two metric queries read the same dimensions over the same period, of the same account, with no
    unit but SageMaker's own ``None`` (pulumi-aws ``metric.{dimensions,period,unit}`` and
    ``accountId``, aws-native ``metricStat.{metric.dimensions,period,unit}`` and ``accountId``): a
    unit the data points do not carry, or another account's series, returns no data. A value unknown
    at preview is not known to differ."""
    native = is_set(get(first, "metricStat"))
    dimensions_at, stat_at = ("metricStat.metric.", "metricStat.") if native else ("metric.", "metric.")
    try:
        dimensions = [_dimension_pairs(get(q, f"{dimensions_at}dimensions")) for q in (first, second)]
        periods = [get(q, f"{stat_at}period") for q in (first, second)]
        units = [get(q, f"{stat_at}unit") for q in (first, second)]
        accounts = [get(q, "accountId") for q in (first, second)]
    except UnknownValueError:
        return True
    if any(is_set(unit) and unit != "None" for unit in units):
        return False
    owners = [account if is_set(account) else "" for account in accounts]  # unset: the alarm's own
    return dimensions[0] == dimensions[1] and periods[0] == periods[1] and owners[0] == owners[1]


def _dimension_pairs(dimensions: Any, read: Callable[[Any, str], Any] = get) -> dict[Any, Any]:
    """Dimensions as a map: pulumi-aws's own, or aws-native's ``[{name, value}]``, each name and
    value taken with ``read`` (``get`` raises ``UnknownValueError`` where one is unknown at preview)."""
    if is_map(dimensions):
        return {str(k): read(dimensions, str(k)) for k in dimensions}
    return {read(d, "name"): read(d, "value") for d in items(dimensions) if is_map(d)}


#: An expression that only names another query (``m1``, ``(m1)``): the same metric, unchanged.
IDENTITY = re.compile(r"^\(*([a-z][A-Za-z0-9_]*)\)*$")


def _query_metric(queries: list[Any], query: Any) -> Watched | None:
    index = queries.index(query)
    if is_set(get(query, "metricStat")):  # aws-native
        return _metric_at(
            query,
            "metricStat.metric.",
            _text(get(query, "metricStat.stat")),
            f"metrics[{index}].metricStat.stat",
        )
    if not is_set(get(query, "metric")):
        return None
    return _metric_at(
        query, "metric.", _text(get(query, "metric.stat")), f"metricQueries[{index}].metric.stat"
    )


def _metric_at(owner: Any, prefix: str, statistic: str, where: str) -> Watched:
    """The metric whose ``namespace``, ``metricName`` and ``dimensions`` are at ``prefix`` in
    ``owner`` (an alarm, or one of its metric queries), taken by ``statistic`` (set at ``where``)."""
    namespace = _text(get(owner, f"{prefix}namespace"))
    # aws-native keeps a query's unit beside its metric (metricStat.unit), pulumi-aws inside it.
    unit_at = "metricStat.unit" if prefix == "metricStat.metric." else f"{prefix}unit"
    unit: str | None
    try:
        value = get(owner, unit_at)
        unit = value if isinstance(value, str) else ""
    except UnknownValueError:
        unit = None
    return Watched(
        namespace,
        _text(get(owner, f"{prefix}metricName")),
        statistic,
        where,
        _endpoint_dimension(owner, f"{prefix}dimensions", namespace),
        unit=unit,
    )


#: The dimension that names the endpoint in each SageMaker namespace (Model Monitor's ``Endpoint``).
ENDPOINT_DIMENSION = {
    INVOCATION_METRICS: "EndpointName",
    ENDPOINT_METRICS: "EndpointName",
    DRIFT_METRICS: "Endpoint",
    QUALITY_METRICS: "Endpoint",
}


def _endpoint_dimension(owner: Any, path: str, namespace: str) -> str | None:
    """The endpoint a metric's dimensions at ``path`` name (a map, or aws-native's ``[{name,
    value}]``) by its namespace's dimension (:data:`ENDPOINT_DIMENSION`; either name in another
    namespace): its name when literal; ``""`` when the dimensions are known and name none (nor an
    inference component: its metrics carry no endpoint); None when that is not known at preview."""
    try:
        dimensions = get(owner, path)
    except UnknownValueError:
        return None
    pairs = _dimension_pairs(dimensions, get_or_none)  # an unknown name or value reads as None
    if None in pairs or "InferenceComponentName" in pairs:
        return None
    keys = (
        [ENDPOINT_DIMENSION[namespace]] if namespace in ENDPOINT_DIMENSION else ["EndpointName", "Endpoint"]
    )
    present = [key for key in keys if key in pairs]
    if not present:
        return ""
    value = pairs[present[0]]
    return value if isinstance(value, str) else None


def _side(props: Any) -> tuple[str, str | None]:
    operator = _text(get(props, "comparisonOperator"))
    return operator, OPERATOR_SIDES.get(operator)


# --- direction -----------------------------------------------------------------------------------


#: An Application Auto Scaling policy ARN (``arn:aws:autoscaling:<region>:<account>:scalingPolicy:...``).
SCALING_POLICY_ARN = re.compile(r"^arn:[^:]+:autoscaling:[^:]*:[^:]*:scalingPolicy:")
#: Demand metrics a step-scaling scale-in alarm legitimately watches on their low side.
DEMAND_KINDS = frozenset({"utilisation", "backlog"})


def _scales_in(props: Any) -> bool:
    """Every alarm action runs an Application Auto Scaling policy (a scale-in trigger, not an alert).

    Raises ``UnknownValueError`` when the actions are not known yet (a policy's ARN Output at preview).
    """
    actions = items(get(props, "alarmActions"))
    return bool(actions) and all(isinstance(a, str) and SCALING_POLICY_ARN.match(a) for a in actions)


def _bad_side(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    watched = watched_metric(args.props)
    meaning = watched.meaning if watched else None
    operator, side = _side(args.props)
    if watched is None or meaning is None or side is None or side in ("both", meaning.bad):
        return
    if meaning.kind in DEMAND_KINDS and _scales_in(args.props):
        return  # low utilisation or backlog running scaling policies only: a scale-in trigger
    yield (
        f"comparisonOperator {operator!r} fires when {watched.label} is {side}, but {meaning.kind} "
        f"metrics are bad when {meaning.bad}: use {meaning.fires_on!r} (or its OrEqualTo form)."
    )


alarm_fires_on_the_bad_side = resource_rule(
    name="alarm-fires-on-the-bad-side",
    description=(
        "A CloudWatch alarm on a known SageMaker metric must fire on the metric's bad side: errors, "
        "latency, utilisation, async backlog, feature drift and error-type model-quality metrics "
        "(mae, mse, rmse, false rates) when high; score-type model-quality metrics (accuracy, auc, au_prc, "
        "f1, precision, recall, weighted_*, r2, true rates) when low. Metric math is judged when it returns a plain metric "
        "(or an error ratio such as 100*m1/m2, as its error metric). Utilisation and "
        "backlog alarms whose only actions are Application Auto Scaling policies (scale-in triggers) may "
        "fire low. Fix: flip comparisonOperator."
    ),
    resource_types=ALARMS,
    check=_bad_side,
    enforcement_level=MANDATORY,
    severity=HIGH,
    tags=["monitoring", "alarms"],
)


# --- statistic -----------------------------------------------------------------------------------


#: Error metrics SageMaker publishes as 1 per failed request and 0 per other one ("Valid statistics:
#: Average, Sum"): their Average is the share of requests that failed.
RATE_METRICS = frozenset({"Invocation4XXErrors", "Invocation5XXErrors"})


def _never_reached(props: Any, threshold: float | None, ceiling: float = 1.0) -> bool:
    """A rate (0 to ``ceiling``) compared above a threshold it cannot pass: over the ceiling, or the
    ceiling itself with a strict ``GreaterThanThreshold`` (an anomaly band has no fixed threshold)."""
    if threshold is None or is_set(get_or_none(props, "thresholdMetricId")):
        return False
    operator = _text(get_or_none(props, "comparisonOperator"))
    return threshold > ceiling or (threshold == ceiling and operator == "GreaterThanThreshold")


def _statistic(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    watched = watched_metric(args.props)
    meaning = watched.meaning if watched else None
    if watched is None or meaning is None:
        return
    threshold = number(get_or_none(args.props, "threshold"))
    if watched.ratio and _never_reached(args.props, threshold, watched.ratio_ceiling):
        yield (
            f"the alarm's error ratio of {watched.label} is at most {watched.ratio_ceiling:g} (every "
            f"request failed), but the threshold is {shown(get(args.props, 'threshold'))}, which it "
            "never exceeds: use a threshold below its scale (5 for 5% of 100*m1/m2, 0.05 of m1/m2)."
        )
    for part in watched.plain:  # each metric an aggregate takes, by its own statistic
        statistic = part.statistic
        if meaning.kind == "errors" and statistic == "Average" and part.name in RATE_METRICS:
            # SageMaker sends 1 per failed request and 0 per other one: the Average is the share of
            # requests that failed (an error rate, AWS's other documented statistic), never above 1.
            if _never_reached(args.props, threshold):
                yield (
                    f"{part.where} of {part.label} is 'Average', the share of requests that failed (0 to 1), "
                    f"but the threshold is {shown(get(args.props, 'threshold'))}, which it never exceeds: "
                    "use a threshold below 1 (0.01 for 1%), or 'Sum' to count errors."
                )
        elif meaning.kind == "errors" and statistic != "Sum":
            yield (
                f"{part.where} of {part.label} is {shown(statistic or None)}: an error count is judged by "
                "its Sum per period (4XX/5XX also by their Average, the error rate; a Minimum, Maximum or "
                "percentile of counts says nothing of how many failed): use 'Sum'."
            )
        elif meaning.kind == "latency" and statistic != "Average" and not PERCENTILE.fullmatch(statistic):
            yield (
                f"{part.where} of {part.label} is {shown(statistic or None)}: judge latency by its "
                "'Average' or a percentile extendedStatistic such as 'p99'."
            )


alarm_statistic_fits_the_metric = resource_rule(
    name="alarm-statistic-fits-the-metric",
    description=(
        "A CloudWatch alarm on a SageMaker error count (Invocation4XXErrors, Invocation5XXErrors, "
        "InvocationModelErrors) must use the Sum statistic (4XX/5XX also the Average, their error rate: "
        "SageMaker sends 1 per failed request, 0 per other, with a threshold below 1); one on ModelLatency/OverheadLatency the "
        "Average or a pNN extendedStatistic (an aggregate's metrics each by its own stat). Fix: set "
        "statistic (or extendedStatistic, or the returned metric query's stat)."
    ),
    resource_types=ALARMS,
    check=_statistic,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["monitoring", "alarms"],
)


# --- rollback alarms ------------------------------------------------------------------------------


def _alarm_name(alarm: PolicyResource) -> Any:
    return get_or_none(alarm.props, "name") or get_or_none(alarm.props, "alarmName")


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
        "several endpoints' metrics must include it), in no unit but SageMaker's own for the metric, able "
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


# --- scaling policies -----------------------------------------------------------------------------


_SAGEMAKER_RESOURCE_IDS = ("endpoint/", "inference-component/")


def _on_sagemaker(props: Any) -> bool:
    """A policy that scales a SageMaker resource by what it says itself: its namespace, or (an
    aws-native policy may leave the namespace to its target) its dimension, its resource id, or the
    ``scalingTargetId`` it names its target by: CloudFormation's scalable target id,
    ``<resource id>|<dimension>|<namespace>`` (unknown at a preview that creates the target: the
    check is then undecided until ``pulumi up`` knows it)."""
    namespace = get(props, "serviceNamespace")
    if namespace is not None:
        return namespace == "sagemaker"
    dimension, resource_id = get_or_none(props, "scalableDimension"), get_or_none(props, "resourceId")
    if (isinstance(dimension, str) and dimension.startswith("sagemaker:")) or (
        isinstance(resource_id, str) and resource_id.startswith(_SAGEMAKER_RESOURCE_IDS)
    ):
        return True
    target_id = get(props, "scalingTargetId") if dimension is None and resource_id is None else None
    return isinstance(target_id, str) and target_id.rsplit("|", 1)[-1] == "sagemaker" and "|" in target_id


def _scales_sagemaker(policy: PolicyResource) -> bool:
    """As :func:`_on_sagemaker`, or through the target an aws-native policy names by
    ``scalingTargetId`` alone (a dependency on the target: read first, since the id itself is
    unknown at a preview that creates the target)."""
    targets = [t for t in deps(policy, "scalingTargetId") if t.resource_type in SCALABLE_TARGETS]
    if targets:  # the target says which service it scales
        return any(_on_sagemaker(target.props) for target in targets)
    return _on_sagemaker(policy.props)


def _target_tracking(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    # The type first: a policy of another type is not judged, whatever its target id (unknown at preview).
    if get(args.props, "policyType") != "TargetTrackingScaling" or not _on_sagemaker(args.props):
        return
    config = get(args.props, "targetTrackingScalingPolicyConfiguration")
    target = number(get(config, "targetValue"))
    if target is None or target <= 0:
        yield (
            f"targetTrackingScalingPolicyConfiguration.targetValue is {shown(get(config, 'targetValue'))}: "
            "set a positive target per instance."
        )
    unset = _unset_cooldowns(args.resource_type, args.props)
    scale_in, scale_out = (
        _cooldown(get(config, key), unset) for key in ("scaleInCooldown", "scaleOutCooldown")
    )
    # Failed only when it fails whatever an unset cooldown turns out to be, and only if it scales in
    # (with scaleIn disabled its scale-in cooldown is never used; read last: unknown at preview, it
    # leaves undecided only a policy the cooldowns would fail).
    if (
        scale_in is not None
        and scale_out is not None
        and max(scale_in[0]) < min(scale_out[0])
        and get(config, "disableScaleIn") is not True
    ):
        # After create pulumi-aws reports an unset cooldown as 0: a 0 may be one never set.
        advice = (
            "set both: scale in slowly and out fast"
            if "unset" in scale_in[1] + scale_out[1] or scale_in[0] == (0.0,)
            else "scale in slowly and out fast (were they swapped?)"
        )
        yield f"scaleInCooldown {scale_in[1]} is shorter than scaleOutCooldown {scale_out[1]}: {advice}."


VARIANT_DEFAULT_COOLDOWN = 300.0
"""Application Auto Scaling's cooldown for a SageMaker endpoint variant when a policy sets none
(CloudFormation, so aws-native, leaves it out): its API reference lists 300 s for endpoint variants
(their instance count and provisioned concurrency) and 0 for the targets it names otherwise; it
predates inference components, whose default it does not give (0 or 300 s here)."""


def _unset_cooldowns(resource_type: str, props: Any) -> tuple[float, ...]:
    """What an unset cooldown may be: 0 on pulumi-aws, whose provider sends an unset cooldown of
    the configuration block as 0 (it cannot tell it from 0); AWS's default on aws-native, by the
    scalable dimension (its own, or the middle field of its ``scalingTargetId``)."""
    if resource_type == SCALING_POLICY:
        return (0.0,)
    dimension = get_or_none(props, "scalableDimension")
    if dimension is None:
        target_id = get_or_none(props, "scalingTargetId")
        fields = target_id.split("|") if isinstance(target_id, str) else []
        dimension = fields[1] if len(fields) == 3 else None
    if isinstance(dimension, str) and dimension.startswith("sagemaker:variant:"):
        return (VARIANT_DEFAULT_COOLDOWN,)
    return (0.0, VARIANT_DEFAULT_COOLDOWN)


def _cooldown(value: Any, unset: tuple[float, ...]) -> tuple[tuple[float, ...], str] | None:
    """What a target-tracking cooldown may be, in seconds, and how a message shows it; None when it
    is not a number."""
    if value is None or value == "":
        return unset, f"unset ({' or '.join(shown(u) for u in unset)} s)"
    seconds = number(value)
    return None if seconds is None else ((seconds,), shown(seconds))


sagemaker_target_tracking_sound = resource_rule(
    name="sagemaker-target-tracking-sound",
    description=(
        "Target-tracking scaling policies of SageMaker variants and inference components (pulumi-aws "
        "and aws-native) must have a positive targetValue and scaleInCooldown >= scaleOutCooldown "
        "(scale out fast, in slowly; an unset cooldown is 0 on pulumi-aws, whose provider sends 0, and "
        "AWS's default on aws-native, 300 s for a variant; not compared when disableScaleIn is true). "
        "Fix: set target_tracking_scaling_policy_configuration's "
        "target_value and cooldowns."
    ),
    resource_types=list(SCALING_POLICIES),
    check=_target_tracking,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["sagemaker", "availability", "scaling"],
)


def _alarm_actions(alarm: PolicyResource) -> list[str]:
    return str_list(get_or_none(alarm.props, "alarmActions"))


#: An Application Auto Scaling policy's ARN: a UUID the service generates, then what it scales and its
#: name (``...:scalingPolicy:<uuid>:resource/<namespace>/<resource id>:policyName/<name>``). A policy
#: name may hold ``:`` (and ``:policyName/``), a resource id ``:`` too (Lambda's
#: ``function:<name>:<alias>``): the text after ``resource/<namespace>/`` is kept whole, not split.
_SCALING_POLICY_ARN = re.compile(
    r"^arn:[^:]+:autoscaling:[^:]*:[0-9]*:scalingPolicy:[^:]+:resource/(?P<namespace>[^/]+)/"
    r"(?P<named>.+:policyName/.+)\Z",
    re.DOTALL,
)


def _actioned_policies(alarm: PolicyResource) -> list[tuple[str, str]]:
    """``(namespace, "<resource id>:policyName/<name>")`` of each scaling policy an alarm's
    ``alarmActions`` name by a literal ARN."""
    found = (_SCALING_POLICY_ARN.match(arn) for arn in _alarm_actions(alarm))
    return [(m["namespace"], m["named"]) for m in found if m]


def _policy_key(policy: PolicyResource) -> tuple[str, str] | None:
    """What a policy's ARN names it by (see :data:`_SCALING_POLICY_ARN`), from its inputs: its
    ``serviceNamespace``, and its ``resourceId`` and ``name`` as the ARN writes them (aws-native:
    ``policyName``, the first two also from ``scalingTargetId``, ``<resource id>|<dimension>|
    <namespace>``); None when not known. Compared as text, a name holding ``:`` matches only an ARN
    holding that name after that resource id."""
    name = get_or_none(policy.props, "name") or get_or_none(policy.props, "policyName")
    namespace = get_or_none(policy.props, "serviceNamespace")
    resource = get_or_none(policy.props, "resourceId")
    target_id = get_or_none(policy.props, "scalingTargetId")
    if (namespace is None or resource is None) and isinstance(target_id, str) and target_id.count("|") == 2:
        resource, _, namespace = target_id.split("|")
    fields = (namespace, resource, name)
    if not all(isinstance(f, str) and f for f in fields):
        return None
    return str(namespace), f"{resource}:policyName/{name}"


def _triggers(policy: PolicyResource, stack: StackIndex) -> list[PolicyResource]:
    """Alarms whose alarmActions run ``policy``: through the ARN Output, or a literal ARN, compared
    as Application Auto Scaling does, exactly: with the policy's ARN once known (after create), before
    that by what the ARN names (the policy's namespace, resource id and name; its UUID is generated)."""
    linked = stack.consumers(policy, ALARMS, "alarmActions")
    return stack.in_stack_order(linked, _named(policy, stack, linked))


def _named(policy: PolicyResource, stack: StackIndex, linked: list[tuple[int, PolicyResource]]) -> Found:
    """Alarms besides ``linked`` naming ``policy`` by a literal ARN (see :func:`_triggers`)."""
    arn = get_or_none(policy.props, "arn")
    if isinstance(arn, str) and arn:
        return stack.having(ALARMS, _alarm_actions, arn, besides=linked)
    key = _policy_key(policy)
    return stack.having(ALARMS, _actioned_policies, key, besides=linked) if key else []


def _maybe_triggers(policy: PolicyResource, stack: StackIndex) -> set[str]:
    """URNs of the alarms :func:`_triggers` finds only by what a literal ARN names while ``policy``'s
    ARN is unknown (preview): maybe its, a policy of that name and resource in another account or
    Region may be the one they run, which the ARN says after create."""
    arn = get_or_none(policy.props, "arn")
    if isinstance(arn, str) and arn:
        return set()
    return {alarm.urn for _, alarm in _named(policy, stack, stack.consumers(policy, ALARMS, "alarmActions"))}


def _policy_type(policy: PolicyResource) -> Any:
    """A policy's type: pulumi-aws sends an unset ``policyType`` as ``StepScaling``, its default
    (aws-native requires one)."""
    kind = get(policy.props, "policyType")
    return "StepScaling" if kind in (None, "") and policy.resource_type == SCALING_POLICY else kind


def _scale_out_steps(args: StackValidationArgs, _: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)

    def check(policy: PolicyResource) -> Findings:
        if _policy_type(policy) != "StepScaling" or not _scales_sagemaker(policy):
            return
        rising, surely = [], False
        maybe = _maybe_triggers(policy, stack)
        for alarm in _triggers(policy, stack):
            watched = watched_metric(alarm.props)
            meaning = watched.meaning if watched else None
            if meaning and meaning.bad == "high" and _side(alarm.props)[1] == "high":
                rising.append(alarm.name)
                surely = surely or alarm.urn not in maybe
        if not rising:
            return
        config = get(policy.props, "stepScalingPolicyConfiguration")
        steps = [s for s in items(get(config, "stepAdjustments")) if is_map(s)]
        shrinking = [
            shown(get(s, "scalingAdjustment"))
            for s in steps
            if (number(get(s, "scalingAdjustment")) or 0) <= 0
        ]
        if (not steps or shrinking) and not surely:
            # Run only by alarms naming it by namespace, resource id and name: refused once its ARN is known.
            raise UnknownValueError(
                UNKNOWN_STRING_VALUE, [f"arn (of scaling policy {policy.name!r}, run by {rising})"]
            )
        if not steps or shrinking:
            yield (
                f"step scaling policy {policy.name!r} runs when {rising} fire on rising demand, but its "
                f"stepAdjustments add {shrinking or 'nothing'}: every scalingAdjustment must be positive.",
                policy.urn,
            )

    yield from each_resource(args.resources, SCALING_POLICIES, check)


scale_out_steps_add_capacity = stack_rule(
    name="scale-out-steps-add-capacity",
    description=(
        "A SageMaker step scaling policy (pulumi-aws: policyType StepScaling or unset, its default) "
        "run by an alarm on rising demand or failure (e.g. "
        "HasBacklogWithoutCapacity above its threshold) must add capacity: every stepAdjustments[]."
        "scalingAdjustment positive. Fix: use positive adjustments, or a separate scale-in policy."
    ),
    check=_scale_out_steps,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["sagemaker", "availability", "scaling"],
)


POLICIES = [
    alarm_fires_on_the_bad_side,
    alarm_statistic_fits_the_metric,
    rollback_alarms_can_fire,
    sagemaker_target_tracking_sound,
    scale_out_steps_add_capacity,
]
