"""Evaluate the CrossGuard policy pack over a recorded graph, offline.

The rules are the very objects ``policies/__main__.py`` serves to ``pulumi preview``; the pack's
configuration for the stack's environment (``policies/<environment>.json``) sets their levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.recorder import ResourceGraph
from planner.report import PlanViolation


@dataclass(frozen=True)
class PolicyResults:
    violations: list[PlanViolation]
    evaluated: int
    """How many policies were enforced (not disabled)."""
    undecided: dict[str, int] = field(default_factory=dict)
    """Checks that need values known only after apply, per policy: every enforced stack policy
    (0 included) and resource policies with any."""


def check_policies(graph: ResourceGraph) -> PolicyResults:
    """Violations, the number of enforced policies and the undecided checks per policy."""
    from policies.local import enabled_policies, evaluate_report
    from policies.registry import PackConfigError, load_pack_config

    try:
        config = load_pack_config(graph.environment or "dev")
    except PackConfigError as error:
        from stacks.config import ConfigError

        # An invalid input like a stack file: the planner's exit status 2, the file and key named.
        raise ConfigError(str(error.path), error.keyed()) from None
    report = evaluate_report(graph.resources, config)
    violations = [
        PlanViolation(
            policy_name=violation.policy_name,
            enforcement_level=violation.enforcement_level,
            message=violation.message,
            resource_type=violation.resource_type,
            resource_name=violation.resource_name,
            urn=violation.urn,
        )
        for violation in report.violations
    ]
    return PolicyResults(violations, len(enabled_policies(config)), report.undecided_by_policy())


def evaluate_policies(graph: ResourceGraph) -> tuple[list[PlanViolation], int]:
    """Return the violations and the number of policies that were enforced (not disabled)."""
    results = check_policies(graph)
    return results.violations, results.evaluated
