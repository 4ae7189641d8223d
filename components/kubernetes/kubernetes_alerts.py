"""The servings' Prometheus alert rules and the Alertmanager configuration that routes them (plain data:
KubernetesMonitoring renders them as a PrometheusRule per serving and as kube-prometheus-stack values)."""

from __future__ import annotations

import math
from typing import Any

import pulumi

from .kubernetes_monitoring_spec import AlertRouting, ServingMetricNames
from .kubernetes_serving_spec import GPU_UTILIZATION_METRIC, KubernetesServingSpec

ROUTE_LABEL = ("mlops_platform", "serving")
"""Every serving alert carries this label; Alertmanager's route sends exactly these to the receiver."""
RECEIVER = "mlops-platform"
NULL_RECEIVER = "null"
"""Everything else (kube-prometheus-stack's cluster rules, its always-firing Watchdog) goes nowhere: the
cluster's owners page on those, not the model servers' team."""
ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager"
"""The Alertmanager pods' service account (set in the chart values): EKS Pod Identity binds the SNS
publishing role to it."""
KUBE_STATE_UNAVAILABLE = "kube_deployment_status_replicas_unavailable"
"""kube-state-metrics' (kube-prometheus-stack's) count of a Deployment's unavailable replicas."""
KUBE_STATE_CONDITION = "kube_deployment_status_condition"
"""kube-state-metrics' Deployment conditions: one series per ``condition`` and ``status`` (true, false,
unknown), 1 for the condition's current status and 0 for the two others (``reason`` labels it too)."""
KUBERNETES_DEFAULT_PROGRESS_DEADLINE_SECONDS = 600
"""A Deployment's ``progressDeadlineSeconds`` when its spec sets none (apps/v1's default): KServe's
``<name>-predictor`` Deployment, whose spec the platform does not write."""
STUCK_ROLLOUT_MARGIN_MINUTES = 5
"""Past the progress deadline (and the start allowance): the controller's and the scrape's lag."""
ERROR_WINDOW = "5m"
LATENCY_FOR = "10m"


def _selector(spec: KubernetesServingSpec, extra: str = "") -> str:
    """The serving's series as the ServiceMonitor labels them: the target's namespace and Service."""
    return f'{{namespace="{spec.namespace}",service="{spec.name}"{extra}}}'


def serving_alert_rules(spec: KubernetesServingSpec, metrics: ServingMetricNames) -> list[dict[str, Any]]:
    """The serving's alerting rules (one PrometheusRule group): 5xx ratio, p99 latency, GPU saturation
    (GPU servings only), pods not ready and a stuck rollout, with the spec's thresholds."""
    alerts = spec.alerts
    where = f"{spec.namespace}/{spec.name}"
    labels = {"namespace": spec.namespace, "serving": spec.name, ROUTE_LABEL[0]: ROUTE_LABEL[1]}
    requests = metrics.requests_total
    server_errors = _selector(spec, f',{metrics.status_label}=~"5.."')
    errors = f"sum(rate({requests}{server_errors}[{ERROR_WINDOW}]))"
    total = f"sum(rate({requests}{_selector(spec)}[{ERROR_WINDOW}]))"
    latency = (
        f"histogram_quantile(0.99, sum by (le) "
        f"(rate({metrics.duration_histogram}_bucket{_selector(spec)}[{ERROR_WINDOW}])))"
    )
    rules = [
        {
            "alert": "ModelServerHighErrorRate",
            # No traffic: 0/0 is NaN and never fires; an idle server is not an erroring one.
            "expr": f"100 * {errors} / {total} > {alerts.error_rate_percent:g}",
            "for": "5m",
            "labels": {**labels, "severity": "critical"},
            "annotations": {
                "summary": f"{where}: more than {alerts.error_rate_percent:g}% of requests fail with 5xx",
                "description": "5xx share of requests over 5 minutes: {{ $value | humanize }}%.",
            },
        },
        {
            "alert": "ModelServerHighLatencyP99",
            "expr": f"{latency} > {alerts.p99_latency_seconds:g}",
            "for": LATENCY_FOR,
            "labels": {**labels, "severity": "warning"},
            "annotations": {
                "summary": f"{where}: p99 latency above {alerts.p99_latency_seconds:g}s",
                "description": "99th-percentile request latency: {{ $value | humanizeDuration }}.",
            },
        },
    ]
    if spec.gpus > 0:
        # The DCGM exporter labels a GPU's series with the pod using it; a Deployment's pods are named
        # <deployment>-<pod-template-hash>-<suffix>, which no other Deployment's pods match (KServe's
        # Deployment is <name>-predictor).
        pods = f'{GPU_UTILIZATION_METRIC}{{namespace="{spec.namespace}",pod=~"{spec.deployment_name}-[a-z0-9]+-[a-z0-9]+"}}'
        rules.append(
            {
                "alert": "ModelServerGpuSaturated",
                "expr": f"avg({pods}) > {alerts.gpu_saturation_percent}",
                "for": f"{alerts.gpu_saturation_minutes}m",
                "labels": {**labels, "severity": "warning"},
                "annotations": {
                    "summary": f"{where}: GPUs above {alerts.gpu_saturation_percent}% for "
                    f"{alerts.gpu_saturation_minutes} minutes",
                    "description": "Average GPU utilisation of the pods: {{ $value | humanize }}%. The HPA "
                    "may be at max_replicas, or the node group out of GPUs.",
                },
            }
        )
    # A pod of a healthy scale-out is unavailable until its node, image and model are ready.
    not_ready_minutes = alerts.not_ready_minutes or math.ceil(spec.start_allowance_seconds / 60)
    # The canary's pods too: one that stops being ready leaves its image unjudged while the Service
    # quietly sends all traffic to the stable pods.
    canary = spec.canary_deployment_name
    deployment = (
        f'deployment=~"{spec.deployment_name}|{canary}"' if canary else f'deployment="{spec.deployment_name}"'
    )
    rules.append(
        {
            "alert": "ModelServerPodsNotReady",
            "expr": f'{KUBE_STATE_UNAVAILABLE}{{namespace="{spec.namespace}",{deployment}}} > 0',
            "for": f"{not_ready_minutes}m",
            "labels": {**labels, "severity": "critical"},
            "annotations": {
                "summary": f"{where}: pods not ready for {not_ready_minutes} minutes",
                "description": "Deployment {{ $labels.deployment }}, unavailable replicas: {{ $value }} "
                "(failing readiness, crash-looping, or unschedulable).",
            },
        }
    )
    rules.append(_stuck_rollout_rule(spec, labels, deployment))
    return rules


