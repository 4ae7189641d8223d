"""KubernetesMonitoring: kube-prometheus-stack, NVIDIA DCGM exporter, prometheus-adapter (the HPAs' GPU
metric), ServiceMonitors and a GPU dashboard."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core import v1 as core
from pulumi_kubernetes.meta import v1 as meta

from .. import versions
from ..limits import region_problem, satisfies, string_map_problem
from ..output_text import concat
from .kubernetes_alerts import ALERTMANAGER_SERVICE_ACCOUNT, alertmanager_config, serving_alert_rules
from .kubernetes_dashboards import gpu_serving_dashboard
from .kubernetes_monitoring_spec import (
    ComputeResources,
    GrafanaAdminSecret,
    KubernetesMonitoringSpec,
    ScrapeTarget,
)
from .kubernetes_serving_spec import (
    GPU_UTILIZATION_METRIC,
    LABEL_RULES,
    KubernetesServingSpec,
    invalid_labels,
)

DASHBOARD_CONFIG_MAP = "gpu-serving-dashboard"
DASHBOARD_LABEL = ("grafana_dashboard", "1")
"""The label Grafana's dashboard sidecar watches for (kube-prometheus-stack's default, set explicitly)."""
METRICS_PORT = "metrics"
"""KubernetesServing always names its Service's Prometheus port `metrics`."""
RELEASE_TIMEOUT_SECONDS = 900
"""A first install pulls several images and binds a volume; Helm's 5 minutes is often too short."""
PROMETHEUS_SERVICE = f"{versions.KUBE_PROMETHEUS_STACK.chart}-prometheus"
"""kube-prometheus-stack's Prometheus Service (the release is named after the chart), port 9090."""
# The target labels of the DCGM exporter's own pod, which would otherwise attribute idle GPUs to it: with
# them dropped, `pod`/`namespace` on a series are only ever the exporter's attribution of a GPU's pod.
_EXPORTER_TARGET_LABELS = "pod|namespace|container"

# (cpu request, cpu limit, memory request, memory limit) of the parts whose load hardly depends on the
# workload; Prometheus is sized by the spec. Memory limits near requests: an OOM kill, not a node squeeze.
_SIZES = {
    "grafana": ("100m", "500m", "256Mi", "512Mi"),
    "grafana-sidecar": ("50m", "200m", "128Mi", "128Mi"),
    "operator": ("100m", "500m", "256Mi", "256Mi"),
    "kube-state-metrics": ("50m", "500m", "256Mi", "512Mi"),
    "node-exporter": ("50m", "250m", "64Mi", "128Mi"),
    "dcgm-exporter": ("100m", "500m", "512Mi", "1Gi"),
    "prometheus-adapter": ("50m", "250m", "128Mi", "256Mi"),
    "alertmanager": ("50m", "250m", "128Mi", "256Mi"),
}


def _release_name(release: k8s.helm.v3.Release) -> pulumi.Output[str]:
    """A release's name. The SDK types it Optional because the input may be omitted; every release
    here is created with a fixed name (the chart's, see ``_release``), which the provider returns."""
    return cast(pulumi.Output[str], release.name)


def _resources(part: str) -> dict[str, dict[str, str]]:
    cpu_request, cpu_limit, memory_request, memory_limit = _SIZES[part]
    return ComputeResources(
        cpu_request=cpu_request, cpu_limit=cpu_limit, memory_request=memory_request, memory_limit=memory_limit
    ).as_values()


def gpu_utilization_rule() -> dict[str, Any]:
    """The prometheus-adapter rule serving the DCGM exporter's GPU utilisation as a per-pod custom metric
    named ``GPU_UTILIZATION_METRIC``: the name KubernetesServing's HPA requests. The exporter labels each
    GPU's series with the pod and namespace using it; a pod with several GPUs gets their average."""
    return {
        "seriesQuery": f'{GPU_UTILIZATION_METRIC}{{namespace!="",pod!=""}}',
        "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
        "name": {"matches": f"^{GPU_UTILIZATION_METRIC}$", "as": GPU_UTILIZATION_METRIC},
        "metricsQuery": "avg by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>})",
    }


