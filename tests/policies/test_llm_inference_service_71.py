"""KServe's LLMInferenceService (``serving.kserve.io/v1alpha1``, KServe 0.16+, and ``v1alpha2``, 0.17+) is a
pod-bearing kind (policies/rules/kubernetes.py ``pod_specs``): no rule read it, so an unpinned image, a
privileged container, a GPU without a limit or an ``oci://`` model on a tag in one passed every rule.

Its pod specs are core/v1 PodSpecs (WorkloadSpec ``template`` and ``worker``, under ``spec`` and
``spec.prefill``, and the scheduler's ``spec.router.scheduler.template``), merged over
LLMInferenceServiceConfig templates that give the image and the rest, so they are read like a Patch: on
what they set. The pods' annotations sit beside each template; ``spec.model.uri`` may be an OCI image.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings

GPU = "nvidia.com/gpu"
DIGEST = "registry/vllm@sha256:" + "a" * 64
TYPES = [
    "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceService",
    "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService",
]
#: Where a pod spec sits and where its pods' annotations sit.
POD_SPECS = [
    ("spec.template", "spec"),
    ("spec.worker", "spec"),
    ("spec.prefill.template", "spec.prefill"),
    ("spec.prefill.worker", "spec.prefill"),
    ("spec.router.scheduler.template", "spec.router.scheduler"),
]


def _service(namespace: str = "serving", **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "llm", "namespace": namespace},
        "spec": {"model": {"uri": "hf://org/model"}, **spec},
    }


def _place(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    result = copy.deepcopy(obj)
    node = result
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return result


def _with_pod(path: str, container: dict[str, Any], **pod: Any) -> dict[str, Any]:
    return _place(_service(), path, {"containers": [{"name": "main", **container}], **pod})


@pytest.mark.parametrize("resource_type", TYPES)
def test_a_service_that_sets_nothing_of_its_pods_passes_every_workload_rule(resource_type: str) -> None:
    """Near miss: the templates it is merged over give image, resources and security context."""
    for rule in ("k8s-probes-configured", "k8s-resources-bounded", "k8s-image-pinned-by-digest",
                 "k8s-container-security-context", "k8s-gpu-pods-well-formed", "k8s-seccomp-profile-set"):  # fmt: skip
        assert_decided(findings(rule, resource_type, _service()), None)


@pytest.mark.parametrize("resource_type", TYPES)
@pytest.mark.parametrize(("path", "_annotations"), POD_SPECS)
def test_every_pod_spec_is_judged_on_its_images(resource_type: str, path: str, _annotations: str) -> None:
    rule = "k8s-image-pinned-by-digest"
    assert_decided(
        findings(rule, resource_type, _with_pod(path, {"image": "vllm/vllm-openai:latest"})),
        f"{path}.containers[0].image 'vllm/vllm-openai:latest' is not pinned by digest",
    )
    assert_decided(findings(rule, resource_type, _with_pod(path, {"image": DIGEST})), None)


@pytest.mark.parametrize(("path", "_annotations"), POD_SPECS)
def test_every_pod_spec_is_judged_on_what_it_sets(path: str, _annotations: str) -> None:
    kind = TYPES[0]
    privileged = _with_pod(path, {"securityContext": {"privileged": True}})
    assert_decided(
        findings("k8s-container-security-context", kind, privileged),
        f"{path}.containers[0].securityContext.privileged is true",
    )
    assert_decided(
        findings("k8s-no-host-namespaces", kind, _with_pod(path, {}, hostNetwork=True)), f"{path}.hostNetwork"
    )
    assert_decided(findings("k8s-no-host-namespaces", kind, _with_pod(path, {}, hostNetwork=False)), None)
    unbounded = _with_pod(path, {"resources": {"limits": {"cpu": "inf", "memory": "8Gi"}}})
    assert_decided(
        findings("k8s-resources-bounded", kind, unbounded), f"{path}.containers[0].resources.limits['cpu']"
    )
    bounded = _with_pod(path, {"resources": {"limits": {"cpu": "4", "memory": "8Gi"}}})
    assert_decided(findings("k8s-resources-bounded", kind, bounded), None)


def test_a_gpu_requested_without_a_limit_is_refused() -> None:
    kind = TYPES[0]
    requested = _with_pod("spec.template", {"resources": {"requests": {GPU: "1"}}})
    assert_decided(
        findings("k8s-gpu-pods-well-formed", kind, requested), "spec.template.containers[0].resources.limits"
    )
    limited = _with_pod("spec.template", {"resources": {"requests": {GPU: "1"}, "limits": {GPU: 1}}})
    assert_decided(findings("k8s-gpu-pods-well-formed", kind, limited), None)


@pytest.mark.parametrize(("path", "annotations"), POD_SPECS)
def test_the_annotations_beside_a_pod_spec_are_its_pods(path: str, annotations: str) -> None:
    """A WorkloadSpec's (and the scheduler's) ``annotations`` are added to the pods of its templates."""
    kind = TYPES[0]
    legacy = {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
    inputs = _place(_with_pod(path, {"image": DIGEST}), f"{annotations}.annotations", legacy)
    assert_decided(
        findings("k8s-seccomp-not-unconfined", kind, inputs),
        f"{annotations}.annotations['seccomp.security.alpha",
    )
    inputs = _place(_with_pod(path, {"image": DIGEST}), "metadata.annotations", legacy)
    assert_decided(findings("k8s-seccomp-not-unconfined", kind, inputs), None)


@pytest.mark.parametrize("resource_type", [*TYPES, TYPES[0] + "Patch"])
@pytest.mark.parametrize(
    ("uri", "refused"),
    [
        ("oci://registry/llama:3.1", True),
        ("oci://registry/llama@sha256:" + "b" * 64, False),
        ("hf://meta-llama/Llama-3.1-8B-Instruct", False),
        ("s3://models/llama/", False),
        ("pvc://models/llama", False),
    ],
    ids=["oci-tag", "oci-digest", "hugging-face", "s3", "pvc"],
)
def test_the_model_uri_is_an_image_reference_when_oci(resource_type: str, uri: str, refused: bool) -> None:
    """Read with or without a template: the model is the pods' whatever template gives the rest."""
    inputs = _service()
    inputs["spec"]["model"]["uri"] = uri
    result = findings("k8s-image-pinned-by-digest", resource_type, inputs)
    assert_decided(result, f"spec.model.uri {uri!r} is an OCI image" if refused else None)


def test_a_list_names_each_items_model() -> None:
    inputs = _service()
    inputs["spec"]["model"]["uri"] = "oci://registry/llama:3.1"
    listed = {"items": [_service(), inputs]}
    assert_decided(
        findings("k8s-image-pinned-by-digest", TYPES[0] + "List", listed), "items[1].spec.model.uri"
    )


def test_an_exempt_namespace_is_not_judged() -> None:
    inputs = _place(
        _service("kube-system"), "spec.template", {"containers": [{"name": "main", "image": "x:1"}]}
    )
    assert_decided(findings("k8s-image-pinned-by-digest", TYPES[0], inputs), None)
