"""Encryption at rest of data stores as a class: ``data-stores-encrypted-at-rest`` refuses a store
whose switch is explicitly off (``false``, ``NONE``) and one left unset where the default stores the
data unencrypted; it passes an encrypted store, an unset switch that encrypts or that follows a named
source, and leaves an unknown switch undecided at preview. Per type of ``ENCRYPTION_SWITCHES``, at
preview (inputs) and after create (outputs: unset booleans read back ``false``, as AWS reports them).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from policies.rules.encryption_at_rest import ENCRYPTION_SWITCHES
from tests.policies.one_resource import assert_decided, findings

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
APPSYNC = "aws:appsync/apiCache:ApiCache"
INSTANCE = "aws:ec2/instance:Instance"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NATIVE_TEMPLATE = "aws-native:ec2:LaunchTemplate"
FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
NATIVE_FLEET = "aws-native:ec2:SpotFleet"
ECS = "aws:ecs/service:Service"
CODEBUILD = "aws:codebuild/project:Project"
REPORTS = "aws-native:codebuild:ReportGroup"

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
    APPSYNC: (
        {"atRestEncryptionEnabled": True},
        {"atRestEncryptionEnabled": False},
        "atRestEncryptionEnabled is False",
        "at_rest_encryption_enabled=True",
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
    NATIVE_GLOBAL: [pytest.param({"globalClusterIdentifier": "g"}, None)],
    DOCDB: [
        pytest.param({"engine": "docdb"}, "DocumentDB creates the cluster unencrypted"),
        pytest.param({"snapshotIdentifier": "s"}, None),
    ],
    NEPTUNE: [
        pytest.param({"engine": "neptune"}, "Neptune creates the cluster unencrypted"),
        pytest.param({"replicationSourceIdentifier": "arn"}, None),
    ],
    NATIVE_NEPTUNE: [pytest.param({"dbClusterIdentifier": "n"}, None)],
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
    NATIVE_OPENSEARCH: [pytest.param({"engineVersion": "OpenSearch_2.13"}, None)],
    DAX: [pytest.param({"nodeType": "dax.r4.large"}, "DAX clusters are unencrypted")],
    APPSYNC: [pytest.param({"apiId": "a", "type": "SMALL"}, None)],
    INSTANCE: [
        pytest.param({"ami": "ami-1", "ebsBlockDevices": [{"deviceName": "/dev/sdb"}]}, None),
    ],
    TEMPLATE: [
        pytest.param(
            {"blockDeviceMappings": [{"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}]}, None
        ),
    ],
    CODEBUILD: [pytest.param({"artifacts": {"type": "S3"}}, None)],
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
