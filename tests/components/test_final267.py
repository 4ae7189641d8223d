"""Session 67's last read (final267): a GPU saturation threshold no value can satisfy names what to
change instead of a threshold above 100."""

from __future__ import annotations

import re

import pytest

from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from tests.components.test_kubernetes_semantics_67 import SPEC


@pytest.mark.parametrize(
    ("target", "message"),
    [
        # 1.1 x 85 = 93.5: the smallest threshold taken is 94, one the key can hold.
        (85, r"\(85\), i\.e\. 94:"),
        # 1.1 x 91 = 100.1: no gpu_saturation_percent (at most 100) clears the HPA's tolerance.
        (
            91,
            r"\(91\), 101, above the 100 it can take: set target_gpu_utilization to 90 or less, or "
            r"alerts\.enabled to false:",
        ),
    ],
    ids=["reachable", "unreachable"],
)
def test_the_saturation_message_names_a_threshold_the_key_can_take(target: int, message: str) -> None:
    gpu = {**SPEC, "target_gpu_utilization": target, "alerts": {"gpu_saturation_percent": 93}}
    with pytest.raises(ValueError) as error:
        KubernetesServingSpec.model_validate(gpu)
    [problem] = error.value.errors()  # type: ignore[attr-defined]
    assert problem["loc"] == ("alerts", "gpu_saturation_percent")
    assert re.search(message, problem["msg"]), problem["msg"]
    # The smallest value taken is accepted, for a target at which one exists.
    if target <= 90:
        KubernetesServingSpec.model_validate(
            {**gpu, "alerts": {"gpu_saturation_percent": (target * 11 + 9) // 10}}
        )
