"""How the stack composes its Kubernetes servings and their monitoring (stacks/composition/kubernetes.py),
pinned where tests/stacks/test_kubernetes_wiring.py leaves it open: which servings are alerted on, the
namespace Alertmanager's Pod Identity names, labels, tags, role paths, providers and resource names,
the registry group a serving asks for, and servings of one name in two namespaces.

Each document is recorded once per module (``recorded_stack``'s cache, or ``computed_once`` for the
recordings with a resolver of this module), from the prod fixture cut to what the servings read
(:func:`tests.stacks.conftest.kubernetes_cut`, and no training:
:func:`tests.stacks.test_kubernetes_wiring.without_training`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.recorder import ResourceGraph, record_stack_file
from stacks.config import CONFIG_KEY
from stacks.model_packages import ModelResolutionError, NoApprovedVersion, ResolvedModelPackage
from tests.conftest import load_stack_document
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import kubernetes_cut
from tests.stacks.test_kubernetes_wiring import ARTIFACT, IMAGE, _program_with, without_training
from tests.yaml_text import dump_document

CLUSTER = "arn:aws:eks:eu-west-1:333333333333:cluster/ml"
GROUP = "prod-customer-churn"
CHALLENGER = "prod-churn-challenger"
KUBECONFIG = "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n"


def _document(*, challenger: bool = False, **kubernetes_serving: Any) -> str:
    """The prod fixture, cut, serving on ``CLUSTER`` with ``kubernetes_serving``, with a kubeconfig;
    with a second family, ``churn-challenger`` (``CHALLENGER``), if ``challenger``."""
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    kubernetes_cut(platform)
    if challenger:
        family = platform["models"][0]
        platform["models"].append(
            {
                "name": "churn-challenger",
                "promotion": {"metric": "metrics.auc.value", "threshold": 0.8},
                "training": family["training"],
                "model_card": family["model_card"],
            }
        )
    without_training(platform)
    platform["kubernetes_serving"] = {"cluster_arn": CLUSTER, **kubernetes_serving}
    return dump_document(document).replace("config:\n", KUBECONFIG, 1)


def _write(folder: Path, text: str) -> str:
    path = folder / "Pulumi.prod.yaml"
    path.write_text(text)
    return str(path)


def _record_with(name: str, text: str, resolve, folder: Path) -> tuple[ResourceGraph, list[str]]:
    """``text`` recorded (in ``folder``) with ``resolve`` as the registry, once per version of the code,
    and the sources the program asked it for."""

    def compute() -> tuple[ResourceGraph, list[str]]:
        asked: list[str] = []

        def asking(source: str) -> ResolvedModelPackage:
            asked.append(source)
            return resolve(source)

        return record_stack_file(_write(folder, text), _program_with(asking)), asked

    return computed_once(name, compute, key=[text])


def _approved(source: str) -> ResolvedModelPackage:
    arn = f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{source}/7"
    return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=(ARTIFACT,))


def _tags(graph: ResourceGraph) -> dict[str, str]:
    """The stack's tags, as its training role (a foundation resource) carries them."""
    [role] = [r for r in graph.of_type("aws:iam/role:Role") if r.name.startswith("training-role")]
    return dict(role.inputs["tags"])


def _aws_provider(graph: ResourceGraph) -> str:
    [provider] = graph.of_type("pulumi:providers:aws")
    return provider.urn + "::"


def _env(deployment) -> dict[str, str]:
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    return {item["name"]: item["value"] for item in container.get("env", [])}


# --- Monitoring: two servings, one scraped, in a named namespace, alerting to SNS ---------------------

MONITORED = _document(
    servings=[
        {"name": "churn-gpu", "image": IMAGE},
        {"name": "fraud", "namespace": "ml-fraud", "image": IMAGE},
    ],
    monitoring={
        "namespace": "observability",
        "grafana_admin_secret": {"name": "grafana-admin"},
        "scrape": [{"name": "churn-gpu", "namespace": "ml-serving"}],
        "alerting": {"destination": "sns"},
    },
)


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return recorded_stack(_write(tmp_path_factory.mktemp("monitored"), MONITORED))


