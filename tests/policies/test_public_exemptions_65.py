"""public-access-switches-kept-on.publicByDesign: a resource public by design is noted, not refused.

A listed resource's public-by-default switch is reported by the advisory ``public-by-design-noted``
with the listed reason; an unlisted one, and every account-level block (listed or not), is refused as
before. An entry without a reason is a config error naming the key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.local import evaluate, evaluate_report, resolve_config
from policies.registry import ENVIRONMENTS, get_policy, load_pack_config
from tests.policies.conftest import build, urn_of

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
NATIVE_DB = "aws-native:rds:DbInstance"
SNAPSHOT_BPA = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
REASON = "customer-facing API, WAF in front (ADR-12)"
PAIR = [get_policy(RULE), get_policy(NOTE)]


def exempting(*names: str, **extra: Any) -> dict[str, Any]:
    listed = {"publicByDesign": [{"resource": n, "reason": REASON} for n in names]}
    return {RULE: listed, NOTE: listed, **extra}


def found(resource_type: str, inputs: dict[str, Any], config: dict[str, Any]) -> dict[str, list[str]]:
    """level -> messages, for one resource named ``public-api`` evaluated by the rule and the note."""
    violations = evaluate(
        build([{"type": resource_type, "name": "public-api", "inputs": inputs}]), config, PAIR
    )
    out: dict[str, list[str]] = {}
    for v in violations:
        out.setdefault(f"{v.policy_name}:{v.enforcement_level}", []).append(v.message)
    return out


@pytest.mark.parametrize(
    ("resource_type", "inputs", "listed_as", "expected"),
    [
        pytest.param(APP_RUNNER, {}, "public-api", NOTE, id="listed-by-name-app-runner-noted-not-refused"),
        pytest.param(
            APP_RUNNER,
            {},
            urn_of(APP_RUNNER, "public-api"),
            NOTE,
            id="listed-by-urn-app-runner-noted-not-refused",
        ),
        pytest.param(
            NATIVE_DB,
            {"publiclyAccessible": True},
            "public-api",
            NOTE,
            id="listed-explicit-true-db-instance-noted",
        ),
        pytest.param(APP_RUNNER, {}, "other-api", RULE, id="unlisted-app-runner-refused"),
        pytest.param(APP_RUNNER, {}, "public", RULE, id="a-name-prefix-lists-nothing"),
        pytest.param(
            SNAPSHOT_BPA, {"state": "unblocked"}, "public-api", RULE, id="listed-account-block-still-refused"
        ),
        pytest.param(
            APP_RUNNER,
            {"networkConfiguration": {"ingressConfiguration": {"isPubliclyAccessible": False}}},
            "public-api",
            None,
            id="listed-but-private-neither-noted-nor-refused",
        ),
    ],
)
def test_a_listed_public_by_default_switch_is_noted_and_anything_else_refused(
    resource_type: str, inputs: dict[str, Any], listed_as: str, expected: str | None
) -> None:
    result = found(resource_type, inputs, exempting(listed_as))
    if expected is None:
        assert result == {}
    elif expected == RULE:
        assert list(result) == [f"{RULE}:mandatory"], result
    else:
        assert list(result) == [f"{NOTE}:advisory"], result
        (message,) = result[f"{NOTE}:advisory"]
        assert REASON in message and f"{listed_as!r} in {NOTE}.publicByDesign" in message
        assert "Fix: set" in message  # the finding itself, so a reviewer sees what is public


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param({"resource": "public-api"}, id="no-reason"),
        pytest.param({"resource": "public-api", "reason": "  "}, id="blank-reason"),
        pytest.param({"resource": "public-api", "reason": 7}, id="reason-not-a-string"),
    ],
)
def test_an_entry_without_a_reason_is_a_config_error_naming_the_key_and_exempts_nothing(
    tmp_path: Path, entry: dict[str, Any]
) -> None:
    path = tmp_path / "stack-policy.json"
    path.write_text(json.dumps({RULE: {"publicByDesign": [entry]}}), encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_pack_config(path)
    assert str(error.value).startswith(f"{path}: {RULE}.publicByDesign[0].reason: ")
    # A caller that skips validation (a test, args.get_config()) gets no exemption from it either.
    assert found(APP_RUNNER, {}, {RULE: {"publicByDesign": [entry]}}).keys() == {f"{RULE}:mandatory"}


def test_the_property_reaches_the_rule_through_a_pack_config_file(tmp_path: Path) -> None:
    # Every environment ships the list empty: the App Runner service is refused everywhere.
    for env in ENVIRONMENTS:
        assert resolve_config(load_pack_config(env), PAIR)[RULE][1]["publicByDesign"] == []
    # A stack's copy of prod.json listing the service (README: "copy the environment file").
    config = load_pack_config("prod")
    for policy in (RULE, NOTE):  # each policy reads its own copy of the list
        config[policy] = {
            **config.get(policy, {}),
            "publicByDesign": [{"resource": "public-api", "reason": REASON}],
        }
    path = tmp_path / "prod-public-api.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    stack = build([{"type": APP_RUNNER, "name": "public-api", "inputs": {}}])
    before = evaluate_report(stack, load_pack_config("prod"))
    after = evaluate_report(stack, load_pack_config(path))
    assert [v.policy_name for v in before.mandatory if "isPubliclyAccessible" in v.message] == [RULE]
    assert not [v for v in after.mandatory if "isPubliclyAccessible" in v.message]
    notes = [v for v in after.violations if v.policy_name == NOTE]
    assert [(v.enforcement_level, v.resource_name) for v in notes] == [("advisory", "public-api")]
    assert REASON in notes[0].message


def test_no_note_outlives_its_evaluation() -> None:
    # Listed with the note policy disabled, then evaluated unlisted: refused, and no stale note.
    assert found(APP_RUNNER, {}, exempting("public-api", **{NOTE: "disabled"})) == {}
    assert list(found(APP_RUNNER, {}, {})) == [f"{RULE}:mandatory"]
    # The rule disabled: the note reads its own list (tests/policies/test_public_by_design_66.py).
    assert list(found(APP_RUNNER, {}, exempting("public-api", **{RULE: "disabled"}))) == [f"{NOTE}:advisory"]
