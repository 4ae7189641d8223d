"""KServe's multi-node workers are pods too: an InferenceService's ``spec.predictor.workerSpec``
(v1beta1 WorkerSpec, a PodSpec) and a serving runtime's ``spec.workerSpec`` (an inline
ServingRuntimePodSpec) were read by no rule, though the predictor and the runtime's own ``spec`` beside
them were (a field read at one path but not at its twin). Both are merged (the InferenceService's over
its runtime's, the runtime's into the worker pods), so each is judged on what it sets. A runtime
workerSpec's own ``annotations`` are its pods'; an InferenceService's workers carry the predictor's,
which are judged with the predictor.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime"
CLUSTER_RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime"
DIGEST = "registry/vllm@sha256:" + "a" * 64
HARDENED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
MODEL = {
    "modelFormat": {"name": "huggingface"},
    "storageUri": "s3://models/llama/",
    "image": DIGEST,
    "securityContext": HARDENED,
    "resources": {"limits": {"cpu": "4", "memory": "16Gi"}},
    "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
    "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
}


def _isvc(worker: dict[str, Any] | None, **predictor: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"model": MODEL, **predictor}
    if worker is not None:
        spec["workerSpec"] = worker
    return {"metadata": {"name": "llm", "namespace": "serving"}, "spec": {"predictor": spec}}


def _runtime(worker: dict[str, Any] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "kserve-container", "image": DIGEST}]}
    if worker is not None:
        spec["workerSpec"] = worker
    return {"metadata": {"name": "vllm", "namespace": "serving"}, "spec": spec}


@pytest.mark.parametrize(
    "rule",
    ["k8s-probes-configured", "k8s-resources-bounded", "k8s-container-security-context", "k8s-run-as-high-uid",
     "k8s-service-account-token-not-automounted", "k8s-seccomp-profile-set"],
)  # fmt: skip
def test_a_worker_spec_that_sets_only_parallelism_is_not_judged_on_what_it_leaves(rule: str) -> None:
    """Near miss: the runtime's workerSpec gives the worker containers; nothing here is unset."""
    with_worker = findings(rule, ISVC, _isvc({"tensorParallelSize": 2, "pipelineParallelSize": 2}))
    assert with_worker == findings(rule, ISVC, _isvc(None))


@pytest.mark.parametrize(
    ("rule", "worker", "fragment"),
    [
        pytest.param("k8s-image-pinned-by-digest", {"containers": [{"name": "worker-container", "image": "vllm:latest"}]},
                     "spec.predictor.workerSpec.containers[0].image 'vllm:latest'", id="unpinned-image"),
        pytest.param("k8s-image-pinned-by-digest", {"containers": [{"name": "worker-container", "image": DIGEST}]},
                     None, id="pinned-image"),
        pytest.param("k8s-no-host-namespaces", {"hostNetwork": True}, "spec.predictor.workerSpec.hostNetwork", id="host-network"),
        pytest.param("k8s-container-security-context",
                     {"containers": [{"name": "worker-container", "securityContext": {"privileged": True}}]},
                     "spec.predictor.workerSpec.containers[0].securityContext.privileged", id="privileged"),
        pytest.param("k8s-resources-bounded",
                     {"containers": [{"name": "worker-container", "resources": {"limits": {"nvidia.com/gpu": "inf"}}}]},
                     "spec.predictor.workerSpec.containers[0].resources.limits['nvidia.com/gpu']", id="gpu-limit-no-quantity"),
    ],
)  # fmt: skip
def test_an_inference_service_worker_spec_is_judged_on_what_it_sets(
    rule: str, worker: dict[str, Any], fragment: str | None
) -> None:
    assert_decided(findings(rule, ISVC, _isvc(worker)), fragment)


def test_the_worker_pods_annotations_are_the_predictors() -> None:
    legacy = {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
    inputs = _isvc({"tensorParallelSize": 2}, annotations=legacy)
    assert_decided(findings("k8s-seccomp-not-unconfined", ISVC, inputs), "spec.predictor.annotations[")


@pytest.mark.parametrize("resource_type", [RUNTIME, CLUSTER_RUNTIME])
@pytest.mark.parametrize(
    ("worker", "rule", "fragment"),
    [
        pytest.param({"containers": [{"name": "w", "image": "vllm:latest"}]}, "k8s-image-pinned-by-digest",
                     "spec.workerSpec.containers[0].image 'vllm:latest'", id="unpinned-image"),
        pytest.param({"containers": [{"name": "w", "image": DIGEST}]}, "k8s-image-pinned-by-digest", None, id="pinned-image"),
        pytest.param({"hostIPC": True}, "k8s-no-host-namespaces", "spec.workerSpec.hostIPC", id="host-ipc"),
        pytest.param({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
                     "k8s-seccomp-not-unconfined", "spec.workerSpec.annotations[", id="own-annotations"),
        pytest.param({"pipelineParallelSize": 2}, "k8s-container-security-context", None, id="parallelism-only"),
    ],
)  # fmt: skip
def test_a_serving_runtimes_worker_spec_is_judged_on_what_it_sets(
    resource_type: str, worker: dict[str, Any], rule: str, fragment: str | None
) -> None:
    assert_decided(findings(rule, resource_type, _runtime(worker)), fragment)
