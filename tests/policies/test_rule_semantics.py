"""Rule semantics the other policy tests left unpinned: each case sits just inside or just outside a
rule's condition, and says which enforcement level the violation carries.

Written from a mutation audit of the alarm, cost, CloudTrail, Athena, governance, compute, prod-stack
and IAM rules: each case below fails under a mutant that passed every earlier test (an alarm that fires in the wrong direction,
a statistic that hides bursts, a resource type silently dropped from a rule's scope, a default level
flipped). The expected values are written out here on purpose, not imported from the rules, so a rule
that loses a metric, a type or a level fails here. Every metric, type and level in a table is one the
rule's description, ``policies/README.md`` or the pack's control table (POLICY-CONTROLS.md) names.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

from policies.local import evaluate_report, resolve_config
from policies.registry import get_policy, load_pack_config
from tests.policies.conftest import build, run_policy
from tests.policies.engine_shapes import as_outputs
from tests.policies.test_policy_alarm_rules import alarm

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts"
QUALITY = "aws/sagemaker/Endpoints/model-metrics"
TAGS = {"owner": "ml-platform", "cost-center": "cc-42", "environment": "prod"}
MANDATORY, ADVISORY = "mandatory", "advisory"


def one(policy: str, resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None):
    return run_policy(policy, [{"type": resource_type, "name": "subject", "inputs": inputs}], config)


def levels(violations: list[Any], policy: str) -> list[str]:
    assert {v.policy_name for v in violations} <= {policy}
    return [v.enforcement_level for v in violations]


# --- default and production enforcement levels ---------------------------------------------------

#: The level each rule runs at with no --policy-pack-config (policies/README.md: prod MLOps rules and
#: the cost budget default to advisory, the rest are mandatory; iam-no-service-wildcard is advisory).
DEFAULT_LEVELS = {
    "alarm-fires-on-the-bad-side": MANDATORY,
    "alarm-statistic-fits-the-metric": MANDATORY,
    "rollback-alarms-can-fire": MANDATORY,
    "sagemaker-target-tracking-sound": MANDATORY,
    "scale-out-steps-add-capacity": MANDATORY,
    "stack-cost-budget": ADVISORY,
    "cloudtrail-log-file-validation": MANDATORY,
    "cloudtrail-kms-encrypted": MANDATORY,
    "cloudtrail-multi-region": MANDATORY,
    "athena-workgroup-encrypted-enforced": MANDATORY,
    "required-cost-allocation-tags": MANDATORY,
    "model-package-group-manual-approval": MANDATORY,
    "pipeline-starts-keep-manual-approval": MANDATORY,
    "stateful-resources-protected": MANDATORY,
    "instance-type-allowlist": MANDATORY,
    "gpu-instance-quota": MANDATORY,
    "endpoint-data-capture-encrypted": ADVISORY,
    "endpoint-monitoring-schedule": ADVISORY,
    "endpoint-autoscaling-configured": ADVISORY,
    "endpoint-safe-rollout": ADVISORY,
    "iam-no-admin-access": MANDATORY,
    "iam-no-privilege-escalation": MANDATORY,
    "iam-no-service-wildcard": ADVISORY,
    "iam-no-unscoped-sensitive-actions": MANDATORY,
    "iam-pass-role-scoped": MANDATORY,
}


@pytest.mark.parametrize(("policy", "level"), DEFAULT_LEVELS.items(), ids=list(DEFAULT_LEVELS))
def test_default_enforcement_level(policy: str, level: str) -> None:
    assert get_policy(policy).enforcement_level == EnforcementLevel(level)
    resolved, _ = resolve_config(None, [get_policy(policy)])[policy]
    assert resolved == EnforcementLevel(level)


@pytest.mark.parametrize("policy", list(DEFAULT_LEVELS))
def test_every_audited_rule_is_mandatory_in_prod(policy: str) -> None:
    expected = ADVISORY if policy == "iam-no-service-wildcard" else MANDATORY
    resolved, _ = resolve_config(load_pack_config("prod"), [get_policy(policy)])[policy]
    assert resolved == EnforcementLevel(expected)


# --- alarm direction: every known metric, both sides ------------------------------------------------

BAD_WHEN_HIGH = [
    ("AWS/SageMaker", "Invocation5XXErrors"),
    ("AWS/SageMaker", "Invocation4XXErrors"),
    ("AWS/SageMaker", "InvocationModelErrors"),
    ("AWS/SageMaker", "ModelLatency"),
    ("AWS/SageMaker", "OverheadLatency"),
    ("AWS/SageMaker", "HasBacklogWithoutCapacity"),
    ("AWS/SageMaker", "ApproximateBacklogSize"),
    ("AWS/SageMaker", "ApproximateBacklogSizePerInstance"),
    *(
        ("/aws/sagemaker/Endpoints", name)
        for name in (
            "GPUUtilization",
            "GPUMemoryUtilization",
            "DiskUtilization",
            "MemoryUtilization",
            "CPUUtilization",
        )
    ),
    ("aws/sagemaker/Endpoints/data-metrics", "feature_baseline_drift_age"),
    *((QUALITY, name) for name in ("mae", "mse", "rmse", "false_positive_rate", "false_negative_rate")),
]
BAD_WHEN_LOW = [
    (QUALITY, name)
    for name in (
        "accuracy",
        "auc",
        "f0_5",
        "f1",
        "f2",
        "precision",
        "recall",
        "r2",
        "au_prc",
        "balanced_accuracy",
        "true_positive_rate",
        "true_negative_rate",
        "weighted_precision",
        "weighted_recall",
        "weighted_f0_5",
        "weighted_f1",
        "weighted_f2",
    )
]
STATISTIC = {"ModelLatency": "Average", "OverheadLatency": "Average"}


def _directed(namespace: str, name: str, operator: str) -> dict[str, Any]:
    return alarm(name, namespace, statistic=STATISTIC.get(name, "Sum"), comparisonOperator=operator)


@pytest.mark.parametrize(("namespace", "name"), BAD_WHEN_HIGH, ids=[n for _, n in BAD_WHEN_HIGH])
def test_bad_when_high_metric_must_fire_above(namespace: str, name: str) -> None:
    rule = "alarm-fires-on-the-bad-side"
    assert one(rule, ALARM, _directed(namespace, name, "GreaterThanOrEqualToThreshold")) == []
    for operator in ("LessThanThreshold", "LessThanOrEqualToThreshold"):
        found = one(rule, ALARM, _directed(namespace, name, operator))
        assert levels(found, rule) == [MANDATORY], (name, operator)
        assert f"{name} is low" in found[0].message


@pytest.mark.parametrize(("namespace", "name"), BAD_WHEN_LOW, ids=[n for _, n in BAD_WHEN_LOW])
def test_bad_when_low_metric_must_fire_below(namespace: str, name: str) -> None:
    rule = "alarm-fires-on-the-bad-side"
    assert one(rule, ALARM, _directed(namespace, name, "LessThanOrEqualToThreshold")) == []
    for operator in ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold"):
        found = one(rule, ALARM, _directed(namespace, name, operator))
        assert levels(found, rule) == [MANDATORY], (name, operator)
        assert "bad when low" in found[0].message


# --- alarm statistic ---------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["ModelLatency", "OverheadLatency"])
@pytest.mark.parametrize(
    ("changes", "fits"),
    [
        ({"statistic": "Average"}, True),
        ({"statistic": None, "extendedStatistic": "p99"}, True),
        ({"statistic": None, "extendedStatistic": "p99.9"}, True),
        ({"statistic": None, "extendedStatistic": "p5"}, True),
        ({"statistic": "Maximum"}, False),
        ({"statistic": "Minimum"}, False),
        ({"statistic": "Sum"}, False),
        ({"statistic": "SampleCount"}, False),
        ({"statistic": None, "extendedStatistic": "p999"}, False),
        ({"statistic": None, "extendedStatistic": "tm99"}, False),
    ],
    ids=lambda value: str(value),
)
def test_latency_is_judged_by_its_average_or_a_percentile(metric: str, changes: dict, fits: bool) -> None:
    rule = "alarm-statistic-fits-the-metric"
    found = one(rule, ALARM, alarm(metric, **changes))
    assert levels(found, rule) == ([] if fits else [MANDATORY])


@pytest.mark.parametrize("metric", ["Invocation5XXErrors", "Invocation4XXErrors", "InvocationModelErrors"])
@pytest.mark.parametrize("statistic", ["Average", "Maximum", "Minimum", "SampleCount"])
def test_error_counts_are_judged_by_their_sum(metric: str, statistic: str) -> None:
    rule = "alarm-statistic-fits-the-metric"
    assert one(rule, ALARM, alarm(metric)) == []
    assert levels(one(rule, ALARM, alarm(metric, statistic=statistic)), rule) == [MANDATORY]


# --- step scaling -------------------------------------------------------------------------------


def step_stack(
    steps: list[dict[str, Any]], metric: str = "HasBacklogWithoutCapacity", namespace: str = "AWS/SageMaker"
) -> list[dict[str, Any]]:
    return [
        {
            "type": SCALING_POLICY,
            "name": "step",
            "inputs": {
                "policyType": "StepScaling",
                "serviceNamespace": "sagemaker",
                "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "resourceId": "endpoint/churn/variant/primary",
                "stepScalingPolicyConfiguration": {
                    "adjustmentType": "ChangeInCapacity",
                    "cooldown": 60,
                    "stepAdjustments": steps,
                },
            },
        },
        {
            "type": ALARM,
            "name": "trigger",
            "deps": {"alarmActions": ["step"]},
            "inputs": alarm(
                metric,
                namespace,
                statistic="Average",
                comparisonOperator="GreaterThanOrEqualToThreshold",
                threshold=1,
                alarmActions=["arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:step"],
            ),
        },
    ]


def _step(adjustment: float) -> dict[str, Any]:
    return {"metricIntervalLowerBound": "0", "scalingAdjustment": adjustment}


@pytest.mark.parametrize("shape", ["inputs", "outputs"])
@pytest.mark.parametrize(
    ("steps", "fails"),
    [
        ([_step(1)], False),
        ([_step(1), {"metricIntervalLowerBound": "5", "scalingAdjustment": 2}], False),
        ([_step(0)], True),  # adds nothing: scalingAdjustment must be positive
        ([_step(1), {"metricIntervalLowerBound": "5", "scalingAdjustment": 0}], True),
        ([], True),  # no steps: a rising backlog adds nothing
    ],
    ids=["one-positive", "two-positive", "zero", "positive-and-zero", "no-steps"],
)
def test_scale_out_steps_must_each_add_capacity(steps: list[dict[str, Any]], fails: bool, shape: str) -> None:
    rule = "scale-out-steps-add-capacity"
    records = build(step_stack(steps))
    report = evaluate_report(records if shape == "inputs" else as_outputs(records), None, [get_policy(rule)])
    assert levels(report.violations, rule) == ([MANDATORY] if fails else [])


def test_a_score_metric_rising_is_no_demand_so_its_steps_may_shrink() -> None:
    """accuracy above its threshold is not rising demand or failure: the policy it runs is free."""
    rule = "scale-out-steps-add-capacity"
    assert run_policy(rule, step_stack([_step(-1)], "accuracy", QUALITY)) == []
    assert levels(run_policy(rule, step_stack([_step(-1)])), rule) == [MANDATORY]


# --- cost budget -------------------------------------------------------------------------------


def test_a_stack_of_aws_native_resources_needs_a_budget_too() -> None:
    rule = "stack-cost-budget"
    native = [{"type": "aws-native:s3:Bucket", "name": "data", "inputs": {}}]
    found = run_policy(rule, native)
    assert levels(found, rule) == [ADVISORY]
    assert "no cost budget" in found[0].message
    assert levels(run_policy(rule, native, load_pack_config("prod")), rule) == [MANDATORY]


@pytest.mark.parametrize(
    ("address", "fails"), [("arn:aws:sns:eu-west-1:111122223333:alerts", False), ("", True)]
)
def test_a_native_budget_subscriber_needs_an_address(address: str, fails: bool) -> None:
    rule = "stack-cost-budget"
    budget = {
        "type": "aws-native:budgets:Budget",
        "name": "budget",
        "inputs": {
            "budget": {
                "budgetType": "COST",
                "timeUnit": "MONTHLY",
                "budgetLimit": {"amount": 10, "unit": "USD"},
            },
            "notificationsWithSubscribers": [
                {
                    "notification": {
                        "notificationType": "ACTUAL",
                        "comparisonOperator": "GREATER_THAN",
                        "threshold": 80,
                    },
                    "subscribers": [{"subscriptionType": "SNS", "address": address}],
                }
            ],
        },
    }
    found = run_policy(rule, [{"type": "aws:s3/bucket:Bucket", "name": "b", "inputs": {}}, budget])
    assert levels(found, rule) == ([ADVISORY] if fails else [])


# --- cost-allocation tags: the documented scope -------------------------------------------------

TAGGABLE = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/natGateway:NatGateway",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudtrail/trail:Trail",
    "aws:sns/topic:Topic",
    "aws:eks/cluster:Cluster",
    "aws:sagemaker/notebookInstance:NotebookInstance",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "aws:sagemaker/endpoint:Endpoint",
    "aws:sagemaker/model:Model",
    "aws:sagemaker/trainingJob:TrainingJob",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/domain:Domain",
    "aws:sagemaker/pipeline:Pipeline",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:sagemaker/appImageConfig:AppImageConfig",
    "aws:sagemaker/image:Image",
    "aws-native:sagemaker:Endpoint",
    "aws-native:sagemaker:EndpointConfig",
    "aws-native:sagemaker:Model",
    "aws-native:sagemaker:AppImageConfig",
    "aws-native:sagemaker:Image",
    "aws-native:sagemaker:InferenceComponent",
]


@pytest.mark.parametrize("resource_type", TAGGABLE)
def test_taggable_type_needs_the_cost_allocation_tags(resource_type: str) -> None:
    rule = "required-cost-allocation-tags"
    tags: Any = (
        [{"key": k, "value": v} for k, v in TAGS.items()] if resource_type.startswith("aws-native:") else TAGS
    )
    assert one(rule, resource_type, {"tags": tags}) == []
    assert levels(one(rule, resource_type, {}), rule) == [MANDATORY]


def test_tags_from_tags_all_count() -> None:
    """After apply the engine reports provider default tags in tagsAll: they are the resource's tags."""
    rule = "required-cost-allocation-tags"
    assert one(rule, "aws:sagemaker/model:Model", {"tagsAll": TAGS}) == []
    assert levels(one(rule, "aws:sagemaker/model:Model", {"tagsAll": {"owner": "x"}}), rule) == [MANDATORY]


