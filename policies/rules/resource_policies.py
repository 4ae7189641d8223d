"""Resource-based policies outside S3 and KMS: no Allow to anyone without a pinning condition.

Every resource-based policy the installed providers take as an input is read, as a class:
``_resource_policy_types.DOCUMENTS`` (SQS, SNS, ECR, Secrets Manager, Lambda, S3 access points and
the S3 storage the bucket rule does not read, EventBridge and its schema registries, CloudWatch Logs,
X-Ray, DynamoDB, Kinesis, MSK, OpenSearch, API Gateway, EFS, Backup, Glacier, CodeArtifact,
CodeBuild, SES, Redshift, Aurora DSQL, VPC Lattice, Network Firewall, Private CA, Glue, SageMaker,
Bedrock...), and every other policy-named input is listed there with why it is not one (identity,
endpoint, session and data-protection policies, settings). A policy that allows ``Principal: "*"``
(or uses ``NotPrincipal``) makes the resource public unless a condition pins the caller. "Public"
is the S3 rule's reading (``_bucket_policy.anyone_allowed`` / ``restricting_condition``) with the
``aws:`` condition keys only (``aws:SourceArn``, ``aws:SourceAccount``, ``aws:PrincipalOrgID``, ``aws:SourceVpce``...);
a service principal is not anyone. A Deny to everyone outside fixed values of one such key,
covering the Allow's actions and resources, restricts it as a condition would (``_deny_credit``:
AWS's private API pattern). Lambda (function and layer) permissions and EventBridge permissions are not
documents: their ``principal`` plus ``sourceArn``/``sourceAccount``/``principalOrgId`` (or the
permission's ``condition``) are read as the one statement they add. S3 buckets and bucket
policies (``s3-bucket-policy-not-public``) and KMS keys (``kms-key-policy-no-public-principal``)
have their own rules and are not in the table.

Documents are JSON strings or objects. A value unknown at preview is read with
``_iam_documents``' markers: what is known to be public is reported, what could be either is
undecided (never a silent pass).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._bucket_policy import AWS_RESTRICTING_KEYS, anyone_allowed, restricting_condition
from ._common import ARN_PATTERN_HINT, FSBP, HIGH, MANDATORY, framework, resource_rule
from ._deny_credit import credited
from ._iam_documents import INVALID, Findings, Tri, Unknown, as_list, parse_document, read, statements
from ._resource_policy_types import DOCUMENTS, S3_JUDGED, SHARES

Check = Iterator[str]


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _known_allow(statement: Mapping[str, Any]) -> Tri:
    effect = statement.get("Effect")
    if isinstance(effect, Unknown):
        return effect
    return isinstance(effect, str) and effect.strip().lower() == "allow"  # padded: may be one (read_entry)


class PublicResourcePolicy:
    """The check of ``resource-policy-not-public``: one table of where each type keeps its
    resource-based policy, one of the types whose grant is a principal plus conditions."""

    #: pulumi type token -> the input (or inputs) holding the resource policy document; the
    #: policy inputs that are not resource policies are in ``_resource_policy_types`` with why.
    DOCUMENTS: Mapping[str, str | tuple[str, ...]] = DOCUMENTS
    #: Lambda permissions: ``principal`` plus the inputs Lambda turns into conditions.
    LAMBDA_PERMISSIONS = ("aws:lambda/permission:Permission", "aws-native:lambda:Permission")
    LAMBDA_CONDITIONS = (
        ("sourceArn", "ArnLike", "aws:SourceArn"),
        ("sourceAccount", "StringEquals", "aws:SourceAccount"),
        ("principalOrgId", "StringEquals", "aws:PrincipalOrgID"),
    )
    #: Lambda layer version permissions: ``principal`` (an account or ``*``, every account) plus
    #: ``organizationId``, which Lambda turns into ``aws:PrincipalOrgID``.
    LAYER_PERMISSIONS = (
        "aws:lambda/layerVersionPermission:LayerVersionPermission",
        "aws-native:lambda:LayerVersionPermission",
    )
    LAYER_CONDITIONS = (("organizationId", "StringEquals", "aws:PrincipalOrgID"),)
    #: EventBridge permissions: ``principal`` plus one ``condition`` {type, key, value}; the
    #: aws-native one may give a whole ``statement`` instead.
    EVENT_PERMISSIONS = ("aws:cloudwatch/eventPermission:EventPermission", "aws-native:events:EventBusPolicy")
    FIX = (
        "name the principals (accounts, roles or a service), or add a condition on fixed values of "
        "aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID (or aws:SourceVpce/aws:SourceVpc); "
        f"{ARN_PATTERN_HINT}."
    )

    #: Grants that are not documents: an input whose value shares with every account or the public
    #: (an AMI's launch group ``all``, a DB snapshot's ``restore`` accounts ``all``, an endpoint
    #: service's allowed principal ``*``, an SSM document shared with ``All``).
    SHARES: Mapping[str, tuple[tuple[str, str], ...]] = SHARES
    SHARE_FIX = (
        "name the AWS accounts to share it with instead (or the organization, where the service takes one)."
    )

    @classmethod
    def resource_types(cls) -> list[str]:
        return [
            *cls.DOCUMENTS,
            *cls.LAMBDA_PERMISSIONS,
            *cls.LAYER_PERMISSIONS,
            *cls.EVENT_PERMISSIONS,
            *cls.SHARES,
        ]

    def __call__(self, args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
        kind = args.resource_type
        if kind in self.DOCUMENTS:
            # An S3 access point's policy is judged public as S3 judges a bucket policy: Block Public
            # Access refuses "bucket and access point policies" that are public to S3, where a ``*``
            # or ``?`` is a wildcard under every operator (``_bucket_policy.public_allows``).
            literal = kind not in S3_JUDGED
            yield from self._documents(document_paths(kind), args.props, literal=literal)
        elif kind in self.LAMBDA_PERMISSIONS:
            yield from self._lambda_permission(args.props, self.LAMBDA_CONDITIONS)
        elif kind in self.LAYER_PERMISSIONS:
            yield from self._lambda_permission(args.props, self.LAYER_CONDITIONS)
        elif kind in self.EVENT_PERMISSIONS:
            yield from self._event_permission(args.props)
        elif kind in self.SHARES:
            yield from self._shares(self.SHARES[kind], args.props)

    # --- one statement -----------------------------------------------------------------

    @staticmethod
    def public(statement: Any, *, literal: bool = True) -> tuple[Tri, str]:
        """Whether ``statement`` lets anyone in unconditionally (an :class:`Unknown` when the
        unknown parts decide it), and who (``literal``: ``_bucket_policy.pins``; False for the
        policies S3 judges, :data:`S3_JUDGED`)."""
        if isinstance(statement, Unknown):
            return statement, "an unknown statement"
        allow = _known_allow(statement)
        if allow is False:
            return False, ""
        who = anyone_allowed({**statement, "Effect": "Allow"})
        principal = statement.get("Principal")
        if who is None and not _has_unknown(principal):
            return False, ""
        condition = statement.get("Condition")
        if restricting_condition(condition, AWS_RESTRICTING_KEYS, literal=literal):
            return False, ""
        # What is known does not decide it: an unknown Effect, Principal or Condition might.
        for part in (allow, None if who else principal, condition):
            if _has_unknown(part):
                return _first_unknown(part), who or "an unknown principal"
        return True, who or ""

    def _statements(self, prop: str, document: Any, *, literal: bool = True) -> Check:
        findings = Findings()
        found = statements(document)
        for label, statement in found:
            verdict, who = self.public(statement, literal=literal)
            if verdict is not False and isinstance(statement, dict):
                # A Deny to everyone but fixed values of one key leaves the Allow no wider.
                credit = credited(statement, [s for _, s in found], literal=literal)
                verdict = _narrowed(verdict, credit)
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            named = f"{label} (Sid {sid!r})" if isinstance(sid, str) and sid else label

            def message(named: str = named, who: str = who) -> str:
                return (
                    f"{prop} {named} allows {who} without a restricting condition, which makes the "
                    f"resource public: {self.FIX}"
                )

            findings.add(verdict, message)
        yield from findings.report()

    def _documents(self, paths: tuple[str, ...], props: Any, *, literal: bool = True) -> Check:
        """Every document at ``paths``; one not known at preview is undecided once the known
        ones are reported."""
        pending: Unknown | None = None
        for path in paths:
            for label, raw in _at_path(props, path):
                if isinstance(raw, str) and not raw.strip():
                    continue  # no document: how the provider reports an unset policy after create
                document = parse_document(raw)
                if document is None:
                    continue
                if document is INVALID:
                    yield f"{label} is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON policy document."
                elif isinstance(document, Unknown):
                    pending = pending or document
                else:
                    try:
                        yield from self._statements(label, document, literal=literal)
                    except UnknownValueError as error:
                        pending = pending or Unknown(error)
        if pending is not None:
            raise pending.error

    # --- principal-style grants --------------------------------------------------------

    def _lambda_permission(self, props: Any, conditions: tuple[tuple[str, str, str], ...]) -> Check:
        condition: dict[str, dict[str, Any]] = {}
        for prop, operator, key in conditions:
            value = read(props, prop)
            if value is not None:
                condition.setdefault(operator, {})[key] = value
        statement = {"Effect": "Allow", "Principal": read(props, "principal"), "Condition": condition}
        yield from self._statements("principal", {"Statement": [statement]})

    def _event_permission(self, props: Any) -> Check:
        given = read(props, "statement")  # aws-native: one whole statement (object or JSON)
        if given is not None:
            if isinstance(given, str):
                given = parse_document(given)
            if given is INVALID:
                yield "statement is not valid JSON (or repeats a key in one object, which AWS may read either way): pass one JSON policy statement."
                return
            yield from self._statements("statement", {"Statement": [given]})
            return
        # {type, key, value} is one condition; an unknown one is kept whole (it decides nothing
        # known, so a public principal stays undecided).
        spec = read(props, "condition")
        condition: Any = spec
        if isinstance(spec, dict):
            operator, key = spec.get("type"), spec.get("key")
            if isinstance(operator, str) and isinstance(key, str):
                condition = {operator: {key: spec.get("value")}}
        statement = {"Effect": "Allow", "Principal": read(props, "principal"), "Condition": condition}
        yield from self._statements("principal", {"Statement": [statement]})

    def _shares(self, shares: tuple[tuple[str, str], ...], props: Any) -> Check:
        """Each value at a share input that is everyone's (``all``/``All``, an entry of a comma-separated
        list too; ``*`` in a principal); one not known at preview is undecided once the known ones
        are reported."""
        pending: Unknown | None = None
        for path, everyone in shares:
            for label, value in _at_path(props, path):
                for entry in [value] if isinstance(value, Unknown) else as_list(value):
                    if isinstance(entry, Unknown):
                        pending = pending or entry
                    elif isinstance(entry, str) and _everyone(entry, everyone):
                        yield (
                            f"{label} holds {entry!r}, which shares the resource with every AWS account "
                            f"(public): {self.SHARE_FIX}"
                        )
        if pending is not None:
            raise pending.error


def _everyone(entry: str, everyone: str) -> bool:
    if everyone == "*":
        return "*" in entry  # a wildcard principal (``*``, ``arn:aws:iam::*:root``) is anyone
    return everyone in (part.strip().lower() for part in entry.split(","))


def document_paths(resource_type: str) -> tuple[str, ...]:
    """The input paths of ``resource_type``'s resource policy documents (none outside the table)."""
    paths = DOCUMENTS.get(resource_type, ())
    return (paths,) if isinstance(paths, str) else paths


