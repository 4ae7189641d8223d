"""The plan as text for people: a rich resource tree, the cost table, warnings and violations.

Every value shown (names, paths, messages, types) is escaped, and every line is built by
:func:`_rich`: rich reads ``[...]`` as markup (an unescaped ``tags[owner]`` lost its brackets and a
``[/]`` ended the plan with a traceback) and ``:x:`` as an emoji. Markup here is only the report's
own styling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from planner.budget import BudgetCheck, budget_check
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph
from planner.report import Plan

if TYPE_CHECKING:
    from planner.cost import CostEstimate
    from planner.critical_path import CriticalPath


def render_text(plan: Plan, console: Console) -> None:
    graph = plan.graph
    cloud = graph.cloud_resources
    root = Tree(
        _rich(
            f"[bold]{escape(graph.stack)}[/] ({escape(graph.source)}): [bold]{len(cloud)}[/] resources in "
            f"[bold]{len(graph.components)}[/] components, {sum(r.protect for r in cloud)} protected"
        )
    )
    stack_urn = next((resource.urn for resource in graph if resource.type == STACK_TYPE), None)
    for resource in graph:
        if resource.parent == stack_urn and not resource.is_provider:
            _add_branch(root, graph, resource)
    console.print(root)
    _say(
        console,
        "[dim]🔒 protected and retained on delete · offline plan of intent: no cloud state was read[/]",
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
        _say(
            console,
            f"[bold yellow]Deferred endpoints ({len(deferred)})[/]: nothing approved to serve yet, so they are "
            "not in the tree above: " + escape(", ".join(sorted(deferred))),
        )
    for warning in graph.warnings:
        _say(console, f"[yellow]warning:[/] {escape(warning)}")


def _rich(markup: str) -> Text:
    """The report's own markup, without rich's emoji codes: a type token such as ``mlops:ok:Group``
    or ``aws:x:Y`` would print an emoji where its ``:ok:`` or ``:x:`` is (escaping does not stop
    that, and the console may have emoji on)."""
    return Text.from_markup(markup, emoji=False)


def _say(console: Console, markup: str) -> None:
    console.print(_rich(markup))


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


def _render_cost(cost: CostEstimate, console: Console) -> None:
    table = Table(
        title=_rich(
            f"Monthly cost at {escape(cost.region)} list prices (compiled {escape(cost.price_table_date)}, "
            f"{escape(cost.currency)}): "
            f"min {_money(cost.monthly_min)} · max {_money(cost.monthly_max)}"
        ),
        title_justify="left",
    )
    table.add_column("component")
    table.add_column("what bills by the hour or month", overflow="fold")
    table.add_column("min", justify="right")
    table.add_column("max", justify="right")
    for name, component in cost.by_component.items():
        cells = (
            escape(name),
            escape(component.summary()),
            _money(component.monthly_min),
            _money(component.monthly_max),
        )
        table.add_row(*map(_rich, cells))
    totals = (
        "[bold]total[/]",
        "",
        f"[bold]{_money(cost.monthly_min)}[/]",
        f"[bold]{_money(cost.monthly_max)}[/]",
    )
    table.add_row(*map(_rich, totals))
    console.print(table)
    for unpriced in cost.unpriced:
        _say(
            console,
            f"[yellow]UNPRICED[/] {escape(unpriced.resource)} ({escape(short_type(unpriced.type))}): "
            f"{escape(unpriced.reason)}",
        )
    if cost.unpriced:
        _say(console, "[yellow]The totals leave the unpriced resources out: they are a lower bound.[/]")
    _render_training_runs(cost, console)
    _say(
        console,
        "[dim]min = minimum capacity with scheduled scale-down; max = maximum capacity all month. "
        "Usage-based charges (S3, training, feature store traffic, logs, requests) are excluded; "
        "FORMAT=json lists every assumption.[/]",
    )


def _render_training_runs(cost: CostEstimate, console: Console) -> None:
    """Per run of each training pipeline (not in the monthly totals): the training or tuning step's
    ceiling and its longest wall time, then the run's processing jobs' ceiling."""
    pipelines = dict.fromkeys(
        [run.pipeline for run in cost.training_runs] + [p.pipeline for p in cost.processing_runs]
    )
    for pipeline in pipelines:  # each pipeline's training step(s), then its processing jobs
        for run in (run for run in cost.training_runs if run.pipeline == pipeline):
            price = f"at most {_money(run.max_per_run)}" if run.max_per_run is not None else "UNPRICED"
            _say(
                console,
                f"Training run of {escape(run.pipeline)}: {escape(run.what())}: {price} per run, up to "
                f"{run.max_wall_seconds / 3600:g} h" + (f" ({escape(run.unpriced)})" if run.unpriced else ""),
            )
        for processing in (p for p in cost.processing_runs if p.pipeline == pipeline):
            lower_bound = f" (a lower bound: {'; '.join(processing.unpriced)})" if processing.unpriced else ""
            _say(
                console,
                f"Processing in a run of {escape(processing.pipeline)}: {escape(processing.what())}: at most "
                f"{_money(processing.max_per_run)} per run{escape(lower_bound)}",
            )


def _render_budget(check: BudgetCheck | None, console: Console) -> None:
    """The budget beside the estimate, and a warning where the estimate's maximum exceeds it."""
    if check is None:
        return
    if check.monthly_limit is not None:
        _say(
            console,
            f"Budget: {_money(check.monthly_limit)}/month (budget.monthly_limit_usd) beside the estimate's "
            f"max {_money(check.estimate_max)}: {check.estimate_max / check.monthly_limit:.0%} of it"
            + (" (a lower bound: unpriced resources)" if check.unpriced else ""),
        )
    if check.warning:
        _say(console, f"[yellow]warning:[/] {escape(check.warning)}")


