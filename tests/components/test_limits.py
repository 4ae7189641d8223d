"""Args reject values outside AWS's limits when they are built, naming the field: components are
also built without a stack file (from Python, or from another language through the package)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.foundation import EncryptionKeyArgs, ExecutionRoleArgs, NewVpc
from components.foundation.audit_trail import AuditTrailArgs
from components.foundation.image_repository import ImageRepositoryArgs
from components.foundation.secure_bucket import SecureBucketArgs
from components.limits import LOG_RETENTION_DAYS
from components.registry.approval_dispatch import ApprovalDispatchArgs
from components.training import NewDataSource
from components.training.retraining_gate import MAX_COOLDOWN_SECONDS, RetrainingGateArgs

KEY = {"purpose": "data", "account_id": "123456789012", "user_role_path": "/x/", "tags": {}}
ROLE = {
    "description": "d",
    "trusted_service": "sagemaker.amazonaws.com",
    "account_id": "123456789012",
    "path": "/x/",
    "statements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
    "tags": {},
}
VPC = {
    "cidr": "10.0.0.0/16",
    "availability_zones": ["eu-west-1a"],
    "flow_log_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
    "flow_log_group_name": "/x/flow-logs",
}
SOURCE = {"bucket_name": "b", "prefix": "p/", "queue_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k"}
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/k"
DISPATCH = {
    "repository": "org/repo",
    "approval_rules": {"churn": ("rule", "arn:aws:events:eu-west-1:123456789012:rule/r")},
    "token": "t",
    "connection_kms_key_arn": KMS_KEY,
    "queue_kms_key_arn": KMS_KEY,
    "account_id": "123456789012",
    "role_path": "/x/",
    "source_stack": "dev",
    "environment": "dev",
    "tags": {},
}
REPOSITORY = {"repository_name": "mlops/churn", "kms_key_arn": KMS_KEY, "tags": {}}
BUCKET = {"purpose": "data", "kms_key_arn": KMS_KEY, "access_log_bucket": "logs", "tags": {}}
TRAIL = {
    "trail_name": "mlops-audit",
    "region": "eu-west-1",
    "account_id": "123456789012",
    "user_role_path": "/x/",
    "access_log_bucket": "logs",
    "tags": {},
}
GATE = {
    "pipeline_name": "p",
    "pipeline_arn": "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p",
    "account_id": "123456789012",
    "region": "eu-west-1",
    "role_path": "/x/",
    "tags": {},
    "cooldown_seconds": 3600,
}

CASES: list[tuple[type, dict[str, Any], str, list[Any], list[Any]]] = [
    (EncryptionKeyArgs, KEY, "deletion_window_days", [7, 30], [6, 31, 0, True, "30"]),
    (EncryptionKeyArgs, KEY, "rotation_period_days", [90, 2560], [89, 2561, 365.0]),
    (ExecutionRoleArgs, ROLE, "max_session_duration_seconds", [3600, 43200], [3599, 43201]),
    (NewVpc, VPC, "flow_log_retention_days", [1, 30, 3653], [0, 2, 31, 5000]),
    (NewDataSource, SOURCE, "batching_window_seconds", [0, 300], [-1, 301]),
    # EventBridge targets' RetryPolicy; SQS MessageRetentionPeriod (the dead-letter queue).
    (ApprovalDispatchArgs, DISPATCH, "maximum_retry_attempts", [0, 185], [-1, 186, True]),
    (ApprovalDispatchArgs, DISPATCH, "maximum_event_age_seconds", [60, 86400], [59, 86401]),
    (ApprovalDispatchArgs, DISPATCH, "dead_letter_retention_seconds", [60, 1209600], [59, 1209601]),
    # The platform's own ranges: ECR's and S3's lifecycle rules take any positive number of days.
    (ImageRepositoryArgs, REPOSITORY, "untagged_expiry_days", [1, 3650], [0, 3651]),
    (SecureBucketArgs, BUCKET, "expiration_days", [1, 36500], [0, 36501]),
    (AuditTrailArgs, TRAIL, "log_retention_days", [1, 36500], [0, 36501]),
    (AuditTrailArgs, TRAIL, "abort_incomplete_multipart_upload_days", [1, 30], [0, 31]),
    (
        RetrainingGateArgs,
        GATE,
        "cooldown_seconds",
        [3600, MAX_COOLDOWN_SECONDS],
        [3599, MAX_COOLDOWN_SECONDS + 1],
    ),
]


@pytest.mark.parametrize(
    ("args", "base", "field", "good", "bad"), CASES, ids=lambda c: getattr(c, "__name__", None)
)
def test_limits_are_enforced_at_the_edges(
    args: type, base: dict[str, Any], field: str, good: list[Any], bad: list[Any]
) -> None:
    for value in good:
        assert getattr(args(**{**base, field: value}), field) == value
    for value in bad:
        with pytest.raises(ValueError, match=rf"^{args.__name__}\.{field}: "):
            args(**{**base, field: value})


def test_log_retention_is_cloudwatchs_list() -> None:
    assert LOG_RETENTION_DAYS[0] == 1 and LOG_RETENTION_DAYS[-1] == 3653
    assert 30 in LOG_RETENTION_DAYS and 31 not in LOG_RETENTION_DAYS
    assert list(LOG_RETENTION_DAYS) == sorted(set(LOG_RETENTION_DAYS))


def test_approval_settings_take_only_their_values() -> None:
    from components.registry import ModelRegistryArgs

    registry = {
        "families": [],
        "account_id": "123456789012",
        "region": "eu-west-1",
        "notification_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "tags": {},
    }
    assert ModelRegistryArgs(approval_mode="manual", **registry).approval_mode == "manual"
    with pytest.raises(
        ValueError, match=r"^ModelRegistryArgs\.approval_mode: 'Auto' is not one of auto, manual$"
    ):
        ModelRegistryArgs(approval_mode="Auto", **registry)


# -- physical names -------------------------------------------------------------------------------
BOTOCORE_NAME_SHAPES = {
    # type token: (service, operation, member) whose shape's "max" is the limit
    "aws:iam/role:Role": ("iam", "CreateRole", "RoleName"),
    "aws:ecr/repository:Repository": ("ecr", "CreateRepository", "repositoryName"),
    "aws:iam/rolePolicy:RolePolicy": ("iam", "PutRolePolicy", "PolicyName"),
    "aws:iam/policy:Policy": ("iam", "CreatePolicy", "PolicyName"),
    "aws:cloudwatch/eventRule:EventRule": ("events", "PutRule", "Name"),
    "aws:cloudwatch/eventConnection:EventConnection": ("events", "CreateConnection", "Name"),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": ("events", "CreateApiDestination", "Name"),
    "aws:pipes/pipe:Pipe": ("pipes", "CreatePipe", "Name"),
    "aws:sfn/stateMachine:StateMachine": ("stepfunctions", "CreateStateMachine", "name"),
    "aws:scheduler/schedule:Schedule": ("scheduler", "CreateSchedule", "Name"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("cloudwatch", "PutMetricAlarm", "AlarmName"),
    "aws:cloudwatch/logGroup:LogGroup": ("logs", "CreateLogGroup", "logGroupName"),
    "aws:kms/alias:Alias": ("kms", "CreateAlias", "AliasName"),
    "aws:appautoscaling/policy:Policy": ("application-autoscaling", "PutScalingPolicy", "PolicyName"),
    "aws:appautoscaling/scheduledAction:ScheduledAction": (
        "application-autoscaling",
        "PutScheduledAction",
        "ScheduledActionName",
    ),
    "aws:sagemaker/model:Model": ("sagemaker", "CreateModel", "ModelName"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (
        "sagemaker",
        "CreateEndpointConfig",
        "EndpointConfigName",
    ),
    "aws:sagemaker/endpoint:Endpoint": ("sagemaker", "CreateEndpoint", "EndpointName"),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": (
        "sagemaker",
        "CreateMonitoringSchedule",
        "MonitoringScheduleName",
    ),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": (
        "sagemaker",
        "CreateDataQualityJobDefinition",
        "JobDefinitionName",
    ),
    "aws-native:sagemaker:ModelQualityJobDefinition": (
        "sagemaker",
        "CreateModelQualityJobDefinition",
        "JobDefinitionName",
    ),
    "aws-native:sagemaker:ModelBiasJobDefinition": (
        "sagemaker",
        "CreateModelBiasJobDefinition",
        "JobDefinitionName",
    ),
    "aws-native:sagemaker:ModelExplainabilityJobDefinition": (
        "sagemaker",
        "CreateModelExplainabilityJobDefinition",
        "JobDefinitionName",
    ),
    "aws-native:sagemaker:InferenceComponent": (
        "sagemaker",
        "CreateInferenceComponent",
        "InferenceComponentName",
    ),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": (
        "sagemaker",
        "CreateModelPackageGroup",
        "ModelPackageGroupName",
    ),
    "aws:sagemaker/featureGroup:FeatureGroup": ("sagemaker", "CreateFeatureGroup", "FeatureGroupName"),
    "aws:sagemaker/pipeline:Pipeline": ("sagemaker", "CreatePipeline", "PipelineName"),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": (
        "sagemaker",
        "CreateMlflowTrackingServer",
        "TrackingServerName",
    ),
    "aws:budgets/budget:Budget": ("budgets", "CreateBudget", "Budget.BudgetName"),
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": (
        "ce",
        "CreateAnomalyMonitor",
        "AnomalyMonitor.MonitorName",
    ),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": (
        "ce",
        "CreateAnomalySubscription",
        "AnomalySubscription.SubscriptionName",
    ),
}
"""Where botocore's service models state each limit; the rest (SQS queues 80, SNS topics 256,
dashboards 255, security groups 255, buckets 63) have no maximum in the model: the services'
quota pages state them."""


def _botocore_max(service: str, operation: str, member: str) -> int:
    from tests.botocore_models import service_model

    model = service_model(service)
    shapes = model["shapes"]
    shape = shapes[model["operations"][operation]["input"]["shape"]]
    for part in member.split("."):  # a member of a nested structure: Budget.BudgetName
        shape = shapes[shape["members"][part]["shape"]]
    return shape["max"]


@pytest.mark.parametrize("type_token", sorted(BOTOCORE_NAME_SHAPES))
def test_name_limits_are_botocores(type_token: str) -> None:
    from components.limits import PHYSICAL_NAME_LIMITS

    assert PHYSICAL_NAME_LIMITS[type_token][1] == _botocore_max(*BOTOCORE_NAME_SHAPES[type_token])


def test_every_name_limit_has_a_source() -> None:
    from components.limits import PHYSICAL_NAME_LIMITS

    documented = {
        "aws:sqs/queue:Queue": 80,
        "aws:sns/topic:Topic": 256,
        "aws:cloudwatch/dashboard:Dashboard": 255,
        "aws:ec2/securityGroup:SecurityGroup": 255,
        "aws:s3/bucket:Bucket": 63,
        # CloudTrail User Guide, "Naming requirements": 3-128 characters (the model sets no maximum).
        "aws:cloudtrail/trail:Trail": 128,
        # botocore's WorkGroupName has no "max", only the pattern [a-zA-Z0-9._-]{1,128}.
        "aws:athena/workgroup:Workgroup": 128,
    }
    assert set(PHYSICAL_NAME_LIMITS) == set(BOTOCORE_NAME_SHAPES) | set(documented)
    assert all(PHYSICAL_NAME_LIMITS[token][1] == limit for token, limit in documented.items())


def test_fit_keeps_a_name_that_fits_and_hashes_one_that_does_not() -> None:
    from components.naming import AUTONAME_SUFFIX, child_name, fit

    assert fit("a" * 63, 63) == "a" * 63
    long = fit("a" * 64, 63)
    assert len(long) == 63 and long.startswith("a" * 54 + "-") and long == fit("a" * 64, 63)
    assert fit("a" * 64, 63) != fit("a" * 63 + "b", 63), "distinct names stay distinct"
    # Cut where a separator ends the kept start: no '--' before the hash (SageMaker names allow
    # repeated hyphens, but '_-' or '.-' would break names of other services' patterns).
    for separator in "-_.":
        cut = fit("a" * 30 + separator + "b" * 20, 40)
        assert re.fullmatch(r"a{30}-[0-9a-f]{8}", cut), cut
    role = "monitoring-" + "e" * 60 + "-jobs-role"
    assert len(child_name(role, "aws:iam/role:Role")) + AUTONAME_SUFFIX == 64
    assert child_name("training-role-role", "aws:iam/role:Role") == "training-role-role"


def test_a_child_name_fits_pulumi_aws_s_auto_name_limit_where_it_is_stricter_than_aws() -> None:
    """SNS takes 256 characters, but pulumi-aws auto-names a topic within 80 and fails the preview
    beyond (provider/resource_overrides.go): 72 before '-<7 hex>'. Where AWS is stricter (an IAM
    policy's 128 against pulumi-aws's default 255), AWS's limit stands."""
    from components.naming import AUTONAME_SUFFIX, child_name

    topic = child_name("endpoint-" + "e" * 200 + "-async-success", "aws:sns/topic:Topic")
    assert len(topic) == 80 - AUTONAME_SUFFIX
    assert child_name("e" * 72, "aws:sns/topic:Topic") == "e" * 72
    assert child_name("e" * 73, "aws:sns/topic:Topic") != "e" * 73
    assert len(child_name("p" * 300, "aws:iam/policy:Policy")) == 128 - AUTONAME_SUFFIX


