"""The recorded fixture stacks' inputs (every cloud resource: SageMaker, CloudWatch, EventBridge, SNS,
SQS, Pipes, Step Functions, ECR, Application Auto Scaling, CloudTrail, Athena, IAM, KMS, S3 and EC2
(VPC)...) as API requests, checked against botocore's service models.

Each resource's inputs become the requests the provider sends (tests/aws_requests.py), and each
request is checked for what the API enforces (tests/api_models.py): types, required members,
lengths, ranges, patterns and enums. Resolved outputs of other resources (names, ARNs from the
offline plan's mocks) are part of those requests, so the mocks' fakes must pass the patterns too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.api_models import _placeholder, java_pattern, pipeline_step_errors, request_errors, service_model
from tests.aws_requests import REQUESTS, UnmappedInput, requests

CHECKED_STACKS = ("dev", "staging", "prod")


def _checked(graph: ResourceGraph) -> list[RecordedResource]:
    """Every cloud resource: a type with no request table fails, none is exempt by its service."""
    return list(graph.cloud_resources)


def _unknown_paths(value: Any, path: str) -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _unknown_paths(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _unknown_paths(item, f"{path}[{index}]")]
    return []


def _problems(resource: RecordedResource) -> list[str]:
    problems = [f"{path}: unknown in the offline plan" for path in _unknown_paths(dict(resource.inputs), "")]
    for service, operation, params in requests(resource):
        # Nothing is exempt: even the offline registry's stand-in for the version `pulumi up`
        # resolves is a version ARN CreateModel takes (stacks/model_packages.py, OFFLINE_VERSION).
        problems += [f"{service} {error}" for error in request_errors(service, operation, params)]
    return problems


@pytest.mark.parametrize("stack", CHECKED_STACKS)
def test_every_checked_type_has_a_request_table(stack: str, stack_graphs: dict[str, ResourceGraph]) -> None:
    missing = {r.type for r in _checked(stack_graphs[stack])} - set(REQUESTS)
    assert not missing, f"add a table to tests/aws_requests.py for {sorted(missing)}"


@pytest.mark.parametrize("stack", CHECKED_STACKS)
def test_recorded_inputs_are_requests_the_apis_accept(
    stack: str, stack_graphs: dict[str, ResourceGraph]
) -> None:
    _assert_accepted(stack_graphs[stack])


def test_every_model_monitor_kind_is_a_request_the_api_accepts(all_monitors_graph: ResourceGraph) -> None:
    kinds = {
        r.type
        for r in _checked(all_monitors_graph)
        if r.type.startswith("aws-native:") and r.type.endswith("JobDefinition")
    }
    assert kinds == {
        f"aws-native:sagemaker:{kind}JobDefinition"
        for kind in ("ModelQuality", "ModelBias", "ModelExplainability")
    }, kinds
    _assert_accepted(all_monitors_graph)


def _assert_accepted(graph: ResourceGraph) -> None:
    found = {
        f"{resource.type} {resource.name}": problems
        for resource in _checked(graph)
        if (problems := _problems(resource))
    }
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(problems) for name, problems in found.items())


def test_the_stacks_exercise_every_service_checked(stack_graphs: dict[str, ResourceGraph]) -> None:
    types = {r.type for stack in CHECKED_STACKS for r in _checked(stack_graphs[stack])}
    for prefix in (
        "aws:sagemaker/",
        "aws:budgets/",
        "aws:costexplorer/",
        "aws:cloudwatch/",
        "aws:sns/",
        "aws:sqs/",
        "aws:pipes/",
        "aws:sfn/",
        "aws:ecr/",
        "aws:appautoscaling/",
        "aws:cloudtrail/",
        "aws:athena/",
        "aws:iam/",
        "aws:kms/",
        "aws:s3/",
        "aws:ec2/",
        "aws:vpc/",
    ):
        assert any(t.startswith(prefix) for t in types), prefix


# --- every check can fail ----------------------------------------------------------------------


def _request(graph: ResourceGraph, type_token: str, index: int = 0) -> tuple[str, str, dict[str, Any]]:
    return requests(graph.of_type(type_token)[index])[0]


def _set(params: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        params = params[int(part)] if isinstance(params, list) else params[part]
    if value is _DROP:
        del params[last]
    elif isinstance(params, list):
        params[int(last)] = value
    else:
        params[last] = value


_DROP = object()
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
PIPE = "aws:pipes/pipe:Pipe"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws:appautoscaling/policy:Policy"
TARGET = "aws:appautoscaling/target:Target"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"


@pytest.mark.parametrize(
    ("type_token", "path", "value", "reported"),
    [
        pytest.param(ENDPOINT, "EndpointName", "e" * 64, "more than the maximum 63", id="name-too-long"),
        pytest.param(ENDPOINT, "EndpointName", "prod_churn", "does not match the pattern", id="name-pattern"),
        pytest.param(ALARM, "ComparisonOperator", "Bigger", "is not one of", id="bad-enum"),
        pytest.param(
            ALARM,
            "AlarmActions",
            [f"arn:aws:sns:eu-west-1:333333333333:t{i}" for i in range(6)],
            "6 entries, more than the maximum 5",
            id="list-too-long",
        ),
        pytest.param(ALARM, "AlarmName", _DROP, "Missing required parameter", id="required-missing"),
        pytest.param(ALARM, "EvaluationPeriods", 0, "valid min value: 1", id="integer-below-min"),
        pytest.param(ALARM, "Period", 60.0, "Invalid type", id="float-for-an-integer"),
        pytest.param(
            PIPE,
            "SourceParameters.SqsQueueParameters.BatchSize",
            10001,
            "more than the maximum 10000",
            id="integer-above-max",
        ),
        pytest.param(
            PIPE,
            "RoleArn",
            "arn:aws:iam:eu-west-1:333333333333:role/pipe",
            "does not match the pattern",
            id="arn-not-in-the-service-format",
        ),
        pytest.param(
            ENDPOINT,
            "Tags",
            [{"Key": "team", "Value": "a;b"}],
            "does not match the pattern",
            id="tag-value-outside-p-classes",
        ),
        pytest.param(
            CONFIG,
            "AsyncInferenceConfig.OutputConfig.NotificationConfig.ErrorTopic",
            "arn:aws:sns:eu-west-1:333333333333:topic/errors",
            "does not match the pattern",
            id="sns-arn-of-the-old-mocks",
        ),
        pytest.param(QUEUE, "Attributes", {"MessageRetention": "60"}, "is not one of", id="map-key-enum"),
        pytest.param(
            POLICY,
            "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
            "Invocations",
            "is not one of",
            id="nested-enum",
        ),
        pytest.param(TARGET, "ResourceId", "x" * 1601, "more than the maximum 1600", id="string-too-long"),
        pytest.param(
            DATA_QUALITY,
            "DataQualityAppSpecification.Environment",
            {f"VAR_{index}": "1" for index in range(51)},
            "51 entries, more than the maximum 50",
            id="map-too-large",
        ),
        pytest.param(
            DATA_QUALITY,
            "DataQualityAppSpecification.Environment",
            {"1BAD": "x"},
            "does not match the pattern",
            id="map-key-pattern",
        ),
    ],
)
def test_a_request_the_api_would_refuse_is_reported(
    stack_graphs: dict[str, ResourceGraph], type_token: str, path: str, value: Any, reported: str
) -> None:
    stack = "dev" if type_token == CONFIG else "prod"  # dev's endpoint is the asynchronous one
    service, operation, params = _request(stack_graphs[stack], type_token)
    assert not request_errors(service, operation, params)
    _set(params, path, value)
    errors = request_errors(service, operation, params)
    assert any(reported in error for error in errors), errors


def test_tags_in_any_script_pass_and_others_do_not() -> None:
    pattern = java_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")
    assert pattern.fullmatch("Équipe données 42")
    assert not pattern.fullmatch("a;b")


def _processing_request(instance_type: object, volume: object = 30) -> dict[str, object]:
    return {
        "ProcessingJobName": "pipelines-placeholder",
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": instance_type, "VolumeSizeInGB": volume}
        },
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/job:1"},
        "RoleArn": "arn:aws:iam::123456789012:role/pipeline",
    }


def test_a_pipeline_step_is_checked_on_its_literals_and_typed_through_its_expressions() -> None:
    """botocore's client checks types and minimums only: a step's literal instance type outside the
    API's enum, or a volume over its maximum, is what CreateProcessingJob refuses when the step runs;
    a value an expression gives is known only then, and must only have the field's type."""
    assert pipeline_step_errors("CreateProcessingJob", _processing_request("ml.m5.xlarge")) == []
    [enum] = pipeline_step_errors("CreateProcessingJob", _processing_request("ml.m5.huge"))
    assert enum.startswith("CreateProcessingJob.ProcessingResources.ClusterConfig.InstanceType: 'ml.m5.huge'")
    [maximum] = pipeline_step_errors("CreateProcessingJob", _processing_request("ml.m5.xlarge", 16385))
    assert "VolumeSizeInGB: 16385, more than the maximum 16384" in maximum
    parameter = {"Get": "Parameters.ProcessingInstanceType"}
    assert pipeline_step_errors("CreateProcessingJob", _processing_request(parameter)) == []
    # An expression where a boolean goes, or a number with a minimum (a tuning step's whole limit: 120 s).
    request = {**_processing_request("ml.m5.xlarge"), "NetworkConfig": {"EnableNetworkIsolation": parameter}}
    assert pipeline_step_errors("CreateProcessingJob", request) == []
    stopping = {"StoppingCondition": {"MaxRuntimeInSeconds": {"Get": "Parameters.Limit"}}}
    assert (
        pipeline_step_errors("CreateProcessingJob", {**_processing_request("ml.m5.xlarge"), **stopping}) == []
    )
    tuning = service_model("sagemaker").operation_model("CreateHyperParameterTuningJob").input_shape
    limits = tuning.members["HyperParameterTuningJobConfig"].members["ResourceLimits"]
    assert _placeholder(limits.members["MaxRuntimeInSeconds"]) == 120
    [typed] = pipeline_step_errors("CreateProcessingJob", _processing_request("ml.m5.xlarge", "30"))
    assert "VolumeSizeInGB" in typed and "type" in typed


