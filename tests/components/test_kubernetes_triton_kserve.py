"""KubernetesServing presets: NVIDIA Triton (`server: triton`) and KServe (`kserve:`), rendered with the
same hardening, valid for Kubernetes, and judged by the pack."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import jsonschema
import kubernetes_validate
import pulumi
import pytest
from pydantic import ValidationError

from components.kubernetes.kubernetes_serving import (
    MODEL_PACKAGE_ANNOTATION,
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
    RegistryModel,
)
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import evaluate, evaluate_report
from policies.registry import load_pack_config
from tests.components.kubernetes_schema import validate_manifest
from tests.recorded import computed_once

TRITON = "nvcr.io/nvidia/tritonserver@sha256:" + "0123456789abcdef" * 4
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "fedcba9876543210" * 4
PACKAGE = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7"
ARTIFACT = "s3://dev-artifacts-abc/models/dev-customer-churn-training/7/output/model.tar.gz"
CLIENTS = [{"kubernetes.io/metadata.name": "api"}]
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SERVICE = "kubernetes:core/v1:Service"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
KUBERNETES_VERSIONS = ("1.31", "1.34")


def _spec(**changes: Any) -> KubernetesServingSpec:
    return KubernetesServingSpec.model_validate({"name": "churn", "image": TRITON, **changes})


def _record(spec: KubernetesServingSpec, model: RegistryModel | None = None) -> ResourceGraph:
    def program() -> None:
        serving = KubernetesServing("churn", KubernetesServingArgs(spec=spec, model=model))
        pulumi.export("deployment", serving.deployment_name)
        pulumi.export("namespace", serving.namespace_name)

    # Once per version of the code and of this file: the spec and the model as written are the key.
    return computed_once("serving", lambda: record_program(program), key=[repr((spec, model))])


def _only(graph: ResourceGraph, type_token: str) -> RecordedResource:
    [resource] = graph.of_type(type_token)
    return resource


def _ints(value: Any) -> Any:
    """Wire numbers are floats (a protobuf Struct); a manifest has integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_ints(item) for item in value]
    return value


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container["env"]}


@pytest.fixture(scope="module")
def triton() -> ResourceGraph:
    return _record(_spec(server="triton", network={"client_namespaces": CLIENTS}))


@pytest.fixture(scope="module")
def kserve_triton() -> ResourceGraph:
    """Triton through KServe, serving the registry's approved version."""
    spec = _spec(server="triton", kserve={}, latest_approved_of="customer-churn")
    return _record(spec, RegistryModel(package_arn=PACKAGE, model_data_url=ARTIFACT))


@pytest.fixture(scope="module")
def kserve_custom() -> ResourceGraph:
    """A custom CPU server through KServe (the Standard name of raw deployment mode)."""
    spec = _spec(image=IMAGE, kserve={"deployment_mode": "Standard"}, gpus=0, min_replicas=1, replicas=1)
    return _record(spec)


# --- Triton ------------------------------------------------------------------------------------


