"""What the platform knows about SageMaker instance types: GPU families and local instance storage."""

from __future__ import annotations

import re
from typing import Final

try:  # the installed wheel: mlops_platform.components next to mlops_platform.policies
    from ..policies import aws_instance_types as _instance_types
except ImportError:  # the repository: top-level `components` and `policies` packages
    from policies import aws_instance_types as _instance_types

_INSTANCE_TYPE: Final = re.compile(r"^ml\.(?P<family>[a-z0-9-]+)\.(small|medium|large|[0-9]*xlarge)\Z")

# Families with GPUs (GPU images, GPU alarms, the pack's GPU quota): the same one list.
GPU_FAMILIES: Final = _instance_types.GPU_FAMILIES
# Families whose volumes are local NVMe instance storage: hardware-encrypted, and SageMaker rejects a
# storage KMS key (EndpointConfig KmsKeyId, job VolumeKmsKeyId) for them. One maintained list, shared
# with the policy pack and the training builder (policies/aws_instance_types.py, pure data).
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


def is_gpu(instance_type: str) -> bool:
    return instance_family(instance_type) in GPU_FAMILIES


def has_instance_store(instance_type: str) -> bool:
    return instance_family(instance_type) in INSTANCE_STORE_FAMILIES
