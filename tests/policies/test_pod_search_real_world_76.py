"""Real-world manifests the widened pod search (session 76) judged wrongly, or crashed on.

A second review of the pack read public examples an adopting team runs: kyverno/policies (the
``best-practices``/``other`` mutate and generate policies), open-policy-agent/gatekeeper-library's mutation
samples, kubeflow/spark-operator's, tektoncd/pipeline's and argoproj/argo-workflows' examples, and the
values.yaml of common charts (bitnami, prometheus-community, ingress-nginx, grafana). Each case here is
transcribed from one of them (source named), failed before its fix, and the attack cases of
test_pod_search_76.py still fail where they should. Props go through the offline evaluator.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.conftest import SECURITY_RULES, found

DIGEST = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64
PRIVILEGED = "k8s-container-security-context"
CLUSTER_POLICY = "kubernetes:kyverno.io/v1:ClusterPolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"
WORKFLOW = "kubernetes:argoproj.io/v1alpha1:Workflow"
MATCH_PODS = {"any": [{"resources": {"kinds": ["Pod"]}}]}


def every_rule(resource_type: str, inputs: dict[str, Any]) -> dict[str, list[str]]:
    """Each security rule's messages, only those with some."""
    return {rule: m for rule in SECURITY_RULES if (m := found(rule, resource_type, inputs))}


def kyverno(*rules: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "p"},
        "spec": {"rules": [{"name": f"r{i}", **r} for i, r in enumerate(rules)]},
    }


def mutating(mutate: dict[str, Any], kinds: tuple[str, ...] = ("Pod",)) -> dict[str, Any]:
    return {"match": {"any": [{"resources": {"kinds": list(kinds)}}]}, "mutate": mutate}


# --- 1. Kyverno: conditions set nothing, variables fill in values from the object ---------------------


def test_a_condition_only_map_sets_nothing() -> None:
    """kyverno/policies best-practices/add-safe-to-evict: ``volumes: [{hostPath: {<(path): "*"}}]`` is a
    condition (pods with a hostPath volume get the annotation); Kyverno's own test expects the patched pod
    to differ only by the annotation. The hostPath is not the patch's."""
    inputs = kyverno(
        mutating({"patchStrategicMerge": {"metadata": {"annotations": {
            "+(cluster-autoscaler.kubernetes.io/safe-to-evict)": "true"}}, "spec": {"volumes": [{"<(emptyDir)": {}}]}}}),
        mutating({"patchStrategicMerge": {"metadata": {"annotations": {
            "+(cluster-autoscaler.kubernetes.io/safe-to-evict)": "true"}}, "spec": {"volumes": [{"hostPath": {"<(path)": "*"}}]}}}),
    )  # fmt: skip
    assert every_rule(CLUSTER_POLICY, inputs) == {}


def test_a_condition_beside_what_a_patch_sets_keeps_what_it_sets() -> None:
    volume = {"<(name)": "x", "hostPath": {"<(type)": "Directory", "path": "/"}}
    inputs = kyverno(mutating({"patchStrategicMerge": {"spec": {"volumes": [volume]}}}))
    assert found("k8s-no-host-path-volumes", CLUSTER_POLICY, inputs) != []


#: kyverno/policies other/add-emptydir-sizelimit: a JSON patch whose path takes the list index from
#: ``foreach`` (``{{elementIndex}}``).
EMPTYDIR_SIZE_LIMIT = (
    '- path: "/spec/volumes/{{elementIndex}}/emptyDir/sizeLimit"\n  op: add\n  value: 100Mi\n'
)
#: kyverno/policies openshift/inject-infrastructurename: values that are variables, unquoted.
INFRASTRUCTURE_NAME = (
    "- op: replace\n  path: /metadata\n  value: {{ replace_all(to_string(request.object.metadata),'TEMPLATE', infraid) }}\n"
    "- op: replace\n  path: /spec\n  value: {{ replace_all(to_string(request.object.spec),'TEMPLATE', infraid) }}\n"
)
#: kyverno/policies other/replace-ingress-hosts: variables nested in variables, in paths and values.
INGRESS_HOSTS = (
    "- path: /spec/rules/{{elementIndex}}/host\n  op: replace\n"
    "  value: {{replace_all('{{element.host}}', '.old.com', '.new.com')}}\n"
)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        pytest.param(EMPTYDIR_SIZE_LIMIT, ("Pod",), id="add-emptydir-sizelimit"),
        pytest.param(
            INFRASTRUCTURE_NAME, ("machine.openshift.io/v1beta1/MachineSet",), id="inject-infrastructurename"
        ),
        pytest.param(INGRESS_HOSTS, ("Ingress",), id="replace-ingress-hosts"),
    ],
)
def test_a_json_patch_with_kyverno_variables_is_read(text: str, kinds: tuple[str, ...]) -> None:
    inputs = kyverno(
        mutating({"foreach": [{"list": "request.object.spec.volumes[]", "patchesJson6902": text}]}, kinds)
    )
    assert every_rule(CLUSTER_POLICY, inputs) == {}


