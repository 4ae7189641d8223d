"""e02432a's pack-config reading, checked against the engine's semantics.

Which policy a file config disables is read through ``policies.local.resolve_config``, the mirror of
the CLI's ``ReconcilePolicyPackConfig`` (defaults, then ``all``, then each policy's own level;
``remediate`` is a running level): an unnoted exemption is refused exactly when neither policy
resolves to ``disabled``. A note entry by logical name covers a rule entry by URN
however the URN is spelt: a name holding ``::``, several ``$`` parents, another stack or project.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import resolve_config
from policies.registry import validate_pack_config
from policies.rules.public_switches import NOTE_NAME, RULE_NAME

APP_RUNNER = "aws:apprunner/service:Service"
REASON = "customer-facing API (ADR-12)"

LEVEL_CONFIGS: list[dict[str, Any]] = [
    {},
    {"all": "disabled"},
    {"all": {"enforcementLevel": "disabled"}, NOTE_NAME: {}},
    {"all": "disabled", RULE_NAME: "remediate"},
    {"all": "remediate", NOTE_NAME: {"enforcementLevel": "disabled"}},
    {"all": "mandatory", RULE_NAME: {"enforcementLevel": "disabled"}},
]


@pytest.mark.parametrize("config", LEVEL_CONFIGS)
def test_disabled_as_the_engine_resolves_it(config: dict[str, Any]) -> None:
    resolved = resolve_config(config)
    either_disabled = any(resolved[policy][0].value == "disabled" for policy in (RULE_NAME, NOTE_NAME))
    rule = config.get(RULE_NAME)
    exempting = {
        **config,
        RULE_NAME: {
            **({"enforcementLevel": rule} if isinstance(rule, str) else rule or {}),
            "publicByDesign": [{"resource": "api", "reason": REASON}],
        },
    }
    refused = [p for p in validate_pack_config(exempting) if "exempted without a note" in p]
    assert (refused == []) is either_disabled


@pytest.mark.parametrize(
    ("urn", "note", "covered"),
    [
        (f"urn:pulumi:prod::mlops-platform::{APP_RUNNER}::api::v2", "api::v2", True),
        (f"urn:pulumi:prod::mlops-platform::{APP_RUNNER}::api::v2", "v2", False),
        (f"urn:pulumi:prod::p::my:a:A$my:b:B${APP_RUNNER}::api", "api", True),
        (f"urn:pulumi:other::team-x::{APP_RUNNER}::api", "api", True),
    ],
)
def test_a_name_covers_the_urn_of_that_name(urn: str, note: str, covered: bool) -> None:
    config = {
        RULE_NAME: {"publicByDesign": [{"resource": urn, "reason": REASON}]},
        NOTE_NAME: {"publicByDesign": [{"resource": note, "type": APP_RUNNER, "reason": REASON}]},
    }
    problems = [p for p in validate_pack_config(config) if "exempted without a note" in p]
    assert (problems == []) is covered
    # remediate runs both policies: a note is still required of an uncovered entry.
    remediated = {**config, "all": "remediate"}
    assert ([p for p in validate_pack_config(remediated) if "exempted without a note" in p] == []) is covered
