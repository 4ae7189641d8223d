"""Kubernetes serving wired from the stack file: provider from the secret kubeconfig, clear errors without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.recorder import ResourceGraph, record_stack_file
from policies.local import evaluate_report
from policies.registry import load_pack_config
from stacks.config import ConfigError
from tests.conftest import load_stack_document
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import kubernetes_cut

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64


def _cut(edit):
    """``edit`` on the prod fixture cut to what its Kubernetes servings read
    (:func:`tests.stacks.conftest.kubernetes_cut`: no SageMaker endpoints, batch scoring, budget,
    delivery, DVC remote, audit trail or retraining triggers), and no training either (the families
    keep their registry groups, which a serving follows; their training, Evidently report and quality
    alarms go, as tests/stacks/test_package_composition_mutation_audit.py's Kubernetes-only stack
    has them), for the tests that record a stack: what they assert on (the servings, their
    provider, monitoring, alerting, network peers, the registry-backed artifact access, what the
    registry is asked, the warnings and the pack's verdict on the new resources) is the same in the
    whole and the cut graph (kubernetes_cut alone: 148-161 resources; with no training: 106-132).
    The tests of a configuration error write the whole fixture: the error is raised before any
    resource is recorded, so a cut saves nothing there."""

    def change(platform: dict) -> None:
        kubernetes_cut(platform)
        without_training(platform)
        edit(platform)

    return change


def without_training(platform: dict) -> None:
    """No training (``training.enabled: false``): each family keeps its registry group and loses its
    training, Evidently report and quality alarms, which only training and SageMaker endpoints read
    (a Kubernetes serving reads its family's group)."""
    platform["training"] = {"enabled": False}
    for family in platform["models"]:
        for key in ("training", "evidently", "quality_alarms"):
            family.pop(key, None)


def _serving(platform: dict) -> None:
    platform["kubernetes_serving"] = {
        "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
        "servings": [{"name": "churn-gpu", "image": IMAGE}],
    }


def test_servings_use_a_kubernetes_provider_built_from_the_secret_kubeconfig(write_stack, tmp_path) -> None:
    path = write_stack("prod", _cut(_serving))
    text = path.read_text().replace(
        "config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1\\nkind: Config'\n", 1
    )
    path.write_text(text)

    graph = recorded_stack(str(path))

    [provider] = graph.of_type("pulumi:providers:kubernetes")
    assert provider.inputs["clusterIdentifier"] == "arn:aws:eks:eu-west-1:333333333333:cluster/ml"
    [deployment] = graph.of_type("kubernetes:apps/v1:Deployment")
    assert deployment.provider.startswith(provider.urn + "::")
    assert graph.component_of(deployment).type == "mlops:kubernetes:KubernetesServing"
    assert deployment.inputs["metadata"]["labels"]["cost-center"] == "cc-ml-1001"


def test_servings_without_a_kubeconfig_name_the_missing_key(write_stack) -> None:
    path = write_stack("prod", _serving)
    with pytest.raises(ConfigError, match=r"mlops-platform:kubeconfig: missing; kubernetes_serving needs it"):
        recorded_stack(str(path))


def test_tags_must_be_valid_labels_when_kubernetes_serves(write_stack) -> None:
    def edit(platform: dict) -> None:
        _serving(platform)
        platform["tags"]["owner"] = "ML platform team"

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as raised:
        recorded_stack(str(path))
    assert (
        f"{path}: mlops-platform:platform.tags.owner: 'ML platform team' is not a valid Kubernetes "
        "label value, which kubernetes_serving needs every tag to be"
    ) in str(raised.value)


def test_shipped_stacks_serve_only_on_sagemaker() -> None:
    for stack in ("dev", "staging", "prod"):
        assert "kubernetes_serving" not in load_stack_document(stack)["config"]["mlops-platform:platform"]


def _monitored(platform: dict) -> None:
    _serving(platform)
    platform["kubernetes_serving"]["monitoring"] = {"grafana_admin_secret": {"name": "grafana-admin"}}


def test_monitoring_scrapes_every_serving_by_default(write_stack) -> None:
    path = write_stack("prod", _cut(_monitored))
    path.write_text(
        path.read_text().replace("config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n", 1)
    )

    graph = recorded_stack(str(path))

    [provider] = graph.of_type("pulumi:providers:kubernetes")
    releases = graph.of_type("kubernetes:helm.sh/v3:Release")
    assert {r.inputs["chart"] for r in releases} == {
        "kube-prometheus-stack",
        "dcgm-exporter",
        "prometheus-adapter",
    }
    assert all(r.provider.startswith(provider.urn + "::") for r in releases)
    [monitor] = graph.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    assert monitor.inputs["metadata"]["name"] == "ml-serving-churn-gpu"
    assert monitor.inputs["spec"]["namespaceSelector"] == {"matchNames": ["ml-serving"]}


def test_monitoring_must_scrape_servings_of_the_stack(write_stack) -> None:
    def edit(platform: dict) -> None:
        _monitored(platform)
        platform["kubernetes_serving"]["monitoring"]["scrape"] = [
            {"name": "fraud", "namespace": "ml-serving"}
        ]

    with pytest.raises(
        ConfigError,
        match=r"kubernetes_serving\.monitoring\.scrape\[0\]: monitoring.scrape names no serving of this stack: "
        r"ml-serving/fraud",
    ):
        recorded_stack(str(write_stack("prod", edit)))


def _metrics_peers(graph) -> list[dict]:
    [policy] = graph.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    [rule] = policy.inputs["spec"]["ingress"]
    assert rule["ports"] == [{"port": 9090, "protocol": "TCP"}]
    return rule["from"]


@pytest.mark.parametrize(
    ("network", "allowed"),
    [
        pytest.param(None, "observability", id="the-stacks-monitoring-namespace"),
        pytest.param({"monitoring_namespace": "prometheus"}, "prometheus", id="explicit-setting-wins"),
    ],
)
def test_servings_let_the_stacks_prometheus_scrape_their_metrics_port(write_stack, network, allowed) -> None:
    def edit(platform: dict) -> None:
        _monitored(platform)
        platform["kubernetes_serving"]["monitoring"]["namespace"] = "observability"
        if network is not None:
            platform["kubernetes_serving"]["servings"][0]["network"] = network

    path = write_stack("prod", _cut(edit))
    path.write_text(
        path.read_text().replace("config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n", 1)
    )

    peers = _metrics_peers(recorded_stack(str(path)))

    assert peers == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": allowed}}}]


@pytest.mark.parametrize("monitored", [False, True], ids=["unmonitored-fails", "monitored-passes"])
def test_gpu_autoscaling_needs_the_stacks_monitoring(write_stack, monitored: bool) -> None:
    def edit(platform: dict) -> None:
        (_monitored if monitored else _serving)(platform)
        platform["kubernetes_serving"]["servings"][0].update({"gpus": 1, "target_gpu_utilization": 70})

    # Only the monitored case records a stack (the other fails validation): it alone is cut.
    path = write_stack("prod", _cut(edit) if monitored else edit)
    path.write_text(
        path.read_text().replace("config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n", 1)
    )
    if not monitored:
        with pytest.raises(ConfigError) as error:
            recorded_stack(str(path))
        message = str(error.value)
        assert str(path) in message
        assert "kubernetes_serving.servings[0].target_gpu_utilization" in message
        assert "prometheus-adapter" in message
        return
    graph = recorded_stack(str(path))
    [hpa] = graph.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    metrics = [m["pods"]["metric"]["name"] for m in hpa.inputs["spec"]["metrics"] if m["type"] == "Pods"]
    assert metrics == ["DCGM_FI_DEV_GPU_UTIL"]


def _alerting(destination: dict) -> object:
    def edit(platform: dict) -> None:
        _monitored(platform)
        platform["kubernetes_serving"]["monitoring"]["alerting"] = destination

    return edit


def _with_kubeconfig(path) -> str:
    path.write_text(
        path.read_text().replace("config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n", 1)
    )
    return str(path)


def test_sns_alerting_publishes_to_the_stacks_alert_topic_through_pod_identity(write_stack) -> None:
    # Byte for byte test_package_composition_mutation_audit.py's Kubernetes-only stack (the same cut,
    # edit and file name): one recording for both.
    path = write_stack("prod", _cut(_alerting({"destination": "sns"})), name="Pulumi.prod.yaml")
    graph = recorded_stack(_with_kubeconfig(path))

    [topic] = [t for t in graph.of_type("aws:sns/topic:Topic") if t.name == "alerts-topic"]
    [stack] = [
        r
        for r in graph.of_type("kubernetes:helm.sh/v3:Release")
        if r.inputs["chart"] == "kube-prometheus-stack"
    ]
    config = stack.inputs["values"]["alertmanager"]["config"]
    [receiver] = [r for r in config["receivers"] if r["name"] == "mlops-platform"]
    assert receiver["sns_configs"][0]["topic_arn"] == topic.outputs["arn"]
    assert receiver["sns_configs"][0]["sigv4"] == {"region": "eu-west-1"}

    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["clusterName"] == "ml"
    assert association.inputs["namespace"] == "monitoring"
    assert association.inputs["serviceAccount"] == "alertmanager"
    [role] = [r for r in graph.of_type("aws:iam/role:Role") if r.name == "k8s-alertmanager-sns-role"]
    assert association.inputs["roleArn"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": "333333333333",
                    "aws:RequestTag/eks-cluster-name": "ml",
                    "aws:RequestTag/kubernetes-namespace": "monitoring",
                    "aws:RequestTag/kubernetes-service-account": "alertmanager",
                }
            },
        }
    ]
    assert association.inputs["disableSessionTags"] is False
    [policy] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "k8s-alertmanager-sns-publish"
    ]
    publish, kms = json.loads(policy.inputs["policy"])["Statement"]
    assert (publish["Action"], publish["Resource"]) == ("sns:Publish", topic.outputs["arn"])
    [key] = [k for k in graph.of_type("aws:kms/key:Key") if k.name.startswith("kms-notifications")]
    assert kms["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    assert kms["Resource"] == key.outputs["arn"]
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "sns.eu-west-1.amazonaws.com"}}
    # Under the platform's role path: the notifications key's policy lets those roles use it.
    assert role.inputs["path"] == graph.of_type("aws:iam/role:Role")[0].inputs["path"]

    rules = graph.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert [r.inputs["metadata"]["name"] for r in rules] == ["ml-serving-churn-gpu-alerts"]

    # The pack judges the new role, policy and association like every other resource of the stack.
    report = evaluate_report(graph.resources, load_pack_config("prod"))
    new = {"k8s-alertmanager-sns-role", "k8s-alertmanager-sns-publish", "k8s-alertmanager-sns-pod-identity"}
    assert [v for v in report.violations if v.resource_name in new] == []
    assert [u for u in report.undecided if any((u.urn or "").endswith(f"::{n}") for n in new)] == []