def progress_deadline_seconds(spec: KubernetesServingSpec) -> int:
    """The serving's Deployments' progress deadline: its start allowance where the platform writes the
    Deployment (and the canary's); Kubernetes' default for KServe's predictor."""
    if spec.kserve is not None:
        return KUBERNETES_DEFAULT_PROGRESS_DEADLINE_SECONDS
    return spec.start_allowance_seconds


def _stuck_rollout_rule(
    spec: KubernetesServingSpec, labels: dict[str, str], deployment: str
) -> dict[str, Any]:
    """A rollout that has stopped: maxUnavailable 0 leaves every old pod serving while the surge pod
    never becomes ready, so no replica is unavailable and ModelServerPodsNotReady stays silent.

    The Deployment controller sets ``Progressing`` to False (ProgressDeadlineExceeded, or
    FailedRSCreate) once a step has made no progress for the progress deadline, and back to True when
    a pod becomes ready: per step, never for a healthy rollout of many pods. The generation and
    updated-replica series do not tell that: ``observed_generation`` catches up within seconds of a
    spec change however the rollout goes, and ``replicas_updated < spec_replicas`` holds for the whole
    of a healthy rollout of n pods (up to n start allowances). Where the deadline is shorter than the
    start allowance (KServe's predictor), ``for`` waits out the rest, so a slow but healthy start
    does not page."""
    where = f"{spec.namespace}/{spec.name}"
    deadline = progress_deadline_seconds(spec)
    wait = max(0, math.ceil((spec.start_allowance_seconds - deadline) / 60)) + STUCK_ROLLOUT_MARGIN_MINUTES
    selector = f'namespace="{spec.namespace}",{deployment},condition="Progressing",status="false"'
    return {
        "alert": "ModelServerRolloutStuck",
        # == 1: kube-state-metrics exports the status="false" series with 0 while the condition is True.
        "expr": f"{KUBE_STATE_CONDITION}{{{selector}}} == 1",
        "for": f"{wait}m",
        "labels": {**labels, "severity": "critical"},
        "annotations": {
            "summary": f"{where}: rollout made no progress for {math.ceil(deadline / 60) + wait} minutes",
            "description": "Deployment {{ $labels.deployment }}: Progressing is False ({{ $labels.reason }}): "
            "its new pod has not become ready within the start allowance (no node or GPU for the surge "
            "pod, a crash-looping image, a model that does not load); the old pods still serve the "
            "previous version. Look at `kubectl -n "
            f"{spec.namespace} describe deployment {{{{ $labels.deployment }}}}` and the new pod's "
            "events and logs; fix and re-deploy, or `kubectl rollout undo` to the previous version.",
        },
    }


def alertmanager_config(
    routing: AlertRouting, topic_arn: pulumi.Input[str] | None, region: str | None
) -> dict[str, Any]:
    """Alertmanager's configuration: the serving alerts to the one receiver, everything else to none."""
    receiver: dict[str, Any] = {"name": RECEIVER}
    if routing.destination == "sns":
        if topic_arn is None or region is None:
            raise ValueError("alerting destination sns needs the alert topic's ARN and region")
        receiver["sns_configs"] = [
            {
                "topic_arn": topic_arn,
                # Credentials from the environment: EKS Pod Identity's, for the service account's role.
                "sigv4": {"region": region},
                "subject": "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} "
                "{{ .CommonLabels.namespace }}/{{ .CommonLabels.serving }}",
                "send_resolved": True,
            }
        ]
    else:
        receiver["webhook_configs"] = [{"url": routing.webhook_url, "send_resolved": True}]
    return {
        "route": {
            "receiver": NULL_RECEIVER,
            "group_by": ["alertname", "namespace", "serving"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": routing.repeat_interval,
            "routes": [
                {
                    "receiver": RECEIVER,
                    "matchers": [f'{ROUTE_LABEL[0]}="{ROUTE_LABEL[1]}"'],
                    "repeat_interval": routing.repeat_interval,
                }
            ],
        },
        "receivers": [{"name": NULL_RECEIVER}, receiver],
    }
