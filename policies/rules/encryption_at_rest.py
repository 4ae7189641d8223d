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
``NOT_ENCRYPTION_SWITCHES`` (``_encryption_classes.py``) with why it is none (encryption in transit, a key
whose absence still encrypts under an AWS key, an image's read-back devices...) or in ``NOT_YET_JUDGED``
with why this rule does not judge it yet (``tests/policies/test_encryption_at_rest_65.py`` scans the SDKs and fails on one
in none of the three tables).

The S3, SNS, SQS, CloudWatch Logs, SageMaker, Athena, CloudTrail and EKS rules judge their own types
(with a customer key); this rule asks only that the data be encrypted at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    FSBP,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    is_false,
    is_seq,
    is_set,
    is_true,
    items,
    resource_rule,
    shown,
)


@dataclass(frozen=True)
class Switch:
    """How one input of a type encrypts its data at rest.

    ``path``: the input (dotted camelCase; ``[]`` steps into each element of a list). ``on``: the values
    that encrypt (``True``/``False`` for a boolean, ``False`` where the input *disables* encryption;
    strings compared case-insensitively). ``unset``: why an unset input leaves the data unencrypted
    (refused), or ``None`` where unset encrypts or its default is not documented (passes; explicit off is
    still refused). ``sources``: inputs that, when set, make an unset switch follow the source they name.
    ``unless``: (input, values) that make an unset switch encrypt (a serverless engine mode...).
    ``stores_nothing``: inputs that, when set, leave the resource nothing of its own at rest for the switch
    to encrypt (AWS then refuses the switch on): any value passes, the source is judged where declared.
    ``unseen``: the unset default hangs on an account setting no resource check can read (EBS encryption
    by default): the message says the data *may* be unencrypted and why setting the switch is still asked.
    ``fix``: what to write, in Python.
    """

    path: str
    fix: str
    on: tuple[Any, ...] = (True,)
    unset: str | None = None
    sources: tuple[str, ...] = ()
    unless: tuple[str, tuple[str, ...]] | None = None
    stores_nothing: tuple[str, ...] = ()
    unseen: bool = False


_RDS_DEFAULT = "RDS creates the storage unencrypted by default (CreateDBInstance/CreateDBCluster: StorageEncrypted false)"
_ACCOUNT_DEFAULT = (
    "the volume is then encrypted only if the account's EBS encryption by default is on in its Region, "
    "which a stack cannot see (a volume from a snapshot takes the snapshot's state)"
)
_GLOBAL_DEFAULT = (
    "a global cluster created without a source is unencrypted by default (its members follow it)"
)
_STORAGE = "storage_encrypted=True"
_WORKSPACE_DEFAULT = "WorkSpaces creates the volume unencrypted unless its flag is true"
_WORKSPACE_FIX = (
    "root_volume_encryption_enabled=True and user_volume_encryption_enabled=True with volume_encryption_key"
)


def _storage(
    unset: str | None, *sources: str, unless: tuple[str, tuple[str, ...]] | None = None
) -> tuple[Switch]:
    return (Switch("storageEncrypted", _STORAGE, unset=unset, sources=sources, unless=unless),)


#: An EC2 block device's ``encrypted``: an explicit false is refused; unset passes, since the volume then
#: takes the AMI snapshot's encryption (or the account's default), which the AMI's own build decides.
def _devices(*paths: str) -> tuple[Switch, ...]:
    return tuple(Switch(path, "encrypted=True on the block device") for path in paths)


#: A CodeBuild/S3 export's ``encryptionDisabled``: true writes the objects unencrypted (unset: false).
def _disabled(*paths: str) -> tuple[Switch, ...]:
    return tuple(Switch(path, "encryption_disabled=False (or leave it unset)", on=(False,)) for path in paths)


