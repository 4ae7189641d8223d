"""Athena rules: a workgroup enforces its own KMS-encrypted results configuration.

A workgroup whose configuration is not enforced lets every query choose its own results location
and encryption (or none), so the workgroup's settings prove nothing about where results land.
Results are copies of the data queried: they are encrypted with a KMS key (``SSE_KMS`` or
``CSE_KMS``, with the key named), never ``SSE_S3`` or unencrypted. A workgroup that keeps its
results in Athena-owned storage (``managedQueryResultsConfiguration.enabled``) passes when that
storage is encrypted with a named KMS key (``managedQueryResultsConfiguration.encryptionConfiguration.kmsKey``).

aws-native's deprecated ``workGroupConfigurationUpdates`` must not undo any of it (turn enforcement
off, remove the results encryption, pick a non-KMS option, or enable managed results without a KMS
key).

An unset enforcement flag is judged by the resource type's default: pulumi-aws (the Terraform
provider) defaults ``enforceWorkgroupConfiguration`` to true; aws-native (CloudFormation) to false.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    CHECKOV,
    HIGH,
    MANDATORY,
    each_part,
    framework,
    get,
    is_false,
    is_set,
    is_true,
    resource_rule,
    shown,
)

WORKGROUP = "aws:athena/workgroup:Workgroup"
NATIVE_WORKGROUP = "aws-native:athena:WorkGroup"
KMS_OPTIONS = ("SSE_KMS", "CSE_KMS")

Check = Iterator[str]

# Where each setting lives: pulumi-aws (``configuration``) and aws-native (``workGroupConfiguration``).
_PATHS = {
    WORKGROUP: {
        "enforce": "configuration.enforceWorkgroupConfiguration",
        "option": "configuration.resultConfiguration.encryptionConfiguration.encryptionOption",
        "key": "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn",
        "managed": "configuration.managedQueryResultsConfiguration",
    },
    NATIVE_WORKGROUP: {
        "enforce": "workGroupConfiguration.enforceWorkGroupConfiguration",
        "option": "workGroupConfiguration.resultConfiguration.encryptionConfiguration.encryptionOption",
        "key": "workGroupConfiguration.resultConfiguration.encryptionConfiguration.kmsKey",
        "managed": "workGroupConfiguration.managedQueryResultsConfiguration",
    },
}
ENFORCED_BY_DEFAULT = {WORKGROUP: True, NATIVE_WORKGROUP: False}
"""What an unset enforcement flag means: pulumi_aws/athena/_inputs.py ("Defaults to `true`"); the
CloudFormation resource's default is false."""


UPDATES = "workGroupConfigurationUpdates"


def _native_updates(props: Any) -> Check:
    """What aws-native's deprecated ``workGroupConfigurationUpdates`` undoes on an update: it can turn
    enforcement off, remove or weaken the results encryption ``workGroupConfiguration`` sets, or move
    the results to Athena-owned storage (``managedQueryResultsConfiguration``) with no KMS key."""
    updates = get(props, UPDATES)
    if updates is None:
        return

    def enforcement_off() -> Check:
        if is_false(get(updates, "enforceWorkGroupConfiguration")):
            yield (
                f"{UPDATES}.enforceWorkGroupConfiguration is false: the update turns enforcement off; "
                "remove it (the property is deprecated) and set workGroupConfiguration instead."
            )

    def encryption_removed() -> Check:
        if is_true(get(updates, "resultConfigurationUpdates.removeEncryptionConfiguration")):
            yield (
                f"{UPDATES}.resultConfigurationUpdates.removeEncryptionConfiguration is true: the update "
                "removes the results encryption; remove it and set workGroupConfiguration instead."
            )

    def option_weakened() -> Check:
        option = get(updates, "resultConfigurationUpdates.encryptionConfiguration.encryptionOption")
        if option is not None and option not in KMS_OPTIONS:
            yield (
                f"{UPDATES}.resultConfigurationUpdates.encryptionConfiguration.encryptionOption is {shown(option)}: "
                f"encrypt query results with KMS ({' or '.join(KMS_OPTIONS)}) and a customer-managed key."
            )

    def managed_unkeyed() -> Check:
        managed = get(updates, "managedQueryResultsConfiguration")
        if is_true(get(managed, "enabled")) and not is_set(get(managed, "encryptionConfiguration.kmsKey")):
            yield (
                f"{UPDATES}.managedQueryResultsConfiguration enables Athena-owned results storage without "
                "encryptionConfiguration.kmsKey: the update moves query results out of the KMS-encrypted "
                "location; remove it and set workGroupConfiguration instead."
            )

    yield from each_part(enforcement_off, encryption_removed, option_weakened, managed_unkeyed)


def _workgroup_encrypted_enforced(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    """Enforcement, results encryption and the deprecated updates are judged apart: a value unknown at
    preview in one (an Output for the enforcement flag) leaves the others' findings decided."""
    paths = _PATHS[args.resource_type]
    props: Any = args.props

    def updates() -> Check:
        if args.resource_type == NATIVE_WORKGROUP:
            yield from _native_updates(props)

    def enforced() -> Check:
        enforce = get(props, paths["enforce"])
        if enforce is None:
            enforce = ENFORCED_BY_DEFAULT[args.resource_type]
        if not is_true(enforce):
            yield (
                f"{paths['enforce']} is not true: queries could choose their own results location and "
                "encryption; set enforce_workgroup_configuration=True."
            )

    def encrypted() -> Check:
        if is_true(get(props, f"{paths['managed']}.enabled")):
            managed_key = f"{paths['managed']}.encryptionConfiguration.kmsKey"
            if not is_set(get(props, managed_key)):
                yield (
                    f"{managed_key} is unset: results in Athena-owned storage are copies of the data; "
                    "encrypt them with a customer-managed KMS key."
                )
            return
        option = get(props, paths["option"])
        if option not in KMS_OPTIONS:
            yield (
                f"{paths['option']} is {shown(option)}: query results are copies of the data; encrypt them "
                f"with KMS ({' or '.join(KMS_OPTIONS)}) and a customer-managed key."
            )
        elif not is_set(get(props, paths["key"])):
            yield f"{paths['key']} is unset: name the customer-managed KMS key the results are encrypted with."

    yield from each_part(updates, enforced, encrypted)


athena_workgroup_encrypted_enforced = resource_rule(
    name="athena-workgroup-encrypted-enforced",
    description=(
        "Athena workgroups must enforce their configuration and encrypt query results with a KMS key. "
        "Fix: set configuration.enforceWorkgroupConfiguration=true and "
        "resultConfiguration.encryptionConfiguration {encryptionOption: SSE_KMS, kmsKeyArn: <key>}."
    ),
    resource_types=[WORKGROUP, NATIVE_WORKGROUP],
    check=_workgroup_encrypted_enforced,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_82", "CKV_AWS_159"),
    tags=["athena", "encryption"],
)

POLICIES = [athena_workgroup_encrypted_enforced]
