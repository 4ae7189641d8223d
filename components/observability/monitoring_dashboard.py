"""MonitoringDashboard: one CloudWatch dashboard for an environment's endpoints."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from ..limits import PHYSICAL_NAME_LIMITS, region_problem, satisfies
from ..output_text import json_text
from ..serving.endpoint_metrics import REQUESTS_METRIC, EndpointKind, publishes
from ..training.evidently import DRIFT_SHARE_METRIC, FAMILY_DIMENSION, NAMESPACE, PIPELINE_DIMENSION
from .endpoint_alarms import DRIFT_METRICS, ENDPOINT_METRICS, INVOCATION_METRICS

_DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]+\Z")


def dashboard_name_problem(name: object) -> str | None:
    """Why CloudWatch's PutDashboard would refuse ``name`` (1-255 characters of A-Z, a-z, 0-9, ``-``
    and ``_``), or None."""
    _, limit = PHYSICAL_NAME_LIMITS["aws:cloudwatch/dashboard:Dashboard"]
    if not isinstance(name, str) or not _DASHBOARD_NAME.match(name) or len(name) > limit:
        return f"{name!r} is not a CloudWatch dashboard name: 1-{limit} letters, digits, '-' and '_'"
    return None


MODEL_QUALITY_METRICS = "aws/sagemaker/Endpoints/model-metrics"
"""Where a model-quality monitor publishes its metrics (dimensions Endpoint, MonitoringSchedule)."""


@dataclass(frozen=True)
class DashboardVariant:
    name: str
    """The variant's name: the ``VariantName`` of its graphed metrics."""
    gpu: bool
    """Whether it runs on GPU instances; any GPU variant adds the GPU and GPU memory graph."""
    min_capacity: int | None = None
    """Its autoscaling minimum, shown in the endpoint's heading (None: not autoscaled)."""
    max_capacity: int | None = None
    """Its autoscaling maximum; only variants with one are listed in the heading's capacity."""
    invocations_target: int | None = None
    """Its target invocations per instance a minute, drawn on the invocations-per-instance graph
    (None: no line)."""
    role: Literal["champion", "challenger", "shadow"] = "champion"
    """What it is in an A/B or shadow test: the first production variant is the champion, the
    others challengers, a shadow variant a shadow; with more than one variant the endpoint gets a
    comparison row (p99 latency, 5xx error rate and invocations per variant, labelled by role)."""


@dataclass(frozen=True)
class DashboardEndpoint:
    name: str
    """The SageMaker endpoint's name: the ``EndpointName`` of its metrics and its row's heading."""
    variants: Sequence[DashboardVariant]
    """The variants graphed, each on its ``VariantName`` (the stack passes the production variants,
    then the shadow variant)."""
    latency_slo_ms: int
    """The p99 latency objective in milliseconds, drawn as a line on the model latency graph."""
    monitoring_schedule_name: pulumi.Input[str] | None = None
    """The data-quality schedule whose drift metrics are graphed (None: no drift graph)."""
    drift_features: Sequence[str] = field(default_factory=tuple)
    """Features whose drift from the training baseline is graphed (empty: no drift graph)."""
    model_quality_schedule_name: pulumi.Input[str] | None = None
    """The model-quality schedule whose metrics against ground truth are graphed (None: no graph).
    Model Monitor measures the endpoint's captured traffic as a whole, all variants together."""
    model_quality_metrics: Sequence[str] = field(default_factory=tuple)
    """Which of its metrics (``auc``, ``rmse``...) are graphed (empty: no graph)."""
    live_drift: tuple[str, str] | None = None
    """``(family, pipeline dimension)`` of the endpoint's Evidently live-drift reports, whose share of
    drifted columns is graphed (None: no graph)."""
    kind: EndpointKind = "real-time"
    """Its kind, which decides the metrics SageMaker publishes for it
    (components/serving/endpoint_metrics.py): only those are graphed. An async endpoint's traffic
    is the requests it processed and its scaling metric its queue per instance; a serverless one
    has no per-instance metrics but its concurrency utilisation."""


@dataclass(frozen=True)
class MonitoringDashboardArgs:
    dashboard_name: str
    """Name of the CloudWatch dashboard (unique in the account)."""
    region: str
    """The region whose metrics the graphs show."""
    endpoints: Sequence[DashboardEndpoint]
    """One row of graphs per endpoint, in this order."""

    def __post_init__(self) -> None:
        satisfies(self, "dashboard_name", dashboard_name_problem)
        satisfies(self, "region", region_problem)


