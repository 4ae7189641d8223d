"""A stack file's values as Pulumi's engine hands them to the program, so the offline plan reads
the same file the same way.

The engine decodes each ``config:`` value with gopkg.in/yaml.v3 into Go's ``any``
(``sdk/go/common/encoding``), keeps it as a config object of booleans, int64/uint64, float64,
strings, lists and maps whose keys it formats with ``%v`` (``resource/config/object.go``), and passes
it to the program as JSON (``encoding/json``). (``workspace/loaders.go`` decodes the file into
``any``, writes it again with yaml.v3's encoder and decodes that: each reading below survives the
round trip.) PyYAML reads YAML 1.1, and the two disagree on plain (unquoted) scalars:

============================  =====================  ==========================================
written                       PyYAML (YAML 1.1)      the program, through the engine
============================  =====================  ==========================================
``yes`` ``no`` ``on`` ``off``  a boolean              the text (yaml.v3: only true and false)
``1:30``                      90 (base 60)           the text
``2026-12-01``                a date                 Go's ``time.Time.String()``:
                                                     ``2026-12-01 00:00:00 +0000 UTC``, refused
``1e3`` ``0o17`` ``08``       the text               1000, 15 and 8 (Go's number parsers)
``3.0``                       the float 3.0          the integer 3 (Go writes 3.0 as JSON ``3``)
``.nan`` ``.inf``             a float                nothing: JSON has neither, and Pulumi
                                                     refuses to load the stack file
============================  =====================  ==========================================

:func:`plain_scalar` and :func:`tagged_scalar` resolve a scalar as yaml.v3 does (its
``resolve.go``: a first-character hint, a table of words, then Go's ``strconv`` parsers);
:func:`program_value` and :func:`engine_key` are the config object and JSON steps. Quoted and block
scalars are text in both readers, under the non-specific tag ``!`` too.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Final

INT_TAG: Final = "tag:yaml.org,2002:int"
FLOAT_TAG: Final = "tag:yaml.org,2002:float"
BOOL_TAG: Final = "tag:yaml.org,2002:bool"
NULL_TAG: Final = "tag:yaml.org,2002:null"
STR_TAG: Final = "tag:yaml.org,2002:str"
TAGS_READ: Final = (INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG)
"""Explicit scalar tags resolved here, as yaml.v3 does (``!!str`` and ``!`` are text to PyYAML too)."""

NULL_WORDS: Final = frozenset(("", "~", "null", "Null", "NULL"))
"""The plain scalars yaml.v3 resolves to null."""
_WORDS: Final[dict[str, Any]] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(NULL_WORDS, None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# yaml.v3's resolveTable: the first character says what a plain scalar may be; any other is text.
_SIGN_OR_DIGIT: Final = frozenset("+-0123456789")
_YAML_STYLE_FLOAT: Final = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# What strconv.ParseFloat reads of a scalar starting with '.' (its other forms cannot start so):
# yaml.v3 hands it the text as written, and Go takes '_' between two digits (its underscoreOK).
_DOT_FLOAT: Final = re.compile(r"\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?")
_BASE_PREFIXES: Final = {"b": 2, "o": 8, "x": 16}
_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyz"
_INT64: Final = (-(2**63), 2**63 - 1)
_UINT64_MAX: Final = 2**64 - 1
# yaml.v3's timestamp forms (resolve.go's allowedTimestampFormats, read by Go's time.Parse): a date
# with 1- or 2-digit month and day, then a time (T, t or a space) with 1- or 2-digit fields, a
# fraction after '.' or ',' and, after T or t only, Z or a +hh:mm offset.
_TIMESTAMP: Final = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:[Tt](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{1,2}):(?P<second>[0-9]{1,2})(?:[.,][0-9]+)?"
    r"(?:Z|[-+](?P<zone_hour>[0-9]{2}):(?P<zone_minute>[0-9]{2})))"
    r"|(?: (?P<hour2>[0-9]{1,2}):(?P<minute2>[0-9]{1,2}):(?P<second2>[0-9]{1,2})(?:[.,][0-9]+)?))?"
)
_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_LARGEST_INTEGER_TEXT: Final = 1e21
"""encoding/json writes a float64 below this magnitude without an exponent (``strconv`` 'f'), so a
whole one reaches the program as an integer; from it on, with one (``1e+21``): a float."""


class EngineValueError(ValueError):
    """A value the engine would not pass on as written (the message says why and what to write)."""


def _go_parse_uint(text: str, base: int) -> int | None:
    """``strconv.ParseUint(text, base, 64)`` without underscores (yaml.v3 drops them first); base 0
    reads Go's prefixes (0b, 0o, 0x, and a leading 0 as octal). None where Go returns an error."""
    if not text:
        return None
    if base == 0:
        base = 10
        if text[0] == "0":
            if len(text) >= 3 and text[1].lower() in _BASE_PREFIXES:
                base, text = _BASE_PREFIXES[text[1].lower()], text[2:]
            else:
                base, text = 8, text[1:]
    value = 0
    for character in text.lower():
        digit = _DIGITS.find(character)
        if digit < 0 or digit >= base:
            return None
        value = value * base + digit
    return value if value <= _UINT64_MAX else None


