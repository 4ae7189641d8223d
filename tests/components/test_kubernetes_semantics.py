"""What the Kubernetes serving and monitoring values mean, not only that they are there.

A mutation audit of the Kubernetes components found values every other test saw present but none pinned
by meaning: a readiness probe that pulls a pod out of the Service on one slow answer, a liveness probe
that restarts a pod before readiness has taken it out of rotation, a memory limit silently replaced by the
request (an OOM kill at the reserved size), topology spread that is hard instead of soft (GPU pods left
Pending) or that counts the other Deployment's pods, a shutdown grace cut short, an error-rate window that
no longer matches the alert's own description, Alertmanager grouping that mixes servings while the
notification's subject names one, an alert expression without its namespace matcher or reading the wrong
kube-state-metrics series, a KServe serving's alerts labelled with KServe's Deployment instead of the
serving, a prometheus-adapter budget that lets both replicas go at once (no HPA can scale while the custom
metrics API is down), chart memory limits far above their requests, a spec env that can no longer override
the cache directory, STORAGE_URI on pods without KServe's storage initializer, and Pod Security pinned to
an old profile version. Each test here fails under one such mutation.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest

from components.kubernetes.kubernetes_alerts import ERROR_WINDOW, RECEIVER
from components.kubernetes.kubernetes_monitoring import (
    KubernetesMonitoring,
    KubernetesMonitoringArgs,
    KubernetesMonitoringSpec,
)
from components.kubernetes.kubernetes_serving import (
    STORAGE_URI_ENV,
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
    RegistryModel,
    kubernetes_provider,
)
from components.kubernetes.kubernetes_serving_spec import MODEL_ENV
from planner.recorder import ResourceGraph, record_program
from tests.recorded import computed_once

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NAMESPACE = "kubernetes:core/v1:Namespace"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
RELEASE = "kubernetes:helm.sh/v3:Release"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0" * 64
CANARY_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "1" * 64
TOPIC = "arn:aws:sns:eu-west-1:111111111111:alerts"
PACKAGE = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/customer-churn/3"
ARTIFACT = "s3://models-bucket/customer-churn/3/model.tar.gz"


def _serving(**changes: Any) -> KubernetesServingSpec:
    return KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE, **changes})


def _opts() -> pulumi.ResourceOptions:
    provider = kubernetes_provider("eks", "kubeconfig", cluster_identifier="arn:aws:eks:cluster")
    return pulumi.ResourceOptions(providers=[provider])


def _record_serving(spec: KubernetesServingSpec, model: RegistryModel | None = None) -> ResourceGraph:
    def program() -> None:
        KubernetesServing("churn", KubernetesServingArgs(spec=spec, model=model), _opts())

    # Once per version of the code and of this file: the spec and the model as written are the key.
    return computed_once("serving", lambda: record_program(program), key=[repr((spec, model))])


def _record_monitoring(
    spec: KubernetesMonitoringSpec, servings: list[KubernetesServingSpec]
) -> ResourceGraph:
    def program() -> None:
        KubernetesMonitoring(
            "monitoring",
            KubernetesMonitoringArgs(spec=spec, servings=servings, alert_topic_arn=TOPIC, region="eu-west-1"),
            _opts(),
        )

    # Once per version of the code and of this file: the spec and the servings as written are the key.
    return computed_once("monitoring", lambda: record_program(program), key=[repr((spec, servings))])


def _values(graph: ResourceGraph, chart: str) -> dict[str, Any]:
    [release] = [r for r in graph.of_type(RELEASE) if r.inputs["chart"] == chart]
    return release.inputs["values"]


@pytest.fixture(scope="module")
def serving_graph() -> ResourceGraph:
    """A GPU serving with a canary, and limits that differ from its requests."""
    return _record_serving(
        _serving(
            replicas=3,
            min_replicas=3,
            max_replicas=6,
            cpu_request="2",
            cpu_limit="4",
            memory_request="8Gi",
            memory_limit="12Gi",
            canary={"image": CANARY_IMAGE, "replicas": 1},
        )
    )


@pytest.fixture(scope="module")
def monitoring_graph() -> ResourceGraph:
    spec = KubernetesMonitoringSpec.model_validate(
        {
            "grafana_admin_secret": {"name": "grafana-admin"},
            "scrape": [{"name": "churn"}],
            "alerting": {"destination": "sns"},
        }
    )
    # A GPU serving (the Deployment is its name) and a KServe one (KServe's Deployment is <name>-predictor).
    kserve = _serving(name="fraud", namespace="risk-serving", gpus=0, kserve={}, min_replicas=1, replicas=1)
    return _record_monitoring(spec, [_serving(), kserve])


def _deployments(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {d.inputs["metadata"]["name"]: d.inputs["spec"] for d in graph.of_type(DEPLOYMENT)}


def _containers(graph: ResourceGraph) -> list[dict[str, Any]]:
    return [c for spec in _deployments(graph).values() for c in spec["template"]["spec"]["containers"]]


# --- the pods ------------------------------------------------------------------------------------


def test_readiness_takes_a_pod_out_of_rotation_before_liveness_restarts_it(
    serving_graph: ResourceGraph,
) -> None:
    for container in _containers(serving_graph):
        readiness, liveness = container["readinessProbe"], container["livenessProbe"]
        # One slow answer (a long batch, a GC pause) must not pull a pod out of the Service.
        assert readiness["failureThreshold"] == 3
        assert (readiness["periodSeconds"], readiness["timeoutSeconds"]) == (10, 3)
        assert liveness["failureThreshold"] == 3
        assert (liveness["periodSeconds"], liveness["timeoutSeconds"]) == (20, 5)
        # A struggling pod stops receiving traffic first and gets the chance to recover; only a pod that
        # stays unhealthy for twice as long is restarted (a restart means reloading the model).
        unready_after = readiness["periodSeconds"] * readiness["failureThreshold"]
        restarted_after = liveness["periodSeconds"] * liveness["failureThreshold"]
        assert restarted_after >= 2 * unready_after
        assert readiness["successThreshold"] == liveness["successThreshold"] == 1


def test_limits_are_the_specs_limits_not_its_requests(serving_graph: ResourceGraph) -> None:
    for container in _containers(serving_graph):
        resources = container["resources"]
        assert resources["requests"]["memory"] == "8Gi"
        # Above the limit the container is OOM-killed: a limit replaced by the request kills at 8Gi.
        assert resources["limits"]["memory"] == "12Gi"
        assert (resources["requests"]["cpu"], resources["limits"]["cpu"]) == ("2", "4")


def test_each_deployment_spreads_its_own_pods_softly(serving_graph: ResourceGraph) -> None:
    deployments = _deployments(serving_graph)
    assert set(deployments) == {"churn", "churn-canary"}
    for name, spec in deployments.items():
        constraints = spec["template"]["spec"]["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in constraints} == {
            "topology.kubernetes.io/zone",
            "kubernetes.io/hostname",
        }
        for constraint in constraints:
            # GPU capacity is often in one zone: a hard constraint would leave pods Pending.
            assert constraint["whenUnsatisfiable"] == "ScheduleAnyway", name
            assert constraint["maxSkew"] == 1, name
            # The Deployment's own pods (the canary's skew is not the stable pods'), per ReplicaSet.
            assert constraint["labelSelector"] == spec["selector"], name
            assert constraint["matchLabelKeys"] == ["pod-template-hash"], name


def test_pods_get_time_to_finish_in_flight_requests(serving_graph: ResourceGraph) -> None:
    for spec in _deployments(serving_graph).values():
        pod = spec["template"]["spec"]
        # At least Kubernetes' default 30s; a model server's inference calls may take seconds each.
        assert pod["terminationGracePeriodSeconds"] == 60


def test_the_specs_env_may_override_the_cache_directory() -> None:
    graph = _record_serving(_serving(env={"XDG_CACHE_HOME": "/models/cache"}))
    [container] = _containers(graph)
    env = [(e["name"], e["value"]) for e in container["env"]]
    # The docstring's promise: the spec's env wins over the default cache path.
    assert [value for name, value in env if name == "XDG_CACHE_HOME"] == ["/models/cache"]


def test_only_kserve_gets_the_storage_initializers_variable() -> None:
    model = RegistryModel(package_arn=PACKAGE, model_data_url=ARTIFACT)
    graph = _record_serving(_serving(latest_approved_of="customer-churn"), model)
    [container] = _containers(graph)
    names = {e["name"] for e in container["env"]}
    assert set(MODEL_ENV) <= names  # the version and its artifact are there
    # A plain Deployment has no storage initializer: STORAGE_URI would tell the server to fetch the artifact.
    assert STORAGE_URI_ENV not in names


def test_the_namespace_enforces_the_current_restricted_profile(serving_graph: ResourceGraph) -> None:
    [namespace] = serving_graph.of_type(NAMESPACE)
    labels = namespace.inputs["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted", mode
    # Pinned to an old release, the restricted profile would miss every check added since.
    assert labels["pod-security.kubernetes.io/enforce-version"] == "latest"


# --- the alerts ----------------------------------------------------------------------------------


def _rule_groups(graph: ResourceGraph) -> dict[str, list[dict[str, Any]]]:
    groups = {}
    for resource in graph.of_type(RULE):
        [group] = resource.inputs["spec"]["groups"]
        groups[group["name"]] = group["rules"]
    return groups


def test_the_error_rate_compares_both_counts_over_the_window_its_description_names(
    monitoring_graph: ResourceGraph,
) -> None:
    rules = {r["alert"]: r for r in _rule_groups(monitoring_graph)["ml-serving-churn"]}
    rule = rules["ModelServerHighErrorRate"]
    windows = re.findall(r"\[([0-9]+[smh])\]", rule["expr"])
    # Errors and requests over the same window, the one the page describes ("over 5 minutes").
    assert windows == ["5m", "5m"] == [ERROR_WINDOW] * 2
    assert "over 5 minutes" in rule["annotations"]["description"]
    latency = rules["ModelServerHighLatencyP99"]
    assert re.findall(r"\[([0-9]+[smh])\]", latency["expr"]) == ["5m"]


def test_every_series_an_alert_reads_is_the_servings_own(monitoring_graph: ResourceGraph) -> None:
    groups = _rule_groups(monitoring_graph)
    assert set(groups) == {"ml-serving-churn", "risk-serving-fraud"}
    for namespace, name, deployment in (
        ("ml-serving", "churn", "churn"),
        ("risk-serving", "fraud", "fraud-predictor"),
    ):
        for rule in groups[f"{namespace}-{name}"]:
            # The page names the serving (not KServe's Deployment) so routing and the subject agree.
            assert rule["labels"]["serving"] == name, rule["alert"]
            assert rule["labels"]["namespace"] == namespace, rule["alert"]
            selectors = re.findall(r"\{([^{}]*)\}", rule["expr"])
            assert selectors, rule["alert"]
            for selector in selectors:
                # Without the namespace matcher a same-named serving elsewhere would be averaged in.
                assert f'namespace="{namespace}"' in selector, (rule["alert"], selector)
        not_ready = {r["alert"]: r for r in groups[f"{namespace}-{name}"]}["ModelServerPodsNotReady"]
        assert not_ready["expr"] == (
            f'kube_deployment_status_replicas_unavailable{{namespace="{namespace}",deployment="{deployment}"}} > 0'
        )


def test_alertmanager_groups_by_every_label_the_notification_names(monitoring_graph: ResourceGraph) -> None:
    route = _values(monitoring_graph, "kube-prometheus-stack")["alertmanager"]["config"]["route"]
    config = _values(monitoring_graph, "kube-prometheus-stack")["alertmanager"]["config"]
    [receiver] = [r for r in config["receivers"] if r["name"] == RECEIVER]
    subject = receiver["sns_configs"][0]["subject"]
    named = set(re.findall(r"\.CommonLabels\.([a-z_]+)", subject))
    assert named == {"alertname", "namespace", "serving"}
    # A label the subject reads but the grouping drops is empty whenever two servings' alerts share a
    # notification: the page would not say which model server is failing.
    assert named <= set(route["group_by"])
    # One notification per group at first (after 30s), then an update at most every 5 minutes.
    assert (route["group_wait"], route["group_interval"]) == ("30s", "5m")


def test_the_custom_metrics_api_survives_a_voluntary_disruption(monitoring_graph: ResourceGraph) -> None:
    adapter = _values(monitoring_graph, "prometheus-adapter")
    budget = adapter["podDisruptionBudget"]
    assert budget["enabled"] is True
    # While the custom metrics API is down no HPA can scale on GPU utilisation: a drain keeps one up.
    assert adapter["replicas"] - budget["maxUnavailable"] >= 1


_BYTES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def _bytes(quantity: str) -> int:
    match = re.fullmatch(r"([0-9]+)(Ki|Mi|Gi)", quantity)
    assert match, quantity
    return int(match[1]) * _BYTES[match[2]]


def _resource_blocks(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        found = [(path, value)] if {"requests", "limits"} <= set(value) else []
        for key, child in value.items():
            found += _resource_blocks(child, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [block for i, child in enumerate(value) for block in _resource_blocks(child, f"{path}[{i}]")]
    return []


def test_chart_memory_limits_stay_near_their_requests(monitoring_graph: ResourceGraph) -> None:
    blocks = [
        (f"{release.inputs['chart']}{path}", block)
        for release in monitoring_graph.of_type(RELEASE)
        for path, block in _resource_blocks(release.inputs["values"])
    ]
    assert len(blocks) >= 8
    for path, block in blocks:
        request, limit = _bytes(block["requests"]["memory"]), _bytes(block["limits"]["memory"])
        # Near the request: a runaway part is OOM-killed instead of squeezing the node's other pods.
        assert request <= limit <= 2 * request, path
