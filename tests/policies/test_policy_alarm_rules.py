"""Alarm and scaling semantics rules: each violating case has a compliant near miss beside it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import assert_outcome, build
from tests.policies.engine_shapes import UNKNOWN_STRING_VALUE, as_outputs

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
POLICY = "aws:appautoscaling/policy:Policy"
NATIVE_POLICY = "aws-native:applicationautoscaling:ScalingPolicy"
NATIVE_TARGET = "aws-native:applicationautoscaling:ScalableTarget"
TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts"
DIMENSIONS = {"EndpointName": "churn", "VariantName": "primary"}
SCALE_IN = (
    "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:0d1f2c3b-aaaa-bbbb-cccc-1234567890ab:"
    "resource/sagemaker/endpoint/churn/variant/primary:policyName/scale-in"
)
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def alarm(metric: str, namespace: str = "AWS/SageMaker", **changes: Any) -> dict[str, Any]:
    props = {
        "namespace": namespace,
        "metricName": metric,
        "dimensions": DIMENSIONS,
        "statistic": "Sum",
        "period": 60,
        "evaluationPeriods": 2,
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 5,
        "alarmActions": [TOPIC],
    }
    props.update(changes)
    return {k: v for k, v in props.items() if v is not None}


def metric_math(returned: dict[str, Any], *metrics: dict[str, Any], **changes: Any) -> dict[str, Any]:
    queries = [{"id": f"m{i}", "returnData": False, "metric": m} for i, m in enumerate(metrics)]
    props = {
        "metricQueries": [*queries, {"id": "out", "returnData": True, **returned}],
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 0.2,
        "evaluationPeriods": 1,
        "alarmActions": [TOPIC],
    }
    props.update(changes)
    return props


def drift(feature: str, stat: str = "Maximum") -> dict[str, Any]:
    return {
        "namespace": "aws/sagemaker/Endpoints/data-metrics",
        "metricName": f"feature_baseline_drift_{feature}",
        "dimensions": {"Endpoint": "churn", "MonitoringSchedule": "churn-dq"},
        "stat": stat,
        "period": 3600,
    }


QUALITY = "aws/sagemaker/Endpoints/model-metrics"
LATENCY = alarm("ModelLatency", statistic=None, extendedStatistic="p99", threshold=250_000)
GPU = alarm("GPUUtilization", "/aws/sagemaker/Endpoints", statistic="Average", threshold=90)


def tracking(**config: Any) -> dict[str, Any]:
    return {
        "policyType": "TargetTrackingScaling",
        "serviceNamespace": "sagemaker",
        "scalableDimension": DIMENSION,
        "resourceId": "endpoint/churn/variant/primary",
        "targetTrackingScalingPolicyConfiguration": {
            "targetValue": 200,
            "scaleInCooldown": 300,
            "scaleOutCooldown": 60,
            "predefinedMetricSpecification": {
                "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
            **config,
        },
    }


CASES = [
    # direction
    pytest.param(
        "alarm-fires-on-the-bad-side", ALARM, alarm("Invocation5XXErrors"), None, id="5xx-above-passes"
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("Invocation5XXErrors", comparisonOperator="LessThanThreshold"),
        "fires when AWS/SageMaker Invocation5XXErrors is low",
        id="5xx-below-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("Invocation4XXErrors", comparisonOperator="LessThanOrEqualToThreshold"),
        "use 'GreaterThanThreshold'",
        id="4xx-below-or-equal-fails",
    ),
    pytest.param("alarm-fires-on-the-bad-side", ALARM, GPU, None, id="gpu-above-passes"),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        {**GPU, "comparisonOperator": "LessThanThreshold"},
        "utilisation metrics are bad when high",
        id="gpu-below-fails",
    ),
    # scale-in triggers: a low-demand alarm whose only actions are Application Auto Scaling policies
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        {
            **GPU,
            "comparisonOperator": "LessThanOrEqualToThreshold",
            "threshold": 20,
            "alarmActions": [SCALE_IN],
        },
        None,
        id="gpu-below-running-a-scale-in-policy-passes",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm(
            "ApproximateBacklogSizePerInstance",
            statistic="Average",
            comparisonOperator="LessThanThreshold",
            threshold=1,
            alarmActions=[SCALE_IN],
        ),
        None,
        id="backlog-below-running-a-scale-in-policy-passes",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        {**GPU, "comparisonOperator": "LessThanThreshold", "alarmActions": [SCALE_IN, TOPIC]},
        "utilisation metrics are bad when high",
        id="gpu-below-notifying-a-topic-too-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("Invocation5XXErrors", comparisonOperator="LessThanThreshold", alarmActions=[SCALE_IN]),
        "errors metrics are bad when high",
        id="5xx-below-is-never-a-scale-in-trigger-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm(
            "accuracy", QUALITY, statistic="Average", comparisonOperator="LessThanThreshold", threshold=0.8
        ),
        None,
        id="accuracy-below-passes",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("accuracy", QUALITY, statistic="Average", threshold=0.8),
        "quality metrics are bad when low: use 'LessThanThreshold'",
        id="accuracy-above-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("rmse", QUALITY, statistic="Average", threshold=3),
        None,
        id="rmse-above-passes",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("rmse", QUALITY, statistic="Average", comparisonOperator="LessThanThreshold", threshold=3),
        "bad when high",
        id="rmse-below-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("weighted_f1", QUALITY, statistic="Minimum", threshold=0.7),
        "quality metrics are bad when low",
        id="multiclass-weighted-f1-above-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("au_prc", QUALITY, statistic="Minimum", comparisonOperator="LessThanThreshold", threshold=0.7),
        None,
        id="au-prc-below-passes",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("false_positive_rate", QUALITY, statistic="Maximum", comparisonOperator="LessThanThreshold"),
        "bad when high",
        id="false-positive-rate-below-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm("Invocations", statistic="Sum", comparisonOperator="LessThanThreshold", threshold=1),
        None,
        id="unknown-metric-is-not-judged",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        alarm(
            "HasBacklogWithoutCapacity",
            statistic="Average",
            comparisonOperator="LessThanThreshold",
            threshold=1,
        ),
        "backlog metrics are bad when high",
        id="backlog-below-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        metric_math({"expression": "MAX([m0, m1])"}, drift("a"), drift("b")),
        None,
        id="largest-drift-above-passes",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        metric_math(
            {"expression": "MAX([m0, m1])"}, drift("a"), drift("b"), comparisonOperator="LessThanThreshold"
        ),
        "drift metrics are bad when high",
        id="largest-drift-below-fails",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        metric_math(
            {"expression": "1 - m0"}, drift("a"), comparisonOperator="LessThanThreshold"
        ),  # the expression inverts it
        None,
        id="other-expressions-are-skipped",
    ),
    pytest.param(
        "alarm-fires-on-the-bad-side",
        ALARM,
        metric_math({"metric": drift("a")}, comparisonOperator="LessThanThreshold"),
        "drift metrics are bad when high",
        id="returned-plain-metric-is-judged",
    ),
    # statistic
    pytest.param(
        "alarm-statistic-fits-the-metric", ALARM, alarm("Invocation4XXErrors"), None, id="4xx-sum-passes"
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("Invocation4XXErrors", statistic="Average"),
        "statistic of AWS/SageMaker Invocation4XXErrors is 'Average'",
        id="4xx-average-fails",
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("Invocation5XXErrors", statistic="Maximum"),
        "use 'Sum'",
        id="5xx-maximum-fails",
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("Invocation5XXErrors", statistic=None, extendedStatistic="p99"),
        "extendedStatistic of AWS/SageMaker Invocation5XXErrors is 'p99'",
        id="5xx-percentile-fails",
    ),
    pytest.param("alarm-statistic-fits-the-metric", ALARM, LATENCY, None, id="latency-p99-passes"),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("ModelLatency", statistic=None, extendedStatistic="p99\n"),
        "judge latency by its 'Average' or a percentile",
        id="latency-percentile-with-a-line-break-fails",
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("ModelLatency", statistic=None, extendedStatistic="p\u0669\u0669"),
        "judge latency by its 'Average' or a percentile",
        id="latency-percentile-with-non-ascii-digits-fails",
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("OverheadLatency", statistic="Average"),
        None,
        id="latency-average-passes",
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        alarm("ModelLatency", statistic="Sum"),
        "judge latency by its 'Average' or a percentile",
        id="latency-sum-fails",
    ),
    pytest.param(
        "alarm-statistic-fits-the-metric",
        ALARM,
        metric_math(
            {"metric": {**drift("a"), "metricName": "Invocation5XXErrors", "namespace": "AWS/SageMaker"}}
        ),
        "metricQueries[0].metric.stat",
        id="math-returning-an-error-count-by-maximum-fails",
    ),
    # target tracking
    pytest.param("sagemaker-target-tracking-sound", POLICY, tracking(), None, id="in-slow-out-fast-passes"),
    pytest.param(
        "sagemaker-target-tracking-sound",
        POLICY,
        tracking(scaleInCooldown=60, scaleOutCooldown=300),
        "scaleInCooldown 60 is shorter than scaleOutCooldown 300",
        id="swapped-cooldowns-fail",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        POLICY,
        tracking(scaleInCooldown=120, scaleOutCooldown=120),
        None,
        id="equal-cooldowns-pass",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        POLICY,
        tracking(targetValue=0),
        "targetValue is 0",
        id="zero-target-fails",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        POLICY,
        {**tracking(targetValue=0), "serviceNamespace": "ecs"},
        None,
        id="other-services-are-not-judged",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        NATIVE_POLICY,
        tracking(scaleInCooldown=60, scaleOutCooldown=300),
        "scaleInCooldown 60 is shorter than scaleOutCooldown 300",
        id="aws-native-swapped-cooldowns-fail",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        NATIVE_POLICY,
        {
            key: value
            for key, value in tracking(scaleInCooldown=60, scaleOutCooldown=300).items()
            if key != "serviceNamespace"
        },
        "scaleInCooldown 60 is shorter than scaleOutCooldown 300",
        id="aws-native-without-namespace-judged-by-its-dimension",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        NATIVE_POLICY,
        {
            "policyType": "TargetTrackingScaling",
            "resourceId": "inference-component/churn-ic",
            "targetTrackingScalingPolicyConfiguration": {"targetValue": 0},
        },
        "targetValue is 0",
        id="aws-native-judged-by-its-inference-component-resource-id",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        NATIVE_POLICY,
        {
            "policyType": "TargetTrackingScaling",
            "scalingTargetId": "endpoint/churn/variant/primary|sagemaker:variant:DesiredInstanceCount|sagemaker",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 0,
                "scaleInCooldown": 60,
                "scaleOutCooldown": 300,
            },
        },
        "targetValue is 0",
        id="aws-native-judged-by-its-scaling-target-id",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        NATIVE_POLICY,
        {
            "policyType": "TargetTrackingScaling",
            "scalingTargetId": "service/default/web|ecs:service:DesiredCount|ecs",
            "targetTrackingScalingPolicyConfiguration": {"targetValue": 0},
        },
        None,
        id="aws-native-scaling-target-id-of-another-service-is-not-judged",
    ),
    pytest.param(
        "sagemaker-target-tracking-sound",
        NATIVE_POLICY,
        {
            "policyType": "TargetTrackingScaling",
            "serviceNamespace": "ecs",
            "scalableDimension": "ecs:service:DesiredCount",
            "resourceId": "service/default/web",
            "targetTrackingScalingPolicyConfiguration": {"targetValue": 0},
        },
        None,
        id="aws-native-other-services-are-not-judged",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


def cooldowns(**config: Any) -> dict[str, Any]:
    """:func:`tracking` with only the cooldowns given (None: left out)."""
    inputs = tracking()
    block = inputs["targetTrackingScalingPolicyConfiguration"]
    for key in ("scaleInCooldown", "scaleOutCooldown"):
        block.pop(key)
        if config.get(key) is not None:
            block[key] = config[key]
    if "disableScaleIn" in config:
        block["disableScaleIn"] = config["disableScaleIn"]
    if "scalableDimension" in config and config["scalableDimension"] is None:  # CloudFormation's form
        del inputs["scalableDimension"], inputs["resourceId"], inputs["serviceNamespace"]
        inputs["scalingTargetId"] = f"endpoint/churn/variant/primary|{DIMENSION}|sagemaker"
    elif "scalableDimension" in config:
        inputs["scalableDimension"] = config["scalableDimension"]
        if config["scalableDimension"] == COPIES:
            inputs["resourceId"] = "inference-component/churn-ic"
    return inputs


COPIES = "sagemaker:inference-component:DesiredCopyCount"


@pytest.mark.parametrize(
    ("resource_type", "config", "fragment"),
    [
        # pulumi-aws: the provider sends an unset cooldown of the configuration block as 0.
        pytest.param(
            POLICY,
            {"scaleOutCooldown": 300},
            "scaleInCooldown unset (0 s) is shorter than scaleOutCooldown 300: set both: scale in slowly",
            id="pulumi-aws-unset-scale-in-is-0",
        ),
        # After create the provider reports that unset cooldown as 0: no "swapped" guess for a 0.
        pytest.param(
            POLICY,
            {"scaleInCooldown": 0, "scaleOutCooldown": 300},
            "scaleInCooldown 0 is shorter than scaleOutCooldown 300: set both: scale in slowly",
            id="pulumi-aws-scale-in-0-after-create",
        ),
        pytest.param(
            POLICY,
            {"scaleInCooldown": 60, "scaleOutCooldown": 300},
            "scaleInCooldown 60 is shorter than scaleOutCooldown 300: scale in slowly and out fast (were they swapped?)",
            id="both-set-swapped",
        ),
        pytest.param(POLICY, {"scaleInCooldown": 60}, None, id="pulumi-aws-unset-scale-out-is-0"),
        pytest.param(POLICY, {}, None, id="pulumi-aws-both-unset-pass"),
        pytest.param(
            POLICY, {"scaleInCooldown": 120, "scaleOutCooldown": 0}, None, id="explicit-0-scale-out"
        ),
        pytest.param(
            POLICY,
            {"scaleInCooldown": "", "scaleOutCooldown": 60},
            "scaleInCooldown unset (0 s) is shorter than scaleOutCooldown 60",
            id="empty-scale-in-is-unset",
        ),
        # aws-native (CloudFormation) leaves an unset cooldown to AWS: 300 s for SageMaker.
        pytest.param(
            NATIVE_POLICY,
            {"scaleOutCooldown": 600},
            "scaleInCooldown unset (300 s) is shorter than scaleOutCooldown 600",
            id="aws-native-unset-scale-in-is-300",
        ),
        pytest.param(
            NATIVE_POLICY, {"scaleOutCooldown": 300}, None, id="aws-native-unset-scale-in-300-passes"
        ),
        pytest.param(
            NATIVE_POLICY,
            {"scaleInCooldown": 120},
            "scaleInCooldown 120 is shorter than scaleOutCooldown unset (300 s)",
            id="aws-native-unset-scale-out-is-300",
        ),
        pytest.param(NATIVE_POLICY, {}, None, id="aws-native-both-unset-pass"),
        # Scale-in disabled: the policy never scales in, its scale-in cooldown is never used.
        pytest.param(POLICY, {"scaleOutCooldown": 300, "disableScaleIn": True}, None, id="scale-in-disabled"),
        pytest.param(
            POLICY,
            {"scaleOutCooldown": 300, "disableScaleIn": False},
            "scaleInCooldown unset (0 s) is shorter than scaleOutCooldown 300: set both",
            id="scale-in-enabled",
        ),
        # Inference component copies: AWS documents no default, 0 or 300 s; failed only when both fail.
        pytest.param(
            NATIVE_POLICY,
            {"scaleOutCooldown": 600, "scalableDimension": COPIES},
            "scaleInCooldown unset (0 or 300 s) is shorter than scaleOutCooldown 600",
            id="aws-native-copies-unset-scale-in-fails-over-300",
        ),
        pytest.param(
            NATIVE_POLICY,
            {"scaleOutCooldown": 300, "scalableDimension": COPIES},
            None,
            id="aws-native-copies-unset-scale-in-may-be-300",
        ),
        pytest.param(
            NATIVE_POLICY,
            {"scaleInCooldown": 120, "scalableDimension": COPIES},
            None,
            id="aws-native-copies-unset-scale-out-may-be-0",
        ),
        pytest.param(
            NATIVE_POLICY,
            {"scaleInCooldown": 100, "scalableDimension": None},
            "scaleInCooldown 100 is shorter than scaleOutCooldown unset (300 s)",
            id="aws-native-variant-named-by-its-scaling-target-id",
        ),
        pytest.param(
            NATIVE_POLICY,
            {"scaleInCooldown": 100, "scalableDimension": "sagemaker:variant:DesiredProvisionedConcurrency"},
            "scaleInCooldown 100 is shorter than scaleOutCooldown unset (300 s)",
            id="aws-native-provisioned-concurrency-is-a-variants",
        ),
    ],
)
def test_unset_cooldowns_are_what_the_provider_sends(
    check_resource, outcome, resource_type, config, fragment
):
    """An unset cooldown is judged as the value AWS then uses: pulumi-aws sends 0 (its Terraform
    provider reads the block's unset integer as 0), CloudFormation sends none (AWS's 300 s)."""
    name = "sagemaker-target-tracking-sound"
    outcome(check_resource(name, resource_type, cooldowns(**config)), name, fragment)


# --- stack rules ----------------------------------------------------------------------------------


def rollback_stack(errors: dict[str, Any] | None = None, *, linked: bool = True) -> list[dict[str, Any]]:
    """An endpoint rolling back on a 5xx and a latency alarm (linked through their name Outputs), blue/
    green all at once with no timeout set (28,800 s): without an update policy the rule cannot time them."""
    return [
        {
            "type": ALARM,
            "name": "errors",
            "inputs": {"name": "churn-5xx", **(errors or alarm("Invocation5XXErrors"))},
        },
        {"type": ALARM, "name": "latency", "inputs": {"name": "churn-latency", **LATENCY}},
        {
            "type": ENDPOINT,
            "name": "endpoint",
            "deps": {"deploymentConfig": ["errors", "latency"] if linked else []},
            "inputs": {
                "name": "churn",
                "endpointConfigName": "churn-config",
                "deploymentConfig": {
                    "blueGreenUpdatePolicy": {
                        "trafficRoutingConfiguration": {"type": "ALL_AT_ONCE", "waitIntervalInSeconds": 300}
                    },
                    "autoRollbackConfiguration": {
                        "alarms": [{"alarmName": "churn-5xx"}, {"alarmName": "churn-latency"}]
                    },
                },
            },
        },
    ]


def native_step_stack(
    adjustment: float,
    target_id: str = "endpoint/churn/variant/primary|sagemaker:variant:DesiredInstanceCount|sagemaker",
) -> list[dict[str, Any]]:
    """:func:`step_stack` with an aws-native policy that names its target by ``scalingTargetId``
    alone (CloudFormation's way), so only the target says it scales a SageMaker variant."""
    stack = step_stack(adjustment)
    policy = stack[0]
    target = {
        "type": NATIVE_TARGET,
        "name": "variant-target",
        "inputs": {
            "serviceNamespace": "sagemaker",
            "scalableDimension": DIMENSION,
            "resourceId": "endpoint/churn/variant/primary",
            "minCapacity": 0,
            "maxCapacity": 2,
        },
    }
    inputs = {
        key: value
        for key, value in policy["inputs"].items()
        if key not in ("serviceNamespace", "scalableDimension", "resourceId")
    }
    native = {
        "type": NATIVE_POLICY,
        "name": policy["name"],
        "deps": {"scalingTargetId": ["variant-target"]},
        "inputs": {**inputs, "scalingTargetId": target_id},
    }
    return [target, native, *stack[1:]]


def step_stack(adjustment: float, operator: str = "GreaterThanOrEqualToThreshold") -> list[dict[str, Any]]:
    """An async endpoint's scale-from-zero: a backlog alarm running a step scaling policy."""
    return [
        {
            "type": POLICY,
            "name": "from-zero",
            "inputs": {
                "policyType": "StepScaling",
                "serviceNamespace": "sagemaker",
                "scalableDimension": DIMENSION,
                "resourceId": "endpoint/churn/variant/primary",
                "stepScalingPolicyConfiguration": {
                    "adjustmentType": "ChangeInCapacity",
                    "cooldown": 60,
                    "stepAdjustments": [{"metricIntervalLowerBound": "0", "scalingAdjustment": adjustment}],
                },
            },
        },
        {
            "type": ALARM,
            "name": "backlog",
            "deps": {"alarmActions": ["from-zero"]},
            "inputs": alarm(
                "HasBacklogWithoutCapacity",
                dimensions={"EndpointName": "churn"},
                statistic="Average",
                comparisonOperator=operator,
                threshold=1,
                alarmActions=["arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:from-zero"],
            ),
        },
    ]


#: The shipped notifications key's grant to CloudWatch (this account's alarms, this region's topics).
CLOUDWATCH_KEY_GRANT: dict[str, Any] = {
    "Sid": "CloudwatchPublishesToEncryptedTopics",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {
            "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*",
            "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:111122223333:*",
        },
    },
}
KEY_ADMIN: dict[str, Any] = {
    "Sid": "AccountAdministersKey",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def topic_key_stack(*grants: dict[str, Any], policy: bool = True) -> list[dict[str, Any]]:
    """A 5xx alarm notifying an SNS topic encrypted with a key of the stack whose policy is the
    account's administration and ``grants`` (``policy=False``: no policy set, KMS's default)."""
    key_inputs: dict[str, Any] = {"description": "notifications"}
    if policy:
        key_inputs["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [KEY_ADMIN, *grants]})
    return [
        {"type": "aws:kms/key:Key", "name": "notifications-key", "inputs": key_inputs},
        {
            "type": "aws:sns/topic:Topic",
            "name": "alerts",
            "deps": {"kmsMasterKeyId": ["notifications-key"]},
            "inputs": {
                "name": "alerts",
                "kmsMasterKeyId": "arn:aws:kms:eu-west-1:111122223333:key/0b6e4c1a-1111-2222-3333-444455556666",
            },
        },
        {
            "type": ALARM,
            "name": "errors",
            "deps": {"alarmActions": ["alerts"]},
            "inputs": {
                "name": "churn-5xx",
                **alarm("Invocation5XXErrors"),
                "alarmActions": ["arn:aws:sns:eu-west-1:111122223333:alerts"],
            },
        },
    ]


STACK_CASES = [
    pytest.param(
        "alarm-topic-key-usable",
        topic_key_stack(CLOUDWATCH_KEY_GRANT),
        None,
        id="key-lets-cloudwatch-in-passes",
    ),
    pytest.param(
        "alarm-topic-key-usable",
        topic_key_stack(),
        "whose key policy does not let cloudwatch.amazonaws.com use it",
        id="key-without-a-cloudwatch-grant-fails",
    ),
    pytest.param(
        "alarm-topic-key-usable",
        topic_key_stack(
            {
                **CLOUDWATCH_KEY_GRANT,
                "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:alarm:*"}},
            }
        ),
        "whose key policy does not let cloudwatch.amazonaws.com use it",
        id="source-arn-pattern-matching-only-across-fields-fails",
    ),
    pytest.param("rollback-alarms-can-fire", rollback_stack(), None, id="5xx-and-latency-above-pass"),
    pytest.param(
        "rollback-alarms-can-fire",
        rollback_stack(alarm("Invocation5XXErrors", comparisonOperator="LessThanThreshold")),
        "never fires when AWS/SageMaker Invocation5XXErrors rises",
        id="rollback-alarm-below-fails",
    ),
    pytest.param(
        "rollback-alarms-can-fire",
        rollback_stack(alarm("Invocation5XXErrors", comparisonOperator="LessThanThreshold"), linked=False),
        "never fires",
        id="found-by-literal-name-too",
    ),
    pytest.param(
        "rollback-alarms-can-fire",
        rollback_stack(
            alarm("accuracy", QUALITY, statistic="Average", comparisonOperator="LessThanThreshold")
        ),
        "not a failure that rises",
        id="rollback-on-a-score-fails",
    ),
    pytest.param(
        "rollback-alarms-can-fire",
        rollback_stack(metric_math({"expression": "m0 * 2"}, drift("a"))),
        "evaluates a metric-math expression",
        id="rollback-on-an-expression-fails",
    ),
    pytest.param(
        "rollback-alarms-can-fire",
        rollback_stack(
            alarm("Invocation5XXErrors", dimensions={"EndpointName": "other", "VariantName": "primary"})
        ),
        "watches endpoint 'other', not 'churn'",
        id="rollback-alarm-on-another-endpoint-fails",
    ),
    pytest.param("scale-out-steps-add-capacity", step_stack(1), None, id="backlog-step-adds-passes"),
    pytest.param(
        "scale-out-steps-add-capacity",
        step_stack(-1),
        "stepAdjustments add ['-1']",
        id="backlog-step-removes-fails",
    ),
    pytest.param(
        "scale-out-steps-add-capacity",
        step_stack(-1, operator="LessThanThreshold"),
        None,
        id="step-run-by-a-falling-alarm-is-not-a-scale-out",
    ),
    pytest.param(
        "scale-out-steps-add-capacity", native_step_stack(1), None, id="aws-native-backlog-step-adds-passes"
    ),
    pytest.param(
        "scale-out-steps-add-capacity",
        native_step_stack(-1),
        "stepAdjustments add ['-1']",
        id="aws-native-step-through-its-scaling-target-id-removes-fails",
    ),
]


