"""An adversarial evasion audit of the policy pack: resources built, in the wire shape the pack sees,
to break a control of /work/shared/POLICY-CONTROLS.md while passing its rule.

Probes were run through ``policies.local.evaluate_report`` (the conftest ``build`` records; stack
rules over the preview inputs and, through ``engine_shapes.as_outputs``, the outputs after create),
one shape at a time. An evasion that passed is a product bug, fixed in its own commit with a test
below that fails on the old rule; a shape the pack already refused was not turned into a test
(the existing files hold those classes: test_iam_wildcards.py, test_policy_iam_hardening_rules.py,
test_resource_policy_public_semantics.py, test_policy_evasions.py, test_adversarial_rules_2.py...).

===========================================  ======  ======  =======  =========  ======
control area (rules)                         probes  evaded  caught   compliant  left
                                                     (fixed  already  twins      alone
                                                     now)
===========================================  ======  ======  =======  =========  ======
IAM identity policies (the 5 iam-* rules)        15       0       15          0       0
KMS key policies (JSON string and object)        34       0       26          6       2
trust policies (JSON string and object)          26       0       22          4       0
S3 bucket and queue policy conditions            34       0       17         11       6
resource-based policies on sibling types          8       8        0          0       0
pipeline steps: isolation, encryption, KMS       10       2        3          3       2
pipeline steps: allowlist and GPU quota           5       2        2          1       0
prod data capture                                 3       1        0          1       1
prod monitoring: stopped or one-time schedules    5       3        0          2       0
safe rollout: steps without a bake                6       3        0          3       0
variant autoscaling (both engine shapes)          8       4        0          3       1
GPU quota: scheduled ceilings                     3       2        0          1       0
alarms of other kinds                             3       3        0          0       0
Kubernetes pod-bearing kinds                      6       3        0          2       1
Kubernetes GPU pods                               7       1        3          3       0
prod models from model packages                   6       0        2          2       2
compute outside jobs (HyperPod, Studio)           4       3        0          1       0
HyperPod groups, pipeline counts (review)        15       8        0          7       0
model approval: packages the program makes        4       1        0          3       0
required tags: provider default tags              3       1        0          2       0
other resource rules (EKS, logs, SNS, SGs,       37       0       28          8       1
notebooks, domains, jobs, monitors, models)
total                                           242      45      118         63      16
===========================================  ======  ======  =======  =========  ======

Fixed now (each test names what it closes; each fails on the rule before its commit):

- test_public_resource_policy_through_a_sibling_type_is_refused: Lambda resource policies
  (``aws:lambda/resourcePolicy``, ``aws-native:lambda:ResourcePolicy``), ECR repository creation
  templates (both), Multi-Region Access Point policies (pulumi-aws ``details.policy``, aws-native)
  and Object Lambda access point policies (both), each allowing ``Principal: "*"``.
- test_pipeline_isolation_computed_at_run_time_is_not_isolation: ``EnableNetworkIsolation`` or
  ``EnableInterContainerTrafficEncryption`` from a parameter without a default, a ``Std:Join`` or a
  ``Std:JsonGet`` of an earlier step (counted as on; Pulumi never evaluates them).
- test_pipeline_instance_type_chosen_at_run_time_is_refused: the same for ``InstanceType``.
- test_alarm_of_another_kind_must_notify: composite alarms (both) and aws-native ``LogAlarm``.
- test_data_capture_sampling_nothing_is_not_capture: ``initialSamplingPercentage: 0``.
- test_a_stopped_monitoring_schedule_does_not_watch_the_endpoint: an aws-native schedule created
  with ``monitoringScheduleStatus: Stopped``; test_a_one_time_monitoring_schedule_does_not_watch_the_endpoint:
  ``scheduleExpression: NOW`` (both types), a single run.
- test_autoscaling_minimum_is_not_undone_after_create: scheduled actions lowering ``minCapacity``
  or ``maxCapacity`` (pulumi-aws ``ScheduledAction``, aws-native ``scheduledActions``), and
  ``suspendedState.dynamicScalingOutSuspended``.
- test_gpu_quota_counts_a_scheduled_ceiling: a scheduled action raising ``maxCapacity``.
- test_canary_without_a_bake_is_not_a_safe_rollout, test_component_rolling_update_without_a_bake_is_not_a_safe_rollout:
  ``waitIntervalInSeconds`` of 0 or 30 on a canary, or of 0 on a component's rolling update.
- test_argo_rollout_pods_are_checked_like_a_deployment (and its workloadRef twin): Argo Rollouts.
- test_serving_runtime_containers_are_checked_on_what_they_set: a privileged KServe
  ``ServingRuntime``/``ClusterServingRuntime`` container (merged into its predictor pods).
- test_gpu_compute_outside_jobs_and_endpoints_is_allowlisted_and_counted: HyperPod clusters and
  Studio apps (both), for the allowlist and the GPU quota.
- test_hyperpod_flexible_instance_group_is_allowlisted_and_counted: a HyperPod group listing its
  types in ``instanceRequirements.instanceTypes`` (a reviewer's finding; an all-CPU list is the twin).
- test_hyperpod_group_of_zero_instances_is_not_counted_as_one: ``instanceCount: 0`` read as 1
  (a reviewer's finding; a count of 2 and an absent count are the twins).
- test_gpu_step_count_chosen_at_run_time_is_refused: a GPU step's ``InstanceCount`` or a tuning
  step's ``MaxParallelTrainingJobs`` from a parameter without a default, a ``Std:JsonGet`` or a step
  property, read as 1 (a reviewer's finding; defaulted parameters, a literal and a CPU step are the twins).
- test_model_package_registered_approved_by_the_program_is_refused: an aws-native ModelPackage
  created ``Approved``.
- test_gpus_exposed_by_environment_must_be_requested: ``NVIDIA_VISIBLE_DEVICES=all`` (or indices) on
  a container that requests no GPU.
- test_default_tags_count_only_where_the_provider_applies_them: an Auto Scaling group tagged only
  by the provider's ``defaultTags``, which the AWS provider does not apply to it.

Three existing tests pinned an evasion as intended and now assert the refusal:
test_policy_job_rules.py ``isolation-from-a-step-output-fails`` (was
``unevaluated-expression-counts-as-set``), test_rule_semantics.py
``test_allowlist_refuses_run_time_instance_type_expressions`` and
test_sagemaker_governance_mutation_audit.py's tuning step whose ``MaxParallelTrainingJobs`` is a
step property (was counted as 1); test_policy_prod_stack_rules.py's
ALL_AT_ONCE routing case now bakes 300 seconds (its point is the routing type, not the 0 s wait).

Refused already (no new test, the class is held elsewhere): IAM ``S3:*``/``*:*``/``i?m:PassRole``/
``*PassRole``, single statements, ``NotAction``/``NotResource``, lower-case ``Effect``; key and trust
policies with ``{"AWS": ["*"]}``, ``NotPrincipal``, ``...IfExists``/wildcard/``kms:ViaService``-only
conditions; security-group CIDRs split in halves, ``0::0/0``, protocol ``-1``/``all``; EKS, log group,
SNS, notebook, domain, feature group, flow definition, monitoring and model shapes.

Left alone (the sixteen of the table), and why:

- ``aws:SourceIp`` ranges short of the whole address space (6: ``0.0.0.0/1``, ``2.0.0.0/7``,
  ``8.0.0.0/8``, ``2000::/3``...) were left to pin an ``Allow`` to ``*``; S3's meaning of public calls
  a range broader than /8 (IPv4) or /32 (IPv6) public, and since session 63 the rules do too
  (``test_public_access_gaps_63.py``): ``8.0.0.0/8`` still pins, the others do not.

- KMS (2, string and object): a pinned ``Principal: "*"`` (``kms:CallerAccount``) with
  non-administrative key actions (``kms:CreateGrant``, ``kms:EnableKey``, ``kms:CancelKeyDeletion``,
  tagging): the pattern of AWS's own default policies, and the rule's stated reading.
- Pipelines (2): a parameter's default is trusted for isolation and instance types, as the approval
  rule trusts it, though a start may override it (``pipeline-starts-keep-manual-approval`` follows
  starters for the approval status only); a KMS key from an expression still counts as set (a key
  id from a parameter is a key; an empty default fails). ``gpu-instance-quota`` does not count an
  instance type chosen at run time: the allowlist, mandatory in every environment, now refuses it
  (a GPU step's count chosen at run time the quota itself refuses).
- Data capture of ``Output`` only (1): still capture (model-quality monitoring reads the outputs).
- A scheduled action's bound of 0 (1) reads as unset, as pulumi-aws reports an unset bound after
  create, so an explicit scale to zero is left to the service's own limits.
- Kubernetes (1): Knative Services (their kind, ``Service``, would collide with ``core/v1`` Service in
  the kind tables); workloads in ``exemptNamespaces`` (``kube-system``) stay exempt by configuration.
- An upper-case EKS log type (``AUDIT``, 1) is refused: a false refusal of a value AWS rejects anyway.
- A prod model whose container names both ``modelPackageName`` and an ``image``, or a model package
  *group* ARN as ``modelPackageName`` (2): CreateModel's acceptance of either could not be checked
  offline, so the rule's reading (a package is named) stands.

Not probed: S3 directory buckets (S3 Express One Zone: SSE-S3 by default; they take none of the
baseline's companions, so the S3 rules do not read them); Studio spaces', user profiles' and domains' default resource specs (the apps they start
later are not Pulumi resources); AWS-managed near-admin policies beyond the default
``forbiddenManagedPolicies`` (a config value whose candidates' contents could not be checked offline).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import POD_SECURITY_RULES, build

ACCOUNT = "111122223333"


def _report(policy: str, resource_type: str, inputs: dict[str, Any]) -> tuple[list[str], int]:
    """(violation messages, undecided count) of ``policy`` on one resource."""
    report = evaluate_report(
        build([{"type": resource_type, "name": "subject", "inputs": inputs}]), None, [get_policy(policy)]
    )
    return [v.message for v in report.violations], len(report.undecided)


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# --- resource-policy-not-public: the other ways to write a Lambda, ECR or access point policy -------

PUBLIC_INVOKE = {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": "*"}
PUBLIC_PULL = {
    "Effect": "Allow",
    "Principal": {"AWS": ["*"]},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
}
SAME_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
PUBLIC_GET = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}


def _at(path: str, value: Any) -> dict[str, Any]:
    """Inputs holding ``value`` at a dotted ``path`` (``details.policy``)."""
    result: Any = value
    for key in reversed(path.split(".")):
        result = {key: result}
    return result


@pytest.mark.parametrize(
    ("resource_type", "prop", "statement"),
    [
        pytest.param(
            "aws:lambda/resourcePolicy:ResourcePolicy", "policy", PUBLIC_INVOKE, id="lambda-resource-policy"
        ),
        pytest.param(
            "aws-native:lambda:ResourcePolicy",
            "policyDocument",
            PUBLIC_INVOKE,
            id="native-lambda-resource-policy",
        ),
        pytest.param(
            "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
            "repositoryPolicy",
            PUBLIC_PULL,
            id="ecr-repository-creation-template",
        ),
        pytest.param(
            "aws-native:ecr:RepositoryCreationTemplate",
            "repositoryPolicy",
            PUBLIC_PULL,
            id="native-ecr-repository-creation-template",
        ),
        pytest.param(
            "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
            "details.policy",
            PUBLIC_GET,
            id="multi-region-access-point",
        ),
        pytest.param(
            "aws-native:s3:MultiRegionAccessPointPolicy",
            "policy",
            PUBLIC_GET,
            id="native-multi-region-access-point",
        ),
        pytest.param(
            "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy",
            "policy",
            PUBLIC_GET,
            id="object-lambda-access-point",
        ),
        pytest.param(
            "aws-native:s3objectlambda:AccessPointPolicy",
            "policyDocument",
            PUBLIC_GET,
            id="native-object-lambda-access-point",
        ),
    ],
)
def test_public_resource_policy_through_a_sibling_type_is_refused(
    resource_type: str, prop: str, statement: dict[str, Any]
) -> None:
    """A Lambda function made public through its whole resource policy (``aws.lambda_.ResourcePolicy``,
    the alternative to a ``Permission``), every repository an ECR creation template makes public
    through its ``repositoryPolicy``, or a Multi-Region or Object Lambda access point open to anyone,
    passed: the rule read only Permissions, repository policies and plain access points."""
    found, undecided = _report(
        "resource-policy-not-public", resource_type, _at(prop, json.dumps(_document(statement)))
    )
    assert undecided == 0
    assert len(found) == 1 and found[0].startswith(f"{prop} Statement[0] allows Principal ")
    assert "makes the resource public" in found[0]
    pinned = {**statement, "Condition": SAME_ACCOUNT}
    assert _report("resource-policy-not-public", resource_type, _at(prop, _document(pinned))) == ([], 0)


# --- pipeline-steps-network-isolated: a switch computed when the pipeline runs --------------------

KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/abcd"


def _training_step(isolation: Any, transit: Any = True) -> dict[str, Any]:
    return {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/train",
            "OutputDataConfig": {"S3OutputPath": "s3://b/out/", "KmsKeyId": KEY},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY},
            "EnableNetworkIsolation": isolation,
            "EnableInterContainerTrafficEncryption": transit,
            "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


def _pipeline(step: dict[str, Any], *parameters: dict[str, Any]) -> dict[str, Any]:
    definition = {"Version": "2020-12-01", "Parameters": list(parameters), "Steps": [step]}
    return {
        "pipelineName": "p",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/pipeline",
        "pipelineDefinition": json.dumps(definition),
    }


JOIN_FALSE = {"Std:Join": {"On": "", "Values": ["fal", "se"]}}
JSON_GET = {
    "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Config.PropertyFiles.Settings"}, "Path": "isolate"}
}
NO_DEFAULT = {"Name": "Isolate", "Type": "Boolean"}
TRUE_DEFAULT = {"Name": "Isolate", "Type": "Boolean", "DefaultValue": True}


@pytest.mark.parametrize(
    ("step", "parameters", "fragment"),
    [
        pytest.param(
            _training_step({"Get": "Parameters.Isolate"}),
            [NO_DEFAULT],
            "Arguments.EnableNetworkIsolation is the pipeline expression",
            id="isolation-from-a-parameter-without-default",
        ),
        pytest.param(
            _training_step(JOIN_FALSE),
            [],
            "Arguments.EnableNetworkIsolation is the pipeline expression",
            id="isolation-joined-at-run-time",
        ),
        pytest.param(
            _training_step(JSON_GET),
            [],
            "Arguments.EnableNetworkIsolation is the pipeline expression",
            id="isolation-read-from-a-step-property-file",
        ),
        pytest.param(
            _training_step(True, {"Get": "Parameters.Isolate"}),
            [NO_DEFAULT],
            "Arguments.EnableInterContainerTrafficEncryption is the pipeline expression",
            id="encryption-from-a-parameter-without-default",
        ),
        pytest.param(
            _training_step({"Get": "Parameters.Isolate"}), [TRUE_DEFAULT], None, id="true-default-passes"
        ),
        pytest.param(_training_step(True), [], None, id="literal-true-passes"),
    ],
)
def test_pipeline_isolation_computed_at_run_time_is_not_isolation(
    step: dict[str, Any], parameters: list[dict[str, Any]], fragment: str | None
) -> None:
    """``EnableNetworkIsolation`` given as a parameter without a default, ``Std:Join`` or a value read
    from an earlier step passed as "undecidable, hence compliant": Pulumi never evaluates it, and the
    run can set it to false (the data steps then reach the internet with the job's credentials)."""
    found, undecided = _report(
        "pipeline-steps-network-isolated", "aws:sagemaker/pipeline:Pipeline", _pipeline(step, *parameters)
    )
    assert undecided == 0
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and fragment in found[0]
        assert "evaluated only when the pipeline runs" in found[0]


# --- instance-type-allowlist: a step's instance type chosen when the pipeline runs ----------------

ALLOW_M5 = {"instance-type-allowlist": {"allowedInstanceTypes": ["ml.m5.*"]}}


def _sized_step(instance_type: Any) -> dict[str, Any]:
    step = _training_step(True)
    step["Arguments"]["ResourceConfig"]["InstanceType"] = instance_type
    return step


@pytest.mark.parametrize(
    ("instance_type", "parameters", "fragment"),
    [
        pytest.param(
            {"Get": "Parameters.Type"},
            [{"Name": "Type", "Type": "String"}],
            "is the pipeline expression",
            id="parameter-without-default",
        ),
        pytest.param(
            {"Std:Join": {"On": ".", "Values": ["ml", "p5", "48xlarge"]}},
            [],
            "is the pipeline expression",
            id="joined",
        ),
        pytest.param(
            {"Get": "Parameters.Type"},
            [{"Name": "Type", "Type": "String", "DefaultValue": "ml.p5.48xlarge"}],
            "'ml.p5.48xlarge' is not allowed",
            id="parameter-default-is-judged",
        ),
        pytest.param(
            {"Get": "Parameters.Type"},
            [{"Name": "Type", "Type": "String", "DefaultValue": "ml.m5.xlarge"}],
            None,
            id="allowed-parameter-default-passes",
        ),
    ],
)
def test_pipeline_instance_type_chosen_at_run_time_is_refused(
    instance_type: Any, parameters: list[dict[str, Any]], fragment: str | None
) -> None:
    """A Training step whose ``InstanceType`` was a parameter without a default or a ``Std:Join``
    passed the allowlist ("decided at run time"): any type, a GPU giant in dev, could then run."""
    records = build(
        [
            {
                "type": "aws:sagemaker/pipeline:Pipeline",
                "name": "subject",
                "inputs": _pipeline(_sized_step(instance_type), *parameters),
            }
        ]
    )
    report = evaluate_report(records, ALLOW_M5, [get_policy("instance-type-allowlist")])
    found = [v.message for v in report.violations]
    assert report.undecided == []
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and fragment in found[0]
        assert found[0].startswith("Steps[Train].Arguments.ResourceConfig.InstanceType")


# --- gpu-instance-quota: a GPU step's count chosen when the pipeline runs -------------------------

STEP_PROPERTY = {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['n'].S3Output.S3Uri"}
COUNT_PATH = "ResourceConfig.InstanceCount"
PARALLEL_PATH = "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs"


def _gpu_step(count: Any, parallel: Any = None, instance_type: str = "ml.g5.xlarge") -> dict[str, Any]:
    """A Training step of ``count`` ``instance_type``, or a Tuning step of it when ``parallel`` is given."""
    step = _sized_step(instance_type)
    step["Arguments"]["ResourceConfig"]["InstanceCount"] = count
    if parallel is None:
        return step
    limits = {"MaxNumberOfTrainingJobs": 10, "MaxParallelTrainingJobs": parallel}
    arguments = {
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": limits},
        "TrainingJobDefinition": step["Arguments"],
    }
    return {"Name": "Train", "Type": "Tuning", "Arguments": arguments}


@pytest.mark.parametrize(
    ("step", "parameters", "expected"),
    [
        pytest.param(
            _gpu_step({"Get": "Parameters.N"}),
            [{"Name": "N", "Type": "Integer"}],
            f"Arguments.{COUNT_PATH} is the pipeline expression",
            id="count-from-a-parameter-without-default",
        ),
        pytest.param(
            _gpu_step(JSON_GET), [], f"Arguments.{COUNT_PATH} is the pipeline expression", id="count-json-get"
        ),
        pytest.param(
            _gpu_step(STEP_PROPERTY),
            [],
            f"Arguments.{COUNT_PATH} is the pipeline expression",
            id="count-from-a-step-property",
        ),
        pytest.param(
            _gpu_step(1, {"Get": "Parameters.N"}),
            [{"Name": "N", "Type": "Integer"}],
            f"Arguments.{PARALLEL_PATH} is the pipeline expression",
            id="tuning-parallelism-from-a-parameter-without-default",
        ),
        pytest.param(
            _gpu_step(JSON_GET, 2),
            [],
            f"Arguments.TrainingJobDefinition.{COUNT_PATH} is the pipeline expression",
            id="tuning-count-json-get",
        ),
        pytest.param(
            _gpu_step({"Get": "Parameters.N"}),
            [{"Name": "N", "Type": "Integer", "DefaultValue": 8}],
            "the stack asks for 8 GPU instances, over maxGpuInstances=4",
            id="count-default-is-counted",
        ),
        pytest.param(
            _gpu_step(2, {"Get": "Parameters.N"}),
            [{"Name": "N", "Type": "Integer", "DefaultValue": 3}],
            "the stack asks for 6 GPU instances, over maxGpuInstances=4",
            id="parallelism-default-is-counted",
        ),
        pytest.param(_gpu_step(4), [], None, id="literal-count-within-quota-passes"),
        pytest.param(
            _gpu_step(JSON_GET, JSON_GET, instance_type="ml.m5.xlarge"),
            [],
            None,
            id="cpu-step-is-not-counted",
        ),
    ],
)
def test_gpu_step_count_chosen_at_run_time_is_refused(
    step: dict[str, Any], parameters: list[dict[str, Any]], expected: str | None
) -> None:
    """A GPU step's ``InstanceCount``, or its tuning step's ``MaxParallelTrainingJobs``, given as a
    parameter without a default, a ``Std:JsonGet`` or a step property was read as 1: a run could
    then start 64 GPU instances against a quota of 4 and the quota passed silently."""
    records = build(
        [
            {
                "type": "aws:sagemaker/pipeline:Pipeline",
                "name": "subject",
                "inputs": _pipeline(step, *parameters),
            }
        ]
    )
    report = evaluate_report(
        records, {"gpu-instance-quota": {"maxGpuInstances": 4}}, [get_policy("gpu-instance-quota")]
    )
    found = [v.message for v in report.violations]
    assert report.undecided == []
    if expected is None:
        assert found == []
    elif expected.startswith("the stack asks"):
        assert len(found) == 1 and found[0].startswith(expected)
    else:
        assert len(found) == 1 and found[0].startswith(f"subject.Steps[Train].{expected}")
        assert "evaluated only when the pipeline runs" in found[0]
        assert "cannot be counted against maxGpuInstances=4" in found[0]


# --- alarm-has-actions: an alarm of another kind ---------------------------------------------------

TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
COMPOSITE_RULE = 'ALARM("churn-5xx") OR ALARM("churn-latency")'


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param(
            "aws:cloudwatch/compositeAlarm:CompositeAlarm",
            {"alarmName": "churn-down", "alarmRule": COMPOSITE_RULE},
            id="composite-alarm",
        ),
        pytest.param(
            "aws-native:cloudwatch:CompositeAlarm", {"alarmRule": COMPOSITE_RULE}, id="native-composite-alarm"
        ),
        pytest.param(
            "aws-native:cloudwatch:LogAlarm",
            {
                "comparisonOperator": "GreaterThanThreshold",
                "threshold": 0,
                "queryResultsToAlarm": 1,
                "queryResultsToEvaluate": 1,
                "scheduledQueryConfiguration": {"queryString": "fields @message | filter level = 'ERROR'"},
            },
            id="native-log-alarm",
        ),
    ],
)
def test_alarm_of_another_kind_must_notify(resource_type: str, inputs: dict[str, Any]) -> None:
    """A composite alarm (an alarm over other alarms, often the one meant to page) or a Logs query alarm with no
    ``alarmActions``, or with ``actionsEnabled`` false, passed: the rule read metric alarms only."""
    found, _ = _report("alarm-has-actions", resource_type, inputs)
    assert found == ["alarmActions is empty: set alarm_actions to the platform's SNS alert topic ARN."]
    found, _ = _report(
        "alarm-has-actions", resource_type, {**inputs, "alarmActions": [TOPIC], "actionsEnabled": False}
    )
    assert found == ["actionsEnabled is false: remove actions_enabled=False so the alarm notifies."]
    assert _report("alarm-has-actions", resource_type, {**inputs, "alarmActions": [TOPIC]}) == ([], 0)


