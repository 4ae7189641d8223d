"""EncryptionKey: one customer-managed KMS key with rotation, an alias and a least-privilege policy."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws.kms as kms

from ..limits import account_id_problem, iam_path_problem, in_range, region_problem, satisfies, tags_problem
from ..policy_documents import KMS_USE_ACTIONS, Statement, document, literal_arn_text, render

# What the account may do to administer the key. Deliberately no kms:Encrypt/Decrypt: using the
# key takes membership of the platform's role path (or a service grant below). Nor kms:CreateGrant
# (AWS's default "kms:Create*" includes it): the statement has no condition, so any principal of the
# account that its own IAM policy lets create grants could grant itself the key; grants are made by
# the platform's roles for AWS resources, or through the platform's services (below).
KEY_ADMIN_ACTIONS = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]


# Condition keys that tie a service principal's use of the key to resources of one account (the
# confused-deputy guard): the service's own source keys, or the encryption context the service
# itself sets (the ARN of the log group, topic or queue whose data it encrypts).
ACCOUNT_SCOPING_KEYS = ("aws:SourceAccount", "aws:SourceArn", "kms:EncryptionContext:")
# Operators under which such a key pins the caller: a negated one admits every other account, and an
# ...IfExists one a request that lacks the key.
_PINNING_OPERATORS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")


def _pins_an_account(key: str, value: object) -> bool:
    """Whether ``value`` of a scoping ``key`` names one account: the 12 digits themselves, or an ARN
    whose account field is them (not a wildcard)."""
    if not isinstance(value, str):
        return False
    account = value if key == "aws:SourceAccount" else (value.split(":") + [""] * 6)[4]
    return len(account) == 12 and account.isascii() and account.isdigit()


def _scopes_to_an_account(condition: Mapping[str, Mapping[str, object]]) -> bool:
    """At least one scoping key under a pinning operator with every value naming an account."""
    for operator, values in condition.items():
        if operator not in _PINNING_OPERATORS:
            continue
        for key, value in values.items():
            listed = value if isinstance(value, list | tuple) else [value]
            if (
                key.startswith(ACCOUNT_SCOPING_KEYS)
                and listed
                and all(_pins_an_account(key, v) for v in listed)
            ):
                return True
    return False


@dataclass(frozen=True)
class ServiceKeyGrant:
    """Lets an AWS service principal use the key, under a condition that scopes it to this account."""

    sid: str
    """Statement id of the grant in the key policy; unique among the key's statements."""
    service: str
    """Service principal the grant is for, e.g. ``logs.eu-west-1.amazonaws.com``."""
    actions: Sequence[str]
    """KMS actions the service may perform on the key, e.g. ``kms:Decrypt``, ``kms:GenerateDataKey*``."""
    condition: Mapping[str, Mapping[str, object]]
    """IAM condition block of the statement, operator → key → value(s). It must pin
    ``aws:SourceAccount``, ``aws:SourceArn`` or a ``kms:EncryptionContext:`` key to an account
    (the 12 digits, or ARNs in that account) under a ``StringEquals``, ``StringLike``,
    ``ArnEquals`` or ``ArnLike`` operator: otherwise any account's resources could have the service
    use this key (confused deputy)."""

    def __post_init__(self) -> None:
        if not _scopes_to_an_account(self.condition):
            raise ValueError(
                f"ServiceKeyGrant {self.sid} ({self.service}): the condition must scope the grant to this "
                f"account: one of {', '.join(ACCOUNT_SCOPING_KEYS)}* under {'/'.join(_PINNING_OPERATORS)}, "
                f"each value the account or an ARN in it (got {dict(self.condition) or 'none'})"
            )


def cloudwatch_logs_grant(region: str, account_id: str) -> ServiceKeyGrant:
    """CloudWatch Logs encrypts this account's log groups: the condition is the encryption context
    Logs sets (the log group's ARN), the key AWS documents for log-group encryption."""
    return ServiceKeyGrant(
        sid="CloudWatchLogsOfThisAccount",
        service=f"logs.{region}.amazonaws.com",
        actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        condition={
            "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:*"}
        },
    )


