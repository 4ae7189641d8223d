"""``public-by-design-noted`` decides for itself, and a ``publicByDesign`` entry may name its type.

1. The advisory read its notes from a module-level table the mandatory rule filled: no note with
   the rule disabled or run after it, and a note left by one evaluation surfaced in the next (another
   config). It now reads the resource and its own ``publicByDesign`` (the same reading as the rule's:
   ``public_switches.listed_reason``); the pack config refuses an exemption the advisory would not note.
2. An entry's logical name covered every public-by-default resource of that name; an optional
   ``type`` narrows it to one type (checked against the types the list can exempt).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb

from policies.local import evaluate
from policies.registry import PackConfigError, get_policy, load_pack_config
from tests.policies.conftest import build

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
RDS_CLUSTER = "aws-native:rds:DbCluster"
REASON = "customer-facing API, WAF in front (ADR-12)"
ENTRY = {"resource": "public-api", "reason": REASON}
PUBLIC_CLUSTER = {"dbClusterInstanceClass": "db.m6gd.large"}  # Multi-AZ, switch unset: public


def listing(*entries: dict[str, Any], rule: Any = None, note: Any = None) -> dict[str, Any]:
    """A pack config listing ``entries`` for both policies (``rule``/``note``: a level instead)."""
    listed = {"publicByDesign": list(entries)}
    return {RULE: rule or listed, NOTE: note or listed}


def levels_and_messages(
    specs: list[dict[str, Any]], config: dict[str, Any], order: tuple[str, ...] = (RULE, NOTE)
) -> list[tuple[str, str, str]]:
    policies = [get_policy(name) for name in order]
    return sorted(
        (v.resource_name or "", f"{v.policy_name}:{v.enforcement_level}", v.message)
        for v in evaluate(build(specs), config, policies)
    )


APP = {"type": APP_RUNNER, "name": "public-api", "inputs": {}}


@pytest.mark.parametrize(
    ("config", "order", "expected"),
    [
        pytest.param(listing(ENTRY), (NOTE, RULE), [f"{NOTE}:advisory"], id="note-run-before-the-rule"),
        pytest.param(listing(ENTRY, rule="disabled"), (RULE, NOTE), [f"{NOTE}:advisory"], id="rule-disabled"),
        pytest.param(listing(ENTRY, note="disabled"), (RULE, NOTE), [], id="note-disabled-exempt-silently"),
        pytest.param(listing(), (NOTE, RULE), [f"{RULE}:mandatory"], id="unlisted-refused-not-noted"),
    ],
)
def test_the_note_reads_the_resource_and_its_own_config_in_any_order(
    config: dict[str, Any], order: tuple[str, ...], expected: list[str]
) -> None:
    found = levels_and_messages([APP], config, order)
    assert [level for _, level, _ in found] == expected
    for _, level, message in found:
        if level.startswith(NOTE):
            assert message.startswith(f"public by design ('public-api' in {NOTE}.publicByDesign): {REASON}.")
            assert "(AWS's default)" in message and message.endswith("isPubliclyAccessible=false.")


def test_no_note_survives_into_an_evaluation_with_another_config() -> None:
    # The rule exempts and the note is off; then the same process evaluates with the rule off and
    # nothing listed: nothing is public by design, so there is nothing to note.
    assert levels_and_messages([APP], listing(ENTRY, note="disabled")) == []
    assert levels_and_messages([APP], {RULE: "disabled"}) == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            {**ENTRY, "type": APP_RUNNER},
            [("public-api", f"{RULE}:mandatory"), ("public-api-db", f"{NOTE}:advisory")],
            id="type-narrows-to-the-app-runner-service",
        ),
        pytest.param(
            {**ENTRY, "resource": "public-api-db", "type": RDS_CLUSTER},
            [("public-api", f"{RULE}:mandatory"), ("public-api-db", f"{NOTE}:advisory")],
            id="type-narrows-to-the-cluster",
        ),
        pytest.param(
            {**ENTRY, "resource": "public-api-db", "type": APP_RUNNER},
            [("public-api", f"{RULE}:mandatory"), ("public-api-db", f"{RULE}:mandatory")],
            id="another-type-exempts-nothing",
        ),
    ],
)
def test_an_entry_with_a_type_covers_that_type_only(entry: dict[str, Any], expected: list[Any]) -> None:
    # Two resources of one name under different types are told apart by the entry's type; the
    # other name is not listed at all (its own entry would be needed).
    specs = [APP, {"type": RDS_CLUSTER, "name": "public-api-db", "inputs": PUBLIC_CLUSTER}]
    if entry["resource"] == "public-api":
        specs[1] = {**specs[1], "name": "public-api"}
        expected = [("public-api", f"{NOTE}:advisory"), ("public-api", f"{RULE}:mandatory")]
    found = levels_and_messages(specs, listing(entry))
    assert sorted((name, level) for name, level, _ in found) == sorted(expected)


@pytest.mark.parametrize(
    ("config", "key", "fragment"),
    [
        pytest.param(
            listing({**ENTRY, "type": "apprunner.Service"}),
            f"{RULE}.publicByDesign[0].type",
            "aws:apprunner/service:Service",  # the valid values are listed
            id="type-not-a-token",
        ),
        pytest.param(
            listing({**ENTRY, "type": "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"}),
            f"{RULE}.publicByDesign[0].type",
            "aws-native:rds:DbCluster",
            id="type-of-an-account-block",
        ),
        pytest.param(
            {RULE: {"publicByDesign": [ENTRY]}},
            f"{NOTE}.publicByDesign",
            "exempted without a note: [{'resource': 'public-api'",
            id="exempted-but-not-listed-for-the-note",
        ),
    ],
)
def test_a_bad_list_is_a_pack_config_error_naming_the_file_and_key(
    tmp_path: Path, config: dict[str, Any], key: str, fragment: str
) -> None:
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(PackConfigError) as error:
        load_pack_config(path)
    assert error.value.path == path
    problems = dict(error.value.keyed())  # the entry is listed for both policies: each is named
    assert key in problems and fragment in problems[key], problems


def test_the_real_analyzer_notes_a_listed_resource_with_the_rule_disabled() -> None:
    from tests.policies.test_revex_65 import analyze, analyzer

    servicer = analyzer(listing(ENTRY, rule="disabled"))
    (noted,) = analyze(servicer, APP_RUNNER, "public-api", {})
    assert (noted.policyName, noted.enforcementLevel) == (NOTE, pb.ADVISORY)
    assert REASON in noted.message
    assert analyze(servicer, APP_RUNNER, "other-api", {}) == []  # the rule is off: nothing else reports
