"""IAM's patterns read as IAM reads them: wildcards and their escapes, policy variables (whose
value each one reads) and ARN patterns (whether one pins an account).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable


@functools.cache
def iam_wildcard(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """An IAM wildcard pattern as a regex to ``fullmatch`` a whole value.

    ``*`` is any text (a line break too), ``?`` any one character, everything else literal, the
    escapes ``${*}``, ``${?}`` and ``${$}`` too (the characters themselves, as IAM reads them). Action
    names and condition keys compare case-insensitively (``ignore_case``); ARNs and names do not.
    Cached: a pure function of the pattern, asked again for every statement of a large stack.
    """
    regex = "".join(
        re.escape(part[2]) if _ESCAPE.fullmatch(part) else _wildcard_regex(part)
        for part in _ESCAPE.split(pattern)
    )
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _wildcard_regex(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


#: IAM's escapes for the characters ``*``, ``?`` and ``$`` themselves (IAM User Guide, "IAM policy
#: elements: Variables and tags", special characters): ``${*}`` is a literal ``*``, never a wildcard.
_ESCAPE = re.compile(r"(\$\{[*?$]\})")


def has_wildcard(text: str) -> bool:
    """Whether ``text`` holds a ``*`` or ``?`` that is a wildcard, not one of the escapes ``${*}``
    and ``${?}`` (the characters themselves: ``arn:aws:sns:*:${*}:*`` names the account ``*``, which
    no ARN has)."""
    return bool(set(_ESCAPE.sub("", text)) & {"*", "?"})


def has_escape(text: str) -> bool:
    """Whether ``text`` holds one of IAM's escapes ``${*}``, ``${?}``, ``${$}``."""
    return _ESCAPE.search(text) is not None


def matches_every(pattern: str, probes: Iterable[str], *, ignore_case: bool = False) -> bool:
    """Whether the IAM wildcard ``pattern`` matches each of ``probes`` whole: how a rule decides
    that a pattern reaches a whole class (every role, every IAM action, every account's resources)
    without listing the spellings that do."""
    if not ignore_case:
        # The text before the first wildcard or escape is literal: a probe that does not start with
        # it cannot match, and most ARNs a large stack names (one bucket's, one role's) fail there,
        # each of them a pattern compiled for nothing.
        literal = _LITERAL_PREFIX.match(pattern)
        head = literal.group() if literal else ""
        probes = tuple(probes)
        if not all(probe.startswith(head) for probe in probes):
            return False
    matcher = iam_wildcard(pattern, ignore_case=ignore_case)
    return all(matcher.fullmatch(probe) for probe in probes)


#: A pattern's literal beginning: what comes before its first ``*``, ``?`` or ``$`` (an escape).
_LITERAL_PREFIX = re.compile(r"[^*?$]*")


#: A policy variable in a condition value: ``${aws:PrincipalAccount}``, ``${aws:ResourceOrgID}``,
#: with or without a default (``${aws:username, 'none'}``). ``${*}``, ``${?}`` and ``${$}`` are
#: escapes for the literal character, not variables.
_POLICY_VARIABLE = re.compile(r"\$\{\s*([^}*?$,\s][^},]*?)\s*(?:,[^}]*)?\}")


#: Policy variables whose value is the caller's own identity, fixed for the holder of an identity
#: policy: the principal's keys (``${aws:PrincipalTag/team}``, ``${aws:PrincipalAccount}``...),
#: ``${aws:username}``, ``${aws:FederatedProvider}`` and a federated caller's claims (``${saml:sub}``,
#: ``${cognito-identity.amazonaws.com:sub}``: a provider's key names its domain). Not
#: ``${aws:userid}`` in general: its part after ``:`` is the name whoever asks STS for the session
#: chooses (a role session's ``<role id>:<session name>``, a federated user's ``<account>:<name>``,
#: which any IAM user of the account able to federate can take, and a user's policies apply to its
#: federated sessions), so it pins no more than a request's value. On a policy only a role can hold
#: (its inline policies, a RolePolicy, a permission set's) it does (``holder="role"``): every session
#: of the role has the userid ``<this role's unique id>:<any name>``, so a tag compared with it
#: reaches only resources tagged for this role, as a principal tag of the role would. Which session
#: reaches which of them is the assumers' choice (the session name is theirs), so it scopes to the
#: role, never to one person. A managed policy is read as any holder's: a resource rule sees none of
#: its attachments, and a user or group may hold it.
_HOLDERS_OWN = re.compile(r"aws:principal.*|aws:username|aws:federatedprovider|saml:.*|[^:]*\.[^:]*:.*")


