"""Kubernetes: GPU model serving and its monitoring stack on an existing EKS cluster (type tokens
``mlops:kubernetes:*``). The components need pulumi-kubernetes (the ``kubernetes`` extra): they
are imported on first use, so reading the specs does not load it."""

from typing import Any

from ..extras import import_needing
from .kubernetes_monitoring_spec import AlertRouting, KubernetesMonitoringSpec, ScrapeTarget
from .kubernetes_serving_spec import (
    CanarySpec,
    GpuPlacement,
    KServeSpec,
    KubernetesServingSpec,
    ServingAlerts,
    Toleration,
)

_ON_FIRST_USE = {
    "AlertmanagerSnsAccess": ".alertmanager_sns_access",
    "AlertmanagerSnsAccessArgs": ".alertmanager_sns_access",
    "KubernetesServing": ".kubernetes_serving",
    "RegistryModel": ".kubernetes_serving",
    "ModelArtifactAccess": ".model_artifact_access",
    "ModelArtifactAccessArgs": ".model_artifact_access",
    "KubernetesServingArgs": ".kubernetes_serving",
    "kubernetes_provider": ".kubernetes_serving",
    "KubernetesMonitoring": ".kubernetes_monitoring",
    "KubernetesMonitoringArgs": ".kubernetes_monitoring",
}

__all__ = [
    "AlertRouting",
    "AlertmanagerSnsAccess",
    "AlertmanagerSnsAccessArgs",
    "CanarySpec",
    "GpuPlacement",
    "KServeSpec",
    "KubernetesMonitoring",
    "KubernetesMonitoringArgs",
    "KubernetesMonitoringSpec",
    "KubernetesServing",
    "KubernetesServingArgs",
    "KubernetesServingSpec",
    "ModelArtifactAccess",
    "ModelArtifactAccessArgs",
    "RegistryModel",
    "ScrapeTarget",
    "ServingAlerts",
    "Toleration",
    "kubernetes_provider",
]


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        return getattr(import_needing(_ON_FIRST_USE[name], __name__, f"{__name__}.{name}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
