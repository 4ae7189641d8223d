"""The SDK's (de)serialising of plain values and its settings reads, shortened
(planner/sdk_serialize.py): the SDK's own answer (or error) for adversarial values, the same
recorded graphs with and without the shortcuts, and only where the planner's hooks are on."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import math
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import struct_pb2
from pulumi import _utils
from pulumi.output import Unknown
from pulumi.runtime import rpc, settings

from bench.plan_bench import REFERENCE_PROD, synthetic_stack_text
from planner import sdk_serialize
from planner.recorder import ResourceGraph, record_stack_file
from stacks.config import project_dir
from stacks.project_config import PROJECT_FILE
from tests.fresh_plans import fresh_plan
from tests.recorded import computed_once, recorded_stack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stacks"


class _Text(str):
    pass


class _Texts(list):  # type: ignore[type-arg]
    pass


class _Level(enum.IntEnum):
    HIGH = 2


class _Pair(NamedTuple):
    first: str
    second: int


VALUES: dict[str, Callable[[], Any]] = {
    "text": lambda: "churn",
    "empty-text": lambda: "",
    "the-wire-unknown-text": lambda: rpc.UNKNOWN,
    "zero": lambda: 0,
    "negative-int": lambda: -3,
    "true": lambda: True,
    "false": lambda: False,
    "float": lambda: 2.5,
    "nan": lambda: math.nan,
    "infinity": lambda: math.inf,
    "none": lambda: None,
    "a-str-subclass": lambda: _Text("x"),
    "an-int-enum": lambda: _Level.HIGH,
    "empty-list": list,
    "empty-tuple": tuple,
    "a-list-of-scalars": lambda: ["a", 1, None, True, 2.5, math.nan],
    "a-tuple-of-scalars": lambda: ("a", 2),
    "a-nested-list": lambda: [["nested"], "b"],
    "a-list-holding-an-unknown": lambda: ["a", Unknown()],
    "a-list-holding-an-output": lambda: ["a", pulumi.Output.from_input("b")],
    "a-list-holding-a-str-subclass": lambda: ["a", _Text("b")],
    "a-list-subclass": lambda: _Texts(["a"]),
    "a-named-tuple": lambda: _Pair("a", 1),
    "a-dict": lambda: {"snake_key": 1, "other": "x"},
    "a-dict-with-int-keys": lambda: {1: "x"},
    "bytes": lambda: b"bytes",
    "a-set": lambda: {1, 2},
    "a-range": lambda: range(3),
    "an-unknown": Unknown,
    "an-output": lambda: pulumi.Output.from_input("x"),
    "a-secret-output": lambda: pulumi.Output.secret("s"),
    "an-input-type": lambda: aws.cloudwatch.MetricAlarmMetricQueryArgs(id="errors", return_data=True),
}

_NONE_FIRST = Union[None, str]  # noqa: UP007 (a hint the SDK's unwrap_type refuses)

TYPES: dict[str, Any] = {
    "none": None,
    "any": Any,
    "str": str,
    "int": int,
    "float": float,
    "optional-str": Optional[str],  # noqa: UP045 (the SDK's own hints are written so)
    "input-str": pulumi.Input[str],
    "list": list,
    "list-of-str": list[str],
    "sequence-of-input-str": Optional[Sequence[pulumi.Input[str]]],  # noqa: UP045
    "input-sequence-of-input-str": pulumi.Input[Sequence[pulumi.Input[str]]],
    "sequence-of-any": Sequence[Any],
    "dict-of-str": dict[str, str],
    "mapping-of-any": Mapping[str, Any],
    "an-input-type": aws.cloudwatch.MetricAlarmMetricQueryArgs,
    # ``unwrap_type`` refuses a union whose second member is not None (its Optional assertion):
    # under the first hint any value; under the second only a list's items (the SDK's walk unwraps
    # each item's hint, so an empty list passes); under the third a dict's values.
    "none-first-union": _NONE_FIRST,
    "list-of-none-first-union": list[_NONE_FIRST],
    "dict-of-none-first-union": dict[str, _NONE_FIRST],
}

OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "translated-keys": {"input_transformer": str.upper},
    "output-values-kept": {"keep_output_values": True},
    "protobuf-values": {"return_protobuf_value": True},
}


def _typed(value: Any) -> Any:
    """``value`` with every type spelt out (True is not 1, a tuple no list, NaN equals itself)."""
    if isinstance(value, dict):
        return (type(value).__name__, [(_typed(key), _typed(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(item) for item in value])
    if isinstance(value, struct_pb2.Value):
        return ("Value", value.SerializeToString(deterministic=True))
    if isinstance(value, Unknown):
        return ("Unknown", "")
    return (type(value).__name__, repr(value))


@contextlib.contextmanager
def _as_released() -> Iterator[None]:
    """The SDK's functions as released for the duration: its walk calls itself through the
    module's name, so with the shortcuts installed (as in every worker) the SDK's answer for a list
    or a dict would be the shortcut's for each item."""
    sdk_serialize.uninstall()
    try:
        assert rpc.serialize_property is sdk_serialize.SDKS_SERIALIZE_PROPERTY
        assert rpc.deserialize_property is sdk_serialize.SDKS_DESERIALIZE_PROPERTY
        yield
    finally:
        sdk_serialize.install()
    assert sdk_serialize.is_installed()


