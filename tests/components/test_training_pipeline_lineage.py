"""Lineage through the recorder: what each stack's pipeline records on every version it registers."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from components.training.definition import iter_steps
from components.training.training_pipeline import TrainingPipelineArgs, family_code_sha256
from planner.recorder import ResourceGraph
from tests.graph_helpers import within

REPO = Path(__file__).resolve().parents[2]
CHURN_CODE = REPO / "models" / "customer-churn"


def _definition(graph: ResourceGraph) -> dict:
    [pipeline] = within(graph, "training-customer-churn", "aws:sagemaker/pipeline:Pipeline")
    return json.loads(pipeline.inputs["pipelineDefinition"])


def test_every_version_records_the_platform_commit_the_family_code_and_the_data(
    stack_graph: ResourceGraph,
) -> None:
    steps = {step["Name"]: step for step in iter_steps(_definition(stack_graph)["Steps"])}
    properties = steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]
    summary = {"Get": "Steps.DatasetManifest.PropertyFiles.DatasetManifestSummary"}

    # tests/conftest.py fixes MLOPS_PLATFORM_COMMIT, what stacks/provenance.py reads first.
    assert properties["platform_commit"] == os.environ["MLOPS_PLATFORM_COMMIT"]
    scripts = {name: CHURN_CODE / f"{name}.py" for name in ("preprocess", "train", "evaluate")}
    assert properties["family_code_sha256"] == family_code_sha256(scripts)
    assert properties["pipeline_execution_arn"] == {"Get": "Execution.PipelineExecutionArn"}
    assert properties["training_data_uri"] == {"Std:JsonGet": {"PropertyFile": summary, "Path": "input_uri"}}
    assert properties["training_data_manifest_sha256"] == {
        "Std:JsonGet": {"PropertyFile": summary, "Path": "manifest_sha256"}
    }
    # Only prod's churn family trains from a feature group (tests/stacks/test_feature_training.py);
    # elsewhere nothing claims one.
    features = {
        key: properties[key]
        for key in ("feature_group_name", "feature_group_snapshot_time")
        if key in properties
    }
    if stack_graph.stack == "prod":
        snapshot = {"Get": "Steps.ExtractFeatures.PropertyFiles.FeatureSnapshot"}
        assert features == {
            "feature_group_name": "prod-customer-churn-labelled",
            "feature_group_snapshot_time": {"Std:JsonGet": {"PropertyFile": snapshot, "Path": "as_of"}},
        }
    else:
        assert features == {}


def test_the_dataset_manifest_script_is_uploaded_and_run(stack_graph: ResourceGraph) -> None:
    [script] = [
        s
        for s in within(stack_graph, "training-customer-churn", "aws:s3/bucketObjectv2:BucketObjectv2")
        if s.inputs["key"].endswith("/dataset_manifest.py")
    ]
    bucket = stack_graph.named("artifacts-bucket").outputs["bucket"]
    steps = {step["Name"]: step for step in iter_steps(_definition(stack_graph)["Steps"])}
    inputs = {i["InputName"]: i["S3Input"] for i in steps["DatasetManifest"]["Arguments"]["ProcessingInputs"]}
    assert inputs["code"]["S3Uri"] == f"s3://{bucket}/{script.inputs['key']}"


def test_the_family_code_hash_is_what_sha256sum_gives(tmp_path: Path) -> None:
    """``sha256sum evaluate.py preprocess.py train.py | sha256sum`` in the family's folder."""
    names = ("train.py", "preprocess.py", "evaluate.py")
    for name in names:
        (tmp_path / name).write_text(f"print({name!r})\n")
    listing = "".join(
        f"{hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()}  {name}\n" for name in sorted(names)
    )
    scripts = {Path(name).stem: tmp_path / name for name in names}

    assert family_code_sha256(scripts) == hashlib.sha256(listing.encode()).hexdigest()
    (tmp_path / "train.py").write_text("print('changed')\n")
    assert family_code_sha256(scripts) != hashlib.sha256(listing.encode()).hexdigest()


@pytest.mark.parametrize(
    "commit",
    ["main", "012345", "ABCDEF0", "0123456789abcdef0123456789abcdef012345678", "unknown-dirty", ""],
    ids=["a-branch", "six-digits", "uppercase", "41-digits", "unknown-dirty", "empty"],
)
def test_a_platform_commit_that_is_no_commit_id_is_refused(commit: str) -> None:
    with pytest.raises(ValueError, match="platform_commit"):
        _args(platform_commit=commit)


@pytest.mark.parametrize("commit", ["0123456", "0123456789abcdef0123456789abcdef01234567-dirty", "unknown"])
def test_commit_ids_and_unknown_are_accepted(commit: str) -> None:
    assert _args(platform_commit=commit).platform_commit == commit


def _args(**overrides) -> TrainingPipelineArgs:
    from components.registry.model_family_spec import PromotionCriterion
    from components.training.training_spec import FamilyTrainingSpec

    values = {
        "family": "customer-churn",
        "pipeline_name": "dev-customer-churn-training",
        "spec": FamilyTrainingSpec.model_validate(
            {
                "code": str(CHURN_CODE),
                "framework": {"name": "sklearn", "version": "1.2-1"},
                "label": "churned",
                "problem_type": "BinaryClassification",
                "metrics": ["auc"],
            }
        ),
        "promotion": PromotionCriterion(metric="metrics.auc.value", threshold=0.8),
        "approval_status": "Approved",
        "account_id": "123456789012",
        "region": "eu-west-1",
        "datasets_bucket_name": "data",
        "artifact_bucket_name": "artifacts",
        "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/1",
        "subnet_ids": ["subnet-1"],
        "security_group_ids": ["sg-1"],
        "execution_role_arn": "arn:aws:iam::123456789012:role/x",
        "pipeline_role_arn": "arn:aws:iam::123456789012:role/y",
        "model_package_group_name": "dev-customer-churn",
        "tags": {},
    }
    values.update(overrides)
    return TrainingPipelineArgs(**values)


@pytest.mark.parametrize(
    "name", ["churn_training", "x" * 257, "-churn"], ids=["underscore", "257", "leading-hyphen"]
)
def test_args_refuse_a_pipeline_name_sagemaker_refuses(name: str) -> None:
    """CreatePipeline's PipelineName (botocore ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}``): refused when the
    args are built, naming the field, not inside the definition's apply after the scripts and roles
    were registered (a ValueError wrapped in the engine's 'While processing input ...')."""
    with pytest.raises(ValueError, match=r"^TrainingPipelineArgs\.pipeline_name: "):
        _args(pipeline_name=name)
    _args(pipeline_name="x" * 256)


@pytest.mark.parametrize("steps", [0, 51, 2.5, True], ids=["zero", "51", "fraction", "bool"])
def test_args_take_the_specs_range_of_parallel_steps(steps: object) -> None:
    """The stack file's training.max_parallel_steps (1-50; SageMaker's MaxParallelExecutionSteps is at
    least 1): built directly, 0 planned a ParallelismConfiguration CreatePipeline refuses."""
    with pytest.raises(ValueError, match=r"^TrainingPipelineArgs\.max_parallel_steps: "):
        _args(max_parallel_steps=steps)
    assert _args(max_parallel_steps=50).max_parallel_steps == 50
