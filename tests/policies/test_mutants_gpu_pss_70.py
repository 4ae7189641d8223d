"""Tests that kill the mutants an audit of k8s-gpu-pods-well-formed (policies/rules/_gpu_placement.py)
and the Pod Security Standards rules (policies/rules/kubernetes_pod_security.py) found alive: each
pins a reading the earlier tests left open, with the near miss on the other side."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._gpu_placement import says_no_gpu
from tests.policies.one_resource import assert_decided, findings

# Helpers only (a test function imported here would be collected twice).
from tests.policies.test_pod_hostpath_seccomp_69 import container, deployment, found, pod

GPU_RULE = "k8s-gpu-pods-well-formed"
POD = "kubernetes:core/v1:Pod"
GPU = "nvidia.com/gpu"
PRESENT = "nvidia.com/gpu.present"


def _gpu_pod(**spec: Any) -> dict[str, Any]:
    server = {"name": "server", "image": "model@sha256:abc", "resources": {"limits": {GPU: 1}}}
    return {"metadata": {"namespace": "serving"}, "spec": {"containers": [server], **spec}}


def _required(expression: dict[str, Any]) -> dict[str, Any]:
    terms = [{"matchExpressions": [expression]}]
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}


# --- k8s-gpu-pods-well-formed ----------------------------------------------------------------


@pytest.mark.parametrize(("value", "no_gpu"), [(True, False), (False, True)])
def test_a_boolean_label_value_is_read_as_its_word(value: bool, no_gpu: bool) -> None:
    """Props carry a YAML ``true`` as a boolean: ``true`` names GPU nodes, ``false`` nodes without."""
    assert says_no_gpu(value) is no_gpu


def test_a_boolean_selector_value_confines_no_pod() -> None:
    """nodeSelector is map[string]string: the API server refuses a boolean, so ``True`` selects nothing
    (session 71: it was read as its word and passed; tests/policies/test_gpu_label_strings_71.py)."""
    assert_decided(
        findings(GPU_RULE, POD, _gpu_pod(nodeSelector={PRESENT: True})),
        f"spec.nodeSelector['{PRESENT}'] is True, not a string, so malformed and refused by the API server",
    )
    assert_decided(
        findings(GPU_RULE, POD, _gpu_pod(nodeSelector={PRESENT: False})),
        f"spec.nodeSelector['{PRESENT}'] is False",
        "labels nodes without GPUs",
        "spec.nodeSelector has no GPU key with a GPU value",
    )


def test_the_summary_says_with_a_gpu_value_only_when_a_gpu_key_has_another() -> None:
    """The near miss of the above: a selector without a GPU key lacks the key, not a value."""
    result = findings(GPU_RULE, POD, _gpu_pod(nodeSelector={"team": "ml"}))
    assert_decided(result, "spec.nodeSelector has no GPU key and ")
    assert "with a GPU value" not in result[0][0], result[0][0]


def test_does_not_exist_on_a_gpu_label_is_named_as_keeping_the_pod_off_gpu_nodes() -> None:
    """DoesNotExist is a node selector operator (the pod goes to the nodes without the label), not an
    unknown one."""
    result = findings(
        GPU_RULE, POD, _gpu_pod(affinity=_required({"key": PRESENT, "operator": "DoesNotExist"}))
    )
    assert_decided(result, f"'{PRESENT}' DoesNotExist keeps the pod off the nodes with that label")
    assert "not a node selector operator" not in result[0][0]


@pytest.mark.parametrize("values", [None, []], ids=["no-values", "empty-values"])
def test_in_without_values_does_not_confine_the_pod(values: list[str] | None) -> None:
    """An ``In`` needs values (the API server refuses one without): it keeps no pod on GPU nodes, and
    the refusal says it has none (not that it admits a "no GPU" value)."""
    expression: dict[str, Any] = {"key": PRESENT, "operator": "In"}
    if values is not None:
        expression["values"] = values
    result = findings(GPU_RULE, POD, _gpu_pod(affinity=_required(expression)))
    assert_decided(result, f"'{PRESENT}' In without values")
    assert "admits nodes without GPUs" not in result[0][0]


def test_in_with_a_gpu_value_beside_it_still_confines() -> None:
    """The near miss of the above: one GPU value, no "no GPU" one."""
    expression = {"key": PRESENT, "operator": "In", "values": ["true"]}
    assert_decided(findings(GPU_RULE, POD, _gpu_pod(affinity=_required(expression))), None)


def test_a_toleration_of_another_key_is_not_listed_as_not_counted() -> None:
    """Only a toleration naming the GPU taint with a reason it does not match is listed under "Not
    counted"; one of another key is simply not the GPU taint's."""
    other = {"key": "dedicated", "operator": "Equal", "value": "ml", "effect": "NoSchedule"}
    result = findings(GPU_RULE, POD, _gpu_pod(tolerations=[other]))
    assert_decided(result, "has no 'nvidia.com/gpu' toleration")
    assert "Not counted" not in result[0][0] and "tolerations[0]" not in result[0][0], result[0][0]