# -- schedules, time zones, addresses -------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("cron(0 7 ? * MON-FRI *)", None),
        ("cron(0/15 * * * ? *)", None),
        ("cron(0 8 L * ? *)", None),
        ("cron(0 8 15W * ? *)", None),
        ("cron(0 8 ? * 3#2 *)", None),
        ("cron(0 8 ? * FRI-MON *)", None),
        ("cron(0 8 ? * sun *)", None),
        ("cron(0 8 ? * \u017fun *)", "day-of-week '\u017fun': use ASCII"),  # long s: upper() is "SUN"
        ("cron(0 8 ? \u0131an * *)", "month '\u0131an': use ASCII"),  # dotless i
        ("cron(0 8 ? JAN,JUL * 2026/2)", None),
        ("rate(1 minute)", None),
        ("rate(5 minutes)", None),
        ("rate(1 day)", None),
        ("cron(0 8 * * * *)", "must be '?'"),
        ("cron(0 8 ? * ? *)", "must be '?'"),
        ("cron(0 8 ? * 3#6 *)", "day-of-week '3#6'"),
        ("cron(0 8 ? 0 * *)", "month '0'"),
        ("cron(5-1 8 ? * * *)", "runs backwards"),
        ("cron(*/61 8 ? * * *)", "step 61"),
        ("cron(0  8 ? * * *)", "6 fields"),
        ("rate(0 minutes)", "positive whole number"),
        ("rate(1 minutes)", "write rate(1 minute)"),
        ("rate(2 hour)", "write rate(2 hours)"),
        ("rate(2 weeks)", "minute(s), hour(s) or day(s)"),
        ("rate(-1 minutes)", "not rate(N unit)"),
        ("at(2027-01-01T00:00:00)", "not a schedule"),
        ("every day", "not a schedule"),
    ],
)
def test_eventbridge_schedules_field_by_field(expression: str, problem: str | None) -> None:
    from components.schedules import eventbridge_schedule_problem

    found = eventbridge_schedule_problem(expression)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_scaling_schedules_take_at_too() -> None:
    from components.schedules import eventbridge_schedule_problem

    assert eventbridge_schedule_problem("at(2027-01-01T00:00:00)", one_time=True) is None
    assert "not a date" in (eventbridge_schedule_problem("at(2027-13-01T00:00:00)", one_time=True) or "")
    assert "not at(" in (eventbridge_schedule_problem("at(2027-01-01 00:00)", one_time=True) or "")


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("cron(0 * ? * * *)", True),
        ("cron(0 0 ? * * *)", True),
        ("cron(0 23 ? * * *)", True),
        ("cron(0 05 ? * * *)", True),
        ("cron(0 17/12 ? * * *)", True),
        ("cron(0 0/24 ? * * *)", True),
        ("cron(0 */6 ? * * *)", False),  # undocumented: 0/6 is the documented form
        ("cron(0 0/25 ? * * *)", False),
        ("cron(0 0/0 ? * * *)", False),  # every 0 hours: the step is 1-24
        ("cron(0 0/1 ? * * *)", True),
        ("cron(0 24 ? * * *)", False),
        ("cron(30 * ? * * *)", False),
        ("cron(0 0 ? * MON *)", False),
        ("cron(0 0 1 * ? *)", False),
        ("NOW", False),
        ("rate(1 hour)", False),
    ],
)
def test_model_monitor_schedules_are_hourly_or_daily(expression: str, valid: bool) -> None:
    from components.schedules import model_monitor_schedule_problem

    assert (model_monitor_schedule_problem(expression) is None) is valid


