"""What the training pipeline's definition *means*, not only which steps it has.

Pins values that a mutation audit found unchecked: the family's promotion criterion (threshold
and direction) and training instance count reaching the built definition from the stack file; the
training job's instance count, the baselining jobs' runtime limit, the served model's region and
image (GPU-trained, GPU-served) and the processing inputs' File mode in a built definition; ``verify`` refusing a job that lost its
output key or its VPC, and a version with more metadata than SageMaker accepts; the runtime limit
SageMaker accepts; and the definition cache's key covering every SDK package, not only the first.
A gate compared the wrong way or a limit silently replaced still "has the step" — these would not.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from components.training import definition_cache
from components.training.definition import (
    MAX_RUNTIME_SECONDS,
    TrainingPipelineSettings,
    verify,
)
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.graph_helpers import within
from tests.pipelines.churn_fixtures import KMS_KEY, make_settings, steps_by_name
from tests.pipelines.definitions import built_definition
from tests.recorded import recorded_stack
from tests.stacks.conftest import endpointless_cut
from tests.yaml_text import dump_document

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
ALL_EBS = {"processing_volume_kms": True, "training_volume_kms": True, "baseline_volume_kms": True}


@pytest.fixture(scope="module")
def settings() -> TrainingPipelineSettings:
    """Two training instances and a runtime limit other than every default (3600 s)."""
    return make_settings(training_instance_count=2, max_run_seconds=5400)


@pytest.fixture(scope="module")
def definition(settings: TrainingPipelineSettings) -> dict[str, Any]:
    return json.loads(built_definition(settings))


# --- the built definition ----------------------------------------------------------------------


def test_the_training_job_runs_on_the_configured_number_of_instances(definition) -> None:
    train = steps_by_name(definition)["Train"]["Arguments"]
    assert train["ResourceConfig"]["InstanceCount"] == 2


def test_every_job_is_stopped_at_the_settings_runtime_limit(settings, definition) -> None:
    steps = steps_by_name(definition)
    for name in ("Preprocess", "Evaluate", "DataQualityBaseline", "ModelQualityBaseline", "Train"):
        assert (
            steps[name]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] == settings.max_run_seconds
        ), name


def test_the_registered_model_is_served_in_the_pipelines_region(settings, definition) -> None:
    register = steps_by_name(definition)["RegisterModel"]["Arguments"]
    (container,) = register["InferenceSpecification"]["Containers"]
    assert container["Environment"]["SAGEMAKER_REGION"] == settings.region


def test_processing_jobs_download_their_inputs_as_files(definition) -> None:
    """The scripts read files under /opt/ml/processing; Pipe mode would leave them a FIFO."""
    inputs = [
        i["S3Input"]
        for step in definition["Steps"] + steps_by_name(definition)["CheckMetric"]["Arguments"]["IfSteps"]
        if step["Type"] == "Processing"
        for i in step["Arguments"].get("ProcessingInputs", [])
    ]
    assert inputs and {(i["S3InputMode"], i["S3DataType"]) for i in inputs} == {("File", "S3Prefix")}


def test_a_gpu_trained_model_is_registered_with_the_gpu_inference_image() -> None:
    """PyTorch has CPU and GPU builds: the served image follows the training instance (a GPU),
    not the processing one (a CPU), and the scripts keep the CPU build."""
    gpu = make_settings(
        framework="pytorch",
        framework_version="2.5",
        py_version="py311",
        training_instance_type="ml.g5.xlarge",
        processing_instance_type="ml.m5.xlarge",
    )
    steps = steps_by_name(json.loads(built_definition(gpu)))
    register = steps["CheckMetric"]["Arguments"]["IfSteps"][-1]["Arguments"]
    (container,) = register["InferenceSpecification"]["Containers"]

    assert "pytorch-inference:2.5" in container["Image"] and "-gpu-" in container["Image"]
    assert "-gpu-" in steps["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"]
    assert "-cpu-" in steps["Preprocess"]["Arguments"]["AppSpecification"]["ImageUri"]


# --- verify: the guard against an SDK that drops a setting --------------------------------------


def test_verification_refuses_a_job_whose_outputs_lost_the_platform_key(settings, definition) -> None:
    tampered = copy.deepcopy(definition)
    steps_by_name(tampered)["Evaluate"]["Arguments"]["ProcessingOutputConfig"].pop("KmsKeyId")

    with pytest.raises(RuntimeError, match=f"Evaluate: output KMS key is None, expected '{KMS_KEY}'"):
        verify(tampered, settings, **ALL_EBS)


def test_verification_refuses_a_job_outside_the_private_subnets(settings, definition) -> None:
    tampered = copy.deepcopy(definition)
    steps_by_name(tampered)["Train"]["Arguments"]["VpcConfig"]["Subnets"] = ["subnet-0public0000000000"]

    with pytest.raises(RuntimeError, match="Train: VpcConfig is"):
        verify(tampered, settings, **ALL_EBS)


def test_verification_refuses_more_metadata_than_sagemaker_accepts(settings, definition) -> None:
    tampered = copy.deepcopy(definition)
    register = steps_by_name(tampered)["CheckMetric"]["Arguments"]["IfSteps"][-1]
    assert register["Type"] == "RegisterModel"
    register["Arguments"]["CustomerMetadataProperties"].update({f"extra-{n}": "x" for n in range(50)})

    with pytest.raises(RuntimeError, match="SageMaker accepts 50"):
        verify(tampered, settings, **ALL_EBS)


def test_a_runtime_limit_beyond_sagemakers_is_refused(settings) -> None:
    with pytest.raises(ValueError, match="max_run_seconds"):
        dataclasses.replace(settings, max_run_seconds=MAX_RUNTIME_SECONDS + 1)


# --- the stack file's promotion criterion and compute reach the definition -----------------------


@pytest.fixture(scope="module")
def variant_definition(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """dev's churn family gated on AUC at most 0.65 (a direction and threshold no fixture stack
    uses) and trained on two instances, cut to its foundation, families and alerts
    (:func:`tests.stacks.conftest.endpointless_cut`: the family's training pipeline stays as it is)."""
    document = load_stack_document("dev")
    endpointless_cut(document["config"][CONFIG_KEY])
    (family,) = [m for m in document["config"][CONFIG_KEY]["models"] if m["name"] == "customer-churn"]
    family["promotion"] = {"metric": "metrics.auc.value", "threshold": 0.65, "direction": "minimize"}
    family["training"]["training_instance_count"] = 2
    path = tmp_path_factory.mktemp("variant") / "Pulumi.variant.yaml"
    path.write_text(dump_document(document))
    graph: ResourceGraph = recorded_stack(str(path))
    [pipeline] = within(graph, "training-customer-churn", PIPELINE)
    return json.loads(pipeline.inputs["pipelineDefinition"])


def test_the_families_promotion_criterion_is_the_quality_gate(variant_definition) -> None:
    parameters = {p["Name"]: p for p in variant_definition["Parameters"]}
    (condition,) = steps_by_name(variant_definition)["CheckMetric"]["Arguments"]["Conditions"]

    assert parameters["MetricThreshold"]["DefaultValue"] == 0.65
    assert condition["Type"] == "LessThanOrEqualTo"
    assert condition["LeftValue"]["Std:JsonGet"]["Path"] == "metrics.auc.value"


def test_the_families_training_instance_count_reaches_the_training_job(variant_definition) -> None:
    train = steps_by_name(variant_definition)["Train"]["Arguments"]
    assert train["ResourceConfig"]["InstanceCount"] == 2


# --- the definition cache ------------------------------------------------------------------------


@pytest.mark.parametrize("package", definition_cache.SDK_DISTRIBUTIONS)
def test_upgrading_any_sdk_package_is_a_new_key(package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each SDK package may be upgraded on its own; a definition built by the old one is stale."""
    settings = make_settings()
    definition_cache.builder_fingerprint.cache_clear()
    before = definition_cache.cache_key(settings)
    real_version = definition_cache.metadata.version
    monkeypatch.setattr(
        definition_cache.metadata,
        "version",
        lambda name: "999.0" if name == package else real_version(name),
    )
    definition_cache.builder_fingerprint.cache_clear()
    try:
        assert definition_cache.cache_key(settings) != before
    finally:
        monkeypatch.undo()
        definition_cache.builder_fingerprint.cache_clear()
