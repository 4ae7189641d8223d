"""What batch scoring's arguments mean, beyond the prod fixture stack's one shape of batch scoring.

A mutation audit of ``components/serving/batch_scoring.py``, ``batch_definition.py`` and
``batch_scoring_spec.py`` (one change at a time) found changes every batch-scoring test let through,
because the fixture family uses the spec's defaults (CSV in and out, Line split and assembly,
MultiRecord, UTC) or happens to give two settings one value. These tests record two BatchScoring
components whose settings differ from the defaults and from each other, and assert what each
setting must reach: the Transform request, the Evidently jobs, the schedule and the roles
(tests/components/test_batch_scoring.py covers the fixture stack's family).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from components.serving.batch_scoring import BatchEvidently, BatchScoring, BatchScoringArgs
from components.serving.batch_scoring_spec import BatchScoringSpec
from components.training.evidently import EvidentlySpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.graph_helpers import as_list, policy_of, registered_outputs, statements, within
from tests.recorded import computed_once

MODEL = "aws:sagemaker/model:Model"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
SCHEDULE = "aws:scheduler/schedule:Schedule"
ROLE = "aws:iam/role:Role"
ACCOUNT = "123456789012"
REGION = "eu-central-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/batch"
DATASETS, ARTIFACTS = "team-datasets", "team-artifacts"
SUBNETS = ["subnet-a", "subnet-b", "subnet-c"]
GROUPS = ["sg-workload"]
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/evidently:0.7.23-2"
PUBLISHER = f"arn:aws:iam::{ACCOUNT}:role/publish-drift"
ROLE_PATH = "/mlops-platform/batch-test/"
TAGS = {"owner": "team-b"}
PACKAGE = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/4"

# Every setting off its default, and no two of them alike (content type vs accept, Line vs None).
SPEC = BatchScoringSpec.model_validate(
    {
        "schedule": "cron(30 4 ? * MON-FRI *)",
        "schedule_timezone": "Europe/Berlin",
        "instance_type": "ml.c5.2xlarge",
        "instance_count": 3,
        # CSV, which the Evidently report reads, and not the default's spelling.
        "content_type": "text/csv; charset=utf-8",
        "accept": "application/json",
        "split_type": "RecordIO",
        "batch_strategy": "SingleRecord",
        "assemble_with": "None",
        "max_payload_mb": 20,
        "max_concurrent_transforms": 5,
    }
)
EVIDENTLY = EvidentlySpec.model_validate(
    {
        "image_tag": "0.7.23-2",
        "reports": ["data_quality"],
        "drift_share": 0.25,
        "reference_prefix": "reference/churn-v2/",
        "instance_type": "ml.m5.2xlarge",
        "max_runtime_seconds": 1800,
    }
)
# Longer than the 40 characters the job names start with.
PIPELINE_NAME = "team-b-customer-churn-nightly-batch-scoring"


def _args(**changes: Any) -> BatchScoringArgs:
    return BatchScoringArgs(
        **{
            "spec": SPEC,
            "family": "churn",
            "pipeline_name": PIPELINE_NAME,
            "model_package_arn": PACKAGE,
            "account_id": ACCOUNT,
            "region": REGION,
            "datasets_bucket_name": DATASETS,
            "datasets_bucket_arn": f"arn:aws:s3:::{DATASETS}",
            "artifact_bucket_name": ARTIFACTS,
            "artifact_bucket_arn": f"arn:aws:s3:::{ARTIFACTS}",
            "kms_key_arn": KEY_ARN,
            "subnet_ids": SUBNETS,
            "security_group_ids": GROUPS,
            "image_registry_accounts": [ACCOUNT],
            "role_path": ROLE_PATH,
            "tags": TAGS,
            "evidently": BatchEvidently(spec=EVIDENTLY, image_uri=IMAGE, publisher_role_arn=PUBLISHER),
            **changes,
        }
    )


def _program() -> None:
    scored = BatchScoring("bs", _args())
    # The defaults, monitoring on, no Evidently: what the fixture's family has, under another name.
    BatchScoring(
        "plain",
        _args(
            spec=BatchScoringSpec.model_validate({"schedule": "rate(12 hours)"}),
            family="fraud",
            pipeline_name="fraud-batch",
            data_capture=True,
            evidently=None,
        ),
    )
    pulumi.export("pipeline_arn", scored.pipeline_arn)
    pulumi.export("model_name", scored.model_name)
    pulumi.export("schedule_arn", scored.schedule_arn)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    """Recorded once per version of the code (tests.recorded.computed_once)."""
    return computed_once("graph", lambda: record_program(_program, config={}))


def _one(graph: ResourceGraph, component: str, type_token: str) -> RecordedResource:
    [resource] = within(graph, component, type_token)
    return resource


def _steps(graph: ResourceGraph, component: str = "bs") -> dict[str, dict[str, Any]]:
    definition = json.loads(_one(graph, component, PIPELINE).inputs["pipelineDefinition"])
    return {step["Name"]: step for step in definition["Steps"]}


def _permissions(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    return statements(policy_of(graph.named(f"{role}-permissions")))


def _actions_on(found: list[dict[str, Any]], resource: str) -> set[str]:
    return {a for s in found if resource in as_list(s["Resource"]) for a in as_list(s["Action"])}


# --- The Transform request --------------------------------------------------------------------------


def test_the_transform_request_carries_every_setting_of_the_spec(graph: ResourceGraph) -> None:
    step = _steps(graph)["BatchTransform"]
    assert step["Type"] == "Transform"
    arguments = step["Arguments"]
    assert arguments["TransformInput"] == {
        "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{DATASETS}/batch-input/churn/"}
        },
        "ContentType": "text/csv; charset=utf-8",
        "SplitType": "RecordIO",
    }
    assert arguments["TransformOutput"] == {
        "S3OutputPath": {
            "Std:Join": {
                "On": "",
                "Values": [
                    f"s3://{DATASETS}/batch-output/churn/",
                    {"Get": "Execution.PipelineExecutionId"},
                    "/",
                ],
            }
        },
        "Accept": "application/json",
        "AssembleWith": "None",
        "KmsKeyId": KEY_ARN,
    }
    # ml.c5.2xlarge has no instance store: SageMaker takes (and needs) the volume key.
    assert arguments["TransformResources"] == {
        "InstanceType": "ml.c5.2xlarge",
        "InstanceCount": 3,
        "VolumeKmsKeyId": KEY_ARN,
    }
    assert (
        arguments["BatchStrategy"],
        arguments["MaxPayloadInMB"],
        arguments["MaxConcurrentTransforms"],
    ) == (
        "SingleRecord",
        20,
        5,
    )
    assert arguments["ModelName"] == _one(graph, "bs", MODEL).outputs["name"]
    # Monitoring off for this one: no capture.
    assert "DataCaptureConfig" not in arguments


def test_the_default_spec_batches_csv_lines_and_captures_when_monitoring_is_on(graph: ResourceGraph) -> None:
    """The spec's documented defaults: CSV in and out, Line split and assembly, MultiRecord of
    6 MB, one request at a time, one ml.m5.xlarge, read in UTC."""
    arguments = _steps(graph, "plain")["BatchTransform"]["Arguments"]
    assert set(_steps(graph, "plain")) == {"BatchTransform"}
    assert (arguments["TransformInput"]["ContentType"], arguments["TransformInput"]["SplitType"]) == (
        "text/csv",
        "Line",
    )
    assert (arguments["TransformOutput"]["Accept"], arguments["TransformOutput"]["AssembleWith"]) == (
        "text/csv",
        "Line",
    )
    assert arguments["TransformResources"] == {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 1,
        "VolumeKmsKeyId": KEY_ARN,
    }
    assert (
        arguments["BatchStrategy"],
        arguments["MaxPayloadInMB"],
        arguments["MaxConcurrentTransforms"],
    ) == (
        "MultiRecord",
        6,
        1,
    )
    assert (
        arguments["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        == f"s3://{DATASETS}/batch-input/fraud/"
    )
    # CreateTransformJob's DataCaptureConfig: encrypted with the data key, each record given an id
    # the capture and the output share (what batch-transform monitoring joins on).
    assert arguments["DataCaptureConfig"] == {
        "DestinationS3Uri": f"s3://{ARTIFACTS}/data-capture/batch/fraud/",
        "KmsKeyId": KEY_ARN,
        "GenerateInferenceId": True,
    }
    assert _one(graph, "plain", SCHEDULE).inputs["scheduleExpressionTimezone"] == "UTC"


def test_no_step_carries_tags_of_the_directory_it_was_built_in(graph: ResourceGraph) -> None:
    """The pipeline's tags are the component's (on the Pipeline resource); tags the SDK finds in
    the working directory would make the definition differ from checkout to checkout."""
    for step in _steps(graph).values():
        assert "Tags" not in step["Arguments"], step["Name"]


# --- The Evidently report of the batch input -----------------------------------------------------------


def test_the_report_job_has_the_familys_evidently_settings(graph: ResourceGraph) -> None:
    steps = _steps(graph)
    assert set(steps) == {"BatchTransform", "EvidentlyReport", "PublishDriftMetrics"}
    # Beside the transform, not before it: drift never holds up (or fails) the scoring.
    assert "DependsOn" not in steps["BatchTransform"]
    assert "DependsOn" not in steps["EvidentlyReport"]
    report = steps["EvidentlyReport"]["Arguments"]
    arguments = report["AppSpecification"]["ContainerArguments"]
    assert arguments[arguments.index("--reports") + 1] == "data_quality"
    assert arguments[arguments.index("--drift-share") + 1] == "0.25"
    assert report["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.2xlarge"
    assert report["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    assert report["AppSpecification"]["ImageUri"] == IMAGE
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in report["ProcessingInputs"]}
    assert inputs["reference"] == f"s3://{DATASETS}/reference/churn-v2/"
    assert inputs["current"] == f"s3://{DATASETS}/batch-input/churn/"
    assert inputs["code"].endswith("/evidently_report.py")
    model = _one(graph, "bs", MODEL)
    assert report["RoleArn"] == model.inputs["executionRoleArn"]
    # The model's network: isolated, in the private subnets, behind the workload group.
    assert report["NetworkConfig"] == {
        "EnableNetworkIsolation": True,
        "VpcConfig": {"Subnets": SUBNETS, "SecurityGroupIds": GROUPS},
        "EnableInterContainerTrafficEncryption": True,
    }


def test_the_drift_metrics_are_published_for_this_family_and_pipeline_kind(graph: ResourceGraph) -> None:
    publish = _steps(graph)["PublishDriftMetrics"]["Arguments"]
    assert publish["RoleArn"] == PUBLISHER
    arguments = publish["AppSpecification"]["ContainerArguments"]
    dimensions = [arguments[i + 1] for i, a in enumerate(arguments) if a == "--dimension"]
    assert dimensions == ["Family=churn", "Pipeline=batch-scoring"]
    assert arguments[arguments.index("--region") + 1] == REGION
    assert publish["AppSpecification"]["ImageUri"] == IMAGE
    code = {i["InputName"]: i["S3Input"]["S3Uri"] for i in publish["ProcessingInputs"]}["code"]
    assert code.endswith("/publish_drift_metrics.py")


# --- The schedule ------------------------------------------------------------------------------------


def test_the_schedule_runs_in_the_specs_time_zone_enabled_and_on_time(graph: ResourceGraph) -> None:
    schedule = _one(graph, "bs", SCHEDULE)
    assert schedule.inputs["scheduleExpression"] == "cron(30 4 ? * MON-FRI *)"
    assert schedule.inputs["scheduleExpressionTimezone"] == "Europe/Berlin"
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    # Scheduler's default state is ENABLED: a schedule created disabled never starts a run.
    assert schedule.inputs.get("state", "ENABLED") == "ENABLED"
    assert "churn" in schedule.inputs["description"]


def test_the_scheduler_role_is_schedulers_in_the_roles_path_tagged(graph: ResourceGraph) -> None:
    [role] = [r for r in within(graph, "bs", ROLE) if r.name == "bs-scheduler-role"]
    assert statements(policy_of(role, "assumeRolePolicy")) == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    assert role.inputs["path"] == ROLE_PATH
    assert role.inputs["tags"] == TAGS
    pipeline = _one(graph, "bs", PIPELINE)
    assert _permissions(graph, "bs-scheduler") == [
        {"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "Resource": pipeline.outputs["arn"]}
    ]


# --- Resources' names, tags and parents; the component's outputs ---------------------------------------


def test_the_model_and_pipeline_are_named_and_tagged_for_the_family(graph: ResourceGraph) -> None:
    model, pipeline = _one(graph, "bs", MODEL), _one(graph, "bs", PIPELINE)
    assert model.inputs["tags"] == pipeline.inputs["tags"] == {**TAGS, "mlops:model-family": "churn"}
    assert pipeline.inputs["pipelineName"] == pipeline.inputs["pipelineDisplayName"] == PIPELINE_NAME
    assert "churn" in pipeline.inputs["pipelineDescription"]
    assert model.inputs["vpcConfig"] == {"subnets": SUBNETS, "securityGroupIds": GROUPS}
    assert model.inputs["primaryContainer"] == {"modelPackageName": PACKAGE}


def test_every_resource_is_under_its_component(graph: ResourceGraph) -> None:
    """Parented children: a preview groups them, and a stack's `pulumi destroy` of the component
    (or an alias) reaches them all."""
    for component in ("bs", "plain"):
        urn = graph.named(component).urn
        for type_token in (MODEL, PIPELINE, SCHEDULE):
            assert _one(graph, component, type_token).parent == urn, (component, type_token)
        roles = [r for r in graph.components if r.type == "mlops:foundation:ExecutionRole"]
        assert sorted(r.name for r in roles if r.parent == urn) == [
            f"{component}-model",
            f"{component}-pipeline",
            f"{component}-scheduler",
        ], component


def test_the_outputs_are_the_pipeline_the_model_and_the_schedule(graph: ResourceGraph) -> None:
    assert graph.exports["pipeline_arn"] == _one(graph, "bs", PIPELINE).outputs["arn"]
    assert graph.exports["model_name"] == _one(graph, "bs", MODEL).outputs["name"]
    assert graph.exports["schedule_arn"] == _one(graph, "bs", SCHEDULE).outputs["arn"]


def test_the_component_registers_the_outputs_it_exposes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered outputs are what `pulumi stack` shows of the component and what a
    ComponentResource's consumers across languages read."""
    registered = registered_outputs(monkeypatch, BatchScoring)
    record_program(lambda: BatchScoring("bs", _args(evidently=None)))
    assert set(registered["bs"]) == {"pipeline_arn", "model_name", "schedule_arn"}


