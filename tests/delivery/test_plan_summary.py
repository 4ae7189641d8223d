"""The pull request's plan summary, from real plan JSON of the shipped stacks."""

from __future__ import annotations

import json

import pytest

from delivery.plan_summary import TEXT_LIMIT, main, summarize
from planner.__main__ import main as plan_main
from planner.report import Plan, PlanViolation, to_json
from tests.conftest import stack_path


def _plan_json(graph, violations=()) -> dict:
    # Round-trip through JSON: the summary reads the file `make plan FORMAT=json` writes.
    return json.loads(json.dumps(to_json(Plan(graph, violations, policies_evaluated=57)), default=str))


def test_a_clean_plan_says_so_with_its_counts(stack_graphs) -> None:
    plan = _plan_json(stack_graphs["prod"])

    markdown = summarize("prod", plan, "prod (stacks/Pulumi.prod.yaml): the tree", 0)

    assert markdown.startswith("### Offline plan `prod`: ✅ clean")
    assert f"**{plan['summary']['resources']}** resources" in markdown
    assert "57 policies evaluated, 0 mandatory violations" in markdown
    assert "aws:sagemaker/endpoint:Endpoint" in markdown  # resources by type
    assert "the tree" in markdown
    assert "| level |" not in markdown


def test_undecided_checks_are_counted_per_policy_and_zero_counts_are_not_listed(stack_graphs) -> None:
    plan = json.loads(
        json.dumps(
            to_json(
                Plan(
                    stack_graphs["prod"],
                    (),
                    policies_evaluated=57,
                    undecided={
                        "endpoint-safe-rollout": 2,
                        "gpu-instance-quota": 1,
                        "s3-sse-kms-encrypted": 0,
                    },
                )
            ),
            default=str,
        )
    )

    markdown = summarize("prod", plan, "", 0)

    assert (
        "Undecided at preview (most settle on `pulumi up`; policies/README.md names those that never do): "
        "**3** resource checks: `endpoint-safe-rollout` (2), `gpu-instance-quota` (1)."
    ) in markdown
    assert "s3-sse-kms-encrypted" not in markdown
    assert "Undecided" not in summarize("prod", _plan_json(stack_graphs["prod"]), "", 0)


def test_violations_are_listed_mandatory_first(stack_graphs) -> None:
    violations = [
        PlanViolation("vpc-flow-logs-enabled", "advisory", "no flow log", "aws:ec2/vpc:Vpc", "network-vpc"),
        PlanViolation("gpu-instance-quota", "mandatory", "10 GPUs | max 2", None, None),
    ]
    markdown = summarize("dev", _plan_json(stack_graphs["dev"], violations), "", 1)

    assert "❌ mandatory policy violations" in markdown
    rows = [
        line
        for line in markdown.splitlines()
        if line.startswith("| mandatory") or line.startswith("| advisory")
    ]
    assert rows == [
        "| mandatory | `gpu-instance-quota` | stack | 10 GPUs \\| max 2 |",
        "| advisory | `vpc-flow-logs-enabled` | network-vpc | no flow log |",
    ]


def test_an_invalid_stack_file_shows_the_error_instead() -> None:
    error = "stacks/Pulumi.dev.yaml: invalid configuration (1 problem)\n  ...environment: Input should be"

    markdown = summarize("dev", None, error, 2)

    assert "❌ invalid stack file" in markdown
    assert "invalid configuration (1 problem)" in markdown


def test_a_long_text_plan_is_truncated_for_the_comment_limit() -> None:
    markdown = summarize("dev", None, "x" * (TEXT_LIMIT + 500), 2)

    assert "truncated (500 more characters" in markdown
    assert len(markdown) < TEXT_LIMIT + 1000


def test_the_cli_reads_the_files_and_tolerates_an_empty_json(tmp_path, stack_graphs, capsys) -> None:
    good = tmp_path / "plan-staging.json"
    good.write_text(json.dumps(_plan_json(stack_graphs["staging"])))
    empty = tmp_path / "plan-dev.json"
    empty.write_text("")
    text = tmp_path / "plan-dev.txt"
    text.write_text("stacks/Pulumi.dev.yaml: invalid configuration")

    assert main(["--stack", "staging", "--json", str(good), "--status", "0"]) == 0
    assert "✅ clean" in capsys.readouterr().out
    assert main(["--stack", "dev", "--json", str(empty), "--text", str(text), "--status", "2"]) == 0
    out = capsys.readouterr().out
    assert "❌ invalid stack file" in out and "invalid configuration" in out


