"""Typed, validated spec of a model served on an existing Kubernetes (EKS) cluster."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import INT32_MAX, SPEC_CONFIG, fail_at
from ._gpu_labels import no_gpu_selections

ROLLOUT_SLACK_SECONDS = 900
"""Time a new pod may spend before its startup probe runs: GPU node provisioning and a large image pull."""

# A DNS-1035 label: also a DNS-1123 label, and valid for Service names (which must start with a letter).
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_DIGEST_PINNED = re.compile(r"^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}\Z")
CPU_QUANTITY = re.compile(r"^([0-9]+(\.[0-9]{1,3})?|[0-9]+m)\Z", re.ASCII)
# No "m" suffix: on memory it means milli-bytes, a classic typo for Mi.
_MEMORY = re.compile(r"^[0-9]+(\.[0-9]+)?(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?\Z", re.ASCII)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
HTTP_PATH = re.compile(r"^/[!-~]*\Z")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\Z")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\Z")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?\Z")
_FACTORS = {
    "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}  # fmt: skip
MODEL_ENV = ("MODEL_PACKAGE_ARN", "MODEL_DATA_URL")
"""The variables a registry-backed serving's container gets: the approved version and its artifact."""
RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
GPU_RESOURCE = "nvidia.com/gpu"
GPU_UTILIZATION_METRIC = "DCGM_FI_DEV_GPU_UTIL"
"""The per-pod GPU utilisation (percent) the HPA scales on: the DCGM exporter's series, served under
this same name by KubernetesMonitoring's prometheus-adapter through the custom metrics API."""
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label Kubernetes sets on every namespace to its name (immutable): selects a namespace by name."""
TRITON_PORTS = {"port": 8000, "grpc": 8001, "metrics_port": 8002}
"""Triton's HTTP (KServe v2 protocol), gRPC and Prometheus metrics ports."""
TRITON_PRESET = {
    "port": TRITON_PORTS["port"],
    "metrics_port": TRITON_PORTS["metrics_port"],
    "readiness_path": "/v2/health/ready",
    "liveness_path": "/v2/health/live",
}
"""What ``server: triton`` sets (a stack file may repeat these values, not change them)."""
KSERVE_MODEL_DIR = "/mnt/models"
"""Where KServe's storage initializer puts (and unpacks) the model at ``STORAGE_URI``."""


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


def _quantity_value(quantity: str) -> float:
    """The numeric value of a validated CPU or memory quantity, for comparing requests with limits."""
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", quantity)
    if match is None:  # callers pass only what CPU_QUANTITY or _MEMORY matched
        raise ValueError(f"not a CPU or memory quantity: {quantity!r}")
    number, suffix = match.groups()
    return float(number) * _FACTORS[suffix]


def invalid_labels(labels: dict[str, str]) -> list[str]:
    """The ``key=value`` pairs of ``labels`` that Kubernetes would reject."""
    bad = []
    for key, value in labels.items():
        prefix, _, name = key.rpartition("/")
        valid_key = bool(_LABEL_NAME.match(name)) and (not prefix or bool(_LABEL_PREFIX.match(prefix)))
        if not (valid_key and _LABEL_VALUE.match(value)):
            bad.append(f"{key}={value}")
    return bad


LABEL_RULES = (
    "keys [prefix/]name, names and values up to 63 letters, digits, '-', '_' or '.', "
    "starting and ending with a letter or digit"
)


MAX_DEPLOYMENT_NAME = 46
"""A pod is named ``<replicaset>-<5 characters>`` and its ReplicaSet ``<deployment>-<hash of up to 10>``;
Kubernetes cuts a generated name's base to 58 characters, so a longer Deployment name loses the dash
between hash and suffix, and the GPU panel's and alerts' ``<deployment>-<hash>-<suffix>`` selection
misses its pods."""


def dns_label(value: str, what: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{what} '{value}' is not a DNS-1123 label: 1-63 lower-case letters, digits or '-', "
            "starting with a letter and ending with a letter or digit"
        )
    return value


def absolute_path(value: str) -> str:
    if not HTTP_PATH.match(value):
        raise ValueError(
            f"'{value}' must be an absolute path: start with '/', then printable ASCII without spaces (percent-encode the rest)"
        )
    return value


