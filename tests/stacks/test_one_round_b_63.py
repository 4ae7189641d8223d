"""Every problem of a stack file in one round, second batch (session 63).

A problem found while reading the stack file that leaves its platform value readable as Pulumi
would read it (an unknown top-level or ``mlops-platform:`` key, a problem of ``Pulumi.yaml`` that
declares nothing inside the platform value, ``pulumi:tags``, a stack name that cannot be the
default ``name_prefix`` or that Pulumi refuses) is reported with the platform value's own
problems in one run, each line naming its own file; what makes the platform value unknown (the
platform key written twice, a Pulumi.yaml that is no YAML or may set a value inside it) still
stops, and a problem that only follows from another (the platform "missing" because its key is
misspelt) is not reported.

Encrypted values: only the value a failing check reads is named (not every one read as the same
stand-in); two encrypted values a check compares (a label and a feature name) are refused naming
both, each read as a stand-in of its own (read alike, they passed); a message a stand-in causes at
a key in clear names the encrypted key.

A map-valued field (``quality_alarms``) with one failed value is kept for the checks that read its
keys: a problem inside it and one of a check reading the map are both reported.

Before, each stop was a round of its own (the unknown key alone, "invalid configuration (1
problem)"; the region in a second round); an endpoint's message named every encrypted value read
as the plain stand-in, a label and a feature both encrypted passed, and ``event_time 'event_time'
is not a declared feature`` did not say the feature's name was encrypted; the failed value failed
the whole map, and the check reading it was skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import planner.__main__ as cli
from stacks.config import CONFIG_KEY
from stacks.project import SECRET_STAND_IN
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder

P = CONFIG_KEY
Edit = Callable[[dict[str, Any]], object]
BAD_REGION = "xx-nowhere-1"
REGION_PROBLEM = f"'{BAD_REGION}' is not an AWS commercial region with SageMaker"


def _bad_region(platform: dict[str, Any]) -> None:
    platform["region"] = BAD_REGION


def _lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: Path, header: Path | None = None
) -> list[tuple[str, str, str]]:
    """Plan ``path`` through bin/plan's entry: refused as bad input (exit 2, nothing on stdout);
    its problem lines as (file, key, message), after a header naming the stack file (``header``,
    where the one file with problems is another) and the count."""
    code = cli.run(["--config", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG, captured.err
    assert captured.out == ""
    head, *rest = captured.err.strip().splitlines()
    assert (
        head
        == f"{header or path}: invalid configuration ({len(rest)} problem{'s' if len(rest) != 1 else ''})"
    )
    lines = []
    for line in rest:
        assert line.startswith("  "), line
        where, key, message = line[2:].split(": ", 2)
        lines.append((where, key, message))
    return lines


def _document(
    stack: str = "dev", edit: Edit | None = None, document_edit: Edit | None = None
) -> dict[str, Any]:
    document = load_stack_document(stack)
    if edit is not None:
        edit(document["config"][P])
    if document_edit is not None:
        document_edit(document)
    return document


# -- 1. stops before the platform value ------------------------------------------------------------
def test_an_unknown_namespace_key_and_a_platform_problem_are_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def typo(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:tyop"] = 1

    path = project_folder(tmp_path, document=_document(edit=_bad_region, document_edit=typo))
    lines = _lines(tmp_path, capsys, path)
    assert lines[0] == (
        str(path),
        "mlops-platform:tyop",
        f"unknown key in the mlops-platform namespace; did you mean {P}?",
    )
    assert [(where, key) for where, key, _ in lines[1:]] == [(str(path), f"{P}.region")]
    assert lines[1][2].startswith(REGION_PROBLEM)


def test_the_tasks_example_ca_west_1_with_a_namespace_typo_reports_the_region_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["region"] = "ca-west-1"

    def typo(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:tyop"] = 1

    path = project_folder(tmp_path, document=_document(edit=edit, document_edit=typo))
    keys = [key for _, key, _ in _lines(tmp_path, capsys, path)]
    assert keys[0] == "mlops-platform:tyop"
    assert f"{P}.region" in keys[1:]


def test_an_unknown_top_level_key_and_a_platform_problem_are_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def extra(document: dict[str, Any]) -> None:
        document["secretprovider"] = "passphrase"  # secretsprovider, misspelt

    path = project_folder(tmp_path, document=_document(edit=_bad_region, document_edit=extra))
    lines = _lines(tmp_path, capsys, path)
    assert [(where, key) for where, key, _ in lines] == [
        (str(path), "secretprovider"),
        (str(path), f"{P}.region"),
    ]
    assert lines[0][2].startswith("unknown top-level key; allowed: config, ")


@pytest.mark.parametrize(
    ("move", "key"),
    [
        pytest.param(lambda d: d.__setitem__("confg", d.pop("config")), "confg", id="config-misspelt"),
        pytest.param(
            lambda d: d["config"].__setitem__("mlops-platform:platfrom", d["config"].pop(P)),
            "mlops-platform:platfrom",
            id="platform-key-misspelt",
        ),
    ],
)
def test_a_misspelt_key_holding_the_platform_value_is_reported_alone_not_as_a_missing_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], move: Edit, key: str
) -> None:
    """The platform value is missing only because of the typo: "missing required key" would be a
    second report of one mistake, and its problems cannot be read (it is under no key read)."""
    path = project_folder(tmp_path, document=_document(edit=_bad_region, document_edit=move))
    assert [(where, k) for where, k, _ in _lines(tmp_path, capsys, path)] == [(str(path), key)]


def test_the_platform_key_written_twice_still_stops_before_the_platform_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Which of the two Pulumi keeps is not known: neither is validated."""

    def twice(document: dict[str, Any]) -> None:
        document["config"]["platform"] = document["config"][P]

    path = project_folder(tmp_path, document=_document(edit=_bad_region, document_edit=twice))
    lines = _lines(tmp_path, capsys, path)
    assert [key for _, key, _ in lines] == ["platform"]
    assert lines[0][2] == f"is {P}, written twice (also as {P})"


