"""What the pipeline-definition and observability rules decide, where a mutation audit found no test holding it.

The bug found by the audit: a target that names its rule literally was matched to every rule of that
name, on any event bus. Rule names are unique per bus only, so a pipeline target on a custom bus
counted as scheduled by a same-named rate() rule of the default bus, and the endpoint passed
``endpoint-monitoring-schedule`` unwatched. A named rule is now the one on the target's own bus.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies import test_capture_watchers as watchers

# --- the bug: a target's rule is the rule of that name on the target's own event bus ----------


def _rule_pair_on_two_buses(target_bus: str | None) -> list[dict[str, Any]]:
    """Rule ``churn-drift`` twice: on the default bus on a schedule, on bus ml-events on a pattern; a
    target naming ``churn-drift`` literally (no dependency on either) on ``target_bus``."""
    scheduled, target = watchers.event_rule(scheduleExpression="rate(1 hour)")
    on_events = {
        **scheduled,
        "name": "rule-events",
        "inputs": {"name": "churn-drift", "eventBusName": "ml-events", "eventPattern": '{"source": ["ml"]}'},
    }
    target["deps"] = {"arn": ["drift"]}
    if target_bus is not None:
        target["inputs"]["eventBusName"] = target_bus
    return [scheduled, on_events, target]


@pytest.mark.parametrize(
    ("bus", "expected"),
    [
        pytest.param(None, "watched", id="default-bus-the-scheduled-rule"),
        pytest.param("default", "watched", id="default-bus-by-name"),
        pytest.param(
            "arn:aws:events:eu-west-1:111122223333:event-bus/default", "watched", id="default-bus-by-arn"
        ),
        pytest.param("ml-events", "unwatched", id="custom-bus-the-pattern-rule"),
        pytest.param(UNKNOWN_STRING_VALUE, "unwatched", id="bus-unknown-at-preview-matches-nothing"),
        pytest.param(
            "arn:aws:events:eu-west-1:111122223333:event-bus/ml-events", "unwatched", id="custom-bus-by-arn"
        ),
    ],
)
def test_a_target_named_to_its_rule_is_scheduled_only_by_the_rule_on_its_own_bus(
    bus: Any, expected: str
) -> None:
    """Rule names are unique per event bus: a target on bus ml-events whose rule is ``churn-drift`` is
    started by that bus's rule, not by the scheduled ``churn-drift`` of the default bus."""
    added = [watchers.pipeline(), *_rule_pair_on_two_buses(bus)]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == expected


def test_two_buses_unknown_at_preview_are_not_the_same_bus() -> None:
    """A target's bus unknown at preview matches no rule, not even one whose bus is unknown too."""
    scheduled, _, target = _rule_pair_on_two_buses(UNKNOWN_STRING_VALUE)
    scheduled["inputs"]["eventBusName"] = UNKNOWN_STRING_VALUE
    added = [watchers.pipeline(), scheduled, target]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == "unwatched"
