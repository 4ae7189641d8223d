"""Bypass classes an adversary of the pack found (session 67), each closed as a class.

Network ingress "as good as the internet": a security group's sources were refused only when they
covered the whole address space (``0.0.0.0/0``, ``::/0``, or CIDRs whose union is). Half the internet
(``0.0.0.0/1``), every address but one, or every other /8 passed, though any attacker can pick a
source address in them. A source now counts as the internet when it reaches more public addresses
than a /8 of IPv4 or a /32 of IPv6 (S3's meaning of public, where a wider ``aws:SourceIp`` is public),
counted on the union of the CIDRs with the special-purpose ranges (private, shared, loopback,
link-local, multicast, reserved; IPv6 unique-local, link-local, multicast) left out, inline, on rule
resources and across them.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build, run_policy
from tests.policies.one_resource import assert_decided, findings, open_to_anyone

INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
NATIVE_SG = "aws-native:ec2:SecurityGroup"
NO_OPEN_INGRESS = "security-group-no-unrestricted-ingress"
UNION = "security-group-ingress-union-restricted"

#: Every IPv4 address but 255.255.255.255: /1, /2, ... /32 blocks.
ALL_BUT_ONE = [
    str(n)
    for n in ipaddress.ip_network("0.0.0.0/0").address_exclude(ipaddress.ip_network("255.255.255.255/32"))
]
#: Every even /8: half the internet, no two blocks adjacent (their union collapses to nothing wider).
EVEN_EIGHTS = [f"{first}.0.0.0/8" for first in range(0, 256, 2)]


def _inline(cidrs: list[str]) -> dict[str, Any]:
    return {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": cidrs}]}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(SG, _inline(["0.0.0.0/1"]), "0.0.0.0/1", id="half-the-internet-inline"),
        pytest.param(SG, _inline(ALL_BUT_ONE), "public IPv4 addresses", id="all-but-one-address"),
        pytest.param(SG, _inline(EVEN_EIGHTS), "public IPv4 addresses", id="every-other-slash-8"),
        pytest.param(
            SG_RULE,
            {"type": "ingress", "protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["3.0.0.0/8", "52.0.0.0/8"]},
            "public IPv4 addresses",
            id="two-public-slash-8-rule",
        ),
        pytest.param(INGRESS_RULE, {"ipProtocol": "-1", "cidrIpv6": "2000::/3"}, "2000::/3", id="ipv6-global-unicast"),
        pytest.param(
            NATIVE_SG,
            {"groupDescription": "d", "securityGroupIngress": [{"ipProtocol": "tcp", "cidrIp": "128.0.0.0/2"}]},
            "128.0.0.0/2",
            id="aws-native-quarter",
        ),
    ],
)  # fmt: skip
def test_a_source_reaching_more_than_a_slash_8_of_the_internet_is_refused(
    resource_type: str, inputs: dict[str, Any], fragment: str
) -> None:
    assert_decided(findings(NO_OPEN_INGRESS, resource_type, inputs), fragment)
    assert_decided(findings(NO_OPEN_INGRESS, resource_type, inputs, outputs=True), fragment)


@pytest.mark.parametrize(
    "cidrs",
    [
        pytest.param(
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"], id="private-and-shared"
        ),
        pytest.param(["3.0.0.0/8"], id="one-public-slash-8"),
        pytest.param(["fd00::/8", "2001:db8::/32"], id="ula-and-one-ipv6-slash-32"),
    ],
)
def test_private_ranges_and_a_slash_8_are_not_the_internet(cidrs: list[str]) -> None:
    assert_decided(findings(NO_OPEN_INGRESS, SG, _inline(cidrs)), None)


def test_rule_resources_reaching_more_than_a_slash_8_together_are_refused_on_their_group() -> None:
    group = {"type": SG, "name": "web", "inputs": {"vpcId": "vpc-1", **_inline(["10.0.0.0/16"])}}
    low = {
        "type": INGRESS_RULE,
        "name": "low",
        "inputs": {"ipProtocol": "-1", "cidrIpv4": "3.0.0.0/8"},
        "deps": {"securityGroupId": ["web"]},
    }
    high = {"type": INGRESS_RULE, "name": "high", "inputs": {"ipProtocol": "-1", "cidrIpv4": "52.0.0.0/8"}, "deps": {"securityGroupId": ["web"]}}  # fmt: skip
    violations = run_policy(UNION, [group, low, high])
    assert [v.resource_name for v in violations] == ["web"]
    assert (
        "ingress from high, low, web together covers 33554432 public IPv4 addresses" in violations[0].message
    )


# --- the same CIDR reading in resource policies' aws:SourceIp --------------------------------------

#: (resource type, policy property, rule, action, extra inputs) of the rules that credit an
#: ``aws:SourceIp`` condition as pinning an open principal.
SOURCE_IP_RULES = [
    pytest.param(
        "aws:s3/bucketPolicy:BucketPolicy", "s3-bucket-policy-not-public", "s3:GetObject", id="bucket-policy"
    ),
    pytest.param(
        "aws:sqs/queuePolicy:QueuePolicy", "resource-policy-not-public", "sqs:SendMessage", id="queue"
    ),
]


@pytest.mark.parametrize(("resource_type", "rule", "action"), SOURCE_IP_RULES)
@pytest.mark.parametrize(
    ("cidrs", "public"),
    [
        pytest.param(EVEN_EIGHTS, True, id="every-other-slash-8"),
        pytest.param(["3.0.0.0/8", "52.0.0.0/8"], True, id="two-public-slash-8"),
        pytest.param(["::ffff:3.0.0.0/104", "52.0.0.0/8"], True, id="mapped-and-plain-slash-8"),
        pytest.param(["203.0.113.0/24", "198.51.100.0/24"], False, id="two-office-ranges"),
        pytest.param(["10.0.0.0/8", "172.16.0.0/12"], False, id="private-ranges"),
    ],
)
def test_source_ip_pins_only_while_the_union_stays_within_a_slash_8(
    resource_type: str, rule: str, action: str, cidrs: list[str], public: bool
) -> None:
    """S3's meaning of public judges each ``aws:SourceIp`` value by its width alone, so 128 /8s (half
    the internet) pinned the Allow: the values are now read as one set, like a security group's."""
    policy = open_to_anyone(action, {"IpAddress": {"aws:SourceIp": cidrs}})
    assert_decided(
        findings(rule, resource_type, {"bucket": "b", "policy": policy}), "Principal '*'" if public else None
    )


