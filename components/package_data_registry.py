"""The component package's data and registry classes (:mod:`components.component_package`): the
feature store and the model registry, each taking its specs as the stack file's JSON.

No ``from __future__ import annotations`` here: the SDK's analyzer reads the annotations as types.
"""

from typing import NotRequired, TypedDict

import pulumi
from pydantic import TypeAdapter

from . import data, registry
from .package_boundary import _child, _from_json, _token, _wire

# -- data and registry -------------------------------------------------------------------------


class FeatureStoreInputs(TypedDict):
    groups_json: str
    """A JSON list of feature groups, each as a stack file's ``feature_groups[]`` entry."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    data_bucket_name: pulumi.Input[str]
    """Bucket of the offline store."""
    data_bucket_arn: pulumi.Input[str]
    """ARN of the offline store's bucket."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed KMS key that encrypts data at rest."""
    role_path: str
    """IAM path of the roles created (e.g. ``/team-x/``); the KMS keys trust this path."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""
    name_prefix: NotRequired[str]
    """Starts each feature group's name (``<prefix>-<name>``)."""


class FeatureStore(pulumi.ComponentResource):
    """SageMaker feature groups: KMS-encrypted online and offline stores, one scoped role each."""

    feature_group_names: pulumi.Output[list[str]]
    """Feature group names, in input order."""
    feature_group_arns: pulumi.Output[list[str]]
    """Feature group ARNs, in input order."""

    def __init__(
        self, name: str, args: FeatureStoreInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, FeatureStoreInputs)
        groups = _from_json(
            TypeAdapter(list[data.FeatureGroupSpec]), values.pop("groups_json"), "groups_json"
        )
        store_args = data.FeatureStoreArgs(groups=groups, **values)
        super().__init__(_token("FeatureStore"), name, {}, opts)
        store = data.FeatureStore(name, store_args, _child(self))
        self.feature_group_names, self.feature_group_arns = (
            store.feature_group_names,
            store.feature_group_arns,
        )
        self.register_outputs(
            {"feature_group_names": self.feature_group_names, "feature_group_arns": self.feature_group_arns}
        )


class ModelRegistryInputs(TypedDict):
    families_json: str
    """A JSON list of model families, each as a stack file's ``models[]`` entry (without ``training``)."""
    approval_mode: str
    """``auto`` (versions that pass evaluation are Approved) or ``manual``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    notification_key_arn: pulumi.Input[str]
    """KMS key of SNS topics (EventBridge and CloudWatch may use it)."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""
    name_prefix: NotRequired[str]
    """Starts every physical name (``<prefix>-<name>``)."""


class ModelRegistry(pulumi.ComponentResource):
    """Model package groups, cross-account read for consumer accounts, approval events to SNS."""

    model_package_group_names: pulumi.Output[list[str]]
    """Model package group names, in input order."""
    model_package_group_arns: pulumi.Output[list[str]]
    """Model package group ARNs, in input order."""
    approval_topic_arn: pulumi.Output[str]
    """SNS topic that receives model package approval-state changes."""

    def __init__(
        self, name: str, args: ModelRegistryInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, ModelRegistryInputs)
        families = _from_json(
            TypeAdapter(list[registry.ModelFamilySpec]), values.pop("families_json"), "families_json"
        )
        registry_args = registry.ModelRegistryArgs(families=families, **values)
        super().__init__(_token("ModelRegistry"), name, {}, opts)
        groups = registry.ModelRegistry(name, registry_args, _child(self))
        self.model_package_group_names = groups.model_package_group_names
        self.model_package_group_arns = groups.model_package_group_arns
        self.approval_topic_arn = groups.approval_topic_arn
        self.register_outputs(
            {
                "model_package_group_names": self.model_package_group_names,
                "model_package_group_arns": self.model_package_group_arns,
                "approval_topic_arn": self.approval_topic_arn,
            }
        )
