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
carry it), and ``aws:RequestedRegion``, the key's Region; ``aws:SourceOrgID``/``aws:SourceOrgPaths``
and ``aws:ResourceOrgID``/``aws:ResourceOrgPaths`` depend on an organization the stack does not name
(undecided). Policy variables in condition values are filled in from those keys before comparing.
Keys such a request surely lacks are read as absent (a service principal has no principal account,
organization or tags, calls from no VPC endpoint of yours, and ``kms:CallerAccount``/``kms:ViaService``
conditions shut it out: re:Post "how-does-the-kms-calleraccount-condition-work"); any other key
(``aws:SecureTransport``, ``aws:CurrentTime``, ``aws:SourceIp``...) is undecided
(:mod:`._kms_request` lists the three classes, from the IAM User Guide).

The walk over a key policy's statements is here; the request model is in :mod:`._kms_request`, the
evaluation of a statement's ``Condition`` (operators, policy variables) in :mod:`._key_conditions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import arn_fields, iam_wildcard
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
from ._key_conditions import NO_VALUE, condition_holds, filled, quote_readings
from ._kms_request import Request, on_the_key_of, request, unknown

__all__ = [
    "INVALID",
    "Request",
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
    call = on_the_key_of(call, key_arn, key_account)
    found = statements(document)
    # What a statement says of the request but for the action (its effect, principal, resource and
    # condition) is the same for both actions: read once per statement and effect, not per action
    # (a large stack asks for each of its 2,000 alarms; the verdicts are the same).
    reached: dict[tuple[int, str], _Reach] = {}

    def applies(index: int, effect: str, action: str) -> Tri:
        if (index, effect) not in reached:
            reached[index, effect] = _reach(found[index][1], effect, call, key_arn)
        return _applies(found[index][1], reached[index, effect], action)

    return all3(
        all3(
            [
                any3(applies(index, "allow", action) for index in range(len(found))),
                not3(any3(applies(index, "deny", action) for index in range(len(found)))),
            ]
        )
        for action in ACTIONS
    )


#: What :func:`_reach` found: the statement's verdict for every action, or (whether it names the
#: service, whether it is on the key, whether its condition holds, whether it is read widest), to be
#: joined with whether it covers the action.
_Reach = Tri | tuple[Tri, Tri, Tri, bool]


def _reach(statement: Any, effect: str, call: Request, key_arn: Any) -> _Reach:
    """What the statement says of ``call``'s request but for the action (:func:`_applies`). An entry
    padded with white space is read against the grant (:func:`read_entry`): an Allow by what it
    surely reaches, a Deny by what it may reach, so that KMS's reading, whichever it is, lets in no
    less than this one."""
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
    return (
        names,
        _on_the_key(statement, key_arn, widest, call),
        condition_holds(statement.get("Condition"), call, effect),
        widest,
    )


def _applies(statement: Any, reach: _Reach, action: str) -> Tri:
    """Whether the statement applies to the request for ``action``, given its :func:`_reach`."""
    if not isinstance(reach, tuple):
        return reach
    names, on_the_key, holds, widest = reach
    return all3([names, covers(statement, action, widest=widest), on_the_key, holds])


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

    def entry(pattern: Any, excluded: bool, quotes: bool) -> Any:
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
        head_read = filled(head, call, False, quotes) if wide else head
        tail_read = filled(tail, call, not wide, quotes) if tail is not None else ""
        parts = (head_read, tail_read)
        if any(part is NO_VALUE for part in parts):
            return NO_VALUE  # matches no resource, whatever else is unknown
        if unknown_part := next((part for part in parts if isinstance(part, Unknown)), None):
            return unknown_part
        return f"{head_read}:{tail_read}" if tail is not None else head_read

    # ``''`` in a variable's default is read both ways (:func:`filled`), against the grant.
    either = any3 if widest else all3
    if "NotResource" in statement:
        excluded = statement["NotResource"]
        if isinstance(excluded, Unknown):
            return excluded
        return either(
            not3(any3(_matches(entry(p, True, quotes), key_arn) for p in as_list(excluded)))
            for quotes in quote_readings(excluded)
        )
    resources = statement.get("Resource")
    if isinstance(resources, Unknown):
        return resources
    return either(
        any3(_matches(entry(p, False, quotes), key_arn) for p in as_list(resources))
        for quotes in quote_readings(resources)
    )


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


def parse_policy(raw: Any) -> Any:
    """A key policy input (JSON string or object; :class:`Unknown` at preview) as a document."""
    return parse_document(raw)
