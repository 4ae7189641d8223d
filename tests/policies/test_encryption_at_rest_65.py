"""Encryption at rest of data stores as a class: ``data-stores-encrypted-at-rest`` refuses a store
whose switch is explicitly off (``false``, ``NONE``) and one left unset where the default stores the
data unencrypted; it passes an encrypted store, an unset switch that encrypts or that follows a named
source, and leaves an unknown switch undecided at preview. Per type of ``ENCRYPTION_SWITCHES``, at
preview (inputs) and after create (outputs: unset booleans read back ``false``, as AWS reports them).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from policies.rules._encryption_classes import NOT_ENCRYPTION_SWITCHES, NOT_YET_JUDGED
from policies.rules.encryption_at_rest import ENCRYPTION_SWITCHES
from tests.policies import test_resource_policy_class_63 as class_scan
from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_resource_policy_class_63 import inputs_named, provider_sources
from tests.recorded import computed_once

RULE = "data-stores-encrypted-at-rest"
STORAGE = "storage_encrypted=True"

EBS = "aws:ebs/volume:Volume"
NATIVE_EBS = "aws-native:ec2:Volume"
RDS = "aws:rds/instance:Instance"
NATIVE_RDS = "aws-native:rds:DbInstance"
CLUSTER = "aws:rds/cluster:Cluster"
NATIVE_CLUSTER = "aws-native:rds:DbCluster"
EFS = "aws:efs/fileSystem:FileSystem"
NATIVE_EFS = "aws-native:efs:FileSystem"
KINESIS = "aws:kinesis/stream:Stream"
NATIVE_KINESIS = "aws-native:kinesis:Stream"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
DOCDB_GLOBAL = "aws:docdb/globalCluster:GlobalCluster"
NATIVE_GLOBAL = "aws-native:rds:GlobalCluster"
DOCDB = "aws:docdb/cluster:Cluster"
NEPTUNE = "aws:neptune/cluster:Cluster"
NATIVE_NEPTUNE = "aws-native:neptune:DbCluster"
REDSHIFT = "aws:redshift/cluster:Cluster"
NATIVE_REDSHIFT = "aws-native:redshift:Cluster"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
NATIVE_CACHE = "aws-native:elasticache:ReplicationGroup"
OPENSEARCH = "aws:opensearch/domain:Domain"
ELASTICSEARCH = "aws:elasticsearch/domain:Domain"
NATIVE_OPENSEARCH = "aws-native:opensearchservice:Domain"
DAX = "aws:dax/cluster:Cluster"
INSTANCE = "aws:ec2/instance:Instance"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NATIVE_TEMPLATE = "aws-native:ec2:LaunchTemplate"
FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
NATIVE_FLEET = "aws-native:ec2:SpotFleet"
ECS = "aws:ecs/service:Service"
CODEBUILD = "aws:codebuild/project:Project"
REPORTS = "aws-native:codebuild:ReportGroup"
GLUE = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"
NATIVE_GLUE = "aws-native:glue:DataCatalogEncryptionSettings"
IMPORT = "aws:ebs/snapshotImport:SnapshotImport"
AMI = "aws:ec2/ami:Ami"

#: type -> (inputs that encrypt, inputs explicitly off, the message's fix). Each type: on passes, off is
#: refused naming the input and the fix.
ON_OFF: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    EBS: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    NATIVE_EBS: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    RDS: (
        {"storageEncrypted": True},
        {"storageEncrypted": False},
        "storageEncrypted is False",
        "storage_encrypted=True",
    ),
    NATIVE_RDS: (
        {"storageEncrypted": True},
        {"storageEncrypted": False},
        "storageEncrypted is False",
        "storage_encrypted=True",
    ),
    CLUSTER: (
        {"storageEncrypted": True},
        {"storageEncrypted": False, "engineMode": "serverless"},
        "storageEncrypted is False",
        "storage_encrypted=True",
    ),
    NATIVE_CLUSTER: (
        {"storageEncrypted": True},
        {"storageEncrypted": False},
        "storageEncrypted is False",
        "storage_encrypted=True",
    ),
    EFS: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    NATIVE_EFS: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    KINESIS: (
        {"encryptionType": "KMS", "kmsKeyId": "alias/streams"},
        {"encryptionType": "NONE"},
        "encryptionType is 'NONE'",
        "encryption_type='KMS'",
    ),
    NATIVE_KINESIS: (
        {"streamEncryption": {"encryptionType": "KMS", "keyId": "alias/streams"}},
        {"streamEncryption": {"encryptionType": "NONE", "keyId": "k"}},
        "streamEncryption.encryptionType is 'NONE'",
        "stream_encryption=",
    ),
    FIREHOSE: (
        {"serverSideEncryption": {"enabled": True, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": "arn"}},
        {"serverSideEncryption": {"enabled": False}},
        "serverSideEncryption.enabled is False",
        "server_side_encryption={'enabled': True}",
    ),
    GLOBAL: ({"storageEncrypted": True}, {"storageEncrypted": False}, "storageEncrypted is False", STORAGE),
    NATIVE_GLOBAL: (
        {"storageEncrypted": True},
        {"storageEncrypted": False},
        "storageEncrypted is False",
        STORAGE,
    ),
    DOCDB: ({"storageEncrypted": True}, {"storageEncrypted": False}, "storageEncrypted is False", STORAGE),
    NEPTUNE: ({"storageEncrypted": True}, {"storageEncrypted": False}, "storageEncrypted is False", STORAGE),
    NATIVE_NEPTUNE: (
        {"storageEncrypted": True},
        {"storageEncrypted": False},
        "storageEncrypted is False",
        STORAGE,
    ),
    REDSHIFT: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    NATIVE_REDSHIFT: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    CACHE: (
        {"atRestEncryptionEnabled": True},
        {"atRestEncryptionEnabled": False, "engine": "valkey"},
        "atRestEncryptionEnabled is False",
        "at_rest_encryption_enabled=True",
    ),
    NATIVE_CACHE: (
        {"atRestEncryptionEnabled": True},
        {"atRestEncryptionEnabled": False},
        "atRestEncryptionEnabled is False",
        "at_rest_encryption_enabled=True",
    ),
    OPENSEARCH: (
        {"encryptAtRest": {"enabled": True}},
        {"encryptAtRest": {"enabled": False}},
        "encryptAtRest.enabled is False",
        "encrypt_at_rest={'enabled': True}",
    ),
    ELASTICSEARCH: (
        {"encryptAtRest": {"enabled": True, "kmsKeyId": "arn"}},
        {"encryptAtRest": {"enabled": False}},
        "encryptAtRest.enabled is False",
        "encrypt_at_rest={'enabled': True}",
    ),
    NATIVE_OPENSEARCH: (
        {"encryptionAtRestOptions": {"enabled": True}},
        {"encryptionAtRestOptions": {"enabled": False}},
        "encryptionAtRestOptions.enabled is False",
        "encryption_at_rest_options={'enabled': True}",
    ),
    DAX: (
        {"serverSideEncryption": {"enabled": True}},
        {"serverSideEncryption": {"enabled": False}},
        "serverSideEncryption.enabled is False",
        "server_side_encryption={'enabled': True}",
    ),
    INSTANCE: (
        {
            "rootBlockDevice": {"encrypted": True},
            "ebsBlockDevices": [{"deviceName": "/dev/sdb", "encrypted": True}],
        },
        {
            "rootBlockDevice": {"encrypted": True},
            "ebsBlockDevices": [
                {"deviceName": "/dev/sdb", "encrypted": True},
                {"deviceName": "/dev/sdc", "encrypted": False},
            ],
        },
        "ebsBlockDevices[1].encrypted is False",
        "encrypted=True on the block device",
    ),
    TEMPLATE: (
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]},
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
        "blockDeviceMappings[0].ebs.encrypted is 'false'",
        "encrypted=True on the block device",
    ),
    NATIVE_TEMPLATE: (
        {
            "launchTemplateData": {
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True}}]
            }
        },
        {
            "launchTemplateData": {
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": False}}]
            }
        },
        "launchTemplateData.blockDeviceMappings[0].ebs.encrypted is False",
        "encrypted=True on the block device",
    ),
    FLEET: (
        {"launchSpecifications": [{"ami": "ami-1", "rootBlockDevices": [{"encrypted": True}]}]},
        {
            "launchSpecifications": [
                {"ami": "ami-1"},
                {"ami": "ami-1", "rootBlockDevices": [{"encrypted": False}]},
            ]
        },
        "launchSpecifications[1].rootBlockDevices[0].encrypted is False",
        "encrypted=True on the block device",
    ),
    NATIVE_FLEET: (
        {
            "spotFleetRequestConfigData": {
                "launchSpecifications": [{"blockDeviceMappings": [{"ebs": {"encrypted": True}}]}]
            }
        },
        {
            "spotFleetRequestConfigData": {
                "launchSpecifications": [{"blockDeviceMappings": [{"ebs": {"encrypted": False}}]}]
            }
        },
        "spotFleetRequestConfigData.launchSpecifications[0].blockDeviceMappings[0].ebs.encrypted is False",
        "encrypted=True on the block device",
    ),
    ECS: (
        {"volumeConfiguration": {"name": "v", "managedEbsVolume": {"roleArn": "r", "encrypted": True}}},
        {"volumeConfiguration": {"name": "v", "managedEbsVolume": {"roleArn": "r", "encrypted": False}}},
        "volumeConfiguration.managedEbsVolume.encrypted is False",
        "encrypted=True on the block device",
    ),
    CODEBUILD: (
        {
            "artifacts": {"type": "S3", "encryptionDisabled": False},
            "logsConfig": {"s3Logs": {"status": "ENABLED"}},
        },
        {
            "artifacts": {"type": "S3"},
            "logsConfig": {"s3Logs": {"status": "ENABLED", "encryptionDisabled": True}},
        },
        "logsConfig.s3Logs.encryptionDisabled is True",
        "encryption_disabled=False",
    ),
    GLUE: (
        {"dataCatalogEncryptionSettings": {"encryptionAtRest": {"catalogEncryptionMode": "SSE-KMS"}}},
        {"dataCatalogEncryptionSettings": {"encryptionAtRest": {"catalogEncryptionMode": "DISABLED"}}},
        "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode is 'DISABLED'",
        "catalog_encryption_mode='SSE-KMS'",
    ),
    NATIVE_GLUE: (
        {
            "dataCatalogEncryptionSettings": {
                "encryptionAtRest": {"catalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE"}
            }
        },
        {"dataCatalogEncryptionSettings": {"encryptionAtRest": {"catalogEncryptionMode": "DISABLED"}}},
        "catalogEncryptionMode is 'DISABLED'",
        "catalog_encryption_mode='SSE-KMS'",
    ),
    IMPORT: ({"encrypted": True}, {"encrypted": False}, "encrypted is False", "encrypted=True"),
    AMI: (
        {"ebsBlockDevices": [{"deviceName": "/dev/xvda", "snapshotId": "snap-1", "encrypted": True}]},
        {"ebsBlockDevices": [{"deviceName": "/dev/xvda", "snapshotId": "snap-1", "encrypted": False}]},
        "ebsBlockDevices[0].encrypted is False",
        "encrypted=True on the block device",
    ),
    REPORTS: (
        {"exportConfig": {"exportConfigType": "S3", "s3Destination": {"bucket": "b"}}},
        {
            "exportConfig": {
                "exportConfigType": "S3",
                "s3Destination": {"bucket": "b", "encryptionDisabled": True},
            }
        },
        "exportConfig.s3Destination.encryptionDisabled is True",
        "encryption_disabled=False",
    ),
}


def test_the_cases_name_only_types_of_the_table() -> None:
    assert set(ON_OFF) | set(UNSET) <= set(ENCRYPTION_SWITCHES)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize("resource_type", list(ON_OFF))
def test_explicit_off_is_refused_and_on_passes(resource_type: str, outputs: bool) -> None:
    on, off, named, fix = ON_OFF[resource_type]
    assert_decided(findings(RULE, resource_type, on, outputs=outputs), None)
    assert_decided(
        findings(RULE, resource_type, off, outputs=outputs),
        named,
        "subject: ",
        "unencrypted at rest",
        f"Fix: set {fix}",
    )


#: (type, inputs with the switch unset, a fragment of the finding, or None: unset passes).
UNSET = {
    EBS: [
        pytest.param({"availabilityZone": "eu-west-1a", "size": 8}, "account's EBS encryption by default"),
        pytest.param({"availabilityZone": "eu-west-1a", "snapshotId": "snap-1"}, "encrypted is unset"),
    ],
    NATIVE_EBS: [
        pytest.param({"availabilityZone": "eu-west-1a", "size": 8}, "encrypted is unset"),
        pytest.param({"availabilityZone": "eu-west-1a", "sourceVolumeId": "vol-1"}, None),
    ],
    RDS: [
        pytest.param({"engine": "postgres", "instanceClass": "db.t3.micro"}, "StorageEncrypted false"),
        pytest.param({"replicateSourceDb": "primary", "instanceClass": "db.t3.micro"}, None),
        pytest.param({"snapshotIdentifier": "snap", "instanceClass": "db.t3.micro"}, None),
    ],
    NATIVE_RDS: [
        pytest.param({"engine": "mysql", "dbInstanceClass": "db.t3.micro"}, "storageEncrypted is unset"),
        pytest.param({"engine": "aurora-mysql", "dbClusterIdentifier": "c"}, None),
        pytest.param({"sourceDbInstanceIdentifier": "primary"}, None),
    ],
    CLUSTER: [
        pytest.param({"engine": "aurora-postgresql"}, "storageEncrypted is unset"),
        pytest.param({"engine": "aurora-mysql", "engineMode": "serverless"}, None),
        pytest.param({"engine": "aurora-mysql", "globalClusterIdentifier": "g"}, None),
        pytest.param({"engine": "aurora-mysql", "snapshotIdentifier": "s"}, None),
    ],
    NATIVE_CLUSTER: [
        pytest.param(
            {"engine": "aurora-postgresql", "engineMode": "provisioned"}, "storageEncrypted is unset"
        ),
        pytest.param({"engine": "aurora-postgresql", "sourceDbClusterIdentifier": "c"}, None),
    ],
    EFS: [pytest.param({"performanceMode": "generalPurpose"}, "unencrypted by default")],
    NATIVE_EFS: [pytest.param({}, "encrypted is unset")],
    KINESIS: [pytest.param({"shardCount": 1}, "default encryptionType is 'NONE'")],
    NATIVE_KINESIS: [pytest.param({"shardCount": 1}, "without streamEncryption")],
    FIREHOSE: [pytest.param({"destination": "extended_s3"}, "serverSideEncryption.enabled is unset")],
    GLOBAL: [
        pytest.param({"globalClusterIdentifier": "g", "engine": "aurora-mysql"}, "unencrypted by default"),
        pytest.param({"globalClusterIdentifier": "g", "sourceDbClusterIdentifier": "arn"}, None),
    ],
    DOCDB_GLOBAL: [
        pytest.param({"globalClusterIdentifier": "g", "engine": "docdb"}, "storageEncrypted is unset")
    ],
    NATIVE_GLOBAL: [
        pytest.param({"globalClusterIdentifier": "g"}, "global cluster created without a source"),
        pytest.param({"globalClusterIdentifier": "g", "sourceDbClusterIdentifier": "arn"}, None),
    ],
    DOCDB: [
        pytest.param({"engine": "docdb"}, "DocumentDB creates the cluster unencrypted"),
        pytest.param({"snapshotIdentifier": "s"}, None),
    ],
    NEPTUNE: [
        pytest.param({"engine": "neptune"}, "Neptune creates the cluster unencrypted"),
        pytest.param({"replicationSourceIdentifier": "arn"}, None),
    ],
    NATIVE_NEPTUNE: [
        pytest.param({"dbClusterIdentifier": "n"}, "Neptune creates the cluster unencrypted"),
        pytest.param({"dbClusterIdentifier": "n", "snapshotIdentifier": "s"}, None),
        pytest.param({"restoreType": "copy-on-write", "sourceDbClusterIdentifier": "c"}, None),
    ],
    REDSHIFT: [pytest.param({"nodeType": "ra3.xlplus"}, None)],
    CACHE: [
        pytest.param({"description": "d"}, "Redis OSS replication group is unencrypted"),
        pytest.param({"description": "d", "engine": "redis"}, "atRestEncryptionEnabled is unset"),
        pytest.param({"description": "d", "engine": "valkey"}, None),
        pytest.param({"description": "d", "globalReplicationGroupId": "g"}, None),
    ],
    NATIVE_CACHE: [
        pytest.param({"replicationGroupDescription": "d", "engine": "Valkey"}, None),
        pytest.param({"replicationGroupDescription": "d"}, "atRestEncryptionEnabled is unset"),
    ],
    OPENSEARCH: [pytest.param({"engineVersion": "OpenSearch_2.13"}, "without an encrypt_at_rest block")],
    ELASTICSEARCH: [pytest.param({"elasticsearchVersion": "7.10"}, "encryptAtRest.enabled is unset")],
    NATIVE_OPENSEARCH: [
        pytest.param({"engineVersion": "OpenSearch_2.13"}, "encryptionAtRestOptions.enabled is unset"),
        pytest.param({"encryptionAtRestOptions": {"kmsKeyId": "k"}}, "without encryption_at_rest_options"),
    ],
    DAX: [pytest.param({"nodeType": "dax.r4.large"}, "DAX clusters are unencrypted")],
    INSTANCE: [
        pytest.param({"ami": "ami-1", "ebsBlockDevices": [{"deviceName": "/dev/sdb"}]}, None),
    ],
    TEMPLATE: [
        pytest.param(
            {"blockDeviceMappings": [{"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}]}, None
        ),
    ],
    CODEBUILD: [pytest.param({"artifacts": {"type": "S3"}}, None)],
    NATIVE_GLUE: [
        pytest.param({"catalogId": "111122223333"}, "Data Catalog is not encrypted unless a mode is set")
    ],
    IMPORT: [pytest.param({"diskContainer": {"format": "VHD"}}, "account's EBS encryption by default")],
}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(token, *case.values, id=f"{token.split(':')[-1]}-{index}")
        for token, cases in UNSET.items()
        for index, case in enumerate(cases)
    ],
)
def test_unset_is_judged_by_its_default(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    extra = () if fragment is None else ("Fix: set ",)
    assert_decided(findings(RULE, resource_type, inputs), fragment, *extra)


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param(EBS, {"encrypted": UNKNOWN_BOOLEAN_VALUE}, id="ebs-flag"),
        pytest.param(RDS, {"storageEncrypted": UNKNOWN_BOOLEAN_VALUE}, id="rds-flag"),
        pytest.param(KINESIS, {"encryptionType": UNKNOWN_STRING_VALUE}, id="kinesis-type"),
        pytest.param(CLUSTER, {"engineMode": UNKNOWN_STRING_VALUE}, id="cluster-mode-decides-unset"),
        pytest.param(RDS, {"snapshotIdentifier": UNKNOWN_STRING_VALUE}, id="rds-source-decides-unset"),
    ],
)
def test_an_unknown_that_decides_is_undecided(resource_type: str, inputs: dict[str, Any]) -> None:
    assert findings(RULE, resource_type, inputs) == ([], 1)


def test_an_unknown_source_does_not_hide_an_explicit_off() -> None:
    messages, undecided = findings(
        RULE, RDS, {"storageEncrypted": False, "snapshotIdentifier": UNKNOWN_STRING_VALUE}
    )
    assert undecided == 0 and len(messages) == 1 and "storageEncrypted is False" in messages[0]


# --- the class scan -------------------------------------------------------------------------------

#: An input named like an encryption-at-rest switch, at any depth (``encryption`` alone is left out: it
#: names DRM, transport and export settings far more often than storage). A switch may be a boolean
#: (``encrypted``, ``...EncryptionEnabled``, ``cacheDataEncrypted``) or a mode, a value such as ``DISABLED``
#: or ``SSE_S3`` (``encryptionType``, ``...EncryptionMode``, ``...EncryptionOption``); in-transit ones are
#: left out by name.
SWITCH_INPUT = re.compile(
    r"(?i)^(?:encrypted|storageEncrypted|encryptionType|encryptAtRest|encryptionAtRestOptions|"
    r"atRestEncryptionEnabled|serverSideEncryption|sseSpecification|streamEncryption|encryptionAtRest|"
    r"kmsEncrypted|encryptionDisabled|(?!transit)\w+EncryptionEnabled|\w*EncryptionConfigurationInput|"
    r"(?!transit)\w*EncryptionMode|\w*EncryptionOption|\w+DataEncrypted|ebsEncryption)$"
)


def scan(root: Path) -> set[str]:
    """``type path`` of each encryption-switch-named input of the providers under ``root``."""
    return inputs_named(root, SWITCH_INPUT, 6)


@functools.cache
def installed() -> frozenset[str]:
    """:func:`scan` of the installed providers, once per version of them and of the scan helpers."""
    root, key = provider_sources()
    return computed_once(
        "encryption-switches",
        lambda: frozenset(scan(root)),
        key=[*key, Path(class_scan.__file__).read_bytes(), SWITCH_INPUT.pattern],
    )


def judged(key: str) -> bool:
    """Whether a switch of ``ENCRYPTION_SWITCHES`` reads ``key``'s input, or a block on its way (a new
    switch of a type already judged is not judged by the type's other switches)."""
    token, path = key.split(" ", 1)
    return any(
        switch.path == path or switch.path.startswith((f"{path}.", f"{path}[]."))
        for switch in ENCRYPTION_SWITCHES.get(token, ())
    )


