"""Request tables for the platform's foundation: IAM, KMS, S3, EC2 networking and VPC security group rules.

The same kind of tables as ``tests/aws_requests.py`` (which merges these into ``REQUESTS``): every
top-level camelCase input of a type maps to the API member pulumi-aws (the Terraform AWS provider
underneath) sends it as, call by call. Where the provider changes a value's shape (tags as an EC2
``TagSpecifications`` list or an S3 object's URL-encoded ``Tagging``, a flag as EC2's
``{"Value": ...}`` attribute, a single block as the API's list) a small function says so. What the
provider itself fills in (a created key's id, a client token) is in ``provider_fills``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from tests.aws_calls import Call, combined_input, tag_list


def _no_member(value: Any) -> dict[str, Any]:
    """An input the provider keeps to itself (how it deletes), no part of any request."""
    return {}


# --- shape changes -----------------------------------------------------------------------------


def _kms_tags(value: Mapping[str, str]) -> dict[str, Any]:
    return {"Tags": [{"TagKey": key, "TagValue": item} for key, item in value.items()]}


def _tag_specifications(resource_type: str) -> Callable[[Any], dict[str, Any]]:
    """EC2 tags travel with the create call as a ``TagSpecifications`` entry for the resource type."""
    return lambda value: {"TagSpecifications": [{"ResourceType": resource_type, **tag_list(value)}]}


def _attribute_value(member: str) -> Callable[[Any], dict[str, Any]]:
    """An EC2 ``Modify*Attribute`` flag: ``{"EnableDnsSupport": {"Value": true}}``."""
    return lambda value: {member: {"Value": value}}


def _bucket_tagging(value: Mapping[str, str]) -> dict[str, Any]:
    return {"Tagging": {"TagSet": tag_list(value)["Tags"]}}


def _object_tagging(value: Mapping[str, str]) -> dict[str, Any]:
    """PutObject takes its tags as one URL-encoded query string."""
    return {"Tagging": urlencode(dict(value))}


def _security_group_rule(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's single ``IpPermission``: its peer (a CIDR, a prefix list or a security group)
    carries the rule's description, as the provider's ``expandIPPermission`` builds it."""
    permission = {
        member: inputs[key]
        for key, member in (("ipProtocol", "IpProtocol"), ("fromPort", "FromPort"), ("toPort", "ToPort"))
        if key in inputs
    }
    described = {"Description": inputs["description"]} if "description" in inputs else {}
    for key, member, peer in (
        ("cidrIpv4", "IpRanges", "CidrIp"),
        ("cidrIpv6", "Ipv6Ranges", "CidrIpv6"),
        ("prefixListId", "PrefixListIds", "PrefixListId"),
        ("referencedSecurityGroupId", "UserIdGroupPairs", "GroupId"),
    ):
        if key in inputs:
            permission[member] = [{peer: inputs[key], **described}]
    return {"IpPermissions": [permission]}


_RULE_INPUTS = ("ipProtocol", "fromPort", "toPort", "description", "cidrIpv4", "cidrIpv6")
_RULE_INPUTS += ("prefixListId", "referencedSecurityGroupId")


def _security_group_rule_call(operation: str) -> Call:
    return Call(
        "ec2",
        operation,
        {
            "securityGroupId": "GroupId",
            **dict.fromkeys(_RULE_INPUTS, combined_input),
            "tags": _tag_specifications("security-group-rule"),
        },
        combined=_security_group_rule,
    )


