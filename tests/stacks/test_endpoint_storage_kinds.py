"""One endpoint, one kind of instance storage (components/serving/inference_endpoint_spec.py,
``EndpointSpec._one_kind_of_storage``).

An endpoint configuration has one KMS key for its variants' volumes: SageMaker refuses it for
local-NVMe instance types (their storage is encrypted by the instance), and an EBS volume without
it fails the pack's mandatory ``endpoint-config-kms-encrypted``. So a champion on ``ml.g5`` and a
challenger or shadow on ``ml.m5`` could never be planned clean: the stack file refuses them at the
second variant's ``instance_type``, naming both, before anything is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import CONFIG_KEY
from tests.stacks.test_cross_field_validation import _problems, _variant


def _second(kind: str, instance_type: str):
    def edit(platform: dict[str, Any]) -> None:
        endpoint = platform["endpoints"][0]
        variant = _variant("challenger", instance_type=instance_type, weight=0.1)
        if kind == "shadow_variants":
            variant.pop("weight")
        endpoint.setdefault(kind, []).append(variant)

    return edit


@pytest.mark.parametrize("kind", ["variants", "shadow_variants"])
def test_an_ebs_backed_variant_beside_a_local_nvme_champion_is_refused_at_its_type(write_stack, kind) -> None:
    # The prod fixture's champion runs on ml.g5.2xlarge (local NVMe).
    problems = _problems(write_stack, "prod", _second(kind, "ml.m5.xlarge"))
    key = f"{CONFIG_KEY}.endpoints[0].{kind}[{0 if kind == 'shadow_variants' else 1}].instance_type"
    assert list(problems) == [key]
    assert problems[key].endswith(
        "variant 'challenger' (ml.m5.xlarge) and variant 'primary' (ml.g5.2xlarge) must both use local-NVMe "
        "instance types or both EBS-backed ones: the endpoint's one KMS key is refused by the first and "
        "required by the second; serve them from two endpoints"
    )


@pytest.mark.parametrize("kind", ["variants", "shadow_variants"])
def test_variants_of_one_kind_of_storage_share_an_endpoint(write_stack, kind) -> None:
    assert _problems(write_stack, "prod", _second(kind, "ml.g6.xlarge")) == {}  # both local NVMe
