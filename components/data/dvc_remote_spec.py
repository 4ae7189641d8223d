"""The ``dvc_remote`` section of a stack: a DVC remote under one prefix of the datasets bucket, and
who may assume the role that reads and writes it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Final

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import SPEC_CONFIG, fail_at
from .feature_store_spec import OFFLINE_STORE_PREFIX

DEFAULT_PREFIX: Final = "dvc"
# Prefixes of the datasets bucket the platform writes itself: the feature store's offline stores and
# the families' training data (components/training/training_spec.py training_data_prefix).
PLATFORM_PREFIXES: Final = (OFFLINE_STORE_PREFIX, "training-data/")
GITHUB_OIDC_PROVIDER: Final = "token.actions.githubusercontent.com"

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*\Z")
_MAX_PREFIX = 200
# An IAM user or role ARN (its name may hold the ArnLike wildcards * and ?), of any commercial account.
_PRINCIPAL = re.compile(
    r"^arn:aws:iam::(?P<account>[0-9]{12}):(?P<kind>role|user)/(?P<name>[A-Za-z0-9_+=,.@/*?-]+)\Z"
)
# A GitHub Actions OIDC subject of one named repository: repo:<owner>/<name>:<ref, environment...>.
_SUBJECT = re.compile(r"^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:[A-Za-z0-9_.@/:*?=+-]+\Z")


MAX_TRUST_POLICY = 2048
"""IAM's default quota on a role's trust policy, in characters without white space (``LimitExceeded:
Cannot exceed quota for ACLSizePerRole: 2048``; adjustable to 4096)."""


def trust_policy_document(
    account_id: str, trusted_principals: Sequence[str], github_subjects: Sequence[str]
) -> dict[str, Any]:
    """The remote role's trust policy: the listed principals (by ``aws:PrincipalArn``) and GitHub
    OIDC subjects, nobody else."""
    statements: list[dict[str, Any]] = []
    if trusted_principals:
        accounts = sorted({principal_account(pattern) for pattern in trusted_principals})
        statements.append(
            {
                "Sid": "TrustedPrincipals",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{account}:root" for account in accounts]},
                "Action": "sts:AssumeRole",
                "Condition": {"ArnLike": {"aws:PrincipalArn": list(trusted_principals)}},
            }
        )
    if github_subjects:
        statements.append(
            {
                "Sid": "GitHubActions",
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{account_id}:oidc-provider/{GITHUB_OIDC_PROVIDER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GITHUB_OIDC_PROVIDER}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GITHUB_OIDC_PROVIDER}:sub": list(github_subjects)},
                },
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def policy_size(policy: dict[str, Any]) -> int:
    """Characters of ``policy`` as IAM counts them against its quotas: without white space."""
    return len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False))


def principal_account(pattern: str) -> str:
    """The account of a trusted principal's ARN pattern."""
    match = _PRINCIPAL.match(pattern)
    if match is None:
        raise ValueError(f"'{pattern}' is not an IAM role or user ARN")
    return match["account"]


class DvcRemoteSpec(BaseModel):
    """A DVC remote (``s3://<datasets bucket>/<prefix>``) and a role scoped to it."""

    model_config = SPEC_CONFIG

    enabled: bool = Field(
        default=False,
        description="Create the DVC remote's role and managed policy and export the remote's settings "
        "(`dvc_remote_*` stack outputs; docs/ecosystem.md, DVC).",
    )
    prefix: str = Field(
        default=DEFAULT_PREFIX,
        description="Key prefix of the datasets bucket that holds the remote, without slashes at either "
        "end (`dvc`, `teams/churn/dvc`): lower-case letters, digits, `.`, `_`, `-`; not under the "
        f"platform's own {', '.join(PLATFORM_PREFIXES)}.",
    )
    trusted_principals: list[str] = Field(
        default_factory=list,
        description="IAM role or user ARNs that may assume the remote's role; `*` and `?` match as in "
        "`ArnLike`, so `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_"
        "DataScientist_*` admits an IAM Identity Center permission set. Another account's principals "
        "also need its own permission to call sts:AssumeRole on the role. With `github_subjects`, the "
        f"role's trust policy must fit IAM's default quota of {MAX_TRUST_POLICY} characters.",
    )
    github_subjects: list[str] = Field(
        default_factory=list,
        description="GitHub Actions OIDC subjects (`repo:<owner>/<name>:ref:refs/heads/main`, "
        "`repo:<owner>/<name>:environment:dev`) that may assume the role through the account's "
        f"`{GITHUB_OIDC_PROVIDER}` identity provider (created once per account: docs/ci-cd.md).",
    )

    @field_validator("prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        if len(value) > _MAX_PREFIX or not _PREFIX.match(value):
            raise ValueError(
                f"'{value}' is not a key prefix: 1-{_MAX_PREFIX} lower-case letters, digits, '.', '_' or "
                "'-', in '/'-separated parts, with no '/' at either end"
            )
        for platform in PLATFORM_PREFIXES:
            if f"{value}/".startswith(platform) or platform.startswith(f"{value}/"):
                raise ValueError(
                    f"'{value}' overlaps '{platform}', which the platform writes itself: choose another prefix"
                )
        return value

    @field_validator("trusted_principals")
    @classmethod
    def _valid_principals(cls, value: list[str]) -> list[str]:
        for index, pattern in enumerate(value):
            match = _PRINCIPAL.match(pattern)
            if match is None:
                fail_at(
                    "trusted_principals",
                    (index,),
                    pattern,
                    f"'{pattern}' is not an IAM role or user ARN (arn:aws:iam::<12 digits>:role/<name> or "
                    ":user/<name>; '*' and '?' may match parts of the name)",
                )
            if not match["name"].strip("*?/"):
                fail_at(
                    "trusted_principals",
                    (index,),
                    pattern,
                    f"'{pattern}' admits every {match['kind']} of account {match['account']}: name the "
                    "roles or users (a wildcard may match part of a name)",
                )
        return value

    @field_validator("github_subjects")
    @classmethod
    def _valid_subjects(cls, value: list[str]) -> list[str]:
        for index, subject in enumerate(value):
            if not _SUBJECT.match(subject):
                fail_at(
                    "github_subjects",
                    (index,),
                    subject,
                    f"'{subject}' is not a GitHub OIDC subject of one repository: "
                    "repo:<owner>/<name>:<ref:refs/heads/main | environment:<name> | pull_request>",
                )
        return value

    @model_validator(mode="after")
    def _someone_may_assume(self) -> DvcRemoteSpec:
        if self.enabled and not (self.trusted_principals or self.github_subjects):
            fail_at(
                "DvcRemoteSpec",
                ("trusted_principals",),
                self.trusted_principals,
                "nobody may assume the remote's role: list IAM principal ARNs here, or GitHub OIDC "
                "subjects under github_subjects (or turn the remote off: enabled: false)",
            )
        # Any 12 digits: the account's only part in the policy is its ARNs' account field.
        size = policy_size(trust_policy_document("0" * 12, self.trusted_principals, self.github_subjects))
        if size > MAX_TRUST_POLICY:
            # The list that takes more of the policy.
            key = max(
                ("trusted_principals", "github_subjects"),
                key=lambda name: sum(len(item) for item in getattr(self, name)),
            )
            fail_at(
                "DvcRemoteSpec",
                (key,),
                getattr(self, key),
                f"the remote role's trust policy would have {size} characters (trusted_principals and "
                f"github_subjects); IAM refuses more than {MAX_TRUST_POLICY} (its default quota, "
                "ACLSizePerRole): list fewer, or use wildcards ('*' in a role name, a subject)",
            )
        return self
