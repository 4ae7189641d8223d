"""Project-level config (``Pulumi.yaml``'s ``config:``) and ESC environments in the offline plan.

Pulumi merges two things into a stack's configuration before the program runs that the stack file
does not hold (``pkg/workspace/config.go`` mergeConfig): the project's ``config:`` block (defaults
and values, with a refusal for a required key no stack sets, and type and ``secret`` checks of
typed keys) and the ``pulumiConfig`` of the Pulumi ESC environments the stack file imports. The
offline plan applies the first as Pulumi does (``stacks.project_config``, from
``read_stack_file``, so every CLI that reads a stack file for the program gets it) and names the
second, which it cannot read, on stderr and in the JSON summary.

Every test builds its own project folder (a ``Pulumi.yaml`` and a ``stacks/`` folder in tmp_path):
none edits the shipped project or stack files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ConfigError
from stacks.project import CONFIG_KEY, engine_config_values
from stacks.project_config import config_value, esc_environments, valid_config_value
from stacks.stack_file import read_stack_file
from tests.conftest import REPO, load_stack_document
from tests.stacks.project_folder import PROJECT_HEAD, project_folder


def _problems(raised: pytest.ExceptionInfo[ConfigError]) -> list[tuple[str, str]]:
    return list(raised.value.problems)


# --- merging: defaults, values, the stack's own values ---


def test_a_key_the_stack_does_not_set_takes_the_projects_default_or_value(tmp_path: Path) -> None:
    path = project_folder(
        tmp_path,
        "  team: ml-platform\n"  # shorthand under the project's namespace: a default
        "  retries:\n    type: integer\n    default: 3\n"
        "  aws:profile: shared\n"  # shorthand under another namespace: a value
        "  mlops-platform:owner:\n    value: data-science\n",
    )
    config = read_stack_file(path).config
    assert config["mlops-platform:team"] == "ml-platform"
    assert config["mlops-platform:retries"] == "3"  # Go's %v: text, as the engine passes it
    assert config["aws:profile"] == "shared"
    assert config["mlops-platform:owner"] == "data-science"


def test_the_stacks_own_value_wins_over_the_projects(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["aws:profile"] = "stack-profile"
        document["config"]["mlops-platform:team"] = "stack-team"

    path = project_folder(tmp_path, "  team: project-team\n  aws:profile: project-profile\n", edit=edit)
    config = read_stack_file(path).config
    assert config["aws:profile"] == "stack-profile"
    assert config["mlops-platform:team"] == "stack-team"


def test_the_project_can_supply_the_platform_value_itself(tmp_path: Path) -> None:
    """A stack file without ``mlops-platform:platform`` is no longer refused when the project
    gives it a default: Pulumi runs the program with the project's value."""
    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    block = "  platform:\n    default: " + json.dumps(platform) + "\n"

    def edit(document: dict[str, Any]) -> None:
        del document["config"][CONFIG_KEY]

    stack_file = read_stack_file(project_folder(tmp_path, block, edit=edit))
    assert stack_file.config[CONFIG_KEY] == platform
    assert json.loads(engine_config_values(stack_file.config)[CONFIG_KEY]) == platform


def test_without_a_project_default_a_missing_platform_is_still_refused(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["config"][CONFIG_KEY]

    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, "  team: x\n", edit=edit))
    assert _problems(raised) == [(CONFIG_KEY, "missing required key")]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (True, "true"),
        (False, "false"),
        (5, "5"),
        ("5", "5"),
        (1.5, "1.5"),
        (5.0, "5"),
        (1e-05, "0.00001"),
        (["a", 1], '["a", 1]'),
        ({"k": 2.0}, '{"k": 2}'),
    ],
)
def test_a_project_value_reaches_the_program_as_pulumi_creates_it(raw: Any, text: str) -> None:
    """createConfigValue: Go's %v for a string, int or bool; JSON (as Go writes it) otherwise."""
    assert engine_config_values({"k:v": config_value(raw)})["k:v"] == text


