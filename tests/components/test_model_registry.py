"""Model registry: groups per family, cross-account read, approval events routed to an encrypted topic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.registry.model_family_spec import MAX_FAMILY_CONSUMER_ACCOUNTS, ModelFamilySpec
from components.registry.model_registry import (
    CONSUMER_ACTIONS,
    ModelRegistry,
    ModelRegistryArgs,
    approval_event_pattern,
)
from planner.recorder import ResourceGraph, record_program
from tests.graph_helpers import as_list, only, policy_of, statements, within

GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"


def _state_change(
    group: str, status: str, detail_type: str = "SageMaker Model Package State Change"
) -> dict[str, Any]:
    """An event as EventBridge delivers it for a model package (shape from the SageMaker docs)."""
    return {
        "version": "0",
        "id": "7a3c1d52-0000-0000-0000-000000000000",
        "detail-type": detail_type,
        "source": "aws.sagemaker",
        "account": "111111111111",
        "time": "2026-11-23T10:00:00Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:sagemaker:eu-west-1:111111111111:model-package/{group}/3"],
        "detail": {
            "ModelPackageGroupName": group,
            "ModelPackageVersion": 3,
            "ModelPackageArn": f"arn:aws:sagemaker:eu-west-1:111111111111:model-package/{group}/3",
            "ModelApprovalStatus": status,
            "CreationTime": 1763892000000,
        },
    }


OWN = "{stack}-customer-churn"
"""The fixture stack's group: the family's name after the stack's name prefix."""


@pytest.mark.parametrize(
    ("group", "status", "detail_type", "matches"),
    [
        (OWN, "Approved", "SageMaker Model Package State Change", True),
        (OWN, "Rejected", "SageMaker Model Package State Change", False),
        (OWN, "PendingManualApproval", "SageMaker Model Package State Change", False),
        ("fraud-detection", "Approved", "SageMaker Model Package State Change", False),
        ("sandbox-customer-churn", "Approved", "SageMaker Model Package State Change", False),
        (OWN, "Approved", "SageMaker Model Package Group State Change", False),
    ],
    ids=[
        "approval-of-the-group",
        "rejection",
        "pending",
        "approval-of-another-group",
        "same-family-of-another-stack",
        "other-event-type",
    ],
)
def test_rule_pattern_matches_only_approvals_of_its_group(
    stack_graph: ResourceGraph, group: str, status: str, detail_type: str, matches: bool
) -> None:
    [rule] = within(stack_graph, "model-registry", "aws:cloudwatch/eventRule:EventRule")
    own = OWN.format(stack=stack_graph.stack)
    assert json.loads(rule.inputs["eventPattern"]) == approval_event_pattern(own)
    event = _state_change(group.format(stack=stack_graph.stack), status, detail_type)
    assert EventPattern.load(rule.inputs["eventPattern"]).matches_event(event) is matches


def test_one_tagged_group_per_model_family(stack_graph: ResourceGraph) -> None:
    [group] = stack_graph.of_type(GROUP)
    assert group.inputs["modelPackageGroupName"] == f"{stack_graph.stack}-customer-churn"
    assert group.inputs["tags"]["mlops:model-family"] == "customer-churn"
    assert group.inputs["tags"]["cost-center"] == "cc-ml-1001"


