"""IAM policy documents read with three-valued logic: true, false or not known at preview.

At preview the engine wraps props in ``unknown_checking_proxy``: reading a value that is not
known yet raises ``UnknownValueError``. A document given as an *object* (aws-native, or a
mock) may hold one unknown field among known ones, so it is copied here with :class:`Unknown`
markers in place of the unknown values, and every question asked of a statement answers
``True``, ``False`` or an :class:`Unknown` (undecided). A rule reports what the known values
already prove (``Action: "*"`` with an unknown ``Resource`` is still admin access) and raises
the kept ``UnknownValueError`` at the end when something stayed undecided, so the evaluator
records it as undecided rather than as a pass. A JSON *string* is unknown as a whole or not
at all.

Used by the IAM and KMS rules; imports nothing from ``components/``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
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

from ._common import (
    arn_pattern_pins_account,
    has_wildcard,
    iam_wildcard,
    is_map,
    is_seq,
    matches_every,
    unique_keys,
    variables_as_wildcards,
)

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
INVALID = object()  # a document that is neither a JSON object nor a JSON string of one


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


def parse_document(raw: Any) -> Any:
    """A policy document: a dict, :class:`Unknown`, ``None`` (absent) or :data:`INVALID`."""
    if raw is None or isinstance(raw, Unknown):
        return raw
    if isinstance(raw, str):
        return _parsed_json_document(raw)
    return raw if isinstance(raw, dict) else INVALID


@functools.lru_cache(maxsize=4096)
def _parsed_json_document(raw: str) -> Any:
    """A JSON document read once for every rule that asks (five IAM rules read each policy of a
    stack): the rules only read what they are given, so the same dict is handed to each."""
    try:
        document = plain(json.loads(raw, object_pairs_hook=unique_keys))  # a repeated key: INVALID
    except ValueError:
        return INVALID
    return document if isinstance(document, dict) else INVALID


#: Where each resource type keeps its identity-policy documents: a property holding one
#: document, or ``(list property, document property)`` for a list of inline policies.
IDENTITY_DOCUMENTS: Mapping[str, tuple[str, ...] | tuple[str, str, str]] = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:iam/role:Role": ("inlinePolicies", "policy", "list"),
    "aws-native:iam:ManagedPolicy": ("policyDocument",),
    "aws-native:iam:RolePolicy": ("policyDocument",),
    "aws-native:iam:UserPolicy": ("policyDocument",),
    "aws-native:iam:GroupPolicy": ("policyDocument",),
    "aws-native:iam:Role": ("policies", "policyDocument", "list"),
    "aws-native:iam:User": ("policies", "policyDocument", "list"),
    "aws-native:iam:Group": ("policies", "policyDocument", "list"),
    # IAM Identity Center permission sets become roles in every assigned account
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": ("inlinePolicy",),
    "aws-native:sso:PermissionSet": ("inlinePolicy",),
}


#: The types whose identity-policy documents only a role holds (an IAM Identity Center permission
#: set becomes a role in each account): their holder's ``${aws:userid}`` is ``<role id>:<session>``.
ROLE_HELD = frozenset(
    {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/role:Role",
        "aws-native:iam:RolePolicy",
        "aws-native:iam:Role",
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
        "aws-native:sso:PermissionSet",
    }
)


def identity_documents(resource_type: str, props: Any) -> Iterator[tuple[str, Any]]:
    """``(path, document)`` for every identity-policy document ``props`` carries."""
    where = IDENTITY_DOCUMENTS.get(resource_type)
    if where is None:
        return
    if len(where) == 1:
        raw = read(props, where[0])
        if raw is not None:
            yield where[0], parse_document(raw)
        return
    list_prop, document_prop = where[0], where[1]
    inline = read(props, list_prop)
    if isinstance(inline, Unknown):
        yield list_prop, inline
        return
    for index, item in enumerate(as_list(inline)):
        path = f"{list_prop}[{index}].{document_prop}"
        if isinstance(item, Unknown):
            yield path, item
        elif isinstance(item, dict) and item.get(document_prop) is not None:
            yield path, parse_document(item[document_prop])


def statements(document: Any) -> list[tuple[str, Any]]:
    """``("Statement[i]", statement)`` where a statement is a dict or :class:`Unknown`."""
    if isinstance(document, Unknown):
        return [("Statement", document)]
    if not isinstance(document, dict):
        return []
    found = document.get("Statement")
    if isinstance(found, Unknown):
        return [("Statement", found)]
    return [
        (f"Statement[{index}]", statement)
        for index, statement in enumerate(as_list(found))
        if isinstance(statement, dict | Unknown)
    ]


# --- statement questions ---------------------------------------------------------------


def _field(statement: Any, key: str) -> Any:
    if isinstance(statement, Unknown):
        return statement
    return statement.get(key)


def is_allow(statement: Any) -> Tri:
    """Whether the statement is an Allow, by its widest reading (``" Allow"`` may be one:
    :func:`read_entry`), as the rules refusing an Allow ask."""
    effect = _field(statement, "Effect")
    if isinstance(effect, Unknown):
        return effect
    return isinstance(effect, str) and effect.strip().lower() == "allow"


def wildcard_match(pattern: Any, value: str) -> Tri:
    if isinstance(pattern, Unknown):
        return pattern
    return isinstance(pattern, str) and bool(iam_wildcard(pattern, ignore_case=True).fullmatch(value))


def granted(value: Any) -> Any:
    """An ``Action`` or ``Resource`` entry judged by its widest reading: trimmed (see :func:`read_entry`)."""
    return read_entry(value, excluded=False, widest=True)


def read_entry(value: Any, *, excluded: bool, widest: bool) -> Any:
    """An ``Action``/``Resource``/``Principal`` entry (``excluded``: a ``NotAction``/``NotResource``/
    ``NotPrincipal`` one) as the reading a rule must assume: ``widest`` for what a statement may
    reach (an Allow a rule refuses), else what it surely reaches (a grant or Deny a rule counts on).

    What IAM does with white space around an entry is not documented: its validator refuses a
    vendor holding a space (``"Vendor  s3 is not valid"``, as moto reproduces it), KMS and S3 run
    their own validators, and an entry accepted untrimmed matches literally, which no action
    name, principal or key ARN does. So a padded entry is read both ways, trimmed (what it names)
    and literal (nothing), and the rule takes the reading against itself: the statement reaches
    the most with its listed entries trimmed and its excluded ones literal, the least the other
    way round. A refused document takes no effect and ``pulumi up`` fails on it, which no rule
    needs to foresee."""
    if not isinstance(value, str):
        return value
    return value.strip() if widest != excluded else value


def action_patterns(statement: Any) -> Any:
    """The ``Action`` list (its widest reading), or :class:`Unknown`; ``None`` when the statement
    uses ``NotAction``."""
    if isinstance(statement, Unknown):
        return statement
    if "NotAction" in statement:
        return None
    actions = statement.get("Action")
    return actions if isinstance(actions, Unknown) else [granted(action) for action in as_list(actions)]


def covers(statement: Any, action: str, *, widest: bool = True) -> Tri:
    """Whether the statement's Action/NotAction reaches ``action`` (``service:Name``): may reach it
    (``widest``, for an Allow a rule refuses), or surely does (for a grant or a Deny a rule counts
    on); :func:`read_entry`."""
    if isinstance(statement, Unknown):
        return statement
    if "NotAction" in statement:
        excluded = statement["NotAction"]
        if isinstance(excluded, Unknown):
            return excluded
        return not3(
            any3(
                wildcard_match(read_entry(p, excluded=True, widest=widest), action) for p in as_list(excluded)
            )
        )
    actions = statement.get("Action")
    if isinstance(actions, Unknown):
        return actions
    return any3(
        wildcard_match(read_entry(p, excluded=False, widest=widest), action) for p in as_list(actions)
    )


def covers_any(statement: Any, actions: Iterable[str], *, widest: bool = True) -> Tri:
    return any3(covers(statement, action, widest=widest) for action in actions)


def is_every_action(pattern: Any) -> Tri:
    """``*``, ``*:*`` and every other spelling made only of wildcards (``?*:?*``, ``**``): a
    service part and a name part that each take any text (a ``*``, nothing but wildcards)."""
    if isinstance(pattern, Unknown):
        return pattern
    return isinstance(pattern, str) and _every_action_text(pattern)


@functools.lru_cache(maxsize=4096)
def _every_action_text(pattern: str) -> bool:
    """:func:`is_every_action` of a string, a pure function of it (each IAM rule asks it of every
    action of every statement: a large stack's policies list a few dozen distinct actions)."""
    service, _, name = pattern.partition(":")
    return all("*" in part and only_wildcards(part, ":") for part in (service, name or service))


def grants_everything(statement: Any) -> Tri:
    """Allow of every action (``*``/``*:*``) or Allow + ``NotAction`` (all but a few)."""
    if isinstance(statement, Unknown):
        return statement
    if "NotAction" in statement:
        return is_allow(statement)
    actions = action_patterns(statement)
    if isinstance(actions, Unknown):
        return all3([is_allow(statement), actions])
    return all3([is_allow(statement), any3(is_every_action(a) for a in actions)])


#: An ARN's parts, for ``fullmatch``: the resource is the whole rest, line breaks included.
_ARN = re.compile(
    r"arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)",
    re.DOTALL,
)
_WILD = frozenset("*?")


def only_wildcards(text: str, also: str = "") -> bool:
    return bool(text) and set(text) <= _WILD | set(also)


def _reaches_any_account(pattern: str) -> bool:
    """Whether a wildcard that spans the ARN's fields (``arn:aws:kms:*``, ``arn:*:kms:*``,
    ``arn:aws:kms:eu-west-1:*``, ``a*``) reaches resources of any type and name in two accounts,
    in the partition, service and region the pattern fixes (``aws``, ``kms``, any region where it
    does not)."""
    if not _WILD & set(pattern):
        return False
    fields = pattern.split(":")
    fixed = fields[1:4] if iam_wildcard(fields[0]).fullmatch("arn") else []
    partition, service, region = (
        field if index < len(fixed) and (field := fixed[index]) and not _WILD & set(field) else default
        for index, default in enumerate(("aws", "kms", ""))
    )
    return matches_every(
        pattern,
        (
            f"arn:{partition}:{service}:{region or 'eu-west-1'}:111111111111:zz-any-type/zz-any-name",
            f"arn:{partition}:{service}:{region or 'us-east-1'}:999999999999:zz-other-type:zz-other-name",
        ),
    )


def _spans_fields(pattern: str) -> bool:
    """A pattern with fewer than the ARN's five colons whose first ``*`` may stand for the missing
    fields (``arn:aws:iam::*``, ``arn:aws:iam::*role/*``, ``arn:aws:kms:eu-*``): broad when one
    such reading is. Each reading matches a subset of what the pattern matches, and only the first
    ``*`` is expanded (``arn:aws:s3::*bucket/*`` stays one bucket's objects)."""
    colons = pattern.count(":")
    if "*" not in pattern or colons >= 5:
        return False
    return any(
        broad_resource(pattern.replace("*", "*:" * count + "*", 1)) is True for count in range(1, 6 - colons)
    )


#: ARNs of different partitions, services, regions and accounts: an exclusion that matches all of
#: them excludes everything.
_EVERY_ARN_PROBES = (
    "arn:aws:s3:::zz-bucket/zz-key",
    "arn:aws:iam::111111111111:role/zz-role",
    "arn:aws-cn:kms:cn-north-1:222222222222:key/zz-key",
    "arn:aws:sqs:us-east-1:333333333333:zz-queue",
)


def excludes_everything(pattern: Any) -> Tri:
    """Whether a ``NotResource`` entry excludes every resource (``*``, ``arn:*``, ``a*``), read
    exactly. Excluding one service's resources (``arn:aws:kms:*``) leaves every other one granted."""
    if isinstance(pattern, Unknown):
        return pattern
    if not isinstance(pattern, str):
        return False
    return matches_every(pattern, _EVERY_ARN_PROBES)


def broad_resource(resource: Any) -> Tri:
    """``*``, an ARN that names every resource of its kind in every account, or every resource of
    every kind of a service (even in one account).

    ``arn:aws:s3:::*``, ``arn:aws:kms:*:*:key/*``, ``arn:aws:kms:*:*:key*``,
    ``arn:aws:iam::*:role/*``, a wildcard across the ARN's fields (``arn:aws:kms:*``) and a
    resource part that is only wildcards (``arn:aws:kms:eu-west-1:111122223333:*``: every key,
    alias and custom key store of the account) are as broad as ``*``;
    ``arn:aws:kms:eu-west-1:111122223333:key/*`` (one kind in one account) and
    ``arn:aws:s3:::bucket/*`` (one bucket) are not.
    """
    if isinstance(resource, Unknown):
        return resource
    return isinstance(resource, str) and _broad_text(resource)


@functools.lru_cache(maxsize=4096)
def _broad_text(resource: str) -> bool:
    """:func:`broad_resource` of a string: a pure function of it, asked again by four IAM rules for
    every statement naming it (a large stack's roles name the same few hundred ARNs)."""
    if only_wildcards(resource) or re.fullmatch(r"arn:[*?:]*", resource) or _reaches_any_account(resource):
        return True
    arn = _ARN.fullmatch(resource)
    if arn is None:
        return _spans_fields(resource)
    rest = arn["resource"]
    if only_wildcards(rest, "/:"):
        return True
    if arn["service"].lower() == "s3" or not only_wildcards(arn["account"]):
        return False  # S3 ARNs start with a bucket name; other ARNs name an account
    parts = re.split(r"[/:]", rest, maxsplit=1)  # resource type, then the names
    if len(parts) == 2 and only_wildcards(parts[1], "/:"):
        return True
    # A wildcard in the resource type (``key*``, ``secret*``) also matches every name of that type.
    kind = parts[0]
    if not _WILD & set(kind):
        return False
    probe = kind.replace("*", "x").replace("?", "x")
    return all(iam_wildcard(rest, ignore_case=True).fullmatch(f"{probe}{sep}zz-any-name") for sep in "/:")


def on_broad_resources(statement: Any) -> Tri:
    """Whether the statement reaches every resource: ``Resource`` broad, or ``NotResource``."""
    if isinstance(statement, Unknown):
        return statement
    if "NotResource" in statement:
        excluded = statement["NotResource"]
        if isinstance(excluded, Unknown):
            return excluded
        return not3(
            any3(excludes_everything(read_entry(r, excluded=True, widest=True)) for r in as_list(excluded))
        )
    resources = statement.get("Resource")
    if isinstance(resources, Unknown):
        return resources
    return any3(broad_resource(granted(r)) for r in as_list(resources))


def principal_is_anyone(statement: Any) -> Tri:
    """``"*"``, ``{"AWS": "*"}``, ``{"AWS": ["*", ...]}`` (a wildcard under any key) or ``NotPrincipal``."""
    if isinstance(statement, Unknown):
        return statement
    if "NotPrincipal" in statement:
        return True  # Allow + NotPrincipal: everyone but the listed principals
    principal = statement.get("Principal")
    if isinstance(principal, Unknown):
        return principal
    if isinstance(principal, str):  # " *" may be anyone: read trimmed, as a rule refusing an Allow does
        return read_entry(principal, excluded=False, widest=True) == "*"
    if not isinstance(principal, dict):
        return False
    values = [
        v
        for value in principal.values()
        for v in (as_list(value) if not isinstance(value, Unknown) else [value])
    ]
    # IAM rejects other wildcards in principals; counting them as "anyone" is the safe reading
    return any3(v if isinstance(v, Unknown) else isinstance(v, str) and "*" in v for v in values)


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
    fixed unique id and ``:``, as in ``AROAEXAMPLEID:*``, every session of one role) or ``"text"``
    (anything but ``*``).

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


# --- collecting findings ---------------------------------------------------------------


class Findings:
    """Violation messages, and the first undecided question (raised once they are reported)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.pending: Unknown | None = None

    def add(self, verdict: Tri, message: str | Callable[[], str]) -> None:
        if verdict is True:
            self.messages.append(message() if callable(message) else message)
        else:
            self.undecided(verdict)

    def undecided(self, verdict: Any) -> None:
        if isinstance(verdict, Unknown) and self.pending is None:
            self.pending = verdict

    def report(self) -> Iterator[str]:
        """Yield the violations, then raise ``UnknownValueError`` if something stayed undecided."""
        yield from self.messages
        if self.pending is not None:
            raise self.pending.error
