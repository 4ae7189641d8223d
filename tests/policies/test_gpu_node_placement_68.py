"""k8s-gpu-pods-well-formed: a GPU pod reaches GPU nodes by a toleration Kubernetes matches to the
GPU taint (``nvidia.com/gpu:NoSchedule``: a toleration's effect must be that one or empty, as in
``Toleration.ToleratesTaint``) or by a node label that says GPU (a node group's name does not)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings

RULE = "k8s-gpu-pods-well-formed"
POD = "kubernetes:core/v1:Pod"
GPU = "nvidia.com/gpu"


def _pod(tolerations: list[dict[str, Any]], **placement: Any) -> dict[str, Any]:
    container = {"name": "server", "image": "model@sha256:abc", "resources": {"limits": {GPU: 1}}}
    spec = {"containers": [container], "tolerations": tolerations, **placement}
    return {"metadata": {"namespace": "serving"}, "spec": spec}


def _exists(effect: str | None = None, key: str | None = GPU) -> dict[str, Any]:
    toleration = {"operator": "Exists"}
    return {
        **({"key": key} if key is not None else {}),
        **toleration,
        **({"effect": effect} if effect else {}),
    }


TOLERATIONS = [
    pytest.param([_exists("NoSchedule")], None, id="no-schedule-tolerates"),
    pytest.param([_exists()], None, id="no-effect-tolerates-every-effect"),
    pytest.param([{"key": GPU, "operator": "Equal", "value": "true", "effect": "NoSchedule"}], None, id="equal-tolerates"),
    pytest.param([_exists("NoSchedule", key=None)], None, id="keyless-no-schedule-tolerates"),
    pytest.param([_exists("PreferNoSchedule")], "tolerations", id="prefer-no-schedule-does-not"),
    pytest.param([_exists("NoExecute")], "tolerations", id="no-execute-does-not"),
    pytest.param([_exists("PreferNoSchedule", key=None)], "tolerations", id="keyless-prefer-does-not"),
    pytest.param([_exists("NoExecute"), _exists("NoSchedule")], None, id="one-matching-of-two-tolerates"),
]  # fmt: skip


@pytest.mark.parametrize(("tolerations", "fragment"), TOLERATIONS)
def test_only_a_toleration_whose_effect_matches_the_gpu_taint_tolerates_it(
    tolerations: list[dict[str, Any]], fragment: str | None
) -> None:
    assert_decided(findings(RULE, POD, _pod(tolerations)), fragment, f"'{GPU}:NoSchedule'")


def test_the_gpu_taint_effect_is_configurable(check_resource: Any) -> None:
    """A cluster that taints its GPU nodes NoExecute: that toleration matches, a NoSchedule one not."""
    config = {RULE: {"gpuTaintEffect": "NoExecute"}}
    assert check_resource(RULE, POD, _pod([_exists("NoExecute")]), config) == []
    [refused] = check_resource(RULE, POD, _pod([_exists("NoSchedule")]), config)
    assert f"'{GPU}:NoExecute'" in refused.message


NODEGROUP = "eks.amazonaws.com/nodegroup"
AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": NODEGROUP, "operator": "In", "values": ["ml"]}]}
            ]
        }
    }
}


@pytest.mark.parametrize(
    ("placement", "fragment"),
    [
        pytest.param({"nodeSelector": {NODEGROUP: "ml"}}, "nodeSelector", id="node-group-selector-does-not"),
        pytest.param({"affinity": AFFINITY}, "nodeSelector", id="node-group-affinity-does-not"),
        pytest.param({"nodeSelector": {NODEGROUP: "ml", "nvidia.com/gpu.present": "true"}}, None, id="gpu-label-does"),
    ],
)  # fmt: skip
def test_a_node_group_name_does_not_select_gpu_nodes(placement: dict[str, Any], fragment: str | None) -> None:
    assert_decided(findings(RULE, POD, _pod([], **placement)), fragment)


def test_a_node_group_selects_gpu_nodes_where_the_config_says_its_groups_are_gpu_ones(
    check_resource: Any,
) -> None:
    config = {RULE: {"gpuNodeSelectorKeys": [NODEGROUP]}}
    assert check_resource(RULE, POD, _pod([], nodeSelector={NODEGROUP: "ml"}), config) == []


def _affinity(key: str, operator: str, values: list[str] | None = None) -> dict[str, Any]:
    expression = {"key": key, "operator": operator, **({"values": values} if values else {})}
    required = {"nodeSelectorTerms": [{"matchExpressions": [expression]}]}
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}


@pytest.mark.parametrize(
    ("affinity", "fragment"),
    [
        pytest.param(_affinity("nvidia.com/gpu.present", "In", ["true"]), None, id="in-selects"),
        pytest.param(_affinity("nvidia.com/gpu.product", "Exists"), None, id="exists-selects"),
        pytest.param(_affinity("nvidia.com/gpu.present", "DoesNotExist"), "nodeSelector", id="does-not-exist-excludes"),
        pytest.param(_affinity("k8s.amazonaws.com/accelerator", "NotIn", ["nvidia-tesla-t4"]), "nodeSelector", id="not-in-excludes"),
    ],
)  # fmt: skip
def test_an_affinity_that_keeps_the_pod_off_gpu_labels_does_not_select_gpu_nodes(
    affinity: dict[str, Any], fragment: str | None
) -> None:
    assert_decided(findings(RULE, POD, _pod([], affinity=affinity)), fragment)


GPU_IN = {"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]}
ZONE_IN = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eu-west-1a"]}
NOT_GPU = {"key": "k8s.amazonaws.com/accelerator", "operator": "DoesNotExist"}


def _terms(*terms: dict[str, Any]) -> dict[str, Any]:
    required = {"nodeSelectorTerms": list(terms)}
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}


@pytest.mark.parametrize(
    ("affinity", "fragment"),
    [
        # nodeSelectorTerms are ORed: a term without a GPU expression admits nodes without GPUs.
        pytest.param(_terms({"matchExpressions": [GPU_IN]}, {"matchExpressions": [ZONE_IN]}), "nodeSelector", id="a-term-without-gpu-label-admits-others"),
        pytest.param(_terms({"matchExpressions": [ZONE_IN]}, {"matchExpressions": [GPU_IN]}), "nodeSelector", id="second-term-gpu-first-not"),
        pytest.param(_terms({"matchExpressions": [NOT_GPU]}, {"matchExpressions": [GPU_IN]}), "nodeSelector", id="an-excluding-term-admits-others"),
        pytest.param(_terms({"matchExpressions": [GPU_IN]}, {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["cpu-1"]}]}), "nodeSelector", id="a-match-fields-term-admits-that-node"),
        # Every term needs a GPU label: selected. Within a term, expressions are ANDed.
        pytest.param(_terms({"matchExpressions": [GPU_IN]}, {"matchExpressions": [{"key": "nvidia.com/gpu.product", "operator": "Exists"}, ZONE_IN]}), None, id="every-term-has-a-gpu-label"),
        pytest.param(_terms({"matchExpressions": [ZONE_IN, GPU_IN]}), None, id="anded-with-another-label"),
        pytest.param(_terms({"matchExpressions": [NOT_GPU, GPU_IN]}), None, id="anded-with-an-exclusion"),
        # An empty term matches no node (Kubernetes: "a null or empty node selector term matches no objects").
        pytest.param(_terms({"matchExpressions": [GPU_IN]}, {}), None, id="an-empty-term-admits-nothing"),
        pytest.param(_terms({}), "nodeSelector", id="only-an-empty-term-selects-nothing"),
    ],
)  # fmt: skip
def test_every_ored_affinity_term_must_keep_the_pod_on_gpu_labels(
    affinity: dict[str, Any], fragment: str | None
) -> None:
    assert_decided(findings(RULE, POD, _pod([], affinity=affinity)), fragment)


def test_a_gpu_node_selector_confines_the_pod_whatever_its_affinity() -> None:
    """nodeSelector and the required affinity must both match: a GPU nodeSelector is enough."""
    affinity = _terms({"matchExpressions": [GPU_IN]}, {"matchExpressions": [ZONE_IN]})
    placement = {"nodeSelector": {"nvidia.com/gpu.present": "true"}, "affinity": affinity}
    assert_decided(findings(RULE, POD, _pod([], **placement)), None)


@pytest.mark.parametrize(
    ("toleration", "refused"),
    [
        pytest.param({**_exists("NoExecute"), "tolerationSeconds": 300}, True, id="bounded-is-evicted"),
        pytest.param({**_exists("NoExecute", key=None), "tolerationSeconds": 0}, True, id="keyless-bounded-is-evicted"),
        pytest.param(_exists("NoExecute"), False, id="unbounded-stays"),
        pytest.param(_exists(), False, id="no-effect-stays"),
    ],
)  # fmt: skip
def test_a_no_execute_toleration_with_seconds_does_not_keep_the_pod(
    check_resource: Any, toleration: dict[str, Any], refused: bool
) -> None:
    """Kubernetes evicts a pod from a NoExecute-tainted node once its toleration's tolerationSeconds
    have passed (unset: it tolerates the taint forever): such a toleration does not place the pod."""
    config = {RULE: {"gpuTaintEffect": "NoExecute"}}
    found = check_resource(RULE, POD, _pod([toleration]), config)
    assert [refused] == [bool(found)], found
    if refused:
        assert "tolerationSeconds" in found[0].message, found[0].message


REQUIRED = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"


@pytest.mark.parametrize(
    "affinity",
    [
        pytest.param(_terms({"matchExpressions": [GPU_IN]}, {"matchExpressions": [ZONE_IN]}), id="ored-term"),
        pytest.param(_terms({"matchExpressions": [NOT_GPU]}), id="excluding-term"),
    ],
)  # fmt: skip
def test_the_refusal_says_why_a_gpu_affinity_does_not_count(affinity: dict[str, Any]) -> None:
    """A pod whose affinity names a GPU label is told why that does not select GPU nodes."""
    assert_decided(findings(RULE, POD, _pod([], affinity=affinity)), f"spec.{REQUIRED} has a term", "ORed")


def test_without_a_required_affinity_the_refusal_names_none() -> None:
    [message], _ = findings(RULE, POD, _pod([]))
    assert "nodeSelectorTerms" not in message, message
