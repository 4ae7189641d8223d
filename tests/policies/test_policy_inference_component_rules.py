"""Inference components: the resource rules on a component and its endpoint configuration, and the
production stack rules (scaling, rollout, monitoring) over an endpoint of inference components.

``ic_graph()`` is a compliant shared endpoint: a configuration without a model in its variant
(execution role, managed instance scaling, encrypted capture), the endpoint, a model, one
component with a rolling update rolled back on two alarms, and a copy-count target with a
target-tracking policy. Each violating case removes or bends one piece.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

COMPONENT = "aws-native:sagemaker:InferenceComponent"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
ROLE = "arn:aws:iam::111122223333:role/shared"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"
COPIES = "sagemaker:inference-component:DesiredCopyCount"
PROD = {"endpoint-safe-rollout": {"allowedTrafficRoutingTypes": ["CANARY", "LINEAR"]}}

COMPONENT_OK: dict[str, Any] = {
    "inferenceComponentName": "prod-small-models-churn",
    "endpointName": "prod-small-models",
    "variantName": "AllTraffic",
    "specification": {
        "modelName": "churn-model",
        "computeResourceRequirements": {"minMemoryRequiredInMb": 4096, "numberOfCpuCoresRequired": 2},
    },
    "runtimeConfig": {"copyCount": 2},
    "deploymentConfig": {
        "rollingUpdatePolicy": {
            "maximumBatchSize": {"type": "COPY_COUNT", "value": 1},
            "waitIntervalInSeconds": 120,
        },
        "autoRollbackConfiguration": {"alarms": [{"alarmName": "churn-5xx"}, {"alarmName": "churn-latency"}]},
    },
}
IC_VARIANT = {
    "variantName": "AllTraffic",
    "instanceType": "ml.m5.4xlarge",
    "initialInstanceCount": 2,
    "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 2, "maxInstanceCount": 3},
}


def component(**changes: Any) -> dict[str, Any]:
    """The compliant component with top-level inputs replaced (None removes one)."""
    result = copy.deepcopy(COMPONENT_OK)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def specification(**changes: Any) -> dict[str, Any]:
    spec = {**COMPONENT_OK["specification"], **changes}
    return {"specification": {k: v for k, v in spec.items() if v is not None}}


CASES = [
    pytest.param(
        "inference-component-model-governed", COMPONENT, component(), None, id="model-by-name-passes"
    ),
    pytest.param(
        "inference-component-model-governed",
        COMPONENT,
        component(
            specification={"baseInferenceComponentName": "base", "container": {"artifactUrl": "s3://a/b"}}
        ),
        None,
        id="adapter-component-is-exempt",
    ),
    pytest.param(
        "inference-component-model-governed",
        COMPONENT,
        component(**specification(modelName=None, container={"image": "1.dkr.ecr.x/y:1"})),
        "specification.container is set",
        id="inline-container-fails",
    ),
    pytest.param(
        "inference-component-model-governed",
        COMPONENT,
        component(specification=None),
        "specification is unset",
        id="no-specification-fails",
    ),
    pytest.param(
        "inference-component-compute-reserved", COMPONENT, component(), None, id="reserved-memory-passes"
    ),
    pytest.param(
        "inference-component-compute-reserved",
        COMPONENT,
        component(**specification(computeResourceRequirements={"numberOfCpuCoresRequired": 1})),
        "minMemoryRequiredInMb is unset",
        id="no-memory-reservation-fails",
    ),
    pytest.param(
        "inference-component-compute-reserved",
        COMPONENT,
        component(runtimeConfig={"copyCount": 0}),
        "runtimeConfig.copyCount is 0",
        id="zero-copies-fail",
    ),
    pytest.param(
        "inference-component-endpoint-config-role",
        ENDPOINT_CONFIG,
        {"productionVariants": [IC_VARIANT], "executionRoleArn": ROLE, "kmsKeyArn": KEY},
        None,
        id="components-config-with-role-passes",
    ),
    pytest.param(
        "inference-component-endpoint-config-role",
        ENDPOINT_CONFIG,
        {"productionVariants": [{**IC_VARIANT, "modelName": "m"}], "kmsKeyArn": KEY},
        None,
        id="model-variant-needs-no-role",
    ),
    pytest.param(
        "inference-component-endpoint-config-role",
        ENDPOINT_CONFIG,
        {"productionVariants": [IC_VARIANT], "kmsKeyArn": KEY},
        "executionRoleArn is unset",
        id="components-config-without-role-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


BASE: list[dict[str, Any]] = [
    {
        "type": "aws:sagemaker/model:Model",
        "name": "model",
        "inputs": {
            "name": "churn-model",
            "primaryContainer": {"modelPackageName": "arn:...:model-package/churn/3"},
        },
    },
    {
        "type": ENDPOINT_CONFIG,
        "name": "config",
        "inputs": {
            "name": "shared-config",
            "productionVariants": [IC_VARIANT],
            "executionRoleArn": ROLE,
            "kmsKeyArn": KEY,
            "dataCaptureConfig": {
                "enableCapture": True,
                "initialSamplingPercentage": 20,
                "destinationS3Uri": "s3://capture/shared",
                "kmsKeyId": KEY,
                "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
            },
        },
    },
    {
        "type": "aws:sagemaker/endpoint:Endpoint",
        "name": "endpoint",
        "deps": {"endpointConfigName": ["config"]},
        "inputs": {"name": "prod-small-models", "endpointConfigName": "shared-config"},
    },
    {
        "type": "aws:cloudwatch/metricAlarm:MetricAlarm",
        "name": "errors",
        "inputs": {"name": "churn-5xx", "alarmActions": [TOPIC_ARN]},
    },
    {
        "type": "aws:cloudwatch/metricAlarm:MetricAlarm",
        "name": "latency",
        "inputs": {"name": "churn-latency", "alarmActions": [TOPIC_ARN]},
    },
    {
        "type": COMPONENT,
        "name": "component",
        "deps": {
            "endpointName": ["endpoint"],
            "specification": ["model"],
            "deploymentConfig": ["errors", "latency"],
        },
        "inputs": COMPONENT_OK,
    },
    {
        "type": "aws:appautoscaling/target:Target",
        "name": "target",
        "deps": {"resourceId": ["component"]},
        "inputs": {
            "serviceNamespace": "sagemaker",
            "scalableDimension": COPIES,
            "resourceId": "inference-component/prod-small-models-churn",
            "minCapacity": 2,
            "maxCapacity": 6,
        },
    },
    {
        "type": "aws:appautoscaling/policy:Policy",
        "name": "scaling",
        "deps": {"resourceId": ["target"]},
        "inputs": {
            "policyType": "TargetTrackingScaling",
            "resourceId": "inference-component/prod-small-models-churn",
            "serviceNamespace": "sagemaker",
            "scalableDimension": COPIES,
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 100,
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
                },
            },
        },
    },
]


def ic_graph(
    *, drop: tuple[str, ...] = (), unlink: tuple[str, ...] = (), **inputs: dict[str, Any]
) -> list[dict[str, Any]]:
    """The compliant graph with specs dropped, ``"<name>.<input>"`` dependencies removed and inputs
    replaced (``None`` removes an input)."""
    specs = [s for s in copy.deepcopy(BASE) if s["name"] not in drop]
    by_name = {s["name"]: s for s in specs}
    for spec in specs:
        spec["deps"] = {k: [n for n in v if n in by_name] for k, v in spec.get("deps", {}).items()}
    for link in unlink:
        name, key = link.split(".")
        by_name[name]["deps"].pop(key)
    for name, changes in inputs.items():
        for key, value in changes.items():
            if value is None:
                by_name[name]["inputs"].pop(key, None)
            else:
                by_name[name]["inputs"][key] = value
    return specs


UNMANAGED = {"productionVariants": [{k: v for k, v in IC_VARIANT.items() if k != "managedInstanceScaling"}]}
LOW_MANAGED = {
    "productionVariants": [
        {
            **IC_VARIANT,
            "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 3},
        }
    ]
}

STACK_CASES = [
    pytest.param("endpoint-autoscaling-configured", ic_graph(), None, id="managed-and-copy-scaling-pass"),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(config=UNMANAGED),
        "without managed instance scaling",
        id="unmanaged-instances-fail",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(config=LOW_MANAGED),
        "managedInstanceScaling.minInstanceCount of variant 'AllTraffic' is 1",
        id="single-instance-minimum-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(drop=("target", "scaling")),
        "inference component 'component' has no copy-count scaling target",
        id="component-without-copy-target-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(unlink=("target.resourceId",)),
        None,
        id="copy-target-found-by-literal-resource-id",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(drop=("scaling",)),
        "has no TargetTrackingScaling policy",
        id="copy-target-without-policy-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(target={"minCapacity": 1}),
        "keep at least 2 copies",
        id="single-copy-minimum-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        ic_graph(drop=("component", "target", "scaling")),
        "none is placed on it",
        id="endpoint-without-components-fails",
    ),
    pytest.param("endpoint-safe-rollout", ic_graph(), None, id="component-rolling-update-passes"),
    pytest.param(
        "endpoint-safe-rollout",
        ic_graph(component={"deploymentConfig": None}),
        "deploymentConfig.rollingUpdatePolicy is unset on inference component 'component'",
        id="component-without-rolling-update-fails",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        ic_graph(
            component={
                "deploymentConfig": {**COMPONENT_OK["deploymentConfig"], "autoRollbackConfiguration": None}
            }
        ),
        "autoRollbackConfiguration.alarms is empty on inference component",
        id="component-without-rollback-alarms-fails",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        ic_graph(drop=("errors",), unlink=("component.deploymentConfig",)),
        "['churn-5xx'] that match no CloudWatch alarm",
        id="component-rollback-alarm-missing-fails",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        # still depends on the stack's two alarms, but names one nobody here defines
        ic_graph(
            component={
                "deploymentConfig": {
                    **COMPONENT_OK["deploymentConfig"],
                    "autoRollbackConfiguration": {"alarms": [{"alarmName": "legacy-cpu-low"}]},
                }
            }
        ),
        "['legacy-cpu-low'] that match no CloudWatch alarm",
        id="component-rollback-alarm-outside-stack-despite-dependencies-fails",
    ),
    pytest.param("endpoint-monitoring-schedule", ic_graph(), None, id="components-endpoint-is-exempt"),
    pytest.param(
        "endpoint-data-capture-encrypted",
        ic_graph(config={"dataCaptureConfig": None}),
        "dataCaptureConfig is unset",
        id="components-endpoint-still-captures",
    ),
]


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs, PROD), policy_name, fragment)


def test_a_model_endpoint_without_a_schedule_still_fails_monitoring(check_stack, outcome):
    """The exemption is for endpoints of components only: the same graph with a model in the
    variant is a single-model endpoint, which needs its schedule."""
    specs = ic_graph(config={"productionVariants": [{**IC_VARIANT, "modelName": "churn-model"}]})
    outcome(
        check_stack("endpoint-monitoring-schedule", specs, PROD),
        "endpoint-monitoring-schedule",
        "has no MonitoringSchedule",
    )
