"""One resource through one rule, at preview or after create: what the evasion audits probe with."""

from __future__ import annotations

import json
from typing import Any

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


def json_document(statement: dict[str, Any]) -> str:
    """An IAM policy document of one statement, as the JSON string a resource's input holds."""
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
