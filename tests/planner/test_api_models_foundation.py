"""The foundation's request tables (tests/foundation_requests.py): IAM, KMS, S3, EC2 and VPC rules.

tests/planner/test_api_models.py checks every recorded request of these services against the API
models; here each table is shown to send what the provider sends, and each new service's model to
refuse what AWS would refuse.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.api_models import request_errors
from tests.aws_requests import requests

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _call(resource: RecordedResource, operation: str) -> tuple[str, str, dict[str, Any]]:
    [call] = [request for request in requests(resource) if request[1] == operation]
    return call


def _first(graph: ResourceGraph, type_token: str) -> RecordedResource:
    resources = graph.of_type(type_token)
    assert resources, type_token
    return resources[0]


# --- what the tables send ------------------------------------------------------------------------


def test_a_role_is_created_under_its_auto_name_with_its_path_and_trust_policy(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    role = _first(stack_graphs["prod"], ROLE)
    _, _, params = _call(role, "CreateRole")
    assert params["RoleName"] == role.outputs["name"]
    assert params["Path"] == role.inputs["path"] == "/mlops-platform/prod/"
    assert params["AssumeRolePolicyDocument"] == role.inputs["assumeRolePolicy"]
    assert params["MaxSessionDuration"] == role.inputs["maxSessionDuration"]
    assert {"Key": "stack", "Value": "prod"} in params["Tags"]


def test_an_inline_policy_names_its_role_and_its_own_auto_name(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    policy = _first(stack_graphs["prod"], ROLE_POLICY)
    _, _, params = _call(policy, "PutRolePolicy")
    assert params == {
        "RoleName": policy.inputs["role"],
        "PolicyName": policy.outputs["name"],
        "PolicyDocument": policy.inputs["policy"],
    }


def test_a_key_sends_its_rotation_period_and_deletion_window_where_kms_takes_them(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    key = _first(stack_graphs["prod"], KEY)
    assert [operation for _, operation, _ in requests(key)] == [
        "CreateKey",
        "EnableKeyRotation",
        "ScheduleKeyDeletion",
    ]
    assert _call(key, "CreateKey")[2]["KeySpec"] == key.inputs["customerMasterKeySpec"]
    assert {"TagKey": "stack", "TagValue": "prod"} in _call(key, "CreateKey")[2]["Tags"]
    assert _call(key, "EnableKeyRotation")[2]["RotationPeriodInDays"] == key.inputs["rotationPeriodInDays"]
    assert _call(key, "ScheduleKeyDeletion")[2]["PendingWindowInDays"] == key.inputs["deletionWindowInDays"]


def test_a_bucket_is_created_under_its_auto_name_and_tagged_after(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    bucket = _first(stack_graphs["prod"], BUCKET)
    assert "bucket" not in bucket.inputs
    (_, create, created), (_, tag, tagging) = requests(bucket)
    assert (create, tag) == ("CreateBucket", "PutBucketTagging")
    assert created == {"Bucket": bucket.outputs["bucket"]}
    assert tagging["Bucket"] == bucket.outputs["bucket"]
    assert {"Key": "stack", "Value": "prod"} in tagging["Tagging"]["TagSet"]


def test_bucket_settings_travel_inside_the_api_structures(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["prod"]
    lifecycle = _call(_first(graph, LIFECYCLE), "PutBucketLifecycleConfiguration")[2]
    [rule, *_] = lifecycle["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and "ID" in rule
    ownership = _call(_first(graph, OWNERSHIP), "PutBucketOwnershipControls")[2]
    assert ownership["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    encryption = _call(_first(graph, ENCRYPTION), "PutBucketEncryption")[2]
    assert (
        "SSEAlgorithm"
        in encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    )


def test_a_security_group_rule_puts_its_description_beside_its_peer(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    rules = [*stack_graphs["dev"].of_type(INGRESS), *stack_graphs["dev"].of_type(EGRESS)]
    peers = {
        "cidrIpv4": "IpRanges",
        "prefixListId": "PrefixListIds",
        "referencedSecurityGroupId": "UserIdGroupPairs",
    }
    seen = set()
    for rule in rules:
        _, _, params = requests(rule)[0]
        [permission] = params["IpPermissions"]
        [member] = [member for key, member in peers.items() if key in rule.inputs]
        seen.add(member)
        assert permission[member][0]["Description"] == rule.inputs["description"]
        assert set(permission) - {"IpProtocol", "FromPort", "ToPort"} == {member}
        assert params["GroupId"] == rule.inputs["securityGroupId"]
    assert seen == {"IpRanges", "PrefixListIds", "UserIdGroupPairs"}


def test_an_ipv6_rule_is_a_request_the_api_accepts() -> None:
    """A peer the fixture stacks do not use."""

    def program() -> None:
        import pulumi_aws as aws

        aws.vpc.SecurityGroupEgressRule(
            "v6",
            security_group_id="sg-0123456789abcdef0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv6="::/0",
            description="https out",
        )

    [rule] = record_program(program).of_type(EGRESS)
    [(service, operation, params)] = requests(rule)
    assert params["IpPermissions"] == [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "https out"}],
        }
    ]
    assert request_errors(service, operation, params) == []


# --- what the models refuse ----------------------------------------------------------------------


def _set(params: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        params = params[int(part)] if isinstance(params, list) else params[part]
    if isinstance(params, list):
        params[int(last)] = value
    else:
        params[last] = value


@pytest.mark.parametrize(
    ("type_token", "operation", "path", "value", "reported"),
    [
        pytest.param(
            ROLE,
            "CreateRole",
            "Description",
            "Runs training \u2014 and processing",
            "does not match the pattern",
            id="iam-description-outside-latin-1",
        ),
        pytest.param(
            ROLE, "CreateRole", "RoleName", "r" * 65, "more than the maximum 64", id="iam-role-name-too-long"
        ),
        pytest.param(
            ROLE,
            "CreateRole",
            "RoleName",
            "training role",
            "does not match the pattern",
            id="iam-role-name-pattern",
        ),
        pytest.param(
            ROLE,
            "CreateRole",
            "Path",
            "/mlops-platform/prod",
            "does not match the pattern",
            id="iam-path-without-slash",
        ),
        pytest.param(
            ROLE,
            "CreateRole",
            "MaxSessionDuration",
            43201,
            "more than the maximum 43200",
            id="iam-session-too-long",
        ),
        pytest.param(
            ROLE, "CreateRole", "Tags.0.Value", "a;b", "does not match the pattern", id="iam-tag-value"
        ),
        pytest.param(
            ROLE_POLICY,
            "PutRolePolicy",
            "PolicyDocument",
            '{"Sid": "\u2192"}',
            "does not match the pattern",
            id="iam-policy-outside-latin-1",
        ),
        pytest.param(
            MANAGED_POLICY,
            "CreatePolicy",
            "Path",
            "/mlops platform/",
            "does not match the pattern",
            id="iam-policy-path-pattern",
        ),
        pytest.param(
            KEY,
            "EnableKeyRotation",
            "RotationPeriodInDays",
            30,
            "valid min value: 90",
            id="kms-rotation-30-days",
        ),
        pytest.param(
            KEY,
            "ScheduleKeyDeletion",
            "PendingWindowInDays",
            0,
            "valid min value: 1",
            id="kms-no-deletion-window",
        ),
        pytest.param(KEY, "CreateKey", "KeySpec", "AES_256", "is not one of", id="kms-key-spec"),
        pytest.param(
            ALIAS,
            "CreateAlias",
            "AliasName",
            "alias/prod.data",
            "does not match the pattern",
            id="kms-alias-pattern",
        ),
        pytest.param(
            LIFECYCLE,
            "PutBucketLifecycleConfiguration",
            "LifecycleConfiguration.Rules.0.Status",
            "enabled",
            "is not one of",
            id="s3-lifecycle-status",
        ),
        pytest.param(
            VERSIONING,
            "PutBucketVersioning",
            "VersioningConfiguration.Status",
            "On",
            "is not one of",
            id="s3-versioning-status",
        ),
        pytest.param(
            ENCRYPTION,
            "PutBucketEncryption",
            "ServerSideEncryptionConfiguration.Rules.0.ApplyServerSideEncryptionByDefault.SSEAlgorithm",
            "KMS",
            "is not one of",
            id="s3-encryption-algorithm",
        ),
        pytest.param(
            OWNERSHIP,
            "PutBucketOwnershipControls",
            "OwnershipControls.Rules.0.ObjectOwnership",
            "BucketOwner",
            "is not one of",
            id="s3-object-ownership",
        ),
        pytest.param(
            FLOW_LOG,
            "CreateFlowLogs",
            "TrafficType",
            "EVERYTHING",
            "is not one of",
            id="ec2-flow-log-traffic",
        ),
        pytest.param(
            ENDPOINT,
            "CreateVpcEndpoint",
            "VpcEndpointType",
            "Private",
            "is not one of",
            id="ec2-endpoint-type",
        ),
        pytest.param(
            INGRESS,
            "AuthorizeSecurityGroupIngress",
            "TagSpecifications.0.ResourceType",
            "rule",
            "is not one of",
            id="vpc-rule-tag-resource-type",
        ),
        pytest.param(
            EGRESS,
            "AuthorizeSecurityGroupEgress",
            "IpPermissions.0.FromPort",
            "443",
            "Invalid type",
            id="vpc-rule-port-as-text",
        ),
    ],
)
def test_a_foundation_request_the_api_would_refuse_is_reported(
    stack_graphs: dict[str, ResourceGraph],
    type_token: str,
    operation: str,
    path: str,
    value: Any,
    reported: str,
) -> None:
    service, _, params = _call(_first(stack_graphs["prod"], type_token), operation)
    assert request_errors(service, operation, params) == []
    _set(params, path, value)
    errors = request_errors(service, operation, params)
    assert any(reported in error for error in errors), errors
