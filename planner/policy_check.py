"""Evaluate the CrossGuard policy pack over a recorded graph, offline.

The rules are the very objects ``policies/__main__.py`` serves to ``pulumi preview``; the pack's
configuration for the stack's environment (``policies/<environment>.json``) sets their levels.
"""

from __future__ import annotations

from planner.recorder import ResourceGraph
from planner.report import PlanViolation


def evaluate_policies(graph: ResourceGraph) -> tuple[list[PlanViolation], int]:
    """Return the violations and the number of policies that were enforced (not disabled)."""
    from policies.local import enabled_policies, evaluate
    from policies.registry import load_pack_config

    config = load_pack_config(graph.environment or "dev")
    violations = [
        PlanViolation(
            policy_name=violation.policy_name,
            enforcement_level=violation.enforcement_level,
            message=violation.message,
            resource_type=violation.resource_type,
            resource_name=violation.resource_name,
            urn=violation.urn,
        )
        for violation in evaluate(graph.resources, config)
    ]
    return violations, len(enabled_policies(config))
