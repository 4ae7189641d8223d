"""Batch scoring: a network-isolated model in the VPC, a pipeline with one KMS-encrypted Transform
step that the SageMaker API accepts, and a Scheduler schedule whose role may start only that pipeline."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.recorder import ResourceGraph
from stacks.config import ConfigError
from tests.api_models import pipeline_step_errors
from tests.conftest import stack_path
from tests.graph_helpers import policy_of, statements, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import batch_scoring_cut

COMPONENT = "batch-customer-churn"
MODEL = "aws:sagemaker/model:Model"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
SCHEDULE = "aws:scheduler/schedule:Schedule"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _one(graph: ResourceGraph, type_token: str) -> Any:
    [resource] = within(graph, COMPONENT, type_token)
    return resource


def _transform_step(graph: ResourceGraph) -> dict[str, Any]:
    definition = json.loads(_one(graph, PIPELINE).inputs["pipelineDefinition"])
    [step] = [s for s in definition["Steps"] if s["Type"] == "Transform"]
    assert step["Name"] == "BatchTransform"
    # Beside it only the Evidently report of the input, where the family has `evidently` (the prod
    # fixture: tests/components/test_evidently_wiring.py).
    others = {s["Name"] for s in definition["Steps"] if s is not step}
    assert others in (set(), {"EvidentlyReport", "PublishDriftMetrics"})
    assert definition["Parameters"] == []
    return step["Arguments"]


def _role_statements(graph: ResourceGraph, role_name: str) -> list[dict[str, Any]]:
    [permissions] = [r for r in within(graph, COMPONENT, ROLE_POLICY) if r.name == f"{role_name}-permissions"]
    return statements(policy_of(permissions))


def test_the_model_is_the_resolved_version_network_isolated_in_the_private_subnets(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    model = _one(graph, MODEL)
    endpoint_model = graph.named("endpoint-customer-churn-primary-model")

    assert model.inputs["enableNetworkIsolation"] is True
    assert model.inputs["vpcConfig"] == endpoint_model.inputs["vpcConfig"]
    assert len(model.inputs["vpcConfig"]["subnets"]) == 3
    # The offline plan's stand-in for the family's latest approved version, as the endpoint's.
    assert (
        model.inputs["primaryContainer"]["modelPackageName"]
        == endpoint_model.inputs["primaryContainer"]["modelPackageName"]
        == "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/999999999"
    )


def test_the_transform_step_scores_the_input_prefix_into_encrypted_per_execution_output(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    arguments = _transform_step(graph)
    key = graph.named("kms-data-key").outputs["arn"]
    datasets = graph.named("datasets-bucket").outputs["bucket"]
    artifacts = graph.named("artifacts-bucket").outputs["bucket"]

    assert arguments["ModelName"] == _one(graph, MODEL).outputs["name"]
    assert arguments["TransformInput"] == {
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": f"s3://{datasets}/batch-input/customer-churn/",
            }
        },
        "ContentType": "text/csv",
        "SplitType": "Line",
    }
    assert arguments["TransformOutput"] == {
        "S3OutputPath": {
            "Std:Join": {
                "On": "",
                "Values": [
                    f"s3://{datasets}/batch-output/customer-churn/",
                    {"Get": "Execution.PipelineExecutionId"},
                    "/",
                ],
            }
        },
        "Accept": "text/csv",
        "AssembleWith": "Line",
        "KmsKeyId": key,
    }
    assert arguments["TransformResources"] == {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 2,
        "VolumeKmsKeyId": key,
    }
    assert (
        arguments["BatchStrategy"],
        arguments["MaxPayloadInMB"],
        arguments["MaxConcurrentTransforms"],
    ) == (
        "MultiRecord",
        6,
        4,
    )
    # Monitoring is on in the prod fixture: the job captures its inputs and outputs.
    assert arguments["DataCaptureConfig"] == {
        "DestinationS3Uri": f"s3://{artifacts}/data-capture/batch/customer-churn/",
        "KmsKeyId": key,
        "GenerateInferenceId": True,
    }


def test_the_transform_request_validates_against_the_sagemaker_api_model(stack_graphs) -> None:
    arguments = _transform_step(stack_graphs["prod"])
    output = arguments["TransformOutput"]
    # What the pipeline supplies (the job name) and resolves at execution time (the output path).
    request = {
        **arguments,
        "TransformJobName": "pipelines-placeholder",
        "TransformOutput": {**output, "S3OutputPath": "s3://placeholder/batch-output/execution/"},
    }
    assert pipeline_step_errors("CreateTransformJob", request) == []


def test_the_schedule_starts_the_pipeline_through_a_role_allowed_only_that(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    schedule, pipeline = _one(graph, SCHEDULE), _one(graph, PIPELINE)
    [starter] = [r for r in within(graph, COMPONENT, ROLE) if r.name == f"{COMPONENT}-scheduler-role"]

    assert schedule.inputs["scheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule.inputs["scheduleExpressionTimezone"] == "UTC"
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    target = schedule.inputs["target"]
    assert target["arn"] == pipeline.outputs["arn"]
    assert target["roleArn"] == starter.outputs["arn"]
    assert target["sagemakerPipelineParameters"] == {"pipelineParameters": []}
    assert statements(policy_of(starter, "assumeRolePolicy"))[0]["Principal"] == {
        "Service": "scheduler.amazonaws.com"
    }
    assert _role_statements(graph, f"{COMPONENT}-scheduler") == [
        {"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "Resource": pipeline.outputs["arn"]}
    ]
    assert pipeline.inputs["pipelineName"] == "prod-customer-churn-batch-scoring"


def test_the_pipeline_role_runs_transform_jobs_and_the_evidently_jobs_and_nothing_else(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    pipeline = _one(graph, PIPELINE)
    [role] = [r for r in within(graph, COMPONENT, ROLE) if r.name == f"{COMPONENT}-pipeline-role"]
    found = _role_statements(graph, f"{COMPONENT}-pipeline")

    assert pipeline.inputs["roleArn"] == role.outputs["arn"]
    assert found[0] == {
        "Effect": "Allow",
        "Action": [
            "sagemaker:CreateTransformJob",
            "sagemaker:DescribeTransformJob",
            "sagemaker:StopTransformJob",
            "sagemaker:AddTags",
        ],
        "Resource": "arn:aws:sagemaker:eu-west-1:333333333333:transform-job/*",
    }
    # The prod fixture's family has `evidently`: its two processing jobs, and passing them their roles
    # (exactly which: tests/components/test_evidently_wiring.py); nothing else of SageMaker or IAM.
    assert found[1] == {
        "Effect": "Allow",
        "Action": [
            "sagemaker:CreateProcessingJob",
            "sagemaker:DescribeProcessingJob",
            "sagemaker:StopProcessingJob",
            "sagemaker:AddTags",
        ],
        "Resource": "arn:aws:sagemaker:eu-west-1:333333333333:processing-job/*",
    }
    assert found[2]["Action"] == "iam:PassRole"
    assert all(not str(s["Action"]).startswith(("sagemaker:", "iam:")) for s in found[3:])


def test_the_model_role_reads_only_the_family_input_and_writes_its_output_and_capture(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    text = json.dumps(_role_statements(graph, f"{COMPONENT}-model"))
    datasets = graph.named("datasets-bucket").outputs["arn"]
    artifacts = graph.named("artifacts-bucket").outputs["arn"]

    for prefix in ("batch-input/customer-churn/", "batch-output/customer-churn/"):
        assert f"{datasets}/{prefix}*" in text
    assert f"{artifacts}/data-capture/batch/customer-churn/*" in text
    assert f"{datasets}/training-data" not in text and f'"{datasets}/*"' not in text


def test_monitoring_off_means_no_capture(write_stack) -> None:
    # The whole prod fixture with monitoring off: byte-identical to the monitoring-off variant
    # tests/policies/test_policy_on_recorded_stacks.py records, so one recording serves both (a cut
    # here would be a second one).
    def edit(platform: dict[str, Any]) -> None:
        platform["monitoring"] = {"enabled": False}

    graph = recorded_stack(str(write_stack("prod", edit)))
    assert "DataCaptureConfig" not in _transform_step(graph)
    assert "data-capture" not in json.dumps(_role_statements(graph, f"{COMPONENT}-model"))


def test_a_family_with_nothing_approved_waits_and_a_pinned_version_does_not(write_stack) -> None:
    # The prod fixture itself (the recording tests/delivery's first-deploy tests read too).
    graph = recorded_stack(str(stack_path("prod")), registry="empty")
    assert not [r for r in graph if r.name.startswith(COMPONENT)]
    [warning] = [w for w in graph.warnings if "batch scoring of model family customer-churn" in w]
    assert "is deferred" in warning and "prod-customer-churn-batch-scoring" in warning

    pinned = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/7"

    def pin(platform: dict[str, Any]) -> None:
        batch_scoring_cut(platform)  # what batch scoring reads (no endpoint, trigger, trail...)
        platform["models"][0]["batch_scoring"]["model_package_arn"] = pinned

    graph = recorded_stack(str(write_stack("prod", pin, name="Pulumi.pinned.yaml")), registry="empty")
    assert _one(graph, MODEL).inputs["primaryContainer"]["modelPackageName"] == pinned


@pytest.mark.parametrize(
    ("settings", "key", "message"),
    [
        pytest.param(
            {"max_payload_mb": 30, "max_concurrent_transforms": 4},
            "max_concurrent_transforms",
            "120 MB; SageMaker allows at most 100 MB",
            id="payload-times-concurrency-over-100-mb",
        ),
        pytest.param(
            {"max_payload_mb": 101}, "max_payload_mb", "less than or equal to 100", id="payload-over-100"
        ),
        pytest.param(
            {"split_type": "None"}, "batch_strategy", "MultiRecord needs records", id="multirecord-unsplit"
        ),
        pytest.param(
            {"max_payload_mb": 0}, "max_payload_mb", "works only with SingleRecord", id="chunked-multirecord"
        ),
        pytest.param(
            {"instance_type": "ml.t3.medium"},
            "instance_type",
            "not an instance type SageMaker batch",
            id="instance",
        ),
        pytest.param({"schedule": "every night"}, "schedule", "not an EventBridge Scheduler", id="schedule"),
        pytest.param({"schedule_timezone": "Mars/Olympus"}, "schedule_timezone", "IANA", id="time-zone"),
        pytest.param(
            {"model_package_arn": "arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/x"},
            "model_package_arn",
            "is not a model package version ARN",
            id="pin-is-not-a-version",
        ),
        pytest.param(
            {
                "model_package_arn": "arn:aws:sagemaker:us-east-1:333333333333:model-package/prod-customer-churn/3"
            },
            "model_package_arn",
            "a version in region us-east-1; SageMaker creates the scoring model only from a version in "
            "the stack's region (eu-west-1)",
            id="pin-in-another-region",
        ),
        pytest.param(
            {
                "model_package_arn": "arn:aws-cn:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/3"
            },
            "model_package_arn",
            "an ARN of the aws-cn partition; the stack's regions are in the aws partition",
            id="pin-in-another-partition",
        ),
    ],
)
def test_invalid_batch_scoring_names_the_file_and_key(write_stack, settings, key, message) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["batch_scoring"].update(settings)

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as raised:
        recorded_stack(str(path))
    text = str(raised.value)
    dotted = f": mlops-platform:platform.models[0].batch_scoring.{key}: "
    line = next((line for line in text.splitlines() if dotted in line), None)
    assert line is not None, text
    assert line.strip().startswith(f"{path}: ") and message in line, line


def test_the_plan_costs_the_runs_the_schedule_starts(stack_graphs) -> None:
    from planner.cost import estimate_cost
    from planner.pricing import load_prices
    from planner.schedules import runs_per_month

    item = next(
        item
        for component in estimate_cost(stack_graphs["prod"]).by_component.values()
        for item in component.items
        if item.type == SCHEDULE
    )
    # Two instances at the hosting rate, a 15-minute run for the floor and an hour for the ceiling.
    hourly = 2 * load_prices("eu-west-1").get("sagemaker_hosting_per_hour", "ml.m5.xlarge")
    assert item.what == "batch transform on ml.m5.xlarge x 2, 30 runs/month"
    runs = runs_per_month("cron(0 2 * * ? *)")  # a day's run, 365/12 a month
    assert (item.monthly_min, item.monthly_max) == pytest.approx((runs * hourly / 4, runs * hourly), abs=0.01)


def test_a_failed_or_stopped_run_pages_like_a_training_run(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    [rule] = [
        r for r in graph.of_type("aws:cloudwatch/eventRule:EventRule") if "pipeline-executions" in r.name
    ]
    arns = json.loads(rule.inputs["eventPattern"])["detail"]["pipelineArn"]
    assert {"equals-ignore-case": _one(graph, PIPELINE).outputs["arn"]} in arns


def test_a_pinned_version_of_another_account_is_read_across_accounts(write_stack) -> None:
    pinned = "arn:aws:sagemaker:eu-west-1:444444444444:model-package/shared-churn/2"

    def pin(platform: dict[str, Any]) -> None:
        batch_scoring_cut(platform)  # what batch scoring reads (no endpoint, trigger, trail...)
        platform["models"][0]["batch_scoring"]["model_package_arn"] = pinned

    graph = recorded_stack(str(write_stack("prod", pin)))
    found = _role_statements(graph, f"{COMPONENT}-model")

    assert _one(graph, MODEL).inputs["primaryContainer"]["modelPackageName"] == pinned
    # The offline stand-in puts that account's artifacts in mlops-artifacts-of-<account>.
    assert {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": [
            "arn:aws:s3:::mlops-artifacts-of-444444444444/models/shared-churn-training/"
            "registered-with-version-2/output/model.tar.gz"
        ],
    } in found
    assert {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "arn:aws:kms:eu-west-1:444444444444:key/*",
        "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
    } in found


def test_moto_accepts_the_pipeline_and_starts_it_as_the_schedule_would(stack_graphs, monkeypatch) -> None:
    import boto3

    from tests.aws_sessions import mocked_aws

    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    pipeline = _one(stack_graphs["prod"], PIPELINE)
    with mocked_aws("eu-west-1"):
        sagemaker = boto3.client("sagemaker", region_name="eu-west-1")
        sagemaker.create_pipeline(
            PipelineName=pipeline.inputs["pipelineName"],
            PipelineDefinition=pipeline.inputs["pipelineDefinition"],
            RoleArn=pipeline.inputs["roleArn"],
        )
        # What the schedule's SageMakerPipelineParameters send: no parameter overrides.
        execution = sagemaker.start_pipeline_execution(
            PipelineName=pipeline.inputs["pipelineName"], PipelineParameters=[]
        )["PipelineExecutionArn"]
        described = sagemaker.describe_pipeline(PipelineName=pipeline.inputs["pipelineName"])

    assert described["PipelineDefinition"] == pipeline.inputs["pipelineDefinition"]
    # moto's account is its own; the pipeline name is the one the schedule's role may start.
    assert ":pipeline/prod-customer-churn-batch-scoring/execution/" in execution
