"""What :func:`stacks.secret_stand_ins.require_no_stand_in` takes for a use of a stand-in (session 63 review).

A command's names and texts hold an encrypted leaf's stand-in as a whole word (``dev-<stand-in>``,
``endpoint/<stand-in>/variant/primary``), wherever they nest (a map's keys and values, a pydantic
model); text that merely contains it inside a longer word, or another leaf's numbered stand-in
(``<stand-in>-1``), is no use of it: naming the leaf there would ask to set in clear a value the
command never uses.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from stacks.config import CONFIG_KEY, ConfigError
from stacks.project import SECRET_STAND_IN
from stacks.secret_stand_ins import require_no_stand_in

LEAF = ("tags", "owner")
ACCOUNT_LEAF = ("account_id",)


class Named(BaseModel):
    name: str


def _named(used: Any, stand_ins: dict[tuple[str | int, ...], str] | None = None) -> list[str]:
    try:
        require_no_stand_in(stand_ins or {LEAF: SECRET_STAND_IN}, "Pulumi.dev.yaml", used, "a command")
    except ConfigError as error:
        return [key.removeprefix(f"{CONFIG_KEY}.") for key, _ in error.problems]
    return []


@pytest.mark.parametrize(
    "used",
    [
        pytest.param(f"dev-{SECRET_STAND_IN}-primary", id="inside-a-name"),
        pytest.param(f"endpoint/{SECRET_STAND_IN}/variant/primary", id="a-path-segment"),
        pytest.param({f"dev-{SECRET_STAND_IN}": "anything"}, id="a-map-key"),
        pytest.param([("x", {"y": [SECRET_STAND_IN]})], id="nested"),
        pytest.param(Named(name=SECRET_STAND_IN), id="a-pydantic-model"),
    ],
)
def test_a_whole_word_use_names_the_leaf(used: Any) -> None:
    assert _named(used) == ["tags.owner"]


@pytest.mark.parametrize(
    "used",
    [
        pytest.param(f"{SECRET_STAND_IN}-1", id="another-leafs-numbered-stand-in"),
        pytest.param(f"https://{SECRET_STAND_IN}-3.invalid/", id="another-leafs-url-stand-in"),
        pytest.param(f"my{SECRET_STAND_IN}", id="inside-a-longer-word-before"),
        pytest.param(f"{SECRET_STAND_IN}s", id="inside-a-longer-word-after"),
        pytest.param(SECRET_STAND_IN.replace("-", "_"), id="another-text"),
    ],
)
def test_text_that_only_contains_it_names_nothing(used: Any) -> None:
    assert _named(used) == []


def test_an_account_stand_in_inside_a_longer_number_is_no_use() -> None:
    stand_ins = {ACCOUNT_LEAF: "000000000001"}
    assert _named("arn:aws:iam::000000000001:role/x", stand_ins) == ["account_id"]
    assert _named("9000000000001", stand_ins) == []
    assert _named("0000000000012", stand_ins) == []
