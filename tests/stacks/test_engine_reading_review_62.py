"""A second read of the engine-reading change (e64f009..2848f82): the ESC refusal, the float text,
``<<`` into a text-keyed map, dotted project keys. Ground truth: Pulumi's pkg/workspace/config.go
(mergeConfig), sdk/go/common/workspace/loaders.go (LoadProjectStackBytes: yaml.v3 into ``any``,
SimplifyMarshalledProject, written and read again), sdk/go/common/resource/config/{map,object,
value,plaintext}.go, resource/properties_path.go; gopkg.in/yaml.v3's decode.go (d.prepare,
d.mapping, d.merge, isStringMap), parser node tags and resolve.go.

Confirmed as the change reads them: the float text (object.MarshalString and Plaintext.marshalText
both write json.Marshal's, 'e' below 1e-6 and from 1e21 with e-0N cleaned; the loader's
YAML round trip keeps the float); the dotted keys (Get/Set with a path, coerceObject, object.Set's
COMPAT at the first level, "expected a map", errSecureReprReserved, sorted as written, default over
value); ``<<`` into a text-keyed map (merged keys are the text as written, null ones dropped; in a
map[any]any parent they are resolved and named with %v by object.unmarshalObject after the round
trip); the ESC refusal's exit 2, empty stdout, file and key with ``--format text`` and ``json``.

Fixed (product, each with a CHANGELOG entry and its tests here, failing on the code before):

- a stack file of ``environment:`` alone (no ``config:``, or a null one), the usual ESC stack
  file, was refused as "config: missing or not a map", never with the ESC refusal
  (``test_a_stack_file_of_environments_alone_*``, ``test_bin_plan_stack_refuses_an_esc_only_*``);
- platform fields a stack importing ESC leaves out (Value.Merge: a JSON merge patch under the
  stack's value) were refused with no word of ESC (``test_platform_fields_left_to_esc_*``,
  ``test_bin_plan_refuses_platform_fields_left_to_esc_*``);
- PyYAML's flatten_mapping flattened a merged map in place, so an anchor defined inside a ``<<``
  and aliased later read with the merged keys as its own (resolved keys, or "duplicate key")
  where yaml.v3 decodes the alias afresh (``test_a_map_merged_in_is_read_as_written_*``);
- an encrypted leaf of an object (``--secret --path``) reached the program as ``{"secure": ...}``
  where the engine decrypts it (``test_an_encrypted_leaf_*``, ``test_a_platform_value_with_an_*``);
- ``extra..a`` in Pulumi.yaml was refused where parsePropertyPath skips the second dot
  (``test_dots_in_a_row_*``);
- a top-level null reached the program as ``null`` where yaml.v3 leaves config.Value its zero
  value, the text "" (``test_a_top_level_null_*``, ``test_a_null_platform_value_*``).

A short mutation pass over the change's new code (one step each, against this file and the
change's covering tests):

==========================================  =========  ========  ==========  ==========  ==========
module (stacks/)                            mutations  survived  caught now  equivalent  left alone
==========================================  =========  ========  ==========  ==========  ==========
project_config.py (_set_path, _path_value,         10         6           5           1           0
_path_text, declares, sorting, the merge)
stack_file.py (text-keyed merge, ESC)               3         0           0           0           0
engine_yaml.py (go_float_text)                      2         0           0           0           0
project.py (engine_config_values)                   1         0           0           0           0
total                                              16         6           5           1           0
==========================================  =========  ========  ==========  ==========  ==========

Caught now by ``test_a_dotted_default_is_set_as_object_set_and_coerce_set_it``: the ``secure``
refusal without "the map is empty" or without "the value is text", ``"0"`` taken for a leading
zero, ParseUint's range cut to int64's; by ``test_a_null_at_a_dotted_key_s_path_*``: a path value
checked as the engine's top-level text (a null is then "" and passes ``type: string``).
Equivalent: ``_path_text``'s float branch (json.dumps's ``1e-05`` and Go's ``0.00001`` are text
to every type check alike).

Left alone: coerce's ``+`` before digits past int64 (ParseUint takes no sign: Pulumi keeps the
text, this sets a number); a dotted key's index path (``a[0]``), refused as unread; a platform
field set to the secret stand-in that its own pattern refuses (an encrypted ``account_id``) was
refused naming the stand-in (since read as a stand-in the check accepts: stacks/secret_stand_ins.py);
``_is_secure`` written twice (now one, stacks/project.py's ``is_secure``).

Every test builds its own project folder in tmp_path: none edits the shipped project or stacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder
from tests.yaml_text import dump_document

ENVIRONMENTS = "environment:\n  - team/shared\n  - team/ml\n"


def _project(tmp_path: Path, stack_text: str, config_block: str | None = None) -> Path:
    """A project folder: Pulumi.yaml and stacks/Pulumi.dev.yaml written as ``stack_text``."""
    return project_folder(tmp_path, config_block, text=stack_text)


# --- the ESC refusal: a stack file of `environment:` alone is the usual ESC stack file ---

# Pulumi reads a stack file without `config:` (or with `config:` empty) as one setting no key
# (ProjectStack.Config is a nil map): mergeConfig merges the environments' values into it.
ESC_ONLY = [ENVIRONMENTS, ENVIRONMENTS + "config:\n", ENVIRONMENTS + "config: {}\n"]


@pytest.mark.parametrize("text", ESC_ONLY, ids=["no-config", "config-null", "config-empty"])
def test_a_stack_file_of_environments_alone_is_refused_naming_them(tmp_path: Path, text: str) -> None:
    path = _project(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert raised.value.source == str(path)
    [(key, message)] = raised.value.problems
    assert key == CONFIG_KEY
    assert message.startswith("missing required key: the stack imports the Pulumi ESC environment(s) ")
    assert "team/shared, team/ml" in message


@pytest.mark.parametrize("text", ["config:\n", "config: {}\n", "secretsprovider: passphrase\n"])
def test_a_stack_file_without_config_or_esc_is_refused_at_the_platform_key(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, text))
    assert raised.value.problems == [(CONFIG_KEY, "missing required key")]


def test_a_config_that_is_no_map_is_still_refused_as_such(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, ENVIRONMENTS + "config: [1, 2]\n"))
    [(key, message)] = raised.value.problems
    assert key == "config"
    assert "not a map" in message


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("text", ESC_ONLY[:2], ids=["no-config", "config-null"])
def test_bin_plan_stack_refuses_an_esc_only_stack_with_exit_2_and_empty_stdout(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    output: str,
    text: str,
) -> None:
    import planner.__main__ as cli

    _project(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    assert cli.run(["--stack", "dev", "--format", output], one_shot=True) == cli.EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Pulumi.dev.yaml" in captured.err
    assert f"{CONFIG_KEY}: missing required key: the stack imports" in captured.err
    assert "team/shared, team/ml" in captured.err


# --- a platform value partly in the stack file, the rest left to ESC ---
# mergeConfig merges an environment's value under the stack's own (Value.Merge: JSON merge patch,
# map by map), so `pulumi up` may get the fields a stack file leaves out from ESC.


def _partial_platform(environments: str) -> str:
    document = load_stack_document("dev")
    platform = document["config"][CONFIG_KEY]
    for field in ("region", "account_id"):
        del platform[field]
    return environments + dump_document(document)


def test_platform_fields_left_to_esc_are_refused_naming_the_environments(tmp_path: Path) -> None:
    from stacks.stack_file import offline_platform_config

    path = _project(tmp_path, _partial_platform(ENVIRONMENTS))
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(path))
    assert raised.value.source == str(path)
    problems = dict(raised.value.problems)
    assert list(problems) == [f"{CONFIG_KEY}.region", f"{CONFIG_KEY}.account_id"]
    for message in problems.values():
        assert message.startswith("missing required key")
        assert "cannot read ESC" in message
    # Session 65: the environments listed once, in the first problem, the other pointing there.
    assert "environment(s) team/shared, team/ml (`environment:`)" in problems[f"{CONFIG_KEY}.region"]
    assert "environment(s) listed at region (`environment:`)" in problems[f"{CONFIG_KEY}.account_id"]


def test_platform_fields_missing_without_esc_say_nothing_of_esc(tmp_path: Path) -> None:
    from stacks.stack_file import offline_platform_config

    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(_project(tmp_path, _partial_platform(""))))
    assert dict(raised.value.problems) == {
        f"{CONFIG_KEY}.region": "missing required key",
        f"{CONFIG_KEY}.account_id": "missing required key",
    }


def test_a_wrong_platform_field_with_esc_is_refused_without_the_esc_note(tmp_path: Path) -> None:
    """ESC sets no field the stack file sets (the stack's value wins the merge): no ESC word."""
    from stacks.stack_file import offline_platform_config

    document = load_stack_document("dev")
    document["config"][CONFIG_KEY]["region"] = "mars-1"
    path = _project(tmp_path, ENVIRONMENTS + dump_document(document))
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(path))
    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.region"
    assert "ESC" not in message


