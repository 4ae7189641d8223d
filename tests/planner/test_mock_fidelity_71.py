"""Two mock answers made as pulumi-aws 7 gives them.

- ``aws.s3.Bucket``'s ``bucketRegion`` (Terraform aws_s3_bucket's computed ``bucket_region``, "AWS
  region this bucket resides in", set by its Read after create) was left unknown: it is the region
  the bucket is made in, its provider's (or its own ``region=``), as ``region`` already was; a
  ``BucketV2``, its clone, is answered as the bucket it is.
- ``aws.get_region(endpoint=...)`` ignored ``endpoint``: Terraform's aws_region data source
  (internal/service/meta/region_data_source.go) selects the Region whose EC2 endpoint host it is,
  fails with "finding Region by endpoint" where none is, and with "multiple Regions matched" where
  ``region`` (or the deprecated ``name``) names another. A failed invoke fails ``pulumi up``: the
  recording fails with :class:`planner.mocks.InvokeFailed`, a ProgramFailure (``bin/plan`` exits 3).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import MockCallArgs

from planner.mocks import InvokeFailed, PlatformMocks
from planner.program_failure import ProgramFailure
from planner.recorder import record_program

CONFIG = {"aws:region": "eu-west-1"}


def region_of(arguments: dict[str, Any], provider_region: str = "eu-west-1") -> dict[str, Any]:
    state, failures = PlatformMocks(provider_region, "123456789012").call(
        MockCallArgs("aws:index/getRegion:getRegion", arguments, "")
    )
    assert failures == []
    return state


def test_a_bucket_s_region_is_known_as_after_create_in_its_provider_s_region() -> None:
    def program() -> None:
        aws.s3.Bucket("here")
        other = aws.Provider("use1", region="us-east-1")
        aws.s3.Bucket("there", opts=pulumi.ResourceOptions(provider=other))
        aws.s3.Bucket("own", region="ap-south-1")

    graph = record_program(program, config=CONFIG)
    regions = {
        bucket.name: bucket.outputs["bucketRegion"] for bucket in graph.of_type("aws:s3/bucket:Bucket")
    }
    assert regions == {"here": "eu-west-1", "there": "us-east-1", "own": "ap-south-1"}
    assert not graph.holds_unknowns


def test_a_bucket_v2_is_answered_as_the_bucket_it_is_a_clone_of() -> None:
    """pulumi-aws 7's deprecated ``s3.BucketV2`` is a clone of aws_s3_bucket (compatibility.go
    ``shim.CloneResource(..., "aws_s3_bucket", "aws_s3_bucket_v2_compat")``): the same outputs, an
    S3 bucket's ARN (``arn:aws:s3:::<bucket>``), its lower-cased auto-name and its regions."""

    def program() -> None:
        aws.s3.BucketV2("Logs")
        aws.s3.BucketV2("named", bucket="team-named-bucket", region="ap-south-1")

    graph = record_program(program, config=CONFIG)
    outputs = {bucket.name: bucket.outputs for bucket in graph.of_type("aws:s3/bucketV2:BucketV2")}
    logs = outputs["Logs"]["bucket"]
    assert logs.startswith("logs-") and len(logs) == len("logs-") + 7
    assert outputs["Logs"]["arn"] == f"arn:aws:s3:::{logs}"
    assert (outputs["Logs"]["region"], outputs["Logs"]["bucketRegion"]) == ("eu-west-1", "eu-west-1")
    named = outputs["named"]
    assert (named["bucket"], named["arn"]) == ("team-named-bucket", "arn:aws:s3:::team-named-bucket")
    assert (named["region"], named["bucketRegion"]) == ("ap-south-1", "ap-south-1")
    assert named["bucketRegionalDomainName"] == "team-named-bucket.s3.ap-south-1.amazonaws.com"
    assert not graph.holds_unknowns


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("ec2.eu-west-2.amazonaws.com", "eu-west-2"),
        ("ec2.eu-west-1.amazonaws.com", "eu-west-1"),
        ("ec2.cn-north-1.amazonaws.com.cn", "cn-north-1"),
    ],
)
def test_an_endpoint_selects_the_region_it_is_ec2_s(endpoint: str, region: str) -> None:
    state = region_of({"endpoint": endpoint})
    assert (state["name"], state["region"], state["id"], state["endpoint"]) == (
        region,
        region,
        region,
        endpoint,
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://ec2.eu-west-2.amazonaws.com",  # a URL, not the host
        "ec2.eu-west-2.amazonaws.com.cn",  # only China's regions are under .com.cn
        "ec2.cn-north-1.amazonaws.com",
        "s3.eu-west-2.amazonaws.com",
        "ec2..amazonaws.com",
    ],
)
def test_an_endpoint_no_region_has_fails_the_invoke(endpoint: str) -> None:
    with pytest.raises(InvokeFailed, match=r"finding Region by endpoint \(" + endpoint.replace(".", r"\.")):
        region_of({"endpoint": endpoint})


