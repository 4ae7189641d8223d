"""What the foundation's security and retention arguments mean, not only that they are set.

A mutation audit of components/foundation/ (flip a flag, widen an action or a peer, off-by-one a
day count) left these values unpinned: every existing test passed with the key's administrators
allowed to generate data keys, a service grant widened to ``kms:*``, the key made a signing key,
the delete-marker clean-up disabled, the access logs kept a day longer or their old versions a
month, the flow logs aggregated over ten minutes, the workloads' self-ingress opened to the whole
VPC, roles' sessions lasting twelve hours, or ECR expiring untagged images by count instead of age.
Each test here records the component (or a fixture stack, tests/fixtures/stacks) and asserts the
value an adopter relies on.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from components.foundation.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.foundation.encryption_key import (
    EncryptionKey,
    EncryptionKeyArgs,
    cloudwatch_alarms_grant,
    cloudwatch_logs_grant,
    eventbridge_grants,
)
from components.foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from components.foundation.image_repository import ImageRepository, ImageRepositoryArgs
from components.foundation.secure_bucket import SecureBucket, SecureBucketArgs
from planner.recorder import ResourceGraph, record_program
from tests.botocore_models import service_model
from tests.graph_helpers import as_list, only, policy_of, statements
from tests.recorded import computed_once

ACCOUNT = "111111111111"
REGION = "eu-west-1"
ROLE_PATH = "/mlops-platform/test/"
S3 = "aws:s3/"
LIFECYCLE = f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration"

# KMS operations that use key material (encrypt, decrypt, derive or sign with it): what the
# account's administrators must not be able to do, and all a service grant may do (with DescribeKey).
CRYPTOGRAPHIC_OPERATIONS = {
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
}


def _kms_actions() -> set[str]:
    """Every KMS IAM action: botocore's operations, ReEncrypt split into its two IAM actions."""
    operations = set(service_model("kms")["operations"]) - {"ReEncrypt"}
    return {f"kms:{operation}" for operation in operations | {"ReEncryptFrom", "ReEncryptTo"}}


def _granted(patterns: Any) -> set[str]:
    """The KMS actions an ``Action`` value (a name, a wildcard or a list of them) allows."""
    return {
        action
        for action in _kms_actions()
        for pattern in as_list(patterns)
        if fnmatchcase(action.lower(), pattern.lower())
    }


def _key_graph() -> ResourceGraph:
    args = EncryptionKeyArgs(
        purpose="data",
        account_id=ACCOUNT,
        user_role_path=ROLE_PATH,
        tags={},
        service_grants=[
            cloudwatch_logs_grant(REGION, ACCOUNT),
            cloudwatch_alarms_grant(REGION, ACCOUNT),
            *eventbridge_grants(REGION, ACCOUNT),
        ],
        via_services=("sagemaker", "s3"),
        region=REGION,
    )
    # Once per version of the code and of this file (its constants are the whole input).
    return computed_once("key", lambda: record_program(lambda: EncryptionKey("key", args)))


