"""Adversarial review, second round: resources shaped to slip past a rule while breaking its
control (evasions), and compliant resources in a shape a rule did not expect (false refusals).

Each case names what it proves; the compliant twin of each evasion passes, so a fix does not
over-reach.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"


def _gpu_variant(**extra: Any) -> dict[str, Any]:
    return {"variantName": "primary", "instanceType": "ml.g5.xlarge", "initialInstanceCount": 1, **extra}


# --- gpu-instance-quota: a variant's managed instance scaling ceiling is what it can run ---------


@pytest.mark.parametrize(
    ("resource_type", "scaling", "violated"),
    [
        pytest.param(
            ENDPOINT_CONFIG,
            {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 10},
            True,
            id="managed-scaling-to-ten-gpus-is-over-quota",
        ),
        pytest.param(
            NATIVE_ENDPOINT_CONFIG,
            {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 10},
            True,
            id="native-managed-scaling-to-ten-gpus-is-over-quota",
        ),
        pytest.param(
            ENDPOINT_CONFIG,
            {"status": "DISABLED", "minInstanceCount": 1, "maxInstanceCount": 10},
            False,
            id="disabled-managed-scaling-counts-the-initial-instance",
        ),
        pytest.param(
            ENDPOINT_CONFIG,
            {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 3},
            False,
            id="managed-scaling-within-quota-passes",
        ),
    ],
)
def test_gpu_quota_counts_managed_instance_scaling_ceiling(
    check_resource, resource_type, scaling, violated
) -> None:
    violations = check_resource(
        "gpu-instance-quota",
        resource_type,
        {"productionVariants": [_gpu_variant(managedInstanceScaling=scaling)]},
    )
    assert bool(violations) is violated, [v.message for v in violations]
    if violated:
        assert "x10" in violations[0].message


def test_gpu_quota_unknown_managed_ceiling_is_undecided(records) -> None:
    variant = _gpu_variant(
        managedInstanceScaling={"status": "ENABLED", "maxInstanceCount": UNKNOWN_STRING_VALUE}
    )
    specs = [{"type": ENDPOINT_CONFIG, "name": "subject", "inputs": {"productionVariants": [variant]}}]
    report = evaluate_report(records(specs), None, [get_policy("gpu-instance-quota")])
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == ["gpu-instance-quota"]


# --- cloudtrail-multi-region: a stopped trail records no region --------------------------------

TRAIL = "aws:cloudtrail/trail:Trail"
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
TRAIL_OK = {"s3BucketName": "audit", "isMultiRegionTrail": True, "enableLogFileValidation": True}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            TRAIL, {**TRAIL_OK, "enableLogging": False}, "enableLogging", id="stopped-trail-refused"
        ),
        pytest.param(
            NATIVE_TRAIL, {**TRAIL_OK, "isLogging": False}, "isLogging", id="stopped-native-trail-refused"
        ),
        pytest.param(TRAIL, TRAIL_OK, None, id="trail-logging-by-default-passes"),
        pytest.param(NATIVE_TRAIL, {**TRAIL_OK, "isLogging": True}, None, id="native-trail-logging-passes"),
    ],
)
def test_cloudtrail_multi_region_trail_must_be_logging(
    check_resource, outcome, resource_type, inputs, fragment
) -> None:
    outcome(
        check_resource("cloudtrail-multi-region", resource_type, inputs), "cloudtrail-multi-region", fragment
    )


# --- vpc-flow-logs-enabled: a flow log of accepted traffic only misses what EC2.6 asks for -----

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
NATIVE_FLOW_LOG = "aws-native:ec2:FlowLog"


def _flow_log_graph(resource_type: str, traffic: Any) -> list[dict[str, Any]]:
    prop = "resourceId" if resource_type == NATIVE_FLOW_LOG else "vpcId"
    inputs = {"trafficType": traffic, **({"resourceType": "VPC"} if resource_type == NATIVE_FLOW_LOG else {})}
    return [
        {"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
        {"type": resource_type, "name": "flow", "inputs": inputs, "deps": {prop: ["vpc"]}},
    ]


@pytest.mark.parametrize(
    ("resource_type", "traffic", "violated"),
    [
        pytest.param(FLOW_LOG, "ACCEPT", True, id="accept-only-flow-log-refused"),
        pytest.param(NATIVE_FLOW_LOG, "ACCEPT", True, id="native-accept-only-flow-log-refused"),
        pytest.param(FLOW_LOG, "REJECT", False, id="reject-flow-log-passes"),
        pytest.param(NATIVE_FLOW_LOG, "ALL", False, id="native-all-flow-log-passes"),
    ],
)
def test_flow_log_must_record_rejected_traffic(check_stack, resource_type, traffic, violated) -> None:
    violations = check_stack("vpc-flow-logs-enabled", _flow_log_graph(resource_type, traffic))
    assert bool(violations) is violated, [v.message for v in violations]


def test_flow_log_with_unknown_traffic_type_is_undecided(records) -> None:
    report = evaluate_report(
        records(_flow_log_graph(FLOW_LOG, UNKNOWN_STRING_VALUE)), None, [get_policy("vpc-flow-logs-enabled")]
    )
    assert report.violations == []
    assert report.stack_undecided == {"vpc-flow-logs-enabled": 1}


# --- k8s-resources-bounded: a zero limit bounds nothing; a positive limit alone schedules -------

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
POD = "kubernetes:core/v1:Pod"
BOUNDED = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}}


def _workload(resource_type: str, resources: dict[str, Any]) -> dict[str, Any]:
    spec = {"containers": [{"name": "server", "image": "model@sha256:abc", "resources": resources}]}
    if resource_type == POD:
        return {"metadata": {"namespace": "serving"}, "spec": spec}
    return {"metadata": {"namespace": "serving"}, "spec": {"template": {"spec": spec}}}


@pytest.mark.parametrize(
    ("resource_type", "resources", "fragment"),
    [
        pytest.param(
            DEPLOYMENT,
            {**BOUNDED, "limits": {"cpu": "0", "memory": "2Gi"}},
            "limits.cpu is '0'",
            id="zero-cpu-limit-refused",
        ),
        pytest.param(
            POD,
            {**BOUNDED, "limits": {"cpu": "1", "memory": "0Mi"}},
            "limits.memory",
            id="zero-memory-limit-refused",
        ),
        pytest.param(
            DEPLOYMENT,
            {**BOUNDED, "limits": {"cpu": 0, "memory": "2Gi"}},
            "limits.cpu",
            id="numeric-zero-limit-refused",
        ),
        pytest.param(
            DEPLOYMENT,
            {**BOUNDED, "limits": {"cpu": "0.000m", "memory": "2Gi"}},
            "limits.cpu",
            id="zero-millicpu-limit-refused",
        ),
        pytest.param(DEPLOYMENT, BOUNDED, None, id="positive-limits-pass"),
        pytest.param(
            DEPLOYMENT,
            {**BOUNDED, "limits": {"cpu": "0.5", "memory": "512Mi"}},
            None,
            id="fractional-limit-passes",
        ),
    ],
)
def test_zero_limit_is_no_limit(check_resource, outcome, resource_type, resources, fragment) -> None:
    violations = check_resource("k8s-resources-bounded", resource_type, _workload(resource_type, resources))
    outcome(violations, "k8s-resources-bounded", fragment)


@pytest.mark.parametrize(
    ("resources", "fragment"),
    [
        pytest.param(
            {"limits": {"cpu": "1", "memory": "2Gi"}}, None, id="limits-only-pass-requests-default-to-them"
        ),
        pytest.param(
            {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}}, "limits.memory", id="memory-unbounded"
        ),
        pytest.param({"requests": {"cpu": "1", "memory": "1Gi"}}, "limits.cpu", id="requests-only-refused"),
        pytest.param(
            {"limits": {"cpu": "0", "memory": "2Gi"}}, "requests.cpu", id="zero-limit-does-not-stand-in"
        ),
    ],
)
def test_limit_stands_in_for_an_unset_request(check_resource, outcome, resources, fragment) -> None:
    violations = check_resource("k8s-resources-bounded", DEPLOYMENT, _workload(DEPLOYMENT, resources))
    outcome(violations, "k8s-resources-bounded", fragment)


# --- stack-cost-budget: a notification that never fires on an overrun pages no one -------------

TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"
BUCKET = {"type": "aws:s3/bucket:Bucket", "name": "data", "inputs": {"bucket": "data"}}


def _budget(operator: Any) -> dict[str, Any]:
    notification = {
        "notificationType": "ACTUAL",
        "comparisonOperator": operator,
        "threshold": 100.0,
        "thresholdType": "PERCENTAGE",
        "subscriberSnsTopicArns": [TOPIC_ARN],
    }
    inputs = {
        "budgetType": "COST",
        "timeUnit": "MONTHLY",
        "limitAmount": "100",
        "notifications": [notification],
    }
    return {"type": "aws:budgets/budget:Budget", "name": "budget", "inputs": inputs}


def _native_budget(operator: Any) -> dict[str, Any]:
    entry = {
        "notification": {"notificationType": "FORECASTED", "comparisonOperator": operator, "threshold": 100},
        "subscribers": [{"subscriptionType": "SNS", "address": TOPIC_ARN}],
    }
    inputs = {
        "budget": {"budgetType": "COST", "timeUnit": "MONTHLY"},
        "notificationsWithSubscribers": [entry],
    }
    return {"type": "aws-native:budgets:Budget", "name": "budget", "inputs": inputs}


@pytest.mark.parametrize(
    ("budget", "fragment"),
    [
        pytest.param(_budget("LESS_THAN"), "GREATER_THAN", id="less-than-notification-refused"),
        pytest.param(_budget("EQUAL_TO"), "GREATER_THAN", id="equal-to-notification-refused"),
        pytest.param(_native_budget("LESS_THAN"), "GREATER_THAN", id="native-less-than-notification-refused"),
        pytest.param(_budget("GREATER_THAN"), None, id="greater-than-notification-passes"),
        pytest.param(_native_budget("GREATER_THAN"), None, id="native-greater-than-notification-passes"),
    ],
)
def test_budget_notification_fires_on_overspend(check_stack, outcome, budget, fragment) -> None:
    outcome(check_stack("stack-cost-budget", [BUCKET, budget]), "stack-cost-budget", fragment)


def test_budget_with_unknown_comparison_is_undecided(records) -> None:
    report = evaluate_report(
        records([BUCKET, _budget(UNKNOWN_STRING_VALUE)]), None, [get_policy("stack-cost-budget")]
    )
    assert report.violations == []
    assert report.stack_undecided == {"stack-cost-budget": 1}


# --- athena-workgroup-encrypted-enforced: aws-native's configuration updates must not undo it ---

NATIVE_WORKGROUP = "aws-native:athena:WorkGroup"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
NATIVE_WORKGROUP_OK = {
    "name": "analytics",
    "workGroupConfiguration": {
        "enforceWorkGroupConfiguration": True,
        "resultConfiguration": {
            "outputLocation": "s3://results/",
            "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY},
        },
    },
}


@pytest.mark.parametrize(
    ("updates", "fragment"),
    [
        pytest.param(
            {"enforceWorkGroupConfiguration": False}, "enforceWorkGroupConfiguration", id="update-unenforces"
        ),
        pytest.param(
            {"resultConfigurationUpdates": {"removeEncryptionConfiguration": True}},
            "removeEncryptionConfiguration",
            id="update-removes-encryption",
        ),
        pytest.param(
            {"resultConfigurationUpdates": {"encryptionConfiguration": {"encryptionOption": "SSE_S3"}}},
            "SSE_S3",
            id="update-weakens-encryption",
        ),
        pytest.param(
            {
                "enforceWorkGroupConfiguration": True,
                "resultConfigurationUpdates": {"removeOutputLocation": False},
            },
            None,
            id="harmless-update-passes",
        ),
        pytest.param(None, None, id="no-update-passes"),
    ],
)
def test_native_workgroup_updates_cannot_undo_enforcement(check_resource, outcome, updates, fragment) -> None:
    inputs = {**NATIVE_WORKGROUP_OK, **({"workGroupConfigurationUpdates": updates} if updates else {})}
    violations = check_resource("athena-workgroup-encrypted-enforced", NATIVE_WORKGROUP, inputs)
    outcome(violations, "athena-workgroup-encrypted-enforced", fragment)


# --- k8s-gpu-pods-well-formed: a keyless Exists toleration tolerates the GPU taint too -----------


def _gpu_pod(tolerations: list[dict[str, Any]]) -> dict[str, Any]:
    container = {
        "name": "server",
        "image": "model@sha256:abc",
        "resources": {"limits": {"nvidia.com/gpu": 1}},
    }
    return {
        "metadata": {"namespace": "serving"},
        "spec": {"containers": [container], "tolerations": tolerations},
    }


@pytest.mark.parametrize(
    ("tolerations", "fragment"),
    [
        pytest.param([{"operator": "Exists"}], None, id="tolerate-everything-passes"),
        pytest.param(
            [{"key": "", "operator": "Exists", "effect": "NoSchedule"}], None, id="empty-key-exists-passes"
        ),
        pytest.param([{"key": "nvidia.com/gpu", "operator": "Exists"}], None, id="gpu-key-passes"),
        pytest.param([{"operator": "Equal", "value": "x"}], "tolerations", id="keyless-equal-refused"),
        pytest.param([{"key": "spot", "operator": "Exists"}], "tolerations", id="other-key-refused"),
    ],
)
def test_gpu_pod_keyless_exists_toleration(check_resource, outcome, tolerations, fragment) -> None:
    violations = check_resource("k8s-gpu-pods-well-formed", POD, _gpu_pod(tolerations))
    outcome(violations, "k8s-gpu-pods-well-formed", fragment)


# --- alarm rules: an expression that only names a metric query is that metric ------------------

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _identity_alarm(operator: str, stat: str, expression: str = "m1") -> dict[str, Any]:
    metric = {
        "namespace": "AWS/SageMaker",
        "metricName": "Invocation5XXErrors",
        "stat": stat,
        "period": 60,
        "dimensions": {"EndpointName": "churn", "VariantName": "primary"},
    }
    return {
        "comparisonOperator": operator,
        "evaluationPeriods": 1,
        "threshold": 1,
        "alarmActions": ["arn:aws:sns:eu-west-1:111122223333:alerts"],
        "metricQueries": [
            {"id": "m1", "metric": metric, "returnData": False},
            {"id": "e1", "expression": expression, "returnData": True},
        ],
    }


@pytest.mark.parametrize(
    ("policy", "inputs", "fragment"),
    [
        pytest.param(
            "alarm-fires-on-the-bad-side",
            _identity_alarm("LessThanThreshold", "Sum"),
            "LessThanThreshold",
            id="identity-expression-low-side-refused",
        ),
        pytest.param(
            "alarm-fires-on-the-bad-side",
            _identity_alarm("LessThanThreshold", "Sum", " ( m1 ) "),
            "LessThanThreshold",
            id="parenthesised-identity-low-side-refused",
        ),
        pytest.param(
            "alarm-statistic-fits-the-metric",
            _identity_alarm("GreaterThanThreshold", "Average"),
            "Sum",
            id="identity-expression-average-of-errors-refused",
        ),
        pytest.param(
            "alarm-fires-on-the-bad-side",
            _identity_alarm("GreaterThanThreshold", "Sum"),
            None,
            id="identity-expression-high-side-passes",
        ),
        pytest.param(
            "alarm-fires-on-the-bad-side",
            _identity_alarm("LessThanThreshold", "Sum", "-m1"),
            None,
            id="negated-metric-not-judged",
        ),
    ],
)
def test_identity_expression_is_the_metric(check_resource, outcome, policy, inputs, fragment) -> None:
    outcome(check_resource(policy, METRIC_ALARM, inputs), policy, fragment)
