"""``resource-policy-not-public`` at preview: a list of nested documents not known yet is undecided.

An aws-native global table's ``replicas`` computed from another resource is unknown at preview;
each replica may hold a resource policy open to anyone, so the rule must not pass it silently (a
mutation dropping that branch of ``_at_path`` survived every test). Known replicas beside it are
still reported.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import findings

RULE = "resource-policy-not-public"
TABLE = "aws-native:dynamodb:GlobalTable"
ANYONE: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}


def _replica(statement: dict[str, Any]) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return {"region": "eu-west-1", "resourcePolicy": {"policyDocument": document}}


def test_replicas_not_known_at_preview_are_undecided_and_known_after_create_are_read() -> None:
    assert findings(RULE, TABLE, {"replicas": UNKNOWN_STRING_VALUE}) == ([], 1)
    found, undecided = findings(RULE, TABLE, {"replicas": [_replica(ANYONE)]}, outputs=True)
    assert undecided == 0 and len(found) == 1
    assert found[0].startswith("replicas[0].resourcePolicy.policyDocument Statement[0] allows Principal '*'")


def test_a_replica_policy_not_known_beside_an_open_one_reports_the_open_one_and_stays_undecided() -> None:
    pending = {"region": "eu-central-1", "resourcePolicy": UNKNOWN_STRING_VALUE}
    found, undecided = findings(RULE, TABLE, {"replicas": [pending, _replica(ANYONE)]})
    assert undecided == 1 and len(found) == 1
    assert found[0].startswith("replicas[1].resourcePolicy.policyDocument Statement[0]")
