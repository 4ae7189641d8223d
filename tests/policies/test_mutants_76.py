"""What session 76's mutation sweep of the Kubernetes object readers found no test asserting.

Each test here kills a mutant that survived every Kubernetes policy test: the reading of RFC 6902
JSON Patch text (:mod:`policies.rules._k8s_text`), of a Gatekeeper mutator's ``spec.location``
(:mod:`policies.rules._k8s_mutators`), of which tokens are ``*List`` objects
(:mod:`policies.rules._k8s_objects`) and of pods found by shape (:mod:`policies.rules._k8s_pod_search`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules._k8s_mutators import is_gatekeeper_mutator, parse_location, written_object
from policies.rules._k8s_objects import is_list_type
from policies.rules._k8s_pod_search import find_pods, is_container
from policies.rules._k8s_text import json_patch_body
from tests.policies.test_pod_search_76 import (
    CLUSTER_POLICY,
    DIGEST,
    HARDENED,
    POD,
    PRIVILEGED,
    PRIVILEGED_AT,
    SECURITY_RULES,
    WORKFLOW,
    deployment,
    found,
    kyverno,
    mutating,
    patched_workflow,
    pod_object,
    privileged_pod,
    report,
)

UNREADABLE = "spec.rules[0].mutate.patchesJson6902 is not a YAML or JSON patch"


def _json_patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return kyverno(mutating({"patchesJson6902": json.dumps(list(operations))}))


# --- RFC 6902 operations as the partial object they make -----------------------------------------------


def test_an_empty_json_patch_changes_nothing_and_is_no_unreadable_one() -> None:
    assert json_patch_body("") == ({}, None)
    inputs = kyverno(mutating({"patchesJson6902": ""}))
    for rule in SECURITY_RULES:
        assert found(rule, CLUSTER_POLICY, inputs) == [], rule


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(
            {"op": "add", "path": "spec/hostPID", "value": True}, id="a-path-that-is-no-json-pointer"
        ),
        pytest.param({"op": "move", "from": "/spec/x", "path": "/spec/hostPID"}, id="a-move-into-the-object"),
        pytest.param({"op": "copy", "from": "/spec/x", "path": "/spec/hostPID"}, id="a-copy-into-the-object"),
    ],
)
def test_an_operation_whose_value_cannot_be_read_leaves_the_pods_unjudged(operation: dict[str, Any]) -> None:
    """A path that is no JSON pointer (RFC 6901: "" or "/..."), or a value taken from the object
    itself, is not read as setting nothing: the pods it patches cannot be judged, which is said."""
    body, why = json_patch_body(json.dumps([operation]))
    assert body is None and why
    messages = found(PRIVILEGED, CLUSTER_POLICY, _json_patch(operation))
    assert any(m.startswith(UNREADABLE) for m in messages), messages


def test_a_pointers_escapes_are_decoded() -> None:
    """RFC 6901: ``~1`` is ``/`` and ``~0`` is ``~`` in a reference token (an annotation's name)."""
    apparmor = "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1main"
    text = json.dumps([{"op": "add", "path": apparmor, "value": "unconfined"}])
    assert json_patch_body(text) == (
        {
            "spec": {
                "template": {
                    "metadata": {
                        "annotations": {"container.apparmor.security.beta.kubernetes.io/main": "unconfined"}
                    }
                }
            }
        },
        None,
    )
    assert json_patch_body(json.dumps([{"op": "add", "path": "/a~0b", "value": 1}])) == ({"a~b": 1}, None)


def test_appending_with_a_dash_adds_an_item_after_those_set_before() -> None:
    """``/-`` appends (RFC 6902, 4.1): a privileged container appended after a harmless one is not lost."""
    harmless = {"name": "a", "image": "x"}
    privileged = {"name": "b", "securityContext": {"privileged": True}}
    operations = (
        {"op": "add", "path": "/spec/containers/-", "value": privileged},
        {"op": "add", "path": "/spec/containers/-", "value": harmless},
    )
    body, _ = json_patch_body(json.dumps(list(operations)))
    assert body == {"spec": {"containers": [privileged, harmless]}}
    messages = found(PRIVILEGED, CLUSTER_POLICY, _json_patch(*operations))
    assert any(
        m.startswith(
            "spec.rules[0].mutate.patchesJson6902.spec.containers[0].securityContext.privileged is true"
        )
        for m in messages
    ), messages


def test_a_value_set_below_a_scalar_set_before_replaces_it() -> None:
    """An operation setting ``/spec/containers/0/securityContext`` after one that set
    ``/spec/containers/0`` to a scalar: the object ends as a container map, judged (not a crash)."""
    operations = (
        {"op": "add", "path": "/spec/containers/0", "value": "placeholder"},
        {"op": "add", "path": "/spec/containers/0/securityContext", "value": {"privileged": True}},
    )
    assert json_patch_body(json.dumps(list(operations))) == (
        {"spec": {"containers": [{"securityContext": {"privileged": True}}]}},
        None,
    )
    messages = found(PRIVILEGED, CLUSTER_POLICY, _json_patch(*operations))
    assert any("containers[0].securityContext.privileged is true" in m for m in messages), messages


# --- a Gatekeeper mutator's location ---------------------------------------------------------------------


def test_a_quoted_location_segment_is_the_key_without_its_quotes() -> None:
    assert parse_location('"spec".hostNetwork') == [("spec", None), ("hostNetwork", None)]
    assert written_object('spec.volumes[name: "host"]', {"hostPath": {"path": "/"}}) == {
        "spec": {"volumes": [{"name": "host", "hostPath": {"path": "/"}}]}
    }


@pytest.mark.parametrize(
    "location",
    [
        "spec..hostNetwork",
        ".spec.hostNetwork",
        "spec.containers[name: *]securityContext",
    ],
)
def test_a_malformed_location_writes_nothing(location: str) -> None:
    """Gatekeeper refuses such a mutator: it writes nothing, so nothing is judged."""
    assert parse_location(location) is None
    assert written_object(location, True) is None


# --- which tokens are lists of objects ---------------------------------------------------------------------


def test_only_a_kubernetes_object_token_ending_in_list_is_a_list() -> None:
    """A ``kubernetes:<group>/<version>:<Kind>List``; a token without a version (a component's, as
    pulumi-kubernetes' ``kubernetes:yaml:ConfigGroup``) is no Kubernetes object, so no list of them."""
    assert is_list_type("kubernetes:core/v1:PodList")
    assert is_list_type("kubernetes:core/v1:List")
    assert not is_list_type("kubernetes:yaml:PodList")
    assert found(PRIVILEGED, "kubernetes:yaml:PodList", {"items": [pod_object()]}) == []


def test_only_the_gatekeeper_mutation_group_holds_mutators() -> None:
    """``mutations.gatekeeper.sh`` exactly: a group that merely starts so is another API's."""
    assert is_gatekeeper_mutator("kubernetes:mutations.gatekeeper.sh/v1:Assign")
    assert not is_gatekeeper_mutator("kubernetes:mutations.gatekeeper.sh.example.com/v1:Assign")


# --- pods found by shape ------------------------------------------------------------------------------------

WIDGET = "kubernetes:example.com/v1:Widget"


def test_a_map_whose_name_is_no_text_is_no_container() -> None:
    """A known ``name`` of a container is a string: a map naming a map is something else (a chart's
    ``{name: {first, last}, env: ...}``), and a list of such maps no pod spec."""
    assert is_container({"name": "main", "env": []})
    assert not is_container({"name": {"first": "a"}, "env": []})
    inputs = {
        "metadata": {"name": "w"},
        "spec": {"containers": [{"name": 3, "securityContext": {"privileged": True}}]},
    }
    assert find_pods(inputs)[0] == []


def test_a_list_holding_anything_but_maps_is_no_container_list() -> None:
    inputs = {"spec": {"containers": ["sidecar", {"name": "main", "image": "x:1"}]}}
    assert find_pods(inputs)[0] == []
    assert [
        pod.path for pod in find_pods({"spec": {"containers": [{"name": "main", "image": "x:1"}]}})[0]
    ] == ["spec"]


def test_an_unknown_value_under_a_key_pods_sit_under_leaves_the_rule_undecided() -> None:
    """A key ending like one pods sit under (``workerGroupSpecs``, ``...Template``), the map holding an
    unknown value being such a key's, or the list holding it: the object is undecided; an unknown
    name elsewhere hides no pod."""
    for spec in (
        {"cluster": {"workerGroupSpecs": UNKNOWN_STRING_VALUE}},
        {"suite": {"replicatedJobs": UNKNOWN_STRING_VALUE}},
        {"runner": {"template": {"extra": UNKNOWN_STRING_VALUE}}},
        {"workers": [UNKNOWN_STRING_VALUE]},
    ):
        assert report(PRIVILEGED, WIDGET, {"metadata": {"name": "w"}, "spec": spec}).undecided, spec
    decided = report(
        PRIVILEGED, WIDGET, {"metadata": {"name": "w"}, "spec": {"cluster": {"name": UNKNOWN_STRING_VALUE}}}
    )
    assert decided.undecided == [] and decided.violations == []


def test_a_patch_setting_a_whole_pod_template_is_judged_on_what_it_sets() -> None:
    """A Kyverno patch naming every container's image is still a patch: merged into pods built from
    more, it is not refused for what it leaves to them (their security context)."""
    patch = {
        "patchStrategicMerge": {
            "spec": {"template": {"spec": {"containers": [{"name": "main", "image": DIGEST}]}}}
        }
    }
    inputs = kyverno(mutating(patch, {"any": [{"resources": {"kinds": ["Deployment"]}}]}))
    for rule in SECURITY_RULES:
        assert found(rule, CLUSTER_POLICY, inputs) == [], rule


def test_pod_fields_at_the_objects_top_level_are_given_to_the_pods_below() -> None:
    """The object's own top level is a map above its pods too (its message's path starts with a dot:
    left as it is, see the CHANGELOG)."""
    inputs = {"metadata": {"name": "w"}, "hostNetwork": True, "spec": {"template": {"spec": POD}}}
    messages = found("k8s-no-host-namespaces", WIDGET, inputs)
    assert [m.lstrip(".") for m in messages] == [
        "hostNetwork is true: remove it; inference pods do not share host namespaces."
    ]


def test_a_kustomize_patch_that_is_plain_text_leaves_the_pods_unjudged() -> None:
    inputs = {"metadata": {"name": "apps"}, "spec": {"patches": [{"patch": "restart-the-pods"}]}}
    messages = found(PRIVILEGED, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", inputs)
    assert any(m.startswith("spec.patches[0].patch is not a YAML or JSON patch") for m in messages), messages


def test_a_pod_spec_patch_with_a_key_that_is_no_text_is_unreadable() -> None:
    """``1: true`` is YAML, but no pod spec: a map whose keys are not all text is no patch the pack reads."""
    inputs = patched_workflow("1: true\n")
    messages = found(PRIVILEGED, WORKFLOW, inputs)
    assert any(
        m.startswith("spec.templates[0].podSpecPatch is not a YAML or JSON patch") for m in messages
    ), messages


def test_a_map_with_a_containers_list_is_a_pod_spec_whatever_spark_sizes_it_holds() -> None:
    """Spark's sizes (``cores``) beside a ``containers`` list do not make the map one inline pod: its
    containers are judged, each at its own path."""
    container: dict[str, Any] = {"name": "main", "image": DIGEST, "securityContext": {"privileged": True}}
    driver: dict[str, Any] = {"cores": 1, "containers": [container]}
    inputs = {"metadata": {"name": "w"}, "spec": {"driver": driver}}
    assert found(PRIVILEGED, WIDGET, inputs) == ["spec.driver" + PRIVILEGED_AT]
    # Its securityContext is then the pod's (a PodSecurityContext, which has no `privileged`), not a
    # main container's.
    container["securityContext"] = {"privileged": False}
    driver["securityContext"] = {"privileged": True}
    assert found(PRIVILEGED, WIDGET, inputs) == []


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"podspec": {"containers": [{"name": "main", "image": DIGEST}]}}, id="a-key-merely-ending-in-spec"),
        pytest.param(
            {"template": {"spec": {"containers": [{"name": "main", "image": DIGEST}],
                                   "sidecars": [{"name": "proxy", "image": DIGEST}]}}},
            id="a-template-with-sidecars-its-operator-adds",
        ),
    ],
)  # fmt: skip
def test_a_fragment_an_operator_merges_is_judged_on_what_it_sets(spec: dict[str, Any]) -> None:
    """Only a PodTemplateSpec's ``spec`` (a key named ``spec``) with nothing but core/v1 container lists is
    the pod as written; any other pod spec is a fragment, refused for what it sets, not what it leaves."""
    inputs = {"metadata": {"name": "w"}, "spec": spec}
    for rule in SECURITY_RULES:
        assert found(rule, WIDGET, inputs) == [], rule


