"""What the platform creates against AWS's own API models, beyond tests/planner/test_api_models.py's
resource requests: every pipeline step's job request, the serving shapes the fixture stacks do not
hold (serverless, several GPU variants with a shadow, a shadow test, a shared endpoint, a Kubernetes
serving's pod identity), log retentions the model states in prose, and every action the platform's
IAM policies name.

The fixture stacks' resources are checked whole in test_api_models.py (every cloud resource type
has a request table there). Here:

* each step of each recorded pipeline is the request of the operation its type starts
  (``STEP_OPERATIONS``); a step type neither there nor in ``NO_JOB_STEPS`` fails;
* each serving shape is recorded as its component alone (no stack) and every resource's requests
  are checked; what makes the shape (a ``ServerlessConfig``, a shadow variant...) is asserted too,
  so a case that stops exercising it fails;
* each ``Action`` and ``NotAction`` of every policy document in those graphs is a real action of
  its service (tests/iam_actions.py: botocore's operations plus the documented action-only names).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from components.kubernetes.model_artifact_access import ModelArtifactAccess, ModelArtifactAccessArgs
from components.serving.inference_endpoint import InferenceEndpoint
from components.serving.inference_endpoint_spec import EndpointSpec
from components.serving.shared_endpoint import SharedEndpoint, SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.api_models import pipeline_step_errors, request_errors, service_model
from tests.aws_requests import REQUESTS, UnmappedInput, requests
from tests.components.serving_args import SERVING_CONTEXT, endpoint_args, record_shadow_test
from tests.iam_actions import action_error, policy_actions
from tests.recorded import computed_once

STACKS = ("dev", "staging", "prod")
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"

# --- pipeline steps ------------------------------------------------------------------------------

#: A step type's job: the operation its ``Arguments`` are the request of, and the member the pipeline
#: adds (the job's name, generated for each execution).
STEP_OPERATIONS: dict[str, tuple[str, str | None]] = {
    "Processing": ("CreateProcessingJob", "ProcessingJobName"),
    "Training": ("CreateTrainingJob", "TrainingJobName"),
    "Tuning": ("CreateHyperParameterTuningJob", "HyperParameterTuningJobName"),
    "Transform": ("CreateTransformJob", "TransformJobName"),
    "RegisterModel": ("CreateModelPackage", None),
}
#: Steps the pipeline service evaluates itself: no job, no request.
NO_JOB_STEPS = frozenset({"Condition", "Fail"})


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every step, a condition's branches included."""
    for step in steps:
        yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from _steps(step.get("Arguments", {}).get(branch, []))


def _step_problems(pipelines: Iterable[RecordedResource], seen: set[str]) -> list[str]:
    problems = []
    for pipeline in pipelines:
        for step in _steps(json.loads(pipeline.inputs["pipelineDefinition"])["Steps"]):
            kind = step["Type"]
            seen.add(kind)
            if kind in NO_JOB_STEPS:
                continue
            if kind not in STEP_OPERATIONS:
                problems.append(f"{pipeline.name} {step['Name']}: no operation for step type {kind!r}")
                continue
            operation, supplied = STEP_OPERATIONS[kind]
            arguments = {**step["Arguments"], **({supplied: "pipelines-placeholder"} if supplied else {})}
            problems += [
                f"{pipeline.name} {step['Name']}: {e}" for e in pipeline_step_errors(operation, arguments)
            ]
    return problems


