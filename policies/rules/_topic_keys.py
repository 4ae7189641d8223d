"""Whether the services that publish to an encrypted SNS topic may use its KMS key.

SNS encrypts a message with the topic's key on behalf of the publisher, so the publisher needs
``kms:GenerateDataKey*`` and ``kms:Decrypt`` on it. A CloudWatch alarm publishes as the service
principal ``cloudwatch.amazonaws.com``, an EventBridge rule as ``events.amazonaws.com``: only the
key's policy can let them (no IAM policy applies to a service principal), and without it the
alarm goes into ALARM and KMS refuses its notification, so nobody is told (AWS re:Post
"cloudwatch-configure-alarm-sns": the AWS-managed ``alias/aws/sns`` never lets them, which
``sns-topic-kms-encrypted`` refuses already).

The request such a service makes carries ``aws:SourceAccount`` (the publisher's account, read
from the topic's ARN), ``aws:SourceArn`` (the alarm's or rule's ARN) and the encryption context
``aws:sns:topicArn`` (the topic's ARN), the keys the platform's own grant to CloudWatch conditions
on (``cloudwatch_alarms_grant``), and ``aws:PrincipalIsAWSService`` ``true`` with
``aws:PrincipalServiceName`` (every signed request carries the first; the data perimeter's Deny
exempts service principals by it), and ``aws:ResourceAccount``, the key's account (KMS's requests
carry it); ``aws:SourceOrgID``/``aws:SourceOrgPaths`` and ``aws:ResourceOrgID``/``aws:ResourceOrgPaths``
depend on an organization the stack does not name (undecided). Policy variables in condition values
are filled in from those keys before comparing; any other key is read as absent (a service principal has no principal
account, organization or tags, and ``kms:CallerAccount``/``kms:ViaService`` conditions shut it
out: re:Post "how-does-the-kms-calleraccount-condition-work").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._common import Undeterminable, arn_fields, iam_wildcard
from ._iam_documents import (
    INVALID,
    Tri,
    Unknown,
    all3,
    any3,
    as_list,
    covers,
    not3,
    parse_document,
    read,
    read_entry,
    statements,
)

__all__ = [
    "INVALID",
    "Unknown",
    "arn_fields",
    "as_list",
    "key_lets",
    "parse_policy",
    "read",
    "request",
    "unknown",
]

#: The two actions SNS asks KMS for on the publisher's behalf (``GenerateDataKey*`` in AWS's
#: policies covers the first).
ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


@dataclass(frozen=True)
class Request:
    """What a service principal's request to KMS carries (values :class:`Unknown` at preview)."""

    service: str
    context: Mapping[str, Any]  # lower-cased condition key -> value

    def value(self, key: str) -> Any:
        return self.context.get(key.lower())


def request(service: str, topic_arn: Any, source_arn: Any) -> Request:
    """The request ``service`` makes publishing to ``topic_arn`` from ``source_arn``."""
    account: Any = topic_arn
    if isinstance(topic_arn, str):
        fields = arn_fields(topic_arn)
        account = fields[4] if fields else None
    return Request(
        service,
        {
            "aws:sourceaccount": account,
            "aws:sourcearn": source_arn,
            "kms:encryptioncontext:aws:sns:topicarn": topic_arn,
            # Every signed request carries these; a service principal's says it is one (the data
            # perimeter's ``"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}`` exempts it).
            "aws:principalisawsservice": "true",
            "aws:principalservicename": service,
            # Present only when the publisher's account belongs to an organization: not known here.
            "aws:sourceorgid": _ORGANIZATION_UNKNOWN,
            "aws:sourceorgpaths": _ORGANIZATION_UNKNOWN,
        },
    )


#: ``aws:SourceOrgID``/``aws:SourceOrgPaths`` of a service principal's request: whether the account
#: belongs to an AWS Organization (and which) is nowhere in the stack, at preview or after create.
_ORGANIZATION_UNKNOWN = Unknown(
    Undeterminable(
        "the key policy conditions the publisher's service principal on aws:SourceOrgID or "
        "aws:SourceOrgPaths, which its request carries only when the publishing account belongs to an "
        "AWS Organization (and then that organization's): this stack does not say which. Make sure the "
        "condition holds for the account's organization, or condition on aws:SourceAccount instead."
    )
)


