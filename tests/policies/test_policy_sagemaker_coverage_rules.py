"""SageMaker coverage: every Security Hub / AWS Config SageMaker control, on pulumi-aws and aws-native types.

Each control has a violating case and a compliant near-miss (the closest input that must still
pass), named for what it proves. The mapping table ``policies/controls.py`` is held to the registry,
to each rule's ``framework`` and to the README table.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import controls
from policies.local import evaluate_report
from policies.registry import ALL_POLICIES, PACK_DIR, POLICY_NAMES, get_policy

KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
ECR = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serving:1.0"
BYO = "registry.example.com/serving:1.0"
TAGS = {"owner": "ml", "cost-center": "42", "environment": "dev"}
NATIVE_TAGS = [{"key": k, "value": v} for k, v in TAGS.items()]

N_NOTEBOOK = "aws-native:sagemaker:NotebookInstance"
N_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"
N_MODEL = "aws-native:sagemaker:Model"
N_FEATURE_GROUP = "aws-native:sagemaker:FeatureGroup"
N_DOMAIN = "aws-native:sagemaker:Domain"
N_IMAGE = "aws-native:sagemaker:Image"
N_APP_IMAGE_CONFIG = "aws-native:sagemaker:AppImageConfig"
N_EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"
N_SCHEDULE = "aws-native:sagemaker:MonitoringSchedule"
N_DATA_QUALITY = "aws-native:sagemaker:DataQualityJobDefinition"
N_BIAS = "aws-native:sagemaker:ModelBiasJobDefinition"
N_EXPLAINABILITY = "aws-native:sagemaker:ModelExplainabilityJobDefinition"
N_QUALITY = "aws-native:sagemaker:ModelQualityJobDefinition"
N_PROCESSING = "aws-native:sagemaker:ProcessingJob"
N_PIPELINE = "aws-native:sagemaker:Pipeline"
IMAGE = "aws:sagemaker/image:Image"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
DROP = object()


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with the dotted ``path`` set to ``value`` (``DROP`` removes it)."""
    result = copy.deepcopy(base)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if value is DROP:
        node.pop(last, None)
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return result


NOTEBOOK_OK = {
    "instanceType": "ml.t3.medium",
    "roleArn": "arn:aws:iam::111122223333:role/nb",
    "directInternetAccess": "Disabled",
    "rootAccess": "Disabled",
    "subnetId": "subnet-1",
    "securityGroupIds": ["sg-1"],
    "kmsKeyId": KEY,
    "platformIdentifier": "notebook-al2023-v1",
    "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
    "tags": NATIVE_TAGS,
}
VARIANT = {
    "variantName": "primary",
    "modelName": "m",
    "instanceType": "ml.m5.xlarge",
    "initialInstanceCount": 2,
}
SERVERLESS = {
    "variantName": "primary",
    "modelName": "m",
    "serverlessConfig": {"maxConcurrency": 5, "memorySizeInMb": 2048},
}
N_CONFIG_OK = {"productionVariants": [VARIANT], "kmsKeyId": KEY}
N_MODEL_OK = {
    "executionRoleArn": "arn:aws:iam::111122223333:role/exec",
    "enableNetworkIsolation": True,
    "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "primaryContainer": {"image": BYO, "imageConfig": {"repositoryAccessMode": "Vpc"}},
}
N_FEATURE_GROUP_OK = {
    "description": "churn features",
    "offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://offline", "kmsKeyId": KEY}},
    "onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": KEY}},
}
NETWORK = {
    "enableInterContainerTrafficEncryption": True,
    "enableNetworkIsolation": True,
    "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
}


def monitor_job(output_config: str, instances: int = 1, **network: Any) -> dict[str, Any]:
    return {
        "networkConfig": {**NETWORK, **network},
        output_config: {"kmsKeyId": KEY, "monitoringOutputs": []},
        "jobResources": {
            "clusterConfig": {
                "instanceType": "ml.m5.large",
                "instanceCount": instances,
                "volumeKmsKeyId": KEY,
            }
        },
    }


SCHEDULE_OK = {
    "monitoringScheduleConfig": {
        "monitoringJobDefinition": {
            "networkConfig": NETWORK,
            "monitoringOutputConfig": {"kmsKeyId": KEY},
            "monitoringResources": {
                "clusterConfig": {"instanceType": "ml.m5.large", "instanceCount": 1, "volumeKmsKeyId": KEY}
            },
        }
    }
}


def experiment(instance_type: str = "ml.m5.xlarge", **extra: Any) -> dict[str, Any]:
    variants = [
        {
            "modelName": name,
            "variantName": name,
            "infrastructureConfig": {
                "infrastructureType": "RealTimeInference",
                "realTimeInferenceConfig": {"instanceType": instance_type, "instanceCount": 1},
            },
        }
        for name in ("production", "shadow")
    ]
    return {"type": "ShadowMode", "endpointName": "ep", "modelVariants": variants, "kmsKey": KEY, **extra}


