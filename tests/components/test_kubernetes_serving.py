"""KubernetesServing: a hardened GPU Deployment, Service, HPA and PDB that Kubernetes and the pack accept."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pulumi
import pytest
from pydantic import ValidationError

from components.kubernetes.kubernetes_serving import (
    RUN_AS_ID,
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
    kubernetes_provider,
)
from components.kubernetes.kubernetes_serving_spec import ROLLOUT_SLACK_SECONDS
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import enabled_policies, evaluate, evaluate_report
from policies.registry import load_pack_config
from policies.rules import kubernetes as kubernetes_rules
from tests.components.kubernetes_schema import validate_manifest
from tests.recorded import computed_once

COMPONENT = "mlops:kubernetes:KubernetesServing"
NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
# The oldest release with every field used GA (PDB unhealthyPodEvictionPolicy: 1.31) and a recent one.
KUBERNETES_VERSIONS = ("1.31", "1.34")
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
LABELS = {"owner": "ml-platform-team", "cost-center": "cc-ml-1001"}
CLIENTS = [{"kubernetes.io/metadata.name": "api"}, {"team": "fraud"}]


# --- helpers -------------------------------------------------------------------------------


def _spec(**changes: Any) -> KubernetesServingSpec:
    return KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE, **changes})


def _record(
    spec: KubernetesServingSpec,
    *,
    labels: dict[str, str] | None = None,
    opts: Callable[[], pulumi.ResourceOptions | None] | None = None,
) -> ResourceGraph:
    def program() -> None:
        serving = KubernetesServing(
            "churn-serving",
            KubernetesServingArgs(spec=spec, labels=labels or {}),
            opts=opts() if opts else None,
        )
        pulumi.export("namespace", serving.namespace_name)
        pulumi.export("service", serving.service_name)
        pulumi.export("deployment", serving.deployment_name)

    if opts is not None:  # options made by the test: recorded here
        return record_program(program)
    # Once per version of the code and of this file: the spec and labels as written are the key.
    return computed_once("serving", lambda: record_program(program), key=[repr((spec, labels))])


def _only(graph: ResourceGraph, type_token: str) -> RecordedResource:
    [resource] = graph.of_type(type_token)
    return resource


def _pod(graph: ResourceGraph) -> dict[str, Any]:
    return _only(graph, DEPLOYMENT).inputs["spec"]["template"]["spec"]


def _container(graph: ResourceGraph) -> dict[str, Any]:
    [container] = _pod(graph)["containers"]
    return container


def _ints(value: Any) -> Any:
    """Wire numbers are floats (a protobuf Struct); a manifest has integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_ints(item) for item in value]
    return value


def _manifest(resource: RecordedResource) -> dict[str, Any]:
    """A recorded pulumi-kubernetes resource as the manifest it applies (inputs are Kubernetes' own shape)."""
    manifest = _ints(copy.deepcopy(dict(resource.inputs)))
    # The SDK sends apiVersion and kind; derive them from the type token should a resource ever not.
    _, module, kind = resource.type.split(":")
    group, version = module.split("/")
    manifest.setdefault("apiVersion", version if group == "core" else f"{group}/{version}")
    manifest.setdefault("kind", kind)
    return manifest


@pytest.fixture(scope="module")
def gpu_graph() -> ResourceGraph:
    """Defaults (1 GPU, 2-4 replicas) plus a GPU-utilisation target, two client namespaces and cost labels."""
    return _record(_spec(target_gpu_utilization=60, network={"client_namespaces": CLIENTS}), labels=LABELS)


@pytest.fixture(scope="module")
def cpu_graph() -> ResourceGraph:
    """CPU serving, a single replica, metrics on the HTTP port, in a namespace that already exists."""
    return _record(
        _spec(gpus=0, replicas=1, min_replicas=1, max_replicas=2, metrics_port=8080, create_namespace=False)
    )


