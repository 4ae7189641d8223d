"""Second read of session 76's pod-search changes: what they let through, or crashed on.

- A chart's ``enabled: false`` switch hid a whole object a chart renders verbatim (an item of bitnami's
  ``extraDeploy`` list, a raw manifest): ``enabled`` is no field of a Pod, PodSpec or PodTemplateSpec, so
  the API server (or a CRD's pruning) drops it and runs what the object holds. A Flux HelmRelease's values
  were searched with no switches before session 76, and refused these.
- Helm values written as YAML text (an Argo CD Application's ``helm.values``) or a Kustomize patch written
  as text with a key YAML reads as no string (``1:``, ``on:``) crashed the rules with a KeyError; Helm and
  Kustomize read every key as a string.

Props go through the offline evaluator.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.test_pod_search_real_world_76 import DIGEST, PRIVILEGED, RELEASE, found

HELM_RELEASE = "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
KUSTOMIZATION = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"
CONTAINER = {"name": "m", "image": DIGEST, "securityContext": {"privileged": True}}


def _pod(spec_extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [CONTAINER], **spec_extra},
    }


def _deployment(template_extra: dict[str, Any]) -> dict[str, Any]:
    template = {"spec": {"containers": [CONTAINER]}, **template_extra}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"template": template},
    }


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(
            {"extraDeploy": [{**_pod({}), "spec": {**_pod({})["spec"], "enabled": False}}]},
            id="a-listed-pod-s-spec",
        ),
        pytest.param({"extraDeploy": [_deployment({"enabled": False})]}, id="a-listed-deployment-s-template"),
        pytest.param(
            {"extraObjects": {"debug": {**_pod({}), "spec": {**_pod({})["spec"], "enabled": False}}}},
            id="a-raw-object-in-a-map",
        ),
    ],
)
@pytest.mark.parametrize(
    ("resource_type", "at"),
    [
        pytest.param(
            RELEASE, lambda v: {"chart": "c", "namespace": "serving", "values": v}, id="helm-release"
        ),
        pytest.param(
            HELM_RELEASE,
            lambda v: {"metadata": {"name": "w", "namespace": "serving"}, "spec": {"chart": {}, "values": v}},
            id="flux-helm-release",
        ),
    ],
)
def test_an_enabled_false_key_hides_no_object_a_chart_renders_verbatim(
    values: dict[str, Any], resource_type: str, at: Any
) -> None:
    messages = found(PRIVILEGED, resource_type, at(values))
    assert [m for m in messages if "privileged is true" in m] != []


def test_a_switch_above_a_verbatim_list_still_switches_it_off() -> None:
    """The section holding the list (``metrics: {enabled: false, sidecars: [...]}``) is still not rendered."""
    values = {"metrics": {"enabled": False, "sidecars": [CONTAINER]}}
    assert found(PRIVILEGED, RELEASE, {"chart": "c", "namespace": "serving", "values": values}) == []


@pytest.mark.parametrize("key", ["1", "on", "null", "2024-01-01"])
def test_helm_values_text_with_a_key_that_is_no_string_is_searched_not_a_crash(key: str) -> None:
    text = f"{key}: x\nsidecars: [{{name: m, image: {DIGEST!r}, securityContext: {{privileged: true}}}}]\n"
    app = {"metadata": {"name": "a"}, "spec": {"source": {"helm": {"values": text}}}}
    assert found(PRIVILEGED, APPLICATION, app) == [
        "spec.source.helm.values.sidecars[0].securityContext.privileged is true: remove it."
    ]


def test_a_kustomize_text_patch_with_a_key_that_is_no_string_is_searched_not_a_crash() -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\n1: x\nspec: {template: {spec: {hostNetwork: true}}}\n"
    kustomization = {"metadata": {"name": "k"}, "spec": {"patches": [{"patch": text}]}}
    assert found("k8s-no-host-namespaces", KUSTOMIZATION, kustomization) != []


# --- Kyverno: a variable that is a JMESPath literal is the text it stands for -----------------------------

CLUSTER_POLICY = "kubernetes:kyverno.io/v1:ClusterPolicy"


def _kyverno_mutate(mutate: dict[str, Any]) -> dict[str, Any]:
    rule = {"name": "r", "match": {"any": [{"resources": {"kinds": ["Pod"]}}]}, "mutate": mutate}
    return {"metadata": {"name": "p"}, "spec": {"rules": [rule]}}


@pytest.mark.parametrize("image", ["{{ 'nginx:latest' }}", "nginx{{ '' }}", 'nginx:{{ `"latest"` }}'])
def test_an_image_a_kyverno_literal_spells_is_judged(image: str) -> None:
    """``{{ 'nginx:latest' }}`` is a JMESPath raw string literal: Kyverno substitutes ``nginx:latest``, a tag
    the patch writes, not one a variable fills in from the pod or a digest lookup."""
    patch = {"spec": {"containers": [{"(name)": "*", "image": image}]}}
    policy = _kyverno_mutate({"patchStrategicMerge": patch})
    assert found("k8s-image-pinned-by-digest", CLUSTER_POLICY, policy) != []


def test_a_json_patch_path_a_kyverno_literal_spells_is_judged() -> None:
    """Kyverno substitutes the patch text before it parses it: ``/spec/{{ 'hostNetwork' }}`` is ``/spec/hostNetwork``."""
    text = "- op: add\n  path: /spec/{{ 'hostNetwork' }}\n  value: true\n"
    policy = _kyverno_mutate({"patchesJson6902": text})
    assert found("k8s-no-host-namespaces", CLUSTER_POLICY, policy) != []


def test_a_variable_from_the_object_is_still_not_judged() -> None:
    """kyverno/policies resolve-image-to-digest and registry rewrites: unchanged."""
    patch = {
        "spec": {"containers": [{"(name)": "*", "image": "{{ request.object.spec.containers[0].image }}"}]}
    }
    assert (
        found("k8s-image-pinned-by-digest", CLUSTER_POLICY, _kyverno_mutate({"patchStrategicMerge": patch}))
        == []
    )


def test_a_mutate_existing_rule_is_judged_in_its_targets_namespaces() -> None:
    """kyverno.io/docs mutate "Mutate Existing resources": the rule's ``match`` picks the triggering request
    (a ConfigMap in ``kube-system``), its ``targets`` the objects it patches (Deployments in ``serving``).
    Matching an exempt namespace exempted a patch of pods in any other."""
    rule = {
        "name": "r",
        "match": {"any": [{"resources": {"kinds": ["ConfigMap"], "namespaces": ["kube-system"]}}]},
        "mutate": {
            "targets": [{"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "serving"}],
            "patchStrategicMerge": {"spec": {"template": {"spec": {"hostNetwork": True}}}},
        },
    }
    policy = {"metadata": {"name": "p"}, "spec": {"rules": [rule]}}
    assert found("k8s-no-host-namespaces", CLUSTER_POLICY, policy) != []
    rule["mutate"]["targets"][0]["namespace"] = "kube-system"
    assert found("k8s-no-host-namespaces", CLUSTER_POLICY, policy) == []
    del rule["mutate"]["targets"][0]["namespace"]
    assert found("k8s-no-host-namespaces", CLUSTER_POLICY, policy) != []


def test_a_kustomize_json_patch_value_with_a_key_that_is_no_string_is_searched_not_a_crash() -> None:
    text = "- op: add\n  path: /spec/template/spec\n  value: {1: x, hostNetwork: true}\n"
    kustomization = {"metadata": {"name": "k"}, "spec": {"patches": [{"patch": text}]}}
    assert found("k8s-no-host-namespaces", KUSTOMIZATION, kustomization) != []


def test_helm_values_text_deep_through_its_aliases_is_still_searched() -> None:
    """Aliases nest a small text deeper than the YAML reader recurses (each level an alias of the last inside
    100 brackets): its keys are made strings without recursion, so the values are searched, not dropped."""
    lines = ["k0: &a0 [x]"]
    lines += [f"k{i}: &a{i} " + "[" * 100 + f"*a{i - 1}" + "]" * 100 for i in range(1, 12)]
    lines.append(f"sidecars: [{{name: m, image: {DIGEST!r}, securityContext: {{privileged: true}}}}]")
    app = {"metadata": {"name": "a"}, "spec": {"source": {"helm": {"values": "\n".join(lines)}}}}
    assert found(PRIVILEGED, APPLICATION, app) == [
        "spec.source.helm.values.sidecars[0].securityContext.privileged is true: remove it."
    ]
