"""The policy pack's work grows linearly with the stack: every stack rule, and the evaluator's
linking of each resource to its provider.

Stack rules relate resources: an endpoint to its configuration, scaling targets and policies,
rollback alarms, monitoring schedules and inference components. Rules that found those by scanning
the whole stack once per endpoint were quadratic in the number of endpoints (9 of the 11 s a
200-endpoint plan spent in policies). Here every stack rule of the pack runs over a stack of the
rule tests' compliant endpoints copied ``SMALL`` and then ``LARGE`` times, half of the copies
linked by dependencies and half by literal names only (the rules' two ways of finding a link), with
an endpoint as a preview sees it (every name unknown, linked by dependency only), and what each
rule executes is counted (calls and lines): a count of work, the same on every machine, not a
timing.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import ALL_POLICIES
from tests.policies.conftest import PlannedRecord, build
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


def _preview_unit() -> list[dict[str, Any]]:
    """The model endpoint at preview: names, ids and alarm names unknown, every link a dependency."""
    specs = copy.deepcopy(MODEL_ENDPOINT)
    by_name = {spec["name"]: spec["inputs"] for spec in specs}
    for name in ("model", "config", "latency", "errors", "endpoint", "dq"):
        by_name[name]["name"] = UNKNOWN_STRING_VALUE
    by_name["endpoint"]["endpointConfigName"] = UNKNOWN_STRING_VALUE
    for entry in by_name["endpoint"]["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]:
        entry["alarmName"] = UNKNOWN_STRING_VALUE
    by_name["dq"]["dataQualityJobInput"]["endpointInput"]["endpointName"] = UNKNOWN_STRING_VALUE
    by_name["schedule"]["monitoringScheduleConfig"]["monitoringJobDefinitionName"] = UNKNOWN_STRING_VALUE
    by_name["target"]["resourceId"] = by_name["scaling"]["resourceId"] = UNKNOWN_STRING_VALUE
    return specs


UNITS: Mapping[str, list[dict[str, Any]]] = {
    "model-endpoint": MODEL_ENDPOINT,
    "component-endpoint": COMPONENT_ENDPOINT,
    "step-scaling": _step_scaling_unit(),
    "bucket": _bucket_unit(),
    "network": _network_unit(),
    "endpoint-at-preview": _preview_unit(),
}
ALWAYS_LINKED = {"endpoint-at-preview"}
RENAMED = ("churn", "prod-small-models", "shared", "from-zero", BUCKET_NAME, "vpc-1", "sg-")


def copied_stack(copies: int) -> list[dict[str, Any]]:
    """``copies`` of every unit, each copy's names and literal references suffixed with its number;
    odd copies keep no dependency (but those in :data:`ALWAYS_LINKED`), so every link in them is
    found by name."""
    specs: list[dict[str, Any]] = []
    for index in range(copies):
        for unit, unit_specs in UNITS.items():
            text = json.dumps(unit_specs)
            for name in RENAMED:
                text = text.replace(name, f"{name}{index}")
            for spec in json.loads(text):
                spec["name"] = f"{unit}-{index}-{spec['name']}"
                linked = index % 2 == 0 or unit in ALWAYS_LINKED
                spec["deps"] = {
                    key: [f"{unit}-{index}-{name}" for name in names] if linked else []
                    for key, names in spec.get("deps", {}).items()
                }
                specs.append(spec)
    return specs


def counting(policy: Any) -> tuple[Any, list[int]]:
    """A copy of ``policy`` that counts what its ``validate`` executes (what the rule does, not the
    evaluator's building of the stack around it), and the counter: every Python call and every
    line, a loop's each turn included (a comprehension that scans the stack calls nothing)."""
    events = [0]

    def line(frame: Any, event: str, arg: Any) -> Any:
        events[0] += 1
        return line

    def call(frame: Any, event: str, arg: Any) -> Any:
        events[0] += 1
        return line

    def validate(args: Any, report_violation: Any) -> Any:
        previous = sys.gettrace()
        sys.settrace(call)
        try:
            return policy.validate(args, report_violation)
        finally:
            sys.settrace(previous)

    counted = copy.copy(policy)
    counted.validate = validate
    return counted, events


def evaluated(records: Sequence[PlannedRecord], policy: Any) -> tuple[Report, int]:
    """The report of ``policy`` alone over ``records``, and what its ``validate`` executed."""
    counted, calls = counting(policy)
    return evaluate_report(records, PROD, [counted]), calls[0]


def per_copy(report: Report) -> tuple[int, int, int, int]:
    """Findings and undecided checks on resources (one set per copy), then on the whole stack."""
    findings = sum(1 for violation in report.violations if violation.urn is not None)
    undecided = sum(1 for check in report.undecided if check.urn is not None)
    return findings, len(report.violations) - findings, undecided, len(report.undecided) - undecided


@pytest.fixture(scope="module")
def stacks() -> dict[int, list[PlannedRecord]]:
    """The records of the two copied stacks, built once for the module's evaluations (the records
    share their inputs with the specs anyway; the pack's rules only read them,
    tests/policies/test_policy_pack.py)."""
    return {copies: build(copied_stack(copies)) for copies in (SMALL, LARGE)}


@pytest.mark.parametrize("policy", STACK_RULES, ids=lambda policy: policy.name)
def test_a_stack_rule_does_linear_work_in_the_number_of_endpoints(policy, stacks) -> None:
    small_report, small = evaluated(stacks[SMALL], policy)
    large_report, large = evaluated(stacks[LARGE], policy)
    assert large <= GROWTH_ALLOWED * small, (
        f"{policy.name}: {small} calls for {SMALL} copies, {large} for {LARGE}: grows faster than the stack"
    )
    # The same verdicts per copy at both sizes: the links were found alike, by dependency and by name.
    small_counts, large_counts = per_copy(small_report), per_copy(large_report)
    copies = LARGE // SMALL
    assert large_counts == (
        small_counts[0] * copies,
        small_counts[1],
        small_counts[2] * copies,
        small_counts[3],
    )


def test_the_copies_are_compliant_endpoints_found_by_dependency_and_by_name(stacks) -> None:
    """The work counted is the rules' real work: every copy's configuration, targets, policies,
    alarms, schedule and components are found (a rule that found none would do little)."""
    for name in PROD_RULES:
        [policy] = [p for p in STACK_RULES if p.name == name]
        report, _ = evaluated(stacks[SMALL], policy)
        assert report.violations == [], name


PROBE_LINEAR_TURNS = 20
"""How much per-resource work the probe below does beside its one quadratic scan of the endpoints."""


def test_the_count_tells_a_mildly_quadratic_rule_from_a_linear_one(stacks) -> None:
    """The bound separates linear work from a small quadratic term: a probe that does plenty of
    work per resource grows within it, and the same probe comparing every endpoint with every other
    once more crosses it, though by less than twice the bound."""
    from pulumi_policy import EnforcementLevel, StackValidationPolicy

    def touch(resource: Any) -> str:
        return resource.name

    def probe(pairs: bool) -> Any:
        def validate(args: Any, report: Any) -> None:
            for resource in args.resources:
                for _ in range(PROBE_LINEAR_TURNS):
                    touch(resource)
            if pairs:
                endpoints = [
                    r for r in args.resources if r.resource_type == "aws:sagemaker/endpoint:Endpoint"
                ]
                for endpoint in endpoints:
                    [other for other in endpoints if touch(other) == endpoint.name]

        return StackValidationPolicy(
            name="probe",
            description="A probe.",
            validate=validate,
            enforcement_level=EnforcementLevel.ADVISORY,
        )

    def growth(policy: Any) -> float:
        return evaluated(stacks[LARGE], policy)[1] / evaluated(stacks[SMALL], policy)[1]

    assert growth(probe(pairs=False)) <= GROWTH_ALLOWED
    assert GROWTH_ALLOWED < growth(probe(pairs=True)) < 2 * GROWTH_ALLOWED


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
