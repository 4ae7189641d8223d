"""Every refusal of an alert subscription's endpoint names the key and says what to do: the e-mail
form, the https:// URL form, and a chat webhook (a well-formed URL that never confirms), whose
advice read "use a https endpoint" where every other message of the file says "an https"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.observability import AlertSubscription


@pytest.mark.parametrize(
    ("protocol", "endpoint", "needs", "advice"),
    [
        ("email", "ops", "an email subscription needs an e-mail address", "(local-part@domain)"),
        ("https", "http://pager.example.com/sns", "needs an https:// URL", "must start with https://"),
        ("https", "https://pager.example.com/#x", "needs an https:// URL", "remove it"),
        (
            "https",
            "https://hooks.slack.com/services/T0/B0/X",
            "needs an endpoint that confirms SNS subscriptions",
            "subscribe the channel with AWS Chatbot to the stack's alert_topic_arn output, or use an https "
            "endpoint that confirms SNS subscriptions",
        ),
    ],
)
def test_each_refusal_names_the_endpoint_and_says_what_to_do(
    protocol: str, endpoint: str, needs: str, advice: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        AlertSubscription(protocol=protocol, endpoint=endpoint)
    (error,) = raised.value.errors()
    assert error["loc"] == ("endpoint",)
    assert needs in error["msg"]
    assert advice in error["msg"]
    assert "a https" not in error["msg"]
