"""Cost guardrails: the stack's budget, cost anomaly monitor and cost-allocation tags, on the
recorded fixture stacks (which turn them on) and on variants of them."""

from __future__ import annotations

import json

import pytest

from components.observability.budget_spec import BudgetSpec, budget_name_problem, suggested_limit
from components.observability.cost_guardrails import CostGuardrailsArgs, _tag_names
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.graph_helpers import only, policy_of, statements
from tests.recorded import recorded_stack

BUDGET = "aws:budgets/budget:Budget"
MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"
TAG = "aws:costexplorer/costAllocationTag:CostAllocationTag"
TOPIC = "aws:sns/topic:Topic"
LIMITS = {"dev": "1000.00", "staging": "4000.00", "prod": "14000.00"}
ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}


def _alert_topic(graph: ResourceGraph):
    [topic] = [t for t in graph.of_type(TOPIC) if t.name == "alerts-topic"]
    return topic


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_budget_counts_the_stacks_own_tag_monthly_and_pages_the_alert_topic(
    stack: str, stack_graphs: dict[str, ResourceGraph]
) -> None:
    graph = stack_graphs[stack]
    budget = only(graph, BUDGET)
    inputs = budget.inputs
    assert inputs["name"] == f"{stack}-monthly"
    assert inputs["accountId"] == ACCOUNTS[stack]
    assert (inputs["budgetType"], inputs["timeUnit"]) == ("COST", "MONTHLY")
    assert (inputs["limitAmount"], inputs["limitUnit"]) == (LIMITS[stack], "USD")
    # Every resource of the stack carries stack=<name prefix>; the budget counts only those costs.
    assert inputs["costFilters"] == [{"name": "TagKeyValue", "values": [f"user:stack${stack}"]}]
    topic = _alert_topic(graph)
    notified = {
        (n["notificationType"], n["threshold"], n["comparisonOperator"], n["thresholdType"])
        for n in inputs["notifications"]
    }
    assert notified == {
        ("ACTUAL", 80.0, "GREATER_THAN", "PERCENTAGE"),
        ("ACTUAL", 100.0, "GREATER_THAN", "PERCENTAGE"),
        ("FORECASTED", 100.0, "GREATER_THAN", "PERCENTAGE"),
    }
    for notification in inputs["notifications"]:
        assert notification["subscriberSnsTopicArns"] == [topic.outputs["arn"]]
        assert "subscriberEmailAddresses" not in notification