@pytest.mark.parametrize("output", ["text", "json"])
def test_bin_plan_refuses_platform_fields_left_to_esc_with_exit_2_and_empty_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    import planner.__main__ as cli

    _project(tmp_path, _partial_platform(ENVIRONMENTS))
    monkeypatch.chdir(tmp_path)
    assert cli.run(["--stack", "dev", "--format", output], one_shot=True) == cli.EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{CONFIG_KEY}.region: missing required key" in captured.err
    assert "team/shared, team/ml" in captured.err


# --- `<<`: a map merged in is read where it is aliased as it is written ---
# yaml.v3 decodes an alias afresh from the anchored node (d.alias -> d.unmarshal): its own keys
# decide whether it is text-keyed (isStringMap), and its merges are merged again. PyYAML's
# flatten_mapping flattened a merged map in place, so an anchor defined inside a `<<` and aliased
# later was read with the merged keys as its own: text-keyed no more, or a key "written twice".


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: &a {0x1: one}\nx: {<<: &b {<<: *a, k: v}}\ny: *b\n",
         {"a": {"1": "one"}, "x": {"0x1": "one", "k": "v"}, "y": {"0x1": "one", "k": "v"}}),
        ("a: &a {k: w, n: 1}\nx: {<<: &b {<<: *a, k: v}}\ny: *b\n",
         {"a": {"k": "w", "n": 1}, "x": {"k": "v", "n": 1}, "y": {"k": "v", "n": 1}}),
        ("a: &a {k: w}\nx: {<<: [&b {<<: *a, k: v}, {z: 1}]}\ny: *b\n",
         {"a": {"k": "w"}, "x": {"k": "v", "z": 1}, "y": {"k": "v"}}),
    ],
)  # fmt: skip
def test_a_map_merged_in_is_read_as_written_where_it_is_aliased(text: str, value: Any) -> None:
    from stacks.stack_file import load_yaml

    assert load_yaml(text, "Pulumi.x.yaml") == value


