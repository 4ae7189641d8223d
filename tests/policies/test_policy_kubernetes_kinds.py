"""Every pod-bearing Kubernetes kind goes through the one pod-spec extractor, and so through every k8s rule.

Each kind is checked with a hardened pod (passes) and with the same pod made privileged (fails);
init and ephemeral containers, Lists (each item) and Patches (only what they set) have their own
cases. Props go through the offline evaluator, i.e. wrapped in the unknown-checking proxy.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policies.rules import kubernetes as k8s
from policies.rules.kubernetes import POD_KINDS, POD_SPEC_PATHS, pod_specs
from tests.policies.conftest import POD_SECURITY_RULES

DIGEST = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64
HARDENED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "capabilities": {"drop": ["ALL"]},
}
RESOURCES = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
CONTAINER = {
    "name": "server",
    "image": DIGEST,
    "readinessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
    "livenessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
    "resources": RESOURCES,
    "securityContext": HARDENED,
}
INIT = {"name": "fetch", "image": DIGEST, "resources": RESOURCES, "securityContext": HARDENED}
POD = {
    "containers": [CONTAINER],
    "initContainers": [INIT],
    "automountServiceAccountToken": False,
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}
RULES = (
    "k8s-probes-configured",
    "k8s-resources-bounded",
    "k8s-image-pinned-by-digest",
    "k8s-container-security-context",
    "k8s-no-host-namespaces",
    "k8s-service-account-token-not-automounted",
    "k8s-run-as-high-uid",
    "k8s-gpu-pods-well-formed",
    *POD_SECURITY_RULES,
)


def nest(path: str, value: Any) -> dict[str, Any]:
    """``{"a": {"b": value}}`` for ``"a.b"``."""
    result: Any = value
    for part in reversed(path.split(".")):
        result = {part: result}
    return result


def obj(kind: str, pod: dict[str, Any] | None = None, namespace: str = "serving") -> dict[str, Any]:
    """A ``kind`` object carrying ``pod`` (default: the hardened pod) where that kind keeps it."""
    return {
        "metadata": {"name": "w", "namespace": namespace},
        **nest(POD_SPEC_PATHS[kind], copy.deepcopy(pod or POD)),
    }


def privileged(pod: dict[str, Any], key: str = "containers") -> dict[str, Any]:
    pod = copy.deepcopy(pod)
    pod[key][0]["securityContext"] = {**pod[key][0]["securityContext"], "privileged": True}
    return pod


ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"


def isvc(**single: dict[str, Any]) -> dict[str, Any]:
    """An InferenceService whose hardened predictor pod serves through one runtime container (``model``...)."""
    pod = {k: v for k, v in POD.items() if k not in ("containers", "initContainers")}
    return {**obj("InferenceService"), "spec": {"predictor": {**copy.deepcopy(pod), **copy.deepcopy(single)}}}


BASE_TOKENS = sorted(t for t, (_, variant) in POD_KINDS.items() if variant == "")


def _pod_kind_tokens() -> set[str]:
    """The tokens pulumi-kubernetes registers for pod-bearing kinds (every version of its workload
    groups imported)."""
    import importlib
    import pkgutil

    tokens: set[str] = set()
    for group in ("apps", "batch", "core", "extensions"):
        package = importlib.import_module(f"pulumi_kubernetes.{group}")
        for version in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"pulumi_kubernetes.{group}.{version.name}")
            for kind in POD_SPEC_PATHS:
                for variant in ("", "List", "Patch"):
                    if hasattr(module, kind + variant):
                        tokens.add(f"kubernetes:{group}/{version.name}:{kind}{variant}")
    return tokens


def test_every_pulumi_kubernetes_pod_kind_has_a_token():
    """The tokens pulumi-kubernetes registers for pod-bearing kinds are all in WORKLOADS."""
    import importlib.metadata

    import pulumi_kubernetes.apps.v1

    from tests.recorded import computed_once

    # Read once per version of the installed package (its RECORD: the hash of every file of it).
    record = importlib.metadata.distribution("pulumi_kubernetes").read_text("RECORD") or ""
    tokens = computed_once("pod-kind-tokens", _pod_kind_tokens, key=[record])
    assert pulumi_kubernetes.apps.v1.Deployment
    assert tokens <= set(k8s.WORKLOADS), sorted(tokens - set(k8s.WORKLOADS))
    assert {
        "kubernetes:batch/v1:CronJob",
        "kubernetes:core/v1:Pod",
        "kubernetes:apps/v1:DaemonSetPatch",
    } <= tokens


@pytest.mark.parametrize("token", BASE_TOKENS, ids=BASE_TOKENS)
def test_every_rule_passes_a_hardened_pod_of_every_kind(check_resource, outcome, token):
    kind, _ = POD_KINDS[token]
    for rule in RULES:
        outcome(check_resource(rule, token, obj(kind)), rule, None)


@pytest.mark.parametrize("token", BASE_TOKENS, ids=BASE_TOKENS)
def test_a_privileged_container_fails_in_every_kind(check_resource, outcome, token):
    kind, _ = POD_KINDS[token]
    violations = check_resource("k8s-container-security-context", token, obj(kind, privileged(POD)))
    outcome(
        violations,
        "k8s-container-security-context",
        f"{POD_SPEC_PATHS[kind]}.containers[0].securityContext.privileged",
    )


CASES = [
    pytest.param(
        "k8s-resources-bounded",
        "kubernetes:batch/v1:CronJob",
        obj("CronJob", {**POD, "initContainers": [{**INIT, "resources": {}}]}),
        "spec.jobTemplate.spec.template.spec.initContainers[0].resources.limits.cpu",
        id="cronjob-init-container-without-limits-fails",
    ),
    pytest.param(
        "k8s-probes-configured",
        "kubernetes:apps/v1:DaemonSet",
        obj("DaemonSet"),
        None,
        id="init-containers-need-no-probes",
    ),
    pytest.param(
        "k8s-container-security-context",
        "kubernetes:core/v1:Pod",
        obj("Pod", privileged(POD, "initContainers")),
        "spec.initContainers[0].securityContext.privileged",
        id="privileged-init-container-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        "kubernetes:core/v1:Pod",
        obj(
            "Pod",
            {
                **POD,
                "ephemeralContainers": [
                    {
                        "name": "debug",
                        "image": DIGEST,
                        "securityContext": {
                            **HARDENED,
                            "capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]},
                        },
                    }
                ],
            },
        ),
        "spec.ephemeralContainers[0].securityContext.capabilities.add",
        id="ephemeral-debug-container-adding-sys-admin-fails",
    ),
    pytest.param(
        "k8s-resources-bounded",
        "kubernetes:core/v1:Pod",
        obj(
            "Pod",
            {**POD, "ephemeralContainers": [{"name": "debug", "image": DIGEST, "securityContext": HARDENED}]},
        ),
        None,
        id="ephemeral-container-needs-no-resources",
    ),
    pytest.param(
        "k8s-image-pinned-by-digest",
        "kubernetes:batch/v1:Job",
        obj("Job", {**POD, "initContainers": [{**INIT, "image": "busybox:latest"}]}),
        "initContainers[0].image",
        id="tagged-init-image-fails",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        "kubernetes:batch/v1:Job",
        obj("Job", {**POD, "initContainers": [{**INIT, "resources": {"requests": {"nvidia.com/gpu": 1}}}]}),
        "initContainers[0].resources.limits['nvidia.com/gpu']",
        id="gpu-init-container-without-limit-fails",
    ),
    # Lists: each item, with its own namespace
    pytest.param(
        "k8s-container-security-context",
        "kubernetes:apps/v1:DeploymentList",
        {"items": [obj("Deployment"), obj("Deployment", privileged(POD))]},
        "items[1].spec.template.spec.containers[0].securityContext.privileged",
        id="list-second-item-privileged-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        "kubernetes:core/v1:PodList",
        {"items": [obj("Pod", privileged(POD), namespace="kube-system")]},
        None,
        id="list-item-in-kube-system-is-exempt",
    ),
    # Patches: only what they set
    pytest.param(
        "k8s-probes-configured",
        "kubernetes:apps/v1:DeploymentPatch",
        obj("Deployment", {"containers": [{"name": "server", "image": DIGEST}]}),
        None,
        id="patch-setting-only-the-image-passes-presence-rules",
    ),
    pytest.param(
        "k8s-container-security-context",
        "kubernetes:apps/v1:DeploymentPatch",
        obj("Deployment", {"containers": [{"name": "server", "securityContext": {"privileged": True}}]}),
        "securityContext.privileged",
        id="patch-making-a-container-privileged-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        "kubernetes:apps/v1:StatefulSetPatch",
        obj(
            "StatefulSet",
            {"containers": [{"name": "server", "securityContext": {"allowPrivilegeEscalation": True}}]},
        ),
        "allowPrivilegeEscalation",
        id="patch-allowing-privilege-escalation-fails",
    ),
    pytest.param(
        "k8s-no-host-namespaces",
        "kubernetes:core/v1:PodPatch",
        obj("Pod", {"hostNetwork": True}),
        "spec.hostNetwork",
        id="patch-sharing-the-host-network-fails",
    ),
    pytest.param(
        "k8s-service-account-token-not-automounted",
        "kubernetes:batch/v1:CronJobPatch",
        {"metadata": {"name": "w"}, "spec": {"schedule": "0 * * * *"}},
        None,
        id="patch-without-a-pod-is-not-checked",
    ),
    # KServe InferenceService: the predictor, and the transformer and explainer where present, are pods;
    # a runtime-backed `model` (or a per-framework predictor) is one container.
    pytest.param(
        "k8s-container-security-context",
        ISVC,
        isvc(
            model={
                **CONTAINER,
                "modelFormat": {"name": "triton"},
                "securityContext": {**HARDENED, "privileged": True},
            }
        ),
        "spec.predictor.model.securityContext.privileged",
        id="isvc-privileged-model-container-fails",
    ),
    pytest.param(
        "k8s-image-pinned-by-digest",
        ISVC,
        isvc(sklearn={**CONTAINER, "image": None, "storageUri": "s3://models/churn"}),
        None,
        id="isvc-framework-predictor-on-the-runtimes-image-is-judged-on-the-runtime",
    ),
    pytest.param(
        "k8s-image-pinned-by-digest",
        ISVC,
        isvc(
            sklearn={**CONTAINER, "image": "kserve/sklearnserver:latest", "storageUri": "s3://models/churn"}
        ),
        "spec.predictor.sklearn.image",
        id="isvc-framework-predictor-setting-an-unpinned-image-fails",
    ),
    pytest.param(
        "k8s-probes-configured",
        ISVC,
        isvc(model={k: v for k, v in CONTAINER.items() if k != "livenessProbe"}),
        "spec.predictor.model.livenessProbe",
        id="isvc-model-container-without-liveness-probe-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        ISVC,
        {
            **obj("InferenceService"),
            "spec": {"predictor": copy.deepcopy(POD), "transformer": privileged(POD)},
        },
        "spec.transformer.containers[0].securityContext.privileged",
        id="isvc-privileged-transformer-fails",
    ),
    pytest.param(
        "k8s-service-account-token-not-automounted",
        ISVC,
        {
            **obj("InferenceService"),
            "spec": {
                "predictor": copy.deepcopy(POD),
                "explainer": {**POD, "automountServiceAccountToken": True},
            },
        },
        "spec.explainer.automountServiceAccountToken",
        id="isvc-explainer-mounting-the-token-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        ISVC,
        obj("InferenceService", privileged(POD), namespace="kube-system"),
        None,
        id="isvc-in-kube-system-is-exempt",
    ),
    pytest.param(
        "k8s-probes-configured",
        ISVC + "Patch",
        {"metadata": {"name": "w", "annotations": {"serving.kserve.io/deploymentMode": "RawDeployment"}}},
        None,
        id="isvc-patch-without-a-predictor-is-not-checked",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


def test_one_extractor_finds_the_pod_of_a_cronjob_list():
    props = {"items": [obj("CronJob"), obj("CronJob")]}
    specs = pod_specs("kubernetes:batch/v1:CronJobList", props)
    assert [s.path for s in specs] == [
        "items[0].spec.jobTemplate.spec.template.spec",
        "items[1].spec.jobTemplate.spec.template.spec",
    ]
    assert pod_specs("aws:s3/bucket:Bucket", props) == []


def test_an_inference_service_yields_each_component_present_and_its_one_container_fields():
    props = {
        **isvc(model=CONTAINER),
        "spec": {"predictor": {"model": CONTAINER}, "transformer": copy.deepcopy(POD)},
    }
    specs = pod_specs(ISVC, props)
    assert [s.path for s in specs] == ["spec.predictor", "spec.transformer"]
    assert [path for path, _ in specs[0].containers("containers")] == ["spec.predictor.model"]
    assert [path for path, _ in specs[1].containers("containers")] == ["spec.transformer.containers[0]"]
    assert ISVC in k8s.WORKLOADS and ISVC + "Patch" in k8s.WORKLOADS