def test_every_step_of_every_recorded_pipeline_is_a_request_its_operation_accepts(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    seen: set[str] = set()
    problems = [p for stack in STACKS for p in _step_problems(stack_graphs[stack].of_type(PIPELINE), seen)]
    assert problems == []
    # The fixtures hold every job a step starts (staging tunes, prod scores in batch): none unchecked.
    assert seen == set(STEP_OPERATIONS) | NO_JOB_STEPS, seen


def test_a_step_the_api_would_refuse_or_of_an_unknown_type_is_reported(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    [pipeline] = [p for p in stack_graphs["prod"].of_type(PIPELINE) if p.name.startswith("batch-")]
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    [transform] = [s for s in definition["Steps"] if s["Type"] == "Transform"]
    transform["Arguments"]["TransformResources"]["InstanceCount"] = 0
    definition["Steps"].append({"Name": "Callback", "Type": "Callback", "Arguments": {}})
    edited = dataclasses.replace(
        pipeline, inputs={**pipeline.inputs, "pipelineDefinition": json.dumps(definition)}
    )
    problems = _step_problems([edited], set())
    assert len(problems) == 2, problems
    assert "BatchTransform: Invalid value for parameter TransformResources.InstanceCount" in problems[0]
    assert problems[1].endswith("Callback: no operation for step type 'Callback'")


# --- serving shapes the fixture stacks do not hold -----------------------------------------------

PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]


def _variant(name: str, instance_type: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "model": {"model_package_arn": PACKAGE}, "instance_type": instance_type, **more}


SERVERLESS = {
    "name": "churn-sl",
    "variants": [
        {
            "name": "primary",
            "model": {"model_package_arn": PACKAGE},
            "serverless": {"memory_mb": 3072, "max_concurrency": 20, "provisioned_concurrency": 2},
        }
    ],
    "data_capture": {"enabled": False},
}
GPU_VARIANTS = {
    "name": "churn-gpu",
    "variants": [
        _variant(
            "primary",
            "ml.g5.2xlarge",
            weight=3,
            initial_instance_count=2,
            environment={"LOG_LEVEL": "info"},
            scaling={
                "min_capacity": 2,
                "max_capacity": 6,
                "gpu_utilization_percent": 70,
                # One step policy each way: PutScalingPolicy (StepScaling) and its PutMetricAlarm.
                "step": [
                    {
                        "name": "latency-out",
                        "direction": "out",
                        "metric": "ModelLatency",
                        "statistic": "p99",
                        "threshold": 200_000,
                        "steps": [
                            {"lower_bound": 0, "upper_bound": 150_000.5, "adjustment": 1},
                            {"lower_bound": 150_000.5, "adjustment": 2},
                        ],
                    },
                    {
                        "name": "gpu-in",
                        "direction": "in",
                        "metric": "GPUUtilization",
                        "statistic": "Average",
                        "threshold": 20,
                        "adjustment_type": "PercentChangeInCapacity",
                        "min_adjustment_magnitude": 1,
                        "steps": [{"upper_bound": 0, "adjustment": -50}],
                    },
                ],
            },
        ),
        _variant("canary", "ml.g5.xlarge", weight=1),
    ],
    "shadow_variants": [_variant("challenger", "ml.g4dn.xlarge")],
}
SHADOW_TEST = {
    "name": "churn-st",
    "variants": [_variant("champion", "ml.m5.xlarge", volume_size_gb=40)],
    "shadow_variants": [_variant("challenger", "ml.m5.large", initial_instance_count=2)],
    "shadow_test": {"start": "2027-03-01T00:00:00Z", "end": "2027-03-31T00:00:00Z", "sampling_percent": 50},
}
SHARED = {
    "name": "gpu-models",
    "instance_type": "ml.g5.12xlarge",
    "initial_instance_count": 2,
    "managed_scaling": {"min_instances": 2, "max_instances": 3},
    "components": [
        {
            "name": "churn",
            "model": {"model_package_arn": PACKAGE},
            "compute": {"cpu_cores": 4, "memory_mb": 16384, "accelerators": 1},
            "copies": 2,
            "scaling": {"min_copies": 2, "max_copies": 6, "invocations_per_copy": 80},
        },
        {
            "name": "ranker",
            "model": {"model_package_arn": PACKAGE},
            "compute": {"cpu_cores": 2, "memory_mb": 8192, "accelerators": 1},
        },
    ],
}


def _endpoint(spec: dict[str, Any]) -> Callable[[], None]:
    endpoint = EndpointSpec.model_validate(spec)
    return lambda: InferenceEndpoint("ep", endpoint_args(endpoint, subnet_ids=SUBNETS))


def _shared() -> None:
    shared = SharedEndpointSpec.model_validate(SHARED)
    context = SERVING_CONTEXT | {"subnet_ids": SUBNETS}
    SharedEndpoint("shared", SharedEndpointArgs(spec=shared, endpoint_name="test-gpu-models", **context))


def _pod_identity() -> None:
    """A Kubernetes serving's artifact reader: an EKS Pod Identity association and its role."""
    ModelArtifactAccess(
        "churn-artifact",
        ModelArtifactAccessArgs(
            account_id="123456789012",
            region="eu-west-1",
            cluster_name="ml",
            namespace="ml-serving",
            service_account="churn",
            model_data_url="s3://artifacts/models/churn/7/output/model.tar.gz",
            kms_key_arn=SERVING_CONTEXT["kms_key_arn"],
            role_path="/mlops-platform/test/",
            tags={"owner": "t"},
        ),
    )


def _graph(shape: str) -> ResourceGraph:
    """The shape's component(s) recorded alone, once per version of the code and of this module."""
    if shape == "shadow-test":  # computed once by serving_args itself, keyed by the spec
        return record_shadow_test(EndpointSpec.model_validate(SHADOW_TEST), subnet_ids=SUBNETS)
    record: dict[str, Callable[[], ResourceGraph]] = {
        "serverless": lambda: record_program(_endpoint(SERVERLESS)),
        "gpu-variants-and-shadow": lambda: record_program(_endpoint(GPU_VARIANTS)),
        "shared-endpoint": lambda: record_program(_shared),
        "pod-identity": lambda: record_program(_pod_identity),
    }
    return computed_once(f"serving-{shape}", record[shape])


def _calls(graph: ResourceGraph) -> dict[str, list[dict[str, Any]]]:
    """Each operation's requests, every resource's inputs mapped and accepted by the API's model."""
    calls: dict[str, list[dict[str, Any]]] = {}
    problems = []
    for resource in graph.cloud_resources:
        for service, operation, params in requests(resource):
            problems += [f"{resource.name}: {e}" for e in request_errors(service, operation, params)]
            calls.setdefault(operation, []).append(params)
    assert problems == []
    return calls


def _serverless(calls: dict[str, list[dict[str, Any]]]) -> None:
    [config] = calls["CreateEndpointConfig"]
    [variant] = config["ProductionVariants"]
    assert "InstanceType" not in variant
    assert variant["ServerlessConfig"] == {
        "MemorySizeInMB": 3072,
        "MaxConcurrency": 20,
        "ProvisionedConcurrency": 2,
    }


def _gpu_variants_and_shadow(calls: dict[str, list[dict[str, Any]]]) -> None:
    [config] = calls["CreateEndpointConfig"]
    weights = {
        v["VariantName"]: (v["InstanceType"], v["InitialVariantWeight"]) for v in config["ProductionVariants"]
    }
    assert weights == {"primary": ("ml.g5.2xlarge", 3), "canary": ("ml.g5.xlarge", 1)}
    assert [v["InstanceType"] for v in config["ShadowProductionVariants"]] == ["ml.g4dn.xlarge"]
    assert "KmsKeyId" not in config  # local NVMe storage: CreateEndpointConfig refuses a volume key
    [target] = calls["RegisterScalableTarget"]
    assert target["ResourceId"].endswith("/variant/primary")
    steps = {
        p["PolicyName"].rsplit("-step-", 1)[-1]: p["StepScalingPolicyConfiguration"]
        for p in calls["PutScalingPolicy"]
        if p["PolicyType"] == "StepScaling"
    }
    assert steps["latency-out"]["StepAdjustments"] == [
        {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 150_000.5, "ScalingAdjustment": 1},
        {"MetricIntervalLowerBound": 150_000.5, "ScalingAdjustment": 2},
    ]
    assert steps["gpu-in"]["MinAdjustmentMagnitude"] == 1
    alarms = {
        a["AlarmName"].rsplit("-step-", 1)[-1]: a
        for a in calls["PutMetricAlarm"]
        if "-step-" in a["AlarmName"]
    }
    assert (alarms["latency-out"]["ExtendedStatistic"], alarms["gpu-in"]["Statistic"]) == ("p99", "Average")


def _shadow_test(calls: dict[str, list[dict[str, Any]]]) -> None:
    [experiment] = calls["CreateInferenceExperiment"]
    assert experiment["Type"] == "ShadowMode"
    assert experiment["ShadowModeConfig"] == {
        "SourceModelVariantName": "champion",
        "ShadowModelVariants": [{"ShadowModelVariantName": "challenger", "SamplingPercentage": 50}],
    }
    assert experiment["KmsKey"] == experiment["DataStorageConfig"]["KmsKey"]


def _shared_endpoint(calls: dict[str, list[dict[str, Any]]]) -> None:
    components = {
        c["InferenceComponentName"].rsplit("-", 1)[-1]: c for c in calls["CreateInferenceComponent"]
    }
    assert sorted(components) == ["churn", "ranker"]
    assert components["churn"]["RuntimeConfig"] == {"CopyCount": 2}
    assert (
        components["churn"]["Specification"]["ComputeResourceRequirements"][
            "NumberOfAcceleratorDevicesRequired"
        ]
        == 1
    )


def _pod_identity_association(calls: dict[str, list[dict[str, Any]]]) -> None:
    [association] = calls["CreatePodIdentityAssociation"]
    assert (association["clusterName"], association["namespace"], association["serviceAccount"]) == (
        "ml",
        "ml-serving",
        "churn",
    )
    [role] = calls["CreateRole"]
    assert association["roleArn"].endswith(f":role/mlops-platform/test/{role['RoleName']}")


SHAPES: dict[str, Callable[[dict[str, list[dict[str, Any]]]], None]] = {
    "serverless": _serverless,
    "gpu-variants-and-shadow": _gpu_variants_and_shadow,
    "shadow-test": _shadow_test,
    "shared-endpoint": _shared_endpoint,
    "pod-identity": _pod_identity_association,
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_serving_shape_is_requests_the_apis_accept(shape: str) -> None:
    graph = _graph(shape)
    missing = {r.type for r in graph.cloud_resources} - set(REQUESTS)
    assert not missing, f"add a table to tests/aws_requests.py for {sorted(missing)}"
    SHAPES[shape](_calls(graph))


def test_an_inference_experiment_the_api_would_refuse_or_with_an_unmapped_input_is_reported() -> None:
    [experiment] = _graph("shadow-test").of_type(EXPERIMENT)
    config = experiment.inputs["shadowModeConfig"]
    variants = [{**config["shadowModelVariants"][0], "samplingPercentage": 101}]
    refused = dataclasses.replace(
        experiment,
        inputs={**experiment.inputs, "shadowModeConfig": {**config, "shadowModelVariants": variants}},
    )
    [(service, operation, params)] = requests(refused)
    [error] = request_errors(service, operation, params)
    assert "SamplingPercentage: 101, more than the maximum 100" in error
    with pytest.raises(UnmappedInput, match="desiredState"):
        requests(dataclasses.replace(experiment, inputs={**experiment.inputs, "desiredState": "Cancelled"}))


# --- values the model states only in prose -------------------------------------------------------


def _documented_retentions() -> set[int]:
    """PutRetentionPolicy's ``retentionInDays``: an integer in the model, its values in its prose."""
    member = (
        service_model("logs").operation_model("PutRetentionPolicy").input_shape.members["retentionInDays"]
    )
    values = re.search(r"Possible values are: ([0-9, and]+)\.", member.documentation)
    assert values, member.documentation
    return {int(days) for days in re.findall(r"[0-9]+", values.group(1))}


def test_every_log_group_retention_is_one_the_logs_api_documents(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    documented = _documented_retentions()
    retentions = {
        f"{stack} {group.name}": params["retentionInDays"]
        for stack in STACKS
        for group in stack_graphs[stack].of_type("aws:cloudwatch/logGroup:LogGroup")
        for _, operation, params in requests(group)
        if operation == "PutRetentionPolicy"
    }
    assert {name: days for name, days in retentions.items() if days not in documented} == {}
    # The fixtures' only log groups are the VPC flow logs' (30, 90 and 365 days): the table of
    # values the stack files may hold is checked whole in tests/planner/test_mocks_names_semantics.py.
    assert len(set(retentions.values())) == len(STACKS), retentions
    assert 366 not in documented and 365 in documented  # a year is 365 days, not 366


# --- IAM actions ---------------------------------------------------------------------------------


def test_every_action_the_platforms_policies_name_is_an_action_of_its_service(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    graphs = {**stack_graphs, **{shape: _graph(shape) for shape in SHAPES}}
    problems, holders = [], set()
    for name, graph in graphs.items():
        for resource, action in policy_actions(graph):
            holders.add(resource.type)
            if error := action_error(action):
                problems.append(f"{name} {resource.type} {resource.name}: {error}")
    assert problems == []
    # Identity policies, trust policies and the resource policies of keys, buckets, topics, queues,
    # the registry and the VPC endpoints are all read (a policy that stopped being JSON would not be).
    assert holders == {
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/policy:Policy",
        "aws:kms/key:Key",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
    }, holders


def test_every_action_the_policy_packs_tables_name_is_an_action_of_its_service() -> None:
    """A guard rule's table entry that names no action (a typo) makes the rule blind to it."""
    from policies.rules import _iam_actions as tables

    named = {
        table: actions
        for table in ("CREDENTIAL_ACTIONS", "DATA_READ_ACTIONS", "PERMISSIONS_ACTIONS", "NO_RESOURCE_LEVEL")
        if (actions := getattr(tables, table))
    }
    assert len(named) == 4
    problems = [
        f"{table}: {error}" for table, actions in named.items() for a in actions if (error := action_error(a))
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("action", "refused"),
    [
        pytest.param("sagemaker:CreateTrainingJob", None, id="an-operation"),
        pytest.param("sagemaker:createtrainingjob", None, id="any-case"),
        pytest.param("sagemaker:InvokeEndpoint", None, id="a-runtime-operation"),
        pytest.param("states:StartExecution", None, id="a-prefix-of-another-name"),
        pytest.param("kms:GenerateDataKey*", None, id="a-wildcard"),
        pytest.param("iam:PassRole", None, id="action-only"),
        pytest.param("s3:PutAccessPointPolicy", None, id="an-s3-control-operation"),
        pytest.param(
            "s3:PutPublicAccessBlock", "use s3:PutBucketPublicAccessBlock", id="s3-control-no-action"
        ),
        pytest.param("sagemaker-mlflow:LogBatch", None, id="a-service-botocore-lacks"),
        pytest.param("*", None, id="everything"),
        pytest.param("sagemaker:CreateTrainingJobs", "no action of sagemaker", id="a-typo"),
        pytest.param("kms:Sign*Data", "no action of kms", id="a-wildcard-matching-nothing"),
        pytest.param("s3:ListObjectsV2", "use s3:ListBucket", id="an-operation-that-is-no-action"),
        pytest.param("lambda:Invoke", "use lambda:InvokeFunction", id="lambda-invoke"),
        pytest.param("s3:ListBuckets", "use s3:ListAllMyBuckets", id="s3-list-buckets"),
        pytest.param("s3:ListAllMyBuckets", None, id="s3-list-all-my-buckets"),
        pytest.param("s3:listobjectsv2", "use s3:ListBucket", id="an-operation-in-any-case"),
        pytest.param("s3:DeleteBucketCors", "use s3:PutBucketCORS", id="a-delete-with-the-put-action"),
        pytest.param("bedrock-runtime:InvokeModel", "IAM prefix is 'bedrock'", id="an-sdk-name-of-no-table"),
        pytest.param("sagemaker-mlflow:LogEverything", "no action of sagemaker-mlflow", id="unknown-mlflow"),
        pytest.param("stepfunctions:StartExecution", "IAM prefix is 'states'", id="sdk-name-not-prefix"),
        pytest.param("sagemaker", "not <service>:<action>", id="no-colon"),
    ],
)
def test_an_action_is_checked_against_its_services_operations(action: str, refused: str | None) -> None:
    error = action_error(action)
    if refused is None:
        assert error is None
    else:
        assert error is not None and refused in error, error
