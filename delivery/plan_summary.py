"""Markdown summary of an offline plan, for a pull request's step summary and comment.

    bin/plan --config stacks/Pulumi.prod.yaml --format json > plan-prod.json; echo $? > plan-prod.status
    bin/plan --config stacks/Pulumi.prod.yaml > plan-prod.txt 2>&1
    python -m delivery.plan_summary --stack prod --json plan-prod.json --text plan-prod.txt \\
        --status "$(cat plan-prod.status)"

``--status`` is bin/plan's exit status, the planner's own (`make plan` turns every failure into 2).
Reviewers see, per stack, whether the plan is clean (0), every policy finding with the mandatory
violations first (1), the resource counts, and the full text plan folded away. An invalid stack
file (2) has no JSON: its error message, which names the file and the offending keys, is shown
instead, unfolded. A plan without a verdict (3, or no readable JSON) says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.pricing import NoEstimate

# A PR comment holds at most 65536 characters and carries every stack: fold the text plan at this.
TEXT_LIMIT = 15_000
VERDICTS = {
    0: "✅ clean",
    1: "❌ mandatory policy violations",
    2: "❌ invalid stack file",
    3: "❌ no verdict: the plan did not run (exit 3)",
}


def _no_estimate(cost: Mapping[str, Any]) -> NoEstimate | None:
    """Why the plan JSON's ``cost`` is no estimate of the stack, decided as the text plan's budget
    check decides it (:func:`planner.pricing.no_estimate`); None where it is one."""
    # The planner's own table and reader; imported here, as planner/ brings Pulumi's SDK with it.
    from planner.pricing import no_estimate

    left_out = {
        (u.get("resource"), u.get("type"))
        for u in cost.get("unpriced") or []
        if isinstance(u, dict) and u.get("in_totals", True)
    }
    maximum = cost.get("monthly_max")
    return no_estimate(
        cost.get("region"), maximum if isinstance(maximum, int | float) else 0.0, len(left_out)
    )


def _noun(count: Any, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or f"{one}s")


def _counted(count: Any, one: str, many: str | None = None) -> str:
    """``1 mandatory violation``, ``2 mandatory violations``."""
    return f"{count} {_noun(count, one, many)}"


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _truncated(text: str) -> str:
    if len(text) > TEXT_LIMIT:
        return text[:TEXT_LIMIT] + f"\n… truncated ({len(text) - TEXT_LIMIT} more characters in the job log)"
    return text


def _code_block(text: str) -> list[str]:
    return ["```text", _truncated(text).rstrip(), "```"]


def _folded(title: str, text: str) -> list[str]:
    return ["<details>", f"<summary>{title}</summary>", "", *_code_block(text), "</details>", ""]


def summarize(stack: str, plan: dict[str, Any] | None, text: str, status: int) -> str:
    """The Markdown section for one stack; ``plan`` is the FORMAT=json document, or None if absent."""
    verdict = VERDICTS.get(status, f"❌ plan failed (exit {status})")
    if plan is None and status in (0, 1):
        verdict = f"❌ no verdict: no readable plan JSON (exit {status})"
    lines = [f"### Offline plan `{stack}`: {verdict}", ""]
    if plan is None and status == 2:
        return "\n".join([*lines, *_code_block(text or "(no output)"), ""])
    if plan is None:
        return "\n".join([*lines, *_folded("Plan output", text or "(no output)")])
    summary = plan["summary"]
    lines += [
        f"`{plan['source']}`: **{summary['resources']}** {_noun(summary['resources'], 'resource')} in "
        f"{_counted(summary['components'], 'component')}, {summary['protected']} protected; "
        f"{_counted(summary['policies_evaluated'], 'policy', 'policies')} evaluated, "
        f"{_counted(summary['mandatory_violations'], 'mandatory violation')}.",
        "",
    ]
    environments = summary.get("esc_environments_not_read") or []
    if environments:
        names = ", ".join(f"`{_cell(str(name))}`" for name in environments)
        lines += [
            f"⚠️ The stack imports the Pulumi ESC environment(s) {names}: `pulumi up` merges their "
            "values into its config, but this offline plan cannot read ESC and ran without them.",
            "",
        ]
    undecided = {name: count for name, count in (plan.get("undecided") or {}).items() if count}
    if undecided:
        pending = ", ".join(f"`{_cell(name)}` ({count})" for name, count in sorted(undecided.items()))
        lines += [
            f"Undecided at preview (most settle on `pulumi up`; policies/README.md names those that never "
            f"do): **{sum(undecided.values())}** "
            f"resource checks: {pending}.",
            "",
        ]
    cost = plan.get("cost")
    if cost:
        gap = _no_estimate(cost)
        priced = gap is None
        if priced:
            lines += [
                f"Estimated monthly cost: **{cost['monthly_min']:,.2f} to {cost['monthly_max']:,.2f} {cost['currency']}** "
                f"(min at minimum capacity, max at maximum; list prices of {cost['price_table_date']}, "
                "usage-based S3 and training excluded).",
                "",
            ]
        elif gap is not None:
            # Totals of $0 that priced nothing (a region the price table lacks, or every resource
            # unpriced): no estimate, as the text plan's budget check says, rather than a bold zero.
            lines += [f"Estimated monthly cost: no estimate: {_cell(gap.reason)} ({gap.remedy}).", ""]
        # Resources the totals leave out (a price the table lacks, an input unknown until deployment):
        # the figures and the budget check beside them are then a lower bound, said here, not only in
        # the folded text plan.
        left_out = {
            (u.get("resource"), u.get("type"))
            for u in cost.get("unpriced") or []
            if isinstance(u, dict) and u.get("in_totals", True)
        }
        if left_out and priced:
            count = len(left_out)
            lines += [
                f"⚠️ A lower bound: {count} resource{'s' if count > 1 else ''} the estimate could not "
                "price (listed as `UNPRICED` in the text plan) "
                f"{'are' if count > 1 else 'is'} left out of it.",
                "",
            ]
        warning = (cost.get("budget") or {}).get("warning")
        if warning:
            lines += [f"⚠️ Budget: {_cell(warning)}.", ""]
    violations = plan.get("violations") or []
    if violations:
        lines += ["| level | policy | resource | message |", "|---|---|---|---|"]
        for violation in sorted(violations, key=lambda v: v["enforcement_level"] != "mandatory"):
            resource = violation.get("resource_name") or violation.get("resource_type") or "stack"
            lines.append(
                f"| {_cell(violation['enforcement_level'])} | `{_cell(violation['policy_name'])}` "
                f"| {_cell(resource)} | {_cell(violation['message'])} |"
            )
        lines.append("")
    by_type = "\n".join(f"{count:4d}  {token}" for token, count in summary["by_type"].items())
    lines += _folded("Resources by type", by_type)
    if text:
        lines += _folded("Full text plan", text)
    return "\n".join(lines)


def _read_plan(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # absent, not JSON, not UTF-8, nested too deep
        return None
    # A document of another shape than the planner's is no verdict too: main() falls back on a
    # summary without it when reading it fails.
    return document if isinstance(document, dict) and "summary" in document else None


def _read_text(path: Path | None) -> str:
    """The text plan (``bin/plan``'s stdout and stderr, so a tool's output in any encoding): bytes
    that are not UTF-8 shown as U+FFFD, an absent or unreadable file as no text."""
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m delivery.plan_summary", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--stack", required=True)
    parser.add_argument("--json", type=Path, required=True, help="stdout of `bin/plan --format json`")
    parser.add_argument("--text", type=Path, help="stdout and stderr of `bin/plan` (text), shown folded")
    parser.add_argument("--status", type=int, required=True, help="exit status of the JSON plan (bin/plan)")
    args = parser.parse_args(argv)
    text = _read_text(args.text)
    try:
        markdown = summarize(args.stack, _read_plan(args.json), text, args.status)
    except (KeyError, TypeError, ValueError, AttributeError):
        # A plan JSON without the planner's keys or with a value of another shape (the file cut or
        # overwritten): the same as no readable plan JSON, with the text plan shown, not a traceback.
        markdown = summarize(args.stack, None, text, args.status)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
