"""Network rules: EKS control planes (pulumi-aws and aws-native clusters), security-group ingress, default security groups and VPC
flow logs; pulumi-aws and aws-native types.

Ingress is judged per CIDR (``/0`` of either family, host bits ignored) and per security group
on the union of its CIDRs: inline ``ingress``, ``SecurityGroupRule`` (type ingress),
``vpc.SecurityGroupIngressRule`` and the aws-native twins, collapsed with
``ipaddress.collapse_addresses``; ``0.0.0.0/1`` + ``128.0.0.0/1`` is the internet too.
Prefix lists and security-group sources carry no CIDR and are fine.

Stack rules (union, default security group, flow logs) read property dependencies, which
the engine records in both shapes, and fall back to literal ids (``id``/``groupId``/``vpcId``
in outputs after create). What they cannot decide at preview is counted as undecided.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._cidrs import internet_reach, networks, whole_spaces
from ._common import (
    ADVISORY,
    CHECKOV,
    FSBP,
    HIGH,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    is_false,
    is_map,
    items,
    of_type,
    own_or_unset,
    resource_rule,
    stack_rule,
    str_list,
)
from ._network_graph import (
    DEFAULT_SECURITY_GROUP,
    EGRESS_RULE_TYPES,
    GROUP_TYPES,
    RULE_TYPES,
    SECURITY_GROUP,
    VPC_TYPES,
    PrefixLists,
    VpcAttachments,
    group_owners,
    ingress_cidrs,
    open_to_internet,
    rule_group,
)
from ._undecided import Undecided

EKS_CLUSTER = "aws:eks/cluster:Cluster"
#: The aws-native twin (CloudFormation ``AWS::EKS::Cluster``): the same controls under other
#: names, ``resourcesVpcConfig.endpointPublicAccess`` (unset is public, as on pulumi-aws) and
#: ``logging.clusterLogging.enabledTypes[].type``; ``encryptionConfig[].resources`` is shared.
NATIVE_EKS_CLUSTER = "aws-native:eks:Cluster"
EKS_CLUSTERS = [EKS_CLUSTER, NATIVE_EKS_CLUSTER]
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
NATIVE_FLOW_LOG = "aws-native:ec2:FlowLog"
FLOW_LOG_TYPES = (FLOW_LOG, NATIVE_FLOW_LOG)

Check = Iterator[str]
StackFindings = Iterator[tuple[str, str | None]]
#: A security group's ingress from one resource: the resource, its own CIDRs, ``(name, CIDRs)`` of the
#: stack prefix lists it admits.
Contribution = tuple[PolicyResource, list[str], list[tuple[str, list[str]]]]


# --- EKS -------------------------------------------------------------------------------


def _eks_vpc_config(resource_type: str) -> str:
    return "resourcesVpcConfig" if resource_type == NATIVE_EKS_CLUSTER else "vpcConfig"


def _eks_endpoint_private(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    path = f"{_eks_vpc_config(args.resource_type)}.endpointPublicAccess"
    if not is_false(get(args.props, path)):
        yield (
            f"{path} is not false (unset means true): set endpoint_public_access=False "
            "and endpoint_private_access=True; reach the API through the VPC."
        )


def _eks_secrets_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    configs = [c for c in items(get(args.props, "encryptionConfig")) if is_map(c)]
    if not any("secrets" in str_list(get(c, "resources")) for c in configs):
        yield "encryptionConfig.resources does not contain 'secrets': set encryption_config with a KMS key for secrets."


def _eks_audit_logging(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if args.resource_type == NATIVE_EKS_CLUSTER:
        path = "logging.clusterLogging.enabledTypes"
        enabled = [get(t, "type") for t in items(get(args.props, path)) if is_map(t)]
    else:
        path = "enabledClusterLogTypes"
        enabled = str_list(get(args.props, path))
    if "audit" not in enabled:
        yield f"{path} does not contain 'audit': add 'audit' (and 'api', 'authenticator')."


eks_endpoint_private = resource_rule(
    name="eks-endpoint-private",
    description=(
        "EKS cluster API endpoints (aws:eks/cluster:Cluster, aws-native:eks:Cluster) must not be public. Fix: "
        "set vpcConfig.endpointPublicAccess=false (aws-native: resourcesVpcConfig) and endpointPrivateAccess=true."
    ),
    resource_types=EKS_CLUSTERS,
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
    resource_types=EKS_CLUSTERS,
    check=_eks_secrets_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "EKS.3"),
    tags=["eks", "encryption"],
)

eks_audit_logging = resource_rule(
    name="eks-audit-logging",
    description=(
        "EKS clusters must send audit logs to CloudWatch. Fix: add 'audit' to enabledClusterLogTypes "
        "(aws-native: logging.clusterLogging.enabledTypes)."
    ),
    resource_types=EKS_CLUSTERS,
    check=_eks_audit_logging,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "EKS.8"),
    tags=["eks", "logging"],
)


# --- security groups and VPCs ----------------------------------------------------------


def _no_unrestricted_ingress(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for finding in open_to_internet(args.resource_type, args.props):
        yield (f"{finding}: restrict the source to the VPC CIDR, a prefix list or a security group.")


def _default_sg_no_rules(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    rules = [key for key in ("ingress", "egress") if items(get(args.props, key))]
    if rules:
        yield (
            f"the default security group has {' and '.join(rules)} rules: declare aws.ec2.DefaultSecurityGroup "
            "with no ingress or egress, and put workloads in their own security groups."
        )


def _group_owners(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    """:func:`group_owners` of the stack's security groups and VPCs."""
    return group_owners(of_type(resources, GROUP_TYPES), of_type(resources, VPC_TYPES))


