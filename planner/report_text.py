"""The plan as text for people: a rich resource tree, the cost table, warnings and violations.

Every line is assembled from plain parts (:func:`_line`), never parsed as rich markup: names, paths,
messages and types are shown as they are (read as markup, ``tags[owner]`` lost its brackets, a
``[/]`` ended the plan with a traceback, a trailing backslash escaped the next tag and ``:x:`` printed
an emoji; ``rich.markup.escape`` does not cover the last two)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from planner.budget import BudgetCheck, budget_check
from planner.pricing import load_prices
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph
from planner.report import Plan

if TYPE_CHECKING:
    from planner.cost import CostEstimate
    from planner.critical_path import CriticalPath


def render_text(plan: Plan, console: Console) -> None:
    graph = plan.graph
    cloud = graph.cloud_resources
    root = Tree(
        _line(
            (graph.stack, "bold"),
            f" ({graph.source}): ",
            (str(len(cloud)), "bold"),
            " resources in ",
            (str(len(graph.components)), "bold"),
            f" components, {sum(r.protect for r in cloud)} protected",
        )
    )
    stack_urn = next((resource.urn for resource in graph if resource.type == STACK_TYPE), None)
    # Each resource's children, in the graph's order, found once: ResourceGraph.children scans the
    # whole graph, and the tree asked it for every component and again for each one's descendants
    # (8.3-8.9 CPU-s of a 200-endpoint text plan's rendering, 1.1-1.3 with this, 2026-12-07).
    children: dict[str, list[RecordedResource]] = {}
    for resource in graph:
        if resource.parent:
            children.setdefault(resource.parent, []).append(resource)
    for resource in graph:
        if resource.parent == stack_urn and not resource.is_provider:
            _add_branch(root, children, resource)
    console.print(root)
    _say(
        console,
        ("🔒 protected and retained on delete · offline plan of intent: no cloud state was read", "dim"),
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
            (f"Deferred endpoints ({len(deferred)})", "bold yellow"),
            ": nothing approved to serve yet, so they are not in the tree above: "
            + ", ".join(sorted(deferred)),
        )
    for warning in graph.warnings:
        _say(console, ("warning:", "yellow"), f" {warning}")


Part = str | tuple[str, str]
"""Text as it is, or text and the rich style to show it in."""


def _line(*parts: Part) -> Text:
    """One line of the report from its parts, none of them read as markup or emoji codes."""
    return Text.assemble(*parts)


def _say(console: Console, *parts: Part) -> None:
    console.print(_line(*parts))


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


def _render_cost(cost: CostEstimate, console: Console) -> None:
    priced = bool(load_prices(cost.region).prices)
    source = (
        f"{cost.region} list prices (compiled {cost.price_table_date}, {cost.currency})"
        if priced
        else f"{cost.region}, which the price table lacks ({cost.currency})"
    )
    table = Table(
        title=_line(
            f"Monthly cost at {source}: min {_money(cost.monthly_min)} · max {_money(cost.monthly_max)}"
        ),
        title_justify="left",
    )
    table.add_column("component")
    table.add_column("what bills by the hour or month", overflow="fold")
    table.add_column("min", justify="right")
    table.add_column("max", justify="right")
    for name, component in cost.by_component.items():
        cells = (name, component.summary(), _money(component.monthly_min), _money(component.monthly_max))
        table.add_row(*map(_line, cells))
    totals = ("total", "", _money(cost.monthly_min), _money(cost.monthly_max))
    table.add_row(*(_line((cell, "bold")) for cell in totals))
    console.print(table)
    for unpriced in cost.unpriced:
        _say(
            console,
            ("UNPRICED", "yellow"),
            f" {unpriced.resource} ({short_type(unpriced.type)}): {unpriced.reason}",
        )
    if cost.unpriced_in_totals:
        _say(console, ("The totals leave the unpriced resources out: they are a lower bound.", "yellow"))
    if cost.unpriced and not priced:
        _say(
            console,
            (
                f"planner/data/prices.json has no prices for {cost.region}: add the region's list "
                "prices for an estimate (its `refresh` says how; docs/cost.md, Prices).",
                "yellow",
            ),
        )
    _render_training_runs(cost, console)
    _say(
        console,
        (
            "min = minimum capacity with scheduled scale-down; max = maximum capacity all month. "
            "Usage-based charges (S3, training, feature store traffic, logs, requests) are excluded; "
            "FORMAT=json lists every assumption.",
            "dim",
        ),
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
                f"Training run of {run.pipeline}: {run.what()}: {price} per run, up to "
                f"{run.max_wall_seconds / 3600:g} h" + (f" ({run.unpriced})" if run.unpriced else ""),
            )
        for processing in (p for p in cost.processing_runs if p.pipeline == pipeline):
            lower_bound = f" (a lower bound: {'; '.join(processing.unpriced)})" if processing.unpriced else ""
            _say(
                console,
                f"Processing in a run of {processing.pipeline}: {processing.what()}: at most "
                f"{_money(processing.max_per_run)} per run{lower_bound}",
            )


def _render_budget(check: BudgetCheck | None, console: Console) -> None:
    """The budget beside the estimate, and a warning where the estimate's maximum exceeds it."""
    if check is None:
        return
    gap = check.no_estimate
    if check.monthly_limit is not None and gap is not None:
        _say(
            console,
            f"Budget: {_money(check.monthly_limit)}/month (budget.monthly_limit_usd); there is no estimate "
            f"({gap.reason}), so nothing is compared with it",
        )
    elif check.monthly_limit is not None:
        _say(
            console,
            f"Budget: {_money(check.monthly_limit)}/month (budget.monthly_limit_usd) beside the estimate's "
            f"max {_money(check.estimate_max)}: {check.estimate_max / check.monthly_limit:.0%} of it"
            + (" (a lower bound: unpriced resources)" if check.unpriced else ""),
        )
    if check.warning:
        _say(console, ("warning:", "yellow"), f" {check.warning}")


