"""ApprovalDispatch: an approved model version starts the deploy workflow (GitHub ``repository_dispatch``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.sqs as sqs

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..limits import account_id_problem, iam_path_problem, in_range, satisfies, tags_problem
from ..naming import child_name
from ..output_text import concat
from ..policy_documents import deny_insecure_transport, document, render
from .dispatch_target import event_type_problem, repository_problem

GITHUB_API = "https://api.github.com"
GITHUB_API_VERSION = "2022-11-28"
# What the input transformer reads from a "SageMaker Model Package State Change" event.
INPUT_PATHS: dict[str, str] = {
    "arn": "$.detail.ModelPackageArn",
    "version": "$.detail.ModelPackageVersion",
    "group": "$.detail.ModelPackageGroupName",
}


def dispatch_body_template(event_type: str, family: str, source_stack: str, environment: str) -> str:
    """The ``POST /repos/{owner}/{repo}/dispatches`` body, with EventBridge's ``<placeholders>`` for
    what the approval event carries (:data:`INPUT_PATHS`); the rest is the stack's, fixed."""
    return json.dumps(
        {
            "event_type": event_type,
            "client_payload": {
                "family": family,
                "model_package_group": "<group>",
                "model_package_arn": "<arn>",
                "model_package_version": "<version>",
                "source_stack": source_stack,
                "source_environment": environment,
            },
        },
        separators=(",", ":"),
    )


CONNECTION_KEY_TAGS: Mapping[str, str] = {"EventBridgeApiDestinations": "true"}
"""The tag AWS requires on a customer-managed key of an EventBridge connection's secret."""


def connection_key_statement(region: str, account_id: str) -> dict[str, Any]:
    """The key policy statement that lets EventBridge use a key for its connections' secrets:
    through Secrets Manager, on behalf of this account's principals (whoever creates the
    connection), for EventBridge connection secrets of this account only. Pass it to the key's
    ``extra_statements`` and tag the key with :data:`CONNECTION_KEY_TAGS`
    (``kms:DescribeKey``, which carries no encryption context, is the account's already)."""
    return {
        "Sid": "EventBridgeConnectionSecretsOfThisAccount",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:CallerAccount": account_id,
                "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
            },
            "StringLike": {
                "kms:EncryptionContext:SecretARN": (
                    f"arn:aws:secretsmanager:{region}:{account_id}:secret:events!connection/*"
                )
            },
        },
    }