def test_a_deny_outside_half_the_internet_credits_nothing() -> None:
    """The private-API pattern (an Allow to ``*`` with a Deny ``NotIpAddress``) reads the Deny's
    values the same way: a Deny of every request from outside 128 /8s leaves half the internet in."""
    allow = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    deny = {**allow, "Effect": "Deny", "Condition": {"NotIpAddress": {"aws:SourceIp": EVEN_EIGHTS}}}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [allow, deny]})
    result = findings("resource-policy-not-public", "aws:sqs/queuePolicy:QueuePolicy", {"policy": policy})
    assert_decided(result, "Principal '*'")
    narrow = {**deny, "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [allow, narrow]})
    assert_decided(
        findings("resource-policy-not-public", "aws:sqs/queuePolicy:QueuePolicy", {"policy": policy}), None
    )


# --- the internet through a managed prefix list --------------------------------------------------

PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
NATIVE_PREFIX_LIST = "aws-native:ec2:PrefixList"
NATIVE_INGRESS = "aws-native:ec2:SecurityGroupIngress"


def _prefix_list(kind: str, cidrs: list[str]) -> list[dict[str, Any]]:
    """A prefix list holding ``cidrs``: in its ``entries``, or (``entry``) in entry resources."""
    entries = [{"cidr": cidr, "description": "x"} for cidr in cidrs]
    if kind == "native":
        return [{"type": NATIVE_PREFIX_LIST, "name": "open", "inputs": {"addressFamily": "IPv4", "maxEntries": 5, "entries": entries}}]  # fmt: skip
    if kind == "entry":
        listed = {"type": PREFIX_LIST, "name": "open", "inputs": {"addressFamily": "IPv4", "maxEntries": 5}}
        return [listed] + [
            {"type": PREFIX_LIST_ENTRY, "name": f"entry-{i}", "inputs": {"cidr": c}, "deps": {"prefixListId": ["open"]}}
            for i, c in enumerate(cidrs)
        ]  # fmt: skip
    return [{"type": PREFIX_LIST, "name": "open", "inputs": {"addressFamily": "IPv4", "maxEntries": 5, "entries": entries}}]  # fmt: skip


#: (name, spec of a group or rule taking ingress from the prefix list "open"), each alone.
REFERENCES = [
    pytest.param(
        {"type": SG, "name": "web", "inputs": {"vpcId": "vpc-1", "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": ["pl-unknown"]}]}, "deps": {"ingress": ["open"]}},
        id="group-inline",
    ),
    pytest.param(
        {"type": SG_RULE, "name": "rule", "inputs": {"type": "ingress", "protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroupId": "sg-1"}, "deps": {"prefixListIds": ["open"]}},
        id="security-group-rule",
    ),
    pytest.param(
        {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1"}, "deps": {"prefixListId": ["open"]}},
        id="ingress-rule",
    ),
    pytest.param(
        {"type": NATIVE_INGRESS, "name": "rule", "inputs": {"ipProtocol": "-1", "groupId": "sg-1"}, "deps": {"sourcePrefixListId": ["open"]}},
        id="aws-native-ingress",
    ),
]  # fmt: skip


