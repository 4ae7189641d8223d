"""SageMaker hosting (endpoint configurations, models), feature-store and human-review rules.

Sources: AWS Security Hub SageMaker controls (FSBP), AWS Config managed rules and Checkov.
Notebooks and Studio are in ``sagemaker_notebooks.py``; job-shaped resources (training,
monitoring, pipelines) in ``sagemaker_jobs.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    AWS_CONFIG,
    CHECKOV,
    FSBP,
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    any_decided,
    any_holds,
    each_part,
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
IMAGE = "aws:sagemaker/image:Image"
# aws-native twins (CloudFormation shapes, camelCase). Same property names as pulumi-aws except
# where KEY_PATHS / DESCRIPTION_PATHS say otherwise.
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"
NATIVE_MODEL = "aws-native:sagemaker:Model"
NATIVE_FEATURE_GROUP = "aws-native:sagemaker:FeatureGroup"
NATIVE_IMAGE = "aws-native:sagemaker:Image"
NATIVE_INFERENCE_EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"
NATIVE_INFERENCE_COMPONENT = "aws-native:sagemaker:InferenceComponent"
ENDPOINT_CONFIGS = (ENDPOINT_CONFIG, NATIVE_ENDPOINT_CONFIG)
MODELS = (MODEL, NATIVE_MODEL)
FEATURE_GROUPS = (FEATURE_GROUP, NATIVE_FEATURE_GROUP)
#: Where an endpoint configuration keeps its storage key: pulumi-aws ``kmsKeyArn``, aws-native ``kmsKeyId``.
KEY_PATHS = {ENDPOINT_CONFIG: "kmsKeyArn", NATIVE_ENDPOINT_CONFIG: "kmsKeyId"}
_ARGUMENT = {"kmsKeyArn": "kms_key_arn", "kmsKeyId": "kms_key_id"}
#: Where a resource keeps its description (AWS Config sagemaker-image-description / -featuregroup-description).
DESCRIPTION_PATHS = {
    IMAGE: "description",
    NATIVE_IMAGE: "imageDescription",
    FEATURE_GROUP: "description",
    NATIVE_FEATURE_GROUP: "description",
}

Check = Iterator[str]


# --- endpoint configurations -----------------------------------------------------------


def _endpoint_config_min_instance_count(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    minimum = number(cfg["minInstanceCount"]) or 2.0

    def judge(index: int, variant: Any) -> Callable[[], Check]:
        def check() -> Check:
            if not is_map(variant):
                return
            # Serverless, or enough instances: either decides it, whatever the other reads at preview.
            exempt: list[Callable[[], bool]] = [
                lambda: is_serverless(variant),
                lambda: not (number(get(variant, "initialInstanceCount")) or 0.0) < minimum,
            ]
            if not any_holds(exempt):
                count = get(variant, "initialInstanceCount")
                yield (
                    f"productionVariants[{index}].initialInstanceCount is {shown(count)}: set "
                    f"initial_instance_count >= {int(minimum)} so the variant survives an instance or AZ failure."
                )

        return check

    variants = items(get(args.props, "productionVariants"))
    yield from each_part(*(judge(index, variant) for index, variant in enumerate(variants)))


def _endpoint_config_kms_encrypted(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    """Instance-backed and serverless variants take the key; local-NVMe variants must not have one.

    Serverless variants: SageMaker accepts ``KmsKeyId`` on a serverless endpoint configuration (it
    is optional there, and the AWS Config rule sagemaker-endpoint-configuration-kms-key-configured
    does not exempt serverless), so a serverless-only configuration needs the key like any other.
    """
    key_path = KEY_PATHS[args.resource_type]
    variants = endpoint_variants(args.props)
    local = sorted(
        {str(get(v, "instanceType")) for _, v in variants if has_instance_store(get(v, "instanceType"))}
    )
    backed = [path for path, v in variants if not has_instance_store(get(v, "instanceType"))]
    if local and backed:
        # One instance-store variant must not exempt the others: their EBS volumes (and a
        # serverless variant's storage) would go without the customer key, which the
        # instance-store types do not take.
        yield (
            f"{', '.join(backed)} use storage volumes that need {key_path}, but the instance-store "
            f"variants ({', '.join(local)}) of the same configuration cannot take it: serve them from "
            "separate endpoint configurations (the EBS-backed ones with the key)."
        )
        return
    # Read after the variants: instance-store and EBS-backed variants together are refused whatever
    # the key (an Output at preview) turns out to be.
    key = get(args.props, key_path)
    if local:
        if is_set(key):
            yield (
                f"{key_path} is set but variants use instance-store types ({', '.join(local)}): remove "
                f"{_ARGUMENT[key_path]}; their NVMe volumes are hardware-encrypted and CreateEndpointConfig rejects "
                "a storage KMS key for them."
            )
        return
    if not is_set(key):
        yield (
            f"{key_path} is unset: set {_ARGUMENT[key_path]} to a customer-managed KMS key for the "
            "endpoint's storage volumes (serverless variants accept it too)."
        )
        return
    allowed = str_list(cfg["allowedKmsKeyArns"])
    if allowed and key not in allowed:
        yield f"{key_path} {key!r} is not an allowed key: use one of {allowed}."


endpoint_config_min_instance_count = resource_rule(
    name="endpoint-config-min-instance-count",
    description=(
        "Every instance-backed production variant must start with at least minInstanceCount "
        "(default 2) instances. Fix: raise productionVariants[].initialInstanceCount. Serverless "
        "variants (productionVariants[].serverlessConfig) are exempt."
    ),
    resource_types=ENDPOINT_CONFIGS,
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
        "Endpoint configurations (pulumi-aws and aws-native) must encrypt storage volumes with a "
        "customer-managed KMS key, serverless ones included. Fix: set kmsKeyArn (aws-native: kmsKeyId; "
        "optionally one of allowedKmsKeyArns). Exemption: when a variant uses an instance-store type "
        "(ml.g4dn/g5/g6/p4d...), the key must stay unset because SageMaker hardware-encrypts local "
        "NVMe storage and rejects the key."
    ),
    resource_types=ENDPOINT_CONFIGS,
    check=_endpoint_config_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        AWS_CONFIG,
        "sagemaker-endpoint-configuration-kms-key-configured",
        "AWS Config sagemaker-endpoint-config-kms-key-required; Checkov CKV_AWS_98",
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
    def part(path: str) -> Callable[[], Check]:
        def check() -> Check:
            if not is_set(get(args.props, path)):
                yield f"{path} is empty: set vpc_config with the platform VPC's private subnets and security group."

        return check

    yield from each_part(part("vpcConfig.subnets"), part("vpcConfig.securityGroupIds"))


def _in_registry(image: str, pattern: str) -> bool:
    """Whether ``image`` matches ``pattern``, host and path apart: fnmatch's ``*`` spans ``/``, so
    ``*.dkr.ecr.*.amazonaws.com/*`` on the whole string also took
    ``registry.example.com/x.dkr.ecr.eu-west-1.amazonaws.com/m:1``, another registry's image. Host
    names are compared ignoring case, as DNS does (RFC 4343): ``…DKR.ECR…AMAZONAWS.COM`` is ECR; the
    path (repository and tag) as written."""
    host, _, path = image.partition("/")
    pattern_host, slash, pattern_path = pattern.partition("/")
    return fnmatchcase(host.lower(), pattern_host.lower()) and (not slash or fnmatchcase(path, pattern_path))


#: The registry hosts of Amazon ECR private registries, ``<registry id>.`` and the Docker/OCI endpoint
#: (AWS General Reference, "Amazon ECR endpoints and quotas"; ECR User Guide, "Making requests to
#: Amazon ECR registries"): IPv4 ``dkr.ecr.<region>.amazonaws.com``, FIPS ``dkr.ecr-fips.<region>
#: .amazonaws.com``, dual-stack ``dkr-ecr.<region>.on.aws`` and ``dkr-ecr-fips.<region>.on.aws``, and
#: the China Regions' ``dkr.ecr.<region>.amazonaws.com.cn`` and dual-stack ``dkr-ecr.<region>
#: .on.amazonwebservices.com.cn``; the AWS European Sovereign Cloud's ``amazonaws.eu`` and the isolated
#: partitions' (ISO ``c2s.ic.gov``, ISO-B ``sc2s.sgov.gov``, ISO-E ``cloud.adc-e.uk``, ISO-F
#: ``csp.hci.ic.gov``) DNS suffixes, as AWS's own ECR credential helper reads registry hosts
#: (awslabs/amazon-ecr-credential-helper, ecr-login/api/client.go ``ecrPattern``).
ECR_REGISTRY_PATTERNS = [
    "*.dkr.ecr.*.amazonaws.com/*",
    "*.dkr.ecr-fips.*.amazonaws.com/*",
    "*.dkr-ecr.*.on.aws/*",
    "*.dkr-ecr-fips.*.on.aws/*",
    "*.dkr.ecr.*.amazonaws.com.cn/*",
    "*.dkr-ecr.*.on.amazonwebservices.com.cn/*",
    "*.dkr.ecr.*.amazonaws.eu/*",
    "*.dkr.ecr.*.c2s.ic.gov/*",
    "*.dkr.ecr.*.sc2s.sgov.gov/*",
    "*.dkr.ecr.*.cloud.adc-e.uk/*",
    "*.dkr.ecr.*.csp.hci.ic.gov/*",
]


def _model_private_registry_via_vpc(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    """Each container on its own; it passes when it pulls through the VPC or its image needs no VPC
    (in a platform registry, or no image): either decides it, whatever the other reads at preview (an
    ECR repository's URL Output beside ``Vpc``, an Output mode beside an ECR image)."""
    platform = str_list(cfg["platformRegistryPatterns"])

    def judge(path: str, container: Any) -> Callable[[], Check]:
        def through_vpc() -> bool:
            return bool(get(container, "imageConfig.repositoryAccessMode") == "Vpc")

        def needs_no_vpc() -> bool:
            image = get(container, "image")
            return not isinstance(image, str) or any(_in_registry(image, pattern) for pattern in platform)

        def check() -> Check:
            if any_holds((through_vpc, needs_no_vpc)):
                return
            mode, image = get(container, "imageConfig.repositoryAccessMode"), get(container, "image")
            yield (
                f"{path}.imageConfig.repositoryAccessMode is {shown(mode)} for bring-your-own image {image!r}: "
                "set image_config={'repository_access_mode': 'Vpc'} (or host the image in ECR)."
            )

        return check

    yield from each_part(*(judge(path, container) for path, container in _containers(args.props)))


def _prod_model_from_model_package(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    containers = _containers(args.props)
    if not containers:
        yield "primaryContainer is unset: set primary_container={'model_package_name': <approved package ARN>}."

    def packaged(path: str, container: Any) -> Callable[[], Check]:
        def check() -> Check:
            if not is_set(get(container, "modelPackageName")):
                yield (
                    f"{path}.modelPackageName is unset: deploy an approved model package version "
                    "(model_package_name) instead of a raw image and model artifact."
                )

        return check

    yield from each_part(*(packaged(path, container) for path, container in containers))


_MODEL_TAGS = ["sagemaker", "model"]

model_network_isolation = resource_rule(
    name="model-network-isolation",
    description=(
        "SageMaker models must enable network isolation. Fix: set enableNetworkIsolation=true "
        "(serverless endpoints do not support it: relax this rule where they are used)."
    ),
    resource_types=MODELS,
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
    resource_types=MODELS,
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
    resource_types=MODELS,
    check=_model_private_registry_via_vpc,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP,
        "SageMaker.16",
        "SageMaker.19; AWS Config sagemaker-model-private-registry-required, "
        "sagemaker-model-multicontainer-private-registry",
    ),
    config={
        "platformRegistryPatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": ECR_REGISTRY_PATTERNS,
            "description": "fnmatch patterns of images SageMaker pulls itself (ECR, its FIPS and dual-stack "
            "hosts too): the part before the first `/` is matched against the image's registry host, "
            "ignoring case, the rest against its path.",
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
    resource_types=MODELS,
    check=_prod_model_from_model_package,
    enforcement_level=ADVISORY,
    severity=HIGH,
    tags=[*_MODEL_TAGS, "prod"],
)


# --- feature store, human review ----------------------------------------------------


def _feature_group_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    """The offline and online stores apart. An online store passes when keyed, disabled or
    ``InMemory``: any one decides it, whatever the others read at preview (a key's ARN Output beside
    ``enableOnlineStore: false``, an Output switch beside a key)."""
    props = args.props

    def offline() -> Check:
        if is_set(get(props, "offlineStoreConfig")) and not is_set(
            get(props, "offlineStoreConfig.s3StorageConfig.kmsKeyId")
        ):
            yield (
                "offlineStoreConfig.s3StorageConfig.kmsKeyId is unset: set it to a customer-managed KMS key "
                "for the offline store."
            )

    def online() -> Check:
        store = get(props, "onlineStoreConfig")
        if not is_set(store):
            return
        exempt: list[Callable[[], bool]] = [
            lambda: is_set(get(store, "securityConfig.kmsKeyId")),
            lambda: not is_true(get(store, "enableOnlineStore")),
            lambda: get(store, "storageType") == "InMemory",
        ]
        if not any_holds(exempt):
            yield (
                "onlineStoreConfig.securityConfig.kmsKeyId is unset: set it to a customer-managed KMS key "
                "for the online store (InMemory stores are exempt)."
            )

    yield from each_part(offline, online)


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
    resource_types=FEATURE_GROUPS,
    check=_feature_group_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP,
        "SageMaker.17",
        "SageMaker.18; AWS Config sagemaker-featuregroup-encryption-at-rest, "
        "sagemaker-featuregroup-online-store-encryption",
    ),
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

# --- inference experiments (shadow tests) ----------------------------------------------


def experiment_instances(props: Any) -> list[tuple[str, Any, Any]]:
    """``(path, instance type, count)`` of an inference experiment's model variants."""
    result = []
    for index, variant in enumerate(items(get(props, "modelVariants"))):
        base = f"modelVariants[{index}].infrastructureConfig.realTimeInferenceConfig"
        result.append(
            (
                f"{base}.instanceType",
                get(variant, "infrastructureConfig.realTimeInferenceConfig.instanceType"),
                get(variant, "infrastructureConfig.realTimeInferenceConfig.instanceCount"),
            )
        )
    return result


def _inference_experiment_kms(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    """SageMaker.23: the variants' storage volume key; SageMaker.24: the captured data's key.

    When every variant runs on local-NVMe types there is no storage volume to encrypt, so the
    experiment's ``kmsKey`` is not demanded (nor forbidden: the API does not document a rejection).
    """
    props = args.props

    def all_on_local_nvme() -> bool:
        variants = items(get(props, "modelVariants"))
        return bool(variants) and not any_decided(
            variants,
            lambda variant: (
                not has_instance_store(
                    get(variant, "infrastructureConfig.realTimeInferenceConfig.instanceType")
                )
            ),
        )

    def volumes() -> Check:
        # Keyed, or every variant on local NVMe: either decides it, whatever the other reads at preview.
        exempt: list[Callable[[], bool]] = [lambda: is_set(get(props, "kmsKey")), all_on_local_nvme]
        if not any_holds(exempt):
            yield (
                "kmsKey is unset: set it to a customer-managed KMS key for the storage volumes of the "
                "experiment's shadow and production variants."
            )

    def captured() -> Check:
        if is_set(get(props, "dataStorageConfig")) and not is_set(get(props, "dataStorageConfig.kmsKey")):
            yield (
                "dataStorageConfig.kmsKey is unset: set it to a customer-managed KMS key for the captured "
                "inference requests and responses."
            )

    yield from each_part(volumes, captured)


inference_experiment_kms_encrypted = resource_rule(
    name="inference-experiment-kms-encrypted",
    description=(
        "SageMaker inference experiments (shadow tests) must encrypt the variants' storage volumes and "
        "the captured data with customer-managed KMS keys. Fix: set kmsKey (not needed when every "
        "variant uses a local-NVMe instance type) and, when dataStorageConfig is set, "
        "dataStorageConfig.kmsKey."
    ),
    resource_types=[NATIVE_INFERENCE_EXPERIMENT],
    check=_inference_experiment_kms,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP,
        "SageMaker.23",
        "SageMaker.24; AWS Config sagemaker-inf-experiment-instance-storage-kms-encrypted, "
        "sagemaker-inf-experiment-data-storage-kms-encrypted",
    ),
    tags=["sagemaker", "encryption"],
)


# --- descriptions ----------------------------------------------------------------------


def _has_description(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    path = DESCRIPTION_PATHS[args.resource_type]
    value = get(args.props, path)
    if not (isinstance(value, str) and value.strip()):
        yield f"{path} is {shown(value)}: describe what the resource holds and who uses it."


sagemaker_resource_described = resource_rule(
    name="sagemaker-resource-described",
    description=(
        "SageMaker images and feature groups must carry a description (inventory and review). Fix: "
        "set description (aws-native Image: imageDescription) to a non-empty text."
    ),
    resource_types=list(DESCRIPTION_PATHS),
    check=_has_description,
    enforcement_level=ADVISORY,
    severity=LOW,
    framework=framework(
        AWS_CONFIG, "sagemaker-image-description", "AWS Config sagemaker-featuregroup-description"
    ),
    tags=["sagemaker", "governance"],
)


# --- inference components -----------------------------------------------------------------


def _component_specifications(props: Any) -> list[tuple[str, Any]]:
    """``specification`` (one instance type) or each of ``specifications`` (per instance type)."""
    if is_set(get(props, "specification")):
        return [("specification", get(props, "specification"))]
    return [(f"specifications[{i}]", spec) for i, spec in enumerate(items(get(props, "specifications")))]


def _component_model_governed(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    specifications = _component_specifications(args.props)
    if not specifications:
        yield "specification is unset: set specification.model_name to the SageMaker model the component runs."

    def governed(path: str, spec: Any) -> Callable[[], Check]:
        # An adapter runs inside its base component, on that component's model: exempt. Each finding
        # is decided by the adapter name or by its own field, whatever the other reads at preview.
        def adapter() -> bool:
            return is_set(get(spec, "baseInferenceComponentName"))

        def no_container() -> Check:
            if not any_holds((adapter, lambda: not is_set(get(spec, "container")))):
                yield (
                    f"{path}.container is set: an inline container has no network isolation, VPC or role "
                    "of its own; deploy a SageMaker model (enable_network_isolation, vpc_config) and set "
                    f"{path}.model_name instead."
                )

        def a_model() -> Check:
            if not any_holds((adapter, lambda: is_set(get(spec, "modelName")))):
                yield (
                    f"{path}.modelName is unset: set model_name to a SageMaker model, which the pack's model "
                    "rules judge (network isolation, VPC, model package)."
                )

        return lambda: each_part(no_container, a_model)

    yield from each_part(*(governed(path, spec) for path, spec in specifications))


def _component_compute_reserved(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    def reserved(path: str, spec: Any) -> Callable[[], Check]:
        def check() -> Check:
            # An adapter uses its base component's compute; it or enough memory decides it, whatever
            # the other reads at preview.
            exempt: list[Callable[[], bool]] = [
                lambda: is_set(get(spec, "baseInferenceComponentName")),
                lambda: (
                    not (number(get(spec, "computeResourceRequirements.minMemoryRequiredInMb")) or 0.0) < 128
                ),
            ]
            if not any_holds(exempt):
                compute = get(spec, "computeResourceRequirements")
                yield (
                    f"{path}.computeResourceRequirements.minMemoryRequiredInMb is "
                    f"{shown(get(compute, 'minMemoryRequiredInMb'))}: reserve the memory a copy needs (at least "
                    "128 MiB) so copies of other models cannot starve it."
                )

        return check

    def copies() -> Check:
        count = number(get(args.props, "runtimeConfig.copyCount"))
        if count is None or count < 1:
            yield (
                f"runtimeConfig.copyCount is {shown(get(args.props, 'runtimeConfig.copyCount'))}: deploy at least "
                "one copy (runtime_config.copy_count)."
            )

    def reservations() -> Check:
        # Its own part: an Output specification leaves the copy count's finding decided.
        yield from each_part(*(reserved(path, spec) for path, spec in _component_specifications(args.props)))

    yield from each_part(reservations, copies)


def _components_endpoint_config_role(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    variants = [v for _, v in endpoint_variants(args.props)]
    # It passes with the role set, with no instance-backed variant, or with one naming a model: any
    # decides it, whatever the others read at preview (a model's name is an Output there, and so may
    # the role's ARN or another variant's serverlessConfig be).
    passes: list[Callable[[], bool]] = [
        lambda: is_set(get(args.props, "executionRoleArn")),
        lambda: not any_decided(variants, lambda v: not is_serverless(v)),
        lambda: any_decided(variants, lambda v: not is_serverless(v) and is_set(get(v, "modelName"))),
    ]
    if not any_holds(passes):
        yield (
            "productionVariants name no model (an endpoint of inference components) and executionRoleArn "
            "is unset: set execution_role_arn to a least-privilege SageMaker role; SageMaker requires it."
        )


inference_component_model_governed = resource_rule(
    name="inference-component-model-governed",
    description=(
        "An inference component must run a SageMaker model (specification.modelName), never an inline "
        "container, so that the model rules (network isolation, VPC, model package) judge what it "
        "serves; adapter components (baseInferenceComponentName) are exempt. Fix: create the model "
        "and pass its name Output as specification.model_name."
    ),
    resource_types=(NATIVE_INFERENCE_COMPONENT,),
    check=_component_model_governed,
    enforcement_level=MANDATORY,
    severity=HIGH,
    tags=["sagemaker", "network", "inference-components"],
)

inference_component_compute_reserved = resource_rule(
    name="inference-component-compute-reserved",
    description=(
        "An inference component must reserve its compute (computeResourceRequirements."
        "minMemoryRequiredInMb >= 128) and run at least one copy (runtimeConfig.copyCount >= 1), so "
        "models sharing instances cannot starve each other. Fix: set "
        "specification.compute_resource_requirements and runtime_config.copy_count."
    ),
    resource_types=(NATIVE_INFERENCE_COMPONENT,),
    check=_component_compute_reserved,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["sagemaker", "availability", "inference-components"],
)

inference_component_endpoint_config_role = resource_rule(
    name="inference-component-endpoint-config-role",
    description=(
        "An endpoint configuration whose instance-backed variants name no model (it hosts inference "
        "components) must set executionRoleArn, the role SageMaker acts with for the components. Fix: "
        "set execution_role_arn to the endpoint's least-privilege SageMaker role."
    ),
    resource_types=ENDPOINT_CONFIGS,
    check=_components_endpoint_config_role,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["sagemaker", "iam", "inference-components"],
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
    inference_experiment_kms_encrypted,
    inference_component_model_governed,
    inference_component_compute_reserved,
    inference_component_endpoint_config_role,
    sagemaker_resource_described,
]
