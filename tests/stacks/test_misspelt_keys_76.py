"""A key spelt like one the program reads, in a project renamed in ``Pulumi.yaml`` (``name: acme-ml``).

Pulumi reads a bare ``platfrom:`` as ``acme-ml:platfrom`` there, a key the program never reads; it
was reported only as "``mlops-platform:platform``: missing required key", the key written never
named, where in the shipped project the same typo (``mlops-platform:platfrom``) is named ("did you
mean ...?"). The offline plan (``bin/plan``) and the program under `pulumi up` now name it, with
the stack file, the same way (:func:`stacks.project.misspelt_key`: one judge for both), exit 2 and
nothing created.

Every test builds its own project folder in tmp_path: none edits the shipped project or stack files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import record_program
from stacks.config import ConfigError, parse_platform_config
from stacks.program import load_config, load_kubeconfig
from stacks.project import CONFIG_KEY, KUBECONFIG_KEY, PROJECT
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.yaml_text import dump_document

RENAMED = "acme-ml"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64


def _project(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    """Pulumi.yaml naming the project ``name`` and stacks/Pulumi.dev.yaml holding ``document``."""
    (tmp_path / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir(exist_ok=True)
    path = tmp_path / "stacks" / "Pulumi.dev.yaml"
    path.write_text(dump_document(document))
    return path


def _platform_as(written: str) -> dict[str, Any]:
    """The dev fixture with its platform value under the key ``written``, in the same place."""
    document = load_stack_document("dev")
    document["config"] = {written if k == CONFIG_KEY else k: v for k, v in document["config"].items()}
    return document


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def _misspelt(key: str, meant: str, where: Path, *, bare: bool) -> str:
    why = "a key without a namespace is in the project's" if bare else "that is the project's namespace"
    return (
        f"is {key} to Pulumi ({why}, and {where} names the project {RENAMED}), which the program never "
        f"reads; did you mean {meant}? (the program reads it in the {PROJECT} namespace, whatever the "
        "project's name)"
    )


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("platfrom", id="bare-letters-swapped"),
        pytest.param("Platform", id="bare-cased-otherwise"),
        pytest.param("pltform", id="bare-letter-dropped"),
        pytest.param(f"{RENAMED}:platfrom", id="in-the-projects-namespace"),
    ],
)
def test_a_platform_key_lookalike_in_a_renamed_project_is_named_with_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    path = _project(tmp_path, RENAMED, _platform_as(written))
    before = _files(tmp_path)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    key = written if ":" in written else f"{RENAMED}:{written}"
    reason = _misspelt(key, CONFIG_KEY, tmp_path / "Pulumi.yaml", bare=":" not in written)
    # Named, and not also reported as "missing required key": the value is there, misspelt.
    assert raised.value.problems == [(written, reason)]
    assert raised.value.source == str(path)

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"  {path}: {written}: is {key} to Pulumi" in err
    assert f"did you mean {CONFIG_KEY}?" in err
    assert "missing required key" not in err
    assert _files(tmp_path) == before  # nothing created


def test_the_programs_namespace_lookalike_in_a_renamed_project_is_named_too(tmp_path: Path) -> None:
    written = f"{PROJECT}:platfrom"
    path = _project(tmp_path, RENAMED, _platform_as(written))

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    assert raised.value.problems == [
        (written, f"unknown key in the {PROJECT} namespace; did you mean {CONFIG_KEY}?")
    ]


def _with_kubernetes(document: dict[str, Any]) -> dict[str, Any]:
    document["config"][CONFIG_KEY]["kubernetes_serving"] = {
        "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
        "servings": [{"name": "churn-gpu", "image": IMAGE}],
    }
    return document


def test_a_secret_keys_lookalike_in_a_renamed_project_names_the_secret_key(tmp_path: Path) -> None:
    document = _with_kubernetes(load_stack_document("dev"))
    document["config"]["kubeconfg"] = {"secure": "v1:abc"}
    path = _project(tmp_path, RENAMED, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    reason = _misspelt(f"{RENAMED}:kubeconfg", KUBECONFIG_KEY, tmp_path / "Pulumi.yaml", bare=True)
    assert ("kubeconfg", reason) in raised.value.problems


def test_a_secret_keys_lookalike_in_the_shipped_project_names_the_secret_key(tmp_path: Path) -> None:
    """Not the platform key: "did you mean" names the key the typo is spelt like."""
    document = _with_kubernetes(load_stack_document("dev"))
    document["config"][f"{PROJECT}:kubeconfg"] = {"secure": "v1:abc"}
    path = _project(tmp_path, PROJECT, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    message = f"unknown key in the {PROJECT} namespace; did you mean {KUBECONFIG_KEY}?"
    assert (f"{PROJECT}:kubeconfg", message) in raised.value.problems


def test_a_key_of_the_renamed_projects_namespace_spelt_like_none_is_kept(tmp_path: Path) -> None:
    """No false alarm: the project's own keys the program does not read are left alone."""
    document = load_stack_document("dev")
    document["config"]["owner"] = "ml-team"
    document["config"][f"{RENAMED}:region"] = "eu-west-1"
    path = _project(tmp_path, RENAMED, document)

    assert read_stack_file(path).config[CONFIG_KEY] == load_stack_document("dev")["config"][CONFIG_KEY]


