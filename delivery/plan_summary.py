"""Markdown summary of an offline plan, for a pull request's step summary and comment.

    make plan STACK=prod FORMAT=json > plan-prod.json; echo $? > plan-prod.status
    make plan STACK=prod > plan-prod.txt 2>&1
    python -m delivery.plan_summary --stack prod --json plan-prod.json --text plan-prod.txt \\
        --status "$(cat plan-prod.status)"

Reviewers see, per stack, whether the plan is clean, every policy finding, the resource counts,
and the full text plan folded away. An invalid stack file (plan exit 2) has no JSON: its error
message, which names the file and the offending keys, is shown instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# A PR comment holds at most 65536 characters and carries three stacks: fold the text plan at this.
TEXT_LIMIT = 15_000
VERDICTS = {0: "✅ clean", 1: "❌ mandatory policy violations", 2: "❌ invalid stack file"}


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _folded(title: str, text: str) -> list[str]:
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT] + f"\n… truncated ({len(text) - TEXT_LIMIT} more characters in the job log)"
    return ["<details>", f"<summary>{title}</summary>", "", "```text", text.rstrip(), "```", "</details>", ""]


def summarize(stack: str, plan: dict[str, Any] | None, text: str, status: int) -> str:
    """The Markdown section for one stack; ``plan`` is the FORMAT=json document, or None if absent."""
    verdict = VERDICTS.get(status, f"❌ plan failed (exit {status})")
    lines = [f"### Offline plan `{stack}`: {verdict}", ""]
    if plan is None:
        return "\n".join([*lines, *_folded("Plan output", text or "(no output)")])
    summary = plan["summary"]
    lines += [
        f"`{plan['source']}`: **{summary['resources']}** resources in {summary['components']} components, "
        f"{summary['protected']} protected; {summary['policies_evaluated']} policies evaluated, "
        f"{summary['mandatory_violations']} mandatory violations.",
        "",
    ]
    cost = plan.get("cost")
    if cost:
        lines += [
            f"Estimated monthly cost: **{cost['monthly_min']:,.2f} to {cost['monthly_max']:,.2f} {cost['currency']}** "
            f"(min at minimum capacity, max at maximum; list prices of {cost['price_table_date']}, "
            "usage-based S3 and training excluded).",
            "",
        ]
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
    except (OSError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) and "summary" in document else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m delivery.plan_summary", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--stack", required=True)
    parser.add_argument("--json", type=Path, required=True, help="output of `make plan FORMAT=json`")
    parser.add_argument("--text", type=Path, help="output of `make plan` (text), shown folded")
    parser.add_argument("--status", type=int, required=True, help="exit status of the JSON plan")
    args = parser.parse_args(argv)
    text = args.text.read_text(encoding="utf-8") if args.text and args.text.exists() else ""
    print(summarize(args.stack, _read_plan(args.json), text, args.status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
