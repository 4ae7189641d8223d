"""The private network: no internet path, every SageMaker dependency reachable through endpoints."""

from __future__ import annotations

import ipaddress

import pytest

from components.foundation.private_network import (
    ExistingVpc,
    PrivateNetworkArgs,
    endpoint_service_name,
    subnet_cidrs,
)
from planner.recorder import ResourceGraph, record_program
from stacks.config import REQUIRED_INTERFACE_ENDPOINTS, parse_platform_config
from stacks.model_packages import offline_resolver
from stacks.platform import build_platform
from tests.conftest import load_stack_document
from tests.graph_helpers import only, policy_of, statements
from tests.recorded import computed_once

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
INTERNET_PATHS = (
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "aws:ec2/route:Route",
)


def _interface_services(graph: ResourceGraph) -> set[str]:
    region = graph.config["mlops-platform:platform"]["region"]
    return {
        endpoint.inputs["serviceName"].removeprefix(f"com.amazonaws.{region}.")
        for endpoint in graph.of_type(ENDPOINT)
        if endpoint.inputs["vpcEndpointType"] == "Interface"
    }


def test_every_required_interface_endpoint_exists_with_private_dns_in_every_subnet(
    stack_graph: ResourceGraph,
) -> None:
    assert set(REQUIRED_INTERFACE_ENDPOINTS) <= _interface_services(stack_graph)
    subnet_ids = sorted(subnet.id for subnet in stack_graph.of_type("aws:ec2/subnet:Subnet"))
    endpoint_group = stack_graph.named("network-endpoints")
    for endpoint in stack_graph.of_type(ENDPOINT):
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert endpoint.inputs["privateDnsEnabled"] is True
            assert sorted(endpoint.inputs["subnetIds"]) == subnet_ids
            assert endpoint.inputs["securityGroupIds"] == [endpoint_group.id]


def test_additional_endpoints_come_from_config(stack_graphs: dict[str, ResourceGraph]) -> None:
    assert _interface_services(stack_graphs["dev"]) == set(REQUIRED_INTERFACE_ENDPOINTS)
    assert _interface_services(stack_graphs["prod"]) - set(REQUIRED_INTERFACE_ENDPOINTS) == {
        "sagemaker.featurestore-runtime",
        "kms",
        "events",
        "sns",
        # With a tracking server (prod's default): SageMaker MLflow's own PrivateLink service.
        "aws.sagemaker.eu-west-1.experiments",
        # The churn family trains from a feature group: ExtractFeatures calls Athena.
        "athena",
    }


