"""EC2 capacity a stack asks for outside SageMaker: instances, EKS managed node groups and Auto
Scaling groups, each with the instance types it may run and its ceiling (shared by the GPU quota in
``governance_compute``). A GPU instance is a GPU instance whether SageMaker or EC2 runs it.

Instance types come from the resource itself (``instanceType``, a node group's ``instanceTypes``, a
mixed-instances group's overrides) or, when it names none, from the launch templates and launch
configurations it depends on. A group that may run several types counts once, at its ceiling,
when any of them is a GPU (as a flexible HyperPod group does).

Imports nothing from ``components/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource

from ._common import deps, get, items, number, own_or_unset

INSTANCE = "aws:ec2/instance:Instance"
SPOT_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NATIVE_NODE_GROUP = "aws-native:eks:Nodegroup"
AUTO_SCALING_GROUP = "aws:autoscaling/group:Group"
NATIVE_AUTO_SCALING_GROUP = "aws-native:autoscaling:AutoScalingGroup"
#: Launch templates and configurations, and where each keeps its instance type.
TEMPLATES = {
    "aws:ec2/launchTemplate:LaunchTemplate": "instanceType",
    "aws-native:ec2:LaunchTemplate": "launchTemplateData.instanceType",
    "aws:ec2/launchConfiguration:LaunchConfiguration": "instanceType",
    "aws-native:autoscaling:LaunchConfiguration": "instanceType",
}
#: Each capacity type: (where it names its own types, where its ceiling is; None: one instance).
CAPACITY: dict[str, tuple[tuple[str, ...], str | None]] = {
    INSTANCE: (("instanceType",), None),
    SPOT_REQUEST: (("instanceType",), None),
    NODE_GROUP: (("instanceTypes",), "scalingConfig.maxSize"),
    NATIVE_NODE_GROUP: (("instanceTypes",), "scalingConfig.maxSize"),
    AUTO_SCALING_GROUP: (("mixedInstancesPolicy.launchTemplate.overrides[].instanceType",), "maxSize"),
    NATIVE_AUTO_SCALING_GROUP: (("mixedInstancesPolicy.launchTemplate.overrides[].instanceType",), "maxSize"),
}
CAPACITY_TYPES = tuple(CAPACITY)


@dataclass(frozen=True)
class Unreadable:
    """A count or ceiling set to what no number reads (text such as ``"abc"`` or ``"nan"``, a boolean):
    read as the default, a ``"abc"`` count of 64 GPU instances passed the quota as one. The API refuses
    such a value, so the quota fails it rather than guess (an unknown one at preview stays undecided:
    reading it raises ``UnknownValueError``)."""

    path: str
    value: Any


def read_count(value: Any, path: str) -> float | Unreadable | None:
    """``value`` (at ``path``) as a number of instances: None when unset, :class:`Unreadable` when set
    to what no number reads (:func:`number`: NaN and the infinities included)."""
    if value is None:
        return None
    found = number(value)
    return Unreadable(path, value) if found is None else found


def _read(resource: PolicyResource, path: str) -> list[str]:
    """The instance types at ``path`` (``[]`` steps into each element of a list). A top-level input the
    program left unset reads as unset at a real preview too, where the planned state holds an unknown
    for it (an instance's or node group's types are Optional+Computed: a launch template may give
    them): :func:`own_or_unset`."""
    head, _, tail = path.partition("[].")
    first, _, rest = head.partition(".")
    value = own_or_unset(resource, first)
    if rest:
        value = get(value, rest)
    values = [get(item, tail) for item in items(value)] if tail else items(value)
    return [v for v in values if isinstance(v, str) and v]


def ec2_family(instance_type: Any) -> str | None:
    """``p4d.24xlarge`` -> ``p4d``; anything else (an ``ml.`` type, not a string) -> None."""
    if not isinstance(instance_type, str):
        return None
    parts = instance_type.strip().lower().split(".")
    return parts[0] if len(parts) == 2 else None


def ec2_capacity(resource: PolicyResource) -> tuple[str, list[str], float | Unreadable]:
    """``(path, instance types, ceiling)`` of one capacity resource. Raises ``UnknownValueError`` when
    a type or the ceiling is unknown at preview."""
    own, ceiling_path = CAPACITY[resource.resource_type]
    types = [t for path in own for t in _read(resource, path)]
    path = own[0]
    if not types:
        templates = [d for d in deps(resource) if d.resource_type in TEMPLATES]
        types = [t for d in templates for t in _read(d, TEMPLATES[d.resource_type])]
        path = "launch template instanceType"
    ceiling = (
        1.0 if ceiling_path is None else (read_count(get(resource.props, ceiling_path), ceiling_path) or 0.0)
    )
    return path, types, ceiling


def gpu_capacity(
    resources: Iterable[PolicyResource], families: set[str]
) -> Iterable[tuple[PolicyResource, str, list[str], float | Unreadable]]:
    """``(resource, path, its GPU types, ceiling)`` of each capacity resource that may run a GPU."""
    for resource in resources:
        if resource.resource_type not in CAPACITY:
            continue
        path, types, ceiling = ec2_capacity(resource)
        gpus = [t for t in types if ec2_family(t) in families]
        if gpus and ceiling:
            yield resource, path, gpus, ceiling


__all__ = ["CAPACITY_TYPES", "Unreadable", "ec2_capacity", "ec2_family", "gpu_capacity", "read_count"]
