"""Gaps a crafted policy could slip past the public-access rules, closed as classes (session 63).

- An ARN condition value under ``StringLike``/``StringNotLike`` is matched as text: a wildcard before
  its account field may take colons too (``arn:aws:iam:*:111122223333:*`` matches a role of account
  999999999999 whose path holds ``:111122223333:``), so it pins no account. ``ArnLike`` matches each
  of the six colon-delimited fields on its own, so the same value under it still pins. Held for
  the Allow's own condition (resource policies, bucket, key and trust policies) and for a Deny's.
- An ``aws:SourceIp`` range broader than /8 (IPv4) or /32 (IPv6) is public by S3's meaning of
  public ("values broader than /8 for IPv4 and /32 for IPv6"), not only the whole address space;
  an IPv4-mapped IPv6 range is read as the IPv4 range it maps.
- A Deny naming resources is no credit for an Allow that names none (the resource the policy is
  attached to, as an ECR repository policy is written): the Deny's resources may not include it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.one_resource import CALLER_PINS, findings, open_to_anyone

RESOURCE_RULE = "resource-policy-not-public"
BUCKET_RULE = "s3-bucket-policy-not-public"
QUEUE = "aws:sqs/queuePolicy:QueuePolicy"
BUCKET = "aws:s3/bucketPolicy:BucketPolicy"
ALLOW: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
DENY: dict[str, Any] = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "*",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
}
SPANNING = "arn:aws:iam:*:111122223333:*"  # the region's * may take ":999999999999:role/x"


def _queue(*statements: dict[str, Any]) -> tuple[list[str], int]:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return findings(RESOURCE_RULE, QUEUE, {"queueUrl": "https://sqs/q", "policy": document})


def _bucket(condition: dict[str, Any]) -> tuple[list[str], int]:
    statement = {**ALLOW, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": condition}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return findings(BUCKET_RULE, BUCKET, {"bucket": "b", "policy": document})


def _refused(result: tuple[list[str], int]) -> bool:
    messages, undecided = result
    return undecided == 0 and len(messages) >= 1


# --- a wildcard before an ARN's account under StringLike -------------------------------------------


@pytest.mark.parametrize(("resource_type", "prop", "rule", "action"), CALLER_PINS)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_string_like_arn_with_a_wildcard_before_the_account_pins_nothing(
    resource_type: str, prop: str, rule: str, action: str, outputs: bool
) -> None:
    def run(operator: str, value: str) -> tuple[list[str], int]:
        document = open_to_anyone(action, {operator: {"aws:PrincipalArn": value}})
        return findings(rule, resource_type, {prop: document}, outputs=outputs)

    assert _refused(run("StringLike", SPANNING))
    assert _refused(run("StringLike", "arn:*:111122223333:*"))
    # Field by field, the account is pinned; so is a literal prefix up to the account under StringLike.
    assert run("ArnLike", SPANNING) == ([], 0)
    assert run("StringLike", "arn:aws:iam::111122223333:role/*") == ([], 0)


def test_a_deny_string_not_like_an_arn_with_a_wildcard_before_the_account_is_no_credit() -> None:
    deny = {**DENY, "Condition": {"StringNotLike": {"aws:PrincipalArn": SPANNING}}}
    assert _refused(_queue(ALLOW, deny))
    assert _queue(ALLOW, {**deny, "Condition": {"ArnNotLike": {"aws:PrincipalArn": SPANNING}}}) == ([], 0)
    literal = {"StringNotLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:*"}}
    assert _queue(ALLOW, {**deny, "Condition": literal}) == ([], 0)


# --- broad source IP ranges --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidrs", "pins"),
    [
        pytest.param(["0.0.0.0/1"], False, id="ipv4-half"),
        pytest.param(["2.0.0.0/7"], False, id="ipv4-slash-7"),
        pytest.param(["8.0.0.0/8"], True, id="ipv4-slash-8"),
        pytest.param(["203.0.113.0/24", "0.0.0.0/1"], False, id="one-broad-among-narrow"),
        pytest.param(["2000::/3"], False, id="ipv6-slash-3"),
        pytest.param(["2001:db8::/32"], True, id="ipv6-slash-32"),
        pytest.param(["2001:db8::/31"], False, id="ipv6-slash-31"),
        pytest.param(["::ffff:0:0/96"], False, id="ipv4-mapped-every-address"),
        pytest.param(["::ffff:10.0.0.0/104"], True, id="ipv4-mapped-slash-8"),
        pytest.param(["203.0.113.7"], True, id="one-address"),
    ],
)
def test_a_source_ip_range_broader_than_s3_calls_fixed_pins_nothing(cidrs: list[str], pins: bool) -> None:
    condition = {"IpAddress": {"aws:SourceIp": cidrs}}
    for result in (_queue({**ALLOW, "Condition": condition}), _bucket(condition)):
        assert (result == ([], 0)) is pins, result
    deny = {**DENY, "Condition": {"NotIpAddress": {"aws:SourceIp": cidrs}}}
    assert (_queue(ALLOW, deny) == ([], 0)) is pins


# --- a Deny naming resources, an Allow naming none ----------------------------------------------------


def test_a_deny_on_named_resources_is_no_credit_for_an_allow_on_the_policys_own_resource() -> None:
    repository = "aws:ecr/repositoryPolicy:RepositoryPolicy"
    allow = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}

    def ecr(deny: dict[str, Any]) -> tuple[list[str], int]:
        document = json.dumps({"Version": "2012-10-17", "Statement": [allow, deny]})
        return findings(RESOURCE_RULE, repository, {"repository": "r", "policy": document})

    other = {**DENY, "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/other"}
    assert _refused(ecr(other))
    assert ecr(DENY) == ([], 0)  # Resource "*" takes this repository too
    assert ecr({key: v for key, v in DENY.items() if key != "Resource"}) == ([], 0)  # both on this one
    # An Allow with no Action (IAM refuses it) is not covered by a Deny naming actions either.
    no_action = {key: v for key, v in ALLOW.items() if key != "Action"}
    assert _refused(_queue(no_action, {**DENY, "Action": "sqs:SendMessage"}))