# --- The roles ---------------------------------------------------------------------------------------


def test_the_model_role_can_run_the_container_in_the_vpc_and_log(graph: ResourceGraph) -> None:
    """A transform job's containers start only with ENI rights in the subnets, ECR pulls of the
    image, the data key for the input and results, and CloudWatch Logs; one short and every run fails."""
    found = _permissions(graph, "bs-model")
    granted = {a for s in found for a in as_list(s["Action"])}
    assert {
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "logs:PutLogEvents",
        "kms:Decrypt",
        "kms:GenerateDataKey*",
    } <= granted, granted
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= _actions_on(found, KEY_ARN)


def test_the_model_role_writes_the_report_only_under_the_evidently_step(graph: ResourceGraph) -> None:
    found = _permissions(graph, "bs-model")
    prefix = f"arn:aws:s3:::{ARTIFACTS}/pipelines/{PIPELINE_NAME}/"
    writes = {
        r
        for s in found
        if "s3:PutObject" in as_list(s["Action"])
        for r in as_list(s["Resource"])
        if r.startswith(prefix)
    }
    assert writes == {f"{prefix}*/EvidentlyReport/*"}
    assert {"s3:GetObject"} <= _actions_on(found, f"{prefix}code/*")
    assert {"s3:GetObject"} <= _actions_on(found, f"arn:aws:s3:::{DATASETS}/reference/churn-v2/*")


