"""Check an AWS API request against botocore's service model: what the API itself would refuse.

botocore's own ``ParamValidator`` checks types, required members and minimums (length, value).
The API also enforces what the model states but the client never checks: maximum lengths and
values, ``pattern`` and ``enum``. :func:`request_errors` reports both, one line per problem, with
the member's path (``PutMetricAlarm.Metrics[0].Id``).

Patterns in the models are Java regular expressions, matched against the whole value. Python's
``re`` lacks Java's Unicode classes (``\\p{L}``) and its UTF-16 surrogate ranges; :func:`java_pattern`
translates both.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

import botocore.model
import botocore.session
import botocore.validate


@cache
def service_model(service: str) -> botocore.model.ServiceModel:
    return _session().get_service_model(service)


@cache
def _session() -> Any:
    return botocore.session.get_session()


def request_errors(service: str, operation: str, params: Mapping[str, Any]) -> list[str]:
    """Everything the model says is wrong with ``params`` as the input of ``operation``."""
    shape = service_model(service).operation_model(operation).input_shape
    report = botocore.validate.ParamValidator().validate(dict(params), shape)
    errors = [line.strip() for line in report.generate_report().splitlines() if line.strip()]
    _check(params, shape, operation, errors)
    return errors


#: Pipeline expressions: the value they stand for is known only when the step runs.
PIPELINE_EXPRESSIONS = frozenset({"Get", "Std:Join", "Std:JsonGet"})


def pipeline_step_errors(operation: str, arguments: Mapping[str, Any]) -> list[str]:
    """What the SageMaker API would refuse in a pipeline step's job request (``operation``'s input,
    with what the pipeline supplies, such as the job name, already in ``arguments``): botocore's own
    checks with each expression replaced by a value of its field's type, and the model's max,
    pattern and enum on every literal value."""
    shape = service_model("sagemaker").operation_model(operation).input_shape
    report = botocore.validate.ParamValidator().validate(_typed(dict(arguments), shape), shape)
    errors = [line.strip() for line in report.generate_report().splitlines() if line.strip()]
    _check(_literal(dict(arguments)), shape, operation, errors)
    return errors


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and set(value) <= PIPELINE_EXPRESSIONS


def _placeholder(shape: botocore.model.Shape) -> Any:
    """A value of the field's type, at least its minimum (length or value), for an expression."""
    low = shape.metadata.get("min", 0)
    if shape.type_name == "string":
        text = "s3://placeholder/value"
        return text + "x" * max(0, low - len(text))
    if shape.type_name in ("integer", "long"):
        return max(1, low)
    if shape.type_name in ("float", "double"):
        return max(0.5, low)
    if shape.type_name == "boolean":
        return True
    raise ValueError(f"no placeholder for an expression where {shape.type_name} {shape.name} goes")


def _typed(value: Any, shape: botocore.model.Shape) -> Any:
    """Each expression replaced with a value of its field's API type."""
    if _is_expression(value):
        return _placeholder(shape)
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _typed(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_typed(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _typed(v, shape.value) for k, v in value.items()}
    return value


def _literal(value: Any) -> Any:
    """Each expression replaced with None, which :func:`_check` passes over."""
    if _is_expression(value):
        return None
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(item) for item in value]
    return value


def _check(value: Any, shape: botocore.model.Shape, path: str, errors: list[str]) -> None:
    """The constraints ParamValidator leaves out: max, pattern, enum (and a map's entry count)."""
    if value is None:
        return
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure" and isinstance(value, Mapping):
        for name, item in value.items():
            if name in shape.members:
                _check(item, shape.members[name], f"{path}.{name}", errors)
    elif kind == "list" and isinstance(value, list):
        _bound(len(value), meta, path, "entries", errors, lower=False)
        for index, item in enumerate(value):
            _check(item, shape.member, f"{path}[{index}]", errors)
    elif kind == "map" and isinstance(value, Mapping):
        _bound(len(value), meta, path, "entries", errors)
        for key, item in value.items():
            _check(key, shape.key, f"{path} (key {key!r})", errors)
            _check(item, shape.value, f"{path}.{key}", errors)
    elif kind == "string" and isinstance(value, str):
        _bound(len(value), meta, path, "characters", errors, lower=False)
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {sorted(shape.enum)}")
        pattern = meta.get("pattern")
        if pattern and not java_pattern(pattern).fullmatch(value):
            errors.append(f"{path}: {value!r} does not match the pattern {pattern}")
    elif kind in ("integer", "long", "float", "double") and isinstance(value, int | float):
        _bound(value, meta, path, "", errors, lower=False)


def _bound(
    measured: float, meta: Mapping[str, Any], path: str, unit: str, errors: list[str], *, lower: bool = True
) -> None:
    """``max`` (and ``min`` where ParamValidator does not check it, ``lower=True``)."""
    suffix = f" {unit}" if unit else ""
    if "max" in meta and measured > meta["max"]:
        errors.append(f"{path}: {measured}{suffix}, more than the maximum {meta['max']}")
    if lower and "min" in meta and measured < meta["min"]:
        errors.append(f"{path}: {measured}{suffix}, less than the minimum {meta['min']}")


# --- Java patterns ---------------------------------------------------------------------------

