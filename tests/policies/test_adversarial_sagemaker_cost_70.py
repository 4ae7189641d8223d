"""An adversary of the SageMaker, notebook, CloudTrail, cost, SQS and Athena rules (session 70).

The class found: a rule reading its independent parts in one sequence let the first value unknown at
preview hide every decided finding after it. A Studio domain with ``kmsKeyId`` unset passed preview
with an "undecided" note whenever its ``appNetworkAccessType`` was an Output; a budget of type
``USAGE`` did the same when its notifications were. Each part is now judged on its own
(``_props.each_part``); the undecided note stays for the part that needs the unknown value.

Its mirror: a value unknown at preview that cannot change the verdict left the check undecided (a
model container pulling through the VPC whose image is an ECR repository's URL Output; a keyed
online store whose ``enableOnlineStore`` is an Output; a budget with one good notification beside one
with an Output). Those are decided now; an unknown that can change the verdict still is not.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_STRING_VALUE,
)

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import findings

MODEL = "aws:sagemaker/model:Model"
NATIVE_MODEL = "aws-native:sagemaker:Model"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
NATIVE_NOTEBOOK = "aws-native:sagemaker:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
NATIVE_DOMAIN = "aws-native:sagemaker:Domain"
TRAIL = "aws:cloudtrail/trail:Trail"
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
WORKGROUP = "aws:athena/workgroup:Workgroup"
NATIVE_WORKGROUP = "aws-native:athena:WorkGroup"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
NATIVE_FEATURE_GROUP = "aws-native:sagemaker:FeatureGroup"
EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"
COMPONENT = "aws-native:sagemaker:InferenceComponent"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"
BUDGET = "aws:budgets/budget:Budget"
NATIVE_BUDGET = "aws-native:budgets:Budget"

ECR_IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/model:1"
HUB_IMAGE = "docker.io/team/model:1"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _results(encryption: dict[str, Any]) -> dict[str, Any]:
    return {"resultConfiguration": {"encryptionConfiguration": encryption}}


def _experiment_variant(instance_type: Any) -> dict[str, Any]:
    return {
        "infrastructureConfig": {
            "realTimeInferenceConfig": {"instanceType": instance_type, "instanceCount": 1}
        }
    }


# --- a decided finding beside an unknown value is reported --------------------------------------


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs", "fragment"),
    [
        pytest.param("studio-domain-vpc-only-encrypted", DOMAIN, {"appNetworkAccessType": UNKNOWN_STRING_VALUE}, "kmsKeyId is unset", id="domain-key-beside-unknown-mode"),
        pytest.param("studio-domain-vpc-only-encrypted", NATIVE_DOMAIN, {"appNetworkAccessType": UNKNOWN_STRING_VALUE, "kmsKeyId": ""}, "kmsKeyId is unset", id="native-domain-empty-key-beside-unknown-mode"),
        pytest.param("studio-domain-vpc-only-encrypted", DOMAIN, {"appNetworkAccessType": "PublicInternetOnly", "kmsKeyId": UNKNOWN_STRING_VALUE}, "'PublicInternetOnly'", id="domain-public-beside-unknown-key"),
        pytest.param("notebook-in-vpc", NOTEBOOK, {"subnetId": UNKNOWN_STRING_VALUE, "securityGroups": []}, "securityGroups is empty", id="notebook-groups-beside-unknown-subnet"),
        pytest.param("notebook-in-vpc", NATIVE_NOTEBOOK, {"subnetId": UNKNOWN_STRING_VALUE}, "securityGroupIds is empty", id="native-notebook-groups-beside-unknown-subnet"),
        pytest.param("model-in-vpc", MODEL, {"vpcConfig": {"subnets": UNKNOWN_ARRAY_VALUE, "securityGroupIds": []}}, "vpcConfig.securityGroupIds is empty", id="model-groups-beside-unknown-subnets"),
        pytest.param("model-in-vpc", NATIVE_MODEL, {"vpcConfig": {"subnets": [], "securityGroupIds": UNKNOWN_ARRAY_VALUE}}, "vpcConfig.subnets is empty", id="native-model-subnets-beside-unknown-groups"),
        pytest.param("cloudtrail-multi-region", TRAIL, {"isMultiRegionTrail": UNKNOWN_BOOLEAN_VALUE, "enableLogging": False}, "enableLogging is false", id="trail-stopped-beside-unknown-multi-region"),
        pytest.param("cloudtrail-multi-region", NATIVE_TRAIL, {"isMultiRegionTrail": UNKNOWN_BOOLEAN_VALUE, "isLogging": "false"}, "isLogging is false", id="native-trail-stopped-beside-unknown-multi-region"),
        pytest.param("athena-workgroup-encrypted-enforced", WORKGROUP, {"configuration": {"enforceWorkgroupConfiguration": UNKNOWN_BOOLEAN_VALUE, **_results({"encryptionOption": "SSE_S3"})}}, "'SSE_S3'", id="workgroup-sse-s3-beside-unknown-enforcement"),
        pytest.param("athena-workgroup-encrypted-enforced", NATIVE_WORKGROUP, {"workGroupConfiguration": {"enforceWorkGroupConfiguration": UNKNOWN_BOOLEAN_VALUE, **_results({"encryptionOption": "SSE_KMS"})}}, "kmsKey is unset", id="native-workgroup-no-key-beside-unknown-enforcement"),
        pytest.param("athena-workgroup-encrypted-enforced", WORKGROUP, {"configuration": {"enforceWorkgroupConfiguration": "false", **_results({"encryptionOption": UNKNOWN_STRING_VALUE})}}, "enforceWorkgroupConfiguration is not true", id="workgroup-unenforced-beside-unknown-option"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://b", "kmsKeyId": UNKNOWN_STRING_VALUE}}, "onlineStoreConfig": {"enableOnlineStore": True}}, "onlineStoreConfig.securityConfig.kmsKeyId is unset", id="online-store-beside-unknown-offline-key"),
        pytest.param("feature-group-kms-encrypted", NATIVE_FEATURE_GROUP, {"offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://b"}}, "onlineStoreConfig": {"enableOnlineStore": UNKNOWN_BOOLEAN_VALUE}}, "offlineStoreConfig.s3StorageConfig.kmsKeyId is unset", id="offline-store-beside-unknown-online-switch"),
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"kmsKey": UNKNOWN_STRING_VALUE, "dataStorageConfig": {"destination": "s3://b"}}, "dataStorageConfig.kmsKey is unset", id="experiment-capture-beside-unknown-key"),
        pytest.param("inference-component-compute-reserved", COMPONENT, {"specification": {"modelName": "m", "computeResourceRequirements": {"minMemoryRequiredInMb": UNKNOWN_NUMBER_VALUE}}, "runtimeConfig": {"copyCount": 0}}, "runtimeConfig.copyCount is 0", id="component-copies-beside-unknown-memory"),
        pytest.param("inference-component-compute-reserved", COMPONENT, {"specification": UNKNOWN_STRING_VALUE, "runtimeConfig": {"copyCount": 0}}, "runtimeConfig.copyCount is 0", id="component-copies-beside-unknown-specification"),
        pytest.param("inference-component-compute-reserved", COMPONENT, {"specifications": [{"baseInferenceComponentName": UNKNOWN_STRING_VALUE}, {"modelName": "m", "computeResourceRequirements": {"minMemoryRequiredInMb": 64}}], "runtimeConfig": {"copyCount": 1}}, "specifications[1].computeResourceRequirements", id="component-spec-beside-unknown-adapter"),
        pytest.param("model-private-registry-via-vpc", MODEL, {"containers": [{"image": UNKNOWN_STRING_VALUE}, {"image": HUB_IMAGE}]}, "containers[1].imageConfig", id="registry-container-beside-unknown-image"),
        pytest.param("endpoint-config-min-instance-count", ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large", "initialInstanceCount": UNKNOWN_NUMBER_VALUE}, {"instanceType": "ml.m5.large", "initialInstanceCount": 1}]}, "productionVariants[1].initialInstanceCount is 1", id="variant-count-beside-unknown-count"),
        pytest.param("inference-component-model-governed", COMPONENT, {"specification": {"container": UNKNOWN_STRING_VALUE, "computeResourceRequirements": {"minMemoryRequiredInMb": 1024}}}, "specification.modelName is unset", id="component-no-model-beside-unknown-container"),
        pytest.param("inference-component-model-governed", COMPONENT, {"specifications": [{"baseInferenceComponentName": UNKNOWN_STRING_VALUE}, {"container": {"image": HUB_IMAGE}, "modelName": "m"}]}, "specifications[1].container is set", id="component-container-beside-unknown-adapter"),
        pytest.param("prod-model-from-model-package", NATIVE_MODEL, {"containers": [{"modelPackageName": UNKNOWN_STRING_VALUE}, {"image": ECR_IMAGE}]}, "containers[1].modelPackageName is unset", id="raw-container-beside-unknown-package"),
        pytest.param("athena-workgroup-encrypted-enforced", NATIVE_WORKGROUP, {"workGroupConfiguration": {"enforceWorkGroupConfiguration": True, **_results({"encryptionOption": "SSE_KMS", "kmsKey": KEY})}, "workGroupConfigurationUpdates": {"enforceWorkGroupConfiguration": UNKNOWN_BOOLEAN_VALUE, "resultConfigurationUpdates": {"removeEncryptionConfiguration": True}}}, "removeEncryptionConfiguration is true", id="native-update-removing-encryption-beside-unknown-enforcement"),
    ],
)  # fmt: skip
def test_a_decided_finding_beside_an_unknown_value_is_reported(
    policy: str, resource_type: str, inputs: dict[str, Any], fragment: str
) -> None:
    messages, undecided = findings(policy, resource_type, inputs)
    assert len(messages) == 1 and fragment in messages[0], messages
    assert undecided == 1  # the part that needs the unknown value stays undecided


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs", "fragment"),
    [
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"modelVariants": [_experiment_variant(UNKNOWN_STRING_VALUE), _experiment_variant("ml.m5.large")]}, "kmsKey is unset", id="unkeyed-experiment-ebs-variant-beside-unknown-type"),
        pytest.param("inference-component-endpoint-config-role", NATIVE_ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large"}, {"serverlessConfig": {"memorySizeInMb": 2048}, "modelName": UNKNOWN_STRING_VALUE}]}, "executionRoleArn is unset", id="no-role-serverless-variant-unknown-model"),
    ],
)  # fmt: skip
def test_a_violation_an_unknown_cannot_clear_is_decided(
    policy: str, resource_type: str, inputs: dict[str, Any], fragment: str
) -> None:
    """Second read (revadv70): the unknown value is in a part that cannot exempt the resource (an
    instance type beside a known EBS-backed one; a serverless variant's model name)."""
    messages, undecided = findings(policy, resource_type, inputs)
    assert undecided == 0 and len(messages) == 1 and fragment in messages[0], messages


def test_instance_store_beside_ebs_variants_is_refused_whatever_the_unknown_key() -> None:
    inputs = {"kmsKeyArn": UNKNOWN_STRING_VALUE, "productionVariants": [{"instanceType": "ml.g5.xlarge", "initialInstanceCount": 2}, {"instanceType": "ml.m5.large", "initialInstanceCount": 2}]}  # fmt: skip
    messages, undecided = findings("endpoint-config-kms-encrypted", ENDPOINT_CONFIG, inputs)
    assert (
        undecided == 0 and len(messages) == 1 and "instance-store variants (ml.g5.xlarge)" in messages[0]
    ), messages


# --- an unknown value that cannot change the verdict decides nothing -----------------------------


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs"),
    [
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": UNKNOWN_STRING_VALUE, "imageConfig": {"repositoryAccessMode": "Vpc"}}}, id="registry-vpc-mode-unknown-image"),
        pytest.param("model-private-registry-via-vpc", NATIVE_MODEL, {"containers": [{"image": UNKNOWN_STRING_VALUE, "imageConfig": {"repositoryAccessMode": "Vpc"}}, {"image": ECR_IMAGE}]}, id="native-registry-vpc-mode-unknown-image"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": UNKNOWN_BOOLEAN_VALUE, "securityConfig": {"kmsKeyId": KEY}}}, id="keyed-online-store-unknown-switch"),
        pytest.param("feature-group-kms-encrypted", NATIVE_FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": True, "storageType": UNKNOWN_STRING_VALUE, "securityConfig": {"kmsKeyId": KEY}}}, id="keyed-online-store-unknown-storage-type"),
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"kmsKey": KEY, "modelVariants": [_experiment_variant(UNKNOWN_STRING_VALUE)]}, id="keyed-experiment-unknown-instance-type"),
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"executionRoleArn": "arn:aws:iam::111122223333:role/r", "productionVariants": [{"instanceType": "ml.m5.large", "modelName": UNKNOWN_STRING_VALUE}]}, id="role-set-unknown-model-name"),
        pytest.param("inference-component-endpoint-config-role", NATIVE_ENDPOINT_CONFIG, {"executionRoleArn": UNKNOWN_STRING_VALUE, "productionVariants": [{"instanceType": "ml.m5.large", "modelName": UNKNOWN_STRING_VALUE}, {"instanceType": "ml.m5.large", "modelName": "m"}]}, id="unknown-role-a-variant-names-a-model"),
        # Second read (revadv70): each exemption decides whatever the others read, in either order.
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": ECR_IMAGE, "imageConfig": {"repositoryAccessMode": UNKNOWN_STRING_VALUE}}}, id="registry-ecr-image-unknown-mode"),
        pytest.param("model-private-registry-via-vpc", NATIVE_MODEL, {"containers": [{"modelPackageName": "p", "imageConfig": {"repositoryAccessMode": UNKNOWN_STRING_VALUE}}]}, id="native-registry-no-image-unknown-mode"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": False, "securityConfig": {"kmsKeyId": UNKNOWN_STRING_VALUE}}}, id="disabled-online-store-unknown-key"),
        pytest.param("feature-group-kms-encrypted", NATIVE_FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": True, "storageType": "InMemory", "securityConfig": {"kmsKeyId": UNKNOWN_STRING_VALUE}}}, id="in-memory-online-store-unknown-key"),
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"kmsKey": UNKNOWN_STRING_VALUE, "modelVariants": [_experiment_variant("ml.g5.xlarge"), _experiment_variant("ml.p4d.24xlarge")]}, id="local-nvme-experiment-unknown-key"),
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"executionRoleArn": "arn:aws:iam::111122223333:role/r", "productionVariants": [{"modelName": "", "serverlessConfig": UNKNOWN_STRING_VALUE}]}, id="role-set-unknown-serverless"),
        pytest.param("inference-component-endpoint-config-role", NATIVE_ENDPOINT_CONFIG, {"executionRoleArn": UNKNOWN_STRING_VALUE, "productionVariants": [{"serverlessConfig": UNKNOWN_STRING_VALUE}, {"instanceType": "ml.m5.large", "modelName": "m"}]}, id="unknown-role-unknown-serverless-a-variant-names-a-model"),
        pytest.param("endpoint-config-min-instance-count", ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large", "initialInstanceCount": 2, "serverlessConfig": UNKNOWN_STRING_VALUE}]}, id="enough-instances-unknown-serverless"),
        pytest.param("inference-component-compute-reserved", COMPONENT, {"specification": {"baseInferenceComponentName": UNKNOWN_STRING_VALUE, "modelName": "m", "computeResourceRequirements": {"minMemoryRequiredInMb": 128}}, "runtimeConfig": {"copyCount": 1}}, id="enough-memory-unknown-adapter"),
        pytest.param("inference-component-model-governed", COMPONENT, {"specification": {"baseInferenceComponentName": UNKNOWN_STRING_VALUE, "modelName": "m"}}, id="governed-spec-unknown-adapter"),
    ],
)  # fmt: skip
def test_an_unknown_value_that_cannot_change_the_verdict_is_decided(
    policy: str, resource_type: str, inputs: dict[str, Any]
) -> None:
    assert findings(policy, resource_type, inputs) == ([], 0)


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs"),
    [
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": UNKNOWN_STRING_VALUE}}, id="registry-no-mode-unknown-image"),
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": HUB_IMAGE, "imageConfig": {"repositoryAccessMode": UNKNOWN_STRING_VALUE}}}, id="registry-hub-image-unknown-mode"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": UNKNOWN_BOOLEAN_VALUE}}, id="unkeyed-online-store-unknown-switch"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": UNKNOWN_STRING_VALUE}}}, id="online-store-unknown-key"),
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"modelVariants": [_experiment_variant(UNKNOWN_STRING_VALUE)]}, id="unkeyed-experiment-unknown-instance-type"),
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large", "modelName": UNKNOWN_STRING_VALUE}]}, id="no-role-unknown-model-name"),
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"executionRoleArn": UNKNOWN_STRING_VALUE, "productionVariants": [{"instanceType": "ml.m5.large"}]}, id="unknown-role-no-model"),
        pytest.param("studio-domain-vpc-only-encrypted", DOMAIN, {"appNetworkAccessType": UNKNOWN_STRING_VALUE, "kmsKeyId": KEY}, id="domain-unknown-mode-keyed"),
        pytest.param("feature-group-kms-encrypted", NATIVE_FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": UNKNOWN_BOOLEAN_VALUE, "storageType": "Standard", "securityConfig": {"kmsKeyId": UNKNOWN_STRING_VALUE}}}, id="unknown-switch-unknown-key"),
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"kmsKey": UNKNOWN_STRING_VALUE, "modelVariants": [_experiment_variant("ml.g5.xlarge"), _experiment_variant("ml.m5.large")]}, id="experiment-one-ebs-variant-unknown-key"),
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"productionVariants": [{"serverlessConfig": UNKNOWN_STRING_VALUE}]}, id="no-role-unknown-serverless"),
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": UNKNOWN_STRING_VALUE, "imageConfig": {"repositoryAccessMode": UNKNOWN_STRING_VALUE}}}, id="registry-unknown-image-unknown-mode"),
        pytest.param("endpoint-config-min-instance-count", ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large", "initialInstanceCount": 1, "serverlessConfig": UNKNOWN_STRING_VALUE}]}, id="one-instance-unknown-serverless"),
        pytest.param("inference-component-compute-reserved", COMPONENT, {"specification": {"baseInferenceComponentName": UNKNOWN_STRING_VALUE, "modelName": "m", "computeResourceRequirements": {"minMemoryRequiredInMb": 127}}, "runtimeConfig": {"copyCount": 1}}, id="too-little-memory-unknown-adapter"),
        pytest.param("inference-component-model-governed", COMPONENT, {"specification": {"baseInferenceComponentName": UNKNOWN_STRING_VALUE}}, id="no-model-unknown-adapter"),
        pytest.param("inference-component-model-governed", COMPONENT, {"specification": {"baseInferenceComponentName": UNKNOWN_STRING_VALUE, "modelName": "m", "container": {"image": HUB_IMAGE}}}, id="inline-container-unknown-adapter"),
    ],
)  # fmt: skip
def test_an_unknown_value_that_can_change_the_verdict_stays_undecided(
    policy: str, resource_type: str, inputs: dict[str, Any]
) -> None:
    assert findings(policy, resource_type, inputs) == ([], 1)


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs", "fragment"),
    [
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large"}, {"instanceType": "ml.m5.large", "modelName": ""}]}, "executionRoleArn is unset", id="no-role-no-model"),
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"modelVariants": [_experiment_variant("ml.g5.xlarge"), _experiment_variant("ml.m5.large")]}, "kmsKey is unset", id="unkeyed-experiment-one-ebs-variant"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": "true", "storageType": "Standard", "securityConfig": {}}}, "onlineStoreConfig.securityConfig.kmsKeyId is unset", id="standard-online-store-no-key"),
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": HUB_IMAGE, "imageConfig": {"repositoryAccessMode": "Platform"}}}, "'Platform'", id="hub-image-platform-mode"),
    ],
)  # fmt: skip
def test_the_reordered_checks_still_refuse_when_every_value_is_known(
    policy: str, resource_type: str, inputs: dict[str, Any], fragment: str
) -> None:
    messages, undecided = findings(policy, resource_type, inputs)
    assert undecided == 0 and len(messages) == 1 and fragment in messages[0], messages
    assert findings(policy, resource_type, inputs, outputs=True)[0] == messages