@pytest.mark.parametrize("kind", ["entries", "entry", "native"])
@pytest.mark.parametrize("reference", REFERENCES)
def test_ingress_from_a_prefix_list_of_the_internet_is_refused(reference: dict[str, Any], kind: str) -> None:
    """A managed prefix list of the stack is a set of CIDRs like any other: ingress from one holding
    ``0.0.0.0/0`` (or half the internet) is ingress from the internet."""
    violations = run_policy(UNION, [*_prefix_list(kind, ["0.0.0.0/1", "128.0.0.0/1"]), reference])
    assert len(violations) == 1, violations
    assert "prefix list 'open'" in violations[0].message and "covers 0.0.0.0/0" in violations[0].message
    assert run_policy(UNION, [*_prefix_list(kind, ["10.0.0.0/16", "203.0.113.0/24"]), reference]) == []


def test_a_prefix_list_named_by_its_known_id_counts_after_create() -> None:
    """After create the ids are known and a rule may name the list literally, with no dependency."""
    listed = _prefix_list("entries", ["0.0.0.0/0"])
    listed[0]["inputs"] |= {"id": "pl-0open"}
    rule = {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1", "prefixListId": "pl-0open"}}  # fmt: skip
    egress = {"type": SG_RULE, "name": "out", "inputs": {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "securityGroupId": "sg-2", "prefixListIds": ["pl-0open"]}}  # fmt: skip
    violations = run_policy(UNION, [*listed, rule, egress])
    assert [(v.resource_name, "covers 0.0.0.0/0, the whole internet" in v.message) for v in violations] == [
        ("rule", True)
    ]


# --- kms:ViaService patterns that name every service --------------------------------------------


@pytest.mark.parametrize(
    ("via", "scoped"),
    [
        pytest.param("*.amazonaws.com", False, id="every-service"),
        pytest.param("*.eu-west-1.amazonaws.com", False, id="every-service-of-a-region"),
        pytest.param(["s3.eu-west-1.amazonaws.com", "*amazonaws.com*"], False, id="one-of-the-values-every-service"),
        pytest.param("s3.*.amazonaws.com", True, id="s3-in-any-region"),
        pytest.param(["s3.eu-west-1.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com"], True, id="two-services"),
    ],
)  # fmt: skip
def test_a_via_service_pattern_scopes_a_key_only_when_it_names_the_services(via: Any, scoped: bool) -> None:
    """``kms:ViaService`` scopes ``kms:Decrypt`` on ``*`` to the keys a service uses on the caller's
    behalf; a pattern matching any service's endpoint (``*.amazonaws.com``) scopes nothing."""
    statement = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": via}}}  # fmt: skip
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    result = findings("iam-no-unscoped-sensitive-actions", "aws:iam/policy:Policy", {"policy": policy})
    assert_decided(result, None if scoped else "kms:Decrypt (reads data or secrets) on every resource")


# --- an alarm threshold not known at preview ------------------------------------------------------

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
AVERAGE_OF_ERRORS = {
    "metricName": "Invocation5XXErrors",
    "namespace": "AWS/SageMaker",
    "statistic": "Average",
    "comparisonOperator": "GreaterThanThreshold",
    "evaluationPeriods": 1,
    "period": 60,
    "alarmActions": ["arn:aws:sns:eu-west-1:111122223333:alerts"],
    "dimensions": {"EndpointName": "e", "VariantName": "v"},
}


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        pytest.param({"threshold": UNKNOWN_NUMBER_VALUE}, "undecided", id="threshold-unknown"),
        pytest.param({"threshold": 1, "comparisonOperator": UNKNOWN_STRING_VALUE}, "undecided", id="ceiling-operator-unknown"),
        pytest.param({"threshold": 5, "comparisonOperator": UNKNOWN_STRING_VALUE}, "refused", id="over-the-ceiling-any-operator"),
        pytest.param({"threshold": 0.05, "comparisonOperator": UNKNOWN_STRING_VALUE}, "passes", id="below-the-ceiling-any-operator"),
        pytest.param({"threshold": 5, "thresholdMetricId": UNKNOWN_STRING_VALUE}, "undecided", id="band-unknown"),
    ],
)  # fmt: skip
def test_an_error_share_alarm_whose_threshold_is_unknown_is_undecided(
    changes: dict[str, Any], verdict: str
) -> None:
    """The Average of a SageMaker error count is a share (0 to 1): a threshold over 1 never fires. A
    threshold (or operator, at exactly 1) unknown at preview may be such a one: undecided, not a pass."""
    messages, undecided = findings("alarm-statistic-fits-the-metric", ALARM, {**AVERAGE_OF_ERRORS, **changes})
    assert (bool(messages), undecided) == {
        "undecided": (False, 1),
        "refused": (True, 0),
        "passes": (False, 0),
    }[verdict]