def variable_side(name: str, *, holder: str = "any") -> str:
    """Whose value a policy variable ``name`` (``aws:RequestTag/team``) reads: ``"resource"`` (the
    resource's own, ``aws:Resource...``), ``"holder"`` (the caller's identity, :data:`_HOLDERS_OWN`;
    ``${aws:userid}`` too when only a role can hold the policy: ``holder="role"``) or ``"request"``
    (what the request carries, chosen by the caller: ``aws:RequestTag/...``, ``aws:SourceIp``,
    ``aws:UserAgent``, ``aws:RequestedRegion``, a service's request keys such as ``${s3:prefix}``)."""
    lowered = name.lower()
    if lowered.startswith("aws:resource"):
        return "resource"
    if holder == "role" and lowered == "aws:userid":
        return "holder"
    return "holder" if _HOLDERS_OWN.fullmatch(lowered) else "request"


def variables_as_wildcards(value: str, *, pins: str = "caller", holder: str = "any") -> str:
    """``value`` with each policy variable that pins nothing written as ``*``, so that the reader of
    wildcards judges what is left (an ARN's account, an organization path's organization).

    ``pins="caller"`` (a condition pinning who calls, on a statement open to anyone): a variable the
    caller supplies (its own identity or its request's) pins nothing; ``"aws:PrincipalOrgID":
    "${aws:PrincipalOrgID}"`` holds for a caller of every organization, ``"aws:SourceArn":
    "arn:aws:sns:*:${aws:PrincipalAccount}:*"`` for a caller's own topic. The resource's own keys
    (``${aws:ResourceAccount}``, ``${aws:ResourceOrgID}``, the data perimeter pattern) are its
    owner's and still pin; a variable elsewhere than the pinned part
    (``arn:aws:sns:${aws:RequestedRegion}:111122223333:alerts``) leaves the account pinned.

    ``pins="resource"`` (an identity policy's condition scoping which resources its holder reaches):
    the holder's own identity pins (``"aws:ResourceTag/team": "${aws:PrincipalTag/team}"``,
    attribute-based access control, and ``"aws:ResourceAccount": "${aws:PrincipalAccount}"``); the
    resource's own (``"aws:ResourceAccount": "${aws:ResourceAccount}"``) compares it with itself, and
    the request's (``"aws:ResourceTag/team": "${aws:RequestTag/team}"``) is whatever the caller sends:
    neither pins. ``holder="role"``: the policy is one only a role can hold (see :data:`_HOLDERS_OWN`).
    """

    def pins_nothing(name: str) -> bool:
        side = variable_side(name, holder=holder)
        return side != "resource" if pins == "caller" else side != "holder"

    return _POLICY_VARIABLE.sub(lambda m: "*" if pins_nothing(m.group(1)) else m.group(0), value)


#: Any policy variable or escape, as one token of an ARN (``${aws:ResourceAccount}`` holds a colon);
#: the group keeps each token in :func:`arn_fields`'s split.
_VARIABLE_TOKEN = re.compile(r"(\$\{[^}]*\})")