@pytest.mark.parametrize(
    ("expression", "hours", "gap_hours"),
    [
        ("cron(0 * ? * * *)", tuple(range(24)), 1),
        ("cron(0 0/1 ? * * *)", tuple(range(24)), 1),
        ("cron(0 5 ? * * *)", (5,), 24),
        ("cron(0 0/2 ? * * *)", tuple(range(0, 24, 2)), 2),
        ("cron(0 0/7 ? * * *)", (0, 7, 14, 21), 3),  # 21:00 to the next 0:00
        ("cron(0 3/8 ? * * *)", (3, 11, 19), 8),
        ("cron(0 0/23 ? * * *)", (0, 23), 1),  # 23:00 to the next 0:00
        ("cron(0 6/24 ? * * *)", (6,), 24),
        ("cron(0 20/6 ? * * *)", (20,), 24),
    ],
)
def test_a_monitor_schedules_closest_runs_include_the_wrap_to_the_next_day(
    expression: str, hours: tuple[int, ...], gap_hours: int
) -> None:
    from components.schedules import monitor_run_hours, shortest_gap_seconds

    assert monitor_run_hours(expression) == hours
    assert shortest_gap_seconds(expression) == gap_hours * 3600


def test_time_zones_come_from_the_iana_database() -> None:
    from components.schedules import time_zone_problem, time_zones

    assert "Europe/Dublin" in time_zones() and "UTC" in time_zones()
    assert time_zone_problem("Asia/Kolkata") is None
    assert "did you mean Asia/Kolkata" in (time_zone_problem("asia/kolkata") or "")
    assert "not an IANA time zone" in (time_zone_problem("CEST") or "")


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("oncall@example.com", True),
        ("first.last+ml@mail.example.co.uk", True),
        ("o'brien@example.ie", True),
        ("x@bücher.de", True),
        ("oncall@", False),
        ("@example.com", False),
        ("oncall", False),
        ("on..call@example.com", False),
        (".oncall@example.com", False),
        ("on call@example.com", False),
        ("oncall@localhost", False),
        ("oncall@example.123", False),
        ("oncall@-example.com", False),
        ("oncall@exa_mple.com", False),
        ("a" * 65 + "@example.com", False),
        ("a@" + "b" * 250 + ".com", False),
    ],
)
def test_email_addresses_are_parsed(address: str, valid: bool) -> None:
    from components.addresses import email_problem

    assert (email_problem(address) is None) is valid


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://events.example.com/hook", True),
        ("https://events.example.com:8443/hook?team=ml", True),
        ("https://10.1.2.3/hook", True),
        ("https://", False),
        ("https:///path", False),
        ("http://events.example.com/hook", False),
        ("HTTPS://events.example.com", True),  # schemes are case-insensitive (RFC 3986)
        ("https://events.example.com:99999/", False),
        ("https://events.example.com/ x", False),
        ("https://events.example.com/#part", False),
        ("https://localhost/hook", False),
    ],
)
def test_https_endpoints_are_parsed(url: str, valid: bool) -> None:
    from components.addresses import https_url_problem

    assert (https_url_problem(url) is None) is valid