def test_webhook_alerting_needs_no_aws_access(write_stack) -> None:
    url = "https://hooks.example.com/alerts"
    path = write_stack("prod", _cut(_alerting({"destination": "webhook", "webhook_url": url})))
    graph = recorded_stack(_with_kubeconfig(path))
    assert graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation") == []


@pytest.mark.parametrize(
    ("cluster_arn", "message"),
    [
        pytest.param(None, "needs the cluster's ARN", id="no-cluster-arn"),
        pytest.param(
            "arn:aws:eks:eu-west-1:444444444444:cluster/ml",
            "in this stack's account and region",
            id="other-account",
        ),
        pytest.param(
            "arn:aws:eks:us-east-1:333333333333:cluster/ml",
            "in this stack's account and region",
            id="other-region",
        ),
    ],
)
def test_sns_alerting_needs_a_cluster_of_the_stacks_account(write_stack, cluster_arn, message) -> None:
    def edit(platform: dict) -> None:
        _alerting({"destination": "sns"})(platform)
        platform["kubernetes_serving"]["cluster_arn"] = cluster_arn
        if cluster_arn is None:
            del platform["kubernetes_serving"]["cluster_arn"]

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as error:
        recorded_stack(_with_kubeconfig(path))
    assert f"{path}: mlops-platform:platform.kubernetes_serving.cluster_arn" in str(error.value)
    assert message in str(error.value)


