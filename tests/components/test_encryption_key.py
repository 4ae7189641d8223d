"""KMS keys: rotation on, administered by the account, used only by the platform's roles."""

from __future__ import annotations

import pytest

from planner.recorder import ResourceGraph
from tests.graph_helpers import as_list, policy_of, statements

KEY = "aws:kms/key:Key"


def test_every_key_rotates_and_is_symmetric(stack_graph: ResourceGraph) -> None:
    keys = stack_graph.of_type(KEY)
    assert {key.name for key in keys} == {"kms-data-key", "kms-logs-key", "kms-notifications-key"}
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["rotationPeriodInDays"] == 365
        assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"


def test_key_policy_has_no_unconditioned_wildcard_principal(stack_graph: ResourceGraph) -> None:
    for key in stack_graph.of_type(KEY):
        for statement in statements(policy_of(key)):
            principal = statement["Principal"]
            wildcard = principal == "*" or "*" in as_list(principal.get("AWS", []))
            assert not (wildcard and "Condition" not in statement), f"{key.name}: {statement}"


def test_account_principals_use_keys_only_as_platform_roles_or_through_platform_services(
    stack_graph: ResourceGraph,
) -> None:
    environment = stack_graph.environment
    region = stack_graph.config["mlops-platform:platform"]["region"]
    for key in stack_graph.of_type(KEY):
        document = policy_of(key)
        account = key.outputs["arn"].split(":")[4]
        users = {
            s["Sid"]: s["Condition"]
            for s in statements(document)
            if "kms:Decrypt" in as_list(s["Action"])
            and s["Principal"].get("AWS") == f"arn:aws:iam::{account}:root"
        }
        assert users.pop("PlatformRolesUseKey") == {
            "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/mlops-platform/{environment}/*"}
        }
        expected_via = (
            {
                "AccountPrincipalsThroughPlatformServices": {
                    "StringEquals": {
                        "kms:CallerAccount": account,
                        "kms:ViaService": [f"sagemaker.{region}.amazonaws.com", f"s3.{region}.amazonaws.com"],
                    }
                }
            }
            if key.name == "kms-data-key"
            else {}
        )
        assert users == expected_via
        [admin] = [s for s in statements(document) if s["Sid"] == "AccountAdministersKey"]
        assert admin["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:*"} & set(admin["Action"]), (
            "administering is not using"
        )


def test_logs_key_trusts_cloudwatch_logs_of_this_account_only(stack_graph: ResourceGraph) -> None:
    key = stack_graph.named("kms-logs-key")
    region, account = key.outputs["arn"].split(":")[3:5]
    [grant] = [s for s in statements(policy_of(key)) if "Service" in s["Principal"]]
    assert grant["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
    assert grant["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account}:*"}
    }
    data_key = stack_graph.named("kms-data-key")
    assert not [s for s in statements(policy_of(data_key)) if "Service" in s["Principal"]]


def test_notifications_key_lets_eventbridge_and_cloudwatch_publish_to_encrypted_topics(stack_graph) -> None:
    key = stack_graph.named("kms-notifications-key")
    grants = {s["Principal"]["Service"]: s for s in statements(policy_of(key)) if "Service" in s["Principal"]}
    assert set(grants) == {"events.amazonaws.com", "cloudwatch.amazonaws.com"}
    for grant in grants.values():
        assert grant["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]


@pytest.mark.parametrize(
    ("stack", "window", "protected"), [("dev", 7, False), ("staging", 30, True), ("prod", 30, True)]
)
def test_deletion_window_and_protection_follow_the_environment(
    stack_graphs, stack, window, protected
) -> None:
    for key in stack_graphs[stack].of_type(KEY):
        assert key.inputs["deletionWindowInDays"] == window
        assert key.protect is protected
        assert key.retain_on_delete is protected


def test_aliases_name_the_environment_and_point_at_their_key(stack_graph: ResourceGraph) -> None:
    for alias in stack_graph.of_type("aws:kms/alias:Alias"):
        [key] = stack_graph.referenced(alias, "targetKeyId")
        purpose = key.name.removeprefix("kms-").removesuffix("-key")
        assert alias.inputs["name"] == f"alias/mlops-platform-{stack_graph.environment}-{purpose}"