# -- component args built directly -----------------------------------------------------------------
def test_args_reject_schedules_aws_would() -> None:
    from components.training import PipelineTriggersArgs

    base = {
        "pipeline_name": "p",
        "pipeline_arn": "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p",
        "account_id": "123456789012",
        "region": "eu-west-1",
        "role_path": "/x/",
        "tags": {},
    }
    assert PipelineTriggersArgs(**base, schedule="rate(1 hour)").schedule == "rate(1 hour)"
    with pytest.raises(ValueError, match=r"^PipelineTriggersArgs\.schedule: 'rate\(1 hours\)'"):
        PipelineTriggersArgs(**base, schedule="rate(1 hours)")


def test_an_endpoint_spec_names_the_deployment_key_it_breaks() -> None:
    from pydantic import ValidationError

    from components.serving import EndpointSpec

    spec = {
        "name": "churn",
        "variants": [
            {"name": "p", "model": {"latest_approved_of": "churn"}, "instance_type": "ml.m5.xlarge"}
        ],
        "deployment": {"strategy": "canary", "canary_percent": 50},
    }
    with pytest.raises(ValidationError) as raised:
        EndpointSpec.model_validate(spec)
    [error] = raised.value.errors()
    assert error["loc"] == ("deployment", "canary_percent") and "keep at least 2 instances" in error["msg"]
    spec["variants"][0]["initial_instance_count"] = 2
    endpoint = EndpointSpec.model_validate(spec)
    # 2 baking periods of 300 s, 600 s termination wait, 900 s provisioning (CPU), plus 10 %.
    assert endpoint.deployment_duration_seconds == 2100
    assert endpoint.execution_timeout_seconds == 2340
    with pytest.raises(ValidationError, match="finite number"):
        EndpointSpec.model_validate({**spec, "variants": [{**spec["variants"][0], "weight": float("nan")}]})


