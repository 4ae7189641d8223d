"""Mutation audit (session 66) of session 65's components/text_limits.py: what the earlier tests let
survive of ``listed``'s bound and count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.limits import LISTED_LIMIT, listed
from components.text_limits import forget_lists


@pytest.fixture(autouse=True)
def _no_remembered_lists() -> Iterator[None]:
    yield
    forget_lists()  # listed() remembers what it composed: no other test reads these


def test_a_list_of_exactly_the_limit_is_shown_whole_without_a_count() -> None:
    names = [f"m{i}" for i in range(LISTED_LIMIT)]
    assert listed(names) == ", ".join(names)


def test_what_a_long_list_leaves_out_is_counted_with_thousands_separated() -> None:
    names = [f"f{i}" for i in range(LISTED_LIMIT + 1_001)]
    assert listed(names) == ", ".join(names[:LISTED_LIMIT]) + " and 1,001 more"