def test_only_the_scraped_servings_are_alerted_on(monitored) -> None:
    rules = monitored.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert [(r.inputs["metadata"]["name"], r.inputs["metadata"]["namespace"]) for r in rules] == [
        ("ml-serving-churn-gpu-alerts", "observability")
    ]
    monitors = monitored.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    assert [m.inputs["metadata"]["name"] for m in monitors] == ["ml-serving-churn-gpu"]


def test_alertmanagers_pod_identity_is_in_the_monitoring_namespace(monitored) -> None:
    [association] = monitored.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["clusterName"], association.inputs["namespace"]) == ("ml", "observability")
    assert association.inputs["serviceAccount"] == "alertmanager"
    [role] = [r for r in monitored.of_type("aws:iam/role:Role") if r.name == "k8s-alertmanager-sns-role"]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"] == "observability"


def test_alertmanagers_aws_resources_are_tagged_and_on_the_stacks_provider(monitored) -> None:
    tags = _tags(monitored)
    assert tags["cost-center"] == "cc-ml-1001"
    [role] = [r for r in monitored.of_type("aws:iam/role:Role") if r.name == "k8s-alertmanager-sns-role"]
    [association] = monitored.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert role.inputs["tags"] == tags
    assert association.inputs["tags"] == tags
    [policy] = [
        p
        for p in monitored.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.name == "k8s-alertmanager-sns-publish"
    ]
    for resource in (role, association, policy):
        assert resource.provider is not None and resource.provider.startswith(_aws_provider(monitored))


def test_the_monitoring_objects_carry_the_stacks_tags_as_labels(monitored) -> None:
    tags = _tags(monitored)
    [namespace] = [
        n
        for n in monitored.of_type("kubernetes:core/v1:Namespace")
        if n.inputs["metadata"]["name"] == "observability"
    ]
    [monitor] = monitored.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    [rule] = monitored.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    for resource in (namespace, monitor, rule):
        labels = resource.inputs["metadata"]["labels"]
        assert {key: labels.get(key) for key in tags} == tags


def test_the_components_are_named_after_the_servings_namespace_and_name(monitored) -> None:
    servings = monitored.of_type("mlops:kubernetes:KubernetesServing")
    assert sorted(s.name for s in servings) == ["k8s-ml-fraud-fraud", "k8s-ml-serving-churn-gpu"]
    [monitoring] = monitored.of_type("mlops:kubernetes:KubernetesMonitoring")
    assert monitoring.name == "k8s-monitoring"


# --- Three servings of one name: following an approved family, a plain image, a deferred family -------

FOLLOWING = _document(
    challenger=True,
    servings=[
        {
            "name": "churn-gpu",
            "namespace": "ml-models",
            "image": IMAGE,
            "latest_approved_of": "customer-churn",
        },
        {"name": "churn-gpu", "image": IMAGE},
        {
            "name": "churn-gpu",
            "namespace": "ml-shadow",
            "image": IMAGE,
            "latest_approved_of": "churn-challenger",
        },
    ],
)


def _only_the_primary_approved(source: str) -> ResolvedModelPackage:
    if source == GROUP:
        return _approved(source)
    raise NoApprovedVersion(source, group_exists=True)


@pytest.fixture(scope="module")
def following(tmp_path_factory: pytest.TempPathFactory) -> tuple[ResourceGraph, list[str]]:
    folder = tmp_path_factory.mktemp("following")
    return _record_with("following", FOLLOWING, _only_the_primary_approved, folder)


def test_a_serving_asks_the_registry_for_its_familys_group(following) -> None:
    graph, asked = following
    assert asked == [GROUP, CHALLENGER]
    [deployment] = [
        d
        for d in graph.of_type("kubernetes:apps/v1:Deployment")
        if d.inputs["metadata"]["namespace"] == "ml-models"
    ]
    assert _env(deployment)["MODEL_PACKAGE_ARN"] == (
        f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{GROUP}/7"
    )


