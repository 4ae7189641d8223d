"""Which CloudWatch metrics SageMaker publishes for each kind of endpoint: the one table alarms,
dashboard graphs and scaling policies are chosen from (an alarm on a metric the endpoint never
publishes never fires, a graph of it stays empty, a target-tracking policy on it never acts).

Sources: SageMaker's "Alarms and logs for tracking metrics from asynchronous endpoints" ("The
metrics below are an exhaustive list ... Any metric not listed below is not published if the
endpoint is enabled for asynchronous inference. Such metrics include ...: OverheadLatency,
Invocations, InvocationsPerInstance"; host-level metrics are published as for real-time) and
"Alarms and logs for tracking metrics from serverless endpoints" ("an exhaustive list ... Any metric
not listed below is not published for serverless endpoints": no InvocationsPerInstance, and of the
host metrics only MemoryUtilization). Imports no Pulumi SDK: the stack file's validation uses it.
"""

from __future__ import annotations

from typing import Final, Literal

EndpointKind = Literal["real-time", "async", "serverless"]

#: Host-level metrics of an instance-based variant (namespace ``/aws/sagemaker/Endpoints``).
INSTANCE_METRICS: Final = frozenset(
    {"CPUUtilization", "MemoryUtilization", "GPUUtilization", "GPUMemoryUtilization", "DiskUtilization"}
)
#: The invocation metrics every kind publishes (namespace ``AWS/SageMaker``).
_COMMON: Final = frozenset({"Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency"})

#: The async metrics SageMaker publishes per endpoint, with the dimension EndpointName only (its
#: queue is the endpoint's): a query that adds VariantName matches no data. Every other metric here
#: has the dimensions EndpointName and VariantName.
ENDPOINT_ONLY: Final = frozenset(
    {
        "ApproximateBacklogSize",
        "ApproximateBacklogSizePerInstance",
        "ApproximateAgeOfOldestRequest",
        "HasBacklogWithoutCapacity",
    }
)

PUBLISHED: Final[dict[EndpointKind, frozenset[str]]] = {
    "real-time": _COMMON | INSTANCE_METRICS | {"Invocations", "InvocationsPerInstance", "OverheadLatency"},
    "async": _COMMON
    | INSTANCE_METRICS
    | ENDPOINT_ONLY
    | {
        # Dimensions EndpointName and VariantName.
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
    },
    "serverless": _COMMON
    | {
        "Invocations",
        "OverheadLatency",
        "ModelSetupTime",
        "MemoryUtilization",
        "ServerlessConcurrentExecutionsUtilization",
        "ServerlessProvisionedConcurrencyExecutions",
        "ServerlessProvisionedConcurrencyUtilization",
        "ServerlessProvisionedConcurrencyInvocations",
        "ServerlessProvisionedConcurrencySpilloverInvocations",
    },
}

#: Application Auto Scaling's predefined SageMaker metric and the CloudWatch metric it reads.
PREDEFINED_METRICS: Final = {"SageMakerVariantInvocationsPerInstance": "InvocationsPerInstance"}

#: What counts a variant's requests, per kind: an async endpoint publishes no Invocations, only
#: the requests it processed (and those that failed, InvocationFailures).
REQUESTS_METRIC: Final[dict[EndpointKind, str]] = {
    "real-time": "Invocations",
    "async": "InvocationsProcessed",
    "serverless": "Invocations",
}


def publishes(kind: EndpointKind, metric: str) -> bool:
    """Whether an endpoint of this kind publishes ``metric`` (a CloudWatch metric name, or an
    Application Auto Scaling predefined metric type)."""
    return PREDEFINED_METRICS.get(metric, metric) in PUBLISHED[kind]


def dimensions(metric: str) -> frozenset[str]:
    """The exact dimension names SageMaker publishes ``metric`` with (a query naming another set
    reads nothing)."""
    return frozenset({"EndpointName"} if metric in ENDPOINT_ONLY else {"EndpointName", "VariantName"})


def endpoint_kind(*, asynchronous: bool, serverless: bool) -> EndpointKind:
    return "async" if asynchronous else "serverless" if serverless else "real-time"
