"""AlertmanagerSnsAccess: an IAM role Alertmanager's service account assumes (EKS Pod Identity) to publish
the servings' alerts to one KMS-encrypted SNS topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from ..limits import account_id_problem, iam_path_problem, region_problem, satisfies, tags_problem
from ._pod_identity import pod_identity_role


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

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", iam_path_problem)
        satisfies(self, "tags", tags_problem)


class AlertmanagerSnsAccess(pulumi.ComponentResource):
    """An IAM role bound by EKS Pod Identity to Alertmanager's service account, allowed ``sns:Publish`` on
    one topic and its key's ``GenerateDataKey``/``Decrypt`` only through SNS.

    Security posture: only the EKS Pod Identity service of this account may assume the role, and only
    for the association's cluster, namespace and service account (the trust matches the session
    tags EKS Pod Identity sets); nothing else is allowed.
    """

    role_arn: pulumi.Output[str]
    """ARN of the role Alertmanager publishes with."""

    def __init__(
        self, name: str, args: AlertmanagerSnsAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:kubernetes:AlertmanagerSnsAccess", name, None, opts)
        role = pod_identity_role(
            name,
            description="Alertmanager publishes Kubernetes serving alerts to the platform alert topic",
            account_id=args.account_id,
            cluster_name=args.cluster_name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_path=args.role_path,
            policy_name="publish",
            statements=[
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
            ],
            tags=args.tags,
            parent=self,
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn})
