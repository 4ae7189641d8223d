"""The plan's verdict for CI, where the pack engine's mutation audit found no test holding it.

Part of the audit described in tests/policies/test_pack_engine_mutation_audit.py (counts, the
equivalent mutations and the bugs are listed there). Two mutations of the CLI and its CI summary
survived the existing tests and are caught here:

- at a terminal the text plan went to stderr (every test runs off a terminal, where the console
  is made differently): the plan is on stdout wherever it runs, and a mandatory violation still
  exits 1;
- ``delivery.plan_summary`` reported status 1 without a readable plan JSON as "mandatory policy
  violations": with no plan to show them it is no verdict, as status 0 without one already was.

The bug (found beside them; fixed, see CHANGELOG.md): the text plan printed each violation's
message, rule and resource name as rich markup, so a lowercase word in brackets vanished
(``Steps[preprocess].Arguments.EnableNetworkIsolation`` read ``Steps.Arguments...``, ``tags[owner]``
read ``tags``), and a ``[/]`` in a message crashed the rendering: exit 3, no verdict, for a plan
whose verdict was a mandatory violation (exit 1).
"""

from __future__ import annotations

import sys

import pulumi_aws as aws

from delivery.plan_summary import summarize
from planner.__main__ import EXIT_VIOLATION, main, run
from planner.recorder import record_program
from planner.report import Plan, PlanViolation


def test_at_a_terminal_the_text_plan_is_on_stdout_and_a_mandatory_violation_exits_1(
    monkeypatch, capsys
) -> None:
    graph = record_program(lambda: aws.sqs.Queue("jobs"))
    finding = PlanViolation(
        "probe-rule", "mandatory", "fix the queue", "aws:sqs/queue:Queue", "jobs", "urn:x"
    )
    monkeypatch.setattr("planner.__main__.validated_stack_file", lambda path: None)
    monkeypatch.setattr(
        "planner.__main__.build_plan", lambda path, registry: Plan(graph=graph, violations=[finding])
    )
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    assert main(["--stack", "dev"]) == EXIT_VIOLATION

    captured = capsys.readouterr()
    assert "probe-rule" in captured.out and "fix the queue" in captured.out
    assert captured.err == ""


def test_a_violation_status_without_readable_json_is_no_verdict() -> None:
    markdown = summarize("prod", None, "Traceback (most recent call last): ...", EXIT_VIOLATION)

    assert "❌ no verdict: no readable plan JSON (exit 1)" in markdown
    assert "mandatory policy violations" not in markdown


def test_a_violation_message_is_printed_as_it_is_not_as_markup(monkeypatch, capsys) -> None:
    graph = record_program(lambda: aws.sqs.Queue("jobs"))
    message = "Steps[preprocess] and tags[owner] [/]"
    finding = PlanViolation("probe-rule", "mandatory", message, "aws:sqs/queue:Queue", "[jobs]", "urn:x")
    monkeypatch.setattr("planner.__main__.validated_stack_file", lambda path: None)
    monkeypatch.setattr(
        "planner.__main__.build_plan", lambda path, registry: Plan(graph=graph, violations=[finding])
    )

    assert run(["--stack", "dev"]) == EXIT_VIOLATION

    captured = capsys.readouterr()
    [row] = [line for line in captured.out.splitlines() if "probe-rule" in line]
    assert message in row and "[jobs]" in row
    assert captured.err == ""
