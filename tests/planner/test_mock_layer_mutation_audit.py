"""A hand-mutation audit of the mock layer every test, the offline plan and the policy check read.

Modules audited, one-step mutations applied one at a time (tests/planner/test_mock_services_semantics.py,
test_mocks_names_semantics.py, test_recorder.py, test_recorder_gc.py, test_sdk_type_memo.py,
test_sdk_unknowns.py, test_sdk_serialize.py, test_api_models.py and test_api_models_foundation.py,
the last two recording the fixture stacks and checking every recorded request against botocore's
models):

==========================================  =========  ========  ==========  ==========  ==========
module (planner/)                           mutations  survived  caught now  equivalent  left alone
==========================================  =========  ========  ==========  ==========  ==========
mocks.py                                           76        29          23           4           2
mock_services.py                                   70         6           4           1           1
recorder.py                                        47        23          13           9           1
recorder.py aliases (a01-a04, the fields            6         2           2           0           0
added by this audit) and the Kubernetes
components' own aliases (a05, a06)
sdk_type_memo.py                                    6         3           1           2           0
sdk_unknowns.py                                     8         0           0           0           0
sdk_serialize.py (z01-z13)                         13         6           6           0           0
total                                             226        69          49          16           4
==========================================  =========  ========  ==========  ==========  ==========

The ARN formats the mocks build were compared with the formats AWS documents (the "Actions,
resources, and condition keys" pages and the APIs' ARN patterns, e.g. Application Auto Scaling's
``scalable-target/<36 characters>`` example); the ARNs of the resources the generic mock serves
that flow into other resources' inputs (a trail's and a workgroup's into policies, subnets' and
security groups' into role policies) have their services' shapes.

Caught now (each test below fails under its mutation and passes on the code as it is):

- mocks.py: a bucket's global domain given a region (m19), its ``region`` (m21) or ``tagsAll``
  (m22) dropped; a KMS alias's ARN without ``alias/`` (m28) or an auto-named alias outside
  ``alias/`` (m26); a managed policy's id with a role's AROA prefix (m37); a VPC's id of 8 hex (m40),
  its default security group as ``sgr-`` (m41), its main route table dropped (m42), a global VPC
  ARN (m43); a region without a zone table given two zones (m53); the caller's account (m55) or the
  region's name (m57) fixed, the user id made the account id (m68); a security group rule's ``sgr-``
  (m61) and a route table association's ``rtbassoc-`` (m62) ids; a non-AWS provider given an ARN
  and a name like a cloud resource (m66); a VPC endpoint without a type mocked as an interface
  endpoint (m44: a bug, fixed: the API's default type is Gateway); ``tagsAll`` dropped from a KMS
  key (m69), a role (m70), a log group (m71) or a VPC endpoint (m74); a role without a path put
  at ``""`` instead of ``/`` (m72).
- mock_services.py: a schedule of another group given ``default``'s ARN (s29); a SageMaker
  monitoring schedule's ARN kind (s58); a notebook instance's ARN keeping the name's case (s67); an
  event target without ``targetId`` in its state (s70).
- recorder.py: the provider reference dropped (r08); a provider (r20) or a component (r45)
  counted as a cloud resource; ``named`` taking the first of two (r22); children matched by URN
  prefix (r23); descendants one level deep (r24); the stack taken for an enclosing component
  (r25); the stack among the components (r27); ``referenced`` following every dependency (r28);
  the program's warnings (r33); an unknown registry accepted (r34); the environment (r35); a
  property's dependencies unsorted (r40). The recorder did not keep ``aliases``,
  ``delete_before_replace`` or ``replace_on_changes`` at all, so the Kubernetes components'
  aliases to their old type tokens could be dropped with every test green (a05, a06): it keeps
  them now (a01-a04 mutate the new code).
- sdk_type_memo.py: ``is_installed`` true with one helper unwrapped (t04).
- sdk_serialize.py (test_sdk_serialize.py): a scalar's hint not unwrapped (z06: ``Union[None, str]``
  raises the SDK's ``AssertionError``), nor a list item's (z07), nor a nested scalar's (z13: the
  comparison ran the SDK's walk through the installed shortcut; it now runs the SDK as released);
  the release guard skipping ``deserialize_property``'s (z09) or ``ContextProperty.__get__``'s
  (z10) source; ``is_installed`` true with ``deserialize_property`` put back (z11). Caught before
  this audit: bytes answered (z01), the input list returned itself (z02), ``return_protobuf_value``
  answered (z03), the unknown marker read as text (z04), the element type asked only of an empty
  list (z05), no release guard (z08), a dict-valued setting read as its value (z12).

Equivalent: m02 (a provider's id text: any distinct string serves the engine's reference);
m05 (inputs merged over the computed state: every key both carry has the same value); m15
(``arn(account=False)`` has no caller); m60 (the VpcEndpoint handler computes its own id); s68
(``digest``'s separator: the same formats, still deterministic); r14, r15 (a secret anywhere in an
input reaches the recorder as a secret top-level value: checked with a list and a map input); r17
(no unknowns: programs run with ``preview=False``); r31 (``preview=True``: Pulumi's mock monitor
returns the same known state, so the graphs were the same); r18 (deserialised values hold lists,
never tuples); r36 (the root stack, the one registration that skips the mocks, is the first);
r37 (without the kept inputs the request is deserialised again, to the same values); r38
(``of_type`` copies whatever ``_by_type`` holds); r47 (after deserialisation only a secret keeps
the signature key); t01 (the memo holds every argument, so an id is never reused); t06
(``unwrap_optional_type`` unremembered: the same answers, slower).

Left alone: m75, m76, the ``id`` of getAvailabilityZones' and getPartition's results dropped:
no program reads an invoke's id, so a test would pin an unused value. s34, a scaling policy's ``alarmArns`` dropped: nothing reads it and the mock cannot
know the alarms Application Auto Scaling names for a target-tracking policy, so a test would pin
the placeholder ``[]``, not AWS's behaviour. r42, the SDK's rpc manager and outputs not cleared
before a run: no run left anything there for the next one in this SDK release (the isolation
tests pass under it), so no test can observe it. Not mutated: the offline plan cannot show
preview's unknowns at all (a mock returns every output known), a limit of Pulumi's mocks; and
exporting a bare coroutine (``pulumi.export("x", coroutine)``) makes the recorder await it twice
and fail, which no program here does.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs

from components.kubernetes.kubernetes_monitoring import (
    KubernetesMonitoring,
    KubernetesMonitoringArgs,
    KubernetesMonitoringSpec,
)
from components.kubernetes.kubernetes_serving import (
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
)
from planner import sdk_type_memo
from planner.mocks import PlatformMocks
from planner.recorder import ResourceGraph, record_program, record_stack_file
from tests.conftest import stack_path

REGION = "eu-west-1"
ACCOUNT = "123456789012"
MOCKS = PlatformMocks(REGION, ACCOUNT)


def _create(typ: str, name: str, inputs: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return MOCKS.new_resource(MockResourceArgs(typ, name, dict(inputs or {}), custom=True))


# -- planner/mocks.py ------------------------------------------------------------------------------
def test_a_buckets_global_domain_has_no_region_and_its_state_names_the_region_and_tags() -> None:
    """The provider's ``bucket_domain_name`` is the legacy global host (no region), its ``region``
    the bucket's, its ``tags_all`` the tags (m19, m21, m22)."""
    bucket, state = _create("aws:s3/bucket:Bucket", "data", {"bucket": "mlops-data", "tags": {"team": "ml"}})
    assert bucket == "mlops-data"
    assert state["bucketDomainName"] == "mlops-data.s3.amazonaws.com"
    assert state["bucketRegionalDomainName"] == "mlops-data.s3.eu-west-1.amazonaws.com"
    assert state["region"] == REGION
    assert state["tagsAll"] == {"team": "ml"}


