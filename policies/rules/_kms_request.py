"""The request a service principal makes to KMS when it publishes to an SNS topic encrypted with a
customer-managed key: which condition keys it carries, with which values (the request model that
``alarm-topic-key-usable`` reads key policies against; :mod:`._topic_keys` says which keys and why).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._common import Undeterminable, arn_fields
from ._iam_documents import Unknown


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


def on_the_key_of(call: Request, key_arn: Any, key_account: Any) -> Request:
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


#: The keys a service principal's request to KMS surely lacks (:mod:`._topic_keys`): the
#: principal's identity, tags and session (a service principal has none), request tags (SNS tags
#: nothing) and KMS's caller keys. A variable of another key the request model does not carry
#: (``${aws:RequestedRegion}``, ``${aws:CurrentTime}``, ``${aws:ResourceTag/...}``) may well be
#: filled in by IAM: not null, undecided.
SURELY_ABSENT = re.compile(
    r"aws:(principal(account|arn|orgid|orgpaths)|principaltag/.+|userid|username|federatedprovider"
    r"|sourceidentity|tokenissuetime|multifactorauth(present|age)|requesttag/.+|tagkeys)"
    r"|kms:(calleraccount|viaservice|encryptioncontext:.+)"
)


def presence_unknown(variable: str, call: Request) -> Unknown:
    return Unknown(
        Undeterminable(
            f"the key policy compares a value holding the policy variable {variable}, and whether the request "
            f"{call.service} makes for SNS carries that key is not known here (when it does not, the value is "
            "null and its default, if any, stands in). Compare with a fixed value, or with a variable of "
            "aws:SourceAccount, aws:SourceArn or aws:ResourceAccount."
        )
    )
