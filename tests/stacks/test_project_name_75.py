"""A project renamed in ``Pulumi.yaml`` (``name: payments-mlops``): the offline plan reads the stack
file's keys as Pulumi reads them for that project.

Pulumi puts a stack file's key written without a namespace in the project's (``workspace/loaders.go``,
``stackConfigNamespacedWithProject``): ``platform:`` is ``payments-mlops:platform`` there, which the
program (it reads ``mlops-platform:platform``, ``:kubeconfig`` and ``:approval_dispatch_token``
whatever the project's name) never reads, so `pulumi up` would run without it. The plan refuses
such a key (exit 2, the file and the key as written named, what to write instead said) rather than
plan it as ``mlops-platform:platform``; a key written in full plans as in the shipped project, under
the project's name (URNs, ``pulumi.get_project()``), as the engine runs it.

Every test builds its own project folder in tmp_path: none edits the shipped project or stack files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import ResourceGraph, record_program
from planner.report import json_value
from stacks.config import ConfigError, parse_platform_config
from stacks.delivery_config import TOKEN_KEY
from stacks.program import load_approval_dispatch_token, load_config, load_kubeconfig
from stacks.project import CONFIG_KEY, KUBECONFIG_KEY
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

RENAMED = "payments-mlops"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64


def _project(tmp_path: Path, name: str, document: dict[str, Any], config_block: str = "") -> Path:
    """Pulumi.yaml naming the project ``name`` (with ``config_block`` under ``config:``) and
    stacks/Pulumi.dev.yaml holding ``document``; returns the stack file."""
    head = f"name: {name}\nruntime: python\nstackConfigDir: stacks\n"
    (tmp_path / "Pulumi.yaml").write_text(head + (f"config:\n{config_block}" if config_block else ""))
    (tmp_path / "stacks").mkdir(exist_ok=True)
    path = tmp_path / "stacks" / "Pulumi.dev.yaml"
    path.write_text(dump_document(document))
    return path


def _renamed_key(document: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """``document`` with its ``config:`` key ``old`` written as ``new``, in the same place."""
    document["config"] = {new if key == old else key: value for key, value in document["config"].items()}
    return document


def _with_secrets(platform: dict[str, Any]) -> None:
    """A Kubernetes serving and an approval dispatch: the program reads the kubeconfig and the token."""
    platform["kubernetes_serving"] = {
        "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
        "servings": [{"name": "churn-gpu", "image": IMAGE}],
    }
    platform["delivery"] = {"approval_dispatch": {"repository": "example-org/mlops-deploy"}}


def _shape(graph: ResourceGraph, project: str) -> list[str]:
    """Each resource but the root stack as JSON (assets by their source), the project's name in the
    URNs it holds (parent, dependencies, provider: the project's and the root stack's name) written
    ``<project>``: the product's own names (``mlops-platform-dev: data encryption``) are kept."""
    return [
        json.dumps(
            [r.type, r.name, r.parent, r.dependencies, r.provider, r.inputs],
            default=json_value,
            sort_keys=True,
        )
        .replace(f"::{project}::", "::<project>::")
        .replace(f"Stack::{project}-", "Stack::<project>-")
        for r in graph.resources
        if r.type != "pulumi:pulumi:Stack"
    ]


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# --- a key without a namespace, in a renamed project: refused, the file and the key named ---


def _misplaced(key: str, meant: str, where: Path, *, bare: bool = True) -> str:
    why = "a key without a namespace is in the project's" if bare else "that is the project's namespace"
    return (
        f"is {key} to Pulumi ({why}, and {where} names the project {RENAMED}), which the program never "
        f"reads: it reads {meant}, whatever the project's name"
    )


def test_a_bare_platform_key_in_a_renamed_project_is_refused_naming_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path, RENAMED, _renamed_key(load_stack_document("dev"), CONFIG_KEY, "platform"))
    before = _files(tmp_path)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    reason = _misplaced(f"{RENAMED}:platform", CONFIG_KEY, tmp_path / "Pulumi.yaml")
    # Refused as such, not as `mlops-platform:platform: missing` too: the value is there, misplaced.
    assert raised.value.problems == [("platform", f"{reason}; write the key as {CONFIG_KEY}")]
    assert raised.value.source == str(path)

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"  {path}: platform: is {RENAMED}:platform to Pulumi" in err
    assert f"write the key as {CONFIG_KEY}" in err
    assert _files(tmp_path) == before  # nothing created


