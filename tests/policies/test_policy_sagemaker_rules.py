"""SageMaker notebook, hosting, Studio and feature-store rules: one passing and one violating case each."""

from __future__ import annotations

from typing import Any

import pytest

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
DOMAIN = "aws:sagemaker/domain:Domain"
FLOW = "aws:sagemaker/flowDefinition:FlowDefinition"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
ECR_IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serving:1.0"
DROP = object()


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``base`` with keys replaced (``DROP`` removes one)."""
    result = {**base, **changes}
    return {k: v for k, v in result.items() if v is not DROP}


NOTEBOOK_OK = {
    "instanceType": "ml.t3.medium",
    "roleArn": "arn:aws:iam::111122223333:role/nb",
    "directInternetAccess": "Disabled",
    "rootAccess": "Disabled",
    "subnetId": "subnet-1",
    "securityGroups": ["sg-1"],
    "kmsKeyId": KEY,
    "platformIdentifier": "notebook-al2023-v1",
    "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
}


def variant(
    instance_type: str | None = "ml.m5.xlarge", count: int | None = 2, **extra: Any
) -> dict[str, Any]:
    spec = {"variantName": "primary", "modelName": "m", **extra}
    if instance_type:
        spec["instanceType"] = instance_type
    if count is not None:
        spec["initialInstanceCount"] = count
    return spec


SERVERLESS = variant(None, None, serverlessConfig={"maxConcurrency": 5, "memorySizeInMb": 2048})
MODEL_OK = {
    "executionRoleArn": "arn:aws:iam::111122223333:role/exec",
    "enableNetworkIsolation": True,
    "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "primaryContainer": {
        "modelPackageName": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
    },
}
RAW_CONTAINER = {"image": ECR_IMAGE, "modelDataUrl": "s3://artifacts/model.tar.gz"}
FEATURE_GROUP_OK = {
    "offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://offline", "kmsKeyId": KEY}},
    "onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": KEY}},
}

CASES = [
    # notebooks
    pytest.param(
        "notebook-no-direct-internet", NOTEBOOK, NOTEBOOK_OK, None, id="notebook-internet-disabled-passes"
    ),
    pytest.param(
        "notebook-no-direct-internet",
        NOTEBOOK,
        changed(NOTEBOOK_OK, directInternetAccess="Enabled"),
        "directInternetAccess",
        id="notebook-internet-enabled-fails",
    ),
    pytest.param(
        "notebook-no-direct-internet",
        NOTEBOOK,
        changed(NOTEBOOK_OK, directInternetAccess=DROP),
        "directInternetAccess is unset",
        id="notebook-internet-default-enabled-fails",
    ),
    pytest.param("notebook-in-vpc", NOTEBOOK, NOTEBOOK_OK, None, id="notebook-with-subnet-and-sg-passes"),
    pytest.param(
        "notebook-in-vpc",
        NOTEBOOK,
        changed(NOTEBOOK_OK, subnetId=DROP),
        "subnetId",
        id="notebook-without-subnet-fails",
    ),
    pytest.param(
        "notebook-in-vpc",
        NOTEBOOK,
        changed(NOTEBOOK_OK, securityGroups=[]),
        "securityGroups",
        id="notebook-with-empty-security-groups-fails",
    ),
    pytest.param(
        "notebook-root-access-disabled", NOTEBOOK, NOTEBOOK_OK, None, id="notebook-root-disabled-passes"
    ),
    pytest.param(
        "notebook-root-access-disabled",
        NOTEBOOK,
        changed(NOTEBOOK_OK, rootAccess=DROP),
        "rootAccess",
        id="notebook-root-default-enabled-fails",
    ),
    pytest.param("notebook-supported-platform", NOTEBOOK, NOTEBOOK_OK, None, id="notebook-al2023-passes"),
    pytest.param(
        "notebook-supported-platform",
        NOTEBOOK,
        changed(NOTEBOOK_OK, platformIdentifier="notebook-al2-v2"),
        "platformIdentifier",
        id="notebook-al2-fails",
    ),
    pytest.param("notebook-kms-encrypted", NOTEBOOK, NOTEBOOK_OK, None, id="notebook-with-kms-passes"),
    pytest.param(
        "notebook-kms-encrypted",
        NOTEBOOK,
        changed(NOTEBOOK_OK, kmsKeyId=DROP),
        "kmsKeyId",
        id="notebook-without-kms-fails",
    ),
    pytest.param("notebook-imdsv2-only", NOTEBOOK, NOTEBOOK_OK, None, id="notebook-imdsv2-string-passes"),
    pytest.param(
        "notebook-imdsv2-only",
        NOTEBOOK,
        changed(
            NOTEBOOK_OK, instanceMetadataServiceConfiguration={"minimumInstanceMetadataServiceVersion": 2}
        ),
        None,
        id="notebook-imdsv2-number-passes",
    ),
    pytest.param(
        "notebook-imdsv2-only",
        NOTEBOOK,
        changed(
            NOTEBOOK_OK, instanceMetadataServiceConfiguration={"minimumInstanceMetadataServiceVersion": "1"}
        ),
        "minimumInstanceMetadataServiceVersion",
        id="notebook-imdsv1-fails",
    ),
    # endpoint configurations
    pytest.param(
        "endpoint-config-min-instance-count",
        ENDPOINT_CONFIG,
        {"productionVariants": [variant()]},
        None,
        id="variant-with-two-instances-passes",
    ),
    pytest.param(
        "endpoint-config-min-instance-count",
        ENDPOINT_CONFIG,
        {"productionVariants": [SERVERLESS]},
        None,
        id="serverless-variant-is-exempt",
    ),
    pytest.param(
        "endpoint-config-min-instance-count",
        ENDPOINT_CONFIG,
        {"productionVariants": [variant(count=1)]},
        "productionVariants[0].initialInstanceCount",
        id="single-instance-variant-fails",
    ),
    pytest.param(
        "endpoint-config-min-instance-count",
        ENDPOINT_CONFIG,
        {"productionVariants": [variant(count=None)]},  # an instance-backed variant without a count
        "productionVariants[0].initialInstanceCount",
        id="variant-without-a-count-fails",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        ENDPOINT_CONFIG,
        {"productionVariants": [variant()], "kmsKeyArn": KEY},
        None,
        id="cpu-config-with-key-passes",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        ENDPOINT_CONFIG,
        {"productionVariants": [variant("ml.g5.2xlarge")]},
        None,
        id="instance-store-gpu-without-key-passes",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        ENDPOINT_CONFIG,
        {"productionVariants": [variant()]},
        "kmsKeyArn is unset",
        id="cpu-config-without-key-fails",
    ),
    pytest.param(
        "endpoint-config-kms-encrypted",
        ENDPOINT_CONFIG,
        {
            "productionVariants": [variant()],
            "shadowProductionVariants": [variant("ml.g5.xlarge")],
            "kmsKeyArn": KEY,
        },
        "separate endpoint configurations",
        id="key-with-instance-store-shadow-variant-fails",
    ),
    # models
    pytest.param("model-network-isolation", MODEL, MODEL_OK, None, id="isolated-model-passes"),
    pytest.param(
        "model-network-isolation",
        MODEL,
        changed(MODEL_OK, enableNetworkIsolation=False),
        "enableNetworkIsolation",
        id="model-without-isolation-fails",
    ),
    pytest.param("model-in-vpc", MODEL, MODEL_OK, None, id="model-in-vpc-passes"),
    pytest.param(
        "model-in-vpc",
        MODEL,
        changed(MODEL_OK, vpcConfig={"subnets": ["subnet-1"]}),
        "vpcConfig.securityGroupIds",
        id="model-without-security-groups-fails",
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        MODEL,
        changed(MODEL_OK, primaryContainer=RAW_CONTAINER),
        None,
        id="ecr-image-passes",
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        MODEL,
        changed(
            MODEL_OK,
            primaryContainer={
                "image": "registry.example.com/team/model:1",
                "imageConfig": {"repositoryAccessMode": "Vpc"},
            },
        ),
        None,
        id="private-registry-through-vpc-passes",
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        MODEL,
        changed(
            MODEL_OK,
            primaryContainer=DROP,
            containers=[RAW_CONTAINER, {"image": "registry.example.com/team/model:1"}],
        ),
        "containers[1].imageConfig.repositoryAccessMode",
        id="private-registry-over-internet-fails",
    ),
    pytest.param(
        "model-private-registry-via-vpc",
        MODEL,
        # A registry's path may look like an ECR host: the exemption reads the image's own host.
        changed(
            MODEL_OK, primaryContainer={"image": "registry.example.com/x.dkr.ecr.eu-west-1.amazonaws.com/m:1"}
        ),
        "primaryContainer.imageConfig.repositoryAccessMode",
        id="ecr-lookalike-path-on-another-registry-fails",
    ),
    pytest.param("prod-model-from-model-package", MODEL, MODEL_OK, None, id="model-from-package-passes"),
    pytest.param(
        "prod-model-from-model-package",
        MODEL,
        changed(MODEL_OK, primaryContainer=RAW_CONTAINER),
        "primaryContainer.modelPackageName",
        id="model-from-raw-artifact-fails",
    ),
    pytest.param(
        "prod-model-from-model-package",
        MODEL,
        changed(MODEL_OK, primaryContainer=DROP),
        "primaryContainer is unset",
        id="model-without-container-fails",
    ),
    # feature store, Studio, human review
    pytest.param(
        "feature-group-kms-encrypted", FEATURE_GROUP, FEATURE_GROUP_OK, None, id="encrypted-stores-pass"
    ),
    pytest.param(
        "feature-group-kms-encrypted",
        FEATURE_GROUP,
        changed(FEATURE_GROUP_OK, onlineStoreConfig={"enableOnlineStore": True, "storageType": "InMemory"}),
        None,
        id="in-memory-online-store-is-exempt",
    ),
    pytest.param(
        "feature-group-kms-encrypted",
        FEATURE_GROUP,
        changed(FEATURE_GROUP_OK, offlineStoreConfig={"s3StorageConfig": {"s3Uri": "s3://offline"}}),
        "offlineStoreConfig.s3StorageConfig.kmsKeyId",
        id="offline-store-without-key-fails",
    ),
    pytest.param(
        "feature-group-kms-encrypted",
        FEATURE_GROUP,
        changed(FEATURE_GROUP_OK, onlineStoreConfig={"enableOnlineStore": True, "storageType": "Standard"}),
        "onlineStoreConfig.securityConfig.kmsKeyId",
        id="online-store-without-key-fails",
    ),
    pytest.param(
        "studio-domain-vpc-only-encrypted",
        DOMAIN,
        {"appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY},
        None,
        id="vpc-only-encrypted-domain-passes",
    ),
    pytest.param(
        "studio-domain-vpc-only-encrypted",
        DOMAIN,
        {"kmsKeyId": KEY},
        "appNetworkAccessType",
        id="domain-with-default-public-internet-fails",
    ),
    pytest.param(
        "studio-domain-vpc-only-encrypted",
        DOMAIN,
        {"appNetworkAccessType": "VpcOnly"},
        "kmsKeyId",
        id="domain-without-kms-fails",
    ),
    pytest.param(
        "flow-definition-output-kms",
        FLOW,
        {"outputConfig": {"s3OutputPath": "s3://o", "kmsKeyId": KEY}},
        None,
        id="flow-output-encrypted-passes",
    ),
    pytest.param(
        "flow-definition-output-kms",
        FLOW,
        {"outputConfig": {"s3OutputPath": "s3://o"}},
        "outputConfig.kmsKeyId",
        id="flow-output-unencrypted-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


def test_min_instance_count_follows_config(check_resource, outcome):
    inputs = {"productionVariants": [variant(count=1)]}
    config = {"endpoint-config-min-instance-count": {"minInstanceCount": 1}}
    outcome(
        check_resource("endpoint-config-min-instance-count", ENDPOINT_CONFIG, inputs, config),
        "endpoint-config-min-instance-count",
        None,
    )


def test_endpoint_kms_allowlist_rejects_other_keys(check_resource, outcome):
    config = {
        "endpoint-config-kms-encrypted": {
            "allowedKmsKeyArns": ["arn:aws:kms:eu-west-1:111122223333:key/other"]
        }
    }
    inputs = {"productionVariants": [variant()], "kmsKeyArn": KEY}
    outcome(
        check_resource("endpoint-config-kms-encrypted", ENDPOINT_CONFIG, inputs, config),
        "endpoint-config-kms-encrypted",
        "not an allowed key",
    )