def test_the_summary_shows_the_stacks_monthly_cost(stack_graphs) -> None:
    plan = _plan_json(stack_graphs["prod"])
    assert "Estimated monthly cost" not in summarize("prod", plan, "", 0)

    plan["cost"] = {
        "currency": "USD",
        "monthly_min": 3763.28,
        "monthly_max": 10816.31,
        "price_table_date": "2026-11-23",
    }
    markdown = summarize("prod", plan, "", 0)
    assert "Estimated monthly cost: **3,763.28 to 10,816.31 USD**" in markdown
    assert "list prices of 2026-11-23" in markdown


def test_a_region_the_price_table_lacks_gets_no_estimate_not_a_zero_one(stack_graphs) -> None:
    """A stack in a region planner/data/prices.json has no prices for (eu-central-1) plans with every
    priced resource UNPRICED: its totals are $0. The summary says there is no estimate, as the text
    plan does, instead of a bold "0.00 to 0.00 USD" at "list prices of" a table without the region."""
    plan = _plan_json(stack_graphs["prod"])
    plan["cost"] = {
        "currency": "USD",
        "region": "eu-central-1",
        "monthly_min": 0.0,
        "monthly_max": 0.0,
        "price_table_date": "2026-11-23",
        "unpriced": [{"resource": "kms-data-key", "type": "aws:kms/key:Key", "in_totals": True}],
    }
    markdown = summarize("prod", plan, "", 0)
    assert "0.00 to 0.00" not in markdown
    assert "list prices of" not in markdown
    assert "no estimate: planner/data/prices.json has no prices for eu-central-1" in markdown
    assert "A lower bound" not in markdown

    plan["cost"]["region"] = "eu-west-1"  # a region the table has: the figures, as before
    plan["cost"]["unpriced"] = []  # a stack priced whole at $0 (session 76: $0 with one left out is none)
    assert "Estimated monthly cost: **0.00 to 0.00 USD**" in summarize("prod", plan, "", 0)


def test_the_real_plan_json_carries_the_cost_the_summary_reads() -> None:
    from planner.__main__ import plan_for
    from planner.report import to_json
    from tests.recorded import recorded_stack

    plan = json.loads(json.dumps(to_json(plan_for(recorded_stack(stack_path("dev")))), default=str))
    assert "Estimated monthly cost: **" in summarize("dev", plan, "", 0)


# -- the planner's real exit statuses, from real plans of stack files built here -------------------


def _plan_files(path, tmp_path, capsys) -> tuple[int, str, str]:
    """Plan ``path`` as the workflow does: the JSON and the status; returns (status, json path, stderr)."""
    status = plan_main(["--config", str(path), "--format", "json"])
    captured = capsys.readouterr()
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(captured.out)
    return status, str(plan_json), captured.err


def test_status_1_is_reported_with_the_mandatory_violations_table(
    cached_recordings, write_stack, tmp_path, capsys
) -> None:
    # The planner's own recording of the variant is the suite's (tests/conftest.py, cached_recordings):
    # its policy verdicts, JSON and exit status run as in the CLI.
    path = write_stack(
        "prod", lambda platform: platform.update(protect_stateful_resources=False), name="Pulumi.open.yaml"
    )
    status, plan_json, _ = _plan_files(path, tmp_path, capsys)
    assert status == 1

    assert main(["--stack", "open", "--json", plan_json, "--status", str(status)]) == 0

    markdown = capsys.readouterr().out
    assert markdown.startswith("### Offline plan `open`: ❌ mandatory policy violations")
    assert "✅" not in markdown and "invalid stack file" not in markdown
    flagged = {
        line.split(" | ")[2]
        for line in markdown.splitlines()
        if line.startswith("| mandatory | `stateful-resources-protected` |")
    }
    assert {"datasets-bucket", "artifacts-bucket", "kms-data-key"} <= flagged


def test_status_2_is_reported_with_the_invalid_stack_file_message_unfolded(
    write_stack, tmp_path, capsys
) -> None:
    path = write_stack("dev", lambda platform: platform["network"].update(az_count=9), name="Pulumi.bad.yaml")
    status, plan_json, error = _plan_files(path, tmp_path, capsys)
    assert status == 2
    text = tmp_path / "plan.txt"
    text.write_text(error)

    assert main(["--stack", "bad", "--json", plan_json, "--text", str(text), "--status", str(status)]) == 0

    markdown = capsys.readouterr().out
    assert markdown.startswith("### Offline plan `bad`: ❌ invalid stack file")
    message = f"{path}: mlops-platform:platform.network.az_count: Input should be less than or equal to 6"
    assert message in markdown
    assert "<details>" not in markdown, "the message is the summary, not folded away"


