"""A pipeline step's output or volume key naming an AWS managed key by its alias is no customer key.

pipeline-steps-kms-encrypted asked only that the step's keys be set, so `alias/aws/sagemaker` (or
`alias/aws/s3`, bare or as an alias ARN) passed, where sagemaker-keys-customer-managed refuses the
same alias on a TrainingJob's or ProcessingJob's own inputs (an adversarial review, session 75).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.test_pipeline_observability_mutation_audit import (
    ENCRYPTED,
    KEY,
    PIPELINE,
    decided,
    pipeline,
    training,
)

ARN = "arn:aws:kms:eu-west-1:111122223333:alias/aws/sagemaker"


def _with(
    output_key: Any = KEY, volume_key: Any = KEY, instance_type: str = "ml.m5.xlarge"
) -> dict[str, Any]:
    return training(
        ResourceConfig={"InstanceType": instance_type, "InstanceCount": 1, "VolumeKmsKeyId": volume_key},
        OutputDataConfig={"S3OutputPath": "s3://artifacts/", "KmsKeyId": output_key},
    )


@pytest.mark.parametrize(
    ("step", "fragment"),
    [
        pytest.param(
            _with(output_key="alias/aws/s3"),
            "Steps[Train].Arguments.OutputDataConfig.KmsKeyId is 'alias/aws/s3', an AWS managed key",
            id="output-bare-alias",
        ),
        pytest.param(
            _with(volume_key=ARN),
            f"Steps[Train].Arguments.ResourceConfig.VolumeKmsKeyId is '{ARN}', an AWS managed key",
            id="volume-alias-arn",
        ),
    ],
)
def test_an_aws_managed_alias_in_a_step_is_refused(step: dict[str, Any], fragment: str) -> None:
    decided(ENCRYPTED, [{"type": PIPELINE, "name": "p", "inputs": pipeline(step)}], fragment)


@pytest.mark.parametrize(
    "step",
    [
        pytest.param(_with(), id="customer-key-arn"),
        pytest.param(
            _with(output_key="alias/team-models", volume_key="alias/team-models"), id="customer-alias"
        ),
        # alias/AWS/... is another alias name (AWS reserves only the lower-case prefix).
        pytest.param(_with(output_key="alias/AWS/s3"), id="upper-case-is-another-alias"),
    ],
)
def test_a_customer_key_in_a_step_passes(step: dict[str, Any]) -> None:
    decided(ENCRYPTED, [{"type": PIPELINE, "name": "p", "inputs": pipeline(step)}], None)


def test_a_parameter_defaulting_to_an_aws_managed_alias_is_refused() -> None:
    step = _with(output_key={"Get": "Parameters.OutputKey"})
    inputs = pipeline(
        step, parameters=[{"Name": "OutputKey", "Type": "String", "DefaultValue": "alias/aws/s3"}]
    )
    assert json.loads(inputs["pipelineDefinition"])["Parameters"][0]["DefaultValue"] == "alias/aws/s3"
    decided(
        ENCRYPTED,
        [{"type": PIPELINE, "name": "p", "inputs": inputs}],
        "Steps[Train].Arguments.OutputDataConfig.KmsKeyId is 'alias/aws/s3', an AWS managed key",
    )
