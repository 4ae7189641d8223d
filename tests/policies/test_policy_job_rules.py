"""Training jobs, model-monitor jobs and SageMaker pipeline definitions.

Pipeline definitions are built here in the shape ``sagemaker.workflow.Pipeline.definition()``
emits (API requests as step Arguments, parameters as ``{"Get": "Parameters.X"}``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build, run_policy

TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
NATIVE_DATA_QUALITY = "aws-native:sagemaker:DataQualityJobDefinition"
MODEL_QUALITY = "aws-native:sagemaker:ModelQualityJobDefinition"
MODEL_BIAS = "aws-native:sagemaker:ModelBiasJobDefinition"
EXPLAINABILITY = "aws-native:sagemaker:ModelExplainabilityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NATIVE_PIPELINE = "aws-native:sagemaker:Pipeline"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
VPC = {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}
API_VPC = {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}


def training_job(instance_type: str = "ml.m5.xlarge", **changes: Any) -> dict[str, Any]:
    job = {
        "roleArn": "arn:aws:iam::111122223333:role/train",
        "trainingJobName": "train",
        "enableNetworkIsolation": True,
        "enableInterContainerTrafficEncryption": True,
        "vpcConfig": VPC,
        "outputDataConfig": {"s3OutputPath": "s3://artifacts/", "kmsKeyId": KEY},
        "resourceConfig": {
            "instanceType": instance_type,
            "instanceCount": 1,
            "volumeSizeInGb": 30,
            "volumeKmsKeyId": KEY,
        },
    }
    job.update(changes)
    return job


def monitor_job(
    output_config: str,
    *,
    isolation: bool = True,
    transit: bool = True,
    output_key: bool = True,
    volume_key: bool = True,
) -> dict[str, Any]:
    cluster = {"instanceCount": 1, "instanceType": "ml.m5.xlarge", "volumeSizeInGb": 20}
    if volume_key:
        cluster["volumeKmsKeyId"] = KEY
    output: dict[str, Any] = {
        "monitoringOutputs": [{"s3Output": {"s3Uri": "s3://reports", "localPath": "/out"}}]
    }
    if output_key:
        output["kmsKeyId"] = KEY
    return {
        "roleArn": "arn:aws:iam::111122223333:role/monitor",
        "jobResources": {"clusterConfig": cluster},
        output_config: output,
        "networkConfig": {
            "enableInterContainerTrafficEncryption": transit,
            "enableNetworkIsolation": isolation,
            "vpcConfig": VPC,
        },
    }


def embedded_schedule(**kwargs: Any) -> dict[str, Any]:
    job = monitor_job("monitoringOutputConfig", **kwargs)
    job["monitoringResources"] = job.pop("jobResources")
    return {"monitoringScheduleConfig": {"monitoringType": "DataQuality", "monitoringJobDefinition": job}}


def definition(
    *,
    isolation: Any = True,
    output_key: Any = KEY,
    processing_volume_key: Any = KEY,
    train_type: Any = None,
    train_volume_key: Any = KEY,
    evaluate_network: bool = True,
    approval: Any = None,
    approval_default: str | None = "PendingManualApproval",
    isolation_default: bool = True,
    tuning: bool = False,
) -> str:
    """A pipeline definition: preprocess -> train -> condition(evaluate, register)."""
    network = {
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": API_VPC,
    }
    preprocess = {
        "Name": "Preprocess",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": "ml.m5.xlarge",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                    "VolumeKmsKeyId": processing_volume_key,
                }
            },
            "ProcessingOutputConfig": {"Outputs": [], "KmsKeyId": {"Get": "Parameters.KmsKey"}},
            "NetworkConfig": network,
        },
    }
    train_arguments = {
        "ResourceConfig": {
            "InstanceType": train_type or {"Get": "Parameters.TrainingInstanceType"},
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
            "VolumeKmsKeyId": train_volume_key,
        },
        "OutputDataConfig": {"S3OutputPath": "s3://artifacts/", "KmsKeyId": output_key},
        "VpcConfig": API_VPC,
        "EnableNetworkIsolation": isolation,
        "EnableInterContainerTrafficEncryption": True,
    }
    train = (
        {"Name": "Tune", "Type": "Tuning", "Arguments": {"TrainingJobDefinition": train_arguments}}
        if tuning
        else {"Name": "Train", "Type": "Training", "Arguments": train_arguments}
    )
    evaluate = {
        "Name": "Evaluate",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeKmsKeyId": KEY}
            },
            **({"NetworkConfig": network} if evaluate_network else {}),
        },
    }
    register = {
        "Name": "Register",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": "churn",
            "ModelApprovalStatus": approval or {"Get": "Parameters.ModelApprovalStatus"},
        },
    }
    parameters = [
        {"Name": "TrainingInstanceType", "Type": "String", "DefaultValue": "ml.m5.xlarge"},
        {"Name": "KmsKey", "Type": "String", "DefaultValue": KEY},
        {"Name": "Isolate", "Type": "Boolean", "DefaultValue": isolation_default},
        {
            "Name": "ModelApprovalStatus",
            "Type": "String",
            **({"DefaultValue": approval_default} if approval_default else {}),
        },
    ]
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": parameters,
            "Steps": [
                preprocess,
                train,
                {
                    "Name": "CheckQuality",
                    "Type": "Condition",
                    "Arguments": {"Conditions": [], "IfSteps": [evaluate, register], "ElseSteps": []},
                },
            ],
        }
    )


def pipeline(**kwargs: Any) -> dict[str, Any]:
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/pipeline",
        "pipelineDefinition": definition(**kwargs),
    }


CASES = [
    # training jobs
    pytest.param(
        "training-job-network-isolated", TRAINING_JOB, training_job(), None, id="isolated-training-passes"
    ),
    pytest.param(
        "training-job-network-isolated",
        TRAINING_JOB,
        training_job(enableNetworkIsolation=False),
        "enableNetworkIsolation",
        id="training-without-isolation-fails",
    ),
    pytest.param(
        "training-job-network-isolated",
        TRAINING_JOB,
        training_job(vpcConfig=None),
        "vpcConfig.subnets",
        id="training-outside-vpc-fails",
    ),
    pytest.param(
        "training-job-network-isolated",
        TRAINING_JOB,
        training_job(vpcConfig={"subnets": ["subnet-1"]}),
        "vpcConfig.securityGroupIds",
        id="training-without-security-groups-fails",
    ),
    pytest.param(
        "training-job-kms-encrypted", TRAINING_JOB, training_job(), None, id="encrypted-training-passes"
    ),
    pytest.param(
        "training-job-kms-encrypted",
        TRAINING_JOB,
        training_job("ml.g5.2xlarge", resourceConfig={"instanceType": "ml.g5.2xlarge", "instanceCount": 1}),
        None,
        id="instance-store-gpu-without-volume-key-passes",
    ),
    pytest.param(
        "training-job-kms-encrypted",
        TRAINING_JOB,
        training_job(outputDataConfig={"s3OutputPath": "s3://a/"}),
        "outputDataConfig.kmsKeyId",
        id="training-output-unencrypted-fails",
    ),
    pytest.param(
        "training-job-kms-encrypted",
        TRAINING_JOB,
        training_job(resourceConfig={"instanceType": "ml.m5.xlarge", "instanceCount": 1}),
        "resourceConfig.volumeKmsKeyId is unset",
        id="training-volume-unencrypted-fails",
    ),
    pytest.param(
        "training-job-kms-encrypted",
        TRAINING_JOB,
        training_job("ml.p4d.24xlarge"),
        "instance-store types (ml.p4d.24xlarge)",
        id="volume-key-on-instance-store-fails",
    ),
    # model-monitor job definitions
    pytest.param(
        "data-quality-job-encrypted-isolated",
        DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig"),
        None,
        id="hardened-data-quality-job-passes",
    ),
    pytest.param(
        "data-quality-job-encrypted-isolated",
        NATIVE_DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig"),
        None,
        id="hardened-native-data-quality-job-passes",
    ),
    pytest.param(
        "data-quality-job-encrypted-isolated",
        DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig", transit=False),
        "networkConfig.enableInterContainerTrafficEncryption",
        id="data-quality-without-transit-encryption-fails",
    ),
    pytest.param(
        "data-quality-job-encrypted-isolated",
        DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig", output_key=False),
        "dataQualityJobOutputConfig.kmsKeyId",
        id="data-quality-output-unencrypted-fails",
    ),
    pytest.param(
        "data-quality-job-encrypted-isolated",
        DATA_QUALITY,
        monitor_job("dataQualityJobOutputConfig", volume_key=False),
        "jobResources.clusterConfig.volumeKmsKeyId",
        id="data-quality-volume-unencrypted-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        MODEL_QUALITY,
        monitor_job("modelQualityJobOutputConfig"),
        None,
        id="hardened-model-quality-job-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        MODEL_BIAS,
        monitor_job("modelBiasJobOutputConfig"),
        None,
        id="hardened-bias-job-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        MODEL_BIAS,
        monitor_job("modelBiasJobOutputConfig", isolation=False),
        "networkConfig.enableNetworkIsolation",
        id="bias-job-without-isolation-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        EXPLAINABILITY,
        monitor_job("modelExplainabilityJobOutputConfig", output_key=False),
        "modelExplainabilityJobOutputConfig.kmsKeyId",
        id="explainability-output-unencrypted-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        EXPLAINABILITY,
        monitor_job("modelExplainabilityJobOutputConfig", isolation=False),
        None,
        id="explainability-job-in-a-vpc-without-isolation-passes",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        EXPLAINABILITY,
        {
            **monitor_job("modelExplainabilityJobOutputConfig", isolation=False),
            "networkConfig": {"enableInterContainerTrafficEncryption": True, "enableNetworkIsolation": False},
        },
        "networkConfig.vpcConfig has no subnets and security groups",
        id="explainability-job-without-isolation-outside-a-vpc-fails",
    ),
    pytest.param(
        "model-monitor-job-encrypted-isolated",
        EXPLAINABILITY,
        {
            **monitor_job("modelExplainabilityJobOutputConfig", isolation=False),
            "networkConfig": {
                "enableInterContainerTrafficEncryption": True,
                "enableNetworkIsolation": False,
                "vpcConfig": {"subnets": ["subnet-1"]},
            },
        },
        "networkConfig.vpcConfig has no subnets and security groups",
        id="explainability-job-without-isolation-or-security-group-fails",
    ),
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        SCHEDULE,
        embedded_schedule(),
        None,
        id="hardened-embedded-definition-passes",
    ),
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        SCHEDULE,
        {"monitoringScheduleConfig": {"monitoringJobDefinitionName": "dq", "monitoringType": "DataQuality"}},
        None,
        id="schedule-referencing-a-definition-is-checked-there",
    ),
    pytest.param(
        "monitoring-schedule-encrypted-isolated",
        SCHEDULE,
        embedded_schedule(isolation=False),
        "monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableNetworkIsolation",
        id="embedded-definition-without-isolation-fails",
    ),
    # pipelines: network
    pytest.param(
        "pipeline-steps-network-isolated", PIPELINE, pipeline(), None, id="isolated-pipeline-passes"
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        PIPELINE,
        pipeline(isolation={"Get": "Parameters.Isolate"}),
        None,
        id="isolation-from-true-parameter-default-passes",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        PIPELINE,
        pipeline(isolation={"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs"}),
        "evaluated only when the pipeline runs",
        id="isolation-from-a-step-output-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        PIPELINE,
        pipeline(isolation={"Get": "Parameters.Isolate"}, isolation_default=False),
        "Steps[Train].Arguments.EnableNetworkIsolation",
        id="isolation-from-false-parameter-default-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        PIPELINE,
        pipeline(evaluate_network=False),
        "Steps[Evaluate].Arguments.NetworkConfig.EnableNetworkIsolation",
        id="step-nested-in-condition-without-network-config-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        PIPELINE,
        {"pipelineDefinition": "{not json"},
        "pipelineDefinition is not a JSON object",
        id="unparsable-definition-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        PIPELINE,
        {"pipelineDefinition": '{"Version": "2020-12-01"}'},
        "pipelineDefinition has no Steps list",
        id="definition-without-steps-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        PIPELINE,
        {"pipelineDefinition": '{"Version": "2020-12-01", "Steps": "oops"}'},
        "pipelineDefinition has no Steps list",
        id="steps-that-are-no-list-fail",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        NATIVE_PIPELINE,
        {"pipelineDefinition": {"pipelineDefinitionS3Locaton": {"bucket": "b", "key": "k"}}},
        "pipelineDefinition has no Steps list",
        id="misspelt-native-definition-key-fails",
    ),
    # pipelines: KMS
    pytest.param("pipeline-steps-kms-encrypted", PIPELINE, pipeline(), None, id="encrypted-pipeline-passes"),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        PIPELINE,
        pipeline(train_type="ml.g5.xlarge", train_volume_key=None),
        None,
        id="instance-store-step-without-volume-key-passes",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        PIPELINE,
        pipeline(output_key=None),
        "Steps[Train].Arguments.OutputDataConfig.KmsKeyId",
        id="training-step-output-unencrypted-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        PIPELINE,
        pipeline(processing_volume_key=None),
        "Steps[Preprocess].Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId",
        id="processing-step-volume-unencrypted-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        PIPELINE,
        pipeline(tuning=True, train_volume_key=None),
        "Steps[Tune].Arguments.TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
        id="tuning-step-volume-unencrypted-fails",
    ),
    # managed spot: checkpoints and a wait limit (pipelines and jobs)
    pytest.param(
        "pipeline-spot-training-checkpointed", PIPELINE, pipeline(), None, id="on-demand-training-step-passes"
    ),
    pytest.param(
        "pipeline-spot-training-checkpointed",
        TRAINING_JOB,
        training_job(
            enableManagedSpotTraining=True,
            checkpointConfig={"s3Uri": "s3://artifacts/checkpoints/"},
            stoppingCondition={"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": 7200},
        ),
        None,
        id="checkpointed-spot-training-job-passes",
    ),
    pytest.param(
        "pipeline-spot-training-checkpointed",
        TRAINING_JOB,
        training_job(
            enableManagedSpotTraining=True,
            stoppingCondition={"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": 7200},
        ),
        "checkpointConfig.s3Uri is unset",
        id="spot-training-job-without-checkpoints-fails",
    ),
    pytest.param(
        "pipeline-spot-training-checkpointed",
        TRAINING_JOB,
        training_job(
            enableManagedSpotTraining=True,
            checkpointConfig={"s3Uri": "s3://artifacts/checkpoints/"},
            stoppingCondition={"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": 3600},
        ),
        "stoppingCondition.maxWaitTimeInSeconds (3600) must be greater than",
        id="spot-training-job-waiting-no-longer-than-it-runs-fails",
    ),
    # pipelines: governance
    pytest.param(
        "model-package-group-manual-approval",
        PIPELINE,
        pipeline(),
        None,
        id="approval-parameter-defaulting-to-pending-passes",
    ),
    pytest.param(
        "model-package-group-manual-approval",
        PIPELINE,
        pipeline(approval="PendingManualApproval"),
        None,
        id="literal-pending-approval-passes",
    ),
    pytest.param(
        "model-package-group-manual-approval",
        PIPELINE,
        pipeline(approval="Approved"),
        "Steps[Register].Arguments.ModelApprovalStatus is 'Approved'",
        id="auto-approved-registration-fails",
    ),
    pytest.param(
        "model-package-group-manual-approval",
        PIPELINE,
        pipeline(approval_default="Approved"),
        "DefaultValue is 'Approved'",
        id="approval-parameter-defaulting-to-approved-fails",
    ),
    pytest.param(
        "model-package-group-manual-approval",
        PIPELINE,
        pipeline(approval_default=None),
        "DefaultValue is None",
        id="approval-parameter-without-default-fails",
    ),
    pytest.param(
        "instance-type-allowlist", PIPELINE, pipeline(), None, id="pipeline-with-allowed-types-passes"
    ),
    pytest.param(
        "instance-type-allowlist",
        PIPELINE,
        pipeline(train_type="ml.p4d.24xlarge", train_volume_key=None),
        "Steps[Train].Arguments.ResourceConfig.InstanceType 'ml.p4d.24xlarge'",
        id="pipeline-step-with-disallowed-type-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


def test_manual_approval_can_be_switched_off_by_config(check_resource, outcome):
    config = {"model-package-group-manual-approval": {"requireManualApproval": False}}
    violations = check_resource(
        "model-package-group-manual-approval", PIPELINE, pipeline(approval="Approved"), config
    )
    outcome(violations, "model-package-group-manual-approval", None)


def test_definition_in_s3_is_not_inspected(check_resource, outcome):
    inputs = {"pipelineDefinitionS3Location": {"bucket": "defs", "objectKey": "churn.json"}}
    for name in ("pipeline-steps-network-isolated", "pipeline-steps-kms-encrypted"):
        outcome(check_resource(name, PIPELINE, inputs), name, None)


# --- what starts a pipeline keeps its registrations pending ----------------------------------------

STARTS = "pipeline-starts-keep-manual-approval"
PIPELINE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn"


def started_by(kind: str, target_property: str, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The test pipeline and a starter of ``kind`` that depends on it through ``target_property``."""
    return [
        {"type": PIPELINE, "name": "churn-pipeline", "inputs": pipeline()},
        {"type": kind, "name": "starter", "deps": {target_property: ["churn-pipeline"]}, "inputs": inputs},
    ]


