"""The offline plan counts the policy checks it could not decide (values known only after apply)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

import planner.recorder
from planner.__main__ import EXIT_OK, main
from planner.recorder import ResourceGraph
from tests.conftest import stack_path
from tests.recorded import recorded_stack

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
STACK_RULES = {
    "stateful-resources-protected",
    "gpu-instance-quota",
    "endpoint-data-capture-encrypted",
    "endpoint-monitoring-schedule",
    "endpoint-autoscaling-configured",
    "endpoint-safe-rollout",
}


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return recorded_stack(str(stack_path("prod")))


def _with_unknowns(graph: ResourceGraph) -> ResourceGraph:
    """At preview the endpoint's deployment config (alarm name Outputs) and its GPU variant's name
    are unknown: the rollout, quota and autoscaling rules cannot decide."""

    def blur(resource: Any) -> Any:
        if "InferenceEndpoint$" not in resource.urn:  # the shared endpoint's names stay known
            return resource
        if resource.type == ENDPOINT:
            return dataclasses.replace(
                resource, inputs={**resource.inputs, "deploymentConfig": UNKNOWN_STRING_VALUE}
            )
        if resource.type == CONFIG:
            [variant] = resource.inputs["productionVariants"]
            variants = [{**variant, "variantName": UNKNOWN_STRING_VALUE}]
            return dataclasses.replace(resource, inputs={**resource.inputs, "productionVariants": variants})
        return resource

    return dataclasses.replace(graph, resources=tuple(blur(r) for r in graph.resources))


def _plan_json(monkeypatch, capsys, graph: ResourceGraph) -> tuple[int, dict[str, Any]]:
    monkeypatch.setattr(planner.recorder, "record_stack_file", lambda path, registry="stand-in": graph)
    status = main(["--config", str(stack_path("prod")), "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_a_known_stack_has_no_undecided_check(monkeypatch, capsys, prod) -> None:
    status, plan = _plan_json(monkeypatch, capsys, prod)
    assert status == EXIT_OK
    assert plan["summary"]["undecided_checks"] == 0
    assert set(plan["undecided"]) >= STACK_RULES
    assert set(plan["undecided"].values()) == {0}


def test_unknown_values_a_stack_rule_needs_are_counted_in_the_json_plan(monkeypatch, capsys, prod) -> None:
    status, plan = _plan_json(monkeypatch, capsys, _with_unknowns(prod))

    assert status == EXIT_OK, "undecided is not a violation: the exit status is unchanged"
    assert plan["undecided"]["endpoint-safe-rollout"] == 1
    assert plan["undecided"]["gpu-instance-quota"] == 1
    assert plan["undecided"]["endpoint-autoscaling-configured"] == 1
    assert plan["undecided"]["endpoint-data-capture-encrypted"] == 0
    assert plan["summary"]["undecided_checks"] == sum(plan["undecided"].values()) >= 2
    assert not [v for v in plan["violations"] if v["policy_name"] == "endpoint-safe-rollout"]


def test_the_text_plan_shows_the_undecided_count(monkeypatch, capsys, prod) -> None:
    monkeypatch.setattr(
        planner.recorder, "record_stack_file", lambda path, registry="stand-in": _with_unknowns(prod)
    )
    assert main(["--config", str(stack_path("prod"))]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Undecided policy checks:" in out
    assert "endpoint-safe-rollout (1)" in out and "gpu-instance-quota (1)" in out
