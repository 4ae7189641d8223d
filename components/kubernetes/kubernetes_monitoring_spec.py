"""Typed, validated spec of the Kubernetes monitoring stack (kube-prometheus-stack + DCGM exporter)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from .. import versions
from ..addresses import https_url_problem
from ..limits import SPEC_CONFIG, fail_at, listed
from .kubernetes_serving_spec import (
    CPU_QUANTITY,
    METRIC_NAME,
    RESERVED_NAMESPACES,
    GpuPlacement,
    absolute_path,
    dns_label,
)

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}\Z")
# Exact SemVer (Helm chart versions); no ranges, no "v" prefix, no "latest".
_EXACT_VERSION = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?\Z", re.ASCII
)
# A Prometheus duration as the Prometheus Operator CRDs accept it ("15d", "1w", "12h30m").
_DURATION = re.compile(
    r"^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?\Z", re.ASCII
)
_STORAGE = re.compile(r"^([1-9][0-9]*)(Gi|Ti)\Z", re.ASCII)
_MEMORY = re.compile(r"^[1-9][0-9]*(Mi|Gi)\Z", re.ASCII)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*\Z")


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


def _namespace(value: str, what: str) -> str:
    if value in RESERVED_NAMESPACES:
        raise ValueError(f"{what} '{value}' is reserved for the cluster; use a dedicated namespace")
    return dns_label(value, what)


def _duration(value: str, what: str) -> str:
    if not value or value == "0" or not _DURATION.match(value):
        raise ValueError(
            f"{what} '{value}' is not a Prometheus duration: a number with a unit y, w, d, h, m, s or ms, "
            "e.g. '15d', '2w', '12h', '30s'"
        )
    return value


def _cpu_millis(value: str) -> float:
    return float(value[:-1]) if value.endswith("m") else float(value) * 1000


def _memory_mib(value: str) -> int:
    return int(value[:-2]) * (1024 if value.endswith("Gi") else 1)


def storage_mib(size: str) -> int:
    """MiB in a validated storage size ('50Gi', '1Ti')."""
    match = _STORAGE.fullmatch(size)
    if match is None:  # the spec's validation accepted only such sizes
        raise ValueError(f"not a storage size: {size!r}")
    number, unit = match.groups()
    return int(number) * (1024 if unit == "Gi" else 1024 * 1024)


class ComputeResources(_Spec):
    """CPU and memory requests and limits of one container."""

    cpu_request: str = Field(
        description="CPU reserved: cores ('2', '0.5') or millicores ('500m'); at most `cpu_limit`."
    )
    cpu_limit: str = Field(description="CPU the container may use; it is throttled above it.")
    memory_request: str = Field(
        description="Memory reserved, in Mi or Gi (e.g. '4Gi'); at most `memory_limit`."
    )
    memory_limit: str = Field(
        description="Memory the container may use, in Mi or Gi; above it the container is OOM-killed."
    )

    @field_validator("cpu_request", "cpu_limit")
    @classmethod
    def _cpu(cls, value: str) -> str:
        if not CPU_QUANTITY.match(value) or _cpu_millis(value) <= 0:
            raise ValueError(f"'{value}' is not a CPU quantity: cores ('2', '0.5') or millicores ('500m')")
        return value

    @field_validator("memory_request", "memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        if not _MEMORY.match(value):
            raise ValueError(f"'{value}' is not a memory quantity in Mi or Gi, e.g. '512Mi' or '4Gi'")
        return value

    @model_validator(mode="after")
    def _requests_within_limits(self) -> ComputeResources:
        if _cpu_millis(self.cpu_request) > _cpu_millis(self.cpu_limit):
            fail_at(
                "ComputeResources",
                ("cpu_request",),
                self.cpu_request,
                f"cpu_request ({self.cpu_request}) exceeds cpu_limit ({self.cpu_limit})",
            )
        if _memory_mib(self.memory_request) > _memory_mib(self.memory_limit):
            fail_at(
                "ComputeResources",
                ("memory_request",),
                self.memory_request,
                f"memory_request ({self.memory_request}) exceeds memory_limit ({self.memory_limit})",
            )
        return self

    def as_values(self) -> dict[str, dict[str, str]]:
        """The ``resources`` block of a Helm value / container spec."""
        return {
            "requests": {"cpu": self.cpu_request, "memory": self.memory_request},
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
        }


class GrafanaAdminSecret(_Spec):
    """A reference to an existing Secret in the monitoring namespace holding Grafana's admin login.

    Only the reference is configuration: a password in stack config would land in git, in the Pulumi
    state and in Helm's release record (a Secret in the namespace, holding every value). Create the
    Secret out of band, e.g. with External Secrets from AWS Secrets Manager, or
    ``kubectl -n monitoring create secret generic grafana-admin --from-literal=admin-user=admin
    --from-literal=admin-password=...``.
    """

    name: str = Field(description="Secret name (DNS-1123 subdomain) in the monitoring namespace.")
    user_key: str = Field(default="admin-user", description="Key holding the admin user name.")
    password_key: str = Field(default="admin-password", description="Key holding the admin password.")

    @model_validator(mode="before")
    @classmethod
    def _reference_not_password(cls, data: Any) -> Any:
        literal = isinstance(data, str) or (
            isinstance(data, dict) and any("password" in key and key != "password_key" for key in data)
        )
        if literal:
            raise ValueError(
                "grafana_admin_secret takes a reference to an existing Kubernetes Secret "
                "({name, user_key, password_key}), never the password itself: a password in config ends "
                "up in the Pulumi state, the Helm release and git"
            )
        return data

    @field_validator("name")
    @classmethod
    def _secret_name(cls, value: str) -> str:
        if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
            raise ValueError(
                f"grafana_admin_secret.name '{value}' is not a Secret name (lower-case letters, digits, "
                "'-' and '.'); give the name of an existing Secret, not a password"
            )
        return value

    @field_validator("user_key", "password_key")
    @classmethod
    def _secret_key(cls, value: str) -> str:
        if not _SECRET_KEY.match(value):
            raise ValueError(f"Secret key '{value}' may contain only letters, digits, '-', '_' and '.'")
        return value


class ScrapeTarget(_Spec):
    """A KubernetesServing to scrape: its Service (named after the serving) in its namespace."""

    name: str = Field(description="The serving's name (KubernetesServingSpec.name).")
    namespace: str = Field(default="ml-serving", description="The serving's namespace.")
    path: str = Field(default="/metrics", description="HTTP path of the Prometheus metrics.")
    interval: str = Field(default="30s", description="Scrape interval (a Prometheus duration).")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return dns_label(value, "scrape target name")

    @field_validator("namespace")
    @classmethod
    def _valid_namespace(cls, value: str) -> str:
        return _namespace(value, "scrape target namespace")

    @field_validator("path")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        return absolute_path(value)

    @field_validator("interval")
    @classmethod
    def _valid_interval(cls, value: str) -> str:
        return _duration(value, "interval")


class ServingMetricNames(_Spec):
    """Names of the model servers' own request metrics, for the dashboard's request rate and latency panels.

    The defaults are the common Prometheus HTTP conventions (prometheus-fastapi-instrumentator, most
    Go/Java HTTP middleware): a counter ``http_requests_total`` with a status label and a histogram
    ``http_request_duration_seconds``. Servers with their own names (vLLM, TGI, Triton) set these.
    """

    requests_total: str = Field(
        default="http_requests_total",
        description="Counter of handled requests, with the status label: the request and error rates.",
    )
    duration_histogram: str = Field(
        default="http_request_duration_seconds", description="Histogram base name (without _bucket)."
    )
    status_label: str = Field(default="status", description="Label with the HTTP status ('500' or '5xx').")

    @field_validator("requests_total", "duration_histogram")
    @classmethod
    def _metric(cls, value: str) -> str:
        if not METRIC_NAME.match(value):
            raise ValueError(f"'{value}' is not a metric name: letters, digits, '_' and ':'")
        return value

    @field_validator("status_label")
    @classmethod
    def _label(cls, value: str) -> str:
        if not _LABEL_NAME.match(value):
            raise ValueError(f"'{value}' is not a Prometheus label name: letters, digits and '_'")
        return value


class AlertRouting(_Spec):
    """Where Alertmanager (kube-prometheus-stack's) sends the servings' alerts.

    ``sns``: the stack's alert topic (the one its CloudWatch alarms page through). Alertmanager signs
    its requests with an IAM role bound to its service account by EKS Pod Identity, allowed to publish
    to that one topic; the cluster needs the ``eks-pod-identity-agent`` add-on and must be in the
    stack's account (``cluster_arn``). ``webhook``: an HTTPS endpoint (a pager or chat webhook).
    """

    destination: Literal["sns", "webhook"] = Field(
        description="`sns` (the stack's alert topic) or `webhook` (`webhook_url`)."
    )
    webhook_url: str | None = Field(default=None, description="https:// URL; only with destination webhook.")
    repeat_interval: str = Field(
        default="4h", description="How often a still-firing alert is sent again (a Prometheus duration)."
    )

    @field_validator("repeat_interval")
    @classmethod
    def _valid_repeat(cls, value: str) -> str:
        return _duration(value, "repeat_interval")

    @model_validator(mode="after")
    def _url_matches_destination(self) -> AlertRouting:
        if (self.destination == "webhook") != (self.webhook_url is not None):
            fail_at(
                "AlertRouting",
                ("webhook_url",),
                self.webhook_url,
                "set webhook_url with destination webhook, and only then",
            )
        if self.webhook_url is not None:
            problem = https_url_problem(self.webhook_url)
            if problem:
                fail_at(
                    "AlertRouting",
                    ("webhook_url",),
                    self.webhook_url,
                    f"webhook_url needs an https:// URL: {problem}",
                )
        return self


class KubernetesMonitoringSpec(GpuPlacement):
    """Prometheus, Grafana and GPU telemetry for the model servers of one cluster."""

    namespace: str = Field(
        default="monitoring",
        description="Prometheus, Grafana, the operator and kube-state-metrics (Pod Security `baseline`).",
    )
    agents_namespace: str = Field(
        default="monitoring-agents",
        description="Node agents that need host access: node-exporter and the DCGM exporter (Pod Security "
        "`privileged`, and nothing else runs there).",
    )
    create_namespaces: bool = Field(
        default=True,
        description="Create both namespaces with their Pod Security labels. Set false when they exist "
        "(e.g. so the Grafana admin Secret can be created before the first deployment).",
    )
    kube_prometheus_stack_version: str = Field(
        default=versions.KUBE_PROMETHEUS_STACK.version,
        description="Exact kube-prometheus-stack chart version.",
    )
    dcgm_exporter_version: str = Field(
        default=versions.DCGM_EXPORTER.version, description="Exact dcgm-exporter chart version."
    )
    prometheus_adapter_version: str = Field(
        default=versions.PROMETHEUS_ADAPTER.version,
        description="Exact prometheus-adapter chart version (serves the GPU utilisation the servings' HPAs "
        "scale on).",
    )
    retention: str = Field(default="15d", description="How long Prometheus keeps samples.")
    storage_size: str = Field(
        default="50Gi",
        description="Prometheus volume (Gi or Ti). Samples are also dropped past 85% of it, so a full disk "
        "never stops ingestion before `retention` would.",
    )
    storage_class: str | None = Field(default=None, description="StorageClass; None: the cluster default.")
    prometheus_resources: ComputeResources = Field(
        default=ComputeResources(cpu_request="500m", cpu_limit="2", memory_request="4Gi", memory_limit="4Gi"),
        description="CPU and memory requests and limits of the Prometheus server (the other parts have "
        "fixed sizes).",
    )
    grafana_admin_secret: GrafanaAdminSecret = Field(
        description="Existing Secret with Grafana's admin login."
    )
    scrape: list[ScrapeTarget] = Field(
        default_factory=list, description="The KubernetesServings to scrape (one ServiceMonitor each)."
    )
    serving_metrics: ServingMetricNames = Field(
        default=ServingMetricNames(),
        description="Names of the model servers' request metrics, for the dashboard's traffic and latency "
        "panels.",
    )

    alerting: AlertRouting | None = Field(
        default=None,
        description="Run Alertmanager and send the servings' alerts (5xx ratio, p99 latency, GPU saturation, "
        "pods not ready) to the stack's SNS alert topic or a webhook. None: the rules are evaluated (visible "
        "in Prometheus and Grafana) but page nobody.",
    )

    @field_validator("namespace", "agents_namespace")
    @classmethod
    def _valid_namespace(cls, value: str, info: ValidationInfo) -> str:
        return _namespace(value, str(info.field_name))

    @field_validator("kube_prometheus_stack_version", "dcgm_exporter_version", "prometheus_adapter_version")
    @classmethod
    def _pinned(cls, value: str) -> str:
        if not _EXACT_VERSION.match(value):
            raise ValueError(
                f"chart version '{value}' is not an exact version MAJOR.MINOR.PATCH such as '81.6.2': "
                "a range or 'latest' would let the next deployment install a chart nobody reviewed"
            )
        return value

    @field_validator("retention")
    @classmethod
    def _valid_retention(cls, value: str) -> str:
        return _duration(value, "retention")

    @field_validator("storage_size")
    @classmethod
    def _valid_storage(cls, value: str) -> str:
        if not _STORAGE.match(value):
            raise ValueError(f"storage_size '{value}' must be a whole number of Gi or Ti, e.g. '50Gi'")
        return value

    @field_validator("storage_class")
    @classmethod
    def _valid_storage_class(cls, value: str | None) -> str | None:
        if value is not None and (len(value) > 253 or not _DNS_SUBDOMAIN.match(value)):
            raise ValueError(f"storage_class '{value}' is not a StorageClass name")
        return value

    @field_validator("scrape")
    @classmethod
    def _unique_targets(cls, value: list[ScrapeTarget]) -> list[ScrapeTarget]:
        keys = [f"{target.namespace}/{target.name}" for target in value]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"duplicate scrape target(s) {listed(duplicates)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> KubernetesMonitoringSpec:
        if self.namespace == self.agents_namespace:
            fail_at(
                "KubernetesMonitoringSpec",
                ("agents_namespace",),
                self.agents_namespace,
                f"namespace and agents_namespace are both '{self.namespace}': the host-access agents need "
                "their own `privileged` namespace so Prometheus and Grafana stay under `baseline`",
            )
        if not (self.gpu_node_selector or self.gpu_tolerations):
            fail_at(
                "KubernetesMonitoringSpec",
                ("gpu_node_selector",),
                self.gpu_node_selector,
                "set gpu_node_selector or gpu_tolerations so the DCGM exporter lands on GPU nodes",
            )
        return self

    @property
    def retention_size(self) -> str:
        """Size-based retention at 85% of the volume: Prometheus stops ingesting on a full disk."""
        return f"{storage_mib(self.storage_size) * 85 // 100}MiB"
