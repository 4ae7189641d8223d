"""Resources crafted to slip past a rule while breaking its control (adversarial review).

Each case names the evasion it closes; the compliant twin of each shape passes, so the fix
does not over-reach.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy

NATIVE_EKS = "aws-native:eks:Cluster"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"

NATIVE_EKS_OK: dict[str, Any] = {
    "roleArn": "arn:aws:iam::111122223333:role/eks",
    "resourcesVpcConfig": {
        "subnetIds": ["subnet-1", "subnet-2"],
        "endpointPrivateAccess": True,
        "endpointPublicAccess": False,
    },
    "encryptionConfig": [{"provider": {"keyArn": KEY}, "resources": ["secrets"]}],
    "logging": {"clusterLogging": {"enabledTypes": [{"type": "api"}, {"type": "audit"}]}},
}

CASES = [
    # aws-native:eks:Cluster, the CloudFormation twin of aws:eks/cluster:Cluster, was not checked
    pytest.param(
        "eks-endpoint-private", NATIVE_EKS, NATIVE_EKS_OK, None, id="native-eks-private-endpoint-passes"
    ),
    pytest.param(
        "eks-endpoint-private",
        NATIVE_EKS,
        {**NATIVE_EKS_OK, "resourcesVpcConfig": {"subnetIds": ["subnet-1", "subnet-2"]}},
        "resourcesVpcConfig.endpointPublicAccess",
        id="native-eks-default-public-endpoint-fails",
    ),
    pytest.param(
        "eks-endpoint-private",
        NATIVE_EKS,
        {**NATIVE_EKS_OK, "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": True}},
        "resourcesVpcConfig.endpointPublicAccess",
        id="native-eks-public-endpoint-fails",
    ),
    pytest.param(
        "eks-secrets-encrypted", NATIVE_EKS, NATIVE_EKS_OK, None, id="native-eks-secrets-encrypted-passes"
    ),
    pytest.param(
        "eks-secrets-encrypted",
        NATIVE_EKS,
        {key: value for key, value in NATIVE_EKS_OK.items() if key != "encryptionConfig"},
        "encryptionConfig.resources",
        id="native-eks-without-secrets-encryption-fails",
    ),
    pytest.param("eks-audit-logging", NATIVE_EKS, NATIVE_EKS_OK, None, id="native-eks-audit-logs-pass"),
    pytest.param(
        "eks-audit-logging",
        NATIVE_EKS,
        {**NATIVE_EKS_OK, "logging": {"clusterLogging": {"enabledTypes": [{"type": "api"}]}}},
        "logging.clusterLogging.enabledTypes",
        id="native-eks-without-audit-logs-fails",
    ),
    pytest.param(
        "eks-audit-logging",
        NATIVE_EKS,
        {key: value for key, value in NATIVE_EKS_OK.items() if key != "logging"},
        "logging.clusterLogging.enabledTypes",
        id="native-eks-without-logging-fails",
    ),
]


@pytest.mark.parametrize(("policy", "resource_type", "inputs", "fragment"), CASES)
def test_evasion_is_closed(check_resource, outcome, policy, resource_type, inputs, fragment) -> None:
    outcome(check_resource(policy, resource_type, inputs), policy, fragment)


# An endpoint configuration whose variants name no model hosts inference components, which
# exempts its endpoint from the single-model checks. A model name unknown at preview read as "no
# model": an endpoint with no rollout policy, schedule or scaling target passed at preview.
def endpoint_graph(model_name: Any) -> list[dict[str, Any]]:
    variant = {"variantName": "primary", "instanceType": "ml.m5.xlarge", "initialInstanceCount": 2}
    return [
        {
            "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "name": "config",
            "inputs": {"name": "churn-config", "productionVariants": [{**variant, "modelName": model_name}]},
        },
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "deps": {"endpointConfigName": ["config"]},
            "inputs": {"name": "churn", "endpointConfigName": "churn-config"},
        },
    ]


ENDPOINT_RULES = ["endpoint-safe-rollout", "endpoint-monitoring-schedule", "endpoint-autoscaling-configured"]
PROD = {"endpoint-safe-rollout": {"allowedTrafficRoutingTypes": ["CANARY", "LINEAR"]}}


@pytest.mark.parametrize("policy", ENDPOINT_RULES)
def test_unknown_model_name_leaves_the_endpoint_undecided(records, policy) -> None:
    report = evaluate_report(records(endpoint_graph(UNKNOWN_STRING_VALUE)), PROD, [get_policy(policy)])
    assert report.violations == []  # nor judged as an endpoint of inference components
    assert [u.policy_name for u in report.undecided] == [policy]


@pytest.mark.parametrize("policy", ENDPOINT_RULES)
def test_known_model_name_is_judged_as_a_single_model_endpoint(records, policy) -> None:
    report = evaluate_report(records(endpoint_graph("churn-model")), PROD, [get_policy(policy)])
    assert {v.policy_name for v in report.violations} == {policy}
    assert report.undecided == []


# Docker (moby) and the CRI runtimes upper-case an added capability and prefix CAP_ when it is
# missing: `CAP_SYS_ADMIN` or `net_raw` adds the capability as surely as `SYS_ADMIN`.
HARDENED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "runAsUser": 10001,
}


def pod_with_capabilities(add: list[str]) -> dict[str, Any]:
    container = {
        "name": "server",
        "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64,
        "securityContext": {**HARDENED, "capabilities": {"drop": ["ALL"], "add": add}},
    }
    return {"metadata": {"name": "serve"}, "spec": {"containers": [container]}}


@pytest.mark.parametrize(
    ("add", "fragment"),
    [
        pytest.param([], None, id="no-capability-added-passes"),
        pytest.param(["NET_BIND_SERVICE"], None, id="harmless-capability-passes"),
        pytest.param(["CAP_SYS_ADMIN"], "capabilities.add", id="cap-prefixed-sys-admin-fails"),
        pytest.param(["cap_net_raw"], "capabilities.add", id="lower-case-cap-prefixed-net-raw-fails"),
        pytest.param([" SYS_ADMIN "], "capabilities.add", id="padded-sys-admin-fails"),
    ],
)
def test_capability_spellings_cannot_be_added_back(check_resource, outcome, add, fragment) -> None:
    policy = "k8s-container-security-context"
    outcome(check_resource(policy, "kubernetes:core/v1:Pod", pod_with_capabilities(add)), policy, fragment)


# s3-bucket-security-baseline took any Enabled versioning as proof, but versioning resources are
# applied after the bucket: one that suspends versioning wins over the bucket's inline block and
# conflicts with another resource's Enabled.
def s3_graph(*versioning_statuses: str, inline_versioning: bool = False) -> list[dict[str, Any]]:
    deps = {"bucket": ["data"]}
    tls_deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::mlops-data", "arn:aws:s3:::mlops-data/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    bucket_inputs: dict[str, Any] = {"bucket": "mlops-data"}
    if inline_versioning:
        bucket_inputs["versioning"] = {"enabled": True}
    specs: list[dict[str, Any]] = [
        {"type": "aws:s3/bucket:Bucket", "name": "data", "inputs": bucket_inputs},
        {
            "type": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "name": "pab",
            "deps": deps,
            "inputs": {
                "bucket": "mlops-data",
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
        },
        {
            "type": "aws:s3/bucketPolicy:BucketPolicy",
            "name": "policy",
            "deps": deps,
            "inputs": {"bucket": "mlops-data", "policy": json.dumps({"Statement": [tls_deny]})},
        },
        {
            "type": "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "name": "sse",
            "deps": deps,
            "inputs": {
                "bucket": "mlops-data",
                "rules": [
                    {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}
                ],
            },
        },
    ]
    specs += [
        {
            "type": "aws:s3/bucketVersioning:BucketVersioning",
            "name": f"versioning-{index}",
            "deps": deps,
            "inputs": {"bucket": "mlops-data", "versioningConfiguration": {"status": status}},
        }
        for index, status in enumerate(versioning_statuses)
    ]
    return specs


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        pytest.param(s3_graph("Enabled"), None, id="enabled-versioning-resource-passes"),
        pytest.param(s3_graph(inline_versioning=True), None, id="inline-versioning-alone-passes"),
        pytest.param(s3_graph("Enabled", "Enabled"), None, id="two-enabled-versioning-resources-pass"),
        pytest.param(
            s3_graph("Suspended", inline_versioning=True),
            "versioningConfiguration.status='Enabled'",
            id="suspending-resource-overrides-inline-versioning",
        ),
        pytest.param(
            s3_graph("Enabled", "Suspended"),
            "versioningConfiguration.status='Enabled'",
            id="suspending-resource-beside-an-enabled-one-fails",
        ),
    ],
)
def test_versioning_resources_decide_the_bucket(check_stack, outcome, specs, fragment) -> None:
    policy = "s3-bucket-security-baseline"
    outcome(check_stack(policy, specs), policy, fragment)


# Instance-store (local NVMe) variants cannot take the endpoint configuration's storage key, and
# one of them exempted the whole configuration: a tiny ml.g5 shadow variant left the EBS-backed
# production variant without the customer key.
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
EBS_VARIANT = {
    "variantName": "primary",
    "modelName": "m",
    "instanceType": "ml.m5.xlarge",
    "initialInstanceCount": 2,
}
NVME_VARIANT = {
    "variantName": "shadow",
    "modelName": "m",
    "instanceType": "ml.g5.xlarge",
    "initialInstanceCount": 1,
}


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param(
            {"productionVariants": [EBS_VARIANT], "kmsKeyArn": KEY}, None, id="ebs-variant-with-key-passes"
        ),
        pytest.param({"productionVariants": [NVME_VARIANT]}, None, id="nvme-variant-without-key-passes"),
        pytest.param(
            {"productionVariants": [EBS_VARIANT], "shadowProductionVariants": [NVME_VARIANT]},
            "productionVariants[0] use storage volumes that need kmsKeyArn",
            id="nvme-shadow-does-not-exempt-ebs-variant",
        ),
        pytest.param(
            {"productionVariants": [EBS_VARIANT, NVME_VARIANT]},
            "separate endpoint configurations",
            id="nvme-variant-does-not-exempt-its-ebs-sibling",
        ),
        pytest.param(
            {"productionVariants": [EBS_VARIANT, NVME_VARIANT], "kmsKeyArn": KEY},
            "separate endpoint configurations",
            id="mixed-variants-with-key-fail-too",
        ),
    ],
)
def test_instance_store_variant_does_not_exempt_the_others(check_resource, outcome, inputs, fragment) -> None:
    policy = "endpoint-config-kms-encrypted"
    outcome(check_resource(policy, ENDPOINT_CONFIG, inputs), policy, fragment)


# The same exemption in jobs: one instance-store group of a heterogeneous training cluster (or
# pipeline Training step) waived the volume key for the EBS-backed groups too.
def groups(*instance_types: str) -> list[dict[str, Any]]:
    return [
        {"InstanceGroupName": f"g{i}", "InstanceType": t, "InstanceCount": 1}
        for i, t in enumerate(instance_types)
    ]


def training_job(*instance_types: str, volume_key: str | None = None) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "instanceGroups": [{k[0].lower() + k[1:]: v for k, v in g.items()} for g in groups(*instance_types)],
        "volumeSizeInGb": 30,
    }
    if volume_key:
        resources["volumeKmsKeyId"] = volume_key
    return {
        "roleArn": "arn:aws:iam::111122223333:role/train",
        "outputDataConfig": {"s3OutputPath": "s3://artifacts/", "kmsKeyId": KEY},
        "resourceConfig": resources,
    }


def training_pipeline(*instance_types: str, volume_key: str | None = None) -> dict[str, Any]:
    resources: dict[str, Any] = {"InstanceGroups": groups(*instance_types), "VolumeSizeInGB": 30}
    if volume_key:
        resources["VolumeKmsKeyId"] = volume_key
    step = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "ResourceConfig": resources,
            "OutputDataConfig": {"S3OutputPath": "s3://artifacts/", "KmsKeyId": KEY},
        },
    }
    return {"pipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": [step]})}


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs", "fragment"),
    [
        pytest.param(
            "training-job-kms-encrypted",
            "aws:sagemaker/trainingJob:TrainingJob",
            training_job("ml.m5.xlarge", "ml.c5.xlarge", volume_key=KEY),
            None,
            id="ebs-groups-with-key-pass",
        ),
        pytest.param(
            "training-job-kms-encrypted",
            "aws:sagemaker/trainingJob:TrainingJob",
            training_job("ml.g5.xlarge", "ml.p4d.24xlarge"),
            None,
            id="instance-store-groups-without-key-pass",
        ),
        pytest.param(
            "training-job-kms-encrypted",
            "aws:sagemaker/trainingJob:TrainingJob",
            training_job("ml.g5.xlarge", "ml.m5.xlarge"),
            "mixes instance-store types",
            id="instance-store-group-does-not-exempt-ebs-group-of-a-job",
        ),
        pytest.param(
            "pipeline-steps-kms-encrypted",
            "aws:sagemaker/pipeline:Pipeline",
            training_pipeline("ml.m5.xlarge", volume_key=KEY),
            None,
            id="ebs-step-with-key-passes",
        ),
        pytest.param(
            "pipeline-steps-kms-encrypted",
            "aws:sagemaker/pipeline:Pipeline",
            training_pipeline("ml.g5.xlarge", "ml.m5.xlarge"),
            "mixes instance-store types",
            id="instance-store-group-does-not-exempt-ebs-group-of-a-step",
        ),
    ],
)
def test_instance_store_group_does_not_exempt_the_others(
    check_resource, outcome, policy, resource_type, inputs, fragment
) -> None:
    outcome(check_resource(policy, resource_type, inputs), policy, fragment)