def approval(value: str, name: str = "ModelApprovalStatus") -> list[dict[str, str]]:
    return [{"name": name, "value": value}]


def schedule_starting(parameters: list[dict[str, str]]) -> list[dict[str, Any]]:
    return started_by(
        "aws:scheduler/schedule:Schedule",
        "target",
        {
            "scheduleExpression": "rate(1 day)",
            "flexibleTimeWindow": {"mode": "OFF"},
            "target": {
                "arn": PIPELINE_ARN,
                "roleArn": "arn:aws:iam::111122223333:role/scheduler",
                "sagemakerPipelineParameters": {"pipelineParameters": parameters},
            },
        },
    )


APPROVED_BY_A_STARTER = (
    "starter starts pipeline 'churn-pipeline' with ModelApprovalStatus='Approved', the status its "
    "RegisterModel step registers models with"
)

STACK_CASES = [
    pytest.param(
        STARTS, schedule_starting(approval("Approved")), APPROVED_BY_A_STARTER, id="schedule-approves-fails"
    ),
    pytest.param(
        STARTS, schedule_starting(approval("PendingManualApproval")), None, id="schedule-pending-passes"
    ),
    pytest.param(STARTS, schedule_starting([]), None, id="schedule-leaving-the-default-passes"),
    pytest.param(
        STARTS,
        schedule_starting(approval("ml.m5.xlarge", "TrainingInstanceType")),
        None,
        id="schedule-setting-another-parameter-passes",
    ),
    pytest.param(
        STARTS,
        started_by(
            "aws:cloudwatch/eventTarget:EventTarget",
            "arn",
            {
                "rule": "nightly",
                "arn": PIPELINE_ARN,
                "sagemakerPipelineTarget": {"pipelineParameterLists": approval("Approved")},
            },
        ),
        APPROVED_BY_A_STARTER,
        id="event-target-approves-fails",
    ),
    pytest.param(
        STARTS,
        started_by(
            "aws-native:events:Rule",
            "targets",
            {
                "scheduleExpression": "rate(1 day)",
                "targets": [
                    {
                        "id": "train",
                        "arn": PIPELINE_ARN,
                        "sageMakerPipelineParameters": {"pipelineParameterList": approval("Approved")},
                    }
                ],
            },
        ),
        APPROVED_BY_A_STARTER,
        id="aws-native-rule-approves-fails",
    ),
    pytest.param(
        STARTS,
        started_by(
            "aws:pipes/pipe:Pipe",
            "target",
            {
                "source": "arn:aws:sqs:eu-west-1:111122223333:new-data",
                "roleArn": "arn:aws:iam::111122223333:role/pipe",
                "target": PIPELINE_ARN,
                "targetParameters": {
                    "sagemakerPipelineParameters": {"pipelineParameters": approval("Approved")}
                },
            },
        ),
        APPROVED_BY_A_STARTER,
        id="pipe-approves-fails",
    ),
    pytest.param(
        STARTS,
        started_by(
            "aws-native:pipes:Pipe",
            "target",
            {
                "source": "arn:aws:sqs:eu-west-1:111122223333:new-data",
                "roleArn": "arn:aws:iam::111122223333:role/pipe",
                "target": PIPELINE_ARN,
                "targetParameters": {
                    "sageMakerPipelineParameters": {"pipelineParameterList": approval("Approved")}
                },
            },
        ),
        APPROVED_BY_A_STARTER,
        id="aws-native-pipe-approves-fails",
    ),
    pytest.param(
        STARTS,
        schedule_starting([*approval("Approved"), *approval("PendingManualApproval")]),
        APPROVED_BY_A_STARTER,
        id="a-name-given-twice-is-both",
    ),
    pytest.param(
        STARTS,
        [
            {
                "type": PIPELINE,
                "name": "churn-pipeline",
                "inputs": pipeline(approval="PendingManualApproval"),
            },
            schedule_starting(approval("Approved"))[1],
        ],
        None,
        id="a-literal-status-reads-no-parameter",
    ),
]


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs), policy_name, fragment)


