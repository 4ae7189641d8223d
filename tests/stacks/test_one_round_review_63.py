"""Second read of "every problem of a stack file in one round" (stacks/partial_validation.py): a
check on what is left of an invalid value never judges the FAILED marker (a type test, a dump of a
model holding it, a validation given it), a check's refusal is failed for the checks after it, and a
check's own crash on what is left raises in the tests instead of being skipped without a word."""

from __future__ import annotations

import math
import operator
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator

from components.limits import fail_at
from stacks import partial_validation
from stacks.config import CONFIG_KEY, ConfigError
from stacks.partial_validation import (
    FAILED,
    Unavailable,
    model_check_errors,
    partial_instance,
    read_a_failed_value,
)
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document
from tests.recorded import computed_once
from tests.stacks.project_folder import project_folder

P = CONFIG_KEY


def _problems(tmp_path: Path, base: str, *edits: Callable[[dict[str, Any]], object]) -> dict[str, str]:
    document = load_stack_document(base)
    for edit in edits:
        edit(document["config"][CONFIG_KEY])
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = project_folder(tmp_path, stack="adopter", document=document)
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    return {key.removeprefix(f"{P}."): message for key, message in raised.value.problems}


USES: dict[str, Callable[[Any], object]] = {
    "isinstance": lambda value: isinstance(value, str),
    "abc isinstance": lambda value: isinstance(value, dict | list),
    "path join": lambda value: Path("models") / value,
    "set union": lambda value: {"a"} | value,
    "negation": operator.neg,
    "abs": abs,
    "round": round,
    "floor": math.floor,
    "modulo": lambda value: value % 60,
    "power": lambda value: 2**value,
    "reversed": reversed,
    "repr in a message": lambda value: f"got {value!r}",
    "repr of a list holding it": lambda value: repr(["a", value]),
    "getattr with a default": lambda value: getattr(value, "name", None),
}


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_every_use_of_a_failed_value_raises_unavailable(use: Callable[[Any], object]) -> None:
    with pytest.raises(Unavailable):
        use(FAILED)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    port: int = 80


