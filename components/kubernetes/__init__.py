"""Kubernetes: GPU model serving and its monitoring stack on an existing EKS cluster (type tokens
``mlops:kubernetes:*``). The components need pulumi-kubernetes (the ``kubernetes`` extra): they
are imported on first use, so reading the specs does not load it."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .kubernetes_monitoring_spec import AlertRouting, KubernetesMonitoringSpec, ScrapeTarget
from .kubernetes_serving_spec import (
    CanarySpec,
    GpuPlacement,
    KServeSpec,
    KubernetesServingSpec,
    ServingAlerts,
    Toleration,
)

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .alertmanager_sns_access import AlertmanagerSnsAccess, AlertmanagerSnsAccessArgs
    from .kubernetes_monitoring import KubernetesMonitoring, KubernetesMonitoringArgs
    from .kubernetes_serving import (
        KubernetesServing,
        KubernetesServingArgs,
        RegistryModel,
        kubernetes_provider,
    )
    from .model_artifact_access import ModelArtifactAccess, ModelArtifactAccessArgs

__getattr__ = on_first_use(
    __name__,
    {
        ".alertmanager_sns_access": ("AlertmanagerSnsAccess", "AlertmanagerSnsAccessArgs"),
        ".kubernetes_monitoring": ("KubernetesMonitoring", "KubernetesMonitoringArgs"),
        ".kubernetes_serving": (
            "KubernetesServing",
            "KubernetesServingArgs",
            "RegistryModel",
            "kubernetes_provider",
        ),
        ".model_artifact_access": ("ModelArtifactAccess", "ModelArtifactAccessArgs"),
    },
)

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
