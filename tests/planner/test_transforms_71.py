"""The recording runs transforms as the engine runs them (planner/transforms.py).

``transforms=`` (a resource's own or an ancestor's), ``register_resource_transform`` and
``register_invoke_transform`` were handed to the mocks and dropped: what they add never reached the
recorded graph the pack judges, and the auto-name judgement was switched off for whatever one might
reach. The engine runs a resource's own transforms, then each ancestor's from the nearest parent
outward, then the stack transforms registered so far, in order (pulumi/pulumi
pkg/resource/deploy/source_eval.go ``RegisterResource``), and reads the provider and the properties
they return.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planner.autonames import AutoNameTooLong
from planner.default_providers import DefaultProviderDenied
from planner.recorder import UNKNOWN, ResourceGraph, record_program
from planner.transforms import TransformFailed
from policies.local import evaluate
from policies.rules.governance import required_cost_allocation_tags
from tests.log_records import log_records

BUCKET = "aws:s3/bucket:Bucket"
LONG = "b" * 70  # past the 56 characters pulumi-aws auto-names a bucket from (63 - 7)


def record(program: Callable[[], None]) -> ResourceGraph:
    return record_program(program, config={"aws:region": "eu-west-1"})


def _appending(label: str) -> Callable[[pulumi.ResourceTransformArgs], pulumi.ResourceTransformResult]:
    """A transform appending ``label`` to the ``order`` tag: the tag spells the order they ran in."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        tags = dict(args.props.get("tags") or {})
        tags["order"] = tags.get("order", "") + label
        return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)

    return transform


