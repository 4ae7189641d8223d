"""Which metric an alarm watches (policies/rules/alarms.py): a plain metric, an anomaly band's, or
metric math that only names one, aggregates plain metrics of one meaning or divides an endpoint's
error count by its invocations; its statistic, unit and endpoint."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ._alarm_metrics import (
    DRIFT_METRICS,
    ENDPOINT_METRICS,
    INVOCATION_METRICS,
    OPERATOR_SIDES,
    QUALITY_METRICS,
    Metric,
    metric_of,
)
from ._common import (
    get,
    get_or_none,
    is_map,
    is_set,
    items,
)

#: What an error ratio divides by: a real-time or serverless endpoint's Invocations, an async one's
#: InvocationsProcessed.
TRAFFIC_METRICS = ("Invocations", "InvocationsProcessed")


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
    # A ratio's denominator: Invocations, or InvocationsProcessed (an async endpoint publishes no
    # Invocations, only the requests it processed).
    denominator: str = ""

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
    denominator = ""
    for other in others:
        traffic = _query_metric(queries, other)
        if (
            traffic is None
            or (traffic.namespace, traffic.statistic) != (INVOCATION_METRICS, "Sum")
            or traffic.name not in TRAFFIC_METRICS
            or not _same_series(part, other)
        ):
            return None
        denominator = traffic.name
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
        denominator=denominator,
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
