"""Values not known at preview, read with three-valued logic: :class:`Unknown` markers in place of
what the engine's proxy cannot read yet, ``any3``/``all3``/``not3`` over ``True``, ``False`` or an
:class:`Unknown`, and proxied props copied into plain data with those markers (see
``_iam_documents``, which re-exports every name here).

Imports nothing from ``components/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from ._common import is_map, is_seq

_SENTINELS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


class Unknown:
    """A value not known at preview; keeps the proxy's error so a rule can raise it.

    A verdict that waits on several values keeps each distinct reason (``errors``): one known
    after apply and one no value settles (``_common.Undeterminable``) are both shown."""

    __slots__ = ("error", "others")

    def __init__(self, error: UnknownValueError, others: tuple[UnknownValueError, ...] = ()) -> None:
        self.error = error
        self.others = others

    @property
    def errors(self) -> tuple[UnknownValueError, ...]:
        return (self.error, *self.others)

    def joined(self, other: Unknown) -> Unknown:
        """This verdict's reasons and ``other``'s (each message once)."""
        if other is self:
            return self
        known = {error.message for error in self.errors}
        new = tuple(error for error in other.errors if error.message not in known)
        return Unknown(self.error, (*self.others, *new)) if new else self

    def __repr__(self) -> str:
        return "<unknown>"


Tri = bool | Unknown


def any3(values: Iterable[Tri]) -> Tri:
    pending: Unknown | None = None
    for value in values:
        if value is True:
            return True
        if isinstance(value, Unknown):
            pending = value if pending is None else pending.joined(value)
    return pending if pending is not None else False


def all3(values: Iterable[Tri]) -> Tri:
    pending: Unknown | None = None
    for value in values:
        if value is False:
            return False
        if isinstance(value, Unknown):
            pending = value if pending is None else pending.joined(value)
    return pending if pending is not None else True


def not3(value: Tri) -> Tri:
    return value if isinstance(value, Unknown) else not value


# --- reading proxied props -------------------------------------------------------------


def plain(value: Any) -> Any:
    """Plain dicts/lists with :class:`Unknown` where a value is not known (never raises)."""
    if isinstance(value, str) and value in _SENTINELS:
        return Unknown(UnknownValueError(value, []))
    if is_map(value):
        result: dict[str, Any] = {}
        for key in value:  # iterating keys never raises; reading a value may
            try:
                result[str(key)] = plain(value[key])
            except UnknownValueError as error:
                result[str(key)] = Unknown(error)
        return result
    if is_seq(value):
        values: list[Any] = []
        for index in range(len(value)):
            try:
                values.append(plain(value[index]))
            except UnknownValueError as error:
                values.append(Unknown(error))
        return values
    return value


def read(props: Any, key: str) -> Any:
    """``props[key]`` as :func:`plain` data; ``None`` when absent, :class:`Unknown` when unknown."""
    if not is_map(props):
        return None
    try:
        return plain(props.get(key))
    except UnknownValueError as error:
        return Unknown(error)


def as_list(value: Any) -> list[Any]:
    """A string-or-list policy field as a list (``None`` -> ``[]``)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
