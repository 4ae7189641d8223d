"""Reading S3 bucket policies: TLS-only denies and public allows.

TLS-only (FSBP S3.5): Deny statements conditioned on nothing but ``aws:SecureTransport =
false`` (``Bool`` or ``BoolIfExists``, boolean or string) must together deny *every*
principal (``"*"`` / ``{"AWS": "*"}``), every action (``s3:*`` or ``*``), on the bucket and
on its objects. A deny narrowed by principal, action, resource, ``Not*`` or another
condition key leaves a way in over plain HTTP.

Public allows (S3's "meaning of public", CKV_AWS_70): an ``Allow`` to any principal (or with
``NotPrincipal``) is public unless a condition pins it to fixed values of a key that names
who or where the request comes from (``aws:SourceArn``, ``aws:SourceAccount``,
``aws:SourceVpce``, ``aws:SourceVpc``, ``aws:PrincipalOrgID``, ``aws:PrincipalAccount``,
``aws:SourceIp`` ...). Negated operators, ``...IfExists``, ``ForAllValues:``, ``Null`` and
wildcard values do not restrict; a condition on an unrelated key does not either, nor a CIDR
broader than /8 (IPv4) or /32 (IPv6) or CIDRs that together reach more public addresses than
one such range (``_cidrs.internet_reach``), nor an ARN pattern without a fixed account (``arn:aws:s3:::my-bucket*``:
bucket ARNs carry no account, so another account's bucket of that prefix matches) or under
``StringLike`` with a wildcard before its account (text matching lets it take colons; ``ArnLike``
matches field by field): ``_common.arn_pattern_pins_account``, the reading every rule shares. ``StringEquals``
and ``StringEqualsIgnoreCase`` compare literally: a ``*`` or ``?`` there is the character (it pins,
as any fixed text does) for ``resource-policy-not-public``, though a value of nothing but those
characters is never trusted (as ``_iam_documents`` reads it) and a policy variable the caller
supplies still pins nothing. A bucket policy is read as S3 reads it (:func:`public_allows`): a value
holding a wildcard character is not fixed under any operator (a Deny's negated one too: ``s3``
passes ``credited(..., literal=False)``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._cidrs import IPNetwork, internet_reach, networks
from ._common import (
    arn_pattern_pins_account,
    has_wildcard,
    iam_wildcard,
    is_false,
    is_map,
    items,
    policy_statements,
    variables_as_wildcards,
)

#: Condition keys whose fixed values restrict who can use an ``Allow`` to ``*`` in any
#: resource-based policy (lower case): who or where the request comes from.
AWS_RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceip",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
    }
)
#: The keys that restrict an ``Allow`` to ``*`` in an S3 bucket policy: the ``aws:`` keys plus
#: S3's own (the access point a request comes through, the KMS key it must use).
RESTRICTING_KEYS = AWS_RESTRICTING_KEYS | frozenset(
    {
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    }
)
_ARN_KEYS = frozenset({"aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn"})
_ORG_PATH_KEYS = frozenset({"aws:sourceorgpaths", "aws:principalorgpaths"})
_MATCHING_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"}
)
#: Operators comparing text literally: ``*`` and ``?`` are the characters, not wildcards (IAM User
#: Guide, condition operators; ``ArnEquals`` matches field by field with wildcards, as ``ArnLike``).
_LITERAL_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase"})
#: A policy variable or escape (``${aws:PrincipalAccount}``, ``${*}``), or a bare ``*`` or ``?``.
_TOKEN_OR_WILDCARD = re.compile(r"(\$\{[^}]*\})|([*?])")
_TLS_OPERATORS = ("Bool", "BoolIfExists")
SECURE_TRANSPORT = "aws:securetransport"
RESTRICTING_HINT = "aws:SourceArn, aws:SourceAccount, aws:SourceVpce, aws:SourceVpc, aws:PrincipalOrgID"


# --- shared pieces ---------------------------------------------------------------------


def _effect(statement: Mapping[str, Any]) -> str:
    return str(statement.get("Effect", "")).lower()


def _principal_is_anyone(principal: Any) -> bool:
    """``*``, or a wildcard in any principal (``{"AWS": "arn:aws:iam::*:root"}``, every account).

    IAM documents no partial wildcard in a principal, but not every service that stores a
    resource policy validates it; as for key and trust policies, the safe reading is anyone.
    """
    if principal == "*" or any("*" in value for value in _strings(principal)):
        return True
    if is_map(principal):
        return any(isinstance(v, str) and "*" in v for key in principal for v in items(principal.get(key)))
    return False


def _denies_everyone(principal: Any) -> bool:
    """A Deny's ``Principal`` that takes in every caller: ``"*"`` or ``{"AWS": "*"}``.

    Not :func:`_principal_is_anyone`: a ``*`` under ``Service``, ``Federated`` or
    ``CanonicalUser`` makes an Allow public, but a Deny to it leaves IAM users and roles out.
    """
    if principal == "*" or "*" in _strings(principal):
        return True
    return is_map(principal) and "*" in _strings(principal.get("AWS"))


def _strings(value: Any) -> list[str]:
    return [v for v in items(value) if isinstance(v, str)]


def _matches(patterns: list[str], value: str) -> bool:
    return any(iam_wildcard(p).fullmatch(value) for p in patterns)


# --- TLS-only --------------------------------------------------------------------------


def _tls_deny_problems(statement: Mapping[str, Any]) -> list[str]:
    """Why a Deny on ``aws:SecureTransport = false`` does not cover every request (empty: it does)."""
    problems = [f"uses {key}" for key in ("NotPrincipal", "NotAction", "NotResource") if key in statement]
    if not _denies_everyone(statement.get("Principal")):
        problems.append(f"Principal is {statement.get('Principal')!r}, not '*'")
    actions = [a.lower() for a in _strings(statement.get("Action"))]
    if not ({"*", "s3:*"} & set(actions)):
        problems.append(f"Action is {statement.get('Action')!r}, not 's3:*'")
    condition = statement.get("Condition")
    # Only called on statements _is_tls_deny accepted, and their Condition is a map.
    if not is_map(condition):
        raise ValueError(f"not a TLS deny statement: {statement!r}")
    others = [
        f"{operator} {key}"
        for operator in condition
        if is_map(condition.get(operator))
        for key in condition[operator]
        if not (operator in _TLS_OPERATORS and str(key).lower() == SECURE_TRANSPORT)
    ]
    if others:
        problems.append(f"is narrowed by the condition(s) {', '.join(others)}")
    return problems


def _is_tls_deny(statement: Mapping[str, Any]) -> bool:
    """Effect Deny with ``aws:SecureTransport`` false under Bool/BoolIfExists."""
    condition = statement.get("Condition")
    if _effect(statement) != "deny" or not is_map(condition):
        return False
    for operator in _TLS_OPERATORS:
        block = condition.get(operator)
        if is_map(block):
            for key in block:
                if str(key).lower() == SECURE_TRANSPORT and any(is_false(v) for v in items(block[key])):
                    return True
    return False


def _candidate_buckets(patterns: list[str]) -> list[str]:
    """Bucket ARNs to probe: each pattern's part before the first ``/``, wildcards made concrete."""
    return sorted({p.split("/", 1)[0].replace("*", "x").replace("?", "x") for p in patterns})


