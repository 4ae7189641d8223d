"""An ARN whose account field is ``aws`` in a condition pinning the caller (session 66, item 4).

``_common.arn_pattern_pins_account`` counts a pattern with the account ``aws`` as pinned. Judged per
condition key, that is right: no request from outside the account carries such a value, so the
statement admits nobody the policy did not mean.

* ``aws:PrincipalArn`` is the ARN of the IAM user, role (for a session, the role) or root user that
  signed the request: each holds its 12-digit account. ``aws`` is the account field of AWS managed
  policies only (IAM API, ``AttachedManagedPolicy.Arn``: ``arn:aws:iam::aws:policy/...``), which sign
  no request: ``arn:aws:iam::aws:*`` matches no principal at all.
* ``aws:SourceArn`` is the ARN of the resource on whose behalf a service calls; a resource an outsider
  can create carries the outsider's account, never ``aws``.
* ``aws:SourceAccount`` is the 12-digit account owning that resource: the literal ``aws`` matches none
  (and it is an exact value, not a pattern: the ARN reading is not asked).

A pattern with any other account that is not 12 digits or a wildcard stays refused (``aws*``, an
account ``*``), so the exception is the one word, case and all.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone
from tests.policies.test_policy_gaps_65 import REFUSALS


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::aws:*"}}, False, id="principal-arn-account-aws"
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:iam::aws:policy/*"}},
            False,
            id="source-arn-managed-policies",
        ),
        pytest.param(
            {"StringLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:aws:*"}}, False, id="source-arn-as-text"
        ),
        pytest.param({"StringEquals": {"aws:SourceAccount": "aws"}}, False, id="source-account-aws"),
        pytest.param(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::aws*:*"}}, True, id="account-aws-prefix-refused"
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:AWS:*"}}, True, id="account-AWS-refused"
        ),
    ],
)
def test_an_arn_of_the_aws_account_admits_no_outsider(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any], public: bool
) -> None:
    result = findings(policy, resource_type, {prop: open_to_anyone(action, condition)})
    assert_decided(result, REFUSALS[policy] if public else None)