PROCESSING_OK = {
    "networkConfig": NETWORK,
    "processingOutputConfig": {"kmsKeyId": KEY, "outputs": []},
    "processingResources": {
        "clusterConfig": {"instanceType": "ml.m5.xlarge", "instanceCount": 1, "volumeKmsKeyId": KEY}
    },
}
TRAINING_DEFINITION = {
    "enableNetworkIsolation": True,
    "enableInterContainerTrafficEncryption": True,
    "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "outputDataConfig": {"s3OutputPath": "s3://out", "kmsKeyId": KEY},
    "resourceConfig": {"instanceType": "ml.m5.xlarge", "instanceCount": 1, "volumeKmsKeyId": KEY},
}
TUNING_OK = {"trainingJobDefinition": TRAINING_DEFINITION}
TUNING_RESOURCE_CONFIG = {
    "trainingJobDefinitions": [
        {
            **{k: v for k, v in TRAINING_DEFINITION.items() if k != "resourceConfig"},
            "hyperParameterTuningResourceConfig": {
                "instanceConfigs": [{"instanceType": "ml.g5.xlarge", "instanceCount": 1}],
                "allocationStrategy": "Prioritized",
            },
        }
    ]
}

CASES = [
    # SageMaker.1-.3, .8, .21 on the aws-native notebook
    pytest.param(
        "notebook-no-direct-internet",
        N_NOTEBOOK,
        NOTEBOOK_OK,
        None,
        id="sh1-native-notebook-internet-disabled-passes",
    ),
    pytest.param(
        "notebook-no-direct-internet",
        N_NOTEBOOK,
        changed(NOTEBOOK_OK, "directInternetAccess", DROP),
        "directInternetAccess",
        id="sh1-native-notebook-default-internet-fails",
    ),
    pytest.param(
        "notebook-in-vpc", N_NOTEBOOK, NOTEBOOK_OK, None, id="sh2-native-notebook-security-group-ids-pass"
    ),
    pytest.param(
        "notebook-in-vpc",
        N_NOTEBOOK,
        changed(NOTEBOOK_OK, "securityGroupIds", []),
        "securityGroupIds",
        id="sh2-native-notebook-without-security-groups-fails",
    ),
    pytest.param(
        "notebook-root-access-disabled", N_NOTEBOOK, NOTEBOOK_OK, None, id="sh3-native-root-disabled-passes"
    ),
    pytest.param(
        "notebook-root-access-disabled",
        N_NOTEBOOK,
        changed(NOTEBOOK_OK, "rootAccess", "Enabled"),
        "rootAccess",
        id="sh3-native-root-enabled-fails",
    ),
    pytest.param("notebook-supported-platform", N_NOTEBOOK, NOTEBOOK_OK, None, id="sh8-native-al2023-passes"),
    pytest.param(
        "notebook-supported-platform",
        N_NOTEBOOK,
        changed(NOTEBOOK_OK, "platformIdentifier", "notebook-al2-v3"),
        "platformIdentifier",
        id="sh8-native-al2-fails",
    ),
    pytest.param(
        "notebook-kms-encrypted", N_NOTEBOOK, NOTEBOOK_OK, None, id="sh21-native-notebook-key-passes"
    ),
    pytest.param(
        "notebook-kms-encrypted",
        N_NOTEBOOK,
        changed(NOTEBOOK_OK, "kmsKeyId", ""),
        "kmsKeyId",
        id="sh21-native-notebook-empty-key-fails",
    ),
    pytest.param(
        "notebook-imdsv2-only",
        N_NOTEBOOK,
        changed(NOTEBOOK_OK, "instanceMetadataServiceConfiguration", DROP),
        "minimumInstanceMetadataServiceVersion",
        id="native-notebook-imdsv1-fails",
    ),
    # SageMaker.4 and the endpoint-config KMS rules on aws-native EndpointConfig
    pytest.param(
        "endpoint-config-min-instance-count",
        N_ENDPOINT_CONFIG,
        N_CONFIG_OK,
        None,
        id="sh4-native-two-instances-pass",
    ),
    pytest.param(
        "endpoint-config-min-instance-count",
        N_ENDPOINT_CONFIG,
        changed(N_CONFIG_OK, "productionVariants.0.initialInstanceCount", 1),
        "initialInstanceCount",
        id="sh4-native-one-instance-fails",
    ),
    pytest.param(
        "endpoint-config-min-instance-count",
        N_ENDPOINT_CONFIG,
        {"productionVariants": [SERVERLESS]},
        None,
        id="sh4-native-serverless-is-exempt",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        N_ENDPOINT_CONFIG,
        N_CONFIG_OK,
        None,
        id="cfg-native-config-key-id-passes",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        N_ENDPOINT_CONFIG,
        changed(N_CONFIG_OK, "kmsKeyId", DROP),
        "kmsKeyId is unset",
        id="cfg-native-config-without-key-fails",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        N_ENDPOINT_CONFIG,
        {"productionVariants": [{**VARIANT, "instanceType": "ml.g6e.xlarge"}], "kmsKeyId": KEY},
        "remove kms_key_id",
        id="cfg-native-nvme-variant-with-key-fails",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        N_ENDPOINT_CONFIG,
        {"productionVariants": [{**VARIANT, "instanceType": "ml.g6e.xlarge"}]},
        None,
        id="cfg-native-nvme-variant-without-key-passes",
    ),
    # serverless: the key is accepted (not forbidden) and demanded like on instances
    pytest.param(
        "endpoint-config-kms-encrypted",
        ENDPOINT_CONFIG,
        {"productionVariants": [SERVERLESS], "kmsKeyArn": KEY},
        None,
        id="serverless-config-with-key-passes",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        ENDPOINT_CONFIG,
        {"productionVariants": [SERVERLESS]},
        "serverless variants accept it too",
        id="serverless-config-without-key-fails",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        N_ENDPOINT_CONFIG,
        {"productionVariants": [SERVERLESS], "kmsKeyId": KEY},
        None,
        id="native-serverless-config-with-key-passes",
    ),
    # SageMaker.5, .16, .19 and model-in-vpc on aws-native Model
    pytest.param("model-network-isolation", N_MODEL, N_MODEL_OK, None, id="sh5-native-isolated-model-passes"),
    pytest.param(
        "model-network-isolation",
        N_MODEL,
        changed(N_MODEL_OK, "enableNetworkIsolation", False),
        "enableNetworkIsolation",
        id="sh5-native-open-model-fails",
    ),
    pytest.param("model-in-vpc", N_MODEL, N_MODEL_OK, None, id="cfg-native-model-in-vpc-passes"),
    pytest.param(
        "model-in-vpc",
        N_MODEL,
        changed(N_MODEL_OK, "vpcConfig", DROP),
        "vpcConfig.subnets",
        id="cfg-native-model-outside-vpc-fails",
    ),
    pytest.param(
        "model-private-registry-via-vpc", N_MODEL, N_MODEL_OK, None, id="sh16-native-byo-image-via-vpc-passes"
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        N_MODEL,
        changed(N_MODEL_OK, "primaryContainer.imageConfig.repositoryAccessMode", "Platform"),
        "primaryContainer.imageConfig",
        id="sh16-native-byo-image-platform-mode-fails",
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        N_MODEL,
        {
            **changed(N_MODEL_OK, "primaryContainer", DROP),
            "containers": [{"image": ECR}, {"image": BYO, "imageConfig": {"repositoryAccessMode": "Vpc"}}],
        },
        None,
        id="sh19-native-pipeline-ecr-and-vpc-byo-passes",
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        N_MODEL,
        {**changed(N_MODEL_OK, "primaryContainer", DROP), "containers": [{"image": ECR}, {"image": BYO}]},
        "containers[1].imageConfig",
        id="sh19-native-pipeline-byo-without-vpc-fails",
    ),
    # SageMaker.17, .18 on aws-native FeatureGroup
    pytest.param(
        "feature-group-kms-encrypted",
        N_FEATURE_GROUP,
        N_FEATURE_GROUP_OK,
        None,
        id="sh17-sh18-native-keys-pass",
    ),
    pytest.param(
        "feature-group-kms-encrypted",
        N_FEATURE_GROUP,
        changed(N_FEATURE_GROUP_OK, "offlineStoreConfig.s3StorageConfig.kmsKeyId", DROP),
        "offlineStoreConfig",
        id="sh17-native-offline-without-key-fails",
    ),
    pytest.param(
        "feature-group-kms-encrypted",
        N_FEATURE_GROUP,
        changed(N_FEATURE_GROUP_OK, "onlineStoreConfig.securityConfig", DROP),
        "onlineStoreConfig.securityConfig",
        id="sh18-native-standard-online-without-key-fails",
    ),
    pytest.param(
        "feature-group-kms-encrypted",
        N_FEATURE_GROUP,
        changed(
            changed(N_FEATURE_GROUP_OK, "onlineStoreConfig.securityConfig", DROP),
            "onlineStoreConfig.storageType",
            "InMemory",
        ),
        None,
        id="sh18-native-in-memory-online-without-key-passes",
    ),
    # Studio domain on aws-native
    pytest.param(
        "studio-domain-vpc-only-encrypted",
        N_DOMAIN,
        {"appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY},
        None,
        id="cfg-native-vpc-only-domain-passes",
    ),
    pytest.param(
        "studio-domain-vpc-only-encrypted",
        N_DOMAIN,
        {"appNetworkAccessType": "PublicInternetOnly", "kmsKeyId": KEY},
        "appNetworkAccessType",
        id="cfg-native-public-domain-fails",
    ),
    # SageMaker.6, .7 and the Config tag rules on aws-native types
    pytest.param(
        "required-cost-allocation-tags",
        N_APP_IMAGE_CONFIG,
        {"appImageConfigName": "a", "tags": NATIVE_TAGS},
        None,
        id="sh6-native-tagged-app-image-config-passes",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        N_APP_IMAGE_CONFIG,
        {"appImageConfigName": "a"},
        "tags lacks",
        id="sh6-native-untagged-app-image-config-fails",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        N_IMAGE,
        {"imageName": "i", "tags": NATIVE_TAGS[:2]},
        "environment",
        id="sh7-native-image-missing-a-tag-fails",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        N_EXPERIMENT,
        {**experiment(), "tags": NATIVE_TAGS},
        None,
        id="cfg-tagged-inference-experiment-passes",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        N_EXPERIMENT,
        experiment(),
        "tags lacks",
        id="cfg-untagged-inference-experiment-fails",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        N_FEATURE_GROUP,
        {**N_FEATURE_GROUP_OK, "tags": NATIVE_TAGS},
        None,
        id="cfg-native-tagged-feature-group-passes",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        N_DOMAIN,
        {"appNetworkAccessType": "VpcOnly"},
        "tags lacks",
        id="cfg-native-untagged-domain-fails",
    ),
    # SageMaker.9, .11 (data quality), .10/.20 (explainability), .12/.15 (bias), .13/.25 (quality)
    pytest.param(
        "data-quality-job-encrypted-isolated",
        N_DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig"),
        None,
        id="sh9-sh11-native-data-quality-passes",
    ),
    pytest.param(
        "data-quality-job-encrypted-isolated",
        N_DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig", enableInterContainerTrafficEncryption=False),
        "enableInterContainerTrafficEncryption",
        id="sh9-single-instance-data-quality-still-needs-transit-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_EXPLAINABILITY,
        monitor_job("modelExplainabilityJobOutputConfig", 1, enableInterContainerTrafficEncryption=False),
        None,
        id="sh10-single-instance-explainability-without-transit-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_EXPLAINABILITY,
        monitor_job("modelExplainabilityJobOutputConfig", 2, enableInterContainerTrafficEncryption=False),
        "enableInterContainerTrafficEncryption",
        id="sh10-distributed-explainability-without-transit-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_EXPLAINABILITY,
        monitor_job("modelExplainabilityJobOutputConfig", enableNetworkIsolation=False, vpcConfig={}),
        "enableNetworkIsolation",
        id="sh20-explainability-neither-isolated-nor-in-a-vpc-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_EXPLAINABILITY,
        monitor_job("modelExplainabilityJobOutputConfig", enableNetworkIsolation=False),
        None,
        id="sh20-explainability-in-a-vpc-calling-its-shadow-endpoint-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_BIAS,
        monitor_job("modelBiasJobOutputConfig", enableNetworkIsolation=False),
        "enableNetworkIsolation",
        id="sh12-bias-not-isolated-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_BIAS,
        monitor_job("modelBiasJobOutputConfig", 1, enableInterContainerTrafficEncryption=False),
        None,
        id="sh15-single-instance-bias-without-transit-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_BIAS,
        monitor_job("modelBiasJobOutputConfig", 3, enableInterContainerTrafficEncryption=False),
        "enableInterContainerTrafficEncryption",
        id="sh15-distributed-bias-without-transit-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_QUALITY,
        monitor_job("modelQualityJobOutputConfig"),
        None,
        id="sh13-sh25-model-quality-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_QUALITY,
        monitor_job("modelQualityJobOutputConfig", 1, enableInterContainerTrafficEncryption=False),
        "enableInterContainerTrafficEncryption",
        id="sh13-single-instance-quality-without-transit-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        N_QUALITY,
        monitor_job("modelQualityJobOutputConfig", enableNetworkIsolation=False),
        "enableNetworkIsolation",
        id="sh25-quality-not-isolated-fails",
    ),
    # SageMaker.14, .22 on the aws-native schedule
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        N_SCHEDULE,
        SCHEDULE_OK,
        None,
        id="sh14-sh22-native-schedule-passes",
    ),
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        N_SCHEDULE,
        changed(
            SCHEDULE_OK,
            "monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableNetworkIsolation",
            DROP,
        ),
        "enableNetworkIsolation",
        id="sh14-native-schedule-isolation-unset-fails",
    ),
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        N_SCHEDULE,
        changed(
            SCHEDULE_OK,
            "monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableInterContainerTrafficEncryption",
            False,
        ),
        "enableInterContainerTrafficEncryption",
        id="sh22-native-schedule-transit-off-fails",
    ),
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        N_SCHEDULE,
        {"monitoringScheduleConfig": {"monitoringJobDefinitionName": "dq"}},
        None,
        id="sh14-schedule-referencing-a-definition-is-checked-there",
    ),
    # SageMaker.23, .24: inference experiments
    pytest.param(
        "inference-experiment-kms-encrypted",
        N_EXPERIMENT,
        experiment(),
        None,
        id="sh23-experiment-with-key-passes",
    ),
    pytest.param(
        "inference-experiment-kms-encrypted",
        N_EXPERIMENT,
        changed(experiment(), "kmsKey", DROP),
        "kmsKey is unset",
        id="sh23-experiment-without-key-fails",
    ),
    pytest.param(
        "inference-experiment-kms-encrypted",
        N_EXPERIMENT,
        changed(experiment("ml.g5.xlarge"), "kmsKey", DROP),
        None,
        id="sh23-nvme-only-experiment-without-key-passes",
    ),
    pytest.param(
        "inference-experiment-kms-encrypted",
        N_EXPERIMENT,
        experiment(dataStorageConfig={"destination": "s3://capture", "kmsKey": KEY}),
        None,
        id="sh24-captured-data-with-key-passes",
    ),
    pytest.param(
        "inference-experiment-kms-encrypted",
        N_EXPERIMENT,
        experiment(dataStorageConfig={"destination": "s3://capture"}),
        "dataStorageConfig.kmsKey",
        id="sh24-captured-data-without-key-fails",
    ),
    # descriptions (AWS Config sagemaker-image-description, sagemaker-featuregroup-description)
    pytest.param(
        "sagemaker-resource-described",
        IMAGE,
        {"imageName": "i", "description": "training image"},
        None,
        id="cfg-image-with-description-passes",
    ),
    pytest.param(
        "sagemaker-resource-described",
        IMAGE,
        {"imageName": "i", "displayName": "Training"},
        "description",
        id="cfg-image-with-only-display-name-fails",
    ),
    pytest.param(
        "sagemaker-resource-described",
        N_IMAGE,
        {"imageName": "i", "imageDescription": "training image"},
        None,
        id="cfg-native-image-description-passes",
    ),
    pytest.param(
        "sagemaker-resource-described",
        N_IMAGE,
        {"imageName": "i", "description": "wrong property"},
        "imageDescription",
        id="cfg-native-image-with-aws-property-name-fails",
    ),
    pytest.param(
        "sagemaker-resource-described",
        FEATURE_GROUP,
        {"featureGroupName": "f", "description": "  "},
        "description",
        id="cfg-feature-group-blank-description-fails",
    ),
    pytest.param(
        "sagemaker-resource-described",
        N_FEATURE_GROUP,
        N_FEATURE_GROUP_OK,
        None,
        id="cfg-native-feature-group-described-passes",
    ),
    # jobs pulumi-aws added since: hyperparameter tuning jobs; aws-native processing jobs
    pytest.param(
        "training-job-network-isolated", TUNING_JOB, TUNING_OK, None, id="tuning-job-isolated-passes"
    ),
    pytest.param(
        "training-job-network-isolated",
        TUNING_JOB,
        changed(TUNING_OK, "trainingJobDefinition.enableNetworkIsolation", False),
        "trainingJobDefinition.enableNetworkIsolation",
        id="tuning-job-not-isolated-fails",
    ),
    pytest.param("training-job-kms-encrypted", TUNING_JOB, TUNING_OK, None, id="tuning-job-keys-pass"),
    pytest.param(
        "training-job-kms-encrypted",
        TUNING_JOB,
        changed(TUNING_OK, "trainingJobDefinition.resourceConfig.volumeKmsKeyId", DROP),
        "resourceConfig.volumeKmsKeyId is unset",
        id="tuning-job-without-volume-key-fails",
    ),
    pytest.param(
        "training-job-kms-encrypted",
        TUNING_JOB,
        TUNING_RESOURCE_CONFIG,
        None,
        id="tuning-resource-config-on-nvme-without-key-passes",
    ),
    pytest.param(
        "training-job-kms-encrypted",
        TUNING_JOB,
        changed(
            TUNING_RESOURCE_CONFIG,
            "trainingJobDefinitions.0.hyperParameterTuningResourceConfig.volumeKmsKeyId",
            KEY,
        ),
        "instance-store",
        id="tuning-resource-config-on-nvme-with-key-fails",
    ),
    pytest.param(
        "processing-job-encrypted-isolated",
        N_PROCESSING,
        PROCESSING_OK,
        None,
        id="native-processing-job-passes",
    ),
    pytest.param(
        "processing-job-encrypted-isolated",
        N_PROCESSING,
        changed(PROCESSING_OK, "networkConfig.enableNetworkIsolation", False),
        "enableNetworkIsolation",
        id="native-processing-job-not-isolated-fails",
    ),
    pytest.param(
        "processing-job-encrypted-isolated",
        N_PROCESSING,
        changed(PROCESSING_OK, "processingResources.clusterConfig.instanceType", "ml.m5d.xlarge"),
        "instance-store",
        id="native-processing-job-nvme-with-volume-key-fails",
    ),
    pytest.param(
        "processing-job-encrypted-isolated",
        N_PROCESSING,
        changed(PROCESSING_OK, "processingOutputConfig", DROP),
        None,
        id="native-processing-job-without-outputs-needs-no-output-key",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


# --- aws-native pipelines, tuning and AutoML steps --------------------------------------------

NETWORK_STEP = {
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
    "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
}
TUNING_STEP = {
    "Name": "Tune",
    "Type": "Tuning",
    "Arguments": {
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian"},
        "TrainingJobDefinition": {
            **NETWORK_STEP,
            "OutputDataConfig": {"S3OutputPath": "s3://out", "KmsKeyId": KEY},
            "HyperParameterTuningResourceConfig": {
                "InstanceConfigs": [
                    {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
                ],
                "VolumeKmsKeyId": KEY,
            },
        },
    },
}
AUTOML_STEP = {
    "Name": "AutoPilot",
    "Type": "AutoML",
    "Arguments": {
        "OutputDataConfig": {"S3OutputPath": "s3://out", "KmsKeyId": KEY},
        "AutoMLJobConfig": {
            "SecurityConfig": {
                "VolumeKmsKeyId": KEY,
                "EnableInterContainerTrafficEncryption": True,
                "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
            }
        },
    },
}


def native_pipeline(*steps: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"Version": "2020-12-01", "Parameters": [], "Steps": list(steps)})
    return {
        "pipelineName": "p",
        "roleArn": "arn:aws:iam::1:role/p",
        "pipelineDefinition": {"pipelineDefinitionBody": body},
    }


PIPELINE_CASES = [
    pytest.param(
        "pipeline-steps-network-isolated",
        native_pipeline(TUNING_STEP),
        None,
        id="native-tuning-step-hardened-passes",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        native_pipeline(
            changed(TUNING_STEP, "Arguments.TrainingJobDefinition.EnableNetworkIsolation", False)
        ),
        "TrainingJobDefinition.EnableNetworkIsolation",
        id="native-tuning-step-not-isolated-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        native_pipeline(TUNING_STEP),
        None,
        id="tuning-resource-config-key-passes",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        native_pipeline(
            changed(
                TUNING_STEP,
                "Arguments.TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
                DROP,
            )
        ),
        "HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        id="tuning-resource-config-without-key-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        native_pipeline(AUTOML_STEP),
        None,
        id="automl-step-in-vpc-with-transit-passes",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        native_pipeline(
            changed(
                AUTOML_STEP,
                "Arguments.AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption",
                False,
            )
        ),
        "SecurityConfig.EnableInterContainerTrafficEncryption",
        id="automl-step-without-transit-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        native_pipeline(changed(AUTOML_STEP, "Arguments.AutoMLJobConfig.SecurityConfig.VpcConfig", DROP)),
        "VpcConfig",
        id="automl-step-outside-vpc-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted", native_pipeline(AUTOML_STEP), None, id="automl-step-keys-pass"
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        native_pipeline(
            changed(AUTOML_STEP, "Arguments.AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId", DROP)
        ),
        "SecurityConfig.VolumeKmsKeyId",
        id="automl-step-without-volume-key-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        native_pipeline(
            {
                "Name": "AutoPilotV2",
                "Type": "AutoML",
                "Arguments": {
                    "OutputDataConfig": {"S3OutputPath": "s3://o"},
                    "SecurityConfig": {"VolumeKmsKeyId": KEY},
                },
            }
        ),
        "OutputDataConfig.KmsKeyId",
        id="automl-v2-step-without-output-key-fails",
    ),
    pytest.param(
        "instance-type-allowlist",
        native_pipeline(
            changed(
                TUNING_STEP,
                "Arguments.TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceConfigs.0.InstanceType",
                "ml.p5.48xlarge",
            )
        ),
        "ml.p5.48xlarge",
        id="tuning-instance-configs-checked-against-allowlist",
    ),
    pytest.param(
        "instance-type-allowlist",
        native_pipeline(
            changed(
                TUNING_STEP,
                "Arguments.TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceConfigs.0.InstanceType",
                "ml.m5.xlarge",
            ),
            AUTOML_STEP,
        ),
        None,
        id="allowed-tuning-instances-and-automl-without-instances-pass",
    ),
    pytest.param(
        "model-package-group-manual-approval",
        native_pipeline(
            {"Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelApprovalStatus": "Approved"}}
        ),
        "Approved",
        id="native-pipeline-auto-approval-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        {
            "pipelineName": "p",
            "pipelineDefinition": {"pipelineDefinitionS3Location": {"bucket": "b", "key": "k"}},
        },
        None,
        id="native-pipeline-in-s3-cannot-be-inspected",
    ),
]