def test_a_kms_aliass_arn_keeps_the_alias_prefix_and_an_auto_name_gets_it() -> None:
    """``arn:aws:kms:<region>:<account>:alias/<name>`` is the alias's ARN (KMS's resource types);
    the provider auto-names an alias under ``alias/`` (KMS refuses any other name) (m26, m28)."""
    alias, state = _create("aws:kms/alias:Alias", "data", {"name": "alias/mlops-data", "targetKeyId": "k"})
    assert alias == "alias/mlops-data", "an alias's id is its name"
    assert state["arn"] == "arn:aws:kms:eu-west-1:123456789012:alias/mlops-data"
    auto, state = _create("aws:kms/alias:Alias", "data", {"targetKeyId": "k"})
    assert re.fullmatch(r"alias/data-[0-9a-f]{7}", auto), auto
    assert state["arn"] == f"arn:aws:kms:eu-west-1:123456789012:{auto}"


def test_a_managed_policys_id_is_anpa_and_seventeen_upper_hex() -> None:
    """IAM's unique ids carry the entity's prefix: ANPA for a managed policy (m37)."""
    _, state = _create("aws:iam/policy:Policy", "read", {"name": "read"})
    assert re.fullmatch(r"ANPA[0-9A-F]{17}", state["policyId"]), state["policyId"]


