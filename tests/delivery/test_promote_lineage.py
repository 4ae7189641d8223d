"""Lineage end to end against moto: a version registered with what the staging pipeline's RegisterModel
records, resolved the way SageMaker Pipelines resolves it, then shown by `promote status`.

The training data sits in a versioned moto bucket (one key overwritten); the DatasetManifest script
fingerprints the prefix as a processing job would receive it, and ``dataset_versions`` finds the S3
versions that fingerprint names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.training.definition import iter_steps
from components.training.steps import dataset_manifest
from delivery.lineage import NOTHING_RECORDED, dataset_versions, manifest_sha256
from delivery.promote import main, promotion_status
from planner.recorder import ResourceGraph
from tests.conftest import stack_path
from tests.delivery.conftest import Cloud
from tests.delivery.test_promote import GROUP, _register, _serve, _staging
from tests.graph_helpers import within

MLFLOW_RUN = "3b5c2f0e9a8d4c7b8e1f2a3b4c5d6e7f"
DATA_BUCKET = "staging-datasets-123456789012"
PREFIX = "training-data/customer-churn/"
EXECUTION_ARN = (
    "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/staging-customer-churn-training/execution/7yq2b0kz4m1c"
)


def _put_training_data(s3: Any) -> dict[str, str]:
    """extract.csv written twice (the second is current) and labels/2026-11.csv once; key → current version."""
    s3.create_bucket(Bucket=DATA_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket=DATA_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=DATA_BUCKET, Key=f"{PREFIX}extract.csv", Body=b"customer_id,churned\n1,0\n")
    current = {
        "extract.csv": s3.put_object(
            Bucket=DATA_BUCKET, Key=f"{PREFIX}extract.csv", Body=b"customer_id,churned\n1,1\n2,0\n"
        )["VersionId"],
        "labels/2026-11.csv": s3.put_object(
            Bucket=DATA_BUCKET, Key=f"{PREFIX}labels/2026-11.csv", Body=b"customer_id,label\n1,1\n"
        )["VersionId"],
    }
    return current


def _processing_input(s3: Any, local: Path) -> None:
    """What a File-mode S3Prefix ProcessingInput puts in the container: the current objects under
    the prefix, at their keys relative to it."""
    for item in s3.list_objects_v2(Bucket=DATA_BUCKET, Prefix=PREFIX)["Contents"]:
        path = local / item["Key"].removeprefix(PREFIX)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=DATA_BUCKET, Key=item["Key"])["Body"].read())


def _resolve(value: Any, summary: dict[str, Any]) -> str:
    """A RegisterModel property as SageMaker Pipelines resolves it for one execution."""
    if value == {"Get": "Execution.PipelineExecutionArn"}:
        return EXECUTION_ARN
    if isinstance(value, dict) and "Std:JsonGet" in value:
        reference = value["Std:JsonGet"]
        if reference["PropertyFile"] == {"Get": "Steps.TrackExperiment.PropertyFiles.ExperimentRun"}:
            return MLFLOW_RUN  # staging tracks experiments: TrackExperiment's run.json
        assert reference["PropertyFile"] == {
            "Get": "Steps.DatasetManifest.PropertyFiles.DatasetManifestSummary"
        }
        return str(summary[reference["Path"]])
    assert isinstance(value, str), value
    return value


def _registered_properties(graph: ResourceGraph, summary: dict[str, Any]) -> dict[str, str]:
    [pipeline] = within(graph, "training-customer-churn", "aws:sagemaker/pipeline:Pipeline")
    steps = {s["Name"]: s for s in iter_steps(json.loads(pipeline.inputs["pipelineDefinition"])["Steps"])}
    recorded = steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]
    return {key: _resolve(value, summary) for key, value in recorded.items()}


def test_promote_status_shows_the_lineage_the_pipeline_registered(
    cloud: Cloud, stack_graphs, tmp_path: Path, capsys
) -> None:
    s3, sagemaker = cloud.clients.s3, cloud.clients.sagemaker
    current = _put_training_data(s3)
    _processing_input(s3, tmp_path / "data")
    job_config = tmp_path / "processingjobconfig.json"
    job_config.write_text(
        json.dumps(
            {"ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": f"s3://{DATA_BUCKET}/{PREFIX}"}}]}
        )
    )
    assert (
        dataset_manifest.main(
            [
                "--input-dir",
                str(tmp_path / "data"),
                "--output-dir",
                str(tmp_path / "out"),
                "--job-config",
                str(job_config),
            ]
        )
        == 0
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    properties = _registered_properties(stack_graphs["staging"], summary)

    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    deployed = _register(cloud, "Approved")  # registered before lineage: records none
    _serve(cloud, deployed)
    newer = sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="Approved",
        CustomerMetadataProperties=properties,
        InferenceSpecification={
            "Containers": [{"Image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn:2"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]

    [status] = promotion_status(_staging(), sagemaker)
    code = main(["status", "--stack-file", str(stack_path("staging"))], sagemaker=sagemaker)
    out = capsys.readouterr().out

    assert code == 0
    assert status.lineage[deployed] == [("lineage", NOTHING_RECORDED)]
    assert dict(status.lineage[newer]) == properties
    assert list(dict(status.lineage[newer])) == [
        "platform_commit",
        "family_code_sha256",
        "pipeline_execution_arn",
        "training_data_uri",
        "training_data_manifest_sha256",
        "mlflow_run_id",
        "mlflow_tracking_server_arn",
    ]
    assert f"  lineage of {newer}:" in out and f"  lineage of {deployed}:" in out
    assert f"    pipeline_execution_arn:        {EXECUTION_ARN}" in out
    assert f"    training_data_uri:             s3://{DATA_BUCKET}/{PREFIX}" in out
    assert f"    training_data_manifest_sha256: {summary['manifest_sha256']}" in out
    assert f"    platform_commit:               {properties['platform_commit']}" in out
    assert f"    mlflow_run_id:                 {MLFLOW_RUN}" in out

    # The auditor's next step: the manifest the hash names, and the S3 versions it was made of.
    manifest = (tmp_path / "out" / "manifest.json").read_bytes()
    assert manifest_sha256(manifest) == properties["training_data_manifest_sha256"]
    assert dataset_versions(s3, properties["training_data_uri"], manifest) == current


def test_a_version_overwritten_and_expired_matches_no_s3_version(cloud: Cloud, tmp_path: Path) -> None:
    s3 = cloud.clients.s3
    current = _put_training_data(s3)
    _processing_input(s3, tmp_path / "data")
    dataset_manifest.write_manifest(tmp_path / "data", tmp_path / "out", tmp_path / "none.json")
    manifest = (tmp_path / "out" / "manifest.json").read_bytes()
    s3.delete_object(Bucket=DATA_BUCKET, Key=f"{PREFIX}extract.csv", VersionId=current["extract.csv"])

    assert dataset_versions(s3, f"s3://{DATA_BUCKET}/{PREFIX}", manifest) == {
        "extract.csv": None,  # the older version left has other content
        "labels/2026-11.csv": current["labels/2026-11.csv"],
    }


def test_an_unreadable_version_does_not_stop_the_status(cloud: Cloud) -> None:
    from delivery.lineage import version_lineage

    [(key, value)] = version_lineage(
        cloud.clients.sagemaker,
        "arn:aws:sagemaker:eu-west-1:123456789012:model-package/staging-customer-churn/99",
    )
    assert key == "unreadable" and "DescribeModelPackage" in value