def _at_path(props: Any, path: str) -> Iterator[tuple[str, Any]]:
    """``(label, value)`` of each value at a path (``details.policy``, ``replicas[].resourcePolicy``):
    nothing where a step is absent, the :class:`Unknown` of the first step not known at preview;
    the label numbers list elements (``replicas[1].resourcePolicy``)."""
    steps = path.split(".")
    first = steps[0].removesuffix("[]")
    yield from _walk({first: read(props, first)}, steps, "")


def _walk(value: Any, steps: list[str], label: str) -> Iterator[tuple[str, Any]]:
    if not steps:
        yield label, value
        return
    if isinstance(value, Unknown):
        yield ".".join([label, *steps]), value
        return
    if not isinstance(value, dict):
        return
    step, *more = steps
    name = step.removesuffix("[]")
    child = value.get(name)
    here = f"{label}.{name}" if label else name
    if child is None:
        return
    if not step.endswith("[]"):
        yield from _walk(child, more, here)
    elif isinstance(child, Unknown):
        yield ".".join([f"{here}[]", *more]), child
    elif isinstance(child, list):
        for index, item in enumerate(child):
            yield from _walk(item, more, f"{here}[{index}]")


def _narrowed(verdict: Tri, credit: Tri) -> Tri:
    """A public verdict once a restricting Deny is weighed: none if one surely restricts it,
    undecided if one may."""
    if credit is True:
        return False
    if isinstance(credit, Unknown):
        return verdict.joined(credit) if isinstance(verdict, Unknown) else credit
    return verdict


