"""Transform steps of SageMaker pipelines: the job's KMS keys are judged on the step, its network
isolation and VPC on the model it runs, including a model a Model step (CreateModel) creates."""

from __future__ import annotations

import json
from typing import Any

import pytest

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/data"
VPC = {"Subnets": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]}


def _model_step(**changes: Any) -> dict[str, Any]:
    arguments = {
        "ExecutionRoleArn": "arn:aws:iam::111122223333:role/model",
        "PrimaryContainer": {
            "ModelPackageName": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
        },
        "EnableNetworkIsolation": True,
        "VpcConfig": VPC,
    }
    arguments.update(changes)
    return {
        "Name": "CreateModel",
        "Type": "Model",
        "Arguments": {k: v for k, v in arguments.items() if v is not None},
    }


def _transform_step(**changes: Any) -> dict[str, Any]:
    resources = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY}
    output = {"S3OutputPath": "s3://datasets/batch-output/churn/", "KmsKeyId": KEY}
    for key, value in changes.items():
        (resources if key in resources else output)[key] = value
    return {
        "Name": "BatchTransform",
        "Type": "Transform",
        "Arguments": {
            "ModelName": {"Get": "Steps.CreateModel.ModelName"},
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://d/in/"}}
            },
            "TransformOutput": {k: v for k, v in output.items() if v is not None},
            "TransformResources": {k: v for k, v in resources.items() if v is not None},
        },
    }


def _pipeline(*steps: dict[str, Any]) -> dict[str, Any]:
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": list(steps)}
    return {
        "pipelineName": "churn-batch",
        "roleArn": "arn:aws:iam::111122223333:role/pipeline",
        "pipelineDefinition": json.dumps(definition),
    }


CASES = [
    pytest.param(
        "pipeline-steps-network-isolated",
        _pipeline(_model_step(), _transform_step()),
        None,
        id="isolated-model-in-the-vpc-passes",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        _pipeline(_model_step(EnableNetworkIsolation=False), _transform_step()),
        "Steps[CreateModel].Arguments.EnableNetworkIsolation is False: set it to true",
        id="model-step-without-isolation-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        _pipeline(_model_step(EnableNetworkIsolation=None), _transform_step()),
        "Steps[CreateModel].Arguments.EnableNetworkIsolation",
        id="model-step-isolation-unset-fails",
    ),
    pytest.param(
        "pipeline-steps-network-isolated",
        _pipeline(_model_step(VpcConfig=None), _transform_step()),
        "Steps[CreateModel].Arguments.VpcConfig lacks Subnets/SecurityGroupIds",
        id="model-step-outside-the-vpc-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        _pipeline(_model_step(), _transform_step()),
        None,
        id="encrypted-transform-passes-and-the-model-step-needs-no-volume-key",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        _pipeline(_transform_step(KmsKeyId=None)),
        "Steps[BatchTransform].Arguments.TransformOutput.KmsKeyId is unset",
        id="transform-output-without-key-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        _pipeline(_transform_step(VolumeKmsKeyId=None)),
        "Steps[BatchTransform].Arguments.TransformResources.VolumeKmsKeyId is unset",
        id="transform-volume-without-key-fails",
    ),
    pytest.param(
        "pipeline-steps-kms-encrypted",
        _pipeline(_transform_step(InstanceType="ml.m5d.xlarge")),
        "instance-store types",
        id="transform-volume-key-on-instance-store-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, inputs, fragment) -> None:
    outcome(check_resource(policy_name, PIPELINE, inputs), policy_name, fragment)