def _covers_bucket_and_objects(patterns: list[str], bucket_arns: list[str] | None) -> bool:
    probes = bucket_arns if bucket_arns else _candidate_buckets(patterns)
    return any(_matches(patterns, arn) and _matches(patterns, f"{arn}/any/key") for arn in probes)


def tls_only_problems(document: Any, bucket_arns: list[str] | None = None) -> list[str]:
    """Empty when ``document`` is TLS-only; otherwise what is missing.

    ``bucket_arns``: the bucket's possible ARNs when known (a stack rule); otherwise any
    bucket the deny statements name counts.
    """
    denies = [s for s in policy_statements(document) if _is_tls_deny(s)]
    if not denies:
        return ["there is no Deny statement with Condition {'Bool': {'aws:SecureTransport': 'false'}}"]
    full = [s for s in denies if not _tls_deny_problems(s)]
    if not full:
        return [
            f"the aws:SecureTransport Deny statement {problem}"
            for s in denies
            for problem in _tls_deny_problems(s)
        ]
    patterns = [r for s in full for r in _strings(s.get("Resource"))]
    if not _covers_bucket_and_objects(patterns, bucket_arns):
        return [
            f"the aws:SecureTransport Deny covers Resource {patterns!r}, not both the bucket ARN and "
            "its objects (<bucket ARN>/*)"
        ]
    return []


