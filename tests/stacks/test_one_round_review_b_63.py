"""Second read of "stack-file problems in one round, batch 2" (session 63).

A problem found before the platform value is reported with the platform value's own; the platform
value missing is not said where it may only follow from a misspelt key (`confg:`, a map under an
unknown ``mlops-platform:`` key), and is said where it cannot (a scalar unknown key, ``pulumi:tags``,
a Pulumi.yaml problem): the two are independent, and one run must report both. A ``Pulumi.yaml``
path default inside the platform value is no reason to validate a platform value whose stack key is
misspelt: its missing fields would only follow from the misspelling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import planner.__main__ as cli
from stacks.config import CONFIG_KEY
from stacks.project import SECRET_STAND_IN
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder

P = CONFIG_KEY
MISSING = (P, "missing required key")
TAGS = (
    "pulumi:tags",
    'must be an object of strings (Pulumi Cloud refuses it at `pulumi up`: "pulumi:tags must be an object of strings")',
)


def _refused(capsys: pytest.CaptureFixture[str], path: Path) -> list[tuple[str, str, str]]:
    """bin/plan's entry on ``path``: exit 2, stdout empty; the problem lines as (file, key, message)
    after a header naming the stack file and the count."""
    code = cli.run(["--config", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG, captured.err
    assert captured.out == ""
    head, *rest = captured.err.strip().splitlines()
    assert head == f"{path}: invalid configuration ({len(rest)} problem{'s' if len(rest) != 1 else ''})"
    return [tuple(line[2:].split(": ", 2)) for line in rest]  # type: ignore[misc]


def _moved(key: str, value: Any = None) -> dict[str, Any]:
    """The dev fixture with its platform value under ``key`` in ``config:`` (``value``, if given,
    instead of the value)."""
    document = load_stack_document("dev")
    platform = document["config"].pop(P)
    document["config"][key] = platform if value is None else value
    return document


@pytest.mark.parametrize(
    ("edit", "first"),
    [
        pytest.param(lambda d: d["config"].__setitem__("pulumi:tags", 5), TAGS, id="pulumi-tags-not-a-map"),
        pytest.param(
            lambda d: d.__setitem__("foo", 1),
            (
                "foo",
                "unknown top-level key; allowed: config, encryptedkey, encryptionsalt, environment, secretsprovider",
            ),
            id="unknown-top-level-scalar",
        ),
        pytest.param(
            lambda d: d["config"].__setitem__("mlops-platform:tyop", 1),
            ("mlops-platform:tyop", f"unknown key in the mlops-platform namespace; did you mean {P}?"),
            id="unknown-namespace-scalar",
        ),
    ],
)
def test_a_missing_platform_value_is_reported_beside_a_problem_it_cannot_follow_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, first: tuple[str, str]
) -> None:
    # The platform value under another project's namespace: Pulumi reads no platform value.
    document = _moved("other-project:platform")
    edit(document)
    path = project_folder(tmp_path, document=document)
    assert _refused(capsys, path) == [(str(path), *first), (str(path), *MISSING)]


def test_a_missing_platform_value_is_reported_beside_a_missing_pulumi_yaml_declaration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project_folder(
        tmp_path, "  mlops-platform:needed:\n    type: string\n", document=_moved("other-project:platform")
    )
    lines = _refused(capsys, path)
    assert [(where, key) for where, key, _ in lines] == [
        (str(tmp_path / "Pulumi.yaml"), "config.mlops-platform:needed"),
        (str(path), P),
    ]
    assert lines[1][2] == MISSING[1]


@pytest.mark.parametrize(
    "misspelt",
    [
        pytest.param("confg", id="config-misspelt"),
        pytest.param("mlops-platform:platfrom", id="platform-key-misspelt"),
    ],
)
def test_a_pulumi_yaml_default_inside_a_misspelt_platform_value_reports_only_the_misspelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misspelt: str
) -> None:
    if misspelt == "confg":
        document = load_stack_document("dev")
        document["confg"] = document.pop("config")
        message = "unknown top-level key; allowed: config, encryptedkey, encryptionsalt, environment, secretsprovider"
    else:
        document = _moved(misspelt)
        message = f"unknown key in the mlops-platform namespace; did you mean {P}?"
    path = project_folder(
        tmp_path, "  mlops-platform:platform.region:\n    default: eu-west-1\n", document=document
    )
    # Not the platform value's account_id, environment, network and tags "missing": the stack sets
    # them, under the misspelt key.
    assert _refused(capsys, path) == [(str(path), misspelt, message)]


def test_a_misspelt_platform_key_beside_an_unreadable_pulumi_yaml_is_not_called_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pulumi.yaml cannot be read, so whether it declares mlops-platform:platfrom is not known: the
    # key is not called a typo, and the platform value is not called missing either.
    path = project_folder(
        tmp_path, "  other:thing:\n    type: widget\n", document=_moved("mlops-platform:platfrom")
    )
    code = cli.run(["--config", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"{tmp_path / 'Pulumi.yaml'}: invalid configuration (1 problem)",
        f"  {tmp_path / 'Pulumi.yaml'}: config.other:thing.type: must be one of string, integer, boolean, array, object",
    ]


# -- encrypted values: blame --------------------------------------------------------------------------
SECURE = {"secure": "v1:ZmFrZQ==:ZmFrZS1jaXBoZXI="}


def test_an_encrypted_value_whose_own_check_refuses_every_stand_in_is_not_blamed_for_anothers_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The labelled group's label feature and a schedule both encrypted, both read as the plain
    # stand-in (no stand-in is a schedule): the label check quoting that text is the feature's,
    # found by reading the feature otherwise; the schedule, which no other reading can probe, was
    # named with it.
    document = load_stack_document("prod")
    platform = document["config"][P]
    group = next(group for group in platform["feature_groups"] if group["name"] == "customer-churn-labelled")
    index = platform["feature_groups"].index(group)
    label = platform["models"][0]["training"]["label"]
    feature = next(i for i, f in enumerate(group["features"]) if f["name"] == label)
    group["features"][feature]["name"] = dict(SECURE)
    schedule = platform["endpoints"][0]["variants"][0]["scaling"]["scheduled"][1]
    schedule["schedule"] = dict(SECURE)
    path = project_folder(tmp_path, document=document, stack="prod")
    lines = {key: message for _, key, message in _refused(capsys, path)}
    assert set(lines) == {
        f"{P}.endpoints[0].variants[0].scaling.scheduled[1].schedule",
        f"{P}.models[0].training.label",
    }
    named = f"feature_groups[{index}].features[{feature}].name"
    assert f": {named} is encrypted (`secure:`)" in lines[f"{P}.models[0].training.label"]
    assert "scheduled[1].schedule" not in lines[f"{P}.models[0].training.label"]


def test_feature_names_read_alike_that_no_one_reading_tells_apart_are_named_not_shown_as_a_stand_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Five encrypted feature names of one group, none compared with another key: the group's
    # "duplicate feature names" check quotes the text they are read as, and reading any one of them
    # otherwise leaves the other four alike. Reading none of them is decisive, so all are named;
    # none was, and the stand-in's text was shown as if it were the adopter's feature name.
    document = load_stack_document("prod")
    features = document["config"][P]["feature_groups"][0]["features"]
    for feature in features[2:7]:
        feature["name"] = dict(SECURE)
    path = project_folder(tmp_path, document=document, stack="prod")
    lines = _refused(capsys, path)
    assert all(SECRET_STAND_IN not in message for _, _, message in lines), lines
    (message,) = [message for _, key, message in lines if key == f"{P}.feature_groups[0].features"]
    assert message.startswith("feature_groups[0].features[2].name is encrypted (`secure:`)")


# -- stops: what was set aside before them is kept -------------------------------------------------
def test_a_pulumi_yaml_path_pulumi_cannot_set_inside_the_platform_keeps_the_stack_files_own_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Pulumi.yaml path makes the platform value unknown (its own problems are not read), but
    # the namespace typo found before it is the stack file's, and independent: both are reported,
    # the header naming the stack file. The typo was lost, the header naming Pulumi.yaml.
    document = load_stack_document("dev")
    document["config"]["mlops-platform:tyop"] = 1
    document["config"][P]["region"] = "xx-nowhere-1"
    path = project_folder(
        tmp_path, "  mlops-platform:platform.region.code:\n    value: 1\n", document=document
    )
    assert _refused(capsys, path) == [
        (str(path), "mlops-platform:tyop", f"unknown key in the mlops-platform namespace; did you mean {P}?"),
        (
            str(tmp_path / "Pulumi.yaml"),
            "config.mlops-platform:platform.region.code",
            'names a path through platform.region, which is not a map: Pulumi refuses it ("expected a map")',
        ),
    ]


def test_a_config_that_is_no_map_keeps_the_unknown_top_level_key_found_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project_folder(tmp_path, text="foo: 1\nconfig: [1]\n")
    assert _refused(capsys, path) == [
        (
            str(path),
            "foo",
            "unknown top-level key; allowed: config, encryptedkey, encryptionsalt, environment, secretsprovider",
        ),
        (str(path), "config", f"not a map; it must hold `{P}`"),
    ]


# -- encrypted values compared: with another problem, and named only where their reading makes it --
def _compared_pair(document: dict[str, Any]) -> None:
    """The labelled group's record identifier and the feature it names, both encrypted (each set
    with --secret: two ciphertexts; one ciphertext copied is one value, which the plan compares)."""
    group = document["config"][P]["feature_groups"][1]
    group["record_identifier"] = dict(SECURE)
    group["features"][0]["name"] = {"secure": "v1:ZmFrZTI=:ZmFrZS1jaXBoZXItMg=="}


def test_two_compared_encrypted_values_are_refused_beside_another_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = load_stack_document("prod")
    _compared_pair(document)
    document["config"][P]["region"] = "xx-nowhere-1"
    path = project_folder(tmp_path, document=document, stack="prod")
    lines = {key: message for _, key, message in _refused(capsys, path)}
    assert lines[f"{P}.region"].startswith("'xx-nowhere-1' is not an AWS commercial region with SageMaker")
    assert lines[f"{P}.feature_groups[1].record_identifier"].startswith(
        "record_identifier '<encrypted>' is not a declared feature: feature_groups[1].record_identifier and "
        "feature_groups[1].features[0].name are encrypted (`secure:`), so the offline plan cannot compare them"
    )


def test_an_encrypted_value_read_alike_but_compared_with_nothing_is_not_named_for_a_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # tags.owner reads as the same stand-in as the compared pair; reading it as its own text makes
    # no problem, so the comparison's refusal names the pair alone.
    document = load_stack_document("prod")
    _compared_pair(document)
    document["config"][P]["tags"]["owner"] = {"secure": "v1:ZmFrZTM=:ZmFrZS1jaXBoZXItMw=="}
    path = project_folder(tmp_path, document=document, stack="prod")
    lines = {key: message for _, key, message in _refused(capsys, path)}
    message = lines[f"{P}.feature_groups[1].record_identifier"]
    assert (
        "feature_groups[1].record_identifier and feature_groups[1].features[0].name are encrypted" in message
    )
    assert all("tags.owner" not in text for text in lines.values()), lines


NAME_REFUSED = (
    "<file>",
    "the stack name 'team a' (from the file name, Pulumi.<stack>.yaml) is not one Pulumi accepts: 1 to 100 "
    "letters, digits, `_`, `.` or `-`; rename the file",
)


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        pytest.param("config: [1]\n", ("config", f"not a map; it must hold `{P}`"), id="config-not-a-map"),
        pytest.param("config: {}\n", MISSING, id="platform-missing"),
        pytest.param(
            f"config:\n  {P}: {{}}\n  platform: {{}}\n",
            ("platform", f"is {P}, written twice (also as {P})"),
            id="platform-written-twice",
        ),
    ],
)
def test_a_stack_name_pulumi_refuses_is_kept_beside_a_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, stop: tuple[str, str]
) -> None:
    # The file's name is wrong whatever it holds: renaming it is needed as well as the stop's fix.
    path = project_folder(tmp_path, text=text, stack="team a")
    assert _refused(capsys, path) == [(str(path), *NAME_REFUSED), (str(path), *stop)]