def unknown(what: str) -> Unknown:
    """A value of the request not known yet (at preview): the verdict waits for it."""
    return Unknown(UnknownValueError(UNKNOWN_STRING_VALUE, [what]))


def key_lets(document: Any, call: Request, key_arn: Any, key_account: Any = None) -> Tri:
    """Whether the key policy ``document`` lets ``call``'s service use the key for both of
    :data:`ACTIONS` (an Allow applies and no Deny does). ``None`` (no policy set) is KMS's default
    key policy, which lets only the account's IAM principals in.

    ``aws:ResourceAccount`` of the request (and ``${aws:ResourceAccount}`` in a condition) is the
    key's account: read from ``key_arn``, else ``key_account`` (the account of the ARN a topic names
    the key by), else not known yet (:class:`Unknown`, judged on the outputs)."""
    if document is None or document is INVALID:
        return False
    if isinstance(document, Unknown):
        return document
    call = _on_the_key_of(call, key_arn, key_account)
    found = statements(document)
    return all3(
        all3(
            [
                any3(_applies(statement, "allow", action, call, key_arn) for _, statement in found),
                not3(any3(_applies(statement, "deny", action, call, key_arn) for _, statement in found)),
            ]
        )
        for action in ACTIONS
    )


def _on_the_key_of(call: Request, key_arn: Any, key_account: Any) -> Request:
    """``call`` with the key's own keys: ``aws:ResourceAccount`` (KMS's requests carry it) and the
    key owner's organization (present only when its account belongs to one: not known here)."""
    account: Any = key_arn if isinstance(key_arn, Unknown) else None
    fields = arn_fields(key_arn) if isinstance(key_arn, str) else None
    if fields is not None and fields[4]:
        account = fields[4]
    elif isinstance(key_account, str) and key_account:
        account = key_account
    elif account is None:
        account = unknown("the KMS key's ARN (its account is aws:ResourceAccount)")
    return Request(
        call.service,
        {
            **call.context,
            "aws:resourceaccount": account,
            "aws:resourceorgid": _RESOURCE_ORGANIZATION_UNKNOWN,
            "aws:resourceorgpaths": _RESOURCE_ORGANIZATION_UNKNOWN,
        },
    )


_RESOURCE_ORGANIZATION_UNKNOWN = Unknown(
    Undeterminable(
        "the key policy conditions on aws:ResourceOrgID or aws:ResourceOrgPaths, which a request carries "
        "only when the key's account belongs to an AWS Organization (and then that organization's): this "
        "stack does not say which. Make sure the condition holds for the account's organization, or "
        "condition on aws:ResourceAccount instead."
    )
)


def _applies(statement: Any, effect: str, action: str, call: Request, key_arn: Any) -> Tri:
    """Whether the statement applies to ``call``'s request for ``action``. An entry padded with white
    space is read against the grant (:func:`read_entry`): an Allow by what it surely reaches, a Deny
    by what it may reach, so that KMS's reading, whichever it is, lets in no less than this one."""
    if isinstance(statement, Unknown):
        return statement
    stated = statement.get("Effect")
    if isinstance(stated, Unknown):
        return stated
    widest = effect == "deny"
    if not isinstance(stated, str) or read_entry(stated, excluded=False, widest=widest).lower() != effect:
        return False
    names = _names_the_service(statement, call.service, widest)
    if names is False:
        return False  # another principal's statement (most of a key policy's): nothing else matters
    return all3(
        [
            names,
            covers(statement, action, widest=widest),
            _on_the_key(statement, key_arn, widest, call),
            _condition_holds(statement.get("Condition"), call, effect),
        ]
    )


