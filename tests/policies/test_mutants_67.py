"""Mutation audit of the policy-pack code session 67 added or changed: the semantics a surviving
mutant showed no test held.

- ``_cidrs.internet_reach``: each special-purpose range adds no internet address (a /8 of public
  addresses and one such range is not "more than a /8"), a block inside one counts none (never
  less), and the thresholds are strict: a /8 (IPv6: a /32) is not the internet, one address more is.
- ``registry.resolve_config`` names the place of a level it refuses (a blank one too);
  ``schema_problem`` is the first place.
- Prefix lists: a group or rule naming a list by its literal id (pulumi-aws ``id``, aws-native
  ``prefixListId``; every id of a rule's list, the aws-native and default groups' inline ingress),
  an entry naming its list by id, a blank id naming nothing, a rule on a group of the stack
  (reported on the group), a list two rules admit named once.
- GPU quota outside SageMaker: spot requests, aws-native groups, launch configurations and
  aws-native launch templates count; a group of maxSize 0 counts none; every EC2-only GPU family
  counts, however its type is cased.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy, resolve_config, schema_problem
from policies.rules._cidrs import internet_reach, networks
from tests.policies.conftest import build, run_policy
from tests.policies.test_adversary_67 import (
    GPU_QUOTA,
    INGRESS_RULE,
    NATIVE_INGRESS,
    PREFIX_LIST,
    PREFIX_LIST_ENTRY,
    SG_RULE,
    UNION,
    _gpu_fleet,
    _prefix_list,
)

NATIVE_SG = "aws-native:ec2:SecurityGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"

RULE = "public-access-switches-kept-on"

#: Exactly the most public addresses that do not count as the internet, per family.
PUBLIC_V4 = "11.0.0.0/8"
PUBLIC_V6 = "2001:db8::/32"


@pytest.mark.parametrize(
    "special",
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "10.0.0.0/32", "10.255.255.255/32",
        "fc00::/7", "fe80::/10", "ff00::/8",
    ],
)  # fmt: skip
def test_a_special_purpose_range_adds_no_internet_address(special: str) -> None:
    public = PUBLIC_V6 if ":" in special else PUBLIC_V4
    assert internet_reach(networks([special, public])) == []


@pytest.mark.parametrize(
    ("cidrs", "reach"),
    [
        pytest.param([PUBLIC_V4], [], id="a-v4-slash-8-is-not-the-internet"),
        pytest.param(
            [PUBLIC_V4, "12.0.0.0/32"], ["16777217 public IPv4 addresses (more than a /8)"], id="one-more-v4"
        ),
        pytest.param([PUBLIC_V6], [], id="a-v6-slash-32-is-not-the-internet"),
        pytest.param(
            [PUBLIC_V6, "2001:db9::/128"],
            [f"{2**96 + 1} public IPv6 addresses (more than a /32)"],
            id="one-more-v6",
        ),
        pytest.param(
            ["10.1.0.0/16", PUBLIC_V4, "12.0.0.0/16"],
            [f"{2**24 + 2**16} public IPv4 addresses (more than a /8)"],
            id="a-block-inside-a-private-range-counts-none-not-less",
        ),
    ],
)
def test_more_than_a_slash_8_or_a_slash_32_is_the_internet(cidrs: list[str], reach: list[str]) -> None:
    assert internet_reach(networks(cidrs)) == reach


@pytest.mark.parametrize(
    ("config", "where"),
    [
        pytest.param({"s3-bucket-x": {"enforcementLevel": "loud"}}, "s3-bucket-x.enforcementLevel", id="object-level"),
        pytest.param({"s3-bucket-x": {"enforcementLevel": ""}}, "s3-bucket-x.enforcementLevel", id="blank-is-no-default"),
        pytest.param({"all": "loud"}, "all", id="bare-level"),
    ],
)  # fmt: skip
def test_resolving_a_config_refuses_a_level_naming_its_place(config: dict[str, Any], where: str) -> None:
    value = next(iter(config.values()))
    level = value["enforcementLevel"] if isinstance(value, dict) else value
    with pytest.raises(
        ValueError, match=rf"^{re.escape(where)}: {re.escape(repr(level))} is not a valid enforcement level"
    ):
        resolve_config(config)


def test_schema_problem_is_the_first_place() -> None:
    config_schema = get_policy(RULE).config_schema
    assert config_schema is not None
    assert schema_problem([{"resource": "a"}, "b"], config_schema.properties["publicByDesign"]) == (
        "[0].reason",
        "required, missing",
    )


#: A group or rule naming the prefix list ``pl-0open`` by its literal id, each way a type names one.
LITERAL_REFERENCES = [
    pytest.param({"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1", "prefixListId": "pl-0open"}}, id="ingress-rule"),
    pytest.param({"type": NATIVE_SG, "name": "rule", "inputs": {"groupDescription": "d", "vpcId": "vpc-1", "securityGroupIngress": [{"ipProtocol": "-1", "sourcePrefixListId": "pl-0open"}]}}, id="aws-native-group-inline"),
    pytest.param({"type": NATIVE_INGRESS, "name": "rule", "inputs": {"ipProtocol": "-1", "groupId": "sg-1", "sourcePrefixListId": "pl-0open"}}, id="aws-native-ingress"),
    pytest.param({"type": SG, "name": "rule", "inputs": {"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "prefixListIds": ["pl-0open"]}]}}, id="group-inline"),
    pytest.param({"type": DEFAULT_SG, "name": "rule", "inputs": {"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "prefixListIds": ["pl-0open"]}]}}, id="default-group-inline"),
    pytest.param({"type": SG_RULE, "name": "rule", "inputs": {"type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0, "securityGroupId": "sg-1", "prefixListIds": ["pl-elsewhere", "pl-0open"]}}, id="security-group-rule-second-id"),
]  # fmt: skip


@pytest.mark.parametrize("id_key", ["id", "prefixListId"])
@pytest.mark.parametrize("reference", LITERAL_REFERENCES)
def test_a_prefix_list_named_by_its_literal_id_admits_its_cidrs(
    reference: dict[str, Any], id_key: str
) -> None:
    """After create a group or rule may name a list by its id (pulumi-aws ``id``, aws-native
    ``prefixListId``) with no dependency: it admits the list's CIDRs all the same."""
    listed = _prefix_list("native" if id_key == "prefixListId" else "entries", ["0.0.0.0/0"])
    listed[0]["inputs"] |= {id_key: "pl-0open"}
    (violation,) = run_policy(UNION, [*listed, reference])
    assert "ingress from rule (through prefix list 'open') together covers 0.0.0.0/0" in violation.message