class Team(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("team:storage:Team", name, None, opts)


def test_own_then_ancestors_nearest_first_then_stack_transforms_in_order() -> None:
    def program() -> None:
        pulumi.runtime.register_resource_transform(_appending("1"))
        outer = Team("outer", pulumi.ResourceOptions(transforms=[_appending("O")]))
        middle = Team("middle", pulumi.ResourceOptions(parent=outer))  # none of its own
        inner = Team("inner", pulumi.ResourceOptions(parent=middle, transforms=[_appending("I")]))
        pulumi.runtime.register_resource_transform(_appending("2"))
        aws.s3.Bucket(
            "data",
            tags={"owner": "data"},
            opts=pulumi.ResourceOptions(parent=inner, transforms=[_appending("a"), _appending("b")]),
        )

    graph = record(program)
    assert graph.named("data").inputs["tags"] == {"owner": "data", "order": "abIO12"}
    # Components are transformed too, by what was registered when they were.
    assert graph.named("outer").inputs["tags"] == {"order": "O1"}
    assert graph.named("inner").inputs["tags"] == {"order": "IO1"}
    assert graph.named("middle").inputs["tags"] == {"order": "O1"}


def test_a_stack_transform_reaches_only_what_registers_after_it() -> None:
    def program() -> None:
        aws.s3.Bucket("early", tags={"owner": "data"})
        pulumi.runtime.register_resource_transform(_appending("S"))
        aws.s3.Bucket("late", tags={"owner": "data"})

    graph = record(program)
    assert graph.named("early").inputs["tags"] == {"owner": "data"}
    assert graph.named("late").inputs["tags"] == {"owner": "data", "order": "S"}


def test_a_transform_elsewhere_does_not_reach_a_sibling() -> None:
    def program() -> None:
        team = Team("team", pulumi.ResourceOptions(transforms=[_appending("T")]))
        aws.s3.Bucket("inside", opts=pulumi.ResourceOptions(parent=team))
        aws.s3.Bucket("outside")

    graph = record(program)
    assert graph.named("inside").inputs["tags"] == {"order": "T"}
    assert "tags" not in graph.named("outside").inputs


REQUIRED = {"owner": "data", "cost-center": "42", "environment": "dev"}


def _team_tags(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if not args.type_.startswith("aws:"):
        return None
    return pulumi.ResourceTransformResult(
        {**args.props, "tags": {**REQUIRED, **(args.props.get("tags") or {})}}, args.opts
    )


def _tag_violations(graph: ResourceGraph) -> list[str]:
    config = {required_cost_allocation_tags.name: {"requiredTags": list(REQUIRED)}}
    return [v.resource_name for v in evaluate(graph.resources, config, [required_cost_allocation_tags])]


def test_the_pack_judges_the_inputs_a_stack_transform_tagged() -> None:
    def program() -> None:
        aws.s3.Bucket("before")  # no transform yet: untagged, a violation as under `pulumi up`
        pulumi.runtime.register_resource_transform(_team_tags)
        aws.s3.Bucket("after")

    graph = record(program)
    assert graph.named("after").inputs["tags"] == REQUIRED
    assert _tag_violations(graph) == ["before"]


def test_a_transform_that_removes_what_the_rule_needs_is_a_violation() -> None:
    def untag(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        return pulumi.ResourceTransformResult({k: v for k, v in args.props.items() if k != "tags"}, args.opts)

    graph = record(
        lambda: aws.s3.Bucket("data", tags=REQUIRED, opts=pulumi.ResourceOptions(transforms=[untag])) and None
    )
    assert "tags" not in graph.named("data").inputs
    assert _tag_violations(graph) == ["data"]


def _bucket_named(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    return pulumi.ResourceTransformResult({**args.props, "bucket": "team-data"}, args.opts)


def test_a_transform_that_names_the_bucket_lifts_the_autoname_judgement() -> None:
    def named_by_stack_transform() -> None:
        pulumi.runtime.register_resource_transform(_bucket_named)
        aws.s3.Bucket(LONG)

    assert record(named_by_stack_transform).named(LONG).inputs["bucket"] == "team-data"

    def named_by_own_transform() -> None:
        aws.s3.Bucket(LONG, opts=pulumi.ResourceOptions(transforms=[_bucket_named]))

    assert record(named_by_own_transform).named(LONG).inputs["bucket"] == "team-data"


def test_a_transform_that_only_tags_leaves_the_autoname_judged() -> None:
    def program() -> None:
        pulumi.runtime.register_resource_transform(_team_tags)
        aws.s3.Bucket(LONG)

    with pytest.raises(AutoNameTooLong, match=f"'{LONG}' sets no `bucket`"):
        record(program)

    def inherited() -> None:
        team = Team("team", pulumi.ResourceOptions(transforms=[_team_tags]))
        aws.s3.Bucket(LONG, opts=pulumi.ResourceOptions(parent=team))

    with pytest.raises(AutoNameTooLong):
        record(inherited)


def test_a_transform_returning_nothing_leaves_the_registration_as_it_was() -> None:
    """None: properties and options unchanged, a secret and unknown inputs among them (the engine
    hands them to a transform as output values, which the SDK sends back as they were)."""

    def program(transforms: list[Any]) -> None:
        cluster = aws.eks.Cluster(
            "c", role_arn="arn:aws:iam::123456789012:role/eks", vpc_config={"subnet_ids": ["subnet-0123"]}
        )
        vpc_id = cluster.vpc_config.vpc_id  # unknown until the cluster exists
        aws.ec2.SecurityGroup(
            "sg",
            vpc_id=vpc_id,
            description=pulumi.Output.secret("kept secret"),
            tags={"owner": "data", "vpc": vpc_id},
            opts=pulumi.ResourceOptions(protect=True, transforms=transforms),
        )

    plain = record(lambda: program([])).named("sg")
    untouched = record(lambda: program([lambda args: None])).named("sg")
    assert untouched.inputs == plain.inputs
    assert untouched.inputs["vpcId"] == UNKNOWN and untouched.inputs["tags"]["vpc"] == UNKNOWN
    assert untouched.secret_inputs == plain.secret_inputs == {"description"}
    assert (untouched.protect, untouched.property_dependencies) == (True, plain.property_dependencies)

    # Returned as received, they are the same again (the SDK serialises the outputs it was given).
    same = lambda args: pulumi.ResourceTransformResult(args.props, args.opts)  # noqa: E731
    returned = record(lambda: program([same])).named("sg")
    assert (returned.inputs, returned.secret_inputs) == (plain.inputs, {"description"})


def test_what_a_transform_receives_and_an_async_one() -> None:
    seen: list[Any] = []

    async def look(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        seen.append(
            (args.type_, args.name, args.custom, args.props, args.opts.protect, args.opts.ignore_changes)
        )
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(retain_on_delete=True))
        return pulumi.ResourceTransformResult(args.props, opts)

    def program() -> None:
        pulumi.runtime.register_resource_transform(look)
        aws.s3.Bucket(
            "data", force_destroy=True, opts=pulumi.ResourceOptions(protect=True, ignore_changes=["tags"])
        )

    graph = record(program)
    assert seen == [(BUCKET, "data", True, {"forceDestroy": True}, True, ["tags"])]
    bucket = graph.named("data")
    assert (bucket.retain_on_delete, bucket.protect, bucket.ignore_changes) == (True, True, ("tags",))


def test_an_invoke_transform_changes_the_arguments_the_mocks_answer() -> None:
    regions: list[str] = []

    def program() -> None:
        pulumi.runtime.register_invoke_transform(
            lambda args: pulumi.InvokeTransformResult({**args.args, "region": "ap-south-1"}, args.opts)
        )
        aws.get_region_output().region.apply(regions.append)

    record(program)
    assert regions == ["ap-south-1"]


def test_a_transform_that_fails_fails_the_recording() -> None:
    """The engine fails the registration ("invoke transform: ..."), so `pulumi up` fails: the
    recording with TransformFailed, the transform's error its `error` (tests/planner/test_transform_failure_72.py)."""

    def refuse(args: pulumi.ResourceTransformArgs) -> None:
        raise ValueError(f"{args.name}: no untagged buckets here")

    def program() -> None:
        pulumi.runtime.register_resource_transform(refuse)
        aws.s3.Bucket("data")

    with pytest.raises(TransformFailed, match="data: no untagged buckets here") as caught:
        record(program)
    assert isinstance(caught.value.error, ValueError)


def test_a_transform_may_set_an_input_from_another_resources_output() -> None:
    """An async stack transform awaiting a key's ARN (it runs on the program's event loop, as the
    SDK's callback server does): the queue is recorded encrypted with that key."""
    keys: list[aws.kms.Key] = []

    async def encrypt(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != "aws:sqs/queue:Queue":
            return None
        arn = await keys[0].arn.future()
        return pulumi.ResourceTransformResult({**args.props, "kmsMasterKeyId": arn}, args.opts)

    def program() -> None:
        keys.append(aws.kms.Key("key"))
        pulumi.runtime.register_resource_transform(encrypt)
        aws.sqs.Queue("queue")

    graph = record(program)
    assert graph.named("queue").inputs["kmsMasterKeyId"] == graph.named("key").outputs["arn"]
    assert "kmsMasterKeyId" not in graph.named("key").inputs


def test_a_transform_finishing_after_a_failed_programs_unwinding_logs_nothing() -> None:
    """A program that fails with a registration still in its transform: the unwinding cancels the
    SDK's wait for that registration, and what the transform returns after is not delivered to it
    (``InvalidStateError`` in ``_settle``, logged as "Exception in callback" under the run's error,
    before); nor is the outcome of one cancelled with it."""

    async def stubborn(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.name == "bad":
            raise ValueError("no bad buckets")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            return None  # finishes, with a result, after the SDK stopped waiting
        return None

    async def cancelled(args: pulumi.ResourceTransformArgs) -> None:
        if args.name == "bad":
            raise ValueError("no bad buckets")
        await asyncio.sleep(3600)

    for transform in (stubborn, cancelled):

        def program() -> None:
            pulumi.runtime.register_resource_transform(transform)  # noqa: B023 (run at once)
            aws.s3.Bucket("waiting")
            aws.s3.Bucket("bad")

        with log_records() as records, pytest.raises(TransformFailed, match="no bad buckets"):
            record(program)
        # (The SDK's outputs the failed registration rejected may be reported unretrieved when
        # collected, as under `pulumi up`: not this.)
        assert [r.getMessage() for r in records if r.getMessage().startswith("Exception in callback")] == []


def test_providers_a_transform_gives_a_component_reach_its_children() -> None:
    """The engine keeps a component's ``providers`` as its transforms returned them
    (``componentProviders``, source_eval.go ``RegisterResource``) and resolves a child's provider
    from them, which the SDK (it resolved the child's from the component's options as written) did
    not send. ``provider=`` alone is not one of them: the SDK merges it into ``providers`` when it
    reads a component's options, not when a transform returns them, and the engine gives a child
    no provider of a component's own (a component's goal has none)."""
    config = {"aws:region": "eu-west-1", "pulumi:disable-default-providers": ["aws"]}

    def program(option: str) -> None:
        main = aws.Provider("main", region="eu-west-1")

        def give(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if args.type_ != "team:storage:Team":
                return None
            given = pulumi.ResourceOptions(**{option: [main] if option == "providers" else main})
            return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions.merge(args.opts, given))

        pulumi.runtime.register_resource_transform(give)
        aws.s3.Bucket("inside", opts=pulumi.ResourceOptions(parent=Team("team")))

    graph = record_program(lambda: program("providers"), config=config)
    assert graph.named("inside").provider == graph.named("main").urn + "::main-eu-west-1-provider-id"
    with pytest.raises(DefaultProviderDenied, match="'inside' names no aws provider"):
        record_program(lambda: program("provider"), config=config)


def test_only_a_resources_own_transforms_see_its_dependencies_in_its_properties() -> None:
    """With transforms of its own, the engine hands each property that depends on a resource as an
    output value carrying the dependency (``upgradeOutputValues``), which the SDK gives the
    transform as an ``Output``; a stack transform alone gets the plain value."""
    seen: dict[str, Any] = {}

    async def look(args: pulumi.ResourceTransformArgs) -> None:
        if args.type_ != "aws:sqs/queue:Queue":
            return
        value = args.props["kmsMasterKeyId"]
        if isinstance(value, pulumi.Output):
            urns = [await dependency.urn.future() for dependency in await value.resources()]
            value = ("Output", await value.future(), urns)
        seen.setdefault(args.name, []).append(value)

    def program() -> None:
        key = aws.kms.Key("key")
        pulumi.runtime.register_resource_transform(look)
        aws.sqs.Queue("own", kms_master_key_id=key.arn, opts=pulumi.ResourceOptions(transforms=[look]))
        aws.sqs.Queue("stack-only", kms_master_key_id=key.arn)

    graph = record(program)
    key = graph.named("key")
    # The own transform returned nothing: the stack transform after it gets the same output value.
    assert seen["own"] == [("Output", key.outputs["arn"], [key.urn])] * 2
    assert seen["stack-only"] == [key.outputs["arn"]]
    assert graph.named("own").inputs["kmsMasterKeyId"] == key.outputs["arn"]


def test_a_resources_own_transforms_decide_its_dependencies_a_stack_transforms_do_not() -> None:
    """With transforms of its own, the engine rebuilds the registration's dependencies from what
    all its transforms return: ``depends_on``, and each property's from the output values in it
    (source_eval.go ``RegisterResource``, "Reparse the dependency information"). The SDK sends
    returned properties back as plain values, so one returning properties leaves none per
    property; returning nothing leaves them as they were. Without transforms of its own, the
    program's stay, whatever ``depends_on`` a stack transform returns."""
    other: list[aws.sqs.Queue] = []

    def returned(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != "aws:sqs/queue:Queue" or args.name == "other":
            return None
        depends_on = pulumi.ResourceOptions(depends_on=other)
        return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions.merge(args.opts, depends_on))

    def program(own: list[Any], stack: list[Any]) -> None:
        key = aws.kms.Key("key")
        other.append(aws.sqs.Queue("other"))
        for transform in stack:
            pulumi.runtime.register_resource_transform(transform)
        aws.sqs.Queue("queue", kms_master_key_id=key.arn, opts=pulumi.ResourceOptions(transforms=own))

    def queue(own: list[Any], stack: list[Any]) -> tuple[Any, ...]:
        other.clear()
        graph = record(lambda: program(own, stack))
        recorded = graph.named("queue")
        assert recorded.inputs["kmsMasterKeyId"] == graph.named("key").outputs["arn"]
        return recorded.dependencies, recorded.property_dependencies

    graph = record(lambda: program([], []))
    key, queue_other = graph.named("key").urn, graph.named("other").urn
    as_written = ((key,), {"kmsMasterKeyId": (key,)})
    assert queue([], []) == as_written
    assert queue([], [returned]) == as_written
    assert queue([lambda args: None], []) == as_written
    rebuilt = (tuple(sorted((key, queue_other))), {"kmsMasterKeyId": ()})
    assert queue([returned], []) == rebuilt
    assert queue([lambda args: None], [returned]) == rebuilt
