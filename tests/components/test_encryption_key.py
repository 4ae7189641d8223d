"""KMS keys: rotation on, administered by the account, used only by the platform's roles."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from planner.recorder import ResourceGraph
from tests.graph_helpers import as_list, policy_of, statements

KEY = "aws:kms/key:Key"


def test_every_key_rotates_and_is_symmetric(stack_graph: ResourceGraph) -> None:
    keys = stack_graph.of_type(KEY)
    assert {key.name for key in keys} == {
        "kms-data-key",
        "kms-logs-key",
        "kms-notifications-key",
        "kms-deliveries-key",
        "audit-key-key",
    }
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
                        "kms:ViaService": [
                            f"sagemaker.{region}.amazonaws.com",
                            f"s3.{region}.amazonaws.com",
                            # ECR encrypts the Evidently image where a family has `evidently`.
                            *(
                                [f"ecr.{region}.amazonaws.com"]
                                if stack_graph.of_type("aws:ecr/repository:Repository")
                                else []
                            ),
                        ],
                    }
                }
            }
            if key.name == "kms-data-key"
            else {
                # EventBridge keeps a connection's credentials in a Secrets Manager secret it owns.
                "EventBridgeConnectionSecretsOfThisAccount": {
                    "StringEquals": {
                        "kms:CallerAccount": account,
                        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
                    },
                    "StringLike": {
                        "kms:EncryptionContext:SecretARN": (
                            f"arn:aws:secretsmanager:{region}:{account}:secret:events!connection/*"
                        )
                    },
                }
            }
            if key.name == "kms-deliveries-key"
            else {
                # Auditors read the trail's log and digest files, and nothing else the key encrypts.
                "AccountPrincipalsDecryptTrailLogs": {
                    "StringEquals": {"kms:CallerAccount": account},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"
                    },
                }
            }
            if key.name == "audit-key-key"
            else {}
        )
        assert users == expected_via
        [admin] = [s for s in statements(document) if s["Sid"] == "AccountAdministersKey"]
        assert admin["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:*"} & set(admin["Action"]), (
            "administering is not using"
        )


def test_account_principals_grant_a_key_only_to_aws_services(stack_graph: ResourceGraph) -> None:
    """A grant hands the key on: a platform role may create one only for an AWS resource (a
    service that uses the key for it), and any other principal of the account only through one of
    the platform's services, never to a principal of its choosing."""
    for key in stack_graph.of_type(KEY):
        account = key.outputs["arn"].split(":")[4]
        granting = [
            s
            for s in statements(policy_of(key))
            if any(fnmatchcase("kms:creategrant", a.lower()) for a in as_list(s["Action"]))
            and "AWS" in s["Principal"]
        ]
        assert granting, key.name
        for statement in granting:
            condition = statement["Condition"]
            through_a_service = (
                condition.get("StringEquals", {}).get("kms:CallerAccount") == account
                and "kms:ViaService" in condition["StringEquals"]
            )
            assert (
                condition.get("Bool", {}).get("kms:GrantIsForAWSResource") == "true" or through_a_service
            ), (key.name, statement["Sid"])


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


def _service_grants(key) -> dict[str, dict]:
    return {s["Sid"]: s for s in statements(policy_of(key)) if "Service" in s["Principal"]}


def test_notifications_key_lets_eventbridge_and_cloudwatch_deliver_to_this_accounts_topics_and_queues(
    stack_graph,
) -> None:
    key = stack_graph.named("kms-notifications-key")
    region, account = key.outputs["arn"].split(":")[3:5]
    grants = _service_grants(key)
    assert {sid: s["Principal"]["Service"] for sid, s in grants.items()} == {
        "EventsDeliversToEncryptedTopics": "events.amazonaws.com",
        "EventsDeliversToEncryptedQueues": "events.amazonaws.com",
        "CloudwatchPublishesToEncryptedTopics": "cloudwatch.amazonaws.com",
        # The fixtures' budget and cost anomaly monitor page the alert topic (test_cost_guardrails).
        "BudgetsPublishToEncryptedTopics": "budgets.amazonaws.com",
        "CostAnomalyDetectionPublishesToEncryptedTopics": "costalerts.amazonaws.com",
    }
    for grant in grants.values():
        assert grant["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # EventBridge delivery carries no aws:SourceAccount/aws:SourceArn (AWS documents both as
    # unsupported there): the encryption context SNS and SQS set is what scopes it.
    assert grants["EventsDeliversToEncryptedTopics"]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{region}:{account}:*"}
    }
    assert grants["EventsDeliversToEncryptedQueues"]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:{region}:{account}:*"}
    }
    assert grants["CloudwatchPublishesToEncryptedTopics"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {
            "aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:*",
            "kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{region}:{account}:*",
        },
    }