# --- endpoint-data-capture-encrypted: capture "enabled" that records nothing -----------------------


#: The endpoint configurations' one variant (two instances: the prod minimum).
VARIANT = {
    "variantName": "primary",
    "modelName": "m",
    "instanceType": "ml.m5.xlarge",
    "initialInstanceCount": 2,
}


def _capture(sampling: Any) -> dict[str, Any]:
    """A KMS-encrypted data capture of requests and responses at ``sampling`` percent."""
    return {
        "enableCapture": True,
        "initialSamplingPercentage": sampling,
        "destinationS3Uri": "s3://capture/endpoint",
        "kmsKeyId": KEY,
        "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
    }


def _capture_stack(sampling: Any, resource_type: str) -> list[dict[str, Any]]:
    native = resource_type.startswith("aws-native:")
    endpoint = "aws-native:sagemaker:Endpoint" if native else "aws:sagemaker/endpoint:Endpoint"
    return [
        {
            "type": resource_type,
            "name": "config",
            "inputs": {
                ("endpointConfigName" if native else "name"): "config",
                "productionVariants": [dict(VARIANT)],
                ("kmsKeyId" if native else "kmsKeyArn"): KEY,
                "dataCaptureConfig": _capture(sampling),
            },
        },
        {
            "type": endpoint,
            "name": "endpoint",
            "inputs": {"endpointConfigName": "config"},
            "deps": {"endpointConfigName": ["config"]},
        },
    ]


