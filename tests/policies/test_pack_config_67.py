"""A pack config's problems inside one property are all reported, each at its place.

`validate_pack_config` reported only the first place a property did not fit its schema, so an
environment file whose `publicByDesign` entry had a blank reason and a type outside the list was
mended one problem per `bin/plan` run.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import planner.policy_check as policy_check
from policies import registry
from policies.registry import validate_pack_config
from stacks.config import ConfigError

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"


@pytest.mark.parametrize(
    ("entries", "places"),
    [
        pytest.param(
            [{"resource": "api", "reason": " ", "type": "aws:s3/bucket:Bucket"}],
            ["[0].reason", "[0].type"],
            id="blank-reason-and-a-type-outside-the-list",
        ),
        pytest.param(
            [{"resource": "api"}, "db", {"resource": "x", "reason": "r", "why": 1}],
            ["[0].reason", "[1]", "[2].why"],
            id="three-items-three-problems",
        ),
    ],
)
def test_every_problem_inside_a_list_of_objects_is_named(entries: list[Any], places: list[str]) -> None:
    problems = validate_pack_config({RULE: {"publicByDesign": entries}, NOTE: {"publicByDesign": []}})
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        f"{RULE}.publicByDesign{p}" for p in places
    ]


def test_a_list_of_strings_still_reads_whole_once() -> None:
    (problem,) = validate_pack_config({"required-cost-allocation-tags": {"requiredTags": [7, "owner", 8]}})
    assert problem.startswith("required-cost-allocation-tags.requiredTags: [7, 'owner', 8] does not match")


def test_the_plan_names_every_problem_of_the_environment_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = {"resource": "api", "reason": "", "type": "nope"}
    (tmp_path / "dev.json").write_text(f'{{"{RULE}": {{"publicByDesign": [{entry}]}}}}'.replace("'", '"'))
    monkeypatch.setattr(registry, "PACK_DIR", tmp_path)
    with pytest.raises(ConfigError) as error:
        policy_check.check_policies(SimpleNamespace(environment="dev", resources=[]))  # type: ignore[arg-type]
    lines = str(error.value).splitlines()
    assert lines[0] == f"{tmp_path / 'dev.json'}: invalid configuration (2 problems)"
    assert [line.split(": ")[1] for line in lines[1:]] == [
        f"{RULE}.publicByDesign[0].reason",
        f"{RULE}.publicByDesign[0].type",
    ]
