"""What the platform knows about SageMaker instance types: GPU families and local instance storage."""

from __future__ import annotations

import re
from typing import Final

try:  # the installed wheel: mlops_platform.components next to mlops_platform.policies
    # Above the top-level `components` of the repository, which is what mypy checks: there is no
    # package to find there (the except branch is the import it sees).
    from ..policies import aws_instance_types as _instance_types  # type: ignore[import-not-found]
except ImportError:  # the repository: top-level `components` and `policies` packages
    from policies import aws_instance_types as _instance_types

_INSTANCE_TYPE: Final = re.compile(r"^ml\.(?P<family>[a-z0-9-]+)\.(small|medium|large|[0-9]*xlarge)\Z")

# Families with GPUs (GPU images, GPU alarms, the pack's GPU quota): the same one list.
GPU_FAMILIES: Final = _instance_types.GPU_FAMILIES
# Families whose volumes are local NVMe instance storage, hardware-encrypted: a job's VolumeKmsKeyId is
# refused for them, and an EndpointConfig's KmsKeyId does not encrypt them (the API reference once said
# the call fails), so the platform sends no storage key for them. One maintained list, shared with the
# policy pack and the training builder (policies/aws_instance_types.py, pure data).
INSTANCE_STORE_FAMILIES: Final = _instance_types.INSTANCE_STORE_FAMILIES


def instance_family(instance_type: str) -> str:
    match = _INSTANCE_TYPE.match(instance_type)
    if match is None:
        raise ValueError(
            f"'{instance_type}' is not a SageMaker instance type such as ml.m5.xlarge or ml.g5.2xlarge"
        )
    return match.group("family")


def validate_instance_type(instance_type: str) -> str:
    instance_family(instance_type)
    return instance_type


# What each kind of SageMaker resource takes: botocore's enumeration of its InstanceType member.
OFFERED_BY: Final = {
    "ProcessingInstanceType": "processing jobs",
    "ProductionVariantInstanceType": "endpoint variants",
}


def offered_instance_type(instance_type: str, shape: str) -> str:
    """``instance_type`` if it is a SageMaker instance type that botocore's enumeration ``shape``
    lists (``ProcessingInstanceType``, ``ProductionVariantInstanceType``); else ``ValueError``: a
    name of the right form that the API does not list (``ml.c5.large`` for a processing job,
    ``ml.t3.medium`` for an endpoint) is refused only when AWS is called. Without botocore (the
    package's base install), the form only."""
    problem = offered_instance_type_problem(instance_type, shape)
    if problem:
        raise ValueError(problem)
    return instance_type


def instance_type_form_problem(instance_type: object) -> str | None:
    """Why ``instance_type`` is not of a SageMaker instance type's form (:func:`validate_instance_type`),
    or None (for a component's arguments: :func:`components.limits.satisfies`)."""
    if not isinstance(instance_type, str):
        return f"{instance_type!r} is not a SageMaker instance type such as ml.m5.xlarge"
    try:
        validate_instance_type(instance_type)
    except ValueError as error:
        return str(error)
    return None


def offered_instance_type_problem(instance_type: object, shape: str) -> str | None:
    """Why ``instance_type`` is not one botocore's enumeration ``shape`` lists, or None (for a
    component's arguments: :func:`components.limits.satisfies`)."""
    if (problem := instance_type_form_problem(instance_type)) is not None:
        return problem
    # Imported here: components.botocore_enums imports this package (its cache directory).
    from .botocore_enums import botocore_installed, sagemaker_instance_types

    # The package's base install has no botocore: the form only, not a ModuleNotFoundError.
    if botocore_installed() and instance_type not in sagemaker_instance_types(shape):
        return (
            f"'{instance_type}' is not an instance type SageMaker offers for {OFFERED_BY[shape]} "
            f"(botocore's {shape}), e.g. ml.m5.xlarge, ml.c5.2xlarge, ml.g5.2xlarge"
        )
    return None