def test_a_vpcs_ids_and_arn_are_ec2s() -> None:
    """``vpc-`` plus 17 hex digits, its default security group ``sg-...`` and main route table
    ``rtb-...`` (the provider's computed outputs the foundation reads), a regional ARN (m40-m43)."""
    vpc_id, state = _create("aws:ec2/vpc:Vpc", "main", {"cidrBlock": "10.0.0.0/16"})
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc_id), vpc_id
    assert re.fullmatch(r"sg-[0-9a-f]{17}", state["defaultSecurityGroupId"])
    assert re.fullmatch(r"rtb-[0-9a-f]{17}", state["mainRouteTableId"])
    assert state["arn"] == f"arn:aws:ec2:eu-west-1:123456789012:vpc/{vpc_id}"


def test_a_region_without_a_zone_table_gets_three_zones_with_its_own_zone_ids() -> None:
    """A region stacks.aws_regions does not list still gets the three zones every region has
    (``<region>a``..``c``), with zone ids in AWS's short form (m53)."""
    state, _ = PlatformMocks("xx-central-9", ACCOUNT).call(
        MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "")
    )
    assert state["names"] == ["xx-central-9a", "xx-central-9b", "xx-central-9c"]
    assert state["zoneIds"] == ["xxc9-az1", "xxc9-az2", "xxc9-az3"]


def test_the_caller_is_the_stacks_account_and_the_region_the_stacks_region() -> None:
    """getCallerIdentity and getRegion answer with the account and region the stack file names,
    not the defaults (m55, m57)."""
    mocks = PlatformMocks("ap-southeast-2", "210987654321")
    identity, _ = mocks.call(MockCallArgs("aws:index/getCallerIdentity:getCallerIdentity", {}, ""))
    assert identity["accountId"] == identity["id"] == "210987654321"
    assert identity["arn"] == "arn:aws:iam::210987654321:user/offline-plan"
    assert identity["userId"].startswith("AIDA"), "an IAM user's unique id starts AIDA"
    region, _ = mocks.call(MockCallArgs("aws:index/getRegion:getRegion", {}, ""))
    assert region["name"] == region["region"] == region["id"] == "ap-southeast-2"


@pytest.mark.parametrize(
    ("typ", "prefix"),
    [
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sgr-"),
        ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "sgr-"),
        ("aws:ec2/routeTableAssociation:RouteTableAssociation", "rtbassoc-"),
        ("aws:ec2/routeTable:RouteTable", "rtb-"),
        ("aws:ec2/securityGroup:SecurityGroup", "sg-"),
        ("aws:ec2/flowLog:FlowLog", "fl-"),
    ],
)
def test_each_ec2_id_has_its_own_prefix_and_seventeen_hex(typ: str, prefix: str) -> None:
    """EC2's ids are ``<prefix><17 hex>`` per resource type: a rule is ``sgr-``, an association
    ``rtbassoc-`` (not its table's ``rtb-``) (m61, m62)."""
    resource_id, state = _create(typ, "private-a")
    assert re.fullmatch(rf"{prefix}[0-9a-f]{{17}}", resource_id), resource_id
    assert state["id"] == resource_id


