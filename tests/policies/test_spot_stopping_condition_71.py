"""``pipeline-spot-training-checkpointed`` reads a managed spot job's StoppingCondition as SageMaker does.

A wait limit or run limit no number reads (``"one day"``, ``"nan"``, ``"inf"``), a fraction, zero or less
passed the rule: it compared only what it could read, and ``wait <= run`` is false when either is
unreadable. SageMaker takes both as integers of at least 1 (botocore's sagemaker model:
``MaxRuntimeInSeconds`` and ``MaxWaitTimeInSeconds`` ``integer``, ``min`` 1) and a wait at least the run;
the rule asks for more (greater), as before. Now such a value is refused, naming it, in a training job,
a tuning job's definitions and a pipeline's Training and Tuning steps; a pipeline expression (a value
chosen at run time) is still not judged.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings

RULE = "pipeline-spot-training-checkpointed"
TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NOT_SECONDS = "not a number of seconds"

UNREADABLE = ["one day", "nan", "inf", "-inf", "3600.5", 0, "0", -60, True, {"a": 1}]
#: ``""`` is unreadable only where SageMaker reads it as written (a pipeline definition's JSON): on a
#: pulumi-aws training or tuning job the provider reads it as no value (test_an_empty_limit_*).
READABLE = [3600, "3600", 3600.0, " 3600 ", "3.6e3"]


def _job(stopping: dict[str, Any]) -> dict[str, Any]:
    return {
        "enableManagedSpotTraining": True,
        "checkpointConfig": {"s3Uri": "s3://artifacts/checkpoints/"},
        "stoppingCondition": stopping,
    }


def _pipeline(stopping: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    arguments = {
        "EnableManagedSpotTraining": True,
        "CheckpointConfig": {"S3Uri": "s3://artifacts/checkpoints/"},
        "StoppingCondition": stopping,
    }
    definition = {
        "Version": "2020-12-01",
        "Parameters": parameters or [],
        "Steps": [{"Name": "Train", "Type": "Training", "Arguments": arguments}],
    }
    return {"pipelineDefinition": json.dumps(definition), "roleArn": "arn:aws:iam::111122223333:role/r"}


@pytest.mark.parametrize("wait", UNREADABLE, ids=repr)
def test_an_unreadable_wait_limit_is_refused(wait: Any) -> None:
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": wait})),
        "stoppingCondition.maxWaitTimeInSeconds is ",
        NOT_SECONDS,
    )


@pytest.mark.parametrize("run", UNREADABLE, ids=repr)
def test_an_unreadable_run_limit_is_refused(run: Any) -> None:
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": run, "maxWaitTimeInSeconds": 7200})),
        "stoppingCondition.maxRuntimeInSeconds is ",
        NOT_SECONDS,
    )


@pytest.mark.parametrize("value", READABLE, ids=repr)
def test_whole_seconds_in_any_spelling_are_read(value: Any) -> None:
    """Near misses: each spelling is read, so a longer wait passes and an equal one is refused."""
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": value, "maxWaitTimeInSeconds": 7200})), None
    )
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": value})),
        "must be greater than",
    )


def test_one_second_is_the_least_limit() -> None:
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": 1, "maxWaitTimeInSeconds": 2})), None
    )


def test_an_unreadable_wait_against_the_default_run_is_refused() -> None:
    assert_decided(findings(RULE, TRAINING_JOB, _job({"maxWaitTimeInSeconds": "two days"})), NOT_SECONDS)
    assert_decided(findings(RULE, TRAINING_JOB, _job({"maxWaitTimeInSeconds": "172800"})), None)


def test_a_tuning_jobs_definitions_are_read_alike() -> None:
    good = _job({"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": 7200})
    bad = _job({"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": "nan"})
    inputs = {"trainingJobDefinition": good, "trainingJobDefinitions": [good, bad]}
    assert_decided(
        findings(RULE, TUNING_JOB, inputs),
        "trainingJobDefinitions[1].stoppingCondition.maxWaitTimeInSeconds is 'nan'",
    )


@pytest.mark.parametrize(
    ("stopping", "parameters", "fragment"),
    [
        pytest.param({"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": "inf"}, None, NOT_SECONDS, id="literal-inf"),
        pytest.param({"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}, None, None, id="literal-whole-seconds"),
        pytest.param(
            {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": {"Get": "Parameters.Wait"}},
            [{"Name": "Wait", "Type": "Integer", "DefaultValue": "soon"}],
            NOT_SECONDS,
            id="parameter-default-unreadable",
        ),
        pytest.param(
            {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": {"Get": "Parameters.Wait"}},
            [{"Name": "Wait", "Type": "Integer", "DefaultValue": 7200}],
            None,
            id="parameter-default-whole-seconds",
        ),
        pytest.param(
            {"MaxRuntimeInSeconds": "nan", "MaxWaitTimeInSeconds": {"Get": "Parameters.Wait"}},
            [{"Name": "Wait", "Type": "Integer"}],
            "MaxRuntimeInSeconds is 'nan'",
            id="parameter-without-default-not-judged-the-literal-is",
        ),
        pytest.param(
            {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": {"Get": "Parameters.Wait"}},
            [{"Name": "Wait", "Type": "Integer"}],
            None,
            id="parameter-without-default-not-judged",
        ),
    ],
)  # fmt: skip
def test_a_pipeline_training_step_is_read_alike(
    stopping: dict[str, Any], parameters: list[dict[str, Any]] | None, fragment: str | None
) -> None:
    assert_decided(findings(RULE, PIPELINE, _pipeline(stopping, parameters)), fragment)


def test_an_empty_limit_on_a_job_is_unset_as_the_provider_reads_it() -> None:
    """pulumi-aws's training and tuning jobs are Plugin Framework resources, whose number inputs read
    ``""`` as null (pulumi-terraform-bridge pkg/convert/number.go, #2921): an empty run limit is
    SageMaker's default day, an empty wait limit is no wait limit; neither is an unreadable one."""
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": "", "maxWaitTimeInSeconds": 172800})), None
    )
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": "", "maxWaitTimeInSeconds": 86400})),
        "must be greater than",
        "SageMaker's default, 86400",
    )
    assert_decided(
        findings(RULE, TRAINING_JOB, _job({"maxRuntimeInSeconds": 3600, "maxWaitTimeInSeconds": ""})),
        "stoppingCondition.maxWaitTimeInSeconds is unset",
    )
    definition = _job({"maxRuntimeInSeconds": "", "maxWaitTimeInSeconds": 172800})
    assert_decided(findings(RULE, TUNING_JOB, {"trainingJobDefinition": definition}), None)


@pytest.mark.parametrize("key", ["MaxRuntimeInSeconds", "MaxWaitTimeInSeconds"])
def test_an_empty_limit_in_a_pipeline_definition_is_still_refused(key: str) -> None:
    """Near miss: the definition's JSON reaches SageMaker as written, where ``""`` is no integer."""
    stopping = {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200, key: ""}
    assert_decided(findings(RULE, PIPELINE, _pipeline(stopping)), f"{key} is ''", NOT_SECONDS)
