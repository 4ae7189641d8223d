"""Policy-pack leftovers of session 61, closed in session 62 (each confirmed by a test failing first).

What AWS does (IAM User Guide, "IAM policy elements: Variables and tags" and "Condition operators":
``ArnEquals``/``ArnLike`` compare each of an ARN's six colon-delimited fields separately, a wildcard
never spanning fields; ``${*}``, ``${?}`` and ``${$}`` stand for the characters ``*``, ``?`` and
``$`` themselves; ``aws:userid`` is the caller's unique id: an IAM user's ``AIDA...``, a role
session's ``<role id>:<session name>`` and a federated user's ``<account>:<name>``, the session or
federated name being chosen by whoever asks STS for it), and how the pack now reads it:

1. ``ArnLike``/``ArnEquals`` in a key policy (``alarm-topic-key-usable``, ``_topic_keys._holds``)
   were matched on the whole ARN, a ``*`` spanning colons: a grant to CloudWatch conditioned on
   ``"aws:SourceArn": "arn:aws:cloudwatch:*:alarm:*"`` (the account field is ``alarm``, which no
   alarm's ARN has) passed, and KMS refused every notification. Matched field by field now (a
   pattern of fewer than six fields matches nothing); ``ArnNotLike`` is its negation.
2. ``${*}`` in an ARN's account field (``arn:aws:sns:*:${*}:*``) was read as a wildcard, so a
   condition that pins the caller to an account no ARN has (the literal ``*``) was refused as
   public. A refusal of a grant that grants nothing; AWS's reading now: the escapes are the
   characters themselves everywhere the pack reads wildcards (``_common.iam_wildcard``,
   ``has_wildcard``), never a wildcard.
3. ``${aws:userid}`` was counted as the holder's own identity, so an identity policy scoping
   ``"aws:ResourceTag/owner": "${aws:userid}"`` passed as attribute-based access control. Its part
   after ``:`` is chosen by whoever asks STS for the session (a role session's name, a federated
   user's name, whose id part is only the account: any IAM user of the account able to federate
   can take any name), so it does not pin the holder: it now pins nothing, as a request's value.
   Conservative: a scope on the holder's own name is ``${aws:username}`` or a principal tag.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import CALLER_PINS, findings, json_document, open_to_anyone
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack
from tests.policies.test_policy_leftovers import ACCOUNT, IDENTITY, SENSITIVE, UNSCOPED, _grant, _topic_key

ALARM_ARN = f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:churn-5xx"
"""The ``aws:SourceArn`` of the stack's alarm (``topic_key_stack``)."""


# --- 1. ArnLike, field by field ---------------------------------------------------------------------


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("operator", ["ArnLike", "ArnEquals"])
@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("arn:aws:cloudwatch:*:alarm:*", id="wildcard-region-spans-the-account"),
        pytest.param("arn:aws:*:alarm:churn-5xx", id="five-fields"),
        pytest.param(f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}*", id="account-wildcard-spans-the-resource"),
        pytest.param("arn:*:churn-5xx", id="three-fields"),
    ],
)
def test_an_arn_condition_no_alarm_arn_matches_field_by_field_lets_cloudwatch_nothing(
    outputs: bool, operator: str, pattern: str
) -> None:
    """Each pattern matches the alarm's ARN as one string (a ``*`` spanning colons) but not field
    by field, as AWS compares it: the grant does not apply, KMS refuses the notification."""
    specs = topic_key_stack(_grant(Condition={operator: {"aws:SourceArn": pattern}}))
    found, undecided = _topic_key(specs, outputs=outputs)
    assert undecided == []
    assert len(found) == 1 and "does not let cloudwatch.amazonaws.com use it" in found[0], found


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:*:{ACCOUNT}:alarm:*"}}, id="every-alarm"
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:eu-west-?:*:alarm:churn-*"}}, id="wildcards"
        ),
        pytest.param({"ArnEquals": {"aws:SourceArn": ALARM_ARN}}, id="equals"),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:*:*"}}, id="resource-wildcard-spans-its-colon"
        ),
        pytest.param(
            {"ArnNotLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:alarm:*"}}, id="not-like-a-five-field-arn"
        ),
    ],
)
def test_an_arn_condition_the_alarm_arn_matches_field_by_field_lets_cloudwatch_in(
    outputs: bool, condition: dict[str, Any]
) -> None:
    """The twins: patterns matching the alarm's ARN in every field (the resource field keeps its
    own colons: ``alarm:churn-5xx`` under ``*``), and ``ArnNotLike`` of one that matches no ARN."""
    assert _topic_key(topic_key_stack(_grant(Condition=condition)), outputs=outputs) == ([], [])


