"""Commands that act in AWS on a stack file's values refuse an encrypted one they would use (session 63).

The offline reading has only a stand-in for an encrypted leaf of the platform map. The post-deploy
check (``delivery.verify``), the promotion status (``delivery.promote status``), CI's stack listing
(``delivery.stacks``) and the promotion gate (``pipelines.promotion``) look up or write in AWS what
the stack file names; a stand-in there would be looked for (an endpoint that does not exist) or
written (a model card tagged with it). Each refuses such a stack file with exit 2 (the listing: the
file among its errors), naming the file and the key, saying it is encrypted and what needs it in
clear; an encrypted leaf none of them uses (an alert subscription's URL) is no reason to refuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.project import SECRET_STAND_IN
from tests.conftest import load_stack_document
from tests.delivery.conftest import Cloud
from tests.stacks.project_folder import project_folder


def _encrypted(text: str = "v1:abcdefABCDEF0123456789==") -> dict[str, str]:
    return {"secure": text}


def _stack_file(tmp_path: Path, stack: str, edit: Any) -> Path:
    document = load_stack_document(stack)
    edit(document["config"][CONFIG_KEY])
    tmp_path.mkdir(parents=True, exist_ok=True)
    return project_folder(tmp_path, document=document, stack=stack)


def _refused_line(err: str, stack: str, key: str) -> str:
    line = next(line for line in err.splitlines() if f": {CONFIG_KEY}.{key}: " in line)
    assert f"Pulumi.{stack}.yaml" in line
    assert SECRET_STAND_IN not in line
    return line.split(f": {CONFIG_KEY}.{key}: ", 1)[1]


def _encrypt_endpoint_name(platform: dict[str, Any]) -> None:
    platform["endpoints"][0]["name"] = _encrypted()


def _encrypt_alert_url(platform: dict[str, Any]) -> None:
    platform.setdefault("alerts", {})["subscriptions"] = [{"protocol": "https", "endpoint": _encrypted()}]


def _unserved_encrypted_family(platform: dict[str, Any]) -> None:
    """models[0] (customer-churn) with its name encrypted and no endpoint following it (an endpoint
    naming it in clear is refused by the plan's own check)."""
    platform["models"][0]["name"] = _encrypted()
    platform["endpoints"] = [
        endpoint
        for endpoint in platform["endpoints"]
        if all(v["model"].get("latest_approved_of") != "customer-churn" for v in endpoint["variants"])
    ]
    for key in ("shared_endpoints", "kubernetes_serving"):
        platform.pop(key, None)


def test_verify_refuses_an_encrypted_endpoint_name_instead_of_looking_for_its_stand_in(
    cloud: Cloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery.verify import main

    path = _stack_file(tmp_path, "dev", _encrypt_endpoint_name)
    assert main(["--stack-file", str(path)], clients=cloud.clients) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no check ran, no report
    message = _refused_line(captured.err, "dev", "endpoints[0].name")
    assert message.startswith("is encrypted (`secure:`), but the post-deploy check")
    assert "needs it in clear" in message and "set it without --secret" in message


def test_verify_checks_a_stack_whose_encrypted_leaves_it_does_not_use(
    cloud: Cloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery.verify import main

    path = _stack_file(tmp_path, "dev", _encrypt_alert_url)
    # Nothing is deployed in this empty account: the checks run and fail (1), not refused (2).
    assert main(["--stack-file", str(path)], clients=cloud.clients) == 1
    captured = capsys.readouterr()
    assert "is encrypted" not in captured.err
    assert "post-deploy check of" in captured.out


def test_the_promotion_status_refuses_an_encrypted_endpoint_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery.promote import main

    class NoRegistry:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"read the registry ({name}) for a stack it must refuse")

    path = _stack_file(tmp_path, "dev", _encrypt_endpoint_name)
    assert main(["status", "--stack-file", str(path)], sagemaker=NoRegistry()) == 2
    message = _refused_line(capsys.readouterr().err, "dev", "endpoints[0].name")
    assert "the promotion status (it reads the endpoints and model package groups" in message


def test_the_stack_listing_refuses_an_encrypted_family_name_and_lists_other_encrypted_leaves(
    tmp_path: Path,
) -> None:
    from delivery.stacks import read_target

    with pytest.raises(ConfigError) as raised:
        read_target(_stack_file(tmp_path / "family", "dev", _unserved_encrypted_family))
    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.models[0].name"
    assert "is encrypted (`secure:`), but the deploy listing" in message
    assert "Pulumi.dev.yaml" in str(raised.value)

    target = read_target(_stack_file(tmp_path / "url", "dev", _encrypt_alert_url))
    assert dict(target.model_package_groups)["customer-churn"] == "dev-customer-churn"


def test_the_promotion_gate_refuses_an_encrypted_family_name_it_looks_among(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.promotion import main

    path = _stack_file(tmp_path, "dev", _unserved_encrypted_family)
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/1"
    code = main(["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn])
    assert code == 2
    message = _refused_line(capsys.readouterr().err, "dev", "models[0].name")
    assert "is encrypted (`secure:`), but the promotion gate" in message


def test_the_promotion_gate_refuses_an_encrypted_tag_its_model_card_would_carry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """prod requires model cards: the gate creates the version's card with the stack's tags."""
    import boto3

    from pipelines.promotion import main

    monkeypatch.setattr(boto3, "client", lambda *_, **__: pytest.fail("called AWS for a refused stack"))

    def edit(platform: dict[str, Any]) -> None:
        platform["tags"]["owner"] = _encrypted()

    path = _stack_file(tmp_path, "prod", edit)
    arn = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/1"
    code = main(["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn])
    assert code == 2
    message = _refused_line(capsys.readouterr().err, "prod", "tags.owner")
    assert "the promotion gate (the model package group it judges, the model card it creates)" in message