def test_an_endpoint_without_a_type_is_a_gateway_with_a_prefix_list() -> None:
    """CreateVpcEndpoint's (and the provider's) default ``VpcEndpointType`` is ``Gateway``: an
    endpoint that names no type gets a prefix list, not an interface's DNS entries (m44, the bug
    fixed with this audit)."""
    _, state = _create("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"serviceName": "com.amazonaws.eu-west-1.s3"})
    assert re.fullmatch(r"pl-[0-9a-f]{8}", state["prefixListId"]) and "dnsEntries" not in state


def test_a_provider_resource_echoes_its_inputs_and_gets_no_cloud_outputs() -> None:
    """Any provider (aws, kubernetes...) is the engine's, not a cloud resource: no ARN, no name
    computed for it (m66)."""
    for typ in ("pulumi:providers:aws", "pulumi:providers:kubernetes"):
        _, state = _create(typ, "cluster", {"context": "ctx"})
        assert state == {"context": "ctx"}, typ


# -- planner/mock_services.py ----------------------------------------------------------------------
def test_a_schedule_in_its_own_group_has_that_group_in_its_arn() -> None:
    """``arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>``: a target's or a policy's
    reference to a schedule of another group than ``default`` must name that group (s29)."""
    schedule_id, state = _create("aws:scheduler/schedule:Schedule", "s", {"name": "s", "groupName": "mlops"})
    assert schedule_id == "mlops/s" and state["groupName"] == "mlops"
    assert state["arn"] == "arn:aws:scheduler:eu-west-1:123456789012:schedule/mlops/s"


def test_a_monitoring_schedules_arn_is_sagemakers_monitoring_schedule() -> None:
    """``arn:aws:sagemaker:<region>:<account>:monitoring-schedule/<name>`` for the aws provider's
    schedule as for aws-native's, the name lowercased as SageMaker does (s58)."""
    name, state = _create(
        "aws:sagemaker/monitoringSchedule:MonitoringSchedule", "m", {"name": "Churn-Quality"}
    )
    assert name == "Churn-Quality"
    assert state["arn"] == "arn:aws:sagemaker:eu-west-1:123456789012:monitoring-schedule/churn-quality"


def test_a_notebook_instances_arn_lowercases_its_name() -> None:
    """SageMaker lowercases a notebook instance's name in its ARN, as every SageMaker ARN (s67: the
    generic mock keeps the case)."""
    name, state = _create("aws:sagemaker/notebookInstance:NotebookInstance", "nb", {"name": "Data-Lab"})
    assert name == "Data-Lab"
    assert state["arn"] == "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/data-lab"


def test_an_event_target_without_an_id_gets_the_providers_generated_one() -> None:
    """The provider generates a target id where the program sets none and returns it as
    ``target_id``; the resource id ends with it (s70)."""
    resource_id, state = _create(
        "aws:cloudwatch/eventTarget:EventTarget", "to-queue", {"rule": "r", "arn": "a"}
    )
    assert re.fullmatch(r"to-queue-[0-9a-f]{7}", state["targetId"]), state
    assert resource_id == f"r-{state['targetId']}"


# -- planner/recorder.py ---------------------------------------------------------------------------
class _Tree(pulumi.ComponentResource):
    """A component holding a component, an explicit provider, a secret inside a list and a
    dependency on another component's child: what the recorder has to keep apart."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:test:Tree", name, None, opts)
        self.inner = _Leaf(f"{name}-inner", pulumi.ResourceOptions(parent=self))
        self.provider = aws.Provider(
            f"{name}-eu", region="eu-central-1", opts=pulumi.ResourceOptions(parent=self)
        )
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            kms_master_key_id=self.inner.key.arn,
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.register_outputs({})


class _Leaf(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:test:Leaf", name, None, opts)
        self.key = aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def _trees() -> None:
    _Tree("tree")
    _Tree("tree-b")  # its URN starts with the first tree's
    aws.sqs.Queue("tree-topic-dlq")
    aws.sns.Topic("twin")
    aws.sqs.Queue("twin")


def _tree() -> ResourceGraph:
    return record_program(_trees)


def test_a_resource_on_an_explicit_provider_records_that_providers_reference() -> None:
    """``opts.provider``: the engine (and a policy) reads ``<provider urn>::<provider id>``; a
    resource on the default provider has none; neither a provider nor a component is a cloud
    resource (r08, r20, r45)."""
    graph = _tree()
    provider, topic, key = graph.named("tree-eu"), graph.named("tree-topic"), graph.named("tree-inner-key")
    assert provider.is_provider and not provider.is_cloud_resource
    assert key.is_cloud_resource and not graph.named("tree").is_cloud_resource
    assert topic.provider == f"{provider.urn}::{provider.id}"
    assert key.provider is None


def test_the_graph_answers_parents_children_and_components_exactly() -> None:
    """children are the direct ones of that very URN (not of a component whose URN extends it),
    descendants reach the grandchildren, the enclosing component is the nearest one and never the
    stack, components leave the stack out, ``referenced`` follows the property's own edges and
    ``named`` refuses an ambiguous name (r22-r28)."""
    graph = _tree()
    tree, inner = graph.named("tree"), graph.named("tree-inner")
    topic, key = graph.named("tree-topic"), graph.named("tree-inner-key")
    assert [child.name for child in graph.children(tree)] == ["tree-inner", "tree-eu", "tree-topic"]
    assert [found.name for found in graph.descendants(tree)] == [
        "tree-inner",
        "tree-inner-key",
        "tree-eu",
        "tree-topic",
    ]
    assert graph.component_of(key) == inner and graph.component_of(topic) == tree
    assert graph.component_of(tree) is None and graph.component_of(graph.named("tree-topic-dlq")) is None
    assert sorted(component.name for component in graph.components) == [
        "tree",
        "tree-b",
        "tree-b-inner",
        "tree-inner",
    ]
    assert graph.referenced(topic, "kmsMasterKeyId") == [key]
    assert graph.referenced(topic, "name") == []
    with pytest.raises(KeyError, match="2 resources named 'twin'"):
        graph.named("twin")


def test_the_programs_warnings_are_kept_in_order() -> None:
    """What the program logs with ``pulumi.log.warn`` is what ``pulumi up`` shows; the plan
    reports it (r33)."""

    def program() -> None:
        pulumi.log.warn("first")
        aws.sns.Topic("t")
        pulumi.log.warn("second")

    assert record_program(program).warnings == ("first", "second")


def test_an_unknown_registry_is_refused_before_anything_is_recorded() -> None:
    """``registry`` must be one of REGISTRIES, refused by name, not a KeyError after the
    program ran (r34)."""
    with pytest.raises(ValueError, match=r"registry 'nexus': use one of stand-in, empty"):
        record_stack_file(str(stack_path("dev")), registry="nexus")


def test_the_graph_knows_the_environment_its_stack_file_names() -> None:
    """The plan's policy levels and cost figures follow ``graph.environment`` (r35)."""
    platform = {"region": "eu-central-1", "account_id": "210987654321", "environment": "prod"}
    graph = record_program(lambda: aws.sns.Topic("t"), config={"mlops-platform:platform": platform})
    assert graph.environment == "prod"
    assert graph.named("t").outputs["arn"].startswith("arn:aws:sns:eu-central-1:210987654321:")
    assert record_program(lambda: None).environment is None


class _Renamed(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="mlops:old:Renamed")])
        super().__init__("mlops:test:Renamed", name, None, opts)
        aws.sns.Topic(
            f"{name}-topic",
            opts=pulumi.ResourceOptions(
                parent=self,
                delete_before_replace=True,
                replace_on_changes=["name"],
                aliases=["urn:pulumi:test::mlops-platform::aws:sns/topic:Topic::old-topic"],
            ),
        )
        self.register_outputs({})


