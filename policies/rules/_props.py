"""Reading the engine's props: proxied maps and lists, dotted paths, one-item blocks, numbers as
floats, JSON documents and tags (the readings ``_common`` re-exports; see its docstring for why).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeGuard, TypeVar

from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy

# --- reading props ---------------------------------------------------------------------


# The built-in types and the engine's proxies (pulumi-policy's ``unknown_checking_proxy`` wraps every
# map and list of a resource's props in a ``_DictProxy``/``_ListProxy``, a ``Mapping``/``Sequence``)
# answer without the ABCs' isinstance checks, which a policy evaluation makes millions of (every
# read of every resource's props); anything else asks.
_NEITHER = frozenset({str, bytes, int, float, bool, type(None)})


def is_map(value: Any) -> TypeGuard[Mapping[Any, Any]]:
    kind = type(value)
    if kind is dict or kind is _DictProxy:
        return True
    if kind is list or kind is tuple or kind is _ListProxy or kind in _NEITHER:
        return False
    return isinstance(value, Mapping)


def is_seq(value: Any) -> bool:
    kind = type(value)
    if kind is list or kind is tuple or kind is _ListProxy:
        return True
    if kind is dict or kind is _DictProxy or kind in _NEITHER:
        return False
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def one(value: Any) -> Any:
    """A nested block that some providers send as a one-item list."""
    if is_seq(value):
        return value[0] if len(value) else None
    return value


def get(obj: Any, path: str, default: Any = None) -> Any:
    """Read a dotted camelCase path; ``None`` (what mocks record for unknowns) counts as unset.

    Reading through the engine's proxy raises ``UnknownValueError`` for an unknown value;
    that is deliberate: the engine turns it into a "cannot be decided at preview" note.
    """
    current = obj
    for part in path.split("."):
        current = one(current)
        if not is_map(current):
            return default
        current = current.get(part)
        if current is None:
            return default
    return current


def get_or_none(obj: Any, path: str) -> Any:
    """Like :func:`get` but an unknown value reads as ``None``; for matching, never for checks."""
    try:
        return get(obj, path)
    except UnknownValueError:
        return None


_T = TypeVar("_T")


def each_part(*parts: Callable[[], Iterable[_T]]) -> Iterator[_T]:
    """The findings of a check's independent parts, each part run even when another meets a value
    unknown at preview: that part's ``UnknownValueError`` is raised again after the others' findings
    (the engine keeps the violations reported before it, and notes the check as undecided).

    A check reading its parts in one sequence let the first unknown value hide the decided findings
    after it: a Studio domain with ``kmsKeyId`` unset passed preview with an undecided note whenever
    its ``appNetworkAccessType`` was an Output.
    """
    unknown: UnknownValueError | None = None
    for part in parts:
        try:
            yield from part()
        except UnknownValueError as error:
            unknown = unknown or error
    if unknown is not None:
        raise unknown


def any_decided(values: Iterable[_T], test: Callable[[_T], bool]) -> bool:
    """Whether ``test`` holds for some value: true as soon as one value decides it, whatever the others
    hold at preview; false when every value is known not to; else the first unknown value's error."""
    unknown: UnknownValueError | None = None
    for value in values:
        try:
            if test(value):
                return True
        except UnknownValueError as error:
            unknown = unknown or error
    if unknown is not None:
        raise unknown
    return False


def any_holds(tests: Iterable[Callable[[], bool]]) -> bool:
    """Whether one of ``tests`` holds (an exemption, an alternative), each read only when called:
    :func:`any_decided`, so one known to hold decides whatever the others read at preview."""
    return any_decided(tests, _called)


def _called(test: Callable[[], bool]) -> bool:
    return test()


def items(value: Any) -> list[Any]:
    """A list input as a plain list (``None`` -> ``[]``, a single object -> ``[obj]``)."""
    if value is None:
        return []
    if is_seq(value):
        return list(value)
    return [value]


def is_set(value: Any) -> bool:
    """Present and not empty."""
    if value is None or value == "":
        return False
    if is_seq(value) or is_map(value):
        return len(value) > 0
    return True


