"""Second read of publicByDesign (session 65): the note through the real analyzer, the config
errors' keys, and a malformed pack config file as an invalid input of the offline plan (exit status 2)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy.policy import EnforcementLevel, _PolicyAnalyzerServicer

import planner.policy_check as policy_check
from policies import registry
from policies.local import resolve_config
from policies.registry import ALL_POLICIES, validate_pack_config
from stacks.config import ConfigError

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
NATIVE_CLUSTER = "aws-native:rds:DbCluster"
SNAPSHOT_BPA = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
REASON = "customer-facing API, WAF in front (ADR-12)"
WIRE_LEVEL = {
    "advisory": pb.ADVISORY,
    "mandatory": pb.MANDATORY,
    "disabled": pb.DISABLED,
    "remediate": pb.REMEDIATE,
}


def analyzer(config: dict[str, Any]) -> _PolicyAnalyzerServicer:
    """pulumi-policy's own servicer (what `pulumi preview --policy-pack` talks to), configured as the
    CLI configures it: every policy's level and properties, schema defaults applied."""
    servicer = _PolicyAnalyzerServicer("revex", "0.0.1", list(ALL_POLICIES), EnforcementLevel.ADVISORY)
    request = pb.ConfigureAnalyzerRequest()
    for name, (level, props) in resolve_config(config, ALL_POLICIES).items():
        request.policyConfig[name].enforcementLevel = WIRE_LEVEL[level.value]
        request.policyConfig[name].properties.update(json.loads(json.dumps(props)))
    servicer.Configure(request, None)
    return servicer


def analyze(
    servicer: _PolicyAnalyzerServicer, resource_type: str, name: str, inputs: dict[str, Any]
) -> list[Any]:
    request = pb.AnalyzeRequest(
        type=resource_type, urn=f"urn:pulumi:s::p::{resource_type}::{name}", name=name
    )
    request.properties.update(inputs)
    diagnostics = servicer.Analyze(request, None).diagnostics
    return [d for d in diagnostics if d.policyName in (RULE, NOTE)]


def test_the_real_analyzer_passes_the_note_to_the_advisory_policy_of_the_same_resource() -> None:
    # One Analyze call per resource runs every policy: the rule exempts, the advisory policy (reading
    # its own copy of the list) reports it on that resource, at its own level.
    listed = {"publicByDesign": [{"resource": "public-api", "reason": REASON}]}
    servicer = analyzer({RULE: listed, NOTE: listed})
    (listed,) = analyze(servicer, APP_RUNNER, "public-api", {})
    assert (listed.policyName, listed.enforcementLevel) == (NOTE, pb.ADVISORY)
    assert REASON in listed.message and "isPubliclyAccessible is unset" in listed.message
    (unlisted,) = analyze(servicer, APP_RUNNER, "other-api", {})
    assert (unlisted.policyName, unlisted.enforcementLevel) == (RULE, pb.MANDATORY)
    # Analysed again (preview, then up): noted again, once.
    assert [d.policyName for d in analyze(servicer, APP_RUNNER, "public-api", {})] == [NOTE]
    # Made private: neither refused nor noted (no note of the earlier analysis survives).
    private = {"networkConfiguration": {"ingressConfiguration": {"isPubliclyAccessible": False}}}
    assert analyze(servicer, APP_RUNNER, "public-api", private) == []
    # The account-level block of the same name is refused whatever the list says.
    (block,) = analyze(servicer, SNAPSHOT_BPA, "public-api", {"state": "unblocked"})
    assert (block.policyName, block.enforcementLevel) == (RULE, pb.MANDATORY)


def test_a_name_covers_every_public_by_default_resource_of_that_name_and_a_urn_one() -> None:
    # policies/README.md: a logical name, any type and any parent; a URN, that resource of this stack.
    cluster = {"dbClusterInstanceClass": "db.m5d.large"}
    for listed, expected in [
        ("public-api", {APP_RUNNER: NOTE, NATIVE_CLUSTER: NOTE}),
        (f"urn:pulumi:s::p::{APP_RUNNER}::public-api", {APP_RUNNER: NOTE, NATIVE_CLUSTER: RULE}),
        (f"urn:pulumi:other::p::{APP_RUNNER}::public-api", {APP_RUNNER: RULE, NATIVE_CLUSTER: RULE}),
        ("Public-Api", {APP_RUNNER: RULE, NATIVE_CLUSTER: RULE}),
    ]:
        entries = {"publicByDesign": [{"resource": listed, "reason": REASON}]}
        servicer = analyzer({RULE: entries, NOTE: entries})
        found = {
            resource_type: [d.policyName for d in analyze(servicer, resource_type, "public-api", inputs)]
            for resource_type, inputs in [(APP_RUNNER, {}), (NATIVE_CLUSTER, cluster)]
        }
        assert found == {t: [policy] for t, policy in expected.items()}, listed


@pytest.mark.parametrize(
    ("entries", "key"),
    [
        pytest.param(["public-api"], "publicByDesign[0]", id="an-item-not-an-object-names-its-index"),
        pytest.param(
            [{"resource": "a", "reason": REASON}, {"resource": "b", "reason": REASON, "why": 1}],
            "publicByDesign[1].why",
            id="an-unknown-property-names-its-item",
        ),
    ],
)
def test_a_config_error_inside_the_list_names_the_item(entries: list[Any], key: str) -> None:
    (problem,) = validate_pack_config({RULE: {"publicByDesign": entries}})
    assert problem.startswith(f"{RULE}.{key}: ")
    assert "Resources public by design" not in problem  # the item's schema, not the description


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        pytest.param('{"all": ', "<file>", "not JSON", id="not-json"),
        pytest.param('["advisory"]', "<file>", "the config must be a JSON object", id="not-an-object"),
        pytest.param(
            json.dumps({RULE: {"publicByDesign": [{"resource": "public-api"}]}}),
            f"{RULE}.publicByDesign[0].reason",
            "required, missing",
            id="entry-without-a-reason",
        ),
    ],
)
def test_a_malformed_environment_pack_config_is_an_invalid_input_of_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str, message: str
) -> None:
    (tmp_path / "dev.json").write_text(text, encoding="utf-8")
    monkeypatch.setattr(registry, "PACK_DIR", tmp_path)

    # ConfigError is what the planner's main turns into exit status 2 with str(error) on stderr.
    with pytest.raises(ConfigError) as error:
        policy_check.check_policies(SimpleNamespace(environment="dev", resources=[]))  # type: ignore[arg-type]
    lines = str(error.value).splitlines()
    assert lines[0] == f"{tmp_path / 'dev.json'}: invalid configuration (1 problem)"
    assert lines[1].startswith(f"  {tmp_path / 'dev.json'}: {key}: {message}")


def test_the_planner_exits_2_on_a_malformed_pack_config(monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.__main__ as cli

    def build_plan(*_: Any) -> Any:
        raise ConfigError("policies/dev.json", [(f"{RULE}.publicByDesign[0].reason", "required, missing")])

    monkeypatch.setattr(cli, "validated_stack_file", lambda path: path)
    monkeypatch.setattr(cli, "build_plan", build_plan)
    assert cli.run(["--stack", "dev"]) == cli.EXIT_INVALID_CONFIG == 2
