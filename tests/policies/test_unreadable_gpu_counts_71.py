"""``gpu-instance-quota`` fails a GPU count set to what no number reads, never reads it as a default.

Before (pack71): ``number(x) or 1.0`` read ``initialInstanceCount: "abc"`` (or ``"nan"``, or ``True``)
as one instance, and a node group's ``maxSize`` or a target's ``maxCapacity`` of ``"abc"`` as 0 (no
instances), so a stack asking for 64 GPU instances written as text passed a quota of 4. Such a value is
not a count the API takes; the quota cannot add it up, so it is refused with the input named. Unset stays
the service's default (one instance); a count unknown at preview stays undecided, not refused
(session 71 review of pack71). The same default exempted a bias or explainability job whose instance
count is ``"abc"`` from inter-container encryption (``model-monitor-job-encrypted-isolated``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._props import number
from tests.policies.conftest import build
from tests.policies.one_resource import findings

RULE = "gpu-instance-quota"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
GPU = "ml.g5.xlarge"
UNREADABLE = ["abc", "nan", "inf", True, ""]


def _quota(specs: list[dict[str, Any]]) -> tuple[list[str], int]:
    report = evaluate_report(build(specs), {RULE: {"maxGpuInstances": 4}}, [get_policy(RULE)])
    return [v.message for v in report.violations], sum(report.stack_undecided.values())


def _endpoint_config(count: Any, instance_type: str = GPU, **extra: Any) -> dict[str, Any]:
    variant = {"variantName": "primary", "modelName": "m", "instanceType": instance_type, **extra}
    if count is not None:
        variant["initialInstanceCount"] = count
    return {"type": CONFIG, "name": "cfg", "inputs": {"name": "cfg", "productionVariants": [variant]}}


@pytest.mark.parametrize("count", UNREADABLE)
def test_an_unreadable_gpu_variant_count_is_refused_not_read_as_one(count: Any) -> None:
    messages, undecided = _quota([_endpoint_config(count)])
    assert undecided == 0
    assert len(messages) == 1, messages
    assert messages[0].startswith("cfg.productionVariants[0].initialInstanceCount is "), messages
    assert (
        "not a number, so the ml.g5.xlarge instances of productionVariants[0].instanceType cannot be counted"
        in (messages[0])
    )


@pytest.mark.parametrize(("count", "refused"), [("4", False), (4, False), ("5", True), (None, False)])
def test_a_readable_or_unset_gpu_count_is_still_counted(count: Any, refused: bool) -> None:
    messages, _ = _quota([_endpoint_config(count)])
    assert [m for m in messages if "not a number" in m] == []
    assert bool([m for m in messages if "over maxGpuInstances=4" in m]) is refused, messages


def test_an_unreadable_count_of_a_cpu_variant_is_not_the_quotas_concern() -> None:
    assert _quota([_endpoint_config("abc", instance_type="ml.m5.large")]) == ([], 0)


def test_an_unknown_gpu_count_at_preview_is_undecided_not_refused() -> None:
    messages, undecided = _quota([_endpoint_config(UNKNOWN_STRING_VALUE)])
    assert (messages, undecided) == ([], 1)


def test_an_unreadable_managed_scaling_ceiling_is_refused() -> None:
    spec = _endpoint_config(1, managedInstanceScaling={"status": "ENABLED", "maxInstanceCount": "lots"})
    messages, _ = _quota([spec])
    assert messages == [
        "cfg.productionVariants[0].managedInstanceScaling.maxInstanceCount is 'lots', not a number, so the "
        "ml.g5.xlarge instances of productionVariants[0].instanceType cannot be counted against "
        "maxGpuInstances=4: write the number."
    ]
    disabled = _endpoint_config(1, managedInstanceScaling={"status": "DISABLED", "maxInstanceCount": "lots"})
    assert _quota([disabled]) == ([], 0)


def test_an_unreadable_target_ceiling_is_refused_not_read_as_no_ceiling() -> None:
    specs = [
        _endpoint_config(1),
        {
            "type": "aws:sagemaker/endpoint:Endpoint",
            "name": "endpoint",
            "inputs": {"name": "churn", "endpointConfigName": "cfg"},
            "deps": {"endpointConfigName": ["cfg"]},
        },
        {
            "type": "aws:appautoscaling/target:Target",
            "name": "target",
            "deps": {"resourceId": ["endpoint"]},
            "inputs": {
                "serviceNamespace": "sagemaker",
                "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "resourceId": "endpoint/churn/variant/primary",
                "minCapacity": 1,
                "maxCapacity": "64x",
            },
        },
    ]
    messages, _ = _quota(specs)
    assert len(messages) == 1 and messages[0].startswith("target.maxCapacity is '64x', not a number"), (
        messages
    )
    specs[2]["inputs"]["maxCapacity"] = 5
    messages, _ = _quota(specs)
    assert len(messages) == 1 and "asks for 5 GPU instances" in messages[0], messages


@pytest.mark.parametrize(("max_size", "refused"), [("abc", "not a number"), ("5", "asks for 5"), ("4", None)])
def test_a_gpu_node_group_ceiling_is_read_or_refused(max_size: Any, refused: str | None) -> None:
    """An unreadable ``maxSize`` was 0: the group, GPU or not, was left out of the total."""
    group = {
        "type": "aws:eks/nodeGroup:NodeGroup",
        "name": "gpus",
        "inputs": {"instanceTypes": ["g5.xlarge"], "scalingConfig": {"maxSize": max_size}},
    }
    messages, _ = _quota([group])
    if refused is None:
        assert messages == []
    else:
        assert len(messages) == 1 and refused in messages[0], messages


def test_an_unreadable_training_count_or_parallelism_is_refused() -> None:
    job = {
        "type": "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
        "name": "tune",
        "inputs": {
            "hyperParameterTuningJobConfig": {"resourceLimits": {"maxParallelTrainingJobs": "many"}},
            "trainingJobDefinition": {"resourceConfig": {"instanceType": GPU, "instanceCount": 1}},
        },
    }
    messages, _ = _quota([job])
    assert len(messages) == 1, messages
    assert messages[0].startswith(
        "tune.hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs is 'many', not a number"
    )
    job["inputs"]["hyperParameterTuningJobConfig"]["resourceLimits"]["maxParallelTrainingJobs"] = 2
    job["inputs"]["trainingJobDefinition"]["resourceConfig"]["instanceCount"] = "nan"
    messages, _ = _quota([job])
    assert len(messages) == 1, messages
    assert messages[0].startswith(
        "tune.trainingJobDefinition.resourceConfig.instanceCount is 'nan', not a number"
    )


def test_a_hyperpod_group_of_zero_still_counts_none_and_an_unreadable_one_is_refused() -> None:
    def cluster(count: Any) -> dict[str, Any]:
        group = {"instanceGroupName": "g", "instanceType": "ml.p4d.24xlarge", "instanceCount": count}
        return {"type": "aws-native:sagemaker:Cluster", "name": "hp", "inputs": {"instanceGroups": [group]}}

    # Beside 4 GPU instances: an empty group adds none (read as one, the stack would ask for 5 of 4).
    assert _quota([cluster(0), _endpoint_config(4)]) == ([], 0)
    messages, _ = _quota([cluster(1), _endpoint_config(4)])
    assert len(messages) == 1 and "asks for 5 GPU instances" in messages[0], messages
    messages, _ = _quota([cluster("abc")])
    assert len(messages) == 1 and messages[0].startswith("hp.instanceGroups[0].instanceCount is 'abc'"), (
        messages
    )


def _pipeline(count: Any) -> dict[str, Any]:
    train = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {"ResourceConfig": {"InstanceType": GPU, "InstanceCount": count, "VolumeSizeInGB": 30}},
    }
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [train]}
    # A count past the largest double, written out in the JSON document as json.loads reads it: an int.
    text = (
        json.dumps(definition).replace('"COUNT"', "1" + "0" * 400)
        if count == "COUNT"
        else json.dumps(definition)
    )
    return {"type": "aws:sagemaker/pipeline:Pipeline", "name": "pipe", "inputs": {"pipelineDefinition": text}}


def test_a_count_past_the_largest_double_is_no_number_not_a_crash() -> None:
    """``float(10**400)`` raises OverflowError: a pipeline definition's 401-digit InstanceCount crashed
    every rule reading it through :func:`number`."""
    assert number(10**400) is None and number(-(10**400)) is None
    assert number(2**1023) == float(2**1023)
    messages, _ = _quota([_pipeline("COUNT")])
    assert len(messages) == 1, messages
    assert messages[0].startswith("pipe.Steps[Train].Arguments.ResourceConfig.InstanceCount is "), messages
    assert "not a number, so the ml.g5.xlarge instances" in messages[0]
    assert _quota([_pipeline(4)]) == ([], 0)
    messages, _ = _quota([_pipeline("abc")])
    assert len(messages) == 1 and "InstanceCount is 'abc', not a number" in messages[0], messages


@pytest.mark.parametrize(
    ("count", "demanded"),
    [("abc", True), ("nan", True), (True, True), (3, True), ("2", True), (1, False), (None, False)],
)
def test_an_unreadable_bias_job_instance_count_does_not_exempt_it_from_transit_encryption(
    count: Any, demanded: bool
) -> None:
    """A bias or explainability job needs inter-container encryption only on 2+ instances (SageMaker.15):
    an instance count no number reads was one instance, so ``"abc"`` exempted it."""
    cluster: dict[str, Any] = {
        "instanceType": "ml.m5.large",
        "volumeKmsKeyId": "arn:aws:kms:eu-west-1:1:key/k",
    }
    if count is not None:
        cluster["instanceCount"] = count
    job = {
        "networkConfig": {"enableNetworkIsolation": True, "enableInterContainerTrafficEncryption": False},
        "modelBiasJobOutputConfig": {"kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k", "monitoringOutputs": []},
        "jobResources": {"clusterConfig": cluster},
    }
    found, undecided = findings(
        "model-monitor-job-encrypted-isolated", "aws-native:sagemaker:ModelBiasJobDefinition", job
    )
    assert undecided == 0
    assert bool([m for m in found if "enableInterContainerTrafficEncryption" in m]) is demanded, found
