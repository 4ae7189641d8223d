"""SageMaker hosting (endpoint configurations, models), feature-store and human-review rules.

Sources: AWS Security Hub SageMaker controls (FSBP), AWS Config managed rules and Checkov.
Notebooks and Studio are in ``sagemaker_notebooks.py``; job-shaped resources (training,
monitoring, pipelines) in ``sagemaker_jobs.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatch
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    AWS_CONFIG,
    CHECKOV,
    FSBP,
    HIGH,
    MANDATORY,
    MEDIUM,
    endpoint_variants,
    framework,
    get,
    has_instance_store,
    is_map,
    is_serverless,
    is_set,
    is_true,
    items,
    number,
    resource_rule,
    shown,
    str_list,
)

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
FLOW_DEFINITION = "aws:sagemaker/flowDefinition:FlowDefinition"

Check = Iterator[str]


# --- endpoint configurations -----------------------------------------------------------


def _endpoint_config_min_instance_count(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    minimum = number(cfg["minInstanceCount"]) or 2.0
    for index, variant in enumerate(items(get(args.props, "productionVariants"))):
        if not is_map(variant) or is_serverless(variant):
            continue
        count = get(variant, "initialInstanceCount")
        if (number(count) or 0.0) < minimum:
            yield (
                f"productionVariants[{index}].initialInstanceCount is {shown(count)}: set "
                f"initial_instance_count >= {int(minimum)} so the variant survives an instance or AZ failure."
            )


def _endpoint_config_kms_encrypted(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    key = get(args.props, "kmsKeyArn")
    local = sorted(
        {
            str(get(v, "instanceType"))
            for _, v in endpoint_variants(args.props)
            if has_instance_store(get(v, "instanceType"))
        }
    )
    if local:
        if is_set(key):
            yield (
                f"kmsKeyArn is set but variants use instance-store types ({', '.join(local)}): remove "
                "kms_key_arn; their NVMe volumes are hardware-encrypted and CreateEndpointConfig rejects "
                "a storage KMS key for them."
            )
        return
    if not is_set(key):
        yield "kmsKeyArn is unset: set kms_key_arn to a customer-managed KMS key for the endpoint's storage volumes."
        return
    allowed = str_list(cfg["allowedKmsKeyArns"])
    if allowed and key not in allowed:
        yield f"kmsKeyArn {key!r} is not an allowed key: use one of {allowed}."


endpoint_config_min_instance_count = resource_rule(
    name="endpoint-config-min-instance-count",
    description=(
        "Every instance-backed production variant must start with at least minInstanceCount "
        "(default 2) instances. Fix: raise productionVariants[].initialInstanceCount. Serverless "
        "variants (productionVariants[].serverlessConfig) are exempt."
    ),
    resource_types=[ENDPOINT_CONFIG],
    check=_endpoint_config_min_instance_count,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework(FSBP, "SageMaker.4", "AWS Config sagemaker-endpoint-config-prod-instance-count"),
    config={
        "minInstanceCount": {
            "type": "integer",
            "minimum": 1,
            "default": 2,
            "description": "Minimum initialInstanceCount per instance-backed variant.",
        }
    },
    tags=["sagemaker", "availability"],
)

endpoint_config_kms_encrypted = resource_rule(
    name="endpoint-config-kms-encrypted",
    description=(
        "Endpoint configurations must encrypt storage volumes with a customer-managed KMS key. "
        "Fix: set kmsKeyArn (optionally one of allowedKmsKeyArns). Exemption: when a variant uses "
        "an instance-store type (ml.g4dn/g5/g6/p4d...), kmsKeyArn must stay unset because "
        "SageMaker hardware-encrypts local NVMe storage and rejects the key."
    ),
    resource_types=[ENDPOINT_CONFIG],
    check=_endpoint_config_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        AWS_CONFIG, "sagemaker-endpoint-configuration-kms-key-configured", "Checkov CKV_AWS_98"
    ),
    config={
        "allowedKmsKeyArns": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "When non-empty, kmsKeyArn must be one of these.",
        }
    },
    tags=["sagemaker", "encryption"],
)


# --- models ----------------------------------------------------------------------------


def _containers(props: Any) -> list[tuple[str, Any]]:
    result = (
        [("primaryContainer", get(props, "primaryContainer"))]
        if is_set(get(props, "primaryContainer"))
        else []
    )
    result += [(f"containers[{i}]", c) for i, c in enumerate(items(get(props, "containers")))]
    return [(path, c) for path, c in result if is_map(c)]


def _model_network_isolation(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_true(get(args.props, "enableNetworkIsolation")):
        yield "enableNetworkIsolation is not true: set enable_network_isolation=True so the container has no network access."


def _model_in_vpc(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for path in ("vpcConfig.subnets", "vpcConfig.securityGroupIds"):
        if not is_set(get(args.props, path)):
            yield f"{path} is empty: set vpc_config with the platform VPC's private subnets and security group."


def _model_private_registry_via_vpc(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    platform = str_list(cfg["platformRegistryPatterns"])
    for path, container in _containers(args.props):
        image = get(container, "image")
        if not isinstance(image, str) or any(fnmatch(image, pattern) for pattern in platform):
            continue
        mode = get(container, "imageConfig.repositoryAccessMode")
        if mode != "Vpc":
            yield (
                f"{path}.imageConfig.repositoryAccessMode is {shown(mode)} for bring-your-own image {image!r}: "
                "set image_config={'repository_access_mode': 'Vpc'} (or host the image in ECR)."
            )


def _prod_model_from_model_package(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    containers = _containers(args.props)
    if not containers:
        yield "primaryContainer is unset: set primary_container={'model_package_name': <approved package ARN>}."
    for path, container in containers:
        if not is_set(get(container, "modelPackageName")):
            yield (
                f"{path}.modelPackageName is unset: deploy an approved model package version "
                "(model_package_name) instead of a raw image and model artifact."
            )


_MODEL_TAGS = ["sagemaker", "model"]

model_network_isolation = resource_rule(
    name="model-network-isolation",
    description=(
        "SageMaker models must enable network isolation. Fix: set enableNetworkIsolation=true "
        "(serverless endpoints do not support it: relax this rule where they are used)."
    ),
    resource_types=[MODEL],
    check=_model_network_isolation,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP, "SageMaker.5", "AWS Config sagemaker-model-isolation-enabled; Checkov CKV_AWS_370"
    ),
    tags=_MODEL_TAGS,
)

model_in_vpc = resource_rule(
    name="model-in-vpc",
    description=(
        "SageMaker models must run in the platform VPC. Fix: set vpcConfig.subnets and "
        "vpcConfig.securityGroupIds (serverless endpoints do not support VPC config)."
    ),
    resource_types=[MODEL],
    check=_model_in_vpc,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(AWS_CONFIG, "sagemaker-model-in-vpc"),
    tags=_MODEL_TAGS,
)

model_private_registry_via_vpc = resource_rule(
    name="model-private-registry-via-vpc",
    description=(
        "Bring-your-own images (not in ECR) must be pulled through the VPC. Fix: set "
        "imageConfig.repositoryAccessMode='Vpc' on primaryContainer and every containers[] entry, "
        "or push the image to ECR. Registries matching platformRegistryPatterns are exempt."
    ),
    resource_types=[MODEL],
    check=_model_private_registry_via_vpc,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP, "SageMaker.16", "SageMaker.19; AWS Config sagemaker-model-private-registry-required"
    ),
    config={
        "platformRegistryPatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["*.dkr.ecr.*.amazonaws.com/*", "*.dkr.ecr.*.amazonaws.com.cn/*"],
            "description": "fnmatch patterns of images SageMaker pulls itself (ECR).",
        }
    },
    tags=_MODEL_TAGS,
)

prod_model_from_model_package = resource_rule(
    name="prod-model-from-model-package",
    description=(
        "Production models must be created from a registered model package (the approval gate), "
        "not from a raw image and artifact. Fix: set primaryContainer.modelPackageName (and on "
        "every containers[] entry)."
    ),
    resource_types=[MODEL],
    check=_prod_model_from_model_package,
    enforcement_level=ADVISORY,
    severity=HIGH,
    tags=[*_MODEL_TAGS, "prod"],
)


# --- feature store, human review ----------------------------------------------------


def _feature_group_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    props = args.props
    if is_set(get(props, "offlineStoreConfig")) and not is_set(
        get(props, "offlineStoreConfig.s3StorageConfig.kmsKeyId")
    ):
        yield (
            "offlineStoreConfig.s3StorageConfig.kmsKeyId is unset: set it to a customer-managed KMS key "
            "for the offline store."
        )
    online = get(props, "onlineStoreConfig")
    if (
        is_set(online)
        and is_true(get(online, "enableOnlineStore"))
        and get(online, "storageType") != "InMemory"
        and not is_set(get(online, "securityConfig.kmsKeyId"))
    ):
        yield (
            "onlineStoreConfig.securityConfig.kmsKeyId is unset: set it to a customer-managed KMS key "
            "for the online store (InMemory stores are exempt)."
        )


def _flow_definition_output_kms(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_set(get(args.props, "outputConfig.kmsKeyId")):
        yield "outputConfig.kmsKeyId is unset: set it to a customer-managed KMS key for human-review output."


feature_group_kms_encrypted = resource_rule(
    name="feature-group-kms-encrypted",
    description=(
        "Feature store data must be encrypted with customer-managed KMS keys. Fix: set "
        "offlineStoreConfig.s3StorageConfig.kmsKeyId and onlineStoreConfig.securityConfig.kmsKeyId "
        "(InMemory online stores are exempt)."
    ),
    resource_types=[FEATURE_GROUP],
    check=_feature_group_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "SageMaker.17", "SageMaker.18"),
    tags=["sagemaker", "encryption"],
)

flow_definition_output_kms = resource_rule(
    name="flow-definition-output-kms",
    description="Human-review (A2I) flow output must be KMS-encrypted. Fix: set outputConfig.kmsKeyId.",
    resource_types=[FLOW_DEFINITION],
    check=_flow_definition_output_kms,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(CHECKOV, "CKV_AWS_372"),
    tags=["sagemaker", "encryption"],
)

POLICIES = [
    endpoint_config_min_instance_count,
    endpoint_config_kms_encrypted,
    model_network_isolation,
    model_in_vpc,
    model_private_registry_via_vpc,
    prod_model_from_model_package,
    feature_group_kms_encrypted,
    flow_definition_output_kms,
]