@pytest.mark.parametrize(("policy_name", "inputs", "fragment"), PIPELINE_CASES)
def test_native_pipeline_steps(check_resource, outcome, policy_name, inputs, fragment):
    outcome(check_resource(policy_name, N_PIPELINE, inputs), policy_name, fragment)


# --- governance sees the twins -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "inputs", "path"),
    [
        pytest.param(
            N_ENDPOINT_CONFIG,
            {"productionVariants": [{**VARIANT, "instanceType": "ml.p4d.24xlarge"}]},
            "productionVariants[0].instanceType",
            id="native-endpoint-config",
        ),
        pytest.param(
            N_NOTEBOOK,
            {**NOTEBOOK_OK, "instanceType": "ml.p4d.24xlarge"},
            "instanceType",
            id="native-notebook",
        ),
        pytest.param(
            N_PROCESSING,
            changed(PROCESSING_OK, "processingResources.clusterConfig.instanceType", "ml.p4d.24xlarge"),
            "processingResources.clusterConfig.instanceType",
            id="native-processing-job",
        ),
        pytest.param(
            N_EXPERIMENT,
            experiment("ml.p4d.24xlarge"),
            "modelVariants[1].infrastructureConfig.realTimeInferenceConfig.instanceType",
            id="inference-experiment",
        ),
        pytest.param(
            N_SCHEDULE,
            changed(
                SCHEDULE_OK,
                "monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.instanceType",
                "ml.p4d.24xlarge",
            ),
            "clusterConfig.instanceType",
            id="native-schedule",
        ),
        pytest.param(
            TUNING_JOB,
            changed(TUNING_OK, "trainingJobDefinition.resourceConfig.instanceType", "ml.p4d.24xlarge"),
            "trainingJobDefinition.resourceConfig.instanceType",
            id="tuning-job",
        ),
    ],
)
def test_instance_allowlist_sees_every_compute_twin(check_resource, outcome, resource_type, inputs, path):
    violations = check_resource("instance-type-allowlist", resource_type, inputs)
    outcome(violations, "instance-type-allowlist", path)


