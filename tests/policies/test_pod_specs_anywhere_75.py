"""Pod specs in kinds the pack does not list are found by their shape and judged by the security rules.

An adversarial review found every pod-hygiene rule blind to a pod template inside an operator's kind
(Knative Service, KubeRay, Kubeflow training jobs, LeaderWorkerSet, JobSet, Seldon, Argo Workflows):
a privileged, host-network, root pod with a tagged image passed. ``_k8s_pod_search`` finds pod specs
(a ``containers`` list of container maps) and Argo's bare containers at any depth of any such kind;
the security rules judge them, the availability rules (probes, resources, GPU placement) do not.
Props go through the offline evaluator, i.e. the unknown-checking proxy.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.registry import get_policy
from policies.rules._common import resource_types_of
from policies.rules.kubernetes import BUILT_IN_GROUPS, PULUMI_GROUPS, searched_kind
from tests.policies.conftest import HARDENED, SECURITY_RULES, found, report

DIGEST = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64
CONTAINER = {"name": "main", "image": DIGEST, "securityContext": HARDENED}
POD = {
    "containers": [CONTAINER],
    "automountServiceAccountToken": False,
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}
#: The availability rules, which keep to the kinds they know.
AVAILABILITY_RULES = ("k8s-probes-configured", "k8s-resources-bounded", "k8s-gpu-pods-well-formed")


def _tmpl(pod: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "x"}}, "spec": pod}


# token -> (builder of the object's spec from a pod spec, where the pod spec sits)
KINDS: dict[str, tuple[Any, str]] = {
    "kubernetes:serving.knative.dev/v1:Service": (
        lambda pod: {"template": _tmpl(pod)},
        "spec.template.spec",
    ),
    "kubernetes:ray.io/v1:RayCluster": (
        lambda pod: {
            "headGroupSpec": {"rayStartParams": {}, "template": _tmpl(POD)},
            "workerGroupSpecs": [{"groupName": "gpu", "replicas": 1, "template": _tmpl(pod)}],
        },
        "spec.workerGroupSpecs[0].template.spec",
    ),
    "kubernetes:ray.io/v1:RayService": (
        lambda pod: {"rayClusterConfig": {"headGroupSpec": {"template": _tmpl(pod)}}},
        "spec.rayClusterConfig.headGroupSpec.template.spec",
    ),
    "kubernetes:ray.io/v1:RayJob": (
        lambda pod: {"entrypoint": "python x.py", "submitterPodTemplate": _tmpl(pod)},
        "spec.submitterPodTemplate.spec",
    ),
    "kubernetes:kubeflow.org/v1:PyTorchJob": (
        lambda pod: {"pytorchReplicaSpecs": {"Master": {"replicas": 1, "template": _tmpl(pod)}}},
        "spec.pytorchReplicaSpecs.Master.template.spec",
    ),
    "kubernetes:kubeflow.org/v1:TFJob": (
        lambda pod: {"tfReplicaSpecs": {"Worker": {"replicas": 2, "template": _tmpl(pod)}}},
        "spec.tfReplicaSpecs.Worker.template.spec",
    ),
    "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet": (
        lambda pod: {
            "leaderWorkerTemplate": {"size": 2, "leaderTemplate": _tmpl(POD), "workerTemplate": _tmpl(pod)}
        },
        "spec.leaderWorkerTemplate.workerTemplate.spec",
    ),
    "kubernetes:jobset.x-k8s.io/v1alpha2:JobSet": (
        lambda pod: {"replicatedJobs": [{"name": "w", "template": {"spec": {"template": _tmpl(pod)}}}]},
        "spec.replicatedJobs[0].template.spec.template.spec",
    ),
    "kubernetes:trainer.kubeflow.org/v1alpha1:ClusterTrainingRuntime": (
        lambda pod: {
            "mlPolicy": {"numNodes": 1},
            "template": {
                "spec": {"replicatedJobs": [{"name": "node", "template": {"spec": {"template": _tmpl(pod)}}}]}
            },
        },
        "spec.template.spec.replicatedJobs[0].template.spec.template.spec",
    ),
    "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment": (
        lambda pod: {"predictors": [{"name": "default", "componentSpecs": [{"spec": pod}]}]},
        "spec.predictors[0].componentSpecs[0].spec",
    ),
}
TOKENS = sorted(KINDS)


def cr(token: str, pod: dict[str, Any], namespace: str = "serving") -> dict[str, Any]:
    builder, _ = KINDS[token]
    return {"metadata": {"name": "w", "namespace": namespace}, "spec": builder(copy.deepcopy(pod))}


def with_container(**security: Any) -> dict[str, Any]:
    pod = copy.deepcopy(POD)
    pod["containers"][0]["securityContext"] = {**HARDENED, **security}
    return pod


DEFECTS = [
    pytest.param(
        "k8s-container-security-context", with_container(privileged=True),
        ".containers[0].securityContext.privileged is true", id="privileged",
    ),
    pytest.param(
        "k8s-container-security-context", with_container(allowPrivilegeEscalation=True),
        ".containers[0].securityContext.allowPrivilegeEscalation is True", id="privilege-escalation",
    ),
    pytest.param(
        "k8s-container-security-context", with_container(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}),
        ".containers[0].securityContext.capabilities.add contains ['SYS_ADMIN']", id="added-capability",
    ),
    pytest.param(
        "k8s-container-security-context",
        {**with_container(runAsNonRoot=False), "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
        ".containers[0].securityContext.runAsNonRoot is not true", id="root",
    ),
    pytest.param(
        "k8s-run-as-high-uid", with_container(runAsUser=0),
        ".containers[0].securityContext.runAsUser is 0", id="uid-0",
    ),
    pytest.param("k8s-no-host-namespaces", {**POD, "hostNetwork": True}, ".hostNetwork is true", id="host-network"),
    pytest.param("k8s-no-host-namespaces", {**POD, "hostPID": True}, ".hostPID is true", id="host-pid"),
    pytest.param(
        "k8s-no-host-path-volumes", {**POD, "volumes": [{"name": "root", "hostPath": {"path": "/"}}]},
        ".volumes[0].hostPath (path '/')", id="host-path",
    ),
    pytest.param(
        "k8s-seccomp-profile-set", {**POD, "securityContext": {"runAsNonRoot": True, "runAsUser": 10001}},
        ".containers[0].securityContext.seccompProfile is unset", id="no-seccomp",
    ),
    pytest.param(
        "k8s-image-pinned-by-digest", {**POD, "containers": [{**CONTAINER, "image": "ray:2.9"}]},
        ".containers[0].image 'ray:2.9' is not pinned by digest", id="tagged-image",
    ),
    pytest.param(
        "k8s-container-security-context",
        {**POD, "initContainers": [{"name": "init", "image": DIGEST, "securityContext": {**HARDENED, "privileged": True}}]},
        ".initContainers[0].securityContext.privileged is true", id="privileged-init-container",
    ),
]  # fmt: skip


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize(("rule", "pod", "fragment"), DEFECTS)
def test_a_bad_pod_in_an_operator_kind_is_refused_naming_its_path(
    token: str, rule: str, pod: dict[str, Any], fragment: str
) -> None:
    _, path = KINDS[token]
    messages = found(rule, token, cr(token, pod))
    assert any(m.startswith(path + fragment) for m in messages), messages


@pytest.mark.parametrize("token", TOKENS)
def test_a_hardened_pod_in_an_operator_kind_passes_every_security_rule(token: str) -> None:
    for rule in SECURITY_RULES:
        assert found(rule, token, cr(token, POD)) == [], rule


@pytest.mark.parametrize("token", TOKENS)
def test_the_availability_rules_keep_to_the_kinds_they_know(token: str) -> None:
    bare = {
        "containers": [
            {"name": "main", "image": "ray:latest", "resources": {"requests": {"nvidia.com/gpu": 1}}}
        ]
    }
    for rule in AVAILABILITY_RULES:
        assert token not in resource_types_of(get_policy(rule))  # type: ignore[operator]
        assert found(rule, token, cr(token, bare)) == [], rule


def test_seldon_pod_annotations_beside_the_spec_are_the_pods() -> None:
    token = "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment"
    pod = {**POD, "securityContext": {"runAsNonRoot": True, "runAsUser": 10001}}
    spec = {"predictors": [{"componentSpecs": [{"metadata": {"annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}}, "spec": pod}]}]}  # fmt: skip
    inputs = {"metadata": {"name": "s", "namespace": "serving"}, "spec": spec}
    assert found("k8s-seccomp-profile-set", token, inputs) == []
    spec["predictors"][0]["componentSpecs"][0]["metadata"]["annotations"] = {
        "container.apparmor.security.beta.kubernetes.io/main": "unconfined"
    }
    assert found("k8s-apparmor-not-unconfined", token, inputs) == [
        "spec.predictors[0].componentSpecs[0].metadata.annotations['container.apparmor.security.beta."
        "kubernetes.io/main'] is 'unconfined': remove the annotation or set it to 'runtime/default' "
        "(or securityContext.appArmorProfile.type RuntimeDefault)."
    ]


# --- Argo Workflows: bare containers in templates, judged on what they set ------------------------

WORKFLOW = "kubernetes:argoproj.io/v1alpha1:Workflow"
CRON_WORKFLOW = "kubernetes:argoproj.io/v1alpha1:CronWorkflow"


def workflow(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"generateName": "train-", "namespace": "ml"},
        "spec": {"entrypoint": "main", "templates": [{"name": "main", **template}]},
    }


ARGO = [
    pytest.param(
        WORKFLOW, workflow({"container": {"image": DIGEST, "securityContext": {"privileged": True}}}),
        "k8s-container-security-context", "spec.templates[0].container.securityContext.privileged is true",
        id="privileged-container",
    ),
    pytest.param(
        WORKFLOW, workflow({"script": {"image": "python:3.12", "source": "print(1)"}}),
        "k8s-image-pinned-by-digest", "spec.templates[0].script.image 'python:3.12' is not pinned",
        id="tagged-script-image",
    ),
    pytest.param(
        WORKFLOW,
        workflow({"container": {"image": DIGEST}, "sidecars": [{"name": "dind", "image": DIGEST,
                  "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]}),
        "k8s-container-security-context", "spec.templates[0].sidecars[0].securityContext.capabilities.add",
        id="sidecar-adding-net-admin",
    ),
    pytest.param(
        WORKFLOW,
        workflow({"container": {"image": DIGEST}, "volumes": [{"name": "d", "hostPath": {"path": "/var/run"}}]}),
        "k8s-no-host-path-volumes", "spec.templates[0].volumes[0].hostPath", id="template-host-path",
    ),
    pytest.param(
        WORKFLOW,
        workflow({"containerSet": {"containers": [{"name": "a", "image": DIGEST,
                  "securityContext": {"allowPrivilegeEscalation": True}}]}}),
        "k8s-container-security-context",
        "spec.templates[0].containerSet.containers[0].securityContext.allowPrivilegeEscalation is True",
        id="container-set-escalating",
    ),
    pytest.param(
        CRON_WORKFLOW,
        {"metadata": {"name": "nightly"}, "spec": {"schedule": "0 0 * * *", "workflowSpec": {"templates": [
            {"name": "m", "container": {"image": DIGEST}, "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}}},
        "k8s-seccomp-not-unconfined", "spec.workflowSpec.templates[0].securityContext.seccompProfile.type is 'Unconfined'",
        id="cron-workflow-unconfined",
    ),
]  # fmt: skip


def workflow_spec(**fields: Any) -> dict[str, Any]:
    """A workflow whose hardened-enough template runs under workflow-level pod ``fields``."""
    inputs = workflow({"container": {"image": DIGEST}})
    inputs["spec"].update(fields)
    return inputs


ARGO += [
    pytest.param(
        WORKFLOW, workflow_spec(hostNetwork=True), "k8s-no-host-namespaces", "spec.hostNetwork is true",
        id="workflow-host-network",
    ),
    pytest.param(
        WORKFLOW, workflow_spec(volumes=[{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]),
        "k8s-no-host-path-volumes", "spec.volumes[0].hostPath (path '/var/run/docker.sock')",
        id="workflow-host-path",
    ),
    pytest.param(
        WORKFLOW, workflow_spec(securityContext={"seccompProfile": {"type": "Unconfined"}}),
        "k8s-seccomp-not-unconfined", "spec.securityContext.seccompProfile.type is 'Unconfined'",
        id="workflow-unconfined",
    ),
    pytest.param(
        "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", workflow_spec(automountServiceAccountToken=True),
        "k8s-service-account-token-not-automounted", "spec.automountServiceAccountToken is not false",
        id="workflow-template-mounting-the-token",
    ),
    pytest.param(
        CRON_WORKFLOW,
        {"metadata": {"name": "n"}, "spec": {"workflowSpec": {"hostPID": True, "templates": [
            {"name": "m", "script": {"image": DIGEST, "source": "date"}}]}}},
        "k8s-no-host-namespaces", "spec.workflowSpec.hostPID is true", id="cron-workflow-host-pid",
    ),
]  # fmt: skip


def test_pod_level_fields_above_no_pod_are_not_judged() -> None:
    """A map with pod-level fields is read as its pods' only where a pod spec or container sits below it."""
    inputs = {
        "metadata": {"name": "w"},
        "spec": {"hostNetwork": True, "config": {"volumes": [{"hostPath": {}}]}},
    }
    for rule in SECURITY_RULES:
        assert found(rule, WORKFLOW, inputs) == [], rule


