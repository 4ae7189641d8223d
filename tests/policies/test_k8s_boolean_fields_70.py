"""Kubernetes bool fields count only as real booleans (policies/rules/_k8s_booleans.py).

The API server refuses ``"false"``, ``"true"``, ``0`` or ``1`` in a bool field ("ReadBool: expect t or
f", kubeflow/kubeflow#1748), so the pack never reads one as the safe value: every bool field a
Kubernetes rule reads (hostUsers, hostNetwork/hostPID/hostIPC, privileged, allowPrivilegeEscalation,
readOnlyRootFilesystem, runAsNonRoot at container and pod level, automountServiceAccountToken,
windowsOptions.hostProcess at container and pod level) is tried with each of those values and None,
beside ``True`` and ``False``: on the side where the field must be false, and where it must be true. A
malformed value is said so in the message. Direct evaluations of one rule on a built Deployment.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._k8s_booleans import holds, malformed
from tests.policies.conftest import build

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
PATCH = "kubernetes:apps/v1:DeploymentPatch"
AT = "spec.template.spec"
C0 = f"{AT}.containers[0].securityContext"
MALFORMED = "not a boolean, so malformed and refused by the API server"
#: The non-booleans a templated or hand-written manifest may carry, and unset; with the two a bool field takes.
ODD: list[Any] = ["false", "true", 0, 1, None]
VALUES: list[Any] = [True, False, *ODD]
CONTEXT = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
}


def spec(container: dict[str, Any] | None = None, **pod: Any) -> dict[str, Any]:
    """A hardened pod spec; ``container`` entries replace its one container's securityContext keys (None
    removes one), ``pod`` entries the pod's (``securityContext`` merged, a None value removed)."""
    context = {k: v for k, v in {**CONTEXT, **(container or {})}.items() if v is not None}
    pod_context = {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    pod_context.update(pod.pop("securityContext", {}))
    fields = {"automountServiceAccountToken": False, **pod}
    return {
        "containers": [{"name": "server", "image": "serve@sha256:" + "a" * 64, "securityContext": context}],
        "securityContext": {k: v for k, v in pod_context.items() if v is not None},
        **{k: v for k, v in fields.items() if v is not None},
    }


def found(rule: str, pod: dict[str, Any], resource_type: str = DEPLOYMENT) -> list[str]:
    inputs = {
        "metadata": {"name": "m", "namespace": "serving"},
        "spec": {"template": {"spec": copy.deepcopy(pod)}},
    }
    result = evaluate_report(
        build([{"type": resource_type, "name": "w", "inputs": inputs}]), None, [get_policy(rule)]
    )
    assert result.undecided == []
    return [v.message for v in result.violations]


def said(value: Any) -> str:
    """The value as the messages say it (written out here, not the helper's)."""
    return {True: "true", False: "false"}[value] if isinstance(value, bool) else f"{value!r}, {MALFORMED}"


# --- the helper ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_only_a_real_boolean_holds_a_value(value: Any) -> None:
    assert holds(value, True) == (value is True)
    assert holds(value, False) == (value is False)
    assert malformed(value) == (value is not None and not isinstance(value, bool))


# --- fields that must be false or unset: a value other than false is refused -----------------------

SECURITY = "k8s-container-security-context"
HOST_FIX = "remove it; inference pods do not share host namespaces."


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_privileged_passes_only_false_or_unset(value: Any) -> None:
    messages = found(SECURITY, spec({"privileged": value}))
    refused = not (value is False or value is None)
    assert messages == ([f"{C0}.privileged is {said(value)}: remove it."] if refused else [])


@pytest.mark.parametrize("flag", ["hostPID", "hostIPC", "hostNetwork"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_each_host_namespace_passes_only_false_or_unset(flag: str, value: Any) -> None:
    messages = found("k8s-no-host-namespaces", spec(**{flag: value}))
    refused = not (value is False or value is None)
    assert messages == ([f"{AT}.{flag} is {said(value)}: {HOST_FIX}"] if refused else [])


@pytest.mark.parametrize("level", ["pod", "container"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_windows_host_process_passes_only_false_or_unset(level: str, value: Any) -> None:
    options = {"windowsOptions": {"hostProcess": value, "runAsUserName": "ContainerUser"}}
    pod = spec(options) if level == "container" else spec(securityContext=options)
    at = C0 if level == "container" else f"{AT}.securityContext"
    refused = not (value is False or value is None)
    assert found("k8s-no-windows-host-process", pod) == (
        [f"{at}.windowsOptions.hostProcess is {said(value)}: remove it."] if refused else []
    )


# --- fields that must be set false: only a real false passes -----------------------------------------


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_allow_privilege_escalation_passes_only_false(value: Any) -> None:
    messages = found(SECURITY, spec({"allowPrivilegeEscalation": value}))
    # A boolean or unset is said as the message always said it (True, unset).
    shown = "True" if value is True else "unset" if value is None else said(value)
    assert messages == (
        [] if value is False else [f"{C0}.allowPrivilegeEscalation is {shown}: set it to false."]
    )


TOKEN_FIX = "set it to false unless the pod calls the Kubernetes API (IRSA web-identity tokens are mounted separately)."


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_automount_service_account_token_passes_only_false(value: Any) -> None:
    pod = spec()
    pod["automountServiceAccountToken"] = value
    note = f" (it is {said(value)})" if malformed(value) else ""
    assert found("k8s-service-account-token-not-automounted", pod) == (
        [] if value is False else [f"{AT}.automountServiceAccountToken is not false{note}: {TOKEN_FIX}"]
    )


# --- fields that must be set true: only a real true passes -------------------------------------------


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_read_only_root_filesystem_passes_only_true(value: Any) -> None:
    note = f" (it is {said(value)})" if value is not None and not isinstance(value, bool) else ""
    assert found(SECURITY, spec({"readOnlyRootFilesystem": value})) == (
        []
        if value is True
        else [
            f"{C0}.readOnlyRootFilesystem is not true{note}: set it and mount an emptyDir for scratch space."
        ]
    )


NON_ROOT = f"{C0}.runAsNonRoot is not true (nor {AT}.securityContext.runAsNonRoot)"


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_containers_run_as_non_root_passes_only_true_or_unset_under_a_true_pod(value: Any) -> None:
    note = f" (it is {said(value)})" if value is not None and not isinstance(value, bool) else ""
    assert found(SECURITY, spec({"runAsNonRoot": value})) == (
        [] if value is True or value is None else [f"{NON_ROOT}{note}: set it to true."]
    )


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_pods_run_as_non_root_covers_its_containers_only_when_true(value: Any) -> None:
    note = f" (it is {said(value)})" if value is not None and not isinstance(value, bool) else ""
    pod = spec({"runAsNonRoot": None}, securityContext={"runAsNonRoot": value})
    assert found(SECURITY, pod) == ([] if value is True else [f"{NON_ROOT}{note}: set it to true."])


PROC = f"{C0}.procMount is 'Unmasked': remove it (Default masks /proc)"


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_host_users_relaxes_an_unmasked_proc_only_when_false(value: Any) -> None:
    pod = spec({"procMount": "Unmasked"}, hostUsers=value)
    note = (
        f" ({AT}.hostUsers is {said(value)}; it makes no user namespace)"
        if value is not None and not isinstance(value, bool)
        else ""
    )
    assert found("k8s-default-proc-mount", pod) == ([] if value is False else [f"{PROC}{note}."])


# --- a Patch: an unset field is not judged, a malformed one is ----------------------------------------


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_a_patch_is_judged_on_the_bool_fields_it_sets(value: Any) -> None:
    context = {"allowPrivilegeEscalation": value, "readOnlyRootFilesystem": value, "runAsNonRoot": value}
    patch = {"containers": [{"name": "server", "securityContext": context}], "hostNetwork": value}
    messages = found(SECURITY, patch, PATCH) + found("k8s-no-host-namespaces", patch, PATCH)
    if value is None:
        assert messages == []
    else:
        assert [m.split(" is ")[0] for m in messages] == [
            f"{C0}.allowPrivilegeEscalation",
            f"{C0}.readOnlyRootFilesystem",
            f"{C0}.runAsNonRoot",
            f"{AT}.hostNetwork",
        ]
        assert all(MALFORMED in m for m in messages), messages
    patch["automountServiceAccountToken"] = value
    assert bool(found("k8s-service-account-token-not-automounted", patch, PATCH)) == (value is not None)
