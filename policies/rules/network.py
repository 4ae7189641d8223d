"""Network rules: EKS control planes, security-group ingress and VPC flow logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from ._common import (
    ADVISORY,
    FSBP,
    HIGH,
    MANDATORY,
    MEDIUM,
    depends_on,
    framework,
    get,
    get_or_none,
    is_false,
    is_map,
    items,
    of_type,
    per_resource,
    resource_rule,
    stack_rule,
    str_list,
)

EKS_CLUSTER = "aws:eks/cluster:Cluster"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
OPEN_CIDRS = ("0.0.0.0/0", "::/0")

Check = Iterator[str]


# --- EKS -------------------------------------------------------------------------------


def _eks_endpoint_private(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_false(get(args.props, "vpcConfig.endpointPublicAccess")):
        yield (
            "vpcConfig.endpointPublicAccess is not false (unset means true): set endpoint_public_access=False "
            "and endpoint_private_access=True; reach the API through the VPC."
        )


def _eks_secrets_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    configs = [c for c in items(get(args.props, "encryptionConfig")) if is_map(c)]
    if not any("secrets" in str_list(get(c, "resources")) for c in configs):
        yield "encryptionConfig.resources does not contain 'secrets': set encryption_config with a KMS key for secrets."


def _eks_audit_logging(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if "audit" not in str_list(get(args.props, "enabledClusterLogTypes")):
        yield "enabledClusterLogTypes does not contain 'audit': add 'audit' (and 'api', 'authenticator')."


eks_endpoint_private = resource_rule(
    name="eks-endpoint-private",
    description=(
        "EKS cluster API endpoints must not be public. Fix: set vpcConfig.endpointPublicAccess=false "
        "and endpointPrivateAccess=true."
    ),
    resource_types=[EKS_CLUSTER],
    check=_eks_endpoint_private,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "EKS.1"),
    tags=["eks", "network"],
)

eks_secrets_encrypted = resource_rule(
    name="eks-secrets-encrypted",
    description=(
        "EKS clusters must envelope-encrypt Kubernetes secrets with KMS. Fix: set encryptionConfig "
        "with resources ['secrets'] and a provider keyArn."
    ),
    resource_types=[EKS_CLUSTER],
    check=_eks_secrets_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "EKS.3"),
    tags=["eks", "encryption"],
)

eks_audit_logging = resource_rule(
    name="eks-audit-logging",
    description="EKS clusters must send audit logs to CloudWatch. Fix: add 'audit' to enabledClusterLogTypes.",
    resource_types=[EKS_CLUSTER],
    check=_eks_audit_logging,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "EKS.8"),
    tags=["eks", "logging"],
)


# --- security groups and VPCs ----------------------------------------------------------


def _open_cidrs(rule: Any, keys: tuple[str, ...]) -> list[str]:
    return [c for key in keys for c in str_list(get(rule, key)) if c in OPEN_CIDRS]


def _no_unrestricted_ingress(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    props = args.props
    found: list[tuple[str, list[str]]] = []
    if args.resource_type == SECURITY_GROUP:
        for index, rule in enumerate(items(get(props, "ingress"))):
            found.append((f"ingress[{index}]", _open_cidrs(rule, ("cidrBlocks", "ipv6CidrBlocks"))))
    elif args.resource_type == SECURITY_GROUP_RULE and get(props, "type") == "ingress":
        found.append(("cidrBlocks", _open_cidrs(props, ("cidrBlocks", "ipv6CidrBlocks"))))
    elif args.resource_type == INGRESS_RULE:
        found.append(("cidrIpv4/cidrIpv6", _open_cidrs(props, ("cidrIpv4", "cidrIpv6"))))
    for path, cidrs in found:
        if cidrs:
            yield (
                f"{path} allows ingress from {', '.join(cidrs)}: restrict the source to the VPC CIDR, a "
                "prefix list or a security group."
            )


def _vpc_flow_logs(args: StackValidationArgs, _: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    flow_logs = of_type(args.resources, [FLOW_LOG])

    def check(vpc: PolicyResource) -> Iterator[tuple[str, str | None]]:
        vpc_id = get_or_none(vpc.props, "id")
        covered = any(
            depends_on(f, vpc, "vpcId") or (vpc_id and get_or_none(f.props, "vpcId") == vpc_id)
            for f in flow_logs
        )
        if not covered:
            yield (
                (
                    f"VPC {vpc.name!r} has no aws.ec2.FlowLog: create one with vpc_id=<vpc>.id, "
                    "traffic_type='ALL' and a KMS-encrypted log group destination."
                ),
                vpc.urn,
            )

    yield from per_resource(args.resources, [VPC], check)


security_group_no_unrestricted_ingress = resource_rule(
    name="security-group-no-unrestricted-ingress",
    description=(
        "Security groups must not accept ingress from 0.0.0.0/0 or ::/0. Fix: restrict the source "
        "to the VPC CIDR, a prefix list or another security group."
    ),
    resource_types=[SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE],
    check=_no_unrestricted_ingress,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "EC2.18", "EC2.19; Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260"),
    tags=["network"],
)

vpc_flow_logs_enabled = stack_rule(
    name="vpc-flow-logs-enabled",
    description="Every VPC needs a flow log. Fix: create an aws.ec2.FlowLog with vpc_id=<vpc>.id.",
    check=_vpc_flow_logs,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework(FSBP, "EC2.6"),
    tags=["network", "logging"],
)

POLICIES = [
    eks_endpoint_private,
    eks_secrets_encrypted,
    eks_audit_logging,
    security_group_no_unrestricted_ingress,
    vpc_flow_logs_enabled,
]