@pytest.mark.parametrize(
    "resource_type",
    ["aws:sagemaker/endpointConfiguration:EndpointConfiguration", "aws-native:sagemaker:EndpointConfig"],
)
@pytest.mark.parametrize("shape", ["preview-inputs", "outputs-after-create"])
def test_data_capture_sampling_nothing_is_not_capture(resource_type: str, shape: str) -> None:
    """``initialSamplingPercentage: 0`` (SageMaker's range is 0-100) with ``enableCapture: true``
    and a key passed: the endpoint records no request, so there is nothing to monitor."""
    from tests.policies.engine_shapes import as_outputs

    def violations(sampling: Any) -> list[str]:
        records: list[Any] = build(_capture_stack(sampling, resource_type))
        if shape == "outputs-after-create":
            records = as_outputs(records)
        report = evaluate_report(records, None, [get_policy("endpoint-data-capture-encrypted")])
        assert report.undecided == []
        return [v.message for v in report.violations]

    found = violations(0)
    assert len(found) == 1
    assert found[0].startswith("dataCaptureConfig.initialSamplingPercentage is 0 on 'config'")
    assert "records nothing" in found[0]
    assert violations(10) == []


# --- endpoint-autoscaling-configured: what resizes the target after it is created -----------------

VARIANT_ID = "endpoint/endpoint/variant/primary"
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _scaling_stack(
    target_type: str, target_extra: dict[str, Any], action: dict[str, Any] | None
) -> list[dict[str, Any]]:
    variant = {
        "variantName": "primary",
        "modelName": "m",
        "instanceType": "ml.m5.xlarge",
        "initialInstanceCount": 2,
    }
    scaled = {
        "resourceId": VARIANT_ID,
        "scalableDimension": VARIANT_DIMENSION,
        "serviceNamespace": "sagemaker",
    }
    specs: list[dict[str, Any]] = [
        {
            "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "name": "config",
            "inputs": {"name": "config", "productionVariants": [variant]},
        },
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "inputs": {"name": "endpoint", "endpointConfigName": "config"},
            "deps": {"endpointConfigName": ["config"]},
        },
        {
            "type": target_type,
            "name": "target",
            "inputs": {**scaled, "minCapacity": 2, "maxCapacity": 4, **target_extra},
            "deps": {"resourceId": ["endpoint"]},
        },
        {
            "type": "aws:appautoscaling/policy:Policy",
            "name": "tracking",
            "inputs": {
                **scaled,
                "policyType": "TargetTrackingScaling",
                "targetTrackingScalingPolicyConfiguration": {"targetValue": 100},
            },
            "deps": {"resourceId": ["target"]},
        },
    ]
    if action is not None:
        specs.append(
            {
                "type": "aws:appautoscaling/scheduledAction:ScheduledAction",
                "name": "nightly",
                "inputs": {**scaled, "schedule": "cron(0 20 * * ? *)", "scalableTargetAction": action},
                "deps": {"resourceId": ["target"]},
            }
        )
    return specs


