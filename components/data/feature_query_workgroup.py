"""FeatureQueryWorkgroup: the Athena workgroup the training pipelines query the offline stores through."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.athena as athena

from ..limits import account_id_problem, satisfies, tags_problem
from ..output_text import concat

ENGINE_VERSION = "Athena engine version 3"
"""Trino-based engine: Iceberg tables (the offline store's default format) and ``from_iso8601_timestamp``."""
RESULTS_PREFIX = "athena-results/"
"""Where query results land in the results bucket (``s3://<bucket>/athena-results/<workgroup>/``)."""
MIN_SCAN_CUTOFF_BYTES = 10_000_000
"""Athena's smallest BytesScannedCutoffPerQuery: 10 MB, decimal (the API's documented minimum, 10000000)."""
_WORKGROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}\Z")


@dataclass(frozen=True)
class FeatureQueryWorkgroupArgs:
    workgroup_name: str
    """Name of the workgroup (1-128 letters, digits, ``.``, ``_``, ``-``; unique in the account and region)."""
    account_id: str
    """Account that must own the results bucket (``ExpectedBucketOwner``)."""
    results_bucket_name: pulumi.Input[str]
    """Bucket of the query results (the artifact bucket); they go under ``athena-results/<workgroup>/``."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed key the results are encrypted with (SSE-KMS)."""
    bytes_scanned_cutoff_per_query: int
    """A query that would scan more is cancelled (and costs what it scanned so far)."""
    tags: Mapping[str, str]
    """Tags of the workgroup."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "tags", tags_problem)
        if not _WORKGROUP.match(self.workgroup_name):
            raise ValueError(
                f"FeatureQueryWorkgroupArgs.workgroup_name {self.workgroup_name!r}: 1-128 letters, digits, '.', '_' or '-'"
            )
        if isinstance(self.bytes_scanned_cutoff_per_query, bool) or not (
            isinstance(self.bytes_scanned_cutoff_per_query, int)
            and self.bytes_scanned_cutoff_per_query >= MIN_SCAN_CUTOFF_BYTES
        ):
            raise ValueError(
                f"FeatureQueryWorkgroupArgs.bytes_scanned_cutoff_per_query {self.bytes_scanned_cutoff_per_query!r}: "
                f"an integer of at least {MIN_SCAN_CUTOFF_BYTES} (Athena's minimum, 10 MB)"
            )


class FeatureQueryWorkgroup(pulumi.ComponentResource):
    """An Athena workgroup whose settings every query must use.

    Security posture: the workgroup's configuration is enforced (a query cannot choose another
    results location or switch encryption off), results are SSE-KMS with the platform key in the
    artifact bucket, owned by the stack's account; a query that would scan more than the cutoff is
    cancelled. Engine version 3, CloudWatch metrics on.
    """

    workgroup_name: pulumi.Output[str]
    """Name of the workgroup (what a query's ``WorkGroup`` names)."""
    workgroup_arn: pulumi.Output[str]
    """ARN of the workgroup (what an IAM policy grants Athena actions on)."""

    def __init__(
        self, name: str, args: FeatureQueryWorkgroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:data:FeatureQueryWorkgroup", name, None, opts)
        workgroup = athena.Workgroup(
            f"{name}-workgroup",
            name=args.workgroup_name,
            description="Point-in-time reads of the feature store's offline stores by the training pipelines",
            configuration=athena.WorkgroupConfigurationArgs(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=args.bytes_scanned_cutoff_per_query,
                requester_pays_enabled=False,
                engine_version=athena.WorkgroupConfigurationEngineVersionArgs(
                    selected_engine_version=ENGINE_VERSION
                ),
                result_configuration=athena.WorkgroupConfigurationResultConfigurationArgs(
                    output_location=concat(
                        "s3://", args.results_bucket_name, "/", RESULTS_PREFIX, args.workgroup_name, "/"
                    ),
                    expected_bucket_owner=args.account_id,
                    encryption_configuration=athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgs(
                        encryption_option="SSE_KMS", kms_key_arn=args.kms_key_arn
                    ),
                ),
            ),
            # A workgroup holding named queries someone saved is not deleted with them.
            force_destroy=False,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.workgroup_name = workgroup.name
        self.workgroup_arn = workgroup.arn
        self.register_outputs({"workgroup_name": self.workgroup_name, "workgroup_arn": self.workgroup_arn})
