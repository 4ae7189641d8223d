"""``data-stores-encrypted-at-rest``, session 66: mode-valued switches (a value such as ``DISABLED``, not a
boolean) found as a class, and a switch whose meaning another input
decides; each through the same one-resource helpers the rule's own tests use."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_encryption_at_rest_65 import installed, unclassified
from tests.policies.test_resource_policy_class_63 import provider_sources

RULE = "data-stores-encrypted-at-rest"
GLUE = "aws:glue/securityConfiguration:SecurityConfiguration"
NATIVE_GLUE = "aws-native:glue:SecurityConfiguration"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
NATIVE_GROUP = "aws-native:elasticache:ReplicationGroup"


BOOKMARKS = "encryptionConfiguration.jobBookmarksEncryption.jobBookmarksEncryptionMode"


def _glue(bookmarks: dict[str, Any], s3: str = "SSE-S3", logs: str = "DISABLED") -> dict[str, Any]:
    # pulumi-aws: the three blocks are required, each mode defaults to DISABLED.
    return {
        "encryptionConfiguration": {
            "cloudwatchEncryption": {"cloudwatchEncryptionMode": logs},
            "jobBookmarksEncryption": bookmarks,
            "s3Encryption": {"s3EncryptionMode": s3},
        }
    }


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            GLUE,
            _glue({"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": "arn:aws:kms:eu-west-1:1:key/k"}),
            None,
            id="bookmarks-cse-kms",
        ),
        pytest.param(
            GLUE,
            _glue({"jobBookmarksEncryptionMode": "DISABLED"}),
            f"{BOOKMARKS} is 'DISABLED'",
            id="bookmarks-disabled",
        ),
        # "Valid values: `CSE-KMS`, `DISABLED`. Default value: `DISABLED`." (pulumi-aws's docstring).
        pytest.param(GLUE, _glue({}), f"{BOOKMARKS} is unset", id="bookmarks-unset"),
        # S3 and CloudWatch Logs encrypt whatever the mode: DISABLED there only drops the KMS key.
        pytest.param(
            GLUE,
            _glue({"jobBookmarksEncryptionMode": "CSE-KMS"}, s3="DISABLED", logs="DISABLED"),
            None,
            id="s3-and-logs-disabled",
        ),
        pytest.param(
            NATIVE_GLUE,
            {
                "encryptionConfiguration": {
                    "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "DISABLED"},
                    "s3Encryptions": [{"s3EncryptionMode": "DISABLED"}],
                }
            },
            f"{BOOKMARKS} is 'DISABLED'",
            id="native-bookmarks-disabled",
        ),
        pytest.param(
            NATIVE_GLUE,
            {"name": "jobs", "encryptionConfiguration": {}},
            f"{BOOKMARKS} is unset",
            id="native-unset",
        ),
    ],
)
def test_glue_job_bookmarks_are_a_mode_valued_switch(
    resource_type: str, inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    extra = () if fragment is None else ("subject: ", "Fix: set job_bookmarks_encryption_mode='CSE-KMS'")
    assert_decided(findings(RULE, resource_type, inputs, outputs=outputs), fragment, *extra)


def test_the_class_scan_finds_mode_valued_switches() -> None:
    candidates = installed()
    for key in [
        f"{GLUE} {BOOKMARKS}",
        f"{GLUE} encryptionConfiguration.s3Encryption.s3EncryptionMode",
        f"{GLUE} encryptionConfiguration.cloudwatchEncryption.cloudwatchEncryptionMode",
        f"{NATIVE_GLUE} encryptionConfiguration.s3Encryptions[].s3EncryptionMode",
        "aws-native:glue:MlTransform transformEncryption.mlUserDataEncryption.mlUserDataEncryptionMode",
        "aws:athena/database:Database encryptionConfiguration.encryptionOption",
        "aws:apigateway/methodSettings:MethodSettings settings.cacheDataEncrypted",
    ]:
        assert key in candidates, key
    assert not [key for key in candidates if "transitencryptionmode" in key.lower()]
    # A new mode-valued input of a provider is unclassified until someone judges it.
    assert unclassified({"aws:newservice/store:Store archiveEncryptionMode"}) == [
        "aws:newservice/store:Store archiveEncryptionMode"
    ]


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        # Data tiering: "Data stored on SSDs ... is always encrypted", but at-rest encryption also covers
        # the disk during sync, backup and swap and the backups in S3: a Redis OSS group stays refused.
        pytest.param(
            GROUP,
            {"description": "d", "nodeType": "cache.r6gd.xlarge", "dataTieringEnabled": True},
            "atRestEncryptionEnabled is unset",
            id="redis-data-tiering-unset",
        ),
        # "It is always enabled on a serverless cache and on clusters with durability enabled" (ElastiCache
        # at-rest encryption): a durable Valkey group is encrypted whatever the flag says.
        pytest.param(
            GROUP,
            {"description": "d", "engine": "valkey", "durability": "sync", "atRestEncryptionEnabled": False},
            None,
            id="durable-sync-false",
        ),
        pytest.param(
            NATIVE_GROUP,
            {
                "replicationGroupDescription": "d",
                "engine": "valkey",
                "durability": "async",
                "atRestEncryptionEnabled": False,
            },
            None,
            id="native-durable-async-false",
        ),
        # "default" lets the service decide, "disabled" is no durability: the flag decides again.
        pytest.param(
            GROUP,
            {
                "description": "d",
                "engine": "valkey",
                "durability": "default",
                "atRestEncryptionEnabled": False,
            },
            "atRestEncryptionEnabled is False",
            id="durability-default-false",
        ),
        pytest.param(
            GROUP,
            {
                "description": "d",
                "engine": "valkey",
                "durability": "disabled",
                "atRestEncryptionEnabled": False,
            },
            "atRestEncryptionEnabled is False",
            id="durability-disabled-false",
        ),
    ],
)
def test_a_switch_another_input_decides(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    assert_decided(findings(RULE, resource_type, inputs), fragment)


def test_an_unknown_durability_leaves_an_explicit_off_undecided() -> None:
    inputs = {"description": "d", "engine": "valkey", "atRestEncryptionEnabled": False}
    assert findings(RULE, GROUP, {**inputs, "durability": UNKNOWN_STRING_VALUE}) == ([], 1)
    # ...but not an encrypting one: the flag alone decides there.
    assert findings(
        RULE, GROUP, {**inputs, "atRestEncryptionEnabled": True, "durability": UNKNOWN_STRING_VALUE}
    ) == (
        [],
        0,
    )


DRS = "aws:drs/replicationConfigurationTemplate:ReplicationConfigurationTemplate"
NATIVE_DRS = "aws-native:drs:ReplicationConfigurationTemplate"
STAGING = {"stagingAreaSubnetId": "subnet-1", "replicationServersSecurityGroupsIds": ["sg-1"]}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        # The replicated disks land on EBS volumes in the staging area: "The type of EBS encryption to be
        # used during replication", DEFAULT | CUSTOM | NONE (DRS CreateReplicationConfigurationTemplate;
        # required by both providers, so never unset).
        pytest.param(DRS, {**STAGING, "ebsEncryption": "DEFAULT"}, None, id="default-key"),
        pytest.param(
            DRS,
            {**STAGING, "ebsEncryption": "CUSTOM", "ebsEncryptionKeyArn": "arn:aws:kms:x"},
            None,
            id="custom",
        ),
        pytest.param(DRS, {**STAGING, "ebsEncryption": "NONE"}, "ebsEncryption is 'NONE'", id="none"),
        pytest.param(
            NATIVE_DRS, {**STAGING, "ebsEncryption": "NONE"}, "ebsEncryption is 'NONE'", id="native-none"
        ),
    ],
)
def test_a_drs_replication_template_is_refused_without_ebs_encryption(
    resource_type: str, inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    extra = (
        () if fragment is None else ("subject: ", "unencrypted at rest", "Fix: set ebs_encryption='DEFAULT'")
    )
    assert_decided(findings(RULE, resource_type, inputs, outputs=outputs), fragment, *extra)


#: A value that asks for no encryption.
OFF_VALUES = {"NONE", "DISABLED", "DISABLE", "UNENCRYPTED", "PLAINTEXT", "NO_ENCRYPTION", "OFF"}

#: aws-native enums named for encryption with an off value (``OFF_VALUES``), each read: the inputs they
#: type are judged (``ENCRYPTION_SWITCHES``) or none is an at-rest switch. The name scan misses a switch
#: named otherwise (``ebsEncryption``); the enums a provider ships name every such value.
OFF_VALUED_ENUMS = {
    "ReplicationConfigurationTemplateEbsEncryption": "judged: DRS ebsEncryption",
    "TaskDefinitionEfsVolumeConfigurationTransitEncryption": "in transit",
    "LocationEfsInTransitEncryption": "in transit",
    "ClusterEncryptionInTransitClientBroker": "in transit",
    "ConnectorKafkaClusterEncryptionInTransitType": "in transit",
    "ConnectorAs2ConfigPropertiesEncryptionAlgorithm": "AS2 messages in transit",
    "TransitGatewayEncryptionSupport": "VPC traffic in transit",
    "BucketBlockedEncryptionTypeListItem": "the upload types a bucket refuses",
    "BucketSseKmsEncryptedObjectsStatus": "a replication rule's filter on SSE-KMS objects",
    **dict.fromkeys(
        (
            "OriginEndpointEncryptionContractConfigurationPresetSpeke20Audio",
            "OriginEndpointEncryptionContractConfigurationPresetSpeke20Video",
            "PackagingConfigurationEncryptionContractConfigurationPresetSpeke20Audio",
            "PackagingConfigurationEncryptionContractConfigurationPresetSpeke20Video",
        ),
        "DRM presets for viewers",
    ),
}
_ENUM = re.compile(r"^class (\w*(?:Encrypt|Sse)\w*)\(.*?\):\n(.*?)(?=^class |\Z)", re.S | re.M)


def test_every_off_valued_encryption_enum_of_aws_native_is_read() -> None:
    root, _ = provider_sources()
    found = set()
    for source in (root / "pulumi_aws_native").rglob("_enums.py"):
        for name, body in _ENUM.findall(source.read_text()):
            values = re.findall(r'^\s+\w+ = "([^"]+)"', body, re.M)
            if name.startswith("VpcEncryptionControl"):  # which gateways a VPC's encryption control exempts
                continue
            if OFF_VALUES & {value.upper() for value in values}:
                found.add(name)
    assert sorted(found - set(OFF_VALUED_ENUMS)) == []
    assert sorted(set(OFF_VALUED_ENUMS) - found) == []


METHOD = "aws:apigateway/methodSettings:MethodSettings"
NATIVE_STAGE = "aws-native:apigateway:Stage"
NATIVE_DEPLOYMENT = "aws-native:apigateway:Deployment"
CACHE_FIX = "Fix: set cache_data_encrypted=True"


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            METHOD,
            {"methodPath": "*/*", "settings": {"cachingEnabled": True, "cacheDataEncrypted": True}},
            None,
            id="caching-encrypted",
        ),
        pytest.param(
            METHOD,
            {"methodPath": "*/*", "settings": {"cachingEnabled": True, "cacheDataEncrypted": False}},
            "settings.cacheDataEncrypted is False",
            id="caching-off",
        ),
        # MethodSetting.cacheDataEncrypted is the API's non-nullable Boolean: unset is false, read back so.
        pytest.param(
            METHOD,
            {"methodPath": "*/*", "settings": {"cachingEnabled": True}},
            "settings.cacheDataEncrypted is",
            id="caching-unset",
        ),
        # A method that does not cache stores nothing.
        pytest.param(
            METHOD,
            {"methodPath": "*/*", "settings": {"cachingEnabled": False, "cacheDataEncrypted": False}},
            None,
            id="not-caching",
        ),
        pytest.param(
            METHOD, {"methodPath": "*/*", "settings": {"metricsEnabled": True}}, None, id="no-cache-setting"
        ),
        pytest.param(
            NATIVE_STAGE,
            {
                "restApiId": "a",
                "methodSettings": [
                    {"httpMethod": "GET", "resourcePath": "/a", "cachingEnabled": False},
                    {
                        "httpMethod": "GET",
                        "resourcePath": "/b",
                        "cachingEnabled": True,
                        "cacheDataEncrypted": False,
                    },
                ],
            },
            "methodSettings[1].cacheDataEncrypted is False",
            id="native-stage-second-method",
        ),
        pytest.param(
            NATIVE_DEPLOYMENT,
            {"restApiId": "a", "stageDescription": {"cachingEnabled": True, "cacheClusterEnabled": True}},
            "stageDescription.cacheDataEncrypted is unset",
            id="native-deployment-unset",
        ),
    ],
)
def test_an_api_gateway_cache_is_encrypted_where_a_method_caches(
    resource_type: str, inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    if outputs and fragment is not None:
        fragment = fragment.removesuffix(" unset")  # read back false after create
    extra = () if fragment is None else ("subject: ", "unencrypted at rest", CACHE_FIX)
    assert_decided(findings(RULE, resource_type, inputs, outputs=outputs), fragment, *extra)


def test_an_unknown_caching_flag_leaves_an_unencrypted_cache_undecided() -> None:
    settings = {"cachingEnabled": UNKNOWN_STRING_VALUE, "cacheDataEncrypted": False}
    assert findings(RULE, METHOD, {"methodPath": "*/*", "settings": settings}) == ([], 1)
    settings = {"cachingEnabled": UNKNOWN_STRING_VALUE, "cacheDataEncrypted": True}
    assert findings(RULE, METHOD, {"methodPath": "*/*", "settings": settings}) == ([], 0)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_method_not_known_to_cache_is_not_judged(outputs: bool) -> None:
    # cachingEnabled unset: the method caches only if a stage default says so (another resource), and
    # after create it reads back false: one verdict for both.
    inputs = {"methodPath": "*/*", "settings": {"cacheDataEncrypted": False}}
    assert findings(RULE, METHOD, inputs, outputs=outputs) == ([], 0)
