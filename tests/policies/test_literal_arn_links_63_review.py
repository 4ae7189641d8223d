"""Second read of the literal-ARN links (session 63, tests/policies/test_literal_arn_links_63.py).

1. ``alarm-topic-key-usable`` reads the last KeyPolicy of the stack naming a key, in the stack's
   order, whether it names the key through a dependency or by its literal id: the dependency-linked
   ones are no longer all taken before the literal ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.test_literal_arn_links_63 import KEY_ID, TOPIC_KEY, _outputs_with_key_id
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, KEY_ADMIN, topic_key_stack

LEFT_OUT = "whose key policy does not let cloudwatch.amazonaws.com use it"


def _key_policy(name: str, *grants: dict[str, Any], linked: bool) -> dict[str, Any]:
    """A KeyPolicy of the topic's key holding the account's administration and ``grants``: through
    a dependency on the key (its ARN), or by the key's literal id."""
    spec: dict[str, Any] = {
        "type": "aws:kms/keyPolicy:KeyPolicy",
        "name": name,
        "inputs": {
            "keyId": f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}" if linked else KEY_ID,
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [KEY_ADMIN, *grants]}),
        },
    }
    if linked:
        spec["deps"] = {"keyId": ["notifications-key"]}
    return spec


# --- 1. the last KeyPolicy in the stack's order ---------------------------------------------------


@pytest.mark.parametrize(
    ("first_linked", "last_grants", "fragment"),
    [
        # Before: the dependency-linked KeyPolicy came first whatever its place, so the literal one
        # earlier in the stack won over the later linked one.
        pytest.param(False, (), LEFT_OUT, id="literal-first-linked-last-leaving-cloudwatch-out-fails"),
        pytest.param(False, (CLOUDWATCH_KEY_GRANT,), None, id="literal-first-linked-last-granting-passes"),
        pytest.param(True, (), LEFT_OUT, id="linked-first-literal-last-leaving-cloudwatch-out-fails"),
        pytest.param(True, (CLOUDWATCH_KEY_GRANT,), None, id="linked-first-literal-last-granting-passes"),
    ],
)
def test_the_last_key_policy_in_stack_order_is_read(
    first_linked: bool, last_grants: tuple[dict[str, Any], ...], fragment: str | None
) -> None:
    first_grants = () if last_grants else (CLOUDWATCH_KEY_GRANT,)  # the opposite verdict
    specs = [
        *topic_key_stack(CLOUDWATCH_KEY_GRANT),
        _key_policy("first", *first_grants, linked=first_linked),
        _key_policy("last", *last_grants, linked=not first_linked),
    ]
    report = _outputs_with_key_id(specs, KEY_ID)
    assert report.undecided == []
    if fragment is None:
        assert report.violations == []
    else:
        assert [v.policy_name for v in report.violations] == [TOPIC_KEY]
        assert fragment in report.violations[0].message
