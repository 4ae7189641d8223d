"""The audit trail: a validated, KMS-encrypted, multi-region CloudTrail trail recording management
events and the platform buckets' object events, into a locked-down bucket only it writes to."""

from __future__ import annotations

from typing import Any

import pytest

from components.foundation.audit_trail import AuditTrailArgs, trail_arn
from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.graph_helpers import attached_to, only, policy_of, statements, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import foundation_cut

TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ORG_TRAIL = "arn:aws:cloudtrail:us-east-1:999999999999:trail/organization"
ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}


def _trail_arn(graph: ResourceGraph, stack: str) -> str:
    return trail_arn("eu-west-1", ACCOUNTS[stack], f"mlops-platform-{stack}-audit")


def _selectors(trail: RecordedResource) -> dict[str, list[dict[str, Any]]]:
    return {s["name"]: s["fieldSelectors"] for s in trail.inputs["advancedEventSelectors"]}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_trail_is_multi_region_validated_and_encrypted_with_its_own_key(
    stack_graphs: dict[str, ResourceGraph], stack: str
) -> None:
    graph = stack_graphs[stack]
    trail = only(graph, TRAIL)
    assert trail.parent == graph.named("audit").urn
    assert trail.inputs["name"] == f"mlops-platform-{stack}-audit"
    assert trail.outputs["arn"] == _trail_arn(graph, stack), "the policies name the ARN the trail gets"
    for flag in (
        "enableLogFileValidation",
        "isMultiRegionTrail",
        "includeGlobalServiceEvents",
        "enableLogging",
    ):
        assert trail.inputs[flag] is True, flag
    assert "isOrganizationTrail" not in trail.inputs
    assert trail.inputs["kmsKeyId"] == graph.named("audit-key-key").outputs["arn"]
    assert trail.inputs["s3BucketName"] == graph.named("audit-logs-bucket").outputs["bucket"]
    # CloudTrail refuses to create a trail before it may write to the bucket and use the key.
    # The key (its policy inline) through kmsKeyId, the bucket policy through an explicit edge.
    assert trail.explicit_dependencies == (graph.named("audit-logs-policy").urn,)
    assert graph.named("audit-key-key").urn in trail.property_dependencies["kmsKeyId"]


@pytest.mark.parametrize(("stack", "reads"), [("dev", False), ("staging", True), ("prod", True)])
def test_selectors_record_management_events_and_exactly_the_platform_buckets_objects(
    stack_graphs: dict[str, ResourceGraph], stack: str, reads: bool
) -> None:
    graph = stack_graphs[stack]
    selectors = _selectors(only(graph, TRAIL))
    assert selectors["Management events"] == [{"field": "eventCategory", "equals": ["Management"]}]
    data = {selector["field"]: selector for selector in selectors["Object events of the platform buckets"]}
    assert data["eventCategory"] == {"field": "eventCategory", "equals": ["Data"]}
    assert data["resources.type"] == {"field": "resources.type", "equals": ["AWS::S3::Object"]}
    buckets = [graph.named(name).outputs["bucket"] for name in ("datasets-bucket", "artifacts-bucket")]
    assert data["resources.ARN"] == {
        "field": "resources.ARN",
        "startsWiths": [f"arn:aws:s3:::{bucket}/" for bucket in buckets],
    }
    # Dev records writes only (every training job reads the datasets); staging and prod every read too.
    if reads:
        assert "readOnly" not in data
    else:
        assert data["readOnly"] == {"field": "readOnly", "equals": ["false"]}


