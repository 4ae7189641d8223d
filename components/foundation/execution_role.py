"""ExecutionRole: an IAM role assumed by one AWS service, with one inline least-privilege policy."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.iam as iam

from ..limits import (
    PATTERNED_ROLE_SERVICES,
    account_id_problem,
    iam_path_problem,
    in_range,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import child_name
from ..policy_documents import Statement, document, render, service_trust


@dataclass(frozen=True)
class ExecutionRoleArgs:
    description: str
    """What the role is for (its IAM description)."""
    trusted_service: str
    """Service principal that assumes the role, e.g. ``sagemaker.amazonaws.com``."""
    account_id: str
    """The 12-digit AWS account the service may assume the role for (``aws:SourceAccount`` in the trust)."""
    path: str
    """IAM path shared by the platform's roles (``/mlops-platform/dev/``); the KMS key policies trust it."""
    statements: Sequence[Statement] | pulumi.Output[Sequence[Statement]]
    """The role's only permissions, as IAM policy statements of one inline policy; at least one. An
    output of the whole list (e.g. JSON another language built from new resources' ARNs) is checked
    once it resolves."""
    tags: Mapping[str, str]
    """Tags of the role."""
    max_session_duration_seconds: int = 3600
    """Longest session the role's credentials last, in seconds (IAM allows 3600-43200)."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        # SageMaker, Scheduler, Pipes, Lambda and Firehose refuse a role ARN IAM's path allows
        # (``/team~x/``); the others given a role's ARN state no pattern.
        given = self.trusted_service in PATTERNED_ROLE_SERVICES
        satisfies(self, "path", service_role_path_problem if given else iam_path_problem)
        satisfies(self, "tags", tags_problem)
        in_range(self, "max_session_duration_seconds", 3600, 43200)
        satisfies(self, "description", _description_problem)
        if not isinstance(self.statements, pulumi.Output) and not self.statements:
            raise ValueError("ExecutionRoleArgs.statements: a role needs at least one permission statement")


class ExecutionRole(pulumi.ComponentResource):
    """A service role whose trust policy is limited to this account and whose only permissions
    are the statements given (no managed policies, so nothing broader sneaks in)."""

    role_arn: pulumi.Output[str]
    """ARN of the role."""
    role_name: pulumi.Output[str]
    """Name of the role."""

    def __init__(
        self, name: str, args: ExecutionRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:foundation:ExecutionRole", name, None, opts)
        policy: pulumi.Output[str]
        if isinstance(args.statements, pulumi.Output):

            def rendered(statements: Sequence[Statement]) -> pulumi.Output[str]:
                return _policy(name, statements)

            policy = args.statements.apply(rendered)
        else:
            policy = render(document(*_checked(name, args.statements)))

        role = iam.Role(
            child_name(f"{name}-role", "aws:iam/role:Role"),
            description=args.description,
            path=args.path,
            assume_role_policy=render(service_trust(args.trusted_service, args.account_id)),
            max_session_duration=args.max_session_duration_seconds,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        permissions = iam.RolePolicy(
            child_name(f"{name}-permissions", "aws:iam/rolePolicy:RolePolicy"),
            role=role.id,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )

        # Resolve the ARN only once the permissions are attached, so that whatever is handed the
        # role (a SageMaker job, a model) also waits for its policy instead of racing it.
        self.role_arn = pulumi.Output.all(role.arn, permissions.id).apply(lambda values: values[0])
        self.role_name = role.name
        self.register_outputs({"role_arn": self.role_arn, "role_name": self.role_name})


_ROLE_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]*")
ROLE_DESCRIPTION_MAX = 1000


def _description_problem(description: object) -> str | None:
    """Why IAM would refuse ``description`` as a role's (CreateRole's ``Description``), or None."""
    if not isinstance(description, str):
        return f"{description!r} is not a string"
    if len(description) > ROLE_DESCRIPTION_MAX:
        return f"{len(description)} characters; IAM takes at most {ROLE_DESCRIPTION_MAX}"
    if not _ROLE_DESCRIPTION.fullmatch(description):
        return f"{description!r} has characters IAM refuses (Latin-1 printable characters, tab and newlines only)"
    return None


def _checked(name: str, statements: Sequence[Statement]) -> Sequence[Statement]:
    if not statements:
        raise ValueError(f"ExecutionRole {name}: a role needs at least one permission statement")
    return statements


def _policy(name: str, statements: Sequence[Statement]) -> pulumi.Output[str]:
    return render(document(*_checked(name, statements)))
