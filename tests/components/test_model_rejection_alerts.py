"""A rejected model version pages the alert topic: the rule matches only rejections of the stack's
own groups, and the page says what happened, which version, and links to the console."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from moto.events.models import EventPattern

from planner.recorder import ResourceGraph
from tests.components.test_model_registry import _state_change
from tests.graph_helpers import within

RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def _rejections(graph: ResourceGraph) -> tuple[Any, Any]:
    [rule] = [r for r in within(graph, "failure-alerts", RULE) if r.name == "failure-alerts-model-rejections"]
    [target] = [
        t for t in within(graph, "failure-alerts", TARGET) if t.name == "failure-alerts-model-rejections"
    ]
    return rule, target


@pytest.mark.parametrize(
    ("group", "status", "detail_type", "matches"),
    [
        ("prod-customer-churn", "Rejected", "SageMaker Model Package State Change", True),
        ("prod-customer-churn", "Approved", "SageMaker Model Package State Change", False),
        ("prod-customer-churn", "PendingManualApproval", "SageMaker Model Package State Change", False),
        ("staging-customer-churn", "Rejected", "SageMaker Model Package State Change", False),
        ("prod-customer-churn", "Rejected", "SageMaker Model Package Group State Change", False),
    ],
    ids=["rejection", "approval", "pending", "another-stacks-group", "other-event-type"],
)
def test_only_a_rejection_of_the_stacks_own_groups_pages(stack_graphs, group, status, detail_type, matches):
    rule, _ = _rejections(stack_graphs["prod"])
    event = _state_change(group, status, detail_type)
    assert EventPattern.load(rule.inputs["eventPattern"]).matches_event(event) is matches


def test_the_page_says_which_version_was_rejected_and_links_to_the_console(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    rule, target = _rejections(graph)
    assert target.inputs["arn"] == graph.named("alerts-topic").outputs["arn"]
    assert target.inputs["rule"] == rule.outputs["name"]
    transformer = target.inputs["inputTransformer"]
    event = _state_change("prod-customer-churn", "Rejected")
    values = {
        name: str(event["detail"][path.removeprefix("$.detail.")])
        for name, path in transformer["inputPaths"].items()
    }
    message = json.loads(re.sub(r"<(\w+)>", lambda m: values[m[1]], transformer["inputTemplate"]))
    assert message.startswith("Model version 3 of prod-customer-churn was Rejected: it is not deployed")
    assert event["detail"]["ModelPackageArn"] in message
    assert "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/" in message
