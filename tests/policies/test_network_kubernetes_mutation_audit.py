"""What the network and Kubernetes rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/network.py, policies/rules/_network_graph.py and
policies/rules/kubernetes.py: 164 one-step mutations of the decision logic (47, 43 and 74), each run
against the tests of its rules (test_policy_s3_network_hardening_rules, test_policy_platform_rules,
test_rule_semantics_storage_network_jobs, test_policy_evasions, test_evaluator_semantics,
test_adversarial_rules_2, test_policy_pack, test_stack_index, test_policy_stack_shapes,
test_policy_kubernetes_kinds, test_rule_semantics). 110 were caught; 54 survived. Of those, 43 are
caught by a test here, 1 exposed a product bug (fixed, see CHANGELOG.md), 9 are equivalent and 1 is
left alone (below). Reviewing the survivors found 3 more bugs in lines no surviving mutation touched
(fixed). Of 6 further mutations of the fixed lines, all 6 are caught, only here.

network.py (47 mutations, 14 survived: 11 caught now, 3 equivalent):

- a string ``"false"`` (any case) for ``endpointPublicAccess`` is private, as the provider coerces it;
- ``security-group-ingress-union-restricted``: a group one contributor already opens alone is left to
  the resource rule (not reported again); the message names only the resources that bring CIDRs,
  sorted; the violation sits on the group even when the group's own ingress is unknown at preview; a
  ``DefaultSecurityGroup``'s inline ingress counts in the union; a rule with no CIDRs is not read for
  its group (so its unknown group id leaves nothing undecided); a rule naming no group (unset or
  ``""``) is skipped;
- ``vpc-default-security-group-adopted``: a rule on an adopted ``DefaultSecurityGroup`` is refused; a
  rule on a literal group id outside the stack is not;
- ``vpc-flow-logs-enabled``: a flow log unknown in both ``trafficType`` and VPC leaves the VPC
  undecided, not refused.

_network_graph.py (43 mutations, 13 survived: 9 caught now, 3 equivalent, 1 left alone):

- ``cidrIpv6`` is read on ``vpc.SecurityGroupIngressRule`` and aws-native ``SecurityGroupIngress``, and
  a ``::/0`` alone is named as wide; a padded CIDR (`` 0.0.0.0/0 ``) is read; a wide CIDR beside
  others in one rule is named itself; an open inline rule is reported once, not again as a union;
- a rule whose ``securityGroupId`` is known (from state, at preview of an update) and depends on a
  group given as inputs (no ``id``) belongs to that group;
- an aws-native VPC is matched by its ``vpcId`` output.

kubernetes.py (74 mutations, 27 survived: 23 caught now, 1 bug, 3 equivalent):

- a Patch is judged only on what it sets, by every rule (the same container in a Deployment is refused
  for each unset demand); a Patch leaving the image or the node selection alone is not judged on it;
- an object without ``metadata.namespace`` is in ``default`` (exempt only when ``default`` is listed);
- a zero limit spelled ``+0``, `` 0`` or ``.0`` bounds nothing; ``+.5`` does;
- ``@sha1:`` does not pin an image; ``privileged``, ``hostPID``/``hostIPC``/``hostNetwork`` and a
  pod-level ``runAsNonRoot`` written as strings are malformed, never the safe value (session 70; they
  were read as the bools they spell, which let ``"true"`` cover a container); ``drop: ["all"]``
  drops every capability; ``minUid`` is honoured; ephemeral containers run as a high UID too;
- a GPU pod selects GPU nodes by ``nodeSelector`` alone (not by ``eks.amazonaws.com/nodegroup``: a name);
- KServe's ``art`` explainer field is a container.

The bugs (each with its CHANGELOG.md entry):

- ``k8s-resources-bounded`` read a quantity's sign as ``+`` only, so ``"-0"``/``"-0m"`` (valid quantities
  equal to zero, which the API server accepts) bounded a container (mutation: read an unparsed quantity
  as unbounded, which survived because no test wrote a quantity the number pattern missed);
- ``k8s-container-security-context`` refused only ``ALL``, ``NET_RAW`` and ``SYS_ADMIN`` added back, so
  ``SYS_MODULE``, ``SYS_PTRACE``, ``DAC_READ_SEARCH`` or ``NET_ADMIN`` passed; like the Pod Security
  Standards' restricted profile it now allows ``NET_BIND_SERVICE`` alone (found judging the set-member
  mutations, which the tests caught: the set itself was short);
- ``vpc-flow-logs-enabled`` read an aws-native flow log whose ``resourceType`` is unknown at preview as on
  no VPC, so the VPC its ``resourceId`` names was refused at preview; it is now undecided;
- a namespace unknown at preview read as unset (``default``), so exempting ``default`` skipped it; it is
  now never exempt (found judging the namespace mutation).

Equivalent (no input the provider or the API server accepts changes the verdict or message):

- ``encryptionConfig`` entries taken without the ``is_map`` filter: ``get`` of a non-map reads nothing;
- the union skipping fewer than 1 rather than 2 contributors: one contributor either covers the space
  alone (skipped next) or does not (nothing to report);
- ``trafficType`` read as ``in ("ALL", "REJECT", None)`` rather than ``!= "ACCEPT"``: EC2 and the
  provider accept only ``ACCEPT``, ``REJECT`` and ``ALL``;
- ``whole_spaces`` without the ``v4 and`` guard: an empty list collapses to ``[]``, never ``0.0.0.0/0``;
- ``SecurityGroupRule`` read as egress when ``type == "egress"`` rather than not ingress: the provider
  accepts only those two;
- a VPC dependency matched on its group ids rather than its default group ids: a VPC whose ``id`` is
  known after create also carries ``defaultSecurityGroupId``, which the id lookup then finds;
- one-container fields added to every container list: every caller's list includes ``containers``;
- a Patch without a pod spec yielding an empty partial spec: every check of a partial spec reads only
  what is set, and nothing is;
- a bool limit read as unbounded: a bool is no quantity, the API server rejects it; likewise (after the
  fix) an unparsed string limit read as unbounded: the pattern now reads every valid quantity.

Left alone: a rule whose group id depends on two groups that may both be it is counted for the first;
taking the last survives, and neither reading is more right.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build, urn_of
from tests.policies.test_policy_kubernetes_kinds import CONTAINER, DIGEST, HARDENED, ISVC, POD, obj

UNKNOWN = UNKNOWN_STRING_VALUE
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
NATIVE_INGRESS = "aws-native:ec2:SecurityGroupIngress"
NATIVE_SG = "aws-native:ec2:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
EKS = "aws:eks/cluster:Cluster"
UNION = "security-group-ingress-union-restricted"
INGRESS_RULE = "security-group-no-unrestricted-ingress"
ADOPTED = "vpc-default-security-group-adopted"
FLOW_LOGS = "vpc-flow-logs-enabled"


def report(policy: str, specs: list[dict[str, Any]], config: dict[str, Any] | None = None) -> Report:
    return evaluate_report(build(specs), config, [get_policy(policy)])


def messages(result: Report) -> list[str]:
    return [v.message for v in result.violations]


def undecided(result: Report) -> list[str]:
    return sorted(u.urn.rsplit("::", 1)[-1] for u in result.undecided if u.urn)


def ingress(name: str, cidr: str, group: str | None = "web", **inputs: Any) -> dict[str, Any]:
    """A ``vpc.SecurityGroupIngressRule`` from ``cidr`` on ``group`` (linked through a dependency)."""
    spec: dict[str, Any] = {
        "type": INGRESS,
        "name": name,
        "inputs": {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": cidr, **inputs},
    }
    if group is not None:
        spec["deps"] = {"securityGroupId": [group]}
    return spec


def group(name: str = "web", **inputs: Any) -> dict[str, Any]:
    return {"type": SG, "name": name, "inputs": {"vpcId": "vpc-1", **inputs}}


# --- EKS -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("public", "violated"),
    [
        pytest.param("false", False, id="string-false-is-private"),
        pytest.param("False", False, id="capitalised-string-false-is-private"),
        pytest.param("true", True, id="string-true-is-public"),
        pytest.param(None, True, id="unset-is-public"),
    ],
)
def test_an_eks_endpoint_written_as_a_string_is_read_as_the_provider_reads_it(
    public: Any, violated: bool
) -> None:
    """The bridge coerces a string ``"false"`` (a config value, a YAML program) to the bool false."""
    vpc_config: dict[str, Any] = {"subnetIds": ["subnet-1"], "endpointPrivateAccess": True}
    if public is not None:
        vpc_config["endpointPublicAccess"] = public
    result = report("eks-endpoint-private", [{"type": EKS, "name": "c", "inputs": {"vpcConfig": vpc_config}}])
    assert messages(result) == (
        [
            "vpcConfig.endpointPublicAccess is not false (unset means true): set endpoint_public_access=False "
            "and endpoint_private_access=True; reach the API through the VPC."
        ]
        if violated
        else []
    )


@pytest.mark.parametrize(
    ("resource_type", "inputs", "named"),
    [
        pytest.param(INGRESS, {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"},
                     "cidrIpv4/cidrIpv6 allows ingress from ::/0", id="ingress-rule-ipv6"),
        pytest.param(NATIVE_INGRESS, {"groupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"},
                     "cidrIp/cidrIpv6 allows ingress from ::/0", id="native-ingress-ipv6"),
        pytest.param(INGRESS, {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv4": " 0.0.0.0/0 "},
                     "cidrIpv4/cidrIpv6 allows ingress from  0.0.0.0/0 ", id="padded-cidr-is-read-whole"),
    ],
)  # fmt: skip
def test_every_ingress_resource_reads_both_address_families(
    resource_type: str, inputs: dict[str, Any], named: str
) -> None:
    result = report(INGRESS_RULE, [{"type": resource_type, "name": "r", "inputs": inputs}])
    assert messages(result) == [
        f"{named}: restrict the source to the VPC CIDR, a prefix list or a security group."
    ]


def test_an_open_inline_rule_is_reported_once_not_again_as_a_union() -> None:
    specs = [
        group(
            ingress=[
                {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]},
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/8"]},
            ]
        )
    ]
    assert messages(report(INGRESS_RULE, specs)) == [
        "ingress[0] allows ingress from 0.0.0.0/0: restrict the source to the VPC CIDR, a prefix list or a "
        "security group."
    ]


def test_a_wide_cidr_beside_others_in_one_rule_is_named_itself() -> None:
    result = report(
        INGRESS_RULE,
        [{"type": SG_RULE, "name": "r", "inputs": {"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp",
          "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/8", "0.0.0.0/0"]}}],
    )  # fmt: skip
    assert messages(result) == [
        "cidrBlocks/ipv6CidrBlocks allows ingress from 0.0.0.0/0: restrict the source to the VPC CIDR, a "
        "prefix list or a security group."
    ]


# --- security-group-ingress-union-restricted -----------------------------------------------------


def test_a_group_already_open_by_itself_is_left_to_the_resource_rule() -> None:
    """One contributor covering the internet alone is the resource rule's violation: the union rule
    does not report the group a second time because another rule adds a private CIDR."""
    specs = [
        group(ingress=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]),
        ingress("private", "10.0.0.0/8"),
    ]
    assert messages(report(UNION, specs)) == []
    assert [v.resource_name for v in report(INGRESS_RULE, specs).violations] == ["web"]


def test_the_union_message_names_only_the_resources_that_bring_cidrs() -> None:
    """The group itself (no inline CIDRs) and a rule from a security group are not named."""
    specs = [
        group(),
        ingress("low", "0.0.0.0/1"),
        ingress("high", "128.0.0.0/1"),
        {
            "type": INGRESS,
            "name": "from-lb",
            "inputs": {
                "ipProtocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "referencedSecurityGroupId": "sg-lb",
            },
            "deps": {"securityGroupId": ["web"]},
        },
    ]
    result = report(UNION, specs)
    assert messages(result) == [
        "security group 'web': ingress from high, low together covers 0.0.0.0/0, the whole internet: restrict "
        "the sources to the VPC CIDR, a prefix list or a security group."
    ]
    assert [v.urn for v in result.violations] == [urn_of(SG, "web")]


def test_a_known_group_id_on_a_rule_linked_to_a_group_without_known_ids_is_that_group() -> None:
    """At preview of an update the rule's ``securityGroupId`` is known from state while the group it
    depends on is given as inputs (no ``id``): the dependency still says which group it is."""
    specs = [
        group(ingress=[{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/1"]}]),
        ingress("high", "128.0.0.0/1", securityGroupId="sg-0123456789abcdef0"),
    ]
    result = report(UNION, specs)
    assert [v.urn for v in result.violations] == [urn_of(SG, "web")]
    assert "ingress from high, web together covers 0.0.0.0/0" in messages(result)[0]


def test_a_rule_without_cidrs_is_not_read_for_its_group() -> None:
    """A rule from a prefix list or a security group cannot widen the union: its group id, unknown at
    preview and not linked, leaves nothing undecided."""
    specs = [
        group(),
        {
            "type": INGRESS,
            "name": "from-prefix-list",
            "inputs": {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListId": "pl-1",
                       "securityGroupId": UNKNOWN},
        },
    ]  # fmt: skip
    result = report(UNION, specs)
    assert (result.violations, result.undecided) == ([], [])


def test_the_union_is_reported_on_the_group_even_when_its_own_ingress_is_unknown() -> None:
    """A group whose inline ingress is unknown at preview is undecided as a contributor, but two rule
    resources that cover the internet between them are reported on that group."""
    specs = [group(ingress=UNKNOWN), ingress("low", "0.0.0.0/1"), ingress("high", "128.0.0.0/1")]
    result = report(UNION, specs)
    assert [(v.urn, v.resource_name) for v in result.violations] == [(urn_of(SG, "web"), "web")]
    assert "ingress from high, low together covers 0.0.0.0/0" in messages(result)[0]


def test_a_default_group_s_inline_ingress_counts_in_the_union() -> None:
    specs = [
        {
            "type": DEFAULT_SG,
            "name": "default",
            "inputs": {"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0,
                                                     "cidrBlocks": ["0.0.0.0/1"]}]},
        },
        {
            "type": SG_RULE,
            "name": "high",
            "inputs": {"type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0,
                       "cidrBlocks": ["128.0.0.0/1"]},
            "deps": {"securityGroupId": ["default"]},
        },
    ]  # fmt: skip
    assert messages(report(UNION, specs)) == [
        "security group 'default': ingress from default, high together covers 0.0.0.0/0, the whole internet: "
        "restrict the sources to the VPC CIDR, a prefix list or a security group."
    ]


@pytest.mark.parametrize("named", [{}, {"securityGroupId": ""}], ids=["unset", "empty"])
def test_a_rule_naming_no_group_is_skipped(named: dict[str, Any]) -> None:
    """A rule without a ``securityGroupId`` (EC2 rejects it) belongs to no group: no union, no error."""
    specs = [
        group(),
        ingress("low", "0.0.0.0/1", group=None, **named),
        ingress("high", "128.0.0.0/1", group=None, **named),
    ]
    result = report(UNION, specs)
    assert (result.violations, result.undecided) == ([], [])


# --- vpc-default-security-group-adopted ------------------------------------------------------------


def adopted_vpc() -> list[dict[str, Any]]:
    return [
        {"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
        {"type": DEFAULT_SG, "name": "default", "inputs": {}, "deps": {"vpcId": ["vpc"]}},
    ]


def test_a_rule_on_an_adopted_default_group_is_refused() -> None:
    specs = [*adopted_vpc(), {**ingress("peer", "10.1.0.0/16", group="default")}]
    result = report(ADOPTED, specs)
    assert messages(result) == [
        "'peer' adds a rule to a VPC's default security group: put the rule on a security group of your own; "
        "the default group must stay empty."
    ]
    assert [v.urn for v in result.violations] == [urn_of(INGRESS, "peer")]


def test_a_rule_on_a_group_outside_the_stack_is_not_a_default_group_rule() -> None:
    specs = [
        *adopted_vpc(),
        ingress("peer", "10.1.0.0/16", group=None, securityGroupId="sg-0123456789abcdef0"),
    ]
    result = report(ADOPTED, specs)
    assert (result.violations, result.undecided) == ([], [])


# --- vpc-flow-logs-enabled -------------------------------------------------------------------------


def test_a_flow_log_unknown_in_both_traffic_and_vpc_leaves_the_vpc_undecided() -> None:
    """A flow log whose traffic type and VPC are both unknown at preview may be this VPC's REJECT log."""
    specs = [
        {"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
        {"type": FLOW_LOG, "name": "flow", "inputs": {"trafficType": UNKNOWN, "vpcId": UNKNOWN}},
    ]
    result = report(FLOW_LOGS, specs)
    assert (messages(result), undecided(result)) == ([], ["vpc"])


@pytest.mark.parametrize(
    ("target", "traffic", "outcome"),
    [
        pytest.param("vpc", "ALL", "undecided", id="on-the-vpc-undecided"),
        pytest.param("subnet", "ALL", "violated", id="on-another-resource-the-vpc-still-fails"),
        # Accepted traffic only counts on no VPC, whatever the type turns out to be: decided at preview.
        pytest.param("vpc", "ACCEPT", "violated", id="accept-only-decided-at-preview"),
    ],
)
def test_an_aws_native_flow_log_whose_resource_type_is_unknown_may_be_the_vpc_s(
    target: str, traffic: str, outcome: str
) -> None:
    """A ``resourceType`` unknown at preview may be ``VPC``: the flow log may cover what its
    ``resourceId`` names, so that VPC is undecided (re-checked on outputs), not refused at preview; a
    ``resourceId`` naming another resource still leaves the VPC without a flow log."""
    specs = [
        {"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
        {"type": "aws:ec2/subnet:Subnet", "name": "subnet", "inputs": {"cidrBlock": "10.0.1.0/24"}},
        {"type": "aws-native:ec2:FlowLog", "name": "flow",
         "inputs": {"resourceType": UNKNOWN, "trafficType": traffic}, "deps": {"resourceId": [target]}},
    ]  # fmt: skip
    result = report(FLOW_LOGS, specs, {"all": "mandatory"})
    if outcome == "undecided":
        assert (messages(result), undecided(result)) == ([], ["vpc"])
    else:
        assert ([v.resource_name for v in result.violations], result.undecided) == (["vpc"], [])


def test_an_aws_native_vpc_is_matched_by_its_vpc_id_output() -> None:
    """After create an aws-native Vpc's outputs carry ``vpcId`` (no ``id``); a flow log naming that id
    literally covers it."""
    specs = [
        {"type": "aws-native:ec2:Vpc", "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16", "vpcId": "vpc-1"}},
        {"type": "aws-native:ec2:FlowLog", "name": "flow",
         "inputs": {"resourceType": "VPC", "resourceId": "vpc-1", "trafficType": "REJECT"}},
    ]  # fmt: skip
    result = report(FLOW_LOGS, specs)
    assert (result.violations, result.undecided) == ([], [])
    specs[1]["inputs"]["resourceId"] = "vpc-2"
    assert [v.resource_name for v in report(FLOW_LOGS, specs).violations] == ["vpc"]


# --- Kubernetes --------------------------------------------------------------------------------------

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SECURITY = "k8s-container-security-context"


def k8s(
    policy: str, resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None
) -> list[str]:
    result = report(policy, [{"type": resource_type, "name": "w", "inputs": inputs}], config)
    assert result.undecided == []
    return messages(result)


def deployment(pod: dict[str, Any], namespace: str | None = "serving") -> dict[str, Any]:
    metadata = {"name": "w", **({"namespace": namespace} if namespace else {})}
    return {"metadata": metadata, "spec": {"template": {"spec": copy.deepcopy(pod)}}}


def pod_with(container: dict[str, Any] | None = None, **pod: Any) -> dict[str, Any]:
    """The hardened pod of test_policy_kubernetes_kinds with its one container and pod fields changed."""
    result = copy.deepcopy(POD)
    del result["initContainers"]
    result["containers"][0] = {**result["containers"][0], **(container or {})}
    return {**result, **pod}


def hardened(**security: Any) -> dict[str, Any]:
    """The hardened container with its securityContext fields changed (a value of None removes one)."""
    context = {**HARDENED, **security}
    return {"securityContext": {k: v for k, v in context.items() if v is not None}}


def test_an_explainer_s_art_container_is_a_container() -> None:
    explainer = {"art": {**CONTAINER, "securityContext": {**HARDENED, "privileged": True}}}
    inputs = {**obj("InferenceService"), "spec": {"predictor": copy.deepcopy(POD), "explainer": explainer}}
    assert k8s(SECURITY, ISVC, inputs) == [
        "spec.explainer.art.securityContext.privileged is true: remove it."
    ]


def test_a_workload_without_a_namespace_is_in_default() -> None:
    """Kubernetes puts an object without ``metadata.namespace`` in ``default``: listing ``default`` in
    ``exemptNamespaces`` skips it, and the usual config (``kube-system``) does not."""
    privileged = deployment(pod_with(hardened(privileged=True)), namespace=None)
    assert k8s(SECURITY, DEPLOYMENT, privileged, {SECURITY: {"exemptNamespaces": ["default"]}}) == []
    assert k8s(SECURITY, DEPLOYMENT, privileged) == [
        "spec.template.spec.containers[0].securityContext.privileged is true: remove it."
    ]


KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: serving
contexts:
- name: serving
  context: {cluster: eks, user: ci, namespace: serving}
- name: plain
  context: {cluster: eks, user: ci}
"""


@pytest.mark.parametrize(
    ("provider", "exempt", "checked"),
    [
        pytest.param({"namespace": "serving"}, ["default"], True, id="provider-namespace-is-not-default"),
        pytest.param({"namespace": "kube-system"}, ["kube-system"], False, id="provider-namespace-exempt"),
        pytest.param(
            {"namespace": UNKNOWN}, ["default", "kube-system"], True, id="provider-namespace-unknown"
        ),
        # Without a namespace setting, the namespace of the kubeconfig context the provider uses.
        pytest.param(
            {"kubeconfig": KUBECONFIG}, ["default"], True, id="kubeconfig-current-context-namespace"
        ),
        pytest.param(
            {"kubeconfig": KUBECONFIG}, ["serving"], False, id="kubeconfig-context-namespace-exempt"
        ),
        pytest.param(
            {"namespace": "", "kubeconfig": KUBECONFIG, "context": "plain"},
            ["default"],
            False,
            id="kubeconfig-chosen-context-without-namespace-is-default",
        ),
        # What a policy cannot read is never exempt: a path, the environment's kubeconfig, an unknown.
        pytest.param({"kubeconfig": "/home/ci/.kube/config"}, ["default"], True, id="kubeconfig-path"),
        pytest.param({}, ["default"], True, id="environment-kubeconfig"),
        pytest.param({"kubeconfig": UNKNOWN}, ["default"], True, id="kubeconfig-unknown"),
        pytest.param(
            {"kubeconfig": KUBECONFIG, "context": "gone"}, ["default"], True, id="context-not-found"
        ),
    ],
)
def test_a_workload_without_a_namespace_is_in_its_provider_s_namespace(
    provider: dict[str, Any], exempt: list[str], checked: bool
) -> None:
    """pulumi-kubernetes puts an object that names no namespace in its provider's ``namespace``
    setting, else its kubeconfig context's namespace, else ``default``: with ``default`` exempt, a
    privileged workload sent through a provider set to ``serving`` was skipped although it runs there."""
    privileged = deployment(pod_with(hardened(privileged=True)), namespace=None)
    specs = [
        {"type": "pulumi:providers:kubernetes", "name": "cluster", "inputs": provider},
        {"type": DEPLOYMENT, "name": "w", "inputs": privileged, "provider": "cluster"},
    ]
    result = report(SECURITY, specs, {SECURITY: {"exemptNamespaces": exempt}})
    assert result.undecided == []
    expected = ["spec.template.spec.containers[0].securityContext.privileged is true: remove it."]
    assert messages(result) == (expected if checked else [])


def test_a_namespace_unknown_at_preview_is_never_exempt() -> None:
    """An Output of a new Namespace is no system namespace, even with ``default`` exempt (an unset
    namespace is ``default``; an unknown one is not unset)."""
    privileged = deployment(pod_with(hardened(privileged=True)), namespace=UNKNOWN)
    config = {SECURITY: {"exemptNamespaces": ["default", "kube-system"]}}
    assert k8s(SECURITY, DEPLOYMENT, privileged, config) == [
        "spec.template.spec.containers[0].securityContext.privileged is true: remove it."
    ]


#: What each rule says about a container that sets nothing but its image, in a whole Deployment.
BARE_CONTAINER = {
    "k8s-probes-configured": [
        "spec.template.spec.containers[0].readinessProbe is unset",
        "spec.template.spec.containers[0].livenessProbe is unset",
    ],
    "k8s-resources-bounded": [
        "spec.template.spec.containers[0].resources.requests.cpu is unset",
        "spec.template.spec.containers[0].resources.limits.cpu is unset",
        "spec.template.spec.containers[0].resources.requests.memory is unset",
        "spec.template.spec.containers[0].resources.limits.memory is unset",
    ],
    "k8s-image-pinned-by-digest": [],
    SECURITY: [
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation is unset",
        "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem is not true",
        "spec.template.spec.containers[0].securityContext.runAsNonRoot is not true (nor spec.template.spec.securityContext.runAsNonRoot)",
        "spec.template.spec.containers[0].securityContext.capabilities.drop does not contain 'ALL'",
    ],
    "k8s-no-host-namespaces": [],
    "k8s-service-account-token-not-automounted": [
        "spec.template.spec.automountServiceAccountToken is not false"
    ],
    "k8s-run-as-high-uid": ["spec.template.spec.containers[0].securityContext.runAsUser is unset"],
    "k8s-gpu-pods-well-formed": [],
    "k8s-no-host-path-volumes": [],
    "k8s-no-host-ports": [],
    "k8s-no-host-probes": [],
    "k8s-seccomp-not-unconfined": [],
    "k8s-seccomp-profile-set": [
        "spec.template.spec.containers[0].securityContext.seccompProfile is unset, as is "
        "spec.template.spec.securityContext.seccompProfile"
    ],
    "k8s-restricted-volume-types": [],
    "k8s-default-proc-mount": [],
    "k8s-no-windows-host-process": [],
    "k8s-selinux-options-default": [],
    "k8s-apparmor-not-unconfined": [],
    "k8s-safe-sysctls-only": [],
}


@pytest.mark.parametrize("policy", sorted(BARE_CONTAINER))
def test_a_patch_is_judged_only_on_what_it_sets(policy: str) -> None:
    """A DeploymentPatch that only sets a container's image passes every rule; the same container in a
    Deployment is refused for each unset demand."""
    inputs = deployment({"containers": [{"name": "server", "image": DIGEST}]})
    assert k8s(policy, DEPLOYMENT + "Patch", inputs) == []
    found = k8s(policy, DEPLOYMENT, inputs)
    assert [m.split(":")[0] for m in found] == BARE_CONTAINER[policy]


@pytest.mark.parametrize(
    ("cpu", "bounded"),
    [
        pytest.param("+0", False, id="signed-zero"),
        pytest.param("-0", False, id="negative-zero"),
        pytest.param("-0m", False, id="negative-zero-millicpu"),
        pytest.param(" 0", False, id="padded-zero"),
        pytest.param(".0", False, id="leading-point-zero"),
        pytest.param("+.5", True, id="signed-half-cpu"),
    ],
)
def test_a_zero_limit_in_any_quantity_spelling_bounds_nothing(cpu: Any, bounded: bool) -> None:
    """The API server parses the quantity (a sign, a number with or without a leading digit); a zero
    one sets no cgroup limit, so the container is unbounded."""
    limits = {"cpu": cpu, "memory": "1Gi"}
    inputs = deployment(
        pod_with({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": limits}})
    )
    assert k8s("k8s-resources-bounded", DEPLOYMENT, inputs) == (
        []
        if bounded
        else [
            f"spec.template.spec.containers[0].resources.limits.cpu is {cpu!r}: a zero limit sets no limit at "
            "all; set a positive one so the container is bounded."
        ]
    )


def test_a_patch_that_leaves_the_image_alone_is_not_judged_on_it() -> None:
    policy = "k8s-image-pinned-by-digest"
    patch = deployment({"containers": [{"name": "server", "resources": {"limits": {"cpu": "2"}}}]})
    assert k8s(policy, DEPLOYMENT + "Patch", patch) == []
    patch["spec"]["template"]["spec"]["containers"][0]["image"] = "serve:latest"
    assert k8s(policy, DEPLOYMENT + "Patch", patch) == [
        "spec.template.spec.containers[0].image 'serve:latest' is not pinned by digest: use "
        "<repository>@sha256:<digest>."
    ]


def test_only_a_sha256_digest_pins_an_image() -> None:
    """``@sha1:`` is no digest algorithm a registry accepts (ECR serves sha256 only): such a reference
    is refused like a tag."""
    image = "serve@sha1:" + "b" * 40
    inputs = deployment(pod_with({"image": image}))
    assert k8s("k8s-image-pinned-by-digest", DEPLOYMENT, inputs) == [
        f"spec.template.spec.containers[0].image {image!r} is not pinned by digest: use <repository>@sha256:<digest>."
    ]


def test_a_privileged_flag_written_as_a_string_is_refused_as_malformed() -> None:
    """Fail closed: a ``"True"`` string (a templated or YAML value) is refused, and said malformed (the API
    server takes only a boolean there; tests/policies/test_k8s_boolean_fields_70.py has every field)."""
    inputs = deployment(pod_with(hardened(privileged="True")))
    assert k8s(SECURITY, DEPLOYMENT, inputs) == [
        "spec.template.spec.containers[0].securityContext.privileged is 'True', not a boolean, so malformed and "
        "refused by the API server: remove it."
    ]


@pytest.mark.parametrize("flag", ["hostPID", "hostIPC", "hostNetwork"])
def test_each_host_namespace_written_as_a_string_is_refused(flag: str) -> None:
    inputs = deployment(pod_with(**{flag: "true"}))
    assert k8s("k8s-no-host-namespaces", DEPLOYMENT, inputs) == [
        f"spec.template.spec.{flag} is 'true', not a boolean, so malformed and refused by the API server: remove it; "
        "inference pods do not share host namespaces."
    ]


def test_drop_all_in_lower_case_drops_every_capability() -> None:
    """The CRI runtimes match ``ALL`` in ``capabilities.drop`` case-insensitively."""
    inputs = deployment(pod_with(hardened(capabilities={"drop": ["all"]})))
    assert k8s(SECURITY, DEPLOYMENT, inputs) == []


def test_a_pod_level_run_as_non_root_written_as_a_string_covers_no_container() -> None:
    """Only a real ``true`` covers the containers that set none (the API server refuses ``"true"``)."""
    pod = pod_with(hardened(runAsNonRoot=None), securityContext={"runAsNonRoot": "true", "runAsUser": 10001})
    assert k8s(SECURITY, DEPLOYMENT, deployment(pod)) == [
        "spec.template.spec.containers[0].securityContext.runAsNonRoot is not true (nor "
        "spec.template.spec.securityContext.runAsNonRoot) (it is 'true', not a boolean, so malformed and refused by "
        "the API server): set it to true."
    ]
    pod["securityContext"]["runAsNonRoot"] = True
    assert k8s(SECURITY, DEPLOYMENT, deployment(pod)) == []


def test_the_configured_minimum_uid_is_the_bound() -> None:
    policy = "k8s-run-as-high-uid"
    inputs = deployment(pod_with(hardened(runAsUser=5000), securityContext={"runAsNonRoot": True}))
    assert k8s(policy, DEPLOYMENT, inputs, {policy: {"minUid": 1000}}) == []
    assert k8s(policy, DEPLOYMENT, inputs) == [
        "spec.template.spec.containers[0].securityContext.runAsUser is 5000: run as a UID >= 10000."
    ]


def test_an_ephemeral_container_runs_as_a_high_uid_too() -> None:
    policy = "k8s-run-as-high-uid"
    debug = {"name": "debug", "image": DIGEST, "securityContext": {**HARDENED, "runAsUser": 0}}
    inputs = deployment(pod_with(ephemeralContainers=[debug]))
    assert k8s(policy, DEPLOYMENT, inputs) == [
        "spec.template.spec.ephemeralContainers[0].securityContext.runAsUser is 0: run as a UID >= 10000."
    ]


GPU = "nvidia.com/gpu"
GPU_RESOURCES = {
    "requests": {"cpu": "1", "memory": "1Gi", GPU: 1},
    "limits": {"cpu": "1", "memory": "1Gi", GPU: 1},
}
NO_GPU_NODES = (
    "spec.template.spec.nodeSelector has no GPU key and spec.template.spec.tolerations has no 'nvidia.com/gpu' "
    "toleration of effect NoSchedule (or no effect): select GPU nodes (one of ['eks.amazonaws.com/instance-gpu-count', "
    "'eks.amazonaws.com/instance-gpu-manufacturer', 'eks.amazonaws.com/instance-gpu-memory', "
    "'eks.amazonaws.com/instance-gpu-name', 'k8s.amazonaws.com/accelerator', "
    "'karpenter.k8s.aws/instance-gpu-count', 'karpenter.k8s.aws/instance-gpu-manufacturer', "
    "'karpenter.k8s.aws/instance-gpu-memory', 'karpenter.k8s.aws/instance-gpu-name', 'nvidia.com/gpu', "
    "'nvidia.com/gpu.count', 'nvidia.com/gpu.present', 'nvidia.com/gpu.product']) or tolerate the "
    "'nvidia.com/gpu:NoSchedule' taint."
)


@pytest.mark.parametrize(
    ("selector", "found"),
    [
        pytest.param({"karpenter.k8s.aws/instance-gpu-name": "a10g"}, [], id="gpu-label-selects"),
        # A node group's name says nothing about its instances (test_gpu_node_placement_68.py).
        pytest.param({"eks.amazonaws.com/nodegroup": "gpu"}, [NO_GPU_NODES], id="a-node-group-does-not"),
        pytest.param({"kubernetes.io/arch": "amd64"}, [NO_GPU_NODES], id="another-label-does-not"),
    ],
)
def test_a_gpu_pod_selects_gpu_nodes_by_node_selector_alone(
    selector: dict[str, str], found: list[str]
) -> None:
    inputs = deployment(pod_with({"resources": GPU_RESOURCES}, nodeSelector=selector))
    assert k8s("k8s-gpu-pods-well-formed", DEPLOYMENT, inputs) == found


def test_a_gpu_patch_need_not_restate_the_node_selection() -> None:
    """A patch that sets a container's GPUs leaves the pod's node selection as it was."""
    patch = deployment({"containers": [{"name": "server", "resources": {"limits": {GPU: 2}}}]})
    assert k8s("k8s-gpu-pods-well-formed", DEPLOYMENT + "Patch", patch) == []
    assert k8s("k8s-gpu-pods-well-formed", DEPLOYMENT, patch) == [NO_GPU_NODES]


@pytest.mark.parametrize(
    ("added", "refused"),
    [
        pytest.param(["NET_BIND_SERVICE"], [], id="net-bind-service-may-come-back"),
        pytest.param(["cap_net_bind_service"], [], id="in-any-spelling"),
        pytest.param(["SYS_MODULE"], ["SYS_MODULE"], id="sys-module-loads-kernel-modules"),
        pytest.param(["SYS_PTRACE"], ["SYS_PTRACE"], id="sys-ptrace"),
        pytest.param(
            ["NET_BIND_SERVICE", "DAC_READ_SEARCH"], ["DAC_READ_SEARCH"], id="only-the-others-named"
        ),
        pytest.param(["NET_ADMIN", "SYS_ADMIN"], ["NET_ADMIN", "SYS_ADMIN"], id="every-one-named"),
    ],
)
def test_no_capability_but_net_bind_service_is_added_back(added: list[str], refused: list[str]) -> None:
    """The Pod Security Standards' restricted profile: drop ALL, add back NET_BIND_SERVICE at most."""
    inputs = deployment(pod_with(hardened(capabilities={"drop": ["ALL"], "add": added})))
    assert k8s(SECURITY, DEPLOYMENT, inputs) == (
        [
            f"spec.template.spec.containers[0].securityContext.capabilities.add contains {refused}: add none "
            "back but NET_BIND_SERVICE."
        ]
        if refused
        else []
    )