def test_a_project_file_problem_outside_the_platform_value_is_reported_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each line names its own file: Pulumi.yaml's problem, then the stack file's."""
    path = project_folder(
        tmp_path, '  aws:defaultTags: {type: string, value: "x"}\n', document=_document(edit=_bad_region)
    )
    lines = _lines(tmp_path, capsys, path)
    project = str(tmp_path / "Pulumi.yaml")
    assert [(where, key) for where, key, _ in lines] == [
        (project, "config.aws:defaultTags"),
        (str(path), f"{P}.region"),
    ]
    assert lines[0][2] == "is not in the project's namespace and must not declare a `type`"


def test_a_stack_value_the_project_declares_of_another_type_is_reported_with_the_platform_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:team"] = "ml"

    path = project_folder(
        tmp_path, "  team: {type: integer}\n", document=_document(edit=_bad_region, document_edit=edit)
    )
    lines = _lines(tmp_path, capsys, path)
    assert [(where, key) for where, key, _ in lines] == [
        (str(path), "mlops-platform:team"),
        (str(path), f"{P}.region"),
    ]
    assert "is declared of type 'integer'" in lines[0][2]


def test_a_project_key_of_the_namespace_is_no_typo_while_the_project_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pulumi.yaml declares `team` (and refuses another declaration): the stack's
    `mlops-platform:team` is not called unknown, its declarations being unknown."""

    def edit(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:team"] = "ml"

    block = '  team: {type: string}\n  aws:defaultTags: {type: string, value: "x"}\n'
    path = project_folder(tmp_path, block, document=_document(edit=_bad_region, document_edit=edit))
    keys = [key for _, key, _ in _lines(tmp_path, capsys, path)]
    assert keys == ["config.aws:defaultTags", f"{P}.region"]


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(
            '  platform.region: {default: "eu-west-1", value: "eu-west-1"}\n', id="inside-the-platform"
        ),
        pytest.param("  platform: {type: strin}\n", id="the-platform-itself"),
        pytest.param("  a: [unclosed\n", id="no-valid-yaml"),
    ],
)
def test_a_project_file_problem_that_may_set_the_platform_value_stops_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: str
) -> None:
    path = project_folder(tmp_path, block, document=_document(edit=_bad_region))
    lines = _lines(tmp_path, capsys, path, header=tmp_path / "Pulumi.yaml")
    assert {where for where, _, _ in lines} == {str(tmp_path / "Pulumi.yaml")}
    assert not any(key.startswith(P) for _, key, _ in lines)


