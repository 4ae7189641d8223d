"""The request a service principal makes to KMS when it publishes to an SNS topic encrypted with a
customer-managed key: which condition keys it carries, with which values (the request model that
``alarm-topic-key-usable`` reads key policies against; :mod:`._topic_keys` says why).

Each condition key falls in one of three classes (IAM User Guide, "AWS global condition context
keys", each key's *Availability*):

* carried, with a value the stack settles: ``aws:SourceAccount``, ``aws:SourceArn``,
  ``kms:EncryptionContext:aws:sns:topicArn``, ``aws:PrincipalIsAWSService`` (``true``),
  ``aws:PrincipalServiceName`` ("present when the call is made by an AWS service principal"),
  ``aws:ResourceAccount`` (the key's account) and ``aws:RequestedRegion`` ("always included": the
  Region of the KMS endpoint called, the key's, which is the topic's);
* surely absent (:data:`SURELY_ABSENT`): what only an IAM principal's request carries (its account,
  ARN, organization, tags, user id, session, MFA), ``aws:CalledVia*`` (only when a service uses an
  IAM principal's credentials), the VPC endpoint keys ``aws:SourceVpc``, ``aws:SourceVpce``,
  ``aws:VpcSourceIp``... ("only if the requester uses a VPC endpoint": a service principal does not
  call from a VPC of yours), ``aws:Referer`` (a browser's link), request tags, KMS's caller keys;
* anything else, carried or not, with a value the stack does not settle: undecided, in an Allow
  and a Deny alike. That is ``aws:SecureTransport``, ``aws:CurrentTime``, ``aws:EpochTime``,
  ``aws:UserAgent`` and ``aws:PrincipalType`` ("always included", valued by the request),
  ``aws:SourceIp`` (included except through a VPC endpoint: an AWS address), ``aws:ViaAWSService``,
  ``aws:PrincipalServiceNamesList``, ``aws:ResourceTag/...``, the organization keys, and every key
  this model does not name. Read as absent they made an Allow conditioned on them refused (a
  ``Bool aws:SecureTransport true`` grant is sound) and let a Deny on them pass unseen, or the
  reverse under ``...IfExists`` and the negated operators.
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
        """The value of condition key ``key``: None when the request surely lacks it (a key padded with
        white space too: no request carries one), :class:`Unknown` when the stack does not settle it."""
        name = key.lower()
        if name in self.context:
            return self.context[name]
        if key != key.strip() or SURELY_ABSENT.fullmatch(name):
            return None
        return Unknown(
            Undeterminable(
                f"the key policy conditions on {key}, which the request {self.service} makes to KMS for SNS "
                "may carry with a value this stack does not settle (aws:SecureTransport, aws:CurrentTime, "
                "aws:SourceIp and aws:UserAgent are in every request, valued by it), or may lack. Make sure the "
                "condition holds for that request, or condition on aws:SourceAccount, aws:SourceArn, "
                "kms:EncryptionContext:aws:sns:topicArn or aws:PrincipalServiceName instead."
            )
        )

    def settles(self, key: str) -> bool:
        """Whether the model says what the request carries for ``key`` (a value, or surely nothing)."""
        return key.lower() in self.context or bool(SURELY_ABSENT.fullmatch(key.lower()))


def request(service: str, topic_arn: Any, source_arn: Any) -> Request:
    """The request ``service`` makes publishing to ``topic_arn`` from ``source_arn``."""
    account: Any = topic_arn
    region: Any = topic_arn
    if isinstance(topic_arn, str):
        fields = arn_fields(topic_arn)
        account = fields[4] if fields else None
        region = (
            fields[3] if fields and fields[3] else unknown("the SNS topic's Region (aws:RequestedRegion)")
        )
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
            # In every request: the Region of the KMS endpoint SNS calls, the topic's (its key's).
            "aws:requestedregion": region,
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
    """``call`` with the key's own keys: ``aws:ResourceAccount`` (KMS's requests carry it), the key
    owner's organization (present only when its account belongs to one: not known here) and, once
    the key's ARN is known, ``aws:RequestedRegion`` from it."""
    account: Any = key_arn if isinstance(key_arn, Unknown) else None
    fields = arn_fields(key_arn) if isinstance(key_arn, str) else None
    region = {"aws:requestedregion": fields[3]} if fields is not None and fields[3] else {}
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
            **region,
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


#: The keys a service principal's request to KMS surely lacks (the module docstring): the
#: principal's identity, tags and session (a service principal has none), the keys of a call made
#: with an IAM principal's credentials or through a VPC endpoint, a browser's referer, request tags
#: (SNS tags nothing) and KMS's caller keys. Any other key the model does not carry
#: (``aws:CurrentTime``, ``aws:ResourceTag/...``), as a condition key or a policy variable, may well
#: be in the request: undecided, not absent.
SURELY_ABSENT = re.compile(
    r"aws:(principal(account|arn|orgid|orgpaths)|principaltag/.+|userid|username|federatedprovider"
    r"|sourceidentity|tokenissuetime|multifactorauth(present|age)|requesttag/.+|tagkeys"
    r"|calledvia(first|last)?|referer|sourcevpc|sourcevpce|sourcevpcarn|vpcsourceip|vpce(account|orgid|orgpaths)"
    r"|ec2instancesource(vpc|privateipv4))"
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