def _key_statements(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    key = only(graph, "aws:kms/key:Key")
    return {statement["Sid"]: statement for statement in statements(policy_of(key))}


def test_the_key_encrypts_and_decrypts_rather_than_signs() -> None:
    key = only(_key_graph(), "aws:kms/key:Key")
    assert key.inputs["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"


def test_the_accounts_administrators_cannot_use_the_key_material() -> None:
    """The admin statement has no condition: any IAM-authorised principal of the account gets it, so
    none of its wildcards may reach an operation that encrypts, decrypts or hands out a data key."""
    admin = _key_statements(_key_graph())["AccountAdministersKey"]
    assert "Condition" not in admin
    used = {action.removeprefix("kms:") for action in _granted(admin["Action"])}
    assert not used & CRYPTOGRAPHIC_OPERATIONS, sorted(used & CRYPTOGRAPHIC_OPERATIONS)
    assert "kms:PutKeyPolicy" in _granted(admin["Action"]), "the account must keep administering the key"
    # Nor grant it: a grant hands the key material to whoever the grant names.
    assert "kms:CreateGrant" not in _granted(admin["Action"])
    assert "kms:CreateAlias" in _granted(admin["Action"]), "the program names its keys"


def test_granting_the_key_to_aws_resources_is_limited_to_the_platforms_roles() -> None:
    grant = _key_statements(_key_graph())["PlatformRolesGrantToAwsResources"]
    assert grant["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert grant["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role{ROLE_PATH}*"},
        "Bool": {"kms:GrantIsForAWSResource": "true"},
    }
    assert _granted(grant["Action"]) == {"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}


def test_principals_acting_through_platform_services_only_use_the_key_and_grant_it() -> None:
    via = _key_statements(_key_graph())["AccountPrincipalsThroughPlatformServices"]
    allowed = {f"kms:{operation}" for operation in CRYPTOGRAPHIC_OPERATIONS} | {
        "kms:DescribeKey",
        "kms:CreateGrant",
    }
    granted = _granted(via["Action"])
    assert granted <= allowed, sorted(granted - allowed)
    assert {"kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"} <= granted


def test_service_principals_only_use_the_key() -> None:
    """A service grant lets the service encrypt for the account's resources; never administer the
    key (schedule its deletion, rewrite its policy) or grant it onwards."""
    # CloudWatch Logs' grant is AWS's documented ``kms:Describe*``: DescribeCustomKeyStores, which it
    # also matches, is an account-level read that a key policy cannot grant anyway.
    allowed = {f"kms:{operation}" for operation in CRYPTOGRAPHIC_OPERATIONS} | {
        "kms:DescribeKey",
        "kms:DescribeCustomKeyStores",
    }
    services = [s for s in _key_statements(_key_graph()).values() if "Service" in s["Principal"]]
    assert len(services) == 4
    for statement in services:
        granted = _granted(statement["Action"])
        assert granted and granted <= allowed, (statement["Sid"], sorted(granted - allowed))


def _bucket_graph() -> ResourceGraph:
    args = SecureBucketArgs(
        purpose="data",
        kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        access_log_bucket="logs",
        tags={},
        noncurrent_version_expiration_days=60,
        abort_incomplete_multipart_upload_days=5,
    )
    return record_program(lambda: SecureBucket("data", args))


def test_unfinished_uploads_are_aborted_after_the_configured_days() -> None:
    [lifecycle] = _bucket_graph().of_type(LIFECYCLE)
    [rule] = [r for r in lifecycle.inputs["rules"] if r["id"] == "expire-noncurrent-versions"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 60}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 5}


def test_delete_markers_left_alone_are_removed_bucket_wide() -> None:
    """Once their noncurrent versions expire, delete markers would pile up (and slow listings)."""
    [lifecycle] = _bucket_graph().of_type(LIFECYCLE)
    [rule] = [r for r in lifecycle.inputs["rules"] if r["id"] == "remove-expired-delete-markers"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["expiration"] == {"expiredObjectDeleteMarker": True}


def test_current_objects_expire_bucket_wide_after_expiration_days() -> None:
    """``expiration_days`` is the retention of every object (the audit trail's log retention): a
    prefix on the rule would keep everything outside it forever."""
    args = SecureBucketArgs(
        purpose="audit-logs",
        kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        access_log_bucket="logs",
        tags={},
        expiration_days=30,
    )
    [lifecycle] = record_program(lambda: SecureBucket("logs", args)).of_type(LIFECYCLE)
    [rule] = [r for r in lifecycle.inputs["rules"] if r["id"] == "expire-current-versions"]
    assert rule == {
        "id": "expire-current-versions",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "expiration": {"days": 30},
    }


def test_every_lifecycle_rule_of_every_bucket_is_enabled(stack_graph: ResourceGraph) -> None:
    for lifecycle in stack_graph.of_type(LIFECYCLE):
        assert {rule["id"]: rule["status"] for rule in lifecycle.inputs["rules"]} == {
            rule["id"]: "Enabled" for rule in lifecycle.inputs["rules"]
        }, lifecycle.name


def _access_log_graph() -> ResourceGraph:
    args = AccessLogBucketArgs(account_id=ACCOUNT, tags={}, retention_days=400)
    return record_program(lambda: AccessLogBucket("access-logs", args))


def test_access_logs_expire_after_their_retention_and_their_old_versions_a_day_later() -> None:
    [lifecycle] = _access_log_graph().of_type(LIFECYCLE)
    assert lifecycle.inputs["rules"] == [
        {
            "id": "expire-access-logs",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "expiration": {"days": 400},
            "noncurrentVersionExpiration": {"noncurrentDays": 1},
        }
    ]


def test_s3_log_delivery_writes_only_objects_of_the_access_log_bucket() -> None:
    graph = _access_log_graph()
    arn = only(graph, f"{S3}bucket:Bucket").outputs["arn"]
    [delivery] = [
        s
        for s in statements(policy_of(only(graph, f"{S3}bucketPolicy:BucketPolicy")))
        if s["Effect"] == "Allow"
    ]
    assert delivery["Resource"] == f"{arn}/*"
    assert delivery["Action"] == "s3:PutObject"


def _role(**overrides: Any) -> ResourceGraph:
    args = ExecutionRoleArgs(
        description="test",
        trusted_service="sagemaker.amazonaws.com",
        account_id=ACCOUNT,
        path=ROLE_PATH,
        statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
        tags={},
        **overrides,
    )
    return record_program(lambda: ExecutionRole("job", args))


def test_role_sessions_last_an_hour_unless_configured() -> None:
    assert only(_role(), "aws:iam/role:Role").inputs["maxSessionDuration"] == 3600
    role = only(_role(max_session_duration_seconds=7200), "aws:iam/role:Role")
    assert role.inputs["maxSessionDuration"] == 7200


def test_flow_logs_aggregate_every_minute_into_cloudwatch_logs(stack_graph: ResourceGraph) -> None:
    flow_log = only(stack_graph, "aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["maxAggregationInterval"] == 60
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"


def test_workloads_accept_traffic_only_from_their_own_group(stack_graph: ResourceGraph) -> None:
    """All protocols are open between the workloads' instances (distributed training); naming the VPC's
    CIDR instead would open every port of every workload to anything in the VPC."""
    group = stack_graph.named("network-workloads")
    ingress = [
        rule.inputs
        for rule in stack_graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if rule.inputs["securityGroupId"] == group.id
    ]
    assert len(ingress) == 1
    [rule] = ingress
    assert rule["ipProtocol"] == "-1" and rule["referencedSecurityGroupId"] == group.id
    assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(rule)


def test_untagged_images_expire_by_age_since_their_push() -> None:
    args = ImageRepositoryArgs(
        repository_name="mlops/test",
        kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        tags={},
        untagged_expiry_days=10,
    )
    graph = record_program(lambda: ImageRepository("images", args))
    [rule] = json.loads(only(graph, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])["rules"]
    assert rule["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 10,
    }
    assert rule["action"] == {"type": "expire"}
