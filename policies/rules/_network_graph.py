"""Reading security groups, their rules and VPCs (shared by the rules in ``network.py``).

CIDRs are parsed with host bits ignored (``10.0.0.0/0`` is the whole space, as EC2 treats it)
and unions collapsed with ``ipaddress.collapse_addresses``. A rule resource belongs to the
group its ``securityGroupId`` (aws-native ``groupId``/``groupName``) depends on or names; a
dependency on a VPC means the VPC's default security group (``vpc.default_security_group_id``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ._cidrs import internet_reach, networks, whole_spaces
from ._common import deps, get, get_or_none, items, own_or_unset, str_list

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
NATIVE_SECURITY_GROUP = "aws-native:ec2:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
NATIVE_INGRESS = "aws-native:ec2:SecurityGroupIngress"
EGRESS_RULE_TYPES = (
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws-native:ec2:SecurityGroupEgress",
)
GROUP_TYPES = (SECURITY_GROUP, NATIVE_SECURITY_GROUP)
RULE_TYPES = (SECURITY_GROUP_RULE, INGRESS_RULE, NATIVE_INGRESS)
VPC = "aws:ec2/vpc:Vpc"
#: VPCs the stack creates or adopts (``aws.ec2.DefaultVpc`` manages the account's default VPC).
VPC_TYPES = (VPC, "aws:ec2/defaultVpc:DefaultVpc", "aws-native:ec2:Vpc")


PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
NATIVE_PREFIX_LIST = "aws-native:ec2:PrefixList"
PREFIX_LIST_TYPES = (PREFIX_LIST, NATIVE_PREFIX_LIST)
#: Where each ingress-bearing type names the prefix lists it admits: ``(input the dependency is
#: recorded on, dotted path of the literal ids)``.
PREFIX_LIST_REFERENCES: Mapping[str, tuple[str, str]] = {
    SECURITY_GROUP: ("ingress", "ingress[].prefixListIds"),
    DEFAULT_SECURITY_GROUP: ("ingress", "ingress[].prefixListIds"),
    NATIVE_SECURITY_GROUP: ("securityGroupIngress", "securityGroupIngress[].sourcePrefixListId"),
    SECURITY_GROUP_RULE: ("prefixListIds", "prefixListIds"),
    INGRESS_RULE: ("prefixListId", "prefixListId"),
    NATIVE_INGRESS: ("sourcePrefixListId", "sourcePrefixListId"),
}


class PrefixLists:
    """The stack's managed prefix lists (pulumi-aws and aws-native) with their CIDRs: their
    ``entries`` and the ``ManagedPrefixListEntry`` resources naming them. Ingress from a prefix list
    is ingress from its CIDRs: one holding ``0.0.0.0/0`` opens the group as the CIDR itself would."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        listed = list(resources)
        self._lists = {r.urn: r for r in listed if r.resource_type in PREFIX_LIST_TYPES}
        self._ids: dict[str, str] = {}
        for urn, prefix_list in self._lists.items():
            for key in ("id", "prefixListId"):
                value = get_or_none(prefix_list.props, key)
                if isinstance(value, str) and value:
                    self._ids[value] = urn
        self._entries: dict[str, list[PolicyResource]] = {}
        for entry in listed:
            if entry.resource_type != PREFIX_LIST_ENTRY:
                continue
            targets = [d.urn for d in deps(entry, "prefixListId") if d.urn in self._lists]
            named = self._ids.get(str(get_or_none(entry.props, "prefixListId")))
            for urn in targets or ([named] if named else []):
                self._entries.setdefault(urn, []).append(entry)

    def admitted(self, resource: PolicyResource) -> list[tuple[str, list[str]]]:
        """``(prefix list name, CIDRs)`` of each stack prefix list ``resource``'s ingress admits
        (through a dependency or a known id). Raises ``UnknownValueError`` for a CIDR unknown at preview."""
        where = PREFIX_LIST_REFERENCES.get(resource.resource_type)
        if where is None or (
            resource.resource_type == SECURITY_GROUP_RULE and get_or_none(resource.props, "type") != "ingress"
        ):
            return []
        prop, path = where
        urns = [d.urn for d in deps(resource, prop) if d.urn in self._lists]
        urns += [self._ids[i] for i in _literal_ids(resource.props, path) if i in self._ids]
        found = []
        for urn in dict.fromkeys(urns):
            prefix_list = self._lists[urn]
            # A list whose entries live in ManagedPrefixListEntry resources leaves ``entries`` unset:
            # the planned state's placeholder at a real preview (Optional+Computed) reads as none.
            cidrs = [get(e, "cidr") for e in items(own_or_unset(prefix_list, "entries"))]
            cidrs += [get(e.props, "cidr") for e in self._entries.get(urn, [])]
            found.append((prefix_list.name, [c for c in cidrs if isinstance(c, str)]))
        return found


