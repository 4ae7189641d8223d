"""The offline plan's mocks answer each resource and invoke in its own AWS provider's region.

They answered everything in the stack's region: a program with an explicit provider for another
region (``aws.Provider("use1", region="us-east-1")``: a second region, a CloudFront certificate, a
DR copy) got its ARNs, endpoints' DNS names, zones and ``get_region`` in the stack's region, which a
real ``pulumi up`` would not give, and the policy pack compared those ARNs. Now a provider's
``region`` input places its resources and invokes; one with none, or an unknown one, is in the
stack's region, as the default provider is. The account stays the stack's.

An explicit provider reads no ``aws:region`` from the stack ("by design", pulumi/pulumi-aws#1307):
its SDK fills an unset ``region`` from ``AWS_REGION``/``AWS_DEFAULT_REGION`` where the program runs,
else ``pulumi up`` takes the AWS profile's. So the stack's region is only the mocks' guess for one
with none (or an empty or unknown one), and the graph's ``warnings`` says so; these recordings run
with neither variable set, as a plan on a machine without them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs, rpc

from planner.mocks import PlatformMocks
from planner.recorder import RecordedResource, ResourceGraph, _provider_target_warnings, record_program

STACK_REGION = "eu-west-1"
ACCOUNT = "123456789012"
CONFIG = {"aws:region": STACK_REGION, "aws:allowedAccountIds": f'["{ACCOUNT}"]'}

# Label of the resources and invokes under each provider -> the region they must be answered in.
EXPECTED = {
    "default": STACK_REGION,
    "use1": "us-east-1",
    "no-region": STACK_REGION,
    "empty-region": STACK_REGION,
    "unknown-region": STACK_REGION,
}


def _under(label: str, provider: pulumi.ProviderResource | None) -> None:
    """An S3 bucket, an SNS topic, an interface VPC endpoint, a subnet and the region, zone and
    caller invokes, all through ``provider`` (the default provider where None); the invokes'
    answers exported."""
    opts = pulumi.ResourceOptions(provider=provider)
    region = EXPECTED[label]
    aws.s3.Bucket(f"{label}-bucket", opts=opts)
    aws.sns.Topic(f"{label}-topic", opts=opts)
    aws.ec2.VpcEndpoint(
        f"{label}-endpoint",
        vpc_id="vpc-0123456789abcdef0",
        service_name=f"com.amazonaws.{region}.sagemaker.api",
        vpc_endpoint_type="Interface",
        opts=opts,
    )
    # A type without its own handler: the generic ARN.
    aws.ec2.Subnet(f"{label}-subnet", vpc_id="vpc-0123456789abcdef0", cidr_block="10.0.0.0/24", opts=opts)
    invoke = pulumi.InvokeOptions(provider=provider)
    found = aws.get_region(opts=invoke)
    zones = aws.get_availability_zones(state="available", opts=invoke)
    caller = aws.get_caller_identity(opts=invoke)
    pulumi.export(
        label,
        {
            "region": found.region,
            "endpoint": found.endpoint,
            "zones": zones.names,
            "zone_ids": zones.zone_ids,
            "account": caller.account_id,
        },
    )


def program() -> None:
    _under("default", None)
    _under("use1", aws.Provider("use1", region="us-east-1"))
    _under("no-region", aws.Provider("no-region"))
    _under("empty-region", aws.Provider("empty-region", region=""))
    # A region computed from what the mocks do not return: unknown, as at a preview.
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    unknown = vpc.enable_network_address_usage_metrics.apply(lambda _: "us-east-1")
    _under("unknown-region", aws.Provider("unknown-region", region=unknown))


def _record(program: Callable[[], None], environ: Mapping[str, str] | None = None) -> ResourceGraph:
    """``program`` recorded with ``CONFIG``, ``AWS_REGION``/``AWS_DEFAULT_REGION`` unset but for
    ``environ``."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            patch.delenv(variable, raising=False)
        for variable, value in (environ or {}).items():
            patch.setenv(variable, value)
        return record_program(program, config=CONFIG)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return _record(program)


def _outputs(graph: ResourceGraph, name: str) -> dict[str, Any]:
    (found,) = [r for r in graph.resources if r.name == name]
    return found.outputs


