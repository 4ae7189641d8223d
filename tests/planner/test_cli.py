"""The offline plan CLI: output formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pulumi
import pytest

import planner.policy_check
from components.kubernetes.kubernetes_serving import kubernetes_provider
from planner.__main__ import EXIT_OK, EXIT_VIOLATION, main, run, stack_file_path
from planner.policy_check import PolicyResults
from planner.recorder import record_program
from planner.report import Plan, PlanViolation, json_value
from tests.conftest import REPO, STACKS, stack_path
from tests.recorded import computed_once

# The in-process ``main`` tests are about what ``main`` makes of a fixture stack's graph (formats,
# exit codes, policy verdicts): they take ``cached_recordings`` (tests/conftest.py). The CLI's own
# recording runs in the subprocess tests below and in tests/bin/test_plan.py.


@pytest.mark.parametrize("stack", STACKS)
def test_each_fixture_stack_plans_cleanly_as_json(cached_recordings, capsys, stack: str) -> None:
    assert main(["--config", str(stack_path(stack)), "--format", "json"]) == EXIT_OK

    plan = json.loads(capsys.readouterr().out)
    assert plan["stack"] == stack
    assert [v for v in plan["violations"] if v["enforcement_level"] == "mandatory"] == []
    resources = [r for r in plan["resources"] if r["kind"] == "resource"]
    assert plan["summary"]["resources"] == len(resources) > 50
    assert plan["summary"]["policies_evaluated"] > 20
    for resource in resources:
        assert (
            resource["type"].startswith(("aws:", "aws-native:")) and resource["name"] and resource["parent"]
        )
        assert isinstance(resource["inputs"], dict)
        assert resource["component"], f"{resource['name']} is outside any component"
    assert sum(plan["summary"]["by_type"].values()) == len(resources)


def test_text_plan_shows_the_tree_grouped_by_component(cached_recordings, capsys) -> None:
    assert main(["--config", str(stack_path("prod"))]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"prod ({stack_path('prod')})" in out
    for component in ("network", "datasets", "artifacts", "access-logs", "kms-data", "training-role"):
        assert component in out
    assert "🔒" in out, "protected resources are marked in prod"
    assert "Policies:" in out or "Policy violations" in out


def test_a_mandatory_violation_exits_1_and_is_listed(cached_recordings, monkeypatch, capsys) -> None:
    finding = PlanViolation(
        "bucket-sse-kms", "mandatory", "encrypt it", "aws:s3/bucket:Bucket", "datasets-bucket", "urn:x"
    )
    monkeypatch.setattr(planner.policy_check, "check_policies", lambda graph: PolicyResults([finding], 1))

    assert main(["--config", str(stack_path("dev")), "--format", "json"]) == EXIT_VIOLATION
    plan = json.loads(capsys.readouterr().out)
    assert plan["violations"] == [
        {
            "policy_name": "bucket-sse-kms",
            "enforcement_level": "mandatory",
            "message": "encrypt it",
            "resource_type": "aws:s3/bucket:Bucket",
            "resource_name": "datasets-bucket",
            "urn": "urn:x",
        }
    ]
    assert plan["summary"]["mandatory_violations"] == 1


def test_an_advisory_violation_does_not_fail_the_plan(cached_recordings, monkeypatch, capsys) -> None:
    finding = PlanViolation("some-advice", "advisory", "consider it")
    monkeypatch.setattr(planner.policy_check, "check_policies", lambda graph: PolicyResults([finding], 1))

    assert main(["--config", str(stack_path("dev"))]) == EXIT_OK
    out = capsys.readouterr().out
    assert "some-advice" in out and "advisory" in out


def test_a_missing_stack_file_is_a_config_error(capsys) -> None:
    assert main(["--stack", "qa"]) == 2
    assert "stacks/Pulumi.qa.yaml: <file>: file not found" in capsys.readouterr().err


def test_stack_and_config_select_the_file() -> None:
    assert stack_file_path(None, None) == "stacks/Pulumi.dev.yaml"
    assert stack_file_path("prod", None) == "stacks/Pulumi.prod.yaml"
    assert stack_file_path(None, "x/Pulumi.y.yaml") == "x/Pulumi.y.yaml"


def _plan_in_a_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def _json_plan_of_dev_in_a_process() -> str:
    """``python -m planner`` of dev as JSON in a fresh process, checked (exit 0) before
    ``computed_once`` keeps its stdout: a failing run is raised and run again next time."""
    process = _plan_in_a_process("--config", str(stack_path("dev")), "--format", "json")
    assert process.returncode == EXIT_OK, process.stderr
    return process.stdout


def test_the_json_plan_is_byte_for_byte_the_same_in_every_process(
    cached_recordings, capsys, monkeypatch
) -> None:
    # Separate processes: set order (hash seeds) and object addresses differ between them. The
    # subprocess records and renders the plan; this worker renders the suite's shared recording of
    # the same file (made by whichever worker asked first), from the same directory (asset paths
    # are rendered relative to it). The process's output is a pure function of the code, the
    # fixture (a support file) and the environment the program reads, so it runs once per version
    # of them (tests.recorded.computed_once): a later session's worker is another process still.
    stdout = computed_once("dev-json-plan-process", _json_plan_of_dev_in_a_process)
    monkeypatch.chdir(REPO)
    assert main(["--config", str(stack_path("dev")), "--format", "json"]) == EXIT_OK
    assert stdout == capsys.readouterr().out
    plan = json.loads(stdout)  # complete: the process flushed before it skipped teardown
    [script] = [r for r in plan["resources"] if r["name"].endswith("-preprocess-script")]
    assert script["inputs"]["source"] == {"kind": "file asset", "path": "models/customer-churn/preprocess.py"}


def test_the_process_exit_status_is_the_plans(capsys) -> None:
    # The CLI's run, in this process: `python -m planner` ends with its status (exit_now), as its
    # real processes in tests/planner/test_config_first.py show for this one, 2 (an invalid stack
    # file, with nothing on stdout), and test_the_json_plan_is_byte_for_byte_the_same_in_every_process
    # for 0.
    assert run(["--stack", "qa"]) == 2
    captured = capsys.readouterr()
    assert "stacks/Pulumi.qa.yaml: <file>: file not found" in captured.err
    assert captured.out == ""


def test_assets_are_rendered_by_their_source() -> None:
    inside = REPO / "models" / "customer-churn" / "train.py"
    assert json_value(pulumi.FileAsset(str(inside))) == {
        "kind": "file asset",
        "path": "models/customer-churn/train.py",
    }
    assert json_value(pulumi.FileArchive("/opt/code")) == {"kind": "file archive", "path": "/opt/code"}
    assert json_value(pulumi.StringAsset("print(1)")) == {"kind": "string asset", "text": "print(1)"}


def test_the_json_plan_masks_secret_inputs(monkeypatch, capsys) -> None:
    graph = record_program(lambda: kubernetes_provider("eks", "apiVersion: v1\nusers: [{token: t0p}]"))
    monkeypatch.setattr("planner.__main__.build_plan", lambda path, registry: Plan(graph=graph))

    assert main(["--config", str(stack_path("dev")), "--format", "json"]) == EXIT_OK
    output = capsys.readouterr().out
    [provider] = json.loads(output)["resources"]
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    assert provider["inputs"]["enableServerSideApply"] == "true"
    assert "t0p" not in output


def test_the_json_plan_masks_secret_exports(monkeypatch, capsys) -> None:
    def program() -> None:
        pulumi.export("token", pulumi.Output.secret("t0p"))
        pulumi.export("region", "eu-west-1")

    graph = record_program(program)
    monkeypatch.setattr("planner.__main__.build_plan", lambda path, registry: Plan(graph=graph))

    assert main(["--config", str(stack_path("dev")), "--format", "json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["exports"] == {"token": "[secret]", "region": "eu-west-1"}
