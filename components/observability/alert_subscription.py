"""Who the alert topic notifies, as a stack file declares it (no Pulumi: the stack file's
configuration model reads it before anything is planned)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, model_validator

from ..addresses import email_problem, https_url_problem
from ..limits import SPEC_CONFIG, fail_at

# Chat incoming webhooks (Slack, Microsoft Teams, Amazon Chime) cannot answer SNS's subscription
# confirmation, so SNS would never deliver to them: chat goes through AWS Chatbot instead.
CHAT_WEBHOOK_HOSTS = ("hooks.slack.com", "webhook.office.com", "hooks.chime.aws")


def chat_webhook_problem(url: str) -> str | None:
    """Why ``url``, a chat app's incoming webhook, cannot be an SNS https subscription, or None."""
    host = (urlsplit(url).hostname or "").lower()
    if any(host == known or host.endswith(f".{known}") for known in CHAT_WEBHOOK_HOSTS):
        return (
            f"'{url}' is a chat incoming webhook, which cannot confirm an SNS subscription (SNS never "
            "delivers to it): subscribe the channel with AWS Chatbot to the stack's alert_topic_arn "
            "output, or use an https endpoint that confirms SNS subscriptions (PagerDuty, Opsgenie, a relay)"
        )
    return None


class AlertSubscription(BaseModel):
    model_config = SPEC_CONFIG

    protocol: Literal["email", "https"] = Field(
        description="`email` (confirmed by the recipient) or `https` (an endpoint that confirms SNS "
        "subscriptions: a pager such as PagerDuty or Opsgenie, or a chat relay). Chat channels "
        "(Slack, Teams, Chime) subscribe through AWS Chatbot to the `alert_topic_arn` output instead: "
        "their incoming webhooks cannot confirm, and are refused."
    )
    endpoint: str = Field(description="E-mail address or https:// URL of a pager or chat relay.")

    @model_validator(mode="after")
    def _endpoint_matches_protocol(self) -> AlertSubscription:
        what = "an e-mail address"
        if self.protocol == "email":
            problem = email_problem(self.endpoint)
        elif problem := https_url_problem(self.endpoint):
            what = "an https:// URL"
        elif problem := chat_webhook_problem(self.endpoint):
            # An https:// URL, but one that never confirms: say that, not that the URL is wrong.
            what = "an endpoint that confirms SNS subscriptions"
        if problem:
            fail_at(
                "AlertSubscription",
                ("endpoint",),
                self.endpoint,
                f"an {self.protocol} subscription needs {what}: {problem}",
            )
        return self


def duplicate_subscription(subscriptions: Sequence[AlertSubscription]) -> int | None:
    """The index of the first subscription that repeats an earlier one's protocol and endpoint, or
    None. SNS subscribes an endpoint once per topic: a second entry would be the same subscription,
    and removing either would unsubscribe both."""
    seen: set[tuple[str, str]] = set()
    for index, subscription in enumerate(subscriptions):
        identity = (subscription.protocol, subscription.endpoint)
        if identity in seen:
            return index
        seen.add(identity)
    return None