def test_object_tags_fit_s3s_ten_keeping_own_and_first_keys() -> None:
    from components.limits import S3_OBJECT_MAX_TAGS, object_tags

    tags = {f"t{n}": "x" for n in range(47)} | {"owner": "o", "environment": "prod"}
    chosen = object_tags(tags, {"mlops:model-family": "churn", "t0": "own"}, ["environment", "owner", "nope"])
    assert len(chosen) == S3_OBJECT_MAX_TAGS
    assert list(chosen)[:4] == ["mlops:model-family", "t0", "environment", "owner"]
    assert chosen["t0"] == "own" and chosen["owner"] == "o"
    assert object_tags({"a": "1"}, {"b": "2"}) == {"b": "2", "a": "1"}


@pytest.mark.parametrize(
    ("instances", "step_percent", "steps"),
    [
        pytest.param((2, 2), 50, 2, id="half-of-two-is-two-steps"),
        pytest.param((3, 3), 50, 3, id="half-of-three-rounds-down-to-one-instance-three-steps"),
        pytest.param((2, 8), 50, 3, id="a-fleet-of-2-to-8-takes-the-worst-size"),
        pytest.param((10, 10), 10, 10, id="tenth-of-ten-is-ten-steps"),
        pytest.param((10, 19), 10, 19, id="tenth-of-nineteen-is-one-instance-per-step"),
    ],
)
def test_linear_steps_count_whole_instances_at_the_worst_fleet_size(
    instances: tuple[int, int], step_percent: int, steps: int
) -> None:
    from components.serving.inference_endpoint_spec import VariantSpec

    low, high = instances
    scaling = {"min_capacity": low, "max_capacity": high, "invocations_per_instance": 100}
    variant = VariantSpec.model_validate(
        {
            "name": "primary",
            "instance_type": "ml.m5.large",
            "initial_instance_count": low,
            "model": {"latest_approved_of": "churn"},
            **({"scaling": scaling} if high > low else {}),
        }
    )
    assert variant.linear_steps(step_percent) == steps