def test_a_json_patch_with_variables_setting_a_weakening_value_is_still_refused() -> None:
    """A variable index still reaches the field, and a literal weakening value is still said."""
    text = "- op: add\n  path: /spec/containers/{{elementIndex}}/securityContext/privileged\n  value: true\n"
    inputs = kyverno(
        mutating({"foreach": [{"list": "request.object.spec.containers", "patchesJson6902": text}]})
    )
    assert found(PRIVILEGED, CLUSTER_POLICY, inputs) == [
        "spec.rules[0].mutate.foreach[0].patchesJson6902.spec.containers[0].securityContext.privileged is true: "
        "remove it."
    ]
    text = "- op: add\n  path: /spec/hostNetwork\n  value: {{ request.object.metadata.annotations.net }}\n"
    messages = found("k8s-no-host-namespaces", CLUSTER_POLICY, kyverno(mutating({"patchesJson6902": text})))
    assert messages and "{{ request.object.metadata.annotations.net }}" in messages[0]


#: The image rewrites of kyverno/policies ``other/``: the registry changes, the tag or digest is the
#: object's own (or resolved to a digest: resolve-image-to-digest).
IMAGE_REWRITES = [
    pytest.param("{{ resolvedRef }}", id="resolve-image-to-digest"),
    pytest.param("harbor.example.com/k8s/{{imageData.repository}}:{{imageData.identifier}}",
                 id="replace-image-registry-with-harbor"),
    pytest.param('registry.io/{{ images.containers."{{element.name}}".path}}:{{images.containers."{{element.name}}".tag}}',
                 id="prepend-image-registry"),
    pytest.param("{{ regex_replace_all('^(localhost/|(?:[a-z0-9]+\\.)+[a-z0-9]+/)?(.*)$', '{{element.image}}', "
                 "'myregistry.corp.com/$2' )}}", id="replace-image-registry"),
]  # fmt: skip


@pytest.mark.parametrize("image", IMAGE_REWRITES)
def test_an_image_whose_tag_or_digest_a_kyverno_variable_fills_in_is_not_judged_for_its_digest(
    image: str,
) -> None:
    patch = {"spec": {"containers": [{"name": "{{ element.name }}", "image": image}]}}
    inputs = kyverno(
        mutating({"foreach": [{"list": "request.object.spec.containers", "patchStrategicMerge": patch}]})
    )
    assert found("k8s-image-pinned-by-digest", CLUSTER_POLICY, inputs) == []


def test_an_image_a_kyverno_patch_tags_literally_is_still_judged() -> None:
    """kyverno/policies other/update-image-tag (``vault:1.5.4``) and a variable repository with a literal tag."""
    for image in ("vault:1.5.4", "{{ element.name }}:latest"):
        patch = {"spec": {"containers": [{"(name)": "vault", "image": image}]}}
        assert found(
            "k8s-image-pinned-by-digest", CLUSTER_POLICY, kyverno(mutating({"patchStrategicMerge": patch}))
        )


# --- 2. Helm values: a chart's enabled switches --------------------------------------------------------


def test_a_section_a_chart_switches_off_is_not_rendered() -> None:
    """prometheus-community kube-prometheus-stack: ``crds.upgradeJob`` (enabled: false) names
    ``automountServiceAccountToken: true`` for a Job the chart does not render; bitnami's (older)
    ``securityContext: {enabled: false, runAsUser: 1001}`` is left out of the pod."""
    values = {
        "crds": {"enabled": True, "upgradeJob": {"enabled": False, "automountServiceAccountToken": True,
                 "podSecurityContext": {"runAsNonRoot": True}, "resources": {}}},
        "image": {"registry": "docker.io", "repository": "bitnami/redis", "tag": "7.2", "digest": ""},
        "podSecurityContext": {"enabled": False, "fsGroup": 1001, "runAsUser": 0},
        "securityContext": {"enabled": False, "runAsUser": 1001},
        "initContainers": [], "sidecars": [], "extraVolumes": [],
    }  # fmt: skip
    assert every_rule(RELEASE, {"chart": "c", "namespace": "serving", "values": values}) == {}


