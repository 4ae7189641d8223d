"""Scripts a SageMaker pipeline's steps run, uploaded next to the pipeline's definition."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pulumi
import pulumi_aws.s3 as s3

from .limits import object_tags


def upload_pipeline_script(
    parent: pulumi.Resource,
    resource_name: str,
    path: Path,
    *,
    bucket: pulumi.Input[str],
    pipeline_name: str,
    family: str,
    kms_key_arn: pulumi.Input[str],
    tags: Mapping[str, str],
    object_tag_keys: Sequence[str],
) -> s3.BucketObjectv2:
    """``pipelines/<pipeline>/code/<content hash>/<file name>``, KMS-encrypted: a changed script gets
    a new key, so a running execution keeps reading the one it started with. The file keeps its
    name: the train script's is the serving container's module name."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return s3.BucketObjectv2(
        resource_name,
        bucket=bucket,
        key=f"pipelines/{pipeline_name}/code/{digest}/{path.name}",
        source=pulumi.FileAsset(str(path)),
        content_type="text/x-python",
        server_side_encryption="aws:kms",
        kms_key_id=kms_key_arn,
        tags=object_tags(tags, {"mlops:model-family": family}, object_tag_keys),
        opts=pulumi.ResourceOptions(parent=parent),
    )