def test_starts_keep_manual_approval_can_be_switched_off_by_config(check_stack, outcome):
    config = {STARTS: {"requireManualApproval": False}}
    outcome(check_stack(STARTS, schedule_starting(approval("Approved")), config), STARTS, None)


def test_a_starters_parameter_unknown_at_preview_is_undecided():
    report = evaluate_report(
        build(schedule_starting(approval(UNKNOWN_STRING_VALUE))), None, [get_policy(STARTS)]
    )
    assert report.violations == [] and report.stack_undecided == {STARTS: 1}


def test_a_starter_whose_target_is_unknown_at_preview_is_decided_by_its_parameters():
    """A first preview: the schedule names the pipeline by its ARN Output. Passing no approval status
    (the platform's own starters) passes; passing Approved is undecided until the ARN is known."""

    def report(parameters: list[dict[str, str]]) -> Any:
        specs = schedule_starting(parameters)
        specs[1]["inputs"]["target"]["arn"] = UNKNOWN_STRING_VALUE
        return evaluate_report(build(specs), None, [get_policy(STARTS)])

    for decided in ([], approval("PendingManualApproval"), approval("Rejected"), approval("x", "Other")):
        found = report(decided)
        assert found.violations == [] and not any(found.stack_undecided.values()), decided
    undecided = report(approval("Approved"))
    assert undecided.violations == [] and undecided.stack_undecided == {STARTS: 1}


