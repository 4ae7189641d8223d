"""Production MLOps stack rules over hand-built graphs.

``prod_graph()`` is a compliant production endpoint: configuration with encrypted data
capture, blue/green canary deployment rolling back on two alarms, a data-quality schedule,
an autoscaling target with a target-tracking policy. Each violating case removes or bends
exactly one piece.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report, resolve_config
from policies.registry import get_policy, load_pack_config
from policies.rules._serving import parse_variant_resource_id

KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
PROD_RULES = (
    "endpoint-data-capture-encrypted",
    "endpoint-monitoring-schedule",
    "endpoint-autoscaling-configured",
    "endpoint-safe-rollout",
)
PROD = {"endpoint-safe-rollout": {"allowedTrafficRoutingTypes": ["CANARY", "LINEAR"]}}

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
        "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "name": "config",
        "deps": {"productionVariants": ["model"]},
        "inputs": {
            "name": "churn-config",
            "productionVariants": [
                {
                    "variantName": "primary",
                    "modelName": "churn-model",
                    "instanceType": "ml.g5.xlarge",
                    "initialInstanceCount": 2,
                }
            ],
            "dataCaptureConfig": {
                "enableCapture": True,
                "initialSamplingPercentage": 100,
                "destinationS3Uri": "s3://capture/churn",
                "kmsKeyId": KEY,
                "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
            },
        },
    },
    {
        "type": "aws:cloudwatch/metricAlarm:MetricAlarm",
        "name": "latency",
        "inputs": {"name": "churn-latency", "alarmActions": [TOPIC_ARN]},
    },
    {
        "type": "aws:cloudwatch/metricAlarm:MetricAlarm",
        "name": "errors",
        "inputs": {"name": "churn-5xx", "alarmActions": [TOPIC_ARN]},
    },
    {
        "type": "aws:sagemaker/endpoint:Endpoint",
        "name": "endpoint",
        "deps": {"endpointConfigName": ["config"], "deploymentConfig": ["latency", "errors"]},
        "inputs": {
            "name": "churn",
            "endpointConfigName": "churn-config",
            "deploymentConfig": {
                "blueGreenUpdatePolicy": {
                    "trafficRoutingConfiguration": {
                        "type": "CANARY",
                        "waitIntervalInSeconds": 600,
                        "canarySize": {"type": "CAPACITY_PERCENT", "value": 10},
                    }
                },
                "autoRollbackConfiguration": {
                    "alarms": [{"alarmName": "churn-latency"}, {"alarmName": "churn-5xx"}]
                },
            },
        },
    },
    {
        "type": "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
        "name": "dq",
        "deps": {"dataQualityJobInput": ["endpoint"]},
        "inputs": {"name": "churn-dq", "dataQualityJobInput": {"endpointInput": {"endpointName": "churn"}}},
    },
    {
        "type": "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
        "name": "schedule",
        "deps": {"monitoringScheduleConfig": ["dq"]},
        "inputs": {
            "monitoringScheduleConfig": {
                "monitoringJobDefinitionName": "churn-dq",
                "monitoringType": "DataQuality",
                "scheduleConfig": {"scheduleExpression": "cron(0 * ? * * *)"},
            }
        },
    },
    {
        "type": "aws:appautoscaling/target:Target",
        "name": "target",
        "deps": {"resourceId": ["endpoint"]},
        "inputs": {
            "serviceNamespace": "sagemaker",
            "scalableDimension": DIMENSION,
            "resourceId": "endpoint/churn/variant/primary",
            "minCapacity": 2,
            "maxCapacity": 4,
        },
    },
    {
        "type": "aws:appautoscaling/policy:Policy",
        "name": "scaling",
        "deps": {"resourceId": ["target"], "scalableDimension": ["target"], "serviceNamespace": ["target"]},
        "inputs": {
            "policyType": "TargetTrackingScaling",
            "resourceId": "endpoint/churn/variant/primary",
            "serviceNamespace": "sagemaker",
            "scalableDimension": DIMENSION,
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 70,
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
            },
        },
    },
]


def prod_graph(
    *, drop: tuple[str, ...] = (), unlink: tuple[str, ...] = (), **inputs: dict[str, Any]
) -> list[dict[str, Any]]:
    """The compliant graph with specs dropped, ``"<name>.<input>"`` dependencies removed and inputs replaced.

    ``inputs`` maps a spec name to the inputs to replace (``None`` removes the input).
    """
    specs = [s for s in copy.deepcopy(BASE) if s["name"] not in drop]
    by_name = {s["name"]: s for s in specs}
    for spec in specs:  # a dropped resource is no longer anyone's dependency
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


def capture(**changes: Any) -> dict[str, Any]:
    return {"dataCaptureConfig": {**BASE[1]["inputs"]["dataCaptureConfig"], **changes}}


def rollout(**changes: Any) -> dict[str, Any]:
    return {"deploymentConfig": {**BASE[4]["inputs"]["deploymentConfig"], **changes}}


SERVERLESS_VARIANT = {
    "productionVariants": [
        {
            "variantName": "primary",
            "modelName": "churn-model",
            "serverlessConfig": {"maxConcurrency": 10, "memorySizeInMb": 4096},
        }
    ]
}

#: A second configuration in the stack, without data capture (the endpoint's old one, say).
LEGACY_CONFIG: dict[str, Any] = {
    "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "name": "legacy",
    "inputs": {"name": "churn-legacy-config", "productionVariants": BASE[1]["inputs"]["productionVariants"]},
}


def serving_other_config(config_name: str) -> list[dict[str, Any]]:
    """The endpoint still depends on the compliant configuration (``Output.all(config.name, ...)
    .apply(...)`` records it) while the name it sends is ``config_name``."""
    return [*prod_graph(endpoint={"endpointConfigName": config_name}), copy.deepcopy(LEGACY_CONFIG)]


STACK_CASES = [
    # data capture
    pytest.param("endpoint-data-capture-encrypted", prod_graph(), None, id="encrypted-capture-passes"),
    pytest.param(
        "endpoint-data-capture-encrypted",
        prod_graph(unlink=("endpoint.endpointConfigName",)),
        None,
        id="config-found-by-literal-name",
    ),
    pytest.param(
        "endpoint-data-capture-encrypted",
        prod_graph(config={"dataCaptureConfig": None}),
        "dataCaptureConfig is unset",
        id="config-without-capture-fails",
    ),
    pytest.param(
        "endpoint-data-capture-encrypted",
        prod_graph(config=capture(enableCapture=False)),
        "dataCaptureConfig.enableCapture is false",
        id="disabled-capture-fails",
    ),
    pytest.param(
        "endpoint-data-capture-encrypted",
        prod_graph(config=capture(kmsKeyId=None)),
        "dataCaptureConfig.kmsKeyId is unset",
        id="unencrypted-capture-fails",
    ),
    pytest.param(
        "endpoint-data-capture-encrypted",
        prod_graph(unlink=("endpoint.endpointConfigName",), endpoint={"endpointConfigName": "elsewhere"}),
        "EndpointConfiguration is not in this stack",
        id="unresolvable-config-fails",
    ),
    pytest.param(
        "endpoint-data-capture-encrypted",
        serving_other_config("churn-legacy-config"),
        "dataCaptureConfig is unset on 'legacy'",
        id="config-named-by-value-wins-over-a-dependency-on-another",
    ),
    pytest.param(
        "endpoint-data-capture-encrypted",
        serving_other_config("outside-config"),
        "EndpointConfiguration is not in this stack",
        id="config-named-outside-the-stack-despite-a-dependency-fails",
    ),
    # monitoring
    pytest.param("endpoint-monitoring-schedule", prod_graph(), None, id="schedule-reaching-endpoint-passes"),
    pytest.param(
        "endpoint-monitoring-schedule",
        prod_graph(unlink=("schedule.monitoringScheduleConfig", "dq.dataQualityJobInput")),
        None,
        id="schedule-matched-by-literal-names-passes",
    ),
    pytest.param(
        "endpoint-monitoring-schedule",
        prod_graph(drop=("schedule",)),
        "has no MonitoringSchedule",
        id="endpoint-without-schedule-fails",
    ),
    pytest.param(
        "endpoint-monitoring-schedule",
        # created after the endpoint (depends_on), but its job definition watches another endpoint
        [
            {**spec, "depends_on": ["endpoint"]} if spec["name"] == "dq" else spec
            for spec in prod_graph(
                unlink=("dq.dataQualityJobInput",),
                dq={"dataQualityJobInput": {"endpointInput": {"endpointName": "churn-v1"}}},
            )
        ],
        "has no MonitoringSchedule",
        id="schedule-ordered-after-the-endpoint-but-naming-another-fails",
    ),
    pytest.param(
        "endpoint-monitoring-schedule",
        prod_graph(
            unlink=("schedule.monitoringScheduleConfig", "dq.dataQualityJobInput"),
            dq={"dataQualityJobInput": {"endpointInput": {"endpointName": "other"}}},
        ),
        "has no MonitoringSchedule",
        id="schedule-watching-another-endpoint-fails",
    ),
    # autoscaling
    pytest.param("endpoint-autoscaling-configured", prod_graph(), None, id="target-and-tracking-policy-pass"),
    pytest.param(
        "endpoint-autoscaling-configured",
        prod_graph(drop=("target", "scaling"), config=SERVERLESS_VARIANT),
        None,
        id="serverless-variant-is-exempt",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        prod_graph(drop=("target", "scaling")),
        "variant 'primary' of endpoint 'endpoint' has no autoscaling target",
        id="no-scaling-target-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        prod_graph(unlink=("target.resourceId",), target={"resourceId": "endpoint/churn/variant/shadow"}),
        "variant 'primary'",
        id="target-for-another-variant-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        prod_graph(target={"minCapacity": 1}),
        "minCapacity of scaling target 'target' is 1",
        id="min-capacity-below-two-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        prod_graph(scaling={"policyType": "StepScaling"}),
        "no TargetTrackingScaling policy",
        id="step-scaling-only-fails",
    ),
    pytest.param(
        "endpoint-autoscaling-configured",
        # the policy still depends on the target (its resource_id fed an apply) but scales another variant
        prod_graph(scaling={"resourceId": "endpoint/churn-old/variant/primary"}),
        "has no TargetTrackingScaling policy",
        id="policy-scaling-another-resource-despite-a-dependency-fails",
    ),
    # rollout
    pytest.param("endpoint-safe-rollout", prod_graph(), None, id="canary-with-rollback-alarms-passes"),
    pytest.param(
        "endpoint-safe-rollout",
        prod_graph(latency={"name": None}, errors={"name": None}),
        None,
        id="alarms-linked-by-dependency-pass",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        prod_graph(endpoint=rollout(blueGreenUpdatePolicy=None)),
        "deploymentConfig.blueGreenUpdatePolicy is unset",
        id="no-blue-green-fails",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        prod_graph(endpoint=rollout(autoRollbackConfiguration={"alarms": []})),
        "deploymentConfig.autoRollbackConfiguration.alarms is empty",
        id="no-rollback-alarms-fails",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        prod_graph(drop=("errors",), unlink=("endpoint.deploymentConfig",)),
        "['churn-5xx'] that match no CloudWatch alarm",
        id="rollback-alarm-missing-from-stack-fails",
    ),
    pytest.param(
        "endpoint-safe-rollout",
        # deploymentConfig still depends on both alarms of the stack (their names fed an apply), but
        # the one alarm it names is another: an account alarm nobody here defines.
        prod_graph(endpoint=rollout(autoRollbackConfiguration={"alarms": [{"alarmName": "legacy-cpu-low"}]})),
        "['legacy-cpu-low'] that match no CloudWatch alarm",
        id="rollback-alarm-outside-stack-despite-dependencies-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs, PROD), policy_name, fragment)


def test_prod_routing_types_reject_all_at_once(check_stack, outcome):
    routing = {"trafficRoutingConfiguration": {"type": "ALL_AT_ONCE", "waitIntervalInSeconds": 300}}
    specs = prod_graph(endpoint=rollout(blueGreenUpdatePolicy=routing))
    outcome(
        check_stack("endpoint-safe-rollout", specs, PROD),
        "endpoint-safe-rollout",
        "trafficRoutingConfiguration.type is 'ALL_AT_ONCE'",
    )
    outcome(check_stack("endpoint-safe-rollout", specs), "endpoint-safe-rollout", None)  # default allows it


def test_min_capacity_follows_config(check_stack, outcome):
    specs = prod_graph(target={"minCapacity": 1})
    outcome(
        check_stack(
            "endpoint-autoscaling-configured", specs, {"endpoint-autoscaling-configured": {"minCapacity": 1}}
        ),
        "endpoint-autoscaling-configured",
        None,
    )


@pytest.mark.parametrize("policy_name", PROD_RULES)
def test_prod_config_makes_rule_mandatory_and_compliant_graph_passes(check_stack, outcome, policy_name):
    prod = load_pack_config("prod")
    level, _ = resolve_config(prod, [get_policy(policy_name)])[policy_name]
    assert level.value == "mandatory"
    outcome(check_stack(policy_name, prod_graph(), prod), policy_name, None)
    [violation, *_] = check_stack(
        policy_name,
        prod_graph(drop=("config", "schedule", "target", "scaling"), endpoint={"deploymentConfig": None}),
        prod,
    )
    assert violation.enforcement_level == "mandatory"


@pytest.mark.parametrize(
    ("resource_id", "parsed"),
    [
        ("endpoint/churn/variant/primary", ("churn", "primary")),
        ("endpoint/churn/variants/primary", None),  # Application Auto Scaling's word is "variant"
        ("endpoints/churn/variant/primary", None),
        ("endpoint/churn/variant", None),
        ("endpoint/churn/variant/primary/extra", None),
        ("inference-component/churn", None),
        (None, None),
    ],
)
def test_a_variant_target_is_named_only_by_its_exact_resource_id(resource_id, parsed) -> None:
    assert parse_variant_resource_id(resource_id) == parsed


def test_an_endpoint_config_name_computed_from_two_configs_is_undecided_at_preview(records) -> None:
    """Depending on two configurations, an unknown name may be either: neither is assumed."""
    specs = serving_other_config(UNKNOWN_STRING_VALUE)
    [endpoint] = [spec for spec in specs if spec["name"] == "endpoint"]
    endpoint["deps"]["endpointConfigName"] = ["config", "legacy"]
    report = evaluate_report(records(specs), PROD, [get_policy("endpoint-data-capture-encrypted")])
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == ["endpoint-data-capture-encrypted"]
