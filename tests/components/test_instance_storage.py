"""One list of local-NVMe instance families, read alike by the components, the training builder and the pack.

SageMaker rejects a storage-volume KMS key on instance-store types (EndpointConfig ``KmsKeyId``,
``VolumeKmsKeyId``), so the key a component sets and the key the pack demands must follow the same
list: ``policies/aws_instance_types.py``. The sagemaker SDK's heuristic is compared too, with
each deliberate difference named.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from components import instance_types
from components.training import _offline_sdk
from policies import aws_instance_types
from policies.rules import _common


@pytest.fixture(scope="module")
def sdk() -> tuple[ModuleType, Any]:
    """The training builder and the SDK's heuristic, imported the way the builder is (sealed, offline).

    A fixture, not a module-level import: the SageMaker SDK costs seconds to import, and every
    xdist worker collects this module whether or not it runs one of its tests."""
    with _offline_sdk.sealed("eu-west-1"):
        from sagemaker.core.common_utils import instance_supports_kms

        from components.training import _definition_steps
    return _definition_steps, instance_supports_kms


# Families the platform treats as local NVMe: every one of them, by name.
NVME = sorted(aws_instance_types.INSTANCE_STORE_FAMILIES)
# EBS-backed families a stack is likely to use: a storage key is required there.
EBS = ["t3", "m5", "m6i", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "p2", "p3", "inf1", "inf2"]
# Where the SDK's heuristic (a "d" in the family, or a g5/g6/g7e/p5/p6-b200/trn1/trn2 prefix)
# lags the platform list: newer NVMe families it does not know yet.
SDK_LAGS = {"p6-b300", "p6e-gb200"}
# Families with a "d" the SDK's heuristic would wrongly call NVMe: none used by SageMaker today.
SDK_OVERREACHES: set[str] = set()

REQUIRED_BY_BRIEF = {"m6gd", "c6gd", "r6gd", "r7gd", "dl1", "trn2", "p6-b200", "p6e-gb200"}


def _type(family: str) -> str:
    return f"ml.{family}.2xlarge"


@pytest.mark.parametrize("family", NVME, ids=NVME)
def test_nvme_family_gets_no_storage_key_anywhere(family: str, sdk: tuple[ModuleType, Any]) -> None:
    _definition_steps, _ = sdk
    instance_type = _type(family)
    assert instance_types.has_instance_store(instance_type)
    assert _definition_steps.supports_volume_kms(instance_type) is False
    assert _common.has_instance_store(instance_type)
    assert aws_instance_types.accepts_storage_kms_key(instance_type) is False


@pytest.mark.parametrize("family", EBS, ids=EBS)
def test_ebs_family_gets_a_storage_key_everywhere(family: str, sdk: tuple[ModuleType, Any]) -> None:
    _definition_steps, _ = sdk
    instance_type = _type(family)
    assert not instance_types.has_instance_store(instance_type)
    assert _definition_steps.supports_volume_kms(instance_type) is True
    assert not _common.has_instance_store(instance_type)


@pytest.mark.parametrize("family", NVME + EBS, ids=NVME + EBS)
def test_sdk_heuristic_agrees_except_where_named(family: str, sdk: tuple[ModuleType, Any]) -> None:
    _, instance_supports_kms = sdk
    sdk_says_nvme = not instance_supports_kms(_type(family))
    ours = family in aws_instance_types.INSTANCE_STORE_FAMILIES
    if family in SDK_LAGS:
        assert ours and not sdk_says_nvme, f"{family}: the SDK caught up; drop it from SDK_LAGS"
    elif family in SDK_OVERREACHES:
        assert sdk_says_nvme and not ours
    else:
        assert sdk_says_nvme == ours


def test_the_three_readers_share_one_object() -> None:
    assert instance_types.INSTANCE_STORE_FAMILIES is aws_instance_types.INSTANCE_STORE_FAMILIES
    assert _common.INSTANCE_STORE_FAMILIES is aws_instance_types.INSTANCE_STORE_FAMILIES


def test_current_nvme_families_are_listed() -> None:
    assert REQUIRED_BY_BRIEF <= aws_instance_types.INSTANCE_STORE_FAMILIES


@pytest.mark.parametrize(
    ("value", "family"),
    [
        pytest.param("ml.p6e-gb200.36xlarge", "p6e-gb200", id="hyphenated-family"),
        pytest.param("ml.g5.xlarge", "g5", id="plain"),
        pytest.param("g5.xlarge", None, id="ec2-name-without-ml-prefix"),
        pytest.param({"Get": "Parameters.InstanceType"}, None, id="pipeline-expression"),
        pytest.param(None, None, id="unset"),
    ],
)
def test_family_parsing(value: object, family: str | None) -> None:
    assert aws_instance_types.family_of(value) == family


def test_the_shared_list_imports_without_pulumi() -> None:
    """Pure data: importable where neither pulumi nor pulumi-policy is installed."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(aws_instance_types.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__"}


@pytest.mark.parametrize("family", ["g4ad", "g7e", "p6-b300", "p6e-gb200", "p5en", "p3"])
def test_every_gpu_family_is_gpu_for_components_and_pack(family: str) -> None:
    instance_type = f"ml.{family}.48xlarge"
    assert instance_types.is_gpu(instance_type)
    assert family in _common.GPU_FAMILIES


@pytest.mark.parametrize("family", ["inf2", "trn1", "trn2", "dl1", "m5", "c6gd"])
def test_accelerators_and_cpus_are_not_gpus(family: str) -> None:
    assert not instance_types.is_gpu(f"ml.{family}.xlarge")
    assert family not in _common.GPU_FAMILIES