def test_a_gpu_toleration_with_a_reason_is_listed_as_not_counted() -> None:
    """The near miss: a GPU toleration with another operator is named, with why."""
    alpha = {"key": GPU, "operator": "Gt", "value": "0", "effect": "NoSchedule"}
    result = findings(GPU_RULE, POD, _gpu_pod(tolerations=[alpha]))
    assert_decided(result, "Not counted: spec.tolerations[0] has operator 'Gt', not Equal or Exists")


# --- the Pod Security Standards rules ---------------------------------------------------------

#: pod-security-admission's check_sysctls.go, its newest policy version's allowed names, written out
#: here rather than read from the rule: 1.0's five, ip_local_reserved_ports (1.27), the keepalive
#: and fin_timeout ones (1.29), tcp_rmem/wmem (1.32), tcp_slow_start_after_idle/notsent_lowat (1.37).
PSA_SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
]


@pytest.mark.parametrize("name", PSA_SAFE_SYSCTLS)
def test_each_safe_sysctl_is_admitted_and_its_near_misses_are_not(name: str) -> None:
    def sysctls(*names: str) -> list[str]:
        spec = pod(securityContext={"sysctls": [{"name": n, "value": "1"} for n in names]})
        return found("k8s-safe-sysctls-only", deployment(spec))

    assert sysctls(name) == []
    # Near misses: a longer name of the same prefix, and a sibling of the same subsystem.
    [longer] = sysctls(f"{name}_x")
    assert f"sysctls[0].name is '{name}_x': remove it" in longer, longer
    assert len(sysctls(name, "net.ipv4.ip_forward")) == 1


@pytest.mark.parametrize("value", [1, True, {"type": "RuntimeDefault"}], ids=["number", "boolean", "map"])
def test_a_seccomp_annotation_that_is_not_a_string_confines_nothing(value: Any) -> None:
    """Annotations are strings; props may still hold a number or a map there. It is no confined
    profile (the container is reported unset), and reading it does not fail the rule."""
    spec = pod(container(), seccomp=None)
    inputs = deployment(spec)
    inputs["spec"]["template"]["metadata"] = {
        "annotations": {"seccomp.security.alpha.kubernetes.io/pod": value}
    }
    [message] = found("k8s-seccomp-profile-set", inputs)
    assert "containers[0].securityContext.seccompProfile is unset" in message, message
    # The near miss: the same annotation as the string the API server copies in.
    inputs["spec"]["template"]["metadata"]["annotations"]["seccomp.security.alpha.kubernetes.io/pod"] = (
        "runtime/default"
    )
    assert found("k8s-seccomp-profile-set", inputs) == []


@pytest.mark.parametrize("value", [1, True], ids=["number", "boolean"])
def test_an_apparmor_annotation_that_is_not_a_string_is_refused_not_a_failed_rule(value: Any) -> None:
    inputs = deployment(pod())
    key = "container.apparmor.security.beta.kubernetes.io/server"
    inputs["spec"]["template"]["metadata"] = {"annotations": {key: value}}
    [message] = found("k8s-apparmor-not-unconfined", inputs)
    assert f"[{key!r}] is " in message and "remove the annotation" in message, message