def test_aliases_and_replacement_options_are_recorded() -> None:
    """``aliases`` (a spec by the parts it changes, a URN as such), ``delete_before_replace`` and
    ``replace_on_changes`` decide whether `pulumi up` keeps or replaces what a stack deployed: a
    test can only hold them if the recorder keeps them (the options the recorder did not record)."""
    graph = record_program(lambda: _Renamed("moved"))
    component, topic = graph.named("moved"), graph.named("moved-topic")
    assert component.aliases == ("type=mlops:old:Renamed",)
    assert (component.delete_before_replace, component.replace_on_changes) == (False, ())
    assert topic.aliases == ("urn:pulumi:test::mlops-platform::aws:sns/topic:Topic::old-topic",)
    assert topic.delete_before_replace is True and topic.replace_on_changes == ("name",)


IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4


def test_the_kubernetes_components_keep_their_urns_from_before_the_package_move() -> None:
    """KubernetesServing and KubernetesMonitoring changed type token when the components moved
    into per-area packages; their alias to the old token is what keeps a deployed stack's
    Deployments, Services and Helm releases from being replaced on the next `pulumi up`."""

    def program() -> None:
        spec = KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE})
        KubernetesServing("churn-serving", KubernetesServingArgs(spec=spec, labels={}))
        monitoring = KubernetesMonitoringSpec.model_validate(
            {"grafana_admin_secret": {"name": "grafana-admin"}}
        )
        KubernetesMonitoring("monitoring", KubernetesMonitoringArgs(spec=monitoring, labels={}))

    graph = record_program(program)
    assert graph.named("churn-serving").aliases == ("type=mlops:serving:KubernetesServing",)
    assert graph.named("monitoring").aliases == ("type=mlops:observability:KubernetesMonitoring",)


