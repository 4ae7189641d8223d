"""The deployment critical path: Pulumi's waiting rules on hand-built graphs, then the shipped stacks.

The hand-built graphs (``resource``/``component``/``graph`` below, also used by the cost and
diagram tests) take milliseconds; the shipped stacks come from the session's recorded graphs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from planner.critical_path import CreateTimes, WaitGraph, critical_path, load_create_times
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph

# --- hand-built graphs ------------------------------------------------------------------------

STACK_URN = f"urn:pulumi:test::p::{STACK_TYPE}::p-test"


def urn(name: str, type_token: str) -> str:
    return f"urn:pulumi:test::p::{type_token}::{name}"


def resource(
    name: str,
    type_token: str,
    *,
    custom: bool = True,
    parent: RecordedResource | None = None,
    data: Sequence[RecordedResource] = (),
    depends_on: Sequence[RecordedResource] = (),
    inputs: Mapping[str, Any] | None = None,
) -> RecordedResource:
    """A resource consuming outputs of ``data`` (property ``input``) and explicitly waiting on ``depends_on``."""
    data_urns = tuple(r.urn for r in data)
    return RecordedResource(
        urn=urn(name, type_token),
        type=type_token,
        name=name,
        custom=custom,
        parent=parent.urn if parent else STACK_URN,
        dependencies=data_urns + tuple(r.urn for r in depends_on if r.urn not in data_urns),
        property_dependencies={"input": data_urns} if data_urns else {},
        inputs=dict(inputs or {}),
        outputs={},
        provider=None,
        protect=False,
        retain_on_delete=False,
        id=None,
    )


def component(name: str, type_token: str = "mlops:test:Thing", **kwargs: Any) -> RecordedResource:
    return resource(name, type_token, custom=False, **kwargs)


def graph(*resources: RecordedResource, config: Mapping[str, Any] | None = None) -> ResourceGraph:
    stack = RecordedResource(
        urn=STACK_URN,
        type=STACK_TYPE,
        name="p-test",
        custom=False,
        parent=None,
        dependencies=(),
        property_dependencies={},
        inputs={},
        outputs={},
        provider=None,
        protect=False,
        retain_on_delete=False,
        id=None,
    )
    return ResourceGraph(
        stack="test", source="<synthetic>", resources=(stack, *resources), config=config or {}
    )


TIMES = CreateTimes(
    by_type={
        "test:slow:Slow": {"seconds": 100},
        "test:fast:Fast": {"seconds": 10},
        "aws:ec2/vpcEndpoint:VpcEndpoint": {
            "seconds": 120,
            "variants": [{"input": "vpcEndpointType", "equals": "Gateway", "seconds": 10}],
        },
    },
    default_seconds=30,
    zero_seconds_prefixes=("pulumi:providers:",),
    compiled="2026-01-01",
)


# --- Pulumi's waiting rules -------------------------------------------------------------------


def test_the_estimate_is_the_longest_chain_not_the_sum() -> None:
    key = resource("key", "test:fast:Fast")
    slow = resource("slow", "test:slow:Slow", data=[key])
    beside = resource("beside", "test:fast:Fast", data=[key])
    last = resource("last", "test:fast:Fast", data=[slow, beside])

    path = critical_path(graph(key, slow, beside, last), TIMES)

    assert path.estimated_seconds == 10 + 100 + 10
    assert path.serial_seconds == 10 + 100 + 10 + 10
    assert path.chain == ["key", "slow", "last"]
    assert [step.finishes_at for step in path.steps] == [10, 110, 120]


def test_independent_resources_run_in_parallel() -> None:
    path = critical_path(graph(*(resource(f"r{i}", "test:slow:Slow") for i in range(5))), TIMES)

    assert (path.estimated_seconds, path.serial_seconds) == (100, 500)
    assert path.chain == ["r0"], "ties are broken by URN, so the chain is stable from run to run"


def test_a_dependency_on_a_component_waits_for_all_its_descendants() -> None:
    bucket = component("bucket")
    nested = component("nested", parent=bucket)
    slow_child = resource("slow-child", "test:slow:Slow", parent=nested)
    fast_child = resource("fast-child", "test:fast:Fast", parent=bucket)
    consumer = resource("consumer", "test:fast:Fast", depends_on=[bucket])

    waits = WaitGraph(graph(bucket, nested, slow_child, fast_child, consumer))

    assert waits.waits_on[consumer.urn] == {slow_child.urn, fast_child.urn}
    path = critical_path(graph(bucket, nested, slow_child, fast_child, consumer), TIMES)
    assert path.chain == ["slow-child", "consumer"] and path.estimated_seconds == 110


def test_children_inherit_what_their_component_waits_for() -> None:
    key = resource("key", "test:slow:Slow")
    owner = component("owner", depends_on=[key])
    child = resource("child", "test:fast:Fast", parent=owner)

    waits = WaitGraph(graph(key, owner, child))

    assert waits.waits_on[child.urn] == {key.urn}
    assert critical_path(graph(key, owner, child), TIMES).estimated_seconds == 110


def test_a_dependency_on_its_own_ancestor_does_not_make_a_resource_wait_for_its_siblings() -> None:
    owner = component("owner")
    sibling = resource("sibling", "test:slow:Slow", parent=owner)
    child = resource("child", "test:fast:Fast", parent=owner, depends_on=[owner])

    assert WaitGraph(graph(owner, sibling, child)).waits_on[child.urn] == frozenset()


def test_a_child_of_a_custom_resource_waits_for_its_parent() -> None:
    parent = resource("parent", "test:slow:Slow")
    child = resource("child", "test:fast:Fast", parent=parent)

    assert WaitGraph(graph(parent, child)).waits_on[child.urn] == {parent.urn}


def test_create_times_come_from_the_table_with_a_default_and_input_variants() -> None:
    gateway = resource("s3", "aws:ec2/vpcEndpoint:VpcEndpoint", inputs={"vpcEndpointType": "Gateway"})
    interface = resource("sts", "aws:ec2/vpcEndpoint:VpcEndpoint", inputs={"vpcEndpointType": "Interface"})
    unknown = resource("mystery", "test:unknown:Mystery")
    provider = resource("aws", "pulumi:providers:aws")

    assert [TIMES.seconds(r) for r in (gateway, interface, unknown, provider)] == [10, 120, 30, 0]
    assert TIMES.seconds(component("c")) == 0
    path = critical_path(graph(gateway, interface, unknown, provider), TIMES)
    assert path.defaulted_types == ("test:unknown:Mystery",)


def test_the_shipped_table_is_dated_and_knows_the_slow_sagemaker_resources() -> None:
    times = load_create_times()

    assert times.compiled and times.default_seconds > 0
    endpoint = resource("e", "aws:sagemaker/endpoint:Endpoint")
    mlflow = resource("m", "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")
    key = resource("k", "aws:kms/key:Key")
    assert 6 * 60 <= times.seconds(endpoint) <= 12 * 60
    assert times.seconds(mlflow) >= 15 * 60
    assert times.seconds(key) < 60


# --- the shipped stacks -----------------------------------------------------------------------


def test_each_shipped_stack_has_a_critical_path_no_longer_than_the_serial_sum(stack_graph) -> None:
    path = critical_path(stack_graph)

    assert 0 < path.estimated_seconds < path.serial_seconds
    assert path.steps[-1].finishes_at == path.estimated_seconds
    assert path.defaulted_types == (), "every type the stacks create has a documented create time"
    # The chain is a real chain: each step waits (transitively) for the one before.
    waits = WaitGraph(stack_graph)
    by_name_type = {(r.name, r.type): r.urn for r in stack_graph if r.custom}
    urns = [by_name_type[(step.name, step.type)] for step in path.steps]
    for before, after in itertools.pairwise(urns):
        assert before in waits.waits_on[after]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_no_stack_deploys_faster_than_its_slowest_resource(stack_graphs, stack: str) -> None:
    graph_ = stack_graphs[stack]
    times = load_create_times()
    slowest = max(times.seconds(r) for r in graph_ if r.custom)

    assert critical_path(graph_).estimated_seconds >= slowest >= 8 * 60


def test_critical_path_json_shape(stack_graphs) -> None:
    shape = critical_path(stack_graphs["prod"]).to_json()

    assert set(shape) == {
        "estimated_seconds",
        "serial_seconds",
        "chain",
        "steps",
        "create_times_date",
        "defaulted_types",
    }
    assert shape["chain"] == [step["name"] for step in shape["steps"]]
    assert shape["estimated_seconds"] == round(shape["steps"][-1]["finishes_at"])
