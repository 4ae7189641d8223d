"""FeatureStore: SageMaker feature groups from typed specs, KMS-encrypted online and offline stores."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import pulumi
import pulumi_aws.sagemaker as sagemaker
from pydantic import BaseModel, Field, field_validator, model_validator

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..limits import SPEC_CONFIG
from ..naming import prefixed
from ..policy_documents import kms_use

# SageMaker's FeatureGroupName / FeatureName pattern: letters and digits, single '-' or '_' between.
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}\Z")
# Names the offline store adds to every record; a feature may not use them.
RESERVED_FEATURE_NAMES = frozenset({"is_deleted", "write_time", "api_invocation_time"})
OFFLINE_STORE_PREFIX = "feature-store/"
FEATURE_STORE_GLUE_DATABASE = "sagemaker_featurestore"


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


class FeatureSpec(_Spec):
    name: str = Field(description="Feature name: 1-64 letters/digits, separated by - or _.")
    type: Literal["Integral", "Fractional", "String"] = Field(description="SageMaker feature type.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _SAGEMAKER_NAME.match(value):
            raise ValueError(
                f"'{value}' is not a valid feature name: 1-64 letters or digits, separated by - or _"
            )
        if value.lower() in RESERVED_FEATURE_NAMES:
            raise ValueError(
                f"'{value}' is reserved by the offline store ({', '.join(sorted(RESERVED_FEATURE_NAMES))})"
            )
        return value


class OnlineTtl(_Spec):
    value: Annotated[int, Field(ge=1)] = Field(
        description="How many units a record lives in the online store."
    )
    unit: Literal["Seconds", "Minutes", "Hours", "Days", "Weeks"] = Field(description="Unit of `value`.")


class FeatureGroupSpec(_Spec):
    """One feature group: its schema and which stores it has."""

    name: str = Field(description="Feature group name: 1-64 letters/digits, separated by - or _.")
    description: str = Field(
        default="",
        max_length=128,
        description="Shown in the SageMaker console; default: `<name>: one record per <record_identifier>`. "
        "Set when the group is created: SageMaker cannot change it, so a later edit is not applied.",
    )
    record_identifier: str = Field(description="Name of the feature that identifies a record.")
    event_time: str = Field(description="Name of the feature holding the record's event time.")
    features: Annotated[list[FeatureSpec], Field(min_length=2, max_length=2500)] = Field(
        description="The schema: every feature, including the record identifier and event time."
    )
    online: bool = Field(default=True, description="Low-latency online store (KMS-encrypted).")
    offline: bool = Field(default=True, description="Offline store in the data bucket (KMS-encrypted).")
    online_ttl: OnlineTtl | None = Field(default=None, description="Expire online records after this long.")
    glue_catalog: Literal["managed", "disabled"] = Field(
        default="managed", description="`managed`: Feature Store creates the Glue table of the offline store."
    )
    table_format: Literal["Iceberg", "Glue"] = Field(
        default="Iceberg", description="Offline store table format."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _SAGEMAKER_NAME.match(value):
            raise ValueError(
                f"'{value}' is not a valid feature group name: 1-64 letters or digits, separated by - or _"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FeatureGroupSpec:
        names = [feature.name for feature in self.features]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate feature names: {', '.join(duplicates)}")
        types = {feature.name: feature.type for feature in self.features}
        if self.record_identifier not in types:
            raise ValueError(f"record_identifier '{self.record_identifier}' is not a declared feature")
        if types[self.record_identifier] == "Fractional":
            raise ValueError(
                f"record_identifier '{self.record_identifier}' must be Integral or String, not Fractional"
            )
        if self.event_time not in types:
            raise ValueError(f"event_time '{self.event_time}' is not a declared feature")
        if types[self.event_time] not in ("String", "Fractional"):
            raise ValueError(
                f"event_time '{self.event_time}' must be String or Fractional, not {types[self.event_time]}"
            )
        if not (self.online or self.offline):
            raise ValueError("a feature group needs an online store, an offline store, or both")
        if self.online_ttl is not None and not self.online:
            raise ValueError("online_ttl needs the online store (online: true)")
        return self


def glue_table_prefix(feature_group_name: str) -> str:
    """Feature Store names the offline table ``<group>_<creation time>``, lower-cased, with ``_``."""
    return feature_group_name.lower().replace("-", "_")


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
    """Starts each feature group's name (``<prefix>-<spec name>``): stacks sharing an account differ."""


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
        names = [group.name for group in args.groups]
        if len(set(names)) != len(names):
            raise ValueError(f"FeatureStore {name}: feature group names must be unique: {names}")

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
                    s3_uri=pulumi.Output.concat("s3://", args.data_bucket_name, "/", prefix),
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
        objects = pulumi.Output.concat(args.data_bucket_arn, "/", prefix, "*")
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