def test_a_propertys_dependencies_are_recorded_sorted() -> None:
    """The SDK gathers a property's dependencies in a set; sorted, the plan reads the same every run
    (with five, an unsorted set reads sorted once in 120 hash seeds) (r40)."""

    def program() -> None:
        topics = [aws.sns.Topic(f"t{index}") for index in range(5)]
        aws.sqs.Queue("q", policy=pulumi.Output.all(*(topic.arn for topic in reversed(topics))).apply(str))

    graph = record_program(program)
    urns = graph.named("q").property_dependencies["policy"]
    assert urns == tuple(sorted(graph.named(f"t{index}").urn for index in range(5)))


# -- planner/sdk_type_memo.py ----------------------------------------------------------------------
def test_the_memo_counts_as_installed_only_when_all_three_helpers_are_wrapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A release that renamed or rebound one helper leaves it unwrapped: the memo is then not
    installed, whatever the other two are (t04)."""
    from pulumi import _types

    assert sdk_type_memo.is_installed()
    monkeypatch.setattr(_types, "unwrap_type", _types.unwrap_type.__wrapped__)
    assert not sdk_type_memo.is_installed()


@pytest.mark.parametrize(
    ("typ", "inputs"),
    [
        ("aws:kms/key:Key", {}),
        ("aws:iam/role:Role", {"name": "r"}),
        ("aws:cloudwatch/logGroup:LogGroup", {"name": "/mlops/x"}),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Gateway"}),
    ],
)
def test_tags_all_is_the_resources_tags(typ: str, inputs: dict[str, Any]) -> None:
    """The provider's ``tags_all`` (the resource's tags merged with the provider's default tags,
    none here) is what a tag policy and the cost report read back (m69-m71, m74)."""
    _, state = _create(typ, "tagged", {**inputs, "tags": {"cost-center": "cc-42"}})
    assert state["tagsAll"] == {"cost-center": "cc-42"}


def test_a_role_without_a_path_is_at_the_root_path() -> None:
    """IAM's default path is ``/``: ``arn:aws:iam::<account>:role/<name>`` (m72)."""
    _, state = _create("aws:iam/role:Role", "r", {"name": "training"})
    assert state["arn"] == "arn:aws:iam::123456789012:role/training"
