"""The Grafana dashboard for GPU serving that ``KubernetesMonitoring`` installs (pure data, no resources)."""

from __future__ import annotations

from typing import Any

from .kubernetes_monitoring_spec import KubernetesMonitoringSpec, ServingMetricNames

DASHBOARD_UID = "mlops-gpu-serving"

_DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
_SERVING = 'namespace="$namespace", service="$serving"'
# A Deployment's pods are <deployment>-<pod-template-hash>-<suffix>; the serving's Deployments are <name>,
# <name>-canary and KServe's <name>-predictor. `$serving-.+` would also take another serving's pods whose
# name starts with this one's (`churn-eu` under `churn`).
_SERVING_GPUS = 'namespace="$namespace", pod=~"$serving(-canary|-predictor)?-[a-z0-9]+-[a-z0-9]+"'
_HPA = 'namespace="$namespace", horizontalpodautoscaler="$serving"'


def _panel(
    title: str, targets: list[tuple[str, str]], unit: str, description: str, **defaults: Any
) -> dict[str, Any]:
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": _DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit, "min": 0, **defaults}, "overrides": []},
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]}
        },
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": _DATASOURCE, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def _row(title: str) -> dict[str, Any]:
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def _variable(name: str, label: str, query: str, regex: str) -> dict[str, Any]:
    # refresh 2: re-read the values whenever the time range changes (model servers come and go).
    variable = {"name": name, "label": label, "type": "query", "query": query, "definition": query}
    return {**variable, "datasource": _DATASOURCE, "regex": regex, "refresh": 2, "sort": 1}


def _any_of(values: list[str]) -> str:
    return f"^({'|'.join(sorted(set(values)))})$" if values else ""


def gpu_serving_dashboard(spec: KubernetesMonitoringSpec) -> dict[str, Any]:
    """Grafana dashboard: GPU health of every GPU node, then one model server's GPUs, traffic and scaling."""
    m: ServingMetricNames = spec.serving_metrics
    requests = f"{m.requests_total}{{{_SERVING}}}"
    errors = f'{m.requests_total}{{{_SERVING}, {m.status_label}=~"5.*"}}'
    buckets = f"{m.duration_histogram}_bucket{{{_SERVING}}}"
    used, free = "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"
    gpu = "{{node}} GPU {{gpu}}"
    panels = [
        _row("GPU nodes"),
        _panel(
            "GPU utilisation",
            [("DCGM_FI_DEV_GPU_UTIL", gpu)],
            "percent",
            "DCGM: time the GPU was busy.",
            max=100,
        ),
        _panel(
            "GPU memory",
            [(used, f"{gpu} used"), (f"{used} + {free}", f"{gpu} total")],
            "mbytes",
            "DCGM framebuffer memory used and total (MiB).",
        ),
        _panel("GPU temperature", [("DCGM_FI_DEV_GPU_TEMP", gpu)], "celsius", "DCGM: GPU die temperature."),
        _panel("GPU power", [("DCGM_FI_DEV_POWER_USAGE", gpu)], "watt", "DCGM: board power draw."),
        _row("Model server $serving in $namespace"),
        _panel(
            "GPUs of $serving",
            [
                (f"DCGM_FI_DEV_GPU_UTIL{{{_SERVING_GPUS}}}", "{{pod}} utilisation"),
                (
                    f"100 * {used}{{{_SERVING_GPUS}}}"
                    f" / ({used}{{{_SERVING_GPUS}}} + {free}{{{_SERVING_GPUS}}})",
                    "{{pod}} memory",
                ),
            ],
            "percent",
            "GPU utilisation and memory use of the server's pods (the exporter maps GPUs to pods).",
            max=100,
        ),
        _panel(
            "Requests",
            [
                (f"sum by (pod) (rate({requests}[$__rate_interval]))", "{{pod}}"),
                (f"sum(rate({errors}[$__rate_interval]))", "5xx"),
            ],
            "reqps",
            f"Assumes the server exports the counter {m.requests_total} with an HTTP status label "
            f"'{m.status_label}' (configurable: serving_metrics).",
        ),
        _panel(
            "Latency",
            [
                (
                    f"histogram_quantile({q}, sum by (le) (rate({buckets}[$__rate_interval])))",
                    f"p{round(q * 100)}",
                )
                for q in (0.5, 0.95, 0.99)
            ],
            "s",
            f"Assumes the server exports the histogram {m.duration_histogram} "
            "(configurable: serving_metrics).",
        ),
        _panel(
            "Replicas and autoscaling limits",
            [
                (f"kube_horizontalpodautoscaler_status_current_replicas{{{_HPA}}}", "current"),
                (f"kube_horizontalpodautoscaler_status_desired_replicas{{{_HPA}}}", "desired"),
                (f"kube_horizontalpodautoscaler_spec_min_replicas{{{_HPA}}}", "min"),
                (f"kube_horizontalpodautoscaler_spec_max_replicas{{{_HPA}}}", "max"),
            ],
            "none",
            "kube-state-metrics: the HPA's replicas against its bounds; current at max means no headroom.",
            decimals=0,
        ),
    ]
    _layout(panels)
    hpa_series = "kube_horizontalpodautoscaler_spec_max_replicas"
    return {
        "uid": DASHBOARD_UID,
        "title": "GPU model serving",
        "description": "GPU health, traffic, latency and scaling of the model servers (managed by Pulumi).",
        "tags": ["mlops", "gpu", "serving"],
        # Provisioned from a ConfigMap: edits in the UI would be lost on the next sync.
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "timezone": "utc",
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"},
                _variable(
                    "namespace",
                    "Namespace",
                    f"label_values({hpa_series}, namespace)",
                    _any_of([t.namespace for t in spec.scrape]),
                ),
                _variable(
                    "serving",
                    "Model server",
                    f'label_values({hpa_series}{{namespace="$namespace"}}, horizontalpodautoscaler)',
                    _any_of([t.name for t in spec.scrape]),
                ),
            ]
        },
        "panels": panels,
    }


def _layout(panels: list[dict[str, Any]]) -> None:
    """Number the panels and place them: rows full width, graphs two to a row."""
    x = y = 0
    for number, panel in enumerate(panels, start=1):
        panel["id"] = number
        if panel["type"] == "row":
            y += 0 if x == 0 else 8
            panel["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
            x, y = 0, y + 1
            continue
        panel["gridPos"] = {"h": 8, "w": 12, "x": x, "y": y}
        x, y = (12, y) if x == 0 else (0, y + 8)