#: The strings a bool input is read as: pulumi-aws passes a string given for a bool input to its plan,
#: which converts it through cty (go-cty conversion_primitive.go: ``"true"``/``"1"``, ``"false"``/
#: ``"0"``; any other spelling fails the plan). The SDK's input validation before it reads Go's
#: ``strconv.ParseBool`` spellings (``t``, ``TRUE``...), which the plan then refuses. Wider than cty on
#: purpose, compared lower-cased: a spelling the plan refuses fails ``pulumi up`` either way, so
#: counting it decides nothing wrongly. aws-native refuses every string for a boolean.
_TRUE_STRINGS = frozenset({"true", "1", "t"})
_FALSE_STRINGS = frozenset({"false", "0", "f"})


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in _TRUE_STRINGS)


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() in _FALSE_STRINGS)


#: An AWS managed key named by its alias: ``alias/aws/<service>`` bare, or as an alias ARN in any
#: partition (``arn:aws-cn:kms:<region>:<account>:alias/aws/sqs``). Exactly that spelling: AWS names
#: these aliases ``aws/<service-name>`` ("Aliases for these KMS keys always have the form
#: aws/<service-name>", KMS Developer Guide, Aliases in AWS KMS) and reserves the prefix ``alias/aws/``
#: (CreateAlias: "The alias name cannot begin with alias/aws/"). ``alias/AWS/sqs`` is another alias
#: name, a customer's key when one was given it or no key at all, never the AWS managed key: reading
#: it as one would refuse a customer's key and protect nothing.
AWS_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/")


def is_aws_managed_alias(key: Any) -> bool:
    """Whether a KMS key input names an AWS managed key by its alias (:data:`AWS_MANAGED_ALIAS`)."""
    return isinstance(key, str) and AWS_MANAGED_ALIAS.search(key) is not None


def number(value: Any) -> float | None:
    """A numeric input as a finite float, or None (unset, a boolean, text that is no number). NaN and
    the infinities are None too: Python's ``float()`` reads ``"nan"``, ``"inf"``, ``"-Infinity"``...
    but no AWS or Kubernetes count, size or duration takes one (their APIs take integers or finite
    doubles, and JSON spells neither), and every comparison with NaN is false, so a ``"nan"``
    ``initialInstanceCount`` passed each ``count < minimum`` test. None reads as unreadable in every rule."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            result = float(value)
        except OverflowError:  # an integer past the largest double: a JSON document's 400-digit count
            return None
    elif isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def to_plain(value: Any) -> Any:
    """Copy proxied props into plain dicts/lists (reading every value, so unknowns raise)."""
    if is_map(value):
        return {key: to_plain(value[key]) for key in value}
    if is_seq(value):
        return [to_plain(item) for item in value]
    return value


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` refusing a key repeated in one object (``ValueError``).

    ``{"Statement": [...], "Statement": []}`` reads as its last value here (and in Python, Go's
    ``encoding/json``), but a parser keeping the first, or refusing it, reads another policy: a
    policy document whose meaning depends on the reader is not judged, it is refused.
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} is repeated in one object")
        result[key] = value
    return result


def parse_json(value: Any, *, strict: bool = False) -> Any:
    """A JSON document input: a string (the wire shape) or an object (what mocks record).

    ``strict``: a string repeating a key in one object is None, as unparsable (policy documents).
    """
    if isinstance(value, str):
        try:
            return json.loads(value, object_pairs_hook=unique_keys if strict else None)
        except ValueError:
            return None
    if is_map(value) or is_seq(value):
        return to_plain(value)
    return None


UNKNOWN_TAG_VALUE = "<known after apply>"


def tag_map(value: Any) -> dict[str, Any]:
    """Tags as a dict: pulumi-aws sends a map, aws-native a list of ``{key, value}``.

    A tag whose value is not known at preview still counts as present.
    """
    result: dict[str, Any] = {}
    if is_map(value):
        for key in value:
            result[str(key)] = _known_or_placeholder(value, key)
        return result
    for item in items(value):
        if is_map(item):
            key = item.get("key", item.get("Key"))
            if key is not None:
                result[str(key)] = _known_or_placeholder(item, "value" if "value" in item else "Value")
    return result


def _known_or_placeholder(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except UnknownValueError:
        return UNKNOWN_TAG_VALUE