TARGET = "aws:appautoscaling/target:Target"
NATIVE_TARGET = "aws-native:applicationautoscaling:ScalableTarget"
NIGHTLY_ONE = {
    "scheduledActionName": "nightly",
    "schedule": "cron(0 20 * * ? *)",
    "scalableTargetAction": {"minCapacity": 1},
}


@pytest.mark.parametrize("shape", ["preview-inputs", "outputs-after-create"])
@pytest.mark.parametrize(
    ("target_type", "target_extra", "action", "fragment"),
    [
        pytest.param(
            TARGET,
            {},
            {"minCapacity": 1, "maxCapacity": 4},
            "scheduled action 'nightly' sets scalableTargetAction.minCapacity to 1",
            id="scheduled-action-lowers-the-minimum",
        ),
        pytest.param(
            TARGET,
            {},
            {"maxCapacity": 1},
            "scheduled action 'nightly' sets scalableTargetAction.maxCapacity to 1",
            id="scheduled-action-caps-below-the-minimum",
        ),
        pytest.param(
            NATIVE_TARGET,
            {"scheduledActions": [NIGHTLY_ONE]},
            None,
            "scheduledActions[0] sets scalableTargetAction.minCapacity to 1",
            id="native-target-own-scheduled-action",
        ),
        pytest.param(
            TARGET,
            {"suspendedState": {"dynamicScalingOutSuspended": True}},
            None,
            "suspendedState.dynamicScalingOutSuspended true",
            id="scale-out-suspended",
        ),
        pytest.param(
            TARGET, {}, {"minCapacity": 2, "maxCapacity": 8}, None, id="scheduled-resize-within-bounds-passes"
        ),
        pytest.param(
            TARGET,
            {"suspendedState": {"dynamicScalingInSuspended": True}},
            None,
            None,
            id="scale-in-suspended-passes",
        ),
    ],
)
def test_autoscaling_minimum_is_not_undone_after_create(
    shape: str,
    target_type: str,
    target_extra: dict[str, Any],
    action: dict[str, Any] | None,
    fragment: str | None,
) -> None:
    """A variant target with ``minCapacity: 2`` and a tracking policy passed even when a scheduled
    action took it to one instance every night, or its scale-out was suspended: the rule read the
    target's own bounds only."""
    from tests.policies.engine_shapes import as_outputs

    records: list[Any] = build(_scaling_stack(target_type, target_extra, action))
    if shape == "outputs-after-create":
        records = as_outputs(records)
    report = evaluate_report(records, None, [get_policy("endpoint-autoscaling-configured")])
    found = [v.message for v in report.violations]
    assert report.undecided == []
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and fragment in found[0]


