"""public-by-design-noted's passing and violating cases (the pack's meta-test reads ``CASES``).

The note exists only with ``publicByDesign`` set (each policy reads its own copy), so each case
carries its config and runs the rule that decides the exemption with the note policy, as the engine does.
Semantics: tests/policies/test_public_exemptions_65.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate
from policies.registry import get_policy
from tests.policies.conftest import build

_ENTRIES = {"publicByDesign": [{"resource": "subject", "reason": "public API"}]}
LISTED = {"public-access-switches-kept-on": _ENTRIES, "public-by-design-noted": _ENTRIES}
APP_RUNNER = "aws:apprunner/service:Service"

CASES = [
    pytest.param(
        "public-by-design-noted",
        APP_RUNNER,
        {"networkConfiguration": {"ingressConfiguration": {"isPubliclyAccessible": False}}},
        LISTED,
        None,
        id="listed-private-app-runner-passes",
    ),
    pytest.param(
        "public-by-design-noted", APP_RUNNER, {}, LISTED, "public API", id="listed-public-app-runner-noted"
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "config", "fragment"), CASES)
def test_rule(
    outcome, policy_name: str, resource_type: str, inputs: Any, config: Any, fragment: str | None
) -> None:
    pair = [get_policy("public-access-switches-kept-on"), get_policy(policy_name)]
    violations = evaluate(build([{"type": resource_type, "name": "subject", "inputs": inputs}]), config, pair)
    outcome(violations, policy_name, fragment)
