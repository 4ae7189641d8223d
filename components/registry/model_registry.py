"""ModelRegistry: model package groups, cross-account read, and approval events that drive deployment."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.sagemaker as sagemaker
import pulumi_aws.sns as sns

from ..limits import account_id_problem, instances_problem, one_of, region_problem, satisfies, tags_problem
from ..naming import child_name, name_prefix_problem, prefixed, prefixed_within_limit
from ..policy_documents import deny_insecure_transport, document, render
from .model_family_spec import (
    APPROVAL_STATUS,
    CONSUMER_ACTIONS,
    ApprovalMode,
    ModelFamilySpec,
    family_consumer_accounts_problem,
)


def approval_event_pattern(group_name: str) -> dict[str, Any]:
    """EventBridge pattern matching a version of ``group_name`` becoming Approved."""
    return {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelPackageGroupName": [group_name], "ModelApprovalStatus": ["Approved"]},
    }


@dataclass(frozen=True)
class ModelRegistryArgs:
    families: Sequence[ModelFamilySpec]
    """Model families, one model package group and approval rule each; names must be unique."""
    approval_mode: ApprovalMode
    """``auto``: new versions are registered ``Approved``; ``manual``: ``PendingManualApproval``
    (becomes ``default_approval_status``)."""
    account_id: str
    """The 12-digit AWS account of the registry (in the consumer accounts' read policy)."""
    region: str
    """Region of the registry (in the consumer accounts' read policy)."""
    notification_key_arn: pulumi.Input[str]
    """KMS key of the approval topic; its policy must let EventBridge use it."""
    tags: Mapping[str, str]
    """Tags of the topic, the approval rules and the model package groups (plus ``mlops:model-family``)."""
    retain: bool = True
    """Protect the model package groups from `pulumi destroy` and keep them when removed from the program."""
    name_prefix: str | None = None
    """Starts each model package group's name (``<prefix>-<family>``, at most 63 characters in all):
    stacks sharing an account differ."""

    def __post_init__(self) -> None:
        satisfies(self, "families", lambda value: instances_problem(value, ModelFamilySpec))
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        names = [family.name for family in self.families]
        if len(set(names)) != len(names):
            raise ValueError(f"ModelRegistryArgs.families: model family names must be unique: {names}")
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        one_of(self, "approval_mode", tuple(APPROVAL_STATUS))
        satisfies(self, "name_prefix", name_prefix_problem)
        for index, family in enumerate(self.families):
            problem = family_consumer_accounts_problem(family)
            if problem:
                raise ValueError(f"ModelRegistryArgs.families[{index}].consumer_accounts: {problem}")
        for index, family in enumerate(self.families):
            prefixed_within_limit(
                f"ModelRegistryArgs.families[{index}].name",
                self.name_prefix,
                family.name,
                "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
            )

    def group_name(self, family: str) -> str:
        return prefixed(self.name_prefix, family)


class ModelRegistry(pulumi.ComponentResource):
    """A model package group per family, readable by the named consumer accounts, and an EventBridge
    rule per group that publishes approvals to a KMS-encrypted SNS topic (``ApprovalDispatch`` adds
    the deployment trigger to the same rules).

    ``default_approval_status`` is what the training pipeline registers new versions with:
    ``Approved`` where the environment auto-approves, ``PendingManualApproval`` otherwise.
    """

    model_package_group_names: pulumi.Output[list[str]]
    """Names of the model package groups, in spec order."""
    model_package_group_arns: pulumi.Output[list[str]]
    """ARNs of the model package groups, in spec order."""
    approval_topic_arn: pulumi.Output[str]
    """SNS topic that receives every approval."""
    approval_rule_names: dict[str, pulumi.Output[str]]
    """Model family → name of the EventBridge rule matching its approvals (more targets may use it)."""
    approval_rule_arns: dict[str, pulumi.Output[str]]
    """Model family → ARN of that rule."""
    default_approval_status: str
    """``Approved`` or ``PendingManualApproval``."""

    def __init__(
        self, name: str, args: ModelRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:registry:ModelRegistry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        topic = sns.Topic(
            child_name(f"{name}-approvals", "aws:sns/topic:Topic"),
            display_name="Model versions approved for deployment",
            kms_master_key_id=args.notification_key_arn,
            tags=dict(args.tags),
            opts=child,
        )
        groups, rules = [], []
        for family in args.families:
            group_name = args.group_name(family.name)
            group = sagemaker.ModelPackageGroup(
                f"{name}-{family.name}",
                model_package_group_name=group_name,
                model_package_group_description=family.description or None,
                tags={**args.tags, "mlops:model-family": family.name},
                opts=pulumi.ResourceOptions(parent=self, protect=args.retain, retain_on_delete=args.retain),
            )
            if family.consumer_accounts:
                sagemaker.ModelPackageGroupPolicy(
                    f"{name}-{family.name}-consumers",
                    model_package_group_name=group.model_package_group_name,
                    resource_policy=render(self._consumer_policy(family, args)),
                    opts=child,
                )
            rule = cloudwatch.EventRule(
                child_name(f"{name}-{family.name}-approved", "aws:cloudwatch/eventRule:EventRule"),
                description=f"A version of model family {family.name} was approved",
                event_pattern=json.dumps(approval_event_pattern(group_name)),
                tags=dict(args.tags),
                # The rule filters on the group's name, so it must not exist before the group does.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[group]),
            )
            cloudwatch.EventTarget(
                f"{name}-{family.name}-approved", rule=rule.name, arn=topic.arn, opts=child
            )
            groups.append(group)
            rules.append(rule)

        sns.TopicPolicy(
            f"{name}-approvals", arn=topic.arn, policy=render(self._topic_policy(topic, rules)), opts=child
        )

        self.model_package_group_names = pulumi.Output.all(
            *[group.model_package_group_name for group in groups]
        )
        self.model_package_group_arns = pulumi.Output.all(*[group.arn for group in groups])
        self.approval_topic_arn = topic.arn
        self.approval_rule_names = {f.name: rule.name for f, rule in zip(args.families, rules, strict=True)}
        self.approval_rule_arns = {f.name: rule.arn for f, rule in zip(args.families, rules, strict=True)}
        self.default_approval_status = APPROVAL_STATUS[args.approval_mode]
        self.register_outputs(
            {
                "model_package_group_names": self.model_package_group_names,
                "model_package_group_arns": self.model_package_group_arns,
                "approval_topic_arn": self.approval_topic_arn,
                "approval_rule_names": self.approval_rule_names,
                "approval_rule_arns": self.approval_rule_arns,
                "default_approval_status": self.default_approval_status,
            }
        )

    @staticmethod
    def _consumer_policy(family: ModelFamilySpec, args: ModelRegistryArgs) -> dict[str, Any]:
        sagemaker_arn = f"arn:aws:sagemaker:{args.region}:{args.account_id}"
        return document(
            {
                "Sid": "ConsumerAccountsReadModelVersions",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [f"arn:aws:iam::{account}:root" for account in family.consumer_accounts]
                },
                "Action": CONSUMER_ACTIONS,
                "Resource": [
                    f"{sagemaker_arn}:model-package-group/{args.group_name(family.name)}",
                    f"{sagemaker_arn}:model-package/{args.group_name(family.name)}/*",
                ],
            }
        )

    @staticmethod
    def _topic_policy(topic: sns.Topic, rules: list[cloudwatch.EventRule]) -> dict[str, Any]:
        statements: list[dict[str, Any]] = [deny_insecure_transport("sns:Publish", topic.arn)]
        if rules:
            statements.append(
                {
                    "Sid": "ApprovalRulesPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic.arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": [rule.arn for rule in rules]}},
                }
            )
        return document(*statements)