# --- an encrypted leaf inside a map or list reaches the program decrypted ---
# The engine hands the program Config.Decrypt's text: Value.Value(decrypter) decrypts every
# encrypted leaf (`pulumi config set --secret --path 'platform.tags.owner' ...`) and writes the
# JSON of the plaintext (Plaintext.GoValue: a secret leaf is its text). Offline, the leaf's text is
# not known: it reads as the stand-in, as an encrypted value of its own does, not as the map
# `{"secure": ...}` no program is ever handed.


def test_an_encrypted_leaf_reaches_the_program_as_the_stand_in() -> None:
    import json

    from stacks.project import SECRET_STAND_IN, engine_config_values

    config = {"aws:assumeRole": {"roleArn": {"secure": "v1:abc"}, "ids": [{"secure": "v1:x"}, 5]}}
    assert json.loads(engine_config_values(config)["aws:assumeRole"]) == {
        "roleArn": SECRET_STAND_IN,
        "ids": [SECRET_STAND_IN, 5],
    }
    clear = {"k": {"secure": "v1:abc", "note": "x"}}  # isSecureValue: `secure` alone, no leaf
    assert json.loads(engine_config_values(clear)["k"]) == clear["k"]


def test_a_platform_value_with_an_encrypted_leaf_plans_with_the_stand_in(tmp_path: Path) -> None:
    from stacks.project import SECRET_STAND_IN
    from stacks.stack_file import offline_platform_config

    document = load_stack_document("dev")
    document["config"][CONFIG_KEY]["tags"]["owner"] = {"secure": "v1:abc"}
    platform = offline_platform_config(read_stack_file(_project(tmp_path, dump_document(document))))
    assert platform.tags["owner"] == SECRET_STAND_IN


# --- a dotted key's segments as ParsePropertyPathStrict reads them ---
# parsePropertyPath skips a `.` that follows a `.` (`extra..a` is the path extra.a) and refuses a
# path that starts or ends with one ("expected property path to start with a name or index",
# "... to end with a name or index").


def test_dots_in_a_row_in_a_dotted_key_are_one_as_pulumi_reads_them(tmp_path: Path) -> None:
    document = load_stack_document("dev")
    config = read_stack_file(_project(tmp_path, dump_document(document), "  extra..a...b: x\n")).config
    assert config["mlops-platform:extra"] == {"a": {"b": "x"}}


