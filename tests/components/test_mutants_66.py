"""Session 66 mutation audit: ``components.text_limits``' lists said once, what earlier tests left unpinned.

Direct calls on a few short messages: which list a later problem points to, which it keeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.text_limits import RECENT_LISTS, forget_lists, listed, lists_said_once


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget_lists()
    yield
    forget_lists()


def said(*messages: str, shown: int = 10, cut: int = 1000) -> list[str]:
    return lists_said_once([("f", f"k{i}", m) for i, m in enumerate(messages, 1)], shown, cut)


def test_a_later_list_points_to_the_first_and_a_longer_list_is_read_whole() -> None:
    short, long = listed(["x", "y"]), listed(["x", "y", "z", "w"], limit=2)  # "x, y and 2 more"
    two = listed(["p", "q", "r"])
    assert said(f"a: {two}; b: {long}", f"a: {two}; b: {long}", f"c: {short}") == [
        f"a: {two}; b: {long}",
        "a: listed at k1; b: listed at k1",
        f"c: {short}",  # "x, y" inside the longer list is not that list
    ]


@pytest.mark.parametrize(
    "later",
    ["m: 'a, b", "m: a, b'", "m: x/a, b", "m: ka, b"],
    ids=["quote-before", "quote-after", "slash-before", "letter-before"],
)
def test_a_list_that_is_not_whole_is_kept(later: str) -> None:
    text = listed(["a", "b"])
    assert said(f"m: {text}", later) == [f"m: {text}", later]


def test_only_what_a_reader_sees_points_elsewhere() -> None:
    text = listed(["a", "b"])
    # Past ``cut`` in the first message: the second is the first to show it.
    assert said("m " * 15 + text, f"m: {text}", cut=20) == ["m " * 15 + text, f"m: {text}"]
    # Past ``shown`` problems: the third keeps its list.
    assert said(f"m: {text}", f"m: {text}", f"m: {text}", shown=2) == [
        f"m: {text}",
        "m: listed at k1",
        f"m: {text}",
    ]


def test_the_oldest_list_is_forgotten_and_a_list_said_again_is_the_newest() -> None:
    first, second, third = listed(["a0", "b"]), listed(["a1", "b"]), listed(["a2", "b"])
    for index in range(3, RECENT_LISTS):
        listed([f"a{index}", "b"])  # RECENT_LISTS lists: all remembered
    listed(["a0", "b"])  # said again: the newest
    newest = listed(["new", "b"])  # one over: the oldest (``second``) goes

    def remembered(text: str) -> bool:
        return said(f"m: {text}", f"m: {text}")[1] == "m: listed at k1"

    assert [remembered(text) for text in (first, second, third, newest)] == [True, False, True, True]


def test_reading_a_stack_file_forgets_the_lists_said_before() -> None:
    from stacks.stack_file import offline_platform_config, read_stack_file

    text = listed(["alpha", "beta"])  # an earlier file's (or test's) list
    stack_file = read_stack_file("tests/fixtures/stacks/Pulumi.dev.yaml")
    after_read = said(f"m: {text}", f"m: {text}")
    listed(["alpha", "beta"])
    offline_platform_config(stack_file)
    # In this file's problems the same text is a value the user wrote: kept as written.
    assert [after_read, said(f"m: {text}", f"m: {text}")] == [[f"m: {text}"] * 2] * 2