# --- gpu-instance-quota: a scheduled action raises the ceiling --------------------------------------


@pytest.mark.parametrize("shape", ["preview-inputs", "outputs-after-create"])
@pytest.mark.parametrize(
    ("target_type", "target_extra", "action"),
    [
        pytest.param(TARGET, {}, {"minCapacity": 2, "maxCapacity": 10}, id="scheduled-action"),
        pytest.param(
            NATIVE_TARGET,
            {
                "scheduledActions": [
                    {
                        "scheduledActionName": "peak",
                        "schedule": "rate(1 day)",
                        "scalableTargetAction": {"maxCapacity": 10},
                    }
                ]
            },
            None,
            id="native-target-own-scheduled-action",
        ),
    ],
)
def test_gpu_quota_counts_a_scheduled_ceiling(
    shape: str, target_type: str, target_extra: dict[str, Any], action: dict[str, Any] | None
) -> None:
    """A GPU variant whose target allows 4 instances passed a quota of 4 although a scheduled action
    raises its ``maxCapacity`` to 10 when it runs."""
    from tests.policies.engine_shapes import as_outputs

    specs = _scaling_stack(target_type, target_extra, action)
    specs[0]["inputs"]["productionVariants"][0]["instanceType"] = "ml.g5.xlarge"
    records: list[Any] = build(specs)
    if shape == "outputs-after-create":
        records = as_outputs(records)
    report = evaluate_report(
        records, {"gpu-instance-quota": {"maxGpuInstances": 4}}, [get_policy("gpu-instance-quota")]
    )
    found = [v.message for v in report.violations]
    assert report.undecided == []
    assert len(found) == 1 and found[0].startswith(
        "the stack asks for 10 GPU instances, over maxGpuInstances=4"
    )


# --- Kubernetes pod hygiene: the same pod template under an Argo Rollout ---------------------------

ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout"
HARDENED_CONTAINER = {
    "name": "server",
    "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/model@sha256:" + "a" * 64,
    "readinessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
    "livenessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
    "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}},
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "capabilities": {"drop": ["ALL"]},
    },
}


def _rollout(container: dict[str, Any] | None, **spec: Any) -> dict[str, Any]:
    template = (
        {"template": {"spec": {"automountServiceAccountToken": False, "containers": [container]}}}
        if container
        else {}
    )
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "model", "namespace": "serving"},
        "spec": {"replicas": 2, "strategy": {"canary": {"steps": [{"setWeight": 20}]}}, **template, **spec},
    }


@pytest.mark.parametrize(
    ("rule", "container", "fragment"),
    [
        pytest.param(
            "k8s-container-security-context",
            {
                **HARDENED_CONTAINER,
                "securityContext": {**HARDENED_CONTAINER["securityContext"], "privileged": True},
            },
            "spec.template.spec.containers[0].securityContext.privileged is true",
            id="privileged",
        ),
        pytest.param(
            "k8s-probes-configured",
            {k: v for k, v in HARDENED_CONTAINER.items() if k != "livenessProbe"},
            "spec.template.spec.containers[0]",
            id="no-liveness-probe",
        ),
        pytest.param(
            "k8s-resources-bounded",
            {k: v for k, v in HARDENED_CONTAINER.items() if k != "resources"},
            "spec.template.spec.containers[0]",
            id="unbounded",
        ),
        pytest.param("k8s-container-security-context", HARDENED_CONTAINER, None, id="hardened-passes"),
    ],
)
def test_argo_rollout_pods_are_checked_like_a_deployment(
    rule: str, container: dict[str, Any], fragment: str | None
) -> None:
    """An Argo Rollout carries a Deployment's pod template (for canary or blue/green delivery); the
    rules read only built-in kinds and KServe, so a privileged, probe-less or unbounded inference
    pod passed as a Rollout."""
    found, undecided = _report(rule, ROLLOUT, _rollout(container))
    assert undecided == 0
    if fragment is None:
        assert found == []
    else:
        assert found and all(fragment in message for message in found)


def test_argo_rollout_of_a_referenced_deployment_is_left_to_that_deployment() -> None:
    """``workloadRef`` names a Deployment whose template the Rollout runs: that Deployment is checked."""
    inputs = _rollout(None, workloadRef={"apiVersion": "apps/v1", "kind": "Deployment", "name": "model"})
    for rule in (
        "k8s-probes-configured",
        "k8s-container-security-context",
        "k8s-resources-bounded",
        "k8s-service-account-token-not-automounted",
    ):
        assert _report(rule, ROLLOUT, inputs) == ([], 0)


