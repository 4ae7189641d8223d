"""Conventions every component keeps: parenting, naming, type tokens, tags, provider, protection."""

from __future__ import annotations

import json
import re

import pytest

from planner.recorder import ResourceGraph
from stacks.defaults import REQUIRED_TAG_KEYS
from tests.graph_helpers import is_taggable

STATEFUL = (
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:cloudtrail/trail:Trail",
)


def test_every_cloud_resource_belongs_to_a_component(stack_graph: ResourceGraph) -> None:
    orphans = [r.name for r in stack_graph.cloud_resources if stack_graph.component_of(r) is None]
    assert orphans == []


def test_component_type_tokens_follow_mlops_area_name(stack_graph: ResourceGraph) -> None:
    assert stack_graph.components
    for component in stack_graph.components:
        assert re.fullmatch(r"mlops:[a-z]+:[A-Z][A-Za-z]+", component.type), component.type


def test_child_names_derive_from_their_component(stack_graph: ResourceGraph) -> None:
    for resource in stack_graph:
        parent = stack_graph.get(resource.parent) if resource.parent else None
        if parent is not None and not parent.custom and parent.type != "pulumi:pulumi:Stack":
            assert resource.name.startswith(f"{parent.name}-"), f"{resource.name} under {parent.name}"


def test_every_aws_resource_uses_the_explicit_account_locked_provider(stack_graph: ResourceGraph) -> None:
    providers = {r.type.removeprefix("pulumi:providers:"): r for r in stack_graph if r.is_provider}
    platform = stack_graph.config["mlops-platform:platform"]
    for package in ("aws", *(["aws-native"] if "aws-native" in providers else [])):
        provider = providers[package]
        # Provider inputs travel JSON-encoded on the wire, as the engine passes them.
        assert json.loads(provider.inputs["allowedAccountIds"]) == [platform["account_id"]]
        assert provider.inputs["region"] == platform["region"]
    for resource in stack_graph.cloud_resources:
        package = resource.type.split(":")[0]
        assert resource.provider and resource.provider.startswith(providers[package].urn + "::"), (
            resource.name
        )


def test_every_taggable_resource_carries_the_cost_allocation_tags(stack_graph: ResourceGraph) -> None:
    taggable = [r for r in stack_graph.cloud_resources if is_taggable(r.type)]
    assert len(taggable) > 20
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        for key in (*REQUIRED_TAG_KEYS, "environment", "managed-by"):
            assert tags.get(key), f"{resource.type} {resource.name} lacks tag {key}"
        assert tags["environment"] == stack_graph.environment


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("staging", True), ("prod", True)])
def test_stateful_resources_are_protected_and_retained_outside_dev(
    stack_graphs, stack: str, protected: bool
) -> None:
    graph = stack_graphs[stack]
    stateful = [r for r in graph.cloud_resources if r.type in STATEFUL]
    # Five keys (data, logs, notifications, audit; deliveries: the fixtures dispatch approvals), four
    # buckets (datasets, artifacts, access logs, audit logs), and the audit trail.
    assert len([r for r in stateful if r.type in STATEFUL[:2]]) == 9
    assert len(graph.of_type("aws:cloudtrail/trail:Trail")) == 1
    assert all(r.protect is protected and r.retain_on_delete is protected for r in stateful)
    assert not [r.name for r in graph.cloud_resources if r.type not in STATEFUL and r.protect]


def test_stack_exports_the_foundation_handles(stack_graph: ResourceGraph) -> None:
    exports = stack_graph.exports
    assert exports["vpc_id"] == stack_graph.of_type("aws:ec2/vpc:Vpc")[0].id
    assert exports["datasets_bucket"] == stack_graph.named("datasets-bucket").outputs["bucket"]
    assert exports["training_role_arn"].startswith("arn:aws:iam::")


def test_components_and_the_policy_pack_agree_on_instance_families() -> None:
    """The pack imports nothing from components (it governs any program), so the lists are kept twice."""
    from components import instance_types
    from policies.rules import _common

    assert set(instance_types.GPU_FAMILIES) == set(_common.GPU_FAMILIES)
    assert set(instance_types.INSTANCE_STORE_FAMILIES) == set(_common.INSTANCE_STORE_FAMILIES)
