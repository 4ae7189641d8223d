"""The pack over graphs the recorder produced from real stack files, shipped and deliberately broken."""

from __future__ import annotations

import json

import pytest

from planner.__main__ import EXIT_VIOLATION, main
from planner.policy_check import evaluate_policies
from tests.conftest import STACKS
from tests.recorded import recorded_stack


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_have_no_mandatory_violation(stack_graphs, stack: str) -> None:
    violations, evaluated = evaluate_policies(stack_graphs[stack])
    assert evaluated > 30
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def _unprotected(platform: dict) -> None:
    platform["protect_stateful_resources"] = False


def test_unprotected_prod_stateful_resources_violate_the_protection_rule(write_stack) -> None:
    graph = recorded_stack(str(write_stack("prod", _unprotected)))
    violations, _ = evaluate_policies(graph)

    flagged = {v.resource_name for v in violations if v.policy_name == "stateful-resources-protected"}
    assert flagged == {
        "kms-data-key",
        "kms-logs-key",
        "kms-notifications-key",
        "kms-deliveries-key",
        "access-logs-bucket",
        "datasets-bucket",
        "artifacts-bucket",
        "audit-key-key",
        "audit-logs-bucket",
        "audit-trail",
        "feature-store-customer-churn",
        "feature-store-customer-churn-labelled",
        "model-registry-customer-churn",
    }
    assert {v.enforcement_level for v in violations if v.policy_name == "stateful-resources-protected"} == {
        "mandatory"
    }


def test_the_same_change_is_allowed_in_dev(write_stack) -> None:
    graph = recorded_stack(str(write_stack("dev", _unprotected)))
    violations, _ = evaluate_policies(graph)
    assert not [v for v in violations if v.policy_name == "stateful-resources-protected"]


def test_plan_of_a_broken_prod_stack_exits_1_and_reports_the_rule(
    write_stack, capsys, cached_recordings
) -> None:
    """The CLI end to end (arguments, pack, rendering, exit status) over the recording of the same
    document the test above evaluates (same edit, same file name, same bytes): recorded once."""
    path = write_stack("prod", _unprotected)
    assert main(["--config", str(path), "--format", "json"]) == EXIT_VIOLATION
    plan = json.loads(capsys.readouterr().out)
    assert plan["summary"]["mandatory_violations"] >= 8
    assert {v["policy_name"] for v in plan["violations"]} >= {"stateful-resources-protected"}


def _endpoint(platform: dict) -> dict:
    return platform["endpoints"][0]


def _no_capture(platform: dict) -> None:
    _endpoint(platform)["data_capture"] = {"enabled": False}


def _all_at_once(platform: dict) -> None:
    _endpoint(platform)["deployment"] = {"strategy": "all_at_once"}


def _no_autoscaling(platform: dict) -> None:
    del _endpoint(platform)["variants"][0]["scaling"]


def _no_monitoring(platform: dict) -> None:
    platform["monitoring"] = {"enabled": False}


@pytest.mark.parametrize(
    ("edit", "rules"),
    [
        (_no_capture, {"endpoint-data-capture-encrypted", "endpoint-monitoring-schedule"}),
        (_all_at_once, {"endpoint-safe-rollout"}),
        (_no_autoscaling, {"endpoint-autoscaling-configured"}),
        (_no_monitoring, {"endpoint-monitoring-schedule"}),
    ],
    ids=["capture-off", "all-at-once-rollout", "no-autoscaling", "monitoring-off"],
)
def test_a_broken_prod_endpoint_violates_exactly_the_matching_stack_rules(write_stack, edit, rules) -> None:
    graph = recorded_stack(str(write_stack("prod", edit)))
    violations, _ = evaluate_policies(graph)

    mandatory = {v.policy_name for v in violations if v.enforcement_level == "mandatory"}
    assert mandatory == rules
    for violation in violations:
        if violation.policy_name in rules:
            # Reported where the fix goes: the endpoint, or the configuration it runs.
            assert violation.resource_type in {
                "aws:sagemaker/endpoint:Endpoint",
                "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            }


def test_the_same_rollout_is_allowed_in_dev(write_stack) -> None:
    graph = recorded_stack(str(write_stack("dev", _all_at_once)))
    violations, _ = evaluate_policies(graph)
    assert not [v for v in violations if v.policy_name == "endpoint-safe-rollout"]
