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
4. ``alarm-topic-key-usable`` passed, without a word, an alarm action or EventBridge target naming an
   SNS topic outside the stack (a central pager: its encryption and key are not in the stack) and
   every EventBridge Scheduler schedule and pipe (they publish as their execution role, whose IAM
   policies the rule does not read). Both are undecided now (``Undeterminable``: after create too,
   the note saying what to check), as a topic's key outside the stack already was; an unencrypted
   topic, AWS's ``alias/aws/sns`` and targets that are no SNS topic are decided as before, and the
   shipped stacks' plans keep 0 undecided checks (their alarms name their own auto-named topic in
   several action lists: the twin below).

Mutations run over the changes (one at a time, this file's tests and the rules' CASES):

=============================== ========= ======== ========== ========== ==========
module (policies/rules/)        mutations survived caught now equivalent left alone
=============================== ========= ======== ========== ========== ==========
observability.py                6         4        4          0          0
_common.py                      3         1        1          0          0
_topic_keys.py                  2         1        1          0          0
_iam_documents.py               2         0        0          0          0
_bucket_policy.py               2         0        0          0          0
iam.py                          2         1        1          0          0
=============================== ========= ======== ========== ========== ==========

Caught now: a linked topic's unknown ARN hiding a pager (schedules, alarms), AWS's key for a role,
aws-native rules' outside topics, ``${$}``/``${*}`` as characters in ``iam_wildcard`` (an alarm
named ``pay$alerts``), a topic ARN of fewer fields (``zip(strict=True)`` would raise), an account
``${*}`` beside a plain role name.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import CALLER_PINS, findings, json_document, open_to_anyone
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack
from tests.policies.test_policy_leftovers import (
    ACCOUNT,
    IDENTITY,
    SENSITIVE,
    TOPIC_KEY,
    UNSCOPED,
    _grant,
    _topic_key,
)

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


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_an_escaped_star_in_an_arn_condition_is_the_character(outputs: bool) -> None:
    """``alarm:${*}`` is the alarm named ``*`` (none can be): the grant does not apply to
    ``churn-5xx``; ``alarm:*`` does."""
    for name, refused in (("${*}", True), ("*", False), ("churn-${?}xx", True)):
        condition = {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:*:*:alarm:{name}"}}
        found, undecided = _topic_key(topic_key_stack(_grant(Condition=condition)), outputs=outputs)
        assert (len(found), undecided) == (int(refused), []), (name, found, undecided)


def test_an_escaped_dollar_matches_the_character_in_an_alarms_name() -> None:
    """``${$}`` is ``$``: a grant on ``alarm:pay${$}alerts`` lets the alarm named ``pay$alerts``
    in (CloudWatch alarm names may hold ``$``), one on ``alarm:pay$alerts`` too."""
    for pattern in ("pay${$}alerts", "pay$alerts", "pay${$}al${*}rts"):
        condition = {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:*:*:alarm:{pattern}"}}
        specs = topic_key_stack(_grant(Condition=condition))
        next(spec for spec in specs if spec["name"] == "errors")["inputs"]["name"] = "pay$alerts"
        found, undecided = _topic_key(specs)
        assert (len(found), undecided) == (int("${*}" in pattern), []), (pattern, found)


def test_a_topic_arn_of_fewer_fields_matches_no_arn_pattern() -> None:
    """An alarm action ``arn:aws:sns:alerts`` (three fields; named by the stack topic's name) against
    a key grant conditioned on ``ArnLike`` of the topic's ARN: no match, a refusal, not a crash."""
    grant = _grant(Condition={"ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:*:*:*"}})
    specs = topic_key_stack(grant)
    next(spec for spec in specs if spec["name"] == "errors")["inputs"]["alarmActions"] = [
        "arn:aws:sns:alerts"
    ]
    found, undecided = _topic_key(specs)
    assert len(found) == 1 and undecided == [], (found, undecided)


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
    """``role/${*}`` is the role named ``*`` (none can be), not every role; ``role/*`` is. An
    account ``${*}`` is no account, where ``*`` is every account's ``deploy`` role."""
    for resource, expected in (
        ("arn:aws:iam::111122223333:role/${*}", 0),
        ("arn:aws:iam::111122223333:role/*", 1),
        ("arn:aws:iam::${*}:role/deploy", 0),
        ("arn:aws:iam::*:role/deploy", 1),
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


# --- 4. alarm-topic-key-usable: topics outside the stack, Scheduler and Pipes -------------------------

PAGER = "arn:aws:sns:eu-west-1:999999999999:central-pager"
"""A topic of another account (a central pager): not in the stack, its encryption unseen."""


OWN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
"""The stack's alerts topic's ARN, as AWS gives it after create."""


def _judge(specs: list[dict[str, Any]], *, outputs: bool = False) -> tuple[list[str], list[str]]:
    """``alarm-topic-key-usable`` at preview, or after create with the topic's real ARN."""
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records, {"alerts": {"arn": OWN}})
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


def _alarm_notifying(*actions: str, linked: bool = False) -> list[dict[str, Any]]:
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    alarm = next(spec for spec in specs if spec["name"] == "errors")
    alarm["inputs"]["alarmActions"] = list(actions)
    if not linked:
        alarm["deps"] = {}
    return specs


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_an_alarm_notifying_a_topic_outside_the_stack_is_undecided_saying_so(outputs: bool) -> None:
    """Its topic's encryption and key are not in the stack: passed silently before, undecided now
    (after create too: no value settles it), the note naming the topic and what to check."""
    for actions in ([PAGER], [f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts", PAGER]):
        found, undecided = _judge(_alarm_notifying(*actions, linked=len(actions) == 2), outputs=outputs)
        assert found == []
        assert len(undecided) == 1, undecided
        assert PAGER in undecided[0] and "not in this stack" in undecided[0], undecided
        assert "cloudwatch.amazonaws.com" in undecided[0], undecided


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_an_alarm_notifying_only_the_stacks_topics_or_no_topic_is_decided(outputs: bool) -> None:
    """The twins: the stack's own topic (by ARN and dependency, or by ARN alone), an Auto Scaling
    policy or an EC2 action (not SNS) decide as before."""
    own = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
    scaling = (
        "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:0b6e4c1a-1111-2222-3333-444455556666:"
        "autoScalingGroupName/workers:policyName/out"
    )
    for specs in (
        _alarm_notifying(own, linked=True),
        _alarm_notifying(own),
        _alarm_notifying(scaling),
        _alarm_notifying("arn:aws:automate:eu-west-1:ec2:recover"),
    ):
        assert _judge(specs, outputs=outputs) == ([], [])


def test_an_eventbridge_target_on_a_topic_outside_the_stack_is_undecided() -> None:
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    specs.append(
        {
            "type": "aws:cloudwatch/eventTarget:EventTarget",
            "name": "failures",
            "inputs": {"rule": "training-failures", "arn": PAGER},
        }
    )
    found, undecided = _judge(specs)
    assert found == [] and len(undecided) == 1 and "events.amazonaws.com" in undecided[0], undecided


def _scheduled(
    target_type: str, target: str, *, linked: bool, encrypted: bool = True
) -> list[dict[str, Any]]:
    """The stack's alerts topic (its key letting CloudWatch in) and a schedule or pipe publishing to
    ``target`` as its execution role."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    if not encrypted:
        topic = next(spec for spec in specs if spec["name"] == "alerts")
        topic["inputs"].pop("kmsMasterKeyId")
        topic["deps"] = {}
    role = f"arn:aws:iam::{ACCOUNT}:role/publisher"
    if target_type.endswith(("scheduler/schedule:Schedule", "scheduler:Schedule")):
        inputs: dict[str, Any] = {
            "name": "nightly-notice",
            "scheduleExpression": "rate(1 day)",
            "flexibleTimeWindow": {"mode": "OFF"},
            "target": {"arn": target, "roleArn": role},
        }
    else:
        inputs = {
            "name": "notices",
            "source": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:in",
            "target": target,
            "roleArn": role,
        }
    spec: dict[str, Any] = {"type": target_type, "name": "publisher", "inputs": inputs}
    if linked:
        spec["deps"] = {"target": ["alerts"]}
    return [*specs, spec]


SCHEDULER_AND_PIPES = [
    "aws:scheduler/schedule:Schedule",
    "aws:pipes/pipe:Pipe",
    "aws-native:scheduler:Schedule",
    "aws-native:pipes:Pipe",
]


@pytest.mark.parametrize("target_type", SCHEDULER_AND_PIPES)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_schedule_or_pipe_publishing_to_an_encrypted_topic_is_undecided(
    target_type: str, outputs: bool
) -> None:
    """EventBridge Scheduler and Pipes publish as their execution role, not a service principal:
    whether the role's policies and the key's let it use the key is not read here. Passed silently
    before; undecided now, saying so, for the stack's encrypted topic and for one outside it."""
    for target, linked in ((f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts", True), (PAGER, False)):
        found, undecided = _judge(_scheduled(target_type, target, linked=linked), outputs=outputs)
        assert found == []
        assert len(undecided) == 1 and "execution role" in undecided[0], undecided


@pytest.mark.parametrize("target_type", SCHEDULER_AND_PIPES)
def test_a_schedule_or_pipe_publishing_to_an_unencrypted_topic_or_no_topic_is_decided(
    target_type: str,
) -> None:
    """The twins: the stack's unencrypted topic, and a SageMaker pipeline target (as the shipped
    stacks' schedules and pipes have)."""
    own = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
    pipeline = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:pipeline/prod-customer-churn-training"
    for outputs in (False, True):
        assert _judge(_scheduled(target_type, own, linked=True, encrypted=False), outputs=outputs) == (
            [],
            [],
        )
        assert _judge(_scheduled(target_type, pipeline, linked=False), outputs=outputs) == ([], [])


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_the_stacks_auto_named_topic_in_several_action_lists_is_not_outside(outputs: bool) -> None:
    """The shipped alarms' shape: an auto-named topic (its name and ARN unknown at preview) named
    by the same literal in alarmActions and okActions, each with its dependency: the second list's
    literal is the topic the first showed, not a topic outside the stack."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    topic = next(spec for spec in specs if spec["name"] == "alerts")
    topic["inputs"].pop("name")
    alarm = next(spec for spec in specs if spec["name"] == "errors")
    alarm["inputs"]["okActions"] = list(alarm["inputs"]["alarmActions"])
    alarm["deps"] = {"alarmActions": ["alerts"], "okActions": ["alerts"]}
    assert _judge(specs, outputs=outputs) == ([], [])


def test_an_aws_native_rule_targeting_a_topic_outside_the_stack_is_undecided() -> None:
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    specs.append(
        {
            "type": "aws-native:events:Rule",
            "name": "failures",
            "inputs": {"name": "training-failures", "targets": [{"id": "pager", "arn": PAGER}]},
        }
    )
    found, undecided = _judge(specs)
    assert found == [] and len(undecided) == 1 and PAGER in undecided[0], undecided


def test_an_auto_named_topic_beside_a_pager_is_not_taken_for_outside_at_preview() -> None:
    """An alarm naming the stack's auto-named topic (its ARN unknown at preview) and a pager: which
    literal is the topic's is not known yet, so neither is called outside the stack at preview (the
    topic's unknown ARN keeps it undecided); after create the pager is."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    next(spec for spec in specs if spec["name"] == "alerts")["inputs"].pop("name")
    next(spec for spec in specs if spec["name"] == "errors")["inputs"]["alarmActions"] = [OWN, PAGER]
    found, undecided = _judge(specs)
    assert found == [] and len(undecided) == 1 and "not in this stack" not in undecided[0], undecided
    found, undecided = _judge(specs, outputs=True)
    assert found == [] and len(undecided) == 1 and PAGER in undecided[0], undecided


@pytest.mark.parametrize("target_type", SCHEDULER_AND_PIPES)
def test_a_schedule_or_pipe_on_the_stacks_topic_with_awss_key_or_auto_named_is_decided(
    target_type: str,
) -> None:
    """AWS's ``alias/aws/sns`` lets the account's principals use it through SNS (its key policy), so
    a role publishing there needs nothing more; an auto-named unencrypted topic the target depends
    on, named by a literal its preview cannot match by name, is that topic, not one outside."""
    specs = _scheduled(target_type, OWN, linked=True)
    next(spec for spec in specs if spec["name"] == "alerts")["inputs"]["kmsMasterKeyId"] = "alias/aws/sns"
    next(spec for spec in specs if spec["name"] == "alerts")["deps"] = {}
    assert _judge(specs) == ([], [])
    specs = _scheduled(target_type, OWN, linked=True, encrypted=False)
    next(spec for spec in specs if spec["name"] == "alerts")["inputs"].pop("name")
    assert _judge(specs) == ([], [])