def _shaped(specs: list[dict[str, Any]], shape: str) -> list[Any]:
    records = build(specs)
    return records if shape == "inputs" else as_outputs(records)


@pytest.mark.parametrize("shape", ["inputs", "outputs"])
@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule_in_both_engine_shapes(policy_name, specs, fragment, shape):
    report = evaluate_report(_shaped(specs, shape), None, [get_policy(policy_name)])
    assert_outcome(report.violations, policy_name, fragment)
    assert report.undecided == []


def test_extra_bad_when_high_metrics_allow_custom_rollback_alarms(check_stack, outcome):
    specs = rollback_stack(alarm("CheckoutFailures", "Shop", comparisonOperator="GreaterThanThreshold"))
    outcome(
        check_stack("rollback-alarms-can-fire", specs), "rollback-alarms-can-fire", "not a failure that rises"
    )
    config = {"rollback-alarms-can-fire": {"extraBadWhenHighMetrics": ["Shop:CheckoutFailures"]}}
    outcome(check_stack("rollback-alarms-can-fire", specs, config), "rollback-alarms-can-fire", None)


def test_a_rollback_alarm_whose_operator_is_unknown_is_undecided():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    specs = rollback_stack(alarm("Invocation5XXErrors", comparisonOperator=UNKNOWN_STRING_VALUE))
    report = evaluate_report(build(specs), None, [get_policy("rollback-alarms-can-fire")])
    assert report.violations == []
    assert report.stack_undecided == {"rollback-alarms-can-fire": 1}