def test_the_key_lets_cloudtrail_encrypt_only_for_this_trail(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["prod"]
    by_sid = {s["Sid"]: s for s in statements(policy_of(graph.named("audit-key-key")))}
    this_trail = {"aws:SourceArn": _trail_arn(graph, "prod")}
    context = {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:333333333333:trail/*"}
    assert by_sid["CloudTrailEncryptsThisTrailsLogs"] == {
        "Sid": "CloudTrailEncryptsThisTrailsLogs",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": this_trail, "StringLike": context},
    }
    describe = by_sid["CloudTrailDescribesKey"]
    assert describe["Action"] == ["kms:DescribeKey"]
    assert describe["Condition"] == {"StringEquals": this_trail}
    readers = by_sid["AccountPrincipalsDecryptTrailLogs"]
    assert readers["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    assert readers["Action"] == ["kms:Decrypt", "kms:ReEncryptFrom"]
    assert readers["Condition"] == {
        "StringEquals": {"kms:CallerAccount": "333333333333"},
        "StringLike": context,
    }
    service_statements = [s for s in by_sid.values() if "Service" in s["Principal"]]
    assert {s["Sid"] for s in service_statements} == {
        "CloudTrailEncryptsThisTrailsLogs",
        "CloudTrailDescribesKey",
    }
    assert graph.named("audit-key-alias").inputs["name"] == "alias/mlops-platform-prod-audit"


def test_the_log_bucket_admits_only_this_trail_and_keeps_its_files(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graph = stack_graphs["prod"]
    bucket = graph.named("audit-logs-bucket")
    [policy] = attached_to(graph, "aws:s3/bucketPolicy:BucketPolicy", bucket)
    by_sid = {s["Sid"]: s for s in statements(policy_of(policy))}
    arn, source = bucket.outputs["arn"], {"aws:SourceArn": _trail_arn(graph, "prod")}
    assert by_sid["CloudTrailAclCheck"] == {
        "Sid": "CloudTrailAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": arn,
        "Condition": {"StringEquals": source},
    }
    assert by_sid["CloudTrailWrite"] == {
        "Sid": "CloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{arn}/AWSLogs/333333333333/*",
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}},
    }
    assert by_sid["DenyObjectDeletion"]["Effect"] == "Deny"
    assert by_sid["DenyObjectDeletion"]["Action"] == ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    assert {"DenyInsecureTransport", "DenyOutdatedTls"} <= set(by_sid)
    allowed = {s["Sid"] for s in by_sid.values() if s["Effect"] == "Allow"}
    assert allowed == {"CloudTrailAclCheck", "CloudTrailWrite"}, "nobody else is granted anything"
    [encryption] = attached_to(
        graph,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        bucket,
    )
    [rule] = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": graph.named("audit-key-key").outputs["arn"],
    }
    assert rule["bucketKeyEnabled"] is False, "log files keep CloudTrail's encryption context"


@pytest.mark.parametrize(("stack", "days"), [("dev", 90), ("staging", 365), ("prod", 2557)])
def test_log_files_expire_after_the_environments_retention(
    stack_graphs: dict[str, ResourceGraph], stack: str, days: int
) -> None:
    graph = stack_graphs[stack]
    [lifecycle] = attached_to(
        graph,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        graph.named("audit-logs-bucket"),
    )
    rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
    assert rules["expire-current-versions"]["expiration"] == {"days": days}
    assert "noncurrentVersionExpiration" in rules["expire-noncurrent-versions"]


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("staging", True), ("prod", True)])
def test_trail_key_and_bucket_are_protected_outside_dev(
    stack_graphs: dict[str, ResourceGraph], stack: str, protected: bool
) -> None:
    graph = stack_graphs[stack]
    for name in ("audit-trail", "audit-key-key", "audit-logs-bucket"):
        assert graph.named(name).protect is protected, name
    deny = [s["Sid"] for s in statements(policy_of(graph.named("audit-logs-policy")))]
    assert ("DenyObjectDeletion" in deny) is protected


def _org_trail(data_events: str):
    """An organisation trail on the prod fixture cut to its foundation and alerts
    (:func:`tests.stacks.conftest.foundation_cut`): the trail's selectors name the platform's
    buckets, which the cut keeps, and nothing it removes has a trail of its own."""

    def edit(platform: dict[str, Any]) -> None:
        foundation_cut(platform)
        platform["audit_trail"] = {"existing_organization_trail": ORG_TRAIL, "data_events": data_events}

    return edit


def test_an_organisation_trail_without_data_events_creates_nothing_and_is_exported(write_stack) -> None:
    graph = recorded_stack(str(write_stack("prod", _org_trail("off"))))
    assert graph.of_type(TRAIL) == []
    assert "audit" not in {resource.name for resource in graph}
    assert graph.exports["audit_trail_arn"] == ORG_TRAIL
    assert "audit_log_bucket" not in graph.exports


def test_an_organisation_trail_with_data_events_leaves_management_events_to_it(write_stack) -> None:
    graph = recorded_stack(str(write_stack("prod", _org_trail("write_only"))))
    selectors = _selectors(only(graph, TRAIL))
    assert list(selectors) == ["Object events of the platform buckets"], "no second paid management copy"
    assert graph.exports["audit_trail_arn"] == ORG_TRAIL


def test_a_disabled_audit_trail_creates_nothing(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["audit_trail"] = {"enabled": False}

    graph = recorded_stack(str(write_stack("dev", edit)))
    assert graph.of_type(TRAIL) == [] and "audit_trail_arn" not in graph.exports
    assert not [resource.name for resource in graph if resource.name.startswith("audit")]
    assert len(graph.of_type(BUCKET)) == 3 and len(graph.of_type(KEY)) == 4


def test_the_stack_exports_its_trail_and_log_bucket(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["staging"]
    assert graph.exports["audit_trail_arn"] == _trail_arn(graph, "staging")
    assert graph.exports["audit_log_bucket"] == graph.named("audit-logs-bucket").outputs["bucket"]


P = f"{CONFIG_KEY}.audit_trail"


@pytest.mark.parametrize(
    ("value", "key", "fragment"),
    [
        ({"existing_organization_trail": "arn:aws:s3:::not-a-trail"}, f"{P}.existing_organization_trail", "match pattern"),
        ({"data_events": "reads"}, f"{P}.data_events", "'all', 'write_only' or 'off'"),
        ({"log_retention_days": 0}, f"{P}.log_retention_days", "greater than or equal to 1"),
        ({"enabled": "yes"}, f"{P}.enabled", "valid boolean"),
        ({"cloudwatch": True}, f"{P}.cloudwatch", "unknown key; allowed keys here: cloudwatch_logs_retention_days, data_events"),
    ],
    ids=["trail-arn-pattern", "data-events-values", "retention-minimum", "strict-boolean", "unknown-key"],
)  # fmt: skip
def test_bad_audit_trail_config_names_the_file_and_key(write_stack, value, key: str, fragment: str) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["audit_trail"] = value

    path = write_stack("dev", edit)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))
    [line] = [line for line in str(raised.value).splitlines() if f": {key}: " in line]
    assert line.strip().startswith(f"{path}: ") and fragment in line, line


ARGS: dict[str, Any] = {
    "trail_name": "mlops-platform-dev-audit",
    "region": "eu-west-1",
    "account_id": "111111111111",
    "user_role_path": "/mlops-platform/dev/",
    "access_log_bucket": "access-logs",
    "tags": {},
}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"trail_name": "ab"}, "trail_name"),
        ({"trail_name": "a--b"}, "trail_name"),
        ({"trail_name": "audit-"}, "trail_name"),
        ({"trail_name": "a" * 129}, "trail_name"),
        ({"trail_name": "192.168.5.4"}, "trail_name"),
        ({"account_id": "1234"}, "account_id"),
        ({"log_retention_days": 0}, "log_retention_days"),
        ({"data_events": "reads"}, "data_events"),
        ({"management_events": False}, "would record nothing"),
        (
            {"management_events": False, "data_event_buckets": ["b"], "data_events": "off"},
            "would record nothing",
        ),
        ({"cloudwatch_logs_retention_days": 365}, "needs log_group_name and logs_kms_key_arn"),
        (
            {"cloudwatch_logs_retention_days": 100, "log_group_name": "g", "logs_kms_key_arn": "k"},
            "cloudwatch_logs_retention_days",
        ),
    ],
)
def test_args_refuse_what_cloudtrail_would(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        AuditTrailArgs(**{**ARGS, **change})


def test_args_accept_cloudtrails_names() -> None:
    for name in ("abc", "a.b_c-d", "A" * 128, "mlops-platform-dev-audit"):
        assert AuditTrailArgs(**{**ARGS, "trail_name": name}).arn.endswith(f":trail/{name}")


def test_cloudwatch_logs_delivery_writes_to_an_encrypted_group_through_a_scoped_role(write_stack) -> None:
    from planner.policy_check import evaluate_policies
    from tests.api_models import request_errors
    from tests.aws_requests import requests

    def edit(platform: dict[str, Any]) -> None:
        # Cut to the foundation and alerts (the trail, its key, bucket and group stay),
        # with the budget the pack asks a prod stack for.
        budget = platform["budget"]
        foundation_cut(platform)
        platform["budget"] = budget
        platform["audit_trail"] = {"cloudwatch_logs_retention_days": 365}

    graph = recorded_stack(str(write_stack("prod", edit)))
    trail = only(graph, TRAIL)
    [group] = within(graph, "audit", "aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == "/mlops-platform/prod/cloudtrail"
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"] == graph.named("kms-logs-key").outputs["arn"]
    assert trail.inputs["cloudWatchLogsGroupArn"] == f"{group.outputs['arn']}:*"
    [role] = within(graph, "audit", "aws:iam/role:Role")
    assert trail.inputs["cloudWatchLogsRoleArn"] == role.outputs["arn"]
    trust = statements(policy_of(role, "assumeRolePolicy"))
    assert [s["Principal"] for s in trust] == [{"Service": "cloudtrail.amazonaws.com"}]
    assert trust[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "333333333333"}}
    [permissions] = within(graph, "audit", "aws:iam/rolePolicy:RolePolicy")
    assert statements(policy_of(permissions)) == [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{group.outputs['arn']}:log-stream:*",
        }
    ]
    for service, operation, params in requests(trail):
        assert request_errors(service, operation, params) == [], operation
    violations, _ = evaluate_policies(graph)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def test_cloudwatch_logs_retention_must_be_one_cloudwatch_accepts(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["audit_trail"] = {"cloudwatch_logs_retention_days": 100}

    path = write_stack("dev", edit)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))
    [line] = [
        line for line in str(raised.value).splitlines() if f": {P}.cloudwatch_logs_retention_days: " in line
    ]
    assert "not a CloudWatch Logs retention" in line


@pytest.mark.parametrize(
    ("operation", "change", "reported"),
    [
        ("PutEventSelectors", lambda p: p["AdvancedEventSelectors"][1]["FieldSelectors"][2].update(StartsWith=[]), "valid min length: 1"),
        ("PutEventSelectors", lambda p: p["AdvancedEventSelectors"][0]["FieldSelectors"][0].update(Field="event Category"), "does not match the pattern"),
        ("CreateTrail", lambda p: p.update(TagsList=[{"Key": f"k{i}", "Value": "v"} for i in range(201)]), "more than the maximum 200"),
    ],
    ids=["empty-starts-with", "field-name-pattern", "too-many-tags"],
)  # fmt: skip
def test_the_trails_requests_pass_botocore_and_a_refused_one_is_reported(
    stack_graphs: dict[str, ResourceGraph], operation: str, change, reported: str
) -> None:
    from tests.api_models import request_errors
    from tests.aws_requests import requests

    calls = {op: (service, params) for service, op, params in requests(only(stack_graphs["prod"], TRAIL))}
    assert list(calls) == ["CreateTrail", "PutEventSelectors", "StartLogging"]
    assert all(request_errors(service, op, params) == [] for op, (service, params) in calls.items())
    service, params = calls[operation]
    change(params)
    assert any(reported in error for error in request_errors(service, operation, params))
