"""The policy pack's speed change (a845cef) read again: what its caches and its early return must
not change.

Review (2026-12-06, review-perf-plan): no product bug found. The ``lru_cache`` functions
(``_every_action_text``, ``_broad_text``, ``_account_wide_kinds``) are asked only of ``str``
values (the proxy hands no ``str`` subclass) and read nothing but the text and module constants;
``alarm-topic-key-usable``'s two ``functools.cache`` are made inside each evaluation, keyed by the
resource object and closing over that evaluation's ``StackIndex``; ``_keys_of``/``_key_document``
read only the topic or key and the stack, and raise nothing a cache could swallow; the early
return in ``_topic_keys._applies`` answers False where ``all3`` answered False (the skipped
conjuncts have no side effect and only an ``Unknown`` they return could have mattered, which a
False conjunct outweighs). The whole pack (every rule mandatory) on the recorded dev, staging and prod
stacks, twice each in one process, reports the same violations and undecided notes with these
files as before a845cef (the two caches unwrapped) and after. What each test holds, and the change that breaks it:

- two evaluations in one process of stacks with the same names and URNs but different key
  policies each get their own verdict (a topic or key cache kept across evaluations, keyed by URN
  or name, fails it);
- two topics of one stack with different keys, their alarms interleaved, each alarm judged by its
  own topic's key (a cache keyed by something the topics share, or a single slot, fails it);
- a key policy statement of another principal whose ``Resource`` or ``Condition`` is not known yet
  leaves the verdict decided, and an unknown principal is still undecided unless another conjunct
  is False (the early return taken on an ``Unknown`` principal, or dropped with ``names`` left out
  of ``all3``, fails it);
- the account-wide kinds a ``Resource`` names (cached by the text) are reported only for a
  statement whose own actions escalate, the same resource in another statement not, and a padded
  entry is judged trimmed, the message naming it as written; both escalation checks read the one
  list of narrow resources (a statement naming a role wildcard and a user by policy variable gets
  both findings), and a second evaluation in the process gives the same findings.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules import _topic_keys as keys
from policies.rules._iam_documents import Unknown
from tests.policies.conftest import build
from tests.policies.one_resource import findings
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, KEY_ADMIN, topic_key_stack

TOPIC_KEY = "alarm-topic-key-usable"
ESCALATION = "iam-no-privilege-escalation"


def _judge(specs: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    report = evaluate_report(build(specs), None, [get_policy(TOPIC_KEY)])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


def _with_second_alarm(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    alarm = next(spec for spec in specs if spec["name"] == "errors")
    twin = copy.deepcopy(alarm)
    twin["name"] = "latency"
    twin["inputs"]["name"] = "churn-latency"
    return [*specs, twin]


def test_two_evaluations_of_stacks_alike_but_their_key_policy_each_get_their_own_verdict() -> None:
    granted = _with_second_alarm(topic_key_stack(CLOUDWATCH_KEY_GRANT))
    refused = _with_second_alarm(topic_key_stack())
    assert _judge(granted) == ([], [])
    found, undecided = _judge(refused)
    assert undecided == [] and len(found) == 2, found  # each alarm of the topic, from one key read
    assert all("cloudwatch.amazonaws.com" in message for message in found)
    assert {message.split("'")[1] for message in found} == {"errors", "latency"}, found
    assert _judge(granted) == ([], [])  # and back: nothing of the refused stack's answer is kept


def _two_topics() -> list[dict[str, Any]]:
    """``alerts`` encrypted with a key that lets CloudWatch in, ``quiet`` with one that does not, and
    alarms notifying them in turn."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    alarm = next(spec for spec in specs if spec["name"] == "errors")
    other_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/99999999-1111-2222-3333-444455556666"
    specs += [
        {
            "type": "aws:kms/key:Key",
            "name": "quiet-key",
            "inputs": {
                "description": "quiet",
                "policy": json.dumps({"Version": "2012-10-17", "Statement": [KEY_ADMIN]}),
            },
        },
        {
            "type": "aws:sns/topic:Topic",
            "name": "quiet",
            "deps": {"kmsMasterKeyId": ["quiet-key"]},
            "inputs": {"name": "quiet", "kmsMasterKeyId": other_key_arn},
        },
    ]
    for index, topic in enumerate(["quiet", "alerts", "quiet", "alerts"]):
        twin = copy.deepcopy(alarm)
        twin["name"] = f"a{index}-{topic}"
        twin["inputs"]["name"] = twin["name"]
        twin["deps"] = {"alarmActions": [topic]}
        twin["inputs"]["alarmActions"] = [f"arn:aws:sns:eu-west-1:111122223333:{topic}"]
        specs.append(twin)
    return specs