# --- protection: the documented stateful types -------------------------------------------------

PROTECTED = [
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:cloudtrail/trail:Trail",
    "aws:kms/replicaKey:ReplicaKey",
    "aws-native:kms:Key",
    "aws-native:kms:ReplicaKey",
    "aws-native:s3:Bucket",
    "aws-native:sagemaker:FeatureGroup",
    "aws-native:sagemaker:ModelPackageGroup",
    "aws-native:cloudtrail:Trail",
]


@pytest.mark.parametrize("resource_type", PROTECTED)
def test_stateful_type_must_be_protected(resource_type: str) -> None:
    rule = "stateful-resources-protected"
    assert run_policy(rule, [{"type": resource_type, "name": "r", "protect": True}]) == []
    found = run_policy(rule, [{"type": resource_type, "name": "r"}])
    assert levels(found, rule) == [MANDATORY]
    off = {rule: {"requireProtection": False}}
    assert run_policy(rule, [{"type": resource_type, "name": "r"}], off) == []


# --- manual approval -----------------------------------------------------------------------------


def _pipeline(status: Any, default: str | None = None) -> dict[str, Any]:
    parameters = (
        [{"Name": "Status", "Type": "String", **({"DefaultValue": default} if default else {})}]
        if isinstance(status, dict)
        else []
    )
    steps = [
        {
            "Name": "Register",
            "Type": "RegisterModel",
            "Arguments": {"ModelPackageGroupName": "churn", "ModelApprovalStatus": status},
        }
    ]
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/pipeline",
        "pipelineDefinition": json.dumps({"Version": "2020-12-01", "Parameters": parameters, "Steps": steps}),
    }