def _first_unknown(value: Any) -> Unknown:
    if isinstance(value, Unknown):
        return value
    children = value.values() if isinstance(value, dict) else value
    return next(_first_unknown(v) for v in children if _has_unknown(v))


resource_policy_not_public = resource_rule(
    name="resource-policy-not-public",
    description=(
        "Resource-based policies of every AWS service (SQS, SNS, ECR, Lambda, Secrets Manager, S3 access "
        "points, EventBridge, CloudWatch Logs, DynamoDB, Kinesis, OpenSearch, API Gateway, EFS, Backup, "
        "CodeArtifact, SES, Redshift, VPC Lattice, Glue, SageMaker and more), and Lambda function, Lambda "
        "layer and EventBridge permissions, must not Allow "
        "Principal '*' (or use NotPrincipal) unless a condition pins fixed values of aws:SourceArn, "
        "aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce or aws:SourceVpc. "
        "Fix: name the principals or add such a condition (S3 buckets and KMS keys have their own rules). "
        "AMI launch permissions (group 'all'), RDS snapshots (sharedAccounts 'all'), endpoint services "
        "(allowed principal '*') and SSM documents (shared with 'All') must not be shared with every "
        "account: name the accounts."
    ),
    resource_types=PublicResourcePolicy.resource_types(),
    check=PublicResourcePolicy(),
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP,
        "SQS.3",
        "SNS.4, Lambda.1, RDS.1, SSM.4; Cfg sns-topic-no-public-access; Checkov CKV_AWS_169, CKV_AWS_72",
    ),
    tags=["access", "public-access"],
)

POLICIES = [resource_policy_not_public]
