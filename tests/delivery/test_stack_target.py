"""Region and account for the workflows come from the stack file itself."""

from __future__ import annotations

import pytest

from delivery.stack_target import main, stack_target
from tests.conftest import STACKS, load_stack_document, stack_path


@pytest.mark.parametrize("stack", STACKS)
def test_the_target_is_the_stack_files_region_and_account(stack: str) -> None:
    platform = load_stack_document(stack)["config"]["mlops-platform:platform"]

    assert stack_target(stack_path(stack)) == {
        "stack": stack,
        "region": platform["region"],
        "account_id": platform["account_id"],
    }


def test_the_cli_prints_github_output_lines(capsys, monkeypatch) -> None:
    monkeypatch.chdir(stack_path("prod").parent.parent)  # --stack reads stacks/Pulumi.<stack>.yaml

    assert main(["--stack", "prod"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "stack=prod",
        "region=eu-west-1",
        "account_id=333333333333",
    ]


def test_an_invalid_stack_file_exits_2_naming_the_key(write_stack, capsys) -> None:
    path = write_stack("prod", lambda platform: platform.update(account_id="333"))

    assert main(["--stack-file", str(path)]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and "account_id" in error