@pytest.mark.parametrize(
    ("status", "default", "fails"),
    [
        ("PendingManualApproval", None, False),
        ("Approved", None, True),
        ({"Get": "Parameters.Status"}, "PendingManualApproval", False),
        ({"Get": "Parameters.Status"}, "Approved", True),
        ({"Get": "Parameters.Status"}, "Rejected", True),
        ({"Get": "Parameters.Status"}, None, True),
    ],
)
def test_registration_waits_for_manual_approval(status: Any, default: str | None, fails: bool) -> None:
    rule = "model-package-group-manual-approval"
    pipeline = _pipeline(status, default)
    assert levels(one(rule, "aws:sagemaker/pipeline:Pipeline", pipeline), rule) == (
        [MANDATORY] if fails else []
    )
    off = {rule: {"requireManualApproval": False}}
    assert one(rule, "aws:sagemaker/pipeline:Pipeline", pipeline, off) == []


# --- compute -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "fails"), [(4, False), (5, True)])
def test_gpu_quota_counts_a_monitoring_job_definitions_instances(count: int, fails: bool) -> None:
    rule = "gpu-instance-quota"
    job = {
        "type": "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
        "name": "dq",
        "inputs": {
            "jobResources": {
                "clusterConfig": {
                    "instanceType": "ml.g5.xlarge",
                    "instanceCount": count,
                    "volumeSizeInGb": 20,
                }
            }
        },
    }
    assert levels(run_policy(rule, [job], {rule: {"maxGpuInstances": 4}}), rule) == (
        [MANDATORY] if fails else []
    )


