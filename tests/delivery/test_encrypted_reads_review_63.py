"""Second read of the encrypted-values refusals of the commands acting in AWS (session 63 review).

The promotion gate refused any encrypted value of a family's training settings, though its model
card writes only the problem type, the framework's name and the hyperparameters of them: an
encrypted metric definition, which the gate never uses, refused the gate. It now refuses only
what the card writes (its content, key and tags), the group and the criterion it judges by.

Leaves whose check takes any text all read offline as the one plain stand-in, so a command that
used one of them named every other too, asking to set in clear values it never uses (a feature
group's description beside an encrypted tag): each command now tells them apart by reading each
such leaf once as a stand-in of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from tests.delivery.conftest import Cloud
from tests.delivery.test_encrypted_reads_63 import (
    _encrypted,
    _refused_line,
    _stack_file,
    _unserved_encrypted_family,
)

PROD_VERSION = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/1"


class ReachedAws(Exception):
    """The command went on to make its AWS clients: it did not refuse the stack file."""


def _gate(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    import boto3

    from pipelines.promotion import main

    def client(name: str, **_: Any) -> Any:
        raise ReachedAws(name)

    monkeypatch.setattr(boto3, "client", client)
    return main(["--stack-file", str(path), "--model", "customer-churn", "--package-arn", PROD_VERSION])


def test_the_gate_judges_a_family_whose_unwritten_training_setting_is_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """prod's family has a model card; a metric definition's name is no part of it."""

    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"]["metric_definitions"][0]["name"] = _encrypted()

    with pytest.raises(ReachedAws):
        _gate(_stack_file(tmp_path, "prod", edit), monkeypatch)
    assert "is encrypted" not in capsys.readouterr().err


def test_the_gate_refuses_an_encrypted_hyperparameter_its_model_card_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"]["hyperparameters"]["max_iter"] = _encrypted()

    assert _gate(_stack_file(tmp_path, "prod", edit), monkeypatch) == 2
    message = _refused_line(capsys.readouterr().err, "prod", "models[0].training.hyperparameters.max_iter")
    assert message.startswith("is encrypted (`secure:`), but the promotion gate")


def _refused_keys(err: str) -> list[str]:
    return [
        line.split(f": {CONFIG_KEY}.", 1)[1].split(": ", 1)[0]
        for line in err.splitlines()
        if "needs it in clear" in line
    ]


def _encrypt(*paths: tuple[str | int, ...]) -> Any:
    def edit(platform: dict[str, Any]) -> None:
        for path in paths:
            node = platform
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = _encrypted()

    return edit


DESCRIPTION = ("feature_groups", 0, "description")  # no command uses it; it reads as a tag does


def test_the_gate_names_only_the_encrypted_tag_not_a_value_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _stack_file(tmp_path, "prod", _encrypt(("tags", "owner"), DESCRIPTION))
    assert _gate(path, monkeypatch) == 2
    assert _refused_keys(capsys.readouterr().err) == ["tags.owner"]


def test_the_promotion_status_names_every_encrypted_name_it_reads_and_no_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery.promote import main

    class NoRegistry:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"read the registry ({name}) for a stack it must refuse")

    edit = _encrypt(("endpoints", 0, "name"), DESCRIPTION, ("endpoints", 0, "variants", 0, "name"))
    path = _stack_file(tmp_path, "dev", edit)
    assert main(["status", "--stack-file", str(path)], sagemaker=NoRegistry()) == 2
    assert _refused_keys(capsys.readouterr().err) == ["endpoints[0].name", "endpoints[0].variants[0].name"]


def test_the_stack_listing_names_the_encrypted_family_name_only(tmp_path: Path) -> None:
    from delivery.stacks import read_target

    def edit(platform: dict[str, Any]) -> None:
        _encrypt(DESCRIPTION)(platform)
        _unserved_encrypted_family(platform)

    with pytest.raises(ConfigError) as raised:
        read_target(_stack_file(tmp_path, "dev", edit))
    assert [key for key, _ in raised.value.problems] == [f"{CONFIG_KEY}.models[0].name"]


def test_verify_names_the_encrypted_endpoint_name_only(
    cloud: Cloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery.verify import main

    path = _stack_file(tmp_path, "dev", _encrypt(DESCRIPTION, ("endpoints", 0, "name")))
    assert main(["--stack-file", str(path)], clients=cloud.clients) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _refused_keys(captured.err) == ["endpoints[0].name"]


def test_without_a_rereading_every_leaf_read_alike_is_named() -> None:
    from stacks.project import SECRET_STAND_IN
    from stacks.secret_stand_ins import require_no_stand_in

    stand_ins = {("tags", "owner"): SECRET_STAND_IN, DESCRIPTION: SECRET_STAND_IN}
    with pytest.raises(ConfigError) as raised:
        require_no_stand_in(stand_ins, "Pulumi.dev.yaml", {"owner": SECRET_STAND_IN}, "a command")
    assert [key for key, _ in raised.value.problems] == [
        f"{CONFIG_KEY}.tags.owner",
        f"{CONFIG_KEY}.feature_groups[0].description",
    ]


def test_a_family_name_and_its_reference_both_encrypted_are_both_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """They read alike, so the endpoint's check comparing them passed on the stand-ins: the stack
    file is now refused as invalid before the status reads anything, at the reference, naming both
    (stacks.secret_stand_ins.compared_encrypted)."""
    from delivery.promote import main

    class NoRegistry:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"read the registry ({name}) for a stack it must refuse")

    def edit(platform: dict[str, Any]) -> None:
        # Two values set with --secret: two ciphertexts (one ciphertext copied is one value, which
        # the plan compares: tests/stacks/test_messages_65.py).
        platform["models"][0]["name"] = _encrypted()
        platform["endpoints"][0]["variants"][0]["model"]["latest_approved_of"] = _encrypted(
            "v1:other0123456789=="
        )

    path = _stack_file(tmp_path, "dev", edit)
    assert main(["status", "--stack-file", str(path)], sagemaker=NoRegistry()) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if f": {CONFIG_KEY}." in line]
    assert len(lines) == 1
    key, message = lines[0].split(f": {CONFIG_KEY}.", 1)[1].split(": ", 1)
    assert key == "endpoints[0].variants[0].model.latest_approved_of"
    assert "models[0].name and endpoints[0].variants[0].model.latest_approved_of are encrypted" in message


def test_the_promotion_status_reads_no_endpoint_serving_a_pinned_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its name may stay encrypted: the status reads only the endpoints that follow a family."""
    from delivery.promote import main

    class NoRegistry:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"read the registry ({name}) with nothing following a family")

    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["name"] = _encrypted()
        platform["endpoints"][0]["variants"][0]["model"] = {
            "model_package_arn": "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/3"
        }

    path = _stack_file(tmp_path, "dev", edit)
    assert main(["status", "--stack-file", str(path)], sagemaker=NoRegistry()) == 0
    assert "is encrypted" not in capsys.readouterr().err


def test_the_stack_listing_takes_an_encrypted_family_name_of_a_stack_dispatching_no_approval(
    tmp_path: Path,
) -> None:
    """The groups are read only to check the model-approved dispatches a stack sends: one that sends
    none is listed (CI deploys every stack of a listing without errors, and none of one with)."""
    from delivery.stacks import read_target

    def edit(platform: dict[str, Any]) -> None:
        platform.pop("delivery")
        platform["models"][0]["name"] = _encrypted()
        platform["endpoints"] = [
            endpoint
            for endpoint in platform["endpoints"]
            if all(v["model"].get("latest_approved_of") != "customer-churn" for v in endpoint["variants"])
        ]

    target = read_target(_stack_file(tmp_path, "dev", edit))
    assert (target.stack, target.account_id) == ("dev", "111111111111")
