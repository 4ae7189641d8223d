"""Encrypted leaves the offline plan cannot check alone (session 63).

A value other keys refer to (a model family's or feature group's name an endpoint or a family's
training data names) or a value that refers to another key, encrypted: the plan cannot compare a
value it cannot read, and a name is no secret (the other key holds it in clear), so the plan refuses
it saying which key is encrypted and that it must be set in clear, never quoting the stand-in it
read it as. A leaf whose check runs at what holds it (``framework.version``, checked on
``framework``) is refused there saying the leaf is encrypted. The stand-ins are chosen once a plan.

Every refusal goes through bin/plan's entry (:func:`planner.__main__.run`, not one-shot): exit 2,
nothing on stdout (no plan, nothing recorded), a line naming the stack file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.project import SECRET_STAND_IN
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder


def _encrypted(text: str = "v1:abcdefABCDEF0123456789==") -> dict[str, str]:
    return {"secure": text}


def _feature_group(platform: dict[str, Any], name: str) -> int:
    return next(index for index, group in enumerate(platform["feature_groups"]) if group["name"] == name)


def _trained_from_features(platform: dict[str, Any]) -> int:
    return next(
        index for index, model in enumerate(platform["models"]) if (model.get("training") or {}).get("data")
    )


def _refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: str, edit: Any) -> dict[str, str]:
    """Plan the fixture ``stack`` edited by ``edit`` (its platform map); assert it is refused as bad
    input; the refusal's lines by key."""
    import planner.__main__ as cli

    document = load_stack_document(stack)
    edit(document["config"][CONFIG_KEY])
    path = project_folder(tmp_path, document=document, stack=stack)
    code = cli.run(["--config", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG, captured.err
    assert captured.out == ""
    lines = {}
    for line in captured.err.splitlines():
        if f": {CONFIG_KEY}." in line:
            assert f"Pulumi.{stack}.yaml" in line
            key, _, message = line.split(f": {CONFIG_KEY}.", 1)[1].partition(": ")
            lines[key] = message
    return lines


def test_an_encrypted_family_name_an_endpoint_names_is_refused_saying_it_must_be_in_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["name"] = _encrypted()  # customer-churn, which endpoints[0] follows

    lines = _refusal(tmp_path, capsys, "dev", edit)
    message = lines["endpoints[0].variants[0].model.latest_approved_of"]
    assert "'customer-churn' is not a model family of this stack (<encrypted>" in message
    assert "models[0].name is encrypted (`secure:`)" in message
    assert "other keys refer to cannot be encrypted; set models[0].name without --secret" in message
    assert SECRET_STAND_IN not in message  # the check saw a stand-in, not the adopter's name


def test_an_encrypted_reference_to_a_family_in_clear_is_refused_naming_what_it_must_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["model"]["latest_approved_of"] = _encrypted()

    lines = _refusal(tmp_path, capsys, "dev", edit)
    message = lines["endpoints[0].variants[0].model.latest_approved_of"]
    assert message.startswith("is encrypted (`secure:`), but it must name a value other keys hold in clear")
    # The family names the check compares it with, not the tag or the feature group that happen to
    # hold the same text.
    assert "(models[0].name: 'customer-churn')" in message
    assert "a name that refers to another key cannot be encrypted" in message
    assert SECRET_STAND_IN not in message


def test_an_encrypted_feature_group_name_a_family_trains_from_is_refused_at_the_family(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where: dict[str, int] = {}

    def edit(platform: dict[str, Any]) -> None:
        where["group"] = _feature_group(platform, "customer-churn-labelled")
        where["model"] = _trained_from_features(platform)
        platform["feature_groups"][where["group"]]["name"] = _encrypted()

    lines = _refusal(tmp_path, capsys, "prod", edit)
    message = lines[f"models[{where['model']}].training.data.feature_group"]
    assert f"feature_groups[{where['group']}].name is encrypted (`secure:`)" in message
    assert "cannot be encrypted" in message and SECRET_STAND_IN not in message


def test_an_encrypted_feature_group_reference_names_every_group_it_may_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where: dict[str, int] = {}

    def edit(platform: dict[str, Any]) -> None:
        where["model"] = _trained_from_features(platform)
        platform["models"][where["model"]]["training"]["data"]["feature_group"] = _encrypted()

    lines = _refusal(tmp_path, capsys, "prod", edit)
    message = lines[f"models[{where['model']}].training.data.feature_group"]
    assert "must name a value other keys hold in clear (feature_groups[0].name: 'customer-churn', " in message
    assert "'customer-churn-labelled'" in message
    assert "models[0].name" not in message  # a family's name is not what a feature_group names


def test_a_name_and_its_reference_both_encrypted_are_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as one stand-in they passed whatever they decrypt to (left to `pulumi up`); each is read
    as its own too, and the reference is refused naming both: the plan cannot compare them."""

    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["name"] = _encrypted("v1:a")
        platform["endpoints"][0]["variants"][0]["model"]["latest_approved_of"] = _encrypted("v1:b")

    lines = _refusal(tmp_path, capsys, "dev", edit)
    assert list(lines) == ["endpoints[0].variants[0].model.latest_approved_of"]
    message = lines["endpoints[0].variants[0].model.latest_approved_of"]
    assert message.startswith("'<encrypted>' is not a model family of this stack (<encrypted>)")
    assert (
        "models[0].name and endpoints[0].variants[0].model.latest_approved_of are encrypted (`secure:`)"
        in message
    )
    assert SECRET_STAND_IN not in message


def test_an_encrypted_leaf_checked_at_its_parent_is_refused_there_saying_it_is_encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"]["framework"]["version"] = _encrypted()

    lines = _refusal(tmp_path, capsys, "dev", edit)
    message = lines["models[0].training.framework"]
    assert message.startswith(
        "models[0].training.framework.version is encrypted (`secure:`), so the offline plan cannot read it, "
        "and no offline stand-in for it passes this check (sklearn <encrypted> has no "
    )
    assert "000000000000" not in message and SECRET_STAND_IN not in message


def test_a_clear_problem_at_a_parent_of_an_encrypted_leaf_is_reported_as_it_is(tmp_path: Path) -> None:
    """The framework's name and version in clear are wrong; the encrypted leaf beside them (the
    family's description) has nothing to do with it."""
    from stacks.stack_file import offline_platform_config, read_stack_file

    document = load_stack_document("dev")
    model = document["config"][CONFIG_KEY]["models"][0]
    model["description"] = _encrypted()
    model["training"]["framework"]["version"] = "0.1-0"
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(project_folder(tmp_path, document=document)))
    problems = dict(raised.value.problems)
    assert set(problems) == {f"{CONFIG_KEY}.models[0].training.framework"}
    assert problems[f"{CONFIG_KEY}.models[0].training.framework"].startswith("sklearn 0.1-0 has no ")
    assert "encrypted" not in str(raised.value)


def test_a_plan_chooses_its_stand_ins_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bin/plan validates the stack file, then records it with the same stand-ins: one choice."""
    import stacks.stack_file
    from planner.__main__ import validated_stack_file
    from planner.recorder import record_stack_file

    calls: list[str] = []
    choose = stacks.stack_file.platform_stand_ins

    def counted(config: Any, source: str) -> Any:
        calls.append(source)
        return choose(config, source)

    monkeypatch.setattr(stacks.stack_file, "platform_stand_ins", counted)
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY].setdefault("alerts", {})["subscriptions"] = [
        {"protocol": "https", "endpoint": _encrypted()}
    ]
    stack_file = validated_stack_file(str(project_folder(tmp_path, document=document)))
    seen: dict[str, Any] = {}

    def program(source: str) -> None:
        import json

        import pulumi

        seen["platform"] = json.loads(pulumi.Config("mlops-platform").require("platform"))

    record_stack_file(stack_file, program)
    assert len(calls) == 1
    assert (
        seen["platform"]["alerts"]["subscriptions"][0]["endpoint"] == f"https://{SECRET_STAND_IN}-0.invalid/"
    )