# --- instance-type-allowlist / gpu-instance-quota: compute outside jobs and endpoints --------------

HYPERPOD = {
    "clusterName": "research",
    "instanceGroups": [
        {
            "instanceGroupName": "workers",
            "instanceType": "ml.p5.48xlarge",
            "instanceCount": 8,
            "executionRole": f"arn:aws:iam::{ACCOUNT}:role/hyperpod",
            "lifeCycleConfig": {"sourceS3Uri": "s3://b/lifecycle/", "onCreate": "on_create.sh"},
        }
    ],
}
STUDIO_APP = {"domainId": "d-1", "userProfileName": "alice", "appName": "default", "appType": "JupyterLab"}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "path", "count"),
    [
        pytest.param(
            "aws-native:sagemaker:Cluster", HYPERPOD, "instanceGroups[0].instanceType", 8, id="hyperpod"
        ),
        pytest.param(
            "aws:sagemaker/app:App",
            {**STUDIO_APP, "resourceSpec": {"instanceType": "ml.p4d.24xlarge"}},
            "resourceSpec.instanceType",
            1,
            id="studio-app",
        ),
        pytest.param(
            "aws-native:sagemaker:App",
            {**STUDIO_APP, "resourceSpec": {"instanceType": "ml.p4d.24xlarge"}},
            "resourceSpec.instanceType",
            1,
            id="native-studio-app",
        ),
    ],
)
def test_gpu_compute_outside_jobs_and_endpoints_is_allowlisted_and_counted(
    resource_type: str, inputs: dict[str, Any], path: str, count: int
) -> None:
    """A HyperPod cluster of eight ml.p5.48xlarge, or a Studio JupyterLab app on ml.p4d.24xlarge,
    passed a dev allowlist of ml.m5.* and a GPU quota of 0: neither type was read."""
    records = build([{"type": resource_type, "name": "subject", "inputs": inputs}])
    config = {**ALLOW_M5, "gpu-instance-quota": {"maxGpuInstances": 0}}
    report = evaluate_report(
        records, config, [get_policy("instance-type-allowlist"), get_policy("gpu-instance-quota")]
    )
    assert report.undecided == []
    by_rule = {v.policy_name: v.message for v in report.violations}
    assert by_rule["instance-type-allowlist"].startswith(f"{path} ")
    assert "is not allowed in this environment" in by_rule["instance-type-allowlist"]
    assert by_rule["gpu-instance-quota"].startswith(
        f"the stack asks for {count} GPU instances, over maxGpuInstances=0"
    )


def test_studio_system_instance_is_not_the_accounts_compute() -> None:
    """The Jupyter server app's ``system`` instance is AWS's, in no allowlist: not judged."""
    inputs = {**STUDIO_APP, "appType": "JupyterServer", "resourceSpec": {"instanceType": "system"}}
    assert _report("instance-type-allowlist", "aws:sagemaker/app:App", inputs) == ([], 0)


def _flexible_hyperpod(instance_types: list[str], **count: Any) -> dict[str, Any]:
    """A HyperPod cluster of one flexible group (``instanceRequirements.instanceTypes``)."""
    group = {
        k: v for k, v in HYPERPOD["instanceGroups"][0].items() if k not in ("instanceType", "instanceCount")
    }
    return {
        **HYPERPOD,
        "instanceGroups": [{**group, **count, "instanceRequirements": {"instanceTypes": instance_types}}],
    }


def _compute_verdicts(resource_type: str, inputs: dict[str, Any], quota: int) -> dict[str, list[str]]:
    """Violation messages per rule of the allowlist (ml.m5.*) and the GPU quota (``quota``)."""
    records = build([{"type": resource_type, "name": "subject", "inputs": inputs}])
    config = {**ALLOW_M5, "gpu-instance-quota": {"maxGpuInstances": quota}}
    report = evaluate_report(
        records, config, [get_policy("instance-type-allowlist"), get_policy("gpu-instance-quota")]
    )
    assert report.undecided == []
    by_rule: dict[str, list[str]] = {}
    for violation in report.violations:
        by_rule.setdefault(violation.policy_name, []).append(violation.message)
    return by_rule


@pytest.mark.parametrize(
    ("instance_types", "refused", "gpus"),
    [
        pytest.param(["ml.m5.xlarge", "ml.p5.48xlarge"], ["[1] 'ml.p5.48xlarge'"], 8, id="gpu-fallback"),
        pytest.param(
            ["ml.p5.48xlarge", "ml.g5.xlarge"],
            ["[0] 'ml.p5.48xlarge'", "[1] 'ml.g5.xlarge'"],
            8,
            id="two-gpu-types-count-once",
        ),
        pytest.param(["ml.m5.xlarge", "ml.m5.2xlarge"], [], 0, id="allowed-cpu-types-pass"),
    ],
)
def test_hyperpod_flexible_instance_group_is_allowlisted_and_counted(
    instance_types: list[str], refused: list[str], gpus: int
) -> None:
    """A flexible HyperPod group (``instanceRequirements.instanceTypes``, CreateCluster's alternative to
    ``instanceType``) of eight, falling back to ml.p5.48xlarge, passed a dev allowlist of ml.m5.* and a
    GPU quota of 0: only ``instanceType`` was read. Every listed type is judged, and the group counts
    once (its eight instances run one type at a time)."""
    by_rule = _compute_verdicts(
        "aws-native:sagemaker:Cluster", _flexible_hyperpod(instance_types, instanceCount=8), 0
    )
    path = "instanceGroups[0].instanceRequirements.instanceTypes"
    assert by_rule.get("instance-type-allowlist", []) == [
        f"{path}{index_and_type} is not allowed in this environment: use one of ['ml.m5.*']."
        for index_and_type in refused
    ]
    if gpus:
        assert by_rule["gpu-instance-quota"] == [
            f"the stack asks for {gpus} GPU instances, over maxGpuInstances=0 "
            f"(subject.{path}={instance_types!r} x{gpus}): lower counts/maxCapacity or raise the quota "
            "in the env config."
        ]
    else:
        assert "gpu-instance-quota" not in by_rule


@pytest.mark.parametrize(
    ("count", "gpus"),
    [
        pytest.param({"instanceCount": 0}, 0, id="empty-group-asks-for-nothing"),
        pytest.param({"instanceCount": 2}, 2, id="two"),
        pytest.param({}, 1, id="absent-count-is-one"),
    ],
)
def test_hyperpod_group_of_zero_instances_is_not_counted_as_one(count: dict[str, Any], gpus: int) -> None:
    """A HyperPod group with ``instanceCount: 0`` (CreateCluster's minimum, an empty group) counted as
    one instance (``number(...) or 1.0``): a cluster keeping an empty ml.p5.48xlarge group failed a
    quota it met. Only an absent count reads as one."""
    by_rule = _compute_verdicts(
        "aws-native:sagemaker:Cluster", _flexible_hyperpod(["ml.p5.48xlarge"], **count), 0
    )
    assert by_rule["instance-type-allowlist"]  # the type is still judged, whatever the count
    if gpus:
        assert by_rule["gpu-instance-quota"][0].startswith(
            f"the stack asks for {gpus} GPU instances, over maxGpuInstances=0"
        )
    else:
        assert "gpu-instance-quota" not in by_rule


