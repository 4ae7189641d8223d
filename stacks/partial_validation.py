"""What is left of a stack's configuration when part of it is invalid, so that every rule whose
inputs are valid still reports in the same run (stacks/config.py, ``parse_platform_config``).

Pydantic stops early by design: a model's rules across its fields (its
``model_validator(mode="after")``) run only once every field is valid, and one failing rule hides
the next, so one field error in any section hides every rule across sections until it is fixed.
Only after the first validation failed, :func:`partial_instance` validates the document again with
a validator derived from the model's own schema, in which

- every field, every item of a list and every value of a map (``tags``, ``quality_alarms``,
  ``tuning.parameters``) that fails is :data:`FAILED`, a value that refuses to be read (raising
  :class:`Unavailable`); its map, list and siblings are kept. A map that fails as a
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

import copy
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError, SchemaSerializer, SchemaValidator, core_schema

Model = TypeVar("Model", bound=BaseModel)
Problem = TypeVar("Problem")


class Unavailable(Exception):
    """A check read a value whose own validation failed (:data:`FAILED`)."""


class _Failed:
    """A value that failed its validation: any use of it raises :class:`Unavailable` (``is None``
    and ``is FAILED`` are the only questions it answers). ``isinstance`` asks for its ``__class__``
    and raises too, so a check's "not a model, so the other member" or "not text, so nothing to
    check" is skipped, not judged on the marker; a model holding it refuses to be dumped
    (``model_dump``, ``model_dump_json``), and no message can quote it (``repr``, ``str`` and
    ``format`` raise). Only a check of the type in C (``"".join``, ``re``, ``str.startswith``)
    raises :class:`TypeError` naming ``_Failed`` instead (:func:`read_a_failed_value`)."""

    __slots__ = ()

    def _refuse(self, *_: object, **__: object) -> NoReturn:
        raise Unavailable

    @property  # type: ignore[misc]  # isinstance() reads it
    def __class__(self) -> NoReturn:  # type: ignore[override]
        raise Unavailable

    __getattr__ = __getitem__ = __iter__ = __reversed__ = __len__ = __length_hint__ = _refuse
    __contains__ = __bool__ = __hash__ = __fspath__ = __enter__ = __exit__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __str__ = __repr__ = __format__ = __bytes__ = __call__ = _refuse
    __int__ = __float__ = __complex__ = __index__ = __round__ = __trunc__ = __floor__ = __ceil__ = _refuse
    __neg__ = __pos__ = __abs__ = __invert__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _refuse
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __divmod__ = __rdivmod__ = __pow__ = __rpow__ = (
        _refuse
    )
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __lshift__ = __rlshift__ = _refuse
    __rshift__ = __rrshift__ = __matmul__ = __rmatmul__ = _refuse
    __copy__ = __deepcopy__ = __reduce__ = __reduce_ex__ = __getstate__ = _refuse


def _serialized(_: object) -> NoReturn:
    raise Unavailable


# pydantic serializes a value a field does not expect by its __pydantic_serializer__: a model
# holding the marker raises instead of handing the marker on (with a warning) to the check.
_Failed.__pydantic_serializer__ = SchemaSerializer(  # type: ignore[attr-defined]
    core_schema.any_schema(serialization=core_schema.plain_serializer_function_ser_schema(_serialized))
)


FAILED: Final = _Failed()
"""What a field or list item that failed validation holds in a :func:`partial_instance`."""


CRASHES_RAISE: bool = False
"""Whether a check that fails on what is left of a value for another reason than reading a failed
value (:func:`read_a_failed_value`) raises, rather than being skipped like one that reads a failed
value. Off for adopters (the first validation's problems are reported either way); the tests turn
it on (tests/conftest.py), so a check's own bug on a partial value is not skipped without a word."""


def read_a_failed_value(error: BaseException) -> bool:
    """Whether ``error`` (raised by a check) comes of reading :data:`FAILED`: :class:`Unavailable`,
    a model holding it refusing to be dumped, a type check in C (``"".join``, ``re``) naming it, or
    a validation whose input was it."""
    if isinstance(error, Unavailable):
        return True
    if isinstance(error, PydanticSerializationError):
        return "Unavailable" in str(error)
    if isinstance(error, TypeError):
        return _Failed.__name__ in str(error)
    if isinstance(error, ValidationError):
        return any(_holds_failed(item.get("input")) for item in error.errors(include_url=False))
    return False


def _holds_failed(value: Any) -> bool:
    if value is FAILED:
        return True
    if type(value) in (list, tuple, set, frozenset):
        return any(_holds_failed(item) for item in value)
    if type(value) is dict:
        return any(_holds_failed(item) for item in value.values())
    if isinstance(value, BaseModel):
        return any(_holds_failed(item) for item in value.__dict__.values())
    return False


def _skip(error: Exception) -> None:
    """A check that raised ``error`` on what is left of a value is skipped: raised again where it is
    no read of a failed value and :data:`CRASHES_RAISE`."""
    if CRASHES_RAISE and not read_a_failed_value(error):
        raise error


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
                inner = {**_own_default(inner), "schema": _tolerant(inner["schema"], after)}
            else:
                inner = _tolerant(inner, after)
            fields[name] = {**field, "schema": inner}
        return {**schema, "fields": fields}
    if kind == "list":
        return {**schema, "items_schema": _tolerant(schema["items_schema"], after)}
    if kind == "dict" and "values_schema" in schema:
        # A value that fails is FAILED under its key, the map kept (its keys are valid: a key that
        # fails fails the map, as no marker can be a key): a check reading the keys, or the map's
        # size, still runs, and one reading the failed value is skipped.
        return {**schema, "values_schema": _tolerant(schema["values_schema"], after)}
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
    # A scalar, a reference, or a union, each member tried whole: which member a value that fails
    # in part was meant for is not known, so none is read from it (here the unions are of scalars).
    return schema


def _own_default(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's ``default`` schema giving each value its own copy of a default model, list or map:
    a check's refusal is failed in place (:func:`_fail_in`), and pydantic hands every instance the
    one default object of a frozen model (it copies only defaults that cannot be hashed)."""
    default = schema.get("default")
    if not (isinstance(default, BaseModel) or type(default) in (list, dict, set)):
        return schema
    rest = {key: value for key, value in schema.items() if key != "default"}
    return {**rest, "default_factory": functools.partial(copy.deepcopy, default)}


def _skipped_on_failed(validator: Callable[..., Any]) -> Callable[..., Any]:
    """``validator`` (a field's), returning the value as it is when it reads a failed part of it (a
    list's check of its items' names, one item's name failed): the value stays, with that part."""

    def validate(value: Any, *info: Any) -> Any:
        try:
            return validator(value, *info)
        except Exception as error:
            if read_a_failed_value(error):
                return value
            raise

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
    return None if instance is FAILED or not isinstance(instance, model) else instance


def model_check_errors(instance: BaseModel) -> Iterator[dict[str, Any]]:
    """The errors of the checks across fields (``model_validator(mode="after")``) of ``instance``
    (a :func:`partial_instance`) and of every model in it, each check alone and skipped where it
    reads a failed value, inner models first (as pydantic runs them); each error's ``loc`` from
    ``instance``, as pydantic's."""
    yield from _model_check_errors(instance, ())


def _model_check_errors(node: Any, location: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    """The errors of the checks in ``node`` (at ``location``), each check's refused keys failed in
    ``node`` as it reports them, so that no check after it (of the model, or of one holding it)
    judges what it refused: a model whose check failed is failed for the checks that hold it, as
    pydantic's validation leaves it."""
    if node is FAILED:
        return
    if isinstance(node, BaseModel):
        slots: Iterable[tuple[Any, Any]] = (
            (name, node.__dict__.get(name)) for name in type(node).model_fields
        )
        held: Any = node.__dict__
    elif type(node) is list:
        slots, held = enumerate(node), node
    elif type(node) is dict:
        slots, held = list(node.items()), node
    else:  # a scalar, or FAILED
        return
    for key, item in slots:
        for error in _model_check_errors(item, (*location, key)):
            _fail_in(held, key, error["loc"][len(location) + 1 :])
            yield error
    if not isinstance(node, BaseModel):
        return
    checks = type(node).__pydantic_decorators__.model_validators.values()
    for check in (check.func for check in checks if check.info.mode == "after"):
        try:
            check(node)
        except Exception as error:
            if read_a_failed_value(error):  # Unavailable, or a validation inside it given FAILED
                continue
            if isinstance(error, ValidationError):
                for item in error.errors():
                    if item["loc"]:
                        _fail_in(node.__dict__, item["loc"][0], item["loc"][1:])
                    yield {**item, "loc": (*location, *item["loc"])}
            elif isinstance(error, ValueError):  # as pydantic reports a model validator's ValueError
                yield {"type": "value_error", "loc": location, "msg": f"Value error, {error}", "input": None}
            else:  # a check's assumption about a failed value
                _skip(error)


def _fail_in(held: Any, key: Any, rest: tuple[Any, ...]) -> bool:
    """:data:`FAILED` at ``rest`` below ``held[key]`` (``held`` a model's ``__dict__``, a dict or a
    list), or at ``held[key]`` where ``rest`` leads below a value that is no model, map or list, or
    past a list's end; whether ``key`` was there to fail (as :func:`refused` places it)."""
    if type(held) is list:
        if not (type(key) is int and 0 <= key < len(held)):
            return False
    elif type(held) is not dict:
        return False
    elif key not in held:
        held[key] = FAILED
        return True
    value = held[key]
    if rest and value is not FAILED:
        inner = value.__dict__ if isinstance(value, BaseModel) else value
        if _fail_in(inner, rest[0], rest[1:]):
            return True
    held[key] = FAILED
    return True


def refused(data: Any, locations: Iterable[tuple[Any, ...]]) -> Any:
    """A copy of ``data`` holding :data:`FAILED` at each of ``locations`` (keys and indices of the
    document; where one goes below a value that is no map or list, or past a list's end, at that
    value): what a check refused is as unreadable to the checks after it as a value that failed its
    own validation. Each map and list on the way is copied once, however many locations are in it
    (a file's 47,500 failed list items are not 47,500 copies of their lists)."""
    tree: dict[Any, Any] = {}
    for location in locations:
        if not location:
            return FAILED
        node: dict[Any, Any] = tree
        for part in location[:-1]:
            below = node.setdefault(part, {})
            if below is None:  # a location above it failed whole
                break
            node = below
        else:
            node[location[-1]] = None
    return _refused_by(data, tree)


def _refused_by(node: Any, tree: dict[Any, Any] | None) -> Any:
    """``node`` with :data:`FAILED` where ``tree`` (key -> the tree below it, None where the value
    fails whole) says."""
    if tree is None or node is FAILED:
        return FAILED
    if isinstance(node, Mapping):
        copy = dict(node)
        for head, below in tree.items():
            copy[head] = _refused_by(node[head], below) if head in node else FAILED
        return copy
    if isinstance(node, list) and all(type(head) is int and 0 <= head < len(node) for head in tree):
        items = list(node)
        for head, below in tree.items():
            items[head] = _refused_by(node[head], below)
        return items
    return FAILED


def isolated(checks: Iterable[Callable[[Any], Iterable[Problem]]], subject: Any) -> Iterator[Problem]:
    """The problems of each of ``checks`` on ``subject`` (a :func:`partial_instance`), each check
    alone: one that reads a failed value (or fails on what is left) is skipped whole."""
    for check in checks:
        try:
            found = list(check(subject))
        except Exception as error:  # Unavailable, or a check's assumption about a failed value
            _skip(error)
            continue
        yield from found
