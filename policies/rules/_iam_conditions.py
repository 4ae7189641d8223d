"""Whether a statement's ``Condition`` restricts it: the operators that restrict, the condition keys
that pin a caller or a resource (:class:`ConditionKey`, :data:`PRINCIPAL_KEYS`) and the values that
do (re-exported by ``_iam_documents``).

Imports nothing from ``components/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._common import arn_pattern_pins_account, has_wildcard, iam_wildcard, variables_as_wildcards
from ._iam_statements import only_wildcards
from ._three_valued import Tri, Unknown, all3, any3, as_list

# --- conditions ------------------------------------------------------------------------

#: Condition operators that restrict: the request must match a listed value. Negated
#: operators (``StringNotEquals``), ``...IfExists`` (true when the key is absent), ``Null``
#: and ``ForAllValues:`` (true for an empty set) do not.
_EXACT_OPERATORS = frozenset({"stringequals", "stringequalsignorecase"})
_WILDCARD_OPERATORS = frozenset({"stringlike", "arnequals", "arnlike"})


@dataclass(frozen=True)
class ConditionKey:
    """A condition key that restricts a statement, and how to tell a restricting value.

    ``kind``: ``"id"`` (an account, organization or external id: a wildcard defeats it),
    ``"arn"`` (an ARN: a pattern pins only with a fixed account, so a wildcard account or an S3
    bucket pattern such as ``arn:aws:s3:::my-bucket*`` defeats it: ``arn_pattern_pins_account``),
    ``"orgpath"`` (must at least name the organization), ``"userid"`` (a wildcard only after a
    fixed unique id and ``:``, as in ``AROAEXAMPLEID:*``, every session of one role), ``"endpoint"``
    (a service endpoint, ``kms:ViaService``: a pattern must name the service, its first label
    without a wildcard, ``s3.*.amazonaws.com``; ``*.amazonaws.com`` is every service, ``s*.amazonaws.com``
    every service whose name starts with ``s``: S3, SageMaker, Secrets Manager, SSM, SQS, SNS...) or ``"text"`` (anything but ``*``).

    ``pins``: ``"caller"`` (the key pins who calls: a policy variable the request supplies pins
    nothing) or ``"resource"`` (an identity policy's key scoping which resources its holder reaches:
    the holder's own ``${aws:PrincipalTag/...}`` pins, the resource's ``${aws:Resource...}`` does
    not); see :func:`variables_as_wildcards`.
    """

    pattern: str  # key name, case-insensitive; ``*`` matches any text (``aws:ResourceTag/*``)
    kind: str = "text"
    pins: str = "caller"

    def matches(self, key: str) -> bool:
        return bool(iam_wildcard(self.pattern, ignore_case=True).fullmatch(key))


def _restricting_value(
    spec: ConditionKey, value: Any, wildcards: bool, holder: str = "any", *, as_text: bool = False
) -> Tri:
    kind = spec.kind
    if isinstance(value, Unknown):
        return True if not wildcards else value  # an exact match on any one value restricts
    chosen = variables_as_wildcards(value, pins=spec.pins, holder=holder) if isinstance(value, str) else value
    if isinstance(value, str) and chosen != value:
        value, wildcards = chosen, True  # ``${aws:PrincipalOrgID}``: the caller supplies it, as a wildcard
    if isinstance(value, str) and only_wildcards(value):
        return False  # '*' restricts nothing under a wildcard operator; never trust it under others
    if not isinstance(value, str) or not wildcards or not has_wildcard(value):  # ``${*}`` is a literal *
        return True
    if kind == "id":
        return False
    if kind == "orgpath":
        return bool(re.match(r"^o-[a-z0-9]{10,32}/", value.split("*")[0].split("?")[0]))
    if kind == "userid":
        unique_id, colon, _ = value.partition(":")
        return bool(colon) and bool(unique_id) and not has_wildcard(unique_id)
    if kind == "arn":  # a pattern pins only by a fixed account; S3 bucket ARNs have none
        return arn_pattern_pins_account(value, as_text=as_text)
    if kind == "endpoint":  # a pattern pins only by naming the service (``s3.*.amazonaws.com``)
        service, dot, _ = value.partition(".")
        return bool(dot) and bool(service) and not has_wildcard(service)
    return True


def positive_operator(operator: str) -> str | None:
    """``operator`` lower-cased without ``ForAnyValue:`` when it restricts (the request must match a
    listed value), else None: negated operators, ``...IfExists``, ``Null`` and ``ForAllValues:``."""
    name = operator.lower()
    if name.startswith("forallvalues:") or name.endswith("ifexists"):
        return None
    name = name.removeprefix("foranyvalue:")
    return name if name in _EXACT_OPERATORS or name in _WILDCARD_OPERATORS else None


def is_wildcard_operator(name: str) -> bool:
    """Whether a :func:`positive_operator` name reads ``*`` and ``?`` as wildcards."""
    return name in _WILDCARD_OPERATORS


def condition_restricts(
    statement: Any, keys: Iterable[ConditionKey], *, service: str | None = None, holder: str = "any"
) -> Tri:
    """Whether ``Condition`` restricts the statement through one of ``keys``.

    ``service``: a service-prefixed key (``kms:ViaService``) only counts for that service's
    actions; ``aws:`` keys count for all. ``holder="role"``: the document is one only a role can
    hold, whose ``${aws:userid}`` is its own (``_common.variable_side``).
    """
    if isinstance(statement, Unknown):
        return statement
    condition = statement.get("Condition")
    if isinstance(condition, Unknown):
        return condition
    if not isinstance(condition, dict):
        return False
    wanted = list(keys)
    found: list[Tri] = []
    for operator, block in condition.items():
        name = positive_operator(operator)
        if name is None:
            continue
        if isinstance(block, Unknown):
            found.append(block)
            continue
        if not isinstance(block, dict):
            continue
        for key, values in block.items():
            prefix = key.split(":", 1)[0].lower()
            if service is not None and prefix not in ("aws", service.lower()):
                continue
            spec = next((k for k in wanted if k.matches(key)), None)
            if spec is None:
                continue
            listed = [values] if isinstance(values, Unknown) else as_list(values)
            wildcards = name in _WILDCARD_OPERATORS
            found.append(
                all3(
                    _restricting_value(spec, v, wildcards, holder, as_text=name == "stringlike")
                    for v in listed
                )
                if listed
                else False
            )
    return any3(found)


#: Keys that pin *who* may act: an organization, account, principal, calling resource or
#: external id. Network keys (``aws:SourceIp``, ``aws:SourceVpc``) and request attributes
#: (``aws:SecureTransport``, ``aws:MultiFactorAuthPresent``) do not identify the caller.
PRINCIPAL_KEYS: tuple[ConditionKey, ...] = (
    ConditionKey("aws:PrincipalOrgID", "id"),
    ConditionKey("aws:PrincipalOrgPaths", "orgpath"),
    ConditionKey("aws:PrincipalAccount", "id"),
    ConditionKey("aws:PrincipalArn", "arn"),
    ConditionKey("aws:userid", "userid"),
    ConditionKey("aws:SourceAccount", "id"),
    ConditionKey("aws:SourceArn", "arn"),
    ConditionKey("aws:SourceOrgID", "id"),
    ConditionKey("aws:SourceOrgPaths", "orgpath"),
    ConditionKey("aws:SourceOwner", "id"),
)
