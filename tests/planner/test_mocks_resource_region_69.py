"""The offline plan's mocks answer a pulumi-aws resource or invoke that sets its own ``region`` in it.

pulumi-aws 7 gives nearly every resource and data source a ``region`` argument, "Region where this
resource will be managed. Defaults to the Region set in the provider configuration" (the SDK's
docstrings): a ``Topic(region="us-west-2")`` under a provider in eu-west-1 is created in us-west-2.
The mocks answered it in its provider's region. Now its own known, non-empty ``region`` wins; an
empty or unknown one is its provider's. pulumi-aws-native resources have no such argument, and on
four pulumi-aws types ``region`` is still the deprecated name of another region the resource is
about (a stack set instance's target, a hosted connection's location, a quota template's region,
an aggregator's authorized region), so neither moves.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs, rpc

from planner.mocks import PlatformMocks
from planner.recorder import ResourceGraph, record_program
from tests.planner.test_mocks_provider_region_69 import assert_answered_in

STACK_REGION = "eu-west-1"
ACCOUNT = "123456789012"
CONFIG = {"aws:region": STACK_REGION, "aws:allowedAccountIds": f'["{ACCOUNT}"]'}


def program() -> None:
    use1 = aws.Provider("use1", region="us-east-1")
    # A region computed from what the mocks do not return: unknown, as at a preview.
    unknown = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16").enable_network_address_usage_metrics.apply(
        lambda _: "us-west-2"
    )
    for label, region, provider in (
        ("own", "us-west-2", None),
        ("own-under-use1", "us-west-2", use1),
        ("empty-under-use1", "", use1),
        ("unknown-under-use1", unknown, use1),
        ("unset-under-use1", None, use1),
    ):
        opts = pulumi.ResourceOptions(provider=provider)
        aws.sns.Topic(f"{label}-topic", region=region, opts=opts)
        aws.s3.Bucket(f"{label}-bucket", region=region, opts=opts)
        aws.ec2.VpcEndpoint(
            f"{label}-endpoint",
            vpc_id="vpc-0123456789abcdef0",
            service_name="com.amazonaws.us-west-2.sagemaker.api",
            vpc_endpoint_type="Interface",
            region=region,
            opts=opts,
        )
        # A type without its own handler: the generic ARN.
        aws.ec2.Subnet(
            f"{label}-subnet",
            vpc_id="vpc-0123456789abcdef0",
            cidr_block="10.0.0.0/24",
            region=region,
            opts=opts,
        )
    invoke = pulumi.InvokeOptions(provider=use1)
    pulumi.export(
        "invokes",
        {
            "region-arg": aws.get_region(region="ap-southeast-2").region,
            "region-arg-under-use1": aws.get_region(region="ap-southeast-2", opts=invoke).region,
            "name-arg-under-use1": aws.get_region(name="ap-southeast-2", opts=invoke).region,
            "empty-region-arg-under-use1": aws.get_region(region="", opts=invoke).region,
            "zones-region-arg-under-use1": aws.get_availability_zones(region="us-west-2", opts=invoke).names,
            "zones-under-use1": aws.get_availability_zones(opts=invoke).names,
        },
    )


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return record_program(program, config=CONFIG)


def _outputs(graph: ResourceGraph, name: str) -> dict[str, Any]:
    (found,) = [r for r in graph.resources if r.name == name]
    return found.outputs


@pytest.mark.parametrize(
    ("label", "region"),
    [
        pytest.param("own", "us-west-2", id="own-region-under-the-default-provider"),
        pytest.param("own-under-use1", "us-west-2", id="own-region-wins-over-its-providers"),
        pytest.param("empty-under-use1", "us-east-1", id="empty-region-is-its-providers"),
        pytest.param("unknown-under-use1", "us-east-1", id="unknown-region-is-its-providers"),
        pytest.param("unset-under-use1", "us-east-1", id="unset-region-is-its-providers"),
    ],
)
def test_a_resource_is_answered_in_its_own_region(graph: ResourceGraph, label: str, region: str) -> None:
    assert_answered_in(graph, label, region)


def test_an_unknown_region_stays_unknown_in_the_recording(graph: ResourceGraph) -> None:
    """The input the program left unknown is echoed so (the pack reads it undecided), though the
    mocks answered in the provider's region."""
    assert _outputs(graph, "unknown-under-use1-topic")["region"] == rpc.UNKNOWN


