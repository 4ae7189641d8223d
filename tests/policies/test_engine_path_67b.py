"""Stack rules at a real preview, reading a resource other than the one they are called on: the
rest of the class of tests/policies/test_engine_path_67.py.

At ``pulumi preview`` the engine gives stack rules each resource's planned state (pulumi's
``stepGenerator.AnalyzeResources`` sends ``Outputs``; pulumi-terraform-bridge's ``Create`` with
``preview`` returns ``diff.ProposedState``), where a pulumi-aws property the program left unset that
the provider computes (Optional+Computed) is unknown. A pulumi-aws ``appautoscaling.Target``'s
``suspendedState`` is one (``pulumi_aws.appautoscaling.Target.suspended_state`` is an output that is
always set); after create it reads back nothing suspended.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_BOOLEAN_VALUE, UNKNOWN_OBJECT_VALUE

from tests.policies.test_engine_path_67 import assert_decided_alike, previewed, report
from tests.policies.test_policy_evasion_audit import TARGET, _scaling_stack

AUTOSCALING = "endpoint-autoscaling-configured"


@pytest.mark.parametrize(
    ("target_extra", "action", "fragment"),
    [
        pytest.param({}, None, None, id="nothing-suspended-passes"),
        pytest.param(
            {},
            {"minCapacity": 1, "maxCapacity": 4},
            "scheduled action 'nightly' sets scalableTargetAction.minCapacity to 1",
            id="scheduled-action-below-the-minimum-fails",
        ),
    ],
)
def test_a_suspended_state_left_unset_is_decided_at_preview(
    target_extra: dict[str, Any], action: dict[str, Any] | None, fragment: str | None
) -> None:
    specs = _scaling_stack(TARGET, target_extra, action)
    assert_decided_alike(AUTOSCALING, specs, "target", {"suspendedState": UNKNOWN_OBJECT_VALUE}, fragment)


def test_a_suspended_state_computed_from_another_resource_stays_undecided() -> None:
    specs = _scaling_stack(
        TARGET, {"suspendedState": {"dynamicScalingOutSuspended": UNKNOWN_BOOLEAN_VALUE}}, None
    )
    assert report(AUTOSCALING, specs) == ([], 1)
    specs = previewed(_scaling_stack(TARGET, {}, None), "target", {"suspendedState": UNKNOWN_OBJECT_VALUE})
    specs.append({"type": "aws:ssm/parameter:Parameter", "name": "switch", "inputs": {"type": "String"}})
    next(s for s in specs if s["name"] == "target")["deps"] = {
        "resourceId": ["endpoint"],
        "suspendedState": ["switch"],
    }
    assert report(AUTOSCALING, specs) == ([], 1)


@pytest.mark.parametrize(
    "group_type",
    [
        pytest.param("aws:ec2/securityGroup:SecurityGroup", id="security-group"),
        pytest.param("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", id="adopted-default-group"),
    ],
)
def test_a_group_whose_ingress_is_left_unset_is_decided_at_preview(group_type: str) -> None:
    # The private network's two groups and its adopted default group leave `ingress` unset.
    group = {"type": group_type, "name": "g", "inputs": {"vpcId": "vpc-1", "ingress": UNKNOWN_ARRAY_VALUE}}
    assert report("security-group-ingress-union-restricted", [group]) == ([], 0)
