"""k8s-gpu-pods-well-formed counts a GPU label or toleration value only when it is a string
(policies/rules/_gpu_placement.py ``_NOT_A_STRING``).

``nodeSelector`` is a map[string]string, a node selector requirement's ``values`` and a toleration's
``value`` strings (core/v1): the API server's JSON decoder refuses a boolean or a number there, and
pulumi-kubernetes sends the object as written, so ``nvidia.com/gpu.present: True`` (a Python bool)
selects no GPU node: the pod is never created. The rule read such a value as its word and passed it
(session 71's brief). A string of the same word still counts; a non-string value that already says "no
GPU" (``False``, ``0``) keeps its message.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import assert_decided, findings

RULE = "k8s-gpu-pods-well-formed"
POD = "kubernetes:core/v1:Pod"
GPU = "nvidia.com/gpu"
PRESENT = "nvidia.com/gpu.present"
COUNT = "nvidia.com/gpu.count"
REQUIRED = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
MALFORMED = "not a string, so malformed and refused by the API server"


def _pod(tolerations: list[dict[str, Any]] | None = None, **placement: Any) -> dict[str, Any]:
    container = {"name": "server", "image": "model@sha256:abc", "resources": {"limits": {GPU: 1}}}
    spec = {"containers": [container], "tolerations": tolerations or [], **placement}
    return {"metadata": {"namespace": "serving"}, "spec": spec}


def _required(*expressions: dict[str, Any]) -> dict[str, Any]:
    terms = [{"matchExpressions": list(expressions)}]
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        (PRESENT, True, "True"),
        (COUNT, 1, "1"),
        (COUNT, 2.5, "2.5"),
        ("nvidia.com/gpu.product", ["T4"], "['T4']"),
    ],
    ids=["bool-true", "number-1", "number-2.5", "a-list"],
)
def test_a_non_string_gpu_label_value_selects_no_node(key: str, value: Any, said: str) -> None:
    assert_decided(
        findings(RULE, POD, _pod(nodeSelector={key: value})),
        f"spec.nodeSelector['{key}'] is {said}, {MALFORMED}",
        "spec.nodeSelector has no GPU key with a GPU value",
    )


@pytest.mark.parametrize("value", ["true", "True", "1"], ids=["true", "True", "count-1"])
def test_the_same_word_as_a_string_still_selects_gpu_nodes(value: str) -> None:
    key = COUNT if value == "1" else PRESENT
    assert_decided(findings(RULE, POD, _pod(nodeSelector={key: value})), None)


def test_a_non_string_value_that_says_no_gpu_keeps_its_message() -> None:
    assert_decided(
        findings(RULE, POD, _pod(nodeSelector={PRESENT: False})),
        f"spec.nodeSelector['{PRESENT}'] is False, a value that labels nodes without GPUs",
    )


def test_a_string_gpu_label_beside_a_malformed_one_confines_the_pod() -> None:
    """The labels are ANDed: a real GPU label keeps the pod on GPU nodes (the malformed one is the API
    server's to refuse; this rule does not say the pod lands elsewhere)."""
    selector = {PRESENT: True, "nvidia.com/gpu.product": "Tesla-T4"}
    assert_decided(findings(RULE, POD, _pod(nodeSelector=selector)), None)


@pytest.mark.parametrize(
    ("values", "said"), [([True], "True"), (["true", 1], "'true', 1")], ids=["bool", "a-number-among-strings"]
)
def test_an_affinity_in_with_a_non_string_value_does_not_count(values: list[Any], said: str) -> None:
    result = findings(
        RULE, POD, _pod(affinity=_required({"key": PRESENT, "operator": "In", "values": values}))
    )
    assert_decided(
        result,
        f"spec.{REQUIRED}[0].matchExpressions[0] '{PRESENT}' In [{said}] has a value that is {MALFORMED}",
    )


def test_an_affinity_gt_with_a_number_does_not_count_and_a_string_does() -> None:
    expression = {"key": COUNT, "operator": "Gt", "values": [0]}
    assert_decided(
        findings(RULE, POD, _pod(affinity=_required(expression))), f"Gt [0] has a value that is {MALFORMED}"
    )
    expression["values"] = ["0"]
    assert_decided(findings(RULE, POD, _pod(affinity=_required(expression))), None)


def test_an_affinity_exists_is_not_judged_on_values() -> None:
    """Exists takes no values (validation refuses them); which type they are changes nothing here."""
    expression = {"key": PRESENT, "operator": "Exists"}
    assert_decided(findings(RULE, POD, _pod(affinity=_required(expression))), None)


@pytest.mark.parametrize("taint_value", [None, "true"], ids=["taint-value-unknown", "taint-value-true"])
def test_an_equal_toleration_with_a_boolean_value_does_not_count(
    check_resource: Any, taint_value: Any
) -> None:
    toleration = {"key": GPU, "operator": "Equal", "value": True, "effect": "NoSchedule"}
    found = check_resource(RULE, POD, _pod([toleration]), {RULE: {"gpuTaintValue": taint_value}})
    assert len(found) == 1 and f"spec.tolerations[0] has value True, {MALFORMED}" in found[0].message, found


def test_an_equal_toleration_with_a_string_value_still_counts(check_resource: Any) -> None:
    toleration = {"key": GPU, "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    assert check_resource(RULE, POD, _pod([toleration]), {RULE: {"gpuTaintValue": None}}) == []
    assert check_resource(RULE, POD, _pod([toleration]), {RULE: {"gpuTaintValue": "true"}}) == []


def test_a_toleration_value_unknown_at_preview_counts_when_the_taint_value_is_not_known() -> None:
    """Not read into undecided: any string value is taken when the pack does not know the taint's."""
    toleration = {"key": GPU, "operator": "Equal", "value": UNKNOWN_STRING_VALUE, "effect": "NoSchedule"}
    assert_decided(findings(RULE, POD, _pod([toleration])), None)
