"""Stack rules under both shapes the engine gives them: inputs at preview, outputs after ``pulumi up``.

Every stack-rule case of the rule tests runs again over the resources reshaped as the engine's
outputs (``engine_shapes.as_outputs``: every state property, unset ones as the provider reports
them, generated names, ids and ARNs) and must reach the same verdict. The recorded prod stack is
checked in both shapes too, and the cases below pin where the shapes differ.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE

from planner.recorder import ResourceGraph
from policies.local import evaluate_report
from policies.registry import ALL_POLICIES, get_policy, load_pack_config
from tests.policies.conftest import assert_outcome, build
from tests.policies.engine_shapes import as_outputs
from tests.policies.test_policy_governance_rules import STACK_CASES as GOVERNANCE_CASES
from tests.policies.test_policy_governance_rules import endpoint_graph
from tests.policies.test_policy_prod_stack_rules import PROD, capture, prod_graph, rollout
from tests.policies.test_policy_prod_stack_rules import STACK_CASES as PROD_CASES

SHAPES = ("inputs", "outputs")
MY_STACK_RULES = (
    "stateful-resources-protected",
    "gpu-instance-quota",
    "endpoint-data-capture-encrypted",
    "endpoint-monitoring-schedule",
    "endpoint-autoscaling-configured",
    "endpoint-safe-rollout",
)
STACK_RULES = tuple(p.name for p in ALL_POLICIES if type(p).__name__ == "StackValidationPolicy")

#: Applied values of what a case leaves unset or unknown in its inputs, per case id.
RESOLVED: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    # Auto-named alarms: after apply the endpoint's rollback list holds the names they got.
    "alarms-linked-by-dependency-pass": {
        "latency": {"name": "churn-latency"},
        "errors": {"name": "churn-5xx"},
    },
}


def shaped(specs: Sequence[Mapping[str, Any]], shape: str, resolved: Mapping[str, Any] | None = None) -> list:
    records = build(specs)
    return records if shape == "inputs" else as_outputs(records, resolved)


def run(
    policy_name: str,
    specs: Sequence[Mapping[str, Any]],
    shape: str,
    config: Mapping[str, Any] | None = None,
    resolved: Mapping[str, Any] | None = None,
):
    return evaluate_report(shaped(specs, shape, resolved), config, [get_policy(policy_name)])


def _cases(cases: list, config: Mapping[str, Any] | None) -> list:
    return [
        pytest.param(*case.values, config, RESOLVED.get(case.id, {}), shape, id=f"{case.id}-{shape}")
        for case in cases
        if case.values[0] in MY_STACK_RULES
        for shape in SHAPES
    ]


@pytest.mark.parametrize(
    ("policy_name", "specs", "fragment", "config", "resolved", "shape"),
    _cases(PROD_CASES, PROD) + _cases(GOVERNANCE_CASES, None),
)
def test_every_stack_rule_case_has_the_same_verdict_in_both_shapes(
    policy_name, specs, fragment, config, resolved, shape
):
    report = run(policy_name, specs, shape, config, resolved)
    assert_outcome(report.violations, policy_name, fragment)
    assert report.undecided == []


def test_the_helper_reports_what_pulumi_aws_reports() -> None:
    by_name = {r.name: r.inputs for r in as_outputs(build(prod_graph(latency={"name": None})))}
    alarm, endpoint, schedule = by_name["latency"], by_name["endpoint"], by_name["schedule"]
    assert alarm["name"].startswith("latency-") and alarm["arn"].endswith(alarm["name"])
    assert (alarm["statistic"], alarm["metricQueries"], alarm["actionsEnabled"]) == ("", [], True)
    assert endpoint["arn"] and endpoint["deploymentConfig"]["rollingUpdatePolicy"] is None
    assert schedule["name"].startswith("schedule-")
    assert by_name["config"]["namePrefix"] == "" and by_name["target"]["resourceId"].startswith("endpoint/")
    with pytest.raises(ValueError, match="unknown"):
        as_outputs(build(prod_graph(endpoint={"name": UNKNOWN_STRING_VALUE})))


# --- the recorded prod stack ----------------------------------------------------------------


@pytest.fixture(scope="module")
def prod(stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs["prod"]


@pytest.fixture(scope="module")
def prod_as_outputs(prod: ResourceGraph) -> bytes:
    """``as_outputs(prod.resources)``, converted once for every rule's case (pickled: each case
    unpickles its own copy, as if it had converted them itself)."""
    return pickle.dumps(as_outputs(prod.resources), protocol=pickle.HIGHEST_PROTOCOL)


@pytest.mark.parametrize("policy_name", STACK_RULES)
def test_every_stack_rule_reaches_the_same_verdict_on_the_recorded_prod_stack(
    prod, prod_as_outputs, policy_name
) -> None:
    config = load_pack_config("prod")
    policy = [get_policy(policy_name)]
    inputs = evaluate_report(prod.resources, config, policy)
    outputs = evaluate_report(pickle.loads(prod_as_outputs), config, policy)

    assert [(v.policy_name, v.urn) for v in outputs.violations] == [
        (v.policy_name, v.urn) for v in inputs.violations
    ]
    assert [v for v in inputs.violations if v.enforcement_level == "mandatory"] == []
    assert inputs.undecided == outputs.undecided == []


# --- where the shapes differ -------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_capture_left_unset_is_capture_off(shape) -> None:
    # pulumi-aws sends enable_capture=false when it is unset, and reports it: the capture is off.
    report = run("endpoint-data-capture-encrypted", prod_graph(config=capture(enableCapture=None)), shape)
    assert_outcome(report.violations, "endpoint-data-capture-encrypted", "set enable_capture=True")


@pytest.mark.parametrize("shape", SHAPES)
def test_auto_named_resources_are_linked_in_both_shapes(shape) -> None:
    # No names anywhere: the endpoint, its configuration and the alarms are auto-named, so at preview
    # the names that link them are unknown and after apply they are the generated ones.
    specs = prod_graph(
        config={"name": None}, latency={"name": None}, errors={"name": None}, endpoint={"name": None}
    )
    names = {r.name: r.inputs["name"] for r in as_outputs(build(specs)) if "name" in r.inputs}
    applied = {
        "endpoint": {
            "endpointConfigName": names["config"],
            "deploymentConfig": rollout(
                autoRollbackConfiguration={
                    "alarms": [{"alarmName": names["latency"]}, {"alarmName": names["errors"]}]
                }
            )["deploymentConfig"],
        },
        "dq": {"dataQualityJobInput": {"endpointInput": {"endpointName": names["endpoint"]}}},
        "target": {"resourceId": f"endpoint/{names['endpoint']}/variant/primary"},
        "scaling": {"resourceId": f"endpoint/{names['endpoint']}/variant/primary"},
    }
    unknown = {
        "endpoint": {
            "endpointConfigName": UNKNOWN_STRING_VALUE,
            "deploymentConfig": rollout(
                autoRollbackConfiguration={
                    "alarms": [{"alarmName": UNKNOWN_STRING_VALUE}, {"alarmName": UNKNOWN_STRING_VALUE}]
                }
            )["deploymentConfig"],
        },
        "dq": {"dataQualityJobInput": {"endpointInput": {"endpointName": UNKNOWN_STRING_VALUE}}},
        "target": {"resourceId": UNKNOWN_STRING_VALUE},
        "scaling": {"resourceId": UNKNOWN_STRING_VALUE},
    }
    for name, changes in unknown.items():
        for spec in specs:
            if spec["name"] == name:
                spec["inputs"].update(changes)
    for policy_name in MY_STACK_RULES[1:]:
        report = run(policy_name, specs, shape, PROD, applied)
        assert_outcome(report.violations, policy_name, None)
        assert report.undecided == [], f"{policy_name}: linked through property dependencies"


# --- counting what cannot be decided ---------------------------------------------------------------


def _unknown_ceiling(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for spec in specs:
        if spec["name"] == "target":
            spec["inputs"]["maxCapacity"] = UNKNOWN_NUMBER_VALUE
    return specs


@pytest.mark.parametrize(
    ("instance_type", "count", "undecided", "violated"),
    [
        ("ml.g5.xlarge", 2, 1, False),  # within the quota so far: the unknown ceiling could tip it
        ("ml.g5.xlarge", 5, 0, True),  # over the quota already: decided whatever the ceiling is
        ("ml.m5.xlarge", 2, 0, False),  # not a GPU variant: its ceiling does not matter
    ],
    ids=["gpu-within-quota-undecided", "gpu-over-quota-decided", "cpu-variant-decided"],
)
def test_gpu_quota_counts_an_unknown_ceiling_only_when_it_matters(
    instance_type, count, undecided, violated
) -> None:
    specs = _unknown_ceiling(endpoint_graph(instance_type, count, max_capacity=8))
    report = evaluate_report(build(specs), None, [get_policy("gpu-instance-quota")])
    assert report.stack_undecided == {"gpu-instance-quota": undecided}
    assert bool(report.violations) is violated


def test_each_endpoint_a_rule_cannot_decide_counts_once_and_the_rest_are_checked() -> None:
    specs = prod_graph(endpoint={"deploymentConfig": UNKNOWN_STRING_VALUE})
    other = {
        "type": "aws:sagemaker/endpoint:Endpoint",
        "name": "other",
        "inputs": {"name": "other", "endpointConfigName": "churn-config", "deploymentConfig": {}},
    }
    report = evaluate_report(build([*specs, other]), PROD, [get_policy("endpoint-safe-rollout")])
    assert {v.resource_name for v in report.violations} == {"other"}
    assert report.stack_undecided == {"endpoint-safe-rollout": 1}
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["endpoint"]