def test_a_deny_on_an_arn_pattern_no_arn_matches_leaves_the_grant() -> None:
    """A Deny of ``arn:aws:cloudwatch:*:alarm:*`` (account field ``alarm``) applies to no alarm, as
    AWS reads it; ``arn:aws:cloudwatch:*:*:alarm:*`` does."""
    deny = {
        "Sid": "NoAlarms",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:alarm:*"}},
    }
    assert _topic_key(topic_key_stack(CLOUDWATCH_KEY_GRANT, deny)) == ([], [])
    deny["Condition"] = {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:*"}}
    assert len(_topic_key(topic_key_stack(CLOUDWATCH_KEY_GRANT, deny))[0]) == 1


# --- 2. ${*} is the character * -----------------------------------------------------------------------


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${*}:*"}}, id="arn-account-is-a-star"),
        pytest.param({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${?}${*}:role/*"}}, id="principal-arn"),
        pytest.param({"StringLike": {"aws:SourceAccount": "${*}"}}, id="source-account-is-a-star"),
    ],
)
def test_an_escaped_star_pins_the_caller_to_no_account(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any]
) -> None:
    """``${*}`` is the character ``*``: an account field of it (or of ``${?}${*}``) matches no
    account's ARN, so the open principal is closed to everyone. It was read as a wildcard and
    refused as public."""
    for outputs in (False, True):
        assert findings(
            policy, resource_type, {prop: open_to_anyone(action, condition)}, outputs=outputs
        ) == ([], 0)


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${*}*:*"}}, id="escape-then-wildcard"),
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*${$}:*"}}, id="wildcard-then-escape"),
        pytest.param({"StringLike": {"aws:SourceAccount": "${*}?"}}, id="escape-then-one-character"),
    ],
)
def test_a_wildcard_beside_an_escape_is_still_a_wildcard(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any]
) -> None:
    """The twins: a real ``*`` or ``?`` next to an escape still matches accounts (``*${$}`` matches
    none, being a ``$`` at the end, but the pack does not count on what follows a wildcard)."""
    found, undecided = findings(policy, resource_type, {prop: open_to_anyone(action, condition)})
    assert undecided == 0
    assert len(found) == 1, found


def test_an_escaped_star_in_a_role_arn_is_no_wildcard() -> None:
    """``role/${*}`` is the role named ``*`` (none can be), not every role; ``role/*`` is."""
    for resource, expected in (
        ("arn:aws:iam::111122223333:role/${*}", 0),
        ("arn:aws:iam::111122223333:role/*", 1),
    ):
        document = json_document({"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource})
        found, undecided = findings("iam-pass-role-scoped", "aws:iam/policy:Policy", {"policy": document})
        assert (len(found), undecided) == (expected, 0), (resource, found)


# --- 3. ${aws:userid} is not the holder's own ---------------------------------------------------------


def _identity(condition: dict[str, Any]) -> str:
    return json_document({"Effect": "Allow", "Action": SENSITIVE, "Resource": "*", "Condition": condition})


@pytest.mark.parametrize(("resource_type", "prop"), IDENTITY)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"StringEquals": {"aws:ResourceTag/owner": "${aws:userid}"}}, id="tag"),
        pytest.param({"StringEquals": {"aws:ResourceTag/owner": "${ aws:UserId }"}}, id="spaced-case"),
        pytest.param({"StringEquals": {"aws:ResourceAccount": "${aws:userid}"}}, id="account"),
    ],
)
def test_a_resource_scoped_by_the_callers_unique_id_is_unscoped(
    resource_type: str, prop: str, outputs: bool, condition: dict[str, Any]
) -> None:
    """A role session's ``aws:userid`` ends in the session name its assumer chooses, a federated
    user's is ``<account>:<name>`` with the name chosen by whichever IAM user federates: the value a
    resource's tag is compared with is not the holder's own, so a write and a data read on every
    resource are unscoped."""
    found, undecided = findings(UNSCOPED, resource_type, {prop: _identity(condition)}, outputs=outputs)
    assert undecided == 0
    assert len(found) == 1 and "on every resource" in found[0], found


@pytest.mark.parametrize(("resource_type", "prop"), IDENTITY)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}, id="username"),
        pytest.param(
            {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, id="principal-tag"
        ),
    ],
)
def test_the_holders_name_and_tags_still_scope(
    resource_type: str, prop: str, condition: dict[str, Any]
) -> None:
    """The twins: the holder's user name and principal tags are its own, as before."""
    assert findings(UNSCOPED, resource_type, {prop: _identity(condition)}) == ([], 0)