def serving_service_selector(name: str) -> dict[str, str]:
    """The labels that select a KubernetesServing's Service (and pods): its immutable pod selector."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "model-server"}


@dataclass(frozen=True)
class KubernetesMonitoringArgs:
    """The spec, and labels for the objects this component creates; the provider comes in through ``opts``."""

    spec: KubernetesMonitoringSpec
    """Namespaces, chart versions, Prometheus storage and size, Grafana login and scrape targets."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra labels on the namespaces, ServiceMonitors and dashboard (e.g. the cost-allocation tags)."""
    servings: Sequence[KubernetesServingSpec] = ()
    """The servings to alert on: a PrometheusRule each (those whose ``alerts.enabled``)."""
    alert_topic_arn: pulumi.Input[str] | None = None
    """The SNS topic Alertmanager publishes to when ``spec.alerting.destination`` is ``sns``."""
    region: str | None = None
    """The topic's region (Alertmanager signs its SNS requests for it)."""
    alertmanager_credentials: Sequence[pulumi.Resource] = ()
    """What gives Alertmanager its AWS credentials for SNS (the EKS Pod Identity association of its
    service account and its role's policy, e.g. an ``AlertmanagerSnsAccess``): kube-prometheus-stack,
    which starts Alertmanager's pods, is installed after it. EKS sets a pod's credentials when the pod
    is created, so an Alertmanager started before the association cannot publish until it restarts."""

    def __post_init__(self) -> None:
        alerting = self.spec.alerting
        if (
            alerting is not None
            and alerting.destination == "sns"
            and not (self.alert_topic_arn and self.region)
        ):
            raise ValueError("spec.alerting.destination sns needs alert_topic_arn and region")
        if self.region is not None:
            satisfies(self, "region", region_problem)
        satisfies(self, "labels", lambda labels: string_map_problem(labels, "label"))
        bad = invalid_labels(dict(self.labels))
        if bad:
            raise ValueError(f"labels {bad} are not valid Kubernetes labels: {LABEL_RULES}")
        if DASHBOARD_LABEL[0] in self.labels:
            raise ValueError(f"label '{DASHBOARD_LABEL[0]}' is reserved for Grafana's dashboard sidecar")


