"""AlertmanagerSnsAccess: an IAM role Alertmanager's service account assumes (EKS Pod Identity) to publish
the servings' alerts to one KMS-encrypted SNS topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.eks as eks
import pulumi_aws.iam as iam

from ..policy_documents import document, render

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"


@dataclass(frozen=True)
class AlertmanagerSnsAccessArgs:
    account_id: str
    """The account of the cluster and the topic (the trust policy's ``aws:SourceAccount``)."""
    region: str
    """Region of the topic and its key (the key is used only through SNS there)."""
    cluster_name: str
    """The EKS cluster Alertmanager runs on (it needs the ``eks-pod-identity-agent`` add-on)."""
    namespace: pulumi.Input[str]
    """Alertmanager's namespace."""
    service_account: str
    """Alertmanager's service account."""
    topic_arn: pulumi.Input[str]
    """The one topic the role may publish to."""
    kms_key_arn: pulumi.Input[str]
    """The topic's key: SNS encrypts each message with a data key from it on the publisher's behalf."""
    role_path: str
    """IAM path of the role (the platform keys' policies let the roles under it use them)."""
    tags: Mapping[str, str]
    """Tags on the role and the association."""


class AlertmanagerSnsAccess(pulumi.ComponentResource):
    """An IAM role bound by EKS Pod Identity to Alertmanager's service account, allowed ``sns:Publish`` on
    one topic and its key's ``GenerateDataKey``/``Decrypt`` only through SNS.

    Security posture: only the EKS Pod Identity service of this account may assume the role, and only
    the association's one service account receives its credentials; nothing else is allowed.
    """

    role_arn: pulumi.Output[str]
    """ARN of the role Alertmanager publishes with."""

    def __init__(
        self, name: str, args: AlertmanagerSnsAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:kubernetes:AlertmanagerSnsAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = iam.Role(
            f"{name}-role",
            path=args.role_path,
            description="Alertmanager publishes Kubernetes serving alerts to the platform alert topic",
            assume_role_policy=render(
                document(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": POD_IDENTITY_SERVICE},
                        # EKS Pod Identity tags the session with the cluster, namespace and service account.
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
                    }
                )
            ),
            tags=dict(args.tags),
            opts=child,
        )
        iam.RolePolicy(
            f"{name}-publish",
            role=role.name,
            policy=render(
                document(
                    {
                        "Sid": "PublishAlerts",
                        "Effect": "Allow",
                        "Action": "sns:Publish",
                        "Resource": args.topic_arn,
                    },
                    {
                        "Sid": "EncryptThroughSns",
                        "Effect": "Allow",
                        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                        "Resource": args.kms_key_arn,
                        "Condition": {"StringEquals": {"kms:ViaService": f"sns.{args.region}.amazonaws.com"}},
                    },
                )
            ),
            opts=child,
        )
        eks.PodIdentityAssociation(
            f"{name}-pod-identity",
            cluster_name=args.cluster_name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_arn=role.arn,
            tags=dict(args.tags),
            opts=child,
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn})
