"""Second read of the project-config merge and the ESC note (b6010e9..70d75ea), against Pulumi's source.

Each fix below has a test that fails on the code as it was merged and passes with it (CHANGELOG:
the entry "the offline plan merges Pulumi.yaml's project config..."); the tests named "still" or
"alone", and the accepted cases beside refused ones, guard the neighbouring behaviour (they passed
before too):

* an empty inline ESC definition (``environment: {}``, ``{imports: []}``, ``{values: {}}``)
  imports nothing (``Environment.Imports()`` is empty): no note, and a required key the stack does
  not set is refused as before (it was named "an environment definition this plan cannot read",
  which also lifted the refusal);
* a typed ``secret: true`` key set as an object or array with an encrypted leaf (``pulumi config
  set --secret --path 'db.password' ...``) is encrypted for Pulumi (``Value.Secure()`` is true when
  any leaf is): it was refused as set in clear; and an encrypted leaf's type is Pulumi's to check
  (its text is not known offline): an ``array<integer>`` with one was refused as not integers;
* a typed key's project ``value:`` that is a float lands as a JSON value, which Pulumi checks as
  the number it decodes to: ``type: string`` with ``value: 0.5`` is refused by ``pulumi up``; it
  was checked as the text ``0.5`` and planned;
* a ``Pulumi.yaml`` naming the stack files' folder twice (the older ``config: <folder>`` beside
  ``stackConfigDir``), which Pulumi refuses to load, is refused naming it (it was read as no config);
* ``pulumi:tags`` (the shipped ``Pulumi.yaml`` sets it) is read by Pulumi Cloud, the default
  backend, as the stack's tags at ``pulumi up``, which refuses anything but a map of text
  (``cost-center: 1001`` unquoted): the plan was clean; it now refuses it naming the file that
  sets it (the stack file's value replaces the project's whole; a stack importing ESC environments,
  which may set the tags first, is not refused for the project's);
* a float default below 1e-6 reaches the program as Go's ``json.Marshal`` writes it (``1e-7``), not
  as Python's repr (``1e-07``);

Checked against Pulumi and found alike (no change): default vs value (the loader refuses both;
mergeConfig would take the default), createConfigValue's ``%v`` text for strings, ints and bools
and JSON for the rest, the missing-key refusal only in the project's namespace, type checks only
on explicitly typed keys, the shorthand (the project's bare value a default, another namespace's a
value), ``pulumi:tags`` passed to the program like any key, the recording cache's key (the stack file's project file, nothing volatile).
Left alone: a whole float ``value: 5.0`` under ``type: string`` (the loader reads ``5.0`` as ``5``,
so the float is not seen), dotted project keys (now merged as paths:
test_engine_reading_mutation_audit.py),
a ciphertext written as a project default (Pulumi does not count it as encrypted).

Every test builds its own project folder in tmp_path: none edits the shipped project or stacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import ConfigError
from stacks.project_config import config_value, esc_environments
from stacks.stack_file import read_stack_file
from tests.stacks.project_folder import PROJECT_HEAD, project_folder

# --- ESC: an empty inline definition imports nothing ---


@pytest.mark.parametrize("environment", [{}, {"imports": []}, {"values": {}}, {"imports": [], "values": {}}])
def test_an_empty_inline_environment_imports_nothing(environment: dict[str, Any]) -> None:
    """Environment.Imports(): the imports' names, and ``yaml`` when ``values`` has entries."""
    assert esc_environments({"environment": environment}) == ()


def test_an_empty_inline_environment_does_not_lift_the_required_key_refusal(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["environment"] = {}

    path = project_folder(tmp_path, "  owner:\n    type: string\n", edit=edit)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    assert "is missing configuration value 'owner'" in raised.value.problems[0][1]


def test_an_inline_environment_pulumi_cannot_read_is_still_named() -> None:
    """An import list of another shape: the plan cannot tell what it imports, and says so."""
    assert esc_environments({"environment": {"imports": "team/shared"}}) == (
        "an environment definition this plan cannot read",
    )
    assert esc_environments({"environment": "team/shared"}) == (
        "an environment definition this plan cannot read",
    )


# --- secrets: an encrypted leaf makes an object or array value secure ---


def _secret_stack(tmp_path: Path, block: str, value: Any) -> Path:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:db"] = value

    return project_folder(tmp_path, block, edit=edit)


def test_a_secret_object_with_an_encrypted_leaf_is_encrypted_for_pulumi(tmp_path: Path) -> None:
    value = {"user": "app", "password": {"secure": "v1:abc"}}
    path = _secret_stack(tmp_path, "  db:\n    type: object\n    secret: true\n", value)
    assert read_stack_file(path).config["mlops-platform:db"] == value


def test_a_secret_array_with_an_encrypted_item_is_encrypted_for_pulumi(tmp_path: Path) -> None:
    value = [1, {"secure": "v1:abc"}]
    block = "  db:\n    type: array\n    items:\n      type: integer\n    secret: true\n"
    assert read_stack_file(_secret_stack(tmp_path, block, value)).config["mlops-platform:db"] == value


def test_an_encrypted_leafs_type_is_left_to_pulumi(tmp_path: Path) -> None:
    value = [1, {"secure": "v1:abc"}]
    block = "  db:\n    type: array\n    items:\n      type: integer\n"
    assert read_stack_file(_secret_stack(tmp_path, block, value)).config["mlops-platform:db"] == value


def test_a_secret_object_without_an_encrypted_leaf_is_still_refused(tmp_path: Path) -> None:
    path = _secret_stack(tmp_path, "  db:\n    type: object\n    secret: true\n", {"user": "app"})
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert "must be encrypted as it's secret" in raised.value.problems[0][1]


def test_the_clear_leaves_beside_an_encrypted_one_are_still_type_checked(tmp_path: Path) -> None:
    value = ["one", {"secure": "v1:abc"}]
    block = "  db:\n    type: array\n    items:\n      type: integer\n"
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_secret_stack(tmp_path, block, value))
    assert "must be of type 'array<integer>'" in raised.value.problems[0][1]