def test_the_pipeline_role_can_stop_the_jobs_it_starts(graph: ResourceGraph) -> None:
    """StopPipelineExecution stops the running step's job as the pipeline's role."""
    found = _permissions(graph, "bs-pipeline")
    jobs = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    assert "sagemaker:StopTransformJob" in _actions_on(found, f"{jobs}:transform-job/*")
    assert "sagemaker:StopProcessingJob" in _actions_on(found, f"{jobs}:processing-job/*")


# --- The spec's limits (CreateTransformJob's) ------------------------------------------------------

SPEC_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    # MaxPayloadInMB 0 is HTTP chunked encoding: one record per request, so SingleRecord only.
    ("chunked-single-record", {"max_payload_mb": 0, "batch_strategy": "SingleRecord"}, None),
    ("unsplit-single-record", {"split_type": "None", "batch_strategy": "SingleRecord"}, None),
    ("tfrecord-split", {"split_type": "TFRecord"}, None),
    ("100-mb-one-at-a-time", {"max_payload_mb": 100}, None),
    ("no-concurrency", {"max_concurrent_transforms": 0}, "greater than or equal to 1"),
    ("empty-content-type", {"content_type": ""}, "at least 1 character"),
    ("empty-accept", {"accept": ""}, "at least 1 character"),
    ("pin-without-a-version-number", {"model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/latest"}, "its version 'latest' is not a version number"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "problem"), SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_the_spec_holds_create_transform_jobs_limits(
    case: str, changes: dict[str, Any], problem: str | None
) -> None:
    raw = {"schedule": "cron(0 2 * * ? *)", **changes}
    if problem is None:
        spec = BatchScoringSpec.model_validate(raw)
        assert {key: getattr(spec, key) for key in changes} == changes
    else:
        with pytest.raises(ValidationError, match=problem):
            BatchScoringSpec.model_validate(raw)


def test_evidently_over_batch_input_that_is_not_csv_is_refused_when_the_args_are_built() -> None:
    json_lines = SPEC.model_copy(update={"content_type": "application/jsonlines"})
    with pytest.raises(
        ValueError, match=r"^BatchScoringArgs\.spec\.content_type: 'application/jsonlines': .*CSV"
    ):
        _args(spec=json_lines)
    # Without the report, any input the model reads.
    assert _args(spec=json_lines, evidently=None).spec.content_type == "application/jsonlines"


@pytest.mark.parametrize(
    "name", ["nightly_scoring", "x" * 257, "-nightly"], ids=["underscore", "257", "leading-hyphen"]
)
def test_args_refuse_a_pipeline_name_sagemaker_refuses(name: str) -> None:
    """CreatePipeline's PipelineName: letters or digits separated by hyphens, at most 256 (botocore
    ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}``); it planned and failed at pulumi up."""
    with pytest.raises(ValueError, match=r"^BatchScoringArgs\.pipeline_name: "):
        _args(pipeline_name=name)
    _args(pipeline_name="x" * 256)
