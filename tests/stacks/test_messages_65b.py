"""Session 65 (second read): the last lists a stack file's problems repeated, said once per run.

- ``monitoring.drift_features`` unset while a family's feature group has more model inputs than a
  drift alarm reads: each endpoint monitored as the family is its own problem, the inputs listed in
  the first, the others pointing there (a family served by N endpoints listed them N times).
- ``'<name>' is not a model family of this stack (<families>)``: said by five checks (endpoints,
  shared endpoints, Kubernetes servings, the monitored ``model.family``), each listing the stack's
  families in each problem. The first problem of the run lists them, the later ones (of any check)
  point to its key.
- ``'<name>' is not a feature group of this stack``: the stack's groups listed in the first family
  naming another, the others pointing there.
- Keys a stack importing Pulumi ESC environments leaves out: the environments listed (bounded by
  ``listed()``; they were joined whole) in the first missing key's problem, the others pointing there.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.input_limits import listed
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document
from tests.stack_edits import forecast_family
from tests.stacks.project_folder import project_folder
from tests.stacks.test_messages_65 import _plan_refuses, _problems
from tests.yaml_text import dump_document

OTHER_TEAM = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mobile-churn"
EXTRA_INPUTS = [f"extra_{n:02d}_" + "x" * 50 for n in range(40)]


def _endpoint(platform: dict[str, Any], name: str, model: dict[str, str]) -> dict[str, Any]:
    endpoint = copy.deepcopy(platform["endpoints"][0])
    endpoint["name"] = name
    endpoint["variants"][0]["model"] = model
    return endpoint


def _wide_family_on_three_endpoints(document: dict[str, Any]) -> list[str]:
    """prod's churn family trained from its whole group, 40 more inputs wide, served by three
    endpoints. Returns the family's model inputs (what its drift alarm would watch)."""
    platform = document["config"][CONFIG_KEY]
    [family] = [f for f in platform["models"] if f["name"] == "customer-churn"]
    family["training"]["data"].pop("columns", None)
    source = family["training"]["data"]["feature_group"]
    [group] = [g for g in platform["feature_groups"] if g["name"] == source]
    group["features"] += [{"name": name, "type": "Fractional"} for name in EXTRA_INPUTS]
    platform["endpoints"] += [
        _endpoint(platform, f"churn-{n}", {"latest_approved_of": "customer-churn"}) for n in (2, 3)
    ]
    keys = {group["record_identifier"], group["event_time"], family["training"]["label"]}
    keys |= set(family["training"].get("identifiers", []))
    return [f["name"] for f in group["features"] if f["name"] not in keys]


