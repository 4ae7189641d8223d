"""AlertTopic: the KMS-encrypted SNS topic alarms page through, with its subscriptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.sns as sns

from ..limits import account_id_problem, satisfies, tags_problem
from ..naming import child_name
from ..policy_documents import deny_insecure_transport, document, render
from .alert_subscription import AlertSubscription, duplicate_subscription


@dataclass(frozen=True)
class AlertTopicArgs:
    account_id: str
    """The 12-digit account whose CloudWatch alarms and EventBridge rules may publish to the topic
    (``aws:SourceAccount``)."""
    kms_key_arn: pulumi.Input[str]
    """Key whose policy lets CloudWatch and EventBridge publish (the platform's notifications key;
    an ``EncryptionKey`` with ``service_grants=[cloudwatch_alarms_grant(...), *eventbridge_grants(...)]``):
    without them KMS refuses every alarm's notification, and nobody is paged."""
    subscriptions: Sequence[AlertSubscription]
    """Who is notified: e-mail addresses (each confirms its subscription) or https endpoints."""
    tags: Mapping[str, str]
    """Tags on the topic."""
    cost_alerts: bool = False
    """Whether AWS Budgets and Cost Anomaly Detection of this account may publish too (the stack's
    cost guardrails page here); their use of the key is the key policy's (``budgets_key_grant``,
    ``cost_anomaly_key_grant``)."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "tags", tags_problem)
        index = duplicate_subscription(self.subscriptions)
        if index is not None:
            raise ValueError(
                f"AlertTopicArgs.subscriptions[{index}].endpoint: '{self.subscriptions[index].endpoint}' "
                "subscribed twice (SNS subscribes an endpoint once per topic, and removing either entry "
                "would unsubscribe both); remove one"
            )


def _cost_alert_statements(topic_arn: pulumi.Input[str], account_id: str) -> list[dict]:
    """AWS Budgets (the conditions AWS documents for budget notifications: this account, and one of
    its budgets as the source) and Cost Anomaly Detection (this account) publish to the topic."""
    return [
        {
            "Sid": "BudgetsOfThisAccountPublish",
            "Effect": "Allow",
            "Principal": {"Service": "budgets.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{account_id}:*"},
            },
        },
        {
            "Sid": "CostAnomalyDetectionOfThisAccountPublishes",
            "Effect": "Allow",
            "Principal": {"Service": "costalerts.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
    ]


class AlertTopic(pulumi.ComponentResource):
    """An SNS topic for CloudWatch alarm and OK notifications and EventBridge failure events of
    this account.

    Security posture: KMS-encrypted, TLS-only, and only CloudWatch alarms and EventBridge rules of
    this account (and, with ``cost_alerts``, its AWS Budgets and Cost Anomaly Detection) may publish.
    """

    topic_arn: pulumi.Output[str]
    """ARN of the topic: the alarm and OK action of every platform alarm."""
    topic_policy: sns.TopicPolicy
    """Who may publish: what a publisher that checks its permission when it is created (an AWS
    Budget's notifications) waits for."""

    def __init__(self, name: str, args: AlertTopicArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:observability:AlertTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic = sns.Topic(
            child_name(f"{name}-topic", "aws:sns/topic:Topic"),
            display_name="MLOps platform alerts",
            kms_master_key_id=args.kms_key_arn,
            tags=dict(args.tags),
            opts=child,
        )
        self.topic_policy = sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=render(
                document(
                    {
                        "Sid": "CloudWatchAlarmsOfThisAccountPublish",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
                    },
                    {
                        # The failure rules (FailureAlerts) page through the topic.
                        "Sid": "EventBridgeRulesOfThisAccountPublish",
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
                    },
                    *(_cost_alert_statements(topic.arn, args.account_id) if args.cost_alerts else ()),
                    deny_insecure_transport("sns:Publish", topic.arn),
                )
            ),
            opts=child,
        )
        for index, subscription in enumerate(args.subscriptions):
            sns.TopicSubscription(
                f"{name}-{subscription.protocol}-{index}",
                topic=topic.arn,
                protocol=subscription.protocol,
                # An https endpoint carries the pager's integration key (PagerDuty's
                # /integration/<key>/enqueue, Opsgenie's ?apiKey=): a secret in the state and in
                # every preview, however the stack file holds it. An e-mail address is not.
                endpoint=pulumi.Output.secret(subscription.endpoint)
                if subscription.protocol == "https"
                else subscription.endpoint,
                opts=child,
            )
        self.topic_arn = topic.arn
        self.register_outputs({"topic_arn": self.topic_arn})