# --- the program under `pulumi up` (under mocks, as the engine runs it) says what the plan says ---


@pytest.mark.parametrize(
    ("project", "key", "said"),
    [
        pytest.param(
            RENAMED,
            f"{RENAMED}:platfrom",
            f"is in the project's namespace ({RENAMED}), which the program never reads; did you mean "
            f"{CONFIG_KEY}? (the program reads it in the {PROJECT} namespace, whatever the project's name)",
            id="renamed-project",
        ),
        pytest.param(
            PROJECT,
            f"{PROJECT}:platfrom",
            f"unknown key in the {PROJECT} namespace; did you mean {CONFIG_KEY}?",
            id="shipped-project",
        ),
    ],
)
def test_the_program_names_a_platform_key_lookalike(project: str, key: str, said: str) -> None:
    config = {key: json.dumps(load_stack_document("dev")["config"][CONFIG_KEY])}

    with pytest.raises(ConfigError) as raised:
        record_program(lambda: load_config("stack"), config=config, source="stack", project=project)

    assert raised.value.source == "stack"
    assert raised.value.problems == [(key, said)]


def test_the_program_names_a_lookalike_the_engine_passes_in_pulumi_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The language host may pass the configuration as ``PULUMI_CONFIG`` (JSON) rather than set it."""
    key = f"{RENAMED}:platfrom"
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({key: "{}"}))

    with pytest.raises(ConfigError) as raised:
        record_program(lambda: load_config("stack"), config={}, source="stack", project=RENAMED)

    [(named, said)] = raised.value.problems
    assert named == key
    assert f"did you mean {CONFIG_KEY}?" in said


def test_the_program_names_a_secret_keys_lookalike() -> None:
    platform = parse_platform_config(
        _with_kubernetes(load_stack_document("dev"))["config"][CONFIG_KEY], "stack"
    )

    with pytest.raises(ConfigError) as raised:
        record_program(
            lambda: load_kubeconfig(platform, "stack"), config={f"{RENAMED}:kubeconfg": "x"}, project=RENAMED
        )

    [(named, said)] = raised.value.problems
    assert named == f"{RENAMED}:kubeconfg"
    assert f"did you mean {KUBECONFIG_KEY}?" in said


def test_the_program_still_says_missing_without_a_lookalike() -> None:
    with pytest.raises(ConfigError) as raised:
        record_program(
            lambda: load_config("stack"), config={f"{RENAMED}:owner": "x"}, source="stack", project=RENAMED
        )

    [(named, said)] = raised.value.problems
    assert named == CONFIG_KEY
    assert "missing" in said
