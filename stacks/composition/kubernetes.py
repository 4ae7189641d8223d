"""Kubernetes: model servers and their monitoring on an existing EKS cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from stacks.config import PlatformConfig

if TYPE_CHECKING:
    from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
    from components.kubernetes.kubernetes_serving import KubernetesServing
    from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec


def scraped_by(
    spec: KubernetesServingSpec, monitoring: KubernetesMonitoringSpec | None
) -> KubernetesServingSpec:
    """The serving's spec with its NetworkPolicy letting the stack's Prometheus scrape it: the monitoring
    namespace, unless the stack file sets `network.monitoring_namespace` itself."""
    if monitoring is None or "monitoring_namespace" in spec.network.model_fields_set:
        return spec
    network = spec.network.model_copy(update={"monitoring_namespace": monitoring.namespace})
    return spec.model_copy(update={"network": network})


def build_kubernetes_servings(
    config: PlatformConfig, kubeconfig: pulumi.Input[str] | None
) -> dict[str, KubernetesServing]:
    servings = config.kubernetes_serving.servings
    if not servings:
        return {}
    if kubeconfig is None:
        raise ValueError("kubernetes_serving needs the cluster's kubeconfig")
    # Imported only for stacks that serve on Kubernetes: merely having pulumi_kubernetes loaded
    # makes the Pulumi runtime load every one of its modules during a run (about a second).
    from components.kubernetes.kubernetes_serving import (
        KubernetesServing,
        KubernetesServingArgs,
        kubernetes_provider,
    )

    provider = kubernetes_provider(
        "kubernetes", kubeconfig, cluster_identifier=config.kubernetes_serving.cluster_arn
    )
    on_cluster = pulumi.ResourceOptions(providers=[provider])
    monitoring = config.kubernetes_serving.scrape_targets
    if monitoring is not None:
        from components.kubernetes.kubernetes_monitoring import KubernetesMonitoring, KubernetesMonitoringArgs

        # No depends_on the servings: ServiceMonitors select Services by label, whenever they appear.
        KubernetesMonitoring(
            "k8s-monitoring",
            KubernetesMonitoringArgs(spec=monitoring, labels=config.resource_tags),
            on_cluster,
        )
    return {
        f"{spec.namespace}/{spec.name}": KubernetesServing(
            f"k8s-{spec.namespace}-{spec.name}",
            KubernetesServingArgs(spec=scraped_by(spec, monitoring), labels=config.resource_tags),
            on_cluster,
        )
        for spec in servings
    }