def test_pulumi_tags_problems_and_platform_problems_are_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def tags(document: dict[str, Any]) -> None:
        document["config"]["pulumi:tags"] = {"cost-center": 1001}

    path = project_folder(tmp_path, document=_document(edit=_bad_region, document_edit=tags))
    lines = _lines(tmp_path, capsys, path)
    assert [(where, key) for where, key, _ in lines] == [
        (str(path), "pulumi:tags.cost-center"),
        (str(path), f"{P}.region"),
    ]


def test_a_stack_name_that_cannot_be_the_default_prefix_is_reported_with_the_other_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Team_A` is a stack name Pulumi takes, but no name_prefix; its message is unchanged."""
    document = _document(edit=_bad_region)
    document["config"][P].pop("name_prefix", None)
    path = project_folder(tmp_path, document=document, stack="Team_A")
    lines = _lines(tmp_path, capsys, path)
    assert {key: message for _, key, message in lines} == {
        f"{P}.name_prefix": "not set, so the stack's name 'Team_A' would start every physical name, but it "
        "cannot (use lower-case letters, digits and single hyphens, starting and ending with a letter or "
        "digit); set name_prefix",
        f"{P}.region": lines[1][2],
    }
    assert lines[1][2].startswith(REGION_PROBLEM)


def test_a_stack_name_pulumi_refuses_is_reported_once_not_again_as_the_default_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _document(edit=_bad_region)
    document["config"][P].pop("name_prefix", None)
    path = project_folder(tmp_path, document=document, stack="team a")
    lines = _lines(tmp_path, capsys, path)
    assert [key for _, key, _ in lines] == ["<file>", f"{P}.region"]
    assert lines[0][2].startswith(
        "the stack name 'team a' (from the file name, Pulumi.<stack>.yaml) is not one"
    )


def test_a_file_with_one_stop_and_a_valid_platform_value_says_exactly_what_it_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def typo(document: dict[str, Any]) -> None:
        document["config"]["mlops-platform:tyop"] = 1

    path = project_folder(tmp_path, document=_document(document_edit=typo))
    assert _lines(tmp_path, capsys, path) == [
        (str(path), "mlops-platform:tyop", f"unknown key in the mlops-platform namespace; did you mean {P}?")
    ]


# -- 2. encrypted values -------------------------------------------------------------------------
def _encrypted(text: str = "v1:abcdefABCDEF0123456789==") -> dict[str, str]:
    return {"secure": text}


def _platform_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: str, edit: Edit
) -> dict[str, str]:
    path = project_folder(tmp_path, document=_document(stack, edit), stack=stack)
    lines = _lines(tmp_path, capsys, path)
    assert {where for where, _, _ in lines} == {str(path)}
    return {key.removeprefix(f"{P}."): message for _, key, message in lines}


def test_only_the_encrypted_value_the_failing_check_reads_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tags.owner` reads as the same stand-in as the family's name; the endpoint's check reads the
    family's name only."""

    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["name"] = _encrypted("v1:a")
        platform["tags"]["owner"] = _encrypted("v1:b")

    lines = _platform_lines(tmp_path, capsys, "dev", edit)
    message = lines["endpoints[0].variants[0].model.latest_approved_of"]
    assert "models[0].name is encrypted (`secure:`)" in message
    assert "tags.owner" not in message
    assert SECRET_STAND_IN not in message
    assert list(lines) == ["endpoints[0].variants[0].model.latest_approved_of"]


