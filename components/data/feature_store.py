"""FeatureStore: SageMaker feature groups from typed specs, KMS-encrypted online and offline stores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.sagemaker as sagemaker

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..limits import (
    account_id_problem,
    instances_problem,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import name_prefix_problem, prefixed, prefixed_within_limit
from ..output_text import concat
from ..policy_documents import kms_use
from .feature_store_spec import (
    FEATURE_STORE_GLUE_DATABASE,
    OFFLINE_STORE_PREFIX,
    FeatureGroupSpec,
    glue_table_prefix,
)

FEATURE_GROUP_TYPE = "aws:sagemaker/featureGroup:FeatureGroup"


@dataclass(frozen=True)
class FeatureStoreArgs:
    groups: Sequence[FeatureGroupSpec]
    """The feature groups to create, each with its own role; names must be unique."""
    account_id: str
    """The 12-digit AWS account of the feature groups (trust of their roles, Glue ARNs)."""
    region: str
    """Region of the feature groups' Glue catalog tables (in their roles' permissions)."""
    data_bucket_name: pulumi.Input[str]
    """Bucket of the offline stores; each group writes under ``feature-store/<group>/``."""
    data_bucket_arn: pulumi.Input[str]
    """ARN of that bucket, to which each group's role is scoped."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed KMS key of the online stores and the offline stores' objects."""
    role_path: str
    """IAM path of the groups' roles (the KMS key policy trusts roles under it)."""
    tags: Mapping[str, str]
    """Tags of the feature groups (plus ``mlops:feature-group``) and of their roles."""
    retain: bool = True
    """Protect the feature groups from `pulumi destroy` and keep them when removed from the program."""
    name_prefix: str | None = None
    """Starts each feature group's name (``<prefix>-<spec name>``, at most 64 characters in all):
    stacks sharing an account differ."""

    def __post_init__(self) -> None:
        satisfies(self, "groups", lambda value: instances_problem(value, FeatureGroupSpec))
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        names = [group.name for group in self.groups]
        if len(set(names)) != len(names):
            raise ValueError(f"FeatureStoreArgs.groups: feature group names must be unique: {names}")
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        satisfies(self, "name_prefix", lambda prefix: name_prefix_problem(prefix, underscores=True))
        for index, group in enumerate(self.groups):
            prefixed_within_limit(
                f"FeatureStoreArgs.groups[{index}].name", self.name_prefix, group.name, FEATURE_GROUP_TYPE
            )


class FeatureStore(pulumi.ComponentResource):
    """One SageMaker feature group per spec, each with its own execution role.

    Security posture: the online store is encrypted with the platform key; the offline store lives
    under ``feature-store/<group>/`` of the data bucket, encrypted with the same key; a group's role
    may only write that prefix, use that key and update that group's Glue table.
    """

    feature_group_names: pulumi.Output[list[str]]
    """Names of the feature groups, in spec order."""
    feature_group_arns: pulumi.Output[list[str]]
    """ARNs of the feature groups, in spec order."""

    def __init__(self, name: str, args: FeatureStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:data:FeatureStore", name, None, opts)
        groups = [self._create_group(f"{name}-{spec.name}", spec, args) for spec in args.groups]

        self.feature_group_names = pulumi.Output.all(*[group.feature_group_name for group in groups])
        self.feature_group_arns = pulumi.Output.all(*[group.arn for group in groups])
        self.register_outputs(
            {"feature_group_names": self.feature_group_names, "feature_group_arns": self.feature_group_arns}
        )

    def _create_group(
        self, name: str, spec: FeatureGroupSpec, args: FeatureStoreArgs
    ) -> sagemaker.FeatureGroup:
        group_name = prefixed(args.name_prefix, spec.name)
        prefix = f"{OFFLINE_STORE_PREFIX}{spec.name}/"
        role = ExecutionRole(
            f"{name}-store",
            ExecutionRoleArgs(
                description=f"Feature Store offline store writer for feature group {spec.name}",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=self._role_statements(spec, group_name, prefix, args),
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        online = None
        if spec.online:
            online = sagemaker.FeatureGroupOnlineStoreConfigArgs(
                enable_online_store=True,
                storage_type="Standard",
                security_config=sagemaker.FeatureGroupOnlineStoreConfigSecurityConfigArgs(
                    kms_key_id=args.kms_key_arn
                ),
                ttl_duration=(
                    sagemaker.FeatureGroupOnlineStoreConfigTtlDurationArgs(
                        value=spec.online_ttl.value, unit=spec.online_ttl.unit
                    )
                    if spec.online_ttl
                    else None
                ),
            )
        offline = None
        if spec.offline:
            offline = sagemaker.FeatureGroupOfflineStoreConfigArgs(
                s3_storage_config=sagemaker.FeatureGroupOfflineStoreConfigS3StorageConfigArgs(
                    s3_uri=concat("s3://", args.data_bucket_name, "/", prefix),
                    kms_key_id=args.kms_key_arn,
                ),
                disable_glue_table_creation=spec.glue_catalog == "disabled",
                table_format=spec.table_format,
            )
        return sagemaker.FeatureGroup(
            name,
            feature_group_name=group_name,
            # Config's sagemaker-featuregroup-description: never empty, so the catalogue says what it is.
            description=spec.description or f"{spec.name}: one record per {spec.record_identifier}"[:128],
            record_identifier_feature_name=spec.record_identifier,
            event_time_feature_name=spec.event_time,
            feature_definitions=[
                sagemaker.FeatureGroupFeatureDefinitionArgs(
                    feature_name=feature.name, feature_type=feature.type
                )
                for feature in spec.features
            ],
            online_store_config=online,
            offline_store_config=offline,
            role_arn=role.role_arn,
            tags={**args.tags, "mlops:feature-group": spec.name},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.retain,
                retain_on_delete=args.retain,
                # SageMaker cannot update a description (the provider replaces the group for it): set
                # at creation only, so neither the derived one nor an edit replaces a deployed group
                # and drops its online store.
                ignore_changes=["description"],
            ),
        )

    @staticmethod
    def _role_statements(
        spec: FeatureGroupSpec, group_name: str, prefix: str, args: FeatureStoreArgs
    ) -> list[dict]:
        statements: list[dict] = kms_use([args.kms_key_arn])
        if not spec.offline:
            return statements
        objects = concat(args.data_bucket_arn, "/", prefix, "*")
        statements += [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject"],
                "Resource": objects,
            },
            {"Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": args.data_bucket_arn},
        ]
        if spec.glue_catalog == "managed":
            glue = f"arn:aws:glue:{args.region}:{args.account_id}"
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": ["glue:GetTable", "glue:UpdateTable"],
                    "Resource": [
                        f"{glue}:catalog",
                        f"{glue}:database/{FEATURE_STORE_GLUE_DATABASE}",
                        f"{glue}:table/{FEATURE_STORE_GLUE_DATABASE}/{glue_table_prefix(group_name)}_*",
                    ],
                }
            )
        return statements