def test_allowlist_refuses_run_time_instance_type_expressions() -> None:
    """An instance type computed when the pipeline runs could be any type: refused, not left alone."""
    rule = "instance-type-allowlist"

    def pipeline(instance_type: Any) -> dict[str, Any]:
        step = {
            "Name": "Prepare",
            "Type": "Processing",
            "Arguments": {
                "ProcessingResources": {"ClusterConfig": {"InstanceType": instance_type, "InstanceCount": 1}}
            },
        }
        return {
            "pipelineName": "p",
            "pipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": [step]}),
        }

    joined = {"Std:Join": {"On": "", "Values": ["ml.", {"Get": "Execution.PipelineExecutionId"}]}}
    found = one(rule, "aws:sagemaker/pipeline:Pipeline", pipeline(joined))
    assert levels(found, rule) == [MANDATORY]
    assert "evaluated only when the pipeline runs" in found[0].message
    found = one(rule, "aws:sagemaker/pipeline:Pipeline", pipeline("ml.p4d.24xlarge"))
    assert levels(found, rule) == [MANDATORY]


# --- IAM ---------------------------------------------------------------------------------------

IAM_POLICY = "aws:iam/policy:Policy"


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


#: CKV_AWS_286 / cloudsplaining's privilege-escalation actions: none may be granted on Resource '*'.
ESCALATION_ACTIONS = [
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
    "ssm:SendCommand",
    "ssm:StartSession",
    "ec2-instance-connect:SendSSHPublicKey",
]