def test_a_quantified_boundary_is_the_boundary() -> None:
    # SageMaker's CustomerMetadataProperties keys: Java accepts a quantifier on "$", Python does not.
    key = java_pattern(r"([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,128}")
    assert key.fullmatch("platform_commit") and not key.fullmatch("a;b")
    assert java_pattern(r"a\${2}").fullmatch("a$$")  # an escaped "$" keeps its quantifier
    assert java_pattern(r"a\\${1,3}").fullmatch("a\\")  # an escaped backslash, then the boundary
    assert java_pattern(r"a${0,1}b").fullmatch("ab")  # a boundary that may be absent


def test_a_brace_after_a_caret_or_dollar_inside_a_class_is_no_quantified_boundary() -> None:
    negated = java_pattern(r"[^{12}]+")  # any character but "{", "1", "2" and "}"
    assert negated.fullmatch("abc") and not negated.fullmatch("a{") and not negated.fullmatch("1")
    dollar = java_pattern(r"[a${2}]+")  # "a", "$", "{", "2" or "}"
    assert dollar.fullmatch("a${2}") and not dollar.fullmatch("b")
    bracket = java_pattern(r"[]${2}]+")  # a "]" first in the class is one of its characters
    assert bracket.fullmatch("]$2}{") and not bracket.fullmatch("a")
    negated_bracket = java_pattern(r"[^]${2}]+")
    assert negated_bracket.fullmatch("ab") and not negated_bracket.fullmatch("a]")
    after = java_pattern(r"[^{1}]x${1}")  # a class, then a quantified boundary outside it
    assert after.fullmatch("bx") and not after.fullmatch("1x") and not after.fullmatch("bx$")