@pytest.mark.parametrize("written", [".extra", "extra.", "extra.a..", "extra[0]"])
def test_a_dotted_key_pulumi_refuses_or_this_plan_does_not_read_is_refused(
    tmp_path: Path, written: str
) -> None:
    document = load_stack_document("dev")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_project(tmp_path, dump_document(document), f"  {written}: x\n"))
    assert raised.value.source == str(tmp_path / "Pulumi.yaml")
    [(key, message)] = raised.value.problems
    assert key == f"config.{written}"
    assert "property path" in message


# --- a top-level null reaches the program as the empty text ---
# yaml.v3 calls no unmarshaler for a null (decoder.prepare), so a stack file's `key:` (or `key: ~`)
# is config.Value's zero value, whose text is "" (Value.Value; Pulumi warns "No value for
# configuration key"): the program is handed "", not the JSON `null`. A null inside a map is JSON's.


def test_a_top_level_null_reaches_the_program_as_the_empty_text(tmp_path: Path) -> None:
    from stacks.project import engine_config_values

    text = dump_document(load_stack_document("dev")).replace(
        "config:\n", "config:\n  aws:profile:\n  aws:region: ~\n", 1
    )
    config = read_stack_file(_project(tmp_path, text)).config
    values = engine_config_values(config)
    assert values["aws:profile"] == ""
    assert values["aws:region"] == ""  # a null kubeconfig, read as "" too, is refused: test_adopter_edits_67
    assert engine_config_values({"aws:assumeRole": {"roleArn": None}}) == {
        "aws:assumeRole": '{"roleArn": null}'
    }


def test_a_null_platform_value_is_refused_as_the_text_the_program_gets(tmp_path: Path) -> None:
    """The program reads "" (no JSON): not a map of settings, as `pulumi up` refuses it."""
    from stacks.stack_file import offline_platform_config

    path = _project(tmp_path, f"config:\n  {CONFIG_KEY}:\n")
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(path))
    [(key, message)] = raised.value.problems
    assert key == CONFIG_KEY
    assert message.startswith("must be a map of settings")


@pytest.mark.parametrize("declared", ["string", "integer"])
def test_a_null_at_a_dotted_key_s_path_is_checked_as_json_null(tmp_path: Path, declared: str) -> None:
    """Get at a path marshals a null member as the JSON `null` (an object value): no type takes it."""
    document = load_stack_document("dev")
    document["config"]["mlops-platform:extra"] = {"v": None}
    path = _project(tmp_path, dump_document(document), f"  extra.v:\n    type: {declared}\n")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    assert f"must be of type '{declared}'" in raised.value.problems[0][1]


# --- dotted defaults: the rows of object.Set and coerce no test held ---


@pytest.mark.parametrize(
    ("stack", "block", "value"),
    [
        # errSecureReprReserved only for a map that would hold `secure` alone, and text there
        ({"a": 1}, "  extra.secure: x\n", {"a": 1, "secure": "x"}),
        (None, '  extra.secure: "5"\n', {"secure": 5}),  # coerced to 5: no text, no refusal
        # coerce: "0" alone is no leading zero; ParseUint takes what ParseInt cannot
        (None, '  extra.v: "0"\n', {"v": 0}),
        (None, '  extra.v: "9223372036854775808"\n', {"v": 2**63}),
        (None, '  extra.v: "18446744073709551616"\n', {"v": "18446744073709551616"}),
    ],
)
def test_a_dotted_default_is_set_as_object_set_and_coerce_set_it(
    tmp_path: Path, stack: dict[str, Any] | None, block: str, value: Any
) -> None:
    document = load_stack_document("dev")
    if stack is not None:
        document["config"]["mlops-platform:extra"] = stack
    config = read_stack_file(_project(tmp_path, dump_document(document), block)).config
    assert config["mlops-platform:extra"] == value


def test_a_null_platform_value_with_esc_is_refused_without_the_esc_note(tmp_path: Path) -> None:
    """The stack's zero value is no map: Value.Merge keeps it over the environments' map, so ESC
    cannot set the platform value of this stack, and the refusal does not say it might."""
    from stacks.stack_file import offline_platform_config

    path = _project(tmp_path, f"{ENVIRONMENTS}config:\n  {CONFIG_KEY}:\n")
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(path))
    [(key, message)] = raised.value.problems
    assert key == CONFIG_KEY
    assert message.startswith("must be a map of settings")
    assert "ESC" not in message