# --- a float's text, as Go's json.Marshal writes it ---


@pytest.mark.parametrize(
    ("raw", "text"),
    [(1e-07, "1e-7"), (-2.5e-09, "-2.5e-9"), (1.5e-10, "1.5e-10"), (1e21, "1e+21"), (2.5e-06, "0.0000025")],
)
def test_a_float_in_exponent_notation_is_written_as_go_writes_it(raw: float, text: str) -> None:
    """encoding/json's floatEncoder: 'e' format below 1e-6 and from 1e21, then ``e-09`` -> ``e-9``."""
    assert config_value(raw) == text


# --- a typed key's float value is checked as the number Pulumi decodes ---


@pytest.mark.parametrize(
    ("declaration", "accepted"),
    [
        ("type: string\n    value: 0.5", False),
        ("type: integer\n    value: 0.5", False),
        ("type: boolean\n    value: 0.5", False),
        ("type: string\n    value: '0.5'", True),
        ("type: string\n    value: 5", True),  # an int lands as text (%v)
    ],
)
def test_a_typed_keys_float_value_is_checked_as_a_number(
    tmp_path: Path, declaration: str, accepted: bool
) -> None:
    path = project_folder(tmp_path, f"  ratio:\n    {declaration}\n")
    if accepted:
        assert isinstance(read_stack_file(path).config["mlops-platform:ratio"], str)
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    [(key, message)] = raised.value.problems
    assert key == "mlops-platform:ratio"
    assert "with configuration key 'ratio' must be of type" in message


# --- Pulumi.yaml: the older `config: <folder>` beside stackConfigDir ---


def test_a_project_naming_its_stack_folder_twice_is_refused(tmp_path: Path) -> None:
    """RewriteConfigPathIntoStackConfigDir: "Should not use both config and stackConfigDir"."""
    path = project_folder(tmp_path, None)
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_HEAD + "config: stacks\n")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = raised.value.problems
    assert key == "config"
    assert "Should not use both config and stackConfigDir" in message


def test_the_older_config_folder_alone_is_no_config(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    path = project_folder(tmp_path, None)
    (tmp_path / "Pulumi.yaml").write_text("name: mlops-platform\nruntime: python\nconfig: stacks\n")
    assert read_stack_file(path).config == read_stack_file(project_folder(tmp_path / "other", None)).config


# --- pulumi:tags: Pulumi Cloud's stack tags, a map of text ---

TAGS_BLOCK = "  pulumi:tags:\n    value:\n      project: mlops-platform\n"


def test_a_project_tag_that_is_not_text_is_refused_naming_pulumi_yaml(tmp_path: Path) -> None:
    path = project_folder(tmp_path, TAGS_BLOCK + "      cost-center: 1001\n")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = raised.value.problems
    assert key == "pulumi:tags.cost-center"
    assert "pulumi:tags[cost-center] must be a string" in message


def test_a_stack_files_tags_not_a_map_are_refused_naming_the_stack_file(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["pulumi:tags"] = "project=mlops-platform"

    path = project_folder(tmp_path, TAGS_BLOCK, edit=edit)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    assert raised.value.problems[0][0] == "pulumi:tags"
    assert "must be an object of strings" in raised.value.problems[0][1]


def test_a_stack_files_text_tags_replace_the_projects_bad_ones(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["pulumi:tags"] = {"cost-center": "1001"}

    path = project_folder(tmp_path, TAGS_BLOCK + "      cost-center: 1001\n", edit=edit)
    assert read_stack_file(path).config["pulumi:tags"] == {"cost-center": "1001"}


def test_the_shipped_project_tags_still_plan() -> None:
    from tests.conftest import REPO

    assert read_stack_file(REPO / "stacks" / "Pulumi.prod.yaml").config["pulumi:tags"] == {
        "project": "mlops-platform"
    }


def test_a_projects_bad_tags_are_not_refused_when_an_esc_environment_may_set_the_tags(tmp_path: Path) -> None:
    """mergeConfig merges the environments first: their pulumi:tags would keep the project's off."""

    def edit(document: dict[str, Any]) -> None:
        document["environment"] = ["team/tags"]

    path = project_folder(tmp_path, TAGS_BLOCK + "      cost-center: 1001\n", edit=edit)
    assert read_stack_file(path).environments == ("team/tags",)