def test_a_project_without_a_config_block_changes_nothing(tmp_path: Path) -> None:
    path = project_folder(tmp_path, None)
    document = load_stack_document("dev")
    assert read_stack_file(path).config == document["config"]
    # an empty block, or the older `config: <folder>` naming the stacks' folder, neither
    for block in ("config: {}\n", "config: stacks\n"):
        (tmp_path / "Pulumi.yaml").write_text("name: mlops-platform\nruntime: python\n" + block)
        assert read_stack_file(path).config == document["config"]


def test_the_shipped_project_tags_are_merged_and_the_platform_is_untouched() -> None:
    shipped = read_stack_file(REPO / "stacks" / "Pulumi.dev.yaml")
    assert shipped.config["pulumi:tags"] == {"project": "mlops-platform"}
    assert shipped.environments == ()


# --- refusals Pulumi makes before the program runs ---


def test_a_required_project_key_no_stack_sets_is_refused_naming_pulumi_yaml(tmp_path: Path) -> None:
    path = project_folder(tmp_path, "  needed:\n    type: string\n    description: no default\n")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = _problems(raised)
    assert key == "config.needed"
    assert "Stack 'dev' is missing configuration value 'needed'" in message
    assert str(path) in message


def test_a_required_key_of_another_namespace_is_refused_when_the_project_loads(tmp_path: Path) -> None:
    """Project.Validate: a key outside the project's namespace must give a value."""
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, "  aws:region:\n    description: none\n"))
    [(key, message)] = _problems(raised)
    assert key == "config.aws:region"
    assert "must give a `value`" in message


def test_a_required_key_the_stack_sets_plans(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:needed"] = "here"

    config = read_stack_file(project_folder(tmp_path, "  needed:\n    type: string\n", edit=edit)).config
    assert config["mlops-platform:needed"] == "here"


@pytest.mark.parametrize(
    ("declaration", "stack_value", "accepted"),
    [
        ("type: integer", 5, True),
        ("type: integer", "12", True),
        ("type: integer", "twelve", False),
        ("type: boolean", True, True),
        ("type: boolean", "yes-please", False),
        ("type: string", "text", True),
        ("type: string", ["a"], False),
        ("type: object", {"a": 1}, True),
        ("type: object", "text", False),
        ("type: array\n    items:\n      type: integer", [1, 2], True),
        ("type: array\n    items:\n      type: integer", ["a"], False),
    ],
)
def test_a_typed_key_is_checked_against_the_stacks_value(
    tmp_path: Path, declaration: str, stack_value: Any, accepted: bool
) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:knob"] = stack_value

    path = project_folder(tmp_path, f"  knob:\n    {declaration}\n", edit=edit)
    if accepted:
        assert read_stack_file(path).config["mlops-platform:knob"] == stack_value
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    [(key, message)] = _problems(raised)
    assert key == "mlops-platform:knob"
    assert "with configuration key 'knob' must be of type" in message
    assert str(tmp_path / "Pulumi.yaml") in message


def test_a_typed_secret_key_must_be_set_encrypted(tmp_path: Path) -> None:
    block = "  token:\n    type: string\n    secret: true\n"

    def plain(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:token"] = "in-clear"

    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block, edit=plain))
    [(key, message)] = _problems(raised)
    assert key == "mlops-platform:token"
    assert "must be encrypted as it's secret" in message

    def encrypted(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:token"] = {"secure": "v1:abc"}

    assert read_stack_file(project_folder(tmp_path, block, edit=encrypted)).config[
        "mlops-platform:token"
    ] == {"secure": "v1:abc"}


def test_an_encrypted_value_is_not_type_checked_offline(tmp_path: Path) -> None:
    """Its decrypted text is not known here (an integer secret reads as the stand-in text):
    `pulumi up` checks it."""
    block = "  port:\n    type: integer\n    secret: true\n"

    def encrypted(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:port"] = {"secure": "v1:abc"}

    assert read_stack_file(project_folder(tmp_path, block, edit=encrypted)).config["mlops-platform:port"] == {
        "secure": "v1:abc"
    }


def test_a_list_shorthand_is_a_default_too(tmp_path: Path) -> None:
    config = read_stack_file(project_folder(tmp_path, "  zones: [a, b]\n  aws:ids: [1, 2]\n")).config
    assert config["mlops-platform:zones"] == ["a", "b"]
    assert engine_config_values(config)["aws:ids"] == "[1, 2]"


def test_an_untyped_secret_key_is_not_checked_as_pulumi_does_not(tmp_path: Path) -> None:
    """validateStackConfigValues checks `secret:` only on explicitly typed keys."""

    def plain(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:token"] = "in-clear"

    config = read_stack_file(project_folder(tmp_path, "  token:\n    secret: true\n", edit=plain)).config
    assert config["mlops-platform:token"] == "in-clear"


def test_a_typed_default_secret_key_is_refused_as_pulumi_refuses_it(tmp_path: Path) -> None:
    """The default lands on the stack unencrypted, and Pulumi then refuses it."""
    with pytest.raises(ConfigError) as raised:
        read_stack_file(
            project_folder(tmp_path, "  token:\n    type: string\n    secret: true\n    default: x\n")
        )
    assert "must be encrypted as it's secret" in _problems(raised)[0][1]


@pytest.mark.parametrize(
    ("block", "key", "fragment"),
    [
        ("  a:\n    default: 1\n    value: 2\n", "config.a", "both a `default` and a `value`"),
        ("  aws:region:\n    type: string\n    value: x\n", "config.aws:region", "must not declare a `type`"),
        ("  aws:region:\n    default: x\n", "config.aws:region", "did you mean `value`?"),
        (
            "  a:\n    type: integer\n    default: ten\n",
            "config.a.default",
            "not of the declared type 'integer'",
        ),
        ("  a:\n    type: array\n", "config.a", "`items:`"),
        ("  a:\n    typo: string\n", "config.a", "'typo' not allowed"),
        ("  a:\n    type: number\n", "config.a.type", "must be one of"),
        ("  a:\n", "config.a", "must be a string, integer, boolean, list, or a map"),
        ("  a: 1.5\n", "config.a", "must be a string, integer, boolean, list, or a map"),
        ("  a:b:c: 1\n", "config.a:b:c", "not a configuration key Pulumi can read"),
    ],
)
def test_a_project_file_pulumi_refuses_to_load_is_refused_naming_it(
    tmp_path: Path, block: str, key: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, block))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(where, message)] = _problems(raised)
    assert where == key
    assert fragment in message


def test_a_key_declared_by_the_project_is_no_typo_in_the_stack_file(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:team"] = "ml"
        document["config"]["mlops-platform:tem"] = "typo"

    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, "  team: default-team\n", edit=edit))
    assert [key for key, _ in _problems(raised)] == ["mlops-platform:tem"]