@pytest.mark.parametrize("action", ESCALATION_ACTIONS)
def test_escalation_action_on_every_resource_is_refused(action: str) -> None:
    rule = "iam-no-privilege-escalation"
    scoped = _document({"Effect": "Allow", "Action": action, "Resource": "arn:aws:iam::111122223333:role/x"})
    assert one(rule, IAM_POLICY, scoped) == []
    found = one(rule, IAM_POLICY, _document({"Effect": "Allow", "Action": action, "Resource": "*"}))
    assert levels(found, rule) == [MANDATORY]
    assert action in found[0].message


def test_deny_with_not_action_is_a_guardrail_not_an_admin_grant() -> None:
    rule = "iam-no-admin-access"
    deny = _document({"Effect": "Deny", "NotAction": ["s3:GetObject"], "Resource": "*"})
    assert one(rule, IAM_POLICY, deny) == []
    allow = _document({"Effect": "Allow", "NotAction": ["s3:GetObject"], "Resource": "*"})
    assert levels(one(rule, IAM_POLICY, allow), rule) == [MANDATORY]


def test_a_resource_account_condition_scopes_a_sensitive_action() -> None:
    rule = "iam-no-unscoped-sensitive-actions"
    statement = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
    condition = {"StringEquals": {"aws:ResourceAccount": "111122223333"}}
    assert one(rule, IAM_POLICY, _document({**statement, "Condition": condition})) == []
    assert levels(one(rule, IAM_POLICY, _document(statement)), rule) == [MANDATORY]


