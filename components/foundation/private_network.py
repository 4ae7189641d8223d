"""PrivateNetwork: private subnets and VPC endpoints so that no SageMaker workload needs the internet."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2
import pulumi_aws.vpc as vpc

from ..limits import (
    LOG_RETENTION_DAYS,
    account_id_problem,
    iam_path_problem,
    one_of,
    own_tags,
    region_problem,
    satisfies,
    tags_problem,
)
from ..naming import child_name
from ..output_text import concat
from ..policy_documents import document, render
from .execution_role import ExecutionRole, ExecutionRoleArgs

SAGEMAKER_PRIVATELINK_SERVICES = ("sagemaker.experiments",)
"""SageMaker services whose PrivateLink name is ``aws.sagemaker.<region>.<name>`` rather than
``com.amazonaws.<region>.<service>``: ``sagemaker.experiments`` is SageMaker's managed MLflow, whose
tracking servers answer at ``<region>.experiments.sagemaker.aws`` (the host the sagemaker-mlflow
plugin builds from a tracking server ARN), like Studio's ``aws.sagemaker.<region>.studio``."""


def endpoint_service_name(region: str, service: str) -> str:
    """The VPC endpoint service name of a short ``service`` name (``sagemaker.api``, ``sagemaker.experiments``)."""
    if service in SAGEMAKER_PRIVATELINK_SERVICES:
        return f"aws.sagemaker.{region}.{service.removeprefix('sagemaker.')}"
    return f"com.amazonaws.{region}.{service}"


@dataclass(frozen=True)
class NewVpc:
    """Create a VPC with one private subnet per availability zone."""

    cidr: str
    """IPv4 CIDR of the VPC; split into eight equal blocks, one private subnet per zone from the first."""
    availability_zones: Sequence[str]
    """Zones (e.g. ``eu-west-1a``) that each get one private subnet; at most eight."""
    flow_log_retention_days: int
    """Days the flow logs are kept (a CloudWatch Logs retention value, e.g. 90)."""
    flow_log_kms_key_arn: pulumi.Input[str]
    """KMS key of the flow-log group; its policy must let CloudWatch Logs use it (the logs key)."""
    flow_log_group_name: str
    """CloudWatch log group of the VPC's flow logs (account-wide: give each stack its own)."""

    def __post_init__(self) -> None:
        one_of(self, "flow_log_retention_days", LOG_RETENTION_DAYS)


@dataclass(frozen=True)
class ExistingVpc:
    """Use a VPC someone else owns; the platform only adds security groups and endpoints to it."""

    vpc_id: str
    """Id of the VPC (``vpc-...``)."""
    cidr: str
    """The VPC's IPv4 CIDR: the endpoints accept HTTPS from it and workloads may send HTTPS to it."""
    private_subnet_ids: Sequence[str]
    """Private subnets the interface endpoints are placed in and the workloads run in."""
    route_table_ids: Sequence[str]
    """Route tables of those subnets; each gets a route to the S3 gateway endpoint."""


