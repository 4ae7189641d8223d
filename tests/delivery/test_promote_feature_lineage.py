"""Feature-store lineage end to end against moto: the prod fixture's churn pipeline reads the
``customer-churn-labelled`` feature group. Its ExtractFeatures step runs (the script, with the
arguments the recorded definition gives it) against a moto feature group and Athena workgroup;
the version is registered with what RegisterModel records, resolved from the step's
``snapshot.json``; `promote status` shows the group and the snapshot time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import requests

from components.training.definition import iter_steps
from components.training.steps import dataset_manifest, extract_features
from delivery.promote import main
from planner.recorder import ResourceGraph
from tests.conftest import stack_path
from tests.delivery.conftest import REGION, Cloud
from tests.graph_helpers import only, training_pipelines

ACCOUNT = "123456789012"  # moto's account (the lineage values do not depend on it)
GROUP = "prod-customer-churn"
STARTED = "2026-12-02T06:00:00.250Z"
EXECUTION_ARN = (
    f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/prod-customer-churn-training/execution/7yq2b0kz4m1c"
)
MLFLOW_RUN = "3b5c2f0e9a8d4c7b8e1f2a3b4c5d6e7f"
HEADER = [
    "customer_id",
    "event_time",
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "contract_type",
    "support_calls_90d",
    "churned",
]


def _definition(graph: ResourceGraph) -> dict[str, Any]:
    (pipeline,) = [p for p in training_pipelines(graph) if "customer-churn" in p.name]
    return json.loads(pipeline.inputs["pipelineDefinition"])


def _the_feature_group(sagemaker: Any, graph: ResourceGraph) -> str:
    (group,) = [g for g in graph.of_type("aws:sagemaker/featureGroup:FeatureGroup") if "labelled" in g.name]
    inputs = group.inputs
    sagemaker.create_feature_group(
        FeatureGroupName=inputs["featureGroupName"],
        RecordIdentifierFeatureName=inputs["recordIdentifierFeatureName"],
        EventTimeFeatureName=inputs["eventTimeFeatureName"],
        FeatureDefinitions=[
            {"FeatureName": d["featureName"], "FeatureType": d["featureType"]}
            for d in inputs["featureDefinitions"]
        ],
        OfflineStoreConfig={
            "S3StorageConfig": {"S3Uri": inputs["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"]},
            "TableFormat": inputs["offlineStoreConfig"]["tableFormat"],
        },
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/feature-store",
    )
    return inputs["featureGroupName"]


def _the_workgroup(athena: Any, graph: ResourceGraph) -> None:
    workgroup = only(graph, "aws:athena/workgroup:Workgroup").inputs
    results = workgroup["configuration"]["resultConfiguration"]
    athena.create_work_group(
        Name=workgroup["name"],
        Configuration={
            "EnforceWorkGroupConfiguration": workgroup["configuration"]["enforceWorkgroupConfiguration"],
            "ResultConfiguration": {
                "OutputLocation": results["outputLocation"],
                "EncryptionConfiguration": {
                    "EncryptionOption": results["encryptionConfiguration"]["encryptionOption"],
                    "KmsKey": results["encryptionConfiguration"]["kmsKeyArn"],
                },
            },
        },
    )


def _queue_results(rows: list[list[str]]) -> None:
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/athena/query-results",
        json={
            "account_id": ACCOUNT,
            "region": REGION,
            "results": [
                {
                    "rows": [{"Data": [{"VarCharValue": value} for value in row]} for row in rows],
                    "column_info": [{"Name": name, "Type": "varchar"} for name in rows[0]],
                }
            ],
        },
        timeout=5,
    )
    assert response.status_code == 201


def _container_arguments(step: dict[str, Any], tmp_path: Path) -> list[str]:
    """The step's arguments as the job receives them: parameters at their defaults, the execution's
    start time, and the container paths moved under ``tmp_path``."""
    values = {
        json.dumps({"Get": "Parameters.FeatureSnapshotTime"}): "execution-start",
        json.dumps({"Get": "Execution.StartDateTime"}): STARTED,
    }
    resolved = []
    for argument in step["Arguments"]["AppSpecification"]["ContainerArguments"]:
        value = argument if isinstance(argument, str) else values[json.dumps(argument)]
        resolved.append(str(tmp_path) + value if value.startswith("/opt/ml/") else value)
    return resolved


def _resolve(value: Any, files: dict[str, dict[str, Any]]) -> str:
    """A RegisterModel property as SageMaker Pipelines resolves it for this execution."""
    if value == {"Get": "Execution.PipelineExecutionArn"}:
        return EXECUTION_ARN
    if isinstance(value, dict) and "Std:JsonGet" in value:
        reference = value["Std:JsonGet"]
        property_file = reference["PropertyFile"]["Get"].rsplit(".", 1)[-1]
        if property_file == "ExperimentRun":
            return MLFLOW_RUN
        return str(files[property_file][reference["Path"]])
    assert isinstance(value, str), value
    return value


def test_promote_status_shows_the_feature_group_and_snapshot_the_version_was_trained_on(
    cloud: Cloud, stack_graphs: dict[str, ResourceGraph], tmp_path: Path, capsys
) -> None:
    graph = stack_graphs["prod"]
    sagemaker, athena = cloud.clients.sagemaker, boto3.client("athena", region_name=REGION)
    group_name = _the_feature_group(sagemaker, graph)
    _the_workgroup(athena, graph)
    _queue_results([HEADER, ["c-1", "1767225600.0", "12", "70.5", "846.0", "one-year", "1", "0"]])
    steps = {step["Name"]: step for step in iter_steps(_definition(graph)["Steps"])}

    # ExtractFeatures, with the arguments the recorded definition gives it.
    assert extract_features.main(_container_arguments(steps["ExtractFeatures"], tmp_path)) == 0
    snapshot_dir = tmp_path / "opt/ml/processing/output/snapshot"
    features_dir = tmp_path / "opt/ml/processing/output/features"
    snapshot = json.loads((snapshot_dir / "snapshot.json").read_text())
    # DatasetManifest fingerprints what Preprocess then reads: ExtractFeatures' output.
    job_config = tmp_path / "processingjobconfig.json"
    extracted = (
        "s3://prod-artifacts/pipelines/prod-customer-churn-training/7yq2b0kz4m1c/ExtractFeatures/features"
    )
    job_config.write_text(
        json.dumps({"ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": extracted}}]})
    )
    dataset_manifest.write_manifest(features_dir, tmp_path / "manifest", job_config)
    summary = json.loads((tmp_path / "manifest" / "summary.json").read_text())

    recorded = steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]
    properties = {
        key: _resolve(value, {"FeatureSnapshot": snapshot, "DatasetManifestSummary": summary})
        for key, value in recorded.items()
    }
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    version = sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="Approved",
        CustomerMetadataProperties=properties,
        InferenceSpecification={
            "Containers": [{"Image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn:2"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]

    code = main(["status", "--stack-file", str(stack_path("prod"))], sagemaker=sagemaker)
    out = capsys.readouterr().out

    assert code == 0
    assert (properties["feature_group_name"], properties["feature_group_snapshot_time"]) == (
        group_name,
        STARTED,
    )
    assert properties["training_data_uri"] == extracted
    assert f"  lineage of {version}:" in out
    lines = [line.strip() for line in out.splitlines()]
    assert f"feature_group_name:            {group_name}" in lines
    assert f"feature_group_snapshot_time:   {STARTED}" in lines
    assert (features_dir / "features.csv").read_text().splitlines()[0] == ",".join(HEADER)