#: type token -> its switches. pulumi-aws and aws-native twins side by side.
ENCRYPTION_SWITCHES: dict[str, tuple[Switch, ...]] = {
    # EBS: unset follows the account's encryption-by-default setting; encrypted=True costs nothing and
    # also encrypts a volume restored from an unencrypted snapshot. A volume copy (aws-native
    # sourceVolumeId) is always encrypted with its source's key ("You can't copy unencrypted volumes").
    "aws:ebs/volume:Volume": (Switch("encrypted", "encrypted=True", unset=_ACCOUNT_DEFAULT, unseen=True),),
    "aws-native:ec2:Volume": (
        Switch(
            "encrypted", "encrypted=True", unset=_ACCOUNT_DEFAULT, sources=("sourceVolumeId",), unseen=True
        ),
    ),
    # RDS instances: "The default is `false` if not specified" (pulumi-aws); "By default, it isn't
    # encrypted" (aws-native). A read replica, a restore from a snapshot or point in time takes its
    # source's encryption; an aws-native Aurora instance (dbClusterIdentifier) its cluster's.
    "aws:rds/instance:Instance": _storage(
        _RDS_DEFAULT, "replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime"
    ),
    "aws-native:rds:DbInstance": _storage(
        _RDS_DEFAULT,
        "dbClusterIdentifier",
        "sourceDbInstanceIdentifier",
        "sourceDbiResourceId",
        "sourceDbInstanceAutomatedBackupsArn",
        "sourceDbClusterIdentifier",
        "dbSnapshotIdentifier",
        "dbClusterSnapshotIdentifier",
    ),
    # RDS clusters: "The default is `false` for `provisioned` `engine_mode` and `true` for `serverless`"
    # (pulumi-aws, which sends nothing when unset: the API's default); a restore, a replica or a
    # secondary of a global cluster takes its source's encryption.
    "aws:rds/cluster:Cluster": _storage(
        _RDS_DEFAULT,
        "snapshotIdentifier",
        "replicationSourceIdentifier",
        "restoreToPointInTime",
        "globalClusterIdentifier",
        unless=("engineMode", ("serverless",)),
    ),
    "aws-native:rds:DbCluster": _storage(
        _RDS_DEFAULT,
        "snapshotIdentifier",
        "sourceDbClusterIdentifier",
        "sourceDbClusterResourceId",
        "replicationSourceIdentifier",
        "globalClusterIdentifier",
        unless=("engineMode", ("serverless",)),
    ),
    # Global clusters (RDS, DocumentDB, Neptune): "The default is `false` unless
    # `source_db_cluster_identifier` is specified and encrypted" (pulumi-aws); aws-native makes the same
    # CreateGlobalCluster call ("If you specify the SourceDBClusterIdentifier property, don't specify this
    # property. The value is inherited from the cluster"): the same default, the same source.
    "aws:rds/globalCluster:GlobalCluster": _storage(_GLOBAL_DEFAULT, "sourceDbClusterIdentifier"),
    "aws:docdb/globalCluster:GlobalCluster": _storage(_GLOBAL_DEFAULT, "sourceDbClusterIdentifier"),
    "aws:neptune/globalCluster:GlobalCluster": _storage(_GLOBAL_DEFAULT, "sourceDbClusterIdentifier"),
    "aws-native:rds:GlobalCluster": _storage(_GLOBAL_DEFAULT, "sourceDbClusterIdentifier"),
    "aws-native:docdb:GlobalCluster": _storage(_GLOBAL_DEFAULT, "sourceDbClusterIdentifier"),
    "aws-native:neptune:GlobalCluster": _storage(_GLOBAL_DEFAULT, "sourceDbClusterIdentifier"),
    # DocumentDB and Neptune clusters: "The default is `false`" (pulumi-aws); aws-native Neptune makes the
    # same CreateDBCluster call, inheriting from a source cluster or snapshot it names.
    "aws:docdb/cluster:Cluster": _storage(
        "DocumentDB creates the cluster unencrypted by default",
        "snapshotIdentifier",
        "restoreToPointInTime",
        "globalClusterIdentifier",
    ),
    "aws:neptune/cluster:Cluster": _storage(
        "Neptune creates the cluster unencrypted by default",
        "snapshotIdentifier",
        "replicationSourceIdentifier",
        "globalClusterIdentifier",
    ),
    "aws-native:neptune:DbCluster": _storage(
        "Neptune creates the cluster unencrypted by default",
        "snapshotIdentifier",
        "sourceDbClusterIdentifier",
        "globalClusterIdentifier",
    ),
    # EFS: CreateFileSystem encrypts only with Encrypted true (the console's default is not the API's).
    "aws:efs/fileSystem:FileSystem": (
        Switch("encrypted", "encrypted=True", unset="EFS creates the file system unencrypted by default"),
    ),
    "aws-native:efs:FileSystem": (
        Switch("encrypted", "encrypted=True", unset="EFS creates the file system unencrypted by default"),
    ),
    # Kinesis: "The only acceptable values are `NONE` or `KMS`. The default value is `NONE`" (pulumi-aws);
    # aws-native: no streamEncryption, no server-side encryption (Config kinesis-stream-encrypted:
    # NON_COMPLIANT if 'StreamEncryption' is not present).
    "aws:kinesis/stream:Stream": (
        Switch(
            "encryptionType",
            "encryption_type='KMS' (with kms_key_id)",
            on=("KMS",),
            unset="the default encryptionType is 'NONE'",
        ),
    ),
    "aws-native:kinesis:Stream": (
        Switch(
            "streamEncryption.encryptionType",
            "stream_encryption={'encryption_type': 'KMS', 'key_id': ...}",
            on=("KMS",),
            unset="a stream without streamEncryption is not encrypted at rest",
        ),
    ),
    # Firehose: "Whether to enable encryption at rest. Default is `false`." (records buffered up to 24 h).
    # Only a Direct PUT stream stores records at rest: with a Kinesis stream as its source Firehose "no
    # longer stores the data at rest" (the stream does, judged as a stream), and SSE "should not be
    # enabled" there (the provider's note; StartDeliveryStreamEncryption serves Direct PUT streams only,
    # so an MSK source likewise).
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (
        Switch(
            "serverSideEncryption.enabled",
            "server_side_encryption={'enabled': True}",
            unset="Firehose leaves buffered records unencrypted by default",
            stores_nothing=("kinesisSourceConfiguration", "mskSourceConfiguration"),
        ),
    ),
    # aws-native: SSE is the presence of deliveryStreamEncryptionConfigurationInput (both key types
    # encrypt); without it CreateDeliveryStream starts no SSE, as pulumi-aws's unset block ("Default is
    # `false`": the same call). Only a Direct PUT stream is judged: the other types' records are the
    # source's (a database source's are not documented either way).
    "aws-native:kinesisfirehose:DeliveryStream": (
        Switch(
            "deliveryStreamEncryptionConfigurationInput.keyType",
            "delivery_stream_encryption_configuration_input={'key_type': 'AWS_OWNED_CMK'} (or "
            "'CUSTOMER_MANAGED_CMK' with key_arn)",
            on=("AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"),
            unset="Firehose leaves buffered records unencrypted by default",
            sources=(
                "kinesisStreamSourceConfiguration",
                "mskSourceConfiguration",
                "databaseSourceConfiguration",
            ),
            unless=("deliveryStreamType", ("kinesisstreamassource", "mskassource", "databaseassource")),
        ),
    ),
    # Redshift: "Default is `true`" (pulumi-aws): unset passes, false is refused.
    "aws:redshift/cluster:Cluster": (Switch("encrypted", "encrypted=True"),),
    "aws-native:redshift:Cluster": (Switch("encrypted", "encrypted=True"),),
    # ElastiCache: "When `engine` is `redis`, default is `false`. When `engine` is `valkey`, default is
    # `true`" (pulumi-aws; `engine` defaults to redis); a global datastore's secondary follows its primary.
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        Switch(
            "atRestEncryptionEnabled",
            "at_rest_encryption_enabled=True",
            unset="a Redis OSS replication group is unencrypted at rest by default",
            sources=("globalReplicationGroupId",),
            unless=("engine", ("valkey",)),
        ),
    ),
    "aws-native:elasticache:ReplicationGroup": (
        Switch(
            "atRestEncryptionEnabled",
            "at_rest_encryption_enabled=True",
            unset="a Redis OSS replication group is unencrypted at rest by default",
            sources=("globalReplicationGroupId",),
            unless=("engine", ("valkey",)),
        ),
    ),
    # OpenSearch / Elasticsearch: "If the `encrypt_at_rest` block is not provided then this defaults to
    # `false`" (pulumi-aws); aws-native documents no default: judged when explicit.
    "aws:opensearch/domain:Domain": (
        Switch(
            "encryptAtRest.enabled",
            "encrypt_at_rest={'enabled': True}",
            unset="the domain is unencrypted at rest without an encrypt_at_rest block",
        ),
    ),
    "aws:elasticsearch/domain:Domain": (
        Switch(
            "encryptAtRest.enabled",
            "encrypt_at_rest={'enabled': True}",
            unset="the domain is unencrypted at rest without an encrypt_at_rest block",
        ),
    ),
    # aws-native makes the same CreateDomain call: encryption at rest is opt-in ("If enabled, the feature
    # encrypts..."; OpenSearch Service Developer Guide, Encryption of data at rest).
    "aws-native:opensearchservice:Domain": (
        Switch(
            "encryptionAtRestOptions.enabled",
            "encryption_at_rest_options={'enabled': True}",
            unset="the domain is unencrypted at rest without encryption_at_rest_options",
        ),
    ),
    # DAX: "Whether to enable encryption at rest. Defaults to `false`."
    "aws:dax/cluster:Cluster": (
        Switch(
            "serverSideEncryption.enabled",
            "server_side_encryption={'enabled': True}",
            unset="DAX clusters are unencrypted at rest by default",
        ),
    ),
    # EC2 block devices of instances, launch templates and configurations, images and recipes.
    "aws:ec2/instance:Instance": _devices("rootBlockDevice.encrypted", "ebsBlockDevices[].encrypted"),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": _devices(
        "rootBlockDevice.encrypted", "ebsBlockDevices[].encrypted"
    ),
    "aws:ec2/launchConfiguration:LaunchConfiguration": _devices(
        "rootBlockDevice.encrypted", "ebsBlockDevices[].encrypted"
    ),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": _devices(
        "launchSpecifications[].rootBlockDevices[].encrypted",
        "launchSpecifications[].ebsBlockDevices[].encrypted",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": _devices("blockDeviceMappings[].ebs.encrypted"),
    "aws-native:ec2:LaunchTemplate": _devices("launchTemplateData.blockDeviceMappings[].ebs.encrypted"),
    "aws-native:ec2:SpotFleet": _devices(
        "spotFleetRequestConfigData.launchSpecifications[].blockDeviceMappings[].ebs.encrypted"
    ),
    "aws-native:ec2:Instance": _devices("blockDeviceMappings[].ebs.encrypted"),
    "aws-native:autoscaling:LaunchConfiguration": _devices("blockDeviceMappings[].ebs.encrypted"),
    "aws:imagebuilder/imageRecipe:ImageRecipe": _devices("blockDeviceMappings[].ebs.encrypted"),
    "aws-native:imagebuilder:ImageRecipe": _devices("blockDeviceMappings[].ebs.encrypted"),
    "aws:imagebuilder/containerRecipe:ContainerRecipe": _devices(
        "instanceConfiguration.blockDeviceMappings[].ebs.encrypted"
    ),
    "aws-native:imagebuilder:ContainerRecipe": _devices(
        "instanceConfiguration.blockDeviceMappings[].ebs.encrypted"
    ),
    "aws:ecs/service:Service": _devices("volumeConfiguration.managedEbsVolume.encrypted"),
    "aws-native:ecs:Service": _devices("volumeConfigurations[].managedEbsVolume.encrypted"),
    "aws-native:workspacesinstances:WorkspaceInstance": _devices(
        "managedInstance.blockDeviceMappings[].ebs.encrypted"
    ),
    "aws-native:bedrockagentcore:CapacityProvider": _devices(
        "computeConfiguration.ec2Configuration.rootVolume.encrypted",
        "computeConfiguration.ec2Configuration.volumes[].ebsConfiguration.encrypted",
        "computeConfiguration.ec2Configuration.launchTemplateSource.launchParameters.ephemeralVolumes[].ebs.encrypted",
    ),
    # An EC2 Fleet's per-override block devices (pulumi-aws's fleet has none: its launch template's).
    "aws-native:ec2:Ec2Fleet": _devices(
        "launchTemplateConfigs[].overrides[].blockDeviceMappings[].ebs.encrypted"
    ),
    # An AMI registered from snapshots: each device's encryption when launched (unset: the snapshot's).
    "aws:ec2/ami:Ami": _devices("ebsBlockDevices[].encrypted"),
    # WorkSpaces: a WorkSpace's root and user volumes are encrypted only when their flag is true (with
    # volumeEncryptionKey); CreateWorkspaces leaves them unencrypted otherwise (Config
    # workspaces-root/user-volume-encryption-enabled: NON_COMPLIANT unless enabled).
    "aws:workspaces/workspace:Workspace": (
        Switch("rootVolumeEncryptionEnabled", _WORKSPACE_FIX, unset=_WORKSPACE_DEFAULT),
        Switch("userVolumeEncryptionEnabled", _WORKSPACE_FIX, unset=_WORKSPACE_DEFAULT),
    ),
    "aws-native:workspaces:Workspace": (
        Switch("rootVolumeEncryptionEnabled", _WORKSPACE_FIX, unset=_WORKSPACE_DEFAULT),
        Switch("userVolumeEncryptionEnabled", _WORKSPACE_FIX, unset=_WORKSPACE_DEFAULT),
    ),
    # The account's EBS encryption by default in a Region: enabled=False turns it off for every new volume
    # and snapshot copy left to it. Unset is the provider's default, true.
    "aws:ebs/encryptionByDefault:EncryptionByDefault": (
        Switch("enabled", "enabled=True (or leave it unset)"),
    ),
    # A WorkSpaces Instances volume: no documented default, judged when explicit.
    "aws-native:workspacesinstances:Volume": (Switch("encrypted", "encrypted=True"),),
    # An imported disk image's snapshot: unset follows the account's encryption by default, as a volume's.
    "aws:ebs/snapshotImport:SnapshotImport": (
        Switch(
            "encrypted",
            "encrypted=True",
            unset="the snapshot is then encrypted only if the account's EBS encryption by default is on, "
            "which a stack cannot see",
            unseen=True,
        ),
    ),
    # Glue Data Catalog: catalogEncryptionMode DISABLED (or no encryptionAtRest: the catalog's default)
    # leaves table metadata unencrypted.
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": (
        Switch(
            "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode",
            "catalog_encryption_mode='SSE-KMS' (with sse_aws_kms_key_id)",
            on=("SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"),
            unset="the Data Catalog is not encrypted unless a mode is set",
        ),
    ),
    "aws-native:glue:DataCatalogEncryptionSettings": (
        Switch(
            "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode",
            "catalog_encryption_mode='SSE-KMS' (with sse_aws_kms_key_id)",
            on=("SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"),
            unset="the Data Catalog is not encrypted unless a mode is set",
        ),
    ),
    # CodeBuild artifacts, S3 logs and report exports written unencrypted.
    "aws:codebuild/project:Project": _disabled(
        "artifacts.encryptionDisabled",
        "secondaryArtifacts[].encryptionDisabled",
        "logsConfig.s3Logs.encryptionDisabled",
    ),
    "aws-native:codebuild:Project": _disabled(
        "artifacts.encryptionDisabled",
        "secondaryArtifacts[].encryptionDisabled",
        "logsConfig.s3Logs.encryptionDisabled",
    ),
    "aws:codebuild/reportGroup:ReportGroup": _disabled("exportConfig.s3Destination.encryptionDisabled"),
    "aws-native:codebuild:ReportGroup": _disabled("exportConfig.s3Destination.encryptionDisabled"),
}

