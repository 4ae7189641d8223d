"""``alarm-topic-key-usable``: a key it cannot settle leaves the verdict undecided only where it decides.

Since condition keys the request model does not settle (``aws:SecureTransport``...) read as
undecided, a statement on one is neither applied nor ignored. Where the rest of the key policy
decides alone the verdict must stay decided: no Allow for the service is a refusal whatever an
undecided Deny does, and a Deny that surely applies is one whatever an undecided Allow does.
"""

from __future__ import annotations

import pytest

from tests.policies.test_policy_leftovers_63_b import OUTPUTS, _deny, _grant_also, _judge, _refused


@OUTPUTS
def test_no_grant_is_refused_whatever_an_undecided_deny_does(outputs: bool) -> None:
    assert _refused(_judge([_deny("Bool", "aws:SecureTransport", "false")], outputs=outputs))
    assert _refused(_judge([_deny("StringNotEqualsIfExists", "aws:UserAgent", "x")], outputs=outputs))


@OUTPUTS
@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        pytest.param("StringNotEquals", "aws:SourceAccount", "999999999999", id="other-account"),
        pytest.param(
            "StringEquals", "aws:PrincipalServiceName", "cloudwatch.amazonaws.com", id="the-service"
        ),
        pytest.param("StringNotEquals", "aws:RequestedRegion", "us-east-1", id="other-region"),
    ],
)
def test_a_deny_that_surely_applies_refuses_an_undecided_grant(
    outputs: bool, operator: str, key: str, value: str
) -> None:
    grant = _grant_also("Bool", "aws:SecureTransport", "true")
    assert _refused(_judge([grant, _deny(operator, key, value)], outputs=outputs))
