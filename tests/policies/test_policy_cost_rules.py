"""stack-cost-budget: a stack with AWS resources has a COST budget that pages an SNS topic.

Every case runs in both shapes the engine gives stack rules: inputs at preview, outputs after
``pulumi up`` (``engine_shapes.as_outputs``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy, load_pack_config
from tests.policies.conftest import assert_outcome, build
from tests.policies.engine_shapes import as_outputs

RULE = "stack-cost-budget"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"
BUCKET = {"type": "aws:s3/bucket:Bucket", "name": "data", "inputs": {"bucket": "data"}}


def notification(kind: str = "ACTUAL", **changes: Any) -> dict[str, Any]:
    return {
        "notificationType": kind,
        "comparisonOperator": "GREATER_THAN",
        "threshold": 100.0,
        "thresholdType": "PERCENTAGE",
        "subscriberSnsTopicArns": [TOPIC_ARN],
        **changes,
    }


def budget(**changes: Any) -> dict[str, Any]:
    inputs = {
        "name": "dev-monthly",
        "accountId": "111122223333",
        "budgetType": "COST",
        "timeUnit": "MONTHLY",
        "limitAmount": "1000.00",
        "limitUnit": "USD",
        "costFilters": [{"name": "TagKeyValue", "values": ["user:stack$dev"]}],
        "notifications": [notification(), notification("FORECASTED")],
    }
    inputs.update(changes)
    return {"type": "aws:budgets/budget:Budget", "name": "budget", "inputs": inputs}


def native_budget(subscription_type: str = "SNS", budget_type: str = "COST") -> dict[str, Any]:
    return {
        "type": "aws-native:budgets:Budget",
        "name": "native-budget",
        "inputs": {
            "budget": {
                "budgetType": budget_type,
                "timeUnit": "MONTHLY",
                "budgetLimit": {"amount": 1000, "unit": "USD"},
            },
            "notificationsWithSubscribers": [
                {
                    "notification": {
                        "notificationType": "FORECASTED",
                        "comparisonOperator": "GREATER_THAN",
                        "threshold": 100,
                    },
                    "subscribers": [{"subscriptionType": subscription_type, "address": TOPIC_ARN}],
                }
            ],
        },
    }


STACK_CASES = [
    pytest.param(RULE, [BUCKET, budget()], None, id="budget-paging-a-topic-pass"),
    pytest.param(RULE, [], None, id="empty-stack-needs-no-budget-pass"),
    pytest.param(
        RULE,
        [{"type": "pulumi:providers:aws", "name": "aws", "inputs": {"region": "eu-west-1"}}],
        None,
        id="a-provider-is-no-resource-pass",
    ),
    pytest.param(RULE, [BUCKET], "no cost budget", id="resources-without-a-budget-fail"),
    pytest.param(RULE, [BUCKET, budget(budgetType="USAGE")], "budgetType is 'USAGE'", id="usage-budget-fail"),
    pytest.param(
        RULE,
        [BUCKET, budget(notifications=[])],
        "no notification on ACTUAL or FORECASTED spend goes to an SNS topic",
        id="no-notifications-fail",
    ),
    pytest.param(
        RULE,
        [
            BUCKET,
            budget(
                notifications=[
                    notification(subscriberSnsTopicArns=[], subscriberEmailAddresses=["ops@example.com"])
                ]
            ),
        ],
        "goes to an SNS topic",
        id="email-only-budget-fail",
    ),
    pytest.param(RULE, [BUCKET, native_budget()], None, id="native-budget-paging-a-topic-pass"),
    pytest.param(
        RULE,
        [BUCKET, native_budget(subscription_type="EMAIL")],
        "goes to an SNS topic",
        id="native-email-fail",
    ),
    pytest.param(
        RULE, [BUCKET, native_budget(budget_type="USAGE")], "budgetType is 'USAGE'", id="native-usage-fail"
    ),
]


@pytest.mark.parametrize("shape", ["inputs", "outputs"])
@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_cost_budget_in_both_engine_shapes(policy_name, specs, fragment, shape) -> None:
    records = build(specs)
    report = evaluate_report(
        records if shape == "inputs" else as_outputs(records), None, [get_policy(policy_name)]
    )
    assert_outcome(report.violations, policy_name, fragment)
    assert report.undecided == []


def test_a_topic_unknown_at_preview_still_counts_as_a_topic() -> None:
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    specs = [BUCKET, budget(notifications=[notification(subscriberSnsTopicArns=[UNKNOWN_STRING_VALUE])])]
    report = evaluate_report(build(specs), None, [get_policy(RULE)])
    assert report.violations == [] and report.undecided == []


@pytest.mark.parametrize(
    ("environment", "level"), [("dev", "advisory"), ("staging", "mandatory"), ("prod", "mandatory")]
)
def test_the_rule_is_mandatory_outside_dev(environment: str, level: str) -> None:
    report = evaluate_report(build([BUCKET]), load_pack_config(environment), [get_policy(RULE)])
    assert [v.enforcement_level for v in report.violations] == [level]