@pytest.mark.parametrize(
    "marker", ["podSecurityContext", "cores", "coreRequest", "coreLimit", "memoryOverhead"]
)
def test_any_spark_marker_makes_a_map_a_pod_and_its_main_container(marker: str) -> None:
    """Spark's SparkPodSpec (``spec.executor``): a pod and its main container in one map, known by any of
    its pod-level fields or Spark's sizes beside a container's field; its container settings judged."""
    executor = {marker: "1", "image": DIGEST, "securityContext": {"privileged": True}}
    inputs = {"metadata": {"name": "w"}, "spec": {"executor": executor}}
    assert found(PRIVILEGED, WIDGET, inputs) == [
        "spec.executor.securityContext.privileged is true: remove it."
    ]


@pytest.mark.parametrize(
    "token",
    [
        "kubernetes:kyverno.io/v1:ClusterPolicy",
        "kubernetes:policies.kyverno.io/v1alpha1:ValidatingPolicy",
        "kubernetes:reports.kyverno.io/v1:EphemeralReport",
        "kubernetes:wgpolicyk8s.io/v1alpha2:PolicyReport",
    ],
)
def test_a_kind_quoting_pods_as_patterns_or_findings_is_not_searched(token: str) -> None:
    """Kyverno's policies and the policy reports (``wgpolicyk8s.io``) quote pods: no pod runs from them."""
    inputs = {"metadata": {"name": "r"}, "results": [{"policy": "p", "spec": privileged_pod()}]}
    assert found(PRIVILEGED, token, inputs) == []