def test_a_malformed_webhook_names_its_key(write_stack) -> None:
    path = write_stack(
        "prod", _alerting({"destination": "webhook", "webhook_url": "http://hooks.example.com"})
    )
    with pytest.raises(ConfigError) as error:
        recorded_stack(_with_kubeconfig(path))
    assert "kubernetes_serving.monitoring.alerting" in str(error.value)
    assert "must start with https://" in str(error.value)


ARTIFACT = "s3://prod-artifacts-1a2b/models/prod-customer-churn-training/7/output/model.tar.gz"


def _follows_family(platform: dict) -> None:
    _serving(platform)
    platform["kubernetes_serving"]["servings"][0]["latest_approved_of"] = "customer-churn"


def _program_with(resolve):
    from stacks.model_packages import nothing_deployed
    from stacks.program import run

    return lambda source: run(
        source, resolver_factory=lambda config: resolve, deployed_factory=lambda config: nothing_deployed
    )


def test_a_serving_follows_its_familys_latest_approved_version(write_stack) -> None:
    from stacks.model_packages import ResolvedModelPackage

    def record(path: str) -> tuple[ResourceGraph, list[str]]:
        asked = []

        def resolve(source: str) -> ResolvedModelPackage:
            asked.append(source)
            arn = f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{source}/7"
            return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=(ARTIFACT,))

        return record_stack_file(path, _program_with(resolve)), asked

    path = _with_kubeconfig(write_stack("prod", _cut(_follows_family)))
    # Recorded once per version of the code, of this module (its resolver) and of the document, with
    # what the registry was asked (tests/recorded.py, computed_once); the graph holds nothing of the
    # file's folder.
    graph, asked = computed_once("follows-family", lambda: record(path), key=[Path(path).read_text()])

    [deployment] = graph.of_type("kubernetes:apps/v1:Deployment")
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    group = next(source for source in asked if "customer-churn" in source)
    assert env["MODEL_PACKAGE_ARN"] == f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{group}/7"
    assert env["MODEL_DATA_URL"] == ARTIFACT
    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["clusterName"], association.inputs["namespace"]) == ("ml", "ml-serving")
    assert association.inputs["serviceAccount"] == "churn-gpu"
    [role] = [
        r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == association.inputs["roleArn"]
    ]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "333333333333",
        "aws:RequestTag/eks-cluster-name": "ml",
        "aws:RequestTag/kubernetes-namespace": "ml-serving",
        "aws:RequestTag/kubernetes-service-account": "churn-gpu",
    }
    [policy] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-artifact-read")
    ]
    read, _, decrypt = json.loads(policy.inputs["policy"])["Statement"]
    assert read["Resource"] == "arn:aws:s3:::" + ARTIFACT.removeprefix("s3://")
    [data_key] = [k for k in graph.of_type("aws:kms/key:Key") if k.name.startswith("kms-data")]
    assert decrypt["Resource"] == data_key.outputs["arn"]