@pytest.mark.parametrize(
    ("type_name", "value", "valid"),
    [
        ("integer", True, False),  # a bool is no Go int
        ("integer", 3.0, True),
        ("integer", 3.5, False),
        ("integer", "+7", True),
        ("integer", "9223372036854775808", False),  # beyond strconv.Atoi's 64 bits
        ("boolean", "True", False),
        ("object", [], False),
    ],
)
def test_values_are_typed_as_pulumis_validate_config_value_types_them(
    type_name: str, value: Any, valid: bool
) -> None:
    assert valid_config_value(type_name, None, value) is valid


# --- ESC environments ---


@pytest.mark.parametrize(
    ("environment", "names"),
    [
        (["team/shared", "aws-creds"], ("team/shared", "aws-creds")),
        ({"imports": ["a", {"b": {"merge": False}}]}, ("a", "b")),
        ({"values": {"pulumiConfig": {"x": 1}}}, ("yaml",)),
        ([], ()),
        (None, ()),
    ],
)
def test_the_esc_environments_a_stack_imports_are_named(environment: Any, names: tuple[str, ...]) -> None:
    assert esc_environments({"environment": environment}) == names


def test_a_stack_importing_esc_environments_plans_with_a_note(
    tmp_path: Path, capsys, cached_recordings: None
) -> None:
    import planner.__main__ as cli

    def edit(document: dict[str, Any]) -> None:
        document["environment"] = ["team/shared"]

    path = project_folder(tmp_path, None, edit=edit)
    assert cli.main(["--config", str(path), "--format", "json"]) == cli.EXIT_OK
    captured = capsys.readouterr()
    plan = json.loads(captured.out)
    assert plan["summary"]["esc_environments_not_read"] == ["team/shared"]
    assert "team/shared" in captured.err
    assert "not in the offline plan" in captured.err
    assert plan["summary"]["resources"] > 50