@pytest.fixture(params=["gpu", "cpu"])
def graph(request: pytest.FixtureRequest) -> ResourceGraph:
    return request.getfixturevalue(f"{request.param}_graph")


# --- structure -------------------------------------------------------------------------------


def test_every_child_is_parented_to_the_component_and_named_after_it(gpu_graph: ResourceGraph) -> None:
    component = _only(gpu_graph, COMPONENT)
    children = {r.type: r.name for r in gpu_graph.children(component)}
    assert children == {
        NAMESPACE: "churn-serving-namespace",
        SERVICE_ACCOUNT: "churn-serving-service-account",
        DEPLOYMENT: "churn-serving-deployment",
        SERVICE: "churn-serving-service",
        HPA: "churn-serving-hpa",
        PDB: "churn-serving-pdb",
        NETWORK_POLICY: "churn-serving-network-policy",
    }
    assert all(r.parent == component.urn for r in gpu_graph.cloud_resources)


def test_objects_carry_the_spec_name_namespace_and_labels(gpu_graph: ResourceGraph) -> None:
    assert _only(gpu_graph, NAMESPACE).inputs["metadata"]["name"] == "ml-serving"
    for type_token in (SERVICE_ACCOUNT, DEPLOYMENT, SERVICE, HPA, PDB, NETWORK_POLICY):
        metadata = _only(gpu_graph, type_token).inputs["metadata"]
        assert (metadata["name"], metadata["namespace"]) == ("churn", "ml-serving"), type_token
        assert LABELS.items() <= metadata["labels"].items(), type_token
    # Pods carry the cost labels too: EKS split cost allocation reads pod labels.
    assert (
        LABELS.items()
        <= _only(gpu_graph, DEPLOYMENT).inputs["spec"]["template"]["metadata"]["labels"].items()
    )


def test_outputs_name_the_namespace_service_and_deployment(graph: ResourceGraph) -> None:
    assert graph.exports == {"namespace": "ml-serving", "service": "churn", "deployment": "churn"}


