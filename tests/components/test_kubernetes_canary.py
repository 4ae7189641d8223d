"""A canary serving: a second Deployment of another image behind the same Service, with disjoint selectors,
its share of the traffic set by its replicas; promotion is a config change."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from components.kubernetes.kubernetes_serving import (
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
    kubernetes_provider,
)
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import load_pack_config
from tests.components.kubernetes_schema import validate_manifest
from tests.recorded import computed_once

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0" * 64
CANARY_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "1" * 64
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _spec(**changes: Any) -> KubernetesServingSpec:
    return KubernetesServingSpec.model_validate(
        {
            "name": "churn",
            "image": IMAGE,
            "replicas": 3,
            "min_replicas": 3,
            "max_replicas": 6,
            "env": {"LOG_LEVEL": "info"},
            "canary": {"image": CANARY_IMAGE, "replicas": 1, "env": {"LOG_LEVEL": "debug"}},
            **changes,
        }
    )


def _record(spec: KubernetesServingSpec) -> ResourceGraph:
    def program() -> None:
        provider = kubernetes_provider("eks", "kubeconfig", cluster_identifier="arn:aws:eks:cluster")
        KubernetesServing(
            "churn", KubernetesServingArgs(spec=spec), pulumi.ResourceOptions(providers=[provider])
        )

    # Once per version of the code and of this file: the spec as written is the key.
    return computed_once("serving", lambda: record_program(program), key=[repr(spec)])


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return _record(_spec())


def _deployments(graph: ResourceGraph) -> dict[str, RecordedResource]:
    return {d.inputs["metadata"]["name"]: d for d in graph.of_type(DEPLOYMENT)}


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def _pod_labels(deployment: RecordedResource) -> dict[str, str]:
    return deployment.inputs["spec"]["template"]["metadata"]["labels"]


def _env(deployment: RecordedResource) -> dict[str, str]:
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    return {item["name"]: item["value"] for item in container["env"]}


def test_the_canary_runs_its_image_and_count_beside_the_stable_deployment(graph: ResourceGraph) -> None:
    deployments = _deployments(graph)
    assert set(deployments) == {"churn", "churn-canary"}
    stable, canary = deployments["churn"], deployments["churn-canary"]
    assert stable.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
    assert canary.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == CANARY_IMAGE
    assert canary.inputs["spec"]["replicas"] == 1
    # Each Deployment labelled as what it is: a selector for the stable server never lists the canary.
    assert stable.inputs["metadata"]["labels"]["app.kubernetes.io/component"] == "model-server"
    assert canary.inputs["metadata"]["labels"]["app.kubernetes.io/component"] == "model-server-canary"
    assert _env(stable)["LOG_LEVEL"] == "info"
    assert _env(canary)["LOG_LEVEL"] == "debug"
    # Same pod otherwise: resources, probes, security context, service account.
    for key in ("serviceAccountName", "securityContext", "volumes", "nodeSelector", "tolerations"):
        assert stable.inputs["spec"]["template"]["spec"].get(key) == canary.inputs["spec"]["template"][
            "spec"
        ].get(key)


def test_selectors_are_disjoint_and_the_service_routes_to_both(graph: ResourceGraph) -> None:
    deployments = _deployments(graph)
    stable, canary = deployments["churn"], deployments["churn-canary"]
    stable_selector = stable.inputs["spec"]["selector"]["matchLabels"]
    canary_selector = canary.inputs["spec"]["selector"]["matchLabels"]
    # Neither Deployment (nor the stable HPA and PDB) selects the other's pods.
    assert not _matches(stable_selector, _pod_labels(canary))
    assert not _matches(canary_selector, _pod_labels(stable))
    [service] = graph.of_type("kubernetes:core/v1:Service")
    [policy] = graph.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    for pods in (_pod_labels(stable), _pod_labels(canary)):
        assert _matches(service.inputs["spec"]["selector"], pods)
        assert _matches(policy.inputs["spec"]["podSelector"]["matchLabels"], pods)
    [pdb] = graph.of_type("kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb.inputs["spec"]["selector"]["matchLabels"] == stable_selector
    [hpa] = graph.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert hpa.inputs["spec"]["scaleTargetRef"]["name"] == "churn"


def test_the_canary_takes_its_replica_share_of_the_requests(graph: ResourceGraph) -> None:
    deployments = _deployments(graph)
    stable = deployments["churn"].inputs["spec"]["replicas"]
    canary = deployments["churn-canary"].inputs["spec"]["replicas"]
    assert canary / (stable + canary) == pytest.approx(0.25)


def test_without_a_canary_the_service_selects_the_stable_pods_only() -> None:
    graph = _record(_spec(canary=None))
    [deployment] = graph.of_type(DEPLOYMENT)
    [service] = graph.of_type("kubernetes:core/v1:Service")
    assert service.inputs["spec"]["selector"] == deployment.inputs["spec"]["selector"]["matchLabels"]


def _ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_ints(item) for item in value]
    return value


@pytest.mark.parametrize("version", ["1.31", "1.34"])
def test_rendered_objects_are_valid_against_the_kubernetes_schema(graph: ResourceGraph, version: str) -> None:
    kinds = (DEPLOYMENT, "kubernetes:core/v1:Service", "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    for resource in [r for kind in kinds for r in graph.of_type(kind)]:
        manifest = _ints(json.loads(json.dumps(dict(resource.inputs))))
        assert validate_manifest(manifest, version) == version


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_policy_pack_reports_nothing_for_the_canary(graph: ResourceGraph, environment: str) -> None:
    report = evaluate_report(graph.resources, load_pack_config(environment))
    assert report.violations == [] and report.undecided == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"canary": {"image": "repo/churn:v2"}}, "must be pinned by digest", id="tag"),
        pytest.param({"canary": {"image": IMAGE}}, "the canary is promoted, remove canary", id="promoted"),
        pytest.param(
            {"canary": {"image": CANARY_IMAGE, "replicas": 0}}, "greater than or equal to 1", id="none"
        ),
        pytest.param({"name": "c" * 40}, "Deployment 'c{40}-canary' \\(47 characters\\)", id="long-name"),
        pytest.param(
            {
                "latest_approved_of": "churn",
                "canary": {"image": CANARY_IMAGE, "env": {"MODEL_DATA_URL": "s3://x/y"}},
            },
            "come from the registry",
            id="registry-variables",
        ),
    ],
)
def test_malformed_canaries_are_rejected(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _spec(**changes)