def _literal_ids(props: Any, path: str) -> list[str]:
    """The known prefix-list ids at ``path`` (``list[].key`` steps into each item); unknowns skipped."""
    head, _, tail = path.partition("[].")
    if not tail:
        return [v for v in items(get_or_none(props, head)) if isinstance(v, str)]
    return [
        v
        for item in items(get_or_none(props, head))
        for v in items(get_or_none(item, tail))
        if isinstance(v, str)
    ]


def ingress_cidrs(resource_type: str, props: Any) -> list[tuple[str, list[str]]]:
    """``(path, CIDRs)`` of each ingress rule a resource declares (egress and other types: none)."""
    if resource_type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        return [
            (f"ingress[{i}]", str_list(get(r, "cidrBlocks")) + str_list(get(r, "ipv6CidrBlocks")))
            for i, r in enumerate(items(get(props, "ingress")))
        ]
    if resource_type == NATIVE_SECURITY_GROUP:
        return [
            (f"securityGroupIngress[{i}]", str_list(get(r, "cidrIp")) + str_list(get(r, "cidrIpv6")))
            for i, r in enumerate(items(get(props, "securityGroupIngress")))
        ]
    if resource_type == SECURITY_GROUP_RULE:
        if get(props, "type") != "ingress":
            return []
        return [
            (
                "cidrBlocks/ipv6CidrBlocks",
                str_list(get(props, "cidrBlocks")) + str_list(get(props, "ipv6CidrBlocks")),
            )
        ]
    if resource_type == INGRESS_RULE:
        return [("cidrIpv4/cidrIpv6", str_list(get(props, "cidrIpv4")) + str_list(get(props, "cidrIpv6")))]
    if resource_type == NATIVE_INGRESS:
        return [("cidrIp/cidrIpv6", str_list(get(props, "cidrIp")) + str_list(get(props, "cidrIpv6")))]
    return []


def open_to_internet(resource_type: str, props: Any) -> list[str]:
    """What about a resource's own ingress lets the internet in: a CIDR or an ingress rule's CIDRs
    covering a whole space, else all its ingress CIDRs together reaching as far (:func:`internet_reach`)."""
    found = []
    entries = ingress_cidrs(resource_type, props)
    for path, cidrs in entries:
        wide = [c for c in cidrs if any(n.prefixlen == 0 for n in networks([c]))]
        opened = whole_spaces(networks(cidrs))
        if wide:
            found.append(f"{path} allows ingress from {', '.join(wide)}")
        elif opened:
            found.append(f"{path} CIDRs {cidrs} together cover {', '.join(opened)}")
    if found:
        return found
    every = [c for _, cs in entries for c in cs]
    union = internet_reach(networks(every))
    if union and len(entries) > 1:
        found.append(f"the ingress rules' CIDRs together cover {', '.join(union)}")
    elif union:
        found.append(f"{entries[0][0]} CIDRs {every} cover {', '.join(union)}")
    return found