def test_created_namespace_enforces_restricted_pod_security(gpu_graph, cpu_graph) -> None:
    labels = _only(gpu_graph, NAMESPACE).inputs["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    # The Deployment waits for the namespace it is created in.
    namespace = _only(gpu_graph, NAMESPACE)
    assert [r.urn for r in gpu_graph.referenced(_only(gpu_graph, DEPLOYMENT), "metadata")] == [namespace.urn]
    assert cpu_graph.of_type(NAMESPACE) == []


# --- the pod ---------------------------------------------------------------------------------


def test_gpu_pods_get_gpu_limits_equal_to_requests_and_gpu_placement(gpu_graph: ResourceGraph) -> None:
    resources = _container(gpu_graph)["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == resources["requests"]["nvidia.com/gpu"] == "1"
    pod = _pod(gpu_graph)
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def test_cpu_pods_get_no_gpu_resources_or_gpu_placement(cpu_graph: ResourceGraph) -> None:
    resources = _container(cpu_graph)["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert "nodeSelector" not in _pod(cpu_graph)
    assert "tolerations" not in _pod(cpu_graph)


def test_cpu_and_memory_requests_and_limits_come_from_the_spec(gpu_graph: ResourceGraph) -> None:
    resources = _container(gpu_graph)["resources"]
    assert {k: v for k, v in resources["requests"].items() if k != "nvidia.com/gpu"} == {
        "cpu": "2",
        "memory": "8Gi",
    }
    assert {k: v for k, v in resources["limits"].items() if k != "nvidia.com/gpu"} == {
        "cpu": "4",
        "memory": "8Gi",
    }


def test_probes_check_the_http_port_and_allow_for_slow_model_loads(gpu_graph: ResourceGraph) -> None:
    container = _container(gpu_graph)
    assert {port["name"]: port["containerPort"] for port in container["ports"]} == {
        "http": 8080,
        "metrics": 9090,
    }
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ping", "port": "http", "scheme": "HTTP"}, probe
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 600  # startup_timeout_seconds


def test_pod_and_container_run_hardened(graph: ResourceGraph) -> None:
    pod = _pod(graph)
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_ID,
        "runAsGroup": RUN_AS_ID,
        "fsGroup": RUN_AS_ID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False  # no environment variables naming every Service
    assert not {"hostPID", "hostIPC", "hostNetwork"} & set(pod)
    assert _container(graph)["securityContext"] == {
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert _only(graph, SERVICE_ACCOUNT).inputs["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == _only(graph, SERVICE_ACCOUNT).inputs["metadata"]["name"]


def test_read_only_root_gets_writable_tmp_and_model_cache(gpu_graph: ResourceGraph) -> None:
    volumes = {v["name"]: v["emptyDir"] for v in _pod(gpu_graph)["volumes"]}
    assert volumes == {"tmp": {"sizeLimit": "1Gi"}, "model-cache": {"sizeLimit": "20Gi"}}
    container = _container(gpu_graph)
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"tmp": "/tmp", "model-cache": "/var/cache/model"}
    assert {"name": "XDG_CACHE_HOME", "value": "/var/cache/model"} in container["env"]


def test_rollouts_surge_without_losing_a_serving_pod_and_spread_over_zones(gpu_graph: ResourceGraph) -> None:
    spec = _only(gpu_graph, DEPLOYMENT).inputs["spec"]
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    spread = {c["topologyKey"]: c for c in spec["template"]["spec"]["topologySpreadConstraints"]}
    assert set(spread) == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    for constraint in spread.values():
        assert constraint["labelSelector"] == spec["selector"]


def test_the_hpa_owns_the_replica_count_and_the_rollout_may_outlast_a_slow_model_load() -> None:
    graph = _record(_spec(replicas=3, max_replicas=5, startup_timeout_seconds=1200))
    deployment = _only(graph, DEPLOYMENT)
    spec = deployment.inputs["spec"]
    assert spec["replicas"] == 3
    assert deployment.ignore_changes == ("spec.replicas",)
    # Kubernetes fails a rollout step that makes no progress; Pulumi waits a little longer than that
    # for a create (every pod at once) and that for each of up to max_replicas pods for an update.
    assert spec["progressDeadlineSeconds"] == 1200 + ROLLOUT_SLACK_SECONDS
    wait = 1200 + ROLLOUT_SLACK_SECONDS
    assert deployment.custom_timeouts == {"create": f"{wait + 300}s", "update": f"{5 * wait + 300}s"}


# --- Service, HPA, PDB -----------------------------------------------------------------------


def test_service_selects_the_pods_on_named_ports(gpu_graph, cpu_graph) -> None:
    for graph, metrics_target in ((gpu_graph, "metrics"), (cpu_graph, "http")):
        deployment = _only(graph, DEPLOYMENT).inputs["spec"]
        service = _only(graph, SERVICE).inputs["spec"]
        assert service["type"] == "ClusterIP"
        assert service["selector"] == deployment["selector"]["matchLabels"]
        assert service["selector"].items() <= deployment["template"]["metadata"]["labels"].items()
        ports = {port["name"]: (port["port"], port["targetPort"]) for port in service["ports"]}
        metrics_port = 9090 if metrics_target == "metrics" else 8080
        assert ports == {"http": (80, "http"), "metrics": (metrics_port, metrics_target)}
        container_ports = {port["name"] for port in _container(graph)["ports"]}
        assert {target for _, target in ports.values()} <= container_ports


def test_hpa_scales_the_deployment_on_cpu_and_the_gpu_metric(gpu_graph: ResourceGraph) -> None:
    hpa = _only(gpu_graph, HPA).inputs["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "churn"}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 4)
    assert hpa["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        },
        {
            "type": "Pods",
            "pods": {
                "metric": {"name": "DCGM_FI_DEV_GPU_UTIL"},
                "target": {"type": "AverageValue", "averageValue": "60"},
            },
        },
    ]
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    # In slowly: one pod a minute at most.
    assert hpa["behavior"]["scaleDown"]["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 60}]
    # The target is the Deployment itself: its name flows from the Deployment's outputs.
    assert [r.type for r in gpu_graph.referenced(_only(gpu_graph, HPA), "spec")] == [DEPLOYMENT]


def test_hpa_without_a_custom_metric_scales_on_cpu_only(cpu_graph: ResourceGraph) -> None:
    hpa = _only(cpu_graph, HPA).inputs["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 2)
    assert [metric["type"] for metric in hpa["metrics"]] == ["Resource"]


@pytest.mark.parametrize(
    ("changes", "budget"),
    [
        # One pod at a time, however far the HPA scaled out: not "keep one", which lets a
        # multi-node drain take all the others at once.
        pytest.param({}, {"maxUnavailable": 1}, id="several-replicas-drain-one-at-a-time"),
        pytest.param(
            {"replicas": 1, "min_replicas": 1},
            {"maxUnavailable": 1},
            id="single-replica-never-blocks-a-drain",
        ),
        pytest.param(
            {"replicas": 3, "min_replicas": 3, "max_replicas": 6, "pdb_min_available": 2},
            {"minAvailable": 2},
            id="explicit-min-available",
        ),
    ],
)
def test_disruption_budget_protects_the_deployments_pods(
    changes: dict[str, Any], budget: dict[str, int]
) -> None:
    graph = _record(_spec(**changes))
    pdb = _only(graph, PDB).inputs["spec"]
    deployment = _only(graph, DEPLOYMENT).inputs["spec"]
    assert pdb["selector"] == deployment["selector"]
    assert pdb["selector"]["matchLabels"].items() <= deployment["template"]["metadata"]["labels"].items()
    assert {k: v for k, v in pdb.items() if k in ("minAvailable", "maxUnavailable")} == budget
    assert pdb["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


# --- network policy --------------------------------------------------------------------------


def _allowed(policy: dict[str, Any], namespace_labels: dict[str, str], port: int) -> bool:
    """Whether the NetworkPolicy admits a TCP connection to ``port`` from a pod in a namespace with
    ``namespace_labels`` (the peer forms the component uses: namespace selectors by matchLabels)."""
    for rule in policy["ingress"]:
        ports = {(p["port"], p["protocol"]) for p in rule["ports"]}
        peers = [peer["namespaceSelector"]["matchLabels"] for peer in rule["from"]]
        assert all(set(peer) == {"namespaceSelector"} for peer in rule["from"]), "namespace peers only"
        if (port, "TCP") in ports and any(selector.items() <= namespace_labels.items() for selector in peers):
            return True
    return False


def _namespace_labels(name: str, **labels: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": name, **labels}


def test_network_policy_denies_all_ingress_to_the_serving_pods_but_what_it_allows(graph) -> None:
    policy = _only(graph, NETWORK_POLICY).inputs["spec"]
    deployment = _only(graph, DEPLOYMENT).inputs["spec"]
    # It selects exactly the serving's pods (the Deployment's selector, carried by the pod template).
    assert policy["podSelector"] == deployment["selector"]
    assert (
        policy["podSelector"]["matchLabels"].items() <= deployment["template"]["metadata"]["labels"].items()
    )
    assert policy["policyTypes"] == ["Ingress"], "an Ingress policy: everything else is denied"
    assert "egress" not in policy


@pytest.mark.parametrize(
    ("namespace", "port", "allowed"),
    [
        pytest.param(_namespace_labels("api"), 8080, True, id="client-namespace-by-name-serving-port"),
        pytest.param(_namespace_labels("fraud-app", team="fraud"), 8080, True, id="client-by-label"),
        pytest.param(_namespace_labels("api"), 9090, False, id="client-never-the-metrics-port"),
        pytest.param(_namespace_labels("monitoring"), 9090, True, id="prometheus-metrics-port"),
        pytest.param(_namespace_labels("monitoring"), 8080, False, id="prometheus-never-the-serving-port"),
        pytest.param(_namespace_labels("ml-serving"), 8080, False, id="own-namespace-not-listed"),
        pytest.param(_namespace_labels("other", team="risk"), 8080, False, id="any-other-namespace"),
        pytest.param(_namespace_labels("api"), 22, False, id="any-other-port"),
    ],
)
def test_network_policy_allows_exactly_the_clients_serving_port_and_monitorings_metrics_port(
    gpu_graph: ResourceGraph, namespace: dict[str, str], port: int, allowed: bool
) -> None:
    policy = _only(gpu_graph, NETWORK_POLICY).inputs["spec"]
    assert _allowed(policy, namespace, port) is allowed
    assert policy["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": selector}} for selector in CLIENTS],
            "ports": [{"port": 8080, "protocol": "TCP"}],
        },
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"port": 9090, "protocol": "TCP"}],
        },
    ]


def test_by_default_only_monitoring_reaches_the_pods_and_on_the_port_serving_metrics(cpu_graph) -> None:
    # No client namespaces configured: the platform installs no gateway, so nothing may call the model.
    policy = _only(cpu_graph, NETWORK_POLICY).inputs["spec"]
    assert policy["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"port": 8080, "protocol": "TCP"}],  # metrics on the HTTP port
        }
    ]
    assert not _allowed(policy, _namespace_labels("api"), 8080)


def test_without_clients_or_monitoring_the_pods_accept_no_ingress_at_all() -> None:
    graph = _record(_spec(network={"monitoring_namespace": None}))
    policy = _only(graph, NETWORK_POLICY).inputs["spec"]
    assert (policy["policyTypes"], policy.get("ingress", [])) == (["Ingress"], [])


# --- providers -------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["provider", "providers"])
def test_every_child_uses_the_callers_kubernetes_provider(option: str) -> None:
    def opts() -> pulumi.ResourceOptions:
        provider = kubernetes_provider("eks", "kubeconfig-contents", cluster_identifier="arn:aws:eks:cluster")
        return pulumi.ResourceOptions(**{option: provider if option == "provider" else [provider]})

    graph = _record(_spec(), opts=opts)
    [provider] = [r for r in graph if r.is_provider]
    assert len(graph.cloud_resources) == 7
    assert all((r.provider or "").startswith(f"{provider.urn}::") for r in graph.cloud_resources)


def test_kubernetes_provider_applies_server_side_and_keeps_the_kubeconfig_secret() -> None:
    graph = record_program(lambda: kubernetes_provider("eks", "kubeconfig-contents"))
    [provider] = [r for r in graph if r.is_provider]
    # Provider inputs travel JSON-encoded on the wire.
    assert provider.inputs["enableServerSideApply"] == "true"
    assert provider.inputs["deleteUnreachable"] == "false"
    # Fields another manager owns (an operator, kubectl) are a conflict to resolve, never overwritten.
    assert provider.inputs["enablePatchForce"] == "false"
    assert provider.inputs["kubeconfig"] == "kubeconfig-contents"
    assert provider.secret_inputs == {"kubeconfig"}


# --- offline schema validation ---------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_against_the_kubernetes_schema(graph: ResourceGraph, version: str) -> None:
    manifests = [_manifest(resource) for resource in graph.cloud_resources]
    assert {m["kind"] for m in manifests} >= {
        "ServiceAccount",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "NetworkPolicy",
    }
    for manifest in manifests:
        # strict: no field the schema does not know (a misspelt field fails, not silently dropped).
        assert validate_manifest(manifest, version) == version, manifest["kind"]


def _misspell_probe(manifest: dict[str, Any]) -> None:
    container = manifest["spec"]["template"]["spec"]["containers"][0]
    container["readynessProbe"] = container.pop("readinessProbe")


def _replicas_as_words(manifest: dict[str, Any]) -> None:
    manifest["spec"]["replicas"] = "two"


def _drop_selector(manifest: dict[str, Any]) -> None:
    del manifest["spec"]["selector"]


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(_misspell_probe, id="misspelt-field"),
        pytest.param(_replicas_as_words, id="wrong-type"),
        pytest.param(_drop_selector, id="missing-required-field"),
    ],
)
def test_schema_validation_catches_a_broken_manifest(gpu_graph: ResourceGraph, breakage: Callable) -> None:
    manifest = _manifest(_only(gpu_graph, DEPLOYMENT))
    breakage(manifest)
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(manifest, KUBERNETES_VERSIONS[-1])


