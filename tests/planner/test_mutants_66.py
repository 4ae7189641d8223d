"""Session 66 mutation audit: what the earlier tests left unpinned in ``planner.unreturned_outputs``.

``with_unreturned_unknown`` on one mocked result at a time (no recording): what the program set stays
as it set it, what only the provider knows is unknown.
"""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pytest
from pulumi.output import Unknown

from planner.unreturned_outputs import with_unreturned_unknown

GROUP = "aws:ec2/securityGroup:SecurityGroup"
assert aws.ec2.SecurityGroup  # imported: its output types are read from the SDK class
RULE = {"fromPort": 443, "toPort": 443, "protocol": "tcp"}


def _unknown_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, Unknown):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _unknown_paths(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _unknown_paths(item, f"{path}[{index}]")]
    return []


@pytest.mark.parametrize(
    ("state", "inputs", "unknown"),
    [
        # The program set the rule (with a description the mock dropped): its other fields stay absent.
        pytest.param(
            {"ingress": [RULE]}, {"ingress": [{**RULE, "description": "d"}]}, [], id="set-item-kept"
        ),
        # A value the program set, returned as None: the mock does not know it.
        pytest.param(
            {"ingress": [{**RULE, "description": None}]},
            {"ingress": [{**RULE, "description": "d"}]},
            [".ingress[0].description"],
            id="set-value-returned-none",
        ),
        # One item more than the program set: the items are not the program's, each field is unknown.
        pytest.param({"ingress": [RULE]}, {"ingress": [RULE, RULE]}, "all", id="other-length"),
        # A None the program set in a map stays None; one the mock adds is unknown.
        pytest.param(
            {"tags": {"Name": None, "team": None}}, {"tags": {"Name": None}}, [".tags.team"], id="map-none"
        ),
    ],
)
def test_what_the_program_set_stays_known(
    state: dict[str, Any], inputs: dict[str, Any], unknown: Any
) -> None:
    result, marked = with_unreturned_unknown(GROUP, state, inputs)
    paths = _unknown_paths(result)
    if unknown == "all":
        assert paths and all(p.startswith(".ingress[0].") for p in paths) and marked
    else:
        assert (paths, marked) == (unknown, bool(unknown))


def test_a_computed_field_is_unknown_whichever_key_holds_it() -> None:
    # Computed fields under two keys: each key's echoed object is walked for its own.
    state = {"ingress": [RULE], "egress": [RULE]}
    computed = ("egress.cidrBlocks", "ingress.cidrBlocks")
    result, marked = with_unreturned_unknown(GROUP, state, dict(state), computed)
    assert isinstance(result["egress"], list) and marked  # walked, though echoed


def test_a_recorded_eks_cluster_s_computed_vpc_fields_are_unknown() -> None:
    from planner.recorder import UNKNOWN, record_program

    graph = record_program(
        lambda: aws.eks.Cluster(
            "c", role_arn="arn:aws:iam::123456789012:role/eks", vpc_config={"subnet_ids": ["subnet-0123"]}
        )
    )
    [cluster] = graph.of_type("aws:eks/cluster:Cluster")
    assert cluster.outputs["vpcConfig"] == {
        "subnetIds": ["subnet-0123"],
        "clusterSecurityGroupId": UNKNOWN,
        "vpcId": UNKNOWN,
    }
    assert graph.holds_unknowns  # below the top level only


def test_only_a_stack_reference_is_answered_with_its_stack_s_outputs() -> None:
    from pulumi.runtime.proto import resource_pb2

    from planner.reads import STACK_REFERENCE_TYPE, read_response

    outputs = {"org/network/prod": {"vpc_id": "vpc-0abc"}}
    states = [
        read_response(resource_pb2.ReadResourceRequest(type=kind, id="org/network/prod"), "urn:x", outputs)[1]
        for kind in (STACK_REFERENCE_TYPE, "aws:ec2/vpc:Vpc")
    ]
    assert [state.get("outputs") for state in states] == [{"vpc_id": "vpc-0abc"}, None]


def test_a_read_of_an_id_not_yet_created_is_recorded_without_one() -> None:
    import pulumi

    from planner.recorder import record_program

    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Vpc.get("read", vpc.ipv6_association_id)
        aws.ec2.Vpc.get("known", "vpc-0123")
        pulumi.export("n", 1)

    graph = record_program(program)
    assert sorted((read.name, read.id or "") for read in graph.reads) == [("known", "vpc-0123"), ("read", "")]


def test_a_stack_file_s_program_reads_the_stack_outputs_given_and_its_own_lists() -> None:
    import pulumi

    from components.text_limits import listed, lists_said_once
    from planner.recorder import record_stack_file
    from stacks.program import load_config

    def program(source: str) -> None:
        listed(["alpha", "beta"])  # before the program reads its stack file (another file's list)
        load_config(source)
        pulumi.export("vpc", pulumi.StackReference("org/network/prod").get_output("vpc_id"))

    graph = record_stack_file(
        "tests/fixtures/stacks/Pulumi.dev.yaml",
        program,
        stack_outputs={"org/network/prod": {"vpc_id": "vpc-0abc"}},
    )
    assert graph.exports["vpc"] == "vpc-0abc"
    messages = ["m: alpha, beta", "m: alpha, beta"]  # values this file's problems echo: kept
    assert lists_said_once([("f", f"k{n}", m) for n, m in enumerate(messages)], 10, 1000) == messages