def test_only_the_serving_that_follows_the_family_runs_its_version(following) -> None:
    """Servings are told apart by namespace and name: a plain serving that shares the name of one that
    follows a family in another namespace runs its own image, with no registry version nor role, and
    one of that name whose family has nothing approved is deferred (not given the other's version)."""
    graph, _ = following
    deployments = graph.of_type("kubernetes:apps/v1:Deployment")
    assert sorted(d.inputs["metadata"]["namespace"] for d in deployments) == ["ml-models", "ml-serving"]
    [deferral] = [w for w in graph.warnings if "is deferred" in w]
    assert deferral.startswith(
        f"kubernetes serving ml-shadow/churn-gpu is deferred: model package group {CHALLENGER} "
        "has no Approved version yet."
    )
    [plain] = [
        d
        for d in graph.of_type("kubernetes:apps/v1:Deployment")
        if d.inputs["metadata"]["namespace"] == "ml-serving"
    ]
    assert not {"MODEL_PACKAGE_ARN", "MODEL_DATA_URL"} & set(_env(plain))
    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["clusterName"], association.inputs["namespace"]) == ("ml", "ml-models")
    assert association.inputs["serviceAccount"] == "churn-gpu"
    [access] = graph.of_type("mlops:kubernetes:ModelArtifactAccess")
    assert access.name == "k8s-ml-models-churn-gpu-artifact"


def test_the_artifact_role_is_the_platforms_kind_of_role(following) -> None:
    graph, _ = following
    tags = _tags(graph)
    [training] = [r for r in graph.of_type("aws:iam/role:Role") if r.name.startswith("training-role")]
    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    [role] = [
        r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == association.inputs["roleArn"]
    ]
    [policy] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-artifact-read")
    ]
    # Under the platform's role path (the data key's policy lets those roles use it), with its tags.
    assert role.inputs["path"] == training.inputs["path"]
    assert role.inputs["tags"] == tags
    assert association.inputs["tags"] == tags
    for resource in (role, association, policy):
        assert resource.provider is not None and resource.provider.startswith(_aws_provider(graph))
    _, _, decrypt = json.loads(policy.inputs["policy"])["Statement"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


# --- Deferred servings -------------------------------------------------------------------------------

DEFERRED = _document(
    servings=[
        {"name": "churn-gpu", "image": IMAGE, "latest_approved_of": "customer-churn"},
        {"name": "fraud", "image": IMAGE},
    ],
    monitoring={"grafana_admin_secret": {"name": "grafana-admin"}},
)


@pytest.fixture(scope="module")
def deferred(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return recorded_stack(_write(tmp_path_factory.mktemp("deferred"), DEFERRED), registry="empty")


def test_a_deferred_serving_is_not_alerted_on(deferred) -> None:
    assert [d.inputs["metadata"]["name"] for d in deferred.of_type("kubernetes:apps/v1:Deployment")] == [
        "fraud"
    ]
    rules = deferred.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert [r.inputs["metadata"]["name"] for r in rules] == ["ml-serving-fraud-alerts"]


def test_a_deferral_for_a_missing_group_says_so(deferred) -> None:
    [warning] = [w for w in deferred.warnings if "kubernetes serving" in w]
    assert warning.startswith(
        f"kubernetes serving ml-serving/churn-gpu is deferred: model package group {GROUP} does not exist yet."
    )


def _two_artifacts(source: str) -> ResolvedModelPackage:
    arn = f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{source}/7"
    return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=(ARTIFACT, ARTIFACT + ".2"))


def test_a_version_with_two_model_artifacts_cannot_be_served_on_kubernetes(tmp_path) -> None:
    text = _document(servings=[{"name": "churn-gpu", "image": IMAGE, "latest_approved_of": "customer-churn"}])
    with pytest.raises(ModelResolutionError) as raised:
        record_stack_file(_write(tmp_path, text), _program_with(_two_artifacts))
    assert str(raised.value) == (
        f"kubernetes serving ml-serving/churn-gpu: model package "
        f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{GROUP}/7 has 2 containers with model "
        "artifacts; a Kubernetes serving runs one server"
    )
