"""Tests that kill the surviving one-line mutants of session 71's planner code (mut71's audit).

Mutants (a flipped comparison, an off-by-one limit, a dropped or forced condition, and/or swapped,
a regex quantifier, a removed table entry) of the lines session 71 added, each run against the tests
covering its file; killed/run, then what the survivors were:

- planner/autonames.py 44/48: 1 gap (any type's ``engine`` read as SQL Server's), killed here; 3
  equivalent (``[...]+`` to ``[...]*`` in a fullmatch: the judged name always ends in random hex).
- components/autonames.py 23/33: 10 gaps (pulumi-aws's 255 of the alb target group, the lb, alb and
  elb load balancers and the RDS subnet group, ±1), killed here.
- planner/mocks.py 19/19, and 18 by hand on the partition table and ``get_region``: 12 killed; 5 gaps
  (the af and il prefixes, fullmatch, the ``ec2.`` label, the default suffix), killed here; 1 left
  (``name`` read before ``region`` when both are given and differ: not pinned to a source).
- planner/report_text.py 1/2: 1 equivalent (a parentless resource keyed under no parent is never read).
- planner/transforms.py 84/117: 9 gaps, killed in test_mutants_71_xf.py; 24 equivalent (test_mutants_71_xf.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import MockCallArgs

from planner.autonames import (
    AutoNameInvalid,
    AutoNameRefused,
    AutoNameTooLong,
    autoname_of,
    refuse_too_long_autoname,
)
from planner.mocks import InvokeFailed, PlatformMocks

SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"


def refused(type_token: str, logical: str, inputs: dict[str, object] | None = None) -> AutoNameRefused:
    with pytest.raises(AutoNameRefused) as raised:
        refuse_too_long_autoname(type_token, logical, inputs or {})
    return raised.value


def test_only_an_rds_instance_s_sqlserver_engine_picks_the_15_character_auto_name() -> None:
    """A mutant reading any type's ``engine`` (``if True:``) gave a subnet group that says
    ``engine: sqlserver-se`` the SQL Server instance's 3 hex within 15."""
    assert autoname_of(SUBNET_GROUP, {"engine": "sqlserver-se"}) == autoname_of(SUBNET_GROUP, {})
    refuse_too_long_autoname(SUBNET_GROUP, "a" * 13, {"engine": "sqlserver-se"})
    assert autoname_of("aws:rds/instance:Instance", {"engine": "sqlserver-se"}).max_length == 15


@pytest.mark.parametrize(
    "type_token",
    [
        "aws:alb/targetGroup:TargetGroup",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:elb/loadBalancer:LoadBalancer",
    ],
)
def test_pulumi_aws_s_255_refuses_before_terraform_s_32_does(type_token: str) -> None:
    """setAutonaming's 255 is the provider's own refusal ("could not make instance"), made before the
    schema's validation runs: 248 + '-' + 7 hex = 256 is too long for it, 247 is Terraform's 32 only."""
    assert isinstance(refused(type_token, "e" * 248), AutoNameTooLong)
    assert "longer than maximum length 255" in str(refused(type_token, "e" * 248))
    shorter = refused(type_token, "e" * 247)
    assert isinstance(shorter, AutoNameInvalid) and not isinstance(shorter, AutoNameTooLong)


def test_an_rds_subnet_group_s_auto_name_stops_at_pulumi_aws_s_255() -> None:
    """No override but its description: setAutonaming's 255 (247 + '-' + 7 hex)."""
    refuse_too_long_autoname(SUBNET_GROUP, "a" * 247, {})
    assert "longer than maximum length 255" in str(refused(SUBNET_GROUP, "a" * 248))


# --- planner.mocks: get_region(endpoint=) -------------------------------------------------------------


def _region_of(arguments: dict[str, Any], provider_region: str = "eu-west-1") -> dict[str, Any]:
    state, failures = PlatformMocks(provider_region, "123456789012").call(
        MockCallArgs("aws:index/getRegion:getRegion", arguments, "")
    )
    assert failures == []
    return state


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-west-1", "ap-south-2", "sa-east-1", "ca-west-1", "me-central-1", "af-south-1", "il-central-1", "mx-central-1"]
)  # fmt: skip
def test_every_commercial_region_prefix_is_the_aws_partition_s(region: str) -> None:
    """botocore's aws regionRegex ``^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$``: a mutant dropping
    ``af`` or ``il`` failed Cape Town's and Tel Aviv's EC2 hosts as no region's."""
    endpoint = f"ec2.{region}.amazonaws.com"
    assert _region_of({"endpoint": endpoint})["region"] == region
    assert _region_of({}, region)["endpoint"] == endpoint


@pytest.mark.parametrize(
    "endpoint",
    ["ec2.us-east-1x.amazonaws.com", "us-east-1.amazonaws.com", "ec2-us-east-1.amazonaws.com"],
    ids=["region-with-a-tail", "no-ec2-label", "ec2-dash-not-dot"],
)
def test_near_miss_ec2_hosts_fail_the_invoke(endpoint: str) -> None:
    """The whole label is the region (``fullmatch``) and the host begins ``ec2.``."""
    with pytest.raises(InvokeFailed, match="finding Region by endpoint"):
        _region_of({"endpoint": endpoint})


def test_a_region_in_no_partition_is_no_region_get_region_answers() -> None:
    """pulumi-aws's skipRegionValidation lets a provider in any region make resources, but the
    aws_region data source finds the provider's region in its table (findRegionByName) or fails
    (tests/planner/test_mock_regions_72.py)."""
    with pytest.raises(InvokeFailed, match=r"finding Region by name \(xx-west-1\): couldn't find resource"):
        _region_of({}, "xx-west-1")
