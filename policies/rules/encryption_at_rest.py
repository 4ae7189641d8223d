"""Encryption at rest of every data store, as a class: an adopter's stack may hold its own databases,
volumes, file systems and streams beside the platform's components, and a store left unencrypted is a
finding however the platform's own resources are built.

:data:`ENCRYPTION_SWITCHES` is the class: each type whose data at rest is encrypted only when an input
says so, the input(s) read, the values that encrypt, and what an *unset* input means (AWS's or the
provider's default, from the provider's docstring and the service's API reference). An explicit off
(``false``, ``NONE``) is refused; an unset input is refused where the default stores the data
unencrypted, and passes where it encrypts or where the resource takes its encryption from a source it
names (a snapshot, a replica's source, a global cluster): that source is judged where it is declared.
An unknown value is undecided (the engine's ``UnknownValueError``), never a violation.

Every other input of the installed providers named like an encryption-at-rest switch is listed in
:data:`NOT_ENCRYPTION_SWITCHES` with why it is none (encryption in transit, a key whose absence still
encrypts under an AWS key, an export's destination...) or in :data:`NOT_YET_JUDGED` with why this rule
does not judge it yet (``tests/policies/test_encryption_at_rest_65.py`` scans the SDKs and fails on one
in none of the three tables).

The S3, SNS, SQS, CloudWatch Logs, SageMaker, Athena, CloudTrail and EKS rules judge their own types
(with a customer key); this rule asks only that the data be encrypted at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import FSBP, MANDATORY, MEDIUM, framework, get, is_set, is_true, resource_rule, shown


@dataclass(frozen=True)
class Switch:
    """How one type's data at rest is encrypted.

    ``path``: the input (dotted camelCase). ``on``: the values that encrypt (``True`` for a boolean:
    ``true`` or ``"true"``; strings compared case-insensitively). ``unset``: why an unset input leaves
    the data unencrypted (refused), or ``None`` where unset encrypts (passes). ``sources``: inputs that,
    when set, make an unset switch follow the source they name. ``fix``: what to write, in Python.
    ``unless``: (input, values) that make an unset switch encrypt (a serverless engine mode...).
    """

    path: str
    fix: str
    on: tuple[Any, ...] = (True,)
    unset: str | None = None
    sources: tuple[str, ...] = ()
    unless: tuple[str, tuple[str, ...]] | None = None


_RDS_DEFAULT = "RDS creates the storage unencrypted by default (CreateDBInstance/CreateDBCluster: StorageEncrypted false)"
_ACCOUNT_DEFAULT = (
    "the volume is then encrypted only if the account's EBS encryption by default is on in its Region, "
    "which a stack cannot see (a volume from a snapshot takes the snapshot's state)"
)

#: type token -> its switch. pulumi-aws and aws-native twins side by side.
ENCRYPTION_SWITCHES: dict[str, Switch] = {
    # EBS: unset follows the account's encryption-by-default setting; encrypted=True costs nothing and
    # also encrypts a volume restored from an unencrypted snapshot. A volume copy (aws-native
    # sourceVolumeId) is always encrypted with its source's key ("You can't copy unencrypted volumes").
    "aws:ebs/volume:Volume": Switch("encrypted", "encrypted=True", unset=_ACCOUNT_DEFAULT),
    "aws-native:ec2:Volume": Switch(
        "encrypted", "encrypted=True", unset=_ACCOUNT_DEFAULT, sources=("sourceVolumeId",)
    ),
    # RDS instances: "The default is `false` if not specified" (pulumi-aws); "By default, it isn't
    # encrypted" (aws-native). A read replica, a restore from a snapshot or point in time takes its
    # source's encryption; an aws-native Aurora instance (dbClusterIdentifier) its cluster's.
    "aws:rds/instance:Instance": Switch(
        "storageEncrypted",
        "storage_encrypted=True",
        unset=_RDS_DEFAULT,
        sources=("replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime"),
    ),
    "aws-native:rds:DbInstance": Switch(
        "storageEncrypted",
        "storage_encrypted=True",
        unset=_RDS_DEFAULT,
        sources=(
            "dbClusterIdentifier",
            "sourceDbInstanceIdentifier",
            "sourceDbiResourceId",
            "sourceDbInstanceAutomatedBackupsArn",
            "sourceDbClusterIdentifier",
            "dbSnapshotIdentifier",
            "dbClusterSnapshotIdentifier",
        ),
    ),
    # RDS clusters: "The default is `false` for `provisioned` `engine_mode` and `true` for `serverless`"
    # (pulumi-aws, which sends nothing when unset: the API's default); a restore, a replica or a
    # secondary of a global cluster takes its source's encryption.
    "aws:rds/cluster:Cluster": Switch(
        "storageEncrypted",
        "storage_encrypted=True",
        unset=_RDS_DEFAULT,
        sources=(
            "snapshotIdentifier",
            "replicationSourceIdentifier",
            "restoreToPointInTime",
            "globalClusterIdentifier",
        ),
        unless=("engineMode", ("serverless",)),
    ),
    "aws-native:rds:DbCluster": Switch(
        "storageEncrypted",
        "storage_encrypted=True",
        unset=_RDS_DEFAULT,
        sources=(
            "snapshotIdentifier",
            "sourceDbClusterIdentifier",
            "sourceDbClusterResourceId",
            "replicationSourceIdentifier",
            "globalClusterIdentifier",
        ),
        unless=("engineMode", ("serverless",)),
    ),
    # EFS: CreateFileSystem encrypts only with Encrypted true (the console's default is not the API's).
    "aws:efs/fileSystem:FileSystem": Switch(
        "encrypted", "encrypted=True", unset="EFS creates the file system unencrypted by default"
    ),
    "aws-native:efs:FileSystem": Switch(
        "encrypted", "encrypted=True", unset="EFS creates the file system unencrypted by default"
    ),
    # Kinesis: "The only acceptable values are `NONE` or `KMS`. The default value is `NONE`" (pulumi-aws);
    # aws-native: no streamEncryption, no server-side encryption (Config kinesis-stream-encrypted:
    # NON_COMPLIANT if 'StreamEncryption' is not present).
    "aws:kinesis/stream:Stream": Switch(
        "encryptionType",
        "encryption_type='KMS' (with kms_key_id)",
        on=("KMS",),
        unset="the default encryptionType is 'NONE'",
    ),
    "aws-native:kinesis:Stream": Switch(
        "streamEncryption.encryptionType",
        "stream_encryption={'encryption_type': 'KMS', 'key_id': ...}",
        on=("KMS",),
        unset="a stream without streamEncryption is not encrypted at rest",
    ),
}

#: ``type input`` of the providers named like an encryption-at-rest switch that is none, and why.
NOT_ENCRYPTION_SWITCHES: dict[str, str] = {}

#: ``type input`` switches this rule does not judge yet, and why (each a known gap, listed so that the
#: class scan still fails on a new one).
NOT_YET_JUDGED: dict[str, str] = {}

Check = Iterator[str]


def _encrypts(value: Any, on: tuple[Any, ...]) -> bool:
    if True in on and is_true(value):
        return True
    return isinstance(value, str) and value.strip().upper() in {
        str(v).upper() for v in on if isinstance(v, str)
    }


def _unset_encrypts(props: Any, switch: Switch) -> str | None:
    """Why an unset switch still encrypts (or follows a source), or None when it leaves data unencrypted."""
    if switch.unset is None:
        return "unset encrypts"
    for source in switch.sources:
        if is_set(get(props, source)):
            return f"follows its source ({source})"
    if switch.unless is not None:
        path, values = switch.unless
        value = get(props, path)
        if isinstance(value, str) and value.lower() in values:
            return f"{path} {value!r} encrypts"
    return None


def _encrypted_at_rest(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    switch = ENCRYPTION_SWITCHES[args.resource_type]
    value = get(args.props, switch.path)
    if value is None:
        if _unset_encrypts(args.props, switch) is None:
            yield (
                f"{args.name}: {switch.path} is unset and {switch.unset}: its data would be stored "
                f"unencrypted at rest. Fix: set {switch.fix}."
            )
        return
    if not _encrypts(value, switch.on):
        yield (
            f"{args.name}: {switch.path} is {shown(value)}, which stores its data unencrypted at rest. "
            f"Fix: set {switch.fix}."
        )


data_stores_encrypted_at_rest = resource_rule(
    name="data-stores-encrypted-at-rest",
    description=(
        "Data stores are encrypted at rest, as a class (ENCRYPTION_SWITCHES in "
        "policies/rules/encryption_at_rest.py): an explicit off (false, 'NONE') is refused, and an unset "
        "switch whose default stores data unencrypted (RDS instances and provisioned clusters, EFS, Kinesis "
        "streams, EBS volumes left to the account's default). Fix: set encrypted/storage_encrypted=True, "
        "encryption_type='KMS' (optionally with your KMS key)."
    ),
    resource_types=list(ENCRYPTION_SWITCHES),
    check=_encrypted_at_rest,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP,
        "RDS.3",
        "RDS.27, EFS.1, Kinesis.1; Cfg rds-cluster-encrypted-at-rest, efs-encrypted-check, kinesis-stream-encrypted",
    ),
    tags=["encryption"],
)

POLICIES = [data_stores_encrypted_at_rest]