def unclassified(candidates: set[str] | frozenset[str]) -> list[str]:
    return sorted(
        key
        for key in candidates
        if not judged(key) and key not in NOT_ENCRYPTION_SWITCHES and key not in NOT_YET_JUDGED
    )


def test_every_encryption_switch_of_the_installed_providers_is_classified() -> None:
    missing = unclassified(installed())
    assert not missing, (
        "encryption-at-rest switches nobody classified: judge each in data-stores-encrypted-at-rest "
        "(ENCRYPTION_SWITCHES), or list it in NOT_ENCRYPTION_SWITCHES or NOT_YET_JUDGED with why "
        "(policies/rules/_encryption_switches.py, policies/rules/_encryption_classes.py):\n"
        + "\n".join(missing)
    )


def test_the_scan_finds_each_shape_a_switch_takes() -> None:
    candidates = installed()
    for shape in [
        "aws:rds/instance:Instance storageEncrypted",  # a top-level boolean
        "aws:kinesis/stream:Stream encryptionType",  # an enum
        "aws-native:kinesis:Stream streamEncryption.encryptionType",  # nested
        "aws:ec2/launchTemplate:LaunchTemplate blockDeviceMappings[].ebs.encrypted",  # in a list
        "aws:codebuild/project:Project artifacts.encryptionDisabled",  # inverted
        "aws:opensearch/domain:Domain encryptAtRest",  # a block
    ]:
        assert shape in candidates, shape