# --- GPU instances outside SageMaker ----------------------------------------------------------------

GPU_QUOTA = "gpu-instance-quota"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _gpu_fleet(kind: str, instance_type: str, size: int) -> list[dict[str, Any]]:
    """EC2 capacity of ``size`` instances of ``instance_type``, the way ``kind`` asks for it."""
    template = {"type": LAUNCH_TEMPLATE, "name": "template", "inputs": {"instanceType": instance_type}}
    scaling = {"desiredSize": 1, "minSize": 1, "maxSize": size}
    if kind == "instances":
        return [{"type": "aws:ec2/instance:Instance", "name": f"box-{i}", "inputs": {"ami": "ami-1", "instanceType": instance_type}} for i in range(size)]  # fmt: skip
    if kind == "node-group":
        return [{"type": "aws:eks/nodeGroup:NodeGroup", "name": "gpus", "inputs": {"clusterName": "c", "nodeRoleArn": "r", "subnetIds": ["s"], "instanceTypes": [instance_type], "scalingConfig": scaling}}]  # fmt: skip
    if kind == "node-group-template":
        return [template, {"type": "aws:eks/nodeGroup:NodeGroup", "name": "gpus", "inputs": {"clusterName": "c", "nodeRoleArn": "r", "subnetIds": ["s"], "scalingConfig": scaling}, "deps": {"launchTemplate": ["template"]}}]  # fmt: skip
    if kind == "native-node-group":
        return [{"type": "aws-native:eks:Nodegroup", "name": "gpus", "inputs": {"clusterName": "c", "nodeRole": "r", "subnets": ["s"], "instanceTypes": [instance_type], "scalingConfig": scaling}}]  # fmt: skip
    if kind == "auto-scaling-group":
        return [template, {"type": "aws:autoscaling/group:Group", "name": "gpus", "inputs": {"maxSize": size, "minSize": 0}, "deps": {"launchTemplate": ["template"]}}]  # fmt: skip
    assert kind == "mixed-auto-scaling-group"
    overrides = {"launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": "lt-1"}, "overrides": [{"instanceType": "m5.large"}, {"instanceType": instance_type}]}}  # fmt: skip
    return [{"type": "aws:autoscaling/group:Group", "name": "gpus", "inputs": {"maxSize": size, "minSize": 0, "mixedInstancesPolicy": overrides}}]  # fmt: skip