# --- model-package-group-manual-approval: a version the program registers itself ------------------

MODEL_PACKAGE = "aws-native:sagemaker:ModelPackage"
PACKAGE = {
    "modelPackageGroupName": "churn",
    "inferenceSpecification": {
        "containers": [{"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn@sha256:" + "b" * 64}],
        "supportedContentTypes": ["text/csv"],
        "supportedResponseMimeTypes": ["text/csv"],
    },
}


@pytest.mark.parametrize(
    ("status", "violated"),
    [
        pytest.param("Approved", True, id="approved-at-registration"),
        pytest.param("PendingManualApproval", False, id="pending-passes"),
        pytest.param(None, False, id="unset-is-pending"),
        pytest.param("Rejected", False, id="rejected-passes"),
    ],
)
def test_model_package_registered_approved_by_the_program_is_refused(
    status: str | None, violated: bool
) -> None:
    """An aws-native ModelPackage created with ``modelApprovalStatus: Approved`` in a group the
    endpoints follow (latest approved) put a model in production with no reviewer: the rule read
    pipelines' RegisterModel steps only."""
    inputs = {**PACKAGE, **({"modelApprovalStatus": status} if status else {})}
    found, undecided = _report("model-package-group-manual-approval", MODEL_PACKAGE, inputs)
    assert undecided == 0
    if violated:
        assert len(found) == 1 and found[0].startswith("modelApprovalStatus is 'Approved'")
    else:
        assert found == []
    relaxed = evaluate_report(
        build([{"type": MODEL_PACKAGE, "name": "subject", "inputs": inputs}]),
        {"model-package-group-manual-approval": {"requireManualApproval": False}},
        [get_policy("model-package-group-manual-approval")],
    )
    assert relaxed.violations == []


# --- required-cost-allocation-tags: provider default tags the provider does not apply -------------

COST_TAGS = {"owner": "ml-platform", "cost-center": "cc-42", "environment": "prod"}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "violated"),
    [
        pytest.param(
            "aws:autoscaling/group:Group",
            {"maxSize": 2, "minSize": 1, "launchTemplate": {"id": "lt-1"}},
            True,
            id="auto-scaling-group-gets-no-default-tags",
        ),
        pytest.param(
            "aws:autoscaling/group:Group",
            {
                "maxSize": 2,
                "minSize": 1,
                "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in COST_TAGS.items()],
            },
            False,
            id="auto-scaling-group-with-its-own-tags-passes",
        ),
        pytest.param(
            "aws:autoscaling/group:Group",
            {
                "maxSize": 2,
                "minSize": 1,
                "tags": [
                    {"key": k, "value": v, "propagateAtLaunch": k != "owner"} for k, v in COST_TAGS.items()
                ],
            },
            False,
            id="auto-scaling-group-tag-not-propagated-passes-its-template-may-tag-the-instances",
        ),
        pytest.param(
            "aws:sns/topic:Topic", {"name": "alerts"}, False, id="other-types-take-the-default-tags"
        ),
    ],
)
def test_default_tags_count_only_where_the_provider_applies_them(
    resource_type: str, inputs: dict[str, Any], violated: bool
) -> None:
    """An Auto Scaling group with no tags of its own passed on the provider's ``defaultTags``, which
    the AWS provider does not apply to Auto Scaling groups: its instances went untagged."""
    specs = [
        {
            "type": "pulumi:providers:aws",
            "name": "aws",
            "inputs": {"region": "eu-west-1", "defaultTags": json.dumps({"tags": COST_TAGS})},
        },
        {"type": resource_type, "name": "subject", "inputs": inputs, "provider": "aws"},
    ]
    report = evaluate_report(build(specs), None, [get_policy("required-cost-allocation-tags")])
    found = [v.message for v in report.violations]
    if violated:
        assert found == [
            "tags lacks owner, cost-center, environment: set them in the group's own `tags` (the aws "
            "provider's default_tags never reach an Auto Scaling group); propagate_at_launch=True, or the "
            "launch template's tag_specifications, tags its instances too."
        ]
    else:
        assert found == []


# --- endpoint-monitoring-schedule: a schedule created stopped -------------------------------------


def _monitored_stack(status: str | None, expression: str = "cron(0 * ? * * *)") -> list[dict[str, Any]]:
    schedule: dict[str, Any] = {
        "monitoringScheduleName": "endpoint-data-quality",
        "endpointName": "endpoint",
        "monitoringScheduleConfig": {
            "monitoringJobDefinitionName": "endpoint-dq",
            "monitoringType": "DataQuality",
            "scheduleConfig": {"scheduleExpression": expression},
        },
    }
    if status is not None:
        schedule["monitoringScheduleStatus"] = status
    return [
        {
            "type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "name": "config",
            "inputs": {
                "name": "config",
                "productionVariants": [dict(VARIANT)],
                "dataCaptureConfig": _capture(100),
            },
        },
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "inputs": {"name": "endpoint", "endpointConfigName": "config"},
            "deps": {"endpointConfigName": ["config"]},
        },
        {
            "type": "aws-native:sagemaker:MonitoringSchedule",
            "name": "schedule",
            "inputs": schedule,
            "deps": {"endpointName": ["endpoint"]},
        },
    ]


@pytest.mark.parametrize(
    ("status", "violated"),
    [
        pytest.param("Stopped", True, id="stopped-schedule-watches-nothing"),
        pytest.param("Scheduled", False, id="scheduled-passes"),
        pytest.param(None, False, id="unset-status-runs"),
    ],
)
def test_a_stopped_monitoring_schedule_does_not_watch_the_endpoint(
    status: str | None, violated: bool
) -> None:
    """An aws-native MonitoringSchedule created with ``monitoringScheduleStatus: Stopped`` (CloudFormation
    stops it) passed as the endpoint's monitor: no job ever runs."""
    report = evaluate_report(
        build(_monitored_stack(status)), None, [get_policy("endpoint-monitoring-schedule")]
    )
    found = [v.message for v in report.violations]
    assert report.undecided == []
    if violated:
        assert len(found) == 1 and found[0].startswith("endpoint 'endpoint' has no MonitoringSchedule")
    else:
        assert found == []


@pytest.mark.parametrize(
    "schedule_type",
    ["aws-native:sagemaker:MonitoringSchedule", "aws:sagemaker/monitoringSchedule:MonitoringSchedule"],
)
def test_a_one_time_monitoring_schedule_does_not_watch_the_endpoint(schedule_type: str) -> None:
    """``scheduleExpression: NOW`` is SageMaker's one-time run: the job runs once, at creation, and the
    endpoint goes unwatched from then on; it passed as the endpoint's monitor."""
    specs = _monitored_stack(None, "NOW")
    specs[2]["type"] = schedule_type
    specs[2]["inputs"]["monitoringScheduleConfig"]["scheduleConfig"].update(
        {"dataAnalysisStartTime": "-PT2H", "dataAnalysisEndTime": "-PT1H"}
    )
    report = evaluate_report(build(specs), None, [get_policy("endpoint-monitoring-schedule")])
    found = [v.message for v in report.violations]
    assert report.undecided == []
    assert len(found) == 1 and found[0].startswith("endpoint 'endpoint' has no MonitoringSchedule")


