"""DvcRemote: a DVC remote under one prefix of the datasets bucket, with a role and a managed policy
scoped to that prefix and to the data key's use through S3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws.iam as iam

from ..limits import (
    account_id_problem,
    iam_path_problem,
    iam_policy_path_problem,
    region_problem,
    satisfies,
    tags_problem,
)
from ..naming import child_name
from ..output_text import concat
from ..policy_documents import Statement, document, render, s3_read_write
from .dvc_remote_spec import MAX_TRUST_POLICY, policy_size, principal_account, trust_policy_document

SSE: Final = "aws:kms"
"""DVC's ``sse`` setting: objects are encrypted with a KMS key (the bucket's default key)."""
# What S3 asks KMS for on the caller's behalf: a data key to write (also the bucket key's), and
# its decryption to read or to complete a multipart upload.
KMS_THROUGH_S3_ACTIONS: Final = ["kms:GenerateDataKey", "kms:Decrypt"]


@dataclass(frozen=True)
class DvcRemoteArgs:
    account_id: str
    """The 12-digit account of the role (its GitHub OIDC identity provider lives there)."""
    region: str
    """Region of the bucket and key (the key is used only through S3 there)."""
    bucket_name: pulumi.Input[str]
    """The datasets bucket that holds the remote."""
    bucket_arn: pulumi.Input[str]
    """ARN of that bucket, to which the policy is scoped."""
    kms_key_arn: pulumi.Input[str]
    """The bucket's default SSE-KMS key (DVC's ``sse_kms_key_id``)."""
    prefix: str
    """Key prefix of the remote, without slashes at either end (``dvc``)."""
    trusted_principals: Sequence[str]
    """IAM role or user ARN patterns (``ArnLike``) that may assume the role."""
    github_subjects: Sequence[str]
    """GitHub Actions OIDC subjects that may assume the role through the account's identity provider."""
    role_path: str
    """IAM path of the role and policy (the platform keys' policies let the roles under it use them)."""
    tags: Mapping[str, str]
    """Tags of the role and the policy."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", iam_path_problem)
        # The access policy (a managed policy) goes under the same path.
        satisfies(self, "role_path", iam_policy_path_problem)
        satisfies(self, "tags", tags_problem)
        if not (self.trusted_principals or self.github_subjects):
            raise ValueError(
                "DvcRemoteArgs: name trusted_principals or github_subjects: nobody could assume the role"
            )
        if not self.prefix or self.prefix.startswith("/") or self.prefix.endswith("/"):
            raise ValueError(
                f"DvcRemoteArgs.prefix: '{self.prefix}' must be non-empty with no '/' at either end"
            )
        for pattern in self.trusted_principals:
            principal_account(pattern)
        size = policy_size(trust_policy(self))
        if size > MAX_TRUST_POLICY:
            raise ValueError(
                f"DvcRemoteArgs.trusted_principals, github_subjects: a trust policy of {size} characters; "
                f"IAM refuses more than {MAX_TRUST_POLICY} (its default quota)"
            )


def remote_policy(args: DvcRemoteArgs) -> dict[str, Any]:
    """Read, write and delete under ``<prefix>/`` (list only there), and use the key only through S3
    for this bucket: its ARN is the encryption context with S3 Bucket Keys, an object's without."""
    prefix = f"{args.prefix}/"
    statements: list[Statement] = s3_read_write(args.bucket_arn, [prefix])
    statements.append(
        {
            "Sid": "UseTheDataKeyThroughS3ForTheRemote",
            "Effect": "Allow",
            "Action": KMS_THROUGH_S3_ACTIONS,
            "Resource": args.kms_key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{args.region}.amazonaws.com"},
                "StringLike": {
                    "kms:EncryptionContext:aws:s3:arn": [
                        args.bucket_arn,
                        concat(args.bucket_arn, "/", prefix, "*"),
                    ]
                },
            },
        }
    )
    return document(*statements)


def trust_policy(args: DvcRemoteArgs) -> dict[str, Any]:
    """The listed principals (by ``aws:PrincipalArn``) and GitHub OIDC subjects, nobody else."""
    return trust_policy_document(args.account_id, args.trusted_principals, args.github_subjects)


class DvcRemote(pulumi.ComponentResource):
    """A managed policy allowing DVC to push, pull and garbage-collect ``s3://<bucket>/<prefix>``,
    and a role with that policy alone for the listed principals and GitHub workflows.

    Security posture: objects only under the prefix (listing only under it); the data key only
    through S3 in the stack's region, for this bucket; the role trusts exactly the principal ARN
    patterns and OIDC subjects given. Another role of the account may attach the policy instead.
    """

    remote_url: pulumi.Output[str]
    """``s3://<bucket>/<prefix>``: the URL of ``dvc remote add``."""
    role_arn: pulumi.Output[str]
    """ARN of the role DVC's AWS profile (or a workflow) assumes; resolves once the policy is attached."""
    policy_arn: pulumi.Output[str]
    """ARN of the managed policy, for a team attaching it to a role of its own."""
    kms_key_arn: pulumi.Output[str]
    """The key objects are encrypted with (DVC's ``sse_kms_key_id``)."""
    region: str
    """Region of the bucket (DVC's ``region``)."""

    def __init__(self, name: str, args: DvcRemoteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:data:DvcRemote", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = iam.Policy(
            child_name(f"{name}-access", "aws:iam/policy:Policy"),
            path=args.role_path,
            description=f"DVC remote s3://<datasets bucket>/{args.prefix}: objects under the prefix, "
            "the data key through S3",
            policy=render(remote_policy(args)),
            tags=dict(args.tags),
            opts=child,
        )
        role = iam.Role(
            child_name(f"{name}-role", "aws:iam/role:Role"),
            path=args.role_path,
            description=f"DVC remote under {args.prefix}/ of the datasets bucket",
            assume_role_policy=render(trust_policy(args)),
            tags=dict(args.tags),
            opts=child,
        )
        attachment = iam.RolePolicyAttachment(
            f"{name}-access",
            role=role.name,
            policy_arn=policy.arn,
            opts=child,
        )

        self.remote_url = concat("s3://", args.bucket_name, "/", args.prefix)
        # The role is usable only once its policy is attached: hand it out after the attachment.
        self.role_arn = pulumi.Output.all(role.arn, attachment.id).apply(lambda values: values[0])
        self.policy_arn = policy.arn
        self.kms_key_arn = pulumi.Output.from_input(args.kms_key_arn)
        self.region = args.region
        self.register_outputs(
            {
                "remote_url": self.remote_url,
                "role_arn": self.role_arn,
                "policy_arn": self.policy_arn,
                "kms_key_arn": self.kms_key_arn,
            }
        )
