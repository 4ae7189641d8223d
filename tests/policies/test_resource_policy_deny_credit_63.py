"""``resource-policy-not-public`` credits a Deny that restricts a public Allow to one fixed value.

AWS documents a private REST API's policy as an Allow to ``*`` for ``execute-api:Invoke`` plus a
Deny of the same action and resources when ``StringNotEquals aws:SourceVpce`` is not the endpoint.
The rule read each Allow alone and refused it. A Deny to everyone, covering every action and
resource of the Allow, whose only condition is a negated operator on fixed values of a network,
account or organization key now restricts the Allow to those values; a Deny that leaves a gap
(``NotPrincipal``, a narrower action or resource, ``...IfExists``, a second condition, a wildcard
or unknown value) does not, and a value not known at preview leaves the verdict undecided.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import findings

RULE = "resource-policy-not-public"
API = "aws:apigateway/restApiPolicy:RestApiPolicy"
VPCE = "vpce-1a2b3c4d5e6f7g8h9"

ALLOW: dict[str, Any] = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "execute-api:Invoke",
    "Resource": ["execute-api:/*"],
}
DENY: dict[str, Any] = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "execute-api:Invoke",
    "Resource": ["execute-api:/*"],
    "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}},
}


def _api(*statements: dict[str, Any], outputs: bool = False) -> tuple[list[str], int]:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return findings(RULE, API, {"restApiId": "a1b2c3", "policy": document}, outputs=outputs)


def _refused(result: tuple[list[str], int]) -> bool:
    """The Allow (Statement[0]) refused, nothing left undecided."""
    messages, undecided = result
    return undecided == 0 and any(m.startswith("policy Statement[0] allows Principal") for m in messages)


# --- credited ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_the_documented_private_api_policy_passes_before_and_after_create(outputs: bool) -> None:
    assert _api(ALLOW, DENY, outputs=outputs) == ([], 0)
    assert _api(DENY, ALLOW, outputs=outputs) == ([], 0)  # the order of statements does not matter
    assert _refused(_api(ALLOW, outputs=outputs))  # the Allow alone stays refused


@pytest.mark.parametrize(
    "deny",
    [
        pytest.param({"Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-0abc1234"}}}, id="source-vpc"),
        pytest.param(
            {"Condition": {"StringNotEquals": {"aws:sourcevpce": [VPCE, "vpce-2"]}}}, id="two-endpoints"
        ),
        pytest.param({"Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}}, id="org"),
        pytest.param(
            {"Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}, id="account"
        ),
        pytest.param({"Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, id="source-ip"),
        pytest.param(
            {"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}},
            id="principal-arn",
        ),
        pytest.param({"Action": "*"}, id="every-action"),
        pytest.param({"Action": "execute-api:*"}, id="every-api-action"),
        pytest.param({"Action": "EXECUTE-API:invoke"}, id="action-case"),
        pytest.param({"Resource": "*"}, id="every-resource"),
        pytest.param({"Resource": ["execute-api:/*", "arn:aws:execute-api:*:*:*"]}, id="more-resources"),
        pytest.param({"Principal": {"AWS": "*"}}, id="aws-star"),
    ],
)
def test_a_deny_covering_the_allow_outside_fixed_values_of_one_key_restricts_it(deny: dict[str, Any]) -> None:
    assert _api(ALLOW, {**DENY, **deny}) == ([], 0)


def test_a_narrower_allow_is_covered_by_a_wider_deny() -> None:
    allow = {**ALLOW, "Resource": ["execute-api:/prod/GET/*", "execute-api:/prod/POST/orders"]}
    assert _api(allow, DENY) == ([], 0)
    assert _api({**ALLOW, "Action": ["execute-api:Invoke"]}, {**DENY, "Action": "execute-api:*"}) == ([], 0)


def test_the_credit_holds_for_other_resource_policies() -> None:
    queue = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"},
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
            },
        ]
    }
    inputs = {"queueUrl": "https://sqs/q", "policy": json.dumps(queue)}
    assert findings(RULE, "aws:sqs/queuePolicy:QueuePolicy", inputs) == ([], 0)
    queue["Statement"][1]["Condition"] = {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123def4"}}
    inputs = {"queueUrl": "https://sqs/q", "policy": json.dumps(queue)}
    assert len(findings(RULE, "aws:sqs/queuePolicy:QueuePolicy", inputs)[0]) == 1


# --- not credited -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deny",
    [
        pytest.param({"Effect": "Allow"}, id="not-a-deny"),
        pytest.param({"Effect": "deny"}, id="effect-not-Deny"),
        pytest.param({"Principal": {"AWS": "111122223333"}}, id="one-account"),
        pytest.param({"Principal": {"Service": "*"}}, id="service-star"),
        pytest.param({"NotPrincipal": {"AWS": "111122223333"}}, id="not-principal"),
        pytest.param({"Action": "execute-api:ManageConnections"}, id="other-action"),
        pytest.param({"Action": " execute-api:Invoke"}, id="padded-action"),
        pytest.param({"NotAction": "execute-api:ManageConnections"}, id="not-action"),
        pytest.param({"Resource": ["execute-api:/prod/*"]}, id="narrower-resource"),
        pytest.param({"Resource": ["execute-api:/${aws:SourceVpce}/*"]}, id="variable-resource"),
        pytest.param({"NotResource": ["execute-api:/admin/*"]}, id="not-resource"),
        pytest.param({"Condition": {"StringNotEqualsIfExists": {"aws:SourceVpce": VPCE}}}, id="if-exists"),
        pytest.param(
            {"Condition": {"ForAnyValue:StringNotEquals": {"aws:SourceVpce": VPCE}}}, id="set-operator"
        ),
        pytest.param({"Condition": {"StringEquals": {"aws:SourceVpce": VPCE}}}, id="not-negated"),
        pytest.param({"Condition": {"StringNotLike": {"aws:SourceVpce": "vpce-*"}}}, id="wildcard-value"),
        pytest.param({"Condition": {"StringNotEquals": {"aws:SourceVpce": ""}}}, id="empty-value"),
        pytest.param(
            {"Condition": {"StringNotEquals": {"aws:SourceVpce": "${aws:SourceVpce}"}}}, id="variable-value"
        ),
        pytest.param({"Condition": {"StringNotEquals": {"aws:UserAgent": "curl"}}}, id="other-key"),
        pytest.param({"Condition": {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}, id="whole-space"),
        pytest.param(
            {
                "Condition": {
                    "StringNotEquals": {"aws:SourceVpce": VPCE},
                    "Bool": {"aws:SecureTransport": "false"},
                }
            },
            id="second-operator",
        ),
        pytest.param(
            {"Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE, "aws:SourceVpc": "vpc-0abc1234"}}},
            id="second-key",
        ),
        pytest.param({"Condition": {}}, id="no-condition-block"),
    ],
)
def test_a_deny_that_leaves_a_gap_does_not_restrict_the_allow(deny: dict[str, Any]) -> None:
    statement = {key: value for key, value in {**DENY, **deny}.items() if value is not None}
    if "NotPrincipal" in deny:
        statement.pop("Principal")
    if "NotAction" in deny:
        statement.pop("Action")
    if "NotResource" in deny:
        statement.pop("Resource")
    assert _refused(_api(ALLOW, statement))


def test_an_allow_reaching_past_the_deny_is_refused() -> None:
    assert _refused(_api({**ALLOW, "Action": "execute-api:*"}, DENY))
    assert _refused(_api({**ALLOW, "Resource": "*"}, DENY))
    assert _refused(
        _api({key: v for key, v in ALLOW.items() if key != "Action"} | {"NotAction": "x:Y"}, DENY)
    )
    # A NotAction Allow is restricted by a Deny of every action.
    not_action = {key: v for key, v in ALLOW.items() if key != "Action"} | {"NotAction": "x:Y"}
    assert _api(not_action, {**DENY, "Action": "*"}) == ([], 0)
    # {"AWS": "*"} stands for "*" only where the Allow's principal is an AWS one.
    assert _refused(_api({**ALLOW, "Principal": {"Service": "*"}}, {**DENY, "Principal": {"AWS": "*"}}))
    assert _api({**ALLOW, "Principal": {"Service": "*"}}, DENY) == ([], 0)


def test_a_deny_without_resource_covers_only_an_allow_without_one() -> None:
    bare_allow = {key: v for key, v in ALLOW.items() if key != "Resource"}
    bare_deny = {key: v for key, v in DENY.items() if key != "Resource"}
    assert _api(bare_allow, bare_deny) == ([], 0)
    assert _refused(_api(ALLOW, bare_deny))


# --- at preview -----------------------------------------------------------------------------------


def _native(*statements: dict[str, Any], outputs: bool = False) -> tuple[list[str], int]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return findings(RULE, "aws-native:apigateway:RestApi", {"policy": document}, outputs=outputs)


def test_an_endpoint_not_known_at_preview_is_undecided_then_read() -> None:
    pending = {**DENY, "Condition": {"StringNotEquals": {"aws:SourceVpce": UNKNOWN_STRING_VALUE}}}
    assert _native(ALLOW, pending) == ([], 1)
    assert _native(ALLOW, DENY, outputs=True) == ([], 0)
    # Unknown beside a value that does not pin: the Deny cannot restrict, the Allow is refused.
    mixed = {**DENY, "Condition": {"StringNotLike": {"aws:SourceVpce": [UNKNOWN_STRING_VALUE, "*"]}}}
    assert len(_native(ALLOW, mixed)[0]) == 1
    for part in ("Effect", "Principal", "Action", "Resource"):
        assert _native(ALLOW, {**DENY, part: UNKNOWN_STRING_VALUE}) == ([], 1), part
    # An unknown part of a Deny that cannot restrict anyway decides nothing.
    narrow_unknown = {**DENY, "Action": "execute-api:ManageConnections", "Resource": UNKNOWN_STRING_VALUE}
    found, undecided = _native(ALLOW, narrow_unknown)
    assert len(found) == 1 and undecided == 0


def test_an_unknown_in_the_allow_or_in_the_deny_condition_is_undecided_unless_the_deny_settles_it() -> None:
    # The Allow's own unknowns: a Deny that surely restricts it settles them.
    assert _native({**ALLOW, "Principal": UNKNOWN_STRING_VALUE}, DENY) == ([], 0)
    assert _native({**ALLOW, "Resource": UNKNOWN_STRING_VALUE}, DENY) == ([], 1)
    assert _native({**ALLOW, "Resource": UNKNOWN_STRING_VALUE}, {**DENY, "Resource": "*"}) == ([], 0)
    # An unknown endpoint beside a known one, or any unknown part of the Deny's shape, may restrict.
    assert _native({**ALLOW, "Resource": ["execute-api:/*", UNKNOWN_STRING_VALUE]}, DENY) == ([], 1)
    assert _native(ALLOW, {**DENY, "Resource": ["execute-api:/prod/*", UNKNOWN_STRING_VALUE]}) == ([], 1)
    pair = {**DENY, "Condition": {"StringNotEquals": {"aws:SourceVpce": [VPCE, UNKNOWN_STRING_VALUE]}}}
    assert _native(ALLOW, pair) == ([], 1)
    for shape in (
        {"Principal": {"AWS": UNKNOWN_STRING_VALUE}},
        {"Condition": UNKNOWN_STRING_VALUE},
        {"Condition": {"StringNotEquals": UNKNOWN_STRING_VALUE}},
    ):
        assert _native(ALLOW, {**DENY, **shape}) == ([], 1), shape


def test_a_deny_pattern_covers_only_what_it_surely_matches() -> None:
    # A pattern with no final wildcard is that one resource, not everything under it.
    assert _refused(
        _api({**ALLOW, "Resource": "execute-api:/prod/*"}, {**DENY, "Resource": "execute-api:/prod"})
    )
    # The same wildcards at the same places, then a final * taking the rest: covered.
    assert _api({**ALLOW, "Resource": "execute-api:/?/GET/*"}, {**DENY, "Resource": "execute-api:/?/*"}) == (
        [],
        0,
    )
    # The same policy variable in both reads the same request's value; one only in the Deny is text.
    same = "execute-api:/${aws:PrincipalAccount}/GET/x"
    assert _api({**ALLOW, "Resource": same}, {**DENY, "Resource": same}) == ([], 0)
    literal = {**ALLOW, "Resource": "execute-api:/111122223333/GET/x"}
    assert _refused(_api(literal, {**DENY, "Resource": "execute-api:/${aws:PrincipalAccount}/GET/x"}))
    # A Deny whose text stops inside the Allow's variable does not read what the variable holds.
    variable = {**ALLOW, "Resource": "execute-api:/${aws:PrincipalAccount}"}
    assert _refused(_api(variable, {**DENY, "Resource": "execute-api:/$*"}))
    assert _refused(
        _api(
            {**variable, "Resource": "execute-api:/${aws:PrincipalAccount}/*"},
            {**DENY, "Resource": "execute-api:/$*"},
        )
    )
    assert _api(
        {**variable, "Resource": "execute-api:/${aws:PrincipalAccount}/*"},
        {**DENY, "Resource": "execute-api:/*"},
    ) == ([], 0)
    right_after = {**DENY, "Resource": "execute-api:/${aws:PrincipalAccount}*"}
    assert _api({**variable, "Resource": "execute-api:/${aws:PrincipalAccount}/GET/*"}, right_after) == (
        [],
        0,
    )
    # Neither does an Allow entry that is not text (IAM refuses it).
    assert _refused(_api({**ALLOW, "Resource": ["execute-api:/*", 5]}, DENY))
    # An escaped * (${*}) at the end is the character itself, not the rest.
    assert _refused(
        _api({**ALLOW, "Resource": "execute-api:/${*}x*"}, {**DENY, "Resource": "execute-api:/${*}"})
    )


def test_a_deny_also_naming_what_it_leaves_out_is_no_credit() -> None:
    # IAM refuses a statement with both forms; the rule reads the excluding one as a gap.
    for excluded in ({"NotAction": "x:Y"}, {"NotResource": "execute-api:/x"}, {"NotPrincipal": {"AWS": "1"}}):
        assert _refused(_api(ALLOW, {**DENY, **excluded})), excluded
