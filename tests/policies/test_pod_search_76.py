"""Pods the pack's shape search did not reach, or reached under the wrong namespace (session 76's review).

An adversarial review of ``_k8s_pod_search`` (session 75) found an unhardened pod could still pass:

- a ``*List``'s items were judged under the list's own namespace (a custom ``FooList``) or as the
  list's kind whatever their own (a ``DeploymentList`` item of ``kind: Pod``);

each case here failed before its fix. Props go through the offline evaluator, i.e. the
unknown-checking proxy.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules._k8s_text import load_values_text
from tests.policies.conftest import HARDENED, SECURITY_RULES, found, report

DIGEST = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64
CONTAINER = {
    "name": "main",
    "image": DIGEST,
    "securityContext": HARDENED,
    "readinessProbe": {"tcpSocket": {"port": 8080}},
    "livenessProbe": {"tcpSocket": {"port": 8080}},
    "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
}
POD = {
    "containers": [CONTAINER],
    "automountServiceAccountToken": False,
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}
PRIVILEGED = "k8s-container-security-context"


def privileged_pod() -> dict[str, Any]:
    pod = copy.deepcopy(POD)
    pod["containers"][0]["securityContext"] = {**HARDENED, "privileged": True}
    return pod


def pod_object(namespace: str | None = "serving", pod: dict[str, Any] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "p"}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod or privileged_pod()}


def deployment(namespace: str = "serving", pod: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": namespace},
        "spec": {"template": {"metadata": {"labels": {"app": "d"}}, "spec": pod or privileged_pod()}},
    }


def ray_cluster(namespace: str | None, pod: dict[str, Any] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "r"}
    if namespace is not None:
        metadata["namespace"] = namespace
    template = {"metadata": {"labels": {"a": "b"}}, "spec": pod or privileged_pod()}
    return {"metadata": metadata, "spec": {"headGroupSpec": {"template": template}}}


RAY_LIST = "kubernetes:ray.io/v1:RayClusterList"
PRIVILEGED_AT = ".containers[0].securityContext.privileged is true: remove it."


# --- 1. a List's items: each judged in its own namespace, as its own kind --------------------------


def test_a_custom_lists_namespace_does_not_exempt_its_items() -> None:
    """ListMeta has no namespace: a FooList naming kube-system does not put its items there."""
    inputs = {"metadata": {"namespace": "kube-system"}, "items": [ray_cluster("serving")]}
    assert found(PRIVILEGED, RAY_LIST, inputs) == [
        "items[0].spec.headGroupSpec.template.spec" + PRIVILEGED_AT
    ]


def test_a_custom_list_item_in_an_exempt_namespace_is_exempt_and_its_sibling_is_not() -> None:
    inputs = {"metadata": {"namespace": "serving"}, "items": [ray_cluster("kube-system"), ray_cluster("ml")]}
    assert found(PRIVILEGED, RAY_LIST, inputs) == [
        "items[1].spec.headGroupSpec.template.spec" + PRIVILEGED_AT
    ]


def test_a_custom_list_item_without_a_namespace_is_in_the_providers_not_the_lists() -> None:
    inputs = {"metadata": {"namespace": "kube-system"}, "items": [ray_cluster(None)]}
    assert found(PRIVILEGED, RAY_LIST, inputs) != []


def test_a_custom_list_item_of_an_unknown_namespace_is_not_exempt() -> None:
    item = ray_cluster("x")
    item["metadata"]["namespace"] = UNKNOWN_STRING_VALUE
    assert found(PRIVILEGED, RAY_LIST, {"items": [item]}) != []


@pytest.mark.parametrize(
    ("list_type", "item", "path"),
    [
        pytest.param("kubernetes:apps/v1:DeploymentList", pod_object(), "items[0].spec", id="pod-in-deployment-list"),
        pytest.param("kubernetes:core/v1:PodList", deployment(), "items[0].spec.template.spec", id="deployment-in-pod-list"),
        pytest.param(
            "kubernetes:batch/v1:CronJobList", {**deployment(), "apiVersion": "apps/v1", "kind": "DaemonSet"},
            "items[0].spec.template.spec", id="daemon-set-in-cron-job-list",
        ),
        pytest.param("kubernetes:core/v1:ConfigMapList", pod_object(), "items[0].spec", id="pod-in-config-map-list"),
        pytest.param(RAY_LIST, deployment(), "items[0].spec.template.spec", id="deployment-in-a-custom-list"),
        pytest.param(
            "kubernetes:apps/v1:DeploymentList",
            {"apiVersion": "ray.io/v1", "kind": "RayCluster", **ray_cluster("serving")},
            "items[0].spec.headGroupSpec.template.spec", id="operator-kind-in-deployment-list",
        ),
    ],
)  # fmt: skip
def test_a_list_item_is_judged_as_its_own_kind(list_type: str, item: dict[str, Any], path: str) -> None:
    assert found(PRIVILEGED, list_type, {"items": [item]}) == [path + PRIVILEGED_AT]


def test_a_kind_less_v1_list_is_its_items() -> None:
    """``kind: List`` (apiVersion v1, kubectl's) through apiextensions.CustomResource."""
    inputs = {"items": [deployment(), pod_object("kube-system")]}
    assert found(PRIVILEGED, "kubernetes:core/v1:List", inputs) == [
        "items[0].spec.template.spec" + PRIVILEGED_AT
    ]


def test_a_list_item_of_its_own_kind_in_kube_system_is_exempt_whatever_the_list() -> None:
    for list_type in ("kubernetes:apps/v1:DeploymentList", RAY_LIST, "kubernetes:core/v1:ConfigMapList"):
        assert found(PRIVILEGED, list_type, {"items": [pod_object("kube-system")]}) == [], list_type


def test_the_availability_rules_judge_a_deployment_in_any_list() -> None:
    bare = {"containers": [{"name": "main", "image": DIGEST}]}
    messages = found("k8s-probes-configured", RAY_LIST, {"items": [deployment(pod=bare)]})
    assert messages and messages[0].startswith("items[0].spec.template.spec.containers[0].readinessProbe")


def test_a_list_item_of_a_kind_that_quotes_pods_is_not_judged() -> None:
    policy = {"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy", "metadata": {"name": "p"},
              "spec": {"rules": [{"validate": {"pattern": {"spec": privileged_pod()}}}]}}  # fmt: skip
    assert found(PRIVILEGED, "kubernetes:example.com/v1:ThingList", {"items": [policy]}) == []


def test_hardened_items_of_any_list_pass_every_security_rule() -> None:
    for list_type, item in (
        ("kubernetes:apps/v1:DeploymentList", pod_object(pod=POD)),
        (RAY_LIST, ray_cluster("serving", POD)),
        ("kubernetes:core/v1:PodList", deployment(pod=POD)),
    ):
        for rule in SECURITY_RULES:
            assert found(rule, list_type, {"items": [item]}) == [], (rule, list_type)


def test_unknown_items_or_an_unknown_item_kind_leave_the_rule_undecided() -> None:
    assert report(PRIVILEGED, RAY_LIST, {"items": UNKNOWN_STRING_VALUE}).undecided
    item = {**pod_object(), "kind": UNKNOWN_STRING_VALUE}
    assert report(PRIVILEGED, "kubernetes:core/v1:ConfigMapList", {"items": [item]}).undecided


def test_a_custom_kind_named_list_is_searched_beside_its_items() -> None:
    """A kind of its own may be named ``...List``: what it holds beside ``items`` is searched as itself."""
    inputs = {
        "metadata": {"name": "p", "namespace": "serving"},
        "spec": {"template": {"spec": privileged_pod()}},
    }
    assert found(PRIVILEGED, "kubernetes:music.example.com/v1:PlayList", inputs) == [
        "spec.template.spec" + PRIVILEGED_AT
    ]
    inputs["items"] = [ray_cluster("ml")]
    assert found(PRIVILEGED, "kubernetes:music.example.com/v1:PlayList", inputs) == [
        "items[0].spec.headGroupSpec.template.spec" + PRIVILEGED_AT,
        "spec.template.spec" + PRIVILEGED_AT,
    ]


# --- 2. a pod template that is no pod spec (Tekton's podTemplate): its pod-level fields ---------------

TASK_RUN = "kubernetes:tekton.dev/v1:TaskRun"
PIPELINE_RUN = "kubernetes:tekton.dev/v1:PipelineRun"


def task_run(**template: Any) -> dict[str, Any]:
    """A TaskRun of a task it names (no container in it), its pods made under ``template``."""
    return {
        "metadata": {"name": "t", "namespace": "ci"},
        "spec": {"taskRef": {"name": "build"}, "podTemplate": template},
    }


SAFE_CONTEXT = {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}

POD_TEMPLATES = [
    pytest.param(TASK_RUN, task_run(hostNetwork=True), "k8s-no-host-namespaces",
                 "spec.podTemplate.hostNetwork is true", id="task-run-host-network"),
    pytest.param(TASK_RUN, task_run(securityContext={**SAFE_CONTEXT, "runAsUser": 0}), "k8s-run-as-high-uid",
                 "spec.podTemplate.securityContext.runAsUser is 0", id="task-run-root-uid"),
    pytest.param(TASK_RUN, task_run(securityContext={**SAFE_CONTEXT, "runAsNonRoot": False}),
                 "k8s-container-security-context", "spec.podTemplate.securityContext.runAsNonRoot is not true",
                 id="task-run-run-as-root-allowed"),
    pytest.param(TASK_RUN, task_run(securityContext={"seccompProfile": {"type": "Unconfined"}}),
                 "k8s-seccomp-not-unconfined", "spec.podTemplate.securityContext.seccompProfile.type is 'Unconfined'",
                 id="task-run-unconfined"),
    pytest.param(TASK_RUN, task_run(volumes=[{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]),
                 "k8s-no-host-path-volumes", "spec.podTemplate.volumes[0].hostPath", id="task-run-host-path"),
    pytest.param(TASK_RUN, task_run(automountServiceAccountToken=True), "k8s-service-account-token-not-automounted",
                 "spec.podTemplate.automountServiceAccountToken is not false", id="task-run-token"),
    pytest.param(
        PIPELINE_RUN,
        {"metadata": {"name": "p"}, "spec": {"pipelineRef": {"name": "x"}, "taskRunTemplate": {"podTemplate": {"hostPID": True}}}},
        "k8s-no-host-namespaces", "spec.taskRunTemplate.podTemplate.hostPID is true", id="pipeline-run-v1-host-pid",
    ),
    pytest.param(
        "kubernetes:tekton.dev/v1beta1:PipelineRun",
        {"metadata": {"name": "p"}, "spec": {"pipelineRef": {"name": "x"}, "podTemplate": {"hostNetwork": True}}},
        "k8s-no-host-namespaces", "spec.podTemplate.hostNetwork is true", id="pipeline-run-v1beta1-host-network",
    ),
    pytest.param(
        PIPELINE_RUN,
        {"metadata": {"name": "p"}, "spec": {"pipelineRef": {"name": "x"}, "taskRunSpecs": [
            {"pipelineTaskName": "build", "podTemplate": {"securityContext": {"runAsUser": 0}}}]}},
        "k8s-run-as-high-uid", "spec.taskRunSpecs[0].podTemplate.securityContext.runAsUser is 0",
        id="pipeline-run-task-run-spec",
    ),
    pytest.param(
        "kubernetes:tekton.dev/v1beta1:PipelineRun",
        {"metadata": {"name": "p"}, "spec": {"pipelineRef": {"name": "x"}, "taskRunSpecs": [
            {"pipelineTaskName": "build", "taskPodTemplate": {"hostIPC": True}}]}},
        "k8s-no-host-namespaces", "spec.taskRunSpecs[0].taskPodTemplate.hostIPC is true",
        id="pipeline-run-v1beta1-task-pod-template",
    ),
    pytest.param(
        "kubernetes:kafka.strimzi.io/v1beta2:Kafka",
        {"metadata": {"name": "k"}, "spec": {"kafka": {"template": {"pod": {"securityContext": {"runAsUser": 0}}}}}},
        "k8s-run-as-high-uid", "spec.kafka.template.pod.securityContext.runAsUser is 0", id="a-template-named-pod",
    ),
    pytest.param(
        "kubernetes:apps/v1:DeploymentPatch",
        {"metadata": {"name": "d"}, "spec": {"template": {"spec": {"securityContext": {"runAsUser": 0}}}}},
        "k8s-run-as-high-uid", "spec.template.spec.securityContext.runAsUser is 0", id="a-patch-of-the-pods-uid",
    ),
    pytest.param(
        "kubernetes:apps/v1:DeploymentPatch",
        {"metadata": {"name": "d"}, "spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": False}}}}},
        "k8s-container-security-context", "spec.template.spec.securityContext.runAsNonRoot is not true",
        id="a-patch-letting-the-pods-run-as-root",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("token", "inputs", "rule", "fragment"), POD_TEMPLATES)
