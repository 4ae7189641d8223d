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
}


def test_every_type_of_the_table_has_its_on_and_off_case() -> None:
    assert set(ON_OFF) <= set(ENCRYPTION_SWITCHES)
    assert set(ENCRYPTION_SWITCHES) - set(ON_OFF) == set(UNSET) - set(ON_OFF)


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
