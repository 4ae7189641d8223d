"""Session 66 mutation audit: what the earlier tests left unpinned in the pack's new code.

Each test kills mutants that survived the earlier tests (``publicByDesign``'s reading and schema,
the analyzer's install, the order of the pack-config checks).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pulumi_policy import policy as engine

from policies import analyzer
from policies.registry import validate_pack_config
from policies.rules.public_switches import listed_reason, unnoted_exemptions
from tests.policies.one_resource import assert_decided, findings

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
ARGS = SimpleNamespace(
    name="public-api", urn=f"urn:pulumi:s::p::{APP_RUNNER}::public-api", resource_type=APP_RUNNER
)
ENTRY = {"resource": "public-api", "reason": "customer-facing API"}


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        # A malformed entry (a config that skipped validation) lists nothing, and hides no later one.
        pytest.param(["junk", ENTRY], ("public-api", "customer-facing API"), id="after-a-non-object"),
        pytest.param(
            [{"resource": "  ", "reason": "blank"}, ENTRY],
            ("public-api", "customer-facing API"),
            id="blank-skipped",
        ),
        pytest.param(
            ({"resource": "public-api", "reason": "  padded \n"},),
            ("public-api", "padded"),
            id="tuple-reason-stripped",
        ),
    ],
)
def test_listed_reason_reads_past_malformed_entries_and_strips_the_reason(
    entries: Any, expected: Any
) -> None:
    # A resource named blank too: a blank ``resource`` names nothing.
    blank = SimpleNamespace(name="  ", urn="  ", resource_type=APP_RUNNER)
    assert (listed_reason(ARGS, entries), listed_reason(blank, entries)) == (expected, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "note", "problems"),
    [
        pytest.param("public-api", [ENTRY], 0, id="rule-text-lists-nothing"),
        pytest.param([ENTRY], "public-api", 1, id="note-text-notes-nothing"),
    ],
)
def test_unnoted_exemptions_reads_a_non_list_as_no_entries(rule: Any, note: Any, problems: int) -> None:
    found = unnoted_exemptions({RULE: {"publicByDesign": rule}, NOTE: {"publicByDesign": note}}, frozenset())
    assert [p.split(":")[0] for p in found] == [f"{NOTE}.publicByDesign"] * problems


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        pytest.param({**ENTRY, "reson": "typo"}, "publicByDesign[0]", id="unknown-key"),
        pytest.param({**ENTRY, "resource": "  "}, "publicByDesign[0].resource", id="blank-resource"),
    ],
)
def test_pack_config_refuses_a_malformed_entry_once(entry: dict[str, Any], where: str) -> None:
    # Listed for the rule only too: the schema problem is the one reported (as the CLI checks each
    # policy's schema before Configure sees the config), not also an unnoted exemption of junk.
    problems = validate_pack_config({RULE: {"publicByDesign": [entry]}})
    assert len(problems) == 1 and problems[0].startswith(f"{RULE}.{where}"), problems


def test_install_makes_the_engine_build_the_refusing_servicer(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime.proto import analyzer_pb2 as pb

    from policies.registry import ALL_POLICIES

    monkeypatch.setattr(engine, "_PolicyAnalyzerServicer", analyzer.BASE_SERVICER)
    analyzer.install()
    # What PolicyPack builds, by the module's name, then configured with the rule's list only.
    servicer = engine._PolicyAnalyzerServicer(
        "p", "0.0.1", list(ALL_POLICIES), engine.EnforcementLevel.ADVISORY
    )
    request = pb.ConfigureAnalyzerRequest()
    request.policyConfig[RULE].enforcementLevel = pb.MANDATORY
    request.policyConfig[RULE].properties.update({"publicByDesign": [ENTRY]})
    with pytest.raises(analyzer.PackConfigRefused, match="list each for both policies"):
        servicer.Configure(request, None)


@pytest.mark.parametrize(
    ("engine", "fragment"),
    [("Valkey", None), ("Redis", "atRestEncryptionEnabled is False")],
)
def test_a_durable_group_s_engine_is_read_whatever_its_case(engine: str, fragment: str | None) -> None:
    # As ``unless`` reads it: ElastiCache takes the engine name in any case.
    inputs = {"description": "d", "engine": engine, "durability": "sync", "atRestEncryptionEnabled": False}
    assert_decided(
        findings(
            "data-stores-encrypted-at-rest", "aws:elasticache/replicationGroup:ReplicationGroup", inputs
        ),
        fragment,
    )
