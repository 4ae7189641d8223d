"""One way to record a ``PipelineTriggers`` for the tests that read its resources."""

from __future__ import annotations

from typing import Any

import pulumi

from components.training.pipeline_triggers import PipelineTriggers, PipelineTriggersArgs
from planner.recorder import ResourceGraph, record_program

PIPELINE_NAME = "customer-churn-training"
PIPELINE_ARN = f"arn:aws:sagemaker:eu-west-1:123456789012:pipeline/{PIPELINE_NAME}"


def record_triggers(**changes: Any) -> tuple[ResourceGraph, PipelineTriggers]:
    """The graph of a ``PipelineTriggers`` of :data:`PIPELINE_NAME` with ``changes`` to its args,
    and the component (its ``rule_arns`` exported as ``rule_arns``)."""
    values: dict[str, Any] = {
        "pipeline_name": PIPELINE_NAME,
        "pipeline_arn": PIPELINE_ARN,
        "account_id": "123456789012",
        "region": "eu-west-1",
        "role_path": "/mlops-platform/test/",
        "tags": {"owner": "t"},
    } | changes
    built: list[PipelineTriggers] = []

    def program() -> None:
        built.append(PipelineTriggers("triggers", PipelineTriggersArgs(**values)))
        pulumi.export("rule_arns", built[0].rule_arns)

    graph = record_program(
        program, config={"mlops-platform:platform": {"region": "eu-west-1", "account_id": "123456789012"}}
    )
    return graph, built[0]


def alarm_state_change(
    alarm: str,
    state: str,
    previous: str = "OK",
    *,
    account: str = "123456789012",
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The EventBridge event CloudWatch sends when ``alarm`` (of ``account``, in eu-west-1) goes from
    ``previous`` to ``state``, as AWS documents CloudWatch alarm events; ``configuration``: the
    alarm's metrics, where a test reads them."""
    detail: dict[str, Any] = {
        "alarmName": alarm,
        "state": {"value": state, "reason": "Threshold Crossed", "timestamp": "2026-12-02T01:00:00.000+0000"},
        "previousState": {"value": previous, "timestamp": "2026-12-01T01:00:00.000+0000"},
    }
    if configuration is not None:
        detail["configuration"] = configuration
    return {
        "version": "0",
        "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": "2026-12-02T01:00:00Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:cloudwatch:eu-west-1:{account}:alarm:{alarm}"],
        "detail": detail,
    }
