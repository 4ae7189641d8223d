"""k8s-gpu-pods-well-formed judges a GPU label's value and a toleration's operator and value, not only
their keys: ``nodeSelector: {nvidia.com/gpu.present: "false"}`` (the GPU operator's label of a node
that lost its GPUs), a count of ``0``, an empty value, an affinity ``In`` such values or ``Lt 1``, and
(once ``gpuTaintValue`` is known) an ``Equal`` toleration of another value do not keep a pod on GPU
nodes. The values that say "no GPU" are one class (empty, false/no/off/none in any case, a number
<= 0) for every configured key (the spec's copy of it: tests/components/test_gpu_selector_spec_69.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.registry import get_policy, validate_pack_config
from tests.policies.one_resource import assert_decided, findings

RULE = "k8s-gpu-pods-well-formed"
POD = "kubernetes:core/v1:Pod"
GPU = "nvidia.com/gpu"
PRESENT = "nvidia.com/gpu.present"
COUNT = "nvidia.com/gpu.count"
KARPENTER_COUNT = "karpenter.k8s.aws/instance-gpu-count"
REQUIRED = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
EXISTS = {"key": GPU, "operator": "Exists", "effect": "NoSchedule"}


def _pod(tolerations: list[dict[str, Any]] | None = None, **placement: Any) -> dict[str, Any]:
    container = {"name": "server", "image": "model@sha256:abc", "resources": {"limits": {GPU: 1}}}
    spec = {"containers": [container], "tolerations": tolerations or [], **placement}
    return {"metadata": {"namespace": "serving"}, "spec": spec}


def _terms(*expressions: list[dict[str, Any]]) -> dict[str, Any]:
    """A required node affinity, one term per list of (ANDed) expressions."""
    terms = [{"matchExpressions": list(e)} for e in expressions]
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}


def _expression(key: str, operator: str, *values: str) -> dict[str, Any]:
    return {"key": key, "operator": operator, **({"values": list(values)} if values else {})}


NO_GPU = [
    pytest.param(PRESENT, "false", id="present-false"),
    pytest.param(PRESENT, "False", id="present-False"),
    pytest.param(PRESENT, " OFF ", id="off-any-case-and-blanks"),
    pytest.param(PRESENT, "no", id="no"),
    pytest.param(PRESENT, "", id="empty"),
    pytest.param("k8s.amazonaws.com/accelerator", "none", id="accelerator-none"),
    pytest.param(COUNT, "0", id="count-0"),
    pytest.param(COUNT, "0.0", id="count-0.0"),
    pytest.param(COUNT, "-1", id="count-negative"),
    pytest.param(KARPENTER_COUNT, "0", id="karpenter-count-0"),
    pytest.param(COUNT, 0, id="a-number-0"),
]
GPU_VALUES = [
    pytest.param(PRESENT, "true", id="present-true"),
    pytest.param(PRESENT, "True", id="present-True"),
    pytest.param(COUNT, "1", id="count-1"),
    pytest.param(COUNT, "0.5", id="count-above-0"),
    pytest.param(KARPENTER_COUNT, "8", id="karpenter-count-8"),
    pytest.param("nvidia.com/gpu.product", "Tesla-T4", id="product"),
    pytest.param("k8s.amazonaws.com/accelerator", "nvidia-tesla-t4", id="accelerator"),
    pytest.param("nvidia.com/gpu.product", "nonex", id="a-word-that-starts-like-none"),
]


@pytest.mark.parametrize(("key", "value"), NO_GPU)
def test_a_node_selector_value_that_says_no_gpu_does_not_select_gpu_nodes(key: str, value: Any) -> None:
    result = findings(RULE, POD, _pod(nodeSelector={key: value}))
    shown = repr(value) if isinstance(value, str) else str(value)  # props' numbers are floats: 0.0 is shown 0
    assert_decided(result, f"spec.nodeSelector['{key}'] is {shown}", "labels nodes without GPUs")


@pytest.mark.parametrize(("key", "value"), GPU_VALUES)
def test_a_node_selector_value_that_names_gpu_nodes_selects_them(key: str, value: str) -> None:
    assert_decided(findings(RULE, POD, _pod(nodeSelector={key: value})), None)


def test_one_gpu_value_among_anded_labels_confines_the_pod() -> None:
    """A nodeSelector's labels are ANDed: one GPU label with a GPU value keeps the pod on GPU nodes."""
    selector = {PRESENT: "false", "nvidia.com/gpu.product": "Tesla-T4"}
    assert_decided(findings(RULE, POD, _pod(nodeSelector=selector)), None)


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        pytest.param(_expression(PRESENT, "In", "false"), "In ['false'] admits nodes without GPUs", id="in-false"),
        pytest.param(_expression(COUNT, "In", "0"), "In ['0']", id="in-count-0"),
        pytest.param(_expression(PRESENT, "In", "true", "false"), "In ['false']", id="in-true-or-false-admits-both"),
        pytest.param(_expression(KARPENTER_COUNT, "Lt", "1"), "Lt ['1'] admits a count of 0", id="lt-1"),
        pytest.param(_expression(KARPENTER_COUNT, "Lt", "8"), "Lt ['8']", id="lt-8"),
        pytest.param(_expression(KARPENTER_COUNT, "Gt", "-1"), "Gt ['-1']", id="gt-minus-1-admits-0"),
        pytest.param(_expression(KARPENTER_COUNT, "Gt", "0.5"), "Gt ['0.5']", id="gt-not-an-integer"),
        pytest.param(_expression(KARPENTER_COUNT, "Gt", "0", "1"), "Gt ['0', '1']", id="gt-two-values"),
        pytest.param(_expression(PRESENT, "NotIn", "false"), "NotIn keeps the pod off", id="not-in"),
        pytest.param(_expression(PRESENT, "Equals", "true"), "operator 'Equals' is not a node selector operator", id="no-such-operator"),
    ],
)  # fmt: skip
def test_an_affinity_expression_that_admits_nodes_without_gpus_does_not_count(
    expression: dict[str, Any], fragment: str
) -> None:
    result = findings(RULE, POD, _pod(affinity=_terms([expression])))
    assert_decided(result, f"spec.{REQUIRED}[0].matchExpressions[0] '{expression['key']}' {fragment}", "ORed")


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param(_expression(PRESENT, "In", "true"), id="in-true"),
        pytest.param(_expression("nvidia.com/gpu.product", "In", "Tesla-T4", "A10G"), id="in-products"),
        pytest.param(_expression(KARPENTER_COUNT, "Exists"), id="exists"),
        pytest.param(_expression(KARPENTER_COUNT, "Gt", "0"), id="gt-0"),
        pytest.param(_expression(COUNT, "Gt", "3"), id="gt-3"),
    ],
)
def test_an_affinity_expression_on_gpu_values_selects_gpu_nodes(expression: dict[str, Any]) -> None:
    assert_decided(findings(RULE, POD, _pod(affinity=_terms([expression]))), None)