def test_a_pipeline_nothing_starts_is_not_read():
    """Its definition unknown at preview leaves nothing undecided when no starter names it."""
    specs = [
        {
            "type": PIPELINE,
            "name": "churn-pipeline",
            "inputs": {**pipeline(), "pipelineDefinition": UNKNOWN_STRING_VALUE},
        }
    ]
    found = evaluate_report(build(specs), None, [get_policy(STARTS)])
    assert found.violations == [] and not any(found.stack_undecided.values())


# --- StartPipelineExecution called by a state machine or a Scheduler universal target --------------

START_TASK = "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution"


def request(value: str, name: str = "ModelApprovalStatus") -> list[dict[str, str]]:
    """StartPipelineExecution's ``PipelineParameters`` (the API's Name/Value)."""
    return [{"Name": name, "Value": value}]


def starting_task(parameters: list[dict[str, str]], *, arguments: bool = False) -> dict[str, Any]:
    request = {"PipelineName": "churn", "PipelineParameters": parameters}
    return {
        "Type": "Task",
        "Resource": START_TASK,
        ("Arguments" if arguments else "Parameters"): request,
        "End": True,
    }


def machine(*states: dict[str, Any], native: bool = False) -> list[dict[str, Any]]:
    """The test pipeline and a state machine whose states are ``states`` (S0, S1...)."""
    definition = {"StartAt": "S0", "States": {f"S{i}": state for i, state in enumerate(states)}}
    resource = (
        {"type": "aws-native:stepfunctions:StateMachine", "inputs": {"definition": definition}}
        if native
        else {"type": "aws:sfn/stateMachine:StateMachine", "inputs": {"definition": json.dumps(definition)}}
    )
    return [
        {"type": PIPELINE, "name": "churn-pipeline", "inputs": pipeline()},
        {
            **resource,
            "name": "retrain",
            "inputs": {"roleArn": "arn:aws:iam::111122223333:role/sfn", **resource["inputs"]},
        },
    ]