def _go_parse_int(text: str, base: int) -> int | None:
    """``strconv.ParseInt(text, base, 64)``: one optional sign, then :func:`_go_parse_uint`."""
    negative = text[:1] == "-"
    magnitude = _go_parse_uint(text[1:] if text[:1] in ("+", "-") else text, base)
    if magnitude is None:
        return None
    value = -magnitude if negative else magnitude
    return value if _INT64[0] <= value <= _INT64[1] else None


def _go_parse_float(text: str) -> float | None:
    """``strconv.ParseFloat(text, 64)`` for the decimal forms yaml.v3 lets through; out of range
    (``1e400``) is Go's error, so the scalar stays text."""
    value = float(text)
    return None if math.isinf(value) else value


def _go_timestamp(text: str) -> str | None:
    """If yaml.v3 reads the plain scalar ``text`` as a timestamp (one of its formats, in range as
    Go's ``time.Parse`` checks: month 1-12, the month's days, hour below 24, minute and second below
    60, an offset of at most 24 hours and 60 minutes), what Pulumi hands the program instead: Go's
    ``time.Time.String()`` where it does not depend on the engine machine's time zone names, else a
    description. None for any other text."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    fields = {name: int(value) for name, value in match.groupdict().items() if value is not None}
    year, month, day = fields["year"], fields["month"], fields["day"]
    if not 1 <= month <= 12:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1] + (month == 2 and leap):
        return None
    hour = fields.get("hour", fields.get("hour2", 0))
    minute = fields.get("minute", fields.get("minute2", 0))
    second = fields.get("second", fields.get("second2", 0))
    if not (hour < 24 and minute < 60 and second < 60):
        return None
    if fields.get("zone_hour", 0) > 24 or fields.get("zone_minute", 0) > 60:
        return None
    if "zone_hour" in fields or "." in text or "," in text:
        return "Go's rendering of the time (time.Time's String(), such as `2026-12-01 10:00:00 +0200 +0200`)"
    return f"`{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d} +0000 UTC`"


def _resolve(text: str) -> tuple[str, Any]:
    """yaml.v3's ``resolve`` of an untagged or explicitly tagged scalar: its tag and value."""
    if text in _WORDS:
        value = _WORDS[text]
        tag = NULL_TAG if value is None else BOOL_TAG if isinstance(value, bool) else FLOAT_TAG
        return tag, value
    start = text[:1]
    if start == ".":
        real = _go_parse_float(text.replace("_", "")) if _DOT_FLOAT.fullmatch(text) else None
        return (STR_TAG, text) if real is None else (FLOAT_TAG, real)
    if start not in _SIGN_OR_DIGIT:
        return STR_TAG, text  # a word not in the table (yes, on, Off...) or any other text
    # yaml.v3 tries an untagged scalar as a timestamp first: plain_scalar refuses one before this
    # (no timestamp is also a number below, so a tagged one stays text and its tag refuses it).
    plain = text.replace("_", "")
    for parse in (lambda: _go_parse_int(plain, 0), lambda: _go_parse_uint(plain, 0)):
        number = parse()
        if number is not None:
            return INT_TAG, number
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        real = _go_parse_float(plain)
        if real is not None:
            return FLOAT_TAG, real
    for prefix, base in (("0b", 2), ("0o", 8)):
        if plain.startswith(prefix):
            number = _go_parse_int(plain[2:], base)
            if number is None:
                number = _go_parse_uint(plain[2:], base)
            if number is not None:
                return INT_TAG, number
        elif plain.startswith(f"-{prefix}"):
            number = _go_parse_int("-" + plain[3:], base)
            if number is not None:
                return INT_TAG, number
    return STR_TAG, text