NATIVE_ALARM = "aws-native:cloudwatch:Alarm"


def native(operator: str, stat: str = "Sum") -> dict[str, Any]:
    return {
        "alarmName": "churn-5xx",
        "comparisonOperator": operator,
        "threshold": 5,
        "evaluationPeriods": 2,
        "metrics": [
            {
                "id": "m0",
                "returnData": True,
                "metricStat": {
                    "metric": {"namespace": "AWS/SageMaker", "metricName": "Invocation5XXErrors"},
                    "period": 60,
                    "stat": stat,
                },
            }
        ],
    }


@pytest.mark.parametrize(
    ("policy_name", "inputs", "fragment"),
    [
        ("alarm-fires-on-the-bad-side", native("GreaterThanThreshold"), None),
        ("alarm-fires-on-the-bad-side", native("LessThanThreshold"), "errors metrics are bad when high"),
        (
            "alarm-statistic-fits-the-metric",
            native("GreaterThanThreshold", "Average"),
            "metrics[0].metricStat.stat",
        ),
    ],
    ids=["above-passes", "below-fails", "average-fails"],
)
def test_aws_native_alarms_are_judged_too(check_resource, outcome, policy_name, inputs, fragment):
    outcome(check_resource(policy_name, NATIVE_ALARM, inputs), policy_name, fragment)