def test_the_pr_summary_names_the_environments_not_read() -> None:
    from delivery.plan_summary import summarize

    plan = {
        "source": "stacks/Pulumi.dev.yaml",
        "summary": {
            "resources": 1, "components": 1, "protected": 0, "policies_evaluated": 1,
            "mandatory_violations": 0, "by_type": {}, "esc_environments_not_read": ["team/shared"],
        },
    }  # fmt: skip
    assert "`team/shared`" in summarize("dev", plan, "", 0)
    plan["summary"]["esc_environments_not_read"] = []
    assert "ESC" not in summarize("dev", plan, "", 0)


# --- through the command lines ---


def test_bin_plan_refuses_a_missing_project_key_with_exit_2_and_empty_stdout(tmp_path: Path, capsys) -> None:
    import planner.__main__ as cli

    path = project_folder(tmp_path, "  needed:\n    type: string\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert cli.run(["--config", str(path), "--format", "json"], one_shot=True) == cli.EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Pulumi.yaml" in captured.err
    assert "needed" in captured.err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_delivery_reads_stacks_with_the_project_config(tmp_path: Path) -> None:
    from delivery.stacks import read_target

    with pytest.raises(ConfigError) as raised:
        read_target(project_folder(tmp_path, "  needed:\n    type: string\n"))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")


# --- keys without a namespace in the stack file ---


def test_a_stack_key_without_a_namespace_is_the_projects(tmp_path: Path) -> None:
    """Pulumi's loader namespaces it (stackConfigNamespacedWithProject): `platform:` is the
    platform value, not a key Pulumi refuses."""

    def edit(document: dict[str, Any]) -> None:
        document["config"] = {"platform": document["config"].pop(CONFIG_KEY), **document["config"]}

    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    assert read_stack_file(project_folder(tmp_path, None, edit=edit)).config[CONFIG_KEY] == platform


def test_a_key_written_with_and_without_its_namespace_is_refused(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["platform"] = document["config"][CONFIG_KEY]

    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, None, edit=edit))
    [(key, message)] = _problems(raised)
    assert key == "platform"
    assert f"is {CONFIG_KEY}, written twice" in message


def test_a_misspelt_key_without_a_namespace_is_a_typo_named_as_written(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["platfrom"] = "x"

    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, None, edit=edit))
    [(key, message)] = _problems(raised)
    assert key == "platfrom"  # named as written
    assert f"did you mean {CONFIG_KEY}?" in message


def test_a_recording_is_cached_per_project_file(tmp_path: Path) -> None:
    """The suite's shared recordings (tests/recorded.py) key the project's Pulumi.yaml too: the
    same stack file in a project with other config is another recording."""
    from tests import recorded

    path = project_folder(tmp_path, None)
    before = recorded._key(path, "stand-in", located=False)
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_HEAD + "config:\n  team: ml\n")
    assert recorded._key(path, "stand-in", located=False) != before


def test_a_required_key_is_not_refused_when_an_esc_environment_may_set_it(tmp_path: Path) -> None:
    """mergeConfig merges the environments' pulumiConfig first: a key the stack file does not set
    may come from them, which the offline plan cannot read; it plans (and says so)."""

    def edit(document: dict[str, Any]) -> None:
        document["environment"] = ["team/shared"]

    stack_file = read_stack_file(project_folder(tmp_path, "  needed:\n    type: string\n", edit=edit))
    assert "mlops-platform:needed" not in stack_file.config
    assert stack_file.environments == ("team/shared",)


def test_a_key_declared_in_both_forms_takes_the_first_in_pulumis_sorted_order(tmp_path: Path) -> None:
    config = read_stack_file(project_folder(tmp_path, "  x: short\n  mlops-platform:x: long\n")).config
    assert config["mlops-platform:x"] == "long"  # `mlops-platform:x` sorts before `x`


def test_an_array_declared_without_items_is_refused_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(project_folder(tmp_path, "  a:\n    type: array\n    items:\n      type: number\n"))
    assert _problems(raised) == [
        ("config.a.items.type", "must be one of string, integer, boolean, array, object")
    ]