@pytest.mark.parametrize(
    ("written", "meant", "setting"),
    [
        pytest.param(
            "kubeconfig",
            KUBECONFIG_KEY,
            f'pulumi config set --secret {KUBECONFIG_KEY} "$(cat kubeconfig)"',
            id="kubeconfig-bare",
        ),
        pytest.param(
            "approval_dispatch_token",
            TOKEN_KEY,
            f"pulumi config set --secret {TOKEN_KEY} <token>",
            id="token-bare",
        ),
        pytest.param(
            f"{RENAMED}:kubeconfig",
            KUBECONFIG_KEY,
            f'pulumi config set --secret {KUBECONFIG_KEY} "$(cat kubeconfig)"',
            id="kubeconfig-in-the-projects-namespace",
        ),
    ],
)
@pytest.mark.parametrize("value", [{"secure": "v1:abc"}, "apiVersion: v1"], ids=["encrypted", "plain"])
def test_a_secret_key_in_a_renamed_projects_namespace_is_refused(
    tmp_path: Path, written: str, meant: str, setting: str, value: Any
) -> None:
    document = load_stack_document("dev")
    _with_secrets(document["config"][CONFIG_KEY])
    for key in (KUBECONFIG_KEY, TOKEN_KEY):
        document["config"].pop(key, None)  # the dev fixture sets the token in full
    document["config"][written] = value
    path = _project(tmp_path, RENAMED, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    key = f"{RENAMED}:{meant.split(':', 1)[1]}"
    reason = _misplaced(key, meant, tmp_path / "Pulumi.yaml", bare=":" not in written)
    assert (written, f"{reason}; write the key as {meant} ({setting})") in raised.value.problems
    assert f"  {path}: {written}: is {key} to Pulumi" in str(raised.value)


def test_a_bare_platform_value_written_as_json_text_is_refused_alone(tmp_path: Path) -> None:
    """The platform value as JSON text (a string, which the program parses as it parses a map) under
    a bare key of a renamed project: refused as misplaced, as a map is, and not as missing too."""
    document = load_stack_document("dev")
    document = _renamed_key(document, CONFIG_KEY, "platform")
    document["config"]["platform"] = json.dumps(document["config"]["platform"])
    path = _project(tmp_path, RENAMED, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    reason = _misplaced(f"{RENAMED}:platform", CONFIG_KEY, tmp_path / "Pulumi.yaml")
    assert raised.value.problems == [("platform", f"{reason}; write the key as {CONFIG_KEY}")]


def test_a_key_pulumi_cannot_parse_says_where_a_bare_name_lands_in_a_renamed_project(tmp_path: Path) -> None:
    document = load_stack_document("dev")
    document["config"]["aws:foo:bar"] = "x"
    path = _project(tmp_path, RENAMED, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    [(key, message)] = raised.value.problems
    assert key == "aws:foo:bar"
    assert f"or a name alone, in the project's namespace ({RENAMED}), and Pulumi refuses" in message
    assert "mlops-platform namespace alone" not in message


def test_the_platform_key_in_the_renamed_projects_namespace_is_refused(tmp_path: Path) -> None:
    written = f"{RENAMED}:platform"
    path = _project(tmp_path, RENAMED, _renamed_key(load_stack_document("dev"), CONFIG_KEY, written))

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    reason = _misplaced(written, CONFIG_KEY, tmp_path / "Pulumi.yaml", bare=False)
    assert raised.value.problems == [(written, f"{reason}; write the key as {CONFIG_KEY}")]


def test_a_bare_platform_key_beside_the_full_one_is_to_be_removed(tmp_path: Path) -> None:
    document = load_stack_document("dev")
    document["config"]["platform"] = {"environment": "dev"}
    path = _project(tmp_path, RENAMED, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    reason = _misplaced(f"{RENAMED}:platform", CONFIG_KEY, tmp_path / "Pulumi.yaml")
    assert raised.value.problems == [
        ("platform", f"{reason}, and this file sets that too (as {CONFIG_KEY}): remove this key")
    ]


def test_a_project_declaration_in_a_renamed_projects_namespace_is_refused(tmp_path: Path) -> None:
    """Pulumi.yaml's ``config:`` reads a key without a namespace in the project's too: a default
    for ``platform.name_prefix`` there would land in ``payments-mlops:platform``."""
    path = _project(
        tmp_path, RENAMED, load_stack_document("dev"), "  platform.name_prefix:\n    default: pay\n"
    )

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    assert raised.value.problems == [
        (
            "config.platform.name_prefix",
            f"is {RENAMED}:platform.name_prefix to Pulumi (the project's namespace, and this file names the "
            f"project {RENAMED}), which the program never reads: it reads {CONFIG_KEY}, whatever the "
            f"project's name; declare it as {CONFIG_KEY}.name_prefix (with a `value:`: a key of another "
            "namespace than the project's takes no `default:` or `type:`) or set it in the stack files",
        )
    ]


def test_a_renamed_projects_declaration_in_the_programs_namespace_is_merged(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        RENAMED,
        load_stack_document("dev"),
        f"  {KUBECONFIG_KEY}:\n    value: 'apiVersion: v1'\n  team: payments\n",
    )

    config = read_stack_file(path).config

    assert config[KUBECONFIG_KEY] == "apiVersion: v1"
    assert config[f"{RENAMED}:team"] == "payments"  # the project's own key, which nothing reads


def test_a_bare_stack_key_meets_the_renamed_projects_bare_declaration(tmp_path: Path) -> None:
    """``Pulumi.yaml``'s ``team:`` (required: no default) and the stack file's ``team:`` are one key,
    ``payments-mlops:team``, as Pulumi reads both: not a typo in the program's namespace, nor a
    required key left unset."""
    document = load_stack_document("dev")
    document["config"]["team"] = "payments"
    path = _project(tmp_path, RENAMED, document, "  team:\n    type: string\n")

    config = read_stack_file(path).config

    assert config[f"{RENAMED}:team"] == "payments"
    assert "mlops-platform:team" not in config


# --- keys written in full, in a renamed project: planned as before, under the project's name ---


def test_full_keys_in_a_renamed_project_plan_as_in_the_shipped_one(tmp_path: Path) -> None:
    document = load_stack_document("dev")
    serving_cut(document["config"][CONFIG_KEY])
    for folder in ("renamed", "shipped"):
        (tmp_path / folder).mkdir()
    renamed = _project(tmp_path / "renamed", RENAMED, document)
    shipped = _project(tmp_path / "shipped", "mlops-platform", document)

    stack_file = read_stack_file(renamed)
    assert stack_file.project == RENAMED
    assert stack_file.config == read_stack_file(shipped).config
    graph, expected = recorded_stack(renamed), recorded_stack(shipped)

    assert _shape(graph, RENAMED) == _shape(expected, "mlops-platform")
    # As the engine runs it: the project's name in every URN, the root stack named for it.
    assert all(f"::{RENAMED}::" in r.urn for r in graph.resources)
    [root] = [r for r in graph.resources if r.type == "pulumi:pulumi:Stack"]
    assert root.name == f"{RENAMED}-dev"
    assert graph.warnings == expected.warnings


@pytest.mark.parametrize(
    ("key", "value", "setting"),
    [
        pytest.param(
            KUBECONFIG_KEY,
            "",
            f'pulumi config set --secret {KUBECONFIG_KEY} "$(cat kubeconfig)"',
            id="kubeconfig",
        ),
        pytest.param(TOKEN_KEY, " ", f"pulumi config set --secret {TOKEN_KEY} <token>", id="token"),
    ],
)
def test_an_empty_secret_in_a_renamed_project_says_to_set_the_full_key(
    tmp_path: Path, key: str, value: str, setting: str
) -> None:
    """``pulumi config set --secret kubeconfig`` would set ``payments-mlops:kubeconfig`` there."""
    document = load_stack_document("dev")
    _with_secrets(document["config"][CONFIG_KEY])
    document["config"][KUBECONFIG_KEY] = "apiVersion: v1"
    document["config"][TOKEN_KEY] = "a-token"
    document["config"][key] = value
    path = _project(tmp_path, RENAMED, document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    [(named, problem)] = raised.value.problems
    assert named == key
    assert f"({setting})" in problem


# --- the shipped project's name, and no project file: as before ---


@pytest.mark.parametrize("written", ["platform", CONFIG_KEY])
def test_in_a_project_named_mlops_platform_either_form_is_the_platform_key(
    tmp_path: Path, written: str
) -> None:
    path = _project(tmp_path, "mlops-platform", _renamed_key(load_stack_document("dev"), CONFIG_KEY, written))

    stack_file = read_stack_file(path)

    assert stack_file.project == "mlops-platform"
    assert stack_file.platform == load_stack_document("dev")["config"][CONFIG_KEY]


def test_without_a_project_file_a_bare_key_is_the_platform_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no Pulumi.yaml here or above the stack file
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(dump_document(_renamed_key(load_stack_document("dev"), CONFIG_KEY, "platform")))

    stack_file = read_stack_file(path)

    assert stack_file.project == "mlops-platform"
    assert CONFIG_KEY in stack_file.config


def test_an_empty_secret_in_the_shipped_project_still_says_the_bare_name(tmp_path: Path) -> None:
    document = load_stack_document("dev")
    _with_secrets(document["config"][CONFIG_KEY])
    document["config"][KUBECONFIG_KEY] = ""
    document["config"][TOKEN_KEY] = "a-token"
    path = _project(tmp_path, "mlops-platform", document)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)

    assert raised.value.problems == [
        (
            KUBECONFIG_KEY,
            "is empty, and the Kubernetes provider reads an empty kubeconfig as none and falls back to "
            "$KUBECONFIG or ~/.kube/config, whichever cluster that is: set it (pulumi config set --secret "
            'kubeconfig "$(cat kubeconfig)") or remove it',
        )
    ]


# --- the program under `pulumi up` in a renamed project (under mocks, as the engine runs it) ---


def _platform_with_secrets() -> dict[str, Any]:
    platform: dict[str, Any] = load_stack_document("dev")["config"][CONFIG_KEY]
    _with_secrets(platform)
    return platform


def test_the_program_names_a_platform_value_in_the_renamed_projects_namespace() -> None:
    config = {f"{RENAMED}:platform": json.dumps(load_stack_document("dev")["config"][CONFIG_KEY])}

    with pytest.raises(ConfigError) as raised:
        record_program(lambda: load_config("stack"), config=config, source="stack", project=RENAMED)

    assert raised.value.problems == [
        (
            f"{RENAMED}:platform",
            f"is in the project's namespace ({RENAMED}), which the program never reads: it reads "
            f"{CONFIG_KEY}, whatever the project's name; write the key as {CONFIG_KEY}",
        )
    ]


@pytest.mark.parametrize(
    ("load", "key", "setting"),
    [
        pytest.param(
            load_kubeconfig, KUBECONFIG_KEY, f'--secret {KUBECONFIG_KEY} "$(cat kubeconfig)"', id="kubeconfig"
        ),
        pytest.param(load_approval_dispatch_token, TOKEN_KEY, f"--secret {TOKEN_KEY} <token>", id="token"),
    ],
)
def test_the_program_names_a_secret_in_the_renamed_projects_namespace(
    load: Any, key: str, setting: str
) -> None:
    platform = parse_platform_config(_platform_with_secrets(), "stack")
    name = key.split(":", 1)[1]

    with pytest.raises(ConfigError) as misplaced:
        record_program(lambda: load(platform, "stack"), config={f"{RENAMED}:{name}": "x"}, project=RENAMED)
    with pytest.raises(ConfigError) as missing:
        record_program(lambda: load(platform, "stack"), config={}, project=RENAMED)
    with pytest.raises(ConfigError) as shipped:
        record_program(lambda: load(platform, "stack"), config={})

    assert misplaced.value.problems == [
        (
            f"{RENAMED}:{name}",
            f"is in the project's namespace ({RENAMED}), which the program never reads: it reads "
            f"{key}, whatever the project's name; write the key as {key}",
        )
    ]
    [(named, said)] = missing.value.problems
    assert named == key
    assert said.endswith(f"pulumi config set {setting}")
    [(named, said)] = shipped.value.problems
    assert said.endswith(f"pulumi config set --secret {name} {setting.split(' ', 2)[2]}")