def cloudwatch_alarms_grant(region: str, account_id: str) -> ServiceKeyGrant:
    """CloudWatch alarms of this account publish to its encrypted SNS topics. CloudWatch passes
    ``aws:SourceAccount`` and the alarm's ARN as ``aws:SourceArn``; SNS sets the topic's ARN as the
    encryption context."""
    return ServiceKeyGrant(
        sid="CloudwatchPublishesToEncryptedTopics",
        service="cloudwatch.amazonaws.com",
        actions=["kms:Decrypt", "kms:GenerateDataKey*"],
        condition={
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {
                "aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*",
                "kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{region}:{account_id}:*",
            },
        },
    )


def eventbridge_grants(region: str, account_id: str) -> list[ServiceKeyGrant]:
    """EventBridge rules deliver to this account's encrypted SNS topics and SQS queues.

    AWS documents that ``aws:SourceAccount``/``aws:SourceArn`` are not supported in a key policy
    for EventBridge delivery to an encrypted topic (the request carries neither, and every event
    would be dropped), so these grants are scoped by the encryption context SNS and SQS set: the
    ARN of the topic or queue, in this account and region. One statement per target service:
    the two context keys never appear in the same request.
    """
    return [
        ServiceKeyGrant(
            sid=f"EventsDeliversToEncrypted{kind}",
            service="events.amazonaws.com",
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            condition={"ArnLike": {context_key: f"arn:aws:{service}:{region}:{account_id}:*"}},
        )
        for kind, service, context_key in (
            ("Topics", "sns", "kms:EncryptionContext:aws:sns:topicArn"),
            ("Queues", "sqs", "kms:EncryptionContext:aws:sqs:arn"),
        )
    ]


_ALIAS = re.compile(r"alias/[a-zA-Z0-9/_-]+")
ALIAS_MAX = 256
"""KMS's alias names (CreateAlias): ``alias/`` then letters, digits, ``/``, ``_`` and ``-``, 1-256
characters in all, not under ``alias/aws/`` (AWS's own): the rule botocore's kms model states for
``CreateAliasRequest.AliasName``. The pattern of its ``AliasNameType`` shape, ``^[a-zA-Z0-9:/_-]+$``,
also lets ``:`` through, which CreateAlias refuses ("contains invalid characters for an alias")."""


def alias_problem(alias_prefix: object, purpose: object) -> str | None:
    """Why KMS would refuse ``alias/<alias_prefix>-<purpose>`` (the alias an EncryptionKey
    creates), or None."""
    alias = f"alias/{alias_prefix}-{purpose}"
    if _ALIAS.fullmatch(alias) and len(alias) <= ALIAS_MAX and not alias.startswith("alias/aws/"):
        return None
    return (
        f"the alias {alias!r} is not one KMS takes: letters, digits, '/', '_' and '-', at most "
        f"{ALIAS_MAX} characters, not under alias/aws/"
    )


