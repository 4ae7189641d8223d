"""The other half of ``data-stores-encrypted-at-rest``'s class (``policies/rules/_encryption_switches.py``):
inputs of the installed providers named like an encryption-at-rest switch that are none, and switches the
rule does not judge yet, each with why. ``tests/policies/test_encryption_at_rest_65.py`` scans the SDKs and
fails on a switch-named input in neither table nor ``ENCRYPTION_SWITCHES``.
"""

from __future__ import annotations

_KEY_KIND = (
    "the store is always encrypted at rest; the input picks the key (an AWS owned or managed key when "
    "off or unset), not whether data is encrypted"
)
_IN_TRANSIT = "encryption in transit, not at rest"

#: ``type input`` of the providers named like an encryption-at-rest switch that is none, and why.
NOT_ENCRYPTION_SWITCHES: dict[str, str] = {
    **dict.fromkeys(
        (
            "aws:dynamodb/table:Table serverSideEncryption",
            "aws-native:dynamodb:Table sseSpecification",
            "aws-native:dynamodb:GlobalTable sseSpecification",
            "aws-native:dynamodb:GlobalTable replicas[].sseSpecification",
            "aws-native:cassandra:Table encryptionSpecification.encryptionType",
            "aws-native:iot:EncryptionConfiguration encryptionType",
            "aws:verifiedaccess/endpoint:Endpoint sseSpecification",
            "aws:verifiedaccess/trustProvider:TrustProvider sseSpecification",
            "aws-native:ec2:VerifiedAccessEndpoint sseSpecification",
            "aws-native:ec2:VerifiedAccessGroup sseSpecification",
            "aws-native:ec2:VerifiedAccessTrustProvider sseSpecification",
            "aws-native:msk:Cluster encryptionInfo.encryptionAtRest",
            "aws:opensearchingest/pipeline:Pipeline encryptionAtRestOptions",
            "aws-native:osis:Pipeline encryptionAtRestOptions",
            # Storage Gateway: kmsEncrypted false (or encryptionType SseS3) is S3-managed keys, still encrypted.
            "aws:storagegateway/cachesIscsiVolume:CachesIscsiVolume kmsEncrypted",
            "aws:storagegateway/storedIscsiVolume:StoredIscsiVolume kmsEncrypted",
            "aws:storagegateway/nfsFileShare:NfsFileShare kmsEncrypted",
            "aws:storagegateway/smbFileShare:SmbFileShare kmsEncrypted",
            "aws-native:storagegateway:NfsFileShare kmsEncrypted",
            "aws-native:storagegateway:NfsFileShare encryptionType",
            "aws-native:storagegateway:SmbFileShare kmsEncrypted",
            "aws-native:storagegateway:SmbFileShare encryptionType",
            "aws-native:storagegateway:Tape kmsEncrypted",
            "aws-native:storagegateway:Volume kmsEncrypted",
            # ECR: AES256 (S3-managed keys), KMS or KMS_DSSE: every value encrypts.
            "aws:ecr/repository:Repository encryptionConfigurations[].encryptionType",
            "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate encryptionConfigurations[].encryptionType",
            "aws-native:ecr:Repository encryptionConfiguration.encryptionType",
            "aws-native:ecr:RepositoryCreationTemplate encryptionConfiguration.encryptionType",
            # S3 encrypts every new object (SSE-S3 at least); the bucket's key is s3-sse-kms-encrypted's.
            "aws:s3/bucketObject:BucketObject serverSideEncryption",
            "aws:s3/bucketObjectv2:BucketObjectv2 serverSideEncryption",
            "aws:s3/objectCopy:ObjectCopy serverSideEncryption",
        ),
        _KEY_KIND,
    ),
    **dict.fromkeys(
        (
            "aws:connect/instanceStorageConfig:InstanceStorageConfig "
            "storageConfig.kinesisVideoStreamConfig.encryptionConfig.encryptionType",
            "aws:connect/instanceStorageConfig:InstanceStorageConfig "
            "storageConfig.s3Config.encryptionConfig.encryptionType",
            "aws-native:connect:InstanceStorageConfig kinesisVideoStreamConfig.encryptionConfig.encryptionType",
            "aws-native:connect:InstanceStorageConfig s3Config.encryptionConfig.encryptionType",
            "aws-native:kinesis:Channel encryptionConfiguration.encryptionType",
        ),
        "KMS is the only valid value: the data is always encrypted, the input names the key",
    ),
    **dict.fromkeys(
        (
            "aws:mskconnect/connector:Connector kafkaClusterEncryptionInTransit.encryptionType",
            "aws-native:kafkaconnect:Connector kafkaClusterEncryptionInTransit.encryptionType",
            "aws-native:msk:Replicator kafkaClusters[].encryptionInTransit.encryptionType",
            "aws-native:medialive:Input routerSettings.encryptionType",
        ),
        _IN_TRANSIT,
    ),
    "aws:medialive/channel:Channel encoderSettings.outputGroups[].outputGroupSettings.hlsGroupSettings.encryptionType": (
        "the HLS segments' content encryption (AES-128, SAMPLE-AES) for viewers, not storage at rest"
    ),
    **dict.fromkeys(
        (
            "aws:ecs/cluster:Cluster "
            "configuration.executeCommandConfiguration.logConfiguration.cloudWatchEncryptionEnabled",
            "aws:ecs/cluster:Cluster "
            "configuration.executeCommandConfiguration.logConfiguration.s3BucketEncryptionEnabled",
            "aws-native:ecs:Cluster "
            "configuration.executeCommandConfiguration.logConfiguration.cloudWatchEncryptionEnabled",
            "aws-native:ecs:Cluster configuration.executeCommandConfiguration.logConfiguration.s3EncryptionEnabled",
        ),
        "ECS Exec session logs land in a log group or bucket, always encrypted at rest (CloudWatch Logs; S3 "
        "since 2023); the flag makes ECS require the destination's own encryption, judged on the destination",
    ),
    # AppSync API caches: "atRestEncryptionEnabled attribute is deprecated. Encryption at rest is always
    # enabled" (the AppSync API's CreateApiCache, as its SDKs carry it).
    **dict.fromkeys(
        (
            "aws:appsync/apiCache:ApiCache atRestEncryptionEnabled",
            "aws-native:appsync:ApiCache atRestEncryptionEnabled",
        ),
        "deprecated and ignored: AppSync encrypts every API cache at rest whatever it says",
    ),
    "aws-native:s3:Bucket bucketEncryption.serverSideEncryptionConfiguration[].blockedEncryptionTypes.encryptionType": (
        "the upload encryption types the bucket refuses (SSE-C), not whether objects are encrypted"
    ),
    # Mode-valued inputs whose every value encrypts, or whose store encrypts whatever the mode.
    **dict.fromkeys(
        (
            "aws:glue/securityConfiguration:SecurityConfiguration "
            "encryptionConfiguration.s3Encryption.s3EncryptionMode",
            "aws-native:glue:SecurityConfiguration encryptionConfiguration.s3Encryptions[].s3EncryptionMode",
            "aws-native:glue:MlTransform transformEncryption.mlUserDataEncryption.mlUserDataEncryptionMode",
            "aws:athena/database:Database encryptionConfiguration.encryptionOption",
            "aws:athena/workgroup:Workgroup configuration.resultConfiguration.encryptionConfiguration.encryptionOption",
            "aws-native:athena:WorkGroup "
            "workGroupConfiguration.resultConfiguration.encryptionConfiguration.encryptionOption",
            "aws-native:athena:WorkGroup "
            "workGroupConfigurationUpdates.resultConfigurationUpdates.encryptionConfiguration.encryptionOption",
            "aws-native:emrcontainers:SecurityConfiguration securityConfigurationData.encryptionConfiguration."
            "atRestEncryptionConfiguration.s3EncryptionConfiguration.encryptionOption",
            "aws-native:databrew:Job encryptionMode",
            "aws:dms/endpoint:Endpoint redshiftSettings.encryptionMode",
            "aws:dms/s3Endpoint:S3Endpoint encryptionMode",
            "aws-native:dms:Endpoint redshiftSettings.encryptionMode",
            "aws-native:dms:Endpoint s3Settings.encryptionMode",
            "aws:synthetics/canary:Canary artifactConfig.s3Encryption.encryptionMode",
            "aws-native:synthetics:Canary artifactConfig.s3Encryption.encryptionMode",
            "aws:timestreamquery/scheduledQuery:ScheduledQuery errorReportConfiguration.s3Configuration.encryptionOption",
            "aws-native:timestream:ScheduledQuery errorReportConfiguration.s3Configuration.encryptionOption",
            "aws:timestreamwrite/table:Table "
            "magneticStoreWriteProperties.magneticStoreRejectedDataLocation.s3Configuration.encryptionOption",
            "aws-native:timestream:Table "
            "magneticStoreWriteProperties.magneticStoreRejectedDataLocation.s3Configuration.encryptionOption",
        ),
        "the data lands in S3, which encrypts every new object (SSE-S3 at least) whatever the mode (SSE_S3, "
        "SSE_KMS, CSE_KMS or DISABLED); the mode picks the key",
    ),
    **dict.fromkeys(
        (
            "aws:glue/securityConfiguration:SecurityConfiguration "
            "encryptionConfiguration.cloudwatchEncryption.cloudwatchEncryptionMode",
            "aws-native:glue:SecurityConfiguration encryptionConfiguration.cloudWatchEncryption.cloudWatchEncryptionMode",
        ),
        "the logs land in CloudWatch Logs, which always encrypts log data at rest; DISABLED only drops the KMS key",
    ),
    "aws:codegurureviewer/repositoryAssociation:RepositoryAssociation kmsKeyDetails.encryptionOption": _KEY_KIND,
    "aws-native:opensearchservice:Domain encryptionAtRestOptions.encryptionMode": (
        "DISK (volume) or NATIVE (index-level, which requires encryption at rest enabled): where it is "
        "encrypted, not whether; encryptionAtRestOptions.enabled is the switch"
    ),
    **dict.fromkeys(
        (
            "aws:directconnect/connection:Connection encryptionMode",
            "aws-native:workspaces:Directory endpointEncryptionMode",
            "aws-native:iam:SamlProvider assertionEncryptionMode",
        ),
        _IN_TRANSIT + " (MACsec, TLS endpoints, SAML assertions)",
    ),
    **dict.fromkeys(
        (
            "aws:ec2/amiCopy:AmiCopy ebsBlockDevices[].encrypted",
            "aws:ec2/amiFromInstance:AmiFromInstance ebsBlockDevices[].encrypted",
        ),
        "the devices of the copied or captured image as the provider reads them back, not a setting",
    ),
}

#: ``type input`` switches this rule does not judge yet, and why (each a known gap, listed so that the
#: class scan still fails on a new one).
NOT_YET_JUDGED: dict[str, str] = {}