def plain_scalar(text: str) -> Any:
    """An unquoted, untagged scalar as yaml.v3 decodes it into ``any``. A timestamp (``2026-12-01``)
    is refused: yaml.v3 decodes it into a Go ``time.Time``, which Pulumi's config object turns into
    its ``String()`` (``2026-12-01 00:00:00 +0000 UTC``, the zone named as the engine's machine
    names it), never the text written."""
    program_text = _go_timestamp(text) if text[:1].isdigit() else None
    if program_text is not None:
        raise EngineValueError(
            f"is a timestamp to YAML, which Pulumi hands the program as {program_text}, not as "
            "written; quote it to keep it as text"
        )
    return _resolve(text)[1]


_SHORT = {INT_TAG: "!!int", FLOAT_TAG: "!!float", BOOL_TAG: "!!bool", NULL_TAG: "!!null", STR_TAG: "!!str"}


def tagged_scalar(tag: str, text: str) -> Any:
    """A scalar tagged ``!!int``, ``!!float``, ``!!bool`` or ``!!null``: yaml.v3 resolves the text
    and refuses it when it is not of that type (an int is a float too)."""
    found, value = _resolve(text)
    if found == tag:
        return value
    if tag == FLOAT_TAG and found == INT_TAG:
        return float(value)
    raise EngineValueError(
        f"cannot read {_SHORT[found]} `{text}` as {_SHORT[tag]} (nor can Pulumi): fix or drop the tag"
    )


def program_value(value: Any) -> Any:
    """``value`` as the program receives it through the engine's JSON: a whole float below 1e21 as
    an integer (JSON has one number type, and Go writes 3.0 as ``3``); NaN and infinity refused."""
    if type(value) is not float:
        return value
    if not math.isfinite(value):
        raise EngineValueError(
            f"is {'NaN' if math.isnan(value) else 'infinity'} to YAML, which JSON cannot carry: Pulumi passes "
            "configuration to the program as JSON and refuses to load the stack file; quote it to keep it as text"
        )
    if value.is_integer() and abs(value) < _LARGEST_INTEGER_TEXT:
        return int(Decimal(repr(value)))  # the shortest digits, as Go writes them
    return value


def go_float_text(value: float) -> str:
    """A finite float as Go's ``encoding/json`` writes it (the engine keeps a config float as that
    text, ``object.MarshalString``, and hands it to the program so): fixed notation for
    1e-6 <= |x| < 1e21 (``0.00001``, where Python's repr writes ``1e-05``), else the shortest
    exponent form with a one-digit negative exponent written without its zero (``1e-7``, not
    ``1e-07``; ``1e+21``)."""
    if value == 0 or 1e-6 <= abs(value) < _LARGEST_INTEGER_TEXT:
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return re.sub(r"e-0(\d)$", r"e-\1", repr(value))


def engine_key(key: Any) -> str:
    """A map key as the engine's config object names it (Go's ``%v``): text, ``true``/``false``, or
    an integer's digits. A fractional number or null as a key is refused: Go formats it its own way
    (``1e+06``, ``<nil>``), and no key of this platform's configuration is one."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    what = (
        "null"
        if key is None
        else f"the number {key!r}"
        if isinstance(key, float)
        else f"a {type(key).__name__}"
    )
    raise EngineValueError(f"a key that YAML reads as {what}: quote the key to keep it as text")


def config_key(written: str, project: str) -> str | None:
    """A ``config:`` key as Pulumi reads it: a key with no colon is in the project's namespace
    (``workspace/loaders.go``, ``stackConfigNamespacedWithProject``: ``platform`` is
    ``<project>:platform``), then ``config.ParseKey``: ``<namespace>:<name>``, or the older
    ``<namespace>:config:<name>`` for the same key; None for any other (``aws:foo:bar``,
    ``a:b:c:d``), which Pulumi refuses to load."""
    if ":" not in written:
        return f"{project}:{written}"
    parts = written.split(":")
    if len(parts) == 2:
        return written
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return None


__all__ = [
    "NULL_TAG",
    "NULL_WORDS",
    "STR_TAG",
    "TAGS_READ",
    "EngineValueError",
    "config_key",
    "engine_key",
    "go_float_text",
    "plain_scalar",
    "program_value",
    "tagged_scalar",
]