def _serialised(
    function: Callable[..., Any], make: Callable[[], Any], typ: Any, options: dict[str, Any]
) -> Any:
    """What ``function`` answers for a fresh ``make()``: its value, whether it is the input
    object itself, the dependencies it added; or the error it raised. The SDK's function runs as
    released throughout."""
    if function is sdk_serialize.SDKS_SERIALIZE_PROPERTY:
        with _as_released():
            return _serialised_now(function, make, typ, options)
    assert sdk_serialize.is_installed()
    return _serialised_now(function, make, typ, options)


def _serialised_now(
    function: Callable[..., Any], make: Callable[[], Any], typ: Any, options: dict[str, Any]
) -> Any:
    loop = asyncio.new_event_loop()

    async def run() -> Any:
        value = make()
        deps: list[Any] = []
        try:
            result = await function(value, deps, "prop", None, typ=typ, **options)
        except (ValueError, AssertionError, TypeError) as error:
            return ("raised", type(error).__name__, str(error))
        return ("returned", _typed(result), result is value, len(deps))

    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", VALUES)
def test_serialize_property_answers_as_the_sdks_own(name: str, option: str) -> None:
    make, options = VALUES[name], OPTIONS[option]
    differing = {
        type_name: (mine, sdks)
        for type_name, typ in TYPES.items()
        if (mine := _serialised(sdk_serialize.serialize_property, make, typ, options))
        != (sdks := _serialised(sdk_serialize.SDKS_SERIALIZE_PROPERTY, make, typ, options))
    }
    assert not differing


def test_the_table_reaches_the_sdks_errors_and_both_kinds_of_answer() -> None:
    """The cases include a list refused by its type hint and values answered by the shortcut."""
    outcomes = [
        _serialised(sdk_serialize.SDKS_SERIALIZE_PROPERTY, make, typ, {})
        for make in VALUES.values()
        for typ in TYPES.values()
    ]
    assert any(outcome[0] == "raised" and outcome[1] == "AssertionError" for outcome in outcomes)
    assert any(outcome[0] == "raised" and outcome[1] == "ValueError" for outcome in outcomes)
    assert any(outcome[0] == "returned" and outcome[2] for outcome in outcomes)  # the value itself


