"""Governance: cost-allocation tags, instance allowlist, GPU quota, protection of stateful resources."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KEY_TYPE = "aws:kms/key:Key"
TOPIC = "aws:sns/topic:Topic"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
NATIVE_MODEL_QUALITY = "aws-native:sagemaker:ModelQualityJobDefinition"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
TARGET = "aws:appautoscaling/target:Target"
AWS_PROVIDER = "pulumi:providers:aws"
TAGS = {"owner": "ml-platform", "cost-center": "cc-42", "environment": "prod"}


def config(*variants: dict[str, Any], shadow: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"productionVariants": list(variants), "shadowProductionVariants": list(shadow)}


def variant(instance_type: str, count: int = 1, name: str = "primary") -> dict[str, Any]:
    return {
        "variantName": name,
        "modelName": "m",
        "instanceType": instance_type,
        "initialInstanceCount": count,
    }


SERVERLESS = {
    "variantName": "primary",
    "modelName": "m",
    "serverlessConfig": {"maxConcurrency": 5, "memorySizeInMb": 2048},
}


def cluster(instance_type: str) -> dict[str, Any]:
    return {"clusterConfig": {"instanceType": instance_type, "instanceCount": 1, "volumeSizeInGb": 20}}


CASES = [
    # cost-allocation tags
    pytest.param(
        "required-cost-allocation-tags",
        BUCKET,
        {"bucket": "b", "tags": TAGS},
        None,
        id="bucket-with-all-tags-passes",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        NATIVE_MODEL_QUALITY,
        {"tags": [{"key": k, "value": v} for k, v in TAGS.items()]},
        None,
        id="aws-native-tag-list-passes",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        BUCKET_POLICY,
        {"bucket": "b", "policy": "{}"},
        None,
        id="untaggable-type-is-not-checked",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        BUCKET,
        {"bucket": "b", "tags": {"owner": "ml", "environment": "dev"}},
        "tags lacks cost-center",
        id="missing-cost-center-fails",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        KEY_TYPE,
        {"tags": {**TAGS, "owner": " "}},
        "tags lacks owner",
        id="blank-tag-value-fails",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        ENDPOINT,
        {"endpointConfigName": "c"},
        "tags lacks owner, cost-center, environment",
        id="untagged-endpoint-fails",
    ),
    # every taggable type, not the platform's own: an adopter's resources are checked too
    *(
        pytest.param(
            "required-cost-allocation-tags",
            resource_type,
            {},
            "tags lacks owner, cost-center, environment",
            id=f"untagged-{resource_type.rsplit(':', 1)[-1]}-fails",
        )
        for resource_type in (
            "aws:sqs/queue:Queue",
            "aws:lambda/function:Function",
            "aws:ecr/repository:Repository",
            "aws:secretsmanager/secret:Secret",
            "aws-native:s3:Bucket",
        )
    ),
    pytest.param(
        "required-cost-allocation-tags",
        "aws:sqs/queue:Queue",
        {"tags": TAGS},
        None,
        id="tagged-queue-passes",
    ),
    pytest.param(
        "required-cost-allocation-tags",
        "aws:sqs/queuePolicy:QueuePolicy",
        {"queueUrl": "q", "policy": "{}"},
        None,
        id="untaggable-queue-policy-is-not-checked",
    ),
    # instance allowlist (pipelines are covered with the pipeline cases)
    pytest.param(
        "instance-type-allowlist",
        ENDPOINT_CONFIG,
        config(variant("ml.m5.xlarge")),
        None,
        id="allowed-variant-type-passes",
    ),
    pytest.param(
        "instance-type-allowlist",
        ENDPOINT_CONFIG,
        config(SERVERLESS),
        None,
        id="serverless-variant-has-no-instance-type",
    ),
    pytest.param(
        "instance-type-allowlist",
        ENDPOINT_CONFIG,
        config(variant("ml.p4d.24xlarge")),
        "productionVariants[0].instanceType 'ml.p4d.24xlarge' is not allowed",
        id="disallowed-variant-fails",
    ),
    pytest.param(
        "instance-type-allowlist",
        ENDPOINT_CONFIG,
        config(variant("ml.m5.xlarge"), shadow=(variant("ml.g5.12xlarge", name="shadow"),)),
        "shadowProductionVariants[0].instanceType",
        id="disallowed-shadow-variant-fails",
    ),
    pytest.param(
        "instance-type-allowlist",
        TRAINING_JOB,
        {"resourceConfig": {"instanceType": "ml.p5.48xlarge", "instanceCount": 1}},
        "resourceConfig.instanceType 'ml.p5.48xlarge'",
        id="disallowed-training-type-fails",
    ),
    pytest.param(
        "instance-type-allowlist",
        NOTEBOOK,
        {"instanceType": "ml.p3.2xlarge"},
        "instanceType 'ml.p3.2xlarge'",
        id="disallowed-notebook-type-fails",
    ),
    pytest.param(
        "instance-type-allowlist",
        DATA_QUALITY,
        {"jobResources": cluster("ml.r5.24xlarge")},
        "jobResources.clusterConfig.instanceType",
        id="disallowed-monitoring-job-type-fails",
    ),
    pytest.param(
        "instance-type-allowlist",
        SCHEDULE,
        {
            "monitoringScheduleConfig": {
                "monitoringJobDefinition": {"monitoringResources": cluster("ml.r5.24xlarge")}
            }
        },
        "monitoringResources.clusterConfig.instanceType",
        id="disallowed-embedded-schedule-type-fails",
    ),
]


def endpoint_graph(
    instance_type: str = "ml.g5.xlarge",
    count: int = 2,
    max_capacity: int | None = None,
    extra: tuple[dict[str, Any], ...] = (),
) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        # The endpoint names the configuration it depends on, as `config.name` passes it.
        {
            "type": ENDPOINT_CONFIG,
            "name": "config",
            "inputs": {"name": "cfg", **config(variant(instance_type, count))},
        },
        {
            "type": ENDPOINT,
            "name": "endpoint",
            "inputs": {"name": "churn", "endpointConfigName": "cfg"},
            "deps": {"endpointConfigName": ["config"]},
        },
    ]
    if max_capacity is not None:
        specs.append(
            {
                "type": TARGET,
                "name": "target",
                "deps": {"resourceId": ["endpoint"]},
                "inputs": {
                    "serviceNamespace": "sagemaker",
                    "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
                    "resourceId": "endpoint/churn/variant/primary",
                    "minCapacity": count,
                    "maxCapacity": max_capacity,
                },
            }
        )
    return specs + list(extra)


TRAINING_P4D = {
    "type": TRAINING_JOB,
    "name": "train",
    "inputs": {"resourceConfig": {"instanceType": "ml.p4d.24xlarge", "instanceCount": 4}},
}
PROVIDER_DEFAULT_TAGS = [
    {
        "type": AWS_PROVIDER,
        "name": "aws",
        "inputs": {"region": "eu-west-1", "defaultTags": json.dumps({"tags": TAGS})},
    },
    {"type": BUCKET, "name": "data", "inputs": {"bucket": "data"}, "provider": "aws"},
]

EIGHT_CONFIGS_WITH_1_TO_8_GPUS = [
    {"type": ENDPOINT_CONFIG, "name": f"config-{n}", "inputs": config(variant("ml.g5.xlarge", n))}
    for n in range(1, 9)
]

STACK_CASES = [
    pytest.param(
        "required-cost-allocation-tags", PROVIDER_DEFAULT_TAGS, None, id="provider-default-tags-count"
    ),
    pytest.param(
        "required-cost-allocation-tags",
        [PROVIDER_DEFAULT_TAGS[0], {"type": BUCKET, "name": "data", "inputs": {"bucket": "data"}}],
        "tags lacks owner",
        id="tags-of-an-unused-provider-do-not-count",
    ),
    pytest.param(
        "gpu-instance-quota", endpoint_graph(count=2), None, id="two-gpu-instances-within-quota-passes"
    ),
    pytest.param(
        "gpu-instance-quota", endpoint_graph("ml.inf2.xlarge", count=10), None, id="inferentia-is-not-a-gpu"
    ),
    pytest.param(
        "gpu-instance-quota",
        endpoint_graph(count=2, extra=(TRAINING_P4D,)),
        "asks for 6 GPU instances, over maxGpuInstances=4",
        id="endpoint-plus-training-over-quota-fails",
    ),
    pytest.param(
        "gpu-instance-quota",
        EIGHT_CONFIGS_WITH_1_TO_8_GPUS,
        "(config-8.productionVariants[0].instanceType=ml.g5.xlarge x8; config-7.",
        id="over-quota-names-the-biggest-first",
    ),
    pytest.param(
        "gpu-instance-quota",
        EIGHT_CONFIGS_WITH_1_TO_8_GPUS,
        "config-4.productionVariants[0].instanceType=ml.g5.xlarge x4; and 3 more):",
        id="over-quota-names-five-then-counts-the-rest",
    ),
    pytest.param(
        "gpu-instance-quota",
        endpoint_graph(count=2, max_capacity=6),
        "productionVariants[0].instanceType=ml.g5.xlarge x6",
        id="autoscaling-max-capacity-counts-fails",
    ),
    pytest.param(
        "stateful-resources-protected",
        [
            {"type": KEY_TYPE, "name": "key", "protect": True},
            {"type": BUCKET, "name": "data", "protect": True},
            {"type": TOPIC, "name": "alerts"},
        ],
        None,
        id="protected-stateful-resources-pass",
    ),
    pytest.param(
        "stateful-resources-protected",
        [{"type": KEY_TYPE, "name": "key", "protect": True}, {"type": FEATURE_GROUP, "name": "features"}],
        "aws:sagemaker/featureGroup:FeatureGroup 'features' is not protected",
        id="unprotected-feature-group-fails",
    ),
    *(
        pytest.param(
            "stateful-resources-protected",
            [{"type": KEY_TYPE, "name": "key", "protect": True}, {"type": native, "name": "native"}],
            f"{native} 'native' is not protected",
            id=f"unprotected-{native.replace(':', '-')}-fails",
        )
        for native in (
            "aws-native:kms:Key",
            "aws-native:s3:Bucket",
            "aws-native:sagemaker:FeatureGroup",
            "aws-native:sagemaker:ModelPackageGroup",
        )
    ),
    pytest.param(
        "stateful-resources-protected",
        [{"type": "aws-native:s3:Bucket", "name": "native", "protect": True}],
        None,
        id="protected-aws-native-bucket-passes",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs), policy_name, fragment)


@pytest.mark.parametrize(
    ("policy_name", "resource_type", "inputs", "config"),
    [
        pytest.param(
            "required-cost-allocation-tags",
            BUCKET,
            {"tags": {"team": "ml"}},
            {"required-cost-allocation-tags": {"requiredTags": ["team"]}},
            id="custom-required-tags",
        ),
        pytest.param(
            "instance-type-allowlist",
            ENDPOINT_CONFIG,
            config(variant("ml.p4d.24xlarge")),
            {"instance-type-allowlist": {"allowedInstanceTypes": ["ml.p4d.*"]}},
            id="custom-allowlist-pattern",
        ),
    ],
)
def test_config_changes_the_verdict(check_resource, outcome, policy_name, resource_type, inputs, config):
    assert check_resource(policy_name, resource_type, inputs), "the default config should reject this case"
    outcome(check_resource(policy_name, resource_type, inputs, config), policy_name, None)


def test_quota_and_protection_follow_config(check_stack, outcome):
    over = endpoint_graph(count=2, extra=(TRAINING_P4D,))
    outcome(
        check_stack("gpu-instance-quota", over, {"gpu-instance-quota": {"maxGpuInstances": 6}}),
        "gpu-instance-quota",
        None,
    )
    unprotected = [{"type": BUCKET, "name": "data"}]
    outcome(
        check_stack(
            "stateful-resources-protected",
            unprotected,
            {"stateful-resources-protected": {"requireProtection": False}},
        ),
        "stateful-resources-protected",
        None,
    )


def test_quota_violation_is_stack_level(check_stack):
    [violation] = check_stack("gpu-instance-quota", endpoint_graph(count=5))
    assert (violation.urn, violation.resource_type, violation.resource_name) == (None, None, None)


def _unknown_resource_id(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The target's ``resourceId`` as a preview sees ``endpoint.name.apply(...)``: unknown."""
    for spec in specs:
        if spec["name"] == "target":
            spec["inputs"]["resourceId"] = UNKNOWN_STRING_VALUE
    return specs


def test_gpu_quota_counts_the_ceiling_of_a_target_whose_variant_is_unknown_at_preview(records) -> None:
    """One variant: the target linked to its endpoint scales that variant, whatever its resourceId."""
    specs = _unknown_resource_id(endpoint_graph("ml.g5.xlarge", 2, max_capacity=8))
    report = evaluate_report(records(specs), None, [get_policy("gpu-instance-quota")])
    assert [v.message for v in report.violations if "asks for 8 GPU instances" in v.message], (
        report.violations
    )


def test_gpu_quota_is_undecided_when_an_unknown_target_may_scale_a_gpu_variant(records) -> None:
    """Two variants and a target whose variant is unknown: the GPU variant's ceiling is not known yet."""
    specs = _unknown_resource_id(endpoint_graph("ml.g5.xlarge", 2, max_capacity=8))
    specs[0]["inputs"] = config(variant("ml.g5.xlarge", 2), variant("ml.m5.xlarge", 2, name="cpu"))
    report = evaluate_report(records(specs), None, [get_policy("gpu-instance-quota")])
    assert report.violations == []
    assert report.stack_undecided == {"gpu-instance-quota": 1}
