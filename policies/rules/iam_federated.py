"""Roles federated identities may assume: the trust pins the token's claims, not just its issuer.

A trust policy naming ``{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.
githubusercontent.com"}`` for ``sts:AssumeRoleWithWebIdentity`` and nothing more lets every GitHub
Actions workflow of every repository in the world assume the role; an EKS IRSA provider without
``<issuer>:sub`` every service account of the cluster; a Cognito identity pool trust without
``cognito-identity.amazonaws.com:aud`` every identity pool of every account; a SAML provider
without ``SAML:aud`` assertions meant for another service. For every ``Allow`` statement whose
``Principal.Federated`` names a provider (string or list) and whose actions reach that provider's
``AssumeRoleWith...`` action, each claim of :class:`FederatedProvider` must be pinned by a positive
string condition (``StringEquals``, ``StringEqualsIgnoreCase``, ``StringLike``, their
``ForAnyValue:`` forms: negated operators, ``...IfExists`` and ``ForAllValues:`` do not count, as in
``_iam_documents.condition_restricts``) whose every value :meth:`Claim.accepts`. Condition keys
compare case-insensitively, values case-sensitively. ``NotPrincipal``, ``Principal: "*"`` (or
``{"AWS": "*"}``, which IAM reads the same) and a wildcard ``Federated`` entry reach every provider:
no claim can pin them, so they are refused when their actions reach a federated action. Unknown
values (preview) are undecided, never passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import CHECKOV, CRITICAL, MANDATORY, framework, has_wildcard, resource_rule
from ._iam_documents import (
    Findings,
    Tri,
    Unknown,
    all3,
    any3,
    as_list,
    condition_restricts,
    covers,
    covers_any,
    is_allow,
    is_wildcard_operator,
    not3,
    only_wildcards,
    parse_document,
    positive_operator,
    read,
    read_entry,
    statements,
)
from .iam_grants import TRUST_DOCUMENTS, TRUST_KEYS

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"
COGNITO = "cognito-identity.amazonaws.com"
#: The public web identity providers IAM knows by name, and the claim naming the application.
PUBLIC_PROVIDERS: Mapping[str, str] = {
    "accounts.google.com": "aud",
    "graph.facebook.com": "app_id",
    "www.amazon.com": "app_id",
}
_PROVIDER_ARN = re.compile(
    r"arn:[^:]*:iam::[^:]*:(?P<kind>oidc-provider|saml-provider)/(?P<name>.+)", re.IGNORECASE | re.DOTALL
)
_WILD = frozenset("*?")


@dataclass(frozen=True)
class Claim:
    """A condition key a federated trust must pin, and which values pin it.

    ``kind``: ``"fixed"`` (no wildcard under ``StringLike``, never only wildcards), ``"subject"``
    (anything but only wildcards), ``"repository"`` (a GitHub subject ``repo:<owner>/<name>...``
    whose owner and name hold no ``*`` or ``?`` under any operator) or ``"exact"`` (``expected``).
    """

    key: str  # full condition key, matched case-insensitively
    kind: str
    advice: str  # the condition to add, for the message
    expected: str = ""

    def accepts(self, value: Any, wildcards: bool) -> Tri:
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, str) or only_wildcards(value):
            return False
        if self.kind == "exact":
            return value == self.expected and not (wildcards and has_wildcard(value))
        if self.kind == "repository":
            return _names_one_repository(value)
        if self.kind == "fixed":
            return not (wildcards and has_wildcard(value))  # ``${*}`` is the character
        return True  # "subject"

    def pinned(self, statement: Any) -> Tri:
        """Whether a positive string condition of ``statement`` pins this claim."""
        if isinstance(statement, Unknown):
            return statement
        condition = statement.get("Condition")
        if isinstance(condition, Unknown) or not isinstance(condition, dict):
            return condition if isinstance(condition, Unknown) else False
        found: list[Tri] = []
        for operator, block in condition.items():
            name = positive_operator(str(operator))
            if name is None or not name.startswith("string"):
                continue
            if isinstance(block, Unknown):
                found.append(block)
                continue
            for key, values in block.items() if isinstance(block, dict) else ():
                if str(key).lower() != self.key.lower():
                    continue
                listed = [values] if isinstance(values, Unknown) else as_list(values)
                wildcards = is_wildcard_operator(name)
                found.append(all3(self.accepts(v, wildcards) for v in listed) if listed else False)
        return any3(found)


def _names_one_repository(subject: str) -> bool:
    """``repo:<owner>/<name>`` or ``repo:<owner>/<name>:<anything>`` with a wildcard-free owner and name."""
    if subject[:5].lower() != "repo:":
        return False
    owner, slash, name = subject[5:].split(":", 1)[0].partition("/")
    # ``${*}`` and ``${?}`` are the characters (checked apart: no escape spans the ``/``).
    return bool(slash and owner and name) and not (has_wildcard(owner) or has_wildcard(name))


@dataclass(frozen=True)
class FederatedProvider:
    """One identity provider a trust names under ``Federated``: who its tokens speak for, the
    ``AssumeRoleWith...`` action they are used with, and the claims the trust must pin."""

    who: str  # "any GitHub Actions workflow of any repository", for the message
    action: str
    claims: tuple[Claim, ...]

    @classmethod
    def named(cls, federated: str) -> FederatedProvider:
        arn = _PROVIDER_ARN.fullmatch(federated.strip())
        if arn is not None and arn["kind"].lower() == "saml-provider":
            aud = Claim("SAML:aud", "fixed", 'StringEquals "SAML:aud": "https://signin.aws.amazon.com/saml"')
            return cls(f"any user of the SAML provider {arn['name']}", SAML, (aud,))
        issuer = arn["name"] if arn is not None else federated.strip()
        lowered = issuer.lower()
        if lowered == GITHUB_ISSUER or lowered.startswith(GITHUB_ISSUER + "/"):
            return cls(
                "any GitHub Actions workflow of any repository",
                WEB_IDENTITY,
                (
                    Claim(
                        f"{issuer}:sub",
                        "repository",
                        f'StringLike "{issuer}:sub": "repo:<owner>/<name>:ref:refs/heads/main" (owner and '
                        "name without wildcards; :environment:<name> to pin an environment)",
                    ),
                    Claim(
                        f"{issuer}:aud",
                        "exact",
                        f'StringEquals "{issuer}:aud": "{GITHUB_AUDIENCE}"',
                        GITHUB_AUDIENCE,
                    ),
                ),
            )
        if arn is None and lowered == COGNITO:
            aud = Claim(
                f"{COGNITO}:aud", "fixed", f'StringEquals "{COGNITO}:aud": "<region>:<identity pool id>"'
            )
            return cls("any Cognito identity of any identity pool", WEB_IDENTITY, (aud,))
        if arn is None and lowered in PUBLIC_PROVIDERS:
            key = f"{issuer}:{PUBLIC_PROVIDERS[lowered]}"
            app = Claim(key, "fixed", f'StringEquals "{key}": "<your application id>"')
            return cls(f"any {issuer} user of any application", WEB_IDENTITY, (app,))
        sub = Claim(
            f"{issuer}:sub",
            "subject",
            f'StringEquals "{issuer}:sub": "<subject>" (for EKS: "system:serviceaccount:<namespace>:<name>")',
        )
        aud = Claim(
            f"{issuer}:aud", "fixed", f'StringEquals "{issuer}:aud": "<client id>" (EKS: "sts.amazonaws.com")'
        )
        return cls(f"any token {issuer} issues", WEB_IDENTITY, (sub, aud))


class FederatedTrustScoped:
    """The check of ``iam-role-federated-trust-scoped`` (see the module docstring)."""

    def __call__(self, args: ResourceValidationArgs, _: Mapping[str, Any]) -> Iterator[str]:
        findings = Findings()
        prop = TRUST_DOCUMENTS[args.resource_type]
        for label, statement in statements(parse_document(read(args.props, prop))):
            self.judge(f"{prop} {label}{_sid(statement)}", statement, findings)
        yield from findings.report()

    def judge(self, where: str, statement: Any, findings: Findings) -> None:
        allowed = is_allow(statement)
        if allowed is False:
            return
        if isinstance(statement, Unknown):
            findings.undecided(statement)
            return
        federated = all3([allowed, covers_any(statement, (WEB_IDENTITY, SAML))])
        if federated is False:
            return
        principal = statement.get("Principal")
        anyone = _anyone(statement, principal)
        if anyone is not None:
            # A condition on the caller's account, organisation or ARN (or sts:ExternalId) holds for
            # no web-identity or SAML request: they carry no AWS principal, so such a statement
            # (an organisation-wide trust for sts:AssumeRole*) lets no identity provider in.
            findings.add(
                all3([federated, not3(condition_restricts(statement, TRUST_KEYS))]),
                f"{where} lets any identity provider's users assume the role "
                f"({anyone} with {WEB_IDENTITY} "
                f"or {SAML}): name the provider under Principal.Federated and pin its token's claims "
                "(for GitHub: repo:<owner>/<name> in <issuer>:sub, and <issuer>:aud).",
            )
            return
        if isinstance(principal, Unknown):
            findings.undecided(all3([federated, principal]))
            return
        findings.undecided(all3([federated, _unknown_aws(principal)]))
        entries = _federated_entries(principal)
        for entry in [entries] if isinstance(entries, Unknown) else entries:
            if isinstance(entry, Unknown):
                findings.undecided(all3([federated, entry]))
            elif isinstance(entry, str):
                self.judge_provider(where, statement, entry, findings)

    def judge_provider(self, where: str, statement: Any, federated: str, findings: Findings) -> None:
        if _WILD & set(federated):
            findings.add(
                all3([is_allow(statement), covers_any(statement, (WEB_IDENTITY, SAML))]),
                f"{where} trusts the wildcard Federated principal {federated!r}, every identity provider: "
                "name the provider's ARN and pin its token's claims.",
            )
            return
        provider = FederatedProvider.named(federated)
        applies = all3([is_allow(statement), covers(statement, provider.action)])
        for claim in provider.claims:
            findings.add(
                all3([applies, not3(claim.pinned(statement))]),
                f"{where} lets {provider.who} assume the role through {federated} without a positive "
                f"condition pinning {claim.key}: add {claim.advice}.",
            )


def _anyone(statement: Any, principal: Any) -> str | None:
    """How the statement names every principal (``NotPrincipal``, ``*``, ``{"AWS": "*"}`` or ``*``
    in an ``AWS`` list: IAM reads ``{"AWS": "*"}`` as ``"*"``), or None."""
    if "NotPrincipal" in statement:
        return "NotPrincipal"
    if isinstance(principal, str) and read_entry(principal, excluded=False, widest=True) == "*":
        return "Principal *"  # a padded " *" too: the widest reading (read_entry)
    if isinstance(principal, dict):
        for key, value in principal.items():
            if (
                str(key).strip().lower() == "aws"  # a padded " AWS" too: the widest reading
                and not isinstance(value, Unknown)
                and "*" in [read_entry(v, excluded=False, widest=True) for v in as_list(value)]
            ):
                return "Principal {'AWS': '*'}"
    return None


def _unknown_aws(principal: Any) -> Tri:
    """An unknown ``AWS`` principal (it may be ``*``), else False."""
    if not isinstance(principal, dict):
        return False
    for key, value in principal.items():
        if str(key).lower() == "aws":
            for entry in [value] if isinstance(value, Unknown) else as_list(value):
                if isinstance(entry, Unknown):
                    return entry
    return False


def _sid(statement: Any) -> str:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    return f" (Sid {sid!r})" if isinstance(sid, str) and sid else ""


def _federated_entries(principal: Any) -> Any:
    """The ``Federated`` entries of a principal (key matched case-insensitively), or :class:`Unknown`."""
    if not isinstance(principal, dict):
        return []
    found: list[Any] = []
    for key, value in principal.items():
        if str(key).strip().lower() == "federated":  # a padded " Federated" too: the widest reading
            if isinstance(value, Unknown):
                return value
            found.extend(as_list(value))
    return found


iam_role_federated_trust_scoped = resource_rule(
    name="iam-role-federated-trust-scoped",
    description=(
        "A role trusting a federated identity provider (Principal.Federated with "
        "sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML) must pin the token's claims with "
        "positive string conditions: GitHub Actions <issuer>:sub naming one repository "
        "(repo:<owner>/<name>:..., no wildcard owner or name) and <issuer>:aud sts.amazonaws.com; other "
        "OIDC providers (EKS IRSA) <issuer>:sub and a fixed <issuer>:aud; Cognito "
        "cognito-identity.amazonaws.com:aud; SAML SAML:aud. NotPrincipal, '*' or {'AWS': '*'} with those "
        "actions is refused. Fix: add the StringEquals/StringLike conditions the message names."
    ),
    resource_types=TRUST_DOCUMENTS,
    check=FederatedTrustScoped(),
    enforcement_level=MANDATORY,
    severity=CRITICAL,
    framework=framework(CHECKOV, "CKV_AWS_358"),
    tags=["iam", "access"],
)

POLICIES = [iam_role_federated_trust_scoped]
