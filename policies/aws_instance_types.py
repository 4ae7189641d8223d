"""What SageMaker instance families are: the one maintained list of GPU and local-NVMe families.

GPU families count against the pack's GPU quota and get GPU images and GPU alarms from the components.

Why it matters: SageMaker encrypts instance-store volumes with a hardware module and rejects a
storage-volume KMS key for them: ``CreateEndpointConfig`` ``KmsKeyId`` ("If you specify a value for
KmsKeyId when using any nitro-based instances with local storage, the call to CreateEndpointConfig
fails"), ``ResourceConfig`` / ``ProcessingClusterConfig`` / ``TransformResources`` /
``HyperParameterTuningResourceConfig`` ``VolumeKmsKeyId`` ("You can't request a VolumeKmsKeyId when
using an instance type with local storage"; SageMaker API reference, botocore's service model).

Who reads it: the policy pack (``policies/rules/_common.py``), the components
(``components/instance_types.py``) and the training pipeline builder
(``components/training/_definition_steps.py``), so the key a component sets and the key the pack
demands can never disagree. This module is pure data with no imports: it lives in ``policies/``
because the pack may import nothing from ``components/`` (it governs any Pulumi program) while
components may import from the pack's package (the wheel ships both, as ``mlops_platform.policies``
next to ``mlops_platform.components``), and importing it needs neither pulumi-policy nor pulumi.

Sources, and how to extend: AWS's "Instance store volumes" tables (EC2 user guide) and SageMaker's
"Training storage folders" page list the families with NVMe instance storage. Rule of thumb: a
``d`` in the family name (c5d, m6gd, p4d, g4dn...) means local NVMe, and so do the accelerated
families g5/g6/g6e/g7e, p5*, p6*, trn1/trn1n/trn2 and dl1. The sagemaker SDK encodes the same rule
(``sagemaker.core.common_utils.volume_size_supported``: ``"d" in family`` or a prefix of
g5/g6/g7e/p5/p6-b200/trn1/trn2); ``tests/components/test_instance_storage.py`` compares the two
and names each deliberate difference. Add a new family here (one line) and every reader follows.
"""

from __future__ import annotations

#: Families with GPUs (the middle of ``ml.<family>.<size>``): they count against the GPU quota and
#: get GPU images and GPU alarms. Inferentia/Trainium (inf*, trn*) and Gaudi (dl1) are accelerators
#: but not GPUs: no DCGM/GPUUtilization metric, no CUDA images.
GPU_FAMILIES: frozenset[str] = frozenset(
    {
        "g4ad",
        "g4dn",
        "g5",
        "g6",
        "g6e",
        "g7",
        "g7e",
        "p2",
        "p3",
        "p3dn",
        "p4d",
        "p4de",
        "p5",
        "p5e",
        "p5en",
        "p6-b200",
        "p6-b300",
        "p6e-gb200",
    }
)

#: GPU families EC2 runs that SageMaker offers no ``ml.`` type of (botocore's EC2 ``InstanceType``
#: enum: NVIDIA K520/M60, Graviton T4G, L4 and fractional L4). They count against the GPU quota where
#: a stack runs EC2 capacity itself (instances, EKS node groups, Auto Scaling groups); no component
#: reads them (``vt1`` is a video transcoder, not a GPU).
EC2_ONLY_GPU_FAMILIES: frozenset[str] = frozenset({"g2", "g3", "g3s", "g5g", "g6f", "gr6", "gr6f"})

#: Families (the middle of ``ml.<family>.<size>``) with local NVMe instance storage.
INSTANCE_STORE_FAMILIES: frozenset[str] = frozenset(
    {
        # general purpose, compute and memory optimised with local NVMe ("d")
        "c5d",
        "c6gd",
        "c6id",
        "c7gd",
        "m5d",
        "m6gd",
        "m6id",
        "m7gd",
        "r5d",
        "r6gd",
        "r6id",
        "r7gd",
        # GPU
        "g4ad",
        "g4dn",
        "g5",
        "g6",
        "g6e",
        "g7e",
        "p3dn",
        "p4d",
        "p4de",
        "p5",
        "p5e",
        "p5en",
        "p6-b200",
        "p6-b300",
        "p6e-gb200",
        # other accelerators
        "dl1",
        "trn1",
        "trn1n",
        "trn2",
    }
)


_SINGLE_GPU_SIZES = ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")
_G5_LIKE = {**dict.fromkeys(_SINGLE_GPU_SIZES, 1), "12xlarge": 4, "24xlarge": 4, "48xlarge": 8}

#: GPUs of each SageMaker GPU instance type (AWS's "Accelerated computing" instance tables). An
#: endpoint's ``GPUUtilization`` and ``GPUMemoryUtilization`` are 0-100 per GPU, summed over the
#: instance's GPUs (0-400 % on four), so an alarm threshold or a scaling target in percent of the
#: instance's GPUs is multiplied by this count. A GPU type missing here is refused where the stack
#: file names it, rather than given a threshold off by its GPU count: add it (one line). The G7
#: family (RTX PRO 4500) is left out until AWS's table of its sizes is confirmed.
GPU_COUNTS: dict[str, int] = {
    **{f"ml.g4dn.{size}": 1 for size in _SINGLE_GPU_SIZES},
    "ml.g4dn.12xlarge": 4,
    **{
        f"ml.g4ad.{size}": count
        for size, count in (("xlarge", 1), ("2xlarge", 1), ("4xlarge", 1), ("8xlarge", 2), ("16xlarge", 4))
    },
    **{f"ml.{family}.{size}": count for family in ("g5", "g6", "g6e") for size, count in _G5_LIKE.items()},
    **{
        f"ml.g7e.{size}": count
        for size, count in (
            ("2xlarge", 1),
            ("4xlarge", 1),
            ("8xlarge", 1),
            ("12xlarge", 2),
            ("24xlarge", 4),
            ("48xlarge", 8),
        )
    },
    "ml.p2.xlarge": 1,
    "ml.p2.8xlarge": 8,
    "ml.p2.16xlarge": 16,
    "ml.p3.2xlarge": 1,
    "ml.p3.8xlarge": 4,
    "ml.p3.16xlarge": 8,
    "ml.p3dn.24xlarge": 8,
    "ml.p4d.24xlarge": 8,
    "ml.p4de.24xlarge": 8,
    "ml.p5.4xlarge": 1,
    "ml.p5.48xlarge": 8,
    "ml.p5e.48xlarge": 8,
    "ml.p5en.48xlarge": 8,
    "ml.p6-b200.48xlarge": 8,
    "ml.p6-b300.48xlarge": 8,
    "ml.p6e-gb200.36xlarge": 4,
}


def family_of(instance_type: object) -> str | None:
    """``ml.g5.2xlarge`` -> ``g5``; anything that is not an ``ml.<family>.<size>`` string -> None."""
    if not isinstance(instance_type, str):
        return None
    parts = instance_type.split(".")
    if len(parts) == 3 and parts[0] == "ml" and parts[1]:
        return parts[1]
    return None


def has_instance_store(instance_type: object) -> bool:
    """True when SageMaker runs ``instance_type`` on local NVMe storage (no storage KMS key allowed)."""
    return family_of(instance_type) in INSTANCE_STORE_FAMILIES


def accepts_storage_kms_key(instance_type: object) -> bool:
    """True when SageMaker accepts a storage-volume KMS key for ``instance_type`` (EBS-backed)."""
    return not has_instance_store(instance_type)
