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

The parts live beside this module, each public name still importable from here: the metric tables
in ``_alarm_metrics``, which metric an alarm watches in ``_watched_metrics``,
rollback-alarms-can-fire in ``_rollback_alarms`` and the scaling rules in ``_scaling_policies``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._alarm_metrics import (
    ALARMS,
    ASYNC_ENDPOINT_ONLY,
    ASYNC_ONLY,
    ASYNC_UNPUBLISHED,
    BACKLOG,
    DRIFT_METRICS,
    ENDPOINT_METRICS,
    ERRORS,
    INVOCATION_METRICS,
    LATENCY,
    METRIC_ALARM,
    METRIC_UNITS,
    METRICS,
    MODEL_QUALITY,
    NATIVE_ALARM,
    OPERATOR_SIDES,
    PERCENTILE,
    QUALITY_METRICS,
    UTILISATION,
    UTILISATION_METRICS,
    Check,
    Findings,
    Metric,
    metric_of,
)
from ._common import (
    HIGH,
    MANDATORY,
    MEDIUM,
    get,
    is_set,
    items,
    number,
    resource_rule,
    shown,
)
from ._rollback_alarms import LONGEST_DEPLOYMENT, rollback_alarms_can_fire
from ._rollback_alarms import _alarm_name as _alarm_name
from ._rollback_alarms import _rollback_alarms as _rollback_alarms
from ._scaling_policies import (
    VARIANT_DEFAULT_COOLDOWN,
    sagemaker_target_tracking_sound,
    scale_out_steps_add_capacity,
)
from ._scaling_policies import _triggers as _triggers
from ._watched_metrics import (
    AGGREGATE,
    ENDPOINT_DIMENSION,
    IDENTITY,
    RATIO,
    TRAFFIC_METRICS,
    Watched,
    _side,
    _text,
    watched_metric,
)

__all__ = [
    "AGGREGATE",
    "ALARMS",
    "ASYNC_ENDPOINT_ONLY",
    "ASYNC_ONLY",
    "ASYNC_UNPUBLISHED",
    "BACKLOG",
    "DEMAND_KINDS",
    "DRIFT_METRICS",
    "ENDPOINT_DIMENSION",
    "ENDPOINT_METRICS",
    "ERRORS",
    "IDENTITY",
    "INVOCATION_METRICS",
    "LATENCY",
    "LONGEST_DEPLOYMENT",
    "METRICS",
    "METRIC_ALARM",
    "METRIC_UNITS",
    "MODEL_QUALITY",
    "NATIVE_ALARM",
    "OPERATOR_SIDES",
    "PERCENTILE",
    "POLICIES",
    "QUALITY_METRICS",
    "RATE_METRICS",
    "RATIO",
    "SCALING_POLICY_ARN",
    "TRAFFIC_METRICS",
    "UTILISATION",
    "UTILISATION_METRICS",
    "VARIANT_DEFAULT_COOLDOWN",
    "Check",
    "Findings",
    "Metric",
    "Watched",
    "alarm_fires_on_the_bad_side",
    "alarm_statistic_fits_the_metric",
    "metric_of",
    "rollback_alarms_can_fire",
    "sagemaker_target_tracking_sound",
    "scale_out_steps_add_capacity",
    "watched_metric",
]


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


def _never_reached(props: Any, ceiling: float = 1.0) -> bool:
    """A rate (0 to ``ceiling``) compared above a threshold it cannot pass: over the ceiling, or the
    ceiling itself with a strict ``GreaterThanThreshold`` (an anomaly band has no fixed threshold).
    Raises ``UnknownValueError`` when the verdict hangs on a value unknown at preview (a threshold, a
    band, or the operator at the ceiling): such an alarm may never fire, so it is undecided, not passed."""
    threshold = number(get(props, "threshold"))
    if threshold is None or threshold < ceiling:
        return False
    if is_set(get(props, "thresholdMetricId")):
        return False
    return threshold > ceiling or _text(get(props, "comparisonOperator")) == "GreaterThanThreshold"


def _statistic(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    watched = watched_metric(args.props)
    meaning = watched.meaning if watched else None
    if watched is None or meaning is None:
        return
    if watched.ratio and _never_reached(args.props, watched.ratio_ceiling):
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
            if _never_reached(args.props):
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


POLICIES = [
    alarm_fires_on_the_bad_side,
    alarm_statistic_fits_the_metric,
    rollback_alarms_can_fire,
    sagemaker_target_tracking_sound,
    scale_out_steps_add_capacity,
]
