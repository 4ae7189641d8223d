"""The pack judges the Tune step of a recorded training pipeline (the staging fixture tunes the
churn family) as it judges a training job: every job rule passes the platform's own definition,
and a Tune step that loses one setting (isolation, inter-container encryption, VPC, volume or
output key, spot checkpoints) is rejected by the rule that owns it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.graph_helpers import training_pipelines

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
ISOLATED = "pipeline-steps-network-isolated"
ENCRYPTED = "pipeline-steps-kms-encrypted"
SPOT = "pipeline-spot-training-checkpointed"
JOB_RULES = (ISOLATED, ENCRYPTED, SPOT)


@pytest.fixture(scope="module")
def recorded(stack_graphs) -> dict[str, Any]:
    """The staging training pipeline's inputs as recorded (its definition holds a Tune step)."""
    (pipeline,) = training_pipelines(stack_graphs["staging"])
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    assert [step["Type"] for step in definition["Steps"] if step["Name"] in ("Train", "Tune")] == ["Tuning"]
    return dict(pipeline.inputs)


def _job(definition: dict[str, Any]) -> dict[str, Any]:
    tune = next(step for step in definition["Steps"] if step["Name"] == "Tune")
    return tune["Arguments"]["TrainingJobDefinition"]


def _with(inputs: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    definition = json.loads(inputs["pipelineDefinition"])
    edit(_job(definition))
    return {**copy.deepcopy(inputs), "pipelineDefinition": json.dumps(definition)}


@pytest.mark.parametrize("rule", JOB_RULES)
def test_the_platforms_tune_step_passes_every_job_rule(check_resource, outcome, recorded, rule) -> None:
    job = _job(json.loads(recorded["pipelineDefinition"]))
    # What the rules read is there to be read: a vacuous pass would prove nothing.
    assert job["EnableNetworkIsolation"] is True and job["EnableInterContainerTrafficEncryption"] is True
    assert job["ResourceConfig"]["VolumeKmsKeyId"] and job["OutputDataConfig"]["KmsKeyId"]
    assert job["EnableManagedSpotTraining"] is True and job["CheckpointConfig"]["S3Uri"]

    outcome(check_resource(rule, PIPELINE, recorded), rule, None)


def _set(*path: str, value: Any = None) -> Callable[[dict[str, Any]], None]:
    """Set the key at ``path`` to ``value``, or remove it when ``value`` is None."""

    def edit(job: dict[str, Any]) -> None:
        node = job
        for key in path[:-1]:
            node = node[key]
        if value is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("rule", "edit", "fragment"),
    [
        pytest.param(
            ISOLATED,
            _set("EnableNetworkIsolation", value=False),
            "Steps[Tune].Arguments.TrainingJobDefinition.EnableNetworkIsolation is False",
            id="not-isolated",
        ),
        pytest.param(
            ISOLATED,
            _set("EnableInterContainerTrafficEncryption", value=False),
            "TrainingJobDefinition.EnableInterContainerTrafficEncryption is False",
            id="inter-container-traffic-in-clear",
        ),
        pytest.param(
            ISOLATED, _set("VpcConfig"), "TrainingJobDefinition.VpcConfig lacks", id="outside-the-vpc"
        ),
        pytest.param(
            ISOLATED,
            _set("VpcConfig", "Subnets", value=[]),
            "TrainingJobDefinition.VpcConfig lacks",
            id="no-subnets",
        ),
        pytest.param(
            ENCRYPTED,
            _set("ResourceConfig", "VolumeKmsKeyId"),
            "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId is unset",
            id="volume-unencrypted",
        ),
        pytest.param(
            ENCRYPTED,
            _set("OutputDataConfig", "KmsKeyId"),
            "TrainingJobDefinition.OutputDataConfig.KmsKeyId is unset",
            id="model-output-unencrypted",
        ),
        pytest.param(
            SPOT,
            _set("CheckpointConfig"),
            "TrainingJobDefinition.CheckpointConfig.S3Uri is unset",
            id="spot-without-checkpoints",
        ),
        pytest.param(
            SPOT,
            _set("StoppingCondition", "MaxWaitTimeInSeconds", value=3600),
            "MaxWaitTimeInSeconds (3600) must be greater than",
            id="spot-without-time-to-wait",
        ),
        pytest.param(
            SPOT,
            _set("StoppingCondition", "MaxWaitTimeInSeconds"),
            "MaxWaitTimeInSeconds is unset",
            id="spot-without-wait-limit",
        ),
    ],
)
def test_a_tune_step_that_loses_a_setting_is_rejected(
    check_resource, outcome, recorded, rule: str, edit, fragment: str
) -> None:
    violations = check_resource(rule, PIPELINE, _with(recorded, edit))

    outcome(violations, rule, fragment)
    assert all(v.resource_name == "subject" for v in violations)