# Java's POSIX-style classes (US-ASCII only, as in java.util.regex without UNICODE_CHARACTER_CLASS).
_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "Graph": "\\x21-\\x7e",
    "Print": "\\x20-\\x7e",
    "Blank": " \\t",
    "Space": " \\t\\n\\x0b\\f\\r",
    "XDigit": "0-9a-fA-F",
}
_PROPERTY = re.compile(r"\\p\{(\w+)\}|\\p([LMNPSZC])")
_SURROGATE_PAIR = re.compile(r"\\u(D[89AB][0-9A-F]{2})\\u(D[C-F][0-9A-F]{2})", re.IGNORECASE)


@cache
def java_pattern(pattern: str) -> re.Pattern[str]:
    """A botocore (Java) pattern as a Python regular expression with the same meaning.

    ``\\p{L}``-style Unicode categories and Java's POSIX classes become explicit ranges (usable
    inside a character class, as the models use them); a UTF-16 surrogate pair (``\\uD800\\uDC00``)
    becomes the code point it encodes.
    """
    translated = _SURROGATE_PAIR.sub(lambda match: _code_point(match[1], match[2]), pattern)
    translated = _PROPERTY.sub(lambda match: _property_class(match[1] or match[2]), translated)
    if translated.startswith("\\p") or "\\p" in translated:
        raise ValueError(f"untranslated Java class in {pattern!r}")
    translated = _bracket_bare_classes(translated)
    translated = _scope_inline_flags(translated)
    # Java lets a boundary take a quantifier (SageMaker's metadata keys end in "${1,128}"); it still
    # matches nothing but the boundary, which Python's `re` writes without one.
    translated = _without_boundary_quantifiers(translated)
    return re.compile(translated)  # Java semantics: "." stops at a line end


# A boundary's quantifier, where a "$" or "^" outside a character class begins the rest of a pattern.
_BOUNDARY_QUANTIFIER = re.compile(r"([$^])\{([0-9]+)(?:,[0-9]*)?\}")


def _without_boundary_quantifiers(pattern: str) -> str:
    """``pattern`` with each quantified boundary (``${1,128}``) written as the boundary alone; one
    that may repeat zero times (``${0,1}``) matches anything, so it goes with its quantifier.
    Escaped characters (``\\$``) and characters inside a class (``[^{12}]``, Java's classes nest)
    are no boundaries."""
    out: list[str] = []
    index, depth = 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            depth += 1
            opening = _class_opening(pattern, index)
            if opening:
                out.append(opening)
                index += len(opening)
                continue
        elif char == "]" and depth:
            depth -= 1
        elif depth == 0 and (match := _BOUNDARY_QUANTIFIER.match(pattern, index)):
            out.append(match[1] if int(match[2]) else "")
            index = match.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _scope_inline_flags(pattern: str) -> str:
    """Java's ``(?i)`` inside a group applies to the rest of that group; Python takes global flags
    only at the start, so a later one becomes the scoped group ``(?i:...)`` up to the group's end
    (Budgets' budget-name pattern: ``...|(?i).*<script>.*</script>.*)``)."""
    start = pattern.find("(?i)", 1)
    if start < 0:
        return pattern
    depth, index = 0, start + 4
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        index += 1
    scoped = f"{pattern[:start]}(?i:{pattern[start + 4 : index]}){pattern[index:]}"
    return _scope_inline_flags(scoped)


def _code_point(high: str, low: str) -> str:
    point = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
    return f"\\U{point:08x}"


def _property_class(name: str) -> str:
    """The members of a class as range text, marked so a bare class can be bracketed after."""
    if name in _POSIX:
        return f"\0{_POSIX[name]}\0"
    if len(name) == 1 and name in "LMNPSZC":
        return f"\0{_category_ranges(name)}\0"
    raise ValueError(f"the Java class \\p{{{name}}} has no translation here")


def _class_opening(pattern: str, index: int) -> str:
    """The opening of the class at ``index`` with a "]" first in it ("[]a]", "[^]a]"), which is one
    of its characters in Java as in Python, not its end; "" for any other class."""
    for opening in ("[^]", "[]"):
        if pattern.startswith(opening, index):
            return opening
    return ""


def _bracket_bare_classes(pattern: str) -> str:
    """``\\p{X}`` outside ``[...]`` is a class of its own: wrap its ranges in brackets."""
    out, depth, index = [], 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            depth += 1
            opening = _class_opening(pattern, index)
            if opening:
                out.append(opening)
                index += len(opening)
                continue
        elif char == "]" and depth:
            depth -= 1
        if char == "\0":
            end = pattern.index("\0", index + 1)
            body = pattern[index + 1 : end]
            out.append(body if depth else f"[{body}]")
            index = end + 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _category_ranges(major: str) -> str:
    """Every code point of a Unicode major category (L, N, Z...) as character-class ranges."""
    return _all_category_ranges()[major]


@cache
def _all_category_ranges() -> dict[str, str]:
    ranges: dict[str, list[tuple[int, int]]] = {}
    for point in range(sys.maxunicode + 1):
        spans = ranges.setdefault(unicodedata.category(chr(point))[0], [])
        if spans and spans[-1][1] == point - 1:
            spans[-1] = (spans[-1][0], point)
        else:
            spans.append((point, point))
    return {
        major: "".join(
            f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in spans
        )
        for major, spans in ranges.items()
    }
