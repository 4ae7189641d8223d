"""The offline evaluator calls a resource rule only on the types it checks (policies/local.py).

The analyzer calls every policy on every resource; each :func:`resource_rule` returns at once on a
type it does not check. Skipping those calls must change no verdict: same violations, same
undecided checks, in the same order.
"""

from __future__ import annotations

import dataclasses

import pytest
from pulumi_policy import ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.proxy import unknown_checking_proxy

from policies import local
from policies.registry import ALL_POLICIES
from policies.rules._common import resource_types_of
from tests.conftest import stack_path
from tests.recorded import recorded_stack

RESOURCE_RULES = [policy for policy in ALL_POLICIES if isinstance(policy, ResourceValidationPolicy)]


def _unprotected(platform: dict) -> None:
    platform["protect_stateful_resources"] = False


def _without_type_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "resource_types_of", lambda policy: None)


def test_every_resource_rule_of_the_pack_names_the_types_it_checks() -> None:
    assert RESOURCE_RULES
    untyped = [policy.name for policy in RESOURCE_RULES if not resource_types_of(policy)]
    assert untyped == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_rule_is_called_on_every_resource_of_its_types_in_order_and_on_no_other(
    stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = list(recorded_stack(stack_path(stack)))
    calls: dict[str, list[str]] = {}
    real_run = local._run

    def recording_run(policy, args, report_violation):  # type: ignore[no-untyped-def]
        if isinstance(args, ResourceValidationArgs):
            calls.setdefault(policy.name, []).append(args.urn)
        real_run(policy, args, report_violation)

    monkeypatch.setattr(local, "_run", recording_run)
    local.evaluate_report(resources, {"all": "mandatory"})

    validated = [r for r in resources if r.custom and not r.type.startswith(local.PROVIDER_PREFIX)]
    for policy in RESOURCE_RULES:
        types = resource_types_of(policy)
        assert types is not None
        expected = [r.urn for r in validated if r.type in types]
        assert calls.get(policy.name, []) == expected, policy.name
    assert sum(map(len, calls.values())) > 0


def test_filtered_and_unfiltered_evaluation_reach_the_same_report(
    write_stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = list(recorded_stack(write_stack("prod", _unprotected)))
    filtered = local.evaluate_report(resources, {"all": "mandatory"})
    _without_type_filter(monkeypatch)
    unfiltered = local.evaluate_report(resources, {"all": "mandatory"})

    assert dataclasses.asdict(filtered) == dataclasses.asdict(unfiltered)
    assert filtered.violations  # the comparison covers reported violations, not only silence


def test_a_rule_called_on_a_type_it_does_not_check_reports_nothing() -> None:
    """What makes the skip safe, for every rule and every type the prod stack has."""
    resources = list(recorded_stack(stack_path("prod")))
    samples = {resource.type: resource for resource in resources if resource.custom}
    for policy in RESOURCE_RULES:
        types = resource_types_of(policy)
        assert types is not None
        for resource_type, resource in samples.items():
            if resource_type in types:
                continue
            reported: list[str] = []
            args = ResourceValidationArgs(
                resource_type,
                unknown_checking_proxy(dict(resource.inputs)),
                resource.urn,
                resource.name,
                None,
                None,
                {},
                None,
            )
            policy.validate(args, lambda message, urn=None, out=reported: out.append(message))  # type: ignore[attr-defined]
            assert reported == [], (policy.name, resource_type)
