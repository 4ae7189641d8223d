"""One IAM role bound to one Kubernetes service account by EKS Pod Identity, with one inline policy.

Shared by the Kubernetes components that need AWS credentials in a pod (Alertmanager publishing to
SNS, a model server reading its artifact), so every such role has the same trust: only this
account's EKS Pod Identity service may assume it, and only for the association's cluster,
namespace and service account. EKS Pod Identity tags each session with those three (its session
tags, on unless an association disables them); the trust matches the tags, so a second
association made for the role elsewhere in the account (another cluster, namespace or service
account, by anyone allowed to pass the role) gets no credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws.eks as eks
import pulumi_aws.iam as iam

from ..naming import child_name
from ..policy_documents import document, render

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
# The session tags EKS Pod Identity sets when it assumes a role for a pod.
CLUSTER_TAG = "aws:RequestTag/eks-cluster-name"
NAMESPACE_TAG = "aws:RequestTag/kubernetes-namespace"
SERVICE_ACCOUNT_TAG = "aws:RequestTag/kubernetes-service-account"


def pod_identity_role(
    name: str,
    *,
    description: str,
    account_id: str,
    cluster_name: str,
    namespace: pulumi.Input[str],
    service_account: str,
    role_path: str,
    policy_name: str,
    statements: list[dict[str, Any]],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> iam.Role:
    """``<name>-role`` with ``<name>-<policy_name>`` and ``<name>-pod-identity``, all children of ``parent``."""
    child = pulumi.ResourceOptions(parent=parent)
    role = iam.Role(
        child_name(f"{name}-role", "aws:iam/role:Role"),
        path=role_path,
        description=description,
        assume_role_policy=render(
            document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": POD_IDENTITY_SERVICE},
                    # EKS Pod Identity tags the session with the cluster, namespace and service account.
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                    "Condition": {
                        "StringEquals": {
                            "aws:SourceAccount": account_id,
                            CLUSTER_TAG: cluster_name,
                            NAMESPACE_TAG: namespace,
                            SERVICE_ACCOUNT_TAG: service_account,
                        }
                    },
                }
            )
        ),
        tags=dict(tags),
        opts=child,
    )
    iam.RolePolicy(
        child_name(f"{name}-{policy_name}", "aws:iam/rolePolicy:RolePolicy"),
        role=role.name,
        policy=render(document(*statements)),
        opts=child,
    )
    eks.PodIdentityAssociation(
        f"{name}-pod-identity",
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=role.arn,
        # The role's trust matches the session tags: without them no pod would get credentials.
        disable_session_tags=False,
        tags=dict(tags),
        opts=child,
    )
    return role
