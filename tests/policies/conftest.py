"""Fixtures for the policy-pack tests.

Test modules hold plain data (resource specs as dicts) so they need no imports from each
other; the fixtures here turn specs into PlannedResource-like records and run policies
through ``policies.local.evaluate``, the same path the offline plan takes.

Spec keys: ``type``, ``name``, ``inputs``; optional ``deps`` (input name -> [names] the
input's value comes from), ``depends_on`` ([names]), ``parent`` (name), ``provider``
(name), ``protect`` (bool), ``custom`` (bool, default True).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `pytest` run from anywhere, not only `python -m pytest`
    sys.path.insert(0, str(REPO_ROOT))

from policies.local import Report, Violation, evaluate, evaluate_report  # noqa: E402
from policies.registry import get_policy  # noqa: E402
from policies.rules.kubernetes_pod_security import POLICIES as _POD_SECURITY_POLICIES  # noqa: E402

#: The Pod Security Standards rules' names (kubernetes_pod_security.py): the tests that run every
#: workload rule over a kind or a shape run these too.
POD_SECURITY_RULES = tuple(policy.name for policy in _POD_SECURITY_POLICIES)
#: The security rules, which judge pods of any kind (the pod searches' tests run each over a shape).
SECURITY_RULES = (
    "k8s-image-pinned-by-digest",
    "k8s-container-security-context",
    "k8s-no-host-namespaces",
    "k8s-service-account-token-not-automounted",
    "k8s-run-as-high-uid",
    *POD_SECURITY_RULES,
)
#: A container securityContext every security rule passes.
HARDENED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "capabilities": {"drop": ["ALL"]},
}


@dataclass(frozen=True)
class PlannedRecord:
    """A recorded resource registration, shaped like the offline plan's records."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    parent: str | None = None
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    protect: bool = False
    provider: str | None = None
    custom: bool = True


def urn_of(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::mlops-platform::{resource_type}::{name}"


def build(specs: Sequence[Mapping[str, Any]]) -> list[PlannedRecord]:
    """Records from specs; names in deps/parent/provider refer to other specs of the same list."""
    urns = {spec["name"]: urn_of(spec["type"], spec["name"]) for spec in specs}
    records = []
    for spec in specs:
        prop_deps = {key: tuple(urns[n] for n in names) for key, names in spec.get("deps", {}).items()}
        dependencies = {u for urn_list in prop_deps.values() for u in urn_list}
        dependencies |= {urns[n] for n in spec.get("depends_on", [])}
        records.append(
            PlannedRecord(
                type=spec["type"],
                name=spec["name"],
                urn=urns[spec["name"]],
                inputs=spec.get("inputs", {}),
                parent=urns[spec["parent"]] if spec.get("parent") else None,
                dependencies=tuple(sorted(dependencies)),
                property_dependencies=prop_deps,
                protect=spec.get("protect", False),
                provider=f"{urns[spec['provider']]}::provider-id" if spec.get("provider") else None,
                custom=spec.get("custom", True),
            )
        )
    return records


def run_policy(
    policy_name: str, specs: Sequence[Mapping[str, Any]], config: Mapping[str, Any] | None = None
) -> list[Violation]:
    return evaluate(build(specs), config, [get_policy(policy_name)])


def assert_outcome(violations: list[Violation], policy_name: str, fragment: str | None) -> None:
    """``fragment`` None: compliant. Otherwise: violated, and a message names what to fix."""
    if fragment is None:
        assert violations == [], f"{policy_name} should pass but reported {[v.message for v in violations]}"
        return
    assert violations, f"{policy_name} should report a violation mentioning {fragment!r}"
    assert {v.policy_name for v in violations} == {policy_name}
    messages = [v.message for v in violations]
    assert any(fragment in m for m in messages), f"no message mentions {fragment!r}: {messages}"


@pytest.fixture
def check_resource() -> Callable[..., list[Violation]]:
    """Run one policy on a single resource of ``resource_type`` with ``inputs``."""

    def run(
        policy_name: str,
        resource_type: str,
        inputs: Mapping[str, Any],
        config: Mapping[str, Any] | None = None,
    ) -> list[Violation]:
        return run_policy(policy_name, [{"type": resource_type, "name": "subject", "inputs": inputs}], config)

    return run


@pytest.fixture
def check_stack() -> Callable[..., list[Violation]]:
    """Run one policy over a graph of resource specs."""
    return run_policy


@pytest.fixture
def outcome() -> Callable[[list[Violation], str, str | None], None]:
    return assert_outcome


@pytest.fixture
def records() -> Callable[[Sequence[Mapping[str, Any]]], list[PlannedRecord]]:
    """Build PlannedResource-like records from specs (for tests that call the evaluator directly)."""
    return build


def report(rule: str, resource_type: str, inputs: dict[str, Any]) -> Report:
    """One rule's report on one resource of ``resource_type`` with ``inputs``."""
    return evaluate_report(
        build([{"type": resource_type, "name": "w", "inputs": inputs}]), None, [get_policy(rule)]
    )


def found(rule: str, resource_type: str, inputs: dict[str, Any]) -> list[str]:
    """The rule's messages on the one resource, every one decided."""
    result = report(rule, resource_type, inputs)
    assert result.undecided == []
    return [v.message for v in result.violations]