def test_an_endpoint_and_another_region_fail_as_multiple_regions_matched() -> None:
    with pytest.raises(InvokeFailed, match="multiple Regions matched"):
        region_of({"endpoint": "ec2.eu-west-2.amazonaws.com", "name": "eu-west-1"})
    with pytest.raises(InvokeFailed, match="multiple Regions matched"):
        region_of({"endpoint": "ec2.eu-west-2.amazonaws.com", "region": "eu-west-1"})
    same = region_of({"endpoint": "ec2.eu-west-2.amazonaws.com", "region": "eu-west-2"})
    assert same["region"] == "eu-west-2"


def test_without_an_endpoint_the_region_is_the_named_one_else_the_provider_s() -> None:
    assert region_of({})["region"] == "eu-west-1"
    assert region_of({"name": "us-west-2"})["region"] == "us-west-2"
    assert region_of({}, "cn-northwest-1")["endpoint"] == "ec2.cn-northwest-1.amazonaws.com.cn"


def test_a_program_reading_a_region_by_endpoint_plans_it_or_fails_as_pulumi_up() -> None:
    def reads(endpoint: str) -> None:
        pulumi.export("region", aws.get_region(endpoint=endpoint).region)

    graph = record_program(lambda: reads("ec2.ap-south-1.amazonaws.com"), config=CONFIG)
    assert graph.exports["region"] == "ap-south-1"
    with pytest.raises(ProgramFailure, match=r"finding Region by endpoint \(ec2\.nowhere\.example\)"):
        record_program(lambda: reads("ec2.nowhere.example"), config=CONFIG)


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("ec2.us-gov-west-1.amazonaws.com", "us-gov-west-1"),  # GovCloud's suffix is amazonaws.com
        ("ec2.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"),
        ("ec2.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"),
        ("ec2.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1"),
        ("ec2.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"),
        ("ec2.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"),
        ("ec2.mx-central-1.amazonaws.com", "mx-central-1"),
    ],
)
def test_each_partition_s_region_is_found_by_its_own_ec2_host(endpoint: str, region: str) -> None:
    """Terraform searches every partition (aws-sdk-go-base endpoints.DefaultPartitions) for the
    Region whose EC2 host (``ec2.<region>.<partition's DNS suffix>``) is the endpoint."""
    state = region_of({"endpoint": endpoint})
    assert (state["region"], state["endpoint"]) == (region, endpoint)
    assert region_of({}, region)["endpoint"] == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "ec2.does-not-exist.amazonaws.com",  # Terraform's own TestFindRegionByEC2Endpoint case
        "ec2.xx-west-1.amazonaws.com",  # no partition's region
        "ec2.us-west.amazonaws.com",
        "ec2.us-west-.amazonaws.com",
        "ec2.us-iso-east-1.amazonaws.com",  # an ISO region under another partition's suffix
        "ec2.us-gov-west-1.amazonaws.com.cn",
        "ec2.eu-west-1.c2s.ic.gov",
        "ec2.eusc-de-east-1.amazonaws.com",
    ],
)
def test_a_host_no_partition_s_region_has_fails_the_invoke(endpoint: str) -> None:
    with pytest.raises(InvokeFailed, match="finding Region by endpoint"):
        region_of({"endpoint": endpoint})
