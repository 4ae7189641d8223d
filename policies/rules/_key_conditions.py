"""How IAM evaluates a key policy's ``Condition`` for a service principal's request
(:mod:`._kms_request`): the string, ARN and Boolean operators, ``...IfExists``, ``Null``, negation,
and the policy variables IAM fills in before comparing (``alarm-topic-key-usable``).
"""

from __future__ import annotations

import re
from typing import Any

from ._common import arn_fields, iam_wildcard
from ._iam_documents import Tri, Unknown, all3, any3, as_list
from ._kms_request import Request, presence_unknown

_STRING = {"stringequals": False, "stringlike": True}
_ARN = {"arnequals", "arnlike"}


def arn_like(pattern: str, arn: str) -> bool:
    """Whether ``ArnLike``/``ArnEquals`` ``pattern`` matches ``arn`` as IAM compares them: each of
    the six colon-delimited fields separately, a wildcard never spanning fields (IAM User Guide,
    condition operators: "Each of the six colon-delimited components of the ARN is checked
    separately"); a pattern or ARN of fewer fields matches nothing. The resource field is the rest,
    its own colons and all (``alarm:churn-5xx``)."""
    fields = arn_fields(pattern)  # a policy variable is one token: ``${aws:ResourceAccount}`` holds a colon
    actual = arn.split(":", 5)
    if fields is None or len(actual) != 6:
        return False
    return all(iam_wildcard(field).fullmatch(value) for field, value in zip(fields, actual, strict=True))


_IGNORING_CASE = {"stringequalsignorecase"}
_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotlike": "stringlike",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
    "stringnotequalsignorecase": "stringequalsignorecase",
}


def condition_holds(condition: Any, call: Request, effect: str) -> Tri:
    """Whether every block of ``condition`` holds for ``call``'s request. An operator this reader
    does not evaluate on a key the request carries counts as failing an Allow and holding for a
    Deny: the grant cannot be shown.

    Two things IAM does not document are read both ways, against the grant (an Allow's condition
    holds only if it holds both ways, a Deny's if it holds either way), as a padded entry is
    (:func:`read_entry`): a condition key padded with white space (``" aws:SourceAccount"``: the
    key trimmed, or another key the request lacks), a ``*`` or ``?`` that a policy variable fills
    in under ``StringLike``/``ArnLike`` (the character itself, or a wildcard), and a doubled quote in
    a variable's default (:func:`filled`)."""
    if condition is None:
        return True
    if isinstance(condition, Unknown):
        return condition
    if not isinstance(condition, dict):
        return effect == "deny"
    verdicts: list[Tri] = []
    for operator, block in condition.items():
        if isinstance(block, Unknown):
            verdicts.append(block)
            continue
        if not isinstance(block, dict):
            verdicts.append(effect == "deny")
            continue
        for key, values in block.items():
            readings = [
                _holds(str(operator), call.value(name), values, effect, call, literal, quotes)
                for name in dict.fromkeys((str(key), str(key).strip()))
                for literal in (True, False)
                for quotes in quote_readings(values)
            ]
            verdicts.append(all3(readings) if effect == "allow" else any3(readings))
    return all3(verdicts)


def _holds(
    operator: str,
    actual: Any,
    values: Any,
    effect: str,
    call: Request,
    literal: bool = True,
    quotes: bool = True,
) -> Tri:
    """Whether one key's comparison holds; ``literal``: a wildcard character a variable fills in is
    the character itself (else a wildcard, under ``StringLike``/``ArnLike``); ``quotes``: ``''`` in a
    variable's default is one quote (else the variable is no variable: :func:`filled`)."""
    name = operator.lower()
    if_exists = name.endswith("ifexists")
    name = name.removesuffix("ifexists")
    every = name.startswith("forallvalues:")
    name = name.removeprefix("forallvalues:").removeprefix("foranyvalue:")
    listed = [values] if isinstance(values, Unknown) else as_list(values)
    if name == "null":
        wanted = [str(v).lower() == "true" for v in listed if not isinstance(v, Unknown)]
        if isinstance(actual, Unknown):
            return actual
        return (actual is None) in wanted
    if actual is None:  # the request carries no such key: ...IfExists holds (IAM User Guide)
        return if_exists or every or name in _NEGATED
    if isinstance(actual, Unknown):
        return actual
    negated = name in _NEGATED
    base = _NEGATED.get(name, name)
    if base in _ARN or base in _STRING or base in _IGNORING_CASE:  # no variables under Bool (IAM User Guide)
        escaped = literal and (base in _ARN or _STRING.get(base, False))
        listed = [filled(v, call, escaped, quotes) if isinstance(v, str) else v for v in listed]
    # A value not known (yet) decides nothing when a known one matches: the values are OR'd (NOR'd
    # under a negated operator), so a Deny matching a fixed value applies whatever the others are.
    pending = next((v for v in listed if isinstance(v, Unknown)), None)
    if base in _ARN:
        matched = any(isinstance(v, str) and isinstance(actual, str) and arn_like(v, actual) for v in listed)
    elif base in _STRING:
        matched = any(
            isinstance(v, str)
            and (bool(iam_wildcard(v).fullmatch(actual)) if _STRING[base] else _characters(v) == actual)
            for v in listed
        )
    elif base in _IGNORING_CASE:
        matched = any(isinstance(v, str) and _characters(v).lower() == str(actual).lower() for v in listed)
    elif base == "bool":  # "true"/"false" whatever the case; a "${...}" is its text (no variables here)
        matched = any(isinstance(v, str | bool) and str(v).lower() == str(actual).lower() for v in listed)
    else:
        return effect == "deny"
    if pending is not None and not matched:
        return pending
    return not matched if negated else matched