def test_gpu_quota_counts_native_variants_and_tuning_definitions(check_stack, outcome):
    specs = [
        {
            "type": N_ENDPOINT_CONFIG,
            "name": "cfg",
            "inputs": {
                "productionVariants": [{**VARIANT, "instanceType": "ml.g5.xlarge", "initialInstanceCount": 3}]
            },
        },
        {
            "type": TUNING_JOB,
            "name": "tune",
            "inputs": changed(
                TUNING_OK, "trainingJobDefinition.resourceConfig.instanceType", "ml.g5.2xlarge"
            ),
        },
    ]
    config = {"gpu-instance-quota": {"maxGpuInstances": 3}}
    outcome(
        check_stack("gpu-instance-quota", specs, config), "gpu-instance-quota", "asks for 4 GPU instances"
    )
    outcome(check_stack("gpu-instance-quota", specs[:1], config), "gpu-instance-quota", None)


def test_data_capture_rule_follows_a_native_endpoint_to_its_native_config(check_stack, outcome):
    config = {
        "type": N_ENDPOINT_CONFIG,
        "name": "cfg",
        "inputs": {**N_CONFIG_OK, "endpointConfigName": "cfg"},
    }
    endpoint = {
        "type": "aws-native:sagemaker:Endpoint",
        "name": "ep",
        "inputs": {"endpointConfigName": "cfg"},
        "deps": {"endpointConfigName": ["cfg"]},
    }
    rule = "endpoint-data-capture-encrypted"
    outcome(check_stack(rule, [config, endpoint]), rule, "dataCaptureConfig is unset")
    captured = {
        **config,
        "inputs": {**config["inputs"], "dataCaptureConfig": {"enableCapture": True, "kmsKeyId": KEY}},
    }
    outcome(check_stack(rule, [captured, endpoint]), rule, None)