@pytest.mark.parametrize(
    ("policy", "resource_type", "inputs"),
    [
        pytest.param("inference-experiment-kms-encrypted", EXPERIMENT, {"modelVariants": [_experiment_variant("ml.g5.xlarge")]}, id="unkeyed-experiment-all-local-nvme"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": True, "storageType": "InMemory"}}, id="in-memory-online-store"),
        pytest.param("feature-group-kms-encrypted", FEATURE_GROUP, {"onlineStoreConfig": {"enableOnlineStore": "false"}}, id="disabled-online-store"),
        pytest.param("model-private-registry-via-vpc", MODEL, {"primaryContainer": {"image": ECR_IMAGE}}, id="ecr-image-no-mode"),
        pytest.param("inference-component-endpoint-config-role", ENDPOINT_CONFIG, {"productionVariants": [{"instanceType": "ml.m5.large"}, {"instanceType": "ml.m5.large", "modelName": "m"}]}, id="no-role-a-variant-names-a-model"),
    ],
)  # fmt: skip
def test_the_reordered_checks_still_pass_when_every_value_is_known(
    policy: str, resource_type: str, inputs: dict[str, Any]
) -> None:
    assert findings(policy, resource_type, inputs) == ([], 0)


# --- the stack's cost budget -------------------------------------------------------------------

QUEUE = {"type": "aws:sqs/queue:Queue", "name": "queue", "inputs": {}}
PAGES = {
    "notificationType": "ACTUAL",
    "comparisonOperator": "GREATER_THAN",
    "threshold": 80,
    "thresholdType": "PERCENTAGE",
    "subscriberSnsTopicArns": ["arn:aws:sns:eu-west-1:111122223333:alerts"],
}
NATIVE_PAGES = {
    "notification": {
        "notificationType": "FORECASTED",
        "comparisonOperator": "GREATER_THAN",
        "threshold": 100,
    },
    "subscribers": [{"subscriptionType": "SNS", "address": "arn:aws:sns:eu-west-1:111122223333:alerts"}],
}


def _budget_report(
    resource_type: str, inputs: dict[str, Any], *, outputs: bool = False
) -> tuple[list[str], int]:
    records: Any = build([QUEUE, {"type": resource_type, "name": "budget", "inputs": inputs}])
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, None, [get_policy("stack-cost-budget")])
    return [v.message for v in report.violations], report.stack_undecided.get("stack-cost-budget", 0)


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(BUDGET, {"budgetType": "USAGE", "notifications": UNKNOWN_ARRAY_VALUE}, "budgetType is 'USAGE'", id="usage-budget-unknown-notifications"),
        pytest.param(BUDGET, {"budgetType": UNKNOWN_STRING_VALUE, "notifications": [{**PAGES, "comparisonOperator": "LESS_THAN"}]}, "no notification on ACTUAL or FORECASTED", id="unknown-type-no-paging-notification"),
        pytest.param(NATIVE_BUDGET, {"budget": {"budgetType": "USAGE"}, "notificationsWithSubscribers": UNKNOWN_ARRAY_VALUE}, "budgetType is 'USAGE'", id="native-usage-budget-unknown-notifications"),
    ],
)  # fmt: skip
def test_a_budgets_decided_finding_beside_an_unknown_value_is_reported(
    resource_type: str, inputs: dict[str, Any], fragment: str
) -> None:
    messages, undecided = _budget_report(resource_type, inputs)
    assert len(messages) == 1 and fragment in messages[0], messages
    assert undecided == 1