@pytest.mark.parametrize(
    "kind",
    ["instances", "node-group", "node-group-template", "native-node-group", "auto-scaling-group", "mixed-auto-scaling-group"],
)  # fmt: skip
def test_gpu_instances_outside_sagemaker_count_against_the_quota(kind: str) -> None:
    """EC2 instances, EKS node groups and Auto Scaling groups run GPUs as SageMaker does: counted at
    their ceiling (maxSize), the quota (4 by default) holds them too."""
    over = run_policy(GPU_QUOTA, _gpu_fleet(kind, "p4d.24xlarge", 5))
    assert len(over) == 1 and "asks for 5 GPU instances, over maxGpuInstances=4" in over[0].message, over
    assert "p4d.24xlarge" in over[0].message
    assert run_policy(GPU_QUOTA, _gpu_fleet(kind, "p4d.24xlarge", 4)) == []
    assert run_policy(GPU_QUOTA, _gpu_fleet(kind, "m5.large", 50)) == []


def test_a_node_group_whose_types_are_unknown_at_preview_is_undecided_or_its_template_s() -> None:
    """Types computed from another resource's output are undecided at preview; the planned state's
    placeholder for types left unset (no dependency: Optional+Computed) reads as unset, so the launch
    template's type counts."""
    computed = _gpu_fleet("node-group", "p4d.24xlarge", 5)
    computed[0]["inputs"]["instanceTypes"] = UNKNOWN_ARRAY_VALUE
    computed[0]["deps"] = {"instanceTypes": ["template"]}
    computed.append({"type": LAUNCH_TEMPLATE, "name": "template", "inputs": {}})
    report = evaluate_report(build(computed), None, [get_policy(GPU_QUOTA)])
    assert report.violations == [] and [u.policy_name for u in report.undecided] == [GPU_QUOTA]
    placeholder = _gpu_fleet("node-group-template", "p4d.24xlarge", 5)
    placeholder[1]["inputs"]["instanceTypes"] = UNKNOWN_ARRAY_VALUE
    over = run_policy(GPU_QUOTA, placeholder)
    assert len(over) == 1 and "gpus.launch template instanceType=p4d.24xlarge x5" in over[0].message


# --- booleans spelled as the provider reads them --------------------------------------------------

TRAIL = {"s3BucketName": "b", "kmsKeyId": "k", "enableLogFileValidation": True, "isMultiRegionTrail": True}
ALARM_WITH_ACTIONS = {**AVERAGE_OF_ERRORS, "statistic": "Sum", "threshold": 1}