def _struct(fields: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(fields)
    return struct


WIRE_VALUES: dict[str, Callable[[], Any]] = {
    "text": lambda: "churn",
    "the-wire-unknown": lambda: rpc.UNKNOWN,
    "number": lambda: 3.0,
    "zero": lambda: 0.0,
    "nan": lambda: math.nan,
    "true": lambda: True,
    "none": lambda: None,
    "a-str-subclass": lambda: _Text(rpc.UNKNOWN),
    "a-struct": lambda: _struct({"a": 1.0, "b": [rpc.UNKNOWN, "x"], "c": {"d": None}}),
    "a-secret-struct": lambda: _struct({rpc._special_sig_key: rpc._special_secret_sig, "value": "s"}),
    "a-list-holding-a-secret": lambda: _struct(
        {"l": ["a", {rpc._special_sig_key: rpc._special_secret_sig, "value": "s"}]}
    )["l"],
}


@pytest.mark.parametrize("keep_unknowns", [None, False, True])
@pytest.mark.parametrize("name", WIRE_VALUES)
def test_deserialize_property_answers_as_the_sdks_own(name: str, keep_unknowns: bool | None) -> None:
    make = WIRE_VALUES[name]
    for keep_internal in (True, False):
        value = make()
        mine = sdk_serialize.deserialize_property(value, keep_unknowns, keep_internal)
        with _as_released():  # a struct's fields read by the SDK's own, not the shortcut
            sdks = sdk_serialize.SDKS_DESERIALIZE_PROPERTY(make(), keep_unknowns, keep_internal)
        assert _typed(mine) == _typed(sdks)
        assert (mine is value) == (type(value) in (str, float, bool, type(None)) and value != rpc.UNKNOWN)


class _Holder:
    plain = _utils.ContextProperty(name="sdk73-plain", default="start")
    mapping = _utils.ContextProperty(name="sdk73-mapping", default={"k": 1})
    unset = _utils.ContextProperty(name="sdk73-unset")


def test_a_settings_read_answers_as_the_sdks_own() -> None:
    holder = _Holder()
    for name in ("plain", "mapping", "unset"):
        prop = _Holder.__dict__[name]
        for obj in (holder, None):  # an instance's read, and the class's (the property itself)
            assert sdk_serialize._context_get(prop, obj, _Holder) is sdk_serialize.SDKS_CONTEXT_GET(
                prop, obj, _Holder
            )
    assert (
        sdk_serialize._context_get(_Holder.__dict__["mapping"], holder, _Holder)
        is _Holder.__dict__["mapping"]
    )
    for name, prop in vars(type(settings.SETTINGS)).items():
        if isinstance(prop, _utils.ContextProperty):
            mine = sdk_serialize._context_get(prop, settings.SETTINGS, type(settings.SETTINGS))
            assert mine is sdk_serialize.SDKS_CONTEXT_GET(prop, settings.SETTINGS, type(settings.SETTINGS)), (
                name
            )


def test_this_worker_records_with_them_and_the_switch_turns_them_off() -> None:
    assert sdk_serialize.is_installed()
    assert fresh_plan("1")["plan"]["sdk_serialize"] is True
    assert fresh_plan("0")["plan"]["sdk_serialize"] is False


@pytest.mark.parametrize(
    "released", ["SDKS_SERIALIZE_PROPERTY", "SDKS_DESERIALIZE_PROPERTY", "SDKS_CONTEXT_GET"]
)
def test_they_replace_only_the_sdk_release_they_match(released: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any one of the three functions changed in a later release keeps all three out."""
    assert sdk_serialize.is_the_known_release()  # the locked pulumi's

    def changed_release(*args: Any, **kwargs: Any) -> Any:  # a later SDK's
        return None

    sdk_serialize.uninstall()
    try:
        monkeypatch.setattr(sdk_serialize, released, changed_release)
        sdk_serialize.install()
        assert not sdk_serialize.is_installed()
        assert rpc.serialize_property is not sdk_serialize.serialize_property
    finally:
        monkeypatch.undo()
        sdk_serialize.install()
    assert sdk_serialize.is_installed()


@pytest.mark.parametrize(
    ("owner", "name", "released"),
    [
        (rpc, "serialize_property", sdk_serialize.SDKS_SERIALIZE_PROPERTY),
        (rpc, "deserialize_property", sdk_serialize.SDKS_DESERIALIZE_PROPERTY),
        (_utils.ContextProperty, "__get__", sdk_serialize.SDKS_CONTEXT_GET),
    ],
)
def test_they_count_as_installed_only_when_all_three_are(
    owner: Any, name: str, released: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One of the three put back (by a test, another hook) is not installed, and ``install``
    then puts in all three again."""
    assert sdk_serialize.is_installed()
    monkeypatch.setattr(owner, name, released)
    assert not sdk_serialize.is_installed()
    sdk_serialize.install()
    assert sdk_serialize.is_installed()


def _same(one: Any, other: Any) -> bool:
    """Equal as pickled: an asset (``FileAsset``) compares by identity, its pickle by its path."""
    return pickle.dumps(one) == pickle.dumps(other)


def _differences(mine: ResourceGraph, sdks: ResourceGraph) -> list[str]:
    """Each field that differs, named (resources and reads field by field)."""
    found = []
    for graph_field in dataclasses.fields(ResourceGraph):
        ours, theirs = getattr(mine, graph_field.name), getattr(sdks, graph_field.name)
        if graph_field.name not in ("resources", "reads"):
            if not _same(ours, theirs):
                found.append(graph_field.name)
            continue
        if len(ours) != len(theirs):
            found.append(f"{graph_field.name}: {len(ours)} against {len(theirs)}")
            continue
        for index, (one, other) in enumerate(zip(ours, theirs, strict=True)):
            for resource_field in dataclasses.fields(one):
                if not _same(getattr(one, resource_field.name), getattr(other, resource_field.name)):
                    found.append(f"{graph_field.name}[{index}] {one.urn}: {resource_field.name}")
    return found


def _without_shortcuts(path: Path) -> ResourceGraph:
    """The recording of ``path`` by the SDK as released (the shortcuts put back while it runs): a
    pure function of the code, the SDK and the stack file, so recorded once per version of them
    (:func:`tests.recorded.computed_once`, keyed like a ``recorded_stack`` graph: the file's name
    and bytes and its project file; the code, the environment and the working directory are in
    every key), ``source`` naming the caller's file as a recording of it does."""

    def record() -> ResourceGraph:
        sdk_serialize.uninstall()
        try:
            assert not sdk_serialize.is_installed()
            return dataclasses.replace(record_stack_file(str(path)), source="")
        finally:
            sdk_serialize.install()

    project_file = project_dir(str(path)) / PROJECT_FILE
    graph = computed_once(
        "without-shortcuts",
        record,
        key=[
            path.name,
            path.read_bytes(),
            str(project_file),
            project_file.read_bytes() if project_file.is_file() else b"",
        ],
    )
    return dataclasses.replace(graph, source=str(path))


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "synthetic"])
def test_a_recording_is_the_same_with_and_without_them(stack: str, tmp_path: Path) -> None:
    """Both recordings come from the suite's caches (each recorded once per version of the code):
    the shortcuts' answers, value by value, are compared with the SDK's live by the tests above."""
    if stack == "synthetic":
        path = tmp_path / "Pulumi.prod.yaml"
        path.write_text(synthetic_stack_text(REFERENCE_PROD, 3, 2))
    else:
        path = FIXTURES / f"Pulumi.{stack}.yaml"
    mine = recorded_stack(path)
    assert sdk_serialize.is_installed()
    sdks = _without_shortcuts(path)
    assert len(mine.resources) > 100
    assert _differences(mine, sdks) == []