@dataclass(frozen=True)
class EncryptionKeyArgs:
    purpose: str
    """What the key protects, e.g. ``data`` or ``logs`` (used in the description and alias)."""
    account_id: str
    """The 12-digit AWS account that administers the key and whose roles may use it."""
    user_role_path: str
    """IAM path (``/mlops-platform/dev/``) whose roles may use the key for encryption."""
    tags: Mapping[str, str]
    """Tags of the key."""
    service_grants: Sequence[ServiceKeyGrant] = ()
    """AWS service principals that may use the key (CloudWatch Logs, EventBridge...), one statement
    each, each scoped to this account (``cloudwatch_logs_grant``, ``cloudwatch_alarms_grant``,
    ``eventbridge_grants`` build the platform's)."""
    via_services: Sequence[str] = ()
    """Services (``sagemaker``, ``s3``) through which the account's IAM-authorised principals, such as
    the identity running `pulumi up`, may use the key: creating a SageMaker endpoint or feature group
    with a customer-managed key needs the caller to create grants on it."""
    region: str = ""
    """Region of the ``via_services`` endpoints (required when ``via_services`` is set)."""
    deletion_window_days: int = 30
    """Days between scheduling the key's deletion and the deletion, 7-30."""
    rotation_period_days: int = 365
    """Days between automatic rotations of the key material, 90-2560; rotation is always on."""
    retain: bool = True
    """Protect the key from `pulumi destroy` and keep it when removed from the program."""
    alias_prefix: str = "mlops-platform"
    """Starts the alias (``alias/<prefix>-<purpose>``) and the key's description."""
    extra_statements: Sequence[Statement] = field(default_factory=tuple)
    """Key policy statements appended as given, e.g. cross-account decrypt for consumer accounts."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "user_role_path", iam_path_problem)
        satisfies(self, "tags", tags_problem)
        in_range(self, "deletion_window_days", 7, 30)
        in_range(self, "rotation_period_days", 90, 2560)
        if self.via_services and not self.region:
            raise ValueError("EncryptionKeyArgs.region: via_services needs the region of those services")
        if self.region:
            satisfies(self, "region", region_problem)
        problem = alias_problem(self.alias_prefix, self.purpose)
        if problem:
            raise ValueError(f"EncryptionKeyArgs.alias_prefix, purpose: {problem}")


class EncryptionKey(pulumi.ComponentResource):
    """A symmetric KMS key with yearly (or configured) rotation and an alias.

    Security posture: the account may administer but not use the key; only roles under the
    platform's IAM path, and explicitly granted AWS services acting for this account's resources
    (every service grant carries a confused-deputy condition), may encrypt and decrypt with it.
    """

    key_arn: pulumi.Output[str]
    """ARN of the key."""
    key_id: pulumi.Output[str]
    """Id of the key."""
    alias_name: pulumi.Output[str]
    """``alias/<prefix>-<purpose>``."""
    key: kms.Key
    """The key itself: what a resource holding data encrypted with it names in ``depends_on``, so
    a destroy that stops at that resource (a bucket S3 refuses to delete while full) leaves the key
    alone rather than scheduling its deletion."""

    def __init__(
        self, name: str, args: EncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:foundation:EncryptionKey", name, None, opts)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.retain, retain_on_delete=args.retain)

        self._key = kms.Key(
            f"{name}-key",
            description=f"{args.alias_prefix}: {args.purpose} encryption",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_period_days,
            deletion_window_in_days=args.deletion_window_days,
            policy=render(self._policy(args)),
            tags=dict(args.tags),
            opts=stateful,
        )
        alias = kms.Alias(
            f"{name}-alias",
            name=f"alias/{args.alias_prefix}-{args.purpose}",
            target_key_id=self._key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.key = self._key
        self.key_arn = self._key.arn
        self.key_id = self._key.key_id
        self.alias_name = alias.name
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias_name})

    @staticmethod
    def _policy(args: EncryptionKeyArgs) -> dict:
        account_root = f"arn:aws:iam::{args.account_id}:root"
        # A path may hold '*', '?' or '$' (IAM takes any printable ASCII): escaped, it names
        # only the roles under it, not under every path it would match as a wildcard.
        platform_roles = f"arn:aws:iam::{args.account_id}:role{literal_arn_text(args.user_role_path)}*"
        # In a key policy "Resource": "*" means "this key": key policies cannot name other resources.
        statements: list[Statement] = [
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": KEY_ADMIN_ACTIONS,
                "Resource": "*",
            },
            {
                "Sid": "PlatformRolesUseKey",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": KMS_USE_ACTIONS,
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": platform_roles}},
            },
            {
                "Sid": "PlatformRolesGrantToAwsResources",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": platform_roles},
                    "Bool": {"kms:GrantIsForAWSResource": "true"},
                },
            },
        ]
        if args.via_services:
            statements.append(
                {
                    "Sid": "AccountPrincipalsThroughPlatformServices",
                    "Effect": "Allow",
                    "Principal": {"AWS": account_root},
                    "Action": [*KMS_USE_ACTIONS, "kms:CreateGrant"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:CallerAccount": args.account_id,
                            "kms:ViaService": [
                                f"{service}.{args.region}.amazonaws.com" for service in args.via_services
                            ],
                        }
                    },
                }
            )
        statements += [
            {
                "Sid": grant.sid,
                "Effect": "Allow",
                "Principal": {"Service": grant.service},
                "Action": list(grant.actions),
                "Resource": "*",
                "Condition": {op: dict(values) for op, values in grant.condition.items()},
            }
            for grant in args.service_grants
        ]
        statements += list(args.extra_statements)
        return document(*statements)
