"""Second read of the encrypted-values refusals of the commands acting in AWS (session 63 review).

The promotion gate refused any encrypted value of a family's training settings, though its model
card writes only the problem type, the framework's name and the hyperparameters of them: an
encrypted metric definition, which the gate never uses, refused the gate. It now refuses only
what the card writes (its content, key and tags), the group and the criterion it judges by.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.delivery.test_encrypted_reads_63 import _encrypted, _refused_line, _stack_file

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