@pytest.mark.parametrize(
    ("key", "region"),
    [
        pytest.param("region-arg", "ap-southeast-2", id="region-argument"),
        pytest.param("region-arg-under-use1", "ap-southeast-2", id="region-argument-wins-over-the-providers"),
        pytest.param("name-arg-under-use1", "ap-southeast-2", id="deprecated-name-selects-the-region"),
        pytest.param("empty-region-arg-under-use1", "us-east-1", id="empty-region-argument-is-the-providers"),
    ],
)
def test_get_region_answers_the_region_it_selects(graph: ResourceGraph, key: str, region: str) -> None:
    assert graph.exports["invokes"][key] == region


def test_get_availability_zones_answers_in_its_own_region(graph: ResourceGraph) -> None:
    invokes = graph.exports["invokes"]
    assert invokes["zones-region-arg-under-use1"] == [f"us-west-2{z}" for z in "abcd"]
    assert invokes["zones-under-use1"] == [f"us-east-1{z}" for z in "abcdef"]


def _arn(typ: str, inputs: dict[str, Any]) -> str:
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)
    _, state = mocks.new_resource(
        MockResourceArgs(typ, "r", inputs, provider="", resource_id="", custom=True)
    )
    return str(state["arn"])


@pytest.mark.parametrize(
    ("typ", "region", "answered"),
    [
        pytest.param("aws:sns/topic:Topic", "us-west-2", "us-west-2", id="aws-resource"),
        pytest.param("aws:sns/topic:Topic", rpc.UNKNOWN, STACK_REGION, id="unknown-at-a-preview"),
        # pulumi-aws-native has no per-resource region: a property of that name is the resource's own.
        pytest.param("aws-native:test/thing:Thing", "us-west-2", STACK_REGION, id="aws-native-resource"),
        pytest.param(
            "aws:cloudformation/stackSetInstance:StackSetInstance",
            "us-west-2",
            STACK_REGION,
            id="stack-set-instance-target-region",
        ),
        pytest.param(
            "aws:directconnect/hostedConnection:HostedConnection",
            "us-west-2",
            STACK_REGION,
            id="hosted-connection-location",
        ),
        pytest.param(
            "aws:servicequotas/template:Template", "us-west-2", STACK_REGION, id="quota-template-region"
        ),
        pytest.param(
            "aws:cfg/aggregateAuthorization:AggregateAuthorization",
            "us-west-2",
            STACK_REGION,
            id="aggregator-authorized-region",
        ),
    ],
)
def test_which_region_inputs_place_a_resource(typ: str, region: str, answered: str) -> None:
    assert _arn(typ, {"region": region}).startswith(f"arn:aws:{typ.split(':')[1].split('/')[0]}:{answered}:")


def test_an_invokes_region_argument_as_the_mocks_read_it() -> None:
    """At a preview the SDK passes an unknown argument as its sentinel string, which is no region."""
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)
    answer, _ = mocks.call(MockCallArgs("aws:index/getRegion:getRegion", {"region": "us-west-2"}, ""))
    assert answer["region"] == "us-west-2"
    answer, _ = mocks.call(MockCallArgs("aws:index/getRegion:getRegion", {"name": rpc.UNKNOWN}, ""))
    assert answer["region"] == STACK_REGION
    zones, _ = mocks.call(
        MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {"region": rpc.UNKNOWN}, "")
    )
    assert zones["region"] == STACK_REGION


@pytest.mark.parametrize(
    ("region", "zone_ids"),
    [
        # pulumi-aws skips region validation by default (skipRegionValidation): any text reaches it.
        pytest.param("local", ["local-az1", "local-az2", "local-az3"], id="no-dash"),
        pytest.param("ap-southeast-2", ["apse2-az1", "apse2-az2", "apse2-az3"], id="aws-shape"),
    ],
)
def test_zones_in_a_region_of_any_shape(region: str, zone_ids: list[str]) -> None:
    """A region a provider names is not validated: the plan answers it rather than failing."""
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)
    zones, _ = mocks.call(
        MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {"region": region}, "")
    )
    assert zones["zoneIds"] == zone_ids