def test_every_ored_term_needs_a_gpu_value_and_the_refusal_names_the_term() -> None:
    gt_0 = _expression(KARPENTER_COUNT, "Gt", "0")
    affinity = _terms([gt_0], [_expression(COUNT, "In", "0")])
    result = findings(RULE, POD, _pod(affinity=affinity))
    assert_decided(result, f"spec.{REQUIRED}[1].matchExpressions[0] '{COUNT}' In ['0']")
    assert f"{REQUIRED}[0]" not in result[0][0].split("Not counted:")[1]


def test_a_no_gpu_expression_anded_with_a_gpu_one_is_confined_by_the_other() -> None:
    affinity = _terms([_expression(COUNT, "In", "0"), _expression("nvidia.com/gpu.product", "Exists")])
    assert_decided(findings(RULE, POD, _pod(affinity=affinity)), None)


def _toleration(operator: str | None, value: str | None, effect: str = "NoSchedule") -> dict[str, Any]:
    toleration: dict[str, Any] = {"key": GPU, "effect": effect}
    if operator is not None:
        toleration["operator"] = operator
    if value is not None:
        toleration["value"] = value
    return toleration


@pytest.mark.parametrize(
    ("toleration", "taint_value", "refused"),
    [
        # The taint's value not known (the default): a toleration naming the key counts, as before.
        pytest.param(_toleration("Equal", "anything"), None, None, id="unknown-value-equal-anything"),
        pytest.param(_toleration(None, "anything"), None, None, id="unknown-value-no-operator"),
        # Known: Equal (or no operator, Kubernetes' default) must match it exactly.
        pytest.param(_toleration("Equal", "true"), "true", None, id="equal-the-value"),
        pytest.param(_toleration("Equal", "false"), "true", "(operator Equal) matches value 'false', not the taint's 'true'", id="equal-another-value"),
        pytest.param(_toleration("Equal", "True"), "true", "matches value 'True'", id="equal-is-case-sensitive"),
        pytest.param(_toleration(None, "true"), "true", None, id="no-operator-the-value"),
        pytest.param(_toleration(None, "present"), "true", "(operator unset, so Equal) matches value 'present'", id="no-operator-another-value"),
        pytest.param(_toleration("Equal", None), "true", "matches value ''", id="equal-without-value"),
        pytest.param(_toleration("Equal", None), "", None, id="a-taint-without-value-equal-without-value"),
        pytest.param(_toleration("Equal", "true"), "", "not the taint's ''", id="a-taint-without-value-equal-a-value"),
        # Exists matches every value, but Kubernetes refuses one with a value.
        pytest.param(_toleration("Exists", None), "true", None, id="exists"),
        pytest.param(_toleration("Exists", "true"), "true", "sets value 'true' with operator Exists", id="exists-with-a-value"),
        pytest.param(_toleration("Exists", "true"), None, "sets value 'true' with operator Exists", id="exists-with-a-value-unknown-taint-value"),
        pytest.param(_toleration("Gt", "0"), None, "has operator 'Gt', not Equal or Exists", id="an-alpha-operator"),
        # A wrong effect never tolerates, whatever the value.
        pytest.param(_toleration("Equal", "true", "PreferNoSchedule"), "true", "tolerations", id="wrong-effect-right-value"),
        pytest.param(_toleration("Exists", None, "NoExecute"), None, "tolerations", id="wrong-effect-exists"),
    ],
)  # fmt: skip
def test_a_toleration_counts_as_kubernetes_matches_it_to_the_gpu_taint(
    check_resource: Any, toleration: dict[str, Any], taint_value: str | None, refused: str | None
) -> None:
    config = {RULE: {"gpuTaintValue": taint_value}}
    found = check_resource(RULE, POD, _pod([toleration]), config)
    if refused is None:
        assert found == []
        return
    [violation] = found
    assert refused in violation.message, violation.message
    if "not the taint's" in refused or "Exists" in refused or "'Gt'" in refused:
        assert "spec.tolerations[0] " in violation.message, violation.message