def test_an_entry_resource_naming_its_list_by_known_id_counts() -> None:
    """After create an entry may name its list by the literal id, with no dependency: its CIDR is the list's."""
    listed = {"type": PREFIX_LIST, "name": "open", "inputs": {"addressFamily": "IPv4", "maxEntries": 5, "id": "pl-0open"}}  # fmt: skip
    entry = {"type": PREFIX_LIST_ENTRY, "name": "entry", "inputs": {"cidr": "0.0.0.0/0", "prefixListId": "pl-0open"}}  # fmt: skip
    rule = {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1"}, "deps": {"prefixListId": ["open"]}}  # fmt: skip
    (violation,) = run_policy(UNION, [listed, entry, rule])
    assert "through prefix list 'open') together covers 0.0.0.0/0" in violation.message
    assert (
        run_policy(
            UNION, [listed, {**entry, "inputs": {**entry["inputs"], "prefixListId": "pl-other"}}, rule]
        )
        == []
    )


def test_a_blank_prefix_list_id_names_no_list() -> None:
    """An id that is blank (the provider refuses it) is no id: it links no rule to a list."""
    listed = _prefix_list("entries", ["0.0.0.0/0"])
    listed[0]["inputs"] |= {"id": ""}
    rule = {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1", "prefixListId": ""}}  # fmt: skip
    assert run_policy(UNION, [*listed, rule]) == []


def test_a_rule_of_a_stack_group_admitting_a_prefix_list_of_the_internet_is_refused() -> None:
    """The rule's group is a resource of the stack (a dependency, not a literal id): same verdict, on the group."""
    group = {"type": SG, "name": "web", "inputs": {"vpcId": "vpc-1"}}
    rule = {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1"}, "deps": {"securityGroupId": ["web"], "prefixListId": ["open"]}}  # fmt: skip
    (violation,) = run_policy(UNION, [*_prefix_list("entries", ["0.0.0.0/1", "128.0.0.0/1"]), group, rule])
    assert violation.message.startswith(
        "security group 'web': ingress from rule (through prefix list 'open')"
    )
    assert violation.resource_name == "web"


def _capacity(kind: str, instance_type: str, size: int) -> list[dict[str, Any]]:
    """EC2 capacity of ``size`` instances of ``instance_type`` that ``_gpu_fleet`` does not build."""
    overrides = {"launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": "lt-1"}, "overrides": [{"instanceType": instance_type}]}}  # fmt: skip
    if kind == "spot-requests":
        return [{"type": "aws:ec2/spotInstanceRequest:SpotInstanceRequest", "name": f"spot-{i}", "inputs": {"ami": "ami-1", "instanceType": instance_type}} for i in range(size)]  # fmt: skip
    if kind == "native-mixed-auto-scaling-group":
        return [{"type": "aws-native:autoscaling:AutoScalingGroup", "name": "gpus", "inputs": {"maxSize": str(size), "minSize": "0", "mixedInstancesPolicy": overrides}}]  # fmt: skip
    if kind == "native-launch-template":
        template = {"type": "aws-native:ec2:LaunchTemplate", "name": "template", "inputs": {"launchTemplateData": {"instanceType": instance_type}}}  # fmt: skip
        return [template, {"type": "aws:eks/nodeGroup:NodeGroup", "name": "gpus", "inputs": {"clusterName": "c", "nodeRoleArn": "r", "subnetIds": ["s"], "scalingConfig": {"desiredSize": 1, "minSize": 1, "maxSize": size}}, "deps": {"launchTemplate": ["template"]}}]  # fmt: skip
    native = kind == "native-launch-configuration"
    configuration = {"type": f"aws{'-native:autoscaling:' if native else ':ec2/launchConfiguration:'}LaunchConfiguration", "name": "config", "inputs": {"imageId": "ami-1", "instanceType": instance_type}}  # fmt: skip
    group = {"type": "aws-native:autoscaling:AutoScalingGroup" if native else "aws:autoscaling/group:Group", "name": "gpus", "inputs": {"maxSize": str(size) if native else size, "minSize": 0}, "deps": {"launchConfigurationName" if native else "launchConfiguration": ["config"]}}  # fmt: skip
    return [configuration, group]


@pytest.mark.parametrize(
    "kind",
    ["spot-requests", "native-mixed-auto-scaling-group", "native-launch-template", "launch-configuration", "native-launch-configuration"],
)  # fmt: skip
def test_more_ec2_capacity_counts_against_the_gpu_quota(kind: str) -> None:
    """Spot requests, aws-native groups, launch configurations and aws-native launch templates run GPUs
    as instances do: counted at their ceiling against the quota (4 by default)."""
    (over,) = run_policy(GPU_QUOTA, _capacity(kind, "g5.xlarge", 5))
    assert "asks for 5 GPU instances, over maxGpuInstances=4" in over.message and "g5.xlarge" in over.message
    assert run_policy(GPU_QUOTA, _capacity(kind, "g5.xlarge", 4)) == []


def test_a_group_that_may_run_no_instance_counts_none() -> None:
    """A group of maxSize 0 runs no GPU: four GPU instances beside it are within the quota of 4, and
    five are over it with the group left out of the count."""
    empty = _gpu_fleet("auto-scaling-group", "g5.xlarge", 0)
    assert run_policy(GPU_QUOTA, [*_gpu_fleet("instances", "g5.xlarge", 4), *empty]) == []
    (over,) = run_policy(GPU_QUOTA, [*_gpu_fleet("instances", "g5.xlarge", 5), *empty])
    assert "asks for 5 GPU instances" in over.message and "gpus." not in over.message, over.message
    assert "more)" not in over.message, over.message  # five instances named, no sixth part


@pytest.mark.parametrize(
    "instance_type", ["g2.2xlarge", "g3.4xlarge", "g3s.xlarge", "gr6f.4xlarge", " G5G.XLARGE "]
)
def test_every_ec2_only_gpu_family_counts_against_the_quota(instance_type: str) -> None:
    """Each GPU family EC2 offers and SageMaker does not (and a type however it is cased or padded)."""
    (over,) = run_policy(GPU_QUOTA, _gpu_fleet("node-group", instance_type, 5))
    assert "asks for 5 GPU instances, over maxGpuInstances=4" in over.message


def test_a_prefix_list_two_rules_admit_is_named_once() -> None:
    rules = [
        {
            "type": INGRESS_RULE,
            "name": name,
            "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1"},
            "deps": {"prefixListId": ["open"]},
        }
        for name in ("b", "a")
    ]
    (violation,) = run_policy(UNION, [*_prefix_list("entries", ["0.0.0.0/1", "128.0.0.0/1"]), *rules])
    assert "ingress from a, b (through prefix list 'open') together covers 0.0.0.0/0" in violation.message


def test_a_group_whose_own_ingress_is_unknown_is_still_the_one_reported() -> None:
    """A group whose inline ingress waits on another resource is undecided, and its rules admitting a
    prefix list of the internet are reported on the group all the same, not on the first rule."""
    vpc = {"type": "aws:ec2/vpc:Vpc", "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}}
    group = {"type": SG, "name": "web", "inputs": {"vpcId": "vpc-1", "ingress": UNKNOWN_ARRAY_VALUE}, "deps": {"ingress": ["vpc"]}}  # fmt: skip
    rule = {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1"}, "deps": {"securityGroupId": ["web"], "prefixListId": ["open"]}}  # fmt: skip
    specs = [*_prefix_list("entries", ["0.0.0.0/1", "128.0.0.0/1"]), vpc, group, rule]
    report = evaluate_report(build(specs), None, [get_policy(UNION)])
    assert [u.urn.rsplit("::", 1)[1] for u in report.undecided] == ["web"]
    assert [v.resource_name for v in report.violations] == ["web"]