# --- public allows ---------------------------------------------------------------------


def _fixed(key: str, value: Any, operator: str, *, literal: bool = True) -> bool:
    """A value that pins the key: no wildcards (ARNs may wildcard after a fixed account).
    ``literal=False``: S3's reading (:func:`public_allows`), where ``*`` and ``?`` are wildcards
    under every operator."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an account id written as a JSON number
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if not isinstance(value, str) or not value.strip():
        return False
    if literal and operator in _LITERAL_OPERATORS:
        if set(value) <= {"*", "?"}:
            return False  # ``"*"`` pins nothing under a wildcard operator: never trusted under others
        value = _as_literal(value)
    value = variables_as_wildcards(value)  # the caller supplies ``${aws:PrincipalAccount}``: a wildcard
    if key == "aws:sourceip":
        return operator == "IpAddress" and _narrow_cidr(value)
    if not has_wildcard(value):  # ``${*}`` and ``${?}`` are the characters themselves
        return True
    if key in _ARN_KEYS:
        # A pattern pins only by a fixed account; S3 bucket ARNs have none (arn_pattern_pins_account).
        return arn_pattern_pins_account(value, as_text=operator.startswith("String"))
    if key in _ORG_PATH_KEYS:
        return bool(re.fullmatch(r"o-[a-z0-9]+", value.split("/", 1)[0]))
    if key == "aws:userid":  # "AROLEID:*" (every session of one role) is fixed; "*:*" is anyone
        unique_id, colon, _ = value.partition(":")
        return bool(colon) and bool(unique_id) and not has_wildcard(unique_id)
    return False


def _as_literal(value: str) -> str:
    """``value`` with each bare ``*`` and ``?`` written as IAM's escape for the character (``${*}``,
    ``${?}``), variables and escapes left whole: what a literal operator compares it as."""
    return _TOKEN_OR_WILDCARD.sub(lambda m: m.group(1) or "${" + m.group(2) + "}", value)


def restricting_condition(
    condition: Any, keys: frozenset[str] = RESTRICTING_KEYS, *, literal: bool = True
) -> bool:
    """True when some condition pins a source/principal key of ``keys`` to fixed values
    (``literal``: see :func:`pins`).

    Values that are not plain data (a value unknown at preview) never pin anything here: a
    caller that reads unknown values decides what they mean.
    """
    if not is_map(condition):
        return False
    for operator in condition:
        block = condition.get(operator)
        base = str(operator)
        if base.startswith("ForAllValues:") or base.endswith("IfExists") or not is_map(block):
            continue
        base = base.removeprefix("ForAnyValue:")
        if base not in _MATCHING_OPERATORS:
            continue
        for key in block:
            name = str(key).lower()
            values = items(block[key])
            if name in keys and pins(name, values, base, literal=literal):
                return True
    return False


def _narrow_cidr(value: str) -> bool:
    """A CIDR that S3's meaning of public calls fixed: ``/8`` or narrower for IPv4, ``/32`` or
    narrower for IPv6 (an IPv6 range holding IPv4-mapped addresses read as the IPv4 range it maps:
    ``::ffff:0.0.0.0/97`` is ``0.0.0.0/1``, ``::/64`` all of IPv4). "Bucket policies
    that grant access conditioned on the aws:SourceIp condition key with very broad IP ranges (for
    example, 0.0.0.0/1) are evaluated as public. This includes values broader than /8 for IPv4 and
    /32 for IPv6" (Amazon S3 User Guide, Blocking public access: the meaning of "public")."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    if isinstance(network, ipaddress.IPv6Network):
        mapped = _mapped_v4(network)
        if mapped is not None:
            return mapped.prefixlen >= 8
        return network.prefixlen >= 32
    return network.prefixlen >= 8


