"""``k8s-gpu-pods-well-formed`` reads ``Exists`` as Kubernetes does (policies/rules/_gpu_placement.py).

Session 71's brief doubted two lines. Checked against Kubernetes' semantics, both hold and are pinned
here on both sides: a required node-affinity ``Exists`` on a GPU label (``nvidia.com/gpu.present``, which
the NVIDIA GPU operator sets on GPU nodes only, ``false`` on a node that lost its GPUs and so advertises
none) keeps the pod on GPU nodes whatever the label's value; a toleration ``operator: Exists`` with the
GPU taint's key (or with no key) tolerates that taint whatever its value (``Toleration.ToleratesTaint``),
also when ``gpuTaintValue`` is set, while an ``Equal`` one then counts only with that value (null: the
value is not known, and any counts). The fix: an affinity ``Exists`` with ``values``, which the API
server refuses (ValidateNodeSelectorRequirement: values "may not be specified when `operator` is 'Exists'
or 'DoesNotExist'"), counted as keeping the pod on GPU nodes; it now counts for nothing and says why.
Direct evaluations of the one rule on small pods.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

RULE = "k8s-gpu-pods-well-formed"
GPU_CONTAINER = {"name": "c", "image": "x@sha256:" + "a" * 64, "resources": {"limits": {"nvidia.com/gpu": 1}}}


def found(placement: dict[str, Any], taint_value: str | None = None) -> list[str]:
    pod = {
        "metadata": {"name": "p", "namespace": "serving"},
        "spec": {"containers": [GPU_CONTAINER], **placement},
    }
    config = None if taint_value is None else {RULE: {"gpuTaintValue": taint_value}}
    result = evaluate_report(
        build([{"type": "kubernetes:core/v1:Pod", "name": "p", "inputs": pod}]), config, [get_policy(RULE)]
    )
    assert result.undecided == []
    return [v.message for v in result.violations]


def affinity(*terms: list[dict[str, Any]]) -> dict[str, Any]:
    selector = {"nodeSelectorTerms": [{"matchExpressions": term} for term in terms]}
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": selector}}}


def exists(key: str, **more: Any) -> dict[str, Any]:
    return {"key": key, "operator": "Exists", **more}


@pytest.mark.parametrize("taint_value", [None, "true"], ids=["taint-value-unknown", "taint-value-set"])
@pytest.mark.parametrize(
    "placement",
    [
        affinity([exists("nvidia.com/gpu.present")]),
        affinity([exists("nvidia.com/gpu.present", values=[])]),
        affinity([exists("kubernetes.io/os"), exists("nvidia.com/gpu.present")]),
        {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]},
        {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]},
        {"tolerations": [{"operator": "Exists"}]},
        {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "true"}]},
    ],
    ids=[
        "affinity-exists-on-gpu-present",
        "affinity-exists-with-an-empty-values-list",
        "affinity-exists-anded-with-another-label",
        "toleration-exists-any-value",
        "toleration-exists-of-the-taints-effect",
        "keyless-toleration-exists-tolerates-every-taint",
        "toleration-equal-to-the-value",
    ],
)
def test_exists_keeps_a_gpu_pod_on_gpu_nodes(placement: dict[str, Any], taint_value: str | None) -> None:
    assert found(placement, taint_value) == []


@pytest.mark.parametrize(
    "placement,taint_value,fragment",
    [
        (affinity([exists("kubernetes.io/os")]), None, "nodeSelectorTerms[0] names no GPU label"),
        (
            affinity([exists("nvidia.com/gpu.present")], [exists("kubernetes.io/os")]),
            None,
            "nodeSelectorTerms[1] names no GPU label",
        ),
        (
            affinity([{"key": "nvidia.com/gpu.present", "operator": "DoesNotExist"}]),
            None,
            "'nvidia.com/gpu.present' DoesNotExist keeps the pod off the nodes with that label",
        ),
        (
            affinity([exists("nvidia.com/gpu.present", values=["true"])]),
            None,
            "'nvidia.com/gpu.present' Exists ['true'] is refused by the API server, which takes no values "
            "with Exists: remove them",
        ),
        (
            {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "value": "true"}]},
            None,
            "spec.tolerations[0] sets value 'true' with operator Exists",
        ),
        (
            {"tolerations": [{"key": "other", "operator": "Exists"}]},
            None,
            "tolerate the 'nvidia.com/gpu:NoSchedule' taint.",
        ),
        (
            {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "PreferNoSchedule"}]},
            None,
            "tolerate the 'nvidia.com/gpu:NoSchedule' taint.",
        ),
        (
            {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "yes"}]},
            "true",
            "spec.tolerations[0] (operator Equal) matches value 'yes', not the taint's 'true'",
        ),
    ],
    ids=[
        "affinity-exists-on-a-label-every-node-has",
        "a-term-without-a-gpu-label-is-ored-in",
        "affinity-does-not-exist",
        "affinity-exists-with-values-the-api-server-refuses",
        "toleration-exists-with-a-value-the-api-server-refuses",
        "toleration-exists-of-another-key",
        "toleration-exists-of-another-effect",
        "toleration-equal-to-another-value-once-it-is-known",
    ],
)
def test_what_does_not_keep_it_there_is_refused(
    placement: dict[str, Any], taint_value: str | None, fragment: str
) -> None:
    messages = found(placement, taint_value)
    assert len(messages) == 1 and fragment in messages[0], messages
