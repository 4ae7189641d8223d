"""A Deny that restricts a public Allow to fixed values of one key (the private API pattern).

AWS documents an API Gateway private API's policy as an Allow to ``*`` for ``execute-api:Invoke``
plus a Deny of the same action and resources when ``StringNotEquals aws:SourceVpce`` is not the
endpoint: the Deny takes every request that does not come through it, so the Allow only reaches
requests that do. :func:`restricts` credits such a Deny, as a class, when nothing leaves a gap:

- ``Effect`` exactly ``Deny``; no ``NotPrincipal``, ``NotAction`` or ``NotResource``;
- ``Principal`` ``"*"`` (or ``{"AWS": "*"}``, which IAM documents as the same, when the Allow's
  principal is an AWS one too);
- its ``Action`` and ``Resource`` surely reach every action and resource the Allow may reach
  (``*``, the same pattern, a pattern matching the Allow's literal entry, or a trailing ``*``
  after the Allow's own literal prefix);
- one condition, one key: a negated operator (``StringNotEquals``, ``StringNotLike``,
  ``ArnNotEquals``, ``ArnNotLike``, ``NotIpAddress``...) without ``IfExists`` or a set prefix, on a
  key that names where the request comes from or whose it is (``aws:SourceVpce``,
  ``aws:SourceVpc``, ``aws:SourceIp``, ``aws:SourceAccount``, ``aws:PrincipalOrgID``,
  ``aws:PrincipalAccount``...), with fixed values (as an Allow's condition must pin them). A request
  without the key is denied too (a negated operator matches a missing key), so the Allow is left
  with the listed values only. An ARN operator only on an ARN key (``aws:SourceArn``,
  ``aws:PrincipalArn``), ``NotIpAddress`` only on ``aws:SourceIp``: on another key the request's
  value is not of the operator's type, and IAM documents no outcome for that.

A Deny narrower in any of these (``...IfExists``, which lets requests without the key through; a
second condition, which may not hold; a wildcard value; a pattern that is not surely wider) is
no credit. A value not known at preview leaves the verdict undecided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._bucket_policy import AWS_RESTRICTING_KEYS, pins
from ._common import has_wildcard, iam_wildcard, is_map, items
from ._iam_documents import Tri, Unknown, all3, any3, as_list, granted

#: Negated operator -> the matching operator whose fixed values it leaves the Allow with.
NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NotIpAddress": "IpAddress",
}
#: Operators whose type fits only some keys: an ARN operator needs an ARN key, an IP one ``aws:SourceIp``.
#: On another key the request's value is not of the operator's type, and IAM documents no outcome
#: for that: the Deny may never apply, so it credits nothing.
_TYPED_KEYS = {
    "ArnNotEquals": frozenset({"aws:sourcearn", "aws:principalarn"}),
    "ArnNotLike": frozenset({"aws:sourcearn", "aws:principalarn"}),
    "NotIpAddress": frozenset({"aws:sourceip"}),
}
#: The keys a Deny may restrict on: single-valued keys naming the network, account or
#: organization (the multi-valued org paths are left out: a negated operator on a set is
#: ``ForAnyValue``/``ForAllValues`` territory).
KEYS = AWS_RESTRICTING_KEYS - {"aws:sourceorgpaths", "aws:principalorgpaths"}
#: A policy variable or escape (``${aws:username}``, ``${*}``): one token, never cut.
_VARIABLE = re.compile(r"\$\{[^}]*\}")


def restricts(
    deny: Any, allow: Mapping[str, Any], keys: frozenset[str] = KEYS, *, literal: bool = True
) -> Tri:
    """Whether the statement ``deny`` denies every request ``allow`` grants except those with
    fixed values of one key of ``keys`` (lower case; an :class:`Unknown` when unknown parts decide it).
    ``literal``: as :func:`_bucket_policy.pins` (False: S3's reading, a ``*`` or ``?`` under
    ``StringNotEquals`` is a wildcard, so the value is not fixed)."""
    if isinstance(deny, Unknown):
        return deny
    if not is_map(deny):
        return False
    if any(key in deny for key in ("NotPrincipal", "NotAction", "NotResource")):
        return False
    return all3(
        [
            _is_deny(deny.get("Effect")),
            _everyone(deny.get("Principal"), allow),
            _reaches(deny, allow, "Action", ignore_case=True),
            _reaches(deny, allow, "Resource", ignore_case=False),
            _one_negated_condition(deny.get("Condition"), keys, literal),
        ]
    )


def credited(
    allow: Mapping[str, Any],
    document_statements: list[Any],
    keys: frozenset[str] = KEYS,
    *,
    literal: bool = True,
) -> Tri:
    """Whether some Deny of the same document restricts ``allow`` (to fixed values of one of ``keys``)."""
    return any3(restricts(statement, allow, keys, literal=literal) for statement in document_statements)


def _is_deny(effect: Any) -> Tri:
    if isinstance(effect, Unknown):
        return effect
    return effect == "Deny"


def _everyone(principal: Any, allow: Mapping[str, Any]) -> Tri:
    if isinstance(principal, Unknown):
        return principal
    if principal == "*":
        return True
    if not (is_map(principal) and set(principal) == {"AWS"}):
        return False
    aws = principal["AWS"]
    if isinstance(aws, Unknown):
        return aws
    if "*" not in items(aws):
        return False
    # {"AWS": "*"} is "*" for AWS principals; an Allow to a Service/Federated/CanonicalUser
    # wildcard, or to everyone but some (NotPrincipal), needs the Deny's "*" itself.
    granted_to = allow.get("Principal")
    return "NotPrincipal" not in allow and (
        granted_to == "*" or (is_map(granted_to) and set(granted_to) == {"AWS"})
    )


def _reaches(deny: Mapping[str, Any], allow: Mapping[str, Any], field: str, *, ignore_case: bool) -> Tri:
    """Whether the Deny's ``field`` surely reaches everything the Allow's may."""
    denied = deny.get(field)
    if isinstance(denied, Unknown):
        return denied
    patterns = as_list(denied)
    if any(isinstance(p, Unknown) for p in patterns):
        every: Tri = next(p for p in patterns if isinstance(p, Unknown))
    else:
        every = False
    # The surely-reached reading: a Deny's entries as written (``read_entry``), padding and all.
    known = [p for p in patterns if isinstance(p, str)]
    if "*" in known:
        return True
    if f"Not{field}" in allow:
        return every  # everything but a list: only "*" reaches it all
    if denied is None:
        # No Resource in either: both statements are about the resource the policy is attached to.
        return field == "Resource" and allow.get(field) is None and f"Not{field}" not in allow
    wanted = allow.get(field)
    if wanted is None:
        # The Allow names no resource (the one the policy is attached to), or no action (IAM refuses
        # it): a Deny naming some may not name that one.
        return False
    if isinstance(wanted, Unknown):
        return wanted if every is False else every
    entries = [granted(entry) for entry in as_list(wanted)]
    verdicts: list[Tri] = []
    for entry in entries:
        if isinstance(entry, Unknown):
            verdicts.append(entry)
        elif not isinstance(entry, str):
            return False
        else:
            verdicts.append(any3([*(_covers(p, entry, ignore_case) for p in known), every]))
    return all3(verdicts)


def _covers(pattern: str, entry: str, ignore_case: bool) -> bool:
    """Whether every value ``entry`` matches is matched by ``pattern`` (IAM wildcards)."""
    if ignore_case:
        pattern, entry = pattern.lower(), entry.lower()
    if pattern == entry:
        return True  # a policy variable too: both read the same request's value
    if not has_wildcard(entry) and "${" not in entry:
        # A variable in the pattern is matched as its text: it covers no literal entry.
        return bool(iam_wildcard(pattern).fullmatch(entry))
    # The entry is the pattern's text up to a final wildcard, then more: whatever the entry
    # matches starts with what that text matches, and the ``*`` takes the rest. Not when the
    # text ends inside a variable or escape of the entry (``${*}``, ``${aws:...}``): there the
    # same characters do not mean the same thing.
    prefix = pattern[:-1]
    if not (pattern.endswith("*") and entry.startswith(prefix)):
        return False
    return not any(m.start() < len(prefix) < m.end() for m in _VARIABLE.finditer(entry))


def _one_negated_condition(condition: Any, keys: frozenset[str], literal: bool) -> Tri:
    if isinstance(condition, Unknown):
        return condition
    if not is_map(condition) or len(condition) != 1:
        return False
    ((operator, block),) = condition.items()
    positive = NEGATED.get(str(operator))
    if positive is None:
        return False  # ...IfExists, ForAnyValue:/ForAllValues:, or not negated
    if isinstance(block, Unknown):
        return block
    if not is_map(block) or len(block) != 1:
        return False
    ((key, value),) = block.items()
    name = str(key).lower()
    if name not in keys or name not in _TYPED_KEYS.get(str(operator), frozenset({name})):
        return False
    if isinstance(value, Unknown):
        return value
    values = items(value)
    unknown = next((v for v in values if isinstance(v, Unknown)), None)
    if unknown is not None:
        known = [v for v in values if not isinstance(v, Unknown)]
        return unknown if not known or pins(name, known, positive, literal=literal) else False
    return pins(name, values, positive, literal=literal)
