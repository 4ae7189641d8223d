"""Second read of k8s-gpu-pods-well-formed's values (tests/policies/test_gpu_values_69.py): what a
value not known at preview leaves undecided. Kubernetes ANDs a nodeSelector's labels and a term's
expressions and ORs the terms (component-helpers nodeaffinity.go), so one known label or expression
that keeps the pod on GPU nodes decides the pod, whatever the unknown others say; and a toleration's
value matters only when the taint's (``gpuTaintValue``) is known or the operator is ``Exists``."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

RULE = "k8s-gpu-pods-well-formed"
POD = "kubernetes:core/v1:Pod"
GPU = "nvidia.com/gpu"
PRESENT = "nvidia.com/gpu.present"
PRODUCT = "nvidia.com/gpu.product"
COUNT = "nvidia.com/gpu.count"
U = UNKNOWN_STRING_VALUE


def _pod(**placement: Any) -> dict[str, Any]:
    container = {"name": "server", "image": "model@sha256:abc", "resources": {"limits": {GPU: 1}}}
    return {"metadata": {"namespace": "serving"}, "spec": {"containers": [container], **placement}}


def _terms(*expressions: list[dict[str, Any]]) -> dict[str, Any]:
    terms = [{"matchExpressions": list(e)} for e in expressions]
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}


def _expression(key: str, operator: str, *values: str) -> dict[str, Any]:
    return {"key": key, "operator": operator, **({"values": list(values)} if values else {})}


def _judged(pod: dict[str, Any], taint_value: str | None = None) -> tuple[list[str], int]:
    """(violation messages, undecided count) at preview, with ``gpuTaintValue``."""
    records = build([{"type": POD, "name": "subject", "inputs": pod}])
    report = evaluate_report(records, {RULE: {"gpuTaintValue": taint_value}}, [get_policy(RULE)])
    return [v.message for v in report.violations if v.policy_name == RULE], len(report.undecided)


def _toleration(operator: str, value: str | None) -> dict[str, Any]:
    return {
        "key": GPU,
        "operator": operator,
        "effect": "NoSchedule",
        **({"value": value} if value is not None else {}),
    }


#: (pod, gpuTaintValue, a fragment of the refusal or None: admitted), decided at preview.
DECIDED = [
    pytest.param(_pod(nodeSelector={PRESENT: "true", PRODUCT: U}), None, None, id="selector-known-gpu-label-then-unknown"),
    pytest.param(_pod(nodeSelector={COUNT: U, PRESENT: "true"}), None, None, id="selector-unknown-then-known-gpu-label"),
    pytest.param(_pod(affinity=_terms([_expression(COUNT, "In", U), _expression(PRODUCT, "Exists")])), None, None, id="term-unknown-then-exists"),
    pytest.param(_pod(affinity=_terms([_expression(PRODUCT, "Exists"), _expression(COUNT, "In", U)])), None, None, id="term-exists-then-unknown"),
    pytest.param(_pod(affinity=_terms([_expression(COUNT, "Gt", U)], [_expression(PRESENT, "In", "false")])), None,
                 "nodeSelectorTerms[1].matchExpressions[0] 'nvidia.com/gpu.present' In ['false']", id="a-known-term-that-does-not-count-decides"),
    pytest.param(_pod(tolerations=[_toleration("Equal", U)]), None, None, id="equal-unknown-value-taint-value-unknown"),
    pytest.param(_pod(tolerations=[{"key": GPU, "value": U, "effect": "NoSchedule"}]), None, None, id="no-operator-unknown-value-taint-value-unknown"),
]  # fmt: skip
UNDECIDED = [
    pytest.param(_pod(nodeSelector={COUNT: "0", PRESENT: U}), None, id="selector-no-gpu-label-and-unknown"),
    pytest.param(_pod(nodeSelector={PRESENT: U}), None, id="selector-only-unknown"),
    pytest.param(_pod(affinity=_terms([_expression(COUNT, "In", "0"), _expression(PRESENT, "In", U)])), None, id="term-no-gpu-and-unknown"),
    pytest.param(_pod(affinity=_terms([_expression(PRODUCT, "Exists")], [_expression(COUNT, "Gt", U)])), None, id="a-known-term-counts-another-unknown"),
    pytest.param(_pod(tolerations=[_toleration("Equal", U)]), "true", id="equal-unknown-value-taint-value-known"),
    pytest.param(_pod(tolerations=[_toleration("Exists", U)]), None, id="exists-unknown-value"),
]  # fmt: skip


@pytest.mark.parametrize(("pod", "taint_value", "refused"), DECIDED)
def test_a_known_placement_that_decides_is_not_left_undecided_by_an_unknown_value(
    pod: dict[str, Any], taint_value: str | None, refused: str | None
) -> None:
    messages, undecided = _judged(pod, taint_value)
    assert undecided == 0
    if refused is None:
        assert messages == []
    else:
        assert len(messages) == 1 and refused in messages[0], messages


@pytest.mark.parametrize(("pod", "taint_value"), UNDECIDED)
def test_an_unknown_value_that_could_decide_leaves_the_pod_undecided(
    pod: dict[str, Any], taint_value: str | None
) -> None:
    assert _judged(pod, taint_value) == ([], 1)


KARPENTER_COUNT = "karpenter.k8s.aws/instance-gpu-count"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0", id="0"),
        pytest.param("+0", id="a-plus-sign"),
        pytest.param("007", id="leading-zeros"),
        pytest.param("9223372036854775807", id="int64-max"),
    ],
)
def test_gt_an_integer_kubernetes_reads_keeps_the_pod_on_gpu_nodes(value: str) -> None:
    """Kubernetes reads a Gt value with strconv.ParseInt(value, 10, 64): a sign and leading zeros
    are taken."""
    affinity = _terms([_expression(KARPENTER_COUNT, "Gt", value)])
    assert _judged(_pod(affinity=affinity)) == ([], 0)


@pytest.mark.parametrize(
    ("operator", "values", "fragment"),
    [
        pytest.param("Gt", ["0.5"], "Gt ['0.5'] is not one 64-bit integer, so the term matches no node", id="gt-a-decimal"),
        pytest.param("Gt", [" 1"], "Gt [' 1'] is not one 64-bit integer", id="gt-a-blank"),
        pytest.param("Gt", ["1_0"], "Gt ['1_0'] is not one 64-bit integer", id="gt-an-underscore-python-reads"),
        pytest.param("Gt", ["9223372036854775808"], "Gt ['9223372036854775808'] is not one 64-bit integer", id="gt-beyond-int64"),
        pytest.param("Lt", ["-9223372036854775809"], "Lt ['-9223372036854775809'] is not one 64-bit integer", id="lt-below-int64"),
        pytest.param("Gt", ["0", "1"], "Gt ['0', '1'] is refused by the API server, which takes one value", id="gt-two-values"),
        pytest.param("Gt", [], "Gt [] is refused by the API server, which takes one value", id="gt-no-value"),
        pytest.param("Gt", ["-1"], "Gt ['-1'] admits a count of 0: give an integer >= 0", id="gt-minus-1"),
        pytest.param("Lt", ["1"], "Lt ['1'] admits a count of 0: select counts with Gt", id="lt-1"),
        pytest.param("Lt", ["0"], "Lt ['0'] admits only counts below 0, none of them a GPU's", id="lt-0-admits-no-count-of-0"),
        pytest.param("Lt", ["-3"], "Lt ['-3'] admits only counts below 0", id="lt-negative"),
        pytest.param("Lt", ["-9223372036854775808"], "Lt ['-9223372036854775808'] admits only counts below 0", id="lt-int64-min"),
    ],
)  # fmt: skip
def test_a_gt_or_lt_that_does_not_count_says_what_it_admits(
    operator: str, values: list[str], fragment: str
) -> None:
    affinity = _terms([_expression(KARPENTER_COUNT, operator, *values)])
    [message], undecided = _judged(_pod(affinity=affinity))
    assert undecided == 0
    assert f"nodeSelectorTerms[0].matchExpressions[0] '{KARPENTER_COUNT}' {fragment}" in message, message


AUTO_COUNT = "eks.amazonaws.com/instance-gpu-count"


@pytest.mark.parametrize(
    "placement",
    [
        # AWS's own EKS Auto Mode GPU pod (EKS user guide, auto-accelerated.adoc): no toleration.
        pytest.param({"nodeSelector": {"eks.amazonaws.com/instance-gpu-name": "l40s", "eks.amazonaws.com/compute-type": "auto"}}, id="auto-mode-gpu-name"),
        pytest.param({"nodeSelector": {"eks.amazonaws.com/instance-gpu-memory": "45776"}}, id="auto-mode-gpu-memory"),
        pytest.param({"nodeSelector": {"eks.amazonaws.com/instance-gpu-manufacturer": "nvidia"}}, id="auto-mode-gpu-manufacturer"),
        pytest.param({"affinity": _terms([_expression(AUTO_COUNT, "Gt", "0")])}, id="auto-mode-count-gt-0"),
        pytest.param({"nodeSelector": {"karpenter.k8s.aws/instance-gpu-memory": "24576"}}, id="karpenter-gpu-memory"),
    ],
)  # fmt: skip
def test_eks_auto_mode_and_karpenter_gpu_labels_select_gpu_nodes(placement: dict[str, Any]) -> None:
    """Karpenter sets its GPU labels (name, manufacturer, count, memory) on GPU instance types only;
    EKS Auto Mode sets the same under ``eks.amazonaws.com/``."""
    assert _judged(_pod(**placement)) == ([], 0)


@pytest.mark.parametrize(
    "placement",
    [
        pytest.param({"nodeSelector": {AUTO_COUNT: "0"}}, id="auto-mode-count-0"),
        pytest.param({"nodeSelector": {"eks.amazonaws.com/instance-gpu-memory": "0"}}, id="auto-mode-memory-0"),
        pytest.param({"affinity": _terms([_expression(AUTO_COUNT, "Lt", "1")])}, id="auto-mode-count-lt-1"),
        pytest.param({"nodeSelector": {"eks.amazonaws.com/compute-type": "auto"}}, id="auto-mode-any-node"),
    ],
)  # fmt: skip
def test_eks_auto_mode_labels_that_admit_nodes_without_gpus_do_not_count(placement: dict[str, Any]) -> None:
    [message], undecided = _judged(_pod(**placement))
    assert undecided == 0
    assert "'eks.amazonaws.com/instance-gpu-count'" in message, message


@pytest.mark.parametrize(
    ("placement", "fragment"),
    [
        ({"affinity": _terms([{"key": {"a": "b"}, "operator": "Exists"}])}, "nodeSelectorTerms[0] names no GPU label"),
        ({"affinity": _terms([{"key": COUNT, "operator": {"a": "b"}}])}, "'nvidia.com/gpu.count' operator {'a': 'b'} is not a node selector operator"),
        ({"tolerations": [{"key": GPU, "operator": {"a": "b"}, "effect": "NoSchedule"}]}, "tolerations[0] has operator {'a': 'b'}, not Equal or Exists"),
    ],
)  # fmt: skip
def test_a_map_where_a_key_or_operator_belongs_is_refused_not_a_failure(
    placement: dict[str, Any], fragment: str
) -> None:
    """A map as an expression's key or operator, or a toleration's operator (no string Kubernetes
    takes), admits nothing: the pod is refused naming it, and the rule does not fail on it."""
    messages, undecided = _judged(_pod(**placement))
    assert undecided == 0 and len(messages) == 1 and fragment in messages[0], messages


@pytest.mark.parametrize("amount", [float("inf"), "inf", "nan", "-inf"])
def test_an_infinite_or_nan_gpu_quantity_is_compared_as_written_not_a_failure(amount: Any) -> None:
    """A GPU request or limit of inf or nan (no quantity Kubernetes takes) is compared as written:
    unequal to 1, equal to itself, and the rule does not fail on it."""
    pod = _pod(nodeSelector={PRESENT: "true"})
    resources = pod["spec"]["containers"][0]["resources"]
    resources["requests"] = {GPU: amount}
    messages, _ = _judged(pod)
    assert messages == [
        f"spec.containers[0].resources.requests['{GPU}'] differs from limits['{GPU}']: make them equal."
    ]
    resources["limits"] = {GPU: amount}
    assert _judged(pod) == ([], 0)
