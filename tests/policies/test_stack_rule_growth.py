"""The policy pack's work grows linearly with the stack: every stack rule, and the evaluator's
linking of each resource to its provider.

Stack rules relate resources: an endpoint to its configuration, scaling targets and policies,
rollback alarms, monitoring schedules and inference components. Rules that found those by scanning
the whole stack once per endpoint were quadratic in the number of endpoints (9 of the 11 s a
200-endpoint plan spent in policies). Here every stack rule of the pack runs over a stack of the
rule tests' compliant endpoints copied ``SMALL`` and then ``LARGE`` times, half of the copies
linked by dependencies and half by literal names only (the rules' two ways of finding a link), and
the Python calls it makes are counted: a count of work, the same on every machine, not a timing.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from policies.local import Report, evaluate_report
from policies.registry import ALL_POLICIES
from tests.policies.conftest import build
from tests.policies.test_policy_alarm_rules import step_stack
from tests.policies.test_policy_inference_component_rules import BASE as COMPONENT_ENDPOINT
from tests.policies.test_policy_prod_stack_rules import BASE as MODEL_ENDPOINT
from tests.policies.test_policy_prod_stack_rules import PROD, PROD_RULES
from tests.policies.test_policy_s3_network_hardening_rules import NAME as BUCKET_NAME
from tests.policies.test_policy_s3_network_hardening_rules import bucket_stack, group_stack, vpc_stack

SMALL, LARGE = 4, 32
# A linear rule does LARGE / SMALL times the work, a little less for what it does once per stack;
# a per-endpoint scan of the stack multiplies the work by up to LARGE / SMALL again.
GROWTH_ALLOWED = 1.15 * LARGE / SMALL
STACK_RULES = [policy for policy in ALL_POLICIES if type(policy).__name__ == "StackValidationPolicy"]
SCALE_OUT_ARN = "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:from-zero"


def _step_scaling_unit() -> list[dict[str, Any]]:
    """A step scaling policy run by a backlog alarm; its ARN lets an unlinked copy find its alarm."""
    specs = step_stack(1)
    specs[0]["inputs"]["arn"] = SCALE_OUT_ARN
    return specs


def _bucket_unit() -> list[dict[str, Any]]:
    """A hardened bucket whose companions name it literally and depend on it."""
    specs = bucket_stack("inputs", linked=False)
    for companion in specs[1:]:
        companion["deps"] = {"bucket": [specs[0]["name"]]}
    return specs


def _network_unit() -> list[dict[str, Any]]:
    """A VPC with its flow log and adopted default group, and security groups with rule resources, as
    outputs: linked by dependency and by literal ids."""
    return vpc_stack("outputs") + group_stack("outputs", ["10.0.0.0/16", "10.1.0.0/16"])


UNITS: Mapping[str, list[dict[str, Any]]] = {
    "model-endpoint": MODEL_ENDPOINT,
    "component-endpoint": COMPONENT_ENDPOINT,
    "step-scaling": _step_scaling_unit(),
    "bucket": _bucket_unit(),
    "network": _network_unit(),
}
RENAMED = ("churn", "prod-small-models", "shared", "from-zero", BUCKET_NAME, "vpc-1", "sg-")


def copied_stack(copies: int) -> list[dict[str, Any]]:
    """``copies`` of every unit, each copy's names and literal references suffixed with its number;
    odd copies keep no dependency, so every link in them is found by name."""
    specs: list[dict[str, Any]] = []
    for index in range(copies):
        for unit, unit_specs in UNITS.items():
            text = json.dumps(unit_specs)
            for name in RENAMED:
                text = text.replace(name, f"{name}{index}")
            for spec in json.loads(text):
                spec["name"] = f"{unit}-{index}-{spec['name']}"
                linked = index % 2 == 0
                spec["deps"] = {
                    key: [f"{unit}-{index}-{name}" for name in names] if linked else []
                    for key, names in spec.get("deps", {}).items()
                }
                specs.append(spec)
    return specs


def counting(policy: Any) -> tuple[Any, list[int]]:
    """A copy of ``policy`` that counts the Python function calls its ``validate`` makes (what the
    rule does, not the evaluator's building of the stack around it), and the counter."""
    calls = [0]

    def count(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            calls[0] += 1

    def validate(args: Any, report_violation: Any) -> Any:
        previous = sys.getprofile()
        sys.setprofile(count)
        try:
            return policy.validate(args, report_violation)
        finally:
            sys.setprofile(previous)

    counted = copy.copy(policy)
    counted.validate = validate
    return counted, calls


def evaluated(specs: Sequence[Mapping[str, Any]], policy: Any) -> tuple[Report, int]:
    """The report of ``policy`` alone over ``specs``, and the calls its ``validate`` made."""
    counted, calls = counting(policy)
    return evaluate_report(build(specs), PROD, [counted]), calls[0]


def per_copy(report: Report) -> tuple[int, int]:
    """Findings on resources (one set per copy) and findings on the whole stack."""
    on_resources = sum(1 for violation in report.violations if violation.urn is not None)
    return on_resources, len(report.violations) - on_resources


@pytest.fixture(scope="module")
def stacks() -> dict[int, list[dict[str, Any]]]:
    return {copies: copied_stack(copies) for copies in (SMALL, LARGE)}


@pytest.mark.parametrize("policy", STACK_RULES, ids=lambda policy: policy.name)
def test_a_stack_rule_does_linear_work_in_the_number_of_endpoints(policy, stacks) -> None:
    small_report, small = evaluated(stacks[SMALL], policy)
    large_report, large = evaluated(stacks[LARGE], policy)
    assert large <= GROWTH_ALLOWED * small, (
        f"{policy.name}: {small} calls for {SMALL} copies, {large} for {LARGE}: grows faster than the stack"
    )
    # The same verdict per copy at both sizes: the links were found alike, by dependency and by name.
    (small_findings, small_stack_wide), (large_findings, large_stack_wide) = map(
        per_copy, (small_report, large_report)
    )
    assert (large_findings, large_stack_wide) == (small_findings * LARGE // SMALL, small_stack_wide)


def test_the_copies_are_compliant_endpoints_found_by_dependency_and_by_name(stacks) -> None:
    """The work counted is the rules' real work: every copy's configuration, targets, policies,
    alarms, schedule and components are found (a rule that found none would do little)."""
    for name in PROD_RULES:
        [policy] = [p for p in STACK_RULES if p.name == name]
        report, _ = evaluated(stacks[SMALL], policy)
        assert report.violations == [], name


def test_the_counter_sees_a_rule_that_scans_the_stack_per_endpoint(stacks) -> None:
    """The measure tells a quadratic rule apart: a rule that scans every resource per endpoint
    crosses the bound."""
    from pulumi_policy import EnforcementLevel, StackValidationPolicy

    def same_name(one: Any, other: Any) -> bool:
        return one.name == other.name

    def scan_per_endpoint(args: Any, report: Any) -> None:
        for resource in args.resources:
            if resource.resource_type == "aws:sagemaker/endpoint:Endpoint":
                [other for other in args.resources if same_name(other, resource)]

    scanning = StackValidationPolicy(
        name="endpoint-scan-per-endpoint",
        description="A quadratic rule.",
        validate=scan_per_endpoint,
        enforcement_level=EnforcementLevel.ADVISORY,
    )
    _, small = evaluated(stacks[SMALL], scanning)
    _, large = evaluated(stacks[LARGE], scanning)
    assert large > GROWTH_ALLOWED * small


def test_the_evaluator_links_providers_without_scanning_the_stack_per_resource() -> None:
    """A provider registered mid-stack (aws-native's is registered at its first resource) is found
    by its URN for each resource that names it: scanning the stack for it per resource grew with
    the resources before it times those after it. Every call counts here, builtins too (a scan is a
    loop of ``str.startswith``)."""

    def stack(count: int) -> list[Any]:
        def alarms(prefix: str, provider: str | None) -> list[dict[str, Any]]:
            extra = {"provider": provider} if provider else {}
            return [
                {
                    "type": "aws:cloudwatch/metricAlarm:MetricAlarm",
                    "name": f"{prefix}-{i}",
                    "inputs": {},
                    **extra,
                }
                for i in range(count)
            ]

        native = {"type": "pulumi:providers:aws-native", "name": "native", "inputs": {"region": "eu-west-1"}}
        return build([*alarms("before", None), native, *alarms("after", "native")])

    def calls(records: list[Any]) -> tuple[Report, int]:
        count = 0

        def every_call(frame: Any, event: str, arg: Any) -> None:
            nonlocal count
            count += event in ("call", "c_call")

        sys.setprofile(every_call)
        try:
            report = evaluate_report(records, None, [])
        finally:
            sys.setprofile(None)
        return report, count

    (_, small), (_, large) = calls(stack(SMALL * 10)), calls(stack(LARGE * 10))
    assert large <= GROWTH_ALLOWED * small, (
        f"{small} calls for {SMALL * 20} resources, {large} for {LARGE * 20}"
    )