def test_every_resource_is_tagged_with_its_stack(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["staging"]
    tagged = [r for r in graph.cloud_resources if isinstance(r.inputs.get("tags"), dict)]
    assert tagged and all(r.inputs["tags"].get("stack") == "staging" for r in tagged)


def test_the_anomaly_monitor_is_a_custom_monitor_of_the_stack_tag(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graph = stack_graphs["prod"]
    monitor = only(graph, MONITOR)
    # Not the account's one DIMENSIONAL/SERVICE monitor: every stack of an account has its own.
    assert monitor.inputs["monitorType"] == "CUSTOM"
    assert "monitorDimension" not in monitor.inputs
    assert json.loads(monitor.inputs["monitorSpecification"]) == {
        "Tags": {"Key": "stack", "Values": ["prod"], "MatchOptions": ["EQUALS"]}
    }
    assert monitor.inputs["name"] == "prod-cost-anomalies"


def test_the_anomaly_subscription_pages_the_topic_immediately_above_the_threshold(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graph = stack_graphs["prod"]
    subscription = only(graph, SUBSCRIPTION)
    inputs = subscription.inputs
    assert inputs["frequency"] == "IMMEDIATE"  # the only frequency SNS subscribers take
    assert inputs["monitorArnLists"] == [only(graph, MONITOR).outputs["arn"]]
    assert inputs["subscribers"] == [{"type": "SNS", "address": _alert_topic(graph).outputs["arn"]}]
    assert inputs["thresholdExpression"] == {
        "dimension": {
            "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            "matchOptions": ["GREATER_THAN_OR_EQUAL"],
            "values": ["50.00"],
        }
    }


def test_the_budget_waits_for_the_topic_policy_the_subscription_does_not(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    # Budgets checks its permission to publish when the budget is created; Cost Anomaly Detection
    # only when it publishes (a day later at the earliest).
    graph = stack_graphs["prod"]
    [policy] = [p for p in graph.of_type("aws:sns/topicPolicy:TopicPolicy") if p.name == "alerts-policy"]
    assert only(graph, BUDGET).explicit_dependencies == (policy.urn,)
    assert only(graph, SUBSCRIPTION).explicit_dependencies == ()


def test_the_stacks_tag_keys_are_activated_and_kept_on_destroy(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graph = stack_graphs["prod"]
    tags = graph.of_type(TAG)
    keys = {tag.inputs["tagKey"] for tag in tags}
    assert keys == {
        "owner",
        "cost-center",
        "project",
        "data-classification",
        "environment",
        "managed-by",
        "stack",
    }
    for tag in tags:
        assert tag.inputs["status"] == "Active"
        # Activation is account-wide: destroying one stack must not deactivate the others' tags.
        assert tag.retain_on_delete and not tag.protect


def test_the_alert_topic_lets_budgets_and_anomaly_detection_of_this_account_publish(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graph = stack_graphs["staging"]
    [policy] = [p for p in graph.of_type("aws:sns/topicPolicy:TopicPolicy") if p.name == "alerts-policy"]
    by_sid = {s["Sid"]: s for s in statements(policy_of(policy))}
    account = ACCOUNTS["staging"]
    budgets = by_sid["BudgetsOfThisAccountPublish"]
    assert budgets["Principal"] == {"Service": "budgets.amazonaws.com"}
    assert budgets["Action"] == "sns:Publish"
    assert budgets["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{account}:*"},
    }
    anomalies = by_sid["CostAnomalyDetectionOfThisAccountPublishes"]
    assert anomalies["Principal"] == {"Service": "costalerts.amazonaws.com"}
    assert anomalies["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}


def test_the_notifications_key_lets_budgets_and_anomaly_detection_use_it_for_this_account(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graph = stack_graphs["dev"]
    [key] = [k for k in graph.of_type("aws:kms/key:Key") if k.name == "kms-notifications-key"]
    by_service = {
        s["Principal"]["Service"]: s
        for s in statements(policy_of(key))
        if isinstance(s.get("Principal"), dict) and "Service" in s["Principal"]
    }
    account = ACCOUNTS["dev"]
    for service in ("budgets.amazonaws.com", "costalerts.amazonaws.com"):
        grant = by_service[service]
        assert sorted(grant["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
        assert grant["Condition"]["StringEquals"] == {"aws:SourceAccount": account}
        assert (
            grant["Condition"]["ArnLike"]["kms:EncryptionContext:aws:sns:topicArn"]
            == f"arn:aws:sns:eu-west-1:{account}:*"
        )
    assert by_service["budgets.amazonaws.com"]["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:budgets::{account}:*"
    )


def _variant(write_stack, base: str, budget: dict | None) -> ResourceGraph:
    def edit(platform: dict) -> None:
        if budget is None:
            platform.pop("budget", None)
        else:
            platform["budget"] = budget

    return recorded_stack(str(write_stack(base, edit)))


def test_without_a_limit_there_is_no_budget_but_the_monitor_runs_and_the_plan_warns(write_stack) -> None:
    graph = _variant(write_stack, "dev", {"enabled": True})
    assert graph.of_type(BUDGET) == []
    assert len(graph.of_type(MONITOR)) == len(graph.of_type(SUBSCRIPTION)) == 1
    assert graph.of_type(TAG) == []  # activation is off by default
    assert any("budget.monthly_limit_usd is not set" in warning for warning in graph.warnings)


def test_turned_off_nothing_is_created_and_no_service_is_granted(write_stack) -> None:
    graph = _variant(write_stack, "dev", None)
    for type_token in (BUDGET, MONITOR, SUBSCRIPTION, TAG):
        assert graph.of_type(type_token) == []
    [key] = [k for k in graph.of_type("aws:kms/key:Key") if k.name == "kms-notifications-key"]
    principals = json.dumps(policy_of(key))
    assert "budgets.amazonaws.com" not in principals and "costalerts.amazonaws.com" not in principals
    [policy] = [p for p in graph.of_type("aws:sns/topicPolicy:TopicPolicy") if p.name == "alerts-policy"]
    assert "budgets.amazonaws.com" not in policy.inputs["policy"]


def test_a_stack_that_neither_trains_nor_serves_gets_an_alert_topic_for_its_budget(write_stack) -> None:
    def edit(platform: dict) -> None:
        platform["training"] = {"enabled": False}
        platform["endpoints"] = []
        platform["budget"] = {"enabled": True, "monthly_limit_usd": 300}

    graph = recorded_stack(str(write_stack("dev", edit)))
    assert _alert_topic(graph)
    assert only(graph, BUDGET).inputs["limitAmount"] == "300.00"


# -- the stack file's budget section ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "key", "fragment"),
    [
        pytest.param({"monthly_limit_usd": 0}, "budget.monthly_limit_usd", "greater than 0", id="zero-limit"),
        pytest.param(
            {"monthly_limit_usd": 2e9}, "budget.monthly_limit_usd", "less than or equal", id="huge-limit"
        ),
        pytest.param(
            {"actual_thresholds_percent": [80, 80]}, "budget.actual_thresholds_percent", "once", id="twice"
        ),
        pytest.param(
            {"forecast_thresholds_percent": [0]},
            "budget.forecast_thresholds_percent",
            "above 0",
            id="zero-pct",
        ),
        pytest.param(
            {
                "actual_thresholds_percent": [10, 20, 30, 40, 50, 60],
                "forecast_thresholds_percent": [70, 80, 90, 100, 110],
            },
            "budget.forecast_thresholds_percent",
            "10 notifications per budget",
            id="eleven-notifications",
        ),
        pytest.param(
            {"anomaly_threshold_usd": -1},
            "budget.anomaly_threshold_usd",
            "greater than 0",
            id="negative-anomaly",
        ),
        pytest.param({"margin_percent": "20"}, "budget.margin_percent", "valid number", id="margin-as-text"),
        pytest.param({"limit": 10}, "budget.limit", "unknown key", id="unknown-key"),
    ],
)
def test_the_budget_section_is_validated_naming_file_and_key(write_stack, budget, key, fragment) -> None:
    path = write_stack("dev", lambda platform: platform.__setitem__("budget", {"enabled": True, **budget}))
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))
    lines = [line.strip() for line in str(raised.value).splitlines()[1:]]
    matching = [line for line in lines if line.startswith(f"{path}: {CONFIG_KEY}.{key}")]
    assert matching, str(raised.value)
    assert any(fragment in line for line in matching), matching


def test_ten_notifications_fit() -> None:
    spec = BudgetSpec(
        actual_thresholds_percent=[10.0, 20, 30, 40, 50], forecast_thresholds_percent=[60.0, 70, 80, 90, 100]
    )
    assert len(spec.actual_thresholds_percent) + len(spec.forecast_thresholds_percent) == 10


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("dev-monthly", False),
        ("a" * 100, False),
        ("a" * 101, True),
        ("a:b", True),
        ("a\\b", True),
        ("x/action/y", True),
    ],
)
def test_budget_names_follow_budgets_rules(name: str, refused: bool) -> None:
    assert (budget_name_problem(name) is not None) is refused


def test_the_args_refuse_what_aws_would() -> None:
    base = {
        "account_id": "111111111111",
        "name_prefix": "dev",
        "scope_tag": ("stack", "dev"),
        "topic_arn": "arn:aws:sns:eu-west-1:111111111111:alerts",
        "anomaly_threshold_usd": 50.0,
        "tags": {},
    }
    CostGuardrailsArgs(**base, monthly_limit_usd=100.0)
    with pytest.raises(ValueError, match="monthly_limit_usd"):
        CostGuardrailsArgs(**base, monthly_limit_usd=0.0)
    with pytest.raises(ValueError, match="at most 10 thresholds"):
        CostGuardrailsArgs(**base, actual_thresholds_percent=tuple(range(1, 12)))
    with pytest.raises(ValueError, match="name_prefix"):
        CostGuardrailsArgs(**{**base, "name_prefix": "a:b"})
    for threshold in (0.0, 2e9):  # every anomaly, however small, would page; none would ever
        with pytest.raises(
            ValueError, match=f"anomaly_threshold_usd: {threshold} is not above 0 and at most 1e"
        ):
            CostGuardrailsArgs(**{**base, "anomaly_threshold_usd": threshold})
    # The bounds themselves are thresholds Budgets takes.
    CostGuardrailsArgs(**base, monthly_limit_usd=100.0, actual_thresholds_percent=(0.01, 1000.0))
    assert BudgetSpec(actual_thresholds_percent=[1000.0]).actual_thresholds_percent == [1000.0]


def test_the_suggested_limit_is_the_maximum_plus_the_margin_in_whole_dollars() -> None:
    assert suggested_limit(1000.0, 20) == 1200.0
    assert suggested_limit(491.48, 20) == 590.0  # 589.776 rounded up
    assert suggested_limit(1000.1, 0) == 1001.0  # up, never down below the estimate's maximum
    assert suggested_limit(0.0, 20) == 1.0  # nothing priced: $1, not a $0 limit monthly_limit_usd refuses
    assert suggested_limit(0.5, 20) == 1.0


def test_tag_logical_names_are_stable_and_distinct() -> None:
    names = _tag_names("g", ["cost-center", "Cost Center", "owner"])
    assert names["owner"] == "g-tag-owner"
    assert len(set(names.values())) == 3
    assert (
        _tag_names("g", ["owner", "cost-center"])["owner"]
        == _tag_names("g", ["cost-center", "owner"])["owner"]
    )