def _ingress_union(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    owners = _group_owners(args.resources)
    prefix_lists = PrefixLists(args.resources)
    undecided = Undecided()
    # group key -> (group resource or None, [(contributor, own CIDRs, [(prefix list, its CIDRs)])])
    members: dict[str, tuple[PolicyResource | None, list[Contribution]]] = {}

    def add(key: str, group: PolicyResource | None, contribution: Contribution) -> None:
        members.setdefault(key, (group, []))[1].append(contribution)

    def collect_group(group: PolicyResource) -> StackFindings:
        if (
            group.resource_type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
            and own_or_unset(group, "ingress") is None
        ):
            # No inline rules: at preview the planned state's placeholder of an ``ingress`` left unset
            # (Optional+Computed), which reads back empty after create (separate rules come later).
            add(group.urn, group, (group, [], []))
        else:
            cidrs = [c for _, cs in ingress_cidrs(group.resource_type, group.props) for c in cs]
            add(group.urn, group, (group, cidrs, prefix_lists.admitted(group)))
        return iter(())

    def collect_rule(rule: PolicyResource) -> StackFindings:
        cidrs = [c for _, cs in ingress_cidrs(rule.resource_type, rule.props) for c in cs]
        listed = prefix_lists.admitted(rule)
        if not cidrs and not listed:
            return iter(())
        target = rule_group(rule, owners)
        if target is None:
            return iter(())
        if isinstance(target, str):
            add(target, None, (rule, cidrs, listed))
        else:
            add(target.urn, target, (rule, cidrs, listed))
        return iter(())

    yield from undecided.each(args.resources, (*GROUP_TYPES, DEFAULT_SECURITY_GROUP), collect_group)
    yield from undecided.each(args.resources, RULE_TYPES, collect_rule)
    for key, (group, contributions) in members.items():
        lists = sorted({name for _, _, listed in contributions for name, _ in listed})
        if not lists and len([cidrs for _, cidrs, _ in contributions if cidrs]) < 2:
            continue  # one resource's CIDRs alone are the resource rule's case
        if any(whole_spaces(networks(cidrs)) for _, cidrs, _ in contributions):
            continue  # already reported by security-group-no-unrestricted-ingress
        # A contributor reaching more than a /8 alone is reported by that rule too, on itself; the
        # group's union is reported here all the same (halves are the classic split).
        every = [
            c for _, cidrs, listed in contributions for c in (*cidrs, *(c for _, cs in listed for c in cs))
        ]
        union = networks(every)
        covered = internet_reach(union)
        if covered:
            names = ", ".join(sorted(c.name for c, cidrs, listed in contributions if cidrs or listed))
            via = f" (through prefix list {', '.join(repr(n) for n in lists)})" if lists else ""
            label = repr(group.name) if group else key
            yield (
                (
                    f"security group {label}: ingress from {names}{via} together covers {', '.join(covered)}, "
                    f"{'the' if whole_spaces(union) else 'as open as the'} whole internet: restrict the sources "
                    "to the VPC CIDR, a prefix list or a security group."
                ),
                group.urn if group else contributions[0][0].urn,
            )
    undecided.raise_if_any()


def _flow_log_vpc_prop(flow_log: PolicyResource) -> str | None:
    """The property naming the VPC a flow log records; None when it records something else. Raises
    ``UnknownValueError`` when an aws-native flow log's ``resourceType`` is unknown at preview."""
    if flow_log.resource_type == NATIVE_FLOW_LOG:
        return "resourceId" if get(flow_log.props, "resourceType") == "VPC" else None
    return "vpcId"


def _flow_log_on_vpc(flow_log: PolicyResource) -> tuple[str, bool | None] | None:
    """``(property naming the VPC, records rejected traffic)`` of a flow log that may be on a VPC.
    An aws-native one whose ``resourceType`` is unknown at preview may be a VPC's: it counts as
    undecided (None), like an unknown ``trafficType``, on whatever its ``resourceId`` names, unless
    it records accepted traffic only, which counts on no VPC."""
    try:
        prop = _flow_log_vpc_prop(flow_log)
    except UnknownValueError:
        return None if _records_rejected(flow_log) is False else ("resourceId", None)
    return None if prop is None else (prop, _records_rejected(flow_log))


def _records_rejected(flow_log: PolicyResource) -> bool | None:
    """Whether a flow log records rejected traffic (FSBP EC2.6 asks for REJECT at least): its
    ``trafficType`` is not ``ACCEPT`` (``ALL``, ``REJECT``; EC2 requires one for a VPC); None when
    unknown at preview."""
    try:
        return get(flow_log.props, "trafficType") != "ACCEPT"
    except UnknownValueError:
        return None


def _vpc_flow_logs(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    on_vpcs = [
        (flow_log, *on_vpc)
        for flow_log in of_type(args.resources, FLOW_LOG_TYPES)
        if (on_vpc := _flow_log_on_vpc(flow_log)) is not None
    ]
    flow_logs = VpcAttachments((f, prop) for f, prop, rejected in on_vpcs if rejected)
    maybe = VpcAttachments((f, prop) for f, prop, rejected in on_vpcs if rejected is None)
    undecided = Undecided()

    def check(vpc: PolicyResource) -> StackFindings:
        attached = flow_logs.attached(vpc)
        if attached:
            return
        if attached is None or maybe.attached(vpc) is not False:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, ["vpcId"])
        yield (
            (
                f"VPC {vpc.name!r} has no aws.ec2.FlowLog (or aws-native FlowLog on it) recording rejected traffic: "
                "create one with vpc_id=<vpc>.id, traffic_type='ALL' (or 'REJECT'; 'ACCEPT' alone misses "
                "blocked probes) and a KMS-encrypted log group destination."
            ),
            vpc.urn,
        )

    yield from undecided.each(args.resources, VPC_TYPES, check)
    undecided.raise_if_any()


def _vpc_default_sg(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    defaults = VpcAttachments((d, "vpcId") for d in of_type(args.resources, [DEFAULT_SECURITY_GROUP]))
    owners = _group_owners(args.resources)
    undecided = Undecided()

    def check_vpc(vpc: PolicyResource) -> StackFindings:
        adopted = defaults.attached(vpc)
        if adopted is None:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, ["vpcId"])
        if not adopted:
            yield (
                (
                    f"VPC {vpc.name!r} leaves its default security group as AWS creates it (all traffic "
                    "within the group, all egress): adopt it with aws.ec2.DefaultSecurityGroup(vpc_id=<vpc>.id) "
                    "and no ingress or egress."
                ),
                vpc.urn,
            )

    def check_rule(rule: PolicyResource) -> StackFindings:
        target = rule_group(rule, owners)
        if (
            target is not None
            and not isinstance(target, str)
            and target.resource_type in (DEFAULT_SECURITY_GROUP, *VPC_TYPES)
        ):
            yield (
                (
                    f"{rule.name!r} adds a rule to a VPC's default security group: put the rule on a "
                    "security group of your own; the default group must stay empty."
                ),
                rule.urn,
            )

    yield from undecided.each(args.resources, VPC_TYPES, check_vpc)
    yield from undecided.each(args.resources, (*RULE_TYPES, *EGRESS_RULE_TYPES), check_rule)
    undecided.raise_if_any()


security_group_no_unrestricted_ingress = resource_rule(
    name="security-group-no-unrestricted-ingress",
    description=(
        "Security groups must not accept ingress from the whole internet: 0.0.0.0/0, ::/0, CIDRs "
        "that together cover either space (0.0.0.0/1 + 128.0.0.0/1), or that reach more public addresses "
        "than a /8 of IPv4 or a /32 of IPv6 (0.0.0.0/1 alone, every other /8; private and other "
        "special-purpose ranges do not count). Fix: restrict the source to "
        "the VPC CIDR, a prefix list or another security group."
    ),
    resource_types=[*GROUP_TYPES, DEFAULT_SECURITY_GROUP, *RULE_TYPES],
    check=_no_unrestricted_ingress,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "EC2.18", "EC2.19; Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260"),
    tags=["network"],
)

