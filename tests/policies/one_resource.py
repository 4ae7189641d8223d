"""One resource through one rule, at preview or after create: what the evasion audits probe with."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build


def findings(
    policy: str, resource_type: str, inputs: dict[str, Any], *, outputs: bool = False
) -> tuple[list[str], int]:
    """(violation messages, undecided count) of ``policy`` on one resource, at preview or after create."""
    records: Any = build([{"type": resource_type, "name": "subject", "inputs": inputs}])
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, None, [get_policy(policy)])
    return [v.message for v in report.violations if v.policy_name == policy], len(report.undecided)


def assert_decided(result: tuple[list[str], int], fragment: str | None, *also: str) -> None:
    """:func:`findings`' ``result`` decided: no violation when ``fragment`` is None, else exactly one
    whose message holds ``fragment`` and every text of ``also``."""
    messages, undecided = result
    assert undecided == 0
    if fragment is None:
        assert messages == []
    else:
        assert len(messages) == 1 and all(text in messages[0] for text in (fragment, *also)), messages


def json_document(statement: dict[str, Any]) -> str:
    """An IAM policy document of one statement, as the JSON string a resource's input holds."""
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


#: (resource type, property, rule, action) of each rule reading a caller-pinning condition (an
#: ``aws:SourceArn`` or ``aws:SourceAccount`` that, when pinned, keeps an open principal closed).
CALLER_PINS = [
    pytest.param(
        "aws:sqs/queuePolicy:QueuePolicy",
        "policy",
        "resource-policy-not-public",
        "sqs:SendMessage",
        id="queue",
    ),
    pytest.param(
        "aws:s3/bucketPolicy:BucketPolicy",
        "policy",
        "s3-bucket-policy-not-public",
        "s3:GetObject",
        id="bucket",
    ),
    pytest.param(
        "aws:kms/keyPolicy:KeyPolicy", "policy", "kms-key-policy-no-public-principal", "kms:Decrypt", id="key"
    ),
    pytest.param(
        "aws:iam/role:Role", "assumeRolePolicy", "iam-role-trust-not-public", "sts:AssumeRole", id="trust"
    ),
]


def open_to_anyone(action: str, condition: dict[str, Any]) -> str:
    """A policy letting anyone (``Principal: *``) do ``action`` under ``condition`` alone."""
    return json_document(
        {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*", "Condition": condition}
    )
