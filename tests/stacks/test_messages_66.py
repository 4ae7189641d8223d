"""Session 66: every list of names a stack file's problems repeat is said once per file, one way.

A list :func:`~stacks.input_limits.listed` composes (two names or more) is listed by the first
problem of the file holding it; the later ones say ``listed at <that problem's key>``, whichever
check wrote them. Five checks did this each their own way (the families, the drift inputs, the
feature groups, the training columns, the ESC environments: their tests in test_messages_64/65/65b
pin the one wording); the keys allowed where an unknown key is written were listed whole for every
unknown key. A check written tomorrow that calls ``listed()`` gets it with no code of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stacks.config import (
    CONFIG_KEY,
    MAX_PROBLEMS_SHOWN,
    ConfigError,
    PlatformConfig,
    _allowed_keys,
    parse_platform_config,
)
from stacks.input_limits import listed, lists_said_once
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document

SOURCE = "stacks/Pulumi.variant.yaml"
NAMES = [f"name_{n:02d}_" + "z" * 60 for n in range(40)]


def _a_new_check(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A check no code knows of: three problems listing one long list, one listing another."""
    for index in range(3):
        yield f"widgets[{index}].name", f"'w{index}' is not a widget of this stack ({listed(NAMES)})"
    yield "gadgets[0]", f"not a gadget: use one of {listed(['g1', 'g2'])}"
    yield "gadgets[1]", f"not a gadget: use one of {listed(['g1', 'g2'])}"


def test_a_new_check_calling_listed_says_its_list_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import stacks.config

    monkeypatch.setattr(stacks.config, "CROSS_CHECKS", (*stacks.config.CROSS_CHECKS, _a_new_check))

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(load_stack_document("dev")["config"][CONFIG_KEY], SOURCE)

    names = listed(NAMES)
    assert names.endswith(" and 10 more")
    assert raised.value.problems == [
        (f"{CONFIG_KEY}.widgets[0].name", f"'w0' is not a widget of this stack ({names})"),
        (f"{CONFIG_KEY}.widgets[1].name", "'w1' is not a widget of this stack (listed at widgets[0].name)"),
        (f"{CONFIG_KEY}.widgets[2].name", "'w2' is not a widget of this stack (listed at widgets[0].name)"),
        (f"{CONFIG_KEY}.gadgets[0]", "not a gadget: use one of g1, g2"),
        (f"{CONFIG_KEY}.gadgets[1]", "not a gadget: use one of listed at gadgets[0]"),
    ]
    lines = str(raised.value).splitlines()
    assert str(raised.value).count(names) == 1
    assert all(
        line.startswith(f"  {SOURCE}: {key}: ")
        for line, (key, _) in zip(lines[1:], raised.value.problems, strict=True)
    )


def _unknown_keys(count: int, in_endpoint: int) -> Any:
    def edit(platform: dict[str, Any]) -> None:
        for n in range(count):
            platform[f"unknown_{n:03d}"] = 1
        for n in range(in_endpoint):
            platform["endpoints"][0][f"typo_{n:03d}"] = 1

    return edit


def _refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    return raised.value


def test_unknown_keys_of_a_map_list_its_allowed_keys_once(write_stack) -> None:
    path = write_stack("dev", _unknown_keys(2, 2))

    error = _refusal(path)

    top, endpoint = ", ".join(_allowed_keys(())), ", ".join(_allowed_keys(("endpoints", 0)))
    allowed = "unknown key; allowed keys here: "
    assert error.problems == [
        (f"{CONFIG_KEY}.endpoints[0].typo_000", allowed + endpoint),
        (f"{CONFIG_KEY}.endpoints[0].typo_001", allowed + "listed at endpoints[0].typo_000"),
        (f"{CONFIG_KEY}.unknown_000", allowed + top),
        (f"{CONFIG_KEY}.unknown_001", allowed + "listed at unknown_000"),
    ]
    assert "name_prefix" in top and "variants" in endpoint
    assert all(f"  {path}: {key}: {message}" in str(error).splitlines() for key, message in error.problems)


def test_500_unknown_keys_are_a_bounded_message_listing_the_allowed_keys_once(write_stack) -> None:
    path = write_stack("dev", _unknown_keys(500, 20))

    error = _refusal(path)

    text = str(error)
    lines = text.splitlines()
    assert len(error.problems) == 520 and lines[-1] == f"  {path}: … and 470 more problems"
    top, endpoint = ", ".join(_allowed_keys(())), ", ".join(_allowed_keys(("endpoints", 0)))
    assert text.count(top) == 1 and text.count(endpoint) == 1
    assert lines[22].endswith(": unknown key; allowed keys here: listed at unknown_000")
    # 50 problems shown, each list once: 5,600 characters besides the file's path on each line,
    # whatever the count of unknown keys (16,500 when each line listed its allowed keys; 21,800
    # for 500 at the top level alone).
    assert len(lines) == MAX_PROBLEMS_SHOWN + 2
    assert len(text) - len(lines) * len(str(path)) < 6_000, len(text)


def test_each_file_of_a_joined_error_lists_the_names_itself() -> None:
    names = listed(NAMES)
    stack = ConfigError(SOURCE, [(f"{CONFIG_KEY}.a", names), (f"{CONFIG_KEY}.b", names)])
    project = ConfigError("Pulumi.yaml", [("config.x", names), ("config.y", names)])

    joined = ConfigError.joined(SOURCE, [stack, project])

    assert joined.problems == [
        (f"{CONFIG_KEY}.a", names),
        (f"{CONFIG_KEY}.b", "listed at a"),
        ("config.x", names),
        ("config.y", "listed at config.x"),
    ]
    assert joined.sources == (SOURCE, SOURCE, "Pulumi.yaml", "Pulumi.yaml")


def _said(messages: list[str], shown: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    return lists_said_once([(SOURCE, f"k{n}", message) for n, message in enumerate(messages)], shown, 4_000)


@pytest.mark.parametrize(
    ("lists", "messages", "said", "shown"),
    [
        pytest.param(
            [["a1", "b1"]],
            ["one of a1, b1", "not one of a1, b1."],
            ["one of a1, b1", "not one of listed at k0."],
            MAX_PROBLEMS_SHOWN,
            id="the-same-list-pointed-to",
        ),
        pytest.param(
            [["solo"]],
            ["one of solo", "one of solo"],
            ["one of solo", "one of solo"],
            MAX_PROBLEMS_SHOWN,
            id="one-name-is-no-list-to-point-to",
        ),
        pytest.param(
            [["a2", "b2"]],
            ["one of a2, b2", "one of x, a2, b2", "one of a2, b2, c", "one of a2, b2x"],
            ["one of a2, b2", "one of x, a2, b2", "one of a2, b2, c", "one of a2, b2x"],
            MAX_PROBLEMS_SHOWN,
            id="names-inside-another-list-are-not-it",
        ),
        pytest.param(
            [["a3", "b3"]],
            ["one of a3, b3", "one of a3, b3"],
            ["one of a3, b3", "one of a3, b3"],
            0,
            id="a-list-not-shown-is-not-pointed-to",
        ),
    ],
)
def test_what_is_a_list_said_before(
    lists: list[list[str]], messages: list[str], said: list[str], shown: int
) -> None:
    for names in lists:  # composed as a check composes them, after the file's reading began
        listed(names)
    assert _said(messages, shown) == said