@pytest.mark.parametrize("schedule", ["cron(0 * ? * * *)\n", "cron(0 */2 ? * * *)\n", "cron(0 3 ? * * *)\n"])
def test_a_monitor_schedule_with_a_trailing_newline_is_no_schedule(schedule: str) -> None:
    """The helpers that read a validated schedule parse it whole: ``$`` would let a newline through."""
    from components.observability.model_quality_alarms import schedule_interval_seconds
    from components.schedules import model_monitor_schedule_problem, shortest_gap_seconds

    assert model_monitor_schedule_problem(schedule) is not None
    assert "*/N" not in model_monitor_schedule_problem(schedule)
    with pytest.raises(ValueError, match="is not a Model Monitor schedule"):
        shortest_gap_seconds(schedule)
    with pytest.raises(ValueError, match="is not a Model Monitor schedule"):
        schedule_interval_seconds(schedule)


TAGGED: list[tuple[type, dict[str, Any]]] = [
    (EncryptionKeyArgs, KEY),
    (ExecutionRoleArgs, ROLE),
    (ApprovalDispatchArgs, DISPATCH),
    (ImageRepositoryArgs, REPOSITORY),
    (SecureBucketArgs, BUCKET),
    (AuditTrailArgs, TRAIL),
    (RetrainingGateArgs, GATE),
]
BAD_TAGS: list[tuple[dict[str, str], str]] = [
    ({f"team-{i}": "x" for i in range(51)}, r"51 tags; AWS takes at most 50 per resource"),
    ({"aws:owner": "me"}, r"aws: prefix is reserved"),
    ({"k" * 129: "x"}, r"1-128 characters"),
    ({"owner": "v" * 257}, r"at most 256 characters"),
    ({"owner": "me, you"}, r"only letters, digits, spaces and _\.:/=\+-@"),
    ({"Owner": "a", "owner": "b"}, r"differ only in case"),
]