def test_java_surrogate_pairs_and_posix_classes_are_translated() -> None:
    text = java_pattern(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*")
    assert text.fullmatch("ok \U0001f600") and not text.fullmatch("\x01")
    printable = java_pattern(r"\p{Print}+")
    assert printable.fullmatch("a b~") and not printable.fullmatch("é")
    with pytest.raises(ValueError, match="no translation"):
        java_pattern(r"\p{IsGreek}")


@pytest.mark.parametrize(
    ("type_token", "unmapped"),
    [
        pytest.param(QUEUE, "messageRetentionDays", id="sqs"),
        pytest.param("aws:iam/role:Role", "inlinePolicies", id="iam"),
        pytest.param("aws:kms/key:Key", "isEnabled", id="kms"),
        pytest.param("aws:s3/bucket:Bucket", "acl", id="s3"),
        pytest.param("aws:ec2/vpcEndpoint:VpcEndpoint", "subnetConfigurations", id="ec2"),
        pytest.param("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "cidrIpv4Range", id="vpc"),
    ],
)
def test_an_input_no_table_maps_is_an_error(
    stack_graphs: dict[str, ResourceGraph], type_token: str, unmapped: str
) -> None:
    resources = stack_graphs["prod"].of_type(type_token)
    assert resources
    for resource in resources:
        requests(resource)  # every recorded input is mapped...
        renamed = dataclasses.replace(resource, inputs={**resource.inputs, unmapped: 1})
        with pytest.raises(UnmappedInput, match=unmapped):  # ...and one more is not
            requests(renamed)


# --- types the fixture stacks do not use ---------------------------------------------------------


def _scheduler_program() -> None:
    import pulumi_aws as aws

    group = aws.scheduler.ScheduleGroup("retraining", tags={"team": "ml"})
    role = aws.iam.Role("scheduler", assume_role_policy="{}", path="/mlops/")
    pipeline = aws.sagemaker.Pipeline(
        "churn", pipeline_name="Dev-Churn-Training", pipeline_display_name="churn", role_arn=role.arn
    )
    aws.scheduler.Schedule(
        "nightly",
        group_name=group.name,
        schedule_expression="cron(0 3 * * ? *)",
        schedule_expression_timezone="Europe/Dublin",
        flexible_time_window={"mode": "FLEXIBLE", "maximum_window_in_minutes": 30},
        target={
            "arn": pipeline.arn,
            "role_arn": role.arn,
            "sagemaker_pipeline_parameters": {"pipeline_parameters": [{"name": "Mode", "value": "full"}]},
            "retry_policy": {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
        },
    )
    bus = aws.cloudwatch.EventBus("ml-events")
    rule = aws.cloudwatch.EventRule("drift", event_bus_name=bus.name, event_pattern='{"source": ["mlops"]}')
    aws.cloudwatch.EventTarget(
        "drift", rule=rule.name, event_bus_name=bus.name, arn=pipeline.arn, role_arn=role.arn
    )
    topic = aws.sns.Topic("ordered", fifo_topic=True, content_based_deduplication=True)
    aws.sns.TopicSubscription(
        "ordered",
        topic=topic.arn,
        protocol="sqs",
        # pulumi-aws names it "<logical>-<hex>.fifo": a "." in the logical name fails Terraform's
        # CustomizeDiff at preview (test_autoname_classes_72).
        endpoint=aws.sqs.Queue("ordered-queue", fifo_queue=True).arn,
        raw_message_delivery=True,
    )


def test_scheduler_custom_buses_and_fifo_resources_are_requests_the_apis_accept() -> None:
    graph = record_program(_scheduler_program)
    checked = [r for r in graph.cloud_resources if r.type in REQUESTS]
    assert {r.type for r in checked} >= {
        "aws:scheduler/schedule:Schedule",
        "aws:scheduler/scheduleGroup:ScheduleGroup",
    }
    found = {r.name: problems for r in checked if (problems := _problems(r))}
    assert not found, found