class KubernetesMonitoring(pulumi.ComponentResource):
    """Prometheus and Grafana (kube-prometheus-stack), the NVIDIA DCGM exporter, prometheus-adapter (the GPU
    utilisation the servings' HPAs scale on), a ServiceMonitor per model server and a GPU-serving
    dashboard, on an existing cluster; one instance per cluster.

    Security posture: Prometheus and Grafana run under Pod Security `baseline` (audited against
    `restricted`); only the node agents that need host access run in a separate `privileged` namespace.
    Grafana's admin login comes from an existing Secret, never from config; charts are pinned exactly.
    """

    monitoring_namespace: pulumi.Output[str]
    """Namespace of Prometheus, Grafana and the dashboard ConfigMap."""
    agents_namespace: pulumi.Output[str]
    """Namespace of node-exporter and the DCGM exporter."""
    prometheus_release_name: pulumi.Output[str]
    """Helm release of kube-prometheus-stack (its Services are named after it)."""
    dcgm_exporter_release_name: pulumi.Output[str]
    """Helm release of the DCGM exporter."""
    prometheus_adapter_release_name: pulumi.Output[str]
    """Helm release of prometheus-adapter (the custom metrics API)."""
    dashboard_config_map_name: pulumi.Output[str]
    """ConfigMap holding the GPU-serving dashboard."""

    def __init__(
        self, name: str, args: KubernetesMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Renamed from mlops:observability:KubernetesMonitoring when the components moved into per-area packages: the alias keeps
        # the URNs of stacks deployed before, so nothing on the cluster is replaced.
        opts = pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="mlops:observability:KubernetesMonitoring")]),
        )
        super().__init__("mlops:kubernetes:KubernetesMonitoring", name, None, opts)
        spec = args.spec
        self._labels = {
            **args.labels,
            "app.kubernetes.io/part-of": "mlops-platform",
            "app.kubernetes.io/managed-by": "pulumi",
        }
        child = pulumi.ResourceOptions(parent=self)

        monitoring: pulumi.Input[str] = spec.namespace
        agents: pulumi.Input[str] = spec.agents_namespace
        if spec.create_namespaces:
            # Baseline forbids host namespaces, hostPath and privileged containers; restricted is audited
            # and warned so any chart pod that would fail it shows up before enforcement is tightened.
            monitoring = self._namespace(f"{name}-namespace", spec.namespace, "baseline", "restricted", child)
            # node-exporter needs hostNetwork, hostPID and hostPath; the DCGM exporter runs as root with
            # SYS_ADMIN and the kubelet's pod-resources socket. Only these two DaemonSets live here.
            agents = self._namespace(
                f"{name}-agents-namespace", spec.agents_namespace, "privileged", "baseline", child
            )

        # Alertmanager's credentials exist before its pods (a parent's depends_on would not order this child).
        prometheus = self._prometheus_release(
            name,
            args,
            monitoring,
            agents,
            pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=list(args.alertmanager_credentials))
            ),
        )
        dcgm = self._dcgm_release(name, spec, agents, prometheus, child)
        adapter = self._adapter_release(name, spec, monitoring, prometheus, child)
        for target in spec.scrape:
            self._service_monitor(name, target, monitoring, prometheus, child)
        for serving in args.servings:
            if serving.alerts.enabled:
                self._alert_rules(name, serving, spec, monitoring, prometheus, child)
        dashboard = core.ConfigMap(
            f"{name}-gpu-dashboard",
            metadata=meta.ObjectMetaArgs(
                name=DASHBOARD_CONFIG_MAP,
                namespace=monitoring,
                # The sidecar watches only Grafana's own namespace: a dashboard is whatever may write here.
                labels={**self._labels, DASHBOARD_LABEL[0]: DASHBOARD_LABEL[1]},
            ),
            data={"gpu-serving.json": json.dumps(gpu_serving_dashboard(spec), indent=1, sort_keys=True)},
            opts=child,
        )

        self.monitoring_namespace = pulumi.Output.from_input(monitoring)
        self.agents_namespace = pulumi.Output.from_input(agents)
        self.prometheus_release_name = _release_name(prometheus)
        self.dcgm_exporter_release_name = _release_name(dcgm)
        self.prometheus_adapter_release_name = _release_name(adapter)
        self.dashboard_config_map_name = dashboard.metadata.name
        self.register_outputs(
            {
                "monitoring_namespace": self.monitoring_namespace,
                "agents_namespace": self.agents_namespace,
                "prometheus_release_name": self.prometheus_release_name,
                "dcgm_exporter_release_name": self.dcgm_exporter_release_name,
                "prometheus_adapter_release_name": self.prometheus_adapter_release_name,
                "dashboard_config_map_name": self.dashboard_config_map_name,
            }
        )

    def _namespace(
        self, resource_name: str, namespace: str, enforce: str, audit: str, opts: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        admission = {
            "pod-security.kubernetes.io/enforce": enforce,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": audit,
        }
        if enforce != "privileged":
            # A warning on every apply of the node agents would be noise people learn to ignore.
            admission["pod-security.kubernetes.io/warn"] = audit
        created = core.Namespace(
            resource_name,
            metadata=meta.ObjectMetaArgs(name=namespace, labels={**self._labels, **admission}),
            opts=opts,
        )
        return created.metadata.name

    def _release(
        self,
        resource_name: str,
        chart: versions.HelmChart,
        version: str,
        namespace: pulumi.Input[str],
        values: Mapping[str, Any],
        opts: pulumi.ResourceOptions,
    ) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            resource_name,
            k8s.helm.v3.ReleaseArgs(
                # A fixed release name (the chart's): the charts derive object names from it, so they stay
                # stable and readable (`kube-prometheus-stack-prometheus`), with no random suffix.
                name=chart.chart,
                chart=chart.chart,
                version=version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
                namespace=namespace,
                values=dict(values),
                # A failed install or upgrade is rolled back instead of leaving half a monitoring stack.
                atomic=True,
                cleanup_on_fail=True,
                timeout=RELEASE_TIMEOUT_SECONDS,
                max_history=10,
            ),
            opts=opts,
        )

    def _prometheus_release(
        self,
        name: str,
        args: KubernetesMonitoringArgs,
        monitoring: pulumi.Input[str],
        agents: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> k8s.helm.v3.Release:
        spec = args.spec
        volume: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": spec.storage_size}},
        }
        if spec.storage_class:
            volume["storageClassName"] = spec.storage_class
        admin: GrafanaAdminSecret = spec.grafana_admin_secret
        values = {
            "alertmanager": self._alertmanager_values(args),
            # EKS runs the control plane: these components cannot be scraped, and would fire TargetDown.
            "kubeControllerManager": {"enabled": False},
            "kubeScheduler": {"enabled": False},
            "kubeEtcd": {"enabled": False},
            "prometheusOperator": {"resources": _resources("operator")},
            "prometheus": {
                "prometheusSpec": {
                    "retention": spec.retention,
                    "retentionSize": spec.retention_size,
                    "resources": spec.prometheus_resources.as_values(),
                    # Without a volume, a Prometheus restart loses every sample.
                    "storageSpec": {"volumeClaimTemplate": {"spec": volume}},
                    # By default Prometheus selects only objects labelled with this release; these make it
                    # pick up the ServiceMonitors (and rules) of every namespace, such as the DCGM
                    # exporter's and the model servers'.
                    "serviceMonitorSelectorNilUsesHelmValues": False,
                    "podMonitorSelectorNilUsesHelmValues": False,
                    "ruleSelectorNilUsesHelmValues": False,
                    "probeSelectorNilUsesHelmValues": False,
                    "scrapeConfigSelectorNilUsesHelmValues": False,
                }
            },
            "grafana": {
                # Without this the chart creates its own Secret with a well-known default password.
                "admin": {
                    "existingSecret": admin.name,
                    "userKey": admin.user_key,
                    "passwordKey": admin.password_key,
                },
                "resources": _resources("grafana"),
                "sidecar": {
                    "resources": _resources("grafana-sidecar"),
                    "dashboards": {
                        "enabled": True,
                        "label": DASHBOARD_LABEL[0],
                        "labelValue": DASHBOARD_LABEL[1],
                    },
                },
            },
            # kube-state-metrics serves the kube_horizontalpodautoscaler_* series of the dashboard.
            "kube-state-metrics": {"resources": _resources("kube-state-metrics")},
            "prometheus-node-exporter": {
                # The host-access DaemonSet goes to the privileged agents namespace, not Grafana's.
                "namespaceOverride": agents,
                "resources": _resources("node-exporter"),
            },
        }
        return self._release(
            f"{name}-kube-prometheus-stack",
            versions.KUBE_PROMETHEUS_STACK,
            spec.kube_prometheus_stack_version,
            monitoring,
            values,
            opts,
        )

    @staticmethod
    def _alertmanager_values(args: KubernetesMonitoringArgs) -> dict[str, Any]:
        routing = args.spec.alerting
        if routing is None:
            # An Alertmanager with no receiver would only swallow the alerts.
            return {"enabled": False}
        return {
            "enabled": True,
            # A fixed name: EKS Pod Identity binds the SNS publishing role to this service account.
            "serviceAccount": {"create": True, "name": ALERTMANAGER_SERVICE_ACCOUNT},
            "config": alertmanager_config(routing, args.alert_topic_arn, args.region),
            "alertmanagerSpec": {"resources": _resources("alertmanager")},
        }

    def _alert_rules(
        self,
        name: str,
        serving: KubernetesServingSpec,
        spec: KubernetesMonitoringSpec,
        monitoring: pulumi.Input[str],
        prometheus: k8s.helm.v3.Release,
        opts: pulumi.ResourceOptions,
    ) -> k8s.apiextensions.CustomResource:
        # Beside the ServiceMonitors: Prometheus selects the rules of every namespace (ruleSelector).
        return k8s.apiextensions.CustomResource(
            f"{name}-{serving.namespace}-{serving.name}-alerts",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata=meta.ObjectMetaArgs(
                name=f"{serving.namespace}-{serving.name}-alerts", namespace=monitoring, labels=self._labels
            ),
            spec={
                "groups": [
                    {
                        "name": f"{serving.namespace}-{serving.name}",
                        "rules": serving_alert_rules(serving, spec.serving_metrics),
                    }
                ]
            },
            # The PrometheusRule CRD comes with the kube-prometheus-stack release.
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[prometheus])),
        )

    def _dcgm_release(
        self,
        name: str,
        spec: KubernetesMonitoringSpec,
        agents: pulumi.Input[str],
        prometheus: k8s.helm.v3.Release,
        opts: pulumi.ResourceOptions,
    ) -> k8s.helm.v3.Release:
        values = {
            "serviceMonitor": {
                "enabled": True,
                "interval": "30s",
                # The exporter labels each GPU's series with the pod and namespace using it. Honouring its
                # labels keeps them as `pod` and `namespace` (not exported_pod/exported_namespace), the
                # labels prometheus-adapter maps to the serving pods for the HPA.
                "honorLabels": True,
                "relabelings": [
                    {
                        "sourceLabels": ["__meta_kubernetes_pod_node_name"],
                        "targetLabel": "node",
                        "action": "replace",
                    },
                    # The exporter pod's own pod/namespace/container target labels would otherwise fill in
                    # for a GPU no pod uses, attributing it to the exporter.
                    {"action": "labeldrop", "regex": _EXPORTER_TARGET_LABELS},
                ],
            },
            "nodeSelector": dict(spec.gpu_node_selector),
            "tolerations": [t.model_dump(exclude_none=True) for t in spec.gpu_tolerations],
            "resources": _resources("dcgm-exporter"),
        }
        return self._release(
            f"{name}-dcgm-exporter",
            versions.DCGM_EXPORTER,
            spec.dcgm_exporter_version,
            agents,
            values,
            # The chart renders a ServiceMonitor, whose CRD kube-prometheus-stack installs: installed
            # first, Helm would fail with "no matches for kind ServiceMonitor".
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[prometheus])),
        )

    def _adapter_release(
        self,
        name: str,
        spec: KubernetesMonitoringSpec,
        monitoring: pulumi.Input[str],
        prometheus: k8s.helm.v3.Release,
        opts: pulumi.ResourceOptions,
    ) -> k8s.helm.v3.Release:
        values = {
            "prometheus": {
                "url": concat("http://", PROMETHEUS_SERVICE, ".", monitoring, ".svc"),
                "port": 9090,
            },
            # Only the GPU metric: the chart's default rules would publish every container_* series.
            "rules": {"default": False, "custom": [gpu_utilization_rule()]},
            # Two replicas behind a budget: while the custom metrics API is down, no HPA can scale on it.
            "replicas": 2,
            "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
            "resources": _resources("prometheus-adapter"),
        }
        return self._release(
            f"{name}-prometheus-adapter",
            versions.PROMETHEUS_ADAPTER,
            spec.prometheus_adapter_version,
            monitoring,
            values,
            # It queries the Prometheus the stack release creates.
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[prometheus])),
        )

    def _service_monitor(
        self,
        name: str,
        target: ScrapeTarget,
        monitoring: pulumi.Input[str],
        prometheus: k8s.helm.v3.Release,
        opts: pulumi.ResourceOptions,
    ) -> k8s.apiextensions.CustomResource:
        # In the monitoring namespace, reaching into the serving's: this works even where Prometheus is
        # later restricted to ServiceMonitors of its own namespace, and leaves the serving namespace alone.
        return k8s.apiextensions.CustomResource(
            f"{name}-{target.namespace}-{target.name}-service-monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata=meta.ObjectMetaArgs(
                name=f"{target.namespace}-{target.name}", namespace=monitoring, labels=self._labels
            ),
            spec={
                "selector": {"matchLabels": serving_service_selector(target.name)},
                "namespaceSelector": {"matchNames": [target.namespace]},
                "endpoints": [
                    {"port": METRICS_PORT, "path": target.path, "interval": target.interval, "scheme": "http"}
                ],
            },
            # The ServiceMonitor CRD comes with the kube-prometheus-stack release: created any earlier, the
            # API server would reject the object with "no matches for kind ServiceMonitor".
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[prometheus])),
        )


# --- the dashboard ---------------------------------------------------------------------------------