def test_a_serving_with_nothing_approved_is_deferred(write_stack) -> None:
    path = _with_kubeconfig(write_stack("prod", _cut(_follows_family)))
    # The offline plan of a first deploy: its registry has no Approved version of any family.
    graph = recorded_stack(path, registry="empty")

    assert graph.of_type("kubernetes:apps/v1:Deployment") == []
    assert graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation") == []
    assert any("kubernetes serving ml-serving/churn-gpu is deferred" in w for w in graph.warnings)


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        pytest.param(
            {"latest_approved_of": "fraud"},
            "kubernetes_serving.servings[0].latest_approved_of",
            "'fraud' is not a model family of this stack (customer-churn)",
            id="unknown-family",
        ),
        pytest.param(
            {"latest_approved_of": "customer-churn", "env": {"MODEL_DATA_URL": "s3://x/y"}},
            "kubernetes_serving.servings[0]",
            "are set from the registry",
            id="hand-set-artifact",
        ),
    ],
)
def test_registry_backed_serving_errors_name_the_key(write_stack, edit, key, message) -> None:
    def change(platform: dict) -> None:
        _serving(platform)
        platform["kubernetes_serving"]["servings"][0].update(edit)

    path = write_stack("prod", change)
    with pytest.raises(ConfigError) as error:
        recorded_stack(_with_kubeconfig(path))
    assert f"{path}: mlops-platform:platform.{key}" in str(error.value)
    assert message in str(error.value)