def test_the_tables_name_only_what_the_providers_have() -> None:
    candidates = installed()
    listed = {**NOT_ENCRYPTION_SWITCHES, **NOT_YET_JUDGED}
    assert [key for key in listed if key not in candidates] == []
    assert not set(NOT_ENCRYPTION_SWITCHES) & set(NOT_YET_JUDGED)
    # A judged type may list its other inputs (a Glue security configuration's S3 mode beside its judged
    # bookmarks mode), never one a switch reads.
    both = [key for key in listed if judged(key)]
    assert both == [], both
    # Each judged input exists (a misspelt path would pass every resource): its first step is a scanned
    # input of that type or, for a switch nested under a differently named block, a provider input.
    tops = {key.split(" ", 1)[0]: set() for key in candidates}
    for key in candidates:
        token, path = key.split(" ", 1)
        tops[token].add(path.split(".", 1)[0].removesuffix("[]"))
    unread = [
        token
        for token, switches in ENCRYPTION_SWITCHES.items()
        if token in tops
        and not any(s.path.split(".", 1)[0].removesuffix("[]") in tops[token] for s in switches)
    ]
    assert unread == []


def test_a_provider_adding_an_unclassified_switch_fails_the_check(tmp_path: Path) -> None:
    folder = tmp_path / "pulumi_aws" / "newservice"
    folder.mkdir(parents=True)
    (folder / "store.py").write_text(
        "@pulumi.input_type\n"
        "class StoreArgs:\n"
        "    @_builtins.property\n"
        '    @pulumi.getter(name="storageEncrypted")\n'
        "    def storage_encrypted(self) -> pulumi.Input[_builtins.bool]:\n"
        '        return pulumi.get(self, "storage_encrypted")\n'
        "\n"
        "class Store(pulumi.CustomResource):\n"
        "    def _internal_init(__self__):\n"
        "        super(Store, __self__).__init__(\n"
        "            'aws:newservice/store:Store',\n"
        "            resource_name)\n"
    )
    (tmp_path / "pulumi_aws_native").mkdir()
    assert unclassified(scan(tmp_path)) == ["aws:newservice/store:Store storageEncrypted"]