def test_a_wide_family_s_inputs_are_listed_once_for_its_three_endpoints(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    inputs = _wide_family_on_three_endpoints(document)
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _problems(stack)

    key = f"{CONFIG_KEY}.monitoring.drift_features"
    drift = [message for where, message in error.problems if where == key]
    tail = (
        "), but an alarm reads at most 10: list the 10 or fewer that matter most (here, or in the "
        "family's models[].drift_features)"
    )
    head = "unset, so endpoint {}'s drift alarm would watch the {} model inputs of model family customer-churn's feature group ("
    assert drift == [
        head.format("customer-churn", len(inputs)) + listed(inputs) + tail,
        # Session 66: the pointer names the first problem's key (one wording for every list), and
        # says which problem there when it is this problem's own key (test_final_66).
        head.format("churn-2", len(inputs))
        + "listed at monitoring.drift_features in its first problem"
        + tail,
        head.format("churn-3", len(inputs))
        + "listed at monitoring.drift_features in its first problem"
        + tail,
    ]
    assert len(inputs) > 30 and str(error).count(listed(inputs)) == 1


def _unknown_families(document: dict[str, Any]) -> None:
    """Three endpoints following families the stack does not have, a fourth monitored as one."""
    platform = document["config"][CONFIG_KEY]
    platform["models"].append(forecast_family())
    platform["endpoints"] += [
        _endpoint(platform, f"churn-{name}", {"latest_approved_of": name})
        for name in ("nope-a", "nope-b", "nope-c")
    ]
    platform["endpoints"].append(
        _endpoint(platform, "churn-mobile", {"latest_approved_of": OTHER_TEAM, "family": "mobile-churn"})
    )


def test_unknown_families_each_named_with_the_families_listed_once(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    _unknown_families(document)
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _problems(stack)

    first = "endpoints[1].variants[0].model.latest_approved_of"
    pointer = f"(listed at {first})"
    arn = "; use a group ARN for another account's registry"
    expected = [
        (
            f"{CONFIG_KEY}.{first}",
            f"'nope-a' is not a model family of this stack (customer-churn, demand-forecast){arn}",
        ),
        (
            f"{CONFIG_KEY}.endpoints[2].variants[0].model.latest_approved_of",
            f"'nope-b' is not a model family of this stack {pointer}{arn}",
        ),
        (
            f"{CONFIG_KEY}.endpoints[3].variants[0].model.latest_approved_of",
            f"'nope-c' is not a model family of this stack {pointer}{arn}",
        ),
        (
            # Another check (the monitored family), the same list: pointing to the first check's key.
            f"{CONFIG_KEY}.endpoints[4].variants[0].model.family",
            f"'mobile-churn' is not a model family of this stack {pointer}: name the one whose problem "
            "type, drift features and quality_alarms the endpoint's monitors use, or remove family",
        ),
    ]
    assert [problem for problem in error.problems if "model family of this stack" in problem[1]] == expected
    assert str(error).count("customer-churn, demand-forecast") == 1
    for where, message in expected:
        assert f"  {stack}: {where}: {message}" in str(error).splitlines()


def _unknown_feature_groups(document: dict[str, Any]) -> None:
    platform = document["config"][CONFIG_KEY]
    platform["models"] += [forecast_family(), {**forecast_family(), "name": "demand-forecast-b"}]
    for model in platform["models"]:
        model["training"]["data"] = {"feature_group": f"{model['name']}-nope"}


def test_unknown_feature_groups_list_the_stack_s_groups_once(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    _unknown_feature_groups(document)
    groups = sorted(g["name"] for g in document["config"][CONFIG_KEY]["feature_groups"])
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _problems(stack)

    key = f"{CONFIG_KEY}.models[{{}}].training.data.feature_group"
    assert [problem for problem in error.problems if problem[0].endswith("data.feature_group")] == [
        (
            key.format(0),
            f"'customer-churn-nope' is not a feature group of this stack (feature_groups[].name: {listed(groups)})",
        ),
    ] + [
        (
            key.format(index),
            f"'{name}-nope' is not a feature group of this stack (feature_groups[].name: listed at "
            "models[0].training.data.feature_group)",
        )
        for index, name in [(1, "demand-forecast"), (2, "demand-forecast-b")]
    ]
    assert str(error).count(listed(groups)) == 1


@pytest.mark.parametrize(
    ("edit", "said_once", "keys"),
    [
        pytest.param(
            _wide_family_on_three_endpoints,
            ", ".join(EXTRA_INPUTS[:20]),
            ["monitoring.drift_features: unset, so endpoint churn-3's"],
            id="drift-features",
        ),
        pytest.param(
            _unknown_families,
            "customer-churn, demand-forecast",
            [f"endpoints[{n}].variants[0].model.latest_approved_of: 'nope-" for n in (1, 2, 3)]
            + ["endpoints[4].variants[0].model.family: 'mobile-churn'"],
            id="unknown-families",
        ),
    ],
)
def test_the_plan_refuses_them_naming_file_and_keys_with_the_list_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, said_once: str, keys: list[str]
) -> None:
    document = load_stack_document("prod")
    edit(document)
    stack = project_folder(tmp_path, stack="prod", document=document)

    stderr = _plan_refuses(stack, capsys)

    assert all(f"{stack}: {CONFIG_KEY}.{key}" in stderr for key in keys), stderr
    assert stderr.count(said_once) == 1, stderr


def test_keys_left_to_esc_list_the_environments_once_bounded(tmp_path: Path) -> None:
    environments = [f"team/env-{n:02d}" for n in range(35)]
    document = load_stack_document("dev")
    platform = document["config"][CONFIG_KEY]
    for field in ("region", "account_id", "tags"):
        del platform[field]
    text = "environment:\n" + "".join(f"  - {name}\n" for name in environments) + dump_document(document)
    stack = project_folder(tmp_path, text=text)

    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(stack)))

    note = (
        " (`environment:`), which may set it at `pulumi up`, but the offline plan cannot read ESC (it needs "
        "Pulumi Cloud): to plan this stack offline, set it in this stack file"
    )
    head = "missing required key: the stack imports the Pulumi ESC environment(s) "
    assert raised.value.problems == [
        (f"{CONFIG_KEY}.region", head + ", ".join(environments[:30]) + " and 5 more" + note),
        (f"{CONFIG_KEY}.account_id", head + "listed at region" + note),
        (f"{CONFIG_KEY}.tags", head + "listed at region" + note),
    ]