# --- endpoint-safe-rollout: a canary that does not wait for its alarms ----------------------------


@pytest.mark.parametrize(("wait", "violated"), [(0, True), (30, True), (60, False), (600, False)])
@pytest.mark.parametrize("shape", ["preview-inputs", "outputs-after-create"])
def test_canary_without_a_bake_is_not_a_safe_rollout(wait: int, violated: bool, shape: str) -> None:
    """A CANARY (or LINEAR) blue/green update with ``waitIntervalInSeconds: 0`` passed a prod config that
    refuses ALL_AT_ONCE: the canary takes the rest of the traffic at once, before any rollback alarm
    sees a minute of the new fleet's metrics (SageMaker accepts 0-3600)."""
    from tests.policies.engine_shapes import as_outputs
    from tests.policies.test_policy_prod_stack_rules import PROD, prod_graph, rollout

    routing = {
        "type": "CANARY",
        "waitIntervalInSeconds": wait,
        "canarySize": {"type": "CAPACITY_PERCENT", "value": 10},
    }
    records: list[Any] = build(
        prod_graph(endpoint=rollout(blueGreenUpdatePolicy={"trafficRoutingConfiguration": routing}))
    )
    if shape == "outputs-after-create":
        records = as_outputs(records)
    report = evaluate_report(records, PROD, [get_policy("endpoint-safe-rollout")])
    found = [v.message for v in report.violations]
    assert report.undecided == []
    if violated:
        assert found == [
            "deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.waitIntervalInSeconds is "
            f"{wait} on endpoint 'endpoint': bake at least 60 seconds (endpoint metrics are per minute, so the "
            "rollback alarms cannot judge a shorter step)."
        ]
    else:
        assert found == []


def test_component_rolling_update_without_a_bake_is_not_a_safe_rollout() -> None:
    """The same for an inference component's rolling update: each copy is replaced before an alarm can fire."""
    from tests.policies.test_policy_inference_component_rules import COMPONENT_OK, ic_graph

    policy = {**COMPONENT_OK["deploymentConfig"]["rollingUpdatePolicy"], "waitIntervalInSeconds": 0}
    specs = ic_graph(
        component={"deploymentConfig": {**COMPONENT_OK["deploymentConfig"], "rollingUpdatePolicy": policy}}
    )
    report = evaluate_report(build(specs), None, [get_policy("endpoint-safe-rollout")])
    found = [v.message for v in report.violations]
    assert len(found) == 1
    assert found[0].startswith(
        "deploymentConfig.rollingUpdatePolicy.waitIntervalInSeconds is 0 on inference component"
    )
    assert evaluate_report(build(ic_graph()), None, [get_policy("endpoint-safe-rollout")]).violations == []


# --- Kubernetes pod hygiene: a KServe serving runtime's containers --------------------------------


def _runtime(container: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "ClusterServingRuntime",
        "metadata": {"name": "triton"},
        "spec": {"supportedModelFormats": [{"name": "onnx", "version": "1"}], "containers": [container]},
    }


@pytest.mark.parametrize(
    "resource_type",
    [
        "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime",
        "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
    ],
)
def test_serving_runtime_containers_are_checked_on_what_they_set(resource_type: str) -> None:
    """A serving runtime's container is merged into the predictor pod of every InferenceService that
    uses it (``model: {runtime: ...}``), under the fields the InferenceService sets: a runtime with
    ``privileged: true`` made every such pod privileged while the InferenceService, hardened but silent
    on ``privileged``, passed. Like a Patch, a runtime is judged only on what it sets."""
    plain = {
        "name": "kserve-container",
        "image": "nvcr.io/nvidia/tritonserver@sha256:" + "c" * 64,
        "args": ["tritonserver"],
    }
    rules = (
        "k8s-container-security-context",
        "k8s-probes-configured",
        "k8s-resources-bounded",
        "k8s-no-host-namespaces",
        *POD_SECURITY_RULES,
    )
    for rule in rules:
        assert _report(rule, resource_type, _runtime(plain)) == ([], 0)
    privileged = {**plain, "securityContext": {"privileged": True, "allowPrivilegeEscalation": True}}
    found, undecided = _report("k8s-container-security-context", resource_type, _runtime(privileged))
    assert undecided == 0
    assert found == [
        "spec.containers[0].securityContext.privileged is true: remove it.",
        "spec.containers[0].securityContext.allowPrivilegeEscalation is True: set it to false.",
    ]


# --- k8s-gpu-pods-well-formed: GPUs taken through the runtime's environment ------------------------


def _cpu_deployment_with(variable: dict[str, Any]) -> dict[str, Any]:
    """A Deployment of one hardened container without GPU resources, given ``variable`` in its env."""
    container = {**HARDENED_CONTAINER, "env": [variable]}
    return {
        "metadata": {"name": "model", "namespace": "serving"},
        "spec": {"template": {"spec": {"automountServiceAccountToken": False, "containers": [container]}}},
    }


@pytest.mark.parametrize(
    ("value", "violated"),
    [("all", True), ("0,1", True), ("void", False), ("none", False), ("", False)],
)
def test_gpus_exposed_by_environment_must_be_requested(value: str, violated: bool) -> None:
    """A container with no ``nvidia.com/gpu`` request or limit but ``NVIDIA_VISIBLE_DEVICES=all`` passed
    as a CPU container: the NVIDIA runtime exposes the node's GPUs to it, outside the device plugin's
    allocation (and beside the pods they are allocated to)."""
    deployment = _cpu_deployment_with({"name": "NVIDIA_VISIBLE_DEVICES", "value": value})
    found, undecided = _report("k8s-gpu-pods-well-formed", "kubernetes:apps/v1:Deployment", deployment)
    assert undecided == 0
    if violated:
        assert len(found) == 1
        assert found[0].startswith(f"spec.template.spec.containers[0].env NVIDIA_VISIBLE_DEVICES={value!r}")
    else:
        assert found == []
    # A patch's container may take its GPU limit from the Deployment it patches: not refused there.
    found, undecided = _report("k8s-gpu-pods-well-formed", "kubernetes:apps/v1:DeploymentPatch", deployment)
    assert (found, undecided) == ([], 0)


def test_gpus_exposed_by_an_environment_reference_must_be_requested() -> None:
    """``valueFrom`` (a ConfigMap key, a Secret) hides the value from the policy: read as exposing."""
    reference = {"configMapKeyRef": {"name": "gpus", "key": "devices"}}
    deployment = _cpu_deployment_with({"name": "NVIDIA_VISIBLE_DEVICES", "valueFrom": reference})
    found, undecided = _report("k8s-gpu-pods-well-formed", "kubernetes:apps/v1:Deployment", deployment)
    assert undecided == 0
    assert len(found) == 1
    assert found[0].startswith("spec.template.spec.containers[0].env NVIDIA_VISIBLE_DEVICES='<valueFrom>'")
