"""The mocks' service hosts end in the region's partition's DNS suffix, as the real services' do.

A bucket's domain names (Terraform aws_s3_bucket: ``PartitionHostname(bucket+".s3")`` and
``bucketRegionalDomainName``'s ``<bucket>.s3.<region>.<DNS suffix>``), an SQS queue's URL
(GetQueueUrl's ``https://sqs.<region>.<suffix>/...``), an ECR repository's URL
(``<account>.dkr.ecr.<region>.<suffix>``), an interface endpoint's DNS name
(``...<region>.vpce.<suffix>``) and ``aws.get_partition()`` said ``amazonaws.com`` in China too:
they now say ``amazonaws.com.cn`` there and each partition's own suffix elsewhere. The mocks are
called directly.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs

from planner.mocks import PlatformMocks

ACCOUNT = "123456789012"

SUFFIXES = [
    ("eu-west-1", "amazonaws.com"),
    ("cn-north-1", "amazonaws.com.cn"),
    ("cn-northwest-1", "amazonaws.com.cn"),
    ("us-gov-west-1", "amazonaws.com"),
    ("us-iso-east-1", "c2s.ic.gov"),
    ("us-isob-east-1", "sc2s.sgov.gov"),
]


def created(region: str, type_token: str, inputs: dict[str, Any]) -> dict[str, Any]:
    _, state = PlatformMocks(region, ACCOUNT).new_resource(
        MockResourceArgs(type_token, "r", inputs, custom=True)
    )
    return state


@pytest.mark.parametrize(("region", "suffix"), SUFFIXES)
def test_a_bucket_s_domain_names_end_in_its_partition_s_suffix(region: str, suffix: str) -> None:
    state = created(region, "aws:s3/bucket:Bucket", {"bucket": "data"})
    assert state["bucketDomainName"] == f"data.s3.{suffix}"
    assert state["bucketRegionalDomainName"] == f"data.s3.{region}.{suffix}"


@pytest.mark.parametrize(("region", "suffix"), SUFFIXES)
def test_a_queue_url_and_a_repository_url_end_in_the_partition_s_suffix(region: str, suffix: str) -> None:
    assert (
        created(region, "aws:sqs/queue:Queue", {"name": "q"})["url"]
        == f"https://sqs.{region}.{suffix}/{ACCOUNT}/q"
    )
    repository = created(region, "aws:ecr/repository:Repository", {"name": "mlops/churn"})
    assert repository["repositoryUrl"] == f"{ACCOUNT}.dkr.ecr.{region}.{suffix}/mlops/churn"


@pytest.mark.parametrize(
    ("region", "service_name", "host"),
    [
        ("eu-west-1", "com.amazonaws.eu-west-1.sagemaker.api", "sagemaker.api.eu-west-1.vpce.amazonaws.com"),
        ("cn-north-1", "com.amazonaws.cn-north-1.ecr.api", "ecr.api.cn-north-1.vpce.amazonaws.com.cn"),
        (
            "cn-north-1",
            "cn.com.amazonaws.cn-north-1.sagemaker.api",
            "sagemaker.api.cn-north-1.vpce.amazonaws.com.cn",
        ),
        ("us-iso-east-1", "com.amazonaws.us-iso-east-1.ec2", "ec2.us-iso-east-1.vpce.c2s.ic.gov"),
    ],
)
def test_an_interface_endpoint_s_dns_name_ends_in_vpce_and_the_partition_s_suffix(
    region: str, service_name: str, host: str
) -> None:
    inputs = {"serviceName": service_name, "vpcEndpointType": "Interface", "vpcId": "vpc-1"}
    [entry] = created(region, "aws:ec2/vpcEndpoint:VpcEndpoint", inputs)["dnsEntries"]
    assert entry["dnsName"].startswith("vpce-")
    assert entry["dnsName"].split("-", 2)[2].split(".", 1)[1] == host


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("eu-west-1", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-east-1", "aws-us-gov", "amazonaws.com"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk"),
    ],
)
def test_get_partition_answers_the_provider_region_s_partition(
    region: str, partition: str, suffix: str
) -> None:
    state, failures = PlatformMocks(region, ACCOUNT).call(
        MockCallArgs("aws:index/getPartition:getPartition", {}, "")
    )
    assert failures == []
    assert (state["partition"], state["dnsSuffix"], state["id"]) == (partition, suffix, partition)


def test_a_resource_in_a_china_region_of_its_own_gets_china_s_hosts() -> None:
    """A resource's own ``region=`` picks the mocks answering it, and so its hosts' suffix."""
    _, state = PlatformMocks("eu-west-1", ACCOUNT).new_resource(
        MockResourceArgs("aws:s3/bucket:Bucket", "r", {"bucket": "data", "region": "cn-north-1"}, custom=True)
    )
    assert state["bucketRegionalDomainName"] == "data.s3.cn-north-1.amazonaws.com.cn"


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
    ],
)
def test_the_mocks_arns_are_in_the_partition_get_partition_answers(region: str, partition: str) -> None:
    """A program that builds an ARN from ``get_partition()`` and one the mocks answer agree: Terraform's
    ARNs in China are ``arn:aws-cn:...`` (aws_partition answers the client's partition)."""
    mocks = PlatformMocks(region, ACCOUNT)
    state, _ = mocks.call(MockCallArgs("aws:index/getPartition:getPartition", {}, ""))
    assert state["partition"] == partition
    assert created(region, "aws:s3/bucket:Bucket", {"bucket": "data"})["arn"] == f"arn:{partition}:s3:::data"
    assert created(region, "aws:sqs/queue:Queue", {"name": "q"})["arn"] == (
        f"arn:{partition}:sqs:{region}:{ACCOUNT}:q"
    )
    generic = created(region, "aws:glue/job:Job", {"name": "j", "roleArn": "r", "command": {}})
    assert generic["arn"].startswith(f"arn:{partition}:glue:{region}:{ACCOUNT}:")
    identity, _ = mocks.call(MockCallArgs("aws:index/getCallerIdentity:getCallerIdentity", {}, ""))
    assert identity["arn"] == f"arn:{partition}:iam::{ACCOUNT}:user/offline-plan"
