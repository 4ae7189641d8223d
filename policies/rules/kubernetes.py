"""Kubernetes workload hygiene for inference pods (Checkov CKV_K8S_* and GPU scheduling).

Applies to Deployments and StatefulSets (``spec.template.spec``). Workloads in
``exemptNamespaces`` (default ``kube-system``) are skipped: system add-ons such as device
plugins legitimately need host access. A ``helm.v3.Release`` is opaque to the pack; charts
Pulumi renders itself (``helm.v3.Chart``, ``helm.v4.Chart``) register their Deployments,
which are checked like any other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    CHECKOV,
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    ConfigSchema,
    ResourceCheck,
    framework,
    get,
    get_or_none,
    is_map,
    is_set,
    is_true,
    items,
    number,
    resource_rule,
    shown,
    str_list,
)

WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
POD = "spec.template.spec"

Check = Iterator[str]

_EXEMPT_NAMESPACES: ConfigSchema = {
    "exemptNamespaces": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["kube-system"],
        "description": "Namespaces whose workloads this rule skips.",
    }
}


def _containers(pod: Any, include_init: bool = False) -> list[tuple[str, Any]]:
    keys = ("containers", "initContainers") if include_init else ("containers",)
    return [(f"{POD}.{key}[{i}]", c) for key in keys for i, c in enumerate(items(get(pod, key))) if is_map(c)]


def _workload_rule(
    name: str,
    description: str,
    check: ResourceCheck,
    *,
    level: Any,
    severity: Any,
    reference: str | None,
    also: str | None = None,
    config: ConfigSchema | None = None,
) -> Any:
    """A resource rule on pod templates that honours ``exemptNamespaces``."""

    def checked(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
        # An unknown namespace (an Output of a new Namespace) is never an exempt system namespace.
        namespace = get_or_none(args.props, "metadata.namespace") or "default"
        if namespace not in str_list(cfg["exemptNamespaces"]):
            yield from check(args, cfg)

    return resource_rule(
        name=name,
        description=description,
        resource_types=WORKLOADS,
        check=checked,
        enforcement_level=level,
        severity=severity,
        framework=framework(CHECKOV, reference, also) if reference else None,
        config={**_EXEMPT_NAMESPACES, **(config or {})},
        tags=["kubernetes"],
    )


# --- checks ----------------------------------------------------------------------------


def _probes(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path, container in _containers(get(args.props, POD)):
        for probe in ("readinessProbe", "livenessProbe"):
            if not is_set(get(container, probe)):
                yield f"{path}.{probe} is unset: add an HTTP or TCP {probe} for the model server."


def _resources(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path, container in _containers(get(args.props, POD)):
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if not is_set(get(container, f"resources.{kind}.{resource}")):
                    yield f"{path}.resources.{kind}.{resource} is unset: set it so the pod is scheduled and bounded."


def _image_digest(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path, container in _containers(get(args.props, POD), include_init=True):
        image = str(get(container, "image") or "")
        if "@sha256:" not in image:
            yield f"{path}.image {image!r} is not pinned by digest: use <repository>@sha256:<digest>."


def _security_context(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    pod = get(args.props, POD)
    pod_non_root = is_true(get(pod, "securityContext.runAsNonRoot"))
    for path, container in _containers(pod, include_init=True):
        sc, at = get(container, "securityContext"), f"{path}.securityContext"
        if is_true(get(sc, "privileged")):
            yield f"{at}.privileged is true: remove it."
        if get(sc, "allowPrivilegeEscalation") is not False:
            yield f"{at}.allowPrivilegeEscalation is {shown(get(sc, 'allowPrivilegeEscalation'))}: set it to false."
        if not is_true(get(sc, "readOnlyRootFilesystem")):
            yield f"{at}.readOnlyRootFilesystem is not true: set it and mount an emptyDir for scratch space."
        own = get(sc, "runAsNonRoot")
        if own is False or (own is None and not pod_non_root):
            yield f"{at}.runAsNonRoot is not true (nor {POD}.securityContext.runAsNonRoot): set it to true."
        if "ALL" not in [c.upper() for c in str_list(get(sc, "capabilities.drop"))]:
            yield f"{at}.capabilities.drop does not contain 'ALL': drop ALL capabilities."
        added = [
            c for c in str_list(get(sc, "capabilities.add")) if c.upper() in ("ALL", "NET_RAW", "SYS_ADMIN")
        ]
        if added:
            yield f"{at}.capabilities.add contains {added}: do not add them back."


def _host_namespaces(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for flag in ("hostPID", "hostIPC", "hostNetwork"):
        if is_true(get(args.props, f"{POD}.{flag}")):
            yield f"{POD}.{flag} is true: remove it; inference pods do not share host namespaces."


def _token_not_automounted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if get(args.props, f"{POD}.automountServiceAccountToken") is not False:
        yield (
            f"{POD}.automountServiceAccountToken is not false: set it to false unless the pod calls the "
            "Kubernetes API (IRSA web-identity tokens are mounted separately)."
        )


def _high_uid(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    pod = get(args.props, POD)
    minimum = number(cfg["minUid"]) or 10000.0
    pod_uid = number(get(pod, "securityContext.runAsUser"))
    for path, container in _containers(pod, include_init=True):
        uid = number(get(container, "securityContext.runAsUser"))
        uid = pod_uid if uid is None else uid
        if uid is None or uid < minimum:
            yield f"{path}.securityContext.runAsUser is {shown(uid)}: run as a UID >= {int(minimum)}."


def _quantity(value: Any) -> str:
    amount = number(value)
    if amount is not None and amount == int(amount):
        return str(int(amount))
    return str(value)


def _gpu_pods(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    pod, gpu = get(args.props, POD), str(cfg["gpuResourceName"])
    uses_gpu = False
    for path, container in _containers(pod):
        requests, limits = get(container, "resources.requests"), get(container, "resources.limits")
        requested = requests.get(gpu) if is_map(requests) else None
        limited = limits.get(gpu) if is_map(limits) else None
        if requested is None and limited is None:
            continue
        uses_gpu = True
        if limited is None:
            yield f"{path}.resources.limits['{gpu}'] is unset: GPUs are allocated from limits; set it."
        elif requested is not None and _quantity(requested) != _quantity(limited):
            yield f"{path}.resources.requests['{gpu}'] differs from limits['{gpu}']: make them equal."
    if not uses_gpu:
        return
    keys = set(str_list(cfg["gpuNodeSelectorKeys"]))
    selector = get(pod, "nodeSelector")
    selected = is_map(selector) and bool(keys & {str(k) for k in selector})
    terms = items(
        get(pod, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms")
    )
    selected = selected or any(
        get(e, "key") in keys for t in terms for e in items(get(t, "matchExpressions"))
    )
    tolerated = any(get(t, "key") == gpu for t in items(get(pod, "tolerations")))
    if not (selected or tolerated):
        yield (
            f"{POD}.nodeSelector has no GPU key and {POD}.tolerations has no '{gpu}' toleration: select GPU "
            f"nodes (one of {sorted(keys)}) or tolerate the '{gpu}' taint."
        )


# --- rules -----------------------------------------------------------------------------

k8s_probes_configured = _workload_rule(
    "k8s-probes-configured",
    "Inference containers must define readiness and liveness probes. Fix: add readinessProbe and livenessProbe.",
    _probes,
    level=MANDATORY,
    severity=MEDIUM,
    reference="CKV_K8S_9",
    also="CKV_K8S_8",
)

k8s_resources_bounded = _workload_rule(
    "k8s-resources-bounded",
    "Containers must set CPU and memory requests and limits. Fix: set resources.requests/limits cpu and memory.",
    _resources,
    level=MANDATORY,
    severity=MEDIUM,
    reference="CKV_K8S_10",
    also="CKV_K8S_11, CKV_K8S_12, CKV_K8S_13",
)

k8s_image_pinned_by_digest = _workload_rule(
    "k8s-image-pinned-by-digest",
    "Container images should be pinned by digest, not a mutable tag. Fix: use image@sha256:<digest>.",
    _image_digest,
    level=ADVISORY,
    severity=LOW,
    reference="CKV_K8S_43",
    also="CKV_K8S_14",
)

k8s_container_security_context = _workload_rule(
    "k8s-container-security-context",
    (
        "Containers must run unprivileged, without privilege escalation, with a read-only root filesystem, as "
        "non-root and with all capabilities dropped. Fix: set securityContext privileged=false, "
        "allowPrivilegeEscalation=false, readOnlyRootFilesystem=true, runAsNonRoot=true (container or pod) "
        "and capabilities.drop=['ALL']."
    ),
    _security_context,
    level=MANDATORY,
    severity=HIGH,
    reference="CKV_K8S_16",
    also="CKV_K8S_20, CKV_K8S_22, CKV_K8S_23, CKV_K8S_28, CKV_K8S_37",
)

k8s_no_host_namespaces = _workload_rule(
    "k8s-no-host-namespaces",
    "Pods must not share the host's PID, IPC or network namespace. Fix: remove hostPID/hostIPC/hostNetwork.",
    _host_namespaces,
    level=MANDATORY,
    severity=HIGH,
    reference="CKV_K8S_17",
    also="CKV_K8S_18, CKV_K8S_19",
)

k8s_service_account_token_not_automounted = _workload_rule(
    "k8s-service-account-token-not-automounted",
    "Pods should not mount a Kubernetes API token they do not use. Fix: set automountServiceAccountToken=false.",
    _token_not_automounted,
    level=ADVISORY,
    severity=LOW,
    reference="CKV_K8S_38",
)

k8s_run_as_high_uid = _workload_rule(
    "k8s-run-as-high-uid",
    "Containers should run as a high UID to avoid clashing with host users. Fix: set runAsUser >= minUid (10000).",
    _high_uid,
    level=ADVISORY,
    severity=LOW,
    reference="CKV_K8S_40",
    config={"minUid": {"type": "integer", "default": 10000, "description": "Lowest acceptable runAsUser."}},
)

k8s_gpu_pods_well_formed = _workload_rule(
    "k8s-gpu-pods-well-formed",
    (
        "Pods that use GPUs must set the GPU in limits (requests equal to limits when given) and target GPU nodes "
        "through a GPU nodeSelector/affinity key or a toleration for the GPU taint. Fix: set "
        "resources.limits['nvidia.com/gpu'] and a nodeSelector or toleration."
    ),
    _gpu_pods,
    level=MANDATORY,
    severity=HIGH,
    reference=None,
    config={
        "gpuResourceName": {
            "type": "string",
            "default": "nvidia.com/gpu",
            "description": "Extended resource name of the GPU.",
        },
        "gpuNodeSelectorKeys": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "nvidia.com/gpu",
                "nvidia.com/gpu.present",
                "nvidia.com/gpu.product",
                "k8s.amazonaws.com/accelerator",
                "karpenter.k8s.aws/instance-gpu-manufacturer",
                "karpenter.k8s.aws/instance-gpu-name",
                "eks.amazonaws.com/nodegroup",
            ],
            "description": "Node labels that select GPU nodes.",
        },
    },
)

POLICIES = [
    k8s_probes_configured,
    k8s_resources_bounded,
    k8s_image_pinned_by_digest,
    k8s_container_security_context,
    k8s_no_host_namespaces,
    k8s_service_account_token_not_automounted,
    k8s_run_as_high_uid,
    k8s_gpu_pods_well_formed,
]
