"""Rendering a recorded plan: a rich resource tree for people, JSON for machines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from planner.budget import BudgetCheck, budget_check
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


def render_text(plan: Plan, console: Console) -> None:
    graph = plan.graph
    cloud = graph.cloud_resources
    root = Tree(
        f"[bold]{graph.stack}[/] ({graph.source}): [bold]{len(cloud)}[/] resources in "
        f"[bold]{len(graph.components)}[/] components, {sum(r.protect for r in cloud)} protected"
    )
    stack_urn = next((resource.urn for resource in graph if resource.type == STACK_TYPE), None)
    for resource in graph:
        if resource.parent == stack_urn and not resource.is_provider:
            _add_branch(root, graph, resource)
    console.print(root)
    console.print(
        "[dim]🔒 protected and retained on delete · offline plan of intent: no cloud state was read[/]"
    )
    _render_warnings(graph, console)
    _render_violations(plan, console)
    if plan.cost:
        _render_cost(plan.cost, console)
        _render_budget(budget_check(graph, plan.cost), console)
    if plan.critical_path:
        _render_critical_path(plan.critical_path, console)


def _render_warnings(graph: ResourceGraph, console: Console) -> None:
    """What `pulumi up` would warn about (deferred endpoints first: they are missing from the tree)."""
    deferred = graph.exports.get("deferred_endpoints") or {}
    if deferred:
        console.print(
            f"[bold yellow]Deferred endpoints ({len(deferred)})[/]: nothing approved to serve yet, so they are "
            "not in the tree above: " + ", ".join(sorted(deferred))
        )
    for warning in graph.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


def _render_cost(cost: CostEstimate, console: Console) -> None:
    table = Table(
        title=(
            f"Monthly cost at {cost.region} list prices (compiled {cost.price_table_date}, {cost.currency}): "
            f"min {_money(cost.monthly_min)} · max {_money(cost.monthly_max)}"
        ),
        title_justify="left",
    )
    table.add_column("component")
    table.add_column("what bills by the hour or month", overflow="fold")
    table.add_column("min", justify="right")
    table.add_column("max", justify="right")
    for name, component in cost.by_component.items():
        table.add_row(name, component.summary(), _money(component.monthly_min), _money(component.monthly_max))
    table.add_row(
        "[bold]total[/]", "", f"[bold]{_money(cost.monthly_min)}[/]", f"[bold]{_money(cost.monthly_max)}[/]"
    )
    console.print(table)
    for unpriced in cost.unpriced:
        console.print(
            f"[yellow]UNPRICED[/] {unpriced.resource} ({short_type(unpriced.type)}): {unpriced.reason}"
        )
    if cost.unpriced:
        console.print("[yellow]The totals leave the unpriced resources out: they are a lower bound.[/]")
    _render_training_runs(cost, console)
    console.print(
        "[dim]min = minimum capacity with scheduled scale-down; max = maximum capacity all month. "
        "Usage-based charges (S3, training, feature store traffic, logs, requests) are excluded; "
        "FORMAT=json lists every assumption.[/]"
    )


def _render_training_runs(cost: CostEstimate, console: Console) -> None:
    """Per run of each training pipeline (not in the monthly totals): the training or tuning step's
    ceiling and its longest wall time."""
    for run in cost.training_runs:
        price = f"at most {_money(run.max_per_run)}" if run.max_per_run is not None else "UNPRICED"
        console.print(
            f"Training run of {run.pipeline}: {escape(run.what())}: {price} per run, up to "
            f"{run.max_wall_seconds / 3600:g} h" + (f" ({run.unpriced})" if run.unpriced else "")
        )


def _render_budget(check: BudgetCheck | None, console: Console) -> None:
    """The budget beside the estimate, and a warning where the estimate's maximum exceeds it."""
    if check is None:
        return
    if check.monthly_limit is not None:
        console.print(
            f"Budget: {_money(check.monthly_limit)}/month (budget.monthly_limit_usd) beside the estimate's "
            f"max {_money(check.estimate_max)}: {check.estimate_max / check.monthly_limit:.0%} of it"
            + (" (a lower bound: unpriced resources)" if check.unpriced else "")
        )
    if check.warning:
        console.print(f"[yellow]warning:[/] {escape(check.warning)}")


def _render_critical_path(path: CriticalPath, console: Console) -> None:
    chain = " → ".join(f"{step.name} ({step.seconds:g}s)" for step in path.steps)
    console.print(
        f"Deployment critical path: ~{path.estimated_seconds / 60:.0f} min for a first `pulumi up` "
        f"(serial sum {path.serial_seconds / 60:.0f} min): {chain}"
    )
    console.print(
        f"[dim]typical create times from planner/data/create_times.json (compiled {path.create_times_compiled})"
        + (f"; default time for {', '.join(path.defaulted_types)}" if path.defaulted_types else "")
        + "[/]"
    )


def _add_branch(tree: Tree, graph: ResourceGraph, resource: RecordedResource) -> None:
    if resource.custom:
        tree.add(_label(resource))
        return
    descendants = [r for r in graph.descendants(resource) if r.is_cloud_resource]
    branch = tree.add(f"[bold cyan]{resource.name}[/] [dim]{resource.type}[/] ({len(descendants)} resources)")
    for child in graph.children(resource):
        _add_branch(branch, graph, child)


def short_type(type_token: str) -> str:
    """``aws:s3/bucketPolicy:BucketPolicy`` → ``aws.s3.BucketPolicy`` (as the Python SDK names it)."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return type_token
    package, module, class_name = parts
    module = module.split("/")[0]
    return f"{package}.{class_name}" if module == "index" else f"{package}.{module}.{class_name}"


def _label(resource: RecordedResource) -> str:
    lock = " 🔒" if resource.protect else ""
    return f"{resource.name} [dim]{short_type(resource.type)}[/]{lock}"


def _render_undecided(plan: Plan, console: Console) -> None:
    """Checks a rule could not decide (a value known only after apply): `pulumi up` decides them."""
    if not plan.undecided:
        return
    pending = {name: count for name, count in plan.undecided.items() if count}
    if not pending:
        console.print("[dim]Undecided policy checks: 0 (every value the rules read is known).[/]")
        return
    listed = ", ".join(f"{name} ({count})" for name, count in sorted(pending.items()))
    console.print(
        f"[yellow]Undecided policy checks: {sum(pending.values())}[/], decided by `pulumi up` on outputs: "
        f"{listed}"
    )


def _render_violations(plan: Plan, console: Console) -> None:
    _render_undecided(plan, console)
    if not plan.violations:
        console.print(f"[green]Policies: {plan.policies_evaluated} evaluated, no violations.[/]")
        return
    table = Table(title=f"Policy violations ({len(plan.mandatory_violations)} mandatory)", show_lines=False)
    for column in ("rule", "resource", "level", "message"):
        table.add_column(column, overflow="fold")
    for violation in sorted(
        plan.violations, key=lambda v: (v.enforcement_level != "mandatory", v.policy_name)
    ):
        style = "red" if violation.enforcement_level == "mandatory" else "yellow"
        table.add_row(
            violation.policy_name,
            violation.resource_name or "(stack)",
            f"[{style}]{violation.enforcement_level}[/]",
            violation.message,
        )
    console.print(table)