CALLED_WITH_APPROVED = "retrain calls StartPipelineExecution with ModelApprovalStatus='Approved'"


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        pytest.param(machine(starting_task(request("Approved"))), CALLED_WITH_APPROVED, id="a-task-approves"),
        pytest.param(
            machine(starting_task([{"Name": "ModelApprovalStatus", "Value.$": "$.status"}])),
            "with ModelApprovalStatus=a value computed when it runs",
            id="a-path-decides-when-it-runs",
        ),
        pytest.param(
            machine(
                starting_task([{"Name": "ModelApprovalStatus", "Value": "{% $status %}"}], arguments=True)
            ),
            "with ModelApprovalStatus=a value computed when it runs",
            id="jsonata-decides-when-it-runs",
        ),
        pytest.param(
            machine(
                {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "T", "States": {"T": starting_task(request("Approved"))}}],
                    "End": True,
                }
            ),
            CALLED_WITH_APPROVED,
            id="in-a-parallel-branch",
        ),
        pytest.param(
            machine(starting_task(request("Approved")), native=True), CALLED_WITH_APPROVED, id="aws-native"
        ),
        pytest.param(machine(starting_task(request("PendingManualApproval"))), None, id="pending-passes"),
        pytest.param(
            machine(starting_task(request("ml.m5.xlarge", "TrainingInstanceType"))),
            None,
            id="other-parameters-pass",
        ),
        pytest.param(
            [
                {
                    "type": PIPELINE,
                    "name": "churn-pipeline",
                    "inputs": pipeline(approval="PendingManualApproval"),
                },
                machine(starting_task(request("Approved")))[1],
            ],
            None,
            id="no-pipeline-reads-that-parameter",
        ),
        pytest.param(
            [
                {"type": PIPELINE, "name": "churn-pipeline", "inputs": pipeline()},
                {
                    "type": "aws:scheduler/schedule:Schedule",
                    "name": "retrain",
                    "inputs": {
                        "scheduleExpression": "rate(1 day)",
                        "flexibleTimeWindow": {"mode": "OFF"},
                        "target": {
                            "arn": "arn:aws:scheduler:::aws-sdk:sagemaker:startPipelineExecution",
                            "roleArn": "arn:aws:iam::111122223333:role/scheduler",
                            "input": json.dumps(
                                {"PipelineName": "churn", "PipelineParameters": request("Approved")}
                            ),
                        },
                    },
                },
            ],
            CALLED_WITH_APPROVED,
            id="scheduler-universal-target",
        ),
    ],
)
def test_start_pipeline_execution_calls_keep_manual_approval(check_stack, outcome, specs, fragment):
    outcome(check_stack(STARTS, specs), STARTS, fragment)


