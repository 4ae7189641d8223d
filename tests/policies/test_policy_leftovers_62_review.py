"""A second read of session 62's policy-pack leftovers (tests/policies/test_policy_leftovers_62.py).

What AWS does: an EventBridge Scheduler *universal target* is named
``arn:<partition>:scheduler:::aws-sdk:<service>:<apiAction>`` (Scheduler User Guide, "Using
universal targets"), the API's parameters in the target's ``input`` JSON; a schedule publishing to
SNS that way (``aws-sdk:sns:publish``, ``{"TopicArn": ...}``) publishes as its execution role, as a
templated SNS target does. A Lambda function ARN with a qualifier (``...:function:sns:live``) is no
SNS topic.

What the merged change did: ``_literal_arns`` took any ARN holding ``:sns:`` for an SNS topic's, so
the new "topic outside the stack" path called the universal target's own ARN
(``arn:aws:scheduler:::aws-sdk:sns:publish``, and ``...:sns:createTopic``, which publishes nothing)
an SNS topic outside the stack, undecided for good, whatever topic its input named (the stack's
unencrypted one too); an alarm or rule invoking a Lambda alias named ``sns`` was undecided the same
way. Now an SNS ARN is one whose service field is ``sns``, and a universal ``sns:publish`` or
``sns:publishBatch`` target is judged on the ``TopicArn`` its input names.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack
from tests.policies.test_policy_leftovers import ACCOUNT
from tests.policies.test_policy_leftovers_62 import OWN, PAGER, _alarm_notifying, _judge, _scheduled

SCHEDULES = ["aws:scheduler/schedule:Schedule", "aws-native:scheduler:Schedule"]
UNIVERSAL = "arn:aws:scheduler:::aws-sdk:sns:"


def _universal(
    target_type: str, action: str, input_: Any, *, encrypted: bool = True, linked: bool = False
) -> list[dict[str, Any]]:
    """A schedule calling SNS ``action`` through Scheduler's universal target with ``input_``."""
    specs = _scheduled(target_type, UNIVERSAL + action, linked=linked, encrypted=encrypted)
    specs[-1]["inputs"]["target"]["input"] = input_ if isinstance(input_, str) else json.dumps(input_)
    return specs


@pytest.mark.parametrize("target_type", SCHEDULES)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_universal_sns_publish_to_the_stacks_unencrypted_topic_is_decided(
    target_type: str, outputs: bool
) -> None:
    """Its input names the stack's unencrypted topic: nothing to check (was undecided for good,
    the note calling ``arn:aws:scheduler:::aws-sdk:sns:publish`` a topic outside the stack)."""
    for action in ("publish", "publishBatch"):
        specs = _universal(target_type, action, {"TopicArn": OWN, "Message": "nightly"}, encrypted=False)
        assert _judge(specs, outputs=outputs) == ([], [])


@pytest.mark.parametrize("target_type", SCHEDULES)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_universal_sns_publish_is_judged_on_the_topic_its_input_names(
    target_type: str, outputs: bool
) -> None:
    """The stack's encrypted topic, or a pager outside the stack: undecided, the note naming that
    topic (not the universal target's ARN) and the execution role."""
    found, undecided = _judge(_universal(target_type, "publish", {"TopicArn": OWN}), outputs=outputs)
    assert found == [] and len(undecided) == 1, undecided
    assert "'alerts'" in undecided[0] and "execution role" in undecided[0], undecided
    assert "aws-sdk" not in undecided[0], undecided
    found, undecided = _judge(_universal(target_type, "publish", {"TopicArn": PAGER}), outputs=outputs)
    assert found == [] and len(undecided) == 1 and PAGER in undecided[0], undecided
    assert "aws-sdk" not in undecided[0], undecided


@pytest.mark.parametrize("target_type", SCHEDULES)
def test_a_universal_sns_publish_whose_input_cannot_be_read_is_undecided_saying_so(target_type: str) -> None:
    """An input that is no JSON object naming a topic: which topic it publishes to is not known."""
    for input_ in ("not json", {"Message": "no topic"}):
        found, undecided = _judge(_universal(target_type, "publish", input_), outputs=True)
        assert found == [] and len(undecided) == 1, undecided
        assert "input" in undecided[0] and "TopicArn" in undecided[0], undecided


@pytest.mark.parametrize("target_type", SCHEDULES)
def test_a_universal_sns_publish_linked_to_the_stacks_topic_at_preview_is_that_topic(
    target_type: str,
) -> None:
    """An input computed from the stack's topic (unknown at preview, the topic a dependency of
    ``target``): the topic's key decides, as for a templated target."""
    specs = _universal(target_type, "publish", {"TopicArn": OWN}, linked=True, encrypted=False)
    specs[-1]["inputs"]["target"]["input"] = UNKNOWN_STRING_VALUE
    assert _judge(specs) == ([], [])


@pytest.mark.parametrize("target_type", SCHEDULES)
def test_a_universal_sns_call_that_publishes_nothing_is_decided(target_type: str) -> None:
    """``sns:createTopic`` (or ``setTopicAttributes`` on the stack's encrypted topic) publishes no
    message: no key to use."""
    assert _judge(_universal(target_type, "createTopic", {"Name": "later"}), outputs=True) == ([], [])
    specs = _universal(target_type, "setTopicAttributes", {"TopicArn": OWN}, linked=True)
    assert _judge(specs, outputs=True) == ([], [])


def test_a_lambda_alias_named_sns_is_no_topic_outside_the_stack() -> None:
    """An alarm invoking a Lambda function's ``sns`` alias, an EventBridge target on it: no SNS
    topic (was undecided, ``:sns:`` being in the ARN)."""
    function = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:sns:live"
    assert _judge(_alarm_notifying(function), outputs=True) == ([], [])
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    specs.append(
        {
            "type": "aws:cloudwatch/eventTarget:EventTarget",
            "name": "failures",
            "inputs": {"rule": "training-failures", "arn": function},
        }
    )
    assert _judge(specs, outputs=True) == ([], [])
