"""The feature store's specs: feature groups as a stack file declares them (no Pulumi: the stack
file's configuration model reads them before anything is planned)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import INT32_MAX, SPEC_CONFIG, fail_at, listed

# SageMaker's FeatureGroupName / FeatureName pattern: letters and digits, single '-' or '_' between.
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}\Z")
_SAGEMAKER_NAME_MAX = 64  # the shapes' max: the pattern bounds the letters and digits, not the separators


def _is_sagemaker_name(value: str) -> bool:
    return _SAGEMAKER_NAME.match(value) is not None and len(value) <= _SAGEMAKER_NAME_MAX


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
        if not _is_sagemaker_name(value):
            raise ValueError(
                f"'{value}' is not a valid feature name: 1-64 letters or digits, separated by - or _"
            )
        if value.lower() in RESERVED_FEATURE_NAMES:
            raise ValueError(
                f"'{value}' is reserved by the offline store ({', '.join(sorted(RESERVED_FEATURE_NAMES))})"
            )
        return value


class OnlineTtl(_Spec):
    value: Annotated[int, Field(ge=1, le=INT32_MAX)] = Field(
        description="How many units a record lives in the online store (`TtlDuration.Value`, a 32-bit "
        "integer)."
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
        default="managed",
        description="`managed`: Feature Store creates the Glue table of the offline store; `disabled` needs "
        "`table_format: Glue`.",
    )
    table_format: Literal["Iceberg", "Glue"] = Field(
        default="Iceberg", description="Offline store table format (`Iceberg` needs `glue_catalog: managed`)."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _is_sagemaker_name(value):
            raise ValueError(
                f"'{value}' is not a valid feature group name: 1-64 letters or digits, separated by - or _"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FeatureGroupSpec:
        # Each rule names the key to change (fail_at), not only the feature group.
        model = "FeatureGroupSpec"
        names = [feature.name for feature in self.features]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            fail_at(model, ("features",), duplicates, f"duplicate feature names: {listed(duplicates)}")
        folded = [name.lower() for name in names]
        alike = sorted({name for name in names if folded.count(name.lower()) > 1})
        if alike and self.offline:
            # Athena: "Athena accepts mixed case in DDL and DML queries, but lower cases the names
            # when it executes the query" (Name databases, tables, and columns).
            fail_at(
                model,
                ("features",),
                alike,
                f"feature names {listed(alike)} differ only in case, but the offline store's Glue table "
                "lower-cases its column names (Athena reads them that way), so they would be one column: "
                "rename one",
            )
        types = {feature.name: feature.type for feature in self.features}
        if self.record_identifier not in types:
            fail_at(
                model,
                ("record_identifier",),
                self.record_identifier,
                f"record_identifier '{self.record_identifier}' is not a declared feature",
            )
        if types[self.record_identifier] == "Fractional":
            fail_at(
                model,
                ("record_identifier",),
                self.record_identifier,
                f"record_identifier '{self.record_identifier}' must be Integral or String, not Fractional",
            )
        if self.event_time not in types:
            fail_at(
                model,
                ("event_time",),
                self.event_time,
                f"event_time '{self.event_time}' is not a declared feature",
            )
        if types[self.event_time] not in ("String", "Fractional"):
            fail_at(
                model,
                ("event_time",),
                self.event_time,
                f"event_time '{self.event_time}' must be String or Fractional, not {types[self.event_time]}",
            )
        if not (self.online or self.offline):
            raise ValueError("a feature group needs an online store, an offline store, or both")
        if self.online_ttl is not None and not self.online:
            fail_at(
                model, ("online_ttl",), self.online_ttl, "online_ttl needs the online store (online: true)"
            )
        if self.offline and self.glue_catalog == "disabled" and self.table_format == "Iceberg":
            # CreateFeatureGroup: "The Iceberg table format is only supported when
            # DisableGlueTableCreation is set to False"; caught here, not at `pulumi up`.
            fail_at(
                model,
                ("table_format",),
                self.table_format,
                "table_format Iceberg needs glue_catalog: managed (SageMaker creates an Iceberg offline store "
                "only with its Glue table): set table_format: Glue, or glue_catalog: managed",
            )
        return self


def glue_table_prefix(feature_group_name: str) -> str:
    """Feature Store names the offline table ``<group>_<creation time>``, lower-cased, with ``_``."""
    return feature_group_name.lower().replace("-", "_")
