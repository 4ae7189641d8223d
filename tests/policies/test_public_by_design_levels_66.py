"""When the pack requires an exemption's note: never for a disabled policy, and a logical name notes
the resource a URN entry exempts.

``unnoted_exemptions`` refused a config that exempted a resource under
``public-access-switches-kept-on`` while ``public-by-design-noted`` was disabled (``"disabled"``, or
``all`` disabled with no level of its own), so a team that chose to see no notes had to copy the
list to a policy that never runs; and a note entry by logical name did not cover a rule entry by URN,
though the note reports every resource of that name. The CLI's ``Configure`` (``PackAnalyzer``)
reads the levels the engine sends as ``bin/plan`` reads the file.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.registry import validate_pack_config
from tests.policies.test_pack_analyzer_66 import configure, reported

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
REASON = "customer-facing API, WAF in front (ADR-12)"
BY_NAME = {"resource": "public-api", "reason": REASON}
URN = f"urn:pulumi:prod::mlops-platform::{APP_RUNNER}::public-api"
BY_URN = {"resource": URN, "reason": REASON}
NESTED_URN = f"urn:pulumi:prod::mlops-platform::my:serving:Api${APP_RUNNER}::public-api"


def unnoted(config: dict[str, Any]) -> list[str]:
    return [p for p in validate_pack_config(config) if "exempted without a note" in p]


@pytest.mark.parametrize(
    ("config", "refused"),
    [
        pytest.param({RULE: {"publicByDesign": [BY_NAME]}}, True, id="note-unconfigured-refused"),
        pytest.param(
            {RULE: {"publicByDesign": [BY_NAME]}, NOTE: "advisory"}, True, id="note-advisory-refused"
        ),
        pytest.param({RULE: {"publicByDesign": [BY_NAME]}, NOTE: "disabled"}, False, id="note-disabled"),
        pytest.param(
            {RULE: {"publicByDesign": [BY_NAME]}, NOTE: {"enforcementLevel": "disabled"}},
            False,
            id="note-object-disabled",
        ),
        pytest.param({"all": "disabled", RULE: {"publicByDesign": [BY_NAME]}}, False, id="all-disabled"),
        pytest.param(
            {
                "all": "disabled",
                RULE: {"enforcementLevel": "mandatory", "publicByDesign": [BY_NAME]},
                NOTE: "advisory",
            },
            True,
            id="all-disabled-both-own-levels-refused",
        ),
        pytest.param(
            {RULE: {"enforcementLevel": "disabled", "publicByDesign": [BY_NAME]}}, False, id="rule-disabled"
        ),
        pytest.param(
            {"all": "mandatory", RULE: {"publicByDesign": [BY_NAME]}}, True, id="all-mandatory-refused"
        ),
    ],
)
def test_a_note_is_required_only_of_a_config_that_runs_both_policies(
    config: dict[str, Any], refused: bool
) -> None:
    assert bool(unnoted(config)) is refused


@pytest.mark.parametrize(
    ("exempted", "note", "covered"),
    [
        pytest.param(BY_URN, BY_NAME, True, id="urn-noted-by-name"),
        pytest.param(BY_URN, {**BY_NAME, "type": APP_RUNNER}, True, id="urn-noted-by-name-and-its-type"),
        pytest.param({"resource": NESTED_URN, "reason": REASON}, BY_NAME, True, id="child-urn-noted-by-name"),
        pytest.param(
            {"resource": NESTED_URN, "reason": REASON},
            {**BY_NAME, "type": APP_RUNNER},
            True,
            id="child-urn-noted-by-name-and-its-own-type",
        ),
        pytest.param(
            BY_URN, {**BY_NAME, "type": "aws:rds/cluster:Cluster"}, False, id="urn-note-of-another-type"
        ),
        pytest.param(
            BY_URN, {"resource": "public-web", "reason": REASON}, False, id="urn-note-of-another-name"
        ),
        pytest.param(BY_NAME, {"resource": URN, "reason": REASON}, False, id="name-not-covered-by-one-urn"),
    ],
)
def test_a_logical_name_notes_the_resource_a_urn_exempts(
    exempted: dict[str, str], note: dict[str, str], covered: bool
) -> None:
    config = {RULE: {"publicByDesign": [exempted]}, NOTE: {"publicByDesign": [note]}}
    assert (not unnoted(config)) is covered


def test_the_cli_configure_serves_an_exemption_with_the_note_disabled() -> None:
    # The engine sends each policy's level with its properties: a disabled note requires no list.
    servicer = configure({RULE: {"publicByDesign": [BY_NAME]}, NOTE: "disabled"}, None)
    assert reported(servicer, "public-api") == []
    assert [name for name, _ in reported(servicer, "other-api")] == [RULE]
