"""python -m delivery.stacks: every stack file, in promotion order, with its environment's pack config.

The stack files are built here: any number per environment, named so that alphabetical order is not
promotion order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from delivery.stacks import PROMOTION_ORDER, list_stacks, main, pack_config_path, role_variable
from stacks.defaults import ENVIRONMENTS
from tests.conftest import REPO


def _environment(name: str):
    return lambda platform: platform.update(environment=name)


@pytest.fixture
def stacks_dir(tmp_path: Path, write_stack) -> Path:
    """z-dev and b-dev (dev), m-staging (staging), a-prod (prod): four stacks, three environments."""
    write_stack("dev", name="Pulumi.z-dev.yaml")
    write_stack("dev", lambda p: p.update(account_id="444444444444"), name="Pulumi.b-dev.yaml")
    write_stack("staging", name="Pulumi.m-staging.yaml")
    write_stack("prod", name="Pulumi.a-prod.yaml")
    (tmp_path / "README.md").write_text("not a stack file")
    return tmp_path


def _github_outputs(capsys, *args: str) -> tuple[int, dict[str, object], str]:
    status = main([*args, "--github-output"])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    outputs = dict(line.split("=", 1) for line in lines)
    assert len(outputs) == len(lines), "one name=value line per output"
    return status, {name: json.loads(value) for name, value in outputs.items()}, captured.err


def test_the_promotion_order_is_every_environment_the_config_allows() -> None:
    assert PROMOTION_ORDER == ("dev", "staging", "prod")
    assert set(PROMOTION_ORDER) == set(ENVIRONMENTS)


def test_stacks_come_in_promotion_order_then_by_name(stacks_dir: Path) -> None:
    listing = list_stacks(stacks_dir)

    assert [(t.environment, t.stack) for t in listing.targets] == [
        ("dev", "b-dev"),
        ("dev", "z-dev"),
        ("staging", "m-staging"),
        ("prod", "a-prod"),
    ]
    assert listing.errors == []


def test_within_an_environment_stacks_are_ordered_by_stack_name_not_file_name(
    tmp_path: Path, write_stack
) -> None:
    # "Pulumi.dev-eu.yaml" sorts before "Pulumi.dev.yaml" ("-" < "."), but stack "dev" before "dev-eu".
    write_stack("dev", name="Pulumi.dev-eu.yaml")
    write_stack("dev", name="Pulumi.dev.yaml")

    assert [t.stack for t in list_stacks(tmp_path).targets] == ["dev", "dev-eu"]


def test_an_entry_carries_the_stack_its_environments_pack_config_and_role_variables(stacks_dir: Path) -> None:
    [entry] = [e for e in list_stacks(stacks_dir).document()["stacks"] if e["stack"] == "b-dev"]

    assert entry == {
        "stack": "b-dev",
        "stack_file": str(stacks_dir / "Pulumi.b-dev.yaml"),
        "environment": "dev",
        "region": "eu-west-1",
        "account_id": "444444444444",
        "pack_config": "policies/dev.json",
        "role_session": "b-dev",
        "preview_role_variable": "AWS_PREVIEW_ROLE_ARN_B_DEV",
        "preview_role_fallback": "AWS_PREVIEW_ROLE_ARN_DEV",
        "deploy_role_variable": "AWS_ROLE_ARN_B_DEV",
        "deploy_role_fallback": "AWS_ROLE_ARN_DEV",
    }
    assert (REPO / entry["pack_config"]).is_file()


@pytest.mark.parametrize("environment", PROMOTION_ORDER)
def test_every_environment_has_its_pack_config(environment: str) -> None:
    assert (REPO / pack_config_path(environment)).is_file()


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("dev", "AWS_ROLE_ARN_DEV"),
        ("eu-sandbox", "AWS_ROLE_ARN_EU_SANDBOX"),
        ("team.ml_2", "AWS_ROLE_ARN_TEAM_ML_2"),
    ],
)
def test_role_variable_names_are_valid_github_variable_names(name: str, variable: str) -> None:
    assert role_variable("AWS_ROLE_ARN_", name) == variable


def test_github_outputs_are_one_compact_json_line_each(stacks_dir: Path, capsys) -> None:
    status, outputs, _ = _github_outputs(capsys, "--stacks-dir", str(stacks_dir))

    assert status == 0
    assert list(outputs) == ["stack_files", "stacks", "dev", "staging", "prod", "earlier"]
    assert outputs["earlier"] == [], "a full listing: its run deploys every environment itself"
    assert [e["stack"] for e in outputs["dev"]] == ["b-dev", "z-dev"]
    assert [e["stack"] for e in outputs["staging"]] == ["m-staging"]
    assert [e["stack"] for e in outputs["prod"]] == ["a-prod"]
    assert outputs["stacks"] == outputs["dev"] + outputs["staging"] + outputs["prod"]
    assert [e["stack"] for e in outputs["stack_files"]] == ["b-dev", "z-dev", "m-staging", "a-prod"]


def test_an_environment_without_stack_files_is_an_empty_list(tmp_path: Path, write_stack, capsys) -> None:
    write_stack("dev", name="Pulumi.dev.yaml")
    write_stack("prod", name="Pulumi.prod.yaml")

    assert main(["--stacks-dir", str(tmp_path), "--github-output"]) == 0
    assert "staging=[]" in capsys.readouterr().out.splitlines(), "the string the workflows compare with"


def test_an_invalid_stack_file_exits_2_naming_the_file_and_key_and_the_rest_is_still_listed(
    stacks_dir: Path, write_stack, capsys
) -> None:
    broken = write_stack("dev", _environment("production"), name="Pulumi.broken.yaml")

    status, outputs, err = _github_outputs(capsys, "--stacks-dir", str(stacks_dir))

    assert status == 2
    assert f"{broken}: mlops-platform:platform.environment: Input should be 'dev', 'staging' or 'prod'" in err
    assert "broken" not in [e["stack"] for e in outputs["stacks"]]
    assert outputs["stack_files"][-1] == {"stack": "broken", "stack_file": str(broken)}, (
        "the offline plan still gets it, and reports the error"
    )


def test_no_stack_files_at_all_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["--stacks-dir", str(tmp_path)]) == 2
    assert "no stack files" in capsys.readouterr().err


def test_the_default_is_one_json_document_of_the_stacks_dir(
    capsys, monkeypatch, tmp_path, write_stack
) -> None:
    (tmp_path / "stacks").mkdir()
    write_stack("staging", name="stacks/Pulumi.qa.yaml")
    monkeypatch.chdir(tmp_path)

    assert main([]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["promotion_order"] == ["dev", "staging", "prod"]
    assert document["stack_files"] == [{"stack": "qa", "stack_file": "stacks/Pulumi.qa.yaml"}]
    assert document["environments"] == {"dev": [], "staging": document["stacks"], "prod": []}
    assert document["stacks"][0]["pack_config"] == "policies/staging.json"


def test_the_shipped_stack_files_are_all_valid_and_listed() -> None:
    listing = list_stacks(REPO / "stacks")

    assert listing.errors == []
    assert len(listing.targets) == len(listing.files) == len(list((REPO / "stacks").glob("Pulumi.*.yaml")))


def test_invalid_stack_files_are_listed_and_reported_by_name(tmp_path: Path, write_stack, capsys) -> None:
    names = ["e-bad", "a-bad", "d-bad", "b-bad", "f-bad", "c-bad"]  # written out of order
    for name in names:
        write_stack("dev", _environment("production"), name=f"Pulumi.{name}.yaml")
    write_stack("prod", name="Pulumi.ok.yaml")

    status, outputs, err = _github_outputs(capsys, "--stacks-dir", str(tmp_path))

    assert status == 2
    assert [entry["stack"] for entry in outputs["stack_files"]] == ["ok", *sorted(names)]
    paths = [f"{tmp_path / f'Pulumi.{name}.yaml'}: " for name in names]
    assert sorted(paths, key=err.index) == sorted(paths), "the errors come in file-name order"


def test_a_yml_stack_file_is_listed_as_invalid_and_reported_by_name_not_skipped(
    tmp_path: Path, write_stack, capsys
) -> None:
    """Pulumi reads ``Pulumi.<stack>.yaml`` here (the project file's extension), never a ``.yml``:
    skipping one without a word left a stack that never deployed and no one told."""
    write_stack("dev", name="Pulumi.dev.yaml")
    yml = write_stack("dev", name="Pulumi.sandbox.yml")

    status, outputs, err = _github_outputs(capsys, "--stacks-dir", str(tmp_path))

    assert status == 2
    assert f"{yml}: <file>: " in err and "rename it to Pulumi.sandbox.yaml" in err
    assert [e["stack"] for e in outputs["stacks"]] == ["dev"], "never deployed or previewed"
    assert outputs["stack_files"] == [
        {"stack": "dev", "stack_file": str(tmp_path / "Pulumi.dev.yaml")},
        {"stack": "Pulumi.sandbox.yml", "stack_file": str(yml)},
    ], "the offline plan job gets it (keyed by its file name), and reports the refusal"


def test_a_folder_of_yml_stack_files_alone_reports_each_not_no_stack_files(
    tmp_path: Path, write_stack, capsys
) -> None:
    yml = write_stack("dev", name="Pulumi.dev.yml")

    assert main(["--stacks-dir", str(tmp_path)]) == 2

    err = capsys.readouterr().err
    assert f"{yml}: <file>: " in err
    assert "no stack files" not in err


def test_a_stack_file_with_an_upper_case_extension_is_listed_as_invalid_too(
    tmp_path: Path, write_stack, capsys
) -> None:
    write_stack("dev", name="Pulumi.dev.yaml")
    upper = write_stack("dev", name="Pulumi.eu.YAML")
    write_stack("dev", name="Pulumi.us.Yml")
    (tmp_path / "notes.yml").write_text("not a stack file: no Pulumi. prefix")
    (tmp_path / "Pulumi.yml").write_text("a project file's name, not a stack file's")

    status, outputs, err = _github_outputs(capsys, "--stacks-dir", str(tmp_path))

    assert status == 2
    assert f"{upper}: <file>: is a .YAML file" in err
    assert [entry["stack"] for entry in outputs["stack_files"]] == ["dev", "Pulumi.eu.YAML", "Pulumi.us.Yml"]


def test_a_refused_twin_gets_a_matrix_key_of_its_own_not_its_stacks_name(
    tmp_path: Path, write_stack, capsys
) -> None:
    """Each ``stack_files`` entry is one offline plan job, and its ``stack`` names the job's files
    and its artifact (``plan-<stack>``, pull-request.yml), which must be unique in a run: a second
    upload under one name fails the job (upload-artifact v4) and the PR comment shows one of the
    two. A ``Pulumi.dev.yml`` (or ``.YAML``) beside ``Pulumi.dev.yaml`` was keyed ``dev`` twice; a
    refused file is keyed by its file name, which no other entry can take."""
    write_stack("dev", name="Pulumi.dev.yaml")
    yml = write_stack("dev", name="Pulumi.dev.yml")
    upper = write_stack("dev", name="Pulumi.dev.YAML")

    status, outputs, _ = _github_outputs(capsys, "--stacks-dir", str(tmp_path))

    assert status == 2
    assert outputs["stack_files"] == [
        {"stack": "dev", "stack_file": str(tmp_path / "Pulumi.dev.yaml")},
        {"stack": "Pulumi.dev.YAML", "stack_file": str(upper)},
        {"stack": "Pulumi.dev.yml", "stack_file": str(yml)},
    ]
    assert [entry["stack"] for entry in outputs["stacks"]] == ["dev"]
