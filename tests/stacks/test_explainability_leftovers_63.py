"""The explainability template's session-63 refusals through the plan's command line on a stack
file of the test's own project: an ``s3://`` SHAP baseline, ``predictor.content_type`` left out and
an ``endpoint_name_prefix`` over AWS's 23 characters are each named (stack file, template, key) in
one run that exits 2 with nothing on stdout (``planner.__main__.run`` in this process, which
``bin/plan`` execs: tests/bin/test_plan.py runs bin/plan on an invalid stack file in a real
process); a baseline given by file name plans, resolved in the
stack's own artifact bucket (tests/components/test_explainability_leftovers_63.py has the why)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.__main__ import run
from planner.recorder import record_stack_file
from tests.conftest import load_stack_document
from tests.recorded import computed_once
from tests.stacks.project_folder import project_folder

TEMPLATE: dict[str, Any] = {
    "headers": ["tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d"],
    "methods": {"shap": {"baseline": [[24, 65.0, 1560.0, "month-to-month", 1]], "num_samples": 50}},
    "predictor": {"instance_type": "ml.m5.large", "initial_instance_count": 1, "content_type": "text/csv"},
}


def _project(
    tmp_path: Path, template: dict[str, Any], cut: Callable[[dict[str, Any]], None] | None = None
) -> tuple[Path, Path]:
    """A prod stack with the explainability monitor reading ``xai/churn.json`` of its project
    (its platform value passed to ``cut`` first, when given: ``tests.stacks.conftest.serving_cut``)."""
    (tmp_path / "xai").mkdir()
    template_path = tmp_path / "xai" / "churn.json"
    template_path.write_text(json.dumps(template))
    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    if cut is not None:
        cut(platform)
    platform["monitoring"]["model_monitors"] = {"model_quality": True, "explainability": True}
    platform["models"][0]["explainability_config"] = "xai/churn.json"
    return project_folder(tmp_path, stack="prod", document=document), template_path


def test_each_fault_is_named_with_the_stack_file_and_the_template_and_nothing_is_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = json.loads(json.dumps(TEMPLATE))
    bad["methods"]["shap"]["baseline"] = "s3://prod-artifacts/baselines/prod-customer-churn/rows.csv"
    del bad["predictor"]["content_type"]
    bad["predictor"]["content_template"] = (
        '{"features":$features}'  # a JSON model's, which must say which JSON
    )
    bad["predictor"]["endpoint_name_prefix"] = "sm-clarify-customer-churn"  # 25 characters
    stack, template_path = _project(tmp_path, bad)

    status = run(["--config", str(stack), "--format", "json"])

    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.out == ""
    # Each fault its own line (session 64: one line joining them was cut at 1,000 characters).
    lines = [line for line in captured.err.splitlines() if "models[0].explainability_config" in line]
    assert len(lines) == 3, lines
    for line, (key, words) in zip(
        lines,
        (
            ("methods.shap.baseline", "an s3:// URI names one bucket"),
            ("predictor.content_type", "required with a content_template"),
            ("predictor.endpoint_name_prefix", "25 characters: 23 characters at most"),
        ),
        strict=True,
    ):
        assert str(stack) in line and f"{template_path}: {key}: {words}" in line, (key, line)


def test_a_baseline_file_name_plans_and_names_the_stack_s_own_bucket(tmp_path: Path) -> None:
    good = json.loads(json.dumps(TEMPLATE))
    good["methods"]["shap"]["baseline"] = "shap_baseline.csv"
    stack, template_path = _project(tmp_path, good)
    # Recorded once per version of the code (tests/recorded.py, computed_once), keyed by every file
    # of the project it reads: the stack file, Pulumi.yaml and the template (this module writes
    # them); the graph holds nothing of their folder but its ``source``, which this test does not read.
    project = [stack, stack.parent.parent / "Pulumi.yaml", template_path]
    graph = computed_once(
        "file-name-baseline",
        lambda: record_stack_file(str(stack)),
        key=[item for path in project for item in (str(path.relative_to(tmp_path)), path.read_bytes())],
    )
    [written] = [
        r
        for r in graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if r.inputs["key"].startswith("monitoring-config/")
    ]
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    group = graph.of_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")[0].inputs[
        "modelPackageGroupName"
    ]
    baseline = json.loads(written.inputs["content"])["methods"]["shap"]["baseline"]
    assert baseline == f"s3://{bucket}/baselines/{group}/model_explainability/shap_baseline.csv"