Check = Iterator[str]

_WOULD = "its data would be stored unencrypted at rest."
_UNSEEN = (
    "its data may be stored unencrypted at rest, and no resource check can tell (an "
    "aws.ebs.EncryptionByDefault, even in this stack, is another resource); setting the switch encrypts "
    "whatever the account says."
)


def _encrypts(value: Any, on: tuple[Any, ...]) -> bool:
    if (True in on and is_true(value)) or (False in on and is_false(value)):
        return True
    return isinstance(value, str) and value.strip().upper() in {
        str(v).upper() for v in on if isinstance(v, str)
    }


def _leaves(obj: Any, path: str, shown_path: str = "") -> Iterator[tuple[str, Any]]:
    """``(path with indexes, value)`` of each value ``path`` reaches; an unset value reads None, a list
    step over an unset list reaches nothing. An unknown value, list or list element is reached as its
    ``UnknownValueError``, and the other elements are still reached."""
    head, sep, rest = path.partition("[].")
    try:
        value = get(obj, head if sep else path)
    except UnknownValueError as error:
        yield shown_path + (head if sep else path), error
        return
    if not sep:
        yield shown_path + path, value
        return
    elements = value if is_seq(value) else items(value)
    for index in range(len(elements)):
        try:
            element = elements[index]
        except UnknownValueError as error:
            yield f"{shown_path}{head}[{index}]", error
            continue
        yield from _leaves(element, rest, f"{shown_path}{head}[{index}].")


