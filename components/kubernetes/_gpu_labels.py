"""The node labels that select GPU nodes, and the values of them that say "no GPU": a GPU pod's
``gpu_node_selector`` must not name such a label with such a value (the pod would wait for a GPU
on nodes that have none).

A copy of the policy pack's (policies/rules/_gpu_placement.py, which imports nothing from
``components/``); tests/components/test_gpu_selector_spec_69.py pins the two equal. The NVIDIA GPU
operator relabels a node that lost its GPUs ``nvidia.com/gpu.present=false``; GPU feature
discovery's ``nvidia.com/gpu.count`` and Karpenter's ``karpenter.k8s.aws/instance-gpu-count`` (EKS
Auto Mode's ``eks.amazonaws.com/instance-gpu-count``) are counts.
"""

from __future__ import annotations

import re

GPU_NODE_LABELS: tuple[str, ...] = (
    "nvidia.com/gpu",
    "nvidia.com/gpu.present",
    "nvidia.com/gpu.product",
    "nvidia.com/gpu.count",
    "k8s.amazonaws.com/accelerator",
    "karpenter.k8s.aws/instance-gpu-count",
    "karpenter.k8s.aws/instance-gpu-manufacturer",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-gpu-memory",
    "eks.amazonaws.com/instance-gpu-count",
    "eks.amazonaws.com/instance-gpu-manufacturer",
    "eks.amazonaws.com/instance-gpu-name",
    "eks.amazonaws.com/instance-gpu-memory",
)
"""Labels set on GPU nodes only, or with a "no GPU" value on others (the pack's default
``gpuNodeSelectorKeys``)."""

NO_GPU_WORDS = frozenset({"", "false", "no", "off", "none"})
"""Label values that say "no GPU" (compared lower-cased, blanks stripped); numbers <= 0 too."""

_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def says_no_gpu(value: str) -> bool:
    """Whether a node label value names nodes without a GPU: empty, ``false``, ``no``, ``off``,
    ``none`` (any case), or a decimal number <= 0 (a count of none)."""
    text = value.strip().lower()
    return text in NO_GPU_WORDS or (_DECIMAL.fullmatch(text) is not None and float(text) <= 0)


def no_gpu_selections(selector: dict[str, str]) -> list[str]:
    """The ``key=value`` pairs of a node selector that name a GPU label with a "no GPU" value."""
    return [
        f"{key}={value}" for key, value in selector.items() if key in GPU_NODE_LABELS and says_no_gpu(value)
    ]