def test_native_data_capture_with_enable_capture_unset_captures(check_stack, outcome):
    """SageMaker's DataCaptureConfig.EnableCapture defaults to enabled; aws-native passes it through
    (only pulumi-aws sends false when it is unset), so an unset flag on an aws-native config is capture on."""
    config = {
        "type": N_ENDPOINT_CONFIG,
        "name": "cfg",
        "inputs": {**N_CONFIG_OK, "endpointConfigName": "cfg", "dataCaptureConfig": {"kmsKeyId": KEY}},
    }
    endpoint = {
        "type": "aws-native:sagemaker:Endpoint",
        "name": "ep",
        "inputs": {"endpointConfigName": "cfg"},
        "deps": {"endpointConfigName": ["cfg"]},
    }
    rule = "endpoint-data-capture-encrypted"
    outcome(check_stack(rule, [config, endpoint]), rule, None)
    off = {
        **config,
        "inputs": {**config["inputs"], "dataCaptureConfig": {"enableCapture": False, "kmsKeyId": KEY}},
    }
    outcome(check_stack(rule, [off, endpoint]), rule, "dataCaptureConfig.enableCapture is false")


def native_serving(*extra: dict[str, Any], **endpoint_inputs: Any) -> list[dict[str, Any]]:
    """An aws-native endpoint named ``churn`` on its aws-native configuration, plus ``extra`` specs."""
    config = {
        "type": N_ENDPOINT_CONFIG,
        "name": "cfg",
        "inputs": {**N_CONFIG_OK, "endpointConfigName": "cfg"},
    }
    endpoint = {
        "type": "aws-native:sagemaker:Endpoint",
        "name": "ep",
        "inputs": {"endpointConfigName": "cfg", "endpointName": "churn", **endpoint_inputs},
        "deps": {"endpointConfigName": ["cfg"]},
    }
    return [config, endpoint, *extra]