@pytest.mark.parametrize(
    ("operator", "undecided", "violated"),
    [("LessThanThreshold", 1, False), ("GreaterThanThreshold", 0, False)],
    ids=["low-side-with-unknown-actions-is-undecided", "high-side-with-unknown-actions-is-decided"],
)
def test_a_demand_alarm_whose_actions_are_unknown_waits_for_them(operator, undecided, violated) -> None:
    """At preview a scaling policy's ARN is an unknown Output: only a low-side demand alarm needs it."""
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    inputs = {**GPU, "comparisonOperator": operator, "alarmActions": [UNKNOWN_STRING_VALUE]}
    specs = [{"type": ALARM, "name": "gpu", "inputs": inputs}]
    report = evaluate_report(build(specs), None, [get_policy("alarm-fires-on-the-bad-side")])
    assert len(report.undecided) == undecided
    assert bool(report.violations) is violated


# --- anomaly-detection alarms ---------------------------------------------------------------------


def anomaly(operator: str, stat: str = "Sum", band_id: str | None = "band") -> dict[str, Any]:
    """A 5xx alarm against an anomaly-detection band: CloudWatch returns the metric and the band, and
    compares the metric with the band named by ``thresholdMetricId``."""
    props = {
        "metricQueries": [
            {
                "id": "band",
                "returnData": True,
                "expression": "ANOMALY_DETECTION_BAND(errors, 2)",
                "label": "expected 5xx",
            },
            {
                "id": "errors",
                "returnData": True,
                "metric": {
                    "namespace": "AWS/SageMaker",
                    "metricName": "Invocation5XXErrors",
                    "dimensions": DIMENSIONS,
                    "period": 60,
                    "stat": stat,
                },
            },
        ],
        "comparisonOperator": operator,
        "thresholdMetricId": band_id,
        "evaluationPeriods": 2,
        "alarmActions": [TOPIC],
    }
    return {k: v for k, v in props.items() if v is not None}