def test_a_state_machine_unknown_at_preview_is_undecided():
    specs = machine(starting_task(request("Approved")))
    specs[1]["inputs"]["definition"] = UNKNOWN_STRING_VALUE
    report = evaluate_report(build(specs), None, [get_policy(STARTS)])
    assert report.violations == [] and report.stack_undecided == {STARTS: 1}


def task_with(request: Any, resource: str = START_TASK, *, arguments: bool = False) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": resource,
        ("Arguments" if arguments else "Parameters"): request,
        "End": True,
    }


COMPUTED = "with ModelApprovalStatus=a value computed when it runs"


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        pytest.param(
            machine(starting_task(request("Approved")) | {"Resource": START_TASK + ".waitForTaskToken"}),
            CALLED_WITH_APPROVED,
            id="a-callback-task",
        ),
        pytest.param(
            machine(task_with({"PipelineName": "churn", "PipelineParameters.$": "$.parameters"})),
            COMPUTED,
            id="a-list-given-by-a-path",
        ),
        pytest.param(
            machine(
                task_with(
                    {"PipelineName": "churn", "PipelineParameters": "{% $states.input.p %}"}, arguments=True
                )
            ),
            COMPUTED,
            id="a-list-given-by-jsonata",
        ),
        pytest.param(
            machine(task_with("{% $states.input.request %}", arguments=True)),
            COMPUTED,
            id="a-whole-request-by-jsonata",
        ),
        pytest.param(
            machine(
                task_with(
                    {"PipelineName": "churn", "PipelineParameters": [{"Name.$": "$.n", "Value": "Approved"}]}
                )
            ),
            "with ModelApprovalStatus='Approved'",
            id="a-name-given-by-a-path",
        ),
        pytest.param(
            machine(
                task_with(
                    {
                        "PipelineName": "churn",
                        "PipelineParameters": [{"Name": "ModelApprovalStatus", "Value": {"a": 1}}],
                    }
                )
            ),
            "with ModelApprovalStatus={'a': 1}",
            id="a-value-that-is-not-text",
        ),
        pytest.param(
            machine(
                task_with(
                    {"PipelineName": "churn", "PipelineParameters": [{"Name": ["x"], "Value": "Approved"}, 7]}
                )
            ),
            None,
            id="odd-entries-are-no-status",
        ),
        pytest.param(
            machine(
                {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"Payload": task_with({"PipelineParameters": request("Approved")})},
                    "End": True,
                }
            ),
            None,
            id="a-payload-shaped-like-a-task-is-data",
        ),
    ],
)
def test_what_a_start_pipeline_execution_call_may_hide(check_stack, outcome, specs, fragment):
    outcome(check_stack(STARTS, specs), STARTS, fragment)