NATIVE_ROLLOUT = {
    "blueGreenUpdatePolicy": {
        "trafficRoutingConfiguration": {"type": "CANARY", "waitIntervalInSeconds": 300}
    },
    "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx"}]},
}
NATIVE_5XX_ALARM = {
    "type": "aws-native:cloudwatch:Alarm",
    "name": "errors",
    "inputs": {
        "alarmName": "churn-5xx",
        "namespace": "AWS/SageMaker",
        "metricName": "Invocation5XXErrors",
        "statistic": "Sum",
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 1,
        "evaluationPeriods": 1,
        "dimensions": [{"name": "EndpointName", "value": "churn"}],
    },
}
NATIVE_TARGET = {
    "type": "aws:appautoscaling/target:Target",
    "name": "target",
    "inputs": {
        "serviceNamespace": "sagemaker",
        "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "resourceId": "endpoint/churn/variant/primary",
        "minCapacity": 2,
        "maxCapacity": 4,
    },
}
NATIVE_TARGET_POLICY = {
    "type": "aws:appautoscaling/policy:Policy",
    "name": "tracking",
    "inputs": {
        "policyType": "TargetTrackingScaling",
        "serviceNamespace": "sagemaker",
        "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "resourceId": "endpoint/churn/variant/primary",
        "targetTrackingScalingPolicyConfiguration": {"targetValue": 70},
    },
    "deps": {"resourceId": ["target"]},
}
NATIVE_SCHEDULE = {
    "type": "aws-native:sagemaker:MonitoringSchedule",
    "name": "schedule",
    "inputs": {"endpointName": "churn", "monitoringScheduleConfig": {"monitoringJobDefinitionName": "dq"}},
}


