"""The metrics whose meaning the alarm rules know (policies/rules/alarms.py): their namespaces, on
which side each is bad, the statistics and units that fit it, and the comparison operators' sides."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

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
    # An async endpoint's failed requests (model, download, upload or expiry), counted.
    (INVOCATION_METRICS, "InvocationFailures"): ERRORS,
    (INVOCATION_METRICS, "ModelLatency"): LATENCY,
    (INVOCATION_METRICS, "OverheadLatency"): LATENCY,
    (INVOCATION_METRICS, "HasBacklogWithoutCapacity"): BACKLOG,
    (INVOCATION_METRICS, "ApproximateBacklogSize"): BACKLOG,
    (INVOCATION_METRICS, "ApproximateBacklogSizePerInstance"): BACKLOG,
    **{(ENDPOINT_METRICS, name): UTILISATION for name in UTILISATION_METRICS},
}
#: The metrics SageMaker does not publish for an async endpoint ("Alarms and logs for tracking
#: metrics from asynchronous endpoints": "Any metric not listed below is not published if the
#: endpoint is enabled for asynchronous inference. Such metrics include ...: OverheadLatency,
#: Invocations, InvocationsPerInstance"): an alarm on one never fires, a ratio over one is empty.
ASYNC_UNPUBLISHED = ("Invocations", "InvocationsPerInstance", "OverheadLatency")
#: The async metrics SageMaker publishes per endpoint, with the dimension EndpointName only: a query
#: that adds VariantName (or any other dimension) matches no data.
ASYNC_ENDPOINT_ONLY = (
    "ApproximateBacklogSize",
    "ApproximateBacklogSizePerInstance",
    "ApproximateAgeOfOldestRequest",
    "HasBacklogWithoutCapacity",
)
#: The metrics SageMaker publishes for an async endpoint only (the same page's queue and request
#: tables): a real-time or serverless endpoint publishes none, so an alarm on one never fires.
ASYNC_ONLY = (
    "ApproximateBacklogSize",
    "ApproximateBacklogSizePerInstance",
    "ApproximateAgeOfOldestRequest",
    "HasBacklogWithoutCapacity",
    "RequestDownloadFailures",
    "ResponseUploadFailures",
    "NotificationFailures",
    "RequestDownloadLatency",
    "ResponseUploadLatency",
    "ExpiredRequests",
    "InvocationFailures",
    "InvocationsProcessed",
    "TimeInBacklog",
    "TotalProcessingTime",
)
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