def group_ids(group: PolicyResource) -> set[str]:
    """A security group's known ids and names (outputs: ``id``; aws-native ``groupId``, ``groupName``)."""
    values = (get_or_none(group.props, key) for key in ("id", "groupId", "groupName"))
    return {v for v in values if isinstance(v, str) and v}


def default_group_ids(vpc: PolicyResource) -> set[str]:
    """The VPC's default group id (outputs: ``defaultSecurityGroupId``, aws-native ``defaultSecurityGroup``)."""
    values = (get_or_none(vpc.props, key) for key in ("defaultSecurityGroupId", "defaultSecurityGroup"))
    return {v for v in values if isinstance(v, str) and v}


def group_owners(groups: list[PolicyResource], vpcs: list[PolicyResource]) -> dict[str, PolicyResource]:
    """Each known security-group id or name, with the first group (or VPC, by its default group)
    that has it: a rule naming an id is matched by one lookup, not by asking every group."""
    owners: dict[str, PolicyResource] = {}
    for candidate in (*groups, *vpcs):
        for value in group_ids(candidate) | default_group_ids(candidate):
            owners.setdefault(value, candidate)
    return owners


def _may_be(candidate: PolicyResource, value: object) -> bool:
    """Whether a group (or VPC, by its default group) the rule depends on can be the one its id or
    name ``value`` names: a dependency only records what the value was computed from, so one whose
    own ids are known and do not include a known value is another group."""
    if not isinstance(value, str) or not value:
        return True
    ids = default_group_ids(candidate) if candidate.resource_type in VPC_TYPES else group_ids(candidate)
    return not ids or value in ids


def rule_group(rule: PolicyResource, owners: Mapping[str, PolicyResource]) -> PolicyResource | str | None:
    """The security group a rule resource belongs to: a resource, a literal id, or None (none given).

    ``owners`` is :func:`group_owners` of the stack. Raises ``UnknownValueError`` when the id is
    unknown at preview and no dependency names it.
    """
    prop = "groupId" if rule.resource_type.startswith("aws-native:") else "securityGroupId"
    if prop == "groupId" and not deps(rule, prop) and get(rule.props, prop) is None:
        prop = "groupName"  # aws-native rules of a default-VPC group may name it instead
    known = get_or_none(rule.props, prop)
    linked = [
        d
        for d in deps(rule, prop)
        if d.resource_type in (*GROUP_TYPES, DEFAULT_SECURITY_GROUP, *VPC_TYPES) and _may_be(d, known)
    ]
    if linked:
        return linked[0]
    value = get(rule.props, prop)
    if not isinstance(value, str) or not value:
        return None
    return owners.get(value, value)


def vpc_ids(vpc: PolicyResource) -> set[str]:
    values = (get_or_none(vpc.props, key) for key in ("id", "vpcId"))
    return {v for v in values if isinstance(v, str) and v}


class VpcAttachments:
    """The VPCs some resources (flow logs, adopted default groups) name through an input, read
    once per rule: asking each resource about each VPC grew with the product of the two."""

    def __init__(self, resources: Iterable[tuple[PolicyResource, str]]) -> None:
        self._linked: set[str] = set()  # URNs of VPCs named through a dependency
        self._named: set[str] = set()  # literal VPC ids
        self.unknown = False  # some resource names its VPC by a value unknown at preview
        for resource, prop in resources:
            linked = deps(resource, prop)
            if linked:
                self._linked.update(d.urn for d in linked)
                continue
            try:
                value = get(resource.props, prop)
            except UnknownValueError:
                self.unknown = True
                continue
            if isinstance(value, str):
                self._named.add(value)

    def attached(self, vpc: PolicyResource) -> bool | None:
        """Whether one of the resources names ``vpc``; None when that depends on a value unknown at
        preview."""
        if vpc.urn in self._linked or vpc_ids(vpc) & self._named:
            return True
        return None if self.unknown else False