def test_a_chart_s_host_network_switch_is_read_as_its_value() -> None:
    """prometheus-community prometheus-adapter: ``hostNetwork: {enabled: false}`` (the chart renders
    ``hostNetwork: {{ .Values.hostNetwork.enabled }}``): no malformed value; ``enabled: true`` is."""
    values = {"hostNetwork": {"enabled": False}, "podSecurityContext": {"fsGroup": 10001}, "resources": {}}
    release = {"chart": "prometheus-adapter", "namespace": "monitoring", "values": values}
    assert every_rule(RELEASE, release) == {}
    values["hostNetwork"] = {"enabled": True}
    assert found("k8s-no-host-namespaces", RELEASE, release) == [
        "values.hostNetwork is true: remove it; inference pods do not share host namespaces."
    ]


def test_a_section_switched_on_is_still_judged() -> None:
    values = {
        "securityContext": {"enabled": True, "runAsUser": 1001},
        "podSecurityContext": {"enabled": True, "fsGroup": 1001},
        "metrics": {"enabled": True, "sidecars": [{"name": "m", "image": DIGEST, "securityContext": {"privileged": True}}]},
    }  # fmt: skip
    release = {"chart": "c", "namespace": "serving", "values": values}
    assert found("k8s-run-as-high-uid", RELEASE, release) == [
        "values.securityContext.runAsUser is 1001: run as a UID >= 10000."
    ]
    assert found(PRIVILEGED, RELEASE, release) == [
        "values.metrics.sidecars[0].securityContext.privileged is true: remove it."
    ]


def test_a_disabled_switch_hides_only_chart_values_not_a_pod() -> None:
    """``enabled`` is no PodSpec field: outside chart values a map holding it is searched as any."""
    spec = {"enabled": False, "template": {"spec": {"containers": [{"name": "c", "image": DIGEST,
            "securityContext": {"privileged": True}}]}}}  # fmt: skip
    inputs = {"metadata": {"name": "w"}, "spec": {"worker": spec}}
    assert found(PRIVILEGED, "kubernetes:example.com/v1:Widget", inputs) != []


# --- 3. Robustness: text that is too deep or too large is refused, not a crash ---------------------------


def deep_patch(text: str) -> dict[str, Any]:
    template = {"name": "main", "container": {"image": DIGEST}, "podSpecPatch": text}
    return {"metadata": {"name": "w"}, "spec": {"entrypoint": "main", "templates": [template]}}


def test_a_deeply_nested_text_patch_is_unreadable_not_a_crash() -> None:
    messages = found(PRIVILEGED, WORKFLOW, deep_patch("[" * 5000 + "]" * 5000))
    assert messages == [
        "spec.templates[0].podSpecPatch is not a YAML or JSON patch the pack can read (YAML: nested too deeply): "
        "the pods it patches (privileged, host namespaces, volumes...) cannot be judged; write the patch "
        "literally as YAML or JSON, or set those fields on the object itself."
    ]


def test_a_json_patch_with_a_deep_path_or_a_huge_index_is_judged_without_blowing_up() -> None:
    """A path 5,000 keys deep is set without recursion; an index far past any pod's containers (which
    the partial object padded with as many empty items) is read as the next item."""
    deep = "- op: add\n  path: /spec" + "/a" * 5000 + "\n  value: true\n"
    assert found(PRIVILEGED, CLUSTER_POLICY, kyverno(mutating({"patchesJson6902": deep}))) == []
    huge = "- op: add\n  path: /spec/containers/200000/securityContext/privileged\n  value: true\n"
    assert found(PRIVILEGED, CLUSTER_POLICY, kyverno(mutating({"patchesJson6902": huge}))) == [
        "spec.rules[0].mutate.patchesJson6902.spec.containers[0].securityContext.privileged is true: remove it."
    ]


def test_text_that_is_no_text_says_why_it_is_unreadable() -> None:
    """Control characters (binary pasted into a patch) say what the YAML reader says of them, not the
    name of its exception class (``ReaderError``)."""
    messages = found(PRIVILEGED, WORKFLOW, deep_patch("\x00\x01 hostNetwork: true"))
    assert len(messages) == 1
    assert "(YAML: special characters are not allowed)" in messages[0], messages
