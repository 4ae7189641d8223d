"""ImageRepository: a private ECR repository for an image the platform's jobs run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.ecr as ecr

from ..limits import in_range, satisfies, tags_problem

REPOSITORY_NAME_LIMIT = 256
"""CreateRepository: repositoryName is 2-256 characters."""


@dataclass(frozen=True)
class ImageRepositoryArgs:
    repository_name: str
    """The repository's name (lowercase letters, digits, ``-_./``)."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed key of the images (its policy must let the account use it through ECR)."""
    tags: Mapping[str, str]
    """Tags of the repository."""
    untagged_expiry_days: int = 14
    """Untagged images (left behind by an interrupted push) are deleted after this many days."""
    retain: bool = False
    """Keep the repository (and its images) when the stack is destroyed."""

    def __post_init__(self) -> None:
        satisfies(self, "tags", tags_problem)
        in_range(self, "untagged_expiry_days", 1, 3650)
        name = self.repository_name
        if not (2 <= len(name) <= REPOSITORY_NAME_LIMIT and name == name.lower()):
            raise ValueError(
                f"ImageRepositoryArgs.repository_name: '{name}' must be 2-{REPOSITORY_NAME_LIMIT} lowercase characters"
            )


def lifecycle_policy(untagged_expiry_days: int) -> str:
    """ECR lifecycle policy: expire untagged images; tagged (immutable) ones are the jobs' and stay."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {untagged_expiry_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": untagged_expiry_days,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
    )


class ImageRepository(pulumi.ComponentResource):
    """A private ECR repository: KMS-encrypted with the given key, immutable tags (a job's image
    cannot change under the same tag), scan on push, untagged images expired. No repository policy:
    only principals of the account whose IAM policies allow it pull (the jobs' roles, by ECR pull
    permissions on the account's repositories), and nothing is public."""

    repository_url: pulumi.Output[str]
    """``<account>.dkr.ecr.<region>.amazonaws.com/<name>``: where to push, and the jobs' image (with a tag)."""
    repository_arn: pulumi.Output[str]
    """ARN of the repository."""

    def __init__(
        self, name: str, args: ImageRepositoryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:foundation:ImageRepository", name, None, opts)
        repository = ecr.Repository(
            f"{name}-repository",
            name=args.repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=args.kms_key_arn)
            ],
            force_delete=False,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain),
        )
        ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repository.name,
            policy=lifecycle_policy(args.untagged_expiry_days),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.repository_url = repository.repository_url
        self.repository_arn = repository.arn
        self.register_outputs({"repository_url": self.repository_url, "repository_arn": self.repository_arn})
