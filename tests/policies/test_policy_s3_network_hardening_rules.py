"""S3, network, SQS hardening: public bucket policies, full TLS-only denies, AWS-managed keys,
access logging, internet-wide ingress unions, default security groups, SQS encryption and the
aws-native twins. Stack rules are checked on both shapes the engine hands them: inputs at
preview and outputs after create (``outputs_*`` fixtures below)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
NATIVE_BUCKET = "aws-native:s3:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
NATIVE_POLICY = "aws-native:s3:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2"
SG = "aws:ec2/securityGroup:SecurityGroup"
NATIVE_SG = "aws-native:ec2:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NATIVE_INGRESS = "aws-native:ec2:SecurityGroupIngress"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
VPC = "aws:ec2/vpc:Vpc"
NATIVE_VPC = "aws-native:ec2:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
NATIVE_FLOW_LOG = "aws-native:ec2:FlowLog"
QUEUE = "aws:sqs/queue:Queue"
NATIVE_QUEUE = "aws-native:sqs:Queue"
NATIVE_LOG_GROUP = "aws-native:logs:LogGroup"
NATIVE_TOPIC = "aws-native:sns:Topic"

KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
NAME = "mlops-data"
ARN = f"arn:aws:s3:::{NAME}"
TAGS = {"owner": "ml", "cost-center": "cc-1", "environment": "prod"}
LOG_TAGS = {**TAGS, "mlops:data-class": "access-logs"}
FLAGS = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [ARN, f"{ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def tls(**changes: Any) -> dict[str, Any]:
    return {**TLS_DENY, **changes}


def public(condition: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"{ARN}/*",
        **changes,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


# --- resource rules ----------------------------------------------------------------------

CASES = [
    # s3-bucket-policy-not-public: public Allow needs a condition pinning who/where
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(
                TLS_DENY, public({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:t"}})
            ),
        },
        None,
        id="public-allow-pinned-to-a-source-arn-passes",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))},
        None,
        id="public-allow-pinned-to-the-organization-passes",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringEquals": {"AWS:principalorgid": "o-abc123"}}))},
        None,
        id="condition-keys-compare-case-insensitively",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}))},
        None,
        id="public-allow-pinned-to-a-cidr-passes",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringEquals": {"AWS:SourceAccount": 111122223333}}))},
        None,
        id="account-pinned-as-a-json-number-passes",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}))},
        None,
        id="public-allow-pinned-to-one-role-id-passes",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringLike": {"aws:userid": "*:*"}}))},
        "allows Principal '*'",
        id="public-allow-on-any-role-session-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(public({"StringEquals": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"}})),
        },
        "without a restricting condition",
        id="a-wildcard-character-under-string-equals-is-public-to-s3",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"Bool": {"aws:SecureTransport": "true"}}, Effect="allow"))},
        "without a restricting condition",
        id="tls-condition-does-not-restrict-who",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(public({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}})),
        },
        "without a restricting condition",
        id="for-all-values-on-a-single-valued-key-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public(Principal={"Service": "logging.s3.amazonaws.com"}))},
        None,
        id="service-principal-is-not-public",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(TLS_DENY, public(Principal={"AWS": "*"}))},
        "Statement[1] allows Principal {'AWS': '*'} without a restricting condition",
        id="aws-star-allow-without-condition-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringLike": {"s3:prefix": ["models/*"]}}))},
        "without a restricting condition",
        id="condition-on-an-irrelevant-key-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}))},
        "without a restricting condition",
        id="negated-operator-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}))},
        "without a restricting condition",
        id="if-exists-operator-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"ArnLike": {"aws:SourceArn": "*"}}))},
        "without a restricting condition",
        id="wildcard-value-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(public({"StringEquals": {"aws:PrincipalOrgID\n": "o-abc123"}}))},
        "without a restricting condition",
        id="condition-key-with-a-trailing-line-break-is-another-key",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(
                public({"ArnLike": {"aws:SourceArn": "arn:aws:sns:eu-west-1:\u0661" + "1" * 11 + ":*"}})
            ),
        },
        "without a restricting condition",
        id="wildcard-arn-with-a-non-ascii-digit-account-is-not-one-account",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(public({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}})),
        },
        "without a restricting condition",
        id="source-ip-covering-the-internet-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc({**public(), "Principal": None, "NotPrincipal": {"AWS": KEY}})},
        "NotPrincipal",
        id="allow-with-not-principal-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        BUCKET,
        {"bucket": NAME, "policy": doc(public())},
        "Statement[0] allows Principal '*'",
        id="inline-bucket-policy-public-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        NATIVE_POLICY,
        {"bucket": NAME, "policyDocument": {"Statement": [public()]}},
        "Statement[0] allows Principal '*'",
        id="aws-native-policy-document-public-fails",
    ),
    pytest.param(
        "s3-bucket-policy-not-public",
        NATIVE_POLICY,
        {"bucket": NAME, "policyDocument": {"Statement": [TLS_DENY, public(Principal={"AWS": KEY})]}},
        None,
        id="aws-native-policy-with-named-principal-passes",
    ),
    # s3-bucket-policy-tls-only: every principal, every action, bucket and objects
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(
                tls(Principal={"AWS": "*"}, Action="*", Condition={"Bool": {"aws:SecureTransport": False}})
            ),
        },
        None,
        id="aws-star-all-actions-boolean-false-passes",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Resource=ARN), tls(Resource=f"{ARN}/*"))},
        None,
        id="bucket-and-objects-denied-by-two-statements-passes",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Principal={"AWS": "arn:aws:iam::111122223333:role/app"}))},
        "Principal is",
        id="deny-for-one-principal-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Action=["s3:GetObject"]))},
        "not 's3:*'",
        id="deny-for-one-action-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Resource=f"{ARN}/*"))},
        "not both the bucket ARN and its objects",
        id="deny-on-objects-only-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Resource=[ARN.upper(), f"{ARN.upper()}/*"]))},
        "not both the bucket ARN and its objects",
        id="deny-on-another-case-of-the-bucket-fails",  # S3 ARNs are case-sensitive
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Action="s3:* "))},
        "not 's3:*'",
        id="deny-whose-action-is-padded-fails",  # a Deny is read exactly: white space cannot widen it
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(
                tls(
                    Condition={
                        "Bool": {"aws:SecureTransport": "false"},
                        "StringEquals": {"aws:PrincipalAccount": "1"},
                    }
                )
            ),
        },
        "narrowed by the condition(s) StringEquals aws:PrincipalAccount",
        id="deny-narrowed-by-another-condition-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc({**tls(), "Principal": None, "NotPrincipal": {"AWS": KEY}})},
        "uses NotPrincipal",
        id="deny-with-not-principal-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        NATIVE_POLICY,
        {"bucket": NAME, "policyDocument": {"Statement": [TLS_DENY]}},
        None,
        id="aws-native-tls-only-policy-passes",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        NATIVE_POLICY,
        {"bucket": NAME, "policyDocument": {"Statement": [public(Principal={"AWS": KEY})]}},
        "aws:SecureTransport",
        id="aws-native-policy-without-tls-deny-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only", BUCKET, {"bucket": NAME}, None, id="bucket-without-inline-policy-passes"
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Resource="*"))},
        None,
        id="deny-on-every-resource-passes",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {"bucket": NAME, "policy": doc(tls(Resource=["arn:aws:s3:::other", "arn:aws:s3:::other/*"]))},
        "not both the bucket ARN and its objects",
        id="deny-on-another-named-bucket-fails",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET_POLICY,
        {
            "bucket": NAME,
            "policy": doc(
                tls(
                    Effect="deny",
                    Action=["s3:GetObject", "S3:*"],
                    Condition={"BoolIfExists": {"AWS:SecureTransport": ["False"]}},
                )
            ),
        },
        None,
        id="case-variants-and-bool-if-exists-pass",
    ),
    pytest.param(
        "s3-bucket-policy-tls-only",
        BUCKET,
        {"bucket": NAME, "policy": doc(tls(Action="s3:PutObject"))},
        "not 's3:*'",
        id="inline-bucket-policy-partial-deny-fails",
    ),
    # s3-public-access-blocked on aws-native buckets
    pytest.param(
        "s3-public-access-blocked",
        NATIVE_BUCKET,
        {"bucketName": NAME, "publicAccessBlockConfiguration": FLAGS},
        None,
        id="aws-native-bucket-with-four-flags-passes",
    ),
    pytest.param(
        "s3-public-access-blocked",
        NATIVE_BUCKET,
        {"bucketName": NAME, "publicAccessBlockConfiguration": {**FLAGS, "ignorePublicAcls": False}},
        "publicAccessBlockConfiguration.ignorePublicAcls",
        id="aws-native-bucket-with-a-flag-off-fails",
    ),
    pytest.param(
        "s3-public-access-blocked",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        {**FLAGS, "blockPublicPolicy": False},
        "blockPublicPolicy",
        id="account-block-with-a-flag-off-fails",
    ),
    pytest.param(
        "s3-public-access-blocked",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        FLAGS,
        None,
        id="account-block-with-four-flags-passes",
    ),
    # security-group-no-unrestricted-ingress: /0 in any spelling, or CIDRs covering the space
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG,
        {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/1"]}]},
        "public IPv4 addresses (more than a /8)",
        id="half-the-internet-alone-fails",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG,
        {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"],
                }
            ]
        },
        "together cover 0.0.0.0/0",
        id="two-halves-in-one-rule-fail",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG,
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/1"]},
                {
                    "protocol": "tcp",
                    "fromPort": 22,
                    "toPort": 22,
                    "cidrBlocks": ["128.0.0.0/2", "192.0.0.0/2"],
                },
            ]
        },
        "the ingress rules' CIDRs together cover 0.0.0.0/0",
        id="halves-across-inline-rules-fail",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG,
        {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "prefixListIds": ["pl-1"],
                    "securityGroups": ["sg-1"],
                }
            ]
        },
        None,
        id="prefix-list-and-group-sources-pass",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        INGRESS,
        {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv4": "10.1.2.3/0"},
        "10.1.2.3/0",
        id="slash-zero-with-host-bits-fails",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG_RULE,
        {
            "type": "ingress",
            "securityGroupId": "sg-1",
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "ipv6CidrBlocks": ["::/1", "8000::/1"],
        },
        "together cover ::/0",
        id="ipv6-halves-in-one-rule-fail",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG_RULE,
        {
            "type": "egress",
            "securityGroupId": "sg-1",
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "cidrBlocks": ["0.0.0.0/0"],
        },
        None,
        id="egress-rule-is-not-ingress",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        NATIVE_SG,
        {
            "groupDescription": "x",
            "securityGroupIngress": [
                {"ipProtocol": "tcp", "cidrIpv6": "::/1"},
                {"ipProtocol": "tcp", "cidrIpv6": "8000::/1"},
            ],
        },
        "together cover ::/0",
        id="aws-native-group-ipv6-halves-fail",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        NATIVE_INGRESS,
        {"groupId": "sg-1", "ipProtocol": "tcp", "cidrIp": "0.0.0.0/0"},
        "0.0.0.0/0",
        id="aws-native-ingress-from-anywhere-fails",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        NATIVE_INGRESS,
        {"groupId": "sg-1", "ipProtocol": "tcp", "cidrIp": "10.0.0.0/16"},
        None,
        id="aws-native-ingress-from-the-vpc-passes",
    ),
    # default-security-group-no-rules
    pytest.param(
        "default-security-group-no-rules",
        DEFAULT_SG,
        {"vpcId": "vpc-1"},
        None,
        id="empty-default-group-passes",
    ),
    pytest.param(
        "default-security-group-no-rules",
        DEFAULT_SG,
        {"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]},
        "ingress rules",
        id="default-group-with-ingress-fails",
    ),
    pytest.param(
        "default-security-group-no-rules",
        DEFAULT_SG,
        {
            "vpcId": "vpc-1",
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]}],
        },
        "egress rules",
        id="default-group-with-egress-fails",
    ),
    # sqs-queue-kms-encrypted
    pytest.param(
        "sqs-queue-kms-encrypted", QUEUE, {"kmsMasterKeyId": KEY}, None, id="queue-with-customer-key-passes"
    ),
    pytest.param(
        "sqs-queue-kms-encrypted",
        QUEUE,
        {"name": "q"},
        "kmsMasterKeyId is unset",
        id="unencrypted-queue-fails",
    ),
    pytest.param(
        "sqs-queue-kms-encrypted",
        QUEUE,
        {"sqsManagedSseEnabled": True},
        "allowSqsManagedSse",
        id="sse-sqs-fails-by-default",
    ),
    pytest.param(
        "sqs-queue-kms-encrypted",
        QUEUE,
        {"kmsMasterKeyId": "alias/aws/sqs"},
        "the AWS-managed key",
        id="aws-managed-sqs-alias-fails",
    ),
    pytest.param(
        "sqs-queue-kms-encrypted",
        NATIVE_QUEUE,
        {"kmsMasterKeyId": "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/sqs"},
        "the AWS-managed key",
        id="aws-native-queue-with-aws-managed-alias-arn-fails",
    ),
    pytest.param(
        "sqs-queue-kms-encrypted",
        NATIVE_QUEUE,
        {"kmsMasterKeyId": "alias/mlops-queues"},
        None,
        id="aws-native-queue-with-customer-alias-passes",
    ),
    # aws-native twins of the log-group and topic rules
    pytest.param(
        "log-group-kms-encrypted",
        NATIVE_LOG_GROUP,
        {"retentionInDays": 365, "kmsKeyId": KEY},
        None,
        id="aws-native-log-group-with-key-passes",
    ),
    pytest.param(
        "log-group-kms-encrypted",
        NATIVE_LOG_GROUP,
        {"retentionInDays": 365},
        "kmsKeyId",
        id="aws-native-log-group-without-key-fails",
    ),
    pytest.param(
        "log-group-retention",
        NATIVE_LOG_GROUP,
        {"kmsKeyId": KEY},
        "retentionInDays",
        id="aws-native-log-group-without-retention-fails",
    ),
    pytest.param(
        "sns-topic-kms-encrypted",
        NATIVE_TOPIC,
        {"kmsMasterKeyId": KEY},
        None,
        id="aws-native-topic-with-key-passes",
    ),
    pytest.param(
        "sns-topic-kms-encrypted",
        NATIVE_TOPIC,
        {"topicName": "t"},
        "kmsMasterKeyId",
        id="aws-native-topic-without-key-fails",
    ),
    # public-access-switches-kept-on: an account switch turned to its open position
    pytest.param(
        "public-access-switches-kept-on",
        "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess",
        {"state": "block-all-sharing"},
        None,
        id="ebs-snapshot-block-public-access-on-passes",
    ),
    pytest.param(
        "public-access-switches-kept-on",
        "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess",
        {"state": "unblocked"},
        "state is 'unblocked'",
        id="ebs-snapshot-block-public-access-unblocked-fails",
    ),
    # data-stores-encrypted-at-rest: a store whose switch is off (or unset where that is unencrypted)
    pytest.param(
        "data-stores-encrypted-at-rest",
        "aws:rds/instance:Instance",
        {"engine": "postgres", "storageEncrypted": True},
        None,
        id="rds-instance-encrypted-passes",
    ),
    pytest.param(
        "data-stores-encrypted-at-rest",
        "aws:rds/instance:Instance",
        {"engine": "postgres"},
        "storageEncrypted is unset",
        id="rds-instance-unencrypted-by-default-fails",
    ),
    # s3-public-access-blocked on an access point: an unset flag is S3's true, false is refused
    pytest.param(
        "s3-public-access-blocked",
        "aws:s3/accessPoint:AccessPoint",
        {"bucket": NAME, "publicAccessBlockConfiguration": {"blockPublicAcls": True}},
        None,
        id="access-point-with-unset-flags-passes",
    ),
    pytest.param(
        "s3-public-access-blocked",
        "aws:s3/accessPoint:AccessPoint",
        {"bucket": NAME, "publicAccessBlockConfiguration": {**FLAGS, "restrictPublicBuckets": False}},
        "publicAccessBlockConfiguration.restrictPublicBuckets not true",
        id="access-point-restrict-public-buckets-false-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


def test_sse_sqs_passes_when_the_config_allows_it(check_resource, outcome):
    config = {"sqs-queue-kms-encrypted": {"allowSqsManagedSse": True}}
    violations = check_resource("sqs-queue-kms-encrypted", QUEUE, {"sqsManagedSseEnabled": True}, config)
    outcome(violations, "sqs-queue-kms-encrypted", None)


# --- stack fixtures: inputs (preview) and outputs (after create) -------------------------


def sse_rule(algorithm: str = "aws:kms", key: str | None = KEY) -> dict[str, Any]:
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return {"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}


def v2_sse(algorithm: str = "aws:kms", key: str | None = KEY) -> dict[str, Any]:
    """A BucketV2's inline block as pulumi-aws sends it: every nested block is a list, and the
    default is ``applyServerSideEncryptionByDefaults`` (plural)."""
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return {"rules": [{"applyServerSideEncryptionByDefaults": [default], "bucketKeyEnabled": True}]}


def inputs_bucket(name: str = "data", *, tags: dict[str, str] = TAGS, **extra: Any) -> dict[str, Any]:
    """A bucket as the program declares it: an autonamed bucket has no name yet."""
    return {"type": BUCKET, "name": name, "inputs": {"tags": tags, "forceDestroy": False, **extra}}


def outputs_bucket(name: str = "data", *, tags: dict[str, str] = TAGS, **extra: Any) -> dict[str, Any]:
    """The same bucket's outputs after create: id, ARN, resolved name and S3's computed defaults
    (SSE-S3 AES256, versioning off, no logging target) whatever its companions set."""
    physical = f"{NAME}-{name}"
    return {
        "type": BUCKET,
        "name": name,
        "inputs": {
            "id": physical,
            "arn": f"arn:aws:s3:::{physical}",
            "bucket": physical,
            "bucketDomainName": f"{physical}.s3.amazonaws.com",
            "region": "eu-west-1",
            "forceDestroy": False,
            "tags": tags,
            "tagsAll": tags,
            "serverSideEncryptionConfiguration": {
                "rule": sse_rule("AES256", "") | {"bucketKeyEnabled": False}
            },
            "versioning": {"enabled": False, "mfaDelete": False},
            "logging": {"targetBucket": "", "targetPrefix": ""},
            "policy": "",
            **extra,
        },
    }


def companion(
    kind: str, name: str, bucket: str, shape: str, inputs: dict[str, Any], *, linked: bool = True
) -> dict[str, Any]:
    """A companion of bucket ``bucket``; in outputs its ``bucket`` is the resolved name and it has an ``id``."""
    resolved = f"{NAME}-{bucket}"
    props = {**inputs}
    if shape == "outputs":
        props |= {"bucket": resolved, "id": resolved}
    elif not linked:
        props["bucket"] = resolved
    spec: dict[str, Any] = {"type": kind, "name": name, "inputs": props}
    if linked:
        spec["deps"] = {"bucket": [bucket]}
    return spec


def bucket_stack(
    shape: str,
    *,
    tags: dict[str, str] = TAGS,
    sse: list[dict[str, Any]] | None = None,
    logging: bool = True,
    policy: list[dict[str, Any]] | None = None,
    linked: bool = True,
) -> list[dict[str, Any]]:
    """One bucket with its companions in the given shape; ``sse=[]`` drops the encryption resource."""
    bucket = (outputs_bucket if shape == "outputs" else inputs_bucket)("data", tags=tags)
    if shape == "inputs" and not linked:
        bucket["inputs"]["bucket"] = f"{NAME}-data"
    arn = f"arn:aws:s3:::{NAME}-data"
    statements = policy if policy is not None else [tls(Resource=[arn, f"{arn}/*"])]
    specs = [
        bucket,
        companion(PAB, "pab", "data", shape, dict(FLAGS), linked=linked),
        companion(BUCKET_POLICY, "policy", "data", shape, {"policy": doc(*statements)}, linked=linked),
        companion(
            VERSIONING,
            "versioning",
            "data",
            shape,
            {"versioningConfiguration": {"status": "Enabled"}},
            linked=linked,
        ),
    ]
    rules = [sse_rule()] if sse is None else sse
    if rules:
        specs.append(companion(SSE, "sse", "data", shape, {"rules": rules}, linked=linked))
    if logging:
        specs.append(
            companion(
                LOGGING,
                "logging",
                "data",
                shape,
                {"targetBucket": "access-logs", "targetPrefix": "data/"},
                linked=linked,
            )
        )
    return specs


def v2_inline_stack() -> list[dict[str, Any]]:
    """The companions of :func:`bucket_stack` around a BucketV2 that encrypts with its own inline block."""
    specs = bucket_stack("inputs", sse=[])
    inputs = {**specs[0]["inputs"], "serverSideEncryptionConfigurations": [v2_sse()]}
    return [{**specs[0], "type": BUCKET_V2, "inputs": inputs}, *specs[1:]]


def native_bucket(**props: Any) -> dict[str, Any]:
    base = {
        "bucketName": NAME,
        "tags": [{"key": k, "value": v} for k, v in TAGS.items()],
        "publicAccessBlockConfiguration": FLAGS,
        "versioningConfiguration": {"status": "Enabled"},
        "bucketEncryption": {
            "serverSideEncryptionConfiguration": [
                {"serverSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}
            ]
        },
        "loggingConfiguration": {"destinationBucketName": "access-logs", "logFilePrefix": "data/"},
    }
    return {"type": NATIVE_BUCKET, "name": "native", "inputs": {**base, **props}}


def native_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": NATIVE_POLICY,
        "name": "native-policy",
        "inputs": {"bucket": NAME, "policyDocument": {"Statement": list(statements)}},
        "deps": {"bucket": ["native"]},
    }


SHAPES = ("inputs", "outputs")


def both(policy: str, build: Any, fragment: str | None, case: str) -> list[Any]:
    return [pytest.param(policy, build(shape), fragment, id=f"{case}-{shape}") for shape in SHAPES]


STACK_CASES = [
    # s3-sse-kms-encrypted: companion wins over the computed AES256 in outputs
    *both("s3-sse-kms-encrypted", lambda s: bucket_stack(s), None, "kms-companion-passes"),
    *both(
        "s3-sse-kms-encrypted",
        lambda s: bucket_stack(s, linked=False),
        None,
        "kms-companion-by-literal-name-passes",
    ),
    *both(
        "s3-sse-kms-encrypted",
        lambda s: bucket_stack(s, sse=[sse_rule("aws:kms:dsse")]),
        None,
        "dsse-with-customer-key-passes",
    ),
    *both(
        "s3-sse-kms-encrypted",
        lambda s: bucket_stack(s, sse=[sse_rule(key="alias/aws/s3")]),
        "'alias/aws/s3', the AWS-managed key",
        "aws-managed-alias-fails",
    ),
    *both(
        "s3-sse-kms-encrypted",
        lambda s: bucket_stack(s, sse=[sse_rule(key="arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/s3")]),
        "the AWS-managed key",
        "aws-managed-alias-arn-in-china-fails",
    ),
    *both(
        "s3-sse-kms-encrypted",
        lambda s: bucket_stack(s, sse=[sse_rule(key=None)]),
        "kmsMasterKeyId is unset",
        "kms-without-key-fails",
    ),
    *both(
        "s3-sse-kms-encrypted", lambda s: bucket_stack(s, sse=[]), "AES256", "bucket-without-encryption-fails"
    ),
    *both(
        "s3-sse-kms-encrypted",
        lambda s: bucket_stack(s, tags=LOG_TAGS, sse=[]),
        None,
        "access-log-bucket-on-s3-default-passes",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        [inputs_bucket(serverSideEncryptionConfiguration={"rule": sse_rule(key="alias/aws/s3")})],
        "the AWS-managed key",
        id="inline-aws-managed-alias-fails",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        [{"type": BUCKET_V2, "name": "v2", "inputs": {"serverSideEncryptionConfigurations": [v2_sse()]}}],
        None,
        id="bucket-v2-inline-kms-passes",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        [
            {
                "type": BUCKET_V2,
                "name": "v2",
                "inputs": {"serverSideEncryptionConfigurations": [v2_sse("AES256", None)]},
            }
        ],
        "sseAlgorithm is 'AES256'",
        id="bucket-v2-inline-aes256-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline", v2_inline_stack(), None, id="bucket-v2-inline-kms-counts-as-encrypted"
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        [
            inputs_bucket(),
            {
                "type": SSE_V2,
                "name": "sse",
                "inputs": {"rules": [sse_rule("AES256", None)]},
                "deps": {"bucket": ["data"]},
            },
        ],
        "sseAlgorithm is 'AES256'",
        id="v2-companion-with-aes256-fails",
    ),
    pytest.param("s3-sse-kms-encrypted", [native_bucket()], None, id="aws-native-bucket-kms-passes"),
    pytest.param(
        "s3-sse-kms-encrypted",
        [
            native_bucket(
                bucketEncryption={
                    "serverSideEncryptionConfiguration": [
                        {
                            "serverSideEncryptionByDefault": {
                                "sseAlgorithm": "aws:kms",
                                "kmsMasterKeyId": "alias/aws/s3",
                            }
                        }
                    ]
                }
            )
        ],
        "bucketEncryption.serverSideEncryptionConfiguration[0].serverSideEncryptionByDefault.kmsMasterKeyId",
        id="aws-native-bucket-aws-managed-key-fails",
    ),
    pytest.param(
        "s3-sse-kms-encrypted",
        [native_bucket(bucketEncryption=None)],
        "no default-encryption configuration",
        id="aws-native-bucket-without-encryption-fails",
    ),
    # s3-bucket-access-logging
    *both(
        "s3-bucket-access-logging", lambda s: bucket_stack(s), None, "bucket-with-logging-companion-passes"
    ),
    *both(
        "s3-bucket-access-logging",
        lambda s: bucket_stack(s, linked=False),
        None,
        "logging-by-literal-name-passes",
    ),
    *both(
        "s3-bucket-access-logging",
        lambda s: bucket_stack(s, logging=False),
        "no server access logging",
        "bucket-without-logging-fails",
    ),
    *both(
        "s3-bucket-access-logging",
        lambda s: bucket_stack(s, tags=LOG_TAGS, logging=False),
        None,
        "access-log-bucket-is-exempt",
    ),
    pytest.param(
        "s3-bucket-access-logging",
        [inputs_bucket(logging={"targetBucket": "access-logs", "targetPrefix": "data/"})],
        None,
        id="inline-logging-passes",
    ),
    pytest.param(
        "s3-bucket-access-logging",
        [
            inputs_bucket(),
            {
                "type": LOGGING_V2,
                "name": "log",
                "inputs": {"targetBucket": "logs"},
                "deps": {"bucket": ["data"]},
            },
        ],
        None,
        id="logging-v2-companion-passes",
    ),
    pytest.param(
        "s3-bucket-access-logging",
        [
            inputs_bucket("data"),
            inputs_bucket("other"),
            {
                "type": LOGGING,
                "name": "log",
                "inputs": {"targetBucket": "logs"},
                "deps": {"bucket": ["other"]},
            },
        ],
        "bucket 'data' has no server access logging",
        id="logging-of-another-bucket-does-not-count",
    ),
    pytest.param(
        "s3-bucket-access-logging", [native_bucket()], None, id="aws-native-logging-configuration-passes"
    ),
    pytest.param(
        "s3-bucket-access-logging",
        [native_bucket(loggingConfiguration=None)],
        "loggingConfiguration",
        id="aws-native-bucket-without-logging-fails",
    ),
    pytest.param(
        "s3-bucket-access-logging",
        [
            {
                "type": "pulumi:providers:aws",
                "name": "logs-provider",
                "inputs": {"region": "eu-west-1", "defaultTags": json.dumps({"tags": LOG_TAGS})},
                "custom": True,
            },
            {**inputs_bucket(tags=TAGS), "provider": "logs-provider"},
        ],
        None,
        id="access-log-tag-from-provider-default-tags-is-exempt",
    ),
    # s3-bucket-security-baseline, both shapes and aws-native
    *both("s3-bucket-security-baseline", lambda s: bucket_stack(s), None, "complete-bucket-passes"),
    *both(
        "s3-bucket-security-baseline",
        lambda s: bucket_stack(s, policy=[tls(Action="s3:GetObject")]),
        "TLS-only BucketPolicy",
        "partial-tls-deny-fails",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        bucket_stack(
            "outputs", policy=[tls(Resource=["arn:aws:s3:::someone-else", "arn:aws:s3:::someone-else/*"])]
        ),
        "TLS-only BucketPolicy",
        id="tls-deny-on-another-bucket-fails-outputs",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        [native_bucket(), native_policy(TLS_DENY)],
        None,
        id="aws-native-complete-bucket-passes",
    ),
    pytest.param(
        "s3-bucket-security-baseline",
        [native_bucket(versioningConfiguration={"status": "Suspended"}), native_policy(TLS_DENY)],
        "BucketVersioning",
        id="aws-native-bucket-without-versioning-fails",
    ),
]


# --- network stack fixtures ---------------------------------------------------------------


def group_stack(
    shape: str, cidrs: list[str], *, rule_type: str = INGRESS, same_group: bool = True
) -> list[dict[str, Any]]:
    """A security group and one rule resource per CIDR; outputs link rules by literal id too."""
    specs: list[dict[str, Any]] = []
    for group in ("web", "other"):
        props = {"vpcId": "vpc-1", "description": group}
        if shape == "outputs":
            props |= {
                "id": f"sg-{group}",
                "arn": f"arn:aws:ec2:eu-west-1:1:security-group/sg-{group}",
                "ingress": [],
                "egress": [],
            }
        specs.append({"type": SG, "name": group, "inputs": props})
    for index, cidr in enumerate(cidrs):
        group = "web" if same_group or index == 0 else "other"
        if rule_type == INGRESS:
            props = {
                "ipProtocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrIpv4" if ":" not in cidr else "cidrIpv6": cidr,
            }
        else:
            key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
            props = {"type": "ingress", "protocol": "tcp", "fromPort": 443, "toPort": 443, key: [cidr]}
        if shape == "outputs":
            props |= {"securityGroupId": f"sg-{group}", "id": f"sgr-{index}"}
        specs.append(
            {
                "type": rule_type,
                "name": f"rule-{index}",
                "inputs": props,
                "deps": {"securityGroupId": [group]},
            }
        )
    return specs


def vpc_stack(
    shape: str, *, flow_log: bool = True, default_sg: bool = True, linked: bool = True
) -> list[dict[str, Any]]:
    vpc_props: dict[str, Any] = {"cidrBlock": "10.0.0.0/16", "enableDnsSupport": True}
    if shape == "outputs":
        vpc_props |= {
            "id": "vpc-1",
            "arn": "arn:aws:ec2:eu-west-1:1:vpc/vpc-1",
            "defaultSecurityGroupId": "sg-default",
        }
    specs: list[dict[str, Any]] = [{"type": VPC, "name": "vpc", "inputs": vpc_props}]
    deps = {"vpcId": ["vpc"]} if linked else {}
    literal = {"vpcId": "vpc-1"} if shape == "outputs" or not linked else {}
    if flow_log:
        specs.append(
            {"type": FLOW_LOG, "name": "flow", "inputs": {"trafficType": "ALL", **literal}, "deps": deps}
        )
    if default_sg:
        props = {
            **literal,
            **({"id": "sg-default", "ingress": [], "egress": []} if shape == "outputs" else {}),
        }
        specs.append({"type": DEFAULT_SG, "name": "default-sg", "inputs": props, "deps": deps})
    return specs


STACK_CASES += [
    # security-group-ingress-union-restricted
    *both(
        "security-group-ingress-union-restricted",
        lambda s: group_stack(s, ["0.0.0.0/1", "128.0.0.0/1"]),
        "together covers 0.0.0.0/0",
        "two-rules-covering-ipv4-fail",
    ),
    *both(
        "security-group-ingress-union-restricted",
        lambda s: group_stack(s, ["::/1", "8000::/1"], rule_type=SG_RULE),
        "together covers ::/0",
        "two-security-group-rules-covering-ipv6-fail",
    ),
    *both(
        "security-group-ingress-union-restricted",
        lambda s: group_stack(s, ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3"]),
        "together covers 0.0.0.0/0",
        "four-rules-summing-to-ipv4-fail",
    ),
    *both(
        "security-group-ingress-union-restricted",
        lambda s: group_stack(s, ["0.0.0.0/1", "128.0.0.0/2"]),
        "public IPv4 addresses (more than a /8), as open as the whole internet",
        "three-quarters-of-the-internet-fail",
    ),
    *both(
        "security-group-ingress-union-restricted",
        lambda s: group_stack(s, ["0.0.0.0/1", "128.0.0.0/1"], same_group=False),
        None,
        "halves-on-two-different-groups-pass",
    ),
    pytest.param(
        "security-group-ingress-union-restricted",
        [
            {
                "type": SG,
                "name": "web",
                "inputs": {
                    "ingress": [{"protocol": "tcp", "fromPort": 1, "toPort": 1, "cidrBlocks": ["0.0.0.0/1"]}]
                },
            },
            {
                "type": INGRESS,
                "name": "half",
                "inputs": {"ipProtocol": "-1", "cidrIpv4": "128.0.0.0/1"},
                "deps": {"securityGroupId": ["web"]},
            },
        ],
        "together covers 0.0.0.0/0",
        id="inline-plus-separate-rule-fail",
    ),
    pytest.param(
        "security-group-ingress-union-restricted",
        # After apply (ids known): the rule depends on group "other" (its id fed an apply) but opens
        # "web", whose inline half it completes.
        [
            {"type": SG, "name": "other", "inputs": {"id": "sg-0other"}},
            {
                "type": SG,
                "name": "web",
                "inputs": {
                    "id": "sg-0web",
                    "ingress": [{"protocol": "tcp", "fromPort": 1, "toPort": 1, "cidrBlocks": ["0.0.0.0/1"]}],
                },
            },
            {
                "type": INGRESS,
                "name": "half",
                "inputs": {"securityGroupId": "sg-0web", "ipProtocol": "-1", "cidrIpv4": "128.0.0.0/1"},
                "deps": {"securityGroupId": ["other"]},
            },
        ],
        "security group 'web': ingress from half, web together covers 0.0.0.0/0",
        id="rule-naming-another-group-than-its-dependency-counts-for-the-named-one",
    ),
    pytest.param(
        "security-group-ingress-union-restricted",
        [
            {
                "type": NATIVE_SG,
                "name": "web",
                "inputs": {
                    "groupDescription": "web",
                    "securityGroupIngress": [{"ipProtocol": "tcp", "cidrIp": "0.0.0.0/1"}],
                },
            },
            {
                "type": NATIVE_INGRESS,
                "name": "half",
                "inputs": {"ipProtocol": "tcp", "cidrIp": "128.0.0.0/1"},
                "deps": {"groupId": ["web"]},
            },
        ],
        "together covers 0.0.0.0/0",
        id="aws-native-group-and-ingress-fail",
    ),
    pytest.param(
        "security-group-ingress-union-restricted",
        [
            {
                "type": INGRESS,
                "name": "a",
                "inputs": {"securityGroupId": "sg-existing", "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/1"},
            },
            {
                "type": INGRESS,
                "name": "b",
                "inputs": {"securityGroupId": "sg-existing", "ipProtocol": "-1", "cidrIpv4": "128.0.0.0/1"},
            },
        ],
        "security group sg-existing",
        id="rules-on-an-existing-group-id-fail",
    ),
    # vpc-default-security-group-adopted
    *both(
        "vpc-default-security-group-adopted",
        lambda s: vpc_stack(s),
        None,
        "vpc-with-adopted-default-group-passes",
    ),
    pytest.param(  # a literal id exists only once the VPC does: outputs
        "vpc-default-security-group-adopted",
        vpc_stack("outputs", linked=False),
        None,
        id="default-group-by-literal-vpc-id-passes-outputs",
    ),
    *both(
        "vpc-default-security-group-adopted",
        lambda s: vpc_stack(s, default_sg=False),
        "adopt it with aws.ec2.DefaultSecurityGroup",
        "vpc-without-default-group-fails",
    ),
    pytest.param(
        "vpc-default-security-group-adopted",
        [
            *vpc_stack("inputs"),
            {
                "type": INGRESS,
                "name": "into-default",
                "inputs": {"ipProtocol": "-1", "cidrIpv4": "10.0.0.0/16"},
                "deps": {"securityGroupId": ["vpc"]},
            },
        ],
        "adds a rule to a VPC's default security group",
        id="rule-on-the-vpc-default-group-id-fails-inputs",
    ),
    pytest.param(
        "vpc-default-security-group-adopted",
        [
            *vpc_stack("outputs"),
            {
                "type": EGRESS,
                "name": "out-of-default",
                "inputs": {"securityGroupId": "sg-default", "ipProtocol": "-1", "cidrIpv4": "10.0.0.0/16"},
            },
        ],
        "adds a rule to a VPC's default security group",
        id="egress-rule-on-the-default-group-fails-outputs",
    ),
    pytest.param(
        "vpc-default-security-group-adopted",
        [
            {"type": NATIVE_VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
            {"type": DEFAULT_SG, "name": "default-sg", "inputs": {}, "deps": {"vpcId": ["vpc"]}},
        ],
        None,
        id="aws-native-vpc-with-adopted-default-group-passes",
    ),
    pytest.param(
        "vpc-default-security-group-adopted",
        [{"type": "aws:ec2/defaultVpc:DefaultVpc", "name": "default-vpc", "inputs": {}}],
        "VPC 'default-vpc' leaves its default security group",
        id="adopted-default-vpc-needs-its-default-group-emptied",
    ),
    pytest.param(
        "vpc-default-security-group-adopted",
        [
            {
                "type": NATIVE_VPC,
                "name": "vpc",
                "inputs": {"vpcId": "vpc-9", "defaultSecurityGroup": "sg-0def"},
            },
            {"type": DEFAULT_SG, "name": "default-sg", "inputs": {"vpcId": "vpc-9"}},
            {
                "type": NATIVE_INGRESS,
                "name": "into-default",
                "inputs": {"groupId": "sg-0def", "ipProtocol": "tcp", "cidrIp": "10.0.0.0/8"},
            },
        ],
        "adds a rule to a VPC's default security group",
        id="aws-native-rule-on-the-default-group-fails-outputs",
    ),
    pytest.param(
        "security-group-ingress-union-restricted",
        [
            {
                "type": NATIVE_SG,
                "name": "web",
                "inputs": {"groupName": "web", "groupId": "sg-1", "securityGroupIngress": []},
            },
            {
                "type": NATIVE_INGRESS,
                "name": "a",
                "inputs": {"groupName": "web", "ipProtocol": "tcp", "cidrIp": "0.0.0.0/1"},
            },
            {
                "type": NATIVE_INGRESS,
                "name": "b",
                "inputs": {"groupId": "sg-1", "ipProtocol": "tcp", "cidrIp": "128.0.0.0/1"},
            },
        ],
        "security group 'web'",
        id="aws-native-rules-by-group-name-and-id-fail-outputs",
    ),
    # vpc-flow-logs-enabled, both shapes and aws-native
    *both("vpc-flow-logs-enabled", lambda s: vpc_stack(s), None, "vpc-with-flow-log-passes"),
    pytest.param(  # a literal id exists only once the VPC does: outputs
        "vpc-flow-logs-enabled",
        vpc_stack("outputs", linked=False),
        None,
        id="flow-log-by-literal-vpc-id-passes-outputs",
    ),
    *both(
        "vpc-flow-logs-enabled",
        lambda s: vpc_stack(s, flow_log=False),
        "has no aws.ec2.FlowLog",
        "vpc-without-flow-log-fails",
    ),
    pytest.param(
        "vpc-flow-logs-enabled",
        [
            {"type": NATIVE_VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
            {
                "type": NATIVE_FLOW_LOG,
                "name": "flow",
                "inputs": {"resourceType": "VPC", "trafficType": "ALL"},
                "deps": {"resourceId": ["vpc"]},
            },
        ],
        None,
        id="aws-native-vpc-flow-log-passes",
    ),
    pytest.param(
        "vpc-flow-logs-enabled",
        [
            {"type": NATIVE_VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16", "vpcId": "vpc-9"}},
            {
                "type": NATIVE_FLOW_LOG,
                "name": "flow",
                "inputs": {"resourceType": "Subnet", "resourceId": "vpc-9"},
            },
        ],
        "has no aws.ec2.FlowLog",
        id="aws-native-subnet-flow-log-does-not-cover-the-vpc",
    ),
]


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs), policy_name, fragment)


# --- undecided: stack rules count what they could not decide at preview ------------------

UNDECIDED_CASES = [
    pytest.param(
        "s3-sse-kms-encrypted",
        [
            inputs_bucket(),
            {
                "type": SSE,
                "name": "sse",
                "inputs": {"rules": UNKNOWN_STRING_VALUE},
                "deps": {"bucket": ["data"]},
            },
        ],
        id="encryption-rules-unknown",
    ),
    pytest.param(
        "s3-bucket-access-logging",
        [
            inputs_bucket(),
            {
                "type": LOGGING,
                "name": "log",
                "inputs": {"bucket": UNKNOWN_STRING_VALUE, "targetBucket": "logs"},
            },
        ],
        id="logging-target-bucket-unknown-and-unlinked",
    ),
    pytest.param(
        "vpc-flow-logs-enabled",
        [
            {"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
            {"type": FLOW_LOG, "name": "flow", "inputs": {"vpcId": UNKNOWN_STRING_VALUE}},
        ],
        id="flow-log-vpc-id-unknown-and-unlinked",
    ),
    pytest.param(
        "vpc-default-security-group-adopted",
        [
            {"type": VPC, "name": "vpc", "inputs": {}},
            {"type": DEFAULT_SG, "name": "d", "inputs": {"vpcId": UNKNOWN_STRING_VALUE}},
        ],
        id="default-group-vpc-id-unknown-and-unlinked",
    ),
    pytest.param(
        "security-group-ingress-union-restricted",
        [
            {"type": SG, "name": "web", "inputs": {}},
            {
                "type": INGRESS,
                "name": "a",
                "inputs": {"securityGroupId": UNKNOWN_STRING_VALUE, "cidrIpv4": "0.0.0.0/1"},
            },
        ],
        id="rule-group-unknown-and-unlinked",
    ),
]


@pytest.mark.parametrize(("policy_name", "specs"), UNDECIDED_CASES)
def test_stack_rule_counts_what_it_cannot_decide(records, policy_name, specs):
    report = evaluate_report(records(specs), None, [get_policy(policy_name)])
    assert report.violations == []
    [undecided] = report.undecided
    assert undecided.policy_name == policy_name
    assert "can't be known during preview" in undecided.reason
    assert report.stack_undecided == {policy_name: 1}


def test_undecided_resources_do_not_hide_violations_of_the_others(records):
    specs = [
        *bucket_stack("inputs", logging=False),
        inputs_bucket("pending"),
        {"type": LOGGING, "name": "log", "inputs": {"bucket": UNKNOWN_STRING_VALUE, "targetBucket": "logs"}},
    ]
    specs[0]["name"] = "data"
    report = evaluate_report(records(specs), None, [get_policy("s3-bucket-access-logging")])
    # The unlinked logging resource may configure either bucket: both undecided, nothing reported.
    assert report.violations == []
    assert sorted(u.urn.rsplit("::", 1)[-1] for u in report.undecided) == ["data", "pending"]
    linked = [s for s in specs if s["name"] != "log"] + [
        {"type": LOGGING, "name": "log", "inputs": {"targetBucket": "logs"}, "deps": {"bucket": ["pending"]}}
    ]
    report = evaluate_report(records(linked), None, [get_policy("s3-bucket-access-logging")])
    assert [v.resource_name for v in report.violations] == ["data"] and report.undecided == []