def test_a_known_taint_value_is_named_in_the_refusal(check_resource: Any) -> None:
    [violation] = check_resource(
        RULE, POD, _pod([_toleration("Equal", "x")]), {RULE: {"gpuTaintValue": "true"}}
    )
    assert "'nvidia.com/gpu=true:NoSchedule' taint" in violation.message, violation.message
    assert "and value 'true' (or operator Exists)" in violation.message, violation.message


def test_a_matching_toleration_counts_beside_one_that_does_not(check_resource: Any) -> None:
    tolerations = [_toleration("Equal", "false"), EXISTS]
    assert check_resource(RULE, POD, _pod(tolerations), {RULE: {"gpuTaintValue": "true"}}) == []


def test_a_selector_value_unknown_at_preview_is_undecided_unless_something_else_confines_the_pod() -> None:
    unknown = {"nodeSelector": {PRESENT: UNKNOWN_STRING_VALUE}}
    messages, undecided = findings(RULE, POD, _pod(**unknown))
    assert (messages, undecided) == ([], 1)
    assert_decided(findings(RULE, POD, _pod([EXISTS], **unknown)), None)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("true", False, id="a-string"),
        pytest.param("", False, id="the-empty-string"),
        pytest.param(None, False, id="null-not-known"),
        pytest.param(1, True, id="a-number"),
        pytest.param(True, True, id="a-boolean"),
        pytest.param(["true"], True, id="a-list"),
    ],
)
def test_the_taint_value_setting_is_a_string_or_null(value: Any, problem: bool) -> None:
    problems = validate_pack_config({RULE: {"gpuTaintValue": value}})
    assert [p.split(": ")[0] for p in problems] == ([f"{RULE}.gpuTaintValue"] if problem else [])


def test_the_defaults_leave_the_taint_value_unknown_and_list_the_count_labels() -> None:
    schema = get_policy(RULE).config_schema
    assert schema is not None
    assert schema.properties["gpuTaintValue"]["default"] is None
    assert {COUNT, KARPENTER_COUNT} <= set(schema.properties["gpuNodeSelectorKeys"]["default"])