def arn_fields(value: str) -> list[str] | None:
    """The six fields of an ARN (partition, service, region, account, resource in the last), each
    policy variable read as a whole token: ``arn:aws:sns:*:${aws:ResourceAccount}:*`` has the account
    ``${aws:ResourceAccount}``, not ``${aws``; ``arn:aws:${aws:ResourceTag/s}:111122223333:*:*`` has
    the region ``111122223333`` and the account ``*``. None when ``value`` is no ARN.

    Only the colons of the text between tokens split (the first five): no stand-in marks a token
    while the ARN is split, so no character the value holds (a NUL, which a stand-in once used,
    ``"\\u0000"`` in a JSON document) is read as a variable, nor fails the reading."""
    fields = [""]
    for index, piece in enumerate(_VARIABLE_TOKEN.split(value)):
        if index % 2:  # a variable or escape: whole, in the field it sits in
            fields[-1] += piece
            continue
        head, *rest = piece.split(":", 6 - len(fields))
        fields[-1] += head
        fields.extend(rest)
    if len(fields) != 6 or not iam_wildcard(fields[0]).fullmatch("arn"):
        return None
    return fields


#: What a refusal adds so that an ``aws:SourceArn`` pattern of an S3 bucket (no account) reads as the
#: gap it is: :func:`arn_pattern_pins_account`.
ARN_PATTERN_HINT = (
    "an ARN pattern pins only with a fixed account (S3 bucket ARNs have none: pin arn:aws:s3:::name* "
    "with aws:SourceAccount too)"
)


#: An ARN pattern's account field that pins it to one owner: a 12-digit account, ``aws`` (AWS's own
#: resources: no customer creates one there), a policy variable left in place (the resource owner's
#: ``${aws:ResourceAccount}``: a caller's own were already read as ``*``), or an escape (``${*}``,
#: an account no ARN has).
_PINNED_ACCOUNT = re.compile(r"[0-9]{12}|aws|\$\{[^}*?$]+\}")

#: The resource of an S3 object ARN pattern under one fixed bucket: a bucket name (its characters
#: only, no wildcard, variable or ``/``) and a ``/``. Bucket names are unique in a partition and hold no
#: ``/``, so ``arn:aws:s3:::ml-data/*`` is one bucket's objects, one owner's.
_FIXED_BUCKET_OBJECTS = re.compile(r"[a-z0-9][a-z0-9.-]*/.*", re.DOTALL)


def arn_pattern_pins_account(value: str, *, as_text: bool) -> bool:
    """Whether an ARN *pattern* (one holding a wildcard) in a condition that should pin the caller
    matches the ARNs of one account only: its account field is fixed (:data:`_PINNED_ACCOUNT`).

    An exact ARN (no wildcard) pins by itself and is not asked here: a bucket name is unique in its
    partition, every other ARN names its account. A pattern without an account does not: S3 bucket
    ARNs carry none (``arn:aws:s3:::name``; IAM Access Analyzer, "ARN account not allowed": the bucket
    namespace "is shared by all AWS accounts"), so ``arn:aws:s3:::my-bucket*`` is met by a bucket of
    that prefix another account creates, and ``arn:aws:s3:::*`` by every bucket; ``arn:aws:s3:::ml-data/*``
    (one fixed bucket's objects, in one partition) pins: no bucket name holds a ``/``. A companion
    ``aws:SourceAccount`` condition pins such a statement instead. ``as_text`` (``StringLike``): the
    ARN is read as text, where a wildcard before the account may take colons too
    (``arn:aws:iam:*:111122223333:*`` matches another account's role under a path holding
    ``:111122223333:``); ``ArnLike``/``ArnEquals`` match each of the six fields on its own. Policy
    variables that pin nothing must already read as ``*`` (:func:`variables_as_wildcards`).
    """
    fields = arn_fields(value)  # a variable is one token: ``${aws:ResourceAccount}`` holds a colon
    if fields is None or (as_text and has_wildcard(":".join(fields[:4]))):
        return False
    account = fields[4]
    if has_wildcard(account):
        return False
    if account == "" and fields[2] == "s3" and not has_wildcard(fields[1]):
        return bool(_FIXED_BUCKET_OBJECTS.fullmatch(fields[5]))  # one bucket's objects pin
    return bool(_PINNED_ACCOUNT.fullmatch(account)) or has_escape(account)