def assert_answered_in(graph: ResourceGraph, label: str, region: str) -> None:
    """The ``<label>-topic``, ``-bucket``, ``-endpoint`` (an interface VPC endpoint) and ``-subnet``
    of a recording have their ARNs and DNS names in ``region``, in the recording's account
    (shared with test_mocks_resource_region_69.py, whose program names them alike)."""
    topic = _outputs(graph, f"{label}-topic")
    assert topic["arn"] == f"arn:aws:sns:{region}:{ACCOUNT}:{topic['name']}"
    bucket = _outputs(graph, f"{label}-bucket")
    assert bucket["bucketRegionalDomainName"] == f"{bucket['bucket']}.s3.{region}.amazonaws.com"
    endpoint = _outputs(graph, f"{label}-endpoint")
    assert endpoint["arn"] == f"arn:aws:ec2:{region}:{ACCOUNT}:vpc-endpoint/{endpoint['id']}"
    (entry,) = endpoint["dnsEntries"]
    assert entry["dnsName"].startswith(f"{endpoint['id']}-")
    assert entry["dnsName"].endswith(f".{region}.vpce.amazonaws.com")
    subnet = _outputs(graph, f"{label}-subnet")
    assert subnet["arn"] == f"arn:aws:ec2:{region}:{ACCOUNT}:subnet/{subnet['id']}"


@pytest.mark.parametrize(("label", "region"), EXPECTED.items(), ids=EXPECTED.keys())
def test_resources_are_answered_in_their_providers_region(
    graph: ResourceGraph, label: str, region: str
) -> None:
    assert_answered_in(graph, label, region)
    assert _outputs(graph, f"{label}-bucket")["region"] == region
    (entry,) = _outputs(graph, f"{label}-endpoint")["dnsEntries"]
    assert entry["dnsName"].endswith(f".sagemaker.api.{region}.vpce.amazonaws.com")


def test_each_region_has_its_own_endpoint_zone(graph: ResourceGraph) -> None:
    """The Route 53 zone AWS hosts an endpoint's regional name in is the region's."""
    zones = {
        label: _outputs(graph, f"{label}-endpoint")["dnsEntries"][0]["hostedZoneId"] for label in EXPECTED
    }
    assert zones["use1"] != zones["default"]
    assert {zones[label] for label in EXPECTED if EXPECTED[label] == STACK_REGION} == {zones["default"]}


@pytest.mark.parametrize(("label", "region"), EXPECTED.items(), ids=EXPECTED.keys())
def test_invokes_are_answered_in_their_providers_region(
    graph: ResourceGraph, label: str, region: str
) -> None:
    answers = graph.exports[label]
    assert answers["region"] == region
    assert answers["endpoint"] == f"ec2.{region}.amazonaws.com"
    assert answers["zones"] and all(
        zone.startswith(region) and len(zone) == len(region) + 1 for zone in answers["zones"]
    )
    prefix = {"us-east-1": "use1", "eu-west-1": "euw1"}[region]
    assert answers["zone_ids"] == [f"{prefix}-az{i}" for i in range(1, len(answers["zones"]) + 1)]
    # The account stays the stack's: another account's provider is out of the mocks' scope.
    assert answers["account"] == ACCOUNT


def test_us_east_1_has_its_own_zones(graph: ResourceGraph) -> None:
    """stacks.aws_regions: us-east-1 offers six zones, eu-west-1 three."""
    assert graph.exports["use1"]["zones"] == [f"us-east-1{z}" for z in "abcdef"]
    assert graph.exports["default"]["zones"] == [f"eu-west-1{z}" for z in "abc"]


def test_a_provider_pinning_another_region_is_no_longer_warned(graph: ResourceGraph) -> None:
    """The mocks now answer in its region: only a provider pinning another account, or setting no
    known region, is warned."""
    assert [w for w in graph.warnings if "provider 'use1'" in w] == []
    warned = {w.split("'")[1]: w for w in graph.warnings if w.startswith("provider '")}
    assert sorted(warned) == ["empty-region", "no-region", "unknown-region"]