def _scoping_values(statement: dict) -> dict[str, list[str]]:
    """The confused-deputy keys of a statement's condition and their values."""
    scoping = {
        (operator, key): as_list(value)
        for operator, values in statement.get("Condition", {}).items()
        for key, value in values.items()
        if key in ("aws:SourceAccount", "aws:SourceArn") or key.startswith("kms:EncryptionContext:")
    }
    # Only a positive operator pins the caller (a negated one admits the others, IfExists a request
    # without the key).
    pinning = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")
    assert {operator for operator, _ in scoping} <= set(pinning), statement
    return {key: values for (_, key), values in scoping.items()}


def test_every_service_principal_acts_only_for_this_accounts_resources(
    stack_graph: ResourceGraph, all_monitors_graph: ResourceGraph
) -> None:
    """Every Allow to a service principal, in every key the platform records, carries a condition
    that names this account (source account, a source ARN or an encryption-context ARN in it)."""
    checked = 0
    for graph in (stack_graph, all_monitors_graph):
        for key in graph.of_type(KEY):
            region, account = key.outputs["arn"].split(":")[3:5]
            for statement in statements(policy_of(key)):
                if "Service" not in statement["Principal"] or statement["Effect"] != "Allow":
                    continue
                scoping = _scoping_values(statement)
                assert scoping, f"{key.name}: {statement['Sid']} has no confused-deputy condition"
                for name, values in scoping.items():
                    for value in values:
                        # AWS Budgets is global: its ARNs name no region. A multi-region trail
                        # encrypts every region's log files: its context may name any region.
                        in_account = value == account or value.split(":")[3:5] in (
                            [region, account],
                            ["", account],
                            ["*", account],
                        )
                        assert in_account, f"{key.name}: {statement['Sid']}: {name} = {value}"
                checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({}, id="none"),
        pytest.param({"Bool": {"aws:SecureTransport": "true"}}, id="not-account-scoped"),
        # Present, yet scoping nothing: a negated operator admits every other account, IfExists a
        # request without the key, and a lone wildcard any value.
        pytest.param({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, id="negated"),
        pytest.param({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}, id="if-exists"),
        pytest.param({"ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": "*"}}, id="wildcard-context"),
        pytest.param(
            {"StringLike": {"aws:SourceAccount": ["111122223333", "*"]}}, id="wildcard-among-values"
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:*:alarm:*"}}, id="any-account-arn"
        ),
    ],
)
def test_a_service_grant_without_a_confused_deputy_condition_is_rejected(condition) -> None:
    from components.foundation.encryption_key import ServiceKeyGrant

    with pytest.raises(ValueError, match="must scope the grant to this account"):
        ServiceKeyGrant(sid="S", service="sns.amazonaws.com", actions=["kms:Decrypt"], condition=condition)


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"StringEquals": {"aws:SourceAccount": "111122223333"}}, id="source-account"),
        pytest.param(
            {"ArnLike": {"kms:EncryptionContext:aws:sqs:arn": "arn:aws:sqs:eu-west-1:111122223333:*"}},
            id="context-arn-in-the-account",
        ),
        pytest.param(
            {
                "StringEquals": {"aws:SourceAccount": "111122223333"},
                "Bool": {"aws:SecureTransport": "true"},
            },
            id="with-an-unrelated-condition",
        ),
    ],
)
def test_a_service_grant_pinned_to_an_account_is_accepted(condition) -> None:
    from components.foundation.encryption_key import ServiceKeyGrant

    ServiceKeyGrant(sid="S", service="sns.amazonaws.com", actions=["kms:Decrypt"], condition=condition)


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
        purpose = key.name.removeprefix("kms-").removesuffix("-key").removesuffix("-key")
        assert alias.inputs["name"] == f"alias/mlops-platform-{stack_graph.environment}-{purpose}"