def _flow_log_resource(resource_type: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: {"ResourceIds": [value], "ResourceType": resource_type}


# Identifiers a create call returns and the provider's next calls name.
_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
_VPC_ID = "vpc-0123456789abcdef0"
_SUBNET_ID = "subnet-0123456789abcdef0"
_GROUP_ID = "sg-0123456789abcdef0"
_TOKEN = "terraform-20260101000000000000000001"

FOUNDATION_REQUESTS: dict[str, tuple[Call, ...]] = {
    # IAM
    "aws:iam/role:Role": (
        Call(
            "iam",
            "CreateRole",
            {
                "name": "RoleName",
                "path": "Path",
                "assumeRolePolicy": "AssumeRolePolicyDocument",
                "description": "Description",
                "maxSessionDuration": "MaxSessionDuration",
                "permissionsBoundary": "PermissionsBoundary",
                "tags": tag_list,
                # Deletes the role's policies before the role: no part of the request.
                "forceDetachPolicies": _no_member,
            },
        ),
    ),
    "aws:iam/policy:Policy": (
        Call(
            "iam",
            "CreatePolicy",
            {
                "name": "PolicyName",
                "path": "Path",
                "policy": "PolicyDocument",
                "description": "Description",
                "tags": tag_list,
            },
        ),
    ),
    "aws:iam/rolePolicy:RolePolicy": (
        Call("iam", "PutRolePolicy", {"role": "RoleName", "name": "PolicyName", "policy": "PolicyDocument"}),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        Call("iam", "AttachRolePolicy", {"role": "RoleName", "policyArn": "PolicyArn"}),
    ),
    # KMS: the key, then its rotation (with the period) in EnableKeyRotation; the deletion window
    # is the PendingWindowInDays of the ScheduleKeyDeletion the provider sends on destroy.
    "aws:kms/key:Key": (
        Call(
            "kms",
            "CreateKey",
            {
                "description": "Description",
                "keyUsage": "KeyUsage",
                "customerMasterKeySpec": "KeySpec",
                "policy": "Policy",
                "bypassPolicyLockoutSafetyCheck": "BypassPolicyLockoutSafetyCheck",
                "multiRegion": "MultiRegion",
                "customKeyStoreId": "CustomKeyStoreId",
                "xksKeyId": "XksKeyId",
                "tags": _kms_tags,
            },
        ),
        Call(
            "kms",
            "EnableKeyRotation",
            # The provider calls it when rotation is enabled, which is the only way this
            # platform creates a key.
            {"enableKeyRotation": _no_member, "rotationPeriodInDays": "RotationPeriodInDays"},
            provider_fills={"KeyId": _KEY_ID},
        ),
        Call(
            "kms",
            "ScheduleKeyDeletion",
            {"deletionWindowInDays": "PendingWindowInDays"},
            provider_fills={"KeyId": _KEY_ID},
        ),
    ),
    "aws:kms/alias:Alias": (Call("kms", "CreateAlias", {"name": "AliasName", "targetKeyId": "TargetKeyId"}),),
    # S3: the bucket, then one call per bucket-level resource.
    "aws:s3/bucket:Bucket": (
        Call(
            "s3",
            "CreateBucket",
            {
                "bucket": "Bucket",
                "objectLockEnabled": "ObjectLockEnabledForBucket",
                # Empties the bucket before DeleteBucket: no part of the request.
                "forceDestroy": _no_member,
            },
        ),
        Call("s3", "PutBucketTagging", {"bucket": "Bucket", "tags": _bucket_tagging}),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": (
        Call("s3", "PutBucketPolicy", {"bucket": "Bucket", "policy": "Policy"}),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        Call(
            "s3",
            "PutBucketEncryption",
            {
                "bucket": "Bucket",
                "expectedBucketOwner": "ExpectedBucketOwner",
                "rules": "ServerSideEncryptionConfiguration.Rules",
            },
        ),
    ),
    "aws:s3/bucketVersioning:BucketVersioning": (
        Call(
            "s3",
            "PutBucketVersioning",
            {
                "bucket": "Bucket",
                "expectedBucketOwner": "ExpectedBucketOwner",
                "mfa": "MFA",
                "versioningConfiguration": "VersioningConfiguration",
            },
        ),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        Call(
            "s3",
            "PutBucketLifecycleConfiguration",
            {
                "bucket": "Bucket",
                "expectedBucketOwner": "ExpectedBucketOwner",
                "transitionDefaultMinimumObjectSize": "TransitionDefaultMinimumObjectSize",
                "rules": "LifecycleConfiguration.Rules",
            },
        ),
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        Call(
            "s3",
            "PutPublicAccessBlock",
            {
                "bucket": "Bucket",
                **{
                    flag: f"PublicAccessBlockConfiguration.{flag[0].upper()}{flag[1:]}"
                    for flag in (
                        "blockPublicAcls",
                        "blockPublicPolicy",
                        "ignorePublicAcls",
                        "restrictPublicBuckets",
                    )
                },
            },
        ),
    ),
    "aws:s3/bucketLogging:BucketLogging": (
        Call(
            "s3",
            "PutBucketLogging",
            {
                "bucket": "Bucket",
                "expectedBucketOwner": "ExpectedBucketOwner",
                **{
                    key: f"BucketLoggingStatus.LoggingEnabled.{key[0].upper()}{key[1:]}"
                    for key in ("targetBucket", "targetPrefix", "targetGrants", "targetObjectKeyFormat")
                },
            },
        ),
    ),
    "aws:s3/bucketNotification:BucketNotification": (
        Call(
            "s3",
            "PutBucketNotificationConfiguration",
            {
                "bucket": "Bucket",
                # ``eventbridge = true`` is an empty EventBridgeConfiguration; false leaves it out.
                "eventbridge": lambda value: {
                    "NotificationConfiguration": {"EventBridgeConfiguration": {}} if value else {}
                },
            },
            provider_fills={"NotificationConfiguration": {}},
        ),
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        Call(
            "s3",
            "PutBucketOwnershipControls",
            # The provider's one ``rule`` block is the API's list of rules.
            {"bucket": "Bucket", "rule": "OwnershipControls.Rules"},
        ),
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": (
        Call(
            "s3",
            "PutObject",
            {
                "bucket": "Bucket",
                "key": "Key",
                "contentType": "ContentType",
                "serverSideEncryption": "ServerSideEncryption",
                "kmsKeyId": "SSEKMSKeyId",
                "bucketKeyEnabled": "BucketKeyEnabled",
                "storageClass": "StorageClass",
                "cacheControl": "CacheControl",
                "contentEncoding": "ContentEncoding",
                "metadata": "Metadata",
                "tags": _object_tagging,
                # The file's bytes are the body: nothing the model constrains.
                "source": _no_member,
                # A string body (an endpoint's explainability analysis config), likewise.
                "content": _no_member,
            },
        ),
    ),
    # EC2: tags ride on the create call; each VPC or subnet flag is a Modify*Attribute call of its own.
    "aws:ec2/vpc:Vpc": (
        Call(
            "ec2",
            "CreateVpc",
            {
                "cidrBlock": "CidrBlock",
                "instanceTenancy": "InstanceTenancy",
                "tags": _tag_specifications("vpc"),
            },
        ),
        Call(
            "ec2",
            "ModifyVpcAttribute",
            {"enableDnsSupport": _attribute_value("EnableDnsSupport")},
            provider_fills={"VpcId": _VPC_ID},
        ),
        Call(
            "ec2",
            "ModifyVpcAttribute",
            {"enableDnsHostnames": _attribute_value("EnableDnsHostnames")},
            provider_fills={"VpcId": _VPC_ID},
        ),
    ),
    "aws:ec2/subnet:Subnet": (
        Call(
            "ec2",
            "CreateSubnet",
            {
                "vpcId": "VpcId",
                "cidrBlock": "CidrBlock",
                "availabilityZone": "AvailabilityZone",
                "availabilityZoneId": "AvailabilityZoneId",
                "tags": _tag_specifications("subnet"),
            },
        ),
        Call(
            "ec2",
            "ModifySubnetAttribute",
            {"mapPublicIpOnLaunch": _attribute_value("MapPublicIpOnLaunch")},
            provider_fills={"SubnetId": _SUBNET_ID},
        ),
    ),
    "aws:ec2/routeTable:RouteTable": (
        Call("ec2", "CreateRouteTable", {"vpcId": "VpcId", "tags": _tag_specifications("route-table")}),
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        Call(
            "ec2",
            "AssociateRouteTable",
            {"routeTableId": "RouteTableId", "subnetId": "SubnetId", "gatewayId": "GatewayId"},
        ),
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        Call(
            "ec2",
            "CreateSecurityGroup",
            {
                "name": "GroupName",
                "description": "Description",
                "vpcId": "VpcId",
                "tags": _tag_specifications("security-group"),
                # Revokes the group's rules before deleting it: no part of the request.
                "revokeRulesOnDelete": _no_member,
            },
        ),
    ),
    # The provider adopts the VPC's default group (found by VPC and name), revokes its rules and
    # tags it.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        Call(
            "ec2",
            "DescribeSecurityGroups",
            {
                "vpcId": lambda value: {
                    "Filters": [
                        {"Name": "vpc-id", "Values": [value]},
                        {"Name": "group-name", "Values": ["default"]},
                    ]
                }
            },
        ),
        Call(
            "ec2",
            "CreateTags",
            {"tags": tag_list, "revokeRulesOnDelete": _no_member},
            provider_fills={"Resources": [_GROUP_ID], "Tags": []},
        ),
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        Call(
            "ec2",
            "CreateVpcEndpoint",
            {
                "vpcId": "VpcId",
                "serviceName": "ServiceName",
                "vpcEndpointType": "VpcEndpointType",
                "policy": "PolicyDocument",
                "routeTableIds": "RouteTableIds",
                "subnetIds": "SubnetIds",
                "securityGroupIds": "SecurityGroupIds",
                "privateDnsEnabled": "PrivateDnsEnabled",
                "ipAddressType": "IpAddressType",
                "dnsOptions": "DnsOptions",
                "tags": _tag_specifications("vpc-endpoint"),
                # The provider waits for an endpoint service's acceptance: no part of the request.
                "autoAccept": _no_member,
            },
            provider_fills={"ClientToken": _TOKEN},
        ),
    ),
    "aws:ec2/flowLog:FlowLog": (
        Call(
            "ec2",
            "CreateFlowLogs",
            {
                "vpcId": _flow_log_resource("VPC"),
                "subnetId": _flow_log_resource("Subnet"),
                "eniId": _flow_log_resource("NetworkInterface"),
                "trafficType": "TrafficType",
                "logDestinationType": "LogDestinationType",
                "logDestination": "LogDestination",
                "logFormat": "LogFormat",
                "iamRoleArn": "DeliverLogsPermissionArn",
                "deliverCrossAccountRole": "DeliverCrossAccountRole",
                "maxAggregationInterval": "MaxAggregationInterval",
                "destinationOptions": "DestinationOptions",
                "tags": _tag_specifications("vpc-flow-log"),
            },
            provider_fills={"ClientToken": _TOKEN},
        ),
    ),
    # VPC security group rules: one AuthorizeSecurityGroupIngress/Egress with one IpPermission.
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        _security_group_rule_call("AuthorizeSecurityGroupIngress"),
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        _security_group_rule_call("AuthorizeSecurityGroupEgress"),
    ),
}