@pytest.mark.parametrize(
    ("label", "how"),
    [
        pytest.param("no-region", "sets no region", id="unset"),
        pytest.param("empty-region", "sets no region", id="empty"),
        pytest.param("unknown-region", "its region is unknown until deployment", id="unknown"),
    ],
)
def test_a_provider_without_a_known_region_is_warned_of_the_mocks_guess(
    graph: ResourceGraph, label: str, how: str
) -> None:
    (message,) = [w for w in graph.warnings if w.startswith(f"provider {label!r}")]
    assert how in message
    assert f"the mocks answer its resources in the stack's region {STACK_REGION!r}" in message


def test_a_provider_without_a_region_reads_aws_region_where_the_plan_runs() -> None:
    """As the SDK fills it in at ``pulumi up`` on the same machine: answered there, not warned."""

    def region_less() -> None:
        aws.sns.Topic("topic", opts=pulumi.ResourceOptions(provider=aws.Provider("p")))

    for environ, region in (
        ({"AWS_REGION": "ap-south-1"}, "ap-south-1"),
        ({"AWS_DEFAULT_REGION": "ca-central-1"}, "ca-central-1"),
    ):
        graph = _record(region_less, environ)
        assert _outputs(graph, "topic")["arn"].startswith(f"arn:aws:sns:{region}:{ACCOUNT}:")
        assert [w for w in graph.warnings if "provider 'p'" in w] == []
    graph = _record(region_less)
    assert _outputs(graph, "topic")["arn"].startswith(f"arn:aws:sns:{STACK_REGION}:{ACCOUNT}:")
    (message,) = [w for w in graph.warnings if "provider 'p'" in w]
    assert "sets no region" in message


def test_an_aws_native_provider_with_an_empty_region_is_warned() -> None:
    """pulumi_aws_native.Provider requires a region (its SDK refuses none): an empty one is none."""

    def empty() -> None:
        aws_native.Provider("native", region="")

    (message,) = [w for w in _record(empty).warnings if "provider 'native'" in w]
    assert "sets no region" in message


def test_only_aws_providers_regions_are_warned_of() -> None:
    """Another package's provider has no AWS region to miss."""

    def resource(typ: str, inputs: dict[str, Any]) -> RecordedResource:
        return RecordedResource(
            urn=f"urn:pulumi:test::p::{typ}::p",
            type=typ,
            name="p",
            custom=True,
            parent=None,
            dependencies=(),
            property_dependencies={},
            inputs=inputs,
            outputs={},
            provider=None,
            protect=False,
            retain_on_delete=False,
            id="p-id",
        )

    assert (
        _provider_target_warnings([resource("pulumi:providers:kubernetes", {})], STACK_REGION, ACCOUNT) == []
    )
    assert _provider_target_warnings([resource("pulumi:providers:aws", {})], STACK_REGION, ACCOUNT)
    assert (
        _provider_target_warnings(
            [resource("pulumi:providers:aws", {"region": "us-east-1"})], STACK_REGION, ACCOUNT
        )
        == []
    )


def native_program() -> None:
    # An aws and an aws-native provider of one name in two regions: told apart by the mocks.
    aws_provider = aws.Provider("second", region="us-east-1")
    native = aws_native.Provider("second", region="us-west-2")
    aws.sns.Topic("aws-topic", opts=pulumi.ResourceOptions(provider=aws_provider))
    for label, provider in (("default", None), ("second", native)):
        aws_native.sagemaker.InferenceComponent(
            f"{label}-component",
            endpoint_name="shared",
            specification={"model_name": "model"},
            opts=pulumi.ResourceOptions(provider=provider),
        )


def test_aws_native_resources_are_answered_in_their_providers_region() -> None:
    graph = _record(native_program)
    assert _outputs(graph, "aws-topic")["arn"].startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:")
    default = _outputs(graph, "default-component")["inferenceComponentArn"]
    assert default.startswith(f"arn:aws:sagemaker:{STACK_REGION}:{ACCOUNT}:inference-component/")
    second = _outputs(graph, "second-component")["inferenceComponentArn"]
    assert second.startswith(f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:inference-component/")


@pytest.mark.parametrize(
    ("region", "answered"),
    [
        pytest.param("us-east-1", "us-east-1", id="pinned"),
        pytest.param(rpc.UNKNOWN, STACK_REGION, id="unknown-at-a-preview"),
        pytest.param(None, STACK_REGION, id="unset"),
    ],
)
def test_a_providers_region_as_the_mocks_read_it(region: str | None, answered: str) -> None:
    """At a preview the SDK passes an unknown input as its sentinel string, which is no region."""
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)
    inputs = {} if region is None else {"region": region}
    provider_id, _ = mocks.new_resource(
        MockResourceArgs("pulumi:providers:aws", "p", inputs, provider="", resource_id="", custom=True)
    )
    reference = f"urn:pulumi:test::p::pulumi:providers:aws::p::{provider_id}"
    answer, _ = mocks.call(MockCallArgs("aws:index/getRegion:getRegion", {}, reference))
    assert answer["region"] == answered


