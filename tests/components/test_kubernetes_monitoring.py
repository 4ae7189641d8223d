"""KubernetesMonitoring: pinned charts with the intended values, ServiceMonitors that find the model servers,
and a GPU dashboard Grafana's sidecar loads; manifests checked offline."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import kubernetes_validate
import pulumi
import pytest
from pydantic import ValidationError

from components import versions
from components.kubernetes.kubernetes_monitoring import (
    DASHBOARD_CONFIG_MAP,
    KubernetesMonitoring,
    KubernetesMonitoringArgs,
    KubernetesMonitoringSpec,
    gpu_serving_dashboard,
)
from components.kubernetes.kubernetes_serving import (
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
    kubernetes_provider,
)
from components.kubernetes.kubernetes_serving_spec import GPU_UTILIZATION_METRIC
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import load_pack_config
from tests.components.kubernetes_schema import validate_manifest
from tests.recorded import computed_once

COMPONENT = "mlops:kubernetes:KubernetesMonitoring"
NAMESPACE = "kubernetes:core/v1:Namespace"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
RELEASE = "kubernetes:helm.sh/v3:Release"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
SERVICE = "kubernetes:core/v1:Service"
KUBERNETES_VERSIONS = ("1.31", "1.34")
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
LABELS = {"owner": "ml-platform-team", "cost-center": "cc-ml-1001"}
SECRET = {"name": "grafana-admin"}
SCRAPE = [{"name": "churn"}, {"name": "fraud", "namespace": "risk-serving", "path": "/stats"}]
DCGM_METRICS = {
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_FB_FREE",
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
}
HPA_METRICS = {
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "kube_horizontalpodautoscaler_spec_max_replicas",
}


# --- helpers -------------------------------------------------------------------------------------


def _spec(**changes: Any) -> KubernetesMonitoringSpec:
    return KubernetesMonitoringSpec.model_validate({"grafana_admin_secret": SECRET, **changes})


def _provider_opts(option: str = "providers") -> pulumi.ResourceOptions:
    provider = kubernetes_provider("eks", "kubeconfig-contents", cluster_identifier="arn:aws:eks:cluster")
    return pulumi.ResourceOptions(**{option: provider if option == "provider" else [provider]})


def _record(
    spec: KubernetesMonitoringSpec,
    *,
    labels: dict[str, str] | None = None,
    option: str = "providers",
    serving: KubernetesServingSpec | None = None,
) -> ResourceGraph:
    def program() -> None:
        opts = _provider_opts(option)
        if serving is not None:
            KubernetesServing("churn-serving", KubernetesServingArgs(spec=serving), opts=opts)
        monitoring = KubernetesMonitoring(
            "monitoring", KubernetesMonitoringArgs(spec=spec, labels=labels or {}), opts=opts
        )
        for output in (
            "monitoring_namespace",
            "agents_namespace",
            "prometheus_release_name",
            "dcgm_exporter_release_name",
            "prometheus_adapter_release_name",
            "dashboard_config_map_name",
        ):
            pulumi.export(output, getattr(monitoring, output))

    # Once per version of the code and of this file: the arguments as written are the key.
    return computed_once(
        "monitoring", lambda: record_program(program), key=[repr((spec, labels, option, serving))]
    )


def _only(graph: ResourceGraph, type_token: str) -> RecordedResource:
    [resource] = graph.of_type(type_token)
    return resource


def _release(graph: ResourceGraph, chart: str) -> RecordedResource:
    [release] = [r for r in graph.of_type(RELEASE) if r.inputs["chart"] == chart]
    return release


def _values(graph: ResourceGraph, chart: str) -> dict[str, Any]:
    return _release(graph, chart).inputs["values"]


def _namespace(graph: ResourceGraph, name: str) -> RecordedResource:
    [namespace] = [r for r in graph.of_type(NAMESPACE) if r.inputs["metadata"]["name"] == name]
    return namespace


def _dashboard(graph: ResourceGraph) -> dict[str, Any]:
    [document] = _only(graph, CONFIG_MAP).inputs["data"].values()
    return json.loads(document)


def _exprs(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] if p["type"] != "row" for t in p["targets"]]


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
    """A recorded pulumi-kubernetes object as the manifest it applies (the SDK sends apiVersion and kind)."""
    return _ints(copy.deepcopy(dict(resource.inputs)))


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key)
    else:
        yield path, value


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    """Defaults, two model servers to scrape, cost labels."""
    return _record(_spec(scrape=SCRAPE), labels=LABELS)


@pytest.fixture(scope="module")
def existing_namespaces_graph() -> ResourceGraph:
    """Namespaces that exist already, overridden chart versions, a storage class, nothing to scrape."""
    return _record(
        _spec(
            create_namespaces=False,
            namespace="observability",
            agents_namespace="node-agents",
            kube_prometheus_stack_version="80.0.0",
            dcgm_exporter_version="4.7.0",
            prometheus_adapter_version="5.2.1",
            storage_class="gp3",
            storage_size="1Ti",
            retention="30d",
        )
    )


# --- structure -----------------------------------------------------------------------------------


def test_every_child_is_parented_to_the_component_and_named_after_it(graph: ResourceGraph) -> None:
    component = _only(graph, COMPONENT)
    names = sorted((r.type, r.name) for r in graph.children(component))
    assert names == sorted(
        [
            (NAMESPACE, "monitoring-namespace"),
            (NAMESPACE, "monitoring-agents-namespace"),
            (RELEASE, "monitoring-kube-prometheus-stack"),
            (RELEASE, "monitoring-dcgm-exporter"),
            (RELEASE, "monitoring-prometheus-adapter"),
            (SERVICE_MONITOR, "monitoring-ml-serving-churn-service-monitor"),
            (SERVICE_MONITOR, "monitoring-risk-serving-fraud-service-monitor"),
            (CONFIG_MAP, "monitoring-gpu-dashboard"),
        ]
    )
    assert all(r.parent == component.urn for r in graph.cloud_resources)


@pytest.mark.parametrize("option", ["provider", "providers"])
def test_every_child_uses_the_callers_kubernetes_provider(option: str) -> None:
    graph = _record(_spec(scrape=SCRAPE[:1]), option=option)
    [provider] = [r for r in graph if r.is_provider]
    assert len(graph.cloud_resources) == 7
    assert all((r.provider or "").startswith(f"{provider.urn}::") for r in graph.cloud_resources)


def test_outputs_name_the_namespaces_releases_and_dashboard(graph, existing_namespaces_graph) -> None:
    assert graph.exports == {
        "monitoring_namespace": "monitoring",
        "agents_namespace": "monitoring-agents",
        "prometheus_release_name": "kube-prometheus-stack",
        "dcgm_exporter_release_name": "dcgm-exporter",
        "prometheus_adapter_release_name": "prometheus-adapter",
        "dashboard_config_map_name": DASHBOARD_CONFIG_MAP,
    }
    exports = existing_namespaces_graph.exports
    assert (exports["monitoring_namespace"], exports["agents_namespace"]) == ("observability", "node-agents")


# --- Helm releases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "namespace"),
    [
        (versions.KUBE_PROMETHEUS_STACK, "monitoring"),
        (versions.DCGM_EXPORTER, "monitoring-agents"),
        (versions.PROMETHEUS_ADAPTER, "monitoring"),
    ],
    ids=["kube-prometheus-stack", "dcgm-exporter", "prometheus-adapter"],
)
def test_releases_install_the_pinned_chart_from_its_repository(
    graph: ResourceGraph, chart: versions.HelmChart, namespace: str
) -> None:
    inputs = _release(graph, chart.chart).inputs
    assert inputs["version"] == chart.version
    assert inputs["repositoryOpts"] == {"repo": chart.repository}
    assert (inputs["name"], inputs["namespace"]) == (chart.chart, namespace)
    assert inputs["atomic"] is True and inputs["cleanupOnFail"] is True
    # The release waits in the namespace the component created.
    assert [r.urn for r in graph.referenced(_release(graph, chart.chart), "namespace")] == [
        _namespace(graph, namespace).urn
    ]


def test_chart_versions_come_from_the_spec_when_overridden(existing_namespaces_graph) -> None:
    assert _release(existing_namespaces_graph, "kube-prometheus-stack").inputs["version"] == "80.0.0"
    assert _release(existing_namespaces_graph, "dcgm-exporter").inputs["version"] == "4.7.0"
    assert _release(existing_namespaces_graph, "prometheus-adapter").inputs["version"] == "5.2.1"


def test_prometheus_keeps_samples_on_a_volume_for_the_retention(graph, existing_namespaces_graph) -> None:
    spec = _values(graph, "kube-prometheus-stack")["prometheus"]["prometheusSpec"]
    assert (spec["retention"], spec["retentionSize"]) == ("15d", f"{50 * 1024 * 85 // 100}MiB")
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "50Gi"}},
    }
    other = _values(existing_namespaces_graph, "kube-prometheus-stack")["prometheus"]["prometheusSpec"]
    assert (other["retention"], other["retentionSize"]) == ("30d", f"{1024 * 1024 * 85 // 100}MiB")
    assert other["storageSpec"]["volumeClaimTemplate"]["spec"]["storageClassName"] == "gp3"


def test_prometheus_selects_service_monitors_and_rules_of_every_namespace(graph: ResourceGraph) -> None:
    spec = _values(graph, "kube-prometheus-stack")["prometheus"]["prometheusSpec"]
    for kind in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False, kind
    # No namespace selector: the operator's default ({}) watches every namespace.
    assert not any("NamespaceSelector" in key for key in spec)


def test_grafana_logs_in_from_the_existing_secret_and_loads_labelled_dashboards(graph: ResourceGraph) -> None:
    grafana = _values(graph, "kube-prometheus-stack")["grafana"]
    assert grafana["admin"] == {
        "existingSecret": "grafana-admin",
        "userKey": "admin-user",
        "passwordKey": "admin-password",
    }
    assert grafana["sidecar"]["dashboards"] == {
        "enabled": True,
        "label": "grafana_dashboard",
        "labelValue": "1",
    }
    # No password in any value, so none in the Pulumi state or the Helm release.
    for release in graph.of_type(RELEASE):
        for path, _ in _walk(release.inputs["values"]):
            assert "password" not in path.lower() or path.endswith("passwordKey"), path


def test_every_part_of_the_stack_has_cpu_and_memory_requests_and_limits(graph: ResourceGraph) -> None:
    stack = _values(graph, "kube-prometheus-stack")
    resources = {
        "prometheus": stack["prometheus"]["prometheusSpec"]["resources"],
        "operator": stack["prometheusOperator"]["resources"],
        "grafana": stack["grafana"]["resources"],
        "grafana-sidecar": stack["grafana"]["sidecar"]["resources"],
        "kube-state-metrics": stack["kube-state-metrics"]["resources"],
        "node-exporter": stack["prometheus-node-exporter"]["resources"],
        "dcgm-exporter": _values(graph, "dcgm-exporter")["resources"],
        "prometheus-adapter": _values(graph, "prometheus-adapter")["resources"],
    }
    for part, block in resources.items():
        for kind in ("requests", "limits"):
            assert set(block[kind]) == {"cpu", "memory"}, part
    assert resources["prometheus"] == {
        "requests": {"cpu": "500m", "memory": "4Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
    }


def test_unscrapable_eks_control_plane_and_receiverless_alertmanager_are_off(graph: ResourceGraph) -> None:
    stack = _values(graph, "kube-prometheus-stack")
    for part in ("alertmanager", "kubeControllerManager", "kubeScheduler", "kubeEtcd"):
        assert stack[part] == {"enabled": False}, part


def test_dcgm_exporter_runs_on_gpu_nodes_with_its_service_monitor(graph: ResourceGraph) -> None:
    values = _values(graph, "dcgm-exporter")
    assert values["serviceMonitor"]["enabled"] is True
    assert values["serviceMonitor"]["interval"] == "30s"
    assert values["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert values["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def test_dcgm_exporter_waits_for_the_service_monitor_crd(graph: ResourceGraph) -> None:
    stack = _release(graph, "kube-prometheus-stack")
    assert _release(graph, "dcgm-exporter").explicit_dependencies == (stack.urn,)
    assert _release(graph, "prometheus-adapter").explicit_dependencies == (stack.urn,)
    assert stack.explicit_dependencies == ()


def _relabel(config: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    """Prometheus' relabelling of a target's labels for the two actions the component uses."""
    labels = dict(labels)
    if config["action"] == "replace":
        value = ";".join(labels.get(source, "") for source in config["sourceLabels"])
        labels[config["targetLabel"]] = value
    elif config["action"] == "labeldrop":
        labels = {k: v for k, v in labels.items() if not re.fullmatch(config["regex"], k)}
    else:
        raise AssertionError(f"unknown action {config['action']}")
    return labels


def _scraped(monitor: dict[str, Any], series: dict[str, str], target: dict[str, str]) -> dict[str, str]:
    """The labels Prometheus stores for a scraped ``series`` of a ``target`` (honor_labels semantics)."""
    for config in monitor["relabelings"]:
        target = _relabel(config, target)
    target = {k: v for k, v in target.items() if not k.startswith("__")}
    if monitor["honorLabels"]:
        return {**target, **series}
    # Without honor_labels a clash is kept as exported_<label> and the target's value wins.
    return {**{(f"exported_{k}" if k in target else k): v for k, v in series.items()}, **target}


# The exporter pod's target labels (the operator sets namespace/pod/container from the endpoint) and
# what dcgm-exporter itself sets on a GPU used by a pod (pod, namespace, container) and on an idle one.
_EXPORTER_TARGET = {
    "namespace": "monitoring-agents",
    "pod": "dcgm-exporter-x7k2p",
    "container": "exporter",
    "service": "dcgm-exporter",
    "__meta_kubernetes_pod_node_name": "ip-10-0-1-20",
}
_SERVING_GPU = {
    "gpu": "0",
    "pod": "churn-5d9c7b-abcde",
    "namespace": "ml-serving",
    "container": "model-server",
}
_IDLE_GPU = {"gpu": "1"}


def test_dcgm_series_keep_the_serving_pods_labels_for_the_adapter(graph: ResourceGraph) -> None:
    monitor = _values(graph, "dcgm-exporter")["serviceMonitor"]
    assert monitor["honorLabels"] is True
    stored = _scraped(monitor, _SERVING_GPU, _EXPORTER_TARGET)
    # The GPU's series names the serving pod and namespace as `pod`/`namespace`: the labels the
    # adapter rule maps to the pod resource the HPA asks about.
    assert (stored["pod"], stored["namespace"], stored["node"]) == (
        "churn-5d9c7b-abcde",
        "ml-serving",
        "ip-10-0-1-20",
    )
    assert not any(key.startswith("exported_") for key in stored)
    # A GPU no pod uses is attributed to no pod (not to the exporter's own), so the adapter skips it.
    idle = _scraped(monitor, _IDLE_GPU, _EXPORTER_TARGET)
    assert "pod" not in idle and "namespace" not in idle


def test_the_adapter_serves_the_gpu_metric_under_the_name_the_hpa_requests(graph: ResourceGraph) -> None:
    serving = KubernetesServingSpec(name="churn", image=IMAGE, target_gpu_utilization=60)
    serving_graph = _record(_spec(), serving=serving)
    [hpa] = serving_graph.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    [requested] = [m["pods"]["metric"]["name"] for m in hpa.inputs["spec"]["metrics"] if m["type"] == "Pods"]

    values = _values(graph, "prometheus-adapter")
    assert values["rules"]["default"] is False, "only the GPU metric, not every container_* series"
    [rule] = values["rules"]["custom"]
    assert rule["name"]["as"] == requested == GPU_UTILIZATION_METRIC
    # It reads the exporter's series, per pod (the HPA's Pods metric), mapped by namespace and pod.
    assert re.fullmatch(rule["name"]["matches"], GPU_UTILIZATION_METRIC)
    assert rule["seriesQuery"] == 'DCGM_FI_DEV_GPU_UTIL{namespace!="",pod!=""}'
    assert rule["resources"] == {
        "overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}
    }
    assert rule["metricsQuery"] == "avg by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>})"
    # The labels the rule maps are the ones a serving GPU's series carries after scraping.
    stored = _scraped(_values(graph, "dcgm-exporter")["serviceMonitor"], _SERVING_GPU, _EXPORTER_TARGET)
    assert set(rule["resources"]["overrides"]) <= set(stored)
    # And it asks the stack's Prometheus.
    assert values["prometheus"] == {
        "url": "http://kube-prometheus-stack-prometheus.monitoring.svc",
        "port": 9090,
    }
    assert (values["replicas"], values["podDisruptionBudget"]["enabled"]) == (2, True)


# --- namespaces and Pod Security -----------------------------------------------------------------


def test_only_the_node_agents_namespace_allows_host_access(graph: ResourceGraph) -> None:
    monitoring = _namespace(graph, "monitoring").inputs["metadata"]["labels"]
    assert monitoring["pod-security.kubernetes.io/enforce"] == "baseline"
    assert monitoring["pod-security.kubernetes.io/audit"] == "restricted"
    assert monitoring["pod-security.kubernetes.io/warn"] == "restricted"
    agents = _namespace(graph, "monitoring-agents").inputs["metadata"]["labels"]
    assert agents["pod-security.kubernetes.io/enforce"] == "privileged"
    assert agents["pod-security.kubernetes.io/audit"] == "baseline"
    for labels in (monitoring, agents):
        assert LABELS.items() <= labels.items()
    # The two host-access DaemonSets go to the privileged namespace; Prometheus and Grafana do not.
    assert _values(graph, "kube-prometheus-stack")["prometheus-node-exporter"]["namespaceOverride"] == (
        "monitoring-agents"
    )
    assert _release(graph, "dcgm-exporter").inputs["namespace"] == "monitoring-agents"
    assert _release(graph, "kube-prometheus-stack").inputs["namespace"] == "monitoring"


def test_existing_namespaces_are_used_and_not_created(existing_namespaces_graph: ResourceGraph) -> None:
    graph = existing_namespaces_graph
    assert graph.of_type(NAMESPACE) == []
    assert graph.of_type(SERVICE_MONITOR) == []
    assert _release(graph, "kube-prometheus-stack").inputs["namespace"] == "observability"
    assert _release(graph, "dcgm-exporter").inputs["namespace"] == "node-agents"
    assert _only(graph, CONFIG_MAP).inputs["metadata"]["namespace"] == "observability"


# --- ServiceMonitors -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serving_graph() -> ResourceGraph:
    """A real KubernetesServing next to the monitoring that scrapes it."""
    serving = KubernetesServingSpec(name="churn", image=IMAGE, metrics_port=8080)
    return _record(_spec(scrape=[{"name": "churn"}]), serving=serving)


def test_service_monitor_selects_exactly_the_servings_service_and_metrics_port(serving_graph) -> None:
    service = _only(serving_graph, SERVICE).inputs
    monitor = _only(serving_graph, SERVICE_MONITOR).inputs["spec"]
    # Exactly the Service's own selector labels, which the Service itself carries.
    assert monitor["selector"] == {"matchLabels": service["spec"]["selector"]}
    assert monitor["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["namespaceSelector"] == {"matchNames": [service["metadata"]["namespace"]]}
    [endpoint] = monitor["endpoints"]
    assert endpoint == {"port": "metrics", "path": "/metrics", "interval": "30s", "scheme": "http"}
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}


def test_each_scrape_target_gets_a_service_monitor_that_waits_for_the_crd(graph: ResourceGraph) -> None:
    stack = _release(graph, "kube-prometheus-stack")
    monitors = {r.inputs["metadata"]["name"]: r for r in graph.of_type(SERVICE_MONITOR)}
    assert set(monitors) == {"ml-serving-churn", "risk-serving-fraud"}
    fraud = monitors["risk-serving-fraud"].inputs
    assert fraud["metadata"]["namespace"] == "monitoring"
    assert fraud["spec"]["namespaceSelector"] == {"matchNames": ["risk-serving"]}
    assert fraud["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "fraud"
    assert fraud["spec"]["endpoints"][0]["path"] == "/stats"
    for monitor in monitors.values():
        assert stack.urn in monitor.explicit_dependencies
        assert LABELS.items() <= monitor.inputs["metadata"]["labels"].items()


# A ServiceMonitor is a custom resource: kubernetes-validate knows only the built-in kinds. This is a
# hand-written subset of the monitoring.coreos.com/v1 CRD schema for the fields the component sets,
# closed (additionalProperties false) so a misspelt field fails; the Duration pattern is the CRD's.
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
SERVICE_MONITOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "namespace"],
            "properties": {
                "name": {"type": "string", "maxLength": 253, "pattern": _DNS_SUBDOMAIN},
                "namespace": {"type": "string", "maxLength": 63, "pattern": _DNS_SUBDOMAIN},
                "labels": _STRINGS,
            },
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["selector", "endpoints"],
            "properties": {
                "selector": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["matchLabels"],
                    "properties": {"matchLabels": {**_STRINGS, "minProperties": 1}},
                },
                "namespaceSelector": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "any": {"type": "boolean"},
                        "matchNames": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["port"],
                        "properties": {
                            "port": {"type": "string", "minLength": 1},
                            "path": {"type": "string", "pattern": "^/"},
                            "interval": {
                                "type": "string",
                                "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?"
                                r"(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$",
                            },
                            "scheme": {"enum": ["http", "https"]},
                        },
                    },
                },
            },
        },
    },
}


def test_service_monitors_have_the_shape_of_the_crd(graph: ResourceGraph) -> None:
    monitors = graph.of_type(SERVICE_MONITOR)
    assert len(monitors) == 2
    for monitor in monitors:
        jsonschema.validate(_manifest(monitor), SERVICE_MONITOR_SCHEMA)


def _misspell_endpoints(manifest: dict[str, Any]) -> None:
    manifest["spec"]["endpoint"] = manifest["spec"].pop("endpoints")


def _port_as_number(manifest: dict[str, Any]) -> None:
    manifest["spec"]["endpoints"][0]["port"] = 9090


def _interval_in_words(manifest: dict[str, Any]) -> None:
    manifest["spec"]["endpoints"][0]["interval"] = "30 seconds"


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(_misspell_endpoints, id="misspelt-field"),
        pytest.param(_port_as_number, id="port-number-instead-of-name"),
        pytest.param(_interval_in_words, id="interval-not-a-duration"),
    ],
)
def test_service_monitor_shape_check_catches_a_broken_manifest(
    graph: ResourceGraph, breakage: Callable
) -> None:
    manifest = _manifest(graph.of_type(SERVICE_MONITOR)[0])
    breakage(manifest)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, SERVICE_MONITOR_SCHEMA)


# --- the dashboard -------------------------------------------------------------------------------


def test_dashboard_config_map_is_labelled_for_the_grafana_sidecar(graph: ResourceGraph) -> None:
    metadata = _only(graph, CONFIG_MAP).inputs["metadata"]
    assert (metadata["name"], metadata["namespace"]) == (DASHBOARD_CONFIG_MAP, "monitoring")
    assert metadata["labels"]["grafana_dashboard"] == "1"
    # The sidecar label the chart is configured with is the one the ConfigMap carries.
    sidecar = _values(graph, "kube-prometheus-stack")["grafana"]["sidecar"]["dashboards"]
    assert metadata["labels"][sidecar["label"]] == sidecar["labelValue"]


def test_dashboard_is_valid_grafana_json_with_unique_placed_panels(graph: ResourceGraph) -> None:
    dashboard = _dashboard(graph)
    assert dashboard["uid"] and len(dashboard["uid"]) <= 40
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    graphs = [p for p in panels if p["type"] != "row"]
    assert len(graphs) >= 8
    cells = [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in panels]
    assert len(set(cells)) == len(cells)
    for panel in graphs:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert target["expr"].count("(") == target["expr"].count(")"), target["expr"]


def test_dashboard_panels_query_gpu_telemetry_and_hpa_replicas(graph: ResourceGraph) -> None:
    exprs = _exprs(_dashboard(graph))
    queried = {name for expr in exprs for name in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr)}
    assert queried >= DCGM_METRICS | HPA_METRICS
    assert {"http_requests_total", "http_request_duration_seconds_bucket"} <= queried
    # The model-server panels are scoped to the chosen server; the GPU-node panels are not.
    assert any('service="$serving"' in expr for expr in exprs)
    assert any('horizontalpodautoscaler="$serving"' in expr for expr in exprs)


def test_dashboard_variables_offer_the_scraped_servings(graph: ResourceGraph) -> None:
    variables = {v["name"]: v for v in _dashboard(graph)["templating"]["list"]}
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["namespace"]["regex"] == "^(ml-serving|risk-serving)$"
    assert variables["serving"]["regex"] == "^(churn|fraud)$"


def test_dashboard_uses_the_servers_own_metric_names_when_configured() -> None:
    spec = _spec(
        serving_metrics={
            "requests_total": "vllm:request_success_total",
            "duration_histogram": "vllm:e2e_request_latency_seconds",
            "status_label": "finished_reason",
        }
    )
    exprs = " ".join(_exprs(gpu_serving_dashboard(spec)))
    assert "vllm:request_success_total{" in exprs
    assert "vllm:e2e_request_latency_seconds_bucket{" in exprs
    assert "http_requests_total" not in exprs


# --- offline schema validation -------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_namespaces_and_config_map_are_valid_against_the_kubernetes_schema(
    graph: ResourceGraph, version: str
) -> None:
    manifests = [_manifest(r) for r in [*graph.of_type(NAMESPACE), *graph.of_type(CONFIG_MAP)]]
    assert sorted(m["kind"] for m in manifests) == ["ConfigMap", "Namespace", "Namespace"]
    for manifest in manifests:
        assert validate_manifest(manifest, version) == version, manifest["kind"]


def test_schema_validation_catches_a_broken_config_map(graph: ResourceGraph) -> None:
    manifest = _manifest(_only(graph, CONFIG_MAP))
    manifest["data"]["panels"] = 12  # ConfigMap data is strings only
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(manifest, KUBERNETES_VERSIONS[-1])


# --- policy pack ---------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_policy_pack_reports_nothing_for_the_rendered_resources(
    graph: ResourceGraph, environment: str
) -> None:
    report = evaluate_report(graph.resources, load_pack_config(environment))
    assert report.violations == []
    assert report.undecided == []


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"namespace": "Monitoring"}, "is not a DNS-1123 label", id="namespace-not-dns-label"),
        pytest.param({"namespace": "kube-system"}, "is reserved", id="system-namespace"),
        pytest.param(
            {"agents_namespace": "monitoring"}, "need their own `privileged` namespace", id="agents-share-ns"
        ),
        pytest.param(
            {"kube_prometheus_stack_version": "81.x"}, "is not an exact version", id="chart-version-range"
        ),
        pytest.param(
            {"kube_prometheus_stack_version": "^81.6.0"}, "is not an exact version", id="chart-version-caret"
        ),
        pytest.param(
            {"dcgm_exporter_version": "latest"}, "is not an exact version", id="chart-version-latest"
        ),
        pytest.param({"dcgm_exporter_version": "v4.8.1"}, "is not an exact version", id="chart-version-v"),
        pytest.param(
            {"prometheus_adapter_version": "5.x"}, "is not an exact version", id="adapter-version-range"
        ),
        pytest.param({"retention": "15 days"}, "is not a Prometheus duration", id="retention-in-words"),
        pytest.param({"retention": "15D"}, "is not a Prometheus duration", id="retention-upper-case-unit"),
        pytest.param({"retention": "0"}, "is not a Prometheus duration", id="retention-zero"),
        pytest.param({"retention": 15}, "Input should be a valid string", id="retention-as-number-strict"),
        pytest.param({"storage_size": "50GB"}, "whole number of Gi or Ti", id="storage-in-gb"),
        pytest.param(
            {"grafana_admin_secret": "Sup3r-S3cret!"}, "never the password itself", id="password-literal"
        ),
        pytest.param(
            {"grafana_admin_secret": {"name": "grafana-admin", "admin_password": "hunter2"}},
            "never the password itself",
            id="password-next-to-the-reference",
        ),
        pytest.param(
            {"grafana_admin_secret": {"name": "Hunter2!"}},
            "is not a Secret name",
            id="password-as-secret-name",
        ),
        pytest.param({"retension": "15d"}, "Extra inputs are not permitted", id="unknown-key"),
        pytest.param(
            {"scrape": [{"name": "churn"}, {"name": "churn"}]},
            "duplicate scrape target(s) ml-serving/churn",
            id="duplicate-scrape-target",
        ),
        pytest.param(
            {"scrape": [{"name": "churn", "interval": "30"}]}, "Prometheus duration", id="bad-interval"
        ),
        pytest.param({"scrape": [{"name": "Churn"}]}, "is not a DNS-1123 label", id="bad-serving-name"),
        pytest.param(
            {"gpu_node_selector": {"gpu": "yes please"}}, "not valid node labels", id="bad-node-label"
        ),
        pytest.param(
            {"gpu_node_selector": {}, "gpu_tolerations": []}, "lands on GPU nodes", id="no-gpu-placement"
        ),
        pytest.param(
            {
                "prometheus_resources": {
                    "cpu_request": "4",
                    "cpu_limit": "2",
                    "memory_request": "4Gi",
                    "memory_limit": "4Gi",
                }
            },
            "cpu_request (4) exceeds cpu_limit (2)",
            id="prometheus-request-above-limit",
        ),
        pytest.param(
            {"serving_metrics": {"requests_total": "http requests"}}, "is not a metric name", id="bad-metric"
        ),
    ],
)
def test_malformed_spec_is_rejected_with_a_clear_message(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        _spec(**changes)
    assert message in str(error.value)


def test_the_grafana_admin_secret_reference_is_required() -> None:
    with pytest.raises(ValidationError, match="grafana_admin_secret"):
        KubernetesMonitoringSpec.model_validate({})


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        pytest.param({"owner": "ml@example.com"}, "not valid Kubernetes labels", id="email-as-label-value"),
        pytest.param({"grafana_dashboard": "0"}, "reserved for Grafana", id="sidecar-label"),
    ],
)
def test_malformed_labels_are_rejected(labels: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match="label") as error:
        KubernetesMonitoringArgs(spec=_spec(), labels=labels)
    assert message in str(error.value)


def test_a_spec_needs_only_the_secret_reference_and_defaults_to_the_pinned_charts() -> None:
    spec = KubernetesMonitoringSpec(grafana_admin_secret={"name": "grafana-admin"})
    assert (spec.namespace, spec.agents_namespace, spec.create_namespaces) == (
        "monitoring",
        "monitoring-agents",
        True,
    )
    assert spec.kube_prometheus_stack_version == versions.KUBE_PROMETHEUS_STACK.version
    assert spec.dcgm_exporter_version == versions.DCGM_EXPORTER.version
    assert (spec.retention, spec.storage_size, spec.scrape) == ("15d", "50Gi", [])
    with pytest.raises(ValidationError, match="frozen"):
        spec.retention = "30d"  # type: ignore[misc]


@pytest.mark.parametrize(
    "chart",
    [versions.KUBE_PROMETHEUS_STACK, versions.DCGM_EXPORTER, versions.PROMETHEUS_ADAPTER],
    ids=lambda c: c.chart,
)
def test_versions_module_pins_exact_versions_from_https_repositories(chart: versions.HelmChart) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart.version), chart.version
    assert chart.repository.startswith("https://"), chart.repository
    # The defaults pass the spec's own validation.
    _spec(
        kube_prometheus_stack_version=chart.version,
        dcgm_exporter_version=chart.version,
        prometheus_adapter_version=chart.version,
    )
