"""Questions asked of one IAM policy statement, each answered ``True``, ``False`` or an
:class:`Unknown`: its effect, the actions and resources it reaches (by the widest or the surest
reading of a padded entry) and whether its principal is anyone (re-exported by ``_iam_documents``).

Imports nothing from ``components/``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from ._common import iam_wildcard, matches_every
from ._three_valued import Tri, Unknown, all3, any3, as_list, not3

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
    if type(pattern) is str:
        return _wildcard_text_match(pattern, value)
    if isinstance(pattern, Unknown):
        return pattern
    return isinstance(pattern, str) and _wildcard_text_match(pattern, value)


@functools.lru_cache(maxsize=65536)
def _wildcard_text_match(pattern: str, value: str) -> bool:
    """Whether the IAM action pattern ``pattern`` matches ``value`` (case-insensitively): a pure
    function of the two strings, asked of every action of every statement for each action a rule
    looks for (a large stack's statements list a few dozen distinct actions; the escalation rule
    alone asks about 150,000 times)."""
    return bool(iam_wildcard(pattern, ignore_case=True).fullmatch(value))


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