def _any_set(props: Any, paths: tuple[str, ...]) -> bool:
    """Whether one of ``paths`` is set; an unknown one raises only when no other is known set."""
    unknown: UnknownValueError | None = None
    for path in paths:
        try:
            if is_set(get(props, path)):
                return True
        except UnknownValueError as error:
            unknown = unknown or error
    if unknown is not None:
        raise unknown
    return False


def _unset_encrypts(props: Any, switch: Switch) -> bool:
    """Whether an unset switch still encrypts (or follows a source it names). An unknown source or
    ``unless`` input decides only when no known one does (then it raises)."""
    if switch.unset is None:
        return True
    unknown: UnknownValueError | None = None
    try:
        if _any_set(props, switch.sources):
            return True
    except UnknownValueError as error:
        unknown = error
    if switch.unless is not None:
        path, values = switch.unless
        value = get(props, path)  # an unknown raises: it decides
        if isinstance(value, str) and value.lower() in values:
            return True
    if unknown is not None:
        raise unknown
    return False


def _encrypted_at_rest(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    """Each decided finding, then the first unknown that left a switch undecided (if any): an unknown
    never hides a known off elsewhere in the resource, whatever the order of switches and elements."""
    unknown: UnknownValueError | None = None
    for switch in ENCRYPTION_SWITCHES[args.resource_type]:
        try:
            if _any_set(args.props, switch.stores_nothing):
                continue
        except UnknownValueError as error:
            # Stores nothing or not: any value of the switch passes with a source, so none is decided.
            unknown = unknown or error
            continue
        for path, value in _leaves(args.props, switch.path):
            if isinstance(value, UnknownValueError):
                unknown = unknown or value
            # '' is unset: pulumi-aws's string switches (a launch template's ebs.encrypted "true"/"false")
            # send and read back '' when not given.
            elif value is None or value == "":
                try:
                    encrypts = _unset_encrypts(args.props, switch)
                except UnknownValueError as error:
                    unknown = unknown or error
                    continue
                if not encrypts:
                    yield (
                        f"{args.name}: {path} is unset and {switch.unset}: {_UNSEEN if switch.unseen else _WOULD}"
                        f" Fix: set {switch.fix}."
                    )
            elif not _encrypts(value, switch.on):
                yield (
                    f"{args.name}: {path} is {shown(value)}, which stores its data unencrypted at rest. "
                    f"Fix: set {switch.fix}."
                )
    if unknown is not None:
        raise unknown


data_stores_encrypted_at_rest = resource_rule(
    name="data-stores-encrypted-at-rest",
    description=(
        "Data stores are encrypted at rest, as a class (ENCRYPTION_SWITCHES in "
        "policies/rules/encryption_at_rest.py): an explicit off (false, 'NONE', encryptionDisabled true) is "
        "refused, and so is an unset switch whose default stores data unencrypted (RDS, DocumentDB and Neptune "
        "instances and clusters, global clusters without a source, EFS, Kinesis streams, Firehose, Redis OSS "
        "replication groups, OpenSearch domains, DAX, WorkSpaces volumes, EBS volumes left to the account's default). Fix: set "
        "encrypted/storage_encrypted/at_rest_encryption_enabled=True, encryption_type='KMS', "
        "encrypt_at_rest.enabled=True (optionally with your KMS key)."
    ),
    resource_types=list(ENCRYPTION_SWITCHES),
    check=_encrypted_at_rest,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP,
        "RDS.3",
        "RDS.27, EFS.1, Kinesis.1, DocumentDB.1, Neptune.1, Redshift.10, ElastiCache.4, Opensearch.1; "
        "Cfg rds-cluster-encrypted-at-rest, efs-encrypted-check, kinesis-stream-encrypted",
    ),
    tags=["encryption"],
)

POLICIES = [data_stores_encrypted_at_rest]