def _render_critical_path(path: CriticalPath, console: Console) -> None:
    chain = escape(" → ".join(f"{step.name} ({step.seconds:g}s)" for step in path.steps))
    _say(
        console,
        f"Deployment critical path: ~{path.estimated_seconds / 60:.0f} min for a first `pulumi up` "
        f"(serial sum {path.serial_seconds / 60:.0f} min): {chain}",
    )
    _say(
        console,
        f"[dim]typical create times from planner/data/create_times.json (compiled {path.create_times_compiled})"
        + (f"; default time for {escape(', '.join(path.defaulted_types))}" if path.defaulted_types else "")
        + "[/]",
    )


def _add_branch(tree: Tree, graph: ResourceGraph, resource: RecordedResource) -> None:
    if resource.custom:
        tree.add(_rich(_label(resource)))
        return
    descendants = [r for r in graph.descendants(resource) if r.is_cloud_resource]
    branch = tree.add(
        _rich(
            f"[bold cyan]{escape(resource.name)}[/] [dim]{escape(resource.type)}[/] ({len(descendants)} resources)"
        )
    )
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
    return f"{escape(resource.name)} [dim]{escape(short_type(resource.type))}[/]{lock}"


def _render_undecided(plan: Plan, console: Console) -> None:
    """Checks a rule could not decide (a value known only after apply): `pulumi up` decides them."""
    if not plan.undecided:
        return
    pending = {name: count for name, count in plan.undecided.items() if count}
    if not pending:
        _say(console, "[dim]Undecided policy checks: 0 (every value the rules read is known).[/]")
        return
    listed = escape(", ".join(f"{name} ({count})" for name, count in sorted(pending.items())))
    _say(
        console,
        f"[yellow]Undecided policy checks: {sum(pending.values())}[/], decided by `pulumi up` on outputs: "
        f"{listed}",
    )


def _render_violations(plan: Plan, console: Console) -> None:
    _render_undecided(plan, console)
    if not plan.violations:
        _say(console, f"[green]Policies: {plan.policies_evaluated} evaluated, no violations.[/]")
        return
    table = Table(
        title=_rich(f"Policy violations ({len(plan.mandatory_violations)} mandatory)"), show_lines=False
    )
    for column in ("rule", "resource", "level", "message"):
        table.add_column(column, overflow="fold")
    for violation in sorted(
        plan.violations, key=lambda v: (v.enforcement_level != "mandatory", v.policy_name)
    ):
        style = "red" if violation.enforcement_level == "mandatory" else "yellow"
        # Rules quote paths and names (`Steps[preprocess]`, `tags[owner]`): text, not rich markup.
        cells = (
            escape(violation.policy_name),
            escape(violation.resource_name or "(stack)"),
            f"[{style}]{escape(violation.enforcement_level)}[/]",
            escape(violation.message),
        )
        table.add_row(*map(_rich, cells))
    console.print(table)