@pytest.mark.parametrize("spelling", ["0", "f", "False"])
@pytest.mark.parametrize(
    ("rule", "resource_type", "inputs", "fragment"),
    [
        pytest.param("cloudtrail-multi-region", "aws:cloudtrail/trail:Trail", {**TRAIL, "enableLogging": None}, "enableLogging is", id="trail-stopped"),
        pytest.param("alarm-has-actions", ALARM, {**ALARM_WITH_ACTIONS, "actionsEnabled": None}, "actionsEnabled is", id="alarm-muted"),
    ],
)  # fmt: skip
def test_a_false_switch_spelled_as_the_provider_reads_it_is_refused(
    rule: str, resource_type: str, inputs: dict[str, Any], fragment: str, spelling: str
) -> None:
    """The bridge hands a string to a bool input through cty (``"1"``/``"0"``) or Go's ParseBool
    (``t``/``f``/``True``/``FALSE``...): ``"0"`` stops a trail as ``False`` does."""
    switch = next(key for key, value in inputs.items() if value is None)
    assert_decided(findings(rule, resource_type, {**inputs, switch: spelling}), fragment)


@pytest.mark.parametrize("spelling", ["1", "t", "TRUE"])
def test_a_true_switch_spelled_as_the_provider_reads_it_counts(spelling: str) -> None:
    """An online store enabled by ``"1"`` needs its key as one enabled by ``True``; a model isolated
    by ``"1"`` is isolated."""
    online = {"onlineStoreConfig": {"enableOnlineStore": spelling}}
    result = findings("feature-group-kms-encrypted", "aws:sagemaker/featureGroup:FeatureGroup", online)
    assert_decided(result, "onlineStoreConfig.securityConfig.kmsKeyId is unset")
    isolated = {"enableNetworkIsolation": spelling}
    assert_decided(findings("model-network-isolation", "aws:sagemaker/model:Model", isolated), None)


# --- a name that is no string -----------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["endpoint-safe-rollout", "rollback-alarms-can-fire"])
@pytest.mark.parametrize("name", [{"x": 1}, {}, ["a"]], ids=["map", "empty-map", "list"])
def test_an_alarm_named_by_a_map_names_no_alarm_and_crashes_nothing(rule: str, name: Any) -> None:
    """A map where an alarm's name goes (the provider refuses it) made the rollout rules raise
    ``TypeError: unhashable``, failing the whole pack; it now names no alarm."""
    alarm = {"type": ALARM, "name": "odd", "inputs": {**AVERAGE_OF_ERRORS, "threshold": 0.05, "name": name}}
    rollback = {"autoRollbackConfiguration": {"alarms": [{"alarmName": "latency"}]}}
    endpoint = {"type": "aws:sagemaker/endpoint:Endpoint", "name": "ep", "inputs": {"endpointConfigName": "c", "deploymentConfig": rollback}}  # fmt: skip
    report = evaluate_report(build([alarm, endpoint]), None, [get_policy(rule)])
    assert all(
        "'latency'" in v.message or "latency" in v.message for v in report.violations if "alarm" in v.message
    )


def test_a_prefix_list_s_unset_entries_at_a_real_preview_read_as_none() -> None:
    """At a real preview a list whose entries are separate resources holds the planned state's
    placeholder for ``entries`` (no dependency): its entry resources still count, and nothing is undecided."""
    specs = _prefix_list("entry", ["0.0.0.0/0"])
    specs[0]["inputs"]["entries"] = UNKNOWN_ARRAY_VALUE
    rule = {"type": INGRESS_RULE, "name": "rule", "inputs": {"ipProtocol": "-1", "securityGroupId": "sg-1"}, "deps": {"prefixListId": ["open"]}}  # fmt: skip
    report = evaluate_report(build([*specs, rule]), None, [get_policy(UNION)])
    assert report.undecided == [] and len(report.violations) == 1
    assert "through prefix list 'open'" in report.violations[0].message
