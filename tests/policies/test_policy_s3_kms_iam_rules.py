"""S3 (resource and stack rules), KMS and IAM rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY_TYPE = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
ROLE = "aws:iam/role:Role"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
FLAGS = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
TAGS = {"owner": "ml", "cost-center": "cc-1", "environment": "prod"}
ACCESS_LOG_TAGS = {**TAGS, "mlops:data-class": "access-logs"}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


TLS_DENY = {
    "Sid": "DenyInsecure",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::mlops-data", "arn:aws:s3:::mlops-data/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
READ = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::mlops-data/*",
}


def bucket_graph(
    *,
    tags: dict[str, str] | None = None,
    sse: str = "aws:kms",
    key: str | None = KEY,
    flags: dict[str, bool] | None = None,
    versioning: str = "Enabled",
    linked: bool = True,
    drop: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """A bucket and its four companions; ``linked=False`` wires them by literal name only."""
    deps = {"bucket": ["data"]} if linked else {}
    default = {"sseAlgorithm": sse, **({"kmsMasterKeyId": key} if key else {})}
    specs = [
        {"type": BUCKET, "name": "data", "inputs": {"bucket": "mlops-data", "tags": tags or TAGS}},
        {"type": PAB, "name": "pab", "inputs": {"bucket": "mlops-data", **(flags or FLAGS)}, "deps": deps},
        {
            "type": BUCKET_POLICY,
            "name": "policy",
            "inputs": {"bucket": "mlops-data", "policy": doc(TLS_DENY, READ)},
            "deps": deps,
        },
        {
            "type": VERSIONING,
            "name": "versioning",
            "inputs": {"bucket": "mlops-data", "versioningConfiguration": {"status": versioning}},
            "deps": deps,
        },
        {
            "type": SSE,
            "name": "sse",
            "inputs": {"bucket": "mlops-data", "rules": [{"applyServerSideEncryptionByDefault": default}]},
            "deps": deps,
        },
    ]
    return [s for s in specs if s["name"] not in drop]


def companions_naming(bucket: str) -> list[dict[str, Any]]:
    """``bucket_graph()`` whose companions still depend on ``data`` (``Output.all(data.id, ...)
    .apply(...)`` records it) but send another bucket's name: they configure that bucket."""
    specs = bucket_graph()
    for spec in specs[1:]:
        spec["inputs"]["bucket"] = bucket
    return specs


LEGACY_INLINE = [
    {
        "type": BUCKET,
        "name": "legacy",
        "inputs": {
            "bucket": "legacy",
            "tags": TAGS,
            "serverSideEncryptionConfiguration": {
                "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
            },
        },
    }
]

STACK_CASES = [
    pytest.param("s3-sse-kms-encrypted", bucket_graph(), None, id="sse-kms-with-customer-key-passes"),
    pytest.param(
        "s3-sse-kms-encrypted",
        companions_naming("mlops-elsewhere"),
        "bucket 'data' has no default-encryption configuration",
        id="sse-config-naming-another-bucket-despite-a-dependency-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        companions_naming("mlops-elsewhere"),
        "bucket 'data' lacks a BucketPublicAccessBlock",
        id="companions-naming-another-bucket-despite-a-dependency-fail",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        bucket_graph(tags=ACCESS_LOG_TAGS, sse="AES256", key=None),
        None,
        id="access-log-bucket-with-aes256-is-exempt",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        bucket_graph(tags=ACCESS_LOG_TAGS, sse="AES256", key=None, linked=False),
        None,
        id="access-log-bucket-found-by-literal-name",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        bucket_graph(sse="AES256", key=None),
        "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'",
        id="aes256-on-untagged-bucket-fails",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        bucket_graph(key=None),
        "kmsMasterKeyId is unset",
        id="aws-managed-s3-key-fails",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        LEGACY_INLINE,
        "serverSideEncryptionConfiguration.rule[0].applyServerSideEncryptionByDefault.sseAlgorithm",
        id="legacy-inline-aes256-fails",
    ),
    pytest.param("s3-bucket-security-baseline", bucket_graph(), None, id="bucket-with-all-companions-passes"),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_graph(linked=False),
        None,
        id="companions-found-by-literal-bucket-name",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_graph(drop=("pab",)),
        "BucketPublicAccessBlock",
        id="bucket-without-public-access-block-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_graph(flags={**FLAGS, "blockPublicPolicy": False}),
        "all four flags true",
        id="public-access-block-with-a-flag-off-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_graph(drop=("policy",)),
        "TLS-only BucketPolicy",
        id="bucket-without-tls-policy-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_graph(versioning="Suspended"),
        "versioningConfiguration.status='Enabled'",
        id="suspended-versioning-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_graph(drop=("sse",)),
        "BucketServerSideEncryptionConfiguration",
        id="bucket-without-default-encryption-fails",
    ),
]

ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
SCOPED = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:PutObject"],
    "Resource": "arn:aws:s3:::mlops-data/*",
}
PASS_EXEC_ROLE = {
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": "arn:aws:iam::111122223333:role/exec",
}

