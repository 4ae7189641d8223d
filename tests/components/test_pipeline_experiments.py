"""No pipeline of the platform asks SageMaker for an Experiments trial per execution (the SDK's
default ``PipelineExperimentConfig``): an hourly pipeline would create thousands a year, and the
pipelines' roles are not granted sagemaker:CreateExperiment/CreateTrial. Checked on every pipeline
the suite's stacks record, with Evidently batch scoring and live drift on."""

from __future__ import annotations

import json

import pytest

from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stacks.test_live_drift import live_drift_instead_of_model_monitor
from tests.yaml_text import dump_document

PIPELINE = "aws:sagemaker/pipeline:Pipeline"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "prod-live-drift"])
def test_no_pipeline_creates_an_experiment_trial_per_run(stack: str, stack_graphs, tmp_path) -> None:
    if stack == "prod-live-drift":
        document = load_stack_document("prod")
        live_drift_instead_of_model_monitor(document["config"][CONFIG_KEY])
        path = tmp_path / "Pulumi.prod.yaml"
        path.write_text(dump_document(document))
        graph = recorded_stack(path)
    else:
        graph = stack_graphs[stack]
    pipelines = graph.of_type(PIPELINE)
    assert pipelines

    kinds = set()
    for pipeline in pipelines:
        definition = json.loads(pipeline.inputs["pipelineDefinition"])
        assert definition.get("PipelineExperimentConfig") is None, pipeline.name
        kinds.add(pipeline.name.split("-")[0])
    if stack.startswith("prod"):
        assert {"training", "batch"} <= kinds
    if stack == "prod-live-drift":
        assert "live" in kinds


def test_the_batch_scoring_pipeline_role_reads_the_summary_its_publish_step_is_given(stack_graphs) -> None:
    from tests.graph_helpers import as_list, policy_of, statements

    graph = stack_graphs["prod"]
    [policy] = [
        r
        for r in graph.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "batch-customer-churn-pipeline-permissions"
    ]
    reads = [
        resource
        for statement in statements(policy_of(policy))
        if "s3:GetObject" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    ]

    assert len(reads) == 1 and reads[0].endswith("/*/EvidentlyReport/report/summary.json"), reads
    assert "/pipelines/prod-customer-churn-batch-scoring/" in reads[0]