def test_registry_policy_names_only_the_configured_consumer_accounts(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    dev = stack_graphs["dev"]
    [policy] = dev.of_type("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy")
    [statement] = statements(policy_of(policy, "resourcePolicy"))
    assert statement["Principal"] == {
        "AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    }
    assert statement["Action"] == CONSUMER_ACTIONS
    assert not any(
        action.startswith(("sagemaker:Update", "sagemaker:Delete", "sagemaker:Create"))
        for action in statement["Action"]
    )
    assert sorted(as_list(statement["Resource"])) == [
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/dev-customer-churn",
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/*",
    ]
    for stack in ("staging", "prod"):
        assert (
            stack_graphs[stack].of_type("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy") == []
        )


def test_approvals_reach_a_kms_encrypted_topic_only_its_rules_publish_to(stack_graph: ResourceGraph) -> None:
    [topic] = within(stack_graph, "model-registry", "aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == stack_graph.named("kms-notifications-key").outputs["arn"]
    [rule] = within(stack_graph, "model-registry", "aws:cloudwatch/eventRule:EventRule")
    [target] = within(stack_graph, "model-registry", "aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["arn"] == topic.outputs["arn"] and target.inputs["rule"] == rule.outputs["name"]
    [policy] = within(stack_graph, "model-registry", "aws:sns/topicPolicy:TopicPolicy")
    allow = [s for s in statements(policy_of(policy)) if s["Effect"] == "Allow"]
    assert allow == [
        {
            "Sid": "ApprovalRulesPublish",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic.outputs["arn"],
            "Condition": {"ArnEquals": {"aws:SourceArn": [rule.outputs["arn"]]}},
        }
    ]


@pytest.mark.parametrize(
    ("stack", "status"),
    [("dev", "Approved"), ("staging", "PendingManualApproval"), ("prod", "PendingManualApproval")],
)
def test_default_approval_status_follows_the_environment(stack_graphs, stack: str, status: str) -> None:
    assert stack_graphs[stack].exports["default_model_approval_status"] == status


def test_mlflow_tracking_server_exists_only_where_enabled(stack_graphs: dict[str, ResourceGraph]) -> None:
    assert stack_graphs["dev"].of_type("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer") == []
    for stack in ("staging", "prod"):
        graph = stack_graphs[stack]
        server = only(graph, "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")
        bucket = graph.named("artifacts-bucket").outputs
        assert server.inputs["artifactStoreUri"] == f"s3://{bucket['bucket']}/mlflow/"
        assert server.inputs["trackingServerSize"] == "Small"
        assert server.inputs["weeklyMaintenanceWindowStart"] == "Sun:03:00"
        role_policy = next(
            r for r in graph.referenced(server, "roleArn") if r.type == "aws:iam/rolePolicy:RolePolicy"
        )
        s3_objects = {
            resource
            for statement in statements(policy_of(role_policy))
            for resource in as_list(statement["Resource"])
            if resource.startswith(f"{bucket['arn']}/")
        }
        assert s3_objects == {f"{bucket['arn']}/mlflow/*"}


def test_consumer_accounts_may_read_and_decrypt_model_artifacts_and_baselines_only(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    dev = stack_graphs["dev"]
    roots = ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    artifacts = dev.named("artifacts-bucket").outputs["arn"]
    [bucket_policy] = [
        p for p in dev.of_type("aws:s3/bucketPolicy:BucketPolicy") if p.name == "artifacts-policy"
    ]
    [read] = [s for s in statements(policy_of(bucket_policy)) if s.get("Sid") == "ReaderAccountsGetObjects"]
    assert read["Principal"] == {"AWS": roots}
    assert read["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert read["Resource"] == [f"{artifacts}/models/*", f"{artifacts}/baselines/*"]
    [listing] = [
        s for s in statements(policy_of(bucket_policy)) if s.get("Sid") == "ReaderAccountsListTheirPrefixes"
    ]
    assert (listing["Principal"], listing["Action"], listing["Resource"]) == (
        {"AWS": roots},
        "s3:ListBucket",
        artifacts,
    )
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["models/*", "baselines/*"]}}
    [decrypt] = [
        s
        for s in statements(policy_of(dev.named("kms-data-key")))
        if s.get("Sid") == "ConsumerAccountsDecryptModelArtifacts"
    ]
    assert decrypt["Principal"] == {"AWS": roots}
    assert decrypt["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    for stack in ("staging", "prod"):
        graph = stack_graphs[stack]
        assert "ReaderAccounts" not in str(
            [p.inputs["policy"] for p in graph.of_type("aws:s3/bucketPolicy:BucketPolicy")]
        )
        assert "ConsumerAccounts" not in graph.named("kms-data-key").inputs["policy"]


def _family(name: str, accounts: range) -> ModelFamilySpec:
    return ModelFamilySpec.model_validate(
        {
            "name": name,
            "promotion": {"metric": "metrics.auc.value", "threshold": 0.8},
            "consumer_accounts": [f"{account:012}" for account in accounts],
        }
    )


def _registry_args(*families: ModelFamilySpec) -> ModelRegistryArgs:
    return ModelRegistryArgs(
        families=families,
        approval_mode="auto",
        account_id="123456789012",
        region="eu-west-1",
        notification_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
        tags={"owner": "t"},
    )


def test_args_take_as_many_consumer_accounts_per_family_as_its_group_policy_holds() -> None:
    """The registry's own policy is each family's model package group policy (SageMaker: at most
    20,480 characters, botocore PolicyString): 1000 accounts in one family made one of 34 KB. The
    stack's tighter limit across families is its artifacts bucket's (stacks/config.py), not this
    component's: families sharing with 300 accounts each are fine here."""
    longest = "c" * 63  # SageMaker's longest group name: the policy names it twice
    at_limit = _registry_args(
        _family(longest, range(1, MAX_FAMILY_CONSUMER_ACCOUNTS + 1)), _family("fraud", range(1001, 1301))
    )
    graph = record_program(lambda: ModelRegistry("registry", at_limit))
    sizes = [
        len(p.inputs["resourcePolicy"])
        for p in graph.of_type("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy")
    ]
    assert len(sizes) == 2 and max(sizes) <= 20480
    assert max(sizes) > 0.8 * 20480, "the bound is not loose"

    with pytest.raises(
        ValueError,
        match=rf"^ModelRegistryArgs\.families\[1\]\.consumer_accounts: {MAX_FAMILY_CONSUMER_ACCOUNTS + 1} "
        rf"consumer accounts; a family takes at most {MAX_FAMILY_CONSUMER_ACCOUNTS}",
    ):
        _registry_args(
            _family("churn", range(1, 11)), _family("fraud", range(1, MAX_FAMILY_CONSUMER_ACCOUNTS + 2))
        )