class Toleration(_Spec):
    """A taint the pods tolerate (GPU node groups are usually tainted so only GPU pods land there)."""

    key: str = Field(
        min_length=1, max_length=253, description="Taint key to tolerate, e.g. `nvidia.com/gpu`."
    )
    operator: Literal["Exists", "Equal"] = Field(
        default="Exists",
        description="`Exists` tolerates the key with any value; `Equal` only with `value`.",
    )
    value: str | None = Field(default=None, description="Only with operator Equal.")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = Field(
        default="NoSchedule", description="The taint effect tolerated."
    )

    @model_validator(mode="after")
    def _value_matches_operator(self) -> Toleration:
        if (self.operator == "Equal") != (self.value is not None):
            fail_at(
                "Toleration",
                ("value",),
                self.value,
                f"toleration '{self.key}': set value with operator Equal, and only then",
            )
        return self


class PodsMetric(_Spec):
    """A per-pod custom metric for the HPA, served through the custom metrics API (e.g. prometheus-adapter
    exposing the DCGM exporter's ``DCGM_FI_DEV_GPU_UTIL``)."""

    name: str = Field(description="Metric name as the custom metrics API serves it.")
    target_average_value: str = Field(description="Target per-pod average, a quantity: '70', '500m'.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not METRIC_NAME.match(value):
            raise ValueError(f"'{value}' is not a metric name: letters, digits, '_' and ':'")
        return value

    @field_validator("target_average_value")
    @classmethod
    def _valid_target(cls, value: str) -> str:
        if not CPU_QUANTITY.match(value) or _quantity_value(value) <= 0:
            raise ValueError(
                f"target_average_value '{value}' is not a positive quantity such as '70' or '500m'"
            )
        return value


class GpuPlacement(_Spec):
    """Where GPU pods go: the GPU nodes' labels and the taints to tolerate (shared by the serving and
    monitoring specs)."""

    gpu_node_selector: dict[str, str] = Field(
        default_factory=lambda: {"nvidia.com/gpu.present": "true"},
        description="Node labels of the GPU nodes (applied to pods that need a GPU). A GPU label with a "
        "value that says no GPU (empty, false/no/off/none, a number <= 0) is refused.",
    )
    gpu_tolerations: list[Toleration] = Field(
        default_factory=lambda: [Toleration(key=GPU_RESOURCE)],
        description="Taints of the GPU nodes to tolerate (applied to pods that need a GPU).",
    )

    @field_validator("gpu_node_selector")
    @classmethod
    def _node_labels(cls, value: dict[str, str]) -> dict[str, str]:
        bad = invalid_labels(value)
        if bad:
            raise ValueError(f"gpu_node_selector {bad} are not valid node labels: {LABEL_RULES}")
        no_gpu = no_gpu_selections(value)
        if no_gpu:
            raise ValueError(
                f"gpu_node_selector {no_gpu} select nodes without GPUs (a GPU label's value that is empty, "
                "false, no, off, none or a number <= 0), where a pod that needs a GPU never gets one: give "
                "the value the GPU nodes carry, e.g. nvidia.com/gpu.present: 'true', or a GPU count of 1 or more"
            )
        return value


class ServingNetwork(_Spec):
    """Who may reach the model server: a NetworkPolicy denies every other ingress to its pods.

    The platform installs no ingress controller or gateway, so by default no pod may call the serving
    port: list the callers' namespaces (an ingress controller's, an API gateway's, an application's).
    The kubelet's probes are node traffic, not pod ingress. Enforced only where the cluster's CNI
    enforces NetworkPolicy (EKS: the VPC CNI with ``enableNetworkPolicy``, or Calico/Cilium).
    """

    client_namespaces: list[dict[str, str]] = Field(
        default_factory=list,
        description="Namespace selectors (label maps) whose pods may call the serving port, e.g. "
        "`{kubernetes.io/metadata.name: api}` for the namespace `api`. Default none: no pod may call it.",
    )
    monitoring_namespace: str | None = Field(
        default="monitoring",
        description="Namespace whose pods (Prometheus) may scrape the metrics port. Unset in a stack that "
        "installs `kubernetes_serving.monitoring`: that namespace. None: nobody scrapes.",
    )

    @field_validator("client_namespaces")
    @classmethod
    def _selectors(cls, value: list[dict[str, str]]) -> list[dict[str, str]]:
        for selector in value:
            if not selector:
                raise ValueError(
                    "an empty namespace selector matches every namespace; name the callers' namespaces, "
                    f"e.g. {{{NAMESPACE_NAME_LABEL}: api}}"
                )
            bad = invalid_labels(selector)
            if bad:
                raise ValueError(f"client_namespaces {bad} are not valid namespace labels: {LABEL_RULES}")
        return value

    @field_validator("monitoring_namespace")
    @classmethod
    def _valid_namespace(cls, value: str | None) -> str | None:
        return None if value is None else dns_label(value, "monitoring_namespace")


class CanarySpec(_Spec):
    """A canary: a second Deployment (``<name>-canary``) of another image behind the same Service.

    The Service spreads requests evenly over the ready pods of both, so the canary takes about
    ``replicas / (stable replicas + replicas)`` of the traffic (the stable count is the HPA's). Promote by
    setting the serving's ``image`` to the canary's and removing ``canary``; roll back by removing it.
    """

    image: str = Field(description="The canary's image, pinned by digest.")
    replicas: Annotated[int, Field(ge=1, le=16)] = Field(
        default=1, description="Canary pods (fixed; not scaled by the HPA): its share of the traffic."
    )
    env: dict[str, str] = Field(
        default_factory=dict, description="Environment variables the canary sets on top of the serving's."
    )

    @field_validator("image")
    @classmethod
    def _pinned_image(cls, value: str) -> str:
        if not _DIGEST_PINNED.match(value):
            raise ValueError(
                f"canary image '{value}' must be pinned by digest: <repository>@sha256:<64 hex digits>"
            )
        return value

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(key for key in value if not _ENV_NAME.match(key))
        if bad:
            raise ValueError(f"environment variable names {bad} must match [A-Za-z_][A-Za-z0-9_]*")
        return value


class ServingAlerts(_Spec):
    """When a serving pages: the thresholds of its PrometheusRule (rendered by the stack's
    ``kubernetes_serving.monitoring``, routed by its ``alerting``)."""

    enabled: bool = Field(default=True, description="Render the serving's alert rules.")
    error_rate_percent: Annotated[float, Field(gt=0, le=100)] = Field(
        default=5.0,
        description="Alert when 5xx responses exceed this share of requests (percent) for 5 minutes.",
    )
    p99_latency_seconds: Annotated[float, Field(gt=0, le=600)] = Field(
        default=2.0, description="Alert when the 99th-percentile request latency exceeds this for 10 minutes."
    )
    gpu_saturation_percent: Annotated[int, Field(ge=1, le=100)] = Field(
        default=95,
        description=f"Alert when the pods' average GPU utilisation ({GPU_UTILIZATION_METRIC}) stays above this "
        "(only for servings with gpus > 0); at least 1.1 x `target_gpu_utilization`: the HPA leaves the "
        "utilisation anywhere up to that (its 10% tolerance) without scaling out.",
    )
    gpu_saturation_minutes: Annotated[int, Field(ge=1, le=1440)] = Field(
        default=15, description="How long the GPU utilisation must stay above the threshold."
    )
    not_ready_minutes: Annotated[int, Field(ge=1, le=1440)] | None = Field(
        default=None,
        description="Alert when some of the Deployment's pods stay unavailable this long. Default: the "
        "time a new pod is allowed to become ready, `startup_timeout_seconds` plus 15 minutes for a new "
        "GPU node and the image pull (25 minutes with the default timeout), so that a healthy scale-out "
        "never pages; a shorter wait pages sooner for a pod that will not start, and for a slow start too.",
    )


class KServeSpec(_Spec):
    """Serve through KServe: an ``InferenceService`` (``serving.kserve.io/v1beta1``) whose predictor runs the
    serving's container; KServe creates the Deployment and its HPA. The cluster must run KServe."""

    deployment_mode: Literal["RawDeployment", "Standard"] = Field(
        default="RawDeployment",
        description="KServe's `serving.kserve.io/deploymentMode`: plain Deployment and HPA, no Knative or "
        "Istio. `Standard` is the name KServe 0.15+ gives the same mode.",
    )


class KubernetesServingSpec(GpuPlacement):
    """What to serve and how: one model server Deployment with its Service, HPA and PDB."""

    name: str = Field(
        description="Names the Deployment, Service, HPA and PDB; a DNS-1123 label of at most 46 characters "
        "(39 with a canary, 36 with kserve), so Kubernetes does not cut its pods' names."
    )
    namespace: str = Field(default="ml-serving", description="Namespace to deploy into.")
    create_namespace: bool = Field(
        default=True,
        description="Create the namespace (Pod Security `restricted`). Set false for every serving but one "
        "when several share a namespace; it must then exist and enforce `restricted` itself.",
    )
    image: str = Field(description="Model server image pinned by digest: <repository>@sha256:<64 hex>.")
    server: Literal["custom", "triton"] = Field(
        default="custom",
        description="`triton`: the image is NVIDIA Triton (`nvcr.io/nvidia/tritonserver:<version>-py3`, "
        "pinned by digest, or an image built on it): the pod runs `tritonserver` on `model_repository` "
        "with HTTP on 8000, gRPC on 8001, metrics on 8002 and `/v2/health/ready|live` probes. `custom`: "
        "the image's own entrypoint.",
    )
    model_repository: str | None = Field(
        default=None,
        description="With server `triton`: the Triton model repository directory in the pod. Default "
        f"`/models` (baked into the image), `{KSERVE_MODEL_DIR}` with `kserve` (the unpacked artifact).",
    )
    kserve: KServeSpec | None = Field(
        default=None,
        description="Render a KServe `InferenceService` instead of the Deployment and HPA (the cluster must "
        "run KServe): its predictor runs this container with the same security context and resources, "
        "KServe scales it between min_replicas and max_replicas on CPU, and with `latest_approved_of` its "
        f"storage initializer unpacks the approved artifact into `{KSERVE_MODEL_DIR}`. No canary and no GPU "
        "or custom-metric autoscaling.",
    )
    latest_approved_of: str | None = Field(
        default=None,
        description="A model family of this stack: the server gets its latest Approved version "
        f"({MODEL_ENV[0]}) and that version's model artifact ({MODEL_ENV[1]}, an s3:// URI it may read "
        "through an EKS Pod Identity role, and only that object); with nothing approved the serving is "
        "deferred. None: the image carries or fetches its model itself.",
    )
    port: Annotated[int, Field(ge=1024, le=65535)] = Field(
        default=8080, description="Container HTTP port (>= 1024: the server runs without capabilities)."
    )
    metrics_port: Annotated[int, Field(ge=1024, le=65535)] = Field(
        default=9090,
        description="Prometheus port, named `metrics` on the Service for a ServiceMonitor. Equal to `port` "
        "for servers that serve /metrics on their HTTP port (vLLM, TGI).",
    )
    replicas: Annotated[int, Field(ge=1, le=INT32_MAX)] = Field(
        default=2, description="Replicas at creation; the HPA owns the count afterwards."
    )
    min_replicas: Annotated[int, Field(ge=1, le=INT32_MAX)] = Field(
        default=2,
        description="Fewest replicas the HPA keeps; at most `replicas`. Above 1, the PDB keeps a pod "
        "running by default.",
    )
    max_replicas: Annotated[int, Field(ge=1, le=INT32_MAX)] = Field(
        default=4, description="Most replicas the HPA runs; at least `replicas`."
    )
    gpus: Annotated[int, Field(ge=0, le=16)] = Field(default=1, description="GPUs per pod; 0 serves on CPU.")
    cpu_request: str = Field(
        default="2",
        description="CPU reserved per pod: cores ('2', '0.5') or millicores ('500m'); the base of "
        "`target_cpu_utilization`, at most `cpu_limit`.",
    )
    cpu_limit: str = Field(default="4", description="CPU a pod may use; it is throttled above it.")
    memory_request: str = Field(
        default="8Gi",
        description="Memory reserved per pod: bytes with an optional suffix (Ki, Mi, Gi, Ti or k, M, G, "
        "T), e.g. '8Gi'; at most `memory_limit`.",
    )
    memory_limit: str = Field(
        default="8Gi", description="Memory a pod may use; above it the container is OOM-killed."
    )
    readiness_path: str = Field(
        default="/ping", description="HTTP path that answers 200 when ready to serve."
    )
    liveness_path: str = Field(default="/ping", description="HTTP path that answers 200 while healthy.")
    startup_timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = Field(
        default=600, description="How long the model may take to load before the pod is restarted."
    )
    env: dict[str, str] = Field(
        default_factory=dict, description="Environment variables. Not for secrets: they are stored in clear."
    )
    model_cache_path: str = Field(
        default="/var/cache/model", description="Writable emptyDir for downloaded weights (XDG_CACHE_HOME)."
    )
    model_cache_size: str = Field(default="20Gi", description="Size limit of the model cache emptyDir.")
    target_cpu_utilization: Annotated[int, Field(ge=1, le=100)] = Field(
        default=70, description="HPA target: average CPU use as a percentage of the CPU request."
    )
    target_gpu_utilization: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None,
        description=f"HPA target: average GPU utilisation (percent) of the pods' GPUs ({GPU_UTILIZATION_METRIC}"
        ", served by the stack's monitoring prometheus-adapter). Needs gpus > 0.",
    )
    custom_metric: PodsMetric | None = Field(default=None, description="An extra per-pod HPA metric.")
    network: ServingNetwork = Field(
        default=ServingNetwork(),
        description="Who may reach the pods (a NetworkPolicy denies all other ingress): the serving port "
        "from `client_namespaces`, the metrics port from `monitoring_namespace`.",
    )
    scale_down_stabilization_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=300, description="The HPA scales down only to the highest recommendation of this window."
    )
    canary: CanarySpec | None = Field(
        default=None,
        description="A canary Deployment (`<name>-canary`) of another image behind the same Service, taking "
        "about replicas / (stable + canary replicas) of the requests. Promotion: set `image` to the canary's "
        "and remove `canary`.",
    )
    alerts: ServingAlerts = Field(
        default=ServingAlerts(),
        description="Alert thresholds: 5xx ratio, p99 latency, GPU saturation, pods not ready (rules need "
        "`kubernetes_serving.monitoring`; paging needs its `alerting`).",
    )
    pdb_min_available: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="Pods a voluntary disruption (node drain) must leave running. Default: none; the "
        "PDB allows one pod down at a time (maxUnavailable 1), so a drain waits for each replacement.",
    )

    @model_validator(mode="before")
    @classmethod
    def _triton_preset(cls, data: object) -> object:
        if not (isinstance(data, dict) and data.get("server") == "triton"):
            return data
        changed = sorted(key for key, value in TRITON_PRESET.items() if data.get(key, value) != value)
        if changed:
            raise ValueError(
                f"server triton sets {', '.join(f'{key} to {TRITON_PRESET[key]}' for key in changed)}: remove "
                f"{', '.join(changed)}"
            )
        default_repository = KSERVE_MODEL_DIR if data.get("kserve") is not None else "/models"
        return {**TRITON_PRESET, "model_repository": default_repository, **data}

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return dns_label(value, "name")

    @field_validator("model_repository")
    @classmethod
    def _repository_path(cls, value: str | None) -> str | None:
        return None if value is None else absolute_path(value)

    @field_validator("namespace")
    @classmethod
    def _valid_namespace(cls, value: str) -> str:
        if value in RESERVED_NAMESPACES:
            raise ValueError(
                f"namespace '{value}' is reserved; serve from a dedicated namespace such as 'ml-serving'"
            )
        return dns_label(value, "namespace")

    @field_validator("image")
    @classmethod
    def _pinned_image(cls, value: str) -> str:
        if not _DIGEST_PINNED.match(value):
            raise ValueError(
                f"image '{value}' must be pinned by digest: <repository>@sha256:<64 hex digits> "
                "(a tag can be moved to other code; a digest cannot)"
            )
        return value

    @field_validator("cpu_request", "cpu_limit")
    @classmethod
    def _cpu_quantity(cls, value: str) -> str:
        if not CPU_QUANTITY.match(value) or _quantity_value(value) <= 0:
            raise ValueError(f"'{value}' is not a CPU quantity: cores ('2', '0.5') or millicores ('500m')")
        return value

    @field_validator("memory_request", "memory_limit", "model_cache_size")
    @classmethod
    def _memory_quantity(cls, value: str) -> str:
        if not _MEMORY.match(value) or _quantity_value(value) <= 0:
            raise ValueError(
                f"'{value}' is not a memory quantity: bytes with an optional suffix "
                "(Ki, Mi, Gi, Ti or k, M, G, T), e.g. '8Gi'"
            )
        return value

    @field_validator("readiness_path", "liveness_path", "model_cache_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        return absolute_path(value)

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(key for key in value if not _ENV_NAME.match(key))
        if bad:
            raise ValueError(f"environment variable names {bad} must match [A-Za-z_][A-Za-z0-9_]*")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> KubernetesServingSpec:
        # Each rule names the key to change (fail_at), not only the serving.
        model = "KubernetesServingSpec"
        if self.min_replicas > self.max_replicas:
            fail_at(
                model,
                ("min_replicas",),
                self.min_replicas,
                f"min_replicas ({self.min_replicas}) exceeds max_replicas ({self.max_replicas})",
            )
        if not self.min_replicas <= self.replicas <= self.max_replicas:
            fail_at(
                model,
                ("replicas",),
                self.replicas,
                f"replicas ({self.replicas}) must lie within [min_replicas, max_replicas] "
                f"= [{self.min_replicas}, {self.max_replicas}]",
            )
        for resource in ("cpu", "memory"):
            request, limit = getattr(self, f"{resource}_request"), getattr(self, f"{resource}_limit")
            if _quantity_value(request) > _quantity_value(limit):
                fail_at(
                    model,
                    (f"{resource}_request",),
                    request,
                    f"{resource}_request ({request}) exceeds {resource}_limit ({limit})",
                )
        if self.pdb_min_available is not None and self.pdb_min_available >= self.min_replicas:
            fail_at(
                model,
                ("pdb_min_available",),
                self.pdb_min_available,
                f"pdb_min_available ({self.pdb_min_available}) must be below min_replicas "
                f"({self.min_replicas}), or a node drain could never evict a pod at minimum scale",
            )
        if self.gpus > 0 and not (self.gpu_node_selector or self.gpu_tolerations):
            fail_at(
                model,
                ("gpu_node_selector",),
                self.gpu_node_selector,
                "gpus > 0 needs gpu_node_selector or gpu_tolerations so the pods are placed on GPU nodes",
            )
        if self.target_gpu_utilization is not None and self.gpus == 0:
            fail_at(
                model,
                ("target_gpu_utilization",),
                self.target_gpu_utilization,
                "target_gpu_utilization needs gpus > 0: a CPU server has no GPU to measure",
            )
        saturation = self.alerts.gpu_saturation_percent
        if (
            self.alerts.enabled
            and self.gpus > 0
            and self.target_gpu_utilization is not None
            # The HPA scales only when the metric is more than its tolerance away from the target: the
            # cluster's 10% (kube-controller-manager's default, which EKS does not let a cluster change;
            # the HPA rendered here sets no behavior.*.tolerance). Up to 1.1 x the target it leaves the
            # pods as they are.
            and saturation * 10 < self.target_gpu_utilization * 11
        ):
            smallest = (self.target_gpu_utilization * 11 + 9) // 10
            fix = (
                f"i.e. {smallest}"
                if smallest <= 100
                else f"{smallest}, above the 100 it can take: set target_gpu_utilization to 90 or less, or "
                "alerts.enabled to false"
            )
            fail_at(
                model,
                ("alerts", "gpu_saturation_percent"),
                saturation,
                f"alerts.gpu_saturation_percent ({saturation}) must be at least 1.1 x target_gpu_utilization "
                f"({self.target_gpu_utilization}), {fix}: the HPA leaves the pods' average GPU utilisation "
                "anywhere up to 10% above its target without scaling out, so the saturation alert would fire "
                "while the HPA scales as intended",
            )
        gpu_metric_twice = (
            self.custom_metric is not None and self.custom_metric.name == GPU_UTILIZATION_METRIC
        )
        if self.target_gpu_utilization is not None and gpu_metric_twice:
            fail_at(
                model,
                ("custom_metric", "name"),
                GPU_UTILIZATION_METRIC,
                f"custom_metric repeats {GPU_UTILIZATION_METRIC}, which target_gpu_utilization already sets",
            )
        for deployment in self.deployment_names:
            if len(deployment) > MAX_DEPLOYMENT_NAME:
                fail_at(
                    model,
                    ("name",),
                    self.name,
                    f"name '{self.name}' is too long: its Deployment '{deployment}' ({len(deployment)} "
                    f"characters) would get pod names Kubernetes cuts short, which the GPU panel and "
                    f"alerts cannot select; a Deployment name of at most {MAX_DEPLOYMENT_NAME} characters "
                    "leaves room for the ReplicaSet's hash and the pod's suffix",
                )
        if self.canary is not None:
            if self.canary.image == self.image:
                fail_at(
                    model,
                    ("canary", "image"),
                    self.canary.image,
                    "canary.image is the serving's image: the canary is promoted, remove canary",
                )
            if self.latest_approved_of and set(MODEL_ENV) & set(self.canary.env):
                fail_at(
                    model,
                    ("canary", "env"),
                    sorted(set(MODEL_ENV) & set(self.canary.env)),
                    f"canary.env cannot set {list(MODEL_ENV)}: they come from the registry",
                )
        taken = sorted(set(MODEL_ENV) & set(self.env)) if self.latest_approved_of else []
        if taken:
            fail_at(
                model,
                ("env",),
                taken,
                f"env {taken} are set from the registry with latest_approved_of; remove them",
            )
        if self.model_cache_path in ("/tmp", "/"):
            fail_at(
                model,
                ("model_cache_path",),
                self.model_cache_path,
                "model_cache_path must be its own directory, not '/' or '/tmp'",
            )
        self._check_server()
        return self

    def _check_server(self) -> None:
        if self.server != "triton" and self.model_repository is not None:
            fail_at(
                "KubernetesServingSpec",
                ("model_repository",),
                self.model_repository,
                "model_repository goes with server triton",
            )
        if self.server == "triton" and self.latest_approved_of and self.kserve is None:
            raise ValueError(
                "server triton with latest_approved_of needs kserve: Triton reads a model repository "
                "directory, and the approved version's artifact is a model.tar.gz that KServe's storage "
                f"initializer unpacks into {KSERVE_MODEL_DIR} (or bake the repository into the image instead)"
            )
        if self.kserve is None:
            return
        refused = [
            (self.canary is not None, "canary (KServe's canaryTrafficPercent needs its Serverless mode)"),
            (self.target_gpu_utilization is not None, "target_gpu_utilization (KServe's HPA scales on CPU)"),
            (self.custom_metric is not None, "custom_metric (KServe's HPA scales on CPU)"),
        ]
        bad = [what for given, what in refused if given]
        if bad:
            raise ValueError(f"kserve does not take {'; '.join(bad)}: remove them or kserve")
        if self.latest_approved_of and "STORAGE_URI" in self.env:
            fail_at(
                "KubernetesServingSpec",
                ("env", "STORAGE_URI"),
                self.env["STORAGE_URI"],
                "env STORAGE_URI is set from the registry with kserve and latest_approved_of",
            )

    @property
    def start_allowance_seconds(self) -> int:
        """How long a new pod may take to become ready: a new node and the image pull
        (:data:`ROLLOUT_SLACK_SECONDS`), then the model's load (``startup_timeout_seconds``)."""
        return self.startup_timeout_seconds + ROLLOUT_SLACK_SECONDS

    @property
    def deployment_names(self) -> tuple[str, ...]:
        """Every Deployment the serving runs: its own (or KServe's predictor), and its canary's."""
        canary = self.canary_deployment_name
        return (self.deployment_name, canary) if canary is not None else (self.deployment_name,)

    @property
    def deployment_name(self) -> str:
        """The Deployment running the pods: this one's, or the ``<name>-predictor`` KServe creates."""
        return f"{self.name}-predictor" if self.kserve is not None else self.name

    @property
    def canary_deployment_name(self) -> str | None:
        """The canary's Deployment (``<name>-canary``), None without a canary."""
        return f"{self.name}-canary" if self.canary is not None else None

    @property
    def grpc_port(self) -> int | None:
        """Triton's gRPC port (None for a custom server)."""
        return TRITON_PORTS["grpc"] if self.server == "triton" else None

    @property
    def separate_metrics_port(self) -> bool:
        return self.metrics_port != self.port