def _names_the_service(statement: Mapping[str, Any], service: str, widest: bool) -> Tri:
    if "NotPrincipal" in statement:
        excluded = statement["NotPrincipal"]
        if isinstance(excluded, Unknown):
            return excluded
        return not3(_lists(excluded, service, excluded=True, widest=widest))
    return _lists(statement.get("Principal"), service, excluded=False, widest=widest)


def _lists(principal: Any, service: str, *, excluded: bool, widest: bool) -> Tri:
    """Whether ``principal`` takes in ``service``: ``*``, ``{"AWS": "*"}`` or its ``Service`` entry."""
    if isinstance(principal, Unknown):
        return principal
    if isinstance(principal, str):
        return read_entry(principal, excluded=excluded, widest=widest) == "*"
    if not isinstance(principal, dict):
        return False
    verdicts: list[Tri] = []
    for key, entries in principal.items():
        kind = read_entry(str(key), excluded=excluded, widest=widest)  # a padded " AWS" too
        if kind not in ("AWS", "Service"):
            continue
        if isinstance(entries, Unknown):
            verdicts.append(entries)
            continue
        wanted = "*" if kind == "AWS" else service
        verdicts += [
            e
            if isinstance(e, Unknown)
            else isinstance(e, str)
            and read_entry(e, excluded=excluded, widest=widest).lower() in (wanted, "*")
            for e in as_list(entries)
        ]
    return any3(verdicts)


def _on_the_key(statement: Mapping[str, Any], key_arn: Any, widest: bool, call: Request) -> Tri:
    """A key policy's ``Resource`` is ``*`` (this key); an ARN counts when it matches the key's, the
    policy variables of its resource part filled in from the request (``...:key/${aws:SourceAccount}``);
    an entry with a variable of no value matches no resource (IAM User Guide, "Policy variables with
    no value")."""

    def entry(pattern: Any, excluded: bool) -> Any:
        pattern = read_entry(pattern, excluded=excluded, widest=widest)
        if not isinstance(pattern, str) or pattern != pattern.strip():
            return pattern
        # A variable goes only in an ARN's resource part, after its fifth colon (IAM User Guide,
        # "Where you can use policy variables": not the service or account). Whether one before it
        # (``arn:aws:kms:*:${aws:ResourceAccount}:key/*``) is refused, read literally or filled in
        # anyway is not said, nor whether a ``*`` a variable fills in is a wildcard: both are read
        # against the grant, as a padded entry is (filled in, a wildcard, where that makes the
        # statement reach more for a Deny, less for an Allow).
        wide = widest != excluded
        fields = arn_fields(pattern)
        head, tail = (":".join(fields[:5]), fields[5]) if fields else (pattern, None)
        head_read = _filled(head, call, False) if wide else head
        tail_read = _filled(tail, call, not wide) if tail is not None else ""
        parts = (head_read, tail_read)
        if any(part is NO_VALUE for part in parts):
            return NO_VALUE  # matches no resource, whatever else is unknown
        if unknown_part := next((part for part in parts if isinstance(part, Unknown)), None):
            return unknown_part
        return f"{head_read}:{tail_read}" if tail is not None else head_read

    if "NotResource" in statement:
        excluded = statement["NotResource"]
        if isinstance(excluded, Unknown):
            return excluded
        return not3(any3(_matches(entry(p, True), key_arn) for p in as_list(excluded)))
    resources = statement.get("Resource")
    if isinstance(resources, Unknown):
        return resources
    return any3(_matches(entry(p, False), key_arn) for p in as_list(resources))


def _matches(pattern: Any, key_arn: Any) -> Tri:
    if isinstance(pattern, Unknown):
        return pattern
    if not isinstance(pattern, str) or pattern != pattern.strip():
        return False  # a padded entry read literally: no key's ARN is
    if set(pattern) <= {"*"} and pattern:
        return True
    if isinstance(key_arn, Unknown):
        return key_arn
    if not isinstance(key_arn, str):
        return unknown("the key's ARN")  # known once the key exists: judged on the outputs
    return bool(iam_wildcard(pattern).fullmatch(key_arn))


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