@pytest.mark.parametrize(
    ("resource_type", "inputs", "expected"),
    [
        pytest.param(BUDGET, {"budgetType": "COST", "notifications": [{**PAGES, "comparisonOperator": UNKNOWN_STRING_VALUE}, PAGES]}, ([], 0), id="one-paging-notification-beside-an-unknown-one"),
        pytest.param(BUDGET, {"budgetType": "COST", "notifications": [PAGES, {**PAGES, "notificationType": UNKNOWN_STRING_VALUE}]}, ([], 0), id="paging-notification-first"),
        pytest.param(NATIVE_BUDGET, {"budget": {"budgetType": "COST"}, "notificationsWithSubscribers": [{**NATIVE_PAGES, "subscribers": [{"subscriptionType": UNKNOWN_STRING_VALUE, "address": "a"}]}, NATIVE_PAGES]}, ([], 0), id="native-paging-entry-beside-an-unknown-one"),
        pytest.param(NATIVE_BUDGET, {"budget": {"budgetType": "COST"}, "notificationsWithSubscribers": [{**NATIVE_PAGES, "subscribers": [{"subscriptionType": UNKNOWN_STRING_VALUE, "address": "a"}, NATIVE_PAGES["subscribers"][0]]}]}, ([], 0), id="native-sns-subscriber-beside-an-unknown-one"),
        pytest.param(BUDGET, {"budgetType": "COST", "notifications": [{**PAGES, "comparisonOperator": UNKNOWN_STRING_VALUE}, {**PAGES, "comparisonOperator": "EQUAL_TO"}]}, ([], 1), id="only-the-unknown-notification-could-page"),
        pytest.param(NATIVE_BUDGET, {"budget": {"budgetType": "COST"}, "notificationsWithSubscribers": [{**NATIVE_PAGES, "subscribers": [{"subscriptionType": "SNS", "address": UNKNOWN_STRING_VALUE}]}]}, ([], 1), id="native-unknown-sns-address"),
    ],
)  # fmt: skip
def test_a_budget_notification_decides_whatever_the_others_read(
    resource_type: str, inputs: dict[str, Any], expected: tuple[list[str], int]
) -> None:
    assert _budget_report(resource_type, inputs) == expected


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param(BUDGET, {"budgetType": "COST", "notifications": [{**PAGES, "comparisonOperator": UNKNOWN_STRING_VALUE, "subscriberSnsTopicArns": []}, {**PAGES, "comparisonOperator": "EQUAL_TO"}]}, id="unknown-operator-no-topic"),
        pytest.param(BUDGET, {"budgetType": "COST", "notifications": [{**PAGES, "notificationType": UNKNOWN_STRING_VALUE, "comparisonOperator": "LESS_THAN"}]}, id="unknown-type-less-than"),
        pytest.param(NATIVE_BUDGET, {"budget": {"budgetType": "COST"}, "notificationsWithSubscribers": [{**NATIVE_PAGES, "notification": {**NATIVE_PAGES["notification"], "comparisonOperator": UNKNOWN_STRING_VALUE}, "subscribers": [{"subscriptionType": "EMAIL", "address": "ops@example.com"}]}]}, id="native-unknown-operator-email-only"),
        pytest.param(NATIVE_BUDGET, {"budget": {"budgetType": "COST"}, "notificationsWithSubscribers": [{**NATIVE_PAGES, "subscribers": [{"subscriptionType": UNKNOWN_STRING_VALUE, "address": ""}]}]}, id="native-unknown-subscriber-type-no-address"),
    ],
)  # fmt: skip
def test_a_budget_whose_notifications_are_known_not_to_page_is_refused(
    resource_type: str, inputs: dict[str, Any]
) -> None:
    """Second read (revadv70): a notification pages only when its type, its operator and an SNS
    subscriber all do; one part known not to decides it whatever the others read at preview."""
    messages, undecided = _budget_report(resource_type, inputs)
    assert undecided == 0 and len(messages) == 1 and "no notification" in messages[0], messages