def test_a_pod_template_without_containers_is_judged_on_its_pod_fields(
    token: str, inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    messages = found(rule, token, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_a_hardened_pod_template_passes_every_security_rule() -> None:
    inputs = task_run(securityContext=SAFE_CONTEXT, automountServiceAccountToken=False, nodeSelector={"a": "b"},
                      volumes=[{"name": "scratch", "emptyDir": {}}])  # fmt: skip
    for rule in SECURITY_RULES:
        assert found(rule, TASK_RUN, inputs) == [], rule


def test_a_pod_level_value_every_container_of_a_patch_overrides_is_said_per_container_only() -> None:
    """The pod-level UID is said at the pod only where no container of the fragment says it already."""
    pod = {"securityContext": {"runAsUser": 0}, "containers": [{"name": "a", "image": DIGEST}]}
    inputs = {"metadata": {"name": "d"}, "spec": {"template": {"spec": pod}}}
    assert found("k8s-run-as-high-uid", "kubernetes:apps/v1:DeploymentPatch", inputs) == [
        "spec.template.spec.containers[0].securityContext.runAsUser is 0: run as a UID >= 10000."
    ]


# --- 3. Spark on Kubernetes: a pod and its main container in one map (SparkPodSpec) ----------------------

SPARK = "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication"
SPARK_POD = {
    "cores": 1,
    "memory": "512m",
    "serviceAccount": "spark",
    "securityContext": HARDENED,
    "podSecurityContext": SAFE_CONTEXT,
}


def spark(image: str = DIGEST, **roles: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "Python",
        "mode": "cluster",
        "image": image,
        "mainApplicationFile": "local:///opt/app/main.py",
        "driver": copy.deepcopy(SPARK_POD),
        "executor": {**copy.deepcopy(SPARK_POD), "instances": 2},
    }
    for role, fields in roles.items():
        spec[role].update(fields)
    return {"metadata": {"name": "etl", "namespace": "spark"}, "spec": spec}


SPARK_DEFECTS = [
    pytest.param(spark("apache/spark:3.5.0"), "k8s-image-pinned-by-digest",
                 "spec.image 'apache/spark:3.5.0' is not pinned by digest", id="tagged-default-image"),
    pytest.param(spark(executor={"image": "apache/spark:latest"}), "k8s-image-pinned-by-digest",
                 "spec.executor.image 'apache/spark:latest' is not pinned by digest", id="tagged-executor-image"),
    pytest.param(spark(driver={"securityContext": {**HARDENED, "privileged": True}}), PRIVILEGED,
                 "spec.driver.securityContext.privileged is true", id="privileged-driver"),
    pytest.param(spark(executor={"securityContext": {"allowPrivilegeEscalation": True}}), PRIVILEGED,
                 "spec.executor.securityContext.allowPrivilegeEscalation is True", id="escalating-executor"),
    pytest.param(spark(executor={"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}), PRIVILEGED,
                 "spec.executor.securityContext.capabilities.add contains ['SYS_ADMIN']", id="executor-adding-sys-admin"),
    pytest.param(spark(driver={"hostNetwork": True}), "k8s-no-host-namespaces", "spec.driver.hostNetwork is true",
                 id="driver-host-network"),
    pytest.param(spark(executor={"podSecurityContext": {**SAFE_CONTEXT, "runAsUser": 0}}), "k8s-run-as-high-uid",
                 "spec.executor.podSecurityContext.runAsUser is 0", id="executor-pod-root-uid"),
    pytest.param(spark(driver={"podSecurityContext": {"seccompProfile": {"type": "Unconfined"}}}),
                 "k8s-seccomp-not-unconfined", "spec.driver.podSecurityContext.seccompProfile.type is 'Unconfined'",
                 id="driver-pod-unconfined"),
    pytest.param(spark(executor={"sidecars": [{"name": "s", "image": DIGEST, "securityContext": {"privileged": True}}]}),
                 PRIVILEGED, "spec.executor.sidecars[0].securityContext.privileged is true", id="privileged-sidecar"),
    pytest.param(
        {**spark(), "spec": {**spark()["spec"], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}},
        "k8s-no-host-path-volumes", "spec.volumes[0].hostPath (path '/')", id="host-path-volume",
    ),
    pytest.param(
        {"metadata": {"name": "nightly"}, "spec": {"schedule": "@daily", "template": spark(executor={"image": "spark:3"})["spec"]}},
        "k8s-image-pinned-by-digest", "spec.template.executor.image 'spark:3' is not pinned by digest",
        id="scheduled-spark-application",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "rule", "fragment"), SPARK_DEFECTS)
def test_a_bad_spark_application_is_refused_naming_its_path(
    inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    token = (
        SPARK
        if "schedule" not in inputs["spec"]
        else "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication"
    )
    messages = found(rule, token, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_a_hardened_spark_application_passes_every_security_rule() -> None:
    for rule in SECURITY_RULES:
        assert found(rule, SPARK, spark()) == [], rule
    bare = spark()
    for role in ("driver", "executor"):
        bare["spec"][role] = {"cores": 1, "memory": "1g"}
    for rule in SECURITY_RULES:
        assert found(rule, SPARK, bare) == [], rule


def test_a_default_image_is_read_only_as_text_and_only_above_a_pod() -> None:
    """A Helm-style ``image: {repository, tag}`` map above a pod is the chart's to assemble, and an
    ``image`` beside no pod is no pod's: neither is judged."""
    helm_style = spark()
    helm_style["spec"]["image"] = {"repository": "apache/spark", "tag": "latest"}
    assert found("k8s-image-pinned-by-digest", SPARK, helm_style) == []
    alone = {"metadata": {"name": "w"}, "spec": {"image": "busybox:latest", "replicas": 2}}
    assert found("k8s-image-pinned-by-digest", "kubernetes:example.com/v1:Widget", alone) == []


# --- 4. Argo's podSpecPatch: a pod spec patch written as YAML or JSON text ------------------------------

WORKFLOW = "kubernetes:argoproj.io/v1alpha1:Workflow"


def patched_workflow(patch: Any, *, at_workflow: bool = False) -> dict[str, Any]:
    template: dict[str, Any] = {"name": "main", "container": {"image": DIGEST}}
    spec: dict[str, Any] = {"entrypoint": "main", "templates": [template]}
    (spec if at_workflow else template)["podSpecPatch"] = patch
    return {"metadata": {"generateName": "train-", "namespace": "ml"}, "spec": spec}


PATCHES = [
    pytest.param(patched_workflow('{"hostNetwork": true}'), "k8s-no-host-namespaces",
                 "spec.templates[0].podSpecPatch.hostNetwork is true", id="json-host-network"),
    pytest.param(patched_workflow("hostPID: true\n"), "k8s-no-host-namespaces",
                 "spec.templates[0].podSpecPatch.hostPID is true", id="yaml-host-pid"),
    pytest.param(
        patched_workflow("containers:\n- name: main\n  securityContext:\n    privileged: true\n"), PRIVILEGED,
        "spec.templates[0].podSpecPatch.containers[0].securityContext.privileged is true", id="yaml-privileged-main",
    ),
    pytest.param(
        patched_workflow('{"volumes": [{"name": "d", "hostPath": {"path": "/var/run/docker.sock"}}]}', at_workflow=True),
        "k8s-no-host-path-volumes", "spec.podSpecPatch.volumes[0].hostPath", id="workflow-level-host-path",
    ),
    pytest.param(
        patched_workflow('{"securityContext": {"runAsUser": 0}}'), "k8s-run-as-high-uid",
        "spec.templates[0].podSpecPatch.securityContext.runAsUser is 0", id="json-root-uid",
    ),
    pytest.param(
        patched_workflow("{{inputs.parameters.patch}}"), PRIVILEGED,
        "spec.templates[0].podSpecPatch is not a YAML or JSON patch", id="a-patch-chosen-at-submission",
    ),
    pytest.param(
        patched_workflow("- hostNetwork: true"), PRIVILEGED,
        "spec.templates[0].podSpecPatch is not a YAML or JSON patch", id="a-list-not-a-map",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "rule", "fragment"), PATCHES)
def test_a_pod_spec_patch_written_as_text_is_read_and_judged(
    inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    messages = found(rule, WORKFLOW, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_a_harmless_pod_spec_patch_passes_every_security_rule() -> None:
    patch = (
        '{"containers": [{"name": "main", "resources": {"limits": {"cpu": "{{inputs.parameters.cpu}}"}}}]}'
    )
    for rule in SECURITY_RULES:
        assert found(rule, WORKFLOW, patched_workflow(patch)) == [], rule
    for rule in SECURITY_RULES:
        assert found(rule, WORKFLOW, patched_workflow("")) == [], rule


def test_an_unknown_pod_spec_patch_is_undecided() -> None:
    assert report(PRIVILEGED, WORKFLOW, patched_workflow(UNKNOWN_STRING_VALUE)).undecided


# --- 5. Kyverno: pods a policy generates or patches ------------------------------------------------------

CLUSTER_POLICY = "kubernetes:kyverno.io/v1:ClusterPolicy"
NAMESPACED_POLICY = "kubernetes:kyverno.io/v1:Policy"
MATCH_PODS = {"any": [{"resources": {"kinds": ["Pod"]}}]}


def kyverno(*rules: dict[str, Any], namespace: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "p"}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"metadata": metadata, "spec": {"rules": [{"name": f"r{i}", **r} for i, r in enumerate(rules)]}}


def generating(
    kind: str, data: dict[str, Any], namespace: str | None = "serving", **more: Any
) -> dict[str, Any]:
    generate: dict[str, Any] = {
        "apiVersion": "apps/v1" if kind != "Pod" else "v1",
        "kind": kind,
        "name": "x",
        "data": data,
    }
    if namespace is not None:
        generate["namespace"] = namespace
    return {"match": {"any": [{"resources": {"kinds": ["Namespace"]}}]}, "generate": {**generate, **more}}


def mutating(mutate: dict[str, Any], match: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"match": match or MATCH_PODS, "mutate": mutate}


KYVERNO = [
    pytest.param(
        kyverno(generating("Deployment", {"spec": {"template": {"spec": privileged_pod()}}})), PRIVILEGED,
        "spec.rules[0].generate.data.spec.template.spec.containers[0].securityContext.privileged is true",
        id="generated-privileged-deployment",
    ),
    pytest.param(
        kyverno(generating("DaemonSet", {"spec": {"template": {"spec": {**POD, "hostNetwork": True}}}},
                           namespace="{{request.object.metadata.name}}")),
        "k8s-no-host-namespaces", "spec.rules[0].generate.data.spec.template.spec.hostNetwork is true",
        id="generated-host-network-daemon-set-in-every-namespace",
    ),
    pytest.param(
        kyverno({"match": MATCH_PODS, "generate": {"foreach": [{"list": "x", "apiVersion": "v1", "kind": "Pod",
                 "name": "y", "namespace": "ml", "data": {"spec": privileged_pod()}}]}}),
        PRIVILEGED, "spec.rules[0].generate.foreach[0].data.spec.containers[0].securityContext.privileged is true",
        id="generated-in-a-foreach",
    ),
    pytest.param(
        kyverno(mutating({"patchStrategicMerge": {"spec": {"+(hostNetwork)": True}}})),
        "k8s-no-host-namespaces", "spec.rules[0].mutate.patchStrategicMerge.spec.hostNetwork is true",
        id="patch-adding-host-network",
    ),
    pytest.param(
        kyverno(mutating({"patchStrategicMerge": {"spec": {"containers": [
            {"(name)": "*", "securityContext": {"privileged": True}}]}}})),
        PRIVILEGED, "spec.rules[0].mutate.patchStrategicMerge.spec.containers[0].securityContext.privileged is true",
        id="patch-making-every-container-privileged",
    ),
    pytest.param(
        kyverno(mutating({"patchStrategicMerge": {"spec": {"template": {"spec": {
            "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}}}},
            {"any": [{"resources": {"kinds": ["Deployment"]}}]})),
        "k8s-no-host-path-volumes", "spec.rules[0].mutate.patchStrategicMerge.spec.template.spec.volumes[0].hostPath",
        id="patch-adding-a-host-path-to-deployments",
    ),
    pytest.param(
        kyverno(mutating({"foreach": [{"list": "request.object.spec.containers", "patchStrategicMerge": {"spec": {
            "containers": [{"name": "{{ element.name }}", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}}}]})),
        PRIVILEGED, "spec.rules[0].mutate.foreach[0].patchStrategicMerge.spec.containers[0].securityContext.capabilities.add",
        id="foreach-patch-adding-sys-admin",
    ),
    pytest.param(
        kyverno(mutating({"patchesJson6902": "- op: add\n  path: /spec/hostPID\n  value: true\n"})),
        "k8s-no-host-namespaces", "spec.rules[0].mutate.patchesJson6902.spec.hostPID is true", id="json-patch-host-pid",
    ),
    pytest.param(
        kyverno(mutating({"patchesJson6902": '[{"op": "replace", "path": "/spec/containers/0/securityContext/privileged", "value": true}]'})),
        PRIVILEGED, "spec.rules[0].mutate.patchesJson6902.spec.containers[0].securityContext.privileged is true",
        id="json-patch-privileged",
    ),
    pytest.param(
        kyverno(mutating({"patchesJson6902": "{{ request.object.metadata.annotations.patch }}"})),
        PRIVILEGED, "spec.rules[0].mutate.patchesJson6902 is not a YAML or JSON patch", id="json-patch-unreadable",
    ),
    pytest.param(
        kyverno(mutating({"targets": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
                          "patchStrategicMerge": {"spec": {"template": {"spec": {"hostIPC": True}}}}}), namespace="ml"),
        "k8s-no-host-namespaces", "spec.rules[0].mutate.patchStrategicMerge.spec.template.spec.hostIPC is true",
        id="namespaced-policy-mutating-existing-deployments",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "rule", "fragment"), KYVERNO)
def test_a_pod_a_kyverno_policy_generates_or_patches_is_judged(
    inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    token = NAMESPACED_POLICY if inputs["metadata"].get("namespace") else CLUSTER_POLICY
    messages = found(rule, token, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_kyverno_hardening_patches_and_patterns_pass_every_security_rule() -> None:
    """The common mutations add hardening; validate patterns quote pods: none is refused."""
    hardening = mutating({"patchStrategicMerge": {"spec": {
        "securityContext": {"+(runAsNonRoot)": True, "+(seccompProfile)": {"type": "RuntimeDefault"}},
        "containers": [{"(name)": "*", "securityContext": {"+(allowPrivilegeEscalation)": False,
                        "+(privileged)": False, "(runAsUser)": 0}}]}}})  # fmt: skip
    validating = {"match": MATCH_PODS, "validate": {"pattern": {"spec": {"=(hostNetwork)": True, "containers": [
        {"securityContext": {"privileged": True}}]}}}}  # fmt: skip
    labels = mutating({"patchStrategicMerge": {"metadata": {"labels": {"+(team)": "ml"}}}})
    inputs = kyverno(hardening, validating, labels)
    for rule in SECURITY_RULES:
        assert found(rule, CLUSTER_POLICY, inputs) == [], rule


def test_a_generated_pod_in_an_exempt_namespace_is_exempt() -> None:
    inputs = kyverno(
        generating("Deployment", {"spec": {"template": {"spec": privileged_pod()}}}, "kube-system")
    )
    assert found(PRIVILEGED, CLUSTER_POLICY, inputs) == []
    inputs = kyverno(
        generating("Deployment", {"spec": {"template": {"spec": privileged_pod()}}}, None),
        namespace="kube-system",
    )
    assert found(PRIVILEGED, NAMESPACED_POLICY, inputs) == []


def test_a_patch_matching_only_exempt_namespaces_is_exempt() -> None:
    match = {"any": [{"resources": {"kinds": ["Pod"], "namespaces": ["kube-system"]}}]}
    inputs = kyverno(mutating({"patchStrategicMerge": {"spec": {"hostNetwork": True}}}, match))
    assert found("k8s-no-host-namespaces", CLUSTER_POLICY, inputs) == []
    match["any"].append({"resources": {"kinds": ["Pod"]}})
    assert found("k8s-no-host-namespaces", CLUSTER_POLICY, inputs) != []


# --- 6. Helm values: a helm.sh/v3 Release's, as a Flux HelmRelease's and an Argo CD Application's ---------

RELEASE = "kubernetes:helm.sh/v3:Release"
HELM_RELEASE = "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
#: Values of a chart that takes whole pod fragments (a common convention: extraContainers, sidecars).
VALUES = {
    "replicaCount": 2,
    "image": {"repository": "nginx", "tag": "latest"},
    "extraContainers": [{"name": "debug", "image": DIGEST, "securityContext": {"privileged": True}}],
}
VALUES_AT = ".extraContainers[0].securityContext.privileged is true: remove it."


def test_a_helm_release_s_values_are_searched_as_a_flux_helm_release_s_are() -> None:
    flux = {"metadata": {"name": "web", "namespace": "serving"}, "spec": {"chart": {}, "values": VALUES}}
    assert found(PRIVILEGED, HELM_RELEASE, flux) == ["spec.values" + VALUES_AT]
    release = {"chart": "web", "namespace": "serving", "values": VALUES}
    assert found(PRIVILEGED, RELEASE, release) == ["values" + VALUES_AT]


def test_a_helm_release_s_values_holding_a_pod_spec_are_judged() -> None:
    """Moved from test_pod_specs_anywhere_75 (which pinned these values as opaque): judged now."""
    release = {"values": {"containers": [{"name": "x", "image": "y:1"}]}}
    assert found("k8s-image-pinned-by-digest", RELEASE, release) == [
        "values.containers[0].image 'y:1' is not pinned by digest: use <repository>@sha256:<digest>."
    ]


def test_a_helm_release_in_an_exempt_namespace_is_exempt() -> None:
    release = {"chart": "cni", "namespace": "kube-system", "values": VALUES}
    assert found(PRIVILEGED, RELEASE, release) == []
    assert found(PRIVILEGED, RELEASE, {**release, "namespace": UNKNOWN_STRING_VALUE}) != []


def test_helm_values_written_as_text_are_searched_too() -> None:
    """An Argo CD Application's ``helm.values`` is YAML text (``valuesObject`` its map form)."""
    text = (
        "extraContainers:\n- name: debug\n  image: " + DIGEST + "\n  securityContext:\n    privileged: true\n"
    )
    app = {"metadata": {"name": "web", "namespace": "argocd"},
           "spec": {"source": {"chart": "web", "helm": {"values": text}}, "destination": {"namespace": "serving"}}}  # fmt: skip
    assert found(PRIVILEGED, APPLICATION, app) == ["spec.source.helm.values" + VALUES_AT]
    app["spec"]["source"]["helm"] = {"valuesObject": VALUES}
    assert found(PRIVILEGED, APPLICATION, app) == ["spec.source.helm.valuesObject" + VALUES_AT]


def test_helm_style_values_are_read_by_the_same_shapes() -> None:
    """The Helm convention (``podSecurityContext`` beside the main container's ``securityContext`` and
    ``image``) is the inline pod's shape: its settings are judged; an ``image: {repository, tag}`` map
    is the chart's to assemble, not judged."""
    values = {"image": {"repository": "nginx", "tag": "latest"}, "securityContext": HARDENED,
              "podSecurityContext": SAFE_CONTEXT, "service": {"type": "ClusterIP"}}  # fmt: skip
    release = {"chart": "web", "namespace": "serving", "values": values}
    for rule in SECURITY_RULES:
        assert found(rule, RELEASE, release) == [], rule
    values["securityContext"] = {**HARDENED, "runAsUser": 0}
    assert found("k8s-run-as-high-uid", RELEASE, release) == [
        "values.securityContext.runAsUser is 0: run as a UID >= 10000."
    ]


def test_values_text_that_is_no_map_or_holds_an_alias_bomb_is_not_searched() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    for text in ("a, b, c", bomb):
        app = {"metadata": {"name": "w"}, "spec": {"source": {"helm": {"values": text}}}}
        for rule in SECURITY_RULES:
            assert found(rule, APPLICATION, app) == [], rule


# --- 5b. Gatekeeper's mutators: the same class as Kyverno's mutate rules -----------------------------------

ASSIGN = "kubernetes:mutations.gatekeeper.sh/v1:Assign"
MODIFY_SET = "kubernetes:mutations.gatekeeper.sh/v1:ModifySet"
ASSIGN_IMAGE = "kubernetes:mutations.gatekeeper.sh/v1alpha1:AssignImage"
POD_APPLY = [{"groups": [""], "kinds": ["Pod"], "versions": ["v1"]}]


def mutator(location: str, parameters: dict[str, Any], namespaces: list[str] | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {"scope": "Namespaced", "kinds": [{"apiGroups": ["*"], "kinds": ["Pod"]}]}
    if namespaces is not None:
        match["namespaces"] = namespaces
    return {"metadata": {"name": "m"}, "spec": {"applyTo": POD_APPLY, "match": match, "location": location,
            "parameters": parameters}}  # fmt: skip


GATEKEEPER = [
    pytest.param(ASSIGN, mutator("spec.containers[name: *].securityContext.privileged", {"assign": {"value": True}}),
                 PRIVILEGED, "spec.location spec.containers[0].securityContext.privileged is true", id="assign-privileged"),
    pytest.param(ASSIGN, mutator("spec.hostNetwork", {"assign": {"value": True}}), "k8s-no-host-namespaces",
                 "spec.location spec.hostNetwork is true", id="assign-host-network"),
    pytest.param(ASSIGN, mutator("spec.securityContext", {"assign": {"value": {"runAsUser": 0}}}), "k8s-run-as-high-uid",
                 "spec.location spec.securityContext.runAsUser is 0", id="assign-a-root-pod-context"),
    pytest.param(ASSIGN, mutator('spec.volumes[name: "host"]', {"assign": {"value": {"name": "host", "hostPath": {"path": "/"}}}}),
                 "k8s-no-host-path-volumes", "spec.location spec.volumes[0].hostPath", id="assign-host-path-volume"),
    pytest.param(MODIFY_SET, mutator("spec.containers[name: *].securityContext.capabilities.add",
                                     {"operation": "merge", "values": {"fromList": ["SYS_ADMIN"]}}),
                 PRIVILEGED, "spec.location spec.containers[0].securityContext.capabilities.add contains ['SYS_ADMIN']",
                 id="modify-set-adding-sys-admin"),
    pytest.param(ASSIGN_IMAGE, mutator("spec.containers[name: *].image", {"assignTag": ":latest"}),
                 "k8s-image-pinned-by-digest", "spec.location spec.containers[0].image", id="assign-image-tag"),
]  # fmt: skip


@pytest.mark.parametrize(("token", "inputs", "rule", "fragment"), GATEKEEPER)
def test_a_gatekeeper_mutator_weakening_pods_is_refused(
    token: str, inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    messages = found(rule, token, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_gatekeeper_mutators_that_harden_or_match_only_exempt_namespaces_pass() -> None:
    hardening = [
        (ASSIGN, mutator("spec.containers[name: *].securityContext.privileged", {"assign": {"value": False}})),
        (ASSIGN, mutator("spec.securityContext.runAsNonRoot", {"assign": {"value": True}})),
        (MODIFY_SET, mutator("spec.containers[name: *].securityContext.capabilities.drop",
                             {"operation": "merge", "values": {"fromList": ["ALL"]}})),
        (ASSIGN_IMAGE, mutator("spec.containers[name: *].image", {"assignTag": "@sha256:" + "b" * 64})),
        (ASSIGN, mutator("spec.hostNetwork", {"assign": {"value": True}}, namespaces=["kube-system"])),
        (ASSIGN, mutator("spec.nodeSelector.team", {"assign": {"value": "ml"}})),
    ]  # fmt: skip
    for token, inputs in hardening:
        for rule in SECURITY_RULES:
            assert found(rule, token, inputs) == [], (rule, inputs["spec"]["location"])


# --- 4b. Kustomize patches written as text (Flux Kustomization, Argo CD Application) -----------------------

KUSTOMIZATION = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"
DEPLOYMENT_PATCH = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
    "      hostNetwork: true\n"
)
KUSTOMIZE = [
    pytest.param(
        KUSTOMIZATION,
        {"metadata": {"name": "apps"}, "spec": {"path": "./apps", "patches": [{"patch": DEPLOYMENT_PATCH,
         "target": {"kind": "Deployment"}}]}},
        "k8s-no-host-namespaces", "spec.patches[0].patch.spec.template.spec.hostNetwork is true",
        id="flux-strategic-merge-patch",
    ),
    pytest.param(
        KUSTOMIZATION,
        {"metadata": {"name": "apps"}, "spec": {"patches": [{"patch": "- op: add\n  path: /spec/template/spec/hostPID\n"
         "  value: true\n", "target": {"kind": "Deployment"}}]}},
        "k8s-no-host-namespaces", "spec.patches[0].patch.spec.template.spec.hostPID is true", id="flux-json-patch",
    ),
    pytest.param(
        APPLICATION,
        {"metadata": {"name": "web"}, "spec": {"source": {"kustomize": {"patches": [{"patch": DEPLOYMENT_PATCH}]}}}},
        "k8s-no-host-namespaces", "spec.source.kustomize.patches[0].patch.spec.template.spec.hostNetwork is true",
        id="argo-cd-kustomize-patch",
    ),
    pytest.param(
        KUSTOMIZATION,
        {"metadata": {"name": "apps"}, "spec": {"patches": [{"patch": "{{ .Values.patch }}"}]}},
        PRIVILEGED, "spec.patches[0].patch is not a YAML or JSON patch", id="unreadable-patch",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("token", "inputs", "rule", "fragment"), KUSTOMIZE)
def test_a_kustomize_patch_written_as_text_is_read_and_judged(
    token: str, inputs: dict[str, Any], rule: str, fragment: str
) -> None:
    messages = found(rule, token, inputs)
    assert any(m.startswith(fragment) for m in messages), messages


def test_a_harmless_kustomize_patch_passes_every_security_rule() -> None:
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
    inputs = {
        "metadata": {"name": "apps"},
        "spec": {"patches": [{"patch": patch}, {"patch": "- op: remove\n  path: /spec/replicas\n"}]},
    }
    for rule in SECURITY_RULES:
        assert found(rule, KUSTOMIZATION, inputs) == [], rule


def test_strings_listed_under_patches_are_no_patch_text() -> None:
    inputs = {"metadata": {"name": "w"}, "spec": {"patches": ["fix-1", "fix-2"], **POD}}
    for rule in SECURITY_RULES:
        assert found(rule, "kubernetes:example.com/v1:Widget", inputs) == [], rule
    smp = {"metadata": {"name": "w"}, "spec": {"patchesStrategicMerge": [DEPLOYMENT_PATCH]}}
    assert found("k8s-no-host-namespaces", KUSTOMIZATION, smp) == [
        "spec.patchesStrategicMerge[0].spec.template.spec.hostNetwork is true: remove it; inference pods do "
        "not share host namespaces."
    ]


def test_values_text_with_anchors_is_searched_as_helm_expands_it() -> None:
    """An anchor is plain YAML in a chart's values, and Helm expands its aliases: a privileged
    container behind one is judged, as one written out is (only text past what Helm's reader
    expands, such as the bomb above, is left unsearched: Helm refuses it)."""
    privileged = (
        "defaults: &hardened\n"
        "  runAsNonRoot: true\n"
        "extraContainers:\n"
        "  - name: sidecar\n"
        "    image: busybox@sha256:" + "a" * 64 + "\n"
        "    securityContext: &root {privileged: true}\n"
        "initContainers:\n"
        "  - name: init\n"
        "    image: busybox@sha256:" + "b" * 64 + "\n"
        "    securityContext: *root\n"
    )
    app = {"metadata": {"name": "w"}, "spec": {"source": {"helm": {"values": privileged}}}}
    messages = found(PRIVILEGED, APPLICATION, app)
    assert any("extraContainers[0]" in message and "privileged" in message for message in messages), messages
    assert any("initContainers[0]" in message and "privileged" in message for message in messages), messages


def test_values_text_whose_aliases_loop_or_expand_past_helms_limit_is_not_searched() -> None:
    looped = "a: &a [*a]\ncontainers: [{name: x, securityContext: {privileged: true}}]\n"
    with pytest.raises(yaml.YAMLError):
        load_values_text(looped)
    wide = "a: &a [" + ", ".join(["x"] * 400) + "]\nb: [" + ", ".join(["*a"] * 400) + "]\n"
    with pytest.raises(yaml.YAMLError, match="excessive aliasing"):
        load_values_text(wide)  # 160,000 nodes once expanded
    assert load_values_text("a: &a [x, y]\nb: *a\n") == {"a": ["x", "y"], "b": ["x", "y"]}


APPARMOR = "k8s-apparmor-not-unconfined"
SECCOMP = "k8s-seccomp-not-unconfined"
UNCONFINED_APPARMOR = {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}
UNCONFINED_SECCOMP = {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}


@pytest.mark.parametrize(
    ("patch", "at"),
    [
        pytest.param(
            {"metadata": {"annotations": UNCONFINED_APPARMOR}, "spec": {"containers": [{"name": "app"}]}},
            "spec.rules[0].mutate.patchStrategicMerge.metadata.annotations",
            id="a-pod-patch",
        ),
        pytest.param(
            {
                "spec": {
                    "template": {
                        "metadata": {"annotations": UNCONFINED_APPARMOR},
                        "spec": {"containers": [{"name": "app"}]},
                    }
                }
            },
            "spec.rules[0].mutate.patchStrategicMerge.spec.template.metadata.annotations",
            id="a-deployment-patch",
        ),
    ],
)
def test_a_patch_in_a_templates_shape_setting_legacy_annotations_is_judged(
    patch: dict[str, Any], at: str
) -> None:
    """A fragment's `metadata` beside its `spec` sets its pods' annotations, as a DeploymentPatch's does:
    the legacy AppArmor and seccomp annotations it writes are read."""
    policy = kyverno(mutating({"patchStrategicMerge": patch}))
    messages = found(APPARMOR, CLUSTER_POLICY, policy)
    assert any(message.startswith(at) and "'unconfined'" in message for message in messages), messages

    seccomp = copy.deepcopy(patch)
    holder = seccomp if "metadata" in seccomp else seccomp["spec"]["template"]
    holder["metadata"]["annotations"] = UNCONFINED_SECCOMP
    messages = found(SECCOMP, CLUSTER_POLICY, kyverno(mutating({"patchStrategicMerge": seccomp})))
    assert any(message.startswith(at) for message in messages), messages

    hardened = copy.deepcopy(patch)
    holder = hardened if "metadata" in hardened else hardened["spec"]["template"]
    holder["metadata"]["annotations"] = {
        "container.apparmor.security.beta.kubernetes.io/app": "runtime/default"
    }
    assert found(APPARMOR, CLUSTER_POLICY, kyverno(mutating({"patchStrategicMerge": hardened}))) == []
