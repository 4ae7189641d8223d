"""Session 66 review: a list said once per file points only to a problem that shows it.

``listed at <key>`` replaces a list of names an earlier problem of the file shows; never a value
the user wrote that reads like one (an echoed ``'a, b'``), never a list only another file (or an
earlier validation in the same process) listed, and never toward a problem rewritten afterwards
(an encrypted leaf's problem says what it must name instead of the list).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.input_limits import forget_lists, listed, lists_said_once
from stacks.stack_file import offline_platform_config, read_stack_file

ENCRYPTED = {"secure": "v1:abcdefABCDEF0123456789=="}


def _refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    return raised.value


def _add_family(platform: dict[str, Any], name: str) -> None:
    family = copy.deepcopy(platform["models"][0])
    family["name"] = name
    platform["models"].append(family)


def _endpoints_naming(value: str) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        _add_family(platform, "demand")
        for n in range(2):
            endpoint = copy.deepcopy(platform["endpoints"][0])
            endpoint["name"] = f"extra-{n}"
            endpoint["variants"][0]["model"] = {"latest_approved_of": value}
            platform["endpoints"].append(endpoint)

    return edit


def _encrypted_group_then_an_unknown_one(platform: dict[str, Any]) -> None:
    trained = next(
        n for n, family in enumerate(platform["models"]) if (family.get("training") or {}).get("data")
    )
    other = copy.deepcopy(platform["models"][trained])
    other["name"] = "zz-other"
    other["training"]["data"]["feature_group"] = "nope"
    platform["models"].append(other)
    platform["models"][trained]["training"]["data"]["feature_group"] = ENCRYPTED


def _pointed_to(error: ConfigError, names: str) -> list[str]:
    """The keys ``listed at`` points to; each must be a problem of the file whose shown message
    (the error's own text) lists ``names``."""
    shown = {key.removeprefix(f"{CONFIG_KEY}."): message for key, message in error.problems}
    keys = [key for _, message in error.problems for key in re.findall(r"listed at ([^\s)]+)", message)]
    for key in keys:
        assert names in shown[key], (key, shown[key])
        assert f"{key}: {shown[key]}" in str(error)
    return keys


@pytest.mark.parametrize(
    ("base", "edit", "names", "echoed", "pointers"),
    [
        pytest.param(
            "dev",
            _endpoints_naming("customer-churn, demand"),
            "customer-churn, demand",
            "'customer-churn, demand' is not a model family",
            1,
            id="a-value-written-like-the-list-is-still-shown",
        ),
        pytest.param(
            "prod",
            _encrypted_group_then_an_unknown_one,
            "customer-churn, customer-churn-labelled",
            None,
            0,  # the first problem no longer lists the groups: the second lists them itself
            id="no-pointer-to-a-problem-rewritten-without-the-list",
        ),
    ],
)
def test_a_pointer_is_to_a_problem_showing_the_list(
    write_stack: Callable[..., Path],
    base: str,
    edit: Callable[[dict[str, Any]], None],
    names: str,
    echoed: str | None,
    pointers: int,
) -> None:
    error = _refusal(write_stack(base, edit))

    assert len(_pointed_to(error, names)) == pointers
    assert str(error).count(names) >= 1
    if echoed is not None:
        assert all(message.startswith(echoed) for _, message in error.problems), error.problems


def test_a_list_an_earlier_file_listed_is_not_read_in_the_next_one(write_stack: Callable[..., Path]) -> None:
    def families(platform: dict[str, Any]) -> None:
        platform["models"][0]["name"] = "alpha"  # endpoints[0] follows customer-churn: refused, listing both
        _add_family(platform, "beta")

    def columns(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"]["label"] = "alpha, beta"
        platform["models"][0]["training"]["identifiers"] = ["alpha, beta"]

    assert "(alpha, beta)" in str(_refusal(write_stack("dev", families, name="Pulumi.first.yaml")))
    error = _refusal(write_stack("dev", columns, name="Pulumi.second.yaml"))

    assert [key for key, _ in error.problems] == [
        f"{CONFIG_KEY}.models[0].training.label",
        f"{CONFIG_KEY}.models[0].training.identifiers[0]",
    ]
    assert all(message.endswith("(got 'alpha, beta')") for _, message in error.problems), error.problems


@pytest.mark.parametrize(
    ("forget", "second"),
    [
        pytest.param(False, "listed at k0 not in the set", id="remembered-in-the-file-is-pointed-to"),
        pytest.param(True, "alpha, beta not in the set", id="forgotten-when-a-file-begins-is-left-alone"),
    ],
)
def test_lists_are_remembered_from_where_a_file_begins(forget: bool, second: str) -> None:
    listed(["alpha", "beta"])  # an earlier file's check (or a component's own message)
    if forget:
        forget_lists()  # read_stack_file, offline_platform_config and load_config begin so
    messages = ["alpha, beta not in the set", "alpha, beta not in the set"]

    said = lists_said_once([("f", f"k{n}", message) for n, message in enumerate(messages)], 50, 4_000)

    assert said == [messages[0], second]