def default_native_program() -> None:
    # aws-native's and aws's default providers, and an explicit aws-native one.
    aws.sns.Topic("aws-topic")
    explicit = aws_native.Provider("explicit", region="us-east-1")
    for label, provider in (("default", None), ("explicit", explicit)):
        aws_native.sagemaker.InferenceComponent(
            f"{label}-component",
            endpoint_name="shared",
            specification={"model_name": "model"},
            opts=pulumi.ResourceOptions(provider=provider),
        )


@pytest.mark.parametrize(
    ("native_region", "answered"),
    [
        pytest.param("us-west-2", "us-west-2", id="aws-native-region-set"),
        pytest.param("", STACK_REGION, id="aws-native-region-empty"),
        pytest.param(None, STACK_REGION, id="aws-native-region-unset"),
        pytest.param(["us-west-2"], STACK_REGION, id="aws-native-region-not-text"),
    ],
)
def test_aws_natives_default_provider_is_in_its_own_configs_region(
    native_region: str | list[str] | None, answered: str
) -> None:
    """The engine configures each package's default provider from its own keys: aws-native's from
    ``aws-native:region``, which an explicit provider and pulumi-aws's default do not read."""
    config = CONFIG if native_region is None else {**CONFIG, "aws-native:region": native_region}
    graph = record_program(default_native_program, config=config)
    default = _outputs(graph, "default-component")["inferenceComponentArn"]
    assert default.startswith(f"arn:aws:sagemaker:{answered}:{ACCOUNT}:inference-component/")
    explicit = _outputs(graph, "explicit-component")["inferenceComponentArn"]
    assert explicit.startswith(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:inference-component/")
    assert _outputs(graph, "aws-topic")["arn"].startswith(f"arn:aws:sns:{STACK_REGION}:{ACCOUNT}:")


@pytest.mark.parametrize("typ", ["pulumi:providers:aws", "pulumi:providers:kubernetes"])
def test_no_provider_id_holds_the_separator(typ: str) -> None:
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)
    provider_id, _ = mocks.new_resource(
        MockResourceArgs(typ, "a::b", {"region": "us-east-1::x"}, provider="", resource_id="", custom=True)
    )
    assert "::" not in provider_id


def test_only_an_aws_providers_id_names_its_region() -> None:
    """A Kubernetes provider's ``region`` input (none has one, but a map may hold anything) places
    nothing: its id names no region, and the resources under it are answered as the stack's."""
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)

    def provider_id(typ: str) -> str:
        args = MockResourceArgs(typ, "eks", {"region": "us-east-1"}, provider="", resource_id="", custom=True)
        return mocks.new_resource(args)[0]

    assert provider_id("pulumi:providers:kubernetes") == "eks-provider-id"
    assert provider_id("pulumi:providers:aws") == "eks-us-east-1-provider-id"
    assert provider_id("pulumi:providers:aws-native") == "eks-us-east-1-provider-id"


def test_an_aws_native_provider_pinning_another_account_is_warned() -> None:
    """pulumi-aws-native's provider takes ``allowed_account_ids`` too (this platform pins its own):
    the mocks answer its resources in ``config``'s account all the same."""

    def program() -> None:
        aws_native.Provider("native", region=STACK_REGION, allowed_account_ids=["444455556666"])
        aws_native.Provider("same", region=STACK_REGION, allowed_account_ids=[ACCOUNT])

    warnings = _record(program).warnings
    (message,) = [w for w in warnings if "provider 'native'" in w]
    assert "pins allowedAccountIds ['444455556666']" in message
    assert f"every resource in account {ACCOUNT!r}" in message
    assert [w for w in warnings if "provider 'same'" in w] == []