def native_anomaly(operator: str) -> dict[str, Any]:
    """The aws-native shape of :func:`anomaly`."""
    return {
        "alarmName": "churn-5xx",
        "comparisonOperator": operator,
        "thresholdMetricId": "band",
        "evaluationPeriods": 2,
        "metrics": [
            {"id": "band", "returnData": True, "expression": "ANOMALY_DETECTION_BAND(m0, 2)"},
            {
                "id": "m0",
                "returnData": True,
                "metricStat": {
                    "metric": {"namespace": "AWS/SageMaker", "metricName": "Invocation5XXErrors"},
                    "period": 60,
                    "stat": "Sum",
                },
            },
        ],
    }


@pytest.mark.parametrize(
    ("policy_name", "resource_type", "inputs", "fragment"),
    [
        ("alarm-fires-on-the-bad-side", ALARM, anomaly("GreaterThanUpperThreshold"), None),
        ("alarm-fires-on-the-bad-side", ALARM, anomaly("LessThanLowerOrGreaterThanUpperThreshold"), None),
        (
            "alarm-fires-on-the-bad-side",
            ALARM,
            anomaly("LessThanLowerThreshold"),
            "fires when AWS/SageMaker Invocation5XXErrors is low",
        ),
        (
            "alarm-statistic-fits-the-metric",
            ALARM,
            anomaly("GreaterThanUpperThreshold", stat="Maximum"),
            "metricQueries[1].metric.stat of AWS/SageMaker Invocation5XXErrors is 'Maximum'",
        ),
        ("alarm-fires-on-the-bad-side", NATIVE_ALARM, native_anomaly("GreaterThanUpperThreshold"), None),
        (
            "alarm-fires-on-the-bad-side",
            NATIVE_ALARM,
            native_anomaly("LessThanLowerThreshold"),
            "errors metrics are bad when high",
        ),
    ],
    ids=[
        "upper-side-passes",
        "both-sides-pass",
        "lower-side-fails",
        "maximum-of-a-count-fails",
        "native-upper-side-passes",
        "native-lower-side-fails",
    ],
)
def test_an_anomaly_alarm_is_judged_on_the_metric_it_compares_with_its_band(
    check_resource, outcome, policy_name, resource_type, inputs, fragment
):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


