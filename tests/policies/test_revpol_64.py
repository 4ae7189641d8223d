"""Second read of the session-64 policy leftovers (test_policy_leftovers_64.py).

1. ``alarm-topic-key-usable``: a KeyPolicy managed by the same provider as its key, neither setting a
   Region, is applied in the key's Region. Once the key's ARN is known (an existing key, at the preview
   of an update) the key's Region was read from the ARN and the KeyPolicy's as its provider's default,
   and the two were not compared: the KeyPolicy replacing the key's policy was undecided where it had
   been refused (and still is, while the key's ARN is not known).
2. The literal reading of ``StringNotEquals`` in a Deny restricting a public Allow (the same ``pins``
   the Allow's ``StringEquals`` goes through): a ``*`` there is the character, so the Deny takes every
   request; ``StringNotLike``, ``...IfExists`` and ``ForAnyValue:`` Denies still credit nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_literal_arn_links_63_review import LEFT_OUT
from tests.policies.test_policy_leftovers_64 import KEY_ARN, TOPIC_KEY, _regional_stack, _report

# --- 1. one provider's default Region, the key's ARN known --------------------------------------


@pytest.mark.parametrize(
    ("key_where", "policy_where", "verdict"),
    [
        pytest.param({}, {}, "applies", id="one-default-provider"),
        pytest.param({"provider": "eu"}, {"provider": "eu"}, "applies", id="one-named-provider"),
        pytest.param({"provider": "eu"}, {"provider": "us"}, "another", id="another-regions-provider"),
        pytest.param({"region": "eu-west-1"}, {}, "undecided", id="named-region-against-a-default"),
    ],
)
def test_a_key_policy_of_the_keys_own_provider_is_its_own_once_its_arn_is_known(
    key_where: dict[str, Any], policy_where: dict[str, Any], verdict: str
) -> None:
    """An existing key (its ARN says eu-west-1) and a KeyPolicy linked to it leaving CloudWatch out:
    ``applies`` is refused, ``another`` leaves the key's own policy (CloudWatch let in),
    ``undecided`` cannot compare a named Region with a provider's default."""
    specs = _regional_stack(key_where, policy_where)
    key = next(s for s in specs if s["name"] == "notifications-key")
    key["inputs"] = {**key["inputs"], "arn": KEY_ARN.format("eu-west-1")}
    report = _report(TOPIC_KEY, specs, outputs=False)
    messages = [v.message for v in report.violations]
    assert len(messages) == (verdict == "applies") and all(LEFT_OUT in m for m in messages), messages
    assert [u.policy_name for u in report.undecided] == ([TOPIC_KEY] if verdict == "undecided" else [])


# --- 2. a Deny's negated literal operator --------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "credited"),
    [
        pytest.param("StringNotEquals", True, id="not-equals-star-is-the-character"),
        pytest.param("StringNotEqualsIgnoreCase", True, id="not-equals-ignore-case-too"),
        pytest.param("StringNotLike", False, id="not-like-star-is-a-wildcard"),
        pytest.param("StringNotEqualsIfExists", False, id="if-exists-lets-requests-without-the-key"),
        pytest.param("ForAnyValue:StringNotEquals", False, id="set-operator-no-credit"),
    ],
)
@pytest.mark.parametrize(
    ("resource_type", "rule", "action", "resource"),
    [
        pytest.param(
            "aws:sqs/queuePolicy:QueuePolicy",
            "resource-policy-not-public",
            "sqs:SendMessage",
            "*",
            id="queue",
        ),
        pytest.param(
            "aws:s3/bucketPolicy:BucketPolicy",
            "s3-bucket-policy-not-public",
            "s3:GetObject",
            "arn:aws:s3:::data/*",
            id="bucket",
        ),
    ],
)
def test_a_deny_outside_a_literal_endpoint_restricts_an_open_allow(
    operator: str, credited: bool, resource_type: str, rule: str, action: str, resource: str
) -> None:
    """``Deny`` unless ``aws:SourceVpce`` is the text ``vpce-1a2b*``: under a literal operator no
    endpoint has that id, every request is denied and the Allow to ``*`` is not public (IAM's reading:
    the queue; S3 calls a value holding a wildcard not fixed, whatever the operator: the bucket); under
    ``StringNotLike`` every ``vpce-1a2b...`` endpoint gets through (anyone's)."""
    statements = [
        {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": action,
            "Resource": resource,
            "Condition": {operator: {"aws:SourceVpce": "vpce-1a2b*"}},
        },
    ]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    # The bucket rule reads a ``*`` as S3 does under every operator, a Deny's too (session 66:
    # tests/policies/test_s3_deny_wildcard_66.py): no literal value there, so no credit.
    credited = credited and rule != "s3-bucket-policy-not-public"
    assert_decided(
        findings(rule, resource_type, {"policy": policy}), None if credited else "allows Principal '*'"
    )