security_group_ingress_union_restricted = stack_rule(
    name="security-group-ingress-union-restricted",
    description=(
        "The ingress CIDRs of one security group, across its inline rules and separate rule resources "
        "(SecurityGroupRule, SecurityGroupIngressRule, aws-native SecurityGroupIngress), must not together "
        "cover 0.0.0.0/0 or ::/0, nor reach more public addresses than a /8 of IPv4 or a /32 of IPv6; the "
        "CIDRs of a managed prefix list of the stack (ManagedPrefixList entries, ManagedPrefixListEntry, "
        "aws-native PrefixList) count where a group or rule admits it (prefixListIds). Fix: restrict the sources to the VPC CIDR, a prefix list or a security group."
    ),
    check=_ingress_union,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "EC2.18", "EC2.19; Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260"),
    tags=["network"],
)

default_security_group_no_rules = resource_rule(
    name="default-security-group-no-rules",
    description=(
        "A VPC's default security group must have no rules. Fix: declare aws.ec2.DefaultSecurityGroup "
        "without ingress or egress; use dedicated security groups for workloads."
    ),
    resource_types=[DEFAULT_SECURITY_GROUP],
    check=_default_sg_no_rules,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(CHECKOV, "CKV2_AWS_12", "FSBP EC2.2"),
    tags=["network"],
)

vpc_default_security_group_adopted = stack_rule(
    name="vpc-default-security-group-adopted",
    description=(
        "Every VPC the stack creates must adopt its default security group with no rules, and no "
        "rule resource may target it. Fix: add aws.ec2.DefaultSecurityGroup(vpc_id=<vpc>.id) without "
        "ingress/egress and attach rules to your own security groups."
    ),
    check=_vpc_default_sg,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework(CHECKOV, "CKV2_AWS_12", "FSBP EC2.2"),
    tags=["network"],
)

vpc_flow_logs_enabled = stack_rule(
    name="vpc-flow-logs-enabled",
    description=(
        "Every VPC needs a flow log recording rejected traffic (trafficType ALL or REJECT). Fix: create an "
        "aws.ec2.FlowLog with vpc_id=<vpc>.id and traffic_type='ALL' (aws-native: resourceType 'VPC', "
        "resourceId=<vpc>.vpc_id)."
    ),
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
    security_group_ingress_union_restricted,
    default_security_group_no_rules,
    vpc_default_security_group_adopted,
    vpc_flow_logs_enabled,
]