def is_gpu(instance_type: str) -> bool:
    return instance_family(instance_type) in GPU_FAMILIES


def gpu_count(instance_type: str) -> int:
    """GPUs of the instance type (0 for a family without GPUs); ValueError for a GPU type whose
    count is not in ``policies/aws_instance_types.py`` (a GPU alarm or scaling target on it would
    be off by that count)."""
    if not is_gpu(instance_type):
        return 0
    count = _instance_types.GPU_COUNTS.get(instance_type)
    if count is None:
        raise ValueError(
            f"'{instance_type}' has no known GPU count, which its GPU alarms and scaling target are "
            "multiplied by (GPUUtilization is 100 per GPU): add it to GPU_COUNTS in "
            "policies/aws_instance_types.py, or use a type listed there"
        )
    return count


def has_instance_store(instance_type: str) -> bool:
    return instance_family(instance_type) in INSTANCE_STORE_FAMILIES


# vCPUs, memory (MiB) and accelerator devices (GPUs) of the hosting instance types an inference
# component's compute requirements are checked against (AWS's "Amazon EC2 instance types" tables;
# the ml.* type has its EC2 twin's hardware). Add a type here to host inference components on it;
# a GPU type's devices are its count in ``GPU_COUNTS`` (policies/aws_instance_types.py).
def _sizes(family: str, sizes: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int, int]]:
    return {
        f"ml.{family}.{size}": (cpus, gib * 1024, _instance_types.GPU_COUNTS.get(f"ml.{family}.{size}", 0))
        for size, (cpus, gib) in sizes.items()
    }


_G5_SHAPES: Final = {
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
    "4xlarge": (16, 64),
    "8xlarge": (32, 128),
    "12xlarge": (48, 192),
    "16xlarge": (64, 256),
    "24xlarge": (96, 384),
    "48xlarge": (192, 768),
}
INSTANCE_RESOURCES: Final[dict[str, tuple[int, int, int]]] = {
    **_sizes(
        "m5",
        {
            "large": (2, 8),
            "xlarge": (4, 16),
            "2xlarge": (8, 32),
            "4xlarge": (16, 64),
            "12xlarge": (48, 192),
            "24xlarge": (96, 384),
        },
    ),
    **_sizes(
        "c5",
        {
            "large": (2, 4),
            "xlarge": (4, 8),
            "2xlarge": (8, 16),
            "4xlarge": (16, 32),
            "9xlarge": (36, 72),
            "18xlarge": (72, 144),
        },
    ),
    **_sizes(
        "r5",
        {
            "large": (2, 16),
            "xlarge": (4, 32),
            "2xlarge": (8, 64),
            "4xlarge": (16, 128),
            "12xlarge": (48, 384),
            "24xlarge": (96, 768),
        },
    ),
    **_sizes(
        "g4dn",
        {
            "xlarge": (4, 16),
            "2xlarge": (8, 32),
            "4xlarge": (16, 64),
            "8xlarge": (32, 128),
            "12xlarge": (48, 192),
            "16xlarge": (64, 256),
        },
    ),
    **_sizes("g5", _G5_SHAPES),
    **_sizes("g6", _G5_SHAPES),
    **_sizes("g6e", {size: (cpus, gib * 2) for size, (cpus, gib) in _G5_SHAPES.items()}),
    **_sizes("p4d", {"24xlarge": (96, 1152)}),
}
"""Instance type → (vCPUs, memory in MiB, accelerator devices)."""


def instance_resources(instance_type: str) -> tuple[int, int, int]:
    """(vCPUs, memory MiB, accelerator devices) of a hosting instance type; ValueError naming the
    known types when the table lacks it."""
    validate_instance_type(instance_type)
    if instance_type not in INSTANCE_RESOURCES:
        raise ValueError(
            f"'{instance_type}' has no known vCPU/memory/GPU sizes to check inference components "
            f"against; use one of {', '.join(sorted(INSTANCE_RESOURCES))} (components/instance_types.py)"
        )
    return INSTANCE_RESOURCES[instance_type]