def _render_critical_path(path: CriticalPath, console: Console) -> None:
    chain = " → ".join(f"{step.name} ({step.seconds:g}s)" for step in path.steps)
    _say(
        console,
        f"Deployment critical path: ~{path.estimated_seconds / 60:.0f} min for a first `pulumi up` "
        f"(serial sum {path.serial_seconds / 60:.0f} min): {chain}",
    )
    defaulted = f"; default time for {', '.join(path.defaulted_types)}" if path.defaulted_types else ""
    _say(
        console,
        (
            f"typical create times from planner/data/create_times.json (compiled {path.create_times_compiled})"
            + defaulted,
            "dim",
        ),
    )


def _add_branch(
    tree: Tree, children: Mapping[str, list[RecordedResource]], resource: RecordedResource
) -> None:
    if resource.custom:
        tree.add(_label(resource))
        return
    count = _cloud_descendants(children, resource)
    branch = tree.add(
        _line((resource.name, "bold cyan"), " ", (resource.type, "dim"), f" ({count} resources)")
    )
    for child in children.get(resource.urn, ()):
        _add_branch(branch, children, child)


def _cloud_descendants(children: Mapping[str, list[RecordedResource]], resource: RecordedResource) -> int:
    """How many of ``resource``'s descendants (:meth:`ResourceGraph.descendants`) are cloud resources."""
    return sum(
        child.is_cloud_resource + _cloud_descendants(children, child)
        for child in children.get(resource.urn, ())
    )


def short_type(type_token: str) -> str:
    """``aws:s3/bucketPolicy:BucketPolicy`` → ``aws.s3.BucketPolicy`` (as the Python SDK names it)."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return type_token
    package, module, class_name = parts
    module = module.split("/")[0]
    return f"{package}.{class_name}" if module == "index" else f"{package}.{module}.{class_name}"


def _label(resource: RecordedResource) -> Text:
    lock = " 🔒" if resource.protect else ""
    return _line(f"{resource.name} ", (short_type(resource.type), "dim"), lock)


def _render_undecided(plan: Plan, console: Console) -> None:
    """Checks a rule could not decide: most read a value known only after apply, which `pulumi up`
    decides; a few no value settles (policies/README.md, ``Undeterminable``) stay undecided."""
    if not plan.undecided:
        return
    pending = {name: count for name, count in plan.undecided.items() if count}
    if not pending:
        _say(console, ("Undecided policy checks: 0 (every value the rules read is known).", "dim"))
        return
    listed = ", ".join(f"{name} ({count})" for name, count in sorted(pending.items()))
    _say(
        console,
        (f"Undecided policy checks: {sum(pending.values())}", "yellow"),
        f", most decided by `pulumi up` on outputs (policies/README.md names those none settles): {listed}",
    )


def _render_violations(plan: Plan, console: Console) -> None:
    _render_undecided(plan, console)
    if not plan.violations:
        _say(console, (f"Policies: {plan.policies_evaluated} evaluated, no violations.", "green"))
        return
    table = Table(
        title=_line(f"Policy violations ({len(plan.mandatory_violations)} mandatory)"), show_lines=False
    )
    for column in ("rule", "resource", "level", "message"):
        table.add_column(column, overflow="fold")
    for violation in sorted(
        plan.violations, key=lambda v: (v.enforcement_level != "mandatory", v.policy_name)
    ):
        style = "red" if violation.enforcement_level == "mandatory" else "yellow"
        # Rules quote paths and names (`Steps[preprocess]`, `tags[owner]`): text, not rich markup.
        table.add_row(
            _line(violation.policy_name),
            _line(violation.resource_name or "(stack)"),
            _line((violation.enforcement_level, style)),
            _line(violation.message),
        )
    console.print(table)
