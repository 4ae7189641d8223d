"""``sagemaker-target-tracking-sound`` refuses a cooldown no number reads.

The rule compared ``scaleInCooldown`` with ``scaleOutCooldown`` only when it could read both: a cooldown
of ``"soon"``, ``"nan"`` or ``"inf"`` passed (session 71, pack review: a number read from text that
passes a bound unreadable). Application Auto Scaling takes each as an integer of seconds; such a value
is now refused, naming it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings

RULE = "sagemaker-target-tracking-sound"
POLICY = "aws:appautoscaling/policy:Policy"


def _policy(**cooldowns: Any) -> dict[str, Any]:
    return {
        "policyType": "TargetTrackingScaling",
        "serviceNamespace": "sagemaker",
        "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "resourceId": "endpoint/e/variant/v",
        "targetTrackingScalingPolicyConfiguration": {"targetValue": 70, **cooldowns},
    }


@pytest.mark.parametrize("key", ["scaleInCooldown", "scaleOutCooldown"])
@pytest.mark.parametrize("value", ["soon", "nan", "inf", True, {"a": 1}], ids=repr)
def test_a_cooldown_no_number_reads_is_refused(key: str, value: Any) -> None:
    other = "scaleOutCooldown" if key == "scaleInCooldown" else "scaleInCooldown"
    inputs = _policy(**{key: value, other: 60})
    assert_decided(
        findings(RULE, POLICY, inputs), f"targetTrackingScalingPolicyConfiguration.{key} is ", "not a number"
    )


@pytest.mark.parametrize(
    ("scale_in", "scale_out", "fragment"),
    [
        (300, 60, None),
        ("300", "60", None),
        (60, 300, "scaleInCooldown 60 is shorter"),
        ("60", 300, "shorter"),
    ],
    ids=["numbers", "text", "swapped", "text-swapped"],
)
def test_readable_cooldowns_are_compared_as_before(
    scale_in: Any, scale_out: Any, fragment: str | None
) -> None:
    inputs = _policy(scaleInCooldown=scale_in, scaleOutCooldown=scale_out)
    assert_decided(findings(RULE, POLICY, inputs), fragment)