def test_on_demand_tuning_needs_no_checkpoints(check_resource, outcome, recorded) -> None:
    def on_demand(job: dict[str, Any]) -> None:
        job["EnableManagedSpotTraining"] = False
        del job["CheckpointConfig"]
        del job["StoppingCondition"]["MaxWaitTimeInSeconds"]

    outcome(check_resource(SPOT, PIPELINE, _with(recorded, on_demand)), SPOT, None)


def _on_gpus(parallel: int) -> Callable[[dict[str, Any]], None]:
    def edit(definition: dict[str, Any]) -> None:
        tune = next(step for step in definition["Steps"] if step["Name"] == "Tune")["Arguments"]
        tune["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = parallel
        job = tune["TrainingJobDefinition"]
        job["ResourceConfig"]["InstanceType"] = "ml.g5.xlarge"
        del job["ResourceConfig"]["VolumeKmsKeyId"]  # NVMe: hardware-encrypted

    return edit


@pytest.mark.parametrize(
    ("parallel", "fragment"),
    [
        pytest.param(4, None, id="four-gpu-jobs-at-once-within-a-quota-of-4"),
        pytest.param(5, "asks for 5 GPU instances, over maxGpuInstances=4", id="five-at-once-over-it"),
    ],
)
def test_a_tune_step_asks_for_its_instances_times_its_parallel_jobs(
    check_stack, outcome, recorded, parallel: int, fragment: str | None
) -> None:
    """Each of MaxParallelTrainingJobs jobs holds the definition's instances at the same time."""
    definition = json.loads(recorded["pipelineDefinition"])
    _on_gpus(parallel)(definition)
    inputs = {**recorded, "pipelineDefinition": json.dumps(definition)}
    spec = {"type": PIPELINE, "name": "subject", "inputs": inputs}

    violations = check_stack("gpu-instance-quota", [spec], {"gpu-instance-quota": {"maxGpuInstances": 4}})

    outcome(violations, "gpu-instance-quota", fragment)
    if fragment:
        assert (
            "Steps[Tune].Arguments.TrainingJobDefinition.ResourceConfig.InstanceType=ml.g5.xlarge x5"
            in violations[0].message
        )


def test_a_tuning_job_resource_asks_for_its_instances_times_its_parallel_jobs(check_stack, outcome) -> None:
    job = {
        "hyperParameterTuningJobConfig": {"resourceLimits": {"maxParallelTrainingJobs": 3}},
        "trainingJobDefinition": {"resourceConfig": {"instanceType": "ml.g5.xlarge", "instanceCount": 2}},
    }
    spec = {
        "type": "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
        "name": "tuning",
        "inputs": job,
    }

    for quota, fragment in ((6, None), (5, "asks for 6 GPU instances, over maxGpuInstances=5")):
        violations = check_stack(
            "gpu-instance-quota", [spec], {"gpu-instance-quota": {"maxGpuInstances": quota}}
        )
        outcome(violations, "gpu-instance-quota", fragment)