def test_s3_gateway_endpoint_serves_the_private_route_table(stack_graph: ResourceGraph) -> None:
    [gateway] = [e for e in stack_graph.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert gateway.inputs["serviceName"].endswith(".s3")
    assert gateway.inputs["routeTableIds"] == [only(stack_graph, "aws:ec2/routeTable:RouteTable").id]


def test_endpoint_policies_admit_only_this_accounts_principals(stack_graph: ResourceGraph) -> None:
    account = stack_graph.config["mlops-platform:platform"]["account_id"]
    import json

    for endpoint in stack_graph.of_type(ENDPOINT):
        [statement] = json.loads(endpoint.inputs["policy"])["Statement"]
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": account}}


def test_there_is_no_path_to_the_internet(stack_graph: ResourceGraph) -> None:
    assert not [r.type for r in stack_graph.cloud_resources if r.type in INTERNET_PATHS]
    for subnet in stack_graph.of_type("aws:ec2/subnet:Subnet"):
        assert subnet.inputs["mapPublicIpOnLaunch"] is False


def test_subnets_span_distinct_zones_inside_the_vpc(stack_graphs: dict[str, ResourceGraph]) -> None:
    for stack, zones in (("dev", 2), ("prod", 3)):
        graph = stack_graphs[stack]
        vpc = only(graph, "aws:ec2/vpc:Vpc")
        subnets = graph.of_type("aws:ec2/subnet:Subnet")
        assert len({s.inputs["availabilityZone"] for s in subnets}) == zones == len(subnets)
        network = ipaddress.ip_network(vpc.inputs["cidrBlock"])
        blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in subnets]
        assert all(block.subnet_of(network) for block in blocks)
        assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_endpoint_security_group_allows_only_https_from_the_vpc(stack_graph: ResourceGraph) -> None:
    group = stack_graph.named("network-endpoints")
    vpc_cidr = only(stack_graph, "aws:ec2/vpc:Vpc").inputs["cidrBlock"]
    rules = [
        rule
        for type_token in (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        )
        for rule in stack_graph.of_type(type_token)
        if rule.inputs["securityGroupId"] == group.id
    ]
    assert [
        (
            r.type.split(":")[-1],
            r.inputs["ipProtocol"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
            r.inputs["cidrIpv4"],
        )
        for r in rules
    ] == [("SecurityGroupIngressRule", "tcp", 443, 443, vpc_cidr)]


def test_workload_security_group_reaches_only_endpoints_s3_and_itself(stack_graph: ResourceGraph) -> None:
    group = stack_graph.named("network-workloads")
    vpc_cidr = only(stack_graph, "aws:ec2/vpc:Vpc").inputs["cidrBlock"]
    egress = [
        r.inputs
        for r in stack_graph.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] == group.id
    ]
    destinations = {
        (e.get("cidrIpv4") or e.get("prefixListId") or e.get("referencedSecurityGroupId"), e.get("fromPort"))
        for e in egress
    }
    [gateway] = [e for e in stack_graph.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert destinations == {(vpc_cidr, 443), (gateway.outputs["prefixListId"], 443), (group.id, None)}


def test_default_security_group_is_emptied_and_flow_logs_are_kms_encrypted(
    stack_graph: ResourceGraph,
) -> None:
    default = only(stack_graph, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default.inputs.get("ingress") and not default.inputs.get("egress")
    flow_log = only(stack_graph, "aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["trafficType"] == "ALL"
    [group] = stack_graph.referenced(flow_log, "logDestination")
    assert group.inputs["kmsKeyId"] == stack_graph.named("kms-logs-key").outputs["arn"]
    assert group.inputs["retentionInDays"] in (30, 90, 365)


def test_the_vpc_resolves_the_endpoints_private_names(stack_graph: ResourceGraph) -> None:
    """Interface endpoints with private DNS need both DNS settings on: without them the endpoints'
    names do not resolve (or the endpoints are refused) and jobs cannot reach SageMaker, ECR or S3."""
    vpc = only(stack_graph, "aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True


def test_flow_logs_deliver_through_a_role_only_the_flow_log_service_assumes(
    stack_graph: ResourceGraph,
) -> None:
    flow_log = only(stack_graph, "aws:ec2/flowLog:FlowLog")
    # The role, and its permissions policy: the flow log waits until the role may write.
    [role] = [r for r in stack_graph.referenced(flow_log, "iamRoleArn") if r.type == "aws:iam/role:Role"]
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]
    [trust] = statements(policy_of(role, "assumeRolePolicy"))
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"


def test_existing_vpc_gets_endpoints_but_no_new_vpc() -> None:
    raw = load_stack_document("staging")["config"]["mlops-platform:platform"]
    raw = {**raw, "network": {"existing_vpc": {
        "vpc_id": "vpc-0123456789abcdef0",
        "cidr": "10.1.0.0/16",
        "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "route_table_ids": ["rtb-0123456789abcdef0"],
    }}}  # fmt: skip
    config = parse_platform_config(raw, "existing")
    resolver = offline_resolver(config.region, config.account_id)
    # Once per version of the code and of this file: the platform config as written is the key.
    graph = computed_once(
        "existing-vpc",
        lambda: record_program(
            lambda: build_platform(config, resolver), config={"mlops-platform:platform": raw}
        ),
        key=[repr(raw)],
    )

    for absent in ("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/flowLog:FlowLog"):
        assert not graph.of_type(absent)
    endpoints = graph.of_type(ENDPOINT)
    assert {e.inputs["vpcId"] for e in endpoints} == {"vpc-0123456789abcdef0"}
    interface = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Interface"]
    assert all(
        e.inputs["subnetIds"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] for e in interface
    )


@pytest.mark.parametrize(
    ("cidr", "count", "expected"),
    [
        ("10.0.0.0/16", 2, ["10.0.0.0/19", "10.0.32.0/19"]),
        ("10.0.0.0/22", 3, ["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/25"]),
    ],
)
def test_subnet_cidrs_split_the_vpc(cidr: str, count: int, expected: list[str]) -> None:
    assert subnet_cidrs(cidr, count) == expected


def test_subnet_cidrs_refuse_more_than_eight_zones() -> None:
    with pytest.raises(ValueError, match="cannot hold 9 subnets"):
        subnet_cidrs("10.0.0.0/16", 9)


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("sagemaker.api", "com.amazonaws.eu-west-1.sagemaker.api"),
        ("ecr.dkr", "com.amazonaws.eu-west-1.ecr.dkr"),
        # SageMaker MLflow: its own PrivateLink namespace, like Studio's aws.sagemaker.<region>.studio.
        ("sagemaker.experiments", "aws.sagemaker.eu-west-1.experiments"),
    ],
)
def test_endpoint_service_names(service: str, name: str) -> None:
    assert endpoint_service_name("eu-west-1", service) == name


def _network_args(tags: dict[str, str]) -> PrivateNetworkArgs:
    return PrivateNetworkArgs(
        region="eu-west-1",
        account_id="123456789012",
        vpc=ExistingVpc(
            vpc_id="vpc-0abc", cidr="10.0.0.0/16", private_subnet_ids=["subnet-1"], route_table_ids=["rtb-1"]
        ),
        interface_endpoint_services=["sagemaker.api"],
        role_path="/mlops-platform/",
        tags=tags,
    )


def test_the_name_tag_every_resource_gets_counts_against_awss_fifty() -> None:
    """Each resource carries the caller's tags and a Name tag: 50 of the caller's would make 51."""
    tags = {f"k{i}": "v" for i in range(49)}
    _network_args(tags)  # 49 + Name
    _network_args({**tags, "Name": "mine"})  # Name replaced: 50 in all
    with pytest.raises(
        ValueError, match=r"^PrivateNetworkArgs\.tags: 50 tags; AWS takes at most 50 .* at most 49"
    ):
        _network_args({**tags, "k49": "v"})
