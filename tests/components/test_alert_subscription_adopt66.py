"""An alert subscription's refusal says what is wrong with the endpoint the stack file gives: a chat
incoming webhook is an https:// URL that never confirms, not a URL of the wrong form (CHANGELOG's
upgrade note: subscribe the channel with AWS Chatbot instead)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.observability import AlertSubscription


@pytest.mark.parametrize(
    ("endpoint", "says", "not_said"),
    [
        pytest.param(
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "an https subscription needs an endpoint that confirms SNS subscriptions: "
            "'https://hooks.slack.com/services/T000/B000/XXXX' is a chat incoming webhook",
            "needs an https:// URL",
            id="a-chat-webhook-is-a-well-formed-url-that-never-confirms",
        ),
        pytest.param(
            "http://pager.example.com/sns",
            "an https subscription needs an https:// URL: 'http://pager.example.com/sns'",
            "chat incoming webhook",
            id="a-plain-http-url-is-the-wrong-form",
        ),
    ],
)
def test_the_refusal_names_what_the_endpoint_lacks(endpoint: str, says: str, not_said: str) -> None:
    with pytest.raises(ValidationError) as raised:
        AlertSubscription(protocol="https", endpoint=endpoint)
    assert says in str(raised.value)
    assert not_said not in str(raised.value)