@pytest.mark.parametrize(
    "resource", ["arn:aws:iam::*:role/ml-*", "arn:aws:iam::*:role/service-role/*", "arn:aws:iam::*:role/*"]
)
def test_pass_role_on_roles_of_any_account_is_refused_even_with_passed_to_service(resource: str) -> None:
    """A wildcard account makes a role pattern match every account's roles: a PassedToService condition
    does not narrow that to the execution role (it does for one account's role path)."""
    rule = "iam-pass-role-scoped"
    condition = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource, "Condition": condition}
    assert levels(one(rule, IAM_POLICY, _document(statement)), rule) == [MANDATORY]
    own = {**statement, "Resource": "arn:aws:iam::111122223333:role/service-role/*"}
    assert one(rule, IAM_POLICY, _document(own)) == []


# --- production autoscaling: which targets count ------------------------------------------------

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def scaled_endpoint(
    *,
    endpoint_type: str = "aws:sagemaker/endpoint:Endpoint",
    dimension: str = VARIANT_DIMENSION,
    scaled: str = "churn",
    linked: bool = True,
) -> list[dict[str, Any]]:
    """A one-variant endpoint and an Application Auto Scaling target + target-tracking policy."""
    native = endpoint_type.startswith("aws-native:")
    resource_id = f"endpoint/{scaled}/variant/primary"
    return [
        {
            "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "name": "config",
            "inputs": {
                "name": "churn-config",
                "productionVariants": [
                    {
                        "variantName": "primary",
                        "modelName": "churn-model",
                        "instanceType": "ml.m5.xlarge",
                        "initialInstanceCount": 2,
                    }
                ],
            },
        },
        {
            "type": endpoint_type,
            "name": "endpoint",
            "deps": {"endpointConfigName": ["config"]},
            "inputs": {("endpointName" if native else "name"): "churn", "endpointConfigName": "churn-config"},
        },
        {
            "type": "aws:appautoscaling/target:Target",
            "name": "target",
            "deps": {"resourceId": ["endpoint"]} if linked else {},
            "inputs": {
                "serviceNamespace": "sagemaker",
                "scalableDimension": dimension,
                "resourceId": resource_id,
                "minCapacity": 2,
                "maxCapacity": 4,
            },
        },
        {
            "type": SCALING_POLICY,
            "name": "tracking",
            "deps": {"resourceId": ["target"]},
            "inputs": {
                "policyType": "TargetTrackingScaling",
                "serviceNamespace": "sagemaker",
                "scalableDimension": dimension,
                "resourceId": resource_id,
                "targetTrackingScalingPolicyConfiguration": {
                    "targetValue": 100,
                    "predefinedMetricSpecification": {
                        "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            },
        },
    ]


def test_a_provisioned_concurrency_target_does_not_scale_instances() -> None:
    rule = "endpoint-autoscaling-configured"
    assert run_policy(rule, scaled_endpoint()) == []
    other = scaled_endpoint(dimension="sagemaker:variant:DesiredProvisionedConcurrency")
    found = run_policy(rule, other)
    assert levels(found, rule) == [ADVISORY]
    assert "has no autoscaling target" in found[0].message
    assert levels(run_policy(rule, other, load_pack_config("prod")), rule) == [MANDATORY]


def test_an_aws_native_endpoint_is_found_by_its_endpoint_name() -> None:
    """A target linked only by its literal resourceId scales the aws-native endpoint named that way."""
    rule = "endpoint-autoscaling-configured"
    native = "aws-native:sagemaker:Endpoint"
    assert run_policy(rule, scaled_endpoint(endpoint_type=native, linked=False)) == []
    found = run_policy(rule, scaled_endpoint(endpoint_type=native, linked=False, scaled="other"))
    assert levels(found, rule) == [ADVISORY]


def test_action_star_is_reported_once_by_the_admin_rule() -> None:
    """Action '*' is iam-no-admin-access's finding; escalation, service-wildcard and sensitive-action
    rules judge the statements it does not already refuse (and escalation actions are not
    sensitive-action findings twice)."""
    star = _document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert levels(one("iam-no-admin-access", IAM_POLICY, star), "iam-no-admin-access") == [MANDATORY]
    for rule in (
        "iam-no-privilege-escalation",
        "iam-no-service-wildcard",
        "iam-no-unscoped-sensitive-actions",
    ):
        assert one(rule, IAM_POLICY, star) == [], rule
    pass_role = _document({"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "*"})
    assert one("iam-no-unscoped-sensitive-actions", IAM_POLICY, pass_role) == []
    rule = "iam-no-privilege-escalation"
    assert levels(one(rule, IAM_POLICY, pass_role), rule) == [MANDATORY]
