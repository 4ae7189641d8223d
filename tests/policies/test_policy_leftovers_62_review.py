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

The merged change also said every rule reads IAM's escapes ``${*}``/``${?}`` as the characters; the
federated trust rule (``iam_federated``) still read them as wildcards, refusing
``repo:${*}/app:*`` (the owner named ``*``) as "any repository". It reads them as characters now
(owner and name checked apart, so no escape spans the ``/``).

Then mutations of the merged change (and of this fix), one at a time, against this file, the merged
leftover files and the rules' own test files:

=============================== ========= ======== ========== ========== ==========
module (policies/rules/)        mutations survived caught now equivalent left alone
=============================== ========= ======== ========== ========== ==========
observability.py                14        4        3          1          0
_topic_keys.py                  4         1        0          1          0
_common.py                      4         0        0          0          0
_bucket_policy.py               2         1        1          0          0
_iam_documents.py               2         1        1          0          0
iam.py                          2         1        1          0          0
=============================== ========= ======== ========== ========== ==========

Caught now: a schedule's topic whose key is unknown at preview skipped instead of undecided; an
aws-native rule's auto-named topic beside a pager called outside at preview; ``${*}`` in an
``aws:userid`` unique id read as a wildcard (key, queue, trust and bucket rules); a wildcard account
in a role path pattern called a path (``iam-pass-role-scoped`` with ``iam:PassedToService``); this
fix's ``publishBatch`` dropped. Equivalent: ``ArnEquals`` added to the string operators (the ARN
branch is read first); the literal a lone linked topic claims left in ``unclaimed`` (the final
``claimed`` filter drops it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import CALLER_PINS, findings, json_document, open_to_anyone
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack
from tests.policies.test_policy_leftovers import ACCOUNT, EVENTS_KEY_GRANT
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
    for action in ("publish", "publishBatch"):
        found, undecided = _judge(_universal(target_type, action, {"TopicArn": OWN}), outputs=outputs)
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


# --- what the merged tests let through (mutations of the merged code that survived them) ----------


@pytest.mark.parametrize("target_type", [*SCHEDULES, "aws:pipes/pipe:Pipe", "aws-native:pipes:Pipe"])
def test_a_schedule_or_pipe_on_a_topic_whose_key_is_not_known_yet_is_undecided_at_preview(
    target_type: str,
) -> None:
    """The topic's ``kmsMasterKeyId`` comes from a key created with it (unknown at preview): whether
    it is encrypted with a customer key is not known yet, so the schedule is undecided, not passed
    (a mutation skipping the unknown key passed it)."""
    specs = _scheduled(target_type, OWN, linked=True)
    next(spec for spec in specs if spec["name"] == "alerts")["inputs"]["kmsMasterKeyId"] = (
        UNKNOWN_STRING_VALUE
    )
    found, undecided = _judge(specs)
    assert found == [] and len(undecided) == 1 and "execution role" not in undecided[0], undecided


def test_an_aws_native_rule_naming_its_auto_named_topic_beside_a_pager_is_not_outside_at_preview() -> None:
    """As the alarm's twin in the merged file: an aws-native rule whose targets name the stack's
    auto-named topic (a dependency, its ARN unknown at preview) by a literal, and a pager. Which
    literal is the topic's is not known yet: neither is called outside the stack at preview; after
    create the pager is."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT, EVENTS_KEY_GRANT)
    next(spec for spec in specs if spec["name"] == "alerts")["inputs"].pop("name")
    specs.append(
        {
            "type": "aws-native:events:Rule",
            "name": "failures",
            "deps": {"targets": ["alerts"]},
            "inputs": {
                "name": "training-failures",
                "targets": [{"id": "own", "arn": OWN}, {"id": "pager", "arn": PAGER}],
            },
        }
    )
    found, undecided = _judge(specs)
    assert found == [] and len(undecided) == 1 and "not in this stack" not in undecided[0], undecided
    found, undecided = _judge(specs, outputs=True)
    assert found == [] and len(undecided) == 1 and PAGER in undecided[0], undecided
    assert "not in this stack" in undecided[0], undecided


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
def test_an_escape_in_a_unique_id_pins_as_the_character(
    resource_type: str, prop: str, policy: str, action: str
) -> None:
    """``"aws:userid": "AROAEXAMPLE${*}:*"`` names a unique id holding a ``*`` (none does): the open
    principal is closed to everyone, as ``AROAEXAMPLEID:*`` (one role's sessions) closes it to one
    role; ``AROA*:*`` (every role's sessions) still opens it."""
    for unique_id, expected in (("AROAEXAMPLE${*}", 0), ("AROAEXAMPLEID", 0), ("AROA*", 1)):
        condition = {"StringLike": {"aws:userid": f"{unique_id}:*"}}
        found, undecided = findings(policy, resource_type, {prop: open_to_anyone(action, condition)})
        assert (len(found), undecided) == (expected, 0), (unique_id, found)


def test_a_role_path_wildcard_in_every_account_is_every_role_even_with_passed_to_service() -> None:
    """``role/mlops/*`` in one account is a path of roles, allowed with ``iam:PassedToService``;
    in every account (``*``) it is any role, refused even so; an account ``${*}`` is no account
    (the character), a path again (a mutation calling every wildcard account's pattern a path
    survived the merged tests)."""
    condition = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    for account, expected in (("111122223333", 0), ("*", 1), ("${*}", 0), ("1111222233?3", 1)):
        document = json_document(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{account}:role/mlops/*",
                "Condition": condition,
            }
        )
        found, undecided = findings("iam-pass-role-scoped", "aws:iam/policy:Policy", {"policy": document})
        assert (len(found), undecided) == (expected, 0), (account, found)


GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


def _github_trust(sub: str, aud: str = "sts.amazonaws.com") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": GITHUB},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:aud": aud},
                        "StringLike": {"token.actions.githubusercontent.com:sub": sub},
                    },
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("sub", "refused"),
    [
        pytest.param("repo:${*}/app:*", False, id="owner-is-the-character"),
        pytest.param("repo:org/${?}app:*", False, id="name-holds-the-character"),
        pytest.param("repo:*/app:*", True, id="any-owner"),
        pytest.param("repo:org/${*}*:*", True, id="a-wildcard-beside-an-escape"),
        pytest.param("repo:org${/*}:*", True, id="no-escape-across-the-slash"),
    ],
)
def test_an_escape_in_a_github_subject_is_the_character(sub: str, refused: bool) -> None:
    """The merged change read ``${*}``, ``${?}`` as the characters in every rule but the federated
    trust's: ``repo:${*}/app:*`` (the owner named ``*``, which no GitHub owner is) was refused as
    "any workflow of any repository". A real wildcard beside an escape is still one."""
    found, undecided = findings(
        "iam-role-federated-trust-scoped", "aws:iam/role:Role", {"assumeRolePolicy": _github_trust(sub)}
    )
    assert (len(found), undecided) == (int(refused), 0), found


@pytest.mark.parametrize(("aud", "refused"), [("sts.amazonaws.com${*}", False), ("sts.*", True)])
def test_an_escape_in_a_fixed_audience_is_the_character(aud: str, refused: bool) -> None:
    """An EKS (IRSA) provider's ``aud`` must be fixed (no wildcard under ``StringLike``): one
    ending in ``${*}`` is the fixed value ``sts.amazonaws.com*``."""
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringLike": {
                            f"{issuer}:aud": aud,
                            f"{issuer}:sub": "system:serviceaccount:ml:trainer",
                        }
                    },
                }
            ],
        }
    )
    found, undecided = findings(
        "iam-role-federated-trust-scoped", "aws:iam/role:Role", {"assumeRolePolicy": document}
    )
    assert (len(found), undecided) == (int(refused), 0), found