def test_alarms_of_two_topics_with_different_keys_are_each_judged_by_their_topics_key() -> None:
    found, undecided = _judge(_two_topics())
    assert undecided == []
    assert sorted(message.split("'")[1] for message in found) == ["a0-quiet", "a2-quiet"], found
    assert all("'quiet'" in message for message in found), found


# --- the early return in _topic_keys._applies: Tri verdicts ------------------------------------

TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b6e4c1a-1111-2222-3333-444455556666"
CALL = keys.request(
    "cloudwatch.amazonaws.com", TOPIC, "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:churn-5xx"
)
LATER = keys.unknown("a value known after create")


def _lets(*statements: dict[str, Any]) -> Any:
    return keys.key_lets({"Version": "2012-10-17", "Statement": list(statements)}, CALL, KEY)


def _other_principal(**unknown: Any) -> dict[str, Any]:
    return {**KEY_ADMIN, **unknown}


@pytest.mark.parametrize("effect", ["Allow", "Deny"])
@pytest.mark.parametrize("unknown_part", ["Resource", "Condition", "Action"])
def test_another_principals_statement_with_unknown_parts_leaves_the_verdict_decided(
    effect: str, unknown_part: str
) -> None:
    other = _other_principal(Effect=effect, **{unknown_part: LATER})
    assert _lets(other, CLOUDWATCH_KEY_GRANT) is True
    assert _lets(other) is False  # and without the grant, refused: not undecided


def test_an_unknown_principal_is_undecided_unless_another_part_is_false() -> None:
    unknown_principal = {**CLOUDWATCH_KEY_GRANT, "Principal": LATER}
    assert isinstance(_lets(unknown_principal), Unknown)
    assert _lets({**unknown_principal, "Action": "kms:Encrypt"}) is False  # not the actions SNS asks for
    assert _lets({**unknown_principal, "Resource": "arn:aws:kms:eu-west-1:111122223333:key/other"}) is False
    assert (
        _lets(CLOUDWATCH_KEY_GRANT, {**unknown_principal, "Effect": "Deny", "Action": "kms:Encrypt"}) is True
    )


def test_a_not_principal_excluding_the_service_is_not_its_grant_whatever_else_is_unknown() -> None:
    excluding = {
        **CLOUDWATCH_KEY_GRANT,
        "NotPrincipal": {"Service": "cloudwatch.amazonaws.com"},
        "Condition": LATER,
    }
    del excluding["Principal"]
    assert _lets(excluding) is False
    assert _lets({**excluding, "NotPrincipal": {"Service": "events.amazonaws.com"}}) is not False


# --- iam-no-privilege-escalation: the account-wide kinds cached by the text --------------------

ROLES = "arn:aws:iam::123456789012:role/*"
OWN_USER = "arn:aws:iam::123456789012:user/${aws:username}"


def _escalations(*statements: dict[str, Any]) -> list[str]:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    found, undecided = findings(ESCALATION, "aws:iam/policy:Policy", {"policy": document})
    assert undecided == 0
    return found


def test_an_account_wide_resource_is_reported_only_where_its_statement_escalates() -> None:
    statements = (
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ROLES},
        {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": [f" {ROLES} "]},
        {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": ROLES},
    )
    for _ in range(2):  # a second evaluation in the process: the same answer
        found = _escalations(*statements)
        assert len(found) == 1, found
        assert found[0].startswith(
            f"policy Statement[1] allows iam:AttachRolePolicy on ' {ROLES} ', every role"
        )


def test_both_escalation_checks_read_a_statements_narrow_resources() -> None:
    found = _escalations(
        {
            "Effect": "Allow",
            "Action": ["iam:AttachRolePolicy", "iam:AttachUserPolicy"],
            "Resource": [OWN_USER, ROLES],
        }
    )
    assert len(found) == 2, found
    assert "iam:AttachRolePolicy on 'arn:aws:iam::123456789012:role/*', every role" in found[0] + found[1]
    assert "iam:AttachUserPolicy on 'arn:aws:iam::123456789012:user/${aws:username}'" in found[0] + found[1]
    # Reaching every resource, the statement is judged whole and neither check names a resource.
    whole = _escalations(
        {"Effect": "Allow", "Action": ["iam:AttachRolePolicy"], "Resource": [ROLES, OWN_USER, "*"]}
    )
    assert len(whole) == 1 and "on Resource '*'" in whole[0], whole