def test_a_clean_status_without_readable_json_is_no_verdict() -> None:
    # e.g. set-up output that reached stdout ahead of the JSON: never "clean" on no evidence.
    markdown = summarize("dev", None, "Resolved 192 packages\n{", 0)

    assert "✅" not in markdown
    assert "❌ no verdict: no readable plan JSON (exit 0)" in markdown


def test_status_3_is_no_verdict() -> None:
    markdown = summarize("dev", None, "Traceback (most recent call last): ...", 3)

    assert "❌ no verdict: the plan did not run (exit 3)" in markdown
    assert "Traceback" in markdown


def test_a_text_plan_that_is_not_utf8_is_shown_not_a_crash(tmp_path, capsys) -> None:
    # The text plan is bin/plan's stdout and stderr: a tool's message in another encoding.
    text = tmp_path / "plan-dev.txt"
    text.write_bytes(b"\xff\xfe stacks/Pulumi.dev.yaml: invalid configuration \xe9t\xe9")
    empty = tmp_path / "plan-dev.json"
    empty.write_text("")

    assert main(["--stack", "dev", "--json", str(empty), "--text", str(text), "--status", "2"]) == 0
    out = capsys.readouterr().out
    assert "❌ invalid stack file" in out
    assert "\ufffd\ufffd stacks/Pulumi.dev.yaml: invalid configuration \ufffdt\ufffd" in out


def test_a_text_plan_that_cannot_be_read_is_no_output(tmp_path, capsys) -> None:
    empty = tmp_path / "plan-dev.json"
    empty.write_text("")
    folder = tmp_path / "plan-dev.txt"
    folder.mkdir()

    assert main(["--stack", "dev", "--json", str(empty), "--text", str(folder), "--status", "2"]) == 0
    assert "(no output)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "document",
    [
        {"summary": 1},
        {"summary": {}, "source": "stacks/Pulumi.dev.yaml"},
        {"summary": {"resources": 3}, "source": "stacks/Pulumi.dev.yaml"},
        "not-a-map",
    ],
    ids=["summary-not-a-map", "summary-empty", "summary-partial", "not-a-map"],
)
def test_json_without_the_planners_shape_is_no_verdict(tmp_path, capsys, document) -> None:
    plan = tmp_path / "plan-dev.json"
    plan.write_text(json.dumps(document))

    assert main(["--stack", "dev", "--json", str(plan), "--status", "0"]) == 0
    assert "❌ no verdict: no readable plan JSON (exit 0)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "changes",
    [{"violations": [{}]}, {"violations": "abc"}, {"undecided": [1]}, {"cost": {"monthly_min": 1}}],
    ids=["violation-without-keys", "violations-not-a-list", "undecided-not-a-map", "cost-without-keys"],
)
def test_json_with_a_value_of_another_shape_is_no_verdict(stack_graphs, tmp_path, capsys, changes) -> None:
    plan = tmp_path / "plan-prod.json"
    plan.write_text(json.dumps({**_plan_json(stack_graphs["prod"]), **changes}))

    assert main(["--stack", "prod", "--json", str(plan), "--status", "1"]) == 0
    assert "❌ no verdict: no readable plan JSON (exit 1)" in capsys.readouterr().out


def test_the_planners_own_json_has_every_key_the_summary_reads(stack_graphs, tmp_path, capsys) -> None:
    plan = tmp_path / "plan-prod.json"
    plan.write_text(json.dumps(_plan_json(stack_graphs["prod"])))

    assert main(["--stack", "prod", "--json", str(plan), "--status", "0"]) == 0
    assert "✅ clean" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("counts", "said"),
    [
        pytest.param(
            (1, 1, 1, 1),
            "**1** resource in 1 component, 0 protected; 1 policy evaluated, 1 mandatory violation.",
            id="one-of-each",
        ),
        pytest.param(
            (2, 3, 57, 2),
            "**2** resources in 3 components, 0 protected; 57 policies evaluated, 2 mandatory violations.",
            id="several",
        ),
    ],
)
def test_the_counts_line_says_each_count_in_its_number(counts: tuple[int, int, int, int], said: str) -> None:
    # "1 mandatory violations" was the summary of a plan with one violation.
    resources, components, policies, violations = counts
    plan = {
        "summary": {
            "resources": resources,
            "components": components,
            "protected": 0,
            "policies_evaluated": policies,
            "mandatory_violations": violations,
            "by_type": {},
        },
        "source": "stacks/Pulumi.dev.yaml",
    }
    assert f"`stacks/Pulumi.dev.yaml`: {said}" in summarize("dev", plan, "", 1 if violations else 0)
