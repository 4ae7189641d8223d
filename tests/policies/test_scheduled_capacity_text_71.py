"""``endpoint-autoscaling-configured`` refuses a scheduled action's bound no number reads.

A scheduled action's ``minCapacity``/``maxCapacity`` of 0 reads as unset (pulumi-aws reports an unset
bound as 0 after create), and so did one no number reads (``"one"``, ``"nan"``): it passed, though it may
be any size once fixed and Application Auto Scaling takes an integer. Now it is refused, naming it.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.test_policy_evasion_audit import NATIVE_TARGET, TARGET, _scaling_stack

RULE = "endpoint-autoscaling-configured"


def _found(target_type: str, target_extra: dict[str, Any], action: dict[str, Any] | None) -> list[str]:
    report = evaluate_report(
        build(_scaling_stack(target_type, target_extra, action)), None, [get_policy(RULE)]
    )
    assert report.undecided == []
    return [v.message for v in report.violations]


@pytest.mark.parametrize("bound", ["minCapacity", "maxCapacity"])
@pytest.mark.parametrize("value", ["one", "nan", "inf", True], ids=repr)
def test_a_scheduled_bound_no_number_reads_is_refused(bound: str, value: Any) -> None:
    [message] = _found(TARGET, {}, {bound: value})
    assert f"scheduled action 'nightly' sets scalableTargetAction.{bound} to " in message
    assert "not a number of instances" in message


def test_an_aws_native_targets_own_action_is_read_alike() -> None:
    action = {
        "scheduledActionName": "n",
        "schedule": "rate(1 day)",
        "scalableTargetAction": {"minCapacity": "x"},
    }
    [message] = _found(NATIVE_TARGET, {"scheduledActions": [action]}, None)
    assert "scheduledActions[0] sets scalableTargetAction.minCapacity to 'x'" in message


@pytest.mark.parametrize(
    ("action", "refused"),
    [
        ({"minCapacity": "2", "maxCapacity": "8"}, False),
        ({"minCapacity": 0}, False),
        ({"minCapacity": "1"}, True),
    ],
    ids=["text-within-bounds", "zero-is-unset", "text-below"],
)
def test_readable_bounds_are_judged_as_before(action: dict[str, Any], refused: bool) -> None:
    found = _found(TARGET, {}, action)
    assert (len(found) == 1 and "to '1'" in found[0]) if refused else found == [], found


@pytest.mark.parametrize("bound", ["minCapacity", "maxCapacity"])
def test_an_empty_bound_is_unset_not_unreadable(bound: str) -> None:
    """Near miss: an empty string is no bound set (as everywhere in the pack, ``is_set``), not a bound
    no number reads; the other bound alone is judged."""
    other = "maxCapacity" if bound == "minCapacity" else "minCapacity"
    assert _found(TARGET, {}, {bound: "", other: 4}) == []