@dataclass(frozen=True)
class ApprovalDispatchArgs:
    repository: str
    """GitHub repository (``owner/name``) whose deploy workflow an approval starts."""
    approval_rules: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]]
    """Model family → (name, ARN) of the EventBridge rule matching its approvals (``ModelRegistry``)."""
    token: pulumi.Input[str]
    """GitHub token allowed to create repository dispatch events (a secret Output: it is stored only
    in the connection's managed secret, encrypted with ``connection_kms_key_arn``)."""
    connection_kms_key_arn: pulumi.Input[str]
    """Customer-managed key of the connection's secret; AWS requires it to carry the tag
    ``EventBridgeApiDestinations: true`` (``CONNECTION_KEY_TAGS``) and to let EventBridge use it
    through Secrets Manager (``connection_key_statement``, one of the key's ``extra_statements``)."""
    queue_kms_key_arn: pulumi.Input[str]
    """Key of the dead-letter queue; EventBridge must be allowed to use it (the notifications key)."""
    account_id: str
    """The 12-digit account of the rules (trust of the role EventBridge assumes)."""
    role_path: str
    """IAM path of that role."""
    source_stack: str
    """The stack the approvals happen in: in the payload, so the workflow knows where they come from."""
    environment: str
    """That stack's environment (``dev``, ``staging``, ``prod``), also in the payload."""
    tags: Mapping[str, str]
    """Tags of the connection's destination queue and role (connections and destinations take none)."""
    event_type: str = "model-approved"
    """``repository_dispatch`` event type; the deploy workflow must list it."""
    maximum_retry_attempts: int = 24
    """Retries of a failed call (GitHub down, rate-limited) before the event goes to the dead-letter queue, 0-185."""
    maximum_event_age_seconds: int = 3600
    """How long EventBridge keeps retrying an event, 60-86400 s."""
    dead_letter_retention_seconds: int = 1209600
    """How long an undelivered approval stays in the dead-letter queue, 60-1209600 s (14 days)."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        # its role is given to EventBridge rule targets only, whose RoleArn has no pattern: IAM's rule
        satisfies(self, "role_path", iam_path_problem)
        satisfies(self, "tags", tags_problem)
        satisfies(self, "repository", repository_problem)
        satisfies(self, "event_type", event_type_problem)
        in_range(self, "maximum_retry_attempts", 0, 185)
        in_range(self, "maximum_event_age_seconds", 60, 86400)
        in_range(self, "dead_letter_retention_seconds", 60, 1209600)
        if not self.approval_rules:
            raise ValueError("ApprovalDispatchArgs.approval_rules: at least one model family's rule")


class ApprovalDispatch(pulumi.ComponentResource):
    """Sends every approval of a model family to GitHub as a ``repository_dispatch`` event, which
    starts the deploy workflow: an EventBridge connection (API-key auth, its secret encrypted with a
    customer-managed key), an API destination for ``POST /repos/{owner}/{repo}/dispatches``, one
    target per approval rule with retries and a KMS-encrypted dead-letter queue.

    Security posture: the token lives only in the connection's secret; the role EventBridge assumes
    may invoke this one destination and nothing else; only the approval rules may fill the queue.
    """

    connection_arn: pulumi.Output[str]
    """ARN of the EventBridge connection (holds the token)."""
    api_destination_arn: pulumi.Output[str]
    """ARN of the API destination (the dispatches endpoint of the repository)."""
    dead_letter_queue_arn: pulumi.Output[str]
    """ARN of the queue undeliverable approvals end in."""
    dead_letter_queue_url: pulumi.Output[str]
    """URL of that queue (to read and redrive them)."""
    role_arn: pulumi.Output[str]
    """ARN of the role EventBridge assumes to invoke the destination."""

    def __init__(
        self, name: str, args: ApprovalDispatchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:registry:ApprovalDispatch", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        connection = cloudwatch.EventConnection(
            child_name(f"{name}-github", "aws:cloudwatch/eventConnection:EventConnection"),
            description=f"GitHub API for {args.repository} (repository_dispatch)",
            authorization_type="API_KEY",
            auth_parameters=cloudwatch.EventConnectionAuthParametersArgs(
                api_key=cloudwatch.EventConnectionAuthParametersApiKeyArgs(
                    key="Authorization",
                    value=pulumi.Output.secret(concat("Bearer ", args.token)),
                ),
                invocation_http_parameters=cloudwatch.EventConnectionAuthParametersInvocationHttpParametersArgs(
                    headers=[
                        cloudwatch.EventConnectionAuthParametersInvocationHttpParametersHeaderArgs(
                            key="Accept", value="application/vnd.github+json", is_value_secret=False
                        ),
                        cloudwatch.EventConnectionAuthParametersInvocationHttpParametersHeaderArgs(
                            key="X-GitHub-Api-Version", value=GITHUB_API_VERSION, is_value_secret=False
                        ),
                    ]
                ),
            ),
            kms_key_identifier=args.connection_kms_key_arn,
            opts=child,
        )
        destination = cloudwatch.EventApiDestination(
            child_name(f"{name}-dispatches", "aws:cloudwatch/eventApiDestination:EventApiDestination"),
            description=f"POST /repos/{args.repository}/dispatches",
            connection_arn=connection.arn,
            http_method="POST",
            invocation_endpoint=f"{GITHUB_API}/repos/{args.repository}/dispatches",
            # Approvals are rare: one call a second is plenty and keeps a storm off GitHub's limits.
            invocation_rate_limit_per_second=1,
            opts=child,
        )
        queue = sqs.Queue(
            child_name(f"{name}-undelivered", "aws:sqs/queue:Queue"),
            kms_master_key_id=args.queue_kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=args.dead_letter_retention_seconds,
            tags=dict(args.tags),
            opts=child,
        )
        rule_arns = [arn for _, arn in args.approval_rules.values()]
        sqs.QueuePolicy(
            f"{name}-undelivered",
            queue_url=queue.url,
            policy=render(self._queue_policy(queue, rule_arns)),
            opts=child,
        )
        role = ExecutionRole(
            f"{name}-invoker",
            ExecutionRoleArgs(
                description="EventBridge invokes the GitHub repository_dispatch API destination",
                trusted_service="events.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=[
                    {
                        "Effect": "Allow",
                        "Action": "events:InvokeApiDestination",
                        "Resource": destination.arn,
                    }
                ],
                tags=args.tags,
            ),
            opts=child,
        )
        for family, (rule_name, _) in args.approval_rules.items():
            cloudwatch.EventTarget(
                f"{name}-{family}",
                rule=rule_name,
                arn=destination.arn,
                role_arn=role.role_arn,
                input_transformer=cloudwatch.EventTargetInputTransformerArgs(
                    input_paths=dict(INPUT_PATHS),
                    input_template=dispatch_body_template(
                        args.event_type, family, args.source_stack, args.environment
                    ),
                ),
                retry_policy=cloudwatch.EventTargetRetryPolicyArgs(
                    maximum_event_age_in_seconds=args.maximum_event_age_seconds,
                    maximum_retry_attempts=args.maximum_retry_attempts,
                ),
                dead_letter_config=cloudwatch.EventTargetDeadLetterConfigArgs(arn=queue.arn),
                opts=child,
            )

        self.connection_arn = connection.arn
        self.api_destination_arn = destination.arn
        self.dead_letter_queue_arn = queue.arn
        self.dead_letter_queue_url = queue.url
        self.role_arn = role.role_arn
        self.register_outputs(
            {
                "connection_arn": self.connection_arn,
                "api_destination_arn": self.api_destination_arn,
                "dead_letter_queue_arn": self.dead_letter_queue_arn,
                "dead_letter_queue_url": self.dead_letter_queue_url,
                "role_arn": self.role_arn,
            }
        )

    @staticmethod
    def _queue_policy(queue: sqs.Queue, rule_arns: list[pulumi.Input[str]]) -> dict[str, Any]:
        return document(
            {
                "Sid": "ApprovalRulesDeadLetter",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue.arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arns}},
            },
            deny_insecure_transport("sqs:*", queue.arn),
        )
