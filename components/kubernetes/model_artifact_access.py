"""ModelArtifactAccess: an IAM role a registry-backed model server's service account assumes (EKS Pod
Identity) to read the one model artifact of the approved version it serves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from ..limits import account_id_problem, iam_path_problem, region_problem, satisfies, tags_problem
from ..policy_documents import literal_arn_text
from ._pod_identity import pod_identity_role


def s3_object_arn(url: str) -> str:
    """The ARN of the object at ``s3://bucket/key``, as IAM matches it literally (a ``*``, ``?`` or
    ``$`` of the key is escaped: the version's registered URL names one object, not a pattern)."""
    if not url.startswith("s3://") or "/" not in url[5:] or url.endswith("/"):
        raise ValueError(f"'{url}' is not an s3://bucket/key URI of one object")
    return f"arn:aws:s3:::{literal_arn_text(url[5:])}"


def _bucket_arn(url: str) -> str:
    return "arn:aws:s3:::" + literal_arn_text(url[5:].split("/", 1)[0])


def _key(url: str) -> str:
    """The key as a condition value compares it (no policy variable)."""
    return literal_arn_text(url[5:].split("/", 1)[1])


@dataclass(frozen=True)
class ModelArtifactAccessArgs:
    account_id: str
    """The account of the cluster (the trust policy's ``aws:SourceAccount``)."""
    region: str
    """Region of the artifact's bucket and key (the key is used only through S3 there)."""
    cluster_name: str
    """The EKS cluster the server runs on (it needs the ``eks-pod-identity-agent`` add-on)."""
    namespace: str
    """The server's namespace."""
    service_account: str
    """The server's service account."""
    model_data_url: str
    """``s3://bucket/key`` of the artifact: the one object the role may read."""
    kms_key_arn: pulumi.Input[str]
    """The key the artifact is encrypted with (SSE-KMS)."""
    role_path: str
    """IAM path of the role (the platform keys' policies let the roles under it use them)."""
    tags: Mapping[str, str]
    """Tags on the role and the association."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", iam_path_problem)
        satisfies(self, "tags", tags_problem)
        s3_object_arn(self.model_data_url)


class ModelArtifactAccess(pulumi.ComponentResource):
    """An IAM role bound by EKS Pod Identity to a model server's service account, allowed
    ``s3:GetObject`` on exactly one model artifact, ``s3:ListBucket`` of exactly its key (KServe's
    storage initializer lists before it downloads) and ``kms:Decrypt`` of its key only through S3.

    Security posture: only EKS Pod Identity of this account may assume the role, and only for the
    association's cluster, namespace and service account (the trust matches the session tags EKS
    Pod Identity sets); a new version gets a new policy.
    """

    role_arn: pulumi.Output[str]
    """ARN of the role the server reads its artifact with."""

    def __init__(
        self, name: str, args: ModelArtifactAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:kubernetes:ModelArtifactAccess", name, None, opts)
        role = pod_identity_role(
            name,
            description=f"Model server {args.namespace}/{args.service_account} reads its approved model artifact",
            account_id=args.account_id,
            cluster_name=args.cluster_name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_path=args.role_path,
            policy_name="read",
            statements=[
                {
                    "Sid": "ReadTheApprovedArtifact",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": s3_object_arn(args.model_data_url),
                },
                {
                    # KServe's storage initializer lists the URI before downloading it (its S3
                    # download iterates ListObjects under the URI's key, even for one object): that
                    # one key only, so the listing names nothing but the artifact.
                    "Sid": "ListTheApprovedArtifact",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": _bucket_arn(args.model_data_url),
                    "Condition": {"StringEquals": {"s3:prefix": _key(args.model_data_url)}},
                },
                {
                    "Sid": "DecryptThroughS3",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": args.kms_key_arn,
                    "Condition": {"StringEquals": {"kms:ViaService": f"s3.{args.region}.amazonaws.com"}},
                },
            ],
            tags=args.tags,
            parent=self,
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn})