def test_an_encrypted_feature_name_a_clear_event_time_names_is_said_to_be_encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature: dict[str, str] = {}

    def edit(platform: dict[str, Any]) -> None:
        group = platform["feature_groups"][0]
        index = [f["name"] for f in group["features"]].index(group["event_time"])
        group["features"][index]["name"] = _encrypted()
        feature["key"] = f"feature_groups[0].features[{index}].name"
        feature["event_time"] = group["event_time"]

    lines = _platform_lines(tmp_path, capsys, "dev", edit)
    message = lines["feature_groups[0].event_time"]
    assert message.startswith(f"event_time '{feature['event_time']}' is not a declared feature: ")
    assert f"{feature['key']} is encrypted (`secure:`)" in message
    assert f"set {feature['key']} without --secret" in message


def _labelled(platform: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    """The family trained from a feature group, that group's index and its label's feature index."""
    model = next(m for m in platform["models"] if (m.get("training") or {}).get("data"))
    groups = platform["feature_groups"]
    group = next(i for i, g in enumerate(groups) if g["name"] == model["training"]["data"]["feature_group"])
    names = [feature["name"] for feature in groups[group]["features"]]
    return model, group, names.index(model["training"]["label"])


def test_a_label_and_the_feature_it_names_both_encrypted_are_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as one stand-in, the label was "a declared feature" whatever the two decrypt to: the plan
    cannot compare them, and a name another key refers to is no secret."""
    where: dict[str, str] = {}

    def edit(platform: dict[str, Any]) -> None:
        model, group, feature = _labelled(platform)
        model["training"]["label"] = _encrypted("v1:label")
        platform["feature_groups"][group]["features"][feature]["name"] = _encrypted("v1:feature")
        where["label"] = f"models[{platform['models'].index(model)}].training.label"
        where["feature"] = f"feature_groups[{group}].features[{feature}].name"

    lines = _platform_lines(tmp_path, capsys, "prod", edit)
    assert list(lines) == [where["label"]]
    message = lines[where["label"]]
    assert f"{where['feature']} and {where['label']} are encrypted (`secure:`)" in message
    assert "cannot compare them" in message
    assert f"set {where['feature']} and {where['label']} without --secret" in message
    assert SECRET_STAND_IN not in message


def test_two_encrypted_values_no_check_compares_still_plan(tmp_path: Path) -> None:
    from stacks.stack_file import offline_platform_config, read_stack_file

    def edit(platform: dict[str, Any]) -> None:
        platform["tags"]["owner"] = _encrypted("v1:a")
        platform["tags"]["cost-center"] = _encrypted("v1:b")

    document = _document("dev", edit)
    config = offline_platform_config(read_stack_file(project_folder(tmp_path, document=document)))
    assert config.tags["owner"] == config.tags["cost-center"] == SECRET_STAND_IN


# -- 3. a map-valued field with one failed value ---------------------------------------------------
def test_a_failed_value_inside_a_map_and_a_check_reading_the_map_are_both_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`quality_alarms.auc` fails its own check; the rule that no monitor publishes the family's
    quality metrics reads only the map's keys, and still reports."""

    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["quality_alarms"] = {"auc": "high", "f1": 0.6}
        platform["monitoring"]["model_monitor"] = False

    lines = _platform_lines(tmp_path, capsys, "prod", edit)
    assert lines["models[0].quality_alarms.auc"] == "Input should be a valid number (got 'high')"
    assert lines["models[0].quality_alarms"].startswith("no model-quality monitor publishes these metrics")
    assert set(lines) == {
        "models[0].quality_alarms.auc",
        "models[0].quality_alarms",
        "monitoring.model_monitors.model_quality",
    }


def test_a_check_reading_the_failed_value_of_a_map_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rule judging each alarm's metric against the family's problem type reads the map's keys:
    an alarm on a metric the family has not (rmse, of a regression) beside a failed threshold is
    reported, and the failed threshold once, at its own key."""

    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["quality_alarms"] = {"auc": "high", "rmse": 0.6}

    lines = _platform_lines(tmp_path, capsys, "prod", edit)
    assert lines["models[0].quality_alarms.auc"] == "Input should be a valid number (got 'high')"
    assert "models[0].quality_alarms.rmse" in lines
    assert len(lines) == 2