def test_triton_runs_tritonserver_on_its_model_repository_and_ports(triton: ResourceGraph) -> None:
    [container] = _only(triton, DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["tritonserver"]
    assert container["args"] == [
        "--model-repository=/models",
        "--http-port=8000",
        "--grpc-port=8001",
        "--metrics-port=8002",
    ]
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {
        "http": 8000,
        "grpc": 8001,
        "metrics": 8002,
    }
    assert container["readinessProbe"]["httpGet"] == {
        "path": "/v2/health/ready",
        "port": "http",
        "scheme": "HTTP",
    }
    assert container["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert container["startupProbe"]["httpGet"]["path"] == "/v2/health/live"


def test_triton_keeps_the_hardened_pod(triton: ResourceGraph) -> None:
    pod = _only(triton, DEPLOYMENT).inputs["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"


def test_triton_service_and_network_policy_open_http_and_grpc_to_clients_metrics_to_monitoring(
    triton: ResourceGraph,
) -> None:
    ports = {p["name"]: (p["port"], p["targetPort"]) for p in _only(triton, SERVICE).inputs["spec"]["ports"]}
    assert ports == {"http": (80, "http"), "grpc": (8001, "grpc"), "metrics": (8002, "metrics")}
    clients, monitoring = _only(triton, NETWORK_POLICY).inputs["spec"]["ingress"]
    assert [p["port"] for p in clients["ports"]] == [8000, 8001]
    assert [p["port"] for p in monitoring["ports"]] == [8002]


def test_a_custom_server_gets_no_command_or_grpc_port() -> None:
    graph = _record(_spec(image=IMAGE))
    [container] = _only(graph, DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    assert "command" not in container and "args" not in container
    assert [p["name"] for p in container["ports"]] == ["http", "metrics"]


# --- KServe ------------------------------------------------------------------------------------


def test_kserve_renders_an_inference_service_instead_of_deployment_and_hpa(kserve_triton) -> None:
    assert kserve_triton.of_type(DEPLOYMENT) == [] and kserve_triton.of_type(HPA) == []
    isvc = _only(kserve_triton, ISVC)
    assert (isvc.inputs["apiVersion"], isvc.inputs["kind"]) == (
        "serving.kserve.io/v1beta1",
        "InferenceService",
    )
    assert isvc.inputs["metadata"]["name"] == "churn"
    assert isvc.inputs["metadata"]["annotations"] == {
        "serving.kserve.io/deploymentMode": "RawDeployment",
        "serving.kserve.io/autoscalerClass": "hpa",
    }
    assert kserve_triton.exports["deployment"] == "churn-predictor"
    assert kserve_triton.exports["namespace"] == "ml-serving"
    # The Service, PDB and NetworkPolicy stay, selecting the predictor's pods by the labels KServe puts on them.
    predictor = isvc.inputs["spec"]["predictor"]
    for token, path in ((SERVICE, ("selector",)), (PDB, ("selector", "matchLabels"))):
        selector = _only(kserve_triton, token).inputs["spec"]
        for key in path:
            selector = selector[key]
        assert selector.items() <= predictor["labels"].items()


def test_kserve_scales_between_the_replica_bounds_on_cpu(kserve_triton) -> None:
    predictor = _only(kserve_triton, ISVC).inputs["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 4)
    assert (predictor["scaleMetric"], predictor["scaleTarget"]) == ("cpu", 70)


def test_kserve_downloads_the_approved_artifact_into_tritons_model_repository(kserve_triton) -> None:
    predictor = _only(kserve_triton, ISVC).inputs["spec"]["predictor"]
    [container] = predictor["containers"]
    assert container["name"] == "kserve-container"
    env = _env(container)
    assert env["STORAGE_URI"] == ARTIFACT
    assert env["MODEL_PACKAGE_ARN"] == PACKAGE
    assert container["args"][0] == "--model-repository=/mnt/models"
    assert predictor["annotations"] == {MODEL_PACKAGE_ANNOTATION: PACKAGE}
    # The service account the model artifact role is bound to (EKS Pod Identity), without a token.
    assert predictor["serviceAccountName"] == "churn"
    assert predictor["automountServiceAccountToken"] is False


def test_kserve_predictor_carries_the_same_pod_as_the_deployment_would() -> None:
    model = RegistryModel(package_arn=PACKAGE, model_data_url=ARTIFACT)
    plain = _record(_spec(server="triton", model_repository="/mnt/models", image=TRITON), None)
    served = _record(_spec(server="triton", kserve={}, latest_approved_of="customer-churn"), model)
    pod = _only(plain, DEPLOYMENT).inputs["spec"]["template"]["spec"]
    predictor = _only(served, ISVC).inputs["spec"]["predictor"]
    for key in (
        "securityContext",
        "volumes",
        "nodeSelector",
        "tolerations",
        "topologySpreadConstraints",
        "enableServiceLinks",
        "terminationGracePeriodSeconds",
    ):
        assert predictor[key] == pod[key], key
    [deployed], [kserved] = pod["containers"], predictor["containers"]
    for key in ("securityContext", "resources", "readinessProbe", "livenessProbe", "ports", "volumeMounts"):
        assert kserved[key] == deployed[key], key


def test_a_custom_kserve_server_without_a_model_gets_no_storage_uri(kserve_custom) -> None:
    isvc = _only(kserve_custom, ISVC)
    assert isvc.inputs["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Standard"
    predictor = isvc.inputs["spec"]["predictor"]
    [container] = predictor["containers"]
    assert "STORAGE_URI" not in _env(container)
    assert "command" not in container
    assert "nodeSelector" not in predictor and "annotations" not in predictor
    assert "nvidia.com/gpu" not in container["resources"]["limits"]


# --- validity ------------------------------------------------------------------------------------

# The InferenceService is a custom resource kubernetes-validate does not know: its pod fields are
# checked as a core/v1 Pod (strict), the rest against this closed subset of the v1beta1 CRD schema.
_EXTENSION = {
    "minReplicas": {"type": "integer", "minimum": 0},
    "maxReplicas": {"type": "integer", "minimum": 0},
    "scaleMetric": {"enum": ["cpu", "memory", "concurrency", "rps"]},
    "scaleTarget": {"type": "integer"},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
}
ISVC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "serving.kserve.io/v1beta1"},
        "kind": {"const": "InferenceService"},
        "metadata": {"type": "object", "required": ["name", "namespace"]},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["predictor"],
            "properties": {"predictor": {"type": "object", "properties": _EXTENSION}},
        },
    },
}


def _split(isvc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the InferenceService with its predictor's pod fields, a Pod of those fields)."""
    predictor = isvc["spec"]["predictor"]
    pod = {key: value for key, value in predictor.items() if key not in _EXTENSION}
    return isvc, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("which", ["triton", "kserve_triton", "kserve_custom"])
def test_every_manifest_is_valid(request: pytest.FixtureRequest, which: str, version: str) -> None:
    graph: ResourceGraph = request.getfixturevalue(which)
    for resource in graph.cloud_resources:
        manifest = _ints(copy.deepcopy(dict(resource.inputs)))
        if resource.type == ISVC:
            manifest, pod = _split(manifest)
            jsonschema.validate(manifest, ISVC_SCHEMA)
            assert validate_manifest(pod, version) == version
        else:
            assert validate_manifest(manifest, version) == version, manifest["kind"]


def test_the_isvc_schema_catches_a_misspelt_predictor_field(kserve_custom) -> None:
    manifest = _ints(copy.deepcopy(dict(_only(kserve_custom, ISVC).inputs)))
    manifest["spec"]["predictor"]["containers"][0]["readynessProbe"] = {}
    _, pod = _split(manifest)
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(pod, KUBERNETES_VERSIONS[-1])
    manifest["spec"]["transformers"] = {}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, ISVC_SCHEMA)


# --- policy pack --------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["dev", "prod"])
@pytest.mark.parametrize("which", ["triton", "kserve_triton", "kserve_custom"])
def test_the_pack_reports_nothing(request: pytest.FixtureRequest, which: str, environment: str) -> None:
    graph: ResourceGraph = request.getfixturevalue(which)
    report = evaluate_report(graph.resources, load_pack_config(environment))
    assert report.violations == []
    assert report.undecided == []


def test_the_pack_refuses_a_privileged_or_unpinned_inference_service(kserve_triton) -> None:
    isvc = _only(kserve_triton, ISVC)
    inputs = copy.deepcopy(dict(isvc.inputs))
    container = inputs["spec"]["predictor"]["containers"][0]
    container["securityContext"]["privileged"] = True
    container["image"] = "nvcr.io/nvidia/tritonserver:25.09-py3"
    tampered = dataclasses.replace(isvc, inputs=inputs)
    violations = evaluate([tampered], load_pack_config("prod"))
    assert {v.policy_name for v in violations} == {
        "k8s-container-security-context",
        "k8s-image-pinned-by-digest",
    }
    assert any("spec.predictor.containers[0].securityContext.privileged" in v.message for v in violations)


# --- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"server": "triton", "port": 8080}, "server triton sets port to 8000", id="triton-port"),
        pytest.param(
            {"server": "triton", "readiness_path": "/ping"},
            "readiness_path to /v2/health/ready",
            id="triton-probe",
        ),
        pytest.param(
            {"server": "triton", "latest_approved_of": "customer-churn"},
            "server triton with latest_approved_of needs kserve",
            id="triton-registry-without-kserve",
        ),
        pytest.param(
            {"model_repository": "/models"}, "model_repository goes with server triton", id="repo-custom"
        ),
        pytest.param(
            {"server": "triton", "model_repository": "models"}, "must be an absolute path", id="relative-repo"
        ),
        pytest.param(
            {"kserve": {}, "canary": {"image": IMAGE}}, "kserve does not take canary", id="kserve-canary"
        ),
        pytest.param(
            {"kserve": {}, "target_gpu_utilization": 60},
            "kserve does not take target_gpu_utilization",
            id="kserve-gpu-hpa",
        ),
        pytest.param(
            {"kserve": {}, "custom_metric": {"name": "queue", "target_average_value": "5"}},
            "kserve does not take custom_metric",
            id="kserve-custom-metric",
        ),
        pytest.param(
            {"kserve": {}, "latest_approved_of": "customer-churn", "env": {"STORAGE_URI": "s3://x/y"}},
            "STORAGE_URI is set from the registry",
            id="kserve-hand-set-storage-uri",
        ),
        pytest.param({"kserve": {"deployment_mode": "Serverless"}}, "RawDeployment", id="kserve-serverless"),
    ],
)
def test_malformed_presets_are_rejected(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _spec(**changes)


def test_triton_values_may_be_repeated() -> None:
    spec = _spec(server="triton", port=8000, metrics_port=8002, liveness_path="/v2/health/live")
    assert (spec.port, spec.grpc_port, spec.metrics_port) == (8000, 8001, 8002)


def test_alerts_watch_the_deployment_kserve_creates() -> None:
    from components.kubernetes.kubernetes_alerts import serving_alert_rules
    from components.kubernetes.kubernetes_monitoring_spec import ServingMetricNames

    rules = {r["alert"]: r["expr"] for r in serving_alert_rules(_spec(kserve={}), ServingMetricNames())}
    assert 'deployment="churn-predictor"' in rules["ModelServerPodsNotReady"]
    assert 'pod=~"churn-predictor-[a-z0-9]+-[a-z0-9]+"' in rules["ModelServerGpuSaturated"]
    plain = {r["alert"]: r["expr"] for r in serving_alert_rules(_spec(), ServingMetricNames())}
    assert 'deployment="churn"' in plain["ModelServerPodsNotReady"]