# --- policy pack -----------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_policy_pack_reports_nothing_for_the_rendered_resources(
    graph: ResourceGraph, environment: str
) -> None:
    config = load_pack_config(environment)
    enabled = {policy.name for policy in enabled_policies(config)}
    assert {policy.name for policy in kubernetes_rules.POLICIES} <= enabled
    report = evaluate_report(graph.resources, config)
    assert report.violations == []
    assert report.undecided == []


def test_policy_pack_flags_a_deployment_that_drifts_from_the_component(gpu_graph: ResourceGraph) -> None:
    deployment = _only(gpu_graph, DEPLOYMENT)
    inputs = copy.deepcopy(dict(deployment.inputs))
    container = inputs["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "churn:latest"
    del container["readinessProbe"]
    container["securityContext"]["privileged"] = True
    tampered = dataclasses.replace(deployment, inputs=inputs)
    names = {v.policy_name for v in evaluate([tampered], load_pack_config("prod"))}
    assert names == {"k8s-image-pinned-by-digest", "k8s-probes-configured", "k8s-container-security-context"}


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"image": "churn:1.2.0"}, "must be pinned by digest", id="image-pinned-by-tag"),
        pytest.param({"image": "churn@sha256:abc"}, "must be pinned by digest", id="image-digest-too-short"),
        pytest.param({"name": "Churn_Model"}, "is not a DNS-1123 label", id="name-not-dns-label"),
        pytest.param({"name": "1churn"}, "starting with a letter", id="name-starting-with-digit"),
        pytest.param({"namespace": "kube-system"}, "reserved", id="system-namespace"),
        pytest.param({"namespace": "ML"}, "is not a DNS-1123 label", id="namespace-not-dns-label"),
        pytest.param({"min_replicas": 5, "max_replicas": 3}, "exceeds max_replicas", id="min-above-max"),
        pytest.param(
            {"replicas": 6}, "must lie within [min_replicas, max_replicas]", id="replicas-above-max"
        ),
        pytest.param(
            {"replicas": 1}, "must lie within [min_replicas, max_replicas]", id="replicas-below-min"
        ),
        pytest.param({"min_replicas": 0}, "greater than or equal to 1", id="zero-min-replicas"),
        pytest.param({"memory_limit": "8GB"}, "is not a memory quantity", id="memory-unit-gb"),
        pytest.param({"memory_request": "512m"}, "is not a memory quantity", id="memory-in-millibytes"),
        pytest.param({"cpu_request": "two"}, "is not a CPU quantity", id="cpu-in-words"),
        pytest.param(
            {"cpu_request": "8"}, "cpu_request (8) exceeds cpu_limit (4)", id="cpu-request-above-limit"
        ),
        pytest.param(
            {"memory_request": "16Gi"},
            "memory_request (16Gi) exceeds memory_limit",
            id="memory-request-above-limit",
        ),
        pytest.param({"gpus": -1}, "greater than or equal to 0", id="negative-gpus"),
        pytest.param({"gpus": "1"}, "Input should be a valid integer", id="gpus-as-string-strict"),
        pytest.param({"replica": 2}, "Extra inputs are not permitted", id="unknown-key"),
        pytest.param({"readiness_path": "ping"}, "must be an absolute path", id="probe-path-without-slash"),
        pytest.param({"liveness_path": "/ health"}, "must be an absolute path", id="probe-path-with-space"),
        pytest.param({"port": 80}, "greater than or equal to 1024", id="privileged-port"),
        pytest.param({"pdb_min_available": 2}, "must be below min_replicas", id="pdb-blocks-drains"),
        pytest.param(
            {"gpu_node_selector": {}, "gpu_tolerations": []},
            "needs gpu_node_selector",
            id="gpu-without-placement",
        ),
        pytest.param(
            {"gpu_node_selector": {"gpu": "yes please"}}, "not valid node labels", id="bad-node-label"
        ),
        pytest.param({"env": {"MODEL-NAME": "x"}}, "must match", id="bad-env-name"),
        pytest.param(
            {"custom_metric": {"name": "gpu util", "target_average_value": "60"}},
            "is not a metric name",
            id="bad-metric-name",
        ),
        pytest.param(
            {"custom_metric": {"name": "DCGM_FI_DEV_GPU_UTIL", "target_average_value": "60%"}},
            "is not a positive quantity",
            id="bad-metric-target",
        ),
        pytest.param(
            {"gpu_tolerations": [{"key": "nvidia.com/gpu", "operator": "Equal"}]},
            "set value with operator Equal",
            id="equal-toleration-without-value",
        ),
        pytest.param({"target_cpu_utilization": 0}, "greater than or equal to 1", id="zero-cpu-target"),
        pytest.param(
            {"gpus": 0, "target_gpu_utilization": 60}, "needs gpus > 0", id="gpu-target-on-a-cpu-server"
        ),
        pytest.param({"target_gpu_utilization": 101}, "less than or equal to 100", id="gpu-target-above-100"),
        pytest.param(
            {
                "target_gpu_utilization": 60,
                "custom_metric": {"name": "DCGM_FI_DEV_GPU_UTIL", "target_average_value": "60"},
            },
            "which target_gpu_utilization already sets",
            id="gpu-metric-twice",
        ),
        pytest.param(
            {"network": {"client_namespaces": [{}]}}, "matches every namespace", id="empty-client-selector"
        ),
        pytest.param(
            {"network": {"client_namespaces": [{"team": "fraud detection"}]}},
            "not valid namespace labels",
            id="bad-client-selector",
        ),
        pytest.param(
            {"network": {"monitoring_namespace": "Monitoring"}},
            "is not a DNS-1123 label",
            id="bad-monitoring-namespace",
        ),
    ],
)
def test_malformed_spec_is_rejected_with_a_clear_message(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        _spec(**changes)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        pytest.param({"owner": "ml@example.com"}, "not valid Kubernetes labels", id="email-as-label-value"),
        pytest.param({"cost center": "cc-1"}, "not valid Kubernetes labels", id="space-in-label-key"),
        pytest.param(
            {"app.kubernetes.io/name": "other"}, "reserved for the pod selector", id="selector-label"
        ),
    ],
)
def test_malformed_labels_are_rejected(labels: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match="labels") as error:
        KubernetesServingArgs(spec=_spec(), labels=labels)
    assert message in str(error.value)


def test_a_spec_needs_only_a_name_and_a_pinned_image() -> None:
    spec = KubernetesServingSpec(name="churn", image=IMAGE)
    assert (spec.namespace, spec.port, spec.metrics_port, spec.gpus) == ("ml-serving", 8080, 9090, 1)
    assert (spec.min_replicas, spec.replicas, spec.max_replicas) == (2, 2, 4)
    assert (spec.readiness_path, spec.liveness_path) == ("/ping", "/ping")
    with pytest.raises(ValidationError, match="frozen"):
        spec.gpus = 2  # type: ignore[misc]
