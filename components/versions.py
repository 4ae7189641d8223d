"""Pinned versions of what the platform installs by reference: the one place to bump them.

Helm charts today; container images and API versions belong here too as components come to need
them. Every entry is an exact version: a range or ``latest`` would let the next ``pulumi up`` install
something nobody reviewed. Components take these as defaults that stack config may override.

Bumping a chart: read its release notes for breaking value changes, bump here, run the tests, then
``pulumi preview`` against a non-production cluster. Helm installs CRDs on first install only and
never upgrades them: a kube-prometheus-stack *major* bump usually ships new Prometheus Operator CRDs,
which must be applied first (``kubectl apply --server-side -f`` the CRDs of the new chart version, as
its upgrade notes say), or the operator fails on fields the old CRDs lack.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelmChart:
    """A chart in a classic (HTTPS index) Helm repository, pinned to one version."""

    chart: str
    repository: str
    version: str


KUBE_PROMETHEUS_STACK = HelmChart(
    chart="kube-prometheus-stack",
    repository="https://prometheus-community.github.io/helm-charts",
    # Prometheus Operator, Prometheus, Grafana, kube-state-metrics and node-exporter.
    version="81.6.2",
)

DCGM_EXPORTER = HelmChart(
    chart="dcgm-exporter",
    repository="https://nvidia.github.io/dcgm-exporter/helm-charts",
    # The chart version is the exporter version (image <dcgm>-<exporter>, e.g. 4.5.2-4.8.1).
    version="4.8.1",
)

PROMETHEUS_ADAPTER = HelmChart(
    chart="prometheus-adapter",
    repository="https://prometheus-community.github.io/helm-charts",
    # Serves Prometheus series through the custom metrics API: the HPA's GPU utilisation (adapter v0.12.0).
    version="5.3.0",
)

TRITON_SAGEMAKER_VERSION = "25.09"
"""Default Triton release of SageMaker's ``sagemaker-tritonserver`` image (``models[].triton.version``
on an endpoint variant): one the installed SageMaker SDK lists (components/serving/triton.py checks it).
Bump with the SDK, after reading NVIDIA's release notes for model-configuration changes."""
