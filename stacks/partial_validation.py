"""What is left of a stack's configuration when part of it is invalid, so that every rule whose
inputs are valid still reports in the same run (stacks/config.py, ``parse_platform_config``).

Pydantic stops early by design: a model's rules across its fields (its
``model_validator(mode="after")``) run only once every field is valid, and one failing rule hides
the next, so one field error in any section hides every rule across sections until it is fixed.
Only after the first validation failed, :func:`partial_instance` validates the document again with
a validator derived from the model's own schema, in which

- every field, and every item of a list, that fails is :data:`FAILED`, a value that refuses to be
  read (raising :class:`Unavailable`); its map, list and siblings are kept. A map that fails as a
  whole (an unknown key, not a map) is failed in its parent; the top-level map so, nothing is left;
- the models' rules across their fields are left out, and a field's own validator that reads a
  failed part of its value (a list's check of its items' names) is skipped, the value kept;
- each model is built from its validated fields (its class's prebuilt validator would run the
  rules).

:func:`refused` marks as failed, before that, each value the first validation or a rule refused
(a missing key, so the rest of its map stays readable; a conflict's key). The rules then run on
what is left, each alone: :func:`model_check_errors` (every model's rules across its fields, those
the first validation did not reach) and :func:`isolated` (the configuration's rules across
sections). One that reads a failed value is skipped whole, so no problem is reported that only
follows from another (a family "not of this stack" because the family's own name failed). A
conflict between valid values (``model_monitor: false`` beside ``model_monitors.model_quality``)
fails only the key the rule names; the other stays readable. Unions are validated as they are (each
member tried whole), so a value never takes another member's reading because part of it failed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator, core_schema

Model = TypeVar("Model", bound=BaseModel)
Problem = TypeVar("Problem")


class Unavailable(Exception):
    """A check read a value whose own validation failed (:data:`FAILED`)."""


class _Failed:
    """A value that failed its validation: any use of it raises :class:`Unavailable` (``is None``
    and ``is FAILED`` are the only questions it answers)."""

    __slots__ = ()

    def _refuse(self, *_: object, **__: object) -> NoReturn:
        raise Unavailable

    __getattr__ = __getitem__ = __iter__ = __len__ = __contains__ = __bool__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _refuse
    __str__ = __repr__ = __format__ = __int__ = __float__ = __index__ = __call__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _refuse


FAILED: Final = _Failed()
"""What a field or list item that failed validation holds in a :func:`partial_instance`."""


def _or_failed(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except Exception:  # its problem was reported by the first validation
        return FAILED


def _tolerant(schema: core_schema.CoreSchema, after: frozenset[Any]) -> core_schema.CoreSchema:
    return core_schema.no_info_wrap_validator_function(_or_failed, _derived(schema, after))


def _derived(schema: Any, after: frozenset[Any]) -> Any:
    """``schema`` (a core schema) with failing fields and list items kept as :data:`FAILED` and
    the model validators in ``after`` left out; a copy (the model's own schema is untouched)."""
    kind = schema["type"]
    if kind == "function-after" and schema["function"]["function"] in after:
        inner = _derived(schema["schema"], after)
        return {**inner, "ref": schema["ref"]} if "ref" in schema else inner
    if kind == "definitions":
        return {
            **schema,
            "schema": _derived(schema["schema"], after),
            "definitions": [_derived(item, after) for item in schema["definitions"]],
        }
    if kind == "model-fields":
        fields = {}
        for name, field in schema["fields"].items():
            inner = field["schema"]
            if inner["type"] == "default":  # a field with a default stays optional
                inner = {**inner, "schema": _tolerant(inner["schema"], after)}
            else:
                inner = _tolerant(inner, after)
            fields[name] = {**field, "schema": inner}
        return {**schema, "fields": fields}
    if kind == "list":
        return {**schema, "items_schema": _tolerant(schema["items_schema"], after)}
    if kind == "model":
        # The model built from its validated fields, not by its class's own validator (which a
        # model's schema names through its class, and which pydantic-core would use instead).
        return core_schema.no_info_after_validator_function(
            functools.partial(_built, schema["cls"]), _derived(schema["schema"], after), ref=schema.get("ref")
        )
    if kind == "function-after":  # a field validator: skipped where it reads a failed value
        function = {**schema["function"], "function": _skipped_on_failed(schema["function"]["function"])}
        return {**schema, "function": function, "schema": _derived(schema["schema"], after)}
    if kind in {"nullable", "default", "function-before", "function-wrap"}:
        return {**schema, "schema": _derived(schema["schema"], after)} if "schema" in schema else schema
    return schema  # a scalar, a dict, a union (each member tried whole), a reference


def _skipped_on_failed(validator: Callable[..., Any]) -> Callable[..., Any]:
    """``validator`` (a field's), returning the value as it is when it reads a failed part of it (a
    list's check of its items' names, one item's name failed): the value stays, with that part."""

    def validate(value: Any, *info: Any) -> Any:
        try:
            return validator(value, *info)
        except Unavailable:
            return value

    return validate


def _built(model: type[BaseModel], validated: tuple[dict[str, Any], Any, set[str]]) -> BaseModel:
    fields, _, fields_set = validated
    return model.model_construct(fields_set, **fields)


def _models_in(schema: Any) -> Iterator[type[BaseModel]]:
    if isinstance(schema, dict):
        if schema.get("type") == "model":
            yield schema["cls"]
        for value in schema.values():
            yield from _models_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _models_in(value)


@functools.cache
def _partial_validator(model: type[BaseModel]) -> SchemaValidator:
    schema = model.__pydantic_core_schema__
    after = frozenset(
        decorator.func
        for cls in set(_models_in(schema))
        for decorator in cls.__pydantic_decorators__.model_validators.values()
        if decorator.info.mode == "after"
    )
    # Each model's config (strict types, no unknown keys...) is given to its fields by the model's
    # schema, which the derived one replaces: the root model's, for every model.
    config = next(_configs_in(schema), None)
    return SchemaValidator(_derived(schema, after), config)


def _configs_in(schema: Any) -> Iterator[core_schema.CoreConfig]:
    if isinstance(schema, dict):
        if schema.get("type") == "model" and "config" in schema:
            yield schema["config"]
        for value in schema.values():
            yield from _configs_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _configs_in(value)


def partial_instance(model: type[Model], data: Mapping[str, Any], context: Any = None) -> Model | None:
    """``data`` as ``model`` with each failing field or list item :data:`FAILED` and no model
    validator run; None when nothing is left (``data`` fails as a whole)."""
    try:
        instance = _partial_validator(model).validate_python(data, context=context)
    except Exception:  # the first validation's problems are reported; nothing more
        return None
    return instance if isinstance(instance, model) else None


def model_check_errors(instance: BaseModel) -> Iterator[dict[str, Any]]:
    """The errors of the checks across fields (``model_validator(mode="after")``) of ``instance``
    (a :func:`partial_instance`) and of every model in it, each check alone and skipped where it
    reads a failed value, inner models first (as pydantic runs them); each error's ``loc`` from
    ``instance``, as pydantic's."""
    yield from _model_check_errors(instance, ())


def _model_check_errors(node: Any, location: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _model_check_errors(item, (*location, index))
        return
    if isinstance(node, dict):
        for key, item in node.items():
            yield from _model_check_errors(item, (*location, key))
        return
    if not isinstance(node, BaseModel):
        return
    for name in type(node).model_fields:
        yield from _model_check_errors(node.__dict__.get(name), (*location, name))
    checks = type(node).__pydantic_decorators__.model_validators.values()
    for check in (check.func for check in checks if check.info.mode == "after"):
        try:
            check(node)
        except ValidationError as error:
            for item in error.errors():
                yield {**item, "loc": (*location, *item["loc"])}
        except ValueError as error:  # as pydantic reports a model validator's ValueError
            yield {"type": "value_error", "loc": location, "msg": f"Value error, {error}", "input": None}
        except Exception:  # Unavailable, or a check's assumption about a failed value
            continue


def refused(data: Any, locations: Iterable[tuple[Any, ...]]) -> Any:
    """A copy of ``data`` holding :data:`FAILED` at each of ``locations`` (keys and indices of the
    document; where one goes below a value that is no map or list, at that value): what a check
    refused is as unreadable to the checks after it as a value that failed its own validation."""
    for location in locations:
        data = _refused_at(data, location)
    return data


def _refused_at(node: Any, location: tuple[Any, ...]) -> Any:
    if not location:
        return FAILED
    head, rest = location[0], location[1:]
    if isinstance(node, Mapping):
        return {**node, head: _refused_at(node[head], rest) if head in node else FAILED}
    if isinstance(node, list) and isinstance(head, int) and 0 <= head < len(node):
        return [*node[:head], _refused_at(node[head], rest), *node[head + 1 :]]
    return FAILED


def isolated(checks: Iterable[Callable[[Any], Iterable[Problem]]], subject: Any) -> Iterator[Problem]:
    """The problems of each of ``checks`` on ``subject`` (a :func:`partial_instance`), each check
    alone: one that reads a failed value (or fails on what is left) is skipped whole."""
    for check in checks:
        try:
            found = list(check(subject))
        except Exception:  # Unavailable, or a check's assumption about a failed value
            continue
        yield from found