@pytest.mark.parametrize("shape", ["inputs", "outputs"])
@pytest.mark.parametrize(
    ("errors", "fragment"),
    [
        (anomaly("GreaterThanUpperThreshold"), None),
        (anomaly("LessThanLowerOrGreaterThanUpperThreshold"), None),
        (anomaly("LessThanLowerThreshold"), "never fires when AWS/SageMaker Invocation5XXErrors rises"),
        # Without the band's id the alarm returns two series and compares neither: not judged as a plain metric.
        (anomaly("GreaterThanUpperThreshold", band_id=None), "evaluates a metric-math expression"),
        (anomaly("GreaterThanUpperThreshold", band_id="elsewhere"), "evaluates a metric-math expression"),
    ],
    ids=["upper-side", "both-sides", "lower-side", "no-band-id", "band-id-of-no-query"],
)
def test_a_rollback_alarm_on_an_anomaly_band_fires_when_failures_rise_above_it(errors, fragment, shape):
    report = evaluate_report(
        _shaped(rollback_stack(errors), shape), None, [get_policy("rollback-alarms-can-fire")]
    )
    assert_outcome(report.violations, "rollback-alarms-can-fire", fragment)
    assert report.undecided == []


def test_an_aws_native_policy_whose_scaling_target_id_is_unknown_is_undecided_until_known() -> None:
    """A CloudFormation-style policy names its target only by ``scalingTargetId``, unknown at a
    preview that creates the target: whether it scales SageMaker is undecided, not passed."""
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    inputs = {
        "policyType": "TargetTrackingScaling",
        "scalingTargetId": UNKNOWN_STRING_VALUE,
        "targetTrackingScalingPolicyConfiguration": {"targetValue": 0},
    }
    rule = [get_policy("sagemaker-target-tracking-sound")]
    report = evaluate_report(build([{"type": NATIVE_POLICY, "name": "p", "inputs": inputs}]), None, rule)
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == ["sagemaker-target-tracking-sound"]
    known = {
        **inputs,
        "scalingTargetId": "endpoint/churn/variant/primary|sagemaker:variant:DesiredInstanceCount|sagemaker",
    }
    report = evaluate_report(build([{"type": NATIVE_POLICY, "name": "p", "inputs": known}]), None, rule)
    assert [v.message.split(":")[0] for v in report.violations] == [
        "targetTrackingScalingPolicyConfiguration.targetValue is 0"
    ]