def test_a_kustomize_json6902_patch_list_is_read() -> None:
    """Kustomize's ``patchesJson6902[].patch``: JSON Patch operations written as text, read as what they set."""
    patch = "- op: add\n  path: /spec/template/spec/hostPID\n  value: true\n"
    inputs = {
        "metadata": {"name": "apps"},
        "spec": {"patchesJson6902": [{"target": {"kind": "Deployment"}, "patch": patch}]},
    }
    assert found(
        "k8s-no-host-namespaces", "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", inputs
    ) == [
        "spec.patchesJson6902[0].patch.spec.template.spec.hostPID is true: remove it; inference pods do not share "
        "host namespaces."
    ]


# --- a pod-level value the containers override ----------------------------------------------------------

OVERRIDING = {"name": "a", "image": DIGEST, "securityContext": {**HARDENED, "runAsUser": 10001}}


def test_a_pod_level_uid_every_container_of_a_pod_as_written_overrides_applies_to_none() -> None:
    """In a pod as written (a Deployment's template), a pod-level value every container overrides
    runs no process: it is not refused (a fragment's is, as its operator's containers inherit it)."""
    context = {"runAsNonRoot": True, "runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}}
    pod = {**POD, "containers": [OVERRIDING], "securityContext": context}
    assert found("k8s-run-as-high-uid", "kubernetes:apps/v1:Deployment", deployment(pod=pod)) == []


@pytest.mark.parametrize(("uid", "refused"), [(9999, True), (10000, False)])
def test_a_fragments_pod_level_uid_is_refused_below_the_minimum_only(uid: int, refused: bool) -> None:
    pod = {"securityContext": {"runAsUser": uid}, "containers": [OVERRIDING]}
    inputs = {"metadata": {"name": "d"}, "spec": {"template": {"spec": pod}}}
    expected = [f"spec.template.spec.securityContext.runAsUser is {uid}: run as a UID >= 10000."]
    assert found("k8s-run-as-high-uid", "kubernetes:apps/v1:DeploymentPatch", inputs) == (
        expected if refused else []
    )
