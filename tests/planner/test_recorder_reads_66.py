"""Review of session 66's unknowns below the top level and reads (tests/planner/test_unknowns_66.py).

- What an adopter's program set stays known: the walk that makes what the mocks do not know
  unknown leaves every object input the program set (and the mocks echo) as it was, as at a
  preview, where the engine sends the program's own inputs back as known outputs.
- The walk is skipped for a value the mocks echo whole from the program's inputs, with the same
  result: a field the provider computes inside it (``COMPUTED_FIELDS``) is still unknown.
- The SDK's ``read_resource`` wrap is undone when the last recording under way ends, whatever the
  order the recordings end in.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi.resource as pulumi_resource_module
import pulumi_aws as aws
from pulumi.output import Unknown

from planner.reads import unknown_ids_read_as_unknown
from planner.recorder import record_program
from planner.unreturned_outputs import with_unreturned_unknown

POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


def test_what_an_adopters_program_set_stays_known() -> None:
    seen: dict[str, Any] = {}

    def watch(label: str, output: pulumi.Output[Any]) -> None:
        output.apply(lambda value: seen.__setitem__(label, value))

    def program() -> None:
        bucket = aws.s3.BucketV2("bucket", bucket="adopter-bucket")
        versioning = aws.s3.BucketVersioningV2(
            "versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
        )
        group = aws.ec2.SecurityGroup(
            "group",
            vpc_id="vpc-0123",
            ingress=[{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}],
        )
        role = aws.iam.Role(
            "role", assume_role_policy=POLICY, inline_policies=[{"name": "p", "policy": POLICY}]
        )
        function = aws.lambda_.Function(
            "function",
            role=role.arn,
            runtime="python3.12",
            handler="app.handler",
            code=pulumi.AssetArchive({}),
            environment={"variables": {"STAGE": "prod"}},
        )
        config = aws.sagemaker.EndpointConfiguration(
            "config",
            production_variants=[
                {
                    "variant_name": "main",
                    "model_name": "m",
                    "instance_type": "ml.m5.large",
                    "initial_instance_count": 2,
                }
            ],
        )
        watch("versioning", versioning.versioning_configuration.apply(lambda v: v.status))
        watch("ingress", group.ingress.apply(lambda rules: [(r.from_port, r.cidr_blocks) for r in rules]))
        watch("inline", role.inline_policies.apply(lambda policies: [p.name for p in policies]))
        watch("environment", function.environment.apply(lambda e: e.variables if e else None))
        watch(
            "variants",
            config.production_variants.apply(
                lambda v: [(x.variant_name, x.initial_instance_count) for x in v]
            ),
        )

    graph = record_program(program)

    # Each apply ran (an apply over an unknown does not), on what the program set.
    assert seen == {
        "versioning": "Enabled",
        "ingress": [(443, ["10.0.0.0/8"])],
        "inline": ["p"],
        "environment": {"STAGE": "prod"},
        "variants": [("main", 2)],
    }
    assert not graph.holds_unknowns


def test_a_value_echoed_whole_is_filled_as_a_walk_would_fill_it() -> None:
    subnets = {"subnetIds": ["subnet-1"], "endpointPrivateAccess": None}
    state, marked = with_unreturned_unknown(
        "aws:eks/cluster:Cluster",
        {"vpcConfig": subnets, "tags": {"a": "b"}, "name": "c"},
        {"vpcConfig": subnets, "tags": {"a": "b"}},
        frozenset({"vpcConfig.clusterSecurityGroupId"}),
    )
    # The computed field is unknown; the program's own None and the rest stay as they were.
    assert isinstance(state["vpcConfig"].pop("clusterSecurityGroupId"), Unknown) and marked
    assert state == {"vpcConfig": subnets, "tags": {"a": "b"}, "name": "c"}

    echoed, marked = with_unreturned_unknown(
        "aws:eks/cluster:Cluster", {"vpcConfig": subnets}, {"vpcConfig": subnets}, frozenset()
    )
    assert echoed == {"vpcConfig": subnets} and not marked


def test_the_read_wrap_is_undone_when_the_last_recording_ends_in_any_order() -> None:
    sdk = pulumi_resource_module.read_resource
    first, second = unknown_ids_read_as_unknown(), unknown_ids_read_as_unknown()
    first.__enter__()
    second.__enter__()
    wrapped = pulumi_resource_module.read_resource
    first.__exit__(None, None, None)  # the first to start ends first (recordings in two threads)
    still = pulumi_resource_module.read_resource
    second.__exit__(None, None, None)

    assert wrapped is not sdk
    assert still is wrapped, "a recording still under way lost the wrap"
    assert pulumi_resource_module.read_resource is sdk, "a wrapper was left behind"
