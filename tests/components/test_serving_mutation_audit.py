"""Serving semantics a mutation audit found unguarded: the order AWS needs between a rollout, its
rollback alarms and its autoscaling (an input's value can be right while the resource it comes
from, and so the wait for it, is gone).

Application Auto Scaling refuses a policy or scheduled action for a target not yet registered, and
a deployment configuration names alarms that must exist when SageMaker starts watching them: the
dependent resource must take the value from the other's outputs, not rebuild the same string.
An inference component's own waits are asserted with the shared endpoint's tests (test_shared_endpoint).
"""

from __future__ import annotations

import pytest

from planner.recorder import RecordedResource, ResourceGraph
from tests.graph_helpers import inference_endpoints

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULED = "aws:appautoscaling/scheduledAction:ScheduledAction"


def _scaling_resources(graph: ResourceGraph) -> list[RecordedResource]:
    return [*graph.of_type(POLICY), *graph.of_type(SCHEDULED)]


def _target_of(graph: ResourceGraph, resource: RecordedResource) -> RecordedResource:
    [target] = [t for t in graph.of_type(TARGET) if t.inputs["resourceId"] == resource.inputs["resourceId"]]
    return target


@pytest.mark.parametrize(
    ("stack", "kinds"),
    [
        # dev: an async variant scaling from zero (a target-tracking and a step policy).
        ("dev", {"TargetTrackingScaling", "StepScaling"}),
        # prod: target tracking on invocations and GPUs, and scheduled capacity changes.
        ("prod", {"TargetTrackingScaling", "scheduled"}),
    ],
)
def test_every_policy_and_scheduled_action_waits_for_its_registered_target(
    stack_graphs: dict[str, ResourceGraph], stack: str, kinds: set[str]
) -> None:
    graph = stack_graphs[stack]
    scaling = _scaling_resources(graph)
    assert {r.inputs.get("policyType", "scheduled") for r in scaling} == kinds
    unordered = [r.name for r in scaling if _target_of(graph, r).urn not in r.dependencies]
    assert unordered == [], "registered before their scalable target: AWS refuses them"


def test_the_endpoint_rolls_back_on_alarms_it_waits_for(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["prod"]
    alarms = {a.inputs["name"]: a for a in graph.of_type(ALARM)}
    for endpoint in inference_endpoints(graph):
        watched = [
            a["alarmName"] for a in endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
        ]
        ours = [alarms[name] for name in watched if name in alarms]
        assert len(ours) >= 2  # the 5xx and p99 alarms of each production variant
        waited = {r.urn for r in graph.referenced(endpoint, "deploymentConfig")}
        assert [a.name for a in ours if a.urn not in waited] == []