def _condition_holds(condition: Any, call: Request, effect: str) -> Tri:
    """Whether every block of ``condition`` holds for ``call``'s request. An operator this reader
    does not evaluate on a key the request carries counts as failing an Allow and holding for a
    Deny: the grant cannot be shown.

    Two things IAM does not document are read both ways, against the grant (an Allow's condition
    holds only if it holds both ways, a Deny's if it holds either way), as a padded entry is
    (:func:`read_entry`): a condition key padded with white space (``" aws:SourceAccount"``: the
    key trimmed, or another key the request lacks), and a ``*`` or ``?`` that a policy variable fills
    in under ``StringLike``/``ArnLike`` (the character itself, or a wildcard)."""
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
                _holds(str(operator), call.value(name), values, effect, call, literal)
                for name in dict.fromkeys((str(key), str(key).strip()))
                for literal in (True, False)
            ]
            verdicts.append(all3(readings) if effect == "allow" else any3(readings))
    return all3(verdicts)


def _holds(operator: str, actual: Any, values: Any, effect: str, call: Request, literal: bool = True) -> Tri:
    """Whether one key's comparison holds; ``literal``: a wildcard character a variable fills in is
    the character itself (else a wildcard, under ``StringLike``/``ArnLike``)."""
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
        listed = [_filled(v, call, escaped) if isinstance(v, str) else v for v in listed]
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
#: ``${aws:PrincipalTag/team, 'none'}`` (a quote in a default is written twice). ``${*}``, ``${?}``
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


def _filled(value: str, call: Request, wildcards: bool) -> Any:
    """A value with each policy variable replaced by what the request carries, as IAM fills it in
    before comparing (IAM User Guide, "IAM policy elements: Variables and tags"): the key policy's
    ``${aws:ResourceAccount}`` is the key's account, ``${aws:SourceAccount}`` the publisher's; a key
    the request surely lacks (:data:`_SURELY_ABSENT`) takes the variable's default, and without one
    the value is :data:`NO_VALUE`. :class:`Unknown` when a value is not known yet, or no value
    settles it (``aws:SourceOrgID``; a key the request model does not say is absent).
    ``wildcards``: the filled-in text's ``*`` and ``?`` are escaped (the characters themselves, no
    wildcards); its ``$`` always is."""
    pending: list[Unknown] = []
    null = False

    def fill(match: re.Match[str]) -> str:
        nonlocal null
        actual = call.value(match.group(1))
        if actual is None and not _SURELY_ABSENT.fullmatch(match.group(1).lower()):
            pending.append(_presence_unknown(match.group(0), call))
            return ""
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


#: The keys a service principal's request to KMS surely lacks (the module docstring): the
#: principal's identity, tags and session (a service principal has none), request tags (SNS tags
#: nothing) and KMS's caller keys. A variable of another key the request model does not carry
#: (``${aws:RequestedRegion}``, ``${aws:CurrentTime}``, ``${aws:ResourceTag/...}``) may well be
#: filled in by IAM: not null, undecided.
_SURELY_ABSENT = re.compile(
    r"aws:(principal(account|arn|orgid|orgpaths)|principaltag/.+|userid|username|federatedprovider"
    r"|sourceidentity|tokenissuetime|multifactorauth(present|age)|requesttag/.+|tagkeys)"
    r"|kms:(calleraccount|viaservice|encryptioncontext:.+)"
)


def _presence_unknown(variable: str, call: Request) -> Unknown:
    return Unknown(
        Undeterminable(
            f"the key policy compares a value holding the policy variable {variable}, and whether the request "
            f"{call.service} makes for SNS carries that key is not known here (when it does not, the value is "
            "null and its default, if any, stands in). Compare with a fixed value, or with a variable of "
            "aws:SourceAccount, aws:SourceArn or aws:ResourceAccount."
        )
    )


def parse_policy(raw: Any) -> Any:
    """A key policy input (JSON string or object; :class:`Unknown` at preview) as a document."""
    return parse_document(raw)