def test_a_budget_paging_no_one_is_refused_before_and_after_create() -> None:
    inputs = {"budgetType": "COST", "limitAmount": "10", "timeUnit": "MONTHLY", "notifications": [{**PAGES, "comparisonOperator": "EQUAL_TO"}]}  # fmt: skip
    for outputs in (False, True):
        messages, undecided = _budget_report(BUDGET, inputs, outputs=outputs)
        assert undecided == 0 and len(messages) == 1 and "no notification" in messages[0], messages


# --- CloudTrail Lake event data stores: the trail's KMS rule reads them too ----------------------

EVENT_DATA_STORES = ["aws:cloudtrail/eventDataStore:EventDataStore", "aws-native:cloudtrail:EventDataStore"]


@pytest.mark.parametrize("resource_type", EVENT_DATA_STORES)
@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        pytest.param(
            {"name": "lake"}, "CloudTrail encrypts the event data store with its own key", id="no-key"
        ),
        pytest.param({"name": "lake", "kmsKeyId": ""}, "kms_key_id", id="empty-key"),
        pytest.param({"name": "lake", "kmsKeyId": KEY}, None, id="customer-key"),
        pytest.param({"name": "lake", "kmsKeyId": "alias/audit"}, None, id="alias"),
    ],
)
def test_an_event_data_store_is_encrypted_with_a_customer_key(
    resource_type: str, inputs: dict[str, Any], expected: str | None
) -> None:
    for outputs in (False, True):
        messages, undecided = findings("cloudtrail-kms-encrypted", resource_type, inputs, outputs=outputs)
        assert undecided == 0
        if expected is None:
            assert messages == []
        else:
            assert len(messages) == 1 and expected in messages[0] and "SSE-S3" not in messages[0], messages


@pytest.mark.parametrize("resource_type", EVENT_DATA_STORES)
def test_an_event_data_store_key_unknown_at_preview_is_undecided(resource_type: str) -> None:
    assert findings("cloudtrail-kms-encrypted", resource_type, {"kmsKeyId": UNKNOWN_STRING_VALUE}) == ([], 1)


@pytest.mark.parametrize("resource_type", EVENT_DATA_STORES)
@pytest.mark.parametrize("policy", ["cloudtrail-log-file-validation", "cloudtrail-multi-region"])
def test_the_trail_only_rules_do_not_read_an_event_data_store(policy: str, resource_type: str) -> None:
    assert findings(policy, resource_type, {"name": "lake"}) == ([], 0)
