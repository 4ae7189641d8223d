"""The class of ``data-stores-encrypted-at-rest`` (``policies/rules/encryption_at_rest.py``): each type
whose data at rest is encrypted only when an input says so, the input(s) read, the values that encrypt, and
what an *unset* input means (AWS's or the provider's default, from the provider's docstring and the
service's API reference). The inputs named like a switch that are none, or not judged yet, are in
``_encryption_classes.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    ``stores_when``: a boolean beside the switch (in the same object) saying whether that object stores
    anything (an API Gateway method's ``cachingEnabled``): the switch is judged only where it is true (an
    unknown one leaves a switch that would be refused undecided).
    ``always``: (input, values) pairs that together make AWS encrypt the store whatever the switch says,
    unset or off (a durable Valkey group); one known not to hold decides (the switch is read), an unknown
    one otherwise leaves the switch undecided.
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
    always: tuple[tuple[str, tuple[str, ...]], ...] = ()
    stores_when: str | None = None


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


#: One ElastiCache replication group (both providers send the same CreateReplicationGroup inputs). "In
#: some cases, encryption at-rest may be enabled even when this value is false" (CreateReplicationGroup,
#: AtRestEncryptionEnabled): "It is always enabled ... on clusters with durability enabled" (ElastiCache
#: User Guide, At-Rest Encryption), a durability of sync or async ("default" lets the service decide), on
#: Valkey only: "Durability for ElastiCache is supported on Valkey 9.0 or later" (Durability, Limitations),
#: so a Redis OSS group's durability decides nothing (not supported there) and its flag is read.
#: Data tiering is no such case: "Data stored on SSDs ... is always encrypted", but the flag also covers
#: the disk during sync, backup and swap and the backups in S3.
_REPLICATION_GROUP = (
    Switch(
        "atRestEncryptionEnabled",
        "at_rest_encryption_enabled=True",
        unset="a Redis OSS replication group is unencrypted at rest by default",
        sources=("globalReplicationGroupId",),
        unless=("engine", ("valkey",)),
        always=(("engine", ("valkey",)), ("durability", ("sync", "async"))),
    ),
)
#: An OpenSearch or (legacy) Elasticsearch domain of pulumi-aws: one encrypt_at_rest block.
_DOMAIN = (
    Switch(
        "encryptAtRest.enabled",
        "encrypt_at_rest={'enabled': True}",
        unset="the domain is unencrypted at rest without an encrypt_at_rest block",
    ),
)
#: An EFS file system (both providers send the same CreateFileSystem inputs).
_EFS = (Switch("encrypted", "encrypted=True", unset="EFS creates the file system unencrypted by default"),)
#: A WorkSpace's root and user volumes (both providers send the same CreateWorkspaces inputs).
_WORKSPACE = (
    Switch("rootVolumeEncryptionEnabled", _WORKSPACE_FIX, unset=_WORKSPACE_DEFAULT),
    Switch("userVolumeEncryptionEnabled", _WORKSPACE_FIX, unset=_WORKSPACE_DEFAULT),
)
#: The Glue Data Catalog's encryption settings (the same PutDataCatalogEncryptionSettings inputs).
_GLUE_CATALOG = (
    Switch(
        "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode",
        "catalog_encryption_mode='SSE-KMS' (with sse_aws_kms_key_id)",
        on=("SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"),
        unset="the Data Catalog is not encrypted unless a mode is set",
    ),
)

#: A Glue security configuration's job bookmarks: "Valid values: `CSE-KMS`, `DISABLED`. Default value:
#: `DISABLED`" (pulumi-aws); aws-native makes the same CreateSecurityConfiguration call ("The encryption
#: mode to use for job bookmarks data", DISABLED | CSE-KMS, not required). The bookmarks are stored by
#: Glue, not in a bucket or log group that encrypts anyway (the S3 and CloudWatch modes are not switches:
#: NOT_ENCRYPTION_SWITCHES).
_GLUE_SECURITY = (
    Switch(
        "encryptionConfiguration.jobBookmarksEncryption.jobBookmarksEncryptionMode",
        "job_bookmarks_encryption_mode='CSE-KMS' (with kms_key_arn)",
        on=("CSE-KMS",),
        unset="the default mode is 'DISABLED': job bookmark data is not encrypted with a KMS key (CSE-KMS)",
    ),
)

#: A copy of an EBS snapshot or AMI: "To encrypt a copy of an unencrypted snapshot if encryption by default
#: is not enabled, enable encryption using this parameter ... Copies of encrypted snapshots are encrypted,
#: even if you omit this parameter" (EC2 CopySnapshot, Encrypted); "You can encrypt a copy of an
#: unencrypted snapshot, but you cannot create an unencrypted copy of an encrypted snapshot" (CopyImage).
#: False keeps an unencrypted source's copy unencrypted: an off, refused as everywhere (true always
#: works). Unset follows the source the copy names (required), as a restore follows its snapshot.
_COPY = (Switch("encrypted", "encrypted=True"),)


#: A DLM policy's cross-Region copies: "To encrypt a copy of an unencrypted snapshot if encryption by
#: default is not enabled, enable encryption using this parameter. Copies of encrypted snapshots are
#: encrypted, even if this parameter is false" (DLM CrossRegionCopyRule, EncryptionConfiguration). The
#: snapshots are of whatever volumes or instances carry the target tags (or, for an event policy, shared by
#: another account), not a source the stack names: false or unset (pulumi-aws's action block, optional
#: there; required elsewhere) copies an unencrypted one unencrypted.
def _dlm(*paths: str) -> tuple[Switch, ...]:
    return tuple(
        Switch(
            path,
            "encrypted=True on the cross-Region copy (optionally with cmk_arn)",
            unset="DLM copies an unencrypted snapshot unencrypted unless encrypted is true",
        )
        for path in paths
    )


#: An Elastic Disaster Recovery replication template's staging volumes (the same DRS inputs).
_DRS = (
    Switch(
        "ebsEncryption",
        "ebs_encryption='DEFAULT' (or 'CUSTOM' with ebs_encryption_key_arn)",
        on=("DEFAULT", "CUSTOM"),
    ),
)


#: An API Gateway method's cache (MethodSetting, StageDescription): "Specifies whether the cached responses
#: are encrypted" (API Gateway, MethodSetting.cacheDataEncrypted), the API's non-nullable Boolean, false
#: when not set; only where the method caches ("cachingEnabled ... A cache cluster must be enabled on the
#: stage for responses to be cached").
def _cache(*paths: str) -> tuple[Switch, ...]:
    return tuple(
        Switch(
            path,
            "cache_data_encrypted=True",
            unset="API Gateway caches the method's responses unencrypted unless the flag is true",
            stores_when="cachingEnabled",
        )
        for path in paths
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
    "aws:efs/fileSystem:FileSystem": _EFS,
    "aws-native:efs:FileSystem": _EFS,
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
    "aws:elasticache/replicationGroup:ReplicationGroup": _REPLICATION_GROUP,
    "aws-native:elasticache:ReplicationGroup": _REPLICATION_GROUP,
    # OpenSearch / Elasticsearch: "If the `encrypt_at_rest` block is not provided then this defaults to
    # `false`" (pulumi-aws); aws-native documents no default: judged when explicit.
    "aws:opensearch/domain:Domain": _DOMAIN,
    "aws:elasticsearch/domain:Domain": _DOMAIN,
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
    "aws:workspaces/workspace:Workspace": _WORKSPACE,
    "aws-native:workspaces:Workspace": _WORKSPACE,
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
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": _GLUE_CATALOG,
    "aws-native:glue:DataCatalogEncryptionSettings": _GLUE_CATALOG,
    # EBS snapshot and AMI copies, DLM cross-Region copies: an explicit false is refused (_COPY, _dlm).
    "aws:ebs/snapshotCopy:SnapshotCopy": _COPY,
    "aws:ec2/amiCopy:AmiCopy": _COPY,
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": _dlm(
        "policyDetails.schedules[].crossRegionCopyRules[].encrypted",
        "policyDetails.action.crossRegionCopies[].encryptionConfiguration.encrypted",
    ),
    "aws-native:dlm:LifecyclePolicy": _dlm(
        "policyDetails.schedules[].crossRegionCopyRules[].encrypted",
        "policyDetails.actions[].crossRegionCopy[].encryptionConfiguration.encrypted",
    ),
    "aws:glue/securityConfiguration:SecurityConfiguration": _GLUE_SECURITY,
    "aws-native:glue:SecurityConfiguration": _GLUE_SECURITY,
    # Elastic Disaster Recovery: the replicated disks land on EBS volumes in the staging area, "The type of
    # EBS encryption to be used during replication" DEFAULT | CUSTOM | NONE (CreateReplicationConfiguration
    # Template; required by both providers, so never unset): NONE asks for none.
    "aws:drs/replicationConfigurationTemplate:ReplicationConfigurationTemplate": _DRS,
    "aws-native:drs:ReplicationConfigurationTemplate": _DRS,
    # API Gateway caches, per method that caches (a stage's GET methods also cache by default when its
    # cache cluster is on: that default spans the stage and its method settings, not judged here).
    "aws:apigateway/methodSettings:MethodSettings": _cache("settings.cacheDataEncrypted"),
    "aws-native:apigateway:Stage": _cache("methodSettings[].cacheDataEncrypted"),
    "aws-native:apigateway:Deployment": _cache(
        "stageDescription.cacheDataEncrypted", "stageDescription.methodSettings[].cacheDataEncrypted"
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
