"""A recorded plan and its JSON for machines; the rich text for people is
:mod:`planner.report_text`, apart so that a JSON plan (CI's) does not import rich."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from planner.budget import budget_check
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph

if TYPE_CHECKING:
    from planner.cost import CostEstimate
    from planner.critical_path import CriticalPath


@dataclass(frozen=True)
class PlanViolation:
    """One policy finding, as the plan reports it (filled by the policy pack's offline evaluator)."""

    policy_name: str
    enforcement_level: str
    message: str
    resource_type: str | None = None
    resource_name: str | None = None
    urn: str | None = None


@dataclass(frozen=True)
class Plan:
    graph: ResourceGraph
    violations: Sequence[PlanViolation] = ()
    policies_evaluated: int = 0
    cost: CostEstimate | None = None
    critical_path: CriticalPath | None = None
    undecided: Mapping[str, int] = field(default_factory=dict)
    """Policy checks that need values known only after apply, per policy (every stack policy
    that ran, 0 included; resource policies with any). `pulumi up` decides them on outputs."""

    @property
    def mandatory_violations(self) -> list[PlanViolation]:
        return [violation for violation in self.violations if violation.enforcement_level == "mandatory"]


def to_json(plan: Plan) -> dict[str, Any]:
    graph = plan.graph
    cloud = graph.cloud_resources
    return {
        "stack": graph.stack,
        "source": graph.source,
        "summary": {
            "resources": len(cloud),
            "components": len(graph.components),
            "protected": sum(resource.protect for resource in cloud),
            "by_type": dict(sorted(Counter(resource.type for resource in cloud).items())),
            "policies_evaluated": plan.policies_evaluated,
            "mandatory_violations": len(plan.mandatory_violations),
            "undecided_checks": sum(plan.undecided.values()),
            "deferred_endpoints": sorted(graph.exports.get("deferred_endpoints") or {}),
            "esc_environments_not_read": list(graph.esc_environments),
        },
        "warnings": list(graph.warnings),
        "resources": [_resource_json(graph, resource) for resource in graph if resource.type != STACK_TYPE],
        "exports": {
            name: SECRET_MASK if name in graph.secret_exports else value
            for name, value in graph.exports.items()
        },
        "violations": [asdict(violation) for violation in plan.violations],
        "undecided": dict(plan.undecided),
        "cost": _cost_json(plan),
        "critical_path": plan.critical_path.to_json() if plan.critical_path else None,
    }


SECRET_MASK = "[secret]"


def _cost_json(plan: Plan) -> dict[str, Any] | None:
    """The estimate, with the stack's budget beside it (``budget``: None where it has none)."""
    if not plan.cost:
        return None
    check = budget_check(plan.graph, plan.cost)
    return {**plan.cost.to_json(), "budget": check.to_json() if check else None}


def json_value(value: Any) -> Any:
    """``json.dump``'s fallback for what a plan holds beyond JSON: assets and archives by their
    source (a file inside the checkout relative to it, so the JSON is the same in every clone)."""
    if isinstance(value, pulumi.FileAsset | pulumi.FileArchive):
        path = Path(value.path)
        if path.is_absolute() and path.is_relative_to(Path.cwd()):
            path = path.relative_to(Path.cwd())
        kind = "file asset" if isinstance(value, pulumi.FileAsset) else "file archive"
        return {"kind": kind, "path": path.as_posix()}
    if isinstance(value, pulumi.StringAsset):
        return {"kind": "string asset", "text": value.text}
    return str(value)


def _resource_json(graph: ResourceGraph, resource: RecordedResource) -> dict[str, Any]:
    component = graph.component_of(resource)
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "kind": "provider" if resource.is_provider else "resource" if resource.custom else "component",
        "parent": resource.parent,
        "component": component.name if component else None,
        "dependencies": list(resource.dependencies),
        "protect": resource.protect,
        "retain_on_delete": resource.retain_on_delete,
        "ignore_changes": list(resource.ignore_changes),
        "custom_timeouts": dict(resource.custom_timeouts),
        # Masked as `pulumi preview` masks them: a plan goes to CI logs and PR comments.
        "inputs": {
            key: SECRET_MASK if key in resource.secret_inputs else value
            for key, value in resource.inputs.items()
        },
    }