@dataclass(frozen=True)
class PrivateNetworkArgs:
    region: str
    """Region of the VPC; names the endpoint services (``com.amazonaws.<region>.<service>``)."""
    account_id: str
    """The 12-digit AWS account whose principals alone may use the endpoints."""
    vpc: NewVpc | ExistingVpc
    """The VPC to create (``NewVpc``) or the one to add the endpoints and security groups to."""
    interface_endpoint_services: Sequence[str]
    """Short service names (``sagemaker.api``); each becomes ``com.amazonaws.<region>.<service>``
    (``aws.sagemaker.<region>.<name>`` for ``SAGEMAKER_PRIVATELINK_SERVICES``)."""
    role_path: str
    """IAM path of the flow-log delivery role (created with a ``NewVpc`` only)."""
    tags: Mapping[str, str]
    """Tags of every resource created; each also gets a ``Name`` tag."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", iam_path_problem)
        # Each resource also gets a Name tag (replacing one the caller set).
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=own_tags(tags, "Name")))


class PrivateNetwork(pulumi.ComponentResource):
    """Private subnets (no internet or NAT gateway), interface endpoints with private DNS, an S3
    gateway endpoint, flow logs, and two security groups: one for the endpoints (HTTPS from the
    VPC only) and one for SageMaker workloads (HTTPS out to the endpoints and S3, and traffic
    between the workload's own instances). The VPC's default security group is emptied."""

    vpc_id: pulumi.Output[str]
    """Id of the VPC."""
    private_subnet_ids: list[pulumi.Output[str]]
    """Ids of the private subnets, one per availability zone."""
    workload_security_group_id: pulumi.Output[str]
    """Security group for SageMaker jobs, models and endpoints."""
    endpoint_security_group_id: pulumi.Output[str]
    """Security group of the interface endpoints."""

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:foundation:PrivateNetwork", name, None, opts)
        self._name = name
        self._args = args

        if isinstance(args.vpc, NewVpc):
            vpc_id, subnet_ids, route_table_ids = self._create_vpc(args.vpc)
        else:
            vpc_id = pulumi.Output.from_input(args.vpc.vpc_id)
            subnet_ids = [pulumi.Output.from_input(subnet) for subnet in args.vpc.private_subnet_ids]
            route_table_ids = [pulumi.Output.from_input(table) for table in args.vpc.route_table_ids]

        s3_gateway = ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_table_ids,
            policy=self._endpoint_policy(),
            tags=self._tags("s3"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        endpoint_group, workload_group = self._create_security_groups(vpc_id, s3_gateway.prefix_list_id)
        for service in args.interface_endpoint_services:
            ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=vpc_id,
                service_name=endpoint_service_name(args.region, service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[endpoint_group.id],
                policy=self._endpoint_policy(),
                tags=self._tags(service),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.vpc_id = vpc_id
        self.private_subnet_ids = subnet_ids
        self.workload_security_group_id = workload_group.id
        self.endpoint_security_group_id = endpoint_group.id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "workload_security_group_id": self.workload_security_group_id,
                "endpoint_security_group_id": self.endpoint_security_group_id,
            }
        )

    def _tags(self, suffix: str) -> dict[str, str]:
        return {**self._args.tags, "Name": f"{self._name}-{suffix}"}

    def _create_vpc(
        self, spec: NewVpc
    ) -> tuple[pulumi.Output[str], list[pulumi.Output[str]], list[pulumi.Output[str]]]:
        name = self._name
        child = pulumi.ResourceOptions(parent=self)
        network = ec2.Vpc(
            f"{name}-vpc",
            cidr_block=spec.cidr,
            # Private DNS of interface endpoints needs both.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tags("vpc"),
            opts=child,
        )
        # Take every rule off the default security group so nothing lands in it by accident.
        ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=network.id, tags=self._tags("default-locked"), opts=child
        )

        route_table = ec2.RouteTable(
            f"{name}-private", vpc_id=network.id, tags=self._tags("private"), opts=child
        )
        subnet_ids: list[pulumi.Output[str]] = []
        for zone, cidr in zip(
            spec.availability_zones, subnet_cidrs(spec.cidr, len(spec.availability_zones)), strict=True
        ):
            subnet = ec2.Subnet(
                f"{name}-private-{zone[-1]}",
                vpc_id=network.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags=self._tags(f"private-{zone}"),
                opts=child,
            )
            ec2.RouteTableAssociation(
                f"{name}-private-{zone[-1]}", subnet_id=subnet.id, route_table_id=route_table.id, opts=child
            )
            subnet_ids.append(subnet.id)

        self._create_flow_logs(network.id, spec)
        return network.id, subnet_ids, [route_table.id]

    def _create_flow_logs(self, vpc_id: pulumi.Output[str], spec: NewVpc) -> None:
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        log_group = cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=spec.flow_log_group_name,
            retention_in_days=spec.flow_log_retention_days,
            kms_key_id=spec.flow_log_kms_key_arn,
            tags=dict(args.tags),
            opts=child,
        )
        delivery = ExecutionRole(
            f"{name}-flow-logs",
            ExecutionRoleArgs(
                description="Delivers the platform VPC's flow logs to CloudWatch Logs",
                trusted_service="vpc-flow-logs.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                # What AWS's "IAM role for publishing flow logs to CloudWatch Logs" says the role
                # must include at least, scoped as tightly as CloudWatch Logs allows: every action
                # on this one group (CreateLogGroup too: the stack creates it, the service may
                # still ask), except DescribeLogGroups, which has no resource-level permissions
                # (the Service Authorization Reference lists no resource type: "*" only).
                statements=[
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ],
                        "Resource": [log_group.arn, concat(log_group.arn, ":log-stream:*")],
                    },
                    {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"},
                ],
                tags=args.tags,
            ),
            opts=child,
        )
        ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=delivery.role_arn,
            max_aggregation_interval=60,
            tags=self._tags("flow-log"),
            opts=child,
        )

    def _create_security_groups(
        self, vpc_id: pulumi.Input[str], s3_prefix_list_id: pulumi.Input[str]
    ) -> tuple[ec2.SecurityGroup, ec2.SecurityGroup]:
        name, cidr = self._name, self._args.vpc.cidr
        child = pulumi.ResourceOptions(parent=self)
        endpoints = ec2.SecurityGroup(
            child_name(f"{name}-endpoints", "aws:ec2/securityGroup:SecurityGroup"),
            vpc_id=vpc_id,
            description="VPC interface endpoints: HTTPS from inside the VPC only",
            tags=self._tags("endpoints"),
            opts=child,
        )
        vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https-in",
            security_group_id=endpoints.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=cidr,
            tags=self._tags("endpoints-https-in"),
            opts=child,
        )
        workloads = ec2.SecurityGroup(
            child_name(f"{name}-workloads", "aws:ec2/securityGroup:SecurityGroup"),
            vpc_id=vpc_id,
            description="SageMaker jobs and endpoints: HTTPS to VPC endpoints and S3, traffic within the group",
            tags=self._tags("workloads"),
            opts=child,
        )
        rules = {
            "https-to-endpoints": vpc.SecurityGroupEgressRule,
            "https-to-s3": vpc.SecurityGroupEgressRule,
            "self-in": vpc.SecurityGroupIngressRule,
            "self-out": vpc.SecurityGroupEgressRule,
        }
        targets = {
            "https-to-endpoints": {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": cidr},
            "https-to-s3": {
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
                "prefix_list_id": s3_prefix_list_id,
            },
            # Distributed training and multi-container endpoints talk between their own instances.
            "self-in": {"ip_protocol": "-1", "referenced_security_group_id": workloads.id},
            "self-out": {"ip_protocol": "-1", "referenced_security_group_id": workloads.id},
        }
        for rule_name, rule_type in rules.items():
            rule_type(
                f"{name}-workloads-{rule_name}",
                security_group_id=workloads.id,
                description=rule_name.replace("-", " "),
                tags=self._tags(f"workloads-{rule_name}"),
                opts=child,
                **targets[rule_name],
            )
        return endpoints, workloads

    def _endpoint_policy(self) -> pulumi.Output[str]:
        """Data perimeter: only principals of this account may use the endpoint."""
        return render(
            document(
                {
                    "Sid": "OnlyThisAccountsPrincipals",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": self._args.account_id}},
                }
            )
        )


def subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """Split ``vpc_cidr`` into eight equal blocks (room for up to six AZs) and take the first ``count``."""
    blocks = list(ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=3))
    if count > len(blocks):
        raise ValueError(f"{vpc_cidr} cannot hold {count} subnets")
    return [str(block) for block in blocks[:count]]
