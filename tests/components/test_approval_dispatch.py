"""Approval dispatch: an approved version reaches GitHub's repository_dispatch API through an
EventBridge API destination, with a KMS-encrypted connection secret, retries, an encrypted
dead-letter queue and a role that may invoke that one destination only."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.registry.approval_dispatch import (
    INPUT_PATHS,
    ApprovalDispatchArgs,
    dispatch_body_template,
    event_type_problem,
    repository_problem,
)
from planner.recorder import ResourceGraph
from stacks.composition.registry import NOT_WIRED
from stacks.config import ConfigError
from tests.components.test_model_registry import _state_change
from tests.graph_helpers import as_list, policy_of, statements, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import endpointless_cut
from tests.yaml_text import dump_document

CONNECTION = "aws:cloudwatch/eventConnection:EventConnection"
DESTINATION = "aws:cloudwatch/eventApiDestination:EventApiDestination"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
RULE = "aws:cloudwatch/eventRule:EventRule"


@pytest.fixture(scope="module")
def prod(stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs["prod"]


def _one(graph: ResourceGraph, type_token: str) -> Any:
    [resource] = within(graph, "approval-dispatch", type_token)
    return resource


def _render(template: str, paths: dict[str, str], event: dict[str, Any]) -> dict[str, Any]:
    """What EventBridge sends: each ``<name>`` of the template replaced by the event's value at its
    JSON path (only ``$.detail.<field>`` paths are used)."""

    def value(match: re.Match[str]) -> str:
        field = paths[match[1]].removeprefix("$.detail.")
        return str(event["detail"][field])

    return json.loads(re.sub(r"<(\w+)>", value, template))


def test_the_connection_authenticates_with_a_bearer_token_in_a_kms_encrypted_secret(prod) -> None:
    connection = _one(prod, CONNECTION)
    key = prod.named("kms-deliveries-key")
    assert connection.inputs["kmsKeyIdentifier"] == key.outputs["arn"]
    assert key.inputs["tags"]["EventBridgeApiDestinations"] == "true", "AWS uses only a key tagged so"
    assert connection.inputs["authorizationType"] == "API_KEY"
    api_key = connection.inputs["authParameters"]["apiKey"]
    assert api_key["key"] == "Authorization" and api_key["value"].startswith("Bearer ")
    assert "authParameters" in connection.secret_inputs, "the token never shows in clear"
    headers = connection.inputs["authParameters"]["invocationHttpParameters"]["headers"]
    assert {h["key"]: h["value"] for h in headers} == {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }


def test_the_connection_key_lets_only_secrets_manager_use_it_for_this_accounts_connections(prod) -> None:
    key = prod.named("kms-deliveries-key")
    [statement] = [
        s for s in statements(policy_of(key)) if s["Sid"] == "EventBridgeConnectionSecretsOfThisAccount"
    ]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    assert statement["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statement["Condition"] == {
        "StringEquals": {
            "kms:CallerAccount": "333333333333",
            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
        },
        "StringLike": {
            "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:events!connection/*"
        },
    }


def test_the_destination_posts_to_the_repositorys_dispatches(prod) -> None:
    destination = _one(prod, DESTINATION)
    assert (
        destination.inputs["invocationEndpoint"]
        == "https://api.github.com/repos/my-org/mlops-platform/dispatches"
    )
    assert destination.inputs["httpMethod"] == "POST"
    assert destination.inputs["connectionArn"] == _one(prod, CONNECTION).outputs["arn"]


def test_each_approval_rule_targets_the_destination_with_retries_and_an_encrypted_dead_letter_queue(
    prod,
) -> None:
    [rule] = within(prod, "model-registry", RULE)
    target = _one(prod, TARGET)
    queue = _one(prod, "aws:sqs/queue:Queue")
    assert target.inputs["rule"] == rule.outputs["name"]
    assert target.inputs["arn"] == _one(prod, DESTINATION).outputs["arn"]
    assert target.inputs["retryPolicy"] == {"maximumRetryAttempts": 24, "maximumEventAgeInSeconds": 3600}
    assert target.inputs["deadLetterConfig"] == {"arn": queue.outputs["arn"]}
    assert queue.inputs["kmsMasterKeyId"] == prod.named("kms-notifications-key").outputs["arn"]
    [allow] = [
        s
        for s in statements(policy_of(_one(prod, "aws:sqs/queuePolicy:QueuePolicy")))
        if s["Effect"] == "Allow"
    ]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": [rule.outputs["arn"]]}}


def test_the_invoker_role_may_invoke_that_one_destination_and_nothing_else(prod) -> None:
    target = _one(prod, TARGET)
    [role] = within(prod, "approval-dispatch", "aws:iam/role:Role")
    assert target.inputs["roleArn"] == role.outputs["arn"]
    trust = statements(policy_of(role, "assumeRolePolicy"))
    assert [s["Principal"] for s in trust] == [{"Service": "events.amazonaws.com"}]
    [policy] = within(prod, "approval-dispatch", "aws:iam/rolePolicy:RolePolicy")
    [statement] = statements(policy_of(policy))
    assert statement["Effect"] == "Allow"
    assert as_list(statement["Action"]) == ["events:InvokeApiDestination"]
    assert as_list(statement["Resource"]) == [_one(prod, DESTINATION).outputs["arn"]]


@pytest.mark.parametrize(
    ("status", "dispatched"),
    [("Approved", True), ("Rejected", False), ("PendingManualApproval", False)],
    ids=["approval", "rejection", "pending"],
)
def test_only_an_approval_is_dispatched_with_its_family_version_and_stack(prod, status, dispatched) -> None:
    [rule] = within(prod, "model-registry", RULE)
    event = _state_change("prod-customer-churn", status)
    assert EventPattern.load(rule.inputs["eventPattern"]).matches_event(event) is dispatched
    transformer = _one(prod, TARGET).inputs["inputTransformer"]
    assert transformer["inputPaths"] == INPUT_PATHS
    body = _render(transformer["inputTemplate"], transformer["inputPaths"], event)
    assert body == {
        "event_type": "model-approved",
        "client_payload": {
            "family": "customer-churn",
            "model_package_group": "prod-customer-churn",
            "model_package_arn": "arn:aws:sagemaker:eu-west-1:111111111111:model-package/prod-customer-churn/3",
            "model_package_version": "3",
            "source_stack": "prod",
            "source_environment": "prod",
        },
    }


def test_the_template_is_json_whatever_the_placeholders(prod) -> None:
    template = dispatch_body_template("model-approved", "a-b", "eu-sandbox", "dev")
    assert json.loads(template)["client_payload"]["model_package_arn"] == "<arn>"


def test_without_approval_dispatch_nothing_is_created_and_the_plan_warns(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        # The prod fixture cut to its foundation, families (whose approvals would be dispatched) and
        # alerts (endpointless_cut, which also removes the delivery section).
        endpointless_cut(platform)
        assert "delivery" not in platform

    graph = recorded_stack(str(write_stack("prod", edit)))
    assert graph.of_type(CONNECTION) == graph.of_type(DESTINATION) == []
    assert [w for w in graph.warnings if "approvals are not wired" in w] == [NOT_WIRED]


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        ({"repository": "my-org"}, "delivery.approval_dispatch.repository", "owner/name"),
        ({"repository": "my org/x"}, "delivery.approval_dispatch.repository", "owner/name"),
        (
            {"repository": "o/n", "event_type": "Model Approved"},
            "delivery.approval_dispatch.event_type",
            "event type",
        ),
        (
            {"repository": "o/n", "maximum_retry_attempts": 200},
            "delivery.approval_dispatch.maximum_retry_attempts",
            "185",
        ),
        ({"repository": "o/n", "token": "ghp_x"}, "delivery.approval_dispatch.token", "unknown key"),
    ],
    ids=["no-owner", "space", "event-type", "retries", "no-token-in-the-file"],
)
def test_invalid_approval_dispatch_names_the_file_and_the_key(write_stack, section, key, message) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["delivery"]["approval_dispatch"] = section

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as raised:
        recorded_stack(str(path))
    text = str(raised.value)
    assert f"{path}: mlops-platform:platform.{key}: " in text and message in text


def test_approval_dispatch_without_model_families_is_refused(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"] = []
        platform["endpoints"] = []

    path = write_stack("dev", edit)
    with pytest.raises(
        ConfigError, match=r"mlops-platform:platform\.delivery\.approval_dispatch: the stack has no model"
    ):
        recorded_stack(str(path))


def test_the_token_is_required_as_a_secret_stack_value(write_stack, tmp_path) -> None:
    import yaml

    path = write_stack("prod")
    document = yaml.safe_load(path.read_text())
    del document["config"]["mlops-platform:approval_dispatch_token"]
    path.write_text(dump_document(document))
    with pytest.raises(ConfigError, match=r"mlops-platform:approval_dispatch_token: missing; .*--secret"):
        recorded_stack(str(path))


@pytest.mark.parametrize(
    ("repository", "valid"),
    [("my-org/mlops-platform", True), ("a/b.c_d", True), ("-a/b", False), ("a/..", False), ("a/b/c", False)],
)
def test_the_repository_rule(repository: str, valid: bool) -> None:
    assert (repository_problem(repository) is None) is valid


def test_args_refuse_an_invalid_event_type_and_no_rules() -> None:
    assert event_type_problem("model-approved") is None
    base = dict(
        repository="o/n",
        approval_rules={"f": ("rule", "arn")},
        token="t",
        connection_kms_key_arn="k",
        queue_kms_key_arn="k",
        account_id="111111111111",
        role_path="/p/",
        source_stack="dev",
        environment="dev",
        tags={},
    )
    with pytest.raises(ValueError, match=r"ApprovalDispatchArgs\.event_type"):
        ApprovalDispatchArgs(**{**base, "event_type": "bad type"})
    with pytest.raises(ValueError, match="approval_rules"):
        ApprovalDispatchArgs(**{**base, "approval_rules": {}})