def test_an_aws_native_step_policy_whose_target_id_is_unknown_is_judged_by_its_target() -> None:
    """At a preview that creates the target, its id is unknown but the dependency is there."""
    rule = [get_policy("scale-out-steps-add-capacity")]
    report = evaluate_report(build(native_step_stack(-1, target_id=UNKNOWN_STRING_VALUE)), None, rule)
    assert report.undecided == []
    assert_outcome(report.violations, "scale-out-steps-add-capacity", "stepAdjustments add ['-1']")


def test_an_aws_native_policy_of_another_service_is_decided_by_its_target_at_preview() -> None:
    """An ECS target named by an unknown ``scalingTargetId``: the dependency says ECS, so neither
    rule waits for the id (nor judges the policy)."""
    target = {
        "type": NATIVE_TARGET,
        "name": "ecs-target",
        "inputs": {
            "serviceNamespace": "ecs",
            "scalableDimension": "ecs:service:DesiredCount",
            "resourceId": "service/default/web",
            "minCapacity": 1,
            "maxCapacity": 4,
        },
    }
    policies = [
        {
            "type": NATIVE_POLICY,
            "name": name,
            "deps": {"scalingTargetId": ["ecs-target"]},
            "inputs": {"policyType": kind, "scalingTargetId": UNKNOWN_STRING_VALUE, **config},
        }
        for name, kind, config in (
            (
                "steps",
                "StepScaling",
                {"stepScalingPolicyConfiguration": {"stepAdjustments": [{"scalingAdjustment": -1}]}},
            ),
            (
                "tracking",
                "TargetTrackingScaling",
                {"targetTrackingScalingPolicyConfiguration": {"targetValue": 0}},
            ),
        )
    ]
    report = evaluate_report(
        build([target, *policies]),
        None,
        [get_policy("scale-out-steps-add-capacity")],
    )
    assert report.violations == [] and report.undecided == []


@pytest.mark.parametrize(
    ("config", "decided"),
    [
        pytest.param({"scaleInCooldown": 300, "scaleOutCooldown": 60}, True, id="sound-cooldowns-decide"),
        pytest.param({"scaleInCooldown": 60, "scaleOutCooldown": 300}, False, id="swapped-wait-for-it"),
    ],
)
def test_disable_scale_in_unknown_at_preview_matters_only_to_swapped_cooldowns(config, decided):
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    inputs = cooldowns(**config)
    inputs["targetTrackingScalingPolicyConfiguration"]["disableScaleIn"] = UNKNOWN_STRING_VALUE
    report = evaluate_report(
        build([{"type": POLICY, "name": "p", "inputs": inputs}]),
        None,
        [get_policy("sagemaker-target-tracking-sound")],
    )
    assert report.violations == []
    assert (report.undecided == []) is decided