CASES = [
    # S3 resource rules
    pytest.param("s3-public-access-blocked", PAB, {"bucket": "b", **FLAGS}, None, id="all-four-flags-pass"),
    pytest.param(
        "s3-public-access-blocked",
        PAB,
        {"bucket": "b", **FLAGS, "restrictPublicBuckets": False},
        "restrictPublicBuckets",
        id="restrict-public-buckets-off-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": "mlops-data", "policy": doc(TLS_DENY, READ)},
        None,
        id="tls-deny-statement-passes",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {
            "bucket": "mlops-data",
            "policy": {"Statement": {**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}},
        },
        None,
        id="object-policy-with-single-statement-passes",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": "b", "policy": doc(READ)},
        "aws:SecureTransport",
        id="policy-without-tls-deny-fails",
    ),
    # KMS
    pytest.param(
        "kms-key-rotation-enabled", KEY_TYPE, {"enableKeyRotation": True}, None, id="rotating-key-passes"
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        KEY_TYPE,
        {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        None,
        id="asymmetric-key-is-exempt",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        KEY_TYPE,
        {"description": "data"},
        "enableKeyRotation",
        id="key-without-rotation-fails",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        KEY_TYPE,
        {"enableKeyRotation": False},
        "enableKeyRotation",
        id="key-with-rotation-off-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY_TYPE,
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            )
        },
        None,
        id="account-root-principal-passes",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY_TYPE,
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}},
                }
            )
        },
        None,
        id="wildcard-principal-with-condition-passes",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY_TYPE,
        {"enableKeyRotation": True},
        None,
        id="default-key-policy-passes",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY_POLICY,
        {
            "keyId": "k",
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::1:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:Decrypt", "Resource": "*"},
            ),
        },
        "Statement[1] allows Principal '*'",
        id="unconditional-wildcard-principal-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY_TYPE,
        {"policy": "not json"},
        "not valid JSON",
        id="unparsable-key-policy-fails",
    ),
    # resource-based policies outside S3 and KMS (tests/policies/test_resource_policy_public_semantics.py)
    pytest.param(
        "resource-policy-not-public",
        "aws:sqs/queuePolicy:QueuePolicy",
        {"policy": doc({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"})},
        "policy Statement[0] allows Principal '*'",
        id="public-queue-policy-fails",
    ),
    pytest.param(
        "resource-policy-not-public",
        "aws:sqs/queuePolicy:QueuePolicy",
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": "*",
                    "Condition": {
                        "ArnEquals": {"aws:SourceArn": "arn:aws:events:eu-west-1:111122223333:rule/r"}
                    },
                }
            )
        },
        None,
        id="service-queue-policy-passes",
    ),
    pytest.param(
        "resource-policy-not-public",
        "aws:sqs/queuePolicy:QueuePolicy",
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sqs:SendMessage",
                    "Resource": "*",
                    # ${*} is the character *: an account no ARN has (tests/policies/test_policy_leftovers_62.py)
                    "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${*}:*"}},
                }
            )
        },
        None,
        id="escaped-star-account-pins-passes",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        IAM_POLICY,
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Action": "s3:DeleteBucket",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/owner": "${aws:userid}"}},
                }
            )
        },
        "on every resource",
        id="scoped-by-the-callers-userid-fails",
    ),
    # IAM
    pytest.param("iam-no-admin-access", IAM_POLICY, {"policy": doc(SCOPED)}, None, id="scoped-policy-passes"),
    pytest.param(
        "iam-no-admin-access",
        IAM_POLICY,
        {"policy": doc(ADMIN)},
        "Statement[0] allows Action '*'",
        id="admin-policy-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        ROLE_POLICY,
        {"role": "r", "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        "NotAction",
        id="allow-not-action-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        ROLE,
        {
            "assumeRolePolicy": doc(),
            "inlinePolicies": [
                {"name": "ok", "policy": doc(SCOPED)},
                {"name": "admin", "policy": doc({**ADMIN, "Action": ["*:*"]})},
            ],
        },
        "inlinePolicies[1].policy Statement[0]",
        id="role-inline-admin-policy-fails",
    ),
    pytest.param(
        "iam-no-admin-access", IAM_POLICY, {"policy": "{"}, "not valid JSON", id="unparsable-policy-fails"
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        ROLE_POLICY,
        {"role": "r", "policy": doc(PASS_EXEC_ROLE)},
        None,
        id="pass-role-on-execution-role-passes",
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        IAM_POLICY,
        {"policy": doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})},
        None,
        id="deny-statements-are-ignored",
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        IAM_POLICY,
        {"policy": doc({**PASS_EXEC_ROLE, "Resource": "*"})},
        "iam:PassRole on Resource '*'",
        id="pass-role-on-any-role-fails",
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        USER_POLICY,
        {"user": "u", "policy": doc({"Effect": "Allow", "Action": ["iam:Put*"], "Resource": ["*"]})},
        "iam:PutRolePolicy",
        id="wildcard-matching-escalation-actions-fails",
    ),
    pytest.param(
        "iam-no-service-wildcard", IAM_POLICY, {"policy": doc(SCOPED)}, None, id="named-actions-pass"
    ),
    pytest.param(
        "iam-no-service-wildcard",
        IAM_POLICY,
        {"policy": doc({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"})},
        "sagemaker:* on Resource '*'",
        id="service-wildcard-on-everything-fails",
    ),
    pytest.param(
        "iam-no-service-wildcard",
        IAM_POLICY,
        {"policy": doc({"Effect": "Allow", "Action": ["sagemaker:?*", "s3*"], "Resource": "*"})},
        "sagemaker:?*, s3* on Resource '*'",
        id="other-spellings-of-a-service-wildcard-fail",
    ),
    pytest.param(
        "iam-no-service-wildcard",
        IAM_POLICY,
        {"policy": doc({"Effect": "Allow", "Action": ["sagemaker:Describe*", "s3:?"], "Resource": "*"})},
        None,
        id="a-prefix-or-one-letter-name-is-no-service-wildcard",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs), policy_name, fragment)


def test_stack_violation_points_at_the_offending_resource(check_stack):
    violations = check_stack("s3-sse-kms-encrypted", bucket_graph(sse="AES256", key=None))
    assert [(v.resource_type, v.resource_name) for v in violations] == [(SSE, "sse")]
    assert violations[0].urn == "urn:pulumi:test::mlops-platform::" + SSE + "::sse"