#: A policy variable in a condition value, with its default if any: ``${aws:ResourceAccount}``,
#: ``${aws:PrincipalTag/team, 'none'}`` (``''`` inside a default: :func:`filled`). ``${*}``, ``${?}``
#: and ``${$}`` are the characters themselves, no variables.
_VARIABLE = re.compile(r"\$\{\s*([^}*?$,\s][^},]*?)\s*(?:,\s*'((?:[^']|'')*)'\s*)?\}")
_ESCAPES = re.compile(r"\$\{([*?$])\}")


def _characters(value: str) -> str:
    """A value compared whole (``StringEquals``): the escapes ``${*}``, ``${?}``, ``${$}`` are the
    characters themselves."""
    return _ESCAPES.sub(lambda m: m.group(1), value)


#: A value holding a policy variable whose key the request lacks, with no default: "effectively
#: null" (IAM User Guide, "Policy variables with no value"). It equals and is like no value, so
#: ``StringEquals``/``StringLike``/``ArnLike`` do not match it and their negations do, and a
#: ``Resource``/``NotResource`` entry holding it matches no resource.
NO_VALUE: Any = object()


def quote_readings(values: Any) -> tuple[bool, ...]:
    """The readings of ``''`` in a variable's default that ``values`` needs (:func:`filled`)."""
    return (True, False) if "''" in str(values) else (True,)


def filled(value: str, call: Request, wildcards: bool, quotes: bool = True) -> Any:
    """A value with each policy variable replaced by what the request carries, as IAM fills it in
    before comparing (IAM User Guide, "IAM policy elements: Variables and tags"): the key policy's
    ``${aws:ResourceAccount}`` is the key's account, ``${aws:SourceAccount}`` the publisher's; a key
    the request surely lacks (:data:`._kms_request.SURELY_ABSENT`) takes the variable's default, and without one
    the value is :data:`NO_VALUE`. :class:`Unknown` when a value is not known yet, or no value
    settles it (``aws:SourceOrgID``; a key the request model does not say is absent).
    ``wildcards``: the filled-in text's ``*`` and ``?`` are escaped (the characters themselves, no
    wildcards); its ``$`` always is.

    ``''`` inside a default (``${aws:PrincipalTag/x, 'it''s'}``) is not documented by AWS: the IAM
    User Guide ("Specifying default values") says only that a default is surrounded with single
    quotes, and writes none holding a quote (a doubled quote as one is another cloud's IAM
    syntax). With ``quotes`` it is read as one quote; without, the default ends at the first quote,
    so ``${...}`` is no variable and stays text, as any malformed variable does. Callers read both
    ways against the grant (an Allow must hold both ways, a Deny applies if it does either way):
    the reading conservative for the rule, whichever IAM takes (or IAM refuses the policy)."""
    pending: list[Unknown] = []
    null = False

    def fill(match: re.Match[str]) -> str:
        nonlocal null
        if not quotes and match.group(2) is not None and "''" in match.group(2):
            return match.group(0)  # no variable: its text, as written
        if not call.settles(match.group(1)):
            pending.append(presence_unknown(match.group(0), call))
            return ""
        actual = call.value(match.group(1))
        if actual is None and match.group(2) is not None:
            text = match.group(2).replace("''", "'")
        elif isinstance(actual, str | bool):
            text = str(actual).lower() if isinstance(actual, bool) else actual
        elif actual is None:
            null = True
            return ""
        else:
            pending.append(actual)
            return ""
        return re.sub(r"([*?$])", r"${\1}", text) if wildcards else text.replace("$", "${$}")

    filled = _VARIABLE.sub(fill, value)
    if null:
        return NO_VALUE
    return pending[0] if pending else filled