@pytest.mark.parametrize(("token", "inputs", "rule", "fragment"), ARGO)
def test_a_bad_argo_template_is_refused_naming_its_path(
    token: str, inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    messages = found(rule, token, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_an_argo_template_is_judged_on_what_it_sets() -> None:
    """Argo builds the pod from the template, the workflow's securityContext and podSpecPatch and the
    controller's defaults: unset fields are not refused (a Patch's reading), set ones are."""
    inputs = workflow({"container": {"image": DIGEST, "command": ["python"]}, "script": None})
    for rule in SECURITY_RULES:
        assert found(rule, WORKFLOW, inputs) == [], rule


TASK = "kubernetes:tekton.dev/v1:Task"

TEKTON = [
    pytest.param(
        {"steps": [{"name": "build", "image": DIGEST}, {"name": "push", "image": DIGEST,
          "securityContext": {"privileged": True}}]},
        "k8s-container-security-context", "spec.steps[1].securityContext.privileged is true", id="privileged-step",
    ),
    pytest.param(
        {"steps": [{"name": "build", "image": DIGEST}], "stepTemplate": {"securityContext": {"runAsUser": 0}}},
        "k8s-run-as-high-uid", "spec.stepTemplate.securityContext.runAsUser is 0", id="root-step-template",
    ),
    pytest.param(
        {"steps": [{"name": "build", "image": "gcr.io/kaniko-project/executor:latest"}]},
        "k8s-image-pinned-by-digest", "spec.steps[0].image 'gcr.io/kaniko-project/executor:latest'",
        id="tagged-step-image",
    ),
    pytest.param(
        {"steps": [{"name": "build", "image": DIGEST}],
         "sidecars": [{"name": "docker", "image": DIGEST, "securityContext": {"privileged": True}}]},
        "k8s-container-security-context", "spec.sidecars[0].securityContext.privileged is true",
        id="privileged-sidecar",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "rule", "fragment"), TEKTON)
def test_a_bad_tekton_task_is_refused_naming_its_path(spec: dict[str, Any], rule: str, fragment: str) -> None:
    messages = found(rule, TASK, {"metadata": {"name": "build", "namespace": "ci"}, "spec": spec})
    assert any(m.startswith(fragment) for m in messages), messages


def test_a_tekton_task_is_judged_on_what_it_sets() -> None:
    """The TaskRun's podTemplate and stepTemplate complete the pod: unset fields are not refused."""
    inputs = {
        "metadata": {"name": "t"},
        "spec": {"steps": [{"name": "s", "image": DIGEST, "script": "make"}]},
    }
    for rule in SECURITY_RULES:
        assert found(rule, TASK, inputs) == [], rule


TRAIN_JOB = "kubernetes:trainer.kubeflow.org/v1alpha1:TrainJob"


def test_a_pod_override_naming_no_image_is_judged_on_what_it_sets() -> None:
    """A TrainJob's podTemplateOverrides[].spec is merged over its runtime's templates (its containers
    name no image, which a pod must have): what it sets is judged, not what it leaves to the runtime."""
    override = {"containers": [{"name": "node", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}
    inputs = {
        "metadata": {"name": "t"},
        "spec": {
            "runtimeRef": {"name": "torch"},
            "podTemplateOverrides": [{"targetJobs": [{"name": "node"}], "spec": override}],
        },
    }
    for rule in SECURITY_RULES:
        assert found(rule, TRAIN_JOB, inputs) == [], rule
    override["volumes"] = [{"name": "data", "hostPath": {"path": "/mnt"}}]
    assert found("k8s-no-host-path-volumes", TRAIN_JOB, inputs)[0].startswith(
        "spec.podTemplateOverrides[0].spec.volumes[0].hostPath (path '/mnt')"
    )
    override["containers"][0]["securityContext"] = {"privileged": True}
    assert found("k8s-container-security-context", TRAIN_JOB, inputs) == [
        "spec.podTemplateOverrides[0].spec.containers[0].securityContext.privileged is true: remove it."
    ]


# --- what is not judged -----------------------------------------------------------------------------

LOOKALIKES = [
    pytest.param({"spec": {"containers": [{"count": 3}]}}, id="list-of-maps-without-container-fields"),
    pytest.param({"spec": {"containers": ["a", "b"]}}, id="list-of-names"),
    pytest.param({"spec": {"containers": 5}}, id="a-number"),
    pytest.param({"spec": {"containers": []}}, id="empty-list"),
    pytest.param({"spec": {"containers": {"name": "x", "image": "busybox"}}}, id="a-map-not-a-list"),
    pytest.param(
        {"spec": {"containers": [{"name": "web", "image": {"repository": "nginx", "tag": "latest"}}]}},
        id="helm-style-image-map",
    ),
    pytest.param(
        {"spec": {"containers": [{"name": "web", "replicas": 3}]}}, id="name-without-container-fields"
    ),
    pytest.param({"spec": {"container": "main", "hostNetwork": True}}, id="container-named-by-string"),
    pytest.param(
        {"spec": {"hostPID": True, "volumes": [{"hostPath": {"path": "/"}}]}}, id="no-containers-at-all"
    ),
]


@pytest.mark.parametrize("inputs", LOOKALIKES)
def test_a_map_that_merely_has_a_containers_key_is_not_judged(inputs: dict[str, Any]) -> None:
    for rule in SECURITY_RULES:
        assert found(rule, "kubernetes:example.com/v1:Widget", {"metadata": {"name": "w"}, **inputs}) == [], (
            rule
        )


def test_a_container_list_is_judged_whole_once_one_item_is_a_container() -> None:
    """A map the shape does not recognise beside a container does not hide that container's list."""
    token = "kubernetes:example.com/v1:Widget"
    spec = {
        "containers": [
            {"name": "sidecar"},
            {"name": "main", "image": DIGEST, "securityContext": {"privileged": True}},
        ]
    }
    assert found("k8s-container-security-context", token, {"metadata": {"name": "w"}, "spec": spec}) == [
        "spec.containers[1].securityContext.privileged is true: remove it."
    ]


def test_kinds_that_quote_pods_and_built_in_kinds_are_not_searched() -> None:
    pattern = {
        "spec": {
            "containers": [{"name": "*", "image": "!*:latest", "securityContext": {"privileged": "false"}}]
        }
    }
    kyverno = {
        "metadata": {"name": "p"},
        "spec": {"rules": [{"name": "r", "validate": {"pattern": pattern}}]},
    }
    config_map = {"metadata": {"name": "c"}, "data": {"pod.yaml": "spec: {hostNetwork: true}"}}
    for token, inputs in (
        ("kubernetes:kyverno.io/v1:ClusterPolicy", kyverno),
        ("kubernetes:core/v1:ConfigMap", config_map),
    ):
        assert not searched_kind(token)
        for rule in SECURITY_RULES:
            assert found(rule, token, inputs) == [], (rule, token)
    # A helm.sh/v3 Release is not searched as a whole; since session 76 its `values` are, as a Flux
    # HelmRelease's are (tests/policies/test_pod_search_76.py, the Helm values section).
    assert not searched_kind("kubernetes:helm.sh/v3:Release")


def test_a_listed_kind_is_judged_once_at_its_own_path() -> None:
    """A Deployment is read at spec.template.spec only (one message, as before), never searched too."""
    pod = with_container(privileged=True)
    inputs = {"metadata": {"name": "d", "namespace": "serving"}, "spec": {"template": _tmpl(pod)}}
    assert found("k8s-container-security-context", "kubernetes:apps/v1:Deployment", inputs) == [
        "spec.template.spec.containers[0].securityContext.privileged is true: remove it."
    ]
    assert not searched_kind("kubernetes:apps/v1:Deployment")
    assert not searched_kind("kubernetes:serving.kserve.io/v1beta1:InferenceService")
    assert not searched_kind("kubernetes:argoproj.io/v1alpha1:RolloutPatch")


def test_one_pod_is_said_once_and_each_pod_apart() -> None:
    token = "kubernetes:ray.io/v1:RayCluster"
    bad = _tmpl(with_container(privileged=True))
    inputs = {"metadata": {"name": "r"}, "spec": {"headGroupSpec": {"template": bad},
              "workerGroupSpecs": [{"template": bad}, {"template": _tmpl(POD)}]}}  # fmt: skip
    assert found("k8s-container-security-context", token, inputs) == [
        "spec.headGroupSpec.template.spec.containers[0].securityContext.privileged is true: remove it.",
        "spec.workerGroupSpecs[0].template.spec.containers[0].securityContext.privileged is true: remove it.",
    ]


def test_an_exempt_namespace_exempts_an_operator_kind() -> None:
    token = "kubernetes:serving.knative.dev/v1:Service"
    assert (
        found("k8s-no-host-namespaces", token, cr(token, {**POD, "hostNetwork": True}, "kube-system")) == []
    )


# --- values unknown at preview -------------------------------------------------------------------------


def test_an_unknown_template_is_undecided_and_an_unknown_leaf_decides_nothing() -> None:
    token = "kubernetes:serving.knative.dev/v1:Service"
    hidden = {"metadata": {"name": "k"}, "spec": {"template": UNKNOWN_STRING_VALUE}}
    result = report("k8s-container-security-context", token, hidden)
    assert result.violations == [] and result.undecided
    leaf = cr(token, POD)
    leaf["spec"]["traffic"] = [{"latestRevision": True, "tag": UNKNOWN_STRING_VALUE}]
    leaf["metadata"]["annotations"] = {"owner": UNKNOWN_STRING_VALUE}
    leaf["spec"]["template"]["metadata"]["annotations"] = {"team": UNKNOWN_STRING_VALUE}
    assert found("k8s-container-security-context", token, leaf) == []


def test_an_unknown_beside_a_bad_pod_still_reports_it() -> None:
    token = "kubernetes:ray.io/v1:RayCluster"
    inputs = {"metadata": {"name": "r"}, "spec": {"headGroupSpec": {"template": _tmpl(with_container(privileged=True))},
              "workerGroupSpecs": [UNKNOWN_STRING_VALUE]}}  # fmt: skip
    result = report("k8s-container-security-context", token, inputs)
    assert [v.message for v in result.violations] == [
        "spec.headGroupSpec.template.spec.containers[0].securityContext.privileged is true: remove it."
    ]
    assert result.undecided


def test_an_unknown_image_leaves_only_the_image_rule_undecided() -> None:
    token = "kubernetes:kubeflow.org/v1:PyTorchJob"
    inputs = cr(token, {**POD, "containers": [{**CONTAINER, "image": UNKNOWN_STRING_VALUE}]})
    assert report("k8s-image-pinned-by-digest", token, inputs).undecided
    assert found("k8s-container-security-context", token, inputs) == []


# --- the built-in groups -------------------------------------------------------------------------------


def test_the_built_in_groups_are_every_group_pulumi_kubernetes_has_tokens_for() -> None:
    """Every kind pulumi-kubernetes has a class for is a built-in one (or its own token): none is searched
    by shape, and no group of a built-in kind is missing from the list."""
    package = importlib.import_module("pulumi_kubernetes")
    root = os.path.dirname(package.__file__ or "")
    groups: set[str] = set()
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(directory, name), encoding="utf-8") as source:
                    groups.update(re.findall(r"'kubernetes:([^/:']+)/[^:']+:", source.read()))
    assert "apps" in groups and "networking.k8s.io" in groups
    assert groups <= BUILT_IN_GROUPS | PULUMI_GROUPS, sorted(groups - BUILT_IN_GROUPS - PULUMI_GROUPS)


def test_controllers_of_cloud_resources_are_not_searched() -> None:
    """ACK's SageMaker Model lists SageMaker container definitions (`containers[].image`): a model
    image in AWS, not a pod's container (no seccomp, no runAsNonRoot). Nor Crossplane's AWS
    providers; Crossplane's provider-kubernetes, which makes Kubernetes objects, still is."""
    ack_model = {
        "metadata": {"name": "m"},
        "spec": {
            "modelName": "churn",
            "executionRoleARN": "arn:aws:iam::111122223333:role/sm",
            "containers": [
                {
                    "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1",
                    "modelDataURL": "s3://models/churn.tar.gz",
                    "environment": {"A": "1"},
                }
            ],
        },
    }
    crossplane_model = {
        "metadata": {"name": "m"},
        "spec": {"forProvider": {"region": "eu-west-1", "primaryContainer": [{"image": "x:1"}]}},
    }
    for token, inputs in (
        ("kubernetes:sagemaker.services.k8s.aws/v1alpha1:Model", ack_model),
        ("kubernetes:sagemaker.aws.upbound.io/v1beta1:Model", crossplane_model),
        ("kubernetes:sagemaker.aws.m.upbound.io/v1beta1:Model", crossplane_model),
        ("kubernetes:sagemaker.aws.crossplane.io/v1alpha1:Model", crossplane_model),
    ):
        assert not searched_kind(token), token
        for rule in SECURITY_RULES:
            assert found(rule, token, inputs) == [], (rule, token)
    # The same shape under a group that runs pods is judged (the search itself is what skips ACK).
    assert searched_kind("kubernetes:kubernetes.crossplane.io/v1alpha2:Object")
    assert searched_kind("kubernetes:serving.knative.dev/v1:Service")
    assert found("k8s-image-pinned-by-digest", "kubernetes:example.com/v1:Model", ack_model) != []