@pytest.mark.parametrize(
    ("rule", "specs", "fragment"),
    [
        pytest.param(
            "endpoint-safe-rollout",
            native_serving(NATIVE_5XX_ALARM),
            "blueGreenUpdatePolicy is unset",
            id="native-endpoint-without-blue-green-fails",
        ),
        pytest.param(
            "endpoint-safe-rollout",
            native_serving(NATIVE_5XX_ALARM, deploymentConfig=NATIVE_ROLLOUT),
            None,
            id="native-endpoint-rolling-back-on-a-native-alarm-passes",
        ),
        pytest.param(
            "endpoint-safe-rollout",
            native_serving(deploymentConfig=NATIVE_ROLLOUT),
            "match no",
            id="native-endpoint-rolling-back-on-a-missing-alarm-fails",
        ),
        pytest.param(
            "endpoint-autoscaling-configured",
            native_serving(),
            "has no autoscaling target",
            id="native-endpoint-without-autoscaling-fails",
        ),
        pytest.param(
            "endpoint-autoscaling-configured",
            native_serving(NATIVE_TARGET, NATIVE_TARGET_POLICY),
            None,
            id="native-endpoint-with-target-tracking-passes",
        ),
        pytest.param(
            "endpoint-autoscaling-configured",
            native_serving(
                {**NATIVE_TARGET, "type": "aws-native:applicationautoscaling:ScalableTarget"},
                {
                    **NATIVE_TARGET_POLICY,
                    "type": "aws-native:applicationautoscaling:ScalingPolicy",
                    "inputs": {"policyType": "TargetTrackingScaling", "scalingTargetId": "target-id"},
                    "deps": {"scalingTargetId": ["target"]},
                },
            ),
            None,
            id="native-endpoint-with-native-scalable-target-passes",
        ),
        pytest.param(
            "endpoint-autoscaling-configured",
            native_serving({**NATIVE_TARGET, "type": "aws-native:applicationautoscaling:ScalableTarget"}),
            "has no TargetTrackingScaling policy",
            id="native-scalable-target-without-policy-fails",
        ),
        pytest.param(
            "endpoint-monitoring-schedule",
            native_serving(),
            "has no MonitoringSchedule",
            id="native-endpoint-without-schedule-fails",
        ),
        pytest.param(
            "endpoint-monitoring-schedule",
            native_serving(NATIVE_SCHEDULE),
            None,
            id="native-endpoint-watched-by-name-passes",
        ),
    ],
)
def test_prod_rules_follow_native_endpoints(check_stack, outcome, rule, specs, fragment):
    outcome(check_stack(rule, specs), rule, fragment)