@pytest.mark.parametrize(("args", "base"), TAGGED, ids=lambda c: getattr(c, "__name__", None))
@pytest.mark.parametrize(
    ("tags", "message"),
    BAD_TAGS,
    ids=["51", "aws-prefix", "long-key", "long-value", "comma", "case"],
)
def test_args_refuse_tags_aws_refuses(
    args: type, base: dict[str, Any], tags: dict[str, str], message: str
) -> None:
    """The stack file's tag rules (PlatformConfig.tags) hold for a component built directly: AWS takes
    at most 50 tags per resource, keys of 1-128 and values of at
    most 256 characters of its set, no ``aws:`` key, and IAM no two keys differing only in case."""
    with pytest.raises(ValueError, match=rf"^{args.__name__}\.tags: .*{message}"):
        args(**{**base, "tags": tags})
    # A bucket's own mlops:data-class is the 50th tag (AuditTrail's log bucket is a SecureBucket).
    fit = 49 if args in (SecureBucketArgs, AuditTrailArgs) else 50
    assert args(**{**base, "tags": {f"team-{i}": "x" * 256 for i in range(fit)}})


def _args_classes_with(field: str) -> list[type]:
    """The components' args classes (dataclasses; ``JobPlacement`` too) that have ``field``, from
    the modules that define args classes (others, e.g. the pipeline SDK's, import heavy state)."""
    import dataclasses
    import importlib
    import importlib.util
    import pkgutil
    from pathlib import Path

    import components

    found = []
    for module_info in pkgutil.walk_packages(components.__path__, "components."):
        spec = importlib.util.find_spec(module_info.name)
        source = Path(spec.origin).read_text() if spec and spec.origin else ""
        if module_info.name.endswith("component_package") or not re.search(
            r"^class (\w+Args|JobPlacement)\b", source, re.M
        ):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except ImportError:  # an extra that is not installed
            continue
        found += [
            value
            for name, value in vars(module).items()
            if isinstance(value, type)
            and (name.endswith("Args") or name == "JobPlacement")
            and dataclasses.is_dataclass(value)
            and value.__module__ == module.__name__
            and field in {f.name for f in dataclasses.fields(value)}
        ]
    return found


@pytest.mark.parametrize(
    ("field", "check", "at_least"),
    [
        ("tags", ("tags_problem",), 25),
        ("account_id", ("account_id_problem",), 20),
        # a role a service is given (SageMaker, Lambda...) has the narrower check
        ("role_path", ("iam_path_problem", "service_role_path_problem"), 15),
        ("region", ("region_problem",), 15),
    ],
)
def test_every_args_with_the_field_checks_it(field: str, check: tuple[str, ...], at_least: int) -> None:
    """Each component's args class with ``tags`` checks them with ``tags_problem``, each with an
    ``account_id`` with ``account_id_problem`` (the parametrized tests above build the ones they
    know with bad values; this finds an args class added without the check)."""
    import inspect

    found = _args_classes_with(field)
    assert len(found) >= at_least  # the walk found the components' args
    assert [
        f"{c.__module__}.{c.__name__}"
        for c in found
        if not any(name in inspect.getsource(c) for name in check)
    ] == []


@pytest.mark.parametrize(
    ("args", "base"),
    [(a, b) for a, b in TAGGED if "account_id" in b],
    ids=lambda c: getattr(c, "__name__", None),
)
@pytest.mark.parametrize("account", ["123", "12345678901a", " 123456789012", "1234567890123"])
def test_args_refuse_an_account_id_that_is_no_account(args: type, base: dict[str, Any], account: str) -> None:
    """An account id is 12 digits (a stack file's ``account_id`` too): the components write it into
    key policies and trust policies as ``arn:aws:iam::<account>:root``, which KMS and IAM refuse
    (MalformedPolicyDocument) for any other id, and into the ARNs of their permissions."""
    with pytest.raises(ValueError, match=rf"^{args.__name__}\.account_id: "):
        args(**{**base, "account_id": account})