def native_machine_with_substitutions(
    definition: dict[str, Any], substitutions: dict[str, str]
) -> list[dict[str, Any]]:
    specs = machine(native=True)
    specs[1]["inputs"] = {
        "roleArn": "arn:aws:iam::111122223333:role/sfn",
        "definitionString": json.dumps(definition),
        "definitionSubstitutions": substitutions,
    }
    return specs


def test_aws_native_definition_substitutions_are_applied():
    approving = {
        "StartAt": "S0",
        "States": {"S0": starting_task(request("Approved")) | {"Resource": "${Start}"}},
    }
    pending = {"StartAt": "S0", "States": {"S0": starting_task(request("${Status}"))}}
    assert [
        v.message
        for v in run_policy(STARTS, native_machine_with_substitutions(approving, {"Start": START_TASK}))
    ]
    assert (
        run_policy(STARTS, native_machine_with_substitutions(pending, {"Status": "PendingManualApproval"}))
        == []
    )
    assert run_policy(STARTS, native_machine_with_substitutions(pending, {"Status": "Approved"}))


def universal_schedule(target: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"type": PIPELINE, "name": "churn-pipeline", "inputs": pipeline()},
        {
            "type": "aws:scheduler/schedule:Schedule",
            "name": "nightly",
            "inputs": {
                "scheduleExpression": "rate(1 day)",
                "flexibleTimeWindow": {"mode": "OFF"},
                "target": target,
            },
        },
    ]


@pytest.mark.parametrize(
    ("target", "undecided"),
    [
        pytest.param(
            {
                "arn": "arn:aws:scheduler:::aws-sdk:sagemaker:startPipelineExecution",
                "roleArn": "r",
                "input": "UNKNOWN",
            },
            1,
            id="a-universal-target-whose-input-is-unknown",
        ),
        pytest.param(
            {"arn": "arn:aws:lambda:eu-west-1:111122223333:function:f", "roleArn": "r", "input": "UNKNOWN"},
            0,
            id="another-target-whose-input-is-unknown",
        ),
    ],
)
def test_a_schedule_input_unknown_at_preview(target, undecided):
    target = {**target, "input": UNKNOWN_STRING_VALUE}
    report = evaluate_report(build(universal_schedule(target)), None, [get_policy(STARTS)])
    assert report.violations == [] and report.stack_undecided.get(STARTS, 0) == undecided