#: The IPv4-mapped IPv6 addresses (``::ffff:a.b.c.d``).
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def _mapped_v4(network: ipaddress.IPv6Network) -> ipaddress.IPv4Network | None:
    """The IPv4 range an IPv6 range reaches through IPv4-mapped addresses (None: none)."""
    if network.supernet_of(_MAPPED):
        return ipaddress.IPv4Network("0.0.0.0/0")
    if _MAPPED.supernet_of(network):
        return ipaddress.IPv4Network((int(network.network_address) & 0xFFFFFFFF, network.prefixlen - 96))
    return None


def pins(name: str, values: list[Any], operator: str, *, literal: bool = True) -> bool:
    """Whether ``values`` under the matching ``operator`` (``StringEquals``, ``IpAddress``...) pin
    the key ``name`` (lower case) to fixed values: none empty or wildcard, no CIDR list reaching as
    far as the internet. ``literal``: ``*`` and ``?`` under ``StringEquals``/``StringEqualsIgnoreCase`` are
    the characters (IAM's evaluation); False reads them as wildcards (S3's meaning of public)."""
    if not values or not all(_fixed(name, v, operator, literal=literal) for v in values):
        return False
    return not (name == "aws:sourceip" and _reaches_internet(values))


def _reaches_internet(cidrs: list[Any]) -> bool:
    """Whether ``aws:SourceIp`` values, each narrow enough alone, together reach the internet
    (:func:`_cidrs.internet_reach`: a whole space, or more public addresses than a /8 of IPv4 or a /32
    of IPv6): 128 /8s are half the internet, as public as ``0.0.0.0/1``. IPv4-mapped IPv6 ranges
    (``::ffff:10.0.0.0/104``) count as the IPv4 range they map."""
    found: list[IPNetwork] = []
    for network in networks(cidrs):
        mapped = _mapped_v4(network) if isinstance(network, ipaddress.IPv6Network) else None
        found.append(network if mapped is None else mapped)
        if mapped is not None:
            found.append(network)
    return bool(internet_reach(found))


def anyone_allowed(statement: Mapping[str, Any]) -> str | None:
    """Who an ``Allow`` statement lets in when that is anyone (``None``: a Deny, or named principals).

    ``Principal`` ``"*"``, ``{"AWS": "*"}``, ``{"AWS": ["arn:...:root", "*"]}`` (a ``*`` under any
    key) or ``NotPrincipal`` (everyone but the listed principals); ``{"Service": "..."}`` is not anyone.
    """
    if _effect(statement).strip() != "allow":  # a padded Effect may be an Allow (_iam_documents.read_entry)
        return None
    if "NotPrincipal" in statement:
        return "NotPrincipal (everyone but the listed principals)"
    if _principal_is_anyone(statement.get("Principal")):
        return f"Principal {statement.get('Principal')!r}"
    return None


def public_allows(
    document: Any,
    keys: frozenset[str] = RESTRICTING_KEYS,
    credit: Callable[[Mapping[str, Any], list[Any]], Any] | None = None,
) -> list[str]:
    """One message per ``Allow`` statement that lets anyone in without a condition on ``keys``,
    unless ``credit(statement, statements)`` is True (a Deny of the document restricts it:
    ``_deny_credit.credited``).

    S3's meaning of public: a fixed value holds no wildcard character, whatever the operator ("To be
    considered non-public, an S3 bucket policy must grant access only to fixed values. This means
    values that don't contain a wildcard", AWS Config ``s3-bucket-public-read-prohibited``, FSBP
    S3.2): ``StringEquals "arn:aws:s3:::my-bucket*"``, which IAM compares literally, is public to S3,
    and Block Public Access refuses the policy."""
    found = []
    listed = policy_statements(document)
    for index, statement in enumerate(listed):
        who = anyone_allowed(statement)
        if who is None or restricting_condition(statement.get("Condition"), keys, literal=False):
            continue
        if credit is not None and credit(statement, list(listed)) is True:
            continue
        found.append(f"Statement[{index}] allows {who} without a restricting condition")
    return found
