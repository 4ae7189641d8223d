"""Second read of ``data-stores-encrypted-at-rest`` (session 65): false refusals an adopter would hit and
switches the class missed, each through the same one-resource helpers the rule's own tests use, at preview
and after create."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_encryption_at_rest_65 import installed, unclassified

RULE = "data-stores-encrypted-at-rest"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
KINESIS = "aws:kinesis/stream:Stream"
KINESIS_SOURCE = {
    "kinesisSourceConfiguration": {
        "kinesisStreamArn": "arn:aws:kinesis:eu-west-1:111122223333:stream/events",
        "roleArn": "arn:aws:iam::111122223333:role/firehose",
    }
}
MSK_SOURCE = {
    "mskSourceConfiguration": {
        "mskClusterArn": "arn:aws:kafka:eu-west-1:111122223333:cluster/events/uuid",
        "topicName": "events",
        "authenticationConfiguration": {"connectivity": "PRIVATE", "roleArn": "r"},
    }
}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        # A Kinesis or MSK source: Firehose stores nothing at rest and AWS refuses SSE on such a stream,
        # so neither an unset block nor the provider's own read-back `enabled: false` is a finding.
        pytest.param({"destination": "extended_s3", **KINESIS_SOURCE}, None, id="kinesis-source-unset"),
        pytest.param(
            {"destination": "extended_s3", **KINESIS_SOURCE, "serverSideEncryption": {"enabled": False}},
            None,
            id="kinesis-source-off",
        ),
        pytest.param({"destination": "extended_s3", **MSK_SOURCE}, None, id="msk-source-unset"),
        # Direct PUT (no source) still stores records at rest: unset and off are refused.
        pytest.param(
            {"destination": "extended_s3"}, "serverSideEncryption.enabled is unset", id="direct-put"
        ),
        pytest.param(
            {"destination": "extended_s3", "serverSideEncryption": {"enabled": False}},
            "serverSideEncryption.enabled is False",
            id="direct-put-off",
        ),
    ],
)
def test_firehose_with_a_stream_source_stores_nothing_at_rest(
    inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    extra = () if fragment is None else ("subject: ", "Fix: set server_side_encryption=")
    assert_decided(findings(RULE, FIREHOSE, inputs, outputs=outputs), fragment, *extra)


WORKSPACE = "aws:workspaces/workspace:Workspace"
NATIVE_WORKSPACE = "aws-native:workspaces:Workspace"
EBS_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
BOTH_ON = {"rootVolumeEncryptionEnabled": True, "userVolumeEncryptionEnabled": True}
DESKTOP = {"bundleId": "wsb-1", "directoryId": "d-1", "userName": "ana"}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            WORKSPACE, {**DESKTOP, **BOTH_ON, "volumeEncryptionKey": "alias/aws/workspaces"}, None, id="ws-on"
        ),
        pytest.param(
            WORKSPACE,
            {**DESKTOP, **BOTH_ON, "userVolumeEncryptionEnabled": False},
            "userVolumeEncryptionEnabled is False",
            id="ws-user-off",
        ),
        pytest.param(
            NATIVE_WORKSPACE,
            {**DESKTOP, **BOTH_ON, "rootVolumeEncryptionEnabled": False},
            "rootVolumeEncryptionEnabled is False",
            id="native-ws-root-off",
        ),
        pytest.param(EBS_DEFAULT, {"enabled": True}, None, id="ebs-default-on"),
        pytest.param(EBS_DEFAULT, {"enabled": False}, "enabled is False", id="ebs-default-off"),
        # The provider's default is true: unset turns encryption by default on.
        pytest.param(EBS_DEFAULT, {}, None, id="ebs-default-unset"),
    ],
)
def test_workspace_volumes_and_the_account_ebs_default_are_switches(
    resource_type: str, inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    extra = () if fragment is None else ("subject: ", "unencrypted at rest", "Fix: set ")
    assert_decided(findings(RULE, resource_type, inputs, outputs=outputs), fragment, *extra)


@pytest.mark.parametrize("resource_type", [WORKSPACE, NATIVE_WORKSPACE])
def test_a_workspace_left_unset_is_refused_for_both_volumes(resource_type: str) -> None:
    messages, undecided = findings(RULE, resource_type, DESKTOP)
    assert undecided == 0 and len(messages) == 2, messages
    assert "rootVolumeEncryptionEnabled is unset" in messages[0]
    assert "userVolumeEncryptionEnabled is unset" in messages[1]
    assert all("volume_encryption_key" in message for message in messages)


def test_the_class_scan_finds_switches_named_for_what_they_encrypt() -> None:
    candidates = installed()
    assert f"{WORKSPACE} rootVolumeEncryptionEnabled" in candidates
    assert f"{NATIVE_WORKSPACE} userVolumeEncryptionEnabled" in candidates
    assert (
        "aws-native:kinesisfirehose:DeliveryStream deliveryStreamEncryptionConfigurationInput" in candidates
    )
    assert not [key for key in candidates if "transitencryptionenabled" in key.lower()]


@pytest.mark.parametrize("value", ["kms", "Kms"])
def test_an_encrypting_value_is_read_whatever_its_case(value: str) -> None:
    assert_decided(findings(RULE, KINESIS, {"encryptionType": value, "kmsKeyId": "alias/k"}), None)
    assert_decided(findings(RULE, KINESIS, {"encryptionType": "none"}), "encryptionType is 'none'")


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_redshift_cluster_left_unset_passes_after_create_too(outputs: bool) -> None:
    # The provider reads its default "true" back (the harness read the string's zero, '', and refused).
    redshift = "aws:redshift/cluster:Cluster"
    assert_decided(findings(RULE, redshift, {"nodeType": "ra3.xlplus"}, outputs=outputs), None)
    assert_decided(
        findings(RULE, redshift, {"nodeType": "ra3.xlplus", "encrypted": "false"}, outputs=outputs),
        "encrypted is 'false'",
    )


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param("aws:ebs/volume:Volume", {"availabilityZone": "eu-west-1a", "size": 8}, id="volume"),
        pytest.param("aws-native:ec2:Volume", {"availabilityZone": "eu-west-1a", "size": 8}, id="native"),
        pytest.param(
            "aws:ebs/snapshotImport:SnapshotImport", {"diskContainer": {"format": "VHD"}}, id="import"
        ),
    ],
)
def test_an_unset_ebs_switch_says_the_account_default_may_encrypt(
    resource_type: str, inputs: dict[str, Any]
) -> None:
    # The account's encryption by default may be on: the finding must not claim the data is unencrypted,
    # and says why the switch is asked anyway.
    messages, undecided = findings(RULE, resource_type, inputs)
    assert undecided == 0 and len(messages) == 1, messages
    assert "may be stored unencrypted" in messages[0] and "would be" not in messages[0]
    assert "EncryptionByDefault" in messages[0] and messages[0].endswith("Fix: set encrypted=True.")
    rds, _ = findings(RULE, "aws:rds/instance:Instance", {"engine": "postgres"})
    assert "would be stored unencrypted at rest" in rds[0]


NATIVE_FIREHOSE = "aws-native:kinesisfirehose:DeliveryStream"
S3_DESTINATION = {"s3DestinationConfiguration": {"bucketArn": "arn:aws:s3:::b", "roleArn": "r"}}


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param(
            {**S3_DESTINATION, "deliveryStreamEncryptionConfigurationInput": {"keyType": "AWS_OWNED_CMK"}},
            None,
            id="aws-owned-key",
        ),
        pytest.param(
            {
                **S3_DESTINATION,
                "deliveryStreamEncryptionConfigurationInput": {
                    "keyType": "CUSTOMER_MANAGED_CMK",
                    "keyArn": "k",
                },
            },
            None,
            id="customer-key",
        ),
        # Direct PUT (the default type) without the block: no SSE, as pulumi-aws's unset block.
        pytest.param(
            S3_DESTINATION, "deliveryStreamEncryptionConfigurationInput.keyType is unset", id="unset"
        ),
        pytest.param(
            {**S3_DESTINATION, "deliveryStreamType": "DirectPut"}, "Firehose leaves buffered", id="direct-put"
        ),
        pytest.param(
            {
                **S3_DESTINATION,
                "deliveryStreamType": "KinesisStreamAsSource",
                "kinesisStreamSourceConfiguration": {"kinesisStreamArn": "arn", "roleArn": "r"},
            },
            None,
            id="kinesis-source",
        ),
        pytest.param({**S3_DESTINATION, "deliveryStreamType": "MSKAsSource"}, None, id="msk-type"),
    ],
)
def test_the_aws_native_delivery_stream_is_the_twin_of_pulumi_aws(
    inputs: dict[str, Any], fragment: str | None
) -> None:
    extra = (
        () if fragment is None else ("subject: ", "Fix: set delivery_stream_encryption_configuration_input=")
    )
    assert_decided(findings(RULE, NATIVE_FIREHOSE, inputs), fragment, *extra)


def test_a_new_switch_of_a_type_already_judged_fails_the_class_check() -> None:
    # The scan classified a key by its type alone: a second device list a provider adds to a judged type
    # passed unread. It must be a switch's path (or a block on its way).
    assert unclassified({"aws:ec2/instance:Instance ephemeralDevices[].encrypted"}) == [
        "aws:ec2/instance:Instance ephemeralDevices[].encrypted"
    ]
    assert unclassified({"aws:opensearch/domain:Domain encryptAtRest"}) == []  # the switch's block


def test_the_class_scan_reads_switches_nested_five_deep() -> None:
    candidates = installed()
    fleet = "aws-native:ec2:Ec2Fleet launchTemplateConfigs[].overrides[].blockDeviceMappings[].ebs.encrypted"
    assert fleet in candidates


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            "aws-native:ec2:Ec2Fleet",
            {
                "launchTemplateConfigs": [
                    {"overrides": [{"blockDeviceMappings": [{"ebs": {"encrypted": False}}]}]}
                ]
            },
            "launchTemplateConfigs[0].overrides[0].blockDeviceMappings[0].ebs.encrypted is False",
            id="ec2-fleet-off",
        ),
        pytest.param(
            "aws-native:ec2:Ec2Fleet",
            {"launchTemplateConfigs": [{"overrides": [{"blockDeviceMappings": [{"ebs": {}}]}]}]},
            None,
            id="ec2-fleet-unset",
        ),
        pytest.param(
            "aws-native:bedrockagentcore:CapacityProvider",
            {
                "computeConfiguration": {
                    "ec2Configuration": {"volumes": [{"ebsConfiguration": {"encrypted": False}}]}
                }
            },
            "computeConfiguration.ec2Configuration.volumes[0].ebsConfiguration.encrypted is False",
            id="agentcore-volume-off",
        ),
    ],
)
def test_deeply_nested_block_devices_are_read(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    extra = () if fragment is None else ("subject: ", "Fix: set encrypted=True on the block device")
    assert_decided(findings(RULE, resource_type, inputs), fragment, *extra)


@pytest.mark.parametrize("resource_type", ["aws:appsync/apiCache:ApiCache", "aws-native:appsync:ApiCache"])
@pytest.mark.parametrize("value", [False, True, None])
def test_an_appsync_cache_is_always_encrypted_whatever_its_deprecated_flag(
    resource_type: str, value: bool | None
) -> None:
    inputs: dict[str, Any] = {"apiId": "a", "type": "SMALL", "ttl": 60}
    if value is not None:
        inputs["atRestEncryptionEnabled"] = value
    assert findings(RULE, resource_type, inputs) == ([], 0)
    assert findings(RULE, resource_type, inputs, outputs=True) == ([], 0)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        # A launch template's ebs.encrypted is a string: unset reads back '' after create, and '' is how
        # the provider spells "not given" (the AMI snapshot's or the account's default decides).
        pytest.param(
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 8}}]},
            None,
            id="template-unset",
        ),
        pytest.param(
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": ""}}]},
            None,
            id="template-empty",
        ),
        pytest.param(
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
            "blockDeviceMappings[0].ebs.encrypted is 'false'",
            id="template-off",
        ),
        # '' is unset where unset is refused too: the finding says so, not "is ''".
        pytest.param(
            "aws:kinesis/stream:Stream", {"encryptionType": ""}, "encryptionType is unset", id="kinesis-empty"
        ),
    ],
)
def test_an_empty_string_switch_is_unset(
    resource_type: str, inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    assert_decided(findings(RULE, resource_type, inputs, outputs=outputs), fragment)


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param("aws:opensearch/domain:Domain", {"engineVersion": "OpenSearch_2.13"}, id="pulumi-aws"),
        pytest.param(
            "aws-native:opensearchservice:Domain", {"engineVersion": "OpenSearch_2.13"}, id="aws-native"
        ),
    ],
)
def test_both_opensearch_twins_refuse_a_domain_left_unencrypted(
    resource_type: str, inputs: dict[str, Any]
) -> None:
    # One CreateDomain call, one verdict: encryption at rest is opt-in.
    messages, undecided = findings(RULE, resource_type, inputs)
    assert undecided == 0 and len(messages) == 1 and "is unset" in messages[0], messages
    assert "Fix: set encrypt" in messages[0]


@pytest.mark.parametrize(
    ("pulumi_aws", "aws_native", "inputs"),
    [
        pytest.param(
            "aws:neptune/cluster:Cluster",
            "aws-native:neptune:DbCluster",
            {"engineVersion": "1.3"},
            id="neptune",
        ),
        pytest.param(
            "aws:docdb/globalCluster:GlobalCluster",
            "aws-native:docdb:GlobalCluster",
            {"globalClusterIdentifier": "g", "engine": "docdb"},
            id="docdb-global",
        ),
        pytest.param(
            "aws:rds/globalCluster:GlobalCluster",
            "aws-native:rds:GlobalCluster",
            {"globalClusterIdentifier": "g", "engine": "aurora-postgresql"},
            id="rds-global",
        ),
    ],
)
def test_twins_left_unset_get_one_verdict(pulumi_aws: str, aws_native: str, inputs: dict[str, Any]) -> None:
    for resource_type in (pulumi_aws, aws_native):
        messages, undecided = findings(RULE, resource_type, inputs)
        assert undecided == 0 and len(messages) == 1, (resource_type, messages)
        assert "storageEncrypted is unset" in messages[0] and "storage_encrypted=True" in messages[0]
        sourced = {**inputs, "sourceDbClusterIdentifier": "arn:aws:rds:eu-west-1:111122223333:cluster:c"}
        if "globalCluster" in resource_type or "GlobalCluster" in resource_type:
            assert findings(RULE, resource_type, sourced) == ([], 0)