class MonitoringDashboard(pulumi.ComponentResource):
    """Per endpoint: traffic, latency percentiles against the SLO, errors, GPU/CPU/memory/disk,
    capacity against the autoscaling limits, the drift and model quality the monitors measured; an endpoint with
    challengers or a shadow also gets a champion-versus-challenger row."""

    dashboard_name: pulumi.Output[str]
    """Name of the CloudWatch dashboard."""

    def __init__(
        self, name: str, args: MonitoringDashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:MonitoringDashboard", name, None, opts)
        widgets: list[Any] = []
        top = 0
        for endpoint in args.endpoints:
            rows = _endpoint_widgets(endpoint, args.region, top=top)
            if len(endpoint.variants) > 1:
                rows += _comparison_widgets(endpoint, args.region, top=top + 19)
            widgets += rows
            top = max(widget["y"] + widget["height"] for widget in rows)
        dashboard = cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=args.dashboard_name,
            dashboard_body=json_text({"widgets": widgets}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs({"dashboard_name": self.dashboard_name})


def _graph(
    title: str, metrics: list[list[Any]], region: str, x: int, y: int, **properties: Any
) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 8,
        "height": 6,
        "properties": {
            "title": title,
            "metrics": metrics,
            "region": region,
            "view": "timeSeries",
            "period": 60,
            **properties,
        },
    }


def _endpoint_widgets(endpoint: DashboardEndpoint, region: str, top: int) -> list[dict[str, Any]]:
    kind = endpoint.kind

    def per_variant(namespace: str, metric: str, label_suffix: str = "", **options: Any) -> list[list[Any]]:
        if not publishes(kind, metric):  # never published: an empty line
            return []
        return [
            [
                namespace,
                metric,
                "EndpointName",
                endpoint.name,
                "VariantName",
                v.name,
                {"label": f"{v.name} {metric}{label_suffix}", **options},
            ]
            for v in endpoint.variants
        ]

    capacity = "; ".join(
        f"**{v.name}**: {v.min_capacity}-{v.max_capacity} instances"
        for v in endpoint.variants
        if v.max_capacity is not None
    )
    targets = [
        {"label": f"{v.name} scaling target", "value": v.invocations_target}
        for v in endpoint.variants
        if v.invocations_target
    ]
    widgets: list[dict[str, Any]] = [
        {
            "type": "text",
            "x": 0,
            "y": top,
            "width": 24,
            "height": 1,
            "properties": {"markdown": f"## {endpoint.name} — capacity: {capacity or 'serverless / fixed'}"},
        },
        _graph(
            "Invocations" if kind != "async" else "Invocations processed (async)",
            per_variant(INVOCATION_METRICS, REQUESTS_METRIC[kind], stat="Sum"),
            region,
            0,
            top + 1,
        ),
        _scaling_graph(endpoint, per_variant, targets, region, top + 1),
        _graph(
            "Model latency (µs): p50 / p90 / p99",
            [
                metric
                for stat in ("p50", "p90", "p99")
                # The statistic in the label: a variant's three lines are otherwise one legend entry.
                for metric in per_variant(INVOCATION_METRICS, "ModelLatency", f" {stat}", stat=stat)
            ],
            region,
            16,
            top + 1,
            annotations={"horizontal": [{"label": "p99 SLO", "value": endpoint.latency_slo_ms * 1000}]},
        ),
        _graph(
            "Errors",
            per_variant(INVOCATION_METRICS, "Invocation4XXErrors", stat="Sum")
            + per_variant(INVOCATION_METRICS, "Invocation5XXErrors", stat="Sum")
            # Async: requests that failed outside the model too (download, upload, expiry).
            + per_variant(INVOCATION_METRICS, "InvocationFailures", stat="Sum"),
            region,
            0,
            top + 7,
        ),
        _graph(
            "CPU (100 % per vCPU), memory and disk (%)" if kind != "serverless" else "Memory (%)",
            per_variant(ENDPOINT_METRICS, "CPUUtilization")
            + per_variant(ENDPOINT_METRICS, "MemoryUtilization")
            + per_variant(ENDPOINT_METRICS, "DiskUtilization"),
            region,
            8,
            top + 7,
            period=300,
        ),
    ]
    if any(v.gpu for v in endpoint.variants) and publishes(kind, "GPUUtilization"):
        widgets.append(
            _graph(
                "GPU and GPU memory (100 % per GPU)",
                per_variant(ENDPOINT_METRICS, "GPUUtilization")
                + per_variant(ENDPOINT_METRICS, "GPUMemoryUtilization"),
                region,
                16,
                top + 7,
                period=300,
            )
        )
    if endpoint.monitoring_schedule_name is not None and endpoint.drift_features:
        widgets.append(
            _graph(
                "Feature drift from the training baseline (monitor)",
                [
                    [
                        DRIFT_METRICS,
                        f"feature_baseline_drift_{feature}",
                        "Endpoint",
                        endpoint.name,
                        "MonitoringSchedule",
                        endpoint.monitoring_schedule_name,
                    ]
                    for feature in endpoint.drift_features
                ],
                region,
                0,
                top + 13,
                period=3600,
                stat="Maximum",
            )
        )
    if endpoint.live_drift is not None:
        family, pipeline = endpoint.live_drift
        widgets.append(
            _graph(
                "Drifted columns share of the live traffic (Evidently)",
                [[NAMESPACE, DRIFT_SHARE_METRIC, FAMILY_DIMENSION, family, PIPELINE_DIMENSION, pipeline]],
                region,
                16,
                top + 13,
                period=3600,
                stat="Maximum",
            )
        )
    if endpoint.model_quality_schedule_name is not None and endpoint.model_quality_metrics:
        widgets.append(
            _graph(
                "Model quality against ground truth (monitor; the endpoint's traffic, all variants)",
                [
                    [
                        MODEL_QUALITY_METRICS,
                        metric,
                        "Endpoint",
                        endpoint.name,
                        "MonitoringSchedule",
                        endpoint.model_quality_schedule_name,
                    ]
                    for metric in endpoint.model_quality_metrics
                ],
                region,
                8,
                top + 13,
                period=3600,
                stat="Average",
            )
        )
    return widgets


def _scaling_graph(
    endpoint: DashboardEndpoint,
    per_variant: Callable[..., list[list[Any]]],
    targets: list[dict[str, Any]],
    region: str,
    top: int,
) -> dict[str, Any]:
    """The metric the variants scale on, by kind: invocations per instance (real-time), the queue
    per instance (async: ApproximateBacklogSizePerInstance, dimension EndpointName only), the
    share of the maximum concurrency in use (serverless)."""
    if endpoint.kind == "async":
        return _graph(
            "Queued requests per instance (autoscaling metric)",
            [
                [INVOCATION_METRICS, metric, "EndpointName", endpoint.name, {"label": metric}]
                for metric in ("ApproximateBacklogSizePerInstance", "ApproximateBacklogSize")
            ],
            region,
            8,
            top,
            stat="Average",
        )
    if endpoint.kind == "serverless":
        return _graph(
            "Concurrency utilisation (serverless)",
            per_variant(INVOCATION_METRICS, "ServerlessConcurrentExecutionsUtilization", stat="Average"),
            region,
            8,
            top,
        )
    return _graph(
        "Invocations per instance (autoscaling metric)",
        per_variant(INVOCATION_METRICS, "InvocationsPerInstance", stat="Sum"),
        region,
        8,
        top,
        annotations={"horizontal": targets},
    )


def _comparison_widgets(endpoint: DashboardEndpoint, region: str, top: int) -> list[dict[str, Any]]:
    """Champion against challengers and shadow, side by side: p99 model latency against the SLO,
    5xx error rate (errors over invocations, in percent) and invocations, one line per variant,
    labelled with its role. Model quality is not split here: Model Monitor measures the endpoint's
    captured traffic as a whole (one schedule per endpoint), not a variant's."""

    def labelled(v: DashboardVariant) -> str:
        return f"{v.name} ({v.role})"

    def variant_metric(v: DashboardVariant, metric: str, **options: Any) -> list[Any]:
        return [INVOCATION_METRICS, metric, "EndpointName", endpoint.name, "VariantName", v.name, options]

    # The error rate's denominator: an async endpoint publishes no Invocations (a rate over it
    # would be empty), only the requests it processed.
    requests = REQUESTS_METRIC[endpoint.kind]
    error_rate: list[list[Any]] = []
    for index, v in enumerate(endpoint.variants):
        error_rate += [
            variant_metric(v, "Invocation5XXErrors", id=f"e{index}", stat="Sum", visible=False),
            variant_metric(v, requests, id=f"n{index}", stat="Sum", visible=False),
            [
                {
                    "expression": f"100 * FILL(e{index}, 0) / n{index}",
                    "label": f"{labelled(v)} 5xx %",
                    "id": f"r{index}",
                }
            ],
        ]
    return [
        {
            "type": "text",
            "x": 0,
            "y": top,
            "width": 24,
            "height": 1,
            "properties": {
                "markdown": f"### {endpoint.name} — champion vs challenger: "
                + ", ".join(labelled(v) for v in endpoint.variants)
            },
        },
        _graph(
            "Champion vs challenger: p99 model latency (µs)",
            [variant_metric(v, "ModelLatency", stat="p99", label=labelled(v)) for v in endpoint.variants],
            region,
            0,
            top + 1,
            annotations={"horizontal": [{"label": "p99 SLO", "value": endpoint.latency_slo_ms * 1000}]},
        ),
        _graph("Champion vs challenger: 5xx error rate (%)", error_rate, region, 8, top + 1, period=300),
        _graph(
            "Champion vs challenger: invocations",
            [variant_metric(v, requests, stat="Sum", label=labelled(v)) for v in endpoint.variants],
            region,
            16,
            top + 1,
        ),
    ]