class _Holder(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entry: _Entry
    other: str = "kept"

    @model_validator(mode="after")
    def _dumped(self) -> _Holder:
        if any(value in ("", None) for value in self.entry.model_dump().values()):
            raise ValueError("an entry value is empty")
        return self

    @model_validator(mode="after")
    def _typed(self) -> _Holder:
        if not isinstance(self.entry.name, str):
            raise ValueError("entry.name is not text")
        return self

    @model_validator(mode="after")
    def _validated_again(self) -> _Holder:
        TypeAdapter(str).validate_python(self.entry.name)
        return self


def test_no_check_judges_a_failed_value_it_dumps_type_tests_or_validates_again() -> None:
    """entry.name failed: the check dumping the entry, the one asking whether the name is text and
    the one validating it again are each skipped (before, the dump handed the marker on with a
    warning, isinstance said "not text", and the validation's error quoted the marker)."""
    holder = partial_instance(_Holder, {"entry": {"name": 5}})
    assert holder is not None and holder.entry.name is FAILED
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert list(model_check_errors(holder)) == []
        with pytest.raises(Exception) as dumped:
            holder.model_dump()
    assert caught == []
    assert read_a_failed_value(dumped.value)


def test_the_checks_on_a_model_without_failed_values_still_report() -> None:
    holder = partial_instance(_Holder, {"entry": {"name": ""}, "other": 5})
    assert holder is not None and holder.other is FAILED
    assert [(error["loc"], error["msg"]) for error in model_check_errors(holder)] == [
        ((), "Value error, an entry value is empty")
    ]


def test_a_training_spec_with_a_failed_entry_point_is_read_without_a_serialization_warning(
    tmp_path: Path,
) -> None:
    """The family's script check dumps entry_points (``model_dump``): with ``train`` failed (no
    importable module name), the check is skipped, not run on the marker with pydantic's "unprintable
    _Failed object" warning."""

    def not_a_module(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"].setdefault("entry_points", {})["train"] = "train-v2.py"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = _problems(tmp_path, "prod", not_a_module)
    assert [str(warning.message) for warning in caught] == []
    assert list(problems) == ["models[0].training.entry_points.train"]
    assert "importable module" in problems["models[0].training.entry_points.train"]


def test_a_value_a_sections_check_refused_is_not_judged_by_the_check_holding_it(tmp_path: Path) -> None:
    """scaling.min_capacity above max_capacity is refused by the scaling's own check; the variant's
    check of initial_instance_count against min_capacity must not judge it again because a schedule
    elsewhere in the scaling failed (alone, the scaling's refusal hides the variant's check)."""

    def bad_schedule(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["scaling"]["scheduled"][1]["schedule"] = "BAD VALUE!"

    def huge_minimum(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["scaling"]["min_capacity"] = 1_000_000_000

    alone = _problems(tmp_path / "alone", "prod", huge_minimum)
    assert alone == {
        "endpoints[0].variants[0].scaling.min_capacity": "min_capacity 1000000000 > max_capacity 8"
    }
    both = _problems(tmp_path / "both", "prod", bad_schedule, huge_minimum)
    assert set(both) == {
        "endpoints[0].variants[0].scaling.scheduled[1].schedule",
        "endpoints[0].variants[0].scaling.min_capacity",
    }


class _Crashing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int

    @model_validator(mode="after")
    def _crashes(self) -> _Crashing:
        return {"a": 1}["b"]  # type: ignore[return-value]  # a check's own bug


def test_a_checks_own_crash_on_what_is_left_raises_in_the_tests_and_is_skipped_for_adopters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashing = partial_instance(_Crashing, {"name": 5, "size": 1})
    assert crashing is not None
    assert partial_validation.CRASHES_RAISE, "tests/conftest.py turns it on"
    with pytest.raises(KeyError):
        list(model_check_errors(crashing))
    monkeypatch.setattr(partial_validation, "CRASHES_RAISE", False)
    assert list(model_check_errors(crashing)) == []


@pytest.mark.parametrize(
    "error",
    [Unavailable(), TypeError("sequence item 0: expected str instance, _Failed found")],
    ids=["unavailable", "a type check in C"],
)
def test_what_comes_of_reading_a_failed_value_is_told_from_a_checks_own_bug(error: Exception) -> None:
    assert read_a_failed_value(error)
    assert not read_a_failed_value(TypeError("unsupported operand type(s) for +: 'int' and 'str'"))
    assert not read_a_failed_value(KeyError("b"))


def _refused_one_at_a_time(node: Any, location: tuple[Any, ...]) -> Any:
    """What :func:`refused` holds, one location at a time (as it was written first)."""
    if not location or node is FAILED:
        return FAILED
    head, rest = location[0], location[1:]
    if type(node) is dict:
        return {**node, head: _refused_one_at_a_time(node[head], rest) if head in node else FAILED}
    if type(node) is list and type(head) is int and 0 <= head < len(node):
        return [*node[:head], _refused_one_at_a_time(node[head], rest), *node[head + 1 :]]
    return FAILED


def _same(left: Any, right: Any) -> bool:
    if left is FAILED or right is FAILED:
        return left is right
    if type(left) is not type(right):
        return False
    if type(left) is dict:
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    if type(left) is list:
        return len(left) == len(right) and all(map(_same, left, right))
    return bool(left == right)


def test_refused_fails_each_location_once_whatever_their_order_and_depth() -> None:
    """Every location of a document (and past its ends), in several orders and combinations: the
    same document as failing them one at a time, and the document itself left as it was."""
    import copy
    import random

    from stacks.partial_validation import refused

    document = {"a": {"b": [1, {"c": "x", "d": [2, 3]}, "t"], "e": "text"}, "f": [[4], {"g": 5}]}
    original = copy.deepcopy(document)
    locations = [
        (),
        ("a",),
        ("a", "b"),
        ("a", "b", 1),
        ("a", "b", 1, "c"),
        ("a", "b", 1, "d", 0),
        ("a", "b", 1, "d", 7),
        ("a", "b", 2, "deeper"),
        ("a", "e", "below text"),
        ("a", "missing", "x"),
        ("f", 0, 0),
        ("f", 1, "g"),
        ("f", "key of a list"),
        ("h",),
    ]
    rng = random.Random(63)
    for _ in range(400):
        chosen = rng.sample(locations, rng.randint(1, 5))
        expected: Any = document
        for location in chosen:
            expected = _refused_one_at_a_time(expected, location)
        assert _same(refused(document, chosen), expected), chosen
    assert document == original


class _Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.low > self.high:
            fail_at("_Range", ("low",), self.low, "low above high")
        return self

    @model_validator(mode="after")
    def _low_even(self) -> _Range:
        if self.low % 2:
            raise ValueError("low is odd")
        return self


class _Size(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int

    @model_validator(mode="after")
    def _small(self) -> _Size:
        if self.size > 5:
            raise ValueError("size above 5")
        return self


class _Both(BaseModel):
    model_config = ConfigDict(extra="forbid")
    range: _Range
    sizes: list[_Size]
    other: int
    limit: int

    @model_validator(mode="after")
    def _limit_at_most_a_hundred(self) -> _Both:
        if self.limit > 100:
            fail_at("_Both", ("limit",), self.limit, "limit above 100")
        return self

    @model_validator(mode="after")
    def _limit_even(self) -> _Both:
        if self.limit % 2:
            raise ValueError("limit is odd")
        return self

    @model_validator(mode="after")
    def _low_at_most_ten(self) -> _Both:
        if self.range.low > 10:
            raise ValueError("range.low above 10")
        return self

    @model_validator(mode="after")
    def _sizes_at_most_ten(self) -> _Both:
        if any(size.size > 10 for size in self.sizes):
            raise ValueError("a size above 10")
        return self


def test_what_a_check_refused_is_failed_for_the_models_next_checks_and_those_holding_it() -> None:
    """``other`` failed, so every check runs on what is left: range.low (13, above high) refused by
    the range's first check is read neither by its next check (odd) nor by the one holding it
    (above 10); sizes[1], refused whole by its own check (a ValueError), is not read by the check
    holding the list either; limit (101), refused by the first check of the outermost model, is not
    read by its next (odd). Alone, the validation would stop at each of those refusals."""
    both = partial_instance(
        _Both,
        {"range": {"low": 13, "high": 12}, "sizes": [{"size": 1}, {"size": 11}], "other": "x", "limit": 101},
    )
    assert both is not None and both.other is FAILED
    assert [(error["loc"], error["msg"]) for error in model_check_errors(both)] == [
        (("range", "low"), "low above high"),
        (("sizes", 1), "Value error, size above 5"),
        (("limit",), "limit above 100"),
    ]


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: int = 1
    high: int = 2


class _Defaulted(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    limits: _Limits = _Limits()
    other: int
    strict: bool = False

    @model_validator(mode="after")
    def _strict_needs_a_low_above_one(self) -> _Defaulted:
        if self.strict and self.limits.low == 1:
            fail_at("_Defaulted", ("limits", "low"), self.limits.low, "strict needs limits.low above 1")
        return self


def test_a_refusal_inside_a_defaulted_section_leaves_the_models_default_as_it_was() -> None:
    """A frozen model's default section is one object shared by every instance: the refusal of
    limits.low (failed in place for the checks after it) must fail it in the partial value's own
    copy, not in the class's default, which every later validation in the process would read."""
    default = _Defaulted.model_fields["limits"].default
    for _ in range(2):  # the second run reads the default as the first left it
        partial = partial_instance(_Defaulted, {"other": "x", "strict": True})
        assert partial is not None and partial.limits is not default
        assert [(error["loc"], error["msg"]) for error in model_check_errors(partial)] == [
            (("limits", "low"), "strict needs limits.low above 1")
        ]
    assert default.low == 1
    assert _Defaulted(other=1).limits.low == 1


def _scaling(platform: dict[str, Any]) -> dict[str, Any]:
    scaling: dict[str, Any] = platform["endpoints"][0]["variants"][0]["scaling"]
    return scaling


NEIGHBOURS: dict[str, Callable[[dict[str, Any]], object]] = {
    "schedule": lambda platform: _scaling(platform)["scheduled"][1].update(schedule="BAD VALUE!"),
    "scheduled_name": lambda platform: _scaling(platform)["scheduled"][0].update(name=123),
    "min_capacity": lambda platform: _scaling(platform).update(min_capacity=1_000_000_000),
    "scheduled_max": lambda platform: _scaling(platform)["scheduled"][1].update(max_capacity=9),
    "feature_name": lambda platform: platform["feature_groups"][1]["features"][0].update(name="nosuch-x"),
    "feature_type": lambda platform: platform["feature_groups"][1]["features"][2].update(type="Bogus"),
    "retention": lambda platform: platform["network"].update(flow_log_retention_days=91),
    "model_monitor": lambda platform: platform["monitoring"].update(model_monitor=False),
    "metric": lambda platform: platform["models"][0]["promotion"].update(metric="metrics.rmse.value"),
    "region": lambda platform: platform.update(region="ca-west-1"),
}
"""Mistakes in neighbouring parts of the prod fixture: a field and the checks of the model holding
it (a variant's scaling, a feature group), and checks across sections that read those models."""


def test_two_mistakes_in_neighbouring_parts_report_nothing_neither_reports_alone() -> None:
    """Every pair of :data:`NEIGHBOURS`: the pair's problems are at the two mistakes' own keys (a check
    judging what another check refused, or the marker of a failed value, would add one), and no
    check crashes on what is left (tests/conftest.py makes such a crash raise). A check reading a
    value the other mistake failed is skipped whole, so a pair may report less than both alone."""
    alone, pairs = computed_once("neighbour-problem-keys", _neighbour_problem_keys)
    assert all(alone.values()), "each mistake is a problem of its own"
    for (first, second), both in pairs.items():
        # Keys, not messages: one message may speak of both values (the region's images without
        # the Model Monitor schedules when model_monitor is false).
        assert set(both) <= set(alone[first]) | set(alone[second]), (first, second)


def _neighbour_problem_keys() -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """The keys of the problems of each mistake of :data:`NEIGHBOURS` alone, and of each pair's, in
    project folders of a temporary folder of its own: a pure function of the code, this module and
    the fixtures (a support file), so computed once per version of them and read by every later
    run (tests.recorded.computed_once). A stack that is not refused, or a check that crashes,
    raises here, and nothing is kept."""
    import itertools

    with tempfile.TemporaryDirectory(prefix="neighbours-") as folder:
        root = Path(folder)
        alone = {name: sorted(_problems(root / name, "prod", edit)) for name, edit in NEIGHBOURS.items()}
        pairs = {
            (first, second): sorted(
                _problems(root / f"{first}+{second}", "prod", NEIGHBOURS[first], NEIGHBOURS[second])
            )
            for first, second in itertools.combinations(NEIGHBOURS, 2)
        }
    return alone, pairs
