"""The training pipeline's Evidently steps against pipeline-steps-network-isolated: the data-reading
EvidentlyReport stays isolated, and PublishDriftMetrics (which must reach CloudWatch) passes only in
the narrow exception's shape; each near miss of the real definition is rejected."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.training.definition import build_definition
from tests.pipelines.churn_fixtures import ROLE, make_settings, steps_by_name
from tests.pipelines.evidently_fixtures import REFERENCE, evidently_settings
from tests.recorded import computed_once

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
RULE = "pipeline-steps-network-isolated"


def _platform_definition() -> dict[str, Any]:
    settings = make_settings(enable_network_isolation=True, evidently=evidently_settings())
    return json.loads(build_definition(settings))


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    """The builder's definition, composed once per version of the code and of the fixtures
    (tests.recorded.computed_once): composing it imports the SageMaker SDK."""
    return computed_once("definition", _platform_definition)


def _pipeline(definition: dict[str, Any]) -> dict[str, Any]:
    return {"pipelineName": "churn", "roleArn": "arn:aws:iam::123456789012:role/pipeline",
            "pipelineDefinition": json.dumps(definition)}  # fmt: skip


def _publisher_reads_the_reference(steps: dict[str, Any]) -> None:
    steps["PublishDriftMetrics"]["Arguments"]["ProcessingInputs"].append(
        {
            "InputName": "reference",
            "S3Input": {"S3Uri": REFERENCE, "LocalPath": "/opt/ml/processing/reference"},
        }
    )


def _publisher_reads_the_report(steps: dict[str, Any]) -> None:
    uri = {"Get": "Steps.EvidentlyReport.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri"}
    steps["PublishDriftMetrics"]["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = uri


def _publisher_as_the_data_role(steps: dict[str, Any]) -> None:
    steps["PublishDriftMetrics"]["Arguments"]["RoleArn"] = ROLE


def _report_not_isolated(steps: dict[str, Any]) -> None:
    steps["EvidentlyReport"]["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] = False


def _publisher_outside_the_vpc(steps: dict[str, Any]) -> None:
    del steps["PublishDriftMetrics"]["Arguments"]["NetworkConfig"]["VpcConfig"]


def test_the_platforms_evidently_steps_pass(check_resource, outcome, definition) -> None:
    outcome(check_resource(RULE, PIPELINE, _pipeline(definition)), RULE, None)


@pytest.mark.parametrize(
    ("break_it", "step", "fragment"),
    [
        pytest.param(_publisher_reads_the_reference, "PublishDriftMetrics", "inputs other than its .py script",
                     id="publisher-given-the-reference"),
        pytest.param(_publisher_reads_the_report, "PublishDriftMetrics", "inputs other than its .py script",
                     id="publisher-given-the-report-output"),
        pytest.param(_publisher_as_the_data_role, "PublishDriftMetrics", "runs as the role of another job",
                     id="publisher-as-the-data-role"),
        pytest.param(_report_not_isolated, "EvidentlyReport", "inputs other than its .py script",
                     id="report-reaching-the-network"),
        pytest.param(_publisher_outside_the_vpc, "PublishDriftMetrics", "VpcConfig.Subnets is not a literal",
                     id="publisher-outside-the-vpc"),
    ],
)  # fmt: skip
def test_a_near_miss_is_rejected(
    check_resource, outcome, definition, break_it: Callable[[dict[str, Any]], None], step: str, fragment: str
) -> None:
    broken = json.loads(json.dumps(definition))
    break_it(steps_by_name(broken))
    violations = check_resource(RULE, PIPELINE, _pipeline(broken))
    outcome(violations, RULE, fragment)
    assert any(step in v.message for v in violations), [v.message for v in violations]


def _batch_definition(graph_getter) -> dict[str, Any]:
    [pipeline] = [p for p in graph_getter.of_type(PIPELINE) if p.name.startswith("batch-")]
    return json.loads(pipeline.inputs["pipelineDefinition"])


def test_the_batch_pipelines_evidently_steps_pass(check_resource, outcome, stack_graphs) -> None:
    """A Transform step carries no role of its own (its model's): it does not make the publisher's
    role undecidable."""
    outcome(check_resource(RULE, PIPELINE, _pipeline(_batch_definition(stack_graphs["prod"]))), RULE, None)


def test_a_batch_publisher_as_the_reports_role_is_rejected(check_resource, outcome, stack_graphs) -> None:
    definition = _batch_definition(stack_graphs["prod"])
    steps = steps_by_name(definition)
    steps["PublishDriftMetrics"]["Arguments"]["RoleArn"] = steps["EvidentlyReport"]["Arguments"]["RoleArn"]
    outcome(check_resource(RULE, PIPELINE, _pipeline(definition)), RULE, "runs as the role of another job")


def test_a_model_steps_execution_role_counts_as_another_jobs_role(
    check_resource, outcome, definition
) -> None:
    broken = json.loads(json.dumps(definition))
    publisher = steps_by_name(broken)["PublishDriftMetrics"]["Arguments"]["RoleArn"]
    broken["Steps"].append(
        {
            "Name": "CreateScoringModel",
            "Type": "Model",
            "Arguments": {
                "ExecutionRoleArn": publisher,
                "PrimaryContainer": {"Image": "image"},
                "EnableNetworkIsolation": True,
                "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
            },
        }
    )
    outcome(check_resource(RULE, PIPELINE, _pipeline(broken)), RULE, "runs as the role of another job")
