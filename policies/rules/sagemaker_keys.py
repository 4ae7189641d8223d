"""SageMaker stores of customer data and their customer-managed keys, as a class.

``STORE_KEYS`` lists, per SageMaker type, each key input that no other rule of the pack reads and the
store it encrypts; ``sagemaker-stores-customer-managed-key`` asks for a customer-managed KMS key on
each. ``JUDGED_BY_OTHER_RULES`` names the key inputs the per-type rules judge (sagemaker.py,
sagemaker_jobs.py, sagemaker_notebooks.py; a served configuration's data capture, governance_prod.py)
and ``NOT_JUDGED`` the rest, each with why: the class scan (tests/policies/test_sagemaker_keys_class_70.py)
fails on a key-named input of a SageMaker type of the installed providers in none of the three, so a new
pulumi-aws or aws-native input is a failing test, not a silent gap.

Advisory: with a key unset AWS still encrypts these stores, each as its API reference says
(``StoreKey.fallback``, named in the message: the AWS managed key aws/s3 for core dumps and labels, an
AWS owned key for HyperPod volumes, the bucket's default encryption for the other S3 outputs, encryption
SageMaker chooses for model cards and packages), and no Security Hub control
or AWS Config managed rule demands the customer's key on them (the FSBP SageMaker controls cover
notebooks, endpoint configurations, feature groups, monitoring jobs and inference experiments, which the
per-type rules enforce as mandatory).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    ADVISORY,
    HIGH,
    MANDATORY,
    MEDIUM,
    each_part,
    get,
    is_aws_managed_alias,
    is_map,
    is_set,
    items,
    resource_rule,
    shown,
)

Check = Iterator[str]

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"
MODEL_CARD = "aws:sagemaker/modelCard:ModelCard"
NATIVE_MODEL_CARD = "aws-native:sagemaker:ModelCard"
NATIVE_MODEL_PACKAGE = "aws-native:sagemaker:ModelPackage"
LABELING_JOB = "aws:sagemaker/labelingJob:LabelingJob"
DOMAIN = "aws:sagemaker/domain:Domain"
NATIVE_DOMAIN = "aws-native:sagemaker:Domain"
USER_PROFILE = "aws:sagemaker/userProfile:UserProfile"
NATIVE_USER_PROFILE = "aws-native:sagemaker:UserProfile"
NATIVE_CLUSTER = "aws-native:sagemaker:Cluster"
NATIVE_PROCESSING_JOB = "aws-native:sagemaker:ProcessingJob"


@dataclass(frozen=True)
class StoreKey:
    """A key input and the store it encrypts.

    ``block``: the block whose presence makes the store exist ("" the resource itself; ``[]`` after a
    name: each item of that list); ``key``: the key's input under it; ``fallback``: what encrypts the
    store when the key is unset, as AWS documents it for that store; ``given``: an input of the block
    that must be set too for the store to exist (a sharing setting without an S3 path writes nothing);
    ``when``: an input of the block and the value it must read for the key to apply.
    """

    block: str
    key: str
    store: str
    fallback: str
    given: str = ""
    when: tuple[str, str] | None = None

    @property
    def path(self) -> str:
        return f"{self.block}.{self.key}" if self.block else self.key


#: What encrypts a store without its key, per store, as the SageMaker API reference says (or does not):
#: ProductionVariantCoreDumpConfig and LabelingJobOutputConfig: "the default KMS key for Amazon S3 for
#: your role's account", the AWS managed key aws/s3; ClusterEbsVolumeConfig: "an Amazon Web Services
#: owned key". AsyncInferenceOutputConfig, SharingSettings, WorkspaceSettings and the Athena/Redshift
#: dataset definitions name no key: the objects get their bucket's default encryption (SSE-S3 at least,
#: S3's default since January 2023). ModelCardSecurityConfig and ModelPackageSecurityConfig name none
#: either, and the content is SageMaker's, not in a bucket of yours.
_AWS_MANAGED_S3 = 'the AWS managed key aws/s3 ("the default KMS key for Amazon S3 for your role\'s account")'
_BUCKET_DEFAULT = "the bucket's default encryption (SSE-S3 at least; SageMaker names no key)"
_SAGEMAKER_CHOOSES = "encryption SageMaker chooses (it documents no key)"
_AWS_OWNED = "an AWS owned key"


def _endpoint_keys() -> tuple[StoreKey, ...]:
    core_dumps = "core dumps of the variant's serving container (its memory: requests and model) in S3"
    return (
        # AsyncInferenceOutputConfig.KmsKeyId: the key "to encrypt the asynchronous inference output in
        # Amazon S3" (SageMaker API reference); optional. (dataCaptureConfig.kmsKeyId is the stack rule
        # endpoint-data-capture-encrypted's, which judges the configuration an endpoint serves.)
        StoreKey(
            "asyncInferenceConfig.outputConfig",
            "kmsKeyId",
            "the asynchronous inference results in S3",
            _BUCKET_DEFAULT,
        ),
        StoreKey("productionVariants[].coreDumpConfig", "kmsKeyId", core_dumps, _AWS_MANAGED_S3),
        StoreKey("shadowProductionVariants[].coreDumpConfig", "kmsKeyId", core_dumps, _AWS_MANAGED_S3),
    )


def _sharing_keys(settings: str, canvas: bool) -> tuple[StoreKey, ...]:
    keys: tuple[StoreKey, ...] = (
        # SharingSettings: S3OutputPath and S3KmsKeyId apply "When NotebookOutputOption is Allowed"
        # (the default is Disabled), the key encrypting "the notebook cell output in the Amazon S3
        # bucket" (SageMaker API reference): with the output not shared the key encrypts nothing.
        StoreKey(
            f"{settings}.sharingSettings",
            "s3KmsKeyId",
            "the notebook cell output users share with their snapshots, in S3",
            _BUCKET_DEFAULT,
            given="s3OutputPath",
            when=("notebookOutputOption", "Allowed"),
        ),
    )
    if canvas:
        keys += (
            StoreKey(
                f"{settings}.canvasAppSettings.workspaceSettings",
                "s3KmsKeyId",
                "the artifacts SageMaker Canvas writes (datasets, models, predictions) in S3",
                _BUCKET_DEFAULT,
            ),
        )
    return keys


_MODEL_CARD = (
    # ModelCardSecurityConfig.KmsKeyId: "A Key Management Service key ID to use for encrypting a model
    # card", Required: No (SageMaker API reference).
    StoreKey(
        "",
        "securityConfig.kmsKeyId",
        "the model card's content (intended uses, evaluation results)",
        _SAGEMAKER_CHOOSES,
    ),
)
# ClusterEbsVolumeConfig: without VolumeKmsKeyId the secondary volume (mounted at /opt/sagemaker) and the
# root volume are encrypted "with an AWS owned key"; RootVolume=true requires the key (SageMaker API
# reference).
_CLUSTER_VOLUMES = "the instance group's EBS volume (training data, checkpoints) on the cluster's nodes"
_DATASET = "the query results SageMaker stages in S3 as the job's input"

#: type -> the key inputs of its customer-data stores that this rule judges (no other rule reads them).
STORE_KEYS: dict[str, tuple[StoreKey, ...]] = {
    ENDPOINT_CONFIG: _endpoint_keys(),
    NATIVE_ENDPOINT_CONFIG: _endpoint_keys(),
    MODEL_CARD: _MODEL_CARD,
    NATIVE_MODEL_CARD: _MODEL_CARD,
    # ModelPackageSecurityConfig.KmsKeyId: encrypts "model package information" (its model card
    # included); optional.
    NATIVE_MODEL_PACKAGE: (
        StoreKey(
            "",
            "securityConfig.kmsKeyId",
            "the model package's information and model card",
            _SAGEMAKER_CHOOSES,
        ),
    ),
    LABELING_JOB: (
        StoreKey(
            "outputConfig", "kmsKeyId", "the labels the job writes to S3 (training data)", _AWS_MANAGED_S3
        ),
    ),
    DOMAIN: _sharing_keys("defaultUserSettings", canvas=True),
    NATIVE_DOMAIN: _sharing_keys("defaultUserSettings", canvas=False),
    USER_PROFILE: _sharing_keys("userSettings", canvas=True),
    NATIVE_USER_PROFILE: _sharing_keys("userSettings", canvas=False),
    NATIVE_CLUSTER: (
        StoreKey(
            "instanceGroups[].instanceStorageConfigs[].ebsVolumeConfig",
            "volumeKmsKeyId",
            _CLUSTER_VOLUMES,
            _AWS_OWNED,
        ),
        StoreKey(
            "restrictedInstanceGroups[].instanceStorageConfigs[].ebsVolumeConfig",
            "volumeKmsKeyId",
            _CLUSTER_VOLUMES,
            _AWS_OWNED,
        ),
    ),
    NATIVE_PROCESSING_JOB: (
        StoreKey(
            "processingInputs[].datasetDefinition.athenaDatasetDefinition",
            "kmsKeyId",
            _DATASET,
            _BUCKET_DEFAULT,
        ),
        StoreKey(
            "processingInputs[].datasetDefinition.redshiftDatasetDefinition",
            "kmsKeyId",
            _DATASET,
            _BUCKET_DEFAULT,
        ),
    ),
}

_TRAINING = "training-job-kms-encrypted"
_MONITOR = "model-monitor-job-encrypted-isolated"
_DATA_QUALITY = "data-quality-job-encrypted-isolated"
_SCHEDULE = "monitoring-schedule-encrypted-isolated"
_PROCESSING = "processing-job-encrypted-isolated"
_FEATURES = "feature-group-kms-encrypted"
_SCHEDULE_JOB = "monitoringScheduleConfig.monitoringJobDefinition"
#: A stack rule: it judges the configuration each endpoint serves (mandatory in staging and prod).
_CAPTURE = "endpoint-data-capture-encrypted"


def _monitor(output: str) -> dict[str, str]:
    return {f"{output}.kmsKeyId": _MONITOR, "jobResources.clusterConfig.volumeKmsKeyId": _MONITOR}


#: type -> key input -> the rule that judges it (tests/policies/test_sagemaker_keys_class_70.py runs
#: that rule on each: unset, the path is named; set, it is not).
JUDGED_BY_OTHER_RULES: dict[str, dict[str, str]] = {
    "aws:sagemaker/notebookInstance:NotebookInstance": {"kmsKeyId": "notebook-kms-encrypted"},
    "aws-native:sagemaker:NotebookInstance": {"kmsKeyId": "notebook-kms-encrypted"},
    DOMAIN: {"kmsKeyId": "studio-domain-vpc-only-encrypted"},
    NATIVE_DOMAIN: {"kmsKeyId": "studio-domain-vpc-only-encrypted"},
    ENDPOINT_CONFIG: {"kmsKeyArn": "endpoint-config-kms-encrypted", "dataCaptureConfig.kmsKeyId": _CAPTURE},
    NATIVE_ENDPOINT_CONFIG: {
        "kmsKeyId": "endpoint-config-kms-encrypted",
        "dataCaptureConfig.kmsKeyId": _CAPTURE,
    },
    "aws:sagemaker/featureGroup:FeatureGroup": {
        "offlineStoreConfig.s3StorageConfig.kmsKeyId": _FEATURES,
        "onlineStoreConfig.securityConfig.kmsKeyId": _FEATURES,
    },
    "aws-native:sagemaker:FeatureGroup": {
        "offlineStoreConfig.s3StorageConfig.kmsKeyId": _FEATURES,
        "onlineStoreConfig.securityConfig.kmsKeyId": _FEATURES,
    },
    "aws:sagemaker/flowDefinition:FlowDefinition": {"outputConfig.kmsKeyId": "flow-definition-output-kms"},
    "aws-native:sagemaker:InferenceExperiment": {
        "kmsKey": "inference-experiment-kms-encrypted",
        "dataStorageConfig.kmsKey": "inference-experiment-kms-encrypted",
    },
    "aws:sagemaker/trainingJob:TrainingJob": {
        "outputDataConfig.kmsKeyId": _TRAINING,
        "resourceConfig.volumeKmsKeyId": _TRAINING,
    },
    "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": {
        f"{definition}.{path}": _TRAINING
        for definition in ("trainingJobDefinition", "trainingJobDefinitions[]")
        for path in (
            "outputDataConfig.kmsKeyId",
            "resourceConfig.volumeKmsKeyId",
            "hyperParameterTuningResourceConfig.volumeKmsKeyId",
        )
    },
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": {
        "dataQualityJobOutputConfig.kmsKeyId": _DATA_QUALITY,
        "jobResources.clusterConfig.volumeKmsKeyId": _DATA_QUALITY,
    },
    "aws-native:sagemaker:DataQualityJobDefinition": {
        "dataQualityJobOutputConfig.kmsKeyId": _DATA_QUALITY,
        "jobResources.clusterConfig.volumeKmsKeyId": _DATA_QUALITY,
    },
    "aws-native:sagemaker:ModelQualityJobDefinition": _monitor("modelQualityJobOutputConfig"),
    "aws-native:sagemaker:ModelBiasJobDefinition": _monitor("modelBiasJobOutputConfig"),
    "aws-native:sagemaker:ModelExplainabilityJobDefinition": _monitor("modelExplainabilityJobOutputConfig"),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": {
        f"{_SCHEDULE_JOB}.monitoringOutputConfig.kmsKeyId": _SCHEDULE,
        f"{_SCHEDULE_JOB}.monitoringResources.clusterConfig.volumeKmsKeyId": _SCHEDULE,
    },
    "aws-native:sagemaker:MonitoringSchedule": {
        f"{_SCHEDULE_JOB}.monitoringOutputConfig.kmsKeyId": _SCHEDULE,
        f"{_SCHEDULE_JOB}.monitoringResources.clusterConfig.volumeKmsKeyId": _SCHEDULE,
    },
    NATIVE_PROCESSING_JOB: {
        "processingOutputConfig.kmsKeyId": _PROCESSING,
        "processingResources.clusterConfig.volumeKmsKeyId": _PROCESSING,
    },
}

_EDGE = (
    "SageMaker Edge Manager, whose fleets' output this is, was discontinued on 26 April 2024 (SageMaker "
    "Developer Guide, https://docs.aws.amazon.com/sagemaker/latest/dg/edge-eol.html): no fleet reports data"
)
_VALIDATION = (
    "a validation profile's job is one SageMaker runs once to test the algorithm or model package (for "
    "an AWS Marketplace listing); a setting of a feature the platform's controls do not cover yet (it "
    "registers none with validation profiles)"
)
#: ``type input`` of key-named SageMaker inputs no rule judges, and why.
NOT_JUDGED: dict[str, str] = {
    "aws:sagemaker/deviceFleet:DeviceFleet outputConfig.kmsKeyId": _EDGE,
    "aws-native:sagemaker:DeviceFleet outputConfig.kmsKeyId": _EDGE,
    "aws-native:sagemaker:PartnerApp kmsKeyId": (
        "a setting of a feature the platform's controls do not cover yet (SageMaker partner AI apps, run "
        "by the partner; the platform deploys none)"
    ),
    "aws:sagemaker/labelingJob:LabelingJob labelingJobAlgorithmsConfig.labelingJobResourceConfig.volumeKmsKeyId": (
        "the volume of the instances automated data labeling starts, whose types SageMaker picks; a setting "
        "of a feature the platform's controls do not cover yet (it runs no labeling job); the labels "
        "themselves are judged (outputConfig.kmsKeyId)"
    ),
    **dict.fromkeys(
        (
            "aws:sagemaker/algorithm:Algorithm "
            "validationSpecification.validationProfiles.trainingJobDefinition.outputDataConfig.kmsKeyId",
            "aws:sagemaker/algorithm:Algorithm "
            "validationSpecification.validationProfiles.trainingJobDefinition.resourceConfig.volumeKmsKeyId",
            "aws:sagemaker/algorithm:Algorithm "
            "validationSpecification.validationProfiles.transformJobDefinition.transformOutput.kmsKeyId",
            "aws:sagemaker/algorithm:Algorithm "
            "validationSpecification.validationProfiles.transformJobDefinition.transformResources.volumeKmsKeyId",
            "aws-native:sagemaker:ModelPackage "
            "validationSpecification.validationProfiles[].transformJobDefinition.transformOutput.kmsKeyId",
            "aws-native:sagemaker:ModelPackage "
            "validationSpecification.validationProfiles[].transformJobDefinition.transformResources.volumeKmsKeyId",
        ),
        _VALIDATION,
    ),
}


def _blocks(props: Any, block: str) -> list[tuple[str, Any]]:
    """``(concrete path, block)`` of each instance of ``block`` that is set (``[]``: each item)."""
    found: list[tuple[str, Any]] = [("", props)]
    if not block:
        return found
    for step in block.split("."):
        name = step.removesuffix("[]")
        nxt: list[tuple[str, Any]] = []
        for prefix, obj in found:
            value = get(obj, name)
            path = f"{prefix}{name}"
            if step.endswith("[]"):
                nxt += [(f"{path}[{i}]", v) for i, v in enumerate(items(value)) if is_map(v) and is_set(v)]
            elif is_set(value):
                nxt.append((path, value))
        found = [(f"{path}.", obj) for path, obj in nxt]
    return [(path.removesuffix("."), obj) for path, obj in found]


def _snake(path: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", path).lower()


def _store_keys(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    def each(spec: StoreKey) -> Callable[[], Check]:
        def one(where: str, block: Any) -> Callable[[], Check]:
            def check() -> Check:
                # The key first: a keyed store passes whatever its other inputs read at preview.
                key = get(block, spec.key)
                if is_set(key) and not is_aws_managed_alias(key):
                    return
                if spec.given and not is_set(get(block, spec.given)):
                    return
                if spec.when and get(block, spec.when[0]) != spec.when[1]:
                    return
                path = f"{where}.{spec.key}" if where else spec.key
                named = "unset" if not is_set(key) else f"{shown(key)} (an AWS managed key)"
                yield (
                    f"{path} is {named}: nothing pins {spec.store} to a key of yours (without it: "
                    f"{spec.fallback}); set {_snake(path)} to a customer-managed KMS key."
                )

            return check

        def check() -> Check:
            yield from each_part(*(one(where, block) for where, block in _blocks(args.props, spec.block)))

        return check

    yield from each_part(*(each(spec) for spec in STORE_KEYS[args.resource_type]))


sagemaker_stores_customer_managed_key = resource_rule(
    name="sagemaker-stores-customer-managed-key",
    description=(
        "SageMaker stores of customer data whose key no other rule reads must use a customer-managed KMS "
        "key: endpoint configurations' asynchronous output and core dumps; model cards and "
        "(aws-native) model packages; labeling jobs' output; Studio domains' and user profiles' shared "
        "notebook output (notebookOutputOption Allowed, to S3) and Canvas workspaces; HyperPod clusters' EBS volumes; processing "
        "jobs' Athena and Redshift dataset definitions. Fix: set the named kmsKeyId (clusters: "
        "volumeKmsKeyId) to a customer-managed key. Advisory: otherwise AWS still encrypts them (an AWS managed "
        "or owned key, or the bucket's default encryption, per store) and no Security Hub control demands the "
        "customer's."
    ),
    resource_types=list(STORE_KEYS),
    check=_store_keys,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    tags=["sagemaker", "encryption"],
)


def _judged_keys_not_aws_managed(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    """Each key input :data:`JUDGED_BY_OTHER_RULES` names, wherever it sits (each item of a list), that
    names an AWS managed key by its alias (``alias/aws/<service>``, bare or as an alias ARN): those rules
    ask only that a key be set. A key unknown at preview passes: it is a resource's output (a Key's
    ARN or id, an Alias's ARN) and no program can create an ``alias/aws/`` alias (CreateAlias refuses
    the prefix); the AWS managed aliases are literals or lookups, which are known at preview."""
    for judged in JUDGED_BY_OTHER_RULES[args.resource_type]:
        block, _dot, key = judged.rpartition(".")
        try:
            blocks = _blocks(args.props, block)
        except UnknownValueError:
            continue
        for where, obj in blocks:
            try:
                value = get(obj, key)
            except UnknownValueError:
                continue
            if is_aws_managed_alias(value):
                path = f"{where}.{key}" if where else key
                yield (
                    f"{path} is {shown(value)}, an AWS managed key (its policy and rotation are AWS's: no "
                    f"grant of it can be scoped or revoked per workload): set {_snake(path)} to a "
                    "customer-managed KMS key."
                )


sagemaker_keys_customer_managed = resource_rule(
    name="sagemaker-keys-customer-managed",
    description=(
        "Where a SageMaker rule demands a KMS key (notebooks, Studio domains, endpoint configurations and "
        "their data capture, feature groups, flow definitions, inference experiments, training and tuning "
        "jobs, monitoring job definitions and schedules, processing jobs), the key must be the customer's: "
        "not an AWS managed key named by its alias (alias/aws/sagemaker, alias/aws/s3, alias/aws/ebs..., "
        "bare or as an alias ARN), which SageMaker accepts wherever it takes an alias. Fix: set the key "
        "input to a customer-managed KMS key (its ARN, id or alias)."
    ),
    resource_types=list(JUDGED_BY_OTHER_RULES),
    check=_judged_keys_not_aws_managed,
    enforcement_level=MANDATORY,
    severity=HIGH,
    tags=["sagemaker", "encryption"],
)

POLICIES = [sagemaker_stores_customer_managed_key, sagemaker_keys_customer_managed]