def test_an_unknown_experiment_key_is_undecided_not_a_violation(records):
    built = records([{"type": N_EXPERIMENT, "name": "x", "inputs": experiment(kmsKey=UNKNOWN_STRING_VALUE)}])
    report = evaluate_report(built, None, [get_policy("inference-experiment-kms-encrypted")])
    assert report.violations == []
    assert len(report.undecided) == 1


# --- the control mapping ----------------------------------------------------------------------


def _mentions(text: str, control: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(control)}(?![\w-]|\.\d)", text) is not None


def test_every_security_hub_sagemaker_control_is_mapped():
    assert set(controls.SECURITY_HUB) == {f"SageMaker.{n}" for n in range(1, 26)}
    assert set(controls.SECURITY_HUB_CONFIG_RULE) == set(controls.SECURITY_HUB)
    assert set(controls.SECURITY_HUB_CONFIG_RULE.values()) <= set(controls.AWS_CONFIG)


def test_every_aws_config_sagemaker_rule_is_mapped():
    assert len(controls.AWS_CONFIG) >= 33
    assert all(name.startswith("sagemaker-") for name in controls.AWS_CONFIG)


def _mapping() -> list[tuple[str, str]]:
    rows = [(control, rule) for control, (_, rules) in controls.SECURITY_HUB.items() for rule in rules]
    rows += [(control, rule) for control, rules in controls.AWS_CONFIG.items() for rule in rules]
    return rows


@pytest.mark.parametrize(("control", "rule"), _mapping(), ids=[f"{c}->{r}" for c, r in _mapping()])
def test_mapped_rule_exists_and_names_the_control(control, rule):
    assert rule in POLICY_NAMES, f"{control} maps to {rule!r}, which the registry lacks"
    framework = get_policy(rule).framework
    text = f"{framework.reference} {framework.specification}" if framework else ""
    assert _mentions(text, control), f"{rule}'s framework does not mention {control}: {text!r}"
    row = next(
        line
        for line in (PACK_DIR / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| `{rule}`")
    )
    assert _mentions(row, control), f"README row of {rule} does not mention {control}"


def test_every_policy_naming_a_sagemaker_control_is_in_the_table():
    mapped = {(c, r) for c, r in _mapping()}
    for policy in ALL_POLICIES:
        framework = policy.framework
        text = f"{framework.reference} {framework.specification}" if framework else ""
        for control in re.findall(r"SageMaker\.\d+|sagemaker-[a-z0-9-]+[a-z0-9]", text):
            assert (control, policy.name) in mapped, (
                f"{policy.name} claims {control} but controls.py does not map it"
            )
